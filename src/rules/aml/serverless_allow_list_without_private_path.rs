use super::compute_network_support::{
    aml_zone_links, endpoint_reach, grouped_with_all, holds_endpoint, missing_link_causes,
    vnet_name,
};
use super::managed_selected_ips_without_workspace_rule::targets_workspace;
use super::support::resource_of;
use crate::graph::{DerivedSets, NodeId, Pna, vnet_of_subnet};
use crate::model::kinds::{OutboundRule, Setting, Workspace};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, RootCause, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace whose serverless compute has no public IP
    /// (`serverlessComputeNoPublicIP: true`) and whose public access is limited to an IP allow
    /// list gives the serverless compute a private path to the workspace:
    /// - with a custom subnet: a workspace private endpoint in the subnet's VNet or in a VNet
    ///   peered with it in both directions, and both AML private DNS zones linked to the
    ///   subnet's VNet. When AML-DNS-003 reports the same missing link, this finding is shown
    ///   inside AML-DNS-003's item, as one defect (root-cause grouping);
    /// - with a managed network: a `PrivateEndpoint` outbound rule to the workspace.
    ///
    /// ## Why is this bad?
    /// Serverless nodes without public IPs leave through dynamic default-outbound addresses
    /// that no IP allow list can contain. The workspace then rejects its own serverless jobs,
    /// unless they reach it through a private endpoint.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "ipAllowlist": [ "203.0.113.0/24" ],
    ///   "serverlessComputeSettings": {
    ///     "serverlessComputeCustomSubnet": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-serverless')]",
    ///     "serverlessComputeNoPublicIP": true
    ///   }
    /// }
    /// ```
    /// with no workspace private endpoint reachable from `vnet-ml`.
    ///
    /// Use instead: a workspace private endpoint in `vnet-ml` (or in a VNet peered with it)
    /// and links of both AML zones to `vnet-ml`; with a managed network, a `PrivateEndpoint`
    /// outbound rule whose destination is the workspace (`amlworkspace`).
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: serverless compute](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Workspace managed network: enable access from selected IP addresses](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    pub struct ServerlessAllowListWithoutPrivatePath;
    code: "AML-CMP-003",
    name: "serverless-allow-list-without-private-path",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "No-public-IP serverless compute plus an IP allow list has a private path to the workspace.",
}

impl Rule for ServerlessAllowListWithoutPrivatePath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let Some(resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let Some(view) = Workspace::of(resource) else {
                continue;
            };
            let no_public_ip = sets.serverless_no_public_ip(workspace).value;
            if no_public_ip.is_false() {
                continue;
            }
            let applies = no_public_ip.and(
                sets.effective_public_access(workspace)
                    .is_one_of(&[Pna::SelectedIps]),
            );
            match applies {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let managed = sets.managed(workspace).value;
            // A missing zone link is AML-DNS-003's defect (C7): the finding joins its item.
            let mut causes = Vec::new();
            let problem = match managed {
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => match managed_rule_to_workspace(&sets, workspace) {
                    Tri::False => {
                        "the managed network has no PrivateEndpoint outbound rule to the workspace"
                            .to_owned()
                    }
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                },
                Tri::False => {
                    let vnet = match view.serverless_compute_custom_subnet() {
                        // No subnet and no managed network: AML-CMP-004's finding.
                        Setting::Absent => continue,
                        Setting::Set(text) | Setting::Default(text) => {
                            match ResourceId::parse(text)
                                .ok()
                                .as_ref()
                                .and_then(vnet_of_subnet)
                            {
                                Some(vnet) => vnet,
                                None => continue,
                            }
                        }
                        Setting::Unknown(_) => {
                            ctx.indeterminate();
                            continue;
                        }
                    };
                    match private_path(&sets, workspace, &vnet) {
                        Ok(()) => continue,
                        Err(None) => {
                            ctx.indeterminate();
                            continue;
                        }
                        Err(Some((problem, link_causes))) => {
                            causes = link_causes;
                            problem
                        }
                    }
                }
            };
            ctx.report(grouped_with_all(
                Finding::new(
                    resource,
                    "properties.serverlessComputeSettings.serverlessComputeNoPublicIP",
                    format!(
                        "Serverless compute of '{}' has no public IP and leaves through dynamic default-outbound addresses that the IP allow list cannot contain ({problem}); add a private endpoint path to the workspace.",
                        resource.display_name()
                    ),
                )
                .label("no-public-IP serverless compute of a selected-IPs workspace")
                .help(if managed.is_true() {
                    "add a workspaces/outboundRules child of type PrivateEndpoint whose destination is the workspace (subresource amlworkspace)"
                } else {
                    "add a workspace private endpoint in (or peered with) the serverless subnet's VNet and link both AML private DNS zones to that VNet"
                }),
                causes,
            ));
        }
    }
}

/// Whether the serverless VNet has a private path to the workspace: `Err(Some((why not, the
/// root causes of missing zone links)))` when it definitely has none, `Err(None)` when
/// undecided.
fn private_path(
    sets: &DerivedSets<'_>,
    workspace: NodeId,
    vnet: &ResourceId,
) -> Result<(), Option<(String, Vec<RootCause>)>> {
    let vnet_text = vnet_name(vnet);
    if sets.workspace_private_endpoints(workspace).non_empty() == Tri::False {
        return Err(Some((
            "the workspace has no private endpoint".to_owned(),
            Vec::new(),
        )));
    }
    let endpoints = sets.private_endpoint_vnets(workspace);
    let connected =
        holds_endpoint(&endpoints, vnet).or(endpoint_reach(sets, &endpoints, vnet).value);
    match connected {
        Tri::Unknown => return Err(None),
        Tri::False => {
            return Err(Some((
                format!("no workspace private endpoint is reachable from VNet '{vnet_text}'"),
                Vec::new(),
            )));
        }
        Tri::True => {}
    }
    let Some(links) = aml_zone_links(sets, vnet) else {
        return Ok(());
    };
    match links.both() {
        Tri::True => Ok(()),
        Tri::Unknown => Err(None),
        Tri::False => Err(Some((
            format!(
                "VNet '{vnet_text}' is not linked to zone '{}'",
                links.missing().join("', '")
            ),
            missing_link_causes(sets, &links.missing(), vnet),
        ))),
    }
}

/// Whether `HUB(w)` has a `PrivateEndpoint` outbound rule to itself, as a child resource or
/// inline in its managed network.
fn managed_rule_to_workspace(sets: &DerivedSets<'_>, workspace: NodeId) -> Tri {
    let Some(hub) = sets.hub(workspace).node() else {
        return Tri::Unknown;
    };
    let Some(hub_view) = resource_of(sets, hub).and_then(Workspace::of) else {
        return Tri::Unknown;
    };
    let Some(hub_id) = hub_view.resource().id.as_ref() else {
        return Tri::Unknown;
    };
    let children = sets.graph().resources().iter().filter_map(|candidate| {
        let rule = OutboundRule::of(candidate)?;
        let child = candidate.id.as_ref()?.is_child_of(hub_id);
        Some(
            child
                .and(candidate.state.deployed())
                .and(targets_workspace(&rule, hub_id)),
        )
    });
    let inline = OutboundRule::inline(&hub_view)
        .into_iter()
        .map(|rule| targets_workspace(&rule, hub_id));
    Tri::any(children.chain(inline))
}
