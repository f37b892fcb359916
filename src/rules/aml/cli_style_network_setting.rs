use crate::expr::Value;
use crate::model::{Prop, Resource};
use crate::rules::{Finding, Rule, RuleContext, RuleMeta};

/// CLI/SDK YAML keys and the ARM setting each stands for.
const CLI_KEYS: &[(&str, &str)] = &[
    ("public_network_access", "properties.publicNetworkAccess"),
    (
        "egress_public_network_access",
        "properties.egressPublicNetworkAccess",
    ),
    ("v1_legacy_mode", "properties.v1LegacyMode"),
    ("managed_network", "properties.managedNetwork"),
    ("isolation_mode", "properties.managedNetwork.isolationMode"),
    ("outbound_rules", "properties.managedNetwork.outboundRules"),
    ("serverless_compute", "properties.serverlessComputeSettings"),
    (
        "custom_subnet",
        "properties.serverlessComputeSettings.serverlessComputeCustomSubnet",
    ),
    (
        "no_public_ip",
        "properties.serverlessComputeSettings.serverlessComputeNoPublicIP",
    ),
    (
        "enable_node_public_ip",
        "properties.properties.enableNodePublicIp",
    ),
    ("image_build_compute", "properties.imageBuildCompute"),
    ("service_resource_id", "destination.serviceResourceId"),
    ("subresource_target", "destination.subresourceTarget"),
    ("spark_enabled", "destination.sparkEnabled"),
    ("service_tag", "destination.serviceTag"),
    ("port_ranges", "destination.portRanges"),
];

/// CLI spellings of enum values at the typed paths, and the ARM value.
const CLI_VALUES: &[(&str, &str)] = &[
    ("allow_internet_outbound", "AllowInternetOutbound"),
    ("allow_only_approved_outbound", "AllowOnlyApprovedOutbound"),
    ("private_endpoint", "PrivateEndpoint"),
    ("service_tag", "ServiceTag"),
];

const WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
const ONLINE_ENDPOINT: &str = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";
const ONLINE_DEPLOYMENT: &str =
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";
const OUTBOUND_RULE: &str = "Microsoft.MachineLearningServices/workspaces/outboundRules";

crate::declare_rule! {
    /// ## What it does
    /// Checks the network settings of AML workspaces, computes, online endpoints, online
    /// deployments and outbound rules for names copied from the CLI/SDK YAML
    /// (`public_network_access`, `egress_public_network_access`, `managed_network`,
    /// `isolation_mode`, `no_public_ip`, `service_tag`, …), for ARM names written at the wrong
    /// level (`publicNetworkAccess` beside `properties` instead of inside it), and for enum values
    /// in CLI spelling (`allow_only_approved_outbound`, `private_endpoint`). Only fixed object
    /// levels are read: the resource's top level, `properties`, the managed network and its rule
    /// objects and destinations, the serverless compute settings, and a compute's
    /// `properties.properties`. Free-form maps inside them (`environmentVariables`, tags, a
    /// compute's `propertyBag`) are never read. Names compare ignoring case.
    ///
    /// ## Why is this bad?
    /// ARM ignores members it does not know, or rejects them. A template that writes
    /// `"public_network_access": "Disabled"` deploys an endpoint open to the internet, and
    /// `"isolation_mode": "allow_only_approved_outbound"` deploys a workspace without a managed
    /// network: the isolation the template asks for does not take effect.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "properties": { "authMode": "Key", "public_network_access": "Disabled" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    ///   "apiVersion": "2024-10-01",
    ///   "name": "mlw-contoso/score",
    ///   "properties": { "authMode": "Key", "publicNetworkAccess": "Disabled" }
    /// }
    /// ```
    ///
    /// ## References
    /// - [ARM template reference: Microsoft.MachineLearningServices workspaces](https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/workspaces)
    /// - [Network isolation with managed online endpoints](https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint)
    /// - [Workspace managed network isolation](https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
    pub struct CliStyleNetworkSetting;
    code: "AML-PNA-001",
    name: "cli-style-network-setting",
    family: "aml",
    severity: Error,
    since: "0.1.0",
    summary: "Network settings use the ARM property names and values, not the CLI/SDK ones.",
}

impl Rule for CliStyleNetworkSetting {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        for resource in ctx.resources().iter() {
            // ARM ignores the body of an `existing` resource: nothing in it takes effect anyway.
            if !resource.state.deployed().is_possible() {
                continue;
            }
            let Some(levels) = levels_of(resource) else {
                continue;
            };
            let checker = Checker { ctx, resource };
            for level in levels {
                checker.level(&level);
            }
        }
    }
}

/// One object level to read: its body path, and the ARM names that belong there or elsewhere.
struct Level {
    path: String,
    /// ARM keys that belong at another path of this resource type: (key, right path).
    misplaced: &'static [(&'static str, &'static str)],
    /// Whether the `type` member of this object is an outbound rule's type.
    rule_type: bool,
    /// Whether `isolationMode` at this level is the managed network's mode.
    isolation_mode: bool,
}

impl Level {
    fn new(path: impl Into<String>) -> Level {
        Level {
            path: path.into(),
            misplaced: &[],
            rule_type: false,
            isolation_mode: false,
        }
    }

    fn misplaced(mut self, keys: &'static [(&'static str, &'static str)]) -> Level {
        self.misplaced = keys;
        self
    }
}

/// ARM names of the workspace's network settings and where they belong.
const WORKSPACE_SETTINGS: &[(&str, &str)] = &[
    ("publicNetworkAccess", "properties.publicNetworkAccess"),
    (
        "allowPublicAccessWhenBehindVnet",
        "properties.allowPublicAccessWhenBehindVnet",
    ),
    ("v1LegacyMode", "properties.v1LegacyMode"),
    ("managedNetwork", "properties.managedNetwork"),
    ("isolationMode", "properties.managedNetwork.isolationMode"),
    ("outboundRules", "properties.managedNetwork.outboundRules"),
    (
        "serverlessComputeSettings",
        "properties.serverlessComputeSettings",
    ),
    (
        "serverlessComputeCustomSubnet",
        "properties.serverlessComputeSettings.serverlessComputeCustomSubnet",
    ),
    (
        "serverlessComputeNoPublicIP",
        "properties.serverlessComputeSettings.serverlessComputeNoPublicIP",
    ),
    ("imageBuildCompute", "properties.imageBuildCompute"),
];

const COMPUTE_SETTINGS: &[(&str, &str)] = &[(
    "enableNodePublicIp",
    "properties.properties.enableNodePublicIp",
)];

const ENDPOINT_SETTINGS: &[(&str, &str)] =
    &[("publicNetworkAccess", "properties.publicNetworkAccess")];

const DEPLOYMENT_SETTINGS: &[(&str, &str)] = &[(
    "egressPublicNetworkAccess",
    "properties.egressPublicNetworkAccess",
)];

/// The object levels read for a resource of one of the AML types; `None` for other types.
fn levels_of(resource: &Resource) -> Option<Vec<Level>> {
    let levels = if resource.is_type(WORKSPACE) {
        let mut levels = vec![
            Level::new("").misplaced(WORKSPACE_SETTINGS),
            Level::new("properties").misplaced(WORKSPACE_SETTINGS),
            Level {
                isolation_mode: true,
                ..Level::new("properties.managedNetwork").misplaced(WORKSPACE_SETTINGS)
            },
            Level::new("properties.serverlessComputeSettings").misplaced(WORKSPACE_SETTINGS),
        ];
        // The rule map's keys are rule names chosen by the author; only the rule objects (and
        // their destinations) have fixed members.
        if let Prop::Value(Value::Object(rules)) =
            resource.get("properties.managedNetwork.outboundRules")
        {
            for (name, rule) in rules.iter() {
                if name.contains('.') || !matches!(rule, Value::Object(_)) {
                    continue;
                }
                let path = format!("properties.managedNetwork.outboundRules.{name}");
                levels.push(Level {
                    rule_type: true,
                    ..Level::new(path.clone())
                });
                levels.push(Level::new(format!("{path}.destination")));
            }
        }
        levels
    } else if resource.is_type(COMPUTE) {
        vec![
            Level::new("").misplaced(COMPUTE_SETTINGS),
            Level::new("properties").misplaced(COMPUTE_SETTINGS),
            Level::new("properties.properties").misplaced(COMPUTE_SETTINGS),
        ]
    } else if resource.is_type(ONLINE_ENDPOINT) {
        vec![
            Level::new("").misplaced(ENDPOINT_SETTINGS),
            Level::new("properties").misplaced(ENDPOINT_SETTINGS),
        ]
    } else if resource.is_type(ONLINE_DEPLOYMENT) {
        vec![
            Level::new("").misplaced(DEPLOYMENT_SETTINGS),
            Level::new("properties").misplaced(DEPLOYMENT_SETTINGS),
        ]
    } else if resource.is_type(OUTBOUND_RULE) {
        vec![
            Level::new(""),
            Level {
                rule_type: true,
                ..Level::new("properties")
            },
            Level::new("properties.destination"),
        ]
    } else {
        return None;
    };
    Some(levels)
}

struct Checker<'c, 'a> {
    ctx: &'c RuleContext<'a>,
    resource: &'a Resource,
}

impl Checker<'_, '_> {
    fn level(&self, level: &Level) {
        let object = if level.path.is_empty() {
            &self.resource.body
        } else {
            match self.resource.get(&level.path) {
                Prop::Value(value) => value,
                Prop::Absent | Prop::Unknown(_) => return,
            }
        };
        let Value::Object(object) = object else {
            return;
        };
        for (key, value) in object.iter() {
            let key: &str = key;
            let path = join(&level.path, key);
            if let Some((_, arm_path)) = CLI_KEYS.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
            {
                let arm_path = &precise(arm_path, &level.path);
                self.report(
                    &path,
                    format!(
                        "'{key}' is the CLI/SDK name; in an ARM template the setting is '{arm_path}' — as written it does not take effect."
                    ),
                    "CLI/SDK name",
                    format!("rename it to the ARM setting '{arm_path}'"),
                );
                continue;
            }
            if let Some((arm_key, right_path)) = level
                .misplaced
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                && !right_path.eq_ignore_ascii_case(&path)
            {
                let place = if level.path.is_empty() {
                    "at the resource's top level".to_owned()
                } else {
                    format!("in '{}'", level.path)
                };
                self.report(
                    &path,
                    format!(
                        "'{arm_key}' is written {place}; in an ARM template the setting is '{right_path}' — as written it does not take effect."
                    ),
                    "ARM name at the wrong level",
                    format!("move it to '{right_path}'"),
                );
                continue;
            }
            let typed_enum = (level.rule_type && key.eq_ignore_ascii_case("type"))
                || (level.isolation_mode && key.eq_ignore_ascii_case("isolationMode"));
            if typed_enum
                && let Some(text) = value.as_str()
                && let Some((cli, arm)) = CLI_VALUES
                    .iter()
                    .find(|(v, _)| v.eq_ignore_ascii_case(text))
            {
                self.report(
                    &path,
                    format!(
                        "'{cli}' is the CLI/SDK value; in an ARM template '{path}' takes '{arm}' — as written it does not take effect."
                    ),
                    "CLI/SDK value",
                    format!("write '{arm}'"),
                );
            }
        }
    }

    fn report(&self, path: &str, message: String, label: &str, help: String) {
        self.ctx.report(
            Finding::new(self.resource, path, message)
                .label(label)
                .help(help),
        );
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The ARM path of a destination member at this level: `destination.serviceResourceId` read in
/// `properties.destination` is `properties.destination.serviceResourceId`.
fn precise(arm_path: &str, level: &str) -> String {
    match arm_path.strip_prefix("destination.") {
        Some(member) if level.ends_with("destination") => join(level, member),
        _ => arm_path.to_owned(),
    }
}
