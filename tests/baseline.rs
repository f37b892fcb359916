//! The baseline (the deployed state the templates are compared with): read once, from the
//! configuration file's directory; a missing or broken baseline is a finding located in the
//! baseline file, never a failure, and the rules then run without it.

use armgraph::{Analyzer, Config, Inputs, Report};

const TEMPLATE: &str = "testdata/baseline/main.json";

fn check(config: Config, path: &str) -> Report {
    Analyzer::new(config)
        .check(&Inputs::new().with_path(path))
        .expect("the template is readable")
}

/// (code, file name, line) of every finding.
fn rows(report: &Report) -> Vec<(String, String, u32)> {
    report
        .diagnostics()
        .iter()
        .map(|d| {
            let at = report.resolve(d.location());
            let file = at.file.rsplit('/').next().unwrap_or_default().to_owned();
            (d.code().to_owned(), file, at.start.line)
        })
        .collect()
}

fn codes(report: &Report) -> Vec<String> {
    rows(report).into_iter().map(|r| r.0).collect()
}

#[test]
fn the_baseline_of_the_configuration_file_applies() {
    let config = Config::from_file(std::path::Path::new("testdata/baseline/armgraph.json"))
        .expect("readable");
    // Found from the configuration file's directory, not from the working directory.
    assert_eq!(
        config.baseline(),
        Some(std::path::Path::new("testdata/baseline/deployed.json"))
    );
    let report = check(config, TEMPLATE);
    assert_eq!(
        rows(&report)
            .into_iter()
            .filter(|r| r.0 == "AML-MVN-008")
            .collect::<Vec<_>>(),
        [("AML-MVN-008".to_owned(), "main.json".to_owned(), 37)],
        "{report}"
    );
    // Without it, the rule has nothing to compare with.
    assert!(!codes(&check(Config::default(), TEMPLATE)).contains(&"AML-MVN-008".to_owned()));
}

#[test]
fn a_walked_directory_does_not_analyze_its_baseline_as_a_template() {
    let config = Config::default().with_baseline("testdata/baseline/deployed.json");
    let report = check(config, "testdata/baseline");
    let analyzed: Vec<String> = report
        .analyzed()
        .iter()
        .map(|a| {
            report
                .resolve(&armgraph::report::Location::new(a.file, ""))
                .file
        })
        .collect();
    assert_eq!(analyzed.len(), 1, "{analyzed:?}");
    assert!(analyzed[0].ends_with("main.json"), "{analyzed:?}");
    assert!(
        codes(&report).contains(&"AML-MVN-008".to_owned()),
        "{report}"
    );
}

#[test]
fn a_missing_baseline_is_a_finding_in_its_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("deployed.json");
    let report = check(Config::default().with_baseline(&missing), TEMPLATE);
    let io: Vec<_> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code() == "ARM-IO-001")
        .collect();
    assert_eq!(io.len(), 1, "{report}");
    assert!(
        report
            .resolve(io[0].location())
            .file
            .ends_with("deployed.json"),
        "{report}"
    );
    assert!(io[0].help().is_some_and(|h| h.contains("baseline")));
    assert!(!codes(&report).contains(&"AML-MVN-008".to_owned()));
}

#[test]
fn a_baseline_with_broken_json_is_a_located_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("deployed.json");
    std::fs::write(
        &broken,
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n    {\"type\": \"Microsoft.MachineLearningServices/workspaces\" \"name\": \"mlw-contoso\"}\n  ]\n}\n",
    )
    .expect("write");
    let report = check(Config::default().with_baseline(&broken), TEMPLATE);
    let json: Vec<_> = rows(&report)
        .into_iter()
        .filter(|r| r.0.starts_with("ARM-JSON"))
        .collect();
    assert_eq!(
        json,
        [("ARM-JSON-001".to_owned(), "deployed.json".to_owned(), 4)],
        "{report}"
    );
    assert!(!codes(&report).contains(&"AML-MVN-008".to_owned()));
}

#[test]
fn a_baseline_that_is_not_a_template_is_reported_and_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let parameters = dir.path().join("deployed.json");
    std::fs::write(
        &parameters,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}"#,
    )
    .expect("write");
    let report = check(Config::default().with_baseline(&parameters), TEMPLATE);
    assert_eq!(
        rows(&report)
            .into_iter()
            .filter(|r| r.0 == "ARM-INPUT-001")
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        ["deployed.json"],
        "{report}"
    );
    assert!(!codes(&report).contains(&"AML-MVN-008".to_owned()));
}

#[test]
fn the_configuration_key_must_be_a_path() {
    let config = Config::from_json_str(r#"{"baseline": 3}"#);
    assert_eq!(config.baseline(), None);
    assert_eq!(config.issues()[0].code, "ARM-CONFIG-002");
    assert_eq!(config.issues()[0].pointer, "/baseline");
}

/// Only AML-MVN-008, so that the count of undecided checks is the rule's own.
fn only_mvn_008(config: Config) -> Config {
    use armgraph::config::RuleSetting;
    config
        .with_rule_setting(RuleSetting {
            pattern: "AML-*".into(),
            enabled: Some(false),
            severity: None,
            options: None,
        })
        .with_rule_setting(RuleSetting {
            pattern: "AML-MVN-008".into(),
            enabled: Some(true),
            severity: None,
            options: None,
        })
}

#[test]
fn resources_match_by_id_ignoring_case_and_unknown_ids_are_undecided() {
    let deployed =
        std::fs::read_to_string("testdata/baseline/deployed.json").expect("the baseline fixture");
    let dir = tempfile::tempdir().expect("temp dir");

    // ARM names compare ignoring case: the exported name in other case is the same workspace.
    let shouted = dir.path().join("shouted.json");
    std::fs::write(
        &shouted,
        deployed.replace(
            "\"defaultValue\": \"mlw-contoso\"",
            "\"defaultValue\": \"MLW-Contoso\"",
        ),
    )
    .expect("write");
    let report = check(
        only_mvn_008(Config::default().with_baseline(&shouted)),
        TEMPLATE,
    );
    assert!(
        codes(&report).contains(&"AML-MVN-008".to_owned()),
        "{report}"
    );

    // A workspace name known only at deployment may be this workspace: undecided, not reported.
    let unnamed = dir.path().join("unnamed.json");
    std::fs::write(
        &unnamed,
        deployed.replace(
            "\"defaultValue\": \"mlw-contoso\",",
            "\"metadata\": {\"description\": \"no default\"},",
        ),
    )
    .expect("write");
    let report = check(
        only_mvn_008(Config::default().with_baseline(&unnamed)),
        TEMPLATE,
    );
    assert!(
        !codes(&report).contains(&"AML-MVN-008".to_owned()),
        "{report}"
    );
    assert_eq!(report.summary().indeterminate, 1, "{report}");
}
