//! The expander: walks a template's resources (copies, conditions, child resources, nested
//! deployments) and outputs with a [`TemplateEnv`].

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value as Json};

use super::env::{CopyCount, CopyFrame, EvalBudget, SharedCaches, TemplateEnv};
use super::issues::ExpandIssue;
use super::json;
use super::parameters::{self, Supplied};
use super::{
    ARM_MAX_OUTPUTS, ARM_MAX_PARAMETERS, ARM_MAX_RESOURCES, ARM_MAX_VARIABLES, Condition,
    Dependency, DeploymentFrame, Document, ExpandOptions, ExpandedOutput, ExpandedResource,
    Expansion, MAX_EXPANDED_RESOURCES, Origin, TemplateLoader,
};
use crate::codes::Severity;
use crate::expr::{DeploymentContext, DeploymentScope, Object, Provenance, Value};
use crate::source::FileId;

/// Bytes an expanded resource holds besides its strings and values, as the byte budget
/// ([`super::MAX_EVALUATED_BYTES`]) counts it: the struct, its vectors and map entries.
const RESOURCE_OVERHEAD_BYTES: usize = 1024;

/// Bytes a [`DeploymentFrame`] in a resource's origin holds besides its strings.
const FRAME_OVERHEAD_BYTES: usize = 64;

/// Members of a resource declaration that are not part of its evaluated body.
const NOT_BODY: &[&str] = &["resources", "copy", "condition", "dependsOn", "comments"];

/// Expands `template` with an optional parameter file.
///
/// Every recursion is bounded, but the bounds (variable chains, nested deployments, expression
/// depth) together assume a deep stack: the analyzer runs expansion on threads with
/// [`crate::analyzer::ANALYSIS_STACK_BYTES`] of stack. Call it from such a thread when you embed it.
///
/// ```
/// use armgraph::template::{expand, Document, ExpandOptions, NoLinkedTemplates};
/// use armgraph::source::Files;
/// let json = serde_json::json!({
///     "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
///     "parameters": {"count": {"type": "int", "defaultValue": 2}},
///     "resources": [{
///         "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
///         "name": "[format('vnet{0}', copyIndex())]",
///         "copy": {"name": "vnets", "count": "[parameters('count')]"}
///     }]
/// });
/// let file = Files::new().add("t.json", json.to_string());
/// let doc = Document { file: file.id(), path: std::path::Path::new("t.json"), value: &json };
/// let expansion = expand(doc, None, &ExpandOptions::default(), &NoLinkedTemplates);
/// let ids: Vec<_> = expansion.resources.iter().filter_map(|r| r.id.clone()).collect();
/// assert_eq!(ids[1], "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup/providers/Microsoft.Network/virtualNetworks/vnet1");
/// ```
pub fn expand(
    template: Document<'_>,
    parameters: Option<Document<'_>>,
    options: &ExpandOptions,
    loader: &dyn TemplateLoader,
) -> Expansion {
    let mut expander = Expander {
        options,
        loader,
        issues: Vec::new(),
        unknown_values: 0,
        expanded: 0,
        stopped: false,
        paths: HashMap::new(),
        too_deep: std::collections::HashSet::new(),
        id_scope: None,
        budget: Rc::default(),
        shared: Rc::default(),
    };
    let mut supplied: HashMap<String, Supplied> = options
        .parameter_values
        .iter()
        .map(|(k, v)| (k.clone(), Supplied::Value(Value::from(v))))
        .collect();
    if let Some(file) = parameters {
        expander.read_parameter_file(template, file, &mut supplied);
    }
    let mut ctx = options.context.clone();
    if let Some(scope) = json::get(template.value, "$schema")
        .and_then(Json::as_str)
        .and_then(DeploymentScope::from_schema)
    {
        ctx.scope = scope;
    }
    let result = expander.template(
        TemplateSource {
            file: template.file,
            base: "",
            json: template.value,
            path: template.path,
        },
        ctx,
        supplied,
        &[],
        0,
    );
    expander.issues.extend(expander.budget.take_issue());
    Expansion {
        resources: result.resources,
        outputs: result.outputs,
        issues: expander.issues,
        unknown_values: expander.unknown_values,
    }
}

struct Expander<'o> {
    options: &'o ExpandOptions,
    loader: &'o dyn TemplateLoader,
    issues: Vec<ExpandIssue>,
    unknown_values: usize,
    expanded: usize,
    stopped: bool,
    /// The path of every file read so far, for resolving `relativePath` links.
    paths: HashMap<FileId, PathBuf>,
    /// The scope resource ids are built in while an outer-scope nested template is expanded.
    id_scope: Option<DeploymentContext>,
    /// Deployments already reported as nested too deep.
    too_deep: std::collections::HashSet<(FileId, String)>,
    /// Bytes of values produced and resources kept so far, by this file and its nested
    /// templates.
    budget: Rc<EvalBudget>,
    shared: Rc<SharedCaches>,
}

#[derive(Clone, Copy)]
struct TemplateSource<'a> {
    file: FileId,
    base: &'a str,
    json: &'a Json,
    path: &'a Path,
}

/// The resources and outputs of one template; indexes in `resources` are local to it.
#[derive(Default)]
struct TemplateResult {
    resources: Vec<ExpandedResource>,
    outputs: Vec<ExpandedOutput>,
}

/// A resource declaration to expand.
struct Declaration<'a> {
    json: &'a Json,
    pointer: String,
    symbolic_name: Option<String>,
}

/// The parent of a 1.0 child resource.
struct ParentInfo {
    index: usize,
    full_type: String,
    name: Value,
}

/// Where the instances of one declaration go, and what surrounds it.
struct Site<'c> {
    chain: &'c [DeploymentFrame],
    depth: usize,
    /// Resources of the template being expanded (this level's and nested ones).
    level: Vec<usize>,
}

/// Appends `src` to `dst`, shifting the indexes `src` holds.
fn append(dst: &mut Vec<ExpandedResource>, src: Vec<ExpandedResource>) {
    let offset = dst.len();
    for mut resource in src {
        if let Some(parent) = &mut resource.parent {
            *parent += offset;
        }
        for dependency in &mut resource.depends_on {
            for target in &mut dependency.targets {
                *target += offset;
            }
        }
        dst.push(resource);
    }
}

impl Expander<'_> {
    fn read_parameter_file(
        &mut self,
        template: Document<'_>,
        file: Document<'_>,
        supplied: &mut HashMap<String, Supplied>,
    ) {
        let declared = json::get(template.value, "parameters").and_then(Json::as_object);
        for (parameter, _expression) in parameters::read_parameter_file(file.value) {
            let is_declared = declared.is_some_and(|d| json::member(d, &parameter.name).is_some());
            if !is_declared {
                self.issues.push(
                    ExpandIssue::new(
                        "ARM-PARAM-003",
                        Severity::Error,
                        format!(
                            "the parameter file sets `{}`, which the template does not declare",
                            parameter.name
                        ),
                        file.file,
                        parameter.pointer,
                    )
                    .with_help(
                        "remove it, or check that this parameter file belongs to this template",
                    ),
                );
                continue;
            }
            supplied.insert(parameter.name, parameter.supplied);
        }
    }

    fn template(
        &mut self,
        source: TemplateSource<'_>,
        mut ctx: DeploymentContext,
        supplied: HashMap<String, Supplied>,
        chain: &[DeploymentFrame],
        depth: usize,
    ) -> TemplateResult {
        if !source.json.is_object() {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-001",
                Severity::Error,
                "a template must be a JSON object",
                source.file,
                source.base,
            ));
            return TemplateResult::default();
        }
        if !source.path.as_os_str().is_empty() {
            self.paths
                .entry(source.file)
                .or_insert_with(|| source.path.to_path_buf());
        }
        let language_v2 = json::get(source.json, "languageVersion")
            .and_then(Json::as_str)
            .is_some_and(|v| !v.starts_with("1."));
        ctx.language_version_2 = language_v2;
        let env = TemplateEnv::new(
            source.file,
            source.base.to_owned(),
            source.json,
            ctx,
            supplied,
            Rc::clone(&self.budget),
            Rc::clone(&self.shared),
        );
        self.check_section_limits(&env);
        env.resolve_all_parameters();
        // An inner-scope template builds its ids in its own context.
        let enclosing_outer = self.id_scope.take();
        let result = self.template_body(&env, source, chain, depth);
        self.id_scope = enclosing_outer;
        self.issues.append(&mut env.issues.borrow_mut());
        self.unknown_values += env.unknown_values.get();
        result
    }

    fn check_section_limits(&mut self, env: &TemplateEnv<'_>) {
        let limits = [
            ("parameters", ARM_MAX_PARAMETERS, "ARM-LIMIT-002"),
            ("variables", ARM_MAX_VARIABLES, "ARM-LIMIT-003"),
            ("outputs", ARM_MAX_OUTPUTS, "ARM-LIMIT-004"),
        ];
        for (section, limit, code) in limits {
            let count = json::get(env.template, section)
                .and_then(Json::as_object)
                .map_or(0, |o| {
                    o.iter()
                        .map(|(k, v)| {
                            // `variables.copy` defines one variable per entry.
                            if section == "variables" && k.eq_ignore_ascii_case("copy") {
                                v.as_array().map_or(1, Vec::len)
                            } else {
                                1
                            }
                        })
                        .sum()
                });
            if count > limit {
                self.issues.push(ExpandIssue::new(
                    code,
                    Severity::Error,
                    format!("the template declares {count} {section}; ARM allows at most {limit}"),
                    env.file,
                    env.pointer(&format!("/{section}")),
                ));
            }
        }
    }

    fn template_body(
        &mut self,
        env: &TemplateEnv<'_>,
        source: TemplateSource<'_>,
        chain: &[DeploymentFrame],
        depth: usize,
    ) -> TemplateResult {
        let declarations = self.declarations(env, source);
        let mut site = Site {
            chain,
            depth,
            level: Vec::new(),
        };
        // Nested deployments first, so that `reference('<deployment>').outputs` resolves in the
        // resources that read them wherever they are declared; then everything else.
        let mut buckets: Vec<Vec<ExpandedResource>> =
            declarations.iter().map(|_| Vec::new()).collect();
        let mut levels: Vec<Vec<usize>> = declarations.iter().map(|_| Vec::new()).collect();
        for pass_deployments in [true, false] {
            for (i, declaration) in declarations.iter().enumerate() {
                let is_deployment = json::get(declaration.json, "type")
                    .and_then(Json::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
                if is_deployment != pass_deployments {
                    continue;
                }
                site.level.clear();
                if let Some(bucket) = buckets.get_mut(i) {
                    self.declaration(env, declaration, None, bucket, &mut site);
                    // Most declarations make one instance; a vector grown for it has room for
                    // four, which at scale held more than the instances themselves.
                    bucket.shrink_to_fit();
                }
                if let Some(level) = levels.get_mut(i) {
                    *level = std::mem::take(&mut site.level);
                }
            }
        }
        let mut result = TemplateResult::default();
        result
            .resources
            .reserve_exact(buckets.iter().map(Vec::len).sum());
        let mut level = Vec::new();
        for (bucket, bucket_level) in buckets.into_iter().zip(levels) {
            let offset = result.resources.len();
            level.extend(bucket_level.into_iter().map(|i| i + offset));
            append(&mut result.resources, bucket);
        }
        if level.len() > ARM_MAX_RESOURCES {
            self.issues.push(
                ExpandIssue::new(
                    "ARM-LIMIT-001",
                    Severity::Error,
                    format!(
                        "the template deploys {} resources (copies included); ARM allows at most {ARM_MAX_RESOURCES}",
                        level.len()
                    ),
                    env.file,
                    json::child(source.base, "resources"),
                )
                .with_help("split the template into nested deployments or modules"),
            );
        }
        resolve_dependencies(
            &mut result.resources,
            &level,
            &declared_names(&declarations),
        );
        result.outputs = self.outputs(env, source);
        result
    }

    fn declarations<'t>(
        &mut self,
        env: &TemplateEnv<'_>,
        source: TemplateSource<'t>,
    ) -> Vec<Declaration<'t>> {
        let Some((key, resources)) = source
            .json
            .as_object()
            .and_then(|o| json::member(o, "resources"))
        else {
            return Vec::new();
        };
        let base = json::child(source.base, key);
        match resources {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| Declaration {
                    json: item,
                    pointer: json::index(&base, i),
                    symbolic_name: None,
                })
                .collect(),
            Json::Object(members) => members
                .iter()
                .map(|(name, item)| Declaration {
                    json: item,
                    pointer: json::child(&base, name),
                    symbolic_name: Some(name.clone()),
                })
                .collect(),
            _ => {
                self.issues.push(ExpandIssue::new(
                    "ARM-TPL-001",
                    Severity::Error,
                    "`resources` must be an array (or, in languageVersion 2.0, an object of symbolic names)",
                    env.file,
                    base,
                ));
                Vec::new()
            }
        }
    }

    fn declaration(
        &mut self,
        env: &TemplateEnv<'_>,
        declaration: &Declaration<'_>,
        parent: Option<&ParentInfo>,
        bucket: &mut Vec<ExpandedResource>,
        site: &mut Site<'_>,
    ) {
        let Some(body) = declaration.json.as_object() else {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-001",
                Severity::Error,
                "a resource declaration must be a JSON object",
                env.file,
                declaration.pointer.clone(),
            ));
            return;
        };
        let Some((copy_key, copy)) = json::member(body, "copy") else {
            self.instance(env, declaration, body, parent, None, bucket, site);
            return;
        };
        let copy_pointer = json::child(&declaration.pointer, copy_key);
        if parent.is_some() {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-003",
                Severity::Error,
                "copy is not allowed on a child resource nested in its parent; declare it at the top level with its full type and name",
                env.file,
                copy_pointer.clone(),
            ));
        }
        let name = json::get(copy, "name")
            .and_then(Json::as_str)
            .map(str::to_owned);
        if name.is_none() {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-003",
                Severity::Error,
                "the copy loop has no `name`",
                env.file,
                copy_pointer.clone(),
            ));
        }
        let (count, count_known) = match env.copy_count(copy, &copy_pointer) {
            CopyCount::Known(n) => (n, true),
            // One instance stands for all of them, maybe deployed.
            CopyCount::Unknown => (1, false),
        };
        for index in 0..count {
            if self.stopped {
                return;
            }
            let frame = CopyFrame {
                name: name.clone(),
                index,
                resource_loop: true,
            };
            let loop_position = (name.clone().unwrap_or_default(), index, count_known);
            env.with_copy_frame(frame, || {
                self.instance(
                    env,
                    declaration,
                    body,
                    parent,
                    Some(loop_position),
                    bucket,
                    site,
                )
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn instance(
        &mut self,
        env: &TemplateEnv<'_>,
        declaration: &Declaration<'_>,
        body: &Map<String, Json>,
        parent: Option<&ParentInfo>,
        copy: Option<(String, i64, bool)>,
        bucket: &mut Vec<ExpandedResource>,
        site: &mut Site<'_>,
    ) {
        if self.expanded >= MAX_EXPANDED_RESOURCES {
            if !self.stopped {
                self.stopped = true;
                self.issues.push(ExpandIssue::new(
                    "ARM-TPL-010",
                    Severity::Error,
                    format!("expansion stopped after {MAX_EXPANDED_RESOURCES} resources"),
                    env.file,
                    declaration.pointer.clone(),
                ));
            }
            return;
        }
        // Past the byte budget (reported once, where it ran out), no more instances are kept.
        if self.budget.spent() {
            return;
        }
        self.expanded += 1;
        let pointer = &declaration.pointer;
        let _ = env.take_recorded();

        let mut condition = match json::member(body, "condition") {
            None => Condition::True,
            Some((key, condition)) => {
                let condition_pointer = json::child(pointer, key);
                match env.eval_json(condition, &condition_pointer) {
                    Value::Bool(true) => Condition::True,
                    Value::Bool(false) => Condition::False,
                    Value::Unknown(_) => Condition::Unknown,
                    other => {
                        self.issues.push(ExpandIssue::new(
                            "ARM-TPL-004",
                            Severity::Error,
                            format!("the condition is {}, not a boolean", other.type_name()),
                            env.file,
                            condition_pointer,
                        ));
                        Condition::Unknown
                    }
                }
            }
        };
        if let Some((_, _, false)) = copy {
            condition = match condition {
                Condition::False => Condition::False,
                _ => Condition::Unknown,
            };
        }

        // ARM does not evaluate the body of a resource it will not deploy, and templates rely
        // on it (Bicep guards optional inputs with the resource's condition): problems found
        // there are only real when the condition holds.
        let issues_before = (env.issues.borrow().len(), self.issues.len());
        let Some(declared_type) = self.literal_member(env, body, pointer, "type") else {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-001",
                Severity::Error,
                "the resource has no `type`",
                env.file,
                pointer.clone(),
            ));
            return;
        };
        let api_version = self.literal_member(env, body, pointer, "apiVersion");
        let declared_name = match json::member(body, "name") {
            Some((key, name)) => env.eval_json(name, &json::child(pointer, key)),
            None => {
                self.issues.push(ExpandIssue::new(
                    "ARM-TPL-001",
                    Severity::Error,
                    "the resource has no `name`",
                    env.file,
                    pointer.clone(),
                ));
                Value::unknown(Provenance::reason("the resource has no name"))
            }
        };
        // A child's type is relative to its parent unless it starts with a namespace
        // (`blobServices/containers` is relative; `Microsoft.Storage/...` is not).
        let relative_type = declared_type
            .split('/')
            .next()
            .is_some_and(|first| !first.contains('.'));
        let (resource_type, name) = match parent {
            Some(parent) if relative_type => {
                let name = match (&parent.name, &declared_name) {
                    (Value::String(p), Value::String(n)) => Value::string(format!("{p}/{n}")),
                    (Value::Unknown(u), _) | (_, Value::Unknown(u)) => Value::Unknown(u.clone()),
                    _ => declared_name.clone(),
                };
                (format!("{}/{}", parent.full_type, declared_type), name)
            }
            _ => (declared_type.clone(), declared_name),
        };
        let is_deployment = resource_type.eq_ignore_ascii_case("Microsoft.Resources/deployments");
        let existing = json::member(body, "existing")
            .and_then(|(_, e)| e.as_bool())
            .unwrap_or(false);

        let mut evaluated = Object::with_capacity(body.len());
        for (key, member) in body {
            if NOT_BODY.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                continue;
            }
            let value = match key.to_ascii_lowercase().as_str() {
                "type" => Value::string(resource_type.as_str()),
                "apiversion" => api_version.clone().map_or(Value::Null, Value::string),
                "name" => name.clone(),
                "properties" if is_deployment => {
                    self.deployment_properties(env, member, &json::child(pointer, key))
                }
                _ => env.eval_json(member, &json::child(pointer, key)),
            };
            evaluated.insert(key.as_str(), value);
        }
        let body_value = Value::object(evaluated);

        let depends_on = self.depends_on(env, body, pointer);
        let id = self.resource_id(env, &body_value, &resource_type, &name, existing, pointer);
        let references = env.take_recorded();
        if condition != Condition::True {
            env.issues.borrow_mut().truncate(issues_before.0);
            self.issues.truncate(issues_before.1);
        }
        let symbolic_name = declaration.symbolic_name.as_ref().map(|s| match &copy {
            Some((_, index, _)) => format!("{s}[{index}]"),
            None => s.clone(),
        });
        let copy_positions: Vec<(String, i64)> = env
            .copy_stack
            .borrow()
            .iter()
            .map(|frame| (frame.name.clone().unwrap_or_default(), frame.index))
            .collect();
        // What the instance holds besides its evaluated values (charged as they were built).
        let retained = RESOURCE_OVERHEAD_BYTES
            + resource_type.len()
            + pointer.len()
            + id.as_ref().map_or(0, String::len)
            + copy_positions
                .iter()
                .map(|(name, _)| name.len() + 16)
                .sum::<usize>()
            + site
                .chain
                .iter()
                .map(|frame| FRAME_OVERHEAD_BYTES + frame.pointer.len() + frame.name.len())
                .sum::<usize>();
        self.budget.charge(retained, env.file, pointer);
        let index = bucket.len();
        bucket.push(ExpandedResource {
            symbolic_name,
            resource_type: resource_type.clone(),
            api_version,
            name: name.clone(),
            id,
            body: body_value,
            condition,
            existing,
            depends_on,
            references,
            parent: parent.map(|p| p.index),
            origin: Origin {
                file: env.file,
                pointer: pointer.clone(),
                copy: copy_positions,
                deployments: site.chain.to_vec(),
            },
        });
        site.level.push(index);

        if is_deployment && !existing {
            self.nested_deployment(env, declaration, body, index, bucket, site);
        }

        // languageVersion 1.0 child resources.
        if let Some((key, children)) = json::member(body, "resources") {
            let children_pointer = json::child(pointer, key);
            let Some(children) = children.as_array() else {
                self.issues.push(ExpandIssue::new(
                    "ARM-TPL-001",
                    Severity::Error,
                    "child `resources` must be an array",
                    env.file,
                    children_pointer,
                ));
                return;
            };
            let parent_info = ParentInfo {
                index,
                full_type: resource_type,
                name,
            };
            for (i, child) in children.iter().enumerate() {
                let child_declaration = Declaration {
                    json: child,
                    pointer: json::index(&children_pointer, i),
                    symbolic_name: None,
                };
                self.declaration(env, &child_declaration, Some(&parent_info), bucket, site);
            }
        }
    }

    /// A member that ARM takes as a literal (`type`, `apiVersion`); an expression there is
    /// evaluated, with a warning.
    fn literal_member(
        &mut self,
        env: &TemplateEnv<'_>,
        body: &Map<String, Json>,
        pointer: &str,
        name: &str,
    ) -> Option<String> {
        let (key, value) = json::member(body, name)?;
        let text = value.as_str()?;
        if !crate::expr::is_expression(text) {
            return Some(text.to_owned());
        }
        let member_pointer = json::child(pointer, key);
        self.issues.push(ExpandIssue::new(
            "ARM-TPL-009",
            Severity::Warning,
            format!("`{key}` takes a literal, but this one is an expression"),
            env.file,
            member_pointer.clone(),
        ));
        env.eval_json(value, &member_pointer)
            .as_str()
            .map(str::to_owned)
    }

    /// A deployment's `properties`, evaluated in the parent, without the inline `template`
    /// (which belongs to the nested deployment's own scope).
    fn deployment_properties(
        &self,
        env: &TemplateEnv<'_>,
        properties: &Json,
        pointer: &str,
    ) -> Value {
        let Some(members) = properties.as_object() else {
            return env.eval_json(properties, pointer);
        };
        let mut object = Object::with_capacity(members.len());
        for (key, member) in members {
            if key.eq_ignore_ascii_case("template") {
                continue;
            }
            object.insert(
                key.as_str(),
                env.eval_json(member, &json::child(pointer, key)),
            );
        }
        Value::object(object)
    }

    fn depends_on(
        &mut self,
        env: &TemplateEnv<'_>,
        body: &Map<String, Json>,
        pointer: &str,
    ) -> Vec<Dependency> {
        let Some((key, entries)) = json::member(body, "dependsOn") else {
            return Vec::new();
        };
        let base = json::child(pointer, key);
        let Some(entries) = entries.as_array() else {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-001",
                Severity::Error,
                "`dependsOn` must be an array",
                env.file,
                base,
            ));
            return Vec::new();
        };
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let entry_pointer = json::index(&base, i);
                Dependency {
                    entry: env.eval_json(entry, &entry_pointer),
                    targets: Vec::new(),
                    resolved: None,
                    pointer: entry_pointer,
                }
            })
            .collect()
    }

    /// The full id of a resource, or `None` when its name or scope is unknown.
    fn resource_id(
        &mut self,
        env: &TemplateEnv<'_>,
        body: &Value,
        resource_type: &str,
        name: &Value,
        existing: bool,
        pointer: &str,
    ) -> Option<String> {
        let name = name.as_str()?;
        let mut type_segments = resource_type.trim_end_matches('/').split('/');
        let namespace = type_segments.next()?;
        let types: Vec<&str> = type_segments.collect();
        let names: Vec<&str> = name.split('/').collect();
        if types.len() != names.len() {
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-005",
                Severity::Error,
                format!(
                    "the type `{resource_type}` has {} type segment(s) after the namespace, but the name `{name}` has {} segment(s)",
                    types.len(),
                    names.len()
                ),
                env.file,
                json::child(pointer, "name"),
            )
            .with_help("a child resource declared at the top level needs its full type and a name of the form `parent/child`"));
            return None;
        }
        // An outer-scope nested template evaluates in the parent but deploys to its target.
        let ctx = self.id_scope.as_ref().unwrap_or(&env.ctx);
        let member = |name: &str| body.as_object().and_then(|o| o.get(name));
        // A resource group is a scope itself: its id has no `/providers/` part.
        if namespace.eq_ignore_ascii_case("Microsoft.Resources")
            && types.len() == 1
            && types[0].eq_ignore_ascii_case("resourceGroups")
        {
            let subscription = member("subscriptionId")
                .and_then(Value::as_str)
                .unwrap_or(&ctx.subscription_id);
            return Some(format!(
                "/subscriptions/{subscription}/resourceGroups/{name}"
            ));
        }
        let prefix = if let Some(scope) = member("scope") {
            let scope = scope.as_str()?;
            if scope.starts_with('/') {
                scope.trim_end_matches('/').to_owned()
            } else {
                format!("{}/providers/{scope}", scope_prefix(ctx))
            }
        } else if existing
            && (member("subscriptionId").is_some() || member("resourceGroup").is_some())
        {
            let subscription = match member("subscriptionId") {
                Some(s) => s.as_str()?,
                None => &ctx.subscription_id,
            };
            match member("resourceGroup") {
                Some(group) => format!(
                    "/subscriptions/{subscription}/resourceGroups/{}",
                    group.as_str()?
                ),
                None => format!("/subscriptions/{subscription}"),
            }
        } else {
            scope_prefix(ctx)
        };
        let mut id = format!("{prefix}/providers/{namespace}");
        for (t, n) in types.iter().zip(&names) {
            id.push('/');
            id.push_str(t);
            id.push('/');
            id.push_str(n);
        }
        Some(id)
    }

    fn nested_deployment(
        &mut self,
        env: &TemplateEnv<'_>,
        declaration: &Declaration<'_>,
        body: &Map<String, Json>,
        index: usize,
        bucket: &mut Vec<ExpandedResource>,
        site: &mut Site<'_>,
    ) {
        let Some(deployment) = bucket.get(index) else {
            return;
        };
        let name = deployment.name.as_str().unwrap_or("?").to_owned();
        let evaluated = deployment.body.clone();
        let deployment_condition = deployment.condition;
        let pointer = declaration.pointer.clone();
        let Some((properties_key, properties)) = json::member(body, "properties") else {
            return;
        };
        let properties_pointer = json::child(&pointer, properties_key);
        if site.depth + 1 > self.options.max_nested_depth {
            // Once per declaration: a loop of too-deep deployments is one problem.
            if !self.too_deep.insert((env.file, pointer.clone())) {
                return;
            }
            self.issues.push(ExpandIssue::new(
                "ARM-TPL-006",
                Severity::Error,
                format!(
                    "nested deployment `{name}` is {} levels deep; armgraph expands at most {}",
                    site.depth + 1,
                    self.options.max_nested_depth
                ),
                env.file,
                pointer.clone(),
            ));
            return;
        }
        let frame = DeploymentFrame {
            file: env.file,
            pointer: pointer.clone(),
            name: name.clone(),
        };
        let mut chain = site.chain.to_vec();
        chain.push(frame);
        let evaluated_properties = evaluated
            .as_object()
            .and_then(|o| o.get("properties"))
            .cloned();
        let ctx = nested_context(&env.ctx, &evaluated, &name);

        let inline = properties
            .as_object()
            .and_then(|p| json::member(p, "template"));
        let link = properties
            .as_object()
            .and_then(|p| json::member(p, "templateLink"));
        let outer = !env.language_v2
            && json::get(properties, "expressionEvaluationOptions")
                .and_then(|o| json::get(o, "scope"))
                .and_then(Json::as_str)
                .is_none_or(|s| !s.eq_ignore_ascii_case("inner"));

        let result = match (inline, link) {
            (Some((template_key, template)), _) => {
                let base = json::child(&properties_pointer, template_key);
                let source = TemplateSource {
                    file: env.file,
                    base: &base,
                    json: template,
                    path: Path::new(""),
                };
                if outer {
                    self.outer_template(env, source, ctx, &chain, site.depth + 1)
                } else {
                    let supplied = passed_parameters(evaluated_properties.as_ref());
                    self.template(source, ctx, supplied, &chain, site.depth + 1)
                }
            }
            (None, Some((link_key, link))) => {
                let link_pointer = json::child(&properties_pointer, link_key);
                match self.linked_template(env, link, &link_pointer, &name) {
                    Some((file, path, document)) => {
                        let supplied = passed_parameters(evaluated_properties.as_ref());
                        self.template(
                            TemplateSource {
                                file,
                                base: "",
                                json: &document,
                                path: &path,
                            },
                            ctx,
                            supplied,
                            &chain,
                            site.depth + 1,
                        )
                    }
                    None => return,
                }
            }
            (None, None) => return,
        };

        let mut outputs = Object::new();
        for output in &result.outputs {
            let mut entry = Object::new();
            entry.insert("value", output.value.clone());
            outputs.insert(output.name.as_str(), Value::object(entry));
        }
        let mut reference = Object::new();
        reference.insert("outputs", Value::object(outputs));
        let reference = Value::object(reference);
        {
            let mut known = env.deployment_outputs.borrow_mut();
            known.insert(name.to_lowercase(), reference.clone());
            if let Some(symbolic) = &declaration.symbolic_name {
                known.insert(symbolic.to_lowercase(), reference);
            }
        }
        let mut resources = result.resources;
        // What a deployment that is not deployed declares is not deployed either.
        for resource in &mut resources {
            resource.condition = resource.condition.and(deployment_condition);
        }
        append(bucket, resources);
    }

    /// A nested template evaluated in the parent's scope (`outer`, the 1.0 default): its
    /// resources and outputs see the parent's parameters and variables (its own `variables`
    /// section is ignored, as ARM ignores it).
    ///
    /// Its resources still deploy to the deployment's target (`resourceGroup`,
    /// `subscriptionId`), so their ids are built in `target`, not in the parent's scope.
    fn outer_template(
        &mut self,
        env: &TemplateEnv<'_>,
        source: TemplateSource<'_>,
        target: DeploymentContext,
        chain: &[DeploymentFrame],
        depth: usize,
    ) -> TemplateResult {
        let parent_target = self.id_scope.replace(target);
        let result = self.template_body(env, source, chain, depth);
        self.id_scope = parent_target;
        result
    }

    /// Reads a linked template by `relativePath`, confined to the analysis root; a `uri` or a
    /// template spec `id` is never fetched.
    fn linked_template(
        &mut self,
        env: &TemplateEnv<'_>,
        link: &Json,
        pointer: &str,
        name: &str,
    ) -> Option<(FileId, PathBuf, std::sync::Arc<Json>)> {
        let Some(relative) = json::get(link, "relativePath") else {
            self.issues.push(
                ExpandIssue::new(
                    "ARM-TPL-007",
                    Severity::Note,
                    format!("nested deployment `{name}` links a remote template or template spec, which is not fetched; its resources are not analyzed and its outputs are unknown"),
                    env.file,
                    pointer,
                )
                .with_help("analyze the linked template separately, or use `relativePath` to a local file"),
            );
            return None;
        };
        let relative_pointer = json::child(pointer, "relativePath");
        let relative = env.eval_json(relative, &relative_pointer);
        let relative = relative.as_str()?;
        let parent_path = self.parent_path(env)?;
        let directory = parent_path.parent().unwrap_or(Path::new(""));
        let candidate = normalize(&directory.join(relative));
        let root = self
            .options
            .root
            .clone()
            .map(|r| normalize(&r))
            .unwrap_or_else(|| normalize(directory));
        let refuse = |this: &mut Self, why: String| {
            this.issues.push(ExpandIssue::new(
                "ARM-TPL-008",
                Severity::Error,
                why,
                env.file,
                relative_pointer.clone(),
            ));
            None
        };
        if !candidate.starts_with(&root) {
            return refuse(
                self,
                format!(
                    "the linked template `{relative}` lies outside the analysis root; it is not read"
                ),
            );
        }
        // A symlink inside the root may still point outside it.
        if let (Ok(real), Ok(real_root)) = (candidate.canonicalize(), root.canonicalize())
            && !real.starts_with(&real_root)
        {
            return refuse(
                self,
                format!(
                    "the linked template `{relative}` is a link to a file outside the analysis root; it is not read"
                ),
            );
        }
        match self.loader.load(&candidate) {
            Ok((file, document)) => Some((file, candidate, document)),
            Err(why) => refuse(
                self,
                format!("the linked template `{relative}` cannot be read: {why}"),
            ),
        }
    }

    /// The path of the file a template environment reads from.
    fn parent_path(&self, env: &TemplateEnv<'_>) -> Option<PathBuf> {
        self.paths.get(&env.file).cloned()
    }

    /// The outputs of the template at `source`, evaluated with `env` (the template's own, or the
    /// parent's for an outer-scope nested template).
    fn outputs(
        &mut self,
        env: &TemplateEnv<'_>,
        source: TemplateSource<'_>,
    ) -> Vec<ExpandedOutput> {
        let Some((key, outputs)) = source
            .json
            .as_object()
            .and_then(|o| json::member(o, "outputs"))
        else {
            return Vec::new();
        };
        let Some(outputs) = outputs.as_object() else {
            return Vec::new();
        };
        let base = json::child(source.base, key);
        outputs
            .iter()
            .map(|(name, output)| self.output(env, name, output, &json::child(&base, name)))
            .collect()
    }

    fn output(
        &mut self,
        env: &TemplateEnv<'_>,
        name: &str,
        output: &Json,
        pointer: &str,
    ) -> ExpandedOutput {
        let condition = match json::get(output, "condition") {
            None => Condition::True,
            Some(condition) => match env.eval_json(condition, &json::child(pointer, "condition")) {
                Value::Bool(true) => Condition::True,
                Value::Bool(false) => Condition::False,
                _ => Condition::Unknown,
            },
        };
        let value = if condition == Condition::False {
            Value::unknown(Provenance::reason(format!(
                "output '{name}' is not produced: its condition is false"
            )))
        } else if let Some(copy) = json::get(output, "copy") {
            let copy_pointer = json::child(pointer, "copy");
            match env.copy_count(copy, &copy_pointer) {
                CopyCount::Unknown => Value::unknown(Provenance::reason(format!(
                    "the count of output '{name}' is unknown before deployment"
                ))),
                CopyCount::Known(n) => match json::get(copy, "input") {
                    Some(input) => {
                        let input_pointer = json::child(&copy_pointer, "input");
                        Value::array(
                            (0..n)
                                .map(|i| {
                                    env.with_copy_frame(
                                        CopyFrame {
                                            name: None,
                                            index: i,
                                            resource_loop: true,
                                        },
                                        || env.eval_json(input, &input_pointer),
                                    )
                                })
                                .collect(),
                        )
                    }
                    None => Value::unknown(Provenance::reason("output copy without input")),
                },
            }
        } else {
            match json::get(output, "value") {
                Some(value) => env.eval_json(value, &json::child(pointer, "value")),
                None => Value::Null,
            }
        };
        ExpandedOutput {
            name: name.to_owned(),
            value,
            condition,
            pointer: pointer.to_owned(),
        }
    }
}

/// `/subscriptions/{sub}/resourceGroups/{rg}` and the like, for the context's scope.
fn scope_prefix(ctx: &DeploymentContext) -> String {
    match ctx.scope {
        DeploymentScope::ResourceGroup => ctx.resource_group_resource_id(),
        DeploymentScope::Subscription => ctx.subscription_resource_id(),
        DeploymentScope::ManagementGroup => ctx.management_group_resource_id(),
        DeploymentScope::Tenant => String::new(),
    }
}

/// The context a nested deployment's template runs in (reference §10.3).
fn nested_context(parent: &DeploymentContext, deployment: &Value, name: &str) -> DeploymentContext {
    let mut ctx = parent.clone();
    ctx.deployment_name = name.to_owned();
    let member = |key: &str| {
        deployment
            .as_object()
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
    };
    if let Some(location) = member("location") {
        ctx.location = location.to_owned();
    }
    if let Some(scope) = member("scope") {
        let scope = scope.trim_end_matches('/');
        let management_group = scope
            .trim_start_matches("/providers/")
            .strip_prefix("Microsoft.Management/managementGroups/")
            .or_else(|| {
                scope
                    .trim_start_matches('/')
                    .strip_prefix("providers/Microsoft.Management/managementGroups/")
            });
        if scope.is_empty() {
            ctx.scope = DeploymentScope::Tenant;
        } else if let Some(group) = management_group {
            ctx.scope = DeploymentScope::ManagementGroup;
            ctx.management_group = group.to_owned();
        }
        return ctx;
    }
    if let Some(subscription) = member("subscriptionId") {
        ctx.subscription_id = subscription.to_owned();
        if member("resourceGroup").is_none() {
            ctx.scope = DeploymentScope::Subscription;
        }
    }
    if let Some(group) = member("resourceGroup") {
        ctx.resource_group = group.to_owned();
        ctx.scope = DeploymentScope::ResourceGroup;
    }
    ctx
}

/// Parameter values a deployment passes to its template (`properties.parameters`), already
/// evaluated in the parent: `{value}` entries are literals, `{reference}` ones are unknown.
fn passed_parameters(properties: Option<&Value>) -> HashMap<String, Supplied> {
    let Some(parameters) = properties
        .and_then(Value::as_object)
        .and_then(|p| p.get("parameters"))
        .and_then(Value::as_object)
    else {
        return HashMap::new();
    };
    parameters
        .iter()
        .map(|(name, entry)| {
            let entry_object = entry.as_object();
            let supplied = match entry_object.and_then(|e| e.get("value")) {
                Some(value) => Supplied::Value(value.clone()),
                None if entry_object.is_some_and(|e| e.get("reference").is_some()) => {
                    Supplied::Unknown(Provenance::reason(format!(
                        "parameter '{name}' is a Key Vault reference, read at deployment"
                    )))
                }
                // The entry itself is computed at deployment, or has neither form.
                None => Supplied::Unknown(Provenance::reason(format!(
                    "the value passed for parameter '{name}' is known only at deployment"
                ))),
            };
            (name.to_string(), supplied)
        })
        .collect()
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Symbolic names and copy-loop names of a template's declarations, lower-cased: a `dependsOn`
/// entry naming them is valid even when the loop has no instances.
fn declared_names(declarations: &[Declaration<'_>]) -> Vec<String> {
    let mut names = Vec::new();
    for declaration in declarations {
        if let Some(symbolic) = &declaration.symbolic_name {
            names.push(symbolic.to_lowercase());
        }
        if let Some(name) = json::get(declaration.json, "copy")
            .and_then(|c| json::get(c, "name"))
            .and_then(Json::as_str)
        {
            names.push(name.to_lowercase());
        }
    }
    names
}

/// Resolves `dependsOn` entries of this level's resources against this level's resources.
fn resolve_dependencies(resources: &mut [ExpandedResource], level: &[usize], declared: &[String]) {
    // By the hash of each lower-cased key, checked against the candidate's own keys on lookup:
    // the keys themselves (ids, names) would be the largest allocation of a large expansion at
    // its peak.
    let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut names_known = true;
    for &i in level {
        let Some(resource) = resources.get(i) else {
            continue;
        };
        if resource.name.as_str().is_none() {
            names_known = false;
        }
        let mut hashes: Vec<u64> = dependency_keys(resource)
            .iter()
            .map(|k| super::hash_of(k.as_str()))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        for hash in hashes {
            by_key.entry(hash).or_default().push(i);
        }
    }
    for &i in level {
        let Some(resource) = resources.get(i) else {
            continue;
        };
        // Per entry: the targets found (when found) and the new `resolved`; `None` leaves the
        // entry as it is.
        let mut outcomes: Vec<Option<(Option<Vec<usize>>, bool)>> = Vec::new();
        for dependency in &resource.depends_on {
            let Some(entry) = dependency.entry.as_str() else {
                outcomes.push(None);
                continue;
            };
            // An id with an empty segment was built from a value that is missing.
            if entry.ends_with('/') || entry.contains("//") {
                outcomes.push(None);
                continue;
            }
            let key = entry.to_lowercase();
            let found: Vec<usize> = by_key
                .get(&super::hash_of(key.as_str()))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&t| {
                    resources
                        .get(t)
                        .is_some_and(|r| dependency_keys(r).contains(&key))
                })
                .collect();
            outcomes.push(if !found.is_empty() {
                Some((Some(found.into_iter().filter(|&t| t != i).collect()), true))
            } else if declared.contains(&key) {
                Some((None, true))
            } else if names_known {
                Some((None, false))
            } else {
                None
            });
        }
        let Some(resource) = resources.get_mut(i) else {
            continue;
        };
        for (dependency, outcome) in resource.depends_on.iter_mut().zip(outcomes) {
            let Some((targets, resolved)) = outcome else {
                continue;
            };
            if let Some(targets) = targets {
                dependency.targets = targets;
            }
            dependency.resolved = Some(resolved);
        }
    }
}

/// The lower-cased strings a `dependsOn` entry may name `resource` by.
fn dependency_keys(resource: &ExpandedResource) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(id) = &resource.id {
        keys.push(id.to_lowercase());
        // `Microsoft.Network/virtualNetworks/vnet1` (type and name without scope).
        if let Some(at) = id.rfind("/providers/") {
            keys.push(id[at + "/providers/".len()..].to_lowercase());
        }
    }
    if let Some(name) = resource.name.as_str() {
        keys.push(name.to_lowercase());
        // A child nested in its parent is named relative to it in `dependsOn` (`MSDeploy`).
        if let Some((_, last)) = name.rsplit_once('/') {
            keys.push(last.to_lowercase());
        }
    }
    if let Some(symbolic) = &resource.symbolic_name {
        keys.push(symbolic.to_lowercase());
        if let Some(base) = symbolic.split('[').next() {
            keys.push(base.to_lowercase());
        }
    }
    for (loop_name, _) in &resource.origin.copy {
        keys.push(loop_name.to_lowercase());
    }
    keys
}
