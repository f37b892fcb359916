//! Definition parameters and the values an assignment gives them.
//!
//! The value a rule reads is the assignment's (from the policy-parameters file, or passed down by
//! an initiative), else the declared `defaultValue`; without either it is an unknown value whose
//! reason names the parameter, so only the verdicts that actually read it stay undecided.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value as J;

use crate::error::Error;
use crate::expr::{Object, Provenance, Value};

/// One declared parameter.
#[derive(Debug, Clone)]
pub struct ParameterDecl {
    /// Its name.
    pub name: String,
    /// Its declared type (`String`, `Array`…), as written.
    pub kind: String,
    /// `defaultValue`, if declared.
    pub default: Option<Value>,
}

/// Reads a `parameters` object of a definition or initiative.
pub fn declarations(json: Option<&J>) -> Vec<ParameterDecl> {
    let Some(J::Object(map)) = json else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, decl)| {
            let get = |k: &str| {
                decl.as_object()
                    .and_then(|o| o.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)))
                    .map(|(_, v)| v)
            };
            ParameterDecl {
                name: name.clone(),
                kind: get("type")
                    .and_then(J::as_str)
                    .unwrap_or("String")
                    .to_owned(),
                default: get("defaultValue").map(Value::from),
            }
        })
        .collect()
}

/// The values of a definition's parameters for one evaluation: assignment values over defaults;
/// a parameter with neither is an unknown value naming it.
pub fn bind(decls: &[ParameterDecl], given: &Object) -> Object {
    let mut out = Object::with_capacity(decls.len());
    for decl in decls {
        let value = given
            .get(&decl.name)
            .cloned()
            .or_else(|| decl.default.clone())
            .unwrap_or_else(|| {
                Value::unknown(Provenance::reason(format!(
                    "parameter '{}' has no value (give it in the policy parameters file)",
                    decl.name
                )))
            });
        out.insert(decl.name.as_str(), value);
    }
    out
}

/// Assignment parameter values, by definition or initiative (name, display name or id; `*` for
/// every one). The file is JSON:
///
/// ```json
/// { "Configure Azure Machine Learning workspace to use private DNS zones":
///     { "privateDnsZoneId": "/subscriptions/…/privateDnsZones/privatelink.api.azureml.ms" },
///   "*": { "effect": { "value": "Audit" } } }
/// ```
///
/// Values may be written bare or in the assignment form `{ "value": … }`.
#[derive(Debug, Clone, Default)]
pub struct PolicyParameters {
    by_target: HashMap<String, Object>,
}

impl PolicyParameters {
    /// Reads a parameters file.
    pub fn load(path: &Path) -> Result<PolicyParameters, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        PolicyParameters::from_json_str(&text).map_err(|message| Error::InvalidConfig {
            path: Some(path.to_path_buf()),
            message,
        })
    }

    /// Reads parameters from JSON text.
    pub fn from_json_str(text: &str) -> Result<PolicyParameters, String> {
        let parsed = crate::source::json::parse(text.strip_prefix('\u{feff}').unwrap_or(text));
        match parsed.value {
            Some(value) => PolicyParameters::from_json(&value),
            None => Err("the policy parameters file is not valid JSON".to_owned()),
        }
    }

    /// Reads parameters from a JSON value.
    pub fn from_json(value: &J) -> Result<PolicyParameters, String> {
        let J::Object(map) = value else {
            return Err("policy parameters must be an object keyed by definition name".to_owned());
        };
        let mut by_target = HashMap::new();
        for (target, params) in map {
            let J::Object(params) = params else {
                return Err(format!("the parameters of `{target}` must be an object"));
            };
            let mut values = Object::with_capacity(params.len());
            for (name, value) in params {
                let value = match value {
                    J::Object(o) if o.len() == 1 && o.contains_key("value") => &o["value"],
                    other => other,
                };
                values.insert(name.as_str(), Value::from(value));
            }
            by_target.insert(target.to_lowercase(), values);
        }
        Ok(PolicyParameters { by_target })
    }

    /// Adds (or replaces) the values for one target.
    pub fn with_values(mut self, target: &str, values: Object) -> PolicyParameters {
        self.by_target.insert(target.to_lowercase(), values);
        self
    }

    /// The values for a definition or initiative known by any of `keys`, over the `*` entry.
    pub fn values_for(&self, keys: &[&str]) -> Object {
        let mut out = self.by_target.get("*").cloned().unwrap_or_default();
        for key in keys {
            if let Some(values) = self.by_target.get(&key.to_lowercase()) {
                for (k, v) in values.iter() {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    }

    /// Whether no values are given.
    pub fn is_empty(&self) -> bool {
        self.by_target.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_values_override_defaults_and_missing_ones_are_unknown() {
        let decls = declarations(Some(&serde_json::json!({
            "effect": {"type": "String", "defaultValue": "Audit"},
            "zone": {"type": "String"},
        })));
        let file =
            PolicyParameters::from_json_str(r#"{"*": {"effect": {"value": "Deny"}}}"#).unwrap();
        let bound = bind(&decls, &file.values_for(&["x"]));
        assert_eq!(bound.get("effect"), Some(&Value::string("Deny")));
        assert!(bound.get("zone").is_some_and(Value::is_unknown));
    }
}
