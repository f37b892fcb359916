use super::exf_support::{
    AML_ALIAS, AliasCoverage, AttachedPolicy, alias_coverage, attached_policies,
    compute_subnet_uses, default_storage, has_storage_endpoint, reaches_storage_endpoint,
    storage_allowed,
};
use super::support::resource_of;
use crate::codes::Severity;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const POLICIES_PATH: &str = "properties.serviceEndpointPolicies";

crate::declare_rule! {
    /// ## What it does
    /// Checks the service endpoint policies attached to the subnets of compute instances,
    /// compute clusters and serverless compute:
    /// - with the `Microsoft.Storage` service endpoint on the subnet, a `Global` definition must
    ///   list the AzureML alias `/services/Azure/MachineLearning` (error; warning when only the
    ///   umbrella alias `/services/Azure` is listed, whose coverage of the AzureML alias is not
    ///   documented);
    /// - a `Microsoft.Storage` definition must allow the workspace's default storage account (by
    ///   id, resource group or subscription), unless the subnet's VNet reaches a private endpoint
    ///   of that account (warning);
    /// - a subnet with policies but without the `Microsoft.Storage` service endpoint gets no
    ///   protection from them (warning).
    ///
    /// ## Why is this bad?
    /// A service endpoint policy limits the storage accounts a subnet reaches through its
    /// storage service endpoint to the ones the policy lists. Compute instances and clusters are
    /// provisioned from Microsoft-managed storage, reachable only through the AzureML alias:
    /// without it, compute creation fails. Jobs read and write the workspace's default storage,
    /// which the policy must also allow when the computes reach it over the service endpoint.
    /// Policies act only through a `Microsoft.Storage` service endpoint; without one they change
    /// nothing and the subnet stays open for exfiltration.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/serviceEndpointPolicies",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "sep-ml-training",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "serviceEndpointPolicyDefinitions": [
    ///       {
    ///         "name": "workspace-storage",
    ///         "properties": {
    ///           "service": "Microsoft.Storage",
    ///           "serviceResources": [ "[resourceId('Microsoft.Storage/storageAccounts', 'stcontosoml')]" ]
    ///         }
    ///       }
    ///     ]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: add the AzureML alias.
    /// ```json
    /// {
    ///   "name": "azureml",
    ///   "properties": { "service": "Global", "serviceResources": [ "/services/Azure/MachineLearning" ] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Azure Machine Learning data exfiltration prevention](https://learn.microsoft.com/azure/machine-learning/how-to-prevent-data-loss-exfiltration)
    /// - [Virtual network service endpoint policies for Azure Storage](https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoint-policies-overview)
    pub struct IncompleteServiceEndpointPolicy;
    code: "AML-EXF-002",
    name: "incomplete-service-endpoint-policy",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Service endpoint policies of compute subnets list the AzureML alias and the workspace storage, and have a storage service endpoint to act on.",
}

impl Rule for IncompleteServiceEndpointPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for usage in compute_subnet_uses(ctx, &sets) {
            let Some(policies) = attached_policies(&sets, &usage.view) else {
                ctx.indeterminate();
                continue;
            };
            if policies.is_empty() {
                continue;
            }
            let subnet_name = usage.subnet.display_name();
            let names = policy_names(&policies);
            let finding = |severity: Severity, what: String, label: &str| {
                let mut finding = Finding::new(
                    usage.subnet,
                    POLICIES_PATH,
                    format!("Service endpoint policy '{names}' on '{subnet_name}' {what}."),
                )
                .severity(severity)
                .label(label.to_owned());
                for policy in &policies {
                    finding = finding.related(
                        policy.resource,
                        "properties.serviceEndpointPolicyDefinitions",
                        "the policy's definitions",
                    );
                }
                if let Some(holder) = resource_of(&sets, usage.holder) {
                    finding = finding.related(holder, "", "compute in this subnet");
                }
                finding
            };
            match has_storage_endpoint(&usage.view) {
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {
                    ctx.report(
                        finding(
                            Severity::Warning,
                            "has no Microsoft.Storage service endpoint to act on".to_owned(),
                            "policies without a storage service endpoint",
                        )
                        .help("enable the `Microsoft.Storage` service endpoint on the subnet, or remove the policies"),
                    );
                    continue;
                }
                Tri::True => {}
            }
            match alias_coverage(&policies) {
                AliasCoverage::Listed => {}
                AliasCoverage::Unknown => ctx.indeterminate(),
                coverage => {
                    let (severity, label) = if coverage == AliasCoverage::Missing {
                        (Severity::Error, "no AzureML alias")
                    } else {
                        (Severity::Warning, "only the umbrella alias /services/Azure")
                    };
                    ctx.report(
                        finding(severity, format!("lacks {AML_ALIAS}"), label).help(format!(
                            "add a definition with `service: Global` and `serviceResources: [\"{AML_ALIAS}\"]`"
                        )),
                    );
                }
            }
            let (accounts, complete) = default_storage(&sets, usage.workspace);
            if !complete {
                ctx.indeterminate();
            }
            for (node, id, name) in accounts {
                let allowed = storage_allowed(&policies, &id).or(reaches_storage_endpoint(
                    &sets,
                    &usage.view,
                    node,
                ));
                match allowed {
                    Tri::True => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => {}
                }
                let mut report = finding(
                    Severity::Warning,
                    format!("does not allow storage '{name}'"),
                    "workspace storage not allowed",
                )
                .help(format!(
                    "add a `Microsoft.Storage` definition listing '{name}' (or its resource group), or give the computes a private endpoint of it"
                ));
                if let Some(storage) = resource_of(&sets, node) {
                    report = report.related(storage, "", "the workspace's default storage");
                }
                ctx.report(report);
            }
        }
    }
}

fn policy_names(policies: &[AttachedPolicy<'_>]) -> String {
    policies
        .iter()
        .map(|p| p.resource.display_name())
        .collect::<Vec<_>>()
        .join("', '")
}
