//! Reporters: one small emitter per output format.

use std::io::{self, Write};
use std::path::Path;

use crate::check::{CheckResult, FileReport};
use crate::diagnostic::Severity;

pub mod compact;
pub mod json;
pub mod pretty;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette reports with the source and help (the default)
    Pretty,
    /// ESLint's JSON formatter shape
    Json,
    /// `path:line:col: severity rule-id message`, one per line
    Compact,
}

pub struct ReportOptions {
    pub color: bool,
    /// Only error-level diagnostics (`--quiet`).
    pub quiet: bool,
}

/// Error and warning counts over a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
}

pub fn totals(result: &CheckResult) -> Totals {
    let mut totals = Totals {
        files: result.files.len(),
        ..Totals::default()
    };
    for diagnostic in result.files.iter().flat_map(|f| &f.diagnostics) {
        match diagnostic.severity {
            Severity::Error => totals.errors += 1,
            Severity::Warn => totals.warnings += 1,
            Severity::Off => {}
        }
    }
    totals
}

pub fn write(
    format: Format,
    result: &CheckResult,
    options: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Pretty => pretty::write(result, options, out),
        Format::Json => json::write(result, out),
        Format::Compact => compact::write(result, out),
    }
}

/// A path as the user would type it: relative to the current folder where possible.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Drops warnings when `--quiet` is given.
pub fn filter_quiet(result: &mut CheckResult) {
    for file in &mut result.files {
        file.diagnostics.retain(|d| d.severity == Severity::Error);
    }
}

pub(crate) fn rule_label(file: &FileReport, index: usize) -> &'static str {
    file.diagnostics[index].rule.unwrap_or("fatal")
}
