//! Locations stay exact with comments, a byte-order mark, CRLF line ends and multi-byte text.

use armgraph::{Analyzer, Config, Inputs};

/// Lines of a template whose problems sit at known places: a trailing comma at line 5 column 58,
/// a duplicate member at line 9 column 5, and (when `broken`) a syntax error at line 11 column 3.
fn lines(broken: bool) -> Vec<&'static str> {
    vec![
        "{",
        "  // Démo: commentaires et accents avant les membres.",
        "  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",",
        "  /* multi-line",
        "     comment */ \"parameters\": { \"ü\": { \"type\": \"string\" }, },",
        "  \"variables\": {",
        "    \"é\": \"ok\",",
        "    // the next member repeats `É` ignoring case",
        "    \"É\": \"again\"",
        "  },",
        if broken {
            "  \"resources\" []"
        } else {
            "  \"resources\": []"
        },
        "}",
    ]
}

fn findings(text: String) -> Vec<(String, u32, u32)> {
    let report = Analyzer::new(Config::default())
        .check(&Inputs::new().with_source("t.json", text))
        .expect("in-memory input");
    report
        .diagnostics()
        .iter()
        .filter(|d| d.code().starts_with("ARM-JSON"))
        .map(|d| {
            let at = report.resolve(d.location());
            (d.code().to_owned(), at.start.line, at.start.column)
        })
        .collect()
}

fn variants(broken: bool) -> Vec<(&'static str, String)> {
    let lf = lines(broken).join("\n");
    let crlf = lines(broken).join("\r\n");
    vec![
        ("LF", lf.clone()),
        ("CRLF", crlf.clone()),
        ("BOM+LF", format!("\u{feff}{lf}")),
        ("BOM+CRLF", format!("\u{feff}{crlf}")),
    ]
}

#[test]
fn lenient_findings_keep_exact_positions_in_every_encoding_variant() {
    for (name, text) in variants(false) {
        assert_eq!(
            findings(text),
            vec![
                ("ARM-JSON-002".to_owned(), 5, 58),
                ("ARM-JSON-003".to_owned(), 9, 5),
            ],
            "{name}"
        );
    }
}

#[test]
fn syntax_error_keeps_its_position_in_every_encoding_variant() {
    for (name, text) in variants(true) {
        let found = findings(text);
        assert!(
            found.contains(&("ARM-JSON-001".to_owned(), 11, 15)),
            "{name}: {found:?}"
        );
    }
}
