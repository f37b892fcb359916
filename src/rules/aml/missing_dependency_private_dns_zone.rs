use std::collections::HashSet;

use super::dns_support::{declared_zones, id_name, needing_vnets, written, zone_exists};
use super::support::{hub_workspaces, node_name, resource_of, role_name};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, EdgeKind, NodeId};
use crate::model::{Resource, Tri};
use crate::rules::{Finding, RootCause, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks the private DNS of the private endpoints of a workspace's storage account, key
    /// vault and container registry, when the template manages that DNS (it writes a zone group
    /// for the endpoint, or a zone, record or link in one of its zones): every zone the group id
    /// requires exists (deployed, referenced by a zone group, or declared), and each such zone the
    /// template deploys is linked to every VNet that must reach the dependency privately (the
    /// workspace-endpoint VNets, the compute VNets that need the private path, the VNets of
    /// attached AKS clusters). VNets with custom DNS are left to AML-DNS-011; an endpoint whose
    /// zone group AML-PE-004 reports as wrong is left to AML-PE-004.
    ///
    /// ## Why is this bad?
    /// Without the zone, or in a VNet not linked to it, the dependency's name resolves to its
    /// public address. When the dependency is closed to public networks, jobs, computes and the
    /// workspace itself then fail to read the default storage, the key vault or the images
    /// (error); when it is still public, the traffic silently leaves the private path (warning).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.blob.core.windows.net/link-vnet-hub",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": false, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]" } }
    /// }
    /// ```
    /// (the blob zone's only link, while a no-public-IP compute cluster lives in the peered
    /// `vnet-training` and the storage account denies public access)
    ///
    /// Use instead: a link for every VNet that reaches the storage account.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.blob.core.windows.net/link-vnet-training",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": false, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-training')]" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Azure Private Endpoint private DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Secure an Azure Kubernetes Service inferencing environment](https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-inferencing-environment)
    pub struct MissingDependencyPrivateDnsZone;
    code: "AML-DNS-012",
    name: "missing-dependency-private-dns-zone",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Private endpoints of a workspace's storage, key vault and registry have their zones, linked to the VNets that need them.",
}

/// One private endpoint of a dependency, for one of its group ids.
struct DependencyEndpoint<'g> {
    workspace: &'g Resource,
    role: AssociatedRole,
    dependency: NodeId,
    endpoint: &'g Resource,
    group_id: String,
    severity: Severity,
}

impl Rule for MissingDependencyPrivateDnsZone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // A set: a template with hundreds of workspaces has thousands of findings here.
        let mut reported: HashSet<(NodeId, String, Option<String>)> = HashSet::new();
        for (workspace, _) in hub_workspaces(&sets) {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            for target in dependency_endpoints(ctx, &sets, workspace, workspace_resource) {
                let wanted = sets.zones(&target.group_id);
                for zone_name in wanted.required {
                    match zone_exists(&sets, zone_name) {
                        Tri::True => {}
                        Tri::Unknown => ctx.indeterminate(),
                        Tri::False => {
                            let key = (target.dependency, zone_name.to_string(), None);
                            if reported.insert(key) {
                                ctx.report(missing_zone(&sets, &target, zone_name));
                            }
                        }
                    }
                    check_links(ctx, &sets, workspace, &target, zone_name, &mut reported);
                }
            }
        }
    }
}

/// The endpoints of the storage account, key vault and registry of `workspace` whose DNS the
/// template manages, with the severity their dependency's network setting gives.
fn dependency_endpoints<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
    workspace: NodeId,
    workspace_resource: &'g Resource,
) -> Vec<DependencyEndpoint<'g>> {
    let graph = sets.graph();
    let mut found = Vec::new();
    for member in sets.associated(workspace).possible() {
        if member.role == AssociatedRole::ApplicationInsights {
            continue;
        }
        let severity = match sets.restricted(member.node).value {
            Tri::True => Severity::Error,
            Tri::False => Severity::Warning,
            Tri::Unknown => Severity::Note,
        };
        for relation in graph.incoming(member.node, EdgeKind::PrivateLinkTarget) {
            let Some(endpoint) = resource_of(sets, relation.from) else {
                continue;
            };
            match written(endpoint) {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            for group_id in &relation.group_ids {
                if sets.zones(group_id).is_empty() {
                    continue;
                }
                // Without zone groups, zones, records or links for the endpoint, AML-PE-005 is
                // the one finding (C5 `DNS_MANAGED`).
                match sets.dns_managed(relation.from, group_id).value {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                }
                found.push(DependencyEndpoint {
                    workspace: workspace_resource,
                    role: member.role,
                    dependency: member.node,
                    endpoint,
                    group_id: group_id.to_ascii_lowercase(),
                    severity,
                });
            }
        }
    }
    found
}

/// The opening of the message: "Storage account 'st' (blob) is private" or, for a dependency
/// still open to public networks, "… has private endpoint 'p'".
fn subject(sets: &DerivedSets<'_>, target: &DependencyEndpoint<'_>) -> String {
    let mut role = role_name(target.role).to_owned();
    if let Some(first) = role.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let name = node_name(sets, target.dependency);
    match target.severity {
        Severity::Error => format!("{role} '{name}' ({}) is private", target.group_id),
        _ => format!(
            "{role} '{name}' ({}) has private endpoint '{}'",
            target.group_id,
            target.endpoint.display_name()
        ),
    }
}

/// The related locations every finding of the rule carries.
fn explained(sets: &DerivedSets<'_>, target: &DependencyEndpoint<'_>, finding: Finding) -> Finding {
    let mut finding = finding.related(
        target.endpoint,
        "",
        format!("private endpoint ({})", target.group_id),
    );
    if let Some(dependency) = resource_of(sets, target.dependency) {
        finding = finding.related(dependency, "", role_name(target.role));
    }
    finding
        .related(target.workspace, "", "workspace")
        // AML-PE-004 owns a wrong zone group of this endpoint: then it speaks alone (C7).
        .defers_to(RootCause::zone_group_zones(
            target.endpoint.index,
            &target.group_id,
        ))
}

fn missing_zone(
    sets: &DerivedSets<'_>,
    target: &DependencyEndpoint<'_>,
    zone_name: &str,
) -> Finding {
    let finding = Finding::new(
        target.endpoint,
        "",
        format!(
            "{} but zone '{zone_name}' is missing.",
            subject(sets, target)
        ),
    )
    .label(format!("no zone '{zone_name}' is deployed, referenced or declared"))
    .help(format!(
        "deploy '{zone_name}', reference it from the endpoint's privateDnsZoneGroups child and link it to the VNets that use the {}",
        role_name(target.role)
    ))
    .severity(target.severity);
    explained(sets, target, finding)
}

/// Reports the VNets of `R(w)` that a deployed zone named `zone_name` is not linked to.
fn check_links(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    workspace: NodeId,
    target: &DependencyEndpoint<'_>,
    zone_name: &str,
    reported: &mut HashSet<(NodeId, String, Option<String>)>,
) {
    let graph = sets.graph();
    let (vnets, _) = needing_vnets(sets, workspace);
    for (zone_node, zone, is_named) in declared_zones(sets, zone_name) {
        // The links of a zone deployed elsewhere are invisible (`LINKED` unknown).
        if written(zone).and(is_named) != Tri::True {
            ctx.indeterminate();
            continue;
        }
        for needing in &vnets {
            if needing.certainty != Tri::True {
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
            // A VNet with custom DNS resolves through its servers: AML-DNS-011 speaks for it.
            match sets.custom_dns(&needing.vnet).value {
                Tri::False => {}
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            let key = (
                target.dependency,
                zone_name.to_ascii_lowercase(),
                Some(needing.vnet.to_string().to_ascii_lowercase()),
            );
            if !reported.insert(key) {
                continue;
            }
            let vnet_name = id_name(&needing.vnet);
            let mut finding = Finding::new(
                zone,
                "name",
                format!(
                    "{} but zone '{zone_name}' is not linked to VNet '{vnet_name}'.",
                    subject(sets, target)
                ),
            )
            .label(format!("not linked to VNet '{vnet_name}'"))
            .help(format!(
                "add a virtualNetworkLinks child of '{zone_name}' for VNet '{vnet_name}' with registrationEnabled false"
            ))
            .severity(target.severity);
            if let Some(vnet) = graph.find(&needing.vnet).and_then(|n| resource_of(sets, n)) {
                finding = finding.related(
                    vnet,
                    "",
                    format!("VNet that needs the {}", role_name(target.role)),
                );
            }
            if let Some(holder) = resource_of(sets, needing.holder) {
                finding = finding.related(
                    holder,
                    "",
                    format!("{} in that VNet", needing.role.as_str()),
                );
            }
            ctx.report(explained(sets, target, finding));
        }
    }
}
