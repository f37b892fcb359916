use super::support::{resource_of, role_name};
use crate::graph::{AssociatedRole, Pna, PnaBasis};
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace whose effective public network access is `Disabled` does not use
    /// a storage account, key vault or container registry, deployed by the same template, that
    /// accepts traffic from all networks (neither public access `Disabled` nor a firewall that
    /// denies by default).
    ///
    /// ## Why is this bad?
    /// A private endpoint on the workspace secures only the workspace. Jobs, computes and the
    /// studio also move data to and from the default storage, secrets through the key vault and
    /// images through the registry; while those accept traffic from every network, the
    /// solution is not isolated (AML-WS-007).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Storage/storageAccounts",
    ///   "apiVersion": "2023-05-01",
    ///   "name": "stcontosoml",
    ///   "kind": "StorageV2",
    ///   "sku": { "name": "Standard_LRS" },
    ///   "properties": { "minimumTlsVersion": "TLS1_2" }
    /// }
    /// ```
    /// as the default storage of a workspace with `publicNetworkAccess: Disabled`.
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
    ///     "minimumTlsVersion": "TLS1_2",
    ///     "publicNetworkAccess": "Disabled",
    ///     "networkAcls": { "defaultAction": "Deny", "bypass": "AzureServices" }
    ///   }
    /// }
    /// ```
    /// and give the storage account private endpoints (`blob`, `file`).
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Plan for network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct PublicAssociatedResource;
    code: "AML-WS-007",
    name: "public-associated-resource",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A private workspace does not use a storage account, key vault or registry open to all networks.",
}

impl Rule for PublicAssociatedResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            // The open resources this template writes; others are judged where they are deployed.
            let mut open = Vec::new();
            let associated = sets.associated(workspace);
            for member in associated.possible() {
                if member.role == AssociatedRole::ApplicationInsights
                    || sets.written(member.node) != Tri::True
                {
                    continue;
                }
                let Some(resource) = resource_of(&sets, member.node) else {
                    continue;
                };
                match sets.restricted(member.node).value {
                    Tri::True => {}
                    Tri::Unknown => ctx.indeterminate(),
                    Tri::False => open.push((member, resource)),
                }
            }
            if open.is_empty() {
                continue;
            }
            let access = sets.effective_public_access(workspace);
            match access.value {
                Pna::Disabled => {}
                Pna::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Pna::Enabled | Pna::SelectedIps => continue,
            }
            for (member, resource) in open {
                let kind = role_name(member.role);
                let path = if resource.get("properties.publicNetworkAccess").is_absent() {
                    "properties"
                } else {
                    "properties.publicNetworkAccess"
                };
                let decided_by = match access.basis {
                    PnaBasis::LegacyFlag => "properties.allowPublicAccessWhenBehindVnet",
                    _ => "properties.publicNetworkAccess",
                };
                ctx.report(
                    Finding::new(
                        resource,
                        path,
                        format!(
                            "Workspace '{}' is private but its {kind} '{}' accepts traffic from all networks; the traffic between them is not isolated.",
                            workspace_resource.display_name(),
                            resource.display_name()
                        ),
                    )
                    .label("open to all networks")
                    .related(workspace_resource, decided_by, "the workspace is private")
                    .related(workspace_resource, &member.path, "associated here")
                    .help(format!(
                        "disable public network access on the {kind} (or deny by default) and give it a private endpoint"
                    )),
                );
            }
        }
    }
}
