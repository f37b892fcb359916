//! rustc-style text: a header with the code, the source excerpt with labels, help, and a
//! summary line.

use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{self as cs, LabelStyle};
use codespan_reporting::files::Error as FilesError;
use codespan_reporting::term;

use super::RenderOptions;
use crate::report::{Diagnostic, Label, Report, Severity};
use crate::source::SourceFile;

/// Adapts the report's files to codespan's `Files`.
struct CodespanFiles(Vec<Arc<SourceFile>>);

impl<'a> codespan_reporting::files::Files<'a> for CodespanFiles {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.0
            .get(id)
            .map(|f| f.name())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.0
            .get(id)
            .map(|f| f.text())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.0.get(id).ok_or(FilesError::FileMissing)?;
        Ok(file.line_index(u32::try_from(byte_index).unwrap_or(u32::MAX)))
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.0.get(id).ok_or(FilesError::FileMissing)?;
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map_or(file.text().len(), |&next| next as usize);
        Ok(start..end)
    }
}

pub(super) fn write(
    report: &Report,
    out: &mut dyn std::io::Write,
    options: &RenderOptions,
) -> std::io::Result<()> {
    let files = CodespanFiles(report.files().all());
    let config = term::Config::default();
    for d in report.diagnostics() {
        let rendered = to_codespan(&files, d);
        let result = if options.color && cfg!(feature = "color") {
            let mut colored = term::termcolor::Ansi::new(&mut *out);
            term::emit_to_write_style(&mut colored, &config, &files, &rendered)
        } else {
            term::emit_to_io_write(&mut *out, &config, &files, &rendered)
        };
        result.map_err(|error| match error {
            FilesError::Io(io) => io,
            other => std::io::Error::other(other.to_string()),
        })?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// `armgraph: 2 templates, 1 parameter file (3 other files skipped): 1 error, 2 warnings, 0 notes`
pub(crate) fn summary_line(report: &Report) -> String {
    let scanned = report.scanned();
    let summary = report.summary();
    let mut line = format!(
        "armgraph: {}, {}",
        plural(scanned.templates, "template"),
        plural(scanned.parameter_files, "parameter file")
    );
    if scanned.other > 0 {
        line.push_str(&format!(
            " ({} skipped)",
            plural(scanned.other, "other JSON file")
        ));
    }
    line.push_str(&format!(
        ": {}, {}, {}",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.notes, "note")
    ));
    if summary.suppressed > 0 {
        line.push_str(&format!(", {} suppressed", summary.suppressed));
    }
    if summary.indeterminate > 0 {
        line.push_str(&format!(", {} indeterminate", summary.indeterminate));
    }
    line
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn to_codespan(files: &CodespanFiles, d: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match d.severity() {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let mut labels = Vec::with_capacity(1 + d.related().len());
    labels.extend(label(files, d.primary(), LabelStyle::Primary));
    labels.extend(
        d.related()
            .iter()
            .filter_map(|l| label(files, l, LabelStyle::Secondary)),
    );
    let mut notes = Vec::new();
    if let Some(resource) = d.location().resource() {
        notes.push(format!("resource: {resource}"));
    }
    if let Some(help) = d.help() {
        notes.push(format!("help: {help}"));
    }
    if let Some(suppression) = d.suppression() {
        notes.push(format!("suppressed: {}", suppression.justification));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code())
        .with_message(d.message())
        .with_labels(labels)
        .with_notes(notes)
}

/// A codespan label for a location, narrowed to the first line of a multi-line node so that a
/// finding on a whole resource shows one line, not the resource.
fn label(files: &CodespanFiles, label: &Label, style: LabelStyle) -> Option<cs::Label<usize>> {
    let location = label.location();
    let index = location.file().index();
    let file = files.0.get(index)?;
    let span = location.span_in(file);
    let text = file.text();
    let start = (span.start as usize).min(text.len());
    let mut end = (span.end as usize).clamp(start, text.len());
    if let Some(first_line) = text.get(start..end).and_then(|s| s.split('\n').next())
        && first_line.len() < end - start
    {
        end = start + first_line.trim_end().len();
    }
    if end == start {
        end = start
            + text
                .get(start..)
                .and_then(|s| s.chars().next())
                .map_or(0, char::len_utf8);
    }
    Some(cs::Label::new(style, index, start..end).with_message(label.message()))
}
