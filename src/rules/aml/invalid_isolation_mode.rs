use super::mvn_support::{WORKSPACE_TYPE, shown};
use crate::expr::Value;
use crate::model::Prop;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Where the mode is written.
const MODE_PATH: &str = "properties.managedNetwork.isolationMode";

/// The three modes, spelled as ARM expects them (compared ignoring case, C1).
const MODES: [&str; 3] = [
    "Disabled",
    "AllowInternetOutbound",
    "AllowOnlyApprovedOutbound",
];

crate::declare_rule! {
    /// ## What it does
    /// Checks that `properties.managedNetwork.isolationMode` of a workspace is `Disabled`,
    /// `AllowInternetOutbound` or `AllowOnlyApprovedOutbound` (compared ignoring case).
    ///
    /// ## Why is this bad?
    /// The isolation mode is an enumeration of exactly these three values. Anything else — the
    /// CLI and YAML spellings `allow_only_approved_outbound` or `allow_internet_outbound`, a
    /// boolean, `"Enabled"` — is rejected by the resource provider, so the deployment fails
    /// (AML-MVN-001).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "managedNetwork": { "isolationMode": "allow_only_approved_outbound" }
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
    ///   "properties": {
    ///     "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    /// - [Workspaces: template reference (`ManagedNetworkSettings`)](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces)
    pub struct InvalidIsolationMode;
    code: "AML-MVN-001",
    name: "invalid-isolation-mode",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "The managed-network isolation mode is Disabled, AllowInternetOutbound or AllowOnlyApprovedOutbound.",
}

impl Rule for InvalidIsolationMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        for resource in ctx.resources().of_type(WORKSPACE_TYPE) {
            // A body written for an `existing` workspace is never sent to ARM.
            if !resource.state.deployed().is_possible() {
                continue;
            }
            let value = match resource.get(MODE_PATH) {
                Prop::Absent | Prop::Value(Value::Null) => continue,
                Prop::Unknown(_) | Prop::Value(Value::Unknown(_)) => {
                    ctx.indeterminate();
                    continue;
                }
                Prop::Value(value) => value,
            };
            let valid = value
                .as_str()
                .is_some_and(|text| MODES.iter().any(|mode| text.eq_ignore_ascii_case(mode)));
            if valid {
                continue;
            }
            let written = shown(value);
            let help = match value.as_str().and_then(intended_mode) {
                Some(mode) => {
                    format!("write `{mode}`; the CLI and YAML spelling is not the ARM value")
                }
                None => "use `Disabled`, `AllowInternetOutbound` or `AllowOnlyApprovedOutbound`"
                    .to_owned(),
            };
            ctx.report(
                Finding::new(
                    resource,
                    MODE_PATH,
                    format!(
                        "isolationMode '{written}' of workspace '{}' is not valid; use Disabled, AllowInternetOutbound or AllowOnlyApprovedOutbound.",
                        resource.display_name()
                    ),
                )
                .label("not a managed-network isolation mode")
                .help(help),
            );
        }
    }
}

/// The mode a CLI/YAML spelling (`allow_only_approved_outbound`) stands for: the same letters
/// once `_`, `-` and spaces are dropped, ignoring case.
fn intended_mode(text: &str) -> Option<&'static str> {
    let letters: String = text
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .collect();
    MODES
        .iter()
        .copied()
        .find(|mode| mode.eq_ignore_ascii_case(&letters))
}

#[cfg(test)]
mod tests {
    use super::intended_mode;

    #[test]
    fn cli_spellings_map_to_the_arm_mode() {
        assert_eq!(
            intended_mode("allow_only_approved_outbound"),
            Some("AllowOnlyApprovedOutbound")
        );
        assert_eq!(
            intended_mode("allow-internet-outbound"),
            Some("AllowInternetOutbound")
        );
        assert_eq!(intended_mode("Enabled"), None);
    }
}
