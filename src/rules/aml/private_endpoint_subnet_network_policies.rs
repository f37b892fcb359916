use crate::graph::EdgeKind;
use crate::model::kinds::{PeNetworkPolicies, PrivateEndpoint, Setting, Subnet};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Notes subnets that host private endpoints and set `privateEndpointNetworkPolicies` to
    /// `Enabled` or `NetworkSecurityGroupEnabled`. A subnet that leaves the property out gets no
    /// finding (the default is `Disabled` from Microsoft.Network `2022-01-01`).
    ///
    /// ## Why is this bad?
    /// With these values the NSG rules of the subnet filter the traffic to its private
    /// endpoints. That is a valid choice, but the NSG must then allow the inbound flows the
    /// workspace, storage, key vault and registry endpoints need; older guidance asked for the
    /// policies to be disabled.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "name": "snet-pe",
    ///   "properties": {
    ///     "addressPrefix": "10.10.1.0/24",
    ///     "privateEndpointNetworkPolicies": "Enabled",
    ///     "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-pe')]" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: keep it and allow the needed inbound flows in the NSG, or:
    /// ```json
    /// {
    ///   "name": "snet-pe",
    ///   "properties": { "addressPrefix": "10.10.1.0/24", "privateEndpointNetworkPolicies": "Disabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Manage network policies for private endpoints](https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct PrivateEndpointSubnetNetworkPolicies;
    code: "AML-PE-009",
    name: "private-endpoint-subnet-network-policies",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "Network policies on private-endpoint subnets are noted.",
}

impl Rule for PrivateEndpointSubnetNetworkPolicies {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let graph = ctx.graph();
        for node in graph.nodes() {
            let Some(subnet_resource) = graph.node(node).and_then(|n| n.resource()) else {
                continue;
            };
            let Some(subnet) = Subnet::of(subnet_resource) else {
                continue;
            };
            // Only a written value is noted: the spec gives no finding for an absent one.
            let Setting::Set(policies) = subnet.private_endpoint_network_policies() else {
                continue;
            };
            if !policies.nsg_applies() {
                continue;
            }
            let endpoints: Vec<_> = graph
                .incoming(node, EdgeKind::InSubnet)
                .filter_map(|relation| graph.node(relation.from).and_then(|n| n.resource()))
                .filter(|resource| PrivateEndpoint::of(resource).is_some())
                .filter(|resource| resource.state.deployed().is_possible())
                .collect();
            if endpoints.is_empty() {
                continue;
            }
            let names = endpoints
                .iter()
                .map(|endpoint| format!("'{}'", endpoint.display_name()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut finding = Finding::new(
                subnet_resource,
                "properties.privateEndpointNetworkPolicies",
                format!(
                    "NSG rules of subnet '{}' apply to private endpoints {names} (privateEndpointNetworkPolicies is {}).",
                    subnet_resource.display_name(),
                    policy_name(policies)
                ),
            )
            .label("network policies reach the private endpoints here")
            .help("allow the inbound flows the private endpoints need in the subnet's NSG, or set `privateEndpointNetworkPolicies` to `Disabled`");
            for endpoint in endpoints {
                finding = finding.related(
                    endpoint,
                    "properties.subnet.id",
                    "private endpoint in this subnet",
                );
            }
            ctx.report(finding);
        }
    }
}

fn policy_name(policies: PeNetworkPolicies) -> &'static str {
    policies.as_str()
}
