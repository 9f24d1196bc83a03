//! The `leaklint` binary as a user runs it: exit codes, formats, configuration, bad input.

mod common;

use common::{messages, project, repo, run_in};

const LEAK: &[u8] = b"function f(req) {\n  lastRequest = req;\n}\nmodule.exports = f;\n";
const CLEAN: &[u8] =
    b"function f(req) {\n  const last = req;\n  return last;\n}\nmodule.exports = f;\n";

#[test]
fn exit_codes() {
    let dir = project(&[("clean.js", CLEAN)]);
    let run = run_in(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("No leaks found in 1 file."),
        "{}",
        run.stdout
    );

    let dir = project(&[("leak.js", LEAK), ("clean.js", CLEAN)]);
    let run = run_in(dir.path(), &["check", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("1 problem (1 error, 0 warnings) in 2 files."),
        "{}",
        run.stdout
    );

    let run = run_in(dir.path(), &["check", "--rule", "implicit-global=warn"]);
    assert_eq!(run.code, 0, "warnings alone pass");
    let run = run_in(
        dir.path(),
        &[
            "check",
            "--rule",
            "implicit-global=warn",
            "--max-warnings",
            "0",
        ],
    );
    assert_eq!(run.code, 1, "--max-warnings 0 fails on one warning");
    let run = run_in(
        dir.path(),
        &[
            "check",
            "--rule",
            "implicit-global=warn",
            "--quiet",
            "-f",
            "compact",
        ],
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, ""),
        "--quiet drops warnings"
    );
    let run = run_in(dir.path(), &["check", "--rule", "implicit-global=off"]);
    assert_eq!(run.code, 0);

    let run = run_in(dir.path(), &["check", "--rule", "no-such-rule=off"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown rule `no-such-rule`"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(run.code, 2);
    let run = run_in(dir.path(), &["check", "--env", "nodejs"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown environment `nodejs`"),
        "{}",
        run.stderr
    );
}

#[test]
fn formats() {
    let dir = project(&[("src/leak.js", LEAK)]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(
        run.stdout,
        "src/leak.js:2:3: error implicit-global `lastRequest` is assigned but never declared, so it becomes a global that lives as long as the process\n"
    );

    let run = run_in(dir.path(), &["check", "-f", "json"]);
    let report = run.json();
    let file = &report[0];
    assert!(file["filePath"].as_str().unwrap().ends_with("src/leak.js"));
    assert!(std::path::Path::new(file["filePath"].as_str().unwrap()).is_absolute());
    assert_eq!(file["errorCount"], 1);
    assert_eq!(file["warningCount"], 0);
    assert_eq!(file["fatalErrorCount"], 0);
    let message = &file["messages"][0];
    assert_eq!(message["ruleId"], "implicit-global");
    assert_eq!(message["severity"], 2);
    assert_eq!(
        (message["line"].as_u64(), message["column"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        (message["endLine"].as_u64(), message["endColumn"].as_u64()),
        (Some(2), Some(14))
    );

    let run = run_in(dir.path(), &["check", "-f", "pretty", "--color", "never"]);
    assert!(
        run.stdout.contains("leaklint(implicit-global)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("src/leak.js:2:3"), "{}", run.stdout);
    assert!(run.stdout.contains("lastRequest = req;"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "no colors when asked");
}

#[test]
fn related_locations_in_json() {
    let dir = project(&[("a.js", b"function f() {\n  n = 0;\n  n++;\n}\n")]);
    let report = run_in(dir.path(), &["check", "-f", "json"]).json();
    let message = &messages(&report, "a.js")[0];
    assert_eq!(message["line"], 2);
    assert_eq!(message["relatedLocations"][0]["line"], 3);
    assert_eq!(
        message["relatedLocations"][0]["message"],
        "`n` is also assigned here"
    );
}

#[test]
fn configuration_is_found_walking_up() {
    let dir = project(&[
        (
            "leaklint.toml",
            b"globals = [\"lastRequest\"]\nignore = [\"generated/**\"]\n",
        ),
        ("src/deep/leak.js", LEAK),
        ("generated/leak.js", LEAK),
        (
            "other/leaklint.toml",
            b"[rules]\nimplicit-global = \"warn\"\n",
        ),
        ("other/leak.js", LEAK),
    ]);
    let report = run_in(dir.path(), &["check", "-f", "json"]).json();
    let files: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filePath"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "generated/ is ignored: {files:?}");
    assert!(
        messages(&report, "src/deep/leak.js").is_empty(),
        "globals from the root config"
    );
    assert_eq!(
        messages(&report, "other/leak.js")[0]["severity"],
        1,
        "nearest config wins"
    );

    // An ignored file named explicitly (as pre-commit does) is still ignored.
    let run = run_in(dir.path(), &["check", "generated/leak.js", "-f", "json"]);
    assert_eq!(run.json().as_array().unwrap().len(), 0);

    // --config replaces discovery; --env replaces the environment.
    std::fs::write(
        dir.path().join("custom.toml"),
        "[rules]\nimplicit-global = \"off\"\n",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &["check", "other/leak.js", "--config", "custom.toml"],
    );
    assert_eq!(run.code, 0);
    let run = run_in(
        dir.path(),
        &["check", "other/leak.js", "--global", "lastRequest"],
    );
    assert_eq!(run.code, 0);
}

#[test]
fn broken_configuration_is_a_clear_error() {
    let cases: &[(&[u8], &str)] = &[
        (b"env = [\"node\"\n", "leaklint.toml:2: invalid array"),
        (
            b"[rules]\nimplicit-globals = \"error\"\n",
            "leaklint.toml:2: unknown rule `implicit-globals` in [rules]",
        ),
        (
            b"[rules]\nimplicit-global = \"loud\"\n",
            "leaklint.toml:2: `implicit-global` must be \"off\", \"warn\" or \"error\"",
        ),
        (
            b"colour = true\n",
            "leaklint.toml:1: unknown field `colour`",
        ),
        (
            b"env = [\"nodejs\"]\n",
            "leaklint.toml:1: unknown environment `nodejs`",
        ),
        (
            b"ignore = [\"a/[\"]\n",
            "leaklint.toml:1: invalid glob in `ignore`",
        ),
    ];
    for (config, expected) in cases {
        let dir = project(&[("leaklint.toml", config), ("a.js", CLEAN)]);
        let run = run_in(dir.path(), &["check"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("leaklint: configuration error: "),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(expected),
            "expected {expected:?} in {}",
            run.stderr
        );
    }
}

#[test]
fn parse_errors_are_reported_and_the_run_goes_on() {
    let dir = project(&[("a-broken.js", b"function (\n"), ("b-leak.js", LEAK)]);
    let run = run_in(dir.path(), &["check", "-f", "json"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let broken = &messages(&report, "a-broken.js")[0];
    assert_eq!(broken["ruleId"], serde_json::Value::Null);
    assert_eq!(broken["fatal"], true);
    assert_eq!(broken["severity"], 2);
    assert!(
        broken["message"]
            .as_str()
            .unwrap()
            .starts_with("Parsing error: "),
        "{broken}"
    );
    assert_eq!(report[0]["fatalErrorCount"], 1);
    assert_eq!(
        messages(&report, "b-leak.js")[0]["ruleId"],
        "implicit-global"
    );

    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert!(
        run.stdout
            .starts_with("a-broken.js:1:10: error fatal Parsing error: "),
        "{}",
        run.stdout
    );
}

#[test]
fn unreadable_content_is_named_and_the_run_goes_on() {
    let mut binary = vec![0u8; 4096];
    binary[10] = b'x';
    let dir = project(&[
        ("binary.js", &binary),
        ("latin1.js", b"// caf\xe9\nx = 1;\n"),
        ("empty.js", b""),
        ("comments.js", b"// only\n/* comments */\n"),
        ("leak.js", LEAK),
    ]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("binary.js:1:1: error fatal binary file (it contains NUL bytes); not linted"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("latin1.js:1:1: error fatal not valid UTF-8: byte 0xE9 at line 1, column 7 cannot be decoded; not linted"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("leak.js:2:3: error implicit-global"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
}

#[test]
fn missing_paths_and_symlink_loops_exit_2_after_linting_the_rest() {
    let dir = project(&[("leak.js", LEAK), ("sub/a.js", CLEAN)]);
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("nowhere.js", dir.path().join("dangling.js")).unwrap();
    let run = run_in(dir.path(), &["check", ".", "missing.js", "-f", "compact"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("leaklint: error: missing.js: no such file or folder"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("sub/loop: symbolic link loop"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dangling.js: "), "{}", run.stderr);
    assert!(
        run.stdout.contains("leak.js:2:3: error implicit-global"),
        "the rest is linted: {}",
        run.stdout
    );
}

#[test]
fn a_folder_named_like_a_file_is_walked() {
    let dir = project(&[("x.js/inner.js", LEAK)]);
    let run = run_in(dir.path(), &["check", "x.js", "-f", "compact"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("x.js/inner.js:2:3:"),
        "{}",
        run.stdout
    );
}

/// Found by a sweep of code shapes, now fixed: the nesting pre-scan counts `=>` and `:` chains
/// until a `;`, so a file of 1,100 arrow functions written without semicolons, or a TypeScript
/// class of 1,100 methods with return types, was "about 1,101 (2,203) levels deep" and not
/// linted, silently but for a note. The AST of such a file is now measured in a child process
/// before it is refused: they are linted, and a file that does nest that deep is still
/// refused.
#[test]
fn long_runs_of_typed_methods_and_arrows_without_semicolons_are_linted() {
    let arrows: String = (0..1_100)
        .map(|i| format!("const a{i} = () => {{ g{i} = 1 }}\n"))
        .collect();
    let methods: String = (0..1_100)
        .map(|i| format!("  get{i}(): Promise<void> {{ return this.call({i}) }}\n"))
        .collect();
    let deep = format!("x = {}1{};\n", "[".repeat(3_000), "]".repeat(3_000));
    let dir = project(&[
        ("standard.js", arrows.as_bytes()),
        (
            "api.ts",
            format!("export class Api {{\n{methods}  start() {{ setInterval(() => this.call(0), 1000) }}\n}}\n").as_bytes(),
        ),
        ("deep.js", deep.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("standard.js:1100:23: error implicit-global `g1099`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("api.ts:1102:") && run.stdout.contains("uncleared-interval"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("standard.js") && !run.stderr.contains("api.ts"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("leaklint: note: deep.js: nests about 3000 levels deep, over the limit of 1000; not linted"),
        "{}",
        run.stderr
    );
}

#[test]
fn skipped_files_are_said_not_silent() {
    let big = format!("var a = [{}];\n", "1,".repeat(6_000_000));
    let deep = format!("x = {}1{};\n", "(".repeat(10_000), ")".repeat(10_000));
    let arrows = format!("f = {}1;\n", "a => ".repeat(10_000));
    let dir = project(&[
        ("big.js", big.as_bytes()),
        ("deep.js", deep.as_bytes()),
        ("arrows.js", arrows.as_bytes()),
        ("vendor.min.js", LEAK),
        ("node_modules/pkg/index.js", LEAK),
        ("types.d.ts", b"declare var x: number;\n"),
    ]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("leaklint: note: big.js: 12.0 MB is over the 10.5 MB size limit (--max-file-size); skipped"), "{}", run.stderr);
    assert!(run.stderr.contains("leaklint: note: deep.js: nests about 10000 levels deep, over the limit of 1000; not linted"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("leaklint: note: arrows.js: nests about 10000 levels deep"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stdout, "",
        "minified, node_modules and .d.ts are not walked"
    );

    // A file named explicitly is linted whatever its name.
    let run = run_in(
        dir.path(),
        &[
            "check",
            "vendor.min.js",
            "node_modules/pkg/index.js",
            "-f",
            "compact",
        ],
    );
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    let run = run_in(
        dir.path(),
        &["check", "big.js", "--max-file-size", "20000000"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn long_operator_chains_do_not_overflow() {
    let chain = format!("x = {}a;\n", "a+".repeat(100_000));
    let dir = project(&[("chain.js", chain.as_bytes())]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "chain.js:1:1: error implicit-global `x` is assigned but never declared, so it becomes a global that lives as long as the process\n");
}

#[test]
fn line_endings_bom_and_astral_characters() {
    let dir = project(&[
        ("crlf.js", b"// a\r\n// b\r\nx = 1;\r\n"),
        ("cr.js", b"// a\r// b\rx = 1;\r"),
        ("bom.js", "\u{feff}x = 1;\n".as_bytes()),
        ("emoji.js", "var s = '😀😀'; x = 1;\n".as_bytes()),
    ]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    let positions: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        positions,
        ["bom.js:1:1", "cr.js:3:1", "crlf.js:3:1", "emoji.js:1:17"]
    );
}

#[test]
fn rules_and_explain() {
    let run = run_in(&repo(), &["rules"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("implicit-global") && l.contains("error")),
        "{}",
        run.stdout
    );
    let run = run_in(&repo(), &["explain", "implicit-global"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        std::fs::read_to_string(repo().join("rules/implicit-global.md")).unwrap()
    );
    let run = run_in(&repo(), &["explain", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown rule `nope`"));
}

#[test]
fn package_type_module_makes_js_strict() {
    let dir = project(&[
        ("esm/package.json", b"{\"type\": \"module\"}"),
        ("esm/leak.js", b"function f() { x = 1; }\n"),
        ("cjs/package.json", b"{\"type\": \"commonjs\"}"),
        ("cjs/leak.js", b"function f() { x = 1; }\n"),
    ]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with("cjs/leak.js:1:16:"),
        "{}",
        run.stdout
    );
}

#[test]
fn cache_reuses_unchanged_results_and_notices_changes() {
    let dir = project(&[("a.js", LEAK), ("b.js", CLEAN)]);
    let args = ["check", "--cache", "-f", "compact"];
    let cold = run_in(dir.path(), &args);
    assert_eq!(cold.code, 1);
    assert!(
        dir.path().join(".leaklintcache").is_file(),
        "the cache is written"
    );
    let warm = run_in(dir.path(), &args);
    assert_eq!(
        (warm.code, &warm.stdout),
        (1, &cold.stdout),
        "the same results from the cache"
    );
    // Proof that the second run read the cache instead of linting: a marked entry comes back.
    let cache = dir.path().join(".leaklintcache");
    let marked = std::fs::read_to_string(&cache)
        .unwrap()
        .replace("is assigned but never declared", "CACHED");
    std::fs::write(&cache, marked).unwrap();
    assert!(run_in(dir.path(), &args)
        .stdout
        .contains("`lastRequest` CACHED"));

    // The cache holds results, not the decision: a cached finding keyed to old content is not reused.
    std::fs::write(dir.path().join("a.js"), CLEAN).unwrap();
    let edited = run_in(dir.path(), &args);
    assert_eq!(
        (edited.code, edited.stdout.as_str()),
        (0, ""),
        "{}",
        edited.stdout
    );

    // A configuration change invalidates every entry.
    std::fs::write(dir.path().join("b.js"), LEAK).unwrap();
    assert_eq!(run_in(dir.path(), &args).code, 1);
    std::fs::write(
        dir.path().join("leaklint.toml"),
        "[rules]\nimplicit-global = \"off\"\n",
    )
    .unwrap();
    assert_eq!(
        run_in(dir.path(), &args).code,
        0,
        "the new configuration applies"
    );

    // A corrupt cache is ignored, not an error.
    std::fs::write(dir.path().join(".leaklintcache"), "{not json").unwrap();
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Found by the fuzzer: swc_ecma_parser 47 reaches an `unreachable!` on a namespaced JSX name
/// with a member (`<a:b.c>`). The file gets a parse error, the others are linted, and no panic
/// reaches stderr.
#[test]
fn a_parser_crash_is_that_files_parse_error() {
    let dir = project(&[("a.jsx", b"x = <a:b.c></a:b.c>;\n"), ("b.js", LEAK)]);
    let run = run_in(dir.path(), &["check", "-f", "compact"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("a.jsx:1:1: error fatal Parsing error: the parser failed on this input (internal error: entered unreachable code: JSXNamespacedName -> JSXObject); the file is not linted"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("b.js:2:3: error implicit-global"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// A library's own listen/unlisten functions, named in the configuration, are registrations and
/// removals like `addEventListener`; without the configuration the calls mean nothing.
#[test]
fn configured_library_functions_add_and_remove_listeners() {
    let source: &[u8] = b"export class Cell {\n  select(editor) {\n    editor.dom.bind(window, 'mousemove', this.onMove);\n  }\n  hover(editor) {\n    editor.dom.bind(document, 'mouseover', this.onOver);\n  }\n  unhover(editor) {\n    editor.dom.unbind(document, 'mouseover', this.onOver);\n  }\n}\n";
    let config: &[u8] = b"[rules.repeated-listener]\nlisten_functions = [\"dom.bind\"]\nunlisten_functions = [\"dom.unbind\"]\n";
    let configured = project(&[("leaklint.toml", config), ("cell.mjs", source)]);
    let report = run_in(configured.path(), &["check", "-f", "json"]).json();
    let found: Vec<(u64, &str)> = messages(&report, "cell.mjs")
        .iter()
        .map(|m| (m["line"].as_u64().unwrap(), m["ruleId"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(3, "repeated-listener")], "{report}");

    let unconfigured = project(&[("cell.mjs", source)]);
    let report = run_in(unconfigured.path(), &["check", "-f", "json"]).json();
    assert!(messages(&report, "cell.mjs").is_empty(), "{report}");
}
