//! The relation graph: every resource of a deployment (deployed, `existing`, skipped) and every
//! resource it refers to without deploying (external), connected by typed edges that say how one
//! refers to the other.
//!
//! Built once per expansion in O(n log n) (ids are indexed by their normalized key; nothing
//! compares all pairs). petgraph stays inside this module: the public API speaks of
//! [`NodeId`]s, [`Relation`]s and [`crate::model::Resource`]s.

mod dependencies;
mod derived;
mod export;
mod indexes;

pub(crate) use indexes::{LINK_TYPE, ZONE_GROUP_TYPE, ZoneCoverage, ZoneReference};

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::expr::{IdUsage, Value};
use crate::model::{DeploymentState, OneOrMore, Prop, Resource, ResourceId, ResourceSet, read};

pub use dependencies::{CODES, DependencyIssue, MAX_DEPENDENCY_SEARCH};
pub use derived::{
    Answer, Associated, AssociatedRole, CloudNotice, CloudResolution, CloudSource, ComputeSubnet,
    ComputeSubnetSource, DerivedCache, DerivedSets, EffectivePublicAccess, EndpointVnet, Hub,
    IpRule, Member, Pna, PnaBasis, RegionClouds, Subject, TriSet, UnknownInput, ZoneRequirement,
    aml_forwarders, cloud_of_region, private_link_zone, resolve_cloud, valid_group_ids,
    vnet_of_subnet, zone_name_matches, zones,
};
pub use export::GraphFormat;

/// How one resource refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EdgeKind {
    /// An explicit `dependsOn` entry.
    DependsOn,
    /// Child → parent (by name, by nesting, or inline declaration).
    Parent,
    /// Any string in the body that is a resource id, and ids recorded by `resourceId()`,
    /// `reference()` and `list*()`.
    PropertyRef,
    /// Private endpoint → the resource it connects to (group ids in [`Relation::group_ids`]).
    PrivateLinkTarget,
    /// Private endpoint, NIC, compute, AKS pool or serverless compute → its subnet.
    InSubnet,
    /// Private DNS zone group → a zone it names.
    ZoneGroupZone,
    /// Private DNS zone virtual network link → the linked VNet.
    ZoneLinkVnet,
    /// VNet → the remote VNet of one of its peerings.
    Peering,
    /// Subnet or NIC → its network security group.
    NsgAttachment,
    /// Subnet → its route table.
    RouteTableAttachment,
    /// Workspace → an associated resource (role in [`Relation::role`]).
    WorkspaceAssociated,
    /// Compute → its workspace.
    ComputeOfWorkspace,
    /// Online endpoint → its workspace.
    EndpointOfWorkspace,
    /// Project workspace → its hub.
    HubOfProject,
}

impl EdgeKind {
    /// Every kind, in a stable order.
    pub const ALL: &'static [EdgeKind] = &[
        EdgeKind::DependsOn,
        EdgeKind::Parent,
        EdgeKind::PropertyRef,
        EdgeKind::PrivateLinkTarget,
        EdgeKind::InSubnet,
        EdgeKind::ZoneGroupZone,
        EdgeKind::ZoneLinkVnet,
        EdgeKind::Peering,
        EdgeKind::NsgAttachment,
        EdgeKind::RouteTableAttachment,
        EdgeKind::WorkspaceAssociated,
        EdgeKind::ComputeOfWorkspace,
        EdgeKind::EndpointOfWorkspace,
        EdgeKind::HubOfProject,
    ];

    /// A short name for pictures and messages (`PrivateLinkTarget`).
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::DependsOn => "DependsOn",
            EdgeKind::Parent => "Parent",
            EdgeKind::PropertyRef => "PropertyRef",
            EdgeKind::PrivateLinkTarget => "PrivateLinkTarget",
            EdgeKind::InSubnet => "InSubnet",
            EdgeKind::ZoneGroupZone => "ZoneGroupZone",
            EdgeKind::ZoneLinkVnet => "ZoneLinkVnet",
            EdgeKind::Peering => "Peering",
            EdgeKind::NsgAttachment => "NsgAttachment",
            EdgeKind::RouteTableAttachment => "RouteTableAttachment",
            EdgeKind::WorkspaceAssociated => "WorkspaceAssociated",
            EdgeKind::ComputeOfWorkspace => "ComputeOfWorkspace",
            EdgeKind::EndpointOfWorkspace => "EndpointOfWorkspace",
            EdgeKind::HubOfProject => "HubOfProject",
        }
    }
}

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    fn index(self) -> NodeIndex {
        NodeIndex::new(self.0 as usize)
    }

    fn of(index: NodeIndex) -> NodeId {
        NodeId(u32::try_from(index.index()).unwrap_or(u32::MAX))
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy)]
pub enum Node<'g> {
    /// A resource of the deployment (deployed, maybe deployed, skipped or `existing`).
    Resource(&'g Resource),
    /// A resource the deployment refers to but does not declare.
    External(&'g ResourceId),
}

impl<'g> Node<'g> {
    /// The id, when known.
    pub fn id(self) -> Option<&'g ResourceId> {
        match self {
            Node::Resource(r) => r.id.as_ref(),
            Node::External(id) => Some(id),
        }
    }

    /// Whether the node has this resource type (ignoring case).
    pub fn is_type(self, resource_type: &str) -> bool {
        match self {
            Node::Resource(r) => r.is_type(resource_type),
            Node::External(id) => id.is_type(resource_type),
        }
    }

    /// The resource, when the deployment declares it.
    pub fn resource(self) -> Option<&'g Resource> {
        match self {
            Node::Resource(r) => Some(r),
            Node::External(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
enum NodeData {
    Resource(usize),
    External(ResourceId),
}

/// One edge: how `from` refers to `to`, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The kind of reference.
    pub kind: EdgeKind,
    /// The referring node.
    pub from: NodeId,
    /// The referred node.
    pub to: NodeId,
    /// The resource whose body holds the reference: `from`, except for [`EdgeKind::Peering`],
    /// which leaves the VNet but is held by the peering.
    pub holder: NodeId,
    /// The body path holding the reference (`properties.subnet.id`), with array indexes
    /// (`properties.privateLinkServiceConnections[0].properties.privateLinkServiceId`); empty for
    /// edges that come from names or nesting.
    pub path: String,
    /// Private-link group ids (`amlworkspace`), for [`EdgeKind::PrivateLinkTarget`].
    pub group_ids: Vec<String>,
    /// A role: `storageAccount`, `keyVault`… for [`EdgeKind::WorkspaceAssociated`]; `manual` for a
    /// manual private-link connection.
    pub role: Option<String>,
}

/// The relation graph of one deployment.
#[derive(Debug, Clone)]
pub struct ResourceGraph {
    set: ResourceSet,
    graph: DiGraph<NodeData, Relation>,
    resource_nodes: Vec<NodeIndex>,
    /// Normalized id → the nodes with that id, the declared ones first.
    by_key: HashMap<Box<str>, OneOrMore<NodeIndex>, foldhash::fast::RandomState>,
    /// The cloud the regions imply, resolved on first use (every rule asks for it).
    region_cloud: std::sync::OnceLock<CloudResolution>,
    /// Private endpoints by the resource their connections target, built on first use.
    link_targets: std::sync::OnceLock<LinkTargets>,
    /// Resources by the parent their id nests under, built on first use.
    children: std::sync::OnceLock<indexes::ChildIndex>,
    /// Zone-group references and zones by name, built on first use.
    dns: std::sync::OnceLock<indexes::DnsIndex>,
    /// `DNS_MANAGED`'s endpoint-independent zone part, per cloud and group id.
    zone_coverage: indexes::CoverageCache,
    /// Hub node → the written workspaces whose `HUB(w)` it is, in declaration order.
    workspaces_by_hub: std::sync::OnceLock<HashMap<NodeId, Vec<NodeId>>>,
}

/// Private endpoints by the id their connections target: the derived sets ask "which endpoints
/// reach this workspace" once per workspace and rule, and a scan of every endpoint with its ids
/// parsed each time made large templates quadratic.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkTargets {
    /// Key of a fully known target id → the endpoints (resource indexes) with a connection to it.
    pub(crate) by_target: HashMap<Box<str>, Vec<usize>>,
    /// Endpoints that may target anything: existing ones, and those whose connections or target
    /// ids are known only at deployment.
    pub(crate) uncertain: Vec<usize>,
}

impl LinkTargets {
    fn build(set: &ResourceSet) -> LinkTargets {
        use crate::model::DeploymentState;
        use crate::model::kinds::PrivateEndpoint;
        use crate::model::kinds::Setting;
        let mut index = LinkTargets::default();
        for resource in set.of_type("Microsoft.Network/privateEndpoints") {
            match resource.state {
                DeploymentState::Skipped => continue,
                DeploymentState::Existing => {
                    index.uncertain.push(resource.index);
                    continue;
                }
                _ => {}
            }
            let Some(view) = PrivateEndpoint::of(resource) else {
                continue;
            };
            let connections = match view.connections() {
                Setting::Set(c) | Setting::Default(c) => c,
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    index.uncertain.push(resource.index);
                    continue;
                }
            };
            for connection in connections {
                match connection.target {
                    Setting::Set(text) => match ResourceId::parse(text) {
                        Ok(id) if id.has_unknown() => index.uncertain.push(resource.index),
                        Ok(id) => index
                            .by_target
                            .entry(id.key().into())
                            .or_default()
                            .push(resource.index),
                        Err(_) => {}
                    },
                    Setting::Unknown(_) => index.uncertain.push(resource.index),
                    Setting::Absent | Setting::Default(_) => {}
                }
            }
        }
        index
    }
}

impl ResourceGraph {
    /// The cloud the deployed resources' regions imply (C3, no cloud named by the caller),
    /// computed once per graph.
    pub fn region_cloud(&self) -> &CloudResolution {
        self.region_cloud
            .get_or_init(|| resolve_cloud(&self.set, None))
    }

    /// Private endpoints by the resource their connections target.
    pub(crate) fn link_targets(&self) -> &LinkTargets {
        self.link_targets
            .get_or_init(|| LinkTargets::build(&self.set))
    }

    /// The resources of `child_type` that may be children of `parent` (`is_child_of` not
    /// `False`), in declaration order: the indexed candidates, or every resource of the type
    /// when `parent` has unknown segments.
    pub(crate) fn child_candidates<'g>(
        &'g self,
        child_type: &'static str,
        parent: &ResourceId,
    ) -> Vec<&'g Resource> {
        let index = self
            .children
            .get_or_init(|| indexes::ChildIndex::build(&self.set));
        match index.candidates(child_type, parent) {
            Some(indexes) => indexes
                .into_iter()
                .filter_map(|i| self.set.get(i))
                .collect(),
            None => self.set.of_type(child_type).collect(),
        }
    }

    /// The virtual network links of `zone` that may link `vnet` (not those with a fully known id
    /// under `zone` naming another fully known VNet), in declaration order; `None` when either
    /// id is not fully known.
    pub(crate) fn link_candidates<'g>(
        &'g self,
        zone: &ResourceId,
        vnet: &ResourceId,
    ) -> Option<Vec<&'g Resource>> {
        if zone.has_unknown() || vnet.has_unknown() {
            return None;
        }
        let children = self
            .children
            .get_or_init(|| indexes::ChildIndex::build(&self.set));
        let uncertain = children.uncertain(LINK_TYPE);
        let known = self.dns_index().links_to(zone, vnet);
        Some(
            indexes::merge_sorted(&known, uncertain)
                .into_iter()
                .filter_map(|i| self.set.get(i))
                .collect(),
        )
    }

    /// Zone-group references and private DNS zones by name.
    pub(crate) fn dns_index(&self) -> &indexes::DnsIndex {
        self.dns.get_or_init(|| indexes::DnsIndex::build(&self.set))
    }

    /// The references of a zone group (parsed once per graph); `Err(())` when the list itself
    /// is known only at deployment, an empty list for a resource that is no zone group.
    pub(crate) fn zone_references(&self, group: &Resource) -> Result<&[ZoneReference], ()> {
        self.dns_index().references(group)
    }

    /// The zone groups whose entries may reference zone `zone`, in declaration order.
    pub(crate) fn zone_groups_referencing(&self, zone: &str) -> Vec<&Resource> {
        self.resources_at(self.dns_index().groups_by_zone.candidates(zone))
    }

    /// The private DNS zones whose name may be `name`, in declaration order.
    pub(crate) fn zones_named(&self, name: &str) -> Vec<&Resource> {
        self.resources_at(self.dns_index().zones_by_name.candidates(name))
    }

    fn resources_at(&self, indexes: Vec<usize>) -> Vec<&Resource> {
        indexes
            .into_iter()
            .filter_map(|i| self.set.get(i))
            .collect()
    }

    /// `DNS_MANAGED`'s zone part for a cloud and group id, computed by `compute` on first use.
    pub(crate) fn zone_coverage(
        &self,
        cloud: crate::expr::Cloud,
        group_id: &str,
        compute: impl FnOnce() -> ZoneCoverage,
    ) -> std::sync::Arc<ZoneCoverage> {
        self.zone_coverage.get_or_compute(cloud, group_id, compute)
    }

    /// The written workspaces by their `HUB(w)` node, built by `build` on first use (the hub
    /// relation is the derived sets'; the graph only keeps it).
    pub(crate) fn workspaces_by_hub(
        &self,
        build: impl FnOnce() -> HashMap<NodeId, Vec<NodeId>>,
    ) -> &HashMap<NodeId, Vec<NodeId>> {
        self.workspaces_by_hub.get_or_init(build)
    }

    /// Builds the graph of a resource set.
    pub fn build(set: ResourceSet) -> ResourceGraph {
        let mut graph = ResourceGraph {
            graph: DiGraph::with_capacity(set.len(), set.len() * 2),
            resource_nodes: Vec::with_capacity(set.len()),
            by_key: HashMap::with_capacity_and_hasher(set.len(), Default::default()),
            region_cloud: std::sync::OnceLock::new(),
            link_targets: std::sync::OnceLock::new(),
            children: std::sync::OnceLock::new(),
            dns: std::sync::OnceLock::new(),
            zone_coverage: indexes::CoverageCache::default(),
            workspaces_by_hub: std::sync::OnceLock::new(),
            set,
        };
        for resource in graph.set.iter() {
            let node = graph.graph.add_node(NodeData::Resource(resource.index));
            graph.resource_nodes.push(node);
            if let Some(id) = &resource.id {
                OneOrMore::push_into(&mut graph.by_key, id.key(), node);
            }
        }
        // Prefer what the deployment writes when several declarations share an id.
        for nodes in graph.by_key.values_mut() {
            let set = &graph.set;
            let graph_nodes = &graph.graph;
            nodes
                .as_mut_slice()
                .sort_by_key(|n| match graph_nodes.node_weight(*n) {
                    Some(NodeData::Resource(i)) => set.get(*i).map_or(4, |r| state_rank(r.state)),
                    _ => 5,
                });
        }
        // One resource's candidates at a time: gathering every candidate first held each
        // reference's parsed id at once (at 10,000 resources, more than the finished graph).
        for index in 0..graph.set.len() {
            let Some(resource) = graph.set.get(index) else {
                continue;
            };
            for candidate in EdgeCandidate::of(resource, &IdResolver { graph: &graph }) {
                graph.add(candidate);
            }
        }
        graph
    }

    fn add(&mut self, candidate: EdgeCandidate) {
        let Some(&holder) = self.resource_nodes.get(candidate.holder) else {
            return;
        };
        let from = match candidate.from {
            Target::Index(i) => match self.resource_nodes.get(i) {
                Some(&node) => node,
                None => return,
            },
            Target::Node(node) => node,
            Target::Id(id) => self.node_for_id(id),
        };
        let to = match candidate.to {
            Target::Index(i) => match self.resource_nodes.get(i) {
                Some(&node) => node,
                None => return,
            },
            Target::Node(node) => node,
            Target::Id(id) => self.node_for_id(id),
        };
        if from == to {
            return;
        }
        let relation = Relation {
            kind: candidate.kind,
            from: NodeId::of(from),
            to: NodeId::of(to),
            holder: NodeId::of(holder),
            path: candidate.path,
            group_ids: candidate.group_ids,
            role: candidate.role,
        };
        // One edge per kind, pair and path.
        let duplicate = self
            .graph
            .edges_connecting(from, to)
            .any(|e| e.weight().kind == relation.kind && e.weight().path == relation.path);
        if !duplicate {
            self.graph.add_edge(from, to, relation);
        }
    }

    /// The node of a declared resource with this id, else an external node (created once).
    fn node_for_id(&mut self, id: ResourceId) -> NodeIndex {
        if let Some(&node) = self
            .by_key
            .get(id.key())
            .and_then(|nodes| nodes.as_slice().first())
        {
            return node;
        }
        let key: Box<str> = id.key().into();
        let node = self.graph.add_node(NodeData::External(id));
        self.by_key.insert(key, OneOrMore::One(node));
        node
    }

    /// The resources.
    pub fn resources(&self) -> &ResourceSet {
        &self.set
    }

    /// The node of resource `index` of the [`ResourceSet`].
    pub fn node_of(&self, index: usize) -> Option<NodeId> {
        self.resource_nodes.get(index).copied().map(NodeId::of)
    }

    /// What a node stands for.
    pub fn node(&self, node: NodeId) -> Option<Node<'_>> {
        match self.graph.node_weight(node.index())? {
            NodeData::Resource(i) => self.set.get(*i).map(Node::Resource),
            NodeData::External(id) => Some(Node::External(id)),
        }
    }

    /// Every node.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.graph.node_indices().map(NodeId::of)
    }

    /// The node with this id (declared resources first), if any.
    pub fn find(&self, id: &ResourceId) -> Option<NodeId> {
        self.by_key
            .get(id.key())
            .and_then(|nodes| nodes.as_slice().first())
            .copied()
            .map(NodeId::of)
    }

    /// Every edge.
    pub fn relations(&self) -> impl Iterator<Item = &Relation> {
        self.graph.edge_weights()
    }

    /// Edges of `kind` leaving `node`.
    pub fn outgoing(&self, node: NodeId, kind: EdgeKind) -> impl Iterator<Item = &Relation> {
        self.graph
            .edges_directed(node.index(), Direction::Outgoing)
            .map(|e| e.weight())
            .filter(move |r| r.kind == kind)
    }

    /// Edges of `kind` arriving at `node`.
    pub fn incoming(&self, node: NodeId, kind: EdgeKind) -> impl Iterator<Item = &Relation> {
        self.graph
            .edges_directed(node.index(), Direction::Incoming)
            .map(|e| e.weight())
            .filter(move |r| r.kind == kind)
    }

    /// Number of edges of each kind.
    pub fn edge_counts(&self) -> HashMap<EdgeKind, usize> {
        let mut counts = HashMap::new();
        for relation in self.relations() {
            *counts.entry(relation.kind).or_default() += 1;
        }
        counts
    }
}

fn state_rank(state: DeploymentState) -> u8 {
    match state {
        DeploymentState::Deployed => 0,
        DeploymentState::MaybeDeployed => 1,
        DeploymentState::Existing => 2,
        DeploymentState::Skipped => 3,
    }
}

enum Target {
    Index(usize),
    /// A node found from the id's text (see [`IdResolver`]).
    Node(NodeIndex),
    Id(ResourceId),
}

/// Id texts longer than this are always parsed (Azure's limits keep real ids far shorter).
const ID_KEY_BUFFER_BYTES: usize = 512;

/// Turns the id strings of a body into edge targets. The id of a node the graph already has is
/// found from its lower-cased text, which for a valid id is its [`ResourceId::key`]: parsing
/// every id string (a string per segment, the key, the validation) was nearly half of building
/// the graph, and nearly every id a template writes names a resource it declares.
struct IdResolver<'g> {
    graph: &'g ResourceGraph,
}

impl IdResolver<'_> {
    /// The target `text` names, when it is a resource id; `resource_only` keeps ids of
    /// resources and drops those of scopes (a subscription, a resource group).
    fn target(&self, text: &str, resource_only: bool) -> Option<Target> {
        if let Some(node) = self.known_node(text) {
            let kind = match self.graph.graph.node_weight(node)? {
                NodeData::Resource(i) => self.graph.set.get(*i)?.id.as_ref()?.kind(),
                NodeData::External(id) => id.kind(),
            };
            return (!resource_only || kind == crate::model::IdKind::Resource)
                .then_some(Target::Node(node));
        }
        let id = ResourceId::parse(text).ok()?;
        (!resource_only || id.kind() == crate::model::IdKind::Resource).then_some(Target::Id(id))
    }

    /// The node whose key is `text` lower-cased. Only ASCII texts without `?` qualify: the keys
    /// of non-ASCII ids fold case beyond ASCII, and a key marks an unknown segment with `?`,
    /// which no valid id text contains (the graph's ids are all parsed from text today, so
    /// such keys do not occur; the check keeps that from mattering).
    fn known_node(&self, text: &str) -> Option<NodeIndex> {
        if !text.is_ascii() || text.len() > ID_KEY_BUFFER_BYTES || text.contains('?') {
            return None;
        }
        let mut buffer = [0; ID_KEY_BUFFER_BYTES];
        let key = crate::model::ascii_lowercase_in(text, &mut buffer);
        self.graph
            .by_key
            .get(key.as_ref())?
            .as_slice()
            .first()
            .copied()
    }
}

/// An edge found in a resource, before its target is resolved to a node.
struct EdgeCandidate {
    /// The resource holding the reference.
    holder: usize,
    from: Target,
    to: Target,
    kind: EdgeKind,
    path: String,
    group_ids: Vec<String>,
    role: Option<String>,
}

/// The semantic references of each resource type: (type, path with `[*]`, edge kind, role).
const SEMANTIC_PATHS: &[(&str, &str, EdgeKind, Option<&str>)] = &[
    (
        "Microsoft.Network/privateEndpoints",
        "properties.subnet.id",
        EdgeKind::InSubnet,
        None,
    ),
    (
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "properties.privateDnsZoneConfigs[*].properties.privateDnsZoneId",
        EdgeKind::ZoneGroupZone,
        None,
    ),
    (
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "properties.virtualNetwork.id",
        EdgeKind::ZoneLinkVnet,
        None,
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets",
        "properties.networkSecurityGroup.id",
        EdgeKind::NsgAttachment,
        None,
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets",
        "properties.routeTable.id",
        EdgeKind::RouteTableAttachment,
        None,
    ),
    (
        "Microsoft.Network/networkInterfaces",
        "properties.ipConfigurations[*].properties.subnet.id",
        EdgeKind::InSubnet,
        None,
    ),
    (
        "Microsoft.Network/networkInterfaces",
        "properties.networkSecurityGroup.id",
        EdgeKind::NsgAttachment,
        None,
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.storageAccount",
        EdgeKind::WorkspaceAssociated,
        Some("storageAccount"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.keyVault",
        EdgeKind::WorkspaceAssociated,
        Some("keyVault"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.containerRegistry",
        EdgeKind::WorkspaceAssociated,
        Some("containerRegistry"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.applicationInsights",
        EdgeKind::WorkspaceAssociated,
        Some("applicationInsights"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.storageAccounts[*]",
        EdgeKind::WorkspaceAssociated,
        Some("storageAccount"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.keyVaults[*]",
        EdgeKind::WorkspaceAssociated,
        Some("keyVault"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.containerRegistries[*]",
        EdgeKind::WorkspaceAssociated,
        Some("containerRegistry"),
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.hubResourceId",
        EdgeKind::HubOfProject,
        None,
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        "properties.serverlessComputeSettings.serverlessComputeCustomSubnet",
        EdgeKind::InSubnet,
        None,
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes",
        "properties.properties.subnet.id",
        EdgeKind::InSubnet,
        None,
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes",
        "properties.properties.aksNetworkingConfiguration.subnetId",
        EdgeKind::InSubnet,
        None,
    ),
    (
        "Microsoft.ContainerService/managedClusters",
        "properties.agentPoolProfiles[*].vnetSubnetID",
        EdgeKind::InSubnet,
        None,
    ),
    (
        "Microsoft.ContainerService/managedClusters/agentPools",
        "properties.vnetSubnetID",
        EdgeKind::InSubnet,
        None,
    ),
];

impl EdgeCandidate {
    fn of(resource: &Resource, ids: &IdResolver<'_>) -> Vec<EdgeCandidate> {
        let mut edges = Vec::new();
        let from = resource.index;
        let mut push = |to: Target, kind: EdgeKind, path: String| {
            edges.push(EdgeCandidate {
                holder: from,
                from: Target::Index(from),
                to,
                kind,
                path,
                group_ids: Vec::new(),
                role: None,
            });
        };
        for dependency in &resource.depends_on {
            for &target in &dependency.targets {
                push(Target::Index(target), EdgeKind::DependsOn, String::new());
            }
        }
        match (
            resource.parent,
            resource.id.as_ref().and_then(ResourceId::parent),
        ) {
            (Some(parent), _) => push(Target::Index(parent), EdgeKind::Parent, String::new()),
            (None, Some(parent)) if parent.kind() == crate::model::IdKind::Resource => {
                push(Target::Id(parent), EdgeKind::Parent, String::new())
            }
            _ => {}
        }
        // Any resource id in the body.
        let mut path = String::new();
        collect_ids(&resource.body, &mut path, 0, &mut |path, text| {
            if let Some(target) = ids.target(text, true) {
                push(target, EdgeKind::PropertyRef, path.to_owned())
            }
        });
        for reference in &resource.references {
            if let Some(target) = ids.target(&reference.target, true) {
                let path = match reference.usage {
                    IdUsage::ResourceId => "resourceId()",
                    IdUsage::Reference => "reference()",
                    IdUsage::List => "list*()",
                };
                push(target, EdgeKind::PropertyRef, path.to_owned());
            }
        }
        edges.extend(semantic_edges(resource, ids));
        edges
    }
}

/// The typed references of a resource (private link targets, subnets, zones, peerings…).
fn semantic_edges(resource: &Resource, ids: &IdResolver<'_>) -> Vec<EdgeCandidate> {
    let mut edges = Vec::new();
    let from = resource.index;
    for (resource_type, path, kind, role) in SEMANTIC_PATHS {
        if !resource.is_type(resource_type) {
            continue;
        }
        for (at, prop) in values_at(&resource.body, path) {
            if let Some(target) = prop.as_str().and_then(|s| ids.target(s, false)) {
                edges.push(EdgeCandidate {
                    holder: from,
                    from: Target::Index(from),
                    to: target,
                    kind: *kind,
                    path: at,
                    group_ids: Vec::new(),
                    role: role.map(str::to_owned),
                });
            }
        }
    }
    if resource.is_type("Microsoft.Network/privateEndpoints") {
        for (connections, role) in [
            ("properties.privateLinkServiceConnections", None),
            (
                "properties.manualPrivateLinkServiceConnections",
                Some("manual"),
            ),
        ] {
            let Some(items) = resource.get(connections).as_array() else {
                continue;
            };
            for (i, connection) in items.iter().enumerate() {
                let target = read(connection, "properties.privateLinkServiceId");
                let Some(target) = target.as_str().and_then(|s| ids.target(s, false)) else {
                    continue;
                };
                let group_ids = read(connection, "properties.groupIds")
                    .as_array()
                    .map(|g| {
                        g.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                edges.push(EdgeCandidate {
                    holder: from,
                    from: Target::Index(from),
                    to: target,
                    kind: EdgeKind::PrivateLinkTarget,
                    path: format!("{connections}[{i}].properties.privateLinkServiceId"),
                    group_ids,
                    role: role.map(str::to_owned),
                });
            }
        }
    }
    // Peerings connect VNets: the edge leaves the VNet that owns the peering.
    if resource.is_type("Microsoft.Network/virtualNetworks/virtualNetworkPeerings")
        && let Some(remote) = resource
            .get("properties.remoteVirtualNetwork.id")
            .as_str()
            .and_then(|s| ids.target(s, false))
    {
        let owner = match (
            resource.parent,
            resource.id.as_ref().and_then(ResourceId::parent),
        ) {
            (Some(parent), _) => Some(Target::Index(parent)),
            (None, Some(parent)) => Some(Target::Id(parent)),
            _ => None,
        };
        if let Some(owner) = owner {
            let peering = resource
                .name
                .as_str()
                .map(|n| n.rsplit('/').next().unwrap_or(n).to_owned());
            edges.push(EdgeCandidate {
                holder: from,
                from: owner,
                to: remote,
                kind: EdgeKind::Peering,
                path: format!(
                    "{}.properties.remoteVirtualNetwork.id",
                    resource.origin.pointer
                ),
                group_ids: Vec::new(),
                role: peering,
            });
        }
    }
    let parent_kind = if resource.is_type("Microsoft.MachineLearningServices/workspaces/computes") {
        Some(EdgeKind::ComputeOfWorkspace)
    } else if resource.is_type("Microsoft.MachineLearningServices/workspaces/onlineEndpoints") {
        Some(EdgeKind::EndpointOfWorkspace)
    } else {
        None
    };
    if let Some(kind) = parent_kind {
        let parent = match (
            resource.parent,
            resource.id.as_ref().and_then(ResourceId::parent),
        ) {
            (Some(parent), _) => Some(Target::Index(parent)),
            (None, Some(parent)) => Some(Target::Id(parent)),
            _ => None,
        };
        if let Some(to) = parent {
            edges.push(EdgeCandidate {
                holder: from,
                from: Target::Index(from),
                to,
                kind,
                path: String::new(),
                group_ids: Vec::new(),
                role: None,
            });
        }
    }
    edges
}

/// Values at a path with `[*]` steps, each with its concrete path (`a[0].b`).
fn values_at<'a>(value: &'a Value, path: &str) -> Vec<(String, Prop<'a>)> {
    let mut found = vec![(String::new(), value)];
    let steps: Vec<&str> = path.split('.').collect();
    let mut results = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let (member, each) = match step.strip_suffix("[*]") {
            Some(member) => (member, true),
            None => (*step, false),
        };
        let last = n + 1 == steps.len();
        let mut next = Vec::new();
        for (at, current) in found {
            let joined = if at.is_empty() {
                member.to_owned()
            } else {
                format!("{at}.{member}")
            };
            let prop = read(current, member);
            match (prop, each) {
                (Prop::Value(Value::Array(items)), true) => {
                    for (i, item) in items.iter().enumerate() {
                        let item_path = format!("{joined}[{i}]");
                        if last {
                            results.push((
                                item_path,
                                match item {
                                    Value::Unknown(p) => Prop::Unknown(p),
                                    other => Prop::Value(other),
                                },
                            ));
                        } else {
                            next.push((item_path, item));
                        }
                    }
                }
                (Prop::Value(v), false) if !last => next.push((joined, v)),
                (prop, _) if last => results.push((joined, prop)),
                _ => {}
            }
        }
        found = next;
    }
    results
}

/// Calls `found` for every string in `value` that may be a resource id, with its body path.
fn collect_ids(value: &Value, path: &mut String, depth: usize, found: &mut dyn FnMut(&str, &str)) {
    if depth > crate::source::MAX_JSON_DEPTH {
        return;
    }
    match value {
        Value::String(s) => {
            let looks_like_id = s.len() > 14
                && (s.starts_with("/subscriptions/")
                    || s.starts_with("/providers/")
                    || s.get(..14)
                        .is_some_and(|p| p.eq_ignore_ascii_case("/subscriptions")));
            if looks_like_id {
                found(path, s);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                collect_ids(item, path, depth + 1, found);
                path.truncate(len);
            }
        }
        Value::Object(object) => {
            for (key, item) in object.iter() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                collect_ids(item, path, depth + 1, found);
                path.truncate(len);
            }
        }
        _ => {}
    }
}
