use super::compute_network_support::{ComputeSubnetRef, network_computes, vnet_name};
use super::support::resource_of;
use crate::graph::vnet_of_subnet;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the subnet of every compute instance, compute cluster and of the workspace's
    /// serverless compute belongs to a virtual network in the workspace's subscription.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning creates the compute nodes' network interfaces (and, for public-IP
    /// computes, a load balancer and an NSG) on behalf of the workspace; it can only do so in a
    /// VNet of the workspace's own subscription. A subnet of another subscription makes compute
    /// creation fail. Another resource group of the same subscription is fine.
    ///
    /// ## Example
    /// ```json
    /// "subnet": { "id": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets/snet-training" }
    /// ```
    /// on a cluster of a workspace deployed to subscription `00000000-…`.
    ///
    /// Use instead: a subnet of a VNet in the workspace's subscription.
    /// ```json
    /// "subnet": { "id": "[resourceId('rg-network', 'Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-training')]" }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: prerequisites](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct ComputeVnetInOtherSubscription;
    code: "AML-NET-003",
    name: "compute-vnet-in-other-subscription",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Compute VNets are in the workspace's subscription.",
}

impl Rule for ComputeVnetInOtherSubscription {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = sets.graph();
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let (computes, _) = network_computes(&sets, workspace);
            for compute in &computes {
                let subnet = match &compute.subnet {
                    ComputeSubnetRef::None => continue,
                    ComputeSubnetRef::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    ComputeSubnetRef::Known(subnet) => subnet,
                };
                let Some(subnet_node) = graph.find(subnet) else {
                    ctx.indeterminate();
                    continue;
                };
                match compute
                    .certainty
                    .and(!sets.same_subscription(subnet_node, workspace).value)
                {
                    Tri::False => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::True => {}
                }
                let subscription = |id: Option<&crate::model::ResourceId>| {
                    id.and_then(|id| id.subscription_id())
                        .and_then(|segment| segment.as_known())
                        .unwrap_or("(unknown)")
                        .to_owned()
                };
                let vnet = vnet_of_subnet(subnet)
                    .map(|v| vnet_name(&v))
                    .unwrap_or_default();
                ctx.report(
                    Finding::new(
                        compute.resource,
                        compute.subnet_path(),
                        format!(
                            "{} uses subnet '{}' of VNet '{vnet}' in subscription {}; the VNet must be in the workspace's subscription {}.",
                            compute.subject(),
                            vnet_name(subnet),
                            subscription(Some(subnet)),
                            subscription(workspace_resource.id.as_ref()),
                        ),
                    )
                    .label("subnet in another subscription")
                    .help("use a VNet in the workspace's subscription (another resource group is fine)")
                    .related(workspace_resource, "", "workspace"),
                );
            }
        }
    }
}
