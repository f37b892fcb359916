use super::compute_network_support::{
    ComputeSubnetRef, declared_resource, endpoint_reach, hub_name, network_computes, vnet_name,
};
use super::support::resource_of;
use crate::graph::vnet_of_subnet;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that every compute instance, compute cluster and serverless compute without a
    /// public IP (`enableNodePublicIp: false`, `serverlessComputeNoPublicIP: true`) can reach a
    /// private endpoint of its workspace: the workspace has one, in the compute's VNet or in a
    /// VNet peered with it in both directions. Workspaces with a managed network are left to
    /// the managed network rules.
    ///
    /// ## Why is this bad?
    /// A compute without a public IP talks to the workspace only through a workspace private
    /// endpoint. Without one, or with one in a VNet the compute cannot reach, the nodes cannot
    /// register with the workspace and jobs never start.
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
    ///       "enableNodePublicIp": false,
    ///       "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-training', 'snet-training')]" }
    ///     }
    ///   }
    /// }
    /// ```
    /// while the workspace's only private endpoint is in `vnet-hub`, which is not peered with
    /// `vnet-training`.
    ///
    /// Use instead: a workspace private endpoint in `vnet-training`, or peerings in both
    /// directions between `vnet-training` and `vnet-hub`, with both AML private DNS zones
    /// linked to `vnet-training`.
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: compute without public IP](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Configure a private endpoint for an Azure Machine Learning workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct NoPublicIpComputeWithoutWorkspaceEndpoint;
    code: "AML-CMP-001",
    name: "no-public-ip-compute-without-workspace-endpoint",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A no-public-IP compute reaches a workspace private endpoint.",
}

impl Rule for NoPublicIpComputeWithoutWorkspaceEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let (computes, _) = network_computes(&sets, workspace);
            let no_public_ip: Vec<_> = computes
                .into_iter()
                .filter(|c| match c.certainty.and(c.no_public_ip(&sets)) {
                    Tri::True => true,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        false
                    }
                    Tri::False => false,
                })
                .collect();
            if no_public_ip.is_empty() {
                continue;
            }
            match sets.managed(workspace).value {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let endpoints = sets.private_endpoint_vnets(workspace);
            let any_endpoint = sets.workspace_private_endpoints(workspace).non_empty();
            let workspace_name = hub_name(&sets, workspace);
            for compute in &no_public_ip {
                let subnet = match &compute.subnet {
                    ComputeSubnetRef::Known(subnet) => subnet,
                    // A no-public-IP compute without a subnet is not in a customer VNet (the
                    // serverless case is AML-CMP-004).
                    ComputeSubnetRef::None => continue,
                    ComputeSubnetRef::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                };
                let Some(vnet) = vnet_of_subnet(subnet) else {
                    continue;
                };
                let (problem, because) = match any_endpoint {
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => ("does not exist".to_owned(), Vec::new()),
                    Tri::True => {
                        let reach = endpoint_reach(&sets, &endpoints, &vnet);
                        match reach.value {
                            Tri::True => continue,
                            Tri::Unknown => {
                                ctx.indeterminate();
                                continue;
                            }
                            Tri::False => (
                                format!("is not reachable from VNet '{}'", vnet_name(&vnet)),
                                endpoints
                                    .members
                                    .iter()
                                    .map(|m| m.item.endpoint)
                                    .collect::<Vec<_>>(),
                            ),
                        }
                    }
                };
                let mut finding = Finding::new(
                    compute.resource,
                    compute.public_ip_path(),
                    format!(
                        "{} has no public IP and can reach workspace '{workspace_name}' only through a private endpoint, which {problem}.",
                        compute.subject()
                    ),
                )
                .label("no public IP")
                .help("add a workspace private endpoint in (or peered with) the compute's VNet, with both AML private DNS zones linked to it");
                if let Some(vnet_resource) = declared_resource(&sets, &vnet) {
                    finding = finding.related(vnet_resource, "", "the compute's VNet");
                }
                for endpoint in because {
                    if let Some(resource) = resource_of(&sets, endpoint) {
                        finding = finding.related(
                            resource,
                            "properties.subnet.id",
                            "workspace private endpoint in another, unpeered VNet",
                        );
                    }
                }
                ctx.report(finding);
            }
        }
    }
}
