//! Every rule's page in `rules/` is complete, and its examples are true: blocks marked
//! `expect-diagnostic` are flagged by that rule, the other code blocks are not flagged at all.

use std::path::Path;

use leaklint::lint_source;
use leaklint::rules::RULES;
use leaklint::settings::Settings;

struct Example {
    lang: String,
    flagged: bool,
    code: String,
}

fn examples(markdown: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut current: Option<Example> = None;
    for line in markdown.lines() {
        if let Some(info) = line.strip_prefix("```") {
            match current.take() {
                Some(example) => examples.push(example),
                None => {
                    let mut words = info.split_whitespace();
                    let lang = words.next().unwrap_or("").to_string();
                    let flagged = words.any(|w| w == "expect-diagnostic");
                    current = Some(Example {
                        lang,
                        flagged,
                        code: String::new(),
                    });
                }
            }
        } else if let Some(example) = current.as_mut() {
            example.code.push_str(line);
            example.code.push('\n');
        }
    }
    examples
}

#[test]
fn every_rule_page_is_complete() {
    for rule in RULES {
        let page = rule.docs;
        assert!(
            page.starts_with(&format!("# {}\n", rule.id)),
            "{} page title",
            rule.id
        );
        for section in ["## Example", "## Suppress"] {
            assert!(
                page.contains(section),
                "{} has no `{section}` section",
                rule.id
            );
        }
        let examples = examples(page);
        assert!(
            examples.iter().any(|e| e.flagged),
            "{} has no flagged example",
            rule.id
        );
        assert!(
            examples.iter().any(|e| !e.flagged && e.lang != "toml"),
            "{} has no good example",
            rule.id
        );
        let file = Path::new("rules").join(format!("{}.md", rule.id));
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(file).is_file());
    }
}

#[test]
fn rule_examples_are_true() {
    let settings = Settings::default();
    let mut checked = 0;
    for rule in RULES {
        for example in examples(rule.docs) {
            let name = match example.lang.as_str() {
                "js" => "example.js",
                "jsx" => "example.jsx",
                "ts" => "example.ts",
                "tsx" => "example.tsx",
                _ => continue,
            };
            let output = lint_source(Path::new(name), &example.code, &settings, false);
            let rules: Vec<_> = output.diagnostics.iter().map(|d| d.rule).collect();
            if example.flagged {
                assert!(
                    rules.contains(&Some(rule.id)),
                    "{}: not flagged:\n{}\ngot {rules:?}",
                    rule.id,
                    example.code
                );
            } else {
                assert!(
                    rules.is_empty(),
                    "{}: a good example is flagged:\n{}\ngot {rules:?}",
                    rule.id,
                    example.code
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 8);
}
