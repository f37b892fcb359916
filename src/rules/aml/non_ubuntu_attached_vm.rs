use super::attached_support::{AttachedTarget, attached_computes};
use crate::codes::Severity;
use crate::model::kinds::{ComputeType, Setting, VirtualMachine};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const IMAGE_PATH: &str = "properties.storageProfile.imageReference";

crate::declare_rule! {
    /// ## What it does
    /// Checks that a virtual machine attached to a workspace as a `VirtualMachine` compute runs
    /// Ubuntu: its `storageProfile.imageReference` offer contains `ubuntu` (Canonical's offers
    /// all do, such as `0001-com-ubuntu-server-jammy` and `ubuntu-24_04-lts`). A custom or
    /// gallery image (`imageReference.id`) is reported at info: the template does not show its
    /// operating system.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning supports only Ubuntu virtual machines as attached compute targets;
    /// jobs submitted to another operating system fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Compute/virtualMachines",
    ///   "apiVersion": "2024-03-01",
    ///   "name": "vm-train",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "storageProfile": {
    ///       "imageReference": { "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition", "version": "latest" }
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "imageReference": { "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest" }
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Manage compute resources for training (attached virtual machines)](https://learn.microsoft.com/azure/machine-learning/how-to-attach-compute-targets)
    pub struct NonUbuntuAttachedVm;
    code: "AML-ATT-001",
    name: "non-ubuntu-attached-vm",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Virtual machines attached to a workspace run Ubuntu.",
}

impl Rule for NonUbuntuAttachedVm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for attached in attached_computes(ctx, &sets, &[ComputeType::VirtualMachine]) {
            let AttachedTarget::Declared(_, vm_resource) = attached.target else {
                if !matches!(attached.target, AttachedTarget::Missing) {
                    ctx.indeterminate();
                }
                continue;
            };
            let Some(vm) = VirtualMachine::of(vm_resource) else {
                continue;
            };
            let vm_name = vm_resource.display_name();
            let compute_name = attached.compute.display_name();
            let related_label = format!(
                "attached to workspace '{}' here",
                attached.workspace_resource.display_name()
            );
            let (severity, path, message, label) = match (vm.image_offer(), vm.image_id()) {
                (Setting::Set(offer), _) if offer.to_ascii_lowercase().contains("ubuntu") => {
                    continue;
                }
                (Setting::Set(offer), _) => {
                    let publisher = vm.image_publisher().known().unwrap_or("(no publisher)");
                    (
                        Severity::Warning,
                        IMAGE_PATH,
                        format!(
                            "VM '{vm_name}' attached as '{compute_name}' is not Ubuntu; AML supports only Ubuntu VMs."
                        ),
                        format!("image {publisher}/{offer}"),
                    )
                }
                (Setting::Absent, Setting::Set(image)) => (
                    Severity::Note,
                    "properties.storageProfile.imageReference.id",
                    format!(
                        "VM '{vm_name}' attached as '{compute_name}' uses the custom image '{image}', whose operating system the template does not show; AML supports only Ubuntu VMs."
                    ),
                    "custom image".to_owned(),
                ),
                // Offer or image computed at deployment, or no image reference (an attached OS
                // disk): the operating system is not visible.
                _ => {
                    ctx.indeterminate();
                    continue;
                }
            };
            ctx.report(
                Finding::new(vm_resource, path, message)
                    .severity(severity)
                    .label(label)
                    .help("attach a VM created from a Canonical Ubuntu image")
                    .related(attached.compute, "properties.resourceId", related_label),
            );
        }
    }
}
