//! Expansion and graph build on synthetic templates of 1,000, 5,000 and 10,000 resources, made at
//! bench time by the shared generator (`../shared/tools/gen_synthetic.py`, or `ARMGRAPH_GENERATOR`).
//! Skips cleanly when the generator or python3 is absent.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use armgraph::graph::ResourceGraph;
use armgraph::model::ResourceSet;
use armgraph::source::Files;
use armgraph::template::{Document, ExpandOptions, NoLinkedTemplates, expand};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn generator() -> Option<PathBuf> {
    let path = std::env::var_os("ARMGRAPH_GENERATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/gen_synthetic.py")
        });
    path.is_file().then_some(path)
}

fn synthetic(generator: &Path, resources: usize) -> Option<String> {
    let output = Command::new("python3")
        .arg(generator)
        .arg(resources.to_string())
        .args(["--indent", "0"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn bench(c: &mut Criterion) {
    let Some(generator) = generator() else {
        eprintln!("SKIP: the synthetic template generator is not present (set ARMGRAPH_GENERATOR)");
        return;
    };
    let mut group = c.benchmark_group("synthetic");
    group.sample_size(10);
    for resources in [1_000, 5_000, 10_000] {
        let Some(text) = synthetic(&generator, resources) else {
            eprintln!("SKIP: python3 could not run the generator");
            return;
        };
        let files = Files::new();
        let file = files.add("synthetic.json", text);
        let Some(value) = armgraph::source::json::parse(file.text()).value else {
            eprintln!("SKIP: the generator's output is not JSON");
            return;
        };
        let document = Document {
            file: file.id(),
            path: Path::new("synthetic.json"),
            value: &value,
        };
        let options = ExpandOptions::default();
        let expansion = expand(document, None, &options, &NoLinkedTemplates);
        group.throughput(Throughput::Elements(resources as u64));
        group.bench_with_input(BenchmarkId::new("expand", resources), &resources, |b, _| {
            b.iter(|| expand(black_box(document), None, &options, &NoLinkedTemplates))
        });
        group.bench_with_input(
            BenchmarkId::new("graph_build", resources),
            &resources,
            |b, _| {
                b.iter(|| ResourceGraph::build(ResourceSet::from_expansion(black_box(&expansion))))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
