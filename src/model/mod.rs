//! The resource model: [`ResourceId`] (parse, build, compare ignoring case, unknown segments),
//! [`Tri`], the three-valued truth every check decides with, and [`ResourceSet`], the resources
//! of one deployment (inline subnets and peerings included) with tri-state property reads. Like the other lower layers, this module is
//! public for embedders and less stable than [`crate::Analyzer`].

pub mod kinds;
mod resource;
mod resource_id;
mod tri;

pub use resource::{DeploymentState, Prop, Resource, ResourceSet, read};
pub(crate) use resource::{OneOrMore, ascii_lowercase_in};
pub use resource_id::{IdKind, IdPart, ParseError, ResourceId, Segment};
pub use tri::Tri;
