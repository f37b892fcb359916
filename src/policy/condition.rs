//! The condition engine: `allOf`/`anyOf`/`not`, `field`/`value`/`count` conditions and every
//! operator, in three-valued logic over a host that supplies fields and parameters.
//!
//! It is public and independent of resources so that other features (the user rules of the
//! `custom` module) can evaluate the policy condition language over any JSON value: compile with
//! [`Condition::compile`], implement [`ConditionHost`] (or use [`ValueHost`], where a field is a
//! path such as `properties.items[*].name` into one value), and call [`Condition::evaluate`].
//!
//! ```
//! use armgraph::policy::condition::{Condition, ValueHost};
//! use armgraph::model::Tri;
//! let condition = Condition::compile(&serde_json::json!({
//!     "count": {"field": "rules[*]", "where": {"field": "rules[*].port", "equals": 22}},
//!     "greaterOrEquals": 1
//! })).unwrap();
//! let value = serde_json::json!({"rules": [{"port": 443}, {"port": "22"}]});
//! let host = ValueHost::new(&(&value).into());
//! assert_eq!(condition.evaluate(&host).result, Ok(Tri::True));
//! ```
//!
//! Bounds: nesting depth [`MAX_CONDITION_DEPTH`] (checked while compiling, so evaluation recursion
//! is bounded too), [`MAX_CONDITIONS`] leaves, [`MAX_VALUE_COUNT_ITERATIONS`] iterations per value
//! count (nested counts included) and [`MAX_COUNT_MEMBERS`] members per field count.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use serde_json::Value as J;

use super::functions::policy_functions;
use super::operators::Operator;
use super::path::{FieldPath, Payload, Selection};
use crate::expr::{
    CompiledValue, DeploymentContext, EnvError, ErrorKind, EvalEnv, Evaluator, Provenance, Value,
};
use crate::model::Tri;

/// Deepest nesting of logical operators and counts (Azure's limit is 64).
pub const MAX_CONDITION_DEPTH: usize = 64;

/// Most conditions in one compiled tree (Azure: 4,096 in `if`).
pub const MAX_CONDITIONS: usize = 4096;

/// Most iterations of one value count, nested counts included (Azure: 100).
pub const MAX_VALUE_COUNT_ITERATIONS: usize = 100;

/// Most members one field count iterates.
pub const MAX_COUNT_MEMBERS: usize = 10_000;

/// A compiled condition.
#[derive(Debug, Clone)]
pub struct Condition {
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    AllOf(Vec<Node>),
    AnyOf(Vec<Node>),
    Not(Box<Node>),
    Leaf(Box<Leaf>),
}

#[derive(Debug, Clone)]
struct Leaf {
    lhs: Lhs,
    op: Operator,
    rhs: CompiledValue,
}

#[derive(Debug, Clone)]
enum Lhs {
    Field(FieldName),
    Value(CompiledValue),
    Count(Box<Count>),
}

/// The name in a `field` condition: a literal or an expression that yields one.
#[derive(Debug, Clone)]
enum FieldName {
    Static(String),
    Dynamic(CompiledValue),
}

#[derive(Debug, Clone)]
struct Count {
    source: CountSource,
    filter: Option<Node>,
}

#[derive(Debug, Clone)]
enum CountSource {
    Field(FieldName),
    Value { value: CompiledValue, name: String },
}

/// A condition that does not compile, with the JSON pointer of the offending node (relative to
/// the value given to [`Condition::compile_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// JSON pointer of the node.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at `{}`)", self.message, self.pointer)
    }
}

/// One level of `count.where` scope.
#[derive(Debug, Clone)]
pub enum Frame {
    /// A field count over `field` (an alias ending in `[*]`), at one member.
    Field {
        /// The counted field as written.
        field: String,
        /// The current member.
        member: Value,
    },
    /// A value count named `name`, at one element.
    Value {
        /// The loop name (`default` when not given).
        name: String,
        /// The current element.
        value: Value,
    },
}

/// What a field reference selects.
#[derive(Debug, Clone)]
pub enum Field {
    /// One value (null when absent).
    Single(Value),
    /// The values of a `[*]` path (a condition must hold for all of them).
    Collection(Vec<Value>),
    /// Not known before deployment.
    Unknown(Arc<Provenance>),
    /// The reference cannot be evaluated (an evaluation error).
    Error(String),
}

/// What a condition reads from its surroundings.
pub trait ConditionHost {
    /// The deployment context expressions run in.
    fn context(&self) -> &DeploymentContext;
    /// What the field `name` selects, with `frames` the enclosing `count.where` scopes (innermost
    /// last).
    fn field(&self, name: &str, frames: &[Frame]) -> Field;
    /// The value of `field(name)` inside an expression: the raw value, an array for `[*]` paths.
    /// The default maps [`ConditionHost::field`]: absent → `""`, collection → array.
    fn field_value(&self, name: &str, frames: &[Frame]) -> Result<Value, String> {
        match self.field(name, frames) {
            Field::Single(Value::Null) => Ok(Value::string("")),
            Field::Single(v) => Ok(v),
            Field::Collection(items) => Ok(Value::array(items)),
            Field::Unknown(p) => Ok(Value::Unknown(p)),
            Field::Error(e) => Err(e),
        }
    }
    /// The value of `parameters(name)`; `None` when not declared.
    fn parameter(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }
    /// `requestContext()`: unknown unless the host knows the request.
    fn request_context(&self) -> Value {
        Value::unknown(Provenance::reason(
            "requestContext() is known only at request time",
        ))
    }
    /// `policy()`: unknown unless the host knows the assignment.
    fn policy_info(&self) -> Value {
        Value::unknown(Provenance::reason("policy() needs the assignment"))
    }
}

/// The result of evaluating a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// True, false or unknown; `Err` is an evaluation error (Azure denies the request).
    pub result: Result<Tri, String>,
    /// Why parts of the condition stayed unknown (deduplicated).
    pub unknown_reasons: Vec<String>,
}

impl Condition {
    /// Compiles a condition (a JSON object).
    pub fn compile(json: &J) -> Result<Condition, CompileError> {
        Condition::compile_at(json, "")
    }

    /// Compiles a condition found at JSON pointer `pointer` (used as the prefix of error
    /// pointers).
    pub fn compile_at(json: &J, pointer: &str) -> Result<Condition, CompileError> {
        let mut leaves = 0;
        let root = compile_node(json, pointer, 0, &mut leaves)?;
        Ok(Condition { root })
    }

    /// Number of conditions (leaves) in the tree, counts' `where` included.
    pub fn len(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            match node {
                Node::AllOf(c) | Node::AnyOf(c) => stack.extend(c),
                Node::Not(c) => stack.push(c),
                Node::Leaf(leaf) => {
                    n += 1;
                    if let Lhs::Count(count) = &leaf.lhs
                        && let Some(f) = &count.filter
                    {
                        stack.push(f);
                    }
                }
            }
        }
        n
    }

    /// Whether the tree has no conditions (never true for a compiled condition).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The literal field names the condition reads (for precompiling aliases).
    pub fn static_fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            match node {
                Node::AllOf(c) | Node::AnyOf(c) => stack.extend(c),
                Node::Not(c) => stack.push(c),
                Node::Leaf(leaf) => match &leaf.lhs {
                    Lhs::Field(FieldName::Static(s)) => out.push(s.as_str()),
                    Lhs::Count(count) => {
                        if let CountSource::Field(FieldName::Static(s)) = &count.source {
                            out.push(s.as_str());
                        }
                        if let Some(f) = &count.filter {
                            stack.push(f);
                        }
                    }
                    _ => {}
                },
            }
        }
        out
    }

    /// Evaluates the condition against `host`.
    pub fn evaluate(&self, host: &dyn ConditionHost) -> Verdict {
        let run = Run {
            host,
            frames: RefCell::new(Vec::new()),
            reasons: RefCell::new(Vec::new()),
            value_iterations: Cell::new(0),
        };
        let result = run.node(&self.root);
        Verdict {
            result,
            unknown_reasons: run.reasons.into_inner(),
        }
    }
}

fn err(pointer: &str, message: impl Into<String>) -> CompileError {
    CompileError {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

fn child(pointer: &str, key: &str) -> String {
    let mut p = pointer.to_owned();
    p.push('/');
    crate::source::json::push_pointer_token(&mut p, key);
    p
}

fn compile_value(json: &J, pointer: &str) -> Result<CompiledValue, CompileError> {
    CompiledValue::compile(json).map_err(|e| err(pointer, format!("invalid expression: {e}")))
}

fn compile_node(
    json: &J,
    pointer: &str,
    depth: usize,
    leaves: &mut usize,
) -> Result<Node, CompileError> {
    if depth > MAX_CONDITION_DEPTH {
        return Err(err(
            pointer,
            format!("conditions are nested deeper than {MAX_CONDITION_DEPTH} levels"),
        ));
    }
    let J::Object(map) = json else {
        return Err(err(pointer, "a condition must be an object"));
    };
    let find = |name: &str| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
    for logical in ["allOf", "anyOf"] {
        if let Some((key, value)) = find(logical) {
            let at = child(pointer, key);
            let J::Array(items) = value else {
                return Err(err(
                    &at,
                    format!("`{logical}` takes an array of conditions"),
                ));
            };
            let mut children = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                children.push(compile_node(
                    item,
                    &child(&at, &i.to_string()),
                    depth + 1,
                    leaves,
                )?);
            }
            return Ok(if logical == "allOf" {
                Node::AllOf(children)
            } else {
                Node::AnyOf(children)
            });
        }
    }
    if let Some((key, value)) = find("not") {
        let inner = compile_node(value, &child(pointer, key), depth + 1, leaves)?;
        return Ok(Node::Not(Box::new(inner)));
    }
    *leaves += 1;
    if *leaves > MAX_CONDITIONS {
        return Err(err(
            pointer,
            format!("more than {MAX_CONDITIONS} conditions"),
        ));
    }
    let mut op = None;
    for (key, value) in map {
        if let Some(o) = Operator::from_name(key) {
            if op.is_some() {
                return Err(err(pointer, "a condition has exactly one operator"));
            }
            op = Some((o, compile_value(value, &child(pointer, key))?));
        }
    }
    let Some((op, rhs)) = op else {
        return Err(err(
            pointer,
            "a condition needs an operator (equals, in, like, exists, …) or allOf/anyOf/not",
        ));
    };
    let lhs = if let Some((key, value)) = find("field") {
        Lhs::Field(field_name(value, &child(pointer, key))?)
    } else if let Some((key, value)) = find("value") {
        Lhs::Value(compile_value(value, &child(pointer, key))?)
    } else if let Some((key, value)) = find("count") {
        let at = child(pointer, key);
        let J::Object(count) = value else {
            return Err(err(&at, "`count` takes an object"));
        };
        let get = |name: &str| count.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
        let source = if let Some((k, v)) = get("field") {
            CountSource::Field(field_name(v, &child(&at, k))?)
        } else if let Some((k, v)) = get("value") {
            let name = match get("name") {
                Some((_, J::String(n))) => n.clone(),
                Some((k, _)) => return Err(err(&child(&at, k), "`name` must be a string")),
                None => "default".to_owned(),
            };
            CountSource::Value {
                value: compile_value(v, &child(&at, k))?,
                name,
            }
        } else {
            return Err(err(&at, "`count` needs `field` or `value`"));
        };
        let filter = match get("where") {
            Some((k, w)) => Some(compile_node(w, &child(&at, k), depth + 1, leaves)?),
            None => None,
        };
        Lhs::Count(Box::new(Count { source, filter }))
    } else {
        return Err(err(
            pointer,
            "a condition needs `field`, `value` or `count`",
        ));
    };
    Ok(Node::Leaf(Box::new(Leaf { lhs, op, rhs })))
}

fn field_name(json: &J, pointer: &str) -> Result<FieldName, CompileError> {
    match json {
        J::String(s) if crate::expr::is_expression(s) => {
            Ok(FieldName::Dynamic(compile_value(json, pointer)?))
        }
        J::String(s) => Ok(FieldName::Static(s.clone())),
        _ => Err(err(pointer, "`field` must be a string")),
    }
}

/// One evaluation.
struct Run<'h> {
    host: &'h dyn ConditionHost,
    frames: RefCell<Vec<Frame>>,
    reasons: RefCell<Vec<String>>,
    value_iterations: Cell<usize>,
}

impl Run<'_> {
    fn unknown(&self, reason: String) -> Tri {
        let mut reasons = self.reasons.borrow_mut();
        if !reasons.contains(&reason) && reasons.len() < 16 {
            reasons.push(reason);
        }
        Tri::Unknown
    }

    fn note_unknown(&self, v: &Value) {
        if let Some(p) = v.first_unknown() {
            self.unknown(p.text());
        }
    }

    fn node(&self, node: &Node) -> Result<Tri, String> {
        match node {
            Node::AllOf(children) => {
                let mut result = Tri::True;
                for c in children {
                    result = result.and(self.node(c)?);
                    if result == Tri::False {
                        break;
                    }
                }
                Ok(result)
            }
            Node::AnyOf(children) => {
                let mut result = Tri::False;
                for c in children {
                    result = result.or(self.node(c)?);
                    if result == Tri::True {
                        break;
                    }
                }
                Ok(result)
            }
            Node::Not(c) => Ok(self.node(c)?.not()),
            Node::Leaf(leaf) => self.leaf(leaf),
        }
    }

    fn value(&self, v: &CompiledValue) -> Result<Value, String> {
        if let CompiledValue::Literal(v) = v {
            return Ok(v.clone());
        }
        let frames = self.frames.borrow();
        let env = ExprEnv {
            host: self.host,
            frames: &frames,
        };
        Evaluator::new(&env, self.host.context())
            .with_functions(policy_functions())
            .evaluate_compiled(v)
            .map_err(|e| e.message)
    }

    fn field_name(&self, name: &FieldName) -> Result<Result<String, Tri>, String> {
        match name {
            FieldName::Static(s) => Ok(Ok(s.clone())),
            FieldName::Dynamic(cv) => {
                let v = self.value(cv)?;
                match v {
                    Value::String(s) => Ok(Ok(s.to_string())),
                    Value::Unknown(p) => Ok(Err(self.unknown(p.text()))),
                    other => Err(format!(
                        "a `field` expression must yield a string, not {}",
                        other.type_name()
                    )),
                }
            }
        }
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Tri, String> {
        let rhs = self.value(&leaf.rhs)?;
        let result = match &leaf.lhs {
            Lhs::Field(name) => {
                let name = match self.field_name(name)? {
                    Ok(n) => n,
                    Err(t) => return Ok(t),
                };
                let selected = self.host.field(&name, &self.frames.borrow());
                match selected {
                    Field::Single(v) => {
                        let t = leaf.op.apply(&v, &rhs)?;
                        if t.is_unknown() {
                            self.note_unknown(&v);
                        }
                        t
                    }
                    Field::Collection(items) => {
                        let mut all = Tri::True;
                        for item in &items {
                            let t = leaf.op.apply(item, &rhs)?;
                            if t.is_unknown() {
                                self.note_unknown(item);
                            }
                            all = all.and(t);
                            if all == Tri::False {
                                break;
                            }
                        }
                        all
                    }
                    Field::Unknown(p) => self.unknown(p.text()),
                    Field::Error(e) => return Err(e),
                }
            }
            Lhs::Value(v) => {
                let v = self.value(v)?;
                let t = leaf.op.apply(&v, &rhs)?;
                if t.is_unknown() {
                    self.note_unknown(&v);
                }
                t
            }
            Lhs::Count(count) => {
                let (low, high) = match self.count(count)? {
                    Ok(range) => range,
                    Err(t) => return Ok(t),
                };
                let a = leaf.op.apply(&Value::Int(low as i64), &rhs)?;
                let b = leaf.op.apply(&Value::Int(high as i64), &rhs)?;
                if a == b {
                    a
                } else {
                    self.unknown("a `count` depends on unknown members".to_owned())
                }
            }
        };
        if result.is_unknown() {
            self.note_unknown(&rhs);
        }
        Ok(result)
    }

    /// The count as a range: members certainly matching, and possibly matching.
    fn count(&self, count: &Count) -> Result<Result<(usize, usize), Tri>, String> {
        let (members, frame_of): (Vec<Value>, Box<dyn Fn(Value) -> Frame>) = match &count.source {
            CountSource::Field(name) => {
                let name = match self.field_name(name)? {
                    Ok(n) => n,
                    Err(t) => return Ok(Err(t)),
                };
                let members = match self.host.field(&name, &self.frames.borrow()) {
                    Field::Collection(items) => items,
                    Field::Single(Value::Null) => Vec::new(),
                    Field::Single(Value::Array(a)) => a.to_vec(),
                    Field::Single(v) => vec![v],
                    Field::Unknown(p) => return Ok(Err(self.unknown(p.text()))),
                    Field::Error(e) => return Err(e),
                };
                if members.len() > MAX_COUNT_MEMBERS {
                    return Err(format!(
                        "a field count over more than {MAX_COUNT_MEMBERS} members"
                    ));
                }
                let field = name.clone();
                (
                    members,
                    Box::new(move |member| Frame::Field {
                        field: field.clone(),
                        member,
                    }),
                )
            }
            CountSource::Value { value, name } => {
                let v = self.value(value)?;
                let members = match v {
                    Value::Array(a) => a.to_vec(),
                    Value::Unknown(p) => return Ok(Err(self.unknown(p.text()))),
                    Value::Null => Vec::new(),
                    other => {
                        return Err(format!(
                            "a value count needs an array, not {}",
                            other.type_name()
                        ));
                    }
                };
                let nested = self
                    .frames
                    .borrow()
                    .iter()
                    .any(|f| matches!(f, Frame::Value { .. }));
                if !nested {
                    self.value_iterations.set(0);
                }
                let used = self.value_iterations.get() + members.len();
                if used > MAX_VALUE_COUNT_ITERATIONS {
                    return Err(format!(
                        "a value count iterates more than {MAX_VALUE_COUNT_ITERATIONS} times"
                    ));
                }
                self.value_iterations.set(used);
                let name = name.clone();
                (
                    members,
                    Box::new(move |value| Frame::Value {
                        name: name.clone(),
                        value,
                    }),
                )
            }
        };
        let Some(filter) = &count.filter else {
            return Ok(Ok((members.len(), members.len())));
        };
        let (mut low, mut high) = (0, 0);
        for member in members {
            self.frames.borrow_mut().push(frame_of(member));
            let t = self.node(filter);
            self.frames.borrow_mut().pop();
            match t? {
                Tri::True => {
                    low += 1;
                    high += 1;
                }
                Tri::Unknown => high += 1,
                Tri::False => {}
            }
        }
        Ok(Ok((low, high)))
    }
}

/// The expression environment of a condition: parameters and the policy functions' host calls.
struct ExprEnv<'a> {
    host: &'a dyn ConditionHost,
    frames: &'a [Frame],
}

impl EvalEnv for ExprEnv<'_> {
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        self.host.parameter(name).ok_or_else(|| {
            EnvError::new(
                ErrorKind::UndefinedParameter,
                format!("the definition declares no parameter '{name}'"),
            )
        })
    }

    fn host_call(&self, name: &str, args: &[Value]) -> Option<Result<Value, EnvError>> {
        let invalid = |m: String| EnvError::new(ErrorKind::InvalidArgument, m);
        Some(match name {
            "field" => match args.first().and_then(Value::as_str) {
                Some(f) => self.host.field_value(f, self.frames).map_err(invalid),
                None => Err(invalid("field() takes a field name".to_owned())),
            },
            "current" => current(self.host, self.frames, args.first().and_then(Value::as_str))
                .map_err(invalid),
            "requestcontext" => Ok(self.host.request_context()),
            "policy" => Ok(self.host.policy_info()),
            _ => return None,
        })
    }
}

fn current(
    host: &dyn ConditionHost,
    frames: &[Frame],
    name: Option<&str>,
) -> Result<Value, String> {
    let Some(name) = name else {
        return match frames.last() {
            Some(Frame::Value { value, .. }) => Ok(value.clone()),
            Some(Frame::Field { member, .. }) => Ok(member.clone()),
            None => Err("current() is used outside a count".to_owned()),
        };
    };
    for frame in frames.iter().rev() {
        if let Frame::Value { name: n, value } = frame
            && n.eq_ignore_ascii_case(name)
        {
            return Ok(value.clone());
        }
    }
    if frames.iter().any(|f| matches!(f, Frame::Field { .. })) {
        return match host.field(name, frames) {
            Field::Single(v) => Ok(v),
            Field::Collection(items) => Ok(Value::array(items)),
            Field::Unknown(p) => Ok(Value::Unknown(p)),
            Field::Error(e) => Err(e),
        };
    }
    Err(format!("current('{name}') names no enclosing count"))
}

/// Selects `path` from `root`, honouring `count.where` scopes: when an enclosing field count
/// iterates a prefix of `path` (resolved through `resolve`), the rest of the path is read from
/// that count's current member.
pub fn select_in_scope(
    path: &FieldPath,
    root: &Payload,
    frames: &[Frame],
    resolve: &dyn Fn(&str) -> Option<Arc<FieldPath>>,
) -> Field {
    for frame in frames.iter().rev() {
        let Frame::Field { field, member } = frame else {
            continue;
        };
        let Some(bound) = resolve(field) else {
            continue;
        };
        if bound.ends_with_all() && path.starts_with(&bound) {
            let member = Payload::from_value(member);
            let rest_is_collection = path.star_count() > bound.star_count();
            return match path.select_after_star(bound.star_count() - 1, &member) {
                Selection::Unknown(p) => Field::Unknown(p),
                Selection::Values(values) if rest_is_collection => Field::Collection(values),
                Selection::Values(mut values) => Field::Single(if values.is_empty() {
                    Value::Null
                } else {
                    values.swap_remove(0)
                }),
            };
        }
    }
    match path.select(root) {
        Selection::Unknown(p) => Field::Unknown(p),
        Selection::Values(values) if path.is_collection() => Field::Collection(values),
        Selection::Values(mut values) => Field::Single(if values.is_empty() {
            Value::Null
        } else {
            values.swap_remove(0)
        }),
    }
}

/// A host over one JSON value, where a field is a path into it (`a.b[*].c`, compared ignoring
/// case). Parameters can be supplied with [`ValueHost::with_parameters`].
pub struct ValueHost {
    payload: Payload,
    context: DeploymentContext,
    parameters: crate::expr::Object,
    paths: RefCell<std::collections::HashMap<String, Option<Arc<FieldPath>>>>,
}

impl ValueHost {
    /// A host over `value`.
    pub fn new(value: &Value) -> ValueHost {
        ValueHost {
            payload: Payload::from_value(value),
            context: DeploymentContext::default(),
            parameters: crate::expr::Object::new(),
            paths: RefCell::new(std::collections::HashMap::new()),
        }
    }

    /// Sets the values `parameters(name)` reads.
    pub fn with_parameters(mut self, parameters: crate::expr::Object) -> ValueHost {
        self.parameters = parameters;
        self
    }

    fn path(&self, name: &str) -> Option<Arc<FieldPath>> {
        self.paths
            .borrow_mut()
            .entry(name.to_owned())
            .or_insert_with(|| FieldPath::parse(name).ok().map(Arc::new))
            .clone()
    }
}

impl ConditionHost for ValueHost {
    fn context(&self) -> &DeploymentContext {
        &self.context
    }

    fn field(&self, name: &str, frames: &[Frame]) -> Field {
        match self.path(name) {
            Some(path) => select_in_scope(&path, &self.payload, frames, &|n| self.path(n)),
            None => Field::Error(format!("`{name}` is not a valid field path")),
        }
    }

    fn field_value(&self, name: &str, frames: &[Frame]) -> Result<Value, String> {
        let wrap = self.path(name).is_some_and(|p| p.is_collection());
        match self.field(name, frames) {
            Field::Single(v) if wrap => Ok(Value::array(vec![v])),
            Field::Single(Value::Null) => Ok(Value::string("")),
            Field::Single(v) => Ok(v),
            Field::Collection(items) => Ok(Value::array(items)),
            Field::Unknown(p) => Ok(Value::Unknown(p)),
            Field::Error(e) => Err(e),
        }
    }

    fn parameter(&self, name: &str) -> Option<Value> {
        self.parameters.get(name).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(condition: J, value: J) -> Result<Tri, String> {
        let c = Condition::compile(&condition).map_err(|e| e.to_string())?;
        c.evaluate(&ValueHost::new(&(&value).into())).result
    }

    #[test]
    fn logical_names_ignore_case_and_use_three_values() {
        let v = json!({"a": "x"});
        assert_eq!(
            eval(json!({"allof": [{"field": "a", "Equals": "X"}]}), v.clone()),
            Ok(Tri::True)
        );
        assert_eq!(
            eval(
                json!({"ANYOF": [{"field": "a", "notin": ["x"]}]}),
                v.clone()
            ),
            Ok(Tri::False)
        );
        assert_eq!(
            eval(json!({"not": {"field": "b", "exists": true}}), v),
            Ok(Tri::True)
        );
    }

    #[test]
    fn star_fields_mean_all_and_empty_is_true() {
        let rule = json!({"field": "rules[*].value", "equals": "1.2.3.4"});
        assert_eq!(eval(rule.clone(), json!({})), Ok(Tri::True));
        assert_eq!(eval(rule.clone(), json!({"rules": []})), Ok(Tri::True));
        assert_eq!(
            eval(
                rule,
                json!({"rules": [{"value": "1.2.3.4"}, {"value": "x"}]})
            ),
            Ok(Tri::False)
        );
        let idiom = json!({"not": {"field": "ports[*]", "notEquals": "*"}});
        assert_eq!(eval(idiom.clone(), json!({"ports": []})), Ok(Tri::False));
        assert_eq!(eval(idiom, json!({"ports": ["22", "*"]})), Ok(Tri::True));
    }

    #[test]
    fn counts_with_where_current_and_field() {
        let v = json!({"a": [{"b": [1, 2], "n": "x"}, {"b": [3], "n": "y"}], "tag": "y"});
        // Nested [*] flattens.
        assert_eq!(
            eval(
                json!({"count": {"field": "a[*].b[*]"}, "equals": 3}),
                v.clone()
            ),
            Ok(Tri::True)
        );
        // `where` referencing another field.
        assert_eq!(
            eval(
                json!({"count": {"field": "a[*]", "where": {"field": "a[*].n", "equals": "[field('tag')]"}}, "equals": 1}),
                v.clone()
            ),
            Ok(Tri::True)
        );
        // Inner count iterates the current outer member only.
        assert_eq!(
            eval(
                json!({"count": {"field": "a[*]", "where": {"count": {"field": "a[*].b[*]"}, "equals": 2}}, "equals": 1}),
                v.clone()
            ),
            Ok(Tri::True)
        );
        // current() of a field count and field() of the counted alias inside where.
        assert_eq!(
            eval(
                json!({"count": {"field": "a[*]", "where": {"allOf": [
                {"value": "[current('a[*].n')]", "equals": "y"},
                {"value": "[length(field('a[*]'))]", "equals": 1}]}}, "equals": 1}),
                v.clone()
            ),
            Ok(Tri::True)
        );
        // Value count with a name.
        assert_eq!(
            eval(
                json!({"count": {"value": ["x", "z"], "name": "n", "where": {"field": "a[*].n", "notEquals": "[current('n')]"}}, "equals": 1}),
                v
            ),
            Ok(Tri::True)
        );
    }

    #[test]
    fn unknown_values_stay_unknown() {
        let mut o = crate::expr::Object::new();
        o.insert(
            "a",
            Value::unknown(Provenance::reason("reference() at runtime")),
        );
        let c = Condition::compile(&json!({"field": "a", "equals": "x"})).unwrap();
        let verdict = c.evaluate(&ValueHost::new(&Value::object(o)));
        assert_eq!(verdict.result, Ok(Tri::Unknown));
        assert_eq!(verdict.unknown_reasons.len(), 1);
    }

    #[test]
    fn ordering_mismatch_is_an_evaluation_error() {
        assert!(eval(json!({"field": "a", "less": 3}), json!({"a": "x"})).is_err());
    }

    #[test]
    fn deep_not_chains_are_refused_without_recursion_blowup() {
        let mut c = json!({"field": "a", "exists": true});
        for _ in 0..200 {
            c = json!({ "not": c });
        }
        let e = Condition::compile(&c).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
    }

    #[test]
    fn value_count_iterations_are_bounded() {
        let items: Vec<u32> = (0..150).collect();
        assert!(eval(json!({"count": {"value": items}, "equals": 150}), json!({})).is_err());
    }
}
