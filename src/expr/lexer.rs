//! Tokenizer for the text between the outer brackets of an expression.

use std::borrow::Cow;

use super::error::{ErrorKind, ParseError, Span};

/// A token kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok<'a> {
    /// An identifier: letters, digits, `_`, `$` (not starting with a digit).
    Ident(&'a str),
    /// A single-quoted string, with `''` already collapsed to `'`.
    Str(Cow<'a, str>),
    /// An integer literal, optionally negative.
    Int(i64),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// End of input.
    Eof,
}

impl Tok<'_> {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::Str(_) => "string literal".into(),
            Tok::Int(i) => format!("integer `{i}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Dot => "`.`".into(),
            Tok::Eof => "end of expression".into(),
        }
    }
}

/// A token with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The kind.
    pub tok: Tok<'a>,
    /// Byte range in the expression string.
    pub span: Span,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Tokenize `src`; `base` is added to every span (the offset of `src` in the full string).
pub fn tokenize(src: &str, base: u32) -> Result<Vec<Token<'_>>, ParseError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0usize;
    let sp = |a: usize, b: usize| Span::new(base + a as u32, base + b as u32);
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
            }
            b'(' | b')' | b'[' | b']' | b',' | b'.' => {
                let tok = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'[' => Tok::LBracket,
                    b']' => Tok::RBracket,
                    b',' => Tok::Comma,
                    _ => Tok::Dot,
                };
                out.push(Token {
                    tok,
                    span: sp(i, i + 1),
                });
                i += 1;
            }
            b'\'' => {
                let start = i;
                i += 1;
                let mut s: Option<String> = None;
                let mut seg = i;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(ParseError::new(
                                ErrorKind::Syntax,
                                "unterminated string literal",
                                sp(start, src.len()),
                            ));
                        }
                        Some(b'\'') => {
                            if bytes.get(i + 1) == Some(&b'\'') {
                                let buf = s.get_or_insert_with(String::new);
                                buf.push_str(&src[seg..=i]);
                                i += 2;
                                seg = i;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
                // `i` is one past the closing quote.
                let text = match s {
                    None => Cow::Borrowed(&src[seg..i - 1]),
                    Some(mut buf) => {
                        buf.push_str(&src[seg..i - 1]);
                        Cow::Owned(buf)
                    }
                };
                out.push(Token {
                    tok: Tok::Str(text),
                    span: sp(start, i),
                });
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                if c == b'-' {
                    i += 1;
                }
                let digits = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                if i == digits {
                    return Err(ParseError::new(
                        ErrorKind::Syntax,
                        "expected digits after `-`",
                        sp(start, i),
                    ));
                }
                if i < bytes.len()
                    && (bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
                {
                    return Err(ParseError::new(
                        ErrorKind::Syntax,
                        "floating-point literals are not allowed in expressions; use json('1.5')",
                        sp(start, i + 1),
                    ));
                }
                let text = &src[start..i];
                let v: i64 = text.parse().map_err(|_| {
                    ParseError::new(
                        ErrorKind::IntegerOverflow,
                        format!("integer literal `{text}` does not fit in 64 bits"),
                        sp(start, i),
                    )
                })?;
                out.push(Token {
                    tok: Tok::Int(v),
                    span: sp(start, i),
                });
            }
            _ => {
                let start = i;
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                if !is_ident_start(ch) {
                    return Err(ParseError::new(
                        ErrorKind::Syntax,
                        format!("unexpected character `{ch}`"),
                        sp(start, start + ch.len_utf8()),
                    ));
                }
                i += ch.len_utf8();
                while let Some(ch) = src[i..].chars().next() {
                    if is_ident_continue(ch) {
                        i += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                out.push(Token {
                    tok: Tok::Ident(&src[start..i]),
                    span: sp(start, i),
                });
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        span: sp(src.len(), src.len()),
    });
    Ok(out)
}
