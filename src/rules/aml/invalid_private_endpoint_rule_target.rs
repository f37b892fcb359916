use super::mvn_support::{DeclaredRule, declared_rules, shown};
use crate::codes::Severity;
use crate::expr::Value;
use crate::graph::valid_group_ids;
use crate::model::kinds::OutboundRuleKind;
use crate::model::{IdKind, Prop, ResourceId};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The private-endpoint targets [managed-net] documents (revision 2025-05-23). The list grows
/// between revisions, so a type outside it is a warning, never an error.
const DOCUMENTED_TARGETS: &[&str] = &[
    "Microsoft.MachineLearningServices/workspaces",
    "Microsoft.MachineLearningServices/registries",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Insights/privateLinkScopes",
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "Microsoft.Sql/servers",
    "Microsoft.DataFactory/factories",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.EventHub/namespaces",
    "Microsoft.Cache/redis",
    "Microsoft.Databricks/workspaces",
    "Microsoft.DBforMariaDB/servers",
    "Microsoft.DBforPostgreSQL/servers",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.ApiManagement/service",
];

/// Every type of this namespace is documented (`Microsoft.DBforMySQL/*`).
const DOCUMENTED_NAMESPACE: &str = "Microsoft.DBforMySQL";

/// The only target type whose rules may enable Spark.
const STORAGE_TYPE: &str = "Microsoft.Storage/storageAccounts";

crate::declare_rule! {
    /// ## What it does
    /// Checks every `PrivateEndpoint` outbound rule of a managed network: `destination` is an
    /// object whose `serviceResourceId` is a resource id and whose `subresourceTarget` is a
    /// valid private-link group id of the target's type (for the types of the group-id table:
    /// workspaces, registries, storage, key vaults, container registries, private link scopes,
    /// Databricks, AKS) — errors. It warns when the target type is not among the targets the
    /// managed-network documentation lists (as of 2025-05-23), and when `sparkEnabled` is true
    /// for a target that is not a storage account.
    ///
    /// ## Why is this bad?
    /// The managed network creates a private endpoint from the rule; without a target id or
    /// with a group id the target does not have, the provider rejects the rule or the endpoint
    /// never connects. The list of supported targets grows between documentation revisions,
    /// so an unlisted type may work but should be checked. Spark access through a private
    /// endpoint exists only for storage (AML-MVN-003).
    ///
    /// ## Example
    /// ```json
    /// "blob-pe": {
    ///   "type": "PrivateEndpoint",
    ///   "destination": {
    ///     "serviceResourceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontosodata')]",
    ///     "sparkEnabled": true
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "blob-pe": {
    ///   "type": "PrivateEndpoint",
    ///   "destination": {
    ///     "serviceResourceId": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontosodata')]",
    ///     "subresourceTarget": "blob",
    ///     "sparkEnabled": true
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: private endpoint outbound rules and supported targets](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#private-endpoints)
    /// - [What is a private endpoint? (private-link resources and sub-resources)](https://learn.microsoft.com/azure/private-link/private-endpoint-overview#private-link-resource)
    pub struct InvalidPrivateEndpointRuleTarget;
    code: "AML-MVN-003",
    name: "invalid-private-endpoint-rule-target",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Private-endpoint outbound rules name a resource id and a valid sub-resource of a supported target.",
}

impl Rule for InvalidPrivateEndpointRuleTarget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        if declared.some_unknown {
            ctx.indeterminate();
        }
        for rule in &declared.rules {
            if rule.kind() == Some(OutboundRuleKind::PrivateEndpoint) {
                check_rule(ctx, rule);
            }
        }
    }
}

/// A member as written: `Ok(None)` absent, `Err(())` known only at deployment.
fn member<'g>(rule: &DeclaredRule<'g>, path: &str) -> Result<Option<&'g Value>, ()> {
    match rule.get(path) {
        Prop::Absent | Prop::Value(Value::Null) => Ok(None),
        Prop::Unknown(_) | Prop::Value(Value::Unknown(_)) => Err(()),
        Prop::Value(value) => Ok(Some(value)),
    }
}

fn check_rule(ctx: &RuleContext<'_>, rule: &DeclaredRule<'_>) {
    let report = |path: &str, severity: Severity, problem: String, label: &str, help: &str| {
        ctx.report(
            Finding::new(
                rule.resource(),
                &rule.path(path),
                format!("Private endpoint rule '{}': {problem}.", rule.name()),
            )
            .severity(severity)
            .label(label)
            .help(help),
        );
    };
    const POINT_AT: &str = "point `serviceResourceId` at the target resource and `subresourceTarget` at its group id (storage: `blob`, `file`, …; key vault: `vault`)";

    match member(rule, "destination") {
        Err(()) => {
            ctx.indeterminate();
            return;
        }
        Ok(None) => {
            report(
                "",
                Severity::Error,
                "destination is missing".to_owned(),
                "no destination",
                POINT_AT,
            );
            return;
        }
        Ok(Some(Value::Object(_))) => {}
        Ok(Some(other)) => {
            report(
                "destination",
                Severity::Error,
                format!("destination '{}' is not an object", shown(other)),
                "not an object",
                POINT_AT,
            );
            return;
        }
    }

    // The target's type, when the id is known and well formed.
    let target = match member(rule, "destination.serviceResourceId") {
        Err(()) => {
            ctx.indeterminate();
            None
        }
        Ok(None) => {
            report(
                "destination",
                Severity::Error,
                "serviceResourceId is missing".to_owned(),
                "no target resource",
                POINT_AT,
            );
            None
        }
        Ok(Some(value)) => {
            let parsed = value
                .as_str()
                .and_then(|text| ResourceId::parse(text).ok())
                .filter(|id| id.kind() == IdKind::Resource);
            if parsed.is_none() {
                report(
                    "destination.serviceResourceId",
                    Severity::Error,
                    format!("serviceResourceId '{}' is not a resource id", shown(value)),
                    "not a resource id",
                    "use `resourceId(...)` or a full `/subscriptions/.../providers/...` id",
                );
            }
            parsed
        }
    };
    let target_type = target.as_ref().map(ResourceId::full_type);

    match member(rule, "destination.subresourceTarget") {
        Err(()) => ctx.indeterminate(),
        Ok(None) => report(
            "destination",
            Severity::Error,
            match &target_type {
                Some(kind) => format!("subresourceTarget is missing for the {kind} target"),
                None => "subresourceTarget is missing".to_owned(),
            },
            "no sub-resource",
            POINT_AT,
        ),
        Ok(Some(value)) => {
            let group = value.as_str();
            let groups = target_type.as_deref().and_then(valid_group_ids);
            let fits = match (group, groups) {
                (Some(group), Some(groups)) => groups.iter().any(|g| g.eq_ignore_ascii_case(group)),
                (Some(group), None) => !group.trim().is_empty(),
                (None, _) => false,
            };
            if !fits {
                let (problem, help) = match (&target_type, groups) {
                    (Some(kind), Some(groups)) => (
                        format!("'{}' is not a sub-resource of {kind}", shown(value)),
                        format!("use one of: {}", groups.join(", ")),
                    ),
                    _ => (
                        format!("subresourceTarget '{}' is not a group id", shown(value)),
                        POINT_AT.to_owned(),
                    ),
                };
                report(
                    "destination.subresourceTarget",
                    Severity::Error,
                    problem,
                    "wrong sub-resource",
                    &help,
                );
            }
        }
    }

    let Some(kind) = target_type else {
        return;
    };
    let documented = DOCUMENTED_TARGETS
        .iter()
        .any(|t| kind.eq_ignore_ascii_case(t))
        || target
            .as_ref()
            .is_some_and(|id| id.namespace().eq_ignore_ascii_case(DOCUMENTED_NAMESPACE));
    if !documented {
        report(
            "destination.serviceResourceId",
            Severity::Warning,
            format!("target type {kind} (not in the documented list as of 2025-05-23)"),
            "undocumented target type",
            "check that the managed network supports private endpoints to this type; the documented list grows between revisions",
        );
    }
    let spark = matches!(
        member(rule, "destination.sparkEnabled"),
        Ok(Some(Value::Bool(true)))
    );
    if spark && !kind.eq_ignore_ascii_case(STORAGE_TYPE) {
        report(
            "destination.sparkEnabled",
            Severity::Warning,
            format!(
                "sparkEnabled is true for a {kind} target; Spark access is available only for storage accounts"
            ),
            "Spark on a non-storage target",
            "set `sparkEnabled` to false, or enable it on the storage rules Spark jobs need",
        );
    }
}
