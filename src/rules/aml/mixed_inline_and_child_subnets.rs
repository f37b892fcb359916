use crate::graph::EdgeKind;
use crate::model::Tri;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that a virtual network declares its subnets in one form only: inline in
    /// `properties.subnets`, or as `Microsoft.Network/virtualNetworks/subnets` child resources.
    ///
    /// ## Why is this bad?
    /// A VNet's `properties.subnets` is the complete list of its subnets. When the template also
    /// declares child subnets, every redeployment of the VNet resets the subnets to the inline
    /// list: the child subnets are deleted, or the deployment fails because computes and private
    /// endpoints still use them.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml",
    ///   "location": "westeurope",
    ///   "properties": {
    ///     "addressSpace": { "addressPrefixes": [ "10.20.0.0/16" ] },
    ///     "subnets": [ { "name": "snet-pe", "properties": { "addressPrefix": "10.20.1.0/24" } } ]
    ///   }
    /// },
    /// {
    ///   "type": "Microsoft.Network/virtualNetworks/subnets",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "vnet-ml/snet-training",
    ///   "dependsOn": [ "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-ml')]" ],
    ///   "properties": { "addressPrefix": "10.20.2.0/24" }
    /// }
    /// ```
    ///
    /// Use instead: both subnets in `properties.subnets` (or both as child resources and no
    /// `properties.subnets`).
    /// ```json
    /// "subnets": [
    ///   { "name": "snet-pe", "properties": { "addressPrefix": "10.20.1.0/24" } },
    ///   { "name": "snet-training", "properties": { "addressPrefix": "10.20.2.0/24" } }
    /// ]
    /// ```
    ///
    /// ## References
    /// - [Microsoft.Network virtualNetworks template reference](https://learn.microsoft.com/azure/templates/microsoft.network/virtualnetworks)
    /// - [Add, change, or delete a virtual network subnet](https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet)
    pub struct MixedInlineAndChildSubnets;
    code: "AML-NET-010",
    name: "mixed-inline-and-child-subnets",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Subnets are not declared both inline and as child resources.",
}

impl Rule for MixedInlineAndChildSubnets {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let graph = ctx.graph();
        for resource in ctx.resources().of_type("Microsoft.Network/virtualNetworks") {
            if resource.state.deployed() != Tri::True {
                continue;
            }
            let inline = resource.get("properties.subnets");
            if inline.is_unknown() {
                // A list computed at deployment may or may not be empty.
                ctx.indeterminate();
                continue;
            }
            if inline.as_array().is_none_or(<[_]>::is_empty) {
                continue;
            }
            let Some(node) = graph.node_of(resource.index) else {
                continue;
            };
            let mut children = Vec::new();
            let mut maybe = false;
            for relation in graph.incoming(node, EdgeKind::Parent) {
                let Some(child) = graph.node(relation.from).and_then(|n| n.resource()) else {
                    continue;
                };
                if child.inline || !child.is_type("Microsoft.Network/virtualNetworks/subnets") {
                    continue;
                }
                match child.state.deployed() {
                    Tri::True => children.push(child),
                    Tri::Unknown => maybe = true,
                    Tri::False => {}
                }
            }
            if children.is_empty() {
                if maybe {
                    ctx.indeterminate();
                }
                continue;
            }
            let names = children
                .iter()
                .map(|c| format!("'{}'", c.display_name()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut finding = Finding::new(
                resource,
                "properties.subnets",
                format!(
                    "VNet '{}' lists subnets inline and as child resources ({names}); redeploying the VNet resets its subnets to the inline list and can detach compute and endpoint subnets.",
                    resource.display_name()
                ),
            )
            .label("inline subnet list")
            .help("declare every subnet of the VNet in one form: all inline in `properties.subnets`, or all as child resources");
            for child in children {
                finding = finding.related(child, "", "subnet declared as a child resource");
            }
            ctx.report(finding);
        }
    }
}
