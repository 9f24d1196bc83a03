//! miette's graphical reports: the source with the finding underlined, labels and help.

use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::check::CheckResult;
use crate::diagnostic::{Diagnostic, Severity, Verdict, Verification};
use crate::report::{display_path, summary, totals, ReportOptions};

pub fn write(result: &CheckResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    for file in &result.files {
        let path = display_path(&file.path);
        let text = file.text.as_deref().unwrap_or("");
        for d in &file.diagnostics {
            let report = miette::Report::new(to_miette(d, &path, text.is_empty()))
                .with_source_code(NamedSource::new(&path, text.to_string()));
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

fn to_miette(d: &Diagnostic, path: &str, no_source: bool) -> MietteDiagnostic {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        _ => miette::Severity::Warning,
    };
    let mut diagnostic = MietteDiagnostic::new(if no_source {
        format!("{path}: {}", d.message)
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
        v.summary,
        v.elapsed_ms as f64 / 1000.0
    )
}
