//! `leaklint init`: writes a commented `leaklint.toml` for a project, with the environments
//! (browser, Node.js, workers, test frameworks) detected from its `package.json` files, its
//! `tsconfig.json` and its source files. It never overwrites a `leaklint.toml`.
//!
//! The detection is a cheap scan, not an analysis: package names in the dependencies, fields
//! (`browser`, `bin`, `engines.node`), TypeScript's `lib` and `types`, and marker words in the
//! first 256 KB of at most [`MAX_FILES`] source files (`document.`, `require(`, `from "node:`…).
//! The file says what it found and where, so the user can judge it; more environments only make
//! `implicit-global` quieter, never louder.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::FILE_NAME;
use crate::diagnostic::Severity;
use crate::globals;
use crate::rules::{self, OptionKind};
use crate::source::{is_minified_name, SourceType};

/// Source files read at most; a large repository is sampled in the walk's order.
pub const MAX_FILES: usize = 2_000;
/// Bytes read of each source file.
const MAX_BYTES: u64 = 256 * 1024;
/// Folders below the project's that are searched for `package.json` and sources.
const MAX_DEPTH: usize = 6;

/// Output folders that are not source, ignored when they exist.
const OUTPUT_DIRS: &[&str] = &["dist", "build", "out", "coverage"];

/// Dependencies that mean code runs in a browser.
const BROWSER_PACKAGES: &[&str] = &[
    "react-dom",
    "vue",
    "svelte",
    "@sveltejs/kit",
    "@angular/core",
    "preact",
    "solid-js",
    "lit",
    "jquery",
    "alpinejs",
    "ember-source",
    "vite",
    "webpack",
    "parcel",
    "next",
    "nuxt",
    "astro",
    "@remix-run/react",
];

/// Dependencies that mean code runs in Node.js.
const NODE_PACKAGES: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "@hapi/hapi",
    "@nestjs/core",
    "next",
    "nuxt",
    "@remix-run/node",
    "electron",
];

/// Node's built-in modules whose import marks a file as Node.js code.
const NODE_MODULES: &[&str] = &[
    "fs",
    "fs/promises",
    "path",
    "os",
    "http",
    "https",
    "http2",
    "net",
    "tls",
    "dns",
    "child_process",
    "cluster",
    "crypto",
    "worker_threads",
    "zlib",
    "readline",
];

/// Environments in the order they are written.
const ORDER: &[&str] = &[
    "builtin",
    "browser",
    "worker",
    "serviceworker",
    "node",
    "commonjs",
    "jquery",
    "jest",
    "mocha",
    "vitest",
];

/// What was found, per environment: the reasons, in the order found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Detection {
    pub evidence: BTreeMap<&'static str, Vec<String>>,
    /// Existing output folders (`dist`, `build`…), as `ignore` globs.
    pub ignore: Vec<String>,
    /// Source files scanned.
    pub files_scanned: usize,
}

impl Detection {
    fn add(&mut self, env: &'static str, reason: impl Into<String>) {
        let reasons = self.evidence.entry(env).or_default();
        let reason = reason.into();
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }

    /// The environments to write, `builtin` first; empty when nothing was detected (the
    /// automatic environment then applies).
    pub fn envs(&self) -> Vec<&'static str> {
        if self.evidence.is_empty() {
            return Vec::new();
        }
        let mut envs = vec!["builtin"];
        for env in ORDER {
            let implied = *env == "commonjs" && self.evidence.contains_key("node");
            if (self.evidence.contains_key(env) || implied) && !envs.contains(env) {
                envs.push(env);
            }
        }
        envs
    }
}

/// What the source files showed, per environment: the files in the walk's order, each with
/// what it does (`uses \`document\``, `calls \`require()\``).
#[derive(Default)]
struct Markers {
    found: BTreeMap<&'static str, Vec<(String, Vec<&'static str>)>>,
}

impl Markers {
    fn note(&mut self, env: &'static str, what: &'static str, file: &str) {
        let files = self.found.entry(env).or_default();
        match files.iter_mut().find(|(f, _)| f == file) {
            Some((_, whats)) if !whats.contains(&what) => whats.push(what),
            Some(_) => {}
            None => files.push((file.to_string(), vec![what])),
        }
    }

    /// One reason per environment: the first file and what it does, and how many more do.
    fn reasons(self) -> impl Iterator<Item = (&'static str, String)> {
        self.found.into_iter().map(|(env, files)| {
            let (file, whats) = &files[0];
            let whats = match whats.as_slice() {
                [one] => one.to_string(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
                [] => String::new(),
            };
            let more = match files.len() {
                1 => String::new(),
                2 => " (and 1 more file)".to_string(),
                n => format!(" (and {} more files)", n - 1),
            };
            (env, format!("{file} {whats}{more}"))
        })
    }
}

/// Detects the environments of the project in `dir`.
pub fn detect(dir: &Path) -> Detection {
    let mut detection = Detection::default();
    for name in OUTPUT_DIRS {
        if dir.join(name).is_dir() {
            detection.ignore.push(format!("{name}/**"));
        }
    }
    let mut markers = Markers::default();
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .max_depth(Some(MAX_DEPTH))
        .filter_entry(|entry| entry.file_name() != "node_modules")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let shown = relative(dir, path);
        let name = entry.file_name().to_string_lossy();
        match name.as_ref() {
            "package.json" => package_json(&mut detection, path, &shown),
            "tsconfig.json" | "jsconfig.json" => tsconfig(&mut detection, path, &shown),
            _ if name.ends_with(".html") || name.ends_with(".htm") => {
                detection.add("browser", format!("{shown} is an HTML page"));
            }
            _ => {
                if detection.files_scanned >= MAX_FILES
                    || SourceType::from_path(path).is_none()
                    || is_minified_name(&name)
                {
                    continue;
                }
                detection.files_scanned += 1;
                if is_service_worker_name(&name) {
                    markers.note("serviceworker", "is named like a service worker", &shown);
                }
                if let Some(text) = read_start(path) {
                    scan(&text, &shown, &mut markers);
                }
            }
        }
    }
    for (env, reason) in markers.reasons() {
        detection.add(env, reason);
    }
    detection
}

fn relative(dir: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(dir).unwrap_or(path);
    // A comment ends at a line break: no control characters from odd file names.
    shown
        .to_string_lossy()
        .replace('\\', "/")
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    serde_json::from_str(&text).ok()
}

fn read_start(path: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_BYTES)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn package_json(detection: &mut Detection, path: &Path, shown: &str) {
    let Some(json) = read_json(path) else {
        return;
    };
    let mut dependencies: Vec<&str> = Vec::new();
    for field in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ] {
        if let Some(map) = json.get(field).and_then(|v| v.as_object()) {
            dependencies.extend(map.keys().map(String::as_str));
        }
    }
    let has = |name: &str| dependencies.contains(&name);
    let react_native = has("react-native");
    let mut browser: Vec<&str> = BROWSER_PACKAGES
        .iter()
        .copied()
        .filter(|p| has(p))
        .collect();
    if has("react") && !react_native && !browser.contains(&"react-dom") {
        browser.push("react");
    }
    if !browser.is_empty() {
        detection.add("browser", format!("{shown} depends on {}", list(&browser)));
    }
    if json.get("browser").is_some() {
        detection.add("browser", format!("{shown} has a \"browser\" field"));
    }
    let node: Vec<&str> = NODE_PACKAGES.iter().copied().filter(|p| has(p)).collect();
    if !node.is_empty() {
        detection.add("node", format!("{shown} depends on {}", list(&node)));
    }
    if json.get("bin").is_some() {
        detection.add(
            "node",
            format!("{shown} has a \"bin\" (a command-line program)"),
        );
    }
    if json.pointer("/engines/node").is_some() {
        detection.add("node", format!("{shown} has \"engines.node\""));
    }
    for (env, package) in [
        ("jest", "jest"),
        ("mocha", "mocha"),
        ("vitest", "vitest"),
        ("jquery", "jquery"),
    ] {
        if has(package) {
            detection.add(env, format!("{shown} depends on {package}"));
        }
    }
}

fn tsconfig(detection: &mut Detection, path: &Path, shown: &str) {
    // tsconfig.json allows comments and trailing commas; a file serde_json cannot read is
    // skipped (the sources still tell).
    let Some(json) = read_json(path) else {
        return;
    };
    let strings = |pointer: &str| -> Vec<String> {
        json.pointer(pointer)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str())
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default()
    };
    let lib = strings("/compilerOptions/lib");
    if lib.iter().any(|l| l == "dom" || l.starts_with("dom.")) {
        detection.add(
            "browser",
            format!("{shown} has \"dom\" in compilerOptions.lib"),
        );
    }
    if lib.iter().any(|l| l.starts_with("webworker")) {
        detection.add(
            "worker",
            format!("{shown} has \"webworker\" in compilerOptions.lib"),
        );
    }
    if strings("/compilerOptions/types")
        .iter()
        .any(|t| t == "node")
    {
        detection.add(
            "node",
            format!("{shown} has \"node\" in compilerOptions.types"),
        );
    }
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

fn is_service_worker_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    matches!(
        stem.to_ascii_lowercase().as_str(),
        "sw" | "service-worker" | "serviceworker" | "service_worker"
    )
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Does `text` contain `word` as a name of its own (not `x.word`, not `wordy`), followed by one
/// of `next` (any byte when empty)?
fn has_name(text: &[u8], word: &str, next: &[u8]) -> bool {
    let word = word.as_bytes();
    memchr::memmem::find_iter(text, word).any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        let after = text.get(at + word.len()).copied();
        !before.is_some_and(|b| is_ident_byte(b) || b == b'.')
            && match after {
                Some(b) => !is_ident_byte(b) && (next.is_empty() || next.contains(&b)),
                None => next.is_empty(),
            }
    })
}

fn contains(text: &[u8], needle: &str) -> bool {
    memchr::memmem::find(text, needle.as_bytes()).is_some()
}

fn scan(text: &str, file: &str, markers: &mut Markers) {
    let bytes = text.as_bytes();
    for (word, what) in [
        ("window", "uses `window`"),
        ("document", "uses `document`"),
        ("navigator", "uses `navigator`"),
    ] {
        if has_name(bytes, word, b".[") {
            markers.note("browser", what, file);
        }
    }
    for (word, next, what) in [
        ("require", &b"("[..], "calls `require()`"),
        ("__dirname", &b""[..], "uses `__dirname`"),
        ("__filename", &b""[..], "uses `__filename`"),
    ] {
        if has_name(bytes, word, next) {
            markers.note("node", what, file);
        }
    }
    if has_name(bytes, "module", b".") && contains(bytes, "module.exports") {
        markers.note("node", "sets `module.exports`", file);
    }
    // `process.env.NODE_ENV` is common in browser code that a bundler compiles: not a marker.
    let process_use = memchr::memmem::find_iter(bytes, b"process.").any(|at| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        !before.is_some_and(|b| is_ident_byte(b) || b == b'.')
            && !bytes[at + "process.".len()..].starts_with(b"env")
    });
    if process_use {
        markers.note("node", "uses `process`", file);
    }
    let imports_node = contains(bytes, "from \"node:")
        || contains(bytes, "from 'node:")
        || NODE_MODULES.iter().any(|module| {
            contains(bytes, &format!("from \"{module}\""))
                || contains(bytes, &format!("from '{module}'"))
        });
    if imports_node {
        markers.note("node", "imports Node's built-in modules", file);
    }
    if has_name(bytes, "importScripts", b"(") {
        markers.note("worker", "calls `importScripts()`", file);
    }
    if contains(bytes, "self.onmessage") || contains(bytes, "self.postMessage(") {
        markers.note("worker", "handles messages on `self`", file);
    }
    if contains(bytes, "skipWaiting(") || contains(bytes, "clients.claim(") {
        markers.note(
            "serviceworker",
            "calls `skipWaiting()` or `clients.claim()`",
            file,
        );
    }
}

/// The commented `leaklint.toml` for what was detected.
pub fn render(detection: &Detection) -> String {
    let mut out = String::new();
    let envs = detection.envs();
    let _ = writeln!(
        out,
        "# leaklint.toml, written by `leaklint init` (leaklint {}).",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(
        "# leaklint reads the leaklint.toml nearest above each file it lints; every key is optional.\n\
         # `leaklint rules` lists the rules and `leaklint explain RULE` explains one.\n\n",
    );

    out.push_str(
        "# env: the environments whose global names code may assign to (`onload = f` in a browser)\n\
         # without `implicit-global` reporting a new global. \"builtin\" holds ECMAScript's (Map,\n\
         # Promise, ...), \"commonjs\" require, module and exports. More environments only make\n\
         # leaklint quieter. Known:\n",
    );
    for line in globals::env_names().chunks(9) {
        let _ = writeln!(out, "#   {}", line.join(", "));
    }
    if envs.is_empty() {
        let _ = writeln!(
            out,
            "# Nothing in package.json or the {} source files scanned named a runtime, so `env` is\n\
             # left out: leaklint then knows builtin, node and commonjs everywhere and adds browser in\n\
             # the files that use window, document or navigator. Set it to be exact, for example:\n\
             # env = [\"builtin\", \"browser\"]",
            detection.files_scanned
        );
    } else {
        out.push_str("# Detected:\n");
        for env in &envs {
            if let Some(reasons) = detection.evidence.get(env) {
                let _ = writeln!(out, "#   {env}: {}", reasons.join("; "));
            } else if *env == "commonjs" {
                let _ = writeln!(out, "#   commonjs: with node");
            }
        }
        let quoted: Vec<String> = envs.iter().map(|e| format!("\"{e}\"")).collect();
        let _ = writeln!(out, "env = [{}]", quoted.join(", "));
    }
    out.push('\n');

    out.push_str(
        "# Names the code assigns as globals on purpose (`/* global name */` does the same in one file):\n\
         # globals = [\"appState\"]\n\n",
    );

    out.push_str(
        "# Files not to lint, as globs relative to this folder (node_modules, hidden files and what\n\
         # .gitignore lists are skipped anyway; these globs also apply to files named on the\n\
         # command line, as a pre-commit hook or lint-staged names them):\n",
    );
    if detection.ignore.is_empty() {
        out.push_str("# ignore = [\"dist/**\", \"vendor/**\"]\n\n");
    } else {
        let quoted: Vec<String> = detection
            .ignore
            .iter()
            .map(|g| format!("\"{g}\""))
            .collect();
        let _ = writeln!(out, "ignore = [{}]\n", quoted.join(", "));
    }

    out.push_str(
        "# The severity of each rule: \"off\", \"warn\" or \"error\". Shown: the defaults. A rule with\n\
         # options takes a table of its own instead, further down.\n[rules]\n",
    );
    let plain: Vec<_> = rules::RULES
        .iter()
        .filter(|r| r.options.is_empty())
        .collect();
    let width = plain.iter().map(|r| r.id.len()).max().unwrap_or(0) + 10;
    for rule in &plain {
        let setting = format!("{} = \"{}\"", rule.id, severity_name(rule.default_severity));
        let _ = writeln!(out, "# {setting:<width$} # {}", rule.summary);
    }
    if plain.iter().any(|r| r.id == rules::per_call_require::ID) {
        out.push_str(
            "# (per-call-require's default depends on the finding: warn for a literal path, error for a\n\
             # computed one; a severity set here applies to both.)\n",
        );
    }
    for rule in rules::RULES.iter().filter(|r| !r.options.is_empty()) {
        let _ = write!(
            out,
            "\n# {}: {}\n# [rules.{}]\n# severity = \"{}\"\n",
            rule.id,
            rule.summary,
            rule.id,
            severity_name(rule.default_severity)
        );
        for option in rule.options {
            let example = match option.kind {
                OptionKind::Bool => "true".to_string(),
                OptionKind::Names => "[\"name\"]".to_string(),
            };
            let _ = writeln!(
                out,
                "# {} = {example}   # {}",
                option.name, option.description
            );
        }
    }
    out
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Off => "off",
        Severity::Warn => "warn",
        Severity::Error => "error",
    }
}

/// What `init` did.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub detection: Detection,
}

/// Writes `dir/leaklint.toml`; an error when one exists (it is never overwritten) or cannot
/// be written.
pub fn init(dir: &Path) -> Result<Written, String> {
    let path = dir.join(FILE_NAME);
    let shown = shown(dir, &path);
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    if path.exists() {
        return Err(format!(
            "{} already exists; leaklint init does not overwrite it (remove it to write a new one)",
            shown.display()
        ));
    }
    let detection = detect(dir);
    let text = render(&detection);
    // create_new: a file that appeared meanwhile is not overwritten either.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|error| match error.kind() {
            io::ErrorKind::AlreadyExists => format!(
                "{} already exists; leaklint init does not overwrite it",
                shown.display()
            ),
            _ => format!(
                "cannot write {}: {}",
                shown.display(),
                crate::walk::describe_io_error(&error)
            ),
        })?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.flush())
        .map_err(|error| format!("cannot write {}: {error}", shown.display()))?;
    Ok(Written { path, detection })
}

/// The file as the user named its folder: `leaklint.toml` rather than `./leaklint.toml`.
fn shown(dir: &Path, path: &Path) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(FILE_NAME)
    } else {
        path.to_path_buf()
    }
}

/// `leaklint init [DIR]`: writes the file and says what it found.
pub fn run(dir: &Path) -> ExitCode {
    match init(dir) {
        Ok(written) => {
            let envs = written.detection.envs();
            let mut out = io::stdout().lock();
            let _ = writeln!(out, "wrote {}", shown(dir, &written.path).display());
            if envs.is_empty() {
                let _ = writeln!(
                    out,
                    "  env: not set (no runtime detected in {} source files): the automatic environment applies",
                    written.detection.files_scanned
                );
            } else {
                let _ = writeln!(out, "  env: {}", envs.join(", "));
                for (env, reasons) in &written.detection.evidence {
                    let _ = writeln!(out, "    {env}: {}", reasons.join("; "));
                }
            }
            if !written.detection.ignore.is_empty() {
                let _ = writeln!(out, "  ignore: {}", written.detection.ignore.join(", "));
            }
            let _ = writeln!(out, "Edit it to taste, then run `leaklint check`.");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("leaklint: init: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn parses(text: &str) -> ConfigFile {
        ConfigFile::parse(text, Path::new(FILE_NAME), PathBuf::from("."))
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn browser_from_dependencies_and_files() {
        let dir = project(&[
            (
                "package.json",
                r#"{"dependencies": {"react": "^19", "react-dom": "^19"}, "devDependencies": {"vitest": "^3"}}"#,
            ),
            ("src/app.jsx", "document.title = 'x';\n"),
            ("src/env.js", "if (process.env.NODE_ENV) {}\n"),
        ]);
        let detection = detect(dir.path());
        assert_eq!(detection.envs(), ["builtin", "browser", "vitest"]);
        let text = render(&detection);
        assert!(
            text.contains("env = [\"builtin\", \"browser\", \"vitest\"]"),
            "{text}"
        );
        assert!(text.contains("package.json depends on react-dom"), "{text}");
        assert!(
            text.contains(
                "#   browser: package.json depends on react-dom; src/app.jsx uses `document`\n"
            ),
            "{text}"
        );
        assert_eq!(parses(&text).env.unwrap(), ["builtin", "browser", "vitest"]);
    }

    #[test]
    fn node_from_files_and_fields() {
        let dir = project(&[
            ("package.json", r#"{"bin": {"x": "cli.js"}}"#),
            (
                "cli.js",
                "const fs = require('fs');\nmodule.exports = fs;\n",
            ),
            (
                "lib/a.mjs",
                "import { readFile } from 'node:fs/promises';\n",
            ),
            (
                "lib/b.mjs",
                "import path from \"path\";\nprocess.exitCode = 1;\n",
            ),
            ("dist/bundle.js", "window.x = 1;\n"),
        ]);
        std::fs::write(dir.path().join(".gitignore"), "dist/\n").unwrap();
        let detection = detect(dir.path());
        assert_eq!(detection.envs(), ["builtin", "node", "commonjs"]);
        assert_eq!(detection.ignore, ["dist/**"]);
        let text = render(&detection);
        assert!(text.contains("ignore = [\"dist/**\"]"), "{text}");
        assert!(
            text.contains(
                "#   node: package.json has a \"bin\" (a command-line program); cli.js calls \
                 `require()` and sets `module.exports` (and 2 more files)\n"
            ),
            "{text}"
        );
        let config = parses(&text);
        assert_eq!(config.env.unwrap(), ["builtin", "node", "commonjs"]);
    }

    #[test]
    fn nothing_detected_leaves_env_out() {
        let dir = project(&[("a.js", "const x = 1;\nfoo.window.y = 2;\n")]);
        let detection = detect(dir.path());
        assert!(detection.envs().is_empty(), "{detection:?}");
        let text = render(&detection);
        let config = parses(&text);
        assert_eq!(config.env, None);
        assert!(config.rules.is_empty());
        // Every commented setting is valid as it stands once uncommented.
        let uncommented: String = text
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || is_setting(rest) => rest,
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let config = parses(&uncommented);
        assert_eq!(config.env.unwrap(), ["builtin", "browser"]);
        assert_eq!(config.globals, ["appState"]);
        assert_eq!(config.rules.len(), rules::RULES.len(), "{uncommented}");
    }

    fn is_setting(line: &str) -> bool {
        line.split_once(" = ").is_some_and(|(key, _)| {
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
        })
    }

    #[test]
    fn workers_and_service_workers() {
        let dir = project(&[
            ("public/index.html", "<script src=app.js></script>"),
            (
                "public/sw.js",
                "self.addEventListener('install', () => self.skipWaiting());\n",
            ),
            (
                "public/worker.js",
                "self.onmessage = (e) => self.postMessage(e.data);\n",
            ),
        ]);
        let detection = detect(dir.path());
        assert_eq!(
            detection.envs(),
            ["builtin", "browser", "worker", "serviceworker"]
        );
    }

    #[test]
    fn refuses_to_overwrite() {
        let dir = project(&[("leaklint.toml", "env = [\"node\"]\n")]);
        let error = init(dir.path()).unwrap_err();
        assert!(error.contains("already exists"), "{error}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("leaklint.toml")).unwrap(),
            "env = [\"node\"]\n"
        );
        let dir = project(&[("a.js", "window.x = 1;\n")]);
        let written = init(dir.path()).unwrap();
        assert!(written.path.ends_with("leaklint.toml"));
        assert!(init(dir.path()).is_err());
    }

    #[test]
    fn names_of_their_own() {
        assert!(has_name(b"document.title", "document", b"."));
        assert!(!has_name(b"this.document.title", "document", b"."));
        assert!(!has_name(b"documents.x", "document", b"."));
        assert!(has_name(b"x = require('a')", "require", b"("));
        assert!(!has_name(b"x.require('a')", "require", b"("));
        assert!(has_name(b"__dirname", "__dirname", b""));
    }
}
