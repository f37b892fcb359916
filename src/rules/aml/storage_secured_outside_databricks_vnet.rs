use super::attached_support::databricks_links;
use super::support::{node_name, resource_of};
use crate::graph::{AssociatedRole, EdgeKind, vnet_of_subnet};
use crate::model::kinds::{DatabricksWorkspace, PrivateEndpoint, Setting, StorageAccount};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks, for a workspace that attaches a Databricks workspace as a `Databricks` compute,
    /// that a network-restricted workspace storage account (public access disabled or firewall
    /// default action `Deny`) secured in virtual networks (through private endpoints or
    /// `networkAcls.virtualNetworkRules`) is secured in the Databricks virtual network
    /// (`customVirtualNetworkId`) too.
    ///
    /// ## Why is this bad?
    /// Databricks clusters read and write the workspace's storage directly. When the account
    /// admits only the networks it is secured in and the Databricks virtual network is not one
    /// of them, the Databricks jobs cannot reach the data.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Storage/storageAccounts",
    ///   "apiVersion": "2023-05-01",
    ///   "name": "stcontosoml",
    ///   "properties": {
    ///     "networkAcls": {
    ///       "defaultAction": "Deny",
    ///       "virtualNetworkRules": [ { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-training')]" } ]
    ///     }
    ///   }
    /// }
    /// ```
    /// with the Databricks workspace injected into `vnet-dbx`.
    ///
    /// Use instead: secure the storage account in the Databricks VNet as well (a virtual network
    /// rule for a Databricks subnet with the `Microsoft.Storage` service endpoint, or a private
    /// endpoint in `vnet-dbx`).
    /// ```json
    /// "virtualNetworkRules": [
    ///   { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-training')]" },
    ///   { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-dbx', 'snet-dbx-private')]" }
    /// ]
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks (Azure Databricks)](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct StorageSecuredOutsideDatabricksVnet;
    code: "AML-DBX-002",
    name: "storage-secured-outside-databricks-vnet",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Network-secured workspace storage is secured in the Databricks VNet too.",
}

/// A VNet a storage account is secured in, and the resource and path that say so.
struct SecuringVnet<'g> {
    vnet: ResourceId,
    holder: &'g Resource,
    path: String,
}

impl Rule for StorageSecuredOutsideDatabricksVnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for link in databricks_links(ctx, &sets) {
            let Some(databricks) = DatabricksWorkspace::of(link.databricks) else {
                continue;
            };
            let databricks_vnet = match databricks.custom_virtual_network_id() {
                Setting::Set(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    Err(_) => continue,
                },
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            let associated = sets.associated(link.workspace);
            if !associated.open.is_empty() {
                ctx.indeterminate();
            }
            for member in associated.possible() {
                if member.role != AssociatedRole::StorageAccount {
                    continue;
                }
                let (vnets, complete) = securing_vnets(&sets, member.node);
                if vnets.is_empty() {
                    if !complete {
                        ctx.indeterminate();
                    }
                    continue;
                }
                // An account open to all networks is reachable from Databricks whatever its
                // endpoints: only a network-restricted one is "secured" in its VNets.
                match sets.restricted(member.node).value {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                }
                let shared = Tri::any(vnets.iter().map(|v| v.vnet.matches(&databricks_vnet)));
                match (shared, complete) {
                    (Tri::True, _) => continue,
                    (Tri::Unknown, _) | (Tri::False, false) => {
                        ctx.indeterminate();
                        continue;
                    }
                    (Tri::False, true) => {}
                }
                let Some(storage) = resource_of(&sets, member.node) else {
                    continue;
                };
                let name_of = |id: &ResourceId| {
                    id.last_name()
                        .and_then(|s| s.as_known())
                        .unwrap_or("(name unknown)")
                        .to_owned()
                };
                let first = &vnets[0];
                let databricks_vnet_name = name_of(&databricks_vnet);
                let mut finding = Finding::new(
                    storage,
                    "",
                    format!(
                        "Storage '{}' is secured in VNet '{}'; with Databricks it must be in the Databricks VNet '{databricks_vnet_name}'.",
                        node_name(&sets, member.node),
                        name_of(&first.vnet),
                    ),
                )
                .label("storage secured outside the Databricks VNet")
                .help(format!(
                    "add a private endpoint of the storage account in '{databricks_vnet_name}', or a virtual network rule for one of its subnets"
                ));
                for securing in &vnets {
                    finding = finding.related(
                        securing.holder,
                        &securing.path,
                        format!("secured in VNet '{}'", name_of(&securing.vnet)),
                    );
                }
                finding = finding.related(
                    link.databricks,
                    "properties.parameters.customVirtualNetworkId.value",
                    format!("Databricks VNet '{databricks_vnet_name}'"),
                );
                ctx.report(link.explain(finding));
            }
        }
    }
}

/// The VNets a storage account is secured in (its private endpoints' VNets and its virtual
/// network rules' VNets), and whether the list is complete (no id known only at deployment, and
/// the account's firewall is visible).
fn securing_vnets<'g>(
    sets: &crate::graph::DerivedSets<'g>,
    storage: crate::graph::NodeId,
) -> (Vec<SecuringVnet<'g>>, bool) {
    let mut vnets = Vec::new();
    let mut complete = true;
    for relation in sets.graph().incoming(storage, EdgeKind::PrivateLinkTarget) {
        if sets.written(relation.from) == Tri::False {
            continue;
        }
        let Some(endpoint_resource) = resource_of(sets, relation.from) else {
            continue;
        };
        let Some(endpoint) = PrivateEndpoint::of(endpoint_resource) else {
            continue;
        };
        match endpoint.subnet_id() {
            Setting::Set(text) => match ResourceId::parse(text)
                .ok()
                .as_ref()
                .and_then(vnet_of_subnet)
            {
                Some(vnet) => vnets.push(SecuringVnet {
                    vnet,
                    holder: endpoint_resource,
                    path: "properties.subnet.id".to_owned(),
                }),
                None => complete = false,
            },
            Setting::Unknown(_) => complete = false,
            _ => {}
        }
    }
    let Some(account) = resource_of(sets, storage).and_then(StorageAccount::of) else {
        return (vnets, false);
    };
    match account.network_acls().virtual_network_rule_ids() {
        Setting::Set(ids) | Setting::Default(ids) => {
            for (index, id) in ids.into_iter().enumerate() {
                match id.known().map(ResourceId::parse) {
                    Some(Ok(subnet)) => match vnet_of_subnet(&subnet) {
                        Some(vnet) => vnets.push(SecuringVnet {
                            vnet,
                            holder: account.resource(),
                            path: format!("properties.networkAcls.virtualNetworkRules.{index}.id"),
                        }),
                        None => complete = false,
                    },
                    _ => complete = false,
                }
            }
        }
        Setting::Absent => {}
        Setting::Unknown(_) => complete = false,
    }
    (vnets, complete)
}
