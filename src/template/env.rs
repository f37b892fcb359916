//! The evaluation environment of one template: parameters, variables, user functions, copy
//! loops and deployment outputs, all resolved lazily and memoized, with cycles reported once.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::issues::ExpandIssue;
use super::json;
use super::parameters::{self, Supplied};
use super::{
    ARM_MAX_COPY_COUNT, MAX_EVALUATED_BYTES, MAX_MEMOIZED_VALUE_BYTES, MAX_VARIABLE_CHAIN,
    RecordedReference,
};
use crate::codes::Severity;
use crate::expr::{
    self, CompiledValue, DeploymentContext, EnvError, ErrorKind, EvalEnv, EvalError, Evaluator,
    IdUsage, Object, Provenance, ReferenceRequest, StringKind, UserFunction, Value,
};
use crate::source::FileId;

enum Memo {
    InProgress,
    Done(Value),
}

/// One active copy loop.
#[derive(Debug, Clone)]
pub(crate) struct CopyFrame {
    pub name: Option<String>,
    pub index: i64,
    /// Resource and output loops answer `copyIndex()` without a name; property and variable
    /// loops only answer to their name.
    pub resource_loop: bool,
}

/// Templates converted to values for `deployment()`, by file and pointer of the template object
/// (the same key always names the same JSON within one expansion).
pub(crate) type ConvertedTemplates = RefCell<HashMap<(FileId, String), Value>>;

/// What the templates of one expansion share, beyond the budget.
#[derive(Default)]
pub(crate) struct SharedCaches {
    /// `deployment().properties.template` of every template of the expansion, converted once
    /// per template rather than once per instance of a module.
    pub(crate) templates: ConvertedTemplates,
    /// Member names of the objects the expansion builds.
    pub(crate) keys: KeyInterner,
    /// Expressions parsed so far, by their text.
    pub(crate) expressions: ExpressionCache,
}

/// Distinct expressions an expansion keeps parsed: the corpus's templates repeat a few hundred,
/// while one that computes a distinct expression per resource (a generated one) would otherwise
/// keep thousands of parsed expressions that are never asked for again.
pub(crate) const MAX_CACHED_EXPRESSIONS: usize = 512;

/// Longest expression (in bytes) kept parsed: templates write short expressions many times
/// over, and the bound keeps the cache small on hostile input (at most 256 KiB of text).
pub(crate) const MAX_CACHED_EXPRESSION_BYTES: usize = 512;

/// Parsed expressions by their text: templates repeat the same expressions in every instance
/// of a copy loop, in every module instance and across resources (`[parameters('location')]`),
/// and parsing them again was a fifth of expansion. Keyed by content, not by address, since
/// the JSON of a nested template computed at expansion time is freed and its memory reused.
#[derive(Default)]
pub(crate) struct ExpressionCache(
    RefCell<HashMap<Box<str>, Rc<ParsedExpression>, foldhash::fast::RandomState>>,
);

/// What parsing one expression text gave.
pub(crate) type ParsedExpression = Result<expr::Ast, expr::ParseError>;

impl ExpressionCache {
    /// `expr::parse(text)`, from the cache when the same text was parsed before.
    pub(crate) fn parse(&self, text: &str) -> Rc<ParsedExpression> {
        if let Some(parsed) = self.0.borrow().get(text) {
            return Rc::clone(parsed);
        }
        let parsed = Rc::new(expr::parse(text));
        let mut cache = self.0.borrow_mut();
        if text.len() <= MAX_CACHED_EXPRESSION_BYTES && cache.len() < MAX_CACHED_EXPRESSIONS {
            cache.insert(text.into(), Rc::clone(&parsed));
        }
        parsed
    }
}

/// Distinct member names an expansion shares between the objects it builds.
pub(crate) const MAX_INTERNED_KEYS: usize = 4096;

/// Member names shared between the objects of one expansion: a template names the same few
/// members (`properties`, `id`, `name`…) in every resource, and one allocation per member per
/// instance was a fifth of a large expansion's memory.
#[derive(Default)]
pub(crate) struct KeyInterner(
    RefCell<std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>>,
);

impl KeyInterner {
    /// The shared name equal to `key` (the same spelling), added while there is room.
    pub(crate) fn get(&self, key: &str) -> Arc<str> {
        let mut keys = self.0.borrow_mut();
        if let Some(shared) = keys.get(key) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(key);
        if keys.len() < MAX_INTERNED_KEYS {
            keys.insert(Arc::clone(&shared));
        }
        shared
    }
}

/// The bytes of values produced while expanding one file, shared by the environments of its
/// nested templates; bounded by [`MAX_EVALUATED_BYTES`].
#[derive(Debug, Default)]
pub(crate) struct EvalBudget {
    used: Cell<usize>,
    exhausted: Cell<bool>,
    /// Where the budget ran out (file and pointer), reported once by the expander: an issue
    /// raised in the body of a conditional resource could be discarded with it.
    exhausted_at: RefCell<Option<(FileId, String)>>,
}

impl EvalBudget {
    /// Counts `bytes` produced at `pointer` of `file`; false (remembering where, the first time)
    /// once the budget is spent.
    pub(crate) fn charge(&self, bytes: usize, file: FileId, pointer: &str) -> bool {
        let used = self.used.get().saturating_add(bytes);
        self.used.set(used);
        if used <= MAX_EVALUATED_BYTES {
            return true;
        }
        if !self.exhausted.replace(true) {
            *self.exhausted_at.borrow_mut() = Some((file, pointer.to_owned()));
        }
        false
    }

    /// Whether the budget is spent.
    pub(crate) fn spent(&self) -> bool {
        self.exhausted.get()
    }

    /// The issue to report when the budget ran out.
    pub(crate) fn take_issue(&self) -> Option<ExpandIssue> {
        let (file, pointer) = self.exhausted_at.borrow_mut().take()?;
        Some(
            ExpandIssue::new(
                "ARM-TPL-010",
                Severity::Error,
                format!(
                    "the values of this template's expansion exceed {MAX_EVALUATED_BYTES} bytes; what follows is analyzed with unknown values"
                ),
                file,
                pointer,
            )
            .with_help("ARM refuses a template over 4 MB once copy loops, variables and parameters are expanded; a copy loop may be multiplying a large value"),
        )
    }
}

/// A copy `count`, evaluated.
pub(crate) enum CopyCount {
    Known(i64),
    Unknown,
}

/// The environment of one template (or of one inner-scope nested template).
pub(crate) struct TemplateEnv<'t> {
    pub file: FileId,
    /// Pointer of the template object in `file` (`""` for a whole file).
    pub base: String,
    pub template: &'t Json,
    pub ctx: DeploymentContext,
    pub language_v2: bool,
    parameter_decls: Option<&'t Map<String, Json>>,
    supplied: HashMap<String, Supplied>,
    parameters: RefCell<HashMap<String, Memo, foldhash::fast::RandomState>>,
    variable_decls: Option<&'t Map<String, Json>>,
    variables: RefCell<HashMap<String, Memo, foldhash::fast::RandomState>>,
    chain: RefCell<Vec<String>>,
    functions: HashMap<String, Arc<UserFunction>>,
    pub copy_stack: RefCell<Vec<CopyFrame>>,
    recorded: RefCell<Vec<RecordedReference>>,
    /// Positions in `recorded` by the hash of the record, once it is long enough to need them.
    recorded_by_hash: RefCell<HashMap<u64, Vec<usize>>>,
    pub issues: RefCell<Vec<ExpandIssue>>,
    memo_bytes: Cell<usize>,
    budget: Rc<EvalBudget>,
    shared: Rc<SharedCaches>,
    /// `reference('<deployment>')` values of expanded nested deployments, by lower-cased name and
    /// symbolic name.
    pub deployment_outputs: RefCell<HashMap<String, Value>>,
    pub unknown_values: Cell<usize>,
}

fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// [`fold`] without an allocation for a name already in lower-case ASCII (the common case of
/// `parameters('x')` and `variables('x')`, read once per expression).
fn folded(name: &str) -> std::borrow::Cow<'_, str> {
    if name
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(fold(name))
    }
}

impl<'t> TemplateEnv<'t> {
    pub(crate) fn new(
        file: FileId,
        base: String,
        template: &'t Json,
        ctx: DeploymentContext,
        supplied: HashMap<String, Supplied>,
        budget: Rc<EvalBudget>,
        shared: Rc<SharedCaches>,
    ) -> Self {
        let language_v2 = json::get(template, "languageVersion")
            .and_then(Json::as_str)
            .is_some_and(|v| !v.starts_with("1."));
        let env = TemplateEnv {
            file,
            parameter_decls: json::get(template, "parameters").and_then(Json::as_object),
            variable_decls: json::get(template, "variables").and_then(Json::as_object),
            base,
            template,
            ctx,
            language_v2,
            supplied: supplied.into_iter().map(|(k, v)| (fold(&k), v)).collect(),
            parameters: RefCell::default(),
            variables: RefCell::default(),
            chain: RefCell::new(Vec::new()),
            functions: HashMap::new(),
            copy_stack: RefCell::new(Vec::new()),
            recorded: RefCell::new(Vec::new()),
            recorded_by_hash: RefCell::new(HashMap::new()),
            issues: RefCell::new(Vec::new()),
            memo_bytes: Cell::new(0),
            budget,
            shared,
            deployment_outputs: RefCell::new(HashMap::new()),
            unknown_values: Cell::new(0),
        };
        let mut env = env;
        env.functions = env.read_functions();
        env
    }

    pub(crate) fn issue(&self, issue: ExpandIssue) {
        self.issues.borrow_mut().push(issue);
    }

    pub(crate) fn pointer(&self, relative: &str) -> String {
        format!("{}{relative}", self.base)
    }

    /// Resolves every declared parameter once, so missing values and invalid values are
    /// reported whether or not the template uses them (ARM validates them all).
    pub(crate) fn resolve_all_parameters(&self) {
        if let Some(decls) = self.parameter_decls {
            for name in decls.keys() {
                let _ = self.parameter(name);
            }
        }
    }

    /// Takes the ids recorded since the last call.
    pub(crate) fn take_recorded(&self) -> Vec<RecordedReference> {
        self.recorded_by_hash.borrow_mut().clear();
        std::mem::take(&mut *self.recorded.borrow_mut())
    }

    /// Evaluates a JSON fragment: expression strings are evaluated, `[[` escapes unescaped,
    /// property `copy` arrays expanded. Failures are reported and become unknown values; so does
    /// everything once the file's [`MAX_EVALUATED_BYTES`] are spent.
    pub(crate) fn eval_json(&self, value: &Json, pointer: &str) -> Value {
        let mut path = String::with_capacity(pointer.len() + 64);
        path.push_str(pointer);
        self.eval_json_at(value, &mut path)
    }

    /// [`TemplateEnv::eval_json`] with the pointer kept in one buffer that each member extends
    /// and restores: building a new pointer string for every node was a large share of the
    /// allocations of expansion.
    fn eval_json_at(&self, value: &Json, pointer: &mut String) -> Value {
        if self.budget.spent() {
            return self.over_budget();
        }
        // Containers charge their own node (and member names); their members charge themselves.
        let mut own_bytes = 8;
        let value = match value {
            Json::String(s) => return self.eval_string(s, pointer),
            Json::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let restore = pointer.len();
                    // Writing to a String cannot fail.
                    let _ = write!(pointer, "/{i}");
                    values.push(self.eval_json_at(item, pointer));
                    pointer.truncate(restore);
                }
                Value::array(values)
            }
            Json::Object(members) => {
                let mut object = Object::with_capacity(members.len());
                for (key, member) in members {
                    own_bytes += key.len();
                    let restore = pointer.len();
                    pointer.push('/');
                    crate::source::json::push_pointer_token(pointer, key);
                    if key.eq_ignore_ascii_case("copy") && is_property_copy(member) {
                        self.property_copy(member, pointer, &mut object);
                    } else {
                        object.insert(
                            self.shared.keys.get(key),
                            self.eval_json_at(member, pointer),
                        );
                    }
                    pointer.truncate(restore);
                }
                Value::object(object)
            }
            other => Value::from(other),
        };
        self.charge(value, own_bytes, pointer)
    }

    /// Counts `bytes` against the file's budget: `value` when it fits, unknown (reported once)
    /// when it does not.
    fn charge(&self, value: Value, bytes: usize, pointer: &str) -> Value {
        if self.budget.charge(bytes, self.file, pointer) {
            value
        } else {
            self.over_budget()
        }
    }

    fn over_budget(&self) -> Value {
        self.unknown_values.set(self.unknown_values.get() + 1);
        Value::unknown(Provenance::reason(format!(
            "the template's expansion exceeds {MAX_EVALUATED_BYTES} bytes"
        )))
    }

    /// Evaluates one string value.
    pub(crate) fn eval_string(&self, s: &str, pointer: &str) -> Value {
        if self.budget.spent() {
            return self.over_budget();
        }
        let value = match expr::classify(s) {
            StringKind::Literal => Value::string(s),
            StringKind::Escaped(literal) => Value::string(literal),
            StringKind::Expression(_) => {
                let result = match &*self.shared.expressions.parse(s) {
                    Ok(ast) => Evaluator::new(self, &self.ctx).evaluate(ast),
                    Err(error) => Err(EvalError::from(error.clone())),
                };
                match result {
                    Ok(value) => {
                        if value.contains_unknown() {
                            self.unknown_values.set(self.unknown_values.get() + 1);
                        }
                        value
                    }
                    Err(error) => return self.expression_failed(error, pointer),
                }
            }
        };
        let size = value.size();
        self.charge(value, size, pointer)
    }

    fn expression_failed(&self, error: EvalError, pointer: &str) -> Value {
        let info = error.kind.info();
        self.issue(
            ExpandIssue::new(
                info.code,
                info.default_severity,
                error.message.clone(),
                self.file,
                pointer,
            )
            .with_span(error.span),
        );
        self.unknown_values.set(self.unknown_values.get() + 1);
        Value::unknown(Provenance::reason(format!(
            "the expression at {pointer} failed: {}",
            error.message
        )))
    }

    /// Expands the entries of a property (or variable-object) `copy` array into `object`.
    fn property_copy(&self, entries: &Json, pointer: &str, object: &mut Object) {
        let Some(entries) = entries.as_array() else {
            return;
        };
        for (i, entry) in entries.iter().enumerate() {
            let entry_pointer = json::index(pointer, i);
            let Some(name) = json::get(entry, "name").and_then(Json::as_str) else {
                continue;
            };
            let value = self.copy_array(entry, &entry_pointer, name, false);
            object.insert(name, value);
        }
    }

    /// Evaluates `{name, count, input}` into an array, binding `copyIndex(name)`.
    pub(crate) fn copy_array(
        &self,
        entry: &Json,
        pointer: &str,
        name: &str,
        resource_loop: bool,
    ) -> Value {
        let count = self.copy_count(entry, pointer);
        let Some(input) = json::get(entry, "input") else {
            self.issue(ExpandIssue::new(
                "ARM-TPL-003",
                Severity::Error,
                format!("the copy loop `{name}` has no `input`"),
                self.file,
                pointer,
            ));
            return Value::unknown(Provenance::reason(format!(
                "copy loop '{name}' has no input"
            )));
        };
        let input_pointer = json::child(pointer, "input");
        match count {
            CopyCount::Unknown => Value::unknown(Provenance::reason(format!(
                "the count of copy loop '{name}' is unknown before deployment"
            ))),
            CopyCount::Known(n) => {
                let items = (0..n)
                    .map(|i| {
                        self.with_copy_frame(
                            CopyFrame {
                                name: Some(name.to_owned()),
                                index: i,
                                resource_loop,
                            },
                            || self.eval_json(input, &input_pointer),
                        )
                    })
                    .collect();
                Value::array(items)
            }
        }
    }

    pub(crate) fn with_copy_frame<R>(&self, frame: CopyFrame, body: impl FnOnce() -> R) -> R {
        self.copy_stack.borrow_mut().push(frame);
        let result = body();
        self.copy_stack.borrow_mut().pop();
        result
    }

    /// Evaluates and checks the `count` of a copy object at `pointer`.
    pub(crate) fn copy_count(&self, copy: &Json, pointer: &str) -> CopyCount {
        let Some(count) = json::get(copy, "count") else {
            self.issue(ExpandIssue::new(
                "ARM-TPL-003",
                Severity::Error,
                "the copy loop has no `count`",
                self.file,
                pointer,
            ));
            return CopyCount::Known(0);
        };
        let count_pointer = json::child(pointer, "count");
        match self.eval_json(count, &count_pointer) {
            Value::Int(n) if (0..=ARM_MAX_COPY_COUNT).contains(&n) => CopyCount::Known(n),
            Value::Int(n) if n < 0 => {
                self.issue(ExpandIssue::new(
                    "ARM-TPL-003",
                    Severity::Error,
                    format!("the copy count is {n}; it must not be negative"),
                    self.file,
                    count_pointer,
                ));
                CopyCount::Known(0)
            }
            Value::Int(n) => {
                self.issue(
                    ExpandIssue::new(
                        "ARM-TPL-003",
                        Severity::Error,
                        format!(
                            "the copy count is {n}; ARM allows at most {ARM_MAX_COPY_COUNT} (only the first {ARM_MAX_COPY_COUNT} are analyzed)"
                        ),
                        self.file,
                        count_pointer,
                    )
                    .with_help("split the loop, or deploy the instances from several deployments"),
                );
                CopyCount::Known(ARM_MAX_COPY_COUNT)
            }
            Value::Unknown(_) => CopyCount::Unknown,
            other => {
                self.issue(ExpandIssue::new(
                    "ARM-TPL-003",
                    Severity::Error,
                    format!("the copy count is {}, not an integer", other.type_name()),
                    self.file,
                    count_pointer,
                ));
                CopyCount::Known(0)
            }
        }
    }

    /// Pushes `label` on the evaluation chain, or reports the cycle it closes.
    fn enter_chain(&self, label: String, pointer: &str) -> bool {
        let mut chain = self.chain.borrow_mut();
        if let Some(start) = chain.iter().position(|l| l.eq_ignore_ascii_case(&label)) {
            let mut cycle: Vec<String> = chain[start..].to_vec();
            cycle.push(label);
            drop(chain);
            self.issue(ExpandIssue::new(
                "ARM-TPL-002",
                Severity::Error,
                format!("circular reference: {}", cycle.join(" → ")),
                self.file,
                pointer,
            ));
            return false;
        }
        if chain.len() >= MAX_VARIABLE_CHAIN {
            drop(chain);
            self.issue(ExpandIssue::new(
                "ARM-TPL-010",
                Severity::Error,
                format!("variables and parameters read one another more than {MAX_VARIABLE_CHAIN} levels deep"),
                self.file,
                pointer,
            ));
            return false;
        }
        chain.push(label);
        true
    }

    fn leave_chain(&self) {
        self.chain.borrow_mut().pop();
    }

    /// Keeps a memoized value within [`MAX_MEMOIZED_VALUE_BYTES`].
    fn bounded(&self, value: Value, what: &str, pointer: &str) -> Value {
        let total = self.memo_bytes.get().saturating_add(value.size());
        if total > MAX_MEMOIZED_VALUE_BYTES {
            self.issue(ExpandIssue::new(
                "ARM-TPL-010",
                Severity::Error,
                format!(
                    "{what} would take the template's values beyond {MAX_MEMOIZED_VALUE_BYTES} bytes; it is treated as unknown"
                ),
                self.file,
                pointer,
            ));
            return Value::unknown(Provenance::reason(format!(
                "{what} is too large to analyze"
            )));
        }
        self.memo_bytes.set(total);
        value
    }

    fn resolve_parameter(&self, decl_key: &str, decl: &Json) -> Value {
        let pointer = self.pointer(&json::child("/parameters", decl_key));
        let decl_object = decl.as_object();
        // A null value counts as not given, so the default applies: Bicep passes optional
        // module inputs as `tryGet(...)`, null when absent, and relies on it.
        let supplied = self
            .supplied
            .get(&fold(decl_key))
            .filter(|s| !matches!(s, Supplied::Value(Value::Null)));
        let value = match supplied {
            Some(Supplied::Value(value)) => value.clone(),
            Some(Supplied::Unknown(provenance)) => return Value::unknown(provenance.clone()),
            None => match json::get(decl, "defaultValue") {
                Some(default) => {
                    if !self.enter_chain(format!("parameters('{decl_key}')"), &pointer) {
                        return Value::unknown(Provenance::reason(format!(
                            "parameter '{decl_key}' is part of a cycle"
                        )));
                    }
                    let value = self.eval_json(default, &json::child(&pointer, "defaultValue"));
                    self.leave_chain();
                    value
                }
                None => {
                    let nullable =
                        json::get(decl, "nullable").and_then(Json::as_bool) == Some(true);
                    if nullable {
                        return Value::Null;
                    }
                    self.issue(
                        ExpandIssue::new(
                            "ARM-PARAM-001",
                            Severity::Note,
                            format!("parameter `{decl_key}` has no value and no default; values computed from it are unknown"),
                            self.file,
                            pointer,
                        )
                        .with_help("give a parameter file (`<template>.parameters.json` beside the template, or --parameters) or parameter values in the configuration"),
                    );
                    return Value::unknown(Provenance::missing_parameter(decl_key));
                }
            },
        };
        if let Some(decl_object) = decl_object
            && let Some(problem) = parameters::violation(decl_object, &value)
        {
            let shown = if parameters::is_secure(decl_object) {
                problem.replace(&value.to_json_string(), "(secure value)")
            } else {
                problem
            };
            self.issue(ExpandIssue::new(
                "ARM-PARAM-002",
                Severity::Error,
                format!("parameter `{decl_key}`: {shown}"),
                self.file,
                pointer.clone(),
            ));
        }
        self.bounded(value, &format!("parameter '{decl_key}'"), &pointer)
    }

    fn resolve_variable(&self, name: &str) -> Option<Value> {
        let decls = self.variable_decls?;
        if let Some((key, decl)) =
            json::member(decls, name).filter(|(k, _)| !k.eq_ignore_ascii_case("copy"))
        {
            let pointer = self.pointer(&json::child("/variables", key));
            if !self.enter_chain(format!("variables('{key}')"), &pointer) {
                return Some(Value::unknown(Provenance::reason(format!(
                    "variable '{key}' is part of a cycle"
                ))));
            }
            let value = self.eval_json(decl, &pointer);
            self.leave_chain();
            return Some(self.bounded(value, &format!("variable '{key}'"), &pointer));
        }
        // Variables defined by a top-level `copy` array.
        let (copy_key, copies) = json::member(decls, "copy")?;
        let copies = copies.as_array()?;
        let base = self.pointer(&json::child("/variables", copy_key));
        copies.iter().enumerate().find_map(|(i, entry)| {
            let entry_name = json::get(entry, "name").and_then(Json::as_str)?;
            if !entry_name.eq_ignore_ascii_case(name) {
                return None;
            }
            let pointer = json::index(&base, i);
            if !self.enter_chain(format!("variables('{entry_name}')"), &pointer) {
                return Some(Value::unknown(Provenance::reason(format!(
                    "variable '{entry_name}' is part of a cycle"
                ))));
            }
            let value = self.copy_array(entry, &pointer, entry_name, false);
            self.leave_chain();
            Some(self.bounded(value, &format!("variable '{entry_name}'"), &pointer))
        })
    }

    fn read_functions(&self) -> HashMap<String, Arc<UserFunction>> {
        let mut functions = HashMap::new();
        let Some(namespaces) = json::get(self.template, "functions").and_then(Json::as_array)
        else {
            return functions;
        };
        for (i, namespace) in namespaces.iter().enumerate() {
            let Some(ns) = json::get(namespace, "namespace").and_then(Json::as_str) else {
                continue;
            };
            let Some(members) = json::get(namespace, "members").and_then(Json::as_object) else {
                continue;
            };
            for (name, member) in members {
                let pointer = self.pointer(&json::child(
                    &json::child(&json::index("/functions", i), "members"),
                    name,
                ));
                let parameters = json::get(member, "parameters")
                    .and_then(Json::as_array)
                    .map(|ps| {
                        ps.iter()
                            .filter_map(|p| json::get(p, "name").and_then(Json::as_str))
                            .map(Arc::from)
                            .collect()
                    })
                    .unwrap_or_default();
                let output = json::get(member, "output")
                    .and_then(|o| json::get(o, "value"))
                    .cloned()
                    .unwrap_or(Json::Null);
                let output = match CompiledValue::compile(&output) {
                    Ok(compiled) => compiled,
                    Err(error) => {
                        let info = error.kind.info();
                        self.issue(
                            ExpandIssue::new(
                                info.code,
                                info.default_severity,
                                error.message.clone(),
                                self.file,
                                json::child(&json::child(&pointer, "output"), "value"),
                            )
                            .with_span(error.span),
                        );
                        continue;
                    }
                };
                functions.insert(
                    format!("{}.{}", fold(ns), fold(name)),
                    Arc::new(UserFunction {
                        namespace: ns.to_owned(),
                        name: name.clone(),
                        parameters,
                        output,
                    }),
                );
            }
        }
        functions
    }
}

/// A `copy` member is a property loop when it is an array of `{name, count, input}` objects.
fn is_property_copy(value: &Json) -> bool {
    value.as_array().is_some_and(|entries| {
        !entries.is_empty()
            && entries.iter().all(|e| {
                json::get(e, "name").is_some_and(Json::is_string) && json::get(e, "count").is_some()
            })
    })
}

impl EvalEnv for TemplateEnv<'_> {
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        let key = folded(name);
        if let Some(Memo::Done(value)) = self.parameters.borrow().get(key.as_ref()) {
            return Ok(value.clone());
        }
        let key = key.into_owned();
        let Some((decl_key, decl)) = self.parameter_decls.and_then(|d| json::member(d, name))
        else {
            return Err(EnvError::new(
                ErrorKind::UndefinedParameter,
                format!("the template declares no parameter '{name}'"),
            ));
        };
        if matches!(self.parameters.borrow().get(&key), Some(Memo::InProgress)) {
            // The cycle is reported by the chain; this read is unknown.
            let pointer = self.pointer(&json::child("/parameters", decl_key));
            self.enter_chain(format!("parameters('{decl_key}')"), &pointer);
            return Ok(Value::unknown(Provenance::reason(format!(
                "parameter '{decl_key}' is part of a cycle"
            ))));
        }
        self.parameters
            .borrow_mut()
            .insert(key.clone(), Memo::InProgress);
        let value = self.resolve_parameter(decl_key, decl);
        self.parameters
            .borrow_mut()
            .insert(key, Memo::Done(value.clone()));
        Ok(value)
    }

    fn variable(&self, name: &str) -> Result<Value, EnvError> {
        let key = folded(name);
        match self.variables.borrow().get(key.as_ref()) {
            Some(Memo::Done(value)) => return Ok(value.clone()),
            Some(Memo::InProgress) => {}
            None => {}
        }
        let key = key.into_owned();
        let in_progress = matches!(self.variables.borrow().get(&key), Some(Memo::InProgress));
        if in_progress {
            let pointer = self.pointer(&json::child("/variables", name));
            self.enter_chain(format!("variables('{name}')"), &pointer);
            return Ok(Value::unknown(Provenance::reason(format!(
                "variable '{name}' is part of a cycle"
            ))));
        }
        self.variables
            .borrow_mut()
            .insert(key.clone(), Memo::InProgress);
        let value = self.resolve_variable(name);
        match value {
            Some(value) => {
                self.variables
                    .borrow_mut()
                    .insert(key, Memo::Done(value.clone()));
                Ok(value)
            }
            None => {
                self.variables.borrow_mut().remove(&key);
                Err(EnvError::new(
                    ErrorKind::UndefinedVariable,
                    format!("the template declares no variable '{name}'"),
                ))
            }
        }
    }

    fn copy_index(&self, loop_name: Option<&str>) -> Result<i64, EnvError> {
        let stack = self.copy_stack.borrow();
        let frame = match loop_name {
            None => stack.iter().rev().find(|f| f.resource_loop),
            Some(name) => stack.iter().rev().find(|f| {
                f.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            }),
        };
        frame.map(|f| f.index).ok_or_else(|| {
            EnvError::new(
                ErrorKind::CopyIndex,
                match loop_name {
                    Some(n) => format!("copyIndex('{n}') is used outside a copy loop named '{n}'"),
                    None => "copyIndex() is used outside a resource or output copy loop".to_owned(),
                },
            )
        })
    }

    fn user_function(&self, namespace: &str, name: &str) -> Option<Arc<UserFunction>> {
        self.functions
            .get(&format!("{}.{}", fold(namespace), fold(name)))
            .cloned()
    }

    fn reference(&self, request: &ReferenceRequest<'_>) -> Option<Value> {
        if request.full || !request.function.eq_ignore_ascii_case("reference") {
            return None;
        }
        let target = request.target.as_str()?;
        // A deployment by name, symbolic name, or id (`.../deployments/<name>`).
        let name = match target.rfind("/deployments/") {
            Some(at)
                if target.contains("Microsoft.Resources")
                    || target.contains("microsoft.resources") =>
            {
                &target[at + "/deployments/".len()..]
            }
            _ => target,
        };
        self.deployment_outputs.borrow().get(&fold(name)).cloned()
    }

    fn record_resource_id(&self, id: &str, usage: IdUsage) {
        if self.find_record(id, usage).is_none() {
            self.push_record(Arc::from(id), usage);
        }
    }

    fn record_built_id(&self, id: String, usage: IdUsage) -> Value {
        let shared = match self.find_record(&id, usage) {
            Some(shared) => shared,
            None => {
                let shared: Arc<str> = Arc::from(id);
                self.push_record(Arc::clone(&shared), usage);
                shared
            }
        };
        Value::String(shared)
    }

    fn deployment_template(&self) -> Option<Value> {
        let key = (self.file, self.base.clone());
        if let Some(value) = self.shared.templates.borrow().get(&key) {
            return Some(value.clone());
        }
        let value = Value::from(self.template);
        self.shared
            .templates
            .borrow_mut()
            .insert(key, value.clone());
        Some(value)
    }
}

/// Records of one resource up to this many are searched in order, beyond it by hash.
const RECORD_SCAN_LIMIT: usize = 16;

// A resource names the same id several times (`dependsOn`, a property, a `reference()` of it):
// the graph needs one record of each, and copies were a fifth of a large expansion's memory.
impl TemplateEnv<'_> {
    /// The record of `id` used as `usage` by the resource being evaluated, when there is one.
    fn find_record(&self, id: &str, usage: IdUsage) -> Option<Arc<str>> {
        let recorded = self.recorded.borrow();
        let same = |r: &&RecordedReference| r.usage == usage && &*r.target == id;
        if recorded.len() < RECORD_SCAN_LIMIT {
            return recorded.iter().find(same).map(|r| Arc::clone(&r.target));
        }
        let mut by_hash = self.recorded_by_hash.borrow_mut();
        if by_hash.is_empty() {
            for (i, r) in recorded.iter().enumerate() {
                by_hash
                    .entry(super::hash_of((&*r.target, r.usage)))
                    .or_default()
                    .push(i);
            }
        }
        by_hash
            .get(&super::hash_of((id, usage)))
            .into_iter()
            .flatten()
            .filter_map(|&i| recorded.get(i))
            .find(same)
            .map(|r| Arc::clone(&r.target))
    }

    fn push_record(&self, target: Arc<str>, usage: IdUsage) {
        let mut recorded = self.recorded.borrow_mut();
        let mut by_hash = self.recorded_by_hash.borrow_mut();
        if !by_hash.is_empty() {
            by_hash
                .entry(super::hash_of((&*target, usage)))
                .or_default()
                .push(recorded.len());
        }
        recorded.push(RecordedReference { target, usage });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expression_cache_returns_the_same_parse_and_stays_bounded() {
        let cache = ExpressionCache::default();
        let first = cache.parse("[concat('a', parameters('p'))]");
        let again = cache.parse("[concat('a', parameters('p'))]");
        assert!(Rc::ptr_eq(&first, &again), "a repeated text is parsed once");
        assert!(first.is_ok());
        let broken = cache.parse("[concat('a'");
        assert_eq!(
            *broken,
            expr::parse("[concat('a'"),
            "errors are kept as parsed"
        );
        let long = format!("[concat('{}')]", "x".repeat(MAX_CACHED_EXPRESSION_BYTES));
        assert!(
            !Rc::ptr_eq(&cache.parse(&long), &cache.parse(&long)),
            "long texts are not kept"
        );
        for i in 0..MAX_CACHED_EXPRESSIONS * 2 {
            cache.parse(&format!("[add({i}, 1)]"));
        }
        assert_eq!(cache.0.borrow().len(), MAX_CACHED_EXPRESSIONS);
        assert!(
            cache
                .parse(&format!("[add({}, 1)]", MAX_CACHED_EXPRESSIONS * 2 - 1))
                .is_ok()
        );
    }
}
