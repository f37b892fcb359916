//! The evaluation: NSG walks, layer composition, routes → [`Verdict`] (C6).

use std::fmt;

use super::address::{
    Endpoint, MatchContext, SubnetEndpoint, system_route_prefix_len, virtual_network_contains,
};
use super::route::{NextHopType, Route, RouteTable};
use super::rule::{Access, DefaultRule, Direction, Nsg, RuleRef};
use super::{Flow, Maybe};
use crate::model::Tri;

/// Whether something is attached at a layer: nothing, something visible, or something the
/// analysis cannot see (an NSG or route table deployed elsewhere, an id computed at runtime).
#[derive(Debug, PartialEq, Eq)]
pub enum Attachment<T> {
    /// Nothing attached.
    None,
    /// Attached and visible.
    Known(T),
    /// Maybe attached, or attached but its content is not visible.
    Unknown,
}

impl<T: Copy> Clone for Attachment<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Copy> Copy for Attachment<T> {}

/// Where the compute's end of a flow sits: the NSGs and route table that apply to it.
#[derive(Debug)]
pub struct Placement<'a, O = ()> {
    /// The NSG of the compute's subnet.
    pub subnet_nsg: Attachment<&'a Nsg<O>>,
    /// The NSG of the compute's NIC, where a NIC is in the graph.
    pub nic_nsg: Attachment<&'a Nsg<O>>,
    /// The route table of the compute's subnet.
    pub route_table: Attachment<&'a RouteTable<O>>,
}

impl<O> Default for Placement<'_, O> {
    /// No NSG, no route table: everything is allowed.
    fn default() -> Self {
        Placement {
            subnet_nsg: Attachment::None,
            nic_nsg: Attachment::None,
            route_table: Attachment::None,
        }
    }
}

impl<O> Clone for Placement<'_, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for Placement<'_, O> {}

/// The result of a flow evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Every layer lets the flow through.
    Allowed,
    /// Some layer certainly drops it.
    Denied,
    /// It depends on values the analysis does not know.
    Unknown,
}

impl From<Access> for Outcome {
    fn from(access: Access) -> Outcome {
        match access {
            Access::Allow => Outcome::Allowed,
            Access::Deny => Outcome::Denied,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Unknown => "unknown",
        })
    }
}

/// Which NSG of a [`Placement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NsgLayer {
    /// The subnet's NSG.
    Subnet,
    /// The NIC's NSG.
    Nic,
}

impl fmt::Display for NsgLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NsgLayer::Subnet => "subnet",
            NsgLayer::Nic => "NIC",
        })
    }
}

/// Something that decides a flow or leaves it undecided: a rule of an NSG, a route, or an
/// attachment the analysis cannot see.
#[derive(Debug)]
#[non_exhaustive]
pub enum Decider<'a, O = ()> {
    /// A security rule (user or default) of an NSG.
    Rule {
        /// Which NSG of the placement.
        layer: NsgLayer,
        /// The NSG.
        nsg: &'a Nsg<O>,
        /// The rule.
        rule: RuleRef<'a, O>,
    },
    /// A route of the subnet's route table.
    Route {
        /// The route table.
        table: &'a RouteTable<O>,
        /// The route.
        route: &'a Route<O>,
    },
    /// An NSG that is (maybe) attached but whose rules are not visible.
    UnknownNsg {
        /// Which NSG of the placement.
        layer: NsgLayer,
    },
    /// A route table that is (maybe) attached but whose routes are not visible.
    UnknownRouteTable,
}

impl<O> Clone for Decider<'_, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for Decider<'_, O> {}

impl<'a, O> Decider<'a, O> {
    /// The security rule, when this is one.
    pub fn rule(&self) -> Option<RuleRef<'a, O>> {
        match self {
            Decider::Rule { rule, .. } => Some(*rule),
            _ => None,
        }
    }

    /// The NSG, when this is a rule.
    pub fn nsg(&self) -> Option<&'a Nsg<O>> {
        match self {
            Decider::Rule { nsg, .. } => Some(nsg),
            _ => None,
        }
    }
}

impl<O> fmt::Display for Decider<'_, O> {
    /// `NSG 'nsg-train' (subnet) rule 'DenyAllOutbound' (priority 4000)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decider::Rule { layer, nsg, rule } => {
                write!(f, "NSG '{}' ({layer}) rule {rule}", nsg.name)
            }
            Decider::Route { table, route } => {
                write!(f, "route table '{}' route '{}'", table.name, route.name)
            }
            Decider::UnknownNsg { layer } => write!(f, "the {layer} NSG, whose rules are unknown"),
            Decider::UnknownRouteTable => f.write_str("the route table, whose routes are unknown"),
        }
    }
}

/// Something a rule should tell the user besides the outcome.
#[derive(Debug)]
#[non_exhaustive]
pub enum Note<'a, O = ()> {
    /// The flow leaves through a virtual appliance or a gateway (forced tunnelling): an NSG
    /// "allow" is not the last word; the appliance or the on-premises egress must allow the
    /// flow's FQDNs (§3.4).
    FilteringHop {
        /// The route table.
        table: &'a RouteTable<O>,
        /// The route the flow takes.
        route: &'a Route<O>,
        /// `VirtualAppliance` or `VirtualNetworkGateway`.
        next_hop: NextHopType,
        /// The appliance's address, when given.
        next_hop_ip: Option<&'a str>,
        /// `false` when the route only may apply (its coverage of the flow is unknown).
        certain: bool,
    },
    /// A `VirtualNetwork` prefix matched the service side as `Unknown` because these routes
    /// (may) cover it: the `VirtualNetwork` tag includes user-defined route prefixes
    /// \[service-tags\].
    VirtualNetworkIncludesRoutes {
        /// The route table.
        table: &'a RouteTable<O>,
        /// The covering routes.
        routes: Vec<&'a Route<O>>,
    },
    /// An NSG denies the flow, and a route with `nextHopType: None` would drop it as well.
    AlsoDroppedByRoute {
        /// The route table.
        table: &'a RouteTable<O>,
        /// The route.
        route: &'a Route<O>,
    },
}

/// The verdict on one flow: the "IP flow verify" of a template.
///
/// * `outcome`: allowed only if every layer allows; denied as soon as one layer certainly
///   denies; otherwise unknown.
/// * `deciding`: for `Denied`, the first rule (in packet order) that denies it, or the
///   `None` route that drops it; for `Allowed`, the allowing rule of the last NSG the packet
///   passes (outbound: the subnet NSG, inbound: the NIC NSG), `None` when no NSG applies; for
///   `Unknown`, the rule that would decide if the uncertain rules before it did not match.
/// * `involved`: the rules whose match was `Unknown` (remembered by the walk, C6), rules of
///   unknown priority that may match, unknown attachments and uncertain routes.
#[derive(Debug)]
#[non_exhaustive]
pub struct Verdict<'a, O = ()> {
    /// Allowed, denied or unknown.
    pub outcome: Outcome,
    /// The rule or route that decides (see the type's docs).
    pub deciding: Option<Decider<'a, O>>,
    /// What made or could make the outcome uncertain.
    pub involved: Vec<Decider<'a, O>>,
    /// Extra facts for the message.
    pub notes: Vec<Note<'a, O>>,
}

impl<O> fmt::Display for Verdict<'_, O> {
    /// `denied by NSG 'nsg' (subnet) rule 'DenyAllOutbound' (priority 4000)`, then the
    /// undecided rules for an unknown outcome.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.outcome)?;
        if let Some(deciding) = &self.deciding {
            write!(f, " by {deciding}")?;
        }
        if self.outcome == Outcome::Unknown && !self.involved.is_empty() {
            f.write_str("; depends on ")?;
            for (i, decider) in self.involved.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{decider}")?;
            }
        }
        Ok(())
    }
}

/// One layer's result.
struct LayerVerdict<'a, O> {
    outcome: Outcome,
    deciding: Option<Decider<'a, O>>,
    involved: Vec<Decider<'a, O>>,
}

impl<'a, O> LayerVerdict<'a, O> {
    fn allowed() -> Self {
        LayerVerdict {
            outcome: Outcome::Allowed,
            deciding: None,
            involved: Vec::new(),
        }
    }
}

/// Evaluates `flow` against the NSGs and routes of `placement` (C6).
///
/// Outbound, the NIC NSG is walked first, then the subnet NSG, then the route the flow takes;
/// inbound, the subnet NSG, then the NIC NSG. Routes are applied to outbound flows only (they
/// steer traffic leaving the subnet); in both directions they widen the `VirtualNetwork` tag.
///
/// ```
/// use armgraph::netsec::*;
/// let subnet = SubnetEndpoint::new("train", ["10.0.1.0/24".parse()?], ["10.0.0.0/16".parse()?]);
/// let nsg = Nsg::new("nsg", vec![
///     SecurityRule::new("DenyAllOutbound", 4000, Direction::Outbound, Access::Deny),
/// ], ());
/// let flow = Flow::outbound(subnet, "AzureMachineLearning".parse::<ServiceTag>()?, Protocol::Tcp, 443);
/// let placement = Placement { subnet_nsg: Attachment::Known(&nsg), ..Placement::default() };
/// let verdict = evaluate(&flow, &placement);
/// assert_eq!(verdict.outcome, Outcome::Denied);
/// assert_eq!(verdict.deciding.and_then(|d| d.rule()).map(|r| r.name()), Some("DenyAllOutbound"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate<'a, O>(flow: &Flow, placement: &Placement<'a, O>) -> Verdict<'a, O> {
    let (local, remote) = ends(flow);
    let mut notes = Vec::new();

    // What the `VirtualNetwork` tag covers on the remote side because of routes.
    let route_covers_remote = match placement.route_table {
        Attachment::None => Tri::False,
        Attachment::Unknown => Tri::Unknown,
        Attachment::Known(table) => {
            let (covers, routes) = table.covering_routes(remote);
            // Say so only where the routes, not the VNet itself, put the remote end in the tag.
            if covers.is_possible() && !virtual_network_contains(remote, local).is_true() {
                notes.push(Note::VirtualNetworkIncludesRoutes { table, routes });
            }
            covers
        }
    };
    let context = MatchContext {
        local,
        route_covers_remote,
    };

    let nsg_layers = match flow.direction {
        Direction::Outbound => [
            (NsgLayer::Nic, placement.nic_nsg),
            (NsgLayer::Subnet, placement.subnet_nsg),
        ],
        Direction::Inbound => [
            (NsgLayer::Subnet, placement.subnet_nsg),
            (NsgLayer::Nic, placement.nic_nsg),
        ],
    };
    let mut layers: Vec<LayerVerdict<'a, O>> = nsg_layers
        .into_iter()
        .map(|(layer, attachment)| match attachment {
            Attachment::None => LayerVerdict::allowed(),
            Attachment::Unknown => LayerVerdict {
                outcome: Outcome::Unknown,
                deciding: None,
                involved: vec![Decider::UnknownNsg { layer }],
            },
            Attachment::Known(nsg) => walk(layer, nsg, flow, &context),
        })
        .collect();
    // The allowing rule named for `Allowed` is that of the last NSG the packet passes.
    let last_allowing = layers.iter().rev().find_map(|layer| layer.deciding);
    if flow.direction == Direction::Outbound {
        let system_prefix_len = system_route_prefix_len(remote, local);
        layers.push(routing(
            placement.route_table,
            remote,
            system_prefix_len,
            &mut notes,
        ));
    }

    let mut involved = Vec::new();
    for layer in &layers {
        involved.extend(layer.involved.iter().copied());
    }
    if let Some(denying) = layers
        .iter()
        .position(|layer| layer.outcome == Outcome::Denied)
    {
        // A drop by a later route is worth saying when an NSG already denies.
        if denying < layers.len() - 1
            && let Some(Decider::Route { table, route }) = layers.last().and_then(|l| {
                (l.outcome == Outcome::Denied)
                    .then_some(l.deciding)
                    .flatten()
            })
        {
            notes.push(Note::AlsoDroppedByRoute { table, route });
        }
        // What an appliance must allow does not matter for a flow that never reaches it.
        notes.retain(|note| !matches!(note, Note::FilteringHop { .. }));
        let layer = &layers[denying];
        return Verdict {
            outcome: Outcome::Denied,
            deciding: layer.deciding,
            involved: layer.involved.clone(),
            notes: relevant_notes(notes, &layer.involved, layer.deciding),
        };
    }
    if let Some(unknown) = layers
        .iter()
        .find(|layer| layer.outcome == Outcome::Unknown)
    {
        let deciding = unknown.deciding;
        return Verdict {
            outcome: Outcome::Unknown,
            notes: relevant_notes(notes, &involved, deciding),
            deciding,
            involved,
        };
    }
    Verdict {
        outcome: Outcome::Allowed,
        notes: relevant_notes(notes, &involved, last_allowing),
        deciding: last_allowing,
        involved,
    }
}

/// Keeps the `VirtualNetworkIncludesRoutes` note only when a rule that uses `VirtualNetwork`
/// took part in the verdict: otherwise the routes changed nothing worth saying.
fn relevant_notes<'a, O>(
    notes: Vec<Note<'a, O>>,
    involved: &[Decider<'a, O>],
    deciding: Option<Decider<'a, O>>,
) -> Vec<Note<'a, O>> {
    let uses_virtual_network = involved
        .iter()
        .chain(deciding.as_ref())
        .filter_map(Decider::rule)
        .any(|rule| rule.uses_virtual_network());
    notes
        .into_iter()
        .filter(|note| {
            !matches!(note, Note::VirtualNetworkIncludesRoutes { .. }) || uses_virtual_network
        })
        .collect()
}

/// The compute's end (for `VirtualNetwork`) and the remote end (for routes) of a flow.
fn ends(flow: &Flow) -> (Option<&SubnetEndpoint>, &Endpoint) {
    let (local, remote) = match flow.direction {
        Direction::Outbound => (&flow.source, &flow.destination),
        Direction::Inbound => (&flow.destination, &flow.source),
    };
    match (local, remote) {
        (Endpoint::Subnet(subnet), _) => (Some(subnet), remote),
        // The caller put the subnet on the other side: take it from there.
        (_, Endpoint::Subnet(subnet)) => (Some(subnet), local),
        _ => (None, remote),
    }
}

/// Walks one NSG's rules in priority order, then the defaults (C6 "Walking the rules").
fn walk<'a, O>(
    layer: NsgLayer,
    nsg: &'a Nsg<O>,
    flow: &Flow,
    context: &MatchContext<'_>,
) -> LayerVerdict<'a, O> {
    let decider = |rule: RuleRef<'a, O>| Decider::Rule { layer, nsg, rule };
    let mut ordered: Vec<(u32, usize)> = Vec::new();
    let mut floating = Vec::new();
    for (index, rule) in nsg.rules.iter().enumerate() {
        match rule.priority {
            Maybe::Known(priority) => ordered.push((priority, index)),
            Maybe::Unknown => floating.push(RuleRef::User(rule)),
        }
    }
    // Stable by declaration order for equal priorities (ARM rejects those anyway).
    ordered.sort_unstable();
    let walk_order = ordered
        .iter()
        .map(|&(_, index)| RuleRef::User(&nsg.rules[index]))
        .chain(
            DefaultRule::for_direction(flow.direction)
                .into_iter()
                .map(RuleRef::Default),
        );

    let mut remembered: Vec<RuleRef<'a, O>> = Vec::new();
    let mut verdict = None;
    for rule in walk_order {
        match rule.matches(flow, context) {
            Tri::False => {}
            Tri::Unknown => remembered.push(rule),
            Tri::True => {
                let access = rule.access();
                let agreed = match access {
                    Maybe::Known(access) => remembered
                        .iter()
                        .all(|earlier| earlier.access() == Maybe::Known(access)),
                    Maybe::Unknown => false,
                };
                let outcome = match access {
                    Maybe::Known(access) if agreed => Outcome::from(access),
                    _ => Outcome::Unknown,
                };
                verdict = Some((outcome, rule));
                break;
            }
        }
    }
    let mut involved: Vec<Decider<'a, O>> = remembered.into_iter().map(decider).collect();
    // The defaults end with a deny-all that always matches, so the walk always decides; stay
    // total anyway.
    let Some((mut outcome, deciding)) = verdict else {
        return LayerVerdict {
            outcome: Outcome::Unknown,
            deciding: None,
            involved,
        };
    };
    // A rule of unknown priority may sit anywhere before the deciding rule (user priorities
    // are below the defaults'): if it may match with another access, nothing is certain.
    for rule in floating {
        if rule.matches(flow, context).is_possible() {
            let agrees = match outcome {
                Outcome::Allowed => rule.access() == Maybe::Known(Access::Allow),
                Outcome::Denied => rule.access() == Maybe::Known(Access::Deny),
                Outcome::Unknown => true,
            };
            if !agrees {
                outcome = Outcome::Unknown;
            }
            involved.push(decider(rule));
        }
    }
    LayerVerdict {
        outcome,
        deciding: Some(decider(deciding)),
        involved,
    }
}

/// The routing layer of an outbound flow (C6 "Routes").
fn routing<'a, O>(
    attachment: Attachment<&'a RouteTable<O>>,
    remote: &Endpoint,
    system_prefix_len: Option<u8>,
    notes: &mut Vec<Note<'a, O>>,
) -> LayerVerdict<'a, O> {
    let table = match attachment {
        Attachment::None => return LayerVerdict::allowed(),
        Attachment::Unknown => {
            return LayerVerdict {
                outcome: Outcome::Unknown,
                deciding: None,
                involved: vec![Decider::UnknownRouteTable],
            };
        }
        Attachment::Known(table) => table,
    };
    let selection = table.select(remote, system_prefix_len);
    let filtering = |route: &'a Route<O>, certain: bool| match route.next_hop_type {
        Maybe::Known(hop) if hop.is_filtering_hop() => Some(Note::FilteringHop {
            table,
            route,
            next_hop: hop,
            next_hop_ip: route.next_hop_ip.as_deref(),
            certain,
        }),
        _ => None,
    };
    notes.extend(selection.chosen.and_then(|route| filtering(route, true)));
    notes.extend(
        selection
            .contenders
            .iter()
            .filter_map(|route| filtering(route, false)),
    );
    let chosen = selection
        .chosen
        .map(|route| Decider::Route { table, route });
    match selection.drops() {
        Tri::False => LayerVerdict {
            outcome: Outcome::Allowed,
            deciding: None,
            involved: Vec::new(),
        },
        Tri::True => LayerVerdict {
            outcome: Outcome::Denied,
            deciding: chosen,
            involved: Vec::new(),
        },
        Tri::Unknown => LayerVerdict {
            outcome: Outcome::Unknown,
            deciding: chosen,
            involved: selection
                .chosen
                .into_iter()
                .chain(selection.contenders.iter().copied())
                .map(|route| Decider::Route { table, route })
                .collect(),
        },
    }
}
