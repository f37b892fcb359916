//! Parameter values: where they come from (parameter files, a parent deployment, configuration)
//! and how they are checked against their declaration.

use serde_json::{Map, Value as Json};

use super::json;
use crate::expr::{Provenance, Value};

/// A value supplied for a parameter from outside the template. Supplied values are literals:
/// ARM never evaluates a parameter file value as an expression.
#[derive(Debug, Clone)]
pub(crate) enum Supplied {
    /// A literal value.
    Value(Value),
    /// A value resolved only at deployment (a Key Vault reference).
    Unknown(Provenance),
}

/// A value supplied by a `deploymentParameters` file for `name`, with its JSON pointer.
pub(crate) struct FileParameter {
    pub name: String,
    pub supplied: Supplied,
    pub pointer: String,
}

/// Reads the `parameters` of a `deploymentParameters` file. `expression` entries of compiled
/// `.bicepparam` files are returned as their expression string, to be evaluated by the caller.
pub(crate) fn read_parameter_file(document: &Json) -> Vec<(FileParameter, Option<String>)> {
    let Some(parameters) = json::get(document, "parameters").and_then(Json::as_object) else {
        return Vec::new();
    };
    parameters
        .iter()
        .map(|(name, entry)| {
            let pointer = json::child("/parameters", name);
            let (supplied, expression) = if let Some(value) = json::get(entry, "value") {
                let supplied = match value.as_str().filter(|v| is_test_placeholder(v)) {
                    Some(placeholder) => Supplied::Unknown(Provenance::reason(format!(
                        "parameter '{name}' is the test placeholder '{placeholder}', replaced by the quickstart pipeline"
                    ))),
                    None => Supplied::Value(Value::from(value)),
                };
                (supplied, None)
            } else if let Some(reference) = json::get(entry, "reference") {
                let secret = json::get(reference, "secretName")
                    .and_then(Json::as_str)
                    .unwrap_or("?");
                (
                    Supplied::Unknown(Provenance::reason(format!(
                        "parameter '{name}' is the Key Vault secret '{secret}', read at deployment"
                    ))),
                    None,
                )
            } else if let Some(expression) = json::get(entry, "expression").and_then(Json::as_str)
            {
                (
                    Supplied::Unknown(Provenance::reason(format!(
                        "parameter '{name}' is an expression evaluated at deployment"
                    ))),
                    Some(expression.to_owned()),
                )
            } else {
                (
                    Supplied::Unknown(Provenance::reason(format!(
                        "parameter '{name}' has neither value nor reference"
                    ))),
                    None,
                )
            };
            (
                FileParameter {
                    name: name.clone(),
                    supplied,
                    pointer,
                },
                expression,
            )
        })
        .collect()
}

/// Azure Quickstart Templates parameter files hold placeholders (`GEN-UNIQUE`, `GEN-UNIQUE-8`,
/// `GEN-PASSWORD`, `GEN-SSH-PUB-KEY`, `GET-PREREQ-<name>`…) that the repository's test pipeline
/// replaces before deploying; they are not values, so they are unknown here.
fn is_test_placeholder(value: &str) -> bool {
    let upper = value.to_ascii_uppercase();
    (upper.starts_with("GEN-") || upper.starts_with("GET-PREREQ-"))
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Strings compare ignoring case in `allowedValues`: Microsoft's own quickstart
/// `aistudio-network-restricted` passes `accessKey` where the template allows `accesskey`, and is
/// deployed by the repository's pipeline.
fn allowed_value_matches(allowed: &Value, value: &Value) -> bool {
    match (allowed, value) {
        (Value::String(a), Value::String(v)) => crate::expr::value::eq_ignore_case(a, v),
        _ => allowed == value,
    }
}

/// Why a value breaks its declaration, or `None` when it fits (or cannot be judged).
pub(crate) fn violation(declaration: &Map<String, Json>, value: &Value) -> Option<String> {
    if value.contains_unknown() {
        return None;
    }
    let declared_type = json::member(declaration, "type")
        .and_then(|(_, t)| t.as_str())
        .map(str::to_ascii_lowercase);
    if let Some(declared_type) = &declared_type {
        let fits = match declared_type.as_str() {
            "string" | "securestring" => matches!(value, Value::String(_)),
            "int" => matches!(value, Value::Int(_)),
            "bool" => matches!(value, Value::Bool(_)),
            "object" | "secureobject" => matches!(value, Value::Object(_)),
            "array" => matches!(value, Value::Array(_)),
            _ => true,
        };
        // A null value for a nullable (2.0) parameter is allowed.
        let nullable = json::member(declaration, "nullable")
            .and_then(|(_, n)| n.as_bool())
            .unwrap_or(false);
        if !(fits || (nullable && value.is_null())) {
            return Some(format!(
                "the value is {} but the parameter is declared `{declared_type}`",
                article(value.type_name())
            ));
        }
    }
    if let Some(allowed) =
        json::member(declaration, "allowedValues").and_then(|(_, a)| a.as_array())
    {
        let allowed: Vec<Value> = allowed.iter().map(Value::from).collect();
        let is_allowed = |v: &Value| allowed.iter().any(|a| allowed_value_matches(a, v));
        let ok = match (value, declared_type.as_deref()) {
            (Value::Array(items), Some("array")) => items.iter().all(is_allowed),
            _ => is_allowed(value),
        };
        if !ok {
            let shown: Vec<String> = allowed.iter().map(|a| a.to_json_string()).collect();
            return Some(format!(
                "the value {} is not one of the allowed values [{}]",
                value.to_json_string(),
                shown.join(", ")
            ));
        }
    }
    if let Value::Int(n) = value {
        if let Some(min) = json::member(declaration, "minValue").and_then(|(_, m)| m.as_i64())
            && *n < min
        {
            return Some(format!("the value {n} is below the minimum {min}"));
        }
        if let Some(max) = json::member(declaration, "maxValue").and_then(|(_, m)| m.as_i64())
            && *n > max
        {
            return Some(format!("the value {n} is above the maximum {max}"));
        }
    }
    let length = match value {
        Value::String(s) => Some(s.encode_utf16().count() as i64),
        Value::Array(items) => Some(items.len() as i64),
        _ => None,
    };
    if let Some(length) = length {
        if let Some(min) = json::member(declaration, "minLength").and_then(|(_, m)| m.as_i64())
            && length < min
        {
            return Some(format!(
                "the length {length} is below the minimum length {min}"
            ));
        }
        if let Some(max) = json::member(declaration, "maxLength").and_then(|(_, m)| m.as_i64())
            && length > max
        {
            return Some(format!(
                "the length {length} is above the maximum length {max}"
            ));
        }
    }
    None
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

/// Whether the declared type is secure (its value is never shown).
pub(crate) fn is_secure(declaration: &Map<String, Json>) -> bool {
    json::member(declaration, "type")
        .and_then(|(_, t)| t.as_str())
        .is_some_and(|t| {
            t.eq_ignore_ascii_case("securestring") || t.eq_ignore_ascii_case("secureobject")
        })
}
