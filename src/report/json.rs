//! ESLint's JSON formatter shape, with leaklint's extra fields beside the standard ones.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::diagnostic::{Diagnostic, Severity};
use crate::result::CheckResult;

pub fn write(result: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    let files: Vec<Value> = result
        .files
        .iter()
        .map(|file| {
            let path = std::path::absolute(&file.path).unwrap_or_else(|_| file.path.clone());
            let count = |severity| {
                file.diagnostics
                    .iter()
                    .filter(|d| d.severity == severity)
                    .count()
            };
            json!({
                "filePath": path.to_string_lossy(),
                "messages": file.diagnostics.iter().map(message).collect::<Vec<_>>(),
                "suppressedMessages": [],
                "errorCount": count(Severity::Error),
                "fatalErrorCount": file.diagnostics.iter().filter(|d| d.fatal).count(),
                "warningCount": count(Severity::Warn),
                "fixableErrorCount": 0,
                "fixableWarningCount": 0,
                "usedDeprecatedRules": [],
            })
        })
        .collect();
    serde_json::to_writer(&mut *out, &files)?;
    writeln!(out)
}

/// One ESLint message.
pub fn message(d: &Diagnostic) -> Value {
    let mut message = json!({
        "ruleId": d.rule,
        "severity": d.severity.eslint_number(),
        "message": d.message,
        "line": d.location.start.line,
        "column": d.location.start.column,
        "endLine": d.location.end.line,
        "endColumn": d.location.end.column,
    });
    let object = message.as_object_mut().expect("an object");
    if d.fatal {
        object.insert("fatal".into(), Value::Bool(true));
    } else {
        object.insert("nodeType".into(), Value::Null);
    }
    if !d.related.is_empty() {
        let related = d.related.iter().map(|r| {
            json!({
                "message": r.message,
                "line": r.location.start.line,
                "column": r.location.start.column,
                "endLine": r.location.end.line,
                "endColumn": r.location.end.column,
            })
        });
        object.insert("relatedLocations".into(), Value::Array(related.collect()));
    }
    if let Some(help) = &d.help {
        object.insert("help".into(), Value::String(help.clone()));
    }
    if let Some(verification) = &d.verification {
        object.insert(
            "verification".into(),
            serde_json::to_value(verification).unwrap_or(Value::Null),
        );
    }
    message
}
