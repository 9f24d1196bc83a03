//! Snapshots of each reporter on one fixture, as a user sees them.

mod common;

use common::{repo, run_in};

const FILE: &str = "fixtures/implicit-global/express-app.js";

#[test]
fn pretty() {
    let run = run_in(&repo(), &["check", FILE, "--color", "never"]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn compact() {
    let run = run_in(&repo(), &["check", FILE, "-f", "compact"]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn json() {
    let run = run_in(&repo(), &["check", FILE, "-f", "json"]);
    let mut report = run.json();
    let path = report[0]["filePath"].as_str().unwrap().to_string();
    assert_eq!(path, repo().join(FILE).to_string_lossy());
    report[0]["filePath"] = serde_json::Value::String("<repo>/".to_string() + FILE);
    insta::assert_json_snapshot!(report);
}

/// The four leak rules as a user sees them, with their related locations.
#[test]
fn pretty_leak_rules() {
    let run = run_in(
        &repo(),
        &[
            "check",
            "fixtures/unbounded-cache/express-app.js",
            "fixtures/uncleared-interval/client.ts",
            "fixtures/repeated-listener/express-app.js",
            "fixtures/per-call-require/hot-reload.js",
            "--color",
            "never",
        ],
    );
    insta::assert_snapshot!(run.stdout);
}
