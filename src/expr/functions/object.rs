//! Object functions (reference §4.9).

use super::{Args, Category, FunctionDef, VARIADIC};
use crate::expr::error::EvalError;
use crate::expr::eval::Evaluator;
use crate::expr::text::{culture_cmp, parse_lenient_json};
use crate::expr::value::{Object, Value};

const C: Category = Category::Object;

/// The object functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "createObject", 0, VARIADIC, create_object).unknown_aware().ex(&[
        "createObject('a', 1, 'b', createArray(true())) --> {\"a\":1,\"b\":[true]}",
        "createObject() --> {}",
        "createObject('k', null()) --> {\"k\":null}",
        "createObject('k', null()).k --> null",
        "createObject('a', 1, 'A', 2) --> {\"a\":1,\"A\":2}",
        "createObject('a', 1, 'a', 2) --> {\"a\":2}",
    ]),
    FunctionDef::eager(C, "items", 1, 1, items).ex(&[
        "items(createObject('b', 2, 'a', createObject('z', 1, 'y', 2))) --> [{\"key\":\"a\",\"value\":{\"z\":1,\"y\":2}},{\"key\":\"b\",\"value\":2}]",
        "items(createObject()) --> []",
    ]),
    FunctionDef::eager(C, "json", 1, 1, json).ex(&[
        "json('{\"a\": [1, 2.5, \"x\"]}') --> {\"a\":[1,2.5,\"x\"]}",
        "json('null') --> null",
        "json('{''a'': ''b''}') --> {\"a\":\"b\"}",
        "json('true') --> true",
        "json('\"text\"') --> \"text\"",
    ]),
    FunctionDef::eager(C, "null", 0, 0, |_, _| Ok(Value::Null)).ex(&["null() --> null"]),
    FunctionDef::eager(C, "objectKeys", 1, 1, object_keys).ex(&[
        "objectKeys(createObject('b', 1, 'a', 2, 'A', 3)) --> [\"a\",\"A\",\"b\"]",
        "objectKeys(createObject('DEFKey', 1, 'abcKey', 2, '123Key', 3, 'ABCKey2', 4)) --> [\"123Key\",\"abcKey\",\"ABCKey2\",\"DEFKey\"]",
    ]),
    FunctionDef::eager(C, "shallowMerge", 1, 1, shallow_merge).ex(&[
        "shallowMerge(createArray(createObject('a', 1, 'n', createObject('x', 1)), createObject('A', 2, 'n', createObject('y', 2), 'c', 3))) --> {\"a\":2,\"n\":{\"y\":2},\"c\":3}",
        "shallowMerge(createArray(createObject('a', 1), createObject('a', null()))) --> {\"a\":null}",
        "shallowMerge(createArray()) --> {}",
    ]),
];

fn create_object(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if !a.len().is_multiple_of(2) {
        return Err(a.error(
            crate::expr::ErrorKind::Arity,
            "createObject takes an even number of arguments (key, value pairs)",
        ));
    }
    let mut o = Object::with_capacity(a.len() / 2);
    for i in (0..a.len()).step_by(2) {
        if let Value::Unknown(_) = a.value(i) {
            return Ok(a.value(i).clone());
        }
        let k = a.get::<&std::sync::Arc<str>>(i)?;
        o.insert_exact(k.clone(), a.value(i + 1).clone());
    }
    Ok(Value::object(o))
}

fn sorted_entries(o: &Object) -> Vec<(&std::sync::Arc<str>, &Value)> {
    let mut e: Vec<_> = o.iter().collect();
    e.sort_by(|x, y| culture_cmp(x.0, y.0));
    e
}

fn items(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let o = a.get::<&Object>(0)?;
    Ok(Value::array(
        sorted_entries(o)
            .into_iter()
            .map(|(k, v)| {
                let mut e = Object::with_capacity(2);
                e.insert("key", Value::String(k.clone()));
                e.insert("value", v.clone());
                Value::object(e)
            })
            .collect(),
    ))
}

fn object_keys(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let o = a.get::<&Object>(0)?;
    Ok(Value::array(
        sorted_entries(o)
            .into_iter()
            .map(|(k, _)| Value::String(k.clone()))
            .collect(),
    ))
}

pub(crate) fn parse_json_arg(a: &Args<'_>, i: usize, text: &str) -> Result<Value, EvalError> {
    super::ensure_size(text.len(), a.span())?;
    parse_lenient_json(text).map_err(|e| a.invalid(i, format!("invalid JSON: {e}")))
}

fn json(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s = a.get::<&str>(0)?;
    parse_json_arg(a, 0, s)
}

fn shallow_merge(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let items = a.get::<&[Value]>(0)?;
    let mut out = Object::new();
    for v in items {
        match v {
            Value::Object(o) => {
                for (k, v) in o.iter() {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Unknown(_) => return Ok(v.clone()),
            Value::Null => {}
            other => {
                return Err(a.invalid(
                    0,
                    format!(
                        "every element must be an object, found {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    Ok(Value::object(out))
}
