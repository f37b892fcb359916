//! A lenient JSON reader with the tolerance of Azure Resource Manager's own reader.
//!
//! Real templates rely on what Json.NET (the reader behind ARM) accepts beyond RFC 8259:
//! `//` and `/* */` comments anywhere, raw control characters (newlines, tabs) inside string
//! values, trailing commas, single-quoted strings and unquoted member names. This reader accepts
//! all of them, produces a `serde_json::Value` with member order kept, and reports what it
//! tolerated or rejected as [`JsonIssue`]s with byte offsets — never a panic, whatever the input.
//!
//! The same parser, run a second time with a span recorder, builds the pointer → span index
//! that locations need; the first (hot) pass records nothing.

use serde_json::{Number, Value};

/// Deepest nesting of arrays and objects read. ARM documents no nesting limit of its own; real
/// templates (ten levels of nested deployments, each with inline templates) stay below 200.
/// Deeper input is refused with `ARM-JSON-005` so that no later stage can overflow its stack.
pub const MAX_JSON_DEPTH: usize = 512;

/// Objects at least this large check duplicate member names through a hash set instead of a scan.
const LINEAR_DUPLICATE_SCAN_LIMIT: usize = 32;

/// What the reader tolerated or rejected, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonIssue {
    /// What happened.
    pub kind: JsonIssueKind,
    /// Byte range in the text (after any byte-order mark was removed).
    pub start: u32,
    /// End of the byte range (exclusive).
    pub end: u32,
    /// JSON pointer of the value being read when the issue arose.
    pub pointer: String,
}

/// The kinds of [`JsonIssue`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonIssueKind {
    /// Not JSON that ARM could read; reading stopped here. The text says what was expected.
    Syntax(String),
    /// A trailing comma, single-quoted string or unquoted member name: ARM accepts it.
    Lenient(&'static str),
    /// The same member name twice in one object (compared case-insensitively, as ARM does).
    DuplicateMember(String),
    /// An integer beyond 64 bits (read as a float) or a number beyond `f64` (read as null).
    NumberOutOfRange {
        /// The number as written.
        literal: String,
        /// Whether the value could not be represented at all.
        unrepresentable: bool,
    },
    /// Nesting deeper than [`MAX_JSON_DEPTH`]; reading stopped.
    TooDeep,
    /// A `\u` escape of a lone UTF-16 surrogate, replaced by U+FFFD.
    LoneSurrogate,
}

impl JsonIssueKind {
    /// Whether reading stopped at this issue (no value was produced).
    pub fn is_fatal(&self) -> bool {
        matches!(self, JsonIssueKind::Syntax(_) | JsonIssueKind::TooDeep)
    }
}

/// The result of reading one text.
#[derive(Debug, Clone)]
pub struct ParsedJson {
    /// The value, unless a fatal issue stopped reading.
    pub value: Option<Value>,
    /// Everything tolerated or rejected, in text order.
    pub issues: Vec<JsonIssue>,
}

/// Reads `text` (without a byte-order mark) as lenient JSON.
pub fn parse(text: &str) -> ParsedJson {
    let mut parser = Parser::new(text, NoRecorder);
    let value = parser.document();
    ParsedJson {
        value,
        issues: parser.issues,
    }
}

/// Receives the byte spans of every value and member name during a recording pass.
pub(crate) trait SpanRecorder {
    /// Called after a value at `path` was read from `start` to `end`; `key_start` is the start of
    /// its member name when the value is an object member.
    fn value(&mut self, path: &JsonPath<'_>, key_start: Option<u32>, start: u32, end: u32);
}

struct NoRecorder;

impl SpanRecorder for NoRecorder {
    #[inline(always)]
    fn value(&mut self, _: &JsonPath<'_>, _: Option<u32>, _: u32, _: u32) {}
}

/// Parses `text` and hands every value's span to `recorder` on the way.
pub(crate) fn parse_recording_spans(text: &str, recorder: &mut impl SpanRecorder) -> ParsedJson {
    let mut parser = Parser::new(text, recorder);
    let value = parser.document();
    ParsedJson {
        value,
        issues: parser.issues,
    }
}

/// Runs the parser with a recorder; used to build the span index lazily.
pub(crate) fn record_spans(text: &str, recorder: &mut impl SpanRecorder) {
    let mut parser = Parser::new(text, recorder);
    let _ = parser.document();
}

impl<R: SpanRecorder> SpanRecorder for &mut R {
    fn value(&mut self, path: &JsonPath<'_>, key_start: Option<u32>, start: u32, end: u32) {
        (**self).value(path, key_start, start, end)
    }
}

/// One step of the path to the value being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathSegment {
    /// An object member; the raw (still escaped) name lies at this byte range, `quote` says how
    /// it was written (`"`, `'`, or 0 for an unquoted name).
    Member { start: u32, end: u32, quote: u8 },
    /// An array element.
    Element(u32),
}

/// The path from the root to the value being read, resolvable to a JSON pointer on demand.
pub(crate) struct JsonPath<'a> {
    text: &'a str,
    segments: Vec<PathSegment>,
}

impl JsonPath<'_> {
    /// The RFC 6901 pointer of the current path.
    pub(crate) fn pointer(&self) -> String {
        let mut pointer = String::new();
        self.write_pointer(&mut |piece| pointer.push_str(piece));
        pointer
    }

    /// The pointer's bytes handed to `sink` in pieces, without building the string.
    pub(crate) fn write_pointer(&self, sink: &mut impl FnMut(&str)) {
        for segment in &self.segments {
            self.write_segment(*segment, sink);
        }
    }

    /// The steps of the path, outermost first; each is handed out by
    /// [`JsonPath::write_segment`] as its pointer text.
    pub(crate) fn segments(&self) -> &[PathSegment] {
        &self.segments
    }

    /// One step's share of the pointer: `/` and the escaped token.
    pub(crate) fn write_segment(&self, segment: PathSegment, sink: &mut impl FnMut(&str)) {
        sink("/");
        match segment {
            PathSegment::Element(index) => {
                let mut digits = [0u8; 10];
                sink(format_index(index, &mut digits));
            }
            PathSegment::Member { start, end, quote } => {
                let raw = self
                    .text
                    .get(start as usize..end as usize)
                    .unwrap_or_default();
                if quote == 0 || !raw.contains('\\') {
                    write_pointer_token(raw, sink);
                } else {
                    write_pointer_token(&unescape_for_pointer(raw), sink);
                }
            }
        }
    }
}

/// `index` in decimal, written into `buffer`.
fn format_index(index: u32, buffer: &mut [u8; 10]) -> &str {
    let mut at = buffer.len();
    let mut rest = index;
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

/// Hands `token` to `sink` escaped per RFC 6901 (`~` → `~0`, `/` → `~1`).
fn write_pointer_token(token: &str, sink: &mut impl FnMut(&str)) {
    let mut rest = token;
    // Both characters are ASCII, so a byte position is a character boundary.
    while let Some(at) = memchr::memchr2(b'~', b'/', rest.as_bytes()) {
        sink(&rest[..at]);
        sink(if rest.as_bytes()[at] == b'~' {
            "~0"
        } else {
            "~1"
        });
        rest = &rest[at + 1..];
    }
    sink(rest);
}

/// Appends `token` escaped per RFC 6901 (`~` → `~0`, `/` → `~1`).
pub fn push_pointer_token(pointer: &mut String, token: &str) {
    if memchr::memchr2(b'~', b'/', token.as_bytes()).is_none() {
        pointer.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Unescapes a member name that was already read successfully once.
fn unescape_for_pointer(raw: &str) -> String {
    let mut parser = Parser::new(raw, NoRecorder);
    let mut out = String::new();
    match parser.string_body(&mut out, 0) {
        Ok(()) => out,
        Err(_) => raw.to_owned(),
    }
}

struct Parser<'a, R> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    path: JsonPath<'a>,
    issues: Vec<JsonIssue>,
    recorder: R,
    /// The members read so far of the objects being read, innermost last: an object is built
    /// once its size is known, so its map has no spare room (maps grown member by member held
    /// a third more than they used).
    members: Vec<(String, Value)>,
    /// The same for the elements of arrays.
    items: Vec<Value>,
}

/// A fatal issue was recorded; unwinding to the top.
struct Stop;

type Step<T> = Result<T, Stop>;

impl<'a, R: SpanRecorder> Parser<'a, R> {
    fn new(text: &'a str, recorder: R) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            path: JsonPath {
                text,
                segments: Vec::new(),
            },
            issues: Vec::new(),
            recorder,
            members: Vec::new(),
            items: Vec::new(),
        }
    }

    fn document(&mut self) -> Option<Value> {
        let result = (|| {
            self.skip_trivia()?;
            if self.pos >= self.bytes.len() {
                return Err(self.fatal_here(JsonIssueKind::Syntax(
                    "the file is empty: expected a JSON value".into(),
                )));
            }
            let value = self.value(None)?;
            self.skip_trivia()?;
            if self.pos < self.bytes.len() {
                return Err(self.fatal_here(JsonIssueKind::Syntax(
                    "unexpected text after the end of the JSON value".into(),
                )));
            }
            Ok(value)
        })();
        result.ok()
    }

    fn offset(&self) -> u32 {
        u32::try_from(self.pos).unwrap_or(u32::MAX)
    }

    fn issue(&mut self, kind: JsonIssueKind, start: usize, end: usize) {
        let pointer = self.path.pointer();
        self.issues.push(JsonIssue {
            kind,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
            pointer,
        });
    }

    /// Records a fatal issue spanning the character at the current position.
    fn fatal_here(&mut self, kind: JsonIssueKind) -> Stop {
        let end = self.pos + self.char_len_at(self.pos);
        self.issue(kind, self.pos, end);
        Stop
    }

    fn char_len_at(&self, pos: usize) -> usize {
        self.text
            .get(pos..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8)
    }

    /// Describes the character at the current position for a message.
    fn found(&self) -> String {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            None => "the end of the file".into(),
            Some(c) if c.is_control() => format!("{:?}", c),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expected(&mut self, what: &str) -> Stop {
        let message = format!("expected {what}, found {}", self.found());
        self.fatal_here(JsonIssueKind::Syntax(message))
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) -> Step<()> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => {
                    self.pos += 1;
                    // Indentation comes in runs of spaces: skip them eight at a time.
                    while self.bytes.get(self.pos..self.pos + 8) == Some(b"        ") {
                        self.pos += 8;
                    }
                }
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        while let Some(&b) = self.bytes.get(self.pos) {
                            if b == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => {
                        let start = self.pos;
                        match self
                            .text
                            .get(self.pos + 2..)
                            .and_then(|rest| rest.find("*/"))
                        {
                            Some(close) => self.pos += 2 + close + 2,
                            None => {
                                self.issue(
                                    JsonIssueKind::Syntax(
                                        "unterminated `/*` comment: expected `*/`".into(),
                                    ),
                                    start,
                                    start + 2,
                                );
                                return Err(Stop);
                            }
                        }
                    }
                    _ => return Ok(()),
                },
                _ => {
                    // Non-ASCII whitespace (e.g. a no-break space or a stray BOM) is whitespace to
                    // .NET readers too.
                    match self
                        .text
                        .get(self.pos..)
                        .and_then(|rest| rest.chars().next())
                    {
                        Some(c) if !c.is_ascii() && (c.is_whitespace() || c == '\u{feff}') => {
                            self.pos += c.len_utf8();
                        }
                        _ => return Ok(()),
                    }
                }
            }
        }
    }

    /// Reads one value; `key_start` is the start of its member name when it is an object member.
    fn value(&mut self, key_start: Option<u32>) -> Step<Value> {
        let start = self.offset();
        let value = match self.bytes.get(self.pos) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(&quote @ (b'"' | b'\'')) => {
                if quote == b'\'' {
                    self.issue(
                        JsonIssueKind::Lenient("a single-quoted string"),
                        self.pos,
                        self.pos + 1,
                    );
                }
                let mut out = String::new();
                self.pos += 1;
                self.string_body(&mut out, quote)?;
                Value::String(out)
            }
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            _ => return Err(self.expected("a JSON value")),
        };
        let end = self.offset();
        self.recorder.value(&self.path, key_start, start, end);
        Ok(value)
    }

    fn keyword(&mut self, word: &str, value: Value) -> Step<Value> {
        let end = self.pos + word.len();
        let is_word = self.bytes.get(self.pos..end) == Some(word.as_bytes())
            && !self
                .bytes
                .get(end)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if is_word {
            self.pos = end;
            Ok(value)
        } else {
            Err(self.expected("a JSON value"))
        }
    }

    fn enter(&mut self) -> Step<()> {
        if self.path.segments.len() >= MAX_JSON_DEPTH {
            return Err(self.fatal_here(JsonIssueKind::TooDeep));
        }
        Ok(())
    }

    fn array(&mut self) -> Step<Value> {
        self.enter()?;
        self.pos += 1;
        let start = self.items.len();
        loop {
            self.skip_trivia()?;
            let empty = self.items.len() == start;
            match self.bytes.get(self.pos) {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(self.items.drain(start..).collect()));
                }
                Some(b',') if !empty => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_trivia()?;
                    if self.bytes.get(self.pos) == Some(&b']') {
                        self.issue(JsonIssueKind::Lenient("a trailing comma"), comma, comma + 1);
                        self.pos += 1;
                        return Ok(Value::Array(self.items.drain(start..).collect()));
                    }
                    self.element(start)?;
                }
                Some(_) if empty => self.element(start)?,
                _ => return Err(self.expected("`,` or `]`")),
            }
        }
    }

    /// Reads one element of the array whose elements start at `start` in `self.items`.
    fn element(&mut self, start: usize) -> Step<()> {
        let index = u32::try_from(self.items.len() - start).unwrap_or(u32::MAX);
        self.path.segments.push(PathSegment::Element(index));
        let value = self.value(None)?;
        self.path.segments.pop();
        self.items.push(value);
        Ok(())
    }

    fn object(&mut self) -> Step<Value> {
        self.enter()?;
        self.pos += 1;
        let start = self.members.len();
        let mut folded_names = std::collections::HashSet::new();
        let mut first = true;
        loop {
            self.skip_trivia()?;
            match self.bytes.get(self.pos) {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(self.members.drain(start..).collect()));
                }
                Some(b',') if !first => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_trivia()?;
                    if self.bytes.get(self.pos) == Some(&b'}') {
                        self.issue(JsonIssueKind::Lenient("a trailing comma"), comma, comma + 1);
                        self.pos += 1;
                        return Ok(Value::Object(self.members.drain(start..).collect()));
                    }
                    self.member(start, &mut folded_names)?;
                }
                Some(_) if first => self.member(start, &mut folded_names)?,
                _ => return Err(self.expected("`,` or `}`")),
            }
            first = false;
        }
    }

    /// Reads one member of the object whose members start at `start` in `self.members`.
    fn member(
        &mut self,
        start: usize,
        folded_names: &mut std::collections::HashSet<String>,
    ) -> Step<()> {
        let key_start = self.pos;
        let (name, segment) = self.member_name()?;
        let key_end = self.pos;
        self.skip_trivia()?;
        if self.bytes.get(self.pos) != Some(&b':') {
            return Err(self.expected("`:` after the member name"));
        }
        self.pos += 1;
        self.skip_trivia()?;
        self.path.segments.push(segment);
        let value = self.value(u32::try_from(key_start).ok())?;

        let existing = self.find_member_ignore_case(start, folded_names, &name);
        match existing {
            Some(existing) => {
                // Json.NET replaces the earlier value; the first spelling and position stay.
                self.issue(JsonIssueKind::DuplicateMember(name), key_start, key_end);
                if let Some((_, slot)) = self.members.get_mut(existing) {
                    *slot = value;
                }
            }
            None => self.members.push((name, value)),
        }
        self.path.segments.pop();
        Ok(())
    }

    /// Finds the position in `self.members` of an earlier member of the object starting at
    /// `start` whose name equals `name` ignoring case, keeping the folded-name set current once
    /// the object is large enough to need it.
    fn find_member_ignore_case(
        &self,
        start: usize,
        folded_names: &mut std::collections::HashSet<String>,
        name: &str,
    ) -> Option<usize> {
        let members = self.members.get(start..).unwrap_or_default();
        let position = || {
            members
                .iter()
                .position(|(key, _)| names_equal_ignore_case(key, name))
                .map(|i| start + i)
        };
        if members.len() < LINEAR_DUPLICATE_SCAN_LIMIT {
            return position();
        }
        if folded_names.is_empty() {
            folded_names.extend(members.iter().map(|(key, _)| fold_case(key)));
        }
        if folded_names.insert(fold_case(name)) {
            None
        } else {
            position()
        }
    }

    fn member_name(&mut self) -> Step<(String, PathSegment)> {
        match self.bytes.get(self.pos) {
            Some(&quote @ (b'"' | b'\'')) => {
                if quote == b'\'' {
                    self.issue(
                        JsonIssueKind::Lenient("a single-quoted member name"),
                        self.pos,
                        self.pos + 1,
                    );
                }
                self.pos += 1;
                let start = self.offset();
                let mut name = String::new();
                self.string_body(&mut name, quote)?;
                let end = self.offset().saturating_sub(1);
                Ok((name, PathSegment::Member { start, end, quote }))
            }
            Some(b) if b.is_ascii_alphabetic() || *b == b'_' || *b == b'$' => {
                let start = self.pos;
                while self
                    .bytes
                    .get(self.pos)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$')
                {
                    self.pos += 1;
                }
                self.issue(
                    JsonIssueKind::Lenient("an unquoted member name"),
                    start,
                    self.pos,
                );
                let name = self
                    .text
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .to_owned();
                let segment = PathSegment::Member {
                    start: u32::try_from(start).unwrap_or(u32::MAX),
                    end: self.offset(),
                    quote: 0,
                };
                Ok((name, segment))
            }
            _ => Err(self.expected("a member name in double quotes or `}`")),
        }
    }

    /// Reads the rest of a string whose opening quote was consumed; `quote` 0 means "until the
    /// end of the text" (used to unescape a member name again).
    fn string_body(&mut self, out: &mut String, quote: u8) -> Step<()> {
        let opening = self.pos.saturating_sub(1);
        loop {
            let run_start = self.pos;
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            self.pos += memchr::memchr2(quote, b'\\', rest).unwrap_or(rest.len());
            out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
            match self.bytes.get(self.pos) {
                Some(b'\\') => self.escape(out)?,
                Some(_) => {
                    self.pos += 1;
                    return Ok(());
                }
                None if quote == 0 => return Ok(()),
                None => {
                    self.issue(
                        JsonIssueKind::Syntax(
                            "unterminated string: expected a closing quote".into(),
                        ),
                        opening,
                        opening + 1,
                    );
                    return Err(Stop);
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Step<()> {
        let start = self.pos;
        self.pos += 1;
        let decoded = match self.bytes.get(self.pos) {
            Some(b'"') => '"',
            Some(b'\'') => '\'',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4(start)?;
                let c = self.code_point(unit, start)?;
                out.push(c);
                return Ok(());
            }
            _ => {
                self.pos = start;
                return Err(self.fatal_here(JsonIssueKind::Syntax(
                    "invalid escape sequence in a string".into(),
                )));
            }
        };
        self.pos += 1;
        out.push(decoded);
        Ok(())
    }

    fn hex4(&mut self, escape_start: usize) -> Step<u16> {
        let digits = self.text.get(self.pos..self.pos + 4);
        match digits.and_then(|d| u16::from_str_radix(d, 16).ok()) {
            Some(unit) if digits.is_some_and(|d| d.bytes().all(|b| b.is_ascii_hexdigit())) => {
                self.pos += 4;
                Ok(unit)
            }
            _ => {
                self.issue(
                    JsonIssueKind::Syntax("`\\u` must be followed by four hex digits".into()),
                    escape_start,
                    self.pos,
                );
                Err(Stop)
            }
        }
    }

    /// Combines a `\u` unit with a following low surrogate escape when there is one.
    fn code_point(&mut self, unit: u16, escape_start: usize) -> Step<char> {
        if let Some(c) = char::from_u32(u32::from(unit)) {
            return Ok(c);
        }
        let is_high = (0xD800..0xDC00).contains(&unit);
        if is_high && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
            let saved = self.pos;
            self.pos += 2;
            let low = self.hex4(saved)?;
            if (0xDC00..0xE000).contains(&low) {
                let combined =
                    0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                if let Some(c) = char::from_u32(combined) {
                    return Ok(c);
                }
            }
            self.pos = saved;
        }
        self.issue(JsonIssueKind::LoneSurrogate, escape_start, escape_start + 6);
        Ok('\u{fffd}')
    }

    fn number(&mut self) -> Step<Value> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        self.digits();
        if self.pos == int_start {
            return Err(self.expected("a digit"));
        }
        let mut is_integer = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            is_integer = false;
            self.pos += 1;
            let frac_start = self.pos;
            self.digits();
            if self.pos == frac_start {
                return Err(self.expected("a digit after `.`"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            is_integer = false;
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exp_start = self.pos;
            self.digits();
            if self.pos == exp_start {
                return Err(self.expected("a digit in the exponent"));
            }
        }
        let literal = self.text.get(start..self.pos).unwrap_or_default();
        if is_integer && let Ok(int) = literal.parse::<i64>() {
            return Ok(Value::Number(Number::from(int)));
        }
        let float = literal.parse::<f64>().unwrap_or(f64::INFINITY);
        match Number::from_f64(float) {
            Some(number) => {
                if is_integer {
                    self.issue(
                        JsonIssueKind::NumberOutOfRange {
                            literal: literal.to_owned(),
                            unrepresentable: false,
                        },
                        start,
                        self.pos,
                    );
                }
                Ok(Value::Number(number))
            }
            None => {
                self.issue(
                    JsonIssueKind::NumberOutOfRange {
                        literal: literal.to_owned(),
                        unrepresentable: true,
                    },
                    start,
                    self.pos,
                );
                Ok(Value::Null)
            }
        }
    }

    fn digits(&mut self) {
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
    }
}

/// Compares two names the way ARM compares property names (ordinal, ignoring case).
pub fn names_equal_ignore_case(a: &str, b: &str) -> bool {
    // Two ASCII first characters that differ decide at once: the lower case of an ASCII
    // character is one ASCII character. (A non-ASCII one may lower-case to ASCII: `K`, U+212A.)
    if let (Some(x), Some(y)) = (a.as_bytes().first(), b.as_bytes().first())
        && x.is_ascii()
        && y.is_ascii()
        && !x.eq_ignore_ascii_case(y)
    {
        return false;
    }
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn fold_case(name: &str) -> String {
    if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        name.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped_with_and_without_special_characters() {
        let mut pointer = String::from("/a");
        push_pointer_token(&mut pointer, "plain");
        push_pointer_token(&mut pointer, "/");
        push_pointer_token(&mut pointer, "x~y/z");
        assert_eq!(pointer, "/aplain~1x~0y~1z");
        let mut written = String::new();
        write_pointer_token("é~/", &mut |piece| written.push_str(piece));
        assert_eq!(written, "é~0~1");
    }

    #[test]
    fn long_whitespace_runs_are_skipped_whole() {
        let text = "{\n                 \t  \"a\"  :\r\n          1                  }";
        let parsed = parse(text);
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        assert_eq!(parsed.value, Some(serde_json::json!({"a": 1})));
    }

    #[test]
    fn member_names_compare_by_full_lower_case_beyond_ascii() {
        assert!(names_equal_ignore_case("Location", "lOCATION"));
        assert!(!names_equal_ignore_case("location", "name"));
        assert!(!names_equal_ignore_case("name", "names"));
        // The Kelvin sign lower-cases to ASCII `k`: the ASCII shortcut must not decide.
        assert!(names_equal_ignore_case("\u{212A}ind", "kind"));
        assert!(names_equal_ignore_case("kind", "\u{212A}IND"));
        assert!(!names_equal_ignore_case("\u{212A}ind", "mind"));
        assert!(names_equal_ignore_case("ÄRGER", "ärger"));
        assert!(!names_equal_ignore_case("ärger", "arger"));
        let parsed = parse("{\"kind\": 1, \"\u{212A}IND\": 2}");
        assert!(
            parsed
                .issues
                .iter()
                .any(|i| matches!(i.kind, JsonIssueKind::DuplicateMember(_))),
            "{:?}",
            parsed.issues
        );
    }
    use serde_json::json;

    fn value(text: &str) -> Value {
        let parsed = parse(text);
        assert!(
            parsed.issues.iter().all(|i| !i.kind.is_fatal()),
            "{:?}",
            parsed.issues
        );
        parsed.value.expect("test input is valid")
    }

    fn only_issue(text: &str) -> JsonIssue {
        let parsed = parse(text);
        assert_eq!(parsed.issues.len(), 1, "{:?}", parsed.issues);
        parsed.issues.into_iter().next().expect("one issue")
    }

    #[test]
    fn reads_plain_json_keeping_member_order() {
        let v = value(r#"{"b": 1, "a": [true, null, -2.5, "x"], "c": {}}"#);
        assert_eq!(v, json!({"b": 1, "a": [true, null, -2.5, "x"], "c": {}}));
        let keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn accepts_comments_everywhere() {
        let v = value(
            "// head\n{ /* a */ \"a\" /* b */ : // c\n [1, /* d */ 2 // e\n ] /* f */ }\n// tail",
        );
        assert_eq!(v, json!({"a": [1, 2]}));
    }

    #[test]
    fn accepts_raw_newlines_and_tabs_in_strings() {
        assert_eq!(value("[\"a\nb\tc\"]"), json!(["a\nb\tc"]));
    }

    #[test]
    fn trailing_commas_are_lenient_notes() {
        let parsed = parse("{\"a\": [1, 2,],\n}");
        assert_eq!(parsed.value, Some(json!({"a": [1, 2]})));
        assert_eq!(parsed.issues.len(), 2);
        assert!(matches!(parsed.issues[0].kind, JsonIssueKind::Lenient(_)));
        assert_eq!(parsed.issues[0].start, 11);
        assert_eq!(parsed.issues[0].pointer, "/a");
    }

    #[test]
    fn single_quotes_and_unquoted_names_are_lenient() {
        let parsed = parse("{name: 'it''s'}");
        // `'it'` ends the string; what follows is a syntax error, as in Json.NET.
        assert!(parsed.value.is_none());
        let parsed = parse("{name: 'x\\'y'}");
        assert_eq!(parsed.value, Some(json!({"name": "x'y"})));
    }

    #[test]
    fn duplicate_members_compare_ignoring_case_and_last_wins() {
        let issue = only_issue(r#"{"Name": 1, "name": 2}"#);
        assert_eq!(issue.kind, JsonIssueKind::DuplicateMember("name".into()));
        assert_eq!(
            parse(r#"{"Name": 1, "name": 2}"#).value,
            Some(json!({"Name": 2}))
        );
        // Large objects take the hashed path.
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\": {i},"));
        }
        text.push_str("\"K7\": 0}");
        let parsed = parse(&text);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.value.expect("value")["k7"], json!(0));
    }

    #[test]
    fn escapes_and_surrogates() {
        assert_eq!(value(r#""\u00e9\n\/\"""#), json!("é\n/\""));
        assert_eq!(value(r#""\ud83d\ude00""#), json!("😀"));
        let issue = only_issue(r#"["\ud800"]"#);
        assert_eq!(issue.kind, JsonIssueKind::LoneSurrogate);
        assert_eq!(issue.pointer, "/0");
        assert_eq!(parse(r#""\ud800x""#).value, Some(json!("\u{fffd}x")));
    }

    #[test]
    fn numbers_out_of_range() {
        let issue = only_issue("[99999999999999999999]");
        assert!(matches!(
            issue.kind,
            JsonIssueKind::NumberOutOfRange {
                unrepresentable: false,
                ..
            }
        ));
        let parsed = parse("{\"x\": 1e400}");
        assert_eq!(parsed.value, Some(json!({"x": null})));
        assert_eq!(parsed.issues[0].pointer, "/x");
        assert_eq!(value("-9223372036854775808"), json!(i64::MIN));
    }

    #[test]
    fn syntax_errors_stop_with_a_position() {
        let issue = only_issue("{\n  \"a\": 1\n  \"b\": 2\n}");
        assert!(matches!(&issue.kind, JsonIssueKind::Syntax(m) if m.contains("`,` or `}`")));
        assert_eq!(issue.start, 13);
        for bad in [
            "", "  ", "{", "[1 2]", "{\"a\"}", "tru", "nul", "\"abc", "/* x", "1 2", "-", "1.",
            "{,}", "[,]", "\"\\x\"",
        ] {
            let parsed = parse(bad);
            assert!(parsed.value.is_none(), "{bad:?} must fail");
            assert!(parsed.issues.iter().any(|i| i.kind.is_fatal()), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_stops_at_the_bound() {
        let text = "[".repeat(5_000_000);
        let parsed = parse(&text);
        assert!(parsed.value.is_none());
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].kind, JsonIssueKind::TooDeep);
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert!(parse(&ok).value.is_some());
    }

    #[test]
    fn pointers_escape_and_unescape_member_names() {
        let issue = only_issue(r#"{"a/b~c": {"x\"y": [0, 1e400]}}"#);
        assert_eq!(issue.pointer, "/a~1b~0c/x\"y/1");
    }
}
