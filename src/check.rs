//! `leaklint check`: walk, read and lint every file in parallel, in a stable order.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::cache::{self, Cache, Entry};
use crate::config::{ConfigError, ConfigResolver, Overrides, PackageTypes, Settings};
use crate::diagnostic::{Diagnostic, Range};
use crate::lint::{fatal, lint_source, LintOutput};
use crate::source::{LineIndex, SourceType};
use crate::walk::{describe_io_error, walk};

/// Each worker thread's stack: deep (but not absurd) nesting recurses in the parser, the
/// visitors and the AST's drop, and a stack overflow cannot be caught.
pub const WORKER_STACK: usize = 512 * 1024 * 1024;

/// Files above this size are skipped with a note unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// How long one file may take unless `--file-timeout` says otherwise. The largest real files
/// take about a second; swc's TypeScript parser, on input that makes it backtrack, can take
/// hours.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub threads: usize,
    pub max_file_size: u64,
    /// A file still being linted after this long is reported as not linted, and the run goes
    /// on without it.
    pub file_timeout: Duration,
    pub config: Option<PathBuf>,
    pub overrides: Overrides,
    /// `--cache`: where to keep results of unchanged files.
    pub cache: Option<PathBuf>,
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

struct Job {
    path: PathBuf,
    settings: Arc<(crate::config::ConfigFile, Settings)>,
    package_is_module: bool,
}

pub fn check(options: &CheckOptions) -> Result<CheckResult, ConfigError> {
    let threads = options.threads.max(1);
    let walked = walk(&options.paths, threads);
    let mut result = CheckResult::default();
    for error in walked.errors {
        result.io_errors.push(Note {
            path: error.path,
            message: error.message,
        });
    }
    let mut resolver = ConfigResolver::new(options.config.as_deref(), options.overrides.clone())?;
    let mut package_types = PackageTypes::new();
    let mut jobs = Vec::with_capacity(walked.files.len());
    for file in walked.files {
        let dir = file.path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let settings = resolver.for_dir(dir)?;
        if settings
            .0
            .ignores(&std::path::absolute(&file.path).unwrap_or(file.path.clone()))
        {
            continue;
        }
        if file.explicit && SourceType::from_path(&file.path).is_none() {
            result.notes.push(Note {
                path: file.path,
                message: "not a JavaScript or TypeScript file (.js .mjs .cjs .jsx .ts .mts .cts .tsx, not .d.ts); skipped".into(),
            });
            continue;
        }
        let package_is_module = package_types.is_module(dir);
        jobs.push(Job {
            path: file.path,
            settings,
            package_is_module,
        });
    }
    let cache = options.cache.as_deref().map(Cache::load).map(Arc::new);
    let max_file_size = options.max_file_size;
    let file_timeout = options.file_timeout;
    let worker_cache = cache.clone();
    let outcomes = run_with_deadline(
        jobs,
        threads,
        // The size is read again when the job starts: one more stat, from the workers.
        move |job: &Job| {
            let size = std::fs::metadata(&job.path).map_or(0, |meta| meta.len());
            file_deadline(file_timeout, size)
        },
        move |job| lint_file(job, max_file_size, worker_cache.as_deref()),
        |job, timeout| (Outcome::Skipped(timed_out(&job.path, timeout)), None),
    );
    let mut entries = Vec::new();
    for (outcome, entry) in outcomes {
        entries.extend(entry);
        match outcome {
            Outcome::Linted(report) => result.files.push(report),
            Outcome::Skipped(note) => result.notes.push(note),
            Outcome::Unreadable(report) => {
                result.files.push(report);
                result.unreadable += 1;
            }
        }
    }
    if let (Some(cache), Some(location)) = (cache, &options.cache) {
        // A worker left behind on a file past the deadline may still hold the cache.
        let cache = Arc::try_unwrap(cache).unwrap_or_else(|shared| (*shared).clone());
        if let Err(error) = cache.save(entries) {
            result.notes.push(Note {
                path: location.clone(),
                message: format!("cannot write the cache: {error}"),
            });
        }
    }
    result.notes.sort();
    result.io_errors.sort();
    Ok(result)
}

/// How long a file of `size` bytes may take: `timeout` for each started MB, since large files
/// take longer honestly (a debug build lints 20 MB of minified code in some 15 s), and only
/// small ones are known to make the parser backtrack for hours.
pub fn file_deadline(timeout: Duration, size: u64) -> Duration {
    timeout * u32::try_from(size.div_ceil(1 << 20).max(1)).unwrap_or(u32::MAX)
}

fn timed_out(path: &Path, timeout: Duration) -> Note {
    Note {
        path: path.to_path_buf(),
        message: format!(
            "still being linted after {} s (--file-timeout), which only swc's TypeScript parser backtracking on it is known to cause; not linted",
            timeout.as_secs_f64()
        ),
    }
}

/// Runs `work` on every job on `threads` workers (with the workers' large stack) and returns the
/// outputs in the jobs' order. A job still running after its `deadline` gets `timed_out`'s output
/// instead, and a new worker takes the stuck one's place: swc's parser cannot be interrupted,
/// so that thread is left to finish or to end with the process.
fn run_with_deadline<J, T, D, W>(
    jobs: Vec<J>,
    threads: usize,
    deadline: D,
    work: W,
    timed_out: impl Fn(&J, Duration) -> T,
) -> Vec<T>
where
    J: Send + Sync + 'static,
    T: Send + 'static,
    D: Fn(&J) -> Duration + Send + Sync + 'static,
    W: Fn(&J) -> T + Send + Sync + 'static,
{
    struct Shared<J, T, D, W> {
        jobs: Vec<J>,
        next: AtomicUsize,
        /// What each worker is on, and when it must be done.
        running: Mutex<Vec<Option<(usize, Instant)>>>,
        /// Each job's output, and how many there are; `finished` is signalled at the last.
        outputs: Mutex<(Vec<Option<T>>, usize)>,
        finished: Condvar,
        deadline: D,
        work: W,
    }
    let count = jobs.len();
    let shared = Arc::new(Shared {
        jobs,
        next: AtomicUsize::new(0),
        running: Mutex::new(Vec::new()),
        outputs: Mutex::new((std::iter::repeat_with(|| None).take(count).collect(), 0)),
        finished: Condvar::new(),
        deadline,
        work,
    });
    // Workers store their outputs themselves: waking this thread for each file would cost more
    // than the deadline is worth.
    let spawn_worker = |shared: &Arc<Shared<J, T, D, W>>| {
        let shared = Arc::clone(shared);
        let slot = {
            let mut running = shared.running.lock().expect("not poisoned");
            running.push(None);
            running.len() - 1
        };
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn(move || loop {
                let index = shared.next.fetch_add(1, Ordering::Relaxed);
                if index >= shared.jobs.len() {
                    break;
                }
                let due = Instant::now() + (shared.deadline)(&shared.jobs[index]);
                shared.running.lock().expect("not poisoned")[slot] = Some((index, due));
                let output = (shared.work)(&shared.jobs[index]);
                shared.running.lock().expect("not poisoned")[slot] = None;
                let mut outputs = shared.outputs.lock().expect("not poisoned");
                // A job past its deadline already has its note.
                if outputs.0[index].is_none() {
                    outputs.0[index] = Some(output);
                    outputs.1 += 1;
                    if outputs.1 == shared.jobs.len() {
                        shared.finished.notify_all();
                    }
                }
            })
            .is_ok()
    };
    let mut workers = 0;
    for _ in 0..threads.min(count) {
        workers += usize::from(spawn_worker(&shared));
    }
    if workers == 0 && count > 0 {
        // No thread could start: lint here, on this thread's stack.
        return shared.jobs.iter().map(|job| (shared.work)(job)).collect();
    }
    let mut abandoned = Vec::new();
    let mut outputs = shared.outputs.lock().expect("not poisoned");
    // A worker that died mid-job leaves its slot taken, and is replaced at the deadline too.
    while outputs.1 < count {
        outputs = shared
            .finished
            .wait_timeout(outputs, Duration::from_millis(50))
            .expect("not poisoned")
            .0;
        let now = Instant::now();
        let stuck: Vec<usize> = shared
            .running
            .lock()
            .expect("not poisoned")
            .iter()
            .flatten()
            .filter(|(index, due)| {
                now >= *due && outputs.0[*index].is_none() && !abandoned.contains(index)
            })
            .map(|(index, _)| *index)
            .collect();
        for index in stuck {
            let job = &shared.jobs[index];
            outputs.0[index] = Some(timed_out(job, (shared.deadline)(job)));
            outputs.1 += 1;
            abandoned.push(index);
            spawn_worker(&shared);
        }
    }
    std::mem::take(&mut outputs.0)
        .into_iter()
        .flatten()
        .collect()
}

enum Outcome {
    Linted(FileReport),
    Skipped(Note),
    Unreadable(FileReport),
}

fn lint_file(
    job: &Job,
    max_file_size: u64,
    cache: Option<&Cache>,
) -> (Outcome, Option<(PathBuf, Entry)>) {
    let Some(cache) = cache else {
        return (lint_file_uncached(job, max_file_size, None).0, None);
    };
    let absolute = std::path::absolute(&job.path).unwrap_or_else(|_| job.path.clone());
    let (outcome, entry) = lint_file_uncached(job, max_file_size, Some((cache, &absolute)));
    (outcome, entry.map(|entry| (absolute, entry)))
}

fn lint_file_uncached(
    job: &Job,
    max_file_size: u64,
    cache: Option<(&Cache, &Path)>,
) -> (Outcome, Option<Entry>) {
    let path = &job.path;
    let note = |message: String| Note {
        path: path.clone(),
        message,
    };
    let size = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) => return (unreadable(path, describe_io_error(&e)), None),
    };
    if size > max_file_size {
        let message = format!(
            "{} is over the {} size limit (--max-file-size); skipped",
            human_size(size),
            human_size(max_file_size)
        );
        return (Outcome::Skipped(note(message)), None);
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return (unreadable(path, describe_io_error(&e)), None),
    };
    let settings = &job.settings.1;
    let Some((cache, absolute)) = cache else {
        return (
            lint_bytes(path, &bytes, settings, job.package_is_module),
            None,
        );
    };
    let key = cache::key(
        &bytes,
        settings.fingerprint ^ u64::from(job.package_is_module),
    );
    let mut entry = None;
    let outcome = report_of(path, &bytes, |text| {
        cache.get(absolute, key).unwrap_or_else(|| {
            let output = lint_source(path, text, settings, job.package_is_module);
            entry = Some(Entry::new(key, &output));
            output
        })
    });
    (outcome, entry)
}

/// Lints the content of one file, given as bytes (a file's or standard input's).
fn lint_bytes(path: &Path, bytes: &[u8], settings: &Settings, package_is_module: bool) -> Outcome {
    report_of(path, bytes, |text| {
        lint_source(path, text, settings, package_is_module)
    })
}

/// The report of one file's content; `lint` gives the output for its decoded text (by linting
/// it, or from the cache).
fn report_of(path: &Path, bytes: &[u8], lint: impl FnOnce(&str) -> LintOutput) -> Outcome {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(message) => return Outcome::Linted(content_error(path, message)),
    };
    let output = lint(text);
    if let Some(reason) = output.skipped {
        return Outcome::Skipped(Note {
            path: path.to_path_buf(),
            message: reason,
        });
    }
    let keep_text = !output.diagnostics.is_empty();
    Outcome::Linted(FileReport {
        path: path.to_path_buf(),
        text: keep_text.then(|| Arc::from(text.strip_prefix('\u{feff}').unwrap_or(text))),
        diagnostics: output.diagnostics,
    })
}

/// `check --stdin --stdin-filename PATH`: lints `bytes` as if they were the file `path`, which
/// need not exist. The configuration (`leaklint.toml`, `ignore`), the syntax (the extension) and
/// the module kind (`package.json` `type`) all come from `path`, as if the file were there.
pub fn check_stdin(
    path: &Path,
    bytes: &[u8],
    options: &CheckOptions,
) -> Result<CheckResult, ConfigError> {
    let mut result = CheckResult::default();
    let mut resolver = ConfigResolver::new(options.config.as_deref(), options.overrides.clone())?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let settings = resolver.for_dir(dir)?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if settings.0.ignores(&absolute) {
        result.notes.push(Note {
            path: path.to_path_buf(),
            message: "matched by `ignore` in leaklint.toml; not linted".into(),
        });
        return Ok(result);
    }
    if bytes.len() as u64 > options.max_file_size {
        result.notes.push(Note {
            path: path.to_path_buf(),
            message: format!(
                "{} is over the {} size limit (--max-file-size); skipped",
                human_size(bytes.len() as u64),
                human_size(options.max_file_size)
            ),
        });
        return Ok(result);
    }
    let package_is_module = PackageTypes::new().is_module(dir);
    // Parse and lint on a thread with the workers' large stack and the deadline, as for files.
    let job = (path.to_path_buf(), bytes.to_vec(), settings);
    let deadline = file_deadline(options.file_timeout, bytes.len() as u64);
    let mut outcomes = run_with_deadline(
        vec![job],
        1,
        move |_: &_| deadline,
        move |(path, bytes, settings)| lint_bytes(path, bytes, &settings.1, package_is_module),
        |(path, _, _), timeout| Outcome::Skipped(timed_out(path, timeout)),
    );
    match outcomes.pop() {
        Some(Outcome::Linted(report)) => result.files.push(report),
        Some(Outcome::Skipped(note)) => result.notes.push(note),
        Some(Outcome::Unreadable(report)) => {
            result.files.push(report);
            result.unreadable += 1;
        }
        None => {}
    }
    Ok(result)
}

/// The text of a file, or why it is not JavaScript text.
pub fn decode(bytes: &[u8]) -> Result<&str, String> {
    if bytes.contains(&0) {
        return Err("binary file (it contains NUL bytes); not linted".into());
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let text = std::str::from_utf8(valid).unwrap_or("");
        let index = LineIndex::new(text);
        let position = index.position(text, text.len());
        format!(
            "not valid UTF-8: byte 0x{:02X} at line {}, column {} cannot be decoded; not linted",
            bytes[e.valid_up_to()],
            position.line,
            position.column
        )
    })
}

fn content_error(path: &Path, message: String) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        text: None,
        diagnostics: vec![fatal("", &LineIndex::new(""), Range::new(0, 0), message)],
    }
}

fn unreadable(path: &Path, message: String) -> Outcome {
    Outcome::Unreadable(content_error(
        path,
        format!("cannot read the file: {message}"),
    ))
}

fn human_size(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}
