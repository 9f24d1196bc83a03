//! The rules: one file each, all declared in [`RULES`] with their id, default severity and
//! documentation (`rules/<id>.md`, also printed by `leaklint explain`).

use swc_ecma_ast::Program;

use crate::diagnostic::{Finding, Severity};
use crate::globals::GlobalSet;
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::source::SourceType;

pub mod helpers;
pub mod implicit_global;
pub mod per_call_require;
pub mod repeated_listener;
pub mod unbounded_cache;
pub mod uncleared_interval;

/// What a rule sees of one file.
pub struct Context<'a> {
    pub program: &'a Program,
    pub semantic: &'a Semantic,
    pub source_type: SourceType,
    pub text: &'a str,
    /// Severities, rule options and the globals of the configured environments.
    pub settings: &'a Settings,
    findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    pub fn new(
        program: &'a Program,
        semantic: &'a Semantic,
        source_type: SourceType,
        text: &'a str,
        settings: &'a Settings,
    ) -> Context<'a> {
        Context {
            program,
            semantic,
            source_type,
            text,
            settings,
            findings: Vec::new(),
        }
    }

    /// Globals of the configured environments plus configured and `/* global */` names.
    pub fn globals(&self) -> &'a GlobalSet {
        &self.settings.globals
    }

    pub fn report(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// A rule's metadata, declared once and reused by `rules`, `explain`, SARIF and the LSP.
pub struct RuleMeta {
    pub id: &'static str,
    pub default_severity: Severity,
    pub summary: &'static str,
    /// The rule's page, `rules/<id>.md`.
    pub docs: &'static str,
    /// Runs the rule over one file; `None` for the rules about directives, which the
    /// suppression stage reports.
    pub run: Option<fn(&mut Context)>,
    /// Options the rule accepts in `[rules.<id>]`, beside `severity`.
    pub options: &'static [RuleOption],
    /// Text the rule cannot report without (`setInterval`, `require`): a file that contains
    /// none of it is not visited at all. Empty: always visited.
    pub triggers: &'static [&'static str],
}

impl RuleMeta {
    /// Could the rule report anything in this text? A byte search, much cheaper than a
    /// traversal of the AST.
    pub fn may_apply(&self, text: &str) -> bool {
        self.triggers.is_empty()
            || self
                .triggers
                .iter()
                .any(|t| memchr::memmem::find(text.as_bytes(), t.as_bytes()).is_some())
    }
}

pub struct RuleOption {
    pub name: &'static str,
    pub kind: OptionKind,
    pub description: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Bool,
    /// A list of method or function names.
    Names,
}

pub const RULES: &[RuleMeta] = &[
    RuleMeta {
        id: implicit_global::ID,
        default_severity: Severity::Error,
        summary: "assignment to an undeclared name creates a global that is never freed",
        docs: include_str!("../../rules/implicit-global.md"),
        run: Some(implicit_global::run),
        options: &[],
        triggers: &[],
    },
    RuleMeta {
        id: unbounded_cache::ID,
        default_severity: Severity::Error,
        summary: "a long-lived Map/Set/object/array that code running on every call only grows",
        docs: include_str!("../../rules/unbounded-cache.md"),
        run: Some(unbounded_cache::run),
        options: unbounded_cache::OPTIONS,
        triggers: &[],
    },
    RuleMeta {
        id: uncleared_interval::ID,
        default_severity: Severity::Error,
        summary: "setInterval in code that runs more than once whose handle is never cleared",
        docs: include_str!("../../rules/uncleared-interval.md"),
        run: Some(uncleared_interval::run),
        options: uncleared_interval::OPTIONS,
        triggers: &["setInterval"],
    },
    RuleMeta {
        id: repeated_listener::ID,
        default_severity: Severity::Error,
        summary: "a listener added on every call to an emitter that outlives the call",
        docs: include_str!("../../rules/repeated-listener.md"),
        run: Some(repeated_listener::run),
        options: repeated_listener::OPTIONS,
        triggers: &[".on(", ".on (", "Listener"],
    },
    RuleMeta {
        id: per_call_require::ID,
        default_severity: Severity::Warn,
        summary: "require() evaluated inside a function on every call (error when the path is computed or require.cache is deleted)",
        docs: include_str!("../../rules/per-call-require.md"),
        run: Some(per_call_require::run),
        options: &[],
        triggers: &["require"],
    },
    RuleMeta {
        id: "unused-ignore",
        default_severity: Severity::Warn,
        summary: "a leaklint-ignore directive that ignores nothing",
        docs: include_str!("../../rules/unused-ignore.md"),
        run: None,
        options: &[],
        triggers: &[],
    },
    RuleMeta {
        id: "unknown-rule",
        default_severity: Severity::Warn,
        summary: "a leaklint-ignore directive that names no rule or a rule that does not exist",
        docs: include_str!("../../rules/unknown-rule.md"),
        run: None,
        options: &[],
        triggers: &[],
    },
];

pub fn find(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|rule| rule.id == id)
}

/// Is `id` a rule id leaklint accepts in config and directives?
pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}
