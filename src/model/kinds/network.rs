//! Virtual networks, subnets (inline and child), peerings, network security groups with their
//! rules (inline and child), route tables (§2.9, §2.10).

use super::{Cause, Props, Setting, api_at_least, item_path_string, keyword_enum, view};
use crate::expr::Value;
use crate::model::{Resource, Tri};

/// The Microsoft.Network API version from which an absent `privateEndpointNetworkPolicies` is
/// `Disabled` (C4).
pub const PE_POLICIES_DISABLED_FROM: &str = "2022-01-01";
/// The Microsoft.Network API version from which a subnet of a new VNet is private
/// (`defaultOutboundAccess` `false`) when the property is absent (C4).
pub const PRIVATE_SUBNET_FROM: &str = "2025-07-01";

keyword_enum! {
    /// `properties.privateEndpointNetworkPolicies` of a subnet.
    PeNetworkPolicies {
        /// NSGs and route tables apply to private endpoints.
        Enabled = "Enabled",
        /// Neither applies.
        Disabled = "Disabled",
        /// Only NSGs apply.
        NetworkSecurityGroupEnabled = "NetworkSecurityGroupEnabled",
        /// Only route tables apply.
        RouteTableEnabled = "RouteTableEnabled",
    }
}

impl PeNetworkPolicies {
    /// Whether NSG rules reach the subnet's private endpoints.
    pub fn nsg_applies(self) -> bool {
        matches!(
            self,
            PeNetworkPolicies::Enabled | PeNetworkPolicies::NetworkSecurityGroupEnabled
        )
    }
}

view! {
    /// A virtual network.
    VirtualNetwork, ["Microsoft.Network/virtualNetworks"]
}

impl<'a> VirtualNetwork<'a> {
    /// `properties.addressSpace.addressPrefixes[*]`.
    pub fn address_prefixes(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .strings("properties.addressSpace.addressPrefixes")
    }

    /// `properties.dhcpOptions.dnsServers[*]`; absent is empty (Azure-provided DNS).
    pub fn dns_servers(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.dhcpOptions.dnsServers")
    }
}

view! {
    /// A subnet, declared inline in its VNet's `properties.subnets` or as a child resource.
    /// Inline subnets are written with the VNet's `apiVersion` ([`Resource::api_version`]).
    Subnet, ["Microsoft.Network/virtualNetworks/subnets"]
}

impl<'a> Subnet<'a> {
    /// The id of the subnet's VNet (`VNET(subnet id)` of C5), when the subnet's id is known.
    pub fn vnet_id(&self) -> Option<crate::model::ResourceId> {
        self.resource
            .id
            .as_ref()
            .and_then(crate::model::ResourceId::parent)
    }

    /// `properties.addressPrefix` and `properties.addressPrefixes[*]` together.
    pub fn address_prefixes(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        let single = self.props().string("properties.addressPrefix");
        let many = self.props().strings("properties.addressPrefixes");
        match (single, many) {
            (Setting::Unknown(cause), _) | (_, Setting::Unknown(cause)) => Setting::Unknown(cause),
            (single, many) => {
                let mut all: Vec<Setting<'a, &'a str>> =
                    single.known().into_iter().map(Setting::Set).collect();
                all.extend(many.known().unwrap_or_default());
                Setting::Set(all)
            }
        }
    }

    /// `properties.networkSecurityGroup.id`.
    pub fn network_security_group_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.networkSecurityGroup.id")
    }

    /// `properties.routeTable.id`.
    pub fn route_table_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.routeTable.id")
    }

    /// `properties.natGateway.id`.
    pub fn nat_gateway_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.natGateway.id")
    }

    /// `properties.delegations[*].properties.serviceName`.
    pub fn delegations(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().list("properties.delegations").map(|items| {
            items
                .iter()
                .map(|d| item_path_string(d, "properties.serviceName"))
                .collect()
        })
    }

    /// `properties.serviceEndpoints[*].service`.
    pub fn service_endpoints(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.serviceEndpoints")
            .map(|items| {
                items
                    .iter()
                    .map(|e| item_path_string(e, "service"))
                    .collect()
            })
    }

    /// `properties.serviceEndpointPolicies[*].id`.
    pub fn service_endpoint_policy_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.serviceEndpointPolicies")
            .map(|items| items.iter().map(|p| item_path_string(p, "id")).collect())
    }

    /// `properties.privateEndpointNetworkPolicies` with the C4 default by the `apiVersion` that
    /// writes the subnet: `Disabled` from 2022-01-01; unknown for older versions (their swagger
    /// says `Enabled`, the service now defaults to `Disabled`) and for a missing version.
    pub fn private_endpoint_network_policies(&self) -> Setting<'a, PeNetworkPolicies> {
        match self
            .props()
            .keyword::<PeNetworkPolicies>("properties.privateEndpointNetworkPolicies", None)
        {
            Setting::Absent => match api_at_least(self.resource, PE_POLICIES_DISABLED_FROM) {
                Some(true) => Setting::Default(PeNetworkPolicies::Disabled),
                Some(false) => Setting::Unknown(Cause::NoDefault(
                    "apiVersion 2021-08-01 and older declare `Enabled` while the service defaults to `Disabled`",
                )),
                None => Setting::Unknown(Cause::NoDefault(
                    "the default depends on the apiVersion, which is missing or malformed",
                )),
            },
            other => other,
        }
    }

    /// `properties.defaultOutboundAccess` with the C4 creation default: `false` (a private
    /// subnet) when the subnet is written with 2025-07-01 or later as part of a new VNet; `true`
    /// for older versions and for VNets that already exist. `vnet_is_new` says whether the
    /// subnet's VNet is created by this deployment (for an inline subnet it is, when the subnet
    /// is deployed; the graph knows it for child subnets). There is no baseline of existing
    /// resources yet, so a VNet the deployment writes counts as new.
    pub fn default_outbound_access(&self, vnet_is_new: Tri) -> Setting<'a, bool> {
        match self.props().bool("properties.defaultOutboundAccess", None) {
            Setting::Absent => match (
                api_at_least(self.resource, PRIVATE_SUBNET_FROM),
                vnet_is_new,
            ) {
                (Some(false), _) | (_, Tri::False) => Setting::Default(true),
                (Some(true), Tri::True) => Setting::Default(false),
                (Some(true), Tri::Unknown) => Setting::Unknown(Cause::NoDefault(
                    "the default depends on whether the VNet already exists",
                )),
                (None, _) => Setting::Unknown(Cause::NoDefault(
                    "the default depends on the apiVersion, which is missing or malformed",
                )),
            },
            other => other,
        }
    }
}

view! {
    /// A VNet peering, declared inline in `properties.virtualNetworkPeerings` or as a child.
    Peering, ["Microsoft.Network/virtualNetworks/virtualNetworkPeerings"]
}

impl<'a> Peering<'a> {
    /// `properties.remoteVirtualNetwork.id`.
    pub fn remote_virtual_network_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.remoteVirtualNetwork.id")
    }

    /// `properties.allowVirtualNetworkAccess`; default `true` (C4).
    pub fn allow_virtual_network_access(&self) -> Setting<'a, bool> {
        self.props()
            .bool("properties.allowVirtualNetworkAccess", Some(true))
    }

    /// `properties.allowForwardedTraffic`.
    pub fn allow_forwarded_traffic(&self) -> Setting<'a, bool> {
        self.props().bool("properties.allowForwardedTraffic", None)
    }

    /// `properties.allowGatewayTransit`.
    pub fn allow_gateway_transit(&self) -> Setting<'a, bool> {
        self.props().bool("properties.allowGatewayTransit", None)
    }

    /// `properties.useRemoteGateways`.
    pub fn use_remote_gateways(&self) -> Setting<'a, bool> {
        self.props().bool("properties.useRemoteGateways", None)
    }

    /// `properties.peerCompleteVnets` (subnet-level peering when `false`).
    pub fn peer_complete_vnets(&self) -> Setting<'a, bool> {
        self.props().bool("properties.peerCompleteVnets", None)
    }

    /// `properties.localSubnetNames[*]`.
    pub fn local_subnet_names(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.localSubnetNames")
    }

    /// `properties.remoteSubnetNames[*]`.
    pub fn remote_subnet_names(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.remoteSubnetNames")
    }
}

view! {
    /// A network security group.
    NetworkSecurityGroup, ["Microsoft.Network/networkSecurityGroups"]
}

impl<'a> NetworkSecurityGroup<'a> {
    /// The rules declared inline in `properties.securityRules[*]` (child `securityRules`
    /// resources are views of their own: [`SecurityRule::of`]).
    pub fn inline_rules(&self) -> Setting<'a, Vec<SecurityRule<'a>>> {
        let resource = self.resource;
        self.props().list("properties.securityRules").map(|items| {
            items
                .iter()
                .map(|item| SecurityRule {
                    resource,
                    name: match crate::model::read(item, "name") {
                        crate::model::Prop::Value(v) => v.as_str(),
                        _ => None,
                    },
                    rule: Props::item(
                        match crate::model::read(item, "properties") {
                            crate::model::Prop::Value(v) => v,
                            _ => &NULL,
                        },
                        resource.state,
                    ),
                })
                .collect()
        })
    }
}

static NULL: Value = Value::Null;

/// An NSG security rule: a child `securityRules` resource or an inline entry of the NSG.
#[derive(Debug, Clone, Copy)]
pub struct SecurityRule<'a> {
    resource: &'a Resource,
    name: Option<&'a str>,
    /// The rule's `properties`.
    rule: Props<'a>,
}

/// The resource type of a child security rule.
pub const SECURITY_RULE_TYPE: &str = "Microsoft.Network/networkSecurityGroups/securityRules";

impl<'a> SecurityRule<'a> {
    /// The view of a child `securityRules` resource.
    pub fn of(resource: &'a Resource) -> Option<Self> {
        if !resource.is_type(SECURITY_RULE_TYPE) {
            return None;
        }
        Some(SecurityRule {
            resource,
            name: resource
                .name
                .as_str()
                .map(|n| n.rsplit('/').next().unwrap_or(n)),
            rule: Props::item(
                match crate::model::read(&resource.body, "properties") {
                    crate::model::Prop::Value(v) => v,
                    _ => &NULL,
                },
                resource.state,
            ),
        })
    }

    /// The resource holding the rule (the child, or the NSG for inline rules).
    pub fn resource(&self) -> &'a Resource {
        self.resource
    }

    /// The rule's name, when known.
    pub fn name(&self) -> Option<&'a str> {
        self.name
    }

    /// `direction` (`Inbound` | `Outbound`).
    pub fn direction(&self) -> Setting<'a, &'a str> {
        self.rule.string("direction")
    }

    /// `access` (`Allow` | `Deny`).
    pub fn access(&self) -> Setting<'a, &'a str> {
        self.rule.string("access")
    }

    /// `priority`.
    pub fn priority(&self) -> Setting<'a, i64> {
        self.rule.int("priority")
    }

    /// `protocol`.
    pub fn protocol(&self) -> Setting<'a, &'a str> {
        self.rule.string("protocol")
    }

    /// `sourceAddressPrefix` and `sourceAddressPrefixes[*]` together.
    pub fn source_address_prefixes(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.single_and_many("sourceAddressPrefix", "sourceAddressPrefixes")
    }

    /// `destinationAddressPrefix` and `destinationAddressPrefixes[*]` together.
    pub fn destination_address_prefixes(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.single_and_many("destinationAddressPrefix", "destinationAddressPrefixes")
    }

    /// `sourcePortRange` and `sourcePortRanges[*]` together.
    pub fn source_port_ranges(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.single_and_many("sourcePortRange", "sourcePortRanges")
    }

    /// `destinationPortRange` and `destinationPortRanges[*]` together.
    pub fn destination_port_ranges(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.single_and_many("destinationPortRange", "destinationPortRanges")
    }

    fn single_and_many(&self, single: &str, many: &str) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        match (self.rule.string(single), self.rule.strings(many)) {
            (Setting::Unknown(cause), _) | (_, Setting::Unknown(cause)) => Setting::Unknown(cause),
            (single, many) => {
                let mut all: Vec<Setting<'a, &'a str>> =
                    single.known().into_iter().map(Setting::Set).collect();
                all.extend(many.known().unwrap_or_default());
                Setting::Set(all)
            }
        }
    }
}

view! {
    /// A route table.
    RouteTable, ["Microsoft.Network/routeTables"]
}

/// One route of a route table.
#[derive(Debug, Clone, PartialEq)]
pub struct Route<'a> {
    /// `name`.
    pub name: Setting<'a, &'a str>,
    /// `properties.addressPrefix` (a CIDR or a service tag).
    pub address_prefix: Setting<'a, &'a str>,
    /// `properties.nextHopType`.
    pub next_hop_type: Setting<'a, &'a str>,
    /// `properties.nextHopIpAddress`.
    pub next_hop_ip_address: Setting<'a, &'a str>,
}

impl<'a> RouteTable<'a> {
    /// `properties.routes[*]`.
    pub fn routes(&self) -> Setting<'a, Vec<Route<'a>>> {
        self.props().list("properties.routes").map(|items| {
            items
                .iter()
                .map(|item| Route {
                    name: item_path_string(item, "name"),
                    address_prefix: item_path_string(item, "properties.addressPrefix"),
                    next_hop_type: item_path_string(item, "properties.nextHopType"),
                    next_hop_ip_address: item_path_string(item, "properties.nextHopIpAddress"),
                })
                .collect()
        })
    }
}
