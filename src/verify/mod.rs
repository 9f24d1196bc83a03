//! `leaklint verify` and `check --verify`: run each finding in a contained `node` and report
//! **confirmed**, **not reproduced** or **unverifiable**, with the figures measured.
//!
//! For each finding: [`plan`] finds the function around it and how to call it, and prepares
//! the module's code ([`instrument`]: types stripped, capture calls added); the driver
//! (`driver.js`) loads it under a heap limit, calls it in windows of calls with synthesized
//! arguments ([`shapes`]) and measures what the rule claims grows; [`sandbox`] contains the
//! child; [`verdict`] turns the figures into a verdict. This runs the project's code: see the
//! README for what is and is not contained.

pub mod instrument;
pub mod lifecycle;
pub mod plan;
pub mod sandbox;
pub mod shapes;
pub mod verdict;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use crate::config::PackageTypes;
use crate::diagnostic::{Diagnostic, Location, Range, Severity, Verdict, Verification};
use crate::result::{CheckResult, FileReport};
use crate::runtime::WORKER_STACK;
use crate::source::LineIndex;
use plan::{Format, Plan, CLEANUP_METHODS};
use sandbox::{Job, NodeRuntime};

use crate::rules::{self, Measure, RuleMeta};

/// The driver template; leaklint fills in its configuration.
const DRIVER: &str = include_str!("driver.js");
const CONFIG_PLACEHOLDER: &str = "/*LEAKLINT_CONFIG*/ null";
/// The built-in browser environment, put into the driver where it says so.
const BROWSER: &str = include_str!("browser.js");
const BROWSER_PLACEHOLDER: &str = "/*LEAKLINT_BROWSER*/";
/// The component runtime (stand-ins for React, Vue and Lit, and mounting), spliced likewise.
const COMPONENTS: &str = include_str!("components.js");
const COMPONENTS_PLACEHOLDER: &str = "/*LEAKLINT_COMPONENTS*/";
/// Heap snapshots and their diff (what holds the growth), spliced likewise.
const HEAPDIFF: &str = include_str!("heapdiff.js");
const HEAPDIFF_PLACEHOLDER: &str = "/*LEAKLINT_HEAPDIFF*/";

/// The rules whose findings can be verified: those whose metadata says what to measure.
pub fn verifiable_rules() -> impl Iterator<Item = &'static RuleMeta> {
    rules::RULES
        .iter()
        .filter(|rule| rule.measure != Measure::None)
}

/// What to measure for a finding of `rule`, if it is one leaklint verifies.
fn measure_of(rule: &str) -> Option<Measure> {
    rules::find(rule)
        .map(|rule| rule.measure)
        .filter(|m| *m != Measure::None)
}

pub const DEFAULT_HEAP_LIMIT_MB: u32 = 64;
pub const DEFAULT_ITERATIONS: u32 = 5_000;
pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;

#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub heap_limit_mb: u32,
    /// Calls per finding, over the warm-up and the measured windows.
    pub iterations: u32,
    /// Wall-clock limit per finding.
    pub timeout: Duration,
    /// A module exporting `step(i)`, run instead of the discovered function.
    pub scenario: Option<PathBuf>,
    pub jobs: usize,
    pub node: PathBuf,
    /// Packages replaced by a recording stub even where they are installed (`--stub pg`).
    pub stubs: Vec<String>,
    /// Take heap snapshots for what holds the growth of a confirmed finding.
    pub evidence: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            heap_limit_mb: DEFAULT_HEAP_LIMIT_MB,
            iterations: DEFAULT_ITERATIONS,
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            scenario: None,
            jobs: 1,
            node: PathBuf::from("node"),
            stubs: Vec::new(),
            evidence: false,
        }
    }
}

/// What a verification run did, for the closing note.
#[derive(Debug)]
pub struct Summary {
    /// The node that ran the findings; `None` when there was nothing to verify.
    pub runtime: Option<NodeRuntime>,
    pub verified: usize,
    pub confirmed: usize,
    pub not_reproduced: usize,
    pub unverifiable: usize,
    /// The packages stubbed in any finding's run, each once, with why.
    pub stubbed: Vec<crate::diagnostic::Stubbed>,
    /// The browser environments browser code ran in (`built-in`), each with its findings.
    pub browser_environments: Vec<(String, usize)>,
}

impl Summary {
    /// One line that says what ran and how it was contained.
    pub fn describe(&self, options: &VerifyOptions) -> String {
        let Some(runtime) = &self.runtime else {
            return "verify: no finding to verify".into();
        };
        let network = if runtime.network_namespace {
            "in a new network namespace (no network)".to_string()
        } else {
            runtime
                .network_note
                .clone()
                .unwrap_or_else(|| "with no network containment".into())
        };
        let stubbed = if self.stubbed.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = self
                .stubbed
                .iter()
                .map(|s| format!("`{}` ({})", s.module, s.reason))
                .collect();
            format!("; stubbed packages: {}", names.join(", "))
        };
        let browser: String = self
            .browser_environments
            .iter()
            .map(|(name, n)| {
                format!(
                    "; browser environment: {name} ({n} {})",
                    if *n == 1 { "finding" } else { "findings" }
                )
            })
            .collect();
        format!(
            "verified {} {} in node {} under {} (project read-only; no writes, child processes or workers), {network}, heap limit {} MB, timeout {} s: {} confirmed, {} not reproduced, {} unverifiable{stubbed}{browser}",
            self.verified,
            if self.verified == 1 { "finding" } else { "findings" },
            runtime.version,
            runtime.permission_flag,
            options.heap_limit_mb,
            options.timeout.as_secs_f64(),
            self.confirmed,
            self.not_reproduced,
            self.unverifiable
        )
    }
}

/// Verifies every verifiable finding of `result` in place.
pub fn verify(result: &mut CheckResult, options: &VerifyOptions) -> Result<Summary, String> {
    if let Some(scenario) = &options.scenario {
        if !scenario.is_file() {
            return Err(format!("the scenario {} is not a file", scenario.display()));
        }
    }
    let mut package_types = PackageTypes::new();
    let mut targets = Vec::new();
    for (f, file) in result.files.iter().enumerate() {
        let Some(text) = &file.text else { continue };
        let dir = file.path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let package_is_module = package_types.is_module(dir);
        for (d, diagnostic) in file.diagnostics.iter().enumerate() {
            let Some(rule) = diagnostic.rule else {
                continue;
            };
            let Some(measure) = measure_of(rule).filter(|_| !diagnostic.fatal) else {
                continue;
            };
            targets.push(Target {
                file: f,
                diagnostic: d,
                path: file.path.clone(),
                text: text.clone(),
                package_is_module,
                rule,
                measure,
                range: diagnostic.location.range,
            });
        }
    }
    let mut summary = Summary {
        runtime: None,
        verified: 0,
        confirmed: 0,
        not_reproduced: 0,
        unverifiable: 0,
        stubbed: Vec::new(),
        browser_environments: Vec::new(),
    };
    if targets.is_empty() {
        return Ok(summary);
    }
    let runtime = NodeRuntime::detect(&options.node)?;
    let results: Mutex<Vec<(usize, usize, Ran)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, targets.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = targets.get(i) else { break };
                let verification = verify_target(target, options, &runtime);
                results
                    .lock()
                    .expect("no panics while holding the lock")
                    .push((target.file, target.diagnostic, verification));
            });
        }
    });
    summary.runtime = Some(runtime);
    let mut results = results.into_inner().expect("no poisoned lock");
    // Threads finish in any order: report in the order of the files and their findings.
    results.sort_by_key(|(f, d, _)| (*f, *d));
    for (
        f,
        d,
        Ran {
            verification,
            browser,
        },
    ) in results
    {
        summary.verified += 1;
        if let Some(name) = browser {
            match summary
                .browser_environments
                .iter_mut()
                .find(|(n, _)| *n == name)
            {
                Some((_, count)) => *count += 1,
                None => summary.browser_environments.push((name, 1)),
            }
        }
        match verification.verdict {
            Verdict::Confirmed => summary.confirmed += 1,
            Verdict::NotReproduced => summary.not_reproduced += 1,
            Verdict::Unverifiable => summary.unverifiable += 1,
        }
        for stub in &verification.stubbed {
            if !summary.stubbed.contains(stub) {
                summary.stubbed.push(stub.clone());
            }
        }
        result.files[f].diagnostics[d].verification = Some(verification);
    }
    Ok(summary)
}

struct Target {
    file: usize,
    diagnostic: usize,
    path: PathBuf,
    text: std::sync::Arc<str>,
    package_is_module: bool,
    rule: &'static str,
    measure: Measure,
    range: Range,
}

fn unverifiable(reason: String, entry: Option<String>) -> Verification {
    Verification {
        verdict: Verdict::Unverifiable,
        summary: reason,
        entry,
        measured: None,
        calls: 0,
        per_call: None,
        windows: Vec::new(),
        heap_bytes_per_call: None,
        heap_limit_reached_after: None,
        elapsed_ms: 0,
        mode: None,
        stubbed: Vec::new(),
        samples: Vec::new(),
        evidence: None,
    }
}

/// A finding's verification, and the browser environment it ran in, if any.
struct Ran {
    verification: Verification,
    browser: Option<String>,
}

impl From<Verification> for Ran {
    fn from(verification: Verification) -> Self {
        Ran {
            verification,
            browser: None,
        }
    }
}

/// The browser environment the driver says it installed (`built-in`).
fn browser_environment(outcome: &sandbox::Outcome) -> Option<String> {
    outcome
        .messages
        .iter()
        .find(|m| m["t"] == "environment")
        .and_then(|m| m["name"].as_str())
        .map(str::to_string)
}

fn verify_target(target: &Target, options: &VerifyOptions, runtime: &NodeRuntime) -> Ran {
    let started = std::time::Instant::now();
    // Planning parses and transforms an AST: give it the stack the linter's workers have.
    let planned = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, || {
                std::panic::catch_unwind(|| {
                    plan::plan(
                        &target.path,
                        &target.text,
                        target.package_is_module,
                        target.measure,
                        target.range,
                    )
                })
            })
            .map(|handle| handle.join())
    });
    let plan = match planned {
        Ok(Ok(Ok(Ok(plan)))) => plan,
        Ok(Ok(Ok(Err(reason)))) => return unverifiable(reason, None).into(),
        _ => {
            return unverifiable(
                "internal error in leaklint while preparing the module; please report it".into(),
                None,
            )
            .into()
        }
    };
    let entry_description = match (&options.scenario, &plan.entry) {
        (Some(scenario), _) => Some(format!("scenario {} step(i)", scenario.display())),
        (None, Ok(entry)) => Some(entry.description.clone()),
        (None, Err(reason)) => return unverifiable(reason.clone(), None).into(),
    };
    let mut browser = None;
    let mut verification = match run_plan(target, &plan, options, runtime) {
        Ok(outcome) => {
            browser = browser_environment(&outcome);
            let mut verification = verdict::decide(
                &verdict::Claim {
                    rule: target.rule,
                    measure: target.measure,
                    collection: plan.collection.as_deref(),
                    global_name: plan.global_name.as_deref(),
                    entry: entry_description.clone(),
                    heap_limit_mb: options.heap_limit_mb,
                    timeout_secs: options.timeout.as_secs_f64(),
                },
                &outcome,
            );
            if let Some(name) = &browser {
                verification.summary = format!(
                    "{}; browser environment: {name} (browser code: {})",
                    verification.summary,
                    browser_reads(plan.browser.as_ref())
                );
            }
            verification
        }
        Err(reason) => unverifiable(reason, entry_description),
    };
    verification.elapsed_ms = started.elapsed().as_millis() as u64;
    Ran {
        verification,
        browser,
    }
}

/// "it reads `window`, `document`": why the module ran in a browser environment.
fn browser_reads(needs: Option<&plan::BrowserNeeds>) -> String {
    let names: Vec<String> = needs
        .map(|n| n.globals.iter().take(4).map(|g| format!("`{g}`")).collect())
        .unwrap_or_default();
    format!("it reads {}", names.join(", "))
}

fn run_plan(
    target: &Target,
    plan: &Plan,
    options: &VerifyOptions,
    runtime: &NodeRuntime,
) -> Result<sandbox::Outcome, String> {
    let file = std::fs::canonicalize(&target.path)
        .map_err(|e| format!("cannot resolve {}: {e}", target.path.display()))?;
    let workdir = tempfile::Builder::new()
        .prefix("leaklint-verify-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let workdir_path =
        std::fs::canonicalize(workdir.path()).unwrap_or(workdir.path().to_path_buf());
    let mut sources = serde_json::Map::new();
    let format_name = |f: Format| match f {
        Format::CommonJs => "cjs",
        Format::Esm => "esm",
    };
    sources.insert(
        file.to_string_lossy().into_owned(),
        json!({ "code": plan.code, "format": format_name(plan.format), "imports": plan.imports }),
    );
    let mut vm_modules = plan.format == Format::Esm;
    for (path, prepared) in local_dependencies(&file, &plan.code) {
        vm_modules |= prepared.format == Format::Esm;
        sources
            .entry(path.to_string_lossy().into_owned())
            .or_insert_with(|| {
                json!({
                    "code": prepared.code,
                    "format": format_name(prepared.format),
                    "imports": prepared.imports,
                })
            });
    }
    let mut readable = readable_for(&file);
    readable.push(workdir_path.clone());
    let scenario = match &options.scenario {
        Some(scenario) => {
            let scenario = std::fs::canonicalize(scenario)
                .map_err(|e| format!("cannot resolve the scenario: {e}"))?;
            readable.extend(readable_for(&scenario));
            Some(scenario)
        }
        None => None,
    };
    readable.sort();
    readable.dedup();
    let config = json!({
        "file": file.to_string_lossy(),
        "format": format_name(plan.format),
        "sources": sources,
        "entry": plan.entry.as_ref().ok(),
        "instanceCollection": plan.instance_collection,
        "stubs": options.stubs,
        "iterations": options.iterations.max(verdict::WINDOWS + 1),
        "timeoutMs": options.timeout.as_millis() as u64,
        "windows": verdict::WINDOWS,
        "cleanupMethods": CLEANUP_METHODS,
        "modulePaths": json_files_near(&file),
        "scenario": scenario.as_ref().map(|s| s.to_string_lossy().into_owned()),
        "scenarioIsModule": scenario.as_ref().is_some_and(|s| is_module_file(s)),
        "browser": plan.browser,
        "lines": plan.lines,
        "evidence": options.evidence,
    });
    let driver_text = DRIVER
        .replacen(CONFIG_PLACEHOLDER, &config.to_string(), 1)
        .replacen(BROWSER_PLACEHOLDER, BROWSER, 1)
        .replacen(COMPONENTS_PLACEHOLDER, COMPONENTS, 1)
        .replacen(HEAPDIFF_PLACEHOLDER, HEAPDIFF, 1);
    let driver = workdir_path.join("driver.cjs");
    std::fs::write(&driver, driver_text).map_err(|e| format!("cannot write the driver: {e}"))?;
    let job = Job {
        runtime,
        driver: &driver,
        workdir: &workdir_path,
        readable: &readable,
        heap_limit_mb: options.heap_limit_mb,
        timeout: options.timeout,
        vm_modules: vm_modules || scenario.is_some(),
    };
    let outcome = sandbox::run(&job).map_err(|e| format!("cannot run node: {e}"))?;
    drop(workdir);
    Ok(outcome)
}

/// JSON files in the module's folder and the folders just below it, for arguments that go to
/// `require()`: loading one runs no code.
fn json_files_near(file: &Path) -> Vec<String> {
    const MAX: usize = 16;
    let Some(dir) = file.parent() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !p.ends_with("node_modules"))
            .collect();
        subdirs.sort();
        dirs.extend(subdirs);
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        found.extend(files.into_iter().map(|p| p.to_string_lossy().into_owned()));
        if found.len() >= MAX {
            break;
        }
    }
    found.truncate(MAX);
    found
}

/// A scenario that node loads as an ES module.
fn is_module_file(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("mjs" | "mts") => true,
        Some("cjs" | "cts") => false,
        _ => PackageTypes::new().is_module(path.parent().unwrap_or(Path::new("/"))),
    }
}

/// The files the module imports by a relative path (and theirs) that the driver loads itself:
/// TypeScript, types stripped, so node can load it at all; ES modules, whose imports of a
/// package that is not installed the driver can then link to a stub. CommonJS files are left
/// to node (their `require` calls reach the stubs anyway).
fn local_dependencies(file: &Path, code: &str) -> Vec<(PathBuf, plan::Prepared)> {
    const MAX_FILES: usize = 64;
    let mut out = Vec::new();
    let mut seen = vec![file.to_path_buf()];
    let mut queue = vec![(file.to_path_buf(), code.to_string())];
    while let Some((from, code)) = queue.pop() {
        for specifier in relative_specifiers(&code) {
            let Some(path) = resolve_typescript(&from, &specifier)
                .or_else(|| resolve_es_module(&from, &specifier))
            else {
                continue;
            };
            if seen.contains(&path) || out.len() >= MAX_FILES {
                continue;
            }
            seen.push(path.clone());
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let dir = path.parent().unwrap_or(Path::new("/"));
            let module = PackageTypes::new().is_module(dir);
            if let Ok(prepared) = plan::prepare_module(&path, &text, module) {
                queue.push((path.clone(), prepared.code.clone()));
                out.push((path, prepared));
            }
        }
    }
    out
}

/// `./x` and `../y` specifiers of imports, exports and `require` calls with a literal path.
fn relative_specifiers(code: &str) -> Vec<String> {
    let mut specifiers = Vec::new();
    for quote in ['\'', '"'] {
        let mut rest = code;
        while let Some(at) = rest.find(quote) {
            let after = &rest[at + 1..];
            let Some(end) = after.find(quote) else { break };
            let literal = &after[..end];
            let before = rest[..at].trim_end();
            let is_import = before.ends_with("from")
                || before.ends_with("import")
                || before.ends_with("require(")
                || before.ends_with("import(");
            if is_import && (literal.starts_with("./") || literal.starts_with("../")) {
                specifiers.push(literal.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    specifiers
}

/// A JavaScript ES module named by a relative specifier (`./db.mjs`, or `./db.js` in a package
/// of `"type": "module"`).
fn resolve_es_module(from: &Path, specifier: &str) -> Option<PathBuf> {
    let path = from.parent()?.join(specifier);
    if !path.is_file() {
        return None;
    }
    let module = match path.extension().and_then(|e| e.to_str()) {
        Some("mjs") => true,
        Some("js") => PackageTypes::new().is_module(path.parent().unwrap_or(Path::new("/"))),
        _ => false,
    };
    module.then(|| std::fs::canonicalize(&path).ok()).flatten()
}

fn resolve_typescript(from: &Path, specifier: &str) -> Option<PathBuf> {
    let base = from.parent()?.join(specifier);
    if base.is_file()
        && !base
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "ts" | "tsx" | "mts" | "cts"))
    {
        // A JavaScript file that exists is what node loads.
        return None;
    }
    let is_ts = |p: &Path| {
        p.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "ts" | "tsx" | "mts" | "cts"))
    };
    if is_ts(&base) {
        return std::fs::canonicalize(base).ok();
    }
    let stem = match base.extension().and_then(|e| e.to_str()) {
        Some("js" | "mjs" | "cjs" | "jsx") => base.with_extension(""),
        _ => base.clone(),
    };
    for ext in ["ts", "tsx", "mts", "cts"] {
        let candidate = PathBuf::from(format!("{}.{ext}", stem.display()));
        if is_ts(&candidate) {
            return std::fs::canonicalize(candidate).ok();
        }
    }
    for index in ["index.ts", "index.tsx"] {
        let candidate = base.join(index);
        if is_ts(&candidate) {
            return std::fs::canonicalize(candidate).ok();
        }
    }
    None
}

/// The folders node may read for a file: the project (the repository it is in, else the folder
/// of its nearest package.json, else its own folder) and the `node_modules` folders above it,
/// where its packages resolve from.
pub fn readable_for(file: &Path) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("/"));
    let repository = dir.ancestors().find(|a| a.join(".git").exists());
    let package = dir.ancestors().find(|a| a.join("package.json").is_file());
    let root = repository.or(package).unwrap_or(dir).to_path_buf();
    let mut readable = vec![root.clone()];
    for ancestor in dir.ancestors() {
        let modules = ancestor.join("node_modules");
        if !modules.starts_with(&root) && modules.is_dir() {
            readable.push(modules);
        }
    }
    readable
}

/// Node's built-in modules: always there, never stubbed.
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "sqlite",
    "stream",
    "string_decoder",
    "sys",
    "test",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// One package name of `--stub`: a bare specifier (`pg`, `@aws-sdk/client-s3`), which also
/// stands for its subpaths (`pg/lib/client`). Paths and Node's built-in modules are refused.
pub fn parse_stub(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("an empty package name".into());
    }
    if name.starts_with('.') || name.starts_with('/') || name.contains('\\') {
        return Err(format!(
            "`{name}` is a path; --stub takes package names as code imports them (`pg`, `@scope/name`)"
        ));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{name}` is not a package name"));
    }
    let root = name.strip_prefix("node:").unwrap_or(name);
    let root = root.split('/').next().unwrap_or(root);
    if name.starts_with("node:") || NODE_BUILTINS.contains(&root) {
        return Err(format!(
            "`{name}` is a Node.js built-in module, which is always there; --stub replaces packages"
        ));
    }
    if name.starts_with('@') && !name.contains('/') {
        return Err(format!(
            "`{name}` is a scope, not a package (`{name}/name`)"
        ));
    }
    Ok(name.to_string())
}

/// `--at FILE:LINE:RULE`: a place to verify as if RULE had flagged it there.
#[derive(Clone, Debug)]
pub struct AtTarget {
    pub path: PathBuf,
    pub line: usize,
    pub rule: &'static str,
}

impl AtTarget {
    pub fn parse(text: &str) -> Result<AtTarget, String> {
        let mut parts = text.rsplitn(3, ':');
        let (Some(rule), Some(line), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("expected FILE:LINE:RULE, got `{text}`"));
        };
        let rule = verifiable_rules()
            .map(|r| r.id)
            .find(|id| *id == rule)
            .ok_or_else(|| {
                format!(
                    "`{rule}` is not a rule leaklint verifies ({})",
                    verifiable_rules()
                        .map(|r| r.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        let line: usize = line
            .parse()
            .ok()
            .filter(|l| *l > 0)
            .ok_or_else(|| format!("`{line}` is not a line number"))?;
        Ok(AtTarget {
            path: PathBuf::from(path),
            line,
            rule,
        })
    }
}

/// Reports with one diagnostic per `--at` target (the line's code as its range), for
/// [`verify`] to fill in. Unreadable files and lines past the end are errors.
pub fn at_targets(targets: &[AtTarget]) -> Result<CheckResult, String> {
    let mut result = CheckResult::default();
    for target in targets {
        let text = std::fs::read_to_string(&target.path)
            .map_err(|e| format!("cannot read {}: {e}", target.path.display()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        let index = LineIndex::new(&text);
        if target.line > index.line_count() {
            return Err(format!(
                "{} has {} lines; there is no line {}",
                target.path.display(),
                index.line_count(),
                target.line
            ));
        }
        let start = index.line_start(target.line - 1);
        let line = text[start..].lines().next().unwrap_or("");
        let indent = line.len() - line.trim_start().len();
        let range = Range::new(start + indent, start + line.trim_end().len());
        let diagnostic = Diagnostic {
            rule: Some(target.rule),
            severity: Severity::Warn,
            message: format!(
                "runtime check of `{}` asked for with --at (not a finding of the linter)",
                target.rule
            ),
            location: Location::resolve(&text, &index, range),
            related: Vec::new(),
            help: None,
            fatal: false,
            verification: None,
        };
        match result.files.iter_mut().find(|f| f.path == target.path) {
            Some(file) => file.diagnostics.push(diagnostic),
            None => result.files.push(FileReport {
                path: target.path.clone(),
                text: Some(text.into()),
                diagnostics: vec![diagnostic],
            }),
        }
    }
    for file in &mut result.files {
        file.diagnostics
            .sort_by_key(|d| (d.location.range.start, d.location.range.end));
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_targets_parse() {
        let t = AtTarget::parse("src/a:b.js:12:unbounded-cache").unwrap();
        assert_eq!(
            (t.path, t.line, t.rule),
            (PathBuf::from("src/a:b.js"), 12, "unbounded-cache")
        );
        assert!(AtTarget::parse("a.js:0:unbounded-cache").is_err());
        assert!(AtTarget::parse("a.js:3:unused-ignore").is_err());
        assert!(AtTarget::parse("a.js").is_err());
    }

    #[test]
    fn stubs_are_package_names() {
        assert_eq!(parse_stub("pg").unwrap(), "pg");
        assert_eq!(
            parse_stub(" @aws-sdk/client-s3 ").unwrap(),
            "@aws-sdk/client-s3"
        );
        assert_eq!(parse_stub("pg/lib/client").unwrap(), "pg/lib/client");
        for (bad, why) in [
            ("", "empty"),
            ("./db", "a path"),
            ("/abs/db", "a path"),
            ("fs", "built-in"),
            ("node:net", "built-in"),
            ("fs/promises", "built-in"),
            ("@scope", "a scope"),
            ("a b", "not a package name"),
        ] {
            let error = parse_stub(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn readable_folders_are_the_project_and_its_packages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("node_modules")).unwrap();
        std::fs::create_dir_all(root.join("app/src")).unwrap();
        std::fs::create_dir_all(root.join("app/node_modules")).unwrap();
        std::fs::write(root.join("app/package.json"), "{}").unwrap();
        let file = root.join("app/src/a.js");
        // Folders above the temporary one are the machine's business: look inside it only.
        let inside = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
            paths.into_iter().filter(|p| p.starts_with(root)).collect()
        };
        assert_eq!(
            inside(readable_for(&file)),
            vec![root.join("app"), root.join("node_modules")]
        );
        std::fs::create_dir_all(root.join(".git")).unwrap();
        assert_eq!(inside(readable_for(&file)), vec![root.to_path_buf()]);
    }

    #[test]
    fn relative_specifiers_are_found() {
        let code = "import a from './a';\nconst b = require(\"../b.js\");\nimport('./c');\nexport * from './d';\nconst s = 'not ./e';";
        assert_eq!(
            relative_specifiers(code),
            vec!["./a", "./c", "./d", "../b.js"]
        );
    }
}
