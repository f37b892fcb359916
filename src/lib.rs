#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! armgraph: static analysis of Azure Resource Manager templates.

pub mod codes;
pub mod expr;
pub mod report;
pub mod rules;
pub mod source;
