use super::mvn_support::declared_rules;
use super::support::resource_of;
use crate::graph::{DerivedSets, EdgeKind, NodeId, Pna};
use crate::model::kinds::{Compute, Setting};
use crate::model::{Resource, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// Group id of a private endpoint to a workspace.
const WORKSPACE_GROUP: &str = "amlworkspace";

crate::declare_rule! {
    /// ## What it does
    /// For a workspace with a managed network whose network this deployment provisions —
    /// `properties.provisionNetworkNow: true`, or a compute cluster or compute instance of the
    /// workspace (or of a project of the hub) deployed with it — checks that the workspace's
    /// effective public access is `Disabled`, or that the managed network has a
    /// `PrivateEndpoint` outbound rule to the workspace itself (`subresourceTarget:
    /// amlworkspace`).
    ///
    /// ## Why is this bad?
    /// When the managed network is provisioned while the workspace is open to the public
    /// (or to selected IPs), the private endpoint from the managed network to the workspace may
    /// not be created, so managed computes keep reaching the workspace over its public
    /// endpoint; closing public access later then cuts them off (AML-MVN-010).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2025-09-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Enabled",
    ///     "provisionNetworkNow": true,
    ///     "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: disable public access before the network is provisioned, or add the private
    /// endpoint rule to the workspace (as a child resource that depends on it).
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2025-09-01",
    ///   "name": "mlw-contoso",
    ///   "properties": {
    ///     "publicNetworkAccess": "Disabled",
    ///     "provisionNetworkNow": true,
    ///     "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Workspace managed network: manually provision a managed VNet](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#manually-provision-a-managed-vnet)
    pub struct ManagedNetworkProvisionedWithPublicAccess;
    code: "AML-MVN-010",
    name: "managed-network-provisioned-with-public-access",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Public access is off, or a private endpoint rule to the workspace exists, when the managed network is provisioned.",
}

impl Rule for ManagedNetworkProvisionedWithPublicAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let declared = declared_rules(&sets);
        for (hub, workspace) in super::support::hub_workspaces(&sets) {
            let resource = workspace.resource();
            let flag = workspace.provision_network_now();
            let computes = managed_computes_of(&sets, hub);
            let provisioned = match (&flag, computes.is_empty()) {
                (Setting::Set(true), _) => Tri::True,
                (_, false) => Tri::True,
                (Setting::Unknown(_), true) => Tri::Unknown,
                _ => Tri::False,
            };
            let public = sets
                .effective_public_access(hub)
                .is_one_of(&[Pna::Enabled, Pna::SelectedIps]);
            let applies = provisioned.and(sets.managed(hub).value).and(public);
            match applies {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let Some(workspace_id) = resource.id.as_ref() else {
                ctx.indeterminate();
                continue;
            };
            match declared.hub_reaches(&sets, hub, workspace_id, WORKSPACE_GROUP) {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let (path, label) = if flag.is_set() {
                (
                    "properties.provisionNetworkNow",
                    "managed network provisioned now",
                )
            } else {
                (
                    "properties.managedNetwork",
                    "managed network provisioned by the first compute",
                )
            };
            let mut finding = Finding::new(
                resource,
                path,
                format!(
                    "Provisioning the managed network of '{}' with public access enabled may skip the workspace's private endpoint inside the managed network.",
                    resource.display_name()
                ),
            )
            .label(label)
            .help("set `publicNetworkAccess` to `Disabled` before the managed network is provisioned, or add a `PrivateEndpoint` outbound rule to the workspace (`amlworkspace`)");
            if workspace.public_network_access().is_set() {
                finding = finding.related(
                    resource,
                    "properties.publicNetworkAccess",
                    "public access enabled",
                );
            }
            for compute in computes {
                finding =
                    finding.related(compute, "", "compute that provisions the managed network");
            }
            ctx.report(finding);
        }
    }
}

/// The compute clusters and instances the template writes for `hub` or its projects: the
/// first of them provisions the managed network.
fn managed_computes_of<'g>(sets: &DerivedSets<'g>, hub: NodeId) -> Vec<&'g Resource> {
    let graph = sets.graph();
    sets.workspaces_of_hub(hub)
        .into_iter()
        .flat_map(|workspace| {
            graph
                .incoming(workspace, EdgeKind::ComputeOfWorkspace)
                .map(|relation| relation.from)
                .collect::<Vec<_>>()
        })
        .filter(|compute| sets.written(*compute).is_possible())
        .filter_map(|compute| resource_of(sets, compute))
        .filter(|resource| {
            Compute::of(resource)
                .and_then(|view| view.compute_type().known())
                .is_some_and(|kind| kind.is_aml_managed())
        })
        .collect()
}
