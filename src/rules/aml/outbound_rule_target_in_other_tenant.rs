use super::mvn_support::declared_rules;
use crate::codes::Severity;
use crate::model::kinds::{OutboundRuleKind, Setting};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the target (`destination.serviceResourceId`) of every `PrivateEndpoint`
    /// outbound rule is in the workspace's Microsoft Entra tenant. Tenants are known only through
    /// a subscription-to-tenant map in the deployment context, which the analyzer does not have
    /// yet: a target in another subscription than the workspace is therefore reported as
    /// "cannot decide" (info), naming both subscriptions; a target in the workspace's
    /// subscription is in its tenant.
    ///
    /// ## Why is this bad?
    /// The managed network can create private endpoints to resources of another subscription,
    /// but not of another tenant: the rule then fails to provision and the managed computes
    /// cannot reach the target (AML-MVN-013).
    ///
    /// ## Example
    /// ```json
    /// "partner-blob": {
    ///   "type": "PrivateEndpoint",
    ///   "destination": {
    ///     "serviceResourceId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-partner/providers/Microsoft.Storage/storageAccounts/stpartner",
    ///     "subresourceTarget": "blob"
    ///   }
    /// }
    /// ```
    /// where that subscription belongs to another tenant.
    ///
    /// Use instead: a target in the workspace's tenant (another subscription of the same tenant
    /// is fine), or share the data through a resource in that tenant.
    /// ```json
    /// "data-blob": {
    ///   "type": "PrivateEndpoint",
    ///   "destination": {
    ///     "serviceResourceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontosodata')]",
    ///     "subresourceTarget": "blob"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: private endpoints](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#private-endpoints)
    pub struct OutboundRuleTargetInOtherTenant;
    code: "AML-MVN-013",
    name: "outbound-rule-target-in-other-tenant",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Private-endpoint outbound rule targets are in the workspace's tenant.",
}

impl Rule for OutboundRuleTargetInOtherTenant {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = sets.graph();
        let declared = declared_rules(&sets);
        if declared.some_unknown {
            ctx.indeterminate();
        }
        for rule in &declared.rules {
            if rule.kind() != Some(OutboundRuleKind::PrivateEndpoint) {
                continue;
            }
            let target = match rule.rule.service_resource_id() {
                Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    // A malformed id is AML-MVN-003's finding.
                    Err(_) => continue,
                },
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let Some(workspace_id) = rule
                .workspace
                .and_then(|node| graph.node(node))
                .and_then(|node| node.id())
            else {
                ctx.indeterminate();
                continue;
            };
            let (Some(target_subscription), Some(workspace_subscription)) =
                (target.subscription_id(), workspace_id.subscription_id())
            else {
                ctx.indeterminate();
                continue;
            };
            match target_subscription.matches(workspace_subscription) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let shown_subscription = |segment: &crate::model::Segment| {
                segment
                    .as_known()
                    .map_or_else(|| "(unknown)".to_owned(), ToOwned::to_owned)
            };
            ctx.report(
                Finding::new(
                    rule.resource(),
                    &rule.path("destination.serviceResourceId"),
                    format!(
                        "Cannot decide whether outbound rule '{}' targets '{target}' in another tenant: its subscription {} differs from that of workspace '{}' ({}), and the deployment context maps no subscriptions to tenants; another subscription is allowed, another tenant is not.",
                        rule.name(),
                        shown_subscription(target_subscription),
                        rule.workspace_name(&sets),
                        shown_subscription(workspace_subscription),
                    ),
                )
                .severity(Severity::Note)
                .label("target in another subscription")
                .help("make sure the subscription belongs to the workspace's tenant; a private endpoint rule cannot cross tenants"),
            );
        }
    }
}
