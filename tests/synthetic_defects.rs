//! The shared synthetic generator (`../shared/tools/gen_synthetic.py`) plants defects in every
//! unit of 20 resources and lists them in a manifest. At 1,000 resources, every planted defect is
//! found by the check that owns it, at the unit it was planted in, and the `--clean` variant
//! gets none of those findings.
//!
//! Which check finds which defect:
//! - `storage-public` → AML-WS-007 on the unit's storage account, when the unit's workspace is
//!   private (the invariant is about private workspaces; where the workspace is public too, the
//!   workspace policy below reports the unit instead).
//! - `vault-pe-wrong-dns-zone` → AML-PE-004 (error) on the vault endpoint's zone group.
//! - `azureml-zone-linked-to-other-vnet` → AML-DNS-003 naming the unit's VNet, which the API zone
//!   is not linked to.
//! - `workspace-public-network-enabled` → no AML invariant forbids a public workspace; the built-in
//!   Azure Policies of the corpus report it: `Workspace_PublicNetworkAccessDisabled_Modify` (a
//!   note: the modify effect would set `Disabled`, so the audit twin then passes, as in Azure).
//! - `nsg-ssh-from-internet` → no AML invariant reads inbound SSH rules (AML-CMP-005 reads the
//!   computes' own SSH settings, which the generator leaves `Disabled`); the custom rule
//!   `no-ssh-from-internet` of `docs/custom-rules.md` reports it.
//! - `compute-node-public-ip` → a supported configuration, no invariant is violated (the NSG
//!   admits TCP 44224 from AzureMachineLearning, AML-NSG-004); the effect checked is that the
//!   cluster no longer gets AML-NET-009's note about default outbound access, which is only for
//!   no-public-IP computes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const RESOURCES: usize = 1_000;

/// The custom rule of `docs/custom-rules.md` §3.
const NO_SSH_FROM_INTERNET: &str = r#"{
  "rules": [
    {
      "id": "no-ssh-from-internet",
      "severity": "error",
      "resourceType": "Microsoft.Network/networkSecurityGroups",
      "assert": {
        "count": {
          "field": "properties.securityRules[*]",
          "where": {
            "allOf": [
              { "field": "properties.securityRules[*].properties.direction", "equals": "Inbound" },
              { "field": "properties.securityRules[*].properties.access", "equals": "Allow" },
              { "field": "properties.securityRules[*].properties.destinationPortRange", "in": ["22", "*"] },
              { "field": "properties.securityRules[*].properties.sourceAddressPrefix", "in": ["*", "Internet", "0.0.0.0/0"] }
            ]
          }
        },
        "equals": 0
      },
      "path": "properties.securityRules",
      "message": "NSG '{name}' allows SSH (port 22) from the internet."
    }
  ]
}"#;

fn generator() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/gen_synthetic.py");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipped: the synthetic generator is not present at {}",
            path.display()
        );
        None
    }
}

fn generate(generator: &Path, dir: &Path, clean: bool) -> Option<(PathBuf, Option<Value>)> {
    let template = dir.join(if clean { "clean.json" } else { "planted.json" });
    let manifest = dir.join("manifest.json");
    let mut command = Command::new("python3");
    command
        .arg(generator)
        .arg(RESOURCES.to_string())
        .arg("-o")
        .arg(&template);
    if clean {
        command.arg("--clean");
    } else {
        command.arg("--manifest").arg(&manifest);
    }
    match command.output() {
        Ok(output) if output.status.success() => {}
        _ => {
            eprintln!("skipped: python3 could not run the synthetic generator");
            return None;
        }
    }
    let manifest = (!clean).then(|| {
        serde_json::from_str(&std::fs::read_to_string(&manifest).expect("manifest written"))
            .expect("manifest is JSON")
    });
    Some((template, manifest))
}

/// Runs the CLI with the Machine Learning policies of the corpus and the custom rule; returns
/// `(code, resource id, message)` of every finding.
fn findings(template: &Path, rules: &Path, policies: &Path) -> Vec<(String, String, String)> {
    let run = common::run(&[
        "--format",
        "json",
        "--rules",
        rules.to_str().expect("UTF-8 temp path"),
        "--policy",
        policies.to_str().expect("UTF-8 corpus path"),
        template.to_str().expect("UTF-8 temp path"),
    ]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            (text("code"), text("resource"), text("message"))
        })
        .collect()
}

/// The unit a resource belongs to, from the four-digit number the generator puts in names (read
/// after the provider namespace: the subscription GUID has four-digit groups too).
fn unit_of(resource_id: &str) -> Option<u32> {
    let names = resource_id
        .rfind("/providers/")
        .map_or(resource_id, |at| &resource_id[at..]);
    let bytes = names.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let window = &bytes[i..i + 4];
        let before_is_digit = i > 0 && bytes[i - 1].is_ascii_digit();
        let after_is_digit = bytes.get(i + 4).is_some_and(u8::is_ascii_digit);
        (window.iter().all(u8::is_ascii_digit) && !before_is_digit && !after_is_digit)
            .then(|| std::str::from_utf8(window).ok()?.parse().ok())
            .flatten()
    })
}

/// For a planted defect: whether a finding reports it for `unit`.
fn reports(findings: &[(String, String, String)], defect: &str, unit: u32) -> bool {
    findings.iter().any(|(code, resource, message)| {
        let resource_unit = unit_of(resource);
        match defect {
            "storage-public" => {
                code == "AML-WS-007"
                    && resource.contains("/storageAccounts/")
                    && resource_unit == Some(unit)
            }
            "vault-pe-wrong-dns-zone" => {
                code == "AML-PE-004" && resource.contains("-vault/") && resource_unit == Some(unit)
            }
            "azureml-zone-linked-to-other-vnet" => {
                code == "AML-DNS-003"
                    && message.contains(&format!("vnet-aml-{unit:04}"))
                    && message.contains("api.azureml.ms")
            }
            "workspace-public-network-enabled" => {
                is_public_access_policy(code, message)
                    && resource.contains("/workspaces/")
                    && resource_unit == Some(unit)
            }
            "nsg-ssh-from-internet" => {
                code == "custom/no-ssh-from-internet" && resource_unit == Some(unit)
            }
            _ => false,
        }
    })
}

/// The corpus policy that disables a workspace's public network access.
fn is_public_access_policy(code: &str, message: &str) -> bool {
    code.starts_with("policy/") && message.contains("disable public network access")
}

#[test]
fn planted_defects_are_found_and_the_clean_variant_has_none() {
    let Some(generator) = generator() else {
        return;
    };
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let policies = corpus.join("policies/built-in-policies/policyDefinitions/Machine Learning");
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.json");
    std::fs::write(&rules, NO_SSH_FROM_INTERNET).expect("rules written");
    let Some((planted, Some(manifest))) = generate(&generator, dir.path(), false) else {
        return;
    };
    let Some((clean, _)) = generate(&generator, dir.path(), true) else {
        return;
    };

    let planted_findings = findings(&planted, &rules, &policies);
    let clean_findings = findings(&clean, &rules, &policies);

    let units: BTreeMap<String, Vec<String>> =
        serde_json::from_value(manifest["planted_defects"].clone()).expect("manifest shape");
    let private_workspace = |unit: &str| {
        !units[unit]
            .iter()
            .any(|d| d == "workspace-public-network-enabled")
    };
    let mut missed = Vec::new();
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for (unit_name, defects) in &units {
        let unit: u32 = unit_name
            .trim_start_matches("unit")
            .parse()
            .expect("unitNNNN");
        for defect in defects {
            if defect == "storage-public" && !private_workspace(unit_name) {
                continue;
            }
            *checked.entry(defect.as_str()).or_default() += 1;
            let found = if defect == "compute-node-public-ip" {
                // Seen as the absence of the default-outbound note on the unit's cluster.
                !planted_findings.iter().any(|(code, resource, _)| {
                    code == "AML-NET-009" && unit_of(resource) == Some(unit)
                })
            } else {
                reports(&planted_findings, defect, unit)
            };
            if !found {
                missed.push(format!("{unit_name}: {defect}"));
            }
        }
    }
    println!("planted defects checked: {checked:?}");
    assert!(missed.is_empty(), "planted defects not found: {missed:#?}");
    assert_eq!(checked.len(), 6, "every kind of planted defect is checked");

    // The clean variant: none of the owning checks reports anything, in any unit.
    let owning: BTreeSet<&str> =
        ["AML-WS-007", "AML-DNS-003", "custom/no-ssh-from-internet"].into();
    let stray: Vec<_> = clean_findings
        .iter()
        .filter(|(code, resource, message)| {
            owning.contains(code.as_str())
                || (code == "AML-PE-004" && resource.contains("-vault/"))
                || is_public_access_policy(code, message)
        })
        .collect();
    assert!(
        stray.is_empty(),
        "findings on the clean variant: {stray:#?}"
    );
    // Every no-public-IP cluster of the clean variant gets the default-outbound note.
    let notes = clean_findings
        .iter()
        .filter(|(code, ..)| code == "AML-NET-009")
        .count();
    assert_eq!(Some(notes as u64), manifest["units"].as_u64());
}
