use super::compute_network_support::{
    ComputeSubnetRef, NetworkComputeKind, aml_zone_links, declared_resource, endpoint_reach,
    grouped_with_all, holds_endpoint, hub_name, hub_region, missing_link_causes, network_computes,
    vnet_name,
};
use super::support::{node_name, resource_of, role_name};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, EdgeKind, NodeId, Pna, vnet_of_subnet};
use crate::model::{Prop, ResourceId, Tri};
use crate::rules::{Finding, RootCause, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks the compute clusters of a workspace with private endpoints that run outside the
    /// workspace-endpoint VNets or outside the workspace's region, and need the private path to
    /// the workspace (no public IP, or a workspace closed to the public). Such a cluster's VNet
    /// must
    /// - hold a workspace private endpoint, or be peered in both directions with a VNet that
    ///   holds one (error);
    /// - when it is connected by peering only and uses Azure DNS, be linked to the AML API zone
    ///   (error) and notebooks zone (warning). When AML-DNS-003 reports the same missing link,
    ///   this finding is shown inside AML-DNS-003's item, as one defect (root-cause grouping);
    /// - reach a private endpoint of the default storage account, container registry and key
    ///   vault when they are network-restricted and the template gives them private endpoints
    ///   (error).
    ///
    /// A connected cluster that differs from the workspace only by its region is a warning: one
    /// source documents clusters in another region, another asks for the workspace's region.
    ///
    /// ## Why is this bad?
    /// Cluster nodes register with the workspace and read and write its storage, registry and
    /// key vault over the private endpoints. From a VNet without a path to those endpoints (or
    /// whose DNS resolves the workspace to its public address) the nodes cannot reach a private
    /// workspace, and jobs fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/gpu-cluster",
    ///   "location": "northeurope",
    ///   "properties": {
    ///     "computeType": "AmlCompute",
    ///     "properties": {
    ///       "enableNodePublicIp": false,
    ///       "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-gpu', 'snet-gpu')]" }
    ///     }
    ///   }
    /// }
    /// ```
    /// with `vnet-gpu` peered with the workspace-endpoint VNet but not linked to
    /// `privatelink.api.azureml.ms`.
    ///
    /// Use instead: peer `vnet-gpu` with the workspace-endpoint VNet in both directions, link
    /// both AML zones to it, and make storage, registry and key vault reachable from it; or add
    /// a workspace private endpoint in `vnet-gpu`.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms/link-vnet-gpu",
    ///   "location": "global",
    ///   "properties": { "registrationEnabled": false, "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-gpu')]" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: compute cluster in a different VNet or region](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Configure a private endpoint for an Azure Machine Learning workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct UnconnectedRemoteComputeCluster;
    code: "AML-NET-005",
    name: "unconnected-remote-compute-cluster",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A compute cluster outside the workspace-endpoint VNet or region is connected.",
}

/// One missing piece of a cluster's path to the workspace.
struct Missing<'g> {
    severity: Severity,
    text: String,
    related: Option<(&'g crate::model::Resource, String)>,
    /// The root causes the piece is grouped with (C7): a missing zone link is AML-DNS-003's.
    causes: Vec<RootCause>,
}

impl Rule for UnconnectedRemoteComputeCluster {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let (computes, _) = network_computes(&sets, workspace);
            let clusters: Vec<_> = computes
                .into_iter()
                .filter(|c| c.kind == NetworkComputeKind::Cluster)
                .collect();
            if clusters.is_empty() {
                continue;
            }
            match sets.workspace_private_endpoints(workspace).non_empty() {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let endpoints = sets.private_endpoint_vnets(workspace);
            let public = sets
                .effective_public_access(workspace)
                .is_one_of(&[Pna::Enabled]);
            let workspace_name = hub_name(&sets, workspace);
            let region = hub_region(&sets, workspace);
            for cluster in &clusters {
                let subnet = match &cluster.subnet {
                    ComputeSubnetRef::None => continue,
                    ComputeSubnetRef::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    ComputeSubnetRef::Known(subnet) => subnet,
                };
                let Some(vnet) = vnet_of_subnet(subnet) else {
                    continue;
                };
                // A public-IP cluster of a publicly reachable workspace talks to it over the
                // internet (the AzureMachineLearning tag): it needs no private path.
                let needs_private = cluster.no_public_ip(&sets).or(!public);
                let own_region = sets.compute_region(cluster.holder).known();
                let other_region = match (&own_region, &region) {
                    (Some(own), Some(wanted)) => Tri::from(own != wanted),
                    _ => Tri::Unknown,
                };
                let in_endpoint_vnet = holds_endpoint(&endpoints, &vnet);
                match cluster
                    .certainty
                    .and(needs_private)
                    .and((!in_endpoint_vnet).or(other_region))
                {
                    Tri::False => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::True => {}
                }
                let mut missing: Vec<Missing<'_>> = Vec::new();
                let vnet_text = vnet_name(&vnet);
                let mut connected = true;
                match in_endpoint_vnet {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => match endpoint_reach(&sets, &endpoints, &vnet).value {
                        Tri::Unknown => {
                            ctx.indeterminate();
                            continue;
                        }
                        Tri::False => {
                            connected = false;
                            missing.push(Missing {
                                severity: Severity::Error,
                                text: format!(
                                    "VNet '{vnet_text}' neither holds a workspace private endpoint nor is peered in both directions with a VNet that holds one"
                                ),
                                related: endpoints.members.first().and_then(|m| {
                                    resource_of(&sets, m.item.endpoint).map(|r| {
                                        (r, "workspace private endpoint".to_owned())
                                    })
                                }),
                                causes: Vec::new(),
                            });
                        }
                        Tri::True => match aml_zone_links(&sets, &vnet) {
                            None => {}
                            Some(links) => {
                                for ((zone, linked), severity) in [
                                    (links.api, Severity::Error),
                                    (links.notebooks, Severity::Warning),
                                ] {
                                    match linked {
                                        Tri::True => {}
                                        Tri::Unknown => ctx.indeterminate(),
                                        Tri::False => missing.push(Missing {
                                            severity,
                                            text: format!(
                                                "VNet '{vnet_text}' is connected by peering only and is not linked to zone '{zone}'"
                                            ),
                                            related: None,
                                            causes: missing_link_causes(
                                                &sets,
                                                &[zone],
                                                &vnet,
                                            ),
                                        }),
                                    }
                                }
                            }
                        },
                    },
                }
                if connected {
                    missing.extend(unreachable_dependencies(ctx, &sets, workspace, &vnet));
                }
                let region_text = own_region.clone().unwrap_or_else(|| "unknown".to_owned());
                if missing.is_empty() && other_region == Tri::True {
                    missing.push(Missing {
                        severity: Severity::Warning,
                        text: format!(
                            "it runs outside the workspace's region ({}), where clusters of a workspace with a private endpoint are documented",
                            region.clone().unwrap_or_default()
                        ),
                        related: None,
                        causes: Vec::new(),
                    });
                }
                for piece in missing {
                    let mut finding = Finding::new(
                        cluster.resource,
                        cluster.subnet_path(),
                        format!(
                            "Cluster '{}' in VNet '{vnet_text}' ({region_text}) cannot reach workspace '{workspace_name}': {}.",
                            cluster.resource.display_name(),
                            piece.text
                        ),
                    )
                    .severity(piece.severity)
                    .label("cluster outside the workspace-endpoint VNet or region")
                    .help("peer the cluster's VNet with the workspace-endpoint VNet in both directions and link both AML zones to it, or add a workspace private endpoint in it; make storage, registry and key vault reachable from it");
                    if let Some(vnet_resource) = declared_resource(&sets, &vnet) {
                        finding = finding.related(vnet_resource, "", "the cluster's VNet");
                    }
                    if let Some((resource, label)) = piece.related {
                        finding = finding.related(resource, "", label);
                    }
                    ctx.report(grouped_with_all(finding, piece.causes));
                }
            }
        }
    }
}

/// The default storage account, key vault and registry of `workspace` that are
/// network-restricted, have private endpoints in the template, and none reachable from `vnet`
/// (the AML-PE-007 reasoning). A dependency whose endpoints live outside the template, or that
/// admits VNets by service-endpoint rules, is undecided.
fn unreachable_dependencies<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
    workspace: NodeId,
    vnet: &ResourceId,
) -> Vec<Missing<'g>> {
    let mut missing = Vec::new();
    let associated = sets.associated(workspace);
    for member in associated.certain() {
        if !matches!(
            member.role,
            AssociatedRole::StorageAccount
                | AssociatedRole::KeyVault
                | AssociatedRole::ContainerRegistry
        ) {
            continue;
        }
        match sets.restricted(member.node).value {
            Tri::False => continue,
            Tri::Unknown => {
                ctx.indeterminate();
                continue;
            }
            Tri::True => {}
        }
        let Some(resource) = resource_of(sets, member.node) else {
            continue;
        };
        let mut any_endpoint = false;
        let mut reached = Tri::False;
        for relation in sets
            .graph()
            .incoming(member.node, EdgeKind::PrivateLinkTarget)
        {
            let endpoint = relation.from;
            let written = sets.written(endpoint);
            if written == Tri::False {
                continue;
            }
            any_endpoint = true;
            let endpoint_vnet = sets
                .graph()
                .outgoing(endpoint, EdgeKind::InSubnet)
                .next()
                .and_then(|r| sets.graph().node(r.to))
                .and_then(|n| n.id())
                .and_then(vnet_of_subnet);
            reached = reached.or(match endpoint_vnet {
                Some(endpoint_vnet) => written.and(sets.reach(&endpoint_vnet, vnet).value),
                None => Tri::Unknown,
            });
        }
        // Service-endpoint rules may admit the VNet without a private endpoint.
        let vnet_rules = match resource.get("properties.networkAcls.virtualNetworkRules") {
            Prop::Absent => Tri::False,
            Prop::Value(value) => Tri::from(value.as_array().is_some_and(|a| !a.is_empty())),
            Prop::Unknown(_) => Tri::Unknown,
        };
        if !any_endpoint {
            ctx.indeterminate();
            continue;
        }
        match reached.or(vnet_rules.and(Tri::Unknown)) {
            Tri::True => {}
            Tri::Unknown => ctx.indeterminate(),
            Tri::False => {
                let role = role_name(member.role);
                missing.push(Missing {
                    severity: Severity::Error,
                    text: format!(
                        "{role} '{}' is network-restricted and none of its private endpoints is reachable from VNet '{}'",
                        node_name(sets, member.node),
                        vnet_name(vnet)
                    ),
                    related: Some((resource, format!("network-restricted {role}"))),
                    causes: Vec::new(),
                });
            }
        }
    }
    missing
}
