//! `armgraph::buildscript`, run in-process as a build script would.

use armgraph::buildscript::{self, BuildCheckError};
use armgraph::{Config, Severity};

#[test]
fn clean_templates_pass_and_warnings_become_cargo_warnings() {
    let report = buildscript::check(["testdata/templates/multi-finding.json"])
        .expect("only warnings and notes");
    let lines = buildscript::warning_lines(&report);
    assert_eq!(lines.len(), report.diagnostics().len());
    assert!(
        lines.iter().any(|l| l.starts_with(
            "cargo::warning=testdata/templates/multi-finding.json:7:5: warning[ARM-JSON-003]"
        )),
        "{lines:#?}"
    );
}

#[test]
fn findings_at_the_deny_level_fail_the_build() {
    let denied = buildscript::check(["testdata/input/syntax-error-line-7.json"]);
    assert!(matches!(
        denied,
        Err(BuildCheckError::Denied {
            count: 1,
            deny: Severity::Error
        })
    ));
    let strict = Config::default().with_deny(Severity::Warning);
    assert!(buildscript::check_with(&strict, ["testdata/templates/multi-finding.json"]).is_err());
}

#[test]
fn a_missing_input_is_an_analysis_error() {
    assert!(matches!(
        buildscript::check(["testdata/none.json"]),
        Err(BuildCheckError::Analysis(_))
    ));
}

#[test]
fn the_build_script_example_runs_against_a_temp_crate_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [],}"#,
    )
    .expect("write");
    let mut exe = std::env::current_exe().expect("test exe");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe
        .join("examples")
        .join(format!("build_script{}", std::env::consts::EXE_SUFFIX));
    let output = std::process::Command::new(exe)
        .arg(dir.path())
        .output()
        .expect("example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains(&format!("cargo::rerun-if-changed={}", dir.path().display())));
    assert!(stdout.contains("note[ARM-JSON-002]"), "{stdout}");
}
