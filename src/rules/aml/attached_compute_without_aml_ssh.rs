use super::nsg_support::{
    FlowProblem, SubnetPlacement, blocker, nsg_attached, subnet_placement, uncertainty,
    with_related,
};
use super::support::resource_of;
use crate::codes::Severity;
use crate::graph::DerivedSets;
use crate::model::kinds::{
    Compute, ComputeType, HdInsightCluster, NetworkInterface, Setting, VirtualMachine,
};
use crate::model::{Prop, Resource, ResourceId, Tri};
use crate::netsec::{ComputeKind, Outcome, RequiredFlowOptions, evaluate, required_flows};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The resource type of computes.
const COMPUTE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/computes";

crate::declare_rule! {
    /// ## What it does
    /// For every attached `VirtualMachine` or `HDInsight` compute whose target the template
    /// deploys, evaluates inbound TCP `sshPort` (default 22) from the `AzureMachineLearning`
    /// service tag against the NSGs of the target: for a VM, the subnet NSG and the NIC NSG of
    /// each network interface; for HDInsight, the NSGs of the cluster's subnets. It reports a
    /// flow that a rule denies or that no rule admits. When the target is outside the template,
    /// it notes that the target's NSGs must admit the flow.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning submits jobs to attached virtual machines and HDInsight clusters
    /// over SSH from its own addresses. When the NSG drops that traffic, the attach succeeds or
    /// fails late and every job on the compute fails.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/dsvm",
    ///   "properties": {
    ///     "computeType": "VirtualMachine",
    ///     "resourceId": "[resourceId('Microsoft.Compute/virtualMachines', 'vm-dsvm')]",
    ///     "properties": { "sshPort": 22 }
    ///   }
    /// }
    /// ```
    /// with the VM's NIC in a subnet whose NSG has no inbound rule for `AzureMachineLearning`.
    ///
    /// Use instead: allow SSH from the service tag.
    /// ```json
    /// {
    ///   "name": "AllowAzureMachineLearningSsh",
    ///   "properties": {
    ///     "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    ///     "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*",
    ///     "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "22"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Attach a virtual machine or HDInsight cluster](https://learn.microsoft.com/azure/machine-learning/how-to-attach-compute-targets)
    pub struct AttachedComputeWithoutAmlSsh;
    code: "AML-NSG-008",
    name: "attached-compute-without-aml-ssh",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Attached VMs and HDInsight accept SSH from AzureMachineLearning.",
}

impl Rule for AttachedComputeWithoutAmlSsh {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for resource in ctx.resources().of_type(COMPUTE_TYPE) {
            let Some(compute) = Compute::of(resource) else {
                continue;
            };
            let vm = match compute.compute_type() {
                Setting::Set(ComputeType::VirtualMachine) => true,
                Setting::Set(ComputeType::HdInsight) => false,
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            match resource.state.deployed() {
                Tri::True => {}
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            let Some(port) = ssh_port(resource) else {
                ctx.indeterminate();
                continue;
            };
            let target = match compute.attached_resource_id() {
                Setting::Set(text) => ResourceId::parse(text).ok(),
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            let declared = target
                .as_ref()
                .and_then(|id| sets.graph().find(id))
                .filter(|&node| sets.written(node) == Tri::True)
                .and_then(|node| resource_of(&sets, node));
            let name = resource.display_name();
            let Some(target) = declared else {
                ctx.report(
                    Finding::new(
                        resource,
                        "properties.resourceId",
                        format!(
                            "Attached compute '{name}' needs inbound TCP {port} from AzureMachineLearning; its target is outside the template, so check that its NSGs admit it."
                        ),
                    )
                    .label("attached target deployed elsewhere")
                    .severity(Severity::Note)
                    .help(format!(
                        "allow inbound TCP {port} from the AzureMachineLearning service tag on the target's subnet and NIC NSGs"
                    )),
                );
                continue;
            };
            let placements = if vm {
                vm_placements(ctx, &sets, target)
            } else {
                hdinsight_placements(ctx, &sets, target)
            };
            for placement in placements {
                check_placement(ctx, resource, &name, port, &placement);
            }
        }
    }
}

/// `properties.properties.sshPort`, default 22; `None` when not known.
fn ssh_port(resource: &Resource) -> Option<u16> {
    match resource.get("properties.properties.sshPort") {
        Prop::Absent => Some(22),
        Prop::Value(value) => value.as_int().and_then(|p| u16::try_from(p).ok()),
        Prop::Unknown(_) => None,
    }
}

/// The subnet and NIC NSG of each network interface of a VM the template deploys.
fn vm_placements<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
    vm: &'g Resource,
) -> Vec<SubnetPlacement<'g>> {
    let Some(view) = VirtualMachine::of(vm) else {
        return Vec::new();
    };
    let Some(nic_ids) = view.network_interface_ids().known() else {
        ctx.indeterminate();
        return Vec::new();
    };
    let mut placements = Vec::new();
    for nic_id in nic_ids {
        let nic_node = nic_id
            .known()
            .and_then(|text| ResourceId::parse(text).ok())
            .and_then(|id| sets.graph().find(&id))
            .filter(|&node| sets.written(node) == Tri::True);
        let nic = nic_node.and_then(|node| Some((node, resource_of(sets, node)?)));
        let Some((nic_node, nic_view)) =
            nic.and_then(|(node, r)| Some((node, NetworkInterface::of(r)?)))
        else {
            ctx.indeterminate();
            continue;
        };
        let subnet = nic_view
            .subnet_ids()
            .known()
            .and_then(|ids| ids.into_iter().next())
            .and_then(|id| id.known())
            .and_then(|text| ResourceId::parse(text).ok());
        let Some(subnet) = subnet else {
            ctx.indeterminate();
            continue;
        };
        let mut placement = subnet_placement(sets, &subnet);
        placement.nic_nsg = nsg_attached(sets, nic_node, nic_view.network_security_group_id());
        placements.push(placement);
    }
    placements
}

/// The subnets of an HDInsight cluster the template deploys.
fn hdinsight_placements<'g>(
    ctx: &RuleContext<'_>,
    sets: &DerivedSets<'g>,
    cluster: &'g Resource,
) -> Vec<SubnetPlacement<'g>> {
    let Some(view) = HdInsightCluster::of(cluster) else {
        return Vec::new();
    };
    let Some(subnets) = view.subnets().known() else {
        ctx.indeterminate();
        return Vec::new();
    };
    let mut ids: Vec<ResourceId> = Vec::new();
    for subnet in subnets {
        match subnet.known().map(ResourceId::parse) {
            Some(Ok(id)) => {
                if !ids.iter().any(|known| known.matches(&id) == Tri::True) {
                    ids.push(id);
                }
            }
            _ => ctx.indeterminate(),
        }
    }
    ids.iter().map(|id| subnet_placement(sets, id)).collect()
}

/// Evaluates F17 for one placement and reports.
fn check_placement(
    ctx: &RuleContext<'_>,
    compute: &Resource,
    name: &str,
    port: u16,
    placement: &SubnetPlacement<'_>,
) {
    let options = RequiredFlowOptions {
        ssh_port: port,
        ..RequiredFlowOptions::default()
    };
    // F17 is a global-tag flow: the region does not enter it.
    for required in required_flows(
        ComputeKind::AttachedVirtualMachine,
        "",
        &placement.endpoint,
        &options,
    ) {
        let verdict = evaluate(&required.flow, &placement.placement());
        let problem = match verdict.outcome {
            Outcome::Allowed => continue,
            Outcome::Denied => match blocker(&verdict) {
                Some(blocked) => FlowProblem::Denied(blocked),
                None => {
                    ctx.indeterminate();
                    continue;
                }
            },
            Outcome::Unknown => {
                let (names, related) = uncertainty(&verdict);
                if related.is_empty() {
                    ctx.indeterminate();
                    continue;
                }
                FlowProblem::Unknown(names, related)
            }
        };
        let subnet = placement.name();
        let label = format!("attached compute in subnet '{subnet}'");
        let finding = match &problem {
            FlowProblem::Denied(blocked) => with_related(
                Finding::new(
                    compute,
                    "properties.resourceId",
                    format!(
                        "Attached compute '{name}' needs inbound TCP {port} from AzureMachineLearning; {}.",
                        blocked.clause
                    ),
                )
                .label(label)
                .help(format!(
                    "add an inbound allow: source service tag AzureMachineLearning, any source port, destination port {port}"
                )),
                &blocked.related,
            ),
            // Not produced for these flows.
            FlowProblem::ThroughAppliance(..) => continue,
            FlowProblem::Unknown(names, related) => with_related(
                Finding::new(
                    compute,
                    "properties.resourceId",
                    format!(
                        "Cannot decide whether attached compute '{name}' accepts inbound TCP {port} from AzureMachineLearning in subnet '{subnet}': it depends on {names}."
                    ),
                )
                .label(label)
                .severity(Severity::Note)
                .help(format!(
                    "allow inbound TCP {port} from AzureMachineLearning explicitly"
                )),
                related,
            ),
        };
        ctx.report(finding);
    }
}
