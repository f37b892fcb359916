//! Parse and evaluate every expression of the corpus. Skips cleanly when the corpus is absent
//! (set `ARMGRAPH_CORPUS` or place it at `../shared/corpus`).

#[path = "../tests/expr_support/mod.rs"]
mod expr_support;

use std::hint::black_box;

use armgraph::expr::{DeploymentContext, EnvError, EvalEnv, Evaluator, Provenance, Value, parse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

struct Permissive;

impl EvalEnv for Permissive {
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        Ok(Value::unknown(Provenance::missing_parameter(name)))
    }
    fn variable(&self, _: &str) -> Result<Value, EnvError> {
        Ok(Value::string("variable"))
    }
    fn copy_index(&self, _: Option<&str>) -> Result<i64, EnvError> {
        Ok(0)
    }
}

fn bench(c: &mut Criterion) {
    let Some(dir) = expr_support::corpus_dir() else {
        eprintln!("SKIP: corpus not found (set ARMGRAPH_CORPUS or place it at ../shared/corpus)");
        return;
    };
    let templates = expr_support::corpus_templates(&dir);
    let mut exprs: Vec<String> = Vec::new();
    for (_, json) in &templates {
        let mut found = Vec::new();
        expr_support::expressions(json, &mut found);
        exprs.extend(found.into_iter().map(str::to_string));
    }
    let bytes: usize = exprs.iter().map(String::len).sum();
    let asts: Vec<_> = exprs.iter().filter_map(|e| parse(e).ok()).collect();
    let ctx = DeploymentContext::default();

    let mut g = c.benchmark_group("expressions");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for e in &exprs {
                let _ = black_box(parse(black_box(e)));
            }
        })
    });
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            for a in &asts {
                let _ = black_box(Evaluator::new(&Permissive, &ctx).evaluate(black_box(a)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
