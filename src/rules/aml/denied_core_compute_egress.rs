use super::nsg_support::{
    ComputeSite, FlowIssue, FlowProblem, check_site_flows_with, compute_sites, flow_text,
    report_outbound_issues, row_fqdns, site_flow_options, with_related,
};
use crate::codes::Severity;
use crate::netsec::{FlowRow, Tier};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Evaluates the NSG rules and routes of every compute instance, compute cluster and
    /// serverless compute subnet against the core outbound flows Azure Machine Learning computes
    /// need (§3.4 of the invariants): TCP 443 to `AzureMachineLearning`, TCP 443 to
    /// `BatchNodeManagement.<region>` and TCP 443 to `Storage.<region>` from every compute subnet,
    /// and UDP 5831 to `AzureMachineLearning` from subnets holding a compute instance
    /// (`<region>` is the workspace's region). It reports each flow that a rule denies (typically
    /// a `DenyAllOutbound`-style rule placed before the default `AllowInternetOutBound`), or that
    /// a route with next hop `None` drops, naming the rule or route.
    ///
    /// A flow decided by rules whose match cannot be known from the template (an allow on
    /// `AzureCloud`, a regional tag for a global flow, values computed at deployment) is reported
    /// as a note naming those rules. When the NSGs allow the flows but the subnet's route table
    /// sends them to a virtual appliance or a gateway (forced tunnelling), one note per subnet
    /// names the FQDNs the appliance must allow.
    ///
    /// ## Why is this bad?
    /// Compute nodes talk to the Azure Machine Learning service, to Azure Batch and to the
    /// storage Batch uses over these flows, with or without public IPs; compute instances are
    /// created, updated and deleted over UDP 5831. When the subnet's NSG blocks one of them,
    /// nodes never become ready: cluster jobs stay queued and compute instances fail to create.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/networkSecurityGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "nsg-training",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "securityRules": [
    ///       {
    ///         "name": "DenyAllOutbound",
    ///         "properties": {
    ///           "priority": 4000, "direction": "Outbound", "access": "Deny", "protocol": "*",
    ///           "sourceAddressPrefix": "*", "sourcePortRange": "*",
    ///           "destinationAddressPrefix": "*", "destinationPortRange": "*"
    ///         }
    ///       }
    ///     ]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: allow the core flows with a lower priority number than the deny rule.
    /// ```json
    /// {
    ///   "name": "AllowAzureMachineLearning",
    ///   "properties": {
    ///     "priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
    ///     "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
    ///     "destinationAddressPrefix": "AzureMachineLearning", "destinationPortRange": "443"
    ///   }
    /// },
    /// {
    ///   "name": "AllowBatchNodeManagement",
    ///   "properties": {
    ///     "priority": 210, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
    ///     "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
    ///     "destinationAddressPrefix": "BatchNodeManagement.westeurope", "destinationPortRange": "443"
    ///   }
    /// },
    /// {
    ///   "name": "AllowStorage",
    ///   "properties": {
    ///     "priority": 220, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
    ///     "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
    ///     "destinationAddressPrefix": "Storage.westeurope", "destinationPortRange": "443"
    ///   }
    /// }
    /// ```
    /// A subnet with compute instances also needs an allow for UDP 5831 to
    /// `AzureMachineLearning`.
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    /// - [Azure Batch node communication](https://learn.microsoft.com/azure/batch/simplified-compute-node-communication)
    pub struct DeniedCoreComputeEgress;
    code: "AML-NSG-001",
    name: "denied-core-compute-egress",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Core outbound flows of VNet-injected computes are allowed.",
}

impl Rule for DeniedCoreComputeEgress {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let sites = compute_sites(ctx);
        let issues = check_site_flows_with(
            ctx,
            &sites,
            |site| site_flow_options(&sets, site),
            // The core rows: F1, F5, F6 everywhere, F3 where compute instances live.
            |_, required| {
                required.tier == Tier::Core
                    && matches!(
                        required.row,
                        FlowRow::F1 | FlowRow::F3 | FlowRow::F5 | FlowRow::F6
                    )
            },
            true,
        );
        report_outbound_issues(ctx, &sites, &issues, |issue| {
            format!("AML computes need it ({})", issue.required.purpose)
        });
        report_appliance_hops(ctx, &sites, &issues);
    }
}

/// One note per subnet whose core flows are allowed by the NSGs but leave through a virtual
/// appliance or gateway (C6 "Routes"): the appliance must allow their FQDNs (§3.4).
fn report_appliance_hops(
    ctx: &RuleContext<'_>,
    sites: &[ComputeSite<'_>],
    issues: &[FlowIssue<'_>],
) {
    // Grouped by subnet (id) and route, so one subnet gives one note.
    let mut groups: Vec<(String, usize, &str, &str, Vec<&FlowIssue<'_>>)> = Vec::new();
    for issue in issues {
        let FlowProblem::ThroughAppliance(route, _) = &issue.problem else {
            continue;
        };
        let Some(site) = sites.get(issue.site) else {
            continue;
        };
        let key = site.subnet.to_string().to_ascii_lowercase();
        match groups
            .iter_mut()
            .find(|(k, _, _, r, _)| *k == key && *r == route.as_str())
        {
            Some((.., members)) => members.push(issue),
            None => groups.push((key, issue.site, &issue.subnet, route, vec![issue])),
        }
    }
    for (_, site_index, subnet, route, members) in groups {
        let Some(site) = sites.get(site_index) else {
            continue;
        };
        let region = site.region.as_deref().unwrap_or_default();
        let flows: Vec<String> = members
            .iter()
            .map(|issue| {
                let flow = flow_text(&issue.required.flow);
                match row_fqdns(issue.required.row, region) {
                    Some(hosts) => format!("{flow} ({hosts})"),
                    None => flow,
                }
            })
            .collect();
        let related = match &members.first().map(|m| &m.problem) {
            Some(FlowProblem::ThroughAppliance(_, related)) => related.clone(),
            _ => Vec::new(),
        };
        ctx.report(with_related(
            Finding::new(
                site.resource,
                site.subnet_path,
                format!(
                    "The NSGs of subnet '{subnet}' allow the core AML flows, but {route} carries them; the appliance must allow {}.",
                    flows.join(", ")
                ),
            )
            .label(format!("{} in subnet '{subnet}'", site.what))
            .severity(Severity::Note)
            .help("allow these FQDNs (or service tags) on the firewall, or route the service tags to the Internet"),
            &related,
        ));
    }
}
