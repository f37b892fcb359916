//! The derived sets of §1.4 C5 and the C4 defaults of the typed views, through the real
//! pipeline: inline templates are expanded, turned into a resource set and a graph.

use armgraph::expr::{Cloud, DeploymentContext};
use armgraph::graph::{
    AssociatedRole, CloudNotice, CloudSource, ComputeSubnetSource, DerivedSets, Hub, NodeId, Pna,
    PnaBasis, ResourceGraph, Subject, resolve_cloud, zones,
};
use armgraph::model::kinds::{
    Access, Cause, ContainerRegistry, DefaultAction, IsolationMode, OnlineDeployment,
    OnlineEndpoint, PeNetworkPolicies, Setting, StorageAccount, Subnet, VirtualNetworkLink,
    Workspace,
};
use armgraph::model::{ResourceId, ResourceSet, Tri};
use armgraph::{Analyzer, Config};
use serde_json::{Value, json};

const SUB: &str = "11111111-2222-3333-4444-555555555555";

fn expand(template: &Value) -> ResourceGraph {
    let context = DeploymentContext {
        subscription_id: SUB.into(),
        resource_group: "rg-ml".into(),
        location: "westeurope".into(),
        ..Default::default()
    };
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), template.to_string()).expect("write");
    let (_, expansion) = Analyzer::new(Config::default().with_context(context))
        .expand_file(file.path(), None)
        .expect("readable");
    ResourceGraph::build(ResourceSet::from_expansion(&expansion))
}

/// A classic template (resources as an array) with optional parameters.
fn graph(resources: Value) -> ResourceGraph {
    graph_with(json!({}), resources)
}

fn graph_with(parameters: Value, resources: Value) -> ResourceGraph {
    expand(&json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": parameters,
        "resources": resources
    }))
}

/// A languageVersion 2.0 template (symbolic resources, `existing`).
fn graph_v2(resources: Value) -> ResourceGraph {
    expand(&json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "resources": resources
    }))
}

fn id(resource_type: &str, names: &[&str]) -> String {
    let (namespace, types) = resource_type.split_once('/').expect("type");
    let mut id = format!("/subscriptions/{SUB}/resourceGroups/rg-ml/providers/{namespace}");
    for (t, n) in types.split('/').zip(names) {
        id.push_str(&format!("/{t}/{n}"));
    }
    id
}

fn rid(resource_type: &str, names: &[&str]) -> ResourceId {
    ResourceId::parse(&id(resource_type, names)).expect("id")
}

/// The node of the resource (declared or external) with this id.
fn node(graph: &ResourceGraph, resource_type: &str, names: &[&str]) -> NodeId {
    graph
        .find(&rid(resource_type, names))
        .unwrap_or_else(|| panic!("no node {resource_type} {names:?}"))
}

fn sets(graph: &ResourceGraph) -> DerivedSets<'_> {
    DerivedSets::new(graph, Cloud::AzureCloud)
}

const WS: &str = "Microsoft.MachineLearningServices/workspaces";
const PE: &str = "Microsoft.Network/privateEndpoints";
const VNET: &str = "Microsoft.Network/virtualNetworks";

fn workspace(name: &str, properties: Value) -> Value {
    json!({"type": WS, "apiVersion": "2024-10-01", "name": name, "location": "westeurope",
        "kind": "Default", "properties": properties})
}

fn vnet(name: &str, extra: Value) -> Value {
    let mut properties = json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "snet", "properties": {"addressPrefix": "10.0.1.0/24"}}]});
    if let (Some(p), Some(e)) = (properties.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    json!({"type": VNET, "apiVersion": "2023-11-01", "name": name, "location": "westeurope",
        "properties": properties})
}

fn endpoint(name: &str, target: &str, group: &str) -> Value {
    json!({"type": PE, "apiVersion": "2023-11-01", "name": name, "location": "westeurope",
        "properties": {
            "subnet": {"id": id("Microsoft.Network/virtualNetworks/subnets", &["vnet", "snet"])},
            "privateLinkServiceConnections": [{"name": "c", "properties": {
                "privateLinkServiceId": target, "groupIds": [group]}}]}})
}

fn ws_endpoint(name: &str, workspace: &str) -> Value {
    endpoint(name, &id(WS, &[workspace]), "amlworkspace")
}

// ---------------------------------------------------------------- HUB, WS_PE, PE_VNETS

#[test]
fn hub_of_a_project_is_the_hub_it_names() {
    let g = graph(json!([
        workspace("hub", json!({})),
        {"type": WS, "apiVersion": "2024-10-01", "name": "proj", "location": "westeurope", "kind": "Project",
            "properties": {"hubResourceId": id(WS, &["hub"])}},
        {"type": WS, "apiVersion": "2024-10-01", "name": "proj-ext", "location": "westeurope", "kind": "project",
            "properties": {"hubResourceId": id(WS, &["hub-elsewhere"])}},
        {"type": WS, "apiVersion": "2024-10-01", "name": "not-a-project", "location": "westeurope", "kind": "Hub",
            "properties": {"hubResourceId": id(WS, &["hub"])}},
        ws_endpoint("pe-hub", "hub"),
    ]));
    let s = sets(&g);
    let hub = node(&g, WS, &["hub"]);
    let proj = node(&g, WS, &["proj"]);
    assert_eq!(s.hub(proj), Hub::Project { project: proj, hub });
    assert_eq!(s.hub(hub), Hub::Itself(hub));
    let other = node(&g, WS, &["not-a-project"]);
    assert_eq!(s.hub(other), Hub::Itself(other));
    // The project inherits the hub's private endpoint.
    let pe = node(&g, PE, &["pe-hub"]);
    assert_eq!(
        s.workspace_private_endpoints(proj)
            .certain()
            .copied()
            .collect::<Vec<_>>(),
        [pe]
    );
    // A hub deployed elsewhere: its endpoints may exist there, so an empty WS_PE is Unknown.
    let ext = node(&g, WS, &["proj-ext"]);
    let hub_ext = node(&g, WS, &["hub-elsewhere"]);
    assert_eq!(
        s.hub(ext),
        Hub::Project {
            project: ext,
            hub: hub_ext
        }
    );
    let ws_pe = s.workspace_private_endpoints(ext);
    assert_eq!(ws_pe.is_empty(), Tri::Unknown);
    assert_eq!(ws_pe.open[0].node(), Some(hub_ext));
    assert_eq!(ws_pe.open[0].cause, Cause::NotDeployed);
    // ... and so are its network settings.
    let pna = s.effective_public_access(ext);
    assert_eq!(
        (pna.value, pna.basis),
        (Pna::Unknown, PnaBasis::NotDeployed)
    );
    assert_eq!(s.managed(ext).value, Tri::Unknown);
}

#[test]
fn workspace_not_deployed_here_is_unknown() {
    let g = graph_v2(json!({
        "ws": {"type": WS, "apiVersion": "2024-10-01", "name": "ws-existing", "existing": true},
        "pe": ws_endpoint("pe", "ws-existing"),
    }));
    let s = sets(&g);
    let ws = node(&g, WS, &["ws-existing"]);
    assert!(matches!(s.hub(ws), Hub::Unknown(_)));
    // The endpoint to the existing workspace is a possible member: WS_PE is open.
    let ws_pe = s.workspace_private_endpoints(ws);
    assert_eq!(ws_pe.is_empty(), Tri::Unknown);
    assert_eq!(
        ws_pe.possible().copied().collect::<Vec<_>>(),
        [node(&g, PE, &["pe"])]
    );
    let pna = s.effective_public_access(ws);
    assert_eq!(pna.value, Pna::Unknown);
    assert_eq!(pna.unknown[0].cause, Cause::NotDeployed);
    assert_eq!(s.ip_rules(ws).is_empty(), Tri::Unknown);
    assert_eq!(s.associated(ws).is_empty(), Tri::Unknown);
    assert_eq!(s.compute_subnets(ws).is_empty(), Tri::Unknown);
    // No default for a workspace the deployment does not write (C4).
    let view =
        Workspace::of(g.resources().iter().find(|r| r.is_type(WS)).expect("ws")).expect("view");
    assert_eq!(view.isolation_mode(), Setting::Unknown(Cause::NotDeployed));
}

#[test]
fn workspace_private_endpoints_by_target_group_and_condition() {
    let g = graph_with(
        json!({"deployPe": {"type": "bool"}}),
        json!([
            workspace("ws", json!({})),
            ws_endpoint("pe-aml", "ws"),
            // Group ids compare ignoring case; manual connections count.
            {"type": PE, "apiVersion": "2023-11-01", "name": "pe-manual", "location": "westeurope",
                "properties": {"subnet": {"id": id("Microsoft.Network/virtualNetworks/subnets", &["vnet2", "snet"])},
                    "manualPrivateLinkServiceConnections": [{"name": "m", "properties": {
                        "privateLinkServiceId": id(WS, &["ws"]), "groupIds": ["AMLWorkspace"]}}]}},
            endpoint("pe-wrong-group", &id(WS, &["ws"]), "amlregistry"),
            endpoint("pe-storage", &id("Microsoft.Storage/storageAccounts", &["st"]), "blob"),
            {"condition": "[parameters('deployPe')]", "type": PE, "apiVersion": "2023-11-01", "name": "pe-maybe",
                "location": "westeurope", "properties": {
                    "subnet": {"id": id("Microsoft.Network/virtualNetworks/subnets", &["vnet", "snet"])},
                    "privateLinkServiceConnections": [{"name": "c", "properties": {
                        "privateLinkServiceId": id(WS, &["ws"]), "groupIds": ["amlworkspace"]}}]}},
        ]),
    );
    let s = sets(&g);
    let ws = node(&g, WS, &["ws"]);
    let set = s.workspace_private_endpoints(ws);
    let certain: Vec<NodeId> = set.certain().copied().collect();
    assert_eq!(
        certain,
        [node(&g, PE, &["pe-aml"]), node(&g, PE, &["pe-manual"])]
    );
    let maybe = node(&g, PE, &["pe-maybe"]);
    let possible: Vec<NodeId> = set.possible().copied().collect();
    assert_eq!(possible.len(), 3);
    assert!(possible.contains(&maybe));
    assert!(
        set.unknowns()
            .iter()
            .any(|u| u.node() == Some(maybe) && u.cause == Cause::Conditional)
    );
    assert_eq!(set.non_empty(), Tri::True);
    assert!(set.open.is_empty());
    // PE_VNETS: the VNets of the endpoints' subnets.
    let vnets = s.private_endpoint_vnets(ws);
    let names: Vec<String> = vnets.certain().map(|v| v.vnet.to_string()).collect();
    assert_eq!(names, [id(VNET, &["vnet"]), id(VNET, &["vnet2"])]);
}

#[test]
fn empty_workspace_private_endpoints_of_a_deployed_hub_is_empty() {
    let g = graph(json!([workspace("ws", json!({}))]));
    let s = sets(&g);
    let ws = node(&g, WS, &["ws"]);
    assert_eq!(s.workspace_private_endpoints(ws).is_empty(), Tri::True);
    assert_eq!(s.private_endpoint_vnets(ws).is_empty(), Tri::True);
}

// ---------------------------------------------------------------- PNA_EFF, IP_RULES, ISOLATED

fn pna_of(properties: Value, with_endpoint: bool) -> (Pna, PnaBasis) {
    let mut resources = vec![workspace("ws", properties)];
    if with_endpoint {
        resources.push(ws_endpoint("pe", "ws"));
    }
    let g = graph(Value::Array(resources));
    let access = sets(&g).effective_public_access(node(&g, WS, &["ws"]));
    (access.value, access.basis)
}

#[test]
fn effective_public_access_follows_every_branch_of_its_definition() {
    use Pna::*;
    use PnaBasis::*;
    // publicNetworkAccess written: it decides, whatever the legacy flag says.
    assert_eq!(
        pna_of(
            json!({"publicNetworkAccess": "disabled", "allowPublicAccessWhenBehindVnet": true}),
            false
        ),
        (Disabled, PublicNetworkAccess)
    );
    assert_eq!(
        pna_of(json!({"publicNetworkAccess": "Enabled"}), true),
        (Enabled, PublicNetworkAccess)
    );
    // Legacy flag: true → Enabled; false → Disabled with a private endpoint, Enabled without.
    assert_eq!(
        pna_of(json!({"allowPublicAccessWhenBehindVnet": true}), true),
        (Enabled, LegacyFlag)
    );
    assert_eq!(
        pna_of(json!({"allowPublicAccessWhenBehindVnet": false}), true),
        (Disabled, LegacyFlag)
    );
    assert_eq!(
        pna_of(json!({"allowPublicAccessWhenBehindVnet": false}), false),
        (Enabled, LegacyFlag)
    );
    // Neither: Enabled without private endpoints, Unknown with one.
    assert_eq!(pna_of(json!({}), false), (Enabled, PrivateEndpoints));
    assert_eq!(pna_of(json!({}), true), (Unknown, PrivateEndpoints));
    // Enabled refined to SelectedIPs by IP rules or a Deny default action.
    assert_eq!(
        pna_of(
            json!({"publicNetworkAccess": "Enabled", "ipAllowlist": ["203.0.113.0/24"]}),
            false
        ),
        (SelectedIps, PublicNetworkAccess)
    );
    assert_eq!(
        pna_of(
            json!({"networkAcls": {"defaultAction": "Deny", "ipRules": []}}),
            false
        ),
        (SelectedIps, PrivateEndpoints)
    );
    // Disabled is never refined.
    assert_eq!(
        pna_of(
            json!({"publicNetworkAccess": "Disabled", "ipAllowlist": ["203.0.113.1"]}),
            false
        ),
        (Disabled, PublicNetworkAccess)
    );
}

#[test]
fn effective_public_access_names_the_unknown_value() {
    let g = graph_with(
        json!({"pna": {"type": "string"}}),
        json!([workspace(
            "ws",
            json!({"publicNetworkAccess": "[parameters('pna')]"})
        )]),
    );
    let ws = node(&g, WS, &["ws"]);
    let access = sets(&g).effective_public_access(ws);
    assert_eq!(access.value, Pna::Unknown);
    assert_eq!(access.unknown.len(), 1);
    assert_eq!(access.unknown[0].node(), Some(ws));
    assert_eq!(access.unknown[0].path, "properties.publicNetworkAccess");
    assert!(matches!(access.unknown[0].cause, Cause::Runtime(_)));
    // Behind a private endpoint without any setting, the reason is the undocumented default.
    let g = graph(json!([workspace("ws", json!({})), ws_endpoint("pe", "ws")]));
    let access = sets(&g).effective_public_access(node(&g, WS, &["ws"]));
    assert!(
        access
            .unknown
            .iter()
            .any(|u| matches!(u.cause, Cause::NoDefault(_)))
    );
}

#[test]
fn ip_rules_are_the_union_of_both_lists() {
    let g = graph(json!([workspace(
        "ws",
        json!({
        "ipAllowlist": ["203.0.113.1"],
        "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "198.51.100.0/24"}]}})
    )]));
    let rules = sets(&g).ip_rules(node(&g, WS, &["ws"]));
    let found: Vec<(String, Option<&str>)> = rules
        .certain()
        .map(|r| (r.path.clone(), r.value.value().copied()))
        .collect();
    assert_eq!(
        found,
        [
            ("properties.ipAllowlist[0]".to_owned(), Some("203.0.113.1")),
            (
                "properties.networkAcls.ipRules[0].value".to_owned(),
                Some("198.51.100.0/24")
            ),
        ]
    );
}

#[test]
fn isolated_by_access_endpoint_or_managed_network() {
    let isolated = |resources: Value| {
        let g = graph(resources);
        sets(&g).isolated(node(&g, WS, &["ws"])).value
    };
    assert_eq!(isolated(json!([workspace("ws", json!({}))])), Tri::False);
    assert_eq!(
        isolated(json!([workspace(
            "ws",
            json!({"publicNetworkAccess": "Disabled"})
        )])),
        Tri::True
    );
    // PNA_EFF is Unknown here, but the endpoint decides.
    assert_eq!(
        isolated(json!([workspace("ws", json!({})), ws_endpoint("pe", "ws")])),
        Tri::True
    );
    assert_eq!(
        isolated(json!([workspace(
            "ws",
            json!({"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}})
        )])),
        Tri::True
    );
    let g = graph(json!([workspace(
        "ws",
        json!({"managedNetwork": {"isolationMode": "allowinternetoutbound"}})
    )]));
    assert_eq!(sets(&g).managed(node(&g, WS, &["ws"])).value, Tri::True);
    let g = graph(json!([workspace("ws", json!({}))]));
    assert_eq!(sets(&g).managed(node(&g, WS, &["ws"])).value, Tri::False);
}

// ---------------------------------------------------------------- ASSOC, RESTRICTED

#[test]
fn associated_resources_and_restriction() {
    let st = "Microsoft.Storage/storageAccounts";
    let kv = "Microsoft.KeyVault/vaults";
    let acr = "Microsoft.ContainerRegistry/registries";
    let g = graph_v2(json!({
        "st": {"type": st, "apiVersion": "2023-01-01", "name": "st", "location": "westeurope",
            "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {}},
        "stDeny": {"type": st, "apiVersion": "2023-01-01", "name": "stdeny", "location": "westeurope",
            "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {"networkAcls": {"defaultAction": "deny"}}},
        "kv": {"type": kv, "apiVersion": "2023-07-01", "name": "kv", "existing": true},
        "acr": {"type": acr, "apiVersion": "2023-07-01", "name": "acr", "location": "westeurope",
            "sku": {"name": "Premium"}, "properties": {"publicNetworkAccess": "Disabled"}},
        "ws": workspace("ws", json!({
            "storageAccount": id(st, &["st"]), "keyVault": id(kv, &["kv"]),
            "containerRegistry": id(acr, &["acr"]),
            "applicationInsights": id("Microsoft.Insights/components", &["appi"])})),
    }));
    let s = sets(&g);
    let assoc = s.associated(node(&g, WS, &["ws"]));
    assert_eq!(assoc.is_empty(), Tri::False);
    let roles: Vec<AssociatedRole> = assoc.certain().map(|a| a.role).collect();
    assert_eq!(roles.len(), 4);
    for role in [
        AssociatedRole::StorageAccount,
        AssociatedRole::KeyVault,
        AssociatedRole::ContainerRegistry,
        AssociatedRole::ApplicationInsights,
    ] {
        assert!(roles.contains(&role));
    }
    assert_eq!(s.restricted(node(&g, st, &["st"])).value, Tri::False);
    assert_eq!(s.restricted(node(&g, st, &["stdeny"])).value, Tri::True);
    assert_eq!(s.restricted(node(&g, acr, &["acr"])).value, Tri::True);
    let kv_answer = s.restricted(node(&g, kv, &["kv"]));
    assert_eq!(kv_answer.value, Tri::Unknown);
    assert_eq!(kv_answer.unknown[0].cause, Cause::NotDeployed);
    // Application Insights is only referenced: external, unknown.
    assert_eq!(
        s.restricted(node(&g, "Microsoft.Insights/components", &["appi"]))
            .value,
        Tri::Unknown
    );
}

#[test]
fn associated_id_known_only_at_deployment_opens_the_set() {
    let g = graph_with(
        json!({"storageId": {"type": "string"}}),
        json!([workspace(
            "ws",
            json!({"storageAccount": "[parameters('storageId')]"})
        )]),
    );
    let assoc = sets(&g).associated(node(&g, WS, &["ws"]));
    assert_eq!(assoc.is_empty(), Tri::Unknown);
    assert_eq!(assoc.open[0].path, "properties.storageAccount");
}

// ---------------------------------------------------------------- COMPUTE_SUBNETS, NO_PIP

#[test]
fn compute_subnets_vnets_and_public_ips() {
    let subnet = |v: &str, s: &str| id("Microsoft.Network/virtualNetworks/subnets", &[v, s]);
    let compute = |name: &str, properties: Value| {
        json!({"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-10-01",
            "name": format!("ws/{name}"), "location": "westeurope",
            "dependsOn": [id(WS, &["ws"])], "properties": properties})
    };
    let g = graph(json!([
        workspace(
            "ws",
            json!({"serverlessComputeSettings": {
            "serverlessComputeCustomSubnet": subnet("vnet-a", "serverless"),
            "serverlessComputeNoPublicIP": true}})
        ),
        compute(
            "cluster",
            json!({"computeType": "AmlCompute", "properties": {
            "subnet": {"id": subnet("vnet-a", "compute")}, "enableNodePublicIp": false}})
        ),
        compute(
            "instance",
            json!({"computeType": "ComputeInstance", "properties": {
            "subnet": {"id": subnet("vnet-b", "ci")}}})
        ),
        compute(
            "aks",
            json!({"computeType": "AKS", "properties": {
            "aksNetworkingConfiguration": {"subnetId": subnet("vnet-c", "aks")}}})
        ),
        compute(
            "vm",
            json!({"computeType": "VirtualMachine", "properties": {}})
        ),
    ]));
    let s = sets(&g);
    let ws = node(&g, WS, &["ws"]);
    let subnets = s.compute_subnets(ws);
    assert!(subnets.open.is_empty());
    let mut found: Vec<(String, ComputeSubnetSource)> = subnets
        .certain()
        .map(|c| {
            (
                c.subnet
                    .last_name()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                c.source,
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        [
            ("aks".to_owned(), ComputeSubnetSource::AksNetworking),
            (
                "ci".to_owned(),
                ComputeSubnetSource::Compute(armgraph::model::kinds::ComputeType::ComputeInstance)
            ),
            (
                "compute".to_owned(),
                ComputeSubnetSource::Compute(armgraph::model::kinds::ComputeType::AmlCompute)
            ),
            ("serverless".to_owned(), ComputeSubnetSource::Serverless),
        ]
    );
    // vnet-a appears once although two subnets are in it.
    let mut vnets: Vec<String> = s
        .compute_vnets(ws)
        .certain()
        .map(|v| v.last_name().map(ToString::to_string).unwrap_or_default())
        .collect();
    vnets.sort();
    assert_eq!(vnets, ["vnet-a", "vnet-b", "vnet-c"]);
    let compute_node = |name: &str| {
        node(
            &g,
            "Microsoft.MachineLearningServices/workspaces/computes",
            &["ws", name],
        )
    };
    // enableNodePublicIp false → NO_PIP; absent → public IP (C4 default true).
    assert_eq!(
        s.compute_no_public_ip(compute_node("cluster")).value,
        Tri::True
    );
    assert_eq!(
        s.compute_no_public_ip(compute_node("instance")).value,
        Tri::False
    );
    assert_eq!(s.compute_no_public_ip(compute_node("vm")).value, Tri::False);
    assert_eq!(s.serverless_no_public_ip(ws).value, Tri::True);
    let g2 = graph(json!([workspace("ws", json!({}))]));
    assert_eq!(
        sets(&g2)
            .serverless_no_public_ip(node(&g2, WS, &["ws"]))
            .value,
        Tri::False
    );
    // Compute region: the workspace's when neither computeLocation nor location is written.
    assert_eq!(
        s.compute_region(compute_node("vm")),
        Setting::Set("westeurope".to_owned())
    );
}

// ---------------------------------------------------------------- REACH

#[test]
fn reach_between_deployed_vnets() {
    let peering = |name: &str, remote: &str, allow: Option<bool>| {
        let mut properties = json!({"remoteVirtualNetwork": {"id": id(VNET, &[remote])}});
        if let (Some(allow), Some(p)) = (allow, properties.as_object_mut()) {
            p.insert("allowVirtualNetworkAccess".into(), json!(allow));
        }
        json!({"type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2023-11-01",
            "name": name, "properties": properties})
    };
    let g = graph(json!([
        vnet("a", json!({})),
        // b peers back to a inline, with the default allowVirtualNetworkAccess (true).
        vnet(
            "b",
            json!({"virtualNetworkPeerings": [{"name": "b-to-a", "properties": {
            "remoteVirtualNetwork": {"id": id(VNET, &["a"])}}}]})
        ),
        vnet("c", json!({})),
        vnet("d", json!({})),
        peering("a/a-to-b", "b", Some(true)),
        peering("a/a-to-c", "c", None),
        peering("c/c-to-a", "c", None), // points at itself: no way back to a
        peering("a/a-to-d", "d", Some(true)),
        peering("d/d-to-a", "a", Some(false)),
        peering("a/a-to-outside", "outside", None),
    ]));
    let s = sets(&g);
    let v = |n: &str| rid(VNET, &[n]);
    assert_eq!(s.reach(&v("a"), &v("a")).value, Tri::True);
    let ab = s.reach(&v("a"), &v("b"));
    assert_eq!(ab.value, Tri::True);
    assert_eq!(ab.because.len(), 2, "both peerings explain the reach");
    assert_eq!(s.reach(&v("b"), &v("a")).value, Tri::True);
    // One direction only: false.
    assert_eq!(s.reach(&v("a"), &v("c")).value, Tri::False);
    // allowVirtualNetworkAccess false on one side: false.
    assert_eq!(s.reach(&v("a"), &v("d")).value, Tri::False);
    // A deployed side peering to a VNet outside the template: unknown, never false.
    let out = s.reach(&v("a"), &v("outside"));
    assert_eq!(out.value, Tri::Unknown);
    assert_eq!(out.unknown[0].cause, Cause::NotDeployed);
    // A deployed side without a peering to it: false.
    assert_eq!(s.reach(&v("c"), &v("outside")).value, Tri::False);
    // Neither side deployed: unknown.
    let neither = s.reach(&v("outside"), &v("elsewhere"));
    assert_eq!(neither.value, Tri::Unknown);
    assert!(
        neither
            .unknown
            .iter()
            .any(|u| u.subject == Subject::Outside(v("elsewhere")))
    );
}

#[test]
fn reach_through_a_shared_hub_is_unknown() {
    let link = |from: &str, to: &str| json!({"name": format!("{from}-to-{to}"), "properties": {"remoteVirtualNetwork": {"id": id(VNET, &[to])}}});
    let g = graph(json!([
        vnet(
            "hub",
            json!({"virtualNetworkPeerings": [link("hub", "spoke1"), link("hub", "spoke2")]})
        ),
        vnet(
            "spoke1",
            json!({"virtualNetworkPeerings": [link("spoke1", "hub")]})
        ),
        vnet(
            "spoke2",
            json!({"virtualNetworkPeerings": [link("spoke2", "hub")]})
        ),
    ]));
    let s = sets(&g);
    let v = |n: &str| rid(VNET, &[n]);
    assert_eq!(s.reach(&v("spoke1"), &v("hub")).value, Tri::True);
    let spokes = s.reach(&v("spoke1"), &v("spoke2"));
    assert_eq!(spokes.value, Tri::Unknown);
    assert_eq!(spokes.unknown[0].node(), Some(node(&g, VNET, &["hub"])));
}

#[test]
fn reach_with_an_existing_vnet_is_unknown() {
    let g = graph_v2(json!({
        "hub": {"type": VNET, "apiVersion": "2023-11-01", "name": "hub", "existing": true},
        "spoke": vnet("spoke", json!({"virtualNetworkPeerings": [{"name": "to-hub",
            "properties": {"remoteVirtualNetwork": {"id": id(VNET, &["hub"])}}}]})),
        "lonely": vnet("lonely", json!({})),
    }));
    let s = sets(&g);
    let v = |n: &str| rid(VNET, &[n]);
    assert_eq!(s.reach(&v("spoke"), &v("hub")).value, Tri::Unknown);
    assert_eq!(s.reach(&v("hub"), &v("spoke")).value, Tri::Unknown);
    assert_eq!(s.reach(&v("lonely"), &v("hub")).value, Tri::False);
}

// ---------------------------------------------------------------- LINKED, CUSTOM_DNS, DNS_MANAGED

/// `LINKED` looks a VNet up among a shared zone's links: a link naming another VNet never
/// decides, a link whose VNet or own name is known only at deployment still makes it unknown,
/// and a link of another zone with the same VNet does not count.
#[test]
fn linked_looks_up_the_vnet_among_many_links_of_a_shared_zone() {
    let zone = "Microsoft.Network/privateDnsZones";
    let link_type = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
    let link = |zone_name: &str, name: &str, vnet_id: Value| {
        json!({"type": link_type, "apiVersion": "2020-06-01", "name": format!("{zone_name}/{name}"),
            "location": "global", "properties": {"virtualNetwork": {"id": vnet_id}}})
    };
    let mut resources = vec![
        json!({"type": zone, "apiVersion": "2020-06-01", "name": "privatelink.api.azureml.ms", "location": "global"}),
        json!({"type": zone, "apiVersion": "2020-06-01", "name": "privatelink.notebooks.azure.net", "location": "global"}),
    ];
    for i in 0..40 {
        resources.push(link(
            "privatelink.api.azureml.ms",
            &format!("l{i}"),
            json!(id(VNET, &[&format!("spoke{i}")])),
        ));
    }
    resources.push(link(
        "privatelink.notebooks.azure.net",
        "other-zone",
        json!(id(VNET, &["lonely"])),
    ));
    let g = graph(json!(resources));
    let s = sets(&g);
    let api = node(&g, zone, &["privatelink.api.azureml.ms"]);
    assert_eq!(s.linked(api, &rid(VNET, &["spoke39"])).value, Tri::True);
    assert_eq!(s.linked(api, &rid(VNET, &["spoke0"])).value, Tri::True);
    assert_eq!(s.linked(api, &rid(VNET, &["lonely"])).value, Tri::False);
    assert_eq!(s.linked(api, &rid(VNET, &["SPOKE7"])).value, Tri::True);

    // One more link whose VNet is known only at deployment: unknown for every other VNet.
    resources.push(link(
        "privatelink.api.azureml.ms",
        "runtime",
        json!(
            "[reference(resourceId('Microsoft.Resources/deployments', 'net')).outputs.vnetId.value]"
        ),
    ));
    let g = graph(json!(resources));
    let s = sets(&g);
    let api = node(&g, zone, &["privatelink.api.azureml.ms"]);
    assert_eq!(s.linked(api, &rid(VNET, &["spoke3"])).value, Tri::True);
    let lonely = s.linked(api, &rid(VNET, &["lonely"]));
    assert_eq!(lonely.value, Tri::Unknown);
    assert!(!lonely.unknown.is_empty());
}

#[test]
fn linked_zones_and_custom_dns() {
    let zone = "Microsoft.Network/privateDnsZones";
    let g = graph_v2(json!({
        "zone": {"type": zone, "apiVersion": "2020-06-01", "name": "privatelink.api.azureml.ms", "location": "global"},
        "link": {"type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "apiVersion": "2020-06-01",
            "name": "privatelink.api.azureml.ms/link", "location": "global",
            "properties": {"virtualNetwork": {"id": id(VNET, &["vnet"])}}},
        "central": {"type": zone, "apiVersion": "2020-06-01", "name": "privatelink.notebooks.azure.net", "existing": true},
        "vnet": vnet("vnet", json!({})),
        "dnsVnet": vnet("dnsvnet", json!({"dhcpOptions": {"dnsServers": ["10.0.0.4"]}})),
        "rulesetVnet": vnet("rsvnet", json!({})),
        "rulesetLink": {"type": "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks", "apiVersion": "2022-07-01",
            "name": "ruleset/link", "properties": {"virtualNetwork": {"id": id(VNET, &["rsvnet"])}}},
    }));
    let s = sets(&g);
    let zone_node = node(&g, zone, &["privatelink.api.azureml.ms"]);
    let linked = s.linked(zone_node, &rid(VNET, &["vnet"]));
    assert_eq!(linked.value, Tri::True);
    assert_eq!(
        s.linked(zone_node, &rid(VNET, &["dnsvnet"])).value,
        Tri::False
    );
    let central = node(&g, zone, &["privatelink.notebooks.azure.net"]);
    assert_eq!(s.linked(central, &rid(VNET, &["vnet"])).value, Tri::Unknown);
    assert_eq!(s.custom_dns(&rid(VNET, &["vnet"])).value, Tri::False);
    assert_eq!(s.custom_dns(&rid(VNET, &["dnsvnet"])).value, Tri::True);
    assert_eq!(s.custom_dns(&rid(VNET, &["rsvnet"])).value, Tri::True);
    assert_eq!(s.custom_dns(&rid(VNET, &["elsewhere"])).value, Tri::Unknown);
    // The link's C4 defaults.
    let link = g
        .resources()
        .iter()
        .find_map(VirtualNetworkLink::of)
        .expect("link");
    assert_eq!(link.registration_enabled(), Setting::Default(false));
}

#[test]
fn dns_managed_by_zone_group_or_zone_of_the_cloud() {
    let st = id("Microsoft.Storage/storageAccounts", &["st"]);
    let zone = |name: &str| {
        json!({"type": "Microsoft.Network/privateDnsZones", "apiVersion": "2020-06-01",
        "name": name, "location": "global"})
    };
    let with_group = graph(json!([
        endpoint("pe", &st, "blob"),
        {"type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", "apiVersion": "2023-11-01",
            "name": "pe/default", "properties": {"privateDnsZoneConfigs": []}},
    ]));
    assert_eq!(
        sets(&with_group)
            .dns_managed(node(&with_group, PE, &["pe"]), "blob")
            .value,
        Tri::True
    );
    let with_zone = graph(json!([
        endpoint("pe", &st, "blob"),
        zone("privatelink.blob.core.windows.net")
    ]));
    let pe = node(&with_zone, PE, &["pe"]);
    assert_eq!(sets(&with_zone).dns_managed(pe, "blob").value, Tri::True);
    // The same zone does not manage DNS for Government endpoints, nor for another group id.
    assert_eq!(
        DerivedSets::new(&with_zone, Cloud::AzureUSGovernment)
            .dns_managed(pe, "blob")
            .value,
        Tri::False
    );
    assert_eq!(sets(&with_zone).dns_managed(pe, "file").value, Tri::False);
    let nothing = graph(json!([endpoint("pe", &st, "blob")]));
    assert_eq!(
        sets(&nothing)
            .dns_managed(node(&nothing, PE, &["pe"]), "blob")
            .value,
        Tri::False
    );
}

// ---------------------------------------------------------------- ZONES, cloud, SUB

#[test]
fn zones_per_cloud_for_workspace_and_blob() {
    assert_eq!(
        zones(Cloud::AzureCloud, "amlworkspace").required,
        [
            "privatelink.api.azureml.ms",
            "privatelink.notebooks.azure.net"
        ]
    );
    assert_eq!(
        zones(Cloud::AzureUSGovernment, "amlworkspace").required,
        [
            "privatelink.api.ml.azure.us",
            "privatelink.notebooks.usgovcloudapi.net"
        ]
    );
    assert_eq!(
        zones(Cloud::AzureChinaCloud, "amlworkspace").required,
        [
            "privatelink.api.ml.azure.cn",
            "privatelink.notebooks.chinacloudapi.cn"
        ]
    );
    assert_eq!(
        zones(Cloud::AzureCloud, "blob").required,
        ["privatelink.blob.core.windows.net"]
    );
    assert_eq!(
        zones(Cloud::AzureUSGovernment, "blob").required,
        ["privatelink.blob.core.usgovcloudapi.net"]
    );
    assert_eq!(
        zones(Cloud::AzureChinaCloud, "blob").required,
        ["privatelink.blob.core.chinacloudapi.cn"]
    );
    let acr = zones(Cloud::AzureCloud, "registry");
    assert!(acr.names("westeurope.data.privatelink.azurecr.io") && !acr.community);
    assert!(zones(Cloud::AzureChinaCloud, "registry").community);
    assert!(zones(Cloud::AzureCloud, "searchService").is_empty());
}

#[test]
fn cloud_from_context_or_regions() {
    let located = |locations: &[&str]| {
        let resources: Vec<Value> = locations
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vnet(&format!("v{i}"), json!({}))
                    .as_object()
                    .map(|o| {
                        let mut o = o.clone();
                        o.insert("location".into(), json!(l));
                        Value::Object(o)
                    })
                    .unwrap_or_default()
            })
            .collect();
        graph(Value::Array(resources))
    };
    let gov = located(&["usgovarizona", "USGov Virginia", "global"]);
    let resolved = resolve_cloud(gov.resources(), None);
    assert_eq!(
        (resolved.cloud, resolved.source),
        (Cloud::AzureUSGovernment, CloudSource::Regions)
    );
    assert_eq!(resolved.notice(), None);
    let explicit = resolve_cloud(gov.resources(), Some(Cloud::AzureCloud));
    assert_eq!(explicit.cloud, Cloud::AzureCloud);
    assert_eq!(
        explicit.notice(),
        Some(CloudNotice::ContextDisagrees {
            context: Cloud::AzureCloud,
            regions: Cloud::AzureUSGovernment
        })
    );
    let china = located(&["chinanorth3"]);
    assert_eq!(
        resolve_cloud(china.resources(), None).cloud,
        Cloud::AzureChinaCloud
    );
    let mixed = located(&["westeurope", "usdodeast"]);
    let resolved = resolve_cloud(mixed.resources(), None);
    assert_eq!(resolved.cloud, Cloud::AzureCloud);
    assert!(matches!(
        resolved.notice(),
        Some(CloudNotice::MixedRegions { .. })
    ));
    let none = graph(json!([]));
    assert_eq!(
        resolve_cloud(none.resources(), None).source,
        CloudSource::Default
    );
}

#[test]
fn same_subscription_for_deployed_and_referenced_resources() {
    let other = "/subscriptions/99999999-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv".to_owned();
    let g = graph(json!([
        workspace(
            "ws",
            json!({"keyVault": other, "storageAccount": id("Microsoft.Storage/storageAccounts", &["st"])})
        ),
        vnet("vnet", json!({})),
    ]));
    let s = sets(&g);
    let ws = node(&g, WS, &["ws"]);
    assert_eq!(
        s.same_subscription(ws, node(&g, VNET, &["vnet"])).value,
        Tri::True
    );
    let kv = g
        .find(&ResourceId::parse(&other).expect("id"))
        .expect("external kv");
    assert_eq!(s.same_subscription(ws, kv).value, Tri::False);
    let st = node(&g, "Microsoft.Storage/storageAccounts", &["st"]);
    assert_eq!(s.same_subscription(ws, st).value, Tri::True);
}

// ---------------------------------------------------------------- C4 defaults by API version

fn workspace_with_version(api_version: &str, endpoint: bool) -> Setting<'static, bool> {
    let mut resources = vec![json!({"type": WS, "apiVersion": api_version, "name": "ws",
        "location": "westeurope", "properties": {}})];
    if endpoint {
        resources.push(ws_endpoint("pe", "ws"));
    }
    let g = graph(Value::Array(resources));
    // Leak the graph so the setting can outlive this helper (tests only).
    let g: &'static ResourceGraph = Box::leak(Box::new(g));
    sets(g).v1_legacy_mode(node(g, WS, &["ws"]))
}

#[test]
fn v1_legacy_mode_default_by_api_version() {
    assert_eq!(
        workspace_with_version("2022-05-01", true),
        Setting::Default(false)
    );
    assert_eq!(
        workspace_with_version("2022-05-01-preview", true),
        Setting::Default(false)
    );
    assert_eq!(
        workspace_with_version("2023-10-01", false),
        Setting::Default(false)
    );
    assert_eq!(
        workspace_with_version("2022-01-01-preview", true),
        Setting::Default(true)
    );
    assert_eq!(
        workspace_with_version("2021-07-01", false),
        Setting::Default(false)
    );
}

fn subnet_settings(
    api_version: &str,
) -> (Setting<'static, PeNetworkPolicies>, Setting<'static, bool>) {
    let g = graph(json!([
        {"type": VNET, "apiVersion": api_version, "name": "vnet", "location": "westeurope",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "snet", "properties": {"addressPrefix": "10.0.1.0/24"}}]}},
    ]));
    let g: &'static ResourceGraph = Box::leak(Box::new(g));
    let subnet = node(
        g,
        "Microsoft.Network/virtualNetworks/subnets",
        &["vnet", "snet"],
    );
    let view = g
        .node(subnet)
        .and_then(|n| n.resource())
        .and_then(Subnet::of)
        .expect("subnet");
    (
        view.private_endpoint_network_policies(),
        sets(g).subnet_default_outbound_access(subnet),
    )
}

#[test]
fn subnet_defaults_by_api_version() {
    assert_eq!(
        subnet_settings("2022-01-01").0,
        Setting::Default(PeNetworkPolicies::Disabled)
    );
    assert_eq!(
        subnet_settings("2023-11-01").0,
        Setting::Default(PeNetworkPolicies::Disabled)
    );
    assert!(matches!(
        subnet_settings("2021-08-01").0,
        Setting::Unknown(Cause::NoDefault(_))
    ));
    assert_eq!(subnet_settings("2025-07-01").1, Setting::Default(false));
    assert_eq!(
        subnet_settings("2025-07-01-preview").1,
        Setting::Default(false)
    );
    assert_eq!(subnet_settings("2024-05-01").1, Setting::Default(true));
}

#[test]
fn child_subnet_of_an_existing_vnet_keeps_outbound_access() {
    let g = graph_v2(json!({
        "vnet": {"type": VNET, "apiVersion": "2025-07-01", "name": "vnet", "existing": true},
        "snet": {"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2025-07-01",
            "name": "vnet/snet", "properties": {"addressPrefix": "10.0.2.0/24"}},
    }));
    let subnet = node(
        &g,
        "Microsoft.Network/virtualNetworks/subnets",
        &["vnet", "snet"],
    );
    assert_eq!(
        sets(&g).subnet_default_outbound_access(subnet),
        Setting::Default(true)
    );
}

#[test]
fn view_defaults_of_endpoints_and_registries() {
    let g = graph(json!([
        workspace("ws", json!({})),
        {"type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints", "apiVersion": "2023-10-01",
            "name": "ws/ep", "location": "westeurope", "properties": {"authMode": "Key"}},
        {"type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments", "apiVersion": "2023-10-01",
            "name": "ws/ep/blue", "location": "westeurope", "properties": {"egressPublicNetworkAccess": "disabled"}},
        {"type": "Microsoft.ContainerRegistry/registries", "apiVersion": "2023-07-01", "name": "acr",
            "location": "westeurope", "sku": {"name": "Basic"}, "properties": {}},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st", "location": "westeurope",
            "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {"networkAcls": {"bypass": "Logging, Metrics"}}},
    ]));
    let r = g.resources();
    let ws = r.iter().find_map(Workspace::of).expect("ws");
    assert_eq!(
        ws.isolation_mode(),
        Setting::Default(IsolationMode::Disabled)
    );
    assert_eq!(ws.public_network_access(), Setting::Absent);
    let ep = r.iter().find_map(OnlineEndpoint::of).expect("endpoint");
    assert_eq!(
        ep.public_network_access(),
        Setting::Default(Access::Enabled)
    );
    assert_eq!(ep.is_managed(), Tri::True);
    let dep = r.iter().find_map(OnlineDeployment::of).expect("deployment");
    assert_eq!(
        dep.egress_public_network_access(),
        Setting::Set(Access::Disabled)
    );
    let acr = r.iter().find_map(ContainerRegistry::of).expect("acr");
    assert_eq!(
        acr.public_network_access(),
        Setting::Default(Access::Enabled)
    );
    assert_eq!(
        acr.network_rule_set_default_action(),
        Setting::Default(DefaultAction::Allow)
    );
    assert_eq!(
        acr.network_rule_bypass_options(),
        Setting::Default("AzureServices")
    );
    let st = r.iter().find_map(StorageAccount::of).expect("storage");
    assert_eq!(
        st.network_acls().default_action(),
        Setting::Default(DefaultAction::Allow)
    );
    assert_eq!(st.network_acls().bypasses_azure_services(), Tri::False);
}

#[test]
fn conditional_resources_take_defaults_and_unknown_compute_types_none() {
    let g = graph_with(
        json!({"deploy": {"type": "bool"}, "computeType": {"type": "string"}}),
        json!([
            {"condition": "[parameters('deploy')]", "type": WS, "apiVersion": "2024-10-01", "name": "ws",
                "location": "westeurope", "properties": {}},
            {"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-10-01",
                "name": "ws/c", "location": "westeurope",
                "properties": {"computeType": "[parameters('computeType')]", "properties": {"vmSize": "STANDARD_DS3_V2"}}},
        ]),
    );
    let s = sets(&g);
    let ws = node(&g, WS, &["ws"]);
    assert_eq!(s.workspaces().collect::<Vec<_>>(), [ws]);
    assert_eq!(s.written(ws), Tri::Unknown);
    let access = s.effective_public_access(ws);
    assert_eq!(
        (access.value, access.basis),
        (Pna::Enabled, PnaBasis::PrivateEndpoints)
    );
    let compute = g
        .resources()
        .iter()
        .find_map(armgraph::model::kinds::Compute::of)
        .expect("compute");
    assert!(matches!(
        compute.enable_node_public_ip(),
        Setting::Unknown(Cause::Runtime(_))
    ));
    assert_eq!(
        compute
            .property("properties.properties.VMSIZE")
            .known()
            .and_then(|v| v.as_str()),
        Some("STANDARD_DS3_V2")
    );
    // The unknown compute type opens COMPUTE_SUBNETS and leaves NO_PIP unknown.
    let c = node(
        &g,
        "Microsoft.MachineLearningServices/workspaces/computes",
        &["ws", "c"],
    );
    assert_eq!(s.compute_subnets(ws).is_empty(), Tri::Unknown);
    assert_eq!(s.compute_no_public_ip(c).value, Tri::Unknown);
}

#[test]
fn demo_sample_reads_as_a_private_workspace() {
    let dir = std::path::Path::new("testdata/samples/aml-private-workspace");
    let context = DeploymentContext {
        subscription_id: SUB.into(),
        resource_group: "rg-ml".into(),
        location: "westeurope".into(),
        ..Default::default()
    };
    let (_, expansion) = Analyzer::new(Config::default().with_context(context))
        .expand_file(
            &dir.join("azuredeploy.json"),
            Some(&dir.join("azuredeploy.parameters.json")),
        )
        .expect("readable");
    let g = ResourceGraph::build(ResourceSet::from_expansion(&expansion));
    let cloud = resolve_cloud(g.resources(), None);
    let s = DerivedSets::new(&g, cloud.cloud);
    let ws = s.workspaces().next().expect("a workspace");
    let summary = format!(
        "cloud: {:?} ({:?})\nhub: {:?}\nWS_PE: {:?}\nPE_VNETS: {:?}\nPNA_EFF: {:?}/{:?}\nMANAGED: {}\nISOLATED: {}\nASSOC: {:?}\nRESTRICTED: {:?}\nDNS_MANAGED: {:?}",
        cloud.cloud,
        cloud.source,
        s.hub(ws) == Hub::Itself(ws),
        s.workspace_private_endpoints(ws).non_empty(),
        s.private_endpoint_vnets(ws)
            .certain()
            .map(|v| v
                .vnet
                .last_name()
                .map(ToString::to_string)
                .unwrap_or_default())
            .collect::<Vec<_>>(),
        s.effective_public_access(ws).value,
        s.effective_public_access(ws).basis,
        s.managed(ws).value,
        s.isolated(ws).value,
        s.associated(ws)
            .certain()
            .map(|a| a.role)
            .collect::<Vec<_>>(),
        s.associated(ws)
            .certain()
            .map(|a| s.restricted(a.node).value)
            .collect::<Vec<_>>(),
        s.workspace_private_endpoints(ws)
            .certain()
            .map(|pe| s.dns_managed(*pe, "amlworkspace").value)
            .collect::<Vec<_>>(),
    );
    insta::assert_snapshot!(summary);
}

#[test]
fn hub_with_a_kind_known_only_at_deployment() {
    let g = graph_with(
        json!({"kind": {"type": "string"}}),
        json!([
            {"type": WS, "apiVersion": "2024-10-01", "name": "w1", "location": "westeurope",
                "kind": "[parameters('kind')]", "properties": {"hubResourceId": id(WS, &["hub"])}},
            {"type": WS, "apiVersion": "2024-10-01", "name": "w2", "location": "westeurope",
                "kind": "[parameters('kind')]", "properties": {}},
        ]),
    );
    let s = sets(&g);
    match s.hub(node(&g, WS, &["w1"])) {
        Hub::Unknown(input) => assert_eq!(input.path, "kind"),
        other => panic!("{other:?}"),
    }
    let w2 = node(&g, WS, &["w2"]);
    assert_eq!(s.hub(w2), Hub::Itself(w2));
}
