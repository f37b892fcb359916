#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! armgraph: static analysis of Azure Resource Manager templates.

pub mod codes;
pub mod expr;
pub mod report;
pub mod rules;
pub mod source;
pub mod analyzer;
pub mod config;
pub mod error;

pub use analyzer::{Analyzer, Inputs};
pub use codes::Severity;
pub use config::Config;
pub use error::Error;
pub use report::{Diagnostic, Format, Report};
#[doc(no_inline)]
pub use serde_json::Value as JsonValue;
pub mod buildscript;
