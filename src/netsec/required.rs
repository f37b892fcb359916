//! The network flows VNet-injected AML computes need (§3.4 of the invariants spec).

use std::fmt;

use ipnet::IpNet;

use super::address::{Endpoint, ServiceTag, SubnetEndpoint, normalize_region};
use super::{Flow, Protocol};

/// The kind of compute whose flows are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComputeKind {
    /// `ComputeInstance`: core (all) plus core (CI) and required (CI) rows.
    ComputeInstance,
    /// `AmlCompute` (compute cluster).
    ComputeCluster,
    /// The workspace's serverless compute in a customer subnet.
    Serverless,
    /// `AKS` / `Kubernetes` computes: the agent pool subnets (F18, F19).
    Kubernetes,
    /// Attached `VirtualMachine` or `HDInsight` (F17, inbound SSH).
    AttachedVirtualMachine,
}

/// A row of the §3.4 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowRow {
    /// Out TCP 443 to `AzureMachineLearning`.
    F1,
    /// Out TCP 18881 to `AzureMachineLearning` (notebook intellisense; compute instances).
    F2,
    /// Out UDP 5831 to `AzureMachineLearning` (compute instance create/update/delete).
    F3,
    /// Out TCP 8787 to `AzureMachineLearning` (RStudio).
    F4,
    /// Out TCP 443 to `BatchNodeManagement.<region>`.
    F5,
    /// Out TCP 443 to `Storage.<region>`.
    F6,
    /// Out TCP 80 and 443 to `AzureActiveDirectory`.
    F7,
    /// Out TCP 443 to `AzureResourceManager`.
    F8,
    /// Out TCP 443 to `AzureFrontDoor.FrontEnd` (not in Azure China).
    F9,
    /// Out TCP 443 to `MicrosoftContainerRegistry.<region>` and `AzureFrontDoor.FirstParty`.
    F10,
    /// Out TCP 443 to `AzureMonitor` (Application Insights not behind a private link scope).
    F11,
    /// Out TCP 443 to the regional Key Vault tag (`hbiWorkspace`).
    F12,
    /// Out TCP 445 to the default storage's file/blob private endpoint subnets.
    F13,
    /// Out TCP 443 to each private-endpoint subnet (`VirtualNetwork`).
    F14,
    /// In TCP 44224 from `AzureMachineLearning` (public-IP computes).
    F15,
    /// In TCP 29876–29877 from `BatchNodeManagement.<region>`: retired (Batch classic node
    /// communication); never emitted.
    F16,
    /// In TCP 22 (or `sshPort`) from `AzureMachineLearning` (attached VM / HDInsight).
    F17,
    /// Out TCP 443 to `AzureContainerRegistry.<region>` (AKS without a private registry path).
    F18,
    /// Out TCP 443 to `MicrosoftContainerRegistry` and `AzureFrontDoor.FirstParty` (AKS).
    F19,
}

impl fmt::Display for FlowRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// How necessary a flow is (the "tier" column of §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Needed to create and run the compute (AML-NSG-001; F13 on the private path).
    Core,
    /// Needed by a feature every deployment uses (AML-NSG-002, 004, 008, 009).
    Required,
    /// Needed only when a feature is on (AML-NSG-003; F13 without storage endpoints; F18).
    Situational,
}

/// What [`required_flows`] needs besides the compute kind and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredFlowOptions {
    /// The compute has a public IP (not `NO_PIP`): adds F15. C4 default: `true`.
    pub public_ip: bool,
    /// Azure China: F9 is not needed there.
    pub azure_china: bool,
    /// `sshPort` of an attached VM / HDInsight (F17). Default 22.
    pub ssh_port: u16,
    /// Subnet prefixes of the default storage's `file`/`blob` private endpoints (F13). When
    /// empty, F13 is emitted once to `Storage.<region>` as situational (the public path).
    pub storage_endpoint_prefixes: Vec<IpNet>,
    /// Subnet prefixes of private endpoints in the VNet or a peered VNet (F14, one flow each).
    pub private_endpoint_prefixes: Vec<IpNet>,
}

impl Default for RequiredFlowOptions {
    fn default() -> Self {
        RequiredFlowOptions {
            public_ip: true,
            azure_china: false,
            ssh_port: 22,
            storage_endpoint_prefixes: Vec::new(),
            private_endpoint_prefixes: Vec::new(),
        }
    }
}

/// One flow a compute needs, tagged with its §3.4 row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredFlow {
    /// The §3.4 row (F7, F10 and F19 give two flows each).
    pub row: FlowRow,
    /// How necessary it is.
    pub tier: Tier,
    /// What breaks without it, for messages ("compute instance create/update/delete").
    pub purpose: &'static str,
    /// The flow, from or to `subnet`.
    pub flow: Flow,
}

/// The §3.4 flows a compute of `kind` in `subnet` needs, with `region` the workspace region
/// (normalized per C2 before it goes into regional tags).
///
/// * Compute instances: F1–F12 (F2 and F3 only here), F13, F14, F15 with a public IP.
/// * Clusters and serverless: F1, F4–F12, F13, F14, F15 with a public IP.
/// * Kubernetes: F18 (situational) and F19.
/// * Attached VMs and HDInsight: F17 on `ssh_port`.
///
/// F16 is retired and never listed. Callers pick rows by [`FlowRow`] and [`Tier`]
/// (AML-NSG-001 takes the core rows F1, F3, F5, F6).
///
/// ```
/// use armgraph::netsec::*;
/// let subnet = SubnetEndpoint::new("train", ["10.0.1.0/24".parse()?], ["10.0.0.0/16".parse()?]);
/// let flows = required_flows(ComputeKind::ComputeCluster, "West Europe", &subnet,
///                            &RequiredFlowOptions::default());
/// let f5 = flows.iter().find(|f| f.row == FlowRow::F5).expect("F5 is core");
/// assert_eq!(f5.flow.to_string(),
///            "outbound TCP/443 from subnet 'train' to BatchNodeManagement.westeurope");
/// assert!(flows.iter().all(|f| f.row != FlowRow::F3)); // compute instances only
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn required_flows(
    kind: ComputeKind,
    region: &str,
    subnet: &SubnetEndpoint,
    options: &RequiredFlowOptions,
) -> Vec<RequiredFlow> {
    let region = normalize_region(region);
    let global = |name: &str| Endpoint::service(ServiceTag::new(name, None));
    let regional = |name: &str| Endpoint::service(ServiceTag::new(name, Some(&region)));
    let mut flows = Vec::new();
    let mut out = |row, tier, purpose, destination: Endpoint, protocol, port| {
        flows.push(RequiredFlow {
            row,
            tier,
            purpose,
            flow: Flow::outbound(subnet.clone(), destination, protocol, port),
        });
    };
    use FlowRow::*;
    use Protocol::{Tcp, Udp};
    use Tier::{Core, Required, Situational};

    match kind {
        ComputeKind::ComputeInstance | ComputeKind::ComputeCluster | ComputeKind::Serverless => {
            let instance = kind == ComputeKind::ComputeInstance;
            let aml = "communication with the Azure Machine Learning service";
            out(F1, Core, aml, global("AzureMachineLearning"), Tcp, 443);
            if instance {
                out(
                    F2,
                    Required,
                    "Python intellisense in notebooks",
                    global("AzureMachineLearning"),
                    Tcp,
                    18881,
                );
                out(
                    F3,
                    Core,
                    "compute instance create, update and delete",
                    global("AzureMachineLearning"),
                    Udp,
                    5831,
                );
            }
            out(
                F4,
                Required,
                "RStudio",
                global("AzureMachineLearning"),
                Tcp,
                8787,
            );
            out(
                F5,
                Core,
                "communication with Azure Batch",
                regional("BatchNodeManagement"),
                Tcp,
                443,
            );
            out(
                F6,
                Core,
                "the storage Azure Batch uses",
                regional("Storage"),
                Tcp,
                443,
            );
            for port in [80, 443] {
                out(
                    F7,
                    Required,
                    "Microsoft Entra ID sign-in",
                    global("AzureActiveDirectory"),
                    Tcp,
                    port,
                );
            }
            out(
                F8,
                Required,
                "Azure Resource Manager",
                global("AzureResourceManager"),
                Tcp,
                443,
            );
            if !options.azure_china {
                out(
                    F9,
                    Required,
                    "studio and AutoML",
                    global("AzureFrontDoor.FrontEnd"),
                    Tcp,
                    443,
                );
            }
            out(
                F10,
                Required,
                "Microsoft Container Registry images",
                regional("MicrosoftContainerRegistry"),
                Tcp,
                443,
            );
            out(
                F10,
                Required,
                "Microsoft Container Registry images (served through Front Door)",
                global("AzureFrontDoor.FirstParty"),
                Tcp,
                443,
            );
            out(
                F11,
                Situational,
                "Azure Monitor / Application Insights not behind a private link scope",
                global("AzureMonitor"),
                Tcp,
                443,
            );
            // §3.4 writes `Keyvault.<region>`; the service tag Azure defines is `AzureKeyVault`.
            out(
                F12,
                Situational,
                "Key Vault of an HBI workspace",
                regional("AzureKeyVault"),
                Tcp,
                443,
            );
            if options.storage_endpoint_prefixes.is_empty() {
                out(
                    F13,
                    Situational,
                    "SMB to the default storage over the public path",
                    regional("Storage"),
                    Tcp,
                    445,
                );
            }
            for prefix in &options.storage_endpoint_prefixes {
                out(
                    F13,
                    Core,
                    "SMB to the default storage's private endpoints",
                    Endpoint::Address(*prefix),
                    Tcp,
                    445,
                );
            }
            for prefix in &options.private_endpoint_prefixes {
                out(
                    F14,
                    Required,
                    "private endpoints in the VNet or a peered VNet",
                    Endpoint::Address(*prefix),
                    Tcp,
                    443,
                );
            }
            if options.public_ip {
                flows.push(RequiredFlow {
                    row: F15,
                    tier: Required,
                    purpose: "AML management traffic to public-IP computes",
                    flow: Flow::inbound(global("AzureMachineLearning"), subnet.clone(), Tcp, 44224),
                });
            }
        }
        ComputeKind::Kubernetes => {
            out(
                F18,
                Situational,
                "the workspace registry without a private endpoint reachable from AKS",
                regional("AzureContainerRegistry"),
                Tcp,
                443,
            );
            out(
                F19,
                Required,
                "Microsoft Container Registry images for AKS",
                global("MicrosoftContainerRegistry"),
                Tcp,
                443,
            );
            out(
                F19,
                Required,
                "Microsoft Container Registry images for AKS (served through Front Door)",
                global("AzureFrontDoor.FirstParty"),
                Tcp,
                443,
            );
        }
        ComputeKind::AttachedVirtualMachine => flows.push(RequiredFlow {
            row: F17,
            tier: Required,
            purpose: "SSH from AML to the attached compute",
            flow: Flow::inbound(
                global("AzureMachineLearning"),
                subnet.clone(),
                Tcp,
                options.ssh_port,
            ),
        }),
    }
    flows
}
