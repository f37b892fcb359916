#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc = include_str!("../README.md")]

pub mod analyzer;
pub mod buildscript;
pub mod codes;
pub mod config;
pub mod custom;
pub mod error;
pub mod expr;
pub mod graph;
pub mod model;
pub mod netsec;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
pub mod template;

pub use analyzer::{Analyzer, Inputs};
pub use codes::Severity;
pub use config::Config;
pub use error::Error;
pub use report::{Diagnostic, Format, Report};
#[doc(no_inline)]
pub use serde_json::Value as JsonValue;
