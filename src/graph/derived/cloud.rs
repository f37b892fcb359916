//! The target cloud (§1.4 C3): the caller's, else inferred from the regions the template
//! deploys to.

use crate::expr::Cloud;
use crate::model::kinds::normalize_location;
use crate::model::{DeploymentState, ResourceSet};

/// Where the cloud in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudSource {
    /// The caller named it (deployment context); it always wins.
    Context,
    /// Inferred from the regions of the deployed resources.
    Regions,
    /// Neither: `AzureCloud`.
    Default,
}

/// What the deployed regions say about the cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionClouds {
    /// No deployed resource has a known region other than `global`.
    None,
    /// Every region belongs to this cloud.
    Single(Cloud),
    /// The regions span several clouds (the normalised regions that disagree are listed: one
    /// of each cloud, in order of appearance).
    Mixed(Vec<String>),
}

/// The cloud the rules evaluate with, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudResolution {
    /// The cloud in use.
    pub cloud: Cloud,
    /// Where it came from.
    pub source: CloudSource,
    /// What the regions say.
    pub regions: RegionClouds,
}

/// What C3 asks the engine to report about the cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudNotice {
    /// The caller's cloud differs from the one every region belongs to (a warning: a
    /// sovereign region exists only in its own cloud).
    ContextDisagrees {
        /// The caller's cloud, which is used.
        context: Cloud,
        /// The cloud of the regions.
        regions: Cloud,
    },
    /// The regions span several clouds (an info); the cloud in use is kept.
    MixedRegions {
        /// The cloud in use.
        used: Cloud,
        /// Regions of different clouds.
        regions: Vec<String>,
    },
}

impl CloudResolution {
    /// The notice C3 asks for, if any.
    pub fn notice(&self) -> Option<CloudNotice> {
        match (&self.regions, self.source) {
            (RegionClouds::Single(regions), CloudSource::Context) if *regions != self.cloud => {
                Some(CloudNotice::ContextDisagrees {
                    context: self.cloud,
                    regions: *regions,
                })
            }
            (RegionClouds::Mixed(regions), _) => Some(CloudNotice::MixedRegions {
                used: self.cloud,
                regions: regions.clone(),
            }),
            _ => None,
        }
    }
}

/// The cloud a normalised region belongs to: `usgov*`/`usdod*` → Government, `china*` →
/// China, anything else → public.
pub fn cloud_of_region(normalised: &str) -> Cloud {
    if normalised.starts_with("usgov") || normalised.starts_with("usdod") {
        Cloud::AzureUSGovernment
    } else if normalised.starts_with("china") {
        Cloud::AzureChinaCloud
    } else {
        Cloud::AzureCloud
    }
}

/// Resolves the cloud (C3): `explicit` (the cloud the caller named, `None` when the context
/// names none) always wins; otherwise the cloud every known, non-`global` `location` of the
/// resources the template writes belongs to; otherwise `AzureCloud`.
///
/// ```
/// use armgraph::expr::Cloud;
/// use armgraph::graph::{CloudSource, resolve_cloud};
/// use armgraph::model::ResourceSet;
/// let empty = ResourceSet::default();
/// assert_eq!(resolve_cloud(&empty, None).source, CloudSource::Default);
/// assert_eq!(resolve_cloud(&empty, Some(Cloud::AzureChinaCloud)).cloud, Cloud::AzureChinaCloud);
/// ```
pub fn resolve_cloud(resources: &ResourceSet, explicit: Option<Cloud>) -> CloudResolution {
    let mut seen: Vec<(Cloud, String)> = Vec::new();
    for resource in resources.iter() {
        if !matches!(
            resource.state,
            DeploymentState::Deployed | DeploymentState::MaybeDeployed
        ) || resource.inline
        {
            continue;
        }
        let Some(location) = resource.get("location").as_str() else {
            continue;
        };
        let region = normalize_location(location);
        if region.is_empty() || region == "global" {
            continue;
        }
        let cloud = cloud_of_region(&region);
        if !seen.iter().any(|(c, _)| *c == cloud) {
            seen.push((cloud, region));
        }
    }
    let regions = match seen.as_slice() {
        [] => RegionClouds::None,
        [(cloud, _)] => RegionClouds::Single(*cloud),
        many => RegionClouds::Mixed(many.iter().map(|(_, r)| r.clone()).collect()),
    };
    let (cloud, source) = match (explicit, &regions) {
        (Some(cloud), _) => (cloud, CloudSource::Context),
        (None, RegionClouds::Single(cloud)) => (*cloud, CloudSource::Regions),
        (None, RegionClouds::Mixed(_)) => (Cloud::AzureCloud, CloudSource::Regions),
        (None, RegionClouds::None) => (Cloud::AzureCloud, CloudSource::Default),
    };
    CloudResolution {
        cloud,
        source,
        regions,
    }
}
