//! What AML-PE-007, PE-008 and AML-DNS-013 share: the private endpoints that connect to a
//! resource (or carry a group id), with the subnet and VNet they sit in.

use super::dns_support::written;
use super::support::resource_of;
use crate::graph::{DerivedSets, EdgeKind, NodeId, vnet_of_subnet};
use crate::model::kinds::{PrivateEndpoint, Setting};
use crate::model::{Resource, ResourceId, Tri};

/// A private endpoint the template writes, as the rules about where endpoints sit need it.
#[derive(Debug, Clone)]
pub(super) struct PlacedEndpoint<'g> {
    /// The endpoint.
    pub resource: &'g Resource,
    /// Its group ids on the connection to the target (as written).
    pub group_ids: Vec<String>,
    /// Its subnet, when the id is known.
    pub subnet: Option<ResourceId>,
    /// `True` when deployed, `Unknown` when conditional.
    pub certainty: Tri,
}

impl PlacedEndpoint<'_> {
    /// `VNET(p.properties.subnet.id)`.
    pub fn vnet(&self) -> Option<ResourceId> {
        self.subnet.as_ref().and_then(vnet_of_subnet)
    }

    /// Whether the connection carries `group_id` (C1).
    pub fn has_group(&self, group_id: &str) -> bool {
        self.group_ids
            .iter()
            .any(|g| g.eq_ignore_ascii_case(group_id))
    }
}

/// The endpoints the template writes (or may write) with a connection to `target`.
pub(super) fn endpoints_to<'g>(sets: &DerivedSets<'g>, target: NodeId) -> Vec<PlacedEndpoint<'g>> {
    sets.graph()
        .incoming(target, EdgeKind::PrivateLinkTarget)
        .filter_map(|relation| {
            let resource = resource_of(sets, relation.from)?;
            let certainty = written(resource);
            if certainty == Tri::False {
                return None;
            }
            let subnet = match PrivateEndpoint::of(resource)?.subnet_id() {
                Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text).ok(),
                _ => None,
            };
            Some(PlacedEndpoint {
                resource,
                group_ids: relation.group_ids.clone(),
                subnet,
                certainty,
            })
        })
        .collect()
}

/// The endpoints the template writes (or may write) whose connection carries `group_id`,
/// whatever their target.
pub(super) fn endpoints_with_group<'g>(
    sets: &DerivedSets<'g>,
    group_id: &str,
) -> Vec<PlacedEndpoint<'g>> {
    let graph = sets.graph();
    let mut found: Vec<PlacedEndpoint<'g>> = Vec::new();
    for relation in graph.relations() {
        if relation.kind != EdgeKind::PrivateLinkTarget
            || !relation
                .group_ids
                .iter()
                .any(|g| g.eq_ignore_ascii_case(group_id))
        {
            continue;
        }
        if found
            .iter()
            .any(|e| graph.node_of(e.resource.index) == Some(relation.from))
        {
            continue;
        }
        found.extend(endpoints_to(sets, relation.to).into_iter().filter(|e| {
            e.has_group(group_id) && graph.node_of(e.resource.index) == Some(relation.from)
        }));
    }
    found
}
