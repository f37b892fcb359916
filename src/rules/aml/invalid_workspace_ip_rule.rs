use std::net::{Ipv4Addr, Ipv6Addr};

use super::support::{body_path, hub_workspaces};
use crate::model::kinds::Setting;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The most IP rules a workspace accepts.
const MAX_IP_RULES: usize = 200;

/// IPv4 blocks that are not public unicast addresses (RFC 6890 and the private ranges), as
/// (network, prefix length, description). The documentation ranges (`192.0.2.0/24`,
/// `198.51.100.0/24`, `203.0.113.0/24`) are left out on purpose: examples use them as
/// stand-ins for public addresses.
const RESERVED: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "reserved (this network)"),
    ([10, 0, 0, 0], 8, "private"),
    ([100, 64, 0, 0], 10, "shared address space (CGNAT)"),
    ([127, 0, 0, 0], 8, "loopback"),
    ([169, 254, 0, 0], 16, "link-local"),
    ([172, 16, 0, 0], 12, "private"),
    ([192, 0, 0, 0], 24, "reserved (IETF protocol assignments)"),
    ([192, 168, 0, 0], 16, "private"),
    ([198, 18, 0, 0], 15, "reserved (benchmarking)"),
    ([224, 0, 0, 0], 4, "multicast"),
    ([240, 0, 0, 0], 4, "reserved"),
];

crate::declare_rule! {
    /// ## What it does
    /// Checks the IP rules of a workspace (`properties.ipAllowlist[*]` and
    /// `properties.networkAcls.ipRules[*].value`): each must be a public IPv4 address or IPv4
    /// CIDR range, and there may be at most 200 of them. IPv6 entries, malformed entries and
    /// entries in private or reserved blocks (`10.0.0.0/8`, `172.16.0.0/12`,
    /// `192.168.0.0/16`, loopback, link-local, CGNAT `100.64.0.0/10`, multicast, …) are
    /// reported.
    ///
    /// ## Why is this bad?
    /// The workspace firewall accepts only public IPv4 addresses and ranges, at most 200; other
    /// entries are rejected (AML-PNA-007). Clients in private address space reach the workspace
    /// through a private endpoint, never through an IP rule.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-07-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "Enabled", "ipAllowlist": ["10.0.0.0/24"] }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces",
    ///   "apiVersion": "2024-07-01-preview",
    ///   "name": "mlw-contoso",
    ///   "properties": { "publicNetworkAccess": "Enabled", "ipAllowlist": ["203.0.113.0/24"] }
    /// }
    /// ```
    ///
    /// ## References
    /// - [Enable public access only from internet IP ranges](https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link#enable-public-access-only-from-internet-ip-ranges)
    pub struct InvalidWorkspaceIpRule;
    code: "AML-PNA-007",
    name: "invalid-workspace-ip-rule",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Workspace IP rules are public IPv4 addresses or ranges, at most 200.",
}

impl Rule for InvalidWorkspaceIpRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        for (node, workspace) in hub_workspaces(&sets) {
            let resource = workspace.resource();
            let name = resource.display_name();
            let rules = sets.ip_rules(node);
            if !rules.open.is_empty() {
                ctx.indeterminate();
            }
            for member in rules.possible() {
                let entry = match member.value {
                    Setting::Set(entry) | Setting::Default(entry) => entry,
                    Setting::Unknown(_) => {
                        ctx.indeterminate();
                        continue;
                    }
                    Setting::Absent => continue,
                };
                let Some(problem) = entry_problem(entry) else {
                    continue;
                };
                ctx.report(
                    Finding::new(
                        resource,
                        &body_path(&member.path),
                        format!(
                            "IP rule '{entry}' on workspace '{name}' is {problem}; only public IPv4 addresses or CIDR ranges are allowed (max 200)."
                        ),
                    )
                    .label(problem)
                    .help("use the public egress addresses of the clients; reach private clients through a private endpoint"),
                );
            }
            let count = rules.members.len();
            if count > MAX_IP_RULES {
                let path = if workspace
                    .ip_allowlist()
                    .value()
                    .is_some_and(|l| !l.is_empty())
                {
                    "properties.ipAllowlist"
                } else {
                    "properties.networkAcls.ipRules"
                };
                ctx.report(
                    Finding::new(
                        resource,
                        path,
                        format!(
                            "Workspace '{name}' has {count} IP rules; at most {MAX_IP_RULES} are allowed."
                        ),
                    )
                    .label("too many IP rules")
                    .help("merge addresses into CIDR ranges, or reach the clients through a private endpoint"),
                );
            }
        }
    }
}

/// What is wrong with an IP rule entry, if anything.
fn entry_problem(entry: &str) -> Option<&'static str> {
    let entry = entry.trim();
    let (address, prefix) = match entry.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (entry, None),
    };
    if address.parse::<Ipv6Addr>().is_ok() {
        return Some("IPv6");
    }
    let Ok(address) = address.parse::<Ipv4Addr>() else {
        return Some("not an IPv4 address or CIDR range");
    };
    let prefix = match prefix {
        None => 32,
        Some(text) => match text.parse::<u8>() {
            Ok(length) if length <= 32 => length,
            _ => return Some("not an IPv4 address or CIDR range"),
        },
    };
    RESERVED
        .iter()
        .find(|(network, length, _)| overlaps(address, prefix, Ipv4Addr::from(*network), *length))
        .map(|(_, _, description)| match *description {
            "private" => "in a private range",
            _ => "in a reserved or special-purpose range",
        })
}

/// Whether two IPv4 blocks share an address: the shorter prefix contains the other's network.
fn overlaps(a: Ipv4Addr, a_length: u8, b: Ipv4Addr, b_length: u8) -> bool {
    let length = a_length.min(b_length);
    let mask = if length == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(length))
    };
    (u32::from(a) & mask) == (u32::from(b) & mask)
}

#[cfg(test)]
mod tests {
    use super::entry_problem;

    #[test]
    fn classifies_entries() {
        assert_eq!(entry_problem("203.0.113.0/24"), None);
        assert_eq!(entry_problem("52.174.10.4"), None);
        assert_eq!(entry_problem("10.0.0.0/24"), Some("in a private range"));
        assert_eq!(entry_problem("172.20.1.1"), Some("in a private range"));
        assert_eq!(
            entry_problem("100.64.1.0/24"),
            Some("in a reserved or special-purpose range")
        );
        assert_eq!(entry_problem("2001:db8::/32"), Some("IPv6"));
        assert_eq!(
            entry_problem("203.0.113.0/33"),
            Some("not an IPv4 address or CIDR range")
        );
        assert_eq!(
            entry_problem("contoso.com"),
            Some("not an IPv4 address or CIDR range")
        );
        // A range that swallows private space is not a public range.
        assert_eq!(
            entry_problem("0.0.0.0/0"),
            Some("in a reserved or special-purpose range")
        );
    }
}
