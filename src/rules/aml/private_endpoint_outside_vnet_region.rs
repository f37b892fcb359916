use crate::graph::vnet_of_subnet;
use crate::model::kinds::{PrivateEndpoint, Setting, VirtualNetwork};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a private endpoint is deployed in the region of its subnet's virtual network.
    /// The target resource (workspace, storage, …) may be in another region; the endpoint may not.
    ///
    /// ## Why is this bad?
    /// The network provider rejects an endpoint whose region differs from its VNet's
    /// (`InvalidResourceReference` … both resources must be in the same region), so the
    /// deployment fails.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw",
    ///   "location": "eastus",
    ///   "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-westus2', 'snet-pe')]" } }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw",
    ///   "location": "westus2",
    ///   "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-westus2', 'snet-pe')]" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Secure a training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct PrivateEndpointOutsideVnetRegion;
    code: "AML-PE-003",
    name: "private-endpoint-outside-vnet-region",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A private endpoint is in the region of its virtual network.",
}

impl Rule for PrivateEndpointOutsideVnetRegion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let graph = ctx.graph();
        for resource in ctx
            .resources()
            .of_type("Microsoft.Network/privateEndpoints")
        {
            if resource.state.deployed() == Tri::False {
                continue;
            }
            let Some(endpoint) = PrivateEndpoint::of(resource) else {
                continue;
            };
            let vnet_id = match endpoint.subnet_id() {
                Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text)
                    .ok()
                    .and_then(|s| vnet_of_subnet(&s)),
                Setting::Absent => continue,
                Setting::Unknown(_) => None,
            };
            // A VNet outside the template has an unknown region.
            let Some(vnet) = vnet_id
                .and_then(|id| graph.find(&id))
                .and_then(|n| graph.node(n))
                .and_then(|n| n.resource())
                .and_then(VirtualNetwork::of)
            else {
                ctx.indeterminate();
                continue;
            };
            let (Some(own), Some(theirs)) = (endpoint.location().known(), vnet.location().known())
            else {
                ctx.indeterminate();
                continue;
            };
            if own == theirs {
                continue;
            }
            let vnet_resource = vnet.resource();
            ctx.report(
                Finding::new(
                    resource,
                    "location",
                    format!(
                        "Private endpoint '{}' is in {own} but its subnet's VNet '{}' is in {theirs}.",
                        resource.display_name(),
                        vnet_resource.display_name()
                    ),
                )
                .label(format!("endpoint region {own}"))
                .help(format!(
                    "deploy the endpoint in {theirs}, the region of its VNet (the target resource may stay where it is)"
                ))
                .related(vnet_resource, "location", format!("VNet region {theirs}")),
            );
        }
    }
}
