use super::dns_support::{
    aml_zones, declared_zones, managed_workspace_endpoints, needing_vnets, written,
};
use crate::codes::Severity;
use crate::model::Tri;
use crate::rules::{Finding, RootCause, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that each AML private DNS zone the template deploys is linked to every VNet that
    /// must resolve the workspace privately: the VNets of the workspace private endpoints, the
    /// VNets of computes that need the private path (no public IP, or a workspace closed to the
    /// public) and the VNets of attached AKS clusters.
    ///
    /// ## Why is this bad?
    /// A private DNS zone answers only in the VNets linked to it. In any other VNet the
    /// workspace's names resolve to its public address: with the API zone unlinked, computes and
    /// clients there cannot reach a private workspace (error); with the notebooks zone unlinked,
    /// notebooks fail (warning). A VNet with custom DNS servers resolves through them instead:
    /// the zones must then be linked to the DNS server's VNet (info).
    ///
    /// This finding owns the missing link (root-cause grouping): when AML-NET-005, AML-NET-004
    /// or AML-CMP-003 report that a compute's VNet lacks the same zone's link, their findings
    /// are shown inside this one, as one defect.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-hub",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": false, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]" } }
    /// }
    /// ```
    /// (the only link, while a no-public-IP compute cluster lives in the peered `vnet-training`)
    ///
    /// Use instead: one link per VNet that needs the workspace.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-training",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": false, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-training')]" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Secure a training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Use your workspace with a custom DNS server](https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns)
    pub struct UnlinkedAmlPrivateDnsZone;
    code: "AML-DNS-003",
    name: "unlinked-aml-private-dns-zone",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "The AML private DNS zones are linked to every VNet that needs the workspace.",
}

impl Rule for UnlinkedAmlPrivateDnsZone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let Some(zones) = aml_zones(&sets) else {
            return;
        };
        let graph = sets.graph();
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = graph.node(workspace).and_then(|n| n.resource()) else {
                continue;
            };
            if managed_workspace_endpoints(ctx, &sets, workspace).is_none() {
                continue;
            }
            let (vnets, _) = needing_vnets(&sets, workspace);
            for (zone_name, severity) in [
                (zones.api, Severity::Error),
                (zones.notebooks, Severity::Warning),
            ] {
                for (zone_node, zone, is_named) in declared_zones(&sets, zone_name) {
                    // Links of a zone deployed elsewhere are invisible: `LINKED` is unknown.
                    match written(zone).and(is_named) {
                        Tri::True => {}
                        Tri::Unknown => {
                            ctx.indeterminate();
                            continue;
                        }
                        Tri::False => {
                            ctx.indeterminate();
                            continue;
                        }
                    }
                    for needing in &vnets {
                        if !needing.certainty.is_true() {
                            ctx.indeterminate();
                            continue;
                        }
                        match sets.linked(zone_node, &needing.vnet).value {
                            Tri::True => continue,
                            Tri::Unknown => {
                                ctx.indeterminate();
                                continue;
                            }
                            Tri::False => {}
                        }
                        let custom = sets.custom_dns(&needing.vnet).value;
                        if custom == Tri::Unknown {
                            ctx.indeterminate();
                            continue;
                        }
                        let vnet_name = needing
                            .vnet
                            .last_name()
                            .and_then(|s| s.as_known())
                            .unwrap_or("(name unknown)");
                        let mut finding = if custom == Tri::True {
                            Finding::new(
                                zone,
                                "name",
                                format!(
                                    "VNet '{vnet_name}' ({}) uses custom DNS servers; zone '{zone_name}' must be linked to the VNet of the DNS server that resolves names of workspace '{}' for it.",
                                    needing.role.as_str(),
                                    workspace_resource.display_name()
                                ),
                            )
                            .label(format!("not linked to VNet '{vnet_name}'"))
                            .help("link the zone to the DNS server's VNet and forward the AML public zones to 168.63.129.16 (see AML-DNS-011)")
                            .severity(Severity::Note)
                        } else {
                            // The one item for this missing link (C7): the findings of
                            // AML-NET-005, AML-NET-004 and AML-CMP-003 about it join it.
                            let cause = RootCause::missing_zone_link(zone.index, &needing.vnet);
                            let finding = Finding::new(
                                zone,
                                "name",
                                format!(
                                    "VNet '{vnet_name}' ({}) is not linked to zone '{zone_name}'; names of workspace '{}' resolve publicly there.",
                                    needing.role.as_str(),
                                    workspace_resource.display_name()
                                ),
                            )
                            .label(format!("not linked to VNet '{vnet_name}'"))
                            .help(format!(
                                "add a virtualNetworkLinks child of '{zone_name}' for VNet '{vnet_name}' with registrationEnabled false"
                            ))
                            .severity(severity);
                            match cause {
                                Some(cause) => finding.owns(cause),
                                None => finding,
                            }
                        };
                        if let Some(vnet) = graph
                            .find(&needing.vnet)
                            .and_then(|n| graph.node(n))
                            .and_then(|n| n.resource())
                        {
                            finding = finding.related(vnet, "", "VNet that needs the workspace");
                        }
                        if let Some(holder) = graph.node(needing.holder).and_then(|n| n.resource())
                        {
                            finding = finding.related(
                                holder,
                                "",
                                format!("{} in that VNet", needing.role.as_str()),
                            );
                        }
                        ctx.report(finding.related(workspace_resource, "", "workspace"));
                    }
                }
            }
        }
    }
}
