//! Property tests: print → parse round trips, and arbitrary input never panics.

use armgraph::expr::{
    Call, DeploymentContext, EmptyEnv, Expr, ExprKind, Span, evaluate_str, parse, parse_bare,
};
use proptest::prelude::*;

fn ident() -> impl Strategy<Value = String> {
    "[a-zA-Z_$][a-zA-Z0-9_$]{0,8}"
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<i64>().prop_map(|i| Expr {
            kind: ExprKind::Int(i),
            span: Span::default()
        }),
        "[a-z' \\[\\](),.{}\u{e9}\u{1F600}]{0,10}".prop_map(|s| Expr {
            kind: ExprKind::Str(s.into()),
            span: Span::default()
        }),
        ident().prop_map(|n| call(None, n, vec![])),
    ]
}

fn call(ns: Option<String>, name: String, args: Vec<Expr>) -> Expr {
    let key = name.to_lowercase().into_boxed_str();
    Expr {
        kind: ExprKind::Call(Box::new(Call {
            namespace: ns.map(Into::into),
            name: name.into(),
            key,
            name_span: Span::default(),
            args,
        })),
        span: Span::default(),
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            (
                proptest::option::of(ident()),
                ident(),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(ns, n, args)| call(ns, n, args)),
            (inner.clone(), ident()).prop_map(|(t, n)| Expr {
                kind: ExprKind::Property {
                    target: Box::new(t),
                    name: n.into(),
                    name_span: Span::default()
                },
                span: Span::default(),
            }),
            (inner.clone(), inner).prop_map(|(t, i)| Expr {
                kind: ExprKind::Index {
                    target: Box::new(t),
                    index: Box::new(i)
                },
                span: Span::default(),
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_parse_print(e in expr()) {
        let printed = format!("[{e}]");
        let ast = parse(&printed).map_err(|err| TestCaseError::fail(format!("{printed}: {err}")))?;
        prop_assert!(ast.expr.eq_ignore_spans(&e), "{} reparsed as {}", printed, ast);
        prop_assert_eq!(ast.to_string(), printed.clone());
        // Spans stay inside the string.
        prop_assert!(ast.expr.span.end as usize <= printed.len());
        let bare = parse_bare(&e.to_string()).map_err(|err| TestCaseError::fail(err.to_string()))?;
        prop_assert!(bare.expr.eq_ignore_spans(&e));
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,80}") {
        let ctx = DeploymentContext::default();
        let _ = evaluate_str(&format!("[{s}]"), &EmptyEnv, &ctx);
        let _ = evaluate_str(&s, &EmptyEnv, &ctx);
    }

    #[test]
    fn generated_calls_never_panic(e in expr()) {
        let ctx = DeploymentContext::default();
        let _ = evaluate_str(&format!("[{e}]"), &EmptyEnv, &ctx);
    }

    #[test]
    fn known_functions_with_random_args_never_panic(
        f in prop::sample::select(armgraph::expr::FunctionSet::template().functions().iter().map(|d| d.name.trim_end_matches('*').to_string()).collect::<Vec<_>>()),
        args in prop::collection::vec(prop_oneof![
            Just("'a'".to_string()), Just("''".to_string()), Just("-1".to_string()), Just("0".to_string()),
            Just("9223372036854775807".to_string()), Just("createArray(1, 'x')".to_string()),
            Just("createObject('k', 1)".to_string()), Just("null()".to_string()), Just("true()".to_string()),
            Just("'10.0.0.0/8'".to_string()), Just("'2020-01-01T00:00:00Z'".to_string()), Just("'P1D'".to_string()),
            Just("lambda('x', lambdaVariables('x'))".to_string()), Just("'{0}'".to_string()), Just("'\u{1F600}'".to_string()),
            Just("json('1.5')".to_string()), Just("reference('r')".to_string()), Just("32".to_string()),
        ], 0..5),
    ) {
        let ctx = DeploymentContext::default();
        let src = format!("[{f}({})]", args.join(", "));
        let _ = evaluate_str(&src, &EmptyEnv, &ctx);
    }
}
