use super::support::hub_workspaces;
use crate::codes::Severity;
use crate::model::Tri;
use crate::model::kinds::{Access, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace does not set the legacy `allowPublicAccessWhenBehindVnet` flag
    /// against its `publicNetworkAccess`: `true` with `Disabled`, or `false` with `Enabled` while
    /// a private endpoint targets the workspace. A workspace that sets only the legacy flag is
    /// reported as a note.
    ///
    /// ## Why is this bad?
    /// The two properties express the same setting and each overrides the other, so when they
    /// disagree the outcome depends on the order in which the service applies them
    /// (AML-PNA-006). Microsoft recommends `publicNetworkAccess` alone.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "allowPublicAccessWhenBehindVnet": true,
    ///     "publicNetworkAccess": "Disabled"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint: enable or disable public access](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link#enable-public-access)
    pub struct ConflictingPublicAccessFlags;
    code: "AML-PNA-006",
    name: "conflicting-public-access-flags",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "The legacy allowPublicAccessWhenBehindVnet flag does not contradict publicNetworkAccess.",
}

impl Rule for ConflictingPublicAccessFlags {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            let resource = workspace.resource();
            let name = resource.display_name();
            let legacy = match workspace.allow_public_access_when_behind_vnet() {
                Setting::Set(flag) => flag,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Default(_) | Setting::Absent => continue,
            };
            let access = match workspace.public_network_access() {
                Setting::Set(access) => access,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                Setting::Default(_) | Setting::Absent => {
                    ctx.report(
                        Finding::new(
                            resource,
                            "properties.allowPublicAccessWhenBehindVnet",
                            format!(
                                "Workspace '{name}' sets only the legacy allowPublicAccessWhenBehindVnet={legacy}; publicNetworkAccess is the current property."
                            ),
                        )
                        .severity(Severity::Note)
                        .label("legacy flag")
                        .help("replace `allowPublicAccessWhenBehindVnet` with `publicNetworkAccess`"),
                    );
                    continue;
                }
            };
            let contradicts = match (legacy, access) {
                (true, Access::Disabled) => Tri::True,
                (false, Access::Enabled) => sets.workspace_private_endpoints(node).non_empty(),
                _ => Tri::False,
            };
            match contradicts {
                Tri::False => {}
                Tri::Unknown => ctx.indeterminate(),
                Tri::True => ctx.report(
                    Finding::new(
                        resource,
                        "properties.allowPublicAccessWhenBehindVnet",
                        format!(
                            "Workspace '{name}': allowPublicAccessWhenBehindVnet={legacy} contradicts publicNetworkAccess={access}; each overrides the other, so the outcome depends on write order."
                        ),
                    )
                    .label("legacy flag contradicts publicNetworkAccess")
                    .related(
                        resource,
                        "properties.publicNetworkAccess",
                        "current property set here",
                    )
                    .help("remove `allowPublicAccessWhenBehindVnet` and keep `publicNetworkAccess` only"),
                ),
            }
        }
    }
}
