//! Helpers the AML-NET rules share: finding the declared resource behind an id, and reading
//! address prefixes as networks.

use ipnet::IpNet;

use super::support::resource_of;
use crate::graph::{DerivedSets, EdgeKind, NodeId, ResourceGraph};
use crate::model::kinds::{Peering, Setting};
use crate::model::{Resource, ResourceId, Tri};

/// The node and declared resource with `id`, when the template declares it.
pub(super) fn declared<'g>(
    sets: &DerivedSets<'g>,
    id: &ResourceId,
) -> Option<(NodeId, &'g Resource)> {
    let node = sets.graph().find(id)?;
    Some((node, resource_of(sets, node)?))
}

/// One address prefix: its index in the list, its text and the network it denotes.
pub(super) struct Prefix<'a> {
    /// The index in the (combined) prefix list.
    pub index: usize,
    /// The text as written.
    pub text: &'a str,
    /// The network, with host bits cleared.
    pub net: IpNet,
}

/// The prefixes of an address list as networks. `None` when the list or any item is known only
/// at deployment, or is not a CIDR: nothing can then be concluded from the list as a whole.
pub(super) fn parsed_prefixes<'a>(
    setting: Setting<'a, Vec<Setting<'a, &'a str>>>,
) -> Option<Vec<Prefix<'a>>> {
    let list = match setting {
        Setting::Set(list) | Setting::Default(list) => list,
        Setting::Absent => Vec::new(),
        Setting::Unknown(_) => return None,
    };
    list.into_iter()
        .enumerate()
        .map(|(index, item)| {
            let text = item.known()?;
            let net = text.trim().parse::<IpNet>().ok()?.trunc();
            Some(Prefix { index, text, net })
        })
        .collect()
}

/// Whether two networks share an address (CIDRs are either nested or disjoint).
pub(super) fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// A peering the template may deploy, with the VNet node that owns it.
pub(super) struct DeclaredPeering<'g> {
    pub resource: &'g Resource,
    pub peering: Peering<'g>,
    /// The owning (local) VNet.
    pub local_node: NodeId,
    /// Whether the peering is deployed (`Unknown` under a condition).
    pub deployed: Tri,
}

/// Every peering resource the template may deploy, with its owning VNet.
pub(super) fn declared_peerings<'g>(
    graph: &'g ResourceGraph,
) -> impl Iterator<Item = DeclaredPeering<'g>> + 'g {
    graph
        .resources()
        .of_type("Microsoft.Network/virtualNetworks/virtualNetworkPeerings")
        .filter_map(move |resource| {
            let peering = Peering::of(resource)?;
            let node = graph.node_of(resource.index)?;
            let deployed = resource.state.deployed();
            if deployed == Tri::False {
                return None;
            }
            let local_node = graph.outgoing(node, EdgeKind::Parent).next()?.to;
            Some(DeclaredPeering {
                resource,
                peering,
                local_node,
                deployed,
            })
        })
}
