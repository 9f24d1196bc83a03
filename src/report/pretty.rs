//! miette's graphical reports: the source with the finding underlined, labels and help.

use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity, Verdict, Verification};
use crate::report::{display_path, summary, totals, ReportOptions};
use crate::result::CheckResult;
use crate::source::LineIndex;

pub fn write(result: &CheckResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    // Only files with diagnostics print anything: the others need no path and no line index.
    for file in result.files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let path = display_path(&file.path);
        let text: Arc<str> = match &file.text {
            Some(text) => miette_lines(text),
            None => Arc::from(""),
        };
        let source = IndexedSource {
            lines: Arc::new(LineIndex::new(&text)),
            text: Arc::clone(&text),
        };
        for d in &file.diagnostics {
            // miette cannot draw a line past column 65,535 (and a minified line is no use to
            // read): such a finding is shown by its position alone.
            let no_source =
                text.is_empty() || line_length_at(&text, d.location.range.start) > MAX_SHOWN_LINE;
            let report = miette::Report::new(to_miette(d, &path, no_source))
                .with_source_code(NamedSource::new(&path, source.clone()));
            let mut rendered = String::new();
            handler
                .render_report(&mut rendered, report.as_ref())
                .map_err(io::Error::other)?;
            match &d.verification {
                Some(v) => {
                    write!(out, "{rendered}")?;
                    writeln!(out, "  {}\n", verification_line(v, options.color))?;
                }
                None => writeln!(out, "{rendered}")?,
            }
        }
    }
    writeln!(out, "{}", summary(totals(result)))?;
    Ok(())
}

/// The file's text for miette, which reads the lines around each finding through the line index
/// instead of scanning from the start of the file: thousands of findings cost linear time.
#[derive(Clone)]
struct IndexedSource {
    text: Arc<str>,
    lines: Arc<LineIndex>,
}

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &'a str = &self.text;
        let offset = span.offset().min(text.len());
        let end = (offset + span.len()).min(text.len());
        let first = self
            .lines
            .line_of(offset)
            .saturating_sub(context_lines_before);
        let last = self.lines.line_of(end) + context_lines_after + 1;
        let window_start = self.lines.line_start(first);
        let window_end = if last < self.lines.line_count() {
            self.lines.line_start(last)
        } else {
            text.len()
        };
        let window = &text[window_start..window_end];
        let local = SourceSpan::new((offset - window_start).into(), end - offset);
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let inner_span = inner.span();
        Ok(Box::new(MietteSpanContents::new_named(
            String::new(),
            inner.data(),
            SourceSpan::new(
                (inner_span.offset() + window_start).into(),
                inner_span.len(),
            ),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// Lines longer than this are not drawn.
const MAX_SHOWN_LINE: usize = 2_000;

/// The byte length of the line around `offset`.
fn line_length_at(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
    end - start
}

/// The text as miette should see it: miette ends lines only at LF, while JavaScript also ends
/// them at a lone CR, U+2028 and U+2029. Those become LF (padded with spaces before it, so that
/// every byte offset stays the same).
fn miette_lines(text: &Arc<str>) -> Arc<str> {
    let needs = memchr::memchr2(b'\r', 0xE2, text.as_bytes()).is_some()
        && (text.contains('\u{2028}') || text.contains('\u{2029}') || has_lone_cr(text));
    if !needs {
        return Arc::clone(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            '\u{2028}' | '\u{2029}' => out.push_str("  \n"),
            other => out.push(other),
        }
    }
    Arc::from(out)
}

fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
}

fn to_miette(d: &Diagnostic, path: &str, no_source: bool) -> MietteDiagnostic {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        _ => miette::Severity::Warning,
    };
    let mut diagnostic = MietteDiagnostic::new(if no_source {
        format!(
            "{path}:{}:{}: {}",
            d.location.start.line, d.location.start.column, d.message
        )
    } else {
        d.message.clone()
    })
    .with_severity(severity);
    if let Some(rule) = d.rule {
        diagnostic = diagnostic.with_code(format!("leaklint({rule})"));
    }
    if let Some(help) = &d.help {
        diagnostic = diagnostic.with_help(help.clone());
    }
    if !no_source {
        let range = d.location.range;
        let primary =
            LabeledSpan::new_primary_with_span(None, (range.start, range.end - range.start));
        let related = d.related.iter().map(|r| {
            LabeledSpan::new_with_span(
                Some(r.message.clone()),
                (
                    r.location.range.start,
                    r.location.range.end - r.location.range.start,
                ),
            )
        });
        diagnostic = diagnostic.with_labels(std::iter::once(primary).chain(related));
    }
    diagnostic
}

/// The verifier's verdict under a diagnostic: `verify: confirmed: … (via …, 0.4 s)`.
fn verification_line(v: &Verification, color: bool) -> String {
    let verdict = v.verdict.to_string();
    let verdict = if color {
        let code = match v.verdict {
            Verdict::Confirmed => "31",
            Verdict::NotReproduced => "32",
            Verdict::Unverifiable => "33",
        };
        format!("\x1b[1;{code}m{verdict}\x1b[0m")
    } else {
        verdict
    };
    let via = v
        .entry
        .as_deref()
        .map(|e| format!("called {e}, "))
        .unwrap_or_default();
    format!(
        "verify: {verdict}: {} ({via}{:.1} s)",
        v.details(),
        v.elapsed_ms as f64 / 1000.0
    )
}
