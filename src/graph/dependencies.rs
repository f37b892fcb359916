//! Deployment-order analysis: `dependsOn` cycles, `dependsOn` entries that name nothing, and
//! references between resources of one template that nothing orders.

use std::collections::{HashSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use super::{EdgeKind, NodeData, ResourceGraph};
use crate::codes::{CodeInfo, Severity};
use crate::model::DeploymentState;

/// Most nodes one ordering question visits before it gives up (and reports nothing): bounds the
/// analysis on very large templates. ARM's 800-resource limit keeps real templates far below.
pub const MAX_DEPENDENCY_SEARCH: usize = 20_000;

/// The codes of the dependency analysis.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "ARM-DEP-001",
        name: "dependency-cycle",
        summary: "Resources depend on each other in a cycle; ARM rejects the template.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-DEP-002",
        name: "dangling-depends-on",
        summary: "A dependsOn entry names no resource of the same template.",
        default_severity: Severity::Warning,
    },
    CodeInfo {
        code: "ARM-DEP-003",
        name: "missing-dependency",
        summary: "A resource refers to another resource of the same template that it does not depend on, so ARM may deploy them in any order.",
        default_severity: Severity::Warning,
    },
];

/// A problem of deployment order, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyIssue {
    /// The code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// One sentence.
    pub message: String,
    /// The resource (index in the [`crate::model::ResourceSet`]) the finding points at.
    pub resource: usize,
    /// JSON pointer of the node to change.
    pub pointer: String,
    /// Other resources that explain the finding.
    pub related: Vec<usize>,
}

/// Reference kinds that need the target to exist first.
const ORDERING_KINDS: &[EdgeKind] = &[
    EdgeKind::PrivateLinkTarget,
    EdgeKind::InSubnet,
    EdgeKind::ZoneGroupZone,
    EdgeKind::ZoneLinkVnet,
    EdgeKind::Peering,
    EdgeKind::NsgAttachment,
    EdgeKind::RouteTableAttachment,
    EdgeKind::WorkspaceAssociated,
    EdgeKind::HubOfProject,
];

impl ResourceGraph {
    /// Cycles, dangling entries and unordered references, sorted by resource.
    pub fn dependency_issues(&self) -> Vec<DependencyIssue> {
        let mut issues = self.cycles();
        issues.extend(self.dangling());
        issues.extend(self.unordered());
        issues.sort_by(|a, b| (a.resource, a.code).cmp(&(b.resource, b.code)));
        issues
    }

    fn resource_index(&self, node: NodeIndex) -> Option<usize> {
        match self.graph.node_weight(node)? {
            NodeData::Resource(i) => Some(*i),
            NodeData::External(_) => None,
        }
    }

    fn cycles(&self) -> Vec<DependencyIssue> {
        let depends_on =
            EdgeFiltered::from_fn(&self.graph, |e| e.weight().kind == EdgeKind::DependsOn);
        let mut issues = Vec::new();
        for component in tarjan_scc(&depends_on) {
            if component.len() < 2 {
                continue;
            }
            let mut members: Vec<usize> = component
                .iter()
                .filter_map(|n| self.resource_index(*n))
                .collect();
            members.sort_unstable();
            let Some(&first) = members.first() else {
                continue;
            };
            let names: Vec<String> = members
                .iter()
                .filter_map(|i| self.set.get(*i))
                .map(|r| format!("`{}`", r.display_name()))
                .collect();
            let pointer = self
                .set
                .get(first)
                .map(|r| r.pointer_of("dependsOn"))
                .unwrap_or_default();
            issues.push(DependencyIssue {
                code: "ARM-DEP-001",
                severity: Severity::Error,
                message: format!(
                    "these resources depend on each other in a cycle: {} → {}",
                    names.join(" → "),
                    names.first().cloned().unwrap_or_default()
                ),
                resource: first,
                pointer,
                related: members[1..].to_vec(),
            });
        }
        issues
    }

    fn dangling(&self) -> Vec<DependencyIssue> {
        let mut issues = Vec::new();
        for resource in self.set.iter() {
            if resource.state == DeploymentState::Skipped {
                continue;
            }
            for dependency in &resource.depends_on {
                let Some(entry) = dependency.entry.as_str() else {
                    continue;
                };
                let names_itself = dependency.resolved == Some(true)
                    && dependency.targets.is_empty()
                    && resource
                        .id_text()
                        .is_some_and(|id| id.eq_ignore_ascii_case(entry));
                if dependency.resolved == Some(false) || names_itself {
                    let message = if names_itself {
                        format!("`{}` lists itself in dependsOn", resource.display_name())
                    } else {
                        format!(
                            "`{}` depends on `{entry}`, which is not a resource of this template",
                            resource.display_name()
                        )
                    };
                    issues.push(DependencyIssue {
                        code: "ARM-DEP-002",
                        severity: Severity::Warning,
                        message,
                        resource: resource.index,
                        pointer: dependency.pointer.clone(),
                        related: Vec::new(),
                    });
                }
            }
        }
        issues
    }

    fn unordered(&self) -> Vec<DependencyIssue> {
        let mut issues = Vec::new();
        for edge in self.graph.edge_references() {
            let relation = edge.weight();
            let runtime_read = relation.kind == EdgeKind::PropertyRef
                && (relation.path == "reference()" || relation.path == "list*()");
            if !ORDERING_KINDS.contains(&relation.kind) && !runtime_read {
                continue;
            }
            let (Some(from), Some(to)) = (
                self.resource_index(relation.holder.index()),
                self.resource_index(edge.target()),
            ) else {
                continue;
            };
            let (Some(a), Some(b)) = (self.set.get(from), self.set.get(to)) else {
                continue;
            };
            let written = |state| {
                matches!(
                    state,
                    DeploymentState::Deployed | DeploymentState::MaybeDeployed
                )
            };
            // Only resources deployed by the same template are ordered by dependsOn.
            if !written(a.state)
                || !written(b.state)
                || a.origin.deployments != b.origin.deployments
                || a.inline
            {
                continue;
            }
            // An inline subnet is created with the VNet that declares it.
            let target = if b.inline { b.parent.unwrap_or(to) } else { to };
            if target == from || self.ordered_before(from, target) {
                continue;
            }
            let what = if relation.path.is_empty() {
                relation.kind.name().to_owned()
            } else {
                relation.path.clone()
            };
            issues.push(DependencyIssue {
                code: "ARM-DEP-003",
                severity: Severity::Warning,
                message: format!(
                    "`{}` refers to `{}` ({what}) but does not depend on it, so ARM may deploy them in either order",
                    a.display_name(),
                    b.display_name()
                ),
                resource: from,
                pointer: if relation.path.contains('(') {
                    a.origin.pointer.clone()
                } else {
                    a.pointer_of(&relation.path.replace('[', ".").replace(']', ""))
                },
                related: vec![to],
            });
        }
        issues.dedup_by(|x, y| x.resource == y.resource && x.related == y.related);
        issues
    }

    /// Whether `from` is deployed after `target`: `target` is reachable from `from` through
    /// `dependsOn` and parent edges.
    fn ordered_before(&self, from: usize, target: usize) -> bool {
        let (Some(&start), Some(&goal)) = (
            self.resource_nodes.get(from),
            self.resource_nodes.get(target),
        ) else {
            return false;
        };
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            if node == goal {
                return true;
            }
            if !seen.insert(node) {
                continue;
            }
            if seen.len() > MAX_DEPENDENCY_SEARCH {
                // Too large to decide: say nothing rather than guess.
                return true;
            }
            for edge in self.graph.edges(node) {
                if matches!(edge.weight().kind, EdgeKind::DependsOn | EdgeKind::Parent) {
                    queue.push_back(edge.target());
                }
            }
        }
        false
    }
}
