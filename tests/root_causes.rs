//! Root-cause grouping (spec §1.4 C7) across rules: one defect reads as one item.

use armgraph::config::RuleSetting;
use armgraph::{Analyzer, Config, Inputs, Report};

const KEY_VAULT_ZONE: &str = "testdata/root-causes/key-vault-zone-from-public-suffix.json";
const SPOKE_WITHOUT_API_LINK: &str =
    "testdata/root-causes/cluster-in-spoke-without-api-zone-link.json";
const INSTANCE_IN_SPOKE: &str = "testdata/root-causes/instance-in-spoke-without-api-zone-link.json";

fn check(config: Config) -> Report {
    check_file(KEY_VAULT_ZONE, config)
}

fn check_file(path: &str, config: Config) -> Report {
    Analyzer::new(config)
        .check(&Inputs::new().with_path(path))
        .expect("fixture is readable")
}

fn without(code: &str) -> Config {
    Config::default().with_rule_setting(RuleSetting {
        pattern: code.into(),
        enabled: Some(false),
        severity: None,
        options: None,
    })
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
    let report = check(without("AML-PE-004"));
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

#[test]
fn the_unlinked_zone_owns_the_missing_link_of_a_spoke() {
    let report = check_file(SPOKE_WITHOUT_API_LINK, Config::default());
    let owner = of_code(&report, "AML-DNS-003");
    assert_eq!(owner.len(), 1, "{report}");
    assert!(
        owner[0].message().contains(
            "VNet 'vnet-training' (compute) is not linked to zone 'privatelink.api.azureml.ms'"
        ),
        "{report}"
    );
    // AML-NET-005's verdict on the cluster's path is the same missing link: one item.
    assert!(of_code(&report, "AML-NET-005").is_empty(), "{report}");
    let grouped: Vec<_> = owner[0]
        .related()
        .iter()
        .filter(|label| label.message().starts_with("AML-NET-005 (grouped): "))
        .collect();
    assert_eq!(grouped.len(), 1, "{report}");
    assert!(
        grouped[0]
            .message()
            .contains("is not linked to zone 'privatelink.api.azureml.ms'"),
        "{report}"
    );
}

#[test]
fn without_the_unlinked_zone_rule_the_cluster_rule_reports_the_link() {
    let report = check_file(SPOKE_WITHOUT_API_LINK, without("AML-DNS-003"));
    let cluster = of_code(&report, "AML-NET-005");
    assert_eq!(cluster.len(), 1, "{report}");
    assert!(
        cluster[0].message().contains(
            "VNet 'vnet-training' is connected by peering only and is not linked to zone 'privatelink.api.azureml.ms'"
        ),
        "{report}"
    );
    assert!(
        cluster[0]
            .related()
            .iter()
            .all(|label| !label.message().contains("(grouped)"))
    );
}

#[test]
fn the_unlinked_zone_owns_the_missing_link_of_an_instance_spoke() {
    let report = check_file(INSTANCE_IN_SPOKE, Config::default());
    let owner = of_code(&report, "AML-DNS-003");
    assert_eq!(owner.len(), 1, "{report}");
    assert!(of_code(&report, "AML-NET-004").is_empty(), "{report}");
    assert!(
        owner[0].related().iter().any(|label| label
            .message()
            .starts_with("AML-NET-004 (grouped): ")
            && label
                .message()
                .contains("not linked to zone 'privatelink.api.azureml.ms'")),
        "{report}"
    );
    let alone = check_file(INSTANCE_IN_SPOKE, without("AML-DNS-003"));
    assert_eq!(of_code(&alone, "AML-NET-004").len(), 1, "{alone}");
}
