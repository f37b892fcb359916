//! The pipeline's stages one by one over every deployment template of the shared corpus:
//! reading JSON, expansion, graph build, and each rule family on the built graphs. Together
//! with `pipeline` (the whole `Analyzer`) this shows where the time goes. Skips cleanly when
//! the corpus is absent.

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use armgraph::graph::ResourceGraph;
use armgraph::model::ResourceSet;
use armgraph::rules::{Rule, RuleContext, all_rules};
use armgraph::source::{Files, json};
use armgraph::template::{Document, ExpandOptions, Expansion, NoLinkedTemplates, expand};
use common::{corpus, json_files};
use criterion::{Criterion, criterion_group, criterion_main};

// The allocator the `armgraph` CLI ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A corpus file that is a deployment template: its text and parsed value.
struct Template {
    path: PathBuf,
    text: String,
    value: serde_json::Value,
}

fn templates(dir: &Path) -> Vec<Template> {
    let mut paths = Vec::new();
    json_files(dir, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let value = json::parse(&text).value?;
            let schema = value.get("$schema")?.as_str()?.to_ascii_lowercase();
            schema
                .contains("deploymenttemplate.json")
                .then_some(Template { path, text, value })
        })
        .collect()
}

fn documents<'a>(files: &Files, templates: &'a [Template]) -> Vec<Document<'a>> {
    templates
        .iter()
        .map(|t| Document {
            file: files.add(t.path.as_path(), t.text.clone()).id(),
            path: &t.path,
            value: &t.value,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        eprintln!("SKIP: corpus not found (set ARMGRAPH_CORPUS or place it at ../shared/corpus)");
        return;
    };
    let templates = templates(&dir);
    let options = ExpandOptions::default();
    let files = Files::new();
    let documents = documents(&files, &templates);
    let expansions: Vec<Expansion> = documents
        .iter()
        .map(|d| expand(*d, None, &options, &NoLinkedTemplates))
        .collect();
    let graphs: Vec<ResourceGraph> = expansions
        .iter()
        .map(|e| ResourceGraph::build(ResourceSet::from_expansion(e)))
        .collect();

    let mut group = c.benchmark_group("corpus_stages");
    group.sample_size(20);
    group.bench_function("read_json", |b| {
        b.iter(|| {
            for t in &templates {
                black_box(json::parse(black_box(&t.text)));
            }
        })
    });
    group.bench_function("expand", |b| {
        b.iter(|| {
            for document in &documents {
                black_box(expand(*document, None, &options, &NoLinkedTemplates));
            }
        })
    });
    group.bench_function("graph_build", |b| {
        b.iter(|| {
            for e in &expansions {
                black_box(ResourceGraph::build(ResourceSet::from_expansion(e)));
            }
        })
    });
    let mut families: BTreeMap<String, Vec<&'static dyn Rule>> = BTreeMap::new();
    for rule in all_rules() {
        // "AML-DNS-005" → "AML-DNS"
        let code = rule.meta().code;
        let family = code.rsplit_once('-').map_or(code, |(family, _)| family);
        families.entry(family.to_owned()).or_default().push(*rule);
    }
    for (family, rules) in &families {
        group.bench_function(format!("rules/{family}"), |b| {
            b.iter(|| {
                for graph in &graphs {
                    for rule in rules {
                        let ctx = RuleContext::new(graph, rule.meta());
                        rule.check(&ctx);
                        black_box(ctx.finish());
                    }
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
