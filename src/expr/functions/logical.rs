//! Logical functions (reference §4.7).

use super::{Args, Category, FunctionDef, VARIADIC, eval_arg};
use crate::expr::ast::Call;
use crate::expr::error::{ErrorKind, EvalError, Span};
use crate::expr::eval::Evaluator;
use crate::expr::value::Value;

const C: Category = Category::Logical;

/// The logical functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::lazy(C, "and", 2, VARIADIC, and).ex(&[
        "and(true(), true()) --> true",
        "and(true(), false(), true()) --> false",
        "and(false(), fail('not evaluated')) --> false",
    ]),
    FunctionDef::lazy(C, "or", 2, VARIADIC, or).ex(&[
        "or(false(), true()) --> true",
        "or(false(), false()) --> false",
        "or(true(), fail('not evaluated')) --> true",
    ]),
    FunctionDef::eager(C, "not", 1, 1, not)
        .ex(&["not(false()) --> true", "not(equals(1, 2)) --> true"]),
    FunctionDef::eager(C, "bool", 1, 1, to_bool).ex(&[
        "bool('true') --> true",
        "bool('FALSE') --> false",
        "bool(1) --> true",
        "bool(0) --> false",
        "bool(true()) --> true",
    ]),
    FunctionDef::eager(C, "true", 0, 0, |_, _| Ok(Value::Bool(true))).ex(&["true() --> true"]),
    FunctionDef::eager(C, "false", 0, 0, |_, _| Ok(Value::Bool(false))).ex(&["false() --> false"]),
    FunctionDef::lazy(C, "if", 3, 3, if_).ex(&[
        "if(true(), 'a', 'b') --> \"a\"",
        "if(equals(1, 2), 'a', 'b') --> \"b\"",
        "if(false(), fail('not evaluated'), 1) --> 1",
    ]),
];

fn junction(
    ev: &mut Evaluator<'_>,
    c: &Call,
    span: Span,
    decisive: bool,
) -> Result<Value, EvalError> {
    let mut unknown = None;
    for (i, arg) in c.args.iter().enumerate() {
        match eval_arg(ev, c, i)? {
            Value::Bool(b) if b == decisive => return Ok(Value::Bool(decisive)),
            Value::Bool(_) => {}
            u @ Value::Unknown(_) => {
                unknown.get_or_insert(u);
            }
            other => {
                return Err(EvalError::new(
                    ErrorKind::ArgumentType,
                    format!(
                        "argument {} of '{}' must be of type bool, not {}",
                        i + 1,
                        c.name,
                        other.type_name()
                    ),
                    if arg.span == Span::default() {
                        span
                    } else {
                        arg.span
                    },
                ));
            }
        }
    }
    Ok(unknown.unwrap_or(Value::Bool(!decisive)))
}

fn and(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    junction(ev, c, span, false)
}

fn or(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    junction(ev, c, span, true)
}

fn not(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(!a.get::<bool>(0)?))
}

fn to_bool(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(match a.value(0) {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::String(s) if s.eq_ignore_ascii_case("true") => true,
        Value::String(s) if s.eq_ignore_ascii_case("false") => false,
        Value::String(s) => return Err(a.invalid(0, format!("'{s}' is not 'true' or 'false'"))),
        _ => return Err(a.type_error(0, "bool, string or int")),
    }))
}

fn if_(ev: &mut Evaluator<'_>, c: &Call, _: Span) -> Result<Value, EvalError> {
    match eval_arg(ev, c, 0)? {
        Value::Bool(true) => eval_arg(ev, c, 1),
        Value::Bool(false) => eval_arg(ev, c, 2),
        u @ Value::Unknown(_) => Ok(u),
        other => Err(EvalError::new(
            ErrorKind::ArgumentType,
            format!(
                "the condition of 'if' must be of type bool, not {}",
                other.type_name()
            ),
            c.args[0].span,
        )),
    }
}
