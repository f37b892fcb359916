use crate::model::Tri;
use crate::model::kinds::{Access, Compute, ComputeType, RemoteLoginPortPublicAccess, Setting};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The resource type of computes.
const COMPUTE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/computes";

crate::declare_rule! {
    /// ## What it does
    /// Checks that compute clusters and compute instances do not open their SSH port to the
    /// internet: a cluster (`AmlCompute`) whose `remoteLoginPortPublicAccess` is `Enabled`, or is
    /// `NotSpecified`/absent while the cluster has no subnet, and a compute instance whose
    /// `sshSettings.sshPublicAccess` is `Enabled`.
    ///
    /// `NotSpecified` closes the port when the cluster is in a subnet and opens it otherwise;
    /// the rule reads the compute's own settings, not the subnet's NSG rules.
    ///
    /// ## Why is this bad?
    /// An open SSH port on the nodes' public IPs invites brute-force attempts from the whole
    /// internet and bypasses the network isolation the workspace is set up for. Remote login,
    /// when needed, belongs behind the VNet (a jump host or Azure Bastion).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/computes",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/cpu-cluster",
    ///   "properties": {
    ///     "computeType": "AmlCompute",
    ///     "properties": {
    ///       "vmSize": "STANDARD_DS3_V2",
    ///       "scaleSettings": { "minNodeCount": 0, "maxNodeCount": 4 }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: close the port explicitly.
    /// ```json
    /// {
    ///   "computeType": "AmlCompute",
    ///   "properties": {
    ///     "vmSize": "STANDARD_DS3_V2",
    ///     "scaleSettings": { "minNodeCount": 0, "maxNodeCount": 4 },
    ///     "remoteLoginPortPublicAccess": "Disabled"
    ///   }
    /// }
    /// ```
    /// For a compute instance: `"sshSettings": { "sshPublicAccess": "Disabled" }`.
    ///
    /// ## References
    /// - [Azure Policy: Azure Machine Learning compute clusters should not expose the remote login port](https://learn.microsoft.com/azure/machine-learning/how-to-integrate-azure-policy)
    /// - [AmlCompute properties (`remoteLoginPortPublicAccess`)](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces/computes)
    pub struct ComputeWithPublicSsh;
    code: "AML-CMP-005",
    name: "compute-with-public-ssh",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Computes do not open SSH to the internet.",
}

impl Rule for ComputeWithPublicSsh {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        for resource in ctx.resources().of_type(COMPUTE_TYPE) {
            let Some(compute) = Compute::of(resource) else {
                continue;
            };
            match resource.state.deployed() {
                Tri::False => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::True => {}
            }
            let exposure = match compute.compute_type() {
                Setting::Set(ComputeType::AmlCompute) => cluster_exposure(ctx, &compute),
                Setting::Set(ComputeType::ComputeInstance) => match compute.ssh_public_access() {
                    Setting::Set(Access::Enabled) => Some((
                        "properties.properties.sshSettings.sshPublicAccess",
                        "`sshPublicAccess` is `Enabled`",
                        "set `sshSettings.sshPublicAccess` to `Disabled`",
                    )),
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        None
                    }
                    _ => None,
                },
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    None
                }
                _ => None,
            };
            let Some((path, label, help)) = exposure else {
                continue;
            };
            let name = if resource.name.as_str().is_some() {
                format!("'{}'", resource.display_name())
            } else {
                "(name known only at deployment)".to_owned()
            };
            ctx.report(
                Finding::new(
                    resource,
                    path,
                    format!("Compute {name} exposes its SSH port publicly."),
                )
                .label(label)
                .help(help),
            );
        }
    }
}

/// Why a cluster's SSH port is public (path, label, help), if it is.
fn cluster_exposure(
    ctx: &RuleContext<'_>,
    compute: &Compute<'_>,
) -> Option<(&'static str, &'static str, &'static str)> {
    const PATH: &str = "properties.properties.remoteLoginPortPublicAccess";
    const HELP: &str = "set `remoteLoginPortPublicAccess` to `Disabled`";
    match compute.remote_login_port_public_access() {
        Setting::Set(RemoteLoginPortPublicAccess::Enabled) => {
            Some((PATH, "`remoteLoginPortPublicAccess` is `Enabled`", HELP))
        }
        Setting::Set(RemoteLoginPortPublicAccess::NotSpecified)
        | Setting::Default(RemoteLoginPortPublicAccess::NotSpecified) => {
            // `NotSpecified` opens the port only for a cluster outside any subnet.
            match compute.subnet_id() {
                Setting::Absent => Some((
                    PATH,
                    "`remoteLoginPortPublicAccess` is `NotSpecified` (or absent) and the cluster has no subnet: SSH is open",
                    HELP,
                )),
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    None
                }
                _ => None,
            }
        }
        Setting::Unknown(_) => {
            ctx.indeterminate();
            None
        }
        _ => None,
    }
}
