//! Expanded resource ids and conditions of real templates from the shared corpus, snapshotted.
//! Each snapshot was checked by hand against its template (see the closing notes of the
//! template-expansion issue for how).

mod common;

use std::fmt::Write;

use armgraph::{Analyzer, Config};

/// The corpus parameter file with its test-pipeline placeholders (`GEN-UNIQUE-8`,
/// `GET-PREREQ-vnetName`) replaced by realistic values, written to a temporary file.
fn parameters_with(
    corpus: &std::path::Path,
    relative: &str,
    values: &[(&str, serde_json::Value)],
) -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(corpus.join(relative)).expect("parameter file");
    let mut document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for (name, value) in values {
        document["parameters"][*name] = serde_json::json!({ "value": value });
    }
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), document.to_string()).expect("write");
    file
}

/// One line per resource: condition, id (or the name when the id is unknown), symbolic name,
/// the declaring line, and the nested deployments it sits in.
fn expanded(
    relative: &str,
    parameters: Option<(&str, &[(&str, serde_json::Value)])>,
    config: Config,
) -> Option<String> {
    let corpus = common::corpus_dir()?;
    let template = corpus.join(relative);
    let parameters = parameters.map(|(file, values)| parameters_with(&corpus, file, values));
    let (report, expansion) = Analyzer::new(config)
        .expand_file(&template, parameters.as_ref().map(|p| p.path()))
        .expect("corpus template is readable");
    let mut text = String::new();
    for r in &expansion.resources {
        let line = report
            .file(r.origin.file)
            .map(|f| f.line_column(f.value_span(&r.origin.pointer).start).line)
            .unwrap_or(0);
        let id =
            r.id.clone()
                .unwrap_or_else(|| format!("<id unknown> {} {}", r.resource_type, r.name));
        let condition = format!("{:?}", r.condition).to_lowercase();
        let existing = if r.existing { " existing" } else { "" };
        let via: Vec<&str> = r
            .origin
            .deployments
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        let via = if via.is_empty() {
            String::new()
        } else {
            format!(" via {}", via.join(" > "))
        };
        let id = id.replace(SUBSCRIPTION, "~");
        let _ = writeln!(text, "{condition}{existing} {id} (line {line}){via}");
    }
    for d in report.diagnostics() {
        if d.severity() != armgraph::Severity::Note {
            let _ = writeln!(text, "finding: {} {}", d.code(), d.message());
        }
    }
    Some(text)
}

const SUBSCRIPTION: &str = "/subscriptions/11111111-2222-3333-4444-555555555555";

fn context(config: Config) -> Config {
    config.with_context(armgraph::expr::DeploymentContext {
        subscription_id: "11111111-2222-3333-4444-555555555555".into(),
        resource_group: "rg-ml".into(),
        location: "westeurope".into(),
        ..Default::default()
    })
}

const QUICKSTARTS: &str =
    "azure-quickstart-templates/quickstarts/microsoft.machinelearningservices";

#[test]
fn machine_learning_end_to_end_secure() {
    let dir = format!("{QUICKSTARTS}/machine-learning-end-to-end-secure");
    let values = [
        ("prefix", serde_json::json!("mlsec")),
        ("dsvmJumpboxUsername", serde_json::json!("azureuser")),
    ];
    let parameters = format!("{dir}/azuredeploy.parameters.json");
    if let Some(text) = expanded(
        &format!("{dir}/azuredeploy.json"),
        Some((&parameters, &values)),
        context(Config::default()),
    ) {
        insta::assert_snapshot!(text);
    }
}

/// The network-restricted quickstarts take their VNet from a prerequisite deployment.
fn prereq_values() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("prefix", serde_json::json!("mlnr")),
        ("vnetName", serde_json::json!("vnet-prereq")),
        ("vnetRgName", serde_json::json!("rg-net")),
        ("subnetName", serde_json::json!("snet-ml")),
    ]
}

#[test]
fn machine_learning_network_restricted() {
    let dir = format!("{QUICKSTARTS}/machine-learning-network-restricted");
    let parameters = format!("{dir}/azuredeploy.parameters.json");
    let mut values = prereq_values();
    values.push(("amlName", serde_json::json!("mlw-nr")));
    if let Some(text) = expanded(
        &format!("{dir}/azuredeploy.json"),
        Some((&parameters, &values)),
        context(Config::default()),
    ) {
        insta::assert_snapshot!(text);
    }
}

#[test]
fn aifoundry_network_restricted() {
    let dir = format!("{QUICKSTARTS}/aifoundry-network-restricted");
    let parameters = format!("{dir}/azuredeploy.parameters.json");
    let mut values = prereq_values();
    values.push(("aiHubName", serde_json::json!("hub-nr")));
    if let Some(text) = expanded(
        &format!("{dir}/azuredeploy.json"),
        Some((&parameters, &values)),
        context(Config::default()),
    ) {
        insta::assert_snapshot!(text);
    }
}

#[test]
fn machine_learning_workspace_vnet() {
    let dir = format!("{QUICKSTARTS}/machine-learning-workspace-vnet");
    let parameters = format!("{dir}/azuredeploy.parameters.json");
    let values = [("workspaceName", serde_json::json!("mlw-vnet"))];
    if let Some(text) = expanded(
        &format!("{dir}/azuredeploy.json"),
        Some((&parameters, &values)),
        context(Config::default()),
    ) {
        insta::assert_snapshot!(text);
    }
}

/// AVM private endpoint module (languageVersion 2.0) with realistic parameter values.
#[test]
fn avm_private_endpoint() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let parameters = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        parameters.path(),
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {
                "name": {"value": "pe-mlw"},
                "subnetResourceId": {"value": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe"},
                "privateLinkServiceConnections": {"value": [{"name": "mlw", "properties": {
                    "privateLinkServiceId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw",
                    "groupIds": ["amlworkspace"]}}]},
                "privateDnsZoneGroup": {"value": {"privateDnsZoneGroupConfigs": [
                    {"privateDnsZoneResourceId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms"},
                    {"privateDnsZoneResourceId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.notebooks.azure.net"}
                ]}},
                "enableTelemetry": {"value": false}
            }
        })
        .to_string(),
    )
    .expect("write parameters");
    let template = "bicep-registry-modules/avm/res/network/private-endpoint/main.json";
    let (report, expansion) = Analyzer::new(context(Config::default()))
        .expand_file(&corpus.join(template), Some(parameters.path()))
        .expect("readable");
    let mut text = String::new();
    for r in &expansion.resources {
        let _ = writeln!(
            text,
            "{:?}{} {} [{}]",
            r.condition,
            if r.existing { " existing" } else { "" },
            r.id.clone().unwrap_or_default(),
            r.symbolic_name.clone().unwrap_or_default()
        );
    }
    let zone_group = expansion
        .resources
        .iter()
        .find(|r| r.resource_type.ends_with("privateDnsZoneGroups"))
        .expect("the zone group module's resource");
    let configs = zone_group.properties().expect("properties").to_json();
    let _ = writeln!(text, "zone group properties: {configs}");
    assert!(
        report
            .diagnostics()
            .iter()
            .all(|d| d.severity() == armgraph::Severity::Note),
        "{report}"
    );
    insta::assert_snapshot!(text);
}

/// AVM machine learning workspace module (languageVersion 2.0), a private hub workspace.
#[test]
fn avm_machine_learning_workspace() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let parameters = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        parameters.path(),
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {
                "name": {"value": "mlw-hub"},
                "sku": {"value": "Standard"},
                "kind": {"value": "Hub"},
                "associatedStorageAccountResourceId": {"value": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/stml"},
                "associatedKeyVaultResourceId": {"value": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/Microsoft.KeyVault/vaults/kv-ml"},
                "associatedApplicationInsightsResourceId": {"value": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/Microsoft.Insights/components/appi-ml"},
                "publicNetworkAccess": {"value": "Disabled"},
                "managedNetworkSettings": {"value": {"isolationMode": "AllowOnlyApprovedOutbound"}},
                "privateEndpoints": {"value": [{"subnetResourceId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe"}]},
                "enableTelemetry": {"value": false}
            }
        })
        .to_string(),
    )
    .expect("write parameters");
    let template = "bicep-registry-modules/avm/res/machine-learning-services/workspace/main.json";
    let (report, expansion) = Analyzer::new(context(Config::default()))
        .expand_file(&corpus.join(template), Some(parameters.path()))
        .expect("readable");
    let mut text = String::new();
    for r in &expansion.resources {
        let _ = writeln!(
            text,
            "{:?}{} {} [{}]",
            r.condition,
            if r.existing { " existing" } else { "" },
            r.id.clone()
                .unwrap_or_else(|| format!("<id unknown> {}", r.resource_type)),
            r.symbolic_name.clone().unwrap_or_default()
        );
    }
    let workspace = expansion
        .resources
        .iter()
        .find(|r| r.resource_type == "Microsoft.MachineLearningServices/workspaces" && !r.existing)
        .expect("the workspace");
    let properties = workspace.properties().expect("properties");
    for key in [
        "publicNetworkAccess",
        "managedNetwork",
        "storageAccount",
        "keyVault",
    ] {
        let value = properties
            .as_object()
            .and_then(|o| o.get(key))
            .map(|v| v.to_json());
        let _ = writeln!(
            text,
            "workspace {key}: {}",
            value.map(|v| v.to_string()).unwrap_or_default()
        );
    }
    for d in report.diagnostics() {
        if d.severity() != armgraph::Severity::Note {
            let _ = writeln!(text, "finding: {} {}", d.code(), d.message());
        }
    }
    insta::assert_snapshot!(text);
}
