//! Reading input files: lenient JSON (see [`json`]), a store of loaded files, and the maps from
//! JSON pointer to byte span and from byte offset to line and column.
//!
//! Locations are computed only when a diagnostic is rendered or sorted: the hot path reads each
//! file once, logging the spans of a deployment document's values in text order as it goes and
//! indexing the log when the parse ends; other files are read again on their first lookup.

mod codes;
pub mod json;
mod spans;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use spans::{SpanRecording, SpanTable};

pub use codes::CODES;
pub use json::{JsonIssue, JsonIssueKind, MAX_JSON_DEPTH, ParsedJson};

/// Largest input file read. ARM refuses templates over 4 MB (after expansion) and parameter files
/// over 4 MB; an input eight times larger than that cannot be a deployable template, so it is
/// reported (`ARM-IO-003`) without being read, which bounds memory on hostile input.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Identifies a file in a [`Files`] store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

impl FileId {
    /// The position of the file in its store.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One loaded text file. Paths are kept as given; `name` is what reports show.
#[derive(Debug)]
pub struct SourceFile {
    id: FileId,
    path: PathBuf,
    name: String,
    text: String,
    line_starts: OnceLock<Vec<u32>>,
    span_table: OnceLock<SpanTable>,
}

/// A 1-based line and column; the column counts Unicode scalar values (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineColumn {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl SourceFile {
    /// The file's id in its store.
    pub fn id(&self) -> FileId {
        self.id
    }

    /// The path the file was read from (or the name given to in-memory input).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name reports show: relative to the working directory when possible, `/`-separated.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text, without a leading byte-order mark. Invalid UTF-8 was replaced by U+FFFD.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offsets at which lines start.
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| to_u32(i + 1)))
                .collect()
        })
    }

    /// The 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: u32) -> usize {
        self.line_starts()
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let offset = offset.min(to_u32(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_starts().get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start as usize..offset as usize)
            .map_or(0, |prefix| prefix.chars().count());
        LineColumn {
            line: to_u32(line + 1),
            column: to_u32(column + 1),
        }
    }

    /// The byte span of the value at `pointer`, or of its nearest ancestor that exists.
    pub fn value_span(&self, pointer: &str) -> Span {
        let index = self.span_index();
        let mut pointer = pointer;
        loop {
            if let Some(entry) = index.get(pointer) {
                return Span {
                    file: self.id,
                    start: entry.start,
                    end: entry.end,
                };
            }
            match pointer.rfind('/') {
                Some(cut) => pointer = &pointer[..cut],
                None => {
                    return Span {
                        file: self.id,
                        start: 0,
                        end: 0,
                    };
                }
            }
        }
    }

    /// The span of the member `"name": value` at `pointer` (from the name's opening quote to the
    /// end of the value), falling back to [`value_span`](Self::value_span) for array elements and
    /// the root.
    pub fn member_span(&self, pointer: &str) -> Span {
        if let Some(entry) = self.span_index().get(pointer)
            && let Some(key_start) = entry.key_start
        {
            return Span {
                file: self.id,
                start: key_start,
                end: entry.end,
            };
        }
        self.value_span(pointer)
    }

    fn span_index(&self) -> &SpanTable {
        self.span_table.get_or_init(|| SpanTable::read(&self.text))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// Start byte offset.
    pub start: u32,
    /// End byte offset (exclusive).
    pub end: u32,
}

/// The files of one analysis: append-only, shared across threads, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Arc<Mutex<Vec<Arc<SourceFile>>>>,
    /// The working directory names are shown relative to, read once per store.
    cwd: Arc<OnceLock<Option<PathBuf>>>,
}

impl Files {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file's text; a leading byte-order mark is removed. Returns the stored file.
    pub fn add(&self, path: impl Into<PathBuf>, text: String) -> Arc<SourceFile> {
        let path = path.into();
        let cwd = self.cwd.get_or_init(|| std::env::current_dir().ok());
        let name = display_name_in(&path, cwd.as_deref());
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        let mut files = self.lock();
        let file = Arc::new(SourceFile {
            id: FileId(to_u32(files.len())),
            path,
            name,
            text,
            line_starts: OnceLock::new(),
            span_table: OnceLock::new(),
        });
        files.push(Arc::clone(&file));
        file
    }

    /// The file with this id, if it belongs to this store.
    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        self.lock().get(id.index()).cloned()
    }

    /// All files, in the order they were added.
    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<SourceFile>>> {
        // A panic while holding the lock cannot leave the vector inconsistent (push is the only
        // mutation), so a poisoned lock is still usable.
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How a file's bytes turned out.
#[derive(Debug)]
pub enum ReadOutcome {
    /// The file was read as UTF-8 text.
    Text(Arc<SourceFile>),
    /// The file is not UTF-8; it was stored with replacement characters so the position of the
    /// first bad byte can still be shown.
    InvalidUtf8 {
        /// The stored (lossy) file.
        file: Arc<SourceFile>,
        /// Offset of the first invalid byte.
        offset: u32,
    },
    /// The file is larger than [`MAX_FILE_BYTES`]; nothing was read.
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
}

/// Reads a file from disk into `files`. Only I/O failures are errors; content problems are
/// reported through [`ReadOutcome`].
pub fn read_file(files: &Files, path: &Path) -> std::io::Result<ReadOutcome> {
    read_file_with_limit(files, path, MAX_FILE_BYTES)
}

/// [`read_file`] with an explicit size limit.
pub fn read_file_with_limit(
    files: &Files,
    path: &Path,
    limit: u64,
) -> std::io::Result<ReadOutcome> {
    let size = std::fs::metadata(path)?.len();
    if size > limit {
        return Ok(ReadOutcome::TooLarge { size });
    }
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => ReadOutcome::Text(files.add(path, text)),
        Err(error) => {
            let offset = to_u32(error.utf8_error().valid_up_to());
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let bom = usize::from(lossy.starts_with('\u{feff}')) * 3;
            ReadOutcome::InvalidUtf8 {
                file: files.add(path, lossy),
                offset: offset.saturating_sub(to_u32(bom)),
            }
        }
    })
}

/// Deployment templates and parameter files up to this size record their spans while they are
/// parsed: nearly every analyzed template has a finding or note to place, and recording during
/// the one parse costs far less than parsing again later, when the second parse's tree would
/// sit beside the first one's expansion (at 10,000 resources the lazy index raised the peak by
/// a third). The bound is the default [`MAX_FILE_BYTES`]: files read under a raised
/// `maxFileBytes` are read again for their spans, only when a finding needs a position.
pub const EAGER_SPAN_INDEX_MAX_BYTES: usize = MAX_FILE_BYTES as usize;

/// Whether the start of `text` names a deployment template or parameter schema: those files get
/// findings; policy definitions, alias tables and other JSON in a walked directory rarely do,
/// and index lazily. Only speed depends on this guess, never a result.
fn looks_like_deployment_document(text: &str) -> bool {
    const SCHEMA_WINDOW_BYTES: usize = 4096;
    let mut end = text.len().min(SCHEMA_WINDOW_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    [
        "deploymentTemplate",
        "deploymentParameters",
        "DeploymentTemplate",
    ]
    .iter()
    .any(|marker| head.contains(marker))
}

/// Parses a stored file as lenient JSON.
pub fn parse_file(file: &SourceFile) -> ParsedJson {
    if file.text().len() > EAGER_SPAN_INDEX_MAX_BYTES
        || file.span_table.get().is_some()
        || !looks_like_deployment_document(file.text())
    {
        return json::parse(file.text());
    }
    let mut recording = SpanRecording::for_text(file.text());
    let parsed = json::parse_recording_spans(file.text(), &mut recording);
    // Another thread may have built the table meanwhile; either holds the same spans.
    let _ = file
        .span_table
        .set(SpanTable::from_log(recording.into_log()));
    parsed
}

/// The name shown for a path: relative to the working directory when it lies below it, with `/`
/// separators so reports are the same on every platform.
pub fn display_name(path: &Path) -> String {
    display_name_in(path, std::env::current_dir().ok().as_deref())
}

fn display_name_in(path: &Path, cwd: Option<&Path>) -> String {
    let relative = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    match text.strip_prefix("./") {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// The `$schema` of a JSON document, when it has one.
pub fn schema_of(value: &Value) -> Option<&str> {
    value.as_object()?.iter().find_map(|(key, value)| {
        key.eq_ignore_ascii_case("$schema")
            .then(|| value.as_str())
            .flatten()
    })
}

/// What a JSON document is, judged by its `$schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A deployment template (any of the four deployment scopes).
    Template,
    /// A deployment parameters file.
    Parameters,
    /// Anything else.
    Other,
}

/// Classifies a document: a template when its `$schema` names one of the four
/// `*eploymentTemplate.json` schemas of `schema.management.azure.com` (any version), a parameter
/// file when it names `deploymentParameters.json` (any scope, any version).
pub fn classify(value: &Value) -> DocumentKind {
    let Some(schema) = schema_of(value) else {
        return DocumentKind::Other;
    };
    let schema = schema.trim().to_ascii_lowercase();
    let Some(rest) = schema
        .strip_prefix("https://")
        .or_else(|| schema.strip_prefix("http://"))
    else {
        return DocumentKind::Other;
    };
    let Some(path) = rest.strip_prefix("schema.management.azure.com/schemas/") else {
        return DocumentKind::Other;
    };
    let file = path
        .trim_end_matches('#')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    match file {
        "deploymenttemplate.json"
        | "subscriptiondeploymenttemplate.json"
        | "managementgroupdeploymenttemplate.json"
        | "tenantdeploymenttemplate.json" => DocumentKind::Template,
        "deploymentparameters.json"
        | "subscriptiondeploymentparameters.json"
        | "managementgroupdeploymentparameters.json"
        | "tenantdeploymentparameters.json" => DocumentKind::Parameters,
        _ => DocumentKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Arc<SourceFile> {
        Files::new().add("t.json", text.to_owned())
    }

    #[test]
    fn line_and_column_count_characters_on_lf_and_crlf() {
        for newline in ["\n", "\r\n"] {
            let text = ["{", "  \"é\": \"ü\",", "  \"b\": 1", "}"].join(newline);
            let f = file(&text);
            let span = f.value_span("/b");
            assert_eq!(f.line_column(span.start), LineColumn { line: 3, column: 8 });
            let span = f.value_span("/é");
            assert_eq!(f.line_column(span.start), LineColumn { line: 2, column: 8 });
            assert_eq!(&f.text()[span.start as usize..span.end as usize], "\"ü\"");
        }
    }

    #[test]
    fn bom_is_removed_so_columns_stay_exact() {
        let f = file("\u{feff}{\"a\": 1}");
        assert_eq!(
            f.line_column(f.value_span("/a").start),
            LineColumn { line: 1, column: 7 }
        );
    }

    #[test]
    fn missing_pointers_fall_back_to_the_nearest_ancestor() {
        let f = file("{\"a\": {\"b\": [1, 2]}}");
        assert_eq!(f.value_span("/a/b/5"), f.value_span("/a/b"));
        assert_eq!(f.value_span("/nothing").start, 0);
        let member = f.member_span("/a/b");
        assert_eq!(
            &f.text()[member.start as usize..member.end as usize],
            "\"b\": [1, 2]"
        );
    }

    #[test]
    fn escaped_and_unquoted_member_names_and_large_indexes_resolve() {
        // The index hashes pointers built in pieces; lookups hash whole strings.
        let items: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        let text = format!(
            "{{\"a/b~c\": {{\"x\\\"y\": [{}]}}, unquoted: 'single', \"e\\u0301\": true}}",
            items.join(", ")
        );
        let f = file(&text);
        let slice = |span: Span| &f.text()[span.start as usize..span.end as usize];
        assert_eq!(slice(f.value_span("/a~1b~0c/x\"y/11")), "11");
        assert_eq!(slice(f.value_span("/a~1b~0c/x\"y/10")), "10");
        assert_eq!(slice(f.value_span("/unquoted")), "'single'");
        assert_eq!(slice(f.value_span("/e\u{301}")), "true");
    }

    #[test]
    fn classifies_by_schema() {
        use serde_json::json;
        let t = |s: &str| classify(&json!({"$schema": s}));
        assert_eq!(
            t("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"),
            DocumentKind::Template
        );
        assert_eq!(
            t(
                "http://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
            ),
            DocumentKind::Template
        );
        assert_eq!(
            t("https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"),
            DocumentKind::Parameters
        );
        assert_eq!(
            t(
                "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"
            ),
            DocumentKind::Other
        );
        assert_eq!(classify(&json!([1])), DocumentKind::Other);
    }
}
