use super::dns_support::{a_records, written, zone_groups_of};
use crate::codes::Severity;
use crate::graph::{DerivedSets, valid_group_ids, vnet_of_subnet};
use crate::model::kinds::{PrivateDnsZone, PrivateEndpoint, Setting};
use crate::model::{DeploymentState, Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Reports a private endpoint to a workspace or one of its dependencies (storage, key vault,
    /// registry, …) that has no DNS integration in the template: no private DNS zone group, no
    /// zone of its service linked to its VNet with records in it, and no custom DNS server on its
    /// VNet. This is the one finding for an endpoint whose DNS the template does not manage; the
    /// DNS rules that conclude from missing zones, links or records stay silent for it.
    ///
    /// ## Why is this bad?
    /// Clients resolve the service's public name. Without a private DNS zone that maps it to the
    /// endpoint's address, they get the public address and either go over the internet or, for a
    /// service closed to the public, fail. Central zones, a `Deploy-Private-DNS-Zones` policy or a
    /// DNS forwarder may provide the records outside the template, hence a warning (an info when
    /// the VNet is outside the template); declare the external zones to the analyzer to check
    /// them.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-pe')]" },
    ///     "privateLinkServiceConnections": [ { "name": "amlworkspace", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw')]", "groupIds": [ "amlworkspace" ] } } ]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: add a zone group that references the service's zones.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw/default",
    ///   "properties": { "privateDnsZoneConfigs": [
    ///     { "name": "api", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.api.azureml.ms')]" } },
    ///     { "name": "notebooks", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.notebooks.azure.net')]" } }
    ///   ] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Azure Private Endpoint DNS integration](https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration)
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    pub struct PrivateEndpointWithoutDns;
    code: "AML-PE-005",
    name: "private-endpoint-without-dns",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A private endpoint of a workspace or a dependency has private DNS integration.",
}

impl Rule for PrivateEndpointWithoutDns {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = ctx.graph();
        for resource in ctx
            .resources()
            .of_type("Microsoft.Network/privateEndpoints")
        {
            match written(resource) {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            let Some(endpoint) = PrivateEndpoint::of(resource) else {
                continue;
            };
            let Some(node) = graph.node_of(resource.index) else {
                continue;
            };
            let Some((target, group_id)) = dns_target(&sets, &endpoint) else {
                continue;
            };
            match Tri::any(zone_groups_of(&sets, node).into_iter().map(|(_, c)| c)) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let vnet = match endpoint.subnet_id() {
                Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text)
                    .ok()
                    .and_then(|s| vnet_of_subnet(&s)),
                _ => None,
            };
            let Some(vnet) = vnet else {
                ctx.indeterminate();
                continue;
            };
            let severity = match sets.custom_dns(&vnet).value {
                Tri::True => continue,
                Tri::Unknown => Severity::Note,
                Tri::False => Severity::Warning,
            };
            match linked_zone_with_records(&sets, &vnet, &group_id) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let service = target.last_name().and_then(|s| s.as_known()).map_or_else(
                || target.full_type(),
                |name| format!("'{name}' ({group_id})"),
            );
            let vnet_name = vnet
                .last_name()
                .and_then(|s| s.as_known())
                .unwrap_or("(name unknown)")
                .to_owned();
            let mut finding = Finding::new(
                resource,
                "",
                format!(
                    "Private endpoint '{}' has no private DNS integration in this template; unless central zones, a DNS policy or custom DNS provide it, clients resolve {service} to its public address. Declare the external zones to the analyzer to check them.",
                    resource.display_name()
                ),
            )
            .label("no privateDnsZoneGroups child, no linked zone with its records")
            .help(format!(
                "add a privateDnsZoneGroups child referencing {}, or declare the central zones (and the policy that adds the zone group) to the analyzer",
                sets.zones(&group_id)
                    .required
                    .iter()
                    .map(|z| format!("'{z}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .severity(severity);
            if let Some(vnet_resource) = graph
                .find(&vnet)
                .and_then(|n| graph.node(n))
                .and_then(|n| n.resource())
            {
                finding = finding.related(
                    vnet_resource,
                    "",
                    format!("VNet '{vnet_name}' resolves with Azure DNS"),
                );
            }
            ctx.report(finding);
        }
    }
}

/// The endpoint's target and group id, when the target is a type of §3.2 whose group id has
/// zones in the cloud (§3.1).
fn dns_target(
    sets: &DerivedSets<'_>,
    endpoint: &PrivateEndpoint<'_>,
) -> Option<(ResourceId, String)> {
    let connections = endpoint.connections().known()?;
    connections.into_iter().find_map(|connection| {
        let target = ResourceId::parse(connection.target.known()?).ok()?;
        let valid = valid_group_ids(&target.full_type())?;
        // A group id the target does not offer is AML-PE-001's finding, not a DNS question.
        let group_id = connection
            .group_ids
            .known()?
            .into_iter()
            .filter_map(|g| g.known())
            .find(|g| valid.iter().any(|v| v.eq_ignore_ascii_case(g)))?
            .to_owned();
        (!sets.zones(&group_id).is_empty()).then_some((target, group_id))
    })
}

/// Whether a zone of the group id's zones, written here, is linked to `vnet` and holds records.
fn linked_zone_with_records(sets: &DerivedSets<'_>, vnet: &ResourceId, group_id: &str) -> Tri {
    let wanted = sets.zones(group_id);
    let graph = sets.graph();
    Tri::any(
        graph
            .resources()
            .of_type("Microsoft.Network/privateDnsZones")
            .filter(|zone| zone.state != DeploymentState::Skipped)
            .filter_map(|zone: &Resource| {
                let named = PrivateDnsZone::of(zone)?
                    .zone_name()
                    .test(|n| wanted.names(n));
                let node = graph.node_of(zone.index)?;
                let records = Tri::any(
                    a_records(sets, zone)
                        .into_iter()
                        .map(|(record, _)| written(record)),
                );
                Some(named.and(sets.linked(node, vnet).value).and(records))
            }),
    )
}
