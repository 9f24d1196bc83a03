//! `repeated-listener`: a listener added, in code that runs more than once, to an emitter that
//! outlives the call, and never removed.
//!
//! `process.on`, `window.addEventListener` or `bus.on` on a module-level emitter, inside a
//! request handler, a constructor or a React effect, adds one more listener on every call. The
//! emitter keeps each listener and everything its closure captures; Node warns at 11
//! (`MaxListenersExceededWarning`), browsers never do. The rule is silent for receivers created
//! in or passed into the call, for `once`, `{ once: true }` and `{ signal }`, when the same
//! receiver removes the same event and function anywhere in the file, when the registration's
//! result (an unsubscribe function) is kept, and behind a run-once guard.

use rustc_hash::FxHashSet;
use swc_common::{Span, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::diagnostic::{Finding, Label, Range};
use crate::rules::helpers::{
    callee_span, is_effect_hook_call, is_global, method_call, prop_name, unwrap,
};
use crate::rules::{Context, OptionKind, RuleOption};
use crate::semantic::{BindingId, BindingKind, Semantic};

pub const ID: &str = "repeated-listener";

pub const OPTIONS: &[RuleOption] = &[RuleOption {
    name: "removal_methods",
    kind: OptionKind::Names,
    description: "more method names that remove a listener (e.g. `unsubscribe`)",
}];

const REGISTRATION_METHODS: &[&str] = &["on", "addListener", "prependListener", "addEventListener"];
const REMOVAL_METHODS: &[&str] = &["off", "removeListener", "removeEventListener"];
const LONG_LIVED_GLOBALS: &[&str] = &["process", "window", "document", "globalThis", "global"];

/// A receiver path: its root and the property names after it (`process.stdout` →
/// (`process`, [`stdout`])).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Receiver {
    root: Root,
    props: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Root {
    Global(String),
    Binding(BindingId),
    /// `this`, or a name the rule cannot follow; only used to match removals.
    Other(String),
}

struct Registration {
    span: Span,
    receiver: Receiver,
    receiver_text: String,
    event: String,
    /// The listener's text when it is a reference that a removal could name again.
    listener: Option<String>,
    in_effect: bool,
}

struct Removal {
    receiver: Receiver,
    /// `None` for `removeAllListeners()`, which removes every event.
    event: Option<String>,
    listener: Removed,
}

enum Removed {
    /// `removeAllListeners`: every listener.
    Any,
    /// The function named by this text.
    Function(String),
    /// A function no registration can have added (`handler.bind(this)`, an inline arrow).
    Nothing,
}

pub fn run(ctx: &mut Context) {
    let extra = ctx.settings.option_names(ID, "removal_methods");
    let mut visitor = Visitor {
        semantic: ctx.semantic,
        text: ctx.text,
        removal_methods: extra,
        registrations: Vec::new(),
        removals: Vec::new(),
        statement_calls: FxHashSet::default(),
        guarded: 0,
        effect_depth: 0,
    };
    ctx.program.visit_with(&mut visitor);
    for registration in &visitor.registrations {
        let removed = visitor.removals.iter().any(|removal| {
            removal.receiver == registration.receiver
                && removal
                    .event
                    .as_ref()
                    .is_none_or(|e| *e == registration.event)
                && match (&removal.listener, &registration.listener) {
                    (Removed::Any, _) => true,
                    (Removed::Function(removed), Some(added)) => removed == added,
                    _ => false,
                }
        });
        if removed {
            continue;
        }
        let label = match &registration.receiver.root {
            Root::Binding(binding) => {
                let binding = ctx.semantic.binding(*binding);
                Some(Label {
                    range: Range::from_span(binding.span),
                    message: format!(
                        "`{}` is created here, where it outlives every call",
                        binding.name
                    ),
                })
            }
            _ => None,
        };
        let effect = if registration.in_effect {
            "; this effect returns no cleanup that removes it"
        } else {
            ""
        };
        ctx.report(Finding {
            rule: ID,
            range: Range::from_span(registration.span),
            message: format!(
                "a listener for {} is added to `{}` on every call, and nothing removes it{effect}: listeners, and what their closures hold, pile up for as long as `{}` lives",
                registration.event, registration.receiver_text, registration.receiver_text
            ),
            labels: label.into_iter().collect(),
            help: Some("register it once (at module level or behind a run-once guard), use `once`, pass `{ signal }` and abort it, or remove it with `off`/`removeListener`/`removeEventListener` and the same function".into()),
            severity: None,
        });
    }
}

struct Visitor<'a, 's> {
    semantic: &'a Semantic,
    text: &'a str,
    removal_methods: Vec<&'s str>,
    registrations: Vec<Registration>,
    removals: Vec<Removal>,
    /// Calls whose result is dropped (statement level, or a link in a chain of registrations).
    statement_calls: FxHashSet<swc_common::BytePos>,
    /// Depth of run-once guards around the current code.
    guarded: usize,
    effect_depth: usize,
}

impl Visitor<'_, '_> {
    fn text_of(&self, span: Span) -> String {
        let range = Range::from_span(span);
        let text = self.text.get(range.start..range.end).unwrap_or("");
        text.split_whitespace().collect()
    }

    fn receiver(&self, expr: &Expr) -> Option<Receiver> {
        match unwrap(expr) {
            Expr::Ident(ident) => {
                let root = if is_global(self.semantic, ident, LONG_LIVED_GLOBALS) {
                    Root::Global(ident.sym.to_string())
                } else {
                    match self.semantic.binding_id_of(ident) {
                        Some(binding) => Root::Binding(binding),
                        None => Root::Other(ident.sym.to_string()),
                    }
                };
                Some(Receiver {
                    root,
                    props: Vec::new(),
                })
            }
            Expr::This(_) => Some(Receiver {
                root: Root::Other("this".into()),
                props: Vec::new(),
            }),
            Expr::Member(member) => {
                let mut receiver = self.receiver(&member.obj)?;
                receiver.props.push(prop_name(&member.prop)?.to_string());
                Some(receiver)
            }
            // `emitter.on('a', f).on('b', g)`: a chained registration returns its receiver.
            Expr::Call(call) => {
                let (object, method) = method_call(call)?;
                REGISTRATION_METHODS
                    .contains(&&**method)
                    .then(|| self.receiver(object))?
            }
            _ => None,
        }
    }

    /// `process.stdout`, `bus`: the receiver as a path, also for a chained registration.
    fn receiver_text(&self, receiver: &Receiver) -> String {
        let root = match &receiver.root {
            Root::Global(name) | Root::Other(name) => name.clone(),
            Root::Binding(id) => self.semantic.binding(*id).name.to_string(),
        };
        std::iter::once(root)
            .chain(receiver.props.iter().cloned())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Does the receiver outlive a call of the code that registers on it?
    fn outlives_the_call(&self, receiver: &Receiver) -> bool {
        match &receiver.root {
            Root::Global(_) => true,
            Root::Binding(id) => {
                let binding = self.semantic.binding(*id);
                let long_lived_kind = matches!(
                    binding.kind,
                    BindingKind::Var
                        | BindingKind::Let
                        | BindingKind::Const
                        | BindingKind::Import
                        | BindingKind::TsImportEquals
                );
                let long_lived_scope = !self.semantic.scope(binding.scope).runs_many;
                // A module-level `let` reassigned on every call holds a new emitter each time.
                let reassigned_per_call = self
                    .semantic
                    .references_to(*id)
                    .any(|r| r.access.is_write() && self.semantic.scope(r.scope).runs_many);
                long_lived_kind && long_lived_scope && !reassigned_per_call
            }
            Root::Other(_) => false,
        }
    }

    /// `{ once: true }` or `{ signal }` as the options argument; any options the rule cannot
    /// read count too.
    fn removes_itself(&self, method: &str, args: &[ExprOrSpread]) -> bool {
        if method != "addEventListener" {
            return false;
        }
        let Some(options) = args.get(2) else {
            return false;
        };
        match unwrap(&options.expr) {
            Expr::Object(object) => object.props.iter().any(|prop| match prop {
                PropOrSpread::Spread(_) => true,
                PropOrSpread::Prop(prop) => match &**prop {
                    Prop::Shorthand(ident) => ident.sym == "signal" || ident.sym == "once",
                    Prop::KeyValue(kv) => match &kv.key {
                        PropName::Ident(key) if key.sym == "signal" => true,
                        PropName::Ident(key) if key.sym == "once" => {
                            !matches!(unwrap(&kv.value), Expr::Lit(Lit::Bool(b)) if !b.value)
                        }
                        _ => false,
                    },
                    _ => false,
                },
            }),
            Expr::Lit(_) => false,
            _ => true,
        }
    }

    /// The text of a listener argument that names a function a removal can name again.
    fn listener_key(&self, expr: &Expr) -> Option<String> {
        match unwrap(expr) {
            Expr::Ident(_) | Expr::Member(_) => Some(self.text_of(unwrap(expr).span())),
            _ => None,
        }
    }

    fn event_key(&self, expr: Option<&ExprOrSpread>) -> String {
        match expr {
            Some(arg) => self.text_of(arg.expr.span()).replace(['"', '`'], "'"),
            None => "''".into(),
        }
    }

    fn registration(&mut self, call: &CallExpr, object: &Expr, method: &str) {
        let statement_level = self.statement_calls.contains(&call.span.lo);
        if !statement_level || self.guarded > 0 || !self.semantic.runs_many_times(call.span) {
            return;
        }
        let Some(receiver) = self.receiver(object) else {
            return;
        };
        if !self.outlives_the_call(&receiver) || self.removes_itself(method, &call.args) {
            return;
        }
        self.registrations.push(Registration {
            span: callee_span(call),
            receiver_text: self.receiver_text(&receiver),
            event: self.event_key(call.args.first()),
            listener: call.args.get(1).and_then(|a| self.listener_key(&a.expr)),
            receiver,
            in_effect: self.effect_depth > 0,
        });
    }

    fn removal(&mut self, call: &CallExpr, object: &Expr, method: &str) {
        let Some(receiver) = self.receiver(object) else {
            return;
        };
        let all = method == "removeAllListeners";
        self.removals.push(Removal {
            receiver,
            event: if all && call.args.is_empty() {
                None
            } else {
                Some(self.event_key(call.args.first()))
            },
            listener: if all {
                Removed::Any
            } else {
                match call.args.get(1).and_then(|a| self.listener_key(&a.expr)) {
                    Some(key) => Removed::Function(key),
                    None => Removed::Nothing,
                }
            },
        });
    }

    /// Marks the registrations an expression statement makes, down a chain of them.
    fn mark_statement(&mut self, expr: &Expr) {
        if let Expr::Call(call) = unwrap(expr) {
            if let Some((object, method)) = method_call(call) {
                if REGISTRATION_METHODS.contains(&&**method) {
                    self.statement_calls.insert(call.span.lo);
                    self.mark_statement(object);
                }
            }
        }
    }

    /// Visits a statement list, treating the statements after `if (done) return;` followed by
    /// `done = true` as guarded.
    fn visit_statements(&mut self, stmts: &[Stmt]) {
        let mut guards = 0;
        for (i, stmt) in stmts.iter().enumerate() {
            if guards == 0 {
                if let Some(flag) = early_return_flag(stmt) {
                    let flag = self.text_of(flag.span());
                    if stmts[i + 1..].iter().any(|s| assigns_flag(self, s, &flag)) {
                        guards = 1;
                        self.guarded += 1;
                    }
                }
            }
            stmt.visit_with(self);
        }
        self.guarded -= guards;
    }
}

/// `if (flag) return;` → `flag`.
fn early_return_flag(stmt: &Stmt) -> Option<&Expr> {
    let Stmt::If(if_stmt) = stmt else { return None };
    let returns = match &*if_stmt.cons {
        Stmt::Return(_) => true,
        Stmt::Block(block) => matches!(block.stmts.as_slice(), [Stmt::Return(_)]),
        _ => false,
    };
    let flag = unwrap(&if_stmt.test);
    (returns && matches!(flag, Expr::Ident(_) | Expr::Member(_))).then_some(flag)
}

/// Does a statement (at any depth) assign to the flag whose text is `flag`?
fn assigns_flag(visitor: &Visitor, stmt: &Stmt, flag: &str) -> bool {
    struct Finder<'v, 'a, 's> {
        visitor: &'v Visitor<'a, 's>,
        flag: &'v str,
        found: bool,
    }
    impl Visit for Finder<'_, '_, '_> {
        fn visit_assign_expr(&mut self, assign: &AssignExpr) {
            if self.visitor.text_of(assign.left.span()) == self.flag {
                self.found = true;
            }
            assign.visit_children_with(self);
        }
    }
    let mut finder = Finder {
        visitor,
        flag,
        found: false,
    };
    stmt.visit_with(&mut finder);
    finder.found
}

impl Visit for Visitor<'_, '_> {
    fn visit_expr_stmt(&mut self, stmt: &ExprStmt) {
        self.mark_statement(&stmt.expr);
        // `cond && emitter.on(…)` drops the result just the same.
        if let Expr::Bin(bin) = unwrap(&stmt.expr) {
            if matches!(bin.op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr) {
                self.mark_statement(&bin.right);
            }
        }
        stmt.expr.visit_with(self);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        if is_effect_hook_call(call) {
            call.callee.visit_with(self);
            self.effect_depth += 1;
            call.args.visit_with(self);
            self.effect_depth -= 1;
            return;
        }
        if let Some((object, method)) = method_call(call) {
            let method = method.to_string();
            if REGISTRATION_METHODS.contains(&method.as_str()) {
                self.registration(call, object, &method);
            } else if REMOVAL_METHODS.contains(&method.as_str())
                || method == "removeAllListeners"
                || self.removal_methods.contains(&method.as_str())
            {
                self.removal(call, object, &method);
            }
        }
        call.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, stmt: &IfStmt) {
        // `if (!installed) { installed = true; process.on(…) }`
        stmt.test.visit_with(self);
        let guard = match unwrap(&stmt.test) {
            Expr::Unary(unary) if unary.op == UnaryOp::Bang => {
                let flag = self.text_of(unwrap(&unary.arg).span());
                assigns_flag(self, &stmt.cons, &flag)
            }
            _ => false,
        };
        self.guarded += usize::from(guard);
        stmt.cons.visit_with(self);
        self.guarded -= usize::from(guard);
        stmt.alt.visit_with(self);
    }

    fn visit_block_stmt(&mut self, block: &BlockStmt) {
        self.visit_statements(&block.stmts);
    }

    fn visit_function_body(&mut self, body: &FunctionBody) {
        self.visit_statements(&body.stmts);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_flags, assert_passes};

    #[test]
    fn passes() {
        assert_passes(&[
            // Registered once: top level, or a setup function only called from there.
            ("process.on('SIGTERM', shutdown);", "a.js"),
            ("function install() { process.on('exit', flush); } install();", "a.js"),
            // Receivers created in or passed into the call.
            ("export function handle(req, res) { req.on('data', onData); res.on('finish', done); }", "a.mjs"),
            ("import net from 'node:net'; export function connect() { const socket = net.connect(80); socket.on('data', f); }", "a.mjs"),
            ("server.on('connection', (sock) => { sock.on('data', f); });", "a.js"),
            // once, { once: true }, { signal }.
            ("export function f() { process.once('exit', flush); }", "a.mjs"),
            ("export function f() { window.addEventListener('load', go, { once: true }); }", "a.mjs"),
            ("export function f(signal) { window.addEventListener('resize', go, { signal }); }", "a.mjs"),
            ("export function f(ac) { document.addEventListener('click', go, { signal: ac.signal }); }", "a.mjs"),
            ("export function f(opts) { window.addEventListener('resize', go, opts); }", "a.mjs"),
            // Removed with the same function, or all listeners removed.
            ("export class W { start() { window.addEventListener('resize', this.onResize); } stop() { window.removeEventListener('resize', this.onResize); } }", "a.mjs"),
            ("import bus from './bus'; export function sub() { bus.on('tick', handler); } export function unsub() { bus.off('tick', handler); }", "a.mjs"),
            ("import bus from './bus'; export function sub() { bus.on('tick', () => {}); } export function reset() { bus.removeAllListeners('tick'); }", "a.mjs"),
            ("export function C() { useEffect(() => { const h = () => {}; window.addEventListener('resize', h); return () => window.removeEventListener('resize', h); }, []); return null; }", "a.jsx"),
            // The unsubscribe function is kept.
            ("import store from './store'; export function watch(f) { const unsubscribe = store.on('change', f); return unsubscribe; }", "a.mjs"),
            ("import store from './store'; export function watch(f) { return store.on('change', f); }", "a.mjs"),
            // Run-once guards.
            ("let installed = false; export function install() { if (!installed) { installed = true; process.on('exit', flush); } }", "a.mjs"),
            ("let installed = false; export function install() { if (installed) return; installed = true; process.on('exit', flush); }", "a.mjs"),
            ("export class A { init() { if (this.ready) { return; } this.ready = true; window.addEventListener('resize', this.r); } }", "a.mjs"),
            // A module-level emitter that is replaced on every call is a new emitter each time.
            ("let socket; export function connect() { socket = new WebSocket(url); socket.addEventListener('message', f); }", "a.mjs"),
            // `this` and unknown receivers.
            ("export class A { constructor() { this.on('x', f); } }", "a.mjs"),
            ("export function f() { undeclaredEmitter.on('x', g); }", "a.mjs"),
        ]);
    }

    #[test]
    fn fails() {
        assert_flags(&[
            ("export function handler(req, res) { process.on('uncaughtException', (e) => res.end()); }", "a.mjs", &["process.on"]),
            ("app.get('/', (req, res) => { process.on('exit', () => res.end()); });", "a.js", &["process.on"]),
            ("export function mount() { window.addEventListener('resize', () => layout()); }", "a.mjs", &["window.addEventListener"]),
            ("export function mount() { document.addEventListener('keydown', onKey, { once: false }); }", "a.mjs", &["document.addEventListener"]),
            ("const bus = new EventEmitter(); export function subscribe(f) { bus.on('tick', f); }", "a.mjs", &["bus.on"]),
            ("import { bus } from './bus'; export class View { constructor() { bus.addListener('change', () => this.render()); } }", "a.mjs", &["bus.addListener"]),
            ("export function f() { process.stdout.on('resize', redraw); }", "a.mjs", &["process.stdout.on"]),
            ("export function f() { globalThis.addEventListener('error', report); }", "a.mjs", &["globalThis.addEventListener"]),
            ("const emitter = require('./emitter'); module.exports = function () { emitter.prependListener('x', f); };", "a.js", &["emitter.prependListener"]),
            // A fresh bind never matches its removal.
            ("export class W { start() { window.addEventListener('resize', this.onResize.bind(this)); } stop() { window.removeEventListener('resize', this.onResize.bind(this)); } }", "a.mjs", &["window.addEventListener"]),
            // A removal for another event or another function does not count.
            ("import bus from './bus'; export function sub() { bus.on('tick', a); } export function unsub() { bus.off('tock', a); }", "a.mjs", &["bus.on"]),
            ("export function C() { useEffect(() => { window.addEventListener('resize', onResize); }, []); return <div/>; }", "a.jsx", &["window.addEventListener"]),
            ("export function C(): null { useEffect(() => { document.addEventListener('scroll', () => {}); }); return null; }", "a.tsx", &["document.addEventListener"]),
            ("export function f() { process.on('a', f).on('b', g); }", "a.mjs", &["process.on('a', f).on", "process.on('a'"]),
            ("let installed = false; export function install() { if (!installed) { process.on('exit', flush); } }", "a.mjs", &["process.on"]),
        ]);
    }
}
