use std::collections::HashMap;

use super::nsg_support::{
    ComputeSite, FlowProblem, aks_sites, check_site_flows, flow_text, sentence, with_related,
};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, EdgeKind, NodeId, vnet_of_subnet};
use crate::model::Tri;
use crate::netsec::{FlowRow, RequiredFlowOptions};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For every `AKS`/`Kubernetes` compute of a workspace, evaluates the NSG rules and routes
    /// of the AKS subnets (`aksNetworkingConfiguration.subnetId`, else the attached cluster's
    /// agent pools) against the registry flows AML inference needs: TCP 443 to
    /// `MicrosoftContainerRegistry` and to `AzureFrontDoor.FirstParty` (MCR serves its images
    /// through Front Door), and TCP 443 to `AzureContainerRegistry.<region>` unless the
    /// workspace's container registry has a private endpoint in a VNet the AKS VNet reaches.
    ///
    /// ## Why is this bad?
    /// AKS pulls the model images from the workspace's registry and the AML inference router
    /// and system images from Microsoft Container Registry. When the NSG blocks these pulls,
    /// deployments to the cluster hang in image pull errors.
    ///
    /// ## Example
    /// ```json
    /// "securityRules": [
    ///   { "name": "DenyInternetOutbound", "properties": { "priority": 4000, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*" } }
    /// ]
    /// ```
    /// on the subnet of the AKS cluster attached to the workspace.
    ///
    /// Use instead: allow the registry tags before the deny (and the general AKS egress
    /// requirements), or give the workspace registry a private endpoint reachable from the AKS
    /// VNet.
    /// ```json
    /// { "name": "AllowRegistries", "properties": { "priority": 300, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefixes": ["MicrosoftContainerRegistry", "AzureFrontDoor.FirstParty", "AzureContainerRegistry.westeurope"], "destinationPortRange": "443" } }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning inferencing environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-inferencing-vnet)
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    pub struct BlockedAksRegistryEgress;
    code: "AML-NSG-009",
    name: "blocked-aks-registry-egress",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "AKS used by AML reaches the container registries.",
}

impl Rule for BlockedAksRegistryEgress {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let sites = aks_sites(ctx);
        // Whether the workspace registry has a private endpoint reachable from each AKS VNet.
        let mut private_path: HashMap<(NodeId, String), Tri> = HashMap::new();
        for site in &sites {
            let key = site_key(site);
            let path = registry_private_path(&sets, site);
            private_path.insert(key, path);
        }
        let issues = check_site_flows(
            ctx,
            &sites,
            |_| RequiredFlowOptions::default(),
            |site, required| match required.row {
                FlowRow::F19 => true,
                // Without a reachable registry endpoint, pulls go to the registry's public
                // address; an unknown path still gets evaluated and reported as a note.
                FlowRow::F18 => private_path.get(&site_key(site)) != Some(&Tri::True),
                _ => false,
            },
        );
        for issue in &issues {
            let Some(site) = sites.get(issue.site) else {
                continue;
            };
            let tag = issue.required.flow.destination.to_string();
            let subnet = &issue.subnet;
            let unknown_path = issue.required.row == FlowRow::F18
                && private_path.get(&site_key(site)) == Some(&Tri::Unknown);
            let label = format!(
                "{} in subnet '{subnet}' needs {}",
                site.what,
                flow_text(&issue.required.flow)
            );
            let finding = match &issue.problem {
                FlowProblem::Denied(blocked) => {
                    let mut message = format!(
                        "{} subnet '{subnet}' blocks {tag}; model images and the AML router cannot be pulled: {}.",
                        sentence(&site.what),
                        blocked.clause
                    );
                    if unknown_path {
                        message.push_str(
                            " Whether the workspace registry has a private endpoint reachable from this VNet is not known.",
                        );
                    }
                    let finding = Finding::new(site.resource, site.subnet_path, message)
                        .label(label)
                        .help("allow TCP 443 to the registry tags (plus the general AKS egress requirements), or give the registry a private endpoint reachable from the AKS VNet");
                    let finding = if unknown_path {
                        finding.severity(Severity::Note)
                    } else {
                        finding
                    };
                    with_related(finding, &blocked.related)
                }
                // Not produced for these flows.
                FlowProblem::ThroughAppliance(..) => continue,
                FlowProblem::Unknown(names, related) => with_related(
                    Finding::new(
                        site.resource,
                        site.subnet_path,
                        format!(
                            "Cannot decide whether {} subnet '{subnet}' reaches {tag} on TCP 443: it depends on {names}.",
                            site.what
                        ),
                    )
                    .label(label)
                    .severity(Severity::Note)
                    .help("allow TCP 443 to the registry tags explicitly"),
                    related,
                ),
            };
            ctx.report(finding);
        }
    }
}

fn site_key(site: &ComputeSite<'_>) -> (NodeId, String) {
    (site.workspace, site.subnet.to_string().to_ascii_lowercase())
}

/// Whether a container registry of the site's workspace has a private endpoint in a VNet the
/// AKS VNet reaches (`REACH`, C5). A workspace without a registry gets one created on demand,
/// without a private endpoint.
fn registry_private_path(sets: &DerivedSets<'_>, site: &ComputeSite<'_>) -> Tri {
    let Some(aks_vnet) = vnet_of_subnet(&site.subnet) else {
        return Tri::Unknown;
    };
    let workspace = sets.hub(site.workspace).node().unwrap_or(site.workspace);
    let associated = sets.associated(workspace);
    let mut found = if associated.open.is_empty() {
        Tri::False
    } else {
        Tri::Unknown
    };
    let graph = sets.graph();
    for member in associated.possible() {
        if member.role != AssociatedRole::ContainerRegistry {
            continue;
        }
        if sets.written(member.node) != Tri::True {
            // A registry deployed elsewhere may have endpoints the template does not show.
            found = found.or(Tri::Unknown);
        }
        for link in graph.incoming(member.node, EdgeKind::PrivateLinkTarget) {
            let endpoint_present = sets.written(link.from);
            for subnet in graph.outgoing(link.from, EdgeKind::InSubnet) {
                let Some(endpoint_vnet) = graph
                    .node(subnet.to)
                    .and_then(|n| n.id())
                    .and_then(vnet_of_subnet)
                else {
                    found = found.or(Tri::Unknown);
                    continue;
                };
                let reach = sets.reach(&endpoint_vnet, &aks_vnet).value;
                found = found.or(endpoint_present.and(reach));
            }
        }
    }
    found
}
