//! `leaklint verify` with a real `node`: the runtime fixtures under `fixtures/verify/` state
//! the verdict each finding must get (`// verify: …` above the line, see its README); real leaks
//! must be confirmed, look-alikes must not be, hostile modules must be contained with a clear
//! verdict and leave no process, file or temporary folder behind.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, project, repo, Run};

/// Fails loudly without node: these tests are the verifier's proof and must not be skipped.
fn require_node() {
    let output = Command::new("node").arg("--version").output();
    match output {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "tests/verify.rs needs Node.js 20 or later on PATH (.ci/run installs it); `node --version` gave {other:?}"
        ),
    }
}

/// Runs leaklint in the repository with its temporary folders under `tmp`.
fn leaklint(tmp: &Path, args: &[&str]) -> Run {
    let output = Command::new(bin())
        .args(args)
        .current_dir(repo())
        .env("TMPDIR", tmp)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("leaklint starts");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Confirmed,
    NotReproduced,
    Unverifiable(String),
}

#[derive(Debug, Clone)]
struct Expectation {
    /// Repository-relative path.
    file: String,
    /// The line the verdict is about.
    line: u64,
    /// `Some(rule)` for `verify-at RULE:` (asked for with --at).
    at_rule: Option<String>,
    scenario: bool,
    expected: Expected,
}

fn parse_expected(text: &str) -> Expected {
    let text = text.trim();
    if text == "confirmed" {
        Expected::Confirmed
    } else if text == "not-reproduced" {
        Expected::NotReproduced
    } else if let Some(reason) = text.strip_prefix("unverifiable:") {
        Expected::Unverifiable(reason.trim().to_string())
    } else {
        panic!("unknown verdict `{text}` in a fixture")
    }
}

fn expectations() -> Vec<Expectation> {
    let mut found = Vec::new();
    for path in walk(&repo().join("fixtures/verify")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let comment = line.trim();
            let (at_rule, scenario, verdict) =
                if let Some(rest) = comment.strip_prefix("// verify:") {
                    (None, false, rest)
                } else if let Some(rest) = comment.strip_prefix("// verify-scenario:") {
                    (None, true, rest)
                } else if let Some(rest) = comment.strip_prefix("// verify-at ") {
                    let (rule, verdict) = rest.split_once(':').expect("verify-at RULE: VERDICT");
                    (Some(rule.trim().to_string()), false, verdict)
                } else {
                    continue;
                };
            // The target is the first line below that is not another verify comment.
            let target = (i + 1..lines.len())
                .find(|j| !lines[*j].trim().starts_with("// verify"))
                .expect("a line after the verify comment");
            found.push(Expectation {
                file: file.clone(),
                line: target as u64 + 1,
                at_rule,
                scenario,
                expected: parse_expected(verdict),
            });
        }
    }
    found.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    found
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| {
            ["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"].contains(&e.to_str().unwrap())
        }) {
            files.push(path);
        }
    }
    files
}

/// (file, line) → the verification object of each verified message of a JSON report.
fn verdicts(run: &Run) -> BTreeMap<(String, u64), serde_json::Value> {
    let mut out = BTreeMap::new();
    for file in run.json().as_array().unwrap() {
        let path = Path::new(file["filePath"].as_str().unwrap());
        let name = path
            .strip_prefix(repo())
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        for message in file["messages"].as_array().unwrap() {
            if message.get("verification").is_some() {
                out.insert(
                    (name.clone(), message["line"].as_u64().unwrap()),
                    message["verification"].clone(),
                );
            }
        }
    }
    out
}

fn matches(expected: &Expected, verification: &serde_json::Value) -> bool {
    let verdict = verification["verdict"].as_str().unwrap_or("");
    let summary = verification["summary"].as_str().unwrap_or("");
    match expected {
        Expected::Confirmed => verdict == "confirmed",
        Expected::NotReproduced => verdict == "not-reproduced",
        Expected::Unverifiable(reason) => verdict == "unverifiable" && summary.contains(reason),
    }
}

/// Every expectation of `selected` against the verdicts of `run`; returns the mismatches.
fn check(
    selected: &[&Expectation],
    got: &BTreeMap<(String, u64), serde_json::Value>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for e in selected {
        match got.get(&(e.file.clone(), e.line)) {
            Some(v) if matches(&e.expected, v) => {}
            Some(v) => problems.push(format!(
                "{}:{}: expected {:?}, got {} — {}",
                e.file, e.line, e.expected, v["verdict"], v["summary"]
            )),
            None => problems.push(format!(
                "{}:{}: expected {:?}, but nothing was verified there",
                e.file, e.line, e.expected
            )),
        }
    }
    problems
}

/// Processes whose command line or working folder mentions `marker`.
fn processes_mentioning(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        let cwd = std::fs::read_link(entry.path().join("cwd"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if cmdline.contains(marker) || cwd.contains(marker) {
            found.push(format!("pid {name}: {cmdline} (cwd {cwd})"));
        }
    }
    found
}

/// Nothing may outlive a run: no process mentioning its temporary folder, no leftover folder.
fn assert_nothing_left(tmp: &Path) {
    let marker = tmp.to_string_lossy().into_owned();
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut left = processes_mentioning(&marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = processes_mentioning(&marker);
    }
    assert!(left.is_empty(), "processes left behind: {left:#?}");
    let leftovers: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left behind: {leftovers:?}"
    );
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

#[test]
fn real_leaks_are_confirmed_and_look_alikes_the_linter_flags_are_not() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            "fixtures/verify/unbounded-cache",
            "fixtures/verify/uncleared-interval",
            "fixtures/verify/repeated-listener",
            "fixtures/verify/per-call-require",
            "fixtures/verify/implicit-global",
            "fixtures/verify/scenario",
            "fixtures/verify/servers",
            "fixtures/verify/clients",
            "fixtures/verify/singletons",
            "fixtures/verify/callbacks",
            "fixtures/verify/browser",
            "fixtures/verify/components",
            "--format",
            "json",
            "-j",
            "2",
        ],
    );
    let wall = started.elapsed();
    assert_eq!(
        run.code, 1,
        "error-level findings keep exit 1:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--experimental-permission") || run.stderr.contains("--permission"),
        "the closing note names the containment: {}",
        run.stderr
    );
    let got = verdicts(&run);
    let all = expectations();
    let selected: Vec<&Expectation> = all
        .iter()
        .filter(|e| e.at_rule.is_none() && !e.scenario && !e.file.contains("/hostile/"))
        .collect();
    let leaks: Vec<&&Expectation> = selected
        .iter()
        .filter(|e| e.expected == Expected::Confirmed)
        .collect();
    let look_alikes: Vec<&&Expectation> = selected
        .iter()
        .filter(|e| e.expected == Expected::NotReproduced)
        .collect();
    let confirmed = |e: &Expectation| {
        got.get(&(e.file.clone(), e.line))
            .is_some_and(|v| v["verdict"] == "confirmed")
    };
    let times: Vec<u64> = got
        .values()
        .filter_map(|v| v["elapsedMs"].as_u64())
        .collect();
    eprintln!(
        "real leaks confirmed: {}/{}; look-alikes confirmed: {}/{}; {} findings verified in {:.1} s wall (-j 2); per finding: median {} ms, slowest {} ms",
        leaks.iter().filter(|e| confirmed(e)).count(),
        leaks.len(),
        look_alikes.iter().filter(|e| confirmed(e)).count(),
        look_alikes.len(),
        got.len(),
        wall.as_secs_f64(),
        median(times.clone()),
        times.iter().max().unwrap()
    );
    assert!(
        leaks.len() >= 25,
        "each rule has real leaks, and servers, clients and callbacks on stubbed packages: {}",
        leaks.len()
    );
    assert!(look_alikes.len() >= 3, "look-alikes the linter flags");
    let problems = check(&selected, &got);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every finding of the linter got a verdict, not only those the fixtures speak about.
    let flagged: usize = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["messages"].as_array().unwrap().len())
        .sum();
    assert_eq!(got.len(), flagged, "every finding carries a verification");
    // A reconnect that re-adds a listener to the socket it keeps: nothing grows on fresh
    // instances, so the one-instance mode is what confirmed it, and the details say so.
    let feed = selected
        .iter()
        .find(|e| e.file.ends_with("clients/feed-client.js"))
        .map(|e| got[&(e.file.clone(), e.line)].clone())
        .expect("the feed client's reconnect is a fixture");
    assert_eq!(
        feed["mode"], "one instance, called again and again",
        "{feed}"
    );
    assert!(
        feed["summary"].as_str().unwrap().starts_with(
            "on one instance, called again and again: listeners on live emitters grew"
        ),
        "{feed}"
    );
    assert_nothing_left(tmp.path());
}

/// Runs `leaklint verify --at …` for each `verify-at` expectation that `wanted` selects.
fn verify_at(tmp: &Path, wanted: impl Fn(&Expected) -> bool) -> (Vec<Expectation>, Run) {
    let selected: Vec<Expectation> = expectations()
        .into_iter()
        .filter(|e| e.at_rule.is_some() && wanted(&e.expected))
        .collect();
    let targets: Vec<String> = selected
        .iter()
        .map(|e| format!("{}:{}:{}", e.file, e.line, e.at_rule.as_ref().unwrap()))
        .collect();
    let mut args = vec![
        "verify",
        "--format",
        "json",
        "-j",
        "2",
        "--fail-on",
        "confirmed",
    ];
    for target in &targets {
        args.push("--at");
        args.push(target);
    }
    let run = leaklint(tmp, &args);
    (selected, run)
}

#[test]
fn look_alikes_asked_for_with_at_are_not_confirmed() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let (selected, run) = verify_at(tmp.path(), |e| *e != Expected::Confirmed);
    assert!(
        selected.len() >= 15,
        "an LRU, a listener removed on disconnect, a reconnect that drops the old socket…: {}",
        selected.len()
    );
    let got = verdicts(&run);
    let selected: Vec<&Expectation> = selected.iter().collect();
    let problems = check(&selected, &got);
    eprintln!(
        "look-alikes asked for with --at confirmed: {}/{}",
        got.values().filter(|v| v["verdict"] == "confirmed").count(),
        selected.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        run.code, 0,
        "nothing confirmed, so --fail-on confirmed passes:\n{}",
        run.stderr
    );
    // The look-alikes were run, not skipped: each measured its quantity over its calls.
    for v in got.values() {
        assert!(v["calls"].as_u64().unwrap() >= 1000, "{v}");
    }
    assert_nothing_left(tmp.path());
}

/// Leaks in what an instance owns, which the linter does not flag: asked for with --at, the
/// verifier confirms them by calling the method again and again on the singleton the module
/// exports, and says so. (A reconnect that re-adds a listener the linter does flag: the test
/// above checks the mode that confirms it.)
#[test]
fn instance_owned_leaks_are_confirmed_on_one_instance() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let (selected, run) = verify_at(tmp.path(), |e| *e == Expected::Confirmed);
    assert!(selected.len() >= 3, "{}", selected.len());
    let got = verdicts(&run);
    let refs: Vec<&Expectation> = selected.iter().collect();
    let problems = check(&refs, &got);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(run.code, 1, "confirmed leaks fail --fail-on confirmed");
    let verification = |file: &str| {
        let e = selected
            .iter()
            .find(|e| e.file.ends_with(file))
            .unwrap_or_else(|| panic!("{file} has a verify-at"));
        got[&(e.file.clone(), e.line)].clone()
    };
    // A singleton's own cache, read on the instance itself.
    let api = verification("clients/api-client.js");
    assert_eq!(
        api["mode"], "the exported instance (`module.exports`)",
        "{api}"
    );
    assert_eq!(api["measured"], "entries in `this.responses`", "{api}");
    let metrics = verification("singletons/metrics.mjs");
    assert_eq!(
        metrics["mode"], "the exported instance (`export default`)",
        "{metrics}"
    );
    assert_nothing_left(tmp.path());
}

#[test]
fn hostile_modules_are_contained_with_a_clear_verdict() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let hostile = repo().join("fixtures/verify/hostile");
    let written = [
        hostile.join("written-by-module.txt"),
        hostile.join("spawned-by-module.txt"),
        hostile.join("written-through-stub.txt"),
        hostile.join("written-through-dom.txt"),
    ];
    for file in &written {
        let _ = std::fs::remove_file(file);
    }
    let started = Instant::now();
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            "fixtures/verify/hostile",
            "--format",
            "json",
            "-j",
            "2",
            "--timeout",
            "4",
        ],
    );
    let wall = started.elapsed();
    let all = expectations();
    let selected: Vec<&Expectation> = all
        .iter()
        .filter(|e| e.file.contains("/hostile/"))
        .collect();
    assert_eq!(
        selected.len(),
        8,
        "loop at load, process.exit, a write, a child process, 1 GB of output, a throw, a stub and the DOM used as ways out"
    );
    let got = verdicts(&run);
    let problems = check(&selected, &got);
    eprintln!(
        "hostile modules contained: {}/{} in {:.1} s",
        selected.len() - problems.len(),
        selected.len(),
        wall.as_secs_f64()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for file in &written {
        assert!(!file.exists(), "the module wrote {}", file.display());
    }
    // The endless loop is stopped at its deadline, the flood at its cap: the run stays short.
    assert!(wall < Duration::from_secs(40), "took {wall:?}");
    assert_nothing_left(tmp.path());
}

#[test]
fn a_scenario_drives_what_discovery_cannot() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let all = expectations();
    let selected: Vec<&Expectation> = all.iter().filter(|e| e.scenario).collect();
    assert!(!selected.is_empty());
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            "fixtures/verify/scenario/store.js",
            "--scenario",
            "fixtures/verify/scenario/step.js",
            "--iterations",
            "2500",
            "--format",
            "json",
        ],
    );
    let got = verdicts(&run);
    let problems = check(&selected, &got);
    assert!(
        problems.is_empty(),
        "{}\n{}",
        problems.join("\n"),
        run.stderr
    );
    let v = got.values().next().unwrap();
    assert!(v["entry"].as_str().unwrap().contains("scenario"), "{v}");
    assert_nothing_left(tmp.path());
}

/// `leaklint verify FILE` with 1,000 calls, in `format`, without color.
fn verify_in_format<'a>(file: &'a str, format: &'a str) -> Vec<&'a str> {
    vec![
        "verify",
        file,
        "--iterations",
        "1000",
        "--format",
        format,
        "--color",
        "never",
    ]
}

#[test]
fn verdicts_show_in_every_format() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let file = "fixtures/verify/unbounded-cache/memoize.js";
    let args = |format: &'static str| verify_in_format(file, format);

    let json = leaklint(tmp.path(), &args("json"));
    let message = &json.json()[0]["messages"][0];
    assert_eq!(message["ruleId"], "unbounded-cache", "{message}");
    let v = &message["verification"];
    assert_eq!(v["verdict"], "confirmed", "{v}");
    assert_eq!(v["measured"], "entries in `users`", "{v}");
    assert_eq!(
        v["entry"], "`getUser` (assigned to `module.exports`)",
        "{v}"
    );
    assert_eq!(v["windows"].as_array().unwrap().len(), 4, "{v}");
    assert!((v["perCall"].as_f64().unwrap() - 1.0).abs() < 1e-9, "{v}");
    assert!(v["heapBytesPerCall"].as_f64().is_some(), "{v}");
    assert!(v["calls"].as_u64().unwrap() >= 1000, "{v}");
    assert!(v["elapsedMs"].as_u64().is_some(), "{v}");
    // The standard ESLint fields are still there, unchanged.
    assert_eq!(message["line"], 7);
    assert_eq!(message["severity"], 2);

    let compact = leaklint(tmp.path(), &args("compact"));
    let line = compact.stdout.lines().next().unwrap();
    assert!(
        line.starts_with("fixtures/verify/unbounded-cache/memoize.js:7:5: error unbounded-cache ")
            && line.contains("[verify: confirmed: entries in `users` grew in each of 4 windows"),
        "{line}"
    );

    let pretty = leaklint(tmp.path(), &args("pretty"));
    let lines: Vec<&str> = pretty.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.trim_start()
                .starts_with("verify: confirmed: entries in `users`")
        })
        .unwrap_or_else(|| panic!("no verify line:\n{}", pretty.stdout));
    assert!(
        lines[..at]
            .iter()
            .any(|l| l.contains("leaklint(unbounded-cache)")),
        "the verify line comes under its diagnostic:\n{}",
        pretty.stdout
    );
    assert!(
        lines[at].contains("called `getUser` (assigned to `module.exports`)"),
        "{}",
        lines[at]
    );

    let sarif = leaklint(tmp.path(), &args("sarif"));
    let result = &sarif.json()["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unbounded-cache", "{result}");
    let v = &result["properties"]["leaklint/verification"];
    assert_eq!(v["verdict"], "confirmed", "{result}");
    assert_eq!(v["measured"], "entries in `users`", "{result}");

    let github = leaklint(tmp.path(), &args("github"));
    let annotation = github.stdout.lines().next().unwrap();
    assert!(
        annotation.starts_with("::error ")
            && annotation
                .contains("%0Averify: confirmed: entries in `users` grew in each of 4 windows"),
        "{annotation}"
    );
    assert_nothing_left(tmp.path());
}

#[test]
fn exit_codes_change_only_with_fail_on_confirmed() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let leak = "fixtures/verify/unbounded-cache/memoize.js";
    // A finding the verifier does not reproduce on its own (the growth hides behind a two-step
    // API that only a scenario drives).
    let refuted_alone = "fixtures/verify/scenario/store.js";
    let quick = ["--iterations", "500", "--format", "compact"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(quick);
        leaklint(tmp.path(), &args)
    };
    // An error-level finding exits 1 whatever the verifier says…
    assert_eq!(run(&["verify", refuted_alone]).code, 1);
    assert_eq!(run(&["check", "--verify", leak]).code, 1);
    // …unless the user asks to fail only on confirmed leaks.
    let refuted = run(&["verify", refuted_alone, "--fail-on", "confirmed"]);
    assert_eq!(refuted.code, 0, "{}{}", refuted.stdout, refuted.stderr);
    assert!(
        refuted.stdout.contains("[verify: not reproduced"),
        "{}",
        refuted.stdout
    );
    assert_eq!(run(&["verify", leak, "--fail-on", "confirmed"]).code, 1);
    // Verification options without verification are a usage error.
    let usage = leaklint(tmp.path(), &["check", leak, "--heap-limit", "32"]);
    assert_eq!(usage.code, 2);
    assert!(
        usage.stderr.contains("--heap-limit needs --verify"),
        "{}",
        usage.stderr
    );
    // A missing node is a clear error, not a panic or a silent skip.
    let missing = run(&["verify", leak, "--node", "/nonexistent/node"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("Node.js 20 or later"),
        "{}",
        missing.stderr
    );
    assert_nothing_left(tmp.path());
}

#[test]
fn typescript_and_es_modules_are_loaded_as_written() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    // A TypeScript ES module importing another TypeScript file by its `.js` name, as tsc wants.
    let dir = project(&[
        (
            "src/store.ts",
            b"import { key } from './keys.js';\nconst entries = new Map<string, number>();\nexport function put(id: string, n: number): number {\n  entries.set(key(id), n); // expect: unbounded-cache\n  return entries.size;\n}\n",
        ),
        (
            "src/keys.ts",
            b"export const key = (id: string): string => `k:${id}`;\n",
        ),
        ("package.json", b"{ \"type\": \"module\" }\n"),
    ]);
    let store = dir.path().join("src/store.ts");
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            store.to_str().unwrap(),
            "--iterations",
            "1000",
            "--format",
            "json",
        ],
    );
    let got = verdicts(&run);
    let v = got
        .values()
        .next()
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(v["verdict"], "confirmed", "{v}");
    assert_nothing_left(tmp.path());
}

#[test]
fn the_network_is_contained_where_the_os_allows() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let module = format!(
        "const net = require('node:net');\nconst connected = [];\nexports.ping = function ping(id) {{\n  const socket = net.connect({port}, '127.0.0.1');\n  socket.on('connect', () => {{\n    connected.push(id);\n    socket.destroy();\n  }});\n  socket.on('error', () => {{}});\n}};\n"
    );
    let dir = project(&[("phone-home.js", module.as_bytes())]);
    let file = dir.path().join("phone-home.js");
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            file.to_str().unwrap(),
            "--iterations",
            "250",
            "--format",
            "json",
        ],
    );
    let mut accepted = 0;
    while let Ok((mut stream, _)) = listener.accept() {
        let _ = stream.read(&mut [0u8; 16]);
        accepted += 1;
    }
    let got = verdicts(&run);
    let v = got
        .values()
        .next()
        .unwrap_or_else(|| panic!("{}\n{}", run.stdout, run.stderr));
    if run.stderr.contains("a new network namespace") {
        assert_eq!(accepted, 0, "a connection left the namespace");
        assert_eq!(v["verdict"], "not-reproduced", "{v}");
    } else {
        // Where the OS refuses a namespace, leaklint says so plainly.
        assert!(
            run.stderr.contains("no new network namespace"),
            "{}",
            run.stderr
        );
        assert!(accepted > 0);
    }
    assert_nothing_left(tmp.path());
}

#[test]
fn packages_that_are_not_installed_are_stubbed_and_every_format_says_so() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let file = "fixtures/verify/servers/chat-rooms.js";
    let args = |format: &'static str| verify_in_format(file, format);
    let json = leaklint(tmp.path(), &args("json"));
    let v = &json.json()[0]["messages"][0]["verification"];
    assert_eq!(v["verdict"], "confirmed", "{v}");
    assert_eq!(
        v["stubbed"],
        serde_json::json!([{ "module": "socket.io", "reason": "not installed" }]),
        "{v}"
    );
    // The handler registered with `io.on('connection', …)` was called with a fake socket, and
    // the 'join' listener it adds to that socket was run, which is where the roster grows.
    assert_eq!(
        v["entry"], "the function passed to `io.on('connection', …)`",
        "{v}"
    );
    let stubbed = "stubbed: `socket.io` (not installed)";
    let compact = leaklint(tmp.path(), &args("compact"));
    assert!(compact.stdout.contains(stubbed), "{}", compact.stdout);
    let pretty = leaklint(tmp.path(), &args("pretty"));
    assert!(pretty.stdout.contains(stubbed), "{}", pretty.stdout);
    let github = leaklint(tmp.path(), &args("github"));
    assert!(github.stdout.contains(stubbed), "{}", github.stdout);
    let sarif = leaklint(tmp.path(), &args("sarif"));
    let v = &sarif.json()["runs"][0]["results"][0]["properties"]["leaklint/verification"];
    assert_eq!(v["stubbed"][0]["module"], "socket.io", "{v}");
    assert_nothing_left(tmp.path());
}

#[test]
fn installed_packages_are_used_as_they_are_unless_named_with_stub() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let dir = project(&[
        ("package.json", b"{ \"name\": \"shop\" }\n"),
        // A database client that connects while it loads: unusable without a database.
        (
            "node_modules/dbclient/index.js",
            b"throw new Error('connect ECONNREFUSED 127.0.0.1:5432');\n",
        ),
        (
            "node_modules/dbclient/package.json",
            b"{ \"name\": \"dbclient\", \"main\": \"index.js\" }\n",
        ),
        // A pure helper: the cache below grows only if it really runs.
        (
            "node_modules/cache-key/index.js",
            b"module.exports = (id) => `user:${id}`;\n",
        ),
        (
            "node_modules/cache-key/package.json",
            b"{ \"name\": \"cache-key\", \"main\": \"index.js\" }\n",
        ),
        (
            "orders.js",
            b"const db = require('dbclient');\nconst orders = new Map();\nexports.load = function load(id) {\n  orders.set(id, db.query('SELECT 1', [id])); // expect: unbounded-cache\n};\n",
        ),
        (
            "users.js",
            b"const key = require('cache-key');\nconst users = new Map();\nexports.remember = function remember(id) {\n  users.set(key(id), { id }); // expect: unbounded-cache\n};\n",
        ),
    ]);
    let orders = dir.path().join("orders.js");
    let users = dir.path().join("users.js");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            orders.to_str().unwrap(),
            users.to_str().unwrap(),
            "--iterations",
            "1000",
            "--format",
            "json",
        ];
        args.extend(extra);
        let run = leaklint(tmp.path(), &args);
        let by_file: BTreeMap<String, serde_json::Value> = run
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let name = Path::new(f["filePath"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, f["messages"][0]["verification"].clone())
            })
            .collect();
        by_file
    };
    let plain = run(&[]);
    // Installed, so used as it is: it throws while loading, and the report says so.
    assert_eq!(plain["orders.js"]["verdict"], "unverifiable", "{plain:?}");
    assert!(
        plain["orders.js"]["summary"]
            .as_str()
            .unwrap()
            .contains("threw while loading: Error: connect ECONNREFUSED"),
        "{plain:?}"
    );
    // The helper ran for real (a stub would return one key for every id): confirmed, with
    // nothing stubbed.
    assert_eq!(plain["users.js"]["verdict"], "confirmed", "{plain:?}");
    assert!(plain["users.js"].get("stubbed").is_none(), "{plain:?}");

    let stubbed = run(&["--stub", "dbclient"]);
    assert_eq!(stubbed["orders.js"]["verdict"], "confirmed", "{stubbed:?}");
    assert_eq!(
        stubbed["orders.js"]["stubbed"],
        serde_json::json!([{ "module": "dbclient", "reason": "--stub" }]),
        "{stubbed:?}"
    );
    assert!(stubbed["users.js"].get("stubbed").is_none(), "{stubbed:?}");

    // `check --verify` takes it too; without --verify it is a usage error, and so is a name
    // that cannot be a package.
    let check = leaklint(
        tmp.path(),
        &[
            "check",
            "--verify",
            "--stub",
            "dbclient",
            orders.to_str().unwrap(),
            "--iterations",
            "500",
            "--format",
            "compact",
        ],
    );
    assert!(
        check.stdout.contains("[verify: confirmed")
            && check.stdout.contains("stubbed: `dbclient` (--stub)"),
        "{}\n{}",
        check.stdout,
        check.stderr
    );
    let usage = leaklint(
        tmp.path(),
        &["check", "--stub", "dbclient", orders.to_str().unwrap()],
    );
    assert_eq!(usage.code, 2);
    assert!(
        usage.stderr.contains("--stub needs --verify"),
        "{}",
        usage.stderr
    );
    for (bad, why) in [("fs", "built-in"), ("./db", "is a path")] {
        let refused = leaklint(
            tmp.path(),
            &["verify", "--stub", bad, orders.to_str().unwrap()],
        );
        assert_eq!(refused.code, 2, "{bad}: {}", refused.stderr);
        assert!(refused.stderr.contains(why), "{bad}: {}", refused.stderr);
    }
    assert_nothing_left(tmp.path());
}

/// Browser code (classic scripts, a UMD bundle, a jQuery-style plugin, a custom element) runs
/// in leaklint's built-in browser environment instead of failing with `window is not
/// defined`, and every verdict and the closing note say which environment ran.
#[test]
fn browser_code_runs_in_a_browser_environment_that_the_report_names() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            "fixtures/verify/browser",
            "fixtures/verify/unbounded-cache",
            "--format",
            "json",
            "-j",
            "2",
        ],
    );
    let got = verdicts(&run);
    let browser: Vec<_> = got
        .iter()
        .filter(|((file, _), _)| file.contains("/browser/"))
        .collect();
    assert!(browser.len() >= 9, "{browser:#?}");
    for ((file, line), v) in &browser {
        let summary = v["summary"].as_str().unwrap();
        assert!(
            summary.contains("; browser environment: built-in (browser code: it reads `"),
            "{file}:{line}: {summary}"
        );
        assert!(
            !summary.contains("is not defined"),
            "{file}:{line}: {summary}"
        );
    }
    // Node code gets no browser environment.
    for ((file, line), v) in got.iter().filter(|((f, _), _)| !f.contains("/browser/")) {
        let summary = v["summary"].as_str().unwrap();
        assert!(
            !summary.contains("browser environment"),
            "{file}:{line}: {summary}"
        );
    }
    // Listeners on `window` are counted on it and named so.
    let resize = got
        .iter()
        .find(|((f, _), _)| f.ends_with("browser/resize-on-render.js"))
        .map(|(_, v)| v["summary"].as_str().unwrap().to_string())
        .unwrap();
    assert!(resize.contains("window 'resize': 1001 → 5001"), "{resize}");
    assert!(
        run.stderr.contains(&format!(
            "browser environment: built-in ({} findings)",
            browser.len()
        )),
        "the closing note names the environment: {}",
        run.stderr
    );
    assert_nothing_left(tmp.path());
}

/// A plugin's page has jQuery loaded: the project's own where it has one, else a minimal one.
#[test]
fn a_plugin_gets_the_projects_own_jquery() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    // A jQuery of the project's that marks what it binds, so the test can tell it was used.
    let dir = project(&[
        ("package.json", b"{ \"name\": \"site\" }\n"),
        (
            "node_modules/jquery/package.json",
            b"{ \"name\": \"jquery\", \"main\": \"dist/jquery.js\" }\n",
        ),
        (
            "node_modules/jquery/dist/jquery.js",
            b"function jQuery(target) { return { on(type, fn) { window.addEventListener('project-jquery:' + type, fn); return this; } }; }\njQuery.fn = jQuery.prototype;\nmodule.exports = jQuery;\n",
        ),
        (
            "plugin.js",
            b"(function ($) {\n  $.fn.lazy = function () {\n    $(window).on('scroll', function () { return 1; }); // expect: repeated-listener\n    return this;\n  };\n})(jQuery);\n",
        ),
    ]);
    let plugin = dir.path().join("plugin.js");
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            plugin.to_str().unwrap(),
            "--iterations",
            "1000",
            "--format",
            "json",
        ],
    );
    let v = &run.json()[0]["messages"][0]["verification"];
    assert_eq!(v["verdict"], "confirmed", "{v}");
    let summary = v["summary"].as_str().unwrap();
    assert!(
        summary.contains("window 'project-jquery:scroll'"),
        "{summary}"
    );
    assert_nothing_left(tmp.path());
}

/// `--evidence`: for a confirmed finding, the kinds of object that grew and the chain of
/// references that holds one of them, closures on it at the checked file's lines; nothing for
/// a look-alike.
#[test]
fn evidence_shows_what_holds_the_growth() {
    require_node();
    let tmp = tempfile::tempdir().unwrap();
    let run = leaklint(
        tmp.path(),
        &[
            "verify",
            "--evidence",
            "fixtures/verify/unbounded-cache/memoize.js",
            "fixtures/verify/browser/shared-handler.js",
            "--format",
            "json",
        ],
    );
    let got = verdicts(&run);
    let cache = got
        .get(&("fixtures/verify/unbounded-cache/memoize.js".to_string(), 7))
        .expect("the cache finding is verified");
    assert_eq!(cache["verdict"], "confirmed", "{cache}");
    let path: Vec<&serde_json::Value> = cache["evidence"]["path"]
        .as_array()
        .unwrap_or_else(|| panic!("a path: {cache}"))
        .iter()
        .collect();
    let holder = path
        .iter()
        .position(|step| step["node"] == "Map")
        .unwrap_or_else(|| panic!("the Map holds the entries: {cache}"));
    assert_eq!(
        path[holder - 1]["edge"],
        "users",
        "the Map is reached as `users`: {cache}"
    );
    assert!(
        path.iter()
            .any(|step| step["node"] == "closure getUser" && step["line"] == 4),
        "the closure that keeps `users` is at line 4 of the file: {cache}"
    );
    let grown = cache["evidence"]["grown"].as_array().unwrap();
    assert!(
        grown
            .iter()
            .any(|kind| kind["after"].as_u64().unwrap() >= kind["before"].as_u64().unwrap() + 1000),
        "a kind of object grew by about one per call: {cache}"
    );
    let summary = cache["summary"].as_str().unwrap();
    let text = leaklint(
        tmp.path(),
        &[
            "verify",
            "--evidence",
            "fixtures/verify/unbounded-cache/memoize.js",
            "--color",
            "never",
        ],
    );
    assert!(
        text.stdout
            .contains("held by module memoize.js.exports → closure getUser (line 4).users → Map"),
        "the text output shows the path after the figures ({summary}):\n{}",
        text.stdout
    );
    assert!(
        got.values().any(|v| v["verdict"] == "not-reproduced"),
        "the look-alike ran: {got:?}"
    );
    for (key, verification) in &got {
        if verification["verdict"] != "confirmed" {
            assert!(
                verification.get("evidence").is_none(),
                "{key:?}: no evidence without growth: {verification}"
            );
        }
    }
}

/// A project with a DOM of its own, from the npm registry once, into a cache under the target
/// folder (pinned versions; the first run needs the registry, later runs reuse it).
fn project_with_dom(package: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dom-projects");
    let dir = root.join(package.replace('@', "-"));
    if dir.join("node_modules/.package-lock.json").is_file() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("package.json"), "{\"private\": true}\n").unwrap();
    let output = Command::new("npm")
        .current_dir(&dir)
        .args(["install", "--no-save", "--no-audit", "--no-fund", package])
        .env("npm_config_cache", root.join("cache"))
        .env("npm_config_update_notifier", "false")
        .stdin(Stdio::null())
        .output()
        .expect("npm starts (scripts/test.sh installs it)");
    assert!(
        output.status.success(),
        "could not install {package} from the npm registry into {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

/// Browser code in a project that has happy-dom or jsdom runs on that DOM: its parser, its
/// selectors and its events, with listeners counted as on the built-in one, and the verdict
/// names it.
#[test]
fn a_project_dom_is_the_browser_environment_when_the_project_has_one() {
    require_node();
    const WIDGET: &str = "// Each init adds a keydown listener to the document and never removes it.\n\
        function initTooltip(selector) {\n\
        \x20 const el = document.querySelector(selector) || document.body;\n\
        \x20 document.addEventListener('keydown', (event) => { if (event.key === 'Escape') el.classList.remove('open'); });\n\
        \x20 return el;\n\
        }\n\
        // A listener on an element it parses itself, which dies with it.\n\
        function initBadge() {\n\
        \x20 const host = document.createElement('div');\n\
        \x20 host.innerHTML = '<span class=\"badge\">new</span>';\n\
        \x20 host.querySelector('.badge').addEventListener('click', () => host.remove());\n\
        \x20 return host;\n\
        }\n\
        window.initTooltip = initTooltip;\n\
        window.initBadge = initBadge;\n";
    let tmp = tempfile::tempdir().unwrap();
    for (package, name) in [
        ("happy-dom@15.11.7", "happy-dom"),
        ("jsdom@26.1.0", "jsdom"),
    ] {
        let dir = project_with_dom(package);
        let file = dir.join("widget.js");
        std::fs::write(&file, WIDGET).unwrap();
        let file = file.to_string_lossy().into_owned();
        let leak = leaklint(tmp.path(), &["verify", &file, "--format", "json"]);
        let got = verdicts(&leak);
        let (_, tooltip) = got
            .iter()
            .find(|((_, line), _)| *line == 4)
            .unwrap_or_else(|| panic!("the document listener is flagged and verified: {got:?}"));
        assert_eq!(tooltip["verdict"], "confirmed", "{name}: {tooltip}");
        let summary = tooltip["summary"].as_str().unwrap();
        assert!(
            summary.contains(&format!("browser environment: {name} ("))
                && summary.contains("document 'keydown'"),
            "{name}: the verdict names the environment and the target: {summary}"
        );
        let at = format!("{file}:11:repeated-listener");
        let badge = leaklint(tmp.path(), &["verify", "--at", &at, "--format", "json"]);
        let got = verdicts(&badge);
        let verification = got.values().next().expect("the look-alike is verified");
        assert_eq!(
            verification["verdict"], "not-reproduced",
            "{name}: the element's own listener dies with it (innerHTML and querySelector are the DOM's): {verification}"
        );
    }
}
