use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::nsg_support::{
    FlowProblem, SubnetPlacement, TargetEndpoint, endpoints_to, flow_problem, known_prefixes,
    sentence, subnet_placement, with_related,
};
use super::support::{node_name, resource_of};
use crate::codes::Severity;
use crate::graph::{AssociatedRole, ComputeSubnetSource};
use crate::model::kinds::{Setting, Subnet};
use crate::model::{ResourceId, Tri};
use crate::netsec::{Endpoint, Flow, Protocol};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For the private endpoints of each workspace and of its storage account, key vault and
    /// container registry, checks the subnet the endpoint lives in: when the subnet applies NSGs
    /// to private endpoints (`privateEndpointNetworkPolicies` `Enabled` or
    /// `NetworkSecurityGroupEnabled`), inbound TCP 443 from every compute subnet of the
    /// workspace to the endpoint subnet must be allowed by its NSG. An absent setting means
    /// `Disabled` from Microsoft.Network `2022-01-01` (no finding); on `2021-08-01` and older it
    /// is unknown, and a denied flow is reported as a note.
    ///
    /// ## Why is this bad?
    /// With network policies on, the endpoint subnet's NSG filters the traffic to the private
    /// endpoints. A rule that drops the computes' HTTPS traffic cuts the computes off from the
    /// workspace API, its storage, its key vault or its registry even though DNS and the
    /// endpoints are correct.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "name": "snet-pe",
    ///   "properties": {
    ///     "addressPrefix": "10.0.2.0/24",
    ///     "privateEndpointNetworkPolicies": "Enabled",
    ///     "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-pe')]" }
    ///   }
    /// }
    /// ```
    /// where `nsg-pe` denies inbound traffic from the compute subnet `10.0.1.0/24`.
    ///
    /// Use instead: allow TCP 443 from the compute subnets in `nsg-pe`, or set
    /// `"privateEndpointNetworkPolicies": "Disabled"` on the endpoint subnet.
    /// ```json
    /// { "name": "AllowComputeHttps", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "10.0.1.0/24", "sourcePortRange": "*", "destinationAddressPrefix": "10.0.2.0/24", "destinationPortRange": "443" } }
    /// ```
    ///
    /// ## References
    /// - [Configure a private endpoint for an Azure Machine Learning workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    /// - [Manage network policies for private endpoints](https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy)
    pub struct EndpointSubnetDenyingClients;
    code: "AML-NSG-010",
    name: "endpoint-subnet-denying-clients",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Endpoint subnets with network policies admit their clients.",
}

impl Rule for EndpointSubnetDenyingClients {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut seen = HashSet::new();
        // A subnet holds several endpoints and clients: its NSG and route table are mapped once.
        let mut placements: HashMap<String, Rc<SubnetPlacement<'_>>> = HashMap::new();
        let mut place = |id: &ResourceId| -> Rc<SubnetPlacement<'_>> {
            if id.has_unknown() {
                return Rc::new(subnet_placement(&sets, id));
            }
            Rc::clone(
                placements
                    .entry(id.key().to_owned())
                    .or_insert_with(|| Rc::new(subnet_placement(&sets, id))),
            )
        };
        for workspace in sets.workspaces() {
            if sets.written(workspace) != Tri::True {
                ctx.indeterminate();
                continue;
            }
            let hub = sets.hub(workspace).node().unwrap_or(workspace);
            // The endpoints: the workspace's and its dependencies'.
            let mut endpoints: Vec<TargetEndpoint<'_>> =
                endpoints_to(&sets, hub, &["amlworkspace"]);
            for member in sets.associated(hub).possible() {
                if matches!(
                    member.role,
                    AssociatedRole::StorageAccount
                        | AssociatedRole::KeyVault
                        | AssociatedRole::ContainerRegistry
                ) {
                    endpoints.extend(endpoints_to(&sets, member.node, &[]));
                }
            }
            // The clients: the workspace's compute subnets.
            let subnets = sets.compute_subnets(workspace);
            if !subnets.open.is_empty() {
                ctx.indeterminate();
            }
            let clients: Vec<_> = subnets
                .members
                .iter()
                .filter(|m| m.certainty == Tri::True)
                .map(|m| {
                    let path = match m.item.source {
                        ComputeSubnetSource::Compute(_) => "properties.properties.subnet.id",
                        _ => "",
                    };
                    (place(&m.item.subnet), m.item.holder, path)
                })
                .collect();
            for endpoint in &endpoints {
                let target = place(&endpoint.subnet);
                let Some(target_view) = target.resource.and_then(Subnet::of) else {
                    ctx.indeterminate();
                    continue;
                };
                let severity = match target_view.private_endpoint_network_policies() {
                    Setting::Set(p) | Setting::Default(p) if p.nsg_applies() => Severity::Error,
                    Setting::Set(_) | Setting::Default(_) | Setting::Absent => continue,
                    Setting::Unknown(_) => Severity::Note,
                };
                for (client, holder, holder_path) in &clients {
                    let key = (endpoint.resource.index, client.name().to_owned());
                    if !seen.insert(key) {
                        continue;
                    }
                    let sources = known_prefixes(&client.endpoint);
                    if sources.is_empty() {
                        ctx.indeterminate();
                        continue;
                    }
                    for source in sources {
                        let flow = Flow::inbound(
                            Endpoint::Address(source),
                            target.endpoint.clone(),
                            Protocol::Tcp,
                            443,
                        );
                        let Some(problem) = flow_problem(ctx, &flow, &target) else {
                            continue;
                        };
                        let endpoint_name = endpoint.resource.display_name();
                        let (client_name, target_name) = (client.name(), target.name());
                        let mut finding = match &problem {
                            FlowProblem::Denied(blocked) => with_related(
                                Finding::new(
                                    endpoint.resource,
                                    "properties.subnet.id",
                                    format!(
                                        "{} TCP 443 from '{client_name}' to private endpoint '{endpoint_name}' on endpoint subnet '{target_name}'.{}",
                                        sentence(&blocked.text),
                                        if severity == Severity::Note {
                                            " Whether NSGs apply to the subnet's endpoints is unknown: its apiVersion (2021-08-01 or older) leaves `privateEndpointNetworkPolicies` undefined."
                                        } else {
                                            ""
                                        }
                                    ),
                                )
                                .help("allow the flow in the endpoint subnet's NSG, or set `privateEndpointNetworkPolicies` to `Disabled` on that subnet"),
                                &blocked.related,
                            ),
                            // Not produced for these flows.
                            FlowProblem::ThroughAppliance(..) => continue,
                            FlowProblem::Unknown(names, related) => with_related(
                                Finding::new(
                                    endpoint.resource,
                                    "properties.subnet.id",
                                    format!(
                                        "Cannot decide whether endpoint subnet '{target_name}' admits TCP 443 from '{client_name}' to private endpoint '{endpoint_name}': it depends on {names}."
                                    ),
                                )
                                .severity(Severity::Note)
                                .help("allow TCP 443 from the compute subnets explicitly"),
                                related,
                            ),
                        };
                        finding = finding.label(format!(
                            "private endpoint in subnet '{target_name}', used by {}",
                            node_name(&sets, *holder)
                        ));
                        if let Some(holder_resource) = resource_of(&sets, *holder)
                            && !holder_path.is_empty()
                        {
                            finding = finding.related(
                                holder_resource,
                                holder_path,
                                format!("client in subnet '{client_name}'"),
                            );
                        }
                        if severity == Severity::Note {
                            finding = finding.severity(Severity::Note);
                        }
                        ctx.report(finding);
                        // One finding per client subnet and endpoint.
                        break;
                    }
                }
            }
        }
    }
}
