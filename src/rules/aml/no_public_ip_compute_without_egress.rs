use std::collections::HashSet;
use std::str::FromStr;

use super::compute_network_support::{ComputeSubnetRef, network_computes, vnet_name};
use super::net_support::declared;
use crate::codes::Severity;
use crate::graph::{DerivedSets, NodeId};
use crate::model::kinds::{Cause, Route, RouteTable, Setting, Subnet};
use crate::model::{Prop, Resource, ResourceId, Tri};
use crate::netsec::NextHopType;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The outbound services every VNet-injected compute needs (§3.4 F1–F10), as messages name them.
const REQUIRED_SERVICES: &str = "AzureMachineLearning, BatchNodeManagement, Storage, AzureActiveDirectory, AzureResourceManager, AzureFrontDoor and MicrosoftContainerRegistry";

crate::declare_rule! {
    /// ## What it does
    /// Checks that every compute instance, compute cluster and serverless compute without a
    /// public IP has an explicit way out of its subnet: a NAT gateway on the subnet, or a
    /// `0.0.0.0/0` route to a firewall (`VirtualAppliance`).
    ///
    /// - A private subnet (`defaultOutboundAccess: false`, which is also the default for new
    ///   VNets written with Microsoft.Network `2025-07-01` or later) without either: warning.
    /// - A `0.0.0.0/0` route with next hop `None`, which drops the traffic whatever the subnet
    ///   says: warning.
    /// - A `0.0.0.0/0` route to the virtual network gateway (forced tunnelling): info, the
    ///   on-premises egress must allow the required services.
    /// - A subnet that is not private and has no explicit path: info, the compute relies on
    ///   default outbound access.
    ///
    /// ## Why is this bad?
    /// Compute nodes without public IPs still need outbound access to Azure Machine Learning,
    /// Batch, Storage, Microsoft Entra ID, Resource Manager, Front Door and the Microsoft
    /// Container Registry. Default outbound access is not available in private subnets and is
    /// not recommended elsewhere; without a NAT gateway or a firewall route, nodes fail to start
    /// or cannot pull images.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks",
    ///   "apiVersion": "2025-07-01",
    ///   "name": "vnet-ml",
    ///   "properties": {
    ///     "addressSpace": { "addressPrefixes": [ "10.0.0.0/16" ] },
    ///     "subnets": [ { "name": "snet-training", "properties": { "addressPrefix": "10.0.1.0/24" } } ]
    ///   }
    /// }
    /// ```
    /// with a cluster in `snet-training` that sets `enableNodePublicIp: false`.
    ///
    /// Use instead: a NAT gateway on the subnet (or a route table sending `0.0.0.0/0` to a
    /// firewall that allows the required outbound traffic).
    /// ```json
    /// "subnets": [ {
    ///   "name": "snet-training",
    ///   "properties": {
    ///     "addressPrefix": "10.0.1.0/24",
    ///     "natGateway": { "id": "[resourceId('Microsoft.Network/natGateways', 'ng-ml')]" }
    ///   }
    /// } ]
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: compute without public IP](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Plan for network isolation in Azure Machine Learning](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    /// - [Default outbound access in Azure](https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access)
    pub struct NoPublicIpComputeWithoutEgress;
    code: "AML-NET-009",
    name: "no-public-ip-compute-without-egress",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "No-public-IP computes have an explicit egress path.",
}

/// The `0.0.0.0/0` route of a subnet's route table.
enum DefaultRoute<'g> {
    /// The subnet has no route table, or the table no default route.
    Missing,
    /// The route: its table (or child route resource), the body path of the route, its name
    /// and next hop.
    Found {
        resource: &'g Resource,
        path: String,
        name: String,
        hop: NextHopType,
    },
    /// The routes are known only at deployment, or live outside the template.
    Undecided,
}

impl Rule for NoPublicIpComputeWithoutEgress {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut seen: HashSet<(NodeId, NodeId)> = HashSet::new();
        for workspace in sets.workspaces() {
            let (computes, _) = network_computes(&sets, workspace);
            for compute in &computes {
                let subnet_id = match &compute.subnet {
                    ComputeSubnetRef::None => continue,
                    ComputeSubnetRef::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    ComputeSubnetRef::Known(id) => id,
                };
                match compute.certainty.and(compute.no_public_ip(&sets)) {
                    Tri::False => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::True => {}
                }
                let Some((subnet_node, subnet_resource)) = declared(&sets, subnet_id) else {
                    // A subnet deployed elsewhere: its NAT gateway and routes are invisible.
                    ctx.indeterminate();
                    continue;
                };
                if !seen.insert((compute.holder, subnet_node)) {
                    continue;
                }
                if sets.written(subnet_node) != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                let Some(subnet) = Subnet::of(subnet_resource) else {
                    continue;
                };
                let subnet_name = vnet_name(subnet_id);
                let subject = format!(
                    "{} has no public IP and subnet '{subnet_name}'",
                    compute.subject()
                );
                let finding = |message: String, severity: Severity, label: &str, help: &str| {
                    Finding::new(compute.resource, compute.public_ip_path(), message)
                        .severity(severity)
                        .label(label.to_owned())
                        .help(help.to_owned())
                        .related(subnet_resource, "", "the compute's subnet")
                };
                match default_route(&sets, subnet) {
                    DefaultRoute::Undecided => {
                        ctx.indeterminate();
                        continue;
                    }
                    DefaultRoute::Found {
                        resource,
                        path,
                        name,
                        hop: NextHopType::None,
                    } => {
                        ctx.report(
                            finding(
                                format!("{subject} routes 0.0.0.0/0 to next hop None (route '{name}'); it cannot reach {REQUIRED_SERVICES}."),
                                Severity::Warning,
                                "no public IP, default route dropped",
                                "send 0.0.0.0/0 to a firewall that allows the required outbound traffic, or remove the route and attach a NAT gateway",
                            )
                            .related(resource, &path, "drops all outbound traffic"),
                        );
                        continue;
                    }
                    DefaultRoute::Found {
                        hop: NextHopType::VirtualAppliance,
                        ..
                    } => {
                        continue;
                    }
                    DefaultRoute::Found {
                        resource,
                        path,
                        name,
                        hop: NextHopType::VirtualNetworkGateway,
                    } => {
                        ctx.report(
                            finding(
                                format!("{subject} sends 0.0.0.0/0 to the virtual network gateway (route '{name}', forced tunnelling); the on-premises egress must allow {REQUIRED_SERVICES}."),
                                Severity::Note,
                                "no public IP, forced tunnelling",
                                "allow the required outbound traffic at the on-premises egress",
                            )
                            .related(resource, &path, "forced tunnelling"),
                        );
                        continue;
                    }
                    // An `Internet` or `VnetLocal` default route adds no egress of its own.
                    DefaultRoute::Found { .. } | DefaultRoute::Missing => {}
                }
                match subnet.nat_gateway_id() {
                    Setting::Set(_) | Setting::Default(_) => continue,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                    Setting::Absent => {}
                }
                match sets.subnet_default_outbound_access(subnet_node) {
                    Setting::Set(false) | Setting::Default(false) => ctx.report(finding(
                        format!("{subject} has no NAT gateway or firewall route; it cannot reach {REQUIRED_SERVICES}."),
                        Severity::Warning,
                        "no public IP, no egress path",
                        "attach a NAT gateway to the subnet, or route 0.0.0.0/0 through a firewall that allows the required outbound traffic",
                    )),
                    Setting::Set(true) | Setting::Default(true) => ctx.report(finding(
                        format!("{subject} has no NAT gateway or firewall route; it reaches {REQUIRED_SERVICES} only through default outbound access, which is not recommended."),
                        Severity::Note,
                        "no public IP, default outbound access",
                        "attach a NAT gateway to the subnet, or route 0.0.0.0/0 through a firewall that allows the required outbound traffic",
                    )),
                    Setting::Absent | Setting::Unknown(_) => ctx.indeterminate(),
                }
            }
        }
    }
}

/// The `0.0.0.0/0` route of the subnet's route table, inline or as a `routes` child.
fn default_route<'g>(sets: &DerivedSets<'g>, subnet: Subnet<'g>) -> DefaultRoute<'g> {
    let table_id = match subnet.route_table_id() {
        Setting::Absent => return DefaultRoute::Missing,
        Setting::Unknown(_) => return DefaultRoute::Undecided,
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) => id,
            Err(_) => return DefaultRoute::Undecided,
        },
    };
    let Some((table_node, table_resource)) = declared(sets, &table_id) else {
        return DefaultRoute::Undecided;
    };
    let Some(table) = RouteTable::of(table_resource) else {
        return DefaultRoute::Undecided;
    };
    if sets.written(table_node) != Tri::True {
        return DefaultRoute::Undecided;
    }
    // Each route with the resource and body path that declare it.
    let mut candidates: Vec<(&'g Resource, String, Route<'g>)> = Vec::new();
    match table.routes() {
        Setting::Set(routes) | Setting::Default(routes) => {
            for (index, route) in routes.into_iter().enumerate() {
                candidates.push((table_resource, format!("properties.routes.{index}"), route));
            }
        }
        Setting::Absent => {}
        Setting::Unknown(_) => return DefaultRoute::Undecided,
    }
    for child in sets
        .graph()
        .resources()
        .of_type("Microsoft.Network/routeTables/routes")
    {
        let belongs = child
            .id
            .as_ref()
            .map_or(Tri::Unknown, |id| id.is_child_of(&table_id))
            .and(child.state.deployed());
        match belongs {
            Tri::False => continue,
            Tri::Unknown => return DefaultRoute::Undecided,
            Tri::True => {}
        }
        let text = |path: &str| match child.get(path) {
            Prop::Absent => Setting::Absent,
            Prop::Unknown(provenance) => Setting::Unknown(Cause::Runtime(provenance)),
            Prop::Value(value) => value.as_str().map_or(Setting::Absent, Setting::Set),
        };
        candidates.push((
            child,
            "properties".to_owned(),
            Route {
                name: child.name.as_str().map_or(Setting::Absent, Setting::Set),
                address_prefix: text("properties.addressPrefix"),
                next_hop_type: text("properties.nextHopType"),
                next_hop_ip_address: text("properties.nextHopIpAddress"),
            },
        ));
    }
    let mut found = DefaultRoute::Missing;
    for (resource, path, route) in candidates {
        let is_default = route.address_prefix.test(|p| p.trim() == "0.0.0.0/0");
        match is_default {
            Tri::False => continue,
            Tri::Unknown => return DefaultRoute::Undecided,
            Tri::True => {}
        }
        let Some(hop) = route
            .next_hop_type
            .known()
            .and_then(|h| NextHopType::from_str(h).ok())
        else {
            return DefaultRoute::Undecided;
        };
        let name = route
            .name
            .known()
            .map(|n| n.rsplit('/').next().unwrap_or(n).to_owned())
            .unwrap_or_else(|| "(name unknown)".to_owned());
        found = DefaultRoute::Found {
            resource,
            path,
            name,
            hop,
        };
    }
    found
}
