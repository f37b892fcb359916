use std::collections::HashSet;

use super::dns_support::{aml_zones, id_name, needing_vnets};
use super::support::{hub_workspaces, resource_of};
use crate::codes::Severity;
use crate::graph::{DerivedSets, EdgeKind, aml_forwarders, vnet_of_subnet};
use crate::model::kinds::{Peering, Setting, VirtualNetwork};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Finds the VNets that must resolve a workspace with a private endpoint (the
    /// workspace-endpoint VNets, the compute VNets that need the private path, the VNets of
    /// attached AKS clusters) and use custom DNS: DNS servers in `dhcpOptions`, or a link to a
    /// DNS forwarding ruleset. It reminds that those resolvers must forward the AML public zones
    /// to Azure DNS (`168.63.129.16`) from a VNet linked to the AML private zones (info), and
    /// warns when such a VNet uses a VPN gateway while `168.63.129.16` is not one of its DNS
    /// servers.
    ///
    /// ## Why is this bad?
    /// Private DNS zones answer only queries that reach Azure DNS from a linked VNet. A custom DNS
    /// server that resolves the workspace's names itself, or forwards them elsewhere, returns the
    /// public addresses: the private endpoint is bypassed or unreachable. The template cannot
    /// show the servers' conditional forwarders, so the rule can only remind; with a VPN gateway,
    /// the documented setup lists `168.63.129.16` among the VNet's DNS servers.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "addressSpace": { "addressPrefixes": ["10.20.0.0/16"] },
    ///     "dhcpOptions": { "dnsServers": ["10.0.0.4"] },
    ///     "subnets": [{ "name": "GatewaySubnet", "properties": { "addressPrefix": "10.20.255.0/27" } }]
    ///   }
    /// }
    /// ```
    /// (with a VPN gateway in `GatewaySubnet` and the workspace private endpoint in this VNet)
    ///
    /// Use instead: forward `api.azureml.ms`, `notebooks.azure.net`, `instances.azureml.ms`,
    /// `aznbcontent.net` and `inference.ml.azure.com` to `168.63.129.16` from a DNS server whose
    /// VNet is linked to the AML zones, and list Azure DNS after it for VPN clients.
    /// ```json
    /// {
    ///   "dhcpOptions": { "dnsServers": ["10.0.0.4", "168.63.129.16"] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    /// - [Plan for network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct CustomDnsWithoutAzureDns;
    code: "AML-DNS-011",
    name: "custom-dns-without-azure-dns",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "VNets with custom DNS that must resolve a private workspace forward its zones to Azure DNS.",
}

/// The Azure-provided DNS address.
const AZURE_DNS: &str = "168.63.129.16";

impl Rule for CustomDnsWithoutAzureDns {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = ctx.graph();
        let Some(zones) = aml_zones(&sets) else {
            return;
        };
        let forwarders = aml_forwarders(sets.cloud())
            .iter()
            .map(|z| format!("'{z}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut reported: HashSet<String> = HashSet::new();
        for (workspace, view) in hub_workspaces(&sets) {
            match sets.workspace_private_endpoints(workspace).non_empty() {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            let (vnets, _) = needing_vnets(&sets, workspace);
            for needing in vnets {
                if needing.certainty != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                let custom = sets.custom_dns(&needing.vnet);
                match custom.value {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                }
                let key = needing.vnet.to_string().to_ascii_lowercase();
                if !reported.insert(key) {
                    continue;
                }
                let Some(vnet) = graph
                    .find(&needing.vnet)
                    .and_then(|n| resource_of(&sets, n))
                else {
                    continue;
                };
                let vnet_name = id_name(&needing.vnet);
                let mut message = format!(
                    "VNet '{vnet_name}' uses custom DNS; forward {forwarders} to {AZURE_DNS} from a DNS server whose VNet is linked to '{}' and '{}'.",
                    zones.api, zones.notebooks
                );
                let mut severity = Severity::Note;
                let mut finding_path = "properties.dhcpOptions.dnsServers";
                let gateway = vpn_gateway_without_azure_dns(&sets, vnet, &needing.vnet);
                match &gateway {
                    VpnCase::Missing(gateway) => {
                        severity = Severity::Warning;
                        message.push_str(&format!(
                            " VPN gateway '{}' serves this VNet and {AZURE_DNS} is not among its DNS servers.",
                            gateway.display_name()
                        ));
                    }
                    VpnCase::Undecided => ctx.indeterminate(),
                    VpnCase::NotApplicable => {}
                }
                if !matches!(
                    VirtualNetwork::of(vnet).map(|v| v.dns_servers()),
                    Some(Setting::Set(servers)) if !servers.is_empty()
                ) {
                    // Custom DNS through a forwarding ruleset link: point at the VNet.
                    finding_path = "";
                }
                let mut finding = Finding::new(vnet, finding_path, message)
                    .label(format!("custom DNS for this {} VNet", needing.role.as_str()))
                    .help(format!(
                        "conditionally forward the AML public zones to {AZURE_DNS} and link '{}' and '{}' to the DNS server's VNet{}",
                        zones.api,
                        zones.notebooks,
                        if severity == Severity::Warning {
                            format!("; add {AZURE_DNS} to dnsServers for the VPN gateway")
                        } else {
                            String::new()
                        }
                    ))
                    .severity(severity);
                for node in &custom.because {
                    if let Some(cause) = resource_of(&sets, *node)
                        && cause.index != vnet.index
                    {
                        finding =
                            finding.related(cause, "", "links the VNet to a forwarding ruleset");
                    }
                }
                if let VpnCase::Missing(gateway) = gateway {
                    finding = finding.related(gateway, "", "VPN gateway");
                }
                if let Some(holder) = resource_of(&sets, needing.holder) {
                    finding = finding.related(
                        holder,
                        "",
                        format!("{} in that VNet", needing.role.as_str()),
                    );
                }
                ctx.report(finding.related(view.resource(), "", "workspace"));
            }
        }
    }
}

/// Whether the VPN case of the rule applies to a VNet with custom DNS.
enum VpnCase<'g> {
    /// DNS servers without `168.63.129.16`, and this VPN gateway in the VNet or reached through a
    /// peering with `useRemoteGateways`.
    Missing(&'g Resource),
    /// A value it depends on is known only at deployment.
    Undecided,
    /// No VPN gateway, no DNS servers, or `168.63.129.16` among them.
    NotApplicable,
}

fn vpn_gateway_without_azure_dns<'g>(
    sets: &DerivedSets<'g>,
    vnet: &'g Resource,
    vnet_id: &ResourceId,
) -> VpnCase<'g> {
    let servers = match VirtualNetwork::of(vnet).map(|v| v.dns_servers()) {
        Some(Setting::Set(servers)) => servers,
        Some(Setting::Unknown(_)) => return VpnCase::Undecided,
        _ => return VpnCase::NotApplicable,
    };
    let has_azure_dns = Tri::any(servers.iter().map(|s| s.test(|s| s.trim() == AZURE_DNS)));
    match has_azure_dns {
        Tri::True => return VpnCase::NotApplicable,
        Tri::Unknown => return VpnCase::Undecided,
        Tri::False => {}
    }
    // The gateway's VNet: this one, or the remote of a peering that uses remote gateways.
    let mut gateway_vnets = vec![vnet_id.clone()];
    let graph = sets.graph();
    if let Some(node) = graph.node_of(vnet.index) {
        for relation in graph.incoming(node, EdgeKind::Parent) {
            let Some(peering) = resource_of(sets, relation.from).and_then(Peering::of) else {
                continue;
            };
            if peering.use_remote_gateways().is(&true) == Tri::True
                && let Setting::Set(remote) = peering.remote_virtual_network_id()
                && let Ok(remote) = ResourceId::parse(remote)
            {
                gateway_vnets.push(remote);
            }
        }
    }
    let mut undecided = false;
    for gateway in graph
        .resources()
        .of_type("Microsoft.Network/virtualNetworkGateways")
        .filter(|g| g.state.deployed() != Tri::False)
    {
        let is_vpn = gateway.get("properties.gatewayType").eq_ignore_case("Vpn");
        let subnets = gateway
            .get("properties.ipConfigurations")
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(|config| {
                crate::model::read(config, "properties.subnet.id")
                    .as_str()
                    .and_then(|id| ResourceId::parse(id).ok())
                    .and_then(|subnet| vnet_of_subnet(&subnet))
            })
            .collect::<Vec<_>>();
        let in_vnet = Tri::any(subnets.iter().map(|v| match v {
            Some(v) => Tri::any(gateway_vnets.iter().map(|g| g.matches(v))),
            None => Tri::Unknown,
        }));
        match is_vpn.and(in_vnet).and(gateway.state.deployed()) {
            Tri::True => return VpnCase::Missing(gateway),
            Tri::Unknown => undecided = true,
            Tri::False => {}
        }
    }
    if undecided {
        VpnCase::Undecided
    } else {
        VpnCase::NotApplicable
    }
}
