use super::support::hub_workspaces;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Notes a workspace that this template writes together with IP rules
    /// (`properties.ipAllowlist` or `properties.networkAcls.ipRules`).
    ///
    /// ## Why is this bad?
    /// Microsoft documents that IP addresses can be added only after the workspace exists. When
    /// the template creates the workspace, the create call may ignore or reject the rules
    /// (AML-PNA-010; which of the two is not documented, hence a note). Redeploying the same
    /// template later applies them.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-07-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "Enabled", "ipAllowlist": ["203.0.113.0/24"] }
    /// }
    /// ```
    ///
    /// Use instead: create the workspace without IP rules, then apply them in a second
    /// deployment (or a later update) of the workspace.
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-07-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "Enabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Enable public access only from internet IP ranges: restrictions](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link#restrictions-for-ip-network-rules)
    pub struct IpRulesAtWorkspaceCreation;
    code: "AML-PNA-010",
    name: "ip-rules-at-workspace-creation",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "IP rules are applied to a workspace that already exists.",
}

impl Rule for IpRulesAtWorkspaceCreation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            if sets.written(node) != Tri::True {
                continue;
            }
            match sets.ip_rules(node).non_empty() {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => {
                    let resource = workspace.resource();
                    let path = if resource.get("properties.ipAllowlist").is_absent() {
                        "properties.networkAcls.ipRules"
                    } else {
                        "properties.ipAllowlist"
                    };
                    ctx.report(
                        Finding::new(
                            resource,
                            path,
                            format!(
                                "IP rules can only be set on an existing workspace; the call that creates '{}' may ignore or reject them.",
                                resource.display_name()
                            ),
                        )
                        .label("IP rules written with the workspace")
                        .help("apply the IP rules in a second deployment (or a later update) of the workspace"),
                    );
                }
            }
        }
    }
}
