//! Address sides: service tags, rule address prefixes, flow endpoints, and how they match (C6).

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net};

use super::Maybe;
use crate::model::Tri;

/// Service tags whose dotted suffix is part of the name, not a region.
const DOTTED_NAMES: [&str; 3] = [
    "AzureFrontDoor.Frontend",
    "AzureFrontDoor.Backend",
    "AzureFrontDoor.FirstParty",
];

/// A service tag, global (`Storage`) or regional (`Storage.westeurope`).
///
/// Names compare ignoring case (C1); regions are normalized on construction by lower-casing
/// and removing white space (C2: `Storage.West Europe` = `storage.westeurope`).
/// `AzureFrontDoor.Frontend`, `.Backend` and `.FirstParty` are names, not regional tags.
///
/// ```
/// use armgraph::netsec::ServiceTag;
/// let tag: ServiceTag = "Storage.WestEurope".parse()?;
/// assert_eq!(tag.name(), "Storage");
/// assert_eq!(tag.region(), Some("westeurope"));
/// assert_eq!(tag, "storage.westeurope".parse()?);
/// assert_eq!("AzureFrontDoor.FirstParty".parse::<ServiceTag>()?.region(), None);
/// # Ok::<(), armgraph::netsec::AddressError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServiceTag {
    name: String,
    region: Option<String>,
}

impl ServiceTag {
    /// A tag from a name and an optional region (normalized per C2).
    pub fn new(name: &str, region: Option<&str>) -> ServiceTag {
        ServiceTag {
            name: name.to_owned(),
            region: region.map(normalize_region).filter(|r| !r.is_empty()),
        }
    }

    /// The tag name without region, in its original spelling (`Storage`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The normalized region, for a regional tag.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The same tag without its region.
    pub fn global(&self) -> ServiceTag {
        ServiceTag {
            name: self.name.clone(),
            region: None,
        }
    }

    /// Whether the tag name (any region) is `name`, ignoring case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    fn kind(&self) -> TagKind {
        if self.is("Internet") {
            TagKind::Internet
        } else if self.is("VirtualNetwork") {
            TagKind::VirtualNetwork
        } else if self.is("AzureLoadBalancer") {
            TagKind::AzureLoadBalancer
        } else if self.is("AzureCloud") {
            TagKind::AzureCloud
        } else {
            TagKind::Service
        }
    }

    /// How a rule or route naming `self` relates to a flow end that is the tag `flow`, for two
    /// tags of the same name: the global tag contains every regional one; a regional tag
    /// against the global flow is `Unknown` (the service may answer from another region);
    /// different regions never meet.
    fn same_name_contains(&self, flow: &ServiceTag) -> Tri {
        match (&self.region, &flow.region) {
            (None, _) => Tri::True,
            (Some(mine), Some(theirs)) => Tri::from(mine == theirs),
            (Some(_), None) => Tri::Unknown,
        }
    }
}

impl PartialEq for ServiceTag {
    fn eq(&self, other: &ServiceTag) -> bool {
        self.name.eq_ignore_ascii_case(&other.name) && self.region == other.region
    }
}

impl Eq for ServiceTag {}

impl std::hash::Hash for ServiceTag {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.to_ascii_lowercase().hash(state);
        self.region.hash(state);
    }
}

impl fmt::Display for ServiceTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(region) = &self.region {
            write!(f, ".{region}")?;
        }
        Ok(())
    }
}

impl FromStr for ServiceTag {
    type Err = AddressError;
    fn from_str(text: &str) -> Result<ServiceTag, AddressError> {
        let valid = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '));
        if !valid {
            return Err(AddressError {
                text: text.to_owned(),
            });
        }
        for dotted in DOTTED_NAMES {
            if let Some(head) = text.get(..dotted.len())
                && head.eq_ignore_ascii_case(dotted)
            {
                let rest = &text[dotted.len()..];
                if rest.is_empty() {
                    return Ok(ServiceTag::new(head, None));
                }
                if let Some(region) = rest.strip_prefix('.') {
                    return Ok(ServiceTag::new(head, Some(region)));
                }
            }
        }
        Ok(match text.split_once('.') {
            Some((name, region)) => ServiceTag::new(name, Some(region)),
            None => ServiceTag::new(text, None),
        })
    }
}

/// Normalizes a region per C2: lower case, white space removed (`East US` → `eastus`).
pub fn normalize_region(region: &str) -> String {
    region
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Internet,
    VirtualNetwork,
    AzureLoadBalancer,
    AzureCloud,
    /// Any other tag: an Azure public service (`Storage`, `AzureMachineLearning`, …).
    Service,
}

/// A string that is neither `*`, an IP address or CIDR, nor a service tag name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an address prefix (`*`, an IP address, a CIDR or a service tag)")]
pub struct AddressError {
    /// The text given.
    pub text: String,
}

/// One address prefix of a security rule (`sourceAddressPrefix(es)`,
/// `destinationAddressPrefix(es)`, the application security groups) or of a route.
///
/// Parse with [`str::parse`]: `*`, an IPv4/IPv6 address or CIDR, or a service tag name
/// (including `Internet`, `VirtualNetwork`, `AzureLoadBalancer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressPrefix {
    /// `*`: every address.
    Any,
    /// An address range; a single address is a `/32` (`/128`).
    Cidr(IpNet),
    /// A service tag.
    Tag(ServiceTag),
    /// An application security group (by id); its members are not known statically.
    ApplicationSecurityGroup(String),
    /// A value computed at deployment time.
    Unknown,
}

impl AddressPrefix {
    /// Parses `text`, turning anything unparseable into [`AddressPrefix::Unknown`]; ARM rejects
    /// such a rule at deployment, so nothing can be concluded from it.
    pub fn parse_lenient(text: &str) -> AddressPrefix {
        text.parse().unwrap_or(AddressPrefix::Unknown)
    }

    /// Whether this is the `VirtualNetwork` tag.
    pub fn is_virtual_network(&self) -> bool {
        matches!(self, AddressPrefix::Tag(tag) if tag.kind() == TagKind::VirtualNetwork)
    }
}

impl FromStr for AddressPrefix {
    type Err = AddressError;
    fn from_str(text: &str) -> Result<AddressPrefix, AddressError> {
        let text = text.trim();
        if text == "*" {
            return Ok(AddressPrefix::Any);
        }
        if let Ok(net) = text.parse::<IpNet>() {
            return Ok(AddressPrefix::Cidr(net));
        }
        if let Ok(address) = text.parse::<std::net::IpAddr>() {
            return Ok(AddressPrefix::Cidr(IpNet::from(address)));
        }
        text.parse().map(AddressPrefix::Tag)
    }
}

impl fmt::Display for AddressPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressPrefix::Any => f.write_str("*"),
            AddressPrefix::Cidr(net) => write!(f, "{net}"),
            AddressPrefix::Tag(tag) => write!(f, "{tag}"),
            AddressPrefix::ApplicationSecurityGroup(id) => write!(f, "ASG {id}"),
            AddressPrefix::Unknown => f.write_str("<unknown>"),
        }
    }
}

/// The compute's own end of a flow: its subnet, inside a VNet, possibly peered with others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetEndpoint {
    /// The subnet's name, for messages.
    pub name: String,
    /// The subnet's prefixes (`addressPrefix` / `addressPrefixes`); empty when not known.
    pub prefixes: Vec<Maybe<IpNet>>,
    /// The VNet's `addressSpace.addressPrefixes`; empty when not known.
    pub vnet_address_space: Vec<Maybe<IpNet>>,
    /// VNets peered with the subnet's VNet, with `REACH` (C5) and their address spaces: the
    /// `VirtualNetwork` tag covers them where `REACH` holds.
    pub reachable_vnets: Vec<ReachableVnet>,
}

impl SubnetEndpoint {
    /// A subnet with known prefixes in a VNet with a known address space.
    pub fn new(
        name: &str,
        prefixes: impl IntoIterator<Item = IpNet>,
        vnet_address_space: impl IntoIterator<Item = IpNet>,
    ) -> SubnetEndpoint {
        SubnetEndpoint {
            name: name.to_owned(),
            prefixes: prefixes.into_iter().map(Maybe::Known).collect(),
            vnet_address_space: vnet_address_space.into_iter().map(Maybe::Known).collect(),
            reachable_vnets: Vec::new(),
        }
    }
}

/// A VNet the compute's VNet may reach (C5 `REACH`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachableVnet {
    /// The VNet's name, for messages.
    pub name: String,
    /// `REACH(compute VNet, this VNet)`.
    pub reach: Tri,
    /// Its address space; empty when not known.
    pub address_space: Vec<Maybe<IpNet>>,
}

/// One end of a [`Flow`](super::Flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A public Azure service by service tag (`AzureMachineLearning`, `Storage.westeurope`).
    ServiceTag(ServiceTag),
    /// Any address of the public internet (Azure's public address space included).
    Internet,
    /// A concrete address or range (a private endpoint's subnet, an on-premises range).
    Address(IpNet),
    /// The compute's own subnet.
    Subnet(SubnetEndpoint),
}

impl Endpoint {
    /// A service-tag endpoint; the tag `Internet` gives [`Endpoint::Internet`].
    pub fn service(tag: ServiceTag) -> Endpoint {
        if tag.kind() == TagKind::Internet {
            Endpoint::Internet
        } else {
            Endpoint::ServiceTag(tag)
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::ServiceTag(tag) => write!(f, "{tag}"),
            Endpoint::Internet => f.write_str("Internet"),
            Endpoint::Address(net) => write!(f, "{net}"),
            Endpoint::Subnet(subnet) => write!(f, "subnet '{}'", subnet.name),
        }
    }
}

/// What address matching needs to know beyond the prefix and the endpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatchContext<'f> {
    /// The compute's subnet, which defines what `VirtualNetwork` covers.
    pub local: Option<&'f SubnetEndpoint>,
    /// Whether a route of the compute's subnet covers the flow's remote end, which puts that
    /// end inside the `VirtualNetwork` tag (\[service-tags\]).
    pub route_covers_remote: Tri,
}

/// The private ranges C6 names: a CIDR inside one of them is a definite miss for a public
/// service tag.
const PRIVATE_RANGES: [IpNet; 4] = [
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10)),
];

/// Inside the private ranges of C6.
pub(crate) fn is_private(net: &IpNet) -> bool {
    PRIVATE_RANGES
        .iter()
        .any(|range| range.contains(&net.trunc()))
}

/// Touches the private ranges at all.
fn overlaps_private(net: &IpNet) -> bool {
    PRIVATE_RANGES
        .iter()
        .any(|range| relation(range, net) != Relation::Disjoint)
}

fn is_ipv4_default(net: &IpNet) -> bool {
    matches!(net, IpNet::V4(v4) if v4.prefix_len() == 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// `outer` contains all of `inner`.
    Contains,
    /// They share some addresses, but `outer` does not contain `inner`.
    Overlaps,
    Disjoint,
}

/// How `outer` relates to `inner` (CIDRs are either nested or disjoint).
pub(crate) fn relation(outer: &IpNet, inner: &IpNet) -> Relation {
    let (outer, inner) = (outer.trunc(), inner.trunc());
    if outer.contains(&inner) {
        Relation::Contains
    } else if inner.contains(&outer) {
        Relation::Overlaps
    } else {
        Relation::Disjoint
    }
}

/// Whether a CIDR covers every address of a set of (maybe unknown) prefixes: all contained →
/// `True`, all disjoint → `False`, otherwise `Unknown` (some addresses of the set match).
fn cidr_covers_all(cidr: &IpNet, prefixes: &[Maybe<IpNet>]) -> Tri {
    if prefixes.is_empty() {
        return Tri::Unknown;
    }
    let mut all_in = true;
    let mut all_out = true;
    for prefix in prefixes {
        match prefix {
            Maybe::Known(net) => match relation(cidr, net) {
                Relation::Contains => all_out = false,
                Relation::Disjoint => all_in = false,
                Relation::Overlaps => return Tri::Unknown,
            },
            Maybe::Unknown => return Tri::Unknown,
        }
    }
    match (all_in, all_out) {
        (true, _) => Tri::True,
        (false, true) => Tri::False,
        (false, false) => Tri::Unknown,
    }
}

/// Whether `net` lies inside the address spaces (any of them).
fn inside_any(net: &IpNet, spaces: &[Maybe<IpNet>]) -> Tri {
    if spaces.is_empty() {
        return Tri::Unknown;
    }
    Tri::any(spaces.iter().map(|space| match space {
        Maybe::Known(space) => match relation(space, net) {
            Relation::Contains => Tri::True,
            Relation::Overlaps => Tri::Unknown,
            Relation::Disjoint => Tri::False,
        },
        Maybe::Unknown => Tri::Unknown,
    }))
}

/// Whether the `VirtualNetwork` tag, as seen from `local`, contains `net` through the VNet
/// itself or a VNet it reaches (C5 `REACH`).
fn in_virtual_network(net: &IpNet, local: Option<&SubnetEndpoint>) -> Tri {
    let Some(local) = local else {
        return Tri::Unknown;
    };
    let own = inside_any(net, &local.vnet_address_space);
    let peered = local
        .reachable_vnets
        .iter()
        .map(|vnet| vnet.reach.and(inside_any(net, &vnet.address_space)));
    Tri::any(std::iter::once(own).chain(peered))
}

/// The prefix length of the system route that carries traffic to `remote` inside the
/// compute's VNet or a VNet it may reach (`VnetLocal` or peering routes), if there is one.
pub(crate) fn system_route_prefix_len(
    remote: &Endpoint,
    local: Option<&SubnetEndpoint>,
) -> Option<u8> {
    let (Endpoint::Address(net), Some(local)) = (remote, local) else {
        return None;
    };
    let peered = local
        .reachable_vnets
        .iter()
        .filter(|vnet| vnet.reach.is_possible())
        .flat_map(|vnet| &vnet.address_space);
    local
        .vnet_address_space
        .iter()
        .chain(peered)
        .filter_map(|space| space.known())
        .filter(|space| relation(space, net) == Relation::Contains)
        .map(|space| space.prefix_len())
        .max()
}

/// Whether the `VirtualNetwork` tag covers `remote` without help from routes.
pub(crate) fn virtual_network_contains(remote: &Endpoint, local: Option<&SubnetEndpoint>) -> Tri {
    match remote {
        Endpoint::Address(net) => in_virtual_network(net, local),
        Endpoint::Subnet(_) => Tri::True,
        Endpoint::ServiceTag(_) | Endpoint::Internet => Tri::False,
    }
}

/// `Unknown` unless `covers` is definitely false: the `VirtualNetwork` tag only *may* include
/// a service's addresses through a route.
fn through_route(covers: Tri) -> Tri {
    if covers.is_false() {
        Tri::False
    } else {
        Tri::Unknown
    }
}

/// Does the rule prefix match the flow endpoint? (C6, all of "the service side" and "the
/// flow's own end".)
pub(crate) fn prefix_matches(
    prefix: &AddressPrefix,
    endpoint: &Endpoint,
    context: &MatchContext<'_>,
) -> Tri {
    match prefix {
        AddressPrefix::Any => return Tri::True,
        AddressPrefix::ApplicationSecurityGroup(_) | AddressPrefix::Unknown => {
            return Tri::Unknown;
        }
        AddressPrefix::Cidr(_) | AddressPrefix::Tag(_) => {}
    }
    match endpoint {
        Endpoint::Subnet(subnet) => matches_own_subnet(prefix, subnet),
        Endpoint::Internet => matches_internet(prefix, context),
        Endpoint::ServiceTag(tag) if tag.kind() == TagKind::Internet => {
            matches_internet(prefix, context)
        }
        Endpoint::ServiceTag(tag) => matches_service_tag(prefix, tag, context),
        Endpoint::Address(net) => matches_address(prefix, net, context),
    }
}

/// The compute's own subnet: `VirtualNetwork`, `*`, and CIDRs containing the subnet match;
/// no other tag does (the subnet is VNet address space, never a service's).
fn matches_own_subnet(prefix: &AddressPrefix, subnet: &SubnetEndpoint) -> Tri {
    match prefix {
        AddressPrefix::Tag(tag) => Tri::from(tag.kind() == TagKind::VirtualNetwork),
        AddressPrefix::Cidr(cidr) => {
            if subnet.prefixes.is_empty() {
                // Subnet prefixes unknown: the VNet address space bounds them.
                cidr_covers_all(cidr, &subnet.vnet_address_space)
            } else {
                cidr_covers_all(cidr, &subnet.prefixes)
            }
        }
        _ => Tri::Unknown,
    }
}

/// Any public internet address (Azure public services included).
fn matches_internet(prefix: &AddressPrefix, context: &MatchContext<'_>) -> Tri {
    match prefix {
        AddressPrefix::Cidr(cidr) if is_ipv4_default(cidr) => Tri::True,
        AddressPrefix::Cidr(cidr) if is_private(cidr) => Tri::False,
        AddressPrefix::Cidr(_) => Tri::Unknown,
        AddressPrefix::Tag(tag) => match tag.kind() {
            TagKind::Internet => Tri::True,
            TagKind::VirtualNetwork => through_route(context.route_covers_remote),
            TagKind::AzureLoadBalancer => Tri::False,
            // A service's addresses are part of the internet: the flow may or may not go there.
            TagKind::AzureCloud | TagKind::Service => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

/// A service tag on the remote side (C6 "the service side of a flow").
fn matches_service_tag(
    prefix: &AddressPrefix,
    flow_tag: &ServiceTag,
    context: &MatchContext<'_>,
) -> Tri {
    let flow_kind = flow_tag.kind();
    match prefix {
        AddressPrefix::Cidr(cidr) if is_ipv4_default(cidr) => Tri::True,
        AddressPrefix::Cidr(cidr) if is_private(cidr) && flow_kind != TagKind::VirtualNetwork => {
            Tri::False
        }
        // Any other concrete CIDR (IPv6 included) may or may not hold the service's addresses.
        AddressPrefix::Cidr(_) => Tri::Unknown,
        AddressPrefix::Tag(rule_tag) => {
            if rule_tag.is(flow_tag.name()) {
                return rule_tag.same_name_contains(flow_tag);
            }
            let public_service = matches!(flow_kind, TagKind::Service | TagKind::AzureCloud);
            match rule_tag.kind() {
                TagKind::Internet => Tri::from(public_service),
                TagKind::VirtualNetwork => through_route(context.route_covers_remote),
                TagKind::AzureCloud if public_service => Tri::Unknown,
                _ => Tri::False,
            }
        }
        _ => Tri::Unknown,
    }
}

/// A concrete address range on the remote side (a private endpoint subnet, …).
fn matches_address(prefix: &AddressPrefix, net: &IpNet, context: &MatchContext<'_>) -> Tri {
    match prefix {
        AddressPrefix::Cidr(cidr) => match relation(cidr, net) {
            Relation::Contains => Tri::True,
            Relation::Overlaps => Tri::Unknown,
            Relation::Disjoint => Tri::False,
        },
        AddressPrefix::Tag(tag) => match tag.kind() {
            TagKind::VirtualNetwork => in_virtual_network(net, context.local)
                .or(through_route(context.route_covers_remote)),
            TagKind::Internet => {
                if is_private(net) {
                    Tri::False
                } else if overlaps_private(net) {
                    Tri::Unknown
                } else {
                    in_virtual_network(net, context.local).not()
                }
            }
            TagKind::AzureLoadBalancer | TagKind::AzureCloud | TagKind::Service => {
                if is_private(net) {
                    Tri::False
                } else {
                    Tri::Unknown
                }
            }
        },
        _ => Tri::Unknown,
    }
}

/// Whether a route's `addressPrefix` covers the flow's remote end (C6 "Routes"): a tag route
/// covers its own tag's flows (a global tag also the regional ones); `0.0.0.0/0` covers every
/// public destination; another CIDR against a service tag is `Unknown`, except that a CIDR
/// inside the private ranges never covers a public service (the same fact C6 uses for rule
/// prefixes).
pub(crate) fn route_covers(prefix: &AddressPrefix, remote: &Endpoint) -> Tri {
    match (prefix, remote) {
        (AddressPrefix::Cidr(cidr), Endpoint::Address(net)) => match relation(cidr, net) {
            Relation::Contains => Tri::True,
            Relation::Overlaps => Tri::Unknown,
            Relation::Disjoint => Tri::False,
        },
        (AddressPrefix::Cidr(cidr), Endpoint::ServiceTag(_) | Endpoint::Internet) => {
            if is_ipv4_default(cidr) {
                Tri::True
            } else if is_private(cidr) {
                Tri::False
            } else {
                Tri::Unknown
            }
        }
        (AddressPrefix::Tag(route_tag), Endpoint::ServiceTag(flow_tag)) => {
            if route_tag.is(flow_tag.name()) {
                route_tag.same_name_contains(flow_tag)
            } else {
                match route_tag.kind() {
                    TagKind::Internet => Tri::True,
                    TagKind::AzureCloud => Tri::Unknown,
                    _ => Tri::False,
                }
            }
        }
        (AddressPrefix::Tag(route_tag), Endpoint::Internet) => {
            Tri::from(route_tag.kind() == TagKind::Internet).or(Tri::Unknown)
        }
        (AddressPrefix::Tag(_), Endpoint::Address(net)) => {
            if is_private(net) {
                Tri::False
            } else {
                Tri::Unknown
            }
        }
        // The compute's own subnet is reached by the system `VnetLocal` route.
        (_, Endpoint::Subnet(_)) => Tri::False,
        _ => Tri::Unknown,
    }
}

/// How specific a route prefix is, for longest-prefix selection among routes that certainly
/// cover a flow. Tag routes rank above every CIDR (only `0.0.0.0/0` can certainly cover a
/// tag flow too), a regional tag above its global tag.
pub(crate) fn route_specificity(prefix: &AddressPrefix) -> u16 {
    match prefix {
        AddressPrefix::Cidr(cidr) => u16::from(cidr.prefix_len()),
        AddressPrefix::Tag(tag) => 200 + u16::from(tag.region().is_some()),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> ServiceTag {
        text.parse().expect("valid tag")
    }

    fn prefix(text: &str) -> AddressPrefix {
        text.parse().expect("valid prefix")
    }

    fn net(text: &str) -> IpNet {
        text.parse().expect("valid CIDR")
    }

    fn subnet() -> SubnetEndpoint {
        SubnetEndpoint::new("train", [net("10.0.1.0/24")], [net("10.0.0.0/16")])
    }

    const NO_ROUTE: MatchContext<'static> = MatchContext {
        local: None,
        route_covers_remote: Tri::False,
    };

    #[test]
    fn tags_parse_with_regions_and_dotted_names() {
        assert_eq!(
            tag("Storage.West Europe"),
            ServiceTag::new("STORAGE", Some("westeurope"))
        );
        assert_eq!(tag("AzureFrontDoor.Frontend").region(), None);
        assert_eq!(
            tag("azurefrontdoor.frontend"),
            tag("AzureFrontDoor.FrontEnd")
        );
        assert_eq!(
            tag("AzureFrontDoor.Frontend.westeurope").region(),
            Some("westeurope")
        );
        assert_ne!(
            tag("AzureFrontDoor.FirstParty"),
            tag("AzureFrontDoor.Frontend")
        );
        assert!("10.0.0.300".parse::<ServiceTag>().is_err());
        assert!("".parse::<ServiceTag>().is_err());
        assert_eq!(prefix("10.0.0.4"), AddressPrefix::Cidr(net("10.0.0.4/32")));
        assert_eq!(prefix(" * "), AddressPrefix::Any);
        assert_eq!(
            AddressPrefix::parse_lenient("10.0.0.0/33"),
            AddressPrefix::Unknown
        );
        assert_eq!(normalize_region("East US 2"), "eastus2");
    }

    #[test]
    fn service_side_matching_follows_c6() {
        let flow = Endpoint::ServiceTag(tag("Storage.westeurope"));
        let global = Endpoint::ServiceTag(tag("AzureMachineLearning"));
        let check = |p: &str, e: &Endpoint| prefix_matches(&prefix(p), e, &NO_ROUTE);
        assert_eq!(check("Storage.WestEurope", &flow), Tri::True);
        assert_eq!(check("storage", &flow), Tri::True);
        assert_eq!(check("Storage.northeurope", &flow), Tri::False);
        assert_eq!(check("Internet", &flow), Tri::True);
        assert_eq!(check("*", &flow), Tri::True);
        assert_eq!(check("0.0.0.0/0", &flow), Tri::True);
        assert_eq!(check("AzureCloud", &flow), Tri::Unknown);
        assert_eq!(check("AzureCloud.eastus", &flow), Tri::Unknown);
        assert_eq!(check("10.1.0.0/16", &flow), Tri::False);
        assert_eq!(check("100.64.0.0/10", &flow), Tri::False);
        assert_eq!(check("20.0.0.0/8", &flow), Tri::Unknown);
        assert_eq!(check("::/0", &flow), Tri::Unknown);
        assert_eq!(check("VirtualNetwork", &flow), Tri::False);
        assert_eq!(check("AzureLoadBalancer", &flow), Tri::False);
        assert_eq!(check("AzureMachineLearning", &flow), Tri::False);
        assert_eq!(
            check("AzureMachineLearning.westeurope", &global),
            Tri::Unknown
        );
        assert_eq!(check("AzureMachineLearning", &global), Tri::True);
        let asg = AddressPrefix::ApplicationSecurityGroup("/subscriptions/s/asg".into());
        assert_eq!(prefix_matches(&asg, &flow, &NO_ROUTE), Tri::Unknown);
        let covered = MatchContext {
            local: None,
            route_covers_remote: Tri::True,
        };
        assert_eq!(
            prefix_matches(&prefix("VirtualNetwork"), &flow, &covered),
            Tri::Unknown
        );
    }

    #[test]
    fn own_subnet_matching() {
        let own = Endpoint::Subnet(subnet());
        let check = |p: &str| prefix_matches(&prefix(p), &own, &NO_ROUTE);
        assert_eq!(check("VirtualNetwork"), Tri::True);
        assert_eq!(check("*"), Tri::True);
        assert_eq!(check("10.0.0.0/16"), Tri::True);
        assert_eq!(check("10.0.1.0/24"), Tri::True);
        assert_eq!(check("10.0.1.0/25"), Tri::Unknown);
        assert_eq!(check("10.0.2.0/24"), Tri::False);
        assert_eq!(check("Internet"), Tri::False);
        assert_eq!(check("AzureLoadBalancer"), Tri::False);
        assert_eq!(check("AzureMachineLearning"), Tri::False);
        let unknown_prefix = Endpoint::Subnet(SubnetEndpoint {
            prefixes: vec![Maybe::Unknown],
            ..subnet()
        });
        assert_eq!(
            prefix_matches(&prefix("10.0.0.0/8"), &unknown_prefix, &NO_ROUTE),
            Tri::Unknown
        );
        let vnet_only = Endpoint::Subnet(SubnetEndpoint {
            prefixes: Vec::new(),
            ..subnet()
        });
        assert_eq!(
            prefix_matches(&prefix("10.0.0.0/8"), &vnet_only, &NO_ROUTE),
            Tri::True
        );
        assert_eq!(
            prefix_matches(&prefix("10.9.0.0/16"), &vnet_only, &NO_ROUTE),
            Tri::False
        );
    }

    #[test]
    fn address_matching_uses_vnet_and_reach() {
        let mut local = subnet();
        local.reachable_vnets.push(ReachableVnet {
            name: "hub".into(),
            reach: Tri::Unknown,
            address_space: vec![Maybe::Known(net("10.100.0.0/16"))],
        });
        let context = MatchContext {
            local: Some(&local),
            route_covers_remote: Tri::False,
        };
        let check =
            |p: &str, a: &str| prefix_matches(&prefix(p), &Endpoint::Address(net(a)), &context);
        assert_eq!(check("VirtualNetwork", "10.0.9.0/24"), Tri::True);
        assert_eq!(check("VirtualNetwork", "10.100.1.0/24"), Tri::Unknown);
        assert_eq!(check("VirtualNetwork", "10.200.1.0/24"), Tri::False);
        assert_eq!(check("Internet", "10.0.9.0/24"), Tri::False);
        assert_eq!(check("Internet", "52.1.2.3/32"), Tri::True);
        assert_eq!(check("10.0.0.0/8", "10.0.9.0/24"), Tri::True);
        assert_eq!(check("10.0.9.0/25", "10.0.9.0/24"), Tri::Unknown);
        assert_eq!(check("Storage", "10.0.9.0/24"), Tri::False);
        assert_eq!(check("Storage", "52.1.2.3/32"), Tri::Unknown);
    }

    #[test]
    fn route_coverage() {
        let storage = Endpoint::ServiceTag(tag("Storage.westeurope"));
        assert_eq!(route_covers(&prefix("0.0.0.0/0"), &storage), Tri::True);
        assert_eq!(route_covers(&prefix("Storage"), &storage), Tri::True);
        assert_eq!(
            route_covers(&prefix("AzureMachineLearning"), &storage),
            Tri::False
        );
        assert_eq!(route_covers(&prefix("20.0.0.0/8"), &storage), Tri::Unknown);
        assert_eq!(route_covers(&prefix("10.0.0.0/8"), &storage), Tri::False);
        assert_eq!(route_covers(&prefix("AzureCloud"), &storage), Tri::Unknown);
        let pe = Endpoint::Address(net("10.0.9.0/24"));
        assert_eq!(route_covers(&prefix("10.0.0.0/8"), &pe), Tri::True);
        assert_eq!(route_covers(&prefix("0.0.0.0/0"), &pe), Tri::True);
        assert_eq!(route_covers(&prefix("Storage"), &pe), Tri::False);
        assert!(
            route_specificity(&prefix("Storage.westeurope"))
                > route_specificity(&prefix("Storage"))
        );
        assert!(route_specificity(&prefix("Storage")) > route_specificity(&prefix("0.0.0.0/0")));
    }
}
