//! Route tables of the compute's subnet: which route a flow takes, and what that does (C6
//! "Routes").

use std::fmt;
use std::str::FromStr;

use super::Maybe;
use super::address::{AddressPrefix, Endpoint, route_covers, route_specificity};
use super::rule::EnumError;
use crate::model::Tri;

/// `nextHopType` of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextHopType {
    /// `Internet`.
    Internet,
    /// `VirtualAppliance`: a firewall or other network virtual appliance (`nextHopIpAddress`).
    VirtualAppliance,
    /// `VirtualNetworkGateway`: forced tunnelling to on-premises.
    VirtualNetworkGateway,
    /// `VnetLocal`.
    VnetLocal,
    /// `None`: the traffic is dropped.
    None,
}

impl NextHopType {
    /// Whether traffic on this hop leaves through something else that filters it.
    pub fn is_filtering_hop(self) -> bool {
        matches!(
            self,
            NextHopType::VirtualAppliance | NextHopType::VirtualNetworkGateway
        )
    }
}

impl FromStr for NextHopType {
    type Err = EnumError;
    /// Parses the ARM spelling, ignoring case (C1).
    fn from_str(text: &str) -> Result<NextHopType, EnumError> {
        [
            ("Internet", NextHopType::Internet),
            ("VirtualAppliance", NextHopType::VirtualAppliance),
            ("VirtualNetworkGateway", NextHopType::VirtualNetworkGateway),
            ("VnetLocal", NextHopType::VnetLocal),
            ("None", NextHopType::None),
        ]
        .into_iter()
        .find(|(name, _)| text.eq_ignore_ascii_case(name))
        .map(|(_, hop)| hop)
        .ok_or_else(|| EnumError {
            text: text.to_owned(),
            what: "next hop type",
        })
    }
}

impl fmt::Display for NextHopType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NextHopType::Internet => "Internet",
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::None => "None",
        })
    }
}

/// One route (`routes[*]` of a route table, or a `routes` child).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<O = ()> {
    /// The route's name.
    pub name: String,
    /// `addressPrefix`: a CIDR or a service tag.
    pub address_prefix: AddressPrefix,
    /// `nextHopType`.
    pub next_hop_type: Maybe<NextHopType>,
    /// `nextHopIpAddress`, for a virtual appliance.
    pub next_hop_ip: Option<String>,
    /// The caller's handle for the route.
    pub origin: O,
}

impl Route<()> {
    /// A route from the ARM spelling of its prefix (unparseable → unknown) and next hop.
    pub fn new(name: &str, address_prefix: &str, next_hop_type: NextHopType) -> Route<()> {
        Route {
            name: name.to_owned(),
            address_prefix: AddressPrefix::parse_lenient(address_prefix),
            next_hop_type: Maybe::Known(next_hop_type),
            next_hop_ip: None,
            origin: (),
        }
    }
}

impl<O> Route<O> {
    /// The same route with another origin handle.
    pub fn with_origin<P>(self, origin: P) -> Route<P> {
        Route {
            name: self.name,
            address_prefix: self.address_prefix,
            next_hop_type: self.next_hop_type,
            next_hop_ip: self.next_hop_ip,
            origin,
        }
    }

    /// Sets `nextHopIpAddress`.
    #[must_use]
    pub fn next_hop_ip(mut self, address: &str) -> Self {
        self.next_hop_ip = Some(address.to_owned());
        self
    }
}

/// A route table attached to the compute's subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable<O = ()> {
    /// The route table's name, for messages.
    pub name: String,
    /// Its routes, in any order.
    pub routes: Vec<Route<O>>,
    /// The caller's handle for the table.
    pub origin: O,
}

impl<O> RouteTable<O> {
    /// A route table with the given routes.
    pub fn new(name: &str, routes: Vec<Route<O>>, origin: O) -> RouteTable<O> {
        RouteTable {
            name: name.to_owned(),
            routes,
            origin,
        }
    }

    /// Whether some route's prefix covers the flow's remote end, so that the `VirtualNetwork`
    /// tag includes it (\[service-tags\]). Returns the routes that (may) cover it.
    pub(crate) fn covering_routes(&self, remote: &Endpoint) -> (Tri, Vec<&Route<O>>) {
        let mut covering = Vec::new();
        let mut covers = Tri::False;
        for route in &self.routes {
            let this = route_covers(&route.address_prefix, remote);
            if this.is_possible() {
                covering.push(route);
            }
            covers = covers.or(this);
        }
        (covers, covering)
    }

    /// Picks the route a flow to `remote` takes. `system_prefix_len` is the prefix length of
    /// the system route (`VnetLocal`, peering) that covers `remote`, if any: a user route
    /// overrides it only with a prefix at least as long.
    pub(crate) fn select(
        &self,
        remote: &Endpoint,
        system_prefix_len: Option<u8>,
    ) -> RouteSelection<'_, O> {
        let beats_system = |route: &Route<O>| match (system_prefix_len, &route.address_prefix) {
            (None, _) => true,
            (Some(system), AddressPrefix::Cidr(cidr)) => cidr.prefix_len() >= system,
            (Some(_), _) => false,
        };
        let mut chosen: Option<&Route<O>> = None;
        for route in &self.routes {
            if route_covers(&route.address_prefix, remote).is_true()
                && beats_system(route)
                && chosen.is_none_or(|best| {
                    route_specificity(&route.address_prefix)
                        > route_specificity(&best.address_prefix)
                })
            {
                chosen = Some(route);
            }
        }
        let chosen_hop = chosen.map(|route| route.next_hop_type);
        let contenders = self
            .routes
            .iter()
            .filter(|route| route_covers(&route.address_prefix, remote).is_unknown())
            .filter(|route| beats_system(route))
            .filter(|route| match (chosen, &route.address_prefix) {
                // Between two CIDRs the longer prefix wins for sure; any other pairing may go
                // either way.
                (Some(best), AddressPrefix::Cidr(mine)) => match &best.address_prefix {
                    AddressPrefix::Cidr(theirs) => mine.prefix_len() > theirs.prefix_len(),
                    _ => true,
                },
                _ => true,
            })
            .filter(|route| Some(route.next_hop_type) != chosen_hop)
            .collect();
        RouteSelection { chosen, contenders }
    }
}

/// The route a flow takes: `chosen` certainly covers it and is the most specific such route
/// (`None`: the system routes apply); `contenders` may cover it, may win, and have another
/// next hop.
#[derive(Debug)]
pub(crate) struct RouteSelection<'a, O> {
    pub chosen: Option<&'a Route<O>>,
    pub contenders: Vec<&'a Route<O>>,
}

impl<O> RouteSelection<'_, O> {
    /// Whether the flow is dropped (`nextHopType: None`).
    pub fn drops(&self) -> Tri {
        let hop_drops = |route: &Route<O>| match route.next_hop_type {
            Maybe::Known(hop) => Tri::from(hop == NextHopType::None),
            Maybe::Unknown => Tri::Unknown,
        };
        let chosen = self.chosen.map_or(Tri::False, hop_drops);
        if chosen.is_false() && self.contenders.iter().all(|r| hop_drops(r).is_false()) {
            Tri::False
        } else if chosen.is_true() && self.contenders.is_empty() {
            Tri::True
        } else {
            Tri::Unknown
        }
    }
}
