//! Indexes of model facts that the derived sets and the DNS rules look up once per workspace,
//! endpoint or zone: children by parent, zone-group references, DNS resources by zone name.
//! Each is built on first use, once per graph, so a question costs its candidates instead of a
//! scan of the template (which made large templates quadratic). Every lookup returns a superset
//! of the resources the old scans did not rule out, in declaration order, so callers keep their
//! exact tri-state tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::expr::Cloud;

use crate::model::kinds::{
    Cause, PrivateDnsZone, PrivateDnsZoneGroup, Setting, VirtualNetworkLink,
};
use crate::model::{Resource, ResourceId, ResourceSet};

/// Type name of a private endpoint's zone groups.
pub(crate) const ZONE_GROUP_TYPE: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";

/// Type name of a private DNS zone's virtual network links.
pub(crate) const LINK_TYPE: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";

/// Resources by the key of the parent their id nests under, per resource type.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChildIndex {
    /// Lower-case type → parent key → child resource indexes.
    by_parent: HashMap<Box<str>, HashMap<Box<str>, Vec<usize>>>,
    /// Lower-case type → resources with no id or an id with unknown segments: they may nest
    /// under any parent.
    uncertain: HashMap<Box<str>, Vec<usize>>,
}

impl ChildIndex {
    pub(crate) fn build(set: &ResourceSet) -> ChildIndex {
        let mut index = ChildIndex::default();
        for resource in set.iter() {
            let resource_type = resource.resource_type.to_ascii_lowercase().into_boxed_str();
            match &resource.id {
                Some(id) if !id.has_unknown() => {
                    if let Some(parent) = id.child_parent_key() {
                        index
                            .by_parent
                            .entry(resource_type)
                            .or_default()
                            .entry(parent.into())
                            .or_default()
                            .push(resource.index);
                    }
                }
                _ => index
                    .uncertain
                    .entry(resource_type)
                    .or_default()
                    .push(resource.index),
            }
        }
        index
    }

    /// Resources of `child_type` with no id or an id with unknown segments, in declaration
    /// order: they may nest under any parent.
    pub(crate) fn uncertain(&self, child_type: &str) -> &[usize] {
        self.uncertain
            .get(child_type.to_ascii_lowercase().as_str())
            .map_or(&[][..], Vec::as_slice)
    }

    /// Indexes of the resources of `child_type` whose `is_child_of(parent)` may be other than
    /// `False`, in declaration order; `None` when `parent` has unknown segments (any resource of
    /// the type may then be a child).
    pub(crate) fn candidates(&self, child_type: &str, parent: &ResourceId) -> Option<Vec<usize>> {
        if parent.has_unknown() {
            return None;
        }
        let child_type = child_type.to_ascii_lowercase();
        let known = self
            .by_parent
            .get(child_type.as_str())
            .and_then(|parents| parents.get(parent.key()))
            .map_or(&[][..], Vec::as_slice);
        let uncertain = self
            .uncertain
            .get(child_type.as_str())
            .map_or(&[][..], Vec::as_slice);
        Some(merge_sorted(known, uncertain))
    }
}

/// Two ascending index lists merged in declaration order (each list is in resource order).
pub(crate) fn merge_sorted(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out.sort_unstable();
    out.dedup();
    out
}

/// One entry of a zone group: the entry's body path and the zone name it names.
#[derive(Debug, Clone)]
pub(crate) struct ZoneReference {
    /// `properties.privateDnsZoneConfigs.<i>.properties.privateDnsZoneId` (JSON-pointer form).
    pub path: String,
    /// The zone name (last segment of the id).
    pub zone: Setting<'static, String>,
}

/// The zone name (last segment) of a zone id written in a zone group.
pub(crate) fn zone_name_of_id(id: Setting<'_, &str>) -> Setting<'static, String> {
    match id {
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) => match id.last_name().and_then(|s| s.as_known()) {
                Some(name) => Setting::Set(name.to_owned()),
                None => Setting::Unknown(Cause::UnresolvedId),
            },
            Err(_) => Setting::Absent,
        },
        Setting::Absent => Setting::Absent,
        Setting::Unknown(_) => Setting::Unknown(Cause::UnresolvedId),
    }
}

/// The zones a zone group references; `Err(())` when the list itself is known only at
/// deployment.
pub(crate) fn parse_zone_references(group: &Resource) -> Result<Vec<ZoneReference>, ()> {
    let Some(view) = PrivateDnsZoneGroup::of(group) else {
        return Ok(Vec::new());
    };
    match view.zone_ids() {
        Setting::Set(ids) | Setting::Default(ids) => Ok(ids
            .into_iter()
            .enumerate()
            .map(|(index, id)| ZoneReference {
                path: format!(
                    "properties.privateDnsZoneConfigs.{index}.properties.privateDnsZoneId"
                ),
                zone: zone_name_of_id(id),
            })
            .collect()),
        Setting::Absent => Ok(Vec::new()),
        Setting::Unknown(_) => Err(()),
    }
}

/// The key a DNS zone name is looked up by: C1 compares names ignoring case and a trailing dot.
fn zone_key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Resources by a zone name they carry, with those whose name is known only at deployment.
#[derive(Debug, Clone, Default)]
pub(crate) struct ByZoneName {
    by_name: HashMap<String, Vec<usize>>,
    unknown: Vec<usize>,
}

impl ByZoneName {
    fn add<T: AsRef<str>>(&mut self, index: usize, name: &Setting<'_, T>) {
        match name {
            Setting::Set(name) | Setting::Default(name) => {
                let entry = self.by_name.entry(zone_key(name.as_ref())).or_default();
                // A group naming one zone twice is listed once.
                if entry.last() != Some(&index) {
                    entry.push(index);
                }
            }
            Setting::Unknown(_) => {
                if self.unknown.last() != Some(&index) {
                    self.unknown.push(index);
                }
            }
            // An absent name matches no zone.
            Setting::Absent => {}
        }
    }

    /// Indexes of the resources whose name may be `wanted` (compared as `same_name` does: the
    /// resource's name without a trailing dot, ignoring case), in declaration order.
    pub(crate) fn candidates(&self, wanted: &str) -> Vec<usize> {
        let known = self
            .by_name
            .get(&wanted.to_ascii_lowercase())
            .map_or(&[][..], Vec::as_slice);
        merge_sorted(known, &self.unknown)
    }
}

/// The DNS facts of a graph: zone-group references and private DNS zones by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct DnsIndex {
    /// Resource index of a zone group → its references (`Err` for a list known only at
    /// deployment); parsed once instead of once per workspace, endpoint and zone.
    references: HashMap<usize, Result<Vec<ZoneReference>, ()>>,
    /// Zone groups by the zone names their entries reference; a group with an unknown list
    /// counts as unknown-named.
    pub(crate) groups_by_zone: ByZoneName,
    /// Private DNS zones by name.
    pub(crate) zones_by_name: ByZoneName,
    /// Virtual network link (resource index) → its `virtualNetwork.id` parsed, when written as
    /// text: `LINKED` compares it with every VNet that needs the zone.
    link_vnets: HashMap<usize, Result<ResourceId, ()>>,
    /// Links with a fully known id and a fully known `virtualNetwork.id`: zone key → VNet key →
    /// link indexes. `LINKED(zone, v)` looks up its VNet instead of walking every link of a zone
    /// that thousands of VNets share.
    links_by_vnet: HashMap<Box<str>, HashMap<Box<str>, Vec<usize>>>,
    /// Links with a fully known id whose VNet is not fully known: zone key → link indexes.
    vague_links: HashMap<Box<str>, Vec<usize>>,
}

impl DnsIndex {
    pub(crate) fn build(set: &ResourceSet) -> DnsIndex {
        let mut index = DnsIndex::default();
        for group in set.of_type(ZONE_GROUP_TYPE) {
            let references = parse_zone_references(group);
            match &references {
                Ok(entries) => {
                    for entry in entries {
                        index.groups_by_zone.add(group.index, &entry.zone);
                    }
                }
                Err(()) => index
                    .groups_by_zone
                    .add::<&str>(group.index, &Setting::Unknown(Cause::UnresolvedId)),
            }
            index.references.insert(group.index, references);
        }
        for zone in set.of_type("Microsoft.Network/privateDnsZones") {
            if let Some(view) = PrivateDnsZone::of(zone) {
                index.zones_by_name.add(zone.index, &view.zone_name());
            }
        }
        for link in set.of_type(LINK_TYPE) {
            if let Some(view) = VirtualNetworkLink::of(link)
                && let Setting::Set(text) | Setting::Default(text) = view.virtual_network_id()
            {
                let parsed = ResourceId::parse(text).map_err(|_| ());
                index.link_vnets.insert(link.index, parsed);
            }
            let Some(zone) = link
                .id
                .as_ref()
                .filter(|id| !id.has_unknown())
                .and_then(ResourceId::child_parent_key)
            else {
                continue;
            };
            match index.link_vnets.get(&link.index) {
                Some(Ok(vnet)) if !vnet.has_unknown() => index
                    .links_by_vnet
                    .entry(zone.into())
                    .or_default()
                    .entry(vnet.key().into())
                    .or_default()
                    .push(link.index),
                _ => index
                    .vague_links
                    .entry(zone.into())
                    .or_default()
                    .push(link.index),
            }
        }
        index
    }

    /// Indexes of the links with a known id under `zone` that may link `vnet` (both fully
    /// known): those naming exactly `vnet`, and those whose VNet is not fully known, in
    /// declaration order. Links with an id not fully known are not included.
    pub(crate) fn links_to(&self, zone: &ResourceId, vnet: &ResourceId) -> Vec<usize> {
        let exact = self
            .links_by_vnet
            .get(zone.key())
            .and_then(|by_vnet| by_vnet.get(vnet.key()))
            .map_or(&[][..], Vec::as_slice);
        let vague = self
            .vague_links
            .get(zone.key())
            .map_or(&[][..], Vec::as_slice);
        merge_sorted(exact, vague)
    }

    /// The parsed `virtualNetwork.id` of a virtual network link; `None` when it is not written
    /// as text (absent or known only at deployment).
    pub(crate) fn link_vnet(&self, link: usize) -> Option<Result<&ResourceId, ()>> {
        self.link_vnets
            .get(&link)
            .map(|parsed| parsed.as_ref().map_err(|_| ()))
    }

    /// The references of a zone group; an empty list for a resource that is not one.
    pub(crate) fn references(&self, group: &Resource) -> Result<&[ZoneReference], ()> {
        match self.references.get(&group.index) {
            Some(Ok(entries)) => Ok(entries),
            Some(Err(())) => Err(()),
            None => Ok(&[]),
        }
    }
}

/// Which `ZONES(cloud, groupId)` names the zone-ish resources of a graph carry, summarised for
/// `DNS_MANAGED`: its zone part does not depend on the endpoint, so it is computed once per
/// cloud and group id. Node-free on purpose (resource indexes only), so it can live in the graph.
#[derive(Debug, Clone, Default)]
pub(crate) struct ZoneCoverage {
    /// The first written zone, `A` record set or link (in the order the old scan visited them)
    /// whose membership is `True`.
    pub(crate) first_true: Option<usize>,
    /// Those whose membership is `Unknown`, in scan order.
    pub(crate) unknown: Vec<usize>,
    /// All of them, in scan order (the explanation of a `False` or `Unknown` answer).
    pub(crate) all: Vec<usize>,
}

/// [`ZoneCoverage`] per cloud and group id (as written: `ZONES` decides how it compares them).
#[derive(Debug, Default)]
pub(crate) struct CoverageCache(Mutex<HashMap<CoverageKey, Arc<ZoneCoverage>>>);

/// A cloud and a group id.
type CoverageKey = (Cloud, Box<str>);

impl Clone for CoverageCache {
    /// A clone starts empty: the cache is recomputed on demand.
    fn clone(&self) -> CoverageCache {
        CoverageCache::default()
    }
}

impl CoverageCache {
    pub(crate) fn get_or_compute(
        &self,
        cloud: Cloud,
        group_id: &str,
        compute: impl FnOnce() -> ZoneCoverage,
    ) -> Arc<ZoneCoverage> {
        let key = (cloud, Box::<str>::from(group_id));
        // A poisoned lock only means another rule panicked mid-insert; the map stays valid.
        let cached = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(coverage) = cached {
            return coverage;
        }
        // Computed outside the lock: a concurrent duplicate costs one scan, never a deadlock.
        let coverage = Arc::new(compute());
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert(coverage)
            .clone()
    }
}
