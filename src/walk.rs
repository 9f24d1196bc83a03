//! Walking: paths on the command line to the files to lint, in a stable order.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::source::{is_minified_name, SourceType};

/// A file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    pub path: PathBuf,
    /// Named on the command line rather than found in a folder.
    pub explicit: bool,
}

/// Something the walk could not read (a symlink loop, an unreadable folder).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<WalkedFile>,
    pub errors: Vec<WalkError>,
}

/// Finds the files to lint under `paths`: `.gitignore`-aware, `node_modules`, hidden files and
/// minified names skipped; a file named explicitly is always taken.
pub fn walk(paths: &[PathBuf], threads: usize) -> Walk {
    let mut result = Walk::default();
    let mut roots = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(_) => result.files.push(WalkedFile {
                path: path.clone(),
                explicit: true,
            }),
            Err(e) => result.errors.push(WalkError {
                path: path.clone(),
                message: describe_io_error(&e),
            }),
        }
    }
    if !roots.is_empty() {
        let found = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        let mut builder = WalkBuilder::new(&roots[0]);
        for root in &roots[1..] {
            builder.add(root);
        }
        builder
            .follow_links(true)
            .require_git(false)
            .threads(threads)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                !(is_dir && entry.file_name() == "node_modules")
            });
        builder.build_parallel().run(|| {
            let found = &found;
            let errors = &errors;
            Box::new(move |entry| {
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && is_lintable(entry.path()) {
                            found.lock().expect("not poisoned").push(entry.into_path());
                        }
                    }
                    Err(error) => errors.lock().expect("not poisoned").push(walk_error(error)),
                }
                WalkState::Continue
            })
        });
        result.files.extend(
            found
                .into_inner()
                .expect("not poisoned")
                .into_iter()
                .map(|path| WalkedFile {
                    path,
                    explicit: false,
                }),
        );
        result
            .errors
            .extend(errors.into_inner().expect("not poisoned"));
    }
    sort_files(&mut result.files);
    result.files.dedup_by(|a, b| a.path == b.path);
    result.errors.sort();
    result
}

/// Sorts as `Vec::sort` would, comparing each path's [`sort_key`] instead of splitting both
/// paths into components at every comparison (which took 1 % of a run over 11,000 files).
fn sort_files(files: &mut [WalkedFile]) {
    files.sort_by_cached_key(|file| (sort_key(&file.path), file.explicit));
}

/// Bytes that order as `Path`'s `Ord` does: per component, its kind (in the order of
/// `Component`'s variants), its text and a NUL, which no component contains and which sorts a
/// component before any longer one it begins.
fn sort_key(path: &Path) -> Vec<u8> {
    use std::path::Component;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for component in path.components() {
        key.push(match component {
            Component::Prefix(_) => 0,
            Component::RootDir => 1,
            Component::CurDir => 2,
            Component::ParentDir => 3,
            Component::Normal(_) => 4,
        });
        key.extend_from_slice(component.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// A file found in a folder is linted when its extension is one leaklint reads and its name does
/// not mark it as minified.
fn is_lintable(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    SourceType::from_path(path).is_some() && !is_minified_name(name)
}

fn walk_error(error: ignore::Error) -> WalkError {
    let mut path = PathBuf::new();
    let mut error = &error;
    let message;
    loop {
        match error {
            ignore::Error::WithPath { path: p, err } => {
                path = p.clone();
                error = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = err
            }
            ignore::Error::Loop { child, .. } => {
                path = child.clone();
                message =
                    "symbolic link loop: it points back to one of its own parent folders".into();
                break;
            }
            ignore::Error::Io(io) => {
                message = describe_io_error(io);
                break;
            }
            other => {
                message = other.to_string();
                break;
            }
        }
    }
    WalkError { path, message }
}

pub fn describe_io_error(error: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match error.kind() {
        NotFound => "no such file or folder".into(),
        PermissionDenied => "permission denied".into(),
        _ if error.raw_os_error() == Some(40) => {
            "too many levels of symbolic links (a symlink loop)".into()
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key orders paths exactly as `Path` does, on the shapes that tell a byte order and
    /// a component order apart (`a-b` against `a/b`, a component against a longer one).
    #[test]
    fn sort_keys_order_as_paths_do() {
        let paths = [
            "a/b.js", "a-b.js", "a.b/c.js", "a/b/c.js", "a", "a/", "./a.js", "../x.js", "/r/a.js",
            "/r-a.js", "a//b.js", "a/./b.js", "ab/c.js", "a b/c.js", "é/x.js", "Z/a.js",
        ];
        for x in paths {
            for y in paths {
                let (x, y) = (Path::new(x), Path::new(y));
                assert_eq!(
                    sort_key(x).cmp(&sort_key(y)),
                    x.cmp(y),
                    "{x:?} against {y:?}"
                );
            }
        }
    }
}
