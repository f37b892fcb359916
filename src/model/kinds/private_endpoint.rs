//! `Microsoft.Network/privateEndpoints` and their `privateDnsZoneGroups` (§2.6, §2.7).

use super::{Setting, item_path_string, item_string, view};
use crate::expr::Value;
use crate::model::{Prop, read};

view! {
    /// A private endpoint.
    PrivateEndpoint, ["Microsoft.Network/privateEndpoints"]
}

/// One entry of `privateLinkServiceConnections[*]` or `manualPrivateLinkServiceConnections[*]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivateLinkConnection<'a> {
    /// Index in its array.
    pub index: usize,
    /// From `manualPrivateLinkServiceConnections` (needs the target owner's approval).
    pub manual: bool,
    /// `name`.
    pub name: Setting<'a, &'a str>,
    /// `properties.privateLinkServiceId`: the target resource id.
    pub target: Setting<'a, &'a str>,
    /// `properties.groupIds[*]`.
    pub group_ids: Setting<'a, Vec<Setting<'a, &'a str>>>,
}

impl PrivateLinkConnection<'_> {
    /// The body path of the connection's target (for findings).
    pub fn target_path(&self) -> String {
        format!(
            "properties.{}[{}].properties.privateLinkServiceId",
            if self.manual {
                "manualPrivateLinkServiceConnections"
            } else {
                "privateLinkServiceConnections"
            },
            self.index
        )
    }

    /// Whether the connection names `group_id` (ignoring case, C1): unknown when the list or
    /// one of its items is unknown and no item matches.
    pub fn has_group(&self, group_id: &str) -> crate::model::Tri {
        match &self.group_ids {
            Setting::Set(ids) | Setting::Default(ids) => crate::model::Tri::any(
                ids.iter()
                    .map(|id| id.test(|s| s.eq_ignore_ascii_case(group_id))),
            ),
            Setting::Absent => crate::model::Tri::False,
            Setting::Unknown(_) => crate::model::Tri::Unknown,
        }
    }
}

impl<'a> PrivateEndpoint<'a> {
    /// `properties.subnet.id`.
    pub fn subnet_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.subnet.id")
    }

    /// Both connection lists, automatic first. Unknown when either list is unknown.
    pub fn connections(&self) -> Setting<'a, Vec<PrivateLinkConnection<'a>>> {
        let mut all = Vec::new();
        for (path, manual) in [
            ("properties.privateLinkServiceConnections", false),
            ("properties.manualPrivateLinkServiceConnections", true),
        ] {
            match self.props().list(path) {
                Setting::Set(items) | Setting::Default(items) => {
                    all.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(index, item)| connection(index, manual, item)),
                    );
                }
                Setting::Absent => {}
                Setting::Unknown(cause) => return Setting::Unknown(cause),
            }
        }
        Setting::Set(all)
    }

    /// `properties.customNetworkInterfaceName`.
    pub fn custom_network_interface_name(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.customNetworkInterfaceName")
    }

    /// `properties.applicationSecurityGroups[*].id`.
    pub fn application_security_group_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.applicationSecurityGroups")
            .map(|items| items.iter().map(|a| item_path_string(a, "id")).collect())
    }

    /// `properties.ipConfigurations[*].properties.privateIPAddress`.
    pub fn static_ip_addresses(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.ipConfigurations")
            .map(|items| {
                items
                    .iter()
                    .map(|item| item_path_string(item, "properties.privateIPAddress"))
                    .collect()
            })
    }
}

fn connection(index: usize, manual: bool, item: &Value) -> PrivateLinkConnection<'_> {
    let group_ids = match read(item, "properties.groupIds") {
        Prop::Absent | Prop::Value(Value::Null) => Setting::Absent,
        Prop::Unknown(p) => Setting::Unknown(super::Cause::Runtime(p)),
        Prop::Value(Value::Array(items)) => {
            Setting::Set(items.as_slice().iter().map(item_string).collect())
        }
        Prop::Value(other) => Setting::Unknown(super::Cause::Invalid(other)),
    };
    PrivateLinkConnection {
        index,
        manual,
        name: item_path_string(item, "name"),
        target: item_path_string(item, "properties.privateLinkServiceId"),
        group_ids,
    }
}

view! {
    /// A private DNS zone group of a private endpoint.
    PrivateDnsZoneGroup, ["Microsoft.Network/privateEndpoints/privateDnsZoneGroups"]
}

impl<'a> PrivateDnsZoneGroup<'a> {
    /// `properties.privateDnsZoneConfigs[*].properties.privateDnsZoneId`.
    pub fn zone_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.privateDnsZoneConfigs")
            .map(|configs| {
                configs
                    .iter()
                    .map(|config| item_path_string(config, "properties.privateDnsZoneId"))
                    .collect()
            })
    }
}
