//! Root-cause grouping (spec §1.4 C7) across rules: one defect reads as one item.

use armgraph::config::RuleSetting;
use armgraph::{Analyzer, Config, Inputs, Report};

const KEY_VAULT_ZONE: &str = "testdata/root-causes/key-vault-zone-from-public-suffix.json";

fn check(config: Config) -> Report {
    Analyzer::new(config)
        .check(&Inputs::new().with_path(KEY_VAULT_ZONE))
        .expect("fixture is readable")
}

fn of_code<'r>(report: &'r Report, code: &str) -> Vec<&'r armgraph::Diagnostic> {
    report
        .diagnostics()
        .iter()
        .filter(|d| d.code() == code)
        .collect()
}

#[test]
fn the_zone_group_owns_the_key_vault_zone_defect() {
    let report = check(Config::default());
    let owner = of_code(&report, "AML-PE-004");
    assert_eq!(owner.len(), 1, "{report}");
    // AML-DNS-002's verdict on the zone's name is part of the one item …
    assert!(of_code(&report, "AML-DNS-002").is_empty(), "{report}");
    let grouped: Vec<_> = owner[0]
        .related()
        .iter()
        .filter(|label| label.message().starts_with("AML-DNS-002 (grouped): "))
        .collect();
    assert_eq!(grouped.len(), 1, "{report}");
    assert!(
        grouped[0]
            .message()
            .contains("expected 'privatelink.vaultcore.azure.net'")
    );
    // … and AML-DNS-012 defers: the missing vaultcore zone is the same defect.
    assert!(of_code(&report, "AML-DNS-012").is_empty(), "{report}");
}

#[test]
fn without_the_owner_each_rule_reports_on_its_own() {
    let report = check(Config::default().with_rule_setting(RuleSetting {
        pattern: "AML-PE-004".into(),
        enabled: Some(false),
        severity: None,
        options: None,
    }));
    assert_eq!(of_code(&report, "AML-DNS-002").len(), 1, "{report}");
    let deferring = of_code(&report, "AML-DNS-012");
    assert_eq!(deferring.len(), 1, "{report}");
    assert!(
        deferring[0]
            .message()
            .contains("zone 'privatelink.vaultcore.azure.net' is missing"),
        "{report}"
    );
}
