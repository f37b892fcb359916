//! The network-isolation invariants of Azure Machine Learning (`aml-network-invariants.md` §4),
//! one file per code, grouped by family.

// AML-WS: workspace and associated resources.

// AML-PNA: inbound public access and IP lists.

// AML-OE: online endpoints and deployments.

// AML-PE: private endpoints.

// AML-DNS: private DNS.
mod non_global_private_dns_location;
pub use non_global_private_dns_location::NonGlobalPrivateDnsLocation;

// AML-NET, AML-CMP, AML-NSG, AML-EXF, AML-MVN, AML-AKS, AML-DBX, AML-ATT: rule pack 2.
