use crate::expr::Value;
use crate::model::{Prop, Resource};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the public-access switches of a workspace, of a managed online endpoint and
    /// of an online deployment hold `Enabled` or `Disabled` (compared ignoring case):
    /// workspace and online endpoint `properties.publicNetworkAccess`, deployment
    /// `properties.egressPublicNetworkAccess`.
    ///
    /// ## Why is this bad?
    /// These properties are enumerations with exactly two members. Any other value — a boolean,
    /// `"false"`, `"Private"`, `"EnabledFromSelectedIPs"` — is rejected by the resource
    /// provider, so the deployment fails (AML-PNA-002).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "false" }
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
    /// Access from selected IP addresses is `publicNetworkAccess: "Enabled"` plus IP rules, not
    /// a third value.
    ///
    /// ## References
    /// - [Workspaces: template reference](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces)
    /// - [Online endpoints: template reference](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces/onlineendpoints)
    /// - [Online deployments: template reference](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces/onlineendpoints/deployments)
    pub struct InvalidPublicNetworkAccessValue;
    code: "AML-PNA-002",
    name: "invalid-public-network-access-value",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Public-access switches of workspaces, online endpoints and deployments are Enabled or Disabled.",
}

impl Rule for InvalidPublicNetworkAccessValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let checked = [
            (
                "Microsoft.MachineLearningServices/workspaces",
                "properties.publicNetworkAccess",
            ),
            (
                "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                "properties.publicNetworkAccess",
            ),
            (
                "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
                "properties.egressPublicNetworkAccess",
            ),
        ];
        for resource in ctx.resources().iter() {
            // A body written for an `existing` resource is never sent to ARM.
            if !resource.state.deployed().is_possible() {
                continue;
            }
            for (resource_type, path) in checked {
                if resource.is_type(resource_type) {
                    check_value(ctx, resource, path);
                }
            }
        }
    }
}

fn check_value(ctx: &RuleContext<'_>, resource: &Resource, path: &str) {
    let value = match resource.get(path) {
        Prop::Absent => return,
        Prop::Unknown(_) | Prop::Value(Value::Unknown(_)) => {
            ctx.indeterminate();
            return;
        }
        Prop::Value(value) => value,
    };
    let valid = value.as_str().is_some_and(|text| {
        text.eq_ignore_ascii_case("Enabled") || text.eq_ignore_ascii_case("Disabled")
    });
    if valid {
        return;
    }
    let shown = value
        .as_str()
        .map_or_else(|| value.to_json_string(), ToOwned::to_owned);
    ctx.report(
        Finding::new(
            resource,
            path,
            format!(
                "'{shown}' is not a valid value of {path} on '{}'; use Enabled or Disabled.",
                resource.display_name()
            ),
        )
        .label("not Enabled or Disabled")
        .help("use `Enabled` or `Disabled`; express \"selected IPs\" as `Enabled` plus IP rules"),
    );
}
