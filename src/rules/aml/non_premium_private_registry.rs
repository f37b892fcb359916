use crate::codes::Severity;
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::Tri;
use crate::model::kinds::{
    Access, ContainerRegistry, EndpointComputeType, IsolationMode, OnlineDeployment, Setting,
    Workspace,
};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

use super::support::{node_name, resource_of};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a container registry reached through private endpoints has the `Premium`
    /// SKU. It is an error when a private endpoint in the template targets the registry, when a
    /// workspace using it has the `AllowOnlyApprovedOutbound` managed network (which always
    /// creates a private endpoint to it), or when a managed online deployment of such a
    /// workspace sets `egressPublicNetworkAccess: Disabled` (the legacy method creates one); a
    /// warning when the registry is otherwise network-restricted.
    ///
    /// ## Why is this bad?
    /// Only Premium registries support private endpoints (and network rules). With Basic or
    /// Standard the private endpoint cannot be created and the workspace cannot reach its
    /// images privately (AML-WS-002).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerRegistry/registries",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "crcontosoml",
    ///   "sku": { "name": "Basic" },
    ///   "properties": { "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// with a private endpoint (group `registry`) to it.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerRegistry/registries",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "crcontosoml",
    ///   "sku": { "name": "Premium" },
    ///   "properties": { "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: prerequisites](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#prerequisites)
    /// - [Secure online endpoints](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    /// - [Connect privately to a container registry](https://learn.microsoft.com/azure/container-registry/container-registry-private-link)
    pub struct NonPremiumPrivateRegistry;
    code: "AML-WS-002",
    name: "non-premium-private-registry",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A container registry reached through private endpoints has the Premium SKU.",
}

impl Rule for NonPremiumPrivateRegistry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for resource in ctx.resources().iter() {
            let Some(registry) = ContainerRegistry::of(resource) else {
                continue;
            };
            let Some(node) = ctx.graph().node_of(resource.index) else {
                continue;
            };
            if sets.written(node) == Tri::False {
                continue;
            }
            let premium = match registry.sku() {
                Setting::Set(sku) | Setting::Default(sku) => {
                    if sku.eq_ignore_ascii_case("Premium") {
                        continue;
                    }
                    sku.to_owned()
                }
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Absent => "none".to_owned(),
            };
            let name = resource.display_name();
            let (severity, why, explained_by) = match private_path(&sets, node) {
                Some((why, explanation)) => (Severity::Error, why, Some(explanation)),
                None => match sets.restricted(node).value {
                    Tri::True => (
                        Severity::Warning,
                        "is network-restricted, so Azure Machine Learning reaches it through private endpoints".to_owned(),
                        None,
                    ),
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                },
            };
            let mut finding = Finding::new(
                resource,
                "sku.name",
                format!(
                    "Container registry '{name}' (SKU {premium}) {why}; private endpoints require the Premium SKU."
                ),
            )
            .severity(severity)
            .label("not Premium")
            .help("set `sku.name` to `Premium`");
            if let Some((holder, path, label)) = explained_by
                && let Some(holder) = resource_of(&sets, holder)
            {
                finding = finding.related(holder, path, label);
            }
            ctx.report(finding);
        }
    }
}

/// The resource that explains a finding: node, body path and label.
type Explanation = (NodeId, &'static str, &'static str);

/// Why the registry is certainly reached through a private endpoint, and the resource that
/// makes it so.
fn private_path(sets: &DerivedSets<'_>, registry: NodeId) -> Option<(String, Explanation)> {
    let graph = sets.graph();
    if let Some(endpoint) = graph
        .incoming(registry, EdgeKind::PrivateLinkTarget)
        .map(|relation| relation.from)
        .find(|endpoint| sets.written(*endpoint) == Tri::True)
    {
        return Some((
            format!(
                "is reached through private endpoint '{}'",
                node_name(sets, endpoint)
            ),
            (endpoint, "", "private endpoint to this registry"),
        ));
    }
    let workspaces = graph
        .incoming(registry, EdgeKind::WorkspaceAssociated)
        .map(|relation| relation.from);
    for workspace in workspaces {
        let approved_only = sets
            .hub(workspace)
            .node()
            .and_then(|hub| resource_of(sets, hub))
            .and_then(Workspace::of)
            .is_some_and(|hub| {
                hub.isolation_mode()
                    .is(&IsolationMode::AllowOnlyApprovedOutbound)
                    == Tri::True
            });
        if approved_only {
            return Some((
                format!(
                    "is used by workspace '{}', whose AllowOnlyApprovedOutbound managed network reaches it through a private endpoint",
                    node_name(sets, workspace)
                ),
                (
                    workspace,
                    "properties.managedNetwork.isolationMode",
                    "approved-outbound managed network",
                ),
            ));
        }
        if let Some(deployment) = private_egress_deployment(sets, workspace) {
            return Some((
                format!(
                    "is used by workspace '{}', whose online deployment '{}' disables public egress and so reaches it through a private endpoint",
                    node_name(sets, workspace),
                    node_name(sets, deployment)
                ),
                (
                    deployment,
                    "properties.egressPublicNetworkAccess",
                    "public egress disabled here",
                ),
            ));
        }
    }
    None
}

/// A managed online deployment of `workspace` with `egressPublicNetworkAccess: Disabled`.
fn private_egress_deployment(sets: &DerivedSets<'_>, workspace: NodeId) -> Option<NodeId> {
    let graph = sets.graph();
    let workspace_id = graph.node(workspace)?.id()?;
    graph.resources().iter().find_map(|resource| {
        let deployment = OnlineDeployment::of(resource)?;
        let node = graph.node_of(resource.index)?;
        let owner = resource.id.as_ref()?.parent()?.parent()?;
        let private = sets.written(node) == Tri::True
            && owner.matches(workspace_id) == Tri::True
            && deployment
                .endpoint_compute_type()
                .is(&EndpointComputeType::Managed)
                == Tri::True
            && deployment
                .egress_public_network_access()
                .is(&Access::Disabled)
                == Tri::True;
        private.then_some(node)
    })
}
