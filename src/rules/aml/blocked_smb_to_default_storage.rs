use std::collections::HashSet;

use super::nsg_support::{
    FlowProblem, compute_sites, endpoints_to, flow_problem, known_prefixes, subnet_placement,
    with_related,
};
use super::support::node_name;
use crate::codes::Severity;
use crate::graph::AssociatedRole;
use crate::model::Tri;
use crate::model::kinds::{Setting, Subnet};
use crate::netsec::{Endpoint, Flow, Protocol, ServiceTag};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that compute subnets can reach the workspace's default storage account over SMB
    /// (TCP 445). When the storage has `file` or `blob` private endpoints, it evaluates the
    /// outbound flow from the compute subnet to each endpoint subnet, and, where the endpoint
    /// subnet applies NSGs to private endpoints (`privateEndpointNetworkPolicies` `Enabled` or
    /// `NetworkSecurityGroupEnabled`), the inbound flow on the endpoint subnet; a denied flow is
    /// an error. Without such endpoints, a denied flow to `Storage.<region>` on TCP 445 is
    /// reported as a note (SMB over the public path is needed only behind some firewalls).
    ///
    /// ## Why is this bad?
    /// Training jobs mount the workspace's file share over SMB. With port 445 blocked between
    /// the compute and the storage's private endpoints, jobs fail when they mount their code
    /// and outputs.
    ///
    /// ## Example
    /// ```json
    /// { "name": "DenyVnetOutbound", "properties": { "priority": 3000, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*" } }
    /// ```
    /// on the compute subnet, while the default storage's `file` endpoint lives in another
    /// subnet of the VNet.
    ///
    /// Use instead: allow TCP 445 to the endpoint subnet before the deny rule.
    /// ```json
    /// { "name": "AllowSmbToStorageEndpoints", "properties": { "priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "10.0.2.0/24", "destinationPortRange": "445" } }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    pub struct BlockedSmbToDefaultStorage;
    code: "AML-NSG-007",
    name: "blocked-smb-to-default-storage",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "SMB (TCP 445) to the default storage is open.",
}

impl Rule for BlockedSmbToDefaultStorage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut seen = HashSet::new();
        for site in compute_sites(ctx) {
            let workspace = sets.hub(site.workspace).node().unwrap_or(site.workspace);
            let storage = sets
                .associated(workspace)
                .possible()
                .find(|m| {
                    m.role == AssociatedRole::StorageAccount
                        && m.path == "properties.storageAccount"
                })
                .map(|m| m.node);
            let Some(storage) = storage else {
                ctx.indeterminate();
                continue;
            };
            let storage_name = node_name(&sets, storage);
            let compute = subnet_placement(&sets, &site.subnet);
            let subnet = compute.name().to_owned();
            let endpoints = endpoints_to(&sets, storage, &["file", "blob"]);
            let mut problems: Vec<(FlowProblem<'_>, Severity, String)> = Vec::new();
            if endpoints.is_empty() {
                if sets.written(storage) != Tri::True {
                    // Endpoints of a storage account deployed elsewhere are invisible.
                    ctx.indeterminate();
                    continue;
                }
                let Some(region) = &site.region else {
                    ctx.indeterminate();
                    continue;
                };
                let tag = ServiceTag::new("Storage", Some(region));
                let flow =
                    Flow::outbound(compute.endpoint.clone(), tag.clone(), Protocol::Tcp, 445);
                if !seen.insert((site.subnet.to_string(), tag.to_string())) {
                    continue;
                }
                if let Some(problem) = flow_problem(ctx, &flow, &compute) {
                    problems.push((problem, Severity::Note, format!("{tag}, the public path")));
                }
            }
            for endpoint in &endpoints {
                let endpoint_site = subnet_placement(&sets, &endpoint.subnet);
                let key = (
                    site.subnet.to_string(),
                    endpoint.subnet.to_string().to_ascii_lowercase(),
                );
                if !seen.insert(key) {
                    continue;
                }
                let target_prefixes = known_prefixes(&endpoint_site.endpoint);
                let source_prefixes = known_prefixes(&compute.endpoint);
                if target_prefixes.is_empty() || source_prefixes.is_empty() {
                    ctx.indeterminate();
                    continue;
                }
                let what = format!(
                    "private endpoint '{}' in subnet '{}'",
                    endpoint.resource.display_name(),
                    endpoint_site.name()
                );
                for prefix in &target_prefixes {
                    let flow = Flow::outbound(
                        compute.endpoint.clone(),
                        Endpoint::Address(*prefix),
                        Protocol::Tcp,
                        445,
                    );
                    if let Some(problem) = flow_problem(ctx, &flow, &compute) {
                        problems.push((problem, Severity::Error, what.clone()));
                    }
                }
                // Inbound at the endpoint: only where NSGs apply to private endpoints.
                let policies = endpoint_site
                    .resource
                    .and_then(Subnet::of)
                    .map(|view| view.private_endpoint_network_policies());
                let severity = match policies {
                    Some(Setting::Set(p) | Setting::Default(p)) if p.nsg_applies() => {
                        Severity::Error
                    }
                    Some(Setting::Set(_) | Setting::Default(_)) => continue,
                    Some(Setting::Unknown(_)) => Severity::Note,
                    _ => {
                        ctx.indeterminate();
                        continue;
                    }
                };
                for prefix in &source_prefixes {
                    let flow = Flow::inbound(
                        Endpoint::Address(*prefix),
                        endpoint_site.endpoint.clone(),
                        Protocol::Tcp,
                        445,
                    );
                    if let Some(problem) = flow_problem(ctx, &flow, &endpoint_site) {
                        problems.push((problem, severity, format!("inbound at {what}")));
                    }
                }
            }
            for (problem, severity, towards) in problems {
                let label = format!(
                    "{} in subnet '{subnet}' mounts the default storage",
                    site.what
                );
                let finding = match &problem {
                    FlowProblem::Denied(blocked) => with_related(
                        Finding::new(
                            site.resource,
                            site.subnet_path,
                            format!(
                                "TCP 445 from '{subnet}' to the default storage '{storage_name}' is blocked ({towards}: {}); {}",
                                blocked.clause,
                                if severity == Severity::Note && endpoints.is_empty() {
                                    "a reminder: the AML documentation asks for TCP 445 to Storage.<region> only where a firewall sits in the path."
                                } else {
                                    "training needs it."
                                }
                            ),
                        )
                        .label(label)
                        .severity(severity)
                        .help("allow TCP 445 between the compute subnet and the storage endpoints (and through any firewall between them)"),
                        &blocked.related,
                    ),
                    // Not produced for these flows.
                    FlowProblem::ThroughAppliance(..) => continue,
                    FlowProblem::Unknown(names, related) => with_related(
                        Finding::new(
                            site.resource,
                            site.subnet_path,
                            format!(
                                "Cannot decide whether TCP 445 from '{subnet}' to the default storage '{storage_name}' ({towards}) is allowed: it depends on {names}."
                            ),
                        )
                        .label(label)
                        .severity(Severity::Note)
                        .help("allow TCP 445 to the storage endpoints explicitly"),
                        related,
                    ),
                };
                ctx.report(finding);
            }
        }
    }
}
