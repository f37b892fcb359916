//! Errors that stop an analysis from running at all. Problems *in* the inputs are findings
//! ([`crate::report::Diagnostic`]), never errors.

use std::path::PathBuf;

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input path given by the caller could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is invalid.
    #[error("invalid configuration{}: {message}", path.as_ref().map(|p| format!(" in `{}`", p.display())).unwrap_or_default())]
    InvalidConfig {
        /// The configuration file, when the configuration came from one.
        path: Option<PathBuf>,
        /// What is wrong, with line and column when known.
        message: String,
    },
}
