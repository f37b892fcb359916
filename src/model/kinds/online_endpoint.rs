//! `workspaces/onlineEndpoints` and their `deployments` (§2.3, §2.4).

use super::{Access, Setting, keyword_enum, view};
use crate::model::Tri;

keyword_enum! {
    /// `properties.endpointComputeType` of an online deployment.
    EndpointComputeType {
        /// Managed online deployment.
        Managed = "Managed",
        /// Kubernetes online deployment.
        Kubernetes = "Kubernetes",
        /// AzureML compute.
        AzureMlCompute = "AzureMLCompute",
    }
}

view! {
    /// An online endpoint of a workspace.
    OnlineEndpoint, ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints"]
}

impl<'a> OnlineEndpoint<'a> {
    /// `properties.publicNetworkAccess`; default `Enabled` (C4).
    pub fn public_network_access(&self) -> Setting<'a, Access> {
        self.props()
            .keyword("properties.publicNetworkAccess", Some(Access::Enabled))
    }

    /// `properties.authMode` (`AMLToken` | `Key` | `AADToken`).
    pub fn auth_mode(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.authMode")
    }

    /// `properties.compute`: the Kubernetes compute of a Kubernetes online endpoint.
    pub fn compute(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.compute")
    }

    /// Whether this is a managed online endpoint: one without `properties.compute` (§2.3).
    pub fn is_managed(&self) -> Tri {
        match self.compute() {
            Setting::Absent => Tri::True,
            Setting::Unknown(_) => Tri::Unknown,
            Setting::Set(_) | Setting::Default(_) => Tri::False,
        }
    }
}

view! {
    /// A deployment of an online endpoint.
    OnlineDeployment, ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"]
}

impl<'a> OnlineDeployment<'a> {
    /// `properties.egressPublicNetworkAccess`; default `Enabled` (C4).
    pub fn egress_public_network_access(&self) -> Setting<'a, Access> {
        self.props().keyword(
            "properties.egressPublicNetworkAccess",
            Some(Access::Enabled),
        )
    }

    /// `properties.endpointComputeType`.
    pub fn endpoint_compute_type(&self) -> Setting<'a, EndpointComputeType> {
        self.props().keyword("properties.endpointComputeType", None)
    }

    /// `properties.privateNetworkConnection` (only `2021-03-01-preview`).
    pub fn private_network_connection(&self) -> Setting<'a, bool> {
        self.props()
            .bool("properties.privateNetworkConnection", None)
    }
}
