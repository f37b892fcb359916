//! The AML-NSG rules' bridge from the resource model to the flow evaluator (C6): which subnet a
//! compute sits in, which NSGs and route table apply there, and those resources as
//! [`netsec`](crate::netsec) inputs whose origins point back at the template. Wherever a value
//! is not visible (a resource deployed elsewhere, an id or a rule field computed at deployment),
//! the mapping says `Unknown` so that the evaluation keeps it undecided.

use ipnet::IpNet;

use super::support::{node_name, resource_of};
use crate::expr::Value;
use crate::graph::{ComputeSubnetSource, DerivedSets, EdgeKind, NodeId, vnet_of_subnet};
use crate::model::kinds::{
    ComputeType, NetworkSecurityGroup, RouteTable as RouteTableView, SECURITY_RULE_TYPE,
    SecurityRule as RuleView, Setting, Subnet, VirtualNetwork, Workspace,
};
use crate::model::{Prop, Resource, ResourceId, Tri, read};
use crate::netsec::{
    AddressPrefix, Attachment, ComputeKind, Decider, Direction, Flow, FlowRow, Maybe, NextHopType,
    Note, Nsg, Outcome, Placement, PortRange, ReachableVnet, RequiredFlow, RequiredFlowOptions,
    Route, RouteTable, RuleRef, SecurityRule, SubnetEndpoint, Verdict, evaluate, required_flows,
};
use crate::rules::{Finding, RuleContext};

/// The resource type of private endpoints.
const PRIVATE_ENDPOINT_TYPE: &str = "Microsoft.Network/privateEndpoints";
/// The resource type of AKS agent pools.
const AGENT_POOL_TYPE: &str = "Microsoft.ContainerService/managedClusters/agentPools";
/// The resource type of a child route.
const ROUTE_TYPE: &str = "Microsoft.Network/routeTables/routes";

/// Where a rule, route, NSG or route table is written: the resource and the body path in it
/// (empty for the whole resource). Verdicts hand it back so findings can point at the line.
#[derive(Debug, Clone)]
pub(super) struct Written<'g> {
    /// The resource holding it (the NSG for inline rules, the child for child rules).
    pub resource: &'g Resource,
    /// The body path (`properties.securityRules.2` for an inline rule).
    pub path: String,
}

/// A related location of a finding: the resource, the body path in it, and the label.
pub(super) type Related<'g> = (&'g Resource, String, String);

/// An NSG as the evaluator sees it, with origins in the template.
pub(super) type MappedNsg<'g> = Nsg<Written<'g>>;
/// A route table as the evaluator sees it, with origins in the template.
pub(super) type MappedRouteTable<'g> = RouteTable<Written<'g>>;

/// An owned attachment; [`SubnetPlacement::placement`] lends it to the evaluator.
#[derive(Debug)]
pub(super) enum Attached<T> {
    /// Nothing attached.
    None,
    /// Attached and visible.
    Known(T),
    /// Attached (or maybe attached) but not visible.
    Unknown,
}

impl<T> Attached<T> {
    fn lend(&self) -> Attachment<&T> {
        match self {
            Attached::None => Attachment::None,
            Attached::Known(value) => Attachment::Known(value),
            Attached::Unknown => Attachment::Unknown,
        }
    }
}

/// A subnet with what applies to flows from and to it: its prefixes and VNet (the flow's own
/// end), its NSG and route table, and optionally a NIC's NSG.
#[derive(Debug)]
pub(super) struct SubnetPlacement<'g> {
    /// The subnet resource, when the template declares it.
    pub resource: Option<&'g Resource>,
    /// The subnet as the flows' own end.
    pub endpoint: SubnetEndpoint,
    /// The subnet's NSG.
    pub subnet_nsg: Attached<MappedNsg<'g>>,
    /// The NSG of the NIC, where a NIC is in the graph.
    pub nic_nsg: Attached<MappedNsg<'g>>,
    /// The subnet's route table.
    pub route_table: Attached<MappedRouteTable<'g>>,
}

impl<'g> SubnetPlacement<'g> {
    /// The placement to evaluate flows with.
    pub fn placement(&self) -> Placement<'_, Written<'g>> {
        Placement {
            subnet_nsg: self.subnet_nsg.lend(),
            nic_nsg: self.nic_nsg.lend(),
            route_table: self.route_table.lend(),
        }
    }

    /// The subnet's name for messages.
    pub fn name(&self) -> &str {
        &self.endpoint.name
    }
}

/// The placement of the subnet with `id`. A subnet the template does not declare (or does not
/// certainly write) has unknown prefixes, NSG and route table.
pub(super) fn subnet_placement<'g>(sets: &DerivedSets<'g>, id: &ResourceId) -> SubnetPlacement<'g> {
    let name = id
        .last_name()
        .and_then(|segment| segment.as_known())
        .unwrap_or("(name unknown)")
        .to_owned();
    let node = sets.graph().find(id);
    let declared = node.and_then(|n| Some((n, resource_of(sets, n)?)));
    let Some((node, resource)) = declared else {
        return unknown_subnet(name);
    };
    if sets.written(node) != Tri::True {
        return unknown_subnet(name);
    }
    let Some(view) = Subnet::of(resource) else {
        return unknown_subnet(name);
    };
    let prefixes = match view.address_prefixes() {
        Setting::Set(list) | Setting::Default(list) => list
            .into_iter()
            .map(|item| Maybe::from(item.known().and_then(parse_net)))
            .collect(),
        _ => Vec::new(),
    };
    let vnet = sets
        .graph()
        .outgoing(node, EdgeKind::Parent)
        .next()
        .map(|relation| relation.to);
    let vnet_address_space = vnet.map(|v| vnet_space(sets, v)).unwrap_or_default();
    let reachable_vnets = match (vnet, view.vnet_id()) {
        (Some(own), Some(own_id)) => reachable_vnets(sets, own, &own_id),
        _ => Vec::new(),
    };
    SubnetPlacement {
        resource: Some(resource),
        endpoint: SubnetEndpoint {
            name: resource.display_name(),
            prefixes,
            vnet_address_space,
            reachable_vnets,
        },
        subnet_nsg: nsg_attached(sets, node, view.network_security_group_id()),
        nic_nsg: Attached::None,
        route_table: route_table_attached(sets, node, view.route_table_id()),
    }
}

fn unknown_subnet<'g>(name: String) -> SubnetPlacement<'g> {
    SubnetPlacement {
        resource: None,
        endpoint: SubnetEndpoint {
            name,
            ..SubnetEndpoint::default()
        },
        subnet_nsg: Attached::Unknown,
        nic_nsg: Attached::None,
        route_table: Attached::Unknown,
    }
}

fn parse_net(text: &str) -> Option<IpNet> {
    text.trim().parse::<IpNet>().ok().map(|net| net.trunc())
}

/// The address space of a VNet node; empty when not visible.
fn vnet_space(sets: &DerivedSets<'_>, vnet: NodeId) -> Vec<Maybe<IpNet>> {
    if sets.written(vnet) != Tri::True {
        return Vec::new();
    }
    match resource_of(sets, vnet)
        .and_then(VirtualNetwork::of)
        .map(|v| v.address_prefixes())
    {
        Some(Setting::Set(list) | Setting::Default(list)) => list
            .into_iter()
            .map(|item| Maybe::from(item.known().and_then(parse_net)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The other VNets of the template that the subnet's VNet may reach (`REACH`, C5): the
/// `VirtualNetwork` tag covers them where `REACH` holds.
fn reachable_vnets(sets: &DerivedSets<'_>, own: NodeId, own_id: &ResourceId) -> Vec<ReachableVnet> {
    let graph = sets.graph();
    let mut peers: Vec<NodeId> = graph
        .outgoing(own, EdgeKind::Peering)
        .map(|r| r.to)
        .chain(graph.incoming(own, EdgeKind::Peering).map(|r| r.from))
        .filter(|&peer| peer != own)
        .collect();
    peers.sort();
    peers.dedup();
    peers
        .into_iter()
        .filter_map(|peer| {
            let peer_id = graph.node(peer)?.id()?;
            let reach = sets.reach(own_id, peer_id).value;
            (reach != Tri::False).then(|| ReachableVnet {
                name: node_name(sets, peer),
                reach,
                address_space: vnet_space(sets, peer),
            })
        })
        .collect()
}

/// The NSG an `NsgAttachment` edge of `holder` (a subnet or NIC) points at.
pub(super) fn nsg_attached<'g>(
    sets: &DerivedSets<'g>,
    holder: NodeId,
    id: Setting<'g, &'g str>,
) -> Attached<MappedNsg<'g>> {
    match id {
        Setting::Absent => Attached::None,
        Setting::Unknown(_) => Attached::Unknown,
        Setting::Set(_) | Setting::Default(_) => {
            match sets
                .graph()
                .outgoing(holder, EdgeKind::NsgAttachment)
                .next()
            {
                Some(relation) => mapped_nsg(sets, relation.to),
                None => Attached::Unknown,
            }
        }
    }
}

/// The NSG of `node` with its inline and child rules; unknown when the template does not
/// certainly write it or its rule list is computed at deployment.
pub(super) fn mapped_nsg<'g>(sets: &DerivedSets<'g>, node: NodeId) -> Attached<MappedNsg<'g>> {
    if sets.written(node) != Tri::True {
        return Attached::Unknown;
    }
    let Some(resource) = resource_of(sets, node) else {
        return Attached::Unknown;
    };
    let Some(view) = NetworkSecurityGroup::of(resource) else {
        return Attached::Unknown;
    };
    let inline = match view.inline_rules() {
        Setting::Set(rules) | Setting::Default(rules) => rules,
        Setting::Absent => Vec::new(),
        Setting::Unknown(_) => return Attached::Unknown,
    };
    let inline_items = match resource.get("properties.securityRules") {
        Prop::Value(Value::Array(items)) => items.as_slice(),
        _ => &[],
    };
    let mut rules: Vec<SecurityRule<Written<'g>>> = inline
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let properties = inline_items.get(index).map(|item| read(item, "properties"));
            map_rule(
                rule,
                properties,
                Tri::True,
                Written {
                    resource,
                    path: format!("properties.securityRules.{index}"),
                },
            )
        })
        .collect();
    for (child, present) in written_children(sets, node, SECURITY_RULE_TYPE) {
        let Some(rule) = RuleView::of(child) else {
            continue;
        };
        rules.push(map_rule(
            &rule,
            Some(child.get("properties")),
            present,
            Written {
                resource: child,
                path: String::new(),
            },
        ));
    }
    Attached::Known(Nsg::new(
        &resource.display_name(),
        rules,
        Written {
            resource,
            path: String::new(),
        },
    ))
}

/// One rule as the evaluator sees it. `properties` is the rule's raw `properties` (for the
/// application security groups, which the view does not read); `present` is `Unknown` for a
/// rule deployed only under a condition, whose match then stays undecided.
fn map_rule<'g>(
    rule: &RuleView<'g>,
    properties: Option<Prop<'g>>,
    present: Tri,
    origin: Written<'g>,
) -> SecurityRule<Written<'g>> {
    let asgs = |member: &str| -> Vec<AddressPrefix> {
        match properties.map(|p| match p {
            Prop::Value(value) => read(value, member),
            other => other,
        }) {
            Some(Prop::Value(Value::Array(items))) => items
                .iter()
                .map(|item| {
                    AddressPrefix::ApplicationSecurityGroup(
                        read(item, "id").as_str().unwrap_or("(unknown)").to_owned(),
                    )
                })
                .collect(),
            Some(Prop::Unknown(_)) => vec![AddressPrefix::Unknown],
            _ => Vec::new(),
        }
    };
    let mut sources = prefixes(rule.source_address_prefixes());
    sources.extend(asgs("sourceApplicationSecurityGroups"));
    if present != Tri::True {
        // A rule that may not exist matches as `Unknown`: the walk remembers it either way.
        sources = vec![AddressPrefix::Unknown];
    }
    let mut destinations = prefixes(rule.destination_address_prefixes());
    destinations.extend(asgs("destinationApplicationSecurityGroups"));
    SecurityRule {
        name: rule.name().unwrap_or("(name unknown)").to_owned(),
        priority: Maybe::from(rule.priority().known().and_then(|p| u32::try_from(p).ok())),
        direction: keyword(rule.direction()),
        access: keyword(rule.access()),
        protocol: keyword(rule.protocol()),
        sources,
        destinations,
        source_ports: ports(rule.source_port_ranges()),
        destination_ports: ports(rule.destination_port_ranges()),
        origin,
    }
}

fn keyword<T: std::str::FromStr>(setting: Setting<'_, &str>) -> Maybe<T> {
    Maybe::from(setting.known().and_then(|text| text.parse().ok()))
}

fn prefixes(setting: Setting<'_, Vec<Setting<'_, &str>>>) -> Vec<AddressPrefix> {
    match setting {
        Setting::Set(list) | Setting::Default(list) => list
            .into_iter()
            .map(|item| {
                item.known()
                    .map_or(AddressPrefix::Unknown, AddressPrefix::parse_lenient)
            })
            .collect(),
        Setting::Absent => Vec::new(),
        Setting::Unknown(_) => vec![AddressPrefix::Unknown],
    }
}

fn ports(setting: Setting<'_, Vec<Setting<'_, &str>>>) -> Vec<PortRange> {
    match setting {
        Setting::Set(list) | Setting::Default(list) => list
            .into_iter()
            .map(|item| {
                item.known()
                    .map_or(PortRange::Unknown, PortRange::parse_lenient)
            })
            .collect(),
        Setting::Absent => Vec::new(),
        Setting::Unknown(_) => vec![PortRange::Unknown],
    }
}

/// The route table a subnet's `RouteTableAttachment` edge points at.
fn route_table_attached<'g>(
    sets: &DerivedSets<'g>,
    subnet: NodeId,
    id: Setting<'g, &'g str>,
) -> Attached<MappedRouteTable<'g>> {
    match id {
        Setting::Absent => Attached::None,
        Setting::Unknown(_) => Attached::Unknown,
        Setting::Set(_) | Setting::Default(_) => match sets
            .graph()
            .outgoing(subnet, EdgeKind::RouteTableAttachment)
            .next()
        {
            Some(relation) => mapped_route_table(sets, relation.to),
            None => Attached::Unknown,
        },
    }
}

/// A route table with its inline and child routes; unknown when not certainly written or its
/// route list is computed at deployment.
fn mapped_route_table<'g>(sets: &DerivedSets<'g>, node: NodeId) -> Attached<MappedRouteTable<'g>> {
    if sets.written(node) != Tri::True {
        return Attached::Unknown;
    }
    let Some(resource) = resource_of(sets, node) else {
        return Attached::Unknown;
    };
    let Some(view) = RouteTableView::of(resource) else {
        return Attached::Unknown;
    };
    let inline = match view.routes() {
        Setting::Set(routes) | Setting::Default(routes) => routes,
        Setting::Absent => Vec::new(),
        Setting::Unknown(_) => return Attached::Unknown,
    };
    let mut routes: Vec<Route<Written<'g>>> = inline
        .into_iter()
        .enumerate()
        .map(|(index, route)| {
            map_route(
                route.name.known(),
                route.address_prefix,
                route.next_hop_type,
                route.next_hop_ip_address.known(),
                Written {
                    resource,
                    path: format!("properties.routes.{index}"),
                },
            )
        })
        .collect();
    for (child, present) in written_children(sets, node, ROUTE_TYPE) {
        let text = |path: &str| match child.get(path) {
            Prop::Value(value) => value.as_str().map_or(
                Setting::Unknown(crate::model::kinds::Cause::Invalid(value)),
                Setting::Set,
            ),
            Prop::Absent => Setting::Absent,
            Prop::Unknown(provenance) => {
                Setting::Unknown(crate::model::kinds::Cause::Runtime(provenance))
            }
        };
        let mut next_hop = text("properties.nextHopType");
        if present != Tri::True {
            // A route that may not exist: where it goes is not known.
            next_hop = Setting::Unknown(crate::model::kinds::Cause::Conditional);
        }
        let name = child.display_name();
        routes.push(map_route(
            Some(name.as_str()),
            text("properties.addressPrefix"),
            next_hop,
            text("properties.nextHopIpAddress").known(),
            Written {
                resource: child,
                path: String::new(),
            },
        ));
    }
    Attached::Known(RouteTable::new(
        &resource.display_name(),
        routes,
        Written {
            resource,
            path: String::new(),
        },
    ))
}

fn map_route<'g>(
    name: Option<&str>,
    address_prefix: Setting<'_, &str>,
    next_hop_type: Setting<'_, &str>,
    next_hop_ip: Option<&str>,
    origin: Written<'g>,
) -> Route<Written<'g>> {
    Route {
        name: name.unwrap_or("(name unknown)").to_owned(),
        address_prefix: address_prefix
            .known()
            .map_or(AddressPrefix::Unknown, AddressPrefix::parse_lenient),
        next_hop_type: keyword::<NextHopType>(next_hop_type),
        next_hop_ip: next_hop_ip.map(ToOwned::to_owned),
        origin,
    }
}

/// A VNet-injected AML compute (instance, cluster, or the workspace's serverless compute) and
/// where it sits.
#[derive(Debug, Clone)]
pub(super) struct ComputeSite<'g> {
    /// The workspace it belongs to.
    pub workspace: NodeId,
    /// The compute (or, for serverless compute, the workspace).
    pub holder: NodeId,
    /// The holder's resource.
    pub resource: &'g Resource,
    /// The body path naming the subnet.
    pub subnet_path: &'static str,
    /// "compute 'cpu-cluster'" or "the serverless compute of workspace 'mlw'".
    pub what: String,
    /// The compute's name, for messages that name it alone.
    pub name: String,
    /// What §3.4 lists flows for.
    pub kind: ComputeKind,
    /// The subnet.
    pub subnet: ResourceId,
    /// The workspace region, normalised (C2): `<region>` of §3.4. `None` when unknown.
    pub region: Option<String>,
}

/// Every compute of a workspace of the template that sits in a customer subnet (C5
/// `COMPUTE_SUBNETS`, instances, clusters and serverless compute, not under a managed network).
/// Undecidable members and open sets are counted as undecided checks on `ctx`.
pub(super) fn compute_sites<'g>(ctx: &RuleContext<'g>) -> Vec<ComputeSite<'g>> {
    sites_of(ctx, false)
}

/// The AKS subnets of the `AKS`/`Kubernetes` computes of the template's workspaces
/// (`aksNetworkingConfiguration.subnetId`, else the attached cluster's agent pools), as sites
/// of kind [`ComputeKind::Kubernetes`].
pub(super) fn aks_sites<'g>(ctx: &RuleContext<'g>) -> Vec<ComputeSite<'g>> {
    sites_of(ctx, true)
}

fn sites_of<'g>(ctx: &RuleContext<'g>, aks: bool) -> Vec<ComputeSite<'g>> {
    let sets = ctx.derived();
    let mut sites: Vec<ComputeSite<'g>> = Vec::new();
    for workspace in sets.workspaces() {
        // Under a managed network the computes live in the managed VNet (AML-CMP-002 reports
        // customer subnets there); attached AKS clusters stay in their own VNet.
        if !aks {
            match sets
                .managed(sets.hub(workspace).node().unwrap_or(workspace))
                .value
            {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
        }
        let subnets = sets.compute_subnets(workspace);
        if !subnets.open.is_empty() {
            ctx.indeterminate();
        }
        let region = resource_of(&sets, workspace)
            .and_then(Workspace::of)
            .and_then(|w| w.location().known());
        for member in subnets.members {
            let (kind, path) = match (member.item.source, aks) {
                (ComputeSubnetSource::Compute(ComputeType::ComputeInstance), false) => (
                    ComputeKind::ComputeInstance,
                    "properties.properties.subnet.id",
                ),
                (ComputeSubnetSource::Compute(_), false) => (
                    ComputeKind::ComputeCluster,
                    "properties.properties.subnet.id",
                ),
                (ComputeSubnetSource::Serverless, false) => (
                    ComputeKind::Serverless,
                    "properties.serverlessComputeSettings.serverlessComputeCustomSubnet",
                ),
                (ComputeSubnetSource::AksNetworking, true) => (
                    ComputeKind::Kubernetes,
                    "properties.properties.aksNetworkingConfiguration.subnetId",
                ),
                (ComputeSubnetSource::AksAgentPool, true) => {
                    let is_pool = resource_of(&sets, member.item.holder)
                        .is_some_and(|r| r.is_type(AGENT_POOL_TYPE));
                    (
                        ComputeKind::Kubernetes,
                        if is_pool {
                            "properties.vnetSubnetID"
                        } else {
                            "properties.agentPoolProfiles"
                        },
                    )
                }
                _ => continue,
            };
            if member.certainty != Tri::True {
                ctx.indeterminate();
                continue;
            }
            let Some(resource) = resource_of(&sets, member.item.holder) else {
                continue;
            };
            let name = node_name(&sets, member.item.holder);
            let what = match (kind, member.item.source) {
                (ComputeKind::Serverless, _) => {
                    format!("the serverless compute of workspace '{name}'")
                }
                (_, ComputeSubnetSource::AksAgentPool) => format!("AKS '{name}'"),
                (_, ComputeSubnetSource::AksNetworking) => format!("AKS compute '{name}'"),
                _ => format!("compute '{name}'"),
            };
            sites.push(ComputeSite {
                workspace,
                holder: member.item.holder,
                resource,
                subnet_path: path,
                what,
                name,
                kind,
                subnet: member.item.subnet,
                region: region.clone(),
            });
        }
    }
    sites
}

/// `NO_PIP` of a compute site (C5): the compute's `enableNodePublicIp` is `false`, or the
/// serverless compute's `serverlessComputeNoPublicIP` is `true`.
pub(super) fn site_no_public_ip(sets: &DerivedSets<'_>, site: &ComputeSite<'_>) -> Tri {
    match site.kind {
        ComputeKind::Serverless => sets.serverless_no_public_ip(site.workspace).value,
        _ => sets.compute_no_public_ip(site.holder).value,
    }
}

/// What certainly blocks a flow, for a message, with the related locations to show.
#[derive(Debug)]
pub(super) struct Blocker<'g> {
    /// Subject and verb, to put before the flow: "NSG 'nsg' rule 'DenyAll' (priority 4000)
    /// denies", "NSG 'nsg' (no rule admits it, default rule 'DenyAllInBound') denies",
    /// "route table 'rt' route 'r' (next hop None) drops".
    pub text: String,
    /// A clause about the flow: "NSG 'nsg' rule 'DenyAll' (priority 4000) denies it", "no NSG
    /// rule admits it (default rule 'DenyAllInBound' of NSG 'nsg')", "route table 'rt' route
    /// 'r' (next hop None) drops it".
    pub clause: String,
    /// The NSG's or route table's name.
    pub holder_name: String,
    /// Where to look: (resource, path, label).
    pub related: Vec<Related<'g>>,
}

/// The blocker of a denied verdict; `None` for other outcomes.
pub(super) fn blocker<'g>(verdict: &Verdict<'_, Written<'g>>) -> Option<Blocker<'g>> {
    if verdict.outcome != Outcome::Denied {
        return None;
    }
    match verdict.deciding? {
        Decider::Rule { layer, nsg, rule } => match rule {
            RuleRef::User(user) => Some(Blocker {
                text: format!("NSG '{}' rule {rule} denies", nsg.name),
                clause: format!("NSG '{}' rule {rule} denies it", nsg.name),
                holder_name: nsg.name.clone(),
                related: vec![(
                    user.origin.resource,
                    user.origin.path.clone(),
                    format!("{layer} NSG rule '{}' denies the flow", user.name),
                )],
            }),
            RuleRef::Default(default) => Some(Blocker {
                text: format!(
                    "NSG '{}' (no rule admits it, default rule '{}') denies",
                    nsg.name,
                    default.name()
                ),
                clause: format!(
                    "no NSG rule admits it (default rule '{}' of NSG '{}')",
                    default.name(),
                    nsg.name
                ),
                holder_name: nsg.name.clone(),
                related: vec![(
                    nsg.origin.resource,
                    "properties.securityRules".to_owned(),
                    format!("{layer} NSG without a rule that admits the flow"),
                )],
            }),
        },
        Decider::Route { table, route } => Some(Blocker {
            text: format!(
                "route table '{}' route '{}' (next hop None) drops",
                table.name, route.name
            ),
            clause: format!(
                "route table '{}' route '{}' (next hop None) drops it",
                table.name, route.name
            ),
            holder_name: table.name.clone(),
            related: vec![(
                route.origin.resource,
                route.origin.path.clone(),
                format!("route '{}' drops the flow", route.name),
            )],
        }),
        _ => None,
    }
}

/// For an `Unknown` verdict: "depends on NSG 'nsg' (subnet) rule 'AllowCloud' (priority 100),
/// …", with related locations of the rules involved.
pub(super) fn uncertainty<'g>(verdict: &Verdict<'_, Written<'g>>) -> (String, Vec<Related<'g>>) {
    let mut related = Vec::new();
    let mut names = Vec::new();
    for decider in verdict.involved.iter().chain(verdict.deciding.iter()) {
        names.push(decider.to_string());
        match decider {
            Decider::Rule {
                rule: RuleRef::User(user),
                ..
            } => related.push((
                user.origin.resource,
                user.origin.path.clone(),
                format!("rule '{}' may decide the flow", user.name),
            )),
            Decider::Route { route, .. } => related.push((
                route.origin.resource,
                route.origin.path.clone(),
                format!("route '{}' may decide the flow", route.name),
            )),
            _ => {}
        }
    }
    names.dedup();
    (names.join(", "), related)
}

/// Adds the related locations to a finding.
pub(super) fn with_related(mut finding: Finding, related: &[Related<'_>]) -> Finding {
    for (resource, path, label) in related {
        finding = finding.related(resource, path, label.clone());
    }
    finding
}

/// What is wrong with one required flow.
#[derive(Debug)]
pub(super) enum FlowProblem<'g> {
    /// Something certainly blocks it.
    Denied(Blocker<'g>),
    /// Rules or routes whose match is unknown decide it: their names, and where they are.
    Unknown(String, Vec<Related<'g>>),
    /// The NSGs allow it, but it certainly leaves through a virtual appliance or gateway (C6):
    /// the route's text ("route table 'rt' route 'r' to VirtualAppliance 10.0.0.4") and where
    /// the route is.
    ThroughAppliance(String, Vec<Related<'g>>),
}

/// A required flow of a compute site that is not certainly allowed.
#[derive(Debug)]
pub(super) struct FlowIssue<'g> {
    /// Index of the site in the slice given to [`check_site_flows`].
    pub site: usize,
    /// The subnet's name.
    pub subnet: String,
    /// The flow.
    pub required: RequiredFlow,
    /// Denied or undecided.
    pub problem: FlowProblem<'g>,
}

/// Evaluates the §3.4 flows of each site that `pick` selects, once per subnet and flow (several
/// computes in one subnet share their flows; the first one is named). Allowed flows give
/// nothing; a flow left undecided only by NSGs or route tables the template does not show
/// counts as an undecided check; other undecided flows are returned with the rules involved.
pub(super) fn check_site_flows<'g>(
    ctx: &RuleContext<'g>,
    sites: &[ComputeSite<'g>],
    options: impl Fn(&ComputeSite<'g>) -> RequiredFlowOptions,
    pick: impl Fn(&ComputeSite<'g>, &RequiredFlow) -> bool,
) -> Vec<FlowIssue<'g>> {
    check_site_flows_with(ctx, sites, options, pick, false)
}

/// [`check_site_flows`], also returning allowed flows that certainly leave through a virtual
/// appliance or gateway when `appliances` is set (C6: the appliance must allow their FQDNs).
pub(super) fn check_site_flows_with<'g>(
    ctx: &RuleContext<'g>,
    sites: &[ComputeSite<'g>],
    options: impl Fn(&ComputeSite<'g>) -> RequiredFlowOptions,
    pick: impl Fn(&ComputeSite<'g>, &RequiredFlow) -> bool,
    appliances: bool,
) -> Vec<FlowIssue<'g>> {
    let sets = ctx.derived();
    let mut seen = std::collections::HashSet::new();
    let mut issues = Vec::new();
    for (index, site) in sites.iter().enumerate() {
        let Some(region) = &site.region else {
            ctx.indeterminate();
            continue;
        };
        let placement = subnet_placement(&sets, &site.subnet);
        let flows = required_flows(site.kind, region, &placement.endpoint, &options(site));
        for required in flows {
            if !pick(site, &required) {
                continue;
            }
            let key = (
                site.subnet.to_string().to_ascii_lowercase(),
                required.flow.to_string(),
            );
            if !seen.insert(key) {
                continue;
            }
            let verdict = evaluate(&required.flow, &placement.placement());
            let problem = match verdict.outcome {
                Outcome::Allowed => match appliance_hop(&verdict) {
                    Some((text, related)) if appliances => {
                        FlowProblem::ThroughAppliance(text, related)
                    }
                    _ => continue,
                },
                Outcome::Denied => match blocker(&verdict) {
                    Some(blocked) => FlowProblem::Denied(blocked),
                    None => {
                        ctx.indeterminate();
                        continue;
                    }
                },
                Outcome::Unknown => {
                    let (names, related) = uncertainty(&verdict);
                    if related.is_empty() {
                        // Only invisible NSGs or route tables: nothing to name.
                        ctx.indeterminate();
                        continue;
                    }
                    FlowProblem::Unknown(names, related)
                }
            };
            issues.push(FlowIssue {
                site: index,
                subnet: placement.name().to_owned(),
                required,
                problem,
            });
        }
    }
    issues
}

/// The route an allowed flow certainly takes to a virtual appliance or gateway, if any.
fn appliance_hop<'g>(verdict: &Verdict<'_, Written<'g>>) -> Option<(String, Vec<Related<'g>>)> {
    verdict.notes.iter().find_map(|note| match note {
        Note::FilteringHop {
            table,
            route,
            next_hop,
            next_hop_ip,
            certain: true,
        } => {
            let to = match next_hop_ip {
                Some(ip) => format!("{next_hop} {ip}"),
                None => next_hop.to_string(),
            };
            Some((
                format!(
                    "route table '{}' route '{}' to {to}",
                    table.name, route.name
                ),
                vec![(
                    route.origin.resource,
                    route.origin.path.clone(),
                    format!("route '{}' sends the flow to {to}", route.name),
                )],
            ))
        }
        _ => None,
    })
}

/// The FQDNs a firewall must allow for a §3.4 row (the table's "FQDN alternative"), with
/// `region` the workspace region; `None` for rows the table gives no host names for.
pub(super) fn row_fqdns(row: FlowRow, region: &str) -> Option<String> {
    let region = crate::netsec::normalize_region(region);
    Some(match row {
        FlowRow::F1 | FlowRow::F2 | FlowRow::F4 => "*.instances.azureml.ms".to_owned(),
        FlowRow::F3 => format!("{region}.tundra.azureml.ms"),
        FlowRow::F5 => format!("*.{region}.batch.azure.com, *.{region}.service.batch.azure.com"),
        FlowRow::F6 => {
            "*.blob.core.windows.net, *.queue.core.windows.net, *.table.core.windows.net".to_owned()
        }
        FlowRow::F10 | FlowRow::F19 => "mcr.microsoft.com, *.data.mcr.microsoft.com".to_owned(),
        _ => return None,
    })
}

/// `TCP/443 to AzureMachineLearning` (outbound) or `TCP/44224 from AzureMachineLearning`
/// (inbound): a flow as the messages name it.
pub(super) fn flow_text(flow: &Flow) -> String {
    match flow.direction {
        Direction::Outbound => format!("{}/{} to {}", flow.protocol, flow.port, flow.destination),
        Direction::Inbound => format!("{}/{} from {}", flow.protocol, flow.port, flow.source),
    }
}

/// The text with its first letter in upper case (blockers start sentences).
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The options of [`required_flows`] for a site: public IP per `NO_PIP`, Azure China per C3.
pub(super) fn site_flow_options(
    sets: &DerivedSets<'_>,
    site: &ComputeSite<'_>,
) -> RequiredFlowOptions {
    RequiredFlowOptions {
        public_ip: site_no_public_ip(sets, site) != Tri::True,
        azure_china: sets.cloud() == crate::expr::Cloud::AzureChinaCloud,
        ..RequiredFlowOptions::default()
    }
}

/// Reports the outbound issues of [`check_site_flows`] the way AML-NSG-001/002/003 word
/// them: a denied flow at the rule's severity with the blocking rule as related location, an
/// undecided one as a note naming the rules involved. `need` ends the message ("AML computes
/// need it (…)").
pub(super) fn report_outbound_issues(
    ctx: &RuleContext<'_>,
    sites: &[ComputeSite<'_>],
    issues: &[FlowIssue<'_>],
    need: impl Fn(&FlowIssue<'_>) -> String,
) {
    for issue in issues {
        let Some(site) = sites.get(issue.site) else {
            continue;
        };
        let flow = flow_text(&issue.required.flow);
        let subnet = &issue.subnet;
        let label = format!("{} in subnet '{subnet}' needs {flow}", site.what);
        let finding = match &issue.problem {
            FlowProblem::Denied(blocked) => with_related(
                Finding::new(
                    site.resource,
                    site.subnet_path,
                    format!(
                        "{} {flow} from subnet '{subnet}'; {}.",
                        sentence(&blocked.text),
                        need(issue)
                    ),
                )
                .label(label)
                .help("add an allow rule with a lower priority number for that service tag and port"),
                &blocked.related,
            ),
            FlowProblem::Unknown(names, related) => with_related(
                Finding::new(
                    site.resource,
                    site.subnet_path,
                    format!(
                        "Cannot decide whether {flow} from subnet '{subnet}' is allowed: it depends on {names}; {}.",
                        need(issue)
                    ),
                )
                .label(label)
                .severity(crate::codes::Severity::Note)
                .help("allow the flow explicitly (service tag and port) before any broader deny rule"),
                related,
            ),
            // Reported by the callers that ask for them, grouped per subnet.
            FlowProblem::ThroughAppliance(..) => continue,
        };
        ctx.report(finding);
    }
}

/// The subnet prefixes of the private endpoints the template writes in the VNet of `subnet` or
/// in a VNet it certainly reaches (`REACH`, C5): the destinations of §3.4 F14. Endpoints whose
/// subnet or prefixes are not known are left out.
pub(super) fn private_endpoint_prefixes(sets: &DerivedSets<'_>, subnet: &ResourceId) -> Vec<IpNet> {
    let Some(own_vnet) = vnet_of_subnet(subnet) else {
        return Vec::new();
    };
    let graph = sets.graph();
    let mut found: Vec<IpNet> = Vec::new();
    for resource in graph.resources().of_type(PRIVATE_ENDPOINT_TYPE) {
        let Some(endpoint) = graph.node_of(resource.index) else {
            continue;
        };
        if sets.written(endpoint) != Tri::True {
            continue;
        }
        for relation in graph.outgoing(endpoint, EdgeKind::InSubnet) {
            let Some(endpoint_subnet) = graph.node(relation.to) else {
                continue;
            };
            let Some(endpoint_vnet) = endpoint_subnet.id().and_then(vnet_of_subnet) else {
                continue;
            };
            if sets.reach(&own_vnet, &endpoint_vnet).value != Tri::True {
                continue;
            }
            let prefixes = endpoint_subnet
                .resource()
                .and_then(Subnet::of)
                .and_then(|view| view.address_prefixes().known())
                .unwrap_or_default();
            for net in prefixes
                .into_iter()
                .filter_map(|p| p.known().and_then(parse_net))
            {
                if !found.contains(&net) {
                    found.push(net);
                }
            }
        }
    }
    found
}

/// A private endpoint the template writes to a target, with its subnet.
#[derive(Debug, Clone)]
pub(super) struct TargetEndpoint<'g> {
    /// The endpoint resource.
    pub resource: &'g Resource,
    /// Its subnet.
    pub subnet: ResourceId,
}

/// The private endpoints the template certainly writes with a connection to `target` whose
/// group ids include one of `groups` (all group ids when `groups` is empty).
pub(super) fn endpoints_to<'g>(
    sets: &DerivedSets<'g>,
    target: NodeId,
    groups: &[&str],
) -> Vec<TargetEndpoint<'g>> {
    let graph = sets.graph();
    let mut found = Vec::new();
    for link in graph.incoming(target, EdgeKind::PrivateLinkTarget) {
        let wanted = groups.is_empty()
            || link
                .group_ids
                .iter()
                .any(|g| groups.iter().any(|w| g.eq_ignore_ascii_case(w)));
        if !wanted || sets.written(link.from) != Tri::True {
            continue;
        }
        let Some(resource) = resource_of(sets, link.from) else {
            continue;
        };
        for relation in graph.outgoing(link.from, EdgeKind::InSubnet) {
            if let Some(subnet) = graph.node(relation.to).and_then(|n| n.id()) {
                found.push(TargetEndpoint {
                    resource,
                    subnet: subnet.clone(),
                });
            }
        }
    }
    found
}

/// The known prefixes of a subnet endpoint.
pub(super) fn known_prefixes(endpoint: &SubnetEndpoint) -> Vec<IpNet> {
    endpoint
        .prefixes
        .iter()
        .filter_map(|prefix| prefix.known())
        .collect()
}

/// Evaluates `flow` on `placement` and turns the verdict into a problem: `None` when it is
/// allowed, or undecided only because of NSGs or route tables the template does not show
/// (then counted as an undecided check).
pub(super) fn flow_problem<'g>(
    ctx: &RuleContext<'_>,
    flow: &Flow,
    placement: &SubnetPlacement<'g>,
) -> Option<FlowProblem<'g>> {
    let verdict = evaluate(flow, &placement.placement());
    match verdict.outcome {
        Outcome::Allowed => None,
        Outcome::Denied => {
            let blocked = blocker(&verdict);
            if blocked.is_none() {
                ctx.indeterminate();
            }
            blocked.map(FlowProblem::Denied)
        }
        Outcome::Unknown => {
            let (names, related) = uncertainty(&verdict);
            if related.is_empty() {
                ctx.indeterminate();
                return None;
            }
            Some(FlowProblem::Unknown(names, related))
        }
    }
}

/// The child resources of `node` of `child_type` (security rules of an NSG, routes of a route
/// table) that the template may write, with whether it does.
fn written_children<'g, 's>(
    sets: &'s DerivedSets<'g>,
    node: NodeId,
    child_type: &'static str,
) -> impl Iterator<Item = (&'g Resource, Tri)> + 's {
    sets.graph()
        .incoming(node, EdgeKind::Parent)
        .filter_map(move |relation| {
            let child = resource_of(sets, relation.from)?;
            if !child.is_type(child_type) {
                return None;
            }
            let present = sets.written(relation.from);
            (present != Tri::False).then_some((child, present))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsec::{Access, Protocol, ServiceTag};

    fn graph_of(template: serde_json::Value) -> crate::graph::ResourceGraph {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), template.to_string()).expect("write");
        let (_, expansion) = crate::Analyzer::new(crate::Config::default())
            .expand_file(file.path(), None)
            .expect("readable");
        crate::graph::ResourceGraph::build(crate::model::ResourceSet::from_expansion(&expansion))
    }

    fn template(
        extra_rules: serde_json::Value,
        child_rules: Vec<serde_json::Value>,
    ) -> serde_json::Value {
        let mut resources = vec![
            serde_json::json!({
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": "2023-11-01",
                "name": "nsg-train",
                "location": "westeurope",
                "properties": { "securityRules": extra_rules }
            }),
            serde_json::json!({
                "type": "Microsoft.Network/routeTables",
                "apiVersion": "2023-11-01",
                "name": "rt-train",
                "location": "westeurope",
                "properties": { "routes": [
                    { "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.9.4" } }
                ] }
            }),
            serde_json::json!({
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-11-01",
                "name": "vnet",
                "location": "westeurope",
                "properties": {
                    "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                    "subnets": [{ "name": "train", "properties": {
                        "addressPrefix": "10.0.1.0/24",
                        "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-train')]" },
                        "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt-train')]" }
                    } }]
                }
            }),
        ];
        resources.extend(child_rules);
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": resources
        })
    }

    fn subnet_id() -> ResourceId {
        ResourceId::parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup/providers/Microsoft.Network/virtualNetworks/vnet/subnets/train")
            .expect("valid id")
    }

    #[test]
    fn inline_and_child_rules_and_routes_are_mapped_with_their_origins() {
        let graph = graph_of(template(
            serde_json::json!([{ "name": "DenyAllOutbound", "properties": {
                "priority": 4000, "direction": "Outbound", "access": "Deny", "protocol": "*",
                "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
                "sourcePortRange": "*", "destinationPortRange": "*" } }]),
            vec![serde_json::json!({
                "type": "Microsoft.Network/networkSecurityGroups/securityRules",
                "apiVersion": "2023-11-01",
                "name": "nsg-train/AllowAml",
                "dependsOn": ["[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-train')]"],
                "properties": {
                    "priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
                    "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "AzureMachineLearning",
                    "sourcePortRange": "*", "destinationPortRanges": ["443"],
                    "destinationApplicationSecurityGroups": []
                }
            })],
        ));
        let sets = DerivedSets::new(&graph, crate::expr::Cloud::AzureCloud);
        let site = subnet_placement(&sets, &subnet_id());
        assert_eq!(site.name(), "train");
        assert_eq!(
            site.endpoint.prefixes,
            vec![Maybe::Known("10.0.1.0/24".parse().expect("cidr"))]
        );
        assert_eq!(site.endpoint.vnet_address_space.len(), 1);
        let Attached::Known(nsg) = &site.subnet_nsg else {
            panic!("NSG is visible: {:?}", site.subnet_nsg);
        };
        assert_eq!(nsg.rules.len(), 2);
        assert_eq!(nsg.rules[0].origin.path, "properties.securityRules.0");
        assert_eq!(nsg.rules[0].access, Maybe::Known(Access::Deny));
        assert_eq!(nsg.rules[1].name, "AllowAml");
        assert_eq!(nsg.rules[1].direction, Maybe::Known(Direction::Outbound));
        let Attached::Known(table) = &site.route_table else {
            panic!("route table is visible");
        };
        assert_eq!(
            table.routes[0].next_hop_type,
            Maybe::Known(NextHopType::VirtualAppliance)
        );
        assert_eq!(table.routes[0].origin.path, "properties.routes.0");

        let aml = Flow::outbound(
            site.endpoint.clone(),
            "AzureMachineLearning".parse::<ServiceTag>().expect("tag"),
            Protocol::Tcp,
            443,
        );
        assert_eq!(evaluate(&aml, &site.placement()).outcome, Outcome::Allowed);
        let storage = Flow::outbound(
            site.endpoint.clone(),
            "Storage.westeurope".parse::<ServiceTag>().expect("tag"),
            Protocol::Tcp,
            443,
        );
        let verdict = evaluate(&storage, &site.placement());
        let blocked = blocker(&verdict).expect("denied");
        assert_eq!(
            blocked.clause,
            "NSG 'nsg-train' rule 'DenyAllOutbound' (priority 4000) denies it"
        );
        assert_eq!(blocked.related[0].1, "properties.securityRules.0");
    }

    #[test]
    fn unknown_values_stay_unknown() {
        // A rule list from a parameter without a default, and a subnet nobody declares.
        let graph = graph_of(serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": { "rules": { "type": "array" } },
            "resources": [
                {
                    "type": "Microsoft.Network/networkSecurityGroups",
                    "apiVersion": "2023-11-01",
                    "name": "nsg-train",
                    "location": "westeurope",
                    "properties": { "securityRules": "[parameters('rules')]" }
                },
                {
                    "type": "Microsoft.Network/virtualNetworks",
                    "apiVersion": "2023-11-01",
                    "name": "vnet",
                    "location": "westeurope",
                    "properties": {
                        "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                        "subnets": [{ "name": "train", "properties": {
                            "addressPrefix": "10.0.1.0/24",
                            "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-train')]" }
                        } }]
                    }
                }
            ]
        }));
        let sets = DerivedSets::new(&graph, crate::expr::Cloud::AzureCloud);
        let site = subnet_placement(&sets, &subnet_id());
        assert!(matches!(site.subnet_nsg, Attached::Unknown));
        assert!(matches!(site.route_table, Attached::None));
        let elsewhere = ResourceId::parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/hub/subnets/x")
            .expect("valid id");
        let outside = subnet_placement(&sets, &elsewhere);
        assert!(outside.resource.is_none());
        assert!(matches!(outside.subnet_nsg, Attached::Unknown));
        assert!(outside.endpoint.prefixes.is_empty());
    }

    #[test]
    fn a_conditional_child_rule_matches_as_unknown() {
        let child = serde_json::json!({
            "type": "Microsoft.Network/networkSecurityGroups/securityRules",
            "apiVersion": "2023-11-01",
            "name": "nsg-train/DenyStorage",
            "condition": "[parameters('lockDown')]",
            "properties": {
                "priority": 200, "direction": "Outbound", "access": "Deny", "protocol": "*",
                "sourceAddressPrefix": "*", "destinationAddressPrefix": "Storage",
                "sourcePortRange": "*", "destinationPortRange": "*"
            }
        });
        let mut document = template(serde_json::json!([]), vec![child]);
        document["parameters"] = serde_json::json!({ "lockDown": { "type": "bool" } });
        let graph = graph_of(document);
        let sets = DerivedSets::new(&graph, crate::expr::Cloud::AzureCloud);
        let site = subnet_placement(&sets, &subnet_id());
        let Attached::Known(nsg) = &site.subnet_nsg else {
            panic!("NSG is visible");
        };
        assert_eq!(nsg.rules[0].sources, vec![AddressPrefix::Unknown]);
        let storage = Flow::outbound(
            site.endpoint.clone(),
            "Storage.westeurope".parse::<ServiceTag>().expect("tag"),
            Protocol::Tcp,
            443,
        );
        // The route table sends everything to an appliance; the NSG rule may or may not exist.
        assert_eq!(
            evaluate(&storage, &site.placement()).outcome,
            Outcome::Unknown
        );
    }

    #[test]
    fn nic_nsgs_peered_vnets_and_fqdns() {
        let graph = graph_of(serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [
                {
                    "type": "Microsoft.Network/networkSecurityGroups",
                    "apiVersion": "2023-11-01",
                    "name": "nsg-nic",
                    "location": "westeurope",
                    "properties": { "securityRules": [{ "name": "FromAsg", "properties": {
                        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                        "sourceApplicationSecurityGroups": [{ "id": "[resourceId('Microsoft.Network/applicationSecurityGroups', 'asg-ml')]" }],
                        "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22" } }] }
                },
                {
                    "type": "Microsoft.Network/virtualNetworks",
                    "apiVersion": "2023-11-01",
                    "name": "vnet",
                    "location": "westeurope",
                    "properties": {
                        "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                        "subnets": [{ "name": "train", "properties": { "addressPrefix": "10.0.1.0/24" } }],
                        "virtualNetworkPeerings": [{ "name": "to-hub", "properties": {
                            "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]" } } }]
                    }
                },
                {
                    "type": "Microsoft.Network/virtualNetworks",
                    "apiVersion": "2023-11-01",
                    "name": "hub",
                    "location": "westeurope",
                    "properties": {
                        "addressSpace": { "addressPrefixes": ["10.9.0.0/16"] },
                        "subnets": [{ "name": "pe", "properties": { "addressPrefix": "10.9.1.0/24" } }],
                        "virtualNetworkPeerings": [{ "name": "to-spoke", "properties": {
                            "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet')]" } } }]
                    }
                },
                {
                    "type": "Microsoft.Network/privateEndpoints",
                    "apiVersion": "2023-11-01",
                    "name": "pe-st",
                    "location": "westeurope",
                    "properties": {
                        "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'pe')]" },
                        "privateLinkServiceConnections": [{ "name": "blob", "properties": {
                            "privateLinkServiceId": "[resourceId('Microsoft.Storage/storageAccounts', 'st')]", "groupIds": ["blob"] } }]
                    }
                },
                {
                    "type": "Microsoft.Network/networkInterfaces",
                    "apiVersion": "2023-11-01",
                    "name": "nic-vm",
                    "location": "westeurope",
                    "properties": {
                        "ipConfigurations": [{ "name": "ip", "properties": {
                            "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'train')]" } } }],
                        "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-nic')]" }
                    }
                }
            ]
        }));
        let sets = DerivedSets::new(&graph, crate::expr::Cloud::AzureCloud);
        let site = subnet_placement(&sets, &subnet_id());
        assert_eq!(site.endpoint.reachable_vnets.len(), 1);
        assert_eq!(site.endpoint.reachable_vnets[0].reach, Tri::True);
        assert_eq!(
            private_endpoint_prefixes(&sets, &subnet_id()),
            vec!["10.9.1.0/24".parse::<IpNet>().expect("cidr")]
        );
        let nic_id = ResourceId::parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup/providers/Microsoft.Network/networkInterfaces/nic-vm")
            .expect("valid id");
        let nic = graph.find(&nic_id).expect("NIC node");
        let view = resource_of(&sets, nic)
            .and_then(crate::model::kinds::NetworkInterface::of)
            .expect("NIC view");
        let Attached::Known(nsg) = nsg_attached(&sets, nic, view.network_security_group_id())
        else {
            panic!("NIC NSG is visible");
        };
        assert!(matches!(
            nsg.rules[0].sources.as_slice(),
            [AddressPrefix::ApplicationSecurityGroup(_)]
        ));
        assert_eq!(
            row_fqdns(FlowRow::F5, "West Europe").as_deref(),
            Some("*.westeurope.batch.azure.com, *.westeurope.service.batch.azure.com")
        );
        assert_eq!(row_fqdns(FlowRow::F14, "westeurope"), None);
    }
}
