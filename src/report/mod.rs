//! Reporters: one small emitter per output format.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::Severity;
use crate::result::{CheckResult, FileReport};

pub mod compact;
pub mod github;
pub mod html;
pub mod json;
pub mod pretty;
pub mod sarif;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette reports with the source and help (the default)
    Pretty,
    /// ESLint's JSON formatter shape
    Json,
    /// `path:line:col: severity rule-id message`, one per line
    Compact,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding
    Github,
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
        Format::Sarif => sarif::write(result, out),
        Format::Github => github::write(result, out),
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

/// The root of the git repository around `dir` (the nearest folder with a `.git` entry), which
/// CI annotations and SARIF paths are relative to.
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` relative to `root` with forward slashes, or `None` when it lies outside `root`.
pub fn relative_to(path: &Path, root: &Path) -> Option<String> {
    let cwd = std::env::current_dir().ok();
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let mut parts: Vec<String> = Vec::new();
    for component in absolute.strip_prefix(root).ok()?.components() {
        match component {
            std::path::Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            _ => {}
        }
    }
    Some(parts.join("/"))
}

/// A path as CI systems want it: relative to the repository root (the current folder when it
/// is in no repository); a path outside both as [`display_path`] writes it.
pub fn repo_path(path: &Path, root: &Path) -> String {
    relative_to(path, root).unwrap_or_else(|| display_path(path))
}

/// The folder CI paths are relative to: the repository around the current folder, or the
/// current folder itself.
pub fn ci_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    repo_root(&cwd).unwrap_or(cwd)
}

/// The summary line of a run: `4 problems (3 errors, 1 warning) in 2 files.`
pub fn summary(totals: Totals) -> String {
    let problems = totals.errors + totals.warnings;
    if problems == 0 {
        return format!(
            "No leaks found in {} {}.",
            totals.files,
            plural(totals.files, "file")
        );
    }
    format!(
        "{problems} {} ({} {}, {} {}) in {} {}.",
        plural(problems, "problem"),
        totals.errors,
        plural(totals.errors, "error"),
        totals.warnings,
        plural(totals.warnings, "warning"),
        totals.files,
        plural(totals.files, "file"),
    )
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
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
