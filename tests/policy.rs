//! Azure Policy evaluation: the corpus definitions load, the Machine Learning definitions pass and
//! fail on their fixtures (`testdata/policy/<definition>/{pass,fail}/*.json`, the definition
//! named in `definition.txt` relative to the policy corpus), and the verdict-deciding semantics
//! of the spec (§6.1–§6.5) hold.

mod common;

use std::path::{Path, PathBuf};

use armgraph::policy::{PolicyParameters, PolicySet};
use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Diagnostic, Format, Inputs, Report};

fn policies_dir() -> Option<PathBuf> {
    common::corpus_dir().map(|c| c.join("policies"))
}

/// Policies only: the AML rules are off, so findings and undecided counts are the policies' own.
fn policies_only() -> Config {
    Config::default().with_rule_setting(armgraph::config::RuleSetting {
        pattern: "AML-*".into(),
        enabled: Some(false),
        severity: None,
        options: None,
    })
}

fn analyze(policies: PolicySet, template: &Path, parameters: PolicyParameters) -> Report {
    Analyzer::new(
        policies_only()
            .with_policies(policies)
            .with_policy_parameters(parameters),
    )
    .check(&Inputs::new().with_path(template))
    .expect("fixture is readable")
}

fn policy_findings(report: &Report) -> Vec<&Diagnostic> {
    report
        .diagnostics()
        .iter()
        .filter(|d| d.code().starts_with("policy/"))
        .collect()
}

fn render(report: &Report) -> String {
    let mut out = Vec::new();
    report
        .write(&mut out, Format::Human, &RenderOptions::default())
        .expect("render");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn every_corpus_file_loads() {
    let Some(dir) = policies_dir() else { return };
    let set = PolicySet::load(&[dir.join("built-in-policies"), dir.join("src")]).expect("readable");
    assert!(
        set.issues().is_empty(),
        "{:?}",
        set.issues()
            .iter()
            .map(|i| format!(
                "{}: {} {}",
                set.files()[i.file].path.display(),
                i.pointer,
                i.message
            ))
            .collect::<Vec<_>>()
    );
    let members: usize = set.initiatives().iter().map(|i| i.members.len()).sum();
    // Evaluate every definition over a template with one resource of each type the corpus
    // targets, to count conditions evaluated.
    let template = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/policy/Workspace_PrivateDnsZones_DINE/fail/template.json");
    let report = analyze(set, &template, PolicyParameters::default());
    let set = PolicySet::load(&[dir.join("built-in-policies"), dir.join("src")]).expect("readable");
    let conditions: usize = set
        .definitions()
        .iter()
        .map(|d| {
            d.condition.len()
                + d.existence
                    .as_ref()
                    .and_then(|e| e.condition.as_ref())
                    .map_or(0, |c| c.len())
        })
        .sum();
    let evaluable = set
        .definitions()
        .iter()
        .filter(|d| !matches!(d.mode, armgraph::policy::Mode::ResourceProvider(_)))
        .count();
    println!(
        "policy corpus: {} files, {} definitions ({} evaluable from a template), {} initiatives ({} member references), {} conditions loaded and evaluated over the sample, {} findings, {} undecided",
        set.files().len(),
        set.definitions().len(),
        evaluable,
        set.initiatives().len(),
        members,
        conditions,
        policy_findings(&report).len(),
        report.summary().indeterminate
    );
    assert_eq!(set.files().len(), 77);
    assert_eq!(set.definitions().len() + set.initiatives().len(), 77);
}

#[test]
fn fixtures() {
    let Some(dir) = policies_dir() else { return };
    insta::glob!("../testdata/policy", "*/*/*.json", |path| {
        let case = path
            .parent()
            .and_then(Path::parent)
            .expect("case directory");
        let definition =
            std::fs::read_to_string(case.join("definition.txt")).expect("definition.txt");
        let set = PolicySet::load(&[dir.join(definition.trim())]).expect("definition readable");
        let name = set.definitions()[0].name.clone();
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path)
            .to_path_buf();
        // Assignment parameters of the case, when its definition needs some (`logAnalytics`).
        let parameters = match std::fs::read_to_string(case.join("policy-parameters.json")) {
            Ok(text) => PolicyParameters::from_json_str(&text).expect("valid policy parameters"),
            Err(_) => PolicyParameters::default(),
        };
        let report = analyze(set, &relative, parameters);
        let own: Vec<_> = policy_findings(&report)
            .into_iter()
            .filter(|d| d.code() == format!("policy/{name}"))
            .collect();
        if path.parent().is_some_and(|p| p.ends_with("pass")) {
            assert!(own.is_empty(), "{} must pass: {report}", relative.display());
        } else {
            assert!(
                !own.is_empty(),
                "{} must report policy/{name}: {report}",
                relative.display()
            );
            let text: Vec<String> = own
                .iter()
                .map(|d| format!("{}[{}]: {}", d.severity(), d.code(), d.message()))
                .collect();
            insta::assert_snapshot!(text.join("\n"));
        }
    });
}

fn fixture(case: &str, kind: &str) -> PathBuf {
    PathBuf::from(format!("testdata/policy/{case}/{kind}/template.json"))
}

fn ml(dir: &Path, file: &str) -> PathBuf {
    dir.join("built-in-policies/policyDefinitions/Machine Learning")
        .join(file)
}

/// §6.3: Modify applies before Audit judges: the modify + audit pair on public network access
/// ends compliant, with a note saying what Azure would change.
#[test]
fn modify_applies_before_audit() {
    let Some(dir) = policies_dir() else { return };
    let set = PolicySet::load(&[
        ml(&dir, "Workspace_PublicNetworkAccessDisabled_Audit.json"),
        ml(&dir, "Workspace_PublicNetworkAccessDisabled_Modify.json"),
    ])
    .expect("readable");
    let report = analyze(
        set,
        &fixture("Workspace_PublicNetworkAccessDisabled_Audit", "fail"),
        PolicyParameters::default(),
    );
    let findings = policy_findings(&report);
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0].severity(), armgraph::Severity::Note);
    assert!(
        findings[0].message().contains("publicNetworkAccess"),
        "{}",
        findings[0].message()
    );
}

/// §6.2: private endpoint connections are synthesized in the compliance view: Approved for an
/// automatic connection (compliant), Pending for a manual one (non-compliant, said so).
#[test]
fn implied_private_endpoint_connections() {
    let Some(dir) = policies_dir() else { return };
    let load = || {
        PolicySet::load(&[ml(&dir, "Workspace_PrivateEndpoint_Audit_V2.json")]).expect("readable")
    };
    let pass = analyze(
        load(),
        &fixture("Workspace_PrivateEndpoint_Audit_V2", "pass"),
        PolicyParameters::default(),
    );
    assert!(policy_findings(&pass).is_empty(), "{pass}");
    let fail = analyze(
        load(),
        &fixture("Workspace_PrivateEndpoint_Audit_V2", "fail"),
        PolicyParameters::default(),
    );
    let findings = policy_findings(&fail);
    assert_eq!(findings.len(), 1, "{fail}");
    assert!(
        findings[0].message().contains("compliance view"),
        "{}",
        findings[0].message()
    );
    assert!(
        findings[0].message().contains("Pending"),
        "{}",
        findings[0].message()
    );
}

/// §6.4 / the issue: the ML private DNS zone DINE reports an endpoint without a zone group and
/// is satisfied by one that names both zones; its `privateDnsZoneId` parameter has no value but
/// is read only by `details.deployment`, so it does not block the verdict.
#[test]
fn private_dns_zone_dine() {
    let Some(dir) = policies_dir() else { return };
    let load =
        || PolicySet::load(&[ml(&dir, "Workspace_PrivateDnsZones_DINE.json")]).expect("readable");
    let fail = analyze(
        load(),
        &fixture("Workspace_PrivateDnsZones_DINE", "fail"),
        PolicyParameters::default(),
    );
    let findings = policy_findings(&fail);
    assert_eq!(findings.len(), 1, "{fail}");
    assert_eq!(findings[0].severity(), armgraph::Severity::Note);
    assert!(findings[0].message().contains("privateDnsZoneGroups"));
    let pass = analyze(
        load(),
        &fixture("Workspace_PrivateDnsZones_DINE", "pass"),
        PolicyParameters::default(),
    );
    assert!(policy_findings(&pass).is_empty(), "{pass}");
    assert_eq!(pass.summary().indeterminate, 0, "{pass}");
}

/// Assignment parameters from the parameters file change the effect.
#[test]
fn assignment_parameters_override_the_effect() {
    let Some(dir) = policies_dir() else { return };
    let set = PolicySet::load(&[ml(&dir, "Workspace_PublicNetworkAccessDisabled_Audit.json")])
        .expect("readable");
    let parameters = PolicyParameters::from_json_str(r#"{"*": {"effect": {"value": "Disabled"}}}"#)
        .expect("valid");
    let report = analyze(
        set,
        &fixture("Workspace_PublicNetworkAccessDisabled_Audit", "fail"),
        parameters,
    );
    assert!(policy_findings(&report).is_empty(), "{report}");
}

/// Hostile input: a 10,000-deep `not` chain is a diagnostic, not a stack overflow.
#[test]
fn deep_condition_is_a_diagnostic() {
    let depth = 10_000;
    let text = format!(
        r#"{{"properties": {{"policyRule": {{"if": {}{{"field": "type", "equals": "x"}}{}, "then": {{"effect": "audit"}}}}}}}}"#,
        r#"{"not": "#.repeat(depth),
        "}".repeat(depth)
    );
    let set = PolicySet::from_sources(&[("deep.json", &text)]);
    assert!(set.definitions().is_empty());
    assert!(!set.issues().is_empty());
}

/// The ML definitions over the ML templates of the corpus (reviewed snapshot).
#[test]
fn corpus_snapshot() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let dir = corpus.join("policies");
    let templates = [
        "azure-quickstart-templates/quickstarts/microsoft.machinelearningservices/machine-learning-workspace-vnet/azuredeploy.json",
        "azure-quickstart-templates/quickstarts/microsoft.machinelearningservices/machine-learning-end-to-end-secure/azuredeploy.json",
        "azure-quickstart-templates/quickstarts/microsoft.machinelearningservices/machine-learning-compute-create-amlcompute/azuredeploy.json",
        "azure-quickstart-templates/quickstarts/microsoft.machinelearningservices/machine-learning-compute-create-computeinstance/azuredeploy.json",
    ];
    let mut lines = Vec::new();
    for t in templates {
        let path = corpus.join(t);
        if !path.is_file() {
            lines.push(format!("{t}: missing"));
            continue;
        }
        let set =
            PolicySet::load(&[dir.join("built-in-policies/policyDefinitions/Machine Learning")])
                .expect("readable");
        let report = analyze(set, &path, PolicyParameters::default());
        let mut findings: Vec<String> = policy_findings(&report)
            .iter()
            .map(|d| {
                format!(
                    "  {} {} @ {}",
                    d.severity(),
                    d.code(),
                    d.message().split('`').nth(1).unwrap_or("-")
                )
            })
            .collect();
        findings.sort();
        lines.push(format!(
            "{t}: {} findings, {} undecided",
            findings.len(),
            report.summary().indeterminate
        ));
        lines.extend(findings);
    }
    let _ = render;
    insta::assert_snapshot!(lines.join("\n"));
}

/// The curated alias table agrees with the alias catalog extract kept as test data, and every
/// Resource Manager alias the corpus uses resolves to the catalog's path.
#[test]
fn curated_aliases_match_the_catalog() {
    let Some(dir) = policies_dir() else { return };
    let Ok(text) = std::fs::read_to_string(dir.join("aliases/aliases.json")) else {
        eprintln!("skipped: aliases/aliases.json is absent");
        return;
    };
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let mut catalog = std::collections::HashMap::new();
    for aliases in json["resourceTypes"]
        .as_object()
        .expect("resourceTypes")
        .values()
    {
        for (name, path) in aliases.as_object().expect("aliases") {
            catalog.insert(
                name.to_ascii_lowercase(),
                path.as_str().unwrap_or_default().to_ascii_lowercase(),
            );
        }
    }
    let builtin = armgraph::policy::AliasCatalog::builtin();
    let resolved = |name: &str| match builtin.resolve(name).expect("resolves") {
        armgraph::policy::aliases::AliasTarget::Path { paths, .. } => {
            paths[0].text().to_ascii_lowercase()
        }
        armgraph::policy::aliases::AliasTarget::DataPlane => String::new(),
    };
    let mut checked = 0;
    for (name, _, _) in armgraph::policy::aliases::CURATED {
        if let Some(path) = catalog.get(&name.to_ascii_lowercase()) {
            assert_eq!(&resolved(name), path, "{name}");
            checked += 1;
        }
    }
    let used: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("aliases/aliases-used-by-corpus.json"))
            .expect("readable"),
    )
    .expect("valid JSON");
    let mut used_count = 0;
    for (name, entry) in used["aliases"].as_object().expect("aliases") {
        if let Some(path) = entry["defaultPath"].as_str() {
            assert_eq!(resolved(name), path.to_ascii_lowercase(), "{name}");
            used_count += 1;
        }
    }
    println!(
        "aliases: {checked} curated entries agree with the catalog; {used_count} corpus aliases resolve to the catalog's path"
    );
}

#[test]
fn configuration_keys() {
    let config = Config::from_json_str(
        r#"{"policies": ["testdata/policy-definitions"], "policyParameters": {"*": {"effect": {"value": "Audit"}}}}"#,
    );
    assert!(config.issues().is_empty(), "{:?}", config.issues());
    assert_eq!(config.policy_paths().len(), 1);
    assert!(!config.policy_parameters().is_empty());
    let report = Analyzer::new(config)
        .check(&Inputs::new().with_path(fixture(
            "Workspace_PublicNetworkAccessDisabled_Audit",
            "fail",
        )))
        .expect("readable");
    let findings = policy_findings(&report);
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0].severity(), armgraph::Severity::Warning);
    let invalid = Config::from_json_str(r#"{"policyParameters": []}"#);
    assert_eq!(
        invalid.issues().len(),
        1,
        "a located ARM-CONFIG-002, not a failure"
    );
    assert_eq!(invalid.issues()[0].code, "ARM-CONFIG-002");
}
