use super::nsg_support::{
    FlowProblem, check_site_flows, compute_sites, site_flow_options, site_no_public_ip,
    with_related,
};
use crate::codes::Severity;
use crate::model::Tri;
use crate::netsec::{ComputeKind, FlowRow};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// For every compute instance and compute cluster with a public IP (`enableNodePublicIp`
    /// not `false`) in a subnet with an NSG, evaluates the inbound flow TCP 44224 from the
    /// `AzureMachineLearning` service tag to the subnet, and reports it when a rule denies it or
    /// no rule admits it (an NSG's default `DenyAllInBound` denies inbound traffic from service
    /// tags unless a rule allows it).
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning manages public-IP computes over inbound TCP 44224. The service
    /// creates its own NSG for the nodes, but a subnet NSG must not conflict with it: when the
    /// subnet NSG drops the management traffic, nodes are reported unusable and compute
    /// instances fail to be created or stay unhealthy.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/networkSecurityGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "nsg-training",
    ///   "location": "westeurope",
    ///   "properties": { "securityRules": [] }
    /// }
    /// ```
    /// attached to the subnet of a compute cluster without `"enableNodePublicIp": false`.
    ///
    /// Use instead: allow the management traffic (or use no public IP: no inbound rule needed).
    /// ```json
    /// {
    ///   "name": "AllowAzureMachineLearningInbound",
    ///   "properties": {
    ///     "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    ///     "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*",
    ///     "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "44224"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    /// - Note: AML-NSG-006 (inbound TCP 29876–29877 from `BatchNodeManagement.<region>` to
    ///   public-IP compute instances) is withdrawn: Batch classic node communication was retired
    ///   on 31 March 2026 and simplified node communication needs no inbound port. The code stays
    ///   reserved and no rule reports it.
    pub struct PublicIpComputeWithoutManagementInbound;
    code: "AML-NSG-004",
    name: "public-ip-compute-without-management-inbound",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Public-IP computes accept TCP 44224 from AzureMachineLearning.",
}

impl Rule for PublicIpComputeWithoutManagementInbound {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // Instances and clusters with a public IP (§4.8: not serverless compute).
        let sites: Vec<_> = compute_sites(ctx)
            .into_iter()
            .filter(|site| site.kind != ComputeKind::Serverless)
            .filter(|site| match site_no_public_ip(&sets, site) {
                Tri::False => true,
                Tri::True => false,
                Tri::Unknown => {
                    ctx.indeterminate();
                    false
                }
            })
            .collect();
        let issues = check_site_flows(
            ctx,
            &sites,
            |site| site_flow_options(&sets, site),
            |_, required| required.row == FlowRow::F15,
        );
        for issue in &issues {
            let Some(site) = sites.get(issue.site) else {
                continue;
            };
            let subnet = &issue.subnet;
            let label = format!(
                "{} has a public IP and sits in subnet '{subnet}'",
                site.what
            );
            let finding = match &issue.problem {
                FlowProblem::Denied(blocked) => with_related(
                    Finding::new(
                        site.resource,
                        site.subnet_path,
                        format!(
                            "Compute '{}' has a public IP; subnet NSG '{}' must allow inbound TCP 44224 from AzureMachineLearning, but {}.",
                            site.name, blocked.holder_name, blocked.clause
                        ),
                    )
                    .label(label)
                    .help("add an inbound allow for TCP 44224 from the AzureMachineLearning service tag, or set `enableNodePublicIp` to false (no inbound rule needed)"),
                    &blocked.related,
                ),
                // Not produced for these flows.
                FlowProblem::ThroughAppliance(..) => continue,
                FlowProblem::Unknown(names, related) => with_related(
                    Finding::new(
                        site.resource,
                        site.subnet_path,
                        format!(
                            "Compute '{}' has a public IP; cannot decide whether subnet '{subnet}' admits inbound TCP 44224 from AzureMachineLearning: it depends on {names}.",
                            site.name
                        ),
                    )
                    .label(label)
                    .severity(Severity::Note)
                    .help("allow inbound TCP 44224 from AzureMachineLearning explicitly"),
                    related,
                ),
            };
            ctx.report(finding);
        }
    }
}
