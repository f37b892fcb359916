use std::collections::HashSet;

use super::support::{resource_of, role_name};
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::Resource;
use crate::model::kinds::{Compute, Setting, VirtualNetwork, Workspace};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Notes the resources of a workspace that the template deploys in another region than the
    /// workspace: its storage account, key vault, container registry and Application Insights,
    /// its computes (the compute region is `properties.computeLocation`, else `location`, else
    /// the workspace's region) and the virtual networks its computes join. Regions compare
    /// ignoring case and spaces (`West Europe` = `westeurope`).
    ///
    /// ## Why is this bad?
    /// The recommended network-isolated architectures keep the workspace, its data and its
    /// computes in one region. Traffic between regions adds latency and data-transfer cost, and a
    /// compute far from its storage reads every batch of training data across regions. A split
    /// may be deliberate (a cluster where GPU capacity is), so this is a note.
    ///
    /// ## Example
    /// ```json
    /// { "type": "Microsoft.MachineLearningServices/workspaces", "name": "mlw-contoso", "location": "westeurope",
    ///   "properties": { "storageAccount": "[resourceId('Microsoft.Storage/storageAccounts', 'stcontoso')]" } },
    /// { "type": "Microsoft.Storage/storageAccounts", "name": "stcontoso", "location": "northeurope" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "type": "Microsoft.Storage/storageAccounts", "name": "stcontoso", "location": "westeurope" }
    /// ```
    ///
    /// ## References
    /// - [Plan for network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    /// - [Secure a training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct CrossRegionWorkspaceResource;
    code: "AML-WS-008",
    name: "cross-region-workspace-resource",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "A workspace's associated resources, computes and compute VNets are in its region.",
}

impl Rule for CrossRegionWorkspaceResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut reported = HashSet::new();
        for workspace in sets.workspaces() {
            let Some(workspace_resource) = resource_of(&sets, workspace) else {
                continue;
            };
            let Some(view) = Workspace::of(workspace_resource) else {
                continue;
            };
            let region = match view.location() {
                Setting::Set(region) | Setting::Default(region) => region,
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            let judge = Judge {
                ctx,
                workspace: workspace_resource,
                region: &region,
            };
            for (resource, kind, path, other) in members(&sets, workspace) {
                if !reported.insert((resource.index, workspace_resource.index)) {
                    continue;
                }
                judge.compare(resource, &kind, &path, other);
            }
        }
    }
}

/// A resource to compare: the resource, what it is to the workspace, the body path of its
/// region, and its region.
type Member<'g> = (&'g Resource, String, String, Setting<'g, String>);

/// The associated resources, computes and compute VNets of `workspace` that the template writes.
fn members<'g>(sets: &DerivedSets<'g>, workspace: NodeId) -> Vec<Member<'g>> {
    let mut found = Vec::new();
    let written = |node: NodeId| sets.written(node).is_possible();
    for member in sets.associated(workspace).possible() {
        if !written(member.node) {
            continue;
        }
        let Some(resource) = resource_of(sets, member.node) else {
            continue;
        };
        let region = crate::model::kinds::Props::of(resource).location();
        found.push((
            resource,
            role_name(member.role).to_owned(),
            "location".to_owned(),
            region,
        ));
    }
    for relation in sets
        .graph()
        .incoming(workspace, EdgeKind::ComputeOfWorkspace)
    {
        if !written(relation.from) {
            continue;
        }
        let Some(resource) = resource_of(sets, relation.from) else {
            continue;
        };
        let Some(compute) = Compute::of(resource) else {
            continue;
        };
        let path = if compute.compute_location().is_set() {
            "properties.computeLocation"
        } else {
            "location"
        };
        found.push((
            resource,
            "compute".to_owned(),
            path.to_owned(),
            sets.compute_region(relation.from),
        ));
    }
    for vnet in sets.compute_vnets(workspace).possible() {
        let Some(node) = sets.graph().find(vnet) else {
            continue;
        };
        if !written(node) {
            continue;
        }
        let Some(view) = resource_of(sets, node).and_then(VirtualNetwork::of) else {
            continue;
        };
        found.push((
            view.resource(),
            "compute virtual network".to_owned(),
            "location".to_owned(),
            view.location(),
        ));
    }
    found
}

struct Judge<'c, 'a> {
    ctx: &'c RuleContext<'a>,
    workspace: &'a Resource,
    region: &'c str,
}

impl Judge<'_, '_> {
    fn compare(&self, resource: &Resource, kind: &str, path: &str, other: Setting<'_, String>) {
        let other = match other {
            Setting::Set(r) | Setting::Default(r) => r,
            Setting::Absent => return,
            Setting::Unknown(_) => {
                self.ctx.indeterminate();
                return;
            }
        };
        // A `global` location has no region to compare.
        if other == "global" || other == self.region {
            return;
        }
        self.ctx.report(
            Finding::new(
                resource,
                path,
                format!(
                    "'{}' is in {other}, the workspace '{}' in {}; cross-region traffic adds latency and data transfer cost.",
                    resource.display_name(),
                    self.workspace.display_name(),
                    self.region
                ),
            )
            .label(format!("{kind} in {other}"))
            .related(
                self.workspace,
                "location",
                format!("workspace in {}", self.region),
            )
            .help(format!(
                "deploy the {kind} in {} unless the split is deliberate",
                self.region
            )),
        );
    }
}
