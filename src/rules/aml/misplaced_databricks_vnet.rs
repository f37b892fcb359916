use super::attached_support::databricks_links;
use super::net_support::declared;
use crate::model::kinds::{DatabricksWorkspace, Setting, VirtualNetwork, Workspace};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const VNET_PATH: &str = "properties.parameters.customVirtualNetworkId.value";

crate::declare_rule! {
    /// ## What it does
    /// Checks that the virtual network a Databricks workspace is injected into
    /// (`properties.parameters.customVirtualNetworkId.value`) is in the subscription and region
    /// of the Azure Machine Learning workspace that attaches it as a `Databricks` compute.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning uses a VNet-injected Databricks workspace only when its virtual
    /// network is in the same subscription and region as the AML workspace; otherwise the
    /// workspace and its network-secured storage cannot be reached from the Databricks
    /// clusters.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Databricks/workspaces",
    ///   "apiVersion": "2024-05-01",
    ///   "name": "dbw-contoso",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "managedResourceGroupId": "[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg-dbw-managed')]",
    ///     "parameters": {
    ///       "customVirtualNetworkId": { "value": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-dbx-neu')]" },
    ///       "customPublicSubnetName": { "value": "snet-dbx-public" },
    ///       "customPrivateSubnetName": { "value": "snet-dbx-private" }
    ///     }
    ///   }
    /// }
    /// ```
    /// where `vnet-dbx-neu` is in `northeurope` and the AML workspace in `westeurope`.
    ///
    /// Use instead: a Databricks virtual network in the AML workspace's region and
    /// subscription (`westeurope` here).
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks (Azure Databricks)](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct MisplacedDatabricksVnet;
    code: "AML-DBX-001",
    name: "misplaced-databricks-vnet",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "The Databricks VNet is in the AML workspace's subscription and region.",
}

impl Rule for MisplacedDatabricksVnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for link in databricks_links(ctx, &sets) {
            let Some(databricks) = DatabricksWorkspace::of(link.databricks) else {
                continue;
            };
            let vnet_id = match databricks.custom_virtual_network_id() {
                Setting::Set(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    Err(_) => continue,
                },
                // Without a custom VNet, Databricks deploys its own managed one: nothing to
                // compare.
                Setting::Absent | Setting::Default(_) => continue,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let vnet = declared(&sets, &vnet_id);
            let same_subscription = match vnet {
                Some((vnet_node, _)) => sets.same_subscription(vnet_node, link.workspace).value,
                // A VNet outside the template: its id says where it is.
                None => match (
                    vnet_id.subscription_id(),
                    link.workspace_resource
                        .id
                        .as_ref()
                        .and_then(|id| id.subscription_id()),
                ) {
                    (Some(a), Some(b)) => a.matches(b),
                    _ => Tri::Unknown,
                },
            };
            let workspace_region =
                Workspace::of(link.workspace_resource).and_then(|w| w.location().known());
            let vnet_region = vnet
                .and_then(|(_, resource)| VirtualNetwork::of(resource))
                .and_then(|v| v.location().known());
            let same_region = match (&vnet_region, &workspace_region) {
                (Some(a), Some(b)) => Tri::from(a == b),
                _ => Tri::Unknown,
            };
            match same_subscription.and(same_region) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let shown = |segment: Option<String>| segment.unwrap_or_else(|| "(unknown)".to_owned());
            let vnet_subscription = shown(
                vnet_id
                    .subscription_id()
                    .and_then(|s| s.as_known())
                    .map(ToOwned::to_owned),
            );
            let vnet_name = vnet_id
                .last_name()
                .and_then(|s| s.as_known())
                .unwrap_or("(name unknown)")
                .to_owned();
            let mut finding = Finding::new(
                link.databricks,
                VNET_PATH,
                format!(
                    "Databricks '{}' uses VNet '{vnet_name}' in {vnet_subscription}/{}; it must be in the AML workspace's subscription and region.",
                    link.databricks.display_name(),
                    shown(vnet_region.clone()),
                ),
            )
            .label(format!("VNet '{vnet_name}'"))
            .help(format!(
                "inject the Databricks workspace into a virtual network in the subscription and region ({}) of workspace '{}'",
                shown(workspace_region),
                link.workspace_resource.display_name()
            ));
            if let Some((_, vnet_resource)) = vnet {
                finding = finding.related(vnet_resource, "location", "the Databricks VNet");
            }
            finding = finding.related(link.workspace_resource, "location", "the AML workspace");
            ctx.report(link.explain(finding));
        }
    }
}
