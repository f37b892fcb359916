//! Helpers the AML-AKS, AML-DBX and AML-ATT rules share: the attached computes of the
//! workspaces and the resources they point at (`properties.resourceId`, §2.13).

use super::net_support::declared;
use super::support::resource_of;
use crate::graph::{DerivedSets, EdgeKind, NodeId};
use crate::model::kinds::{Compute, ComputeType, DatabricksWorkspace, Setting};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, RuleContext};

/// What the `properties.resourceId` of an attached compute leads to.
#[derive(Debug, Clone, Copy)]
pub(super) enum AttachedTarget<'g> {
    /// A resource the template declares (written, conditional or `existing`: the views make the
    /// properties of an `existing` one unknown).
    Declared(NodeId, &'g Resource),
    /// A resource outside the template, or an id known only at deployment: its properties are
    /// invisible.
    Invisible,
    /// The compute names no resource.
    Missing,
}

/// One attached compute of a workspace.
#[derive(Debug, Clone, Copy)]
pub(super) struct AttachedCompute<'g> {
    /// The workspace the compute belongs to.
    pub workspace: NodeId,
    /// The workspace's declaration.
    pub workspace_resource: &'g Resource,
    /// The compute's declaration.
    pub compute: &'g Resource,
    /// The compute's view.
    pub view: Compute<'g>,
    /// The resource it attaches.
    pub target: AttachedTarget<'g>,
}

/// The computes of the written workspaces whose type is one of `types`, with their targets.
/// A compute whose type is known only at deployment counts as an undecided check.
pub(super) fn attached_computes<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
    types: &[ComputeType],
) -> Vec<AttachedCompute<'g>> {
    let mut found = Vec::new();
    for workspace in sets.workspaces() {
        let Some(workspace_resource) = resource_of(sets, workspace) else {
            continue;
        };
        for relation in sets
            .graph()
            .incoming(workspace, EdgeKind::ComputeOfWorkspace)
        {
            if sets.written(relation.from) == Tri::False {
                continue;
            }
            let Some(compute) = resource_of(sets, relation.from) else {
                continue;
            };
            let Some(view) = Compute::of(compute) else {
                continue;
            };
            match view.compute_type() {
                Setting::Set(t) if types.contains(&t) => {}
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            }
            found.push(AttachedCompute {
                workspace,
                workspace_resource,
                compute,
                view,
                target: target_of(sets, view),
            });
        }
    }
    found
}

fn target_of<'g>(sets: &DerivedSets<'g>, view: Compute<'g>) -> AttachedTarget<'g> {
    match view.attached_resource_id() {
        Setting::Set(text) | Setting::Default(text) => {
            let Ok(id) = ResourceId::parse(text) else {
                return AttachedTarget::Invisible;
            };
            declared(sets, &id).map_or(AttachedTarget::Invisible, |(node, resource)| {
                AttachedTarget::Declared(node, resource)
            })
        }
        Setting::Absent => AttachedTarget::Missing,
        Setting::Unknown(_) => AttachedTarget::Invisible,
    }
}

/// A Databricks workspace the template declares, attached to a written AML workspace by a
/// `Databricks` compute.
#[derive(Debug, Clone, Copy)]
pub(super) struct DatabricksLink<'g> {
    /// The AML workspace.
    pub workspace: NodeId,
    /// Its declaration.
    pub workspace_resource: &'g Resource,
    /// The Databricks workspace's declaration.
    pub databricks: &'g Resource,
    /// The compute that attaches it.
    pub compute: &'g Resource,
}

/// The Databricks workspaces the template declares that `Databricks` computes attach, once per
/// pair of workspaces; an attached Databricks workspace outside the template counts as an
/// undecided check.
pub(super) fn databricks_links<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
) -> Vec<DatabricksLink<'g>> {
    let mut links = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for attached in attached_computes(ctx, sets, &[ComputeType::Databricks]) {
        match attached.target {
            // Two computes attaching the same Databricks workspace are one link.
            AttachedTarget::Declared(node, resource)
                if DatabricksWorkspace::of(resource).is_some()
                    && seen.insert((attached.workspace, node)) =>
            {
                links.push(DatabricksLink {
                    workspace: attached.workspace,
                    workspace_resource: attached.workspace_resource,
                    databricks: resource,
                    compute: attached.compute,
                });
            }
            AttachedTarget::Invisible => ctx.indeterminate(),
            _ => {}
        }
    }
    links
}

impl DatabricksLink<'_> {
    /// Adds the compute that attaches the Databricks workspace to a finding.
    pub(super) fn explain(&self, finding: Finding) -> Finding {
        finding.related(
            self.compute,
            "properties.resourceId",
            format!(
                "attached to workspace '{}' here",
                self.workspace_resource.display_name()
            ),
        )
    }
}
