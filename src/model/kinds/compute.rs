//! `Microsoft.MachineLearningServices/workspaces/computes` (§2.2).

use super::{Access, Setting, keyword_enum, normalize_location, view};

keyword_enum! {
    /// `properties.computeType`.
    ComputeType {
        /// Compute cluster.
        AmlCompute = "AmlCompute",
        /// Compute instance.
        ComputeInstance = "ComputeInstance",
        /// Attached AKS cluster.
        Aks = "AKS",
        /// Attached Kubernetes (Arc) cluster.
        Kubernetes = "Kubernetes",
        /// Attached virtual machine.
        VirtualMachine = "VirtualMachine",
        /// Attached HDInsight cluster.
        HdInsight = "HDInsight",
        /// Attached Databricks workspace.
        Databricks = "Databricks",
        /// Attached Data Factory.
        DataFactory = "DataFactory",
        /// Attached Data Lake Analytics.
        DataLakeAnalytics = "DataLakeAnalytics",
        /// Attached Synapse Spark pool.
        SynapseSpark = "SynapseSpark",
    }
}

impl ComputeType {
    /// `AmlCompute` or `ComputeInstance`: computes whose nodes join a subnet of ours.
    pub fn is_aml_managed(self) -> bool {
        matches!(self, ComputeType::AmlCompute | ComputeType::ComputeInstance)
    }
}

keyword_enum! {
    /// `properties.properties.remoteLoginPortPublicAccess` of an `AmlCompute`.
    RemoteLoginPortPublicAccess {
        /// SSH open.
        Enabled = "Enabled",
        /// SSH closed.
        Disabled = "Disabled",
        /// Closed when the cluster is in a subnet, open otherwise.
        NotSpecified = "NotSpecified",
    }
}

view! {
    /// A compute of a workspace (cluster, instance, or an attached compute).
    Compute, ["Microsoft.MachineLearningServices/workspaces/computes"]
}

impl<'a> Compute<'a> {
    /// `properties.computeType`.
    pub fn compute_type(&self) -> Setting<'a, ComputeType> {
        self.props().keyword("properties.computeType", None)
    }

    /// `properties.computeLocation`, normalised (C2).
    pub fn compute_location(&self) -> Setting<'a, String> {
        self.props()
            .string("properties.computeLocation")
            .map(normalize_location)
    }

    /// The compute region (C4): `properties.computeLocation`, else `location`, else
    /// `workspace_region` (the workspace's normalised region).
    pub fn region(&self, workspace_region: Setting<'a, String>) -> Setting<'a, String> {
        match self.compute_location() {
            Setting::Absent => match self.location() {
                Setting::Absent => match workspace_region {
                    Setting::Set(region) => Setting::Default(region),
                    other => other,
                },
                other => other,
            },
            other => other,
        }
    }

    /// `properties.resourceId`: the attached resource (AKS, VM, HDInsight, Databricks, ...).
    pub fn attached_resource_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.resourceId")
    }

    /// `properties.disableLocalAuth`.
    pub fn disable_local_auth(&self) -> Setting<'a, bool> {
        self.props().bool("properties.disableLocalAuth", None)
    }

    /// `properties.properties.subnet.id` (`AmlCompute`, `ComputeInstance`).
    pub fn subnet_id(&self) -> Setting<'a, &'a str> {
        self.props().string("properties.properties.subnet.id")
    }

    /// `properties.properties.enableNodePublicIp`; default `true` for `AmlCompute` and
    /// `ComputeInstance` (C4), no default for other types (unknown when the type is).
    pub fn enable_node_public_ip(&self) -> Setting<'a, bool> {
        let compute_type = self.compute_type();
        let default = match compute_type {
            Setting::Set(t) if t.is_aml_managed() => Some(true),
            _ => None,
        };
        match (
            self.props()
                .bool("properties.properties.enableNodePublicIp", default),
            compute_type,
        ) {
            // Whether the default applies depends on the type, which is unknown.
            (Setting::Absent, Setting::Unknown(cause)) => Setting::Unknown(cause),
            (setting, _) => setting,
        }
    }

    /// `properties.properties.remoteLoginPortPublicAccess`; default `NotSpecified` for
    /// `AmlCompute` (C4).
    pub fn remote_login_port_public_access(&self) -> Setting<'a, RemoteLoginPortPublicAccess> {
        let default = matches!(self.compute_type(), Setting::Set(ComputeType::AmlCompute))
            .then_some(RemoteLoginPortPublicAccess::NotSpecified);
        self.props()
            .keyword("properties.properties.remoteLoginPortPublicAccess", default)
    }

    /// `properties.properties.sshSettings.sshPublicAccess` (`ComputeInstance`).
    pub fn ssh_public_access(&self) -> Setting<'a, Access> {
        self.props()
            .keyword("properties.properties.sshSettings.sshPublicAccess", None)
    }

    /// `properties.properties.aksNetworkingConfiguration.subnetId` (`AKS`).
    pub fn aks_subnet_id(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.properties.aksNetworkingConfiguration.subnetId")
    }

    /// `properties.properties.loadBalancerType` (`AKS`: `PublicIp` | `InternalLoadBalancer`).
    pub fn load_balancer_type(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.properties.loadBalancerType")
    }

    /// `properties.properties.loadBalancerSubnet` (`AKS`: subnet name).
    pub fn load_balancer_subnet(&self) -> Setting<'a, &'a str> {
        self.props()
            .string("properties.properties.loadBalancerSubnet")
    }

    /// `properties.properties.scaleSettings.maxNodeCount` (`AmlCompute`).
    pub fn max_node_count(&self) -> Setting<'a, i64> {
        self.props()
            .int("properties.properties.scaleSettings.maxNodeCount")
    }
}
