//! What the managed-network rules (AML-MVN) share: every outbound rule the deployment writes —
//! an entry of a workspace's inline `managedNetwork.outboundRules` map or a
//! `workspaces/outboundRules` child (§4.10 treats both as one set per workspace) — with the body
//! path it is written at, its workspace, and the isolation mode that governs it.

use std::collections::HashMap;

use super::support::{node_name, resource_of};
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::kinds::{
    Cause, IsolationMode, OutboundRule, OutboundRuleKind, Setting, Workspace,
};
use crate::model::{Prop, Resource, ResourceId, Tri, read};

/// The workspace resource type.
pub(super) const WORKSPACE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";

/// Where a workspace declares its inline rules.
pub(super) const INLINE_RULES_PATH: &str = "properties.managedNetwork.outboundRules";

/// One outbound rule as the template writes it.
#[derive(Debug, Clone)]
pub(super) struct DeclaredRule<'g> {
    /// The rule's view.
    pub(super) rule: OutboundRule<'g>,
    /// An entry of the inline map (else a child resource).
    pub(super) inline: bool,
    /// The workspace the rule belongs to, when the graph knows it.
    pub(super) workspace: Option<NodeId>,
    /// Whether the deployment writes the rule (`Unknown` under an unknown condition).
    pub(super) written: Tri,
    /// Body path of the rule object in its resource.
    base: String,
}

impl<'g> DeclaredRule<'g> {
    /// The resource that holds the rule (the workspace for inline rules).
    pub(super) fn resource(&self) -> &'g Resource {
        self.rule.resource()
    }

    /// The rule's name for messages.
    pub(super) fn name(&self) -> &'g str {
        self.rule.name().unwrap_or("(name unknown)")
    }

    /// The body path of `member` of the rule object (`destination.serviceTag`); the rule object
    /// itself for an empty `member`.
    pub(super) fn path(&self, member: &str) -> String {
        match (self.base.is_empty(), member.is_empty()) {
            (_, true) => self.base.clone(),
            (true, false) => member.to_owned(),
            (false, false) => format!("{}.{member}", self.base),
        }
    }

    /// A member of the rule object as written, without defaults (`destination.protocol`).
    pub(super) fn get(&self, member: &str) -> Prop<'g> {
        match self.rule.raw() {
            Some(object) => read(object, member),
            None => Prop::Absent,
        }
    }

    /// The rule's `type`, when known.
    pub(super) fn kind(&self) -> Option<OutboundRuleKind> {
        self.rule.kind().known()
    }

    /// The name of the rule's workspace for messages.
    pub(super) fn workspace_name(&self, sets: &DerivedSets<'_>) -> String {
        self.workspace.map_or_else(
            || "(workspace unknown)".to_owned(),
            |node| node_name(sets, node),
        )
    }

    /// The isolation mode that governs the rule: that of the workspace's hub (C5 `HUB`: a project
    /// uses its hub's managed network). `Unknown` when the workspace or hub is not written here.
    pub(super) fn mode(&self, sets: &DerivedSets<'g>) -> Setting<'g, IsolationMode> {
        match self.hub(sets) {
            Some((_, view)) => view.isolation_mode(),
            None => Setting::Unknown(Cause::NotDeployed),
        }
    }

    /// Whether this is a private endpoint rule, written by the deployment, to `target` with the
    /// sub-resource `group` (C1).
    pub(super) fn reaches(&self, target: &ResourceId, group: &str) -> Tri {
        let kind = self.rule.kind().is(&OutboundRuleKind::PrivateEndpoint);
        let to_target = match self.rule.service_resource_id() {
            Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
                Ok(id) => id.matches(target),
                Err(_) => Tri::False,
            },
            Setting::Unknown(_) => Tri::Unknown,
            Setting::Absent => Tri::False,
        };
        let sub_resource = self
            .rule
            .subresource_target()
            .test(|written| written.eq_ignore_ascii_case(group));
        self.written.and(kind).and(to_target).and(sub_resource)
    }

    /// The hub workspace whose managed network holds the rule, when the template declares it.
    pub(super) fn hub(&self, sets: &DerivedSets<'g>) -> Option<(NodeId, Workspace<'g>)> {
        let hub = sets.hub(self.workspace?).node()?;
        let view = resource_of(sets, hub).and_then(Workspace::of)?;
        Some((hub, view))
    }
}

/// The outbound rules the deployment may write, and whether some inline map or child rule is
/// known only at deployment (its rules are then invisible: callers count an undecided check).
pub(super) struct DeclaredRules<'g> {
    /// The rules, in template order.
    pub(super) rules: Vec<DeclaredRule<'g>>,
    /// Some workspace's inline map, or some child rule's `properties`, is computed at deployment.
    pub(super) some_unknown: bool,
    /// Rule positions by the hub holding them, found on first use: asked once per hub and
    /// target, a scan of every rule made templates with many workspaces quadratic.
    by_hub: std::cell::OnceCell<HashMap<NodeId, Vec<usize>>>,
}

impl<'g> DeclaredRules<'g> {
    /// The rules of the managed network of `hub` (its own and its projects'), in template
    /// order.
    pub(super) fn of_hub(
        &self,
        sets: &DerivedSets<'g>,
        hub: NodeId,
    ) -> impl Iterator<Item = &DeclaredRule<'g>> {
        let by_hub = self.by_hub.get_or_init(|| {
            let mut by_hub: HashMap<NodeId, Vec<usize>> = HashMap::new();
            for (index, rule) in self.rules.iter().enumerate() {
                if let Some((node, _)) = rule.hub(sets) {
                    by_hub.entry(node).or_default().push(index);
                }
            }
            by_hub
        });
        by_hub
            .get(&hub)
            .into_iter()
            .flatten()
            .filter_map(|&index| self.rules.get(index))
    }

    /// Whether the managed network of `hub` (its own rules and its projects') has a private
    /// endpoint rule to `target` with sub-resource `group`; `Unknown` when some rule or inline
    /// map is known only at deployment.
    pub(super) fn hub_reaches(
        &self,
        sets: &DerivedSets<'g>,
        hub: NodeId,
        target: &ResourceId,
        group: &str,
    ) -> Tri {
        let found = Tri::any(
            self.of_hub(sets, hub)
                .map(|rule| rule.reaches(target, group)),
        );
        if self.some_unknown {
            found.or(Tri::Unknown)
        } else {
            found
        }
    }
}

/// Every outbound rule of the deployment (resources whose deployment is possible).
pub(super) fn declared_rules<'g>(sets: &DerivedSets<'g>) -> DeclaredRules<'g> {
    let graph = sets.graph();
    let mut rules = Vec::new();
    let mut some_unknown = false;
    for node in graph.nodes() {
        let Some(resource) = graph.node(node).and_then(|n| n.resource()) else {
            continue;
        };
        let written = resource.state.deployed();
        if !written.is_possible() {
            continue;
        }
        if let Some(workspace) = Workspace::of(resource) {
            if workspace.managed_outbound_rules().is_unknown() {
                some_unknown = true;
            }
            for rule in OutboundRule::inline(&workspace) {
                let base = format!("{INLINE_RULES_PATH}.{}", rule.name().unwrap_or_default());
                rules.push(DeclaredRule {
                    rule,
                    inline: true,
                    workspace: Some(node),
                    written,
                    base,
                });
            }
        } else if let Some(rule) = OutboundRule::of(resource) {
            let workspace = graph
                .outgoing(node, EdgeKind::Parent)
                .map(|relation| relation.to)
                .find(|parent| {
                    graph
                        .node(*parent)
                        .is_some_and(|n| n.is_type(WORKSPACE_TYPE))
                });
            // A rule object computed at deployment hides the rule's type and destination.
            if resource.get("properties").is_unknown() {
                some_unknown = true;
                continue;
            }
            // The view reads `properties` when present and the body otherwise; the path follows.
            let base = if resource.get("properties").is_absent() {
                String::new()
            } else {
                "properties".to_owned()
            };
            rules.push(DeclaredRule {
                rule,
                inline: false,
                workspace,
                written,
                base,
            });
        }
    }
    DeclaredRules {
        rules,
        some_unknown,
        by_hub: std::cell::OnceCell::new(),
    }
}

/// The value at `member` of a rule object as text for a message: the string itself, or its
/// JSON form.
pub(super) fn shown(value: &crate::expr::Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_json_string(), ToOwned::to_owned)
}
