//! Template expansion: what Azure Resource Manager would deploy from one template.
//!
//! [`expand`] takes a template (and optionally a parameter file), a [`DeploymentContext`] and
//! options, and produces an [`Expansion`]: every resource instance with its full id, evaluated
//! body, condition and [`Origin`] (file, JSON pointer, copy index, chain of nested deployments),
//! the outputs, and the issues met on the way as plain data ([`ExpandIssue`]). Expansion never
//! fails: a broken part of a template is an issue, and the value it would have produced becomes
//! `Unknown`, so the rest of the template is still analyzed.
//!
//! Covered: parameters (defaults, parameter files, validation, secure and Key Vault values),
//! variables (lazy, memoized, cycle detection, variable `copy`), user-defined functions,
//! resources as an array (1.0, with nested child resources) and as an object of symbolic names
//! (2.0, with `existing`), resource, property and output `copy`, `condition`, nested deployments
//! (inner and outer scope, target scopes, outputs read back through `reference()`), linked
//! templates by `relativePath` (confined to the analysis root) and the ARM limits.
//!
//! This API is less stable than the crate's top-level API.

mod env;
mod expand;
mod issues;
mod json;
mod parameters;

use std::path::{Path, PathBuf};

use crate::expr::{DeploymentContext, Value};
use crate::source::FileId;

pub use expand::expand;
pub use issues::{CODES, ExpandIssue};

/// Deepest chain of nested deployments expanded (ARM documents no maximum; the cap stops runaway
/// recursion). Configurable through [`ExpandOptions::max_nested_depth`].
pub const DEFAULT_MAX_NESTED_DEPTH: usize = 10;

/// ARM's limit on resources in one template, copies included (*Template limits*).
pub const ARM_MAX_RESOURCES: usize = 800;
/// ARM's limit on parameters in one template.
pub const ARM_MAX_PARAMETERS: usize = 256;
/// ARM's limit on variables in one template (2025 docs; older docs say 256).
pub const ARM_MAX_VARIABLES: usize = 512;
/// ARM's limit on outputs in one template.
pub const ARM_MAX_OUTPUTS: usize = 64;
/// ARM's limit on a template's size (4 MB).
pub const ARM_MAX_TEMPLATE_BYTES: usize = 4 * 1024 * 1024;
/// ARM's limit on a copy loop's `count`.
pub const ARM_MAX_COPY_COUNT: i64 = 800;

/// Most resource instances expanded from one file, nested deployments included. Far above ARM's
/// 800 so that oversized templates are still analyzed, but bounded so that hostile input cannot
/// exhaust memory.
pub const MAX_EXPANDED_RESOURCES: usize = 200_000;

/// Most bytes (as [`Value::size`] counts them) held by the memoized variables and parameters of
/// one template: a chain of variables each doubling the previous one stops here.
pub const MAX_MEMOIZED_VALUE_BYTES: usize = 64 * 1024 * 1024;

/// Most bytes produced while expanding one file, nested templates included: values (resource
/// bodies, outputs, variables) as [`Value::size`] counts them, a shared value counted at every
/// use, plus what each expanded resource holds besides them (id, pointer, chain of deployments,
/// a fixed overhead). ARM refuses a template over 4 MB after expansion ("the final state of the
/// template after it has been expanded with iterative resource definitions, and values for
/// variables and parameters", *Template limits*); this is 64 times that, and stops copy loops and
/// self-linking templates from multiplying values into gigabytes. Past it (`ARM-TPL-010`), values
/// are unknown and no further resource instance is kept.
pub const MAX_EVALUATED_BYTES: usize = 256 * 1024 * 1024;

/// Deepest chain of variables (or parameter defaults) that read one another. ARM documents no
/// limit; real templates chain fewer than 20.
pub const MAX_VARIABLE_CHAIN: usize = 256;

/// How to expand.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExpandOptions {
    /// Subscription, resource group, location, cloud… of the deployment.
    pub context: DeploymentContext,
    /// Parameter values supplied by configuration; a parameter file's values win over them.
    pub parameter_values: serde_json::Map<String, serde_json::Value>,
    /// Deepest chain of nested deployments expanded.
    pub max_nested_depth: usize,
    /// Linked templates (`templateLink.relativePath`) are read only from below this directory.
    pub root: Option<PathBuf>,
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions {
            context: DeploymentContext::default(),
            parameter_values: serde_json::Map::new(),
            max_nested_depth: DEFAULT_MAX_NESTED_DEPTH,
            root: None,
        }
    }
}

impl ExpandOptions {
    /// Sets the deployment context.
    pub fn with_context(mut self, context: DeploymentContext) -> Self {
        self.context = context;
        self
    }

    /// Sets the analysis root that confines linked templates.
    pub fn with_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// Sets the nested-deployment depth cap.
    pub fn with_max_nested_depth(mut self, depth: usize) -> Self {
        self.max_nested_depth = depth;
        self
    }

    /// Adds parameter values (as a parameter file's `value`s would give them).
    pub fn with_parameter_values(
        mut self,
        values: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        self.parameter_values = values;
        self
    }
}

/// A JSON document and the file it came from.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The file.
    pub file: FileId,
    /// Its path (linked templates resolve relative to it).
    pub path: &'a Path,
    /// Its content.
    pub value: &'a serde_json::Value,
}

/// Reads linked templates (`templateLink.relativePath`) for the expander.
pub trait TemplateLoader {
    /// Reads `path` (already resolved and confined to the root) as a template, or says why not.
    fn load(&self, path: &Path) -> Result<(FileId, std::sync::Arc<serde_json::Value>), String>;
}

/// A loader that reads nothing: every linked template stays an external deployment.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLinkedTemplates;

impl TemplateLoader for NoLinkedTemplates {
    fn load(&self, path: &Path) -> Result<(FileId, std::sync::Arc<serde_json::Value>), String> {
        Err(format!(
            "linked templates are not read here ({})",
            path.display()
        ))
    }
}

/// Whether a resource is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Deployed (no condition, or it evaluates to true).
    True,
    /// Not deployed: kept as a skipped resource.
    False,
    /// The condition depends on values unknown before deployment: maybe deployed.
    Unknown,
}

impl Condition {
    /// Both conditions: false when either is false, unknown when either is unknown.
    pub fn and(self, other: Condition) -> Condition {
        match (self, other) {
            (Condition::False, _) | (_, Condition::False) => Condition::False,
            (Condition::Unknown, _) | (_, Condition::Unknown) => Condition::Unknown,
            _ => Condition::True,
        }
    }
}

/// Where an expanded resource was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file holding the declaration.
    pub file: FileId,
    /// JSON pointer of the declaring node in that file.
    pub pointer: String,
    /// The copy loops this instance belongs to, outermost first: (loop name, index).
    pub copy: Vec<(String, i64)>,
    /// The nested deployments the resource was declared in, outermost first.
    pub deployments: Vec<DeploymentFrame>,
}

/// One nested deployment on the way to a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentFrame {
    /// The file holding the `Microsoft.Resources/deployments` resource.
    pub file: FileId,
    /// Its JSON pointer.
    pub pointer: String,
    /// Its evaluated name (or `?` when unknown).
    pub name: String,
}

/// A `dependsOn` entry, evaluated and resolved against the resources of the same template.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// The entry as evaluated (a name, an id, a loop name or a symbolic name).
    pub entry: Value,
    /// Indexes (into [`Expansion::resources`]) of the resources it names.
    pub targets: Vec<usize>,
    /// Whether the entry names something of the template: `Some(true)` also for a loop or
    /// symbolic name with no instances, `Some(false)` when it names nothing, `None` when that
    /// cannot be told (the entry or a resource name is unknown).
    pub resolved: Option<bool>,
    /// JSON pointer of the entry.
    pub pointer: String,
}

/// A hash of `value` with fixed keys, for maps that hold hashes and compare candidates in full
/// (the keys themselves would be copies of long ids and messages).
pub(crate) fn hash_of(value: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(value)
}

/// A resource id recorded while evaluating a resource (`resourceId()`, `reference()`, `list*()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedReference {
    /// The id, name or symbolic name as evaluated (shared with the string value the expression
    /// produced, when it built the id).
    pub target: std::sync::Arc<str>,
    /// How it was used.
    pub usage: crate::expr::IdUsage,
}

/// One resource instance the template would deploy (or reads, or skips).
#[derive(Debug, Clone)]
pub struct ExpandedResource {
    /// Symbolic name (languageVersion 2.0), with `[i]` for loop members.
    pub symbolic_name: Option<String>,
    /// Full resource type (`Microsoft.Network/virtualNetworks/subnets`).
    pub resource_type: String,
    /// API version, when known.
    pub api_version: Option<String>,
    /// Full name (`vnet/subnet`), possibly unknown.
    pub name: Value,
    /// Full resource id, when name and scope are known.
    pub id: Option<String>,
    /// The evaluated resource body: every member of the declaration except `resources`, `copy`,
    /// `condition` and `dependsOn` (a deployment's inline `template` is omitted too).
    pub body: Value,
    /// Whether it is deployed.
    pub condition: Condition,
    /// Declared `existing` (read, not deployed).
    pub existing: bool,
    /// `dependsOn`, resolved.
    pub depends_on: Vec<Dependency>,
    /// Ids used by its expressions.
    pub references: Vec<RecordedReference>,
    /// The index of the parent resource it was nested in (1.0 child resources).
    pub parent: Option<usize>,
    /// Where it was written.
    pub origin: Origin,
}

impl ExpandedResource {
    /// A top-level member of the body, by name (case-insensitive).
    pub fn member(&self, name: &str) -> Option<&Value> {
        self.body.as_object().and_then(|o| o.get(name))
    }

    /// `location`, when present.
    pub fn location(&self) -> Option<&Value> {
        self.member("location")
    }

    /// `kind`, when present.
    pub fn kind(&self) -> Option<&Value> {
        self.member("kind")
    }

    /// `sku`, when present.
    pub fn sku(&self) -> Option<&Value> {
        self.member("sku")
    }

    /// `identity`, when present.
    pub fn identity(&self) -> Option<&Value> {
        self.member("identity")
    }

    /// `properties`, when present.
    pub fn properties(&self) -> Option<&Value> {
        self.member("properties")
    }

    /// Whether this is a `Microsoft.Resources/deployments` resource.
    pub fn is_deployment(&self) -> bool {
        self.resource_type
            .eq_ignore_ascii_case("Microsoft.Resources/deployments")
    }
}

/// One output of the template.
#[derive(Debug, Clone)]
pub struct ExpandedOutput {
    /// Its name.
    pub name: String,
    /// Its value (unknown when its condition is false or unknown).
    pub value: Value,
    /// Its condition.
    pub condition: Condition,
    /// JSON pointer of the declaration.
    pub pointer: String,
}

/// What a template expands to.
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// Every resource instance, in declaration order (nested deployments' resources after the
    /// deployment that declares them).
    pub resources: Vec<ExpandedResource>,
    /// The top-level template's outputs.
    pub outputs: Vec<ExpandedOutput>,
    /// Problems met, as plain data.
    pub issues: Vec<ExpandIssue>,
    /// How many values were unknown (runtime functions, missing parameters).
    pub unknown_values: usize,
}

impl Expansion {
    /// Resources that would be deployed or might be (condition not false, not `existing`).
    pub fn deployed(&self) -> impl Iterator<Item = &ExpandedResource> {
        self.resources
            .iter()
            .filter(|r| !r.existing && r.condition != Condition::False)
    }
}
