use std::collections::HashSet;

use super::net_support::declared;
use super::support::{node_name, resource_of};
use crate::graph::{ComputeSubnetSource, NodeId};
use crate::model::Tri;
use crate::model::kinds::{Setting, Subnet};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the subnet of every compute instance, compute cluster and of the workspace's
    /// serverless compute has no delegation (`properties.delegations`).
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning creates its nodes' network interfaces in the subnet itself. A
    /// subnet delegated to another service (Databricks, App Service, a database) only admits that
    /// service's resources, so the compute cannot be created there.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/subnets",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml/snet-dbx-private",
    ///   "properties": {
    ///     "addressPrefix": "10.20.2.0/24",
    ///     "delegations": [ { "name": "dbx", "properties": { "serviceName": "Microsoft.Databricks/workspaces" } } ]
    ///   }
    /// },
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/cpu-cluster",
    ///   "properties": {
    ///     "computeType": "AmlCompute",
    ///     "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-ml', 'snet-dbx-private')]" } }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: a dedicated subnet without delegations.
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/subnets",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml/snet-training",
    ///   "properties": { "addressPrefix": "10.20.3.0/24" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct DelegatedComputeSubnet;
    code: "AML-NET-001",
    name: "delegated-compute-subnet",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Compute subnets are not delegated.",
}

impl Rule for DelegatedComputeSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // A project's computes are listed under the project only, so every workspace is read;
        // the pair (subnet, compute) keeps a finding from repeating.
        let mut reported: HashSet<(NodeId, NodeId)> = HashSet::new();
        for workspace in sets.workspaces() {
            let subnets = sets.compute_subnets(workspace);
            if !subnets.open.is_empty() {
                ctx.indeterminate();
            }
            for member in &subnets.members {
                let (path, what) = match member.item.source {
                    ComputeSubnetSource::Compute(_) => (
                        "properties.properties.subnet.id",
                        format!("compute '{}'", node_name(&sets, member.item.holder)),
                    ),
                    ComputeSubnetSource::Serverless => (
                        "properties.serverlessComputeSettings.serverlessComputeCustomSubnet",
                        format!(
                            "the serverless compute of workspace '{}'",
                            node_name(&sets, member.item.holder)
                        ),
                    ),
                    // AKS subnets are the cluster's business (AML-AKS).
                    ComputeSubnetSource::AksNetworking | ComputeSubnetSource::AksAgentPool => {
                        continue;
                    }
                };
                let Some(holder) = resource_of(&sets, member.item.holder) else {
                    continue;
                };
                let Some((subnet_node, subnet_resource)) = declared(&sets, &member.item.subnet)
                else {
                    // A subnet deployed elsewhere: its delegations are invisible.
                    ctx.indeterminate();
                    continue;
                };
                if member.certainty != Tri::True || sets.written(subnet_node) != Tri::True {
                    ctx.indeterminate();
                    continue;
                }
                let Some(subnet) = Subnet::of(subnet_resource) else {
                    continue;
                };
                let services = match subnet.delegations() {
                    Setting::Set(services) if !services.is_empty() => services,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                    _ => continue,
                };
                if !reported.insert((subnet_node, member.item.holder)) {
                    continue;
                }
                let service = services
                    .iter()
                    .map(|s| match s.value() {
                        Some(name) => (*name).to_owned(),
                        None => "(a service known only at deployment)".to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("', '");
                let subnet_name = subnet_resource.display_name();
                ctx.report(
                    Finding::new(
                        holder,
                        path,
                        format!(
                            "Subnet '{subnet_name}' used by {what} is delegated to '{service}'; AML computes need an undelegated subnet."
                        ),
                    )
                    .label("compute placed in a delegated subnet")
                    .help("use a dedicated subnet without delegations for the compute")
                    .related(
                        subnet_resource,
                        "properties.delegations",
                        format!("delegated to '{service}'"),
                    ),
                );
            }
        }
    }
}
