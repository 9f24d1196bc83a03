//! How often code runs, beyond "more than once": the functions that run once per event, request
//! or tick (handlers), and what functions are called, so that a rule can tell a hot path from
//! setup code and name a function in a message.
//!
//! A handler is a function the file hands to a registration that calls it again and again:
//! `emitter.on('data', fn)`, `app.get('/x', (req, res) => …)`, `setInterval(fn)`,
//! `http.createServer(fn)`, `socket.onmessage = fn`, `exports.handler = async (event) => …`.
//! Its parameters are the data of each event: what request-driven growth is keyed by.

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;

use super::lifetime::{prop_name, unwrap, ThisValue};
use super::listeners::{ONCE_METHODS, REGISTRATION_METHODS};
use super::{Node, Resolution, Scope, ScopeId, ScopeKind, Semantic};

/// A function that runs once per event of a registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    pub scope: ScopeId,
    /// What calls it: `app.get`, `process.on('message')`, `setInterval`, `exports.handler`.
    pub via: String,
    /// `false` for a listener of an event that fires once per emitter (`'close'`, `'end'`):
    /// not a hot path, but code that runs again when the emitter's life starts over (a
    /// reconnect from `on('close')`).
    pub repeats: bool,
}

/// Listener registrations that run the listener on every event (not the `once` ones).
fn runs_per_event(method: &str) -> bool {
    method == "subscribe"
        || (REGISTRATION_METHODS.contains(&method) && !ONCE_METHODS.contains(&method))
}
/// Events that fire once per emitter (or per process): their listeners are not hot paths.
const ONE_TIME_EVENTS: &[&str] = &[
    "exit",
    "beforeExit",
    "close",
    "end",
    "finish",
    "ready",
    "load",
    "DOMContentLoaded",
    "listening",
    "open",
    "SIGINT",
    "SIGTERM",
    // The process usually dies after these; a require there is an error path's lazy load.
    "uncaughtException",
    "unhandledRejection",
];
/// Routing methods of Express, Koa and the like: the handler runs once per request.
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "head", "options", "use", "handle",
];
/// Functions whose function argument runs once per request or tick.
const HANDLER_FUNCTIONS: &[&str] = &["setInterval", "createServer"];

/// A function, or a name that may stand for one (resolved later).
fn is_function(expr: &Expr) -> bool {
    matches!(unwrap(expr), Expr::Fn(_) | Expr::Arrow(_) | Expr::Ident(_))
}

/// Where a function value starts: the scope the builder will enter for it.
pub(super) fn function_start(expr: &Expr) -> Option<BytePos> {
    match unwrap(expr) {
        Expr::Fn(f) => Some(f.function.span.lo),
        Expr::Arrow(a) => Some(a.span.lo),
        _ => None,
    }
}

fn param_count(expr: &Expr) -> usize {
    match unwrap(expr) {
        Expr::Fn(f) => f.function.params.len(),
        Expr::Arrow(a) => a.params.len(),
        _ => 0,
    }
}

/// A route handler takes the request and the response (`(req, res)`, `(ctx, next)`); a plugin
/// handed to `.use(plugin)` takes one argument and runs once.
/// A function named by an identifier is taken at its word.
fn looks_like_route_handler(expr: &Expr) -> bool {
    matches!(unwrap(expr), Expr::Ident(_)) || param_count(expr) >= 2
}

fn string_literal(expr: &Expr) -> Option<String> {
    match unwrap(expr) {
        Expr::Lit(Lit::Str(s)) => Some(s.value.to_atom_lossy().to_string()),
        Expr::Tpl(tpl) if tpl.exprs.is_empty() => Some(tpl.quasis.first()?.raw.to_string()),
        _ => None,
    }
}

/// The text of a short receiver (`app`, `process`, `this.socket`), for naming a registration.
fn receiver_text(text: &str, expr: &Expr) -> String {
    let span = unwrap(expr).span();
    let raw = text
        .get(span.lo.0 as usize - 1..span.hi.0 as usize - 1)
        .unwrap_or("");
    if raw.len() <= 24 && !raw.contains('\n') {
        raw.to_string()
    } else {
        "…".to_string()
    }
}

/// A function handed over to run on each event, route or tick, seen by the builder's walk:
/// where the function (or the name of one) is, through what (`app.get`, `setInterval`) and
/// whether it repeats. Found while the call is at hand: a pass over the nodes after the walk
/// would fetch every call's callee from memory again.
pub(super) type HandlerSite = (Span, String, bool);

/// The handlers a call registers.
pub(super) fn registered_by_call(text: &str, call: &CallExpr) -> Vec<(Span, String, bool)> {
    let Callee::Expr(callee) = &call.callee else {
        return Vec::new();
    };
    let arg = |i: usize| call.args.get(i).map(|a| &*a.expr);
    let mut found = Vec::new();
    match unwrap(callee) {
        Expr::Member(member) => {
            let Some(method) = prop_name(&member.prop) else {
                return found;
            };
            let method_kind = if runs_per_event(method) {
                1
            } else if ROUTE_METHODS.contains(&&**method) {
                2
            } else if HANDLER_FUNCTIONS.contains(&&**method) {
                3
            } else {
                return found;
            };
            // `map.get(key)`: most calls of these names hand over no function at all.
            let hands_over_a_function = call
                .args
                .iter()
                .any(|a| matches!(unwrap(&a.expr), Expr::Fn(_) | Expr::Arrow(_)))
                || ((call.args.len() >= 2 || method_kind == 3)
                    && call
                        .args
                        .last()
                        .is_some_and(|a| matches!(unwrap(&a.expr), Expr::Ident(_))));
            if !hands_over_a_function {
                return found;
            }
            let receiver = receiver_text(text, &member.obj);
            if method_kind == 1 {
                let event = arg(0).and_then(string_literal);
                let repeats = !event
                    .as_deref()
                    .is_some_and(|e| ONE_TIME_EVENTS.contains(&e));
                let via = match &event {
                    Some(event) => format!("{receiver}.{method}('{event}')"),
                    None => format!("{receiver}.{method}"),
                };
                // `subscribe(fn)` takes it first; listeners come after the event.
                let index = usize::from(&**method != "subscribe");
                if let Some(listener) = arg(index) {
                    found.push((unwrap(listener).span(), via, repeats));
                }
            } else if method_kind == 2 {
                for listener in call.args.iter().map(|a| &*a.expr) {
                    if looks_like_route_handler(listener) {
                        found.push((
                            unwrap(listener).span(),
                            format!("{receiver}.{method}"),
                            true,
                        ));
                    }
                }
            } else {
                if let Some(listener) = call.args.iter().map(|a| &*a.expr).find(|e| is_function(e))
                {
                    found.push((
                        unwrap(listener).span(),
                        format!("{receiver}.{method}"),
                        true,
                    ));
                }
            }
        }
        Expr::Ident(ident) if HANDLER_FUNCTIONS.contains(&&*ident.sym) => {
            let listener = if &*ident.sym == "setInterval" {
                // A hot path ticks often: every few seconds, not every ten minutes (or at a
                // cadence the file does not show).
                let often = match arg(1) {
                    None => true,
                    Some(delay) => milliseconds(delay).is_some_and(|ms| ms < 60_000.0),
                };
                arg(0).filter(|_| often)
            } else {
                call.args.iter().map(|a| &*a.expr).find(|e| is_function(e))
            };
            if let Some(listener) = listener {
                found.push((unwrap(listener).span(), ident.sym.to_string(), true));
            }
        }
        _ => {}
    }
    found
}

/// A delay written as a number or arithmetic on numbers (`10 * 60 * 1000`).
fn milliseconds(expr: &Expr) -> Option<f64> {
    match unwrap(expr) {
        Expr::Lit(Lit::Num(n)) => Some(n.value),
        Expr::Bin(bin) => {
            let (l, r) = (milliseconds(&bin.left)?, milliseconds(&bin.right)?);
            match bin.op {
                BinaryOp::Mul => Some(l * r),
                BinaryOp::Add => Some(l + r),
                BinaryOp::Sub => Some(l - r),
                BinaryOp::Div if r != 0.0 => Some(l / r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `socket.onmessage = fn`, `exports.handler = fn` (a serverless entry point).
pub(super) fn registered_by_assignment(text: &str, assign: &AssignExpr) -> Option<(Span, String)> {
    let AssignTarget::Simple(SimpleAssignTarget::Member(member)) = &assign.left else {
        return None;
    };
    let name = prop_name(&member.prop)?;
    let is_exports = |expr: &Expr| match unwrap(expr) {
        Expr::Ident(id) => &*id.sym == "exports",
        Expr::Member(m) => {
            matches!(unwrap(&m.obj), Expr::Ident(id) if &*id.sym == "module")
                && prop_name(&m.prop).is_some_and(|p| p == "exports")
        }
        _ => false,
    };
    let event_property = name.len() > 2
        && name.starts_with("on")
        && name[2..].chars().all(|c| c.is_ascii_lowercase());
    let entry_point = &**name == "handler" && is_exports(&member.obj);
    if !(event_property || entry_point) || !is_function(&assign.right) {
        return None;
    }
    let via = format!("{}.{name}", receiver_text(text, &member.obj));
    Some((unwrap(&assign.right).span(), via))
}

/// Finds the handlers among the sites the walk saw: the function scopes they start, and named
/// functions handed over by name (`app.get('/', handle)`).
pub(super) fn find_handlers(
    sites: Vec<HandlerSite>,
    scopes: &[Scope],
    scopes_by_start: &[ScopeId],
    function_of: &FxHashMap<super::BindingId, ScopeId>,
    semantic_reference: impl Fn(BytePos) -> Option<Resolution>,
) -> Vec<Handler> {
    let mut handlers = Vec::new();
    for (span, via, repeats) in sites {
        let scope = scope_starting_at(scopes, scopes_by_start, span.lo).or_else(|| {
            // A function named by an identifier: the scope of its declaration.
            match semantic_reference(span.lo)? {
                Resolution::Binding(binding) => function_of.get(&binding).copied(),
                _ => None,
            }
        });
        if let Some(scope) = scope {
            handlers.push(Handler {
                scope,
                via,
                repeats,
            });
        }
    }
    handlers.sort_by_key(|h| h.scope.index());
    handlers.dedup_by_key(|h| h.scope);
    handlers
}

/// The function or arrow scope that starts exactly at `lo`.
pub(super) fn scope_starting_at(
    scopes: &[Scope],
    by_start: &[ScopeId],
    lo: BytePos,
) -> Option<ScopeId> {
    let first = by_start.partition_point(|id| scopes[id.index()].span.lo < lo);
    by_start[first..]
        .iter()
        .take_while(|id| scopes[id.index()].span.lo == lo)
        .copied()
        .find(|id| {
            matches!(
                scopes[id.index()].kind,
                ScopeKind::Function | ScopeKind::Arrow
            )
        })
}

/// Methods that a stream or socket-like class runs once per message or chunk: Node's stream
/// contract (`_write`, `_transform`, `_read`) and the `send`/`write` of a class that sends.
const PER_MESSAGE_METHODS: &[&str] = &["_write", "_writev", "_transform", "_read", "send", "write"];

/// How many calls deep [`Semantic::hot_path_of`] follows a function to its callers.
const HOT_PATH_DEPTH: usize = 3;

/// Code that runs once per event, request, tick or message, and what drives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotPath {
    /// `every event of `app.get``, `every `send` of a `Sender``.
    pub driver: String,
    /// The functions of the file it is reached through, the outermost first.
    pub through: Vec<Atom>,
}

impl Semantic<'_> {
    /// The hot path `span` runs on: inside a handler ([`Semantic::handler_of`]), inside a
    /// method a stream or socket class runs per message (`Sender.prototype.send`, `_transform`),
    /// or in a function of the file that such a method calls (a few calls deep): the helpers
    /// of a `send` (framing, masking) run on every send.
    pub fn hot_path_of(&self, span: Span) -> Option<HotPath> {
        self.hot_path_at(span, HOT_PATH_DEPTH, &mut Vec::new())
    }

    /// Does the file call a function or method of this name (`onOwn()`, `this.onOwn()`)?
    pub fn calls_a_function_named(&self, name: &Atom) -> bool {
        let callees = self.callee_names.get_or_init(|| {
            self.references
                .iter()
                .filter(|r| r.is_callee)
                .map(|r| r.name.clone())
                .collect()
        });
        callees.contains(name)
            || self
                .member_uses()
                .get(name)
                .is_some_and(|uses| uses.iter().any(|u| u.call.is_some()))
    }

    /// The named function (or method) `span` runs in, through anonymous callbacks, and the
    /// class it is a method of.
    fn named_function_at(&self, span: Span) -> Option<(ScopeId, &Atom, Option<ScopeId>)> {
        let mut function = self.function_scope_at(span)?;
        let name = loop {
            if let Some(name) = self.function_name(function) {
                break name;
            }
            let outer = self.scope(function).parent?;
            function = self.ancestors(outer).find(|&id| {
                matches!(self.scope(id).kind, ScopeKind::Function | ScopeKind::Arrow)
            })?;
        };
        let method_of = match self.scope(function).this {
            ThisValue::Instance(owner) if self.scope(function).kind == ScopeKind::Function => {
                Some(owner)
            }
            _ => None,
        };
        Some((function, name, method_of))
    }

    /// `visited`: the functions already asked about, so that each is followed once.
    fn hot_path_at(&self, span: Span, depth: usize, visited: &mut Vec<ScopeId>) -> Option<HotPath> {
        // Only code inside a handler is on its hot path: a listener of messages dispatches
        // each kind to a function of its own (`setup`, `teardown`), which may run once.
        let handler = (depth == HOT_PATH_DEPTH)
            .then(|| self.handler_of(span))
            .flatten();
        if let Some(handler) = handler {
            return Some(HotPath {
                driver: format!("every event of `{}`", handler.via),
                through: Vec::new(),
            });
        }
        // An anonymous callback runs as part of the call of the function around it.
        let (function, name, method_of) = self.named_function_at(span)?;
        if visited.contains(&function) {
            return None;
        }
        visited.push(function);
        if let Some(owner) = method_of.filter(|_| PER_MESSAGE_METHODS.contains(&&**name)) {
            let class = self
                .owner_name(owner)
                .map_or_else(|| "its class".to_string(), |c| format!("a `{c}`"));
            return Some(HotPath {
                driver: format!("every `{name}` of {class}, once per message"),
                through: Vec::new(),
            });
        }
        if depth == 0 {
            return None;
        }
        // Called from a hot path: any of the file's calls of it, by its name, or as a method
        // from another method of the same class (`JSON.parse` is not `Cfg.prototype.parse`).
        let callers: Vec<Span> = match (self.function_binding(function), method_of) {
            (Some(binding), _) => self
                .references_to(binding)
                .filter(|r| r.is_callee)
                .map(|r| r.span)
                .collect(),
            (None, Some(owner)) => self
                .member_uses()
                .get(name)
                .map(|uses| {
                    uses.iter()
                        .filter(|u| u.call.is_some())
                        .filter(|u| {
                            self.named_function_at(u.span)
                                .is_some_and(|(_, _, caller_of)| caller_of == Some(owner))
                        })
                        .map(|u| u.span)
                        .collect()
                })
                .unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        let mut hot = callers
            .into_iter()
            .find_map(|caller| self.hot_path_at(caller, depth - 1, visited))?;
        hot.through.push(name.clone());
        Some(hot)
    }
}

impl Semantic<'_> {
    /// The handler that `span` runs in, the innermost first: code in a function the file
    /// registers to run per event, per request or per tick (also in a function nested in one).
    pub fn handler_of(&self, span: Span) -> Option<&Handler> {
        self.ancestors(self.scope_at(span))
            .find_map(|scope| self.handler_at_scope(scope))
    }

    /// The handler whose own scope is `scope`.
    pub fn handler_at_scope(&self, scope: ScopeId) -> Option<&Handler> {
        self.listener_at_scope(scope).filter(|h| h.repeats)
    }

    /// Does `span` run in a listener of any event, also one that fires once per emitter: code
    /// that runs again each time an emitter's life starts over (`on('close', reconnect)`)?
    pub fn in_listener(&self, span: Span) -> bool {
        self.ancestors(self.scope_at(span))
            .any(|scope| self.listener_at_scope(scope).is_some())
    }

    fn listener_at_scope(&self, scope: ScopeId) -> Option<&Handler> {
        let handlers = &self.frequency.handlers;
        handlers
            .binary_search_by_key(&scope.index(), |h| h.scope.index())
            .ok()
            .map(|i| &handlers[i])
    }

    /// The name of the function or method whose scope is `scope`: `register` for
    /// `function register()`, `register() {}`, `register: function () {}`,
    /// `Foo.prototype.register = function () {}`, `const register = () => {}`.
    pub fn function_name(&self, scope: ScopeId) -> Option<&Atom> {
        let scope = self.scope(scope);
        if !matches!(scope.kind, ScopeKind::Function | ScopeKind::Arrow) {
            return None;
        }
        let lo = scope.span.lo;
        let names = &self.frequency.names;
        names
            .binary_search_by_key(&lo, |(start, _)| *start)
            .ok()
            .map(|i| &names[i].1)
    }

    /// Does the function run once for each object it belongs to: a constructor, or a
    /// component's mount hook (`componentDidMount`, `ngOnInit`, Vue's `mounted`).
    pub fn runs_once_per_object(&self, scope: ScopeId) -> bool {
        self.function_name(scope).is_some_and(|name| {
            name == "constructor" || super::lifecycle::runs_once_per_instance(name)
        })
    }

    /// Is the function at `unmount` the unmount hook paired with the mount hook `mount`
    /// (`disconnectedCallback` for `connectedCallback`).
    pub fn unmounts(&self, mount: ScopeId, unmount: BytePos) -> bool {
        self.function_scope_at(Span::new(unmount, unmount))
            .and_then(|scope| self.function_name(scope))
            .is_some_and(|unmount| self.unmounts_in(mount, unmount))
    }

    /// Does a function named `unmount` undo what the function whose scope is `mount` sets up,
    /// by the framework's lifecycle (`componentWillUnmount` for `componentDidMount`)?
    pub fn unmounts_in(&self, mount: ScopeId, unmount: &str) -> bool {
        self.function_name(mount)
            .is_some_and(|mount| super::lifecycle::unmounts(mount, unmount))
    }

    /// Does the function whose scope is `scope` outlive the call of the function around it: is it
    /// returned (`return (req, res) => …`, `() => (x) => …`) or registered as a listener?
    pub fn outlives_its_call(&self, scope: ScopeId) -> bool {
        if self.listener_at_scope(scope).is_some() {
            return true;
        }
        let lo = self.scope(scope).span.lo.0 as usize;
        let before = self.text.get(..lo.saturating_sub(1)).unwrap_or("");
        let before = before.trim_end_matches(|c: char| c.is_whitespace() || c == '(');
        before.ends_with("=>")
            || (before.ends_with("return")
                && !before[..before.len() - "return".len()]
                    .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$'))
    }

    /// The innermost function or arrow scope around `span`.
    /// Is `span` in a component's acquire phase: a React effect, a mount hook
    /// (`componentDidMount`, `ngOnInit`, Vue's `mounted`, `connectedCallback`), or setup code
    /// that runs once per instance (Vue's `setup()` and `<script setup>`, Svelte's instance
    /// script), with the `onMounted`/`onMount` callbacks it registers?
    ///
    /// Only the hook's (or the setup code's) own body: a function it defines (a click handler in
    /// `<script setup>`, a `watch` callback) runs when something else happens.
    pub fn in_mount_phase(&self, span: Span) -> bool {
        self.in_effect(span)
            || self.lifetimes.mount.contains(span.lo)
            || self
                .function_scope_at(span)
                .is_some_and(|id| self.is_mount_function(id))
    }

    /// A mount hook, or setup code that runs once per instance (named `setup` as Vue compiles
    /// it: a component's `<script setup>`, or the `setup()` of its options). A function that is
    /// merely named `setup` (a factory's own, as in dash.js) is not one.
    fn is_mount_function(&self, scope: ScopeId) -> bool {
        self.function_name(scope).is_some_and(|name| {
            super::lifecycle::is_mount_hook(name)
                || (name == "setup"
                    && (self.lifetimes.instance_scopes.contains(&scope)
                        || self
                            .lifetimes
                            .component_options
                            .contains(self.scope(scope).span.lo)))
        })
    }

    /// Is `span` in a component's release phase: an unmount hook (`componentWillUnmount`,
    /// `ngOnDestroy`, Vue's `beforeUnmount`, `disconnectedCallback`) or a callback registered to
    /// run at unmount (`onBeforeUnmount(() => …)`, `onUnmounted(close)`)?
    pub fn in_unmount_phase(&self, span: Span) -> bool {
        self.lifetimes.unmount.contains(span.lo)
            || self.in_unmount_hook()[self.scope_at(span).index()]
    }

    /// Per scope: is it, or a scope around it, an unmount hook? Scopes are made parents first,
    /// so one pass in that order answers for all.
    fn in_unmount_hook(&self) -> &[bool] {
        self.in_unmount_hook.get_or_init(|| {
            let mut inside = Vec::with_capacity(self.scopes.len());
            for (i, scope) in self.scopes.iter().enumerate() {
                let hook = self
                    .function_name(ScopeId(i as u32))
                    .is_some_and(|name| super::lifecycle::is_unmount_hook(name));
                inside.push(hook || scope.parent.is_some_and(|p| inside[p.index()]));
            }
            inside
        })
    }

    /// Does the code at `span` run when its component unmounts: in the release phase, or in a
    /// function the release phase calls (`beforeDestroy() { this.close(); }`)?
    pub fn on_unmount_path(&self, span: Span) -> bool {
        if self.in_unmount_phase(span) {
            return true;
        }
        self.function_scope_at(span)
            .and_then(|scope| self.function_name(scope))
            .is_some_and(|name| self.unmount_facts().called.contains(name))
    }

    /// Does the release phase of the component around `span` change its state in a way the model
    /// cannot follow: call one of its own methods (`disconnectedCallback() { this.hide(); }`) or
    /// set reactive state (`open.value = false`, `this.open = false`) that a watcher may answer
    /// with a removal?
    pub fn unmount_may_release(&self, span: Span) -> bool {
        let facts = self.unmount_facts();
        facts.sets_state || facts.own_method_calls.contains(&self.this_at(span))
    }

    fn unmount_facts(&self) -> &UnmountFacts {
        self.unmount_facts.get_or_init(|| {
            let mut facts = UnmountFacts::default();
            for node in self.nodes() {
                match node {
                    Node::Call(call) if self.in_unmount_phase(call.span) => {
                        let Callee::Expr(callee) = &call.callee else {
                            continue;
                        };
                        let (name, own_method) = match unwrap(callee) {
                            Expr::Ident(ident) => (Some(&ident.sym), false),
                            Expr::Member(m) => {
                                let name = prop_name(&m.prop);
                                let releases = name.is_some_and(|p| {
                                    REGISTRATION_METHODS.contains(&&**p) || p.starts_with("remove")
                                });
                                (name, m.obj.is_this() && !releases)
                            }
                            _ => (None, false),
                        };
                        facts.called.extend(name.cloned());
                        if own_method {
                            facts.own_method_calls.push(self.this_at(call.span));
                        }
                    }
                    Node::Assign(assign) if self.in_unmount_phase(assign.span) => {
                        facts.sets_state |= matches!(&assign.left,
                            AssignTarget::Simple(SimpleAssignTarget::Member(m))
                                if m.obj.is_this() || prop_name(&m.prop).is_some_and(|p| p == "value"));
                    }
                    _ => {}
                }
            }
            facts
        })
    }

    /// Is `span` in an app's root component (Angular's bootstrapped `AppComponent`): created once
    /// per page, so what it acquires is acquired once.
    pub fn in_root_component(&self, span: Span) -> bool {
        let ThisValue::Instance(class) = self.this_at(span) else {
            return false;
        };
        self.owner_name(class)
            .is_some_and(|name| name == "AppComponent" || name == "RootComponent")
    }

    /// Is `span` in a component's code: its mount phase (see [`Semantic::in_mount_phase`]), or a
    /// method of a class that defines a framework's lifecycle hooks?
    pub fn in_component(&self, span: Span) -> bool {
        // Anything a mount hook or setup code defines (its handlers, its watchers) too.
        let in_setup = self
            .ancestors(self.scope_at(span))
            .any(|id| self.is_mount_function(id));
        if in_setup || self.in_mount_phase(span) {
            return true;
        }
        // A hook or composable (`useSticky`) is the code of the components that call it.
        let in_hook = self.ancestors(self.scope_at(span)).any(|id| {
            self.function_name(id).is_some_and(|name| {
                name.strip_prefix("use")
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
        });
        if in_hook || self.lifetimes.component_options.contains(span.lo) {
            return true;
        }
        let ThisValue::Instance(class) = self.this_at(span) else {
            return false;
        };
        if let Some(&known) = self.has_lifecycle_hooks.borrow().get(&class) {
            return known;
        }
        let span = self.scope(class).span;
        let names = &self.frequency.names;
        let first = names.partition_point(|(start, _)| *start < span.lo);
        let has = names[first..]
            .iter()
            .take_while(|(start, _)| *start < span.hi)
            .any(|(_, name)| {
                super::lifecycle::is_mount_hook(name) || super::lifecycle::is_unmount_hook(name)
            });
        self.has_lifecycle_hooks.borrow_mut().insert(class, has);
        has
    }

    pub fn function_scope_at(&self, span: Span) -> Option<ScopeId> {
        self.ancestors(self.scope_at(span))
            .find(|&id| matches!(self.scope(id).kind, ScopeKind::Function | ScopeKind::Arrow))
    }
}

/// What the file's release phases (unmount hooks and the callbacks registered to run at
/// unmount) do, for [`Semantic::on_unmount_path`] and [`Semantic::unmount_may_release`].
#[derive(Debug, Default)]
pub(super) struct UnmountFacts {
    /// Names of the functions and methods they call.
    called: FxHashSet<Atom>,
    /// What `this` is where they call one of the component's own methods (`this.hide()`).
    own_method_calls: Vec<ThisValue>,
    /// They set state a watcher may answer (`this.open = false`, `open.value = false`).
    sets_state: bool,
}

/// The facts of this module, kept in the model.
#[derive(Debug, Default)]
pub(super) struct Frequency {
    /// Handlers, by scope id.
    pub(super) handlers: Vec<Handler>,
    /// Function names by where the function starts, sorted.
    pub(super) names: Vec<(BytePos, Atom)>,
}

#[cfg(test)]
mod tests {
    use crate::semantic::tests::semantic;
    use swc_common::{BytePos, Span};

    /// The handler around the first occurrence of `marker` in `source`.
    fn via(source: &str, marker: &str) -> Option<String> {
        let s = semantic(source, "a.js");
        let at = source.find(marker).expect("marker") as u32 + 1;
        let span = Span::new(BytePos(at), BytePos(at + 1));
        s.handler_of(span).map(|h| h.via.clone())
    }

    #[test]
    fn handlers_are_functions_registered_to_run_per_event() {
        assert_eq!(
            via("app.get('/', (req, res) => { HERE(); });", "HERE").as_deref(),
            Some("app.get")
        );
        assert_eq!(
            via("process.on('message', (m) => { HERE(); });", "HERE").as_deref(),
            Some("process.on('message')")
        );
        assert_eq!(
            via("setInterval(function () { HERE(); }, 10);", "HERE").as_deref(),
            Some("setInterval")
        );
        assert_eq!(
            via("exports.handler = async (event) => { HERE(); };", "HERE").as_deref(),
            Some("exports.handler")
        );
        assert_eq!(
            via(
                "function handle(req, res) { HERE(); } app.post('/x', handle);",
                "HERE"
            )
            .as_deref(),
            Some("app.post")
        );
        assert_eq!(
            via("ws.onmessage = (e) => { [1].map(() => HERE()); };", "HERE").as_deref(),
            Some("ws.onmessage")
        );
    }

    #[test]
    fn setup_code_and_one_time_events_are_not_handlers() {
        assert_eq!(
            via("module.exports = function () { HERE(); };", "HERE"),
            None
        );
        assert_eq!(via("process.on('exit', () => { HERE(); });", "HERE"), None);
        let s = semantic("sock.on('close', () => { HERE(); });", "a.js");
        let at = "sock.on('close', () => { ".len() as u32 + 1;
        assert!(s.in_listener(Span::new(BytePos(at), BytePos(at + 1))));
        assert_eq!(via("md.use((md) => { HERE(); });", "HERE"), None);
        assert_eq!(via("setTimeout(() => { HERE(); }, 1);", "HERE"), None);
        assert_eq!(
            via("setInterval(() => { HERE(); }, 10 * 60 * 1000);", "HERE"),
            None
        );
        assert_eq!(
            via("setInterval(() => { HERE(); }, options.every);", "HERE"),
            None
        );
        assert_eq!(via("cache.get(key, () => HERE());", "HERE"), None);
    }

    #[test]
    fn functions_have_the_names_they_are_declared_with() {
        let source = "function register() {}\nclass A { add() {} }\nconst o = { define: function () {} };\nA.prototype.install = function () {};\nconst use = () => {};";
        let s = semantic(source, "a.js");
        let mut names: Vec<String> = s
            .scopes
            .iter()
            .enumerate()
            .filter_map(|(i, _)| s.function_name(crate::semantic::ScopeId(i as u32)))
            .map(|n| n.to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["add", "define", "install", "register", "use"]);
    }
}
