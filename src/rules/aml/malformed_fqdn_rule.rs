use std::collections::HashSet;

use super::mvn_support::{declared_rules, shown};
use crate::codes::Severity;
use crate::expr::Value;
use crate::model::Prop;
use crate::model::kinds::{IsolationMode, OutboundRuleKind, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the `destination` of every `FQDN` outbound rule of a managed network is a bare
    /// host name, optionally with a leading `*.` wildcard — a string without scheme, path or
    /// port (error). On the first FQDN rule of an approved-outbound workspace it also notes
    /// that the rule makes the managed network create an Azure Firewall (info).
    ///
    /// ## Why is this bad?
    /// FQDN rules are enforced by an Azure Firewall that matches host names on ports 80 and 443
    /// only; `https://pypi.org`, `pypi.org/simple` or `pypi.org:8443` is not a host name and is
    /// rejected or never matches. The firewall itself (Standard unless `firewallSku` is
    /// `Basic`) is created with the first FQDN rule, adds cost and about ten minutes of
    /// provisioning (AML-MVN-005).
    ///
    /// ## Example
    /// ```json
    /// "pypi": { "type": "FQDN", "category": "UserDefined", "destination": "https://pypi.org/simple" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "pypi": { "type": "FQDN", "category": "UserDefined", "destination": "pypi.org" }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: FQDN rules and the managed Azure Firewall](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    pub struct MalformedFqdnRule;
    code: "AML-MVN-005",
    name: "malformed-fqdn-rule",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "FQDN outbound rules name a bare host name; the first one brings an Azure Firewall.",
}

impl Rule for MalformedFqdnRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        if declared.some_unknown {
            ctx.indeterminate();
        }
        let mut firewall_noted = HashSet::new();
        for rule in &declared.rules {
            if rule.kind() != Some(OutboundRuleKind::Fqdn) {
                continue;
            }
            let value = match rule.get("destination") {
                Prop::Unknown(_) | Prop::Value(Value::Unknown(_)) => {
                    ctx.indeterminate();
                    continue;
                }
                Prop::Absent | Prop::Value(Value::Null) => None,
                Prop::Value(value) => Some(value),
            };
            let problem = match value {
                None => Some("no destination".to_owned()),
                Some(value) => match value.as_str() {
                    None => Some("a destination that is not a string".to_owned()),
                    Some(host) => host_problem(host).map(ToOwned::to_owned),
                },
            };
            if let Some(problem) = problem {
                let written = value.map_or_else(|| "(none)".to_owned(), shown);
                ctx.report(
                    Finding::new(
                        rule.resource(),
                        &rule.path("destination"),
                        format!(
                            "FQDN rule '{}' has destination '{written}' ({problem}); give a host name only (ports 80/443 are implied).",
                            rule.name()
                        ),
                    )
                    .label(problem)
                    .help("write the host name alone, such as `pypi.org` or `*.pythonhosted.org`"),
                );
            }
            let Some((hub, view)) = rule.hub(&sets) else {
                continue;
            };
            if view.isolation_mode().known() != Some(IsolationMode::AllowOnlyApprovedOutbound)
                || !firewall_noted.insert(hub)
            {
                continue;
            }
            let sku = match view.firewall_sku() {
                Setting::Set(sku) if sku.eq_ignore_ascii_case("Basic") => "Basic",
                Setting::Unknown(_) => "Standard unless firewallSku is Basic",
                _ => "Standard",
            };
            let help = if sku == "Basic" {
                "expect the firewall's cost and provisioning time; private endpoint rules avoid the firewall"
            } else {
                "expect the firewall's cost and provisioning time; `managedNetwork.firewallSku: Basic` lowers the cost, private endpoint rules avoid the firewall"
            };
            ctx.report(
                Finding::new(
                    rule.resource(),
                    &rule.path("destination"),
                    format!(
                        "FQDN rule '{}' makes the managed network of '{}' create an Azure Firewall ({sku}), which adds cost and about ten minutes of provisioning; FQDN rules cover ports 80 and 443 only.",
                        rule.name(),
                        rule.workspace_name(&sets)
                    ),
                )
                .severity(Severity::Note)
                .label("first FQDN rule of the managed network")
                .help(help),
            );
        }
    }
}

/// What makes `text` something other than a host name (optionally `*.`-prefixed), if anything.
fn host_problem(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if text.contains("://") {
        return Some("it has a scheme");
    }
    if text.contains('/') {
        return Some("it has a path");
    }
    if text.contains(':') {
        return Some("it has a port");
    }
    let host = text.strip_prefix("*.").unwrap_or(text);
    let host = host.strip_suffix('.').unwrap_or(host);
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if host.is_empty() || !host.split('.').all(label_ok) {
        return Some("it is not a host name");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::host_problem;

    #[test]
    fn host_names_and_wildcards_pass() {
        assert_eq!(host_problem("pypi.org"), None);
        assert_eq!(host_problem("*.pythonhosted.org"), None);
        assert_eq!(host_problem("files.pythonhosted.org"), None);
    }

    #[test]
    fn urls_ports_and_odd_wildcards_fail() {
        assert_eq!(host_problem("https://pypi.org"), Some("it has a scheme"));
        assert_eq!(host_problem("pypi.org/simple"), Some("it has a path"));
        assert_eq!(host_problem("pypi.org:443"), Some("it has a port"));
        assert_eq!(host_problem("pypi.*.org"), Some("it is not a host name"));
        assert_eq!(host_problem("*"), Some("it is not a host name"));
        assert_eq!(host_problem(""), Some("it is not a host name"));
    }
}
