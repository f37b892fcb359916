use super::online_deployment_support::{EGRESS_PATH, online_deployments};
use crate::codes::Severity;
use crate::model::kinds::{Cause, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the `egressPublicNetworkAccess` of an online deployment does not change
    /// between deployments. Without the previously deployed value (the deployment context has
    /// no baseline yet), it notes a flag that is only known at deployment time, such as a
    /// parameter without a value: the next deployment may pass another value.
    ///
    /// ## Why is this bad?
    /// The egress flag is immutable once the deployment exists: an update that changes it fails.
    /// A flag driven by a parameter drifts as soon as someone deploys with another parameter file.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score/blue",
    ///   "properties": {
    ///     "endpointComputeType": "Managed",
    ///     "egressPublicNetworkAccess": "[parameters('egressPublicNetworkAccess')]"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: write the value the deployment was created with; to change it, create a new
    /// deployment (new name) and shift the endpoint's traffic to it.
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score/green",
    ///   "properties": { "endpointComputeType": "Managed", "egressPublicNetworkAccess": "Disabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    pub struct ChangedDeploymentEgressFlag;
    code: "AML-OE-002",
    name: "changed-deployment-egress-flag",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A deployment's egress flag is never changed.",
}

impl Rule for ChangedDeploymentEgressFlag {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for found in online_deployments(&sets) {
            // No baseline exists in the deployment context, so the error case (deployed value
            // differs) cannot arise; what remains is the info on a value computed at deployment.
            let Setting::Unknown(Cause::Runtime(provenance)) =
                found.deployment.egress_public_network_access()
            else {
                continue;
            };
            ctx.report(
                Finding::new(
                    found.deployment.resource(),
                    EGRESS_PATH,
                    format!(
                        "egressPublicNetworkAccess of deployment '{}' is immutable and is known only at deployment ({}); a different value on a later deployment fails the update.",
                        found.name(),
                        provenance.text()
                    ),
                )
                .severity(Severity::Note)
                .label("value computed at deployment")
                .help("write the value the deployment was created with; to change it, create a new deployment (new name) and shift traffic"),
            );
        }
    }
}
