//! Reading template JSON: template keys compare case-insensitively (ARM accepts `Type`, `Name`).

use serde_json::{Map, Value as Json};

use crate::source::json::push_pointer_token;

/// The member `name` of `object` (case-insensitive), with its key as written.
pub(crate) fn member<'a>(object: &'a Map<String, Json>, name: &str) -> Option<(&'a str, &'a Json)> {
    if let Some((key, value)) = object.get_key_value(name) {
        return Some((key.as_str(), value));
    }
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(key, value)| (key.as_str(), value))
}

/// The value of member `name` (case-insensitive).
pub(crate) fn get<'a>(value: &'a Json, name: &str) -> Option<&'a Json> {
    value
        .as_object()
        .and_then(|o| member(o, name))
        .map(|(_, v)| v)
}

/// `base` + `/` + the escaped token.
pub(crate) fn child(base: &str, token: &str) -> String {
    let mut pointer = String::with_capacity(base.len() + token.len() + 1);
    pointer.push_str(base);
    pointer.push('/');
    push_pointer_token(&mut pointer, token);
    pointer
}

/// `base` + `/` + an array index.
pub(crate) fn index(base: &str, i: usize) -> String {
    format!("{base}/{i}")
}
