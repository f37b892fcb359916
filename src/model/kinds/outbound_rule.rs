//! `workspaces/outboundRules` and the inline rules of `managedNetwork.outboundRules` (§2.5).

use super::{Props, Setting, keyword_enum};
use crate::expr::Value;
use crate::model::Resource;

keyword_enum! {
    /// `properties.type` of an outbound rule.
    OutboundRuleKind {
        /// A private endpoint to a resource.
        PrivateEndpoint = "PrivateEndpoint",
        /// A service tag.
        ServiceTag = "ServiceTag",
        /// An FQDN.
        Fqdn = "FQDN",
    }
}

/// The resource type of a child outbound rule.
pub const OUTBOUND_RULE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/outboundRules";

/// An outbound rule of a managed network: a child resource or an inline entry of the
/// workspace's `managedNetwork.outboundRules` map.
#[derive(Debug, Clone, Copy)]
pub struct OutboundRule<'a> {
    resource: &'a Resource,
    name: Option<&'a str>,
    /// The rule object (`properties` of the child; the map value inline).
    rule: Props<'a>,
}

impl<'a> OutboundRule<'a> {
    /// The view of a child `outboundRules` resource.
    pub fn of(resource: &'a Resource) -> Option<Self> {
        if !resource.is_type(OUTBOUND_RULE_TYPE) {
            return None;
        }
        let rule = match crate::model::read(&resource.body, "properties") {
            crate::model::Prop::Value(value) => value,
            _ => &resource.body,
        };
        Some(OutboundRule {
            resource,
            name: resource
                .name
                .as_str()
                .map(|n| n.rsplit('/').next().unwrap_or(n)),
            rule: Props::item(rule, resource.state),
        })
    }

    /// The inline rules of a workspace (`properties.managedNetwork.outboundRules`).
    pub fn inline(workspace: &super::Workspace<'a>) -> Vec<OutboundRule<'a>> {
        let resource = workspace.resource();
        workspace
            .managed_outbound_rules()
            .known()
            .unwrap_or_default()
            .into_iter()
            .map(|(name, rule)| OutboundRule {
                resource,
                name: Some(name),
                rule: Props::item(rule, resource.state),
            })
            .collect()
    }

    /// The resource holding the rule (the child resource, or the workspace for inline rules).
    pub fn resource(&self) -> &'a Resource {
        self.resource
    }

    /// The rule's name, when known.
    pub fn name(&self) -> Option<&'a str> {
        self.name
    }

    /// `type`.
    pub fn kind(&self) -> Setting<'a, OutboundRuleKind> {
        self.rule.keyword("type", None)
    }

    /// `category` (`Required` | `Recommended` | `UserDefined` | `Dependency`).
    pub fn category(&self) -> Setting<'a, &'a str> {
        self.rule.string("category")
    }

    /// `destination.serviceResourceId` (PrivateEndpoint rules).
    pub fn service_resource_id(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination.serviceResourceId")
    }

    /// `destination.subresourceTarget`: the group id (PrivateEndpoint rules).
    pub fn subresource_target(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination.subresourceTarget")
    }

    /// `destination.sparkEnabled` (PrivateEndpoint rules).
    pub fn spark_enabled(&self) -> Setting<'a, bool> {
        self.rule.bool("destination.sparkEnabled", None)
    }

    /// `destination.serviceTag` (ServiceTag rules).
    pub fn service_tag(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination.serviceTag")
    }

    /// `destination.protocol` (ServiceTag rules).
    pub fn protocol(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination.protocol")
    }

    /// `destination.portRanges` (ServiceTag rules, `"80, 8080-8089"`).
    pub fn port_ranges(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination.portRanges")
    }

    /// `destination.action` (ServiceTag rules: `Allow` | `Deny`).
    pub fn action(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination.action")
    }

    /// `destination` as a string: the host name of an FQDN rule.
    pub fn fqdn(&self) -> Setting<'a, &'a str> {
        self.rule.string("destination")
    }

    /// `fqdns[*]` (PrivateEndpoint rules, preview versions).
    pub fn fqdns(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.rule.strings("fqdns")
    }

    /// The raw rule object.
    pub fn raw(&self) -> Option<&'a Value> {
        self.rule.raw("").ok().flatten()
    }
}
