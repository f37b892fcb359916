//! Rules users write as JSON: which resources a rule applies to, what must hold for them, and
//! which related resources (through the graph's typed edges) they must or may have — checked
//! with the Azure Policy condition engine ([`crate::policy::condition`]) and JSONPath.
//!
//! ```json
//! {
//!   "rules": [{
//!     "id": "storage-behind-private-endpoint-is-private",
//!     "severity": "warning",
//!     "resourceType": "Microsoft.Storage/storageAccounts",
//!     "related": [{"edge": "PrivateLinkTarget", "direction": "in", "min": 1}],
//!     "assert": {"field": "properties.publicNetworkAccess", "equals": "Disabled"},
//!     "path": "properties.publicNetworkAccess",
//!     "message": "Storage account '{name}' has a private endpoint but public network access is '{properties.publicNetworkAccess}'.",
//!     "help": "Set publicNetworkAccess to Disabled."
//!   }]
//! }
//! ```
//!
//! A field is a dotted path into the resource (`properties.subnets[*].name`, compared ignoring
//! case, as in Azure Policy) or a JSONPath query starting with `$` (RFC 9535, run by
//! jsonpath-rust over the resource as written; member names are case-sensitive there). Findings
//! use the code `custom/<id>`. See `docs/custom-rules.md`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use serde_json::Value as Json;

use crate::codes::{CodeInfo, Severity};
use crate::config::glob_matches;
use crate::error::Error;
use crate::expr::{DeploymentContext, Provenance, Value};
use crate::graph::{EdgeKind, Node, NodeId, ResourceGraph};
use crate::model::{Resource, Tri, read};
use crate::policy::condition::{Condition, ConditionHost, Field, Frame, ValueHost};
use crate::report::{Diagnostic, Location};
use crate::source::{FileId, Files, SourceFile};

/// Longest JSONPath accepted, in bytes.
pub const MAX_JSONPATH_LEN: usize = 1024;

/// Most recursive descents (`..`) in one JSONPath query: each one multiplies the work by the
/// size of the resource, so nested descents are refused rather than allowed to run for hours.
pub const MAX_JSONPATH_DESCENTS: usize = 1;

/// Most rules read from one file.
pub const MAX_RULES_PER_FILE: usize = 1000;

/// The engine codes of custom rule files.
pub const CODES: &[CodeInfo] = &[CodeInfo {
    code: "ARM-CUSTOM-001",
    name: "invalid-custom-rule",
    summary: "A custom rule in a rules file is invalid and is not checked.",
    default_severity: Severity::Error,
}];

/// Which way a related-resource requirement follows edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Edges leaving the resource (`PrivateLinkTarget` from an endpoint).
    Out,
    /// Edges arriving at the resource (`PrivateLinkTarget` to a storage account).
    In,
}

/// "The resource has between `min` and `max` related resources of this kind."
#[derive(Debug, Clone)]
struct Related {
    edge: EdgeKind,
    direction: Direction,
    to_type: Option<String>,
    to_where: Option<Condition>,
    min: Option<usize>,
    max: Option<usize>,
}

/// One user rule.
#[derive(Debug, Clone)]
struct CustomRule {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    resource_type: Option<String>,
    selector: Option<Condition>,
    related: Vec<Related>,
    assertion: Option<Condition>,
    assert_related: Vec<Related>,
    path: String,
}

/// The custom rules of one or more files, and the problems found reading them.
#[derive(Debug, Clone, Default)]
pub struct CustomRules {
    rules: Vec<CustomRule>,
    issues: Vec<(FileId, String, String)>,
}

impl CustomRules {
    /// Reads rule files into `files` (so that problems can be located). Only an unreadable
    /// file is an error; an invalid rule is reported and skipped.
    pub fn load(files: &Files, paths: &[impl AsRef<Path>]) -> Result<CustomRules, Error> {
        let mut rules = CustomRules::default();
        for path in paths {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let file = files.add(path, text);
            rules.read(&file);
        }
        Ok(rules)
    }

    /// Reads rules from an in-memory text (for tests and embedders).
    pub fn from_source(files: &Files, name: &str, text: &str) -> CustomRules {
        let mut rules = CustomRules::default();
        let file = files.add(name, text.to_owned());
        rules.read(&file);
        rules
    }

    /// Number of valid rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The problems found in the rule files, as findings (`ARM-CUSTOM-001`).
    pub fn load_diagnostics(&self) -> Vec<Diagnostic> {
        self.issues
            .iter()
            .map(|(file, pointer, message)| {
                Diagnostic::new(
                    "ARM-CUSTOM-001",
                    Severity::Error,
                    message.clone(),
                    Location::new(*file, pointer.clone()),
                )
                .with_help("see docs/custom-rules.md for the rule format")
            })
            .collect()
    }

    fn read(&mut self, file: &SourceFile) {
        let parsed = crate::source::json::parse(file.text());
        let Some(document) = parsed.value else {
            self.issues.push((
                file.id(),
                String::new(),
                "the rules file is not valid JSON".into(),
            ));
            return;
        };
        let Some(rules) = document.get("rules").and_then(Json::as_array) else {
            self.issues.push((
                file.id(),
                String::new(),
                "a rules file is an object with a `rules` array".into(),
            ));
            return;
        };
        for (i, rule) in rules.iter().enumerate().take(MAX_RULES_PER_FILE) {
            let pointer = format!("/rules/{i}");
            match parse_rule(rule, &pointer) {
                Ok(rule) => self.rules.push(rule),
                Err((at, message)) => self.issues.push((file.id(), at, message)),
            }
        }
        if rules.len() > MAX_RULES_PER_FILE {
            self.issues.push((
                file.id(),
                "/rules".into(),
                format!("only the first {MAX_RULES_PER_FILE} rules of a file are read"),
            ));
        }
    }

    /// Checks every rule against a graph: the findings, and how many checks stayed undecided.
    pub fn evaluate(&self, graph: &ResourceGraph) -> (Vec<Diagnostic>, usize) {
        let mut findings = Vec::new();
        let mut undecided = 0;
        for rule in &self.rules {
            for resource in graph.resources().iter() {
                if !resource.state.deployed().is_possible() {
                    continue;
                }
                if let Some(pattern) = &rule.resource_type
                    && !glob_matches(pattern, &resource.resource_type)
                {
                    continue;
                }
                match rule.check(graph, resource) {
                    Tri::True => {}
                    Tri::Unknown => undecided += 1,
                    Tri::False => findings.push(rule.finding(resource)),
                }
            }
        }
        (findings, undecided)
    }
}

impl CustomRule {
    /// True: the rule holds (or does not apply); False: a finding; Unknown: cannot tell.
    fn check(&self, graph: &ResourceGraph, resource: &Resource) -> Tri {
        let host = ResourceHost::new(resource);
        let mut applies = Tri::True;
        if let Some(selector) = &self.selector {
            applies = applies & verdict(selector, &host);
        }
        for related in &self.related {
            applies = applies & related.holds(graph, resource);
        }
        if applies.is_false() {
            return Tri::True;
        }
        let mut holds = Tri::True;
        if let Some(assertion) = &self.assertion {
            holds = holds & verdict(assertion, &host);
        }
        for related in &self.assert_related {
            holds = holds & related.holds(graph, resource);
        }
        // A finding needs the rule to apply for certain and to fail for certain.
        match (applies, holds) {
            (Tri::True, Tri::False) => Tri::False,
            (_, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    fn finding(&self, resource: &Resource) -> Diagnostic {
        let mut location = Location::new(resource.origin.file, resource.pointer_of(&self.path));
        if let Some(id) = resource.id_text() {
            location = location.with_resource(id);
        }
        let diagnostic = Diagnostic::new(
            self.code.clone(),
            self.severity,
            fill_template(&self.message, resource),
            location,
        );
        match &self.help {
            Some(help) => diagnostic.with_help(fill_template(help, resource)),
            None => diagnostic,
        }
    }
}

impl Related {
    fn holds(&self, graph: &ResourceGraph, resource: &Resource) -> Tri {
        let Some(node) = graph.node_of(resource.index) else {
            return Tri::Unknown;
        };
        let ends: Vec<NodeId> = match self.direction {
            Direction::Out => graph.outgoing(node, self.edge).map(|r| r.to).collect(),
            Direction::In => graph.incoming(node, self.edge).map(|r| r.from).collect(),
        };
        let mut certain = 0usize;
        let mut possible = 0usize;
        for end in ends {
            let Some(other) = graph.node(end) else {
                continue;
            };
            if let Some(pattern) = &self.to_type {
                let matches = match other {
                    Node::Resource(r) => glob_matches(pattern, &r.resource_type),
                    Node::External(id) => glob_matches(pattern, &id.full_type()),
                };
                if !matches {
                    continue;
                }
            }
            let fits = match (&self.to_where, other) {
                (None, _) => Tri::True,
                (Some(condition), Node::Resource(r)) => verdict(condition, &ResourceHost::new(r)),
                (Some(_), Node::External(_)) => Tri::Unknown,
            };
            match fits {
                Tri::True => {
                    certain += 1;
                    possible += 1;
                }
                Tri::Unknown => possible += 1,
                Tri::False => {}
            }
        }
        let min = self.min.unwrap_or(0);
        let max = self.max.unwrap_or(usize::MAX);
        if certain >= min && possible <= max {
            Tri::True
        } else if possible < min || certain > max {
            Tri::False
        } else {
            Tri::Unknown
        }
    }
}

fn verdict(condition: &Condition, host: &dyn ConditionHost) -> Tri {
    // An evaluation error cannot prove anything: it stays undecided.
    condition.evaluate(host).result.unwrap_or(Tri::Unknown)
}

/// Fills `{name}`, `{type}`, `{id}` and `{<body path>}` placeholders.
fn fill_template(template: &str, resource: &Resource) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = &after[..close];
        let value = match key {
            "name" => resource.display_name(),
            "type" => resource.resource_type.clone(),
            "id" => resource.id_text().unwrap_or_else(|| "(id unknown)".into()),
            path => match read(&resource.body, path) {
                crate::model::Prop::Value(Value::String(s)) => s.to_string(),
                crate::model::Prop::Value(v) => v.to_json_string(),
                crate::model::Prop::Unknown(_) => "(unknown)".into(),
                crate::model::Prop::Absent => "(not set)".into(),
            },
        };
        out.push_str(&value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Fields of one resource: dotted paths through the policy engine's own host, `$` queries
/// through jsonpath-rust over the resource as written.
struct ResourceHost<'r> {
    paths: ValueHost,
    body: &'r Value,
    /// The resource as JSON, made only when a `$` query needs it.
    json: std::cell::OnceCell<Json>,
    queries: RefCell<HashMap<String, Option<Arc<JpQuery>>>>,
}

impl<'r> ResourceHost<'r> {
    fn new(resource: &'r Resource) -> Self {
        ResourceHost {
            paths: ValueHost::new(&resource.body),
            body: &resource.body,
            json: std::cell::OnceCell::new(),
            queries: RefCell::new(HashMap::new()),
        }
    }

    fn query(&self, text: &str) -> Option<Arc<JpQuery>> {
        self.queries
            .borrow_mut()
            .entry(text.to_owned())
            .or_insert_with(|| {
                let bounded = text.len() <= MAX_JSONPATH_LEN
                    && text.matches("..").count() <= MAX_JSONPATH_DESCENTS;
                bounded
                    .then(|| parse_json_path(text).ok().map(Arc::new))
                    .flatten()
            })
            .clone()
    }
}

impl ConditionHost for ResourceHost<'_> {
    fn context(&self) -> &DeploymentContext {
        self.paths.context()
    }

    fn field(&self, name: &str, frames: &[Frame]) -> Field {
        if !name.starts_with('$') {
            return self.paths.field(name, frames);
        }
        let Some(query) = self.query(name) else {
            return Field::Error(format!("`{name}` is not a JSONPath query armgraph can run"));
        };
        let json = self.json.get_or_init(|| self.body.to_json());
        let Ok(found) = js_path_process(&query, json) else {
            return Field::Single(Value::Null);
        };
        let mut values = Vec::with_capacity(found.len());
        for item in found {
            if let Some(marker) = item.val.get("$unknown").and_then(Json::as_str) {
                return Field::Unknown(Arc::new(Provenance::reason(marker.to_owned())));
            }
            values.push(Value::from(item.val));
        }
        match values.len() {
            0 => Field::Single(Value::Null),
            1 => Field::Single(values.remove(0)),
            _ => Field::Collection(values),
        }
    }
}

/// Refuses, when the rule is read, a JSONPath field that armgraph would not run.
fn check_jsonpath(field: &str) -> Result<(), String> {
    if !field.starts_with('$') {
        return Ok(());
    }
    if field.len() > MAX_JSONPATH_LEN {
        return Err(format!(
            "the JSONPath is longer than {MAX_JSONPATH_LEN} bytes"
        ));
    }
    if field.matches("..").count() > MAX_JSONPATH_DESCENTS {
        return Err(format!(
            "`{field}` nests recursive descents (`..`); at most {MAX_JSONPATH_DESCENTS} is allowed, the work grows with the resource size to that power"
        ));
    }
    parse_json_path(field)
        .map(|_| ())
        .map_err(|e| format!("`{field}` is not a valid JSONPath: {e}"))
}

fn edge_kind(name: &str) -> Option<EdgeKind> {
    EdgeKind::ALL
        .iter()
        .copied()
        .find(|kind| kind.name().eq_ignore_ascii_case(name))
}

type ParseResult<T> = Result<T, (String, String)>;

fn parse_rule(rule: &Json, pointer: &str) -> ParseResult<CustomRule> {
    let invalid = |at: &str, message: String| (format!("{pointer}{at}"), message);
    let object = rule
        .as_object()
        .ok_or_else(|| invalid("", "a rule is an object".into()))?;
    const KNOWN: &[&str] = &[
        "id",
        "severity",
        "message",
        "help",
        "resourceType",
        "where",
        "related",
        "assert",
        "assertRelated",
        "path",
        "description",
    ];
    if let Some(key) = object.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(invalid(
            &format!("/{key}"),
            format!("unknown rule key `{key}` (known: {})", KNOWN.join(", ")),
        ));
    }
    let text = |key: &str| object.get(key).and_then(Json::as_str).map(str::to_owned);
    let id = text("id").ok_or_else(|| invalid("", "a rule needs a string `id`".into()))?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(invalid(
            "/id",
            format!("`{id}` is not a valid rule id (letters, digits, `-`, `_`, `.`)"),
        ));
    }
    let severity = match object.get("severity") {
        None => Severity::Warning,
        Some(value) => value
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("/severity", "`severity` is error, warning or note".into()))?,
    };
    let message = text("message").ok_or_else(|| invalid("", "a rule needs a `message`".into()))?;
    let condition = |key: &str| -> ParseResult<Option<Condition>> {
        match object.get(key) {
            None => Ok(None),
            Some(json) => Condition::compile_at(json, &format!("{pointer}/{key}"))
                .map(Some)
                .map_err(|e| (e.pointer, e.message)),
        }
    };
    let selector = condition("where")?;
    let assertion = condition("assert")?;
    for (key, compiled) in [("where", &selector), ("assert", &assertion)] {
        for field in compiled.iter().flat_map(|c| c.static_fields()) {
            check_jsonpath(field).map_err(|message| invalid(&format!("/{key}"), message))?;
        }
    }
    let related = parse_related(object.get("related"), &format!("{pointer}/related"))?;
    let assert_related = parse_related(
        object.get("assertRelated"),
        &format!("{pointer}/assertRelated"),
    )?;
    if assertion.is_none() && assert_related.is_empty() {
        return Err(invalid(
            "",
            "a rule needs `assert` or `assertRelated`: what must hold".into(),
        ));
    }
    Ok(CustomRule {
        code: format!("custom/{id}"),
        severity,
        message,
        help: text("help"),
        resource_type: text("resourceType"),
        selector,
        related,
        assertion,
        assert_related,
        path: text("path").unwrap_or_default(),
    })
}

fn parse_related(value: Option<&Json>, pointer: &str) -> ParseResult<Vec<Related>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| (pointer.to_owned(), "`related` is an array".to_owned()))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{pointer}/{i}");
            let edge_name = item.get("edge").and_then(Json::as_str).unwrap_or_default();
            let edge = edge_kind(edge_name).ok_or_else(|| {
                let names: Vec<&str> = EdgeKind::ALL.iter().map(|k| k.name()).collect();
                (
                    format!("{at}/edge"),
                    format!("`{edge_name}` is not an edge kind ({})", names.join(", ")),
                )
            })?;
            let direction = match item
                .get("direction")
                .and_then(Json::as_str)
                .unwrap_or("out")
            {
                d if d.eq_ignore_ascii_case("out") => Direction::Out,
                d if d.eq_ignore_ascii_case("in") => Direction::In,
                other => {
                    return Err((
                        format!("{at}/direction"),
                        format!("`{other}` is not `in` or `out`"),
                    ));
                }
            };
            let to = item.get("to");
            let to_type = to
                .and_then(|t| t.get("type"))
                .and_then(Json::as_str)
                .map(str::to_owned);
            let to_where = match to.and_then(|t| t.get("where")) {
                Some(json) => Some(
                    Condition::compile_at(json, &format!("{at}/to/where"))
                        .map_err(|e| (e.pointer, e.message))?,
                ),
                None => None,
            };
            let count = |key: &str| -> ParseResult<Option<usize>> {
                match item.get(key) {
                    None => Ok(None),
                    Some(n) => n.as_u64().map(|n| Some(n as usize)).ok_or_else(|| {
                        (
                            format!("{at}/{key}"),
                            format!("`{key}` is a non-negative integer"),
                        )
                    }),
                }
            };
            let (min, max) = (count("min")?, count("max")?);
            Ok(Related {
                edge,
                direction,
                to_type,
                to_where,
                min: min.or(if max.is_none() { Some(1) } else { None }),
                max,
            })
        })
        .collect()
}
