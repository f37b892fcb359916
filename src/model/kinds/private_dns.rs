//! `Microsoft.Network/privateDnsZones`, its `A` record sets and `virtualNetworkLinks`, and the
//! virtual network links of DNS forwarding rulesets (§2.8).

use super::{Cause, Setting, item_path_string, keyword_enum, view};
use crate::expr::Value;
use crate::model::Resource;

keyword_enum! {
    /// `properties.resolutionPolicy` of a virtual network link.
    ResolutionPolicy {
        /// Private resolution only.
        Default = "Default",
        /// Fall back to public resolution on NXDOMAIN.
        NxDomainRedirect = "NxDomainRedirect",
    }
}

/// The name segment at `index` of a resource's full name (`zone/record`), as a setting.
fn name_part(resource: &Resource, index: usize) -> Setting<'_, &str> {
    match &resource.name {
        Value::String(name) => match name.split('/').nth(index) {
            Some(part) => Setting::Set(part),
            None => Setting::Absent,
        },
        Value::Unknown(provenance) => Setting::Unknown(Cause::Runtime(provenance)),
        other => Setting::Unknown(Cause::Invalid(other)),
    }
}

view! {
    /// A private DNS zone.
    PrivateDnsZone, ["Microsoft.Network/privateDnsZones"]
}

impl<'a> PrivateDnsZone<'a> {
    /// The zone's DNS name (`privatelink.api.azureml.ms`); known also for `existing` zones,
    /// whose name the template states.
    pub fn zone_name(&self) -> Setting<'a, &'a str> {
        name_part(self.resource, 0)
    }
}

view! {
    /// An `A` record set of a private DNS zone.
    ARecordSet, ["Microsoft.Network/privateDnsZones/A"]
}

impl<'a> ARecordSet<'a> {
    /// The zone's name (first name segment).
    pub fn zone_name(&self) -> Setting<'a, &'a str> {
        name_part(self.resource, 0)
    }

    /// The record's relative name (`@`, `*.x`, `<workspaceId>.workspace.<region>`).
    pub fn relative_name(&self) -> Setting<'a, &'a str> {
        name_part(self.resource, 1)
    }

    /// `properties.aRecords[*].ipv4Address`.
    pub fn ipv4_addresses(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props().list("properties.aRecords").map(|records| {
            records
                .iter()
                .map(|r| item_path_string(r, "ipv4Address"))
                .collect()
        })
    }

    /// `properties.ttl`.
    pub fn ttl(&self) -> Setting<'a, i64> {
        self.props().int("properties.ttl")
    }
}

view! {
    /// A virtual network link of a private DNS zone.
    VirtualNetworkLink, ["Microsoft.Network/privateDnsZones/virtualNetworkLinks"]
}

impl<'a> VirtualNetworkLink<'a> {
    /// The zone's name (first name segment).
    pub fn zone_name(&self) -> Setting<'a, &'a str> {
        name_part(self.resource, 0)
    }

    /// `properties.virtualNetwork.id`.
    pub fn virtual_network_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.virtualNetwork.id")
    }

    /// `properties.registrationEnabled`; default `false` (C4).
    pub fn registration_enabled(&self) -> Setting<'a, bool> {
        self.props()
            .bool("properties.registrationEnabled", Some(false))
    }

    /// `properties.resolutionPolicy`; default `Default` (C4).
    pub fn resolution_policy(&self) -> Setting<'a, ResolutionPolicy> {
        self.props().keyword(
            "properties.resolutionPolicy",
            Some(ResolutionPolicy::Default),
        )
    }
}

view! {
    /// A virtual network link of a DNS forwarding ruleset (read only for `CUSTOM_DNS`).
    DnsForwardingRulesetLink, ["Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks"]
}

impl<'a> DnsForwardingRulesetLink<'a> {
    /// `properties.virtualNetwork.id`.
    pub fn virtual_network_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.virtualNetwork.id")
    }
}
