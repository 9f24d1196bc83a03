//! What linting produces, for one text and for a whole run: the types the reporters, the
//! verifier and the cache read, apart from the stages that make them ([`crate::lint`],
//! [`crate::check`]).

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;

/// The outcome of linting one text.
#[derive(Debug, Default)]
pub struct LintOutput {
    pub diagnostics: Vec<Diagnostic>,
    /// Why the file was not linted, when it was skipped (too deep).
    pub skipped: Option<String>,
}

/// One linted file.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    /// The text, kept only when there is something to show in it.
    pub text: Option<Arc<str>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file or folder leaklint did not lint, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub path: PathBuf,
    pub message: String,
}

/// Everything one run found.
#[derive(Debug, Default)]
pub struct CheckResult {
    pub files: Vec<FileReport>,
    /// Skipped files (too large, too deep, not JavaScript).
    pub notes: Vec<Note>,
    /// Folders the walk could not read (symlink loops, permissions).
    pub io_errors: Vec<Note>,
    /// Files that could not be read; reported as fatal diagnostics, they make the exit status 2.
    pub unreadable: usize,
}
