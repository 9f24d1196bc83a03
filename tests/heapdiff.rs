//! The verifier's heap diff (`src/verify/heapdiff.js`) with a real `node`: a program takes a
//! base snapshot, leaks in a known way, and asks `heapEvidence` what grew and what holds it.
//! The kinds that grew and the path from a root to one new object must name the leak's
//! holder (the emitter's `data` listeners, the module's `cache` Map, its `sessions` array),
//! and the line of a leaked closure must be the line in the source.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const HEAPDIFF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/verify/heapdiff.js");

/// Fails loudly without node: these tests are the heap diff's proof and must not be skipped.
fn require_node() {
    let output = Command::new("node").arg("--version").output();
    match output {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "tests/heapdiff.rs needs Node.js 20 or later on PATH; `node --version` gave {other:?}"
        ),
    }
}

/// The program run for `scenario`: the scenario's module code, which exports `step(i)`, then
/// a base snapshot, `calls` calls of `step`, and the evidence printed as one JSON line.
fn program(scenario: &str, calls: u32) -> String {
    let heapdiff = serde_json::to_string(HEAPDIFF).unwrap();
    format!(
        "'use strict';\n{scenario}\
         const {{ heapSnapshot, heapEvidence }} = require({heapdiff});\n\
         (async () => {{\n\
         \x20 global.gc();\n\
         \x20 const base = await heapSnapshot();\n\
         \x20 if (!base) throw new Error('heapSnapshot() gave null');\n\
         \x20 for (let i = 0; i < {calls}; i++) exports.step(i);\n\
         \x20 const started = Date.now();\n\
         \x20 // A generous budget: the test machine may be busy compiling.\n\
         \x20 const evidence = await heapEvidence(base, {{ timeBudgetMs: 30000 }});\n\
         \x20 const total = Date.now() - started;\n\
         \x20 const invalid = await heapEvidence({{}}, {{}});\n\
         \x20 const rushed = await heapEvidence(base, {{ timeBudgetMs: 1 }});\n\
         \x20 process.stdout.write(JSON.stringify({{ base: {{ ms: base.ms, timing: base.timing, nodes: base.n }}, total, evidence, invalid, rushed }}) + '\\n');\n\
         }})().catch((error) => {{ console.error(error); process.exit(2); }});\n"
    )
}

/// Runs `scenario` in `node --expose-gc` (with `flags` before the script) and returns what it
/// printed, parsed.
fn run(scenario: &str, calls: u32, flags: &[&str]) -> Value {
    require_node();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("prog.js");
    std::fs::write(&script, program(scenario, calls)).unwrap();
    let output = Command::new("node")
        .arg("--expose-gc")
        .args(
            flags
                .iter()
                .map(|flag| flag.replace("{dir}", &dir.path().display().to_string())),
        )
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .expect("node starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node failed ({:?}):\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    let line = stdout.lines().last().unwrap_or_default();
    let value: Value = serde_json::from_str(line)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {stdout}\nstderr: {stderr}"));
    eprintln!("{}", serde_json::to_string_pretty(&value).unwrap());
    assert!(
        value["evidence"].is_object(),
        "heapEvidence gave null: {value}"
    );
    assert!(
        value["invalid"].is_null(),
        "a base that is not a snapshot gives null: {value}"
    );
    assert!(
        value["rushed"].is_null(),
        "an impossible budget gives null: {value}"
    );
    value
}

/// The 1-based line, in the program, of the first line of the scenario `source` that
/// contains `marker` (the program's first line is `'use strict';`, the scenario follows).
fn line_of(source: &str, marker: &str) -> u64 {
    let index = source
        .lines()
        .position(|line| line.contains(marker))
        .unwrap_or_else(|| panic!("{marker} not in the scenario"));
    index as u64 + 2
}

fn grown(value: &Value) -> &Vec<Value> {
    value["evidence"]["grown"]
        .as_array()
        .expect("grown is an array")
}

fn path(value: &Value) -> &Vec<Value> {
    value["evidence"]["path"]
        .as_array()
        .expect("path is an array")
}

fn growth(kind: &Value) -> i64 {
    kind["after"].as_i64().unwrap() - kind["before"].as_i64().unwrap()
}

/// The kind named `name` among the first `within` grown kinds.
fn grown_kind<'a>(value: &'a Value, name: &str, within: usize) -> &'a Value {
    grown(value)
        .iter()
        .take(within)
        .find(|kind| kind["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not among the first {within} grown kinds: {value}"))
}

fn has_step(value: &Value, node: &str, edge: Option<&str>) -> bool {
    path(value)
        .iter()
        .any(|step| step["node"] == node && edge.is_none_or(|edge| step["edge"] == edge))
}

fn has_edge(value: &Value, edge: &str) -> bool {
    path(value).iter().any(|step| step["edge"] == edge)
}

const LISTENERS: &str = "const { EventEmitter } = require('node:events');\n\
const emitter = new EventEmitter();\n\
emitter.setMaxListeners(0);\n\
exports.step = function subscribe(i) {\n\
  emitter.on('data', () => i); // the listener\n\
};\n";

#[test]
fn closures_added_as_listeners_are_held_by_the_emitter() {
    let value = run(LISTENERS, 2000, &[]);
    check_listeners(&value);
}

/// As the verifier runs it: under Node's permission model, where `node:inspector` is refused.
#[test]
fn works_under_the_permission_model() {
    let value = run(
        LISTENERS,
        2000,
        &[
            "--experimental-permission",
            "--allow-fs-read={dir}/*",
            &format!("--allow-fs-read={HEAPDIFF}"),
        ],
    );
    check_listeners(&value);
}

fn check_listeners(value: &Value) {
    let line = line_of(LISTENERS, "// the listener");
    let first = &grown(value)[0];
    assert_eq!(first["name"], "closure (anonymous)", "{value}");
    assert!(growth(first) >= 2000, "{value}");
    assert_eq!(
        first["line"], line,
        "the kind's line is the listener's: {value}"
    );
    assert!(
        first["file"].as_str().unwrap().ends_with("prog.js"),
        "{value}"
    );
    assert!(has_step(value, "EventEmitter", Some("_events")), "{value}");
    assert!(has_edge(value, "data"), "{value}");
    assert!(
        has_edge(value, "emitter"),
        "the module's variable names the emitter: {value}"
    );
    let last = path(value).last().unwrap();
    assert_eq!(last["node"], "closure (anonymous)", "{value}");
    assert_eq!(
        last["line"], line,
        "the path's closure is on the listener's line: {value}"
    );
    assert!(path(value).len() <= 13, "{value}");
}

#[test]
fn entries_of_a_module_level_map_are_held_by_the_map() {
    let scenario = "const cache = new Map();\n\
exports.step = function remember(i) {\n\
  cache.set('user:' + i, { payload: new Array(10) });\n\
};\n";
    let value = run(scenario, 2000, &[]);
    // Net growth: an object or two of the base may have gone meanwhile.
    assert!(growth(grown_kind(&value, "Object", 3)) >= 1990, "{value}");
    assert!(growth(grown_kind(&value, "Array", 3)) >= 1990, "{value}");
    assert!(has_step(&value, "Map", None), "{value}");
    assert!(has_edge(&value, "cache"), "{value}");
    let map = path(&value)
        .iter()
        .find(|step| step["node"] == "Map")
        .unwrap();
    assert!(
        map["edge"].as_str().unwrap().starts_with("get(\"user:"),
        "the Map's step names the entry's key: {value}"
    );
}

#[test]
fn instances_of_a_class_pushed_onto_an_array_are_held_by_the_array() {
    let scenario = "class Session {\n\
  constructor(id) {\n\
    this.id = id;\n\
    this.user = { name: 'user ' + id };\n\
  }\n\
}\n\
const sessions = [];\n\
exports.step = function open(i) {\n\
  sessions.push(new Session(i));\n\
};\n";
    let value = run(scenario, 2000, &[]);
    let session = grown_kind(&value, "Session", 3);
    assert_eq!(session["before"], 0, "{value}");
    assert_eq!(session["after"], 2000, "{value}");
    assert!(has_step(&value, "Array", None), "{value}");
    assert!(has_edge(&value, "sessions"), "{value}");
    assert_eq!(path(&value).last().unwrap()["node"], "Session", "{value}");
}

#[test]
fn what_is_allocated_and_dropped_does_not_grow() {
    let scenario = "exports.step = function churn(i) {\n\
  const tmp = { list: [i], text: 'x' + i, f: () => i };\n\
  return tmp.list.length + tmp.text.length + tmp.f();\n\
};\n";
    let value = run(scenario, 2000, &[]);
    // Empty, or at most a little noise from what the first calls compiled.
    assert!(
        grown(&value).iter().all(|kind| growth(kind) < 100),
        "{value}"
    );
    assert!(grown(&value).len() <= 1, "{value}");
}

#[test]
fn the_file_defines_functions_and_exports_only_when_required() {
    require_node();
    // Run as a script of its own (as the driver, into which it is spliced, is run): nothing
    // happens and nothing is exported.
    let output = Command::new("node")
        .arg(HEAPDIFF)
        .output()
        .expect("node starts");
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "{output:?}"
    );
    // Spliced where the driver says so.
    let spliced = format!(
        "'use strict';\nconst LEAKLINT_SPLICED = true;\n{}\nprocess.stdout.write(typeof heapEvidence + ',' + JSON.stringify(module.exports));\n",
        std::fs::read_to_string(HEAPDIFF).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("driver.js");
    std::fs::write(&script, spliced).unwrap();
    let output = Command::new("node")
        .arg(&script)
        .output()
        .expect("node starts");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "function,{}");
    // Required, it exports the two functions.
    let heapdiff = serde_json::to_string(HEAPDIFF).unwrap();
    let output = Command::new("node")
        .arg("-e")
        .arg(format!(
            "const m = require({heapdiff}); process.stdout.write(Object.keys(m).sort().join(','));"
        ))
        .output()
        .expect("node starts");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "heapEvidence,heapSnapshot"
    );
    assert!(Path::new(HEAPDIFF).exists());
}

/// Under a heap limit too small for the snapshot's strings, null, not a process out of memory.
#[test]
fn no_room_in_the_heap_gives_null_not_a_crash() {
    require_node();
    let heapdiff = serde_json::to_string(HEAPDIFF).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("prog.js");
    std::fs::write(
        &script,
        format!(
            "const {{ heapSnapshot }} = require({heapdiff});\n\
             globalThis.keep = [];\n\
             for (let i = 0; i < 100000; i++) globalThis.keep.push('value ' + i);\n\
             (async () => {{\n\
             \x20 global.gc();\n\
             \x20 process.stdout.write(String(await heapSnapshot()));\n\
             }})();\n"
        ),
    )
    .unwrap();
    let output = Command::new("node")
        .args(["--expose-gc", "--max-old-space-size=16"])
        .arg(&script)
        .output()
        .expect("node starts");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "null",
        "{output:?}"
    );
}

/// The steps' edges that fold hops through one kind: `next ×100` on a `Listener` or `Object`.
fn folded_hops<'a>(value: &'a Value, node: &str) -> Option<&'a str> {
    path(value)
        .iter()
        .filter(|step| step["node"] == node)
        .filter_map(|step| step["edge"].as_str())
        .find(|edge| edge.starts_with("next ×"))
}

/// The path starts where the program's data does: the global object or the program's module.
fn starts_at_global_or_module(value: &Value) -> bool {
    let first = &path(value)[0]["node"];
    first == "global"
        || first
            .as_str()
            .is_some_and(|node| node.starts_with("module"))
}

/// Node's own `EventTarget` (which window, document and elements of the verifier's browser
/// environment are) keeps its listeners in a linked list of `Listener` objects: the path goes
/// to the first new one, the hops along the list folded into one step.
const EVENT_TARGET: &str = "const target = new EventTarget();\n\
require('node:events').setMaxListeners(0, target);\n\
globalThis.document = target;\n\
for (let i = 0; i < 100; i++) target.addEventListener('keydown', () => i);\n\
exports.step = function listen(i) {\n\
  const state = { i };\n\
  target.addEventListener('keydown', () => state); // the listener\n\
};\n";

#[test]
fn listeners_of_an_event_target_are_held_by_its_linked_list() {
    let value = run(EVENT_TARGET, 3000, &[]);
    let line = line_of(EVENT_TARGET, "// the listener");
    let first = &grown(&value)[0];
    assert_eq!(first["name"], "closure (anonymous)", "{value}");
    assert!(growth(first) >= 3000, "{value}");
    assert_eq!(first["line"], line, "{value}");
    assert!(growth(grown_kind(&value, "Listener", 3)) >= 3000, "{value}");
    assert!(starts_at_global_or_module(&value), "{value}");
    assert_eq!(path(&value)[0]["node"], "global", "{value}");
    assert_eq!(path(&value)[0]["edge"], "document", "{value}");
    assert!(has_step(&value, "EventTarget", None), "{value}");
    let hops = folded_hops(&value, "Listener")
        .unwrap_or_else(|| panic!("the hops along the list are folded: {value}"));
    let count: u32 = hops.trim_start_matches("next ×").parse().unwrap();
    assert!(
        (99..=101).contains(&count),
        "to the first new listener, past the 100 old ones: {value}"
    );
    let last = path(&value).last().unwrap();
    assert_eq!(last["node"], "closure (anonymous)", "{value}");
    assert_eq!(last["line"], line, "{value}");
    assert!(path(&value).len() <= 12, "{value}");
    assert!(
        !path(&value).iter().any(|step| step["node"] == "…"),
        "nothing left out: {value}"
    );
}

/// A linked list the program builds, new nodes in front: `head = { next: head, payload }`.
const LIST_IN_FRONT: &str = "class Payload {\n\
  constructor(i) {\n\
    this.i = i;\n\
  }\n\
}\n\
let head = null;\n\
exports.step = function push(i) {\n\
  head = { next: head, payload: new Payload(i) };\n\
};\n";

/// And at the end, after 100 nodes that were there before (no tail kept: the walk is the
/// program's): the first new node is 101 hops from the module's `first`.
const LIST_AT_THE_END: &str = "class Payload {\n\
  constructor(i) {\n\
    this.i = i;\n\
  }\n\
}\n\
const first = { next: null, payload: null };\n\
for (let i = 0, last = first; i < 100; i++) last = last.next = { next: null, payload: null };\n\
exports.step = function append(i) {\n\
  let last = first;\n\
  while (last.next) last = last.next;\n\
  last.next = { next: null, payload: new Payload(i) };\n\
};\n";

#[test]
fn payloads_of_a_linked_list_are_held_by_the_list() {
    for (scenario, variable) in [(LIST_IN_FRONT, "head"), (LIST_AT_THE_END, "first")] {
        let value = run(scenario, 3000, &[]);
        let payload = grown_kind(&value, "Payload", 3);
        assert_eq!(payload["before"], 0, "{value}");
        assert_eq!(payload["after"], 3000, "{value}");
        assert!(growth(grown_kind(&value, "Object", 3)) >= 2990, "{value}");
        assert!(starts_at_global_or_module(&value), "{value}");
        assert!(has_edge(&value, variable), "{value}");
        assert!(has_edge(&value, "payload"), "{value}");
        assert_eq!(path(&value).last().unwrap()["node"], "Payload", "{value}");
        assert!(path(&value).len() <= 12, "{value}");
        assert!(
            !path(&value).iter().any(|step| step["node"] == "…"),
            "nothing left out: {value}"
        );
        if variable == "first" {
            let hops = folded_hops(&value, "Object")
                .unwrap_or_else(|| panic!("the hops along the list are folded: {value}"));
            assert_eq!(hops, "next ×101", "{value}");
        }
    }
}
