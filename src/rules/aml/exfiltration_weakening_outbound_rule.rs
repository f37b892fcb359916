use super::support::{hub_workspaces, resource_of};
use crate::graph::EdgeKind;
use crate::model::Tri;
use crate::model::kinds::{
    IsolationMode, OUTBOUND_RULE_TYPE, OutboundRule, OutboundRuleKind, Setting,
};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const ISOLATION_MODE_PATH: &str = "properties.managedNetwork.isolationMode";

crate::declare_rule! {
    /// ## What it does
    /// Notes where a workspace's managed network gives up data exfiltration protection: each
    /// user-defined `FQDN` or `ServiceTag` outbound rule (`Allow`) of a workspace in
    /// `AllowOnlyApprovedOutbound` mode, inline in `managedNetwork.outboundRules` or as a child
    /// `outboundRules` resource, and a workspace in `AllowInternetOutbound` mode. Projects are
    /// judged through their hub.
    ///
    /// ## Why is this bad?
    /// The approved-outbound mode protects against exfiltration because the managed network
    /// reaches only private endpoints and the destinations Azure Machine Learning needs. An FQDN
    /// or service-tag rule opens a destination that anyone with an account there can also write
    /// to, so the protection no longer holds for it; internet-outbound mode has no exfiltration
    /// control at all. The rules may be needed: the note asks for a review, not a change.
    ///
    /// ## Example
    /// ```json
    /// "managedNetwork": {
    ///   "isolationMode": "AllowOnlyApprovedOutbound",
    ///   "outboundRules": {
    ///     "pypi": { "type": "FQDN", "category": "UserDefined", "destination": "pypi.org" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: a private endpoint rule where the destination supports one (a storage
    /// account, a registry, a key vault), or a reviewed, minimal list of FQDN rules.
    /// ```json
    /// "outboundRules": {
    ///   "data-lake": {
    ///     "type": "PrivateEndpoint",
    ///     "category": "UserDefined",
    ///     "destination": { "serviceResourceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontosolake')]", "subresourceTarget": "dfs" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed virtual network isolation (data exfiltration protection)](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    pub struct ExfiltrationWeakeningOutboundRule;
    code: "AML-EXF-004",
    name: "exfiltration-weakening-outbound-rule",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "Approved-outbound workspaces know which outbound rules weaken exfiltration protection.",
}

impl Rule for ExfiltrationWeakeningOutboundRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            let resource = workspace.resource();
            let name = resource.display_name();
            match workspace.isolation_mode() {
                Setting::Set(IsolationMode::AllowInternetOutbound) => {
                    ctx.report(
                        Finding::new(
                            resource,
                            ISOLATION_MODE_PATH,
                            format!(
                                "The managed network of '{name}' allows all internet outbound traffic; data exfiltration protection does not cover it."
                            ),
                        )
                        .label("internet outbound allowed")
                        .help("use `AllowOnlyApprovedOutbound` with private endpoint rules where exfiltration matters"),
                    );
                    continue;
                }
                Setting::Set(IsolationMode::AllowOnlyApprovedOutbound) => {}
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            }
            let mut rules: Vec<(OutboundRule<'_>, String)> = OutboundRule::inline(&workspace)
                .into_iter()
                .map(|rule| {
                    let path = format!(
                        "properties.managedNetwork.outboundRules.{}",
                        rule.name().unwrap_or_default()
                    );
                    (rule, path)
                })
                .collect();
            if workspace
                .property("properties.managedNetwork.outboundRules")
                .is_unknown()
            {
                ctx.indeterminate();
            }
            for relation in sets.graph().incoming(node, EdgeKind::Parent) {
                if sets.written(relation.from) == Tri::False {
                    continue;
                }
                let Some(child) = resource_of(&sets, relation.from) else {
                    continue;
                };
                if !child.is_type(OUTBOUND_RULE_TYPE) {
                    continue;
                }
                if let Some(rule) = OutboundRule::of(child) {
                    rules.push((rule, "properties".to_owned()));
                }
            }
            for (rule, path) in rules {
                let destination = match rule.kind() {
                    Setting::Set(OutboundRuleKind::Fqdn) => match rule.fqdn() {
                        Setting::Set(host) => format!("the host '{host}'"),
                        _ => "a host known only at deployment".to_owned(),
                    },
                    Setting::Set(OutboundRuleKind::ServiceTag) => {
                        match rule.action() {
                            Setting::Set(action) if action.eq_ignore_ascii_case("Deny") => continue,
                            Setting::Unknown(_) => {
                                ctx.indeterminate();
                                continue;
                            }
                            _ => {}
                        }
                        match rule.service_tag() {
                            Setting::Set(tag) => format!("the service tag '{tag}'"),
                            _ => "a service tag known only at deployment".to_owned(),
                        }
                    }
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                    _ => continue,
                };
                // Rules of the `Required`, `Recommended` and `Dependency` categories are the
                // service's own; the protection question is about the user's additions.
                match rule.category() {
                    Setting::Set(category) if !category.eq_ignore_ascii_case("UserDefined") => {
                        continue;
                    }
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                    _ => {}
                }
                let rule_name = rule.name().unwrap_or("(name unknown)");
                let mut finding = Finding::new(
                    rule.resource(),
                    &format!("{path}.destination"),
                    format!(
                        "Outbound rule '{rule_name}' of '{name}' opens {destination}; data exfiltration protection does not cover it."
                    ),
                )
                .label("destination outside the exfiltration protection")
                .help("prefer a private endpoint rule; otherwise review that the destination cannot receive the workspace's data");
                if !std::ptr::eq(rule.resource(), resource) {
                    finding = finding.related(
                        resource,
                        ISOLATION_MODE_PATH,
                        "approved-outbound managed network",
                    );
                }
                ctx.report(finding);
            }
        }
    }
}
