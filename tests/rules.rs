//! Every rule on its fixtures: `testdata/rules/<CODE>-<name>/pass/*.json` must produce no finding
//! of that rule (and no engine error or warning), `fail/*.json` at least one, snapshotted as
//! human output (reviewed by hand). A fixture `x.json` with an `x.baseline.json` beside it is
//! analyzed with that baseline (the deployed state); `*.baseline.json` files are not fixtures.

use armgraph::config::RuleSetting;
use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Format, Inputs, Severity};

fn code_of(path: &std::path::Path) -> String {
    let directory = path
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `AML-DNS-007-non-global-private-dns-location` → `AML-DNS-007`.
    directory
        .splitn(4, '-')
        .take(3)
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn fixtures() {
    insta::glob!("../testdata/rules", "*/*/*.json", |path| {
        let name = path.to_string_lossy();
        if name.ends_with(".parameters.json") || name.ends_with(".baseline.json") {
            return;
        }
        let code = code_of(path);
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path)
            .to_path_buf();
        // Only the rule of the directory runs (the engine's own checks too), so that a fixture
        // shows that rule's findings and undecided checks alone.
        let mut only_this_rule = Config::default()
            .with_rule_setting(RuleSetting {
                pattern: "AML-*".into(),
                enabled: Some(false),
                severity: None,
                options: None,
            })
            .with_rule_setting(RuleSetting {
                pattern: code.clone(),
                enabled: Some(true),
                severity: None,
                options: None,
            });
        let baseline = relative.with_extension("baseline.json");
        if baseline.is_file() {
            only_this_rule = only_this_rule.with_baseline(baseline);
        }
        let report = Analyzer::new(only_this_rule)
            .check(&Inputs::new().with_path(&relative))
            .expect("fixture is readable");
        let own: Vec<_> = report
            .diagnostics()
            .iter()
            .filter(|d| d.code() == code)
            .collect();
        let engine: Vec<_> = report
            .diagnostics()
            .iter()
            .filter(|d| d.code() != code && d.severity() != Severity::Note)
            .collect();
        assert!(
            engine.is_empty(),
            "{}: other findings: {report}",
            relative.display()
        );
        let is_pass = path.parent().is_some_and(|p| p.ends_with("pass"));
        if is_pass {
            assert!(own.is_empty(), "{} must pass: {report}", relative.display());
        } else {
            assert!(
                !own.is_empty(),
                "{} must report {code}: {report}",
                relative.display()
            );
            let mut out = Vec::new();
            report
                .write(&mut out, Format::Human, &RenderOptions::default())
                .expect("render");
            insta::assert_snapshot!(String::from_utf8_lossy(&out));
        }
    });
}

#[test]
fn every_rule_has_pass_and_fail_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    for rule in armgraph::rules::all_rules() {
        let meta = rule.meta();
        let directory = root.join(format!("{}-{}", meta.code, meta.name));
        for kind in ["pass", "fail"] {
            let count = std::fs::read_dir(directory.join(kind))
                .map(|entries| {
                    entries
                        .flatten()
                        .filter(|e| {
                            let name = e.file_name().to_string_lossy().into_owned();
                            name.ends_with(".json") && !name.ends_with(".baseline.json")
                        })
                        .count()
                })
                .unwrap_or(0);
            assert!(
                count > 0,
                "{}: no {kind} fixture in {}",
                meta.code,
                directory.display()
            );
        }
    }
}
