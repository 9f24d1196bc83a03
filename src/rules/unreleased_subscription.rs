//! `unreleased-subscription`: a resource released through a disposer or a method (an observer's
//! `disconnect`, a `Subscription`'s `unsubscribe`, the function `store.subscribe` returns, a
//! MobX reaction's disposer, a socket's `close`) acquired in code that runs more than once, or in
//! a component's mount phase, with the disposer dropped or never called.
//!
//! What such a resource keeps alive is kept from a long-lived place, not from the code that
//! acquired it: a store or a service keeps its subscribers' callbacks, an observer lives as
//! long as what it observes, the network keeps an open socket. So each mount of a component (or
//! each call) adds one more that nothing can release. The rule is silent when the handle escapes
//! (returned, passed on, added to a `Subscription` or an array), when anything in the file
//! releases it, and, for an RxJS chain, when the chain ends itself (`take`, `first`,
//! `takeUntil`, `takeUntilDestroyed`, `takeWhile`) or its source completes on its own (an
//! `http` call, a route's parameters).

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;

use crate::diagnostic::{Finding, Label, Range, Severity, Subject};
use crate::rules::helpers::{callee_ident, callee_span, is_global, method_call, prop_name, unwrap};
use crate::rules::{Context, Handles, Measure, Rule, RuleMeta};
use crate::semantic::{BindingId, BindingKind, Semantic};

pub const ID: &str = "unreleased-subscription";

pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "an observer, subscription, reaction or connection acquired on every call or mount whose disposer is never called",
    docs: include_str!("../../rules/unreleased-subscription.md"),
    options: &[],
    handles: Handles::CALL
        .and(Handles::NEW)
        .and(Handles::ASSIGN)
        .and(Handles::VAR_DECLARATOR)
        .and(Handles::IMPORT),
    measure: Measure::Subscriptions,
    gate: &[
        "Observer",
        "subscribe",
        "autorun",
        "reaction",
        "WebSocket",
        "EventSource",
        "BroadcastChannel",
        "addListener",
        "requestAnimationFrame",
    ],
    create: Some(|_| Some(Box::new(UnreleasedSubscription::default()))),
};

/// Observers whose `observe()` starts an observation that lasts until `disconnect()`.
const OBSERVERS: &[&str] = &[
    "ResizeObserver",
    "MutationObserver",
    "IntersectionObserver",
    "PerformanceObserver",
    "ReportingObserver",
];

/// Connections open until `close()`.
const CONNECTIONS: &[&str] = &["WebSocket", "EventSource", "BroadcastChannel"];

/// Calls on a handle that release what it holds.
const RELEASE_METHODS: &[&str] = &[
    "disconnect",
    "unobserve",
    "unsubscribe",
    "close",
    "dispose",
    "remove",
    "removeListener",
    "removeEventListener",
    "cancel",
    "abort",
    "terminate",
    "destroy",
    "stop",
    "off",
];

/// RxJS operators that end a chain by themselves.
const ENDING_OPERATORS: &[&str] = &[
    "take",
    "first",
    "takeUntil",
    "takeUntilDestroyed",
    "takeWhile",
    "single",
    "lastValueFrom",
    "firstValueFrom",
];

/// RxJS sources that never complete: a subscription to one runs until it is unsubscribed.
const ENDLESS_SOURCES: &[&str] = &[
    "interval",
    "fromEvent",
    "fromEventPattern",
    "webSocket",
    "animationFrames",
];

/// Members of a component whose observables complete on their own (an HTTP call emits once; a
/// route's observables end with the route's component) or belong to the component (its forms).
fn completes_on_its_own(member: &str) -> bool {
    let lower = member.to_ascii_lowercase();
    lower.contains("http")
        || lower.ends_with("route")
        || lower.contains("dialogref")
        || lower.contains("form")
        || lower == "api"
}

/// MobX functions that return a disposer (`when` disposes itself once it fires).
const MOBX_REACTIONS: &[&str] = &["autorun", "reaction", "observe", "intercept"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Observer,
    Subscription,
    Reaction,
    Connection,
    MediaQuery,
    AnimationLoop,
}

/// Where a handle (the observer, the subscription, the disposer) goes.
#[derive(Clone, Debug)]
enum Handle {
    Dropped,
    Binding(BindingId, Span),
    Property(Atom, Span),
}

struct Acquisition {
    kind: Kind,
    /// `takeUntil(this.destroy$)`: the chain ends when the file emits on `destroy$`.
    until: Option<Atom>,
    /// The member of `this` the source is reached through (`focusMonitor`): stopping it ends
    /// the stream.
    owner: Option<Atom>,
    /// What to point at.
    span: Span,
    /// The resource as code names it: `ResizeObserver`, `store.subscribe`, `autorun`.
    what: String,
    handle: Handle,
    /// The long-lived source that keeps it, when the rule knows it.
    source: Option<String>,
    in_mount_phase: bool,
    /// Started by a function installed on an object (`editor.listen = () => …`) that nothing
    /// in the file calls: its name. How often it runs is for its callers to say.
    started_by: Option<Atom>,
}

#[derive(Default)]
struct UnreleasedSubscription {
    /// Where the text writes `?.`, found when a release is first looked for there.
    optional_marks: std::cell::OnceCell<Vec<usize>>,
    /// Fates decided by the parent of an acquiring expression, by the expression's start.
    fates: FxHashMap<BytePos, Handle>,
    /// Observers kept in a variable or on a property, with the span of the `new`.
    observer_bindings: FxHashSet<BindingId>,
    observer_properties: FxHashSet<Atom>,
    /// Those of them made by the browser's own class, not a polyfill.
    native_observer_bindings: FxHashSet<BindingId>,
    native_observer_properties: FxHashSet<Atom>,
    /// `matchMedia(…)` results kept in a variable.
    media_queries: FxHashSet<BindingId>,
    /// Bindings of MobX's reactions, by their import.
    mobx: FxHashSet<BindingId>,
    acquisitions: Vec<Acquisition>,
    /// Starts of calls that release their receiver (`h.disconnect()`).
    release_calls: FxHashSet<BytePos>,
    /// Properties released by a call on them or of them (`this.sub.unsubscribe()`,
    /// `this.off()`).
    released_properties: FxHashSet<Atom>,
    /// Properties the file emits on (`this.destroy$.next()`): what `takeUntil` waits for.
    notified: FxHashSet<Atom>,
    /// Members of `this` that the file stops (`this.focusMonitor.stopMonitoring(el)`): what a
    /// subscription to their streams waits for.
    stopped_members: FxHashSet<Atom>,
    /// Local names of long-lived sources.
    aliases: Aliases,
    /// `cancelAnimationFrame` is called somewhere.
    cancels_frames: bool,
    /// `removeListener`/`removeEventListener('change', …)` on a media query list somewhere.
    removes_media_listeners: bool,
}

impl UnreleasedSubscription {
    fn decide(&mut self, expr: &Expr, handle: Handle) {
        let expr = unwrap(expr);
        let start = match expr {
            // `this.sub = x.subscribe(…)`, `const off = store.subscribe(…)`, `new ResizeObserver(…)`.
            Expr::Call(call) => call.span.lo,
            Expr::New(new) => new.span.lo,
            _ => return,
        };
        self.fates.insert(start, handle);
    }

    fn fate(&mut self, semantic: &Semantic, span: Span) -> Option<Handle> {
        if semantic.result_dropped(span) {
            return Some(Handle::Dropped);
        }
        self.fates.remove(&span.lo)
    }

    fn acquire(&mut self, semantic: &Semantic, acquisition: Acquisition) {
        if semantic.never_runs(acquisition.span) || semantic.in_root_component(acquisition.span) {
            return;
        }
        self.acquisitions.push(acquisition);
    }

    /// A handle kept in a variable is released when it is called, given to a release method,
    /// or read in any way that may hand it to code that releases it.
    fn binding_released(&self, semantic: &Semantic, binding: BindingId) -> bool {
        semantic.references_to(binding).any(|r| {
            if r.access.is_write() || semantic.never_runs(r.span) {
                return false;
            }
            match r.role {
                crate::semantic::Role::Receiver(call) => self.release_calls.contains(&call),
                crate::semantic::Role::Object | crate::semantic::Role::Inspected => false,
                _ => true,
            }
        })
    }

    fn optional_marks(&self, text: &str) -> &[usize] {
        self.optional_marks
            .get_or_init(|| memchr::memmem::find_iter(text.as_bytes(), b"?.").collect())
    }

    fn released(&self, semantic: &Semantic, text: &str, acquisition: &Acquisition) -> bool {
        if acquisition
            .owner
            .as_ref()
            .is_some_and(|member| self.stopped_members.contains(member))
        {
            return true;
        }
        if acquisition
            .until
            .as_ref()
            .is_some_and(|notifier| self.notified.contains(notifier))
        {
            return true;
        }
        match acquisition.kind {
            Kind::AnimationLoop => return self.cancels_frames,
            Kind::MediaQuery if self.removes_media_listeners => return true,
            _ => {}
        }
        match &acquisition.handle {
            Handle::Dropped => false,
            Handle::Binding(binding, _) => {
                self.binding_released(semantic, *binding)
                    || released_optionally(
                        text,
                        self.optional_marks(text),
                        &semantic.binding(*binding).name,
                    )
            }
            Handle::Property(name, _) => {
                self.released_properties.contains(name)
                    || released_optionally(text, self.optional_marks(text), &format!(".{name}"))
            }
        }
    }

    fn observer_call(&mut self, cx: &Context, call: &CallExpr, object: &Expr) {
        let semantic = cx.semantic;
        if !semantic.runs_many_times(call.span) {
            return;
        }
        let handle = match unwrap(object) {
            Expr::New(new) if constructs(semantic, new, OBSERVERS).is_some() => {
                // `new ResizeObserver((entries, observer) => observer.disconnect())`.
                if disconnects_itself(cx.text, new) {
                    return;
                }
                Handle::Dropped
            }
            Expr::Ident(ident) => match semantic.binding_id_of(ident) {
                Some(b) if self.observer_bindings.contains(&b) => Handle::Binding(b, ident.span),
                _ => return,
            },
            Expr::Member(member) => match prop_name(&member.prop) {
                Some(name) if self.observer_properties.contains(name) => {
                    Handle::Property(name.clone(), member.span)
                }
                _ => return,
            },
            _ => return,
        };
        let target = call.args.first().map(|a| unwrap(&a.expr));
        let long_lived_target = target.is_some_and(|t| is_document_part(semantic, t));
        // An instance observing its own element, once: the browser's observer goes with the
        // element (a polyfill, imported, keeps every observer in a registry of its own).
        let own_element = target.is_some_and(|t| root_of(t).is_some_and(|r| r.is_this()));
        let once_per_instance = semantic
            .function_scope_at(call.span)
            .is_some_and(|scope| semantic.runs_once_per_object(scope));
        if own_element && once_per_instance && self.native_observer(semantic, object) {
            return;
        }
        self.acquire(
            semantic,
            Acquisition {
                kind: Kind::Observer,
                span: callee_span(call),
                what: "The observer".into(),
                handle,
                until: None,
                owner: None,
                source: long_lived_target.then(|| {
                    crate::semantic::lifetime::squeezed_text(cx.text, target.unwrap().span())
                }),
                in_mount_phase: semantic.in_mount_phase(call.span),
                started_by: None,
            },
        );
    }

    /// Is the observer a `new` of the browser's own class (not an imported polyfill)?
    fn native_observer(&self, semantic: &Semantic, object: &Expr) -> bool {
        match unwrap(object) {
            Expr::New(new) => is_native(semantic, new),
            Expr::Ident(ident) => semantic
                .binding_id_of(ident)
                .is_some_and(|b| self.native_observer_bindings.contains(&b)),
            Expr::Member(member) => {
                prop_name(&member.prop).is_some_and(|p| self.native_observer_properties.contains(p))
            }
            _ => false,
        }
    }

    fn subscribe_call(&mut self, cx: &Context, call: &CallExpr, object: &Expr) {
        let semantic = cx.semantic;
        if !semantic.runs_many_times(call.span) || call.args.is_empty() {
            return;
        }
        let Some(source) = endless_source(cx, &self.aliases, object, call.span) else {
            return;
        };
        let Some(handle) = self.fate(semantic, call.span) else {
            return;
        };
        let in_mount_phase = semantic.in_mount_phase(call.span);
        self.acquire(
            semantic,
            Acquisition {
                kind: Kind::Subscription,
                span: method_span(call),
                until: source.until,
                owner: source.owner,
                what: format!(
                    "`{}`",
                    crate::rules::helpers::snippet(cx.text, callee_span(call))
                ),
                handle,
                source: Some(source.path),
                in_mount_phase,
                started_by: None,
            },
        );
    }

    fn record_release(&mut self, call: &CallExpr) {
        let Some((object, method)) = method_call(call) else {
            // `this.unsubscribe()`, `this.off?.()`: a disposer kept on a property.
            if let Callee::Expr(callee) = &call.callee {
                if let Some(name) = member_name(callee) {
                    self.released_properties.insert(name.clone());
                }
            }
            return;
        };
        if method.starts_with("stop") || RELEASE_METHODS.contains(&&**method) {
            if let Expr::Member(member) = unwrap(object) {
                if let (true, Some(name)) = (member.obj.is_this(), prop_name(&member.prop)) {
                    self.stopped_members.insert(name.clone());
                }
            }
        }
        if matches!(&**method, "next" | "complete" | "emit" | "error") {
            if let Some(name) = member_name(object) {
                self.notified.insert(name.clone());
            }
        }
        if RELEASE_METHODS.contains(&&**method) {
            self.release_calls.insert(call.span.lo);
            if let Some(name) = member_name(object) {
                self.released_properties.insert(name.clone());
            }
        }
        // `this.subs.forEach((s) => s.unsubscribe())`: read by a loop that releases.
        if matches!(&**method, "forEach" | "map") {
            if let Some(name) = member_name(object) {
                if call.args.iter().any(|a| calls_release(&a.expr)) {
                    self.released_properties.insert(name.clone());
                }
            }
        }
        if matches!(&**method, "removeListener" | "removeEventListener") {
            self.removes_media_listeners = true;
        }
    }
}

/// `this.sub?.unsubscribe()`, `off?.()`: an optional call, which the shared traversal does not
/// visit as a call, releasing the handle named `name` (`.sub` for a property). `marks` are
/// where the text writes `?.`, in order.
fn released_optionally(text: &str, marks: &[usize], name: &str) -> bool {
    let call = format!("{name}?.(");
    marks.iter().any(|&mark| {
        let Some(at) = mark.checked_sub(name.len()) else {
            return false;
        };
        if text.get(at..mark) != Some(name) {
            return false;
        }
        // `observer?.…`, not `myObserver?.…`.
        let whole = name.starts_with('.')
            || !text[..at]
                .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
        let rest = &text[mark + 2..];
        whole
            && (text[at..].starts_with(&call)
                || RELEASE_METHODS
                    .iter()
                    .any(|m| rest.starts_with(m) && rest[m.len()..].starts_with('(')))
    })
}

/// The property a member expression reads: `sub` in `this.sub`, `this.sub?.`.
fn member_name(expr: &Expr) -> Option<&Atom> {
    match unwrap(expr) {
        Expr::Member(member) => prop_name(&member.prop),
        Expr::OptChain(chain) => match &*chain.base {
            OptChainBase::Member(member) => prop_name(&member.prop),
            OptChainBase::Call(_) => None,
        },
        _ => None,
    }
}

/// Does a callback (`(s) => s.unsubscribe()`) call a release method?
fn calls_release(expr: &Expr) -> bool {
    let Expr::Arrow(arrow) = unwrap(expr) else {
        return false;
    };
    let body: &Expr = match &*arrow.body {
        ArrowFunctionBody::Expr(expr) => expr,
        ArrowFunctionBody::FunctionBody(block) => match block.stmts.as_slice() {
            [Stmt::Expr(stmt)] => &stmt.expr,
            _ => return false,
        },
    };
    matches!(unwrap(body), Expr::Call(call)
        if method_call(call).is_some_and(|(_, m)| RELEASE_METHODS.contains(&&**m)))
}

/// `new ResizeObserver(…)`: which of `names` a `new` constructs, as a global.
fn constructs<'n>(semantic: &Semantic, new: &NewExpr, names: &[&'n str]) -> Option<&'n str> {
    let Expr::Ident(callee) = unwrap(&new.callee) else {
        return None;
    };
    // The global, or a polyfill imported under its name (`import ResizeObserver from …`).
    let imported = || {
        semantic
            .binding_of(callee)
            .is_some_and(|b| b.kind == BindingKind::Import)
    };
    if !names.contains(&&*callee.sym)
        || !(semantic.is_global_ref(callee, &callee.sym) || imported())
    {
        return None;
    }
    names.iter().copied().find(|n| callee.sym == **n)
}

fn is_native(semantic: &Semantic, new: &NewExpr) -> bool {
    matches!(unwrap(&new.callee), Expr::Ident(c) if semantic.is_global_ref(c, &c.sym))
}

fn disconnects_itself(text: &str, new: &NewExpr) -> bool {
    new.args.as_ref().is_some_and(|args| {
        args.iter().any(|arg| {
            let span = arg.expr.span();
            text.get(span.lo.0 as usize - 1..span.hi.0 as usize - 1)
                .is_some_and(|code| code.contains("disconnect"))
        })
    })
}

/// `document.body`, `document.documentElement`, `document`: what lives as long as the page.
fn is_document_part(semantic: &Semantic, expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Ident(ident) => is_global(semantic, ident, &["document", "window"]),
        Expr::Member(member) => is_document_part(semantic, &member.obj),
        _ => false,
    }
}

/// The long-lived source of a `.subscribe(…)` chain, as code names it, and the notifier a
/// `takeUntil(this.destroy$)` in the chain waits for.
#[derive(Clone)]
struct Source {
    path: String,
    until: Option<Atom>,
    owner: Option<Atom>,
}

/// Local names of long-lived sources, by binding.
type Aliases = FxHashMap<BindingId, Source>;

/// RxJS functions that combine sources: the result runs as long as its longest-lived input.
const COMBINATIONS: &[&str] = &["combineLatest", "merge", "zip", "race", "concat"];

/// The source of a `.subscribe(…)` chain when it outlives the code that subscribes: an endless
/// RxJS source (`interval`, `fromEvent`), a store or observable the module or the app owns
/// (an import, a module-level variable, an Angular service injected into the component,
/// Vuex's `this.$store`), or a combination of one. `None` when the chain ends itself or its
/// source completes or is made fresh (`of(…)`, `Observable.of(…)`).
fn endless_source(cx: &Context, aliases: &Aliases, object: &Expr, at: Span) -> Option<Source> {
    let semantic = cx.semantic;
    let mut expr = unwrap(object);
    let mut until = None;
    // A call on the source other than `.pipe(…)`: a method of a service returns its stream,
    // a function of a module makes a new one.
    let mut made_by_a_call = false;
    loop {
        match expr {
            Expr::Call(call) => {
                if let Some(callee) = callee_ident(call) {
                    if ENDING_OPERATORS.contains(&&*callee.sym) {
                        return None;
                    }
                    if COMBINATIONS.contains(&&*callee.sym) {
                        let inputs = call.args.iter().flat_map(|a| match unwrap(&a.expr) {
                            Expr::Array(array) => array
                                .elems
                                .iter()
                                .flatten()
                                .map(|e| &*e.expr)
                                .collect::<Vec<_>>(),
                            other => vec![other],
                        });
                        let mut source = inputs
                            .into_iter()
                            .find_map(|input| endless_source(cx, aliases, input, at))?;
                        source.until = source.until.or(until);
                        return Some(source);
                    }
                    let endless = ENDLESS_SOURCES.contains(&&*callee.sym)
                        || (callee.sym == "timer" && call.args.len() >= 2);
                    return endless.then(|| Source {
                        path: format!("`{}(…)`", callee.sym),
                        until,
                        owner: None,
                    });
                }
                for arg in &call.args {
                    match ending(&arg.expr) {
                        Some(Ending::Always) => return None,
                        Some(Ending::When(notifier)) => until = Some(notifier),
                        None => {}
                    }
                }
                let (inner, method) = method_call(call)?;
                if method == "toPromise" {
                    return None;
                }
                if method != "pipe" && method != "asObservable" {
                    made_by_a_call = true;
                }
                expr = unwrap(inner);
            }
            Expr::Member(_) | Expr::Ident(_) | Expr::This(_) => break,
            _ => return None,
        }
    }
    let path = crate::semantic::lifetime::squeezed_text(cx.text, expr.span());
    let root = root_of(expr)?;
    let members = members_of(expr);
    if members.iter().any(|m| completes_on_its_own(m)) {
        return None;
    }
    let long_lived = match root {
        Expr::Ident(ident) => {
            let binding = semantic.binding_id_of(ident)?;
            // `const { widths$ } = this.table;`, `const resize = fromEvent(window, 'resize');`
            // A call on a module's name makes a new stream; on a service's, it returns its own.
            let alias = aliases
                .get(&binding)
                .filter(|alias| !made_by_a_call || alias.owner.is_some());
            if completes_on_its_own(&ident.sym) {
                return None;
            }
            if let (Some(alias), true) = (alias, members.is_empty()) {
                return Some(Source {
                    path: alias.path.clone(),
                    until: until.or_else(|| alias.until.clone()),
                    owner: alias.owner.clone(),
                });
            }
            let kind = semantic.binding(binding).kind;
            let module_level = kind == BindingKind::Import
                || (semantic.is_process_long(binding) && semantic.holds_a_value(binding));
            module_level && !made_by_a_call && !completes_on_its_own(&ident.sym)
        }
        Expr::This(_) => {
            let first = members.first()?;
            let holder = crate::semantic::lifetime::Holder::Path(
                crate::semantic::lifetime::Root::Other("this".into()),
                vec![first.clone()],
            );
            matches!(&**first, "$store" | "$root")
                || semantic.is_app_wide(&holder)
                || semantic.is_injected_service(&holder, at)
        }
        _ => false,
    };
    let owner = match root {
        Expr::This(_) => members.first().cloned(),
        _ => None,
    };
    long_lived.then(|| Source {
        path: format!("`{path}`"),
        until,
        owner,
    })
}

enum Ending {
    /// `take(1)`, `first()`, `takeUntilDestroyed()`, `takeUntil(destroy$)`.
    Always,
    /// `takeUntil(this.destroy$)`: when the file emits on `destroy$`.
    When(Atom),
}

/// Does an operator among a `.pipe(…)`'s arguments end the chain?
fn ending(expr: &Expr) -> Option<Ending> {
    let Expr::Call(call) = unwrap(expr) else {
        return None;
    };
    let callee = callee_ident(call)?;
    if !ENDING_OPERATORS.contains(&&*callee.sym) {
        return None;
    }
    let notifier = call.args.first().map(|a| unwrap(&a.expr));
    match notifier {
        Some(Expr::Member(member)) if callee.sym == "takeUntil" && member.obj.is_this() => {
            prop_name(&member.prop).map(|p| Ending::When(p.clone()))
        }
        _ => Some(Ending::Always),
    }
}

/// `subscribe` in `a.b.subscribe(…)`: where a chain split over lines subscribes.
fn method_span(call: &CallExpr) -> Span {
    let Callee::Expr(callee) = &call.callee else {
        return call.span;
    };
    match unwrap(callee) {
        Expr::Member(member) => member.prop.span(),
        _ => callee_span(call),
    }
}

fn root_of(expr: &Expr) -> Option<&Expr> {
    match unwrap(expr) {
        Expr::Member(member) => root_of(&member.obj),
        e @ (Expr::Ident(_) | Expr::This(_)) => Some(e),
        _ => None,
    }
}

fn members_of(expr: &Expr) -> Vec<Atom> {
    match unwrap(expr) {
        Expr::Member(member) => {
            let mut names = members_of(&member.obj);
            names.extend(prop_name(&member.prop).cloned());
            names
        }
        _ => Vec::new(),
    }
}

impl Rule for UnreleasedSubscription {
    fn on_import(&mut self, cx: &Context, import: &ImportDecl) {
        if import.src.value.to_atom_lossy().as_str() != "mobx" {
            return;
        }
        for specifier in &import.specifiers {
            if let ImportSpecifier::Named(named) = specifier {
                let imported = match &named.imported {
                    Some(ModuleExportName::Ident(id)) => id.sym.clone(),
                    Some(ModuleExportName::Str(s)) => s.value.to_atom_lossy().into_owned(),
                    None => named.local.sym.clone(),
                };
                if MOBX_REACTIONS.contains(&&*imported) {
                    if let Some(b) = cx.semantic.declared_binding(&named.local) {
                        self.mobx.insert(b);
                    }
                }
            }
        }
    }

    fn on_var_declarator(&mut self, cx: &Context, declarator: &VarDeclarator) {
        let Some(init) = declarator.init.as_deref() else {
            return;
        };
        self.record_aliases(cx, &declarator.name, init);
        let Pat::Ident(name) = &declarator.name else {
            return;
        };
        let Some(binding) = cx.semantic.declared_binding(&name.id) else {
            return;
        };
        match unwrap(init) {
            Expr::New(new)
                if constructs(cx.semantic, new, OBSERVERS).is_some()
                    && !disconnects_itself(cx.text, new) =>
            {
                self.observer_bindings.insert(binding);
                if is_native(cx.semantic, new) {
                    self.native_observer_bindings.insert(binding);
                }
            }
            Expr::Call(call) if is_match_media(cx.semantic, call) => {
                self.media_queries.insert(binding);
            }
            _ => {}
        }
        self.decide(init, Handle::Binding(binding, name.span));
    }

    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {
        match &assign.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(ident)) => {
                if let Some(binding) = cx.semantic.binding_id_of(&ident.id) {
                    if matches!(unwrap(&assign.right), Expr::New(new) if constructs(cx.semantic, new, OBSERVERS).is_some())
                    {
                        self.observer_bindings.insert(binding);
                    }
                    self.decide(&assign.right, Handle::Binding(binding, ident.span));
                }
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => {
                if let Some(name) = prop_name(&member.prop) {
                    if let Expr::New(new) = unwrap(&assign.right) {
                        if constructs(cx.semantic, new, OBSERVERS).is_some() {
                            self.observer_properties.insert(name.clone());
                            if is_native(cx.semantic, new) {
                                self.native_observer_properties.insert(name.clone());
                            }
                        }
                    }
                    self.decide(&assign.right, Handle::Property(name.clone(), member.span));
                }
            }
            _ => {}
        }
    }

    fn on_new(&mut self, cx: &Context, new: &NewExpr) {
        let semantic = cx.semantic;
        let Some(class) = constructs(semantic, new, CONNECTIONS) else {
            return;
        };
        // A connection opened per call is closed by a server or a retry as often as not; one
        // opened on every mount of a component and never closed is one more open per mount.
        if !semantic.in_mount_phase(new.span) {
            return;
        }
        let Some(handle) = self.fates.remove(&new.span.lo) else {
            return;
        };
        self.acquire(
            semantic,
            Acquisition {
                kind: Kind::Connection,
                span: new.span,
                what: format!("The `{class}`"),
                handle,
                until: None,
                owner: None,
                source: None,
                in_mount_phase: true,
                started_by: None,
            },
        );
    }

    fn on_call(&mut self, cx: &Context, call: &CallExpr) {
        let semantic = cx.semantic;
        self.record_release(call);
        if let Some(callee) = callee_ident(call) {
            if is_global(semantic, callee, &["cancelAnimationFrame"]) {
                self.cancels_frames = true;
            }
            if is_global(semantic, callee, &["requestAnimationFrame"]) {
                self.animation_frame(cx, call);
            }
            let is_reaction = semantic
                .binding_id_of(callee)
                .is_some_and(|b| self.mobx.contains(&b));
            if is_reaction && semantic.runs_many_times(call.span) {
                if let Some(handle) = self.fate(semantic, call.span) {
                    self.acquire(
                        semantic,
                        Acquisition {
                            kind: Kind::Reaction,
                            span: callee_span(call),
                            what: format!("`{}`", callee.sym),
                            handle,
                            until: None,
                            owner: None,
                            source: None,
                            in_mount_phase: semantic.in_mount_phase(call.span),
                            started_by: None,
                        },
                    );
                }
            }
            return;
        }
        let Some((object, method)) = method_call(call) else {
            return;
        };
        match &**method {
            "observe" => self.observer_call(cx, call, object),
            "subscribe" => self.subscribe_call(cx, call, object),
            "addListener" => self.media_listener(cx, call, object),
            _ => {}
        }
    }

    fn finish(&mut self, ctx: &mut Context) {
        for acquisition in std::mem::take(&mut self.acquisitions) {
            if !self.released(ctx.semantic, ctx.text, &acquisition) {
                report(ctx, acquisition);
            }
        }
    }
}

impl UnreleasedSubscription {
    /// `const { a$, b$ } = this.service;` and `const resize = fromEvent(window, 'resize');`:
    /// names for the streams of a long-lived source.
    fn record_aliases(&mut self, cx: &Context, name: &Pat, init: &Expr) {
        let span = init.span();
        match name {
            Pat::Ident(ident) => {
                if let (Some(binding), Some(source)) = (
                    cx.semantic.declared_binding(&ident.id),
                    endless_source(cx, &self.aliases, init, span),
                ) {
                    self.aliases.insert(binding, source);
                }
            }
            Pat::Object(object) => {
                let Some(source) = endless_source(cx, &self.aliases, init, span) else {
                    return;
                };
                for prop in &object.props {
                    let ident = match prop {
                        ObjectPatProp::Assign(assign) => &assign.key.id,
                        ObjectPatProp::KeyValue(kv) => match &*kv.value {
                            Pat::Ident(ident) => &ident.id,
                            _ => continue,
                        },
                        ObjectPatProp::Rest(_) => continue,
                    };
                    if let Some(binding) = cx.semantic.declared_binding(ident) {
                        self.aliases.insert(binding, source.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// `mql.addListener(f)` on a `matchMedia(…)` list: the list and `f` live as long as the page
    /// keeps evaluating the query, that is, for the page.
    fn media_listener(&mut self, cx: &Context, call: &CallExpr, object: &Expr) {
        let semantic = cx.semantic;
        if !semantic.runs_many_times(call.span) {
            return;
        }
        let handle = match unwrap(object) {
            Expr::Call(inner) if is_match_media(semantic, inner) => Handle::Dropped,
            Expr::Ident(ident) => match semantic.binding_id_of(ident) {
                Some(b) if self.media_queries.contains(&b) => Handle::Dropped,
                _ => return,
            },
            _ => return,
        };
        self.acquire(
            semantic,
            Acquisition {
                kind: Kind::MediaQuery,
                span: callee_span(call),
                what: "A media query listener".into(),
                handle,
                until: None,
                owner: None,
                source: Some("`matchMedia(…)`".into()),
                in_mount_phase: semantic.in_mount_phase(call.span),
                started_by: None,
            },
        );
    }

    /// `function tick() { …; requestAnimationFrame(tick); }`: a loop that runs once per frame
    /// for as long as the page lives, started from code that runs many times, and nothing in
    /// the file cancels a frame or stops the loop (`if (!running) return;`).
    fn animation_frame(&mut self, cx: &Context, call: &CallExpr) {
        let semantic = cx.semantic;
        let Some(Expr::Ident(callback)) = call.args.first().map(|a| unwrap(&a.expr)) else {
            return;
        };
        let Some(function) = semantic.function_scope_at(call.span) else {
            return;
        };
        if semantic.function_name(function) != Some(&callback.sym) {
            return;
        }
        let body = semantic.scope(function).span;
        let code = cx
            .text
            .get(body.lo.0 as usize - 1..body.hi.0 as usize - 1)
            .unwrap_or("");
        // A loop that can stop (it returns early, or schedules the next frame only under a
        // condition: a poll until something completes), or one started once.
        let parent = semantic.scope(function).parent;
        let started_many = parent.is_some_and(|p| semantic.scope(p).runs_many);
        let conditional = semantic.enclosing_statements(call.span).any(|statement| {
            body.lo <= statement.lo
                && statement.hi <= body.hi
                && cx
                    .text
                    .get(statement.lo.0 as usize - 1..)
                    .is_some_and(|code| code.starts_with("if"))
        });
        // `done ? resolve() : requestAnimationFrame(check)`, `ready || requestAnimationFrame(f)`.
        let before = cx
            .text
            .get(body.lo.0 as usize - 1..call.span.lo.0 as usize - 1)
            .unwrap_or("");
        let guarded = before.contains('?') || before.contains("&&") || before.contains("||");
        if code.contains("return") || conditional || guarded || !started_many {
            return;
        }
        self.acquire(
            semantic,
            Acquisition {
                kind: Kind::AnimationLoop,
                span: callee_span(call),
                what: format!("The `{}` animation loop", callback.sym),
                handle: Handle::Dropped,
                until: None,
                owner: None,
                source: None,
                in_mount_phase: semantic.in_mount_phase(call.span),
                started_by: parent
                    .and_then(|p| semantic.function_scope_at(semantic.scope(p).span))
                    .and_then(|starter| semantic.installed_on_an_object(starter))
                    .cloned(),
            },
        );
    }
}

fn is_match_media(semantic: &Semantic, call: &CallExpr) -> bool {
    if let Some(callee) = callee_ident(call) {
        return is_global(semantic, callee, &["matchMedia"]);
    }
    method_call(call).is_some_and(|(object, method)| {
        method == "matchMedia"
            && matches!(unwrap(object), Expr::Ident(o) if is_global(semantic, o, &["window"]))
    })
}

fn report(ctx: &mut Context, acquisition: Acquisition) {
    let when = match &acquisition.started_by {
        Some(method) => format!(
            "each time `{method}` is called (by code elsewhere: nothing in this file calls it)"
        ),
        None if acquisition.in_mount_phase => "each time the component mounts".to_string(),
        None => "on every call".to_string(),
    };
    let (release, keeps) = match acquisition.kind {
        Kind::Observer => (
            "`disconnect()`",
            match &acquisition.source {
                Some(target) => format!("it observes {target}, which lives as long as the page, so the observer and its callback's closure stay alive for the page"),
                None => "the observer, and its callback's closure, stay alive for as long as what it observes does".to_string(),
            },
        ),
        Kind::Subscription => (
            "`unsubscribe()` (or the function it returns)",
            format!(
                "{} keeps the subscriber, and what its closure holds, until then",
                acquisition.source.as_deref().unwrap_or("the source")
            ),
        ),
        Kind::Reaction => (
            "the disposer it returns",
            "the reaction keeps running, and keeps its closures, for as long as the observables it reads live".to_string(),
        ),
        Kind::Connection => (
            "`close()`",
            "an open connection stays alive, with its listeners and their closures, until it is closed".to_string(),
        ),
        Kind::MediaQuery => (
            "`removeListener`",
            "the media query list keeps the listener, and its closure, for the page".to_string(),
        ),
        Kind::AnimationLoop => (
            "`cancelAnimationFrame`",
            "each start adds a loop that runs on every frame, and keeps its closure, for the page".to_string(),
        ),
    };
    let (what, label) = match &acquisition.handle {
        Handle::Dropped => ("is dropped, so nothing can release it".to_string(), None),
        Handle::Binding(_, span) | Handle::Property(_, span) => (
            format!(
                "is kept in `{}` but never released",
                crate::rules::helpers::snippet(ctx.text, *span)
            ),
            Some(Label {
                range: Range::from_span(*span),
                message: "kept here".into(),
            }),
        ),
    };
    let subject_kind = match acquisition.kind {
        Kind::Observer => "observer",
        Kind::Subscription => "subscription",
        Kind::Reaction => "reaction",
        Kind::Connection => "connection",
        Kind::MediaQuery => "media-query",
        Kind::AnimationLoop => "animation-frame",
    };
    let severity = match (acquisition.kind, &acquisition.source) {
        // Bounded by the element it observes, unless that is the page itself.
        (Kind::Observer, None) => Some(Severity::Warn),
        // Once per object in the common use (`controller.listen()`), which the file cannot show.
        _ if acquisition.started_by.is_some() => Some(Severity::Warn),
        _ => None,
    };
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(acquisition.span),
        message: format!(
            "{} is acquired {when} and its handle {what}: {keeps}",
            acquisition.what
        ),
        labels: label.into_iter().collect(),
        help: Some(format!(
            "keep the handle and release it with {release} where the work ends (the effect's cleanup, `ngOnDestroy`, `onUnmounted`, `disconnectedCallback`)"
        )),
        severity,
        subject: Some(Subject::Subscription {
            kind: subject_kind.to_string(),
        }),
    });
}

#[cfg(test)]
mod tests {
    use crate::testing::Tester;

    #[test]
    fn passes() {
        Tester::new(&super::META).passes(&[
            // Disconnected, unsubscribed, disposed in the cleanup or at destroy.
            ("export function C() { useEffect(() => { const ro = new ResizeObserver(() => {}); ro.observe(document.body); return () => ro.disconnect(); }, []); return null; }", "a.jsx"),
            ("export function C() { useEffect(() => { const off = store.subscribe(render); return off; }, []); return null; } import store from './store';", "a.jsx"),
            ("import store from './store'; export function C() { useEffect(() => { const off = store.subscribe(render); return () => off(); }, []); return null; }", "a.jsx"),
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.sub = this.store.select(x).subscribe((v) => this.v = v); } ngOnDestroy() { this.sub.unsubscribe(); } }", "a.ts"),
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.subs.add(this.store.select(x).subscribe((v) => this.v = v)); } ngOnDestroy() { this.subs.unsubscribe(); } }", "a.ts"),
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.store.select(x).pipe(takeUntil(this.destroy$)).subscribe((v) => this.v = v); } ngOnDestroy() { this.destroy$.next(); } }", "a.ts"),
            // A service stopped at destroy ends the streams it gave out.
            ("export class A { constructor(private focusMonitor: FocusMonitor) {} ngAfterViewInit() { this.focusMonitor.monitor(this.el).subscribe((o) => this.focused = !!o); } ngOnDestroy() { this.focusMonitor.stopMonitoring(this.el); } }", "a.ts"),
            // A service the component provides itself is created and destroyed with it.
            ("@Component({ providers: [PickerService] }) export class A { constructor(private picker: PickerService) {} ngOnInit() { this.picker.value$.subscribe((v) => this.v = v); } ngOnDestroy() {} }", "a.ts"),
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.store.select(x).pipe(take(1)).subscribe((v) => this.v = v); } }", "a.ts"),
            // An HTTP call completes; a route's parameters end with its component.
            ("export class A { constructor(private http: HttpClient, private route: ActivatedRoute) {} ngOnInit() { this.http.get('/a').subscribe((v) => this.v = v); this.route.params.subscribe((p) => this.id = p.id); } }", "a.ts"),
            // A subscription to something the component owns.
            ("export class A { ngOnInit() { this.form.valueChanges.subscribe((v) => this.v = v); } }", "a.ts"),
            ("import { autorun } from 'mobx'; export function C() { useEffect(() => autorun(() => render(state.x)), []); return null; }", "a.jsx"),
            ("export function C() { useEffect(() => { const ws = new WebSocket(url); ws.onmessage = (e) => set(e.data); return () => ws.close(); }, []); return null; }", "a.jsx"),
            // The app's root component is created once.
            ("export class AppComponent { constructor(private router: Router) {} ngOnInit() { this.router.events.subscribe((e) => this.track(e)); } }", "a.ts"),
            // Released through an optional call.
            ("class Chart extends HTMLElement { connectedCallback() { this.ro = new ResizeObserver(() => this.draw()); this.ro.observe(document.body); } disconnectedCallback() { this.ro?.disconnect(); } }", "a.mjs"),
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.sub = this.store.select(x).subscribe((v) => this.v = v); } ngOnDestroy() { this.sub?.unsubscribe(); } }", "a.ts"),
            // Run once: at module level.
            ("const ro = new ResizeObserver(() => {}); ro.observe(document.body);", "a.mjs"),
            ("import store from './store'; store.subscribe(render);", "a.mjs"),
            ("function loop() { draw(); requestAnimationFrame(loop); } loop();", "a.mjs"),
            ("export function start() { let running = true; function loop() { if (!running) return; draw(); requestAnimationFrame(loop); } loop(); return () => { running = false; }; }", "a.mjs"),
            // The observer disconnects itself; an observer handed on is released elsewhere.
            ("export function watch(el) { new IntersectionObserver((entries, observer) => { observer.disconnect(); }).observe(el); }", "a.mjs"),
            ("export function watch(el) { const ro = new ResizeObserver(f); ro.observe(el); return ro; }", "a.mjs"),
            // An instance observing its own element once; a frame loop that polls until done.
            ("export class Editor { constructor() { const ro = new ResizeObserver(() => this.layout()); ro.observe(this.dom); } }", "a.mjs"),
            ("export function wait(gl, done) { function check() { ready(gl) ? done() : requestAnimationFrame(check); } check(); }", "a.mjs"),
            // Released through DestroyRef, written as a method.
            ("export class A { private destroyRef = inject(DestroyRef); constructor(private store: Store) {} ngOnInit() { const sub = this.store.select(x).subscribe((v) => this.v = v); this.destroyRef.onDestroy(() => sub.unsubscribe()); } }", "a.ts"),
            ("export function whenReady(gl, done) { function check() { if (!ready(gl)) { requestAnimationFrame(check); } else { done(); } } check(); }", "a.mjs"),
            // A subscription the caller gets back.
            ("import store from './store'; export function watch(f) { return store.subscribe(f); }", "a.mjs"),
        ]);
    }

    #[test]
    fn fails() {
        Tester::new(&super::META).flags(&[
            ("export function C() { useEffect(() => { const ro = new ResizeObserver(() => {}); ro.observe(document.body); }, []); return null; }", "a.jsx", &["ro.observe"]),
            ("export function C({ el }) { useEffect(() => { new MutationObserver(f).observe(el, { childList: true }); }, [el]); return null; }", "a.jsx", &["new MutationObserver(f).observe"]),
            ("import store from './store'; export function C() { useEffect(() => { store.subscribe(render); }, []); return null; }", "a.jsx", &["subscribe(render)"]),
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.store.select(x).subscribe((v) => this.v = v); } }", "a.ts", &["subscribe((v)"]),
            // `takeUntil` of a subject nothing emits on never ends the chain.
            ("export class A { constructor(private store: Store) {} ngOnInit() { this.store.select(x).pipe(takeUntil(this.destroy$)).subscribe((v) => this.v = v); } ngOnDestroy() { this.done$.next(); } }", "a.ts", &["subscribe((v)"]),
            // Names for a service's streams, or for an endless source.
            ("export class A { constructor(private table: TableService) {} ngOnInit() { const { widths$ } = this.table; widths$.subscribe(this.widths$); } }", "a.ts", &["subscribe(this.widths$)"]),
            ("export class A { ngAfterViewInit() { const resize = fromEvent(window, 'resize').pipe(auditTime(10)); merge(this.dir.change, resize).subscribe(() => this.align()); } }", "a.ts", &["subscribe(() => this.align"]),
            // A combination runs as long as its longest-lived input.
            ("export class A { constructor(private table: TableService) {} ngOnInit() { combineLatest([this.table.widths$, this.cells$]).subscribe(([w, c]) => this.layout(w, c)); } }", "a.ts", &["subscribe(([w"]),
            ("export class A { constructor(private router: Router) {} ngOnInit() { this.sub = this.router.events.subscribe((e) => this.log(e)); } }", "a.ts", &["subscribe((e)"]),
            ("import { interval } from 'rxjs'; export class A { ngOnInit() { interval(1000).subscribe(() => this.tick()); } }", "a.ts", &["subscribe(() => this.tick"]),
            ("export default { mounted() { this.$store.subscribe((m) => this.log(m)); } };", "a.mjs", &["subscribe((m)"]),
            ("import { autorun } from 'mobx'; export function C() { useEffect(() => { autorun(() => render(state.x)); }, []); return null; }", "a.jsx", &["autorun(() => render"]),
            ("export function C() { useEffect(() => { const ws = new WebSocket(url); ws.onmessage = (e) => set(e.data); }, []); return null; }", "a.jsx", &["new WebSocket(url)"]),
            ("export function C() { useEffect(() => { window.matchMedia('(min-width: 600px)').addListener(update); }, []); return null; }", "a.jsx", &["window.matchMedia('(min-width: 600px)').addListener"]),
            ("export function C() { useEffect(() => { function frame() { draw(); requestAnimationFrame(frame); } frame(); }, []); return null; }", "a.jsx", &["requestAnimationFrame"]),
            ("class Chart extends HTMLElement { connectedCallback() { this.ro = new ResizeObserver(() => this.draw()); this.ro.observe(this); } }", "a.mjs", &["this.ro.observe"]),
            // Another name's optional release is not this one's.
            ("export function C() { useEffect(() => { const observer = new ResizeObserver(f); observer.observe(document.body); return () => myObserver?.disconnect(); }, []); return null; }", "a.jsx", &["observer.observe"]),
        ]);
    }

    /// A loop started by a function installed on an object that only code elsewhere calls
    /// (`editor.listen()`, once per editor in the common use) is a warning that says so; one
    /// the file itself starts again and again stays an error.
    #[test]
    fn a_loop_started_only_from_elsewhere_is_a_warning() {
        use crate::diagnostic::Severity;
        let lint = |source: &str| crate::testing::diagnostics(source, "a.mjs");
        let installed = "export function addRow(object, key) { const editor = makeEditor(); editor.listen = () => { const update = () => { editor.set(object[key]); requestAnimationFrame(update); }; requestAnimationFrame(update); return editor; }; return editor; }";
        let found = lint(installed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::Warn);
        assert!(
            found[0].message.contains("each time `listen` is called"),
            "{}",
            found[0].message
        );
        let found = lint(&format!(
            "{installed} export function refresh(e) {{ e.listen(); }}"
        ));
        assert_eq!(found[0].severity, Severity::Error);
    }
}
