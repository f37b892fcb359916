use crate::model::Prop;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that every private DNS zone and every virtual network link of a private DNS zone
    /// has `location: "global"`.
    ///
    /// ## Why is this bad?
    /// Private DNS zones are global resources, and so are their virtual network links: ARM
    /// rejects any other location, so the deployment fails (AML-DNS-007 of the AML network
    /// isolation invariants; every Microsoft example of these types uses `global`).
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms",
    ///   "location": "[resourceGroup().location]"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateDnsZones",
    ///   "apiVersion": "2020-06-01",
    ///   "name": "privatelink.api.azureml.ms",
    ///   "location": "global"
    /// }
    /// ```
    ///
    /// ## References
    /// - [Private DNS zone: template reference](https://learn.microsoft.com/azure/templates/microsoft.network/privatednszones)
    /// - [Virtual network links: template reference](https://learn.microsoft.com/azure/templates/microsoft.network/privatednszones/virtualnetworklinks)
    pub struct NonGlobalPrivateDnsLocation;
    code: "AML-DNS-007",
    name: "non-global-private-dns-location",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Private DNS zones and their virtual network links have location global.",
}

impl Rule for NonGlobalPrivateDnsLocation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let types = [
            "Microsoft.Network/privateDnsZones",
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        ];
        for resource in ctx.resources().iter() {
            if !types.iter().any(|t| resource.is_type(t))
                || !resource.state.deployed().is_possible()
            {
                continue;
            }
            match resource.get("location") {
                Prop::Value(location) => {
                    let Some(location) = location.as_str() else {
                        continue;
                    };
                    if !location.eq_ignore_ascii_case("global") {
                        ctx.report(
                            Finding::new(
                                resource,
                                "location",
                                format!(
                                    "'{}' must have location 'global', not '{location}'.",
                                    resource.display_name()
                                ),
                            )
                            .label("not global")
                            .help("set `\"location\": \"global\"`"),
                        );
                    }
                }
                Prop::Unknown(_) => ctx.indeterminate(),
                Prop::Absent => {}
            }
        }
    }
}
