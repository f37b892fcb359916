//! Root-cause grouping (spec §1.4 C7): when several rules describe one defect, the report shows
//! one item, under the rule that owns the root cause.
//!
//! A finding names the root causes it is about and its role for each: the owner's finding is
//! the item; a finding *grouped with* a cause joins the owner's item as a related location (its
//! severity counts, so the item never reads milder than its parts) and disappears as a finding
//! of its own; a finding that *defers to* a cause is dropped when the owner reports it. Without
//! an owner finding (the owner rule is turned off, or it does not fire) both stay as they are,
//! so running a rule alone shows everything it finds.

use std::collections::HashMap;

use crate::codes::Severity;
use crate::model::ResourceId;
use crate::report::{Diagnostic, Location};

/// A defect several rules can describe: the key under which their findings meet. Resources are
/// named by their index in the deployment's resource set, which every rule of one run shares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RootCause {
    /// The zone group of private endpoint `endpoint` (a resource index) references a wrong zone
    /// for group id `group_id` (lower-case), or misses one. Owner: AML-PE-004; AML-DNS-002 is
    /// grouped with it and AML-DNS-012 defers to it.
    ZoneGroupZones {
        /// The private endpoint's resource index.
        endpoint: usize,
        /// The group id, lower-case.
        group_id: String,
    },
    /// The AML private DNS zone `zone` (a resource index) is not linked to VNet `vnet` (its
    /// normalised id, [`ResourceId::key`]: the VNet need not be declared in the template), which
    /// needs it. Owner: AML-DNS-003; the missing-link findings of AML-NET-005 (b), AML-NET-004
    /// and AML-CMP-003 are grouped with it.
    MissingZoneLink {
        /// The private DNS zone's resource index.
        zone: usize,
        /// The VNet's normalised id.
        vnet: String,
    },
}

impl RootCause {
    /// The root cause "wrong or missing zone in the zone group of `endpoint` for `group_id`".
    pub fn zone_group_zones(endpoint: usize, group_id: &str) -> Self {
        RootCause::ZoneGroupZones {
            endpoint,
            group_id: group_id.to_ascii_lowercase(),
        }
    }

    /// The root cause "zone `zone` (a resource index) is not linked to `vnet`". `None` when the
    /// VNet's id holds a value known only at deployment: two such ids may name different VNets,
    /// so findings about them cannot be said to describe one defect.
    pub fn missing_zone_link(zone: usize, vnet: &ResourceId) -> Option<Self> {
        (!vnet.has_unknown()).then(|| RootCause::MissingZoneLink {
            zone,
            vnet: vnet.key().to_owned(),
        })
    }
}

/// How a finding relates to a root cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CauseRole {
    /// The finding is the one item for the cause.
    Owns,
    /// The finding joins the owner's item when there is one.
    GroupedWith,
    /// The finding is dropped when the owner reports the cause.
    DefersTo,
}

/// A finding's links to root causes.
pub(crate) type CauseLinks = Vec<(CauseRole, RootCause)>;

/// Applies C7 to the findings of every rule of one run, keeping their order.
pub(crate) fn group_root_causes(findings: Vec<(Diagnostic, CauseLinks)>) -> Vec<Diagnostic> {
    // Owners by cause, found once: a large template has thousands of findings with links.
    let mut owners_of: HashMap<&RootCause, Vec<usize>> = HashMap::new();
    for (index, (_, links)) in findings.iter().enumerate() {
        for (role, cause) in links {
            if *role == CauseRole::Owns {
                owners_of.entry(cause).or_default().push(index);
            }
        }
    }
    if owners_of.is_empty() {
        return findings.into_iter().map(|(d, _)| d).collect();
    }
    // For every finding: dropped, or the owner findings it joins.
    let mut joins: Vec<Vec<usize>> = vec![Vec::new(); findings.len()];
    let mut dropped = vec![false; findings.len()];
    for (index, (_, links)) in findings.iter().enumerate() {
        for (role, cause) in links {
            let owners = owners_of.get(cause).map_or(&[][..], Vec::as_slice);
            if owners.iter().all(|&o| o == index) {
                continue;
            }
            match role {
                CauseRole::Owns => {}
                CauseRole::DefersTo => dropped[index] = true,
                CauseRole::GroupedWith => {
                    dropped[index] = true;
                    for &owner in owners.iter().filter(|&&o| o != index) {
                        if !joins[owner].contains(&index) {
                            joins[owner].push(index);
                        }
                    }
                }
            }
        }
    }
    drop(owners_of);
    // What a grouped finding adds to its owners, taken before the findings are consumed.
    let mut parts: HashMap<usize, (Severity, Location, String)> = HashMap::new();
    for &part in joins.iter().flatten() {
        if let Some((grouped, _)) = findings.get(part) {
            parts.entry(part).or_insert_with(|| {
                (
                    grouped.severity(),
                    grouped.location().clone(),
                    format!("{} (grouped): {}", grouped.code(), grouped.message()),
                )
            });
        }
    }
    findings
        .into_iter()
        .enumerate()
        .filter(|(index, _)| !dropped[*index])
        .map(|(index, (mut owner, _))| {
            for part in &joins[index] {
                let Some((severity, location, text)) = parts.get(part) else {
                    continue;
                };
                if *severity > owner.severity() {
                    owner = owner.with_severity(*severity);
                }
                owner = owner.with_related(location.clone(), text.clone());
            }
            owner
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Severity;
    use crate::report::Location;
    use crate::source::Files;

    fn finding(code: &'static str, severity: Severity, pointer: &str) -> Diagnostic {
        let file = Files::new().add(std::path::Path::new("main.json"), String::new());
        Diagnostic::new(
            code,
            severity,
            format!("{code} says so"),
            Location::new(file.id(), pointer),
        )
    }

    fn zone_group(endpoint: usize) -> RootCause {
        RootCause::zone_group_zones(endpoint, "Vault")
    }

    #[test]
    fn a_grouped_finding_joins_its_owner_as_one_item() {
        let out = group_root_causes(vec![
            (
                finding("AML-DNS-002", Severity::Error, "/resources/3/name"),
                vec![(CauseRole::GroupedWith, zone_group(7))],
            ),
            (
                finding("AML-PE-004", Severity::Warning, "/resources/9"),
                vec![(CauseRole::Owns, zone_group(7))],
            ),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code(), "AML-PE-004");
        // The item is as serious as its most serious part.
        assert_eq!(out[0].severity(), Severity::Error);
        assert_eq!(out[0].related().len(), 1);
        assert_eq!(
            out[0].related()[0].location().pointer(),
            "/resources/3/name"
        );
        assert!(
            out[0].related()[0]
                .message()
                .starts_with("AML-DNS-002 (grouped): ")
        );
    }

    #[test]
    fn without_an_owner_finding_nothing_changes() {
        let input = vec![
            (
                finding("AML-DNS-002", Severity::Error, "/resources/3/name"),
                vec![(CauseRole::GroupedWith, zone_group(7))],
            ),
            (
                finding("AML-DNS-012", Severity::Error, "/resources/4"),
                vec![(CauseRole::DefersTo, zone_group(7))],
            ),
            (
                finding("AML-PE-004", Severity::Error, "/resources/9"),
                vec![(CauseRole::Owns, zone_group(8))],
            ),
        ];
        let expected: Vec<Diagnostic> = input.iter().map(|(d, _)| d.clone()).collect();
        assert_eq!(group_root_causes(input), expected);
    }

    #[test]
    fn a_deferring_finding_is_dropped_without_a_trace() {
        let out = group_root_causes(vec![
            (
                finding("AML-DNS-012", Severity::Error, "/resources/4"),
                vec![(CauseRole::DefersTo, zone_group(7))],
            ),
            (
                finding("AML-PE-004", Severity::Error, "/resources/9"),
                vec![(CauseRole::Owns, zone_group(7))],
            ),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code(), "AML-PE-004");
        assert!(out[0].related().is_empty());
    }

    #[test]
    fn a_missing_link_is_keyed_by_zone_and_normalised_vnet_id() {
        let id = |text: &str| ResourceId::parse(text).expect("a valid id");
        let owner = RootCause::missing_zone_link(
            4,
            &id(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-Spoke",
            ),
        );
        let grouped = RootCause::missing_zone_link(
            4,
            &id(
                "/subscriptions/S/resourcegroups/RG/providers/microsoft.network/virtualnetworks/VNET-spoke",
            ),
        );
        assert!(owner.is_some());
        assert_eq!(owner, grouped);
        assert_ne!(
            owner,
            RootCause::missing_zone_link(
                5,
                &id(
                    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
                ),
            )
        );
    }

    #[test]
    fn a_finding_grouped_with_two_owners_joins_both() {
        let out = group_root_causes(vec![
            (
                finding("AML-PE-004", Severity::Error, "/resources/1"),
                vec![(CauseRole::Owns, zone_group(1))],
            ),
            (
                finding("AML-PE-004", Severity::Error, "/resources/2"),
                vec![(CauseRole::Owns, zone_group(2))],
            ),
            (
                finding("AML-DNS-002", Severity::Error, "/resources/3/name"),
                vec![
                    (CauseRole::GroupedWith, zone_group(1)),
                    (CauseRole::GroupedWith, zone_group(2)),
                ],
            ),
        ]);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|d| d.related().len() == 1));
    }
}
