//! Analyzer configuration: the `armgraph.json` file (`docs/armgraph.schema.json`) and the
//! `with_*` setters.
//!
//! A configuration file is read leniently, like templates: an unknown key is a warning
//! (`ARM-CONFIG-001`) and a value of the wrong type an error (`ARM-CONFIG-002`), both with the
//! file's line and column; the rest of the file still applies.

mod glob;
mod load;
mod suppress;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::codes::{CodeInfo, Severity};
use crate::error::Error;
use crate::expr::DeploymentContext;
use crate::policy::{PolicyParameters, PolicySet};
use crate::source::MAX_FILE_BYTES;
use crate::template::DEFAULT_MAX_NESTED_DEPTH;

pub use glob::glob_matches;
pub use suppress::{InlineSuppression, SuppressionOutcome, apply_settings, apply_suppressions};

/// The file name looked for when no configuration is given: `armgraph.json`.
pub const CONFIG_FILE_NAME: &str = "armgraph.json";

/// The codes of configuration findings.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "ARM-CONFIG-001",
        name: "unknown-config-key",
        summary: "The configuration has a key armgraph does not know; it is ignored.",
        default_severity: Severity::Warning,
    },
    CodeInfo {
        code: "ARM-CONFIG-002",
        name: "invalid-config-value",
        summary: "A configuration value has the wrong type or an invalid value; it is ignored.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-CONFIG-003",
        name: "stale-suppression",
        summary: "A suppression matches no finding.",
        default_severity: Severity::Warning,
    },
    CodeInfo {
        code: "ARM-CONFIG-004",
        name: "expired-suppression",
        summary: "A suppression is past its expiry date and no longer applies.",
        default_severity: Severity::Warning,
    },
];

/// A problem in the configuration file, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// `ARM-CONFIG-001` or `ARM-CONFIG-002`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One sentence.
    pub message: String,
    /// JSON pointer in the configuration file.
    pub pointer: String,
}

/// How one rule (or family of rules) is configured: `"AML-NSG-*": "off"`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSetting {
    /// A code or a code pattern with `*` and `?`.
    pub pattern: String,
    /// `Some(false)` turns the matching codes off.
    pub enabled: Option<bool>,
    /// Overrides the severity of the matching codes.
    pub severity: Option<Severity>,
    /// Options for the rule (its own shape).
    pub options: Option<serde_json::Value>,
}

/// A suppression written in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionRule {
    /// The code or code pattern it suppresses.
    pub code: String,
    /// A resource id pattern, or a resource name, that findings must concern; `None` for any.
    pub resource: Option<String>,
    /// A file path pattern findings must be in; `None` for any.
    pub file: Option<String>,
    /// Why the finding is accepted (mandatory).
    pub justification: String,
    /// `YYYY-MM-DD` after which the suppression stops applying.
    pub expires: Option<String>,
    /// JSON pointer of the suppression in the configuration file.
    pub pointer: String,
}

/// The configuration file a [`Config`] was read from, kept to locate its issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSource {
    /// Its path.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// How an [`Analyzer`](crate::Analyzer) runs. Build it with `Config::default()` and the `with_*`
/// setters, or read it from an `armgraph.json` file with [`Config::from_file`].
///
/// ```
/// use armgraph::{Config, Severity};
/// let config = Config::default().with_deny(Severity::Warning);
/// assert_eq!(config.deny(), Severity::Warning);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    deny: Severity,
    max_file_bytes: u64,
    max_nested_depth: usize,
    context: DeploymentContext,
    subscription_tenants: BTreeMap<String, String>,
    parameters: serde_json::Map<String, serde_json::Value>,
    policies: Vec<PathBuf>,
    policy_parameters: PolicyParameters,
    policy_set: Option<Arc<PolicySet>>,
    custom_rules: Vec<PathBuf>,
    baseline: Option<PathBuf>,
    rules: Vec<RuleSetting>,
    suppressions: Vec<SuppressionRule>,
    today: Option<String>,
    source: Option<ConfigSource>,
    issues: Vec<ConfigIssue>,
    progress: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            deny: Severity::Error,
            max_file_bytes: MAX_FILE_BYTES,
            max_nested_depth: DEFAULT_MAX_NESTED_DEPTH,
            context: DeploymentContext::default(),
            subscription_tenants: BTreeMap::new(),
            parameters: serde_json::Map::new(),
            policies: Vec::new(),
            policy_parameters: PolicyParameters::default(),
            policy_set: None,
            custom_rules: Vec::new(),
            baseline: None,
            rules: Vec::new(),
            suppressions: Vec::new(),
            today: None,
            source: None,
            issues: Vec::new(),
            progress: false,
        }
    }
}

impl Config {
    /// Reads a configuration file (JSON, comments allowed). Only an unreadable file is an
    /// error; problems inside it are [`ConfigIssue`]s reported with the analysis.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::from_json_str(&text);
        // A baseline named in the file is found from the file's directory, wherever armgraph
        // runs: the file is usually discovered by walking up from the analyzed path.
        if let (Some(baseline), Some(dir)) = (&config.baseline, path.parent())
            && baseline.is_relative()
        {
            config.baseline = Some(dir.join(baseline));
        }
        Ok(config.with_source(path, text))
    }

    /// Reads a configuration from JSON text (comments allowed).
    pub fn from_json_str(text: &str) -> Self {
        load::parse(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Looks for `armgraph.json` in `start` (or its directory, for a file) and its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = if start.is_file() {
            start.parent()?
        } else {
            start
        };
        let absolute = std::path::absolute(start).ok()?;
        absolute
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    fn with_source(mut self, path: &Path, text: String) -> Self {
        self.source = Some(ConfigSource {
            path: path.to_path_buf(),
            text,
        });
        self
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

    /// Sets the deepest chain of nested deployments expanded.
    pub fn with_max_nested_depth(mut self, depth: usize) -> Self {
        self.max_nested_depth = depth;
        self
    }

    /// Sets the deployment context.
    pub fn with_context(mut self, context: DeploymentContext) -> Self {
        self.context = context;
        self
    }

    /// Sets parameter values applied to every template (a parameter file's values win).
    pub fn with_parameters(mut self, values: serde_json::Map<String, serde_json::Value>) -> Self {
        self.parameters = values;
        self
    }

    /// Adds a rule setting (`"AML-NSG-*"` off, a severity override, options).
    pub fn with_rule_setting(mut self, setting: RuleSetting) -> Self {
        self.rules.push(setting);
        self
    }

    /// Adds a suppression.
    pub fn with_suppression(mut self, suppression: SuppressionRule) -> Self {
        self.suppressions.push(suppression);
        self
    }

    /// Sets today's date (`YYYY-MM-DD`) for suppression expiry; by default the system clock.
    pub fn with_today(mut self, date: impl Into<String>) -> Self {
        self.today = Some(date.into());
        self
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

    /// Deepest chain of nested deployments expanded.
    pub fn max_nested_depth(&self) -> usize {
        self.max_nested_depth
    }

    /// The deployment context.
    pub fn context(&self) -> &DeploymentContext {
        &self.context
    }

    /// Subscription id → tenant id, for checks across tenants.
    pub fn subscription_tenants(&self) -> &BTreeMap<String, String> {
        &self.subscription_tenants
    }

    /// Parameter values applied to every template.
    pub fn parameters(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.parameters
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

    /// The policy paths of the configuration (`policies`).
    pub fn policy_paths(&self) -> &[PathBuf] {
        &self.policies
    }

    /// The assignment parameter values of the policies (`policyParameters`).
    pub fn policy_parameters(&self) -> &PolicyParameters {
        &self.policy_parameters
    }

    /// Adds files of custom rules (`--rules`).
    pub fn with_custom_rules(mut self, paths: impl IntoIterator<Item = PathBuf>) -> Self {
        self.custom_rules.extend(paths);
        self
    }

    /// Custom rule files.
    pub fn custom_rules(&self) -> &[PathBuf] {
        &self.custom_rules
    }

    /// Sets the baseline: a template describing what is deployed now (the output of
    /// `az group export`, or the previous version of the template). Rules that judge a change
    /// (AML-MVN-008, AML-OE-002) compare each resource with the resource of the same id in it.
    pub fn with_baseline(mut self, path: impl Into<PathBuf>) -> Self {
        self.baseline = Some(path.into());
        self
    }

    /// The baseline template, if any (`baseline`; relative to the configuration file's directory
    /// when read from a file).
    pub fn baseline(&self) -> Option<&Path> {
        self.baseline.as_deref()
    }

    /// Rule settings, in file order (a later setting wins).
    pub fn rules(&self) -> &[RuleSetting] {
        &self.rules
    }

    /// Suppressions.
    pub fn suppressions(&self) -> &[SuppressionRule] {
        &self.suppressions
    }

    /// Today's date for suppression expiry.
    pub fn today(&self) -> String {
        self.today.clone().unwrap_or_else(today_utc)
    }

    /// The file the configuration was read from.
    pub fn source(&self) -> Option<&ConfigSource> {
        self.source.as_ref()
    }

    /// Problems found in the configuration file.
    pub fn issues(&self) -> &[ConfigIssue] {
        &self.issues
    }

    /// Whether a progress bar may be shown.
    pub fn progress(&self) -> bool {
        self.progress
    }

    /// Whether findings of `code` are reported (the last matching setting wins).
    pub fn is_enabled(&self, code: &str) -> bool {
        self.rules
            .iter()
            .rev()
            .filter(|s| glob_matches(&s.pattern, code))
            .find_map(|s| s.enabled)
            .unwrap_or(true)
    }

    /// The options configured for a rule code, if any (the last matching setting wins).
    pub fn rule_options(&self, code: &str) -> Option<&serde_json::Value> {
        self.rules
            .iter()
            .rev()
            .filter(|s| glob_matches(&s.pattern, code))
            .find_map(|s| s.options.as_ref())
    }
}

impl<'de> serde::Deserialize<'de> for Config {
    /// Deserializes like [`Config::from_json_str`]: problems become [`Config::issues`] rather
    /// than failing, so that they are reported with their location.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = serde_json::Value::deserialize(deserializer)?;
        Ok(load::from_value(&document))
    }
}

/// Today's date in UTC as `YYYY-MM-DD`.
fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_with_serde() {
        let config: Config =
            serde_json::from_str(r#"{"deny": "warning", "unknown": 1}"#).expect("a JSON object");
        assert_eq!(config.deny(), Severity::Warning);
        assert_eq!(config.issues().len(), 1);
    }

    #[test]
    fn today_is_a_date() {
        let today = today_utc();
        assert_eq!(today.len(), 10);
        assert!(today.as_str() > "2024-01-01");
    }
}
