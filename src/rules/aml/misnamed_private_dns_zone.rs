use std::collections::HashSet;

use super::dns_support::{
    aml_zones, referencing_zone_group_causes, same_name, zone_group_causes, zone_references,
};
use crate::expr::Cloud;
use crate::graph::CloudSource;
use crate::model::DeploymentState;
use crate::model::kinds::{PrivateDnsZone, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks the names of the private DNS zones a template deploys or references from a private
    /// DNS zone group against a closed list of known near misses for the AML and Key Vault zones:
    /// an AML zone of another cloud, a misspelt AML zone (`privatelink.notebooks.azureml.net`), an
    /// AML public zone used as a private zone (`api.azureml.ms`), and the Key Vault zone built from
    /// the vault's public suffix (`privatelink.vault.azure.net`). Any other zone name (OpenAI,
    /// Cognitive Services, Search, …) is never reported here. A zone that a zone group references
    /// is that group's defect too: when AML-PE-004 reports the group, this finding is shown inside
    /// AML-PE-004's item, as one defect (root-cause grouping).
    ///
    /// ## Why is this bad?
    /// A private endpoint's zone group writes records only into zones whose names are exactly the
    /// recommended ones for the service and the cloud. In a zone with another name the records are
    /// either never written or never queried, so clients resolve the workspace, its notebooks or
    /// the key vault to their public addresses. `format('privatelink{0}',
    /// environment().suffixes.keyvaultDns)` is a common source of the Key Vault case: the suffix
    /// is the vault's public one (`.vault.azure.net`), not `vaultcore`.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "[format('privatelink{0}', environment().suffixes.keyvaultDns)]",
    ///   "location": "global"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "[format('privatelink{0}', replace(environment().suffixes.keyvaultDns, 'vault', 'vaultcore'))]",
    ///   "location": "global"
    /// }
    /// ```
    ///
    /// ## References
    /// - [Azure Private Endpoint private DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    pub struct MisnamedPrivateDnsZone;
    code: "AML-DNS-002",
    name: "misnamed-private-dns-zone",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "AML and Key Vault private DNS zone names are exact and match the target cloud.",
}

/// Which zone a near miss stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meant {
    Api,
    Notebooks,
    KeyVault,
}

/// The closed list of §4.5 AML-DNS-002, in its four groups; no other name is a near miss.
const NEAR_MISSES: &[(&str, Meant)] = &[
    // 1. AML zones of any cloud (reported only outside their own cloud).
    ("privatelink.api.azureml.ms", Meant::Api),
    ("privatelink.notebooks.azure.net", Meant::Notebooks),
    ("privatelink.api.ml.azure.cn", Meant::Api),
    ("privatelink.notebooks.chinacloudapi.cn", Meant::Notebooks),
    ("privatelink.api.ml.azure.us", Meant::Api),
    ("privatelink.notebooks.usgovcloudapi.net", Meant::Notebooks),
    // 2. Misspelt AML zones.
    ("privatelink.azureml.ms", Meant::Api),
    ("privatelink.api.azureml.net", Meant::Api),
    ("privatelink.notebooks.azureml.net", Meant::Notebooks),
    ("privatelink.notebooks.azureml.ms", Meant::Notebooks),
    ("privatelink.notebooks.azure.com", Meant::Notebooks),
    // 3. AML public zones used as private zones.
    ("api.azureml.ms", Meant::Api),
    ("notebooks.azure.net", Meant::Notebooks),
    ("api.ml.azure.cn", Meant::Api),
    ("notebooks.chinacloudapi.cn", Meant::Notebooks),
    ("api.ml.azure.us", Meant::Api),
    ("notebooks.usgovcloudapi.net", Meant::Notebooks),
    // 4. `privatelink` + `environment().suffixes.keyvaultDns`.
    ("privatelink.vault.azure.net", Meant::KeyVault),
    ("privatelink.vault.azure.cn", Meant::KeyVault),
    ("privatelink.vault.usgovcloudapi.net", Meant::KeyVault),
];

impl Rule for MisnamedPrivateDnsZone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let Some(zones) = aml_zones(&sets) else {
            return;
        };
        let resolution = ctx.graph().region_cloud().clone();
        let cloud = sets.cloud();
        let judge = |name: &str| -> Option<(String, Meant, String)> {
            let (miss, meant) = NEAR_MISSES.iter().find(|(miss, _)| same_name(name, miss))?;
            let (expected, named_for) = match meant {
                Meant::Api => (zones.api.to_owned(), cloud),
                Meant::Notebooks => (zones.notebooks.to_owned(), cloud),
                // The fix is the same whichever cloud the suffix came from: `vault` → `vaultcore`.
                Meant::KeyVault => (
                    miss.replacen("privatelink.vault.", "privatelink.vaultcore.", 1),
                    cloud_of_vault_zone(miss),
                ),
            };
            if same_name(name, &expected) {
                return None;
            }
            // Without a deployment context `environment()` evaluates to AzureCloud while the
            // regions may name another cloud: a template that picks its zone names with
            // `environment().name` then shows public-cloud names that are right at deployment.
            if *meant != Meant::KeyVault
                && resolution.source != CloudSource::Context
                && cloud != Cloud::AzureCloud
                && aml_zone_cloud(miss) == Some(Cloud::AzureCloud)
            {
                return None;
            }
            let what = if *meant == Meant::KeyVault {
                "Key Vault"
            } else {
                "AML"
            };
            let mut message = format!(
                "Zone '{name}' is not the {named_for:?} zone for {what}; expected '{expected}'."
            );
            if *meant == Meant::KeyVault {
                let suffix = miss.get("privatelink".len()..).unwrap_or_default();
                message.push_str(&format!(
                    " environment().suffixes.keyvaultDns yields the public suffix '{suffix}', not the private-link zone."
                ));
            }
            Some((message, *meant, expected))
        };
        let mut declared: HashSet<String> = HashSet::new();
        for zone in ctx
            .resources()
            .of_type("Microsoft.Network/privateDnsZones")
            .filter(|r| r.state != DeploymentState::Skipped)
        {
            let Some(view) = PrivateDnsZone::of(zone) else {
                continue;
            };
            let name = match view.zone_name() {
                Setting::Set(name) | Setting::Default(name) => name,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Absent => continue,
            };
            declared.insert(name.to_ascii_lowercase());
            if let Some((message, meant, expected)) = judge(name) {
                // A zone referenced by a zone group is that group's defect too: the item is
                // AML-PE-004's when it reports the group (C7).
                let finding = referencing_zone_group_causes(ctx.graph(), zone)
                    .into_iter()
                    .fold(
                        Finding::new(zone, "name", message)
                            .label(label(meant))
                            .help(help(meant, &expected)),
                        Finding::grouped_with,
                    );
                ctx.report(finding);
            }
        }
        // Zones only referenced by a zone group (deployed elsewhere): judged at the reference.
        for group in ctx
            .resources()
            .of_type("Microsoft.Network/privateEndpoints/privateDnsZoneGroups")
            .filter(|r| r.state.deployed().is_possible())
        {
            let Ok(references) = zone_references(ctx.graph(), group) else {
                ctx.indeterminate();
                continue;
            };
            for reference in references {
                let name = match &reference.zone {
                    Setting::Set(name) | Setting::Default(name) => name,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                    Setting::Absent => continue,
                };
                if declared.contains(&name.to_ascii_lowercase()) {
                    continue;
                }
                if let Some((message, meant, expected)) = judge(name) {
                    let finding = zone_group_causes(ctx.graph(), group).into_iter().fold(
                        Finding::new(group, &reference.path, message)
                            .label(label(meant))
                            .help(help(meant, &expected)),
                        Finding::grouped_with,
                    );
                    ctx.report(finding);
                }
            }
        }
    }
}

fn label(meant: Meant) -> &'static str {
    match meant {
        Meant::KeyVault => "built from the vault's public suffix",
        Meant::Api | Meant::Notebooks => "not the AML zone name of the target cloud",
    }
}

fn help(meant: Meant, expected: &str) -> String {
    match meant {
        Meant::KeyVault => format!(
            "name the zone '{expected}', e.g. with replace(environment().suffixes.keyvaultDns, 'vault', 'vaultcore')"
        ),
        Meant::Api | Meant::Notebooks => format!(
            "name the zone '{expected}' (switch on environment().name to serve several clouds)"
        ),
    }
}

/// The cloud whose AML zone `name` is (list 1 of the near misses).
fn aml_zone_cloud(name: &str) -> Option<Cloud> {
    [
        Cloud::AzureCloud,
        Cloud::AzureChinaCloud,
        Cloud::AzureUSGovernment,
    ]
    .into_iter()
    .find(|cloud| {
        crate::graph::zones(*cloud, "amlworkspace")
            .required
            .iter()
            .any(|zone| same_name(name, zone))
    })
}

/// The cloud whose public Key Vault suffix a `privatelink.vault.*` name carries.
fn cloud_of_vault_zone(name: &str) -> Cloud {
    if name.ends_with(".cn") {
        Cloud::AzureChinaCloud
    } else if name.ends_with(".usgovcloudapi.net") {
        Cloud::AzureUSGovernment
    } else {
        Cloud::AzureCloud
    }
}
