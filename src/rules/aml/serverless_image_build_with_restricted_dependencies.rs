use super::support::{node_name, resource_of};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, EdgeKind, NodeId};
use crate::model::Tri;
use crate::model::kinds::{Compute, Setting, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a workspace whose container registry or default storage account is
    /// network-restricted (public access `Disabled`, or a firewall that denies by default) names
    /// a compute for image builds in `properties.imageBuildCompute`. When the name matches no
    /// compute cluster or compute instance of the workspace in the template, a note says so
    /// (the compute may already exist).
    ///
    /// ## Why is this bad?
    /// Without an image-build compute, environment images are built by registry tasks or on
    /// serverless compute, which cannot reach a network-restricted registry or storage; image
    /// builds, and so jobs and deployments with custom environments, fail (AML-WS-003).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "containerRegistry": "[resourceId('Microsoft.ContainerRegistry/registries', 'crcontosoml')]"
    ///   }
    /// }
    /// ```
    /// with the registry `crcontosoml` declared with `publicNetworkAccess: Disabled`.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "containerRegistry": "[resourceId('Microsoft.ContainerRegistry/registries', 'crcontosoml')]",
    ///     "imageBuildCompute": "cpu-cluster"
    ///   }
    /// }
    /// ```
    /// plus the `AmlCompute` `mlw-contoso/cpu-cluster` in the workspace's VNet (or managed
    /// network).
    ///
    /// ## References
    /// - [Secure a workspace with virtual networks: enable Azure Container Registry](https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#enable-azure-container-registry-acr)
    /// - [Configure a private endpoint: image builds](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Workspace managed network: configure image builds](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#configure-image-builds)
    pub struct ServerlessImageBuildWithRestrictedDependencies;
    code: "AML-WS-003",
    name: "serverless-image-build-with-restricted-dependencies",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A workspace with a network-restricted registry or storage builds images on a compute.",
}

impl Rule for ServerlessImageBuildWithRestrictedDependencies {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let Some(view) = resource_of(&sets, workspace).and_then(Workspace::of) else {
                continue;
            };
            let associated = sets.associated(workspace);
            let mut restricted = None;
            let mut undecided = false;
            for member in associated.possible() {
                let is_dependency = member.role == AssociatedRole::ContainerRegistry
                    || (member.role == AssociatedRole::StorageAccount
                        && member
                            .path
                            .eq_ignore_ascii_case("properties.storageAccount"));
                if !is_dependency {
                    continue;
                }
                match sets.restricted(member.node).value {
                    Tri::True => {
                        restricted.get_or_insert(member.node);
                    }
                    Tri::Unknown => undecided = true,
                    Tri::False => {}
                }
            }
            let Some(dependency) = restricted else {
                if undecided {
                    ctx.indeterminate();
                }
                continue;
            };
            let resource = view.resource();
            let name = resource.display_name();
            let dependency_name = node_name(&sets, dependency);
            match view.image_build_compute() {
                Setting::Unknown(_) => ctx.indeterminate(),
                Setting::Set(compute) | Setting::Default(compute) if !compute.trim().is_empty() => {
                    if !has_build_compute(&sets, workspace, compute) {
                        ctx.report(
                            Finding::new(
                                resource,
                                "properties.imageBuildCompute",
                                format!(
                                    "Workspace '{name}' builds images on '{compute}', which names no compute cluster or compute instance of the workspace in this template; it must exist and reach '{dependency_name}'."
                                ),
                            )
                            .severity(Severity::Note)
                            .label("image-build compute not in this template")
                            .help("make sure the compute exists (or declare it as an `AmlCompute` of the workspace) in a network that reaches the registry and storage"),
                        );
                    }
                }
                _ => {
                    let mut finding = Finding::new(
                        resource,
                        "properties",
                        format!(
                            "Workspace '{name}' builds environment images with registry tasks or serverless compute, which cannot reach the network-restricted '{dependency_name}'; set `imageBuildCompute` to a compute cluster."
                        ),
                    )
                    .label("no imageBuildCompute")
                    .help("add an `AmlCompute` in the VNet (or managed network) and set `properties.imageBuildCompute` to its name");
                    if let Some(restricted) = resource_of(&sets, dependency) {
                        finding = finding.related(restricted, "properties", "network-restricted");
                    }
                    ctx.report(finding);
                }
            }
        }
    }
}

/// Whether the template declares a compute cluster or compute instance named `name` in the
/// workspace.
fn has_build_compute(sets: &crate::graph::DerivedSets<'_>, workspace: NodeId, name: &str) -> bool {
    sets.graph()
        .incoming(workspace, EdgeKind::ComputeOfWorkspace)
        .filter_map(|relation| resource_of(sets, relation.from))
        .filter(|compute| compute.display_name().eq_ignore_ascii_case(name))
        .filter_map(Compute::of)
        .any(|compute| compute.compute_type().test(|kind| kind.is_aml_managed()) == Tri::True)
}
