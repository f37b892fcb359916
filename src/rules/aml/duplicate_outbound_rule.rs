use std::collections::BTreeMap;

use super::mvn_support::{DeclaredRule, declared_rules};
use crate::graph::NodeId;
use crate::model::ResourceId;
use crate::model::kinds::{OutboundRuleKind, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that each outbound rule of a workspace's managed network is defined once: not
    /// both in the inline `managedNetwork.outboundRules` map and as a `workspaces/outboundRules`
    /// child with different settings, and not twice under two names for the same destination
    /// (the same private-endpoint target and sub-resource, the same FQDN, or the same service
    /// tag, protocol, ports and action).
    ///
    /// ## Why is this bad?
    /// The inline map and the child resources write the same set of rules. When both define a
    /// rule with different settings, which one the workspace ends up with depends on the order
    /// ARM applies them, and the next deployment of the workspace silently undoes the child.
    /// Two names for one destination create two private endpoints or two firewall rules for the
    /// same thing and drift apart when one is edited (AML-MVN-014).
    ///
    /// ## Example
    /// ```json
    /// "outboundRules": {
    ///   "data-blob": { "type": "PrivateEndpoint", "destination": { "serviceResourceId": "[variables('dataStorageId')]", "subresourceTarget": "blob" } },
    ///   "datalake-blob": { "type": "PrivateEndpoint", "destination": { "serviceResourceId": "[variables('dataStorageId')]", "subresourceTarget": "blob" } }
    /// }
    /// ```
    ///
    /// Use instead: one rule per destination, written in one place.
    /// ```json
    /// "outboundRules": {
    ///   "data-blob": { "type": "PrivateEndpoint", "destination": { "serviceResourceId": "[variables('dataStorageId')]", "subresourceTarget": "blob" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: configure outbound rules](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Workspaces/outboundRules: template reference](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces/outboundrules)
    pub struct DuplicateOutboundRule;
    code: "AML-MVN-014",
    name: "duplicate-outbound-rule",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "An outbound rule is defined once: not inline and as a child with other settings, not under two names.",
}

impl Rule for DuplicateOutboundRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        if declared.some_unknown {
            ctx.indeterminate();
        }
        let mut by_workspace: BTreeMap<NodeId, Vec<&DeclaredRule<'_>>> = BTreeMap::new();
        for rule in &declared.rules {
            if let Some(workspace) = rule.workspace {
                by_workspace.entry(workspace).or_default().push(rule);
            }
        }
        for (workspace, rules) in by_workspace {
            let workspace_name = super::support::node_name(&sets, workspace);
            for (index, later) in rules.iter().enumerate() {
                let Some(later_name) = later.rule.name() else {
                    ctx.indeterminate();
                    continue;
                };
                let Some(later_key) = destination_key(later) else {
                    continue;
                };
                for earlier in &rules[..index] {
                    let Some(earlier_name) = earlier.rule.name() else {
                        continue;
                    };
                    let Some(earlier_key) = destination_key(earlier) else {
                        continue;
                    };
                    let same_name = earlier_name.eq_ignore_ascii_case(later_name);
                    if same_name && earlier.inline != later.inline {
                        if settings_key(earlier, &earlier_key) == settings_key(later, &later_key) {
                            continue;
                        }
                        ctx.report(
                            Finding::new(
                                later.resource(),
                                &later.path(""),
                                format!(
                                    "Outbound rule '{later_name}' of '{workspace_name}' is defined inline and as a child resource with different settings."
                                ),
                            )
                            .label(if later.inline { "inline definition" } else { "child resource definition" })
                            .related(
                                earlier.resource(),
                                &earlier.path(""),
                                if earlier.inline { "inline definition" } else { "child resource definition" },
                            )
                            .help("define the rule once: in the inline map or as a child resource"),
                        );
                    } else if !same_name && earlier_key == later_key {
                        ctx.report(
                            Finding::new(
                                later.resource(),
                                &later.path(""),
                                format!(
                                    "Outbound rules '{earlier_name}' and '{later_name}' of '{workspace_name}' have the same destination ({}).",
                                    describe(later)
                                ),
                            )
                            .label("second rule for this destination")
                            .related(earlier.resource(), &earlier.path(""), "first rule for this destination")
                            .help("keep one rule per destination"),
                        );
                    }
                }
            }
        }
    }
}

/// What a rule reaches, compared ignoring case (C1); `None` when a part is unknown or missing
/// (the shape rules report those).
fn destination_key(rule: &DeclaredRule<'_>) -> Option<String> {
    let text = |setting: Setting<'_, &str>| setting.known().map(|t| t.trim().to_ascii_lowercase());
    match rule.kind()? {
        OutboundRuleKind::PrivateEndpoint => {
            let id = rule.rule.service_resource_id().known()?;
            let id =
                ResourceId::parse(id).map_or_else(|_| id.to_owned(), |parsed| parsed.to_string());
            let group = text(rule.rule.subresource_target())?;
            Some(format!(
                "PrivateEndpoint {} {group}",
                id.to_ascii_lowercase()
            ))
        }
        OutboundRuleKind::Fqdn => Some(format!("FQDN {}", text(rule.rule.fqdn())?)),
        OutboundRuleKind::ServiceTag => {
            let ports: String = text(rule.rule.port_ranges())
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            Some(format!(
                "ServiceTag {} {} {ports} {}",
                text(rule.rule.service_tag())?,
                text(rule.rule.protocol()).unwrap_or_default(),
                text(rule.rule.action()).unwrap_or_else(|| "allow".to_owned()),
            ))
        }
    }
}

/// The destination plus the settings that are not part of it (category, Spark).
fn settings_key(rule: &DeclaredRule<'_>, destination: &str) -> String {
    let category = rule
        .rule
        .category()
        .known()
        .map_or_else(|| "userdefined".to_owned(), str::to_ascii_lowercase);
    let spark = rule.rule.spark_enabled().known().unwrap_or(false);
    format!("{destination} {category} {spark}")
}

/// A rule's destination for a message: `private endpoint to 'stcontoso' (blob)`, `FQDN
/// 'pypi.org'`, `service tag 'DataFactory'`.
fn describe(rule: &DeclaredRule<'_>) -> String {
    match rule.kind() {
        Some(OutboundRuleKind::PrivateEndpoint) => {
            let id = rule.rule.service_resource_id().known().unwrap_or_default();
            let target = id.rsplit('/').next().unwrap_or(id);
            let group = rule.rule.subresource_target().known().unwrap_or_default();
            format!("private endpoint to '{target}' ({group})")
        }
        Some(OutboundRuleKind::Fqdn) => {
            format!("FQDN '{}'", rule.rule.fqdn().known().unwrap_or_default())
        }
        Some(OutboundRuleKind::ServiceTag) => format!(
            "service tag '{}'",
            rule.rule.service_tag().known().unwrap_or_default()
        ),
        None => "the same destination".to_owned(),
    }
}
