//! How the end-to-end time grows from 1,000 to 10,000 resources, measured so that the two
//! sizes share the machine's state: criterion times each size in its own minute-long block, and
//! on a shared machine whose speed drifts by 15 % over minutes the ratio of two such blocks
//! moves as much as the code does. Here every round times one 10,000-resource analysis next to
//! ten 1,000-resource ones (the order alternating between rounds), and the ratio is taken per
//! round.
//!
//! `cargo bench --bench scaling` prints, for the flat and the `--modules` templates, each
//! round's ratio, their median and the ratio of the fastest runs. Skips cleanly when python3 or
//! the generator is missing.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use armgraph::{Analyzer, Config, Inputs};
use common::synthetic;

// The allocator the `armgraph` CLI ships with, as in the other benches.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rounds per template shape.
const ROUNDS: usize = 9;
/// Small analyses per round: their median is the round's small time.
const SMALL_RUNS_PER_ROUND: usize = 10;
const SMALL: usize = 1_000;
const LARGE: usize = 10_000;

fn time(analyzer: &Analyzer, inputs: &Inputs) -> Duration {
    let start = Instant::now();
    let _ = black_box(analyzer.check(inputs));
    start.elapsed()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let analyzer = Analyzer::new(Config::default());
    for modules in [false, true] {
        let shape = if modules { "modules" } else { "flat" };
        let (Some(small), Some(large)) = (synthetic(SMALL, modules), synthetic(LARGE, modules))
        else {
            eprintln!(
                "SKIP: the synthetic generator (python3 ../shared/tools/gen_synthetic.py) is not available"
            );
            return;
        };
        let small = Inputs::new().with_source("synthetic.json", small);
        let large = Inputs::new().with_source("synthetic.json", large);
        // Warm-up: code, allocator and thread pool.
        time(&analyzer, &large);
        time(&analyzer, &small);
        let mut ratios = Vec::with_capacity(ROUNDS);
        let (mut fastest_small, mut fastest_large) = (f64::INFINITY, f64::INFINITY);
        for round in 0..ROUNDS {
            let large_first = round % 2 == 0;
            let mut large_time = 0.0;
            if large_first {
                large_time = time(&analyzer, &large).as_secs_f64();
            }
            let smalls: Vec<f64> = (0..SMALL_RUNS_PER_ROUND)
                .map(|_| time(&analyzer, &small).as_secs_f64())
                .collect();
            if !large_first {
                large_time = time(&analyzer, &large).as_secs_f64();
            }
            let small_time = median(smalls.clone());
            fastest_small = smalls.iter().copied().fold(fastest_small, f64::min);
            fastest_large = fastest_large.min(large_time);
            let ratio = large_time / small_time;
            println!(
                "{shape} round {round}: {SMALL} in {:.1} ms, {LARGE} in {:.1} ms, ratio {ratio:.2}",
                small_time * 1e3,
                large_time * 1e3
            );
            ratios.push(ratio);
        }
        println!(
            "{shape}: median ratio {:.2} over {ROUNDS} rounds; fastest runs {:.1} ms and {:.1} ms, ratio {:.2}",
            median(ratios),
            fastest_small * 1e3,
            fastest_large * 1e3,
            fastest_large / fastest_small
        );
    }
}
