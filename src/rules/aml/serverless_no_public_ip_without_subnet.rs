use crate::model::Tri;
use crate::model::kinds::{Setting, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

use super::support::resource_of;

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace that sets
    /// `serverlessComputeSettings.serverlessComputeNoPublicIP` to `true` also names the subnet
    /// its serverless compute joins (`serverlessComputeCustomSubnet`), unless the workspace
    /// uses a managed network.
    ///
    /// ## Why is this bad?
    /// The flag only applies to serverless nodes placed in a custom subnet: without one, the
    /// serverless compute runs outside your network and the flag has no effect, so the intent
    /// of keeping serverless jobs off public IPs is silently not met.
    ///
    /// ## Example
    /// ```json
    /// "serverlessComputeSettings": { "serverlessComputeNoPublicIP": true }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "serverlessComputeSettings": {
    ///   "serverlessComputeCustomSubnet": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-serverless')]",
    ///   "serverlessComputeNoPublicIP": true
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: serverless compute](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Workspaces REST API: ServerlessComputeSettings](https://learn.microsoft.com/rest/api/azureml/workspaces/create-or-update)
    pub struct ServerlessNoPublicIpWithoutSubnet;
    code: "AML-CMP-004",
    name: "serverless-no-public-ip-without-subnet",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "The serverless no-public-IP flag comes with a custom subnet.",
}

impl Rule for ServerlessNoPublicIpWithoutSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let Some(resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let Some(view) = Workspace::of(resource) else {
                continue;
            };
            let without_subnet = match view.serverless_compute_custom_subnet() {
                Setting::Absent => Tri::True,
                Setting::Unknown(_) => Tri::Unknown,
                _ => Tri::False,
            };
            let applies = sets
                .serverless_no_public_ip(workspace)
                .value
                .and(without_subnet)
                .and(sets.written(workspace));
            if applies.is_false() {
                continue;
            }
            let applies = applies.and(!sets.managed(workspace).value);
            match applies {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            ctx.report(
                Finding::new(
                    resource,
                    "properties.serverlessComputeSettings.serverlessComputeNoPublicIP",
                    format!(
                        "serverlessComputeNoPublicIP applies to serverless nodes in a custom subnet; workspace '{}' sets no subnet.",
                        resource.display_name()
                    ),
                )
                .label("no-public-IP flag without a subnet")
                .help("set serverlessComputeSettings.serverlessComputeCustomSubnet to the subnet the serverless nodes join, or drop the flag"),
            );
        }
    }
}
