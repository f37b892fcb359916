use super::online_deployment_support::{DeploymentOf, EGRESS_PATH, online_deployments};
use super::support::resource_of;
use crate::codes::Severity;
use crate::graph::{AssociatedRole, DerivedSets, NodeId};
use crate::model::Tri;
use crate::model::kinds::{ContainerRegistry, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The datastore every workspace has on its default storage's blob container.
const DEFAULT_DATASTORE: &str = "workspaceblobstore";

crate::declare_rule! {
    /// ## What it does
    /// Checks the dependencies of a managed online deployment that disables public egress
    /// (`egressPublicNetworkAccess: Disabled`) in a workspace without a managed network, the
    /// legacy private-egress method: a warning when the workspace's container registry is not
    /// `Premium`, and a note when the deployment's `properties.model` points at a datastore other
    /// than `workspaceblobstore`, at another storage account than the workspace's default
    /// storage, or at a registry asset.
    ///
    /// ## Why is this bad?
    /// With the legacy method the service creates exactly three private endpoints for the
    /// deployment: to the workspace, to its default blob storage and to its container registry.
    /// Nothing else is reachable. A registry that is not Premium cannot take the private
    /// endpoint, so images cannot be pulled, and a model kept in another storage account or
    /// datastore cannot be downloaded: the deployment fails.
    ///
    /// ## Example
    /// ```json
    /// { "type": "Microsoft.ContainerRegistry/registries", "name": "crcontosoml", "sku": { "name": "Basic" } },
    /// { "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments", "name": "mlw-contoso/score/blue",
    ///   "properties": { "endpointComputeType": "Managed", "egressPublicNetworkAccess": "Disabled",
    ///                   "model": "azureml://datastores/trainingdata/paths/models/fraud/model.pkl" } }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "type": "Microsoft.ContainerRegistry/registries", "name": "crcontosoml", "sku": { "name": "Premium" } },
    /// { "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments", "name": "mlw-contoso/score/blue",
    ///   "properties": { "endpointComputeType": "Managed", "egressPublicNetworkAccess": "Disabled",
    ///                   "model": "[resourceId('Microsoft.MachineLearningServices/workspaces/models/versions', 'mlw-contoso', 'fraud', '1')]" } }
    /// ```
    /// or move the workspace to a managed network with outbound rules for the other stores.
    ///
    /// ## References
    /// - [Network isolation with managed online endpoints (legacy method)](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Secure a workspace with virtual networks: prerequisites](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#prerequisites)
    pub struct UnreachablePrivateEgressDependency;
    code: "AML-OE-006",
    name: "unreachable-private-egress-dependency",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A deployment with legacy private egress uses only the workspace, its default storage and a Premium registry.",
}

impl Rule for UnreachablePrivateEgressDependency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for found in online_deployments(&sets) {
            let private_egress = found.legacy_private_egress(&sets);
            match private_egress {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let Some(hub) = sets.hub(found.workspace).node() else {
                ctx.indeterminate();
                continue;
            };
            check_registry(ctx, &sets, &found, hub);
            check_model(ctx, &sets, &found, hub);
        }
    }
}

/// Case (a): the workspace's registry is not Premium.
fn check_registry(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    found: &DeploymentOf<'_>,
    hub: NodeId,
) {
    let associated = sets.associated(hub);
    for member in associated.possible() {
        if member.role != AssociatedRole::ContainerRegistry {
            continue;
        }
        let Some(registry) = resource_of(sets, member.node).and_then(ContainerRegistry::of) else {
            // Declared elsewhere: its SKU is invisible.
            ctx.indeterminate();
            continue;
        };
        let sku = match registry.sku() {
            Setting::Set(sku) | Setting::Default(sku) => sku.to_owned(),
            Setting::Absent => "none".to_owned(),
            Setting::Unknown(_) => {
                ctx.indeterminate();
                continue;
            }
        };
        if sku.eq_ignore_ascii_case("Premium") {
            continue;
        }
        let mut finding = Finding::new(
            found.deployment.resource(),
            EGRESS_PATH,
            format!(
                "Deployment '{}' with private egress can only reach the workspace, its default blob storage and its registry; registry '{}' (SKU {sku}) must be Premium.",
                found.name(),
                registry.resource().display_name()
            ),
        )
        .label("private egress requested here")
        .related(registry.resource(), "sku.name", "not Premium: no private endpoint possible")
        .help("set the registry's `sku.name` to `Premium`, or move the workspace to a managed network");
        if let Some(workspace) = resource_of(sets, hub) {
            finding = finding.related(workspace, &member.path, "the workspace's registry");
        }
        ctx.report(finding);
    }
}

/// Case (b): the model lives outside the default storage (a note).
fn check_model(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    found: &DeploymentOf<'_>,
    hub: NodeId,
) {
    let model = match found.deployment.property("properties.model") {
        Setting::Set(value) | Setting::Default(value) => match value.as_str() {
            Some(text) => text,
            None => return,
        },
        Setting::Absent => return,
        Setting::Unknown(_) => {
            ctx.indeterminate();
            return;
        }
    };
    let outside = match model_location(model) {
        ModelLocation::WorkspaceAsset => return,
        ModelLocation::Datastore(name) if name.eq_ignore_ascii_case(DEFAULT_DATASTORE) => return,
        ModelLocation::Datastore(name) => format!("datastore '{name}'"),
        ModelLocation::Registry => "a registry".to_owned(),
        ModelLocation::StorageAccount(account) => match default_storage_is(sets, hub, account) {
            Tri::True => return,
            Tri::Unknown => {
                ctx.indeterminate();
                return;
            }
            Tri::False => format!("storage account '{account}'"),
        },
    };
    let mut finding = Finding::new(
        found.deployment.resource(),
        "properties.model",
        format!(
            "Deployment '{}' with private egress can only reach the workspace, its default blob storage and its registry; model '{model}' (in {outside}) must live in the default storage.",
            found.name()
        ),
    )
    .severity(Severity::Note)
    .label(format!("model in {outside}"))
    .help("register the model in the workspace (its default storage), or move the workspace to a managed network with an outbound rule to that store");
    if let Some(deployment) = resource_of(sets, found.node) {
        finding = finding.related(deployment, EGRESS_PATH, "private egress requested here");
    }
    ctx.report(finding);
}

/// Where a model reference points.
#[derive(Debug, PartialEq)]
enum ModelLocation<'a> {
    /// A model asset of the workspace (`azureml:name:version`, a workspace model id): kept in the
    /// default storage.
    WorkspaceAsset,
    /// A path in a named datastore (`azureml://datastores/<name>/paths/...`).
    Datastore(&'a str),
    /// A registry asset (`azureml://registries/...`, a registry model id): kept in the registry's
    /// own storage.
    Registry,
    /// A URL of a storage account (`https://<account>.blob.core.windows.net/...`).
    StorageAccount(&'a str),
}

fn model_location(model: &str) -> ModelLocation<'_> {
    let lower = model.to_ascii_lowercase();
    if lower.starts_with("azureml://registries/")
        || lower.contains("/providers/microsoft.machinelearningservices/registries/")
    {
        return ModelLocation::Registry;
    }
    if lower.starts_with("azureml://")
        && let Some(at) = lower.find("/datastores/")
    {
        let rest = &model[at + "/datastores/".len()..];
        let name = rest.split('/').next().unwrap_or(rest);
        return ModelLocation::Datastore(name);
    }
    for scheme in ["https://", "http://", "wasbs://", "abfss://"] {
        if lower.starts_with(scheme) {
            let authority = &model[scheme.len()..];
            let host = authority.split('/').next().unwrap_or(authority);
            // wasbs/abfss URLs carry `container@account.host`.
            let host = host.rsplit('@').next().unwrap_or(host);
            let host_lower = host.to_ascii_lowercase();
            let is_storage = [".blob.", ".dfs.", ".file."]
                .iter()
                .any(|service| host_lower.contains(service));
            if is_storage && let Some((account, _)) = host.split_once('.') {
                return ModelLocation::StorageAccount(account);
            }
        }
    }
    ModelLocation::WorkspaceAsset
}

/// Whether the workspace's default storage account is named `account`.
fn default_storage_is(sets: &DerivedSets<'_>, hub: NodeId, account: &str) -> Tri {
    let associated = sets.associated(hub);
    let mut answer = Tri::False;
    for member in associated.possible() {
        if member.role != AssociatedRole::StorageAccount
            || member.path != "properties.storageAccount"
        {
            continue;
        }
        let name = sets
            .graph()
            .node(member.node)
            .and_then(|n| n.id())
            .and_then(|id| id.last_name())
            .and_then(|segment| segment.as_known());
        answer = answer.or(match name {
            Some(name) => Tri::from(name.eq_ignore_ascii_case(account)),
            None => Tri::Unknown,
        });
    }
    if answer == Tri::False && !associated.open.is_empty() {
        return Tri::Unknown;
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::{ModelLocation, model_location};

    #[test]
    fn model_references_are_located() {
        assert_eq!(
            model_location("azureml://datastores/trainingdata/paths/m/model.pkl"),
            ModelLocation::Datastore("trainingdata")
        );
        assert_eq!(
            model_location("azureml://registries/shared/models/fraud/versions/1"),
            ModelLocation::Registry
        );
        assert_eq!(
            model_location("https://stother.blob.core.windows.net/models/m.pkl"),
            ModelLocation::StorageAccount("stother")
        );
        assert_eq!(
            model_location("azureml:fraud-model:1"),
            ModelLocation::WorkspaceAsset
        );
    }
}
