use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::dns_support::{
    RecordKind, a_records, aml_zones, declared_zones, workspace_region, written,
};
use super::support::hub_workspaces;
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::kinds::{ARecordSet, PrivateEndpoint, Setting, Subnet};
use crate::model::{Resource, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks the `A` records of the AML private DNS zones that carry the names of a workspace
    /// (`<guid>.workspace.<region>`, its `.cert` name, the inference wildcard and the notebooks
    /// host): each address must lie in the subnet of one of the workspace's private endpoints and,
    /// when the endpoints declare static IP addresses, be one of them.
    ///
    /// ## Why is this bad?
    /// Records written by hand (custom DNS, central zones without zone groups) must take the
    /// private endpoint's addresses. An address elsewhere sends the workspace's traffic to
    /// whatever answers there, or nowhere: API calls, notebooks or inference fail although the
    /// names resolve.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/A",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/0f6c7b2e-4f0a-4b36-9f7e-2d1c8a9b5e41.workspace.westeurope",
    ///   "properties": { "ttl": 10, "aRecords": [ { "ipv4Address": "10.0.1.4" } ] }
    /// }
    /// ```
    /// (the workspace's private endpoint is in `10.10.1.0/24`)
    ///
    /// Use instead: the endpoint's private address.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/A",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/0f6c7b2e-4f0a-4b36-9f7e-2d1c8a9b5e41.workspace.westeurope",
    ///   "properties": { "ttl": 10, "aRecords": [ { "ipv4Address": "10.10.1.4" } ] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    pub struct AmlRecordOutsideEndpointSubnet;
    code: "AML-DNS-006",
    name: "aml-record-outside-endpoint-subnet",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A records of the AML zones point into the subnet of a workspace private endpoint.",
}

/// The address space of the workspace's private endpoints: subnet prefixes and static IPs.
struct EndpointAddresses<'g> {
    endpoints: Vec<&'g Resource>,
    subnets: Vec<&'g Resource>,
    prefixes: Vec<Ipv4Net>,
    static_ips: Vec<Ipv4Addr>,
    /// A prefix or static IP is known only at deployment: a miss cannot be concluded.
    incomplete: bool,
}

fn endpoint_addresses<'g>(
    sets: &DerivedSets<'g>,
    workspace: NodeId,
) -> Option<EndpointAddresses<'g>> {
    let graph = sets.graph();
    let members = sets.workspace_private_endpoints(workspace);
    let mut out = EndpointAddresses {
        endpoints: Vec::new(),
        subnets: Vec::new(),
        prefixes: Vec::new(),
        static_ips: Vec::new(),
        incomplete: !members.open.is_empty(),
    };
    for member in &members.members {
        if member.certainty != Tri::True {
            out.incomplete = true;
            continue;
        }
        let Some(endpoint) = graph.node(member.item).and_then(|n| n.resource()) else {
            out.incomplete = true;
            continue;
        };
        out.endpoints.push(endpoint);
        if let Some(view) = PrivateEndpoint::of(endpoint) {
            match view.static_ip_addresses() {
                Setting::Set(ips) | Setting::Default(ips) => {
                    for ip in ips {
                        match ip.known().map(str::parse::<Ipv4Addr>) {
                            Some(Ok(ip)) => out.static_ips.push(ip),
                            Some(Err(_)) => {}
                            None => out.incomplete = true,
                        }
                    }
                }
                Setting::Absent => {}
                Setting::Unknown(_) => out.incomplete = true,
            }
        }
        let subnet = graph
            .outgoing(member.item, EdgeKind::InSubnet)
            .next()
            .and_then(|relation| graph.node(relation.to))
            .and_then(|n| n.resource());
        let Some(subnet) = subnet else {
            // A subnet outside the template: its prefix is unknown.
            out.incomplete = true;
            continue;
        };
        out.subnets.push(subnet);
        match Subnet::of(subnet).map(|s| s.address_prefixes()) {
            Some(Setting::Set(prefixes) | Setting::Default(prefixes)) => {
                for prefix in prefixes {
                    match prefix.known().map(str::parse::<Ipv4Net>) {
                        Some(Ok(net)) => out.prefixes.push(net),
                        _ => out.incomplete = true,
                    }
                }
            }
            _ => out.incomplete = true,
        }
    }
    (!out.endpoints.is_empty()).then_some(out)
}

impl Rule for AmlRecordOutsideEndpointSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let Some(zones) = aml_zones(&sets) else {
            return;
        };
        for (workspace, view) in hub_workspaces(&sets) {
            let workspace_resource = view.resource();
            let Some(region) = workspace_region(workspace_resource) else {
                ctx.indeterminate();
                continue;
            };
            let Some(addresses) = endpoint_addresses(&sets, workspace) else {
                if sets.workspace_private_endpoints(workspace).non_empty() == Tri::Unknown {
                    ctx.indeterminate();
                }
                continue;
            };
            for zone_name in [zones.api, zones.notebooks] {
                for (_, zone, is_named) in declared_zones(&sets, zone_name) {
                    if written(zone).and(is_named) != Tri::True {
                        continue;
                    }
                    for (record, name) in a_records(&sets, zone) {
                        let Some(name) = name.known() else {
                            ctx.indeterminate();
                            continue;
                        };
                        let kinds = [
                            RecordKind::Workspace,
                            RecordKind::Certificate,
                            RecordKind::Inference,
                            RecordKind::Notebooks,
                        ];
                        if !kinds.iter().any(|k| k.matches(name, &region)) {
                            continue;
                        }
                        self.check_record(
                            ctx,
                            record,
                            name,
                            zone_name,
                            workspace_resource,
                            &addresses,
                        );
                    }
                }
            }
        }
    }
}

impl AmlRecordOutsideEndpointSubnet {
    fn check_record(
        &self,
        ctx: &RuleContext<'_>,
        record: &Resource,
        name: &str,
        zone_name: &str,
        workspace: &Resource,
        addresses: &EndpointAddresses<'_>,
    ) {
        let Some(view) = ARecordSet::of(record) else {
            return;
        };
        let ips = match view.ipv4_addresses() {
            Setting::Set(ips) | Setting::Default(ips) => ips,
            Setting::Absent => return,
            Setting::Unknown(_) => {
                ctx.indeterminate();
                return;
            }
        };
        for (index, ip) in ips.into_iter().enumerate() {
            let Some(text) = ip.known() else {
                ctx.indeterminate();
                continue;
            };
            let Ok(address) = text.parse::<Ipv4Addr>() else {
                continue;
            };
            let in_subnet = addresses.prefixes.iter().any(|net| net.contains(&address));
            let is_static = addresses.static_ips.contains(&address);
            let misses_subnet = !in_subnet && !addresses.incomplete;
            let misses_static =
                !addresses.static_ips.is_empty() && !is_static && !addresses.incomplete;
            if !misses_subnet && !misses_static {
                if !in_subnet && addresses.incomplete {
                    ctx.indeterminate();
                }
                continue;
            }
            let mut finding = Finding::new(
                record,
                &format!("properties.aRecords.{index}.ipv4Address"),
                format!(
                    "Record '{name}' in '{zone_name}' points to {address}, which is not an address of a private endpoint of '{}'.",
                    workspace.display_name()
                ),
            )
            .label(if misses_subnet {
                "outside the workspace endpoints' subnets"
            } else {
                "not a static address of a workspace endpoint"
            })
            .help("use the private IP address of the workspace's private endpoint");
            for endpoint in &addresses.endpoints {
                finding = finding.related(endpoint, "", "workspace private endpoint");
            }
            for subnet in &addresses.subnets {
                finding = finding.related(subnet, "", "its subnet");
            }
            ctx.report(finding.related(workspace, "", "workspace"));
        }
    }
}
