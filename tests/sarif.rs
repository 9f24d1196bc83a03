//! `--format sarif`: the document validates against the official SARIF 2.1.0 schema (shipped as
//! `fixtures/sarif-2.1.0-rtm.5.json`, from the npm package `@microsoft/jest-sarif`) and carries
//! what GitHub code scanning reads.

mod common;

use common::{project, repo, run_in};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("fixtures/sarif-2.1.0-rtm.5.json"))
        .expect("the schema is shipped in fixtures/");
    // One pattern of rtm.5 (`run.language`) has a stray `]`, a literal `]` in JavaScript's
    // lenient (Annex B) syntax but an error for a strict regex parser. Escaping it keeps its
    // meaning; leaklint never writes `language` anyway. The file itself stays as published.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(stray), "the schema is the rtm.5 one");
    let text = text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft4::new(&schema).expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}\n{document:#}",
        errors.join("\n")
    );
}

fn sarif(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "-f", "sarif"];
    all.extend_from_slice(args);
    let run = run_in(dir, &all);
    (run.code, run.json())
}

const LEAK: &[u8] = b"function f(req) {\n  n = 0;\n  n++;\n  lastRequest = req;\n}\n";

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // The validation below could not fail if the validator accepted anything.
    let validator = validator();
    let (_, mut document) = sarif(&repo(), &["fixtures/implicit-global/express-app.js"]);
    assert_valid(&validator, &document);
    document["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&document));
    document["runs"][0]["results"][0]["level"] = Value::String("error".into());
    document["runs"][0]["columnKind"] = Value::String("bytes".into());
    assert!(!validator.is_valid(&document));
}

#[test]
fn every_kind_of_result_validates() {
    let validator = validator();
    let dir = project(&[
        ("src/leak.js", LEAK),
        ("src/with space:colon.js", LEAK),
        ("src/broken.js", b"function (\n"),
        ("src/latin1.js", b"var s = '\xe9';\n"),
        (
            "src/directives.js",
            b"// leaklint-ignore implicit-global\nconst a = 1;\n",
        ),
        ("src/big.js", &[b' '; 2048]),
    ]);
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .expect("git runs");
    // From a subfolder: URIs stay relative to the repository root.
    let (code, document) = sarif(&dir.path().join("src"), &["--max-file-size", "1024"]);
    assert_eq!(code, 1);
    assert_valid(&validator, &document);

    let run = &document["runs"][0];
    assert_eq!(document["version"], "2.1.0");
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for (i, rule) in leaklint::rules::RULES.iter().enumerate() {
        assert_eq!(rules[i]["id"], rule.id);
        assert_eq!(rules[i]["shortDescription"]["text"], rule.summary);
        assert_eq!(rules[i]["help"]["markdown"], rule.docs);
        assert!(!rules[i]["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    let results = run["results"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert!(
            artifact["uri"].as_str().unwrap().starts_with("src/"),
            "{artifact}"
        );
    }
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"src/with%20space%3Acolon.js"),
        "percent-encoded: {uris:?}"
    );

    let by_file = |uri: &str| -> Vec<&Value> {
        results
            .iter()
            .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
            .collect()
    };
    let leak = by_file("src/leak.js");
    assert_eq!(leak.len(), 2);
    assert_eq!(leak[0]["level"], "error");
    assert_eq!(
        leak[0]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 4})
    );
    assert_eq!(
        leak[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    for fatal in [by_file("src/broken.js"), by_file("src/latin1.js")] {
        assert_eq!(fatal.len(), 1);
        assert_eq!(fatal[0]["ruleId"], "fatal");
        assert_eq!(fatal[0]["level"], "error");
    }
    let directive = by_file("src/directives.js");
    assert_eq!(directive[0]["ruleId"], "unused-ignore");
    assert_eq!(directive[0]["level"], "warning");

    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(
        notifications.len(),
        1,
        "big.js was skipped: {notifications:?}"
    );
    assert!(notifications[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("size limit"));
}

#[test]
fn fingerprints_do_not_move_with_line_numbers() {
    let dir = project(&[("a.js", LEAK)]);
    let fingerprints = |document: &Value| -> Vec<(String, u64)> {
        document["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(&sarif(dir.path(), &[]).1);
    let mut moved = b"// a comment\n\n".to_vec();
    moved.extend_from_slice(LEAK);
    std::fs::write(dir.path().join("a.js"), &moved).unwrap();
    let after = fingerprints(&sarif(dir.path(), &[]).1);
    assert_eq!(before.len(), 2);
    for ((hash_before, line_before), (hash_after, line_after)) in before.iter().zip(&after) {
        assert_eq!(hash_before, hash_after);
        assert_eq!(line_before + 2, *line_after);
    }
    // The same statement twice: distinct fingerprints by occurrence.
    std::fs::write(
        dir.path().join("a.js"),
        "function f() {\n  x = 1;\n}\nfunction g() {\n  y = 1;\n}\nfunction h() {\n  x = 1;\n}\n",
    )
    .unwrap();
    let twice = fingerprints(&sarif(dir.path(), &["--rule", "implicit-global=error"]).1);
    let hashes: std::collections::HashSet<&String> = twice.iter().map(|(h, _)| h).collect();
    assert_eq!(hashes.len(), twice.len(), "{twice:?}");
}

#[test]
fn snapshot() {
    let (code, mut document) = sarif(&repo(), &["fixtures/implicit-global/express-app.js"]);
    assert_eq!(code, 1);
    let run = &mut document["runs"][0];
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    let expected_root = url_of_dir(&repo());
    assert_eq!(root, expected_root);
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///<repo>/".into();
    let driver = &mut run["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = "<version>".into();
    driver["semanticVersion"] = "<version>".into();
    // The rules' pages are checked above; here they would only make the snapshot churn.
    for rule in driver["rules"].as_array_mut().unwrap() {
        let id = rule["id"].as_str().unwrap().to_string();
        if id != "fatal" {
            rule["help"]["text"] = format!("<rules/{id}.md>").into();
            rule["help"]["markdown"] = format!("<rules/{id}.md>").into();
        }
    }
    insta::assert_json_snapshot!(document);
}

fn url_of_dir(dir: &std::path::Path) -> String {
    let mut text = String::from("file://");
    for part in dir.components().skip(1) {
        text.push('/');
        text.push_str(&part.as_os_str().to_string_lossy());
    }
    text.push('/');
    text
}
