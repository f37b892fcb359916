//! The evaluator and the environment trait the template expander implements.

use std::sync::Arc;

use super::ast::{Ast, Call, Expr, ExprKind};
use super::context::DeploymentContext;
use super::error::{EnvError, ErrorKind, EvalError, ParseError, Span};
use super::functions::{Args, FunctionSet, Imp};
use super::value::{Object, Provenance, Value};
use super::{
    MAX_EVAL_DEPTH, MAX_EVAL_STEPS, MAX_USER_CALL_DEPTH, MAX_VALUE_DEPTH, MAX_VALUE_SIZE,
    StringKind, classify,
};

/// How a resource id was used, for implicit dependencies and graph edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdUsage {
    /// Built by a `resourceId`-family function.
    ResourceId,
    /// The target of `reference()` / `references()`.
    Reference,
    /// The target of a `list*()` call.
    List,
}

/// A request to the environment for the value of `reference()`, `references()` or `list*()`.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceRequest<'a> {
    /// The function as written (`reference`, `listKeys`).
    pub function: &'a str,
    /// The first argument: a name, symbolic name, or resource id.
    pub target: &'a Value,
    /// The API version argument, if given.
    pub api_version: Option<&'a str>,
    /// True for `reference(x, v, 'Full')`.
    pub full: bool,
}

/// What an expression may read from its surroundings. The template expander implements it;
/// every method has a default, so [`EmptyEnv`] (no parameters, no variables, not in a loop) is
/// simply `impl EvalEnv for EmptyEnv {}`.
///
/// Methods take `&self`; an implementation that memoizes variables or records ids uses interior
/// mutability (`RefCell`/`Cell`), which also lets it detect variable cycles.
pub trait EvalEnv {
    /// The value of `parameters(name)` (name compared case-insensitively by the implementation).
    /// A parameter without a value should be returned as
    /// `Value::unknown(Provenance::missing_parameter(name))`.
    fn parameter(&self, name: &str) -> Result<Value, EnvError> {
        Err(EnvError::new(
            ErrorKind::UndefinedParameter,
            format!("the template declares no parameter '{name}'"),
        ))
    }
    /// The value of `variables(name)`, evaluated lazily by the implementation (which may detect
    /// cycles and return an error, or an unknown to avoid cascading diagnostics).
    fn variable(&self, name: &str) -> Result<Value, EnvError> {
        Err(EnvError::new(
            ErrorKind::UndefinedVariable,
            format!("the template declares no variable '{name}'"),
        ))
    }
    /// The current index of the named copy loop, or of the innermost resource/output loop when
    /// `loop_name` is `None` (before any offset is added).
    fn copy_index(&self, loop_name: Option<&str>) -> Result<i64, EnvError> {
        Err(EnvError::new(
            ErrorKind::CopyIndex,
            match loop_name {
                Some(n) => format!("copyIndex('{n}') is used outside a copy loop named '{n}'"),
                None => "copyIndex() is used outside a copy loop".to_string(),
            },
        ))
    }
    /// The user-defined function `namespace.name` (both case-insensitive), if declared.
    fn user_function(&self, namespace: &str, name: &str) -> Option<Arc<UserFunction>> {
        let _ = (namespace, name);
        None
    }
    /// A statically known value for `reference()`/`references()`/`list*()` (for example the
    /// declared body of a resource of this template, or an expanded module's outputs). `None`
    /// makes the result unknown.
    fn reference(&self, request: &ReferenceRequest<'_>) -> Option<Value> {
        let _ = request;
        None
    }
    /// `resourceInfo(symbolicName)` of a declared resource (languageVersion 2.0).
    fn resource_info(&self, symbolic_name: &str) -> Option<Value> {
        let _ = symbolic_name;
        None
    }
    /// Record that a resource id (or name / symbolic name, for `reference`) was used.
    fn record_resource_id(&self, id: &str, usage: IdUsage) {
        let _ = (id, usage);
    }
    /// Record a resource id that `resourceId()` and its kin built, and return it as the
    /// function's value. An environment that keeps its records may share one allocation between
    /// the record and the value; by default this is [`record_resource_id`](Self::record_resource_id)
    /// and [`Value::string`].
    fn record_built_id(&self, id: String, usage: IdUsage) -> Value {
        self.record_resource_id(&id, usage);
        Value::string(id)
    }
    /// The value of `externalInputs(key)` in compiled `.bicepparam` files.
    fn external_input(&self, key: &str) -> Option<Value> {
        let _ = key;
        None
    }
    /// The template object, for `deployment().properties.template` (1.0 shape).
    fn deployment_template(&self) -> Option<Value> {
        None
    }
    /// A hook for host-specific functions chained in by another function set (the policy set's
    /// `field()`, `current()`, `requestContext()`): they call this with their own name.
    fn host_call(&self, name: &str, args: &[Value]) -> Option<Result<Value, EnvError>> {
        let _ = (name, args);
        None
    }
}

/// An environment with no parameters, no variables, no loops and no user functions.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyEnv;

impl EvalEnv for EmptyEnv {}

/// A JSON value whose strings have been classified and parsed once: the body of a user function
/// (or any template fragment the expander wants to evaluate repeatedly).
#[derive(Debug, Clone)]
pub enum CompiledValue {
    /// A value with no expressions in it.
    Literal(Value),
    /// An expression string.
    Expr(Arc<CompiledExpr>),
    /// An array with expressions inside.
    Array(Vec<CompiledValue>),
    /// An object with expressions inside.
    Object(Vec<(Arc<str>, CompiledValue)>),
}

/// One parsed expression string with its source text.
#[derive(Debug, Clone)]
pub struct CompiledExpr {
    /// The JSON string value, brackets included.
    pub source: Arc<str>,
    /// Its parse tree.
    pub ast: Ast,
}

impl CompiledValue {
    /// Parse every expression string in a JSON value (`[[` escapes are unescaped, plain strings
    /// are literals). Fails on the first string that does not parse.
    pub fn compile(json: &serde_json::Value) -> Result<CompiledValue, ParseError> {
        use serde_json::Value as J;
        Ok(match json {
            J::String(s) => match classify(s) {
                StringKind::Expression(_) => {
                    let ast = super::parse(s)?;
                    CompiledValue::Expr(Arc::new(CompiledExpr {
                        source: s.as_str().into(),
                        ast,
                    }))
                }
                StringKind::Escaped(lit) => CompiledValue::Literal(Value::string(lit)),
                StringKind::Literal => CompiledValue::Literal(Value::string(s.as_str())),
            },
            J::Array(items) => {
                let parts = items
                    .iter()
                    .map(CompiledValue::compile)
                    .collect::<Result<Vec<_>, _>>()?;
                if parts.iter().all(|p| matches!(p, CompiledValue::Literal(_))) {
                    CompiledValue::Literal(Value::from(json))
                } else {
                    CompiledValue::Array(parts)
                }
            }
            J::Object(m) => {
                let mut parts = Vec::with_capacity(m.len());
                for (k, v) in m {
                    parts.push((Arc::<str>::from(k.as_str()), CompiledValue::compile(v)?));
                }
                if parts
                    .iter()
                    .all(|(_, p)| matches!(p, CompiledValue::Literal(_)))
                {
                    CompiledValue::Literal(Value::from(json))
                } else {
                    CompiledValue::Object(parts)
                }
            }
            other => CompiledValue::Literal(Value::from(other)),
        })
    }
}

/// A user-defined function (`functions[].members.<name>` of a template).
#[derive(Debug, Clone)]
pub struct UserFunction {
    /// The namespace as declared (`__bicep`).
    pub namespace: String,
    /// The member name as declared.
    pub name: String,
    /// Parameter names, in declaration order (positional binding).
    pub parameters: Vec<Arc<str>>,
    /// `output.value`: an expression string or a JSON value containing expressions.
    pub output: CompiledValue,
}

/// The bound parameters of a user-defined function call.
type ParamScope = Vec<(Arc<str>, Value)>;

/// Evaluates parsed expressions against an environment and a deployment context.
pub struct Evaluator<'a> {
    env: &'a dyn EvalEnv,
    ctx: &'a DeploymentContext,
    functions: &'a FunctionSet,
    /// The parameter scope of the user function being evaluated, if any.
    params: Option<Arc<ParamScope>>,
    /// Lambda variables in scope, innermost last.
    lambdas: Vec<(Arc<str>, Value)>,
    depth: usize,
    steps: u64,
    user_stack: Vec<String>,
    /// Set while evaluating `deployment()` inside an access that cannot read
    /// `properties.template` (`deployment().name`): converting a large template for nothing
    /// was a fifth of the corpus's expansion time.
    template_unread: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator with the template function set.
    pub fn new(env: &'a dyn EvalEnv, ctx: &'a DeploymentContext) -> Evaluator<'a> {
        Evaluator {
            env,
            ctx,
            functions: FunctionSet::template(),
            params: None,
            lambdas: Vec::new(),
            depth: 0,
            steps: 0,
            user_stack: Vec::new(),
            template_unread: false,
        }
    }

    /// Whether the `deployment()` being evaluated is read only outside `properties.template`.
    pub(crate) fn template_unread(&self) -> bool {
        self.template_unread
    }
    /// Use another function set (e.g. the template set chained with the policy set).
    pub fn with_functions(mut self, functions: &'a FunctionSet) -> Evaluator<'a> {
        self.functions = functions;
        self
    }
    /// The environment.
    pub fn env(&self) -> &'a dyn EvalEnv {
        self.env
    }
    /// The deployment context.
    pub fn ctx(&self) -> &'a DeploymentContext {
        self.ctx
    }
    /// True while evaluating the body of a user-defined function.
    pub fn in_user_function(&self) -> bool {
        self.params.is_some()
    }

    /// Evaluate a parsed expression (resets the step budget).
    pub fn evaluate(&mut self, ast: &Ast) -> Result<Value, EvalError> {
        self.steps = 0;
        self.eval(&ast.expr)
    }

    /// Evaluate a compiled JSON value (resets the step budget).
    pub fn evaluate_compiled(&mut self, value: &CompiledValue) -> Result<Value, EvalError> {
        self.steps = 0;
        self.eval_compiled(value)
    }

    fn eval_compiled(&mut self, value: &CompiledValue) -> Result<Value, EvalError> {
        match value {
            CompiledValue::Literal(v) => Ok(v.clone()),
            CompiledValue::Expr(e) => self.eval(&e.ast.expr),
            CompiledValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval_compiled(i)?);
                }
                Ok(Value::array(out))
            }
            CompiledValue::Object(members) => {
                let mut o = Object::with_capacity(members.len());
                for (k, v) in members {
                    o.insert(k.clone(), self.eval_compiled(v)?);
                }
                Ok(Value::object(o))
            }
        }
    }

    /// Count one unit of work; fails past [`MAX_EVAL_STEPS`].
    pub fn charge(&mut self, units: u64, span: Span) -> Result<(), EvalError> {
        self.steps = self.steps.saturating_add(units);
        if self.steps > MAX_EVAL_STEPS {
            return Err(EvalError::new(
                ErrorKind::BudgetExceeded,
                format!("evaluation takes more than {MAX_EVAL_STEPS} steps"),
                span,
            ));
        }
        Ok(())
    }

    /// Evaluate one node.
    pub fn eval(&mut self, e: &Expr) -> Result<Value, EvalError> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Err(EvalError::new(
                ErrorKind::TooDeep,
                format!("evaluation nests deeper than {MAX_EVAL_DEPTH} levels"),
                e.span,
            ));
        }
        self.depth += 1;
        let r = self.eval_inner(e);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expr) -> Result<Value, EvalError> {
        match &e.kind {
            ExprKind::Str(s) => Ok(Value::String(s.clone())),
            ExprKind::Int(i) => Ok(Value::Int(*i)),
            ExprKind::Call(c) => self.call(c, e.span),
            ExprKind::Property {
                target,
                name,
                name_span,
            } => {
                let unread = self.template_unread || reads_beside_template(target, name);
                let outer = std::mem::replace(&mut self.template_unread, unread);
                let t = self.eval(target);
                self.template_unread = outer;
                property(&t?, name, *name_span)
            }
            ExprKind::Index { target, index } => {
                let t = self.eval(target)?;
                let i = self.eval(index)?;
                index_value(&t, &i, index.span)
            }
        }
    }

    fn call(&mut self, c: &Call, span: Span) -> Result<Value, EvalError> {
        self.charge(1, span)?;
        if let Some(ns) = &c.namespace {
            return self.user_call(ns, c, span);
        }
        let Some(def) = self.functions.get(&c.key) else {
            return Err(EvalError::new(
                ErrorKind::UnknownFunction,
                format!("the function '{}' is not a template function", c.name),
                c.name_span,
            ));
        };
        let n = c.args.len();
        if n < def.min_args || n > def.max_args {
            let expected = if def.min_args == def.max_args {
                format!("{}", def.min_args)
            } else if def.max_args == usize::MAX {
                format!("at least {}", def.min_args)
            } else {
                format!("{} to {}", def.min_args, def.max_args)
            };
            return Err(EvalError::new(
                ErrorKind::Arity,
                format!(
                    "the function '{}' takes {expected} argument(s), but {n} were given",
                    def.name
                ),
                span,
            ));
        }
        match def.imp {
            Imp::Lazy(f) => {
                let v = f(self, c, span)?;
                check_value(&v, span)?;
                Ok(v)
            }
            Imp::Eager(f) => {
                let mut values = Vec::with_capacity(n);
                for a in &c.args {
                    values.push(self.eval(a)?);
                }
                if !def.handles_unknown
                    && let Some(u) = values.iter().find(|v| v.is_unknown())
                {
                    return Ok(u.clone());
                }
                let args = Args::new(values, c, span);
                let v = f(self, &args)?;
                check_value(&v, span)?;
                Ok(v)
            }
        }
    }

    fn user_call(&mut self, ns: &str, c: &Call, span: Span) -> Result<Value, EvalError> {
        let qualified = format!("{ns}.{}", c.name);
        let Some(f) = self.env.user_function(ns, &c.name) else {
            return Err(EvalError::new(
                ErrorKind::UserFunction,
                format!("the user-defined function '{qualified}' is not declared"),
                c.name_span,
            ));
        };
        if c.args.len() != f.parameters.len() {
            return Err(EvalError::new(
                ErrorKind::Arity,
                format!(
                    "the user-defined function '{qualified}' takes {} argument(s), but {} were given",
                    f.parameters.len(),
                    c.args.len()
                ),
                span,
            ));
        }
        let key = qualified.to_lowercase();
        if self.user_stack.contains(&key) {
            return Err(EvalError::new(
                ErrorKind::UserFunction,
                format!("the user-defined function '{qualified}' calls itself recursively"),
                span,
            ));
        }
        if self.user_stack.len() >= MAX_USER_CALL_DEPTH {
            return Err(EvalError::new(
                ErrorKind::TooDeep,
                format!("user-defined function calls nest deeper than {MAX_USER_CALL_DEPTH}"),
                span,
            ));
        }
        let mut bound = Vec::with_capacity(c.args.len());
        for (p, a) in f.parameters.iter().zip(&c.args) {
            bound.push((p.clone(), self.eval(a)?));
        }
        let saved_params = self.params.replace(Arc::new(bound));
        let saved_lambdas = std::mem::take(&mut self.lambdas);
        self.user_stack.push(key);
        let r = self.eval_compiled(&f.output);
        self.user_stack.pop();
        self.lambdas = saved_lambdas;
        self.params = saved_params;
        r.map_err(|e| match e.kind {
            ErrorKind::BudgetExceeded | ErrorKind::TooDeep | ErrorKind::UserFunction => {
                EvalError::new(e.kind, e.message, span)
            }
            kind => EvalError::new(
                kind,
                format!("in user-defined function '{qualified}': {}", e.message),
                span,
            ),
        })
    }

    /// `parameters(name)`: the enclosing user function's parameter, else the environment's.
    pub fn parameter(&self, name: &str, span: Span) -> Result<Value, EvalError> {
        if let Some(params) = &self.params {
            return params
                .iter()
                .find(|(k, _)| super::value::eq_ignore_case(k, name))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    EvalError::new(
                        ErrorKind::UndefinedParameter,
                        format!("the user-defined function has no parameter '{name}'"),
                        span,
                    )
                });
        }
        self.env.parameter(name).map_err(|e| e.at(span))
    }

    /// `variables(name)`; not available inside user-defined functions.
    pub fn variable(&self, name: &str, span: Span) -> Result<Value, EvalError> {
        if self.params.is_some() {
            return Err(EvalError::new(
                ErrorKind::UndefinedVariable,
                format!("user-defined functions cannot read variables (variables('{name}'))"),
                span,
            ));
        }
        self.env.variable(name).map_err(|e| e.at(span))
    }

    /// Run `f` with lambda variables bound (innermost last).
    pub fn with_lambda_vars<R>(
        &mut self,
        vars: impl IntoIterator<Item = (Arc<str>, Value)>,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let mark = self.lambdas.len();
        self.lambdas.extend(vars);
        let r = f(self);
        self.lambdas.truncate(mark);
        r
    }

    /// The value of `lambdaVariables(name)`, innermost binding first.
    pub fn lambda_var(&self, name: &str) -> Option<&Value> {
        self.lambdas
            .iter()
            .rev()
            .find(|(k, _)| super::value::eq_ignore_case(k, name))
            .map(|(_, v)| v)
    }
}

/// Fail with [`ErrorKind::ValueTooLarge`] when `v` exceeds the value bounds.
pub fn check_value(v: &Value, span: Span) -> Result<(), EvalError> {
    if v.depth() > MAX_VALUE_DEPTH {
        return Err(EvalError::new(
            ErrorKind::ValueTooLarge,
            format!("the value nests deeper than {MAX_VALUE_DEPTH} levels"),
            span,
        ));
    }
    if v.size() > MAX_VALUE_SIZE {
        return Err(EvalError::new(
            ErrorKind::ValueTooLarge,
            format!("the value is larger than {MAX_VALUE_SIZE} bytes"),
            span,
        ));
    }
    Ok(())
}

/// `target.name`: case-insensitive member access.
pub fn property(target: &Value, name: &str, span: Span) -> Result<Value, EvalError> {
    match target {
        Value::Unknown(_) => Ok(target.clone()),
        Value::Object(o) => o.get(name).cloned().ok_or_else(|| {
            let mut keys: Vec<&str> = o.keys().map(|k| &**k).take(10).collect();
            keys.sort_unstable();
            EvalError::new(
                ErrorKind::MissingProperty,
                format!(
                    "the object has no property '{name}' (available: {})",
                    keys.join(", ")
                ),
                span,
            )
        }),
        other => Err(EvalError::new(
            ErrorKind::MissingProperty,
            format!(
                "cannot read property '{name}' of a value of type {}",
                other.type_name()
            ),
            span,
        )),
    }
}

/// `target[index]`: array index or case-insensitive object key.
pub fn index_value(target: &Value, index: &Value, span: Span) -> Result<Value, EvalError> {
    match (target, index) {
        (Value::Unknown(_), _) => Ok(target.clone()),
        (_, Value::Unknown(_)) => Ok(index.clone()),
        (Value::Array(a), Value::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| a.get(i))
            .cloned()
            .ok_or_else(|| {
                EvalError::new(
                    ErrorKind::IndexOutOfRange,
                    format!("index {i} is outside the array of length {}", a.len()),
                    span,
                )
            }),
        (Value::Object(_), Value::String(k)) => property(target, k, span),
        (t, i) => Err(EvalError::new(
            if matches!(t, Value::Array(_) | Value::Object(_)) {
                ErrorKind::ArgumentType
            } else {
                ErrorKind::MissingProperty
            },
            format!(
                "cannot index a value of type {} with a value of type {}",
                t.type_name(),
                i.type_name()
            ),
            span,
        )),
    }
}

/// An unknown value for a runtime-only function call.
pub fn runtime_unknown(c: &Call, span: Span, resource_id: Option<&str>) -> Value {
    let mut p = Provenance::function(&c.name, c.args.first().map(|a| a.to_string()), span);
    p.resource_id = resource_id.map(Into::into);
    Value::unknown(p)
}

/// Whether `<target>.<name>` reads `deployment()` somewhere other than
/// `properties.template`: `deployment().name`, `deployment().properties.templateLink`.
fn reads_beside_template(target: &Expr, name: &str) -> bool {
    let is_deployment_call = |e: &Expr| {
        matches!(&e.kind, ExprKind::Call(c)
            if c.namespace.is_none() && c.args.is_empty() && &*c.key == "deployment")
    };
    if is_deployment_call(target) {
        return !name.eq_ignore_ascii_case("properties");
    }
    match &target.kind {
        ExprKind::Property {
            target: inner,
            name: inner_name,
            ..
        } => {
            is_deployment_call(inner)
                && inner_name.eq_ignore_ascii_case("properties")
                && !name.eq_ignore_ascii_case("template")
        }
        _ => false,
    }
}
