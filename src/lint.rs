//! The library entry point: lint one source text with one configuration. The CLI, the LSP
//! server and the verifier all call [`lint_source`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::config::Settings;
use crate::diagnostic::{Diagnostic, Finding, Location, Range, RelatedLocation, Severity};
use crate::directives;
use crate::parse;
use crate::rules::{self, Context};
use crate::semantic::Semantic;
use crate::source::{LazyLineIndex, LineIndex, SourceType};

/// Nesting deeper than this is skipped: swc's recursive descent, the visitors and the drop of
/// the AST would need an unbounded stack. Real code stays far below (the deepest file in the
/// 11,000-file npm corpus nests about 100 levels).
pub const MAX_NESTING: usize = 1_000;

/// The outcome of linting one text.
#[derive(Debug, Default)]
pub struct LintOutput {
    pub diagnostics: Vec<Diagnostic>,
    /// Why the file was not linted, when it was skipped (too deep).
    pub skipped: Option<String>,
}

/// Lints `text` as the file `path` (its extension decides the syntax). `package_is_module`
/// is the nearest package.json's `"type": "module"`.
pub fn lint_source(
    path: &Path,
    text: &str,
    settings: &Settings,
    package_is_module: bool,
) -> LintOutput {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let index = LazyLineIndex::new(text);
    let source_type = SourceType::from_path(path).unwrap_or(SourceType {
        typescript: false,
        jsx: true,
        module: crate::source::ModuleKind::Auto,
    });
    let depth = nesting_depth(text.as_bytes());
    if depth > MAX_NESTING {
        return LintOutput {
            diagnostics: Vec::new(),
            skipped: Some(format!(
                "nesting is {depth} levels deep (over the limit of {MAX_NESTING}); not linted"
            )),
        };
    }
    let result = catch_unwind(AssertUnwindSafe(|| {
        lint_parsed(text, &index, source_type, settings, package_is_module)
    }));
    let diagnostics = match result {
        Ok(diagnostics) => diagnostics,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            vec![fatal(
                text,
                index.get(),
                Range::new(0, 0),
                format!(
                    "internal error in leaklint while linting this file ({what}); please report it"
                ),
            )]
        }
    };
    LintOutput {
        diagnostics,
        skipped: None,
    }
}

fn lint_parsed(
    text: &str,
    index: &LazyLineIndex,
    source_type: SourceType,
    settings: &Settings,
    package_is_module: bool,
) -> Vec<Diagnostic> {
    let parsed = parse::parse(text, source_type, package_is_module);
    let mut diagnostics: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| {
            fatal(
                text,
                index.get(),
                Range::new(e.start, e.end),
                format!("Parsing error: {}", e.message),
            )
        })
        .collect();
    let Some(program) = &parsed.program else {
        return diagnostics;
    };
    let directives = directives::parse(
        &parsed.comments,
        index,
        directives::code_start(text, &parsed.comments),
    );
    let semantic = Semantic::build(program, &directives.globals);
    let mut ctx = Context::new(program, &semantic, source_type, text, settings);
    for rule in rules::RULES {
        if let Some(run) = rule.run {
            if settings.is_enabled(rule.id) && rule.may_apply(text) {
                run(&mut ctx);
            }
        }
    }
    let applied = directives::apply(
        ctx.into_findings(),
        &directives,
        index,
        rules::is_known,
        |id| rules::find(id).is_some_and(|r| r.run.is_some()) && settings.is_enabled(id),
    );
    let findings = applied.kept.into_iter().chain(applied.directive_findings);
    for finding in findings {
        let severity = settings.severity_of(finding.rule, finding.severity);
        if severity != Severity::Off {
            diagnostics.push(to_diagnostic(text, index.get(), finding, severity));
        }
    }
    diagnostics.sort_by_key(|d| (d.location.range.start, d.location.range.end, d.rule));
    diagnostics
}

fn to_diagnostic(
    text: &str,
    index: &LineIndex,
    finding: Finding,
    severity: Severity,
) -> Diagnostic {
    Diagnostic {
        rule: Some(finding.rule),
        severity,
        message: finding.message,
        location: Location::resolve(text, index, finding.range),
        related: finding
            .labels
            .into_iter()
            .map(|label| RelatedLocation {
                location: Location::resolve(text, index, label.range),
                message: label.message,
            })
            .collect(),
        help: finding.help,
        fatal: false,
        verification: None,
    }
}

/// A diagnostic for a file that could not be linted as a whole.
pub fn fatal(text: &str, index: &LineIndex, range: Range, message: String) -> Diagnostic {
    Diagnostic {
        rule: None,
        severity: Severity::Error,
        message,
        location: Location::resolve(text, index, range),
        related: Vec::new(),
        help: None,
        fatal: true,
        verification: None,
    }
}

/// An upper bound on how deep the AST of `bytes` nests: bracket depth plus arrow chains
/// (`a => b => c`), ignoring strings and comments only roughly. It overestimates rather than
/// under, which can only skip a file, never crash on one.
pub fn nesting_depth(bytes: &[u8]) -> usize {
    // Arrows seen at each bracket level since the last `,` or `;` there.
    let mut arrows: Vec<usize> = vec![0];
    let mut arrow_total = 0;
    let mut max = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most bytes are none of these; one table lookup skips them.
        if !IS_STRUCTURAL[bytes[i] as usize] {
            i += 1;
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                arrows.push(0);
                max = max.max(arrows.len() - 1 + arrow_total);
            }
            b')' | b']' | b'}' if arrows.len() > 1 => {
                arrow_total -= arrows.pop().unwrap_or(0);
            }
            b',' | b';' => {
                let level = arrows.last_mut().expect("never empty");
                arrow_total -= *level;
                *level = 0;
            }
            b'=' if bytes.get(i + 1) == Some(&b'>') => {
                *arrows.last_mut().expect("never empty") += 1;
                arrow_total += 1;
                max = max.max(arrows.len() - 1 + arrow_total);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    max
}

const IS_STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let bytes = b"()[]{},;=";
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_and_arrow_chains() {
        assert_eq!(nesting_depth(b"f(a, [b], {c: 1})"), 2);
        assert_eq!(nesting_depth(b"a => b => c => d"), 3);
        assert_eq!(nesting_depth(b"x = [a => 1, b => 2, c => 3]"), 2);
        assert!(nesting_depth("(".repeat(5000).as_bytes()) == 5000);
    }
}
