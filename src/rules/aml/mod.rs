//! The network-isolation invariants of Azure Machine Learning (`aml-network-invariants.md` §4),
//! one file per code, grouped by family.

// AML-WS: workspace and associated resources.

// AML-PNA: inbound public access and IP lists.

// AML-OE: online endpoints and deployments.

// AML-PE: private endpoints.
mod mismatched_private_link_group_id;
mod mismatched_zone_group_zones;
mod private_endpoint_outside_vnet_region;
mod private_endpoint_without_dns;
pub use mismatched_private_link_group_id::MismatchedPrivateLinkGroupId;
pub use mismatched_zone_group_zones::MismatchedZoneGroupZones;
pub use private_endpoint_outside_vnet_region::PrivateEndpointOutsideVnetRegion;
pub use private_endpoint_without_dns::PrivateEndpointWithoutDns;

// AML-DNS: private DNS.
mod dns_support;
mod misnamed_private_dns_zone;
mod missing_aml_private_dns_zone;
mod missing_inference_wildcard_record;
mod missing_workspace_dns_record;
mod non_global_private_dns_location;
mod unlinked_aml_private_dns_zone;
pub use misnamed_private_dns_zone::MisnamedPrivateDnsZone;
pub use missing_aml_private_dns_zone::MissingAmlPrivateDnsZone;
pub use missing_inference_wildcard_record::MissingInferenceWildcardRecord;
pub use missing_workspace_dns_record::MissingWorkspaceDnsRecord;
pub use non_global_private_dns_location::NonGlobalPrivateDnsLocation;
pub use unlinked_aml_private_dns_zone::UnlinkedAmlPrivateDnsZone;

// AML-NET, AML-CMP, AML-NSG, AML-EXF, AML-MVN, AML-AKS, AML-DBX, AML-ATT: rule pack 2.
