use super::dns_support::{
    RecordKind, aml_zones, declared_zones, has_record, managed_workspace_endpoints,
    workspace_region, written, zone_group_covers,
};
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that AML private DNS zones whose records the template manages by hand (no private
    /// DNS zone group on the workspace private endpoint covers the zone) hold the records of the
    /// workspace: `<guid>.workspace.<region>` and `<guid>.workspace.<region>.cert` in the API
    /// zone, `ml-<name>-<region>-<guid>.<region>` (or the older form without the last
    /// `.<region>`) in the notebooks zone.
    ///
    /// ## Why is this bad?
    /// Without a zone group nothing writes these records. A zone that lacks one answers NXDOMAIN
    /// for that name in every linked VNet: the workspace API, its certificate endpoint or its
    /// notebooks cannot be reached privately.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/A",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "[format('privatelink.api.azureml.ms/{0}.workspace.{1}', parameters('workspaceGuid'), parameters('location'))]",
    ///   "properties": { "ttl": 10, "aRecords": [ { "ipv4Address": "10.0.1.4" } ] }
    /// }
    /// ```
    /// (the API zone's only record: the certificate record is missing)
    ///
    /// Use instead: add the certificate record, or let a zone group maintain the records.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/A",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "[format('privatelink.api.azureml.ms/{0}.workspace.{1}.cert', parameters('workspaceGuid'), parameters('location'))]",
    ///   "properties": { "ttl": 10, "aRecords": [ { "ipv4Address": "10.0.1.4" } ] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct MissingWorkspaceDnsRecord;
    code: "AML-DNS-004",
    name: "missing-workspace-dns-record",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Manually managed AML zones hold the workspace API, certificate and notebook records.",
}

impl Rule for MissingWorkspaceDnsRecord {
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
            let Some(region) = workspace_region(workspace_resource) else {
                ctx.indeterminate();
                continue;
            };
            for (zone_name, kinds) in [
                (
                    zones.api,
                    &[RecordKind::Workspace, RecordKind::Certificate][..],
                ),
                (zones.notebooks, &[RecordKind::Notebooks][..]),
            ] {
                match zone_group_covers(&sets, &endpoints, zone_name) {
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => {}
                }
                for (_, zone, is_named) in declared_zones(&sets, zone_name) {
                    // Records of a zone deployed elsewhere are invisible.
                    match written(zone).and(is_named) {
                        Tri::True => {}
                        Tri::Unknown => {
                            ctx.indeterminate();
                            continue;
                        }
                        Tri::False => continue,
                    }
                    for kind in kinds {
                        match has_record(&sets, zone, *kind, &region) {
                            Tri::True => continue,
                            Tri::Unknown => {
                                ctx.indeterminate();
                                continue;
                            }
                            Tri::False => {}
                        }
                        let pattern = kind.pattern(&region);
                        ctx.report(
                            Finding::new(
                                zone,
                                "name",
                                format!(
                                    "Zone '{zone_name}' has no record for '{pattern}' of workspace '{}' and no zone group maintains it.",
                                    workspace_resource.display_name()
                                ),
                            )
                            .label(format!("no '{pattern}' record"))
                            .help(format!(
                                "add a privateDnsZoneGroups child to the workspace private endpoint referencing '{zone_name}', or add the A record set '{pattern}' pointing at the endpoint's private IP"
                            ))
                            .related(workspace_resource, "", "workspace"),
                        );
                    }
                }
            }
        }
    }
}
