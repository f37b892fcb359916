//! The shared corpus of real templates: every file is classified, every template expands, and
//! the only findings at warning or error are the known defects of those public templates.

mod common;

use std::collections::BTreeMap;

use armgraph::{Analyzer, Config, Inputs, Report, Severity};

/// Findings the corpus must produce: real defects of the public templates, each checked by hand.
const KNOWN_DEFECTS: &[(&str, &str, &str)] = &[
    (
        "AML-PE-004",
        "demos/aks-nat-agic/azuredeploy.json",
        "the Key Vault endpoint's zone group references privatelink.vault.azure.net (built from keyvaultDns), not privatelink.vaultcore.azure.net; AML-DNS-002's finding on that zone's name is grouped into this one (C7)",
    ),
    (
        "AML-DNS-002",
        "machine-learning-end-to-end-secure/azuredeploy.json",
        "the Key Vault zone is format('privatelink{0}', environment().suffixes.keyvaultDns) = privatelink.vault.azure.net, not privatelink.vaultcore.azure.net (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "machine-learning-end-to-end-secure-v1-legacy-mode/azuredeploy.json",
        "same Key Vault module as machine-learning-end-to-end-secure (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "machine-learning-network-restricted/azuredeploy.json",
        "Key Vault zone built from keyvaultDns (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "machine-learning-network-restricted/main.json",
        "Key Vault zone built from keyvaultDns (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "aifoundry-network-restricted/azuredeploy.json",
        "Key Vault zone built from keyvaultDns (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "aistudio-network-restricted/azuredeploy.json",
        "Key Vault zone built from keyvaultDns (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "aifoundry-networking-aoao/azuredeploy.json",
        "notebooks zone privatelink.notebooks.azureml.net in the public cloud (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "aistudio-networking-aoao/azuredeploy.json",
        "notebooks zone privatelink.notebooks.azureml.net in the public cloud (spec §6 item 26)",
    ),
    (
        "AML-DNS-002",
        "network-secured-agent/azuredeploy.json",
        "a zone group references privatelink.azureml.ms, on the spec's closed near-miss list (misspelling of privatelink.api.azureml.ms)",
    ),
    (
        "ARM-PARAM-003",
        "machine-learning-compute-create-computeinstance/azuredeploy.parameters.json",
        "the parameter file sets `schedules`, which the template does not declare: ARM rejects it",
    ),
    (
        "ARM-EXPR-015",
        "machine-learning-compute-create-computeinstance/azuredeploy.json",
        "the template reads parameters('schedules') at line 111 but declares no such parameter",
    ),
    (
        "ARM-PARAM-002",
        "machine-learning-workspace-cmk-service-side-encryption/azuredeploy.json",
        "azuredeploy.parameters.us.json sets location usgovvirginia, which the template's allowedValues omit (its prereq template allows it)",
    ),
    (
        "ARM-DEP-002",
        "webapp-privateendpoint-vnet-injection/azuredeploy.json",
        "the site `site2_Name` lists its own resourceId in dependsOn",
    ),
    (
        "ARM-DEP-003",
        "darktrace-vsensor-autoscaling/azuredeploy.json",
        "two role assignments read reference(VMSSRef).identity.principalId but depend only on the storage account; reference() by id adds no implicit dependency",
    ),
    (
        "ARM-DEP-003",
        "minio-azure-gateway/azuredeploy.json",
        "role assignments read reference() of resources they do not depend on (by id)",
    ),
    (
        "ARM-DEP-003",
        "load-balancer-gateway/azuredeploy.json",
        "the app and client NICs use subnets of the second VNet but depend only on the first",
    ),
    (
        "ARM-DEP-003",
        "private-aks-cluster-with-public-dns-zone/azuredeploy.json",
        "the test VM reads reference() of the boot-diagnostics storage account by id without depending on it",
    ),
    (
        "ARM-DEP-003",
        "databricks-all-in-one-template-for-privateendpoint-cmk-all-forms-default-storage-firewall/azuredeploy.json",
        "the private endpoint and the DNS zone link use the VNet and its subnet without depending on them",
    ),
    (
        "ARM-DEP-003",
        "privatelink-service/azuredeploy.json",
        "the private link service reads reference(loadbalancerId) and has no dependsOn at all",
    ),
    (
        "ARM-DEP-003",
        "file-share-private-endpoint/azuredeploy.json",
        "the private endpoint uses the subnet without depending on it",
    ),
    (
        "AML-WS-003",
        "aistudio-basics/main.json",
        "the hub's registry has publicNetworkAccess Disabled and defaultAction Deny, and the hub names no imageBuildCompute (to review: whether a managed network lets serverless compute build images)",
    ),
    (
        "AML-WS-003",
        "aistudio-cmk/main.json",
        "the hub's registry has publicNetworkAccess Disabled and defaultAction Deny, and the hub names no imageBuildCompute (to review: whether a managed network lets serverless compute build images)",
    ),
    (
        "AML-WS-003",
        "aistudio-entraid-passthrough/main.json",
        "the hub's registry has publicNetworkAccess Disabled and defaultAction Deny, and the hub names no imageBuildCompute (to review: whether a managed network lets serverless compute build images)",
    ),
    (
        "AML-WS-003",
        "aistudio-network-restricted/main.json",
        "the hub's registry has publicNetworkAccess Disabled and defaultAction Deny, and the hub names no imageBuildCompute (to review: whether a managed network lets serverless compute build images)",
    ),
    (
        "AML-CMP-005",
        "machine-learning-compute-create-amlcompute/azuredeploy.json",
        "with the default (empty) VNet parameters the cluster gets no subnet and no remoteLoginPortPublicAccess: NotSpecified outside a subnet opens SSH publicly",
    ),
    (
        "AML-CMP-005",
        "machine-learning-create-vnet/azuredeploy.json",
        "cpu-cluster, gpu-cluster (remoteLoginPortPublicAccess Enabled) and the compute instance (sshPublicAccess Enabled) open SSH publicly",
    ),
    (
        "AML-CMP-005",
        "machine-learning-job-create-or-update-job/prereqs/prereq.azuredeploy.json",
        "the prerequisite cluster has neither a subnet nor remoteLoginPortPublicAccess: NotSpecified outside a subnet opens SSH publicly",
    ),
    (
        "AML-CMP-005",
        "machine-learning-job-create-sweep-job/prereqs/prereq.azuredeploy.json",
        "the prerequisite cluster has neither a subnet nor remoteLoginPortPublicAccess: NotSpecified outside a subnet opens SSH publicly",
    ),
];

fn corpus_report() -> Option<Report> {
    let corpus = common::corpus_dir()?;
    Some(
        Analyzer::new(Config::default())
            .check(&Inputs::new().with_path(&corpus))
            .expect("the corpus is readable"),
    )
}

#[test]
fn every_corpus_file_is_classified_and_every_template_expands() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let Some(report) = corpus_report() else {
        return;
    };
    let scanned = report.scanned();
    let files = walk_json(&corpus);
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for d in report.diagnostics() {
        *by_code.entry(d.code()).or_default() += 1;
    }
    println!(
        "corpus: {files} JSON files: {} templates, {} parameter files, {} other, {} unreadable",
        scanned.templates, scanned.parameter_files, scanned.other, scanned.unreadable,
    );
    println!(
        "expanded: {} templates, {} resources, {} unknown values; findings by code: {by_code:?}",
        report.analyzed().len(),
        report.analyzed().iter().map(|a| a.resources).sum::<usize>(),
        report
            .analyzed()
            .iter()
            .map(|a| a.unknown_values)
            .sum::<usize>(),
    );
    assert_eq!(
        scanned.templates + scanned.parameter_files + scanned.other + scanned.unreadable,
        files,
        "every file is classified exactly once"
    );
    assert_eq!(
        scanned.unreadable, 0,
        "every corpus file is JSON ARM can read"
    );
    assert_eq!(
        report.analyzed().len(),
        scanned.templates,
        "every template is expanded"
    );
    assert!(
        scanned.templates > 100 && scanned.parameter_files > 50,
        "{scanned:?}"
    );

    let mut unexpected = Vec::new();
    let mut seen = vec![false; KNOWN_DEFECTS.len()];
    for d in report.diagnostics() {
        if d.severity() == Severity::Note {
            continue;
        }
        let file = report.resolve(d.location()).file;
        match KNOWN_DEFECTS
            .iter()
            .position(|(code, path, _)| d.code() == *code && file.ends_with(path))
        {
            Some(i) => seen[i] = true,
            None => unexpected.push(format!("{file}: {} {}", d.code(), d.message())),
        }
    }
    assert!(
        unexpected.is_empty(),
        "engine findings on the corpus:\n{}",
        unexpected.join("\n")
    );
    for (known, seen) in KNOWN_DEFECTS.iter().zip(seen) {
        assert!(seen, "the known defect is no longer found: {known:?}");
    }
}

fn walk_json(dir: &std::path::Path) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            count += walk_json(&path);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            count += 1;
        }
    }
    count
}
