//! Text helpers: culture-aware comparison, base64, percent-encoding, the lenient JSON reader
//! used by `json()`, and .NET composite/numeric formatting used by `format()`.

use std::cmp::Ordering;

use super::MAX_VALUE_DEPTH;
use super::value::{Object, Value};

fn primary(c: char) -> (u8, char) {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let class =
        if c.is_whitespace() || c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_ascii())
        {
            0
        } else if c.is_numeric() {
            1
        } else if c.is_alphabetic() {
            2
        } else {
            3
        };
    (class, lower)
}

/// Culture-aware string comparison approximating .NET's invariant culture (ICU collation):
/// punctuation < digits < letters; letters compare ignoring case first, then lowercase sorts
/// before uppercase at the first case difference (`a < A < b < B`). Accents and ignorable
/// characters are not modelled.
pub fn culture_cmp(a: &str, b: &str) -> Ordering {
    let p = a.chars().map(primary).cmp(b.chars().map(primary));
    if p != Ordering::Equal {
        return p;
    }
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            let (xl, yl) = (x.is_lowercase(), y.is_lowercase());
            if xl && !yl {
                return Ordering::Less;
            }
            if yl && !xl {
                return Ordering::Greater;
            }
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            B64[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            B64[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Decode standard base64 (whitespace ignored, padding optional); `None` when invalid.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut pad = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if pad > 2 {
        return None;
    }
    Some(out)
}

/// .NET `Uri.EscapeDataString`: percent-encode UTF-8 bytes except `A-Z a-z 0-9 - . _ ~`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decoding; invalid escapes are kept as written, invalid UTF-8 is replaced.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Parse JSON the way Json.NET's lenient reader does: single- or double-quoted strings,
/// unquoted property names, `//` and `/* */` comments, trailing commas; an integral number is
/// an int, one with a fraction or exponent a float. Nesting is bounded by [`MAX_VALUE_DEPTH`].
pub fn parse_lenient_json(s: &str) -> Result<Value, String> {
    let mut p = JsonParser {
        s: s.as_bytes(),
        src: s,
        i: 0,
    };
    p.ws()?;
    let v = p.value(0)?;
    p.ws()?;
    if p.i < p.s.len() {
        return Err(format!(
            "additional text after the JSON value at position {}",
            p.i
        ));
    }
    Ok(v)
}

struct JsonParser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) -> Result<(), String> {
        loop {
            match self.s.get(self.i) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'/') if self.s.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                Some(b'/') if self.s.get(self.i + 1) == Some(&b'*') => {
                    let rest = &self.src[self.i + 2..];
                    match rest.find("*/") {
                        Some(e) => self.i += 2 + e + 2,
                        None => return Err("unterminated comment".into()),
                    }
                }
                _ => return Ok(()),
            }
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at position {}", self.i))
    }
    fn value(&mut self, depth: u32) -> Result<Value, String> {
        if depth >= MAX_VALUE_DEPTH {
            return self.err("JSON nests too deeply");
        }
        match self.s.get(self.i) {
            None => self.err("unexpected end of JSON"),
            Some(b'{') => {
                self.i += 1;
                let mut o = Object::new();
                loop {
                    self.ws()?;
                    match self.s.get(self.i) {
                        Some(b'}') => {
                            self.i += 1;
                            break;
                        }
                        Some(b'"' | b'\'') => {}
                        Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b'$' => {}
                        _ => return self.err("expected a property name"),
                    }
                    let key = match self.s[self.i] {
                        b'"' | b'\'' => self.string()?,
                        _ => {
                            let st = self.i;
                            while self.i < self.s.len()
                                && (self.s[self.i].is_ascii_alphanumeric()
                                    || matches!(self.s[self.i], b'_' | b'$'))
                            {
                                self.i += 1;
                            }
                            self.src[st..self.i].to_string()
                        }
                    };
                    self.ws()?;
                    if self.s.get(self.i) != Some(&b':') {
                        return self.err("expected `:`");
                    }
                    self.i += 1;
                    self.ws()?;
                    let v = self.value(depth + 1)?;
                    o.insert_exact(key, v);
                    self.ws()?;
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            break;
                        }
                        _ => return self.err("expected `,` or `}`"),
                    }
                }
                Ok(Value::object(o))
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws()?;
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.ws()?;
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            break;
                        }
                        _ => return self.err("expected `,` or `]`"),
                    }
                }
                Ok(Value::array(items))
            }
            Some(b'"' | b'\'') => Ok(Value::string(self.string()?)),
            Some(b'-' | b'0'..=b'9' | b'.') => self.number(),
            Some(_) => {
                let st = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
                    self.i += 1;
                }
                match &self.src[st..self.i] {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" | "undefined" => Ok(Value::Null),
                    _ => {
                        self.i = st;
                        self.err("unexpected character")
                    }
                }
            }
        }
    }
    fn number(&mut self) -> Result<Value, String> {
        let st = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        let mut float = false;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'0'..=b'9' => {}
                b'.' | b'e' | b'E' => float = true,
                b'+' | b'-' if float => {}
                _ => break,
            }
            self.i += 1;
        }
        let text = &self.src[st..self.i];
        if !float && let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("invalid number `{text}`"))
    }
    fn string(&mut self) -> Result<String, String> {
        let q = self.s[self.i];
        self.i += 1;
        let mut out = String::new();
        loop {
            let st = self.i;
            while self.i < self.s.len() && self.s[self.i] != q && self.s[self.i] != b'\\' {
                self.i += 1;
            }
            out.push_str(&self.src[st..self.i.min(self.s.len())]);
            match self.s.get(self.i) {
                None => return self.err("unterminated string"),
                Some(&c) if c == q => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(_) => {
                    self.i += 1;
                    let Some(&e) = self.s.get(self.i) else {
                        return self.err("unterminated string");
                    };
                    self.i += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'u' => {
                            let cu = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cu)
                                && self.s.get(self.i) == Some(&b'\\')
                                && self.s.get(self.i + 1) == Some(&b'u')
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                let c = 0x10000
                                    + ((cu - 0xD800) << 10)
                                    + (lo.wrapping_sub(0xDC00) & 0x3ff);
                                out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                            } else {
                                out.push(char::from_u32(cu).unwrap_or('\u{fffd}'));
                            }
                        }
                        _ => {
                            // `\"`, `\\`, `\/`, `\'` and any other escaped ASCII stand for themselves.
                            let st = self.i - 1;
                            let ch = self.src[st..].chars().next().unwrap_or('\u{fffd}');
                            self.i = st + ch.len_utf8();
                            out.push(ch);
                        }
                    }
                }
            }
        }
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let Some(h) = self.src.get(self.i..self.i + 4) else {
            return self.err("invalid \\u escape");
        };
        let v = u32::from_str_radix(h, 16)
            .map_err(|_| format!("invalid \\u escape at position {}", self.i))?;
        self.i += 4;
        Ok(v)
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    let n = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Format an int with a .NET standard or simple custom numeric format string (invariant
/// culture). `None` for unsupported formats.
pub fn format_int(v: i64, spec: &str) -> Option<String> {
    let mut chars = spec.chars();
    let f = chars.next()?;
    let rest = chars.as_str();
    let precision: Option<usize> = if rest.is_empty() {
        None
    } else if rest.len() <= 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
        rest.parse().ok()
    } else {
        return format_custom(v, spec);
    };
    let neg = v < 0;
    let abs = v.unsigned_abs().to_string();
    let sign = if neg { "-" } else { "" };
    Some(match f {
        'D' | 'd' => {
            let p = precision.unwrap_or(0);
            format!("{sign}{abs:0>p$}")
        }
        'N' | 'n' => {
            let p = precision.unwrap_or(2);
            let dec = if p > 0 {
                format!(".{}", "0".repeat(p))
            } else {
                String::new()
            };
            format!("{sign}{}{dec}", group_thousands(&abs))
        }
        'F' | 'f' => {
            let p = precision.unwrap_or(2);
            let dec = if p > 0 {
                format!(".{}", "0".repeat(p))
            } else {
                String::new()
            };
            format!("{sign}{abs}{dec}")
        }
        'G' | 'g' => v.to_string(),
        'X' | 'x' => {
            let p = precision.unwrap_or(0);
            let h = if f == 'X' {
                format!("{:X}", v)
            } else {
                format!("{:x}", v)
            };
            format!("{h:0>p$}")
        }
        'P' | 'p' => {
            let p = precision.unwrap_or(2);
            let hundred = (i128::from(v) * 100).unsigned_abs().to_string();
            let dec = if p > 0 {
                format!(".{}", "0".repeat(p))
            } else {
                String::new()
            };
            format!("{sign}{}{dec} %", group_thousands(&hundred))
        }
        'E' | 'e' => {
            let p = precision.unwrap_or(6);
            let digits = abs.as_bytes();
            let exp = digits.len() as i32 - 1;
            let mut mant = String::new();
            mant.push(digits[0] as char);
            if p > 0 {
                mant.push('.');
                for i in 0..p {
                    mant.push(*digits.get(i + 1).unwrap_or(&b'0') as char);
                }
            }
            // Round half away from zero on the first dropped digit.
            if digits.get(p + 1).is_some_and(|d| *d >= b'5') {
                return format_float_e(v as f64, p, f);
            }
            format!("{sign}{mant}{f}+{exp:03}")
        }
        _ => return format_custom(v, spec),
    })
}

fn format_float_e(v: f64, p: usize, f: char) -> Option<String> {
    let s = format!("{v:.p$e}");
    let (m, e) = s.split_once('e')?;
    let e: i32 = e.parse().ok()?;
    let sign = if e < 0 { '-' } else { '+' };
    Some(format!("{m}{f}{sign}{:03}", e.abs()))
}

/// Simple custom numeric formats made of `0`, `#`, `,` and `.` (`000`, `#,##0`, `0.00`).
fn format_custom(v: i64, spec: &str) -> Option<String> {
    if !spec.chars().all(|c| matches!(c, '0' | '#' | ',' | '.')) {
        return None;
    }
    let (int_part, frac_part) = spec.split_once('.').unwrap_or((spec, ""));
    let min_int = int_part.chars().filter(|c| *c == '0').count();
    let grouping = int_part.contains(',');
    let min_frac = frac_part.chars().filter(|c| *c == '0').count();
    let abs = v.unsigned_abs().to_string();
    let mut digits = if abs.len() < min_int {
        format!("{abs:0>min_int$}")
    } else {
        abs
    };
    if min_int == 0 && digits == "0" {
        digits.clear();
    }
    if grouping {
        digits = group_thousands(&digits);
    }
    let mut out = String::new();
    if v < 0 {
        out.push('-');
    }
    out.push_str(&digits);
    if min_frac > 0 {
        out.push('.');
        out.push_str(&"0".repeat(min_frac));
    }
    Some(out)
}

/// Format a float with a .NET standard numeric format (approximate). `None` when unsupported.
pub fn format_f64(v: f64, spec: &str) -> Option<String> {
    let mut chars = spec.chars();
    let f = chars.next()?;
    let rest = chars.as_str();
    let precision: Option<usize> = if rest.is_empty() {
        None
    } else {
        rest.parse().ok()
    };
    Some(match f {
        'F' | 'f' => format!("{v:.*}", precision.unwrap_or(2)),
        'N' | 'n' => {
            let p = precision.unwrap_or(2);
            let s = format!("{:.*}", p, v.abs());
            let (i, d) = s.split_once('.').unwrap_or((&s, ""));
            let sign = if v < 0.0 { "-" } else { "" };
            if d.is_empty() {
                format!("{sign}{}", group_thousands(i))
            } else {
                format!("{sign}{}.{d}", group_thousands(i))
            }
        }
        'P' | 'p' => format!("{:.*} %", precision.unwrap_or(2), v * 100.0),
        'G' | 'g' => super::value::format_float(v),
        'E' | 'e' => format_float_e(v, precision.unwrap_or(6), f)?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collation() {
        let mut v = vec!["DEFKey", "abcKey", "456Key", "ABCKey", "defKey", "123Key"];
        v.sort_by(|a, b| culture_cmp(a, b));
        assert_eq!(
            v,
            ["123Key", "456Key", "abcKey", "ABCKey", "defKey", "DEFKey"]
        );
        assert_eq!(culture_cmp("A", "a"), Ordering::Greater);
        assert_eq!(culture_cmp("a", "B"), Ordering::Less);
    }

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "one, two, three", "Hello, World!"] {
            let e = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&e).as_deref(), Some(s.as_bytes()));
        }
        assert_eq!(base64_encode(b"one, two, three"), "b25lLCB0d28sIHRocmVl");
    }

    #[test]
    fn numeric_formats() {
        assert_eq!(format_int(8175133, "N0").as_deref(), Some("8,175,133"));
        assert_eq!(format_int(1234, "N2").as_deref(), Some("1,234.00"));
        assert_eq!(format_int(42, "D5").as_deref(), Some("00042"));
        assert_eq!(format_int(255, "X").as_deref(), Some("FF"));
        assert_eq!(format_int(255, "x4").as_deref(), Some("00ff"));
        assert_eq!(format_int(-7, "D3").as_deref(), Some("-007"));
        assert_eq!(format_int(12345, "E2").as_deref(), Some("1.23E+004"));
        assert_eq!(format_int(7, "000").as_deref(), Some("007"));
        assert_eq!(format_int(1234567, "#,##0").as_deref(), Some("1,234,567"));
        assert_eq!(format_int(1, "Q"), None);
    }

    #[test]
    fn lenient_json() {
        let v = parse_lenient_json("{'a': 1, \"b\": [true, null, 1.5, 'x'], c: 'd',}").unwrap();
        assert_eq!(
            v.to_json_string(),
            r#"{"a":1,"b":[true,null,1.5,"x"],"c":"d"}"#
        );
        assert!(parse_lenient_json("").is_err());
        assert!(parse_lenient_json("{").is_err());
        assert!(parse_lenient_json("[1] x").is_err());
        assert!(parse_lenient_json(&"[".repeat(1000)).is_err());
    }
}
