//! The relation graph: edges of a real template counted by hand, dependency analysis, pictures.

mod common;

use std::collections::{BTreeMap, HashSet};

use armgraph::graph::{EdgeKind, GraphFormat, ResourceGraph};
use armgraph::model::ResourceSet;
use armgraph::{Analyzer, Config};

fn graph_of(template: &std::path::Path, parameters: Option<&std::path::Path>) -> ResourceGraph {
    let context = armgraph::expr::DeploymentContext {
        subscription_id: "11111111-2222-3333-4444-555555555555".into(),
        resource_group: "rg-ml".into(),
        location: "eastus".into(),
        ..Default::default()
    };
    let (_, expansion) = Analyzer::new(Config::default().with_context(context))
        .expand_file(template, parameters)
        .expect("readable");
    ResourceGraph::build(ResourceSet::from_expansion(&expansion))
}

/// `kind: from-name -> to-name [group ids]` for the typed edges of interest.
fn edges(graph: &ResourceGraph, kinds: &[EdgeKind]) -> BTreeMap<EdgeKind, Vec<String>> {
    let name = |node| {
        graph
            .node(node)
            .and_then(|n| {
                n.id()
                    .and_then(|id| id.last_name().and_then(|s| s.as_known().map(str::to_owned)))
            })
            .unwrap_or_else(|| "?".into())
    };
    let mut found: BTreeMap<EdgeKind, Vec<String>> = BTreeMap::new();
    for relation in graph.relations().filter(|r| kinds.contains(&r.kind)) {
        let groups = if relation.group_ids.is_empty() {
            String::new()
        } else {
            format!(" [{}]", relation.group_ids.join(","))
        };
        found.entry(relation.kind).or_default().push(format!(
            "{} -> {}{groups}",
            name(relation.from),
            name(relation.to)
        ));
    }
    for list in found.values_mut() {
        list.sort();
    }
    found
}

#[test]
fn machine_learning_end_to_end_secure_edges_match_the_hand_count() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let dir = corpus.join("azure-quickstart-templates/quickstarts/microsoft.machinelearningservices/machine-learning-end-to-end-secure");
    let parameters = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(
        parameters.path(),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0",
            "parameters": {"prefix": {"value": "mlsec"}, "dsvmJumpboxUsername": {"value": "azureuser"}, "deployJumphost": {"value": true}}}"#,
    )
    .expect("write");
    let graph = graph_of(&dir.join("azuredeploy.json"), Some(parameters.path()));
    let found = edges(
        &graph,
        &[
            EdgeKind::PrivateLinkTarget,
            EdgeKind::InSubnet,
            EdgeKind::ZoneGroupZone,
            EdgeKind::ZoneLinkVnet,
        ],
    );
    insta::assert_debug_snapshot!(found);
    insta::assert_snapshot!(
        "machine_learning_end_to_end_secure_dot",
        graph.render(GraphFormat::Dot, &HashSet::new())
    );
}

fn fixture_graph() -> ResourceGraph {
    graph_of(
        std::path::Path::new("testdata/templates/graph-fixture.json"),
        None,
    )
}

#[test]
fn fixture_edges_of_every_typed_kind() {
    let graph = fixture_graph();
    let found = edges(
        &graph,
        &[
            EdgeKind::PrivateLinkTarget,
            EdgeKind::InSubnet,
            EdgeKind::ZoneGroupZone,
            EdgeKind::ZoneLinkVnet,
            EdgeKind::Peering,
            EdgeKind::NsgAttachment,
            EdgeKind::Parent,
        ],
    );
    let expected: BTreeMap<EdgeKind, Vec<String>> = [
        (
            EdgeKind::Parent,
            vec![
                "default -> pe-st-blob",
                "link-spoke -> privatelink.blob.core.windows.net",
                "snet-pe -> vnet-spoke",
                "to-hub -> vnet-spoke",
            ],
        ),
        (
            EdgeKind::PrivateLinkTarget,
            vec!["pe-st-blob -> stgraph [blob]"],
        ),
        (EdgeKind::InSubnet, vec!["pe-st-blob -> snet-pe"]),
        (
            EdgeKind::ZoneGroupZone,
            vec!["default -> privatelink.blob.core.windows.net"],
        ),
        (EdgeKind::ZoneLinkVnet, vec!["link-spoke -> vnet-spoke"]),
        (EdgeKind::Peering, vec!["vnet-spoke -> vnet-hub"]),
        (EdgeKind::NsgAttachment, vec!["snet-pe -> nsg-pe"]),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(found, expected);
    assert!(
        graph.dependency_issues().is_empty(),
        "{:?}",
        graph.dependency_issues()
    );
    // The inline subnet is a node of its own, found by id.
    let subnet = armgraph::model::ResourceId::parse(
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/RG-ML/providers/Microsoft.Network/virtualNetworks/VNET-SPOKE/subnets/snet-pe",
    )
    .expect("id");
    let node = graph.find(&subnet).expect("the inline subnet");
    assert!(
        graph
            .node(node)
            .and_then(|n| n.resource())
            .is_some_and(|r| r.inline)
    );
}

#[test]
fn pictures_group_by_vnet_and_subnet_and_highlight_findings() {
    let graph = fixture_graph();
    let storage = graph
        .resources()
        .of_type("Microsoft.Storage/storageAccounts")
        .next()
        .expect("storage")
        .index;
    let highlighted: HashSet<usize> = [storage].into();
    insta::assert_snapshot!("fixture_dot", graph.render(GraphFormat::Dot, &highlighted));
    insta::assert_snapshot!(
        "fixture_mermaid",
        graph.render(GraphFormat::Mermaid, &highlighted)
    );
}

fn dependency_codes(resources: serde_json::Value) -> Vec<(String, String)> {
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources
    });
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), template.to_string()).expect("write");
    let graph = graph_of(file.path(), None);
    graph
        .dependency_issues()
        .into_iter()
        .map(|i| (i.code.to_owned(), i.message))
        .collect()
}

#[test]
fn dependency_cycles_dangling_entries_and_unordered_references() {
    let vnet = |name: &str, depends: &[&str]| {
        serde_json::json!({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-11-01", "name": name,
            "dependsOn": depends, "properties": {"subnets": [{"name": "s", "properties": {}}]}})
    };
    assert_eq!(
        dependency_codes(serde_json::json!([
            vnet("a", &["b"]),
            vnet("b", &["c"]),
            vnet("c", &["a"])
        ])),
        [(
            "ARM-DEP-001".to_owned(),
            "these resources depend on each other in a cycle: `a` → `b` → `c` → `a`".to_owned()
        )]
    );
    assert_eq!(
        dependency_codes(serde_json::json!([vnet("a", &["nothing-here"])])),
        [(
            "ARM-DEP-002".to_owned(),
            "`a` depends on `nothing-here`, which is not a resource of this template".to_owned()
        )]
    );
    let pe = |depends: &[&str]| {
        serde_json::json!({"type": "Microsoft.Network/privateEndpoints", "apiVersion": "2023-11-01", "name": "pe",
            "dependsOn": depends,
            "properties": {"subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'a', 's')]"}}})
    };
    assert_eq!(
        dependency_codes(serde_json::json!([vnet("a", &[]), pe(&[])])),
        [("ARM-DEP-003".to_owned(), "`pe` refers to `s` (properties.subnet.id) but does not depend on it, so ARM may deploy them in either order".to_owned())]
    );
    assert!(
        dependency_codes(serde_json::json!([vnet("a", &[]), pe(&["a"])])).is_empty(),
        "depending on the VNet orders an inline subnet"
    );
}

#[test]
fn id_strings_in_any_case_reach_the_declared_node_and_scopes_or_invalid_ids_do_not() {
    let storage = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/st";
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st", "location": "eastus"},
            {
                "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2023-11-01", "name": "pe", "location": "eastus",
                "properties": {
                    "privateLinkServiceConnections": [{"name": "c", "properties": {
                        "privateLinkServiceId": storage.to_uppercase(), "groupIds": ["blob"]
                    }}],
                    "tags": {
                        "scope": "/subscriptions/11111111-2222-3333-4444-555555555555",
                        "marked": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/?"
                    }
                }
            }
        ]
    });
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), template.to_string()).expect("write");
    let graph = graph_of(file.path(), None);
    let declared = |node| matches!(graph.node(node), Some(armgraph::graph::Node::Resource(_)));
    let to_storage: Vec<_> = graph
        .relations()
        .filter(|r| matches!(r.kind, EdgeKind::PrivateLinkTarget | EdgeKind::PropertyRef))
        .map(|r| (r.kind, r.path.clone(), declared(r.to)))
        .collect();
    assert_eq!(
        to_storage,
        vec![
            (
                EdgeKind::PropertyRef,
                "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId"
                    .to_owned(),
                true
            ),
            (
                EdgeKind::PrivateLinkTarget,
                "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId"
                    .to_owned(),
                true
            ),
        ],
        "the upper-case id names the declared account; a subscription and a text with `?` are no resource ids"
    );
}
