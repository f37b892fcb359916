use super::dns_support::{
    a_records, id_name, needing_vnets, same_name, written, written_links, zone_group_covers,
};
use super::pe_support::endpoints_with_group;
use super::support::{hub_workspaces, resource_of};
use crate::graph::DerivedSets;
use crate::model::kinds::{PrivateDnsZone, Setting};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks each regional container registry data-endpoint zone the template deploys
    /// (`<region>.data.privatelink.azurecr.io`, `.azurecr.us` / `.azurecr.cn` in the sovereign
    /// clouds): when it is linked to a VNet that needs a workspace, or to a VNet holding a
    /// registry private endpoint, the zone group of a `registry` endpoint in one of its linked
    /// VNets must reference it. A data zone whose `A` records the template writes itself is
    /// managed by hand and not reported.
    ///
    /// ## Why is this bad?
    /// A lookup of `<registry>.<region>.data.azurecr.io` in a linked VNet is answered by the most
    /// specific linked zone, the data zone. A zone group that references only
    /// `privatelink.azurecr.io` writes the data-endpoint record there, so the data zone has no
    /// record and image pulls fail to resolve (or resolve publicly with `NxDomainRedirect`).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-cr/default",
    ///   "properties": { "privateDnsZoneConfigs": [
    ///     { "name": "acr", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.azurecr.io')]" } }
    ///   ] }
    /// }
    /// ```
    /// (while `westeurope.data.privatelink.azurecr.io` is deployed and linked to the compute VNet)
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-cr/default",
    ///   "properties": { "privateDnsZoneConfigs": [
    ///     { "name": "acr", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.azurecr.io')]" } },
    ///     { "name": "acr-data", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'westeurope.data.privatelink.azurecr.io')]" } }
    ///   ] }
    /// }
    /// ```
    /// or delete the data zone and keep `privatelink.azurecr.io` only.
    ///
    /// ## References
    /// - [Azure Private Endpoint private DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    /// - [Azure Private DNS zone resolution](https://learn.microsoft.com/azure/dns/private-dns-overview)
    pub struct UnwrittenRegistryDataZone;
    code: "AML-DNS-013",
    name: "unwritten-registry-data-zone",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A linked registry data-endpoint zone is written by a registry endpoint's zone group.",
}

/// The group id of a container registry private endpoint.
const REGISTRY_GROUP: &str = "registry";

/// Whether a zone name is a regional registry data-endpoint zone of any cloud.
fn is_registry_data_zone(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    let Some((region, rest)) = name.split_once('.') else {
        return false;
    };
    !region.is_empty()
        && [
            "data.privatelink.azurecr.io",
            "data.privatelink.azurecr.us",
            "data.privatelink.azurecr.cn",
        ]
        .iter()
        .any(|suffix| same_name(rest, suffix))
}

impl Rule for UnwrittenRegistryDataZone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = ctx.graph();
        let registry_endpoints = endpoints_with_group(&sets, REGISTRY_GROUP);
        let needing = needing_vnet_ids(&sets);
        let links = written_links(&sets);
        for zone in ctx.resources().of_type("Microsoft.Network/privateDnsZones") {
            let Some(view) = PrivateDnsZone::of(zone) else {
                continue;
            };
            let name = match view.zone_name() {
                Setting::Set(name) | Setting::Default(name) => name,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Absent => continue,
            };
            if !is_registry_data_zone(name) {
                continue;
            }
            match written(zone) {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                // A zone deployed elsewhere: its links are invisible.
                Tri::False => continue,
            }
            let (Some(zone_node), Some(zone_id)) = (graph.node_of(zone.index), zone.id.as_ref())
            else {
                continue;
            };
            // Records the template writes by hand answer the lookups: the zone is not empty.
            match Tri::any(
                a_records(&sets, zone)
                    .into_iter()
                    .map(|(record, _)| written(record)),
            ) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            // The registry endpoints whose VNet resolves through this zone: only their zone
            // groups can write the data-endpoint record into it.
            let writers: Vec<_> = registry_endpoints
                .iter()
                .filter_map(|endpoint| {
                    let vnet = endpoint.vnet()?;
                    let linked = sets.linked(zone_node, &vnet).value;
                    let node = graph.node_of(endpoint.resource.index)?;
                    Some((node, endpoint.certainty.and(linked)))
                })
                .filter(|(_, certainty)| *certainty != Tri::False)
                .collect();
            match zone_group_covers(&sets, &writers, name) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            for (link, link_view) in &links {
                let in_zone = link
                    .id
                    .as_ref()
                    .map_or(Tri::Unknown, |id| id.is_child_of(zone_id));
                let vnet = match link_view.virtual_network_id() {
                    Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text).ok(),
                    _ => None,
                };
                if in_zone == Tri::False {
                    continue;
                }
                let Some(vnet) =
                    vnet.filter(|_| in_zone == Tri::True && written(link) == Tri::True)
                else {
                    ctx.indeterminate();
                    continue;
                };
                let holds_registry_endpoint = Tri::any(registry_endpoints.iter().map(|e| {
                    e.vnet()
                        .map_or(Tri::Unknown, |v| e.certainty.and(v.matches(&vnet)))
                }));
                let needs_workspace = Tri::any(needing.iter().map(|v| v.matches(&vnet)));
                match holds_registry_endpoint.or(needs_workspace) {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                }
                let vnet_name = id_name(&vnet);
                let mut finding = Finding::new(
                    link,
                    "properties.virtualNetwork.id",
                    format!(
                        "Zone '{name}' is linked to VNet '{vnet_name}' but no registry endpoint's zone group writes into it; the registry's data endpoint does not resolve there."
                    ),
                )
                .label(format!("links '{name}' to VNet '{vnet_name}'"))
                .help(format!(
                    "reference '{name}' from the zone group of the registry's private endpoint, or delete the zone and keep the registry's main zone only"
                ))
                .related(zone, "name", "data-endpoint zone without records");
                for endpoint in &registry_endpoints {
                    finding = finding.related(
                        endpoint.resource,
                        "",
                        "registry endpoint whose zone group does not reference the data zone",
                    );
                }
                if let Some(vnet_resource) = graph.find(&vnet).and_then(|n| resource_of(&sets, n)) {
                    finding = finding.related(vnet_resource, "", "linked VNet");
                }
                ctx.report(finding);
            }
        }
    }
}

/// The VNets that certainly need some workspace of the template (`R(w)`, §4.5).
fn needing_vnet_ids(sets: &DerivedSets<'_>) -> Vec<ResourceId> {
    hub_workspaces(sets)
        .into_iter()
        .flat_map(|(workspace, _)| needing_vnets(sets, workspace).0)
        .filter(|v| v.certainty == Tri::True)
        .map(|v| v.vnet)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_registry_data_zone;

    #[test]
    fn only_regional_data_zones_match() {
        assert!(is_registry_data_zone(
            "westeurope.data.privatelink.azurecr.io"
        ));
        assert!(is_registry_data_zone(
            "USGovVirginia.data.privatelink.azurecr.us"
        ));
        assert!(!is_registry_data_zone("privatelink.azurecr.io"));
        assert!(!is_registry_data_zone("westeurope.privatelink.azurecr.io"));
        assert!(!is_registry_data_zone(".data.privatelink.azurecr.io"));
    }
}
