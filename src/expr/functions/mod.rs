//! The function registry: one table of [`FunctionDef`] per ARM category, composed into a
//! [`FunctionSet`].
//!
//! A function body receives evaluated [`Args`] and extracts typed arguments with
//! [`Args::get`] through the [`FromArg`] conversion trait, so it never matches on [`Value`] by
//! hand. Unknown arguments are propagated by the evaluator before the body runs, unless the
//! definition sets `handles_unknown`. Lazy functions (`if`, `and`, `coalesce`, the lambda
//! functions) receive the unevaluated call instead.
//!
//! Another function set (the policy set's `field()`, `current()`) chains on with
//! [`FunctionSet::with_table`]; later tables override earlier names:
//!
//! ```
//! use armgraph::expr::functions::{Category, FunctionDef, FunctionSet};
//! use armgraph::expr::{DeploymentContext, EnvError, ErrorKind, EvalEnv, Value, evaluate_str_with};
//!
//! static POLICY: &[FunctionDef] = &[FunctionDef::eager(Category::Other, "field", 1, 1, |ev, args| {
//!     let name = args.get::<&str>(0)?;
//!     match ev.env().host_call("field", args.values()) {
//!         Some(r) => r.map_err(|e| e.at(args.span())),
//!         None => Err(args.error(ErrorKind::UnknownFunction, format!("field('{name}') needs a policy host"))),
//!     }
//! })];
//!
//! struct Host;
//! impl EvalEnv for Host {
//!     fn host_call(&self, name: &str, args: &[Value]) -> Option<Result<Value, EnvError>> {
//!         (name == "field").then(|| Ok(Value::string(format!("value of {}", args[0]))))
//!     }
//! }
//!
//! let set = FunctionSet::template().clone().with_table(POLICY);
//! let v = evaluate_str_with("[toUpper(field('type'))]", &Host, &DeploymentContext::default(), &set).unwrap();
//! assert_eq!(v, Value::string("VALUE OF \"TYPE\""));
//! ```

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::ast::Call;
use super::error::{ErrorKind, EvalError, Span};
use super::eval::Evaluator;
use super::value::{Array, Object, Value};

pub mod array;
pub mod cidr;
pub mod comparison;
pub mod date;
pub mod deployment;
pub mod lambda;
pub mod logical;
pub mod numeric;
pub mod object;
pub mod resource;
pub mod scope;
pub mod string;

/// The function category (the ARM docs' pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Array functions.
    Array,
    /// CIDR functions.
    Cidr,
    /// Comparison functions.
    Comparison,
    /// Date functions.
    Date,
    /// Deployment value functions.
    Deployment,
    /// Lambda functions.
    Lambda,
    /// Logical functions.
    Logical,
    /// Numeric functions.
    Numeric,
    /// Object functions.
    Object,
    /// Resource functions.
    Resource,
    /// Scope functions.
    Scope,
    /// String functions.
    String,
    /// Functions added by another set (policy).
    Other,
}

impl Category {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Array => "array",
            Category::Cidr => "cidr",
            Category::Comparison => "comparison",
            Category::Date => "date",
            Category::Deployment => "deployment",
            Category::Lambda => "lambda",
            Category::Logical => "logical",
            Category::Numeric => "numeric",
            Category::Object => "object",
            Category::Resource => "resource",
            Category::Scope => "scope",
            Category::String => "string",
            Category::Other => "other",
        }
    }
}

/// The function class of reference §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FnClass {
    /// S: the result depends only on the arguments.
    Pure,
    /// C: reads the deployment context.
    Context,
    /// R: runtime only; the result is unknown.
    Runtime,
    /// P: non-deterministic, legal only in parameter defaults; the result is unknown.
    NonDeterministic,
}

impl FnClass {
    /// One-letter class as in the reference (`S`, `C`, `R`, `P`).
    pub fn letter(self) -> &'static str {
        match self {
            FnClass::Pure => "S",
            FnClass::Context => "C",
            FnClass::Runtime => "R",
            FnClass::NonDeterministic => "P",
        }
    }
}

/// How completely the analyzer implements a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Support {
    /// Computed as ARM computes it.
    Full,
    /// Computed, but some documented edge cases are unverified or approximated.
    Partial,
    /// Returns `Unknown` with provenance (runtime-only or non-deterministic).
    Unknown,
}

impl Support {
    /// Name used in docs/expressions.md.
    pub fn as_str(self) -> &'static str {
        match self {
            Support::Full => "full",
            Support::Partial => "partial",
            Support::Unknown => "unknown value",
        }
    }
}

/// An eagerly evaluated function body.
pub type EagerFn = fn(&mut Evaluator<'_>, &Args<'_>) -> Result<Value, EvalError>;
/// A lazily evaluated function body (receives the unevaluated call).
pub type LazyFn = fn(&mut Evaluator<'_>, &Call, Span) -> Result<Value, EvalError>;

/// The implementation of a function.
#[derive(Clone, Copy)]
pub enum Imp {
    /// Arguments are evaluated first.
    Eager(EagerFn),
    /// The function evaluates its own arguments.
    Lazy(LazyFn),
}

impl std::fmt::Debug for Imp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Imp::Eager(_) => "Eager",
            Imp::Lazy(_) => "Lazy",
        })
    }
}

/// `max_args` of a variadic function.
pub const VARIADIC: usize = usize::MAX;

/// One row of a function table.
#[derive(Debug, Clone, Copy)]
pub struct FunctionDef {
    /// The name as documented (`uniqueString`); a trailing `*` makes it a prefix (`list*`).
    pub name: &'static str,
    /// Category.
    pub category: Category,
    /// Class.
    pub class: FnClass,
    /// Minimum argument count.
    pub min_args: usize,
    /// Maximum argument count ([`VARIADIC`] for no limit).
    pub max_args: usize,
    /// Implementation.
    pub imp: Imp,
    /// When false (the default), any unknown argument makes the result that unknown.
    pub handles_unknown: bool,
    /// Support status.
    pub support: Support,
    /// Examples as `expr --> json` lines, run by the registry test.
    pub examples: &'static [&'static str],
}

impl FunctionDef {
    /// An eager pure function.
    pub const fn eager(
        category: Category,
        name: &'static str,
        min: usize,
        max: usize,
        f: EagerFn,
    ) -> Self {
        FunctionDef {
            name,
            category,
            class: FnClass::Pure,
            min_args: min,
            max_args: max,
            imp: Imp::Eager(f),
            handles_unknown: false,
            support: Support::Full,
            examples: &[],
        }
    }
    /// A lazy pure function.
    pub const fn lazy(
        category: Category,
        name: &'static str,
        min: usize,
        max: usize,
        f: LazyFn,
    ) -> Self {
        FunctionDef {
            name,
            category,
            class: FnClass::Pure,
            min_args: min,
            max_args: max,
            imp: Imp::Lazy(f),
            handles_unknown: true,
            support: Support::Full,
            examples: &[],
        }
    }
    /// Set the examples.
    pub const fn ex(self, examples: &'static [&'static str]) -> Self {
        FunctionDef { examples, ..self }
    }
    /// Set the class.
    pub const fn class(self, class: FnClass) -> Self {
        let support = match class {
            FnClass::Runtime | FnClass::NonDeterministic => Support::Unknown,
            _ => self.support,
        };
        FunctionDef {
            class,
            support,
            ..self
        }
    }
    /// Set the support status.
    pub const fn support(self, support: Support) -> Self {
        FunctionDef { support, ..self }
    }
    /// Let the body see unknown arguments.
    pub const fn unknown_aware(self) -> Self {
        FunctionDef {
            handles_unknown: true,
            ..self
        }
    }
}

/// A set of functions looked up case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct FunctionSet {
    /// Looked up once per call of every expression: a fast hash of short, fixed names.
    index: HashMap<String, &'static FunctionDef, foldhash::fast::RandomState>,
    prefixes: Vec<(String, &'static FunctionDef)>,
}

impl FunctionSet {
    /// An empty set.
    pub fn new() -> FunctionSet {
        FunctionSet::default()
    }
    /// Add a table; its names override earlier ones.
    pub fn with_table(mut self, table: &'static [FunctionDef]) -> FunctionSet {
        for def in table {
            if let Some(prefix) = def.name.strip_suffix('*') {
                self.prefixes.push((prefix.to_lowercase(), def));
            } else {
                self.index.insert(def.name.to_lowercase(), def);
            }
        }
        self
    }
    /// The ARM template function set (all categories), built once.
    pub fn template() -> &'static FunctionSet {
        static SET: OnceLock<FunctionSet> = OnceLock::new();
        SET.get_or_init(|| {
            TEMPLATE_TABLES
                .iter()
                .fold(FunctionSet::new(), |s, t| s.with_table(t))
        })
    }
    /// Look a function up by its lowercase name.
    pub fn get(&self, lowercase_name: &str) -> Option<&'static FunctionDef> {
        if let Some(d) = self.index.get(lowercase_name) {
            return Some(d);
        }
        self.prefixes
            .iter()
            .rev()
            .find(|(p, _)| lowercase_name.starts_with(p.as_str()))
            .map(|(_, d)| *d)
    }
    /// Every function, sorted by category then name.
    pub fn functions(&self) -> Vec<&'static FunctionDef> {
        let mut v: Vec<_> = self
            .index
            .values()
            .copied()
            .chain(self.prefixes.iter().map(|(_, d)| *d))
            .collect();
        v.sort_by_key(|d| (d.category, d.name.to_lowercase()));
        v.dedup_by_key(|d| d.name);
        v
    }
}

/// The tables of the template function set, one per category.
pub const TEMPLATE_TABLES: &[&[FunctionDef]] = &[
    array::FUNCTIONS,
    cidr::FUNCTIONS,
    comparison::FUNCTIONS,
    date::FUNCTIONS,
    deployment::FUNCTIONS,
    lambda::FUNCTIONS,
    logical::FUNCTIONS,
    numeric::FUNCTIONS,
    object::FUNCTIONS,
    resource::FUNCTIONS,
    scope::FUNCTIONS,
    string::FUNCTIONS,
];

/// The evaluated arguments of a call.
pub struct Args<'c> {
    values: Vec<Value>,
    call: &'c Call,
    span: Span,
}

/// Extract a Rust type from an argument value.
pub trait FromArg<'a>: Sized {
    /// How the expected type reads in an error message (`string`, `int`, `array or string`).
    const EXPECTED: &'static str;
    /// The conversion; `None` when the value has the wrong type.
    fn from_arg(v: &'a Value) -> Option<Self>;
}

impl<'a> FromArg<'a> for &'a Value {
    const EXPECTED: &'static str = "any";
    fn from_arg(v: &'a Value) -> Option<Self> {
        Some(v)
    }
}
impl<'a> FromArg<'a> for &'a str {
    const EXPECTED: &'static str = "string";
    fn from_arg(v: &'a Value) -> Option<Self> {
        v.as_str()
    }
}
impl<'a> FromArg<'a> for &'a Arc<str> {
    const EXPECTED: &'static str = "string";
    fn from_arg(v: &'a Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}
impl<'a> FromArg<'a> for i64 {
    const EXPECTED: &'static str = "int";
    fn from_arg(v: &'a Value) -> Option<Self> {
        v.as_int()
    }
}
impl<'a> FromArg<'a> for bool {
    const EXPECTED: &'static str = "bool";
    fn from_arg(v: &'a Value) -> Option<Self> {
        v.as_bool()
    }
}
impl<'a> FromArg<'a> for &'a [Value] {
    const EXPECTED: &'static str = "array";
    fn from_arg(v: &'a Value) -> Option<Self> {
        v.as_array()
    }
}
impl<'a> FromArg<'a> for &'a Arc<Array> {
    const EXPECTED: &'static str = "array";
    fn from_arg(v: &'a Value) -> Option<Self> {
        match v {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}
impl<'a> FromArg<'a> for &'a Object {
    const EXPECTED: &'static str = "object";
    fn from_arg(v: &'a Value) -> Option<Self> {
        v.as_object()
    }
}

/// A string or an array argument (`first`, `skip`, `indexOf`, ...).
#[derive(Debug, Clone, Copy)]
pub enum StrOrArray<'a> {
    /// A string.
    Str(&'a str),
    /// An array.
    Array(&'a [Value]),
}
impl<'a> FromArg<'a> for StrOrArray<'a> {
    const EXPECTED: &'static str = "string or array";
    fn from_arg(v: &'a Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(StrOrArray::Str(s)),
            Value::Array(a) => Some(StrOrArray::Array(a)),
            _ => None,
        }
    }
}

/// A string, array or object argument (`length`, `contains`, `empty`).
#[derive(Debug, Clone, Copy)]
pub enum Collection<'a> {
    /// A string.
    Str(&'a str),
    /// An array.
    Array(&'a [Value]),
    /// An object.
    Object(&'a Object),
}
impl<'a> FromArg<'a> for Collection<'a> {
    const EXPECTED: &'static str = "string, array or object";
    fn from_arg(v: &'a Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(Collection::Str(s)),
            Value::Array(a) => Some(Collection::Array(a)),
            Value::Object(o) => Some(Collection::Object(o)),
            _ => None,
        }
    }
}

/// A string or an int argument (`padLeft`, `int`).
#[derive(Debug, Clone, Copy)]
pub enum StrOrInt<'a> {
    /// A string.
    Str(&'a str),
    /// An int.
    Int(i64),
}
impl<'a> FromArg<'a> for StrOrInt<'a> {
    const EXPECTED: &'static str = "string or int";
    fn from_arg(v: &'a Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(StrOrInt::Str(s)),
            Value::Int(i) => Some(StrOrInt::Int(*i)),
            _ => None,
        }
    }
}

impl<'c> Args<'c> {
    /// Wrap evaluated argument values.
    pub fn new(values: Vec<Value>, call: &'c Call, span: Span) -> Args<'c> {
        Args { values, call, span }
    }
    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// All values.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
    /// One value (`Null` past the end).
    pub fn value(&self, i: usize) -> &Value {
        static NULL: Value = Value::Null;
        self.values.get(i).unwrap_or(&NULL)
    }
    /// The call.
    pub fn call(&self) -> &'c Call {
        self.call
    }
    /// The function name as written.
    pub fn name(&self) -> &str {
        &self.call.name
    }
    /// Span of the whole call.
    pub fn span(&self) -> Span {
        self.span
    }
    /// Span of argument `i` (the call's span when out of range).
    pub fn arg_span(&self, i: usize) -> Span {
        self.call.args.get(i).map_or(self.span, |a| a.span)
    }
    /// Argument `i` converted to `T`, or an [`ErrorKind::ArgumentType`] error.
    pub fn get<'a, T: FromArg<'a>>(&'a self, i: usize) -> Result<T, EvalError> {
        let v = self.value(i);
        T::from_arg(v).ok_or_else(|| self.type_error(i, T::EXPECTED))
    }
    /// Argument `i` if present (`None` when absent).
    pub fn opt<'a, T: FromArg<'a>>(&'a self, i: usize) -> Result<Option<T>, EvalError> {
        if i < self.values.len() {
            self.get(i).map(Some)
        } else {
            Ok(None)
        }
    }
    /// An argument-type error for argument `i`.
    pub fn type_error(&self, i: usize, expected: &str) -> EvalError {
        EvalError::new(
            ErrorKind::ArgumentType,
            format!(
                "argument {} of '{}' must be of type {expected}, not {}",
                i + 1,
                self.call.name,
                self.value(i).type_name()
            ),
            self.arg_span(i),
        )
    }
    /// An invalid-value error for argument `i`.
    pub fn invalid(&self, i: usize, msg: impl std::fmt::Display) -> EvalError {
        EvalError::new(
            ErrorKind::InvalidArgument,
            format!("{}(): {msg}", self.call.name),
            self.arg_span(i),
        )
    }
    /// An error of the given kind at the call.
    pub fn error(&self, kind: ErrorKind, msg: impl std::fmt::Display) -> EvalError {
        EvalError::new(kind, format!("{}(): {msg}", self.call.name), self.span)
    }
}

/// Fail with [`ErrorKind::ValueTooLarge`] before allocating more than the bounds allow.
pub fn ensure_size(bytes: usize, span: Span) -> Result<(), EvalError> {
    if bytes > super::MAX_VALUE_SIZE {
        return Err(EvalError::new(
            ErrorKind::ValueTooLarge,
            format!(
                "the result would be larger than {} bytes",
                super::MAX_VALUE_SIZE
            ),
            span,
        ));
    }
    Ok(())
}

/// Text rendering of a value as `concat`, `join` and `format` do it: strings unchanged, ints in
/// decimal, bools `True`/`False`, null empty, arrays/objects as compact JSON with the given quote.
pub fn render_text(v: &Value, quote: char) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => (if *b { "True" } else { "False" }).to_string(),
        Value::Null => String::new(),
        Value::Float(f) => super::value::format_float(*f),
        other => {
            let mut out = String::new();
            super::value::write_json(other, &mut out, quote);
            out
        }
    }
}

/// Evaluate argument `i` of a lazily evaluated call.
pub fn eval_arg(ev: &mut Evaluator<'_>, call: &Call, i: usize) -> Result<Value, EvalError> {
    match call.args.get(i) {
        Some(a) => ev.eval(a),
        None => Ok(Value::Null),
    }
}

/// Length of a string in UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Byte offset of UTF-16 unit index `u` in `s` (clamped to the end; an index inside a surrogate
/// pair rounds down to the character start).
pub fn utf16_to_byte(s: &str, u: usize) -> usize {
    let mut units = 0;
    for (b, c) in s.char_indices() {
        if units >= u {
            return b;
        }
        units += c.len_utf16();
        if units > u {
            return b;
        }
    }
    s.len()
}

/// UTF-16 index of byte offset `b` in `s`.
pub fn byte_to_utf16(s: &str, b: usize) -> usize {
    utf16_len(&s[..b.min(s.len())])
}

/// Make an object from (key, value) pairs.
pub fn object_of(members: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut o = Object::new();
    for (k, v) in members {
        o.insert(k, v);
    }
    Value::object(o)
}
