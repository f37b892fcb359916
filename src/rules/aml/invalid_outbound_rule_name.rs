use super::mvn_support::declared_rules;
use crate::codes::Severity;
use crate::model::kinds::Setting;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Categories the service assigns to its own rules; a template's rules are user-defined.
const SYSTEM_CATEGORIES: [&str; 3] = ["Required", "Recommended", "Dependency"];

crate::declare_rule! {
    /// ## What it does
    /// Checks the names of outbound rules against the API's rule-name pattern
    /// `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$` (3–33 letters, digits, `_` or `-`, starting with a
    /// letter or digit): an error for the name of a `workspaces/outboundRules` child resource, a
    /// warning for a key of the inline `managedNetwork.outboundRules` map. It also notes rules
    /// the template writes with a system category (`Required`, `Recommended`, `Dependency`)
    /// instead of `UserDefined` (info).
    ///
    /// ## Why is this bad?
    /// The rule name is a path parameter of the outbound-rule API with that pattern, so a child
    /// resource with another name is rejected. The inline map shares the rule object but the
    /// pattern is specified only for the path parameter; applying it to inline keys is an
    /// inference, hence a warning. System categories label the rules the service adds itself;
    /// a rule written in a template is user-defined (AML-MVN-007).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/outboundRules",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/allow pypi.org",
    ///   "properties": { "type": "FQDN", "category": "Required", "destination": "pypi.org" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/outboundRules",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/allow-pypi",
    ///   "properties": { "type": "FQDN", "category": "UserDefined", "destination": "pypi.org" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [REST API: Managed network settings rule — create or update (`ruleName` pattern)](https://learn.microsoft.com/rest/api/azureml/managed-network-settings-rule/create-or-update)
    /// - [Workspace managed network](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    pub struct InvalidOutboundRuleName;
    code: "AML-MVN-007",
    name: "invalid-outbound-rule-name",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Outbound rule names match the API pattern; template rules are UserDefined.",
}

impl Rule for InvalidOutboundRuleName {
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
            match rule.rule.name() {
                None => ctx.indeterminate(),
                Some(name) if valid_rule_name(name) => {}
                Some(name) => {
                    let (severity, path, label) = if rule.inline {
                        (Severity::Warning, rule.path(""), "inline rule key")
                    } else {
                        (
                            Severity::Error,
                            "name".to_owned(),
                            "outbound rule resource name",
                        )
                    };
                    ctx.report(
                        Finding::new(
                            rule.resource(),
                            &path,
                            format!(
                                "Outbound rule name '{name}' must be 3–33 characters of letters, digits, '_' or '-', starting with a letter or digit."
                            ),
                        )
                        .severity(severity)
                        .label(label)
                        .help("rename the rule, for example `allow-pypi`"),
                    );
                }
            }
            match rule.rule.category() {
                Setting::Set(category) => {
                    if let Some(system) = SYSTEM_CATEGORIES
                        .iter()
                        .find(|system| category.eq_ignore_ascii_case(system))
                    {
                        ctx.report(
                            Finding::new(
                                rule.resource(),
                                &rule.path("category"),
                                format!(
                                    "Outbound rule '{}' is written with category '{system}', which labels rules the service adds itself; a template's rule is UserDefined.",
                                    rule.name()
                                ),
                            )
                            .severity(Severity::Note)
                            .label("system category")
                            .help("leave `category` unset or write `UserDefined`"),
                        );
                    }
                }
                Setting::Unknown(_) => ctx.indeterminate(),
                Setting::Default(_) | Setting::Absent => {}
            }
        }
    }
}

/// Whether `name` matches `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$`.
fn valid_rule_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    first_ok && rest_ok && (3..=33).contains(&name.len())
}

#[cfg(test)]
mod tests {
    use super::valid_rule_name;

    #[test]
    fn the_api_pattern() {
        assert!(valid_rule_name("pypi"));
        assert!(valid_rule_name("blob-pe_1"));
        assert!(valid_rule_name(&"a".repeat(33)));
        assert!(!valid_rule_name(&"a".repeat(34)));
        assert!(!valid_rule_name("ab"));
        assert!(!valid_rule_name("_pypi"));
        assert!(!valid_rule_name("allow pypi.org"));
    }
}
