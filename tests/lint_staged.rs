//! husky and lint-staged, the real packages from npm, in a temporary git repository, with
//! leaklint installed from the tarballs `scripts/npm-packages.mjs --pack` makes: `git commit`
//! of a leaky file fails with the finding shown; a clean file is committed. As the README's
//! "husky and lint-staged" section sets it up.
//!
//! lint-staged and husky come from the npm registry once, at pinned versions, into an npm cache
//! under `target/` (CARGO_TARGET_TMPDIR): later runs install them from that cache with no
//! network. node, npm and git must be installed; without them, or without the registry on the
//! first run, this test fails, it does not skip.

mod common;
mod npm_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use npm_support::{npm_env, pack, project, require_tool, run, Output};

/// lint-staged 16 runs on Node.js 20.17 and later (17 needs Node.js 22).
const LINT_STAGED: &str = "lint-staged@16.4.0";
const HUSKY: &str = "husky@9.1.7";

const LEAK: &str = "function handle(req) {\n  lastRequest = req;\n}\nmodule.exports = handle;\n";
const CLEAN: &str =
    "function handle(req) {\n  const last = req;\n  return last;\n}\nmodule.exports = handle;\n";

/// The npm cache that holds lint-staged, husky and their dependencies, filled from the
/// registry on the first run.
fn tools_cache() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("npm-tools");
    let cache = root.join("cache");
    let prefix = root.join(format!("{LINT_STAGED}-{HUSKY}").replace('@', "-"));
    if prefix.join("node_modules/.package-lock.json").is_file() {
        return cache;
    }
    std::fs::create_dir_all(&prefix).unwrap();
    std::fs::write(prefix.join("package.json"), "{\"private\": true}\n").unwrap();
    let mut command = Command::new("npm");
    command.current_dir(&prefix).args([
        "install",
        "--prefer-offline",
        "--no-save",
        LINT_STAGED,
        HUSKY,
    ]);
    npm_env(&mut command, &cache, false);
    let output = run(&mut command, b"", Duration::from_secs(300));
    assert_eq!(
        output.code,
        Some(0),
        "could not install {LINT_STAGED} and {HUSKY} from the npm registry into {} \
         (the first run needs the registry; later runs use that cache):\n{}",
        cache.display(),
        output.text()
    );
    cache
}

fn git(dir: &Path, args: &[&str], cache: &Path) -> Output {
    let mut command = Command::new("git");
    command.current_dir(dir).args(args);
    npm_env(&mut command, cache, true);
    command
        .env_remove("HUSKY")
        .env("GIT_AUTHOR_NAME", "leaklint tests")
        .env("GIT_AUTHOR_EMAIL", "tests@leaklint.invalid")
        .env("GIT_COMMITTER_NAME", "leaklint tests")
        .env("GIT_COMMITTER_EMAIL", "tests@leaklint.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    run(&mut command, b"", Duration::from_secs(120))
}

fn ok(output: Output, what: &str) -> Output {
    assert_eq!(output.code, Some(0), "{what} failed:\n{}", output.text());
    output
}

#[test]
fn a_leak_fails_the_commit_and_clean_code_is_committed() {
    require_tool("git");
    require_tool("node");
    let cache = tools_cache();
    let tmp = tempfile::tempdir().unwrap();
    let packages = pack(&tmp.path().join("packages"));
    let dir = project(
        &tmp.path().join("app"),
        &[("src/handler.js", LEAK), ("src/clean.js", CLEAN)],
    );
    ok(git(&dir, &["init", "-q", "-b", "main"], &cache), "git init");

    // What the README tells a user to do: install, `husky init`, a lint-staged entry.
    let mut command = Command::new("npm");
    command
        .current_dir(&dir)
        .args(["install", "--save-dev", LINT_STAGED, HUSKY])
        .arg(&packages.launcher)
        .arg(&packages.platform);
    npm_env(&mut command, &cache, true);
    ok(
        run(&mut command, b"", Duration::from_secs(300)),
        "npm install",
    );
    let mut command = Command::new("npx");
    command.current_dir(&dir).args(["husky", "init"]);
    npm_env(&mut command, &cache, true);
    ok(
        run(&mut command, b"", Duration::from_secs(60)),
        "npx husky init",
    );
    std::fs::write(dir.join(".husky/pre-commit"), "npx lint-staged\n").unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    manifest["lint-staged"] =
        serde_json::json!({"*.{js,jsx,ts,tsx,mjs,cjs,mts,cts}": "leaklint check"});
    std::fs::write(
        dir.join("package.json"),
        serde_json::to_string_pretty(&manifest).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "node_modules/\n").unwrap();
    assert_eq!(
        ok(
            git(&dir, &["config", "core.hooksPath"], &cache),
            "git config"
        )
        .stdout
        .trim(),
        ".husky/_",
        "husky init set the hooks folder"
    );

    // The setup itself goes in first (no JavaScript staged: lint-staged has nothing to run).
    ok(
        git(
            &dir,
            &[
                "add",
                "package.json",
                "package-lock.json",
                ".gitignore",
                ".husky/pre-commit",
            ],
            &cache,
        ),
        "git add",
    );
    let setup = ok(
        git(&dir, &["commit", "-m", "husky and lint-staged"], &cache),
        "the setup commit",
    );
    assert!(
        setup.stdout.contains("husky and lint-staged") || setup.stderr.contains("no staged files"),
        "{}",
        setup.text()
    );

    // A leak: the hook fails, the commit does not happen, the finding is shown.
    ok(git(&dir, &["add", "src/handler.js"], &cache), "git add");
    let leak = git(&dir, &["commit", "-m", "a leak"], &cache);
    let text = leak.text();
    assert_ne!(leak.code, Some(0), "the commit of a leak passed:\n{text}");
    assert!(text.contains("leaklint check"), "{text}");
    assert!(text.contains("implicit-global"), "{text}");
    assert!(
        text.contains("`lastRequest` is assigned but never declared"),
        "{text}"
    );
    assert!(text.contains("src/handler.js:2:3"), "{text}");
    assert!(text.contains("husky - pre-commit script failed"), "{text}");
    let log = ok(git(&dir, &["log", "--format=%s"], &cache), "git log");
    assert_eq!(log.stdout.trim(), "husky and lint-staged");
    // lint-staged leaves the index as it was: the file is still staged.
    let staged = ok(
        git(&dir, &["diff", "--cached", "--name-only"], &cache),
        "git diff",
    );
    assert_eq!(staged.stdout.trim(), "src/handler.js");

    // Clean code passes.
    ok(
        git(&dir, &["reset", "-q", "src/handler.js"], &cache),
        "git reset",
    );
    ok(git(&dir, &["add", "src/clean.js"], &cache), "git add");
    let clean = git(&dir, &["commit", "-m", "clean code"], &cache);
    assert_eq!(
        clean.code,
        Some(0),
        "the clean commit failed:\n{}",
        clean.text()
    );
    let log = ok(git(&dir, &["log", "--format=%s"], &cache), "git log");
    assert_eq!(log.stdout.trim(), "clean code\nhusky and lint-staged");

    // For the record (`cargo test --test lint_staged -- --nocapture`): what the user saw.
    println!("$ git commit -m 'a leak'\n{}{}", leak.stdout, leak.stderr);
}
