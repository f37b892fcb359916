use super::exf_support::{
    AliasCoverage, alias_coverage, attached_policies, compute_subnet_uses, default_storage,
    has_storage_endpoint, reaches_storage_endpoint, storage_allowed, storage_egress,
};
use super::support::resource_of;
use crate::codes::Severity;
use crate::model::Tri;
use crate::model::kinds::Workspace;
use crate::netsec::Outcome;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks the subnets of compute instances, compute clusters and serverless compute whose
    /// NSG and routes let outbound TCP 443 reach `Storage.<region>` (the workspace's region;
    /// explicitly or through the default `AllowInternetOutBound` rule): the subnet must have the
    /// `Microsoft.Storage` service endpoint with a service endpoint policy that lists the AzureML
    /// alias (or the umbrella `/services/Azure`) and allows the workspace's default storage (or
    /// the computes reach that storage through a private endpoint). When the traffic leaves
    /// through a virtual appliance or a gateway, whose rules the template does not show, the
    /// finding is a note.
    ///
    /// ## Why is this bad?
    /// Computes need outbound access to Azure Storage, but the `Storage.<region>` service tag
    /// covers every storage account of the region, including accounts outside the organisation:
    /// code running on the compute can copy data to any of them. A service endpoint policy
    /// limits the storage accounts reachable over the subnet's storage service endpoint to the
    /// ones it lists (AML-EXF-002 checks its content).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "name": "snet-training",
    ///   "properties": {
    ///     "addressPrefix": "10.20.4.0/24",
    ///     "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-training')]" }
    ///   }
    /// }
    /// ```
    /// where `nsg-training` allows `Storage.westeurope` on 443.
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "name": "snet-training",
    ///   "properties": {
    ///     "addressPrefix": "10.20.4.0/24",
    ///     "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-training')]" },
    ///     "serviceEndpoints": [ { "service": "Microsoft.Storage", "locations": [ "westeurope" ] } ],
    ///     "serviceEndpointPolicies": [ { "id": "[resourceId('Microsoft.Network/serviceEndpointPolicies', 'sep-training')]" } ]
    ///   }
    /// }
    /// ```
    /// with `sep-training` listing `/services/Azure/MachineLearning` (`service: Global`) and the
    /// workspace storage (`service: Microsoft.Storage`).
    ///
    /// ## References
    /// - [Azure Machine Learning data exfiltration prevention](https://learn.microsoft.com/azure/machine-learning/how-to-prevent-data-loss-exfiltration)
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct UnrestrictedStorageEgress;
    code: "AML-EXF-001",
    name: "unrestricted-storage-egress",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Storage egress from compute subnets is limited by a service endpoint policy.",
}

impl Rule for UnrestrictedStorageEgress {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for usage in compute_subnet_uses(ctx, &sets) {
            let Some(region) = resource_of(&sets, usage.workspace)
                .and_then(Workspace::of)
                .and_then(|w| w.location().known())
            else {
                ctx.indeterminate();
                continue;
            };
            // Protected first: the flow evaluation is the costlier part.
            let protected = match attached_policies(&sets, &usage.view) {
                None => Tri::Unknown,
                Some(policies) => {
                    let alias = match alias_coverage(&policies) {
                        AliasCoverage::Listed | AliasCoverage::UmbrellaOnly => Tri::True,
                        AliasCoverage::Missing => Tri::False,
                        AliasCoverage::Unknown => Tri::Unknown,
                    };
                    let (accounts, complete) = default_storage(&sets, usage.workspace);
                    let storage = Tri::all(accounts.iter().map(|(node, id, _)| {
                        storage_allowed(&policies, id).or(reaches_storage_endpoint(
                            &sets,
                            &usage.view,
                            *node,
                        ))
                    }))
                    .and(if complete { Tri::True } else { Tri::Unknown });
                    has_storage_endpoint(&usage.view)
                        .and(Tri::from(!policies.is_empty()))
                        .and(alias)
                        .and(storage)
                }
            };
            match protected {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            let egress = storage_egress(&sets, &usage, &region);
            match egress.outcome {
                Outcome::Allowed => {}
                Outcome::Denied => continue,
                Outcome::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
            }
            let subnet_name = usage.subnet.display_name();
            let (severity, message) = match &egress.filtering_hop {
                None => (
                    Severity::Warning,
                    format!(
                        "Compute subnet '{subnet_name}' can write to any storage account in {region}; attach a service endpoint policy with the AzureML alias to prevent exfiltration."
                    ),
                ),
                Some(hop) => (
                    Severity::Note,
                    format!(
                        "Compute subnet '{subnet_name}' can write to any storage account in {region} unless the appliance behind it filters the traffic ({hop}); attach a service endpoint policy with the AzureML alias to prevent exfiltration."
                    ),
                ),
            };
            let mut finding = Finding::new(usage.subnet, "", message)
                .severity(severity)
                .label(format!(
                    "outbound TCP 443 to Storage.{region}: {}",
                    egress.verdict
                ))
                .help("enable the `Microsoft.Storage` service endpoint on the subnet and attach a service endpoint policy listing /services/Azure/MachineLearning and the workspace storage");
            if let Some(holder) = resource_of(&sets, usage.holder) {
                finding = finding.related(holder, "", "compute in this subnet");
            }
            ctx.report(finding);
        }
    }
}
