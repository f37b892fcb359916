//! Unit tests: every `expr --> json` example of the registry, and error cases.

use super::*;

fn eval(src: &str) -> Result<Value, EvalError> {
    let ast = parse_bare(src)?;
    evaluate_ast(&ast, &EmptyEnv, &DeploymentContext::default())
}

#[test]
fn registry_examples() {
    let mut failures = Vec::new();
    let mut count = 0;
    for def in FunctionSet::template().functions() {
        if def.examples.is_empty() {
            failures.push(format!("{}: no examples", def.name));
        }
        for ex in def.examples {
            count += 1;
            let Some((expr, want)) = ex.split_once(" --> ") else {
                failures.push(format!("{}: malformed example `{ex}`", def.name));
                continue;
            };
            if let Some(code) = want.strip_prefix("error ") {
                match eval(expr) {
                    Err(e) if e.code() == code => {}
                    other => {
                        failures.push(format!("{expr}\n    want error {code}\n    got {other:?}"))
                    }
                }
                continue;
            }
            let want: serde_json::Value = match serde_json::from_str(want) {
                Ok(w) => w,
                Err(e) => {
                    failures.push(format!("{}: bad expected JSON in `{ex}`: {e}", def.name));
                    continue;
                }
            };
            match eval(expr) {
                Ok(v) if v.to_json() == want => {}
                Ok(v) => {
                    failures.push(format!("{expr}\n    want {want}\n    got  {}", v.to_json()))
                }
                Err(e) => failures.push(format!("{expr}\n    want {want}\n    error {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count > 200, "only {count} examples");
}

#[test]
fn every_reference_function_is_registered() {
    let doc = "array concat contains createArray distinct empty first flatten indexFromEnd indexOf intersection last lastIndexOf length max min range skip take tryGet tryIndexFromEnd union \
        parseCidr cidrSubnet cidrHost coalesce equals greater greaterOrEquals less lessOrEquals \
        dateTimeAdd dateTimeFromEpoch dateTimeToEpoch utcNow deployer deployment environment parameters variables externalInputs \
        filter groupBy map mapValues reduce sort toObject lambda lambdaVariables and bool false if not or true \
        add copyIndex div float int mod mul sub createObject items json null objectKeys shallowMerge \
        extensionResourceId listKeys listOutputsWithSecureValues managementGroupResourceId pickZones providers reference references resourceId resourceInfo roleDefinitions subscriptionResourceId tenantResourceId toLogicalZone toLogicalZones toPhysicalZone toPhysicalZones \
        managementGroup resourceGroup subscription tenant \
        base64 base64ToJson base64ToString buildUri dataUri dataUriToString endsWith format guid join like newGuid padLeft parseUri replace split startsWith string substring toLower toUpper trim uniqueString uri uriComponent uriComponentToString fail";
    let set = FunctionSet::template();
    let missing: Vec<&str> = doc
        .split_whitespace()
        .filter(|n| set.get(&n.to_lowercase()).is_none())
        .collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
}

fn err(src: &str) -> EvalError {
    match eval(src) {
        Err(e) => e,
        Ok(v) => panic!("{src} evaluated to {v}"),
    }
}

#[test]
fn error_codes_and_spans() {
    let e = err("concat('a', nope(1))");
    assert_eq!(e.kind, ErrorKind::UnknownFunction);
    assert_eq!(e.span, Span::new(12, 16));
    assert_eq!(err("add(1)").kind, ErrorKind::Arity);
    let e = err("add('a', 1)");
    assert_eq!(e.kind, ErrorKind::ArgumentType);
    assert_eq!(e.span, Span::new(4, 7));
    assert_eq!(
        err("add(9223372036854775807, 1)").kind,
        ErrorKind::IntegerOverflow
    );
    assert_eq!(
        err("mul(4611686018427387904, 2)").kind,
        ErrorKind::IntegerOverflow
    );
    assert_eq!(err("div(1, 0)").kind, ErrorKind::DivisionByZero);
    assert_eq!(err("mod(1, 0)").kind, ErrorKind::DivisionByZero);
    assert_eq!(err("fail('boom')").kind, ErrorKind::Fail);
    assert_eq!(err("createArray(1)[1]").kind, ErrorKind::IndexOutOfRange);
    assert_eq!(
        err("createObject('a', 1).b").kind,
        ErrorKind::MissingProperty
    );
    assert_eq!(err("null().a").kind, ErrorKind::MissingProperty);
    assert_eq!(err("parameters('p')").kind, ErrorKind::UndefinedParameter);
    assert_eq!(err("variables('v')").kind, ErrorKind::UndefinedVariable);
    assert_eq!(err("copyIndex()").kind, ErrorKind::CopyIndex);
    assert_eq!(err("lambda('x', 1)").kind, ErrorKind::Lambda);
    assert_eq!(err("lambdaVariables('x')").kind, ErrorKind::Lambda);
    assert_eq!(err("map(createArray(1), 1)").kind, ErrorKind::Lambda);
    assert_eq!(err("range(0, 10001)").kind, ErrorKind::InvalidArgument);
    assert_eq!(err("range(2147483647, 1)").kind, ErrorKind::InvalidArgument);
    assert_eq!(
        err("padLeft('a', 100000000, 'x')").kind,
        ErrorKind::ValueTooLarge
    );
    assert_eq!(
        err("substring('abc', 2, 2)").kind,
        ErrorKind::IndexOutOfRange
    );
    assert_eq!(err("json('{')").kind, ErrorKind::InvalidArgument);
    assert_eq!(err("format('{1}', 'a')").kind, ErrorKind::InvalidArgument);
    assert_eq!(err("format('{0', 'a')").kind, ErrorKind::InvalidArgument);
    assert_eq!(err("format('}', 'a')").kind, ErrorKind::InvalidArgument);
    assert_eq!(err("format('{0:Q}', 1)").kind, ErrorKind::Unsupported);
    assert_eq!(
        err("resourceId('Microsoft.Sql/servers/databases', 'a')").kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        err("indexFromEnd(createArray(1), 2)").kind,
        ErrorKind::IndexOutOfRange
    );
    assert_eq!(err("greater(1, 'a')").kind, ErrorKind::ArgumentType);
    assert_eq!(err("uniqueString(1)").kind, ErrorKind::ArgumentType);
    assert_eq!(
        err("cidrHost('10.0.0.0/30', 2)").kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        err("cidrSubnet('10.0.0.0/24', 23, 0)").kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        err("dateTimeAdd('nope', 'P1D')").kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(err("bool('yes')").kind, ErrorKind::InvalidArgument);
    assert_eq!(err("if(1, 2, 3)").kind, ErrorKind::ArgumentType);
    assert_eq!(err("and(true(), 1)").kind, ErrorKind::ArgumentType);
    assert_eq!(err("createObject('a')").kind, ErrorKind::Arity);
    // Runaway nesting of lambdas is stopped by the step budget.
    let e = err(
        "map(range(0, 10000), lambda('a', map(range(0, 10000), lambda('b', map(range(0, 10000), lambda('c', 1))))))",
    );
    assert!(
        matches!(e.kind, ErrorKind::BudgetExceeded | ErrorKind::ValueTooLarge),
        "{e}"
    );
    // Doubling a value 64 times is stopped by the size bound.
    let e = err(
        "reduce(range(0, 64), createArray(1), lambda('a', 'i', createArray(lambdaVariables('a'), lambdaVariables('a'))))",
    );
    assert!(
        matches!(e.kind, ErrorKind::ValueTooLarge | ErrorKind::TooDeep),
        "{e}"
    );
    let e = err("reduce(range(0, 200), 1, lambda('a', 'i', createArray(lambdaVariables('a'))))");
    assert_eq!(e.kind, ErrorKind::ValueTooLarge);
}

#[test]
fn parse_errors() {
    let p = |s: &str| parse(s).unwrap_err();
    assert_eq!(p("[concat('a'").kind, ErrorKind::Syntax);
    assert_eq!(p("[]").kind, ErrorKind::EmptyExpression);
    assert_eq!(p("[ ]").kind, ErrorKind::EmptyExpression);
    assert_eq!(p("[concat('a)]").kind, ErrorKind::Syntax);
    assert_eq!(p("[concat('a') x]").kind, ErrorKind::Syntax);
    assert_eq!(p("[a.b.c()]").kind, ErrorKind::Syntax);
    assert_eq!(p("[f(1.5)]").kind, ErrorKind::Syntax);
    assert_eq!(
        p("[f(99999999999999999999)]").kind,
        ErrorKind::IntegerOverflow
    );
    let deep = format!("[{}1{}]", "f(".repeat(500), ")".repeat(500));
    assert_eq!(p(&deep).kind, ErrorKind::TooDeep);
    let chain = format!("[f(){}]", ".a".repeat(5000));
    assert_eq!(p(&chain).kind, ErrorKind::TooDeep);
    let long = format!("[concat('{}')]", "a".repeat(MAX_EXPRESSION_LEN));
    assert_eq!(p(&long).kind, ErrorKind::TooLong);
    let e = p("[concat('a', ]");
    assert_eq!(e.span, Span::new(13, 13));
}

#[test]
fn classification() {
    assert_eq!(classify("[test]"), StringKind::Expression("test"));
    assert_eq!(classify("[[test]"), StringKind::Escaped("[test]"));
    assert_eq!(classify("[[]"), StringKind::Escaped("[]"));
    assert_eq!(classify("[test"), StringKind::Literal);
    assert_eq!(classify("a[b]"), StringKind::Literal);
    assert_eq!(classify("[[x"), StringKind::Literal);
    let ctx = DeploymentContext::default();
    assert_eq!(
        evaluate_str("[[test[]test2]", &EmptyEnv, &ctx).unwrap(),
        Value::string("[test[]test2]")
    );
    assert_eq!(
        evaluate_str("plain", &EmptyEnv, &ctx).unwrap(),
        Value::string("plain")
    );
    assert_eq!(
        evaluate_str("[ toUpper( 'a' ) ]", &EmptyEnv, &ctx).unwrap(),
        Value::string("A")
    );
    assert_eq!(
        evaluate_str("[\n  concat('a',\r\n\t'b')\n]", &EmptyEnv, &ctx).unwrap(),
        Value::string("ab")
    );
    assert_eq!(
        evaluate_str("[CONCAT('it''s', 'x')]", &EmptyEnv, &ctx).unwrap(),
        Value::string("it'sx")
    );
    assert_eq!(
        evaluate_str("['lit']", &EmptyEnv, &ctx).unwrap(),
        Value::string("lit")
    );
    assert!(parse("['lit']").unwrap().is_bare_literal());
}

#[test]
fn unknown_propagation() {
    let u = "reference('x')";
    let ev = |s: String| eval(&s).unwrap();
    assert!(ev(format!("concat('a', {u})")).is_unknown());
    assert!(ev(format!("equals({u}, 1)")).is_unknown());
    assert!(ev(format!("{u}.properties.x")).is_unknown());
    assert!(ev(format!("{u}[0]")).is_unknown());
    assert_eq!(ev(format!("if(false(), {u}, 'x')")), Value::string("x"));
    assert!(ev(format!("if({u}, 1, 2)")).is_unknown());
    assert_eq!(
        ev(format!("coalesce(null(), 'x', {u})")),
        Value::string("x")
    );
    assert!(ev(format!("coalesce(null(), {u}, 'x')")).is_unknown());
    assert_eq!(ev(format!("length(createArray({u}, {u}))")), Value::Int(2));
    assert_eq!(ev(format!("and({u}, false())")), Value::Bool(false));
    assert_eq!(ev(format!("or({u}, true())")), Value::Bool(true));
    assert!(ev(format!("and({u}, true())")).is_unknown());
    assert_eq!(
        ev(format!("contains(createArray({u}, 1), 1)")),
        Value::Bool(true)
    );
    assert!(ev(format!("contains(createArray({u}, 1), 2)")).is_unknown());
    assert!(
        ev(format!("map(createArray(1), lambda('x', {u}))"))
            .as_array()
            .unwrap()[0]
            .is_unknown()
    );
    assert!(ev("utcNow()".into()).is_unknown());
    assert!(ev("newGuid()".into()).is_unknown());
    assert!(ev("listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value".into()).is_unknown());
    assert!(ev("pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')".into()).is_unknown());
    assert!(ev("deployer().objectId".into()).is_unknown());
    let v = ev(
        "reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet')).subnets".to_string(),
    );
    let p = v.as_unknown().unwrap();
    assert_eq!(p.function.as_deref(), Some("reference"));
    assert!(
        p.resource_id
            .as_deref()
            .unwrap()
            .ends_with("/virtualNetworks/vnet")
    );
    let j = v.to_json();
    assert!(
        j["$unknown"]
            .as_str()
            .unwrap()
            .starts_with("reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet'))")
    );
}

#[test]
fn values_are_send_and_sync() {
    fn assert<T: Send + Sync>() {}
    assert::<Value>();
    assert::<Provenance>();
    assert::<Ast>();
    assert::<FunctionSet>();
    assert::<UserFunction>();
}

#[test]
fn context_deserializes_with_defaults() {
    let ctx: DeploymentContext = serde_json::from_str(
        r#"{"subscriptionId": "s", "scope": "subscription", "cloud": "AzureChinaCloud"}"#,
    )
    .unwrap();
    assert_eq!(ctx.subscription_id, "s");
    assert_eq!(ctx.scope, DeploymentScope::Subscription);
    assert_eq!(ctx.cloud, Cloud::AzureChinaCloud);
    assert_eq!(ctx.resource_group, "DummyResourceGroup");
    assert_eq!(
        DeploymentScope::from_schema(
            "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
        ),
        Some(DeploymentScope::Subscription)
    );
}

/// Deep chains of user-defined functions, each body nested close to the AST limit, must end in
/// a depth error (or a value), never a stack overflow, on a 2 MiB thread in debug builds.
#[test]
fn deep_user_function_chains_do_not_overflow_the_stack() {
    use std::sync::Arc;
    struct Chain(Vec<Arc<UserFunction>>);
    impl EvalEnv for Chain {
        fn user_function(&self, _: &str, name: &str) -> Option<Arc<UserFunction>> {
            let i: usize = name.strip_prefix('f')?.parse().ok()?;
            self.0.get(i).cloned()
        }
    }
    let depth = MAX_AST_DEPTH - 2;
    let mut fns = Vec::new();
    for i in 0..MAX_USER_CALL_DEPTH + 4 {
        let body = format!(
            "[{}ns.f{}(1){}]",
            "concat(".repeat(depth),
            i + 1,
            ")".repeat(depth)
        );
        fns.push(Arc::new(UserFunction {
            namespace: "ns".into(),
            name: format!("f{i}"),
            parameters: vec!["x".into()],
            output: CompiledValue::compile(&serde_json::Value::String(body)).unwrap(),
        }));
    }
    let env = Chain(fns);
    let r = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            evaluate_str("[ns.f0(1)]", &env, &DeploymentContext::default()).map_err(|e| e.kind)
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(r, Err(ErrorKind::TooDeep));
}
