use ipnet::IpNet;

use super::net_support::parsed_prefixes;
use super::support::resource_of;
use crate::codes::Severity;
use crate::graph::EdgeKind;
use crate::model::kinds::{Compute, ComputeType, Setting, Subnet};
use crate::model::{Resource, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Adds up the private addresses that the computes and private endpoints of a compute subnet
    /// need and compares them with what the subnet offers: `2^(32 − length) − 5` addresses per
    /// IPv4 prefix, since Azure reserves five addresses in every subnet. Demand is one address per
    /// compute instance, `maxNodeCount` per compute cluster, one per private endpoint (or its
    /// declared `ipConfigurations`) and one per network interface IP configuration in the subnet.
    /// Serverless compute and AKS node pools have a demand the template does not state; a subnet
    /// they share is only judged when the rest already overflows it.
    ///
    /// An error when the demand exceeds the capacity; a warning when it is above 80 % of it.
    ///
    /// ## Why is this bad?
    /// Every node of a cluster, every compute instance and every private endpoint takes one IP
    /// address of its subnet. When the subnet runs out, clusters stop scaling out and new
    /// instances or endpoints fail to deploy.
    ///
    /// ## Example
    /// A `/28` (11 usable addresses) for a cluster of up to 10 nodes, two compute instances and
    /// a private endpoint (13 addresses):
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/subnets",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml/snet-training",
    ///   "properties": { "addressPrefix": "10.0.1.0/28" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/subnets",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml/snet-training",
    ///   "properties": { "addressPrefix": "10.0.1.0/24" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Plan for network isolation in Azure Machine Learning](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    /// - [Virtual network FAQ: addresses reserved in a subnet](https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq)
    pub struct UndersizedComputeSubnet;
    code: "AML-NET-002",
    name: "undersized-compute-subnet",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Compute subnets have enough free addresses.",
}

/// Addresses Azure reserves in every subnet: network, broadcast, gateway and two for DNS.
const RESERVED_PER_PREFIX: u64 = 5;

/// One consumer of addresses in a subnet.
struct Consumer<'g> {
    resource: &'g Resource,
    path: String,
    role: &'static str,
    addresses: u64,
}

/// What one relation into the subnet asks for.
enum Demand {
    /// A known number of addresses, with the consumer's role.
    Known(&'static str, u64),
    /// A compute-like consumer whose count the template does not state.
    UnknownCompute,
    /// Another consumer whose count is unknown.
    Unknown,
}

impl Demand {
    /// Whether the consumer is a compute (instance, cluster, serverless, AKS).
    fn is_compute(&self) -> bool {
        matches!(
            self,
            Demand::UnknownCompute | Demand::Known("compute instance" | "cluster", _)
        )
    }
}

impl Rule for UndersizedComputeSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = ctx.graph();
        for resource in ctx
            .resources()
            .of_type("Microsoft.Network/virtualNetworks/subnets")
        {
            let (Some(subnet), Some(node)) = (Subnet::of(resource), graph.node_of(resource.index))
            else {
                continue;
            };
            let mut consumers: Vec<Consumer<'_>> = Vec::new();
            let mut partly_unknown = false;
            let mut serves_compute = false;
            for relation in graph.incoming(node, EdgeKind::InSubnet) {
                let Some(consumer) = resource_of(&sets, relation.from) else {
                    partly_unknown = true;
                    continue;
                };
                let demand = demand_of(consumer);
                serves_compute |= demand.is_compute();
                match (sets.written(relation.from), demand) {
                    (Tri::False, _) => {}
                    (Tri::True, Demand::Known(role, addresses)) => consumers.push(Consumer {
                        resource: consumer,
                        path: relation.path.clone(),
                        role,
                        addresses,
                    }),
                    _ => partly_unknown = true,
                }
            }
            // Subnets without computes are outside this rule (the network provider itself
            // refuses an endpoint in a full subnet).
            if !serves_compute {
                continue;
            }
            if sets.written(node) != Tri::True {
                ctx.indeterminate();
                continue;
            }
            let Some(prefixes) = parsed_prefixes(subnet.address_prefixes()) else {
                ctx.indeterminate();
                continue;
            };
            // AML nodes and endpoints take IPv4 addresses; IPv6 prefixes add none.
            let capacity: u64 = prefixes
                .iter()
                .filter_map(|p| match p.net {
                    IpNet::V4(v4) => Some(
                        (1u64 << (32 - u32::from(v4.prefix_len())))
                            .saturating_sub(RESERVED_PER_PREFIX),
                    ),
                    IpNet::V6(_) => None,
                })
                .sum();
            if !prefixes.iter().any(|p| matches!(p.net, IpNet::V4(_))) {
                continue;
            }
            let demand: u64 = consumers.iter().map(|c| c.addresses).sum();
            // Capacity × 0.8 compared in integers.
            let severity = if demand > capacity {
                Severity::Error
            } else if partly_unknown {
                ctx.indeterminate();
                continue;
            } else if demand * 5 > capacity * 4 {
                Severity::Warning
            } else {
                continue;
            };
            let breakdown = consumers
                .iter()
                .map(|c| format!("{} '{}' {}", c.role, c.resource.display_name(), c.addresses))
                .collect::<Vec<_>>()
                .join(" + ");
            let subnet_name = resource.display_name();
            let message = if severity == Severity::Error {
                format!(
                    "Subnet '{subnet_name}' offers {capacity} addresses; computes and endpoints need {demand} ({breakdown})."
                )
            } else {
                format!(
                    "Subnet '{subnet_name}' offers {capacity} addresses; computes and endpoints need {demand} ({breakdown}), more than 80 % of them."
                )
            };
            let path = if resource.get("properties.addressPrefix").is_absent() {
                "properties.addressPrefixes"
            } else {
                "properties.addressPrefix"
            };
            let mut finding = Finding::new(resource, path, message)
                .severity(severity)
                .label(format!("{capacity} usable addresses"))
                .help("widen the subnet, move endpoints or computes to another subnet, or lower `maxNodeCount`");
            for consumer in &consumers {
                finding = finding.related(
                    consumer.resource,
                    &consumer.path.replace('[', ".").replace(']', ""),
                    format!(
                        "{} address{} for this {}",
                        consumer.addresses,
                        if consumer.addresses == 1 { "" } else { "es" },
                        consumer.role
                    ),
                );
            }
            ctx.report(finding);
        }
    }
}

/// The addresses one relation into the subnet asks for.
fn demand_of(consumer: &Resource) -> Demand {
    if let Some(compute) = Compute::of(consumer) {
        return match compute.compute_type() {
            Setting::Set(ComputeType::ComputeInstance) => Demand::Known("compute instance", 1),
            Setting::Set(ComputeType::AmlCompute) => match compute.max_node_count() {
                Setting::Set(n) | Setting::Default(n) => match u64::try_from(n) {
                    Ok(n) => Demand::Known("cluster", n),
                    Err(_) => Demand::UnknownCompute,
                },
                _ => Demand::UnknownCompute,
            },
            // AKS networking and unknown types: the node and pod count is not in the compute.
            _ => Demand::UnknownCompute,
        };
    }
    if consumer.is_type("Microsoft.Network/privateEndpoints") {
        // Declared static IP configurations each take an address; otherwise one.
        let declared = consumer
            .get("properties.ipConfigurations")
            .as_array()
            .map_or(0, <[_]>::len);
        return Demand::Known("private endpoint", declared.max(1) as u64);
    }
    if consumer.is_type("Microsoft.Network/networkInterfaces") {
        // The graph has one relation per IP configuration in this subnet.
        return Demand::Known("network interface", 1);
    }
    if consumer.is_type("Microsoft.MachineLearningServices/workspaces")
        || consumer.is_type("Microsoft.ContainerService/managedClusters")
        || consumer.is_type("Microsoft.ContainerService/managedClusters/agentPools")
    {
        // Serverless nodes and AKS nodes/pods: counts the template does not state.
        return Demand::UnknownCompute;
    }
    Demand::Unknown
}
