//! The ARM template expression language: lexer, parser, evaluator and the function library.
//!
//! This is the lowest pipeline stage: it knows nothing about templates. The template expander
//! implements [`EvalEnv`] (parameters, variables, copy indexes, user functions, reference hooks)
//! and calls [`evaluate_str`] (or [`parse`] once and [`Evaluator::evaluate`] many times).
//!
//! ```
//! use armgraph::expr::{evaluate_str, DeploymentContext, EmptyEnv, Value};
//! let v = evaluate_str("[uniqueString('snap', 'crackle', 'pop')]", &EmptyEnv, &DeploymentContext::default()).unwrap();
//! assert_eq!(v, Value::string("byghxckddilkc"));
//! ```
//!
//! # Integration
//!
//! - **Strings.** [`classify`] tells an expression (`[...]`) from a `[[` escape and a literal;
//!   [`evaluate_str`] does classification, parsing and evaluation in one call. Spans in
//!   [`ParseError`]/[`EvalError`] are byte ranges into the JSON string value, brackets included.
//! - **Environment.** Implement [`EvalEnv`]: `parameter`/`variable` are called lazily on each
//!   `parameters()`/`variables()` call (memoize and detect cycles there; return an
//!   [`EnvError`] or an unknown value); `copy_index(None)` is the innermost resource/output loop
//!   and `copy_index(Some(name))` a named loop; the offset of `copyIndex(name, offset)` is added
//!   here. Errors from the environment get the span of the calling function.
//! - **User-defined functions.** Compile each `functions[].members.<name>` once into a
//!   [`UserFunction`] (`output.value` through [`CompiledValue::compile`]) and return it from
//!   [`EvalEnv::user_function`]. The evaluator binds arguments positionally, evaluates the body
//!   in a scope where `parameters()` reads only the function's parameters and `variables()` is
//!   an error, forbids recursion and bounds call depth.
//! - **Runtime values.** `reference`, `references`, `list*`, `resourceInfo` first ask
//!   [`EvalEnv::reference`]/[`EvalEnv::resource_info`] (return the declared body of a resource of
//!   the same template, or an expanded module's outputs); otherwise they return
//!   [`Value::Unknown`] whose [`Provenance`] names the call, its first argument, the span and
//!   the target id. Fill [`Provenance::origin`] with a file location when reporting.
//! - **Dependencies.** Every `*ResourceId` result and every `reference`/`list*` target is passed
//!   to [`EvalEnv::record_resource_id`] with its [`IdUsage`].
//! - **Function sets.** [`FunctionSet::template`] is the ARM set; another set (policy's
//!   `field()`, `current()`) chains on with [`FunctionSet::with_table`] and is used through
//!   [`Evaluator::with_functions`] or [`evaluate_str_with`]; host functions reach their host via
//!   [`EvalEnv::host_call`].
//! - **Codes.** [`CODES`] lists every code this module emits; [`ErrorKind::BareLiteral`] is
//!   never emitted here: the expander may warn when [`Ast::is_bare_literal`] is true.
//!
//! # Decisions on points the reference leaves unverified
//!
//! - Integer overflow in `add`/`sub`/`mul`/`div`/`copyIndex` offsets is an error
//!   ([`ErrorKind::IntegerOverflow`]); `mod(i64::MIN, -1)` is 0.
//! - `and`, `or` and `coalesce` short-circuit (arguments after the deciding one are not
//!   evaluated); an unknown argument does not decide, so `and(unknown, false())` is false.
//! - A top-level bare literal (`['abc']`) is accepted; `[[x` without a closing `]` stays unchanged.
//! - Objects built by `createObject`, `toObject`, `groupBy`, `mapValues` and JSON keep keys that
//!   differ only in case as distinct members (the engine's `items()` shows such keys); `union`
//!   and `shallowMerge` merge keys case-insensitively, keeping the first spelling. Lookups prefer
//!   the exact spelling, then the first case-insensitive match.
//! - Duplicate keys in `toObject`/`createObject`: last value wins at the first position;
//!   `sort` is stable.
//! - `string(null())` and a null `format()` argument render as the empty string; a `'` inside a
//!   string nested in a `format()` object/array is written `\'` (Json.NET's escaping).
//! - String ordering (`less`, `sort`, `items`) approximates the invariant culture: punctuation,
//!   then digits, then letters compared case-insensitively, lowercase first on ties.
//! - `dateTimeAdd` without a format keeps the base's layout (separator, seconds, fraction
//!   digits, zone designator); `P1Y` is 365 days and `P1M` 30 days.
//! - CIDR: `/31`, `/32`, `/127`, `/128` use the whole network as the usable range; an index
//!   outside the range is an error.
//! - `parseUri` returns `{scheme, host, port, path, query}` with the scheme's default port when
//!   none is written, `path` at least `/`, `query` with its `?` (or empty).
//! - `deployment().properties.templateLink` is unknown (not missing) for local files, so the
//!   linked-template idiom `uri(deployment().properties.templateLink.uri, ...)` stays analyzable.
//! - `utcNow()` and `newGuid()` are always unknown (also in parameter defaults); `deployer()`,
//!   `pickZones()`, the zone-mapping functions, `providers()` and `roleDefinitions()` are unknown.
//! - The secure-string flag of `securestring` parameters is not tracked by values.
//!
//! This API is less stable than the crate's top-level API.

pub mod ast;
pub mod context;
mod error;
pub mod eval;
pub mod functions;
pub(crate) mod hash;
pub mod lexer;
pub mod parser;
pub(crate) mod text;
pub mod value;

pub use ast::{Ast, Call, Expr, ExprKind};
pub use context::{Cloud, DeploymentContext, DeploymentScope};
pub use error::{CODES, EnvError, ErrorKind, EvalError, ParseError, Span};
pub use eval::{
    CompiledExpr, CompiledValue, EmptyEnv, EvalEnv, Evaluator, IdUsage, ReferenceRequest,
    UserFunction,
};
pub use functions::{FunctionDef, FunctionSet};
pub use value::{Array, Object, Provenance, Value};

/// Maximum characters in one expression string (ARM: "characters in one template expression:
/// 24,576", *Template limits*).
pub const MAX_EXPRESSION_LEN: usize = 24_576;

/// Maximum nesting of calls, property and index accesses in one expression. ARM documents no
/// limit; this bounds parser and evaluator recursion (real templates stay below 30).
pub const MAX_AST_DEPTH: usize = 96;

/// Maximum evaluator recursion, counting nested user-defined function and lambda bodies.
pub const MAX_EVAL_DEPTH: usize = 512;

/// Maximum nesting of user-defined function calls (ARM forbids recursion; this bounds chains).
pub const MAX_USER_CALL_DEPTH: usize = 32;

/// Maximum nesting depth of a value built by functions (mirrors Json.NET's default max depth of
/// 128 used by ARM when reading templates).
pub const MAX_VALUE_DEPTH: u32 = 128;

/// Maximum size in bytes (8 per node plus string bytes) of a value built by functions: strings
/// from `padLeft`/`concat`/`replace`, arrays from `range`/`concat` loops. Mirrors ARM's 4 MB
/// limit on a template after expansion.
pub const MAX_VALUE_SIZE: usize = 4 * 1024 * 1024;

/// Maximum `count` of `range()` (ARM: "the count must be a non-negative integer up to 10000").
pub const MAX_RANGE_COUNT: i64 = 10_000;

/// Maximum work units (calls, lambda invocations, element comparisons) of one top-level
/// evaluation; ARM has a deployment-time budget instead. Stops pathological nested lambdas.
pub const MAX_EVAL_STEPS: u64 = 5_000_000;

/// How a JSON string value is read (reference §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringKind<'a> {
    /// `[...]`: an expression; holds the text between the brackets.
    Expression(&'a str),
    /// `[[...]`: a literal; holds the string with the first `[` removed.
    Escaped(&'a str),
    /// Any other string: a literal, unchanged.
    Literal,
}

/// Classify a JSON string value: expression, `[[` escape, or literal.
pub fn classify(s: &str) -> StringKind<'_> {
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        if s.starts_with("[[") {
            StringKind::Escaped(&s[1..])
        } else {
            StringKind::Expression(&s[1..s.len() - 1])
        }
    } else {
        StringKind::Literal
    }
}

/// True when `s` is an expression (`[...]` but not `[[...]`).
pub fn is_expression(s: &str) -> bool {
    matches!(classify(s), StringKind::Expression(_))
}

fn check_length(s: &str) -> Result<(), ParseError> {
    if s.len() > MAX_EXPRESSION_LEN
        && s.chars().map(char::len_utf16).sum::<usize>() > MAX_EXPRESSION_LEN
    {
        return Err(ParseError::new(
            ErrorKind::TooLong,
            format!("the expression is longer than {MAX_EXPRESSION_LEN} characters"),
            Span::new(0, u32::try_from(s.len()).unwrap_or(u32::MAX)),
        ));
    }
    Ok(())
}

/// Parse an expression string including its brackets (`[concat('a', 'b')]`); spans index into
/// `s`. A string that is not an expression (see [`classify`]) is a syntax error.
pub fn parse(s: &str) -> Result<Ast, ParseError> {
    check_length(s)?;
    match classify(s) {
        StringKind::Expression(body) => parser::parse_body(body, 1),
        _ => Err(ParseError::new(
            ErrorKind::Syntax,
            "not an expression: expressions start with `[` and end with `]`",
            Span::new(0, u32::try_from(s.len()).unwrap_or(u32::MAX)),
        )),
    }
}

/// Parse the text of an expression without brackets (`concat('a', 'b')`), as typed for `--eval`.
pub fn parse_bare(body: &str) -> Result<Ast, ParseError> {
    check_length(body)?;
    parser::parse_body(body, 0)
}

/// Evaluate a JSON string value: an expression is parsed and evaluated, a `[[` escape yields
/// the string without its first bracket, and any other string is returned unchanged.
pub fn evaluate_str(
    s: &str,
    env: &dyn EvalEnv,
    ctx: &DeploymentContext,
) -> Result<Value, EvalError> {
    match classify(s) {
        StringKind::Expression(_) => {
            let ast = parse(s)?;
            Evaluator::new(env, ctx).evaluate(&ast)
        }
        StringKind::Escaped(lit) => Ok(Value::string(lit)),
        StringKind::Literal => Ok(Value::string(s)),
    }
}

/// [`evaluate_str`] with another function set (e.g. the template set chained with the policy set).
pub fn evaluate_str_with(
    s: &str,
    env: &dyn EvalEnv,
    ctx: &DeploymentContext,
    functions: &FunctionSet,
) -> Result<Value, EvalError> {
    match classify(s) {
        StringKind::Expression(_) => {
            let ast = parse(s)?;
            Evaluator::new(env, ctx)
                .with_functions(functions)
                .evaluate(&ast)
        }
        StringKind::Escaped(lit) => Ok(Value::string(lit)),
        StringKind::Literal => Ok(Value::string(s)),
    }
}

/// Evaluate a parsed expression with the template function set.
pub fn evaluate_ast(
    ast: &Ast,
    env: &dyn EvalEnv,
    ctx: &DeploymentContext,
) -> Result<Value, EvalError> {
    Evaluator::new(env, ctx).evaluate(ast)
}

#[cfg(test)]
mod tests;
