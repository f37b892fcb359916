//! Aliases: the names Azure Policy gives payload properties
//! (`Microsoft.MachineLearningServices/workspaces/publicNetworkAccess` →
//! `properties.publicNetworkAccess`).
//!
//! Resolution order: a catalog the caller loaded (`--aliases FILE`, the JSON of
//! `az provider list --expand resourceTypes/aliases`), then the curated [`CURATED`] table of the
//! aliases the Machine Learning, Network, Storage, Key Vault and Container Registry built-ins use,
//! then the documented fallback mapping (rule A: strip the type and prefix `properties.` unless the
//! name starts with a top-level member; rule B: sub-resources inside arrays keep their settings
//! under their own `properties`, tried both ways; ML computes keep type-specific settings under
//! `properties.properties`). Guessed paths are marked so findings can say so.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::path::FieldPath;
use crate::error::Error;

/// One row of the curated table: alias name, the resource type whose payload the path belongs
/// to (`None`: the part of the name before the last `/`), and the default path.
pub type AliasRow = (&'static str, Option<&'static str>, &'static str);

/// The curated alias table, written by hand for the definitions armgraph evaluates.
pub const CURATED: &[AliasRow] = &[
    // Machine Learning workspaces.
    (
        "Microsoft.MachineLearningServices/workspaces/publicNetworkAccess",
        None,
        "properties.publicNetworkAccess",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/allowPublicAccessWhenBehindVnet",
        None,
        "properties.allowPublicAccessWhenBehindVnet",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/hbiWorkspace",
        None,
        "properties.hbiWorkspace",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/v1LegacyMode",
        None,
        "properties.v1LegacyMode",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/encryption.status",
        None,
        "properties.encryption.status",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/encryption.keyVaultProperties.keyIdentifier",
        None,
        "properties.encryption.keyVaultProperties.keyIdentifier",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/managedNetwork.isolationMode",
        None,
        "properties.managedNetwork.isolationMode",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/primaryUserAssignedIdentity",
        None,
        "properties.primaryUserAssignedIdentity",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections",
        None,
        "properties.privateEndpointConnections",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections[*]",
        None,
        "properties.privateEndpointConnections[*]",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections[*].privateLinkServiceConnectionState.status",
        None,
        "properties.privateEndpointConnections[*].properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections[*].privateEndpoint.id",
        None,
        "properties.privateEndpointConnections[*].properties.privateEndpoint.id",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/privateLinkServiceConnectionState.status",
        None,
        "properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/privateEndpoint.id",
        None,
        "properties.privateEndpoint.id",
    ),
    // Machine Learning computes: type-independent settings in `properties`, the rest one level down.
    (
        "Microsoft.MachineLearningServices/workspaces/computes/computeType",
        None,
        "properties.computeType",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/disableLocalAuth",
        None,
        "properties.disableLocalAuth",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/resourceId",
        None,
        "properties.resourceId",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/subnet.id",
        None,
        "properties.properties.subnet.id",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/vmSize",
        None,
        "properties.properties.vmSize",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/idleTimeBeforeShutdown",
        None,
        "properties.properties.idleTimeBeforeShutdown",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/remoteLoginPortPublicAccess",
        None,
        "properties.properties.remoteLoginPortPublicAccess",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/osImageMetadata.isLatestOsImageVersion",
        None,
        "properties.properties.osImageMetadata.isLatestOsImageVersion",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/scaleSettings.maxNodeCount",
        None,
        "properties.properties.scaleSettings.maxNodeCount",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/scaleSettings.minNodeCount",
        None,
        "properties.properties.scaleSettings.minNodeCount",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/scaleSettings.nodeIdleTimeBeforeScaleDown",
        None,
        "properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown",
    ),
    (
        "Microsoft.MachineLearningServices/workspaces/computes/enableNodePublicIp",
        None,
        "properties.properties.enableNodePublicIp",
    ),
    // Network.
    (
        "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]",
        None,
        "properties.privateLinkServiceConnections[*].properties.groupIds[*]",
    ),
    (
        "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].privateLinkServiceId",
        None,
        "properties.privateLinkServiceConnections[*].properties.privateLinkServiceId",
    ),
    (
        "Microsoft.Network/privateEndpoints/manualPrivateLinkServiceConnections[*].groupIds[*]",
        None,
        "properties.manualPrivateLinkServiceConnections[*].properties.groupIds[*]",
    ),
    (
        "Microsoft.Network/privateEndpoints/manualPrivateLinkServiceConnections[*].privateLinkServiceId",
        None,
        "properties.manualPrivateLinkServiceConnections[*].properties.privateLinkServiceId",
    ),
    (
        "Microsoft.Network/privateEndpoints/subnet.id",
        None,
        "properties.subnet.id",
    ),
    (
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups.privateDnsZoneConfigs[*].privateDnsZoneId",
        Some("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"),
        "properties.privateDnsZoneConfigs[*].properties.privateDnsZoneId",
    ),
    (
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/privateDnsZoneConfigs[*].privateDnsZoneId",
        None,
        "properties.privateDnsZoneConfigs[*].properties.privateDnsZoneId",
    ),
    (
        "Microsoft.Network/networkInterfaces/enableIpForwarding",
        None,
        "properties.enableIPForwarding",
    ),
    (
        "Microsoft.Network/networkInterfaces/ipconfigurations[*].publicIpAddress.id",
        None,
        "properties.ipConfigurations[*].properties.publicIPAddress.id",
    ),
    (
        "Microsoft.Network/networkInterfaces/ipconfigurations[*].subnet.id",
        None,
        "properties.ipConfigurations[*].properties.subnet.id",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*]",
        None,
        "properties.securityRules[*]",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/access",
        None,
        "properties.access",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/direction",
        None,
        "properties.direction",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/protocol",
        None,
        "properties.protocol",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/destinationPortRange",
        None,
        "properties.destinationPortRange",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/destinationPortRanges[*]",
        None,
        "properties.destinationPortRanges[*]",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/sourceAddressPrefix",
        None,
        "properties.sourceAddressPrefix",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules/sourceAddressPrefixes[*]",
        None,
        "properties.sourceAddressPrefixes[*]",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*].access",
        None,
        "properties.securityRules[*].properties.access",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*].direction",
        None,
        "properties.securityRules[*].properties.direction",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*].destinationPortRange",
        None,
        "properties.securityRules[*].properties.destinationPortRange",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*].destinationPortRanges[*]",
        None,
        "properties.securityRules[*].properties.destinationPortRanges[*]",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*].sourceAddressPrefix",
        None,
        "properties.securityRules[*].properties.sourceAddressPrefix",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/securityRules[*].sourceAddressPrefixes[*]",
        None,
        "properties.securityRules[*].properties.sourceAddressPrefixes[*]",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets[*]",
        None,
        "properties.subnets[*]",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets[*].defaultOutboundAccess",
        None,
        "properties.subnets[*].properties.defaultOutboundAccess",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets[*].networkSecurityGroup.id",
        None,
        "properties.subnets[*].properties.networkSecurityGroup.id",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets[*].serviceEndpoints[*].service",
        None,
        "properties.subnets[*].properties.serviceEndpoints[*].service",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets/defaultOutboundAccess",
        None,
        "properties.defaultOutboundAccess",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets/networkSecurityGroup.id",
        None,
        "properties.networkSecurityGroup.id",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets/serviceEndpoints[*].service",
        None,
        "properties.serviceEndpoints[*].service",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets/privateEndpointNetworkPolicies",
        None,
        "properties.privateEndpointNetworkPolicies",
    ),
    // Storage.
    (
        "Microsoft.Storage/storageAccounts/publicNetworkAccess",
        None,
        "properties.publicNetworkAccess",
    ),
    (
        "Microsoft.Storage/storageAccounts/allowBlobPublicAccess",
        None,
        "properties.allowBlobPublicAccess",
    ),
    (
        "Microsoft.Storage/storageAccounts/networkAcls.defaultAction",
        None,
        "properties.networkAcls.defaultAction",
    ),
    (
        "Microsoft.Storage/storageAccounts/networkAcls.ipRules[*]",
        None,
        "properties.networkAcls.ipRules[*]",
    ),
    (
        "Microsoft.Storage/storageAccounts/networkAcls.ipRules[*].value",
        None,
        "properties.networkAcls.ipRules[*].value",
    ),
    (
        "Microsoft.Storage/storageAccounts/networkAcls.virtualNetworkRules[*]",
        None,
        "properties.networkAcls.virtualNetworkRules[*]",
    ),
    (
        "Microsoft.Storage/storageAccounts/networkAcls.virtualNetworkRules[*].id",
        None,
        "properties.networkAcls.virtualNetworkRules[*].id",
    ),
    (
        "Microsoft.Storage/storageAccounts/privateEndpointConnections[*]",
        None,
        "properties.privateEndpointConnections[*]",
    ),
    (
        "Microsoft.Storage/storageAccounts/privateEndpointConnections[*].privateLinkServiceConnectionState.status",
        None,
        "properties.privateEndpointConnections[*].properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.Storage/storageAccounts/privateEndpointConnections/privateLinkServiceConnectionState.status",
        None,
        "properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.Storage/storageAccounts/enableBlobEncryption",
        None,
        "properties.encryption.services.blob.enabled",
    ),
    (
        "Microsoft.Storage/storageAccounts/minimumTlsVersion",
        None,
        "properties.minimumTlsVersion",
    ),
    (
        "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly",
        None,
        "properties.supportsHttpsTrafficOnly",
    ),
    // Key Vault: `sku` lives under `properties`.
    (
        "Microsoft.KeyVault/vaults/publicNetworkAccess",
        None,
        "properties.publicNetworkAccess",
    ),
    (
        "Microsoft.KeyVault/vaults/createMode",
        None,
        "properties.createMode",
    ),
    (
        "Microsoft.KeyVault/vaults/sku.name",
        None,
        "properties.sku.name",
    ),
    (
        "Microsoft.KeyVault/vaults/networkAcls.defaultAction",
        None,
        "properties.networkAcls.defaultAction",
    ),
    (
        "Microsoft.KeyVault/vaults/networkAcls.ipRules[*]",
        None,
        "properties.networkAcls.ipRules[*]",
    ),
    (
        "Microsoft.KeyVault/vaults/networkAcls.ipRules[*].value",
        None,
        "properties.networkAcls.ipRules[*].value",
    ),
    (
        "Microsoft.KeyVault/vaults/networkAcls.virtualNetworkRules[*].id",
        None,
        "properties.networkAcls.virtualNetworkRules[*].id",
    ),
    (
        "Microsoft.KeyVault/vaults/privateEndpointConnections[*]",
        None,
        "properties.privateEndpointConnections[*]",
    ),
    (
        "Microsoft.KeyVault/vaults/privateEndpointConnections[*].privateLinkServiceConnectionState.status",
        None,
        "properties.privateEndpointConnections[*].properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.KeyVault/vaults/privateEndpointConnections/privateLinkServiceConnectionState.status",
        None,
        "properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.KeyVault/vaults/enableSoftDelete",
        None,
        "properties.enableSoftDelete",
    ),
    (
        "Microsoft.KeyVault/vaults/enablePurgeProtection",
        None,
        "properties.enablePurgeProtection",
    ),
    (
        "Microsoft.KeyVault/vaults/enableRbacAuthorization",
        None,
        "properties.enableRbacAuthorization",
    ),
    // Container Registry.
    (
        "Microsoft.ContainerRegistry/registries/publicNetworkAccess",
        None,
        "properties.publicNetworkAccess",
    ),
    (
        "Microsoft.ContainerRegistry/registries/sku.name",
        None,
        "sku.name",
    ),
    (
        "Microsoft.ContainerRegistry/registries/adminUserEnabled",
        None,
        "properties.adminUserEnabled",
    ),
    (
        "Microsoft.ContainerRegistry/registries/networkRuleSet.defaultAction",
        None,
        "properties.networkRuleSet.defaultAction",
    ),
    (
        "Microsoft.ContainerRegistry/registries/networkRuleSet.virtualNetworkRules[*].action",
        None,
        "properties.networkRuleSet.virtualNetworkRules[*].action",
    ),
    (
        "Microsoft.ContainerRegistry/registries/networkRuleSet.ipRules[*].value",
        None,
        "properties.networkRuleSet.ipRules[*].value",
    ),
    (
        "Microsoft.ContainerRegistry/registries/privateEndpointConnections[*]",
        None,
        "properties.privateEndpointConnections[*]",
    ),
    (
        "Microsoft.ContainerRegistry/registries/privateEndpointConnections[*].privateLinkServiceConnectionState.status",
        None,
        "properties.privateEndpointConnections[*].properties.privateLinkServiceConnectionState.status",
    ),
    (
        "Microsoft.ContainerRegistry/registries/privateEndpointConnections/privateLinkServiceConnectionState.status",
        None,
        "properties.privateLinkServiceConnectionState.status",
    ),
    // Diagnostic settings (extension resources); the legacy names without `[*]` cross the array.
    (
        "Microsoft.Insights/diagnosticSettings/workspaceId",
        None,
        "properties.workspaceId",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/storageAccountId",
        None,
        "properties.storageAccountId",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/eventHubName",
        None,
        "properties.eventHubName",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/eventHubAuthorizationRuleId",
        None,
        "properties.eventHubAuthorizationRuleId",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs[*]",
        None,
        "properties.logs[*]",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs[*].enabled",
        None,
        "properties.logs[*].enabled",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs[*].category",
        None,
        "properties.logs[*].category",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs[*].categoryGroup",
        None,
        "properties.logs[*].categoryGroup",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs[*].retentionPolicy.days",
        None,
        "properties.logs[*].retentionPolicy.days",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs[*].retentionPolicy.enabled",
        None,
        "properties.logs[*].retentionPolicy.enabled",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/logs.enabled",
        None,
        "properties.logs[*].enabled",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/metrics.enabled",
        None,
        "properties.metrics[*].enabled",
    ),
    (
        "Microsoft.Insights/diagnosticSettings/metrics[*].enabled",
        None,
        "properties.metrics[*].enabled",
    ),
    // Defender for Cloud assessments (not deployable from a template; listed so they resolve).
    (
        "Microsoft.Security/assessments/status.code",
        None,
        "properties.status.code",
    ),
];

/// Members that sit at the top level of a payload (rule A).
const TOP_LEVEL: &[&str] = &[
    "sku",
    "kind",
    "identity",
    "tags",
    "location",
    "name",
    "type",
    "id",
    "zones",
    "plan",
    "extendedLocation",
    "managedBy",
    "etag",
];

/// ML compute settings that stay in the first `properties` level.
const COMPUTE_TOP: &[&str] = &[
    "computeType",
    "computeLocation",
    "description",
    "resourceId",
    "disableLocalAuth",
    "provisioningState",
    "isAttachedCompute",
];

const ML_COMPUTES: &str = "Microsoft.MachineLearningServices/workspaces/computes";

/// Where an alias points.
#[derive(Debug, Clone)]
pub enum AliasTarget {
    /// A payload path of the resource type `resource_type`.
    Path {
        /// The resource type whose payload has the path.
        resource_type: String,
        /// Candidate paths, best first (several only for guessed rule-B paths).
        paths: Vec<Arc<FieldPath>>,
        /// Paths that apply to specific API versions (from a loaded catalog).
        by_version: Vec<(Vec<String>, Arc<FieldPath>)>,
        /// Guessed by the fallback rules rather than found in a table.
        guessed: bool,
    },
    /// A resource-provider-mode (data-plane) alias: never present in a template.
    DataPlane,
}

/// A loaded alias: resource type, default path, and paths by API version.
type LoadedAlias = (String, String, Vec<(Vec<String>, String)>);

/// An alias catalog: loaded entries first, then the curated table, then the fallback rules.
#[derive(Debug, Clone, Default)]
pub struct AliasCatalog {
    loaded: HashMap<String, LoadedAlias>,
}

impl AliasCatalog {
    /// The curated table and the fallback rules only.
    pub fn builtin() -> AliasCatalog {
        AliasCatalog::default()
    }

    /// Reads the JSON that `az provider list --expand resourceTypes/aliases` (or
    /// `az provider show --namespace NS --expand resourceTypes/aliases`) writes.
    pub fn load_file(path: &Path) -> Result<AliasCatalog, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        AliasCatalog::from_json_str(&text).map_err(|message| Error::InvalidConfig {
            path: Some(path.to_path_buf()),
            message,
        })
    }

    /// Reads a provider listing from JSON text.
    pub fn from_json_str(text: &str) -> Result<AliasCatalog, String> {
        let parsed = crate::source::json::parse(text.strip_prefix('\u{feff}').unwrap_or(text));
        let Some(value) = parsed.value else {
            return Err("the alias file is not valid JSON".to_owned());
        };
        let providers: Vec<&serde_json::Value> = match &value {
            serde_json::Value::Array(items) => items.iter().collect(),
            serde_json::Value::Object(o) if o.contains_key("value") => o
                .get("value")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            other => vec![other],
        };
        let mut catalog = AliasCatalog::default();
        for provider in providers {
            let namespace = provider
                .get("namespace")
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            let types = provider
                .get("resourceTypes")
                .and_then(|t| t.as_array())
                .map(Vec::as_slice)
                .unwrap_or_default();
            for resource_type in types {
                let short = resource_type
                    .get("resourceType")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default();
                let full = format!("{namespace}/{short}");
                let aliases = resource_type
                    .get("aliases")
                    .and_then(|a| a.as_array())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                for alias in aliases {
                    let Some(name) = alias.get("name").and_then(|n| n.as_str()) else {
                        continue;
                    };
                    let mut by_version = Vec::new();
                    for p in alias
                        .get("paths")
                        .and_then(|p| p.as_array())
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        if let (Some(path), Some(versions)) = (
                            p.get("path").and_then(|x| x.as_str()),
                            p.get("apiVersions").and_then(|x| x.as_array()),
                        ) {
                            let versions = versions
                                .iter()
                                .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                                .collect();
                            by_version.push((versions, path.to_owned()));
                        }
                    }
                    let default = alias
                        .get("defaultPath")
                        .and_then(|d| d.as_str())
                        .map(str::to_owned)
                        .or_else(|| by_version.first().map(|(_, p)| p.clone()));
                    if let Some(default) = default {
                        catalog.loaded.insert(
                            name.to_ascii_lowercase(),
                            (full.clone(), default, by_version),
                        );
                    }
                }
            }
        }
        if catalog.loaded.is_empty() {
            return Err("the alias file lists no aliases (expected the output of `az provider list --expand resourceTypes/aliases`)".to_owned());
        }
        Ok(catalog)
    }

    /// Number of aliases loaded from a file.
    pub fn loaded_len(&self) -> usize {
        self.loaded.len()
    }

    /// Resolves an alias name (case-insensitive). `Err` when its path cannot be compiled.
    pub fn resolve(&self, alias: &str) -> Result<AliasTarget, String> {
        let key = alias.to_ascii_lowercase();
        let (type_part, _) = split_alias(alias);
        if type_part
            .split('/')
            .next()
            .is_some_and(|ns| ns.to_ascii_lowercase().ends_with(".data"))
        {
            return Ok(AliasTarget::DataPlane);
        }
        if let Some((resource_type, default, versions)) = self.loaded.get(&key) {
            let mut by_version = Vec::new();
            for (v, p) in versions {
                by_version.push((v.clone(), Arc::new(FieldPath::parse(p)?)));
            }
            return Ok(AliasTarget::Path {
                resource_type: resource_type.clone(),
                paths: vec![Arc::new(FieldPath::parse(default)?)],
                by_version,
                guessed: false,
            });
        }
        if let Some((name, applies, path)) = CURATED
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(alias))
        {
            return Ok(AliasTarget::Path {
                resource_type: applies.unwrap_or(split_alias(name).0).to_owned(),
                paths: vec![Arc::new(FieldPath::parse(path)?)],
                by_version: Vec::new(),
                guessed: false,
            });
        }
        let guesses = guess_paths(alias);
        let mut paths = Vec::new();
        for g in guesses {
            paths.push(Arc::new(FieldPath::parse(&g)?));
        }
        Ok(AliasTarget::Path {
            resource_type: type_part.to_owned(),
            paths,
            by_version: Vec::new(),
            guessed: true,
        })
    }
}

/// `Microsoft.X/type/prop.sub` → (`Microsoft.X/type`, `prop.sub`).
pub fn split_alias(alias: &str) -> (&str, &str) {
    match alias.rfind('/') {
        Some(i) => (&alias[..i], &alias[i + 1..]),
        None => ("", alias),
    }
}

/// The fallback mapping (rules A and B and the ML compute exception), best guess first.
pub fn guess_paths(alias: &str) -> Vec<String> {
    let (resource_type, property) = split_alias(alias);
    let first = property
        .split(['.', '['])
        .next()
        .unwrap_or_default()
        .to_owned();
    let base = if resource_type.eq_ignore_ascii_case(ML_COMPUTES) {
        if COMPUTE_TOP.iter().any(|t| t.eq_ignore_ascii_case(&first)) {
            format!("properties.{property}")
        } else {
            format!("properties.properties.{property}")
        }
    } else if TOP_LEVEL.iter().any(|t| t.eq_ignore_ascii_case(&first)) {
        property.to_owned()
    } else {
        format!("properties.{property}")
    };
    if base.contains("[*].") {
        // Rule B: array members that are sub-resources keep settings under `properties`.
        let wrapped = base.replace("[*].", "[*].properties.");
        vec![wrapped, base]
    } else {
        vec![base]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curated_aliases_resolve_ignoring_case() {
        let catalog = AliasCatalog::builtin();
        let AliasTarget::Path { paths, guessed, .. } = catalog
            .resolve("microsoft.machinelearningservices/workspaces/computes/SUBNET.id")
            .unwrap()
        else {
            panic!("a path")
        };
        assert!(!guessed);
        assert_eq!(paths[0].text(), "properties.properties.subnet.id");
    }

    #[test]
    fn fallback_rules() {
        assert_eq!(
            guess_paths("Microsoft.ContainerRegistry/registries/networkRuleSet.defaultAction"),
            ["properties.networkRuleSet.defaultAction"]
        );
        assert_eq!(guess_paths("Microsoft.Foo/bars/sku.tier"), ["sku.tier"]);
        assert_eq!(
            guess_paths("Microsoft.Foo/bars/items[*].x"),
            ["properties.items[*].properties.x", "properties.items[*].x"]
        );
        assert_eq!(
            guess_paths("Microsoft.MachineLearningServices/workspaces/computes/vmPriority"),
            ["properties.properties.vmPriority"]
        );
        assert!(matches!(
            AliasCatalog::builtin()
                .resolve("Microsoft.MachineLearningServices.Data/workspaces/computeType")
                .unwrap(),
            AliasTarget::DataPlane
        ));
    }

    #[test]
    fn provider_listing_is_read() {
        let catalog = AliasCatalog::from_json_str(
            r#"[{"namespace":"Microsoft.Foo","resourceTypes":[{"resourceType":"bars","aliases":[
                {"name":"Microsoft.Foo/bars/x","paths":[{"path":"properties.oldX","apiVersions":["2020-01-01"]}],"defaultPath":"properties.x"}]}]}]"#,
        )
        .unwrap();
        assert_eq!(catalog.loaded_len(), 1);
        let AliasTarget::Path {
            paths, by_version, ..
        } = catalog.resolve("microsoft.foo/bars/X").unwrap()
        else {
            panic!()
        };
        assert_eq!(paths[0].text(), "properties.x");
        assert_eq!(by_version[0].1.text(), "properties.oldX");
    }
}
