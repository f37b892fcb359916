//! Findings and how they are shown: [`Diagnostic`], [`Location`], [`Report`], and the human,
//! JSON and SARIF renderers.
//!
//! A diagnostic stores where it points as a file, a JSON pointer and optionally an exact byte
//! span; line and column are resolved only when a report is sorted or rendered.

pub mod render;

use std::borrow::Cow;
use std::sync::Arc;

use crate::source::{FileId, Files, LineColumn, SourceFile, Span};

pub use crate::codes::Severity;
pub use render::Format;

/// Where a finding points: a file, the JSON pointer of the node a user must change, an exact byte
/// span when one is known (a syntax error, a sub-expression), and the resource id when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    file: FileId,
    pointer: String,
    span: Option<(u32, u32)>,
    resource: Option<String>,
}

impl Location {
    /// The node at `pointer` (RFC 6901, `""` for the whole file) in `file`.
    pub fn new(file: FileId, pointer: impl Into<String>) -> Self {
        Location {
            file,
            pointer: pointer.into(),
            span: None,
            resource: None,
        }
    }

    /// Points at an exact byte range instead of the whole node.
    pub fn with_span(mut self, start: u32, end: u32) -> Self {
        self.span = Some((start, end.max(start)));
        self
    }

    /// Names the resource (its full id) the location belongs to.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The file.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// The JSON pointer.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The resource id, when known.
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    /// The byte span in `file`: the explicit span, else the member (`"name": value`) or element
    /// at the pointer, or its nearest ancestor that exists.
    pub fn span_in(&self, file: &SourceFile) -> Span {
        match self.span {
            Some((start, end)) => Span {
                file: self.file,
                start,
                end,
            },
            None => file.member_span(&self.pointer),
        }
    }
}

/// A location with a message saying what role it plays in a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    location: Location,
    message: String,
}

impl Label {
    /// A labelled location.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Label {
            location,
            message: message.into(),
        }
    }

    /// Where.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The role of this location ("public access enabled here").
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Suppression {
    /// `"inSource"` for a suppression written in the template, `"external"` for configuration.
    pub kind: SuppressionKind,
    /// The justification the suppression gives.
    pub justification: String,
}

impl Suppression {
    /// A suppression of `kind` with its justification.
    pub fn new(kind: SuppressionKind, justification: impl Into<String>) -> Self {
        Suppression {
            kind,
            justification: justification.into(),
        }
    }
}

/// Where a suppression was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    /// In the template (resource metadata).
    InSource,
    /// In the configuration file.
    External,
}

/// One finding: a code, a severity, a message, where it points and what else explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    code: Cow<'static, str>,
    severity: Severity,
    message: String,
    help: Option<String>,
    primary: Label,
    related: Vec<Label>,
    suppression: Option<Suppression>,
}

impl Diagnostic {
    /// A finding with `code` at `location`.
    pub fn new(
        code: impl Into<Cow<'static, str>>,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            help: None,
            primary: Label::new(location, ""),
            related: Vec::new(),
            suppression: None,
        }
    }

    /// Says what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Labels the primary location.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a related location that explains the finding.
    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Label::new(location, message));
        self
    }

    /// Changes the severity (configuration overrides).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Marks the finding suppressed.
    pub fn with_suppression(mut self, suppression: Suppression) -> Self {
        self.suppression = Some(suppression);
        self
    }

    /// The code, e.g. `ARM-JSON-001`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The severity.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The message: one sentence that makes sense alone.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do, when known.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The primary location and its label.
    pub fn primary(&self) -> &Label {
        &self.primary
    }

    /// The primary location.
    pub fn location(&self) -> &Location {
        &self.primary.location
    }

    /// Related locations.
    pub fn related(&self) -> &[Label] {
        &self.related
    }

    /// The suppression, when the finding is suppressed.
    pub fn suppression(&self) -> Option<&Suppression> {
        self.suppression.as_ref()
    }

    /// Whether the finding is suppressed.
    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }
}

/// A file the analysis read as a template, and how many resources it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedFile {
    /// The template.
    pub file: FileId,
    /// Resources it deploys or may deploy (copies counted; `existing` and skipped ones not).
    pub resources: usize,
    /// Expressions whose value is unknown before deployment (runtime functions, missing
    /// parameters).
    pub unknown_values: usize,
}

/// How the inputs were classified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanCounts {
    /// Deployment templates analyzed.
    pub templates: usize,
    /// Deployment parameter files read.
    pub parameter_files: usize,
    /// JSON files that are neither (skipped).
    pub other: usize,
    /// Files that could not be read as JSON at all.
    pub unreadable: usize,
}

/// Counts by severity (unsuppressed findings only) and of undecided checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Unsuppressed errors.
    pub errors: usize,
    /// Unsuppressed warnings.
    pub warnings: usize,
    /// Unsuppressed notes.
    pub notes: usize,
    /// Suppressed findings of any severity.
    pub suppressed: usize,
    /// Checks that could not be decided because their inputs were unknown.
    pub indeterminate: usize,
}

/// The result of one analysis: the files, the findings (sorted by file, position, code) and
/// counts.
#[derive(Debug, Clone)]
pub struct Report {
    files: Files,
    analyzed: Vec<AnalyzedFile>,
    diagnostics: Vec<Diagnostic>,
    scanned: ScanCounts,
    indeterminate: usize,
}

impl Report {
    /// Builds a report; diagnostics are sorted by file name, position and code, and exact
    /// duplicates are dropped.
    pub fn new(
        files: Files,
        mut analyzed: Vec<AnalyzedFile>,
        mut diagnostics: Vec<Diagnostic>,
        scanned: ScanCounts,
        indeterminate: usize,
    ) -> Self {
        let all = files.all();
        let name_of = |id: FileId| all.get(id.index()).map(|f| f.name().to_owned());
        analyzed.sort_by_cached_key(|a| name_of(a.file));
        diagnostics.sort_by_cached_key(|d| {
            let location = d.location();
            let offset = all
                .get(location.file().index())
                .map_or(0, |f| location.span_in(f).start);
            (
                name_of(location.file()),
                offset,
                d.code().to_owned(),
                d.message().to_owned(),
            )
        });
        diagnostics.dedup();
        Report {
            files,
            analyzed,
            diagnostics,
            scanned,
            indeterminate,
        }
    }

    /// The files read.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// One file by id.
    pub fn file(&self, id: FileId) -> Option<Arc<SourceFile>> {
        self.files.get(id)
    }

    /// Templates analyzed, sorted by name.
    pub fn analyzed(&self) -> &[AnalyzedFile] {
        &self.analyzed
    }

    /// All findings, suppressed ones included, sorted.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// How the inputs were classified.
    pub fn scanned(&self) -> ScanCounts {
        self.scanned
    }

    /// Counts by severity.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            indeterminate: self.indeterminate,
            ..Summary::default()
        };
        for d in &self.diagnostics {
            if d.is_suppressed() {
                summary.suppressed += 1;
                continue;
            }
            match d.severity() {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
        }
        summary
    }

    /// The highest severity of an unsuppressed finding.
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics
            .iter()
            .filter(|d| !d.is_suppressed())
            .map(Diagnostic::severity)
            .max()
    }

    /// Whether any unsuppressed finding is an error.
    pub fn has_errors(&self) -> bool {
        self.max_severity() == Some(Severity::Error)
    }

    /// Whether any unsuppressed finding reaches `level`.
    pub fn reaches(&self, level: Severity) -> bool {
        self.max_severity().is_some_and(|max| max >= level)
    }

    /// Resolves a location to file name, line and column.
    pub fn resolve(&self, location: &Location) -> ResolvedLocation {
        match self.files.get(location.file()) {
            Some(file) => {
                let span = location.span_in(&file);
                ResolvedLocation {
                    file: file.name().to_owned(),
                    start: file.line_column(span.start),
                    end: file.line_column(span.end),
                }
            }
            None => ResolvedLocation {
                file: String::new(),
                start: LineColumn { line: 1, column: 1 },
                end: LineColumn { line: 1, column: 1 },
            },
        }
    }

    /// Writes the report in `format`.
    pub fn write(
        &self,
        out: &mut dyn std::io::Write,
        format: Format,
        options: &render::RenderOptions,
    ) -> std::io::Result<()> {
        render::write(self, out, format, options)
    }
}

impl std::fmt::Display for Report {
    /// The human rendering, without colour.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buffer = Vec::new();
        self.write(
            &mut buffer,
            Format::Human,
            &render::RenderOptions::default(),
        )
        .map_err(|_| std::fmt::Error)?;
        f.write_str(&String::from_utf8_lossy(&buffer))
    }
}

/// A location resolved to a file name and 1-based line/column positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLocation {
    /// The file name as reports show it.
    pub file: String,
    /// Start of the span.
    pub start: LineColumn,
    /// End of the span.
    pub end: LineColumn,
}
