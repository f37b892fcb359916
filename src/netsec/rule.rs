//! Security rules, NSGs, and the six default rules every NSG ends with.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use super::address::{AddressPrefix, Endpoint, MatchContext, prefix_matches};
use super::ports::PortRange;
use super::{Flow, Maybe, Protocol};
use crate::model::Tri;

/// Direction of a rule or flow, seen from the compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Traffic arriving at the compute.
    Inbound,
    /// Traffic leaving the compute.
    Outbound,
}

/// What a rule does with the traffic it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Let it through.
    Allow,
    /// Drop it.
    Deny,
}

/// The `protocol` of a security rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleProtocol {
    /// `*`: every protocol.
    Any,
    /// `Tcp`.
    Tcp,
    /// `Udp`.
    Udp,
    /// `Icmp`.
    Icmp,
    /// `Esp`.
    Esp,
    /// `Ah`.
    Ah,
}

impl RuleProtocol {
    fn matches(self, protocol: Protocol) -> bool {
        match self {
            RuleProtocol::Any => true,
            RuleProtocol::Tcp => protocol == Protocol::Tcp,
            RuleProtocol::Udp => protocol == Protocol::Udp,
            RuleProtocol::Icmp | RuleProtocol::Esp | RuleProtocol::Ah => false,
        }
    }
}

/// An enum value that is not one of the documented spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {what}")]
pub struct EnumError {
    /// The text given.
    pub text: String,
    /// Which property it was given for.
    pub what: &'static str,
}

macro_rules! parse_enum {
    ($type:ty, $what:literal, { $($text:literal => $value:expr),+ $(,)? }) => {
        impl FromStr for $type {
            type Err = EnumError;
            /// Parses the ARM spelling, ignoring case (C1).
            fn from_str(text: &str) -> Result<Self, EnumError> {
                $(if text.eq_ignore_ascii_case($text) { return Ok($value); })+
                Err(EnumError { text: text.to_owned(), what: $what })
            }
        }
    };
}

parse_enum!(Direction, "direction", { "Inbound" => Direction::Inbound, "Outbound" => Direction::Outbound });
parse_enum!(Access, "access", { "Allow" => Access::Allow, "Deny" => Access::Deny });
parse_enum!(RuleProtocol, "protocol", {
    "*" => RuleProtocol::Any, "Tcp" => RuleProtocol::Tcp, "Udp" => RuleProtocol::Udp,
    "Icmp" => RuleProtocol::Icmp, "Esp" => RuleProtocol::Esp, "Ah" => RuleProtocol::Ah,
});

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        })
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Allow => "allow",
            Access::Deny => "deny",
        })
    }
}

/// One security rule of an NSG (inline `securityRules[*]` or a `securityRules` child), with its
/// values already evaluated; any of them may be unknown.
///
/// `origin` is an opaque handle chosen by the caller (a resource id plus JSON pointer, an
/// index, …): verdicts hand the rule back, so the caller can point at the line to change.
///
/// ```
/// use armgraph::netsec::{Access, Direction, RuleProtocol, SecurityRule};
/// let rule = SecurityRule::new("AllowAml", 150, Direction::Outbound, Access::Allow)
///     .protocol(RuleProtocol::Tcp)
///     .destinations(["AzureMachineLearning"])
///     .destination_ports(["443"])
///     .with_origin("azuredeploy.json#/resources/3/properties/securityRules/1");
/// assert_eq!(rule.destination_ports.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRule<O = ()> {
    /// The rule's name.
    pub name: String,
    /// `priority` (100–4096 for user rules; lower is evaluated first).
    pub priority: Maybe<u32>,
    /// `direction`.
    pub direction: Maybe<Direction>,
    /// `access`.
    pub access: Maybe<Access>,
    /// `protocol`.
    pub protocol: Maybe<RuleProtocol>,
    /// `sourceAddressPrefix`, `sourceAddressPrefixes[*]` and `sourceApplicationSecurityGroups[*]`
    /// together; the rule matches when any of them does. Empty means not known.
    pub sources: Vec<AddressPrefix>,
    /// The destination counterpart of `sources`.
    pub destinations: Vec<AddressPrefix>,
    /// `sourcePortRange` and `sourcePortRanges[*]` together. Empty means not known.
    pub source_ports: Vec<PortRange>,
    /// `destinationPortRange` and `destinationPortRanges[*]` together. Empty means not known.
    pub destination_ports: Vec<PortRange>,
    /// The caller's handle for this rule.
    pub origin: O,
}

impl SecurityRule<()> {
    /// A rule for every protocol, address and port, to narrow with the builder methods.
    pub fn new(name: &str, priority: u32, direction: Direction, access: Access) -> Self {
        SecurityRule {
            name: name.to_owned(),
            priority: Maybe::Known(priority),
            direction: Maybe::Known(direction),
            access: Maybe::Known(access),
            protocol: Maybe::Known(RuleProtocol::Any),
            sources: vec![AddressPrefix::Any],
            destinations: vec![AddressPrefix::Any],
            source_ports: vec![PortRange::Any],
            destination_ports: vec![PortRange::Any],
            origin: (),
        }
    }
}

impl<O> SecurityRule<O> {
    /// The same rule with another origin handle.
    pub fn with_origin<P>(self, origin: P) -> SecurityRule<P> {
        SecurityRule {
            name: self.name,
            priority: self.priority,
            direction: self.direction,
            access: self.access,
            protocol: self.protocol,
            sources: self.sources,
            destinations: self.destinations,
            source_ports: self.source_ports,
            destination_ports: self.destination_ports,
            origin,
        }
    }

    /// Sets the protocol.
    #[must_use]
    pub fn protocol(mut self, protocol: RuleProtocol) -> Self {
        self.protocol = Maybe::Known(protocol);
        self
    }

    /// Sets the source prefixes from their ARM spelling (unparseable ones become unknown).
    #[must_use]
    pub fn sources<'t>(mut self, prefixes: impl IntoIterator<Item = &'t str>) -> Self {
        self.sources = prefixes
            .into_iter()
            .map(AddressPrefix::parse_lenient)
            .collect();
        self
    }

    /// Sets the destination prefixes from their ARM spelling (unparseable ones become unknown).
    #[must_use]
    pub fn destinations<'t>(mut self, prefixes: impl IntoIterator<Item = &'t str>) -> Self {
        self.destinations = prefixes
            .into_iter()
            .map(AddressPrefix::parse_lenient)
            .collect();
        self
    }

    /// Sets the source port ranges from their ARM spelling (unparseable ones become unknown).
    #[must_use]
    pub fn source_ports<'t>(mut self, ranges: impl IntoIterator<Item = &'t str>) -> Self {
        self.source_ports = ranges.into_iter().map(PortRange::parse_lenient).collect();
        self
    }

    /// Sets the destination port ranges from their ARM spelling (unparseable ones become
    /// unknown).
    #[must_use]
    pub fn destination_ports<'t>(mut self, ranges: impl IntoIterator<Item = &'t str>) -> Self {
        self.destination_ports = ranges.into_iter().map(PortRange::parse_lenient).collect();
        self
    }

    /// Whether the rule matches the flow (C6): the tri-state conjunction of direction,
    /// protocol, ports and both address sides.
    pub(crate) fn matches(&self, flow: &Flow, context: &MatchContext<'_>) -> Tri {
        let direction = match self.direction {
            Maybe::Known(direction) => Tri::from(direction == flow.direction),
            Maybe::Unknown => Tri::Unknown,
        };
        if direction.is_false() {
            return Tri::False;
        }
        let protocol = match self.protocol {
            Maybe::Known(protocol) => Tri::from(protocol.matches(flow.protocol)),
            Maybe::Unknown => Tri::Unknown,
        };
        let destination_port = any_or_unknown(
            self.destination_ports
                .iter()
                .map(|range| range.contains(flow.port)),
        );
        // A flow has no fixed source port (clients use ephemeral ports), so only a rule open to
        // every source port certainly matches; any narrower range is `Unknown`.
        let source_port = any_or_unknown(self.source_ports.iter().map(|range| {
            if range.is_all().is_true() {
                Tri::True
            } else {
                Tri::Unknown
            }
        }));
        let source = addresses_match(&self.sources, &flow.source, context);
        let destination = addresses_match(&self.destinations, &flow.destination, context);
        Tri::all([
            direction,
            protocol,
            destination_port,
            source_port,
            source,
            destination,
        ])
    }

    /// Whether any address prefix, on either side, is the `VirtualNetwork` tag.
    pub(crate) fn uses_virtual_network(&self) -> bool {
        self.sources
            .iter()
            .chain(&self.destinations)
            .any(AddressPrefix::is_virtual_network)
    }
}

/// Disjunction where an empty list means "not known".
fn any_or_unknown(values: impl Iterator<Item = Tri>) -> Tri {
    let mut values = values.peekable();
    if values.peek().is_none() {
        return Tri::Unknown;
    }
    Tri::any(values)
}

fn addresses_match(
    prefixes: &[AddressPrefix],
    endpoint: &Endpoint,
    context: &MatchContext<'_>,
) -> Tri {
    any_or_unknown(
        prefixes
            .iter()
            .map(|prefix| prefix_matches(prefix, endpoint, context)),
    )
}

/// A network security group: its user rules and an origin handle. The six default rules
/// ([`DefaultRule`]) are appended implicitly by the evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nsg<O = ()> {
    /// The NSG's name, for messages.
    pub name: String,
    /// Its security rules, inline and child rules together, in any order.
    pub rules: Vec<SecurityRule<O>>,
    /// The caller's handle for the NSG.
    pub origin: O,
}

impl<O> Nsg<O> {
    /// An NSG with the given rules.
    pub fn new(name: &str, rules: Vec<SecurityRule<O>>, origin: O) -> Nsg<O> {
        Nsg {
            name: name.to_owned(),
            rules,
            origin,
        }
    }
}

/// The default rules Azure appends to every NSG \[nsg\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultRule {
    /// Inbound, 65000: `VirtualNetwork` → `VirtualNetwork`, allow.
    AllowVnetInBound,
    /// Inbound, 65001: `AzureLoadBalancer` → `*`, allow.
    AllowAzureLoadBalancerInBound,
    /// Inbound, 65500: `*` → `*`, deny.
    DenyAllInBound,
    /// Outbound, 65000: `VirtualNetwork` → `VirtualNetwork`, allow.
    AllowVnetOutBound,
    /// Outbound, 65001: `*` → `Internet`, allow.
    AllowInternetOutBound,
    /// Outbound, 65500: `*` → `*`, deny.
    DenyAllOutBound,
}

static DEFAULT_RULES: LazyLock<[SecurityRule; 6]> = LazyLock::new(|| {
    use Access::{Allow, Deny};
    use Direction::{Inbound, Outbound};
    [
        SecurityRule::new("AllowVnetInBound", 65000, Inbound, Allow)
            .sources(["VirtualNetwork"])
            .destinations(["VirtualNetwork"]),
        SecurityRule::new("AllowAzureLoadBalancerInBound", 65001, Inbound, Allow)
            .sources(["AzureLoadBalancer"]),
        SecurityRule::new("DenyAllInBound", 65500, Inbound, Deny),
        SecurityRule::new("AllowVnetOutBound", 65000, Outbound, Allow)
            .sources(["VirtualNetwork"])
            .destinations(["VirtualNetwork"]),
        SecurityRule::new("AllowInternetOutBound", 65001, Outbound, Allow)
            .destinations(["Internet"]),
        SecurityRule::new("DenyAllOutBound", 65500, Outbound, Deny),
    ]
});

impl DefaultRule {
    /// The three default rules of a direction, in evaluation order.
    pub fn for_direction(direction: Direction) -> [DefaultRule; 3] {
        match direction {
            Direction::Inbound => [
                DefaultRule::AllowVnetInBound,
                DefaultRule::AllowAzureLoadBalancerInBound,
                DefaultRule::DenyAllInBound,
            ],
            Direction::Outbound => [
                DefaultRule::AllowVnetOutBound,
                DefaultRule::AllowInternetOutBound,
                DefaultRule::DenyAllOutBound,
            ],
        }
    }

    /// The rule as data.
    pub fn rule(self) -> &'static SecurityRule {
        let index = match self {
            DefaultRule::AllowVnetInBound => 0,
            DefaultRule::AllowAzureLoadBalancerInBound => 1,
            DefaultRule::DenyAllInBound => 2,
            DefaultRule::AllowVnetOutBound => 3,
            DefaultRule::AllowInternetOutBound => 4,
            DefaultRule::DenyAllOutBound => 5,
        };
        &DEFAULT_RULES[index]
    }

    /// The rule's name, as Azure shows it.
    pub fn name(self) -> &'static str {
        &self.rule().name
    }

    /// The rule's priority.
    pub fn priority(self) -> u32 {
        match self {
            DefaultRule::AllowVnetInBound | DefaultRule::AllowVnetOutBound => 65000,
            DefaultRule::AllowAzureLoadBalancerInBound | DefaultRule::AllowInternetOutBound => {
                65001
            }
            DefaultRule::DenyAllInBound | DefaultRule::DenyAllOutBound => 65500,
        }
    }
}

/// A rule an evaluation walked: one of the NSG's own rules or one of the defaults.
#[derive(Debug)]
pub enum RuleRef<'a, O = ()> {
    /// A rule of the NSG, with the caller's origin.
    User(&'a SecurityRule<O>),
    /// A default rule.
    Default(DefaultRule),
}

impl<O> Clone for RuleRef<'_, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for RuleRef<'_, O> {}

impl<'a, O> RuleRef<'a, O> {
    /// The rule's name.
    pub fn name(&self) -> &'a str {
        match self {
            RuleRef::User(rule) => &rule.name,
            RuleRef::Default(rule) => rule.name(),
        }
    }

    /// The rule's priority.
    pub fn priority(&self) -> Maybe<u32> {
        match self {
            RuleRef::User(rule) => rule.priority,
            RuleRef::Default(rule) => Maybe::Known(rule.priority()),
        }
    }

    /// The rule's access.
    pub fn access(&self) -> Maybe<Access> {
        match self {
            RuleRef::User(rule) => rule.access,
            RuleRef::Default(rule) => rule.rule().access,
        }
    }

    /// The caller's origin handle; `None` for a default rule.
    pub fn origin(&self) -> Option<&'a O> {
        match self {
            RuleRef::User(rule) => Some(&rule.origin),
            RuleRef::Default(_) => None,
        }
    }

    pub(crate) fn matches(&self, flow: &Flow, context: &MatchContext<'_>) -> Tri {
        match self {
            RuleRef::User(rule) => rule.matches(flow, context),
            RuleRef::Default(rule) => rule.rule().matches(flow, context),
        }
    }

    pub(crate) fn uses_virtual_network(&self) -> bool {
        match self {
            RuleRef::User(rule) => rule.uses_virtual_network(),
            RuleRef::Default(rule) => rule.rule().uses_virtual_network(),
        }
    }
}

impl<O> fmt::Display for RuleRef<'_, O> {
    /// `'DenyAllOutbound' (priority 4000)`; default rules say so.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' (", self.name())?;
        match self.priority() {
            Maybe::Known(priority) => write!(f, "priority {priority}")?,
            Maybe::Unknown => f.write_str("priority unknown")?,
        }
        if matches!(self, RuleRef::Default(_)) {
            f.write_str(", default rule")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_ignoring_case() {
        assert_eq!("outbound".parse(), Ok(Direction::Outbound));
        assert_eq!("ALLOW".parse(), Ok(Access::Allow));
        assert_eq!("*".parse(), Ok(RuleProtocol::Any));
        assert_eq!("icmp".parse(), Ok(RuleProtocol::Icmp));
        assert!("Both".parse::<Direction>().is_err());
    }

    #[test]
    fn default_rules_are_consistent() {
        for direction in [Direction::Inbound, Direction::Outbound] {
            let mut last = 0;
            for rule in DefaultRule::for_direction(direction) {
                assert_eq!(rule.rule().direction, Maybe::Known(direction));
                assert_eq!(rule.rule().priority, Maybe::Known(rule.priority()));
                assert!(rule.priority() > last);
                last = rule.priority();
            }
        }
        assert_eq!(DefaultRule::DenyAllOutBound.name(), "DenyAllOutBound");
        let shown = RuleRef::<()>::Default(DefaultRule::AllowInternetOutBound).to_string();
        assert_eq!(
            shown,
            "'AllowInternetOutBound' (priority 65001, default rule)"
        );
    }
}
