//! A parse in a child process, with a deadline, for the TypeScript files that the pre-scan
//! ([`crate::prescan::speculation_depth`]) finds may make swc backtrack for too long. swc's
//! parser cannot be interrupted, and a thread stuck in it could not be stopped, but a child
//! process can be killed. So such a file is parsed once in a child: if that finishes in time,
//! the file is linted as usual; if not, the child is killed and the file is skipped with a
//! note. Real code that only looks suspicious (code without semicolons, heavy generics) is
//! still linted, at the cost of one process.
//!
//! Only the `leaklint` binary installs the child parse (it is the child too, through the hidden
//! `__parse` subcommand). Without it, as in the fuzz targets, such files are skipped.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use swc_ecma_ast::{Expr, JSXElement, Pat, Stmt, TsType};
use swc_ecma_visit::{Visit, VisitWith};

use crate::parse;
use crate::runtime::WORKER_STACK;
use crate::source::SourceType;

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "__parse";

/// Lets [`crate::lint_source`] parse suspicious files in a child `leaklint __parse`.
pub fn install() {
    INSTALLED.store(true, Ordering::Relaxed);
}

pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// How long the child may take: the slowest real file parses in tens of milliseconds, a
/// backtracking one in seconds to hours.
pub fn deadline(len: usize) -> Duration {
    Duration::from_secs(3) + Duration::from_millis((len >> 10) as u64)
}

/// Parses `text` as the file `path` in a child process. `Err` says why the file cannot be
/// linted: the parse did not finish by the deadline, or the child could not be run.
pub fn parse_in_child(text: &str, path: &Path) -> Result<(), String> {
    in_child(text, path, false).map(|_| ())
}

/// How deep the AST of `text` nests, measured in a child process: for a file the nesting
/// pre-scan ([`crate::prescan::nesting_depth`]) finds too deep, which it may overestimate
/// (code without semicolons, a class of many typed methods). The child has the workers' stack;
/// if the file nests too deep for that, the child dies, not this process. `Err` says why there
/// is no answer.
pub fn depth_in_child(text: &str, path: &Path) -> Result<usize, String> {
    let output = in_child(text, path, true)?;
    output
        .trim()
        .parse()
        .map_err(|_| "the parse in a child process could not measure it".to_string())
}

/// Runs the child on `text` and returns what it printed, once it ends in time.
fn in_child(text: &str, path: &Path, depth: bool) -> Result<String, String> {
    let name = path
        .file_name()
        .map_or("a.ts".into(), |n| n.to_string_lossy());
    let exe = std::env::current_exe().map_err(|e| format!("cannot find leaklint itself: {e}"))?;
    let deadline = deadline(text.len());
    // The child also stops itself at the deadline: a parent that exits while it waits (the
    // CLI's per-file deadline can end the run first) cannot kill it any more.
    let mut command = Command::new(exe);
    command
        .args([SUBCOMMAND, &name, &deadline.as_millis().to_string()])
        .args(depth.then_some("--depth"))
        .stdin(Stdio::piped())
        .stdout(if depth { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::null());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl(2) is async-signal-safe; the child dies with the thread that waits on
        // it, whatever the way that thread's process ends.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start a parse in a child process: {e}"))?;
    let started = Instant::now();
    // The child reads all of standard input before it parses, so this cannot block on it.
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes());
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            // What it prints is one number, which the pipe holds until it is read.
            Ok(Some(status)) if written.is_ok() && (!depth || status.success()) => {
                let mut printed = String::new();
                if let Some(mut stdout) = child.stdout.take() {
                    let _ = stdout.read_to_string(&mut printed);
                }
                return Ok(printed);
            }
            Ok(Some(status)) => {
                return Err(format!("the parse in a child process failed ({status})"))
            }
            Ok(None) if started.elapsed() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                // Only TypeScript files are parsed here for their time; any file for its depth.
                let parser = if depth {
                    "swc's parser"
                } else {
                    "swc's TypeScript parser"
                };
                return Err(format!(
                    "{parser} did not finish within {:.1} s",
                    deadline.as_secs_f64()
                ));
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Err(format!("cannot wait for the parse in a child process: {e}")),
        }
    }
}

/// The child: parses standard input as the file `name`, on a worker-sized stack, and exits 0
/// whatever the parse found (the parent only asks whether it ends in time); it exits 3 a
/// second after `deadline_ms` if the parse has not ended. With `depth`, it prints how deep
/// the AST nests, and nothing when the text does not parse.
pub fn run_child(name: &str, deadline_ms: u64, depth: bool) -> ExitCode {
    // Past the parent's deadline, no one is waiting for the answer.
    let limit = Duration::from_millis(deadline_ms) + Duration::from_secs(1);
    let _ = std::thread::Builder::new().spawn(move || {
        std::thread::sleep(limit);
        std::process::exit(3);
    });
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return ExitCode::from(2);
    }
    let Some(source_type) = SourceType::from_path(Path::new(name)) else {
        return ExitCode::from(2);
    };
    let parsed = std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(move || {
            std::panic::catch_unwind(|| {
                let parsed = parse::parse(&text, source_type, false);
                let mut nesting = Nesting::default();
                // A text that does not parse has no depth to tell: the parent refuses it as
                // the pre-scan says.
                match (depth, &parsed.program) {
                    (true, Some(program)) if parsed.errors.is_empty() => {
                        program.visit_with(&mut nesting);
                        Some(nesting.deepest)
                    }
                    _ => None,
                }
            })
            .unwrap_or(None)
        })
        .map(|worker| worker.join());
    match parsed {
        Ok(Ok(deepest)) => {
            if let (true, Some(deepest)) = (depth, deepest) {
                println!("{deepest}");
            }
            ExitCode::SUCCESS
        }
        _ => ExitCode::from(2),
    }
}

/// How deep expressions, statements, patterns and types nest in an AST: the depth of the
/// recursion that walking or dropping it takes, in the units of [`crate::prescan::MAX_NESTING`].
#[derive(Default)]
struct Nesting {
    now: usize,
    deepest: usize,
}

macro_rules! nests {
    ($($visit:ident: $node:ty),*) => {
        impl Visit for Nesting {
            $(fn $visit(&mut self, node: &$node) {
                self.now += 1;
                self.deepest = self.deepest.max(self.now);
                node.visit_children_with(self);
                self.now -= 1;
            })*
        }
    };
}

nests!(
    visit_expr: Expr,
    visit_stmt: Stmt,
    visit_pat: Pat,
    visit_ts_type: TsType,
    visit_jsx_element: JSXElement
);
