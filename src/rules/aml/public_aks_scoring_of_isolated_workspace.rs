use super::attached_support::attached_computes;
use super::support::resource_of;
use crate::model::Tri;
use crate::model::kinds::{ComputeType, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const LOAD_BALANCER_TYPE_PATH: &str = "properties.properties.loadBalancerType";

crate::declare_rule! {
    /// ## What it does
    /// Checks that an `AKS` compute of a network-isolated workspace (public access disabled or
    /// limited to selected IPs, a workspace private endpoint, or a managed network) scores
    /// through an internal load balancer: `properties.properties.loadBalancerType` must be
    /// `InternalLoadBalancer` (absent means `PublicIp`) with a `loadBalancerSubnet`.
    ///
    /// ## Why is this bad?
    /// With a public load balancer the scoring endpoints of the cluster get a public IP address,
    /// so models of a workspace that is otherwise kept off the internet are served to it. An
    /// internal load balancer without a subnet has no defined place in the virtual network.
    /// The confidence of this rule is medium: it follows the design intent of the network
    /// isolation guidance (scoring inside the spoke), not a documented service requirement.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/aks-inference",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "computeType": "AKS",
    ///     "resourceId": "[resourceId('Microsoft.ContainerService/managedClusters', 'aks-scoring')]",
    ///     "properties": { "clusterPurpose": "FastProd" }
    ///   }
    /// }
    /// ```
    /// with workspace `mlw-contoso` at `publicNetworkAccess: Disabled`.
    ///
    /// Use instead:
    /// ```json
    /// "properties": {
    ///   "clusterPurpose": "FastProd",
    ///   "loadBalancerType": "InternalLoadBalancer",
    ///   "loadBalancerSubnet": "snet-aks"
    /// }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning inferencing environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-inferencing-environment)
    /// - [Plan for network isolation in Azure Machine Learning](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct PublicAksScoringOfIsolatedWorkspace;
    code: "AML-AKS-004",
    name: "public-aks-scoring-of-isolated-workspace",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "A network-isolated workspace does not score through a public AKS load balancer.",
}

impl Rule for PublicAksScoringOfIsolatedWorkspace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for attached in attached_computes(ctx, &sets, &[ComputeType::Aks]) {
            let load_balancer = attached.view.load_balancer_type();
            let public = match &load_balancer {
                Setting::Absent => true,
                Setting::Set(kind) if kind.eq_ignore_ascii_case("PublicIp") => true,
                Setting::Set(kind) if kind.eq_ignore_ascii_case("InternalLoadBalancer") => {
                    match attached.view.load_balancer_subnet() {
                        Setting::Set(subnet) if !subnet.trim().is_empty() => continue,
                        Setting::Unknown(_) => {
                            ctx.indeterminate();
                            continue;
                        }
                        _ => false,
                    }
                }
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            let isolated = sets.isolated(attached.workspace);
            match isolated.value {
                Tri::True => {}
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => continue,
            }
            let compute_name = attached.compute.display_name();
            let workspace_name = attached.workspace_resource.display_name();
            let (path, message, label) = if public {
                (
                    if load_balancer.is_set() {
                        LOAD_BALANCER_TYPE_PATH
                    } else {
                        "properties"
                    },
                    format!(
                        "AKS compute '{compute_name}' exposes scoring on a public load balancer while workspace '{workspace_name}' is isolated."
                    ),
                    if load_balancer.is_set() {
                        "public load balancer"
                    } else {
                        "no `loadBalancerType`: a public load balancer by default"
                    },
                )
            } else {
                (
                    LOAD_BALANCER_TYPE_PATH,
                    format!(
                        "AKS compute '{compute_name}' uses an internal load balancer without a `loadBalancerSubnet` while workspace '{workspace_name}' is isolated."
                    ),
                    "internal load balancer without a subnet",
                )
            };
            let mut finding = Finding::new(attached.compute, path, message)
                .label(label)
                .help("set `loadBalancerType: InternalLoadBalancer` with a `loadBalancerSubnet` in the AKS virtual network")
                .related(
                    attached.workspace_resource,
                    "",
                    "network-isolated workspace",
                );
            // The resource that makes the workspace isolated (its hub, or a private endpoint).
            if let Some(because) = isolated
                .because
                .iter()
                .find(|node| **node != attached.workspace)
                .and_then(|node| resource_of(&sets, *node))
            {
                finding = finding.related(because, "", "isolates the workspace");
            }
            ctx.report(finding);
        }
    }
}
