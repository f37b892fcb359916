use std::collections::HashSet;

use super::attached_support::{AttachedTarget, attached_computes};
use crate::model::Tri;
use crate::model::kinds::{ComputeType, ManagedCluster, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that an AKS cluster attached to a workspace (an `AKS` or `Kubernetes` compute whose
    /// `properties.resourceId` names a `Microsoft.ContainerService/managedClusters`) is in the
    /// workspace's region when the workspace has a private endpoint.
    ///
    /// ## Why is this bad?
    /// A workspace behind a private endpoint talks to its inference cluster over the virtual
    /// network, and Azure Machine Learning supports that only for a cluster in the workspace's
    /// region. A cluster in another region cannot be attached or used for scoring.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerService/managedClusters",
    ///   "apiVersion": "2024-02-01",
    ///   "name": "aks-scoring",
    ///   "location": "northeurope",
    ///   "properties": { "dnsPrefix": "aks-scoring" }
    /// },
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/aks-inference",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "computeType": "AKS",
    ///     "resourceId": "[resourceId('Microsoft.ContainerService/managedClusters', 'aks-scoring')]"
    ///   }
    /// }
    /// ```
    /// with workspace `mlw-contoso` in `westeurope` and a private endpoint (`amlworkspace`).
    ///
    /// Use instead: the cluster in the workspace's region.
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerService/managedClusters",
    ///   "apiVersion": "2024-02-01",
    ///   "name": "aks-scoring",
    ///   "location": "westeurope",
    ///   "properties": { "dnsPrefix": "aks-scoring" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning inferencing environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-inferencing-environment)
    /// - [Configure a private endpoint for an Azure Machine Learning workspace (limitations)](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct AksOutsidePrivateWorkspaceRegion;
    code: "AML-AKS-001",
    name: "aks-outside-private-workspace-region",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "AKS is in the workspace's region when the workspace has a private endpoint.",
}

impl Rule for AksOutsidePrivateWorkspaceRegion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // One finding per (cluster, workspace): two computes attaching the same cluster are
        // one defect.
        let mut reported = HashSet::new();
        for attached in attached_computes(ctx, &sets, &[ComputeType::Aks, ComputeType::Kubernetes])
        {
            let AttachedTarget::Declared(cluster_node, cluster_resource) = attached.target else {
                if !matches!(attached.target, AttachedTarget::Missing) {
                    ctx.indeterminate();
                }
                continue;
            };
            // A `Kubernetes` compute may name an Arc cluster: not an AKS cluster, not this rule.
            let Some(cluster) = ManagedCluster::of(cluster_resource) else {
                continue;
            };
            let Some(workspace) = Workspace::of(attached.workspace_resource) else {
                continue;
            };
            let (Some(cluster_region), Some(workspace_region)) =
                (cluster.location().known(), workspace.location().known())
            else {
                ctx.indeterminate();
                continue;
            };
            if cluster_region == workspace_region {
                continue;
            }
            let endpoints = sets.workspace_private_endpoints(attached.workspace);
            match endpoints.non_empty() {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            if !reported.insert((cluster_node, attached.workspace)) {
                continue;
            }
            let cluster_name = cluster_resource.display_name();
            let workspace_name = attached.workspace_resource.display_name();
            let mut finding = Finding::new(
                cluster_resource,
                "location",
                format!(
                    "AKS cluster '{cluster_name}' ({cluster_region}) must be in the region of workspace '{workspace_name}' ({workspace_region}), which uses a private endpoint."
                ),
            )
            .label(format!("cluster in {cluster_region}"))
            .help(format!(
                "deploy the AKS cluster in {workspace_region}, the workspace's region"
            ))
            .related(
                attached.workspace_resource,
                "location",
                format!("workspace in {workspace_region}"),
            )
            .related(
                attached.compute,
                "properties.resourceId",
                "the cluster is attached here",
            );
            if let Some(endpoint) = endpoints
                .certain()
                .next()
                .and_then(|node| super::support::resource_of(&sets, *node))
            {
                finding = finding.related(endpoint, "", "private endpoint of the workspace");
            }
            ctx.report(finding);
        }
    }
}
