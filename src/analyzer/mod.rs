//! The analyzer: runs the pipeline over inputs and gathers one [`Report`].

mod inputs;

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::codes::Severity;
use crate::config::Config;
use crate::error::Error;
use crate::graph::ResourceGraph;
use crate::model::ResourceSet;
use crate::report::{AnalyzedFile, Diagnostic, Location, Report, ScanCounts};
use crate::source::{self, DocumentKind, Files, JsonIssue, JsonIssueKind, ReadOutcome, SourceFile};
use crate::template::{
    ARM_MAX_TEMPLATE_BYTES, Document, ExpandIssue, ExpandOptions, TemplateLoader, expand,
};

pub use inputs::{Inputs, MAX_WALK_DEPTH};

/// Above this many files, a progress bar is worth showing (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 8;

/// Stack of each analysis thread. Expansion recurses through chains of variables (up to
/// `template::MAX_VARIABLE_CHAIN`), nested deployments and nested expressions, each bounded;
/// together they need more than the 2 MiB a spawned thread gets by default. The memory is
/// reserved, not committed, until used.
pub const ANALYSIS_STACK_BYTES: usize = 256 * 1024 * 1024;

/// The threads analyses run on: rayon's, with stacks of [`ANALYSIS_STACK_BYTES`].
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(ANALYSIS_STACK_BYTES)
            .thread_name(|i| format!("armgraph-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `work` on the analysis threads (or here, if they could not be started).
fn on_analysis_threads<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Runs armgraph over inputs. Build once, reuse across calls and threads.
///
/// ```
/// use armgraph::{Analyzer, Config, Inputs};
/// let analyzer = Analyzer::new(Config::default());
/// let report = analyzer
///     .check(&Inputs::new().with_source("broken.json", "{\n  \"a\": 1\n  \"b\": 2\n}"))
///     .expect("in-memory input never fails to read");
/// let finding = &report.diagnostics()[0];
/// assert_eq!(finding.code(), "ARM-JSON-001");
/// assert_eq!(report.resolve(finding.location()).start.line, 3);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    config: Config,
}

/// One input file after reading and parsing.
struct Loaded {
    file: Option<Arc<SourceFile>>,
    path: PathBuf,
    root: PathBuf,
    explicit: bool,
    kind: Option<DocumentKind>,
    value: Option<Value>,
    diagnostics: Vec<Diagnostic>,
}

impl Analyzer {
    /// An analyzer with this configuration.
    pub fn new(config: Config) -> Self {
        Analyzer { config }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Analyzes the inputs. Fails only when a path given by the caller cannot be read; every
    /// problem inside the files is a diagnostic in the report.
    pub fn check(&self, inputs: &Inputs) -> Result<Report, Error> {
        on_analysis_threads(|| self.check_here(inputs))
    }

    fn check_here(&self, inputs: &Inputs) -> Result<Report, Error> {
        let files = Files::new();
        let collected = inputs::collect(inputs.paths(), inputs.parameter_files())?;
        let loaded = self.load_all(&files, &collected.files, inputs.sources());

        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        for (dir, error) in &collected.unreadable_dirs {
            let file = files.add(dir, String::new());
            diagnostics.push(Diagnostic::new(
                "ARM-IO-001",
                Severity::Error,
                format!("cannot read directory `{}`: {error}", file.name()),
                Location::new(file.id(), ""),
            ));
        }
        let mut scanned = ScanCounts::default();
        for l in &loaded {
            diagnostics.extend(l.diagnostics.iter().cloned());
            match l.kind {
                Some(DocumentKind::Template) => scanned.templates += 1,
                Some(DocumentKind::Parameters) => scanned.parameter_files += 1,
                Some(DocumentKind::Other) => scanned.other += 1,
                None => scanned.unreadable += 1,
            }
            if let (true, Some(DocumentKind::Other), Some(file)) = (l.explicit, l.kind, &l.file) {
                diagnostics.push(not_a_template(file));
            }
        }

        let policies = match self.config.policies() {
            Some(set) => Some(Arc::clone(set)),
            None if !self.config.policy_paths().is_empty() => Some(Arc::new(
                crate::policy::PolicySet::load(self.config.policy_paths())?,
            )),
            None => None,
        };
        if let Some(set) = &policies {
            diagnostics.extend(set.load_diagnostics(&files));
        }
        let policy_options = crate::policy::PolicyOptions::default()
            .with_parameters(self.config.policy_parameters().clone())
            .with_context(self.config.context().clone());
        let policy = policies.as_deref().map(|set| (set, &policy_options));

        let templates = pair_parameter_files(&loaded, inputs.parameter_files());
        for l in &loaded {
            let used = templates
                .iter()
                .any(|t| t.parameters.iter().any(|p| std::ptr::eq(*p, l)));
            if let (true, false, Some(DocumentKind::Parameters), Some(file)) =
                (l.explicit, used, l.kind, &l.file)
            {
                diagnostics.push(unpaired_parameters(file));
            }
        }

        let analyzed: Vec<(AnalyzedFile, Vec<Diagnostic>, usize)> = templates
            .par_iter()
            .filter_map(|t| {
                let file = t.template.file.as_ref()?;
                let value = t.template.value.as_ref()?;
                Some(self.analyze_template(&files, t.template, file, value, &t.parameters, policy))
            })
            .collect();
        let mut analyzed_files = Vec::with_capacity(analyzed.len());
        let mut indeterminate = 0;
        for (file, findings, undecided) in analyzed {
            analyzed_files.push(file);
            diagnostics.extend(findings);
            indeterminate += undecided;
        }
        Ok(Report::new(
            files,
            analyzed_files,
            diagnostics,
            scanned,
            indeterminate,
        ))
    }

    /// Reads and parses every file in parallel, then the in-memory texts.
    fn load_all(
        &self,
        files: &Files,
        candidates: &[inputs::Candidate],
        sources: &[(String, String)],
    ) -> Vec<Loaded> {
        let progress = self.progress_bar(candidates.len() + sources.len());
        let mut loaded: Vec<Loaded> = candidates
            .par_iter()
            .map(|candidate| {
                let result = self.load(files, candidate);
                progress.inc(1);
                result
            })
            .collect();
        loaded.extend(sources.iter().map(|(name, text)| {
            let file = files.add(name, text.clone());
            let result = parse_loaded(file, PathBuf::from(name), PathBuf::from("."), true);
            progress.inc(1);
            result
        }));
        progress.finish_and_clear();
        loaded
    }

    /// Expands one template (once per parameter file paired with it, or once without) and turns
    /// what expansion reports into diagnostics.
    fn analyze_template(
        &self,
        files: &Files,
        loaded: &Loaded,
        file: &Arc<SourceFile>,
        value: &Value,
        parameter_files: &[&Loaded],
        policy: Option<(&crate::policy::PolicySet, &crate::policy::PolicyOptions)>,
    ) -> (AnalyzedFile, Vec<Diagnostic>, usize) {
        let options = ExpandOptions::default()
            .with_context(self.config.context().clone())
            .with_root(loaded.root.clone());
        let loader = LinkedTemplates {
            files,
            diagnostics: RefCell::new(Vec::new()),
            max_bytes: self.config.max_file_bytes(),
        };
        let template = Document {
            file: file.id(),
            path: file.path(),
            value,
        };
        let parameter_documents: Vec<Option<Document<'_>>> = if parameter_files.is_empty() {
            vec![None]
        } else {
            parameter_files
                .iter()
                .filter_map(|p| {
                    Some(Some(Document {
                        file: p.file.as_ref()?.id(),
                        path: &p.path,
                        value: p.value.as_ref()?,
                    }))
                })
                .collect()
        };
        let mut diagnostics = Vec::new();
        if file.text().len() > ARM_MAX_TEMPLATE_BYTES {
            diagnostics.push(
                Diagnostic::new(
                    "ARM-LIMIT-005",
                    Severity::Error,
                    format!(
                        "the template is {} bytes; ARM refuses templates over {ARM_MAX_TEMPLATE_BYTES} bytes",
                        file.text().len()
                    ),
                    Location::new(file.id(), ""),
                )
                .with_help("move parts into linked templates or modules"),
            );
        }
        let mut resources = 0;
        let mut unknown_values = 0;
        let mut indeterminate = 0;
        for parameters in parameter_documents {
            let expansion = expand(template, parameters, &options, &loader);
            resources = resources.max(expansion.deployed().count());
            unknown_values = unknown_values.max(expansion.unknown_values);
            diagnostics.extend(
                expansion
                    .issues
                    .iter()
                    .map(|issue| expand_issue_diagnostic(files, issue)),
            );
            let graph = ResourceGraph::build(ResourceSet::from_expansion(&expansion));
            diagnostics.extend(graph_diagnostics(&graph));
            let (findings, mut undecided) = run_rules(&graph);
            diagnostics.extend(findings);
            if let Some((set, options)) = policy {
                let (findings, policy_undecided) = set.evaluate(&graph, options);
                diagnostics.extend(findings);
                undecided += policy_undecided;
            }
            indeterminate = indeterminate.max(undecided);
        }
        diagnostics.append(&mut loader.diagnostics.borrow_mut());
        (
            AnalyzedFile {
                file: file.id(),
                resources,
                unknown_values,
            },
            diagnostics,
            indeterminate,
        )
    }

    /// Expands one template file (with an optional parameter file) and returns the expansion and
    /// the diagnostics, for the `--expand` view. Linked templates are read from the template's
    /// directory.
    pub fn expand_file(
        &self,
        template: &std::path::Path,
        parameters: Option<&std::path::Path>,
    ) -> Result<(Report, crate::template::Expansion), Error> {
        on_analysis_threads(|| self.expand_file_here(template, parameters))
    }

    fn expand_file_here(
        &self,
        template: &std::path::Path,
        parameters: Option<&std::path::Path>,
    ) -> Result<(Report, crate::template::Expansion), Error> {
        let files = Files::new();
        let read = |path: &std::path::Path| -> Result<Loaded, Error> {
            std::fs::metadata(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(self.load(
                &files,
                &inputs::Candidate {
                    path: path.to_path_buf(),
                    explicit: true,
                    root: inputs::parent_dir(path),
                },
            ))
        };
        let loaded = read(template)?;
        let parameter_file = parameters.map(read).transpose()?;
        let mut diagnostics = loaded.diagnostics.clone();
        if let Some(p) = &parameter_file {
            diagnostics.extend(p.diagnostics.iter().cloned());
        }
        let mut expansion = crate::template::Expansion::default();
        if let (Some(file), Some(value)) = (&loaded.file, &loaded.value) {
            let options = ExpandOptions::default()
                .with_context(self.config.context().clone())
                .with_root(loaded.root.clone());
            let loader = LinkedTemplates {
                files: &files,
                diagnostics: RefCell::new(Vec::new()),
                max_bytes: self.config.max_file_bytes(),
            };
            let parameters = parameter_file.as_ref().and_then(|p| {
                Some(Document {
                    file: p.file.as_ref()?.id(),
                    path: &p.path,
                    value: p.value.as_ref()?,
                })
            });
            expansion = expand(
                Document {
                    file: file.id(),
                    path: file.path(),
                    value,
                },
                parameters,
                &options,
                &loader,
            );
            diagnostics.extend(
                expansion
                    .issues
                    .iter()
                    .map(|issue| expand_issue_diagnostic(&files, issue)),
            );
            diagnostics.append(&mut loader.diagnostics.borrow_mut());
            let graph = ResourceGraph::build(ResourceSet::from_expansion(&expansion));
            diagnostics.extend(graph_diagnostics(&graph));
            diagnostics.extend(run_rules(&graph).0);
        }
        let report = Report::new(files, Vec::new(), diagnostics, ScanCounts::default(), 0);
        Ok((report, expansion))
    }

    fn progress_bar(&self, total: usize) -> indicatif::ProgressBar {
        if self.config.progress() && total > PROGRESS_MIN_FILES && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        } else {
            indicatif::ProgressBar::hidden()
        }
    }

    fn load(&self, files: &Files, candidate: &inputs::Candidate) -> Loaded {
        let path = candidate.path.clone();
        let unreadable = |file: Arc<SourceFile>, diagnostic: Diagnostic| Loaded {
            file: Some(file),
            path: candidate.path.clone(),
            root: candidate.root.clone(),
            explicit: candidate.explicit,
            kind: None,
            value: None,
            diagnostics: vec![diagnostic],
        };
        match source::read_file_with_limit(files, &path, self.config.max_file_bytes()) {
            Ok(ReadOutcome::Text(file)) => {
                parse_loaded(file, path, candidate.root.clone(), candidate.explicit)
            }
            Ok(ReadOutcome::InvalidUtf8 { file, offset }) => {
                let location = Location::new(file.id(), "").with_span(offset, offset + 1);
                let diagnostic = Diagnostic::new(
                    "ARM-IO-002",
                    Severity::Error,
                    format!("`{}` is not valid UTF-8 text", file.name()),
                    location,
                )
                .with_label("invalid byte here")
                .with_help("save the file as UTF-8");
                unreadable(file, diagnostic)
            }
            Ok(ReadOutcome::TooLarge { size }) => {
                let file = files.add(&path, String::new());
                let diagnostic = Diagnostic::new(
                    "ARM-IO-003",
                    Severity::Error,
                    format!(
                        "`{}` is {size} bytes, more than the {} bytes armgraph reads",
                        file.name(),
                        self.config.max_file_bytes()
                    ),
                    Location::new(file.id(), ""),
                )
                .with_help("Azure Resource Manager refuses templates over 4 MB; split the template, or raise `maxFileBytes` in the configuration");
                unreadable(file, diagnostic)
            }
            Err(error) => {
                let file = files.add(&path, String::new());
                let diagnostic = Diagnostic::new(
                    "ARM-IO-001",
                    Severity::Error,
                    format!("cannot read `{}`: {error}", file.name()),
                    Location::new(file.id(), ""),
                );
                unreadable(file, diagnostic)
            }
        }
    }
}

/// A template and the parameter files it is analyzed with.
struct TemplateInput<'a> {
    template: &'a Loaded,
    parameters: Vec<&'a Loaded>,
}

/// Pairs each template with the parameter files named for it (`<name>.parameters*.json` beside
/// it) and with every parameter file the caller gave explicitly.
fn pair_parameter_files<'a>(loaded: &'a [Loaded], explicit: &[PathBuf]) -> Vec<TemplateInput<'a>> {
    let parameter_files: Vec<&Loaded> = loaded
        .iter()
        .filter(|l| l.kind == Some(DocumentKind::Parameters))
        .collect();
    loaded
        .iter()
        .filter(|l| l.kind == Some(DocumentKind::Template))
        .map(|template| TemplateInput {
            template,
            parameters: parameter_files
                .iter()
                .copied()
                .filter(|p| {
                    explicit.iter().any(|e| e == &p.path)
                        || inputs::parameters_belong_to(&template.path, &p.path)
                })
                .collect(),
        })
        .collect()
}

fn not_a_template(file: &SourceFile) -> Diagnostic {
    Diagnostic::new(
        "ARM-INPUT-001",
        Severity::Warning,
        format!(
            "`{}` is not a deployment template: its `$schema` is not a deploymentTemplate schema",
            file.name()
        ),
        Location::new(file.id(), "/$schema"),
    )
    .with_help("templates declare `\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\"`")
}

fn unpaired_parameters(file: &SourceFile) -> Diagnostic {
    Diagnostic::new(
        "ARM-INPUT-002",
        Severity::Warning,
        format!(
            "`{}` is a parameter file, but no template was analyzed with it",
            file.name()
        ),
        Location::new(file.id(), ""),
    )
    .with_help("give its template too, e.g. `armgraph azuredeploy.json --parameters azuredeploy.parameters.json`, or name it `<template>.parameters.json`")
}

fn parse_loaded(file: Arc<SourceFile>, path: PathBuf, root: PathBuf, explicit: bool) -> Loaded {
    let parsed = source::parse_file(&file);
    let diagnostics = parsed
        .issues
        .iter()
        .map(|issue| json_issue_diagnostic(&file, issue))
        .collect();
    let kind = parsed.value.as_ref().map(source::classify);
    Loaded {
        file: Some(file),
        path,
        root,
        explicit,
        kind,
        value: parsed.value,
        diagnostics,
    }
}

/// Turns what the JSON reader reported into a finding.
fn json_issue_diagnostic(file: &SourceFile, issue: &JsonIssue) -> Diagnostic {
    let location =
        Location::new(file.id(), issue.pointer.clone()).with_span(issue.start, issue.end);
    let (code, severity, message, label, help) = match &issue.kind {
        JsonIssueKind::Syntax(message) => (
            "ARM-JSON-001",
            Severity::Error,
            format!("invalid JSON: {message}"),
            "here",
            None,
        ),
        JsonIssueKind::Lenient(what) => (
            "ARM-JSON-002",
            Severity::Note,
            format!("{what} is not standard JSON, but Azure Resource Manager accepts it"),
            "non-standard JSON",
            Some("other JSON tools may reject it; write standard JSON where you can"),
        ),
        JsonIssueKind::DuplicateMember(name) => (
            "ARM-JSON-003",
            Severity::Warning,
            format!(
                "member `{name}` appears more than once in this object (names compare ignoring case); the last value wins"
            ),
            "repeated here",
            Some("remove one of the members"),
        ),
        JsonIssueKind::NumberOutOfRange {
            literal,
            unrepresentable,
        } => (
            "ARM-JSON-004",
            Severity::Warning,
            if *unrepresentable {
                format!("number `{literal}` is beyond the range of a double; it is read as null")
            } else {
                format!(
                    "integer `{literal}` does not fit 64 bits; it is read as a floating-point number"
                )
            },
            "out of range",
            Some("ARM integers are 64-bit; write the number as a string if it is an identifier"),
        ),
        JsonIssueKind::TooDeep => (
            "ARM-JSON-005",
            Severity::Error,
            format!(
                "arrays and objects are nested deeper than {} levels; the file was not read further",
                source::MAX_JSON_DEPTH
            ),
            "too deep",
            None,
        ),
        JsonIssueKind::LoneSurrogate => (
            "ARM-JSON-006",
            Severity::Warning,
            "this `\\u` escape is half of a UTF-16 surrogate pair; it was read as U+FFFD"
                .to_owned(),
            "lone surrogate",
            Some("escape the whole pair, e.g. `\\ud83d\\ude00`"),
        ),
    };
    let diagnostic = Diagnostic::new(code, severity, message, location).with_label(label);
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// Reads linked templates into the analysis' file store.
struct LinkedTemplates<'f> {
    files: &'f Files,
    diagnostics: RefCell<Vec<Diagnostic>>,
    max_bytes: u64,
}

impl TemplateLoader for LinkedTemplates<'_> {
    fn load(&self, path: &std::path::Path) -> Result<(source::FileId, Arc<Value>), String> {
        match source::read_file_with_limit(self.files, path, self.max_bytes) {
            Ok(ReadOutcome::Text(file)) => {
                let parsed = source::parse_file(&file);
                self.diagnostics.borrow_mut().extend(
                    parsed
                        .issues
                        .iter()
                        .map(|issue| json_issue_diagnostic(&file, issue)),
                );
                match parsed.value {
                    Some(value) => Ok((file.id(), Arc::new(value))),
                    None => Err("it is not valid JSON".to_owned()),
                }
            }
            Ok(ReadOutcome::InvalidUtf8 { .. }) => Err("it is not UTF-8 text".to_owned()),
            Ok(ReadOutcome::TooLarge { size }) => {
                Err(format!("it is {size} bytes, over the limit"))
            }
            Err(error) => Err(error.to_string()),
        }
    }
}

/// Turns an expansion issue into a finding; an expression error narrows to the failing call when
/// the JSON string holding the expression has no escapes (so byte offsets line up).
fn expand_issue_diagnostic(files: &Files, issue: &ExpandIssue) -> Diagnostic {
    let mut location = Location::new(issue.file, issue.pointer.clone());
    if let (Some(span), Some(file)) = (issue.expression_span, files.get(issue.file)) {
        let token = file.value_span(&issue.pointer);
        let raw = file
            .text()
            .get(token.start as usize..token.end as usize)
            .unwrap_or_default();
        let unescaped = raw.len() >= 2 && raw.starts_with('"') && !raw.contains('\\');
        if unescaped && (span.end as usize) <= raw.len() - 2 {
            location = location.with_span(token.start + 1 + span.start, token.start + 1 + span.end);
        }
    }
    if let Some(resource) = &issue.resource {
        location = location.with_resource(resource.clone());
    }
    let diagnostic = Diagnostic::new(issue.code, issue.severity, issue.message.clone(), location);
    match &issue.help {
        Some(help) => diagnostic.with_help(help.clone()),
        None => diagnostic,
    }
}

/// The dependency findings of a graph, located at the resources they concern.
fn graph_diagnostics(graph: &ResourceGraph) -> Vec<Diagnostic> {
    let resources = graph.resources();
    graph
        .dependency_issues()
        .into_iter()
        .filter_map(|issue| {
            let resource = resources.get(issue.resource)?;
            let mut location = Location::new(resource.origin.file, issue.pointer.clone());
            if let Some(id) = resource.id_text() {
                location = location.with_resource(id);
            }
            let mut diagnostic = Diagnostic::new(issue.code, issue.severity, issue.message, location);
            for related in issue.related.iter().filter_map(|i| resources.get(*i)) {
                let mut at = Location::new(related.origin.file, related.origin.pointer.clone());
                if let Some(id) = related.id_text() {
                    at = at.with_resource(id);
                }
                diagnostic = diagnostic.with_related(at, format!("`{}` is declared here", related.display_name()));
            }
            Some(match issue.code {
                "ARM-DEP-001" => diagnostic.with_help("remove one of the dependsOn entries that close the cycle"),
                "ARM-DEP-002" => diagnostic.with_help("name a resource of this template (by name, id, copy loop or symbolic name), or remove the entry"),
                _ => diagnostic.with_help("add the referenced resource to dependsOn"),
            })
        })
        .collect()
}

/// Runs every built-in rule over a graph: their findings and how many checks stayed undecided.
fn run_rules(graph: &ResourceGraph) -> (Vec<Diagnostic>, usize) {
    let mut diagnostics = Vec::new();
    let mut indeterminate = 0;
    for rule in crate::rules::all_rules() {
        let ctx = crate::rules::RuleContext::new(graph, rule.meta());
        rule.check(&ctx);
        let (findings, undecided) = ctx.finish();
        diagnostics.extend(findings);
        indeterminate += undecided;
    }
    (diagnostics, indeterminate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzers_are_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Analyzer>();
        shared::<Report>();
        shared::<crate::graph::ResourceGraph>();
    }
}
