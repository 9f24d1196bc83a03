//! Where and for how long linting runs: the large stacks of the threads that parse, the per-file
//! deadline and the workers that keep it ([`workers`]), and the parse in a child process for the
//! files a thread could not be stopped on ([`child_parse`]), and the binaries' allocator
//! ([`alloc`]). The CLI (`check`), the language
//! server and the verifier use them alike; nothing here knows what a job does.

use std::time::Duration;

pub mod alloc;
pub mod child_parse;

/// Why a file may still be being linted at its deadline, for the note that says so: only swc's
/// TypeScript parser, backtracking on odd input, is known to take that long; a plain JavaScript
/// file that does is a bug to report, not the TypeScript parser's doing.
pub fn why_stuck(path: &std::path::Path) -> &'static str {
    match crate::source::SourceType::from_path(path) {
        Some(source_type) if source_type.typescript => {
            "which only swc's TypeScript parser backtracking on it is known to cause"
        }
        _ => "which no JavaScript file is known to need (please report it)",
    }
}
pub mod workers;

pub use workers::Workers;

/// Each worker thread's stack: deep (but not absurd) nesting recurses in the parser, the
/// visitors and the AST's drop, and a stack overflow cannot be caught.
pub const WORKER_STACK: usize = 512 * 1024 * 1024;

/// How long one file may take unless `--file-timeout` says otherwise. The largest real files
/// take about a second; swc's TypeScript parser, on input that makes it backtrack, can take
/// hours.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a file of `size` bytes may take: `timeout` for each started MB, since large files
/// take longer honestly (a debug build lints 20 MB of minified code in some 15 s), and only
/// small ones are known to make the parser backtrack for hours.
pub fn file_deadline(timeout: Duration, size: u64) -> Duration {
    timeout * u32::try_from(size.div_ceil(1 << 20).max(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod why_stuck_tests {
    use super::why_stuck;
    use std::path::Path;

    #[test]
    fn only_typescript_is_blamed_on_the_typescript_parser() {
        assert!(why_stuck(Path::new("a.ts")).contains("TypeScript parser"));
        assert!(why_stuck(Path::new("a.tsx")).contains("TypeScript parser"));
        assert!(!why_stuck(Path::new("a.js")).contains("TypeScript"));
        assert!(!why_stuck(Path::new("a.mjs")).contains("TypeScript"));
    }
}
