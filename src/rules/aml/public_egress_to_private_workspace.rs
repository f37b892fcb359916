use super::online_deployment_support::{EGRESS_PATH, online_deployments};
use super::support::{node_name, resource_of};
use crate::codes::Severity;
use crate::graph::Pna;
use crate::model::Tri;
use crate::model::kinds::{Access, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a managed online deployment with public egress (`egressPublicNetworkAccess`
    /// `Enabled`, the default) belongs to a workspace that accepts public traffic, when the
    /// workspace has no managed network.
    ///
    /// ## Why is this bad?
    /// Without a managed network, a deployment with public egress reaches the workspace API
    /// (model and environment download, logs) over the internet. A workspace with
    /// `publicNetworkAccess: Disabled` refuses that traffic and the deployment fails to start.
    /// With access from selected IP addresses only, the deployment's dynamic public address is
    /// not on the list (reported as a warning).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score/blue",
    ///   "properties": { "endpointComputeType": "Managed", "instanceType": "Standard_DS3_v2" }
    /// }
    /// ```
    /// under a workspace with `publicNetworkAccess: Disabled` and no managed network.
    ///
    /// Use instead: give the workspace a managed network, or use the legacy private egress:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score/blue",
    ///   "properties": {
    ///     "endpointComputeType": "Managed",
    ///     "instanceType": "Standard_DS3_v2",
    ///     "egressPublicNetworkAccess": "Disabled"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Secure online endpoints](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    pub struct PublicEgressToPrivateWorkspace;
    code: "AML-OE-004",
    name: "public-egress-to-private-workspace",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A deployment with public egress belongs to a publicly reachable workspace.",
}

impl Rule for PublicEgressToPrivateWorkspace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for found in online_deployments(&sets) {
            let egress = found.deployment.egress_public_network_access();
            let public_access = sets.effective_public_access(found.workspace);
            let closed = public_access.is_one_of(&[Pna::Disabled, Pna::SelectedIps]);
            let condition = found
                .is_managed()
                .and(!sets.managed(found.workspace).value)
                .and(egress.is(&Access::Enabled))
                .and(closed);
            match condition {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let workspace_name = node_name(&sets, found.workspace);
            let (severity, why) = if public_access.value == Pna::Disabled {
                (Severity::Error, "disables public access".to_owned())
            } else {
                (
                    Severity::Warning,
                    "admits only selected IP addresses, and the deployment's dynamic public address is not on the list".to_owned(),
                )
            };
            let (path, label) = match egress {
                Setting::Set(_) => (EGRESS_PATH, "public egress enabled here"),
                _ => (
                    "",
                    "public egress by default (egressPublicNetworkAccess is absent)",
                ),
            };
            let mut finding = Finding::new(
                found.deployment.resource(),
                path,
                format!(
                    "Deployment '{}' uses public egress and calls the workspace API over the internet, but workspace '{workspace_name}' {why}.",
                    found.name()
                ),
            )
            .severity(severity)
            .label(label)
            .help("set the deployment's `egressPublicNetworkAccess` to `Disabled`, or better give the workspace a managed network; otherwise allow public access on the workspace");
            if let Some(hub) = public_access.hub.and_then(|hub| resource_of(&sets, hub)) {
                let hub_path = if hub.get("properties.publicNetworkAccess").is_absent() {
                    ""
                } else {
                    "properties.publicNetworkAccess"
                };
                finding = finding.related(hub, hub_path, "workspace public access decided here");
            }
            ctx.report(finding);
        }
    }
}
