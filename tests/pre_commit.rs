//! The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit framework with
//! `pre-commit try-repo <this working tree>` in a temporary git repository, on staged files.
//!
//! pre-commit must be installed (`.ci/run` installs it from PyPI); without it these tests fail,
//! they do not skip.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const LEAK: &str = "function handle(req) {\n  lastRequest = req;\n}\nmodule.exports = handle;\n";
const CLEAN: &str =
    "function handle(req) {\n  const last = req;\n  return last;\n}\nmodule.exports = handle;\n";

/// The command that runs pre-commit: `pre-commit` on PATH, or the Python module.
fn pre_commit() -> Vec<String> {
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works("pre-commit", &[]) {
        return vec!["pre-commit".into()];
    }
    if works("python3", &["-m", "pre_commit"]) {
        return vec!["python3".into(), "-m".into(), "pre_commit".into()];
    }
    panic!(
        "pre-commit is not installed, so the hooks cannot be tested: \
         run `python3 -m pip install pre-commit` (.ci/run does)"
    );
}

struct Output {
    code: i32,
    text: String,
}

/// Runs a command with a deadline; stdout and stderr together, as a terminal shows them.
fn run(command: &mut Command, limit: Duration) -> Output {
    for var in ["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "PRE_COMMIT"] {
        command.env_remove(var);
    }
    command
        .env("GIT_AUTHOR_NAME", "leaklint tests")
        .env("GIT_AUTHOR_EMAIL", "tests@leaklint.invalid")
        .env("GIT_COMMITTER_NAME", "leaklint tests")
        .env("GIT_COMMITTER_EMAIL", "tests@leaklint.invalid");
    let finished = common::run_with_deadline(command, None, limit);
    Output {
        code: finished.code.unwrap_or(-1),
        text: finished.stdout + &finished.stderr,
    }
}

fn git(dir: &Path, args: &[&str]) {
    let output = run(
        Command::new("git").args(args).current_dir(dir),
        Duration::from_secs(60),
    );
    assert_eq!(output.code, 0, "git {args:?}: {}", output.text);
}

/// A temporary git repository with a `src/handler.js` staged.
fn repository(content: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/handler.js"), content).unwrap();
    std::fs::write(dir.path().join("README.md"), "leaked = 1\n").unwrap();
    git(dir.path(), &["add", "."]);
    dir
}

struct Hook<'a> {
    id: &'a str,
    /// Folders put first on PATH.
    path: Vec<PathBuf>,
    env: Vec<(&'a str, PathBuf)>,
    limit: Duration,
}

impl Hook<'_> {
    /// `pre-commit try-repo <this working tree> <hook>` on the staged files of `dir`.
    fn try_repo(&self, dir: &Path, home: &Path) -> Output {
        let command_line = pre_commit();
        let mut command = Command::new(&command_line[0]);
        command
            .args(&command_line[1..])
            .arg("try-repo")
            .arg(common::repo())
            .arg(self.id)
            .arg("--color")
            .arg("never")
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", home)
            .env("NO_COLOR", "1");
        let old_path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            self.path
                .iter()
                .cloned()
                .chain(std::env::split_paths(&old_path)),
        )
        .unwrap();
        command.env("PATH", path);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        run(&mut command, self.limit)
    }
}

/// A leaky staged file makes the hook fail with the finding; fixed and staged again, it passes.
/// Returns pre-commit's home (its store of hook environments).
fn fails_then_passes(hook: &Hook) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = repository(LEAK);
    let output = hook.try_repo(dir.path(), home.path());
    eprintln!("{}", output.text);
    assert_eq!(
        output.code, 1,
        "the hook stops the commit:\n{}",
        output.text
    );
    assert!(output.text.contains("Failed"), "{}", output.text);
    assert!(
        output.text.contains("leaklint(implicit-global)"),
        "{}",
        output.text
    );
    assert!(
        output.text.contains("src/handler.js:2:3"),
        "{}",
        output.text
    );
    assert!(
        output
            .text
            .contains("`lastRequest` is assigned but never declared"),
        "{}",
        output.text
    );
    assert!(
        !output.text.contains("README.md"),
        "only JavaScript files are passed: {}",
        output.text
    );

    std::fs::write(dir.path().join("src/handler.js"), CLEAN).unwrap();
    git(dir.path(), &["add", "src/handler.js"]);
    let output = hook.try_repo(dir.path(), home.path());
    assert_eq!(output.code, 0, "a clean file passes:\n{}", output.text);
    assert!(output.text.contains("Passed"), "{}", output.text);
    home
}

/// The folder of the leaklint binary cargo built for these tests.
fn built_binary_dir() -> PathBuf {
    common::bin().parent().unwrap().to_path_buf()
}

#[test]
fn system_hook_uses_leaklint_on_path() {
    let _home = fails_then_passes(&Hook {
        id: "leaklint-system",
        path: vec![built_binary_dir()],
        env: Vec::new(),
        limit: Duration::from_secs(300),
    });

    // Only JavaScript and TypeScript files reach the hook.
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("notes.txt"), LEAK).unwrap();
    git(dir.path(), &["add", "."]);
    let hook = Hook {
        id: "leaklint-system",
        path: vec![built_binary_dir()],
        env: Vec::new(),
        limit: Duration::from_secs(300),
    };
    let output = hook.try_repo(dir.path(), home.path());
    assert_eq!(output.code, 0, "{}", output.text);
    assert!(output.text.contains("no files to check"), "{}", output.text);
}

/// The `leaklint` hook (`language: rust`): pre-commit runs `cargo install --path .` on a copy
/// of this repository and runs the binary it built. That is a release build; to keep CI within
/// minutes, the profile is lightened through cargo's environment (no LTO, no optimization) and
/// the build folder is kept under `target/` between runs. pre-commit itself runs unchanged.
#[test]
fn rust_hook_builds_and_runs_leaklint() {
    let target = common::bin()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("pre-commit-cargo");
    let cargo_dir = option_env!("CARGO")
        .and_then(|cargo| Path::new(cargo).parent().map(Path::to_path_buf))
        .into_iter()
        .collect();
    let hook = Hook {
        id: "leaklint",
        // cargo must be found; the leaklint built for the tests is deliberately not on PATH.
        path: cargo_dir,
        env: vec![
            ("CARGO_TARGET_DIR", target.clone()),
            ("CARGO_PROFILE_RELEASE_LTO", "false".into()),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256".into()),
            ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".into()),
            ("CARGO_PROFILE_RELEASE_DEBUG", "false".into()),
        ],
        limit: Duration::from_secs(45 * 60),
    };
    let started = std::time::SystemTime::now();
    let _home = fails_then_passes(&hook);
    // try-repo keeps its hook environments in a temporary store it deletes afterwards; what is
    // left is cargo's build, which shows the hook compiled leaklint during this test.
    let built = std::fs::metadata(target.join("release/leaklint"))
        .and_then(|m| m.modified())
        .expect("cargo built leaklint for the hook");
    assert!(built >= started, "leaklint was built by the hook's install");
}
