//! String functions (reference §4.12, §5, §6). Lengths and indexes count UTF-16 code units.

use super::{
    Args, Category, FnClass, FunctionDef, StrOrInt, Support, VARIADIC, ensure_size, render_text,
    utf16_len, utf16_to_byte,
};
use crate::expr::error::{ErrorKind, EvalError};
use crate::expr::eval::{Evaluator, runtime_unknown};
use crate::expr::hash;
use crate::expr::text::{
    base64_decode, base64_encode, format_f64, format_int, percent_decode, percent_encode,
};
use crate::expr::value::{Object, Value};

const C: Category = Category::String;

/// The string functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "base64", 1, 1, base64).ex(&[
        "base64('one, two, three') --> \"b25lLCB0d28sIHRocmVl\"",
        "base64('') --> \"\"",
    ]),
    FunctionDef::eager(C, "base64ToString", 1, 1, base64_to_string).ex(&[
        "base64ToString('b25lLCB0d28sIHRocmVl') --> \"one, two, three\"",
    ]),
    FunctionDef::eager(C, "base64ToJson", 1, 1, base64_to_json).ex(&[
        "base64ToJson('eyJhIjoxfQ==') --> {\"a\":1}",
        "base64ToJson(base64('{''one'': ''a'', ''two'': ''b''}')) --> {\"one\":\"a\",\"two\":\"b\"}",
    ]),
    FunctionDef::eager(C, "buildUri", 1, 1, build_uri).support(Support::Partial).ex(&[
        "buildUri(createObject('scheme', 'https', 'host', 'a.org', 'path', '/x', 'query', '?q=1')) --> \"https://a.org/x?q=1\"",
        "buildUri(createObject('scheme', 'http', 'host', 'a.org', 'port', 8080)) --> \"http://a.org:8080/\"",
    ]),
    FunctionDef::eager(C, "dataUri", 1, 1, data_uri).ex(&[
        "dataUri(' Fizz ') --> \"data:text/plain;charset=utf-8;base64,IEZpenog\"",
        "dataUri('Hello') --> \"data:text/plain;charset=utf-8;base64,SGVsbG8=\"",
    ]),
    FunctionDef::eager(C, "dataUriToString", 1, 1, data_uri_to_string).ex(&[
        "dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==') --> \"Hello, World!\"",
        "dataUriToString('data:text/plain;charset=utf8;base64,SGVsbG8=') --> \"Hello\"",
    ]),
    FunctionDef::eager(C, "endsWith", 2, 2, ends_with).ex(&["endsWith('abcdef', 'EF') --> true", "endsWith('abc', 'b') --> false"]),
    FunctionDef::eager(C, "format", 1, VARIADIC, format).support(Support::Partial).ex(&[
        "format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133) --> \"Hello, User. Formatted number: 8,175,133\"",
        "format('{0}/{1}/{2}/{3}', 1, 2, 3, true()) --> \"1/2/3/True\"",
        "format('[{0,5}|{0,-5}]', 'ab') --> \"[   ab|ab   ]\"",
        "format('{{{0}}}', 'x') --> \"{x}\"",
        "format('{0}', createObject('a', 'b', '!c', 2)) --> \"{'a':'b','!c':2}\"",
        "format('{0}', createArray(true(), 2893, 'abc')) --> \"[true,2893,'abc']\"",
        "format('{0:D3}-{1:X}', 7, 255) --> \"007-FF\"",
    ]),
    FunctionDef::eager(C, "guid", 1, VARIADIC, guid).ex(&[
        "guid('foo', 'bar', 'baz') --> \"2ed86837-7c7c-5eaa-9864-dd077fd19b0d\"",
        "guid('a') --> \"3703365d-5a9f-59b4-bca7-b9681389e4c1\"",
        "guid('a', 'b') --> \"2d796349-8c7e-55ec-9624-54ece82ed031\"",
        "guid('hello', 'world') --> \"a5b868f8-11fe-567a-ace0-e77cc87f104e\"",
    ]),
    FunctionDef::eager(C, "join", 2, 2, join).ex(&[
        "join(createArray('abc', 123, true()), '/') --> \"abc/123/True\"",
        "join(createArray(), ',') --> \"\"",
    ]),
    FunctionDef::eager(C, "like", 2, 2, like).ex(&[
        "like('abcdef', 'a*F') --> true",
        "like('abc', 'b*') --> false",
        "like('abc', '*') --> true",
        "like('abc', 'ABC') --> true",
    ]),
    FunctionDef::eager(C, "newGuid", 0, 0, runtime).class(FnClass::NonDeterministic).ex(&[
        "newGuid() --> {\"$unknown\":\"newGuid() at 0..9\"}",
    ]),
    FunctionDef::eager(C, "padLeft", 2, 3, pad_left).ex(&[
        "padLeft('123', 10, '0') --> \"0000000123\"",
        "padLeft('00', 5, ' ') --> \"   00\"",
        "padLeft(7, 3) --> \"  7\"",
        "padLeft('toolong', 3, 'x') --> \"toolong\"",
    ]),
    FunctionDef::eager(C, "parseUri", 1, 1, parse_uri).support(Support::Partial).ex(&[
        "parseUri('https://a.org:8443/p/x?q=1') --> {\"scheme\":\"https\",\"host\":\"a.org\",\"port\":8443,\"path\":\"/p/x\",\"query\":\"?q=1\"}",
    ]),
    FunctionDef::eager(C, "replace", 3, 3, replace).ex(&[
        "replace('123-123-1234', '-', '') --> \"1231231234\"",
        "replace('aAa', 'a', 'b') --> \"bAb\"",
    ]),
    FunctionDef::eager(C, "split", 2, 2, split).ex(&[
        "split('one,two,three', ',') --> [\"one\",\"two\",\"three\"]",
        "split('one;two,three', createArray(',', ';')) --> [\"one\",\"two\",\"three\"]",
        "split('a,,b', ',') --> [\"a\",\"\",\"b\"]",
        "split('', ',') --> [\"\"]",
    ]),
    FunctionDef::eager(C, "startsWith", 2, 2, starts_with).ex(&["startsWith('abcdef', 'AB') --> true"]),
    FunctionDef::eager(C, "string", 1, 1, string).unknown_aware().ex(&[
        "string(createObject('valueA', 10, 'valueB', 'Example Text')) --> \"{\\\"valueA\\\":10,\\\"valueB\\\":\\\"Example Text\\\"}\"",
        "string(createArray('a', 'b', 'c')) --> \"[\\\"a\\\",\\\"b\\\",\\\"c\\\"]\"",
        "string(5) --> \"5\"",
        "string(true()) --> \"True\"",
        "string('x') --> \"x\"",
    ]),
    FunctionDef::eager(C, "substring", 1, 3, substring).ex(&[
        "substring('hello world', 6, 5) --> \"world\"",
        "substring('hello', 2) --> \"llo\"",
        "substring('\u{1F600}ab', 2, 1) --> \"a\"",
    ]),
    FunctionDef::eager(C, "toLower", 1, 1, to_lower).ex(&["toLower('One TWO') --> \"one two\"", "toLower('I') --> \"i\""]),
    FunctionDef::eager(C, "toUpper", 1, 1, to_upper).ex(&["toUpper('One two') --> \"ONE TWO\"", "toUpper('i') --> \"I\""]),
    FunctionDef::eager(C, "trim", 1, 1, trim).ex(&["trim('  one two  ') --> \"one two\""]),
    FunctionDef::eager(C, "uniqueString", 1, VARIADIC, unique_string).ex(&[
        "uniqueString('snap', 'crackle', 'pop') --> \"byghxckddilkc\"",
        "uniqueString('hello', 'world') --> \"a7wkljktk6wne\"",
        "uniqueString('aaa') --> \"zavj67f3en4hc\"",
        "uniqueString('bbb') --> \"w5eragfxe33cy\"",
        "uniqueString('zzz') --> \"cryksdzzzawae\"",
        "uniqueString('xxx', 'yyy', 'zzz') --> \"lghi7k5js7itq\"",
        "uniqueString('test') --> \"rbgf3xv4ufgzg\"",
        "uniqueString('tyeth') --> \"zcztcwvu6iyg6\"",
        "uniqueString('/subscriptions/00000000-0000-0000-0000-000000000000', 'resource-id') --> \"cwvxuqg24sifi\"",
        "uniqueString('a') --> \"eveiun73364hy\"",
        "uniqueString('') --> \"aaaaaaaaaaaaa\"",
        "uniqueString(resourceGroup().id) --> \"bx6aucytigh3m\"",
    ]),
    FunctionDef::eager(C, "uri", 2, 2, uri).ex(&[
        "uri('http://a.org/p/', '/x.sh') --> \"http://a.org/p/x.sh\"",
        "uri('http://a.org/p', 'x.sh') --> \"http://a.org/x.sh\"",
        "uri('https://github.com/another/repo', '/Azure/bicep') --> \"https://github.com/Azure/bicep\"",
        "uri('https://a.org', 'x/y') --> \"https://a.org/x/y\"",
        "uri('http://a.org/p/', 'x.sh?s=1') --> \"http://a.org/p/x.sh?s=1\"",
    ]),
    FunctionDef::eager(C, "uriComponent", 1, 1, uri_component).ex(&[
        "uriComponent('http://a.org/x y+z=(*)~') --> \"http%3A%2F%2Fa.org%2Fx%20y%2Bz%3D%28%2A%29~\"",
        "uriComponent('é') --> \"%C3%A9\"",
    ]),
    FunctionDef::eager(C, "uriComponentToString", 1, 1, uri_component_to_string).ex(&[
        "uriComponentToString('http%3A%2F%2Fa.org%2Fx%20y') --> \"http://a.org/x y\"",
    ]),
    FunctionDef::eager(Category::Other, "fail", 1, 1, fail).ex(&["fail('stop') --> error ARM-EXPR-014"]),
];

fn runtime(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(runtime_unknown(a.call(), a.span(), None))
}

fn fail(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let msg = render_text(a.value(0), '"');
    Err(EvalError::new(
        ErrorKind::Fail,
        format!("fail(): {msg}"),
        a.span(),
    ))
}

fn base64(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(base64_encode(a.get::<&str>(0)?.as_bytes())))
}

fn decode_b64(a: &Args<'_>, i: usize) -> Result<String, EvalError> {
    let s = a.get::<&str>(i)?;
    let bytes = base64_decode(s).ok_or_else(|| a.invalid(i, "the value is not valid base64"))?;
    String::from_utf8(bytes).map_err(|_| a.invalid(i, "the decoded bytes are not UTF-8"))
}

fn base64_to_string(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(decode_b64(a, 0)?))
}

fn base64_to_json(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let text = decode_b64(a, 0)?;
    super::object::parse_json_arg(a, 0, &text)
}

fn data_uri(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    if let Some(p) = a.value(0).first_unknown() {
        return Ok(Value::Unknown(p.clone()));
    }
    let s = render_text(a.value(0), '"');
    Ok(Value::string(format!(
        "data:text/plain;charset=utf-8;base64,{}",
        base64_encode(s.as_bytes())
    )))
}

fn data_uri_to_string(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s = a.get::<&str>(0)?;
    let rest = s
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .map(|_| &s[5..])
        .ok_or_else(|| a.invalid(0, "the value is not a data URI"))?;
    let (meta, payload) = rest
        .split_once(',')
        .ok_or_else(|| a.invalid(0, "the data URI has no `,`"))?;
    if meta.to_ascii_lowercase().ends_with(";base64") {
        let bytes = base64_decode(payload)
            .ok_or_else(|| a.invalid(0, "the payload is not valid base64"))?;
        Ok(Value::string(String::from_utf8_lossy(&bytes).into_owned()))
    } else {
        Ok(Value::string(percent_decode(payload)))
    }
}

fn starts_ci(s: &str, p: &str) -> bool {
    s.len() >= p.len()
        && s.is_char_boundary(p.len())
        && crate::expr::value::eq_ignore_case(&s[..p.len()], p)
        || s.to_lowercase().starts_with(&p.to_lowercase())
}

fn ends_with(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (s, p) = (a.get::<&str>(0)?, a.get::<&str>(1)?);
    Ok(Value::Bool(s.to_lowercase().ends_with(&p.to_lowercase())))
}

fn starts_with(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::Bool(starts_ci(a.get::<&str>(0)?, a.get::<&str>(1)?)))
}

/// .NET `String.Format` alignment limit (larger widths throw `FormatException`).
const MAX_ALIGNMENT: usize = 1_000_000;

fn format(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let fmt = a.get::<&str>(0)?;
    let args = &a.values()[1..];
    // An unknown nested in an array/object argument makes the text unknown.
    if let Some(p) = args.iter().find_map(Value::first_unknown) {
        return Ok(Value::Unknown(p.clone()));
    }
    let bad = |msg: &str| a.invalid(0, format!("invalid format string: {msg}"));
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut chars = fmt.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|x| x.1) == Some('{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().map(|x| x.1) == Some('}') => {
                chars.next();
                out.push('}');
            }
            '}' => return Err(bad("a lone `}`")),
            '{' => {
                let mut item = String::new();
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, '{')) => return Err(bad("`{` inside a format item")),
                        Some((_, ch)) => item.push(ch),
                        None => return Err(bad("an unclosed `{`")),
                    }
                }
                let (head, spec) = match item.split_once(':') {
                    Some((h, s)) => (h, Some(s)),
                    None => (item.as_str(), None),
                };
                let (index, align) = match head.split_once(',') {
                    Some((i, al)) => (i, Some(al)),
                    None => (head, None),
                };
                let index: usize = index
                    .trim()
                    .parse()
                    .map_err(|_| bad("the index is not a number"))?;
                let arg = args.get(index).ok_or_else(|| {
                    a.invalid(
                        0,
                        format!(
                            "the format item {{{index}}} has no argument (only {} given)",
                            args.len()
                        ),
                    )
                })?;
                let text = match (arg, spec) {
                    (Value::Int(i), Some(sp)) => format_int(*i, sp).ok_or_else(|| {
                        a.error(
                            ErrorKind::Unsupported,
                            format!("the numeric format `{sp}` is not supported"),
                        )
                    })?,
                    (Value::Float(f), Some(sp)) => format_f64(*f, sp).ok_or_else(|| {
                        a.error(
                            ErrorKind::Unsupported,
                            format!("the numeric format `{sp}` is not supported"),
                        )
                    })?,
                    (v, _) => render_text(v, '\''),
                };
                let width = match align {
                    Some(al) => al
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| bad("the alignment is not a number"))?,
                    None => 0,
                };
                let w = width.unsigned_abs() as usize;
                if w >= MAX_ALIGNMENT {
                    return Err(bad("the alignment is too large"));
                }
                let len = utf16_len(&text);
                ensure_size(out.len() + text.len() + w, a.span())?;
                if width > 0 && len < w {
                    out.extend(std::iter::repeat_n(' ', w - len));
                }
                out.push_str(&text);
                if width < 0 && len < w {
                    out.extend(std::iter::repeat_n(' ', w - len));
                }
            }
            c => out.push(c),
        }
    }
    Ok(Value::string(out))
}

fn strings<'a>(a: &'a Args<'_>) -> Result<Vec<&'a str>, EvalError> {
    (0..a.len()).map(|i| a.get::<&str>(i)).collect()
}

fn guid(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(hash::guid(&strings(a)?)))
}

fn unique_string(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(hash::unique_string(&strings(a)?)))
}

fn join(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let items = a.get::<&[Value]>(0)?;
    let delim = a.get::<&str>(1)?;
    let mut out = String::new();
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(delim);
        }
        match v {
            Value::Unknown(_) => return Ok(v.clone()),
            Value::Array(_) | Value::Object(_) => {
                return Err(a.invalid(
                    0,
                    format!(
                        "elements must be strings, ints or bools, found {}",
                        v.type_name()
                    ),
                ));
            }
            v => out.push_str(&render_text(v, '"')),
        }
        ensure_size(out.len(), a.span())?;
    }
    Ok(Value::string(out))
}

fn like_match(s: &[char], p: &[char]) -> bool {
    // Iterative wildcard match with backtracking on the last `*` (linear-ish, no recursion).
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    let eq = |x: char, y: char| x == y || x.to_lowercase().eq(y.to_lowercase());
    while i < s.len() {
        if j < p.len() && p[j] == '*' {
            star = Some((j, i));
            j += 1;
        } else if j < p.len() && eq(s[i], p[j]) {
            i += 1;
            j += 1;
        } else if let Some((sj, si)) = star {
            j = sj + 1;
            i = si + 1;
            star = Some((sj, si + 1));
        } else {
            return false;
        }
    }
    while j < p.len() && p[j] == '*' {
        j += 1;
    }
    j == p.len()
}

fn like(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s: Vec<char> = a.get::<&str>(0)?.chars().collect();
    let p: Vec<char> = a.get::<&str>(1)?.chars().collect();
    ev.charge(
        (s.len() as u64).saturating_mul(p.len() as u64 + 1) / 64,
        a.span(),
    )?;
    Ok(Value::Bool(like_match(&s, &p)))
}

fn pad_left(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s = match a.get::<StrOrInt>(0)? {
        StrOrInt::Str(s) => s.to_string(),
        StrOrInt::Int(i) => i.to_string(),
    };
    let total = a.get::<i64>(1)?;
    let pad = match a.opt::<&str>(2)? {
        None => ' ',
        Some(p) => {
            let mut it = p.chars();
            match (it.next(), it.next()) {
                (Some(c), None) if c.len_utf16() == 1 => c,
                _ => {
                    return Err(a.invalid(2, "the padding character must be exactly one character"));
                }
            }
        }
    };
    if total < 0 {
        return Err(a.invalid(1, "the total length must not be negative"));
    }
    let len = utf16_len(&s);
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    if total <= len {
        return Ok(Value::string(s));
    }
    ensure_size(
        (total - len)
            .saturating_mul(pad.len_utf8())
            .saturating_add(s.len()),
        a.span(),
    )?;
    let mut out = String::with_capacity(total);
    out.extend(std::iter::repeat_n(pad, total - len));
    out.push_str(&s);
    Ok(Value::string(out))
}

fn replace(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (s, old, new) = (a.get::<&str>(0)?, a.get::<&str>(1)?, a.get::<&str>(2)?);
    if old.is_empty() {
        return Err(a.invalid(1, "the string to replace must not be empty"));
    }
    if new.len() > old.len() {
        let n = s.matches(old).count();
        ensure_size(
            s.len()
                .saturating_add(n.saturating_mul(new.len() - old.len())),
            a.span(),
        )?;
    }
    Ok(Value::string(s.replace(old, new)))
}

fn split(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s = a.get::<&str>(0)?;
    let delims: Vec<&str> = match a.value(1) {
        Value::String(d) => vec![d],
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| a.invalid(1, "delimiters must be strings"))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(a.type_error(1, "string or array")),
    };
    let delims: Vec<&str> = delims.into_iter().filter(|d| !d.is_empty()).collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // .NET String.Split(string[]): at each position the first delimiter in array order that
    // matches is used; empty entries are kept.
    while i < s.len() {
        if let Some(d) = delims.iter().find(|d| s[i..].starts_with(**d)) {
            out.push(Value::string(&s[start..i]));
            i += d.len();
            start = i;
        } else {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push(Value::string(&s[start..]));
    Ok(Value::array(out))
}

fn string(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(match a.value(0) {
        u @ Value::Unknown(_) => u.clone(),
        s @ Value::String(_) => s.clone(),
        v if v.contains_unknown() => v
            .first_unknown()
            .map_or(Value::Null, |p| Value::Unknown(p.clone())),
        // `string(null())`: rendered as the empty string (unverified).
        v @ (Value::Array(_) | Value::Object(_)) => Value::string(v.to_json_string()),
        v => Value::string(render_text(v, '"')),
    })
}

fn substring(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s = a.get::<&str>(0)?;
    let len = utf16_len(s) as i64;
    let start = a.opt::<i64>(1)?.unwrap_or(0);
    let length = match a.value(2) {
        Value::Null => len - start,
        _ => a.get::<i64>(2)?,
    };
    if start < 0 || length < 0 || start > len || start + length > len {
        return Err(a.error(
            ErrorKind::IndexOutOfRange,
            format!(
                "the index and length parameters must refer to a location within the string (start {start}, length {length}, string length {len})"
            ),
        ));
    }
    let b0 = utf16_to_byte(s, start as usize);
    let b1 = utf16_to_byte(s, (start + length) as usize);
    Ok(Value::string(&s[b0..b1.max(b0)]))
}

fn to_lower(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(a.get::<&str>(0)?.to_lowercase()))
}

fn to_upper(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(a.get::<&str>(0)?.to_uppercase()))
}

fn trim(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(a.get::<&str>(0)?.trim()))
}

/// Split an absolute URI into (scheme, authority, path, query+fragment).
fn split_uri(s: &str) -> Option<(&str, &str, &str, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(auth_end);
    let q = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, query) = rest.split_at(q);
    Some((scheme, authority, path, query))
}

fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').collect();
    for (i, seg) in segs.iter().enumerate() {
        match *seg {
            "." => {
                if i == segs.len() - 1 {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == segs.len() - 1 {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

fn uri(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let base = a.get::<&str>(0)?;
    let rel = a.get::<&str>(1)?;
    if rel.contains("://") {
        return Ok(Value::string(rel));
    }
    let (scheme, authority, path, _) =
        split_uri(base).ok_or_else(|| a.invalid(0, "the base is not an absolute URI"))?;
    let prefix = format!("{scheme}://{authority}");
    if base.ends_with('/') {
        // Docs: base ending in `/` gives base + relative with a doubled slash collapsed.
        let rel = rel.strip_prefix('/').unwrap_or(rel);
        return Ok(Value::string(format!("{base}{rel}")));
    }
    let (rel_path, rel_query) = rel.split_at(rel.find(['?', '#']).unwrap_or(rel.len()));
    let merged = if rel_path.starts_with('/') {
        rel_path.to_string()
    } else if rel_path.is_empty() {
        path.to_string()
    } else {
        let dir = match path.rfind('/') {
            Some(i) => &path[..=i],
            None => "/",
        };
        format!("{dir}{rel_path}")
    };
    Ok(Value::string(format!(
        "{prefix}{}{rel_query}",
        remove_dot_segments(&merged)
    )))
}

fn uri_component(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(percent_encode(a.get::<&str>(0)?)))
}

fn uri_component_to_string(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(Value::string(percent_decode(a.get::<&str>(0)?)))
}

fn default_port(scheme: &str) -> Option<i64> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// `parseUri`: `{scheme, host, port, path, query}`; the port is the explicit or default port,
/// `path` starts with `/`, `query` keeps its `?` (exact normalisation unverified).
fn parse_uri(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let s = a.get::<&str>(0)?;
    let (scheme, authority, path, query) =
        split_uri(s).ok_or_else(|| a.invalid(0, "the value is not an absolute URI"))?;
    let host_port = authority.rsplit_once('@').map_or(authority, |x| x.1);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (host_port, None),
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
            (h, p.parse::<i64>().ok())
        }
        _ => (host_port, None),
    };
    let mut o = Object::new();
    o.insert("scheme", Value::string(scheme.to_ascii_lowercase()));
    o.insert("host", Value::string(host.to_ascii_lowercase()));
    if let Some(p) = port.or_else(|| default_port(scheme)) {
        o.insert("port", Value::Int(p));
    }
    o.insert(
        "path",
        Value::string(if path.is_empty() { "/" } else { path }),
    );
    let query = query.split('#').next().unwrap_or_default();
    o.insert("query", Value::string(query));
    Ok(Value::object(o))
}

fn build_uri(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let o = a.get::<&Object>(0)?;
    let get = |k: &str| o.get(k).and_then(Value::as_str);
    let scheme = get("scheme").ok_or_else(|| a.invalid(0, "the object needs a string 'scheme'"))?;
    let host = get("host").ok_or_else(|| a.invalid(0, "the object needs a string 'host'"))?;
    let mut out = format!("{scheme}://{host}");
    match o.get("port") {
        Some(Value::Int(p)) if Some(*p) != default_port(scheme) && *p >= 0 => {
            out.push_str(&format!(":{p}"))
        }
        _ => {}
    }
    let path = get("path").unwrap_or("");
    if !path.starts_with('/') {
        out.push('/');
    }
    out.push_str(path);
    if let Some(q) = get("query").filter(|q| !q.is_empty()) {
        if !q.starts_with('?') {
            out.push('?');
        }
        out.push_str(q);
    }
    Ok(Value::string(out))
}
