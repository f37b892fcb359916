//! Inputs shared by the benches: the corpus directory and its JSON files.
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
