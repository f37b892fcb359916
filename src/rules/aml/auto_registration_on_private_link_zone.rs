use super::dns_support::{id_name, written_links};
use crate::codes::Severity;
use crate::graph::private_link_zone;
use crate::model::kinds::Setting;
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks the virtual network links of private DNS zones for `registrationEnabled: true`:
    /// on a private-link zone (the zones of the private endpoint DNS table, such as
    /// `privatelink.api.azureml.ms` or `privatelink.blob.core.windows.net`) it is a warning; a
    /// VNet that gets two auto-registration links is an error.
    ///
    /// ## Why is this bad?
    /// With auto-registration on, every VM of the linked VNet writes its own `A` record into the
    /// zone. A private-link zone holds the records of private endpoints only: VM records mix with
    /// them and can shadow or collide with endpoint names, and Microsoft creates these links with
    /// registration disabled. A VNet can also register into one zone only: a second
    /// auto-registration link is rejected.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-ml",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": true, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-ml')]" } }
    /// }
    /// ```
    ///
    /// Use instead:
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
    /// ## References
    /// - [Configure a private endpoint for an Azure Machine Learning workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Azure Private DNS limits](https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#private-dns-limits)
    /// - [What is the auto-registration feature in Azure DNS private zones?](https://learn.microsoft.com/azure/dns/private-dns-autoregistration)
    pub struct AutoRegistrationOnPrivateLinkZone;
    code: "AML-DNS-008",
    name: "auto-registration-on-private-link-zone",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Virtual network links of private-link zones keep VM auto-registration off.",
}

impl Rule for AutoRegistrationOnPrivateLinkZone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // Links that definitely register, in document order, with their VNet: a later one on
        // the same VNet is the one ARM rejects.
        let mut registering: Vec<(ResourceId, String)> = Vec::new();
        for (link, view) in written_links(&sets) {
            let registers = view
                .registration_enabled()
                .is(&true)
                .and(link.state.deployed());
            match registers {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let zone = match view.zone_name() {
                Setting::Set(zone) | Setting::Default(zone) => Some(zone),
                _ => None,
            };
            let vnet = view
                .virtual_network_id()
                .known()
                .and_then(|id| ResourceId::parse(id).ok());
            let earlier = vnet.as_ref().and_then(|vnet| {
                registering
                    .iter()
                    .find(|(other, _)| other.matches(vnet) == Tri::True)
                    .map(|(_, zone)| zone.clone())
            });
            let is_private_link = zone.map(|z| private_link_zone(sets.cloud(), z));
            if earlier.is_none() && is_private_link.is_none() {
                ctx.indeterminate();
            }
            if let (Some(vnet), Some(zone)) = (vnet.as_ref(), zone) {
                if vnet.has_unknown() {
                    ctx.indeterminate();
                } else {
                    registering.push((vnet.clone(), zone.to_owned()));
                }
            }
            if earlier.is_none() && is_private_link != Some(true) {
                continue;
            }
            let zone_text = zone.unwrap_or("(name unknown)");
            let vnet_name = vnet
                .as_ref()
                .map_or_else(|| "(unknown)".to_owned(), id_name);
            let (suffix, severity) = match &earlier {
                Some(other) => (
                    format!("; VNet '{vnet_name}' already registers into '{other}'"),
                    Severity::Error,
                ),
                None => (String::new(), Severity::Warning),
            };
            let mut finding = Finding::new(
                link,
                "properties.registrationEnabled",
                format!(
                    "Link '{}' enables VM auto-registration into '{zone_text}'{suffix}.",
                    link.display_name()
                ),
            )
            .label(if earlier.is_some() {
                "second auto-registration link of the VNet"
            } else {
                "auto-registration on a private-link zone"
            })
            .help(if earlier.is_some() {
                "a VNet registers into one zone only; set `\"registrationEnabled\": false` on this link"
            } else {
                "set `\"registrationEnabled\": false`: private-link zones hold private endpoint records only"
            })
            .severity(severity);
            let graph = sets.graph();
            if let Some(vnet_resource) = vnet
                .as_ref()
                .and_then(|v| graph.find(v))
                .and_then(|n| graph.node(n))
                .and_then(|n| n.resource())
            {
                finding = finding.related(vnet_resource, "", "linked VNet");
            }
            ctx.report(finding);
        }
    }
}
