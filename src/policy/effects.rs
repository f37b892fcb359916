//! Effects: what a definition does when its `if` holds, the severity of the finding each one
//! gives, and how `modify`/`append` change a payload before `deny`/`audit` judge it.

use super::path::Segment;
use crate::codes::Severity;
use crate::expr::{Object, Value};

/// A policy effect (names compare ignoring case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing happens.
    Disabled,
    /// The request is logged as non-compliant.
    Audit,
    /// The request is refused.
    Deny,
    /// Fields are added to the request.
    Append,
    /// Fields are added, replaced or removed in the request.
    Modify,
    /// Related resources must exist after deployment, else non-compliant.
    AuditIfNotExists,
    /// Related resources must exist after deployment, else Azure deploys them.
    DeployIfNotExists,
    /// Deletes are refused (not judged from a template).
    DenyAction,
    /// Compliance is attested by people (not judged from a template).
    Manual,
    /// Anything else (`enforceSetting`, `addToNetworkGroup`, `mutate`…): not judged.
    Other(String),
}

impl Effect {
    /// Parses an effect name.
    pub fn parse(name: &str) -> Effect {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "disabled" => Effect::Disabled,
            "audit" => Effect::Audit,
            "deny" => Effect::Deny,
            "append" => Effect::Append,
            "modify" => Effect::Modify,
            "auditifnotexists" => Effect::AuditIfNotExists,
            "deployifnotexists" => Effect::DeployIfNotExists,
            "denyaction" => Effect::DenyAction,
            "manual" => Effect::Manual,
            _ => Effect::Other(name.to_owned()),
        }
    }

    /// The severity of its findings: deny → error, audit and AINE → warning, modify, append and
    /// DINE → note.
    pub fn severity(&self) -> Severity {
        match self {
            Effect::Deny => Severity::Error,
            Effect::Audit | Effect::AuditIfNotExists => Severity::Warning,
            _ => Severity::Note,
        }
    }

    /// The documented name.
    pub fn name(&self) -> &str {
        match self {
            Effect::Disabled => "disabled",
            Effect::Audit => "audit",
            Effect::Deny => "deny",
            Effect::Append => "append",
            Effect::Modify => "modify",
            Effect::AuditIfNotExists => "auditIfNotExists",
            Effect::DeployIfNotExists => "deployIfNotExists",
            Effect::DenyAction => "denyAction",
            Effect::Manual => "manual",
            Effect::Other(n) => n,
        }
    }
}

/// What applying one operation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The payload changed.
    Changed,
    /// The value was already there.
    Unchanged,
    /// A different value is present and the operation does not replace (append/add): Azure
    /// rejects the request.
    Conflict,
    /// The parent object is missing or the path crosses an array: nothing done.
    Skipped,
}

/// Writes `value` at `segments` of `payload`. `replace` is false for `append`/`add`, which
/// conflict with a different existing value. A path ending in `[*]` appends to the array.
pub fn apply(payload: &mut Value, segments: &[Segment], value: &Value, replace: bool) -> Applied {
    let Some((last, parents)) = segments.split_last() else {
        return Applied::Skipped;
    };
    if parents.contains(&Segment::All) {
        return Applied::Skipped;
    }
    set(payload, parents, last, value, replace)
}

fn set(
    current: &mut Value,
    parents: &[Segment],
    last: &Segment,
    value: &Value,
    replace: bool,
) -> Applied {
    let Value::Object(object) = current else {
        return Applied::Skipped;
    };
    let object: &mut Object = std::sync::Arc::make_mut(object);
    match parents.split_first() {
        Some((Segment::Key(k), rest)) => match object.get(k).cloned() {
            Some(mut child) => {
                let applied = set(&mut child, rest, last, value, replace);
                if applied == Applied::Changed {
                    object.insert(k.as_str(), child);
                }
                applied
            }
            None => Applied::Skipped,
        },
        Some((Segment::All, _)) => Applied::Skipped,
        None => match last {
            Segment::Key(k) => match object.get(k) {
                Some(existing)
                    if crate::expr::value::deep_equals(existing, value) == Some(true) =>
                {
                    Applied::Unchanged
                }
                Some(existing) if !replace && !existing.is_null() => Applied::Conflict,
                _ => {
                    object.insert(k.as_str(), value.clone());
                    Applied::Changed
                }
            },
            Segment::All => Applied::Skipped,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::path::FieldPath;

    #[test]
    fn modify_sets_and_append_conflicts() {
        let mut payload = Value::from(&serde_json::json!({"properties": {"a": "x"}}));
        let path = FieldPath::parse("properties.publicNetworkAccess").unwrap();
        let v = Value::string("Disabled");
        assert_eq!(
            apply(&mut payload, path.segments(), &v, true),
            Applied::Changed
        );
        assert_eq!(
            apply(&mut payload, path.segments(), &v, false),
            Applied::Unchanged
        );
        assert_eq!(
            apply(
                &mut payload,
                path.segments(),
                &Value::string("Enabled"),
                false
            ),
            Applied::Conflict
        );
        let missing = FieldPath::parse("other.x").unwrap();
        assert_eq!(
            apply(&mut payload, missing.segments(), &v, true),
            Applied::Skipped
        );
        assert_eq!(
            Effect::parse("DeployIfNotExists").severity(),
            Severity::Note
        );
        assert_eq!(Effect::parse("AUDIT"), Effect::Audit);
    }
}
