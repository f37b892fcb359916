//! The codes of findings about reading inputs.

/// Codes of the findings about reading inputs.
pub const CODES: &[crate::codes::CodeInfo] = {
    use crate::codes::{CodeInfo, Severity::*};
    &[
        CodeInfo {
            code: "ARM-IO-001",
            name: "unreadable-file",
            summary: "A file found in the inputs could not be read.",
            default_severity: Error,
        },
        CodeInfo {
            code: "ARM-IO-002",
            name: "invalid-utf8",
            summary: "A file is not valid UTF-8 text.",
            default_severity: Error,
        },
        CodeInfo {
            code: "ARM-IO-003",
            name: "file-too-large",
            summary: "A file is larger than the analyzer reads (a template over 4 MB is refused by Azure Resource Manager anyway).",
            default_severity: Error,
        },
        CodeInfo {
            code: "ARM-JSON-001",
            name: "invalid-json",
            summary: "A file is not JSON that Azure Resource Manager could read.",
            default_severity: Error,
        },
        CodeInfo {
            code: "ARM-JSON-002",
            name: "lenient-json",
            summary: "Non-standard JSON that Azure Resource Manager accepts (a trailing comma, single quotes, an unquoted member name).",
            default_severity: Note,
        },
        CodeInfo {
            code: "ARM-JSON-003",
            name: "duplicate-member",
            summary: "An object names the same member twice (compared ignoring case); the last value wins.",
            default_severity: Warning,
        },
        CodeInfo {
            code: "ARM-JSON-004",
            name: "number-out-of-range",
            summary: "A number does not fit a 64-bit integer or a double.",
            default_severity: Warning,
        },
        CodeInfo {
            code: "ARM-JSON-005",
            name: "nesting-too-deep",
            summary: "Arrays and objects are nested deeper than the analyzer reads.",
            default_severity: Error,
        },
        CodeInfo {
            code: "ARM-JSON-006",
            name: "lone-surrogate",
            summary: "A string escapes half of a UTF-16 surrogate pair; it was replaced by U+FFFD.",
            default_severity: Warning,
        },
        CodeInfo {
            code: "ARM-INPUT-001",
            name: "not-a-template",
            summary: "A file given explicitly is not a deployment template or parameter file.",
            default_severity: Warning,
        },
        CodeInfo {
            code: "ARM-INPUT-002",
            name: "unpaired-parameters",
            summary: "A parameter file was given explicitly but no template it could belong to was analyzed.",
            default_severity: Warning,
        },
    ]
};
