use super::support::{node_name, online_endpoints_of, resource_of};
use crate::graph::{Pna, PnaBasis};
use crate::model::Tri;
use crate::model::kinds::{Access, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the managed online endpoints of a workspace whose effective public network
    /// access is `Disabled` do not accept scoring requests from the internet. An online endpoint
    /// without `publicNetworkAccess` is public: the property defaults to `Enabled`.
    ///
    /// ## Why is this bad?
    /// The public-access flag of a managed online endpoint is independent of the workspace's.
    /// A template that makes the workspace private usually means to keep scoring private too,
    /// yet an endpoint that leaves the flag out is reachable from the internet (AML-PNA-005).
    /// When public scoring is intended, suppress the finding for that endpoint.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "location": "westeurope",
    ///   "identity": { "type": "SystemAssigned" },
    ///   "properties": { "authMode": "Key" }
    /// }
    /// ```
    /// under a workspace with `publicNetworkAccess: Disabled`.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "location": "westeurope",
    ///   "identity": { "type": "SystemAssigned" },
    ///   "properties": { "authMode": "Key", "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Secure inbound scoring requests](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    pub struct PublicOnlineEndpointOfPrivateWorkspace;
    code: "AML-PNA-005",
    name: "public-online-endpoint-of-private-workspace",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Managed online endpoints of a private workspace do not accept scoring from the internet.",
}

impl Rule for PublicOnlineEndpointOfPrivateWorkspace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let endpoints = online_endpoints_of(&sets, workspace);
            if endpoints.is_empty() {
                continue;
            }
            let access = sets.effective_public_access(workspace);
            let private = access.is_one_of(&[Pna::Disabled]);
            if private == Tri::False {
                continue;
            }
            for (_, endpoint) in endpoints {
                let setting = endpoint.public_network_access();
                let public = setting.is(&Access::Enabled);
                match endpoint.is_managed().and(private).and(public) {
                    Tri::False => {}
                    Tri::Unknown => ctx.indeterminate(),
                    Tri::True => {
                        let resource = endpoint.resource();
                        let (path, shown, label) = match setting {
                            Setting::Set(_) => (
                                "properties.publicNetworkAccess",
                                "Enabled",
                                "public access enabled here",
                            ),
                            _ => (
                                "properties",
                                "absent, so Enabled",
                                "no publicNetworkAccess: the endpoint is public",
                            ),
                        };
                        let workspace_name = node_name(&sets, workspace);
                        let mut report = Finding::new(
                            resource,
                            path,
                            format!(
                                "Workspace '{workspace_name}' is private but online endpoint '{}' accepts scoring requests from the internet (publicNetworkAccess is {shown}).",
                                resource.display_name()
                            ),
                        )
                        .label(label)
                        .help("set the endpoint's `publicNetworkAccess` to `Disabled`, or suppress this finding if public scoring is intended");
                        if let Some(hub) = access.hub.and_then(|h| resource_of(&sets, h)) {
                            let decided_by = match access.basis {
                                PnaBasis::LegacyFlag => {
                                    "properties.allowPublicAccessWhenBehindVnet"
                                }
                                _ => "properties.publicNetworkAccess",
                            };
                            report = report.related(
                                hub,
                                decided_by,
                                "the workspace disables public access here",
                            );
                        }
                        ctx.report(report);
                    }
                }
            }
        }
    }
}
