//! Every finding of the AML rules over the shared corpus, as a reviewed JSON snapshot: code,
//! severity, file, line and resource. A change in what the rules say about real public templates
//! shows up here as a diff to read, finding by finding. Notes are included: they are what a user
//! sees with the default output.

mod common;

use armgraph::{Analyzer, Config, Inputs};
use serde_json::json;

#[test]
fn aml_findings_over_the_corpus() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let report = Analyzer::new(Config::default())
        .check(&Inputs::new().with_path(&corpus))
        .expect("the corpus is readable");
    let mut findings: Vec<(String, u32, String, String, String)> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code().starts_with("AML-"))
        .map(|d| {
            let resolved = report.resolve(d.location());
            (
                corpus_relative(&resolved.file),
                resolved.start.line,
                d.code().to_owned(),
                d.severity().to_string(),
                d.location().resource().unwrap_or("").to_owned(),
            )
        })
        .collect();
    findings.sort();
    findings.dedup();
    let rows: Vec<serde_json::Value> = findings
        .into_iter()
        .map(|(file, line, code, severity, resource)| {
            json!({"code": code, "severity": severity, "file": file, "line": line, "resource": resource})
        })
        .collect();
    let text = serde_json::to_string_pretty(&rows).expect("JSON values serialize");
    insta::assert_snapshot!("aml_findings", text);
}

/// The file name below the corpus directory, with `/` separators, whatever the report shows.
fn corpus_relative(file: &str) -> String {
    let file = file.replace('\\', "/");
    match file.find("corpus/") {
        Some(at) => file[at + "corpus/".len()..].to_owned(),
        None => file,
    }
}
