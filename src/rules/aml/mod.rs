//! The network-isolation invariants of Azure Machine Learning (`aml-network-invariants.md` §4),
//! one file per code, grouped by family.

// AML-WS: workspace and associated resources.
mod associated_resource_in_other_subscription;
mod key_vault_firewall_without_trusted_services;
mod non_premium_private_registry;
mod private_only_monitor_link_scope;
mod public_associated_resource;
mod restricted_registry_without_trusted_services;
mod serverless_image_build_with_restricted_dependencies;
mod storage_firewall_without_workspace_access;
mod support;
pub use associated_resource_in_other_subscription::AssociatedResourceInOtherSubscription;
pub use key_vault_firewall_without_trusted_services::KeyVaultFirewallWithoutTrustedServices;
pub use non_premium_private_registry::NonPremiumPrivateRegistry;
pub use private_only_monitor_link_scope::PrivateOnlyMonitorLinkScope;
pub use public_associated_resource::PublicAssociatedResource;
pub use restricted_registry_without_trusted_services::RestrictedRegistryWithoutTrustedServices;
pub use serverless_image_build_with_restricted_dependencies::ServerlessImageBuildWithRestrictedDependencies;
pub use storage_firewall_without_workspace_access::StorageFirewallWithoutWorkspaceAccess;

// AML-PNA: inbound public access and IP lists.
mod conflicting_public_access_flags;
mod invalid_public_network_access_value;
mod invalid_workspace_ip_rule;
mod ip_rules_at_workspace_creation;
mod ip_rules_inconsistent_with_public_access;
mod managed_selected_ips_without_workspace_rule;
mod online_endpoint_ip_list_mismatch;
mod private_online_endpoint_without_workspace_endpoint;
mod public_online_endpoint_of_private_workspace;
mod unreachable_private_workspace;
pub use conflicting_public_access_flags::ConflictingPublicAccessFlags;
pub use invalid_public_network_access_value::InvalidPublicNetworkAccessValue;
pub use invalid_workspace_ip_rule::InvalidWorkspaceIpRule;
pub use ip_rules_at_workspace_creation::IpRulesAtWorkspaceCreation;
pub use ip_rules_inconsistent_with_public_access::IpRulesInconsistentWithPublicAccess;
pub use managed_selected_ips_without_workspace_rule::ManagedSelectedIpsWithoutWorkspaceRule;
pub use online_endpoint_ip_list_mismatch::OnlineEndpointIpListMismatch;
pub use private_online_endpoint_without_workspace_endpoint::PrivateOnlineEndpointWithoutWorkspaceEndpoint;
pub use public_online_endpoint_of_private_workspace::PublicOnlineEndpointOfPrivateWorkspace;
pub use unreachable_private_workspace::UnreachablePrivateWorkspace;

// AML-OE: online endpoints and deployments.
mod changed_deployment_egress_flag;
mod egress_flag_under_managed_network;
mod legacy_mode_workspace_with_online_endpoints;
mod online_deployment_before_managed_network;
mod online_deployment_support;
mod private_egress_without_workspace_endpoint;
mod public_egress_to_private_workspace;
pub use changed_deployment_egress_flag::ChangedDeploymentEgressFlag;
pub use egress_flag_under_managed_network::EgressFlagUnderManagedNetwork;
pub use legacy_mode_workspace_with_online_endpoints::LegacyModeWorkspaceWithOnlineEndpoints;
pub use online_deployment_before_managed_network::OnlineDeploymentBeforeManagedNetwork;
pub use private_egress_without_workspace_endpoint::PrivateEgressWithoutWorkspaceEndpoint;
pub use public_egress_to_private_workspace::PublicEgressToPrivateWorkspace;

// AML-PE: private endpoints.
mod manual_private_link_connection;
mod private_endpoint_subnet_network_policies;
pub use manual_private_link_connection::ManualPrivateLinkConnection;
pub use private_endpoint_subnet_network_policies::PrivateEndpointSubnetNetworkPolicies;
mod mismatched_private_link_group_id;
mod mismatched_zone_group_zones;
mod private_endpoint_outside_vnet_region;
mod private_endpoint_without_dns;
pub use mismatched_private_link_group_id::MismatchedPrivateLinkGroupId;
pub use mismatched_zone_group_zones::MismatchedZoneGroupZones;
pub use private_endpoint_outside_vnet_region::PrivateEndpointOutsideVnetRegion;
pub use private_endpoint_without_dns::PrivateEndpointWithoutDns;

// AML-DNS: private DNS.
mod aml_record_outside_endpoint_subnet;
mod auto_registration_on_private_link_zone;
mod dns_support;
mod misnamed_private_dns_zone;
mod missing_aml_private_dns_zone;
mod missing_inference_wildcard_record;
mod missing_workspace_dns_record;
mod non_global_private_dns_location;
mod nx_domain_redirect_on_aml_zone_link;
mod same_named_zones_on_one_vnet;
mod unlinked_aml_private_dns_zone;
pub use aml_record_outside_endpoint_subnet::AmlRecordOutsideEndpointSubnet;
pub use auto_registration_on_private_link_zone::AutoRegistrationOnPrivateLinkZone;
pub use misnamed_private_dns_zone::MisnamedPrivateDnsZone;
pub use missing_aml_private_dns_zone::MissingAmlPrivateDnsZone;
pub use missing_inference_wildcard_record::MissingInferenceWildcardRecord;
pub use missing_workspace_dns_record::MissingWorkspaceDnsRecord;
pub use non_global_private_dns_location::NonGlobalPrivateDnsLocation;
pub use nx_domain_redirect_on_aml_zone_link::NxDomainRedirectOnAmlZoneLink;
pub use same_named_zones_on_one_vnet::SameNamedZonesOnOneVnet;
pub use unlinked_aml_private_dns_zone::UnlinkedAmlPrivateDnsZone;

// AML-NET, AML-CMP, AML-NSG, AML-EXF, AML-MVN, AML-AKS, AML-DBX, AML-ATT: rule pack 2.

// AML-NET: virtual networks, subnets, peering.
mod delegated_compute_subnet;
mod mixed_inline_and_child_subnets;
mod net_support;
mod overlapping_peered_vnets;
mod undersized_compute_subnet;
mod vnet_overlapping_docker_bridge;
pub use delegated_compute_subnet::DelegatedComputeSubnet;
pub use mixed_inline_and_child_subnets::MixedInlineAndChildSubnets;
pub use overlapping_peered_vnets::OverlappingPeeredVnets;
pub use undersized_compute_subnet::UndersizedComputeSubnet;
pub use vnet_overlapping_docker_bridge::VnetOverlappingDockerBridge;

// AML-CMP: computes.
mod compute_with_public_ssh;
pub use compute_with_public_ssh::ComputeWithPublicSsh;

// AML-NSG: NSG flows.
mod attached_compute_without_aml_ssh;
mod blocked_aks_registry_egress;
mod blocked_smb_to_default_storage;
mod denied_core_compute_egress;
mod denied_required_compute_egress;
mod denied_situational_compute_egress;
mod endpoint_subnet_denying_clients;
mod forced_tunnel_without_aml_return_route;
mod nsg_support;
mod public_ip_compute_without_management_inbound;
pub use attached_compute_without_aml_ssh::AttachedComputeWithoutAmlSsh;
pub use blocked_aks_registry_egress::BlockedAksRegistryEgress;
pub use blocked_smb_to_default_storage::BlockedSmbToDefaultStorage;
pub use denied_core_compute_egress::DeniedCoreComputeEgress;
pub use denied_required_compute_egress::DeniedRequiredComputeEgress;
pub use denied_situational_compute_egress::DeniedSituationalComputeEgress;
pub use endpoint_subnet_denying_clients::EndpointSubnetDenyingClients;
pub use forced_tunnel_without_aml_return_route::ForcedTunnelWithoutAmlReturnRoute;
pub use public_ip_compute_without_management_inbound::PublicIpComputeWithoutManagementInbound;

// AML-EXF: data exfiltration.

// AML-MVN: workspace managed network.

// AML-AKS: AKS attached to AML.

// AML-DBX: Azure Databricks.

// AML-ATT: attached virtual machines and HDInsight.
