//! Associated resources of a workspace (§2.12): storage accounts, key vaults, container
//! registries, Application Insights, Azure Monitor private link scopes.

use super::{Access, DefaultAction, Props, Setting, item_path_string, keyword_enum, view};
use crate::model::Tri;

/// The `AzureServices` bypass value.
const AZURE_SERVICES: &str = "AzureServices";

/// `properties.networkAcls` of a storage account or key vault, with the C4 defaults: no
/// firewall (`defaultAction` `Allow`) and the `AzureServices` bypass when absent.
#[derive(Debug, Clone, Copy)]
pub struct NetworkAcls<'a> {
    props: Props<'a>,
}

impl<'a> NetworkAcls<'a> {
    /// `defaultAction`; default `Allow`.
    pub fn default_action(&self) -> Setting<'a, DefaultAction> {
        self.props.keyword(
            "properties.networkAcls.defaultAction",
            Some(DefaultAction::Allow),
        )
    }

    /// `bypass` (a comma-separated list such as `AzureServices, Logging`); default
    /// `AzureServices`.
    pub fn bypass(&self) -> Setting<'a, &'a str> {
        match self.props.string("properties.networkAcls.bypass") {
            Setting::Absent => Setting::Default(AZURE_SERVICES),
            other => other,
        }
    }

    /// Whether the effective bypass lets trusted Azure services through.
    pub fn bypasses_azure_services(&self) -> Tri {
        self.bypass().test(|list| {
            list.split(',')
                .any(|item| item.trim().eq_ignore_ascii_case(AZURE_SERVICES))
        })
    }

    /// `virtualNetworkRules[*].id`.
    pub fn virtual_network_rule_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props
            .list("properties.networkAcls.virtualNetworkRules")
            .map(|items| items.iter().map(|r| item_path_string(r, "id")).collect())
    }

    /// `ipRules[*].value`.
    pub fn ip_rules(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props
            .list("properties.networkAcls.ipRules")
            .map(|items| items.iter().map(|r| item_path_string(r, "value")).collect())
    }

    /// `resourceAccessRules[*]` as (`tenantId`, `resourceId`) pairs (storage accounts).
    pub fn resource_access_rules(
        &self,
    ) -> Setting<'a, Vec<(Setting<'a, &'a str>, Setting<'a, &'a str>)>> {
        self.props
            .list("properties.networkAcls.resourceAccessRules")
            .map(|items| {
                items
                    .iter()
                    .map(|r| {
                        (
                            item_path_string(r, "tenantId"),
                            item_path_string(r, "resourceId"),
                        )
                    })
                    .collect()
            })
    }
}

/// `RESTRICTED(r)` from a public-access setting and an effective default action: `Disabled`
/// access or a `Deny` default. Unknown parts stay unknown unless the other part decides.
fn restricted(access: Setting<'_, Access>, action: Setting<'_, DefaultAction>) -> Tri {
    access
        .is(&Access::Disabled)
        .or(action.is(&DefaultAction::Deny))
}

view! {
    /// A storage account.
    StorageAccount, ["Microsoft.Storage/storageAccounts"]
}

impl<'a> StorageAccount<'a> {
    /// `properties.publicNetworkAccess` (no default in C4; absent is not `Disabled`).
    pub fn public_network_access(&self) -> Setting<'a, Access> {
        self.props().keyword("properties.publicNetworkAccess", None)
    }

    /// `properties.networkAcls`.
    pub fn network_acls(&self) -> NetworkAcls<'a> {
        NetworkAcls {
            props: self.props(),
        }
    }

    /// `RESTRICTED` of C5: public access `Disabled`, or the effective default action `Deny`.
    pub fn restricted(&self) -> Tri {
        restricted(
            self.public_network_access(),
            self.network_acls().default_action(),
        )
    }
}

view! {
    /// A key vault.
    KeyVault, ["Microsoft.KeyVault/vaults"]
}

impl<'a> KeyVault<'a> {
    /// `properties.publicNetworkAccess` (no default in C4).
    pub fn public_network_access(&self) -> Setting<'a, Access> {
        self.props().keyword("properties.publicNetworkAccess", None)
    }

    /// `properties.networkAcls`.
    pub fn network_acls(&self) -> NetworkAcls<'a> {
        NetworkAcls {
            props: self.props(),
        }
    }

    /// `RESTRICTED` of C5: public access `Disabled`, or the effective default action `Deny`.
    pub fn restricted(&self) -> Tri {
        restricted(
            self.public_network_access(),
            self.network_acls().default_action(),
        )
    }
}

view! {
    /// A container registry.
    ContainerRegistry, ["Microsoft.ContainerRegistry/registries"]
}

impl<'a> ContainerRegistry<'a> {
    /// `sku.name`.
    pub fn sku(&self) -> Setting<'a, &'a str> {
        self.props().string("sku.name")
    }

    /// `properties.publicNetworkAccess`; default `Enabled` (C4).
    pub fn public_network_access(&self) -> Setting<'a, Access> {
        self.props()
            .keyword("properties.publicNetworkAccess", Some(Access::Enabled))
    }

    /// `properties.networkRuleSet.defaultAction`; default `Allow` (C4).
    pub fn network_rule_set_default_action(&self) -> Setting<'a, DefaultAction> {
        self.props().keyword(
            "properties.networkRuleSet.defaultAction",
            Some(DefaultAction::Allow),
        )
    }

    /// `properties.networkRuleBypassOptions`; default `AzureServices` (C4).
    pub fn network_rule_bypass_options(&self) -> Setting<'a, &'a str> {
        match self.props().string("properties.networkRuleBypassOptions") {
            Setting::Absent => Setting::Default(AZURE_SERVICES),
            other => other,
        }
    }

    /// `RESTRICTED` of C5: public access `Disabled`, or the effective default action `Deny`.
    pub fn restricted(&self) -> Tri {
        restricted(
            self.public_network_access(),
            self.network_rule_set_default_action(),
        )
    }
}

view! {
    /// An Application Insights component (read for its `location`).
    ApplicationInsights, ["Microsoft.Insights/components"]
}

keyword_enum! {
    /// An access mode of an Azure Monitor private link scope.
    AccessMode {
        /// Public and private traffic.
        Open = "Open",
        /// Private traffic only.
        PrivateOnly = "PrivateOnly",
    }
}

view! {
    /// An Azure Monitor private link scope.
    MonitorPrivateLinkScope, ["Microsoft.Insights/privateLinkScopes"]
}

impl<'a> MonitorPrivateLinkScope<'a> {
    /// `properties.accessModeSettings.ingestionAccessMode` (no default in C4).
    pub fn ingestion_access_mode(&self) -> Setting<'a, AccessMode> {
        self.props()
            .keyword("properties.accessModeSettings.ingestionAccessMode", None)
    }

    /// `properties.accessModeSettings.queryAccessMode` (no default in C4).
    pub fn query_access_mode(&self) -> Setting<'a, AccessMode> {
        self.props()
            .keyword("properties.accessModeSettings.queryAccessMode", None)
    }
}

view! {
    /// A scoped resource of an Azure Monitor private link scope.
    ScopedResource, ["Microsoft.Insights/privateLinkScopes/scopedResources"]
}

impl<'a> ScopedResource<'a> {
    /// `properties.linkedResourceId`.
    pub fn linked_resource_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.linkedResourceId")
    }
}
