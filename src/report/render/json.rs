//! The JSON output (version 1). Fields may be added, never renamed or removed.

use serde_json::{Value, json};

use crate::report::{Diagnostic, Label, Report};

/// The version of the JSON shape.
pub const JSON_OUTPUT_VERSION: u32 = 1;

pub(super) fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let document = to_json(report);
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn to_json(report: &Report) -> Value {
    let files: Vec<Value> = report
        .analyzed()
        .iter()
        .map(|a| {
            let path = report.file(a.file).map(|f| f.name().to_owned());
            json!({"path": path, "resources": a.resources, "unknownValues": a.unknown_values})
        })
        .collect();
    let diagnostics: Vec<Value> = report
        .diagnostics()
        .iter()
        .map(|d| diagnostic(report, d))
        .collect();
    let summary = report.summary();
    let scanned = report.scanned();
    json!({
        "version": JSON_OUTPUT_VERSION,
        "files": files,
        "diagnostics": diagnostics,
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "notes": summary.notes,
            "indeterminate": summary.indeterminate,
            "suppressed": summary.suppressed,
        },
        "scanned": {
            "templates": scanned.templates,
            "parameterFiles": scanned.parameter_files,
            "other": scanned.other,
            "unreadable": scanned.unreadable,
        },
    })
}

fn diagnostic(report: &Report, d: &Diagnostic) -> Value {
    let location = d.location();
    let resolved = report.resolve(location);
    let related: Vec<Value> = d.related().iter().map(|l| related(report, l)).collect();
    let mut value = json!({
        "code": d.code(),
        "severity": d.severity().as_str(),
        "message": d.message(),
        "help": d.help(),
        "file": resolved.file,
        "line": resolved.start.line,
        "column": resolved.start.column,
        "pointer": location.pointer(),
        "resource": location.resource(),
        "related": related,
        "suppressed": d.is_suppressed(),
    });
    if let (Some(suppression), Some(object)) = (d.suppression(), value.as_object_mut()) {
        object.insert("justification".into(), json!(suppression.justification));
    }
    value
}

fn related(report: &Report, label: &Label) -> Value {
    let location = label.location();
    let resolved = report.resolve(location);
    json!({
        "file": resolved.file,
        "line": resolved.start.line,
        "column": resolved.start.column,
        "pointer": location.pointer(),
        "resource": location.resource(),
        "message": label.message(),
    })
}
