//! Every fixture file under `fixtures/` states its expected findings in `// expect: rule …`
//! comments on the lines where they must be reported; the real binary must report exactly those.

mod common;

use std::collections::BTreeMap;

use common::{repo, run_in};

/// (file, line) → sorted rule ids, from the `// expect:` comments.
fn expected() -> BTreeMap<(String, u64), Vec<String>> {
    let mut expected = BTreeMap::new();
    for entry in walk(&repo().join("fixtures")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let name = entry
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for (i, line) in text.lines().enumerate() {
            if let Some((_, rules)) = line.split_once("// expect:") {
                let mut rules: Vec<String> = rules.split_whitespace().map(str::to_string).collect();
                rules.sort();
                expected.insert((name.clone(), i as u64 + 1), rules);
            }
        }
    }
    expected
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| {
            [
                "js", "mjs", "cjs", "jsx", "ts", "tsx", "mts", "cts", "vue", "svelte",
            ]
            .contains(&e.to_str().unwrap())
        }) {
            files.push(path);
        }
    }
    files
}

#[test]
fn fixtures_report_exactly_their_expectations() {
    let run = run_in(&repo(), &["check", "fixtures", "--format", "json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    let mut actual: BTreeMap<(String, u64), Vec<String>> = BTreeMap::new();
    let report = run.json();
    for file in report.as_array().unwrap() {
        let path = std::path::Path::new(file["filePath"].as_str().unwrap());
        let name = path
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for message in file["messages"].as_array().unwrap() {
            let rule = message["ruleId"].as_str().unwrap_or("fatal").to_string();
            let rules = actual
                .entry((name.clone(), message["line"].as_u64().unwrap()))
                .or_default();
            rules.push(rule);
            rules.sort();
        }
    }
    let expected = expected();
    assert!(
        expected.len() >= 10,
        "the fixtures state their expectations"
    );
    assert_eq!(actual, expected);
}
