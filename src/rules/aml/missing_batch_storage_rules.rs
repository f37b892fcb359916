use super::mvn_support::declared_rules;
use super::support::{hub_workspaces, resource_of};
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::kinds::Setting;
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The batch endpoint resource type.
const BATCH_ENDPOINT_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/batchEndpoints";

/// The sub-resources of the default storage that batch scoring uses besides blob and file.
const BATCH_SUBRESOURCES: [&str; 2] = ["queue", "table"];

crate::declare_rule! {
    /// ## What it does
    /// For a workspace with a managed network that deploys batch endpoints
    /// (`workspaces/batchEndpoints`, on the workspace or on a project of the hub), checks that
    /// its outbound rules include `PrivateEndpoint` rules to the workspace's default storage
    /// account (`properties.storageAccount`) with `subresourceTarget` `queue` and `table`.
    ///
    /// ## Why is this bad?
    /// Batch endpoints and ParallelRunStep use the storage account's queues and tables. The
    /// managed network creates private endpoints to the default storage's blob and file
    /// sub-resources only; without the two extra rules, batch jobs of a locked-down storage
    /// account cannot reach its queues and tables (AML-MVN-011).
    ///
    /// ## Example
    /// ```json
    /// "managedNetwork": {
    ///   "isolationMode": "AllowOnlyApprovedOutbound"
    /// }
    /// ```
    /// with a `Microsoft.MachineLearningServices/workspaces/batchEndpoints` child.
    ///
    /// Use instead:
    /// ```json
    /// "managedNetwork": {
    ///   "isolationMode": "AllowOnlyApprovedOutbound",
    ///   "outboundRules": {
    ///     "storage-queue": { "type": "PrivateEndpoint", "destination": { "serviceResourceId": "[variables('storageId')]", "subresourceTarget": "queue" } },
    ///     "storage-table": { "type": "PrivateEndpoint", "destination": { "serviceResourceId": "[variables('storageId')]", "subresourceTarget": "table" } }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: scenario "use batch endpoints or ParallelRunStep"](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#scenario-use-batch-endpoints-or-parallelrunstep)
    pub struct MissingBatchStorageRules;
    code: "AML-MVN-011",
    name: "missing-batch-storage-rules",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Batch endpoints in a managed network have private endpoint rules to the default storage's queue and table.",
}

impl Rule for MissingBatchStorageRules {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        for (hub, workspace) in hub_workspaces(&sets) {
            let endpoints = batch_endpoints_of(&sets, hub);
            if endpoints.is_empty() {
                continue;
            }
            match sets.managed(hub).value {
                Tri::True => {}
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            let storage = match workspace.storage_account() {
                Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text).ok(),
                Setting::Absent => None,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let Some(storage) = storage else {
                continue;
            };
            let mut missing = Vec::new();
            for group in BATCH_SUBRESOURCES {
                match declared.hub_reaches(&sets, hub, &storage, group) {
                    Tri::True => {}
                    Tri::False => missing.push(group),
                    Tri::Unknown => ctx.indeterminate(),
                }
            }
            if missing.is_empty() {
                continue;
            }
            let resource = workspace.resource();
            let path = if workspace
                .managed_outbound_rules()
                .value()
                .is_some_and(|r| !r.is_empty())
            {
                "properties.managedNetwork.outboundRules"
            } else {
                "properties.managedNetwork"
            };
            let mut finding = Finding::new(
                resource,
                path,
                format!(
                    "Batch endpoints of '{}' need private endpoint rules to the default storage's queue and table sub-resources; missing: {}.",
                    resource.display_name(),
                    missing.join(", ")
                ),
            )
            .label("no queue/table rule to the default storage")
            .help("add `PrivateEndpoint` outbound rules to the default storage account with `subresourceTarget` `queue` and `table`");
            for endpoint in endpoints {
                finding = finding.related(endpoint, "", "batch endpoint");
            }
            ctx.report(finding);
        }
    }
}

/// The batch endpoints the template may write on `hub` or on a project whose hub it is.
fn batch_endpoints_of<'g>(sets: &DerivedSets<'g>, hub: NodeId) -> Vec<&'g Resource> {
    let graph = sets.graph();
    sets.workspaces_of_hub(hub)
        .into_iter()
        .flat_map(|workspace| {
            graph
                .incoming(workspace, EdgeKind::Parent)
                .map(|relation| relation.from)
                .collect::<Vec<_>>()
        })
        .filter_map(|node| resource_of(sets, node))
        .filter(|resource| {
            resource.is_type(BATCH_ENDPOINT_TYPE) && resource.state.deployed().is_possible()
        })
        .collect()
}
