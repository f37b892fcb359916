//! What a rule sees and how it reports.

use std::cell::{Cell, RefCell};

use super::RuleMeta;
use super::grouping::{CauseLinks, CauseRole, RootCause};
use crate::codes::Severity;
use crate::graph::{DerivedSets, ResourceGraph};
use crate::model::{DeploymentState, Resource, ResourceSet, Tri};
use crate::report::{Diagnostic, Location};

/// One finding of a rule, before it becomes a [`Diagnostic`].
#[derive(Debug, Clone)]
pub struct Finding {
    resource: usize,
    path: String,
    message: String,
    label: String,
    help: Option<String>,
    severity: Option<Severity>,
    related: Vec<Related>,
    causes: CauseLinks,
}

/// A related location of a finding: a resource of the template, or of the baseline.
#[derive(Debug, Clone)]
struct Related {
    resource: usize,
    in_baseline: bool,
    path: String,
    label: String,
}

impl Finding {
    /// A finding on `resource`, at its body path `path` (`location`,
    /// `properties.publicNetworkAccess`; empty for the whole resource).
    pub fn new(resource: &Resource, path: &str, message: impl Into<String>) -> Self {
        Finding {
            resource: resource.index,
            path: path.to_owned(),
            message: message.into(),
            label: String::new(),
            help: None,
            severity: None,
            related: Vec::new(),
            causes: Vec::new(),
        }
    }

    /// Reports at `severity` instead of the rule's default, for rules whose severity depends on
    /// the situation (an error in one case, a warning in another).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Labels the primary location with the role it plays.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Says what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks the finding as the one item for `cause` (C7): findings of other rules grouped with
    /// the cause join it, and findings that defer to it are dropped.
    pub fn owns(mut self, cause: RootCause) -> Self {
        self.causes.push((CauseRole::Owns, cause));
        self
    }

    /// Groups the finding with `cause` (C7): when the owner rule reports the cause, this finding
    /// becomes a related location of the owner's item instead of an item of its own.
    pub fn grouped_with(mut self, cause: RootCause) -> Self {
        self.causes.push((CauseRole::GroupedWith, cause));
        self
    }

    /// Defers to `cause` (C7): the finding is dropped when the owner rule reports the cause.
    pub fn defers_to(mut self, cause: RootCause) -> Self {
        self.causes.push((CauseRole::DefersTo, cause));
        self
    }

    /// Adds another resource (and a body path in it) that explains the finding.
    pub fn related(mut self, resource: &Resource, path: &str, label: impl Into<String>) -> Self {
        self.related.push(Related {
            resource: resource.index,
            in_baseline: false,
            path: path.to_owned(),
            label: label.into(),
        });
        self
    }

    /// Adds a resource of the baseline (one [`RuleContext::in_baseline`] returned), and a body
    /// path in it, that explains the finding: the finding then also points at the deployed state.
    pub fn related_in_baseline(
        mut self,
        resource: &Resource,
        path: &str,
        label: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            resource: resource.index,
            in_baseline: true,
            path: path.to_owned(),
            label: label.into(),
        });
        self
    }
}

/// What the baseline (the deployed state, [`Config::with_baseline`](crate::Config::with_baseline))
/// says about one resource of the template, matched by resource id (ignoring case, as
/// [`ResourceId`] compares).
#[derive(Debug, Clone, Copy)]
pub enum InBaseline<'a> {
    /// No baseline is configured: nothing is known about what is deployed.
    NoBaseline,
    /// The baseline does not deploy the resource: the template creates it.
    Absent,
    /// The baseline deploys the resource: this is its deployed state. Read it with the same
    /// views as the template's resources (a resource the baseline declares `existing` reads as
    /// unknown).
    Present(&'a Resource),
    /// Cannot tell: the resource's id is known only at deployment, or the baseline deploys a
    /// resource that may be this one under a condition or with an id known only at deployment.
    Undecided,
}

/// The deployment as a rule sees it, and where the rule reports.
pub struct RuleContext<'a> {
    graph: &'a ResourceGraph,
    cache: Option<&'a crate::graph::DerivedCache<'a>>,
    baseline: Option<&'a ResourceSet>,
    rule: &'static RuleMeta,
    diagnostics: RefCell<Vec<(Diagnostic, CauseLinks)>>,
    indeterminate: Cell<usize>,
    options: Option<serde_json::Value>,
}

impl<'a> RuleContext<'a> {
    /// A context for `rule` over `graph`.
    pub fn new(graph: &'a ResourceGraph, rule: &'static RuleMeta) -> Self {
        RuleContext {
            graph,
            cache: None,
            baseline: None,
            rule,
            diagnostics: RefCell::new(Vec::new()),
            indeterminate: Cell::new(0),
            options: None,
        }
    }

    /// Shares `cache` with the other rules of a run: derived sets each of them asks for are then
    /// computed once.
    pub fn with_derived_cache(mut self, cache: &'a crate::graph::DerivedCache<'a>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Gives the rule its options (the `options` of its setting in the configuration).
    pub fn with_options(mut self, options: Option<serde_json::Value>) -> Self {
        self.options = options;
        self
    }

    /// Gives the rule the baseline: the resources deployed now, which the template changes.
    pub fn with_baseline(mut self, baseline: Option<&'a ResourceSet>) -> Self {
        self.baseline = baseline;
        self
    }

    /// The resources of the baseline (what is deployed now), when one is configured.
    pub fn baseline(&self) -> Option<&'a ResourceSet> {
        self.baseline
    }

    /// What the baseline says about `resource` of the template: matched by resource id.
    pub fn in_baseline(&self, resource: &Resource) -> InBaseline<'a> {
        let Some(baseline) = self.baseline else {
            return InBaseline::NoBaseline;
        };
        let Some(id) = resource.id.as_ref().filter(|id| !id.has_unknown()) else {
            return InBaseline::Undecided;
        };
        let mut undecided = false;
        for index in baseline.by_id(id) {
            let Some(deployed) = baseline.get(*index) else {
                continue;
            };
            match deployed.state {
                DeploymentState::Deployed | DeploymentState::Existing => {
                    return InBaseline::Present(deployed);
                }
                DeploymentState::MaybeDeployed => undecided = true,
                DeploymentState::Skipped => {}
            }
        }
        // A baseline resource whose id is known only at deployment (in part, or not at all when
        // its name is unknown) may be this one.
        undecided = undecided
            || baseline.iter().any(|deployed| {
                deployed.state != DeploymentState::Skipped
                    && match &deployed.id {
                        Some(other) => other.has_unknown() && other.matches(id) != Tri::False,
                        None => deployed.is_type(&resource.resource_type),
                    }
            });
        if undecided {
            InBaseline::Undecided
        } else {
            InBaseline::Absent
        }
    }

    /// The rule's options as its own `Deserialize + Default` type; the defaults when none are
    /// configured or they do not fit the type.
    pub fn options<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        self.options
            .as_ref()
            .and_then(|o| serde_json::from_value(o.clone()).ok())
            .unwrap_or_default()
    }

    /// The graph.
    pub fn graph(&self) -> &'a ResourceGraph {
        self.graph
    }

    /// The resources.
    pub fn resources(&self) -> &'a ResourceSet {
        self.graph.resources()
    }

    /// The derived sets of the invariants spec (C5) over the graph, in the cloud the regions
    /// imply (C3; the context does not yet record a cloud named by the caller).
    pub fn derived(&self) -> DerivedSets<'a> {
        let sets = DerivedSets::new(self.graph, self.graph.region_cloud().cloud);
        match self.cache {
            Some(cache) => sets.with_cache(cache),
            None => sets,
        }
    }

    /// Reports a finding with the rule's code and severity.
    pub fn report(&self, finding: Finding) {
        let resources = self.resources();
        let Some(resource) = resources.get(finding.resource) else {
            return;
        };
        let location = |resource: &Resource, path: &str| {
            let mut location = Location::new(resource.origin.file, resource.pointer_of(path));
            if let Some(id) = resource.id_text() {
                location = location.with_resource(id);
            }
            location
        };
        let mut diagnostic = Diagnostic::new(
            self.rule.code,
            finding.severity.unwrap_or(self.rule.default_severity),
            finding.message,
            location(resource, &finding.path),
        )
        .with_label(finding.label);
        if let Some(help) = finding.help {
            diagnostic = diagnostic.with_help(help);
        }
        for related in finding.related {
            let set = if related.in_baseline {
                self.baseline
            } else {
                Some(resources)
            };
            if let Some(resource) = set.and_then(|set| set.get(related.resource)) {
                diagnostic =
                    diagnostic.with_related(location(resource, &related.path), related.label);
            }
        }
        self.diagnostics
            .borrow_mut()
            .push((diagnostic, finding.causes));
    }

    /// Records that a check could not be decided because a value it needs is unknown.
    pub fn indeterminate(&self) {
        self.indeterminate.set(self.indeterminate.get() + 1);
    }

    /// The findings and the count of undecided checks.
    pub fn finish(self) -> (Vec<Diagnostic>, usize) {
        let (findings, undecided) = self.finish_with_causes();
        (findings.into_iter().map(|(d, _)| d).collect(), undecided)
    }

    /// The findings with the root causes they name (C7), and the count of undecided checks.
    pub(crate) fn finish_with_causes(self) -> (Vec<(Diagnostic, CauseLinks)>, usize) {
        (self.diagnostics.into_inner(), self.indeterminate.get())
    }
}
