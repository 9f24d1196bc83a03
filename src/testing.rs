//! Helpers for the pass/fail snippets beside each rule.

use std::path::Path;

use crate::lint::lint_source;
use crate::settings::Settings;

/// (line, column) of every diagnostic `source` gets as the file `name`.
pub fn positions(source: &str, name: &str) -> Vec<(u32, u32, String)> {
    let output = lint_source(Path::new(name), source, &Settings::default(), false);
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
pub fn assert_passes(cases: &[(&str, &str)]) {
    for (source, name) in cases {
        let found = positions(source, name);
        assert!(
            found.is_empty(),
            "expected no diagnostic for {name}: {source}\ngot: {found:?}"
        );
    }
}

/// A snippet, its file name and the (line, column) of each diagnostic it must get.
pub type FailCase<'a> = (&'a str, &'a str, &'a [(u32, u32)]);

/// Each snippet gets exactly the diagnostics at the given (line, column)s.
pub fn assert_fails(cases: &[FailCase]) {
    for (source, name, expected) in cases {
        let found = positions(source, name);
        let at: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(&at, expected, "for {name}: {source}\ngot: {found:?}");
    }
}

/// Each snippet gets exactly one diagnostic at the start of each given piece of code (its first
/// occurrence), in order.
pub fn assert_flags(cases: &[(&str, &str, &[&str])]) {
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
        let found = positions(source, name);
        let at: Vec<(u32, u32)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, expected, "for {name}: {source}\ngot: {found:?}");
    }
}
