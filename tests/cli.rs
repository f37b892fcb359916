//! The example CLI, run as a user runs it: exit codes, formats, bad input.

mod common;

use common::{Run, run};
use serde_json::Value;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {stdout}"))
}

#[test]
fn syntax_error_is_reported_at_its_line_and_column_with_exit_1() {
    let r = run(&[
        "--format",
        "json",
        "testdata/input/syntax-error-line-7.json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json(&r.stdout);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "ARM-JSON-001");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "testdata/input/syntax-error-line-7.json");
    assert_eq!(d["line"], 7);
    assert_eq!(d["column"], 5);
    assert_eq!(d["pointer"], "/resources");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn demo_runs_on_the_samples_by_default() {
    let r = run(&["--format", "json"]);
    // The online-endpoint sample carries a deliberate defect: no zone group and no wildcard
    // inference record for a private managed online endpoint.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = json(&r.stdout);
    let files = report["files"].as_array().expect("files");
    assert!(files.len() >= 2, "{files:?}");
    assert!(files.iter().all(|f| {
        f["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("testdata/samples/"))
    }));
    assert!(report["scanned"]["parameterFiles"].as_u64() >= Some(2));
    let errors: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default(),
                d["file"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(
            "AML-DNS-005",
            "testdata/samples/aml-online-endpoint/azuredeploy.json"
        )]
    );
}

#[test]
fn missing_file_is_a_clean_exit_2() {
    let r = run(&["does/not/exist.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("armgraph: error: cannot read `does/not/exist.json`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn directory_without_templates_is_a_clean_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("package.json"), r#"{"name": "x"}"#).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not json").expect("write");
    let r = run(&[dir.path().to_str().expect("utf-8 temp path")]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no deployment templates found"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("1 other JSON file(s) skipped"),
        "{}",
        r.stderr
    );
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.json");
    std::fs::write(&path, b"{\n  \"name\": \"caf\xe9\"\n}\n").expect("write");
    let r = run(&["--format", "json", path.to_str().expect("utf-8 temp path")]);
    assert_eq!(r.code, 1);
    let d = &json(&r.stdout)["diagnostics"][0];
    assert_eq!(d["code"], "ARM-IO-002");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(15))
    );
}

#[test]
fn empty_file_is_invalid_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.json");
    std::fs::write(&path, "").expect("write");
    let r = run(&["--format", "json", path.to_str().expect("utf-8 temp path")]);
    assert_eq!(r.code, 1);
    let d = &json(&r.stdout)["diagnostics"][0];
    assert_eq!(d["code"], "ARM-JSON-001");
    assert!(
        d["message"].as_str().is_some_and(|m| m.contains("empty")),
        "{d}"
    );
}

#[test]
fn five_megabytes_of_open_brackets_stop_at_the_depth_bound() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("brackets.json");
    std::fs::write(&path, "[".repeat(5 * 1024 * 1024)).expect("write");
    let r = run(&["--format", "json", path.to_str().expect("utf-8 temp path")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json(&r.stdout);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "ARM-JSON-005");
    assert_eq!(d["line"], 1);
    assert_eq!(d["column"], armgraph::source::MAX_JSON_DEPTH as u64 + 1);
}

#[test]
fn files_over_the_size_limit_are_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(armgraph::source::MAX_FILE_BYTES + 1)
        .expect("sparse file");
    let r = run(&["--format", "json", path.to_str().expect("utf-8 temp path")]);
    assert_eq!(r.code, 1);
    assert_eq!(json(&r.stdout)["diagnostics"][0]["code"], "ARM-IO-003");
}

#[test]
fn deny_warning_fails_on_warnings() {
    let args = ["--format", "json", "testdata/templates/multi-finding.json"];
    assert_eq!(
        run(&args).code,
        0,
        "warnings and notes alone pass by default"
    );
    let mut deny = args.to_vec();
    deny.extend(["--deny", "warning"]);
    assert_eq!(run(&deny).code, 1);
}

#[test]
fn explicit_non_template_is_a_warning() {
    let r = run(&[
        "--format",
        "json",
        "Cargo.toml",
        "testdata/templates/multi-finding.json",
    ]);
    // Cargo.toml is not JSON at all.
    assert_eq!(r.code, 1);
    let report = json(&r.stdout);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"ARM-JSON-001"), "{codes:?}");
}

#[test]
fn baseline_option_compares_with_the_deployed_state() {
    let fixture = "testdata/rules/AML-MVN-008-relaxed-isolation-mode/fail/approved-to-internet";
    let template = format!("{fixture}.json");
    let baseline = format!("{fixture}.baseline.json");
    let codes = |r: &Run| -> Vec<String> {
        json(&r.stdout)["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["code"].as_str().map(str::to_owned))
            .collect()
    };
    let without = run(&["--format", "json", &template]);
    assert!(!codes(&without).contains(&"AML-MVN-008".to_owned()));
    let with = run(&["--format", "json", "--baseline", &baseline, &template]);
    assert_eq!(with.code, 1, "{}", with.stderr);
    assert!(codes(&with).contains(&"AML-MVN-008".to_owned()));
}

#[test]
fn list_rules_prints_every_code() {
    let r = run(&["--list-rules"]);
    assert_eq!(r.code, 0);
    for info in armgraph::rules::registry() {
        assert!(r.stdout.contains(info.code), "{} missing", info.code);
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["--format", "xml"]).code, 2);
}

#[test]
fn a_parameter_file_alone_is_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("main.parameters.json");
    std::fs::write(
        &path,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {}}"#,
    )
    .expect("write");
    let r = run(&[
        "--format",
        "json",
        "--deny",
        "warning",
        path.to_str().expect("utf-8 temp path"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(report["diagnostics"][0]["code"], "ARM-INPUT-002");
    assert_eq!(report["scanned"]["parameterFiles"], 1);
}

#[test]
fn eval_prints_the_value_as_json() {
    let r = run(&["--eval", "[uniqueString('snap','crackle','pop')]"]);
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, "\"byghxckddilkc\""),
        "{}",
        r.stderr
    );
    let r = run(&[
        "--eval",
        "resourceGroup().location",
        "--location",
        "westeurope",
    ]);
    assert_eq!(r.stdout.trim(), "\"westeurope\"");
    let r = run(&["--eval", "[reference('x').id]"]);
    assert!(
        json(&r.stdout)["$unknown"]
            .as_str()
            .is_some_and(|p| p.starts_with("reference('x')")),
        "{}",
        r.stdout
    );
    let r = run(&["--eval", "[concat('a', nope())]"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("ARM-EXPR-005") && r.stderr.contains("at 13..17"),
        "{}",
        r.stderr
    );
}

#[test]
fn eval_reads_parameter_files() {
    let r = run(&[
        "--eval",
        "[toUpper(parameters('workspaceName'))]",
        "--parameters",
        "testdata/samples/aml-private-workspace/azuredeploy.parameters.json",
    ]);
    assert_eq!(r.stdout.trim(), "\"MLW-CONTOSO-PRIVATE\"", "{}", r.stderr);
}

#[test]
fn expand_lists_resources_with_their_lines() {
    let r = run(&[
        "--expand",
        "testdata/samples/aml-private-workspace/azuredeploy.json",
        "--parameters",
        "testdata/samples/aml-private-workspace/azuredeploy.parameters.json",
        "--subscription-id",
        "11111111-1111-1111-1111-111111111111",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expansion = json(&r.stdout);
    let resources = expansion["resources"].as_array().expect("resources");
    let workspace = resources
        .iter()
        .find(|r| r["type"] == "Microsoft.MachineLearningServices/workspaces")
        .expect("a workspace");
    assert_eq!(
        workspace["id"],
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/DummyResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/mlw-contoso-private"
    );
    assert_eq!(workspace["condition"], "true");
    let zones: Vec<&Value> = resources
        .iter()
        .filter(|r| r["type"] == "Microsoft.Network/privateDnsZones")
        .collect();
    assert_eq!(zones.len(), 6, "the copy loop over the zone names");
    assert!(zones.iter().all(|z| z["copy"][0][0] == "privateDnsZones"));
}

#[test]
fn policy_flags_evaluate_definitions() {
    let template = "testdata/policy/Workspace_PublicNetworkAccessDisabled_Audit/fail/template.json";
    let denied = common::run(&["--policy", "testdata/policy-definitions", template]);
    assert_eq!(denied.code, 1, "{}{}", denied.stdout, denied.stderr);
    assert!(
        denied
            .stdout
            .contains("error[policy/deny-public-workspace]"),
        "{}",
        denied.stdout
    );
    let audited = common::run(&[
        "--policy",
        "testdata/policy-definitions/deny-public-workspace.json",
        "--policy-parameters",
        "testdata/policy-parameters/audit-instead.json",
        template,
    ]);
    assert_eq!(audited.code, 0, "{}{}", audited.stdout, audited.stderr);
    assert!(
        audited
            .stdout
            .contains("warning[policy/deny-public-workspace]"),
        "{}",
        audited.stdout
    );
    let missing = common::run(&[
        "--policy",
        "testdata/policy-definitions/none.json",
        template,
    ]);
    assert_eq!(missing.code, 2);
}
