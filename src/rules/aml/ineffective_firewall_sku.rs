use super::mvn_support::declared_rules;
use super::support::hub_workspaces;
use crate::model::Tri;
use crate::model::kinds::{OutboundRuleKind, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Where the SKU is written.
const SKU_PATH: &str = "properties.managedNetwork.firewallSku";

/// The first stable API version with `firewallSku` (absent from stable `2024-10-01`, §2.1).
const FIREWALL_SKU_STABLE_FROM: &str = "2025-09-01";

crate::declare_rule! {
    /// ## What it does
    /// Notes a `properties.managedNetwork.firewallSku` that does nothing: the workspace (with
    /// the projects that share its managed network) has no `FQDN` outbound rule, so no firewall
    /// is created; or the workspace is written with a stable API version older than
    /// `2025-09-01`, which has no such property.
    ///
    /// ## Why is this bad?
    /// The managed network creates its Azure Firewall with the first FQDN rule; without one the
    /// SKU choice has no effect. A stable API version that lacks the property drops it, so the
    /// firewall is created with the default SKU (Standard) whatever the template says
    /// (AML-MVN-012).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound", "firewallSku": "Basic" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: an API version that has the property, and the SKU only where FQDN rules exist.
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2025-09-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "managedNetwork": {
    ///       "isolationMode": "AllowOnlyApprovedOutbound",
    ///       "firewallSku": "Basic",
    ///       "outboundRules": { "pypi": { "type": "FQDN", "destination": "pypi.org" } }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: select an Azure Firewall version for allowed FQDNs](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#select-an-azure-firewall-version-for-allowed-fqdns)
    /// - [Workspaces: template reference (change log)](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/change-log/workspaces)
    pub struct IneffectiveFirewallSku;
    code: "AML-MVN-012",
    name: "ineffective-firewall-sku",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "A managed network's firewallSku has an effect: FQDN rules exist and the API version has it.",
}

impl Rule for IneffectiveFirewallSku {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        for (node, workspace) in hub_workspaces(&sets) {
            let resource = workspace.resource();
            let sku = match workspace.firewall_sku() {
                Setting::Set(sku) => sku,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Default(_) | Setting::Absent => continue,
            };
            let name = resource.display_name();
            if let Some(version) = resource
                .api_version
                .as_deref()
                .filter(|v| lacks_firewall_sku(v))
            {
                ctx.report(
                    Finding::new(
                        resource,
                        SKU_PATH,
                        format!(
                            "firewallSku '{sku}' on '{name}' has no effect in api-version {version}; the property exists from {FIREWALL_SKU_STABLE_FROM}."
                        ),
                    )
                    .label("not in this API version")
                    .help(format!("write the workspace with api-version {FIREWALL_SKU_STABLE_FROM} or later, or remove `firewallSku`")),
                );
                continue;
            }
            // FQDN rules of the workspace and of the projects that share its managed network.
            let has_fqdn = Tri::any(declared.of_hub(&sets, node).map(|rule| {
                rule.written
                    .and(rule.rule.kind().is(&OutboundRuleKind::Fqdn))
            }));
            let has_fqdn = if declared.some_unknown {
                has_fqdn.or(Tri::Unknown)
            } else {
                has_fqdn
            };
            match has_fqdn {
                Tri::True => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::False => ctx.report(
                    Finding::new(
                        resource,
                        SKU_PATH,
                        format!(
                            "firewallSku '{sku}' on '{name}' has no effect without FQDN rules; the managed network creates its firewall only for FQDN rules."
                        ),
                    )
                    .label("no FQDN rule in this managed network")
                    .help("remove `firewallSku`, or keep it if FQDN rules are added later by another deployment"),
                ),
            }
        }
    }
}

/// Whether `version` is a stable API version older than the first that has `firewallSku`.
/// Preview versions are not judged: several earlier previews had the property.
fn lacks_firewall_sku(version: &str) -> bool {
    let stable = version.len() == 10 && !version.contains("preview");
    stable && version < FIREWALL_SKU_STABLE_FROM
}

#[cfg(test)]
mod tests {
    use super::lacks_firewall_sku;

    #[test]
    fn only_older_stable_versions_lack_the_property() {
        assert!(lacks_firewall_sku("2024-10-01"));
        assert!(!lacks_firewall_sku("2025-09-01"));
        assert!(!lacks_firewall_sku("2024-07-01-preview"));
    }
}
