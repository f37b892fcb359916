use std::collections::HashSet;

use ipnet::{IpNet, Ipv4Net};

use super::dns_support::{VnetRole, needing_vnets};
use super::net_support::{declared, overlaps, parsed_prefixes};
use super::support::resource_of;
use crate::graph::NodeId;
use crate::model::Tri;
use crate::model::kinds::VirtualNetwork;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that no virtual network on a workspace's path (the VNets of its private endpoints,
    /// of the computes that need the private path and of attached AKS clusters) uses an address
    /// range that overlaps `172.17.0.0/16`.
    ///
    /// ## Why is this bad?
    /// `172.17.0.0/16` is Docker's default bridge network, which compute instances, clusters and
    /// inference containers use internally. Traffic from a compute to resources of the VNet in
    /// that range is routed into the local bridge and never leaves the node.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml",
    ///   "location": "westeurope",
    ///   "properties": { "addressSpace": { "addressPrefixes": [ "172.16.0.0/12" ] } }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml",
    ///   "location": "westeurope",
    ///   "properties": { "addressSpace": { "addressPrefixes": [ "10.20.0.0/16" ] } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Secure a workspace with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet)
    pub struct VnetOverlappingDockerBridge;
    code: "AML-NET-008",
    name: "vnet-overlapping-docker-bridge",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "VNets on a workspace's path avoid 172.17.0.0/16.",
}

impl Rule for VnetOverlappingDockerBridge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let docker_bridge = IpNet::V4(Ipv4Net::new_assert([172, 17, 0, 0].into(), 16));
        let mut seen: HashSet<NodeId> = HashSet::new();
        for workspace in sets.workspaces() {
            let (vnets, _) = needing_vnets(&sets, workspace);
            for needing in vnets {
                let Some((node, resource)) = declared(&sets, &needing.vnet) else {
                    continue;
                };
                let Some(vnet) = VirtualNetwork::of(resource) else {
                    continue;
                };
                let Some(prefixes) = parsed_prefixes(vnet.address_prefixes()) else {
                    ctx.indeterminate();
                    continue;
                };
                let clashing: Vec<_> = prefixes
                    .iter()
                    .filter(|p| overlaps(&p.net, &docker_bridge))
                    .collect();
                if clashing.is_empty() {
                    continue;
                }
                if needing.certainty != Tri::True || sets.written(node) != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                if !seen.insert(node) {
                    continue;
                }
                let holder = resource_of(&sets, needing.holder);
                for prefix in clashing {
                    let mut finding = Finding::new(
                        resource,
                        &format!("properties.addressSpace.addressPrefixes.{}", prefix.index),
                        format!(
                            "VNet '{}' uses {}, which overlaps the Docker bridge network 172.17.0.0/16.",
                            resource.display_name(),
                            prefix.text
                        ),
                    )
                    .label("overlaps 172.17.0.0/16")
                    .help("choose an address range outside 172.17.0.0/16 for this VNet");
                    if let Some(holder) = holder {
                        // Point at the reference that places the holder in the VNet (a
                        // path that does not exist falls back to the nearest one).
                        let path = match needing.role {
                            VnetRole::PrivateEndpoint => "properties.subnet.id",
                            VnetRole::Compute => "properties.properties.subnet.id",
                            VnetRole::Aks => "",
                        };
                        finding = finding.related(
                            holder,
                            path,
                            format!(
                                "puts the VNet on the workspace's path ({})",
                                needing.role.as_str()
                            ),
                        );
                    }
                    ctx.report(finding);
                }
            }
        }
    }
}
