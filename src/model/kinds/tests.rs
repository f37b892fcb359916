use super::*;

#[test]
fn api_dates_compare_by_their_prefix() {
    assert_eq!(api_date("2022-05-01"), Some("2022-05-01"));
    assert_eq!(api_date("2022-05-01-preview"), Some("2022-05-01"));
    assert_eq!(api_date("2022-05-01preview"), None);
    assert_eq!(api_date("2022-5-01"), None);
    assert_eq!(api_date(""), None);
    assert!(api_date("2022-04-01-preview") < Some(workspace::V1_LEGACY_MODE_FALSE_FROM));
}

#[test]
fn keywords_parse_ignoring_case() {
    assert_eq!(Access::parse("DISABLED"), Some(Access::Disabled));
    assert_eq!(Access::parse("Disabled "), None);
    assert_eq!(
        IsolationMode::parse("allowonlyapprovedoutbound"),
        Some(IsolationMode::AllowOnlyApprovedOutbound)
    );
    assert_eq!(ComputeType::parse("aks"), Some(ComputeType::Aks));
    assert_eq!(
        PeNetworkPolicies::parse("networksecuritygroupenabled"),
        Some(PeNetworkPolicies::NetworkSecurityGroupEnabled)
    );
    assert_eq!(DefaultAction::Deny.to_string(), "Deny");
}

#[test]
fn settings_keep_unknown_unknown() {
    let unknown: Setting<'_, bool> = Setting::Unknown(Cause::NotDeployed);
    assert_eq!(unknown.is(&false), Tri::Unknown);
    assert_eq!(unknown.tri(), Tri::Unknown);
    assert_eq!(Setting::<bool>::Absent.tri(), Tri::Unknown);
    assert_eq!(Setting::<bool>::Absent.is(&false), Tri::False);
    assert_eq!(Setting::Default(3).map(|n| n * 2), Setting::Default(6));
    assert!(Setting::Set(1).is_set() && !Setting::Default(1).is_set());
    assert_eq!(unknown.cause(), Some(Cause::NotDeployed));
    let value = Value::Int(3);
    assert_eq!(
        item_string(&value),
        Setting::Unknown(Cause::Invalid(&value))
    );
    assert_eq!(
        Cause::NoDefault("why").to_string(),
        "not set and no default applies: why"
    );
}

#[test]
fn regions_normalise() {
    assert_eq!(normalize_location("West Europe"), "westeurope");
    assert_eq!(normalize_location(" USGov Virginia "), "usgovvirginia");
}

/// A resource of `resource_type` named `name` with `body`, in `state`, for the view tests.
fn resource(
    resource_type: &str,
    name: &str,
    body: serde_json::Value,
    state: DeploymentState,
) -> Resource {
    let file = crate::source::Files::new()
        .add("view-test.json", String::new())
        .id();
    Resource {
        index: 0,
        id: None,
        resource_type: resource_type.to_owned(),
        api_version: Some("2024-05-01".to_owned()),
        name: Value::string(name),
        body: Value::from(body),
        state,
        symbolic_name: None,
        origin: crate::template::Origin {
            file,
            pointer: "/resources/0".to_owned(),
            copy: Vec::new(),
            deployments: Vec::new(),
        },
        depends_on: Vec::new(),
        references: Vec::new(),
        parent: None,
        inline: false,
    }
}

#[test]
fn private_cluster_public_fqdn_defaults_to_on_only_for_private_clusters() {
    let private = resource(
        "Microsoft.ContainerService/managedClusters",
        "aks",
        serde_json::json!({ "properties": { "apiServerAccessProfile": { "enablePrivateCluster": true } } }),
        DeploymentState::Deployed,
    );
    let view = ManagedCluster::of(&private).expect("cluster");
    assert_eq!(
        view.enable_private_cluster_public_fqdn(),
        Setting::Default(true)
    );
    let public = resource(
        "Microsoft.ContainerService/managedClusters",
        "aks",
        serde_json::json!({ "properties": {} }),
        DeploymentState::Deployed,
    );
    let view = ManagedCluster::of(&public).expect("cluster");
    assert_eq!(view.enable_private_cluster_public_fqdn(), Setting::Absent);
    let existing = resource(
        "Microsoft.ContainerService/managedClusters",
        "aks",
        serde_json::json!({ "properties": { "apiServerAccessProfile": { "enablePrivateCluster": true } } }),
        DeploymentState::Existing,
    );
    let view = ManagedCluster::of(&existing).expect("cluster");
    assert!(view.enable_private_cluster_public_fqdn().is_unknown());
}

#[test]
fn service_endpoint_policy_definitions_read_inline_and_as_children() {
    let body = serde_json::json!({ "properties": { "serviceEndpointPolicyDefinitions": [
        { "name": "aml", "properties": { "service": "global", "serviceResources": ["/services/Azure/MachineLearning"] } },
        { "name": "storage", "properties": { "service": "Microsoft.Storage" } }
    ] } });
    let policy = resource(
        "Microsoft.Network/serviceEndpointPolicies",
        "sep-ml",
        body,
        DeploymentState::Deployed,
    );
    let definitions = ServiceEndpointPolicy::of(&policy)
        .expect("policy")
        .definitions()
        .known()
        .expect("written list");
    assert_eq!(definitions[0].is_global(), Tri::True);
    assert_eq!(
        definitions[0].service_resources,
        Setting::Set(vec![Setting::Set("/services/Azure/MachineLearning")])
    );
    assert_eq!(definitions[1].is_storage(), Tri::True);
    assert_eq!(definitions[1].service_resources, Setting::Absent);

    let child = resource(
        POLICY_DEFINITION_TYPE,
        "sep-ml/aml",
        serde_json::json!({ "properties": { "service": "Global", "serviceResources": ["/services/Azure/MachineLearning"] } }),
        DeploymentState::Deployed,
    );
    let definition = ServiceEndpointPolicyDefinition::of(&child)
        .expect("child definition")
        .definition();
    assert_eq!(definition.name, Setting::Set("aml"));
    assert_eq!(definition.is_global(), Tri::True);
    let existing = resource(
        POLICY_DEFINITION_TYPE,
        "sep-ml/aml",
        serde_json::json!({}),
        DeploymentState::Existing,
    );
    let definition = ServiceEndpointPolicyDefinition::of(&existing)
        .expect("child definition")
        .definition();
    assert_eq!(definition.is_global(), Tri::Unknown);
}

#[test]
fn vm_image_reads_marketplace_and_custom_images() {
    let vm = resource(
        "Microsoft.Compute/virtualMachines",
        "vm",
        serde_json::json!({ "properties": { "storageProfile": { "imageReference": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/gold" } } } }),
        DeploymentState::Deployed,
    );
    let view = VirtualMachine::of(&vm).expect("vm");
    assert_eq!(view.image_offer(), Setting::Absent);
    assert!(view.image_id().is_set());
}
