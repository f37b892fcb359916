//! Field paths (`properties.subnets[*].properties.id`) compiled once to JSONPath queries that
//! jsonpath-rust runs over a [`Payload`], and the payload itself: a JSON document whose member
//! names are folded to lower case (Azure matches property names ignoring case; JSONPath does
//! not), with the analyzer's unknown values kept as tagged placeholders.

use std::sync::Arc;

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use serde_json::Value as J;

use crate::expr::value::fold_key;
use crate::expr::{Object, Provenance, Value};

/// Longest field path accepted, in bytes.
pub const MAX_PATH_LEN: usize = 1024;

/// Most segments (member names and `[*]`) in one field path.
pub const MAX_PATH_SEGMENTS: usize = 64;

/// Marks an unknown value inside a [`Payload`]; followed by its index in the provenance table.
const UNKNOWN_TAG: &str = "\u{1}armgraph-unknown:";

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A member name, folded to lower case.
    Key(String),
    /// `[*]`: every member of an array.
    All,
}

/// A compiled field path: its segments, the JSONPath query of the whole path, and the query of
/// what follows each `[*]` (used inside `count.where`, where a counted array stands for its
/// current member).
#[derive(Debug, Clone)]
pub struct FieldPath {
    text: String,
    segments: Vec<Segment>,
    full: JpQuery,
    /// `after_star[i]`: the query of the segments after the `i`-th `[*]`.
    after_star: Vec<JpQuery>,
}

impl FieldPath {
    /// Parses a dotted path with `[*]` array steps and `['name']`/`[name]` member steps
    /// (`properties.ipConfigurations[*].properties.subnet.id`, `tags['cost center']`).
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        if text.len() > MAX_PATH_LEN {
            return Err(format!(
                "the field path is {} bytes long; at most {MAX_PATH_LEN} are accepted",
                text.len()
            ));
        }
        let segments = parse_segments(text)?;
        if segments.is_empty() {
            return Err("the field path is empty".to_owned());
        }
        if segments.len() > MAX_PATH_SEGMENTS {
            return Err(format!(
                "the field path has {} steps; at most {MAX_PATH_SEGMENTS} are accepted",
                segments.len()
            ));
        }
        let full = compile_query(&segments)?;
        let mut after_star = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            if *segment == Segment::All {
                after_star.push(compile_query(&segments[i + 1..])?);
            }
        }
        Ok(FieldPath {
            text: text.to_owned(),
            segments,
            full,
            after_star,
        })
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether the path selects a collection (has a `[*]`).
    pub fn is_collection(&self) -> bool {
        !self.after_star.is_empty()
    }

    /// Whether the path ends with `[*]` (an array alias that `count` can iterate).
    pub fn ends_with_all(&self) -> bool {
        self.segments.last() == Some(&Segment::All)
    }

    /// Number of `[*]` steps.
    pub fn star_count(&self) -> usize {
        self.after_star.len()
    }

    /// The JSONPath text of the whole path (`$['properties']['subnets'][*]`).
    pub fn jsonpath(&self) -> String {
        jsonpath_text(&self.segments)
    }

    /// Whether `prefix`'s segments start this path.
    pub fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.segments.len() >= prefix.segments.len()
            && self.segments[..prefix.segments.len()] == prefix.segments[..]
    }

    /// Selects the path from the root of `payload`.
    pub fn select(&self, payload: &Payload) -> Selection {
        select_with(
            payload,
            payload.root(),
            &self.full,
            &self.segments,
            self.is_collection(),
        )
    }

    /// Selects what follows the `star`-th `[*]` (0-based) from `member`, an element of the array
    /// that `[*]` iterates.
    pub fn select_after_star(&self, star: usize, member: &Payload) -> Selection {
        let Some(query) = self.after_star.get(star) else {
            return Selection::Values(Vec::new());
        };
        let position = self
            .segments
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == Segment::All)
            .nth(star)
            .map_or(self.segments.len(), |(i, _)| i + 1);
        let rest = &self.segments[position..];
        let collection = rest.contains(&Segment::All);
        select_with(member, member.root(), query, rest, collection)
    }
}

/// What a path selects.
#[derive(Debug, Clone)]
pub enum Selection {
    /// The selected values: at most one for a path without `[*]` (none when absent).
    Values(Vec<Value>),
    /// A value on the way is unknown before deployment.
    Unknown(Arc<Provenance>),
}

fn select_with(
    payload: &Payload,
    root: &J,
    query: &JpQuery,
    segments: &[Segment],
    collection: bool,
) -> Selection {
    if payload.has_unknowns()
        && let Some(p) = payload.unknown_on(root, segments)
    {
        return Selection::Unknown(p);
    }
    let found = match js_path_process(query, root) {
        Ok(found) => found,
        Err(_) => return Selection::Values(Vec::new()),
    };
    let mut values: Vec<Value> = found.into_iter().map(|r| payload.to_value(r.val)).collect();
    if !collection {
        values.truncate(1);
    }
    Selection::Values(values)
}

fn parse_segments(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut name = String::new();
    let mut chars = text.chars().peekable();
    let flush = |name: &mut String, segments: &mut Vec<Segment>| {
        if !name.is_empty() {
            segments.push(Segment::Key(fold_key(name).into_owned()));
            name.clear();
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '.' => flush(&mut name, &mut segments),
            '[' => {
                flush(&mut name, &mut segments);
                let mut inner = String::new();
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    loop {
                        match chars.next() {
                            Some('\'') if chars.peek() == Some(&'\'') => {
                                chars.next();
                                inner.push('\'');
                            }
                            Some('\'') => break,
                            Some(c) => inner.push(c),
                            None => return Err(format!("unclosed quote in `{text}`")),
                        }
                    }
                    if chars.next() != Some(']') {
                        return Err(format!("expected `]` after a quoted name in `{text}`"));
                    }
                    segments.push(Segment::Key(fold_key(&inner).into_owned()));
                } else {
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                        inner.push(c);
                    }
                    if inner == "*" {
                        segments.push(Segment::All);
                    } else if inner.is_empty() {
                        return Err(format!("empty brackets in `{text}`"));
                    } else {
                        segments.push(Segment::Key(fold_key(&inner).into_owned()));
                    }
                }
            }
            c => name.push(c),
        }
    }
    flush(&mut name, &mut segments);
    Ok(segments)
}

fn jsonpath_text(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for segment in segments {
        match segment {
            Segment::All => out.push_str("[*]"),
            Segment::Key(k) => {
                out.push_str("['");
                for c in k.chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push_str("']");
            }
        }
    }
    out
}

fn compile_query(segments: &[Segment]) -> Result<JpQuery, String> {
    let text = jsonpath_text(segments);
    parse_json_path(&text).map_err(|e| format!("cannot compile `{text}`: {e}"))
}

/// A resource payload as field paths read it: member names folded to lower case, unknown values
/// as tagged placeholders resolved back through a provenance table.
#[derive(Debug, Clone, Default)]
pub struct Payload {
    root: J,
    unknowns: Vec<Arc<Provenance>>,
}

impl Payload {
    /// The payload of a value.
    pub fn from_value(value: &Value) -> Payload {
        let mut payload = Payload::default();
        payload.root = payload.encode(value, 0);
        payload
    }

    /// The root JSON value.
    pub fn root(&self) -> &J {
        &self.root
    }

    /// Whether the payload holds unknown values.
    pub fn has_unknowns(&self) -> bool {
        !self.unknowns.is_empty()
    }

    fn encode(&mut self, value: &Value, depth: u32) -> J {
        if depth > crate::expr::MAX_VALUE_DEPTH {
            return J::Null;
        }
        match value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.to_string()),
            Value::Array(a) => J::Array(a.iter().map(|v| self.encode(v, depth + 1)).collect()),
            Value::Object(o) => {
                let mut map = serde_json::Map::new();
                for (k, v) in o.iter() {
                    let key = fold_key(k).into_owned();
                    if !map.contains_key(&key) {
                        let encoded = self.encode(v, depth + 1);
                        map.insert(key, encoded);
                    }
                }
                J::Object(map)
            }
            Value::Unknown(p) => {
                let index = self.unknowns.len();
                self.unknowns.push(Arc::clone(p));
                J::String(format!("{UNKNOWN_TAG}{index}"))
            }
        }
    }

    fn unknown_of(&self, j: &J) -> Option<Arc<Provenance>> {
        let index: usize = j.as_str()?.strip_prefix(UNKNOWN_TAG)?.parse().ok()?;
        self.unknowns.get(index).cloned()
    }

    /// Converts a JSON value of this payload back to a [`Value`].
    pub fn to_value(&self, j: &J) -> Value {
        match j {
            J::String(_) => match self.unknown_of(j) {
                Some(p) => Value::Unknown(p),
                None => Value::from(j),
            },
            J::Array(items) if self.has_unknowns() => {
                Value::array(items.iter().map(|v| self.to_value(v)).collect())
            }
            J::Object(map) if self.has_unknowns() => {
                let mut o = Object::with_capacity(map.len());
                for (k, v) in map {
                    o.insert(k.as_str(), self.to_value(v));
                }
                Value::object(o)
            }
            other => Value::from(other),
        }
    }

    /// The first unknown value on the way along `segments`, if any.
    fn unknown_on(&self, at: &J, segments: &[Segment]) -> Option<Arc<Provenance>> {
        if let Some(p) = self.unknown_of(at) {
            return Some(p);
        }
        let (first, rest) = segments.split_first()?;
        match (first, at) {
            (Segment::Key(k), J::Object(map)) => self.unknown_on(map.get(k)?, rest),
            (Segment::All, J::Array(items)) => {
                items.iter().find_map(|item| self.unknown_on(item, rest))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(json: serde_json::Value) -> Payload {
        Payload::from_value(&Value::from(&json))
    }

    fn values(s: Selection) -> Vec<serde_json::Value> {
        match s {
            Selection::Values(v) => v.iter().map(Value::to_json).collect(),
            Selection::Unknown(_) => panic!("unknown"),
        }
    }

    #[test]
    fn paths_compile_to_jsonpath_and_match_names_ignoring_case() {
        let path = FieldPath::parse("properties.IpConfigurations[*].properties.subnet.id").unwrap();
        assert_eq!(
            path.jsonpath(),
            "$['properties']['ipconfigurations'][*]['properties']['subnet']['id']"
        );
        let p = payload(serde_json::json!({"Properties": {"ipConfigurations": [
            {"properties": {"Subnet": {"ID": "a"}}}, {"properties": {}}
        ]}}));
        assert_eq!(values(path.select(&p)), vec![serde_json::json!("a")]);
    }

    #[test]
    fn star_table_of_the_spec() {
        let p = payload(
            serde_json::json!({"stringArray": ["a", "b", "c"], "objectArray": [
            {"property": "value1", "nestedArray": [1, 2]},
            {"property": "value2", "nestedArray": [3, 4]}]}),
        );
        let sel = |t: &str| values(FieldPath::parse(t).unwrap().select(&p));
        assert!(sel("missingArray").is_empty());
        assert!(sel("missingArray[*].p").is_empty());
        assert_eq!(sel("stringArray").len(), 1);
        assert_eq!(sel("stringArray[*]").len(), 3);
        assert_eq!(sel("objectArray[*].nestedArray").len(), 2);
        assert_eq!(
            sel("objectArray[*].nestedArray[*]"),
            vec![
                serde_json::json!(1),
                serde_json::json!(2),
                serde_json::json!(3),
                serde_json::json!(4)
            ]
        );
    }

    #[test]
    fn unknowns_on_the_way_are_reported() {
        let mut o = Object::new();
        o.insert("a", Value::unknown(Provenance::reason("runtime")));
        let p = Payload::from_value(&Value::object(o));
        let path = FieldPath::parse("a[*].b").unwrap();
        assert!(matches!(path.select(&p), Selection::Unknown(_)));
    }

    #[test]
    fn quoted_and_bare_bracket_names() {
        let path = FieldPath::parse("tags['it''s x']").unwrap();
        assert_eq!(
            path.segments(),
            &[Segment::Key("tags".into()), Segment::Key("it's x".into())]
        );
        assert!(FieldPath::parse("tags[env]").is_ok());
        assert!(FieldPath::parse(&"a.".repeat(600)).is_err());
    }
}
