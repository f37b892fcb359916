//! The driver: evaluates loaded definitions against every resource of a [`ResourceGraph`].
//!
//! Per resource, in Azure's order: `modify`/`append` change the request payload first, then
//! `deny` judges the changed request and `audit` the compliance view (the request plus the
//! `privateEndpointConnections` Azure creates for the private endpoints of the template that
//! target the resource), then `auditIfNotExists`/`deployIfNotExists` look for related resources
//! in the graph.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::aliases::{AliasCatalog, AliasTarget};
use super::condition::{ConditionHost, Field, Frame, select_in_scope};
use super::definition::{Definition, Mode};
use super::effects::{Applied, Effect, apply};
use super::path::{FieldPath, Payload};
use super::{PolicyOptions, PolicySet};
use crate::codes::Severity;
use crate::expr::{
    CompiledValue, DeploymentContext, EnvError, ErrorKind, EvalEnv, Evaluator, Object, Provenance,
    Value,
};
use crate::graph::{EdgeKind, ResourceGraph};
use crate::model::{DeploymentState, Resource, Tri};
use crate::report::{Diagnostic, Location};

/// How a field name resolves.
#[derive(Debug, Clone)]
pub enum FieldRef {
    /// `type`.
    Type,
    /// `name` (last segment).
    Name,
    /// `fullName`.
    FullName,
    /// `id`.
    Id,
    /// `location` (normalized).
    Location,
    /// A plain payload path (`kind`, `tags['x']`, `identity.type`).
    Path(Arc<FieldPath>),
    /// An alias.
    Alias(AliasTarget),
    /// A name that cannot be resolved.
    Invalid(String),
}

/// Resolves a field name.
pub fn resolve_field(name: &str, catalog: &AliasCatalog) -> FieldRef {
    match name.to_ascii_lowercase().as_str() {
        "type" => return FieldRef::Type,
        "name" => return FieldRef::Name,
        "fullname" => return FieldRef::FullName,
        "id" => return FieldRef::Id,
        "location" => return FieldRef::Location,
        _ => {}
    }
    if name.contains('/') {
        return match catalog.resolve(name) {
            Ok(target) => FieldRef::Alias(target),
            Err(e) => FieldRef::Invalid(e),
        };
    }
    match FieldPath::parse(name) {
        Ok(p) => FieldRef::Path(Arc::new(p)),
        Err(e) => FieldRef::Invalid(e),
    }
}

/// A definition with its field references resolved once.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub fields: HashMap<String, Arc<FieldRef>>,
}

impl Compiled {
    pub fn new(definition: &Definition, catalog: &AliasCatalog) -> Compiled {
        let mut names: Vec<&str> = definition.condition.static_fields();
        if let Some(existence) = &definition.existence
            && let Some(c) = &existence.condition
        {
            names.extend(c.static_fields());
        }
        names.extend(definition.operations.iter().map(|o| o.field.as_str()));
        let fields = names
            .into_iter()
            .map(|n| (n.to_ascii_lowercase(), Arc::new(resolve_field(n, catalog))))
            .collect();
        Compiled { fields }
    }
}

/// What the condition host knows about the resource being read.
struct Subject<'a> {
    _resource: std::marker::PhantomData<&'a Resource>,
    resource_type: String,
    name: Value,
    full_name: Value,
    id: Value,
    api_version: Option<String>,
    payload: Payload,
}

impl<'a> Subject<'a> {
    fn of(resource: &'a Resource, body: &Value) -> Subject<'a> {
        let last = match &resource.name {
            Value::String(s) => Value::string(s.rsplit('/').next().unwrap_or(s)),
            other => other.clone(),
        };
        Subject {
            _resource: std::marker::PhantomData,
            resource_type: resource.resource_type.clone(),
            name: last,
            full_name: resource.name.clone(),
            id: resource.id_text().map_or_else(
                || Value::unknown(Provenance::reason("the resource id is not known")),
                Value::string,
            ),
            api_version: resource.api_version.clone(),
            payload: Payload::from_value(body),
        }
    }
}

/// The condition host of one definition over one subject.
struct Host<'a> {
    subject: &'a Subject<'a>,
    /// Where `field()` in expressions reads (the evaluated resource, for existence conditions).
    outer: Option<&'a Host<'a>>,
    compiled: &'a Compiled,
    catalog: &'a AliasCatalog,
    parameters: &'a Object,
    context: &'a DeploymentContext,
    dynamic: RefCell<HashMap<String, Arc<FieldRef>>>,
}

impl<'a> Host<'a> {
    fn new(
        subject: &'a Subject<'a>,
        compiled: &'a Compiled,
        set: &'a PolicySet,
        parameters: &'a Object,
        context: &'a DeploymentContext,
    ) -> Host<'a> {
        Host {
            subject,
            outer: None,
            compiled,
            catalog: set.catalog(),
            parameters,
            context,
            dynamic: RefCell::new(HashMap::new()),
        }
    }

    fn field_ref(&self, name: &str) -> Arc<FieldRef> {
        let key = name.to_ascii_lowercase();
        if let Some(r) = self.compiled.fields.get(&key) {
            return Arc::clone(r);
        }
        Arc::clone(
            self.dynamic
                .borrow_mut()
                .entry(key)
                .or_insert_with(|| Arc::new(resolve_field(name, self.catalog))),
        )
    }

    /// The path an alias or plain field reads on this subject (`None` for metadata fields and
    /// aliases of other types).
    fn path_of(&self, name: &str) -> Option<Arc<FieldPath>> {
        match &*self.field_ref(name) {
            FieldRef::Path(p) => Some(Arc::clone(p)),
            FieldRef::Alias(AliasTarget::Path {
                resource_type,
                paths,
                by_version,
                ..
            }) => {
                if !resource_type.eq_ignore_ascii_case(&self.subject.resource_type) {
                    return None;
                }
                if let Some(api) = &self.subject.api_version {
                    let api = api.to_ascii_lowercase();
                    if let Some((_, p)) = by_version.iter().find(|(v, _)| v.contains(&api)) {
                        return Some(Arc::clone(p));
                    }
                }
                if paths.len() > 1 {
                    // Guessed rule-B paths: prefer the one the payload has.
                    for p in paths {
                        if let super::path::Selection::Values(v) = p.select(&self.subject.payload)
                            && !v.is_empty()
                        {
                            return Some(Arc::clone(p));
                        }
                    }
                }
                paths.first().cloned()
            }
            _ => None,
        }
    }
}

fn normalize_location(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::string(s.replace(' ', "").to_lowercase()),
        Value::Null => Value::string("global"),
        other => other.clone(),
    }
}

impl ConditionHost for Host<'_> {
    fn context(&self) -> &DeploymentContext {
        self.context
    }

    fn field(&self, name: &str, frames: &[Frame]) -> Field {
        let subject = self.subject;
        match &*self.field_ref(name) {
            FieldRef::Type => Field::Single(Value::string(subject.resource_type.as_str())),
            FieldRef::Name => Field::Single(subject.name.clone()),
            FieldRef::FullName => Field::Single(subject.full_name.clone()),
            FieldRef::Id => Field::Single(subject.id.clone()),
            FieldRef::Location => {
                let at = FieldPath::parse("location").map(|p| p.select(&subject.payload));
                match at {
                    Ok(super::path::Selection::Values(v)) => {
                        Field::Single(normalize_location(v.first().unwrap_or(&Value::Null)))
                    }
                    Ok(super::path::Selection::Unknown(p)) => Field::Unknown(p),
                    Err(e) => Field::Error(e),
                }
            }
            FieldRef::Invalid(e) => Field::Error(format!("field `{name}`: {e}")),
            FieldRef::Alias(AliasTarget::DataPlane) => {
                Field::Unknown(Arc::new(Provenance::reason(format!(
                    "`{name}` is a data-plane alias, not part of a template"
                ))))
            }
            FieldRef::Path(_) | FieldRef::Alias(_) => match self.path_of(name) {
                Some(path) => {
                    select_in_scope(&path, &subject.payload, frames, &|n| self.path_of(n))
                }
                None if name.contains("[*]") => Field::Collection(Vec::new()),
                None => Field::Single(Value::Null),
            },
        }
    }

    fn field_value(&self, name: &str, frames: &[Frame]) -> Result<Value, String> {
        if let Some(outer) = self.outer {
            return outer.field_value(name, &[]);
        }
        let wrap = name.contains("[*]");
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

    fn request_context(&self) -> Value {
        let subject = self.outer.map_or(self.subject, |o| o.subject);
        let mut o = Object::new();
        o.insert(
            "apiVersion",
            subject.api_version.as_deref().map_or_else(
                || Value::unknown(Provenance::reason("the API version is not known")),
                Value::string,
            ),
        );
        o.insert(
            "identity",
            Value::unknown(Provenance::reason("the caller's identity is not known")),
        );
        Value::object(o)
    }
}

/// Evaluates a policy expression (an effect, a name, a modify value) with `host`.
fn expression(host: &dyn ConditionHost, value: &CompiledValue) -> Result<Value, String> {
    struct Env<'a>(&'a dyn ConditionHost);
    impl EvalEnv for Env<'_> {
        fn parameter(&self, name: &str) -> Result<Value, EnvError> {
            self.0.parameter(name).ok_or_else(|| {
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
                    Some(f) => self.0.field_value(f, &[]).map_err(invalid),
                    None => Err(invalid("field() takes a name".to_owned())),
                },
                "requestcontext" => Ok(self.0.request_context()),
                "policy" => Ok(self.0.policy_info()),
                "current" => Err(invalid("current() is used outside a count".to_owned())),
                _ => return None,
            })
        }
    }
    Evaluator::new(&Env(host), host.context())
        .with_functions(super::functions::policy_functions())
        .evaluate_compiled(value)
        .map_err(|e| e.message)
}

/// One definition to evaluate, with its parameter values.
pub(crate) struct Unit<'a> {
    pub definition: &'a Definition,
    pub compiled: &'a Compiled,
    pub parameters: Object,
    pub initiative: Option<String>,
}

/// A private endpoint connection Azure creates for an endpoint of the template.
struct Implied {
    endpoint: usize,
    name: String,
    status: Value,
    manual: bool,
}

struct Output {
    diagnostics: Vec<Diagnostic>,
    indeterminate: usize,
}

fn location(resource: &Resource, path: &str) -> Location {
    let mut l = Location::new(resource.origin.file, resource.pointer_of(path));
    if let Some(id) = resource.id_text() {
        l = l.with_resource(id);
    }
    l
}

fn request_body(resource: &Resource) -> Value {
    match &resource.body {
        Value::Object(o) => {
            let mut body = Object::with_capacity(o.len());
            for (k, v) in o.iter() {
                if ![
                    "apiVersion",
                    "comments",
                    "scope",
                    "copy",
                    "condition",
                    "dependsOn",
                ]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(k))
                {
                    body.insert(k.clone(), v.clone());
                }
            }
            Value::object(body)
        }
        other => other.clone(),
    }
}

fn implied_connections(graph: &ResourceGraph) -> HashMap<usize, Vec<Implied>> {
    let mut out: HashMap<usize, Vec<Implied>> = HashMap::new();
    for endpoint in graph
        .resources()
        .of_type("Microsoft.Network/privateEndpoints")
    {
        if endpoint.state.deployed() == Tri::False {
            continue;
        }
        let Some(node) = graph.node_of(endpoint.index) else {
            continue;
        };
        for relation in graph.outgoing(node, EdgeKind::PrivateLinkTarget) {
            let Some(target) = graph.node(relation.to).and_then(|n| n.resource()) else {
                continue;
            };
            let manual = relation.role.as_deref() == Some("manual");
            let status = if endpoint.state == DeploymentState::Deployed {
                Value::string(if manual { "Pending" } else { "Approved" })
            } else {
                Value::unknown(Provenance::reason(format!(
                    "private endpoint `{}` is deployed only if its condition holds",
                    endpoint.display_name()
                )))
            };
            out.entry(target.index).or_default().push(Implied {
                endpoint: endpoint.index,
                name: endpoint.display_name(),
                status,
                manual,
            });
        }
    }
    out
}

fn connection_value(endpoint: &Resource, implied: &Implied) -> Value {
    let json = serde_json::json!({
        "name": implied.name,
        "properties": {
            "privateEndpoint": {"id": endpoint.id_text().unwrap_or_default()},
            "privateLinkServiceConnectionState": {"description": "implied by a private endpoint of the template"},
        }
    });
    let mut v = Value::from(&json);
    let path = FieldPath::parse("properties.privateLinkServiceConnectionState.status");
    if let Ok(path) = path {
        apply(&mut v, path.segments(), &implied.status, true);
    }
    v
}

/// The compliance view of a resource: its payload plus the implied connections (and an unknown
/// one when an endpoint of the template may target it without the graph knowing).
fn compliance_body(
    request: &Value,
    graph: &ResourceGraph,
    implied: &[Implied],
    maybe_more: bool,
) -> Value {
    if implied.is_empty() && !maybe_more {
        return request.clone();
    }
    let mut body = request.clone();
    let mut connections: Vec<Value> = implied
        .iter()
        .filter_map(|i| Some(connection_value(graph.resources().get(i.endpoint)?, i)))
        .collect();
    if maybe_more {
        connections.push(Value::unknown(Provenance::reason(
            "a private endpoint of the template may target this resource (its target id is not known before deployment)",
        )));
    }
    if let Value::Object(o) = &mut body {
        let o = Arc::make_mut(o);
        let mut props = match o.get("properties") {
            Some(Value::Object(p)) => (**p).clone(),
            _ => Object::new(),
        };
        let mut list = match props.get("privateEndpointConnections") {
            Some(Value::Array(a)) => a.to_vec(),
            _ => Vec::new(),
        };
        list.extend(connections);
        props.insert("privateEndpointConnections", Value::array(list));
        o.insert("properties", Value::object(props));
    }
    body
}

fn indexed_applies(resource: &Resource) -> bool {
    !resource.inline
        && !matches!(resource.get("location"), crate::model::Prop::Absent)
        && !resource
            .resource_type
            .to_ascii_lowercase()
            .contains("/providers/")
}

/// Evaluates `units` over `graph`.
pub(crate) fn run(
    set: &PolicySet,
    units: &[Unit<'_>],
    graph: &ResourceGraph,
    options: &PolicyOptions,
) -> (Vec<Diagnostic>, usize) {
    let mut out = Output {
        diagnostics: Vec::new(),
        indeterminate: 0,
    };
    let implied = implied_connections(graph);
    let uncertain = uncertain_targets(graph);
    let context = options.context();
    for resource in graph.resources().iter() {
        if resource.state.deployed() == Tri::False {
            continue;
        }
        let none = Vec::new();
        let implied_here = implied.get(&resource.index).unwrap_or(&none);
        let mut request = request_body(resource);
        let mut effects: Vec<Option<Effect>> = Vec::with_capacity(units.len());
        // Phase 1: modify and append change the request.
        for unit in units {
            let applies = match unit.definition.mode {
                Mode::All => true,
                Mode::Indexed => indexed_applies(resource),
                Mode::ResourceProvider(_) => false,
            };
            if !applies {
                effects.push(None);
                continue;
            }
            let subject = Subject::of(resource, &request);
            let host = Host::new(&subject, unit.compiled, set, &unit.parameters, context);
            let effect = match expression(&host, &unit.definition.effect) {
                Ok(Value::String(s)) => Some(Effect::parse(&s)),
                Ok(Value::Unknown(_)) => {
                    out.indeterminate += 1;
                    None
                }
                _ => None,
            };
            if let Some(effect @ (Effect::Modify | Effect::Append)) = &effect
                && !resource.inline
            {
                modify(set, unit, effect, resource, &mut request, context, &mut out);
            }
            effects.push(effect);
        }
        let compliance = compliance_body(
            &request,
            graph,
            implied_here,
            may_be_targeted(resource, &uncertain),
        );
        // Phases 2 and 3: deny and audit on the changed request, then existence effects.
        for (unit, effect) in units.iter().zip(effects) {
            let Some(effect) = effect else { continue };
            match effect {
                Effect::Deny if !resource.inline => judge(
                    set,
                    unit,
                    &effect,
                    resource,
                    &request,
                    &[],
                    graph.resources(),
                    context,
                    &mut out,
                ),
                Effect::Audit => judge(
                    set,
                    unit,
                    &effect,
                    resource,
                    &compliance,
                    implied_here,
                    graph.resources(),
                    context,
                    &mut out,
                ),
                Effect::AuditIfNotExists | Effect::DeployIfNotExists => existence(
                    set,
                    unit,
                    &effect,
                    resource,
                    &compliance,
                    graph,
                    &implied,
                    context,
                    &mut out,
                ),
                _ => {}
            }
        }
    }
    (out.diagnostics, out.indeterminate)
}

fn code(unit: &Unit<'_>) -> String {
    format!("policy/{}", unit.definition.name)
}

fn title(unit: &Unit<'_>, effect: &Effect) -> String {
    match &unit.initiative {
        Some(i) => format!(
            "policy \"{}\" ({}, initiative \"{i}\")",
            unit.definition.display_name,
            effect.name()
        ),
        None => format!(
            "policy \"{}\" ({})",
            unit.definition.display_name,
            effect.name()
        ),
    }
}

fn evaluation_error(unit: &Unit<'_>, resource: &Resource, message: &str, out: &mut Output) {
    out.diagnostics.push(
        Diagnostic::new(
            code(unit),
            Severity::Error,
            format!(
                "`{}` would be blocked by an evaluation error in policy \"{}\": {message}",
                resource.display_name(),
                unit.definition.display_name
            ),
            location(resource, ""),
        )
        .with_label("evaluated here")
        .with_help("Azure denies a request whose policy evaluation fails; check the definition and its parameters"),
    );
}

#[allow(clippy::too_many_arguments)]
fn modify(
    set: &PolicySet,
    unit: &Unit<'_>,
    effect: &Effect,
    resource: &Resource,
    request: &mut Value,
    context: &DeploymentContext,
    out: &mut Output,
) {
    let subject = Subject::of(resource, request);
    let host = Host::new(&subject, unit.compiled, set, &unit.parameters, context);
    let verdict = unit.definition.condition.evaluate(&host);
    match verdict.result {
        Ok(Tri::True) => {}
        Ok(Tri::False) => return,
        Ok(Tri::Unknown) => {
            out.indeterminate += 1;
            return;
        }
        Err(e) => return evaluation_error(unit, resource, &e, out),
    }
    let mut changes = Vec::new();
    let mut writes = Vec::new();
    for op in &unit.definition.operations {
        if op.kind.eq_ignore_ascii_case("remove") {
            continue;
        }
        if let Some(c) = &op.condition {
            match expression(&host, c) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Unknown(_)) => {
                    out.indeterminate += 1;
                    continue;
                }
                _ => continue,
            }
        }
        let Some(path) = host.path_of(&op.field) else {
            continue;
        };
        let value = match expression(&host, &op.value) {
            Ok(v) => v,
            Err(e) => return evaluation_error(unit, resource, &e, out),
        };
        writes.push((path, value, op.kind.eq_ignore_ascii_case("addOrReplace")));
    }
    for (path, value, replace) in writes {
        match apply(request, path.segments(), &value, replace) {
            Applied::Changed => changes.push(format!("`{}` → {}", path.text(), value)),
            Applied::Conflict => {
                out.diagnostics.push(
                    Diagnostic::new(
                        code(unit),
                        Severity::Error,
                        format!(
                            "{}: `{}` already has a different value than {value}, so Azure would reject the request",
                            title(unit, effect),
                            path.text()
                        ),
                        location(resource, path.text()),
                    )
                    .with_label("conflicting value"),
                );
            }
            Applied::Unchanged | Applied::Skipped => {}
        }
    }
    if !changes.is_empty() {
        out.diagnostics.push(
            Diagnostic::new(
                code(unit),
                Severity::Note,
                format!(
                    "{}: Azure would change `{}` when deploying it: {}",
                    title(unit, effect),
                    resource.display_name(),
                    changes.join(", ")
                ),
                location(resource, ""),
            )
            .with_label("changed by policy")
            .with_help(
                "set these values in the template so what is deployed matches what is written",
            ),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn judge(
    set: &PolicySet,
    unit: &Unit<'_>,
    effect: &Effect,
    resource: &Resource,
    body: &Value,
    implied: &[Implied],
    resources: &crate::model::ResourceSet,
    context: &DeploymentContext,
    out: &mut Output,
) {
    let subject = Subject::of(resource, body);
    let host = Host::new(&subject, unit.compiled, set, &unit.parameters, context);
    let verdict = unit.definition.condition.evaluate(&host);
    match verdict.result {
        Ok(Tri::True) => {}
        Ok(Tri::False) => return,
        Ok(Tri::Unknown) => {
            out.indeterminate += 1;
            return;
        }
        Err(e) => return evaluation_error(unit, resource, &e, out),
    }
    let what = if *effect == Effect::Deny {
        "Azure would refuse to deploy it (RequestDisallowedByPolicy)"
    } else {
        "it would be reported as non-compliant"
    };
    let mut message = format!(
        "{}: `{}` matches the rule, so {what}",
        title(unit, effect),
        resource.display_name()
    );
    let reads_connections = unit
        .compiled
        .fields
        .keys()
        .any(|k| k.contains("privateendpointconnections"));
    if reads_connections && !implied.is_empty() {
        let list: Vec<String> = implied
            .iter()
            .map(|i| {
                format!(
                    "`{}` ({})",
                    i.name,
                    if i.manual {
                        "Pending: manual connection"
                    } else {
                        "Approved: automatic connection"
                    }
                )
            })
            .collect();
        message.push_str(&format!(
            "; judged in the compliance view, with the privateEndpointConnections Azure would create for {}",
            list.join(", ")
        ));
    }
    let mut diagnostic = Diagnostic::new(
        code(unit),
        effect.severity(),
        message,
        location(resource, ""),
    )
    .with_label(format!(
        "{} by policy",
        if *effect == Effect::Deny {
            "denied"
        } else {
            "audited"
        }
    ));
    for i in implied.iter().filter(|_| reads_connections) {
        if let Some(endpoint) = resources.get(i.endpoint) {
            diagnostic = diagnostic.with_related(
                location(endpoint, ""),
                format!("private endpoint `{}` targets it", endpoint.display_name()),
            );
        }
    }
    diagnostic = diagnostic.with_help(
        "change the resource so the policy rule no longer matches, or ask for an exemption",
    );
    out.diagnostics.push(diagnostic);
}

#[allow(clippy::too_many_arguments)]
fn existence(
    set: &PolicySet,
    unit: &Unit<'_>,
    effect: &Effect,
    resource: &Resource,
    body: &Value,
    graph: &ResourceGraph,
    implied: &HashMap<usize, Vec<Implied>>,
    context: &DeploymentContext,
    out: &mut Output,
) {
    let Some(details) = &unit.definition.existence else {
        return;
    };
    let subject = Subject::of(resource, body);
    let host = Host::new(&subject, unit.compiled, set, &unit.parameters, context);
    match unit.definition.condition.evaluate(&host).result {
        Ok(Tri::True) => {}
        Ok(Tri::False) => return,
        Ok(Tri::Unknown) => {
            out.indeterminate += 1;
            return;
        }
        Err(e) => return evaluation_error(unit, resource, &e, out),
    }
    let related = details.resource_type.as_str();
    let lower = related.to_ascii_lowercase();
    if lower.starts_with("microsoft.security/") {
        out.indeterminate += 1;
        return;
    }
    let own_type = resource.resource_type.to_ascii_lowercase();
    let own_key = resource.id.as_ref().map(|id| id.key().to_owned());
    // Candidates: (resource, body) pairs.
    let mut candidates: Vec<(&Resource, Value)> = Vec::new();
    let closed;
    if lower == own_type {
        candidates.push((resource, body.clone()));
        closed = true;
    } else if lower.starts_with(&format!("{own_type}/"))
        || lower == "microsoft.insights/diagnosticsettings"
    {
        closed = true;
        let Some(own_key) = &own_key else {
            out.indeterminate += 1;
            return;
        };
        for r in graph.resources().iter() {
            if r.state.deployed() == Tri::False || r.index == resource.index {
                continue;
            }
            let matches_type = r.is_type(related)
                || (lower == "microsoft.insights/diagnosticsettings"
                    && r.resource_type
                        .to_ascii_lowercase()
                        .ends_with("/providers/microsoft.insights/diagnosticsettings"));
            let under =
                r.id.as_ref()
                    .is_some_and(|id| id.key().starts_with(&format!("{own_key}/")));
            if matches_type && under {
                candidates.push((r, request_body(r)));
            }
        }
        if lower.ends_with("/privateendpointconnections")
            && let Some(list) = implied.get(&resource.index)
        {
            for i in list {
                if let Some(endpoint) = graph.resources().get(i.endpoint) {
                    candidates.push((resource, connection_value(endpoint, i)));
                }
            }
        }
    } else {
        closed = false;
        for r in graph.resources().of_type(related) {
            if r.state.deployed() != Tri::False {
                candidates.push((r, request_body(r)));
            }
        }
    }
    let wanted_name = match &details.name {
        Some(n) => match expression(&host, n) {
            Ok(Value::String(s)) => Some(s.to_string()),
            Ok(Value::Unknown(_)) => {
                out.indeterminate += 1;
                return;
            }
            Ok(_) => None,
            Err(e) => return evaluation_error(unit, resource, &e, out),
        },
        None => None,
    };
    let mut result = Tri::False;
    let mut satisfied_by = None;
    for (candidate, candidate_body) in &candidates {
        let mut csubject = Subject::of(candidate, candidate_body);
        if std::ptr::eq(*candidate, resource) && lower != own_type {
            // An implied connection of this resource.
            csubject.resource_type = related.to_owned();
            let name = candidate_body
                .as_object()
                .and_then(|o| o.get("name"))
                .cloned()
                .unwrap_or_default();
            csubject.name = name.clone();
            csubject.full_name = name;
        }
        if let Some(wanted) = &wanted_name {
            let name_ok = match (&csubject.name, &csubject.full_name) {
                (Value::String(last), Value::String(full)) => {
                    let wanted_last = wanted.rsplit('/').next().unwrap_or(wanted);
                    wanted_last == "?"
                        || last.eq_ignore_ascii_case(wanted_last)
                        || full.eq_ignore_ascii_case(wanted)
                }
                _ => {
                    result = result.or(Tri::Unknown);
                    continue;
                }
            };
            if !name_ok {
                continue;
            }
        }
        let t = match &details.condition {
            None => Tri::True,
            Some(condition) => {
                let mut chost = Host::new(&csubject, unit.compiled, set, &unit.parameters, context);
                chost.outer = Some(&host);
                match condition.evaluate(&chost).result {
                    Ok(t) => t,
                    Err(e) => return evaluation_error(unit, resource, &e, out),
                }
            }
        };
        if t == Tri::True {
            satisfied_by = Some(*candidate);
        }
        result = result.or(t);
        if result == Tri::True {
            break;
        }
    }
    if result == Tri::True {
        let _ = satisfied_by;
        return;
    }
    if result == Tri::Unknown || !closed {
        out.indeterminate += 1;
        return;
    }
    let message = if *effect == Effect::DeployIfNotExists {
        format!(
            "{}: no {related} in the template satisfies the existence condition for `{}`, so after this deployment Azure would deploy one (the definition's details.deployment)",
            title(unit, effect),
            resource.display_name()
        )
    } else {
        format!(
            "{}: no {related} in the template satisfies the existence condition for `{}`, so after this deployment it would be reported as non-compliant",
            title(unit, effect),
            resource.display_name()
        )
    };
    out.diagnostics.push(
        Diagnostic::new(
            code(unit),
            effect.severity(),
            message,
            location(resource, ""),
        )
        .with_label(format!("no matching {related}"))
        .with_help(format!("declare the {related} in the template")),
    );
}

/// Targets of private endpoints that are not resolved to a declared resource: `None` when an
/// endpoint's target is not known at all.
fn uncertain_targets(graph: &ResourceGraph) -> Vec<Option<crate::model::ResourceId>> {
    let mut out = Vec::new();
    for endpoint in graph
        .resources()
        .of_type("Microsoft.Network/privateEndpoints")
    {
        if endpoint.state.deployed() == Tri::False {
            continue;
        }
        let Some(node) = graph.node_of(endpoint.index) else {
            continue;
        };
        let mut any = false;
        for relation in graph.outgoing(node, EdgeKind::PrivateLinkTarget) {
            any = true;
            if let Some(crate::graph::Node::External(id)) = graph.node(relation.to)
                && id.has_unknown()
            {
                out.push(Some(id.clone()));
            }
        }
        if !any {
            out.push(None);
        }
    }
    out
}

/// Whether an endpoint of the template may target `resource` without the graph knowing it.
fn may_be_targeted(resource: &Resource, uncertain: &[Option<crate::model::ResourceId>]) -> bool {
    uncertain.iter().any(|target| match (target, &resource.id) {
        (_, None) => true,
        (None, Some(id)) => id.has_unknown(),
        (Some(t), Some(id)) => t.matches(id) != Tri::False,
    })
}
