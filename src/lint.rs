//! The library entry point: lint one source text with one configuration. The CLI, the LSP
//! server and the verifier all call [`lint_source`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use swc_common::{BytePos, Span};

use crate::diagnostic::{Diagnostic, Finding, Location, Range, RelatedLocation, Severity};
use crate::directives;
use crate::parse;
use crate::prescan::{nesting_depth, speculation_depth, MAX_NESTING, MAX_SPECULATION, SCAN_ABOVE};
use crate::result::LintOutput;
use crate::rules::{self, Context};
use crate::runtime::child_parse;
use crate::semantic::Semantic;
use crate::settings::Settings;
use crate::sfc;
use crate::source::{LazyLineIndex, LineIndex, SourceType};

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

/// Why a TypeScript file is not handed to swc's parser in this process, if it is not: it
/// has more speculative parses open at once than [`MAX_SPECULATION`], and a parse in a child
/// process (where the binary provides one) did not finish in time.
fn too_speculative(path: &Path, text: &str, source_type: SourceType) -> Option<String> {
    if !source_type.typescript {
        return None;
    }
    let guesses = speculation_depth(text.as_bytes(), source_type.jsx);
    if guesses <= MAX_SPECULATION {
        return None;
    }
    let why = if child_parse::is_installed() {
        child_parse::parse_in_child(text, path).err()?
    } else {
        format!("over the limit of {MAX_SPECULATION}")
    };
    Some(format!(
        "has {guesses} speculative parses open at once (unclosed `x<T`, nested `<T>(` casts or `? (a): b =>`), on which swc's TypeScript parser backtracks exponentially: {why}; not linted"
    ))
}

/// The file name the child parse reads the syntax from: the file's own, or for a component's
/// script block, a script of its language.
fn nesting_probe_path(path: &Path, source_type: SourceType) -> std::path::PathBuf {
    match (source_type.component, source_type.typescript) {
        (None, _) => path.to_path_buf(),
        (Some(_), true) => "script.ts".into(),
        (Some(_), false) => "script.js".into(),
    }
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
    let mut source_type = SourceType::from_path(path).unwrap_or(SourceType {
        typescript: false,
        jsx: true,
        module: crate::source::ModuleKind::Auto,
        component: None,
    });
    // A component file is linted as its script blocks, at the file's own offsets.
    let script;
    let (text, per_instance) = match source_type.component {
        Some(kind) => {
            script = sfc::script_of(kind, text);
            source_type = source_type.of_script(&script);
            (script.text.as_str(), script.per_instance.as_slice())
        }
        None => (text, &[][..]),
    };
    let index = LazyLineIndex::new(text);
    // A file can nest no deeper than it has bytes: a small one cannot exhaust the workers'
    // stack, and need not be scanned.
    let depth = if text.len() > SCAN_ABOVE {
        nesting_depth(text.as_bytes())
    } else {
        0
    };
    // The pre-scan may overestimate (code without semicolons, a class of many typed methods):
    // where a child process can measure the AST, a file that is not that deep is linted.
    let measured = || {
        child_parse::is_installed()
            .then(|| child_parse::depth_in_child(text, &nesting_probe_path(path, source_type)).ok())
            .flatten()
    };
    if depth > MAX_NESTING && measured().is_none_or(|deepest| deepest > MAX_NESTING) {
        return LintOutput {
            diagnostics: Vec::new(),
            skipped: Some(format!(
                "nests about {depth} levels deep, over the limit of {MAX_NESTING}; not linted"
            )),
        };
    }
    if let Some(why) = too_speculative(path, text, source_type) {
        return LintOutput {
            diagnostics: Vec::new(),
            skipped: Some(why),
        };
    }
    let test_file = crate::source::is_test_file(path);
    let result = catching(|| {
        lint_parsed(
            text,
            &index,
            source_type,
            per_instance,
            settings,
            package_is_module,
            test_file,
        )
    });
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
    per_instance: &[std::ops::Range<usize>],
    settings: &Settings,
    package_is_module: bool,
    test_file: bool,
) -> Vec<Diagnostic> {
    // swc_ecma_parser 47 can panic on some broken input (`<a:b.c>` in JSX reaches an
    // `unreachable!`): that is this file's parse error, not a crash.
    let mut parsed = match catching(|| parse::parse(text, source_type, package_is_module)) {
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
    let Some(program) = &mut parsed.program else {
        return diagnostics;
    };
    parse::plain_optional_chains(text, program);
    let program = &*program;
    let directives = directives::parse(
        &parsed.comments,
        index,
        directives::code_start(text, &parsed.comments),
    );
    let per_instance: Vec<Span> = per_instance
        .iter()
        .map(|r| {
            Span::new(
                BytePos(parse::BASE + r.start as u32),
                BytePos(parse::BASE + r.end as u32),
            )
        })
        .collect();
    let semantic = Semantic::build_component(program, text, &directives.globals, &per_instance);
    let mut ctx = Context::new(program, &semantic, source_type, text, settings);
    // A test file's process ends with the test run: what it keeps is not a leak.
    if !test_file {
        rules::run(&mut ctx, |rule| settings.is_enabled(rule.id));
    }
    let applied = directives::apply(
        ctx.into_findings(),
        &directives,
        index,
        rules::is_known,
        |id| rules::find(id).is_some_and(|r| r.has_handlers()) && settings.is_enabled(id),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the binary's child parse (as in the fuzz targets), a file past the limit is
    /// skipped, and one at it is parsed.
    #[test]
    fn without_the_child_parse_a_speculative_file_past_the_limit_is_skipped() {
        let settings = Settings::default();
        let at_limit = "<T>(".repeat(MAX_SPECULATION) + "x";
        let output = lint_source(Path::new("a.ts"), &at_limit, &settings, false);
        assert_eq!(output.skipped, None);
        assert!(!output.diagnostics.is_empty(), "a parse error");
        let past = "<T>(".repeat(MAX_SPECULATION + 1) + "x";
        let output = lint_source(Path::new("a.ts"), &past, &settings, false);
        assert_eq!(
            output.skipped.as_deref(),
            Some(format!("has {} speculative parses open at once (unclosed `x<T`, nested `<T>(` casts or `? (a): b =>`), on which swc's TypeScript parser backtracks exponentially: over the limit of {MAX_SPECULATION}; not linted", MAX_SPECULATION + 1).as_str())
        );
        // JavaScript is never parsed speculatively.
        let output = lint_source(Path::new("a.js"), &past, &settings, false);
        assert_eq!(output.skipped, None);
    }
}
