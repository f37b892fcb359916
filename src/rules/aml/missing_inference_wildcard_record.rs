use super::dns_support::{
    RecordKind, aml_zones, declared_zones, has_record, managed_online_endpoints,
    managed_workspace_endpoints, workspace_region, written, zone_group_covers,
};
use crate::codes::Severity;
use crate::graph::NodeId;
use crate::model::Tri;
use crate::model::kinds::{Access, OnlineEndpoint};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the private API zone of a workspace with managed online endpoints holds the
    /// wildcard record `*.<workspace-guid>.inference.<region>` when the template manages that
    /// zone's records by hand (no private DNS zone group on the workspace private endpoint).
    ///
    /// ## Why is this bad?
    /// A managed online endpoint's scoring host `<endpoint>.<region>.inference.ml.azure.com` is a
    /// CNAME to `<endpoint>.<guid>.inference.<region>.privatelink.api.azureml.ms`. Only a zone
    /// group on the workspace private endpoint writes the matching wildcard record by itself;
    /// with manually managed records, a zone that lacks it answers NXDOMAIN for every endpoint of
    /// the workspace. When an endpoint has `publicNetworkAccess: Disabled` the private path is
    /// the only one, so scoring fails (error); otherwise clients silently fall back to public
    /// resolution or fail (warning).
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
    /// (records for the workspace API, certificate and notebooks only; the online endpoint has
    /// `"publicNetworkAccess": "Disabled"` and the private endpoint has no zone group)
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/A",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "[format('privatelink.api.azureml.ms/*.{0}.inference.{1}', parameters('workspaceGuid'), parameters('location'))]",
    ///   "properties": { "ttl": 10, "aRecords": [ { "ipv4Address": "10.0.1.6" } ] }
    /// }
    /// ```
    /// or a `privateDnsZoneGroups` child of the workspace private endpoint that references both
    /// AML zones.
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    /// - [Troubleshoot online endpoints: DNS resolution](https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-online-endpoints)
    pub struct MissingInferenceWildcardRecord;
    code: "AML-DNS-005",
    name: "missing-inference-wildcard-record",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A manually managed AML API zone holds the wildcard record of managed online endpoints.",
}

impl Rule for MissingInferenceWildcardRecord {
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
            let online = managed_online_endpoints(&sets, workspace);
            let has_online = Tri::any(online.iter().map(|(_, certainty)| *certainty));
            if has_online != Tri::True {
                if has_online == Tri::Unknown {
                    ctx.indeterminate();
                }
                continue;
            }
            let Some(endpoints) = managed_workspace_endpoints(ctx, &sets, workspace) else {
                continue;
            };
            match zone_group_covers(&sets, &endpoints, zones.api) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let Some(region) = workspace_region(workspace_resource) else {
                ctx.indeterminate();
                continue;
            };
            for (_, zone, is_named) in declared_zones(&sets, zones.api) {
                // Records of a zone deployed elsewhere are invisible: only zones written here.
                match written(zone).and(is_named) {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                }
                match has_record(&sets, zone, RecordKind::Inference, &region) {
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => {}
                }
                ctx.report(finding(
                    ctx,
                    zone,
                    workspace_resource,
                    &online,
                    zones.api,
                    &region,
                    &endpoints,
                ));
            }
        }
    }
}

fn finding(
    ctx: &RuleContext<'_>,
    zone: &crate::model::Resource,
    workspace: &crate::model::Resource,
    online: &[(&crate::model::Resource, Tri)],
    api_zone: &str,
    region: &str,
    workspace_endpoints: &[(NodeId, Tri)],
) -> Finding {
    let pattern = RecordKind::Inference.pattern(region);
    let private_only = |endpoint: &crate::model::Resource| {
        OnlineEndpoint::of(endpoint)
            .is_some_and(|e| e.public_network_access().is(&Access::Disabled).is_true())
    };
    let any_private_only = online
        .iter()
        .any(|(endpoint, certainty)| certainty.is_true() && private_only(endpoint));
    let mut finding = Finding::new(
        zone,
        "name",
        format!(
            "Managed online endpoints of '{}' resolve via '{pattern}.{api_zone}'; the wildcard A record is missing.",
            workspace.display_name()
        ),
    )
    .label(format!("no '{pattern}' record in this zone"))
    .help(format!(
        "add an A record set '{pattern}' (with the workspace GUID) to '{api_zone}' pointing at the inference IP of the workspace private endpoint, or give the private endpoint a privateDnsZoneGroups child that references the zone"
    ))
    .severity(if any_private_only {
        Severity::Error
    } else {
        Severity::Warning
    })
    .related(workspace, "", "workspace with a private endpoint");
    for (endpoint, certainty) in online {
        if !certainty.is_true() {
            continue;
        }
        finding = if private_only(endpoint) {
            finding.related(
                endpoint,
                "properties.publicNetworkAccess",
                "public access disabled: the private path is the only one",
            )
        } else {
            finding.related(endpoint, "", "managed online endpoint")
        };
    }
    let resources = ctx.resources();
    for (endpoint, certainty) in workspace_endpoints {
        if let Some(resource) = ctx
            .graph()
            .node(*endpoint)
            .and_then(|n| n.resource())
            .filter(|_| certainty.is_true())
            .and_then(|r| resources.get(r.index))
        {
            finding = finding.related(resource, "", "private endpoint without a zone group");
        }
    }
    finding
}
