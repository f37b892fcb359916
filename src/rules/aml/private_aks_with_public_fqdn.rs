use std::collections::HashSet;

use super::attached_support::{AttachedTarget, attached_computes};
use crate::codes::Severity;
use crate::model::kinds::{ComputeType, ManagedCluster, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const PUBLIC_FQDN_PATH: &str = "properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN";

crate::declare_rule! {
    /// ## What it does
    /// Checks that a private AKS cluster attached to a workspace
    /// (`apiServerAccessProfile.enablePrivateCluster: true`) does not also get a public FQDN for
    /// its API server (`enablePrivateClusterPublicFQDN`). An explicit `true` is an error; an
    /// absent flag is a warning, because AKS then creates the public FQDN by default.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning does not support private AKS clusters that also publish a public
    /// FQDN: the workspace resolves the API server through that name and reaches it outside the
    /// private network. AKS adds the public FQDN to every private cluster unless the template
    /// turns it off.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerService/managedClusters",
    ///   "apiVersion": "2024-02-01",
    ///   "name": "aks-scoring",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "dnsPrefix": "aks-scoring",
    ///     "apiServerAccessProfile": { "enablePrivateCluster": true }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerService/managedClusters",
    ///   "apiVersion": "2024-02-01",
    ///   "name": "aks-scoring",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "dnsPrefix": "aks-scoring",
    ///     "apiServerAccessProfile": {
    ///       "enablePrivateCluster": true,
    ///       "enablePrivateClusterPublicFQDN": false
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning inferencing environment with virtual networks (limitations)](https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-inferencing-environment)
    /// - [Create a private Azure Kubernetes Service cluster](https://learn.microsoft.com/azure/aks/private-clusters)
    pub struct PrivateAksWithPublicFqdn;
    code: "AML-AKS-003",
    name: "private-aks-with-public-fqdn",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "No public FQDN on a private AKS cluster attached to a workspace.",
}

impl Rule for PrivateAksWithPublicFqdn {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut reported = HashSet::new();
        for attached in attached_computes(ctx, &sets, &[ComputeType::Aks, ComputeType::Kubernetes])
        {
            let AttachedTarget::Declared(cluster_node, cluster_resource) = attached.target else {
                if !matches!(attached.target, AttachedTarget::Missing) {
                    ctx.indeterminate();
                }
                continue;
            };
            let Some(cluster) = ManagedCluster::of(cluster_resource) else {
                continue;
            };
            let (severity, path, suffix, label) = match cluster.enable_private_cluster_public_fqdn()
            {
                Setting::Set(true) => (
                    Severity::Error,
                    PUBLIC_FQDN_PATH,
                    "",
                    "public FQDN enabled here",
                ),
                Setting::Default(true) => (
                    Severity::Warning,
                    "properties.apiServerAccessProfile.enablePrivateCluster",
                    " (created by default)",
                    "private cluster without `enablePrivateClusterPublicFQDN: false`",
                ),
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            // The flag matters only on a private cluster; an explicit `true` on a public one
            // has no effect.
            if cluster.enable_private_cluster() != Setting::Set(true) {
                if cluster.enable_private_cluster().is_unknown() {
                    ctx.indeterminate();
                }
                continue;
            }
            if !reported.insert(cluster_node) {
                continue;
            }
            let name = cluster_resource.display_name();
            ctx.report(
                Finding::new(
                    cluster_resource,
                    path,
                    format!(
                        "AKS '{name}' is private with a public FQDN{suffix}; AML does not support that combination."
                    ),
                )
                .severity(severity)
                .label(label)
                .help("set `properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN` to false")
                .related(
                    attached.compute,
                    "properties.resourceId",
                    format!(
                        "attached to workspace '{}' here",
                        attached.workspace_resource.display_name()
                    ),
                ),
            );
        }
    }
}
