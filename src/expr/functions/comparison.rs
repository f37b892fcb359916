//! Comparison functions (reference §4.3).

use std::cmp::Ordering;

use super::{Args, Category, FunctionDef, VARIADIC, eval_arg};
use crate::expr::ast::Call;
use crate::expr::error::{EvalError, Span};
use crate::expr::eval::Evaluator;
use crate::expr::text::culture_cmp;
use crate::expr::value::{Value, deep_equals};

const C: Category = Category::Comparison;

/// The comparison functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::lazy(C, "coalesce", 1, VARIADIC, coalesce).ex(&[
        "coalesce(null(), null(), 'x', 'y') --> \"x\"",
        "coalesce(null(), '') --> \"\"",
        "coalesce(null()) --> null",
        "coalesce(null(), 1, fail('not evaluated')) --> 1",
    ]),
    FunctionDef::eager(C, "equals", 2, 2, equals).ex(&[
        "equals(1, 1) --> true",
        "equals('a', 'A') --> false",
        "equals('1', 1) --> false",
        "equals(createArray(1, 'a'), createArray(1, 'a')) --> true",
        "equals(createObject('a', 1, 'b', 2), createObject('b', 2, 'a', 1)) --> true",
        "equals(null(), null()) --> true",
    ]),
    FunctionDef::eager(C, "greater", 2, 2, greater).ex(&[
        "greater(10, 5) --> true",
        "greater('A', 'a') --> true",
        "greater('a', 'B') --> false",
    ]),
    FunctionDef::eager(C, "greaterOrEquals", 2, 2, greater_or_equals).ex(&[
        "greaterOrEquals(10, 10) --> true",
        "greaterOrEquals('a', 'A') --> false",
    ]),
    FunctionDef::eager(C, "less", 2, 2, less)
        .ex(&["less(5, 10) --> true", "less('a', 'A') --> true"]),
    FunctionDef::eager(C, "lessOrEquals", 2, 2, less_or_equals).ex(&[
        "lessOrEquals(10, 10) --> true",
        "lessOrEquals('b', 'A') --> false",
    ]),
];

fn coalesce(ev: &mut Evaluator<'_>, c: &Call, _: Span) -> Result<Value, EvalError> {
    for i in 0..c.args.len() {
        let v = eval_arg(ev, c, i)?;
        if !v.is_null() {
            return Ok(v);
        }
    }
    Ok(Value::Null)
}

fn equals(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(match deep_equals(a.value(0), a.value(1)) {
        Some(b) => Value::Bool(b),
        None => a
            .values()
            .iter()
            .find_map(Value::first_unknown)
            .map_or(Value::Null, |p| Value::Unknown(p.clone())),
    })
}

/// Order two values as `less`/`greater` do: ints numerically, strings culture-aware.
pub(crate) fn compare(a: &Args<'_>, x: &Value, y: &Value) -> Result<Ordering, EvalError> {
    match (x, y) {
        (Value::Int(p), Value::Int(q)) => Ok(p.cmp(q)),
        (Value::String(p), Value::String(q)) => Ok(culture_cmp(p, q)),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let f = |v: &Value| match v {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                _ => 0.0,
            };
            Ok(f(x).partial_cmp(&f(y)).unwrap_or(Ordering::Equal))
        }
        (Value::Int(_) | Value::String(_), _) => Err(a.type_error(1, x.type_name())),
        _ => Err(a.type_error(0, "int or string")),
    }
}

fn greater(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(
        compare(a, a.value(0), a.value(1))? == Ordering::Greater,
    ))
}
fn greater_or_equals(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(
        compare(a, a.value(0), a.value(1))? != Ordering::Less,
    ))
}
fn less(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(
        compare(a, a.value(0), a.value(1))? == Ordering::Less,
    ))
}
fn less_or_equals(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(
        compare(a, a.value(0), a.value(1))? != Ordering::Greater,
    ))
}
