//! The deployment context: scope ids and names that context functions (`subscription()`,
//! `resourceGroup()`, `deployment()`, `environment()`, ...) read.
//!
//! Defaults follow the Bicep test evaluator (reference §8): tenant, subscription and management
//! group `00000000-0000-0000-0000-000000000000`, resource group `DummyResourceGroup`, so
//! templates expand deterministically without Azure. The location is the exception: the Bicep
//! evaluator's `Dummy Location` is not a region, and a placeholder region is worse than none —
//! templates check it against `allowedValues` and look it up in region tables (the corpus'
//! `machine-learning-create-vnet` and the AVM AI platform baseline fail on it). Unless the caller
//! configures one, `resourceGroup().location` and `deployment().location` are unknown.

use serde::Deserialize;

use super::value::{Object, Value};

/// The all-zero GUID used as the default tenant, subscription and management group.
pub const PLACEHOLDER_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// The scope a template is deployed at (reference §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeploymentScope {
    /// `deploymentTemplate.json`.
    #[default]
    ResourceGroup,
    /// `subscriptionDeploymentTemplate.json`.
    Subscription,
    /// `managementGroupDeploymentTemplate.json`.
    ManagementGroup,
    /// `tenantDeploymentTemplate.json`.
    Tenant,
}

impl DeploymentScope {
    /// The scope selected by a template's `$schema` URL (last path segment, case-insensitive);
    /// `None` for an unrecognised schema.
    pub fn from_schema(schema: &str) -> Option<DeploymentScope> {
        let last = schema
            .trim_end_matches('#')
            .rsplit('/')
            .next()?
            .to_ascii_lowercase();
        match last.as_str() {
            "deploymenttemplate.json" => Some(DeploymentScope::ResourceGroup),
            "subscriptiondeploymenttemplate.json" => Some(DeploymentScope::Subscription),
            "managementgroupdeploymenttemplate.json" => Some(DeploymentScope::ManagementGroup),
            "tenantdeploymenttemplate.json" => Some(DeploymentScope::Tenant),
            _ => None,
        }
    }
}

/// Which Azure cloud `environment()` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
pub enum Cloud {
    /// Azure public cloud.
    #[default]
    AzureCloud,
    /// Azure operated by 21Vianet.
    AzureChinaCloud,
    /// Azure Government.
    AzureUSGovernment,
}

/// Values the context functions read. Every field has a default; deserialize with camelCase
/// keys (`{"subscriptionId": "...", "resourceGroup": "rg", "scope": "subscription"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentContext {
    /// The deployment scope. Default: resource group.
    pub scope: DeploymentScope,
    /// The cloud. Default: `AzureCloud`.
    pub cloud: Cloud,
    /// Tenant id. Default: [`PLACEHOLDER_GUID`].
    pub tenant_id: String,
    /// Subscription id. Default: [`PLACEHOLDER_GUID`].
    pub subscription_id: String,
    /// Subscription display name. Default: `Dummy Subscription`.
    pub subscription_display_name: String,
    /// Resource group name. Default: `DummyResourceGroup`.
    pub resource_group: String,
    /// Location of the resource group / deployment. Default: empty, meaning not configured:
    /// the location functions then return an unknown value.
    pub location: String,
    /// Management group name (id). Default: [`PLACEHOLDER_GUID`].
    pub management_group: String,
    /// Management group display name. Default: `Dummy Management Group`.
    pub management_group_display_name: String,
    /// Deployment name (`deployment().name`). Default: `deployment`.
    pub deployment_name: String,
    /// `deployment().properties.templateLink.uri` for a linked template; absent for local files.
    pub template_link_uri: Option<String>,
    /// `deployment().properties.templateLink.id` for a template spec.
    pub template_spec_id: Option<String>,
    /// Whether the template is languageVersion 2.0 (reduced `deployment()` shape).
    pub language_version_2: bool,
    /// Tenant country code (`tenant().countryCode`). Default: `US`.
    pub tenant_country_code: String,
    /// Tenant display name. Default: `Dummy Tenant`.
    pub tenant_display_name: String,
}

impl Default for DeploymentContext {
    fn default() -> Self {
        DeploymentContext {
            scope: DeploymentScope::ResourceGroup,
            cloud: Cloud::AzureCloud,
            tenant_id: PLACEHOLDER_GUID.into(),
            subscription_id: PLACEHOLDER_GUID.into(),
            subscription_display_name: "Dummy Subscription".into(),
            resource_group: "DummyResourceGroup".into(),
            location: String::new(),
            management_group: PLACEHOLDER_GUID.into(),
            management_group_display_name: "Dummy Management Group".into(),
            deployment_name: "deployment".into(),
            template_link_uri: None,
            template_spec_id: None,
            language_version_2: false,
            tenant_country_code: "US".into(),
            tenant_display_name: "Dummy Tenant".into(),
        }
    }
}

/// The endpoints `environment()` reports for one cloud.
struct CloudEndpoints {
    name: &'static str,
    gallery: &'static str,
    graph: &'static str,
    portal: &'static str,
    datalake: Option<&'static str>,
    batch: &'static str,
    media: &'static str,
    sql_management: &'static str,
    resource_manager: &'static str,
    login: &'static str,
    management_audience: &'static str,
    suffixes: &'static [(&'static str, &'static str)],
}

const AZURE_CLOUD: CloudEndpoints = CloudEndpoints {
    name: "AzureCloud",
    gallery: "https://gallery.azure.com/",
    graph: "https://graph.windows.net/",
    portal: "https://portal.azure.com",
    datalake: Some("https://datalake.azure.net/"),
    batch: "https://batch.core.windows.net/",
    media: "https://rest.media.azure.net",
    sql_management: "https://management.core.windows.net:8443/",
    resource_manager: "https://management.azure.com/",
    login: "https://login.microsoftonline.com/",
    management_audience: "https://management.core.windows.net/",
    suffixes: &[
        ("acrLoginServer", ".azurecr.io"),
        (
            "azureDatalakeAnalyticsCatalogAndJob",
            "azuredatalakeanalytics.net",
        ),
        ("azureDatalakeStoreFileSystem", "azuredatalakestore.net"),
        ("azureFrontDoorEndpointSuffix", "azurefd.net"),
        ("keyvaultDns", ".vault.azure.net"),
        ("sqlServerHostname", ".database.windows.net"),
        ("storage", "core.windows.net"),
    ],
};

const AZURE_CHINA_CLOUD: CloudEndpoints = CloudEndpoints {
    name: "AzureChinaCloud",
    gallery: "https://gallery.chinacloudapi.cn/",
    graph: "https://graph.chinacloudapi.cn/",
    portal: "https://portal.azure.cn",
    datalake: None,
    batch: "https://batch.chinacloudapi.cn/",
    media: "https://rest.media.chinacloudapi.cn",
    sql_management: "https://management.core.chinacloudapi.cn:8443/",
    resource_manager: "https://management.chinacloudapi.cn/",
    login: "https://login.chinacloudapi.cn/",
    management_audience: "https://management.core.chinacloudapi.cn/",
    suffixes: &[
        ("acrLoginServer", ".azurecr.cn"),
        ("azureFrontDoorEndpointSuffix", ""),
        ("keyvaultDns", ".vault.azure.cn"),
        ("sqlServerHostname", ".database.chinacloudapi.cn"),
        ("storage", "core.chinacloudapi.cn"),
    ],
};

const AZURE_US_GOVERNMENT: CloudEndpoints = CloudEndpoints {
    name: "AzureUSGovernment",
    gallery: "https://gallery.usgovcloudapi.net/",
    graph: "https://graph.windows.net/",
    portal: "https://portal.azure.us",
    datalake: None,
    batch: "https://batch.core.usgovcloudapi.net/",
    media: "https://rest.media.usgovcloudapi.net",
    sql_management: "https://management.core.usgovcloudapi.net:8443/",
    resource_manager: "https://management.usgovcloudapi.net/",
    login: "https://login.microsoftonline.us/",
    management_audience: "https://management.core.usgovcloudapi.net/",
    suffixes: &[
        ("acrLoginServer", ".azurecr.us"),
        ("azureFrontDoorEndpointSuffix", "azurefd.us"),
        ("keyvaultDns", ".vault.usgovcloudapi.net"),
        ("sqlServerHostname", ".database.usgovcloudapi.net"),
        ("storage", "core.usgovcloudapi.net"),
    ],
};

fn s(v: &str) -> Value {
    Value::string(v)
}

fn obj(members: &[(&str, Value)]) -> Value {
    let mut o = Object::with_capacity(members.len());
    for (k, v) in members {
        o.insert(*k, v.clone());
    }
    Value::object(o)
}

impl DeploymentContext {
    /// `/subscriptions/{id}`.
    pub fn subscription_resource_id(&self) -> String {
        format!("/subscriptions/{}", self.subscription_id)
    }
    /// `/subscriptions/{id}/resourceGroups/{rg}`.
    pub fn resource_group_resource_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription_id, self.resource_group
        )
    }
    /// `/providers/Microsoft.Management/managementGroups/{mg}`.
    pub fn management_group_resource_id(&self) -> String {
        format!(
            "/providers/Microsoft.Management/managementGroups/{}",
            self.management_group
        )
    }

    /// The value of `subscription()`.
    pub fn subscription_value(&self) -> Value {
        obj(&[
            ("id", s(&self.subscription_resource_id())),
            ("subscriptionId", s(&self.subscription_id)),
            ("tenantId", s(&self.tenant_id)),
            ("displayName", s(&self.subscription_display_name)),
        ])
    }

    /// The configured location, or an unknown value when none is configured.
    pub fn location_value(&self) -> Value {
        if self.location.is_empty() {
            Value::unknown(super::value::Provenance::reason(
                "the deployment's location is not configured (set `context.location`)",
            ))
        } else {
            s(&self.location)
        }
    }

    /// The value of `resourceGroup()`.
    pub fn resource_group_value(&self) -> Value {
        obj(&[
            ("id", s(&self.resource_group_resource_id())),
            ("name", s(&self.resource_group)),
            ("type", s("Microsoft.Resources/resourceGroups")),
            ("location", self.location_value()),
            ("properties", obj(&[("provisioningState", s("Succeeded"))])),
        ])
    }

    /// The value of `tenant()`.
    pub fn tenant_value(&self) -> Value {
        obj(&[
            ("id", s(&format!("/tenants/{}", self.tenant_id))),
            ("tenantId", s(&self.tenant_id)),
            ("countryCode", s(&self.tenant_country_code)),
            ("displayName", s(&self.tenant_display_name)),
        ])
    }

    /// The value of `managementGroup()`.
    pub fn management_group_value(&self) -> Value {
        obj(&[
            ("id", s(&self.management_group_resource_id())),
            ("name", s(&self.management_group)),
            (
                "type",
                s("/providers/Microsoft.Management/managementGroups"),
            ),
            (
                "properties",
                obj(&[
                    ("tenantId", s(&self.tenant_id)),
                    ("displayName", s(&self.management_group_display_name)),
                    (
                        "details",
                        obj(&[(
                            "parent",
                            obj(&[
                                (
                                    "id",
                                    s(&format!(
                                        "/providers/Microsoft.Management/managementGroups/{}",
                                        self.tenant_id
                                    )),
                                ),
                                ("name", s(&self.tenant_id)),
                                ("displayName", s("Tenant Root Group")),
                            ]),
                        )]),
                    ),
                ]),
            ),
        ])
    }

    /// The value of `deployment()` (reference §8.3); `template` is the template object when the
    /// caller has it (1.0 shape only).
    pub fn deployment_value(&self, template: Option<&Value>) -> Value {
        let mut props = Object::new();
        let mut link = Object::new();
        if let Some(u) = &self.template_link_uri {
            link.insert("uri", s(u));
        }
        if let Some(id) = &self.template_spec_id {
            link.insert("id", s(id));
        }
        if self.language_version_2 {
            props.insert("template", obj(&[("contentVersion", s("1.0.0.0"))]));
        } else {
            props.insert(
                "template",
                template
                    .cloned()
                    .unwrap_or_else(|| Value::object(Object::new())),
            );
            props.insert("templateHash", s("0"));
            props.insert("parameters", Value::object(Object::new()));
            props.insert("mode", s("Incremental"));
            props.insert("provisioningState", s("Accepted"));
        }
        if link.is_empty() {
            // A local file has no templateLink; ARM would fail here, but the usual
            // `uri(deployment().properties.templateLink.uri, ...)` idiom must stay analyzable,
            // so the link is unknown rather than missing (reference §8.3).
            props.insert(
                "templateLink",
                Value::unknown(super::value::Provenance::reason(
                    "deployment().properties.templateLink: the template was not deployed from a link",
                )),
            );
        } else {
            props.insert("templateLink", Value::object(link));
        }
        let mut o = Object::new();
        o.insert("name", s(&self.deployment_name));
        if self.language_version_2 || self.scope != DeploymentScope::ResourceGroup {
            o.insert("location", self.location_value());
        }
        o.insert("properties", Value::object(props));
        Value::object(o)
    }

    /// The value of `environment()` for the configured cloud (reference §8.4). The AzureCloud
    /// values are the documented ones; the sovereign-cloud values come from the Azure SDKs'
    /// cloud metadata (**unverified** against `environment()` output).
    pub fn environment_value(&self) -> Value {
        let e = match self.cloud {
            Cloud::AzureCloud => &AZURE_CLOUD,
            Cloud::AzureChinaCloud => &AZURE_CHINA_CLOUD,
            Cloud::AzureUSGovernment => &AZURE_US_GOVERNMENT,
        };
        let (name, gallery, graph, portal, datalake, batch, media, sqlm, rm, login, aud1, suffixes) = (
            e.name,
            e.gallery,
            e.graph,
            e.portal,
            e.datalake,
            e.batch,
            e.media,
            e.sql_management,
            e.resource_manager,
            e.login,
            e.management_audience,
            e.suffixes,
        );
        let mut sfx = Object::new();
        for (k, v) in suffixes {
            sfx.insert(*k, s(v));
        }
        let mut o = Object::new();
        o.insert("name", s(name));
        o.insert("gallery", s(gallery));
        o.insert("graph", s(graph));
        o.insert("portal", s(portal));
        o.insert("graphAudience", s(graph));
        if let Some(d) = datalake {
            o.insert("activeDirectoryDataLake", s(d));
        }
        o.insert("batch", s(batch));
        o.insert("media", s(media));
        o.insert("sqlManagement", s(sqlm));
        o.insert(
            "vmImageAliasDoc",
            s("https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json"),
        );
        o.insert("resourceManager", s(rm));
        o.insert(
            "authentication",
            obj(&[
                ("loginEndpoint", s(login)),
                ("audiences", Value::array(vec![s(aud1), s(rm)])),
                ("tenant", s("common")),
                ("identityProvider", s("AAD")),
            ]),
        );
        o.insert("suffixes", Value::object(sfx));
        Value::object(o)
    }
}
