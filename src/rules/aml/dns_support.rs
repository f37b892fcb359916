//! What the AML-DNS and AML-PE rules share: the two AML zones of a cloud, the zones that zone
//! groups reference, the `A` records of a zone, the record names of §3.3, and `R(w)`, the VNets
//! that must resolve a workspace privately (§4.5). Everything is tri-state, like the derived sets.

use crate::graph::{
    ComputeSubnetSource, DerivedSets, EdgeKind, NodeId, Pna, ResourceGraph, ZONE_GROUP_TYPE,
};
use crate::model::kinds::{ARecordSet, PrivateDnsZone, PrivateEndpoint, Setting, Workspace};
use crate::model::{DeploymentState, Resource, ResourceId, Tri};
use crate::rules::RootCause;

/// Group id of a workspace private endpoint.
pub(crate) const AML_GROUP: &str = "amlworkspace";

/// The API and notebooks zones of `amlworkspace` in the cloud of `sets` (§3.1).
pub(crate) struct AmlZones {
    /// `privatelink.api.azureml.ms` and its cloud equivalents.
    pub api: &'static str,
    /// `privatelink.notebooks.azure.net` and its cloud equivalents.
    pub notebooks: &'static str,
}

/// The two AML zones; `None` only if §3.1 lost its `amlworkspace` row.
pub(crate) fn aml_zones(sets: &DerivedSets<'_>) -> Option<AmlZones> {
    let required = sets.zones(AML_GROUP).required;
    let api = required
        .iter()
        .find(|z| z.starts_with("privatelink.api."))?;
    let notebooks = required
        .iter()
        .find(|z| z.starts_with("privatelink.notebooks."))?;
    Some(AmlZones { api, notebooks })
}

/// Whether the deployment writes a resource: `True` deployed, `Unknown` conditional.
pub(crate) fn written(resource: &Resource) -> Tri {
    resource.state.deployed()
}

/// Whether a DNS name equals `wanted`, ignoring case and a trailing dot (C1).
pub(crate) fn same_name(name: &str, wanted: &str) -> bool {
    name.trim_end_matches('.').eq_ignore_ascii_case(wanted)
}

/// The private DNS zones the template declares (deployed, conditional or `existing`) whose name
/// may be `name`, with whether it is (`Unknown` for a name known only at deployment).
pub(crate) fn declared_zones<'g>(
    sets: &DerivedSets<'g>,
    name: &str,
) -> Vec<(NodeId, &'g Resource, Tri)> {
    let graph = sets.graph();
    graph
        .zones_named(name)
        .into_iter()
        .filter(|r| r.state != DeploymentState::Skipped)
        .filter_map(|r| {
            let zone = PrivateDnsZone::of(r)?;
            let matches = zone.zone_name().test(|n| same_name(n, name));
            let node = graph.node_of(r.index)?;
            (matches != Tri::False).then_some((node, r, matches))
        })
        .collect()
}

pub(crate) use crate::graph::ZoneReference;

/// The zones a zone group references (parsed once per graph); `Err(())` when the list itself
/// is known only at deployment.
pub(crate) fn zone_references<'g>(
    graph: &'g ResourceGraph,
    group: &Resource,
) -> Result<&'g [ZoneReference], ()> {
    graph.zone_references(group)
}

/// The zone groups the template writes that may belong to `endpoint`, with how sure that is.
pub(crate) fn zone_groups_of<'g>(
    sets: &DerivedSets<'g>,
    endpoint: NodeId,
) -> Vec<(&'g Resource, Tri)> {
    let graph = sets.graph();
    let endpoint_id = graph.node(endpoint).and_then(|n| n.id());
    let candidates = match endpoint_id {
        Some(endpoint_id) => graph.child_candidates(ZONE_GROUP_TYPE, endpoint_id),
        None => graph.resources().of_type(ZONE_GROUP_TYPE).collect(),
    };
    candidates
        .into_iter()
        .filter_map(|group| {
            let child = match (group.id.as_ref(), endpoint_id) {
                (Some(id), Some(endpoint_id)) => id.is_child_of(endpoint_id),
                _ => Tri::Unknown,
            };
            let certainty = written(group).and(child);
            (certainty != Tri::False).then_some((group, certainty))
        })
        .collect()
}

/// Whether some zone group of an endpoint in `endpoints` references a zone named `zone`.
pub(crate) fn zone_group_covers(
    sets: &DerivedSets<'_>,
    endpoints: &[(NodeId, Tri)],
    zone: &str,
) -> Tri {
    let mut covered = Tri::False;
    for (endpoint, present) in endpoints {
        for (group, certainty) in zone_groups_of(sets, *endpoint) {
            let names = match zone_references(sets.graph(), group) {
                Ok(references) => Tri::any(
                    references
                        .iter()
                        .map(|r| r.zone.test(|n| same_name(n, zone))),
                ),
                Err(()) => Tri::Unknown,
            };
            covered = covered.or(present.and(certainty).and(names));
        }
    }
    covered
}

/// Whether zone `zone` (a zone group's id target or a declared zone) is deployed, referenced by
/// a zone group, or declared: `Unknown` when a zone or zone-group entry has a name known only at
/// deployment.
pub(crate) fn zone_exists(sets: &DerivedSets<'_>, zone: &str) -> Tri {
    let declared = Tri::any(
        declared_zones(sets, zone)
            .into_iter()
            .map(|(_, r, matches)| {
                let present = match r.state {
                    DeploymentState::Existing => Tri::True,
                    other => other.deployed(),
                };
                present.and(matches)
            }),
    );
    let graph = sets.graph();
    // Groups that reference no zone of this name add `False` to the disjunction: only the
    // candidates matter.
    let referenced = Tri::any(
        graph
            .zone_groups_referencing(zone)
            .into_iter()
            .filter(|g| written(g) != Tri::False)
            .map(|group| match zone_references(graph, group) {
                Ok(references) => written(group).and(Tri::any(
                    references
                        .iter()
                        .map(|r| r.zone.test(|n| same_name(n, zone))),
                )),
                Err(()) => Tri::Unknown,
            }),
    );
    declared.or(referenced)
}

/// The relative names of the `A` record sets the template writes in a zone (by the zone's id).
pub(crate) fn a_records<'g>(
    sets: &DerivedSets<'g>,
    zone: &'g Resource,
) -> Vec<(&'g Resource, Setting<'g, &'g str>)> {
    let Some(zone_id) = zone.id.as_ref() else {
        return Vec::new();
    };
    sets.graph()
        .child_candidates("Microsoft.Network/privateDnsZones/A", zone_id)
        .into_iter()
        .filter(|record| written(record) != Tri::False)
        .filter_map(|record| {
            let in_zone = record
                .id
                .as_ref()
                .map_or(Tri::Unknown, |id| id.is_child_of(zone_id));
            if in_zone == Tri::False {
                return None;
            }
            let name = ARecordSet::of(record)?.relative_name();
            let name = if in_zone == Tri::Unknown {
                Setting::Unknown(crate::model::kinds::Cause::UnresolvedId)
            } else {
                name
            };
            Some((record, name))
        })
        .collect()
}

/// The record names of §3.3 that a workspace's private DNS needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    /// `<guid>.workspace.<region>` in the API zone.
    Workspace,
    /// `<guid>.workspace.<region>.cert` in the API zone.
    Certificate,
    /// `*.<guid>.inference.<region>` in the API zone (managed online endpoints).
    Inference,
    /// `ml-<name>-<region>-<guid>.<region>` (or without the second `.<region>`) in the notebooks
    /// zone.
    Notebooks,
}

impl RecordKind {
    /// The pattern as the messages print it.
    pub(crate) fn pattern(self, region: &str) -> String {
        match self {
            RecordKind::Workspace => format!("<guid>.workspace.{region}"),
            RecordKind::Certificate => format!("<guid>.workspace.{region}.cert"),
            RecordKind::Inference => format!("*.<guid>.inference.{region}"),
            RecordKind::Notebooks => format!("ml-<name>-{region}-<guid>.{region}"),
        }
    }

    /// Whether a relative record name has this shape for a workspace in `region` (C1, C2).
    pub(crate) fn matches(self, name: &str, region: &str) -> bool {
        let name = name.to_ascii_lowercase();
        let labels: Vec<&str> = name.split('.').collect();
        match (self, labels.as_slice()) {
            (RecordKind::Workspace, [guid, "workspace", r]) => is_guid(guid) && *r == region,
            (RecordKind::Certificate, [guid, "workspace", r, "cert"]) => {
                is_guid(guid) && *r == region
            }
            (RecordKind::Inference, ["*", guid, "inference", r]) => is_guid(guid) && *r == region,
            (RecordKind::Notebooks, [host]) => notebook_host(host, region),
            (RecordKind::Notebooks, [host, r]) => *r == region && notebook_host(host, region),
            _ => false,
        }
    }
}

/// `[0-9a-f-]{36}`.
fn is_guid(label: &str) -> bool {
    label.len() == 36 && label.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// `ml-<name>-<region>-<guid>` with any non-empty name (§6 item 16).
fn notebook_host(host: &str, region: &str) -> bool {
    let Some(rest) = host.strip_prefix("ml-") else {
        return false;
    };
    let Some(split) = rest.len().checked_sub(37) else {
        return false;
    };
    let (head, tail) = rest.split_at(split);
    let Some(guid) = tail.strip_prefix('-') else {
        return false;
    };
    is_guid(guid)
        && head
            .strip_suffix(region)
            .and_then(|name| name.strip_suffix('-'))
            .is_some_and(|name| !name.is_empty())
}

/// Whether zone `zone` holds a record of `kind` for a workspace in `region`.
pub(crate) fn has_record<'g>(
    sets: &DerivedSets<'g>,
    zone: &'g Resource,
    kind: RecordKind,
    region: &str,
) -> Tri {
    Tri::any(
        a_records(sets, zone)
            .into_iter()
            .map(|(record, name)| written(record).and(name.test(|n| kind.matches(n, region)))),
    )
}

/// The normalised region of a workspace (C2), when known.
pub(crate) fn workspace_region(workspace: &Resource) -> Option<String> {
    Workspace::of(workspace).and_then(|w| w.location().known())
}

/// Why a VNet is in `R(w)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VnetRole {
    /// It holds a workspace private endpoint.
    PrivateEndpoint,
    /// A compute of the workspace needs the private path from it.
    Compute,
    /// An AKS cluster attached to the workspace is in it.
    Aks,
}

impl VnetRole {
    /// The role as the messages print it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            VnetRole::PrivateEndpoint => "private endpoint",
            VnetRole::Compute => "compute",
            VnetRole::Aks => "AKS",
        }
    }
}

/// A VNet of `R(w)`.
#[derive(Debug, Clone)]
pub(crate) struct NeedingVnet {
    /// The VNet.
    pub vnet: ResourceId,
    /// Why it needs the workspace.
    pub role: VnetRole,
    /// The endpoint, compute or cluster that puts it there.
    pub holder: NodeId,
    /// `True` for a definite member, `Unknown` for a possible one.
    pub certainty: Tri,
}

/// `R(w)` (§4.5): the VNets of `PE_VNETS(w)`, the compute VNets that need the private path and
/// the VNets of attached AKS clusters (client VNets come from configuration, which has none
/// yet). The flag says whether the set may have members the template does not show.
pub(crate) fn needing_vnets(sets: &DerivedSets<'_>, workspace: NodeId) -> (Vec<NeedingVnet>, bool) {
    let mut out: Vec<NeedingVnet> = Vec::new();
    let endpoints = sets.private_endpoint_vnets(workspace);
    let mut open = !endpoints.open.is_empty();
    let mut add = |candidate: NeedingVnet| {
        if candidate.certainty == Tri::False {
            return;
        }
        match out
            .iter_mut()
            .find(|known| known.vnet.matches(&candidate.vnet) == Tri::True)
        {
            Some(known) => {
                if known.certainty != Tri::True && candidate.certainty == Tri::True {
                    *known = candidate;
                }
            }
            None => out.push(candidate),
        }
    };
    for member in &endpoints.members {
        add(NeedingVnet {
            vnet: member.item.vnet.clone(),
            role: VnetRole::PrivateEndpoint,
            holder: member.item.endpoint,
            certainty: member.certainty,
        });
    }
    let public = sets
        .effective_public_access(workspace)
        .is_one_of(&[Pna::Enabled]);
    let computes = sets.compute_subnets(workspace);
    open |= !computes.open.is_empty();
    for member in &computes.members {
        let Some(vnet) = member.item.vnet() else {
            continue;
        };
        let (role, needs) = match member.item.source {
            ComputeSubnetSource::AksNetworking | ComputeSubnetSource::AksAgentPool => {
                (VnetRole::Aks, Tri::True)
            }
            ComputeSubnetSource::Serverless => (
                VnetRole::Compute,
                sets.serverless_no_public_ip(workspace).value.or(!public),
            ),
            ComputeSubnetSource::Compute(_) => (
                VnetRole::Compute,
                sets.compute_no_public_ip(member.item.holder)
                    .value
                    .or(!public),
            ),
        };
        let in_endpoint_vnets = endpoints.any(|e| e.vnet.matches(&vnet));
        add(NeedingVnet {
            vnet,
            role,
            holder: member.item.holder,
            certainty: member.certainty.and(needs.or(in_endpoint_vnets)),
        });
    }
    (out, open)
}

/// The managed online endpoints of a workspace the template writes, with how sure each is.
pub(crate) fn managed_online_endpoints<'g>(
    sets: &DerivedSets<'g>,
    workspace: NodeId,
) -> Vec<(&'g Resource, Tri)> {
    let graph = sets.graph();
    graph
        .incoming(workspace, EdgeKind::EndpointOfWorkspace)
        .filter_map(|relation| graph.node(relation.from).and_then(|n| n.resource()))
        .filter_map(|endpoint| {
            let view = crate::model::kinds::OnlineEndpoint::of(endpoint)?;
            let certainty = written(endpoint).and(view.is_managed());
            (certainty != Tri::False).then_some((endpoint, certainty))
        })
        .collect()
}

/// What the DNS rules that conclude from a missing artefact know about a workspace's private
/// endpoints before they look for zones and records.
pub(crate) enum WorkspaceDns {
    /// No workspace private endpoint, or none whose DNS the template manages: nothing to check
    /// (AML-PE-005 speaks for unmanaged endpoints).
    NotManaged,
    /// Whether there is an endpoint, or whether its DNS is managed here, depends on unknown values.
    Undecided,
    /// `WS_PE(w)` is non-empty and `DNS_MANAGED(p)` holds for one of them: the endpoints, each with
    /// its membership certainty.
    Managed(Vec<(NodeId, Tri)>),
}

/// The endpoints of [`WorkspaceDns::Managed`], or `None` when the gate does not hold; an
/// undecided gate counts as an undecided check of the rule.
pub(crate) fn managed_workspace_endpoints(
    ctx: &crate::rules::RuleContext<'_>,
    sets: &DerivedSets<'_>,
    workspace: NodeId,
) -> Option<Vec<(NodeId, Tri)>> {
    match workspace_dns(sets, workspace) {
        WorkspaceDns::NotManaged => None,
        WorkspaceDns::Undecided => {
            ctx.indeterminate();
            None
        }
        WorkspaceDns::Managed(endpoints) => Some(endpoints),
    }
}

/// `WS_PE(w)` non-empty and `DNS_MANAGED(p)` for some `p ∈ WS_PE(w)` (§4.5 gate).
pub(crate) fn workspace_dns(sets: &DerivedSets<'_>, workspace: NodeId) -> WorkspaceDns {
    let endpoints = sets.workspace_private_endpoints(workspace);
    let members: Vec<(NodeId, Tri)> = endpoints
        .members
        .iter()
        .map(|m| (m.item, m.certainty))
        .collect();
    let managed = Tri::any(
        members
            .iter()
            .map(|(p, certainty)| certainty.and(sets.dns_managed(*p, AML_GROUP).value)),
    );
    match managed {
        Tri::True => WorkspaceDns::Managed(members),
        Tri::Unknown => WorkspaceDns::Undecided,
        Tri::False => WorkspaceDns::NotManaged,
    }
}

/// The virtual network links the deployment writes (or may write), with their views.
pub(crate) fn written_links<'g>(
    sets: &DerivedSets<'g>,
) -> Vec<(&'g Resource, crate::model::kinds::VirtualNetworkLink<'g>)> {
    sets.graph()
        .resources()
        .of_type("Microsoft.Network/privateDnsZones/virtualNetworkLinks")
        .filter(|link| written(link) != Tri::False)
        .filter_map(|link| Some((link, crate::model::kinds::VirtualNetworkLink::of(link)?)))
        .collect()
}

/// The group ids of an endpoint's connections (each once, as written), when all are known.
pub(crate) fn endpoint_group_ids(endpoint: &Resource) -> Option<Vec<String>> {
    let connections = PrivateEndpoint::of(endpoint)?.connections().known()?;
    let mut ids = Vec::new();
    for connection in connections {
        match connection.group_ids {
            Setting::Set(list) | Setting::Default(list) => {
                for id in list {
                    let id = id.known()?;
                    if !ids
                        .iter()
                        .any(|known: &String| known.eq_ignore_ascii_case(id))
                    {
                        ids.push(id.to_owned());
                    }
                }
            }
            Setting::Absent => {}
            Setting::Unknown(_) => return None,
        }
    }
    Some(ids)
}

/// The private endpoint a zone group belongs to (its parent), when the graph knows it.
pub(crate) fn endpoint_of_zone_group<'g>(
    graph: &'g ResourceGraph,
    group: &Resource,
) -> Option<&'g Resource> {
    graph
        .node_of(group.index)
        .and_then(|n| graph.outgoing(n, EdgeKind::Parent).next())
        .and_then(|r| graph.node(r.to))
        .and_then(|n| n.resource())
}

/// The root causes "wrong zone in this zone group" (C7, owned by AML-PE-004) that a zone group
/// stands for: one per group id of its endpoint.
pub(crate) fn zone_group_causes(graph: &ResourceGraph, group: &Resource) -> Vec<RootCause> {
    let Some(endpoint) = endpoint_of_zone_group(graph, group) else {
        return Vec::new();
    };
    endpoint_group_ids(endpoint)
        .unwrap_or_default()
        .iter()
        .map(|group_id| RootCause::zone_group_zones(endpoint.index, group_id))
        .collect()
}

/// The root causes of the zone groups that reference a zone (by id, through the graph).
pub(crate) fn referencing_zone_group_causes(
    graph: &ResourceGraph,
    zone: &Resource,
) -> Vec<RootCause> {
    let Some(zone_node) = graph.node_of(zone.index) else {
        return Vec::new();
    };
    graph
        .incoming(zone_node, EdgeKind::ZoneGroupZone)
        .filter_map(|relation| graph.node(relation.from).and_then(|n| n.resource()))
        .flat_map(|group| zone_group_causes(graph, group))
        .collect()
}

/// The last segment of a resource id, for messages.
pub(crate) fn id_name(id: &ResourceId) -> String {
    id.last_name()
        .and_then(|segment| segment.as_known())
        .unwrap_or("(name unknown)")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::RecordKind;

    #[test]
    fn record_names_of_section_3_3() {
        let guid = "0f6c7b2e-4f0a-4b36-9f7e-2d1c8a9b5e41";
        let region = "westeurope";
        assert!(RecordKind::Workspace.matches(&format!("{guid}.workspace.westeurope"), region));
        assert!(
            RecordKind::Certificate.matches(&format!("{guid}.workspace.WestEurope.cert"), region)
        );
        assert!(RecordKind::Inference.matches(&format!("*.{guid}.inference.westeurope"), region));
        assert!(!RecordKind::Inference.matches(&format!("*.{guid}.inference.eastus"), region));
        assert!(RecordKind::Notebooks.matches(
            &format!("ml-mlw-contoso-westeurope-{guid}.westeurope"),
            region
        ));
        assert!(RecordKind::Notebooks.matches(&format!("ml-mlw-westeurope-{guid}"), region));
        assert!(!RecordKind::Notebooks.matches(&format!("ml--westeurope-{guid}"), region));
        assert!(!RecordKind::Workspace.matches("@", region));
    }
}
