//! The configuration file, rule settings, suppressions (configuration, inline, expired, stale)
//! and findings merged across parameter files.

mod common;

use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Format, Inputs, Report};
use serde_json::Value;

fn check(config: Config, paths: &[&str]) -> Report {
    let mut inputs = Inputs::new();
    for path in paths {
        inputs = inputs.with_path(*path);
    }
    Analyzer::new(config)
        .check(&inputs)
        .expect("fixture is readable")
}

fn json(report: &Report) -> Value {
    let mut out = Vec::new();
    report
        .write(&mut out, Format::Json, &RenderOptions::default())
        .expect("render");
    serde_json::from_slice(&out).expect("JSON")
}

/// (code, file, line, suppressed) of every finding.
fn rows(report: &Report) -> Vec<(String, String, u64, bool)> {
    json(report)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["file"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["suppressed"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

const TEMPLATE: &str = "testdata/config/regional-zone.json";
const PARAMETERS: &str = "testdata/config/regional-zone.parameters.json";

#[test]
fn config_errors_point_at_their_line_and_column() {
    let config = Config::from_file(std::path::Path::new(
        "testdata/config/armgraph-invalid.json",
    ))
    .expect("readable");
    let report = check(config, &[TEMPLATE, PARAMETERS]);
    let config_rows: Vec<_> = rows(&report)
        .into_iter()
        .filter(|r| r.0.starts_with("ARM-CONFIG"))
        .collect();
    assert_eq!(
        config_rows,
        [
            (
                "ARM-CONFIG-002".to_owned(),
                "armgraph-invalid.json".to_owned(),
                2,
                false
            ),
            (
                "ARM-CONFIG-001".to_owned(),
                "armgraph-invalid.json".to_owned(),
                3,
                false
            ),
            // The template's inline suppression of AML-DNS-008 matches nothing.
            (
                "ARM-CONFIG-003".to_owned(),
                "regional-zone.json".to_owned(),
                23,
                false
            ),
        ]
    );
    // The valid part still applies: AML-DNS-007 is a warning now.
    let document = json(&report);
    let dns = document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "AML-DNS-007")
        .expect("the regional zone finding");
    assert_eq!(dns["severity"], "warning");
    assert_eq!(dns["column"], 7);
}

#[test]
fn rules_can_be_turned_off_by_family_glob() {
    let config = Config::from_json_str(r#"{"rules": {"AML-DNS-*": "off"}}"#);
    let report = check(config, &[TEMPLATE, PARAMETERS]);
    assert!(
        rows(&report).iter().all(|r| !r.0.starts_with("AML-DNS")),
        "{report}"
    );
}

#[test]
fn suppressions_from_config_and_inline_expired_and_stale() {
    let config = Config::from_file(std::path::Path::new(
        "testdata/config/armgraph-suppress.json",
    ))
    .expect("readable")
    .with_today("2026-11-23");
    let report = check(config, &[TEMPLATE, PARAMETERS]);
    assert_eq!(
        rows(&report),
        [
            (
                "ARM-CONFIG-003".to_owned(),
                "armgraph-suppress.json".to_owned(),
                10,
                false
            ),
            (
                "ARM-CONFIG-004".to_owned(),
                "armgraph-suppress.json".to_owned(),
                11,
                false
            ),
            (
                "AML-DNS-007".to_owned(),
                "regional-zone.json".to_owned(),
                12,
                true
            ),
            (
                "AML-DNS-007".to_owned(),
                "regional-zone.json".to_owned(),
                18,
                true
            ),
            (
                "ARM-CONFIG-003".to_owned(),
                "regional-zone.json".to_owned(),
                23,
                false
            ),
        ]
    );
    let document = json(&report);
    let justifications: Vec<&str> = document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["justification"].as_str())
        .collect();
    assert_eq!(
        justifications,
        [
            "the zone is replaced by the central DNS team in Q1",
            "migrated to global in the next release"
        ]
    );
    assert_eq!(document["summary"]["suppressed"], 2);
    assert_eq!(document["summary"]["errors"], 0);
    assert!(report.to_string().contains(", 2 suppressed"));
    let mut sarif = Vec::new();
    report
        .write(&mut sarif, Format::Sarif, &RenderOptions::default())
        .expect("render");
    let sarif: Value = serde_json::from_slice(&sarif).expect("SARIF");
    let suppressions: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r.get("suppressions"))
        .collect();
    insta::assert_json_snapshot!(suppressions);
}

#[test]
fn an_expired_suppression_applies_again_when_the_date_moves_back() {
    let config = Config::from_file(std::path::Path::new(
        "testdata/config/armgraph-suppress.json",
    ))
    .expect("readable")
    .with_today("2019-06-01");
    let report = check(config, &[TEMPLATE, PARAMETERS]);
    assert!(!rows(&report).iter().any(|r| r.0 == "ARM-CONFIG-004"));
}

#[test]
fn one_finding_from_several_parameter_files_lists_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "regional-zone.json",
        "regional-zone.parameters.json",
        "regional-zone.parameters.prod.json",
    ] {
        std::fs::copy(format!("testdata/config/{name}"), dir.path().join(name)).expect("copy");
    }
    let report = Analyzer::new(Config::default())
        .check(&Inputs::new().with_path(dir.path()))
        .expect("readable");
    let findings: Vec<_> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code() == "AML-DNS-007" && !d.is_suppressed())
        .collect();
    assert_eq!(findings.len(), 1, "{report}");
    let related: Vec<String> = findings[0]
        .related()
        .iter()
        .map(|l| {
            report
                .resolve(l.location())
                .file
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        related,
        [
            "regional-zone.parameters.json",
            "regional-zone.parameters.prod.json"
        ]
    );
}

#[test]
fn the_cli_finds_armgraph_json_above_the_analyzed_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nested = dir.path().join("infra/templates");
    std::fs::create_dir_all(&nested).expect("dirs");
    std::fs::copy(TEMPLATE, nested.join("main.json")).expect("copy");
    std::fs::write(
        nested.join("main.parameters.json"),
        std::fs::read(PARAMETERS).expect("read"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("armgraph.json"),
        r#"{"rules": {"AML-DNS-007": "off"}}"#,
    )
    .expect("write");
    let run = common::run(&[
        "--format",
        "json",
        nested.to_str().expect("utf-8 temp path"),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["ARM-CONFIG-003"],
        "only the inline suppression of AML-DNS-008 is stale"
    );
}
