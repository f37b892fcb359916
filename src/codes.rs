//! Finding codes and severities shared by every stage.
//!
//! This module sits below every pipeline stage: a stage declares the codes it can emit as a
//! `const` table of [`CodeInfo`], and the rule registry gathers those tables for `--list-rules`,
//! SARIF `rules[]` and the docs.

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a build by default.
    Note,
    /// Probably wrong, or right only under assumptions the template does not show.
    Warning,
    /// Wrong: Azure would reject it, or the deployment breaks an invariant.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON output and configuration (`"error"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or note)"
            )),
        }
    }
}

/// Metadata of one finding code: what `--list-rules`, SARIF `rules[]` and the docs show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable code, e.g. `ARM-JSON-001` or `AML-DNS-005`. Never reused or renumbered.
    pub code: &'static str,
    /// A kebab-case name, e.g. `invalid-json`.
    pub name: &'static str,
    /// One sentence saying what the code reports.
    pub summary: &'static str,
    /// Severity before configuration overrides.
    pub default_severity: Severity,
}
