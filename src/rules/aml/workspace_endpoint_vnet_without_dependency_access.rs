use super::pe_support::{PlacedEndpoint, endpoints_to};
use super::support::{hub_workspaces, node_name, resource_of, role_name};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, NodeId, vnet_of_subnet};
use crate::model::kinds::{KeyVault, Setting, StorageAccount};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For every VNet holding a private endpoint of a workspace, checks that the workspace's
    /// network-restricted storage account (blob and file), key vault and container registry are
    /// reachable from it: through a private endpoint of the dependency in that VNet or in a VNet
    /// peered with it, or (storage, key vault) through a virtual network rule for a subnet of that
    /// VNet. When the workspace has endpoints in several VNets, it also checks that one of them
    /// holds the endpoints of all its dependencies.
    ///
    /// ## Why is this bad?
    /// Clients that reach the workspace through its private endpoint also read and write its
    /// storage, secrets and images directly. From a VNet that reaches the workspace but not a
    /// restricted dependency, the studio, notebooks and SDK calls that touch that dependency
    /// fail. Microsoft documents the limitation for workspaces with several private endpoints:
    /// each endpoint's VNet must reach the storage, key vault and registry.
    ///
    /// ## Example
    /// A client VNet with only the workspace endpoint, not peered with the VNet that holds the
    /// storage account's endpoints, while the storage denies public access:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw-clients",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-clients', 'snet-pe')]" },
    ///     "privateLinkServiceConnections": [{ "name": "mlw", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw')]", "groupIds": ["amlworkspace"] } }]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: peer `vnet-clients` with the dependencies' VNet in both directions, or add
    /// blob, file, vault and registry endpoints in `vnet-clients`.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-clients/to-vnet-ml",
    ///   "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-ml')]" }, "allowVirtualNetworkAccess": true }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Secure a training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct WorkspaceEndpointVnetWithoutDependencyAccess;
    code: "AML-PE-007",
    name: "workspace-endpoint-vnet-without-dependency-access",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Every VNet with a workspace private endpoint reaches the workspace's restricted storage, key vault and registry.",
}

/// A storage account, key vault or registry of a workspace, with what reaches it.
struct Dependency<'g> {
    role: AssociatedRole,
    node: NodeId,
    endpoints: Vec<PlacedEndpoint<'g>>,
    /// The VNets of its virtual network rules; `None` for an entry known only at deployment.
    rule_vnets: Vec<Option<ResourceId>>,
    restricted: Tri,
}

impl Dependency<'_> {
    /// The sub-resources a client needs: blob and file of a storage account, else the one group.
    fn groups(&self) -> &'static [&'static str] {
        match self.role {
            AssociatedRole::StorageAccount => &["blob", "file"],
            AssociatedRole::KeyVault => &["vault"],
            _ => &["registry"],
        }
    }
}

impl Rule for WorkspaceEndpointVnetWithoutDependencyAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (workspace, view) in hub_workspaces(&sets) {
            let workspace_resource = view.resource();
            // The endpoint VNets, each once, with the first workspace endpoint in it.
            let mut vnets: Vec<(ResourceId, NodeId)> = Vec::new();
            let placed = sets.private_endpoint_vnets(workspace);
            if !placed.open.is_empty() {
                ctx.indeterminate();
            }
            for member in &placed.members {
                if member.certainty != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                if !vnets
                    .iter()
                    .any(|(v, _)| v.matches(&member.item.vnet) == Tri::True)
                {
                    vnets.push((member.item.vnet.clone(), member.item.endpoint));
                }
            }
            if vnets.is_empty() {
                continue;
            }
            let dependencies = dependencies_of(&sets, workspace);
            for (vnet, endpoint) in &vnets {
                let Some(endpoint) = resource_of(&sets, *endpoint) else {
                    continue;
                };
                for dependency in &dependencies {
                    check_reach(ctx, &sets, workspace_resource, endpoint, vnet, dependency);
                }
            }
            check_one_complete_vnet(ctx, &sets, workspace_resource, &vnets, &dependencies);
        }
    }
}

fn dependencies_of<'g>(sets: &DerivedSets<'g>, workspace: NodeId) -> Vec<Dependency<'g>> {
    sets.associated(workspace)
        .possible()
        .filter(|m| m.role != AssociatedRole::ApplicationInsights)
        .map(|member| {
            let rules = resource_of(sets, member.node).and_then(|r| {
                StorageAccount::of(r)
                    .map(|s| s.network_acls().virtual_network_rule_ids())
                    .or_else(|| {
                        KeyVault::of(r).map(|k| k.network_acls().virtual_network_rule_ids())
                    })
            });
            let rule_vnets = match rules {
                Some(Setting::Set(ids)) => ids
                    .into_iter()
                    .map(|id| {
                        id.known()
                            .and_then(|text| ResourceId::parse(text).ok())
                            .and_then(|subnet| vnet_of_subnet(&subnet))
                    })
                    .collect(),
                Some(Setting::Unknown(_)) => vec![None],
                _ => Vec::new(),
            };
            Dependency {
                role: member.role,
                node: member.node,
                endpoints: endpoints_to(sets, member.node),
                rule_vnets,
                restricted: sets.restricted(member.node).value,
            }
        })
        .collect()
}

/// Condition (a): a restricted dependency that `vnet` reaches neither through an endpoint in a
/// VNet it reaches nor through a virtual network rule.
fn check_reach(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    workspace: &Resource,
    endpoint: &Resource,
    vnet: &ResourceId,
    dependency: &Dependency<'_>,
) {
    if dependency.restricted == Tri::False {
        return;
    }
    let by_rule = Tri::any(dependency.rule_vnets.iter().map(|rule| match rule {
        Some(rule) => rule.matches(vnet),
        None => Tri::Unknown,
    }));
    let mut missing = Vec::new();
    let mut undecided = false;
    for group in dependency.groups() {
        let by_endpoint = Tri::any(
            dependency
                .endpoints
                .iter()
                .filter(|e| e.has_group(group))
                .map(|e| match e.vnet() {
                    Some(u) => e.certainty.and(sets.reach(&u, vnet).value),
                    None => Tri::Unknown,
                }),
        );
        match by_endpoint.or(by_rule) {
            Tri::True => {}
            Tri::Unknown => undecided = true,
            Tri::False => missing.push(*group),
        }
    }
    if missing.is_empty() {
        if undecided {
            ctx.indeterminate();
        }
        return;
    }
    // A dependency whose restriction is unknown, or another sub-resource whose reach is: the
    // verdict rests on an unknown (§1.2), so it is a note.
    let severity = if dependency.restricted == Tri::True && !undecided {
        Severity::Warning
    } else {
        Severity::Note
    };
    let vnet_name = super::dns_support::id_name(vnet);
    let name = node_name(sets, dependency.node);
    let what = format!(
        "{} '{name}' ({})",
        role_name(dependency.role),
        missing.join(", ")
    );
    let mut finding = Finding::new(
        endpoint,
        "properties.subnet.id",
        format!(
            "VNet '{vnet_name}' has a private endpoint for workspace '{}' but cannot reach {what}.",
            workspace.display_name()
        ),
    )
    .label(format!("workspace endpoint in VNet '{vnet_name}'"))
    .help(format!(
        "add a {} private endpoint of '{name}' in VNet '{vnet_name}' or in a VNet peered with it both ways, or keep all dependency endpoints in one workspace-endpoint VNet",
        missing.join(" and ")
    ))
    .severity(severity);
    if let Some(resource) = resource_of(sets, dependency.node) {
        finding = finding.related(
            resource,
            "",
            format!("network-restricted {}", role_name(dependency.role)),
        );
    }
    for other in dependency.endpoints.iter().take(3) {
        finding = finding.related(
            other.resource,
            "properties.subnet.id",
            "its private endpoint, not reachable from that VNet",
        );
    }
    ctx.report(finding.related(workspace, "", "workspace"));
}

/// Condition (b): endpoints in several VNets, none of which holds endpoints of every
/// dependency.
fn check_one_complete_vnet(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    workspace: &Resource,
    vnets: &[(ResourceId, NodeId)],
    dependencies: &[Dependency<'_>],
) {
    // Only when the dependencies are reached through private endpoints at all; otherwise there
    // is no endpoint VNet to keep complete.
    if vnets.len() < 2 || dependencies.iter().all(|d| d.endpoints.is_empty()) {
        return;
    }
    let complete = Tri::any(vnets.iter().map(|(vnet, _)| {
        Tri::all(dependencies.iter().map(|dependency| {
            Tri::any(dependency.endpoints.iter().map(|e| match e.vnet() {
                Some(u) => e.certainty.and(u.matches(vnet)),
                None => Tri::Unknown,
            }))
        }))
    }));
    match complete {
        Tri::True => return,
        Tri::Unknown => {
            ctx.indeterminate();
            return;
        }
        Tri::False => {}
    }
    let names = vnets
        .iter()
        .map(|(v, _)| format!("'{}'", super::dns_support::id_name(v)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut finding = Finding::new(
        workspace,
        "",
        format!(
            "Workspace '{}' has private endpoints in VNets {names}, but none of them holds private endpoints of all of its storage account, key vault and registry.",
            workspace.display_name()
        ),
    )
    .label("private endpoints in several VNets")
    .help("keep one VNet with a workspace endpoint and the endpoints of every dependency");
    for (_, endpoint) in vnets {
        if let Some(endpoint) = resource_of(sets, *endpoint) {
            finding = finding.related(endpoint, "properties.subnet.id", "workspace endpoint");
        }
    }
    ctx.report(finding);
}
