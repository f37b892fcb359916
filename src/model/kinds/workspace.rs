//! `Microsoft.MachineLearningServices/workspaces` (§2.1).

use super::{Access, Cause, DefaultAction, Setting, api_at_least, keyword_enum, view};
use crate::expr::Value;
use crate::model::Tri;

keyword_enum! {
    /// `kind` of a workspace.
    WorkspaceKind {
        /// `Default`: a classic workspace.
        Default = "Default",
        /// `Hub`: an AI hub that projects share.
        Hub = "Hub",
        /// `Project`: a project of a hub (`properties.hubResourceId`).
        Project = "Project",
        /// `FeatureStore`.
        FeatureStore = "FeatureStore",
    }
}

keyword_enum! {
    /// `properties.managedNetwork.isolationMode`.
    IsolationMode {
        /// No managed network.
        Disabled = "Disabled",
        /// Managed network with internet egress.
        AllowInternetOutbound = "AllowInternetOutbound",
        /// Managed network, egress only to approved destinations.
        AllowOnlyApprovedOutbound = "AllowOnlyApprovedOutbound",
    }
}

impl IsolationMode {
    /// Whether this mode is a managed network (`MANAGED` of C5).
    pub fn is_managed(self) -> bool {
        self != IsolationMode::Disabled
    }
}

/// The API version from which an absent `v1LegacyMode` defaults to `false` (C4).
pub const V1_LEGACY_MODE_FALSE_FROM: &str = "2022-05-01";

view! {
    /// An Azure Machine Learning workspace (hub, project, feature store or classic).
    ///
    /// ```
    /// # use armgraph::model::kinds::Workspace;
    /// # fn show(resource: &armgraph::model::Resource) {
    /// if let Some(workspace) = Workspace::of(resource) {
    ///     println!("managed network: {:?}", workspace.isolation_mode());
    /// }
    /// # }
    /// ```
    Workspace, ["Microsoft.MachineLearningServices/workspaces"]
}

impl<'a> Workspace<'a> {
    /// `kind` (no default: the schema leaves it a free string).
    pub fn kind(&self) -> Setting<'a, WorkspaceKind> {
        self.props().keyword("kind", None)
    }

    /// `properties.hubResourceId`: the hub of a project workspace.
    pub fn hub_resource_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.hubResourceId")
    }

    /// `properties.publicNetworkAccess` as written (no default here: its effective value is
    /// `PNA_EFF` of C5, which needs the private endpoints; see the derived sets).
    pub fn public_network_access(&self) -> Setting<'a, Access> {
        self.props().keyword("properties.publicNetworkAccess", None)
    }

    /// `properties.allowPublicAccessWhenBehindVnet`, the legacy flag, as written: `PNA_EFF`
    /// distinguishes "unset" from `false`, so no default is filled in.
    pub fn allow_public_access_when_behind_vnet(&self) -> Setting<'a, bool> {
        self.props()
            .bool("properties.allowPublicAccessWhenBehindVnet", None)
    }

    /// `properties.v1LegacyMode` with the C4 creation default: `false` when the `apiVersion`
    /// (its `YYYY-MM-DD` prefix) is 2022-05-01 or later; for older versions `true` when the
    /// workspace has a private endpoint (`has_private_endpoint`, from `WS_PE`), `false` when it
    /// has none (the schema default), unknown when that is unknown.
    pub fn v1_legacy_mode(&self, has_private_endpoint: Tri) -> Setting<'a, bool> {
        let default = match api_at_least(self.resource, V1_LEGACY_MODE_FALSE_FROM) {
            Some(true) => Ok(false),
            Some(false) => has_private_endpoint.to_bool().ok_or(Cause::NoDefault(
                "the default of an apiVersion before 2022-05-01 depends on whether the workspace has a private endpoint, which is unknown",
            )),
            None => Err(Cause::NoDefault(
                "the default depends on the apiVersion, which is missing or malformed",
            )),
        };
        match (self.props().bool("properties.v1LegacyMode", None), default) {
            (Setting::Absent, Ok(value)) => Setting::Default(value),
            (Setting::Absent, Err(cause)) => Setting::Unknown(cause),
            (other, _) => other,
        }
    }

    /// `properties.managedNetwork.isolationMode`; default `Disabled` (no managed network).
    pub fn isolation_mode(&self) -> Setting<'a, IsolationMode> {
        self.props().keyword(
            "properties.managedNetwork.isolationMode",
            Some(IsolationMode::Disabled),
        )
    }

    /// `properties.managedNetwork.outboundRules`: rule name → rule object (the shape of
    /// [`super::OutboundRule`]'s `properties`). Absent is empty.
    pub fn managed_outbound_rules(&self) -> Setting<'a, Vec<(&'a str, &'a Value)>> {
        self.props().get(
            "properties.managedNetwork.outboundRules",
            Some(Vec::new()),
            |v| {
                v.as_object()
                    .map(|o| o.iter().map(|(k, v)| (k.as_ref(), v)).collect())
            },
        )
    }

    /// `properties.managedNetwork.firewallSku` (`Standard` | `Basic`).
    pub fn firewall_sku(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.managedNetwork.firewallSku")
    }

    /// `properties.managedNetwork.managedNetworkKind` (`V1` | `V2`).
    pub fn managed_network_kind(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.managedNetwork.managedNetworkKind")
    }

    /// `properties.provisionNetworkNow`.
    pub fn provision_network_now(&self) -> Setting<'a, bool> {
        self.props().bool("properties.provisionNetworkNow", None)
    }

    /// `properties.serverlessComputeSettings.serverlessComputeCustomSubnet`.
    pub fn serverless_compute_custom_subnet(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.serverlessComputeSettings.serverlessComputeCustomSubnet")
    }

    /// `properties.serverlessComputeSettings.serverlessComputeNoPublicIP`; default `false`.
    pub fn serverless_compute_no_public_ip(&self) -> Setting<'a, bool> {
        self.props().bool(
            "properties.serverlessComputeSettings.serverlessComputeNoPublicIP",
            Some(false),
        )
    }

    /// `properties.imageBuildCompute`: name of a compute of this workspace.
    pub fn image_build_compute(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.imageBuildCompute")
    }

    /// `properties.hbiWorkspace`.
    pub fn hbi_workspace(&self) -> Setting<'a, bool> {
        self.props().bool("properties.hbiWorkspace", Some(false))
    }

    /// `properties.storageAccount`: the default storage account id.
    pub fn storage_account(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.storageAccount")
    }

    /// `properties.keyVault`.
    pub fn key_vault(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.keyVault")
    }

    /// `properties.containerRegistry`.
    pub fn container_registry(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.containerRegistry")
    }

    /// `properties.applicationInsights`.
    pub fn application_insights(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.applicationInsights")
    }

    /// `properties.storageAccounts[*]` (preview versions).
    pub fn storage_accounts(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.storageAccounts")
    }

    /// `properties.keyVaults[*]` (preview versions).
    pub fn key_vaults(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.keyVaults")
    }

    /// `properties.containerRegistries[*]` (preview versions).
    pub fn container_registries(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.containerRegistries")
    }

    /// `properties.ipAllowlist[*]` (preview versions); absent is empty.
    pub fn ip_allowlist(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().strings("properties.ipAllowlist")
    }

    /// `properties.networkAcls.defaultAction` (preview versions); no default.
    pub fn network_acls_default_action(&self) -> Setting<'a, DefaultAction> {
        self.props()
            .keyword("properties.networkAcls.defaultAction", None)
    }

    /// `properties.networkAcls.ipRules[*].value` (preview versions); absent is empty.
    pub fn network_acls_ip_rules(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.networkAcls.ipRules")
            .map(|rules| {
                rules
                    .iter()
                    .map(|rule| super::item_path_string(rule, "value"))
                    .collect()
            })
    }

    /// `properties.primaryUserAssignedIdentity`.
    pub fn primary_user_assigned_identity(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.primaryUserAssignedIdentity")
    }

    /// `properties.encryption.keyVaultProperties.keyVaultArmId` (customer-managed key vault).
    pub fn encryption_key_vault(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.encryption.keyVaultProperties.keyVaultArmId")
    }
}
