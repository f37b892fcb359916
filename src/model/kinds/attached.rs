//! Attached and external computes (§2.13): AKS clusters and agent pools, Databricks
//! workspaces, virtual machines, network interfaces, HDInsight clusters.

use super::{Access, Setting, item_path_string, view};

view! {
    /// An AKS cluster.
    ManagedCluster, ["Microsoft.ContainerService/managedClusters"]
}

impl<'a> ManagedCluster<'a> {
    /// `properties.agentPoolProfiles[*].vnetSubnetID`.
    pub fn agent_pool_subnet_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.agentPoolProfiles")
            .map(|pools| {
                pools
                    .iter()
                    .map(|p| item_path_string(p, "vnetSubnetID"))
                    .collect()
            })
    }

    /// `properties.apiServerAccessProfile.enablePrivateCluster` (no default in C4).
    pub fn enable_private_cluster(&self) -> Setting<'a, bool> {
        self.props().bool(
            "properties.apiServerAccessProfile.enablePrivateCluster",
            None,
        )
    }

    /// `properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN`; default `true` when
    /// `enablePrivateCluster` is `true` (C4), unknown when that is unknown.
    pub fn enable_private_cluster_public_fqdn(&self) -> Setting<'a, bool> {
        match self.props().bool(
            "properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN",
            None,
        ) {
            Setting::Absent => match self.enable_private_cluster() {
                Setting::Set(true) => Setting::Default(true),
                Setting::Unknown(cause) => Setting::Unknown(cause),
                _ => Setting::Absent,
            },
            other => other,
        }
    }

    /// `properties.apiServerAccessProfile.privateDNSZone`.
    pub fn private_dns_zone(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.apiServerAccessProfile.privateDNSZone")
    }

    /// `properties.networkProfile.outboundType`.
    pub fn outbound_type(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.networkProfile.outboundType")
    }

    /// `properties.networkProfile.networkPlugin`.
    pub fn network_plugin(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.networkProfile.networkPlugin")
    }
}

view! {
    /// A child agent pool of an AKS cluster.
    AgentPool, ["Microsoft.ContainerService/managedClusters/agentPools"]
}

impl<'a> AgentPool<'a> {
    /// `properties.vnetSubnetID`.
    pub fn vnet_subnet_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.vnetSubnetID")
    }
}

view! {
    /// A Databricks workspace.
    DatabricksWorkspace, ["Microsoft.Databricks/workspaces"]
}

impl<'a> DatabricksWorkspace<'a> {
    /// `properties.parameters.customVirtualNetworkId.value`.
    pub fn custom_virtual_network_id(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.parameters.customVirtualNetworkId.value")
    }

    /// `properties.parameters.customPublicSubnetName.value`.
    pub fn custom_public_subnet_name(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.parameters.customPublicSubnetName.value")
    }

    /// `properties.parameters.customPrivateSubnetName.value`.
    pub fn custom_private_subnet_name(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.parameters.customPrivateSubnetName.value")
    }

    /// `properties.parameters.enableNoPublicIp.value`.
    pub fn enable_no_public_ip(&self) -> Setting<'a, bool> {
        self.props()
            .bool("properties.parameters.enableNoPublicIp.value", None)
    }

    /// `properties.parameters.amlWorkspaceId.value`.
    pub fn aml_workspace_id(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.parameters.amlWorkspaceId.value")
    }

    /// `properties.publicNetworkAccess`.
    pub fn public_network_access(&self) -> Setting<'a, Access> {
        self.props().keyword("properties.publicNetworkAccess", None)
    }

    /// `properties.requiredNsgRules`.
    pub fn required_nsg_rules(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.requiredNsgRules")
    }
}

view! {
    /// A virtual machine.
    VirtualMachine, ["Microsoft.Compute/virtualMachines"]
}

impl<'a> VirtualMachine<'a> {
    /// `properties.networkProfile.networkInterfaces[*].id`.
    pub fn network_interface_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.networkProfile.networkInterfaces")
            .map(|nics| nics.iter().map(|n| item_path_string(n, "id")).collect())
    }

    /// `properties.storageProfile.imageReference.publisher`.
    pub fn image_publisher(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.storageProfile.imageReference.publisher")
    }

    /// `properties.storageProfile.imageReference.offer`.
    pub fn image_offer(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.storageProfile.imageReference.offer")
    }

    /// `properties.storageProfile.imageReference.id`: a custom or gallery image, whose
    /// operating system the template does not show.
    pub fn image_id(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.storageProfile.imageReference.id")
    }

    /// `properties.storageProfile.imageReference.sku`.
    pub fn image_sku(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.storageProfile.imageReference.sku")
    }
}

view! {
    /// A network interface.
    NetworkInterface, ["Microsoft.Network/networkInterfaces"]
}

impl<'a> NetworkInterface<'a> {
    /// `properties.ipConfigurations[*].properties.subnet.id`.
    pub fn subnet_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.ipConfigurations")
            .map(|configs| {
                configs
                    .iter()
                    .map(|c| item_path_string(c, "properties.subnet.id"))
                    .collect()
            })
    }

    /// `properties.networkSecurityGroup.id`.
    pub fn network_security_group_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.networkSecurityGroup.id")
    }
}

view! {
    /// An HDInsight cluster.
    HdInsightCluster, ["Microsoft.HDInsight/clusters"]
}

impl<'a> HdInsightCluster<'a> {
    /// `properties.computeProfile.roles[*].virtualNetworkProfile.id` (VNet ids).
    pub fn virtual_network_ids(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.computeProfile.roles")
            .map(|roles| {
                roles
                    .iter()
                    .map(|r| item_path_string(r, "virtualNetworkProfile.id"))
                    .collect()
            })
    }

    /// `properties.computeProfile.roles[*].virtualNetworkProfile.subnet` (subnet ids).
    pub fn subnets(&self) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.props()
            .list("properties.computeProfile.roles")
            .map(|roles| {
                roles
                    .iter()
                    .map(|r| item_path_string(r, "virtualNetworkProfile.subnet"))
                    .collect()
            })
    }
}
