use super::support::online_endpoints_of;
use crate::model::Tri;
use crate::model::kinds::{Access, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a managed online endpoint with `publicNetworkAccess: Disabled` belongs to a
    /// workspace that has a private endpoint (group id `amlworkspace`).
    ///
    /// ## Why is this bad?
    /// A managed online endpoint closed to the public accepts scoring requests only through the
    /// workspace's private endpoint: its private host name resolves to that endpoint's address.
    /// A workspace without one leaves the online endpoint unreachable from every network
    /// (AML-PNA-004).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "location": "westeurope",
    ///   "identity": { "type": "SystemAssigned" },
    ///   "properties": { "authMode": "Key", "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// in a template whose workspace `mlw-contoso` has no private endpoint.
    ///
    /// Use instead: add a workspace private endpoint in the client VNet, with its DNS zones
    /// (including the inference wildcard record), or keep the online endpoint public.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw-contoso",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-clients', 'snet-pe')]" },
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
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Plan for network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct PrivateOnlineEndpointWithoutWorkspaceEndpoint;
    code: "AML-PNA-004",
    name: "private-online-endpoint-without-workspace-endpoint",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A managed online endpoint closed to the public belongs to a workspace with a private endpoint.",
}

impl Rule for PrivateOnlineEndpointWithoutWorkspaceEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let endpoints = online_endpoints_of(&sets, workspace);
            if endpoints.is_empty() {
                continue;
            }
            let has_endpoint = sets.workspace_private_endpoints(workspace).non_empty();
            for (_, endpoint) in endpoints {
                let closed = match endpoint.public_network_access() {
                    Setting::Unknown(_) => Tri::Unknown,
                    access => access.is(&Access::Disabled),
                };
                let finding = endpoint.is_managed().and(closed).and(!has_endpoint);
                match finding {
                    Tri::False => {}
                    Tri::Unknown => ctx.indeterminate(),
                    Tri::True => {
                        let resource = endpoint.resource();
                        let workspace_name = super::support::node_name(&sets, workspace);
                        let mut report = Finding::new(
                            resource,
                            "properties.publicNetworkAccess",
                            format!(
                                "Online endpoint '{}' accepts scoring only through the workspace's private endpoint, and workspace '{workspace_name}' has none.",
                                resource.display_name()
                            ),
                        )
                        .label("public access disabled here")
                        .help("add a workspace private endpoint (group id `amlworkspace`) in the client VNet, with its DNS zones, or enable public access on the endpoint");
                        if let Some(ws) = super::support::resource_of(&sets, workspace) {
                            report =
                                report.related(ws, "", "this workspace has no private endpoint");
                        }
                        ctx.report(report);
                    }
                }
            }
        }
    }
}
