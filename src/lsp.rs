//! `leaklint lsp`: a language server over standard input and output.
//!
//! Synchronous, on one thread: linting a file takes milliseconds, so there is nothing to gain
//! from concurrency, and a single thread keeps the order of events obvious. (Each lint runs on
//! a lint thread only so that the server can stop waiting for it: see [`FILE_TIMEOUT`].) `lsp-server`
//! provides the message types; the framing is read here (see [`read_frame`]) so that a bad
//! `Content-Length` cannot make the server allocate without bound, and so that a reader thread
//! can queue messages without limit. Each turn of the loop takes every message already queued
//! and lints each changed document once, after all of them: a burst of edits is linted once,
//! at its last version.
//!
//! Positions are UTF-16 code units unless the client offers only UTF-8 (or UTF-32); lines
//! are split at `\n`, `\r\n` and `\r` only, as LSP says, not at U+2028/U+2029 as JavaScript does.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    InitializeResult, NumberOrString, PositionEncodingKind, PublishDiagnosticsParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde_json::{json, Value};

use crate::config::{self, ConfigResolver, Overrides, PackageTypes, ResolvedConfig};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::lint_source;
use crate::result::LintOutput;
use crate::rules;
use crate::runtime::{Workers, DEFAULT_FILE_TIMEOUT, WORKER_STACK};
use crate::source::{LineIndex, SourceType, EXTENSIONS};

/// Messages larger than this are skipped unread (the largest file leaklint lints by default is
/// 10 MB; JSON escaping can double that).
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// How long a lint may take before the server stops waiting for it and says so on the
/// document. swc's TypeScript parser, on input that makes it backtrack, can take hours and
/// cannot be interrupted: the thread is left to finish, and until it has, that document is not
/// linted again (so a document cannot pile up stuck threads).
pub const FILE_TIMEOUT: Duration = DEFAULT_FILE_TIMEOUT;

/// How long to wait for the next message of a burst of edits before linting.
const SETTLE: Duration = Duration::from_millis(2);
/// The longest a burst of edits delays its diagnostics.
const SETTLE_LIMIT: Duration = Duration::from_millis(50);

/// Runs the server until `exit` (or the end of input); returns the process exit status: 0 after
/// `shutdown`, 1 otherwise, as the LSP specification asks.
pub fn run() -> u8 {
    let (to_server, from_client) = mpsc::channel::<Incoming>();
    let (to_client, outgoing) = mpsc::channel::<Message>();
    // Not joined: it may be blocked reading standard input when the server exits.
    let _reader = std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || read_messages(&mut io::stdin().lock(), &to_server));
    let writer = std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || write_messages(&mut io::stdout().lock(), &outgoing));
    // The server parses and lints, which needs the workers' large stack.
    let server = std::thread::Builder::new()
        .name("lsp-server".into())
        .stack_size(WORKER_STACK)
        .spawn(move || Server::new(to_client).serve(&from_client));
    let code = match server {
        Ok(thread) => thread.join().unwrap_or(1),
        Err(error) => {
            eprintln!("leaklint lsp: cannot start the server thread: {error}");
            1
        }
    };
    // The server's sender is dropped: the writer sends what is queued and stops.
    if let Ok(writer) = writer {
        let _ = writer.join();
    }
    code
}

enum Incoming {
    Message(Message),
    /// A frame that was not a JSON-RPC message.
    Malformed(String),
}

fn read_messages(input: &mut impl BufRead, to_server: &Sender<Incoming>) {
    loop {
        let incoming = match read_frame(input) {
            Ok(Some(body)) => match serde_json::from_slice::<Message>(&body) {
                Ok(message) => Incoming::Message(message),
                Err(error) => Incoming::Malformed(format!("not a JSON-RPC message: {error}")),
            },
            Ok(None) => return,
            Err(error) if error.kind() == io::ErrorKind::InvalidData => {
                Incoming::Malformed(error.to_string())
            }
            Err(_) => return,
        };
        if to_server.send(incoming).is_err() {
            return;
        }
    }
}

/// Reads one `Content-Length`-framed body; `Ok(None)` at the end of input. A frame with a bad
/// header is an `InvalidData` error after which reading goes on at the next line.
pub fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let read = input.by_ref().take(8 * 1024).read_until(b'\n', &mut line)?;
        if read == 0 {
            return if saw_header {
                Err(io::ErrorKind::UnexpectedEof.into())
            } else {
                Ok(None)
            };
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid(format!("malformed header {line:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse()
                    .map_err(|_| invalid(format!("bad Content-Length {:?}", value.trim())))?,
            );
        }
    }
    let length = length.ok_or_else(|| invalid("a message without Content-Length".into()))?;
    if length > MAX_MESSAGE {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Err(invalid(format!(
            "a message of {length} bytes is over the limit of {MAX_MESSAGE}; skipped"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn write_messages(output: &mut impl Write, outgoing: &Receiver<Message>) {
    for message in outgoing {
        if message.write(output).is_err() {
            return;
        }
    }
}

/// How the client counts a position's `character`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// UTF-16 whenever the client accepts it (it must, per the specification, and it is what
    /// every other leaklint output counts); otherwise the first of UTF-8 or UTF-32 it offers.
    pub fn negotiate(offered: &[String]) -> Encoding {
        if offered.is_empty() || offered.iter().any(|e| e == "utf-16") {
            Encoding::Utf16
        } else if offered.iter().any(|e| e == "utf-8") {
            Encoding::Utf8
        } else if offered.iter().any(|e| e == "utf-32") {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// Line starts as LSP counts lines: after `\n`, `\r\n` or a lone `\r`.
pub struct LspLines {
    starts: Vec<usize>,
}

impl LspLines {
    pub fn new(text: &str) -> LspLines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LspLines { starts }
    }

    /// The position of a byte offset (clamped to the text, rounded down to a character).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> lsp::Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let character: usize = text[start..offset].chars().map(|c| encoding.units(c)).sum();
        lsp::Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The byte offset of a position; past the end of its line means the line's end, past the
    /// last line the end of the text, inside a character its start.
    pub fn offset(&self, text: &str, position: lsp::Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let content = text[start..end].trim_end_matches(['\r', '\n']);
        let mut units = 0;
        for (i, c) in content.char_indices() {
            units += encoding.units(c);
            if units > position.character as usize {
                return start + i;
            }
        }
        start + content.len()
    }
}

struct Document {
    uri: Uri,
    language_id: String,
    version: i32,
    text: String,
    /// Changed since it was last linted.
    dirty: bool,
    published: Vec<Published>,
}

/// A diagnostic as it was last published, with what a quick fix needs.
struct Published {
    diagnostic: lsp::Diagnostic,
    rule: Option<&'static str>,
    /// Byte offset of the finding in the text without its byte order mark.
    start: usize,
}

struct Server {
    out: Sender<Message>,
    initialized: bool,
    shutdown: bool,
    /// The client can register file watchers for us (`leaklint.toml`, `package.json`).
    can_watch: bool,
    documents: HashMap<String, Document>,
    linter: Linter,
    next_request: i32,
}

/// What linting a document needs besides the document.
struct Linter {
    encoding: Encoding,
    /// Workspace folders: where the configuration of an `untitled:` document comes from.
    roots: Vec<PathBuf>,
    configs: ConfigResolver,
    packages: PackageTypes,
    /// Documents whose lint passed [`FILE_TIMEOUT`], with a flag its thread sets when done.
    stuck: HashMap<String, (Instant, Arc<AtomicBool>)>,
    /// The thread that lints, kept from one lint to the next (its allocator's memory with it)
    /// and replaced only when stuck. `None` is a lint past [`FILE_TIMEOUT`].
    workers: Workers<LintJob, Option<LintOutput>>,
}

struct LintJob {
    path: PathBuf,
    text: String,
    config: Arc<ResolvedConfig>,
    package_is_module: bool,
    done: Arc<AtomicBool>,
}

fn lint_workers() -> Workers<LintJob, Option<LintOutput>> {
    Workers::new(1, |job: &LintJob| {
        let output = lint_source(
            &job.path,
            &job.text,
            &job.config.settings,
            job.package_is_module,
        );
        job.done.store(true, Ordering::Release);
        Some(output)
    })
    .named("lsp-lint")
}

impl Server {
    fn new(out: Sender<Message>) -> Server {
        Server {
            out,
            initialized: false,
            shutdown: false,
            can_watch: false,
            documents: HashMap::new(),
            linter: Linter {
                encoding: Encoding::Utf16,
                roots: Vec::new(),
                configs: fresh_resolver(),
                packages: PackageTypes::new(),
                stuck: HashMap::new(),
                workers: lint_workers(),
            },
            next_request: 1,
        }
    }

    fn serve(mut self, incoming: &Receiver<Incoming>) -> u8 {
        loop {
            let Ok(first) = incoming.recv() else {
                // The client went away without `exit`.
                return if self.shutdown { 0 } else { 1 };
            };
            // Everything already queued is handled before any document is linted, so a burst
            // of edits is linted once, at its last version.
            let mut batch: Vec<Incoming> =
                std::iter::once(first).chain(incoming.try_iter()).collect();
            // While edits keep coming (the reader may be a message or two behind a burst),
            // wait a moment for the rest of it; never longer than SETTLE_LIMIT in all.
            let deadline = Instant::now() + SETTLE_LIMIT;
            while batch.iter().any(is_edit) && Instant::now() < deadline {
                match incoming.recv_timeout(SETTLE) {
                    Ok(next) => {
                        batch.push(next);
                        batch.extend(incoming.try_iter());
                    }
                    Err(_) => break,
                }
            }
            for message in batch {
                if let Some(code) = self.handle(message) {
                    return code;
                }
            }
            self.lint_dirty();
        }
    }

    /// Handles one message; `Some(status)` when the server must exit.
    fn handle(&mut self, incoming: Incoming) -> Option<u8> {
        let message = match incoming {
            Incoming::Message(message) => message,
            Incoming::Malformed(error) => {
                eprintln!("leaklint lsp: ignored input: {error}");
                return None;
            }
        };
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let method = request.method.clone();
                let response = catch_unwind(AssertUnwindSafe(|| self.request(request)))
                    .unwrap_or_else(|_| {
                        Err((
                            ErrorCode::InternalError,
                            format!("internal error in leaklint while handling {method}"),
                        ))
                    });
                let response = match response {
                    Ok(result) => Response::new_ok(id, result),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                };
                self.send(response.into());
                None
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    return Some(if self.shutdown { 0 } else { 1 });
                }
                if !self.initialized || self.shutdown {
                    return None;
                }
                let method = notification.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.notification(notification))).is_err() {
                    eprintln!("leaklint lsp: internal error while handling {method}");
                }
                None
            }
            // Answers to our requests (registerCapability): nothing to do.
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, request: Request) -> Result<Value, (ErrorCode, String)> {
        if !self.initialized && request.method != "initialize" {
            return Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".into(),
            ));
        }
        if self.shutdown {
            return Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ));
        }
        match request.method.as_str() {
            "initialize" if self.initialized => Err((
                ErrorCode::InvalidRequest,
                "initialize was already received".into(),
            )),
            "initialize" => Ok(self.initialize(&request.params)),
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/codeAction" => {
                let params: CodeActionParams = parse_params(request.params)?;
                Ok(serde_json::to_value(self.code_actions(&params)).unwrap_or(Value::Null))
            }
            method => Err((
                ErrorCode::MethodNotFound,
                format!("leaklint does not handle {method}"),
            )),
        }
    }

    fn initialize(&mut self, params: &Value) -> Value {
        let offered: Vec<String> = params
            .pointer("/capabilities/general/positionEncodings")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        self.linter.encoding = Encoding::negotiate(&offered);
        self.can_watch = params
            .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let folders = params.get("workspaceFolders").and_then(Value::as_array);
        self.linter.roots = match folders {
            Some(folders) => folders
                .iter()
                .filter_map(|f| f.get("uri")?.as_str().and_then(file_path))
                .collect(),
            None => params
                .get("rootUri")
                .and_then(Value::as_str)
                .and_then(file_path)
                .or_else(|| params.get("rootPath")?.as_str().map(PathBuf::from))
                .into_iter()
                .collect(),
        };
        self.initialized = true;
        let capabilities = ServerCapabilities {
            position_encoding: Some(self.linter.encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                resolve_provider: Some(false),
                ..CodeActionOptions::default()
            })),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        };
        serde_json::to_value(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "leaklint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
        .unwrap_or(Value::Null)
    }

    fn notification(&mut self, notification: Notification) {
        let Notification { method, params } = notification;
        let result = match method.as_str() {
            "initialized" => {
                self.register_watchers();
                Ok(())
            }
            "textDocument/didOpen" => parse_params(params).map(|p| self.did_open(p)),
            "textDocument/didChange" => parse_params(params).map(|p| self.did_change(p)),
            "textDocument/didSave" => parse_params(params).map(|p| self.did_save(p)),
            "textDocument/didClose" => parse_params(params).map(|p| self.did_close(p)),
            "workspace/didChangeWatchedFiles" => {
                parse_params(params).map(|p: DidChangeWatchedFilesParams| {
                    if p.changes.iter().any(|c| is_config_uri(&c.uri)) {
                        self.reload_configuration();
                    }
                })
            }
            "workspace/didChangeWorkspaceFolders" => {
                parse_params(params).map(|p: DidChangeWorkspaceFoldersParams| {
                    let removed: HashSet<PathBuf> = p
                        .event
                        .removed
                        .iter()
                        .filter_map(|f| file_path(f.uri.as_str()))
                        .collect();
                    self.linter.roots.retain(|r| !removed.contains(r));
                    self.linter.roots.extend(
                        p.event
                            .added
                            .iter()
                            .filter_map(|f| file_path(f.uri.as_str())),
                    );
                })
            }
            // $/cancelRequest, $/setTrace, workspace/didChangeConfiguration, …
            _ => Ok(()),
        };
        if let Err((_, error)) = result {
            eprintln!("leaklint lsp: ignored {method}: {error}");
        }
    }

    fn register_watchers(&mut self) {
        if !self.can_watch {
            return;
        }
        let watchers: Vec<Value> = [config::FILE_NAME, "package.json"]
            .iter()
            .map(|name| json!({ "globPattern": format!("**/{name}") }))
            .collect();
        let id = RequestId::from(self.next_request);
        self.next_request += 1;
        self.send(
            Request::new(
                id,
                "client/registerCapability".into(),
                json!({ "registrations": [{
                    "id": "leaklint-config-files",
                    "method": "workspace/didChangeWatchedFiles",
                    "registerOptions": { "watchers": watchers },
                }]}),
            )
            .into(),
        );
    }

    fn did_open(&mut self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let key = item.uri.as_str().to_string();
        if is_config_uri(&item.uri) {
            self.reload_configuration();
        }
        self.documents.insert(
            key,
            Document {
                uri: item.uri,
                language_id: item.language_id,
                version: item.version,
                text: item.text,
                dirty: true,
                published: Vec::new(),
            },
        );
    }

    fn did_change(&mut self, params: DidChangeTextDocumentParams) {
        let encoding = self.linter.encoding;
        let Some(document) = self.documents.get_mut(params.text_document.uri.as_str()) else {
            eprintln!(
                "leaklint lsp: didChange for {}, which is not open; ignored",
                params.text_document.uri.as_str()
            );
            return;
        };
        for change in params.content_changes {
            match change.range {
                // Full sync, as the server asks for.
                None => document.text = change.text,
                // A client that sends ranges anyway.
                Some(range) => {
                    let lines = LspLines::new(&document.text);
                    let start = lines.offset(&document.text, range.start, encoding);
                    let end = lines.offset(&document.text, range.end, encoding).max(start);
                    document.text.replace_range(start..end, &change.text);
                }
            }
        }
        document.version = params.text_document.version;
        document.dirty = true;
    }

    fn did_save(&mut self, params: DidSaveTextDocumentParams) {
        if is_config_uri(&params.text_document.uri) {
            self.reload_configuration();
            return;
        }
        if let Some(document) = self.documents.get_mut(params.text_document.uri.as_str()) {
            if let Some(text) = params.text {
                document.text = text;
            }
            document.dirty = true;
        }
    }

    fn did_close(&mut self, params: DidCloseTextDocumentParams) {
        self.documents.remove(params.text_document.uri.as_str());
        self.publish(params.text_document.uri, Vec::new(), None);
    }

    /// A `leaklint.toml` or `package.json` changed: forget what was read and lint again.
    fn reload_configuration(&mut self) {
        self.linter.configs = fresh_resolver();
        self.linter.packages = PackageTypes::new();
        for document in self.documents.values_mut() {
            document.dirty = true;
        }
    }

    fn lint_dirty(&mut self) {
        let dirty: Vec<String> = self
            .documents
            .iter()
            .filter(|(_, d)| d.dirty)
            .map(|(k, _)| k.clone())
            .collect();
        for key in dirty {
            self.lint_and_publish(&key);
        }
    }

    fn lint_and_publish(&mut self, key: &str) {
        let Some(document) = self.documents.get(key) else {
            return;
        };
        let published = self.linter.lint(document);
        let (uri, version) = (document.uri.clone(), document.version);
        let diagnostics = published.iter().map(|p| p.diagnostic.clone()).collect();
        if let Some(document) = self.documents.get_mut(key) {
            document.published = published;
            document.dirty = false;
        }
        self.publish(uri, diagnostics, Some(version));
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        if let Some(only) = &params.context.only {
            let wants_quickfix = only
                .iter()
                .any(|k| k.as_str().is_empty() || *k == CodeActionKind::QUICKFIX);
            if !wants_quickfix {
                return Vec::new();
            }
        }
        let key = params.text_document.uri.as_str().to_string();
        if self.documents.get(&key).is_some_and(|d| d.dirty) {
            self.lint_and_publish(&key);
        }
        let Some(document) = self.documents.get(&key) else {
            return Vec::new();
        };
        let (first, last) = (params.range.start.line, params.range.end.line);
        let mut seen = HashSet::new();
        let mut actions = Vec::new();
        for published in &document.published {
            let Some(rule) = published.rule else {
                continue;
            };
            // Only findings of real rules can be ignored; the directive rules report on
            // directives themselves.
            if rules::find(rule).is_none_or(|r| !r.has_handlers()) {
                continue;
            }
            let range = published.diagnostic.range;
            if range.start.line > last || range.end.line < first {
                continue;
            }
            let edit = ignore_edit(&document.text, published.start, rule, self.linter.encoding);
            if !seen.insert((edit.range.start, rule)) {
                continue;
            }
            // lsp-types' WorkspaceEdit keys its map by Uri; the key is never mutated.
            #[allow(clippy::mutable_key_type)]
            let changes = HashMap::from([(document.uri.clone(), vec![edit])]);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore {rule} on this line"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![published.diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            }));
        }
        actions
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new("textDocument/publishDiagnostics".into(), params).into());
    }

    fn send(&self, message: Message) {
        // The writer is gone only when the client closed our output; nothing to tell it then.
        let _ = self.out.send(message);
    }
}

impl Linter {
    fn lint(&mut self, document: &Document) -> Vec<Published> {
        let Some((path, dir)) = self.target(&document.uri, &document.language_id) else {
            return Vec::new();
        };
        let text = &document.text;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let lines = LspLines::new(text);
        let encoding = self.encoding;
        let at = |offset: usize| lines.position(text, offset + bom, encoding);
        let config = match self.configs.for_dir(&dir) {
            Ok(config) => config,
            Err(error) => {
                return vec![Published {
                    diagnostic: lsp::Diagnostic {
                        range: lsp::Range::new(at(0), at(0)),
                        severity: Some(DiagnosticSeverity::ERROR),
                        source: Some("leaklint".into()),
                        message: format!("configuration error, this file is not linted: {error}"),
                        ..lsp::Diagnostic::default()
                    },
                    rule: None,
                    start: 0,
                }]
            }
        };
        if config.file.ignores(&path) {
            return Vec::new();
        }
        let package_is_module = self.packages.is_module(&dir);
        let key = document.uri.as_str().to_string();
        let output = match self.lint_in_time(&key, path, text, config, package_is_module) {
            Ok(output) => output,
            Err(reason) => LintOutput {
                diagnostics: Vec::new(),
                skipped: Some(reason),
            },
        };
        if let Some(reason) = output.skipped {
            return vec![Published {
                diagnostic: lsp::Diagnostic {
                    range: lsp::Range::new(at(0), at(0)),
                    severity: Some(DiagnosticSeverity::INFORMATION),
                    source: Some("leaklint".into()),
                    message: format!("leaklint: {reason}"),
                    ..lsp::Diagnostic::default()
                },
                rule: None,
                start: 0,
            }];
        }
        output
            .diagnostics
            .iter()
            .map(|d| Published {
                diagnostic: to_lsp(&document.uri, d, &at),
                rule: d.rule,
                start: d.location.range.start,
            })
            .collect()
    }

    /// Lints on the lint thread and waits at most [`FILE_TIMEOUT`]; `Err` says why the
    /// document was not linted. A lint thread past the deadline is left behind (swc's parser
    /// cannot be interrupted) and a new one takes its place.
    fn lint_in_time(
        &mut self,
        key: &str,
        path: PathBuf,
        text: &str,
        config: Arc<ResolvedConfig>,
        package_is_module: bool,
    ) -> Result<LintOutput, String> {
        if let Some((since, done)) = self.stuck.get(key) {
            if !done.load(Ordering::Acquire) {
                return Err(format!(
                    "an earlier version of this file is still being linted, {} s after it started, {}; not linted",
                    since.elapsed().as_secs(),
                    crate::runtime::why_stuck(&path)
                ));
            }
            self.stuck.remove(key);
        }
        self.workers
            .start(1)
            .map_err(|error| format!("cannot start a thread to lint this file: {error}"))?;
        let done = Arc::new(AtomicBool::new(false));
        let stuck_path = path.clone();
        let job = LintJob {
            path,
            text: text.to_string(),
            config,
            package_is_module,
            done: Arc::clone(&done),
        };
        let started = Instant::now();
        let output = self
            .workers
            .run(vec![job], |_| FILE_TIMEOUT, |_, _| None)
            .pop()
            .flatten();
        match output {
            Some(output) => Ok(output),
            None => {
                self.stuck.insert(key.to_string(), (started, done));
                Err(format!(
                    "still being linted after {} s, {}; not linted",
                    FILE_TIMEOUT.as_secs(),
                    crate::runtime::why_stuck(&stuck_path)
                ))
            }
        }
    }

    /// The path a document is linted as (its syntax comes from the extension) and the folder
    /// whose configuration applies. `None` for what leaklint does not lint (other languages,
    /// `.d.ts`). A document that is not a file (`untitled:`) is linted as its language, with the
    /// first workspace folder's configuration.
    fn target(&self, uri: &Uri, language_id: &str) -> Option<(PathBuf, PathBuf)> {
        let by_language = match language_id {
            "javascript" => Some("js"),
            "javascriptreact" => Some("jsx"),
            "typescript" => Some("ts"),
            "typescriptreact" => Some("tsx"),
            "vue" => Some("vue"),
            "svelte" => Some("svelte"),
            _ => None,
        };
        match file_path(uri.as_str()) {
            Some(path) => {
                let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
                if SourceType::from_path(&path).is_some() {
                    return Some((path, dir));
                }
                let known_extension = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e));
                if known_extension {
                    return None; // a declaration file
                }
                let stem = path.file_name()?.to_string_lossy().into_owned();
                Some((dir.join(format!("{stem}.{}", by_language?)), dir))
            }
            None => {
                let dir = self
                    .roots
                    .first()
                    .cloned()
                    .or_else(|| std::env::current_dir().ok())?;
                Some((dir.join(format!("untitled.{}", by_language?)), dir))
            }
        }
    }
}

fn to_lsp(uri: &Uri, d: &Diagnostic, at: &dyn Fn(usize) -> lsp::Position) -> lsp::Diagnostic {
    let range = |r: crate::diagnostic::Range| lsp::Range::new(at(r.start), at(r.end));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), range(r.location.range)),
            message: r.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: range(d.location.range),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            _ => DiagnosticSeverity::WARNING,
        }),
        code: d.rule.map(|rule| NumberOrString::String(rule.into())),
        // No `codeDescription`: leaklint has no published documentation URL; the rule's
        // page is `leaklint explain RULE`.
        source: Some("leaklint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

/// The edit that ignores `rule` on the line of the finding at byte `start` (in the text without
/// its byte order mark): `// leaklint-ignore RULE` on a new line above it, indented as that
/// line; or `, RULE` added to a `leaklint-ignore` directive already on the line above (two
/// directive lines in a row would not work: each applies only to the line after it).
pub fn ignore_edit(text: &str, start: usize, rule: &str, encoding: Encoding) -> TextEdit {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    // Directives count lines as JavaScript does.
    let index = LineIndex::new(body);
    let line = index.line_of(start.min(body.len()));
    let line_start = index.line_start(line);
    let lines = LspLines::new(text);
    let at = |offset: usize| lines.position(text, offset + bom, encoding);
    if line > 0 {
        let previous_start = index.line_start(line - 1);
        let previous = &body[previous_start..line_start];
        if let Some(insert) = directive_insert_point(previous, rule) {
            let position = at(previous_start + insert);
            return TextEdit::new(lsp::Range::new(position, position), format!(", {rule}"));
        }
    }
    let indent: String = body[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = if body.contains("\r\n") {
        "\r\n"
    } else if !body.contains('\n') && body.contains('\r') {
        "\r"
    } else {
        "\n"
    };
    let position = at(line_start);
    TextEdit::new(
        lsp::Range::new(position, position),
        format!("{indent}// leaklint-ignore {rule}{eol}"),
    )
}

/// Where to add a rule id to `line` when it is a `// leaklint-ignore …` line (the next-line
/// form): after its last rule id, before any `-- reason`.
fn directive_insert_point(line: &str, rule: &str) -> Option<usize> {
    let content = line.trim_end_matches(['\r', '\n', '\u{2028}', '\u{2029}']);
    let trimmed = content.trim_start();
    let after_slashes = trimmed.strip_prefix("//")?;
    let rest = after_slashes.trim_start().strip_prefix("leaklint-ignore")?;
    if !rest.starts_with(char::is_whitespace) {
        return None; // `leaklint-ignore-line`, `-file`, or no rule at all
    }
    let ids = rest.split("--").next().unwrap_or("");
    if ids.split([',', ' ', '\t']).any(|id| id == rule) || ids.trim().is_empty() {
        return None;
    }
    let ids_end = (content.len() - rest.len()) + ids.trim_end().len();
    Some(ids_end)
}

/// A message that changes a document's text.
fn is_edit(incoming: &Incoming) -> bool {
    matches!(incoming, Incoming::Message(Message::Notification(n)) if n.method == "textDocument/didChange")
}

fn fresh_resolver() -> ConfigResolver {
    // Without an explicit configuration file a resolver reads nothing yet, so it cannot fail.
    ConfigResolver::new(None, Overrides::default()).expect("no file is read")
}

fn parse_params<P: serde::de::DeserializeOwned>(params: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

/// The path of a `file:` URI.
fn file_path(uri: &str) -> Option<PathBuf> {
    let url = url::Url::parse(uri).ok()?;
    if url.scheme() != "file" {
        return None;
    }
    url.to_file_path().ok()
}

fn is_config_uri(uri: &Uri) -> bool {
    let path = uri.as_str().split(['?', '#']).next().unwrap_or("");
    let name = path.rsplit('/').next().unwrap_or("");
    name == config::FILE_NAME || name == "package.json"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_negotiation() {
        let offer = |list: &[&str]| {
            Encoding::negotiate(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(offer(&[]), Encoding::Utf16);
        assert_eq!(offer(&["utf-8", "utf-16"]), Encoding::Utf16);
        assert_eq!(offer(&["utf-8"]), Encoding::Utf8);
        assert_eq!(offer(&["utf-32"]), Encoding::Utf32);
        assert_eq!(offer(&["latin-1"]), Encoding::Utf16);
    }

    #[test]
    fn positions_in_each_encoding() {
        let text = "é😀x\r\ny\rz\u{2028}w";
        let lines = LspLines::new(text);
        let x = text.find('x').unwrap();
        let pos = |offset, encoding| {
            let p = lines.position(text, offset, encoding);
            (p.line, p.character)
        };
        assert_eq!(pos(x, Encoding::Utf16), (0, 3));
        assert_eq!(pos(x, Encoding::Utf8), (0, 6));
        assert_eq!(pos(x, Encoding::Utf32), (0, 2));
        assert_eq!(pos(text.find('y').unwrap(), Encoding::Utf16), (1, 0));
        // U+2028 ends a JavaScript line but not an LSP one.
        assert_eq!(pos(text.find('w').unwrap(), Encoding::Utf16), (2, 2));
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in [0, x, text.find('z').unwrap(), text.len()] {
                let p = lines.position(text, offset, encoding);
                assert_eq!(lines.offset(text, p, encoding), offset, "{encoding:?}");
            }
        }
        // Past the end of a line: the line's end; past the last line: the text's end.
        let p = lsp::Position::new(1, 99);
        assert_eq!(
            lines.offset(text, p, Encoding::Utf16),
            text.find('\r').unwrap() + 3
        );
        assert_eq!(
            lines.offset(text, lsp::Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        // Inside a surrogate pair: the start of the character.
        assert_eq!(
            lines.offset(text, lsp::Position::new(0, 2), Encoding::Utf16),
            2
        );
    }

    #[test]
    fn quick_fix_inserts_an_indented_directive() {
        let text = "function f() {\r\n\t  leaked = 1;\r\n}\r\n";
        let start = text.find("leaked").unwrap();
        let edit = ignore_edit(text, start, "implicit-global", Encoding::Utf16);
        assert_eq!(edit.range.start, lsp::Position::new(1, 0));
        assert_eq!(edit.range.end, edit.range.start);
        assert_eq!(edit.new_text, "\t  // leaklint-ignore implicit-global\r\n");
    }

    #[test]
    fn quick_fix_extends_a_directive_above() {
        let text = "  // leaklint-ignore unbounded-cache -- cleared on reload\n  x = 1;\n";
        let edit = ignore_edit(
            text,
            text.find("x =").unwrap(),
            "implicit-global",
            Encoding::Utf16,
        );
        let insert = "  // leaklint-ignore unbounded-cache".len() as u32;
        assert_eq!(edit.range.start, lsp::Position::new(0, insert));
        assert_eq!(edit.new_text, ", implicit-global");

        // Not a next-line directive: a new line.
        let text = "y = 2; // leaklint-ignore-line implicit-global\nx = 1;\n";
        let edit = ignore_edit(
            text,
            text.find("x =").unwrap(),
            "implicit-global",
            Encoding::Utf16,
        );
        assert_eq!(edit.new_text, "// leaklint-ignore implicit-global\n");
    }

    #[test]
    fn frames_survive_bad_headers() {
        let input = b"Content-Length: 2\r\n\r\n{}Bogus\r\n\r\nContent-Length: x\r\n\r\nContent-Length: 3\r\n\r\n[1]";
        let mut reader = io::BufReader::new(&input[..]);
        assert_eq!(read_frame(&mut reader).unwrap().unwrap(), b"{}");
        assert_eq!(
            read_frame(&mut reader).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            read_frame(&mut reader).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(read_frame(&mut reader).unwrap().unwrap(), b"[1]");
        assert!(read_frame(&mut reader).unwrap().is_none());
    }
}
