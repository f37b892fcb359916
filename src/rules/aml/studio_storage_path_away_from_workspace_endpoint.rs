use super::dns_support::id_name;
use super::pe_support::endpoints_to;
use super::support::{hub_workspaces, node_name, resource_of};
use crate::graph::{AssociatedRole, DerivedSets, NodeId};
use crate::model::kinds::{PrivateEndpoint, Setting, StorageAccount};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks, for a workspace with private endpoints and a network-restricted default storage
    /// account, that the storage access path sits where the workspace endpoint is: a storage
    /// private endpoint in one of the workspace-endpoint VNets, or (for storage reached through
    /// service endpoints) a workspace endpoint in one of the subnets the storage's virtual
    /// network rules allow.
    ///
    /// ## Why is this bad?
    /// The studio reads the default storage from the user's browser through the workspace's
    /// network path. Microsoft documents that the studio works with secured storage only when the
    /// storage private endpoint is in the same VNet as the workspace endpoint, or, with service
    /// endpoints, when the workspace endpoint is in an allowed subnet. Otherwise datasets,
    /// notebooks and run outputs fail to load in the studio.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-st-blob",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-data', 'snet-pe')]" },
    ///     "privateLinkServiceConnections": [{ "name": "blob", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stml')]", "groupIds": ["blob"] } }]
    ///   }
    /// }
    /// ```
    /// (the workspace endpoint is in `vnet-ml`)
    ///
    /// Use instead: place a storage endpoint in the workspace endpoint's VNet.
    /// ```json
    /// {
    ///   "properties": {
    ///     "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-pe')]" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet)
    pub struct StudioStoragePathAwayFromWorkspaceEndpoint;
    code: "AML-PE-008",
    name: "studio-storage-path-away-from-workspace-endpoint",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "The default storage's private or service endpoint sits with the workspace private endpoint, for the studio.",
}

impl Rule for StudioStoragePathAwayFromWorkspaceEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (workspace, view) in hub_workspaces(&sets) {
            // The workspace endpoints, with their subnets.
            let placed = sets.private_endpoint_vnets(workspace);
            let mut workspace_endpoints: Vec<(&Resource, ResourceId)> = Vec::new();
            for member in &placed.members {
                if member.certainty != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                if let Some(endpoint) = resource_of(&sets, member.item.endpoint) {
                    workspace_endpoints.push((endpoint, member.item.vnet.clone()));
                }
            }
            if workspace_endpoints.is_empty() {
                continue;
            }
            for member in sets.associated(workspace).possible() {
                if member.role != AssociatedRole::StorageAccount {
                    continue;
                }
                check_storage(
                    ctx,
                    &sets,
                    view.resource(),
                    &workspace_endpoints,
                    member.node,
                );
            }
        }
    }
}

fn check_storage(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    workspace: &Resource,
    workspace_endpoints: &[(&Resource, ResourceId)],
    storage: NodeId,
) {
    // Studio reaches open storage over the internet: only a restricted one needs co-location.
    match sets.restricted(storage).value {
        Tri::True => {}
        Tri::Unknown => {
            ctx.indeterminate();
            return;
        }
        Tri::False => return,
    }
    let Some(storage_resource) = resource_of(sets, storage) else {
        return;
    };
    let endpoints = endpoints_to(sets, storage);
    let rule_subnets: Vec<Option<ResourceId>> = match StorageAccount::of(storage_resource)
        .map(|s| s.network_acls().virtual_network_rule_ids())
    {
        Some(Setting::Set(ids)) => ids
            .into_iter()
            .map(|id| id.known().and_then(|text| ResourceId::parse(text).ok()))
            .collect(),
        Some(Setting::Unknown(_)) => vec![None],
        _ => Vec::new(),
    };
    if endpoints.is_empty() && rule_subnets.is_empty() {
        return;
    }
    let private_path = Tri::any(endpoints.iter().map(|e| match e.vnet() {
        Some(vnet) => e.certainty.and(Tri::any(
            workspace_endpoints.iter().map(|(_, v)| v.matches(&vnet)),
        )),
        None => Tri::Unknown,
    }));
    let service_path = Tri::any(workspace_endpoints.iter().map(|(endpoint, _)| {
        let subnet = match PrivateEndpoint::of(endpoint).map(|p| p.subnet_id()) {
            Some(Setting::Set(text)) => ResourceId::parse(text).ok(),
            _ => None,
        };
        Tri::any(rule_subnets.iter().map(|rule| match (rule, &subnet) {
            (Some(rule), Some(subnet)) => rule.matches(subnet),
            _ => Tri::Unknown,
        }))
    }));
    match private_path.or(service_path) {
        Tri::True => return,
        Tri::Unknown => {
            ctx.indeterminate();
            return;
        }
        Tri::False => {}
    }
    let storage_name = node_name(sets, storage);
    let workspace_vnets = workspace_endpoints
        .iter()
        .map(|(_, v)| format!("'{}'", id_name(v)))
        .collect::<Vec<_>>()
        .join(", ");
    let (path, what, detail, help) = if endpoints.is_empty() {
        (
            "properties.networkAcls.virtualNetworkRules",
            "service endpoint in the same subnet",
            format!(
                "the virtual network rules of storage account '{storage_name}' allow no subnet holding a private endpoint of workspace '{}'",
                workspace.display_name()
            ),
            "place the workspace private endpoint in a subnet the storage account's virtual network rules allow, or add a storage private endpoint in its VNet",
        )
    } else {
        (
            "",
            "private endpoint in the same VNet",
            format!(
                "no private endpoint of storage account '{storage_name}' is in VNet {workspace_vnets} of workspace '{}'",
                workspace.display_name()
            ),
            "add a private endpoint of the storage account (blob and file) in a VNet that holds a workspace private endpoint",
        )
    };
    let mut finding = Finding::new(
        storage_resource,
        path,
        format!("Studio needs the workspace endpoint and the storage {what}: {detail}."),
    )
    .label(if endpoints.is_empty() {
        "the subnets these rules allow hold no workspace endpoint"
    } else {
        "network-restricted default storage"
    })
    .help(help)
    .related(workspace, "", "workspace");
    for (endpoint, _) in workspace_endpoints {
        finding = finding.related(
            endpoint,
            "properties.subnet.id",
            "workspace private endpoint",
        );
    }
    for endpoint in &endpoints {
        finding = finding.related(
            endpoint.resource,
            "properties.subnet.id",
            "storage private endpoint elsewhere",
        );
    }
    ctx.report(finding);
}
