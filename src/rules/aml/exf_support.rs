//! Helpers the AML-EXF rules share: the compute subnets whose storage egress they judge, the
//! service endpoint policies attached there (§2.11), the security rules of a subnet's NSG, and
//! the subnet's storage egress evaluated by [`netsec`](crate::netsec) (C6).

use std::collections::HashSet;

use super::net_support::declared;
use super::support::{node_name, resource_of};
use crate::graph::{AssociatedRole, ComputeSubnetSource, DerivedSets, EdgeKind, NodeId};
use ipnet::IpNet;

use crate::model::kinds::{
    NetworkSecurityGroup, POLICY_DEFINITION_TYPE, PolicyDefinition, RouteTable as RouteTableView,
    SECURITY_RULE_TYPE, SecurityRule, ServiceEndpointPolicy, ServiceEndpointPolicyDefinition,
    Setting, Subnet, VirtualNetwork,
};
use crate::model::{Prop, Resource, ResourceId, Tri};
use crate::netsec::{
    self, AddressPrefix, Attachment, Flow, Maybe, NextHopType, Note, Nsg, Outcome, Placement,
    PortRange, Protocol, Route, RouteTable, ServiceTag, SubnetEndpoint, evaluate,
};
use crate::rules::RuleContext;

/// The AzureML service alias a `Global` definition must list (§4.9 AML-EXF-002).
pub(super) const AML_ALIAS: &str = "/services/Azure/MachineLearning";
/// The umbrella alias; whether it covers [`AML_ALIAS`] is unverified (§6 item 25).
pub(super) const UMBRELLA_ALIAS: &str = "/services/Azure";

/// A compute subnet the template declares and writes, with the workspace and the resource that
/// place computes there.
#[derive(Debug, Clone, Copy)]
pub(super) struct ComputeSubnetUse<'g> {
    /// The workspace whose computes use the subnet.
    pub workspace: NodeId,
    /// The subnet's declaration.
    pub subnet: &'g Resource,
    /// Its view.
    pub view: Subnet<'g>,
    /// The compute (or the workspace, for serverless compute) that names the subnet.
    pub holder: NodeId,
}

/// The subnets of the compute instances, clusters and serverless compute of every written
/// workspace, once per subnet. AKS subnets are left out: the AzureML alias and the workspace
/// storage concern the nodes Azure Machine Learning provisions itself. Subnets outside the
/// template, possible members and open sets count as undecided checks.
pub(super) fn compute_subnet_uses<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
) -> Vec<ComputeSubnetUse<'g>> {
    let mut seen = HashSet::new();
    let mut uses = Vec::new();
    for workspace in sets.workspaces() {
        let subnets = sets.compute_subnets(workspace);
        if !subnets.open.is_empty() {
            ctx.indeterminate();
        }
        for member in &subnets.members {
            if matches!(
                member.item.source,
                ComputeSubnetSource::AksNetworking | ComputeSubnetSource::AksAgentPool
            ) {
                continue;
            }
            let Some((node, subnet)) = declared(sets, &member.item.subnet) else {
                ctx.indeterminate();
                continue;
            };
            if member.certainty != Tri::True || sets.written(node) != Tri::True {
                ctx.indeterminate();
                continue;
            }
            let Some(view) = Subnet::of(subnet) else {
                continue;
            };
            if seen.insert(node) {
                uses.push(ComputeSubnetUse {
                    workspace,
                    subnet,
                    view,
                    holder: member.item.holder,
                });
            }
        }
    }
    uses
}

/// Whether the subnet has the `Microsoft.Storage` service endpoint (`Microsoft.Storage.Global`,
/// the cross-region variant, counts too).
pub(super) fn has_storage_endpoint(subnet: &Subnet<'_>) -> Tri {
    match subnet.service_endpoints() {
        Setting::Set(services) | Setting::Default(services) => Tri::any(services.iter().map(|s| {
            s.test(|name| {
                name.eq_ignore_ascii_case("Microsoft.Storage")
                    || name.eq_ignore_ascii_case("Microsoft.Storage.Global")
            })
        })),
        Setting::Absent => Tri::False,
        Setting::Unknown(_) => Tri::Unknown,
    }
}

/// One service endpoint policy attached to a subnet, with its definitions.
#[derive(Debug, Clone)]
pub(super) struct AttachedPolicy<'g> {
    /// The policy's declaration.
    pub resource: &'g Resource,
    /// Its inline and child definitions.
    pub definitions: Vec<PolicyDefinition<'g>>,
}

/// The policies attached to a subnet: `None` when one of them is not visible (an id known only
/// at deployment, a policy outside the template or declared `existing`, definitions computed
/// at deployment).
pub(super) fn attached_policies<'g>(
    sets: &DerivedSets<'g>,
    subnet: &Subnet<'g>,
) -> Option<Vec<AttachedPolicy<'g>>> {
    let ids = match subnet.service_endpoint_policy_ids() {
        Setting::Set(ids) | Setting::Default(ids) => ids,
        Setting::Absent => return Some(Vec::new()),
        Setting::Unknown(_) => return None,
    };
    let mut policies = Vec::new();
    for id in ids {
        let id = ResourceId::parse(id.known()?).ok()?;
        let (node, resource) = declared(sets, &id)?;
        if sets.written(node) != Tri::True {
            return None;
        }
        let view = ServiceEndpointPolicy::of(resource)?;
        let mut definitions = view.definitions().known()?;
        for relation in sets.graph().incoming(node, EdgeKind::Parent) {
            let Some(child) = resource_of(sets, relation.from) else {
                continue;
            };
            if !child.is_type(POLICY_DEFINITION_TYPE) || sets.written(relation.from) == Tri::False {
                continue;
            }
            if sets.written(relation.from) == Tri::Unknown {
                return None;
            }
            definitions.push(ServiceEndpointPolicyDefinition::of(child)?.definition());
        }
        policies.push(AttachedPolicy {
            resource,
            definitions,
        });
    }
    Some(policies)
}

/// What the `Global` definitions of a subnet's policies say about the AzureML alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AliasCoverage {
    /// A `Global` definition lists `/services/Azure/MachineLearning`.
    Listed,
    /// Only the umbrella `/services/Azure` is listed.
    UmbrellaOnly,
    /// Neither is listed.
    Missing,
    /// A service or resource of a definition is known only at deployment.
    Unknown,
}

/// The AzureML alias coverage of a set of policies.
pub(super) fn alias_coverage(policies: &[AttachedPolicy<'_>]) -> AliasCoverage {
    let mut listed = Tri::False;
    let mut umbrella = Tri::False;
    for definition in policies.iter().flat_map(|p| &p.definitions) {
        let lists = |alias: &str| match &definition.service_resources {
            Setting::Set(items) | Setting::Default(items) => Tri::any(items.iter().map(|item| {
                item.test(|text| text.trim_end_matches('/').eq_ignore_ascii_case(alias))
            })),
            Setting::Absent => Tri::False,
            Setting::Unknown(_) => Tri::Unknown,
        };
        listed = listed.or(definition.is_global().and(lists(AML_ALIAS)));
        umbrella = umbrella.or(definition.is_global().and(lists(UMBRELLA_ALIAS)));
    }
    match (listed, umbrella) {
        (Tri::True, _) => AliasCoverage::Listed,
        (Tri::Unknown, _) => AliasCoverage::Unknown,
        (Tri::False, Tri::True) => AliasCoverage::UmbrellaOnly,
        (Tri::False, Tri::Unknown) => AliasCoverage::Unknown,
        (Tri::False, Tri::False) => AliasCoverage::Missing,
    }
}

/// Whether a `Microsoft.Storage` definition of the policies allows the storage account `id`:
/// it lists the account, its resource group or its subscription.
pub(super) fn storage_allowed(policies: &[AttachedPolicy<'_>], id: &ResourceId) -> Tri {
    Tri::any(
        policies
            .iter()
            .flat_map(|p| &p.definitions)
            .map(|definition| {
                let covers = match &definition.service_resources {
                    Setting::Set(items) | Setting::Default(items) => {
                        Tri::any(items.iter().map(|item| {
                            match item
                                .value()
                                .map(|text| ResourceId::parse(text.trim_end_matches('/')))
                            {
                                Some(Ok(scope)) => id.matches(&scope).or(id.is_within(&scope)),
                                Some(Err(_)) => Tri::False,
                                None => Tri::Unknown,
                            }
                        }))
                    }
                    Setting::Absent => Tri::False,
                    Setting::Unknown(_) => Tri::Unknown,
                };
                definition.is_storage().and(covers)
            }),
    )
}

/// The default storage accounts of a workspace (`ASSOC(w)`, storage role) with their ids.
pub(super) fn default_storage<'g>(
    sets: &DerivedSets<'g>,
    workspace: NodeId,
) -> (Vec<(NodeId, ResourceId, String)>, bool) {
    let associated = sets.associated(workspace);
    let complete = associated.open.is_empty();
    let accounts = associated
        .possible()
        .filter(|member| member.role == AssociatedRole::StorageAccount)
        .filter_map(|member| {
            let id = sets.graph().node(member.node)?.id()?.clone();
            Some((member.node, id, node_name(sets, member.node)))
        })
        .collect();
    (accounts, complete)
}

/// Whether the subnet's VNet reaches a private endpoint of `storage` (any group id): then the
/// computes reach it privately and the policy need not list it.
pub(super) fn reaches_storage_endpoint(
    sets: &DerivedSets<'_>,
    subnet: &Subnet<'_>,
    storage: NodeId,
) -> Tri {
    let Some(own_vnet) = subnet.vnet_id() else {
        return Tri::Unknown;
    };
    Tri::any(
        sets.graph()
            .incoming(storage, EdgeKind::PrivateLinkTarget)
            .filter(|relation| sets.written(relation.from) != Tri::False)
            .map(|relation| {
                let endpoint_vnet = resource_of(sets, relation.from)
                    .and_then(crate::model::kinds::PrivateEndpoint::of)
                    .and_then(|endpoint| endpoint.subnet_id().known())
                    .and_then(|text| ResourceId::parse(text).ok())
                    .and_then(|id| crate::graph::vnet_of_subnet(&id));
                match endpoint_vnet {
                    Some(vnet) => sets
                        .written(relation.from)
                        .and(sets.reach(&vnet, &own_vnet).value),
                    None => Tri::Unknown,
                }
            }),
    )
}

/// One security rule of an NSG with the body path a finding points at.
pub(super) struct PlacedRule<'g> {
    /// The rule.
    pub rule: SecurityRule<'g>,
    /// `properties.securityRules.<i>` for inline rules, `properties` for child rules.
    pub path: String,
}

/// The NSG attached to a subnet and its rules (inline and child), when the template declares
/// and writes it; `Err(())` when an NSG is attached but not visible.
pub(super) fn subnet_nsg_rules<'g>(
    sets: &DerivedSets<'g>,
    subnet: &Subnet<'g>,
) -> Result<Option<(&'g Resource, Vec<PlacedRule<'g>>)>, ()> {
    let id = match subnet.network_security_group_id() {
        Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text).map_err(|_| ())?,
        Setting::Absent => return Ok(None),
        Setting::Unknown(_) => return Err(()),
    };
    let (node, resource) = declared(sets, &id).ok_or(())?;
    if sets.written(node) != Tri::True {
        return Err(());
    }
    let nsg = NetworkSecurityGroup::of(resource).ok_or(())?;
    let mut rules: Vec<PlacedRule<'g>> = nsg
        .inline_rules()
        .known()
        .ok_or(())?
        .into_iter()
        .enumerate()
        .map(|(index, rule)| PlacedRule {
            rule,
            path: format!("properties.securityRules.{index}"),
        })
        .collect();
    for relation in sets.graph().incoming(node, EdgeKind::Parent) {
        if sets.written(relation.from) == Tri::False {
            continue;
        }
        let Some(child) = resource_of(sets, relation.from) else {
            continue;
        };
        if !child.is_type(SECURITY_RULE_TYPE) {
            continue;
        }
        // A rule deployed only under an unknown condition makes the whole NSG uncertain.
        if sets.written(relation.from) == Tri::Unknown {
            return Err(());
        }
        if let Some(rule) = SecurityRule::of(child) {
            rules.push(PlacedRule {
                rule,
                path: "properties".to_owned(),
            });
        }
    }
    Ok(Some((resource, rules)))
}

/// The resource type of a child route.
const ROUTE_TYPE: &str = "Microsoft.Network/routeTables/routes";

/// The verdict on the compute subnet's outbound TCP 443 flow to `Storage.<region>` (§3.4 F6).
#[derive(Debug, Clone)]
pub(super) struct StorageEgress {
    /// Allowed, denied or unknown.
    pub outcome: Outcome,
    /// What decides it, as the evaluator words it (`allowed by NSG 'x' rule 'y'`).
    pub verdict: String,
    /// The route table and route when the flow leaves through a virtual appliance or a gateway,
    /// whose own rules the template does not show.
    pub filtering_hop: Option<String>,
}

/// Evaluates outbound TCP 443 from the subnet to `Storage.<region>` through its NSG and route
/// table (C6). NSGs, route tables and values the template does not show make it `Unknown`.
pub(super) fn storage_egress<'g>(
    sets: &DerivedSets<'g>,
    usage: &ComputeSubnetUse<'g>,
    region: &str,
) -> StorageEgress {
    let nsg = match subnet_nsg_rules(sets, &usage.view) {
        Ok(Some((resource, rules))) => Attached::Known(Nsg::new(
            &resource.display_name(),
            rules
                .iter()
                .map(|placed| mapped_rule(&placed.rule))
                .collect(),
            (),
        )),
        Ok(None) => Attached::None,
        Err(()) => Attached::Unknown,
    };
    let route_table = route_table_of(sets, &usage.view);
    let placement = Placement {
        subnet_nsg: nsg.lend(),
        nic_nsg: Attachment::None,
        route_table: route_table.lend(),
    };
    let flow = Flow::outbound(
        subnet_endpoint(sets, usage),
        ServiceTag::new("Storage", Some(region)),
        Protocol::Tcp,
        443,
    );
    let verdict = evaluate(&flow, &placement);
    let filtering_hop = verdict.notes.iter().find_map(|note| match note {
        Note::FilteringHop {
            table,
            route,
            next_hop,
            certain: true,
            ..
        } => Some(format!(
            "route '{}' of route table '{}' sends it to a {next_hop}",
            route.name, table.name
        )),
        _ => None,
    });
    StorageEgress {
        outcome: verdict.outcome,
        verdict: match (&verdict.deciding, verdict.outcome) {
            (None, Outcome::Allowed) => "allowed (no NSG applies)".to_owned(),
            _ => verdict.to_string(),
        },
        filtering_hop,
    }
}

/// An owned attachment, lent to the evaluator as an [`Attachment`].
enum Attached<T> {
    None,
    Known(T),
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

/// A security rule of the template as the evaluator reads it: every value the template computes
/// at deployment (or writes in a form ARM would reject) is unknown.
fn mapped_rule(rule: &SecurityRule<'_>) -> netsec::SecurityRule {
    fn keyword<T: std::str::FromStr>(setting: Setting<'_, &str>) -> Maybe<T> {
        Maybe::from(setting.known().and_then(|text| text.parse().ok()))
    }
    fn list<T>(
        setting: Setting<'_, Vec<Setting<'_, &str>>>,
        parse: impl Fn(&str) -> T,
        unknown: impl Fn() -> T,
    ) -> Vec<T> {
        match setting.known() {
            // Application security groups in place of prefixes leave the list empty: their
            // members are not known statically.
            Some(items) if !items.is_empty() => items
                .into_iter()
                .map(|item| item.known().map_or_else(&unknown, &parse))
                .collect(),
            _ => vec![unknown()],
        }
    }
    netsec::SecurityRule {
        name: rule.name().unwrap_or("(name unknown)").to_owned(),
        priority: Maybe::from(rule.priority().known().and_then(|p| u32::try_from(p).ok())),
        direction: keyword(rule.direction()),
        access: keyword(rule.access()),
        protocol: keyword(rule.protocol()),
        sources: list(
            rule.source_address_prefixes(),
            AddressPrefix::parse_lenient,
            || AddressPrefix::Unknown,
        ),
        destinations: list(
            rule.destination_address_prefixes(),
            AddressPrefix::parse_lenient,
            || AddressPrefix::Unknown,
        ),
        source_ports: list(rule.source_port_ranges(), PortRange::parse_lenient, || {
            PortRange::Unknown
        }),
        destination_ports: list(
            rule.destination_port_ranges(),
            PortRange::parse_lenient,
            || PortRange::Unknown,
        ),
        origin: (),
    }
}

/// The route table of the subnet with its inline and child routes.
fn route_table_of(sets: &DerivedSets<'_>, subnet: &Subnet<'_>) -> Attached<RouteTable> {
    let id = match subnet.route_table_id() {
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) => id,
            Err(_) => return Attached::Unknown,
        },
        Setting::Absent => return Attached::None,
        Setting::Unknown(_) => return Attached::Unknown,
    };
    let Some((node, resource)) = declared(sets, &id) else {
        return Attached::Unknown;
    };
    let Some(view) = RouteTableView::of(resource) else {
        return Attached::Unknown;
    };
    if sets.written(node) != Tri::True {
        return Attached::Unknown;
    }
    let Some(inline) = view.routes().known() else {
        return Attached::Unknown;
    };
    let mut routes: Vec<Route> = inline
        .into_iter()
        .map(|route| {
            mapped_route(
                route.name.known(),
                route.address_prefix.known(),
                route.next_hop_type.known(),
            )
        })
        .collect();
    for relation in sets.graph().incoming(node, EdgeKind::Parent) {
        if sets.written(relation.from) == Tri::False {
            continue;
        }
        let Some(child) = resource_of(sets, relation.from) else {
            continue;
        };
        if !child.is_type(ROUTE_TYPE) {
            continue;
        }
        if sets.written(relation.from) == Tri::Unknown {
            return Attached::Unknown;
        }
        let text = |path| match child.get(path) {
            Prop::Value(value) => value.as_str(),
            _ => None,
        };
        let name = child.display_name();
        routes.push(mapped_route(
            Some(&name),
            text("properties.addressPrefix"),
            text("properties.nextHopType"),
        ));
    }
    Attached::Known(RouteTable::new(&resource.display_name(), routes, ()))
}

fn mapped_route(name: Option<&str>, prefix: Option<&str>, next_hop: Option<&str>) -> Route {
    Route {
        name: name.unwrap_or("(name unknown)").to_owned(),
        address_prefix: prefix.map_or(AddressPrefix::Unknown, AddressPrefix::parse_lenient),
        next_hop_type: Maybe::from(next_hop.and_then(|text| text.parse::<NextHopType>().ok())),
        next_hop_ip: None,
        origin: (),
    }
}

/// The subnet as the flow's own end: its prefixes and its VNet's address space.
fn subnet_endpoint(sets: &DerivedSets<'_>, usage: &ComputeSubnetUse<'_>) -> SubnetEndpoint {
    let nets = |setting: Setting<'_, Vec<Setting<'_, &str>>>| -> Vec<Maybe<IpNet>> {
        setting
            .known()
            .unwrap_or_default()
            .into_iter()
            .map(|item| Maybe::from(item.known().and_then(|t| t.trim().parse::<IpNet>().ok())))
            .collect()
    };
    let vnet_address_space = usage
        .view
        .vnet_id()
        .and_then(|id| declared(sets, &id))
        .and_then(|(_, resource)| VirtualNetwork::of(resource))
        .map(|vnet| nets(vnet.address_prefixes()))
        .unwrap_or_default();
    SubnetEndpoint {
        name: usage.subnet.display_name(),
        prefixes: nets(usage.view.address_prefixes()),
        vnet_address_space,
        reachable_vnets: Vec::new(),
    }
}
