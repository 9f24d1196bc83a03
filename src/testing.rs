//! The pass/fail snippets beside each rule, run with only that rule enabled (as oxc's `Tester`
//! does), so that a failing vector belongs to the rule it is written for.

use std::path::Path;

use crate::config::{ConfigFile, Overrides};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::lint_source;
use crate::rules::{RuleMeta, RULES};
use crate::settings::Settings;

/// A snippet, its file name and the (line, column) of each diagnostic it must get.
pub type FailCase<'a> = (&'a str, &'a str, &'a [(u32, u32)]);

/// Every diagnostic `source` gets as the file `name` with the default settings (every rule on),
/// for tests of severities and messages.
pub fn diagnostics(source: &str, name: &str) -> Vec<Diagnostic> {
    lint_source(Path::new(name), source, &Settings::default(), false).diagnostics
}

/// Runs snippets through the whole pipeline with one rule enabled.
pub struct Tester {
    rule: &'static RuleMeta,
    settings: Settings,
}

impl Tester {
    pub fn new(rule: &'static RuleMeta) -> Tester {
        let others = RULES
            .iter()
            .filter(|other| other.id != rule.id)
            .map(|other| (other.id.to_string(), Severity::Off))
            .collect();
        let overrides = Overrides {
            rules: others,
            ..Overrides::default()
        };
        Tester {
            rule,
            settings: Settings::new(&ConfigFile::default(), &overrides),
        }
    }

    /// (line, column, "rule: message") of every diagnostic `source` gets as the file `name`.
    pub fn positions(&self, source: &str, name: &str) -> Vec<(u32, u32, String)> {
        let output = lint_source(Path::new(name), source, &self.settings, false);
        output
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.location.start.line,
                    d.location.start.column,
                    format!("{}: {}", d.rule.unwrap_or("fatal"), d.message),
                )
            })
            .collect()
    }

    /// Each snippet gets no diagnostic at all.
    pub fn passes(&self, cases: &[(&str, &str)]) -> &Tester {
        for (source, name) in cases {
            let found = self.positions(source, name);
            assert!(
                found.is_empty(),
                "{}: expected no diagnostic for {name}: {source}\ngot: {found:?}",
                self.rule.id
            );
        }
        self
    }

    /// Each snippet gets exactly the diagnostics at the given (line, column)s.
    pub fn fails(&self, cases: &[FailCase]) -> &Tester {
        for (source, name, expected) in cases {
            let found = self.positions(source, name);
            let at: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
            assert_eq!(
                &at, expected,
                "{}: for {name}: {source}\ngot: {found:?}",
                self.rule.id
            );
            self.only_this_rule(&found);
        }
        self
    }

    /// Each snippet gets exactly one diagnostic at the start of each given piece of code (its
    /// first occurrence), in order.
    pub fn flags(&self, cases: &[(&str, &str, &[&str])]) -> &Tester {
        for (source, name, pieces) in cases {
            let index = crate::source::LineIndex::new(source);
            let expected: Vec<(u32, u32)> = pieces
                .iter()
                .map(|piece| {
                    let offset = source
                        .find(piece)
                        .unwrap_or_else(|| panic!("`{piece}` is not in {source}"));
                    let p = index.position(source, offset);
                    (p.line, p.column)
                })
                .collect();
            let found = self.positions(source, name);
            let at: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
            assert_eq!(
                at, expected,
                "{}: for {name}: {source}\ngot: {found:?}",
                self.rule.id
            );
            self.only_this_rule(&found);
        }
        self
    }

    fn only_this_rule(&self, found: &[(u32, u32, String)]) {
        for (_, _, message) in found {
            assert!(
                message.starts_with(&format!("{}: ", self.rule.id)),
                "{}: a diagnostic of another kind: {message}",
                self.rule.id
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tester enables only its rule: an implicit global is not reported by the tester of
    /// another rule, and is by its own.
    #[test]
    fn only_the_rule_under_test_runs() {
        let source = "function f() { total = 1; }";
        assert!(Tester::new(&crate::rules::per_call_require::META)
            .positions(source, "a.js")
            .is_empty());
        assert_eq!(
            Tester::new(&crate::rules::implicit_global::META)
                .positions(source, "a.js")
                .len(),
            1
        );
    }
}
