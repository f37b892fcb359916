//! Hostile inputs: every case runs the whole analyzer (the `armgraph` example binary, in a child
//! process) under a watchdog, and must end with exit status 0 or 1 — never a panic (101), a
//! signal or a hang — and report the expected codes. No case may touch the network.
//!
//! Small cases are files in `testdata/hostile/`; large ones are generated into a temporary
//! directory. The bounds they hit are listed in `docs/limits.md`. To add a case, add a row to
//! [`CASES`].

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufWriter, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use armgraph::{Analyzer, Config, Inputs};
use serde_json::{Value, json};

/// How long one case may run before it counts as a hang. A correctness guard, not a speed
/// target: the slowest case takes a few seconds in a debug build.
const WATCHDOG: Duration = Duration::from_secs(120);

/// `http://127.0.0.1:<port>` of the listener that catches any network attempt.
static TRAP_URL: OnceLock<String> = OnceLock::new();

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// One hostile input.
struct Case {
    /// Name shown in the table.
    name: &'static str,
    /// What to analyze.
    input: Input,
    /// Codes the report must contain (empty: only "no crash, no hang").
    expect: &'static [&'static str],
    /// Codes the report must not contain (e.g. a syntax error in a file that must not be read).
    absent: &'static [&'static str],
}

/// Where a case's input comes from.
enum Input {
    /// Files under `testdata/hostile/`, analyzed together.
    Files(&'static [&'static str]),
    /// Written into the given directory; returns the paths to analyze, or `None` when the case
    /// does not apply on this platform.
    Generated(fn(&Path) -> Option<Vec<PathBuf>>),
}

/// Every case, with the codes it must produce. `docs/limits.md` lists the same table.
const CASES: &[Case] = &[
    Case {
        name: "json-nested-100000-deep",
        input: Input::Generated(json_nested_100000),
        expect: &["ARM-JSON-005"],
        absent: &[],
    },
    Case {
        name: "expression-nested-10000",
        // 10,000 levels need at least 30,000 characters: the length bound is met first.
        input: Input::Files(&["expression-nested-10000.json"]),
        expect: &["ARM-EXPR-003"],
        absent: &[],
    },
    Case {
        name: "expression-nested-8000",
        // As deep as fits in ARM's 24,576 characters: the depth bound.
        input: Input::Files(&["expression-nested-8000.json"]),
        expect: &["ARM-EXPR-004"],
        absent: &[],
    },
    Case {
        name: "json-function-nested-10000",
        input: Input::Files(&["json-function-nested-10000.json"]),
        expect: &["ARM-EXPR-008"],
        absent: &[],
    },
    Case {
        name: "expression-1mb",
        input: Input::Generated(expression_1mb),
        expect: &["ARM-EXPR-003"],
        absent: &[],
    },
    Case {
        name: "billion-laughs",
        input: Input::Files(&["billion-laughs.json"]),
        expect: &["ARM-EXPR-011"],
        absent: &[],
    },
    Case {
        name: "range-int-max",
        input: Input::Files(&["range-int-max.json"]),
        expect: &["ARM-EXPR-008"],
        absent: &[],
    },
    Case {
        name: "copy-count-billion",
        input: Input::Files(&["copy-count-billion.json"]),
        expect: &["ARM-TPL-003"],
        absent: &[],
    },
    Case {
        name: "copy-count-negative",
        input: Input::Files(&["copy-count-negative.json"]),
        expect: &["ARM-TPL-003"],
        absent: &[],
    },
    Case {
        name: "copy-multiplies-large-value",
        // Regression: 800 copies of a 2 MB string took 1.6 GB before MAX_EVALUATED_BYTES.
        input: Input::Files(&["copy-multiplies-large-value.json"]),
        expect: &["ARM-TPL-010"],
        absent: &[],
    },
    Case {
        name: "copy-multiplies-deployment",
        // Regression: every `deployment()` converted the whole template again.
        input: Input::Generated(copy_multiplies_deployment),
        expect: &["ARM-TPL-010"],
        absent: &[],
    },
    Case {
        name: "user-function-recursive",
        input: Input::Files(&["user-function-recursive.json"]),
        expect: &["ARM-EXPR-019"],
        absent: &[],
    },
    Case {
        name: "variable-cycle-1",
        input: Input::Files(&["variable-cycle-1.json"]),
        expect: &["ARM-TPL-002"],
        absent: &[],
    },
    Case {
        name: "variable-cycle-2",
        input: Input::Files(&["variable-cycle-2.json"]),
        expect: &["ARM-TPL-002"],
        absent: &[],
    },
    Case {
        name: "variable-cycle-50",
        input: Input::Files(&["variable-cycle-50.json"]),
        expect: &["ARM-TPL-002"],
        absent: &[],
    },
    Case {
        name: "depends-on-cycle",
        input: Input::Files(&["depends-on-cycle.json"]),
        expect: &["ARM-DEP-001"],
        absent: &[],
    },
    Case {
        name: "resources-100000",
        input: Input::Generated(resources_100000),
        expect: &["ARM-LIMIT-001", "ARM-LIMIT-005"],
        absent: &[],
    },
    Case {
        name: "linked-template-links-itself",
        input: Input::Files(&["linked-template-links-itself.json"]),
        expect: &["ARM-TPL-006"],
        absent: &[],
    },
    Case {
        name: "linked-template-fan-out",
        // Regression: 800 links to itself per level, with long names, took 4.4 GB before the
        // retained bytes of each resource counted against MAX_EVALUATED_BYTES.
        input: Input::Files(&["linked-template-fan-out.json"]),
        expect: &["ARM-TPL-006", "ARM-TPL-010"],
        absent: &[],
    },
    Case {
        name: "relative-path-escape",
        input: Input::Files(&["relative-path-escape.json"]),
        expect: &["ARM-TPL-008"],
        absent: &[],
    },
    Case {
        name: "relative-path-escape-to-existing-file",
        input: Input::Generated(relative_path_escape_to_existing_file),
        expect: &["ARM-TPL-008"],
        // The outside file is broken JSON: reading it would report ARM-JSON-001.
        absent: &["ARM-JSON-001"],
    },
    Case {
        name: "symlink-out-of-root",
        input: Input::Generated(symlink_out_of_root),
        expect: &["ARM-TPL-008"],
        absent: &["ARM-JSON-001"],
    },
    Case {
        name: "template-link-uri",
        // Every case runs behind a proxy trap; this one names a URL.
        input: Input::Files(&["template-link-uri.json"]),
        expect: &["ARM-TPL-007"],
        absent: &[],
    },
    Case {
        name: "template-link-uri-to-trap",
        // The URL is the trap itself: even a client ignoring proxies would be seen.
        input: Input::Generated(template_link_uri_to_trap),
        expect: &["ARM-TPL-007"],
        absent: &[],
    },
    Case {
        name: "invalid-utf8",
        input: Input::Files(&["invalid-utf8.json"]),
        expect: &["ARM-IO-002"],
        absent: &[],
    },
    Case {
        name: "lone-surrogate",
        input: Input::Files(&["lone-surrogate.json"]),
        expect: &["ARM-JSON-006"],
        absent: &[],
    },
    Case {
        name: "number-beyond-i64",
        input: Input::Files(&["number-beyond-i64.json"]),
        expect: &["ARM-JSON-004"],
        absent: &[],
    },
    Case {
        name: "number-1e400",
        input: Input::Files(&["number-1e400.json"]),
        expect: &["ARM-JSON-004"],
        absent: &[],
    },
    Case {
        name: "duplicate-keys-case",
        input: Input::Files(&["duplicate-keys-case.json"]),
        expect: &["ARM-JSON-003"],
        absent: &[],
    },
    Case {
        name: "empty-file",
        input: Input::Files(&["empty.json"]),
        expect: &["ARM-JSON-001"],
        absent: &[],
    },
    Case {
        name: "policy-not-chain-10000",
        input: Input::Generated(policy_not_chain_10000),
        expect: &["ARM-POLICY-001"],
        absent: &[],
    },
    Case {
        name: "policy-not-chain-200 (past the 64-level bound, readable JSON)",
        input: Input::Generated(policy_not_chain_200),
        expect: &["ARM-POLICY-001"],
        absent: &[],
    },
    Case {
        name: "custom-rule-pathological-jsonpath",
        input: Input::Generated(custom_rule_pathological_jsonpath),
        expect: &["ARM-CUSTOM-001"],
        absent: &[],
    },
    Case {
        name: "template-50mb",
        input: Input::Generated(template_50mb),
        expect: &["ARM-IO-003"],
        absent: &[],
    },
    Case {
        name: "parameters-for-wrong-template",
        input: Input::Files(&[
            "parameters-wrong-template.json",
            "parameters-wrong-template.parameters.json",
        ]),
        expect: &["ARM-PARAM-003"],
        absent: &[],
    },
    // TODO(policy): policy definition with a 10,000-deep `not` chain — one row once policy
    // definitions are analyzed (see docs/limits.md, "Cases not yet covered").
    // TODO(custom rules): custom rule with a pathological JSONPath — likewise.
];

#[test]
fn hostile_inputs_end_cleanly_with_their_codes() {
    let exe = common::armgraph_exe();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temporary directory");
    // Any HTTP client honouring the usual proxy variables would connect here.
    let trap = TcpListener::bind("127.0.0.1:0").expect("a local port");
    trap.set_nonblocking(true).expect("non-blocking listener");
    let proxy = format!("http://{}", trap.local_addr().expect("listener address"));
    let proxy = TRAP_URL.get_or_init(|| proxy).clone();

    let mut failures = Vec::new();
    println!(
        "{:<40} {:<32} {:<5} {:>8}  found",
        "case", "expected", "exit", "seconds"
    );
    for case in CASES {
        let case_dir = dir.path().join(case.name);
        fs::create_dir_all(&case_dir).expect("case directory");
        let paths = match &case.input {
            Input::Files(names) => names
                .iter()
                .map(|n| Path::new("testdata/hostile").join(n))
                .collect(),
            Input::Generated(generate) => match generate(&case_dir) {
                Some(paths) => paths,
                None => {
                    println!("{:<40} skipped on this platform", case.name);
                    continue;
                }
            },
        };
        let outcome = run_guarded(&exe, &root, &paths, &case_dir, &proxy);
        let connected = trap.accept().is_ok();
        let found: BTreeSet<String> = outcome.codes.iter().cloned().collect();
        println!(
            "{:<40} {:<32} {:<5} {:>8.2}  {}",
            case.name,
            if case.expect.is_empty() {
                "(none yet)".to_owned()
            } else {
                case.expect.join(",")
            },
            outcome.exit.as_deref().unwrap_or("?"),
            outcome.elapsed.as_secs_f64(),
            found.iter().cloned().collect::<Vec<_>>().join(",")
        );
        let mut problems = Vec::new();
        if let Some(problem) = &outcome.problem {
            problems.push(problem.clone());
        }
        for code in case.expect {
            if !found.contains(*code) {
                problems.push(format!("{code} missing"));
            }
        }
        for code in case.absent {
            if found.contains(*code) {
                problems.push(format!("{code} reported"));
            }
        }
        if connected {
            problems.push("connected to the proxy: a network attempt".to_owned());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join("; ")));
        }
        // Generated inputs can be large: free the space before the next case.
        let _ = fs::remove_dir_all(&case_dir);
    }
    assert!(
        failures.is_empty(),
        "hostile cases failed:\n{}",
        failures.join("\n")
    );
}

/// What one guarded run produced.
struct Outcome {
    codes: Vec<String>,
    exit: Option<String>,
    elapsed: Duration,
    /// A crash, hang or unreadable report.
    problem: Option<String>,
}

/// Runs the CLI on `paths` with the proxy trap set, killing it after [`WATCHDOG`].
fn run_guarded(exe: &Path, root: &Path, paths: &[PathBuf], scratch: &Path, proxy: &str) -> Outcome {
    let stdout_path = scratch.join("stdout.json");
    let stderr_path = scratch.join("stderr.txt");
    let mut command = Command::new(exe);
    command
        .arg("--format")
        .arg("json")
        .args(paths)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(fs::File::create(&stderr_path).expect("stderr file"));
    for var in [
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        command.env(var, proxy);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("the CLI starts");
    let status = loop {
        match child.try_wait().expect("child status") {
            Some(status) => break Some(status),
            None if started.elapsed() > WATCHDOG => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let elapsed = started.elapsed();
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    let Some(status) = status else {
        return Outcome {
            codes: Vec::new(),
            exit: None,
            elapsed,
            problem: Some(format!("no result after {WATCHDOG:?}: killed")),
        };
    };
    let exit = status
        .code()
        .map_or_else(|| "sig".to_owned(), |c| c.to_string());
    let mut problem = match status.code() {
        Some(0 | 1) => None,
        Some(code) => Some(format!("exit status {code}; stderr: {}", tail(&stderr))),
        None => Some(format!(
            "killed by a signal ({status}); stderr: {}",
            tail(&stderr)
        )),
    };
    let stdout = fs::read_to_string(&stdout_path).unwrap_or_default();
    let codes = match serde_json::from_str::<Value>(&stdout) {
        Ok(report) => report["diagnostics"]
            .as_array()
            .map(|ds| {
                ds.iter()
                    .filter_map(|d| d["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        Err(error) => {
            problem.get_or_insert(format!("the JSON report does not parse: {error}"));
            Vec::new()
        }
    };
    Outcome {
        codes,
        exit: Some(exit),
        elapsed,
        problem,
    }
}

fn tail(text: &str) -> &str {
    let start = text.len().saturating_sub(400);
    text.get(start..).unwrap_or(text)
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("directory");
    }
    fs::write(path, text).expect("write a case file");
}

fn template(body: Value) -> Value {
    let mut template = json!({ "$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [] });
    if let (Some(t), Some(b)) = (template.as_object_mut(), body.as_object()) {
        for (k, v) in b {
            t.insert(k.clone(), v.clone());
        }
    }
    template
}

fn linked_deployment(link: Value) -> Value {
    json!({
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "linked",
        "properties": { "mode": "Incremental", "templateLink": link }
    })
}

/// A template whose variable holds arrays nested 100,000 deep.
fn json_nested_100000(dir: &Path) -> Option<Vec<PathBuf>> {
    let path = dir.join("json-nested-100000.json");
    let depth = 100_000;
    let text = format!(
        "{{\"$schema\": \"{SCHEMA}\", \"resources\": [], \"variables\": {{\"deep\": {}{}}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(&path, &text);
    Some(vec![path])
}

/// An output whose expression is one mebibyte long.
fn expression_1mb(dir: &Path) -> Option<Vec<PathBuf>> {
    let path = dir.join("expression-1mb.json");
    let expression = format!("[concat('{}')]", "a".repeat(1 << 20));
    let t = template(json!({ "outputs": { "o": { "type": "string", "value": expression } } }));
    write(&path, &t.to_string());
    Some(vec![path])
}

/// 800 copies of a resource whose body is `deployment()` of a 2 MB template.
fn copy_multiplies_deployment(dir: &Path) -> Option<Vec<PathBuf>> {
    let path = dir.join("copy-multiplies-deployment.json");
    let padding = vec!["x".repeat(100); 20_000];
    let t = template(json!({
        "variables": { "padding": padding },
        "resources": [{
            "type": "Microsoft.Storage/storageAccounts",
            "apiVersion": "2023-01-01",
            "name": "[concat('st', copyIndex())]",
            "location": "westeurope",
            "copy": { "name": "accounts", "count": 800 },
            "properties": { "template": "[deployment()]" }
        }]
    }));
    write(&path, &t.to_string());
    Some(vec![path])
}

/// 100,000 resources (about 14 MB: over ARM's 4 MB as well).
/// A template the policy and custom-rule cases analyze.
fn small_template(dir: &Path) -> PathBuf {
    let path = dir.join("template.json");
    fs::write(
        &path,
        format!(r#"{{"$schema": "{SCHEMA}", "resources": [{{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-11-01", "name": "nsg", "location": "westeurope", "properties": {{"securityRules": []}}}}]}}"#),
    )
    .expect("case file");
    path
}

/// A policy definition whose `if` is `not` nested `depth` times; the paths carry the
/// `--policy` flag for the CLI.
fn policy_not_chain(dir: &Path, depth: usize) -> Option<Vec<PathBuf>> {
    let mut condition = String::from(r#"{"field": "type", "equals": "x"}"#);
    for _ in 0..depth {
        condition = format!(r#"{{"not": {condition}}}"#);
    }
    let policy = dir.join("deep-not.json");
    fs::write(
        &policy,
        format!(r#"{{"name": "deep-not", "properties": {{"displayName": "deep", "mode": "All", "policyRule": {{"if": {condition}, "then": {{"effect": "audit"}}}}}}}}"#),
    )
    .expect("case file");
    Some(vec!["--policy".into(), policy, small_template(dir)])
}

fn policy_not_chain_10000(dir: &Path) -> Option<Vec<PathBuf>> {
    policy_not_chain(dir, 10_000)
}

fn policy_not_chain_200(dir: &Path) -> Option<Vec<PathBuf>> {
    policy_not_chain(dir, 200)
}

/// A custom rule whose JSONPath nests recursive descents (the work would be the resource size to
/// the fourth power); the paths carry the `--rules` flag for the CLI.
fn custom_rule_pathological_jsonpath(dir: &Path) -> Option<Vec<PathBuf>> {
    let rules = dir.join("rules.json");
    fs::write(
        &rules,
        r#"{"rules": [{"id": "slow", "message": "m", "assert": {"field": "$..*..*..*..*", "exists": true}}]}"#,
    )
    .expect("case file");
    Some(vec!["--rules".into(), rules, small_template(dir)])
}

fn resources_100000(dir: &Path) -> Option<Vec<PathBuf>> {
    let path = dir.join("resources-100000.json");
    let mut out = BufWriter::new(fs::File::create(&path).expect("case file"));
    write!(out, "{{\"$schema\": \"{SCHEMA}\", \"resources\": [").expect("write");
    for i in 0..100_000 {
        let comma = if i == 0 { "" } else { "," };
        write!(
            out,
            "{comma}\n{{\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2023-01-01\", \"name\": \"st{i}\", \"location\": \"westeurope\"}}"
        )
        .expect("write");
    }
    writeln!(out, "]}}").expect("write");
    out.flush().expect("flush");
    Some(vec![path])
}

/// A valid template of 50 MB (resources with long tags).
fn template_50mb(dir: &Path) -> Option<Vec<PathBuf>> {
    let path = dir.join("template-50mb.json");
    let mut out = BufWriter::new(fs::File::create(&path).expect("case file"));
    write!(out, "{{\"$schema\": \"{SCHEMA}\", \"resources\": [").expect("write");
    let tag = "t".repeat(1000);
    let mut written = 0usize;
    let mut i = 0;
    while written < 50 * 1024 * 1024 {
        let comma = if i == 0 { "" } else { "," };
        let resource = format!(
            "{comma}\n{{\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2023-01-01\", \"name\": \"st{i}\", \"location\": \"westeurope\", \"tags\": {{\"pad\": \"{tag}\"}}}}"
        );
        out.write_all(resource.as_bytes()).expect("write");
        written += resource.len();
        i += 1;
    }
    writeln!(out, "]}}").expect("write");
    out.flush().expect("flush");
    Some(vec![path])
}

/// A linked template by URL, the URL being the network trap.
fn template_link_uri_to_trap(dir: &Path) -> Option<Vec<PathBuf>> {
    let path = dir.join("template-link-uri-to-trap.json");
    let uri = format!("{}/azuredeploy.json", TRAP_URL.get()?);
    let t = template(json!({ "resources": [linked_deployment(json!({ "uri": uri }))] }));
    write(&path, &t.to_string());
    Some(vec![path])
}

/// `../../../../outside/secret.json` from a template four levels down, where the target exists
/// (and is broken JSON, so reading it would show).
fn relative_path_escape_to_existing_file(dir: &Path) -> Option<Vec<PathBuf>> {
    let template_path = dir.join("a/b/c/d/azuredeploy.json");
    let t = template(json!({
        "resources": [linked_deployment(json!({ "relativePath": "../../../../outside/secret.json" }))]
    }));
    write(&template_path, &t.to_string());
    write(&dir.join("outside/secret.json"), "{ \"secret\": ");
    Some(vec![template_path])
}

/// A linked template inside the root that is a symlink to a file outside it.
#[cfg(unix)]
fn symlink_out_of_root(dir: &Path) -> Option<Vec<PathBuf>> {
    let template_path = dir.join("root/azuredeploy.json");
    let t = template(json!({
        "resources": [linked_deployment(json!({ "relativePath": "linked.json" }))]
    }));
    write(&template_path, &t.to_string());
    let secret = dir.join("outside/secret.json");
    write(&secret, "{ \"secret\": ");
    std::os::unix::fs::symlink(&secret, dir.join("root/linked.json")).expect("symlink");
    Some(vec![template_path])
}

#[cfg(not(unix))]
fn symlink_out_of_root(_dir: &Path) -> Option<Vec<PathBuf>> {
    None
}

/// Every file in `testdata/hostile/` is a case (so the directory and the table stay in step).
#[test]
fn every_hostile_file_is_a_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/hostile");
    let used: BTreeSet<&str> = CASES
        .iter()
        .flat_map(|c| match &c.input {
            Input::Files(names) => names.to_vec(),
            Input::Generated(_) => Vec::new(),
        })
        .collect();
    for entry in fs::read_dir(&dir).expect("testdata/hostile") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            used.contains(name.as_ref()),
            "testdata/hostile/{name} is in no row of CASES"
        );
    }
}

/// `maxNestedDepth` in the configuration caps nested deployments (here a template that links
/// itself twice per level).
#[test]
fn max_nested_depth_is_configurable() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/hostile/linked-template-links-itself.json");
    let check = |config: Config| {
        let report = Analyzer::new(config)
            .check(&Inputs::new().with_path(&path))
            .expect("the file is readable");
        let resources = report.analyzed()[0].resources;
        let capped = report
            .diagnostics()
            .iter()
            .filter(|d| d.code() == "ARM-TPL-006")
            .count();
        (resources, capped)
    };
    let config = Config::from_json_str(r#"{ "maxNestedDepth": 3 }"#);
    assert!(config.issues().is_empty(), "{:?}", config.issues());
    assert_eq!(config.max_nested_depth(), 3);
    // Levels 1 to 3 expand (2 + 4 + 8 deployments); the 16 of level 4 are resources too, not
    // expanded, and reported once: they are one declaration of one (linked) file.
    assert_eq!(check(config), (30, 1));
    // The default (10 levels): 2 + 4 + … + 2^11 deployments, of which 2^11 are not expanded.
    assert_eq!(check(Config::default()), (4094, 1));
}

/// Past `MAX_EVALUATED_BYTES`, expansion keeps no more instances and says so once.
#[test]
fn the_evaluated_bytes_bound_stops_expansion_once() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/hostile/copy-multiplies-large-value.json");
    let report = Analyzer::new(Config::default())
        .check(&Inputs::new().with_path(&path))
        .expect("the file is readable");
    let bounds: Vec<_> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code() == "ARM-TPL-010")
        .collect();
    assert_eq!(bounds.len(), 1, "{:?}", report.diagnostics());
    assert!(bounds[0].message().contains("268435456 bytes"));
    // Each copy holds a distinct 2 MiB string: about 128 fit in 256 MiB, not the 800 declared.
    let resources = report.analyzed()[0].resources;
    assert!((100..200).contains(&resources), "{resources} resources");
}
