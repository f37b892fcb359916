//! The network-isolation invariants of Azure Machine Learning (`aml-network-invariants.md` §4),
//! one file per code.

mod non_global_private_dns_location;

pub use non_global_private_dns_location::NonGlobalPrivateDnsLocation;
