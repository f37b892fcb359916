//! Lambda functions (reference §4.6). A `lambda('x', ['y',] body)` is only valid directly as
//! an argument of these functions; its parameters are read with `lambdaVariables('x')`.

use std::sync::Arc;

use super::{Args, Category, FunctionDef, eval_arg};
use crate::expr::ast::{Call, Expr, ExprKind};
use crate::expr::error::{ErrorKind, EvalError, Span};
use crate::expr::eval::Evaluator;
use crate::expr::value::{Object, Value};

const C: Category = Category::Lambda;

/// The lambda functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::lazy(C, "filter", 2, 2, filter).ex(&[
        "filter(createArray(1, 2, 3, 4), lambda('x', greater(lambdaVariables('x'), 2))) --> [3,4]",
        "filter(createArray('a', 'b', 'c'), lambda('x', 'i', not(equals(lambdaVariables('i'), 1)))) --> [\"a\",\"c\"]",
    ]),
    FunctionDef::lazy(C, "groupBy", 2, 3, group_by).ex(&[
        "groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1))) --> {\"f\":[\"foo\"],\"b\":[\"bar\",\"baz\"]}",
        "groupBy(createArray('ab', 'ac'), lambda('x', first(lambdaVariables('x'))), lambda('x', last(lambdaVariables('x')))) --> {\"a\":[\"b\",\"c\"]}",
    ]),
    FunctionDef::lazy(C, "map", 2, 2, map).ex(&[
        "map(range(0, 3), lambda('i', mul(lambdaVariables('i'), 2))) --> [0,2,4]",
        "map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i'))))) --> [\"a0\",\"b1\"]",
        "map(createArray(createArray(1, 2), createArray(3)), lambda('a', filter(lambdaVariables('a'), lambda('b', greater(lambdaVariables('b'), 1))))) --> [[2],[3]]",
    ]),
    FunctionDef::lazy(C, "mapValues", 2, 2, map_values).ex(&[
        "mapValues(createObject('a', 1, 'b', 2), lambda('v', add(lambdaVariables('v'), 10))) --> {\"a\":11,\"b\":12}",
    ]),
    FunctionDef::lazy(C, "reduce", 3, 3, reduce).ex(&[
        "reduce(createArray(1, 2, 3), 0, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x')))) --> 6",
        "reduce(createArray(), 5, lambda('acc', 'x', 0)) --> 5",
        "reduce(createArray(10, 20), 0, lambda('acc', 'x', 'i', add(lambdaVariables('acc'), lambdaVariables('i')))) --> 1",
    ]),
    FunctionDef::lazy(C, "sort", 2, 2, sort).ex(&[
        "sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b')))) --> [1,2,3]",
        "sort(createArray('b', 'A', 'a'), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b')))) --> [\"a\",\"A\",\"b\"]",
    ]),
    FunctionDef::lazy(C, "toObject", 2, 3, to_object).ex(&[
        "toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x'))) --> {\"a\":\"a\",\"b\":\"b\"}",
        "toObject(createArray(createObject('n', 'x', 'v', 1)), lambda('e', lambdaVariables('e').n), lambda('e', lambdaVariables('e').v)) --> {\"x\":1}",
    ]),
    FunctionDef::lazy(C, "lambda", 1, super::VARIADIC, lambda_outside).ex(&[
        "map(createArray(1, 2), lambda('x', 'i', lambdaVariables('i'))) --> [0,1]",
        "lambda('x', 1) --> error ARM-EXPR-018",
    ]),
    FunctionDef::eager(C, "lambdaVariables", 1, 1, lambda_variables).unknown_aware().ex(&[
        "map(createArray(1), lambda('x', lambdaVariables('X'))) --> [1]",
        "lambdaVariables('x') --> error ARM-EXPR-018",
    ]),
];

/// A lambda argument: parameter names and body.
struct Lambda<'e> {
    params: Vec<Arc<str>>,
    body: &'e Expr,
}

fn lambda_arg<'e>(
    ev: &mut Evaluator<'_>,
    c: &'e Call,
    i: usize,
    arities: &[usize],
) -> Result<Lambda<'e>, EvalError> {
    let arg = &c.args[i];
    let ExprKind::Call(l) = &arg.kind else {
        return Err(EvalError::new(
            ErrorKind::Lambda,
            format!("argument {} of '{}' must be a lambda(...)", i + 1, c.name),
            arg.span,
        ));
    };
    if l.namespace.is_some() || &*l.key != "lambda" || l.args.is_empty() {
        return Err(EvalError::new(
            ErrorKind::Lambda,
            format!("argument {} of '{}' must be a lambda(...)", i + 1, c.name),
            arg.span,
        ));
    }
    let n = l.args.len() - 1;
    if !arities.contains(&n) {
        return Err(EvalError::new(
            ErrorKind::Lambda,
            format!(
                "the lambda in argument {} of '{}' takes {n} parameter(s); expected {}",
                i + 1,
                c.name,
                arities
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            arg.span,
        ));
    }
    let mut params = Vec::with_capacity(n);
    for p in &l.args[..n] {
        match ev.eval(p)? {
            Value::String(s) => params.push(s),
            other => {
                return Err(EvalError::new(
                    ErrorKind::Lambda,
                    format!(
                        "lambda parameter names must be strings, not {}",
                        other.type_name()
                    ),
                    p.span,
                ));
            }
        }
    }
    Ok(Lambda {
        params,
        body: &l.args[n],
    })
}

impl Lambda<'_> {
    fn call(&self, ev: &mut Evaluator<'_>, args: &[Value], span: Span) -> Result<Value, EvalError> {
        ev.charge(1, span)?;
        let vars = self.params.iter().cloned().zip(args.iter().cloned());
        let body = self.body;
        ev.with_lambda_vars(vars, |ev| ev.eval(body))
    }
}

fn array_arg(
    ev: &mut Evaluator<'_>,
    c: &Call,
    i: usize,
) -> Result<Result<Arc<crate::expr::value::Array>, Value>, EvalError> {
    match eval_arg(ev, c, i)? {
        Value::Array(a) => Ok(Ok(a)),
        u @ Value::Unknown(_) => Ok(Err(u)),
        other => Err(EvalError::new(
            ErrorKind::ArgumentType,
            format!(
                "argument {} of '{}' must be of type array, not {}",
                i + 1,
                c.name,
                other.type_name()
            ),
            c.args[i].span,
        )),
    }
}

macro_rules! array_or_return {
    ($ev:expr, $c:expr, $i:expr) => {
        match array_arg($ev, $c, $i)? {
            Ok(a) => a,
            Err(u) => return Ok(u),
        }
    };
}

fn filter(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    let items = array_or_return!(ev, c, 0);
    let f = lambda_arg(ev, c, 1, &[1, 2])?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match f.call(ev, &[item.clone(), Value::Int(i as i64)], span)? {
            Value::Bool(true) => out.push(item.clone()),
            Value::Bool(false) => {}
            u @ Value::Unknown(_) => return Ok(u),
            other => return Err(bool_error(c, other, span)),
        }
    }
    Ok(Value::array(out))
}

fn bool_error(c: &Call, v: Value, span: Span) -> EvalError {
    EvalError::new(
        ErrorKind::ArgumentType,
        format!(
            "the lambda of '{}' must return a bool, not {}",
            c.name,
            v.type_name()
        ),
        span,
    )
}

fn map(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    let items = array_or_return!(ev, c, 0);
    let f = lambda_arg(ev, c, 1, &[1, 2])?;
    let mut out = Vec::with_capacity(items.len());
    let mut size = 0usize;
    for (i, item) in items.iter().enumerate() {
        let v = f.call(ev, &[item.clone(), Value::Int(i as i64)], span)?;
        size = size.saturating_add(v.size());
        super::ensure_size(size, span)?;
        out.push(v);
    }
    Ok(Value::array(out))
}

fn map_values(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    let obj = match eval_arg(ev, c, 0)? {
        Value::Object(o) => o,
        u @ Value::Unknown(_) => return Ok(u),
        other => {
            return Err(EvalError::new(
                ErrorKind::ArgumentType,
                format!(
                    "argument 1 of 'mapValues' must be of type object, not {}",
                    other.type_name()
                ),
                c.args[0].span,
            ));
        }
    };
    let f = lambda_arg(ev, c, 1, &[1])?;
    let mut out = Object::with_capacity(obj.len());
    for (k, v) in obj.iter() {
        let r = f.call(ev, std::slice::from_ref(v), span)?;
        out.insert_exact(k.clone(), r);
        super::ensure_size(out.size(), span)?;
    }
    Ok(Value::object(out))
}

fn reduce(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    let items = array_or_return!(ev, c, 0);
    let mut acc = eval_arg(ev, c, 1)?;
    let f = lambda_arg(ev, c, 2, &[2, 3])?;
    for (i, item) in items.iter().enumerate() {
        acc = f.call(ev, &[acc, item.clone(), Value::Int(i as i64)], span)?;
        crate::expr::eval::check_value(&acc, span)?;
    }
    Ok(acc)
}

fn sort(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    let items = array_or_return!(ev, c, 0);
    let f = lambda_arg(ev, c, 1, &[2])?;
    // Stable merge sort: `lambda(a, b)` true means a belongs before b.
    let mut v: Vec<Value> = items.to_vec();
    let mut buf: Vec<Value> = Vec::with_capacity(v.len());
    let mut width = 1;
    while width < v.len() {
        buf.clear();
        let mut start = 0;
        while start < v.len() {
            let mid = (start + width).min(v.len());
            let end = (start + 2 * width).min(v.len());
            let (mut i, mut j) = (start, mid);
            while i < mid && j < end {
                match f.call(ev, &[v[j].clone(), v[i].clone()], span)? {
                    Value::Bool(true) => {
                        buf.push(v[j].clone());
                        j += 1;
                    }
                    Value::Bool(false) => {
                        buf.push(v[i].clone());
                        i += 1;
                    }
                    u @ Value::Unknown(_) => return Ok(u),
                    other => return Err(bool_error(c, other, span)),
                }
            }
            buf.extend_from_slice(&v[i..mid]);
            buf.extend_from_slice(&v[j..end]);
            start = end;
        }
        std::mem::swap(&mut v, &mut buf);
        width *= 2;
    }
    Ok(Value::array(v))
}

fn keyed(ev: &mut Evaluator<'_>, c: &Call, span: Span, group: bool) -> Result<Value, EvalError> {
    let items = array_or_return!(ev, c, 0);
    let key_fn = lambda_arg(ev, c, 1, &[1])?;
    let value_fn = if c.args.len() > 2 {
        Some(lambda_arg(ev, c, 2, &[1])?)
    } else {
        None
    };
    let mut out = Object::new();
    let mut groups: Vec<(Arc<str>, Vec<Value>)> = Vec::new();
    let mut group_index: std::collections::HashMap<Arc<str>, usize> =
        std::collections::HashMap::new();
    for item in items.iter() {
        let key = match key_fn.call(ev, std::slice::from_ref(item), span)? {
            Value::String(s) => s,
            u @ Value::Unknown(_) => return Ok(u),
            other => {
                return Err(EvalError::new(
                    ErrorKind::ArgumentType,
                    format!(
                        "the key lambda of '{}' must return a string, not {}",
                        c.name,
                        other.type_name()
                    ),
                    span,
                ));
            }
        };
        let value = match &value_fn {
            Some(f) => f.call(ev, std::slice::from_ref(item), span)?,
            None => item.clone(),
        };
        if group {
            match group_index.get(&key) {
                Some(&i) => groups[i].1.push(value),
                None => {
                    group_index.insert(key.clone(), groups.len());
                    groups.push((key, vec![value]));
                }
            }
        } else {
            // Keys are distinct as in createObject; an exact duplicate keeps its first position
            // and takes the last value (unverified).
            out.insert_exact(key, value);
        }
    }
    if group {
        for (k, g) in groups {
            out.insert_exact(k, Value::array(g));
        }
    }
    Ok(Value::object(out))
}

fn to_object(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    keyed(ev, c, span, false)
}

fn group_by(ev: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    keyed(ev, c, span, true)
}

fn lambda_outside(_: &mut Evaluator<'_>, c: &Call, span: Span) -> Result<Value, EvalError> {
    Err(EvalError::new(
        ErrorKind::Lambda,
        format!(
            "'{}' may only appear directly as an argument of filter, map, reduce, sort, toObject, groupBy or mapValues",
            c.name
        ),
        span,
    ))
}

fn lambda_variables(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if let u @ Value::Unknown(_) = a.value(0) {
        return Ok(u.clone());
    }
    let name = a.get::<&str>(0)?;
    ev.lambda_var(name).cloned().ok_or_else(|| {
        a.error(
            ErrorKind::Lambda,
            format!("no lambda variable named '{name}' is in scope"),
        )
    })
}
