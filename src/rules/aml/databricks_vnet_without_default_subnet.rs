use std::collections::HashSet;

use super::attached_support::databricks_links;
use super::net_support::declared;
use super::support::resource_of;
use crate::graph::EdgeKind;
use crate::model::kinds::{DatabricksWorkspace, Setting, Subnet};
use crate::model::{ResourceId, Tri};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the virtual network of a Databricks workspace attached to Azure Machine
    /// Learning (a `Databricks` compute) has a subnet besides the Databricks public and private
    /// subnets (`customPublicSubnetName`, `customPrivateSubnetName`). Subnets declared inline and
    /// as child resources both count.
    ///
    /// ## Why is this bad?
    /// The Databricks subnets are delegated to Databricks and hold only its clusters. Azure
    /// Machine Learning's guidance for Databricks in a virtual network asks for the VNet's
    /// `default` subnet in addition to the two Databricks subnets; a VNet reduced to the
    /// Databricks subnets leaves no place for the other resources of the secured setup.
    /// Whether any third subnet suffices, or it must be named `default`, is not documented, so
    /// any other subnet passes and the finding is a warning.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-dbx",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "addressSpace": { "addressPrefixes": ["10.40.0.0/16"] },
    ///     "subnets": [
    ///       { "name": "databricks-public", "properties": { "addressPrefix": "10.40.1.0/24" } },
    ///       { "name": "databricks-private", "properties": { "addressPrefix": "10.40.2.0/24" } }
    ///     ]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// "subnets": [
    ///   { "name": "default", "properties": { "addressPrefix": "10.40.0.0/24" } },
    ///   { "name": "databricks-public", "properties": { "addressPrefix": "10.40.1.0/24" } },
    ///   { "name": "databricks-private", "properties": { "addressPrefix": "10.40.2.0/24" } }
    /// ]
    /// ```
    ///
    /// ## References
    /// - [Secure an Azure Machine Learning training environment with virtual networks (Azure Databricks)](https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet)
    pub struct DatabricksVnetWithoutDefaultSubnet;
    code: "AML-DBX-003",
    name: "databricks-vnet-without-default-subnet",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "The Databricks VNet keeps a subnet besides the Databricks subnets.",
}

impl Rule for DatabricksVnetWithoutDefaultSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let mut reported = HashSet::new();
        for link in databricks_links(ctx, &sets) {
            let Some(databricks) = DatabricksWorkspace::of(link.databricks) else {
                continue;
            };
            let vnet_id = match databricks.custom_virtual_network_id() {
                Setting::Set(text) => match ResourceId::parse(text) {
                    Ok(id) => id,
                    Err(_) => continue,
                },
                Setting::Unknown(_) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            let (public, private) = match (
                databricks.custom_public_subnet_name(),
                databricks.custom_private_subnet_name(),
            ) {
                (Setting::Set(public), Setting::Set(private)) => (public, private),
                (Setting::Unknown(_), _) | (_, Setting::Unknown(_)) => {
                    ctx.indeterminate();
                    continue;
                }
                _ => continue,
            };
            // The subnets of a VNet the template does not write are invisible.
            let Some((vnet_node, vnet_resource)) = declared(&sets, &vnet_id) else {
                ctx.indeterminate();
                continue;
            };
            if sets.written(vnet_node) != Tri::True
                || vnet_resource.get("properties.subnets").is_unknown()
            {
                ctx.indeterminate();
                continue;
            }
            let mut other_subnet = Tri::False;
            for relation in sets.graph().incoming(vnet_node, EdgeKind::Parent) {
                let Some(subnet) = resource_of(&sets, relation.from) else {
                    continue;
                };
                if Subnet::of(subnet).is_none() || subnet.state.deployed() == Tri::False {
                    continue;
                }
                let is_other = match subnet.name.as_str() {
                    Some(name) => {
                        let name = name.rsplit('/').next().unwrap_or(name);
                        Tri::from(
                            !name.eq_ignore_ascii_case(public)
                                && !name.eq_ignore_ascii_case(private),
                        )
                    }
                    None => Tri::Unknown,
                };
                other_subnet = other_subnet.or(is_other);
            }
            match other_subnet {
                Tri::True => continue,
                Tri::Unknown => {
                    ctx.indeterminate();
                    continue;
                }
                Tri::False => {}
            }
            if !reported.insert(vnet_node) {
                continue;
            }
            let vnet_name = vnet_resource.display_name();
            let finding = Finding::new(
                vnet_resource,
                "properties.subnets",
                format!(
                    "VNet '{vnet_name}' has only the Databricks subnets; AML also needs the VNet's default subnet."
                ),
            )
            .label(format!("only '{public}' and '{private}'"))
            .help("add a `default` subnet to the virtual network next to the Databricks subnets")
            .related(
                link.databricks,
                "properties.parameters.customVirtualNetworkId.value",
                format!("Databricks workspace '{}'", link.databricks.display_name()),
            );
            ctx.report(link.explain(finding));
        }
    }
}
