//! The whole pipeline (`Analyzer::check`: read, parse, expand, graph, rules, report) over the
//! shared corpus and over synthetic templates, next to the floor: `serde_json::from_slice` of
//! the same bytes. Skips cleanly when the corpus or the generator is absent.

mod common;

use std::hint::black_box;

use armgraph::{Analyzer, Config, Inputs};
use common::{corpus, json_files, synthetic};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

// The allocator the `armgraph` CLI ships with; the floor below runs on it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_corpus(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        eprintln!("SKIP: corpus not found (set ARMGRAPH_CORPUS or place it at ../shared/corpus)");
        return;
    };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    let bytes: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    let total: usize = bytes.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("corpus");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(total as u64));
    // The floor: strict JSON parsing only (files with comments fail fast and count as parsed).
    group.bench_function("serde_json_floor", |b| {
        b.iter(|| {
            for file in &bytes {
                let _ = black_box(serde_json::from_slice::<serde_json::Value>(file));
            }
        })
    });
    let analyzer = Analyzer::new(Config::default());
    let inputs = Inputs::new().with_path(&dir);
    group.bench_function("analyzer_end_to_end", |b| {
        b.iter(|| black_box(analyzer.check(&inputs)))
    });
    group.finish();
}

fn bench_synthetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("synthetic_end_to_end");
    group.sample_size(10);
    let analyzer = Analyzer::new(Config::default());
    for modules in [false, true] {
        for resources in [1_000, 5_000, 10_000, 50_000] {
            let Some(text) = synthetic(resources, modules) else {
                eprintln!(
                    "SKIP: the synthetic generator (python3 ../shared/tools/gen_synthetic.py) is not available"
                );
                return;
            };
            let inputs = Inputs::new().with_source("synthetic.json", text);
            let name = if modules { "modules" } else { "flat" };
            group.throughput(Throughput::Elements(resources as u64));
            group.bench_with_input(BenchmarkId::new(name, resources), &resources, |b, _| {
                b.iter(|| black_box(analyzer.check(&inputs)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_corpus, bench_synthetic);
criterion_main!(benches);
