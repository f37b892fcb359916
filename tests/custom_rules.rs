//! The worked examples of docs/custom-rules.md, run from the document itself: each rules block
//! (```json rules:<example>) against testdata/custom/<example>/pass (no finding) and fail (a
//! finding, snapshotted).

use std::path::{Path, PathBuf};

use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Format, Inputs, Severity};

/// (example name, rules JSON) of every `json rules:<name>` block of the document.
fn examples() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/custom-rules.md"))
        .expect("docs/custom-rules.md");
    let mut found = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("```json rules:") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            found.push((name.trim().to_owned(), body.join("\n")));
        }
    }
    found
}

fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_documented_example_passes_its_fixtures_and_fails_its_counter_fixtures() {
    let examples = examples();
    assert_eq!(
        examples.len(),
        5,
        "docs/custom-rules.md has five worked examples"
    );
    for (name, rules) in examples {
        let dir = tempfile::tempdir().expect("temp dir");
        let rules_file = dir.path().join(format!("{name}.json"));
        std::fs::write(&rules_file, &rules).expect("write rules");
        let id: serde_json::Value = serde_json::from_str(&rules).expect("the example is JSON");
        let code = format!("custom/{}", id["rules"][0]["id"].as_str().expect("an id"));
        let analyzer = Analyzer::new(Config::default().with_custom_rules([rules_file]));
        let root = Path::new("testdata/custom").join(&name);
        for kind in ["pass", "fail"] {
            let files = fixtures(&root.join(kind));
            assert!(!files.is_empty(), "{name}: no {kind} fixture");
            for file in files {
                let report = analyzer
                    .check(&Inputs::new().with_path(&file))
                    .expect("readable");
                let own: Vec<_> = report
                    .diagnostics()
                    .iter()
                    .filter(|d| d.code() == code)
                    .collect();
                let loading: Vec<_> = report
                    .diagnostics()
                    .iter()
                    .filter(|d| d.code() == "ARM-CUSTOM-001")
                    .collect();
                assert!(
                    loading.is_empty(),
                    "{name}: the example does not load: {report}"
                );
                if kind == "pass" {
                    assert!(
                        own.is_empty(),
                        "{} must pass {code}: {report}",
                        file.display()
                    );
                } else {
                    assert!(
                        !own.is_empty(),
                        "{} must report {code}: {report}",
                        file.display()
                    );
                    assert!(own.iter().all(|d| d.severity() >= Severity::Note));
                    let mut out = Vec::new();
                    report
                        .write(&mut out, Format::Human, &RenderOptions::default())
                        .expect("render");
                    let text = String::from_utf8_lossy(&out).into_owned();
                    let own_text: Vec<&str> = text
                        .split("\n\n")
                        .filter(|block| block.contains(&format!("[{code}]")))
                        .collect();
                    insta::assert_snapshot!(format!("custom_{name}"), own_text.join("\n\n"));
                }
            }
        }
    }
}

#[test]
fn invalid_rules_are_located_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("bad.json");
    std::fs::write(
        &rules,
        "{\n  \"rules\": [\n    {\"id\": \"ok\", \"message\": \"m\", \"assert\": {\"field\": \"name\", \"exists\": true}},\n    {\"id\": \"bad one\", \"message\": \"m\", \"assert\": {}},\n    {\"id\": \"edge\", \"message\": \"m\", \"assertRelated\": [{\"edge\": \"Sideways\"}]},\n    {\"id\": \"deep\", \"message\": \"m\", \"assert\": {\"field\": \"$..[?(@.a ==\", \"exists\": true}}\n  ]\n}\n",
    )
    .expect("write");
    let report = Analyzer::new(Config::default().with_custom_rules([rules]))
        .check(&Inputs::new().with_path("testdata/custom/cost-center-tag/pass/tagged.json"))
        .expect("readable");
    let lines: Vec<u32> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code() == "ARM-CUSTOM-001")
        .map(|d| report.resolve(d.location()).start.line)
        .collect();
    assert_eq!(
        lines,
        [4, 5, 6],
        "the id, the edge and the JSONPath are invalid"
    );
}

#[test]
fn a_pathological_jsonpath_is_refused_not_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("slow.json");
    std::fs::write(
        &rules,
        r#"{"rules": [{"id": "slow", "message": "m", "assert": {"field": "$..*..*..*..*", "exists": true}}]}"#,
    )
    .expect("write");
    // A resource with 20,000 nested values: four nested descents would be 10^17 steps.
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-11-01", "name": "nsg",
            "properties": {"items": (0..20_000).map(|i| serde_json::json!({"a": {"b": i}})).collect::<Vec<_>>()}}]
    });
    let started = std::time::Instant::now();
    let report = Analyzer::new(Config::default().with_custom_rules([rules]))
        .check(&Inputs::new().with_source("big.json", template.to_string()))
        .expect("in memory");
    let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["ARM-CUSTOM-001"], "refused when read: {report}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "refused, not run"
    );
}
