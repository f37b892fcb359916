use super::support::{node_name, online_endpoints_of};
use crate::graph::Pna;
use crate::model::Tri;
use crate::model::kinds::Access;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Notes how a workspace's IP list and its managed online endpoints combine:
    /// * the workspace admits selected IPs and an endpoint has `publicNetworkAccess: Disabled`:
    ///   the listed addresses cannot score that endpoint;
    /// * the workspace is `Disabled` but still carries IP rules, and an endpoint is public: the
    ///   endpoint still applies the workspace's list.
    ///
    /// ## Why is this bad?
    /// A managed online endpoint honours the workspace's IP list only while its own public
    /// access is enabled, and it keeps applying the list after the workspace has been switched
    /// from selected IPs to `Disabled` (AML-PNA-009). Both are easy to misread; the note says
    /// which row of the documented table applies.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "location": "westeurope",
    ///   "properties": { "authMode": "Key", "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// under a workspace that admits selected IP addresses.
    ///
    /// Use instead: align the endpoint's flag with the intended exposure; to let the listed
    /// addresses score, enable public access on the endpoint.
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "location": "westeurope",
    ///   "properties": { "authMode": "Key", "publicNetworkAccess": "Enabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Managed online endpoints with access from selected IP addresses](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link#managed-online-endpoints)
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    pub struct OnlineEndpointIpListMismatch;
    code: "AML-PNA-009",
    name: "online-endpoint-ip-list-mismatch",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "Selected-IP access of a workspace and the public access of its online endpoints combine as documented.",
}

impl Rule for OnlineEndpointIpListMismatch {
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
            let selected = access.is_one_of(&[Pna::SelectedIps]);
            let stale_list = access
                .is_one_of(&[Pna::Disabled])
                .and(sets.ip_rules(workspace).non_empty());
            let workspace_name = node_name(&sets, workspace);
            for (_, endpoint) in endpoints {
                let managed = endpoint.is_managed();
                let flag = endpoint.public_network_access();
                let cases = [
                    (
                        managed.and(selected).and(flag.is(&Access::Disabled)),
                        "does not honour",
                        "the listed addresses cannot score it, because its public access is disabled",
                    ),
                    (
                        managed.and(stale_list).and(flag.is(&Access::Enabled)),
                        "still honours",
                        "the workspace is private, yet the public endpoint keeps applying the list",
                    ),
                ];
                for (holds, verb, why) in cases {
                    match holds {
                        Tri::False => {}
                        Tri::Unknown => ctx.indeterminate(),
                        Tri::True => {
                            let resource = endpoint.resource();
                            let path = if resource.get("properties.publicNetworkAccess").is_absent()
                            {
                                "properties"
                            } else {
                                "properties.publicNetworkAccess"
                            };
                            ctx.report(
                                Finding::new(
                                    resource,
                                    path,
                                    format!(
                                        "Endpoint '{}' {verb} the IP list of workspace '{workspace_name}': {why}.",
                                        resource.display_name()
                                    ),
                                )
                                .label("endpoint public access")
                                .help("align the endpoint's `publicNetworkAccess` with the intended exposure"),
                            );
                        }
                    }
                }
            }
        }
    }
}
