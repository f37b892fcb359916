use crate::codes::Severity;
use crate::graph::valid_group_ids;
use crate::model::kinds::{PrivateEndpoint, PrivateLinkConnection, Setting};
use crate::model::{Resource, ResourceId};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The type of a customer's Private Link Service: its connections carry no group id.
const PRIVATE_LINK_SERVICE: &str = "Microsoft.Network/privateLinkServices";

crate::declare_rule! {
    /// ## What it does
    /// Checks that a private endpoint has exactly one connection (counted over
    /// `privateLinkServiceConnections` and `manualPrivateLinkServiceConnections`) and that a
    /// connection to an Azure service lists exactly one group id. It is an error for an endpoint
    /// without any connection, for a connection with several group ids, and for a connection to
    /// a known AML target type (workspace, storage, key vault, registry, …) without a group id;
    /// a warning for several connections on one endpoint. A connection to a customer's Private
    /// Link Service (`Microsoft.Network/privateLinkServices`) carries no group id and is not
    /// checked for it. When a connection array, a group-id list or the target is known only at
    /// deployment, the rule reports at info that it cannot decide.
    ///
    /// ## Why is this bad?
    /// A private endpoint is one network interface for one sub-resource of one target. The
    /// resource provider rejects a connection to a first-party resource that names several group
    /// ids (`OnlyOneGroupIdPermitted`), and an endpoint without a connection or sub-resource has
    /// nothing to connect to. Storage needs one endpoint per sub-resource (`blob`, `file`, …),
    /// each with its own DNS zone.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-st-contoso",
    ///   "properties": {
    ///     "subnet": { "id": "[variables('peSubnetId')]" },
    ///     "privateLinkServiceConnections": [
    ///       { "name": "st", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontoso')]", "groupIds": [ "blob", "file" ] } }
    ///     ]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: one endpoint per sub-resource.
    /// ```json
    /// "privateLinkServiceConnections": [
    ///   { "name": "st-blob", "properties": { "privateLinkServiceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontoso')]", "groupIds": [ "blob" ] } }
    /// ]
    /// ```
    /// and a second endpoint with `"groupIds": [ "file" ]`.
    ///
    /// ## References
    /// - [What is a private endpoint? (private-link resource and sub-resources)](https://learn.microsoft.com/azure/private-link/private-endpoint-overview)
    /// - [Azure Private Endpoint private DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    /// - [Secure a workspace with virtual networks: storage private endpoints](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet)
    pub struct AmbiguousPrivateEndpointTarget;
    code: "AML-PE-002",
    name: "ambiguous-private-endpoint-target",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A private endpoint has one connection, and a connection to an Azure service one group id.",
}

impl Rule for AmbiguousPrivateEndpointTarget {
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
            let name = resource.display_name();
            let connections = match endpoint.connections() {
                Setting::Set(c) | Setting::Default(c) => c,
                Setting::Absent => Vec::new(),
                Setting::Unknown(cause) => {
                    ctx.indeterminate();
                    ctx.report(
                        Finding::new(
                            resource,
                            "properties",
                            format!(
                                "Cannot decide whether private endpoint '{name}' has exactly one connection: its connection list is {cause}."
                            ),
                        )
                        .severity(Severity::Note)
                        .label("connections known only at deployment")
                        .help("make sure the endpoint gets exactly one connection with one group id"),
                    );
                    continue;
                }
            };
            check_connection_count(ctx, resource, &name, connections.len());
            for connection in &connections {
                check_group_ids(ctx, resource, &name, connection);
            }
        }
    }
}

/// Case (a): no connection (error) or several (warning).
fn check_connection_count(ctx: &RuleContext<'_>, resource: &Resource, name: &str, count: usize) {
    if count == 0
        && let Some(provenance) = resource.body.first_unknown()
    {
        // A module analysed without its caller's values: nullable connection parameters are
        // null there, and the endpoint's other inputs (here one of them) are unsupplied too.
        ctx.indeterminate();
        ctx.report(
            Finding::new(
                resource,
                "properties",
                format!(
                    "Cannot decide whether private endpoint '{name}' has a connection: it has none with the values known here, and its inputs are partly known only at deployment ({}).",
                    provenance.text()
                ),
            )
            .severity(Severity::Note)
            .label("no connection with the known values")
            .help("make sure the caller supplies exactly one connection with one group id"),
        );
        return;
    }
    let (severity, label, help) = match count {
        1 => return,
        0 => (
            Severity::Error,
            "no connection",
            "add one entry to `privateLinkServiceConnections` naming the target and its group id",
        ),
        _ => (
            Severity::Warning,
            "several connections on one endpoint",
            "split the connections into one private endpoint each",
        ),
    };
    ctx.report(
        Finding::new(
            resource,
            "properties",
            format!(
                "Private endpoint '{name}' must connect to exactly one sub-resource of one target; found {count} connections."
            ),
        )
        .severity(severity)
        .label(label)
        .help(help),
    );
}

/// Case (b): a connection's group ids.
fn check_group_ids(
    ctx: &RuleContext<'_>,
    resource: &Resource,
    name: &str,
    connection: &PrivateLinkConnection<'_>,
) {
    let path = format!(
        "properties.{}.{}.properties",
        if connection.manual {
            "manualPrivateLinkServiceConnections"
        } else {
            "privateLinkServiceConnections"
        },
        connection.index
    );
    let count = match &connection.group_ids {
        Setting::Set(ids) | Setting::Default(ids) => ids.len(),
        Setting::Absent => 0,
        Setting::Unknown(cause) => {
            ctx.indeterminate();
            ctx.report(
                Finding::new(
                    resource,
                    &format!("{path}.groupIds"),
                    format!(
                        "Cannot decide whether connection {} of private endpoint '{name}' names exactly one group id: the list is {cause}.",
                        connection.index
                    ),
                )
                .severity(Severity::Note)
                .label("group ids known only at deployment")
                .help("make sure the connection names exactly one group id"),
            );
            return;
        }
    };
    if count == 1 {
        return;
    }
    let target = match &connection.target {
        Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text).ok(),
        Setting::Absent | Setting::Unknown(_) => None,
    };
    let Some(target) = target else {
        // Whether the target is a Private Link Service (no group id) or an Azure service (one)
        // depends on the unknown target.
        ctx.indeterminate();
        ctx.report(
            Finding::new(
                resource,
                &format!("{path}.privateLinkServiceId"),
                format!(
                    "Cannot decide whether connection {} of private endpoint '{name}' needs a group id: its target is known only at deployment, and it lists {count}.",
                    connection.index
                ),
            )
            .severity(Severity::Note)
            .label("target known only at deployment")
            .help("an Azure service takes exactly one group id; a Private Link Service none"),
        );
        return;
    };
    let target_type = target.full_type();
    if target_type.eq_ignore_ascii_case(PRIVATE_LINK_SERVICE) {
        return;
    }
    let target_name = target
        .last_name()
        .and_then(|s| s.as_known())
        .map_or_else(|| target_type.clone(), |n| format!("'{n}' ({target_type})"));
    let known_type = valid_group_ids(&target_type);
    let (severity, label, help) = match (count, known_type) {
        (0, Some(valid)) => (
            Severity::Error,
            "no group id".to_owned(),
            format!("name one group id: one of {}", valid.join(", ")),
        ),
        (0, None) => (
            Severity::Note,
            "no group id".to_owned(),
            "name the target's sub-resource in `groupIds`, unless the target is a Private Link Service"
                .to_owned(),
        ),
        _ => (
            Severity::Error,
            format!("{count} group ids on one connection"),
            "split into one private endpoint per group id (for storage, separate `blob` and `file` endpoints)".to_owned(),
        ),
    };
    ctx.report(
        Finding::new(
            resource,
            &format!("{path}.groupIds"),
            format!(
                "Private endpoint '{name}' must connect to exactly one sub-resource of {target_name}; found {count}."
            ),
        )
        .severity(severity)
        .label(label)
        .help(help),
    );
}
