//! Walking the shared corpus of real templates: every file is classified and nothing crashes.

mod common;

use std::collections::BTreeMap;

use armgraph::{Analyzer, Config, Inputs};

#[test]
fn every_corpus_file_is_classified() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let report = Analyzer::new(Config::default())
        .check(&Inputs::new().with_path(&corpus))
        .expect("the corpus is readable");
    let scanned = report.scanned();
    let files = walk_json(&corpus);
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for d in report.diagnostics() {
        *by_code.entry(d.code()).or_default() += 1;
    }
    println!(
        "corpus: {files} JSON files: {} templates ({} resources declared), {} parameter files, {} other, {} unreadable; findings by code: {by_code:?}",
        scanned.templates,
        report.analyzed().iter().map(|a| a.resources).sum::<usize>(),
        scanned.parameter_files,
        scanned.other,
        scanned.unreadable,
    );
    assert_eq!(
        scanned.templates + scanned.parameter_files + scanned.other + scanned.unreadable,
        files,
        "every file is classified exactly once"
    );
    assert_eq!(
        scanned.unreadable, 0,
        "every corpus file is JSON ARM can read: {by_code:?}"
    );
    assert!(
        scanned.templates > 100 && scanned.parameter_files > 50,
        "{scanned:?}"
    );
    assert!(!report.has_errors(), "{report}");
}

fn walk_json(dir: &std::path::Path) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            count += walk_json(&path);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            count += 1;
        }
    }
    count
}
