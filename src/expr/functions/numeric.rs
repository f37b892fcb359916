//! Numeric functions (reference §4.8). Arithmetic is checked 64-bit; overflow is
//! [`ErrorKind::IntegerOverflow`] (ARM's behaviour is unverified).

use super::{Args, Category, FunctionDef, StrOrInt};
use crate::expr::error::{ErrorKind, EvalError};
use crate::expr::eval::Evaluator;
use crate::expr::value::Value;

const C: Category = Category::Numeric;

/// The numeric functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "add", 2, 2, add).ex(&["add(5, 3) --> 8", "add(-5, 3) --> -2"]),
    FunctionDef::eager(C, "sub", 2, 2, sub).ex(&["sub(7, 3) --> 4"]),
    FunctionDef::eager(C, "mul", 2, 2, mul).ex(&["mul(5, 3) --> 15", "mul(-4, 3) --> -12"]),
    FunctionDef::eager(C, "div", 2, 2, div).ex(&[
        "div(8, 3) --> 2",
        "div(6, 11) --> 0",
        "div(-7, 2) --> -3",
    ]),
    FunctionDef::eager(C, "mod", 2, 2, modulo).ex(&[
        "mod(7, 3) --> 1",
        "mod(-7, 3) --> -1",
        "mod(80, -4) --> 0",
    ]),
    FunctionDef::eager(C, "int", 1, 1, int).ex(&[
        "int('4') --> 4",
        "int(' -12 ') --> -12",
        "int(7) --> 7",
    ]),
    FunctionDef::eager(C, "float", 1, 1, float).ex(&["float('3.5') --> 3.5", "float(2) --> 2.0"]),
    FunctionDef::eager(C, "copyIndex", 0, 2, copy_index)
        .class(super::FnClass::Context)
        .ex(&[
            "copyIndex() --> error ARM-EXPR-017",
            "copyIndex('loop', 1) --> error ARM-EXPR-017",
        ]),
];

fn arith(a: &Args<'_>, op: fn(i64, i64) -> Option<i64>, sym: &str) -> Result<Value, EvalError> {
    let x = a.get::<i64>(0)?;
    let y = a.get::<i64>(1)?;
    op(x, y).map(Value::Int).ok_or_else(|| {
        a.error(
            ErrorKind::IntegerOverflow,
            format!("{x} {sym} {y} overflows a 64-bit integer"),
        )
    })
}

fn add(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    arith(a, i64::checked_add, "+")
}
fn sub(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    arith(a, i64::checked_sub, "-")
}
fn mul(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    arith(a, i64::checked_mul, "*")
}
fn div(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if a.get::<i64>(1)? == 0 {
        return Err(a.error(ErrorKind::DivisionByZero, "division by zero"));
    }
    arith(a, i64::checked_div, "/")
}
fn modulo(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if a.get::<i64>(1)? == 0 {
        return Err(a.error(ErrorKind::DivisionByZero, "modulo by zero"));
    }
    // i64::MIN % -1 is 0 mathematically; checked_rem reports overflow, so special-case it.
    arith(
        a,
        |x, y| if y == -1 { Some(0) } else { x.checked_rem(y) },
        "%",
    )
}

fn int(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    match a.value(0) {
        // .NET Convert.ToInt64(double) rounds half to even.
        Value::Float(f) if f.is_finite() && f.abs() < 9.2e18 => {
            return Ok(Value::Int(f.round_ties_even() as i64));
        }
        Value::Float(_) => {
            return Err(a.error(
                ErrorKind::IntegerOverflow,
                "the number does not fit in 64 bits",
            ));
        }
        _ => {}
    }
    match a.get::<StrOrInt>(0)? {
        StrOrInt::Int(i) => Ok(Value::Int(i)),
        StrOrInt::Str(s) => s
            .trim()
            .trim_start_matches('+')
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| a.invalid(0, format!("'{s}' is not an integer"))),
    }
}

fn float(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    match a.value(0) {
        Value::Float(f) => Ok(Value::Float(*f)),
        _ => match a.get::<StrOrInt>(0)? {
            StrOrInt::Int(i) => Ok(Value::Float(i as f64)),
            StrOrInt::Str(s) => s
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| a.invalid(0, format!("'{s}' is not a number"))),
        },
    }
}

fn copy_index(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (name, offset) = match (a.value(0), a.value(1)) {
        (Value::Null, _) if a.is_empty() => (None, 0),
        (Value::Int(o), _) if a.len() == 1 => (None, *o),
        (Value::String(n), _) if a.len() == 1 => (Some(&**n), 0),
        (Value::String(n), Value::Int(o)) => (Some(&**n), *o),
        (Value::String(_), _) => return Err(a.type_error(1, "int")),
        _ => return Err(a.type_error(0, "string or int")),
    };
    let i = ev.env().copy_index(name).map_err(|e| e.at(a.span()))?;
    i.checked_add(offset).map(Value::Int).ok_or_else(|| {
        a.error(
            ErrorKind::IntegerOverflow,
            "copy index plus offset overflows",
        )
    })
}
