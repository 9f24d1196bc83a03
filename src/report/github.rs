//! GitHub Actions workflow commands: one `::error`/`::warning` annotation per diagnostic, then a
//! summary line. GitHub shows each annotation on the line it names, in the pull request's diff.
//!
//! ```text
//! ::error file=src/app.js,line=9,endLine=9,col=3,endColumn=14,title=implicit-global::`currentUser` is …
//! ```
//!
//! Values are escaped exactly as `@actions/core` does (`toolkit/packages/core/src/command.ts`):
//! the message (`escapeData`) has `%`, CR and LF replaced by `%25`, `%0D`, `%0A`; property values
//! (`escapeProperty`) additionally `:` and `,` by `%3A` and `%2C`, so a path or title can never
//! end the property list or the command early.

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{ci_root, repo_path, rule_label, summary, totals};
use crate::result::CheckResult;

pub fn write(result: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    let root = ci_root();
    for file in &result.files {
        let path = repo_path(&file.path, &root);
        for (i, d) in file.diagnostics.iter().enumerate() {
            writeln!(out, "{}", annotation(&path, rule_label(file, i), d))?;
        }
    }
    writeln!(out, "leaklint: {}", summary(totals(result)))
}

/// One workflow command. Columns are only given for a single-line range: GitHub's check-run
/// annotations accept `start_column`/`end_column` only when the start and end lines are equal.
pub fn annotation(path: &str, title: &str, d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        _ => "warning",
    };
    let (start, end) = (d.location.start, d.location.end);
    let mut properties = vec![
        ("file", path.to_string()),
        ("line", start.line.to_string()),
        ("endLine", end.line.to_string()),
    ];
    if start.line == end.line {
        properties.push(("col", start.column.to_string()));
        properties.push(("endColumn", end.column.to_string()));
    }
    properties.push(("title", title.to_string()));
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(v) = &d.verification {
        message.push_str(&format!("\nverify: {}: {}", v.verdict, v.details()));
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// `escapeData` of `@actions/core`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escapeProperty` of `@actions/core`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Location, Range};
    use crate::source::Position;

    fn diagnostic(severity: Severity, lines: (u32, u32), message: &str) -> Diagnostic {
        Diagnostic {
            rule: Some("implicit-global"),
            severity,
            message: message.into(),
            location: Location {
                range: Range::new(0, 1),
                start: Position {
                    line: lines.0,
                    column: 3,
                },
                end: Position {
                    line: lines.1,
                    column: 14,
                },
            },
            related: Vec::new(),
            help: None,
            fatal: false,
            verification: None,
        }
    }

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("100% a:b, c\r\nd"), "100%25 a:b, c%0D%0Ad");
        assert_eq!(
            escape_property("100% a:b, c\r\nd"),
            "100%25 a%3Ab%2C c%0D%0Ad"
        );
        // `%` first, so an escape already in the text is not decoded by GitHub.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn severities_and_properties() {
        let d = diagnostic(Severity::Error, (9, 9), "50% of 1:2, then\r\nmore");
        assert_eq!(
            annotation("dir,x/a:b%.js", "implicit-global", &d),
            "::error file=dir%2Cx/a%3Ab%25.js,line=9,endLine=9,col=3,endColumn=14,title=implicit-global::50%25 of 1:2, then%0D%0Amore"
        );
        let d = diagnostic(Severity::Warn, (2, 4), "m");
        assert_eq!(
            annotation("a.js", "unused-ignore", &d),
            "::warning file=a.js,line=2,endLine=4,title=unused-ignore::m",
            "no columns for a range over several lines"
        );
    }
}
