//! What expansion reports, as plain data; the analyzer turns it into diagnostics.

use crate::codes::{CodeInfo, Severity};
use crate::expr::Span;
use crate::source::FileId;

/// One problem met while expanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandIssue {
    /// The code (`ARM-TPL-002`, or an `ARM-EXPR-*` code for an expression that failed).
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One sentence.
    pub message: String,
    /// What to do, when known.
    pub help: Option<String>,
    /// The file.
    pub file: FileId,
    /// JSON pointer of the node concerned.
    pub pointer: String,
    /// For expression errors, the byte range inside the expression string.
    pub expression_span: Option<Span>,
    /// The resource id concerned, when known.
    pub resource: Option<String>,
}

impl ExpandIssue {
    pub(crate) fn new(
        code: &'static str,
        severity: Severity,
        message: impl Into<String>,
        file: FileId,
        pointer: impl Into<String>,
    ) -> Self {
        ExpandIssue {
            code,
            severity,
            message: message.into(),
            help: None,
            file,
            pointer: pointer.into(),
            expression_span: None,
            resource: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_span(mut self, span: Span) -> Self {
        self.expression_span = Some(span);
        self
    }
}

/// The codes expansion can report (besides the `ARM-EXPR-*` codes of failing expressions).
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "ARM-TPL-001",
        name: "invalid-template-structure",
        summary: "A template section or resource declaration does not have the shape ARM requires.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-002",
        name: "variable-cycle",
        summary: "Variables (or parameter defaults) refer to each other in a cycle.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-003",
        name: "invalid-copy",
        summary: "A copy loop's count is not an integer from 0 to 800, or the loop is malformed.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-004",
        name: "invalid-condition",
        summary: "A condition does not evaluate to a boolean.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-005",
        name: "type-name-mismatch",
        summary: "A resource name has a different number of segments than its type.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-006",
        name: "nested-deployment-too-deep",
        summary: "Nested deployments are nested deeper than the configured cap.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-007",
        name: "external-template",
        summary: "A linked template or template spec is not read offline; the deployment stays an external node with unknown outputs.",
        default_severity: Severity::Note,
    },
    CodeInfo {
        code: "ARM-TPL-008",
        name: "linked-template-outside-root",
        summary: "A linked template's relativePath leads outside the analysis root or cannot be read.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-TPL-009",
        name: "expression-in-literal-position",
        summary: "An expression appears where ARM takes only a literal (a resource type or API version).",
        default_severity: Severity::Warning,
    },
    CodeInfo {
        code: "ARM-TPL-010",
        name: "expansion-bound",
        summary: "Expansion stopped at an analyzer bound (expanded resources, evaluated bytes, memoized values, variable chains).",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-PARAM-001",
        name: "missing-parameter-value",
        summary: "A parameter has no value and no default; values computed from it are unknown.",
        default_severity: Severity::Note,
    },
    CodeInfo {
        code: "ARM-PARAM-002",
        name: "parameter-value-invalid",
        summary: "A parameter value breaks its declaration: type, allowed values, minimum/maximum value or length.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-PARAM-003",
        name: "undeclared-parameter",
        summary: "A parameter file sets a parameter the template does not declare (ARM rejects the deployment).",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-LIMIT-001",
        name: "too-many-resources",
        summary: "The template deploys more than ARM's 800 resources (copies included).",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-LIMIT-002",
        name: "too-many-parameters",
        summary: "The template declares more than ARM's 256 parameters.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-LIMIT-003",
        name: "too-many-variables",
        summary: "The template declares more than ARM's 512 variables.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-LIMIT-004",
        name: "too-many-outputs",
        summary: "The template declares more than ARM's 64 outputs.",
        default_severity: Severity::Error,
    },
    CodeInfo {
        code: "ARM-LIMIT-005",
        name: "template-too-large",
        summary: "The template is larger than ARM's 4 MB limit.",
        default_severity: Severity::Error,
    },
];
