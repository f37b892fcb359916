use std::collections::HashSet;

use super::online_deployment_support::online_deployments;
use super::support::{node_name, resource_of};
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::Tri;
use crate::model::kinds::{Compute, Setting, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a template creating a managed online deployment under a workspace with a
    /// managed network also provisions that network first: either the workspace sets
    /// `properties.provisionNetworkNow: true`, or the deployment depends (directly or through
    /// other resources) on a compute instance or compute cluster of the workspace, whose
    /// creation provisions the network.
    ///
    /// ## Why is this bad?
    /// A workspace managed network is provisioned lazily, on the first compute or on request.
    /// Online deployments cannot be created until it exists, so a template that creates only the
    /// workspace, an endpoint and a deployment fails on the deployment.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" } }
    /// }
    /// ```
    /// followed by an online endpoint and a deployment, and no compute.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "provisionNetworkNow": true,
    ///     "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure online endpoints (limitations)](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    /// - [Workspace managed virtual network: manually provision](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#manually-provision-a-managed-vnet)
    pub struct OnlineDeploymentBeforeManagedNetwork;
    code: "AML-OE-007",
    name: "online-deployment-before-managed-network",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "The managed network is provisioned before online deployments.",
}

impl Rule for OnlineDeploymentBeforeManagedNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for found in online_deployments(&sets) {
            let Some(hub) = sets.hub(found.workspace).node() else {
                ctx.indeterminate();
                continue;
            };
            let provisioned_now = match resource_of(&sets, hub).and_then(Workspace::of) {
                Some(view) => match view.provision_network_now() {
                    Setting::Set(value) | Setting::Default(value) => Tri::from(value),
                    Setting::Absent => Tri::False,
                    Setting::Unknown(_) => Tri::Unknown,
                },
                None => Tri::Unknown,
            };
            let first_compute = provisioning_compute(&sets, hub, found.node);
            let condition = found
                .is_managed()
                .and(sets.managed(found.workspace).value)
                .and(!provisioned_now)
                .and(Tri::from(first_compute.is_none()));
            match condition {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => {
                    let workspace_name = node_name(&sets, found.workspace);
                    let mut finding = Finding::new(
                        found.deployment.resource(),
                        "",
                        format!(
                            "Deployment '{}' needs the managed network of '{workspace_name}' to be provisioned first; nothing in the template provisions it.",
                            found.name()
                        ),
                    )
                    .label("created before the managed network exists")
                    .help("set `properties.provisionNetworkNow: true` on the workspace, make the deployment depend on a compute instance or cluster of the workspace, or provision the network before deploying");
                    if let Some(workspace) = resource_of(&sets, hub) {
                        finding = finding.related(
                            workspace,
                            "properties.managedNetwork.isolationMode",
                            "managed network declared here, provisioned lazily",
                        );
                    }
                    ctx.report(finding);
                }
            }
        }
    }
}

/// A compute instance or cluster of `workspace` that `deployment` waits for (through
/// `dependsOn` and parent edges, transitively): creating it provisions the managed network.
fn provisioning_compute(
    sets: &DerivedSets<'_>,
    workspace: NodeId,
    deployment: NodeId,
) -> Option<NodeId> {
    let graph = sets.graph();
    let computes: HashSet<NodeId> = graph
        .incoming(workspace, EdgeKind::ComputeOfWorkspace)
        .map(|relation| relation.from)
        .filter(|&node| sets.written(node).is_possible())
        .filter(|&node| {
            resource_of(sets, node)
                .and_then(Compute::of)
                .and_then(|compute| compute.compute_type().known())
                .is_some_and(|kind| kind.is_aml_managed())
        })
        .collect();
    let mut seen = HashSet::from([deployment]);
    let mut pending = vec![deployment];
    while let Some(node) = pending.pop() {
        if computes.contains(&node) {
            return Some(node);
        }
        for kind in [EdgeKind::DependsOn, EdgeKind::Parent] {
            for relation in graph.outgoing(node, kind) {
                if seen.insert(relation.to) {
                    pending.push(relation.to);
                }
            }
        }
    }
    None
}
