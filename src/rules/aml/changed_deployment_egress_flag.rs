use super::online_deployment_support::{DeploymentOf, EGRESS_PATH, online_deployments};
use crate::codes::Severity;
use crate::model::kinds::{Access, Cause, OnlineDeployment, Setting};
use crate::rules::{Finding, InBaseline, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the `egressPublicNetworkAccess` of an online deployment does not change
    /// between deployments. With a baseline (`baseline` in `armgraph.json`, or `--baseline`: what
    /// is deployed now), it reports a deployment that exists there with another effective value
    /// (absent is `Enabled`). Whether or not there is a baseline, it notes a flag that is only
    /// known at deployment time, such as a parameter without a value: the next deployment may
    /// pass another value.
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
            match found.deployment.egress_public_network_access() {
                Setting::Set(new) => changed(ctx, &found, new, "here"),
                Setting::Default(new) => changed(ctx, &found, new, "by default (no flag written)"),
                // A value computed at deployment can drift between deployments, whatever is
                // deployed now: the info of the spec's "without baseline" case.
                Setting::Unknown(Cause::Runtime(provenance)) => ctx.report(
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
                ),
                Setting::Absent | Setting::Unknown(_) => {}
            }
        }
    }
}

/// Reports the deployment when the baseline deploys it with an egress flag other than `new`
/// (`how` says whether the template writes `new` or leaves it to the default).
fn changed(ctx: &RuleContext<'_>, found: &DeploymentOf<'_>, new: Access, how: &str) {
    let deployed = match ctx.in_baseline(found.deployment.resource()) {
        InBaseline::Present(deployed) => deployed,
        // Without a baseline nothing is known of the deployed value; a deployment the baseline
        // does not have is created by this template.
        InBaseline::NoBaseline | InBaseline::Absent => return,
        InBaseline::Undecided => {
            ctx.indeterminate();
            return;
        }
    };
    let Some(old) =
        OnlineDeployment::of(deployed).and_then(|view| view.egress_public_network_access().known())
    else {
        ctx.indeterminate();
        return;
    };
    if old == new {
        return;
    }
    ctx.report(
        Finding::new(
            found.deployment.resource(),
            EGRESS_PATH,
            format!(
                "egressPublicNetworkAccess of deployment '{}' is immutable ({old} → {new}); the update fails.",
                found.name()
            ),
        )
        .label(format!("{new} {how}"))
        .related_in_baseline(deployed, EGRESS_PATH, format!("deployed with {old}"))
        .help(format!(
            "keep `egressPublicNetworkAccess` at {old}, or create a new deployment (new name) and shift the endpoint's traffic to it"
        )),
    );
}
