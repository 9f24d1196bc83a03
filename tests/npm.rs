//! The npm packages as a user gets them: `scripts/npm-packages.mjs --pack` packs the launcher
//! (`leaklint`) and this platform's binary package (`@leaklint/cli-<os>-<cpu>`) with `npm pack`,
//! npm installs the tarballs into a temporary project with no registry, and leaklint runs
//! through `npx` and the launcher: `check` (exit codes 0, 1 and 2, standard input), `--version`,
//! `init`, `lsp` (one initialize exchange), signals, and the messages when no binary fits.
//!
//! node and npm must be installed (`.ci/run` installs Node.js); without them these tests fail,
//! they do not skip.

mod common;
mod npm_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use npm_support::{npm_install, npx, pack, project, Output, VERSION};
use serde_json::{json, Value};

const LEAK: &str = "function handle(req) {\n  lastRequest = req;\n}\nmodule.exports = handle;\n";
const CLEAN: &str =
    "function handle(req) {\n  const last = req;\n  return last;\n}\nmodule.exports = handle;\n";

/// The binary package npm should pick here.
fn platform_package() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "@leaklint/cli-linux-x64",
        "aarch64" => "@leaklint/cli-linux-arm64",
        other => panic!("no platform package for linux {other}"),
    }
}

struct Installed {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    cache: PathBuf,
    install: Output,
}

/// A project with leaklint installed from the tarballs (`with_binary`: and its binary package).
fn installed(with_binary: bool) -> Installed {
    let tmp = tempfile::tempdir().unwrap();
    let packages = pack(&tmp.path().join("packages"));
    let dir = project(
        &tmp.path().join("app"),
        &[("src/handler.js", LEAK), ("src/clean.js", CLEAN)],
    );
    let cache = tmp.path().join("npm-cache");
    let mut tarballs = vec![packages.launcher.as_path()];
    if with_binary {
        tarballs.push(packages.platform.as_path());
    }
    let install = npm_install(&dir, &cache, &tarballs);
    Installed {
        _tmp: tmp,
        dir,
        cache,
        install,
    }
}

#[test]
fn installed_from_the_tarballs_it_runs_through_npx() {
    let project = installed(true);
    let (dir, cache) = (&project.dir, &project.cache);
    assert!(
        project.install.stdout.contains("added 2 packages"),
        "{}",
        project.install.text()
    );
    // Only this platform's binary package: npm skipped the optional packages of the others.
    let scope: Vec<String> = std::fs::read_dir(dir.join("node_modules/@leaklint"))
        .unwrap()
        .map(|e| format!("@leaklint/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert_eq!(scope, [platform_package()]);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    assert!(
        manifest["devDependencies"]["leaklint"]
            .as_str()
            .unwrap()
            .starts_with("file:"),
        "{manifest}"
    );

    let version = npx(dir, cache, &["leaklint", "--version"], b"");
    assert_eq!(version.code, Some(0), "{}", version.text());
    assert_eq!(version.stdout.trim(), format!("leaklint {VERSION}"));

    // Exit status 1 with the finding, 0 on clean code, 2 on a usage error.
    let leak = npx(dir, cache, &["leaklint", "check", "src/handler.js"], b"");
    assert_eq!(leak.code, Some(1), "{}", leak.text());
    assert!(
        leak.stdout.contains("implicit-global") && leak.stdout.contains("lastRequest"),
        "{}",
        leak.text()
    );
    assert!(leak.stdout.contains("1 problem (1 error, 0 warnings)"));
    let clean = npx(dir, cache, &["leaklint", "check", "src/clean.js"], b"");
    assert_eq!(clean.code, Some(0), "{}", clean.text());
    let compact = npx(dir, cache, &["leaklint", "check", "-f", "compact"], b"");
    assert_eq!(compact.code, Some(1), "{}", compact.text());
    assert!(
        compact
            .stdout
            .starts_with("src/handler.js:2:3: error implicit-global "),
        "{}",
        compact.text()
    );
    let usage = npx(dir, cache, &["leaklint", "check", "--no-such-flag"], b"");
    assert_eq!(usage.code, Some(2), "{}", usage.text());
    assert!(usage.stderr.contains("--no-such-flag"), "{}", usage.text());
    let config = npx(dir, cache, &["leaklint", "explain", "no-such-rule"], b"");
    assert_eq!(config.code, Some(2), "{}", config.text());

    // Standard input passes through.
    let stdin = npx(
        dir,
        cache,
        &[
            "leaklint",
            "check",
            "--stdin",
            "--stdin-filename",
            "src/typed.js",
            "-f",
            "compact",
        ],
        LEAK.as_bytes(),
    );
    assert_eq!(stdin.code, Some(1), "{}", stdin.text());
    assert!(
        stdin
            .stdout
            .starts_with("src/typed.js:2:3: error implicit-global"),
        "{}",
        stdin.text()
    );

    // `init` writes the configuration once, and the linter reads it.
    let init = npx(dir, cache, &["leaklint", "init"], b"");
    assert_eq!(init.code, Some(0), "{}", init.text());
    let toml = std::fs::read_to_string(dir.join("leaklint.toml")).unwrap();
    assert!(
        toml.contains("env = [\"builtin\", \"node\", \"commonjs\"]"),
        "{toml}"
    );
    let again = npx(dir, cache, &["leaklint", "init"], b"");
    assert_eq!(again.code, Some(2), "{}", again.text());
    assert!(again.stderr.contains("already exists"), "{}", again.text());
    let with_config = npx(dir, cache, &["leaklint", "check", "src/clean.js"], b"");
    assert_eq!(with_config.code, Some(0), "{}", with_config.text());

    // A binary that lost its executable bit (a package manager that drops file modes).
    use std::os::unix::fs::PermissionsExt;
    let binary = dir
        .join("node_modules")
        .join(platform_package())
        .join("leaklint");
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o644)).unwrap();
    let denied = npx(dir, cache, &["leaklint", "--version"], b"");
    assert_eq!(denied.code, Some(2), "{}", denied.text());
    assert!(
        denied
            .stderr
            .contains(&format!("cannot run {}", binary.display()))
            && denied.stderr.contains("chmod +x"),
        "{}",
        denied.text()
    );
}

/// Writes one LSP message with its `Content-Length` header.
fn send(stdin: &mut impl Write, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

fn receive(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

#[test]
fn the_language_server_speaks_through_npx() {
    let project = installed(true);
    let mut command = Command::new("npx");
    command.current_dir(&project.dir).args(["leaklint", "lsp"]);
    npm_support::npm_env(&mut command, &project.cache, true);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("npx starts");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(message) = receive(&mut reader) {
            if tx.send(message).is_err() {
                return;
            }
        }
    });
    let root = url::Url::from_directory_path(&project.dir).unwrap();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": std::process::id(),
            "rootUri": root.as_str(),
            "capabilities": {},
        }}),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let response = loop {
        let message = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the initialize response, within 60 s");
        if message["id"] == 1 {
            break message;
        }
    };
    assert_eq!(
        response["result"]["serverInfo"]["name"], "leaklint",
        "{response}"
    );
    assert!(
        response["result"]["capabilities"]["textDocumentSync"].is_object()
            || response["result"]["capabilities"]["textDocumentSync"].is_number(),
        "{response}"
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    let shutdown = loop {
        let message = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the shutdown response");
        if message["id"] == 2 {
            break message;
        }
    };
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let status = wait(&mut child, Duration::from_secs(30));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

fn wait(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The child of `pid` whose executable is `exe`, once it has started.
fn child_running(pid: u32, exe: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    let exe = exe.canonicalize().unwrap();
    loop {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // /proc/PID/stat: `pid (comm) state ppid …`; comm may hold spaces and parentheses.
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(pid)
                && std::fs::read_link(format!("/proc/{child}/exe"))
                    .ok()
                    .as_deref()
                    == Some(exe.as_path())
            {
                return child;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the launcher did not start {}",
            exe.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn alive(pid: u32) -> bool {
    // A zombie has ended; only its parent's wait is missing.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[test]
fn signals_and_deaths_by_signal_pass_through_the_launcher() {
    let project = installed(true);
    let launcher = project.dir.join("node_modules/.bin/leaklint");
    let binary = project
        .dir
        .join("node_modules")
        .join(platform_package())
        .join("leaklint");
    let start = || {
        Command::new(&launcher)
            .arg("lsp")
            .current_dir(&project.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the launcher starts")
    };

    // A signal sent to the launcher reaches leaklint; the launcher then dies of it too.
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let mut child = start();
        let leaklint = child_running(child.id(), &binary);
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = wait(&mut child, Duration::from_secs(30));
        assert_eq!(status.signal(), Some(signal), "{status:?}");
        assert!(
            !alive(leaklint),
            "leaklint ({leaklint}) outlived signal {signal}"
        );
    }

    // leaklint killed from elsewhere: the launcher ends the same way.
    let mut child = start();
    let leaklint = child_running(child.id(), &binary);
    unsafe { libc::kill(leaklint as i32, libc::SIGKILL) };
    let status = wait(&mut child, Duration::from_secs(30));
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");

    // And an ordinary end: the language server exits 1 when its input ends without `exit`.
    let mut child = start();
    child_running(child.id(), &binary);
    drop(child.stdin.take());
    let status = wait(&mut child, Duration::from_secs(30));
    let direct = Command::new(npm_support::bin())
        .arg("lsp")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), direct.code(), "{status:?} vs {direct:?}");
}

#[test]
fn without_a_binary_for_the_platform_it_says_what_to_do() {
    let project = installed(false);
    let (dir, cache) = (&project.dir, &project.cache);
    assert!(
        !dir.join("node_modules").join(platform_package()).exists(),
        "the binary package came from somewhere: {}",
        project.install.text()
    );

    // The package of this platform is missing (--omit=optional, a lock file from elsewhere).
    let missing = npx(dir, cache, &["leaklint", "check"], b"");
    assert_eq!(missing.code, Some(2), "{}", missing.text());
    assert!(
        missing.stderr.contains(&format!(
            "leaklint: the package {}, which holds leaklint's binary for linux",
            platform_package()
        )),
        "{}",
        missing.text()
    );
    assert!(
        missing.stderr.contains("--omit=optional"),
        "{}",
        missing.text()
    );
    assert!(
        missing
            .stderr
            .contains(&format!("npm install -D {}@{VERSION}", platform_package())),
        "{}",
        missing.text()
    );

    // A platform with no package at all (FreeBSD, as node would report it).
    let preload = dir.join("freebsd.cjs");
    std::fs::write(
        &preload,
        "Object.defineProperty(process, 'platform', { value: 'freebsd' });\n",
    )
    .unwrap();
    let launcher = dir.join("node_modules/leaklint/bin/leaklint");
    let mut command = Command::new("node");
    command
        .arg("--require")
        .arg(&preload)
        .arg(&launcher)
        .arg("check")
        .current_dir(dir);
    let freebsd = npm_support::run(&mut command, b"", Duration::from_secs(60));
    assert_eq!(freebsd.code, Some(2), "{}", freebsd.text());
    assert!(
        freebsd
            .stderr
            .starts_with("leaklint: there is no prebuilt leaklint binary for freebsd"),
        "{}",
        freebsd.text()
    );
    assert!(
        freebsd.stderr.contains("LEAKLINT_BINARY="),
        "{}",
        freebsd.text()
    );

    // LEAKLINT_BINARY runs a binary built elsewhere, there as here.
    for preload in [Some(&preload), None] {
        let mut command = Command::new("node");
        if let Some(preload) = preload {
            command.arg("--require").arg(preload);
        }
        command
            .arg(&launcher)
            .arg("--version")
            .env("LEAKLINT_BINARY", npm_support::bin())
            .current_dir(dir);
        let run = npm_support::run(&mut command, b"", Duration::from_secs(60));
        assert_eq!(run.code, Some(0), "{}", run.text());
        assert_eq!(run.stdout.trim(), format!("leaklint {VERSION}"));
    }
}

/// `npm install -D leaklint` by name from a registry, as users will: npm picks the binary
/// package by its `os`, `cpu` and `libc` and downloads no other, and the lock file lists every
/// platform's package, so that it installs on the others too.
#[test]
fn npm_install_by_name_picks_the_platform_package_from_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let packages_dir = tmp.path().join("packages");
    let packages = pack(&packages_dir);
    let registry = npm_support::Registry::start(&packages_dir);
    let dir = project(&tmp.path().join("app"), &[("src/handler.js", LEAK)]);
    let cache = tmp.path().join("npm-cache");
    let mut command = Command::new("npm");
    command
        .current_dir(&dir)
        .args(["install", "--save-dev", "leaklint"]);
    npm_support::npm_env(&mut command, &cache, false);
    command.env("npm_config_registry", &registry.url);
    let install = npm_support::run(&mut command, b"", Duration::from_secs(300));
    assert_eq!(install.code, Some(0), "{}", install.text());
    assert!(
        install.stdout.contains("added 2 packages"),
        "{}",
        install.text()
    );

    let mut tarballs: Vec<String> = registry
        .requests()
        .into_iter()
        .filter(|r| r.contains("/-/tarballs/"))
        .collect();
    tarballs.sort();
    let platform_tarball = packages
        .platform
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        tarballs,
        [
            format!("GET /-/tarballs/leaklint-{VERSION}.tgz"),
            format!("GET /-/tarballs/{platform_tarball}"),
        ],
        "{:?}",
        registry.requests()
    );
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).unwrap())
            .unwrap();
    for platform in [
        "darwin-arm64",
        "darwin-x64",
        "win32-x64",
        "linux-arm64-musl",
    ] {
        let entry = &lock["packages"][format!("node_modules/@leaklint/cli-{platform}")];
        assert_eq!(
            entry["optional"], true,
            "{platform} in the lock file: {lock}"
        );
    }
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["devDependencies"]["leaklint"],
        format!("^{VERSION}")
    );

    let leak = npx(&dir, &cache, &["leaklint", "check", "-f", "compact"], b"");
    assert_eq!(leak.code, Some(1), "{}", leak.text());
    assert!(
        leak.stdout
            .starts_with("src/handler.js:2:3: error implicit-global"),
        "{}",
        leak.text()
    );
}

struct ActionInstall {
    output: Output,
    outputs: String,
    path: String,
}

/// The action's install step (`scripts/github-action-install.sh`), as the runner runs it.
fn action_install(tmp: &Path, registry: &str, mode: &str) -> ActionInstall {
    let runner = tempfile::tempdir_in(tmp).unwrap().keep();
    std::fs::create_dir_all(&runner).unwrap();
    let (outputs, path) = (runner.join("output"), runner.join("path"));
    let mut command = Command::new("bash");
    command.arg(npm_support::repo().join("scripts/github-action-install.sh"));
    npm_support::npm_env(&mut command, &tmp.join("npm-cache"), false);
    command
        .env("npm_config_registry", registry)
        .env("npm_config_fetch_retries", "0")
        .env("LEAKLINT_INSTALL", mode)
        .env("GITHUB_ACTION_PATH", npm_support::repo())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_PATH", &path)
        .env("RUNNER_TEMP", &runner)
        .current_dir(&runner);
    let output = npm_support::run(&mut command, b"", Duration::from_secs(300));
    ActionInstall {
        output,
        outputs: std::fs::read_to_string(outputs).unwrap_or_default(),
        path: std::fs::read_to_string(path).unwrap_or_default(),
    }
}

#[test]
fn the_action_installs_the_npm_package_and_builds_when_there_is_none() {
    let tmp = tempfile::tempdir().unwrap();
    let packages_dir = tmp.path().join("packages");
    pack(&packages_dir);
    let registry = npm_support::Registry::start(&packages_dir);

    let auto = action_install(tmp.path(), &registry.url, "auto");
    assert_eq!(auto.output.code, Some(0), "{}", auto.output.text());
    assert_eq!(auto.outputs, "installed=true\n");
    let bin = PathBuf::from(auto.path.trim());
    assert!(
        bin.ends_with("leaklint-npm/node_modules/.bin"),
        "{}",
        auto.path
    );
    // The action's run step with that leaklint on PATH.
    let dir = project(&tmp.path().join("repo"), &[("src/handler.js", LEAK)]);
    let mut command = Command::new("bash");
    command
        .arg(npm_support::repo().join("scripts/github-action.sh"))
        .current_dir(&dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("LEAKLINT_PATHS", "src")
        .env("LEAKLINT_SARIF_FILE", "")
        .env("LEAKLINT_ARGS", "");
    let step = npm_support::run(&mut command, b"", Duration::from_secs(60));
    assert_eq!(step.code, Some(1), "{}", step.text());
    assert!(
        step.stdout
            .starts_with("::error file=src/handler.js,line=2,endLine=2,col=3,"),
        "{}",
        step.text()
    );

    // No such package (or no registry): `auto` leaves it to the build, `npm` fails.
    let nowhere = "http://127.0.0.1:9/";
    let auto = action_install(tmp.path(), nowhere, "auto");
    assert_eq!(auto.output.code, Some(0), "{}", auto.output.text());
    assert_eq!(auto.outputs, "installed=false\n");
    assert!(auto.path.is_empty());
    assert!(
        auto.output.stdout.contains(&format!(
            "::notice title=leaklint::npm could not install leaklint@{VERSION}; building leaklint from source instead"
        )),
        "{}",
        auto.output.text()
    );
    let npm = action_install(tmp.path(), nowhere, "npm");
    assert_eq!(npm.output.code, Some(1), "{}", npm.output.text());
    assert!(npm
        .output
        .stdout
        .contains("::error title=leaklint::npm could not install"));
    let cargo = action_install(tmp.path(), &registry.url, "cargo");
    assert_eq!(cargo.output.code, Some(0), "{}", cargo.output.text());
    assert_eq!(cargo.outputs, "installed=false\n");
}
