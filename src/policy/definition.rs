//! Policy definitions and initiatives: the model and the loader.
//!
//! Accepted shapes: the built-in envelope (`{ "properties": {...}, "name": ... }`), a bare
//! definition (`{ "mode", "parameters", "policyRule" }`), an ARM resource of type
//! `Microsoft.Authorization/policyDefinitions` or `policySetDefinitions` as the Azure Landing
//! Zones keep them (every `[[` un-escaped once), arrays of any of these, and initiatives (policy
//! set definitions) with their members' parameter mapping. Property names compare ignoring case.

use serde_json::Value as J;

use super::condition::{CompileError, Condition};
use super::parameters::{ParameterDecl, declarations};
use crate::expr::CompiledValue;

/// Which resources a definition applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Every resource.
    All,
    /// Resources that support tags and location (also a missing mode).
    Indexed,
    /// A resource provider (data-plane) mode such as `Microsoft.KeyVault.Data`: not evaluable
    /// from a template.
    ResourceProvider(String),
}

/// One `modify` operation or `append` entry.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `addOrReplace`, `add`, `remove`, or `append` for append entries.
    pub kind: String,
    /// The field (alias) it writes.
    pub field: String,
    /// The value (may be an expression).
    pub value: CompiledValue,
    /// The optional `condition` expression (modify only).
    pub condition: Option<CompiledValue>,
}

/// What `auditIfNotExists`/`deployIfNotExists` look for.
#[derive(Debug, Clone)]
pub struct Existence {
    /// The related resource type.
    pub resource_type: String,
    /// The related resource's name (an expression), if given.
    pub name: Option<CompiledValue>,
    /// `Subscription` or `ResourceGroup` (default).
    pub subscription_scope: bool,
    /// The existence condition, if any.
    pub condition: Option<Condition>,
}

/// A loaded policy definition.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The definition's name (`name`, else the file name without extension).
    pub name: String,
    /// `id`, when given.
    pub id: Option<String>,
    /// `displayName` (the name when absent).
    pub display_name: String,
    /// The mode.
    pub mode: Mode,
    /// Declared parameters.
    pub parameters: Vec<ParameterDecl>,
    /// The `if` condition.
    pub condition: Condition,
    /// `then.effect` (usually `[parameters('effect')]`).
    pub effect: CompiledValue,
    /// Modify operations / append entries.
    pub operations: Vec<Operation>,
    /// `details.conflictEffect` of a modify definition.
    pub conflict_effect: Option<String>,
    /// AINE/DINE lookup.
    pub existence: Option<Existence>,
    /// Index of the file it came from in [`super::PolicySet::files`].
    pub file: usize,
    /// JSON pointer of the definition's `policyRule` in that file.
    pub pointer: String,
}

/// One member of an initiative.
#[derive(Debug, Clone)]
pub struct Member {
    /// `policyDefinitionId`.
    pub definition_id: String,
    /// `policyDefinitionReferenceId`.
    pub reference_id: Option<String>,
    /// Parameter values passed down (expressions over the initiative's parameters).
    pub parameters: Vec<(String, CompiledValue)>,
}

/// A loaded initiative (policy set definition).
#[derive(Debug, Clone)]
pub struct Initiative {
    /// Its name.
    pub name: String,
    /// `displayName`.
    pub display_name: String,
    /// Declared parameters.
    pub parameters: Vec<ParameterDecl>,
    /// Members.
    pub members: Vec<Member>,
    /// Index of its file.
    pub file: usize,
}

/// A problem in a definition file: the file's index, a JSON pointer and a message.
#[derive(Debug, Clone)]
pub struct LoadIssue {
    /// Index of the file in [`super::PolicySet::files`].
    pub file: usize,
    /// Where.
    pub pointer: String,
    /// What.
    pub message: String,
}

/// What one file contributed.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Definitions.
    pub definitions: Vec<Definition>,
    /// Initiatives.
    pub initiatives: Vec<Initiative>,
    /// Problems.
    pub issues: Vec<LoadIssue>,
}

fn get<'a>(o: &'a serde_json::Map<String, J>, key: &str) -> Option<(&'a String, &'a J)> {
    o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
}

fn ptr(base: &str, key: &str) -> String {
    let mut p = base.to_owned();
    p.push('/');
    crate::source::json::push_pointer_token(&mut p, key);
    p
}

/// Strips one `[` from every string that starts with `[[` (ARM-escaped definitions).
pub fn unescape(json: &mut J) {
    let mut stack = vec![json];
    while let Some(v) = stack.pop() {
        match v {
            J::String(s) if s.starts_with("[[") => {
                s.remove(0);
            }
            J::Array(items) => stack.extend(items.iter_mut()),
            J::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
}

/// Reads the definitions and initiatives of one parsed file.
pub fn load_value(file: usize, stem: &str, root: &J) -> Loaded {
    let mut out = Loaded::default();
    match root {
        J::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                load_one(file, stem, item, &format!("/{i}"), &mut out);
            }
        }
        other => load_one(file, stem, other, "", &mut out),
    }
    out
}

fn load_one(file: usize, stem: &str, value: &J, pointer: &str, out: &mut Loaded) {
    let issue = |out: &mut Loaded, pointer: &str, message: String| {
        out.issues.push(LoadIssue {
            file,
            pointer: pointer.to_owned(),
            message,
        })
    };
    let J::Object(top) = value else {
        issue(
            out,
            pointer,
            "a policy definition must be a JSON object".to_owned(),
        );
        return;
    };
    // ARM resource form (Azure Landing Zones): expressions are escaped with `[[`.
    let arm_resource = get(top, "apiVersion").is_some()
        && get(top, "type")
            .and_then(|(_, t)| t.as_str())
            .is_some_and(|t| {
                t.to_ascii_lowercase()
                    .starts_with("microsoft.authorization/")
            });
    let owned;
    let top = if arm_resource {
        let mut copy = value.clone();
        unescape(&mut copy);
        owned = copy;
        match &owned {
            J::Object(o) => o,
            _ => return,
        }
    } else {
        top
    };
    let (props, props_pointer) = match get(top, "properties") {
        Some((k, J::Object(p))) => (p, ptr(pointer, k)),
        _ => (top, pointer.to_owned()),
    };
    let name = get(top, "name")
        .and_then(|(_, n)| n.as_str())
        .unwrap_or(stem)
        .to_owned();
    let display_name = get(props, "displayName")
        .and_then(|(_, n)| n.as_str())
        .unwrap_or(&name)
        .to_owned();
    let parameters = declarations(get(props, "parameters").map(|(_, v)| v));
    if let Some((key, members)) = get(props, "policyDefinitions") {
        let at = ptr(&props_pointer, key);
        let Some(items) = members.as_array() else {
            issue(out, &at, "`policyDefinitions` must be an array".to_owned());
            return;
        };
        let mut list = Vec::new();
        for (i, m) in items.iter().enumerate() {
            let mp = ptr(&at, &i.to_string());
            let Some(m) = m.as_object() else {
                issue(
                    out,
                    &mp,
                    "an initiative member must be an object".to_owned(),
                );
                continue;
            };
            let Some(id) = get(m, "policyDefinitionId").and_then(|(_, v)| v.as_str()) else {
                issue(
                    out,
                    &mp,
                    "the member has no `policyDefinitionId`".to_owned(),
                );
                continue;
            };
            let mut params = Vec::new();
            if let Some((pk, J::Object(ps))) = get(m, "parameters") {
                for (pname, pvalue) in ps {
                    let raw = match pvalue {
                        J::Object(o) => get(o, "value").map_or(&J::Null, |(_, v)| v),
                        other => other,
                    };
                    match CompiledValue::compile(raw) {
                        Ok(cv) => params.push((pname.clone(), cv)),
                        Err(e) => issue(
                            out,
                            &ptr(&ptr(&mp, pk), pname),
                            format!("invalid expression in the value of `{pname}`: {e}"),
                        ),
                    }
                }
            }
            list.push(Member {
                definition_id: id.to_owned(),
                reference_id: get(m, "policyDefinitionReferenceId")
                    .and_then(|(_, v)| v.as_str())
                    .map(str::to_owned),
                parameters: params,
            });
        }
        out.initiatives.push(Initiative {
            name,
            display_name,
            parameters,
            members: list,
            file,
        });
        return;
    }
    let Some((rule_key, J::Object(rule))) = get(props, "policyRule") else {
        issue(
            out,
            pointer,
            "not a policy definition: no `policyRule` (or `policyDefinitions` for an initiative)"
                .to_owned(),
        );
        return;
    };
    let rule_pointer = ptr(&props_pointer, rule_key);
    let mode = match get(props, "mode").and_then(|(_, m)| m.as_str()) {
        Some(m) if m.eq_ignore_ascii_case("all") => Mode::All,
        Some(m) if m.eq_ignore_ascii_case("indexed") => Mode::Indexed,
        None => Mode::Indexed,
        Some(m) => Mode::ResourceProvider(m.to_owned()),
    };
    let compile_error = |out: &mut Loaded, e: CompileError| {
        issue(out, &e.pointer, e.message);
    };
    let Some((if_key, if_json)) = get(rule, "if") else {
        issue(out, &rule_pointer, "the policy rule has no `if`".to_owned());
        return;
    };
    let condition = match Condition::compile_at(if_json, &ptr(&rule_pointer, if_key)) {
        Ok(c) => c,
        Err(e) => return compile_error(out, e),
    };
    let Some((then_key, J::Object(then))) = get(rule, "then") else {
        issue(
            out,
            &rule_pointer,
            "the policy rule has no `then` object".to_owned(),
        );
        return;
    };
    let then_pointer = ptr(&rule_pointer, then_key);
    let effect = match get(then, "effect").map(|(_, e)| CompiledValue::compile(e)) {
        Some(Ok(e)) => e,
        Some(Err(e)) => {
            issue(
                out,
                &ptr(&then_pointer, "effect"),
                format!("invalid effect expression: {e}"),
            );
            return;
        }
        None => {
            issue(out, &then_pointer, "`then` has no `effect`".to_owned());
            return;
        }
    };
    let details = get(then, "details");
    let details_pointer = details.map_or(then_pointer.clone(), |(k, _)| ptr(&then_pointer, k));
    let mut operations = Vec::new();
    let mut conflict_effect = None;
    let mut existence = None;
    let op_entry =
        |out: &mut Loaded, entry: &J, at: &str, kind: Option<&str>| -> Option<Operation> {
            let o = entry.as_object()?;
            let field = get(o, "field").and_then(|(_, f)| f.as_str())?;
            let value = get(o, "value").map_or(J::Null, |(_, v)| v.clone());
            let compile = |j: &J| CompiledValue::compile(j);
            let value = match compile(&value) {
                Ok(v) => v,
                Err(e) => {
                    issue(out, at, format!("invalid expression: {e}"));
                    return None;
                }
            };
            let condition = get(o, "condition").and_then(|(_, c)| compile(c).ok());
            Some(Operation {
                kind: kind
                    .map(str::to_owned)
                    .or_else(|| {
                        get(o, "operation")
                            .and_then(|(_, k)| k.as_str())
                            .map(str::to_owned)
                    })
                    .unwrap_or_else(|| "addOrReplace".to_owned()),
                field: field.to_owned(),
                value,
                condition,
            })
        };
    match details.map(|(_, d)| d) {
        Some(J::Array(entries)) => {
            for (i, e) in entries.iter().enumerate() {
                let at = ptr(&details_pointer, &i.to_string());
                if let Some(op) = op_entry(out, e, &at, Some("append")) {
                    operations.push(op);
                }
            }
        }
        Some(J::Object(d)) => {
            if let Some((ok, J::Array(ops))) = get(d, "operations") {
                for (i, e) in ops.iter().enumerate() {
                    let at = ptr(&ptr(&details_pointer, ok), &i.to_string());
                    if let Some(op) = op_entry(out, e, &at, None) {
                        operations.push(op);
                    }
                }
            }
            conflict_effect = get(d, "conflictEffect")
                .and_then(|(_, c)| c.as_str())
                .map(str::to_owned);
            if let Some(resource_type) = get(d, "type").and_then(|(_, t)| t.as_str()) {
                let condition = match get(d, "existenceCondition") {
                    Some((k, c)) => match Condition::compile_at(c, &ptr(&details_pointer, k)) {
                        Ok(c) => Some(c),
                        Err(e) => return compile_error(out, e),
                    },
                    None => None,
                };
                existence = Some(Existence {
                    resource_type: resource_type.to_owned(),
                    name: get(d, "name").and_then(|(_, n)| CompiledValue::compile(n).ok()),
                    subscription_scope: get(d, "existenceScope")
                        .and_then(|(_, s)| s.as_str())
                        .is_some_and(|s| s.eq_ignore_ascii_case("subscription")),
                    condition,
                });
            }
        }
        _ => {}
    }
    out.definitions.push(Definition {
        id: get(top, "id")
            .and_then(|(_, i)| i.as_str())
            .map(str::to_owned),
        name,
        display_name,
        mode,
        parameters,
        condition,
        effect,
        operations,
        conflict_effect,
        existence,
        file,
        pointer: rule_pointer,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_wrapped_arm_and_array_shapes() {
        let rule = json!({"if": {"field": "type", "equals": "x"}, "then": {"effect": "audit"}});
        let bare = json!({"mode": "All", "policyRule": rule});
        let wrapped = json!({"name": "n", "properties": {"displayName": "D", "policyRule": rule}});
        let arm = json!({"name": "alz", "type": "Microsoft.Authorization/policyDefinitions", "apiVersion": "2021-06-01",
            "properties": {"policyRule": {"if": {"field": "type", "equals": "[[parameters('t')]"}, "then": {"effect": "[[parameters('effect')]"}},
            "parameters": {"t": {"type": "String", "defaultValue": "x"}, "effect": {"type": "String", "defaultValue": "Audit"}}}});
        let loaded = load_value(0, "stem", &json!([bare, wrapped, arm]));
        assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
        assert_eq!(loaded.definitions.len(), 3);
        assert_eq!(loaded.definitions[0].name, "stem");
        assert_eq!(loaded.definitions[0].mode, Mode::All);
        assert_eq!(loaded.definitions[1].display_name, "D");
        assert!(matches!(
            &loaded.definitions[2].effect,
            CompiledValue::Expr(_)
        ));
    }

    #[test]
    fn problems_are_issues_with_pointers() {
        let loaded = load_value(
            0,
            "s",
            &json!({"properties": {"policyRule": {"if": {"field": "a"}, "then": {"effect": "audit"}}}}),
        );
        assert_eq!(loaded.issues.len(), 1);
        assert_eq!(loaded.issues[0].pointer, "/properties/policyRule/if");
    }
}
