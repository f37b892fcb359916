//! The condition operators with the semantics of the Azure Policy language (spec §2.3): string
//! comparisons ignore case (except `match`/`notMatch`), a missing value reads as the empty string
//! for string-like operators, `equals`/`in` coerce scalars to strings, ordering operators do not
//! coerce and fail on mismatched types.

use std::cmp::Ordering;

use crate::expr::Value;
use crate::expr::value::eq_ignore_case;
use crate::model::Tri;

/// A condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the variants are the operator names of the policy language
pub enum Operator {
    Equals,
    NotEquals,
    In,
    NotIn,
    Like,
    NotLike,
    Match,
    NotMatch,
    MatchInsensitively,
    NotMatchInsensitively,
    Contains,
    NotContains,
    ContainsKey,
    NotContainsKey,
    Less,
    LessOrEquals,
    Greater,
    GreaterOrEquals,
    Exists,
}

impl Operator {
    /// Every operator with its name as documented.
    pub const ALL: &'static [(&'static str, Operator)] = &[
        ("equals", Operator::Equals),
        ("notEquals", Operator::NotEquals),
        ("in", Operator::In),
        ("notIn", Operator::NotIn),
        ("like", Operator::Like),
        ("notLike", Operator::NotLike),
        ("match", Operator::Match),
        ("notMatch", Operator::NotMatch),
        ("matchInsensitively", Operator::MatchInsensitively),
        ("notMatchInsensitively", Operator::NotMatchInsensitively),
        ("contains", Operator::Contains),
        ("notContains", Operator::NotContains),
        ("containsKey", Operator::ContainsKey),
        ("notContainsKey", Operator::NotContainsKey),
        ("less", Operator::Less),
        ("lessOrEquals", Operator::LessOrEquals),
        ("greater", Operator::Greater),
        ("greaterOrEquals", Operator::GreaterOrEquals),
        ("exists", Operator::Exists),
    ];

    /// The operator named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, op)| *op)
    }

    /// The documented name.
    pub fn name(self) -> &'static str {
        Operator::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("?", |(n, _)| n)
    }

    /// Applies the operator. `Err` is an evaluation error (Azure treats it as a deny).
    pub fn apply(self, left: &Value, right: &Value) -> Result<Tri, String> {
        if let Value::Unknown(_) = left {
            return Ok(Tri::Unknown);
        }
        if right.contains_unknown() && !matches!(self, Operator::In | Operator::NotIn) {
            return Ok(Tri::Unknown);
        }
        let negate = |t: Result<Tri, String>| t.map(Tri::not);
        match self {
            Operator::Equals => Ok(equals(left, right)),
            Operator::NotEquals => Ok(equals(left, right).not()),
            Operator::In => in_list(left, right),
            Operator::NotIn => negate(in_list(left, right)),
            Operator::Like => Ok(with_text(left, right, like)),
            Operator::NotLike => Ok(with_text(left, right, like).not()),
            Operator::Match => Ok(with_text(left, right, |l, r| pattern_match(l, r, false))),
            Operator::NotMatch => {
                Ok(with_text(left, right, |l, r| pattern_match(l, r, false)).not())
            }
            Operator::MatchInsensitively => {
                Ok(with_text(left, right, |l, r| pattern_match(l, r, true)))
            }
            Operator::NotMatchInsensitively => {
                Ok(with_text(left, right, |l, r| pattern_match(l, r, true)).not())
            }
            Operator::Contains => Ok(contains(left, right)),
            Operator::NotContains => Ok(contains(left, right).not()),
            Operator::ContainsKey => Ok(contains_key(left, right)),
            Operator::NotContainsKey => Ok(contains_key(left, right).not()),
            Operator::Less => {
                order(left, right).map(|o| o.map_or(Tri::Unknown, |o| (o == Ordering::Less).into()))
            }
            Operator::LessOrEquals => order(left, right)
                .map(|o| o.map_or(Tri::Unknown, |o| (o != Ordering::Greater).into())),
            Operator::Greater => order(left, right)
                .map(|o| o.map_or(Tri::Unknown, |o| (o == Ordering::Greater).into())),
            Operator::GreaterOrEquals => {
                order(left, right).map(|o| o.map_or(Tri::Unknown, |o| (o != Ordering::Less).into()))
            }
            Operator::Exists => {
                let wanted = match right {
                    Value::Bool(b) => *b,
                    Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                    Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                    other => {
                        return Err(format!(
                            "`exists` expects true or false, not {}",
                            other.type_name()
                        ));
                    }
                };
                Ok(Tri::from(left.is_null() != wanted))
            }
        }
    }
}

/// The string form `equals` compares: null is empty, booleans and numbers their JSON text;
/// arrays and objects have none.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(format!("{f:.1}")),
        Value::Float(f) => Some(f.to_string()),
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// `equals`: string coercion, ignoring case; arrays and objects compare equal only to an equal
/// array or object.
pub fn equals(left: &Value, right: &Value) -> Tri {
    if left.is_unknown() || right.is_unknown() {
        return Tri::Unknown;
    }
    match (scalar_text(left), scalar_text(right)) {
        (Some(l), Some(r)) => Tri::from(eq_ignore_case(&l, &r)),
        (None, None) => crate::expr::value::deep_equals(left, right).into(),
        _ => Tri::False,
    }
}

fn in_list(left: &Value, right: &Value) -> Result<Tri, String> {
    let Some(items) = right.as_array() else {
        if right.is_unknown() {
            return Ok(Tri::Unknown);
        }
        return Err(format!(
            "`in` and `notIn` expect an array, not {}",
            right.type_name()
        ));
    };
    Ok(Tri::any(items.iter().map(|item| equals(left, item))))
}

fn with_text(left: &Value, right: &Value, f: impl Fn(&str, &str) -> bool) -> Tri {
    match (scalar_text(left), scalar_text(right)) {
        (Some(l), Some(r)) => Tri::from(f(&l, &r)),
        _ => Tri::False,
    }
}

/// `like`: `*` matches any run of characters, everything else is literal; ignores case.
pub fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let pattern: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    // Iterative wildcard matching with backtracking to the last `*`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] != '*' && pattern[p] == text[t] {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// `match`: `#` a digit, `?` a letter, `.` any character, anything else itself; same length.
pub fn pattern_match(text: &str, pattern: &str, ignore_case: bool) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    text.len() == pattern.len()
        && text.iter().zip(&pattern).all(|(c, p)| match p {
            '#' => c.is_ascii_digit(),
            '?' => c.is_alphabetic(),
            '.' => true,
            p if ignore_case => c.to_lowercase().eq(p.to_lowercase()),
            p => c == p,
        })
}

fn contains(left: &Value, right: &Value) -> Tri {
    match left {
        Value::Array(items) => Tri::any(items.iter().map(|i| equals(i, right))),
        Value::Object(_) => Tri::Unknown,
        _ => with_text(left, right, |l, r| {
            l.to_lowercase().contains(&r.to_lowercase())
        }),
    }
}

fn contains_key(left: &Value, right: &Value) -> Tri {
    match (left, scalar_text(right)) {
        (Value::Object(o), Some(key)) => Tri::from(o.contains_key(&key)),
        _ => Tri::False,
    }
}

/// Ordering without coercion: numbers numerically, strings ignoring case. `Ok(None)` when the
/// left side is missing (undocumented: unknown); `Err` on a type mismatch.
fn order(left: &Value, right: &Value) -> Result<Option<Ordering>, String> {
    let number = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    if left.is_null() {
        return Ok(None);
    }
    if let (Some(l), Some(r)) = (number(left), number(right)) {
        return Ok(l.partial_cmp(&r));
    }
    if let (Value::String(l), Value::String(r)) = (left, right) {
        return Ok(Some(l.to_lowercase().cmp(&r.to_lowercase())));
    }
    Err(format!(
        "cannot order {} against {}",
        left.type_name(),
        right.type_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Value {
        Value::string(t)
    }

    #[test]
    fn equals_coerces_and_ignores_case() {
        assert_eq!(equals(&Value::Bool(false), &s("FALSE")), Tri::True);
        assert_eq!(equals(&Value::Float(5.0), &Value::Int(5)), Tri::False);
        assert_eq!(equals(&s("05"), &Value::Int(5)), Tri::False);
        assert_eq!(equals(&Value::Null, &s("")), Tri::True);
        assert_eq!(equals(&Value::array(vec![s("a")]), &s("a")), Tri::False);
    }

    #[test]
    fn missing_values_read_as_empty() {
        let op = |o: Operator, r: Value| o.apply(&Value::Null, &r).unwrap();
        assert_eq!(op(Operator::NotEquals, s("Disabled")), Tri::True);
        assert_eq!(op(Operator::In, Value::array(vec![s("a")])), Tri::False);
        assert_eq!(op(Operator::In, Value::array(vec![s("")])), Tri::True);
        assert_eq!(op(Operator::Like, s("x*")), Tri::False);
        assert_eq!(op(Operator::Exists, s("false")), Tri::True);
        assert_eq!(op(Operator::Exists, Value::Bool(true)), Tri::False);
    }

    #[test]
    fn like_and_match() {
        assert!(like(
            "azureml://registries/x/models",
            "AzureML://registries/*"
        ));
        assert!(like("abc", "a*c"));
        assert!(like("abc", "*"));
        assert!(!like("abc", "a?c"));
        assert!(like("a?c", "a?c"));
        assert!(like("axxbyyc", "a*b*c"));
        assert!(pattern_match("ab12", "??##", false));
        assert!(pattern_match("a*c", "a*c", false));
        assert!(pattern_match("xyz", "x.z", false));
        assert!(!pattern_match("Ab12", "ab##", false));
        assert!(pattern_match("Ab12", "ab##", true));
        assert!(!pattern_match("ab1", "ab##", false));
    }

    #[test]
    fn ordering_does_not_coerce() {
        assert_eq!(
            Operator::Less.apply(&Value::Int(1), &Value::Int(2)),
            Ok(Tri::True)
        );
        assert!(Operator::Less.apply(&Value::Int(1), &s("2")).is_err());
        assert!(
            Operator::Greater
                .apply(&Value::Bool(true), &Value::Int(2))
                .is_err()
        );
        assert_eq!(
            Operator::Less.apply(&Value::Null, &Value::Int(2)),
            Ok(Tri::Unknown)
        );
        assert_eq!(
            Operator::GreaterOrEquals.apply(&s("2021-10-01"), &s("2021-10-01")),
            Ok(Tri::True)
        );
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(Operator::from_name("notin"), Some(Operator::NotIn));
        assert_eq!(Operator::from_name("Equals"), Some(Operator::Equals));
        assert_eq!(Operator::from_name("nope"), None);
    }
}
