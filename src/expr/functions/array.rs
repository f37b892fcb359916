//! Array and collection functions (reference §4.1).

use std::collections::HashSet;
use std::sync::Arc;

use super::{
    Args, Category, Collection, FunctionDef, StrOrArray, VARIADIC, ensure_size, render_text,
    utf16_len,
};
use crate::expr::MAX_RANGE_COUNT;
use crate::expr::error::{ErrorKind, EvalError, Span};
use crate::expr::eval::Evaluator;
use crate::expr::value::{Object, Value, deep_equals};

const C: Category = Category::Array;

/// The array functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "array", 1, 1, array).ex(&[
        "array(1) --> [1]",
        "array('efgh') --> [\"efgh\"]",
        "array(createArray(1, 2)) --> [1,2]",
        "array(createObject('a', 'b')) --> [{\"a\":\"b\"}]",
    ]),
    FunctionDef::eager(C, "concat", 1, VARIADIC, concat).ex(&[
        "concat('a', 'b', 1, true()) --> \"ab1True\"",
        "concat(createArray(1, 2), createArray(2)) --> [1,2,2]",
        "concat(createArray()) --> []",
    ]),
    FunctionDef::eager(C, "contains", 2, 2, contains).ex(&[
        "contains('OneTwoThree', 'e') --> true",
        "contains('OneTwoThree', 'z') --> false",
        "contains('abc', 'B') --> false",
        "contains(createObject('one', 'a'), 'ONE') --> true",
        "contains(createArray('one', 'two'), 'two') --> true",
        "contains(createArray('FOO'), 'foo') --> false",
        "contains(createArray('1'), 1) --> false",
    ]),
    FunctionDef::eager(C, "createArray", 0, VARIADIC, create_array).unknown_aware().ex(&[
        "createArray(1, 'a', createArray()) --> [1,\"a\",[]]",
        "createArray() --> []",
    ]),
    FunctionDef::eager(C, "distinct", 1, 1, distinct).ex(&[
        "distinct(createArray(1, 2, 1, '1', createArray(1), createArray(1))) --> [1,2,\"1\",[1]]",
    ]),
    FunctionDef::eager(C, "empty", 1, 1, empty).ex(&[
        "empty('') --> true",
        "empty(null()) --> true",
        "empty(createArray()) --> true",
        "empty(createObject()) --> true",
        "empty(' ') --> false",
        "empty(createArray(null())) --> false",
    ]),
    FunctionDef::eager(C, "first", 1, 1, first).ex(&[
        "first(createArray('one', 'two')) --> \"one\"",
        "first('One Two') --> \"O\"",
        "first(createArray()) --> null",
        "first('') --> \"\"",
    ]),
    FunctionDef::eager(C, "flatten", 1, 1, flatten).ex(&[
        "flatten(createArray(createArray(1, 2), createArray(3, createArray(4)))) --> [1,2,3,[4]]",
        "flatten(createArray()) --> []",
    ]),
    FunctionDef::eager(C, "indexFromEnd", 2, 2, index_from_end).ex(&[
        "indexFromEnd(createArray('a', 'b', 'c'), 1) --> \"c\"",
        "indexFromEnd(createArray('a', 'b', 'c'), 3) --> \"a\"",
    ]),
    FunctionDef::eager(C, "indexOf", 2, 2, index_of).ex(&[
        "indexOf('test', 't') --> 0",
        "indexOf('abcdef', 'CD') --> 2",
        "indexOf('abcdef', 'z') --> -1",
        "indexOf(createArray('a', 'b', 'b'), 'b') --> 1",
        "indexOf(createArray(1, 2), '2') --> -1",
        "indexOf('\u{1F600}x', 'x') --> 2",
    ]),
    FunctionDef::eager(C, "intersection", 2, VARIADIC, intersection).ex(&[
        "intersection(createArray('one', 'two', 'three'), createArray('two', 'three')) --> [\"two\",\"three\"]",
        "intersection(createObject('one', 'a', 'two', 'b'), createObject('one', 'a', 'two', 'z')) --> {\"one\":\"a\"}",
    ]),
    FunctionDef::eager(C, "last", 1, 1, last).ex(&[
        "last(createArray('one', 'two')) --> \"two\"",
        "last('One Two') --> \"o\"",
        "last(createArray()) --> null",
    ]),
    FunctionDef::eager(C, "lastIndexOf", 2, 2, last_index_of).ex(&[
        "lastIndexOf('test', 't') --> 3",
        "lastIndexOf('abcABC', 'b') --> 4",
        "lastIndexOf(createArray('a', 'b', 'b'), 'b') --> 2",
        "lastIndexOf('abc', '') --> 2",
    ]),
    FunctionDef::eager(C, "length", 1, 1, length).ex(&[
        "length('One Two') --> 7",
        "length(createArray(1, 2, 3)) --> 3",
        "length(createObject('a', 1)) --> 1",
        "length('\u{1F600}') --> 2",
        "length('é') --> 1",
    ]),
    FunctionDef::eager(C, "max", 1, VARIADIC, max).ex(&[
        "max(createArray(0, 3, 2, 5, 4)) --> 5",
        "max(0, 3, 2, 5, 4) --> 5",
    ]),
    FunctionDef::eager(C, "min", 1, VARIADIC, min).ex(&[
        "min(createArray(0, 3, 2, 5, 4)) --> 0",
        "min(0, 3, 2, -5, 4) --> -5",
    ]),
    FunctionDef::eager(C, "range", 2, 2, range).ex(&[
        "range(1, 3) --> [1,2,3]",
        "range(5, 0) --> []",
        "range(-2, 3) --> [-2,-1,0]",
    ]),
    FunctionDef::eager(C, "skip", 2, 2, skip).ex(&[
        "skip(createArray('one', 'two', 'three'), 2) --> [\"three\"]",
        "skip('one two three', 4) --> \"two three\"",
        "skip('abc', -1) --> \"abc\"",
        "skip('abc', 10) --> \"\"",
    ]),
    FunctionDef::eager(C, "take", 2, 2, take).ex(&[
        "take(createArray('one', 'two', 'three'), 2) --> [\"one\",\"two\"]",
        "take('one two three', 2) --> \"on\"",
        "take('abc', -1) --> \"\"",
        "take('abc', 10) --> \"abc\"",
    ]),
    FunctionDef::eager(C, "tryGet", 2, VARIADIC, try_get).ex(&[
        "tryGet(createObject('a', createObject('b', 1)), 'A', 'b') --> 1",
        "tryGet(createObject('a', 1), 'b') --> null",
        "tryGet(createArray(1, 2), 1) --> 2",
        "tryGet(createArray(1, 2), 5) --> null",
        "tryGet(createObject('a', 1), 'a', 'b') --> null",
    ]),
    FunctionDef::eager(C, "tryIndexFromEnd", 2, 2, try_index_from_end).ex(&[
        "tryIndexFromEnd(createArray('a', 'b'), 1) --> \"b\"",
        "tryIndexFromEnd(createArray('a', 'b'), 3) --> null",
    ]),
    FunctionDef::eager(C, "union", 2, VARIADIC, union).ex(&[
        "union(createArray(1, 2, 3), createArray(3, 4)) --> [1,2,3,4]",
        "union(createObject('a', 1, 'b', 2), createObject('b', 3, 'c', 4)) --> {\"a\":1,\"b\":3,\"c\":4}",
        "union(createObject('o', createObject('x', 1, 'y', 2)), createObject('o', createObject('y', 3))) --> {\"o\":{\"x\":1,\"y\":3}}",
        "union(createObject('n', createArray(1, 2)), createObject('n', createArray(3, 4))) --> {\"n\":[3,4]}",
    ]),
];

fn array(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(match a.value(0) {
        Value::Array(_) => a.value(0).clone(),
        v => Value::array(vec![v.clone()]),
    })
}

fn concat(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let all_arrays = a
        .values()
        .iter()
        .all(|v| matches!(v, Value::Array(_) | Value::Null));
    if all_arrays && a.values().iter().any(|v| matches!(v, Value::Array(_))) {
        let total: usize = a
            .values()
            .iter()
            .map(Value::size)
            .fold(0, usize::saturating_add);
        ensure_size(total, a.span())?;
        let mut out = Vec::new();
        for v in a.values() {
            if let Value::Array(x) = v {
                out.extend(x.iter().cloned());
            }
        }
        return Ok(Value::array(out));
    }
    let mut out = String::new();
    for (i, v) in a.values().iter().enumerate() {
        match v {
            Value::String(_) | Value::Int(_) | Value::Bool(_) | Value::Null | Value::Float(_) => {
                let t = render_text(v, '"');
                ensure_size(out.len() + t.len(), a.span())?;
                out.push_str(&t);
            }
            _ => return Err(a.type_error(i, "string, int or bool (or all arrays)")),
        }
    }
    Ok(Value::string(out))
}

/// `Some(true)` if found, `Some(false)` if not, `None` when unknown members leave it open.
pub(crate) fn array_contains(items: &[Value], needle: &Value) -> Option<bool> {
    let mut unknown = false;
    for v in items {
        match deep_equals(v, needle) {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown { None } else { Some(false) }
}

/// A hashable key for scalar values, consistent with [`deep_equals`] (integral floats equal ints).
#[derive(PartialEq, Eq, Hash)]
enum ScalarKey {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Arc<str>),
}

fn scalar_key(v: &Value) -> Option<ScalarKey> {
    Some(match v {
        Value::Null => ScalarKey::Null,
        Value::Bool(b) => ScalarKey::Bool(*b),
        Value::Int(i) => ScalarKey::Int(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => ScalarKey::Int(*f as i64),
        Value::Float(f) => ScalarKey::Float(f.to_bits()),
        Value::String(s) => ScalarKey::Str(s.clone()),
        _ => return None,
    })
}

/// A set of values under deep equality: scalars hash, arrays and objects compare linearly.
#[derive(Default)]
pub(crate) struct Dedup {
    scalars: HashSet<ScalarKey>,
    complex: Vec<Value>,
}

impl Dedup {
    /// `Some(true)` when `v` was not yet present (and is now), `Some(false)` when it was, `None`
    /// when unknown members make it undecidable.
    pub(crate) fn insert(
        &mut self,
        v: &Value,
        ev: &mut Evaluator<'_>,
        span: Span,
    ) -> Result<Option<bool>, EvalError> {
        if let Some(k) = scalar_key(v) {
            return Ok(Some(self.scalars.insert(k)));
        }
        if v.is_unknown() {
            return Ok(None);
        }
        ev.charge(self.complex.len() as u64 + 1, span)?;
        Ok(match array_contains(&self.complex, v) {
            Some(true) => Some(false),
            Some(false) => {
                self.complex.push(v.clone());
                Some(true)
            }
            None => None,
        })
    }
    /// Whether `v` is present (`None` when undecidable).
    pub(crate) fn contains(
        &self,
        v: &Value,
        ev: &mut Evaluator<'_>,
        span: Span,
    ) -> Result<Option<bool>, EvalError> {
        if let Some(k) = scalar_key(v) {
            return Ok(Some(self.scalars.contains(&k)));
        }
        if v.is_unknown() {
            return Ok(None);
        }
        ev.charge(self.complex.len() as u64 + 1, span)?;
        Ok(array_contains(&self.complex, v))
    }
}

fn unknown_in(items: &[Value], needle: &Value) -> Value {
    items
        .iter()
        .chain(std::iter::once(needle))
        .find_map(Value::first_unknown)
        .map_or(Value::Null, |p| Value::Unknown(p.clone()))
}

fn contains(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(match a.get::<Collection>(0)? {
        Collection::Str(s) => {
            let needle = match a.value(1) {
                Value::String(n) => n.to_string(),
                Value::Int(_) | Value::Bool(_) => render_text(a.value(1), '"'),
                _ => return Err(a.type_error(1, "string")),
            };
            Value::Bool(s.contains(needle.as_str()))
        }
        Collection::Object(o) => Value::Bool(o.contains_key(a.get::<&str>(1)?)),
        Collection::Array(items) => {
            ev.charge(items.len() as u64, a.span())?;
            match array_contains(items, a.value(1)) {
                Some(b) => Value::Bool(b),
                None => unknown_in(items, a.value(1)),
            }
        }
    })
}

fn create_array(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::array(a.values().to_vec()))
}

fn distinct(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let items = a.get::<&[Value]>(0)?;
    let mut seen = Dedup::default();
    let mut out: Vec<Value> = Vec::new();
    for v in items {
        match seen.insert(v, ev, a.span())? {
            Some(true) => out.push(v.clone()),
            Some(false) => {}
            None => return Ok(unknown_in(items, v)),
        }
    }
    Ok(Value::array(out))
}

fn empty(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(match a.value(0) {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(x) => x.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => return Err(a.type_error(0, "string, array, object or null")),
    }))
}

fn first(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(match a.get::<StrOrArray>(0)? {
        StrOrArray::Array(items) => items.first().cloned().unwrap_or(Value::Null),
        StrOrArray::Str(s) => Value::string(first_unit(s)),
    })
}

/// The first UTF-16 unit of `s` as a string (a whole character; a surrogate pair stays whole).
fn first_unit(s: &str) -> String {
    s.chars().next().map(String::from).unwrap_or_default()
}

fn last(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(match a.get::<StrOrArray>(0)? {
        StrOrArray::Array(items) => items.last().cloned().unwrap_or(Value::Null),
        StrOrArray::Str(s) => Value::string(s.chars().last().map(String::from).unwrap_or_default()),
    })
}

fn flatten(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let items = a.get::<&[Value]>(0)?;
    let mut out = Vec::new();
    for v in items {
        match v {
            Value::Array(x) => out.extend(x.iter().cloned()),
            Value::Unknown(_) => return Ok(v.clone()),
            Value::Null => {}
            _ => {
                return Err(a.invalid(
                    0,
                    format!("every element must be an array, found {}", v.type_name()),
                ));
            }
        }
    }
    Ok(Value::array(out))
}

fn from_end(a: &Args<'_>) -> Result<Option<Value>, EvalError> {
    let items = a.get::<&[Value]>(0)?;
    let n = a.get::<i64>(1)?;
    Ok(usize::try_from(n)
        .ok()
        .filter(|n| *n >= 1 && *n <= items.len())
        .map(|n| items[items.len() - n].clone()))
}

fn index_from_end(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    from_end(a)?.ok_or_else(|| {
        a.error(
            ErrorKind::IndexOutOfRange,
            format!("index {} from the end is outside the array", a.value(1)),
        )
    })
}

fn try_index_from_end(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(from_end(a)?.unwrap_or(Value::Null))
}

/// Case-insensitive substring search returning the UTF-16 index.
fn find_ci(hay: &str, needle: &str, last: bool) -> i64 {
    let h: Vec<char> = hay.chars().collect();
    let n: Vec<char> = needle.chars().collect();
    let eq = |x: char, y: char| x == y || x.to_lowercase().eq(y.to_lowercase());
    if n.is_empty() {
        return if last {
            (utf16_len(hay) as i64 - 1).max(0)
        } else {
            0
        };
    }
    if n.len() > h.len() {
        return -1;
    }
    let positions: Box<dyn Iterator<Item = usize>> = if last {
        Box::new((0..=h.len() - n.len()).rev())
    } else {
        Box::new(0..=h.len() - n.len())
    };
    for p in positions {
        if h[p..p + n.len()].iter().zip(&n).all(|(x, y)| eq(*x, *y)) {
            return h[..p].iter().map(|c| c.len_utf16() as i64).sum();
        }
    }
    -1
}

fn index_of_impl(ev: &mut Evaluator<'_>, a: &Args<'_>, last: bool) -> Result<Value, EvalError> {
    Ok(match a.get::<StrOrArray>(0)? {
        StrOrArray::Str(s) => Value::Int(find_ci(s, a.get::<&str>(1)?, last)),
        StrOrArray::Array(items) => {
            ev.charge(items.len() as u64, a.span())?;
            let needle = a.value(1);
            let mut unknown = false;
            let mut found = -1i64;
            let iter: Box<dyn Iterator<Item = (usize, &Value)>> = if last {
                Box::new(items.iter().enumerate().rev())
            } else {
                Box::new(items.iter().enumerate())
            };
            for (i, v) in iter {
                match deep_equals(v, needle) {
                    Some(true) => {
                        found = i as i64;
                        break;
                    }
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown && found < 0 {
                unknown_in(items, needle)
            } else {
                Value::Int(found)
            }
        }
    })
}

fn index_of(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    index_of_impl(ev, a, false)
}

fn last_index_of(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    index_of_impl(ev, a, true)
}

fn intersection(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    match a.value(0) {
        Value::Array(first) => {
            let mut others = Vec::with_capacity(a.len() - 1);
            for i in 1..a.len() {
                let mut set = Dedup::default();
                for v in a.get::<&[Value]>(i)? {
                    if set.insert(v, ev, a.span())?.is_none() {
                        return Ok(unknown_in(first, v));
                    }
                }
                others.push(set);
            }
            let mut out: Vec<Value> = Vec::new();
            let mut seen = Dedup::default();
            for v in first.iter() {
                let mut in_all = true;
                for set in &others {
                    match set.contains(v, ev, a.span())? {
                        Some(true) => {}
                        Some(false) => {
                            in_all = false;
                            break;
                        }
                        None => return Ok(unknown_in(first, v)),
                    }
                }
                // Duplicates of the first array appear once (unverified).
                if in_all && seen.insert(v, ev, a.span())? == Some(true) {
                    out.push(v.clone());
                }
            }
            Ok(Value::array(out))
        }
        Value::Object(first) => {
            for i in 1..a.len() {
                a.get::<&Object>(i)?;
            }
            let mut out = Object::new();
            for (k, v) in first.iter() {
                let mut in_all = true;
                for other in &a.values()[1..] {
                    let o = other.as_object().expect("invariant: checked above");
                    match o.get(k).map(|w| deep_equals(v, w)) {
                        Some(Some(true)) => {}
                        Some(None) => {
                            return Ok(v
                                .first_unknown()
                                .map_or(Value::Null, |p| Value::Unknown(p.clone())));
                        }
                        _ => {
                            in_all = false;
                            break;
                        }
                    }
                }
                if in_all {
                    out.insert(k.clone(), v.clone());
                }
            }
            Ok(Value::object(out))
        }
        _ => Err(a.type_error(0, "array or object")),
    }
}

fn length(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Int(match a.get::<Collection>(0)? {
        Collection::Str(s) => utf16_len(s) as i64,
        Collection::Array(x) => x.len() as i64,
        Collection::Object(o) => o.len() as i64,
    }))
}

fn ints(a: &Args<'_>) -> Result<Vec<i64>, EvalError> {
    if a.len() == 1
        && let Value::Array(items) = a.value(0)
    {
        return items
            .iter()
            .map(|v| {
                v.as_int().ok_or_else(|| {
                    a.invalid(
                        0,
                        format!("array elements must be ints, found {}", v.type_name()),
                    )
                })
            })
            .collect();
    }
    (0..a.len()).map(|i| a.get::<i64>(i)).collect()
}

fn max(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if let Some(u) = a
        .value(0)
        .as_array()
        .and_then(|x| x.iter().find(|v| v.is_unknown()))
    {
        return Ok(u.clone());
    }
    ints(a)?
        .into_iter()
        .max()
        .map(Value::Int)
        .ok_or_else(|| a.invalid(0, "the array is empty"))
}

fn min(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if let Some(u) = a
        .value(0)
        .as_array()
        .and_then(|x| x.iter().find(|v| v.is_unknown()))
    {
        return Ok(u.clone());
    }
    ints(a)?
        .into_iter()
        .min()
        .map(Value::Int)
        .ok_or_else(|| a.invalid(0, "the array is empty"))
}

fn range(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let start = a.get::<i64>(0)?;
    let count = a.get::<i64>(1)?;
    if !(0..=MAX_RANGE_COUNT).contains(&count) {
        return Err(a.invalid(
            1,
            format!("the count must be between 0 and {MAX_RANGE_COUNT}, not {count}"),
        ));
    }
    if start
        .checked_add(count)
        .is_none_or(|end| end > i64::from(i32::MAX))
    {
        return Err(a.invalid(0, "the sum of start and count must be at most 2147483647"));
    }
    Ok(Value::array(
        (start..start + count).map(Value::Int).collect(),
    ))
}

fn skip(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let n = a.get::<i64>(1)?.max(0) as usize;
    Ok(match a.get::<StrOrArray>(0)? {
        StrOrArray::Array(items) => Value::array(items.get(n..).unwrap_or(&[]).to_vec()),
        StrOrArray::Str(s) => Value::string(&s[super::utf16_to_byte(s, n)..]),
    })
}

fn take(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let n = a.get::<i64>(1)?.max(0) as usize;
    Ok(match a.get::<StrOrArray>(0)? {
        StrOrArray::Array(items) => Value::array(items[..n.min(items.len())].to_vec()),
        StrOrArray::Str(s) => Value::string(&s[..super::utf16_to_byte(s, n)]),
    })
}

fn try_get(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let mut cur = a.value(0).clone();
    for i in 1..a.len() {
        cur = match (&cur, a.value(i)) {
            (Value::Object(o), Value::String(k)) => match o.get(k) {
                Some(v) => v.clone(),
                None => return Ok(Value::Null),
            },
            (Value::Array(x), Value::Int(n)) => {
                match usize::try_from(*n).ok().and_then(|n| x.get(n)) {
                    Some(v) => v.clone(),
                    None => return Ok(Value::Null),
                }
            }
            (Value::Unknown(_), _) => return Ok(cur),
            (Value::Null, _) => return Ok(Value::Null),
            (Value::Object(_) | Value::Array(_), _) => {
                return Err(a.type_error(i, "string key or int index"));
            }
            _ => return Ok(Value::Null),
        };
    }
    Ok(cur)
}

fn merge_objects(target: &mut Object, src: &Object) {
    for (k, v) in src.iter() {
        let merged = match (target.get(k), v) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                let mut m = (**old).clone();
                merge_objects(&mut m, new);
                Value::object(m)
            }
            _ => v.clone(),
        };
        target.insert(k.clone(), merged);
    }
}

fn union(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    match a.value(0) {
        Value::Array(_) | Value::Null
            if a.values().iter().any(|v| matches!(v, Value::Array(_))) =>
        {
            let mut out: Vec<Value> = Vec::new();
            let mut seen = Dedup::default();
            for (i, v) in a.values().iter().enumerate() {
                let items = match v {
                    Value::Null => continue,
                    _ => a.get::<&[Value]>(i)?,
                };
                for item in items {
                    match seen.insert(item, ev, a.span())? {
                        Some(true) => out.push(item.clone()),
                        Some(false) => {}
                        None => return Ok(unknown_in(&out, item)),
                    }
                }
            }
            Ok(Value::array(out))
        }
        _ => {
            // Objects: later values win; nested objects merge recursively; arrays are replaced.
            // Keys merge case-insensitively (as shallowMerge does; unverified for union).
            let mut out = Object::new();
            for (i, v) in a.values().iter().enumerate() {
                if v.is_null() {
                    continue;
                }
                let o = a.get::<&Object>(i)?;
                ev.charge(o.len() as u64, a.span())?;
                merge_objects(&mut out, o);
            }
            Ok(Value::object(out))
        }
    }
}
