//! Reading `armgraph.json`: every key checked, problems kept with their JSON pointer.

use serde_json::{Map, Value as Json};

use super::{Config, ConfigIssue, RuleSetting, SuppressionRule};
use crate::codes::Severity;
use crate::expr::Cloud;
use crate::source::json::push_pointer_token;

fn child(base: &str, token: &str) -> String {
    let mut pointer = base.to_owned();
    pointer.push('/');
    push_pointer_token(&mut pointer, token);
    pointer
}

struct Reader {
    config: Config,
}

impl Reader {
    fn unknown(&mut self, pointer: String, key: &str, known: &[&str]) {
        self.config.issues.push(ConfigIssue {
            code: "ARM-CONFIG-001",
            severity: Severity::Warning,
            message: format!(
                "unknown configuration key `{key}` (known here: {})",
                known.join(", ")
            ),
            pointer,
        });
    }

    fn invalid(&mut self, pointer: String, message: impl Into<String>) {
        self.config.issues.push(ConfigIssue {
            code: "ARM-CONFIG-002",
            severity: Severity::Error,
            message: message.into(),
            pointer,
        });
    }

    fn string<'a>(&mut self, value: &'a Json, pointer: &str, what: &str) -> Option<&'a str> {
        let text = value.as_str();
        if text.is_none() {
            self.invalid(pointer.to_owned(), format!("`{what}` must be a string"));
        }
        text
    }

    fn object<'a>(
        &mut self,
        value: &'a Json,
        pointer: &str,
        what: &str,
    ) -> Option<&'a Map<String, Json>> {
        let object = value.as_object();
        if object.is_none() {
            self.invalid(pointer.to_owned(), format!("`{what}` must be an object"));
        }
        object
    }

    fn severity(&mut self, value: &Json, pointer: &str, what: &str) -> Option<Severity> {
        let text = self.string(value, pointer, what)?;
        match text.parse() {
            Ok(severity) => Some(severity),
            Err(message) => {
                self.invalid(pointer.to_owned(), message);
                None
            }
        }
    }

    fn top(&mut self, document: &Json) {
        const KNOWN: &[&str] = &[
            "$schema",
            "deny",
            "maxFileBytes",
            "maxNestedDepth",
            "context",
            "parameters",
            "policies",
            "policyParameters",
            "customRules",
            "baseline",
            "rules",
            "suppressions",
        ];
        let Some(members) = self.object(document, "", "the configuration") else {
            return;
        };
        for (key, value) in members {
            let pointer = child("", key);
            match key.as_str() {
                "$schema" => {}
                "deny" => {
                    if let Some(severity) = self.severity(value, &pointer, "deny") {
                        self.config.deny = severity;
                    }
                }
                "maxFileBytes" => match value.as_u64().filter(|n| *n > 0) {
                    Some(bytes) => self.config.max_file_bytes = bytes,
                    None => self.invalid(pointer, "`maxFileBytes` must be a positive integer"),
                },
                "maxNestedDepth" => match value.as_u64().filter(|n| (1..=100).contains(n)) {
                    Some(depth) => self.config.max_nested_depth = depth as usize,
                    None => {
                        self.invalid(pointer, "`maxNestedDepth` must be an integer from 1 to 100")
                    }
                },
                "context" => self.context(value, &pointer),
                "parameters" => {
                    if let Some(values) = self.object(value, &pointer, "parameters") {
                        self.config.parameters = values.clone();
                    }
                }
                "policies" => match value.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(path) =
                                self.string(item, &format!("{pointer}/{i}"), "policies[*]")
                            {
                                self.config.policies.push(path.into());
                            }
                        }
                    }
                    None => self.invalid(
                        pointer,
                        "`policies` must be an array of file or directory paths",
                    ),
                },
                "policyParameters" => match crate::policy::PolicyParameters::from_json(value) {
                    Ok(parameters) => self.config.policy_parameters = parameters,
                    Err(message) => self.invalid(pointer, format!("`policyParameters`: {message}")),
                },
                "customRules" => match value.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(path) =
                                self.string(item, &format!("{pointer}/{i}"), "customRules[*]")
                            {
                                self.config.custom_rules.push(path.into());
                            }
                        }
                    }
                    None => self.invalid(pointer, "`customRules` must be an array of file paths"),
                },
                "baseline" => match value.as_str().map(str::trim).filter(|p| !p.is_empty()) {
                    Some(path) => self.config.baseline = Some(path.into()),
                    None => self.invalid(
                        pointer,
                        "`baseline` must be the path of a template describing what is deployed now",
                    ),
                },
                "rules" => self.rules(value, &pointer),
                "suppressions" => self.suppressions(value, &pointer),
                _ => self.unknown(pointer, key, KNOWN),
            }
        }
    }

    fn context(&mut self, value: &Json, pointer: &str) {
        const KNOWN: &[&str] = &[
            "subscriptionId",
            "resourceGroup",
            "location",
            "tenantId",
            "managementGroup",
            "deploymentName",
            "cloud",
            "subscriptionTenants",
        ];
        let Some(members) = self.object(value, pointer, "context") else {
            return;
        };
        for (key, value) in members {
            let pointer = child(pointer, key);
            if key == "subscriptionTenants" {
                if let Some(map) = self.object(value, &pointer, "subscriptionTenants") {
                    for (subscription, tenant) in map {
                        if let Some(tenant) =
                            self.string(tenant, &child(&pointer, subscription), "a tenant id")
                        {
                            self.config
                                .subscription_tenants
                                .insert(subscription.to_lowercase(), tenant.to_owned());
                        }
                    }
                }
                continue;
            }
            if !KNOWN.contains(&key.as_str()) {
                self.unknown(pointer, key, KNOWN);
                continue;
            }
            let Some(text) = self.string(value, &pointer, key) else {
                continue;
            };
            let text = text.to_owned();
            let context = &mut self.config.context;
            match key.as_str() {
                "subscriptionId" => context.subscription_id = text,
                "resourceGroup" => context.resource_group = text,
                "location" => context.location = text,
                "tenantId" => context.tenant_id = text,
                "managementGroup" => context.management_group = text,
                "deploymentName" => context.deployment_name = text,
                _ => match text.to_ascii_lowercase().as_str() {
                    "azurecloud" => context.cloud = Cloud::AzureCloud,
                    "azurechinacloud" => context.cloud = Cloud::AzureChinaCloud,
                    "azureusgovernment" => context.cloud = Cloud::AzureUSGovernment,
                    _ => self.invalid(
                        pointer,
                        format!("unknown cloud `{text}` (expected AzureCloud, AzureChinaCloud or AzureUSGovernment)"),
                    ),
                },
            }
        }
    }

    fn rules(&mut self, value: &Json, pointer: &str) {
        let Some(members) = self.object(value, pointer, "rules") else {
            return;
        };
        for (pattern, setting) in members {
            let pointer = child(pointer, pattern);
            let mut rule = RuleSetting {
                pattern: pattern.clone(),
                enabled: None,
                severity: None,
                options: None,
            };
            match setting {
                Json::String(word) => match word.to_ascii_lowercase().as_str() {
                    "off" => rule.enabled = Some(false),
                    "on" => rule.enabled = Some(true),
                    _ => match word.parse() {
                        Ok(severity) => rule.severity = Some(severity),
                        Err(_) => {
                            self.invalid(
                                pointer,
                                format!("`{word}` is not off, on, error, warning or note"),
                            );
                            continue;
                        }
                    },
                },
                Json::Object(fields) => {
                    for (key, value) in fields {
                        let field_pointer = child(&pointer, key);
                        match key.as_str() {
                            "enabled" => match value.as_bool() {
                                Some(enabled) => rule.enabled = Some(enabled),
                                None => {
                                    self.invalid(field_pointer, "`enabled` must be true or false")
                                }
                            },
                            "severity" => {
                                rule.severity = self.severity(value, &field_pointer, "severity")
                            }
                            "options" => rule.options = Some(value.clone()),
                            _ => self.unknown(
                                field_pointer,
                                key,
                                &["enabled", "severity", "options"],
                            ),
                        }
                    }
                }
                _ => {
                    self.invalid(pointer, "a rule setting is \"off\", \"on\", a severity, or {enabled, severity, options}");
                    continue;
                }
            }
            self.config.rules.push(rule);
        }
    }

    fn suppressions(&mut self, value: &Json, pointer: &str) {
        let Some(items) = value.as_array() else {
            self.invalid(pointer.to_owned(), "`suppressions` must be an array");
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("{pointer}/{i}");
            let Some(fields) = self.object(item, &pointer, "a suppression") else {
                continue;
            };
            let mut suppression = SuppressionRule {
                code: String::new(),
                resource: None,
                file: None,
                justification: String::new(),
                expires: None,
                pointer: pointer.clone(),
            };
            for (key, value) in fields {
                let field_pointer = child(&pointer, key);
                let Some(text) = self.string(value, &field_pointer, key) else {
                    continue;
                };
                match key.as_str() {
                    "code" => suppression.code = text.to_owned(),
                    "resource" => suppression.resource = Some(text.to_owned()),
                    "file" => suppression.file = Some(text.to_owned()),
                    "justification" => suppression.justification = text.trim().to_owned(),
                    "expires" => {
                        if is_date(text) {
                            suppression.expires = Some(text.to_owned());
                        } else {
                            self.invalid(
                                field_pointer,
                                format!("`expires` must be a date YYYY-MM-DD, not `{text}`"),
                            );
                        }
                    }
                    _ => self.unknown(
                        field_pointer,
                        key,
                        &["code", "resource", "file", "justification", "expires"],
                    ),
                }
            }
            if suppression.code.is_empty() {
                self.invalid(
                    pointer,
                    "a suppression needs a `code` (or a code pattern like `AML-NSG-*`)",
                );
            } else if suppression.justification.is_empty() {
                self.invalid(
                    pointer,
                    "a suppression needs a `justification` saying why the finding is accepted",
                );
            } else {
                self.config.suppressions.push(suppression);
            }
        }
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

/// Reads configuration text; problems become [`ConfigIssue`]s.
pub(super) fn parse(text: &str) -> Config {
    let parsed = crate::source::json::parse(text);
    if let Some(fatal) = parsed.issues.iter().find(|i| i.kind.is_fatal()) {
        let mut reader = Reader {
            config: Config::default(),
        };
        reader.invalid(fatal.pointer.clone(), "the configuration is not valid JSON");
        return reader.config;
    }
    from_value(&parsed.value.unwrap_or_default())
}

/// Reads a configuration document; problems become [`ConfigIssue`]s.
pub(super) fn from_value(document: &Json) -> Config {
    let mut reader = Reader {
        config: Config::default(),
    };
    reader.top(document);
    reader.config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(text: &str) -> Vec<(&'static str, String)> {
        parse(text)
            .issues
            .into_iter()
            .map(|i| (i.code, i.pointer))
            .collect()
    }

    #[test]
    fn reads_every_key() {
        let config = parse(
            r#"{
              // comments are fine
              "$schema": "./docs/armgraph.schema.json",
              "deny": "warning",
              "maxFileBytes": 1000,
              "maxNestedDepth": 4,
              "context": {"subscriptionId": "s", "location": "westeurope", "cloud": "AzureUSGovernment",
                          "subscriptionTenants": {"S": "t"}},
              "parameters": {"prefix": "ml"},
              "policyParameters": {"*": {"effect": "Deny"}},
              "customRules": ["rules/custom.json"],
              "baseline": "deployed/main.json",
              "rules": {"AML-NSG-*": "off", "AML-DNS-007": {"severity": "warning", "options": {"x": 1}}},
              "suppressions": [{"code": "AML-PE-005", "resource": "*/privateEndpoints/pe-*", "justification": "central DNS", "expires": "2027-01-31"}]
            }"#,
        );
        assert!(config.issues().is_empty(), "{:?}", config.issues());
        assert_eq!(config.deny(), Severity::Warning);
        assert_eq!(
            (config.max_file_bytes(), config.max_nested_depth()),
            (1000, 4)
        );
        assert_eq!(config.context().location, "westeurope");
        assert_eq!(config.context().cloud, Cloud::AzureUSGovernment);
        assert_eq!(
            config.subscription_tenants().get("s").map(String::as_str),
            Some("t")
        );
        assert_eq!(config.rules().len(), 2);
        assert_eq!(
            config.baseline(),
            Some(std::path::Path::new("deployed/main.json"))
        );
        assert_eq!(
            config.rule_options("AML-DNS-007"),
            Some(&serde_json::json!({"x": 1}))
        );
        assert_eq!(
            config.suppressions()[0].expires.as_deref(),
            Some("2027-01-31")
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        assert_eq!(
            issues(
                r#"{"deny": 3, "baseline": "", "colour": true, "context": {"region": "x", "cloud": "Mars"}, "rules": {"A": "loud"}, "maxNestedDepth": 0}"#
            ),
            [
                ("ARM-CONFIG-002", "/deny".to_owned()),
                ("ARM-CONFIG-002", "/baseline".to_owned()),
                ("ARM-CONFIG-001", "/colour".to_owned()),
                ("ARM-CONFIG-001", "/context/region".to_owned()),
                ("ARM-CONFIG-002", "/context/cloud".to_owned()),
                ("ARM-CONFIG-002", "/rules/A".to_owned()),
                ("ARM-CONFIG-002", "/maxNestedDepth".to_owned()),
            ]
        );
        assert_eq!(
            issues(
                r#"{"suppressions": [{"code": "X"}, {"justification": "y"}, {"code": "Z", "justification": "ok", "expires": "soon"}]}"#
            ),
            [
                ("ARM-CONFIG-002", "/suppressions/0".to_owned()),
                ("ARM-CONFIG-002", "/suppressions/1".to_owned()),
                ("ARM-CONFIG-002", "/suppressions/2/expires".to_owned()),
            ]
        );
        assert_eq!(issues("{"), [("ARM-CONFIG-002", String::new())]);
    }
}
