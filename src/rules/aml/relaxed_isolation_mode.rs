use super::mvn_support::WORKSPACE_TYPE;
use crate::model::kinds::{IsolationMode, Setting, Workspace, WorkspaceKind};
use crate::rules::{Finding, InBaseline, Rule, RuleContext, RuleMeta};

/// Where the mode is written.
const MODE_PATH: &str = "properties.managedNetwork.isolationMode";

crate::declare_rule! {
    /// ## What it does
    /// Compares the managed-network isolation mode of each workspace with the mode deployed now,
    /// read from the baseline (`baseline` in `armgraph.json`, or `--baseline`: the output of
    /// `az group export`, or the previous version of the template), and reports a workspace
    /// whose managed network the template turns off (`AllowInternetOutbound` or
    /// `AllowOnlyApprovedOutbound` to `Disabled` or absent) or relaxes (`AllowOnlyApprovedOutbound`
    /// to `AllowInternetOutbound`). Without a baseline the rule is silent; a workspace the baseline
    /// does not deploy is new and has nothing to compare with.
    ///
    /// Going from `AllowInternetOutbound` to `AllowOnlyApprovedOutbound` is not reported: the
    /// general limitations allow it (only the serverless Spark section of the documentation says
    /// otherwise).
    ///
    /// ## Why is this bad?
    /// Once a workspace has a managed network, its isolation can only be tightened: the update
    /// that relaxes or disables it fails, and the only way back is a new workspace.
    ///
    /// ## Example
    /// The baseline deploys the workspace with `AllowOnlyApprovedOutbound`; the template writes:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "managedNetwork": { "isolationMode": "AllowInternetOutbound" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: keep the deployed mode (or tighten it), and add outbound rules for the
    /// destinations the workspace needs; to relax the isolation, create a new workspace.
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "managedNetwork": {
    ///       "isolationMode": "AllowOnlyApprovedOutbound",
    ///       "outboundRules": {
    ///         "pypi": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed virtual network isolation: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#limitations)
    pub struct RelaxedIsolationMode;
    code: "AML-MVN-008",
    name: "relaxed-isolation-mode",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Isolation modes only move forward: a managed network is never relaxed or disabled.",
}

impl Rule for RelaxedIsolationMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        // Silent without a baseline: nothing is known about the deployed mode.
        if ctx.baseline().is_none() {
            return;
        }
        for resource in ctx.resources().of_type(WORKSPACE_TYPE) {
            // A body written for an `existing` workspace is never sent to ARM.
            if !resource.state.deployed().is_possible() {
                continue;
            }
            let Some(workspace) = Workspace::of(resource) else {
                continue;
            };
            // A project uses its hub's managed network (C5 `HUB`); the hub's own transition is
            // what ARM judges.
            if matches!(workspace.kind(), Setting::Set(WorkspaceKind::Project)) {
                continue;
            }
            let deployed = match ctx.in_baseline(resource) {
                InBaseline::Present(deployed) => deployed,
                InBaseline::NoBaseline | InBaseline::Absent => continue,
                InBaseline::Undecided => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let Some(old_view) = Workspace::of(deployed) else {
                continue;
            };
            let written = workspace.isolation_mode();
            let label = if written.is_set() {
                "here"
            } else {
                "by default (no managedNetwork.isolationMode)"
            };
            let (Some(old), Some(new)) = (old_view.isolation_mode().known(), written.known())
            else {
                // An unknown or unrecognised mode on either side (AML-MVN-001 reports the latter).
                ctx.indeterminate();
                continue;
            };
            if !relaxes(old, new) {
                continue;
            }
            let name = resource.display_name();
            ctx.report(
                Finding::new(
                    resource,
                    MODE_PATH,
                    format!(
                        "Workspace '{name}' cannot go from {old} to {new}; managed network isolation cannot be relaxed or disabled once enabled."
                    ),
                )
                .label(format!("{new} {label}"))
                .related_in_baseline(deployed, MODE_PATH, format!("deployed with {old}"))
                .help(format!(
                    "keep `isolationMode` at {old} (add outbound rules for what the workspace needs), or create a new workspace"
                )),
            );
        }
    }
}

/// Whether going from `old` to `new` relaxes or disables a managed network (§4.10): from a
/// managed mode to `Disabled`, or from `AllowOnlyApprovedOutbound` to `AllowInternetOutbound`.
fn relaxes(old: IsolationMode, new: IsolationMode) -> bool {
    match (old, new) {
        (IsolationMode::Disabled, _) => false,
        (_, IsolationMode::Disabled) => true,
        (IsolationMode::AllowOnlyApprovedOutbound, IsolationMode::AllowInternetOutbound) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::relaxes;
    use crate::model::kinds::IsolationMode::{
        AllowInternetOutbound as Internet, AllowOnlyApprovedOutbound as Approved, Disabled,
    };

    #[test]
    fn only_relaxing_or_disabling_transitions_are_flagged() {
        assert!(relaxes(Internet, Disabled));
        assert!(relaxes(Approved, Disabled));
        assert!(relaxes(Approved, Internet));
        // §6: the general limitations allow tightening; the Spark note is not followed.
        assert!(!relaxes(Internet, Approved));
        assert!(!relaxes(Disabled, Internet));
        assert!(!relaxes(Disabled, Approved));
        for mode in [Disabled, Internet, Approved] {
            assert!(!relaxes(mode, mode));
        }
    }
}
