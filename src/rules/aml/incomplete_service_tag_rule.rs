use super::mvn_support::{DeclaredRule, declared_rules, shown};
use crate::codes::Severity;
use crate::expr::Value;
use crate::model::Prop;
use crate::model::kinds::OutboundRuleKind;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Protocols a service-tag rule accepts (inferred from the documentation and the portal, §6).
const PROTOCOLS: [&str; 4] = ["TCP", "UDP", "ICMP", "*"];

crate::declare_rule! {
    /// ## What it does
    /// Checks the destination of every `ServiceTag` outbound rule of a managed network:
    /// `destination.serviceTag` is a non-empty string and `destination.action`, when written,
    /// is `Allow` or `Deny` (errors); `destination.protocol` is `TCP`, `UDP`, `ICMP` or `*` and
    /// `destination.portRanges` is a comma-separated list of ports and port ranges within
    /// 1–65535, or `*` (warnings). It also notes a written `destination.addressPrefixes`
    /// (info).
    ///
    /// ## Why is this bad?
    /// A rule without a service tag or with an unknown action is rejected. The schema types
    /// protocol and ports as free strings, so the accepted syntax is inferred from the
    /// documentation and the portal; a rule outside it is likely rejected or never matches,
    /// hence a warning. `addressPrefixes` is read-only in the API and, when provided, makes the
    /// service ignore `serviceTag`, so the rule does not open what its tag says (AML-MVN-004).
    ///
    /// ## Example
    /// ```json
    /// "datafactory": {
    ///   "type": "ServiceTag",
    ///   "category": "UserDefined",
    ///   "destination": { "serviceTag": "DataFactory", "protocol": "HTTPS", "portRanges": "443;80" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "datafactory": {
    ///   "type": "ServiceTag",
    ///   "category": "UserDefined",
    ///   "destination": {
    ///     "serviceTag": "DataFactory",
    ///     "protocol": "TCP",
    ///     "portRanges": "80, 443, 8080-8089",
    ///     "action": "Allow"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: configure outbound rules](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [REST API: `ServiceTagDestination`](https://learn.microsoft.com/rest/api/azureml/workspaces/create-or-update)
    pub struct IncompleteServiceTagRule;
    code: "AML-MVN-004",
    name: "incomplete-service-tag-rule",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Service-tag outbound rules name a tag, a valid action, protocol and port ranges.",
}

impl Rule for IncompleteServiceTagRule {
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
            if rule.kind() != Some(OutboundRuleKind::ServiceTag) {
                continue;
            }
            check_rule(ctx, rule);
        }
    }
}

/// A string member: `Err(true)` when unknown, `Err(false)` when absent or null, else the value.
fn member<'g>(rule: &DeclaredRule<'g>, path: &str) -> Result<&'g Value, bool> {
    match rule.get(path) {
        Prop::Absent | Prop::Value(Value::Null) => Err(false),
        Prop::Unknown(_) | Prop::Value(Value::Unknown(_)) => Err(true),
        Prop::Value(value) => Ok(value),
    }
}

fn check_rule(ctx: &RuleContext<'_>, rule: &DeclaredRule<'_>) {
    let report =
        |member_path: &str, severity: Severity, problem: String, label: &str, help: &str| {
            ctx.report(
                Finding::new(
                    rule.resource(),
                    &rule.path(member_path),
                    format!("Service tag rule '{}': {problem}.", rule.name()),
                )
                .severity(severity)
                .label(label)
                .help(help),
            );
        };
    let undecided = |unknown: bool| {
        if unknown {
            ctx.indeterminate();
        }
    };

    match member(rule, "destination.serviceTag") {
        Ok(value) if value.as_str().is_some_and(|tag| !tag.trim().is_empty()) => {}
        Ok(value) => report(
            "destination.serviceTag",
            Severity::Error,
            format!("serviceTag '{}' is not a service tag name", shown(value)),
            "not a service tag",
            "name a service tag such as `DataFactory` or `AzureOpenDatasets`",
        ),
        Err(true) => ctx.indeterminate(),
        Err(false) => report(
            "destination",
            Severity::Error,
            "destination.serviceTag is missing".to_owned(),
            "no service tag",
            "add `serviceTag`, for example `{serviceTag: \"DataFactory\", protocol: \"TCP\", portRanges: \"80, 8080-8089\"}`",
        ),
    }

    match member(rule, "destination.action") {
        Ok(value)
            if value.as_str().is_some_and(|a| {
                a.eq_ignore_ascii_case("Allow") || a.eq_ignore_ascii_case("Deny")
            }) => {}
        Ok(value) => report(
            "destination.action",
            Severity::Error,
            format!("action '{}' is not Allow or Deny", shown(value)),
            "not Allow or Deny",
            "use `Allow` (or `Deny`), or leave `action` out",
        ),
        Err(unknown) => undecided(unknown),
    }

    match member(rule, "destination.protocol") {
        Ok(value)
            if value.as_str().is_some_and(|p| {
                PROTOCOLS
                    .iter()
                    .any(|known| p.trim().eq_ignore_ascii_case(known))
            }) => {}
        Ok(value) => report(
            "destination.protocol",
            Severity::Warning,
            format!("protocol '{}' is not TCP, UDP, ICMP or *", shown(value)),
            "unrecognised protocol",
            "use `TCP`, `UDP`, `ICMP` or `*`",
        ),
        Err(true) => ctx.indeterminate(),
        Err(false) => report(
            "destination",
            Severity::Warning,
            "destination.protocol is missing".to_owned(),
            "no protocol",
            "add `protocol`: `TCP`, `UDP`, `ICMP` or `*`",
        ),
    }

    match member(rule, "destination.portRanges") {
        Ok(value) if value.as_str().is_some_and(valid_port_ranges) => {}
        Ok(value) => report(
            "destination.portRanges",
            Severity::Warning,
            format!(
                "portRanges '{}' is not a comma-separated list of ports or ranges within 1-65535",
                shown(value)
            ),
            "unrecognised port ranges",
            "write ports and ranges separated by commas, such as `\"80, 443, 8080-8089\"`, or `*`",
        ),
        Err(true) => ctx.indeterminate(),
        Err(false) => report(
            "destination",
            Severity::Warning,
            "destination.portRanges is missing".to_owned(),
            "no port ranges",
            "add `portRanges`, such as `\"443\"` or `\"80, 8080-8089\"`",
        ),
    }

    if let Ok(value) = member(rule, "destination.addressPrefixes") {
        report(
            "destination.addressPrefixes",
            Severity::Note,
            format!(
                "addressPrefixes {} is supplied; the service then ignores serviceTag",
                shown(value)
            ),
            "read-only property supplied",
            "remove `addressPrefixes` and let the service tag decide the destinations",
        );
    }
}

/// Whether `text` is `*` or a comma list of ports (`443`) and ranges (`8080-8089`) within
/// 1–65535, spaces around items allowed.
fn valid_port_ranges(text: &str) -> bool {
    if text.trim() == "*" {
        return true;
    }
    let port = |item: &str| {
        item.trim()
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=65535).contains(p))
    };
    text.split(',').all(|item| match item.split_once('-') {
        Some((low, high)) => matches!((port(low), port(high)), (Some(l), Some(h)) if l <= h),
        None => port(item).is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::valid_port_ranges;

    #[test]
    fn port_lists_follow_the_documented_examples() {
        assert!(valid_port_ranges("80, 8080-8089"));
        assert!(valid_port_ranges("443"));
        assert!(valid_port_ranges("*"));
        assert!(!valid_port_ranges("443;80"));
        assert!(!valid_port_ranges("0"));
        assert!(!valid_port_ranges("9000-80"));
        assert!(!valid_port_ranges("70000"));
        assert!(!valid_port_ranges(""));
    }
}
