use super::support::{body_path, hub_workspaces, resource_of};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, EdgeKind, NodeId, vnet_of_subnet};
use crate::model::kinds::{PrivateEndpoint, Setting, StorageAccount, Subnet};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The storage sub-resources every VNet of the workspace needs.
const CORE_GROUPS: &[&str] = &["blob", "file"];
/// The further sub-resources batch endpoints (and ParallelRunStep) need.
const BATCH_GROUPS: &[&str] = &["queue", "table"];

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace's default storage account, when it is private (it has a private
    /// endpoint, or it is network-restricted), is reachable from every virtual network that
    /// needs it: the VNets of the workspace's private endpoints and of its computes. A VNet `V`
    /// reaches the storage through a `blob` **and** a `file` private endpoint in `V` or in a VNet
    /// peered with it (both directions), or through a `networkAcls.virtualNetworkRules` entry for
    /// a subnet of `V` that has the `Microsoft.Storage` service endpoint. A workspace with batch
    /// endpoints (and no managed network) also needs `queue` and `table`. The finding is a
    /// warning, and a note when it depends on a peering, a network setting or a VNet the template
    /// does not show.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning uses the default storage's blob service for artifacts and its file
    /// service for compute instances and code snapshots; batch jobs also use queues and tables.
    /// A private storage account with only a `blob` endpoint, or with endpoints in a VNet the
    /// computes cannot reach, makes jobs, notebooks and the studio fail with storage access
    /// errors.
    ///
    /// ## Example
    /// A storage account with `publicNetworkAccess: Disabled` and only this endpoint:
    /// ```json
    /// "privateLinkServiceConnections": [
    ///   { "name": "st-blob", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontoso')]", "groupIds": [ "blob" ] } }
    /// ]
    /// ```
    ///
    /// Use instead: a second endpoint in the same VNet,
    /// ```json
    /// "privateLinkServiceConnections": [
    ///   { "name": "st-file", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontoso')]", "groupIds": [ "file" ] } }
    /// ]
    /// ```
    /// or a VNet rule for the compute subnet, which has the `Microsoft.Storage` service endpoint.
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: secure the storage account](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#secure-azure-storage-accounts)
    /// - [Workspace managed network: secured associated resources](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Secure a training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct UnreachableDefaultStorage;
    code: "AML-WS-006",
    name: "unreachable-default-storage",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A private default storage account has blob and file private endpoints (queue and table for batch) reachable from every workspace VNet.",
}

impl Rule for UnreachableDefaultStorage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (workspace, _) in hub_workspaces(&sets) {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let associated = sets.associated(workspace);
            let storages = associated.possible().filter(|m| {
                m.role == AssociatedRole::StorageAccount && m.path == "properties.storageAccount"
            });
            for member in storages {
                let Some(storage) = resource_of(&sets, member.node).and_then(StorageAccount::of)
                else {
                    // Deployed elsewhere: its endpoints and firewall may be there too.
                    ctx.indeterminate();
                    continue;
                };
                if !sets.written(member.node).is_possible() {
                    ctx.indeterminate();
                    continue;
                }
                let check = StorageCheck {
                    ctx,
                    sets: &sets,
                    workspace: workspace_resource,
                    workspace_path: &member.path,
                    storage,
                    endpoints: storage_endpoints(&sets, member.node),
                };
                check.run(workspace);
            }
        }
    }
}

/// A private endpoint of the storage: its node, group ids (`None` when known only at
/// deployment), VNet, and whether it is deployed.
struct StorageEndpoint {
    node: NodeId,
    groups: Option<Vec<String>>,
    vnet: Option<ResourceId>,
    present: Tri,
}

/// The private endpoints the template writes (or may write) to the storage account `storage`.
fn storage_endpoints(sets: &DerivedSets<'_>, storage: NodeId) -> Vec<StorageEndpoint> {
    let graph = sets.graph();
    graph
        .incoming(storage, EdgeKind::PrivateLinkTarget)
        .filter(|relation| sets.written(relation.from).is_possible())
        .map(|relation| {
            let vnet = graph
                .outgoing(relation.from, EdgeKind::InSubnet)
                .next()
                .and_then(|r| graph.node(r.to))
                .and_then(|n| n.id())
                .and_then(vnet_of_subnet);
            StorageEndpoint {
                node: relation.from,
                groups: connection_groups(sets, relation.from, &relation.path),
                vnet,
                present: sets.written(relation.from),
            }
        })
        .collect()
}

/// The group ids of the endpoint's connection whose target is at `target_path`; `None` when the
/// list (or one of its items) is known only at deployment.
fn connection_groups(
    sets: &DerivedSets<'_>,
    endpoint: NodeId,
    target_path: &str,
) -> Option<Vec<String>> {
    let view = resource_of(sets, endpoint).and_then(PrivateEndpoint::of)?;
    let connections = view.connections().known()?;
    let connection = connections
        .into_iter()
        .find(|c| c.target_path() == target_path)?;
    match connection.group_ids {
        Setting::Set(ids) | Setting::Default(ids) => ids
            .into_iter()
            .map(|id| id.known().map(str::to_owned))
            .collect(),
        Setting::Absent => Some(Vec::new()),
        Setting::Unknown(_) => None,
    }
}

/// A VNet that needs the storage, and the resource that puts it in scope.
struct NeedingVnet {
    vnet: ResourceId,
    certainty: Tri,
    because: NodeId,
    because_path: String,
    because_label: &'static str,
}

struct StorageCheck<'c, 'a> {
    ctx: &'c RuleContext<'a>,
    sets: &'c DerivedSets<'a>,
    workspace: &'a Resource,
    workspace_path: &'c str,
    storage: StorageAccount<'a>,
    endpoints: Vec<StorageEndpoint>,
}

impl StorageCheck<'_, '_> {
    fn run(&self, workspace: NodeId) {
        let Some(storage_node) = self.sets.graph().node_of(self.storage.resource().index) else {
            return;
        };
        let has_endpoint = Tri::any(self.endpoints.iter().map(|e| e.present));
        let private = has_endpoint.or(self.sets.restricted(storage_node).value);
        if private == Tri::False {
            return;
        }
        let batch = self
            .has_batch_endpoints(workspace)
            .and(!self.sets.managed(workspace).value);
        for needing in self.needing_vnets(workspace) {
            let by_rule = self.service_endpoint_rule(&needing.vnet);
            let needed_groups = CORE_GROUPS
                .iter()
                .map(|g| (*g, Tri::True))
                .chain(BATCH_GROUPS.iter().map(|g| (*g, batch)));
            let mut missing = Vec::new();
            let mut fails_any = Tri::False;
            for (group, needed) in needed_groups {
                let reachable = self.endpoint_reaches(group, &needing.vnet).or(by_rule);
                let fails = needed.and(!reachable);
                if fails != Tri::False {
                    missing.push(group);
                    fails_any = fails_any.or(fails);
                }
            }
            let severity_basis = private.and(needing.certainty).and(fails_any);
            if missing.is_empty() {
                continue;
            }
            let severity = match severity_basis {
                Tri::True => Severity::Warning,
                Tri::Unknown => {
                    self.ctx.indeterminate();
                    Severity::Note
                }
                Tri::False => continue,
            };
            self.report(&needing, &missing, severity);
        }
    }

    fn report(&self, needing: &NeedingVnet, missing: &[&str], severity: Severity) {
        let groups = missing
            .iter()
            .map(|g| format!("'{g}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let vnet_name = needing
            .vnet
            .last_name()
            .and_then(|s| s.as_known())
            .unwrap_or("(name unknown)");
        let storage = self.storage.resource();
        let message = if severity == Severity::Note {
            format!(
                "Cannot decide whether default storage '{}' has a private endpoint for {groups} or a service-endpoint rule reachable from VNet '{vnet_name}': it depends on a peering, a network setting or a resource the template does not show.",
                storage.display_name()
            )
        } else {
            format!(
                "Default storage '{}' has no private endpoint for {groups} and no service-endpoint rule reachable from VNet '{vnet_name}'.",
                storage.display_name()
            )
        };
        let mut finding = Finding::new(storage, "", message)
            .severity(severity)
            .label(if severity == Severity::Note {
                format!("reach from '{vnet_name}' for {groups} undecided")
            } else {
                format!("not reachable from '{vnet_name}' for {groups}")
            })
            .related(self.workspace, self.workspace_path, "the workspace's default storage")
            .help(format!(
                "add private endpoints for {groups} in (or peered with) VNet '{vnet_name}', with their DNS zones; or enable the `Microsoft.Storage` service endpoint on its subnet and add a VNet rule for it"
            ));
        if let Some(resource) = resource_of(self.sets, needing.because) {
            finding = finding.related(resource, &needing.because_path, needing.because_label);
        }
        for endpoint in &self.endpoints {
            if let Some(resource) = resource_of(self.sets, endpoint.node) {
                finding = finding.related(
                    resource,
                    "properties.subnet.id",
                    match &endpoint.groups {
                        Some(groups) => format!("storage endpoint for '{}'", groups.join(", ")),
                        None => "storage endpoint (group known only at deployment)".to_owned(),
                    },
                );
            }
        }
        self.ctx.report(finding);
    }

    /// `PE_VNETS(w) ∪ COMPUTE_VNETS(w)`, once each, with the resource that adds each VNet.
    fn needing_vnets(&self, workspace: NodeId) -> Vec<NeedingVnet> {
        let mut found: Vec<NeedingVnet> = Vec::new();
        let mut add = |vnet: ResourceId, certainty: Tri, because, path: String, label| match found
            .iter_mut()
            .find(|n| n.vnet.matches(&vnet) == Tri::True)
        {
            Some(existing) => existing.certainty = existing.certainty.or(certainty),
            None => found.push(NeedingVnet {
                vnet,
                certainty,
                because,
                because_path: path,
                because_label: label,
            }),
        };
        for member in self.sets.private_endpoint_vnets(workspace).members {
            add(
                member.item.vnet,
                member.certainty,
                member.item.endpoint,
                "properties.subnet.id".to_owned(),
                "workspace private endpoint in this VNet",
            );
        }
        for member in self.sets.compute_subnets(workspace).members {
            let Some(vnet) = member.item.vnet() else {
                continue;
            };
            let path = self
                .sets
                .graph()
                .outgoing(member.item.holder, EdgeKind::InSubnet)
                .next()
                .map_or_else(String::new, |r| body_path(&r.path));
            add(
                vnet,
                member.certainty,
                member.item.holder,
                path,
                "compute in this VNet",
            );
        }
        found
    }

    /// Whether an endpoint for `group` is in a VNet that reaches `vnet`.
    fn endpoint_reaches(&self, group: &str, vnet: &ResourceId) -> Tri {
        Tri::any(self.endpoints.iter().map(|e| {
            let has_group = match &e.groups {
                Some(groups) => Tri::from(groups.iter().any(|g| g.eq_ignore_ascii_case(group))),
                None => Tri::Unknown,
            };
            let reach = match &e.vnet {
                Some(own) => self.sets.reach(own, vnet).value,
                None => Tri::Unknown,
            };
            e.present.and(has_group).and(reach)
        }))
    }

    /// Whether a VNet rule of the storage names a subnet of `vnet` that has the
    /// `Microsoft.Storage` service endpoint (the documented service-endpoint alternative).
    fn service_endpoint_rule(&self, vnet: &ResourceId) -> Tri {
        let rules = match self.storage.network_acls().virtual_network_rule_ids() {
            Setting::Set(rules) | Setting::Default(rules) => rules,
            Setting::Absent => return Tri::False,
            Setting::Unknown(_) => return Tri::Unknown,
        };
        Tri::any(rules.iter().map(|rule| {
            let subnet = match rule {
                Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    Err(_) => return Tri::False,
                },
                Setting::Absent => return Tri::False,
                Setting::Unknown(_) => return Tri::Unknown,
            };
            let in_vnet = vnet_of_subnet(&subnet).map_or(Tri::False, |v| v.matches(vnet));
            in_vnet.and(self.has_storage_service_endpoint(&subnet))
        }))
    }

    fn has_storage_service_endpoint(&self, subnet: &ResourceId) -> Tri {
        let Some(view) = self
            .sets
            .graph()
            .find(subnet)
            .and_then(|node| resource_of(self.sets, node))
            .and_then(Subnet::of)
        else {
            return Tri::Unknown;
        };
        match view.service_endpoints() {
            Setting::Set(services) | Setting::Default(services) => {
                Tri::any(services.iter().map(|service| {
                    service.test(|s| {
                        s.eq_ignore_ascii_case("Microsoft.Storage")
                            || s.eq_ignore_ascii_case("Microsoft.Storage.Global")
                    })
                }))
            }
            Setting::Absent => Tri::False,
            Setting::Unknown(_) => Tri::Unknown,
        }
    }

    /// Whether the workspace has batch endpoints in this template.
    fn has_batch_endpoints(&self, workspace: NodeId) -> Tri {
        let Some(workspace_id) = self.sets.graph().node(workspace).and_then(|n| n.id()) else {
            return Tri::Unknown;
        };
        Tri::any(
            self.sets
                .graph()
                .resources()
                .of_type("Microsoft.MachineLearningServices/workspaces/batchEndpoints")
                .map(|r| {
                    let owner =
                        r.id.as_ref()
                            .and_then(ResourceId::parent)
                            .map_or(Tri::Unknown, |p| p.matches(workspace_id));
                    r.state.deployed().and(owner)
                }),
        )
    }
}
