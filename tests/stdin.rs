//! `check --stdin --stdin-filename PATH`: the text on standard input linted as if it were PATH.

mod common;

use common::{project, run_with_stdin};

const LEAK: &[u8] = b"function f(req) {\n  lastRequest = req;\n}\n";
const CLEAN: &[u8] = b"function f(req) {\n  const last = req;\n  return last;\n}\n";

#[test]
fn lints_standard_input_as_the_named_file() {
    let dir = project(&[("README.md", b"")]);
    let args = [
        "check",
        "--stdin",
        "--stdin-filename",
        "src/leak.js",
        "-f",
        "compact",
    ];
    let run = run_with_stdin(dir.path(), &args, LEAK);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "src/leak.js:2:3: error implicit-global `lastRequest` is assigned but never declared, so it becomes a global that lives as long as the process\n"
    );
    assert!(
        !dir.path().join("src/leak.js").exists(),
        "the file need not exist"
    );

    let run = run_with_stdin(dir.path(), &args, CLEAN);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));

    // Every format names the file as given.
    let run = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin",
            "--stdin-filename",
            "src/leak.js",
            "-f",
            "json",
        ],
        LEAK,
    );
    let report = run.json();
    assert_eq!(
        report[0]["filePath"],
        dir.path().join("src/leak.js").to_string_lossy().as_ref()
    );
    assert_eq!(report[0]["messages"][0]["line"], 2);
    let run = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin",
            "--stdin-filename",
            "src/leak.js",
            "-f",
            "github",
        ],
        LEAK,
    );
    assert!(
        run.stdout.starts_with("::error file=src/leak.js,line=2,"),
        "{}",
        run.stdout
    );
    let run = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin",
            "--stdin-filename",
            "src/leak.js",
            "-f",
            "sarif",
        ],
        LEAK,
    );
    assert_eq!(
        run.json()["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "src/leak.js"
    );
    let run = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin",
            "--stdin-filename",
            "src/leak.js",
            "--color",
            "never",
        ],
        LEAK,
    );
    assert!(run.stdout.contains("src/leak.js:2:3"), "{}", run.stdout);
    assert!(run.stdout.contains("lastRequest = req;"), "{}", run.stdout);
}

#[test]
fn configuration_comes_from_the_named_path() {
    let dir = project(&[
        ("leaklint.toml", b"ignore = [\"generated/**\"]\n"),
        (
            "lenient/leaklint.toml",
            b"[rules]\nimplicit-global = \"warn\"\n",
        ),
        ("globals/leaklint.toml", b"globals = [\"lastRequest\"]\n"),
    ]);
    let lint = |path: &str| {
        run_with_stdin(
            dir.path(),
            &[
                "check",
                "--stdin",
                "--stdin-filename",
                path,
                "-f",
                "compact",
            ],
            LEAK,
        )
    };
    let run = lint("src/a.js");
    assert_eq!(run.code, 1);
    let run = lint("lenient/deep/a.js");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(": warning implicit-global"),
        "{}",
        run.stdout
    );
    let run = lint("globals/a.js");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    let run = lint("generated/a.js");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert!(run.stderr.contains("generated/a.js"), "{}", run.stderr);
    assert!(run.stderr.contains("ignore"), "{}", run.stderr);

    // --config and --rule still apply.
    let run = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin",
            "--stdin-filename",
            "src/a.js",
            "--rule",
            "implicit-global=off",
        ],
        LEAK,
    );
    assert_eq!(run.code, 0);
}

#[test]
fn syntax_and_module_kind_come_from_the_named_path() {
    let typed = b"function f(req: Request): void {\n  lastRequest = req;\n}\n";
    let dir = project(&[("esm/package.json", b"{\"type\": \"module\"}")]);
    let lint = |path: &str, text: &[u8]| {
        run_with_stdin(
            dir.path(),
            &[
                "check",
                "--stdin",
                "--stdin-filename",
                path,
                "-f",
                "compact",
            ],
            text,
        )
    };
    let run = lint("a.ts", typed);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("a.ts:2:3: error implicit-global"),
        "{}",
        run.stdout
    );
    let run = lint("a.js", typed);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("error fatal Parsing error"),
        "{}",
        run.stdout
    );
    // ES modules are strict: the assignment throws instead of leaking.
    let run = lint("esm/a.js", LEAK);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    let run = lint("a.cjs", LEAK);
    assert_eq!(run.code, 1);
}

#[test]
fn bad_input_and_usage() {
    let dir = project(&[]);
    let run = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin",
            "--stdin-filename",
            "a.js",
            "-f",
            "compact",
        ],
        b"var s = '\xe9';\n",
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("not valid UTF-8"), "{}", run.stdout);

    // Without --stdin-filename: a .js file in the current folder.
    let run = run_with_stdin(dir.path(), &["check", "--stdin", "-f", "compact"], LEAK);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("<stdin>.js:2:3:"), "{}", run.stdout);

    let run = run_with_stdin(dir.path(), &["check", "--stdin", "a.js"], LEAK);
    assert_eq!(run.code, 2, "paths and --stdin conflict");
    let run = run_with_stdin(dir.path(), &["check", "--stdin-filename", "a.js"], LEAK);
    assert_eq!(run.code, 2, "--stdin-filename needs --stdin");
    let run = run_with_stdin(
        dir.path(),
        &["check", "--stdin", "--max-file-size", "10"],
        LEAK,
    );
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("size limit"), "{}", run.stderr);
}
