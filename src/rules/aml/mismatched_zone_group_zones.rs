use super::dns_support::{endpoint_group_ids, endpoint_of_zone_group, written, zone_references};
use crate::codes::Severity;
use crate::graph::{ZoneRequirement, zone_name_matches};
use crate::model::kinds::Setting;
use crate::model::{Resource, Tri};
use crate::rules::{Finding, RootCause, Rule, RuleContext, RuleMeta};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the private DNS zone group of a private endpoint references exactly the zones
    /// its group id needs in the target cloud: every required zone (for `amlworkspace` both the
    /// API and the notebooks zone), optionally the optional ones (the regional registry data
    /// zone), one of each alternative set (AKS), and no other zone. Group ids without a zone in
    /// the table (`account`, `searchService`, …) are not evaluated. This finding owns the defect:
    /// AML-DNS-002's verdict on a referenced zone's name is shown inside it, and AML-DNS-012 says
    /// nothing more about the same endpoint and group id (root-cause grouping).
    ///
    /// ## Why is this bad?
    /// A zone group writes the endpoint's A records only into zones whose names match the
    /// endpoint's FQDNs. A missing zone leaves that name resolving publicly (for a workspace: the
    /// API zone breaks the workspace, the notebooks zone breaks notebooks); a zone of another
    /// service or cloud, or a misspelt one, never receives the records. A Key Vault zone built
    /// from `environment().suffixes.keyvaultDns` is `privatelink.vault.azure.net`, not the
    /// `privatelink.vaultcore.azure.net` the vault's records go to.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw/default",
    ///   "properties": { "privateDnsZoneConfigs": [
    ///     { "name": "api", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.api.azureml.ms')]" } }
    ///   ] }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ///   "apiVersion": "2023-11-01",
    ///   "name": "pe-mlw/default",
    ///   "properties": { "privateDnsZoneConfigs": [
    ///     { "name": "api", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.api.azureml.ms')]" } },
    ///     { "name": "notebooks", "properties": { "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.notebooks.azure.net')]" } }
    ///   ] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Azure Private Endpoint private DNS zone values](https://learn.microsoft.com/azure/private-link/private-endpoint-dns)
    /// - [Configure a private endpoint for a workspace](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link)
    pub struct MismatchedZoneGroupZones;
    code: "AML-PE-004",
    name: "mismatched-zone-group-zones",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "A private DNS zone group references exactly the zones its group id needs.",
}

impl Rule for MismatchedZoneGroupZones {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let graph = ctx.graph();
        for group in ctx
            .resources()
            .of_type("Microsoft.Network/privateEndpoints/privateDnsZoneGroups")
        {
            if written(group) == Tri::False {
                continue;
            }
            let Some(endpoint) = endpoint_of_zone_group(graph, group) else {
                ctx.indeterminate();
                continue;
            };
            let Some(group_ids) = endpoint_group_ids(endpoint) else {
                ctx.indeterminate();
                continue;
            };
            let Ok(references) = zone_references(graph, group) else {
                ctx.indeterminate();
                continue;
            };
            let mut names = Vec::new();
            let mut undecided = false;
            for reference in references {
                match &reference.zone {
                    Setting::Set(name) | Setting::Default(name) => {
                        names.push((name.clone(), reference.path.clone()));
                    }
                    Setting::Unknown(_) => undecided = true,
                    Setting::Absent => {}
                }
            }
            for group_id in group_ids {
                let wanted = sets.zones(&group_id);
                if wanted.is_empty() {
                    continue;
                }
                if undecided {
                    ctx.indeterminate();
                    continue;
                }
                if let Some(finding) = judge(group, endpoint, &group_id, &wanted, &names) {
                    ctx.report(finding);
                }
            }
        }
    }
}

fn judge(
    group: &Resource,
    endpoint: &Resource,
    group_id: &str,
    wanted: &ZoneRequirement,
    names: &[(String, String)],
) -> Option<Finding> {
    let referenced = |pattern: &str| names.iter().any(|(n, _)| zone_name_matches(pattern, n));
    let forbidden: Vec<&(String, String)> =
        names.iter().filter(|(n, _)| !wanted.names(n)).collect();
    let missing: Vec<&str> = wanted
        .required
        .iter()
        .copied()
        .filter(|z| !referenced(z))
        .collect();
    let missing_one_of: Vec<&[&str]> = wanted
        .one_of
        .iter()
        .copied()
        .filter(|set| !set.iter().any(|z| referenced(z)))
        .collect();
    if forbidden.is_empty() && missing.is_empty() && missing_one_of.is_empty() {
        return None;
    }
    // Only the notebooks zone of a workspace endpoint missing: notebooks break, the API works.
    let notebooks_only = forbidden.is_empty()
        && missing_one_of.is_empty()
        && missing
            .iter()
            .all(|z| z.starts_with("privatelink.notebooks."));
    let severity = if wanted.community || notebooks_only {
        Severity::Warning
    } else {
        Severity::Error
    };
    let list = |zones: &[&str]| {
        zones
            .iter()
            .map(|z| format!("'{z}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = if names.is_empty() {
        "no zone".to_owned()
    } else {
        names
            .iter()
            .map(|(n, _)| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut expected = list(wanted.required);
    if !wanted.optional.is_empty() {
        expected.push_str(&format!(", optionally {}", list(wanted.optional)));
    }
    for set in wanted.one_of {
        if expected.is_empty() {
            expected = format!("one of {}", list(set));
        } else {
            expected.push_str(&format!(", and one of {}", list(set)));
        }
    }
    let mut message = format!(
        "Zone group of '{}' ({group_id}) references {found}; expected {expected}.",
        endpoint.display_name()
    );
    for (name, _) in &forbidden {
        if name.to_ascii_lowercase().starts_with("privatelink.vault.") {
            let suffix = name.get("privatelink".len()..).unwrap_or_default();
            let right = wanted.required.first().copied().unwrap_or_default();
            message.push_str(&format!(
                " environment().suffixes.keyvaultDns yields the public suffix '{suffix}'; the Key Vault zone is '{right}'."
            ));
        }
    }
    let (path, label) = match forbidden.first() {
        Some((name, path)) => (
            path.as_str(),
            format!("'{name}' is not a zone of {group_id}"),
        ),
        None => (
            "properties.privateDnsZoneConfigs",
            format!(
                "missing {}",
                missing
                    .iter()
                    .map(|z| format!("'{z}'"))
                    .chain(
                        missing_one_of
                            .iter()
                            .map(|set| format!("one of {}", list(set)))
                    )
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    let help = if missing.is_empty() && missing_one_of.is_empty() {
        "remove the zones that do not belong to this group id and reference the right ones"
            .to_owned()
    } else {
        format!("reference {expected} from this zone group")
    };
    // This finding is the one item for a wrong zone group (C7): AML-DNS-002's verdict on the
    // same zone's name joins it, and AML-DNS-012 stays silent for this endpoint and group id.
    let finding = Finding::new(group, path, message)
        .label(label)
        .help(help)
        .severity(severity)
        .owns(RootCause::zone_group_zones(endpoint.index, group_id))
        .related(
            endpoint,
            "",
            format!("private endpoint with group id '{group_id}'"),
        );
    // The rest of the forbidden references, so that each wrong zone is pointed at.
    Some(forbidden.iter().skip(1).fold(finding, |f, (name, path)| {
        f.related(group, path, format!("'{name}' is not a zone of {group_id}"))
    }))
}
