use super::support::{node_name, online_endpoints_of, resource_of, role_name};
use crate::codes::Severity;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the storage account, key vault, container registry and Application Insights
    /// of a workspace are in the workspace's subscription (any resource group). It is an error
    /// when the workspace is network-isolated and has a managed online endpoint, a warning
    /// otherwise. Tenants are compared only when the deployment context maps subscriptions to
    /// tenants, which it does not yet do.
    ///
    /// ## Why is this bad?
    /// With network isolation, managed online endpoints (and the workspace's private access to
    /// its dependencies) require the associated resources in the workspace's subscription and
    /// tenant; deployments fail otherwise (AML-WS-001).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "containerRegistry": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/crshared"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: a registry in the workspace's subscription (another resource group is
    /// fine).
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "containerRegistry": "[resourceId('rg-shared', 'Microsoft.ContainerRegistry/registries', 'crshared')]"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints: limitations](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint#limitations)
    /// - [Secure online endpoints](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    pub struct AssociatedResourceInOtherSubscription;
    code: "AML-WS-001",
    name: "associated-resource-in-other-subscription",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "The associated resources of a workspace are in its subscription and tenant.",
}

impl Rule for AssociatedResourceInOtherSubscription {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let associated = sets.associated(workspace);
            let mut severity = None;
            for member in associated.possible() {
                match sets.same_subscription(workspace, member.node).value {
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => {}
                }
                // Decided once per workspace, and only when there is something to report.
                let severity = *severity.get_or_insert_with(|| {
                    let managed_endpoint = Tri::any(
                        online_endpoints_of(&sets, workspace)
                            .iter()
                            .map(|(_, endpoint)| endpoint.is_managed()),
                    );
                    if sets.isolated(workspace).value.and(managed_endpoint) == Tri::True {
                        Severity::Error
                    } else {
                        Severity::Warning
                    }
                });
                let subscription = |node| {
                    sets.graph()
                        .node(node)
                        .and_then(|n| n.id())
                        .and_then(|id| id.subscription_id())
                        .and_then(|segment| segment.as_known().map(ToOwned::to_owned))
                        .unwrap_or_else(|| "(unknown)".to_owned())
                };
                let kind = role_name(member.role);
                let mut finding = Finding::new(
                    workspace_resource,
                    &member.path,
                    format!(
                        "Workspace '{}' uses {kind} '{}' from subscription {}; with network isolation the storage account, key vault, container registry and Application Insights must be in the workspace's subscription ({}) and tenant.",
                        workspace_resource.display_name(),
                        node_name(&sets, member.node),
                        subscription(member.node),
                        subscription(workspace)
                    ),
                )
                .severity(severity)
                .label(format!("{kind} in another subscription"))
                .help(format!(
                    "use (or create) the {kind} in the workspace's subscription; any resource group works"
                ));
                if let Some(resource) = resource_of(&sets, member.node) {
                    finding = finding.related(resource, "", format!("the {kind}"));
                }
                ctx.report(finding);
            }
        }
    }
}
