//! Analyzer configuration.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::codes::Severity;
use crate::error::Error;
use crate::expr::DeploymentContext;
use crate::policy::{PolicyParameters, PolicySet};
use crate::source::MAX_FILE_BYTES;

/// How an [`Analyzer`](crate::Analyzer) runs. Build it with `Config::default()` and the `with_*`
/// setters, or read it from an `armgraph.json` file with [`Config::from_file`].
///
/// ```
/// use armgraph::{Config, Severity};
/// let config = Config::default().with_deny(Severity::Warning);
/// assert_eq!(config.deny(), Severity::Warning);
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Config {
    /// The lowest severity that makes a run fail (exit code 1, `Err` from a build script).
    deny: Severity,
    /// Largest input file read, in bytes.
    max_file_bytes: u64,
    /// The deployment context templates are expanded in (subscription, resource group, location,
    /// cloud…).
    context: DeploymentContext,
    /// Show a progress bar on stderr when it is a terminal and many files are scanned.
    #[serde(skip)]
    progress: bool,
    /// Azure Policy definition files or directories to evaluate (`policies`).
    policies: Vec<PathBuf>,
    /// Assignment parameter values for the policies, keyed by definition or initiative name
    /// (`policyParameters`; see [`PolicyParameters`]).
    #[serde(deserialize_with = "policy_parameters")]
    policy_parameters: PolicyParameters,
    /// Policies loaded by the caller ([`Config::with_policies`]); when absent, `policies` is
    /// loaded at each check.
    #[serde(skip)]
    policy_set: Option<Arc<PolicySet>>,
}

fn policy_parameters<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PolicyParameters, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    PolicyParameters::from_json(&value).map_err(serde::de::Error::custom)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            deny: Severity::Error,
            max_file_bytes: MAX_FILE_BYTES,
            context: DeploymentContext::default(),
            progress: false,
            policies: Vec::new(),
            policy_parameters: PolicyParameters::default(),
            policy_set: None,
        }
    }
}

impl Config {
    /// Reads a configuration file (JSON, comments allowed).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json_str(&text).map_err(|message| Error::InvalidConfig {
            path: Some(path.to_path_buf()),
            message,
        })
    }

    /// Reads a configuration from JSON text (comments allowed).
    pub fn from_json_str(text: &str) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let parsed = crate::source::json::parse(text);
        let position = |offset: u32| {
            let files = crate::source::Files::new();
            let file = files.add("config", text.to_owned());
            let at = file.line_column(offset);
            format!("line {}, column {}", at.line, at.column)
        };
        if let Some(issue) = parsed.issues.iter().find(|i| i.kind.is_fatal()) {
            return Err(format!("{:?} at {}", issue.kind, position(issue.start)));
        }
        let value = parsed.value.unwrap_or_default();
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// Sets the lowest severity that fails a run.
    pub fn with_deny(mut self, deny: Severity) -> Self {
        self.deny = deny;
        self
    }

    /// Sets the largest input file read.
    pub fn with_max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets the deployment context.
    pub fn with_context(mut self, context: DeploymentContext) -> Self {
        self.context = context;
        self
    }

    /// The deployment context.
    pub fn context(&self) -> &DeploymentContext {
        &self.context
    }

    /// Enables the progress bar (shown only when stderr is a terminal).
    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// The lowest severity that fails a run.
    pub fn deny(&self) -> Severity {
        self.deny
    }

    /// Largest input file read, in bytes.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    /// Whether a progress bar may be shown.
    pub fn progress(&self) -> bool {
        self.progress
    }

    /// Evaluates these Azure Policy definitions after the rules.
    pub fn with_policies(mut self, policies: PolicySet) -> Self {
        self.policy_set = Some(Arc::new(policies));
        self
    }

    /// Evaluates the definitions found at these paths (files or directories) after the rules.
    pub fn with_policy_paths(mut self, paths: Vec<PathBuf>) -> Self {
        self.policies = paths;
        self
    }

    /// Sets the assignment parameter values of the policies.
    pub fn with_policy_parameters(mut self, parameters: PolicyParameters) -> Self {
        self.policy_parameters = parameters;
        self
    }

    /// The policies given with [`Config::with_policies`].
    pub fn policies(&self) -> Option<&Arc<PolicySet>> {
        self.policy_set.as_ref()
    }

    /// The policy paths of the configuration.
    pub fn policy_paths(&self) -> &[PathBuf] {
        &self.policies
    }

    /// The assignment parameter values of the policies.
    pub fn policy_parameters(&self) -> &PolicyParameters {
        &self.policy_parameters
    }
}
