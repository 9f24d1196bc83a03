//! `leaklint check`: walk, read and lint every file in parallel, in a stable order.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::cache::{self, Cache, Entry};
use crate::config::{ConfigError, ConfigResolver, Overrides, PackageTypes, ResolvedConfig};
use crate::diagnostic::Range;
use crate::lint::{fatal, lint_source};
use crate::result::{CheckResult, FileReport, LintOutput, Note};
use crate::runtime::{file_deadline, Workers};
use crate::settings::Settings;
use crate::source::{decode, LineIndex, SourceType};
use crate::walk::{describe_io_error, walk};

/// Files above this size are skipped with a note unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

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

struct Job {
    path: PathBuf,
    config: Arc<ResolvedConfig>,
    package_is_module: bool,
}

/// What holds for every file of one folder.
struct Folder {
    dir: PathBuf,
    absolute: PathBuf,
    config: Arc<ResolvedConfig>,
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
    // The walk lists a folder's files together: what holds for a folder is asked once.
    let mut folder: Option<Folder> = None;
    for file in walked.files {
        let dir = file.path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if folder.as_ref().is_none_or(|f| f.dir != dir) {
            folder = Some(Folder {
                dir: dir.to_path_buf(),
                absolute: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
                config: resolver.for_dir(dir)?,
                package_is_module: package_types.is_module(dir),
            });
        }
        let Folder {
            absolute,
            config,
            package_is_module,
            ..
        } = folder.as_ref().expect("set above");
        let (config, package_is_module) = (config.clone(), *package_is_module);
        let absolute = match file.path.file_name() {
            Some(name) => absolute.join(name),
            None => std::path::absolute(&file.path).unwrap_or(file.path.clone()),
        };
        if config.file.ignores(&absolute) {
            continue;
        }
        if file.explicit && SourceType::from_path(&file.path).is_none() {
            result.notes.push(Note {
                path: file.path,
                message: "not a JavaScript or TypeScript file (.js .mjs .cjs .jsx .ts .mts .cts .tsx, not .d.ts); skipped".into(),
            });
            continue;
        }
        jobs.push(Job {
            path: file.path,
            config,
            package_is_module,
        });
    }
    let cache = options.cache.as_deref().map(Cache::load).map(Arc::new);
    let max_file_size = options.max_file_size;
    let file_timeout = options.file_timeout;
    let worker_cache = cache.clone();
    let mut workers = Workers::new(threads, move |job: &Job| {
        lint_file(job, max_file_size, worker_cache.as_deref())
    });
    let outcomes = workers.run(
        jobs,
        // The size is read again while the job runs, each time the workers' caller looks for
        // jobs past their deadline (one stat per look, not one per file).
        move |job: &Job| {
            let size = std::fs::metadata(&job.path).map_or(0, |meta| meta.len());
            file_deadline(file_timeout, size)
        },
        |job, timeout| (Outcome::Skipped(timed_out(&job.path, timeout)), None),
    );
    // The threads that wait for jobs end here, and with them their hold on the cache.
    drop(workers);
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

fn timed_out(path: &Path, timeout: Duration) -> Note {
    Note {
        path: path.to_path_buf(),
        message: format!(
            "still being linted after {} s (--file-timeout), {}; not linted",
            timeout.as_secs_f64(),
            crate::runtime::why_stuck(path)
        ),
    }
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
    let too_large = |size: u64| {
        (size > max_file_size).then(|| {
            let message = format!(
                "{} is over the {} size limit (--max-file-size); skipped",
                human_size(size),
                human_size(max_file_size)
            );
            (Outcome::Skipped(note(message)), None)
        })
    };
    // Opened first and sized from the open file: one lookup of the path, not a `stat` and an
    // `open`. When it cannot be opened, the size decides as before: a file too large is
    // skipped, whether or not it could be read.
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(open_error) => {
            return match std::fs::metadata(path) {
                Ok(meta) => too_large(meta.len())
                    .unwrap_or_else(|| (unreadable(path, describe_io_error(&open_error)), None)),
                Err(e) => (unreadable(path, describe_io_error(&e)), None),
            }
        }
    };
    let size = match file.metadata() {
        Ok(meta) => meta.len(),
        Err(e) => return (unreadable(path, describe_io_error(&e)), None),
    };
    if let Some(skipped) = too_large(size) {
        return skipped;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Through `take`, which reads as `std::fs::read` does: a `File`'s own `read_to_end` would
    // ask for the size again (an `fstat` and an `lseek`).
    if let Err(e) =
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, u64::MAX), &mut bytes)
    {
        return (unreadable(path, describe_io_error(&e)), None);
    }
    let settings = &job.config.settings;
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
    let config = resolver.for_dir(dir)?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if config.file.ignores(&absolute) {
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
    let deadline = file_deadline(options.file_timeout, bytes.len() as u64);
    let (file, bytes) = (path.to_path_buf(), bytes.to_vec());
    let mut workers = Workers::new(1, move |_: &()| {
        lint_bytes(&file, &bytes, &config.settings, package_is_module)
    });
    let mut outcomes = workers.run(
        vec![()],
        move |_| deadline,
        |_, timeout| Outcome::Skipped(timed_out(path, timeout)),
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
