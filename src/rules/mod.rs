//! The rules: one file each, each exporting its [`RuleMeta`] as `META`, listed once in [`RULES`].
//!
//! A rule is a set of handlers over the one shared traversal ([`dispatch`]) plus a `finish` that
//! matches what it saw (growths against evictions, acquisitions against releases). It asks the
//! semantic and lifetime model ([`crate::semantic`]) every question about lifetimes, repetition
//! and escapes; it walks nothing itself.

use swc_common::Span;
use swc_ecma_ast::Program;

use crate::diagnostic::{Finding, Severity};
use crate::globals::GlobalSet;
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::source::SourceType;

pub mod dispatch;
pub mod helpers;
pub mod implicit_global;
pub mod per_call_require;
pub mod repeated_listener;
pub mod unbounded_cache;
pub mod uncleared_interval;
pub mod unreleased_subscription;

pub use dispatch::{Handles, Rule};

/// Every rule, in the order their findings are produced.
pub const RULES: &[RuleMeta] = &[
    implicit_global::META,
    unbounded_cache::META,
    uncleared_interval::META,
    repeated_listener::META,
    per_call_require::META,
    unreleased_subscription::META,
    UNUSED_IGNORE,
    UNKNOWN_RULE,
];

/// Reported by the suppression stage ([`crate::directives`]), not by a handler.
const UNUSED_IGNORE: RuleMeta = RuleMeta {
    id: "unused-ignore",
    default_severity: Severity::Warn,
    summary: "a leaklint-ignore directive that ignores nothing",
    docs: include_str!("../../rules/unused-ignore.md"),
    options: &[],
    handles: Handles::NONE,
    measure: Measure::None,
    gate: &[],
    create: None,
};

const UNKNOWN_RULE: RuleMeta = RuleMeta {
    id: "unknown-rule",
    default_severity: Severity::Warn,
    summary: "a leaklint-ignore directive that names no rule or a rule that does not exist",
    docs: include_str!("../../rules/unknown-rule.md"),
    options: &[],
    handles: Handles::NONE,
    measure: Measure::None,
    gate: &[],
    create: None,
};

/// What a rule sees of one file, and where it reports.
pub struct Context<'a> {
    pub program: &'a Program,
    pub semantic: &'a Semantic<'a>,
    pub source_type: SourceType,
    pub text: &'a str,
    /// Severities, rule options and the globals of the configured environments.
    pub settings: &'a Settings,
    findings: Vec<Finding>,
    /// Which of [`GATE_WORDS`] the text contains, found on first use.
    gate_words: std::cell::OnceCell<u32>,
    /// Where the text's line breaks are, found on first use.
    newlines: std::cell::OnceCell<Vec<u32>>,
}

/// Every rule's [`RuleMeta::gate`] words, each once: one scan of the text finds them all, where a
/// search per word was a scan per word.
static GATE_WORDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut words: Vec<&'static str> = Vec::new();
    for word in RULES.iter().flat_map(|meta| meta.gate) {
        if !words.contains(word) {
            words.push(word);
        }
    }
    assert!(words.len() <= 32, "the gate words fit in a u32");
    words
});

/// Which of [`GATE_WORDS`] occur in `text`, as bits. Leftmost-first matching finds where the
/// first word starts; each word is then checked at that position (two may start there), and
/// the search goes on from the next byte, so that no occurrence hides inside another.
fn gate_words_in(text: &str) -> u32 {
    static SEARCH: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(GATE_WORDS.iter())
                .expect("the gate words make an automaton")
        });
    let bytes = text.as_bytes();
    let all = (1u32 << GATE_WORDS.len()) - 1;
    let mut found = 0;
    let mut from = 0;
    while found != all {
        let Some(hit) = SEARCH.find(aho_corasick::Input::new(bytes).range(from..)) else {
            break;
        };
        let at = &bytes[hit.start()..];
        for (i, word) in GATE_WORDS.iter().enumerate() {
            if at.starts_with(word.as_bytes()) {
                found |= 1 << i;
            }
        }
        from = hit.start() + 1;
    }
    found
}

impl<'a> Context<'a> {
    pub fn new(
        program: &'a Program,
        semantic: &'a Semantic<'a>,
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
            gate_words: std::cell::OnceCell::new(),
            newlines: std::cell::OnceCell::new(),
        }
    }

    /// Does the code at `span` run over more than one line? One search of a table of the line
    /// breaks, where a scan of the span's text is a scan of a whole chain for each of its links.
    pub fn spans_lines(&self, span: Span) -> bool {
        let newlines = self.newlines.get_or_init(|| {
            memchr::memchr_iter(b'\n', self.text.as_bytes())
                .map(|i| i as u32)
                .collect()
        });
        let range = crate::diagnostic::Range::from_span(span);
        let next = newlines.partition_point(|&at| (at as usize) < range.start);
        newlines
            .get(next)
            .is_some_and(|&at| (at as usize) < range.end.min(self.text.len()))
    }

    /// Does the file's text (code, strings or comments) contain any of `words`?
    pub fn mentions_any(&self, words: &[&str]) -> bool {
        let found = *self.gate_words.get_or_init(|| gate_words_in(self.text));
        words
            .iter()
            .any(|word| match GATE_WORDS.iter().position(|w| w == word) {
                Some(i) => found & (1 << i) != 0,
                None => memchr::memmem::find(self.text.as_bytes(), word.as_bytes()).is_some(),
            })
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

/// A rule's metadata, declared beside the rule and reused by `rules`, `explain`, SARIF, the
/// LSP, the configuration and the verifier.
pub struct RuleMeta {
    pub id: &'static str,
    pub default_severity: Severity,
    pub summary: &'static str,
    /// The rule's page, `rules/<id>.md`.
    pub docs: &'static str,
    /// Options the rule accepts in `[rules.<id>]`, beside `severity`.
    pub options: &'static [RuleOption],
    /// The node kinds whose handlers the rule implements.
    pub handles: Handles,
    /// What the verifier measures to confirm a finding.
    pub measure: Measure,
    /// Words without one of which a file cannot have a finding (`setInterval`): the rule is
    /// skipped for a file whose text holds none of them. Empty: every file.
    pub gate: &'static [&'static str],
    /// Makes the rule's state for one file, or `None` when the model shows the file cannot have
    /// a finding (no `require` in code that runs many times, say). `None` here: the rule is
    /// reported by the suppression stage.
    pub create: Option<CreateRule>,
}

impl RuleMeta {
    /// Does a handler of this rule run over files (rather than the suppression stage report it)?
    pub fn has_handlers(&self) -> bool {
        self.create.is_some()
    }
}

/// Makes a rule's state for one file, or `None` when the file cannot have a finding.
pub type CreateRule = fn(&Context) -> Option<Box<dyn Rule>>;

/// What the verifier measures, run after run, to confirm a finding of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// New own keys of `globalThis`.
    GlobalKeys,
    /// The size of the growing collection (retained heap when it cannot be read).
    CollectionSize,
    /// Intervals still running.
    LiveIntervals,
    /// Listeners on the receiver.
    Listeners,
    /// Entries of `require.cache`.
    RequireCache,
    /// Live observations (observers observing something), else the retained heap.
    Subscriptions,
    /// Nothing: the rule is about directives.
    None,
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

pub fn find(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|rule| rule.id == id)
}

/// Is `id` a rule id leaklint accepts in config and directives?
pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}

/// Runs the enabled rules over one file: one traversal, every rule's handlers at each node, then
/// each rule's `finish`.
pub fn run(cx: &mut Context, enabled: impl Fn(&RuleMeta) -> bool) {
    let rules: Vec<(Handles, Box<dyn Rule>)> = RULES
        .iter()
        .filter(|meta| enabled(meta) && (meta.gate.is_empty() || cx.mentions_any(meta.gate)))
        .filter_map(|meta| Some((meta.handles, (meta.create?)(cx)?)))
        .collect();
    dispatch::run(cx, rules);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_in(text: &str) -> Vec<&'static str> {
        let found = gate_words_in(text);
        GATE_WORDS
            .iter()
            .enumerate()
            .filter(|(i, _)| found & (1 << i) != 0)
            .map(|(_, word)| *word)
            .collect()
    }

    #[test]
    fn gate_words_are_found_also_inside_or_overlapping_others() {
        assert_eq!(words_in("let a = 1;"), Vec::<&str>::new());
        assert_eq!(words_in("setTimeout(f)"), ["setTimeout"]);
        // `reaction` starts on the last letter of `addListener`.
        assert_eq!(
            words_in("x.addListenereaction"),
            ["reaction", "addListener"]
        );
        assert_eq!(
            words_in("// ResizeObserver\nsetInterval(tick); setTimeout(f)"),
            ["setInterval", "setTimeout", "Observer"]
        );
    }
}
