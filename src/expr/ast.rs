//! The syntax tree of an expression, with byte spans into the expression string.
//!
//! `Display` prints a canonical form without the outer brackets (`concat('a', 'b')`) that
//! parses back to the same tree.

use std::fmt;
use std::sync::Arc;

use super::error::Span;

/// A parsed expression (the text between the outer brackets).
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    /// The root expression.
    pub expr: Expr,
}

impl Ast {
    /// True when the top level is a literal rather than a call (`['abc']`), which ARM itself
    /// probably rejects; accepted here leniently (see [`super::ErrorKind::BareLiteral`]).
    pub fn is_bare_literal(&self) -> bool {
        let mut e = &self.expr;
        loop {
            match &e.kind {
                ExprKind::Str(_) | ExprKind::Int(_) => return true,
                ExprKind::Call(_) => return false,
                ExprKind::Property { target, .. } | ExprKind::Index { target, .. } => e = target,
            }
        }
    }
    /// Every call in the tree, outermost first (for statistics and dependency discovery).
    pub fn calls(&self) -> Vec<&Call> {
        let mut out = Vec::new();
        self.expr.collect_calls(&mut out);
        out
    }
}

impl fmt::Display for Ast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.expr)
    }
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of node.
    pub kind: ExprKind,
    /// Where it is in the expression string.
    pub span: Span,
}

/// The node kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A string literal: `'abc'`, `'it''s'` (the value is `it's`).
    Str(Arc<str>),
    /// An integer literal: `42`, `-13`.
    Int(i64),
    /// A function call: `concat('a', 'b')`, `__bicep.myFunc(1)`.
    Call(Box<Call>),
    /// Property access: `resourceGroup().location`.
    Property {
        /// The object read from.
        target: Box<Expr>,
        /// The property name as written.
        name: Arc<str>,
        /// Span of the name.
        name_span: Span,
    },
    /// Index access: `parameters('a')[0]`, `variables('o')['key']`.
    Index {
        /// The array or object read from.
        target: Box<Expr>,
        /// The index or key expression.
        index: Box<Expr>,
    },
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The namespace of a user-defined function (`__bicep` in `__bicep.f()`), if any.
    pub namespace: Option<Arc<str>>,
    /// The function name as written.
    pub name: Arc<str>,
    /// The lowercase name (namespace-less), used for case-insensitive lookup.
    pub key: Box<str>,
    /// Span of the (possibly qualified) name.
    pub name_span: Span,
    /// The arguments.
    pub args: Vec<Expr>,
}

impl Expr {
    fn collect_calls<'a>(&'a self, out: &mut Vec<&'a Call>) {
        match &self.kind {
            ExprKind::Str(_) | ExprKind::Int(_) => {}
            ExprKind::Call(c) => {
                out.push(c);
                for a in &c.args {
                    a.collect_calls(out);
                }
            }
            ExprKind::Property { target, .. } => target.collect_calls(out),
            ExprKind::Index { target, index } => {
                target.collect_calls(out);
                index.collect_calls(out);
            }
        }
    }

    /// Structural equality that ignores spans (for round-trip tests).
    pub fn eq_ignore_spans(&self, other: &Expr) -> bool {
        match (&self.kind, &other.kind) {
            (ExprKind::Str(a), ExprKind::Str(b)) => a == b,
            (ExprKind::Int(a), ExprKind::Int(b)) => a == b,
            (ExprKind::Call(a), ExprKind::Call(b)) => {
                a.namespace == b.namespace
                    && a.name == b.name
                    && a.args.len() == b.args.len()
                    && a.args
                        .iter()
                        .zip(&b.args)
                        .all(|(x, y)| x.eq_ignore_spans(y))
            }
            (
                ExprKind::Property {
                    target: t1,
                    name: n1,
                    ..
                },
                ExprKind::Property {
                    target: t2,
                    name: n2,
                    ..
                },
            ) => n1 == n2 && t1.eq_ignore_spans(t2),
            (
                ExprKind::Index {
                    target: t1,
                    index: i1,
                },
                ExprKind::Index {
                    target: t2,
                    index: i2,
                },
            ) => t1.eq_ignore_spans(t2) && i1.eq_ignore_spans(i2),
            _ => false,
        }
    }
}

/// Write a string literal with `'` doubled.
pub fn write_string_literal(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for part in s.split('\'').enumerate() {
        if part.0 > 0 {
            f.write_str("''")?;
        }
        f.write_str(part.1)?;
    }
    f.write_char('\'')
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Str(s) => write_string_literal(f, s),
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Call(c) => write!(f, "{c}"),
            ExprKind::Property { target, name, .. } => write!(f, "{target}.{name}"),
            ExprKind::Index { target, index } => write!(f, "{target}[{index}]"),
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}.")?;
        }
        write!(f, "{}(", self.name)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")
    }
}
