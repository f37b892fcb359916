//! Every expression of every corpus template parses, and every function it calls is
//! implemented. Also evaluates each one with a permissive environment to prove no panics.

mod expr_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use armgraph::expr::{
    DeploymentContext, EnvError, EvalEnv, Evaluator, FunctionSet, Provenance, UserFunction, Value,
    parse,
};

/// Parameters and variables are unknown; copy loops are at index 0.
struct Permissive;

impl EvalEnv for Permissive {
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        Ok(Value::unknown(Provenance::missing_parameter(name)))
    }
    fn variable(&self, name: &str) -> Result<Value, EnvError> {
        Ok(Value::unknown(Provenance::reason(format!(
            "variable '{name}'"
        ))))
    }
    fn copy_index(&self, _: Option<&str>) -> Result<i64, EnvError> {
        Ok(0)
    }
    fn user_function(&self, _: &str, _: &str) -> Option<Arc<UserFunction>> {
        None
    }
}

#[test]
fn corpus_expressions_parse_and_functions_exist() {
    let Some(dir) = expr_support::corpus_dir() else {
        eprintln!("SKIP: corpus not found (set ARMGRAPH_CORPUS or place it at ../shared/corpus)");
        return;
    };
    let templates = expr_support::corpus_templates(&dir);
    assert!(
        !templates.is_empty(),
        "no templates under {}",
        dir.display()
    );
    let set = FunctionSet::template();
    let (mut total, mut parsed) = (0usize, 0usize);
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut eval_outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let ctx = DeploymentContext::default();
    for (path, json) in &templates {
        let mut exprs = Vec::new();
        expr_support::expressions(json, &mut exprs);
        for e in exprs {
            total += 1;
            match parse(e) {
                Ok(ast) => {
                    parsed += 1;
                    for c in ast.calls() {
                        if c.namespace.is_some() {
                            continue;
                        }
                        let name = c.name.to_lowercase();
                        if set.get(&name).is_some() {
                            *used.entry(name).or_default() += 1;
                        } else {
                            *missing.entry(name).or_default() += 1;
                        }
                    }
                    let outcome = match Evaluator::new(&Permissive, &ctx).evaluate(&ast) {
                        Ok(v) if v.is_unknown() => "unknown".to_string(),
                        Ok(_) => "known".to_string(),
                        Err(err) => {
                            if std::env::var_os("EXPR_CORPUS_VERBOSE").is_some() {
                                println!("eval {}: {err}\n    {e}", path.display());
                            }
                            err.code().to_string()
                        }
                    };
                    *eval_outcomes.entry(outcome).or_default() += 1;
                }
                Err(err) => failures.push(format!("{}: {err}\n    {e}", path.display())),
            }
        }
    }
    let implemented = used.len();
    let used_total = used.len() + missing.len();
    println!("corpus: {} templates", templates.len());
    println!(
        "expressions parsed: {parsed} / {total} ({:.2} %)",
        100.0 * parsed as f64 / total.max(1) as f64
    );
    println!("functions used / implemented: {used_total} / {implemented} (missing: {missing:?})");
    println!("evaluation outcomes (permissive env): {eval_outcomes:?}");
    assert!(
        failures.is_empty(),
        "{} expressions failed to parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        missing.is_empty(),
        "functions used but not implemented: {missing:?}"
    );
    assert!(total > 1000, "suspiciously few expressions: {total}");
}
