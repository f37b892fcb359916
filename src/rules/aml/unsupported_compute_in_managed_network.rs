use super::support::{node_name, resource_of};
use crate::codes::Severity;
use crate::graph::EdgeKind;
use crate::model::Tri;
use crate::model::kinds::{Compute, ComputeType, Setting, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For a workspace with a managed network (its hub's `isolationMode` is
    /// `AllowInternetOutbound` or `AllowOnlyApprovedOutbound`), checks its computes: an
    /// `AmlCompute` cluster whose region (`computeLocation`, else `location`, else the
    /// workspace's region) differs from the workspace's region is an error; a `Kubernetes`,
    /// `AKS` or `VirtualMachine` compute is a warning.
    ///
    /// ## Why is this bad?
    /// A managed network does not support compute clusters in another region. Kubernetes
    /// computes and attached virtual machines are not part of the managed virtual network:
    /// their traffic does not pass through it, so their network must be secured separately
    /// (their own VNet, private endpoints, NSGs). No source says the attach itself is
    /// rejected, and applying the Kubernetes sentence to the legacy `AKS` type is an inference,
    /// hence a warning (AML-MVN-009).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/cpu-cluster-us",
    ///   "location": "westeurope",
    ///   "properties": { "computeType": "AmlCompute", "computeLocation": "eastus", "properties": { "vmSize": "STANDARD_DS3_V2", "scaleSettings": { "maxNodeCount": 4 } } }
    /// }
    /// ```
    ///
    /// Use instead: a cluster in the workspace's region (or a workspace without a managed
    /// network for the other region).
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/cpu-cluster",
    ///   "location": "westeurope",
    ///   "properties": { "computeType": "AmlCompute", "properties": { "vmSize": "STANDARD_DS3_V2", "scaleSettings": { "maxNodeCount": 4 } } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#limitations)
    pub struct UnsupportedComputeInManagedNetwork;
    code: "AML-MVN-009",
    name: "unsupported-compute-in-managed-network",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A managed network has no cross-region compute clusters; Kubernetes and attached VMs are secured separately.",
}

impl Rule for UnsupportedComputeInManagedNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = sets.graph();
        for workspace in sets.workspaces() {
            let computes: Vec<_> = graph
                .incoming(workspace, EdgeKind::ComputeOfWorkspace)
                .map(|relation| relation.from)
                .filter(|compute| sets.written(*compute).is_possible())
                .filter_map(|compute| {
                    resource_of(&sets, compute)
                        .and_then(Compute::of)
                        .map(|view| (compute, view))
                })
                .collect();
            if computes.is_empty() {
                continue;
            }
            let managed = sets.managed(workspace);
            match managed.value {
                Tri::True => {}
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            let workspace_name = node_name(&sets, workspace);
            // The hub whose isolation mode makes the network managed (C5 `HUB`).
            let hub_resource = managed
                .because
                .first()
                .and_then(|hub| resource_of(&sets, *hub));
            let workspace_view = resource_of(&sets, workspace).and_then(Workspace::of);
            let workspace_region = workspace_view.map_or(
                Setting::Unknown(crate::model::kinds::Cause::NotDeployed),
                |w| w.location(),
            );
            for (node, compute) in computes {
                let resource = compute.resource();
                let name = resource.display_name();
                match compute.compute_type() {
                    Setting::Set(ComputeType::AmlCompute) => {
                        let region = sets.compute_region(node);
                        let (Some(region), Some(home)) = (region.value(), workspace_region.value())
                        else {
                            ctx.indeterminate();
                            continue;
                        };
                        if region == home {
                            continue;
                        }
                        let path = if compute.compute_location().is_set() {
                            "properties.computeLocation"
                        } else {
                            "location"
                        };
                        let mut finding = Finding::new(
                            resource,
                            path,
                            format!(
                                "Workspace '{workspace_name}' uses a managed network, which does not support cross-region compute clusters; '{name}' runs in {region}, the workspace in {home}."
                            ),
                        )
                        .label(format!("cluster region {region}"))
                        .help("create the cluster in the workspace's region, or use a workspace without a managed network for the other region");
                        if let Some(view) = workspace_view {
                            finding = finding.related(
                                view.resource(),
                                "location",
                                format!("workspace region {home}"),
                            );
                        }
                        ctx.report(finding);
                    }
                    Setting::Set(
                        kind @ (ComputeType::Kubernetes
                        | ComputeType::Aks
                        | ComputeType::VirtualMachine),
                    ) => {
                        let what = match kind {
                            ComputeType::VirtualMachine => "attached VMs",
                            _ => "Kubernetes compute",
                        };
                        let mut finding = Finding::new(
                            resource,
                            "properties.computeType",
                            format!(
                                "Workspace '{workspace_name}' uses a managed network, which does not cover {what}; secure the network of '{name}' yourself."
                            ),
                        )
                        .severity(Severity::Warning)
                        .label(format!("{kind} compute outside the managed network"))
                        .help("secure the target in its own VNet (private endpoints to the workspace and its dependencies, NSGs), or use a workspace without a managed network for it");
                        if let Some(hub) = hub_resource {
                            finding = finding.related(
                                hub,
                                "properties.managedNetwork.isolationMode",
                                "managed network",
                            );
                        }
                        ctx.report(finding);
                    }
                    Setting::Set(_) | Setting::Default(_) | Setting::Absent => {}
                    Setting::Unknown(_) => ctx.indeterminate(),
                }
            }
        }
    }
}
