use super::support::{node_name, online_endpoints_of, resource_of};
use crate::codes::Severity;
use crate::model::Tri;
use crate::model::kinds::Setting;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace with online endpoints does not run in v1 legacy mode: neither
    /// `properties.v1LegacyMode: true`, nor an `apiVersion` older than `2022-05-01` that leaves
    /// the flag out on a workspace with a private endpoint (the flag then defaults to `true`).
    ///
    /// ## Why is this bad?
    /// Managed online endpoints are a v2 feature. In v1 legacy mode the workspace keeps the v1
    /// network isolation, and creating a managed online endpoint fails with a `V1LegacyMode`
    /// error; Kubernetes online endpoints are affected as well (reported as a warning).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": { "v1LegacyMode": true, "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// with an online endpoint `mlw-contoso/score` in the same template.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": { "v1LegacyMode": false, "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    /// The change can take 30–60 minutes to apply; ask the network team why it was enabled (a
    /// built-in policy asks for it).
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints (limitations)](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Secure online endpoints (troubleshooting)](https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint)
    /// - [Network isolation change with the v2 API](https://learn.microsoft.com/azure/machine-learning/how-to-configure-network-isolation-with-v2)
    pub struct LegacyModeWorkspaceWithOnlineEndpoints;
    code: "AML-OE-001",
    name: "legacy-mode-workspace-with-online-endpoints",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A workspace with online endpoints is not in v1 legacy mode.",
}

impl Rule for LegacyModeWorkspaceWithOnlineEndpoints {
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
            // The default depends on the apiVersion and on WS_PE(w); the derived set applies it
            // and answers Unknown for a workspace the template does not write.
            let by_default = match sets.v1_legacy_mode(workspace) {
                Setting::Set(true) => false,
                Setting::Default(true) => true,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Set(false) | Setting::Default(false) | Setting::Absent => continue,
            };
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let workspace_name = node_name(&sets, workspace);
            let default_note = if by_default {
                format!(
                    " (default for api-version {} with a private endpoint)",
                    workspace_resource
                        .api_version
                        .as_deref()
                        .unwrap_or("(unknown)")
                )
            } else {
                String::new()
            };
            for (_, endpoint) in endpoints {
                // Kubernetes endpoints are not the documented failure: warning (spec).
                let severity = match endpoint.is_managed() {
                    Tri::True => Severity::Error,
                    Tri::False | Tri::Unknown => Severity::Warning,
                };
                let kind = if endpoint.is_managed().is_true() {
                    "managed online endpoint"
                } else {
                    "online endpoint"
                };
                let endpoint_resource = endpoint.resource();
                let (path, label) = if by_default {
                    (
                        "apiVersion",
                        "this apiVersion defaults v1LegacyMode to true",
                    )
                } else {
                    ("properties.v1LegacyMode", "v1 legacy mode enabled here")
                };
                ctx.report(
                    Finding::new(
                        workspace_resource,
                        path,
                        format!(
                            "Workspace '{workspace_name}' has v1LegacyMode enabled{default_note}; {kind} '{}' cannot be created.",
                            endpoint_resource.display_name()
                        ),
                    )
                    .severity(severity)
                    .label(label)
                    .related(endpoint_resource, "", "online endpoint of this workspace")
                    .help("set `properties.v1LegacyMode: false` with apiVersion 2022-05-01 or later (the change takes 30–60 minutes to apply)"),
                );
            }
        }
    }
}
