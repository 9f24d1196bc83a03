//! `leaklint lsp` as an editor drives it: the real binary as a child process, JSON-RPC with
//! `Content-Length` framing over its standard input and output. Every wait has a deadline, so
//! a server that hangs fails the test instead of hanging it.

mod common;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const DEADLINE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages received but not yet asked for, in order.
    backlog: VecDeque<Value>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(common::bin())
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("leaklint lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
            stderr,
        }
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(&frame(message));
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("the server reads");
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response.
    fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(&format!("the response to {method}"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    /// Sends a request and returns its result, failing on an error response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let timeout = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(timeout) {
            Ok(message) => {
                // A request from the server (client/registerCapability): accept it.
                if message.get("method").is_some() && message.get("id").is_some() {
                    let id = message["id"].clone();
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                Some(message)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// The first message (received or still to come) that matches; fails after the deadline.
    fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + DEADLINE;
        while let Some(message) = self.next_message(deadline) {
            if matches(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
        panic!(
            "timed out waiting for {what}\nreceived meanwhile: {:#?}\nserver stderr:\n{}",
            self.backlog,
            self.stderr.lock().unwrap()
        );
    }

    /// The `publishDiagnostics` message for `uri` at `version` (`None`: on close).
    fn publish(&mut self, uri: &str, version: Option<i64>) -> Value {
        self.wait_for(&format!("diagnostics of {uri} version {version:?}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"].as_i64() == version
        })
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let message = self.publish(uri, version);
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// Everything that arrives within `quiet`, after the backlog.
    fn collect(&mut self, quiet: Duration) -> Vec<Value> {
        let mut all: Vec<Value> = self.backlog.drain(..).collect();
        let deadline = Instant::now() + quiet;
        while let Some(message) = self.next_message(deadline) {
            all.push(message);
        }
        all
    }

    fn initialize(&mut self, dir: &Path, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(dir),
                "workspaceFolders": [{"uri": uri(dir), "name": "project"}],
                "capabilities": capabilities,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.send(&change_message(uri, version, text));
    }

    /// Waits for the process to end and returns its exit status.
    fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit\nserver stderr:\n{}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn shutdown_and_exit(&mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).unwrap();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn change_message(uri: &str, version: i64, text: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}],
        },
    })
}

fn uri(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

/// Applies LSP text edits (UTF-16 positions) as an editor does.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| -> usize {
        let (line, character) = (
            position["line"].as_u64().unwrap() as usize,
            position["character"].as_u64().unwrap() as usize,
        );
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = text.to_string();
    for (start, end, new) in edits {
        text.replace_range(start..end, new);
    }
    text
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({
        "start": {"line": start.0, "character": start.1},
        "end": {"line": end.0, "character": end.1},
    })
}

#[test]
fn an_editing_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leak.js");
    std::fs::write(&path, "").unwrap();
    let file = uri(&path);
    let mut client = Client::start(dir.path());
    let result = client.initialize(
        dir.path(),
        json!({
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
        }),
    );
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["textDocumentSync"]["change"], 1, "full sync");
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    assert_eq!(
        capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(result["serverInfo"]["name"], "leaklint");
    // The server asks to watch its configuration files.
    let registration = client.wait_for("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/leaklint.toml");

    // Open a leaky file.
    client.open(&file, "javascript", "function f(){ leaked = 1 }\n");
    let diagnostics = client.diagnostics(&file, Some(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "implicit-global");
    assert_eq!(d["source"], "leaklint");
    assert_eq!(d["severity"], 1, "error");
    assert_eq!(d["range"], range((0, 14), (0, 20)));
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("`leaked` is assigned but never declared"),
        "{d}"
    );
    assert!(d.get("codeDescription").is_none());

    // Edit it clean.
    client.change(&file, 2, "function f(){ let leaked = 1 }\n");
    assert_eq!(client.diagnostics(&file, Some(2)), Vec::<Value>::new());

    // Leaky again, indented, with a related location; then the quick fix.
    let text = "function f() {\n  leaked = 1;\n  leaked++;\n}\n";
    client.change(&file, 3, text);
    let diagnostics = client.diagnostics(&file, Some(3));
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["range"], range((1, 2), (1, 8)));
    let related = &diagnostics[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], file.as_str());
    assert_eq!(related["location"]["range"], range((2, 2), (2, 8)));
    assert_eq!(related["message"], "`leaked` is also assigned here");

    let params = |only: Value| {
        json!({
            "textDocument": {"uri": file},
            "range": range((1, 4), (1, 4)),
            "context": {"diagnostics": diagnostics, "only": only},
        })
    };
    let refactors = client.request("textDocument/codeAction", params(json!(["refactor"])));
    assert_eq!(refactors, json!([]), "only quick fixes are offered");
    let actions = client.request("textDocument/codeAction", params(Value::Null));
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["title"], "Ignore implicit-global on this line");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "implicit-global");
    let edits = actions[0]["edit"]["changes"][&file].as_array().unwrap();
    let fixed = apply_edits(text, edits);
    assert_eq!(
        fixed,
        "function f() {\n  // leaklint-ignore implicit-global\n  leaked = 1;\n  leaked++;\n}\n"
    );
    client.change(&file, 4, &fixed);
    assert_eq!(client.diagnostics(&file, Some(4)), Vec::<Value>::new());
    // No finding on a clean line, no action.
    let none = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file},
            "range": range((0, 0), (0, 0)),
            "context": {"diagnostics": []},
        }),
    );
    assert_eq!(none, json!([]));

    // A burst of 100 edits, sent at once: the last version's diagnostics are what remain.
    client.collect(Duration::from_millis(100));
    let mut burst = Vec::new();
    let last = 104;
    for version in 5..=last {
        let text = if version % 2 == 0 {
            format!("function f() {{\n  leak{version} = 1;\n}}\n")
        } else {
            format!("function f() {{\n  let leak{version} = 1;\n}}\n")
        };
        burst.extend(frame(&change_message(&file, version, &text)));
    }
    client.send_raw(&burst);
    let diagnostics = client.diagnostics(&file, Some(last));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(diagnostics[0]["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("`leak{last}` is assigned")));
    assert_eq!(diagnostics[0]["range"], range((1, 2), (1, 9)));
    // What was published before the last version (earlier versions, in order), then nothing.
    let earlier: Vec<Value> = client.backlog.drain(..).collect();
    let publishes_before = earlier
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    let mut versions = earlier
        .iter()
        .filter_map(|m| m["params"]["version"].as_i64());
    assert!(versions.all(|v| (5..last).contains(&v)), "{earlier:?}");
    let after = client.collect(Duration::from_millis(500));
    assert!(
        after
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "nothing is published after the last version: {after:?}"
    );
    eprintln!("{publishes_before} publishes for a burst of 100 edits");
    assert!(
        publishes_before < 50,
        "a burst is linted once, not per edit: {publishes_before} publishes for 100 edits"
    );

    // leaklint.toml changes: the file is linted again with the new configuration.
    let config = dir.path().join("leaklint.toml");
    let config_uri = uri(&config);
    let watched = |client: &mut Client| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": config_uri, "type": 1}]}),
        );
    };
    std::fs::write(&config, "[rules]\nimplicit-global = \"off\"\n").unwrap();
    watched(&mut client);
    assert_eq!(client.diagnostics(&file, Some(last)), Vec::<Value>::new());

    std::fs::write(&config, "[rules]\nimplicit-globals = \"warn\"\n").unwrap();
    watched(&mut client);
    let diagnostics = client.diagnostics(&file, Some(last));
    assert_eq!(diagnostics.len(), 1);
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(message.contains("configuration error"), "{message}");
    assert!(
        message.contains("unknown rule `implicit-globals`"),
        "{message}"
    );

    // Saving leaklint.toml in the editor reloads it too.
    let toml = "[rules]\nimplicit-global = \"warn\"\n";
    std::fs::write(&config, toml).unwrap();
    client.open(&config_uri, "toml", toml);
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": config_uri}}),
    );
    let message = client.publish(&file, Some(last));
    let diagnostics = message["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["severity"], 2, "now a warning");
    eprintln!("publishDiagnostics as received: {message}");

    // Closing clears.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": file}}),
    );
    assert_eq!(client.diagnostics(&file, None), Vec::<Value>::new());

    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    client.initialize(dir.path(), json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 1);

    // End of input after shutdown: a clean exit.
    let mut client = Client::start(dir.path());
    client.initialize(dir.path(), json!({}));
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    let response = client.request_raw("textDocument/codeAction", json!({}));
    assert_eq!(
        response["error"]["code"], -32600,
        "requests after shutdown are refused"
    );
    drop(std::mem::replace(
        &mut client.stdin,
        Command::new("true")
            .stdin(Stdio::piped())
            .spawn()
            .unwrap()
            .stdin
            .take()
            .unwrap(),
    ));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn position_encodings() {
    let dir = tempfile::tempdir().unwrap();
    let file = uri(&dir.path().join("a.js"));
    let text = "var s = 'é😀'; function f(){ leaked = 1 }\n";
    for (offered, expected, start) in [
        (json!(["utf-16"]), "utf-16", 29),
        (json!(null), "utf-16", 29),
        (json!(["utf-8"]), "utf-8", 32),
        (json!(["utf-8", "utf-16"]), "utf-16", 29),
        (json!(["utf-32"]), "utf-32", 28),
    ] {
        let mut client = Client::start(dir.path());
        let capabilities = if offered.is_null() {
            json!({})
        } else {
            json!({"general": {"positionEncodings": offered}})
        };
        let result = client.initialize(dir.path(), capabilities);
        assert_eq!(result["capabilities"]["positionEncoding"], expected);
        client.open(&file, "javascript", text);
        let diagnostics = client.diagnostics(&file, Some(1));
        assert_eq!(
            diagnostics[0]["range"],
            range((0, start), (0, start + 6)),
            "{expected}"
        );
        assert_eq!(client.shutdown_and_exit(), 0);
    }
}

#[test]
fn bad_input_never_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    let early = client.request_raw("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002, "not initialized yet");
    client.initialize(dir.path(), json!({}));

    // Not JSON, not JSON-RPC, a bad header, a lone surrogate, invalid parameters.
    client.send_raw(b"Content-Length: 8\r\n\r\nnot json");
    client.send_raw(b"Content-Length: 2\r\n\r\n[]");
    client.send_raw(b"Bogus-Header\r\n\r\n");
    client.send_raw(b"Content-Length: nine\r\n\r\n");
    client.send_raw(&frame(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": 42}),
    ));
    let text = br#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///x.js","languageId":"javascript","version":1,"text":"\ud800"}}}"#;
    client.send_raw(format!("Content-Length: {}\r\n\r\n", text.len()).as_bytes());
    client.send_raw(text);
    let response = client.request_raw("textDocument/codeAction", json!("x"));
    assert_eq!(response["error"]["code"], -32602, "invalid params");
    let response = client.request_raw("workspace/symbol", json!({"query": ""}));
    assert_eq!(response["error"]["code"], -32601, "method not found");

    // Documents the server does not know, and documents that are not files.
    client.change("file:///nowhere/a.js", 2, "x = 1");
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": "file:///nowhere/a.js"},
            "range": range((0, 0), (0, 0)),
            "context": {"diagnostics": []},
        }),
    );
    assert_eq!(actions, json!([]));
    client.open(
        "untitled:Untitled-1",
        "javascript",
        "function f(){ leaked = 1 }",
    );
    let diagnostics = client.diagnostics("untitled:Untitled-1", Some(1));
    assert_eq!(diagnostics[0]["code"], "implicit-global");
    client.open("file:///tmp/notes.md", "markdown", "# leaked = 1");
    assert_eq!(
        client.diagnostics("file:///tmp/notes.md", Some(1)),
        Vec::<Value>::new()
    );
    let typings = uri(&dir.path().join("index.d.ts"));
    client.open(&typings, "typescript", "declare var leaked: number;");
    assert_eq!(client.diagnostics(&typings, Some(1)), Vec::<Value>::new());
    // A file too deep to parse safely is reported, not crashed on.
    let deep = uri(&dir.path().join("deep.js"));
    client.open(&deep, "javascript", &"(".repeat(5000));
    let diagnostics = client.diagnostics(&deep, Some(1));
    assert_eq!(
        diagnostics[0]["severity"], 3,
        "information: {diagnostics:?}"
    );
    // A syntax error is a diagnostic without a rule id.
    let broken = uri(&dir.path().join("broken.js"));
    client.open(&broken, "javascript", "function (");
    let diagnostics = client.diagnostics(&broken, Some(1));
    assert!(diagnostics[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Parsing error"));
    assert!(diagnostics[0].get("code").is_none());

    assert_eq!(client.shutdown_and_exit(), 0);
    let stderr = client.stderr.lock().unwrap().clone();
    assert!(stderr.contains("ignored"), "bad input is logged: {stderr}");
}

/// A document swc's TypeScript parser takes minutes over: 2,000 statements, each a chain of
/// guesses just within the pre-scan's limit (so it is not sent to the child parse), each costing
/// swc some 10 ms in a release build and 25 ms in a debug one. It gets a note after the 10 s
/// deadline instead of stopping the server; other documents are still linted, the stuck
/// document is not linted again while its thread runs, and the server still shuts down at once.
#[test]
fn a_file_the_parser_never_finishes_does_not_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    client.initialize(dir.path(), json!({}));
    let hang = uri(&dir.path().join("hang.ts"));
    let started = Instant::now();
    let chain = "x<(y= ".repeat(6) + "1" + &")".repeat(6) + ";\n";
    client.open(&hang, "typescript", &chain.repeat(2000));
    let diagnostics = client.diagnostics(&hang, Some(1));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(10), "{waited:?}");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        diagnostics[0]["message"],
        "leaklint: still being linted after 10 s, which only swc's TypeScript parser backtracking on it is known to cause; not linted"
    );
    assert_eq!(diagnostics[0]["severity"], 3);

    let other = uri(&dir.path().join("other.js"));
    let started = Instant::now();
    client.open(&other, "javascript", "function f(){ leaked = 1 }");
    let diagnostics = client.diagnostics(&other, Some(1));
    assert_eq!(diagnostics[0]["code"], "implicit-global");
    assert!(started.elapsed() < Duration::from_secs(5));

    client.change(&hang, 2, &chain.repeat(2001));
    let diagnostics = client.diagnostics(&hang, Some(2));
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("leaklint: an earlier version of this file is still being linted, "),
        "{message}"
    );
    let started = Instant::now();
    assert_eq!(client.shutdown_and_exit(), 0);
    assert!(started.elapsed() < Duration::from_secs(5));
}
