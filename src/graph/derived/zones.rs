//! `ZONES(cloud, groupId)` (§1.4 C5) from the table of §3.1, and the valid group ids of §3.2.

use crate::expr::Cloud;

/// The private DNS zones an endpoint of one group id needs in one cloud (§3.1).
///
/// Names may hold the placeholders `{region}` (any normalised region label) and `{subzone}`
/// (any single label); [`zone_name_matches`] compares a concrete zone name with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ZoneRequirement {
    /// Every one of these must be referenced by the endpoint's zone group.
    pub required: &'static [&'static str],
    /// These may be referenced, never required.
    pub optional: &'static [&'static str],
    /// From each of these sets exactly one member must be referenced.
    pub one_of: &'static [&'static [&'static str]],
    /// The names come from public templates, not from Microsoft's zone table: rules report on
    /// them at warning at most.
    pub community: bool,
}

impl ZoneRequirement {
    /// Whether §3.1 lists no zone for the group id in this cloud (the rules then skip it).
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.optional.is_empty() && self.one_of.is_empty()
    }

    /// Every name or pattern of the requirement: required, optional and one-of.
    pub fn all_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.required
            .iter()
            .chain(self.optional)
            .chain(self.one_of.iter().flat_map(|set| set.iter()))
            .copied()
    }

    /// Whether `zone_name` is one of the requirement's names (patterns included).
    pub fn names(&self, zone_name: &str) -> bool {
        self.all_names()
            .any(|pattern| zone_name_matches(pattern, zone_name))
    }
}

const NONE: ZoneRequirement = ZoneRequirement {
    required: &[],
    optional: &[],
    one_of: &[],
    community: false,
};

const fn required(names: &'static [&'static str]) -> ZoneRequirement {
    ZoneRequirement {
        required: names,
        optional: &[],
        one_of: &[],
        community: false,
    }
}

/// One row of §3.1: the group ids, then the requirement in AzureCloud, AzureChinaCloud and
/// AzureUSGovernment.
type Row = (&'static [&'static str], [ZoneRequirement; 3]);

const TABLE: &[Row] = &[
    (
        &["amlworkspace"],
        [
            required(&[
                "privatelink.api.azureml.ms",
                "privatelink.notebooks.azure.net",
            ]),
            required(&[
                "privatelink.api.ml.azure.cn",
                "privatelink.notebooks.chinacloudapi.cn",
            ]),
            required(&[
                "privatelink.api.ml.azure.us",
                "privatelink.notebooks.usgovcloudapi.net",
            ]),
        ],
    ),
    (
        &["amlregistry"],
        [required(&["privatelink.api.azureml.ms"]), NONE, NONE],
    ),
    (
        &["blob", "blob_secondary"],
        [
            required(&["privatelink.blob.core.windows.net"]),
            required(&["privatelink.blob.core.chinacloudapi.cn"]),
            required(&["privatelink.blob.core.usgovcloudapi.net"]),
        ],
    ),
    (
        &["file"],
        [
            required(&["privatelink.file.core.windows.net"]),
            required(&["privatelink.file.core.chinacloudapi.cn"]),
            required(&["privatelink.file.core.usgovcloudapi.net"]),
        ],
    ),
    (
        &["queue", "queue_secondary"],
        [
            required(&["privatelink.queue.core.windows.net"]),
            required(&["privatelink.queue.core.chinacloudapi.cn"]),
            required(&["privatelink.queue.core.usgovcloudapi.net"]),
        ],
    ),
    (
        &["table", "table_secondary"],
        [
            required(&["privatelink.table.core.windows.net"]),
            required(&["privatelink.table.core.chinacloudapi.cn"]),
            required(&["privatelink.table.core.usgovcloudapi.net"]),
        ],
    ),
    (
        &["dfs", "dfs_secondary"],
        [
            required(&["privatelink.dfs.core.windows.net"]),
            required(&["privatelink.dfs.core.chinacloudapi.cn"]),
            required(&["privatelink.dfs.core.usgovcloudapi.net"]),
        ],
    ),
    (
        &["web", "web_secondary"],
        [
            required(&["privatelink.web.core.windows.net"]),
            required(&["privatelink.web.core.chinacloudapi.cn"]),
            required(&["privatelink.web.core.usgovcloudapi.net"]),
        ],
    ),
    (
        &["vault"],
        [
            required(&["privatelink.vaultcore.azure.net"]),
            required(&["privatelink.vaultcore.azure.cn"]),
            required(&["privatelink.vaultcore.usgovcloudapi.net"]),
        ],
    ),
    (
        &["registry"],
        [
            ZoneRequirement {
                required: &["privatelink.azurecr.io"],
                optional: &[
                    "{region}.data.privatelink.azurecr.io",
                    "{region}.privatelink.azurecr.io",
                ],
                one_of: &[],
                community: false,
            },
            ZoneRequirement {
                required: &["privatelink.azurecr.cn"],
                optional: &[],
                one_of: &[],
                community: true,
            },
            ZoneRequirement {
                required: &["privatelink.azurecr.us"],
                optional: &["{region}.privatelink.azurecr.us"],
                one_of: &[],
                community: false,
            },
        ],
    ),
    (
        &["azuremonitor"],
        [
            required(&[
                "privatelink.monitor.azure.com",
                "privatelink.oms.opinsights.azure.com",
                "privatelink.ods.opinsights.azure.com",
                "privatelink.agentsvc.azure-automation.net",
                "privatelink.blob.core.windows.net",
            ]),
            NONE,
            required(&[
                "privatelink.monitor.azure.us",
                "privatelink.adx.monitor.azure.us",
                "privatelink.oms.opinsights.azure.us",
                "privatelink.ods.opinsights.azure.us",
                "privatelink.agentsvc.azure-automation.us",
                "privatelink.blob.core.usgovcloudapi.net",
            ]),
        ],
    ),
    (
        &["databricks_ui_api", "browser_authentication"],
        [required(&["privatelink.azuredatabricks.net"]), NONE, NONE],
    ),
    (
        &["management"],
        [
            ZoneRequirement {
                required: &[],
                optional: &[],
                one_of: &[&[
                    "privatelink.{region}.azmk8s.io",
                    "{subzone}.privatelink.{region}.azmk8s.io",
                ]],
                community: false,
            },
            NONE,
            NONE,
        ],
    ),
];

/// `ZONES(cloud, groupId)`: the zones §3.1 lists for a group id (compared ignoring case) in a
/// cloud; empty for group ids and clouds it does not list.
///
/// ```
/// use armgraph::expr::Cloud;
/// use armgraph::graph::zones;
/// let aml = zones(Cloud::AzureUSGovernment, "AMLWorkspace");
/// assert_eq!(
///     aml.required,
///     ["privatelink.api.ml.azure.us", "privatelink.notebooks.usgovcloudapi.net"]
/// );
/// assert!(zones(Cloud::AzureCloud, "account").is_empty());
/// ```
pub fn zones(cloud: Cloud, group_id: &str) -> ZoneRequirement {
    let column = match cloud {
        Cloud::AzureCloud => 0,
        Cloud::AzureChinaCloud => 1,
        Cloud::AzureUSGovernment => 2,
    };
    TABLE
        .iter()
        .find(|(groups, _)| groups.iter().any(|g| g.eq_ignore_ascii_case(group_id)))
        .map_or(NONE, |(_, by_cloud)| by_cloud[column])
}

/// Whether a zone name matches a name of §3.1, ignoring case (C1); `{region}` and `{subzone}`
/// match any single non-empty label.
///
/// ```
/// use armgraph::graph::zone_name_matches;
/// assert!(zone_name_matches("{region}.data.privatelink.azurecr.io", "westeurope.data.privatelink.azurecr.io"));
/// assert!(!zone_name_matches("privatelink.{region}.azmk8s.io", "privatelink.azmk8s.io"));
/// ```
pub fn zone_name_matches(pattern: &str, zone_name: &str) -> bool {
    let zone_name = zone_name.trim_end_matches('.');
    let mut wanted = pattern.split('.');
    let mut found = zone_name.split('.');
    loop {
        match (wanted.next(), found.next()) {
            (None, None) => return true,
            (Some(w), Some(f)) => {
                let placeholder = w == "{region}" || w == "{subzone}";
                let ok = if placeholder {
                    !f.is_empty()
                } else {
                    w.eq_ignore_ascii_case(f)
                };
                if !ok {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The public zones a custom DNS server must conditionally forward to Azure DNS (168.63.129.16)
/// for a workspace private endpoint (§3.1, "forwarders"), for the info messages of AML-DNS-011.
/// Where the sources disagree on the compute-instance zone, both names are listed.
///
/// ```
/// use armgraph::expr::Cloud;
/// use armgraph::graph::aml_forwarders;
/// assert!(aml_forwarders(Cloud::AzureUSGovernment).contains(&"api.ml.azure.us"));
/// ```
pub fn aml_forwarders(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::AzureCloud => &[
            "api.azureml.ms",
            "notebooks.azure.net",
            "instances.azureml.ms",
            // Newer docs name this zone instead.
            "instances.ml.azure.ms",
            "aznbcontent.net",
            "inference.ml.azure.com",
        ],
        Cloud::AzureChinaCloud => &[
            "api.ml.azure.cn",
            "notebooks.chinacloudapi.cn",
            // [pe-dns]; [custom-dns] says `instances.ml.azure.ms`.
            "instances.azureml.cn",
            "instances.ml.azure.ms",
            "aznbcontent.net",
            "inference.ml.azure.cn",
        ],
        Cloud::AzureUSGovernment => &[
            "api.ml.azure.us",
            "notebooks.usgovcloudapi.net",
            // [pe-dns]; [custom-dns] says `instances.ml.azure.us`.
            "instances.azureml.us",
            "instances.ml.azure.us",
            "aznbcontent.net",
            "inference.ml.azure.us",
        ],
    }
}

/// The valid group ids of a private-link target type (§3.2), when §3.2 lists the type.
///
/// ```
/// use armgraph::graph::valid_group_ids;
/// assert_eq!(valid_group_ids("microsoft.keyvault/vaults"), Some(&["vault"][..]));
/// ```
pub fn valid_group_ids(target_type: &str) -> Option<&'static [&'static str]> {
    const GROUPS: &[(&str, &[&str])] = &[
        (
            "Microsoft.MachineLearningServices/workspaces",
            &["amlworkspace"],
        ),
        (
            "Microsoft.MachineLearningServices/registries",
            &["amlregistry"],
        ),
        (
            "Microsoft.Storage/storageAccounts",
            &[
                "blob",
                "blob_secondary",
                "file",
                "queue",
                "queue_secondary",
                "table",
                "table_secondary",
                "dfs",
                "dfs_secondary",
                "web",
                "web_secondary",
            ],
        ),
        ("Microsoft.KeyVault/vaults", &["vault"]),
        ("Microsoft.ContainerRegistry/registries", &["registry"]),
        ("Microsoft.Insights/privateLinkScopes", &["azuremonitor"]),
        (
            "Microsoft.Databricks/workspaces",
            &["databricks_ui_api", "browser_authentication"],
        ),
        (
            "Microsoft.ContainerService/managedClusters",
            &["management"],
        ),
    ];
    GROUPS
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(target_type))
        .map(|(_, groups)| *groups)
}

/// Whether `zone_name` is a private-link zone of §3.1 in `cloud`, for any group id (C1): the
/// zones whose records private endpoints write, as opposed to zones a customer names freely.
///
/// ```
/// use armgraph::expr::Cloud;
/// use armgraph::graph::private_link_zone;
/// assert!(private_link_zone(Cloud::AzureCloud, "privatelink.blob.core.windows.net"));
/// assert!(!private_link_zone(Cloud::AzureCloud, "corp.contoso.com"));
/// ```
pub fn private_link_zone(cloud: Cloud, zone_name: &str) -> bool {
    TABLE
        .iter()
        .any(|(groups, _)| groups.iter().any(|g| zones(cloud, g).names(zone_name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_of_section_3_2_has_a_row_in_azure_cloud() {
        for target in [
            "Microsoft.MachineLearningServices/workspaces",
            "Microsoft.MachineLearningServices/registries",
            "Microsoft.Storage/storageAccounts",
            "Microsoft.KeyVault/vaults",
            "Microsoft.ContainerRegistry/registries",
            "Microsoft.Insights/privateLinkScopes",
            "Microsoft.Databricks/workspaces",
            "Microsoft.ContainerService/managedClusters",
        ] {
            for group in valid_group_ids(target).unwrap_or_default() {
                assert!(!zones(Cloud::AzureCloud, group).is_empty(), "{group}");
            }
        }
    }

    #[test]
    fn sovereign_gaps_and_community_rows() {
        assert!(zones(Cloud::AzureChinaCloud, "amlregistry").is_empty());
        assert!(zones(Cloud::AzureChinaCloud, "azuremonitor").is_empty());
        assert!(zones(Cloud::AzureUSGovernment, "management").is_empty());
        assert!(zones(Cloud::AzureChinaCloud, "registry").community);
        assert!(!zones(Cloud::AzureCloud, "registry").community);
        let aks = zones(Cloud::AzureCloud, "management");
        assert!(aks.required.is_empty());
        assert!(aks.names("abc.privatelink.westeurope.azmk8s.io"));
        assert!(aks.names("privatelink.westeurope.azmk8s.io"));
        assert!(!aks.names("privatelink.azmk8s.io"));
        assert_eq!(
            zones(Cloud::AzureCloud, "blob_secondary"),
            zones(Cloud::AzureCloud, "BLOB")
        );
    }
}
