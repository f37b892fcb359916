use crate::graph::valid_group_ids;
use crate::model::ResourceId;
use crate::model::kinds::{PrivateEndpoint, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that every group id of a private endpoint connection is a sub-resource of the
    /// connection's target type: `amlworkspace` for an AML workspace, `vault` for a key vault,
    /// `blob`, `file`, `queue`, … for a storage account, and so on (only the target types the AML
    /// isolation rules know are checked).
    ///
    /// ## Why is this bad?
    /// The resource provider rejects a private endpoint whose group id the target does not
    /// offer, so the deployment fails; a group id such as `workspace` or `aml` for a workspace is
    /// a common slip.
    ///
    /// ## Example
    /// ```json
    /// "privateLinkServiceConnections": [
    ///   { "name": "pe-mlw", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw')]", "groupIds": [ "workspace" ] } }
    /// ]
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "privateLinkServiceConnections": [
    ///   { "name": "pe-mlw", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw')]", "groupIds": [ "amlworkspace" ] } }
    /// ]
    /// ```
    ///
    /// ## References
    /// - [Azure Private Endpoint private DNS zone values (sub-resources per service)](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct MismatchedPrivateLinkGroupId;
    code: "AML-PE-001",
    name: "mismatched-private-link-group-id",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Private endpoint group ids are sub-resources of the target resource type.",
}

impl Rule for MismatchedPrivateLinkGroupId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        for resource in ctx
            .resources()
            .of_type("Microsoft.Network/privateEndpoints")
        {
            if !resource.state.deployed().is_possible() {
                continue;
            }
            let Some(endpoint) = PrivateEndpoint::of(resource) else {
                continue;
            };
            let connections = match endpoint.connections() {
                Setting::Set(c) | Setting::Default(c) => c,
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            for connection in connections {
                let target = match connection.target {
                    Setting::Set(text) | Setting::Default(text) => text,
                    Setting::Absent => continue,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                };
                let Ok(target_id) = ResourceId::parse(target) else {
                    continue;
                };
                let target_type = target_id.full_type();
                let Some(valid) = valid_group_ids(&target_type) else {
                    continue;
                };
                let ids = match &connection.group_ids {
                    Setting::Set(ids) | Setting::Default(ids) => ids,
                    Setting::Absent => continue,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                };
                // JSON-pointer form (`.0.`): the body path of a finding has no `[i]` syntax.
                let path = format!(
                    "properties.{}.{}.properties.groupIds",
                    if connection.manual {
                        "manualPrivateLinkServiceConnections"
                    } else {
                        "privateLinkServiceConnections"
                    },
                    connection.index
                );
                for id in ids {
                    let group = match id {
                        Setting::Set(g) | Setting::Default(g) => *g,
                        Setting::Absent => continue,
                        Setting::Unknown(_) => {
                            ctx.indeterminate();
                            continue;
                        }
                    };
                    if valid.iter().any(|v| v.eq_ignore_ascii_case(group)) {
                        continue;
                    }
                    let list = valid.join(", ");
                    ctx.report(
                        Finding::new(
                            resource,
                            &path,
                            format!(
                                "Private endpoint '{}' targets {target_type} with group '{group}'; valid groups are {list}.",
                                resource.display_name()
                            ),
                        )
                        .label(format!("'{group}' is not a sub-resource of {target_type}"))
                        .help(format!("use one of: {list}")),
                    );
                }
            }
        }
    }
}
