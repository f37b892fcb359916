//! Loading arbitrary bytes as a template: UTF-8 check, lenient JSON, classification, the lazy
//! pointer/line index and every renderer. Nothing may panic, overflow the stack or hang.
#![no_main]

use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Format, Inputs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let Ok(report) = Analyzer::new(Config::default()).check(&Inputs::new().with_source("fuzz.json", text)) else {
        return;
    };
    for format in [Format::Human, Format::Json, Format::Sarif] {
        let mut out = Vec::new();
        let _ = report.write(&mut out, format, &RenderOptions::default());
    }
    // Exercise the span index on every pointer the reader reported.
    for d in report.diagnostics() {
        let _ = report.resolve(d.location());
    }
});
