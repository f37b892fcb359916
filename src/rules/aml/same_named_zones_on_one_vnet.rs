use super::dns_support::{id_name, same_name, written, written_links};
use crate::model::kinds::{PrivateDnsZone, Setting};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that no VNet is linked to two distinct private DNS zones with the same name (for
    /// example one `privatelink.blob.core.windows.net` in a hub resource group and another in the
    /// workload's resource group).
    ///
    /// ## Why is this bad?
    /// A VNet cannot be linked to several zones with overlapping namespaces: the second link is
    /// rejected, and where it is not, which zone answers is undefined. Private endpoint records are
    /// then split between the zones and some names resolve to public addresses.
    ///
    /// ## Example
    /// Two deployments each create `privatelink.api.azureml.ms` (one in `rg-hub-dns`, one in the
    /// workload's resource group) and both link it to `vnet-ml`.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-ml",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": false, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-ml')]" } }
    /// }
    /// ```
    ///
    /// Use instead: keep one central zone per name, link every VNet to it, and let the endpoints'
    /// zone groups reference it by id.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw/default",
    ///   "properties": { "privateDnsZoneConfigs": [ { "name": "api", "properties": { "privateDnsZoneId": "[resourceId('rg-hub-dns', 'Microsoft.Network/privateDnsZones', 'privatelink.api.azureml.ms')]" } } ] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Azure Private Endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)
    /// - [Private Link FAQ](https://learn.microsoft.com/azure/private-link/private-link-faq)
    /// - [Troubleshoot private DNS zones: overlapping namespaces](https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links)
    pub struct SameNamedZonesOnOneVnet;
    code: "AML-DNS-009",
    name: "same-named-zones-on-one-vnet",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A VNet is linked to at most one private DNS zone of each name.",
}

impl Rule for SameNamedZonesOnOneVnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = sets.graph();
        // Zones the deployment writes, with their id and name; the links of other zones are
        // invisible, so they cannot show a second link.
        let zones: Vec<(&Resource, &ResourceId, &str)> = graph
            .resources()
            .of_type("Microsoft.Network/privateDnsZones")
            .filter(|zone| written(zone) != Tri::False)
            .filter_map(|zone| {
                let name = match PrivateDnsZone::of(zone)?.zone_name() {
                    Setting::Set(name) | Setting::Default(name) => name,
                    _ => {
                        ctx.indeterminate();
                        return None;
                    }
                };
                Some((zone, zone.id.as_ref()?, name))
            })
            .collect();
        let links = written_links(&sets);
        for (second_index, (second, second_id, name)) in zones.iter().enumerate() {
            for (first, first_id, _) in zones[..second_index]
                .iter()
                .filter(|(_, _, other)| same_name(other, name))
            {
                match first_id.matches(second_id) {
                    Tri::False => {}
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                }
                let Some(second_node) = graph.node_of(second.index) else {
                    continue;
                };
                let mut reported: Vec<ResourceId> = Vec::new();
                for (link, view) in &links {
                    let in_first = link
                        .id
                        .as_ref()
                        .map_or(Tri::Unknown, |id| id.is_child_of(first_id));
                    let vnet = view
                        .virtual_network_id()
                        .known()
                        .and_then(|id| ResourceId::parse(id).ok());
                    let Some(vnet) = vnet else {
                        if in_first != Tri::False {
                            ctx.indeterminate();
                        }
                        continue;
                    };
                    if reported.iter().any(|v| v.matches(&vnet) == Tri::True) {
                        continue;
                    }
                    let both = in_first
                        .and(written(link))
                        .and(written(first))
                        .and(written(second))
                        .and(sets.linked(second_node, &vnet).value);
                    match both {
                        Tri::False => continue,
                        Tri::Unknown => {
                            ctx.indeterminate();
                            continue;
                        }
                        Tri::True => {}
                    }
                    let mut finding = Finding::new(
                        second,
                        "name",
                        format!(
                            "VNet '{}' is linked to two zones named '{name}' ({first_id}, {second_id}).",
                            id_name(&vnet)
                        ),
                    )
                    .label("second zone of this name on the VNet")
                    .help("keep one central zone per name and link every VNet to it")
                    .related(first, "name", "zone of the same name")
                    .related(link, "properties.virtualNetwork.id", "its link to the VNet");
                    if let Some(vnet_resource) = graph
                        .find(&vnet)
                        .and_then(|n| graph.node(n))
                        .and_then(|n| n.resource())
                    {
                        finding = finding.related(vnet_resource, "", "VNet");
                    }
                    ctx.report(finding);
                    reported.push(vnet);
                }
            }
        }
    }
}
