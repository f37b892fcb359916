use std::collections::HashSet;

use super::support::{node_name, resource_of};
use crate::graph::{AssociatedRole, EdgeKind};
use crate::model::kinds::{AccessMode, MonitorPrivateLinkScope, ScopedResource, Setting};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that an Azure Monitor private link scope holding a workspace's Application
    /// Insights (a `scopedResources` child whose `linkedResourceId` is that component) keeps
    /// both access modes open: `properties.accessModeSettings.ingestionAccessMode` and
    /// `queryAccessMode` must not be `PrivateOnly`.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning sends and reads telemetry over public endpoints that a
    /// `PrivateOnly` scope refuses; Microsoft requires the `Open` mode for the scope of the
    /// workspace's Application Insights (AML-WS-009). The paths and the `Open` | `PrivateOnly`
    /// values are those of the template reference (`2021-07-01-preview`,
    /// `2023-06-01-preview`); per-endpoint `exclusions` are not evaluated.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Insights/privateLinkScopes",
    ///   "apiVersion": "2021-07-01-preview",
    ///   "name": "ampls-contoso",
    ///   "location": "global",
    ///   "properties": {
    ///     "accessModeSettings": { "ingestionAccessMode": "PrivateOnly", "queryAccessMode": "Open" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Insights/privateLinkScopes",
    ///   "apiVersion": "2021-07-01-preview",
    ///   "name": "ampls-contoso",
    ///   "location": "global",
    ///   "properties": {
    ///     "accessModeSettings": { "ingestionAccessMode": "Open", "queryAccessMode": "Open" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#limitations)
    /// - [Private link scopes: template reference](https://learn.microsoft.com/azure/templates/microsoft.insights/privatelinkscopes)
    /// - [Azure Monitor private link: access modes](https://learn.microsoft.com/azure/azure-monitor/logs/private-link-design#control-how-private-links-apply-to-your-networks)
    pub struct PrivateOnlyMonitorLinkScope;
    code: "AML-WS-009",
    name: "private-only-monitor-link-scope",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "The private link scope of a workspace's Application Insights uses open access modes.",
}

impl Rule for PrivateOnlyMonitorLinkScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut components = Vec::new();
        for workspace in sets.workspaces() {
            let associated = sets.associated(workspace);
            for member in associated.possible() {
                if member.role != AssociatedRole::ApplicationInsights {
                    continue;
                }
                if let Some(id) = sets.graph().node(member.node).and_then(|n| n.id()) {
                    components.push((member.node, id.clone()));
                }
            }
        }
        if components.is_empty() {
            return;
        }
        // A scope is reported once, at the first scoped resource that links it to a workspace.
        let mut reported = HashSet::new();
        for resource in ctx.resources().iter() {
            let Some(scoped) = ScopedResource::of(resource) else {
                continue;
            };
            if !resource.state.deployed().is_possible() {
                continue;
            }
            let Some(node) = ctx.graph().node_of(resource.index) else {
                continue;
            };
            let Some(scope_node) = ctx
                .graph()
                .outgoing(node, EdgeKind::Parent)
                .map(|relation| relation.to)
                .next()
            else {
                continue;
            };
            let Some(scope) = resource_of(&sets, scope_node).and_then(MonitorPrivateLinkScope::of)
            else {
                continue;
            };
            for (component, component_id) in &components {
                let links = links_component(scoped.linked_resource_id(), component_id);
                let private_only = scope
                    .ingestion_access_mode()
                    .is(&AccessMode::PrivateOnly)
                    .or(scope.query_access_mode().is(&AccessMode::PrivateOnly));
                match links.and(private_only) {
                    Tri::False => {}
                    Tri::Unknown => ctx.indeterminate(),
                    Tri::True => {
                        if !reported.insert(scope_node) {
                            continue;
                        }
                        let scope_resource = scope.resource();
                        let path = if scope.ingestion_access_mode().is(&AccessMode::PrivateOnly)
                            == Tri::True
                        {
                            "properties.accessModeSettings.ingestionAccessMode"
                        } else {
                            "properties.accessModeSettings.queryAccessMode"
                        };
                        ctx.report(
                            Finding::new(
                                scope_resource,
                                path,
                                format!(
                                    "Application Insights '{}' is in private link scope '{}' with PrivateOnly access; AML requires the Open mode.",
                                    node_name(&sets, *component),
                                    scope_resource.display_name()
                                ),
                            )
                            .label("PrivateOnly access mode")
                            .related(resource, "properties.linkedResourceId", "the workspace's Application Insights is scoped here")
                            .help("set both `ingestionAccessMode` and `queryAccessMode` to `Open`"),
                        );
                    }
                }
            }
        }
    }
}

/// Whether a scoped resource's `linkedResourceId` names the component.
fn links_component(linked: Setting<'_, &str>, component: &ResourceId) -> Tri {
    match linked {
        Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
            Ok(id) => id.matches(component),
            Err(_) => Tri::False,
        },
        Setting::Unknown(_) => Tri::Unknown,
        Setting::Absent => Tri::False,
    }
}
