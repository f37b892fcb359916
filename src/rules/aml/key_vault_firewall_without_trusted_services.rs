use super::support::{associated_once, resource_of};
use crate::graph::AssociatedRole;
use crate::model::Tri;
use crate::model::kinds::{DefaultAction, KeyVault};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the key vault of a workspace, when its firewall denies by default
    /// (`networkAcls.defaultAction: Deny`), lets trusted Azure services through
    /// (`networkAcls.bypass` contains `AzureServices`). An absent `bypass` is `AzureServices`.
    ///
    /// ## Why is this bad?
    /// The workspace reaches its key vault as a trusted Microsoft service. Without the bypass,
    /// the firewall blocks it; creating managed online endpoints with key authentication fails
    /// for the same reason (AML-WS-004).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.KeyVault/vaults",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "kv-contoso-ml",
    ///   "properties": {
    ///     "tenantId": "[subscription().tenantId]",
    ///     "sku": { "family": "A", "name": "standard" },
    ///     "networkAcls": { "defaultAction": "Deny", "bypass": "None" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.KeyVault/vaults",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "kv-contoso-ml",
    ///   "properties": {
    ///     "tenantId": "[subscription().tenantId]",
    ///     "sku": { "family": "A", "name": "standard" },
    ///     "networkAcls": { "defaultAction": "Deny", "bypass": "AzureServices" }
    ///   }
    /// }
    /// ```
    /// together with a private endpoint to the vault.
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: secure Azure Key Vault](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#secure-azure-key-vault)
    /// - [Workspace managed network: secured associated resources](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Troubleshoot online endpoint deployment](https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-online-endpoints)
    pub struct KeyVaultFirewallWithoutTrustedServices;
    code: "AML-WS-004",
    name: "key-vault-firewall-without-trusted-services",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A workspace key vault that denies by default lets trusted Azure services through.",
}

impl Rule for KeyVaultFirewallWithoutTrustedServices {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (workspace_resource, member) in associated_once(&sets, AssociatedRole::KeyVault) {
            let Some(vault) = resource_of(&sets, member.node).and_then(KeyVault::of) else {
                continue;
            };
            let acls = vault.network_acls();
            let blocked = acls
                .default_action()
                .is(&DefaultAction::Deny)
                .and(!acls.bypasses_azure_services());
            match blocked {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => {
                    let resource = vault.resource();
                    ctx.report(
                            Finding::new(
                                resource,
                                "properties.networkAcls.bypass",
                                format!(
                                    "Key vault '{}' denies by default without the AzureServices bypass; workspace '{}' (and key-authenticated online endpoints) cannot reach it.",
                                    resource.display_name(),
                                    workspace_resource.display_name()
                                ),
                            )
                            .label("trusted Azure services are not let through")
                            .related(resource, "properties.networkAcls.defaultAction", "denies by default")
                            .related(workspace_resource, &member.path, "the workspace uses this key vault")
                            .help("set `networkAcls.bypass` to `AzureServices`"),
                        );
                }
            }
        }
    }
}
