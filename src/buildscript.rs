//! Running armgraph from a `build.rs`: the only module that prints.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     armgraph::buildscript::check(["infra/azuredeploy.json"])?;
//!     Ok(())
//! }
//! ```

use std::path::PathBuf;

use crate::analyzer::{Analyzer, Inputs};
use crate::codes::Severity;
use crate::config::Config;
use crate::error::Error;
use crate::report::Report;

/// Why a build script should fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildCheckError {
    /// The analysis could not run.
    #[error(transparent)]
    Analysis(#[from] Error),
    /// Findings reached the deny level.
    #[error("armgraph: {count} finding(s) at or above {deny} in the infrastructure templates")]
    Denied {
        /// How many unsuppressed findings reached the deny level.
        count: usize,
        /// The deny level.
        deny: Severity,
    },
}

/// Checks `paths` with the default configuration; see [`check_with`].
pub fn check<P: Into<PathBuf>>(
    paths: impl IntoIterator<Item = P>,
) -> Result<Report, BuildCheckError> {
    check_with(&Config::default(), paths)
}

/// Checks `paths` (files or directories) from a build script: prints
/// `cargo::rerun-if-changed=` for every input file and one `cargo::warning=` line per finding,
/// and returns `Err` when any unsuppressed finding reaches the configuration's deny level, so
/// that `build.rs` can use `?`.
pub fn check_with<P: Into<PathBuf>>(
    config: &Config,
    paths: impl IntoIterator<Item = P>,
) -> Result<Report, BuildCheckError> {
    let inputs = Inputs::from_paths(paths);
    for path in inputs.paths() {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    let report = Analyzer::new(config.clone()).check(&inputs)?;
    for file in report.files().all() {
        if !inputs.paths().iter().any(|p| p == file.path()) && file.path().is_file() {
            println!("cargo::rerun-if-changed={}", file.path().display());
        }
    }
    for line in warning_lines(&report) {
        println!("{line}");
    }
    let deny = config.deny();
    let count = report
        .diagnostics()
        .iter()
        .filter(|d| !d.is_suppressed() && d.severity() >= deny)
        .count();
    if count > 0 {
        return Err(BuildCheckError::Denied { count, deny });
    }
    Ok(report)
}

/// One `cargo::warning=` line per unsuppressed finding: `file:line:column: severity[CODE]: message`.
pub fn warning_lines(report: &Report) -> Vec<String> {
    report
        .diagnostics()
        .iter()
        .filter(|d| !d.is_suppressed())
        .map(|d| {
            let at = report.resolve(d.location());
            let message = d.message().replace(['\r', '\n'], " ");
            format!(
                "cargo::warning={}:{}:{}: {}[{}]: {}",
                at.file,
                at.start.line,
                at.start.column,
                d.severity(),
                d.code(),
                message
            )
        })
        .collect()
}
