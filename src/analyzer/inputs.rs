//! What to analyze: paths (files and directories, walked) and in-memory texts, and how parameter
//! files pair with templates.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Deepest directory level walked. Real repositories nest templates a dozen levels deep; the bound
/// keeps a symlink-free but pathological tree from running away.
pub const MAX_WALK_DEPTH: usize = 64;

/// The inputs of one analysis.
///
/// ```
/// use armgraph::Inputs;
/// let inputs = Inputs::new()
///     .with_path("testdata/samples")
///     .with_source("inline.json", r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []}"#);
/// assert_eq!(inputs.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    paths: Vec<PathBuf>,
    sources: Vec<(String, String)>,
    parameter_files: Vec<PathBuf>,
}

impl Inputs {
    /// No inputs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inputs from paths: files are read as given, directories are walked for `*.json`.
    pub fn from_paths<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Self {
        Inputs {
            paths: paths.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Adds a file or directory.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.paths.push(path.into());
        self
    }

    /// Adds an in-memory text under a name (shown in reports).
    pub fn with_source(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.sources.push((name.into(), text.into()));
        self
    }

    /// Adds a parameter file that applies to every template of these inputs, in addition to the
    /// `<name>.parameters*.json` files found beside each template.
    pub fn with_parameter_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.parameter_files.push(path.into());
        self
    }

    /// Number of paths and texts given (before walking directories).
    pub fn len(&self) -> usize {
        self.paths.len() + self.sources.len()
    }

    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.parameter_files.is_empty()
    }

    /// Paths given.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// In-memory texts given, as (name, text).
    pub fn sources(&self) -> &[(String, String)] {
        &self.sources
    }

    /// Explicit parameter files.
    pub fn parameter_files(&self) -> &[PathBuf] {
        &self.parameter_files
    }
}

/// A file to read, and whether the caller named it (rather than a directory walk finding it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    pub explicit: bool,
    /// The directory linked templates must stay in: the directory that was walked, or the
    /// directory of a file given by name.
    pub root: PathBuf,
}

/// The files found under the given paths.
pub(crate) struct Collected {
    /// Files to read, sorted, each once.
    pub files: Vec<Candidate>,
    /// Directories met during the walk that could not be listed, for reporting.
    pub unreadable_dirs: Vec<(PathBuf, std::io::Error)>,
}

/// Expands the given paths into files, adding the explicit parameter files. A path that does not
/// exist is an error.
pub(crate) fn collect(paths: &[PathBuf], parameter_files: &[PathBuf]) -> Result<Collected, Error> {
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            walk(path, path, 0, &mut found, &mut unreadable);
        } else {
            found.push(Candidate {
                path: path.clone(),
                explicit: true,
                root: parent_dir(path),
            });
        }
    }
    for path in parameter_files {
        std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        found.push(Candidate {
            path: path.clone(),
            explicit: true,
            root: parent_dir(path),
        });
    }
    // An explicitly named file sorts before the same path found by a walk and is kept.
    found.sort_by(|a, b| a.path.cmp(&b.path).then(b.explicit.cmp(&a.explicit)));
    found.dedup_by(|later, earlier| later.path == earlier.path);
    Ok(Collected {
        files: found,
        unreadable_dirs: unreadable,
    })
}

pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    found: &mut Vec<Candidate>,
    unreadable: &mut Vec<(PathBuf, std::io::Error)>,
) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            unreadable.push((dir.to_path_buf(), error));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `file_type` does not follow symlinks: a linked directory is never entered, so a link
        // cannot loop or lead the walk out of the tree it was given.
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if !name.starts_with('.') && name != "node_modules" && name != "target" {
                walk(root, &path, depth + 1, found, unreadable);
            }
        } else if file_type.is_file() && is_json_name(&name) {
            found.push(Candidate {
                path,
                explicit: false,
                root: root.to_path_buf(),
            });
        }
    }
}

fn is_json_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".jsonc")
}

/// Whether `parameters` is named for `template` by the convention `<stem>.parameters.json` (or
/// `<stem>.parameters.<anything>.json`) in the same directory.
pub(crate) fn parameters_belong_to(template: &Path, parameters: &Path) -> bool {
    if template.parent() != parameters.parent() {
        return false;
    }
    let (Some(stem), Some(name)) = (
        template
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase()),
        parameters
            .file_name()
            .map(|s| s.to_string_lossy().to_ascii_lowercase()),
    ) else {
        return false;
    };
    name.strip_prefix(&stem)
        .and_then(|rest| rest.strip_prefix(".parameters"))
        .is_some_and(|rest| rest == ".json" || (rest.starts_with('.') && rest.ends_with(".json")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_files_pair_by_name() {
        let t = Path::new("a/azuredeploy.json");
        assert!(parameters_belong_to(
            t,
            Path::new("a/azuredeploy.parameters.json")
        ));
        assert!(parameters_belong_to(
            t,
            Path::new("a/AzureDeploy.Parameters.dev.json")
        ));
        assert!(!parameters_belong_to(
            t,
            Path::new("b/azuredeploy.parameters.json")
        ));
        assert!(!parameters_belong_to(
            t,
            Path::new("a/azuredeploy2.parameters.json")
        ));
        assert!(!parameters_belong_to(
            t,
            Path::new("a/main.parameters.json")
        ));
    }
}
