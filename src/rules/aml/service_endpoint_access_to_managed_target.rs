use std::collections::BTreeSet;

use super::mvn_support::declared_rules;
use super::support::{hub_workspaces, node_name, resource_of};
use crate::graph::{AssociatedRole, NodeId};
use crate::model::kinds::{KeyVault, NetworkAcls, OutboundRuleKind, Setting, StorageAccount};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Where service-endpoint VNet rules are written on storage accounts and key vaults.
const VNET_RULES_PATH: &str = "properties.networkAcls.virtualNetworkRules";

crate::declare_rule! {
    /// ## What it does
    /// For a workspace with a managed network, checks the storage accounts and key vaults the
    /// managed network reaches by private endpoint — the targets of its `PrivateEndpoint`
    /// outbound rules and the workspace's associated storage account and key vault, which get
    /// private endpoints automatically — and reports those that also grant access through
    /// service-endpoint VNet rules (`properties.networkAcls.virtualNetworkRules`).
    ///
    /// ## Why is this bad?
    /// The managed network does not support a resource that is configured both for private
    /// endpoint and for service endpoint access: the managed network's endpoints to it may fail
    /// or traffic may take the service-endpoint path (AML-MVN-015).
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
    ///       "virtualNetworkRules": [ { "id": "[variables('trainingSubnetId')]", "action": "Allow" } ]
    ///     }
    ///   }
    /// }
    /// ```
    /// as the default storage of a managed-network workspace.
    ///
    /// Use instead: private endpoints only.
    /// ```json
    /// {
    ///   "type": "Microsoft.Storage/storageAccounts",
    ///   "apiVersion": "2023-05-01",
    ///   "name": "stcontosoml",
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "networkAcls": { "defaultAction": "Deny", "bypass": "AzureServices" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#limitations)
    pub struct ServiceEndpointAccessToManagedTarget;
    code: "AML-MVN-015",
    name: "service-endpoint-access-to-managed-target",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A resource the managed network reaches by private endpoint is not also configured for service endpoints.",
}

impl Rule for ServiceEndpointAccessToManagedTarget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = sets.graph();
        let declared = declared_rules(&sets);
        let mut reported = BTreeSet::new();
        for (hub, workspace) in hub_workspaces(&sets) {
            match sets.managed(hub).value {
                Tri::True => {}
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            // Targets: associated storage and key vault, then private endpoint rule targets.
            // Each target with the place that makes the managed network reach it.
            let mut targets: Vec<(NodeId, &Resource, String, &str)> = sets
                .associated(hub)
                .possible()
                .filter(|member| {
                    matches!(
                        member.role,
                        AssociatedRole::StorageAccount | AssociatedRole::KeyVault
                    )
                })
                .map(|member| {
                    (
                        member.node,
                        workspace.resource(),
                        "properties.managedNetwork".to_owned(),
                        "managed network (associated resource)",
                    )
                })
                .collect();
            for rule in declared
                .of_hub(&sets, hub)
                .filter(|rule| rule.kind() == Some(OutboundRuleKind::PrivateEndpoint))
            {
                let target = rule
                    .rule
                    .service_resource_id()
                    .known()
                    .and_then(|text| ResourceId::parse(text).ok())
                    .and_then(|id| graph.find(&id));
                if let Some(node) = target {
                    targets.push((
                        node,
                        rule.resource(),
                        rule.path("destination.serviceResourceId"),
                        "private endpoint outbound rule",
                    ));
                }
            }
            for (target, reached_from, reached_path, why) in targets {
                let Some(resource) = resource_of(&sets, target) else {
                    continue;
                };
                let acls: Option<NetworkAcls<'_>> = StorageAccount::of(resource)
                    .map(|view| view.network_acls())
                    .or_else(|| KeyVault::of(resource).map(|view| view.network_acls()));
                let Some(acls) = acls else {
                    continue;
                };
                let has_vnet_rules = match acls.virtual_network_rule_ids() {
                    Setting::Set(rules) | Setting::Default(rules) => !rules.is_empty(),
                    Setting::Absent => false,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                };
                if !has_vnet_rules || !reported.insert(target) {
                    continue;
                }
                ctx.report(
                    Finding::new(
                        resource,
                        VNET_RULES_PATH,
                        format!(
                            "'{}' is reached from the managed network of '{}' by private endpoint and also configured for service endpoints; the managed network does not support both.",
                            node_name(&sets, target),
                            workspace.resource().display_name()
                        ),
                    )
                    .label("service-endpoint VNet rules")
                    .related(reached_from, &reached_path, why)
                    .help("remove the service-endpoint VNet rules and reach the resource through private endpoints only"),
                );
            }
        }
    }
}
