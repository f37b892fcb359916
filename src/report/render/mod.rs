//! Renderers: human text (source excerpts), JSON (a stable shape, `docs/output-formats.md`) and
//! SARIF 2.1.0.

mod human;
mod json;
mod sarif;

pub use sarif::fingerprint;

use super::Report;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// rustc-style text with source excerpts.
    #[default]
    Human,
    /// The JSON shape of `docs/output-formats.md` (version 1).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            other => Err(format!(
                "unknown format `{other}` (expected human, json or sarif)"
            )),
        }
    }
}

/// How to render.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RenderOptions {
    /// ANSI colours in human output (only with the `color` feature).
    pub color: bool,
    /// Base URL of the rule pages; SARIF `helpUri` is `<base>/<CODE>.md` when set.
    pub docs_base_url: Option<String>,
}

impl RenderOptions {
    /// Enables or disables colour.
    pub fn with_color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }

    /// Sets the base URL of the rule pages.
    pub fn with_docs_base_url(mut self, url: impl Into<String>) -> Self {
        self.docs_base_url = Some(url.into());
        self
    }
}

pub(super) fn write(
    report: &Report,
    out: &mut dyn std::io::Write,
    format: Format,
    options: &RenderOptions,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, out, options),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out, options),
    }
}
