//! One multi-finding fixture rendered in every format; the snapshots were checked by hand
//! against testdata/templates/multi-finding.json.

use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Format, Inputs, Report};

fn report() -> Report {
    Analyzer::new(Config::default())
        .check(&Inputs::new().with_path("testdata/templates/multi-finding.json"))
        .expect("fixture is readable")
}

fn render(format: Format, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    report().write(&mut out, format, options).expect("render");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn human() {
    insta::assert_snapshot!(render(Format::Human, &RenderOptions::default()));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(Format::Json, &RenderOptions::default()));
}

#[test]
fn sarif() {
    let options =
        RenderOptions::default().with_docs_base_url("https://example.org/armgraph/docs/rules");
    let text = render(Format::Sarif, &options);
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules[]");
    assert_eq!(rules.len(), armgraph::rules::registry().len());
    for result in run["results"].as_array().expect("results") {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert_eq!(uri, "testdata/templates/multi-finding.json", "relative uri");
        assert!(result["partialFingerprints"]["armgraphFindingHash/v1"].is_string());
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    // rules[] is long and generated from the registry; the snapshot keeps the results.
    insta::assert_json_snapshot!(run["results"]);
}

#[test]
fn fingerprints_do_not_depend_on_line_numbers() {
    let original = report();
    let shifted_text = format!(
        "\n\n{}",
        std::fs::read_to_string("testdata/templates/multi-finding.json").expect("fixture")
    );
    let shifted = Analyzer::new(Config::default())
        .check(&Inputs::new().with_source("testdata/templates/multi-finding.json", shifted_text))
        .expect("in-memory");
    let prints = |r: &Report| -> Vec<String> {
        r.diagnostics()
            .iter()
            .map(armgraph::report::render::fingerprint)
            .collect()
    };
    assert_eq!(prints(&original), prints(&shifted));
    assert_ne!(
        original
            .resolve(original.diagnostics()[0].location())
            .start
            .line,
        shifted
            .resolve(shifted.diagnostics()[0].location())
            .start
            .line
    );
}

/// A finding with a resource id, related locations and a suppression, as rules produce them.
fn rule_like_report() -> Report {
    use armgraph::report::{Diagnostic, Location, ScanCounts, Suppression, SuppressionKind};
    let files = armgraph::source::Files::new();
    let text = std::fs::read_to_string("testdata/templates/multi-finding.json").expect("fixture");
    let file = files.add("testdata/templates/multi-finding.json", text);
    let vnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-demo";
    let diagnostic = Diagnostic::new(
        "ARM-JSON-003",
        armgraph::Severity::Warning,
        "a finding on a resource",
        Location::new(file.id(), "/resources/0/properties/addressSpace").with_resource(vnet),
    )
    .with_label("address space here")
    .with_related(
        Location::new(file.id(), "/parameters/location"),
        "location chosen here",
    );
    let suppressed = diagnostic.clone().with_suppression(Suppression::new(
        SuppressionKind::External,
        "accepted for the demo",
    ));
    Report::new(
        files,
        Vec::new(),
        vec![diagnostic, suppressed],
        ScanCounts::default(),
        0,
    )
}

#[test]
fn sarif_related_locations_resources_and_suppressions() {
    let mut out = Vec::new();
    rule_like_report()
        .write(&mut out, Format::Sarif, &RenderOptions::default())
        .expect("render");
    let sarif: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    insta::assert_json_snapshot!(sarif["runs"][0]["results"]);
}

#[test]
fn human_shows_related_labels_and_resource() {
    insta::assert_snapshot!(rule_like_report().to_string());
}
