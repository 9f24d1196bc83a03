//! `--format github`: workflow commands as GitHub Actions reads them.

mod common;

use common::{project, repo, run_in};

const LEAK: &[u8] = b"function f(req) {\n  lastRequest = req;\n}\n";

/// Decodes a property value or message the way the runner does (the inverse of the toolkit's
/// escaping), to show that nothing is lost.
fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// A parsed workflow command: its name, its properties and its message.
type Annotation = (String, Vec<(String, String)>, String);

/// The properties and message of a `::error …::…` line.
fn parse(line: &str) -> Annotation {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("a message");
    let (command, properties) = head.split_once(' ').expect("properties");
    let properties = properties
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect();
    (command.to_string(), properties, message.to_string())
}

#[test]
fn paths_and_messages_are_escaped_as_the_toolkit_does() {
    let name = "50% a:b, c\r\nd.js";
    let dir = project(&[(name, LEAK)]);
    let run = run_in(dir.path(), &["check", "-f", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one annotation and the summary: {lines:?}");
    assert_eq!(
        lines[0],
        "::error file=50%25 a%3Ab%2C c%0D%0Ad.js,line=2,endLine=2,col=3,endColumn=14,title=implicit-global::`lastRequest` is assigned but never declared, so it becomes a global that lives as long as the process%0Ahelp: declare it (`let lastRequest`) in the scope that uses it; if it is meant to be a global, name it in a `/* global lastRequest */` comment or in `globals` in leaklint.toml"
    );
    let (command, properties, message) = parse(lines[0]);
    assert_eq!(command, "error");
    assert_eq!(unescape(&properties[0].1), name);
    assert!(unescape(&message).contains("process\nhelp: declare it"));
    assert_eq!(
        lines[1],
        "leaklint: 1 problem (1 error, 0 warnings) in 1 file."
    );
}

#[test]
fn severities_and_fatal_errors() {
    let dir = project(&[
        ("leak.js", LEAK),
        (
            "directive.js",
            b"// leaklint-ignore implicit-global\nconst a = 1;\n",
        ),
        ("broken.js", b"let x = 1 +;\n"),
        ("latin1.js", b"var s = '\xe9';\n"),
    ]);
    let run = run_in(dir.path(), &["check", "-f", "github"]);
    assert_eq!(run.code, 1);
    let annotations: Vec<Annotation> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(parse)
        .collect();
    let find = |file: &str| {
        annotations
            .iter()
            .find(|(_, p, _)| p[0].1 == file)
            .unwrap_or_else(|| panic!("no annotation for {file}: {}", run.stdout))
    };
    assert_eq!(find("leak.js").0, "error");
    let (command, properties, _) = find("directive.js");
    assert_eq!(command, "warning");
    assert_eq!(properties.last().unwrap().1, "unused-ignore");
    let (command, properties, message) = find("broken.js");
    assert_eq!(command, "error");
    assert_eq!(properties.last().unwrap().1, "fatal");
    assert!(message.starts_with("Parsing error"), "{message}");
    // `:` and `,` are escaped in properties only, not in the message.
    let (_, _, message) = find("latin1.js");
    assert!(
        message.contains("not valid UTF-8: byte 0xE9 at line 1, column 10"),
        "{message}"
    );
    assert!(run
        .stdout
        .ends_with("leaklint: 4 problems (3 errors, 1 warning) in 4 files.\n"));

    // Warnings alone pass; the summary says so.
    let run = run_in(
        dir.path(),
        &[
            "check",
            "-f",
            "github",
            "directive.js",
            "--max-warnings",
            "1",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(run
        .stdout
        .starts_with("::warning file=directive.js,line=1,"));

    let clean = project(&[("ok.js", b"const a = 1;\n")]);
    let run = run_in(clean.path(), &["check", "-f", "github"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "leaklint: No leaks found in 1 file.\n")
    );
}

#[test]
fn paths_are_relative_to_the_repository_root() {
    let dir = project(&[("web/src/leak.js", LEAK)]);
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .expect("git runs");
    let run = run_in(&dir.path().join("web"), &["check", "-f", "github", "src"]);
    assert!(
        run.stdout
            .starts_with("::error file=web/src/leak.js,line=2,"),
        "{}",
        run.stdout
    );
}

#[test]
fn snapshot() {
    let run = run_in(
        &repo(),
        &[
            "check",
            "fixtures/implicit-global/express-app.js",
            "-f",
            "github",
        ],
    );
    insta::assert_snapshot!(run.stdout);
}
