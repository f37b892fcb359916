//! SARIF 2.1.0 output, accepted by GitHub code scanning: `rules[]` from the registry, results
//! with relative URIs under `%SRCROOT%`, related locations, stable fingerprints and
//! suppressions.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::RenderOptions;
use crate::report::{Diagnostic, Location, Report, Severity, SuppressionKind};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(super) fn write(
    report: &Report,
    out: &mut dyn std::io::Write,
    options: &RenderOptions,
) -> std::io::Result<()> {
    let document = to_sarif(report, options);
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn to_sarif(report: &Report, options: &RenderOptions) -> Value {
    let registry = crate::rules::registry();
    let mut rules: Vec<Value> = Vec::with_capacity(registry.len());
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    for info in &registry {
        rule_index.insert(info.code, rules.len());
        let mut rule = json!({
            "id": info.code,
            "name": info.name,
            "shortDescription": {"text": info.summary},
            "defaultConfiguration": {"level": level(info.default_severity)},
        });
        if let (Some(base), Some(object)) = (&options.docs_base_url, rule.as_object_mut()) {
            let url = format!("{}/{}.md", base.trim_end_matches('/'), info.code);
            object.insert("helpUri".into(), json!(url));
        }
        rules.push(rule);
    }
    // Codes outside the registry (policy/…, custom/…) get a rule entry of their own.
    for d in report.diagnostics() {
        if !rule_index.contains_key(d.code()) {
            rule_index.insert(d.code(), rules.len());
            rules.push(json!({
                "id": d.code(),
                "shortDescription": {"text": d.code()},
                "defaultConfiguration": {"level": level(d.severity())},
            }));
        }
    }
    let results: Vec<Value> = report
        .diagnostics()
        .iter()
        .map(|d| result(report, d, rule_index.get(d.code()).copied()))
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "armgraph",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory armgraph was run from."}}},
            "results": results,
        }],
    })
}

fn result(report: &Report, d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let mut message = d.message().to_owned();
    if let Some(help) = d.help() {
        message.push_str("\nHelp: ");
        message.push_str(help);
    }
    let related: Vec<Value> = d
        .related()
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut location = physical(report, label.location());
            if let Some(object) = location.as_object_mut() {
                object.insert("id".into(), json!(i));
                object.insert("message".into(), json!({"text": label.message()}));
            }
            location
        })
        .collect();
    let mut result = json!({
        "ruleId": d.code(),
        "level": level(d.severity()),
        "message": {"text": message},
        "locations": [physical(report, d.location())],
        "partialFingerprints": {"armgraphFindingHash/v1": fingerprint(d)},
    });
    let Some(object) = result.as_object_mut() else {
        return result;
    };
    if let Some(index) = rule_index {
        object.insert("ruleIndex".into(), json!(index));
    }
    if !related.is_empty() {
        object.insert("relatedLocations".into(), json!(related));
    }
    if let Some(suppression) = d.suppression() {
        let kind = match suppression.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        };
        object.insert(
            "suppressions".into(),
            json!([{"kind": kind, "justification": suppression.justification}]),
        );
    }
    result
}

fn physical(report: &Report, location: &Location) -> Value {
    let resolved = report.resolve(location);
    let mut value = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_path(&resolved.file), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": resolved.start.line,
                "startColumn": resolved.start.column,
                "endLine": resolved.end.line,
                "endColumn": resolved.end.column,
            },
        },
    });
    if let (Some(resource), Some(object)) = (location.resource(), value.as_object_mut()) {
        object.insert(
            "logicalLocations".into(),
            json!([{"fullyQualifiedName": resource, "kind": "resource"}]),
        );
    }
    value
}

/// Percent-encodes what a relative URI reference may not contain.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte))
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// A fingerprint that survives edits elsewhere in the file: FNV-1a (64 bit, stable across
/// platforms and Rust versions) of the code, the resource id (case-folded, as ids compare) and
/// the JSON pointer — never of line numbers.
pub fn fingerprint(d: &Diagnostic) -> String {
    let location = d.location();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    feed(d.code().as_bytes());
    feed(
        location
            .resource()
            .unwrap_or_default()
            .to_lowercase()
            .as_bytes(),
    );
    feed(location.pointer().as_bytes());
    format!("{hash:016x}")
}
