//! Recursive-descent parser (depth-bounded) from tokens to [`Ast`].

use std::sync::Arc;

use super::MAX_AST_DEPTH;
use super::ast::{Ast, Call, Expr, ExprKind};
use super::error::{ErrorKind, ParseError, Span};
use super::lexer::{Tok, Token, tokenize};

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
}

/// Parse the text of an expression without its brackets; spans are offset by `base`.
pub fn parse_body(src: &str, base: u32) -> Result<Ast, ParseError> {
    let toks = tokenize(src, base)?;
    if toks.len() == 1 {
        return Err(ParseError::new(
            ErrorKind::EmptyExpression,
            "the expression is empty",
            Span::new(base.saturating_sub(1), base + src.len() as u32 + 1),
        ));
    }
    let mut p = Parser { toks, pos: 0 };
    let expr = p.expr(0)?;
    let t = p.peek();
    if t.tok != Tok::Eof {
        return Err(ParseError::new(
            ErrorKind::Syntax,
            format!(
                "unexpected {} after the end of the expression",
                t.tok.describe()
            ),
            t.span,
        ));
    }
    Ok(Ast { expr })
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token<'a> {
        // The token list always ends with Eof and `pos` never passes it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn bump(&mut self) -> Token<'a> {
        if self.pos < self.toks.len() - 1 {
            // Take the token out (leaving a span-preserving placeholder) instead of cloning it.
            let span = self.toks[self.pos].span;
            let t = std::mem::replace(
                &mut self.toks[self.pos],
                Token {
                    tok: Tok::Eof,
                    span,
                },
            );
            self.pos += 1;
            t
        } else {
            self.peek().clone()
        }
    }
    fn expect(&mut self, tok: Tok<'a>, what: &str) -> Result<Token<'a>, ParseError> {
        let t = self.bump();
        if t.tok == tok {
            Ok(t)
        } else {
            Err(ParseError::new(
                ErrorKind::Syntax,
                format!("expected {what}, found {}", t.tok.describe()),
                t.span,
            ))
        }
    }
    fn too_deep(span: Span) -> ParseError {
        ParseError::new(
            ErrorKind::TooDeep,
            format!("the expression nests deeper than {MAX_AST_DEPTH} levels"),
            span,
        )
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth > MAX_AST_DEPTH {
            return Err(Self::too_deep(self.peek().span));
        }
        let mut e = self.primary(depth)?;
        let mut d = depth;
        loop {
            match self.peek().tok {
                Tok::Dot => {
                    d += 1;
                    if d > MAX_AST_DEPTH {
                        return Err(Self::too_deep(self.peek().span));
                    }
                    self.bump();
                    let t = self.bump();
                    let name = match t.tok {
                        Tok::Ident(s) => s,
                        other => {
                            return Err(ParseError::new(
                                ErrorKind::Syntax,
                                format!(
                                    "expected a property name after `.`, found {}",
                                    other.describe()
                                ),
                                t.span,
                            ));
                        }
                    };
                    let span = e.span.join(t.span);
                    e = Expr {
                        kind: ExprKind::Property {
                            target: Box::new(e),
                            name: name.into(),
                            name_span: t.span,
                        },
                        span,
                    };
                }
                Tok::LBracket => {
                    d += 1;
                    if d > MAX_AST_DEPTH {
                        return Err(Self::too_deep(self.peek().span));
                    }
                    self.bump();
                    let index = self.expr(d)?;
                    let close = self.expect(Tok::RBracket, "`]`")?;
                    let span = e.span.join(close.span);
                    e = Expr {
                        kind: ExprKind::Index {
                            target: Box::new(e),
                            index: Box::new(index),
                        },
                        span,
                    };
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let t = self.bump();
        match t.tok {
            Tok::Str(s) => Ok(Expr {
                kind: ExprKind::Str(s.into()),
                span: t.span,
            }),
            Tok::Int(i) => Ok(Expr {
                kind: ExprKind::Int(i),
                span: t.span,
            }),
            Tok::Ident(first) => {
                let mut name_span = t.span;
                let (namespace, name) = if self.peek().tok == Tok::Dot {
                    self.bump();
                    let t2 = self.bump();
                    match t2.tok {
                        Tok::Ident(member) => {
                            name_span = name_span.join(t2.span);
                            (Some(Arc::<str>::from(first)), member)
                        }
                        other => {
                            return Err(ParseError::new(
                                ErrorKind::Syntax,
                                format!(
                                    "expected a function name after `{first}.`, found {}",
                                    other.describe()
                                ),
                                t2.span,
                            ));
                        }
                    }
                } else {
                    (None, first)
                };
                let open = self.bump();
                if open.tok != Tok::LParen {
                    return Err(ParseError::new(
                        ErrorKind::Syntax,
                        format!(
                            "expected `(` after function name `{name}`, found {}",
                            open.tok.describe()
                        ),
                        open.span,
                    ));
                }
                let mut args = Vec::new();
                if self.peek().tok == Tok::RParen {
                    self.bump();
                } else {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        let t = self.bump();
                        match t.tok {
                            Tok::Comma => continue,
                            Tok::RParen => break,
                            other => {
                                return Err(ParseError::new(
                                    ErrorKind::Syntax,
                                    format!(
                                        "expected `,` or `)` in the arguments of `{name}`, found {}",
                                        other.describe()
                                    ),
                                    t.span,
                                ));
                            }
                        }
                    }
                }
                let end = self.toks[self.pos.saturating_sub(1)].span;
                let key = name.to_lowercase().into_boxed_str();
                Ok(Expr {
                    kind: ExprKind::Call(Box::new(Call {
                        namespace,
                        name: name.into(),
                        key,
                        name_span,
                        args,
                    })),
                    span: name_span.join(end),
                })
            }
            other => Err(ParseError::new(
                ErrorKind::Syntax,
                format!(
                    "expected a function call, string or integer, found {}",
                    other.describe()
                ),
                t.span,
            )),
        }
    }
}
