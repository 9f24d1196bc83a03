//! `path:line:col: severity rule-id message`: one line per diagnostic, for grep and editors'
//! error formats.

use std::io::{self, Write};

use crate::report::{display_path, rule_label};
use crate::result::CheckResult;

pub fn write(result: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    // Only files with diagnostics print a line: the others need no path (each costs a
    // `getcwd`, and nine files in ten have nothing to show).
    for file in result.files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let path = display_path(&file.path);
        for (i, d) in file.diagnostics.iter().enumerate() {
            let mut message = d.message.replace(['\r', '\n'], " ");
            if let Some(v) = &d.verification {
                message.push_str(&format!(
                    " [verify: {}: {}]",
                    v.verdict,
                    v.details().replace(['\r', '\n'], " ")
                ));
            }
            writeln!(
                out,
                "{path}:{}:{}: {} {} {message}",
                d.location.start.line,
                d.location.start.column,
                d.severity,
                rule_label(file, i),
            )?;
        }
    }
    Ok(())
}
