//! Inputs shared by the benches: the corpus directory and its JSON files, synthetic templates.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `ARMGRAPH_CORPUS`, else `../shared/corpus` beside the crate, when it exists.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("ARMGRAPH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

/// Every `.json` file below `dir`, recursively.
pub fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
}

/// A synthetic template of `resources` resources from `../shared/tools/gen_synthetic.py` (or
/// `ARMGRAPH_GENERATOR`), flat or as modules; `None` when python3 or the generator is missing.
pub fn synthetic(resources: usize, modules: bool) -> Option<String> {
    let generator = std::env::var_os("ARMGRAPH_GENERATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/gen_synthetic.py")
        });
    let mut command = std::process::Command::new("python3");
    command
        .arg(&generator)
        .arg(resources.to_string())
        .args(["--indent", "0"]);
    if modules {
        command.arg("--modules");
    }
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
