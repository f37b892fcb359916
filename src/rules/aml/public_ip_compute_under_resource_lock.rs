use super::compute_network_support::{NetworkComputeKind, network_computes, vnet_name};
use crate::graph::vnet_of_subnet;
use crate::model::{IdKind, Prop, Resource, ResourceId, Segment, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that no `CanNotDelete` or `ReadOnly` management lock deployed by the template
    /// covers the resource group of the VNet that a public-IP compute instance or compute
    /// cluster joins (a lock on that resource group, or on its subscription).
    ///
    /// Policy assignments that deny NSG or load balancer creation are not evaluated yet.
    ///
    /// ## Why is this bad?
    /// A compute instance or cluster with a public IP gets a network security group, a public
    /// IP address and a load balancer, which Azure Machine Learning creates in the VNet's
    /// resource group and deletes with the compute. A read-only lock there makes creation
    /// fail; a delete lock makes deleting or scaling down the compute fail.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/locks",
    ///   "apiVersion": "2020-05-01",
    ///   "name": "rg-network-lock",
    ///   "properties": { "level": "CanNotDelete" }
    /// }
    /// ```
    /// in the resource group of `vnet-ml`, whose subnet a cluster joins without
    /// `enableNodePublicIp: false`.
    ///
    /// Use instead: a compute without public IP (`"enableNodePublicIp": false`, with an
    /// explicit egress path), or a lock on the individual resources that need it rather than on
    /// the VNet's resource group.
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks: resources created in the VNet's resource group](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    /// - [Lock your resources to protect your infrastructure](https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources)
    pub struct PublicIpComputeUnderResourceLock;
    code: "AML-CMP-006",
    name: "public-ip-compute-under-resource-lock",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Public-IP computes can create and delete their network resources.",
}

impl Rule for PublicIpComputeUnderResourceLock {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let locks: Vec<&Resource> = ctx
            .resources()
            .of_type("Microsoft.Authorization/locks")
            .filter(|lock| lock.state.deployed() != Tri::False)
            .collect();
        if locks.is_empty() {
            return;
        }
        let sets = ctx.derived();
        for workspace in sets.workspaces() {
            let (computes, _) = network_computes(&sets, workspace);
            for compute in &computes {
                if compute.kind == NetworkComputeKind::Serverless {
                    continue;
                }
                let Some(vnet) = compute.known_subnet().and_then(vnet_of_subnet) else {
                    continue;
                };
                match compute.certainty.and(!compute.no_public_ip(&sets)) {
                    Tri::False => continue,
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::True => {}
                }
                for lock in &locks {
                    let Some(blocks) = blocked_operations(ctx, lock, &vnet) else {
                        continue;
                    };
                    let group = vnet
                        .resource_group_name()
                        .and_then(|g| g.as_known())
                        .unwrap_or("(unknown)");
                    ctx.report(
                        Finding::new(
                            compute.resource,
                            "properties.properties.subnet.id",
                            format!(
                                "Compute '{}' with a public IP creates an NSG and a load balancer in '{group}' (the resource group of VNet '{}'); the lock '{}' there blocks {blocks}.",
                                compute.resource.display_name(),
                                vnet_name(&vnet),
                                lock.display_name()
                            ),
                        )
                        .label("public-IP compute in a locked resource group")
                        .help("turn off the compute's public IP (enableNodePublicIp: false, with an explicit egress path), or lock individual resources instead of the VNet's resource group")
                        .related(lock, "properties.level", "lock on the VNet's resource group"),
                    );
                }
            }
        }
    }
}

/// What `lock` blocks for the compute's network resources in `vnet`'s resource group:
/// `None` when the lock does not (certainly) cover that resource group; undecided cases are
/// counted.
fn blocked_operations(
    ctx: &RuleContext<'_>,
    lock: &Resource,
    vnet: &ResourceId,
) -> Option<&'static str> {
    let scope = lock.id.as_ref().and_then(ResourceId::scope);
    let covers = match scope.as_ref().map(|s| (s.kind(), s)) {
        Some((IdKind::ResourceGroup, scope)) => {
            segment_matches(scope.subscription_id(), vnet.subscription_id()).and(segment_matches(
                scope.resource_group_name(),
                vnet.resource_group_name(),
            ))
        }
        Some((IdKind::Subscription, scope)) => {
            segment_matches(scope.subscription_id(), vnet.subscription_id())
        }
        // A lock on a single resource (or a management group) is not about the resource group.
        Some(_) => Tri::False,
        None => Tri::Unknown,
    };
    let level = match lock.get("properties.level") {
        Prop::Value(value) => value.as_str(),
        Prop::Absent | Prop::Unknown(_) => None,
    };
    let blocks = match level {
        Some(level) if level.eq_ignore_ascii_case("CanNotDelete") => Some("deletion"),
        Some(level) if level.eq_ignore_ascii_case("ReadOnly") => Some("creation and deletion"),
        Some(_) => None,
        None => {
            if covers.is_possible() {
                ctx.indeterminate();
            }
            return None;
        }
    };
    match covers.and(lock.state.deployed()) {
        Tri::True => blocks,
        Tri::Unknown => {
            ctx.indeterminate();
            None
        }
        Tri::False => None,
    }
}

/// Whether two id segments are the same, `Unknown` when either is missing or unknown.
fn segment_matches(a: Option<&Segment>, b: Option<&Segment>) -> Tri {
    match (a, b) {
        (Some(a), Some(b)) => a.matches(b),
        _ => Tri::Unknown,
    }
}
