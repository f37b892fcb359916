use super::dns_support::{aml_zones, managed_workspace_endpoints, needing_vnets, zone_exists};
use crate::codes::Severity;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace with a private endpoint has both AML private DNS zones
    /// (`privatelink.api.azureml.ms` and `privatelink.notebooks.azure.net`, or their equivalents
    /// in Azure China and Azure Government), deployed by the template or referenced by a zone
    /// group, whenever the template manages the endpoint's DNS.
    ///
    /// ## Why is this bad?
    /// The workspace's API, certificate and online-endpoint names resolve to the private endpoint
    /// only through the API zone, and the notebooks name only through the notebooks zone. Without
    /// the API zone, clients in the VNet reach the workspace over its public name, which a private
    /// workspace refuses (error); without the notebooks zone, the studio's notebooks fail
    /// (warning). Templates that leave DNS entirely to central zones or a policy are not judged
    /// here (AML-PE-005 reports them once per endpoint).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms",
    ///   "location": "global"
    /// }
    /// ```
    /// (the only zone of a template whose workspace has a private endpoint)
    ///
    /// Use instead:
    /// ```json
    /// [
    ///   { "type": "Microsoft.Network/privateDnsZones", "apiVersion": "2020-06-01", "name": "privatelink.api.azureml.ms", "location": "global" },
    ///   { "type": "Microsoft.Network/privateDnsZones", "apiVersion": "2020-06-01", "name": "privatelink.notebooks.azure.net", "location": "global" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    /// - [Azure Private Endpoint private DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    pub struct MissingAmlPrivateDnsZone;
    code: "AML-DNS-001",
    name: "missing-aml-private-dns-zone",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A workspace with a private endpoint has both AML private DNS zones.",
}

impl Rule for MissingAmlPrivateDnsZone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let Some(zones) = aml_zones(&sets) else {
            return;
        };
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = sets.graph().node(workspace).and_then(|n| n.resource())
            else {
                continue;
            };
            let Some(endpoints) = managed_workspace_endpoints(ctx, &sets, workspace) else {
                continue;
            };
            // Custom DNS on every VNet that needs the workspace moves resolution elsewhere.
            let (vnets, _) = needing_vnets(&sets, workspace);
            let azure_dns = Tri::any(
                vnets
                    .iter()
                    .map(|v| v.certainty.and(!sets.custom_dns(&v.vnet).value)),
            );
            match azure_dns {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            let Some(endpoint) = endpoints
                .iter()
                .find(|(_, certainty)| certainty.is_true())
                .and_then(|(node, _)| sets.graph().node(*node))
                .and_then(|n| n.resource())
            else {
                ctx.indeterminate();
                continue;
            };
            for (zone, severity, role) in [
                (
                    zones.api,
                    Severity::Error,
                    "workspace API, certificate and online-endpoint",
                ),
                (zones.notebooks, Severity::Warning, "notebooks"),
            ] {
                match zone_exists(&sets, zone) {
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => {}
                }
                ctx.report(
                    Finding::new(
                        endpoint,
                        "",
                        format!(
                            "Workspace '{}' has a private endpoint but zone '{zone}' is not deployed or declared.",
                            workspace_resource.display_name()
                        ),
                    )
                    .label(format!("its {role} names need zone '{zone}'"))
                    .help(format!(
                        "deploy the private DNS zone '{zone}' (location global), link it to the VNets that use the workspace and reference it from the endpoint's privateDnsZoneGroups child, or declare the existing zone to the analyzer"
                    ))
                    .severity(severity)
                    .related(workspace_resource, "", "workspace"),
                );
            }
        }
    }
}
