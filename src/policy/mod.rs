//! Azure Policy definitions evaluated offline against what a template would deploy.
//!
//! - [`definition`]: the model and the loader (single files, the `properties` wrapper or bare,
//!   arrays, initiatives with their parameter mapping, Azure Landing Zones files escaped with `[[`);
//! - [`parameters`]: declared parameters, defaults and assignment values;
//! - [`aliases`]: alias → property path (curated table, fallback rules, `--aliases FILE`);
//! - [`path`]: paths compiled to JSONPath queries (jsonpath-rust) and the payload they run on;
//! - [`condition`]: the condition engine, public and host-independent so that user rules can
//!   reuse it over any JSON value;
//! - [`operators`], [`functions`]: operator semantics and the policy function set;
//! - [`effects`]: effects, severities, modify/append;
//! - `evaluate`: the driver over a [`ResourceGraph`].
//!
//! ```
//! use armgraph::policy::{PolicyOptions, PolicySet};
//! let set = PolicySet::from_sources(&[("audit-storage.json", r#"{
//!   "properties": {"displayName": "Audit storage", "mode": "All",
//!     "policyRule": {"if": {"field": "type", "equals": "Microsoft.Storage/storageAccounts"},
//!                    "then": {"effect": "audit"}}}}"#)]);
//! assert_eq!(set.definitions().len(), 1);
//! assert!(set.issues().is_empty());
//! let _options = PolicyOptions::default();
//! ```
//!
//! Findings use the code `policy/<definition name>`; severities follow the effect (deny → error,
//! audit and auditIfNotExists → warning, modify, append and deployIfNotExists → note).
//! See `docs/policy.md` for what is evaluated and what stays undecided.

pub mod aliases;
pub mod condition;
pub mod definition;
pub mod effects;
mod evaluate;
pub mod functions;
pub mod operators;
pub mod parameters;
pub mod path;

use std::path::{Path, PathBuf};

use crate::codes::Severity;
use crate::error::Error;
use crate::expr::{DeploymentContext, EnvError, ErrorKind, EvalEnv, Evaluator, Object, Value};
use crate::graph::ResourceGraph;
use crate::report::{Diagnostic, Location};
use crate::source::Files;

pub use aliases::AliasCatalog;
pub use definition::{Definition, Initiative, LoadIssue, Mode};
pub use effects::Effect;
pub use evaluate::{FieldRef, resolve_field};
pub use parameters::PolicyParameters;

/// Deepest directory walked under a `--policy` directory.
pub const MAX_POLICY_DIR_DEPTH: usize = 16;

/// Code of a problem in a policy file (an engine finding, so `ARM-<AREA>-<NNN>`).
pub const LOAD_CODE: &str = "ARM-POLICY-001";

/// The engine codes of the policy stage (findings of definitions use `policy/<name>`).
pub const CODES: &[crate::codes::CodeInfo] = &[crate::codes::CodeInfo {
    code: LOAD_CODE,
    name: "invalid-policy-definition",
    summary: "A policy definition file, or part of one, cannot be read; the rest is evaluated.",
    default_severity: crate::codes::Severity::Warning,
}];

/// A policy file as read.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Its path (or the name given to in-memory text).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// Loaded definitions and initiatives, ready to evaluate against many templates.
#[derive(Debug, Default)]
pub struct PolicySet {
    files: Vec<PolicyFile>,
    definitions: Vec<Definition>,
    compiled: Vec<evaluate::Compiled>,
    initiatives: Vec<Initiative>,
    issues: Vec<LoadIssue>,
    catalog: AliasCatalog,
}

/// Options of one evaluation: assignment parameter values and the deployment context.
#[derive(Debug, Clone, Default)]
pub struct PolicyOptions {
    parameters: PolicyParameters,
    context: DeploymentContext,
}

impl PolicyOptions {
    /// Sets the assignment parameter values.
    pub fn with_parameters(mut self, parameters: PolicyParameters) -> Self {
        self.parameters = parameters;
        self
    }

    /// Sets the deployment context (subscription, resource group…).
    pub fn with_context(mut self, context: DeploymentContext) -> Self {
        self.context = context;
        self
    }

    /// The deployment context.
    pub fn context(&self) -> &DeploymentContext {
        &self.context
    }

    /// The assignment parameter values.
    pub fn parameters(&self) -> &PolicyParameters {
        &self.parameters
    }
}

fn collect(path: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth > MAX_POLICY_DIR_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, depth + 1, out)?;
        } else if entry
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(entry);
        }
    }
    Ok(())
}

impl PolicySet {
    /// Loads definition files and directories (every `*.json` below a directory). A path that
    /// cannot be read is an [`Error`]; problems inside files are [`PolicySet::issues`].
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<PolicySet, Error> {
        let mut files = Vec::new();
        for p in paths {
            collect(p.as_ref(), 0, &mut files)?;
        }
        let mut sources = Vec::with_capacity(files.len());
        for f in files {
            let bytes = std::fs::read(&f).map_err(|source| Error::Io {
                path: f.clone(),
                source,
            })?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            sources.push(PolicyFile { path: f, text });
        }
        Ok(PolicySet::from_files(sources))
    }

    /// Loads definitions from in-memory texts (`(name, text)`).
    pub fn from_sources(sources: &[(&str, &str)]) -> PolicySet {
        PolicySet::from_files(
            sources
                .iter()
                .map(|(n, t)| PolicyFile {
                    path: PathBuf::from(n),
                    text: (*t).to_owned(),
                })
                .collect(),
        )
    }

    fn from_files(files: Vec<PolicyFile>) -> PolicySet {
        let mut set = PolicySet::default();
        for (index, file) in files.iter().enumerate() {
            let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
            let parsed = crate::source::json::parse(text);
            if let Some(issue) = parsed.issues.iter().find(|i| i.kind.is_fatal()) {
                set.issues.push(LoadIssue {
                    file: index,
                    pointer: issue.pointer.clone(),
                    message: format!("the policy file is not valid JSON: {:?}", issue.kind),
                });
            }
            let Some(value) = parsed.value else { continue };
            let stem = file
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let loaded = definition::load_value(index, &stem, &value);
            set.definitions.extend(loaded.definitions);
            set.initiatives.extend(loaded.initiatives);
            set.issues.extend(loaded.issues);
        }
        set.files = files;
        set.recompile();
        set
    }

    fn recompile(&mut self) {
        self.compiled = self
            .definitions
            .iter()
            .map(|d| evaluate::Compiled::new(d, &self.catalog))
            .collect();
    }

    /// Uses an alias catalog (loaded with [`AliasCatalog::load_file`]) before the built-in table.
    pub fn with_aliases(mut self, catalog: AliasCatalog) -> PolicySet {
        self.catalog = catalog;
        self.recompile();
        self
    }

    /// The alias catalog.
    pub fn catalog(&self) -> &AliasCatalog {
        &self.catalog
    }

    /// The files read.
    pub fn files(&self) -> &[PolicyFile] {
        &self.files
    }

    /// The definitions loaded.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// The initiatives loaded.
    pub fn initiatives(&self) -> &[Initiative] {
        &self.initiatives
    }

    /// Problems found while loading.
    pub fn issues(&self) -> &[LoadIssue] {
        &self.issues
    }

    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty() && self.initiatives.is_empty()
    }

    /// The loading problems as diagnostics, with the policy files added to `files`.
    pub fn load_diagnostics(&self, files: &Files) -> Vec<Diagnostic> {
        if self.issues.is_empty() {
            return Vec::new();
        }
        let ids: Vec<_> = self
            .files
            .iter()
            .map(|f| files.add(&f.path, f.text.clone()).id())
            .collect();
        self.issues
            .iter()
            .filter_map(|issue| {
                let file = *ids.get(issue.file)?;
                Some(
                    Diagnostic::new(
                        LOAD_CODE,
                        Severity::Warning,
                        format!("policy definition not loaded: {}", issue.message),
                        Location::new(file, issue.pointer.clone()),
                    )
                    .with_label("here"),
                )
            })
            .collect()
    }

    /// The definitions to evaluate with their parameter values: initiative members with the
    /// values their initiative passes down, and the definitions no loaded initiative includes.
    fn units(&self, options: &PolicyOptions) -> Vec<evaluate::Unit<'_>> {
        let mut units = Vec::new();
        let mut in_initiative = vec![false; self.definitions.len()];
        for initiative in &self.initiatives {
            let given = options
                .parameters
                .values_for(&[&initiative.name, &initiative.display_name]);
            let own = parameters::bind(&initiative.parameters, &given);
            let env = ParameterEnv(&own);
            for member in &initiative.members {
                let target = member
                    .definition_id
                    .rsplit('/')
                    .next()
                    .unwrap_or(&member.definition_id)
                    .trim_end_matches([')', ']', '\'']);
                let Some(index) = self.definitions.iter().position(|d| {
                    d.name.eq_ignore_ascii_case(target)
                        || d.id
                            .as_deref()
                            .is_some_and(|id| id.eq_ignore_ascii_case(&member.definition_id))
                }) else {
                    continue;
                };
                in_initiative[index] = true;
                let definition = &self.definitions[index];
                let mut values = Object::new();
                for (name, value) in &member.parameters {
                    let v = Evaluator::new(&env, &options.context)
                        .evaluate_compiled(value)
                        .unwrap_or_else(|e| {
                            Value::unknown(crate::expr::Provenance::reason(format!(
                                "the initiative's value for '{name}' fails: {}",
                                e.message
                            )))
                        });
                    values.insert(name.as_str(), v);
                }
                units.push(evaluate::Unit {
                    definition,
                    compiled: &self.compiled[index],
                    parameters: parameters::bind(&definition.parameters, &values),
                    initiative: Some(initiative.display_name.clone()),
                });
            }
        }
        for (index, definition) in self.definitions.iter().enumerate() {
            if in_initiative[index] {
                continue;
            }
            let mut keys = vec![definition.name.as_str(), definition.display_name.as_str()];
            if let Some(id) = &definition.id {
                keys.push(id);
            }
            let given = options.parameters.values_for(&keys);
            units.push(evaluate::Unit {
                definition,
                compiled: &self.compiled[index],
                parameters: parameters::bind(&definition.parameters, &given),
                initiative: None,
            });
        }
        units
    }

    /// Evaluates every definition against the resources of `graph`: the findings, and how many
    /// verdicts stayed undecided.
    pub fn evaluate(
        &self,
        graph: &ResourceGraph,
        options: &PolicyOptions,
    ) -> (Vec<Diagnostic>, usize) {
        let units = self.units(options);
        evaluate::run(self, &units, graph, options)
    }
}

/// Parameters of an initiative, for the expressions of its members' values.
struct ParameterEnv<'a>(&'a Object);

impl EvalEnv for ParameterEnv<'_> {
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        self.0.get(name).cloned().ok_or_else(|| {
            EnvError::new(
                ErrorKind::UndefinedParameter,
                format!("the initiative declares no parameter '{name}'"),
            )
        })
    }
}
