//! `*` and `?` wildcards, compared ignoring case: the patterns of rule settings and suppressions
//! (`AML-NSG-*`, `*/privateDnsZones/*`).

/// Whether `text` matches `pattern` (`*` any run, `?` one character), ignoring case.
///
/// ```
/// use armgraph::config::glob_matches;
/// assert!(glob_matches("AML-NSG-*", "aml-nsg-004"));
/// assert!(glob_matches("*/privateDnsZones/*", "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateDnsZones/z"));
/// assert!(!glob_matches("AML-DNS-00?", "AML-DNS-010"));
/// ```
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if *c == '?' || *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn wildcards() {
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a*b*c", "aXXbYYc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
        assert!(glob_matches("ARM-*-00?", "arm-json-001"));
        assert!(!glob_matches("abc", "abcd"));
        let long = "a".repeat(10_000);
        assert!(!glob_matches(&format!("{}b", "*a".repeat(50)), &long));
    }
}
