//! Shared helpers for the expression tests and bench: locating the corpus and reading JSONC.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The corpus directory: `$ARMGRAPH_CORPUS`, else `<crate>/../shared/corpus`; `None` if absent.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("ARMGRAPH_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

/// Remove `//` and `/* */` comments outside strings and trailing commas before `}`/`]`, and
/// escape raw control characters inside strings (multi-line strings of extended JSON).
pub fn strip_jsonc(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut seg = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                out.push_str(&text[seg..i]);
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                seg = i;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                out.push_str(&text[seg..i]);
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                seg = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[seg.min(text.len())..]);
    // Trailing commas.
    let mut cleaned = String::with_capacity(out.len());
    let ob = out.as_bytes();
    let mut in_str = false;
    let mut j = 0;
    while j < ob.len() {
        let c = ob[j];
        if in_str {
            if c == b'\\' && j + 1 < ob.len() {
                cleaned.push_str(&out[j..j + 2]);
                j += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            if c < 0x20 {
                // Extended JSON allows raw line breaks inside strings; escape them.
                cleaned.push_str(&format!("\\u{c:04x}"));
                j += 1;
                continue;
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b',' {
            let next = out[j + 1..].trim_start();
            if next.starts_with('}') || next.starts_with(']') {
                j += 1;
                continue;
            }
        }
        let ch = out[j..].chars().next().unwrap_or(' ');
        cleaned.push(ch);
        j += ch.len_utf8();
    }
    cleaned
}

/// Every template file of the corpus (JSON files outside `policies/` that look like ARM
/// templates), with its parsed JSON.
pub fn corpus_templates(dir: &Path) -> Vec<(PathBuf, serde_json::Value)> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        if f.strip_prefix(dir).is_ok_and(|r| r.starts_with("policies")) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let json: serde_json::Value = match serde_json::from_str(&strip_jsonc(&text)) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("not JSON(C), skipped: {}: {e}", f.display());
                continue;
            }
        };
        let is_template = json.get("resources").is_some()
            || json
                .get("$schema")
                .and_then(|s| s.as_str())
                .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate.json"));
        if is_template {
            out.push((f, json));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        {
            out.push(p);
        }
    }
}

/// Every expression string (`[...]`, not `[[`) in a JSON value; object keys are never expressions.
pub fn expressions<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) if armgraph::expr::is_expression(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| expressions(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| expressions(x, out)),
        _ => {}
    }
}
