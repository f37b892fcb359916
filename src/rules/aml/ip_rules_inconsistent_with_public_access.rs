use super::support::hub_workspaces;
use crate::codes::Severity;
use crate::model::Tri;
use crate::model::kinds::{Access, DefaultAction};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the IP rules of a workspace (`properties.ipAllowlist`,
    /// `properties.networkAcls`) agree with its `publicNetworkAccess`:
    /// * IP rules while `publicNetworkAccess` is `Disabled` (warning): the rules are unused,
    ///   and switching to `Disabled` resets them;
    /// * `networkAcls.defaultAction: Allow` with IP rules (note): the rules may have no effect;
    /// * `networkAcls.defaultAction: Deny` without IP rules while `publicNetworkAccess` is
    ///   `Enabled` (warning): public access is effectively closed while declared open.
    ///
    /// ## Why is this bad?
    /// "Enabled from selected IP addresses" is `publicNetworkAccess: Enabled` plus a `Deny`
    /// default action and the rules; "private" is `Disabled` without rules. Other combinations
    /// do not do what the template suggests (AML-PNA-008). What the provider does with `Allow`
    /// plus rules is not documented (Microsoft's own SDK example combines them), so that case
    /// is only a note.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2025-01-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "networkAcls": { "defaultAction": "Deny", "ipRules": [{ "value": "203.0.113.0/24" }] }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2025-01-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Enabled",
    ///     "networkAcls": { "defaultAction": "Deny", "ipRules": [{ "value": "203.0.113.0/24" }] }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Enable public access only from internet IP ranges](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link#enable-public-access-only-from-internet-ip-ranges)
    /// - [NetworkAcls class (Python SDK)](https://learn.microsoft.com/python/api/azure-ai-ml/azure.ai.ml.entities.networkacls)
    pub struct IpRulesInconsistentWithPublicAccess;
    code: "AML-PNA-008",
    name: "ip-rules-inconsistent-with-public-access",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Workspace IP rules agree with its public network access setting.",
}

impl Rule for IpRulesInconsistentWithPublicAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            let resource = workspace.resource();
            let name = resource.display_name();
            let has_rules = sets.ip_rules(node).non_empty();
            let access = workspace.public_network_access();
            let action = workspace.network_acls_default_action();
            let rules_path = if resource.get("properties.ipAllowlist").is_absent() {
                "properties.networkAcls.ipRules"
            } else {
                "properties.ipAllowlist"
            };
            let cases = [
                (
                    has_rules.and(access.is(&Access::Disabled)),
                    Severity::Warning,
                    rules_path,
                    "IP rules are set while publicNetworkAccess is Disabled; they are unused, and disabling public access resets them",
                    "IP rules unused while public access is disabled",
                    "remove the IP rules for a fully private workspace, or set `publicNetworkAccess` to `Enabled` for access from selected IPs",
                ),
                (
                    has_rules.and(action.is(&DefaultAction::Allow)),
                    Severity::Note,
                    "properties.networkAcls.defaultAction",
                    "networkAcls.defaultAction is Allow, so the IP rules may have no effect",
                    "allows every address by default",
                    "set `networkAcls.defaultAction` to `Deny` so that only the listed addresses are admitted",
                ),
                (
                    (!has_rules)
                        .and(action.is(&DefaultAction::Deny))
                        .and(access.is(&Access::Enabled)),
                    Severity::Warning,
                    "properties.networkAcls.defaultAction",
                    "networkAcls.defaultAction is Deny without IP rules while publicNetworkAccess is Enabled, so public access is closed while declared open",
                    "denies every address; no IP rule admits any",
                    "add the client ranges to `networkAcls.ipRules`, or set `publicNetworkAccess` to `Disabled`",
                ),
            ];
            for (holds, severity, path, case, label, help) in cases {
                match holds {
                    Tri::False => {}
                    Tri::Unknown => ctx.indeterminate(),
                    Tri::True => ctx.report(
                        Finding::new(
                            resource,
                            path,
                            format!(
                                "Workspace '{name}': {case} — the IP list does not do what the template suggests."
                            ),
                        )
                        .severity(severity)
                        .label(label)
                        .help(help),
                    ),
                }
            }
        }
    }
}
