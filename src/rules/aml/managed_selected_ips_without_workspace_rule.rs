use super::support::hub_workspaces;
use crate::graph::Pna;
use crate::model::kinds::{OutboundRule, OutboundRuleKind, Setting};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace with a managed network (`isolationMode`
    /// `AllowInternetOutbound` or `AllowOnlyApprovedOutbound`) whose public access is limited to
    /// selected IP addresses has a private-endpoint outbound rule to itself (`type:
    /// PrivateEndpoint`, `destination.serviceResourceId` the workspace, `subresourceTarget:
    /// amlworkspace`), declared as a `workspaces/outboundRules` child. A rule that exists only
    /// inline in the resource that creates the workspace is reported too.
    ///
    /// ## Why is this bad?
    /// Managed computes reach the workspace from the managed network, whose addresses are not
    /// on the IP list; without a private endpoint rule to the workspace they cannot reach it.
    /// The rule cannot be added when the workspace is created, so it belongs in a child
    /// resource that depends on the workspace, or in a follow-up deployment (AML-PNA-011).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-07-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Enabled",
    ///     "ipAllowlist": ["203.0.113.0/24"],
    ///     "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: add the rule as a child resource that depends on the workspace.
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/outboundRules",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/workspace-pe",
    ///   "dependsOn": ["[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw-contoso')]"],
    ///   "properties": {
    ///     "type": "PrivateEndpoint",
    ///     "category": "UserDefined",
    ///     "destination": {
    ///       "serviceResourceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw-contoso')]",
    ///       "subresourceTarget": "amlworkspace",
    ///       "sparkEnabled": false
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: enable access from selected IP addresses](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#scenario-enable-access-from-selected-ip-addresses)
    pub struct ManagedSelectedIpsWithoutWorkspaceRule;
    code: "AML-PNA-011",
    name: "managed-selected-ips-without-workspace-rule",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A managed-network workspace open to selected IPs has a private endpoint outbound rule to itself.",
}

impl Rule for ManagedSelectedIpsWithoutWorkspaceRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            let resource = workspace.resource();
            let applies = sets.managed(node).value.and(
                sets.effective_public_access(node)
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
            let Some(workspace_id) = resource.id.as_ref() else {
                ctx.indeterminate();
                continue;
            };
            let children = ctx.resources().iter().filter_map(|candidate| {
                let rule = OutboundRule::of(candidate)?;
                let child = candidate.id.as_ref()?.is_child_of(workspace_id);
                let written = candidate.state.deployed();
                Some(
                    child
                        .and(written)
                        .and(targets_workspace(&rule, workspace_id)),
                )
            });
            let as_child = Tri::any(children);
            let inline = Tri::any(
                OutboundRule::inline(&workspace)
                    .iter()
                    .map(|rule| targets_workspace(rule, workspace_id)),
            );
            let name = resource.display_name();
            match (as_child, inline) {
                (Tri::True, _) => {}
                (Tri::Unknown, _) => ctx.indeterminate(),
                (Tri::False, Tri::True) => ctx.report(
                    Finding::new(
                        resource,
                        "properties.managedNetwork.outboundRules",
                        format!(
                            "Workspace '{name}' declares its private endpoint outbound rule to itself only inline in the resource that creates it; the rule cannot be added at creation."
                        ),
                    )
                    .label("rule to the workspace declared inline")
                    .help("move the rule to a `workspaces/outboundRules` child that depends on the workspace, or add it in a follow-up deployment"),
                ),
                (Tri::False, Tri::Unknown) => ctx.indeterminate(),
                (Tri::False, Tri::False) => ctx.report(
                    Finding::new(
                        resource,
                        "properties.managedNetwork",
                        format!(
                            "Workspace '{name}' limits public access to selected IPs and uses a managed network; managed computes need a private endpoint outbound rule to the workspace itself."
                        ),
                    )
                    .label("managed network without a rule to the workspace")
                    .help("add `workspaces/outboundRules` (type `PrivateEndpoint`, destination the workspace, subresource `amlworkspace`) depending on the workspace"),
                ),
            }
        }
    }
}

/// Whether an outbound rule is a private endpoint rule to `workspace` with the
/// `amlworkspace` sub-resource.
pub(super) fn targets_workspace(rule: &OutboundRule<'_>, workspace: &ResourceId) -> Tri {
    let kind = rule.kind().is(&OutboundRuleKind::PrivateEndpoint);
    let target = match rule.service_resource_id() {
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) => id.matches(workspace),
            Err(_) => Tri::False,
        },
        Setting::Unknown(_) => Tri::Unknown,
        Setting::Absent => Tri::False,
    };
    let group = rule
        .subresource_target()
        .test(|group| group.eq_ignore_ascii_case("amlworkspace"));
    kind.and(target).and(group)
}
