use std::collections::HashMap;

use super::compute_network_support::vnet_name;
use super::dns_support::needing_vnets;
use super::net_support::{DeclaredPeering, declared_peerings};
use crate::graph::{DerivedSets, EdgeKind, NodeId, vnet_of_subnet};
use crate::model::kinds::{Peering, Setting};
use crate::model::{Resource, ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks every peering between two virtual networks on an Azure Machine Learning path —
    /// the VNets of the workspace private endpoints, of computes and AKS clusters that need the
    /// workspace privately, and of the associated resources' private endpoints — for three
    /// defects:
    /// - the peered VNet is deployed by the template but has no peering back;
    /// - either side sets `allowVirtualNetworkAccess: false`;
    /// - subnet-level peering (`peerCompleteVnets: false`) leaves out a compute or endpoint
    ///   subnet in `localSubnetNames` or `remoteSubnetNames`.
    ///
    /// Peerings to a VNet the template does not deploy are not judged: their other half is
    /// invisible.
    ///
    /// ## Why is this bad?
    /// A peering only carries traffic once both directions exist (its state stays `Initiated`
    /// until then) and both allow virtual network access; subnet-level peering carries only the
    /// listed subnets. Computes then cannot reach the workspace's private endpoints, or the
    /// workspace's storage, registry and key vault endpoints, and jobs fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-training/to-hub",
    ///   "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]" } }
    /// }
    /// ```
    /// with no peering from `vnet-hub` to `vnet-training`.
    ///
    /// Use instead: declare the reverse peering too.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-hub/to-training",
    ///   "properties": { "remoteVirtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-training')]" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: compute cluster in a different VNet](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Create, change, or delete a virtual network peering](https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering)
    pub struct IncompleteVnetPeering;
    code: "AML-NET-006",
    name: "incomplete-vnet-peering",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Peerings on an AML path are declared in both directions and allow traffic.",
}

/// The VNets and subnets on the AML paths of every workspace.
#[derive(Default)]
struct AmlPaths {
    /// VNets, with whether they are certainly on a path.
    vnets: Vec<(ResourceId, Tri)>,
    /// Fully known VNets of `vnets` by key: equal keys are the only definite matches, and a
    /// scan per VNet and peering made large templates quadratic.
    known_vnets: HashMap<Box<str>, usize>,
    /// The VNets of `vnets` whose ids have unknown segments: they may match anything.
    uncertain_vnets: Vec<usize>,
    /// Compute and endpoint subnets, which subnet-level peering must include.
    subnets: Vec<ResourceId>,
}

impl AmlPaths {
    fn add_vnet(&mut self, vnet: ResourceId, certainty: Tri) {
        // Only two fully known ids match definitely, and then their keys are equal.
        if !vnet.has_unknown() {
            if let Some(&at) = self.known_vnets.get(vnet.key()) {
                if let Some((_, known)) = self.vnets.get_mut(at) {
                    *known = known.or(certainty);
                }
                return;
            }
            self.known_vnets.insert(vnet.key().into(), self.vnets.len());
        } else {
            self.uncertain_vnets.push(self.vnets.len());
        }
        self.vnets.push((vnet, certainty));
    }

    /// Adds a subnet that subnet-level peering must include; `on_path` also puts its VNet on
    /// the paths (endpoint subnets; a compute's VNet is on a path only if it is in `R(w)`).
    fn add_subnet(&mut self, subnet: ResourceId, certainty: Tri, on_path: bool) {
        if on_path && let Some(vnet) = vnet_of_subnet(&subnet) {
            self.add_vnet(vnet, certainty);
        }
        self.subnets.push(subnet);
    }

    /// Whether `vnet` is on a path.
    fn holds(&self, vnet: &ResourceId) -> Tri {
        let on_path = |(known, certainty): &(ResourceId, Tri)| known.matches(vnet).and(*certainty);
        if vnet.has_unknown() {
            return Tri::any(self.vnets.iter().map(on_path));
        }
        // Fully known VNets with another key never match this one.
        let exact = self
            .known_vnets
            .get(vnet.key())
            .and_then(|&at| self.vnets.get(at))
            .map_or(Tri::False, on_path);
        exact.or(Tri::any(
            self.uncertain_vnets
                .iter()
                .filter_map(|&at| self.vnets.get(at))
                .map(on_path),
        ))
    }

    /// The path subnets of `vnet` that `names` does not list (`None` when undecided).
    fn excluded<'p>(
        &'p self,
        vnet: &ResourceId,
        names: Setting<'_, Vec<Setting<'_, &str>>>,
    ) -> Option<Vec<&'p ResourceId>> {
        let names = match names {
            Setting::Set(names) | Setting::Default(names) => names,
            Setting::Absent => Vec::new(),
            Setting::Unknown(_) => return None,
        };
        let mut excluded = Vec::new();
        for subnet in &self.subnets {
            match vnet_of_subnet(subnet).map_or(Tri::False, |v| v.matches(vnet)) {
                Tri::False => continue,
                Tri::Unknown => return None,
                Tri::True => {}
            }
            let name = subnet.last_name().and_then(|s| s.as_known())?;
            let listed = Tri::any(
                names
                    .iter()
                    .map(|n| n.test(|n| n.eq_ignore_ascii_case(name))),
            );
            match listed {
                Tri::True => {}
                Tri::Unknown => return None,
                Tri::False => excluded.push(subnet),
            }
        }
        Some(excluded)
    }
}

impl Rule for IncompleteVnetPeering {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let paths = aml_paths(&sets);
        if paths.vnets.is_empty() {
            return;
        }
        let graph = sets.graph();
        for DeclaredPeering {
            resource,
            peering,
            local_node,
            deployed: written,
        } in declared_peerings(graph)
        {
            let Some(local) = graph.node(local_node).and_then(|n| n.id()).cloned() else {
                continue;
            };
            let remote = match peering.remote_virtual_network_id() {
                Setting::Set(text) | Setting::Default(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    Err(_) => continue,
                },
                Setting::Absent => continue,
                Setting::Unknown(_) => {
                    if paths.holds(&local).is_possible() {
                        ctx.indeterminate();
                    }
                    continue;
                }
            };
            match paths.holds(&local).and(paths.holds(&remote)) {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            if written != Tri::True {
                ctx.indeterminate();
                continue;
            }
            let Some(problem) = problem(ctx, &sets, &paths, peering, &local, &remote) else {
                continue;
            };
            let mut finding = Finding::new(
                resource,
                problem.path,
                format!(
                    "Peering '{}' from '{}' to '{}' {}.",
                    resource.display_name(),
                    vnet_name(&local),
                    vnet_name(&remote),
                    problem.text
                ),
            )
            .label(problem.label)
            .help(problem.help);
            if let Some(remote_resource) = graph
                .find(&remote)
                .and_then(|n| graph.node(n))
                .and_then(|n| n.resource())
            {
                finding = finding.related(remote_resource, "", "the peered VNet");
            }
            ctx.report(finding);
        }
    }
}

/// What is wrong with one peering.
struct Problem {
    path: &'static str,
    text: String,
    label: &'static str,
    help: &'static str,
}

/// The first defect of a peering between two path VNets, if any; undecided checks are counted.
fn problem(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'_>,
    paths: &AmlPaths,
    peering: Peering<'_>,
    local: &ResourceId,
    remote: &ResourceId,
) -> Option<Problem> {
    match peering.allow_virtual_network_access() {
        Setting::Set(false) => {
            return Some(Problem {
                path: "properties.allowVirtualNetworkAccess",
                text: "does not allow virtual network access".to_owned(),
                label: "virtual network access turned off",
                help: "set allowVirtualNetworkAccess to true (or leave it out)",
            });
        }
        Setting::Unknown(_) => ctx.indeterminate(),
        _ => {}
    }
    match reverse_peering(sets, remote, local) {
        Tri::False => {
            return Some(Problem {
                path: "properties.remoteVirtualNetwork.id",
                text: "has no reverse peering; it never reaches the Connected state".to_owned(),
                label: "peering without its reverse",
                help: "declare the peering from the remote VNet back to this one",
            });
        }
        Tri::Unknown => ctx.indeterminate(),
        Tri::True => {}
    }
    match peering.peer_complete_vnets() {
        Setting::Set(false) => {}
        Setting::Unknown(_) => {
            ctx.indeterminate();
            return None;
        }
        _ => return None,
    }
    for (vnet, names, path) in [
        (
            local,
            peering.local_subnet_names(),
            "properties.localSubnetNames",
        ),
        (
            remote,
            peering.remote_subnet_names(),
            "properties.remoteSubnetNames",
        ),
    ] {
        match paths.excluded(vnet, names) {
            None => ctx.indeterminate(),
            Some(excluded) => {
                if let Some(subnet) = excluded.first() {
                    return Some(Problem {
                        path,
                        text: format!("excludes subnet '{}'", vnet_name(subnet)),
                        label: "subnet-level peering without a compute or endpoint subnet",
                        help: "add the compute and private endpoint subnets to the peering's subnet lists, or peer the complete VNets",
                    });
                }
            }
        }
    }
    None
}

/// Whether `from`, a VNet the template deploys, has a peering to `to`; `Unknown` for a VNet
/// deployed elsewhere (its peerings are invisible).
fn reverse_peering(sets: &DerivedSets<'_>, from: &ResourceId, to: &ResourceId) -> Tri {
    let graph = sets.graph();
    let Some(node) = graph.find(from) else {
        return Tri::Unknown;
    };
    if sets.written(node) != Tri::True {
        return Tri::Unknown;
    }
    Tri::any(
        graph
            .incoming(node, EdgeKind::Parent)
            .filter_map(|relation| {
                let resource: &Resource = graph.node(relation.from)?.resource()?;
                let peering = Peering::of(resource)?;
                let target = match peering.remote_virtual_network_id() {
                    Setting::Set(text) | Setting::Default(text) => ResourceId::parse(text)
                        .map(|id| id.matches(to))
                        .unwrap_or(Tri::False),
                    Setting::Unknown(_) => Tri::Unknown,
                    Setting::Absent => Tri::False,
                };
                Some(resource.state.deployed().and(target))
            }),
    )
}

/// The VNets and subnets on the AML paths of every workspace: `R(w)`, `PE_VNETS(w)` and the
/// VNets of the associated resources' private endpoints.
fn aml_paths(sets: &DerivedSets<'_>) -> AmlPaths {
    let mut paths = AmlPaths::default();
    let graph = sets.graph();
    let subnet_of = |endpoint: NodeId| {
        graph
            .outgoing(endpoint, EdgeKind::InSubnet)
            .next()
            .and_then(|r| graph.node(r.to))
            .and_then(|n| n.id())
            .cloned()
    };
    for workspace in sets.workspaces() {
        let (vnets, _) = needing_vnets(sets, workspace);
        for needing in vnets {
            paths.add_vnet(needing.vnet, needing.certainty);
        }
        for member in &sets.compute_subnets(workspace).members {
            paths.add_subnet(member.item.subnet.clone(), member.certainty, false);
        }
        for member in &sets.workspace_private_endpoints(workspace).members {
            if let Some(subnet) = subnet_of(member.item) {
                paths.add_subnet(subnet, member.certainty, true);
            }
        }
        for member in &sets.associated(workspace).members {
            for relation in graph.incoming(member.item.node, EdgeKind::PrivateLinkTarget) {
                let certainty = member.certainty.and(sets.written(relation.from));
                if certainty == Tri::False {
                    continue;
                }
                if let Some(subnet) = subnet_of(relation.from) {
                    paths.add_subnet(subnet, certainty, true);
                }
            }
        }
    }
    paths
}
