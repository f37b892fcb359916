//! NSG flow evaluation (§1.4 C6 of the invariants spec): "IP flow verify" for templates.
//!
//! Given a [`Flow`] (one protocol, one destination port, a direction) between the compute's
//! subnet and a service tag or address, and the [`Placement`] of the compute (subnet NSG, NIC
//! NSG, route table), [`evaluate`] walks the rules the way Azure does — priority order, then
//! the six default rules, NIC and subnet NSGs composed — and returns a [`Verdict`] naming the
//! deciding rule. Every comparison is tri-state ([`Tri`]): values computed at deployment time,
//! application security groups and service tags whose address ranges are not known make a
//! rule's match `Unknown`; the walk remembers such rules and the verdict becomes `Unknown`
//! when they could change it.
//!
//! The module works on its own plain input types; the resource model and graph map their
//! views onto them. [`required_flows`] lists the flows AML computes need (§3.4).
//!
//! Choices where C6 leaves room (each is tested):
//! * A flow has no source port: a rule restricted to source ports other than `*`/`0-65535`
//!   matches as `Unknown`.
//! * A CIDR route inside the private ranges never covers a public service tag (C6 says so for
//!   rule prefixes; routes use the same fact); other CIDR routes other than `0.0.0.0/0` cover a
//!   service tag as `Unknown`.
//! * Routes steer outbound flows only; they widen `VirtualNetwork` in both directions (a
//!   `0.0.0.0/0` route makes `AllowVnetInBound` match inbound service traffic as `Unknown`).
//! * A rule of unknown priority may sit anywhere before the deciding rule.
//! * An IPv6 CIDR never matches a service tag definitely (`Unknown`), `::/0` included.
//!
//! [`Tri`]: crate::model::Tri

mod address;
mod eval;
mod ports;
mod required;
mod route;
mod rule;

use std::fmt;

use ipnet::IpNet;

pub use address::{
    AddressError, AddressPrefix, Endpoint, ReachableVnet, ServiceTag, SubnetEndpoint,
    normalize_region,
};
pub use eval::{Attachment, Decider, Note, NsgLayer, Outcome, Placement, Verdict, evaluate};
pub use ports::{PortRange, PortRangeError};
pub use required::{ComputeKind, FlowRow, RequiredFlow, RequiredFlowOptions, Tier, required_flows};
pub use route::{NextHopType, Route, RouteTable};
pub use rule::{
    Access, DefaultRule, Direction, EnumError, Nsg, RuleProtocol, RuleRef, SecurityRule,
};

/// A value of a rule or route that may be known only at deployment time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Maybe<T> {
    /// The value.
    Known(T),
    /// Computed at deployment time (a `reference()`, an unset parameter, …).
    Unknown,
}

impl<T> Maybe<T> {
    /// The value, when known.
    pub fn known(self) -> Option<T> {
        match self {
            Maybe::Known(value) => Some(value),
            Maybe::Unknown => None,
        }
    }
}

impl<T> From<Option<T>> for Maybe<T> {
    /// `None` is `Unknown`.
    fn from(value: Option<T>) -> Maybe<T> {
        value.map_or(Maybe::Unknown, Maybe::Known)
    }
}

/// The protocol of a flow: one of them, never "any" (C6; §3.4 states which one the rules
/// evaluate where the sources write "ANY").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        })
    }
}

/// A flow to evaluate: source, destination, one protocol, the destination port, and the
/// direction seen from the compute (outbound: the compute's subnet is the source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Where the traffic starts.
    pub source: Endpoint,
    /// Where it goes.
    pub destination: Endpoint,
    /// TCP or UDP.
    pub protocol: Protocol,
    /// The destination port.
    pub port: u16,
    /// Inbound or outbound, seen from the compute.
    pub direction: Direction,
}

impl Flow {
    /// An outbound flow from `source` (normally the compute's subnet).
    pub fn outbound(
        source: impl Into<Endpoint>,
        destination: impl Into<Endpoint>,
        protocol: Protocol,
        port: u16,
    ) -> Flow {
        Flow {
            source: source.into(),
            destination: destination.into(),
            protocol,
            port,
            direction: Direction::Outbound,
        }
    }

    /// An inbound flow to `destination` (normally the compute's subnet).
    pub fn inbound(
        source: impl Into<Endpoint>,
        destination: impl Into<Endpoint>,
        protocol: Protocol,
        port: u16,
    ) -> Flow {
        Flow {
            source: source.into(),
            destination: destination.into(),
            protocol,
            port,
            direction: Direction::Inbound,
        }
    }
}

impl fmt::Display for Flow {
    /// `outbound TCP/443 from subnet 'train' to AzureMachineLearning`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{} from {} to {}",
            self.direction, self.protocol, self.port, self.source, self.destination
        )
    }
}

impl From<SubnetEndpoint> for Endpoint {
    fn from(subnet: SubnetEndpoint) -> Endpoint {
        Endpoint::Subnet(subnet)
    }
}

impl From<ServiceTag> for Endpoint {
    fn from(tag: ServiceTag) -> Endpoint {
        Endpoint::service(tag)
    }
}

impl From<IpNet> for Endpoint {
    fn from(net: IpNet) -> Endpoint {
        Endpoint::Address(net)
    }
}
