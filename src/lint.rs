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

/// More unclosed type-argument openings than this in a TypeScript file make swc_ecma_parser 47
/// backtrack for seconds to minutes (found by the fuzzer: 32 of them in 1 KB ran for minutes,
/// and each one more about doubles the time; 20 take about 0.2 s). Real code closes its `<`:
/// the 896 TypeScript files of the npm corpus have at most 8 open at once.
pub const MAX_TYPE_ARGUMENT_GUESSES: usize = 20;

/// The most `<` (a type-argument list the TypeScript parser may have to try) open at once.
///
/// The parser gives up a guess at the first token a type list cannot hold, so a `<` is
/// forgotten at its `>`, at a `;` at its own bracket depth, and at the bracket that closes
/// around it: `if (a < b)` leaves nothing open, even in code written without semicolons.
/// A `;` inside braces (a type literal's member separator) keeps the `<` outside them.
pub fn open_type_arguments(bytes: &[u8]) -> usize {
    // How many were open when each enclosing bracket opened.
    let mut enclosing: Vec<usize> = Vec::new();
    let mut open = 0usize;
    let mut max = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let base = enclosing.last().copied().unwrap_or(0);
        match byte {
            // Not `<=`, `<<` or `</`; whitespace may stand before the type.
            b'<' if !matches!(bytes.get(i + 1), Some(b'=' | b'<' | b'/')) => {
                open += 1;
                max = max.max(open);
            }
            // `=>` is an arrow, not a closing angle.
            b'>' if i > 0 && bytes[i - 1] == b'=' => {}
            b'>' => open = open.saturating_sub(1).max(base),
            b';' => open = base,
            b'(' | b'[' | b'{' => enclosing.push(open),
            b')' | b']' | b'}' => open = enclosing.pop().unwrap_or(0),
            _ => {}
        }
    }
    max
}

/// Files up to this size skip the nesting pre-scan: even nested on every byte, they stay far
/// within the 512 MiB worker stack (a level costs a few KiB in the parser and visitors of a
/// release build, and some ten times that in a debug build).
pub const SCAN_ABOVE: usize = if cfg!(debug_assertions) {
    4 << 10
} else {
    16 << 10
};

thread_local! {
    /// How many `catching` calls are running on this thread.
    static CATCHING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `f`, turning a panic into an `Err` that the caller reports as a diagnostic.
fn catching<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    result
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic")
}

/// Keeps the panic message of a caught panic off stderr (its diagnostic reports it); any other
/// panic is printed as before. The binary installs it once at start.
pub fn install_quiet_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if CATCHING.with(|c| c.get()) == 0 {
            previous(info);
        }
    }));
}

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
    // A file can nest no deeper than it has bytes: a small one cannot exhaust the workers'
    // stack, and need not be scanned.
    let depth = if text.len() > SCAN_ABOVE {
        nesting_depth(text.as_bytes())
    } else {
        0
    };
    if source_type.typescript {
        let guesses = open_type_arguments(text.as_bytes());
        if guesses > MAX_TYPE_ARGUMENT_GUESSES {
            return LintOutput {
                diagnostics: Vec::new(),
                skipped: Some(format!(
                    "has {guesses} type-argument openings (`x<T`) with no `>` to close them, over the limit of {MAX_TYPE_ARGUMENT_GUESSES}: swc's TypeScript parser backtracks exponentially on them; not linted"
                )),
            };
        }
    }
    if depth > MAX_NESTING {
        return LintOutput {
            diagnostics: Vec::new(),
            skipped: Some(format!(
                "nests about {depth} levels deep, over the limit of {MAX_NESTING}; not linted"
            )),
        };
    }
    let result = catching(|| lint_parsed(text, &index, source_type, settings, package_is_module));
    let diagnostics = match result {
        Ok(diagnostics) => diagnostics,
        Err(panic) => {
            let what = panic_message(&*panic);
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
    // swc_ecma_parser 47 can panic on some broken input (`<a:b.c>` in JSX reaches an
    // `unreachable!`): that is this file's parse error, not a crash.
    let parsed = match catching(|| parse::parse(text, source_type, package_is_module)) {
        Ok(parsed) => parsed,
        Err(panic) => {
            let message = format!(
                "Parsing error: the parser failed on this input ({}); the file is not linted",
                panic_message(&*panic)
            );
            return vec![fatal(text, index.get(), Range::new(0, 0), message)];
        }
    };
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

/// An upper bound on how deep the AST of `bytes` nests: bracket depth, plus at each bracket
/// level the chains that nest without brackets (`a => b => c`, `while (a) while (b) …`,
/// `else if` chains, labels `a: b: …`, type arguments and JSX elements `<A<B<…`), ignoring
/// strings and comments only roughly. It overestimates rather than under, which can only skip a
/// file, never crash on one.
pub fn nesting_depth(bytes: &[u8]) -> usize {
    /// Chains at one bracket level: `soft` ends at `,` or `;` (arrows, labels), `hard` only at
    /// `;` (statement keywords, angle brackets, which commas do not end).
    #[derive(Default, Clone, Copy)]
    struct Level {
        soft: usize,
        hard: usize,
    }
    let mut levels: Vec<Level> = vec![Level::default()];
    let mut chained = 0; // the sum of soft and hard over all levels
    let mut max = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most bytes are none of these; one table lookup skips them.
        let byte = bytes[i];
        if !IS_STRUCTURAL[byte as usize] {
            i += 1;
            continue;
        }
        let depth = levels.len();
        let level = levels.last_mut().expect("never empty");
        let mut grew = false;
        match byte {
            b'(' | b'[' | b'{' => {
                levels.push(Level::default());
                grew = true;
            }
            b')' | b']' | b'}' if depth > 1 => {
                let closed = levels.pop().unwrap_or_default();
                chained -= closed.soft + closed.hard;
            }
            b',' => {
                chained -= level.soft;
                level.soft = 0;
            }
            b';' => {
                chained -= level.soft + level.hard;
                *level = Level::default();
            }
            b'=' if bytes.get(i + 1) == Some(&b'>') => {
                level.soft += 1;
                chained += 1;
                grew = true;
                i += 1;
            }
            b':' => {
                level.soft += 1;
                chained += 1;
                grew = true;
            }
            // `</a>` and `/>` close a JSX element.
            b'<' | b'/' if closes_element(bytes, i) => {
                let closed = level.hard.min(1);
                level.hard -= closed;
                chained -= closed;
            }
            b'<' if bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'$') =>
            {
                level.hard += 1;
                chained += 1;
                grew = true;
            }
            // `!!!!x`, `~~~~x`: unary chains nest too.
            b'!' | b'~' => {
                level.hard += 1;
                chained += 1;
                grew = true;
            }
            b'd' | b'e' | b'f' | b'w' if is_statement_keyword(bytes, i) => {
                level.hard += 1;
                chained += 1;
                grew = true;
            }
            _ => {}
        }
        if grew {
            max = max.max(levels.len() - 1 + chained);
        }
        i += 1;
    }
    max
}

fn closes_element(bytes: &[u8], i: usize) -> bool {
    let next = bytes.get(i + 1).copied();
    (bytes[i] == b'<' && next == Some(b'/')) || (bytes[i] == b'/' && next == Some(b'>'))
}

/// `do`, `else`, `for`, `while` or `with` as a whole word at `i`: statements whose body nests
/// without brackets.
fn is_statement_keyword(bytes: &[u8], i: usize) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    if i > 0 && is_word(bytes[i - 1]) {
        return false;
    }
    ["do", "else", "for", "while", "with"]
        .iter()
        .any(|keyword| {
            let end = i + keyword.len();
            bytes.get(i..end) == Some(keyword.as_bytes())
                && !bytes.get(end).is_some_and(|&b| is_word(b))
        })
}

const IS_STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let bytes = b"()[]{},;=:</defw!~";
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
        // `c: 1` counts as a possible label: an upper bound, not the exact depth.
        assert_eq!(nesting_depth(b"f(a, [b], {c: 1})"), 3);
        assert_eq!(nesting_depth(b"a => b => c => d"), 3);
        assert_eq!(nesting_depth(b"x = [a => 1, b => 2, c => 3]"), 2);
        assert!(nesting_depth("(".repeat(5000).as_bytes()) == 5000);
        // Chains that nest without brackets count (at least as deep as the AST nests).
        assert!(nesting_depth(b"while (a) while (b) with (c) for (;;) x = 1;") >= 4);
        assert!(nesting_depth(b"if (a) {} else if (b) {} else if (c) {} else {}") >= 3);
        assert!(nesting_depth(b"a: b: c: for (;;) break a;") >= 4);
        assert!(nesting_depth(b"let m: Map<string, Array<number>>;") >= 2);
        assert!(nesting_depth(b"x = <a><b><c/></b></a>;") >= 3);
        let deep = |unit: &str, n: usize| nesting_depth(unit.repeat(n).as_bytes());
        for unit in [
            "while(a) ",
            "with (a) ",
            "for(;;) ",
            "do ",
            "A<",
            "<a>",
            "else if (a) {} ",
            "l: ",
        ] {
            assert!(deep(unit, 2000) >= 1999, "{unit}");
        }
        // Type arguments that close do not add up; unclosed guesses do.
        assert_eq!(
            open_type_arguments(b"let m: Map<string, Array<number>> = new Map<A, B>();"),
            2
        );
        assert_eq!(
            open_type_arguments(b"class A { f(): Promise<Map<K, V>> {} g(): Set<T> {} }"),
            2
        );
        assert_eq!(open_type_arguments("x<o<(".repeat(16).as_bytes()), 32);
        assert_eq!(
            open_type_arguments(b"if (a < b) { c(); } for (i = 0; i < n; i++) {}"),
            1
        );
        // Without semicolons, a comparison is forgotten when its bracket closes.
        let no_semicolons = "if (a < b) return a\nwhile (i < n) i++\n".repeat(100);
        assert_eq!(open_type_arguments(no_semicolons.as_bytes()), 1);
        let bodies = "function f() { const x = a < b\n return x }\n".repeat(100);
        assert_eq!(open_type_arguments(bodies.as_bytes()), 1);
        // A `;` inside a type literal does not end the guesses outside it; a closer that never
        // opened does not underflow.
        assert_eq!(open_type_arguments(b"x<o<{a;b<c<{d;e<"), 5);
        assert_eq!(open_type_arguments(b")]}>a<b"), 1);
        // Ordinary code stays shallow: statements end chains.
        let code = "function f(a, b) { if (a < b) { return a; } else { return b; } }\n".repeat(500);
        assert!(
            nesting_depth(code.as_bytes()) < 10,
            "{}",
            nesting_depth(code.as_bytes())
        );
    }
}
