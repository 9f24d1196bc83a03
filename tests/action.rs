//! The GitHub Action's run step (`scripts/github-action.sh`, called by `action.yml`), run as the
//! runner would: inputs as environment variables, leaklint on PATH.

mod common;

use std::path::Path;
use std::process::Command;

use common::{project, repo};

const LEAK: &[u8] = b"function f(req) {\n  lastRequest = req;\n}\n";

struct Step {
    code: i32,
    stdout: String,
}

fn run_step(dir: &Path, paths: &str, sarif_file: &str, args: &str) -> Step {
    let path = std::env::join_paths(
        std::iter::once(common::bin().parent().unwrap().to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ),
    )
    .unwrap();
    let output = Command::new("bash")
        .arg(repo().join("scripts/github-action.sh"))
        .current_dir(dir)
        .env("PATH", path)
        .env("LEAKLINT_PATHS", paths)
        .env("LEAKLINT_SARIF_FILE", sarif_file)
        .env("LEAKLINT_ARGS", args)
        .output()
        .expect("bash runs");
    Step {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

#[test]
fn annotations_and_sarif() {
    let dir = project(&[
        ("web/leak.js", LEAK),
        ("api/leak.js", LEAK),
        ("other/leak.js", LEAK),
    ]);
    let step = run_step(dir.path(), "web\napi", "reports/leaklint.sarif", "");
    assert_eq!(step.code, 1, "findings fail the step: {}", step.stdout);
    let annotations: Vec<&str> = step
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error file="))
        .collect();
    assert_eq!(annotations.len(), 2, "{}", step.stdout);
    assert!(!step.stdout.contains("other/leak.js"));
    let sarif: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("reports/leaklint.sarif")).expect("the SARIF file"),
    )
    .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);

    // Extra arguments reach leaklint.
    let step = run_step(dir.path(), "web", "", "--rule implicit-global=warn");
    assert_eq!(step.code, 0, "{}", step.stdout);
    assert!(
        step.stdout.starts_with("::warning file=web/leak.js"),
        "{}",
        step.stdout
    );
    let step = run_step(
        dir.path(),
        "web",
        "",
        "--rule implicit-global=warn --max-warnings 0",
    );
    assert_eq!(step.code, 1);
}

#[test]
fn inputs_are_not_shell_code() {
    let dir = project(&[("a.js", b"const a = 1;\n")]);
    let step = run_step(dir.path(), "$(touch pwned) *", "", "");
    assert_eq!(step.code, 2, "no such paths: {}", step.stdout);
    assert!(!dir.path().join("pwned").exists());

    // A usage error while writing SARIF stops the step with leaklint's status.
    let step = run_step(dir.path(), ".", "out.sarif", "--env nodejs");
    assert_eq!(step.code, 2);
    assert!(
        step.stdout.contains("::error title=leaklint::"),
        "{}",
        step.stdout
    );
}

#[test]
fn the_action_runs_this_script_with_its_inputs() {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(action.contains("using: composite"));
    assert!(action.contains("bash \"$GITHUB_ACTION_PATH/scripts/github-action.sh\""));
    assert!(action.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
    for input in ["paths", "sarif-file", "args"] {
        assert!(action.contains(&format!("  {input}:\n")), "input {input}");
        assert!(
            action.contains(&format!("${{{{ inputs.{input} }}}}")),
            "input {input} is passed to the script"
        );
    }
}
