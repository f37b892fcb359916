use super::support::resource_of;
use crate::graph::AssociatedRole;
use crate::model::kinds::{DefaultAction, Setting, StorageAccount};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the default storage account of a workspace (`properties.storageAccount`),
    /// when its firewall denies by default (`networkAcls.defaultAction: Deny`), admits the
    /// workspace: through a resource instance rule (`networkAcls.resourceAccessRules[*]`) whose
    /// `resourceId` is the workspace (wildcards `*` allowed in the resource group and name), or
    /// through a `bypass` that contains `AzureServices` (absent means `AzureServices`).
    ///
    /// ## Why is this bad?
    /// The workspace service reads and writes its default storage (snapshots, logs, notebooks,
    /// models). A firewall that admits neither the workspace instance nor trusted Azure
    /// services blocks it, and the studio and jobs fail (AML-WS-005).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Storage/storageAccounts",
    ///   "apiVersion": "2023-05-01",
    ///   "name": "stcontosoml",
    ///   "kind": "StorageV2",
    ///   "sku": { "name": "Standard_LRS" },
    ///   "properties": {
    ///     "networkAcls": { "defaultAction": "Deny", "bypass": "None", "resourceAccessRules": [] }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Storage/storageAccounts",
    ///   "apiVersion": "2023-05-01",
    ///   "name": "stcontosoml",
    ///   "kind": "StorageV2",
    ///   "sku": { "name": "Standard_LRS" },
    ///   "properties": {
    ///     "networkAcls": {
    ///       "defaultAction": "Deny",
    ///       "bypass": "None",
    ///       "resourceAccessRules": [{
    ///         "tenantId": "[subscription().tenantId]",
    ///         "resourceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw-contoso')]"
    ///       }]
    ///     }
    ///   }
    /// }
    /// ```
    /// or keep `bypass` at `AzureServices`.
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: secure Azure Storage accounts](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#secure-azure-storage-accounts)
    /// - [Workspace managed network: secured associated resources](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Storage firewall: grant access from Azure resource instances](https://learn.microsoft.com/azure/storage/common/storage-network-security#grant-access-from-azure-resource-instances)
    pub struct StorageFirewallWithoutWorkspaceAccess;
    code: "AML-WS-005",
    name: "storage-firewall-without-workspace-access",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A default storage account that denies by default admits its workspace.",
}

impl Rule for StorageFirewallWithoutWorkspaceAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let associated = sets.associated(workspace);
            for member in associated.possible() {
                // The default storage only: the preview `storageAccounts` list is not where
                // the workspace keeps its artefacts.
                if member.role != AssociatedRole::StorageAccount
                    || !member
                        .path
                        .eq_ignore_ascii_case("properties.storageAccount")
                {
                    continue;
                }
                let Some(storage) = resource_of(&sets, member.node).and_then(StorageAccount::of)
                else {
                    continue;
                };
                let acls = storage.network_acls();
                let instance_rule = match acls.resource_access_rules() {
                    Setting::Set(rules) => Tri::any(rules.iter().map(|(_, target)| {
                        names_workspace(target, workspace_resource.id.as_ref())
                    })),
                    Setting::Unknown(_) => Tri::Unknown,
                    Setting::Default(_) | Setting::Absent => Tri::False,
                };
                let blocked = acls
                    .default_action()
                    .is(&DefaultAction::Deny)
                    .and(!instance_rule)
                    .and(!acls.bypasses_azure_services());
                match blocked {
                    Tri::False => {}
                    Tri::Unknown => ctx.indeterminate(),
                    Tri::True => {
                        let resource = storage.resource();
                        ctx.report(
                            Finding::new(
                                resource,
                                "properties.networkAcls",
                                format!(
                                    "Storage account '{}' blocks public traffic but grants the workspace '{}' neither a resource-instance rule nor trusted-service access.",
                                    resource.display_name(),
                                    workspace_resource.display_name()
                                ),
                            )
                            .label("denies by default; no rule admits the workspace")
                            .related(workspace_resource, &member.path, "default storage of this workspace")
                            .help("add `resourceAccessRules: [{tenantId, resourceId: <workspace id>}]` or include `AzureServices` in `bypass`"),
                        );
                    }
                }
            }
        }
    }
}

/// Whether a resource instance rule's `resourceId` names the workspace; `*` in a segment matches
/// any value, as the storage firewall allows for the resource group and the name.
fn names_workspace(target: &Setting<'_, &str>, workspace: Option<&ResourceId>) -> Tri {
    let Some(workspace) = workspace else {
        return Tri::Unknown;
    };
    let text = match target {
        Setting::Set(text) | Setting::Default(text) => *text,
        Setting::Unknown(_) => return Tri::Unknown,
        Setting::Absent => return Tri::False,
    };
    let Ok(rule) = ResourceId::parse(text) else {
        return Tri::False;
    };
    if rule.segments().len() != workspace.segments().len() {
        return Tri::False;
    }
    Tri::all(
        rule.segments()
            .iter()
            .zip(workspace.segments())
            .map(|(pattern, actual)| {
                if pattern.as_known() == Some("*") {
                    Tri::True
                } else {
                    pattern.matches(actual)
                }
            }),
    )
}
