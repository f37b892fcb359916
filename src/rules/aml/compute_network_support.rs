//! What the AML-NET and AML-CMP rules about compute connectivity share: the computes of a
//! workspace that join a customer subnet (instances, clusters, the serverless compute), whether
//! a workspace-endpoint VNet reaches a compute VNet (`REACH`, C5), and whether a VNet is linked
//! to the AML private DNS zones. Everything is tri-state, like the derived sets.

use super::dns_support::{aml_zones, declared_zones, id_name, written};
use super::support::{node_name, resource_of};
use crate::graph::{DerivedSets, EdgeKind, EndpointVnet, NodeId, TriSet, vnet_of_subnet};
use crate::model::kinds::{Compute, ComputeType, Setting, Workspace};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, RootCause};

/// The kind of a compute whose nodes join a customer subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NetworkComputeKind {
    /// A `ComputeInstance`.
    Instance,
    /// An `AmlCompute` cluster.
    Cluster,
    /// The workspace's serverless compute.
    Serverless,
}

/// The subnet a compute names.
#[derive(Debug, Clone)]
pub(super) enum ComputeSubnetRef {
    /// No subnet: the compute is not injected into a customer VNet.
    None,
    /// A parsed subnet id.
    Known(ResourceId),
    /// Written, but known only at deployment (or not a resource id).
    Unknown,
}

/// A compute instance, compute cluster or serverless compute of a workspace.
#[derive(Debug, Clone)]
pub(super) struct NetworkCompute<'g> {
    /// The compute resource, or the workspace for the serverless compute.
    pub holder: NodeId,
    /// The declared resource of `holder`.
    pub resource: &'g Resource,
    /// Instance, cluster or serverless.
    pub kind: NetworkComputeKind,
    /// The subnet it joins.
    pub subnet: ComputeSubnetRef,
    /// `True` when the deployment certainly writes it, `Unknown` when conditionally.
    pub certainty: Tri,
}

impl NetworkCompute<'_> {
    /// The body path of the subnet in `resource`.
    pub(super) fn subnet_path(&self) -> &'static str {
        match self.kind {
            NetworkComputeKind::Serverless => {
                "properties.serverlessComputeSettings.serverlessComputeCustomSubnet"
            }
            _ => "properties.properties.subnet.id",
        }
    }

    /// The body path of the public-IP switch in `resource`.
    pub(super) fn public_ip_path(&self) -> &'static str {
        match self.kind {
            NetworkComputeKind::Serverless => {
                "properties.serverlessComputeSettings.serverlessComputeNoPublicIP"
            }
            _ => "properties.properties.enableNodePublicIp",
        }
    }

    /// How messages name the compute, at the start of a sentence ("Compute 'cpu-cluster'",
    /// "The serverless compute of workspace 'mlw'").
    pub(super) fn subject(&self) -> String {
        match self.kind {
            NetworkComputeKind::Serverless => format!(
                "The serverless compute of workspace '{}'",
                self.resource.display_name()
            ),
            _ => format!("Compute '{}'", self.resource.display_name()),
        }
    }

    /// The known subnet id, if any.
    pub(super) fn known_subnet(&self) -> Option<&ResourceId> {
        match &self.subnet {
            ComputeSubnetRef::Known(id) => Some(id),
            _ => None,
        }
    }

    /// `NO_PIP(c)`.
    pub(super) fn no_public_ip(&self, sets: &DerivedSets<'_>) -> Tri {
        match self.kind {
            NetworkComputeKind::Serverless => sets.serverless_no_public_ip(self.holder).value,
            _ => sets.compute_no_public_ip(self.holder).value,
        }
    }
}

fn subnet_ref(setting: Setting<'_, &str>) -> ComputeSubnetRef {
    match setting {
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) if vnet_of_subnet(&id).is_some() => ComputeSubnetRef::Known(id),
            _ => ComputeSubnetRef::Unknown,
        },
        Setting::Absent => ComputeSubnetRef::None,
        Setting::Unknown(_) => ComputeSubnetRef::Unknown,
    }
}

/// The instances and clusters the template writes for `workspace`, and its serverless compute
/// when it names a subnet or turns off public IPs. The flag is `true` when a compute of unknown
/// type may be one of them.
pub(super) fn network_computes<'g>(
    sets: &DerivedSets<'g>,
    workspace: NodeId,
) -> (Vec<NetworkCompute<'g>>, bool) {
    let mut found = Vec::new();
    let mut open = false;
    if let Some(resource) = resource_of(sets, workspace)
        && let Some(view) = Workspace::of(resource)
        && sets.written(workspace) != Tri::False
    {
        let subnet = subnet_ref(view.serverless_compute_custom_subnet());
        let flag_written = view.serverless_compute_no_public_ip().is_set();
        if !matches!(subnet, ComputeSubnetRef::None) || flag_written {
            found.push(NetworkCompute {
                holder: workspace,
                resource,
                kind: NetworkComputeKind::Serverless,
                subnet,
                certainty: sets.written(workspace),
            });
        }
    }
    for relation in sets
        .graph()
        .incoming(workspace, EdgeKind::ComputeOfWorkspace)
    {
        let compute = relation.from;
        let certainty = sets.written(compute);
        if certainty == Tri::False {
            continue;
        }
        let Some(resource) = resource_of(sets, compute) else {
            continue;
        };
        let Some(view) = Compute::of(resource) else {
            continue;
        };
        let kind = match view.compute_type() {
            Setting::Set(ComputeType::ComputeInstance) => NetworkComputeKind::Instance,
            Setting::Set(ComputeType::AmlCompute) => NetworkComputeKind::Cluster,
            Setting::Set(_) => continue,
            _ => {
                open = true;
                continue;
            }
        };
        found.push(NetworkCompute {
            holder: compute,
            resource,
            kind,
            subnet: subnet_ref(view.subnet_id()),
            certainty,
        });
    }
    (found, open)
}

/// Whether a workspace-endpoint VNet reaches a compute VNet, and which.
pub(super) struct EndpointReach {
    /// `True` when some `U ∈ PE_VNETS(w)` has `REACH(U, V)`.
    pub value: Tri,
    /// The endpoint VNet that reaches (or may reach) `V`.
    pub via: Option<EndpointVnet>,
}

/// `∃ U ∈ PE_VNETS(w): REACH(U, V)`, tri-state: an open endpoint set or an unknown peering
/// makes a missing reach `Unknown`.
pub(super) fn endpoint_reach(
    sets: &DerivedSets<'_>,
    endpoints: &TriSet<'_, EndpointVnet>,
    vnet: &ResourceId,
) -> EndpointReach {
    let mut value = Tri::False;
    let mut via = None;
    for member in &endpoints.members {
        let this = member
            .certainty
            .and(sets.reach(&member.item.vnet, vnet).value);
        if this.is_possible() && (via.is_none() || this == Tri::True && value != Tri::True) {
            via = Some(member.item.clone());
        }
        value = value.or(this);
    }
    if !endpoints.open.is_empty() {
        value = value.or(Tri::Unknown);
    }
    EndpointReach { value, via }
}

/// Whether `V` holds a workspace private endpoint (`V ∈ PE_VNETS(w)`).
pub(super) fn holds_endpoint(endpoints: &TriSet<'_, EndpointVnet>, vnet: &ResourceId) -> Tri {
    endpoints.any(|e| e.vnet.matches(vnet))
}

/// `LINKED` of the AML API and notebooks zones to a VNet, as far as the template shows: a zone
/// the template does not deploy, or a VNet whose DNS goes elsewhere (custom DNS), makes a
/// missing link `Unknown`.
pub(super) struct AmlZoneLinks {
    /// The API zone's name and whether `V` is linked to it.
    pub api: (&'static str, Tri),
    /// The notebooks zone's name and whether `V` is linked to it.
    pub notebooks: (&'static str, Tri),
}

impl AmlZoneLinks {
    /// The zones `V` is definitely not linked to.
    pub(super) fn missing(&self) -> Vec<&'static str> {
        [self.api, self.notebooks]
            .into_iter()
            .filter(|(_, linked)| linked.is_false())
            .map(|(zone, _)| zone)
            .collect()
    }

    /// Whether `V` is linked to both zones.
    pub(super) fn both(&self) -> Tri {
        self.api.1.and(self.notebooks.1)
    }
}

/// The root causes (C7, owned by AML-DNS-003) of `vnet` missing a link to the zones named
/// `zone_names`, as [`aml_zone_links`] found: one per declared zone of each name, since a link
/// is definitely missing only when every such zone lacks it.
pub(super) fn missing_link_causes(
    sets: &DerivedSets<'_>,
    zone_names: &[&str],
    vnet: &ResourceId,
) -> Vec<RootCause> {
    zone_names
        .iter()
        .flat_map(|name| declared_zones(sets, name))
        .filter_map(|(_, zone, _)| RootCause::missing_zone_link(zone.index, vnet))
        .collect()
}

/// Groups `finding` with every cause in `causes` (C7).
pub(super) fn grouped_with_all(finding: Finding, causes: Vec<RootCause>) -> Finding {
    causes.into_iter().fold(finding, Finding::grouped_with)
}

/// The AML zone links of `vnet`; `None` when the cloud has no AML zones.
pub(super) fn aml_zone_links(sets: &DerivedSets<'_>, vnet: &ResourceId) -> Option<AmlZoneLinks> {
    let zones = aml_zones(sets)?;
    let custom_dns = sets.custom_dns(vnet).value;
    let linked = |name: &'static str| {
        let mut value = Tri::False;
        let mut any_zone = false;
        for (node, zone, is_named) in declared_zones(sets, name) {
            any_zone = true;
            // A zone declared `existing` or deployed under a condition may have links the
            // template does not show: at best `Unknown`.
            let present = written(zone).or(Tri::Unknown);
            value = value.or(present.and(is_named).and(sets.linked(node, vnet).value));
        }
        if !any_zone || (value == Tri::False && custom_dns != Tri::False) {
            // Zones deployed elsewhere, or resolvers elsewhere: the links are invisible.
            value = value.or(Tri::Unknown);
        }
        (name, value)
    };
    Some(AmlZoneLinks {
        api: linked(zones.api),
        notebooks: linked(zones.notebooks),
    })
}

/// A VNet's name for messages.
pub(super) fn vnet_name(vnet: &ResourceId) -> String {
    id_name(vnet)
}

/// The declared resource of a VNet (or subnet), when the template declares it.
pub(super) fn declared_resource<'g>(
    sets: &DerivedSets<'g>,
    id: &ResourceId,
) -> Option<&'g Resource> {
    sets.graph()
        .find(id)
        .and_then(|node| resource_of(sets, node))
}

/// The normalised region of `HUB(w)` (C2); `None` when unknown (a hub deployed elsewhere, a
/// region known only at deployment).
pub(super) fn hub_region(sets: &DerivedSets<'_>, workspace: NodeId) -> Option<String> {
    let hub = sets.hub(workspace).node()?;
    if sets.written(hub) == Tri::False {
        return None;
    }
    resource_of(sets, hub)
        .and_then(Workspace::of)
        .and_then(|view| view.location().known())
}

/// The name of `HUB(w)` for messages.
pub(super) fn hub_name(sets: &DerivedSets<'_>, workspace: NodeId) -> String {
    node_name(sets, sets.hub(workspace).node().unwrap_or(workspace))
}
