use std::collections::HashSet;

use super::nsg_support::{Attached, compute_sites, site_no_public_ip, subnet_placement};
use crate::model::Tri;
use crate::netsec::{AddressPrefix, Maybe, NextHopType};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For every compute with a public IP (a compute instance or cluster whose
    /// `enableNodePublicIp` is not `false`, or the workspace's serverless compute without
    /// `serverlessComputeNoPublicIP`), checks the route table of its subnet: when the default
    /// route `0.0.0.0/0` goes to a `VirtualAppliance` (a firewall), a user-defined route with
    /// address prefix `AzureMachineLearning` and next hop `Internet` must exist.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning manages public-IP computes with inbound traffic to the nodes'
    /// public addresses. With forced tunnelling, the replies leave through the firewall instead
    /// of the public IP they came to (asymmetric routing) and are dropped, so the service
    /// loses contact with the nodes and compute creation fails.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/routeTables",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "rt-training",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "routes": [
    ///       { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } }
    ///     ]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: route the AML management traffic back to the internet (or use computes
    /// without public IPs).
    /// ```json
    /// "routes": [
    ///   { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } },
    ///   { "name": "aml-return", "properties": { "addressPrefix": "AzureMachineLearning", "nextHopType": "Internet" } }
    /// ]
    /// ```
    ///
    /// ## References
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    /// - [Plan for network isolation in Azure Machine Learning](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct ForcedTunnelWithoutAmlReturnRoute;
    code: "AML-NSG-005",
    name: "forced-tunnel-without-aml-return-route",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Public-IP computes behind a firewall have a return route for AML.",
}

impl Rule for ForcedTunnelWithoutAmlReturnRoute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut reported = HashSet::new();
        for site in compute_sites(ctx) {
            match site_no_public_ip(&sets, &site) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let placement = subnet_placement(&sets, &site.subnet);
            let table = match &placement.route_table {
                Attached::None => continue,
                Attached::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Attached::Known(table) => table,
            };
            let is_default = |prefix: &AddressPrefix| matches!(prefix, AddressPrefix::Cidr(net) if net.prefix_len() == 0 && net.addr().is_ipv4());
            let Some(forced) = table.routes.iter().find(|route| {
                is_default(&route.address_prefix)
                    && route.next_hop_type == Maybe::Known(NextHopType::VirtualAppliance)
            }) else {
                continue;
            };
            let mut return_route = Tri::False;
            for route in &table.routes {
                let to_internet = match route.next_hop_type {
                    Maybe::Known(hop) => Tri::from(hop == NextHopType::Internet),
                    Maybe::Unknown => Tri::Unknown,
                };
                // The route must take AML's addresses: the tag itself (global or regional);
                // `AzureCloud` or a value known only at deployment may take them.
                let covers = match &route.address_prefix {
                    AddressPrefix::Tag(tag) if tag.is("AzureMachineLearning") => Tri::True,
                    AddressPrefix::Tag(tag) if tag.is("AzureCloud") => Tri::Unknown,
                    AddressPrefix::Unknown => Tri::Unknown,
                    _ => Tri::False,
                };
                return_route = return_route.or(to_internet.and(covers));
            }
            match return_route {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let subnet_key = site.subnet.to_string().to_ascii_lowercase();
            if !reported.insert(subnet_key) {
                continue;
            }
            let subnet = placement.name();
            let mut finding = Finding::new(
                site.resource,
                site.subnet_path,
                format!(
                    "Subnet '{subnet}' forces traffic through a firewall; replies to AML's inbound management traffic need a user-defined route to the Internet for AzureMachineLearning."
                ),
            )
            .label(format!("{} has a public IP and sits in subnet '{subnet}'", site.what))
            .help("add a route with addressPrefix `AzureMachineLearning` and nextHopType `Internet`, or use computes without public IPs")
            .related(
                forced.origin.resource,
                &forced.origin.path,
                format!("route '{}' sends 0.0.0.0/0 to a virtual appliance", forced.name),
            );
            if let Some(subnet_resource) = placement.resource {
                finding = finding.related(
                    subnet_resource,
                    "properties.routeTable.id",
                    format!("route table '{}' attached here", table.name),
                );
            }
            ctx.report(finding);
        }
    }
}
