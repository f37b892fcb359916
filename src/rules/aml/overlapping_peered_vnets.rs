use std::collections::HashSet;

use super::net_support::{DeclaredPeering, declared, declared_peerings, overlaps, parsed_prefixes};
use crate::graph::NodeId;
use crate::model::kinds::{Setting, VirtualNetwork};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the two virtual networks of every peering have disjoint address spaces.
    ///
    /// ## Why is this bad?
    /// Azure refuses to peer virtual networks whose address spaces overlap, so the peering (and
    /// with it the path from a compute VNet to the workspace's private endpoints, or from a spoke
    /// to a hub) is never created and the deployment fails.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-training/to-hub",
    ///   "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]" } }
    /// }
    /// ```
    /// with `vnet-training` on `10.0.0.0/16` and `vnet-hub` on `10.0.0.0/22`.
    ///
    /// Use instead: renumber one of the VNets (`vnet-training` on `10.1.0.0/16`). Designs short
    /// of address space can use separate, non-peered VNets instead.
    ///
    /// ## References
    /// - [Virtual network peering requirements and constraints](https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering)
    /// - [Plan for network isolation in Azure Machine Learning](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct OverlappingPeeredVnets;
    code: "AML-NET-007",
    name: "overlapping-peered-vnets",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Peered VNets do not overlap.",
}

impl Rule for OverlappingPeeredVnets {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = ctx.graph();
        let mut reported: HashSet<(NodeId, NodeId)> = HashSet::new();
        for DeclaredPeering {
            resource,
            peering,
            local_node,
            deployed,
        } in declared_peerings(graph)
        {
            let remote_id = match peering.remote_virtual_network_id() {
                Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    Err(_) => continue,
                },
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let local = graph
                .node(local_node)
                .and_then(|n| n.resource())
                .and_then(VirtualNetwork::of);
            let remote =
                declared(&sets, &remote_id).and_then(|(n, r)| Some((n, VirtualNetwork::of(r)?)));
            let (Some(local), Some((remote_node, remote))) = (local, remote) else {
                // A VNet outside the template: its address space is invisible.
                ctx.indeterminate();
                continue;
            };
            if remote_node == local_node {
                continue;
            }
            let (Some(local_prefixes), Some(remote_prefixes)) = (
                parsed_prefixes(local.address_prefixes()),
                parsed_prefixes(remote.address_prefixes()),
            ) else {
                ctx.indeterminate();
                continue;
            };
            let Some((pa, pb)) = local_prefixes.iter().find_map(|a| {
                remote_prefixes
                    .iter()
                    .find(|b| overlaps(&a.net, &b.net))
                    .map(|b| (a, b))
            }) else {
                continue;
            };
            if deployed != Tri::True
                || sets.written(local_node) != Tri::True
                || sets.written(remote_node) != Tri::True
            {
                ctx.indeterminate();
                continue;
            }
            let pair = (local_node.min(remote_node), local_node.max(remote_node));
            if !reported.insert(pair) {
                continue;
            }
            let (a, b) = (local.resource(), remote.resource());
            ctx.report(
                Finding::new(
                    resource,
                    "properties.remoteVirtualNetwork.id",
                    format!(
                        "VNets '{}' and '{}' overlap ({} ∩ {}); they cannot be peered.",
                        a.display_name(),
                        b.display_name(),
                        pa.text,
                        pb.text
                    ),
                )
                .label("peering between overlapping VNets")
                .help("renumber one of the VNets so that their address spaces are disjoint, or keep them unpeered")
                .related(
                    a,
                    &format!("properties.addressSpace.addressPrefixes.{}", pa.index),
                    format!("{} here", pa.text),
                )
                .related(
                    b,
                    &format!("properties.addressSpace.addressPrefixes.{}", pb.index),
                    format!("{} here", pb.text),
                ),
            );
        }
    }
}
