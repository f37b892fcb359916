use super::mvn_support::declared_rules;
use crate::codes::Severity;
use crate::model::kinds::{IsolationMode, OutboundRuleKind, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that `ServiceTag` and `FQDN` outbound rules (inline in
    /// `properties.managedNetwork.outboundRules` or as `workspaces/outboundRules` children)
    /// belong to a workspace whose managed network uses `AllowOnlyApprovedOutbound`, and that a
    /// workspace without a managed network (`isolationMode` `Disabled` or absent) declares no
    /// outbound rules at all. A project workspace is judged by its hub's mode.
    ///
    /// ## Why is this bad?
    /// Service-tag and FQDN rules exist only in approved-outbound mode: with
    /// `AllowInternetOutbound` all internet egress is already open and the provider rejects them
    /// (error). Without a managed network no rule has any effect, so the template promises an
    /// egress configuration that does not exist (warning) (AML-MVN-002).
    ///
    /// ## Example
    /// ```json
    /// "managedNetwork": {
    ///   "isolationMode": "AllowInternetOutbound",
    ///   "outboundRules": {
    ///     "pypi": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: approved-outbound mode with the same rule (or drop the rule, since internet
    /// egress is open anyway).
    /// ```json
    /// "managedNetwork": {
    ///   "isolationMode": "AllowOnlyApprovedOutbound",
    ///   "outboundRules": {
    ///     "pypi": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: outbound rules](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    pub struct OutboundRuleOutsideApprovedMode;
    code: "AML-MVN-002",
    name: "outbound-rule-outside-approved-mode",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Service-tag and FQDN outbound rules need AllowOnlyApprovedOutbound; rules without a managed network have no effect.",
}

impl Rule for OutboundRuleOutsideApprovedMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        if declared.some_unknown {
            ctx.indeterminate();
        }
        for rule in &declared.rules {
            let kind = match rule.rule.kind() {
                Setting::Set(kind) | Setting::Default(kind) => kind,
                // An absent or invalid type is a shape problem, not a mode problem.
                Setting::Absent | Setting::Unknown(_) => continue,
            };
            let mode = match rule.mode(&sets) {
                Setting::Set(mode) | Setting::Default(mode) => mode,
                Setting::Absent => IsolationMode::Disabled,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let open_kind = matches!(kind, OutboundRuleKind::ServiceTag | OutboundRuleKind::Fqdn);
            let severity = match mode {
                IsolationMode::AllowOnlyApprovedOutbound => continue,
                IsolationMode::AllowInternetOutbound if open_kind => Severity::Error,
                IsolationMode::AllowInternetOutbound => continue,
                IsolationMode::Disabled => Severity::Warning,
            };
            let workspace = rule.workspace_name(&sets);
            let name = rule.name();
            let message = if open_kind {
                format!(
                    "Outbound rule '{name}' ({kind}) is only valid with AllowOnlyApprovedOutbound; workspace '{workspace}' uses {mode}."
                )
            } else {
                format!(
                    "Outbound rule '{name}' ({kind}) has no effect; workspace '{workspace}' uses {mode} (no managed network)."
                )
            };
            let help = match mode {
                IsolationMode::Disabled => {
                    "set `managedNetwork.isolationMode` to `AllowOnlyApprovedOutbound` (or `AllowInternetOutbound` for private endpoint rules only), or remove the rule"
                }
                _ => {
                    "switch to `AllowOnlyApprovedOutbound`, or keep `PrivateEndpoint` rules only: internet egress is already open in `AllowInternetOutbound`"
                }
            };
            let mut finding = Finding::new(rule.resource(), &rule.path("type"), message)
                .severity(severity)
                .label(format!("{kind} rule"))
                .help(help);
            if let Some((_, hub)) = rule.hub(&sets) {
                // An inline rule already points into its workspace; a child rule or a project's
                // rule is explained by the workspace whose mode applies.
                if hub.resource().index != rule.resource().index {
                    let path = if hub.isolation_mode().is_set() {
                        "properties.managedNetwork.isolationMode"
                    } else {
                        ""
                    };
                    finding =
                        finding.related(hub.resource(), path, format!("isolation mode {mode}"));
                }
            }
            ctx.report(finding);
        }
    }
}
