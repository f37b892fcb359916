//! Every code armgraph can report, in a stable order: engine codes by stage, then rule families.

use crate::codes::CodeInfo;

/// Metadata of every finding code, for `--list-rules`, SARIF `rules[]` and the docs.
///
/// ```
/// let codes = armgraph::rules::registry();
/// assert!(codes.iter().any(|c| c.code == "ARM-JSON-001"));
/// ```
pub fn registry() -> Vec<CodeInfo> {
    let tables: &[&[CodeInfo]] = &[
        crate::source::CODES,
        crate::expr::CODES,
        crate::template::CODES,
    ];
    tables
        .iter()
        .flat_map(|table| table.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let all = registry();
        let mut seen = std::collections::HashSet::new();
        for info in &all {
            assert!(seen.insert(info.code), "duplicate code {}", info.code);
            assert!(
                info.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} name {:?} is not kebab-case",
                info.code,
                info.name
            );
            assert!(
                info.summary.ends_with('.'),
                "{} summary is a sentence",
                info.code
            );
        }
    }
}
