//! Online deployments with their endpoint and workspace, the unit every AML-OE rule judges.

use super::support::{online_endpoints_of, resource_of};
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::Tri;
use crate::model::kinds::{Access, EndpointComputeType, OnlineDeployment, OnlineEndpoint, Setting};

/// The body path of a deployment's egress flag.
pub(super) const EGRESS_PATH: &str = "properties.egressPublicNetworkAccess";

/// An online deployment the template writes, with the endpoint and workspace it belongs to.
pub(super) struct DeploymentOf<'g> {
    /// The workspace of the endpoint (a project is evaluated through its hub by the derived sets).
    pub workspace: NodeId,
    /// The endpoint the deployment serves.
    pub endpoint: OnlineEndpoint<'g>,
    /// The deployment.
    pub deployment: OnlineDeployment<'g>,
    /// The deployment's node.
    pub node: NodeId,
}

impl DeploymentOf<'_> {
    /// Whether this is a managed online deployment: its `endpointComputeType` says `Managed`, or,
    /// when it is absent, its endpoint names no Kubernetes compute (§2.3). Only managed
    /// deployments have an egress flag that matters.
    pub fn is_managed(&self) -> Tri {
        match self.deployment.endpoint_compute_type() {
            Setting::Set(kind) | Setting::Default(kind) => {
                Tri::from(kind == EndpointComputeType::Managed)
            }
            Setting::Absent => self.endpoint.is_managed(),
            Setting::Unknown(_) => Tri::Unknown,
        }
    }

    /// Whether the deployment uses the legacy private-egress method: a managed deployment with
    /// `egressPublicNetworkAccess: Disabled` under a workspace without a managed network.
    pub fn legacy_private_egress(&self, sets: &DerivedSets<'_>) -> Tri {
        self.is_managed()
            .and(!sets.managed(self.workspace).value)
            .and(
                self.deployment
                    .egress_public_network_access()
                    .is(&Access::Disabled),
            )
    }

    /// The deployment's name for messages.
    pub fn name(&self) -> String {
        self.deployment.resource().display_name()
    }
}

/// Every online deployment the template writes (or may write), under every workspace.
pub(super) fn online_deployments<'g>(sets: &DerivedSets<'g>) -> Vec<DeploymentOf<'g>> {
    let mut found = Vec::new();
    for workspace in sets.workspaces() {
        for (endpoint_node, endpoint) in online_endpoints_of(sets, workspace) {
            for relation in sets.graph().incoming(endpoint_node, EdgeKind::Parent) {
                if !sets.written(relation.from).is_possible() {
                    continue;
                }
                let Some(deployment) =
                    resource_of(sets, relation.from).and_then(OnlineDeployment::of)
                else {
                    continue;
                };
                found.push(DeploymentOf {
                    workspace,
                    endpoint,
                    deployment,
                    node: relation.from,
                });
            }
        }
    }
    found
}
