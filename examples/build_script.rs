//! How a `build.rs` runs armgraph. Copy the body of `main` into your crate's `build.rs` and add
//! `armgraph` under `[build-dependencies]`:
//!
//! ```toml
//! [build-dependencies]
//! armgraph = { version = "0.1", default-features = false }
//! ```
//!
//! Cargo then re-runs the check when a template changes, shows each finding as a build warning,
//! and fails the build when a finding reaches the deny level (errors by default).
//!
//! Run it here with `cargo run --example build_script -- <paths>` (default: testdata/samples).

use armgraph::{Config, Severity};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        paths.push(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/samples").to_owned());
    }
    // Fail the build on errors; warnings are shown but do not fail it.
    let config = Config::default().with_deny(Severity::Error);
    armgraph::buildscript::check_with(&config, paths)?;
    Ok(())
}
