//! Data flows one way through the library (walk → parse → semantic → rules → diagnostics →
//! report/verify): `scripts/module-graph.py` reads every module's `crate::` paths and fails on
//! an import cycle. Python 3 must be installed (the pre-commit tests need it too).

use std::path::Path;
use std::process::Command;

#[test]
fn the_module_graph_has_no_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("python3")
        .arg(root.join("scripts/module-graph.py"))
        .output()
        .expect("python3 runs scripts/module-graph.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("no cycle"), "{stdout}");
}
