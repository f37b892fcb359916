//! `Microsoft.Network/serviceEndpointPolicies` (§2.11).

use super::{Setting, item_path_string, view};
use crate::expr::Value;
use crate::model::{Prop, read};

view! {
    /// A service endpoint policy.
    ServiceEndpointPolicy, ["Microsoft.Network/serviceEndpointPolicies"]
}

/// One inline definition of a service endpoint policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDefinition<'a> {
    /// `name`.
    pub name: Setting<'a, &'a str>,
    /// `properties.service` (`Microsoft.Storage` or `Global`).
    pub service: Setting<'a, &'a str>,
    /// `properties.serviceResources[*]`.
    pub service_resources: Setting<'a, Vec<Setting<'a, &'a str>>>,
}

impl<'a> PolicyDefinition<'a> {
    /// Reads a definition object whose `service` and `serviceResources` sit under `prefix`
    /// (`properties.` for inline definitions and for the child resource's body alike).
    fn read(item: &'a Value, prefix: &str) -> PolicyDefinition<'a> {
        PolicyDefinition {
            name: item_path_string(item, "name"),
            service: item_path_string(item, &format!("{prefix}service")),
            service_resources: match read(item, &format!("{prefix}serviceResources")) {
                Prop::Value(Value::Null) | Prop::Absent => Setting::Absent,
                Prop::Value(v) => match v.as_array() {
                    Some(list) => Setting::Set(list.iter().map(super::item_string).collect()),
                    None => Setting::Unknown(super::Cause::Invalid(v)),
                },
                Prop::Unknown(p) => Setting::Unknown(super::Cause::Runtime(p)),
            },
        }
    }

    /// Whether `service` is `Global` (a service alias definition), tri-state (C1).
    pub fn is_global(&self) -> crate::model::Tri {
        self.service.test(|s| s.eq_ignore_ascii_case("Global"))
    }

    /// Whether `service` is `Microsoft.Storage` (a resource-scoped definition), tri-state (C1).
    pub fn is_storage(&self) -> crate::model::Tri {
        self.service
            .test(|s| s.eq_ignore_ascii_case("Microsoft.Storage"))
    }
}

impl<'a> ServiceEndpointPolicy<'a> {
    /// `properties.serviceEndpointPolicyDefinitions[*]`.
    pub fn definitions(&self) -> Setting<'a, Vec<PolicyDefinition<'a>>> {
        self.props()
            .list("properties.serviceEndpointPolicyDefinitions")
            .map(|items| {
                items
                    .iter()
                    .map(|item| PolicyDefinition::read(item, "properties."))
                    .collect()
            })
    }

    /// `properties.serviceAlias`.
    pub fn service_alias(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.serviceAlias")
    }
}

/// The resource type of a child policy definition.
pub const POLICY_DEFINITION_TYPE: &str =
    "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions";

view! {
    /// A child definition of a service endpoint policy
    /// (`serviceEndpointPolicies/serviceEndpointPolicyDefinitions`).
    ServiceEndpointPolicyDefinition, [
        "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions"
    ]
}

impl<'a> ServiceEndpointPolicyDefinition<'a> {
    /// The definition with the same shape as an inline one. An `existing` definition's
    /// properties are unknown (C4).
    pub fn definition(&self) -> PolicyDefinition<'a> {
        let resource = self.resource();
        if resource.state == crate::model::DeploymentState::Existing {
            return PolicyDefinition {
                name: Setting::Unknown(super::Cause::NotDeployed),
                service: Setting::Unknown(super::Cause::NotDeployed),
                service_resources: Setting::Unknown(super::Cause::NotDeployed),
            };
        }
        let mut definition = PolicyDefinition::read(&resource.body, "properties.");
        definition.name = match resource.name.as_str() {
            Some(name) => Setting::Set(name.rsplit('/').next().unwrap_or(name)),
            None => Setting::Absent,
        };
        definition
    }
}
