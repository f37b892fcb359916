//! The derived sets of the invariants spec (§1.4 C5) as queries over the [`ResourceGraph`].
//!
//! Every set is computed in one place, tri-state: an input the template does not determine (a
//! `reference()`, a resource deployed elsewhere, a conditional resource) makes the answer
//! `Unknown`, never false, and the answer carries the [`UnknownInput`]s that made it so, plus the
//! resources that decided it, so that a rule can explain its finding.
//!
//! ```
//! # use armgraph::graph::{DerivedSets, ResourceGraph};
//! # use armgraph::expr::Cloud;
//! # fn check(graph: &ResourceGraph) {
//! let sets = DerivedSets::new(graph, Cloud::AzureCloud);
//! for workspace in sets.workspaces() {
//!     let access = sets.effective_public_access(workspace);
//!     println!("{:?} because {:?}", access.value, access.basis);
//! }
//! # }
//! ```
//!
//! Choices where C5 leaves room (each is tested in `tests/derived_sets.rs`):
//! * A project is evaluated through its hub for `WS_PE`, `MANAGED`, `PNA_EFF` and `IP_RULES`
//!   ("every network rule evaluates a project through `HUB(w)`"); `ASSOC` and
//!   `COMPUTE_SUBNETS` read the workspace itself (its own properties and computes).
//! * `PNA_EFF` refines `Enabled` to `SelectedIPs`; when the refinement itself is unknown (an IP
//!   list known only at deployment) the answer is `Unknown`.
//! * Resources deployed under an unknown condition count as members with `Unknown` certainty;
//!   their properties take the C4 defaults.
//! * An endpoint declared `existing` is a possible member of `WS_PE` (its connections are
//!   invisible). When `HUB(w)` itself is unknown (a workspace not deployed here), the endpoints
//!   to `w` are possible members and the set is open.
//! * `HUB(w)` needs `kind` `Project` *and* `hubResourceId`: a `hubResourceId` on another kind
//!   is ignored, and an unknown kind matters only when `hubResourceId` is written.
//! * `RESTRICTED` of a type it is not defined for (Application Insights) is `Unknown`.
//! * A `Kubernetes` compute attached to a cluster other than AKS contributes no subnet (the
//!   spec reads only AKS agent pools) and does not open `COMPUTE_SUBNETS`.
//! * Sets of VNets hold [`ResourceId`]s, not nodes: the VNet of an external subnet has no node.
//! * `REACH` of two deployed VNets that are not peered directly but both peer (not definitely
//!   disallowed) with a third VNet is `Unknown`: a network virtual appliance there may route
//!   between them, and no configuration declares one yet.
//! * `SUB`: two resources written by the top-level deployment share the subscription even when
//!   its value is unknown; resources of nested deployments compare their id segments.

mod cloud;
mod zones;

use std::collections::HashMap;

use crate::expr::Cloud;
use crate::model::kinds::{
    Cause, Compute, ComputeType, ContainerRegistry, DnsForwardingRulesetLink, KeyVault,
    ManagedCluster, Peering, PrivateDnsZone, PrivateEndpoint, Setting, StorageAccount, Subnet,
    VirtualNetwork, VirtualNetworkLink, Workspace, WorkspaceKind,
};
use crate::model::{DeploymentState, Resource, ResourceId, Tri};

use super::{EdgeKind, LINK_TYPE, Node, NodeId, ResourceGraph, ZONE_GROUP_TYPE, ZoneCoverage};

pub use cloud::{
    CloudNotice, CloudResolution, CloudSource, RegionClouds, cloud_of_region, resolve_cloud,
};
pub use zones::{
    ZoneRequirement, aml_forwarders, private_link_zone, valid_group_ids, zone_name_matches, zones,
};

/// The group id of a workspace private endpoint.
const AML_GROUP: &str = "amlworkspace";

/// The resource an [`UnknownInput`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A node of the graph (declared, or external but referred to by id).
    Node(NodeId),
    /// A resource the graph has no node for, known only by id (the VNet prefix of an external
    /// subnet's id, a VNet outside the template).
    Outside(ResourceId),
}

/// One input that made a derived answer unknown: which resource, which property, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownInput<'g> {
    /// The resource whose value is unknown.
    pub subject: Subject,
    /// The body path of the value (`properties.publicNetworkAccess`); empty when the whole
    /// resource is concerned (it is not deployed, or only conditionally).
    pub path: String,
    /// Why it is unknown.
    pub cause: Cause<'g>,
}

impl<'g> UnknownInput<'g> {
    fn new(node: NodeId, path: &str, cause: Cause<'g>) -> UnknownInput<'g> {
        UnknownInput {
            subject: Subject::Node(node),
            path: path.to_owned(),
            cause,
        }
    }

    /// An input about a resource the graph has no node for: it is outside the template.
    fn outside(id: &ResourceId) -> UnknownInput<'g> {
        UnknownInput {
            subject: Subject::Outside(id.clone()),
            path: String::new(),
            cause: Cause::NotDeployed,
        }
    }

    /// The node the input is about, when the graph has one.
    pub fn node(&self) -> Option<NodeId> {
        match self.subject {
            Subject::Node(node) => Some(node),
            Subject::Outside(_) => None,
        }
    }
}

/// A tri-state fact with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<'g> {
    /// The value.
    pub value: Tri,
    /// The resources that decide it (the peerings of a `REACH`, the link of a `LINKED`, …).
    pub because: Vec<NodeId>,
    /// For an `Unknown` value (or a part of the reasoning that was unknown but did not
    /// matter), the inputs that were unknown.
    pub unknown: Vec<UnknownInput<'g>>,
}

impl<'g> Answer<'g> {
    fn known(value: bool, because: Vec<NodeId>) -> Answer<'g> {
        Answer {
            value: Tri::from(value),
            because,
            unknown: Vec::new(),
        }
    }

    fn unknown(input: UnknownInput<'g>) -> Answer<'g> {
        Answer {
            value: Tri::Unknown,
            because: Vec::new(),
            unknown: vec![input],
        }
    }

    /// Disjunction, keeping the explanation of whichever side decides.
    fn or(self, other: Answer<'g>) -> Answer<'g> {
        match (self.value, other.value) {
            (Tri::True, _) => self,
            (_, Tri::True) => other,
            (Tri::False, Tri::False) => Answer::known(false, joined(self.because, other.because)),
            _ => Answer {
                value: Tri::Unknown,
                because: joined(self.because, other.because),
                unknown: joined(self.unknown, other.unknown),
            },
        }
    }

    /// Conjunction, keeping the explanation of whichever side decides.
    fn and(self, other: Answer<'g>) -> Answer<'g> {
        match (self.value, other.value) {
            (Tri::False, _) => self,
            (_, Tri::False) => other,
            (Tri::True, Tri::True) => Answer::known(true, joined(self.because, other.because)),
            _ => Answer {
                value: Tri::Unknown,
                because: joined(self.because, other.because),
                unknown: joined(self.unknown, other.unknown),
            },
        }
    }

    fn from_tri(value: Tri, because: Vec<NodeId>, unknown: Vec<UnknownInput<'g>>) -> Answer<'g> {
        Answer {
            value,
            because,
            unknown: if value == Tri::Unknown {
                unknown
            } else {
                Vec::new()
            },
        }
    }
}

/// `first` followed by `second`, reusing `first`'s buffer: answers are folded link by link, and
/// copying the growing list at each step was quadratic in the links of a zone.
fn joined<T>(mut first: Vec<T>, second: Vec<T>) -> Vec<T> {
    first.extend(second);
    first
}

/// A member of a [`TriSet`].
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'g, T> {
    /// The member.
    pub item: T,
    /// `True` for a definite member, `Unknown` for a possible one (never `False`).
    pub certainty: Tri,
    /// Why membership is unknown.
    pub unknown: Vec<UnknownInput<'g>>,
}

/// A set whose membership may be partly unknown: definite and possible members, and the reasons
/// more members may exist that the template does not show (the set is "open").
#[derive(Debug, Clone, PartialEq)]
pub struct TriSet<'g, T> {
    /// Definite and possible members.
    pub members: Vec<Member<'g, T>>,
    /// Why members outside the template may exist; empty for a closed set.
    pub open: Vec<UnknownInput<'g>>,
}

impl<'g, T> Default for TriSet<'g, T> {
    fn default() -> Self {
        TriSet {
            members: Vec::new(),
            open: Vec::new(),
        }
    }
}

impl<'g, T> TriSet<'g, T> {
    fn closed() -> TriSet<'g, T> {
        TriSet::default()
    }

    fn unknown(input: UnknownInput<'g>) -> TriSet<'g, T> {
        TriSet {
            members: Vec::new(),
            open: vec![input],
        }
    }

    fn add(&mut self, item: T, certainty: Tri, unknown: Vec<UnknownInput<'g>>) {
        if certainty != Tri::False {
            self.members.push(Member {
                item,
                certainty,
                unknown: if certainty == Tri::True {
                    Vec::new()
                } else {
                    unknown
                },
            });
        }
    }

    /// Whether the set is empty: `False` with a definite member, `True` when closed without
    /// members, `Unknown` otherwise.
    pub fn is_empty(&self) -> Tri {
        if self.members.iter().any(|m| m.certainty == Tri::True) {
            Tri::False
        } else if self.members.is_empty() && self.open.is_empty() {
            Tri::True
        } else {
            Tri::Unknown
        }
    }

    /// Whether the set has a member: the negation of [`TriSet::is_empty`].
    pub fn non_empty(&self) -> Tri {
        !self.is_empty()
    }

    /// The definite members.
    pub fn certain(&self) -> impl Iterator<Item = &T> {
        self.members
            .iter()
            .filter(|m| m.certainty == Tri::True)
            .map(|m| &m.item)
    }

    /// Every member, definite or possible.
    pub fn possible(&self) -> impl Iterator<Item = &T> {
        self.members.iter().map(|m| &m.item)
    }

    /// Every unknown input: why the set is open and why possible members are only possible.
    pub fn unknowns(&self) -> Vec<UnknownInput<'g>> {
        let mut all = self.open.clone();
        for member in &self.members {
            all.extend(member.unknown.iter().cloned());
        }
        all
    }

    /// Whether a member satisfies `test`: `True` for a definite one, `Unknown` for a possible one
    /// or an open set, else `False`.
    pub fn any(&self, mut test: impl FnMut(&T) -> Tri) -> Tri {
        let found = Tri::any(self.members.iter().map(|m| m.certainty.and(test(&m.item))));
        if self.open.is_empty() {
            found
        } else {
            found.or(Tri::Unknown)
        }
    }
}

/// `HUB(w)`: the workspace whose network settings apply to `w`.
#[derive(Debug, Clone, PartialEq)]
pub enum Hub<'g> {
    /// `w` is not a project (or names no hub): it is its own hub.
    Itself(NodeId),
    /// `w` is a project of this hub (deployed here or not).
    Project {
        /// The project.
        project: NodeId,
        /// Its hub.
        hub: NodeId,
    },
    /// The hub cannot be determined.
    Unknown(UnknownInput<'g>),
}

impl Hub<'_> {
    /// The hub's node, when known.
    pub fn node(&self) -> Option<NodeId> {
        match self {
            Hub::Itself(node) | Hub::Project { hub: node, .. } => Some(*node),
            Hub::Unknown(_) => None,
        }
    }
}

/// The values of `PNA_EFF(w)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pna {
    /// Reachable from the internet.
    Enabled,
    /// Reachable only through private endpoints.
    Disabled,
    /// Reachable from the listed IP addresses (IP rules or a `Deny` default action).
    SelectedIps,
    /// Cannot be decided.
    Unknown,
}

/// Which branch of the `PNA_EFF` definition decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PnaBasis {
    /// `properties.publicNetworkAccess` is written.
    PublicNetworkAccess,
    /// The legacy `allowPublicAccessWhenBehindVnet` is written (and `publicNetworkAccess` not).
    LegacyFlag,
    /// Neither is written: the private endpoints decide.
    PrivateEndpoints,
    /// The hub is not deployed by the template, or not determined.
    NotDeployed,
}

/// `PNA_EFF(w)` with the facts it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectivePublicAccess<'g> {
    /// The value.
    pub value: Pna,
    /// The branch of the definition that decided.
    pub basis: PnaBasis,
    /// The hub whose settings were read.
    pub hub: Option<NodeId>,
    /// Why the value (or its `SelectedIPs` refinement) is unknown.
    pub unknown: Vec<UnknownInput<'g>>,
}

impl EffectivePublicAccess<'_> {
    /// Whether the value is one of `values`: `Unknown` when the value is.
    pub fn is_one_of(&self, values: &[Pna]) -> Tri {
        if self.value == Pna::Unknown {
            Tri::Unknown
        } else {
            Tri::from(values.contains(&self.value))
        }
    }
}

/// One entry of `IP_RULES(w)`.
#[derive(Debug, Clone, PartialEq)]
pub struct IpRule<'g> {
    /// The workspace holding it (the hub).
    pub node: NodeId,
    /// The body path (`properties.ipAllowlist[0]`).
    pub path: String,
    /// The address or range; unknown when computed at deployment.
    pub value: Setting<'g, &'g str>,
}

/// The role of an associated resource (`ASSOC(w)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssociatedRole {
    /// `storageAccount` (or an entry of `storageAccounts`).
    StorageAccount,
    /// `keyVault` (or `keyVaults`).
    KeyVault,
    /// `containerRegistry` (or `containerRegistries`).
    ContainerRegistry,
    /// `applicationInsights`.
    ApplicationInsights,
}

/// One associated resource of a workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Associated {
    /// Its role.
    pub role: AssociatedRole,
    /// Its node (declared or external).
    pub node: NodeId,
    /// The workspace body path that names it.
    pub path: String,
}

/// Where a compute subnet comes from (`COMPUTE_SUBNETS(w)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComputeSubnetSource {
    /// An `AmlCompute` or `ComputeInstance` compute's `properties.properties.subnet.id`.
    Compute(ComputeType),
    /// The workspace's serverless compute (`serverlessComputeCustomSubnet`).
    Serverless,
    /// An `AKS` compute's `aksNetworkingConfiguration.subnetId`.
    AksNetworking,
    /// An agent pool of the AKS cluster an `AKS`/`Kubernetes` compute attaches.
    AksAgentPool,
}

/// One compute subnet of a workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeSubnet {
    /// The subnet id.
    pub subnet: ResourceId,
    /// The resource naming it (compute, workspace, AKS cluster or agent pool).
    pub holder: NodeId,
    /// Where it comes from.
    pub source: ComputeSubnetSource,
}

impl ComputeSubnet {
    /// `VNET(subnet)`.
    pub fn vnet(&self) -> Option<ResourceId> {
        vnet_of_subnet(&self.subnet)
    }
}

/// A private endpoint's VNet (`PE_VNETS(w)`).
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointVnet {
    /// The endpoint.
    pub endpoint: NodeId,
    /// `VNET(p.properties.subnet.id)`.
    pub vnet: ResourceId,
}

/// `VNET(subnetId)`: the subnet id cut before `/subnets/`; `None` when the id is not a subnet's.
///
/// ```
/// use armgraph::graph::vnet_of_subnet;
/// use armgraph::model::ResourceId;
/// let subnet = ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a")?;
/// assert_eq!(
///     vnet_of_subnet(&subnet).map(|v| v.to_string()).as_deref(),
///     Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v")
/// );
/// # Ok::<(), armgraph::model::ParseError>(())
/// ```
pub fn vnet_of_subnet(subnet: &ResourceId) -> Option<ResourceId> {
    subnet
        .is_type("Microsoft.Network/virtualNetworks/subnets")
        .then(|| subnet.parent())
        .flatten()
}

/// The derived sets of C5 over one graph, for one cloud.
#[derive(Debug, Clone, Copy)]
pub struct DerivedSets<'g> {
    graph: &'g ResourceGraph,
    cloud: Cloud,
    cache: Option<&'g DerivedCache<'g>>,
}

/// Answers of the per-workspace derived sets, computed once for the rules of one run: every rule
/// asks for the endpoints, endpoint VNets, compute subnets and associated resources of each
/// workspace, and at 10,000 resources recomputing them was a third of the rules' time. Built
/// before the rules start and read-only afterwards, so the rules share it across threads.
#[derive(Debug, Default)]
pub struct DerivedCache<'g> {
    workspace_private_endpoints: HashMap<NodeId, TriSet<'g, NodeId>>,
    private_endpoint_vnets: HashMap<NodeId, TriSet<'g, EndpointVnet>>,
    compute_subnets: HashMap<NodeId, TriSet<'g, ComputeSubnet>>,
    associated: HashMap<NodeId, TriSet<'g, Associated>>,
}

impl<'g> DerivedCache<'g> {
    /// The answers for every workspace of `graph`, with `cloud` for `ZONES`.
    pub fn build(graph: &'g ResourceGraph, cloud: Cloud) -> DerivedCache<'g> {
        let sets = DerivedSets::new(graph, cloud);
        let mut cache = DerivedCache::default();
        for workspace in sets.workspaces() {
            cache
                .workspace_private_endpoints
                .insert(workspace, sets.workspace_private_endpoints(workspace));
            cache
                .private_endpoint_vnets
                .insert(workspace, sets.private_endpoint_vnets(workspace));
            cache
                .compute_subnets
                .insert(workspace, sets.compute_subnets(workspace));
            cache
                .associated
                .insert(workspace, sets.associated(workspace));
        }
        cache
    }
}

impl<'g> DerivedSets<'g> {
    /// The derived sets of `graph`, with `cloud` for `ZONES` (see [`resolve_cloud`]).
    pub fn new(graph: &'g ResourceGraph, cloud: Cloud) -> DerivedSets<'g> {
        DerivedSets {
            graph,
            cloud,
            cache: None,
        }
    }

    /// The same sets, answering per-workspace questions from `cache` where it has them.
    pub fn with_cache(mut self, cache: &'g DerivedCache<'g>) -> DerivedSets<'g> {
        self.cache = Some(cache);
        self
    }

    /// The answer for `key` kept in the cache's `slot`, or `compute()`.
    fn memo<V: Clone + 'g>(
        &self,
        slot: impl Fn(&'g DerivedCache<'g>) -> &'g HashMap<NodeId, V>,
        key: NodeId,
        compute: impl FnOnce() -> V,
    ) -> V {
        match self.cache.and_then(|cache| slot(cache).get(&key)) {
            Some(kept) => kept.clone(),
            None => compute(),
        }
    }

    /// The cloud in use.
    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// The graph.
    pub fn graph(&self) -> &'g ResourceGraph {
        self.graph
    }

    /// The workspaces the template writes (deployed or conditionally deployed).
    pub fn workspaces(&self) -> impl Iterator<Item = NodeId> + 'g {
        let graph = self.graph;
        graph
            .resources()
            .of_type("Microsoft.MachineLearningServices/workspaces")
            .filter(|r| written(r.state) != Tri::False)
            .filter_map(move |r| graph.node_of(r.index))
    }

    /// The written workspaces whose `HUB(w)` is `hub` (a hub and its projects), in declaration
    /// order; grouped once per graph, since rules ask it for every hub.
    pub fn workspaces_of_hub(&self, hub: NodeId) -> Vec<NodeId> {
        self.graph
            .workspaces_by_hub(|| {
                let mut by_hub: std::collections::HashMap<NodeId, Vec<NodeId>> =
                    std::collections::HashMap::new();
                for workspace in self.workspaces() {
                    if let Some(hub) = self.hub(workspace).node() {
                        by_hub.entry(hub).or_default().push(workspace);
                    }
                }
                by_hub
            })
            .get(&hub)
            .cloned()
            .unwrap_or_default()
    }

    fn resource(&self, node: NodeId) -> Option<&'g Resource> {
        self.graph.node(node).and_then(Node::resource)
    }

    /// Whether the deployment writes the node: `True` deployed, `Unknown` conditional, `False`
    /// for `existing`, skipped and external ones.
    pub fn written(&self, node: NodeId) -> Tri {
        self.resource(node).map_or(Tri::False, |r| written(r.state))
    }

    /// Why a node's properties are invisible, when they are (not written by the deployment).
    fn not_written(&self, node: NodeId) -> Option<UnknownInput<'g>> {
        match self.resource(node).map(|r| r.state) {
            Some(DeploymentState::Deployed | DeploymentState::MaybeDeployed) => None,
            _ => Some(UnknownInput::new(node, "", Cause::NotDeployed)),
        }
    }

    /// Membership certainty of a resource the deployment may write, with the reason when
    /// conditional.
    fn presence(&self, node: NodeId) -> (Tri, Vec<UnknownInput<'g>>) {
        match self.written(node) {
            Tri::Unknown => (
                Tri::Unknown,
                vec![UnknownInput::new(node, "", Cause::Conditional)],
            ),
            other => (other, Vec::new()),
        }
    }

    fn id(&self, node: NodeId) -> Option<&'g ResourceId> {
        self.graph.node(node).and_then(Node::id)
    }

    /// The written resources of `child_type` that may be children of `parent`, in declaration
    /// order (a superset of those whose `is_child_of` is not `False`).
    fn written_children(
        &self,
        child_type: &'static str,
        parent: &ResourceId,
    ) -> Vec<(NodeId, &'g Resource)> {
        self.written_nodes(self.graph.child_candidates(child_type, parent))
    }

    /// The candidates the deployment may write, with their nodes.
    fn written_nodes(&self, candidates: Vec<&'g Resource>) -> Vec<(NodeId, &'g Resource)> {
        let graph = self.graph;
        candidates
            .into_iter()
            .filter(|r| written(r.state) != Tri::False)
            .filter_map(|r| graph.node_of(r.index).map(|n| (n, r)))
            .collect()
    }

    fn written_of_type(
        &self,
        resource_type: &'static str,
    ) -> impl Iterator<Item = (NodeId, &'g Resource)> + 'g {
        let graph = self.graph;
        graph
            .resources()
            .of_type(resource_type)
            .filter(|r| written(r.state) != Tri::False)
            .filter_map(move |r| graph.node_of(r.index).map(|n| (n, r)))
    }

    /// `HUB(w)`: for a `Project` workspace with `properties.hubResourceId`, the hub it names;
    /// otherwise `w` itself. Unknown for a workspace the template does not write (its kind is
    /// invisible) and when the kind or the hub id is known only at deployment.
    pub fn hub(&self, workspace: NodeId) -> Hub<'g> {
        if let Some(input) = self.not_written(workspace) {
            return Hub::Unknown(input);
        }
        let Some(view) = self.resource(workspace).and_then(Workspace::of) else {
            return Hub::Itself(workspace);
        };
        let hub_id = view.hub_resource_id();
        let is_project = view.kind().is(&WorkspaceKind::Project);
        match (is_project, hub_id) {
            (_, Setting::Absent) | (Tri::False, _) => Hub::Itself(workspace),
            (_, Setting::Unknown(cause)) => Hub::Unknown(UnknownInput::new(
                workspace,
                "properties.hubResourceId",
                cause,
            )),
            (Tri::Unknown, _) => Hub::Unknown(UnknownInput::new(
                workspace,
                "kind",
                view.kind().cause().unwrap_or(Cause::NotDeployed),
            )),
            (Tri::True, _) => match self
                .graph
                .outgoing(workspace, EdgeKind::HubOfProject)
                .next()
            {
                Some(relation) => Hub::Project {
                    project: workspace,
                    hub: relation.to,
                },
                None => Hub::Unknown(UnknownInput::new(
                    workspace,
                    "properties.hubResourceId",
                    match self
                        .resource(workspace)
                        .map(|r| r.get("properties.hubResourceId"))
                    {
                        Some(crate::model::Prop::Value(value)) => Cause::Invalid(value),
                        _ => Cause::UnresolvedId,
                    },
                )),
            },
        }
    }

    /// The hub's node when known and its properties visible, else why not.
    fn visible_hub(&self, workspace: NodeId) -> Result<(NodeId, Workspace<'g>), UnknownInput<'g>> {
        let hub = match self.hub(workspace) {
            Hub::Unknown(input) => return Err(input),
            known => known.node().unwrap_or(workspace),
        };
        if let Some(input) = self.not_written(hub) {
            return Err(input);
        }
        match self.resource(hub).and_then(Workspace::of) {
            Some(view) => Ok((hub, view)),
            None => Err(UnknownInput::new(hub, "type", Cause::UnresolvedId)),
        }
    }

    /// `WS_PE(w)`: the private endpoints with a connection (automatic or manual) to `HUB(w)`
    /// with group id `amlworkspace`. Open (so an empty set is `Unknown`) when the hub is not
    /// deployed by the template; conditional endpoints, `existing` ones and connections whose
    /// target or group ids are known only at deployment are possible members.
    pub fn workspace_private_endpoints(&self, workspace: NodeId) -> TriSet<'g, NodeId> {
        self.memo(
            |c| &c.workspace_private_endpoints,
            workspace,
            || self.workspace_private_endpoints_uncached(workspace),
        )
    }

    fn workspace_private_endpoints_uncached(&self, workspace: NodeId) -> TriSet<'g, NodeId> {
        match self.hub(workspace) {
            Hub::Unknown(input) => {
                // The endpoints to `w` itself are members if `w` is its own hub: possible ones.
                let mut set = self.workspace_endpoints_to(workspace);
                for member in &mut set.members {
                    member.certainty = member.certainty.and(Tri::Unknown);
                    member.unknown.push(input.clone());
                }
                set.open.push(input);
                set
            }
            known => self.workspace_endpoints_to(known.node().unwrap_or(workspace)),
        }
    }

    /// The private endpoints with an `amlworkspace` connection to `hub`; open when the hub is not
    /// deployed here.
    fn workspace_endpoints_to(&self, hub: NodeId) -> TriSet<'g, NodeId> {
        let mut set = TriSet::closed();
        if let Some(input) = self.not_written(hub) {
            set.open.push(input);
        }
        let Some(hub_id) = self.id(hub) else {
            set.open
                .push(UnknownInput::new(hub, "", Cause::UnresolvedId));
            return set;
        };
        let graph = self.graph;
        let candidates: Vec<&Resource> = if hub_id.has_unknown() {
            graph
                .resources()
                .of_type("Microsoft.Network/privateEndpoints")
                .collect()
        } else {
            // Only endpoints that target the hub or may target anything can be members.
            let index = graph.link_targets();
            let mut indexes: Vec<usize> = index
                .by_target
                .get(hub_id.key())
                .into_iter()
                .flatten()
                .chain(&index.uncertain)
                .copied()
                .collect();
            indexes.sort_unstable();
            indexes.dedup();
            indexes
                .into_iter()
                .filter_map(|i| graph.resources().get(i))
                .collect()
        };
        for resource in candidates {
            let Some(endpoint) = graph.node_of(resource.index) else {
                continue;
            };
            match resource.state {
                DeploymentState::Skipped => continue,
                DeploymentState::Existing => {
                    set.add(
                        endpoint,
                        Tri::Unknown,
                        vec![UnknownInput::new(endpoint, "", Cause::NotDeployed)],
                    );
                    continue;
                }
                _ => {}
            }
            let (present, mut unknown) = self.presence(endpoint);
            let Some(view) = PrivateEndpoint::of(resource) else {
                continue;
            };
            let connections = match view.connections() {
                Setting::Set(c) | Setting::Default(c) => c,
                Setting::Absent => Vec::new(),
                Setting::Unknown(cause) => {
                    unknown.push(UnknownInput::new(
                        endpoint,
                        "properties.privateLinkServiceConnections",
                        cause,
                    ));
                    set.add(endpoint, Tri::Unknown, unknown);
                    continue;
                }
            };
            let mut targets_hub = Tri::False;
            for connection in &connections {
                let path = connection.target_path();
                let target = match &connection.target {
                    Setting::Set(text) => match ResourceId::parse(text) {
                        Ok(id) => {
                            let m = id.matches(hub_id);
                            if m == Tri::Unknown {
                                unknown.push(UnknownInput::new(
                                    endpoint,
                                    &path,
                                    Cause::UnresolvedId,
                                ));
                            }
                            m
                        }
                        Err(_) => Tri::False,
                    },
                    Setting::Unknown(cause) => {
                        unknown.push(UnknownInput::new(endpoint, &path, *cause));
                        Tri::Unknown
                    }
                    _ => Tri::False,
                };
                let group = connection.has_group(AML_GROUP);
                if group == Tri::Unknown {
                    let cause = match &connection.group_ids {
                        Setting::Unknown(cause) => *cause,
                        _ => Cause::UnresolvedId,
                    };
                    unknown.push(UnknownInput::new(
                        endpoint,
                        &path.replace("privateLinkServiceId", "groupIds"),
                        cause,
                    ));
                }
                targets_hub = targets_hub.or(target.and(group));
            }
            set.add(endpoint, present.and(targets_hub), unknown);
        }
        set
    }

    /// `PE_VNETS(w)`: `VNET(p.properties.subnet.id)` for every `p` of `WS_PE(w)`. An endpoint whose
    /// subnet is known only at deployment opens the set.
    pub fn private_endpoint_vnets(&self, workspace: NodeId) -> TriSet<'g, EndpointVnet> {
        self.memo(
            |c| &c.private_endpoint_vnets,
            workspace,
            || self.private_endpoint_vnets_uncached(workspace),
        )
    }

    fn private_endpoint_vnets_uncached(&self, workspace: NodeId) -> TriSet<'g, EndpointVnet> {
        let endpoints = self.workspace_private_endpoints(workspace);
        let mut set = TriSet {
            members: Vec::new(),
            open: endpoints.open,
        };
        for member in endpoints.members {
            let endpoint = member.item;
            match self.endpoint_subnet(endpoint) {
                Ok(subnet) => match vnet_of_subnet(&subnet) {
                    Some(vnet) => set.add(
                        EndpointVnet { endpoint, vnet },
                        member.certainty,
                        member.unknown,
                    ),
                    None => continue,
                },
                Err(Some(input)) => {
                    set.open.push(input);
                    set.open.extend(member.unknown);
                }
                Err(None) => {}
            }
        }
        set
    }

    /// The subnet of a private endpoint: through its `InSubnet` edge, else why unknown
    /// (`Err(None)` when it has none).
    fn endpoint_subnet(&self, endpoint: NodeId) -> Result<ResourceId, Option<UnknownInput<'g>>> {
        if let Some(relation) = self.graph.outgoing(endpoint, EdgeKind::InSubnet).next()
            && let Some(id) = self.id(relation.to)
        {
            return Ok(id.clone());
        }
        if let Some(input) = self.not_written(endpoint) {
            return Err(Some(input));
        }
        match self
            .resource(endpoint)
            .and_then(PrivateEndpoint::of)
            .map(|pe| pe.subnet_id())
        {
            Some(Setting::Unknown(cause)) => Err(Some(UnknownInput::new(
                endpoint,
                "properties.subnet.id",
                cause,
            ))),
            _ => Err(None),
        }
    }

    /// `MANAGED(w)`: `HUB(w)` has a managed network (`isolationMode` `AllowInternetOutbound` or
    /// `AllowOnlyApprovedOutbound`; absent is `Disabled`, C4).
    pub fn managed(&self, workspace: NodeId) -> Answer<'g> {
        match self.visible_hub(workspace) {
            Err(input) => Answer::unknown(input),
            Ok((hub, view)) => match view.isolation_mode() {
                Setting::Unknown(cause) => Answer::unknown(UnknownInput::new(
                    hub,
                    "properties.managedNetwork.isolationMode",
                    cause,
                )),
                mode => Answer::known(mode.test(|m| m.is_managed()).is_true(), vec![hub]),
            },
        }
    }

    /// `PNA_EFF(w)`, the effective inbound public access of `HUB(w)` (C5): the written
    /// `publicNetworkAccess`; else the legacy flag (`true` → `Enabled`; `false` → `Disabled`
    /// with a workspace private endpoint, `Enabled` without); else `Enabled` without private
    /// endpoints and `Unknown` with some. `Enabled` becomes `SelectedIPs` when `IP_RULES(w)` is
    /// non-empty or `networkAcls.defaultAction` is `Deny`.
    pub fn effective_public_access(&self, workspace: NodeId) -> EffectivePublicAccess<'g> {
        let (hub, view) = match self.visible_hub(workspace) {
            Ok(found) => found,
            Err(input) => {
                return EffectivePublicAccess {
                    value: Pna::Unknown,
                    basis: PnaBasis::NotDeployed,
                    hub: self.hub(workspace).node(),
                    unknown: vec![input],
                };
            }
        };
        let mut unknown = Vec::new();
        let endpoints = || self.workspace_private_endpoints(workspace);
        let from_endpoints = |set: &TriSet<'g, NodeId>,
                              if_some: Pna,
                              if_none: Pna,
                              unknown: &mut Vec<UnknownInput<'g>>| {
            match set.non_empty() {
                Tri::True => if_some,
                Tri::False => if_none,
                Tri::Unknown => {
                    unknown.extend(set.unknowns());
                    Pna::Unknown
                }
            }
        };
        let (value, basis) = match view.public_network_access() {
            Setting::Set(access) | Setting::Default(access) => (
                match access {
                    crate::model::kinds::Access::Enabled => Pna::Enabled,
                    crate::model::kinds::Access::Disabled => Pna::Disabled,
                },
                PnaBasis::PublicNetworkAccess,
            ),
            Setting::Unknown(cause) => {
                unknown.push(UnknownInput::new(
                    hub,
                    "properties.publicNetworkAccess",
                    cause,
                ));
                (Pna::Unknown, PnaBasis::PublicNetworkAccess)
            }
            Setting::Absent => match view.allow_public_access_when_behind_vnet() {
                Setting::Set(true) | Setting::Default(true) => (Pna::Enabled, PnaBasis::LegacyFlag),
                Setting::Set(false) | Setting::Default(false) => (
                    from_endpoints(&endpoints(), Pna::Disabled, Pna::Enabled, &mut unknown),
                    PnaBasis::LegacyFlag,
                ),
                Setting::Unknown(cause) => {
                    unknown.push(UnknownInput::new(
                        hub,
                        "properties.allowPublicAccessWhenBehindVnet",
                        cause,
                    ));
                    (Pna::Unknown, PnaBasis::LegacyFlag)
                }
                Setting::Absent => {
                    let set = endpoints();
                    let value = from_endpoints(&set, Pna::Unknown, Pna::Enabled, &mut unknown);
                    if set.non_empty() == Tri::True {
                        // The sources do not state the provider's default behind a private
                        // endpoint (C5).
                        unknown.push(UnknownInput::new(
                            hub,
                            "properties.publicNetworkAccess",
                            Cause::NoDefault(
                                "the provider's default for a workspace behind a private endpoint is not documented",
                            ),
                        ));
                    }
                    (value, PnaBasis::PrivateEndpoints)
                }
            },
        };
        let value = if value == Pna::Enabled {
            let rules = self.ip_rules(workspace);
            let deny = view.network_acls_default_action();
            if let Setting::Unknown(cause) = deny {
                unknown.push(UnknownInput::new(
                    hub,
                    "properties.networkAcls.defaultAction",
                    cause,
                ));
            }
            let selected = rules
                .non_empty()
                .or(deny.is(&crate::model::kinds::DefaultAction::Deny));
            match selected {
                Tri::True => Pna::SelectedIps,
                Tri::False => Pna::Enabled,
                Tri::Unknown => {
                    unknown.extend(rules.unknowns());
                    Pna::Unknown
                }
            }
        } else {
            value
        };
        EffectivePublicAccess {
            value,
            basis,
            hub: Some(hub),
            unknown: if value == Pna::Unknown {
                unknown
            } else {
                Vec::new()
            },
        }
    }

    /// `IP_RULES(w)`: `properties.ipAllowlist[*]` and `properties.networkAcls.ipRules[*].value` of
    /// `HUB(w)`. Entries known only at deployment are members with an unknown value; a list known
    /// only at deployment opens the set.
    pub fn ip_rules(&self, workspace: NodeId) -> TriSet<'g, IpRule<'g>> {
        let (hub, view) = match self.visible_hub(workspace) {
            Ok(found) => found,
            Err(input) => return TriSet::unknown(input),
        };
        let mut set = TriSet::closed();
        for (path, list) in [
            ("properties.ipAllowlist", view.ip_allowlist()),
            (
                "properties.networkAcls.ipRules",
                view.network_acls_ip_rules(),
            ),
        ] {
            match list {
                Setting::Set(items) | Setting::Default(items) => {
                    for (i, value) in items.into_iter().enumerate() {
                        let path = if path.ends_with("ipRules") {
                            format!("{path}[{i}].value")
                        } else {
                            format!("{path}[{i}]")
                        };
                        set.add(
                            IpRule {
                                node: hub,
                                path,
                                value,
                            },
                            Tri::True,
                            Vec::new(),
                        );
                    }
                }
                Setting::Absent => {}
                Setting::Unknown(cause) => set.open.push(UnknownInput::new(hub, path, cause)),
            }
        }
        set
    }

    /// `ISOLATED(w)`: `PNA_EFF(w)` is `Disabled` or `SelectedIPs`, or `WS_PE(w)` is non-empty, or
    /// `MANAGED(w)`.
    pub fn isolated(&self, workspace: NodeId) -> Answer<'g> {
        let access = self.effective_public_access(workspace);
        let by_access = Answer::from_tri(
            access.is_one_of(&[Pna::Disabled, Pna::SelectedIps]),
            access.hub.into_iter().collect(),
            access.unknown,
        );
        let endpoints = self.workspace_private_endpoints(workspace);
        let by_endpoints = Answer::from_tri(
            endpoints.non_empty(),
            endpoints.certain().copied().collect(),
            endpoints.unknowns(),
        );
        by_access.or(by_endpoints).or(self.managed(workspace))
    }

    /// `ASSOC(w)`: the resources named by `storageAccount`, `keyVault`, `containerRegistry`,
    /// `applicationInsights` (and the preview lists) of `w` itself. Values known only at
    /// deployment open the set; so does a workspace the template does not write.
    pub fn associated(&self, workspace: NodeId) -> TriSet<'g, Associated> {
        self.memo(
            |c| &c.associated,
            workspace,
            || self.associated_uncached(workspace),
        )
    }

    fn associated_uncached(&self, workspace: NodeId) -> TriSet<'g, Associated> {
        if let Some(input) = self.not_written(workspace) {
            return TriSet::unknown(input);
        }
        let mut set = TriSet::closed();
        for relation in self
            .graph
            .outgoing(workspace, EdgeKind::WorkspaceAssociated)
        {
            let role = match relation.role.as_deref() {
                Some("storageAccount") => AssociatedRole::StorageAccount,
                Some("keyVault") => AssociatedRole::KeyVault,
                Some("containerRegistry") => AssociatedRole::ContainerRegistry,
                _ => AssociatedRole::ApplicationInsights,
            };
            set.add(
                Associated {
                    role,
                    node: relation.to,
                    path: relation.path.clone(),
                },
                Tri::True,
                Vec::new(),
            );
        }
        if let Some(view) = self.resource(workspace).and_then(Workspace::of) {
            let singles = [
                ("properties.storageAccount", view.storage_account()),
                ("properties.keyVault", view.key_vault()),
                ("properties.containerRegistry", view.container_registry()),
                (
                    "properties.applicationInsights",
                    view.application_insights(),
                ),
            ];
            for (path, setting) in singles {
                if let Setting::Unknown(cause) = setting {
                    set.open.push(UnknownInput::new(workspace, path, cause));
                }
            }
            let lists = [
                ("properties.storageAccounts", view.storage_accounts()),
                ("properties.keyVaults", view.key_vaults()),
                (
                    "properties.containerRegistries",
                    view.container_registries(),
                ),
            ];
            for (path, setting) in lists {
                match setting {
                    Setting::Unknown(cause) => {
                        set.open.push(UnknownInput::new(workspace, path, cause))
                    }
                    Setting::Set(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Setting::Unknown(cause) = item {
                                set.open.push(UnknownInput::new(
                                    workspace,
                                    &format!("{path}[{i}]"),
                                    *cause,
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        set
    }

    /// `RESTRICTED(r)` for a storage account, key vault or container registry, after the C4
    /// defaults: public access `Disabled` or an effective `Deny` default action. `Unknown` for a
    /// resource the template does not write and for other types.
    pub fn restricted(&self, resource: NodeId) -> Answer<'g> {
        if let Some(input) = self.not_written(resource) {
            return Answer::unknown(input);
        }
        let Some(r) = self.resource(resource) else {
            return Answer::unknown(UnknownInput::new(resource, "", Cause::NotDeployed));
        };
        let (value, settings) = if let Some(st) = StorageAccount::of(r) {
            (
                st.restricted(),
                [
                    (
                        "properties.publicNetworkAccess",
                        st.public_network_access().cause(),
                    ),
                    (
                        "properties.networkAcls.defaultAction",
                        st.network_acls().default_action().cause(),
                    ),
                ],
            )
        } else if let Some(kv) = KeyVault::of(r) {
            (
                kv.restricted(),
                [
                    (
                        "properties.publicNetworkAccess",
                        kv.public_network_access().cause(),
                    ),
                    (
                        "properties.networkAcls.defaultAction",
                        kv.network_acls().default_action().cause(),
                    ),
                ],
            )
        } else if let Some(acr) = ContainerRegistry::of(r) {
            (
                acr.restricted(),
                [
                    (
                        "properties.publicNetworkAccess",
                        acr.public_network_access().cause(),
                    ),
                    (
                        "properties.networkRuleSet.defaultAction",
                        acr.network_rule_set_default_action().cause(),
                    ),
                ],
            )
        } else {
            return Answer::unknown(UnknownInput::new(
                resource,
                "type",
                Cause::NoDefault(
                    "RESTRICTED is defined for storage accounts, key vaults and registries",
                ),
            ));
        };
        let unknown = settings
            .into_iter()
            .filter_map(|(path, cause)| cause.map(|c| UnknownInput::new(resource, path, c)))
            .collect();
        Answer::from_tri(value, vec![resource], unknown)
    }

    /// `COMPUTE_SUBNETS(w)`: the subnets of the `AmlCompute`/`ComputeInstance` computes of `w`
    /// (through `ComputeOfWorkspace` and `InSubnet` edges), of its serverless compute, and of its
    /// `AKS`/`Kubernetes` computes (`aksNetworkingConfiguration.subnetId`, else the attached AKS
    /// cluster's agent pools). Unknown subnets, compute types and undeployed clusters open the
    /// set; so does a workspace the template does not write (computes may exist elsewhere).
    pub fn compute_subnets(&self, workspace: NodeId) -> TriSet<'g, ComputeSubnet> {
        self.memo(
            |c| &c.compute_subnets,
            workspace,
            || self.compute_subnets_uncached(workspace),
        )
    }

    fn compute_subnets_uncached(&self, workspace: NodeId) -> TriSet<'g, ComputeSubnet> {
        let mut set = TriSet::closed();
        if let Some(input) = self.not_written(workspace) {
            set.open.push(input);
        }
        if let Some(view) = self.resource(workspace).and_then(Workspace::of)
            && self.not_written(workspace).is_none()
        {
            let (present, unknown) = self.presence(workspace);
            self.add_subnet(
                &mut set,
                workspace,
                "properties.serverlessComputeSettings.serverlessComputeCustomSubnet",
                view.serverless_compute_custom_subnet(),
                ComputeSubnetSource::Serverless,
                (present, unknown),
            );
        }
        for relation in self.graph.incoming(workspace, EdgeKind::ComputeOfWorkspace) {
            let compute = relation.from;
            let Some(view) = self.resource(compute).and_then(Compute::of) else {
                continue;
            };
            if self.written(compute) == Tri::False {
                continue;
            }
            let presence = self.presence(compute);
            match view.compute_type() {
                Setting::Set(kind) if kind.is_aml_managed() => self.add_subnet(
                    &mut set,
                    compute,
                    "properties.properties.subnet.id",
                    view.subnet_id(),
                    ComputeSubnetSource::Compute(kind),
                    presence,
                ),
                Setting::Set(ComputeType::Aks | ComputeType::Kubernetes) => {
                    match view.aks_subnet_id() {
                        Setting::Absent => {
                            self.add_cluster_subnets(&mut set, compute, view, presence)
                        }
                        subnet => self.add_subnet(
                            &mut set,
                            compute,
                            "properties.properties.aksNetworkingConfiguration.subnetId",
                            subnet,
                            ComputeSubnetSource::AksNetworking,
                            presence,
                        ),
                    }
                }
                Setting::Set(_) => {}
                other => set.open.push(UnknownInput::new(
                    compute,
                    "properties.computeType",
                    other.cause().unwrap_or(Cause::NotDeployed),
                )),
            }
        }
        set
    }

    fn add_subnet(
        &self,
        set: &mut TriSet<'g, ComputeSubnet>,
        holder: NodeId,
        path: &str,
        subnet: Setting<'g, &'g str>,
        source: ComputeSubnetSource,
        (present, unknown): (Tri, Vec<UnknownInput<'g>>),
    ) {
        match subnet {
            Setting::Set(text) | Setting::Default(text) => {
                if let Ok(subnet) = ResourceId::parse(text) {
                    set.add(
                        ComputeSubnet {
                            subnet,
                            holder,
                            source,
                        },
                        present,
                        unknown,
                    );
                }
            }
            Setting::Absent => {}
            Setting::Unknown(cause) => {
                if present != Tri::False {
                    set.open.push(UnknownInput::new(holder, path, cause));
                }
            }
        }
    }

    fn add_cluster_subnets(
        &self,
        set: &mut TriSet<'g, ComputeSubnet>,
        compute: NodeId,
        view: Compute<'g>,
        presence: (Tri, Vec<UnknownInput<'g>>),
    ) {
        let cluster = match view.attached_resource_id() {
            Setting::Set(text) => ResourceId::parse(text)
                .ok()
                .and_then(|id| self.graph.find(&id)),
            Setting::Unknown(cause) => {
                set.open
                    .push(UnknownInput::new(compute, "properties.resourceId", cause));
                return;
            }
            _ => return,
        };
        let Some(cluster) = cluster else {
            set.open.push(UnknownInput::new(
                compute,
                "properties.resourceId",
                Cause::NotDeployed,
            ));
            return;
        };
        if let Some(input) = self.not_written(cluster) {
            set.open.push(input);
            return;
        }
        let Some(aks) = self.resource(cluster).and_then(ManagedCluster::of) else {
            return;
        };
        match aks.agent_pool_subnet_ids() {
            Setting::Set(ids) => {
                for (i, id) in ids.into_iter().enumerate() {
                    self.add_subnet(
                        set,
                        cluster,
                        &format!("properties.agentPoolProfiles[{i}].vnetSubnetID"),
                        id,
                        ComputeSubnetSource::AksAgentPool,
                        presence.clone(),
                    );
                }
            }
            Setting::Unknown(cause) => set.open.push(UnknownInput::new(
                cluster,
                "properties.agentPoolProfiles",
                cause,
            )),
            _ => {}
        }
        for relation in self.graph.incoming(cluster, EdgeKind::Parent) {
            let Some(pool) = self
                .resource(relation.from)
                .and_then(crate::model::kinds::AgentPool::of)
            else {
                continue;
            };
            if self.written(relation.from) == Tri::False {
                continue;
            }
            let (pool_present, mut pool_unknown) = self.presence(relation.from);
            pool_unknown.extend(presence.1.iter().cloned());
            self.add_subnet(
                set,
                relation.from,
                "properties.vnetSubnetID",
                pool.vnet_subnet_id(),
                ComputeSubnetSource::AksAgentPool,
                (pool_present.and(presence.0), pool_unknown),
            );
        }
    }

    /// `COMPUTE_VNETS(w)`: `VNET(s)` of every `s` of `COMPUTE_SUBNETS(w)`, without repeats.
    pub fn compute_vnets(&self, workspace: NodeId) -> TriSet<'g, ResourceId> {
        let subnets = self.compute_subnets(workspace);
        let mut set: TriSet<'g, ResourceId> = TriSet {
            members: Vec::new(),
            open: subnets.open,
        };
        for member in subnets.members {
            let Some(vnet) = member.item.vnet() else {
                continue;
            };
            match set.members.iter_mut().find(|m| m.item == vnet) {
                Some(existing) => {
                    existing.certainty = existing.certainty.or(member.certainty);
                    if existing.certainty == Tri::True {
                        existing.unknown.clear();
                    }
                }
                None => set.add(vnet, member.certainty, member.unknown),
            }
        }
        set
    }

    /// `NO_PIP(c)` for a compute: an `AmlCompute`/`ComputeInstance` whose
    /// `enableNodePublicIp` is `false` (absent is `true`, C4). `False` for other compute types.
    pub fn compute_no_public_ip(&self, compute: NodeId) -> Answer<'g> {
        if let Some(input) = self.not_written(compute) {
            return Answer::unknown(input);
        }
        let Some(view) = self.resource(compute).and_then(Compute::of) else {
            return Answer::known(false, Vec::new());
        };
        match view.compute_type() {
            Setting::Set(kind) if kind.is_aml_managed() => {}
            Setting::Set(_) | Setting::Absent => return Answer::known(false, vec![compute]),
            other => {
                return Answer::unknown(UnknownInput::new(
                    compute,
                    "properties.computeType",
                    other.cause().unwrap_or(Cause::NotDeployed),
                ));
            }
        }
        setting_answer(
            compute,
            "properties.properties.enableNodePublicIp",
            view.enable_node_public_ip().map(|public| !public),
        )
    }

    /// `NO_PIP` for the workspace's serverless compute: `serverlessComputeNoPublicIP` is `true`
    /// (absent is `false`, C4).
    pub fn serverless_no_public_ip(&self, workspace: NodeId) -> Answer<'g> {
        if let Some(input) = self.not_written(workspace) {
            return Answer::unknown(input);
        }
        match self.resource(workspace).and_then(Workspace::of) {
            Some(view) => setting_answer(
                workspace,
                "properties.serverlessComputeSettings.serverlessComputeNoPublicIP",
                view.serverless_compute_no_public_ip(),
            ),
            None => Answer::known(false, Vec::new()),
        }
    }

    /// `REACH(a, b)` for two VNets: `a = b`, or each has a peering to the other with
    /// `allowVirtualNetworkAccess` not `false`. The peerings of a VNet the template does not
    /// write are invisible, so such a side is `Unknown` (never false); `False` only when a
    /// deployed side has no such peering. Not transitive; two deployed VNets that both peer with
    /// a third are `Unknown` (a network virtual appliance may route between them).
    pub fn reach(&self, a: &ResourceId, b: &ResourceId) -> Answer<'g> {
        let same = a.matches(b);
        if same == Tri::True {
            return Answer::known(true, self.graph.find(a).into_iter().collect());
        }
        let mut answer = self.direct_reach(a, b);
        if same == Tri::Unknown && answer.value == Tri::False {
            answer = Answer::from_tri(
                Tri::Unknown,
                answer.because,
                self.graph
                    .find(a)
                    .map(|n| UnknownInput::new(n, "", Cause::UnresolvedId))
                    .into_iter()
                    .collect(),
            );
        }
        if answer.value == Tri::False {
            // Both sides are deployed here and not peered directly: look for a shared third VNet.
            for via in self.peered_vnets(a) {
                if via.matches(b) != Tri::False || via.matches(a) != Tri::False {
                    continue;
                }
                let first = self.direct_reach(a, &via);
                let second = self.direct_reach(&via, b);
                if first.value.is_possible() && second.value.is_possible() {
                    let unknown = self
                        .graph
                        .find(&via)
                        .map(|n| {
                            UnknownInput::new(
                                n,
                                "",
                                Cause::NoDefault(
                                    "a network virtual appliance in this VNet may route between its peers; none is declared",
                                ),
                            )
                        })
                        .into_iter()
                        .collect();
                    return Answer {
                        value: Tri::Unknown,
                        because: [first.because, second.because].concat(),
                        unknown,
                    };
                }
            }
        }
        answer
    }

    fn direct_reach(&self, a: &ResourceId, b: &ResourceId) -> Answer<'g> {
        self.peers_to(a, b).and(self.peers_to(b, a))
    }

    /// The remote VNets of `vnet`'s peerings (known ids only).
    fn peered_vnets(&self, vnet: &ResourceId) -> Vec<ResourceId> {
        let Some(node) = self.graph.find(vnet) else {
            return Vec::new();
        };
        self.graph
            .outgoing(node, EdgeKind::Peering)
            .filter_map(|r| self.id(r.to).cloned())
            .collect()
    }

    /// Whether `from` has a peering to `to` with `allowVirtualNetworkAccess` not `false`.
    fn peers_to(&self, from: &ResourceId, to: &ResourceId) -> Answer<'g> {
        let Some(node) = self.graph.find(from) else {
            // Neither declared nor referenced: a VNet outside the template.
            return Answer::unknown(UnknownInput::outside(from));
        };
        if let Some(input) = self.not_written(node) {
            return Answer::unknown(input);
        }
        let mut answer = Answer::known(false, Vec::new());
        for relation in self.graph.incoming(node, EdgeKind::Parent) {
            let peering_node = relation.from;
            let Some(peering) = self.resource(peering_node).and_then(Peering::of) else {
                continue;
            };
            if self.written(peering_node) == Tri::False {
                continue;
            }
            let (present, mut unknown) = self.presence(peering_node);
            let remote = match peering.remote_virtual_network_id() {
                Setting::Set(text) => ResourceId::parse(text)
                    .map(|id| id.matches(to))
                    .unwrap_or(Tri::False),
                Setting::Unknown(cause) => {
                    unknown.push(UnknownInput::new(
                        peering_node,
                        "properties.remoteVirtualNetwork.id",
                        cause,
                    ));
                    Tri::Unknown
                }
                _ => Tri::False,
            };
            let access = peering.allow_virtual_network_access();
            if let Setting::Unknown(cause) = access {
                unknown.push(UnknownInput::new(
                    peering_node,
                    "properties.allowVirtualNetworkAccess",
                    cause,
                ));
            }
            let allowed = !access.is(&false);
            let value = present.and(remote).and(allowed);
            answer = answer.or(Answer::from_tri(value, vec![peering_node], unknown));
        }
        if answer.value == Tri::False {
            answer.because = vec![node];
        }
        answer
    }

    /// `LINKED(zone, v)`: a `virtualNetworkLinks` child of `zone` whose `virtualNetwork.id` is
    /// `v`. `Unknown` for a zone the template does not write (its links are invisible). A `False`
    /// answer names the zone and the links that might have linked `v`, not the links of other
    /// VNets: a zone that thousands of VNets share is not walked for each of them.
    pub fn linked(&self, zone: NodeId, vnet: &ResourceId) -> Answer<'g> {
        if let Some(input) = self.not_written(zone) {
            return Answer::unknown(input);
        }
        let Some(zone_id) = self.id(zone) else {
            return Answer::unknown(UnknownInput::new(zone, "", Cause::UnresolvedId));
        };
        let links = match self.graph.link_candidates(zone_id, vnet) {
            Some(candidates) => self.written_nodes(candidates),
            None => self.written_children(LINK_TYPE, zone_id),
        };
        let mut answer = Answer::known(false, vec![zone]);
        for (link_node, resource) in links {
            let Some(link) = VirtualNetworkLink::of(resource) else {
                continue;
            };
            let (present, mut unknown) = self.presence(link_node);
            let in_zone = match resource.id.as_ref() {
                Some(id) => id.is_child_of(zone_id),
                None => Tri::Unknown,
            };
            if in_zone == Tri::False {
                continue;
            }
            if in_zone == Tri::Unknown {
                unknown.push(UnknownInput::new(link_node, "name", Cause::UnresolvedId));
            }
            let path = "properties.virtualNetwork.id";
            // Parsed once per graph: this runs for every link of the zone and every VNet.
            let target = match self.graph.dns_index().link_vnet(resource.index) {
                Some(Ok(id)) => {
                    let m = id.matches(vnet);
                    if m == Tri::Unknown {
                        unknown.push(UnknownInput::new(link_node, path, Cause::UnresolvedId));
                    }
                    m
                }
                Some(Err(())) => Tri::False,
                None => id_matches(
                    link_node,
                    path,
                    link.virtual_network_id(),
                    vnet,
                    &mut unknown,
                ),
            };
            answer = answer.or(Answer::from_tri(
                present.and(in_zone).and(target),
                vec![link_node],
                unknown,
            ));
            // The first `True` decides; later links cannot change the answer.
            if answer.value == Tri::True {
                break;
            }
        }
        answer
    }

    /// `CUSTOM_DNS(v)`: `dhcpOptions.dnsServers` is non-empty, or a DNS forwarding ruleset links
    /// `v`. `Unknown` for a VNet the template does not write.
    pub fn custom_dns(&self, vnet: &ResourceId) -> Answer<'g> {
        let Some(node) = self.graph.find(vnet) else {
            return Answer::unknown(UnknownInput::outside(vnet));
        };
        if let Some(input) = self.not_written(node) {
            return Answer::unknown(input);
        }
        let Some(view) = self.resource(node).and_then(VirtualNetwork::of) else {
            return Answer::unknown(UnknownInput::new(node, "type", Cause::UnresolvedId));
        };
        let mut answer = match view.dns_servers() {
            Setting::Set(servers) | Setting::Default(servers) => {
                Answer::known(!servers.is_empty(), vec![node])
            }
            Setting::Absent => Answer::known(false, vec![node]),
            Setting::Unknown(cause) => Answer::unknown(UnknownInput::new(
                node,
                "properties.dhcpOptions.dnsServers",
                cause,
            )),
        };
        for (link_node, resource) in
            self.written_of_type("Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks")
        {
            let Some(link) = DnsForwardingRulesetLink::of(resource) else {
                continue;
            };
            let (present, mut unknown) = self.presence(link_node);
            let target = id_matches(
                link_node,
                "properties.virtualNetwork.id",
                link.virtual_network_id(),
                vnet,
                &mut unknown,
            );
            answer = answer.or(Answer::from_tri(
                present.and(target),
                vec![link_node],
                unknown,
            ));
        }
        answer
    }

    /// `DNS_MANAGED(p)` for endpoint `p` and its group id: the template writes a
    /// `privateDnsZoneGroups` child of `p`, or a private DNS zone, `A` record set or virtual
    /// network link in a zone named by `ZONES(cloud, group_id)`.
    pub fn dns_managed(&self, endpoint: NodeId, group_id: &str) -> Answer<'g> {
        let mut answer = Answer::known(false, Vec::new());
        let endpoint_id = self.id(endpoint);
        // Zone groups by id rather than by `Parent` edge: a group whose endpoint name is known
        // only at deployment has no edge, yet may belong to this endpoint.
        let groups: Vec<(NodeId, &'g Resource)> = match endpoint_id {
            Some(endpoint_id) => self.written_children(ZONE_GROUP_TYPE, endpoint_id),
            None => self.written_of_type(ZONE_GROUP_TYPE).collect(),
        };
        for (group, resource) in groups {
            let (present, mut unknown) = self.presence(group);
            let child = match (resource.id.as_ref(), endpoint_id) {
                (Some(id), Some(endpoint_id)) => id.is_child_of(endpoint_id),
                _ => Tri::Unknown,
            };
            if child == Tri::False {
                continue;
            }
            if child == Tri::Unknown {
                unknown.push(UnknownInput::new(group, "name", Cause::UnresolvedId));
            }
            answer = answer.or(Answer::from_tri(present.and(child), vec![group], unknown));
        }
        let required = zones(self.cloud, group_id);
        if required.is_empty() {
            return answer;
        }
        // The zone part does not depend on the endpoint: summarised once per graph, then the
        // deciding members' answers are rebuilt (an `or` over every member, in scan order).
        let coverage = self
            .graph
            .zone_coverage(self.cloud, group_id, || self.zone_coverage(&required));
        let member = |index: usize| {
            let resource = self.graph.resources().get(index)?;
            let node = self.graph.node_of(index)?;
            Some(
                self.zone_member(node, "name", zone_name_of(resource), |name| {
                    name.test(|n| required.names(n))
                }),
            )
        };
        if let Some(first) = coverage.first_true.and_then(member) {
            return answer.or(first);
        }
        let all = |index: &usize| self.graph.node_of(*index);
        let zone_part = if coverage.unknown.is_empty() {
            Answer::known(false, coverage.all.iter().filter_map(all).collect())
        } else {
            Answer {
                value: Tri::Unknown,
                because: coverage.all.iter().filter_map(all).collect(),
                unknown: coverage
                    .unknown
                    .iter()
                    .filter_map(|index| member(*index))
                    .flat_map(|answer| answer.unknown)
                    .collect(),
            }
        };
        answer.or(zone_part)
    }

    /// `DNS_MANAGED`'s zone part over the written private DNS zones, `A` record sets and virtual
    /// network links, in that order (the order the explanations list them in).
    fn zone_coverage(&self, required: &ZoneRequirement) -> ZoneCoverage {
        let mut coverage = ZoneCoverage::default();
        for resource_type in [
            "Microsoft.Network/privateDnsZones",
            "Microsoft.Network/privateDnsZones/A",
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        ] {
            for (node, resource) in self.written_of_type(resource_type) {
                let value = self
                    .written(node)
                    .and(zone_name_of(resource).test(|n| required.names(n)));
                match value {
                    Tri::True if coverage.first_true.is_none() => {
                        coverage.first_true = Some(resource.index);
                    }
                    Tri::Unknown => coverage.unknown.push(resource.index),
                    _ => {}
                }
                coverage.all.push(resource.index);
            }
        }
        coverage
    }

    fn zone_member(
        &self,
        node: NodeId,
        path: &str,
        name: Setting<'g, &'g str>,
        names: impl Fn(Setting<'g, &'g str>) -> Tri,
    ) -> Answer<'g> {
        let (present, mut unknown) = self.presence(node);
        if let Setting::Unknown(cause) = name {
            unknown.push(UnknownInput::new(node, path, cause));
        }
        Answer::from_tri(present.and(names(name)), vec![node], unknown)
    }

    /// `ZONES(cloud, groupId)` in the cloud of these sets.
    pub fn zones(&self, group_id: &str) -> ZoneRequirement {
        zones(self.cloud, group_id)
    }

    /// Whether two resources are in the same subscription (`SUB(a) = SUB(b)`): compared by
    /// their ids' subscription segments; resources the top-level deployment writes share the
    /// deployment's subscription even when its value is unknown.
    pub fn same_subscription(&self, a: NodeId, b: NodeId) -> Answer<'g> {
        let sub = |n: NodeId| self.id(n).and_then(|id| id.subscription_id()).cloned();
        let top_level = |n: NodeId| {
            self.resource(n)
                .is_some_and(|r| written(r.state) != Tri::False && r.origin.deployments.is_empty())
        };
        if top_level(a) && top_level(b) {
            return Answer::known(true, vec![a, b]);
        }
        let value = match (sub(a), sub(b)) {
            (Some(x), Some(y)) => x.matches(&y),
            _ => Tri::Unknown,
        };
        let unknown = [a, b]
            .into_iter()
            .filter(|n| sub(*n).is_none_or(|s| s.is_unknown()))
            .map(|n| UnknownInput::new(n, "id", Cause::UnresolvedId))
            .collect();
        Answer::from_tri(value, vec![a, b], unknown)
    }

    /// `v1LegacyMode` of a workspace with the C4 default, whose pre-2022-05-01 branch needs
    /// `WS_PE(w)`.
    pub fn v1_legacy_mode(&self, workspace: NodeId) -> Setting<'g, bool> {
        let Some(view) = self.resource(workspace).and_then(Workspace::of) else {
            return Setting::Unknown(Cause::NotDeployed);
        };
        let has_endpoint = if self.not_written(workspace).is_none() {
            self.workspace_private_endpoints(workspace).non_empty()
        } else {
            Tri::Unknown
        };
        view.v1_legacy_mode(has_endpoint)
    }

    /// `defaultOutboundAccess` of a subnet with the C4 default: inline subnets are new with
    /// their VNet; a child subnet's VNet is new when the deployment writes it.
    pub fn subnet_default_outbound_access(&self, subnet: NodeId) -> Setting<'g, bool> {
        let Some(resource) = self.resource(subnet) else {
            return Setting::Unknown(Cause::NotDeployed);
        };
        let Some(view) = Subnet::of(resource) else {
            return Setting::Unknown(Cause::NotDeployed);
        };
        let vnet_is_new = if resource.inline {
            written(resource.state)
        } else {
            match self.graph.outgoing(subnet, EdgeKind::Parent).next() {
                Some(relation) => self.written(relation.to),
                None => Tri::Unknown,
            }
        };
        view.default_outbound_access(vnet_is_new)
    }

    /// The compute region (C4): `computeLocation`, else `location`, else the workspace's region.
    pub fn compute_region(&self, compute: NodeId) -> Setting<'g, String> {
        let Some(view) = self.resource(compute).and_then(Compute::of) else {
            return Setting::Unknown(Cause::NotDeployed);
        };
        let workspace_region = match self
            .graph
            .outgoing(compute, EdgeKind::ComputeOfWorkspace)
            .next()
            .and_then(|r| self.resource(r.to))
            .and_then(Workspace::of)
        {
            Some(workspace) => workspace.location(),
            None => Setting::Unknown(Cause::NotDeployed),
        };
        view.region(workspace_region)
    }
}

fn written(state: DeploymentState) -> Tri {
    state.deployed()
}

/// The zone a private DNS zone, `A` record set or virtual network link is (in), by its type.
fn zone_name_of(resource: &Resource) -> Setting<'_, &str> {
    if resource.is_type("Microsoft.Network/privateDnsZones") {
        PrivateDnsZone::of(resource).map_or(Setting::Absent, |z| z.zone_name())
    } else if resource.is_type("Microsoft.Network/privateDnsZones/A") {
        crate::model::kinds::ARecordSet::of(resource).map_or(Setting::Absent, |a| a.zone_name())
    } else {
        VirtualNetworkLink::of(resource).map_or(Setting::Absent, |l| l.zone_name())
    }
}

/// An answer from a bool setting (`true` → `True`).
fn setting_answer<'g>(node: NodeId, path: &str, setting: Setting<'g, bool>) -> Answer<'g> {
    match setting {
        Setting::Set(v) | Setting::Default(v) => Answer::known(v, vec![node]),
        Setting::Absent => Answer::known(false, vec![node]),
        Setting::Unknown(cause) => Answer::unknown(UnknownInput::new(node, path, cause)),
    }
}

/// Whether an id setting names `wanted`, recording why when unknown.
fn id_matches<'g>(
    node: NodeId,
    path: &str,
    setting: Setting<'g, &'g str>,
    wanted: &ResourceId,
    unknown: &mut Vec<UnknownInput<'g>>,
) -> Tri {
    match setting {
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) => {
                let m = id.matches(wanted);
                if m == Tri::Unknown {
                    unknown.push(UnknownInput::new(node, path, Cause::UnresolvedId));
                }
                m
            }
            Err(_) => Tri::False,
        },
        Setting::Unknown(cause) => {
            unknown.push(UnknownInput::new(node, path, cause));
            Tri::Unknown
        }
        Setting::Absent => Tri::False,
    }
}
