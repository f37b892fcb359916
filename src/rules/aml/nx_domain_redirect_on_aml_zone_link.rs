use super::dns_support::{aml_zones, same_name, written_links};
use crate::model::Tri;
use crate::model::kinds::ResolutionPolicy;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Notes virtual network links of the AML private DNS zones (`privatelink.api.azureml.ms`,
    /// `privatelink.notebooks.azure.net` and their sovereign-cloud equivalents) whose
    /// `resolutionPolicy` is `NxDomainRedirect`.
    ///
    /// ## Why is this bad?
    /// It is not wrong in itself. With `NxDomainRedirect`, a name missing from the zone is
    /// resolved publicly instead of failing with NXDOMAIN. Gaps in the workspace's records
    /// (AML-DNS-004, AML-DNS-005) then show up at run time as traffic to the public endpoint of
    /// the workspace, or as failures of a private workspace, rather than as clear resolution
    /// errors.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2024-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-ml",
    ///   "location": "global",
    ///   "properties": {
    ///     "registrationEnabled": false,
    ///     "resolutionPolicy": "NxDomainRedirect",
    ///     "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-ml')]" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: keep the fallback if it is deliberate and keep the zone's records complete, or
    /// use the default policy.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2024-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-ml",
    ///   "location": "global",
    ///   "properties": {
    ///     "registrationEnabled": false,
    ///     "resolutionPolicy": "Default",
    ///     "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-ml')]" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Virtual network links: template reference (`resolutionPolicy`)](https://learn.microsoft.com/azure/templates/microsoft.network/2024-06-01/privatednszones/virtualnetworklinks)
    /// - [Fallback to internet for Azure Private DNS zones](https://learn.microsoft.com/azure/dns/private-dns-fallback)
    pub struct NxDomainRedirectOnAmlZoneLink;
    code: "AML-DNS-010",
    name: "nx-domain-redirect-on-aml-zone-link",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "NxDomainRedirect on a link of an AML private DNS zone is noted.",
}

impl Rule for NxDomainRedirectOnAmlZoneLink {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let Some(zones) = aml_zones(&sets) else {
            return;
        };
        for (link, view) in written_links(&sets) {
            let aml_zone = view
                .zone_name()
                .test(|z| same_name(z, zones.api) || same_name(z, zones.notebooks));
            let redirects = view
                .resolution_policy()
                .is(&ResolutionPolicy::NxDomainRedirect);
            match aml_zone.and(redirects).and(link.state.deployed()) {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => {
                    let zone = view.zone_name().known().unwrap_or("(name unknown)");
                    ctx.report(
                    Finding::new(
                        link,
                        "properties.resolutionPolicy",
                        format!(
                            "Link '{}' falls back to public resolution for missing records; DNS gaps (AML-DNS-004/005) will show up as public traffic or failures at run time instead of NXDOMAIN.",
                            link.display_name()
                        ),
                    )
                    .label(format!("public fallback on AML zone '{zone}'"))
                    .help("nothing to change if deliberate; keep the workspace's records complete"),
                    )
                }
            }
        }
    }
}
