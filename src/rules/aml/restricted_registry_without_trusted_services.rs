use super::support::{associated_once, resource_of};
use crate::graph::AssociatedRole;
use crate::model::Tri;
use crate::model::kinds::ContainerRegistry;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the container registry of a workspace, when it is network-restricted
    /// (`publicNetworkAccess: Disabled` or `networkRuleSet.defaultAction: Deny`), lets trusted
    /// Azure services through: `networkRuleBypassOptions` must not be `None` (absent means
    /// `AzureServices`).
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning reaches a network-restricted registry as a trusted Microsoft
    /// service, to build and pull environment images. With the bypass turned off it cannot use
    /// the registry, and image builds and deployments fail (AML-WS-010).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerRegistry/registries",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "crcontosoml",
    ///   "sku": { "name": "Premium" },
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "networkRuleBypassOptions": "None"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.ContainerRegistry/registries",
    ///   "apiVersion": "2023-07-01",
    ///   "name": "crcontosoml",
    ///   "sku": { "name": "Premium" },
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "networkRuleBypassOptions": "AzureServices"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: secured associated resources](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Secure a workspace with virtual networks: enable Azure Container Registry](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#enable-azure-container-registry-acr)
    /// - [Container registry: allow trusted services](https://learn.microsoft.com/azure/container-registry/allow-access-trusted-services)
    pub struct RestrictedRegistryWithoutTrustedServices;
    code: "AML-WS-010",
    name: "restricted-registry-without-trusted-services",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A network-restricted workspace registry lets trusted Azure services through.",
}

impl Rule for RestrictedRegistryWithoutTrustedServices {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (workspace_resource, member) in
            associated_once(&sets, AssociatedRole::ContainerRegistry)
        {
            let Some(registry) = resource_of(&sets, member.node).and_then(ContainerRegistry::of)
            else {
                continue;
            };
            let no_bypass = registry
                .network_rule_bypass_options()
                .test(|options| options.trim().eq_ignore_ascii_case("None"));
            match sets.restricted(member.node).value.and(no_bypass) {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => {
                    let resource = registry.resource();
                    ctx.report(
                            Finding::new(
                                resource,
                                "properties.networkRuleBypassOptions",
                                format!(
                                    "Registry '{}' is network-restricted and blocks trusted Azure services; workspace '{}' cannot use it.",
                                    resource.display_name(),
                                    workspace_resource.display_name()
                                ),
                            )
                            .label("trusted Azure services are blocked")
                            .related(workspace_resource, &member.path, "the workspace uses this registry")
                            .help("set `networkRuleBypassOptions` to `AzureServices` (the default)"),
                        );
                }
            }
        }
    }
}
