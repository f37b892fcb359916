//! Every code armgraph can report, in a stable order: engine codes by stage, then rule families.

use super::{Rule, aml};
use crate::codes::CodeInfo;

/// Every built-in rule, one line each, by family and code.
static RULES: &[&dyn Rule] = &[
    // AML-WS
    &aml::AssociatedResourceInOtherSubscription,
    &aml::NonPremiumPrivateRegistry,
    &aml::ServerlessImageBuildWithRestrictedDependencies,
    &aml::KeyVaultFirewallWithoutTrustedServices,
    &aml::StorageFirewallWithoutWorkspaceAccess,
    &aml::PublicAssociatedResource,
    &aml::PrivateOnlyMonitorLinkScope,
    &aml::RestrictedRegistryWithoutTrustedServices,
    &aml::UnreachableDefaultStorage,
    &aml::CrossRegionWorkspaceResource,
    //
    // AML-PNA
    &aml::InvalidPublicNetworkAccessValue,
    &aml::UnreachablePrivateWorkspace,
    &aml::PrivateOnlineEndpointWithoutWorkspaceEndpoint,
    &aml::PublicOnlineEndpointOfPrivateWorkspace,
    &aml::ConflictingPublicAccessFlags,
    &aml::InvalidWorkspaceIpRule,
    &aml::IpRulesInconsistentWithPublicAccess,
    &aml::OnlineEndpointIpListMismatch,
    &aml::IpRulesAtWorkspaceCreation,
    &aml::ManagedSelectedIpsWithoutWorkspaceRule,
    &aml::CliStyleNetworkSetting,
    //
    // AML-OE
    &aml::LegacyModeWorkspaceWithOnlineEndpoints,
    &aml::ChangedDeploymentEgressFlag,
    &aml::EgressFlagUnderManagedNetwork,
    &aml::PublicEgressToPrivateWorkspace,
    &aml::PrivateEgressWithoutWorkspaceEndpoint,
    &aml::OnlineDeploymentBeforeManagedNetwork,
    &aml::UnreachablePrivateEgressDependency,
    //
    // AML-PE
    &aml::MismatchedPrivateLinkGroupId,
    &aml::PrivateEndpointOutsideVnetRegion,
    &aml::MismatchedZoneGroupZones,
    &aml::PrivateEndpointWithoutDns,
    &aml::ManualPrivateLinkConnection,
    &aml::PrivateEndpointSubnetNetworkPolicies,
    &aml::AmbiguousPrivateEndpointTarget,
    &aml::WorkspaceEndpointVnetWithoutDependencyAccess,
    &aml::StudioStoragePathAwayFromWorkspaceEndpoint,
    //
    // AML-DNS
    &aml::MissingAmlPrivateDnsZone,
    &aml::MisnamedPrivateDnsZone,
    &aml::UnlinkedAmlPrivateDnsZone,
    &aml::MissingWorkspaceDnsRecord,
    &aml::MissingInferenceWildcardRecord,
    &aml::AmlRecordOutsideEndpointSubnet,
    &aml::NonGlobalPrivateDnsLocation,
    &aml::AutoRegistrationOnPrivateLinkZone,
    &aml::SameNamedZonesOnOneVnet,
    &aml::NxDomainRedirectOnAmlZoneLink,
    &aml::CustomDnsWithoutAzureDns,
    &aml::MissingDependencyPrivateDnsZone,
    &aml::UnwrittenRegistryDataZone,
    //
    // rule pack 2
    //
    // AML-NET
    &aml::DelegatedComputeSubnet,
    &aml::UndersizedComputeSubnet,
    &aml::VnetOverlappingDockerBridge,
    &aml::MixedInlineAndChildSubnets,
    &aml::OverlappingPeeredVnets,
    &aml::ComputeVnetInOtherSubscription,
    &aml::ComputeInstanceOutsideWorkspaceNetwork,
    &aml::UnconnectedRemoteComputeCluster,
    &aml::IncompleteVnetPeering,
    &aml::NoPublicIpComputeWithoutEgress,
    //
    // AML-CMP
    &aml::NoPublicIpComputeWithoutWorkspaceEndpoint,
    &aml::CustomerVnetComputeUnderManagedNetwork,
    &aml::ServerlessAllowListWithoutPrivatePath,
    &aml::ServerlessNoPublicIpWithoutSubnet,
    &aml::PublicIpComputeUnderResourceLock,
    &aml::ComputeWithPublicSsh,
    //
    // AML-NSG
    &aml::DeniedCoreComputeEgress,
    &aml::DeniedRequiredComputeEgress,
    &aml::DeniedSituationalComputeEgress,
    &aml::PublicIpComputeWithoutManagementInbound,
    &aml::ForcedTunnelWithoutAmlReturnRoute,
    &aml::BlockedSmbToDefaultStorage,
    &aml::AttachedComputeWithoutAmlSsh,
    &aml::BlockedAksRegistryEgress,
    &aml::EndpointSubnetDenyingClients,
    //
    // AML-EXF
    &aml::UnrestrictedStorageEgress,
    &aml::IncompleteServiceEndpointPolicy,
    &aml::FrontDoorEgressFromComputeSubnet,
    &aml::ExfiltrationWeakeningOutboundRule,
    //
    // AML-MVN
    &aml::InvalidIsolationMode,
    &aml::OutboundRuleOutsideApprovedMode,
    &aml::InvalidPrivateEndpointRuleTarget,
    &aml::IncompleteServiceTagRule,
    &aml::MalformedFqdnRule,
    &aml::FqdnRuleToStorage,
    &aml::InvalidOutboundRuleName,
    &aml::RelaxedIsolationMode,
    &aml::UnsupportedComputeInManagedNetwork,
    &aml::ManagedNetworkProvisionedWithPublicAccess,
    &aml::MissingBatchStorageRules,
    &aml::IneffectiveFirewallSku,
    &aml::OutboundRuleTargetInOtherTenant,
    &aml::DuplicateOutboundRule,
    &aml::ServiceEndpointAccessToManagedTarget,
    &aml::ExistingComputeOutsideManagedNetwork,
    //
    // AML-AKS
    &aml::AksOutsidePrivateWorkspaceRegion,
    &aml::AksWithoutPrivatePath,
    &aml::PrivateAksWithPublicFqdn,
    &aml::PublicAksScoringOfIsolatedWorkspace,
    //
    // AML-DBX
    &aml::MisplacedDatabricksVnet,
    &aml::StorageSecuredOutsideDatabricksVnet,
    &aml::DatabricksVnetWithoutDefaultSubnet,
    //
    // AML-ATT
    &aml::NonUbuntuAttachedVm,
];

/// Every built-in rule.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Metadata of every finding code, for `--list-rules`, SARIF `rules[]` and the docs.
///
/// ```
/// let codes = armgraph::rules::registry();
/// assert!(codes.iter().any(|c| c.code == "ARM-JSON-001"));
/// ```
pub fn registry() -> Vec<CodeInfo> {
    let tables: &[&[CodeInfo]] = &[
        crate::source::CODES,
        crate::expr::CODES,
        crate::template::CODES,
        crate::graph::CODES,
        crate::policy::CODES,
        crate::custom::CODES,
        crate::config::CODES,
    ];
    tables
        .iter()
        .flat_map(|table| table.iter().copied())
        .chain(RULES.iter().map(|rule| rule.meta().code_info()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let all = registry();
        let mut seen = std::collections::HashSet::new();
        for info in &all {
            assert!(seen.insert(info.code), "duplicate code {}", info.code);
            assert!(
                info.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} name {:?} is not kebab-case",
                info.code,
                info.name
            );
            assert!(
                info.summary.ends_with('.'),
                "{} summary is a sentence",
                info.code
            );
        }
    }

    #[test]
    fn withdrawn_nsg_006_stays_reserved() {
        // AML-NSG-006 was withdrawn in revision 2 of the invariants (Batch classic node
        // communication retired on 31 March 2026); its code must never be reused.
        assert!(
            all_rules()
                .iter()
                .all(|rule| rule.meta().code != "AML-NSG-006")
        );
    }

    #[test]
    fn every_rule_documents_the_required_sections_in_order() {
        for rule in all_rules() {
            let docs = rule.meta().docs;
            let mut from = 0;
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "Use instead:",
                "## References",
            ] {
                let at = docs[from..].find(section).unwrap_or_else(|| {
                    panic!("{}: missing or misplaced `{section}`", rule.meta().code)
                });
                from += at + section.len();
            }
        }
    }
}
