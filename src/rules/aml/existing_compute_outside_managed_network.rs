use super::support::hub_workspaces;
use crate::graph::EdgeKind;
use crate::model::{DeploymentState, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For a workspace the template writes with a managed network (`isolationMode`
    /// `AllowInternetOutbound` or `AllowOnlyApprovedOutbound`), reminds that computes and
    /// online endpoints of the workspace that already exist stay outside the new managed
    /// network. Without the previously deployed isolation mode (a baseline the deployment
    /// context does not provide yet) an existing workspace cannot be told from a new one, so
    /// the rule reports only what the template itself shows to exist: computes and online
    /// endpoints of the workspace declared `existing`.
    ///
    /// ## Why is this bad?
    /// Turning on the managed network of a workspace does not move its existing compute
    /// clusters, compute instances and managed online endpoints into it: they keep their old
    /// network path until they are deleted and recreated (AML-MVN-016).
    ///
    /// ## Example
    /// ```json
    /// "resources": {
    ///   "workspace": {
    ///     "type": "Microsoft.MachineLearningServices/workspaces",
    ///     "apiVersion": "2024-10-01",
    ///     "name": "mlw-contoso",
    ///     "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" } }
    ///   },
    ///   "cluster": {
    ///     "existing": true,
    ///     "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///     "apiVersion": "2024-10-01",
    ///     "name": "mlw-contoso/cpu-cluster"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: delete the existing compute and let the template create it after the
    /// managed network is on.
    /// ```json
    /// "cluster": {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/cpu-cluster",
    ///   "dependsOn": ["workspace"],
    ///   "properties": { "computeType": "AmlCompute", "properties": { "vmSize": "STANDARD_DS3_V2", "scaleSettings": { "maxNodeCount": 4 } } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: migrate compute resources](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#migrate-compute-resources)
    /// - [Secure online endpoints: migrate from the legacy network isolation method](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    pub struct ExistingComputeOutsideManagedNetwork;
    code: "AML-MVN-016",
    name: "existing-compute-outside-managed-network",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "Enabling a managed network on a workspace with existing computes or endpoints needs their re-creation.",
}

impl Rule for ExistingComputeOutsideManagedNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = sets.graph();
        for (hub, workspace) in hub_workspaces(&sets) {
            // Computes and endpoints of the hub and of the projects that share its network.
            let existing: Vec<_> = sets
                .workspaces_of_hub(hub)
                .into_iter()
                .flat_map(|member| {
                    graph
                        .incoming(member, EdgeKind::ComputeOfWorkspace)
                        .chain(graph.incoming(member, EdgeKind::EndpointOfWorkspace))
                        .map(|relation| relation.from)
                        .collect::<Vec<_>>()
                })
                .filter_map(|node| graph.node(node).and_then(|n| n.resource()))
                .filter(|resource| resource.state == DeploymentState::Existing)
                .collect();
            if existing.is_empty() {
                continue;
            }
            match sets.managed(hub).value {
                Tri::True => {}
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            let resource = workspace.resource();
            let names = existing
                .iter()
                .map(|r| format!("'{}'", r.display_name()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut finding = Finding::new(
                resource,
                "properties.managedNetwork.isolationMode",
                format!(
                    "Existing clusters, instances and managed online endpoints of '{}' ({names}) do not move into the managed network; delete and recreate them.",
                    resource.display_name()
                ),
            )
            .label("managed network turned on")
            .help("after the managed network is enabled, delete and recreate the compute clusters, compute instances and managed online endpoints that existed before");
            for item in existing {
                finding = finding.related(item, "", "declared `existing`");
            }
            ctx.report(finding);
        }
    }
}
