use crate::model::kinds::{PrivateEndpoint, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Notes private endpoints that connect through `manualPrivateLinkServiceConnections`.
    ///
    /// ## Why is this bad?
    /// A manual connection stays `Pending` until the owner of the target resource approves it;
    /// until then no traffic flows through the endpoint. The template cannot show whether and
    /// when that happens, so the deployment may succeed while the workspace, storage or registry
    /// stays unreachable.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw-shared",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-pe')]" },
    ///     "manualPrivateLinkServiceConnections": [{
    ///       "name": "amlworkspace",
    ///       "properties": { "privateLinkServiceId": "[parameters('workspaceId')]", "groupIds": ["amlworkspace"] }
    ///     }]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: an automatic connection when you own the target (or have the approver
    /// role), or approve the connection as part of the rollout.
    /// ```json
    /// "privateLinkServiceConnections": [{
    ///   "name": "amlworkspace",
    ///   "properties": { "privateLinkServiceId": "[parameters('workspaceId')]", "groupIds": ["amlworkspace"] }
    /// }]
    /// ```
    ///
    /// ## References
    /// - [Manage private endpoint connections](https://learn.microsoft.com/azure/private-link/manage-private-endpoint)
    /// - [Workspace managed network (approver role)](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    pub struct ManualPrivateLinkConnection;
    code: "AML-PE-006",
    name: "manual-private-link-connection",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "Manual-approval private endpoint connections are called out.",
}

impl Rule for ManualPrivateLinkConnection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        for resource in ctx.resources().iter() {
            if !resource.state.deployed().is_possible() {
                continue;
            }
            let Some(endpoint) = PrivateEndpoint::of(resource) else {
                continue;
            };
            let connections = match endpoint.connections() {
                Setting::Set(connections) | Setting::Default(connections) => connections,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Absent => continue,
            };
            for connection in connections.iter().filter(|c| c.manual) {
                let target = match connection.target {
                    Setting::Set(id) | Setting::Default(id) => id
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or(id)
                        .to_owned(),
                    _ => "(target unknown)".to_owned(),
                };
                ctx.report(
                    Finding::new(
                        resource,
                        &super::support::body_path(&connection.target_path()),
                        format!(
                            "Private endpoint '{}' needs approval by the owner of '{target}'; traffic fails until approved.",
                            resource.display_name()
                        ),
                    )
                    .label("manual connection: pending until approved")
                    .help("approve the connection on the target resource, or use an automatic connection when you own the target"),
                );
            }
        }
    }
}
