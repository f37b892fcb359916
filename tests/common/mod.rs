//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// The `armgraph` example binary that `cargo test` builds next to the test executables.
pub fn armgraph_exe() -> PathBuf {
    let mut dir = std::env::current_exe().expect("test executable path");
    dir.pop(); // deps/
    if dir.ends_with("deps") {
        dir.pop();
    }
    let exe = dir
        .join("examples")
        .join(format!("armgraph{}", std::env::consts::EXE_SUFFIX));
    assert!(
        exe.is_file(),
        "{} is missing: `cargo test` builds the examples before the tests",
        exe.display()
    );
    exe
}

/// Output of one CLI run.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs the CLI from the crate root with `args`.
pub fn run(args: &[&str]) -> Run {
    let output = Command::new(armgraph_exe())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the CLI starts");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// The shared corpus of real templates, when this checkout has it beside it.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("ARMGRAPH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the shared corpus is not present at {} (set ARMGRAPH_CORPUS to run this test)",
            dir.display()
        );
        None
    }
}
