//! `Microsoft.Network/serviceEndpointPolicies` (§2.11).

use super::{Setting, item_path_string, view};
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

impl<'a> ServiceEndpointPolicy<'a> {
    /// `properties.serviceEndpointPolicyDefinitions[*]`.
    pub fn definitions(&self) -> Setting<'a, Vec<PolicyDefinition<'a>>> {
        self.props()
            .list("properties.serviceEndpointPolicyDefinitions")
            .map(|items| {
                items
                    .iter()
                    .map(|item| PolicyDefinition {
                        name: item_path_string(item, "name"),
                        service: item_path_string(item, "properties.service"),
                        service_resources: match read(item, "properties.serviceResources") {
                            Prop::Value(v) => match v.as_array() {
                                Some(list) => {
                                    Setting::Set(list.iter().map(super::item_string).collect())
                                }
                                None => Setting::Unknown(super::Cause::Invalid(v)),
                            },
                            Prop::Unknown(p) => Setting::Unknown(super::Cause::Runtime(p)),
                            Prop::Absent => Setting::Absent,
                        },
                    })
                    .collect()
            })
    }

    /// `properties.serviceAlias`.
    pub fn service_alias(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.serviceAlias")
    }
}
