//! Rule settings (off, severity) and suppressions (configuration and inline), applied to the
//! findings of an analysis. Suppressed findings are kept and marked, never dropped.

use super::{Config, glob_matches};
use crate::codes::Severity;
use crate::report::{Diagnostic, Location, Suppression, SuppressionKind};
use crate::source::FileId;

/// A suppression written on a resource: `"metadata": {"armgraph": {"suppress": [{"code": …,
/// "justification": …}]}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineSuppression {
    /// The id of the resource it is written on.
    pub resource_id: String,
    /// The code or code pattern.
    pub code: String,
    /// Why (mandatory).
    pub justification: String,
    /// Where it is written.
    pub file: FileId,
    /// Its JSON pointer.
    pub pointer: String,
}

/// Applies the rule settings: findings of codes turned off are dropped, severities overridden.
/// For each aspect the last matching setting wins.
pub fn apply_settings(config: &Config, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if config.rules().is_empty() {
        return diagnostics;
    }
    diagnostics
        .into_iter()
        .filter_map(|d| {
            let matching = config
                .rules()
                .iter()
                .filter(|s| glob_matches(&s.pattern, d.code()));
            let mut enabled = true;
            let mut severity = None;
            for setting in matching {
                enabled = setting.enabled.unwrap_or(enabled);
                severity = setting.severity.or(severity);
            }
            enabled.then(|| match severity {
                Some(severity) => d.with_severity(severity),
                None => d,
            })
        })
        .collect()
}

/// The findings with suppressions applied, and findings about the suppressions themselves
/// (stale, expired).
#[derive(Debug, Clone)]
pub struct SuppressionOutcome {
    /// Every finding; suppressed ones carry their suppression.
    pub diagnostics: Vec<Diagnostic>,
}

/// Marks suppressed findings and reports stale (`ARM-CONFIG-003`) and expired (`ARM-CONFIG-004`)
/// suppressions. `config_file` locates configuration suppressions; `file_name` names a file for
/// `file` patterns.
pub fn apply_suppressions(
    config: &Config,
    config_file: Option<FileId>,
    inline: &[InlineSuppression],
    diagnostics: Vec<Diagnostic>,
    file_name: &dyn Fn(FileId) -> String,
) -> SuppressionOutcome {
    let today = config.today();
    let active: Vec<bool> = config
        .suppressions()
        .iter()
        .map(|s| {
            s.expires
                .as_deref()
                .is_none_or(|expires| expires >= today.as_str())
        })
        .collect();
    let mut used_config = vec![false; config.suppressions().len()];
    let mut used_inline = vec![false; inline.len()];
    let mut out = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let resource = diagnostic.location().resource().map(str::to_owned);
        let inline_match = resource.as_deref().and_then(|id| {
            inline.iter().position(|s| {
                s.resource_id.eq_ignore_ascii_case(id) && glob_matches(&s.code, diagnostic.code())
            })
        });
        if let Some(i) = inline_match {
            used_inline[i] = true;
            let justification = inline[i].justification.clone();
            out.push(
                diagnostic
                    .with_suppression(Suppression::new(SuppressionKind::InSource, justification)),
            );
            continue;
        }
        let file = file_name(diagnostic.location().file());
        let config_match = config.suppressions().iter().enumerate().position(|(i, s)| {
            active[i]
                && glob_matches(&s.code, diagnostic.code())
                && s.resource.as_deref().is_none_or(|pattern| {
                    resource.as_deref().is_some_and(|id| {
                        glob_matches(pattern, id)
                            || id
                                .rsplit('/')
                                .next()
                                .is_some_and(|name| glob_matches(pattern, name))
                    })
                })
                && s.file.as_deref().is_none_or(|pattern| {
                    glob_matches(pattern, &file) || file.ends_with(pattern.trim_start_matches("./"))
                })
        });
        match config_match {
            Some(i) => {
                used_config[i] = true;
                let justification = config.suppressions()[i].justification.clone();
                out.push(
                    diagnostic.with_suppression(Suppression::new(
                        SuppressionKind::External,
                        justification,
                    )),
                );
            }
            None => out.push(diagnostic),
        }
    }
    if let Some(config_file) = config_file {
        for (i, suppression) in config.suppressions().iter().enumerate() {
            let location = Location::new(config_file, suppression.pointer.clone());
            if !active[i] {
                out.push(
                    Diagnostic::new(
                        "ARM-CONFIG-004",
                        Severity::Warning,
                        format!(
                            "the suppression of `{}` expired on {}; the findings it covered are reported again",
                            suppression.code,
                            suppression.expires.as_deref().unwrap_or("?")
                        ),
                        location,
                    )
                    .with_help("fix the findings, or renew the suppression with a new justification and date"),
                );
            } else if !used_config[i] && config.is_enabled(&suppression.code) {
                out.push(
                    Diagnostic::new(
                        "ARM-CONFIG-003",
                        Severity::Warning,
                        format!(
                            "the suppression of `{}` matches no finding",
                            suppression.code
                        ),
                        location,
                    )
                    .with_help("remove it: the finding it covered is gone"),
                );
            }
        }
    }
    for (suppression, used) in inline.iter().zip(used_inline) {
        // A suppression of a code turned off in the configuration has nothing to match.
        if !used && config.is_enabled(&suppression.code) {
            out.push(
                Diagnostic::new(
                    "ARM-CONFIG-003",
                    Severity::Warning,
                    format!(
                        "the inline suppression of `{}` matches no finding on this resource",
                        suppression.code
                    ),
                    Location::new(suppression.file, suppression.pointer.clone())
                        .with_resource(suppression.resource_id.clone()),
                )
                .with_help("remove it: the finding it covered is gone"),
            );
        }
    }
    SuppressionOutcome { diagnostics: out }
}
