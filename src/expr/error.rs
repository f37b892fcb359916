//! Error types of the expression engine: plain data with a code, a message and a byte span.
//!
//! The template expander turns these into diagnostics and maps the span (a byte range into the
//! JSON string value that holds the expression, brackets included) to a file position.

use std::fmt;

/// A byte range `start..end` into the expression string (the whole JSON string value,
/// including the outer `[` and `]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }
    /// The span as a `Range<u32>`.
    pub fn range(self) -> std::ops::Range<u32> {
        self.start..self.end
    }
    /// The span as a `Range<usize>`, for slicing the expression string.
    pub fn to_usize(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl From<Span> for std::ops::Range<u32> {
    fn from(s: Span) -> Self {
        s.range()
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

macro_rules! error_kinds {
    ($( $(#[$doc:meta])* $variant:ident = ($code:literal, $name:literal, $sev:ident, $summary:literal), )*) => {
        /// What went wrong; each kind has its own stable `ARM-EXPR-*` code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorKind {
            /// Every kind, in code order.
            pub const ALL: &'static [ErrorKind] = &[ $( ErrorKind::$variant, )* ];

            /// The stable code, e.g. `ARM-EXPR-001`.
            pub fn code(self) -> &'static str {
                match self { $( ErrorKind::$variant => $code, )* }
            }

            /// The metadata of this kind's code.
            pub fn info(self) -> crate::codes::CodeInfo {
                match self {
                    $( ErrorKind::$variant => crate::codes::CodeInfo {
                        code: $code,
                        name: $name,
                        summary: $summary,
                        default_severity: crate::codes::Severity::$sev,
                    }, )*
                }
            }
        }

        /// Every code the `expr` module can emit.
        pub const CODES: &[crate::codes::CodeInfo] = &[
            $( crate::codes::CodeInfo {
                code: $code,
                name: $name,
                summary: $summary,
                default_severity: crate::codes::Severity::$sev,
            }, )*
        ];
    };
}

error_kinds! {
    /// The expression text does not follow the grammar (`concat('a'`).
    Syntax = ("ARM-EXPR-001", "expression-syntax", Error, "The template expression is not syntactically valid."),
    /// `[]` or `[ ]`: brackets with nothing to evaluate.
    EmptyExpression = ("ARM-EXPR-002", "empty-expression", Error, "The template expression is empty."),
    /// The expression is longer than [`crate::expr::MAX_EXPRESSION_LEN`] characters.
    TooLong = ("ARM-EXPR-003", "expression-too-long", Error, "The template expression is longer than ARM's 24,576-character limit."),
    /// The expression nests deeper than [`crate::expr::MAX_AST_DEPTH`], or evaluation recursed too deep.
    TooDeep = ("ARM-EXPR-004", "expression-too-deep", Error, "The template expression or its evaluation nests too deeply."),
    /// No function of that name exists (`concatt('a')`).
    UnknownFunction = ("ARM-EXPR-005", "unknown-function", Error, "The template expression calls a function that does not exist."),
    /// The function was called with too few or too many arguments.
    Arity = ("ARM-EXPR-006", "wrong-argument-count", Error, "A template function was called with the wrong number of arguments."),
    /// An argument has the wrong type (`add('a', 1)`).
    ArgumentType = ("ARM-EXPR-007", "wrong-argument-type", Error, "A template function was called with an argument of the wrong type."),
    /// An argument has the right type but an invalid value (bad JSON, bad CIDR, bad format string...).
    InvalidArgument = ("ARM-EXPR-008", "invalid-argument", Error, "A template function was called with an invalid argument value."),
    /// 64-bit integer arithmetic overflowed.
    IntegerOverflow = ("ARM-EXPR-009", "integer-overflow", Error, "Integer arithmetic in a template expression overflows 64 bits."),
    /// `div` or `mod` by zero.
    DivisionByZero = ("ARM-EXPR-010", "division-by-zero", Error, "A template expression divides by zero."),
    /// A produced value exceeds [`crate::expr::MAX_VALUE_SIZE`] or [`crate::expr::MAX_VALUE_DEPTH`].
    ValueTooLarge = ("ARM-EXPR-011", "value-too-large", Error, "A template expression produces a value larger than the analyzer's bounds."),
    /// An index is outside an array or string.
    IndexOutOfRange = ("ARM-EXPR-012", "index-out-of-range", Error, "A template expression indexes outside an array or string."),
    /// An object has no property of that name, or a property of a non-object was read.
    MissingProperty = ("ARM-EXPR-013", "missing-property", Error, "A template expression reads a property that does not exist."),
    /// `fail('message')` was evaluated.
    Fail = ("ARM-EXPR-014", "fail-called", Error, "The template expression called fail()."),
    /// `parameters('x')` names no declared parameter.
    UndefinedParameter = ("ARM-EXPR-015", "undefined-parameter", Error, "The template expression reads a parameter that is not declared."),
    /// `variables('x')` names no declared variable (or the variable could not be evaluated).
    UndefinedVariable = ("ARM-EXPR-016", "undefined-variable", Error, "The template expression reads a variable that is not declared."),
    /// `copyIndex()` outside a copy loop, or naming an unknown loop.
    CopyIndex = ("ARM-EXPR-017", "copy-index-outside-loop", Error, "copyIndex() is used outside a copy loop or names an unknown loop."),
    /// `lambda(...)` used outside a lambda function, or `lambdaVariables` with an unknown name.
    Lambda = ("ARM-EXPR-018", "invalid-lambda", Error, "A lambda or lambda variable is used where it is not allowed."),
    /// A user-defined function is unknown, recursive, or called with the wrong arguments.
    UserFunction = ("ARM-EXPR-019", "invalid-user-function-call", Error, "A user-defined function call is invalid or recursive."),
    /// A scope function is not available at the deployment scope (`resourceGroup()` at subscription scope).
    ScopeUnavailable = ("ARM-EXPR-020", "scope-function-unavailable", Error, "A scope function is used at a deployment scope where it is not available."),
    /// Evaluation did more work than [`crate::expr::MAX_EVAL_STEPS`].
    BudgetExceeded = ("ARM-EXPR-021", "evaluation-budget-exceeded", Error, "Evaluating the template expression takes more steps than the analyzer allows."),
    /// A feature the analyzer does not model (e.g. an unsupported .NET format specifier).
    Unsupported = ("ARM-EXPR-022", "unsupported-expression-feature", Warning, "The template expression uses a feature the analyzer does not support."),
    /// A bare literal at top level (`['abc']`), accepted leniently.
    BareLiteral = ("ARM-EXPR-023", "bare-literal-expression", Warning, "The template expression is a bare literal, not a function call."),
}

/// The expression could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// One sentence describing the problem.
    pub message: String,
    /// Where, as a byte range into the expression string.
    pub span: Span,
}

impl ParseError {
    /// A new parse error.
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> ParseError {
        ParseError {
            kind,
            message: message.into(),
            span,
        }
    }
    /// The stable code (`ARM-EXPR-001`).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (at {})", self.code(), self.message, self.span)
    }
}

impl std::error::Error for ParseError {}

/// The expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// One sentence describing the problem.
    pub message: String,
    /// Where, as a byte range into the expression string (usually the failing call).
    pub span: Span,
}

impl EvalError {
    /// A new evaluation error.
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> EvalError {
        EvalError {
            kind,
            message: message.into(),
            span,
        }
    }
    /// The stable code (`ARM-EXPR-007`).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl From<ParseError> for EvalError {
    fn from(e: ParseError) -> Self {
        EvalError {
            kind: e.kind,
            message: e.message,
            span: e.span,
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (at {})", self.code(), self.message, self.span)
    }
}

impl std::error::Error for EvalError {}

/// An error raised by an [`crate::expr::EvalEnv`] callback; it has no span, the evaluator
/// attaches the span of the call that triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    /// What went wrong (typically [`ErrorKind::UndefinedParameter`], [`ErrorKind::UndefinedVariable`]
    /// or [`ErrorKind::CopyIndex`]).
    pub kind: ErrorKind,
    /// One sentence describing the problem.
    pub message: String,
}

impl EnvError {
    /// A new environment error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> EnvError {
        EnvError {
            kind,
            message: message.into(),
        }
    }
    /// Attach a span.
    pub fn at(self, span: Span) -> EvalError {
        EvalError {
            kind: self.kind,
            message: self.message,
            span,
        }
    }
}
