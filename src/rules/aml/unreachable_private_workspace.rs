use super::support::hub_workspaces;
use crate::graph::Pna;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace whose effective public network access is `Disabled` has at least
    /// one private endpoint with the group id `amlworkspace`.
    ///
    /// ## Why is this bad?
    /// With public access disabled the workspace answers only through its private endpoints.
    /// Without one, no client, compute or managed online endpoint can reach the workspace API,
    /// the studio or the notebooks (AML-PNA-003). A project workspace is judged through its hub,
    /// whose endpoints it shares.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    ///
    /// Use instead: the same workspace plus a private endpoint to it.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw-contoso",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-pe')]" },
    ///     "privateLinkServiceConnections": [{
    ///       "name": "amlworkspace",
    ///       "properties": {
    ///         "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw-contoso')]",
    ///         "groupIds": ["amlworkspace"]
    ///       }
    ///     }]
    ///   }
    /// }
    /// ```
    /// Add its DNS zone group and the zone links as well (AML-DNS rules).
    ///
    /// ## References
    /// - [Plan for network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct UnreachablePrivateWorkspace;
    code: "AML-PNA-003",
    name: "unreachable-private-workspace",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A workspace closed to the public has a private endpoint.",
}

impl Rule for UnreachablePrivateWorkspace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            let access = sets.effective_public_access(node);
            match access.value {
                Pna::Disabled => {}
                Pna::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Pna::Enabled | Pna::SelectedIps => continue,
            }
            match sets.workspace_private_endpoints(node).is_empty() {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            let resource = workspace.resource();
            let name = resource.display_name();
            ctx.report(
                Finding::new(
                    resource,
                    "properties.publicNetworkAccess",
                    format!(
                        "Workspace '{name}' disables public network access but no private endpoint (group amlworkspace) targets it; nothing can reach it."
                    ),
                )
                .label("public access disabled here; no private endpoint targets this workspace")
                .help("add a private endpoint with group id `amlworkspace`, its DNS zone group and zone links"),
            );
        }
    }
}
