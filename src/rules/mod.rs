//! Rules and the registry of every finding code.
//!
//! A rule is one file (`rules/<family>/<rule_name>.rs`): the `declare_rule!` invocation, whose doc
//! comment is the rule's documentation page, and an `impl Rule` whose `check` reads the model and
//! the graph through a [`RuleContext`] and reports through it. Rules never fail, print or read
//! files. The engine's own codes (`ARM-*`) are declared by the stage that emits them.

pub mod aml;
mod context;
mod grouping;
mod registry;

pub use context::{Finding, InBaseline, RuleContext};
pub(crate) use grouping::group_root_causes;
pub use grouping::{CauseRole, RootCause};
pub use registry::{all_rules, registry};

use crate::codes::{CodeInfo, Severity};

/// What a rule is: code, names, default severity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// The code, never reused or renumbered (`AML-DNS-007`).
    pub code: &'static str,
    /// Kebab-case name that reads well as "allow <name>" (`non-global-private-dns-location`).
    pub name: &'static str,
    /// The family (`aml`).
    pub family: &'static str,
    /// Severity before configuration overrides.
    pub default_severity: Severity,
    /// The version that introduced the rule.
    pub since: &'static str,
    /// One sentence: what the rule reports.
    pub summary: &'static str,
    /// The rule's documentation page (its doc comment), Markdown.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The registry entry of the rule.
    pub const fn code_info(&self) -> CodeInfo {
        CodeInfo {
            code: self.code,
            name: self.name,
            summary: self.summary,
            default_severity: self.default_severity,
        }
    }
}

/// A check over the graph of one deployment.
pub trait Rule: Send + Sync {
    /// What the rule is.
    fn meta(&self) -> &'static RuleMeta;

    /// Reads the deployment through `ctx` and reports what it finds there.
    fn check(&self, ctx: &RuleContext<'_>);
}

/// Declares a rule: a unit struct whose doc comment becomes its documentation page, with its
/// code, name, family, default severity, version and one-sentence summary.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct NonGlobalPrivateDnsLocation;
///     code: "AML-DNS-007",
///     name: "non-global-private-dns-location",
///     family: "aml",
///     severity: Error,
///     since: "0.1.0",
///     summary: "Private DNS zones and their virtual network links have location global.",
/// }
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident;
        code: $code:literal,
        name: $rule_name:literal,
        family: $family:literal,
        severity: $severity:ident,
        since: $since:literal,
        summary: $summary:literal $(,)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            /// The rule's metadata; `docs` is its doc comment.
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $rule_name,
                family: $family,
                default_severity: $crate::codes::Severity::$severity,
                since: $since,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
