//! Generated parts of the docs stay in step with the code.

use std::fmt::Write;

const START: &str = "<!-- codes:start -->\n";
const END: &str = "<!-- codes:end -->";

fn engine_codes_table() -> String {
    let mut table =
        String::from("| code | default | name | meaning |\n| --- | --- | --- | --- |\n");
    for info in armgraph::rules::registry() {
        if info.code.starts_with("ARM-") {
            let _ = writeln!(
                table,
                "| `{}` | {} | `{}` | {} |",
                info.code, info.default_severity, info.name, info.summary
            );
        }
    }
    table
}

#[test]
fn output_formats_lists_every_engine_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/output-formats.md");
    let text = std::fs::read_to_string(path).expect("docs/output-formats.md");
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        panic!("docs/output-formats.md lacks the {START:?} … {END:?} markers");
    };
    let current = &text[start + START.len()..end];
    let expected = engine_codes_table();
    if current != expected {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{expected}{}", &text[..start + START.len()], &text[end..]);
            std::fs::write(path, updated).expect("write docs/output-formats.md");
        } else {
            panic!("docs/output-formats.md is stale: run `UPDATE_DOCS=1 cargo test --test docs`");
        }
    }
}

#[test]
fn every_rule_has_its_generated_page() {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    for rule in armgraph::rules::all_rules() {
        let meta = rule.meta();
        let page = format!(
            "<!-- Generated from the rule's doc comment by tests/docs.rs; do not edit. -->\n# {} · {}\n\n{}\n\nDefault severity: **{}**. Family: `{}`. Since {}.\n\n{}",
            meta.code,
            meta.name,
            meta.summary,
            meta.default_severity,
            meta.family,
            meta.since,
            meta.docs
        );
        let page = page
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let path = directory.join(format!("{}.md", meta.code));
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != page {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                std::fs::create_dir_all(&directory).expect("docs/rules");
                std::fs::write(&path, page).expect("write the rule page");
            } else {
                panic!(
                    "{} is stale: run `UPDATE_DOCS=1 cargo test --test docs`",
                    path.display()
                );
            }
        }
    }
}
