use super::mvn_support::declared_rules;
use super::support::node_name;
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, NodeId};
use crate::model::kinds::{IsolationMode, OutboundRuleKind, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Storage endpoint labels that come before the cloud suffix (`<account>.blob.core.windows.net`).
const STORAGE_SERVICES: [&str; 6] = ["blob", "file", "dfs", "queue", "table", "web"];

/// The storage DNS suffixes of the three clouds (C3).
const STORAGE_SUFFIXES: [&str; 3] = [
    "core.windows.net",
    "core.chinacloudapi.cn",
    "core.usgovcloudapi.net",
];

/// The storage account resource type.
const STORAGE_TYPE: &str = "Microsoft.Storage/storageAccounts";

crate::declare_rule! {
    /// ## What it does
    /// Checks that no `FQDN` outbound rule of an `AllowOnlyApprovedOutbound` managed network
    /// names an Azure Storage host (`<account>.blob.`, `.file.`, `.dfs.`, `.queue.`, `.table.` or
    /// `.web.` followed by `core.windows.net`, `core.chinacloudapi.cn` or
    /// `core.usgovcloudapi.net`). It is an error when the account is one the template deploys or
    /// references, or the workspace's default storage; a warning for other storage hosts, such
    /// as `*.blob.core.windows.net`.
    ///
    /// ## Why is this bad?
    /// Approved-outbound mode does not allow Azure Storage through FQDN rules: storage is
    /// reached through private endpoint rules, so the rule does not give the managed computes
    /// access to the account. The documentation nevertheless prescribes
    /// `vscode.blob.core.windows.net` for Visual Studio Code, so storage hosts the template does
    /// not own are only a warning (AML-MVN-006).
    ///
    /// ## Example
    /// ```json
    /// "data-blob": { "type": "FQDN", "destination": "stcontosodata.blob.core.windows.net" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "data-blob": {
    ///   "type": "PrivateEndpoint",
    ///   "destination": {
    ///     "serviceResourceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontosodata')]",
    ///     "subresourceTarget": "blob"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: limitations (no FQDN rules to Azure Storage)](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#limitations)
    pub struct FqdnRuleToStorage;
    code: "AML-MVN-006",
    name: "fqdn-rule-to-storage",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Approved-outbound managed networks reach storage by private endpoint rules, not FQDN rules.",
}

impl Rule for FqdnRuleToStorage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        if declared.some_unknown {
            ctx.indeterminate();
        }
        for rule in &declared.rules {
            if rule.kind() != Some(OutboundRuleKind::Fqdn) {
                continue;
            }
            let host = match rule.rule.fqdn() {
                Setting::Set(host) | Setting::Default(host) => host,
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let Some(account_label) = storage_account_label(host) else {
                continue;
            };
            match rule.mode(&sets) {
                Setting::Set(IsolationMode::AllowOnlyApprovedOutbound)
                | Setting::Default(IsolationMode::AllowOnlyApprovedOutbound) => {}
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            }
            let hub = rule.hub(&sets).map(|(node, _)| node);
            let owned = owned_storage(&sets, hub, &account_label);
            let (severity, message) = match &owned {
                Some(found) => (
                    Severity::Error,
                    format!(
                        "FQDN rule '{}' targets Azure Storage account '{}', which approved-outbound mode does not allow by FQDN.",
                        rule.name(),
                        found.name
                    ),
                ),
                None => (
                    Severity::Warning,
                    format!(
                        "FQDN rule '{}' targets Azure Storage ('{host}'), which approved-outbound mode does not allow by FQDN.",
                        rule.name()
                    ),
                ),
            };
            let mut finding = Finding::new(rule.resource(), &rule.path("destination"), message)
                .severity(severity)
                .label("storage host in an FQDN rule")
                .help("replace it by a `PrivateEndpoint` rule to the storage account with the sub-resource (`blob`, `file`, `dfs`, …)");
            if let Some(resource) = owned
                .and_then(|found| found.node)
                .and_then(|node| sets.graph().node(node).and_then(|n| n.resource()))
            {
                finding = finding.related(resource, "", "the storage account");
            }
            ctx.report(finding);
        }
    }
}

/// The first label of a storage host (`stcontoso` of `stcontoso.blob.core.windows.net`,
/// lower-cased), or `None` when the host is not a storage endpoint.
fn storage_account_label(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let service_part = STORAGE_SUFFIXES
        .iter()
        .find_map(|suffix| host.strip_suffix(suffix)?.strip_suffix('.'))?;
    let is_storage = STORAGE_SERVICES.iter().any(|service| {
        service_part
            .strip_suffix(service)
            .is_some_and(|before| before.ends_with('.'))
    });
    if !is_storage {
        return None;
    }
    service_part.split('.').next().map(ToOwned::to_owned)
}

/// A storage account the finding names.
struct OwnedStorage {
    name: String,
    /// Its node, when the template declares it (for the related location).
    node: Option<NodeId>,
}

/// The storage account named `label` among the workspace's associated storage and the storage
/// accounts the template deploys or references.
fn owned_storage(sets: &DerivedSets<'_>, hub: Option<NodeId>, label: &str) -> Option<OwnedStorage> {
    let graph = sets.graph();
    let associated = hub.into_iter().flat_map(|hub| {
        sets.associated(hub)
            .possible()
            .filter(|member| member.role == AssociatedRole::StorageAccount)
            .map(|member| member.node)
            .collect::<Vec<_>>()
    });
    let templated = graph
        .nodes()
        .filter(|node| graph.node(*node).is_some_and(|n| n.is_type(STORAGE_TYPE)));
    associated
        .chain(templated)
        .find(|node| node_name(sets, *node).eq_ignore_ascii_case(label))
        .map(|node| OwnedStorage {
            name: node_name(sets, node),
            node: graph.node(node).and_then(|n| n.resource()).map(|_| node),
        })
}

#[cfg(test)]
mod tests {
    use super::storage_account_label;

    #[test]
    fn storage_hosts_of_every_cloud() {
        assert_eq!(
            storage_account_label("stcontoso.blob.core.windows.net").as_deref(),
            Some("stcontoso")
        );
        assert_eq!(
            storage_account_label("StContoso.dfs.core.chinacloudapi.cn").as_deref(),
            Some("stcontoso")
        );
        assert_eq!(
            storage_account_label("site.z13.web.core.usgovcloudapi.net").as_deref(),
            Some("site")
        );
        assert_eq!(
            storage_account_label("*.blob.core.windows.net").as_deref(),
            Some("*")
        );
    }

    #[test]
    fn other_hosts_are_not_storage() {
        assert_eq!(storage_account_label("pypi.org"), None);
        assert_eq!(storage_account_label("management.core.windows.net"), None);
        assert_eq!(storage_account_label("blob.core.windows.net"), None);
    }
}
