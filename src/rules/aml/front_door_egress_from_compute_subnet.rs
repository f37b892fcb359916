use std::collections::HashSet;

use super::exf_support::{compute_subnet_uses, subnet_nsg_rules};
use super::support::resource_of;
use crate::model::Tri;
use crate::model::kinds::Setting;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

const FRONT_DOOR_FRONT_END: &str = "AzureFrontDoor.FrontEnd";

crate::declare_rule! {
    /// ## What it does
    /// Reports outbound `Allow` rules to the service tag `AzureFrontDoor.FrontEnd` in the NSG of
    /// a compute instance, compute cluster or serverless compute subnet.
    ///
    /// ## Why is this bad?
    /// Azure Machine Learning needs `AzureFrontDoor.FrontEnd` (the studio and AutoML), but the
    /// tag covers every Front Door endpoint, including ones anyone can create: it is a
    /// read/write destination through which data can leave the network. A firewall with FQDN
    /// rules for `ml.azure.com` and the AutoML host names narrows the same traffic to Azure
    /// Machine Learning. The finding is a note: the tag is required when no such firewall
    /// exists.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "name": "AllowFrontDoorOutbound",
    ///   "properties": {
    ///     "direction": "Outbound", "access": "Allow", "priority": 130, "protocol": "Tcp",
    ///     "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
    ///     "destinationAddressPrefix": "AzureFrontDoor.FrontEnd", "destinationPortRange": "443"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead: route the subnet's egress through Azure Firewall (a `0.0.0.0/0` route to the
    /// firewall) with application rules for `ml.azure.com` and the AutoML hosts, and no NSG
    /// rule on the tag.
    ///
    /// ## References
    /// - [Azure Machine Learning data exfiltration prevention](https://learn.microsoft.com/azure/machine-learning/how-to-prevent-data-loss-exfiltration)
    /// - [Plan for network isolation in Azure Machine Learning](https://learn.microsoft.com/azure/machine-learning/how-to-network-isolation-planning)
    pub struct FrontDoorEgressFromComputeSubnet;
    code: "AML-EXF-003",
    name: "front-door-egress-from-compute-subnet",
    family: "aml",
    severity: Note,
    since: "0.1.0",
    summary: "Front Door egress from compute subnets is narrowed to AML's host names.",
}

impl Rule for FrontDoorEgressFromComputeSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        // An NSG shared by several compute subnets reports each rule once.
        let mut reported = HashSet::new();
        for usage in compute_subnet_uses(ctx, &sets) {
            let (nsg, rules) = match subnet_nsg_rules(&sets, &usage.view) {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(()) => {
                    ctx.indeterminate();
                    continue;
                }
            };
            for placed in rules {
                let rule = &placed.rule;
                let outbound = rule
                    .direction()
                    .test(|d| d.eq_ignore_ascii_case("Outbound"));
                let allow = rule.access().test(|a| a.eq_ignore_ascii_case("Allow"));
                let to_front_door = match rule.destination_address_prefixes() {
                    Setting::Set(prefixes) | Setting::Default(prefixes) => {
                        Tri::any(prefixes.iter().map(|p| {
                            p.test(|text| text.trim().eq_ignore_ascii_case(FRONT_DOOR_FRONT_END))
                        }))
                    }
                    Setting::Absent => Tri::False,
                    Setting::Unknown(_) => Tri::Unknown,
                };
                match outbound.and(allow).and(to_front_door) {
                    Tri::True => {}
                    Tri::Unknown => {
                        ctx.indeterminate();
                        continue;
                    }
                    Tri::False => continue,
                }
                let key = (rule.resource().index, placed.path.clone());
                if !reported.insert(key) {
                    continue;
                }
                let rule_name = rule.name().unwrap_or("(name unknown)");
                let mut finding = Finding::new(
                    rule.resource(),
                    &placed.path,
                    "AzureFrontDoor.FrontEnd is a read/write destination; a firewall with FQDN rules `ml.azure.com` and the AutoML resources host narrows it.",
                )
                .label(format!(
                    "rule '{rule_name}' of NSG '{}' allows egress to AzureFrontDoor.FrontEnd",
                    nsg.display_name()
                ))
                .help("replace the service tag by FQDN rules for ml.azure.com and the AutoML hosts on a firewall")
                .related(
                    usage.subnet,
                    "properties.networkSecurityGroup.id",
                    format!("compute subnet '{}' uses this NSG", usage.subnet.display_name()),
                );
                if let Some(holder) = resource_of(&sets, usage.holder) {
                    finding = finding.related(holder, "", "compute in this subnet");
                }
                ctx.report(finding);
            }
        }
    }
}
