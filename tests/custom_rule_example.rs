//! `examples/custom_rule.rs`: a rule written in Rust and registered on the `Analyzer`.

fn run_example(template: &std::path::Path) -> String {
    let mut exe = std::env::current_exe().expect("test exe");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe
        .join("examples")
        .join(format!("custom_rule{}", std::env::consts::EXE_SUFFIX));
    let output = std::process::Command::new(exe)
        .arg(template)
        .output()
        .expect("the example runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_custom_rule_reports_public_storage_behind_a_private_endpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture =
        std::fs::read_to_string("testdata/templates/graph-fixture.json").expect("fixture");
    let compliant = dir.path().join("compliant.json");
    std::fs::write(&compliant, &fixture).expect("write");
    assert!(run_example(&compliant).ends_with("0 errors, 0 warnings, 0 notes\n"));

    let public = dir.path().join("public.json");
    let text = fixture.replace(
        "\"publicNetworkAccess\": \"Disabled\"",
        "\"publicNetworkAccess\": \"Enabled\"",
    );
    assert_ne!(text, fixture);
    std::fs::write(&public, text).expect("write");
    let output = run_example(&public);
    assert!(
        output.contains("warning[custom/public-storage-behind-private-endpoint]: storage account 'stgraph' has a private endpoint"),
        "{output}"
    );
    assert!(output.contains("private endpoint to it"), "{output}");
}
