//! Rules and the registry of every finding code.
//!
//! The engine's own codes (`ARM-*`) are declared by the stage that emits them; rule families
//! register here as they land.

mod registry;

pub use registry::registry;
