use super::nsg_support::{
    check_site_flows, compute_sites, private_endpoint_prefixes, report_outbound_issues,
    site_flow_options,
};
use crate::netsec::{FlowRow, RequiredFlowOptions};
use crate::rules::{Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Evaluates the NSG rules and routes of every compute subnet against the outbound flows
    /// that Azure Machine Learning features need besides the core ones (§3.4 of the
    /// invariants): TCP 8787 to `AzureMachineLearning` (RStudio), TCP 80 and 443 to
    /// `AzureActiveDirectory` (Microsoft Entra ID sign-in), TCP 443 to `AzureResourceManager`,
    /// to `AzureFrontDoor.FrontEnd` (studio and AutoML; not in Azure China), to
    /// `MicrosoftContainerRegistry.<region>` and to `AzureFrontDoor.FirstParty` (Microsoft
    /// Container Registry images), TCP 443 to the subnets of private endpoints in the compute's
    /// VNet or a peered VNet, and TCP 18881 to `AzureMachineLearning` (notebook intellisense)
    /// from subnets holding a compute instance. It reports each flow a rule denies or a `None`
    /// route drops, naming the feature that breaks.
    ///
    /// A flow decided by rules whose match cannot be known from the template is reported as a
    /// note naming those rules.
    ///
    /// ## Why is this bad?
    /// The compute is created, but the feature behind the blocked flow fails at run time:
    /// environment images from Microsoft Container Registry cannot be pulled (MCR serves them
    /// through Front Door), sign-in and ARM calls from jobs fail, notebooks lose intellisense,
    /// RStudio does not start, private endpoints in the VNet are unreachable.
    ///
    /// ## Example
    /// ```json
    /// "securityRules": [
    ///   { "name": "AllowAzureMachineLearning", "properties": { "priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "AzureMachineLearning", "destinationPortRange": "443" } },
    ///   { "name": "AllowBatch", "properties": { "priority": 210, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "BatchNodeManagement.westeurope", "destinationPortRange": "443" } },
    ///   { "name": "AllowStorage", "properties": { "priority": 220, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "Storage.westeurope", "destinationPortRange": "443" } },
    ///   { "name": "DenyInternetOutbound", "properties": { "priority": 4000, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*" } }
    /// ]
    /// ```
    ///
    /// Use instead: allow the required service tags too (or send the traffic through a firewall
    /// that allows their FQDNs).
    /// ```json
    /// { "name": "AllowRequiredTags", "properties": { "priority": 230, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefixes": ["AzureActiveDirectory", "AzureResourceManager", "AzureFrontDoor.FrontEnd", "AzureFrontDoor.FirstParty", "MicrosoftContainerRegistry.westeurope"], "destinationPortRanges": ["80", "443"] } }
    /// ```
    /// plus `AzureMachineLearning` on TCP 8787 and 18881 where RStudio or notebooks are used.
    ///
    /// ## References
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct DeniedRequiredComputeEgress;
    code: "AML-NSG-002",
    name: "denied-required-compute-egress",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Other required outbound flows are allowed.",
}

impl Rule for DeniedRequiredComputeEgress {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let sites = compute_sites(ctx);
        let issues = check_site_flows(
            ctx,
            &sites,
            |site| RequiredFlowOptions {
                private_endpoint_prefixes: private_endpoint_prefixes(&sets, &site.subnet),
                ..site_flow_options(&sets, site)
            },
            |_, required| {
                matches!(
                    required.row,
                    FlowRow::F2
                        | FlowRow::F4
                        | FlowRow::F7
                        | FlowRow::F8
                        | FlowRow::F9
                        | FlowRow::F10
                        | FlowRow::F14
                )
            },
        );
        report_outbound_issues(ctx, &sites, &issues, |issue| {
            format!("it is needed for {}", issue.required.purpose)
        });
    }
}
