//! The analyzer: runs the pipeline over inputs and gathers one [`Report`].

mod inputs;

use std::cell::RefCell;
use std::collections::HashMap;
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

/// What a finding about the baseline file adds.
const BASELINE_HELP: &str = "this file is the baseline (`baseline` in armgraph.json, or `--baseline`): the template describing what is deployed now; without it, the rules that compare with the deployed state stay silent";

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
#[derive(Clone, Default)]
pub struct Analyzer {
    config: Config,
    rules: Vec<Arc<dyn crate::rules::Rule>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .field(
                "rules",
                &self.rules.iter().map(|r| r.meta().code).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The checks that come from outside the crate: policy definitions and custom rules.
struct Checks<'a> {
    policy: Option<(
        &'a crate::policy::PolicySet,
        &'a crate::policy::PolicyOptions,
    )>,
    custom: &'a crate::custom::CustomRules,
    /// The deployed state the rules compare the template with, when a baseline is configured.
    baseline: Option<&'a ResourceSet>,
}

/// What the analysis of one template produced.
struct TemplateAnalysis {
    file: AnalyzedFile,
    diagnostics: Vec<Diagnostic>,
    indeterminate: usize,
    suppressions: Vec<crate::config::InlineSuppression>,
}

/// Deployments with at least this many resources run their rules in parallel and free their
/// parsed template and graph on a thread of their own; below it, that work takes less time than
/// handing it out.
const LARGE_DEPLOYMENT_RESOURCES: usize = 256;

/// Frees a large tree (a parsed template, a graph) on a thread of its own, so the analysis goes
/// on while its many small allocations are returned: at 10,000 resources that took 35 ms of the
/// template's critical path. Small ones are freed here, where a thread would cost more.
fn free_large<T: Send + 'static>(tree: T, resources: usize) {
    if resources < LARGE_DEPLOYMENT_RESOURCES {
        return;
    }
    // When no thread can be started, the closure, and the tree with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("armgraph-free".into())
        .spawn(move || drop(tree));
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
        Analyzer {
            config,
            rules: Vec::new(),
        }
    }

    /// Adds a rule of your own (see `examples/custom_rule.rs`): it runs after the built-in rules on
    /// every deployment, and its findings are configured, suppressed and reported like theirs.
    pub fn with_rule(mut self, rule: impl crate::rules::Rule + 'static) -> Self {
        self.rules.push(Arc::new(rule));
        self
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
        let mut collected = inputs::collect(inputs.paths(), inputs.parameter_files())?;
        // The baseline describes what is deployed, not a change to check: when a walked
        // directory holds it, it is read as the baseline only.
        if let Some(baseline) = self
            .config
            .baseline()
            .and_then(|p| std::fs::canonicalize(p).ok())
        {
            collected
                .files
                .retain(|c| std::fs::canonicalize(&c.path).ok().as_ref() != Some(&baseline));
        }
        let mut loaded = self.load_all(&files, &collected.files, inputs.sources());
        let (baseline, baseline_diagnostics) = self.load_baseline(&files);

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
        diagnostics.extend(baseline_diagnostics);
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
        let custom = crate::custom::CustomRules::load(&files, self.config.custom_rules())?;
        diagnostics.extend(custom.load_diagnostics());
        let checks = Checks {
            policy,
            custom: &custom,
            baseline: baseline.as_ref(),
        };

        // Each template's parsed document moves into the task that analyzes it, which frees
        // it after its last expansion: the graph and the rules never read it, and at scale it
        // is the largest thing alive.
        let mut documents: Vec<Option<Value>> = loaded
            .iter_mut()
            .map(|l| match l.kind {
                Some(DocumentKind::Template) => l.value.take(),
                _ => None,
            })
            .collect();
        let mut templates = pair_parameter_files(&loaded, &mut documents, inputs.parameter_files());
        for l in &loaded {
            let (true, Some(DocumentKind::Parameters), Some(file)) = (l.explicit, l.kind, &l.file)
            else {
                continue;
            };
            let used = templates
                .iter()
                .any(|t| t.parameters.iter().any(|p| std::ptr::eq(*p, l)));
            if !used {
                diagnostics.push(unpaired_parameters(file));
            }
        }

        // Largest first, one template per task: a single large template started last would
        // otherwise leave the other threads idle at the end of the run.
        templates.sort_by_key(|t| {
            std::cmp::Reverse(t.template.file.as_ref().map_or(0, |f| f.text().len()))
        });
        let analyzed: Vec<TemplateAnalysis> = templates
            .into_par_iter()
            .with_max_len(1)
            .filter_map(|mut t| {
                let file = Arc::clone(t.template.file.as_ref()?);
                let value = t.document.take()?;
                Some(self.analyze_template(&files, &t, &file, value, &checks))
            })
            .collect();
        let mut analyzed_files = Vec::with_capacity(analyzed.len());
        let mut indeterminate = 0;
        let mut inline = Vec::new();
        for analysis in analyzed {
            analyzed_files.push(analysis.file);
            diagnostics.extend(analysis.diagnostics);
            indeterminate += analysis.indeterminate;
            inline.extend(analysis.suppressions);
        }
        let config_file = self.config.source().map(|source| {
            let file = files.add(&source.path, source.text.clone());
            for issue in self.config.issues() {
                diagnostics.push(Diagnostic::new(
                    issue.code,
                    issue.severity,
                    issue.message.clone(),
                    Location::new(file.id(), issue.pointer.clone()),
                ));
            }
            file.id()
        });
        // The parsed documents are large trees of small allocations: free them in parallel
        // rather than on this thread after the analysis.
        loaded.into_par_iter().for_each(drop);
        let diagnostics = crate::config::apply_settings(&self.config, diagnostics);
        let name_of = |id: source::FileId| {
            files
                .get(id)
                .map(|f| f.name().to_owned())
                .unwrap_or_default()
        };
        let outcome = crate::config::apply_suppressions(
            &self.config,
            config_file,
            &inline,
            diagnostics,
            &name_of,
        );
        Ok(Report::new(
            files,
            analyzed_files,
            outcome.diagnostics,
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
            .with_max_len(1)
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
        input: &TemplateInput<'_>,
        file: &Arc<SourceFile>,
        value: Value,
        checks: &Checks<'_>,
    ) -> TemplateAnalysis {
        let (loaded, parameter_files) = (input.template, &input.parameters);
        let options = self.expand_options(loaded.root.clone());
        let loader = LinkedTemplates::new(files, self.config.max_file_bytes());
        let mut value = Some(value);
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
        let mut analysis = TemplateAnalysis {
            file: AnalyzedFile {
                file: file.id(),
                resources: 0,
                unknown_values: 0,
            },
            diagnostics: Vec::new(),
            indeterminate: 0,
            suppressions: Vec::new(),
        };
        if file.text().len() > ARM_MAX_TEMPLATE_BYTES {
            analysis.diagnostics.push(
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
        // The same finding from several parameter files is one finding listing them.
        let mut merged: Vec<(Diagnostic, Vec<source::FileId>)> = Vec::new();
        let mut same_text: HashMap<u64, Vec<usize>> = HashMap::new();
        let several = parameter_documents.len() > 1;
        let last = parameter_documents.len().saturating_sub(1);
        for (run, parameters) in parameter_documents.into_iter().enumerate() {
            let Some(document) = value.as_ref() else {
                break;
            };
            let template = Document {
                file: file.id(),
                path: file.path(),
                value: document,
            };
            let expansion = expand(template, parameters, &options, &loader);
            if run == last
                && let Some(document) = value.take()
            {
                free_large(document, expansion.resources.len());
            }
            let summary = &mut analysis.file;
            summary.resources = summary.resources.max(expansion.deployed().count());
            summary.unknown_values = summary.unknown_values.max(expansion.unknown_values);
            let mut found: Vec<Diagnostic> = expansion
                .issues
                .iter()
                .map(|issue| expand_issue_diagnostic(files, issue))
                .collect();
            let set = ResourceSet::from_resources(expansion.resources);
            for suppression in inline_suppressions(&set, &mut found) {
                if !analysis.suppressions.contains(&suppression) {
                    analysis.suppressions.push(suppression);
                }
            }
            let graph = ResourceGraph::build(set);
            found.extend(graph_diagnostics(&graph));
            let (findings, mut undecided) = self.run_rules(&graph, checks.baseline);
            found.extend(findings);
            if let Some((set, options)) = checks.policy {
                let (findings, policy_undecided) = set.evaluate(&graph, options);
                found.extend(findings);
                undecided += policy_undecided;
            }
            let (findings, custom_undecided) = checks.custom.evaluate(&graph);
            found.extend(findings);
            undecided += custom_undecided;
            let resources = graph.resources().len();
            free_large(graph, resources);
            analysis.indeterminate = analysis.indeterminate.max(undecided);
            let parameter_file = parameters.map(|p| p.file);
            for diagnostic in found {
                // By code and message first: a large template has thousands of findings.
                let text = crate::template::hash_of((diagnostic.code(), diagnostic.message()));
                let candidates = same_text.entry(text).or_default();
                match candidates.iter().find(|&&i| merged[i].0 == diagnostic) {
                    Some(&i) => merged[i].1.extend(parameter_file),
                    None => {
                        candidates.push(merged.len());
                        merged.push((diagnostic, parameter_file.into_iter().collect()));
                    }
                }
            }
        }
        for (mut diagnostic, sources) in merged {
            if several {
                for source in sources {
                    diagnostic = diagnostic
                        .with_related(Location::new(source, ""), "found with this parameter file");
                }
            }
            analysis.diagnostics.push(diagnostic);
        }
        analysis
            .diagnostics
            .append(&mut loader.diagnostics.borrow_mut());
        analysis
    }

    fn expand_options(&self, root: PathBuf) -> ExpandOptions {
        ExpandOptions::default()
            .with_context(self.config.context().clone())
            .with_parameter_values(self.config.parameters().clone())
            .with_max_nested_depth(self.config.max_nested_depth())
            .with_root(root)
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
            let options = self.expand_options(loaded.root.clone());
            let loader = LinkedTemplates::new(&files, self.config.max_file_bytes());
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
            let (baseline, baseline_diagnostics) = self.load_baseline(&files);
            diagnostics.extend(baseline_diagnostics);
            diagnostics.extend(self.run_rules(&graph, baseline.as_ref()).0);
        }
        let report = Report::new(files, Vec::new(), diagnostics, ScanCounts::default(), 0);
        Ok((report, expansion))
    }

    /// Reads and expands the baseline of the configuration, once per analysis: the resources it
    /// deploys, and what reading it found. It is expanded in the same deployment context as the
    /// templates but with its own parameter defaults only (the configured parameter values are
    /// for the templates). A baseline that cannot be read or is not a template is a finding in
    /// the baseline file, and the rules then run without a baseline.
    fn load_baseline(&self, files: &Files) -> (Option<ResourceSet>, Vec<Diagnostic>) {
        let Some(path) = self.config.baseline() else {
            return (None, Vec::new());
        };
        let candidate = inputs::Candidate {
            path: path.to_path_buf(),
            explicit: true,
            root: inputs::parent_dir(path),
        };
        let loaded = self.load(files, &candidate);
        let mut diagnostics: Vec<Diagnostic> = loaded
            .diagnostics
            .into_iter()
            .map(|diagnostic| {
                if diagnostic.code().starts_with("ARM-IO-") {
                    diagnostic.with_help(BASELINE_HELP)
                } else {
                    diagnostic
                }
            })
            .collect();
        let (Some(file), Some(value)) = (loaded.file, loaded.value) else {
            return (None, diagnostics);
        };
        if loaded.kind != Some(DocumentKind::Template) {
            diagnostics.push(
                Diagnostic::new(
                    "ARM-INPUT-001",
                    Severity::Warning,
                    format!(
                        "the baseline `{}` is not a deployment template: its `$schema` is not a deploymentTemplate schema; it is ignored",
                        file.name()
                    ),
                    Location::new(file.id(), "/$schema"),
                )
                .with_help(BASELINE_HELP),
            );
            return (None, diagnostics);
        }
        let options = ExpandOptions::default()
            .with_context(self.config.context().clone())
            .with_max_nested_depth(self.config.max_nested_depth())
            .with_root(loaded.root);
        let loader = LinkedTemplates::new(files, self.config.max_file_bytes());
        let document = Document {
            file: file.id(),
            path: file.path(),
            value: &value,
        };
        let expansion = expand(document, None, &options, &loader);
        diagnostics.extend(
            expansion
                .issues
                .iter()
                .map(|issue| expand_issue_diagnostic(files, issue)),
        );
        diagnostics.append(&mut loader.diagnostics.borrow_mut());
        (Some(ResourceSet::from_expansion(&expansion)), diagnostics)
    }

    /// Runs every built-in rule and the added ones over a graph, with the baseline if any: their
    /// findings and how many checks stayed undecided.
    fn run_rules(
        &self,
        graph: &ResourceGraph,
        baseline: Option<&ResourceSet>,
    ) -> (Vec<Diagnostic>, usize) {
        let added = self.rules.iter().map(|rule| &**rule);
        // A rule turned off is not run at all: it decides nothing and counts nothing.
        let enabled: Vec<&dyn crate::rules::Rule> = crate::rules::all_rules()
            .iter()
            .copied()
            .chain(added)
            .filter(|rule| self.config.is_enabled(rule.meta().code))
            .collect();
        let cache = crate::graph::DerivedCache::build(graph, graph.region_cloud().cloud);
        let run = |rule: &&dyn crate::rules::Rule| {
            let ctx = crate::rules::RuleContext::new(graph, rule.meta())
                .with_derived_cache(&cache)
                .with_baseline(baseline)
                .with_options(self.config.rule_options(rule.meta().code).cloned());
            rule.check(&ctx);
            ctx.finish_with_causes()
        };
        // A large deployment's rules run in parallel (a single large template would otherwise
        // leave the other threads idle); results keep the rules' order either way.
        let results: Vec<_> = if graph.resources().len() >= LARGE_DEPLOYMENT_RESOURCES {
            enabled.par_iter().with_max_len(1).map(run).collect()
        } else {
            enabled.iter().map(run).collect()
        };
        let mut diagnostics = Vec::new();
        let mut indeterminate = 0;
        for (findings, undecided) in results {
            diagnostics.extend(findings);
            indeterminate += undecided;
        }
        // One defect, one item (C7): only across the rules that ran together.
        (crate::rules::group_root_causes(diagnostics), indeterminate)
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
    /// The template's parsed document, taken out of `template`.
    document: Option<Value>,
    parameters: Vec<&'a Loaded>,
}

/// Pairs each template with the parameter files named for it (`<name>.parameters*.json` beside
/// it) and with every parameter file the caller gave explicitly.
/// `documents` holds the templates' parsed documents by position in `loaded`.
fn pair_parameter_files<'a>(
    loaded: &'a [Loaded],
    documents: &mut [Option<Value>],
    explicit: &[PathBuf],
) -> Vec<TemplateInput<'a>> {
    // Explicit parameter files go with every template; the others only with a template of
    // their directory, so they are grouped by directory (a walked tree has hundreds of each).
    let mut explicit_files: Vec<(usize, &Loaded)> = Vec::new();
    let mut by_dir: HashMap<&std::path::Path, Vec<(usize, &Loaded)>> = HashMap::new();
    for (position, l) in loaded.iter().enumerate() {
        if l.kind != Some(DocumentKind::Parameters) {
            continue;
        }
        if explicit.iter().any(|e| e == &l.path) {
            explicit_files.push((position, l));
        } else if let Some(dir) = l.path.parent() {
            by_dir.entry(dir).or_default().push((position, l));
        }
    }
    loaded
        .iter()
        .zip(documents.iter_mut())
        .filter(|(l, _)| l.kind == Some(DocumentKind::Template))
        .map(|(template, document)| {
            let beside = template
                .path
                .parent()
                .and_then(|dir| by_dir.get(dir))
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter(|(_, p)| inputs::parameters_belong_to(&template.path, &p.path));
            // In the order of `loaded`, as before the grouping.
            let mut parameters: Vec<(usize, &Loaded)> =
                explicit_files.iter().chain(beside).copied().collect();
            parameters.sort_by_key(|(position, _)| *position);
            TemplateInput {
                template,
                document: document.take(),
                parameters: parameters.into_iter().map(|(_, p)| p).collect(),
            }
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
/// A linked template read (its file and content), or why it could not be.
type LoadResult = Result<(source::FileId, Arc<Value>), String>;

struct LinkedTemplates<'f> {
    files: &'f Files,
    diagnostics: RefCell<Vec<Diagnostic>>,
    max_bytes: u64,
    /// Each linked file is read once per template, however often it is linked.
    loaded: RefCell<HashMap<PathBuf, LoadResult>>,
}

impl<'f> LinkedTemplates<'f> {
    fn new(files: &'f Files, max_bytes: u64) -> Self {
        LinkedTemplates {
            files,
            diagnostics: RefCell::new(Vec::new()),
            max_bytes,
            loaded: RefCell::new(HashMap::new()),
        }
    }

    fn read(&self, path: &std::path::Path) -> LoadResult {
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

impl TemplateLoader for LinkedTemplates<'_> {
    fn load(&self, path: &std::path::Path) -> LoadResult {
        if let Some(known) = self.loaded.borrow().get(path) {
            return known.clone();
        }
        let result = self.read(path);
        self.loaded
            .borrow_mut()
            .insert(path.to_path_buf(), result.clone());
        result
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

/// The suppressions written on the resources (`metadata.armgraph.suppress`); one without a
/// code or justification is reported in `diagnostics` and ignored.
fn inline_suppressions(
    set: &ResourceSet,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<crate::config::InlineSuppression> {
    let mut found = Vec::new();
    for resource in set.iter() {
        let Some(entries) = resource.get("metadata.armgraph.suppress").as_array() else {
            continue;
        };
        let Some(id) = resource.id_text() else {
            continue;
        };
        for (i, entry) in entries.iter().enumerate() {
            let pointer = format!("{}/{i}", resource.pointer_of("metadata.armgraph.suppress"));
            let text = |key: &str| {
                crate::model::read(entry, key)
                    .as_str()
                    .map(str::trim)
                    .unwrap_or_default()
                    .to_owned()
            };
            let (code, justification) = (text("code"), text("justification"));
            if code.is_empty() || justification.is_empty() {
                diagnostics.push(
                    Diagnostic::new(
                        "ARM-CONFIG-002",
                        Severity::Error,
                        "an inline suppression needs a `code` and a `justification`; it is ignored",
                        Location::new(resource.origin.file, pointer).with_resource(id.clone()),
                    )
                    .with_help(
                        "write {\"code\": \"AML-…\", \"justification\": \"why this is accepted\"}",
                    ),
                );
                continue;
            }
            found.push(crate::config::InlineSuppression {
                resource_id: id.clone(),
                code,
                justification,
                file: resource.origin.file,
                pointer,
            });
        }
    }
    found
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
