use super::compute_network_support::{
    ComputeSubnetRef, NetworkComputeKind, aml_zone_links, declared_resource, endpoint_reach,
    grouped_with_all, holds_endpoint, hub_name, hub_region, missing_link_causes, network_computes,
    vnet_name,
};
use super::support::resource_of;
use crate::codes::Severity;
use crate::graph::vnet_of_subnet;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that every compute instance runs in its workspace's region (`computeLocation`,
    /// else `location`, else the workspace's region) and, when the workspace has private
    /// endpoints, that the instance's subnet is in a VNet holding one of them.
    ///
    /// An instance in a VNet peered in both directions with a workspace-endpoint VNet, with both
    /// AML private DNS zones linked to it, is reported as a warning: the documentation describes
    /// compute instances only in the workspace's VNet. The same spoke without the zone links is
    /// an error; when AML-DNS-003 reports the missing link, this finding is shown inside
    /// AML-DNS-003's item, as one defect (root-cause grouping).
    ///
    /// ## Why is this bad?
    /// Unlike compute clusters, a compute instance cannot be created in a region or VNet other
    /// than its workspace's: with a private endpoint, its creation and its notebook traffic go
    /// through the endpoint's VNet, and the service rejects an instance in another region.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/ci-alice",
    ///   "location": "northeurope",
    ///   "properties": {
    ///     "computeType": "ComputeInstance",
    ///     "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-dev', 'snet-dev')]" } }
    ///   }
    /// }
    /// ```
    /// for a workspace in `westeurope` whose private endpoint is in `vnet-ml`.
    ///
    /// Use instead: the workspace's region and a subnet of the workspace-endpoint VNet.
    /// ```json
    /// "location": "westeurope",
    /// "properties": {
    ///   "computeType": "ComputeInstance",
    ///   "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-training')]" } }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Configure a private endpoint for an Azure Machine Learning workspace: limitations](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct ComputeInstanceOutsideWorkspaceNetwork;
    code: "AML-NET-004",
    name: "compute-instance-outside-workspace-network",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A compute instance is in the workspace's region and workspace-endpoint VNet.",
}

impl Rule for ComputeInstanceOutsideWorkspaceNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let (computes, _) = network_computes(&sets, workspace);
            let instances: Vec<_> = computes
                .into_iter()
                .filter(|c| c.kind == NetworkComputeKind::Instance)
                .collect();
            if instances.is_empty() {
                continue;
            }
            let workspace_name = hub_name(&sets, workspace);
            let hub_resource = sets
                .hub(workspace)
                .node()
                .and_then(|hub| resource_of(&sets, hub));
            let region = hub_region(&sets, workspace);
            let region_text = region.clone().unwrap_or_else(|| "unknown".to_owned());
            let endpoints = sets.private_endpoint_vnets(workspace);
            let has_endpoint = sets.workspace_private_endpoints(workspace).non_empty();
            for instance in &instances {
                if instance.certainty != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                let prefix = format!(
                    "Compute instance '{}' must be in workspace '{workspace_name}''s region ({region_text}) and in a VNet that holds",
                    instance.resource.display_name()
                );
                // The region, read with the C4 fallbacks.
                let instance_region = sets.compute_region(instance.holder).known();
                match (&instance_region, &region) {
                    (Some(own), Some(wanted)) if own != wanted => {
                        let mut finding = Finding::new(
                            instance.resource,
                            "location",
                            format!("{prefix} the workspace's private endpoint; it is in {own}."),
                        )
                        .label(format!("instance in {own}"))
                        .help("create the instance in the workspace's region; only compute clusters may run in another region");
                        if let Some(hub) = hub_resource {
                            finding = finding.related(hub, "location", "workspace region");
                        }
                        ctx.report(finding);
                    }
                    (Some(_), Some(_)) => {}
                    _ => ctx.indeterminate(),
                }
                let subnet = match &instance.subnet {
                    ComputeSubnetRef::None => continue,
                    ComputeSubnetRef::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    ComputeSubnetRef::Known(subnet) => subnet,
                };
                let Some(vnet) = vnet_of_subnet(subnet) else {
                    continue;
                };
                match has_endpoint.and(!holds_endpoint(&endpoints, &vnet)) {
                    Tri::False => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::True => {}
                }
                let reach = endpoint_reach(&sets, &endpoints, &vnet);
                let vnet_text = vnet_name(&vnet);
                let mut causes = Vec::new();
                let (severity, message, label) = match reach.value {
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => (
                        Severity::Error,
                        format!(
                            "{prefix} or is peered with the workspace's private endpoint; VNet '{vnet_text}' is neither."
                        ),
                        "instance outside the workspace-endpoint VNets".to_owned(),
                    ),
                    Tri::True => {
                        let Some(links) = aml_zone_links(&sets, &vnet) else {
                            continue;
                        };
                        let peer = reach
                            .via
                            .as_ref()
                            .map(|v| vnet_name(&v.vnet))
                            .unwrap_or_default();
                        match links.both() {
                            Tri::Unknown => {
                                ctx.indeterminate();
                                continue;
                            }
                            Tri::True => (
                                Severity::Warning,
                                format!(
                                    "{prefix} or is peered with the workspace's private endpoint; VNet '{vnet_text}' is only peered with '{peer}', a layout documented for compute clusters, not instances."
                                ),
                                "instance in a peered spoke".to_owned(),
                            ),
                            Tri::False => {
                                causes = missing_link_causes(&sets, &links.missing(), &vnet);
                                (
                                    Severity::Error,
                                    format!(
                                        "{prefix} or is peered with the workspace's private endpoint; VNet '{vnet_text}' is peered with '{peer}' but not linked to zone '{}'.",
                                        links.missing().join("', '")
                                    ),
                                    "instance in a peered spoke without AML zone links".to_owned(),
                                )
                            }
                        }
                    }
                };
                let mut finding = Finding::new(instance.resource, instance.subnet_path(), message)
                    .severity(severity)
                    .label(label)
                    .help("place the instance in a subnet of the VNet that holds the workspace's private endpoint; only compute clusters are documented in another VNet");
                if let Some(vnet_resource) = declared_resource(&sets, &vnet) {
                    finding = finding.related(vnet_resource, "", "the instance's VNet");
                }
                if let Some(endpoint) = reach
                    .via
                    .as_ref()
                    .or(endpoints.members.first().map(|m| &m.item))
                    .and_then(|v| resource_of(&sets, v.endpoint))
                {
                    finding = finding.related(
                        endpoint,
                        "properties.subnet.id",
                        "workspace private endpoint",
                    );
                }
                ctx.report(grouped_with_all(finding, causes));
            }
        }
    }
}
