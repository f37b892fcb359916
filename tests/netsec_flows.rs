//! Table-driven NSG flow evaluation (C6): the AML required flows of §3.4 against allow-all,
//! deny-all-outbound, deny-all-inbound and the NSG of Microsoft's AML quickstart, the five
//! fixtures that pin C6, and edge cases (routes, unknown values, ASGs, CIDRs, regions).
//!
//! Addressing follows the quickstart `machine-learning-end-to-end-secure` (parameter file
//! region `eastus`): VNet `192.168.0.0/16`, training subnet `192.168.0.0/24`, private endpoints
//! in `192.168.1.0/24`.

use armgraph::model::Tri;
use armgraph::netsec::*;
use ipnet::IpNet;

const REGION: &str = "eastus";
/// The caller's origin handle: here a made-up JSON pointer per rule.
type Origin = &'static str;

fn net(text: &str) -> IpNet {
    text.parse().expect("test CIDR")
}

fn training_subnet() -> SubnetEndpoint {
    SubnetEndpoint::new(
        "snet-training",
        [net("192.168.0.0/24")],
        [net("192.168.0.0/16")],
    )
}

fn rule(
    name: &'static str,
    priority: u32,
    direction: Direction,
    access: Access,
) -> SecurityRule<Origin> {
    SecurityRule::new(name, priority, direction, access).with_origin(name)
}

fn out_rule(name: &'static str, priority: u32, access: Access) -> SecurityRule<Origin> {
    rule(name, priority, Direction::Outbound, access)
}

fn deny_all_outbound() -> SecurityRule<Origin> {
    out_rule("DenyAllOutbound", 4000, Access::Deny)
}

fn nsg(name: &str, rules: Vec<SecurityRule<Origin>>) -> Nsg<Origin> {
    Nsg::new(name, rules, "nsg")
}

/// The NSG of `machine-learning-end-to-end-secure` (network-security-group module,
/// `2020-11-01`), re-typed rule by rule; `Storage.{0}` and `AzureContainerRegistry.{0}` take
/// the deployment location.
fn quickstart_nsg() -> Nsg<Origin> {
    use Access::Allow;
    use Direction::{Inbound, Outbound};
    let tcp = |name, priority, direction| {
        rule(name, priority, direction, Allow).protocol(RuleProtocol::Tcp)
    };
    nsg(
        "nsg-quickstart",
        vec![
            tcp("BatchNodeManagement", 120, Inbound)
                .destination_ports(["29876-29877"])
                .sources(["BatchNodeManagement"])
                .destinations(["*"]),
            tcp("AzureMachineLearning", 130, Inbound)
                .destination_ports(["44224"])
                .sources(["AzureMachineLearning"])
                .destinations(["*"]),
            tcp("AzureActiveDirectory", 140, Outbound)
                .destination_ports(["*"])
                .destinations(["AzureActiveDirectory"]),
            tcp("AzureMachineLearningOutbound", 150, Outbound)
                .destination_ports(["443"])
                .destinations(["AzureMachineLearning"]),
            tcp("AzureResourceManager", 160, Outbound)
                .destination_ports(["443"])
                .destinations(["AzureResourceManager"]),
            tcp("AzureStorageAccount", 170, Outbound)
                .destination_ports(["443"])
                .destinations(["Storage.eastus"]),
            tcp("AzureFrontDoor", 180, Outbound)
                .destination_ports(["443"])
                .destinations(["AzureFrontDoor.FrontEnd"]),
            tcp("AzureContainerRegistry", 190, Outbound)
                .destination_ports(["443"])
                .destinations(["AzureContainerRegistry.eastus"]),
            tcp("MicrosoftContainerRegistry", 200, Outbound)
                .destination_ports(["443"])
                .sources(["VirtualNetwork"])
                .destinations(["MicrosoftContainerRegistry"]),
        ],
    )
}

/// What sits at each layer of a scenario.
enum Layer<T> {
    Absent,
    Known(T),
    Unknown,
}

impl<T> Layer<T> {
    fn attachment(&self) -> Attachment<&T> {
        match self {
            Layer::Absent => Attachment::None,
            Layer::Known(value) => Attachment::Known(value),
            Layer::Unknown => Attachment::Unknown,
        }
    }
}

struct Scenario {
    subnet_nsg: Layer<Nsg<Origin>>,
    nic_nsg: Layer<Nsg<Origin>>,
    routes: Layer<RouteTable<Origin>>,
}

impl Scenario {
    fn subnet(nsg: Nsg<Origin>) -> Scenario {
        Scenario {
            subnet_nsg: Layer::Known(nsg),
            nic_nsg: Layer::Absent,
            routes: Layer::Absent,
        }
    }

    fn with_routes(mut self, routes: Vec<Route<Origin>>) -> Scenario {
        self.routes = Layer::Known(RouteTable::new("rt-training", routes, "rt"));
        self
    }

    fn placement(&self) -> Placement<'_, Origin> {
        Placement {
            subnet_nsg: self.subnet_nsg.attachment(),
            nic_nsg: self.nic_nsg.attachment(),
            route_table: self.routes.attachment(),
        }
    }
}

fn route(name: &'static str, prefix: &str, hop: NextHopType) -> Route<Origin> {
    Route::new(name, prefix, hop).with_origin(name)
}

fn firewall_default_route() -> Route<Origin> {
    route("default-to-fw", "0.0.0.0/0", NextHopType::VirtualAppliance).next_hop_ip("192.168.100.4")
}

fn scenario(name: &str) -> Scenario {
    use Access::{Allow, Deny};
    use Direction::Inbound;
    let tcp443 = |name, priority, destination| {
        out_rule(name, priority, Allow)
            .protocol(RuleProtocol::Tcp)
            .destination_ports(["443"])
            .destinations([destination])
    };
    let empty = Scenario {
        subnet_nsg: Layer::Absent,
        nic_nsg: Layer::Absent,
        routes: Layer::Absent,
    };
    match name {
        "allow-all" => empty,
        "deny-all-outbound" => Scenario::subnet(nsg("nsg-deny-out", vec![deny_all_outbound()])),
        "deny-all-inbound" => Scenario::subnet(nsg(
            "nsg-deny-in",
            vec![rule("DenyAllInbound", 4000, Inbound, Deny)],
        )),
        "quickstart" => Scenario::subnet(quickstart_nsg()),
        "empty-nsg" => Scenario::subnet(nsg("nsg-empty", vec![])),
        // C6 fixtures.
        "fixture-azurecloud" => Scenario::subnet(nsg(
            "nsg-azurecloud",
            vec![
                out_rule("AllowAzureCloud", 100, Allow).destinations(["AzureCloud"]),
                deny_all_outbound(),
            ],
        )),
        "fixture-aml-regional" => Scenario::subnet(nsg(
            "nsg-aml-regional",
            vec![tcp443("AllowAmlRegional", 100, "AzureMachineLearning.eastus"), deny_all_outbound()],
        )),
        "fixture-batch-tcp" => Scenario::subnet(nsg(
            "nsg-batch",
            vec![tcp443("AllowBatchTcp", 100, "BatchNodeManagement.eastus"), deny_all_outbound()],
        )),
        "fixture-vnet-udr" => Scenario::subnet(nsg(
            "nsg-vnet-udr",
            vec![
                out_rule("AllowVnet", 100, Allow).destinations(["VirtualNetwork"]),
                out_rule("DenyInternet", 200, Deny).destinations(["Internet"]),
            ],
        ))
        .with_routes(vec![firewall_default_route()]),
        "fixture-nic-deny" => Scenario {
            subnet_nsg: Layer::Known(nsg(
                "nsg-subnet-allows",
                vec![tcp443("AllowAml", 100, "AzureMachineLearning")],
            )),
            nic_nsg: Layer::Known(nsg("nsg-nic-denies", vec![deny_all_outbound()])),
            routes: Layer::Absent,
        },
        "both-deny" => Scenario {
            subnet_nsg: Layer::Known(nsg("nsg-subnet", vec![deny_all_outbound()])),
            nic_nsg: Layer::Known(nsg(
                "nsg-nic",
                vec![deny_all_outbound(), rule("DenyAllInbound", 4000, Inbound, Deny)],
            )),
            routes: Layer::Absent,
        },
        "both-allow" => Scenario {
            subnet_nsg: Layer::Known(nsg(
                "nsg-subnet",
                vec![
                    tcp443("AllowAml", 100, "AzureMachineLearning"),
                    rule("AllowAmlInbound", 130, Inbound, Allow)
                        .protocol(RuleProtocol::Tcp)
                        .sources(["AzureMachineLearning"])
                        .destination_ports(["44224"]),
                ],
            )),
            nic_nsg: Layer::Known(nsg("nsg-nic-empty", vec![])),
            routes: Layer::Absent,
        },
        "unknown-nic-nsg" => Scenario {
            subnet_nsg: Layer::Known(quickstart_nsg()),
            nic_nsg: Layer::Unknown,
            routes: Layer::Absent,
        },
        "unknown-subnet-nsg-nic-deny" => Scenario {
            subnet_nsg: Layer::Unknown,
            nic_nsg: Layer::Known(nsg("nsg-nic", vec![deny_all_outbound()])),
            routes: Layer::Absent,
        },
        // AML-NSG-001 examples.
        "core-allows" => Scenario::subnet(nsg(
            "nsg-core",
            vec![
                tcp443("AllowAml", 100, "AzureMachineLearning"),
                tcp443("AllowBatch", 110, "BatchNodeManagement.eastus"),
                tcp443("AllowStorage", 120, "Storage.eastus"),
                deny_all_outbound(),
            ],
        )),
        "protocol-any-allows" => Scenario::subnet(nsg(
            "nsg-any-proto",
            vec![
                out_rule("AllowAmlAll", 100, Allow).destinations(["AzureMachineLearning"]),
                deny_all_outbound(),
            ],
        )),
        "regional-mismatch" => Scenario::subnet(nsg(
            "nsg-region",
            vec![tcp443("AllowStorageNorth", 100, "Storage.northeurope"), deny_all_outbound()],
        )),
        "global-storage" => Scenario::subnet(nsg(
            "nsg-global",
            vec![tcp443("AllowStorage", 100, "Storage"), deny_all_outbound()],
        )),
        "internet-allow" => Scenario::subnet(nsg(
            "nsg-internet",
            vec![tcp443("AllowInternet", 100, "Internet"), deny_all_outbound()],
        )),
        "private-cidr-allow" => Scenario::subnet(nsg(
            "nsg-private",
            vec![
                out_rule("AllowPrivate", 100, Allow).destinations(["192.168.0.0/16", "10.0.0.0/8"]),
                deny_all_outbound(),
            ],
        )),
        "public-cidr-allow" => Scenario::subnet(nsg(
            "nsg-public",
            vec![out_rule("AllowPublic", 100, Allow).destinations(["20.0.0.0/8"]), deny_all_outbound()],
        )),
        "icmp-deny" => Scenario::subnet(nsg(
            "nsg-icmp",
            vec![out_rule("DenyIcmp", 100, Deny).protocol(RuleProtocol::Icmp)],
        )),
        "source-port-deny" => Scenario::subnet(nsg(
            "nsg-srcport",
            vec![out_rule("DenyHighSourcePorts", 100, Deny).source_ports(["1024-65535"])],
        )),
        "asg-deny" => Scenario::subnet(nsg(
            "nsg-asg",
            vec![SecurityRule {
                destinations: vec![AddressPrefix::ApplicationSecurityGroup(
                    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg".into(),
                )],
                ..out_rule("DenyAsg", 100, Deny)
            }],
        )),
        "asg-allow" => Scenario::subnet(nsg(
            "nsg-asg-allow",
            vec![SecurityRule {
                destinations: vec![AddressPrefix::ApplicationSecurityGroup("asg".into())],
                ..out_rule("AllowAsg", 100, Allow)
            }],
        )),
        "unknown-priority" => Scenario::subnet(nsg(
            "nsg-unknown-priority",
            vec![SecurityRule {
                priority: Maybe::Unknown,
                ..out_rule("DenyMaybe", 0, Deny)
            }],
        )),
        "unknown-port" => Scenario::subnet(nsg(
            "nsg-unknown-port",
            vec![SecurityRule {
                destination_ports: vec![PortRange::Unknown],
                ..out_rule("DenyPortParam", 100, Deny)
            }],
        )),
        "unknown-access" => Scenario::subnet(nsg(
            "nsg-unknown-access",
            vec![SecurityRule {
                access: Maybe::Unknown,
                ..out_rule("AccessParam", 100, Deny)
            }],
        )),
        "unknown-nsg" => Scenario {
            subnet_nsg: Layer::Unknown,
            ..empty
        },
        "unknown-routes" => Scenario {
            routes: Layer::Unknown,
            ..empty
        },
        "route-none" => empty.with_routes(vec![route("blackhole", "0.0.0.0/0", NextHopType::None)]),
        "route-none-and-deny" => Scenario::subnet(nsg("nsg-deny-out", vec![deny_all_outbound()]))
            .with_routes(vec![route("blackhole", "0.0.0.0/0", NextHopType::None)]),
        "deny-behind-firewall" => Scenario::subnet(nsg("nsg-deny-out", vec![deny_all_outbound()]))
            .with_routes(vec![firewall_default_route()]),
        "route-split" => empty.with_routes(vec![
            route("aml-direct", "AzureMachineLearning", NextHopType::Internet),
            firewall_default_route(),
        ]),
        "route-cidr-none" => empty.with_routes(vec![
            route("maybe-storage", "20.0.0.0/8", NextHopType::None),
            route("private-none", "10.0.0.0/8", NextHopType::None),
        ]),
        "vnet-inbound-udr" => Scenario::subnet(nsg("nsg-empty", vec![])).with_routes(vec![firewall_default_route()]),
        other => panic!("no scenario {other}"),
    }
}

/// Flows by key: the §3.4 flows of a public-IP compute instance in `eastus` (rows with two
/// flows get `.1`/`.2`: F7.1 is port 80, F7.2 port 443; F10.1 MCR, F10.2 Front Door first
/// party), plus a few extra flows.
fn flow(key: &str) -> Flow {
    let subnet = training_subnet();
    let options = RequiredFlowOptions {
        storage_endpoint_prefixes: vec![net("192.168.1.0/24")],
        private_endpoint_prefixes: vec![net("192.168.1.0/24")],
        ..RequiredFlowOptions::default()
    };
    let tag = |text: &str| text.parse::<ServiceTag>().expect("test tag");
    match key {
        "F16" => Flow::inbound(
            tag("BatchNodeManagement.eastus"),
            subnet,
            Protocol::Tcp,
            29876,
        ),
        "F17" => {
            required_flows(
                ComputeKind::AttachedVirtualMachine,
                REGION,
                &subnet,
                &options,
            )
            .remove(0)
            .flow
        }
        "ssh-from-internet" => Flow::inbound(Endpoint::Internet, subnet, Protocol::Tcp, 22),
        "F14-peer-unknown" | "F14-peer-reached" => {
            let mut peered = subnet;
            peered.reachable_vnets.push(ReachableVnet {
                name: "vnet-hub".into(),
                reach: if key.ends_with("unknown") {
                    Tri::Unknown
                } else {
                    Tri::True
                },
                address_space: vec![Maybe::Known(net("10.100.0.0/16"))],
            });
            Flow::outbound(peered, net("10.100.1.0/24"), Protocol::Tcp, 443)
        }
        _ => {
            let flows = required_flows(ComputeKind::ComputeInstance, REGION, &subnet, &options);
            let (row, nth) = key.split_once('.').map_or((key, 1), |(row, nth)| {
                (row, nth.parse().expect("flow ordinal"))
            });
            flows
                .into_iter()
                .filter(|f| f.row.to_string() == row)
                .nth(nth - 1)
                .unwrap_or_else(|| panic!("no required flow {key}"))
                .flow
        }
    }
}

use Outcome::{Allowed, Denied, Unknown};

/// (scenario, flow, outcome, deciding, involved, notes). `deciding` and `involved` name
/// `nsg/rule`, `table/route`, `unknown-nsg` or `unknown-routes`; notes are
/// `hop:<route>`, `vnet:<routes>` or `dropped:<route>`.
type Row = (
    &'static str,
    &'static str,
    Outcome,
    Option<&'static str>,
    &'static [&'static str],
    &'static [&'static str],
);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // §3.4 against no NSG at all.
    ("allow-all", "F1", Allowed, None, &[], &[]),
    ("allow-all", "F2", Allowed, None, &[], &[]),
    ("allow-all", "F3", Allowed, None, &[], &[]),
    ("allow-all", "F4", Allowed, None, &[], &[]),
    ("allow-all", "F5", Allowed, None, &[], &[]),
    ("allow-all", "F6", Allowed, None, &[], &[]),
    ("allow-all", "F7.1", Allowed, None, &[], &[]),
    ("allow-all", "F7.2", Allowed, None, &[], &[]),
    ("allow-all", "F8", Allowed, None, &[], &[]),
    ("allow-all", "F9", Allowed, None, &[], &[]),
    ("allow-all", "F10.1", Allowed, None, &[], &[]),
    ("allow-all", "F10.2", Allowed, None, &[], &[]),
    ("allow-all", "F11", Allowed, None, &[], &[]),
    ("allow-all", "F12", Allowed, None, &[], &[]),
    ("allow-all", "F13", Allowed, None, &[], &[]),
    ("allow-all", "F14", Allowed, None, &[], &[]),
    ("allow-all", "F15", Allowed, None, &[], &[]),
    // §3.4 against a user DenyAllOutbound at 4000 (AML-NSG-001 "violates").
    ("deny-all-outbound", "F1", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F2", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F3", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F4", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F5", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F6", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F7.1", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F7.2", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F8", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F9", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F10.1", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F10.2", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F11", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F12", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F13", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("deny-all-outbound", "F14", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    // A subnet NSG without an inbound allow denies inbound service traffic by default.
    ("deny-all-outbound", "F15", Denied, Some("nsg-deny-out/DenyAllInBound"), &[], &[]),
    // §3.4 against a user DenyAllInbound: outbound goes through the defaults.
    ("deny-all-inbound", "F1", Allowed, Some("nsg-deny-in/AllowInternetOutBound"), &[], &[]),
    ("deny-all-inbound", "F2", Allowed, Some("nsg-deny-in/AllowInternetOutBound"), &[], &[]),
    ("deny-all-inbound", "F3", Allowed, Some("nsg-deny-in/AllowInternetOutBound"), &[], &[]),
    ("deny-all-inbound", "F5", Allowed, Some("nsg-deny-in/AllowInternetOutBound"), &[], &[]),
    ("deny-all-inbound", "F6", Allowed, Some("nsg-deny-in/AllowInternetOutBound"), &[], &[]),
    ("deny-all-inbound", "F10.2", Allowed, Some("nsg-deny-in/AllowInternetOutBound"), &[], &[]),
    ("deny-all-inbound", "F13", Allowed, Some("nsg-deny-in/AllowVnetOutBound"), &[], &[]),
    ("deny-all-inbound", "F14", Allowed, Some("nsg-deny-in/AllowVnetOutBound"), &[], &[]),
    ("deny-all-inbound", "F15", Denied, Some("nsg-deny-in/DenyAllInbound"), &[], &[]),
    ("deny-all-inbound", "F17", Denied, Some("nsg-deny-in/DenyAllInbound"), &[], &[]),
    // §3.4 against the quickstart NSG: no deny rule, so everything outbound passes.
    ("quickstart", "F1", Allowed, Some("nsg-quickstart/AzureMachineLearningOutbound"), &[], &[]),
    ("quickstart", "F2", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F3", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F4", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F5", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F6", Allowed, Some("nsg-quickstart/AzureStorageAccount"), &[], &[]),
    ("quickstart", "F7.1", Allowed, Some("nsg-quickstart/AzureActiveDirectory"), &[], &[]),
    ("quickstart", "F7.2", Allowed, Some("nsg-quickstart/AzureActiveDirectory"), &[], &[]),
    ("quickstart", "F8", Allowed, Some("nsg-quickstart/AzureResourceManager"), &[], &[]),
    ("quickstart", "F9", Allowed, Some("nsg-quickstart/AzureFrontDoor"), &[], &[]),
    ("quickstart", "F10.1", Allowed, Some("nsg-quickstart/MicrosoftContainerRegistry"), &[], &[]),
    ("quickstart", "F10.2", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F11", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F12", Allowed, Some("nsg-quickstart/AllowInternetOutBound"), &[], &[]),
    ("quickstart", "F13", Allowed, Some("nsg-quickstart/AllowVnetOutBound"), &[], &[]),
    ("quickstart", "F14", Allowed, Some("nsg-quickstart/AllowVnetOutBound"), &[], &[]),
    ("quickstart", "F15", Allowed, Some("nsg-quickstart/AzureMachineLearning"), &[], &[]),
    ("quickstart", "F16", Allowed, Some("nsg-quickstart/BatchNodeManagement"), &[], &[]),
    ("quickstart", "F17", Denied, Some("nsg-quickstart/DenyAllInBound"), &[], &[]),
    ("quickstart", "ssh-from-internet", Denied, Some("nsg-quickstart/DenyAllInBound"), &[], &[]),
    // The five C6 fixtures.
    ("fixture-azurecloud", "F1", Unknown, Some("nsg-azurecloud/DenyAllOutbound"), &["nsg-azurecloud/AllowAzureCloud"], &[]),
    ("fixture-azurecloud", "F6", Unknown, Some("nsg-azurecloud/DenyAllOutbound"), &["nsg-azurecloud/AllowAzureCloud"], &[]),
    ("fixture-azurecloud", "F14", Denied, Some("nsg-azurecloud/DenyAllOutbound"), &[], &[]),
    ("fixture-aml-regional", "F1", Unknown, Some("nsg-aml-regional/DenyAllOutbound"), &["nsg-aml-regional/AllowAmlRegional"], &[]),
    ("fixture-aml-regional", "F3", Denied, Some("nsg-aml-regional/DenyAllOutbound"), &[], &[]),
    ("fixture-batch-tcp", "F5", Allowed, Some("nsg-batch/AllowBatchTcp"), &[], &[]),
    ("fixture-vnet-udr", "F6", Unknown, Some("nsg-vnet-udr/DenyInternet"), &["nsg-vnet-udr/AllowVnet"], &["vnet:default-to-fw", "hop:default-to-fw"]),
    ("fixture-vnet-udr", "F1", Unknown, Some("nsg-vnet-udr/DenyInternet"), &["nsg-vnet-udr/AllowVnet"], &["vnet:default-to-fw", "hop:default-to-fw"]),
    // Inside the VNet the system route beats `0.0.0.0/0`, and `VirtualNetwork` holds it anyway.
    ("fixture-vnet-udr", "F14", Allowed, Some("nsg-vnet-udr/AllowVnet"), &[], &[]),
    ("fixture-nic-deny", "F1", Denied, Some("nsg-nic-denies/DenyAllOutbound"), &[], &[]),
    // Inbound, the subnet NSG is walked first.
    ("fixture-nic-deny", "F15", Denied, Some("nsg-subnet-allows/DenyAllInBound"), &[], &[]),
    ("both-deny", "F1", Denied, Some("nsg-nic/DenyAllOutbound"), &[], &[]),
    ("both-deny", "F15", Denied, Some("nsg-subnet/DenyAllInBound"), &[], &[]),
    // Allowed names the last NSG passed (outbound: subnet); a NIC NSG without inbound rules
    // denies inbound traffic the subnet NSG allows.
    ("both-allow", "F1", Allowed, Some("nsg-subnet/AllowAml"), &[], &[]),
    ("both-allow", "F15", Denied, Some("nsg-nic-empty/DenyAllInBound"), &[], &[]),
    // A certain deny in one layer wins over an invisible NSG in the other.
    ("unknown-subnet-nsg-nic-deny", "F1", Denied, Some("nsg-nic/DenyAllOutbound"), &[], &[]),
    ("unknown-subnet-nsg-nic-deny", "F15", Denied, Some("nsg-nic/DenyAllInBound"), &[], &[]),
    // An invisible NSG next to one that allows leaves the flow undecided.
    ("unknown-nic-nsg", "F1", Unknown, None, &["unknown-nsg"], &[]),
    ("unknown-nic-nsg", "F17", Denied, Some("nsg-quickstart/DenyAllInBound"), &[], &[]),
    ("unknown-nsg", "F15", Unknown, None, &["unknown-nsg"], &[]),
    // AML-NSG-001: precise allows before a deny-all on a cluster subnet comply; UDP 5831 does not.
    ("core-allows", "F1", Allowed, Some("nsg-core/AllowAml"), &[], &[]),
    ("core-allows", "F5", Allowed, Some("nsg-core/AllowBatch"), &[], &[]),
    ("core-allows", "F6", Allowed, Some("nsg-core/AllowStorage"), &[], &[]),
    ("core-allows", "F3", Denied, Some("nsg-core/DenyAllOutbound"), &[], &[]),
    ("core-allows", "F8", Denied, Some("nsg-core/DenyAllOutbound"), &[], &[]),
    ("protocol-any-allows", "F3", Allowed, Some("nsg-any-proto/AllowAmlAll"), &[], &[]),
    // Tags and regions.
    ("regional-mismatch", "F6", Denied, Some("nsg-region/DenyAllOutbound"), &[], &[]),
    ("global-storage", "F6", Allowed, Some("nsg-global/AllowStorage"), &[], &[]),
    ("internet-allow", "F8", Allowed, Some("nsg-internet/AllowInternet"), &[], &[]),
    ("internet-allow", "F7.1", Denied, Some("nsg-internet/DenyAllOutbound"), &[], &[]),
    // CIDRs: private ranges never hold a service; other CIDRs might.
    ("private-cidr-allow", "F1", Denied, Some("nsg-private/DenyAllOutbound"), &[], &[]),
    ("private-cidr-allow", "F13", Allowed, Some("nsg-private/AllowPrivate"), &[], &[]),
    ("public-cidr-allow", "F1", Unknown, Some("nsg-public/DenyAllOutbound"), &["nsg-public/AllowPublic"], &[]),
    ("public-cidr-allow", "F14", Denied, Some("nsg-public/DenyAllOutbound"), &[], &[]),
    // Protocols and ports.
    ("icmp-deny", "F1", Allowed, Some("nsg-icmp/AllowInternetOutBound"), &[], &[]),
    ("source-port-deny", "F1", Unknown, Some("nsg-srcport/AllowInternetOutBound"), &["nsg-srcport/DenyHighSourcePorts"], &[]),
    // Unknown values.
    ("asg-deny", "F1", Unknown, Some("nsg-asg/AllowInternetOutBound"), &["nsg-asg/DenyAsg"], &[]),
    ("asg-allow", "F1", Allowed, Some("nsg-asg-allow/AllowInternetOutBound"), &["nsg-asg-allow/AllowAsg"], &[]),
    ("unknown-priority", "F1", Unknown, Some("nsg-unknown-priority/AllowInternetOutBound"), &["nsg-unknown-priority/DenyMaybe"], &[]),
    ("unknown-priority", "F15", Denied, Some("nsg-unknown-priority/DenyAllInBound"), &[], &[]),
    ("unknown-port", "F1", Unknown, Some("nsg-unknown-port/AllowInternetOutBound"), &["nsg-unknown-port/DenyPortParam"], &[]),
    ("unknown-access", "F1", Unknown, Some("nsg-unknown-access/AccessParam"), &[], &[]),
    ("unknown-nsg", "F1", Unknown, None, &["unknown-nsg"], &[]),
    ("unknown-routes", "F1", Unknown, None, &["unknown-routes"], &[]),
    ("unknown-routes", "F15", Allowed, None, &[], &[]),
    // Peering: `VirtualNetwork` covers a peered VNet where REACH holds.
    ("allow-all", "F14-peer-unknown", Allowed, None, &[], &[]),
    ("empty-nsg", "F14-peer-unknown", Unknown, Some("nsg-empty/DenyAllOutBound"), &["nsg-empty/AllowVnetOutBound"], &[]),
    ("empty-nsg", "F14-peer-reached", Allowed, Some("nsg-empty/AllowVnetOutBound"), &[], &[]),
    ("empty-nsg", "F1", Allowed, Some("nsg-empty/AllowInternetOutBound"), &[], &[]),
    ("empty-nsg", "F15", Denied, Some("nsg-empty/DenyAllInBound"), &[], &[]),
    // Routes.
    ("route-none", "F1", Denied, Some("rt-training/blackhole"), &[], &[]),
    ("route-none", "F14", Allowed, None, &[], &[]),
    ("route-none", "F15", Allowed, None, &[], &[]),
    ("route-none-and-deny", "F1", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &["dropped:blackhole"]),
    ("deny-behind-firewall", "F1", Denied, Some("nsg-deny-out/DenyAllOutbound"), &[], &[]),
    ("route-split", "F1", Allowed, None, &[], &[]),
    ("route-split", "F5", Allowed, None, &[], &["hop:default-to-fw"]),
    ("route-cidr-none", "F6", Unknown, None, &["rt-training/maybe-storage"], &[]),
    ("route-cidr-none", "F13", Allowed, None, &[], &[]),
    ("vnet-inbound-udr", "F15", Unknown, Some("nsg-empty/DenyAllInBound"), &["nsg-empty/AllowVnetInBound"], &["vnet:default-to-fw"]),
];

fn name_decider(decider: &Decider<'_, Origin>) -> String {
    match decider {
        Decider::Rule { nsg, rule, .. } => format!("{}/{}", nsg.name, rule.name()),
        Decider::Route { table, route } => format!("{}/{}", table.name, route.name),
        Decider::UnknownNsg { .. } => "unknown-nsg".into(),
        Decider::UnknownRouteTable => "unknown-routes".into(),
        other => format!("{other}"),
    }
}

fn name_note(note: &Note<'_, Origin>) -> String {
    match note {
        Note::FilteringHop { route, .. } => format!("hop:{}", route.name),
        Note::VirtualNetworkIncludesRoutes { routes, .. } => {
            let names: Vec<&str> = routes.iter().map(|r| r.name.as_str()).collect();
            format!("vnet:{}", names.join(","))
        }
        Note::AlsoDroppedByRoute { route, .. } => format!("dropped:{}", route.name),
        other => format!("{other:?}"),
    }
}

#[test]
fn flow_table() {
    let mut failures = Vec::new();
    for &(scenario_name, flow_key, outcome, deciding, involved, notes) in TABLE {
        let scenario = scenario(scenario_name);
        let flow = flow(flow_key);
        let verdict = evaluate(&flow, &scenario.placement());
        let got_deciding = verdict.deciding.as_ref().map(name_decider);
        let got_involved: Vec<String> = verdict.involved.iter().map(name_decider).collect();
        let mut got_notes: Vec<String> = verdict.notes.iter().map(name_note).collect();
        let mut want_notes: Vec<String> = notes.iter().map(|n| n.to_string()).collect();
        got_notes.sort();
        want_notes.sort();
        if verdict.outcome != outcome
            || got_deciding.as_deref() != deciding
            || got_involved != involved
            || got_notes != want_notes
        {
            failures.push(format!(
                "{scenario_name} / {flow_key} ({flow}):\n  want {outcome} by {deciding:?}, involved {involved:?}, notes {want_notes:?}\n  got  {} by {got_deciding:?}, involved {got_involved:?}, notes {got_notes:?}",
                verdict.outcome
            ));
        }
    }
    assert!(TABLE.len() >= 40, "the table covers at least 40 flows");
    assert!(
        failures.is_empty(),
        "{} of {} flows differ:\n{}",
        failures.len(),
        TABLE.len(),
        failures.join("\n")
    );
}

#[test]
fn verdict_hands_back_the_callers_origin() {
    let scenario = scenario("fixture-nic-deny");
    let verdict = evaluate(&flow("F1"), &scenario.placement());
    let deciding = verdict.deciding.expect("a rule decides");
    assert_eq!(
        deciding.rule().and_then(|rule| rule.origin()),
        Some(&"DenyAllOutbound")
    );
    assert!(matches!(
        deciding,
        Decider::Rule {
            layer: NsgLayer::Nic,
            ..
        }
    ));
    assert_eq!(
        deciding.to_string(),
        "NSG 'nsg-nic-denies' (NIC) rule 'DenyAllOutbound' (priority 4000)"
    );
    let cloud = self::scenario("fixture-azurecloud");
    assert_eq!(
        evaluate(&flow("F1"), &cloud.placement()).to_string(),
        "unknown by NSG 'nsg-azurecloud' (subnet) rule 'DenyAllOutbound' (priority 4000); \
         depends on NSG 'nsg-azurecloud' (subnet) rule 'AllowAzureCloud' (priority 100)"
    );
    let default = evaluate(&flow("F15"), &scenario.placement())
        .deciding
        .expect("decided");
    assert_eq!(
        default.rule().and_then(|rule| rule.origin()),
        None,
        "default rules have no origin"
    );
}

#[test]
fn appliance_note_names_the_next_hop() {
    let scenario = scenario("route-split");
    let verdict = evaluate(&flow("F5"), &scenario.placement());
    let [
        Note::FilteringHop {
            next_hop,
            next_hop_ip,
            certain,
            ..
        },
    ] = verdict.notes.as_slice()
    else {
        panic!("one appliance note expected, got {:?}", verdict.notes);
    };
    assert_eq!(*next_hop, NextHopType::VirtualAppliance);
    assert_eq!(*next_hop_ip, Some("192.168.100.4"));
    assert!(*certain);
}

#[test]
fn required_flow_rows_match_section_3_4() {
    let subnet = training_subnet();
    let options = RequiredFlowOptions::default();
    let rows = |kind| -> Vec<String> {
        required_flows(kind, "East US", &subnet, &options)
            .iter()
            .map(|f| format!("{} {} {}", f.row, f.flow.protocol, f.flow.port))
            .collect()
    };
    assert_eq!(
        rows(ComputeKind::ComputeInstance),
        [
            "F1 TCP 443",
            "F2 TCP 18881",
            "F3 UDP 5831",
            "F4 TCP 8787",
            "F5 TCP 443",
            "F6 TCP 443",
            "F7 TCP 80",
            "F7 TCP 443",
            "F8 TCP 443",
            "F9 TCP 443",
            "F10 TCP 443",
            "F10 TCP 443",
            "F11 TCP 443",
            "F12 TCP 443",
            "F13 TCP 445",
            "F15 TCP 44224",
        ]
    );
    let cluster = rows(ComputeKind::ComputeCluster);
    assert!(
        !cluster
            .iter()
            .any(|r| r.starts_with("F2 ") || r.starts_with("F3 "))
    );
    assert_eq!(cluster, rows(ComputeKind::Serverless));
    assert_eq!(
        rows(ComputeKind::Kubernetes),
        ["F18 TCP 443", "F19 TCP 443", "F19 TCP 443"]
    );
    assert_eq!(rows(ComputeKind::AttachedVirtualMachine), ["F17 TCP 22"]);

    let no_pip_china = RequiredFlowOptions {
        public_ip: false,
        azure_china: true,
        ..RequiredFlowOptions::default()
    };
    let flows = required_flows(
        ComputeKind::ComputeCluster,
        "chinaeast2",
        &subnet,
        &no_pip_china,
    );
    assert!(
        flows
            .iter()
            .all(|f| f.row != FlowRow::F9 && f.row != FlowRow::F15)
    );

    // Core rows and their destinations, with the region normalized per C2.
    let flows = required_flows(ComputeKind::ComputeInstance, "East US", &subnet, &options);
    let core: Vec<String> = flows
        .iter()
        .filter(|f| f.tier == Tier::Core)
        .map(|f| format!("{} {}", f.row, f.flow.destination))
        .collect();
    assert_eq!(
        core,
        [
            "F1 AzureMachineLearning",
            "F3 AzureMachineLearning",
            "F5 BatchNodeManagement.eastus",
            "F6 Storage.eastus"
        ]
    );
    assert!(flows.iter().all(|f| f.row != FlowRow::F16));
}
