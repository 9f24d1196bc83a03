//! SARIF 2.1.0, as GitHub code scanning reads it (`github/codeql-action/upload-sarif`).
//!
//! Written with plain `serde_json` rather than the `serde-sarif` crate: leaklint emits a small,
//! fixed subset of SARIF, `serde-sarif` would bring its generated builder types (and their
//! dependencies) for the whole spec, and the test that matters is independent of either way of
//! writing it: `tests/sarif.rs` validates the binary's output against the official 2.1.0 schema
//! (`fixtures/sarif-2.1.0-rtm.5.json`) and snapshots it.
//!
//! Choices GitHub cares about:
//! - `artifactLocation.uri` is relative to the repository root (the nearest `.git` above the
//!   current folder, or the current folder), with forward slashes, percent-encoded, and
//!   `uriBaseId: "%SRCROOT%"`; `originalUriBaseIds` says where `%SRCROOT%` is on this machine.
//! - Columns are UTF-16 code units (`columnKind`), as every other leaklint output counts them.
//! - `partialFingerprints.primaryLocationLineHash` is computed from content, not line numbers
//!   (see [`fingerprint`]), so an alert survives lines added above it.
//! - A file that cannot be parsed or read is a *result* of the pseudo-rule `fatal`, not a
//!   `toolExecutionNotification`: code scanning turns only results into alerts and annotations
//!   and does not show a third-party tool's notifications, so a notification would let a file
//!   drop out of the analysis silently. Skipped files and unreadable folders have no position
//!   in a file; they are the run's `toolExecutionNotifications`.

use std::io::{self, Write};
use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

use crate::diagnostic::{Location, Severity};
use crate::report::{ci_root, relative_to};
use crate::result::{CheckResult, FileReport};
use crate::rules::{self, RuleMeta};
use crate::source::LineIndex;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rule id of a file that could not be parsed or read.
pub const FATAL_RULE: &str = "fatal";

const SRCROOT: &str = "%SRCROOT%";

/// Characters percent-encoded in a relative URI path: everything outside RFC 3986's `pchar`
/// and `/`, plus `:` (a colon in the first segment would read as a scheme).
const URI_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b':');

pub fn write(result: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    let document = document(result, &ci_root(), env!("CARGO_PKG_VERSION"));
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// The whole SARIF log of one run. `root` is the folder URIs are relative to.
pub fn document(result: &CheckResult, root: &Path, version: &str) -> Value {
    let mut driver_rules: Vec<Value> = rules::RULES.iter().map(rule_descriptor).collect();
    driver_rules.push(fatal_descriptor());
    let mut results = Vec::new();
    for file in &result.files {
        results.extend(file_results(file, root));
    }
    let notifications: Vec<Value> = result
        .notes
        .iter()
        .map(|note| notification("note", &note.message, &note.path, root))
        .chain(
            result
                .io_errors
                .iter()
                .map(|error| notification("error", &error.message, &error.path, root)),
        )
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "leaklint",
                "version": version,
                "semanticVersion": version,
                "rules": driver_rules,
            }
        },
        "invocations": [{
            "executionSuccessful": result.io_errors.is_empty() && result.unreadable == 0,
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "columnKind": "utf16CodeUnits",
    });
    if let Ok(uri) = url::Url::from_directory_path(root) {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": uri.as_str() } });
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

fn rule_descriptor(rule: &RuleMeta) -> Value {
    json!({
        "id": rule.id,
        "name": pascal_case(rule.id),
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": first_paragraph(rule.docs) },
        "help": { "text": rule.docs, "markdown": rule.docs },
        "defaultConfiguration": { "level": level(rule.default_severity) },
    })
}

fn fatal_descriptor() -> Value {
    let text = "leaklint could not parse or read this file, so it was not checked for leaks";
    json!({
        "id": FATAL_RULE,
        "name": "Fatal",
        "shortDescription": { "text": "a file that could not be parsed or read" },
        "fullDescription": { "text": text },
        "help": {
            "text": format!("{text}. Fix the syntax error (or the encoding) the message names."),
            "markdown": format!("{text}. Fix the syntax error (or the encoding) the message names."),
        },
        "defaultConfiguration": { "level": "error" },
    })
}

fn file_results(file: &FileReport, root: &Path) -> Vec<Value> {
    let artifact = artifact_location(&file.path, root);
    let text = file.text.as_deref().unwrap_or("");
    let index = LineIndex::new(text);
    // How often each (rule, line text) was seen so far: the occurrence index of a fingerprint.
    let mut seen: std::collections::HashMap<(&str, &str), usize> = Default::default();
    let mut results = Vec::new();
    for d in &file.diagnostics {
        let rule_id = d.rule.unwrap_or(FATAL_RULE);
        let rule_index = rules::RULES
            .iter()
            .position(|r| r.id == rule_id)
            .unwrap_or(rules::RULES.len());
        let line_text = line_text(text, &index, d.location.range.start);
        let occurrence = seen.entry((rule_id, line_text)).or_insert(0);
        *occurrence += 1;
        let uri = artifact["uri"].as_str().unwrap_or("");
        let mut result = json!({
            "ruleId": rule_id,
            "ruleIndex": rule_index,
            "level": level(d.severity),
            "message": { "text": d.message },
            "locations": [{ "physicalLocation": physical_location(&artifact, &d.location) }],
            "partialFingerprints": {
                "primaryLocationLineHash": fingerprint(rule_id, uri, line_text, *occurrence),
            },
        });
        if !d.related.is_empty() {
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "id": i + 1,
                        "physicalLocation": physical_location(&artifact, &r.location),
                        "message": { "text": r.message },
                    })
                })
                .collect();
            result["relatedLocations"] = Value::Array(related);
        }
        if let Some(verification) = &d.verification {
            // The verifier's verdict and figures, in the property bag SARIF keeps for tools.
            result["properties"] = json!({
                "leaklint/verification": serde_json::to_value(verification).unwrap_or(Value::Null),
            });
        }
        results.push(result);
    }
    results
}

fn physical_location(artifact: &Value, location: &Location) -> Value {
    json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": location.start.line,
            "startColumn": location.start.column,
            "endLine": location.end.line,
            "endColumn": location.end.column,
        },
    })
}

/// `{uri, uriBaseId}` relative to `root`, or an absolute `file:` URI for a file outside it.
fn artifact_location(path: &Path, root: &Path) -> Value {
    if let Some(relative) = relative_to(path, root) {
        return json!({
            "uri": utf8_percent_encode(&relative, URI_PATH).to_string(),
            "uriBaseId": SRCROOT,
        });
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match url::Url::from_file_path(&absolute) {
        Ok(uri) => json!({ "uri": uri.as_str() }),
        Err(()) => json!({
            "uri": utf8_percent_encode(&absolute.to_string_lossy().replace('\\', "/"), URI_PATH).to_string(),
        }),
    }
}

fn notification(level: &str, message: &str, path: &Path, root: &Path) -> Value {
    json!({
        "level": level,
        "message": { "text": message },
        "locations": [{
            "physicalLocation": { "artifactLocation": artifact_location(path, root) },
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warn => "warning",
        Severity::Off => "none",
    }
}

/// The trimmed text of the line that holds `offset`.
fn line_text<'a>(text: &'a str, index: &LineIndex, offset: usize) -> &'a str {
    if text.is_empty() {
        return "";
    }
    let line = index.line_of(offset.min(text.len()));
    let start = index.line_start(line);
    let end = if line + 1 < index.line_count() {
        index.line_start(line + 1)
    } else {
        text.len()
    };
    text.get(start..end).unwrap_or("").trim()
}

/// A fingerprint that does not change when lines are added or removed elsewhere in the file:
/// a hash of the rule id, the file's URI and the trimmed text of the finding's line, plus the
/// occurrence index of that same (rule, line text) in the file, in GitHub's `hash:occurrence`
/// shape. FNV-1a, so the value is the same on every platform and Rust version.
pub fn fingerprint(rule: &str, uri: &str, line_text: &str, occurrence: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule, uri, line_text] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}:{occurrence}")
}

/// The first paragraph of a rule's page, after its `# id` heading.
fn first_paragraph(docs: &str) -> String {
    let mut lines = docs
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.starts_with('#'));
    let mut paragraph: Vec<&str> = Vec::new();
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
        paragraph.push(line.trim());
    }
    paragraph.join(" ")
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_line_numbers_but_not_content() {
        let a = fingerprint("implicit-global", "src/a.js", "x = 1;", 1);
        assert_eq!(a, fingerprint("implicit-global", "src/a.js", "x = 1;", 1));
        assert_ne!(a, fingerprint("implicit-global", "src/a.js", "x = 2;", 1));
        assert_ne!(a, fingerprint("implicit-global", "src/b.js", "x = 1;", 1));
        assert_ne!(a, fingerprint("unused-ignore", "src/a.js", "x = 1;", 1));
        assert!(fingerprint("r", "u", "t", 2).ends_with(":2"));
        // The separator keeps "ab"+"c" apart from "a"+"bc".
        assert_ne!(fingerprint("ab", "c", "", 1), fingerprint("a", "bc", "", 1));
    }

    #[test]
    fn descriptions_from_the_rule_docs() {
        assert_eq!(
            first_paragraph("# x\n\nFirst line\nsecond line.\n\nMore.\n"),
            "First line second line."
        );
        assert_eq!(pascal_case("implicit-global"), "ImplicitGlobal");
    }

    #[test]
    fn line_text_is_trimmed() {
        let text = "a;\n   b = 1;  \r\nc";
        let index = LineIndex::new(text);
        assert_eq!(line_text(text, &index, 6), "b = 1;");
        assert_eq!(line_text(text, &index, text.len()), "c");
        assert_eq!(line_text("", &LineIndex::new(""), 0), "");
    }
}
