//! What the npm tests share: node and npm (required: without them the tests fail, they do not
//! skip), the packages built by `scripts/npm-packages.mjs` from the binary cargo built for
//! these tests, and a temporary project with them installed from the tarballs.
//!
//! The binary packaged is `env!("CARGO_BIN_EXE_leaklint")`, the one every other integration
//! test runs, not a release build: the launcher and the packages are what these tests are
//! about, and a separate release build would take minutes of CI for the same program. The
//! packaged copy has its debug information removed (`--strip-debug`): the same code, 25 MB
//! instead of 200, which npm packs in a second instead of minutes.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub use crate::common::{bin, repo};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use crate::common::{run_with_deadline, Finished as Output};

impl Output {
    /// stdout then stderr, for messages.
    pub fn text(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
}

/// Settings every npm and npx run gets: no audit, no funding or update notices, no colors;
/// `offline` for installs that must not reach a registry (every leaklint package comes from a
/// tarball; the other platforms' optional packages are then skipped, as npm skips optional
/// packages it cannot fetch).
pub fn npm_env(command: &mut Command, cache: &Path, offline: bool) {
    for (key, _) in std::env::vars_os() {
        if key
            .to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("npm_config_")
        {
            command.env_remove(key);
        }
    }
    for var in [
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
        "NO_COLOR",
        "LEAKLINT_BINARY",
    ] {
        command.env_remove(var);
    }
    command
        .env("npm_config_cache", cache)
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
        .env("npm_config_color", "false")
        .env("npm_config_progress", "false");
    if offline {
        command.env("npm_config_offline", "true");
    }
}

/// Runs a command to its end, with a deadline (a hang fails the test instead of hanging it),
/// `input` on its standard input.
pub fn run(command: &mut Command, input: &[u8], limit: Duration) -> Output {
    run_with_deadline(command, Some(input), limit)
}

/// `program --version` works, or the test fails saying what to install.
pub fn require_tool(program: &str) -> String {
    let output = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "`{program}` is not on PATH ({e}): the npm tests need Node.js 20 or later with npm \
                 (scripts/test.sh installs them)"
            )
        });
    assert!(
        output.status.success(),
        "`{program} --version` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The tarballs `scripts/npm-packages.mjs --pack` made of the test binary, in `out`.
pub struct Packages {
    pub launcher: PathBuf,
    pub platform: PathBuf,
    pub script_output: String,
}

pub fn pack(out: &Path) -> Packages {
    require_tool("node");
    require_tool("npm");
    let mut command = Command::new("node");
    command
        .arg(repo().join("scripts/npm-packages.mjs"))
        .arg("--binary")
        .arg(bin())
        .arg("--strip-debug")
        .arg("--out")
        .arg(out)
        .arg("--pack");
    npm_env(&mut command, &out.join("npm-cache"), true);
    let output = run(&mut command, b"", Duration::from_secs(300));
    assert_eq!(
        output.code,
        Some(0),
        "the packaging script failed:\n{}",
        output.text()
    );
    let tarballs: Vec<PathBuf> = output.stdout.lines().map(PathBuf::from).collect();
    let find = |prefix: &str| {
        tarballs
            .iter()
            .find(|t| t.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix}… tarball in {tarballs:?}"))
            .clone()
    };
    let platform = find("leaklint-cli-");
    let launcher = find(&format!("leaklint-{VERSION}.tgz"));
    for tarball in [&launcher, &platform] {
        assert!(tarball.is_file(), "{} was not written", tarball.display());
    }
    Packages {
        launcher,
        platform,
        script_output: output.stdout,
    }
}

/// A temporary project: `package.json` and the given files.
pub fn project(root: &Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(
        root.join("package.json"),
        "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"private\": true\n}\n",
    )
    .unwrap();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root.to_path_buf()
}

/// `npm install -D TARBALLS…` in `dir`, with no registry: the output, which the test checks.
pub fn npm_install(dir: &Path, cache: &Path, tarballs: &[&Path]) -> Output {
    let mut command = Command::new("npm");
    command.current_dir(dir).args(["install", "--save-dev"]);
    command.args(tarballs);
    npm_env(&mut command, cache, true);
    let output = run(&mut command, b"", Duration::from_secs(300));
    assert_eq!(
        output.code,
        Some(0),
        "npm install failed:\n{}",
        output.text()
    );
    output
}

/// `npx ARGS…` in `dir`, offline (a leaklint missing from the project is an error, never a
/// download), `input` on standard input.
pub fn npx(dir: &Path, cache: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut command = Command::new("npx");
    command.current_dir(dir).args(args);
    npm_env(&mut command, cache, true);
    run(&mut command, input, Duration::from_secs(120))
}

/// `tests/npm_support/registry.mjs` serving the packages in `packages` (the folder given to
/// `pack`), and every other platform's manifest with no tarball; stopped when dropped.
pub struct Registry {
    child: std::process::Child,
    pub url: String,
    log: PathBuf,
}

impl Registry {
    pub fn start(packages: &Path) -> Registry {
        use std::io::BufRead;
        let log = packages.join("registry.log");
        std::fs::write(&log, "").unwrap();
        let mut child = Command::new("node")
            .arg(repo().join("tests/npm_support/registry.mjs"))
            .arg(packages)
            .arg(repo().join("npm"))
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts the registry");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("http://127.0.0.1:"),
            "the registry said {line:?}"
        );
        Registry {
            child,
            url: line.trim().to_string(),
            log,
        }
    }

    /// The requests it answered, `GET /path` each.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
