//! What a rule reports, and the same after severities, suppressions and positions are applied.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::source::{LineIndex, Position};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Off,
    Warn,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "off" | "0" => Some(Severity::Off),
            "warn" | "warning" | "1" => Some(Severity::Warn),
            "error" | "2" => Some(Severity::Error),
            _ => None,
        }
    }

    /// ESLint's numbers: 1 warning, 2 error.
    pub fn eslint_number(self) -> u8 {
        match self {
            Severity::Off => 0,
            Severity::Warn => 1,
            Severity::Error => 2,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Off => "off",
            Severity::Warn => "warning",
            Severity::Error => "error",
        })
    }
}

/// A byte range in the source, 0-based, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Range {
    pub start: usize,
    pub end: usize,
}

impl Range {
    pub fn new(start: usize, end: usize) -> Range {
        Range {
            start,
            end: end.max(start),
        }
    }

    pub fn from_span(span: swc_common::Span) -> Range {
        let base = crate::parse::BASE;
        Range::new(
            span.lo.0.saturating_sub(base) as usize,
            span.hi.0.saturating_sub(base) as usize,
        )
    }
}

/// A secondary location that explains a finding (where a name was declared, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub range: Range,
    pub message: String,
}

/// A finding as a rule reports it, before configuration is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub range: Range,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// This finding's default severity when the user did not configure the rule's (a rule may
    /// grade its findings); `None` for the rule's default.
    pub severity: Option<Severity>,
    /// What the finding is about, for the stages after the rules (the verifier).
    pub subject: Option<Subject>,
}

/// What a finding is about, typed, so that later stages read it instead of rediscovering it in
/// the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A name that becomes a property of the global object.
    Global { name: String },
    /// A collection that grows, as code names it (`cache`, `Registry.items`, `global.sessions`;
    /// `None` for the global object itself), and where it is created.
    Collection {
        path: Option<String>,
        created: Option<Range>,
    },
    /// A timer started by the finding's call.
    Interval,
    /// A listener added to the receiver (as code names it) for the event (as written).
    Listener { receiver: String, event: String },
    /// A module `require`d inside a function: its path when it is a literal.
    Require { path: Option<String> },
    /// A resource released by a disposer: `observer`, `subscription`, `reaction`, `connection`,
    /// `media-query` or `animation-frame`.
    Subscription { kind: String },
}

/// A resolved location: byte range plus ESLint-style positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub range: Range,
    pub start: Position,
    pub end: Position,
}

impl Location {
    pub fn resolve(text: &str, index: &LineIndex, range: Range) -> Location {
        Location {
            range,
            start: index.position(text, range.start),
            end: index.position(text, range.end),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedLocation {
    pub location: Location,
    pub message: String,
}

/// A diagnostic as every reporter receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// `None` for a file that could not be read or parsed (ESLint's `ruleId: null`).
    pub rule: Option<&'static str>,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub related: Vec<RelatedLocation>,
    pub help: Option<String>,
    /// The file could not be linted as a whole (ESLint's `fatal: true`).
    pub fatal: bool,
    /// What running the code showed (`leaklint verify`, `check --verify`); `None` otherwise.
    pub verification: Option<Verification>,
}

/// The runtime verifier's answer for one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The measured quantity grew in every window, or the child ran out of heap.
    Confirmed,
    /// The code ran as asked and the quantity did not grow in every window.
    NotReproduced,
    /// It could not be run as asked: not reachable, threw on load, timed out…
    Unverifiable,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Confirmed => "confirmed",
            Verdict::NotReproduced => "not reproduced",
            Verdict::Unverifiable => "unverifiable",
        })
    }
}

/// A verdict with the figures behind it, as every reporter shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub verdict: Verdict,
    /// One line with the figures (or the reason), without the verdict word.
    pub summary: String,
    /// How the code was reached: "`getUser` (module.exports.getUser)".
    pub entry: Option<String>,
    /// What was measured: "entries in `cache`", "live intervals".
    pub measured: Option<String>,
    /// Calls made (after loading the module).
    pub calls: u64,
    /// Growth of the measured quantity per call, from the first to the last window.
    pub per_call: Option<f64>,
    /// The measured quantity's change in each window after the warm-up.
    pub windows: Vec<f64>,
    /// Retained heap (old and large-object spaces after a full GC) per call.
    pub heap_bytes_per_call: Option<f64>,
    /// Calls made before the child ran out of heap.
    pub heap_limit_reached_after: Option<u64>,
    pub elapsed_ms: u64,
    /// How a method was called when the verdict came: `a fresh instance per call`, `one
    /// instance, called again and again`, `the exported instance (…)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Packages replaced by leaklint's recording stub for the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stubbed: Vec<Stubbed>,
    /// The measured quantity and the retained heap at the end of each window, the one before
    /// any call first: the figures a plot draws.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<Sample>,
    /// What holds the growth, from heap snapshots after the warm-up and at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// The measured quantity and the retained heap after `calls` calls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub calls: u64,
    pub value: f64,
    pub heap: f64,
}

/// What the heap snapshots showed: the kinds of object that grew, and the chain of references
/// that keeps one of the new ones alive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The kinds of object whose count grew most, largest growth first.
    pub grown: Vec<Grown>,
    /// From a root (the global object, a module) to one of the new objects.
    pub path: Vec<RetainerStep>,
}

impl Evidence {
    /// The retainer path read like property access: `module cache.js.exports → closure get
    /// (line 4).users → Map.get("k1") → Object`.
    pub fn path_text(&self) -> Option<String> {
        if self.path.is_empty() {
            return None;
        }
        let steps: Vec<String> = self
            .path
            .iter()
            .map(|step| {
                let node = match step.line {
                    Some(line) => format!("{} (line {line})", step.node),
                    None => step.node.clone(),
                };
                match step.edge.as_deref() {
                    Some(edge) if edge.starts_with('[') => format!("{node}{edge}"),
                    Some(edge) => format!("{node}.{edge}"),
                    None => node,
                }
            })
            .collect();
        Some(steps.join(" → "))
    }
}

/// Objects of one kind (`Map`, `closure onResize`, `Array`) in the first and the last snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grown {
    pub name: String,
    pub before: u64,
    pub after: u64,
}

/// One object on a retainer path, and the reference that leads from it to the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RetainerStep {
    /// The object: `Window`, `Map`, `closure onResize`.
    pub node: String,
    /// The property, element or variable that holds the next object: `listeners`, `[12]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<String>,
    /// The line of the checked file a closure on the path was created at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Eq for Verification {}

impl Verification {
    /// The summary, then what was stubbed: what every text format shows after the verdict.
    pub fn details(&self) -> String {
        let mut details = self.summary.clone();
        if let Some(path) = self.evidence.as_ref().and_then(Evidence::path_text) {
            details.push_str(&format!("; held by {path}"));
        }
        if !self.stubbed.is_empty() {
            let stubs: Vec<String> = self
                .stubbed
                .iter()
                .map(|s| format!("`{}` ({})", s.module, s.reason))
                .collect();
            details.push_str(&format!("; stubbed: {}", stubs.join(", ")));
        }
        details
    }
}

/// A package the verifier replaced by a stub, and why: `not installed` or `--stub`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stubbed {
    pub module: String,
    pub reason: String,
}
