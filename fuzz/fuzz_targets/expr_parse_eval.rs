//! Parse and evaluate arbitrary expression strings: must never panic, overflow the stack or hang.
#![no_main]

use armgraph::expr::{DeploymentContext, EmptyEnv, evaluate_str, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let ctx = DeploymentContext::default();
    if let Ok(ast) = parse(s) {
        // Printing must re-parse to the same tree.
        let printed = ast.to_string();
        let again = parse(&printed).expect("printed AST re-parses");
        assert!(again.expr.eq_ignore_spans(&ast.expr));
    }
    let _ = evaluate_str(s, &EmptyEnv, &ctx);
    let _ = evaluate_str(&format!("[{s}]"), &EmptyEnv, &ctx);
});
