//! Runtime values of the expression language.
//!
//! [`Value`] is cheap to clone: strings, arrays and objects are shared through `Arc`, so passing a
//! large parameter object through `variables()`/`union()` chains never deep-copies it.
//!
//! **Floats.** ARM functions never compute with floating-point numbers, but templates and
//! parameter files contain JSON numbers such as `0.5`, and `json('1.5')`/`float()` produce them.
//! They must survive into the expanded output, so [`Value::Float`] exists; arithmetic functions
//! reject it as an argument type.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::error::Span;

/// A value of the ARM expression language.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// `null()`, JSON `null`.
    #[default]
    Null,
    /// `true()` / `false()`.
    Bool(bool),
    /// A signed 64-bit integer.
    Int(i64),
    /// A JSON floating-point number (from templates, `json()`, `float()`); never computed with.
    Float(f64),
    /// A string (UTF-8 here; lengths and indexes are computed in UTF-16 code units as .NET does).
    String(Arc<str>),
    /// An array.
    Array(Arc<Array>),
    /// An object with case-insensitive keys that keep their spelling and insertion order.
    Object(Arc<Object>),
    /// A value that cannot be known before deployment, with the reason.
    Unknown(Arc<Provenance>),
}

/// A node count plus string bytes, used to bound the values an expression may build.
fn scalar_size(v: &Value) -> usize {
    match v {
        Value::String(s) => 8 + s.len(),
        Value::Array(a) => a.size,
        Value::Object(o) => o.size,
        _ => 8,
    }
}

fn value_depth(v: &Value) -> u32 {
    match v {
        Value::Array(a) => a.depth,
        Value::Object(o) => o.depth,
        _ => 0,
    }
}

/// An immutable-once-shared array with its nesting depth and approximate size cached, so that
/// bounds can be checked in O(1) after each function call.
#[derive(Clone, Debug, Default)]
pub struct Array {
    items: Vec<Value>,
    depth: u32,
    size: usize,
}

impl Array {
    /// An array of the given items.
    pub fn from_vec(items: Vec<Value>) -> Array {
        let mut depth = 0;
        let mut size: usize = 8;
        for v in &items {
            depth = depth.max(value_depth(v));
            size = size.saturating_add(scalar_size(v));
        }
        Array {
            items,
            depth: depth + 1,
            size,
        }
    }
    /// The items.
    pub fn as_slice(&self) -> &[Value] {
        &self.items
    }
    /// Nesting depth (an array of scalars has depth 1).
    pub fn depth(&self) -> u32 {
        self.depth
    }
    /// Approximate size in bytes (8 per node plus string bytes), saturating.
    pub fn size(&self) -> usize {
        self.size
    }
    /// The items, taken out.
    pub fn into_vec(self) -> Vec<Value> {
        self.items
    }
}

impl std::ops::Deref for Array {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.items
    }
}

impl From<Vec<Value>> for Array {
    fn from(v: Vec<Value>) -> Self {
        Array::from_vec(v)
    }
}

/// Fold a key for case-insensitive comparison (ordinal ignore-case).
pub fn fold_key(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else if s.is_ascii() {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Case-insensitive (ordinal ignore-case) string equality.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    crate::source::json::names_equal_ignore_case(a, b)
}

/// Objects with more members than this get a hash index for lookups.
const INDEX_THRESHOLD: usize = 12;

/// An object: keys compare case-insensitively, keep their original spelling, and iterate in
/// insertion order. Setting an existing key (in any case) keeps the first spelling and position.
#[derive(Clone, Debug, Default)]
pub struct Object {
    entries: Vec<(Arc<str>, Value)>,
    /// Boxed: most objects are small and never get one, and an inline map nearly doubled their
    /// size.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<Box<str>, usize>>>,
    /// True when two keys differ only in case (possible through [`Object::insert_exact`]).
    ci_duplicates: bool,
    depth: u32,
    size: usize,
}

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object {
            entries: Vec::new(),
            index: None,
            ci_duplicates: false,
            depth: 1,
            size: 8,
        }
    }
    /// An empty object with room for `n` members.
    pub fn with_capacity(n: usize) -> Object {
        Object {
            entries: Vec::with_capacity(n),
            index: None,
            ci_duplicates: false,
            depth: 1,
            size: 8,
        }
    }
    /// Number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Nesting depth (an object of scalars has depth 1).
    pub fn depth(&self) -> u32 {
        self.depth
    }
    /// Approximate size in bytes (8 per node plus string bytes), saturating.
    pub fn size(&self) -> usize {
        self.size
    }
    fn position(&self, key: &str) -> Option<usize> {
        if self.ci_duplicates
            && let Some(i) = self.entries.iter().position(|(k, _)| &**k == key)
        {
            return Some(i);
        }
        if let Some(index) = &self.index {
            return index.get(fold_key(key).as_ref()).copied();
        }
        self.entries
            .iter()
            .position(|(k, _)| eq_ignore_case(k, key))
    }
    /// The value of `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }
    /// The stored spelling of `key` and its value (case-insensitive lookup).
    pub fn get_entry(&self, key: &str) -> Option<(&Arc<str>, &Value)> {
        self.position(key).map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }
    /// True when `key` (case-insensitive) is a member.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }
    /// Set `key` to `value`. An existing key (compared case-insensitively) keeps its spelling
    /// and position and takes the new value; a new key is appended.
    pub fn insert(&mut self, key: impl Into<Arc<str>>, value: Value) {
        let key: Arc<str> = key.into();
        self.depth = self.depth.max(value_depth(&value) + 1);
        self.size = self
            .size
            .saturating_add(8 + key.len())
            .saturating_add(scalar_size(&value));
        if let Some(i) = self.position(&key) {
            self.entries[i].1 = value;
            return;
        }
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(fold_key(&key).into_owned().into_boxed_str(), i);
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_THRESHOLD {
            let mut index = HashMap::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index
                    .entry(fold_key(k).into_owned().into_boxed_str())
                    .or_insert(i);
            }
            self.index = Some(Box::new(index));
        }
    }
    /// Set `key` to `value`, treating keys that differ in case as distinct members (as a JSON
    /// object literal or `createObject` does); only an exactly equal key is replaced in place.
    /// Lookups prefer the exact spelling, then the first case-insensitive match.
    pub fn insert_exact(&mut self, key: impl Into<Arc<str>>, value: Value) {
        let key: Arc<str> = key.into();
        // `position` prefers an exact match when keys differing in case already exist; without
        // such keys, a case-insensitive hit with another spelling means no exact match exists.
        match self.position(&key) {
            Some(i) if self.entries[i].0 == key => {
                self.depth = self.depth.max(value_depth(&value) + 1);
                self.size = self.size.saturating_add(scalar_size(&value));
                self.entries[i].1 = value;
                return;
            }
            Some(_) => self.ci_duplicates = true,
            None => {}
        }
        self.depth = self.depth.max(value_depth(&value) + 1);
        self.size = self
            .size
            .saturating_add(8 + key.len())
            .saturating_add(scalar_size(&value));
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            index
                .entry(fold_key(&key).into_owned().into_boxed_str())
                .or_insert(i);
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_THRESHOLD {
            let mut index = HashMap::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index
                    .entry(fold_key(k).into_owned().into_boxed_str())
                    .or_insert(i);
            }
            self.index = Some(Box::new(index));
        }
    }
    /// Members in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Arc<str>, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
    /// Keys in insertion order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Arc<str>> {
        self.entries.iter().map(|(k, _)| k)
    }
    /// Values in insertion order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl FromIterator<(Arc<str>, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Value)>>(iter: I) -> Self {
        let mut o = Object::new();
        for (k, v) in iter {
            o.insert(k, v);
        }
        o
    }
}

/// Why a value is unknown before deployment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Provenance {
    /// The function whose result is unknown (`reference`, `listKeys`, `utcNow`), if any.
    pub function: Option<Arc<str>>,
    /// The printed text of the call's first argument (`resourceId('Microsoft.Network/virtualNetworks', 'vnet')`).
    pub argument: Option<Arc<str>>,
    /// Where the call is, as a byte range into the expression string.
    pub span: Option<Span>,
    /// A free-form location the caller may fill in (e.g. `azuredeploy.json:120:17`).
    pub origin: Option<Arc<str>>,
    /// A human reason when there is no function (e.g. `parameter 'x' has no value`).
    pub reason: Option<Arc<str>>,
    /// The resource id the unknown value belongs to, when known (`reference(resourceId(...))`).
    pub resource_id: Option<Arc<str>>,
}

impl Provenance {
    /// An unknown produced by a runtime-only function call.
    pub fn function(function: &str, argument: Option<String>, span: Span) -> Provenance {
        Provenance {
            function: Some(function.into()),
            argument: argument.map(Into::into),
            span: Some(span),
            ..Provenance::default()
        }
    }
    /// An unknown with a free-form reason.
    pub fn reason(reason: impl Into<Arc<str>>) -> Provenance {
        Provenance {
            reason: Some(reason.into()),
            ..Provenance::default()
        }
    }
    /// The unknown value of a parameter that has no value.
    pub fn missing_parameter(name: &str) -> Provenance {
        Provenance::reason(format!("parameter '{name}' has no value"))
    }
    /// The same provenance with an origin (e.g. a file location) set.
    pub fn with_origin(mut self, origin: impl Into<Arc<str>>) -> Provenance {
        self.origin = Some(origin.into());
        self
    }
    /// A one-line description, as used in `{"$unknown": ...}`.
    pub fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.function, &self.reason) {
            (Some(func), _) => {
                write!(f, "{func}(")?;
                if let Some(a) = &self.argument {
                    write!(f, "{a}")?;
                }
                write!(f, ")")?;
                if let Some(r) = &self.reason {
                    write!(f, ": {r}")?;
                }
            }
            (None, Some(r)) => write!(f, "{r}")?,
            (None, None) => write!(f, "unknown")?,
        }
        if let Some(id) = &self.resource_id {
            write!(f, " [resource {id}]")?;
        }
        if let Some(s) = &self.span {
            write!(f, " at {s}")?;
        }
        if let Some(o) = &self.origin {
            write!(f, " in {o}")?;
        }
        Ok(())
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }
    /// An array value.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(Array::from_vec(items)))
    }
    /// An object value.
    pub fn object(o: Object) -> Value {
        Value::Object(Arc::new(o))
    }
    /// An unknown value.
    pub fn unknown(p: Provenance) -> Value {
        Value::Unknown(Arc::new(p))
    }
    /// The ARM type name: `null`, `bool`, `int`, `float`, `string`, `array`, `object`, `unknown`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Unknown(_) => "unknown",
        }
    }
    /// True for [`Value::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }
    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The int, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    /// The bool, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The array items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }
    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    /// The provenance, if this is unknown.
    pub fn as_unknown(&self) -> Option<&Arc<Provenance>> {
        match self {
            Value::Unknown(p) => Some(p),
            _ => None,
        }
    }
    /// Nesting depth (scalars 0, `[1]` 1).
    pub fn depth(&self) -> u32 {
        value_depth(self)
    }
    /// Approximate size in bytes (8 per node plus string bytes), saturating; shared subtrees
    /// count once per use, so this bounds the size of the JSON rendering.
    pub fn size(&self) -> usize {
        scalar_size(self)
    }
    /// True when this value or any nested member is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::Array(a) => a.iter().any(Value::contains_unknown),
            Value::Object(o) => o.values().any(Value::contains_unknown),
            _ => false,
        }
    }
    /// The first unknown found in this value (depth-first), if any.
    pub fn first_unknown(&self) -> Option<&Arc<Provenance>> {
        match self {
            Value::Unknown(p) => Some(p),
            Value::Array(a) => a.iter().find_map(Value::first_unknown),
            Value::Object(o) => o.values().find_map(Value::first_unknown),
            _ => None,
        }
    }

    /// Convert to JSON. Unknown values become `{"$unknown": "<provenance text>"}`; non-finite
    /// floats become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.to_string()),
            Value::Array(a) => J::Array(a.iter().map(Value::to_json).collect()),
            Value::Object(o) => J::Object(
                o.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            Value::Unknown(p) => {
                let mut m = serde_json::Map::new();
                m.insert("$unknown".into(), J::String(p.text()));
                J::Object(m)
            }
        }
    }

    /// Compact JSON text with double quotes (what `string(object)` returns).
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, '"');
        out
    }
}

/// Write compact JSON with the given quote character (`"` for `string()`, `'` for `format()`).
pub(crate) fn write_json(v: &Value, out: &mut String, quote: char) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format_float(*f)),
        Value::String(s) => write_json_string(s, out, quote),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, quote);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out, quote);
                out.push(':');
                write_json(item, out, quote);
            }
            out.push('}');
        }
        Value::Unknown(p) => {
            out.push('{');
            write_json_string("$unknown", out, quote);
            out.push(':');
            write_json_string(&p.text(), out, quote);
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String, quote: char) {
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Render a float the way .NET's `double.ToString()` (round-trip "R") does for common values:
/// `1.5`, `0.25`, `3` for an integral float.
pub(crate) fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl From<&serde_json::Value> for Value {
    fn from(j: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            J::String(s) => Value::String(s.as_str().into()),
            J::Array(a) => Value::array(a.iter().map(Value::from).collect()),
            J::Object(m) => {
                let mut o = Object::with_capacity(m.len());
                for (k, v) in m {
                    o.insert_exact(k.as_str(), Value::from(v));
                }
                Value::object(o)
            }
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(j: serde_json::Value) -> Self {
        Value::from(&j)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::array(v)
    }
}
impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::object(o)
    }
}

/// Deep, type-strict, case-sensitive equality as `equals()` does it; `None` when an unknown
/// value makes the answer unknowable. Ints and floats compare numerically; object key order is
/// ignored (keys compare case-insensitively).
pub fn deep_equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Float(x), Value::Float(y)) => Some(x == y),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            Some(*x as f64 == *y)
        }
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Array(x), Value::Array(y)) => {
            if Arc::ptr_eq(x, y) {
                return Some(true);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y.iter()) {
                match deep_equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        (Value::Object(x), Value::Object(y)) => {
            if Arc::ptr_eq(x, y) {
                return Some(true);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (k, v) in x.iter() {
                match y.get(k) {
                    None => return Some(false),
                    Some(w) => match deep_equals(v, w) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    },
                }
            }
            if unknown { None } else { Some(true) }
        }
        _ => Some(false),
    }
}

impl PartialEq for Value {
    /// Structural equality; two unknowns are equal when their provenance is.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Unknown(a), Value::Unknown(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y)
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => deep_equals(self, other) == Some(true),
        }
    }
}

impl fmt::Display for Value {
    /// Compact JSON (double quotes); unknowns as `{"$unknown":"..."}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}
