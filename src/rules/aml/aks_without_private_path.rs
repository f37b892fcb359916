use std::collections::HashSet;

use super::attached_support::{AttachedCompute, AttachedTarget, attached_computes};
use super::support::{node_name, resource_of, role_name};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, EdgeKind, NodeId, UnknownInput, vnet_of_subnet};
use crate::model::kinds::{
    AgentPool, ComputeType, ContainerRegistry, KeyVault, ManagedCluster, PrivateEndpoint, Setting,
    StorageAccount,
};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that an AKS cluster attached to a workspace (an `AKS` or `Kubernetes` compute) whose
    /// nodes sit in a customer virtual network (`aksNetworkingConfiguration.subnetId`, or the
    /// cluster's agent pool `vnetSubnetID`) has a private path, from that VNet, to:
    /// - the workspace, when it is network-isolated (public access disabled or limited to
    ///   selected IPs, a workspace private endpoint, or a managed network): a workspace private
    ///   endpoint in the AKS VNet or a VNet peered with it in both directions;
    /// - each network-restricted associated storage account, key vault and container registry:
    ///   a private endpoint of it in such a VNet, or a virtual network rule for a subnet of the
    ///   AKS VNet.
    ///
    /// A public workspace and dependencies open to all networks are reached over the cluster's
    /// egress and need no private path. DNS for the endpoints is checked by AML-DNS-003 and
    /// AML-DNS-012. When peering, isolation or restriction cannot be decided from the template,
    /// the finding is a note.
    ///
    /// ## Why is this bad?
    /// The inference cluster pulls images from the registry, reads models from storage and
    /// secrets from the key vault, and talks to the workspace. When those accept only private
    /// traffic and the cluster's VNet has no private endpoint or service-endpoint rule for them,
    /// deployments to the cluster fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerRegistry/registries",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "crcontosoml",
    ///   "sku": { "name": "Premium" },
    ///   "properties": { "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// with the registry's only private endpoint in `vnet-hub`, not peered with the AKS VNet
    /// `vnet-aks`.
    ///
    /// Use instead: a private endpoint of the registry in `vnet-aks` (with its DNS zone linked),
    /// or a two-way peering between `vnet-aks` and `vnet-hub`.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-crcontosoml-aks",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-aks', 'snet-pe')]" },
    ///     "privateLinkServiceConnections": [ { "name": "registry", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.ContainerRegistry/registries', 'crcontosoml')]", "groupIds": [ "registry" ] } } ]
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning inferencing environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-inferencing-environment)
    /// - [Configure a private endpoint for an Azure Machine Learning workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct AksWithoutPrivatePath;
    code: "AML-AKS-002",
    name: "aks-without-private-path",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A VNet-integrated AKS cluster reaches the isolated workspace and its restricted dependencies privately.",
}

impl Rule for AksWithoutPrivatePath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // One finding per (AKS VNet, unreachable resource): several computes or pools in one
        // VNet share the defect.
        let mut reported: HashSet<(String, NodeId)> = HashSet::new();
        for attached in attached_computes(ctx, &sets, &[ComputeType::Aks, ComputeType::Kubernetes])
        {
            let Some(vnets) = aks_vnets(ctx, &sets, &attached) else {
                continue;
            };
            let cluster_name = match attached.target {
                AttachedTarget::Declared(_, cluster) => cluster.display_name(),
                _ => attached.compute.display_name(),
            };
            for (vnet, holder, path) in vnets {
                let vnet_name = vnet
                    .last_name()
                    .and_then(|s| s.as_known())
                    .unwrap_or("(name unknown)")
                    .to_owned();
                let scene = Scene {
                    ctx,
                    sets: &sets,
                    attached: &attached,
                    cluster_name: &cluster_name,
                    vnet_name: &vnet_name,
                    holder,
                    path: &path,
                };
                // The workspace clause: only an isolated workspace needs a private path.
                let isolated = sets.isolated(attached.workspace);
                if isolated.value != Tri::False
                    && reported.insert((vnet.key().to_owned(), attached.workspace))
                {
                    let endpoints = sets.private_endpoint_vnets(attached.workspace);
                    let mut unknown = isolated.unknown.clone();
                    unknown.extend(endpoints.unknowns());
                    let reach = endpoints.any(|endpoint| {
                        let answer = sets.reach(&endpoint.vnet, &vnet);
                        unknown.extend(answer.unknown);
                        answer.value
                    });
                    let workspace_name = attached.workspace_resource.display_name();
                    let endpoint_nodes: Vec<NodeId> =
                        endpoints.possible().map(|e| e.endpoint).collect();
                    scene.judge(
                        isolated.value.and(!reach),
                        &format!("workspace '{workspace_name}'"),
                        attached.workspace_resource,
                        &endpoint_nodes,
                        &unknown,
                    );
                }
                // The dependency clause: storage, key vault and registry when restricted.
                let associated = sets.associated(attached.workspace);
                if !associated.open.is_empty() {
                    ctx.indeterminate();
                }
                for member in associated.possible() {
                    if member.role == AssociatedRole::ApplicationInsights
                        || !reported.insert((vnet.key().to_owned(), member.node))
                    {
                        continue;
                    }
                    let restricted = sets.restricted(member.node);
                    if restricted.value == Tri::False {
                        continue;
                    }
                    let mut unknown = restricted.unknown.clone();
                    let by_endpoint = endpoint_reach(&sets, member.node, &vnet, &mut unknown);
                    let by_rule = vnet_rule_in(&sets, member.node, &vnet);
                    let Some(resource) = resource_of(&sets, member.node) else {
                        ctx.indeterminate();
                        continue;
                    };
                    let endpoint_nodes: Vec<NodeId> = sets
                        .graph()
                        .incoming(member.node, EdgeKind::PrivateLinkTarget)
                        .map(|relation| relation.from)
                        .collect();
                    scene.judge(
                        restricted.value.and(!(by_endpoint.or(by_rule))),
                        &format!(
                            "{} '{}'",
                            role_name(member.role),
                            node_name(&sets, member.node)
                        ),
                        resource,
                        &endpoint_nodes,
                        &unknown,
                    );
                }
            }
        }
    }
}

/// What a finding of one (cluster, VNet) pair needs.
struct Scene<'s, 'g> {
    ctx: &'s RuleContext<'s>,
    sets: &'s DerivedSets<'g>,
    attached: &'s AttachedCompute<'g>,
    cluster_name: &'s str,
    vnet_name: &'s str,
    holder: &'g Resource,
    path: &'s str,
}

impl Scene<'_, '_> {
    /// Reports `unreachable` (`True`: error; `Unknown`: a note naming what is unknown).
    fn judge(
        &self,
        unreachable: Tri,
        what: &str,
        target: &Resource,
        endpoints: &[NodeId],
        unknown: &[UnknownInput<'_>],
    ) {
        let (severity, message) = match unreachable {
            Tri::False => return,
            Tri::True => (
                Severity::Error,
                format!(
                    "AKS '{}' in VNet '{}' cannot reach {what} privately.",
                    self.cluster_name, self.vnet_name
                ),
            ),
            Tri::Unknown => {
                self.ctx.indeterminate();
                let why = unknown
                    .first()
                    .map(|input| {
                        let name = input.node().map_or_else(
                            || "a resource outside the template".to_owned(),
                            |n| format!("'{}'", node_name(self.sets, n)),
                        );
                        let path = if input.path.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", input.path)
                        };
                        format!("{name}{path}: {}", input.cause)
                    })
                    .unwrap_or_else(|| "a peering or network setting is not visible".to_owned());
                (
                    Severity::Note,
                    format!(
                        "Whether AKS '{}' in VNet '{}' can reach {what} privately cannot be decided: {why}.",
                        self.cluster_name, self.vnet_name
                    ),
                )
            }
        };
        let mut finding = Finding::new(self.holder, self.path, message)
            .severity(severity)
            .label("the cluster's nodes are in this VNet")
            .help(format!(
                "add a private endpoint (with DNS integration) of {what} in VNet '{}' or in a VNet peered with it both ways",
                self.vnet_name
            ))
            .related(target, "", "needs a private path from the cluster")
            .related(
                self.attached.compute,
                "properties.resourceId",
                format!(
                    "attached to workspace '{}' here",
                    self.attached.workspace_resource.display_name()
                ),
            );
        for endpoint in endpoints {
            if let Some(resource) = resource_of(self.sets, *endpoint) {
                finding = finding.related(
                    resource,
                    "properties.subnet.id",
                    "its private endpoint is in this subnet",
                );
            }
        }
        self.ctx.report(finding);
    }
}

/// The VNets of the cluster's nodes, with the resource and path that put them there: the
/// compute's `aksNetworkingConfiguration.subnetId`, else the agent pools of the declared cluster.
/// `None` for a cluster without customer VNet (nothing to judge) or one that is not visible.
fn aks_vnets<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
    attached: &AttachedCompute<'g>,
) -> Option<Vec<(ResourceId, &'g Resource, String)>> {
    let mut subnets: Vec<(Setting<'g, &'g str>, &'g Resource, String)> = Vec::new();
    match attached.view.aks_subnet_id() {
        Setting::Absent => {
            let AttachedTarget::Declared(node, resource) = attached.target else {
                if !matches!(attached.target, AttachedTarget::Missing) {
                    ctx.indeterminate();
                }
                return None;
            };
            let cluster = ManagedCluster::of(resource)?;
            match cluster.agent_pool_subnet_ids() {
                Setting::Set(ids) => {
                    for (index, id) in ids.into_iter().enumerate() {
                        subnets.push((
                            id,
                            resource,
                            format!("properties.agentPoolProfiles.{index}.vnetSubnetID"),
                        ));
                    }
                }
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    return None;
                }
                _ => {}
            }
            for relation in sets.graph().incoming(node, EdgeKind::Parent) {
                if sets.written(relation.from) == Tri::False {
                    continue;
                }
                if let Some(pool_resource) = resource_of(sets, relation.from)
                    && let Some(pool) = AgentPool::of(pool_resource)
                {
                    subnets.push((
                        pool.vnet_subnet_id(),
                        pool_resource,
                        "properties.vnetSubnetID".to_owned(),
                    ));
                }
            }
        }
        subnet => subnets.push((
            subnet,
            attached.compute,
            "properties.properties.aksNetworkingConfiguration.subnetId".to_owned(),
        )),
    }
    let mut seen = HashSet::new();
    let mut vnets = Vec::new();
    for (subnet, holder, path) in subnets {
        match subnet {
            Setting::Set(text) | Setting::Default(text) => {
                let Some(vnet) = ResourceId::parse(text)
                    .ok()
                    .as_ref()
                    .and_then(vnet_of_subnet)
                else {
                    continue;
                };
                if seen.insert(vnet.key().to_owned()) {
                    vnets.push((vnet, holder, path));
                }
            }
            Setting::Unknown(_) => ctx.indeterminate(),
            Setting::Absent => {}
        }
    }
    (!vnets.is_empty()).then_some(vnets)
}

/// Whether a private endpoint of `target` sits in a VNet that reaches `vnet`.
fn endpoint_reach<'g>(
    sets: &DerivedSets<'g>,
    target: NodeId,
    vnet: &ResourceId,
    unknown: &mut Vec<UnknownInput<'g>>,
) -> Tri {
    Tri::any(
        sets.graph()
            .incoming(target, EdgeKind::PrivateLinkTarget)
            .filter(|relation| sets.written(relation.from) != Tri::False)
            .map(|relation| {
                let endpoint_vnet = resource_of(sets, relation.from)
                    .and_then(PrivateEndpoint::of)
                    .and_then(|endpoint| endpoint.subnet_id().known())
                    .and_then(|text| ResourceId::parse(text).ok())
                    .and_then(|id| vnet_of_subnet(&id));
                match endpoint_vnet {
                    Some(endpoint_vnet) => {
                        let answer = sets.reach(&endpoint_vnet, vnet);
                        unknown.extend(answer.unknown);
                        sets.written(relation.from).and(answer.value)
                    }
                    None => Tri::Unknown,
                }
            }),
    )
}

/// Whether the firewall of `target` has a virtual network rule for a subnet of `vnet`.
fn vnet_rule_in(sets: &DerivedSets<'_>, target: NodeId, vnet: &ResourceId) -> Tri {
    let Some(resource) = resource_of(sets, target) else {
        return Tri::Unknown;
    };
    let rules = if let Some(storage) = StorageAccount::of(resource) {
        storage.network_acls().virtual_network_rule_ids()
    } else if let Some(vault) = KeyVault::of(resource) {
        vault.network_acls().virtual_network_rule_ids()
    } else if let Some(registry) = ContainerRegistry::of(resource) {
        // `networkRuleSet.virtualNetworkRules[*].id` (a preview feature the view does not type).
        match registry.property("properties.networkRuleSet.virtualNetworkRules") {
            Setting::Set(value) => match value.as_array() {
                Some(items) => Setting::Set(
                    items
                        .iter()
                        .map(|item| match crate::model::read(item, "id") {
                            crate::model::Prop::Value(id) => crate::model::kinds::item_string(id),
                            crate::model::Prop::Unknown(provenance) => {
                                Setting::Unknown(crate::model::kinds::Cause::Runtime(provenance))
                            }
                            crate::model::Prop::Absent => Setting::Absent,
                        })
                        .collect(),
                ),
                None => return Tri::Unknown,
            },
            Setting::Unknown(_) => return Tri::Unknown,
            _ => return Tri::False,
        }
    } else {
        return Tri::Unknown;
    };
    match rules {
        Setting::Set(ids) | Setting::Default(ids) => {
            Tri::any(
                ids.iter()
                    .map(|id| match id.value().map(|text| ResourceId::parse(text)) {
                        Some(Ok(subnet)) => {
                            vnet_of_subnet(&subnet).map_or(Tri::False, |v| v.matches(vnet))
                        }
                        Some(Err(_)) => Tri::False,
                        None => Tri::Unknown,
                    }),
            )
        }
        Setting::Absent => Tri::False,
        Setting::Unknown(_) => Tri::Unknown,
    }
}
