//! Small helpers the AML rules share: naming nodes in messages, and turning the derived sets'
//! array paths into body paths a finding can point at.

use crate::graph::{Associated, AssociatedRole, DerivedSets, EdgeKind, NodeId};
use crate::model::Resource;
use crate::model::kinds::{OnlineEndpoint, Workspace};

/// The resource a node stands for, when the template declares it.
pub(super) fn resource_of<'g>(sets: &DerivedSets<'g>, node: NodeId) -> Option<&'g Resource> {
    sets.graph().node(node).and_then(|n| n.resource())
}

/// Every possible associated resource of `role`, once: a resource several workspaces share is
/// paired with the first of them, so it is reported once.
pub(super) fn associated_once<'g>(
    sets: &DerivedSets<'g>,
    role: AssociatedRole,
) -> Vec<(&'g Resource, Associated)> {
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for workspace in sets.workspaces() {
        let Some(workspace_resource) = resource_of(sets, workspace) else {
            continue;
        };
        for member in sets.associated(workspace).possible() {
            if member.role == role && seen.insert(member.node) {
                found.push((workspace_resource, member.clone()));
            }
        }
    }
    found
}

/// A name for a node in a message: the declared resource's name, else the last segment of its
/// id, else a placeholder.
pub(super) fn node_name(sets: &DerivedSets<'_>, node: NodeId) -> String {
    match sets.graph().node(node) {
        Some(n) => match n.resource() {
            Some(resource) => resource.display_name(),
            None => n
                .id()
                .and_then(|id| id.last_name())
                .and_then(|segment| segment.as_known())
                .map_or_else(|| "(name unknown)".to_owned(), ToOwned::to_owned),
        },
        None => "(name unknown)".to_owned(),
    }
}

/// The role of an associated resource, as messages spell it.
pub(super) fn role_name(role: AssociatedRole) -> &'static str {
    match role {
        AssociatedRole::StorageAccount => "storage account",
        AssociatedRole::KeyVault => "key vault",
        AssociatedRole::ContainerRegistry => "container registry",
        AssociatedRole::ApplicationInsights => "Application Insights",
    }
}

/// A derived-set path (`properties.ipAllowlist[0]`) as a body path (`properties.ipAllowlist.0`):
/// findings address array items by index segments.
pub(super) fn body_path(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

/// The workspaces whose own settings decide the network rules: those the template writes and
/// that are their own hub. Projects are evaluated through their hub (C5 `HUB`), so reporting
/// them too would repeat the hub's findings.
pub(super) fn hub_workspaces<'g>(sets: &DerivedSets<'g>) -> Vec<(NodeId, Workspace<'g>)> {
    sets.workspaces()
        .filter_map(|node| {
            let hub = sets.hub(node).node()?;
            if hub != node {
                return None;
            }
            let view = resource_of(sets, node).and_then(Workspace::of)?;
            Some((node, view))
        })
        .collect()
}

/// The online endpoints the template writes for `workspace`, with their nodes.
pub(super) fn online_endpoints_of<'g>(
    sets: &DerivedSets<'g>,
    workspace: NodeId,
) -> Vec<(NodeId, OnlineEndpoint<'g>)> {
    sets.graph()
        .incoming(workspace, EdgeKind::EndpointOfWorkspace)
        .filter(|relation| sets.written(relation.from).is_possible())
        .filter_map(|relation| {
            let view = resource_of(sets, relation.from).and_then(OnlineEndpoint::of)?;
            Some((relation.from, view))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::body_path;

    #[test]
    fn array_indexes_become_path_segments() {
        assert_eq!(
            body_path("properties.networkAcls.ipRules[2].value"),
            "properties.networkAcls.ipRules.2.value"
        );
    }
}
