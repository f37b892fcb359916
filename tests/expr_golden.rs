//! Golden edge cases in `testdata/expr/*.txt`.
//!
//! Each line is `<JSON string value as written, without JSON escaping> --> <expected>`, where
//! the expected part is JSON or `error ARM-EXPR-NNN`. `#` starts a comment line. Directives:
//! `@scope resourceGroup|subscription|managementGroup|tenant` and `@cloud <Cloud>` change the
//! deployment context for the following lines of the file.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use armgraph::expr::{
    Cloud, CompiledValue, DeploymentContext, DeploymentScope, EnvError, ErrorKind, EvalEnv,
    IdUsage, Provenance, ReferenceRequest, UserFunction, Value, evaluate_str,
};

struct GoldenEnv {
    params: HashMap<String, Value>,
    vars: HashMap<String, Value>,
    functions: HashMap<String, Arc<UserFunction>>,
    recorded: RefCell<Vec<(String, IdUsage)>>,
}

fn user_fn(
    ns: &str,
    name: &str,
    params: &[&str],
    body: serde_json::Value,
) -> (String, Arc<UserFunction>) {
    let f = UserFunction {
        namespace: ns.into(),
        name: name.into(),
        parameters: params.iter().map(|p| Arc::<str>::from(*p)).collect(),
        output: CompiledValue::compile(&body).expect("user function body parses"),
    };
    (format!("{ns}.{name}").to_lowercase(), Arc::new(f))
}

impl GoldenEnv {
    fn new() -> GoldenEnv {
        let j = |s: &str| {
            Value::from(serde_json::from_str::<serde_json::Value>(s).expect("valid JSON"))
        };
        let params = [
            ("name", j(r#""demo""#)),
            ("count", j("3")),
            (
                "obj",
                j(r#"{"a": 1, "Nested": {"b": "x"}, "list": [1, 2]}"#),
            ),
            ("arr", j(r#"["x", "y", "z"]"#)),
            ("flag", j("true")),
            ("ratio", j("0.5")),
            (
                "secret",
                Value::unknown(Provenance::missing_parameter("secret")),
            ),
        ];
        let vars = [("prefix", j(r#""pre""#)), ("list", j("[1, 2, 3]"))];
        let functions = [
            user_fn(
                "__bicep",
                "greet",
                &["name"],
                serde_json::json!("[format('Hello, {0}!', parameters('name'))]"),
            ),
            user_fn(
                "__bicep",
                "pair",
                &["a", "b"],
                serde_json::json!({"first": "[parameters('a')]", "second": "[parameters('b')]", "lit": "[[x]"}),
            ),
            user_fn(
                "__bicep",
                "usesVar",
                &[],
                serde_json::json!("[variables('prefix')]"),
            ),
            user_fn(
                "__bicep",
                "callsGreet",
                &["n"],
                serde_json::json!("[__bicep.greet(toUpper(parameters('n')))]"),
            ),
            user_fn(
                "ns",
                "rec",
                &["x"],
                serde_json::json!("[ns.rec(parameters('x'))]"),
            ),
            user_fn(
                "ns",
                "lambdaInside",
                &["xs"],
                serde_json::json!(
                    "[map(parameters('xs'), lambda('v', add(lambdaVariables('v'), 1)))]"
                ),
            ),
        ];
        GoldenEnv {
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
            functions: functions.into_iter().collect(),
            recorded: RefCell::new(Vec::new()),
        }
    }
}

impl EvalEnv for GoldenEnv {
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        self.params
            .get(&name.to_lowercase())
            .cloned()
            .ok_or_else(|| {
                EnvError::new(
                    ErrorKind::UndefinedParameter,
                    format!("no parameter '{name}'"),
                )
            })
    }
    fn variable(&self, name: &str) -> Result<Value, EnvError> {
        if name.eq_ignore_ascii_case("cycle") {
            return Err(EnvError::new(
                ErrorKind::UndefinedVariable,
                "circular reference: cycle -> cycle",
            ));
        }
        self.vars.get(&name.to_lowercase()).cloned().ok_or_else(|| {
            EnvError::new(
                ErrorKind::UndefinedVariable,
                format!("no variable '{name}'"),
            )
        })
    }
    fn copy_index(&self, loop_name: Option<&str>) -> Result<i64, EnvError> {
        match loop_name {
            None => Ok(2),
            Some(n) if n.eq_ignore_ascii_case("inner") => Ok(5),
            Some(n) => Err(EnvError::new(
                ErrorKind::CopyIndex,
                format!("no copy loop named '{n}'"),
            )),
        }
    }
    fn user_function(&self, namespace: &str, name: &str) -> Option<Arc<UserFunction>> {
        self.functions
            .get(&format!("{namespace}.{name}").to_lowercase())
            .cloned()
    }
    fn reference(&self, request: &ReferenceRequest<'_>) -> Option<Value> {
        let target = request.target.as_str()?;
        if request.function.eq_ignore_ascii_case("reference")
            && target.eq_ignore_ascii_case("declared")
        {
            let mut o = armgraph::expr::Object::new();
            o.insert("provisioningState", Value::string("Succeeded"));
            return Some(Value::object(o));
        }
        None
    }
    fn record_resource_id(&self, id: &str, usage: IdUsage) {
        self.recorded.borrow_mut().push((id.to_string(), usage));
    }
}

#[test]
fn golden_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/expr");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/expr exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let env = GoldenEnv::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable golden file");
        let mut ctx = DeploymentContext::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let loc = format!(
                "{}:{}",
                file.file_name().unwrap_or_default().to_string_lossy(),
                n + 1
            );
            if let Some(d) = line.strip_prefix('@') {
                match d.split_once(' ') {
                    Some(("scope", s)) => {
                        ctx.scope = match s {
                            "resourceGroup" => DeploymentScope::ResourceGroup,
                            "subscription" => DeploymentScope::Subscription,
                            "managementGroup" => DeploymentScope::ManagementGroup,
                            "tenant" => DeploymentScope::Tenant,
                            other => panic!("{loc}: unknown scope {other}"),
                        }
                    }
                    Some(("cloud", c)) => {
                        ctx.cloud = match c {
                            "AzureCloud" => Cloud::AzureCloud,
                            "AzureChinaCloud" => Cloud::AzureChinaCloud,
                            "AzureUSGovernment" => Cloud::AzureUSGovernment,
                            other => panic!("{loc}: unknown cloud {other}"),
                        }
                    }
                    _ => panic!("{loc}: unknown directive {line}"),
                }
                continue;
            }
            let Some((input, want)) = line.rsplit_once(" --> ") else {
                panic!("{loc}: expected `<input> --> <expected>`");
            };
            count += 1;
            let got = evaluate_str(input, &env, &ctx);
            let ok = match (want.strip_prefix("error "), &got) {
                (Some(code), Err(e)) => e.code() == code.trim(),
                (Some(_), Ok(_)) => false,
                (None, Ok(v)) => {
                    let want: serde_json::Value = serde_json::from_str(want)
                        .unwrap_or_else(|e| panic!("{loc}: bad expected JSON `{want}`: {e}"));
                    v.to_json() == want
                }
                (None, Err(_)) => false,
            };
            if !ok {
                let got = match got {
                    Ok(v) => v.to_json().to_string(),
                    Err(e) => format!("error {e}"),
                };
                failures.push(format!("{loc}: {input}\n    want {want}\n    got  {got}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} golden cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn reference_of_resource_id_records_the_id() {
    let env = GoldenEnv::new();
    let ctx = DeploymentContext::default();
    let v = evaluate_str(
        "[reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet'), '2023-01-01').subnets[0].id]",
        &env,
        &ctx,
    )
    .expect("evaluates");
    let p = v.as_unknown().expect("unknown");
    assert_eq!(p.function.as_deref(), Some("reference"));
    let id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup/providers/Microsoft.Network/virtualNetworks/vnet";
    assert_eq!(p.resource_id.as_deref(), Some(id));
    let rec = env.recorded.borrow();
    assert_eq!(
        *rec,
        vec![
            (id.to_string(), IdUsage::ResourceId),
            (id.to_string(), IdUsage::Reference)
        ]
    );
}
