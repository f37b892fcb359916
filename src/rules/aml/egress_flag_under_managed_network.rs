use super::online_deployment_support::{EGRESS_PATH, online_deployments};
use super::support::{node_name, resource_of};
use crate::model::Tri;
use crate::model::kinds::{Setting, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Flags `egressPublicNetworkAccess` on online deployments of a workspace with a managed
    /// network (`isolationMode` `AllowInternetOutbound` or `AllowOnlyApprovedOutbound`), whatever
    /// its value.
    ///
    /// ## Why is this bad?
    /// With a workspace managed network, a deployment's outbound traffic follows the isolation
    /// mode and the outbound rules; the egress flag no longer applies. Setting it suggests a
    /// restriction (or an opening) that does not exist, and it cannot be changed later
    /// (AML-OE-002).
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
    /// under a workspace with `managedNetwork.isolationMode: AllowOnlyApprovedOutbound`.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score/blue",
    ///   "properties": { "endpointComputeType": "Managed" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Workspace managed virtual network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    pub struct EgressFlagUnderManagedNetwork;
    code: "AML-OE-003",
    name: "egress-flag-under-managed-network",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Deployments of a managed-network workspace do not set the egress flag.",
}

impl Rule for EgressFlagUnderManagedNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for found in online_deployments(&sets) {
            // Any written value counts, even one only known at deployment.
            let present = !matches!(found.deployment.property(EGRESS_PATH), Setting::Absent);
            if !present {
                continue;
            }
            match sets.managed(found.workspace).value {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let hub = sets
                .hub(found.workspace)
                .node()
                .and_then(|hub| resource_of(&sets, hub));
            let mode = hub
                .and_then(Workspace::of)
                .and_then(|view| view.isolation_mode().known())
                .map_or("(unknown)", |mode| mode.as_str());
            let workspace_name = node_name(&sets, found.workspace);
            let mut finding = Finding::new(
                found.deployment.resource(),
                EGRESS_PATH,
                format!(
                    "Deployment '{}' sets egressPublicNetworkAccess, which does not apply when workspace '{workspace_name}' uses a managed network; outbound follows isolation mode {mode}.",
                    found.name()
                ),
            )
            .label("egress flag set here")
            .help("remove `egressPublicNetworkAccess`; control outbound traffic with the isolation mode and outbound rules");
            if let Some(hub) = hub {
                finding = finding.related(
                    hub,
                    "properties.managedNetwork.isolationMode",
                    "managed network declared here",
                );
            }
            ctx.report(finding);
        }
    }
}
