//! Template expansion, construct by construct, on small templates written for each case.

use armgraph::expr::{IdUsage, Value};
use armgraph::source::Files;
use armgraph::template::{
    Condition, Document, ExpandOptions, Expansion, NoLinkedTemplates, TemplateLoader, expand,
};
use serde_json::{Value as Json, json};

const RG: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup";

fn template(mut body: Json) -> Json {
    if let Some(object) = body.as_object_mut() {
        object.insert(
            "$schema".into(),
            json!(
                "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
            ),
        );
        object.entry("contentVersion").or_insert(json!("1.0.0.0"));
    }
    body
}

fn run(template: &Json, parameters: Option<&Json>) -> Expansion {
    run_with(
        template,
        parameters,
        &ExpandOptions::default(),
        &NoLinkedTemplates,
    )
}

fn run_with(
    template: &Json,
    parameters: Option<&Json>,
    options: &ExpandOptions,
    loader: &dyn TemplateLoader,
) -> Expansion {
    let files = Files::new();
    let t = files.add("main.json", template.to_string());
    let p = files.add(
        "main.parameters.json",
        parameters.map(Json::to_string).unwrap_or_default(),
    );
    let path = std::path::Path::new("main.json");
    expand(
        Document {
            file: t.id(),
            path,
            value: template,
        },
        parameters.map(|value| Document {
            file: p.id(),
            path,
            value,
        }),
        options,
        loader,
    )
}

fn ids(expansion: &Expansion) -> Vec<String> {
    expansion
        .resources
        .iter()
        .map(|r| r.id.clone().unwrap_or_else(|| "<unknown>".into()))
        .collect()
}

fn codes(expansion: &Expansion) -> Vec<&str> {
    expansion.issues.iter().map(|i| i.code).collect()
}

fn vnet(name: &str) -> Json {
    json!({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": name})
}

#[test]
fn parameter_file_values_override_defaults_and_are_literal() {
    let t = template(json!({
        "parameters": {
            "name": {"type": "string", "defaultValue": "from-default"},
            "other": {"type": "string", "defaultValue": "[concat(parameters('name'), '-x')]"}
        },
        "resources": [vnet("[parameters('other')]")]
    }));
    assert_eq!(
        ids(&run(&t, None)),
        [format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/from-default-x"
        )]
    );
    let p = json!({"parameters": {"name": {"value": "[not-an-expression]"}}});
    let e = run(&t, Some(&p));
    assert_eq!(
        ids(&e),
        [format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/[not-an-expression]-x"
        )]
    );
    assert!(e.issues.is_empty(), "{:?}", e.issues);
}

#[test]
fn missing_parameter_is_unknown_with_one_note() {
    let t = template(json!({
        "parameters": {"name": {"type": "string"}},
        "resources": [vnet("[parameters('name')]"), vnet("[concat(parameters('name'), '2')]")]
    }));
    let e = run(&t, None);
    assert_eq!(codes(&e), ["ARM-PARAM-001"]);
    assert!(
        e.resources
            .iter()
            .all(|r| r.id.is_none() && r.name.is_unknown())
    );
    assert_eq!(e.issues[0].pointer, "/parameters/name");
}

#[test]
fn parameter_values_are_validated() {
    let t = template(json!({
        "parameters": {
            "sku": {"type": "string", "allowedValues": ["Basic", "Premium"]},
            "prefix": {"type": "string", "maxLength": 3},
            "count": {"type": "int", "minValue": 1},
            "flag": {"type": "bool"}
        },
        "resources": []
    }));
    let p = json!({"parameters": {
        "sku": {"value": "premium"},
        "prefix": {"value": "abcd"},
        "count": {"value": 0},
        "flag": {"value": "yes"},
        "extra": {"value": 1}
    }});
    let e = run(&t, Some(&p));
    let messages: Vec<String> = e
        .issues
        .iter()
        .map(|i| format!("{} {}", i.code, i.message))
        .collect();
    assert_eq!(
        messages,
        [
            "ARM-PARAM-003 the parameter file sets `extra`, which the template does not declare",
            "ARM-PARAM-002 parameter `prefix`: the length 4 is above the maximum length 3",
            "ARM-PARAM-002 parameter `count`: the value 0 is below the minimum 1",
            "ARM-PARAM-002 parameter `flag`: the value is a string but the parameter is declared `bool`",
        ],
        "allowed values compare ignoring case, so `premium` is fine"
    );
}

#[test]
fn key_vault_references_and_quickstart_placeholders_are_unknown() {
    let t = template(json!({
        "parameters": {"password": {"type": "securestring", "minLength": 12}, "prefix": {"type": "string", "maxLength": 5}},
        "resources": [vnet("[parameters('prefix')]")]
    }));
    let p = json!({"parameters": {
        "password": {"reference": {"keyVault": {"id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.KeyVault/vaults/v"}, "secretName": "pw"}},
        "prefix": {"value": "GEN-UNIQUE-8"}
    }});
    let e = run(&t, Some(&p));
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert!(e.resources[0].name.is_unknown());
}

#[test]
fn variables_are_lazy_and_cycles_are_named() {
    let t = template(json!({
        "variables": {
            "a": "[variables('b')]",
            "b": "[concat(variables('c'), '-b')]",
            "c": "[variables('a')]",
            "self": "[variables('self')]",
            "unused": "[div(1, 0)]",
            "fine": "ok"
        },
        "resources": [vnet("[variables('a')]"), vnet("[variables('self')]"), vnet("[variables('fine')]")]
    }));
    let e = run(&t, None);
    let cycles: Vec<&str> = e
        .issues
        .iter()
        .filter(|i| i.code == "ARM-TPL-002")
        .map(|i| i.message.as_str())
        .collect();
    assert_eq!(
        cycles,
        [
            "circular reference: variables('a') → variables('b') → variables('c') → variables('a')",
            "circular reference: variables('self') → variables('self')",
        ]
    );
    assert_eq!(
        ids(&e)[2],
        format!("{RG}/providers/Microsoft.Network/virtualNetworks/ok")
    );
    assert!(
        !codes(&e).contains(&"ARM-EXPR-010"),
        "unused variables are never evaluated"
    );
}

#[test]
fn variable_copy_and_property_copy() {
    let t = template(json!({
        "variables": {
            "copy": [{"name": "prefixes", "count": 3, "input": "[format('10.0.{0}.0/24', copyIndex('prefixes'))]"}]
        },
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet",
            "properties": {
                "copy": [{"name": "subnets", "count": "[length(variables('prefixes'))]", "input": {
                    "name": "[format('snet{0}', copyIndex('subnets', 1))]",
                    "properties": {"addressPrefix": "[variables('prefixes')[copyIndex('subnets')]]"}
                }}]
            }
        }]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    let subnets = e.resources[0].properties().expect("properties").to_json()["subnets"].clone();
    assert_eq!(
        subnets,
        json!([
            {"name": "snet1", "properties": {"addressPrefix": "10.0.0.0/24"}},
            {"name": "snet2", "properties": {"addressPrefix": "10.0.1.0/24"}},
            {"name": "snet3", "properties": {"addressPrefix": "10.0.2.0/24"}}
        ])
    );
}

#[test]
fn resource_copy_with_offsets_conditions_and_bounds() {
    let t = template(json!({
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
                "name": "[format('vnet{0}', copyIndex(10))]",
                "condition": "[not(equals(copyIndex(), 1))]",
                "copy": {"name": "vnets", "count": 3}
            },
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "none", "copy": {"name": "zero", "count": 0}},
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "neg", "copy": {"name": "negative", "count": -1}},
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[format('big{0}', copyIndex())]", "copy": {"name": "huge", "count": 1000000000}}
        ]
    }));
    let e = run(&t, None);
    let first: Vec<(String, Condition)> = e.resources[..3]
        .iter()
        .map(|r| (r.name.as_str().unwrap_or("?").to_owned(), r.condition))
        .collect();
    assert_eq!(
        first,
        [
            ("vnet10".into(), Condition::True),
            ("vnet11".into(), Condition::False),
            ("vnet12".into(), Condition::True)
        ]
    );
    assert_eq!(e.resources[0].origin.copy, [("vnets".to_owned(), 0)]);
    assert_eq!(
        e.resources.len(),
        3 + 800,
        "the oversized loop stops at ARM's 800"
    );
    let copy_issues: Vec<&str> = e
        .issues
        .iter()
        .filter(|i| i.code == "ARM-TPL-003")
        .map(|i| i.pointer.as_str())
        .collect();
    assert_eq!(
        copy_issues,
        ["/resources/2/copy/count", "/resources/3/copy/count"]
    );
    assert!(codes(&e).contains(&"ARM-LIMIT-001"));
    assert_eq!(e.deployed().count(), 2 + 800);
}

#[test]
fn child_resources_compose_type_and_name() {
    let t = template(json!({
        "resources": [{
            "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st",
            "resources": [
                {"type": "blobServices/containers", "apiVersion": "2023-01-01", "name": "default/data"},
                {"type": "Microsoft.Storage/storageAccounts/fileServices", "apiVersion": "2023-01-01", "name": "st/default"},
                {"type": "providers/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "Microsoft.Insights/diag"}
            ]
        }]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    let st = format!("{RG}/providers/Microsoft.Storage/storageAccounts/st");
    assert_eq!(
        ids(&e),
        [
            st.clone(),
            format!("{st}/blobServices/default/containers/data"),
            format!("{st}/fileServices/default"),
            format!("{st}/providers/Microsoft.Insights/diagnosticSettings/diag"),
        ]
    );
    assert_eq!(e.resources[1].parent, Some(0));
    assert_eq!(
        e.resources[1].resource_type,
        "Microsoft.Storage/storageAccounts/blobServices/containers"
    );
    assert_eq!(e.resources[1].origin.pointer, "/resources/0/resources/0");
}

#[test]
fn type_and_name_segment_mismatch_is_reported() {
    let t = template(
        json!({"resources": [{"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-09-01", "name": "lonely"}]}),
    );
    let e = run(&t, None);
    assert_eq!(codes(&e), ["ARM-TPL-005"]);
    assert_eq!(e.resources[0].id, None);
}

#[test]
fn language_version_2_symbolic_resources_existing_and_dependencies() {
    let t = template(json!({
        "languageVersion": "2.0",
        "resources": {
            "vnet": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "hub", "resourceGroup": "network-rg"},
            "subnets": {
                "copy": {"name": "subnets", "count": 2},
                "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-09-01",
                "name": "[format('hub/snet{0}', copyIndex())]",
                "dependsOn": ["vnet"]
            },
            "pe": {
                "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2023-09-01", "name": "pe",
                "properties": {"subnet": {"id": "[resourceId('network-rg', 'Microsoft.Network/virtualNetworks/subnets', 'hub', 'snet1')]"}},
                "dependsOn": ["subnets[1]", "subnets"]
            }
        }
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    let other_rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/network-rg";
    assert_eq!(
        e.resources[0].id.as_deref(),
        Some(format!("{other_rg}/providers/Microsoft.Network/virtualNetworks/hub").as_str())
    );
    assert!(e.resources[0].existing);
    assert_eq!(e.resources[2].symbolic_name.as_deref(), Some("subnets[1]"));
    assert_eq!(e.resources[1].depends_on[0].targets, [0]);
    let pe = &e.resources[3];
    assert_eq!(pe.depends_on[0].targets, [2]);
    assert_eq!(pe.depends_on[1].targets, [1, 2]);
    assert!(
        pe.references
            .iter()
            .any(|r| r.target.ends_with("/virtualNetworks/hub/subnets/snet1"))
    );
    assert_eq!(e.deployed().count(), 3);
}

/// A resource that builds the same id several times keeps one record of it per use, and the
/// body's strings for it are that record's text. Twenty distinct ids pass the limit of the
/// ordered search, so the hashed one is exercised too.
#[test]
fn repeated_resource_ids_are_recorded_once_per_use() {
    let subnet = |i: usize| {
        format!("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'snet{i}')]")
    };
    let subnets: Vec<Json> = (0..20).map(|i| json!({"id": subnet(i)})).collect();
    let t = template(json!({
        "resources": [{
            "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2023-09-01", "name": "nic",
            "properties": {
                "first": {"id": subnet(3)},
                "again": {"id": subnet(3)},
                "many": subnets,
                "last": {"id": subnet(19)},
                "referenced": "[reference(resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'snet3')).addressPrefix]"
            },
            "dependsOn": [subnet(3)]
        }]
    }));
    let e = run(&t, None);
    let nic = &e.resources[0];
    let with_usage = |usage: IdUsage| {
        nic.references
            .iter()
            .filter(|r| r.usage == usage)
            .map(|r| r.target.to_string())
            .collect::<Vec<_>>()
    };
    let built = with_usage(IdUsage::ResourceId);
    assert_eq!(built.len(), 20, "{built:?}");
    assert!(built[0].ends_with("/subnets/snet3"), "{built:?}");
    assert_eq!(
        built.iter().collect::<std::collections::HashSet<_>>().len(),
        20
    );
    let referenced = with_usage(IdUsage::Reference);
    assert_eq!(referenced.len(), 1, "{referenced:?}");
    assert!(referenced[0].ends_with("/subnets/snet3"));
    let body = nic.body.as_object().expect("object");
    let properties = body
        .get("properties")
        .and_then(|p| p.as_object())
        .expect("properties");
    let id_of = |member: &str| {
        properties
            .get(member)
            .and_then(|m| m.as_object())
            .and_then(|m| m.get("id"))
            .and_then(|id| id.as_str())
            .map(str::to_owned)
    };
    assert_eq!(id_of("first"), id_of("again"));
    assert_eq!(id_of("first").as_deref(), Some(built[0].as_str()));
}

#[test]
fn user_defined_functions() {
    let t = template(json!({
        "functions": [{"namespace": "contoso", "members": {
            "subnetName": {"parameters": [{"name": "index", "type": "int"}], "output": {"type": "string", "value": "[format('snet-{0}', parameters('index'))]"}}
        }}],
        "resources": [vnet("[contoso.subnetName(7)]")]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert_eq!(e.resources[0].name.as_str(), Some("snet-7"));
}

#[test]
fn nested_inner_deployment_passes_parameters_and_outputs_and_targets_its_resource_group() {
    let t = template(json!({
        "parameters": {"prefix": {"type": "string", "defaultValue": "app"}},
        "resources": [
            vnet("[reference('inner').outputs.vnetName.value]"),
            {
                "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
                "resourceGroup": "other-rg",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"name": {"value": "[concat(parameters('prefix'), '-net')]"}},
                    "template": {
                        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                        "contentVersion": "1.0.0.0",
                        "parameters": {"name": {"type": "string"}, "prefix": {"type": "string", "defaultValue": "inner-default"}},
                        "resources": [{
                            "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01",
                            "name": "[format('{0}-{1}-nsg{2}', parameters('prefix'), parameters('name'), copyIndex())]",
                            "copy": {"name": "nsgs", "count": 2}
                        }],
                        "outputs": {"vnetName": {"type": "string", "value": "[parameters('name')]"}}
                    }
                }
            }
        ]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    let other = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other-rg";
    assert_eq!(
        ids(&e),
        [
            format!("{RG}/providers/Microsoft.Network/virtualNetworks/app-net"),
            format!("{RG}/providers/Microsoft.Resources/deployments/inner"),
            format!(
                "{other}/providers/Microsoft.Network/networkSecurityGroups/inner-default-app-net-nsg0"
            ),
            format!(
                "{other}/providers/Microsoft.Network/networkSecurityGroups/inner-default-app-net-nsg1"
            ),
        ]
    );
    let nsg = &e.resources[3];
    assert_eq!(
        nsg.origin.pointer,
        "/resources/1/properties/template/resources/0"
    );
    assert_eq!(nsg.origin.deployments.len(), 1);
    assert_eq!(nsg.origin.deployments[0].name, "inner");
    assert_eq!(nsg.origin.copy, [("nsgs".to_owned(), 1)]);
}

#[test]
fn nested_parameters_without_a_value_say_why_they_are_unknown() {
    let t = template(json!({
        "resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {
                    "secret": {"reference": {"keyVault": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv"}, "secretName": "s"}},
                    "computed": "[reference('elsewhere').outputs.entry.value]"
                },
                "template": {
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "parameters": {"secret": {"type": "securestring"}, "computed": {"type": "object"}},
                    "resources": [],
                    "outputs": {
                        "secret": {"type": "string", "value": "[parameters('secret')]"},
                        "computed": {"type": "object", "value": "[parameters('computed')]"}
                    }
                }
            }
        }],
        "outputs": {
            "secret": {"type": "string", "value": "[reference('inner').outputs.secret.value]"},
            "computed": {"type": "object", "value": "[reference('inner').outputs.computed.value]"}
        }
    }));
    let e = run(&t, None);
    let secret = e.outputs[0].value.to_json().to_string();
    let computed = e.outputs[1].value.to_json().to_string();
    assert!(secret.contains("Key Vault reference"), "{secret}");
    assert!(!computed.contains("Key Vault"), "{computed}");
    assert!(computed.contains("known only at deployment"), "{computed}");
}

#[test]
fn nested_outer_deployment_sees_the_parent_scope() {
    let t = template(json!({
        "parameters": {"prefix": {"type": "string", "defaultValue": "parent"}},
        "variables": {"suffix": "from-parent"},
        "resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outer",
            "properties": {
                "mode": "Incremental",
                "template": {
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "variables": {"suffix": "from-nested"},
                    "resources": [vnet("[concat(parameters('prefix'), '-', variables('suffix'))]")]
                }
            }
        }]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert_eq!(e.resources[1].name.as_str(), Some("parent-from-parent"));
}

#[test]
fn nested_deployments_stop_at_the_depth_cap() {
    let mut inner = template(json!({"resources": [vnet("deepest")]}));
    for level in 0..4 {
        inner = template(json!({"resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": format!("level{level}"),
            "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": inner}
        }]}));
    }
    let options = ExpandOptions::default().with_max_nested_depth(2);
    let e = run_with(&inner, None, &options, &NoLinkedTemplates);
    assert_eq!(codes(&e), ["ARM-TPL-006"]);
    assert_eq!(
        e.resources.len(),
        3,
        "two levels of deployments are expanded, the third is not"
    );
}

#[test]
fn remote_links_stay_external_and_relative_paths_stay_inside_the_root() {
    struct Loader(Json);
    impl TemplateLoader for Loader {
        fn load(
            &self,
            path: &std::path::Path,
        ) -> Result<(armgraph::source::FileId, std::sync::Arc<Json>), String> {
            if path.ends_with("nested/child.json") {
                let file = Files::new().add(path, self.0.to_string());
                Ok((file.id(), std::sync::Arc::new(self.0.clone())))
            } else {
                Err(format!("no such file {}", path.display()))
            }
        }
    }
    let deployment = |name: &str, link: Json| {
        json!({"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": name,
               "properties": {"mode": "Incremental", "templateLink": link}})
    };
    let t = template(json!({"resources": [
        deployment("remote", json!({"uri": "https://example.org/t.json"})),
        deployment("local", json!({"relativePath": "nested/child.json"})),
        deployment("escape", json!({"relativePath": "../../../../outside/secret.json"}))
    ]}));
    let child = template(json!({"resources": [vnet("from-linked")]}));
    let options = ExpandOptions::default().with_root(".");
    let e = run_with(&t, None, &options, &Loader(child));
    assert_eq!(codes(&e), ["ARM-TPL-007", "ARM-TPL-008"]);
    assert_eq!(
        e.issues[1].pointer,
        "/resources/2/properties/templateLink/relativePath"
    );
    assert!(
        e.resources
            .iter()
            .any(|r| r.name.as_str() == Some("from-linked"))
    );
}

#[test]
fn extension_resources_and_scope_prefixes() {
    let t = template(json!({"resources": [{
        "type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "lock",
        "scope": "Microsoft.Network/virtualNetworks/vnet"
    }]}));
    let e = run(&t, None);
    assert_eq!(
        ids(&e),
        [format!(
            "{RG}/providers/Microsoft.Network/virtualNetworks/vnet/providers/Microsoft.Authorization/locks/lock"
        )]
    );
    let mut sub = template(
        json!({"resources": [{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01", "name": "rg1", "location": "westeurope"}]}),
    );
    sub["$schema"] = json!(
        "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
    );
    assert_eq!(
        ids(&run(&sub, None)),
        ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1"]
    );
}

#[test]
fn expression_errors_become_unknown_values_with_a_located_issue() {
    let t = template(json!({"resources": [
        vnet("[concat('a', nosuchfunction())]"),
        vnet("fine")
    ]}));
    let e = run(&t, None);
    assert_eq!(codes(&e), ["ARM-EXPR-005"]);
    assert_eq!(e.issues[0].pointer, "/resources/0/name");
    assert!(e.issues[0].expression_span.is_some());
    assert!(e.resources[0].name.is_unknown());
    assert_eq!(e.resources[1].name, Value::string("fine"));
}

#[test]
fn bodies_of_resources_that_are_not_deployed_report_nothing() {
    let t = template(json!({
        "parameters": {"config": {"type": "object", "defaultValue": {}}},
        "resources": [{
            "condition": "[contains(parameters('config'), 'name')]",
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
            "name": "[parameters('config').name]"
        }]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert_eq!(e.resources[0].condition, Condition::False);
}

#[test]
fn outputs_with_condition_and_copy() {
    let t = template(json!({
        "resources": [],
        "outputs": {
            "names": {"type": "array", "copy": {"count": 2, "input": "[format('n{0}', copyIndex())]"}},
            "hidden": {"type": "string", "condition": "[equals(1, 2)]", "value": "x"}
        }
    }));
    let e = run(&t, None);
    assert_eq!(e.outputs[0].value.to_json(), json!(["n0", "n1"]));
    assert_eq!(e.outputs[1].condition, Condition::False);
}

#[test]
fn deployment_reads_its_template_whichever_way_it_is_accessed() {
    // `deployment().name` skips converting the template; every access that can reach
    // `properties.template` must still see it.
    let t = template(json!({
        "contentVersion": "1.2.3.4",
        "variables": {"marker": "m"},
        "resources": [],
        "outputs": {
            "name": {"type": "string", "value": "[deployment().name]"},
            "version": {"type": "string", "value": "[deployment().properties.template.contentVersion]"},
            "marker": {"type": "string", "value": "[deployment().properties.template.variables.marker]"},
            "indexed": {"type": "string", "value": "[deployment()['properties'].template['contentVersion']]"},
            "whole": {"type": "string", "value": "[string(deployment().properties.template.contentVersion)]"},
            "mode": {"type": "string", "value": "[deployment().properties.mode]"}
        }
    }));
    let e = run(&t, None);
    let values: Vec<Json> = e.outputs.iter().map(|o| o.value.to_json()).collect();
    assert_eq!(values[0], json!("deployment"), "{values:?}");
    assert_eq!(
        &values[1..],
        &[
            json!("1.2.3.4"),
            json!("m"),
            json!("1.2.3.4"),
            json!("1.2.3.4"),
            json!("Incremental")
        ]
    );
}

#[test]
fn long_variable_chains_stop_at_the_bound_without_exhausting_the_stack() {
    use armgraph::{Analyzer, Config, Inputs};
    let mut variables = serde_json::Map::new();
    variables.insert("v0".into(), json!("x"));
    for i in 1..300 {
        variables.insert(
            format!("v{i}"),
            json!(format!("[concat(variables('v{}'), 'a')]", i - 1)),
        );
    }
    let t = template(json!({"variables": variables, "resources": [vnet("[variables('v299')]")]}));
    let report = Analyzer::new(Config::default())
        .check(&Inputs::new().with_source("chain.json", t.to_string()))
        .expect("in-memory input");
    let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["ARM-TPL-010"]);
}

#[test]
fn outer_scope_nested_deployments_deploy_to_their_target_resource_group() {
    let t = template(json!({
        "parameters": {"prefix": {"type": "string", "defaultValue": "p"}},
        "resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "to-hub",
            "resourceGroup": "rg-hub",
            "properties": {
                "mode": "Incremental",
                "template": {
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "resources": [vnet("[concat(parameters('prefix'), '-vnet')]")]
                }
            }
        }]
    }));
    let e = run(&t, None);
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert_eq!(
        e.resources[1].id.as_deref(),
        Some(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/p-vnet"
        )
    );
}
