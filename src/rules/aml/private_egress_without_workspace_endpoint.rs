use super::online_deployment_support::{EGRESS_PATH, online_deployments};
use super::support::{node_name, resource_of};
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a managed online deployment with `egressPublicNetworkAccess: Disabled` (the
    /// legacy private egress, without a workspace managed network) belongs to a workspace with a
    /// private endpoint (group id `amlworkspace`).
    ///
    /// ## Why is this bad?
    /// With private egress, the service creates private endpoints from the deployment to the
    /// workspace, its blob storage and its registry through the workspace's private link. A
    /// workspace without a private endpoint gives the deployment no private path, and it cannot
    /// download its model, environment or code.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score/blue",
    ///   "properties": { "endpointComputeType": "Managed", "egressPublicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// under a workspace that no private endpoint targets.
    ///
    /// Use instead: add a workspace private endpoint (group id `amlworkspace`) with its DNS zones,
    /// or move to a workspace managed network and drop the egress flag.
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct PrivateEgressWithoutWorkspaceEndpoint;
    code: "AML-OE-005",
    name: "private-egress-without-workspace-endpoint",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A deployment with private egress belongs to a workspace with a private endpoint.",
}

impl Rule for PrivateEgressWithoutWorkspaceEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for found in online_deployments(&sets) {
            let condition = found
                .legacy_private_egress(&sets)
                .and(sets.workspace_private_endpoints(found.workspace).is_empty());
            match condition {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => {
                    let workspace_name = node_name(&sets, found.workspace);
                    let mut finding = Finding::new(
                        found.deployment.resource(),
                        EGRESS_PATH,
                        format!(
                            "Deployment '{}' disables public egress but workspace '{workspace_name}' has no private link.",
                            found.name()
                        ),
                    )
                    .label("private egress requested here")
                    .help("add a workspace private endpoint (group id `amlworkspace`), or move to a workspace managed network");
                    let hub = sets.hub(found.workspace).node();
                    if let Some(workspace) = hub.and_then(|hub| resource_of(&sets, hub)) {
                        finding = finding.related(
                            workspace,
                            "",
                            "no private endpoint targets this workspace",
                        );
                    }
                    ctx.report(finding);
                }
            }
        }
    }
}
