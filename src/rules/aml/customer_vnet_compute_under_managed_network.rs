use super::compute_network_support::{ComputeSubnetRef, network_computes, vnet_name};
use super::support::resource_of;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that no compute instance, compute cluster or serverless compute of a workspace
    /// with a managed network (`managedNetwork.isolationMode` `AllowInternetOutbound` or
    /// `AllowOnlyApprovedOutbound`) names a subnet of a customer virtual network. A project is
    /// judged by its hub's managed network.
    ///
    /// ## Why is this bad?
    /// Under a managed network, Azure Machine Learning places its computes in the network it
    /// manages for the workspace. A compute that also names a subnet of your own VNet is
    /// rejected: the two isolation models cannot be combined for one compute.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/cpu-cluster",
    ///   "properties": {
    ///     "computeType": "AmlCompute",
    ///     "properties": {
    ///       "vmSize": "STANDARD_DS3_V2",
    ///       "scaleSettings": { "minNodeCount": 0, "maxNodeCount": 4 },
    ///       "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-training')]" }
    ///     }
    ///   }
    /// }
    /// ```
    /// in a workspace with `"managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }`.
    ///
    /// Use instead: leave the subnet out; the cluster joins the managed network.
    /// ```json
    /// "properties": {
    ///   "computeType": "AmlCompute",
    ///   "properties": { "vmSize": "STANDARD_DS3_V2", "scaleSettings": { "minNodeCount": 0, "maxNodeCount": 4 } }
    /// }
    /// ```
    /// Or turn the managed network off and secure the workspace with your own VNet.
    ///
    /// ## References
    /// - [Workspace managed network isolation: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#limitations)
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct CustomerVnetComputeUnderManagedNetwork;
    code: "AML-CMP-002",
    name: "customer-vnet-compute-under-managed-network",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "No compute of a managed-network workspace is placed in a customer VNet.",
}

impl Rule for CustomerVnetComputeUnderManagedNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let (computes, _) = network_computes(&sets, workspace);
            let placed: Vec<_> = computes
                .iter()
                .filter(|c| !matches!(c.subnet, ComputeSubnetRef::None))
                .collect();
            if placed.is_empty() {
                continue;
            }
            let managed = sets.managed(workspace);
            match managed.value {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let hub = managed.because.first().and_then(|n| resource_of(&sets, *n));
            let workspace_name = hub.map_or_else(
                || "(name unknown)".to_owned(),
                |resource| resource.display_name(),
            );
            for compute in placed {
                let Some(subnet) = compute.known_subnet() else {
                    // A subnet known only at deployment may still turn out empty.
                    ctx.indeterminate();
                    continue;
                };
                if compute.certainty != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                let subnet_name = vnet_name(subnet);
                let vnet = crate::graph::vnet_of_subnet(subnet)
                    .map(|v| vnet_name(&v))
                    .unwrap_or_default();
                let compute_name = match compute.kind {
                    super::compute_network_support::NetworkComputeKind::Serverless => {
                        "serverless compute".to_owned()
                    }
                    _ => compute.resource.display_name(),
                };
                let mut finding = Finding::new(
                    compute.resource,
                    compute.subnet_path(),
                    format!(
                        "Workspace '{workspace_name}' uses a managed network; compute '{compute_name}' cannot be placed in subnet '{subnet_name}' of VNet '{vnet}'."
                    ),
                )
                .label("customer subnet under a managed network")
                .help("remove the subnet (the compute joins the managed network) or turn off the workspace's managed network");
                if let Some(hub) = hub {
                    finding = finding.related(
                        hub,
                        "properties.managedNetwork.isolationMode",
                        "managed network of the workspace",
                    );
                }
                ctx.report(finding);
            }
        }
    }
}
