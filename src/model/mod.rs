//! The resource model; more views land with the graph issue.
//!
//! For now: [`ResourceId`] (parse, build, compare ignoring case, unknown segments) and [`Tri`],
//! the three-valued truth every check decides with. Like the other lower layers, this module is
//! public for embedders and less stable than [`crate::Analyzer`].

mod resource_id;
mod tri;

pub use resource_id::{IdKind, IdPart, ParseError, ResourceId, Segment};
pub use tri::Tri;
