//! `--cache`: reuse the results of files that did not change since the last run, like ESLint's
//! `--cache`. An entry is keyed by the file's content, the settings that applied to it and
//! leaklint's version, so any change to one of them lints the file again.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Location, Range, RelatedLocation, Severity};
use crate::result::LintOutput;
use crate::rules;
use crate::source::Position;

/// Where the cache lives unless `--cache-location` says otherwise.
pub const DEFAULT_LOCATION: &str = ".leaklintcache";

/// The cache key of one file's content under one fingerprint of settings.
pub fn key(content: &[u8], settings_fingerprint: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(content, settings_fingerprint)
}

#[derive(Serialize, Deserialize, Default)]
struct CacheFile {
    version: String,
    entries: FxHashMap<PathBuf, Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Entry {
    key: u64,
    diagnostics: Vec<CachedDiagnostic>,
    skipped: Option<String>,
}

#[derive(Serialize, Deserialize, Clone)]
struct CachedDiagnostic {
    rule: Option<String>,
    severity: Severity,
    message: String,
    location: CachedLocation,
    related: Vec<(CachedLocation, String)>,
    help: Option<String>,
    fatal: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
struct CachedLocation {
    range: (usize, usize),
    start: (u32, u32),
    end: (u32, u32),
}

impl From<&Location> for CachedLocation {
    fn from(location: &Location) -> Self {
        CachedLocation {
            range: (location.range.start, location.range.end),
            start: (location.start.line, location.start.column),
            end: (location.end.line, location.end.column),
        }
    }
}

impl From<CachedLocation> for Location {
    fn from(cached: CachedLocation) -> Self {
        Location {
            range: Range::new(cached.range.0, cached.range.1),
            start: Position {
                line: cached.start.0,
                column: cached.start.1,
            },
            end: Position {
                line: cached.end.0,
                column: cached.end.1,
            },
        }
    }
}

impl Entry {
    pub fn new(key: u64, output: &LintOutput) -> Entry {
        Entry {
            key,
            skipped: output.skipped.clone(),
            diagnostics: output
                .diagnostics
                .iter()
                .map(|d| CachedDiagnostic {
                    rule: d.rule.map(str::to_string),
                    severity: d.severity,
                    message: d.message.clone(),
                    location: (&d.location).into(),
                    related: d
                        .related
                        .iter()
                        .map(|r| ((&r.location).into(), r.message.clone()))
                        .collect(),
                    help: d.help.clone(),
                    fatal: d.fatal,
                })
                .collect(),
        }
    }

    /// The cached output, or `None` if it names a rule this build does not have.
    fn output(&self) -> Option<LintOutput> {
        let diagnostics = self
            .diagnostics
            .iter()
            .map(|d| {
                let rule = match &d.rule {
                    Some(id) => Some(rules::find(id)?.id),
                    None => None,
                };
                Some(Diagnostic {
                    rule,
                    severity: d.severity,
                    message: d.message.clone(),
                    location: d.location.into(),
                    related: d
                        .related
                        .iter()
                        .map(|(location, message)| RelatedLocation {
                            location: (*location).into(),
                            message: message.clone(),
                        })
                        .collect(),
                    help: d.help.clone(),
                    fatal: d.fatal,
                    // Verification runs after linting, never from the cache.
                    verification: None,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(LintOutput {
            diagnostics,
            skipped: self.skipped.clone(),
        })
    }
}

/// The results of the last run, read once before linting and written once after.
#[derive(Clone)]
pub struct Cache {
    location: PathBuf,
    entries: FxHashMap<PathBuf, Entry>,
}

impl Cache {
    /// Loads the cache; a missing, unreadable or outdated file is an empty cache.
    pub fn load(location: &Path) -> Cache {
        let entries = std::fs::read(location)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|file| file.version == env!("CARGO_PKG_VERSION"))
            .map(|file| file.entries)
            .unwrap_or_default();
        Cache {
            location: location.to_path_buf(),
            entries,
        }
    }

    /// The cached output of `path`, if its key still matches.
    pub fn get(&self, path: &Path, key: u64) -> Option<LintOutput> {
        self.entries
            .get(path)
            .filter(|entry| entry.key == key)
            .and_then(Entry::output)
    }

    /// Writes the cache with this run's entries; files not linted this time keep theirs.
    pub fn save(mut self, entries: Vec<(PathBuf, Entry)>) -> std::io::Result<()> {
        self.entries.extend(entries);
        let file = CacheFile {
            version: env!("CARGO_PKG_VERSION").to_string(),
            entries: self.entries,
        };
        let temporary = self.location.with_extension("tmp");
        std::fs::write(&temporary, serde_json::to_vec(&file)?)?;
        std::fs::rename(&temporary, &self.location)
    }
}
