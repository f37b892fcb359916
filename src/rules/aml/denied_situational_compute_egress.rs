use std::collections::HashMap;

use super::nsg_support::{
    FlowProblem, check_site_flows, compute_sites, flow_text, site_flow_options, with_related,
};
use super::support::resource_of;
use crate::graph::{DerivedSets, NodeId};
use crate::model::kinds::{Setting, Workspace};
use crate::model::{Prop, ResourceId, Tri};
use crate::netsec::FlowRow;
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// The resource type that puts a resource into an Azure Monitor private link scope.
const SCOPED_RESOURCE_TYPE: &str = "Microsoft.Insights/privateLinkScopes/scopedResources";

crate::declare_rule! {
    /// ## What it does
    /// Evaluates the NSG rules and routes of every compute subnet against the outbound flows
    /// that depend on a workspace feature (§3.4 of the invariants): TCP 443 to `AzureMonitor`
    /// when the workspace's Application Insights is not in an Azure Monitor private link scope
    /// of the template, and TCP 443 to `AzureKeyVault.<region>` when the workspace is a
    /// high-business-impact workspace (`hbiWorkspace`). It reports each such flow that a rule
    /// denies.
    ///
    /// ## Why is this bad?
    /// Without a private link scope, computes send telemetry to Application Insights over the
    /// public Azure Monitor endpoints; an HBI workspace's computes fetch keys from Key Vault.
    /// When the NSG drops these flows, job logs and metrics are lost or jobs fail to start.
    ///
    /// ## Example
    /// ```json
    /// "securityRules": [
    ///   { "name": "AllowAzureMachineLearning", "properties": { "priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "AzureMachineLearning", "destinationPortRange": "443" } },
    ///   { "name": "DenyAllOutbound", "properties": { "priority": 4000, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*" } }
    /// ]
    /// ```
    /// on the compute subnet of a workspace with `"hbiWorkspace": true` and a public
    /// Application Insights component.
    ///
    /// Use instead:
    /// ```json
    /// { "name": "AllowMonitorAndKeyVault", "properties": { "priority": 230, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefixes": ["AzureMonitor", "AzureKeyVault.westeurope"], "destinationPortRange": "443" } }
    /// ```
    ///
    /// ## References
    /// - [Configure inbound and outbound network traffic](https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall)
    /// - [Azure Monitor private link scope](https://learn.microsoft.com/azure/azure-monitor/logs/private-link-security)
    pub struct DeniedSituationalComputeEgress;
    code: "AML-NSG-003",
    name: "denied-situational-compute-egress",
    family: "aml",
    severity: Warning,
    since: "0.1.0",
    summary: "Situational outbound flows are allowed when their feature is on.",
}

/// Which situational flows a workspace needs: (F11 Application Insights public, F12 HBI).
#[derive(Debug, Clone, Copy)]
struct Needs {
    public_insights: Tri,
    hbi: Tri,
}

impl Rule for DeniedSituationalComputeEgress {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let sets = ctx.derived();
        let sites = compute_sites(ctx);
        let mut needs: HashMap<NodeId, Needs> = HashMap::new();
        for site in &sites {
            needs
                .entry(site.workspace)
                .or_insert_with(|| workspace_needs(&sets, site.workspace));
        }
        for need in needs.values() {
            if need.public_insights.is_unknown() || need.hbi.is_unknown() {
                ctx.indeterminate();
            }
        }
        let issues = check_site_flows(
            ctx,
            &sites,
            |site| site_flow_options(&sets, site),
            |site, required| {
                let Some(need) = needs.get(&site.workspace) else {
                    return false;
                };
                match required.row {
                    FlowRow::F11 => need.public_insights.is_true(),
                    FlowRow::F12 => need.hbi.is_true(),
                    _ => false,
                }
            },
        );
        for issue in &issues {
            let Some(site) = sites.get(issue.site) else {
                continue;
            };
            // Only denials are reported: an undecided situational flow is a note about a note.
            let FlowProblem::Denied(blocked) = &issue.problem else {
                ctx.indeterminate();
                continue;
            };
            let tag = issue.required.flow.destination.to_string();
            let because = if issue.required.row == FlowRow::F11 {
                "Application Insights is public"
            } else {
                "the workspace is HBI"
            };
            let subnet = &issue.subnet;
            ctx.report(with_related(
                Finding::new(
                    site.resource,
                    site.subnet_path,
                    format!(
                        "{tag} on TCP 443 is denied for subnet '{subnet}' but {because}: {}.",
                        blocked.clause
                    ),
                )
                .label(format!(
                    "{} in subnet '{subnet}' needs {}",
                    site.what,
                    flow_text(&issue.required.flow)
                ))
                .help(format!("allow TCP 443 to {tag} before the deny rule")),
                &blocked.related,
            ));
        }
    }
}

/// Whether the workspace's Application Insights is outside every private link scope of the
/// template, and whether the workspace is HBI.
fn workspace_needs(sets: &DerivedSets<'_>, workspace: NodeId) -> Needs {
    let Some(view) = resource_of(sets, workspace).and_then(Workspace::of) else {
        return Needs {
            public_insights: Tri::Unknown,
            hbi: Tri::Unknown,
        };
    };
    let hbi = match view.hbi_workspace() {
        Setting::Set(v) | Setting::Default(v) => Tri::from(v),
        Setting::Absent => Tri::False,
        Setting::Unknown(_) => Tri::Unknown,
    };
    let public_insights = match view.application_insights() {
        Setting::Set(text) => match ResourceId::parse(text) {
            Ok(insights) => in_private_link_scope(sets, &insights).not(),
            Err(_) => Tri::Unknown,
        },
        Setting::Absent | Setting::Default(_) => Tri::False,
        Setting::Unknown(_) => Tri::Unknown,
    };
    Needs {
        public_insights,
        hbi,
    }
}

/// Whether a scoped resource of the template links `insights` into a private link scope.
fn in_private_link_scope(sets: &DerivedSets<'_>, insights: &ResourceId) -> Tri {
    let mut found = Tri::False;
    for scoped in sets.graph().resources().of_type(SCOPED_RESOURCE_TYPE) {
        let present = scoped.state.deployed();
        let linked = match scoped.get("properties.linkedResourceId") {
            Prop::Value(value) => match value.as_str().map(ResourceId::parse) {
                Some(Ok(id)) => id.matches(insights),
                _ => Tri::Unknown,
            },
            Prop::Unknown(_) => Tri::Unknown,
            Prop::Absent => Tri::False,
        };
        found = found.or(present.and(linked));
    }
    found
}
