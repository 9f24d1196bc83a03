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

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;

use crate::diagnostic::{Finding, Label, Range, Severity, Subject};
use crate::rules::helpers::{
    callee_ident, callee_span, is_global, method_call, prop_name, string_value, unwrap,
};
use crate::rules::{Context, Handles, Measure, OptionKind, Rule, RuleMeta, RuleOption};
use crate::semantic::lifetime::{
    squeezed_text, Acquisition, ByHolder, Holder, Instances, Release, Released, Releases, Root,
    Shared,
};
use crate::semantic::listeners::{
    dotted_path, Wrapper, ONCE_METHODS, REGISTRATION_METHODS, REMOVAL_METHODS,
};
use crate::semantic::{BindingKind, ScopeId, Semantic, ThisValue};

pub const ID: &str = "repeated-listener";

pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a listener added on every call to an emitter that outlives the call",
    docs: include_str!("../../rules/repeated-listener.md"),
    options: &[
        RuleOption {
            name: "removal_methods",
            kind: OptionKind::Names,
            description: "more method names that remove a listener (e.g. `unsubscribe`)",
        },
        RuleOption {
            name: "listen_functions",
            kind: OptionKind::Names,
            description: "functions of a library that add a listener as `(target, type, listener)`, by the end of their dotted name (e.g. `dom.bind`, `events.listen`)",
        },
        RuleOption {
            name: "unlisten_functions",
            kind: OptionKind::Names,
            description: "functions of a library that remove one, with the same arguments (e.g. `dom.unbind`)",
        },
    ],
    handles: Handles::CALL.and(Handles::ASSIGN),
    measure: Measure::Listeners,
    gate: &[],
    create: Some(|cx| {
        Some(Box::new(RepeatedListener {
            removal_methods: names(cx, "removal_methods"),
            listen_functions: names(cx, "listen_functions"),
            unlisten_functions: names(cx, "unlisten_functions"),
            ..RepeatedListener::default()
        }))
    }),
};

/// A list-of-names option of this rule.
fn names(cx: &Context, option: &str) -> Vec<String> {
    cx.settings
        .option_names(ID, option)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Does the dotted path of a callee end with the configured name, on a dot
/// (`editor.dom.bind` for `dom.bind`)?
fn ends_with_name(path: &str, name: &str) -> bool {
    path.strip_suffix(name)
        .is_some_and(|head| head.is_empty() || head.ends_with('.'))
}

/// Where to point at a registration: its callee, or, for a chain written over several lines
/// (`bus\n  .on('a', f)\n  .on('b', g)`), the line of its own method.
fn registration_span(cx: &Context, call: &CallExpr) -> Span {
    let callee = callee_span(call);
    let multiline = cx.spans_lines(callee);
    match (&call.callee, multiline) {
        (Callee::Expr(expr), true) => match unwrap(expr) {
            Expr::Member(member) => member.prop.span(),
            _ => callee,
        },
        _ => callee,
    }
}

/// Emitter methods that event managers chain (they return the emitter), besides registrations.
const RETURNS_RECEIVER: &[&str] = &["emit", "cancelEmit", "setMaxListeners"];

const LONG_LIVED_GLOBALS: &[&str] = &["process", "window", "document", "globalThis", "global"];

struct Registration {
    span: Span,
    receiver: Holder,
    receiver_text: String,
    event: String,
    /// The listener's text when it is a reference that a removal could name again.
    listener: Option<String>,
    in_effect: bool,
    /// The receiver is a request's connection or a caller's signal, shared with other
    /// requests: which member.
    shared_connection: Option<Shared>,
    /// Registered with `once`: removed when the event fires.
    once: bool,
    /// On a member of `this` that the method keeps, in a method that runs again on its own
    /// instance: the method's name, and the call that runs it again.
    rerun: Option<(String, Span)>,
    /// Added by a component (outside a React effect, whose cleanup the model pairs): a removal
    /// must run when the component unmounts.
    in_component: bool,
    /// Removed, but not on the component's unmount path (only when it closes or deactivates).
    removed_off_unmount: bool,
    /// On `this.client…` in a constructor that is handed `client`: the member, and the class.
    received: Option<(String, String)>,
    /// On a long-lived receiver, once for each instance of a class (in its constructor or a
    /// method only the constructor calls) that the file does not show made many times: the class.
    per_instance: Option<String>,
    /// In a method of the one instance the file makes that only code elsewhere calls: the
    /// class and the method.
    called_elsewhere: Option<(String, String)>,
    /// On the host a hook is handed (`submit(connection)`), which the object may also reach
    /// through a member (`this.connection`): a removal through any path to it counts.
    on_a_host: bool,
    /// A `once` listener whose alternative's listener does not remove it: the event and the
    /// listener of the alternative (see [`RepeatedListener::left_by_an_alternative`]).
    left_by: Option<(String, String)>,
    /// Added by Backbone's `listenTo`, which a `stopListening()` undoes.
    listen_to: bool,
    /// Removed only by a listener of an emitter that does not outlive the call: that emitter,
    /// its event and the listener (see
    /// [`RepeatedListener::removed_only_by_a_shorter_lived_emitter`]).
    removed_by: Option<(String, String, String)>,
}

#[derive(Default)]
struct RepeatedListener {
    removal_methods: Vec<String>,
    /// The user's library functions that add (`dom.bind`) and remove (`dom.unbind`) listeners.
    listen_functions: Vec<String>,
    unlisten_functions: Vec<String>,
    registrations: Vec<Registration>,
    removals: Releases,
    /// The removals that run when a component unmounts.
    unmount_removals: Releases,
    /// The removals made by a listener (`mouseup` removing `mousemove`): the gesture ends by
    /// itself, mounted or not.
    listener_removals: Releases,
    /// Removals with the name of the function they are made in, to tell in `finish` which of
    /// those functions are listeners themselves (`end()` added for `mouseup`).
    named_removals: Vec<(Release, Atom)>,
    /// Registrations whose result is the receiver of a registration whose result is dropped
    /// (`emitter.on('a', f).on('b', g);`): their result is dropped too.
    chained: FxHashSet<(BytePos, BytePos)>,
    chain_receivers: ChainReceivers,
    /// `this._onKey = handleKey`: a listener kept under another name, by which a removal may
    /// name it (the kept name, then the listener's).
    kept_as: Vec<(String, String)>,
    /// Registrations of a function the registering call creates (`function clear() {}` in the
    /// same function): a removal that names it removes that call's function only.
    fresh: Vec<Registration>,
    /// Removals by the function whose own body makes them (not a closure inside it).
    direct_removals: Vec<(Release, Option<ScopeId>, BytePos)>,
    /// Every removal made in a named function or method, with that name (`_onRow`), and
    /// their positions by holder and by name.
    removals_by_function: Vec<(Release, Atom)>,
    function_removals_by_holder: ByHolder,
    function_removals_by_name: FxHashMap<String, Vec<usize>>,
    /// The positions in `direct_removals` by holder.
    direct_removals_by_holder: ByHolder,
    /// The file calls Backbone's `stopListening()` with no arguments, which undoes every
    /// `listenTo`.
    stops_listening_to_all: bool,
    /// Removals made in no named function.
    anonymous_removals: Releases,
    /// Every registration that runs many times, long-lived receiver or not: the listener's
    /// function name, the receiver's text, whether it outlives the call, and the function the
    /// registration is made in.
    listener_sites: Vec<ListenerSite>,
    /// The positions in `listener_sites` by listener.
    listener_sites_by_listener: FxHashMap<String, Vec<usize>>,
}

/// Where a registration hands over a named listener.
struct ListenerSite {
    listener: String,
    receiver: String,
    event: String,
    long_lived: bool,
    function: Option<ScopeId>,
}

/// A receiver as a path from its root (`process.stdout` → `process`, [`stdout`]).
fn receiver(semantic: &Semantic, expr: &Expr, chains: &mut ChainReceivers) -> Option<Holder> {
    match unwrap(expr) {
        Expr::Ident(ident) => {
            let root = if is_global(semantic, ident, LONG_LIVED_GLOBALS) {
                Root::Global(ident.sym.clone())
            } else {
                match semantic.binding_id_of(ident) {
                    // `const that = this; that.bus.on(…)` is `this.bus.on(…)`.
                    Some(binding) if semantic.is_this_alias(binding) => Root::Other("this".into()),
                    Some(binding) => Root::Binding(binding),
                    None => Root::Other(ident.sym.clone()),
                }
            };
            Some(Holder::Path(root, Vec::new()))
        }
        Expr::This(_) => Some(Holder::Path(Root::Other("this".into()), Vec::new())),
        Expr::Member(member) => {
            let Holder::Path(root, mut props) = receiver(semantic, &member.obj, chains)? else {
                return None;
            };
            props.push(prop_name(&member.prop)?.clone());
            Some(Holder::Path(root, props))
        }
        // `$(window).on('resize', f)`: jQuery wraps the element it is given.
        Expr::Call(call) if wraps_an_element(call) => {
            receiver(semantic, &call.args[0].expr, chains)
        }
        // `emitter.on('a', f).on('b', g)`: a chained registration returns its receiver, and so
        // do the chainable methods of event managers (`bus.cancelEmit(e).on(…)`).
        Expr::Call(call) => {
            let key = (call.span.lo, call.span.hi);
            if let Some(known) = chains.get(&key) {
                return known.clone();
            }
            let found = method_call(call).and_then(|(object, method)| {
                (REGISTRATION_METHODS.contains(&&**method) || RETURNS_RECEIVER.contains(&&**method))
                    .then(|| receiver(semantic, object, chains))
                    .flatten()
            });
            chains.insert(key, found.clone());
            found
        }
        _ => None,
    }
}

/// The receivers of chained calls by the call's span. Each link of `x.on(…).on(…)…` asks for
/// its receiver, the one at the start of the chain: the outermost link, which comes first,
/// finds it for every link below.
type ChainReceivers = FxHashMap<(BytePos, BytePos), Option<Holder>>;

/// `$(window)`, `jQuery(document)`: a jQuery object around one element.
fn wraps_an_element(call: &CallExpr) -> bool {
    callee_ident(call).is_some_and(|c| c.sym == "$" || c.sym == "jQuery") && call.args.len() == 1
}

/// `process.stdout`, `bus`: the receiver as a path, also for a chained registration.
fn receiver_text(semantic: &Semantic, receiver: &Holder) -> String {
    let Holder::Path(root, props) = receiver else {
        return String::new();
    };
    let root = match root {
        Root::Global(name) | Root::Other(name) => name.to_string(),
        Root::Binding(id) => semantic.binding(*id).name.to_string(),
    };
    std::iter::once(root)
        .chain(props.iter().map(|p| p.to_string()))
        .collect::<Vec<_>>()
        .join(".")
}

/// Does the receiver outlive a call of the code that registers on it: a long-lived global, a
/// variable or import created once per process and not replaced on every call, or a local that
/// names a singleton (`const bus = EventBus(context).getInstance()`)?
fn outlives_the_call(semantic: &Semantic, receiver: &Holder) -> bool {
    match receiver {
        Holder::Path(Root::Global(_), _) => true,
        // `onAdd(map) { map.on('zoom', …) }`: every object added to the one map adds one.
        Holder::Path(Root::Binding(id), props)
            if props.is_empty() && semantic.is_host_of_a_hook(*id).is_some() =>
        {
            true
        }
        Holder::Path(Root::Binding(id), _) => {
            (semantic.holds_a_value(*id)
                && semantic.is_process_long(*id)
                && !semantic.reassigned_per_call(*id))
                || semantic.holds_a_singleton(*id)
                // `PouchDB.once('destroyed', …)`: a class (or constructor function) that is an
                // emitter itself lives as long as its module.
                || (matches!(
                    semantic.binding(*id).kind,
                    BindingKind::Function | BindingKind::Class
                ) && semantic.is_process_long(*id)
                    && props_are_empty(receiver))
        }
        _ => false,
    }
}

/// `this.socket.on(…)` (or `this.on(…)`) in a method that runs again on its own instance
/// (a reconnect) and keeps `this.socket` from one run to the next: each run adds a listener to
/// the same emitter. The method's name and the call that runs it again.
fn rerun_on_a_kept_member(
    semantic: &Semantic,
    span: Span,
    receiver: &Holder,
) -> Option<(String, Span)> {
    let Holder::Path(Root::Other(root), props) = receiver else {
        return None;
    };
    if root != "this" {
        return None;
    }
    let (method, again) = semantic.reruns_on_its_instance(span)?;
    let scope = semantic.function_scope_at(span)?;
    let kept = props
        .first()
        .is_none_or(|member| semantic.keeps_member(scope, member));
    kept.then(|| (method.to_string(), again))
}

/// `{ once: true }` or `{ signal }` as the options argument; any options the rule cannot read
/// count too.
fn removes_itself(method: &str, args: &[ExprOrSpread]) -> bool {
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

fn props_are_empty(holder: &Holder) -> bool {
    matches!(holder, Holder::Path(_, props) if props.is_empty())
}

/// `this.client.on(…)` in the constructor of a class that is handed `client` (and created more
/// than once): the member and the class. The caller may hand one client to many instances, and
/// the client keeps a listener, and with it the instance, from each of them. Only for members
/// whose name says they are shared ([`names_a_shared_owner`]): a class handed a socket or an
/// element usually wraps that one object for its whole life.
fn received_by_each_instance(
    semantic: &Semantic,
    span: Span,
    receiver: &Holder,
) -> Option<(String, String)> {
    let Holder::Path(Root::Other(root), props) = receiver else {
        return None;
    };
    let member = props.first().filter(|_| root == "this")?;
    semantic.received_by_constructor(span, member)?;
    let ThisValue::Instance(owner) = semantic.this_at(span) else {
        return None;
    };
    if !semantic.in_constructor(owner, span)
        || semantic.created_once(owner)
        || !names_a_shared_owner(member)
    {
        return None;
    }
    let class = semantic.owner_name(owner)?;
    Some((member.to_string(), class.to_string()))
}

/// How often a registration in code that runs once per instance runs.
enum PerInstance {
    /// The class is made once (`module.exports = new Registry()`): so is the listener.
    Once,
    /// Once for each instance of the class named, however many the callers make.
    Each(String),
    /// In a method of the one instance the file makes, which only code elsewhere calls (a
    /// base class): the class and the method.
    CalledElsewhere(String, String),
}

/// A registration on a long-lived receiver in a constructor, or in a method only the
/// constructor calls, of a class the file does not show made again and again: as many
/// listeners as instances. Components are left to the component checks, which pair mounts
/// with unmounts.
fn once_per_instance(
    semantic: &Semantic,
    span: Span,
    long_lived: bool,
    shared: &Option<Shared>,
) -> Option<PerInstance> {
    if !long_lived
        || shared.is_some()
        || semantic.in_component(span)
        || semantic.in_mount_phase(span)
        || semantic.in_effect(span)
    {
        return None;
    }
    match semantic.instances_at(span) {
        Some(Instances::One) => Some(PerInstance::Once),
        Some(Instances::Many) => None,
        Some(Instances::Unknown(owner)) => Some(PerInstance::Each(
            semantic
                .owner_name(owner)
                .map_or("instance".to_string(), |n| format!("`{n}`")),
        )),
        None => {
            let (owner, method) = semantic.method_called_elsewhere(span)?;
            if !semantic.created_once(owner) {
                return None;
            }
            let class = semantic.owner_name(owner)?;
            Some(PerInstance::CalledElsewhere(
                class.to_string(),
                method.to_string(),
            ))
        }
    }
}

/// `client`, `renderer`, `player`, `map`, `editor`, `bus`: names of objects that many others
/// attach to (as opposed to `socket`, `stream` or `el`, which a wrapper owns one to one).
fn names_a_shared_owner(member: &str) -> bool {
    const OWNERS: &[&str] = &[
        "client",
        "renderer",
        "player",
        "map",
        "editor",
        "engine",
        "app",
        "application",
        "server",
        "manager",
        "pool",
        "store",
        "bus",
        "emitter",
        "hub",
        "scene",
        "stage",
        "viewer",
        "ticker",
        "game",
        "world",
        "db",
        "database",
        "model",
        "collection",
        "parent",
        "owner",
        "host",
        "context",
        "core",
        "chart",
        "graph",
        "canvas",
        "view",
        "layer",
    ];
    let name = member.trim_start_matches('_');
    OWNERS.iter().any(|owner| {
        name.eq_ignore_ascii_case(owner)
            || (name.len() > owner.len()
                && name[name.len() - owner.len()..].eq_ignore_ascii_case(owner)
                && name.as_bytes()[name.len() - owner.len()].is_ascii_uppercase())
    })
}

/// Is the listener a name for a function that the function around `at` creates on each call
/// (`function clear() {…}` or `const clear = () => …` in its body)?
fn created_by_the_call(semantic: &Semantic, at: Span, listener: Option<&Expr>) -> bool {
    let Some(Expr::Ident(ident)) = listener.map(unwrap) else {
        return false;
    };
    let Some(id) = semantic.binding_id_of(ident) else {
        return false;
    };
    let binding = semantic.binding(id);
    let function = semantic.function_scope_at(at);
    // The scope it is declared in (a function declaration's own name lies inside its span).
    let declared_in = semantic.function_scope_at(semantic.scope(binding.scope).span);
    function.is_some()
        && declared_in == function
        && matches!(
            binding.kind,
            BindingKind::Function | BindingKind::Var | BindingKind::Let | BindingKind::Const
        )
        && semantic.created_function(id)
}

/// `{ once: true }` and nothing else that removes it (no `signal`, no spread): removed only
/// when the event fires. (`once` counts unless it is the literal `false`, as in
/// [`removes_itself`].)
fn once_option_only(args: &[ExprOrSpread]) -> bool {
    let Some(Expr::Object(object)) = args.get(2).map(|a| unwrap(&a.expr)) else {
        return false;
    };
    let mut once = false;
    for prop in &object.props {
        let PropOrSpread::Prop(prop) = prop else {
            return false;
        };
        match &**prop {
            Prop::KeyValue(kv) => match &kv.key {
                PropName::Ident(key) if key.sym == "signal" => return false,
                PropName::Ident(key) if key.sym == "once" => {
                    once = !matches!(unwrap(&kv.value), Expr::Lit(Lit::Bool(b)) if !b.value)
                }
                _ => {}
            },
            Prop::Shorthand(ident) if ident.sym == "signal" => return false,
            Prop::Shorthand(ident) if ident.sym == "once" => once = true,
            _ => {}
        }
    }
    once
}

/// `addEventListener('load', f, { once: true })`: a once-listener for an event a page fires once,
/// before a component can mount. Added when a component mounts, it is never called, so never
/// removed.
fn once_for_a_fired_event(args: &[ExprOrSpread]) -> bool {
    let fired_already = args
        .first()
        .and_then(|a| string_value(&a.expr))
        .is_some_and(|event| matches!(event.as_str(), "load" | "DOMContentLoaded"));
    fired_already && once_option_only(args)
}

/// What a listener argument names, so that a removal naming the same function matches it: a
/// member by its text (`this.onResize`), a name by its binding (two functions' own
/// `onResize` are two different functions), a global by its name.
fn listener_key(semantic: &Semantic, text: &str, expr: &Expr) -> Option<String> {
    match unwrap(expr) {
        Expr::Ident(ident) => Some(name_key(semantic, ident)),
        Expr::Member(member) => {
            let key = squeezed_text(text, unwrap(expr).span());
            // `that.onResize` names what `this.onResize` does.
            let mut root = &*member.obj;
            while let Expr::Member(inner) = unwrap(root) {
                root = &inner.obj;
            }
            match unwrap(root) {
                Expr::Ident(alias)
                    if semantic
                        .binding_id_of(alias)
                        .is_some_and(|b| semantic.is_this_alias(b)) =>
                {
                    Some(format!("this{}", &key[alias.sym.len()..]))
                }
                _ => Some(key),
            }
        }
        _ => None,
    }
}

fn name_key(semantic: &Semantic, ident: &Ident) -> String {
    match semantic.binding_of(ident) {
        // `name@position`, written out: a key is made for most assignments of a name, and
        // `format!` cost more than the rest of the rule's work on them.
        Some(binding) => {
            let mut digits = [0u8; 10];
            let mut rest = binding.span.lo.0;
            let mut start = digits.len();
            loop {
                start -= 1;
                digits[start] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            let digits = std::str::from_utf8(&digits[start..]).expect("ASCII digits");
            let mut key = String::with_capacity(ident.sym.len() + 1 + digits.len());
            key.push_str(&ident.sym);
            key.push('@');
            key.push_str(digits);
            key
        }
        None => ident.sym.to_string(),
    }
}

/// Marks a listener key as one for the capture phase.
const CAPTURE: &str = " (capture)";

/// `addEventListener(type, f, true)` or `{ capture: true }`: a listener for the capture phase,
/// which only a removal with the same flag removes.
fn captures(method: &str, args: &[ExprOrSpread]) -> bool {
    if method != "addEventListener" && method != "removeEventListener" {
        return false;
    }
    match args.get(2).map(|a| unwrap(&a.expr)) {
        Some(Expr::Lit(Lit::Bool(flag))) => flag.value,
        Some(Expr::Object(object)) => object.props.iter().any(|prop| {
            matches!(prop, PropOrSpread::Prop(prop) if matches!(&**prop,
                Prop::KeyValue(kv) if matches!(&kv.key, PropName::Ident(key) if key.sym == "capture")
                    && matches!(unwrap(&kv.value), Expr::Lit(Lit::Bool(flag)) if flag.value)))
        }),
        _ => false,
    }
}

fn event_key(text: &str, expr: Option<&ExprOrSpread>) -> String {
    match expr {
        Some(arg) => squeezed_text(text, arg.expr.span()).replace(['"', '`'], "'"),
        None => "''".into(),
    }
}

/// What a registration or removal names: the receiver, the event and the listener, from a
/// method call (`target.on(event, listener)`) or a call of one of the file's wrappers
/// (`on(target, event, listener)`).
struct Site<'a> {
    receiver: &'a Expr,
    event: Option<&'a ExprOrSpread>,
    listener: Option<&'a Expr>,
    once: bool,
    /// The options argument of `addEventListener`, which may make it remove itself.
    self_removing: bool,
    /// Added or removed for the capture phase.
    capture: bool,
    /// `req.setTimeout(ms, onTimeout)`: a `once('timeout')` listener that Node forwards from the
    /// request's socket, shared with other requests on a keep-alive connection.
    timeout_of_request: bool,
    /// The event when no argument names it (`events.addAbortListener(signal, f)`: `'abort'`).
    fixed_event: Option<&'static str>,
    /// Backbone's `x.listenTo(target, event, f)`, which `x.stopListening()` undoes.
    listen_to: bool,
}

impl<'a> Site<'a> {
    /// A registration (or removal) of `listener` on `receiver` for `event`, with nothing else
    /// about it: each form below says what differs.
    fn plain(
        receiver: &'a Expr,
        event: Option<&'a ExprOrSpread>,
        listener: Option<&'a Expr>,
    ) -> Site<'a> {
        Site {
            receiver,
            event,
            listener,
            once: false,
            self_removing: false,
            capture: false,
            timeout_of_request: false,
            fixed_event: None,
            listen_to: false,
        }
    }

    /// The arguments from `at` on, as the event and the listener.
    fn from_args(receiver: &'a Expr, call: &'a CallExpr, at: usize) -> Site<'a> {
        Site::plain(
            receiver,
            call.args.get(at),
            call.args.get(at + 1).map(|a| &*a.expr),
        )
    }

    fn of_method(call: &'a CallExpr, object: &'a Expr, method: &str) -> Site<'a> {
        // `events.on(window, 'resize', f)`, `EventHandler.off(el, 'click', f)`: a helper
        // module's form, with the target first.
        let target_first = matches!(method, "on" | "off" | "one")
            && call.args.len() >= 3
            && string_value(&call.args[1].expr).is_some()
            && string_value(&call.args[0].expr).is_none()
            && call.args[0].spread.is_none();
        if target_first {
            return Site {
                once: method == "one",
                ..Site::from_args(&call.args[0].expr, call, 1)
            };
        }
        Site {
            once: ONCE_METHODS.contains(&method),
            self_removing: removes_itself(method, &call.args),
            capture: captures(method, &call.args),
            ..Site::from_args(object, call, 0)
        }
    }

    /// `config.cancelToken.promise.then(onCanceled)`: a cancel token's promise settles only when
    /// the token is cancelled, so a callback on it is a `once` listener on the token, which a
    /// caller may reuse for many requests.
    fn of_cancel_token(call: &'a CallExpr, object: &'a Expr, method: &str) -> Option<Site<'a>> {
        let Expr::Member(promise) = unwrap(object) else {
            return None;
        };
        let token = matches!(unwrap(&promise.obj), Expr::Member(m) if prop_name(&m.prop).is_some_and(|p| p == "cancelToken"));
        (method == "then" && token && prop_name(&promise.prop).is_some_and(|p| p == "promise"))
            .then(|| Site {
                once: true,
                ..Site::plain(&promise.obj, None, call.args.first().map(|a| &*a.expr))
            })
    }

    /// `request.setTimeout(ms, onTimeout)` on an HTTP request (a name that says so): Node adds
    /// `onTimeout` as a `once('timeout')` listener, fed by the request's socket.
    fn of_request_timeout(call: &'a CallExpr, object: &'a Expr, method: &str) -> Option<Site<'a>> {
        let Expr::Ident(request) = unwrap(object) else {
            return None;
        };
        let name = &*request.sym;
        let names_a_request = matches!(name, "req" | "request") || name.ends_with("Request");
        let [delay, listener] = &call.args[..] else {
            return None;
        };
        let takes_a_delay = !matches!(unwrap(&delay.expr), Expr::Fn(_) | Expr::Arrow(_));
        (method == "setTimeout" && names_a_request && takes_a_delay).then(|| Site {
            once: true,
            timeout_of_request: true,
            fixed_event: Some("timeout"),
            ..Site::plain(object, None, Some(&*listener.expr))
        })
    }

    fn event_key(&self, text: &str) -> String {
        match self.fixed_event {
            Some(event) => format!("'{event}'"),
            None => event_key(text, self.event),
        }
    }

    /// `compiler.hooks.done.tap('Plugin', fn)` (tapable, webpack's hooks): a tap on a hook,
    /// named by the plugin's name. Tapable has no way to take a tap off again.
    fn of_tap(call: &'a CallExpr, object: &'a Expr, method: &str) -> Option<Site<'a>> {
        if !matches!(method, "tap" | "tapAsync" | "tapPromise") || call.args.len() != 2 {
            return None;
        }
        let Expr::Member(hook) = unwrap(object) else {
            return None;
        };
        let on_hooks = matches!(unwrap(&hook.obj), Expr::Member(m) if prop_name(&m.prop).is_some_and(|p| p == "hooks"));
        on_hooks.then(|| Site::from_args(object, call, 0))
    }

    /// Backbone's `view.listenTo(model, 'change', f)` and `listenToOnce`, and the matching
    /// `stopListening(model, 'change', f)`: the target comes first.
    fn of_listen_to(call: &'a CallExpr, method: &str) -> Option<Site<'a>> {
        if !matches!(method, "listenTo" | "listenToOnce" | "stopListening") || call.args.is_empty()
        {
            return None;
        }
        Some(Site {
            once: method == "listenToOnce",
            listen_to: true,
            ..Site::from_args(&call.args[0].expr, call, 1)
        })
    }

    /// Node's `events.addAbortListener(signal, f)` (also imported by name): an `'abort'`
    /// listener on the signal, released by disposing of the result it returns.
    fn of_abort_listener(call: &'a CallExpr) -> Option<Site<'a>> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let named = match unwrap(callee) {
            Expr::Ident(ident) => &*ident.sym == "addAbortListener",
            Expr::Member(member) => {
                prop_name(&member.prop).is_some_and(|p| p == "addAbortListener")
            }
            _ => false,
        };
        let [signal, listener] = &call.args[..] else {
            return None;
        };
        named.then(|| Site {
            once: true,
            fixed_event: Some("abort"),
            ..Site::plain(&signal.expr, None, Some(&*listener.expr))
        })
    }

    /// The key of the listener it names, with the phase it listens in.
    fn listener_key(&self, semantic: &Semantic, text: &str) -> Option<String> {
        let key = listener_key(semantic, text, self.listener?)?;
        Some(if self.capture {
            format!("{key}{CAPTURE}")
        } else {
            key
        })
    }

    fn of_wrapper(call: &'a CallExpr, wrapper: Wrapper) -> Option<Site<'a>> {
        Some(Site {
            once: wrapper.once,
            ..Site::plain(
                &call.args.get(wrapper.receiver)?.expr,
                call.args.get(wrapper.event),
                call.args.get(wrapper.listener).map(|a| &*a.expr),
            )
        })
    }
}

impl RepeatedListener {
    /// A call of a library function the configuration names (`listen_functions`,
    /// `unlisten_functions`), as the wrapper it is.
    fn configured_wrapper(&self, call: &CallExpr) -> Option<Wrapper> {
        if self.listen_functions.is_empty() && self.unlisten_functions.is_empty() {
            return None;
        }
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let path = dotted_path(callee)?;
        let named = |names: &[String]| names.iter().any(|name| ends_with_name(&path, name));
        if named(&self.listen_functions) {
            Some(Wrapper::adds(false))
        } else if named(&self.unlisten_functions) {
            Some(Wrapper::removes())
        } else {
            None
        }
    }

    fn registration(&mut self, cx: &Context, call: &CallExpr, mut site: Site) {
        let semantic = cx.semantic;
        if semantic.in_root_component(call.span) {
            return;
        }
        if site.self_removing
            && once_for_a_fired_event(&call.args)
            && semantic.in_mount_phase(call.span)
        {
            site.self_removing = false;
        }
        let dropped = semantic.result_dropped(call.span)
            || self.chained.contains(&(call.span.lo, call.span.hi));
        if !dropped {
            return;
        }
        // Whatever this registration's receiver chain registers is dropped with it.
        if let Expr::Call(inner) = unwrap(site.receiver) {
            if method_call(inner).is_some_and(|(_, m)| REGISTRATION_METHODS.contains(&&**m)) {
                self.chained.insert((inner.span.lo, inner.span.hi));
            }
        }
        // A guard kept on a parameter's object still lets each object's call through, which
        // matters for what the objects share (below).
        let per_object_guard = semantic.guarded_per_object(call.span);
        if (semantic.behind_run_once_guard(call.span) && per_object_guard.is_none())
            || !semantic.runs_many_times(call.span)
        {
            return;
        }
        let Some(receiver) = receiver(semantic, site.receiver, &mut self.chain_receivers) else {
            return;
        };
        if !site.self_removing
            && !site.once
            && created_by_the_call(semantic, call.span, site.listener)
        {
            self.fresh.push(Registration {
                span: registration_span(cx, call),
                receiver_text: receiver_text(semantic, &receiver),
                event: site.event_key(cx.text),
                listener: site.listener_key(semantic, cx.text),
                shared_connection: None,
                once: false,
                receiver: receiver.clone(),
                in_effect: false,
                in_component: false,
                removed_off_unmount: false,
                rerun: None,
                received: None,
                per_instance: None,
                called_elsewhere: None,
                on_a_host: false,
                left_by: None,
                removed_by: None,
                listen_to: site.listen_to,
            });
        }
        let shared = semantic.is_shared_connection(&receiver, call.span).or(site
            .timeout_of_request
            .then_some(Shared::Connection("socket")));
        // Behind a guard kept on a parameter's object (`if (req[seen]) return;`): once per
        // object, as run-once code is, except for a connection the object shares with others.
        if per_object_guard.is_some() && shared.is_none() {
            return;
        }
        let long_lived = outlives_the_call(semantic, &receiver)
            || shared.is_some()
            || semantic.is_app_wide(&receiver)
            || semantic.is_injected_service(&receiver, call.span);
        if let Some(listener) = site.listener_key(semantic, cx.text) {
            let listener = listener_function(&listener).to_string();
            self.listener_sites_by_listener
                .entry(listener.clone())
                .or_default()
                .push(self.listener_sites.len());
            self.listener_sites.push(ListenerSite {
                listener,
                receiver: receiver_text(semantic, &receiver),
                event: site.event_key(cx.text),
                long_lived,
                function: semantic.function_scope_at(call.span),
            });
        }
        // `signal.addEventListener('abort', f, { once: true })` is removed only when the signal
        // aborts, which a signal shared by many requests may never do.
        if matches!(shared, Some(Shared::Signal(_))) && once_option_only(&call.args) {
            site.self_removing = false;
            site.once = true;
        }
        let rerun = if long_lived {
            None
        } else {
            rerun_on_a_kept_member(semantic, call.span, &receiver)
        };
        let received = if long_lived || rerun.is_some() {
            None
        } else {
            received_by_each_instance(semantic, call.span, &receiver)
        };
        if !(long_lived || rerun.is_some() || received.is_some()) || site.self_removing {
            return;
        }
        let (per_instance, called_elsewhere) =
            match once_per_instance(semantic, call.span, long_lived, &shared) {
                Some(PerInstance::Once) => return,
                Some(PerInstance::Each(class)) => (Some(class), None),
                Some(PerInstance::CalledElsewhere(class, method)) => (None, Some((class, method))),
                None => (None, None),
            };
        self.registrations.push(Registration {
            received,
            per_instance,
            called_elsewhere,
            on_a_host: matches!(&receiver, Holder::Path(Root::Binding(id), props)
                if props.is_empty() && semantic.is_host_of_a_hook(*id).is_some()),
            left_by: None,
            removed_by: None,
            listen_to: site.listen_to,
            span: registration_span(cx, call),
            receiver_text: receiver_text(semantic, &receiver),
            event: site.event_key(cx.text),
            listener: site.listener_key(semantic, cx.text),
            shared_connection: shared,
            once: site.once,
            receiver,
            in_effect: semantic.in_effect(call.span),
            in_component: semantic.in_component(call.span) && !semantic.in_effect(call.span),
            removed_off_unmount: false,
            rerun,
        });
    }

    /// `all`: `removeAllListeners`. `off_removes_all`: `.off(event)` without a function, which
    /// removes every listener for the event (jQuery, and emitters whose `off` takes one).
    fn removal(&mut self, cx: &Context, site: Site, all: bool, off_removes_all: bool) {
        let Some(holder) = receiver(cx.semantic, site.receiver, &mut self.chain_receivers) else {
            return;
        };
        // Written, but in a function nothing calls (a cleanup the effect does not return).
        if cx.semantic.never_runs(site.receiver.span()) {
            return;
        }
        let release = Release {
            holder,
            event: if all && site.event.is_none() {
                None
            } else {
                Some(event_key(cx.text, site.event))
            },
            function: if all || (site.listener.is_none() && site.event.is_some() && off_removes_all)
            {
                Released::Any
            } else {
                match site.listener_key(cx.semantic, cx.text) {
                    Some(key) => Released::Function(key),
                    None => Released::Nothing,
                }
            },
        };
        if cx.semantic.on_unmount_path(site.receiver.span()) {
            self.unmount_removals.record(release.clone());
        }
        self.direct_removals_by_holder
            .add(&release, self.direct_removals.len());
        self.direct_removals.push((
            release.clone(),
            cx.semantic.function_scope_at(site.receiver.span()),
            site.receiver.span().lo,
        ));
        let function_name = cx
            .semantic
            .function_scope_at(site.receiver.span())
            .and_then(|scope| cx.semantic.function_name(scope));
        match function_name {
            Some(name) => {
                let at = self.removals_by_function.len();
                self.function_removals_by_holder.add(&release, at);
                let by_name = self.function_removals_by_name.entry(name.to_string());
                by_name.or_default().push(at);
                self.removals_by_function
                    .push((release.clone(), name.clone()));
            }
            None => self.anonymous_removals.record(release.clone()),
        }
        if cx.semantic.in_listener(site.receiver.span()) {
            self.listener_removals.record(release.clone());
        } else if let Some(name) = function_name {
            self.named_removals.push((release.clone(), name.clone()));
        }
        self.removals.record(release);
    }
}

/// Events after which an emitter is done: a listener left for another event goes with it.
const TERMINAL_EVENTS: &[&str] = &[
    "'error'",
    "'close'",
    "'end'",
    "'exit'",
    "'finish'",
    "'destroy'",
    "'abort'",
];

/// The function a listener key names (`this._onRow` → `_onRow`, `onRow@12` → `onRow`).
fn listener_function(key: &str) -> &str {
    let name = key.split_once('@').map_or(key, |(name, _)| name);
    name.strip_prefix("this.").unwrap_or(name)
}

impl RepeatedListener {
    /// Does the function named `function` remove the listener `acquisition` describes (on
    /// any path to its receiver)?
    fn removes_in(&self, function: &str, acquisition: &Acquisition) -> bool {
        let Some(of_function) = self.function_removals_by_name.get(function) else {
            return false;
        };
        of_function.iter().any(|&at| {
            let (release, _) = &self.removals_by_function[at];
            release.undoes(acquisition) || release.undoes_through_any_holder(acquisition)
        })
    }

    /// The removals made in named functions that could undo the acquisition, in order.
    fn function_removals_for(
        &self,
        acquisition: &Acquisition,
    ) -> impl Iterator<Item = &(Release, Atom)> {
        let candidates = self.function_removals_by_holder.candidates(acquisition);
        candidates
            .into_iter()
            .map(|at| &self.removals_by_function[at])
    }

    /// `con.once('noData', onNoData); con.once('row', onRow)` in one function, where `onRow`
    /// removes the 'noData' listener and `onNoData` does not remove the 'row' one: the file
    /// shows the two events are alternatives, so each time 'noData' comes first the 'row'
    /// listener stays, for an event that will not come for it. The alternative's event and
    /// listener, unless the alternative ends the emitter (`'error'`, `'close'`).
    fn left_by_an_alternative(
        &self,
        cx: &Context,
        registration: &Registration,
    ) -> Option<(String, String)> {
        let listener = listener_function(registration.listener.as_deref()?);
        let function = cx.semantic.function_scope_at(registration.span);
        let this_one = Acquisition {
            holder: &registration.receiver,
            event: Some(&registration.event),
            function: registration.listener.as_deref(),
        };
        self.registrations
            .iter()
            .filter(|other| {
                other.once
                    && other.span != registration.span
                    && other.event != registration.event
                    && other.receiver_text == registration.receiver_text
                    && !TERMINAL_EVENTS.contains(&other.event.as_str())
                    && cx.semantic.function_scope_at(other.span) == function
            })
            .find_map(|other| {
                let other_listener = listener_function(other.listener.as_deref()?);
                let that_one = Acquisition {
                    holder: &other.receiver,
                    event: Some(&other.event),
                    function: other.listener.as_deref(),
                };
                (self.removes_in(listener, &that_one)
                    && !self.removes_in(other_listener, &this_one))
                .then(|| (other.event.clone(), other_listener.to_string()))
            })
    }

    /// `PouchDB.once('destroyed', onAny); self.once('destroyed', onOwn)` where only `onOwn`
    /// removes the `PouchDB` listener: the removal runs only when `self`, an emitter that does
    /// not outlive the call, fires its event; one that never does (closed, not destroyed)
    /// leaves the listener on the long-lived one. The emitter, event and listener that remove
    /// it, when every removal of the registration is such a listener, made beside it.
    fn removed_only_by_a_shorter_lived_emitter(
        &self,
        cx: &Context,
        registration: &Registration,
    ) -> Option<(String, String, String)> {
        let acquisition = Acquisition {
            holder: &registration.receiver,
            event: Some(&registration.event),
            function: registration.listener.as_deref(),
        };
        let matches = |release: &Release| release.undoes(&acquisition);
        let mut removers = self
            .function_removals_for(&acquisition)
            .filter(|(release, _)| matches(release))
            .map(|(_, name)| name)
            .peekable();
        removers.peek()?;
        // A removal outside any named function may be anywhere.
        if self.anonymous_removals.released_by(&acquisition).is_some() {
            return None;
        }
        let function = cx.semantic.function_scope_at(registration.span);
        let mut found = None;
        for remover in removers {
            // Called directly too (`close() { onOwn(); }`): it runs on another path as well.
            if cx.semantic.calls_a_function_named(remover) {
                return None;
            }
            let sites = self.listener_sites_by_listener.get(&**remover);
            let mut sites = sites
                .into_iter()
                .flatten()
                .map(|&at| &self.listener_sites[at]);
            let site = sites.find(|site| {
                !site.long_lived
                    && site.receiver != registration.receiver_text
                    && site.function == function
            })?;
            found = Some((
                site.receiver.clone(),
                site.event.clone(),
                site.listener.clone(),
            ));
        }
        found
    }

    /// `this._onKey = onKey` and a removal of `this._onKey`: removed by the name it is kept
    /// under, in the same phase.
    fn released_by_a_kept_name(
        &self,
        registration: &Registration,
        acquisition: &Acquisition,
    ) -> bool {
        let Some(listener) = registration.listener.as_deref() else {
            return false;
        };
        let (function, phase) = match listener.strip_suffix(CAPTURE) {
            Some(function) => (function, CAPTURE),
            None => (listener, ""),
        };
        self.kept_as
            .iter()
            .filter(|(_, kept)| kept == function)
            .any(|(kept_as, _)| {
                let by_kept_name = format!("{kept_as}{phase}");
                let acquisition = Acquisition {
                    function: Some(&by_kept_name),
                    ..*acquisition
                };
                self.removals.released_by(&acquisition).is_some()
            })
    }
}

impl Rule for RepeatedListener {
    fn on_call(&mut self, cx: &Context, call: &CallExpr) {
        // `on(window, 'resize', f)`, `goog.events.listen(…)`: a wrapper of the file or a library
        // (also one the user names).
        let wrapper = self
            .configured_wrapper(call)
            .or_else(|| cx.semantic.wrapper_called(call));
        if let Some(wrapper) = wrapper {
            if let Some(site) = Site::of_wrapper(call, wrapper) {
                if wrapper.removes {
                    self.removal(cx, site, false, false);
                } else {
                    self.registration(cx, call, site);
                }
            }
            return;
        }
        if let Some(site) = Site::of_abort_listener(call) {
            self.registration(cx, call, site);
            return;
        }
        let Some((object, method)) = method_call(call) else {
            return;
        };
        // `bus.on('a', f).emit('ready');`: the registrations the chain made are dropped with it.
        if RETURNS_RECEIVER.contains(&&**method) && cx.semantic.result_dropped(call.span) {
            self.chained.insert((call.span.lo, call.span.hi));
        }
        if RETURNS_RECEIVER.contains(&&**method)
            && self.chained.contains(&(call.span.lo, call.span.hi))
        {
            if let Expr::Call(inner) = unwrap(object) {
                self.chained.insert((inner.span.lo, inner.span.hi));
            }
        }
        if REGISTRATION_METHODS.contains(&&**method) {
            self.registration(cx, call, Site::of_method(call, object, method));
        } else if let Some(site) = Site::of_cancel_token(call, object, method)
            .or_else(|| Site::of_request_timeout(call, object, method))
            .or_else(|| Site::of_tap(call, object, method))
        {
            self.registration(cx, call, site);
        } else if method == "stopListening" && call.args.is_empty() {
            // Every `listenTo` of the object, on every target.
            self.stops_listening_to_all = true;
        } else if let Some(site) = Site::of_listen_to(call, method) {
            if method == "stopListening" {
                self.removal(cx, site, call.args.len() == 1, call.args.len() == 2);
            } else {
                self.registration(cx, call, site);
            }
        } else if REMOVAL_METHODS.contains(&&**method)
            || method == "removeAllListeners"
            || self.removal_methods.iter().any(|m| m == &**method)
        {
            let all = method == "removeAllListeners";
            self.removal(
                cx,
                Site::of_method(call, object, method),
                all,
                matches!(&**method, "off" | "$off"),
            );
        }
    }

    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {
        let AssignTarget::Simple(target) = &assign.left else {
            return;
        };
        // The listener's key first: most assignments keep no name (a call, a literal), and the
        // kept name's key is a formatted string.
        let Some(listener) = listener_key(cx.semantic, cx.text, &assign.right) else {
            return;
        };
        let kept = match target {
            SimpleAssignTarget::Ident(ident) => name_key(cx.semantic, &ident.id),
            SimpleAssignTarget::Member(member) => squeezed_text(cx.text, member.span),
            _ => return,
        };
        self.kept_as.push((kept, listener));
    }

    fn finish(&mut self, ctx: &mut Context) {
        // A removal in a function that is itself a listener (`end()` added for `mouseup`): the
        // listeners' keys, a name's without its binding's position.
        let listeners: FxHashSet<&str> = self
            .registrations
            .iter()
            .filter_map(|r| r.listener.as_deref())
            .map(|key| key.split_once('@').map_or(key, |(name, _)| name))
            .collect();
        for (release, function) in std::mem::take(&mut self.named_removals) {
            let member = format!("this.{function}");
            if listeners.contains(member.as_str()) || listeners.contains(&*function) {
                self.listener_removals.record(release);
            }
        }
        for registration in std::mem::take(&mut self.fresh) {
            let acquisition = Acquisition {
                holder: &registration.receiver,
                event: Some(&registration.event),
                function: registration.listener.as_deref(),
            };
            // Removed before it is added, by the same run of the same function: meant for the
            // listener an earlier run added. (A removal after it, on an error path, or in a
            // closure the function leaves behind, names the right one.)
            let function = ctx.semantic.function_scope_at(registration.span);
            let direct = self.direct_removals_by_holder.candidates(&acquisition);
            let mut direct = direct.into_iter().map(|at| &self.direct_removals[at]);
            let removed_here = direct.any(|(release, scope, at)| {
                *scope == function
                    && *at < registration.span.lo
                    && matches!(release.function, Released::Function(_))
                    && release.undoes(&acquisition)
            });
            if removed_here {
                report_fresh(ctx, registration);
            }
        }
        let left_by: Vec<Option<(String, String)>> = self
            .registrations
            .iter()
            .map(|r| {
                r.once
                    .then(|| self.left_by_an_alternative(ctx, r))
                    .flatten()
            })
            .collect();
        let removed_by: Vec<Option<(String, String, String)>> = self
            .registrations
            .iter()
            .map(|r| {
                (!r.in_component)
                    .then(|| self.removed_only_by_a_shorter_lived_emitter(ctx, r))
                    .flatten()
            })
            .collect();
        for ((mut registration, left_by), removed_by) in std::mem::take(&mut self.registrations)
            .into_iter()
            .zip(left_by)
            .zip(removed_by)
        {
            if left_by.is_some() {
                registration.left_by = left_by;
                report(ctx, registration);
                continue;
            }
            if removed_by.is_some() && !registration.in_component {
                registration.removed_by = removed_by;
                report(ctx, registration);
                continue;
            }
            let acquisition = Acquisition {
                holder: &registration.receiver,
                event: Some(&registration.event),
                function: registration.listener.as_deref(),
            };
            // Also by any name the listener is kept under.
            let removed = self.removals.released_by(&acquisition).is_some();
            let released = removed
                || (registration.listen_to && self.stops_listening_to_all)
                || ((registration.shared_connection.is_some() || registration.on_a_host)
                    && self
                        .removals
                        .released_through_any_holder(&acquisition)
                        .is_some())
                || self.released_by_a_kept_name(&registration, &acquisition);
            // Removed when it closes, but a component can unmount while open.
            let off_unmount = removed
                && registration.in_component
                && self.unmount_removals.released_by(&acquisition).is_none()
                && self.listener_removals.released_by(&acquisition).is_none()
                && !self.released_by_a_kept_name(&registration, &acquisition)
                && !ctx.semantic.unmount_may_release(registration.span);
            let deduplicated = || {
                ctx.semantic
                    .registered_once_per_receiver(registration.span, &registration.receiver_text)
            };
            if off_unmount || (!released && !deduplicated()) {
                let mut registration = registration;
                registration.removed_off_unmount = off_unmount;
                report(ctx, registration);
            }
        }
    }
}

/// `cm.off('blur', clear); cm.on('blur', clear)` with `clear` created by the call: the removal
/// removes a function that was never added.
fn report_fresh(ctx: &mut Context, registration: Registration) {
    let function = registration
        .listener
        .as_deref()
        .map(|key| key.split_once('@').map_or(key, |(name, _)| name))
        .unwrap_or("the listener");
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(registration.span),
        message: format!(
            "a listener for {} is added to `{}` as `{function}`, a function created anew on every call: the removal of `{function}` in this function removes the one this call made, never the one an earlier call added, so each call leaves another listener on `{}`",
            registration.event, registration.receiver_text, registration.receiver_text
        ),
        labels: Vec::new(),
        help: Some(format!("create `{function}` once, outside this function (or keep it, e.g. on the receiver's state), so that the removal names the function that was added")),
        severity: None,
        subject: Some(Subject::Listener {
            receiver: registration.receiver_text,
            event: registration.event,
        }),
    });
}

fn report(ctx: &mut Context, registration: Registration) {
    let label = match &registration.receiver {
        Holder::Path(Root::Binding(binding), _) => {
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
    let lives = match registration.shared_connection {
        Some(Shared::Connection(connection)) => format!(
            "the {connection} is shared with every other request on the same connection (keep-alive), so they pile up for as long as it stays open"
        ),
        Some(Shared::Signal(signal)) => format!(
            "the caller's `{signal}` may serve many requests (one controller for all of them), and it keeps every listener, and what its closure holds, until it fires"
        ),
        None => format!(
            "listeners, and what their closures hold, pile up for as long as `{}` lives",
            registration.receiver_text
        ),
    };
    let lives = match &registration.rerun {
        Some((method, _)) => format!(
            "`{method}` runs again on the same instance (a reconnect or a retry) and keeps `{}`, so every run adds another listener to the same emitter",
            registration.receiver_text
        ),
        None => lives,
    };
    // A callback on a cancel token's promise has no event name: it waits for the cancel.
    let (listener, fires) = if registration.event == "''" {
        (
            "a callback".to_string(),
            "the token is cancelled".to_string(),
        )
    } else {
        (
            format!("a listener for {}", registration.event),
            format!("{} fires", registration.event),
        )
    };
    let lives = match (&registration.removed_by, &registration.left_by) {
        (Some((emitter, event, function)), _) => format!(
            "only `{function}` removes it, and it runs when `{emitter}` fires {event}; `{emitter}` does not outlive the call, and one that never fires it (closed or dropped instead) leaves this listener, and what its closure holds, on `{}` for as long as it lives",
            registration.receiver_text
        ),
        _ => lives,
    };
    let lives = match &registration.left_by {
        Some((event, function)) => format!(
            "`{function}` does not remove it, though this listener removes the {event} one (the two are alternatives), so it waits for {}, which will not come for it; each call on that path leaves another, and {lives}",
            registration.event
        ),
        None if registration.once && registration.removed_by.is_none() => format!(
            "a `once` listener is removed only when {fires}, so each call before that (or every call, if it never comes) adds another; {lives}"
        ),
        None => lives,
    };
    let effect = if registration.in_effect {
        "; this effect returns no cleanup that removes it"
    } else {
        ""
    };
    let (label, severity) = match &registration.rerun {
        Some((method, again)) => (
            Some(Label {
                range: Range::from_span(*again),
                message: format!("`{method}` runs again here, on the same instance"),
            }),
            // The instance may live briefly; what piles up is bounded by how often it reruns.
            Some(Severity::Warn),
        ),
        // Whether the shorter-lived emitter fires is up to the code that uses it.
        None if registration.removed_by.is_some() => (label, Some(Severity::Warn)),
        // Whether one signal serves many calls is the caller's to say (a signal made per call
        // takes its listeners with it); a once-listener stays only until the signal fires.
        None if matches!(registration.shared_connection, Some(Shared::Signal(_))) => {
            (label, Some(Severity::Warn))
        }
        // How many instances share one, or are made at all, is the caller's to say.
        None if registration.received.is_some()
            || registration.per_instance.is_some()
            || registration.called_elsewhere.is_some() =>
        {
            (label, Some(Severity::Warn))
        }
        None => (label, None),
    };
    let when = match (&registration.rerun, &registration.received) {
        (Some((method, _)), _) => format!("each time `{method}` runs"),
        (None, Some((_, class))) => format!("each time a `{class}` is constructed"),
        (None, None) if registration.per_instance.is_some() => format!(
            "for each {} made",
            registration.per_instance.as_deref().unwrap_or_default()
        ),
        (None, None) if registration.called_elsewhere.is_some() => {
            let (_, method) = registration.called_elsewhere.as_ref().unwrap();
            format!("each time `{method}` runs")
        }
        _ => "on every call".to_string(),
    };
    let lives = match &registration.received {
        Some((member, class)) => format!(
            "`{member}` is handed to the constructor, so every `{class}` made with the same one adds another listener, and the `{member}` keeps each of those instances reachable for as long as it lives"
        ),
        None => match &registration.per_instance {
            Some(class) => format!(
                "every {class} adds another, and `{}` keeps each one, and the instance its closure holds, for as long as it lives: bounded only if few are made",
                registration.receiver_text
            ),
            None => match &registration.called_elsewhere {
                Some((class, method)) => format!(
                    "this file makes one `{class}`, but nothing here calls `{method}`: code elsewhere (a base class, a caller) decides how often it runs, and each run adds another to `{}`",
                    registration.receiver_text
                ),
                None => lives,
            },
        },
    };
    if registration.removed_off_unmount {
        return report_removed_off_unmount(ctx, registration);
    }
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(registration.span),
        message: format!(
            "{listener} is added to `{}` {when}, and {}{effect}: {lives}",
            registration.receiver_text,
            match (&registration.left_by, &registration.removed_by) {
                (Some((event, _)), _) => format!("nothing removes it when {event} comes first"),
                (None, Some((emitter, _, _))) => format!("only `{emitter}` decides when it goes"),
                (None, None) => "nothing removes it".to_string(),
            }
        ),
        labels: label.into_iter().collect(),
        help: Some("register it once (at module level or behind a run-once guard), use `once`, pass `{ signal }` and abort it, or remove it with `off`/`removeListener`/`removeEventListener` and the same function".into()),
        severity,
        subject: Some(Subject::Listener {
            receiver: registration.receiver_text,
            event: registration.event,
        }),
    });
}

/// The removal exists, but only on a path the component may never take before it unmounts (it
/// closes, blurs or deactivates): unmounted while open, it leaves the listener behind. A
/// warning: how often that happens depends on how the component is used.
fn report_removed_off_unmount(ctx: &mut Context, registration: Registration) {
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(registration.span),
        message: format!(
            "a listener for {} is added to `{}` by this component and removed only on another path (when it closes or deactivates), not when the component unmounts: each instance unmounted while the listener is on leaves it, and the component its closure holds, on `{}`",
            registration.event, registration.receiver_text, registration.receiver_text
        ),
        labels: Vec::new(),
        help: Some("remove it in the unmount hook too (`onBeforeUnmount`, `beforeDestroy`, `componentWillUnmount`, `ngOnDestroy`, `disconnectedCallback`), or call the method that removes it from there".into()),
        severity: Some(Severity::Warn),
        subject: Some(Subject::Listener {
            receiver: registration.receiver_text,
            event: registration.event,
        }),
    });
}

#[cfg(test)]
mod tests {
    use crate::testing::Tester;

    #[test]
    fn passes() {
        Tester::new(&super::META).passes(&[
            // Library forms: Backbone's stopListening() undoes every listenTo; a disposable
            // from addAbortListener that is kept; a plugin's taps in its apply(compiler).
            ("const app = require('./app'); module.exports = { render(view) { view.listenTo(app.session, 'change', view.render); }, remove(view) { view.stopListening(); } };", "a.js"),
            ("const app = require('./app'); module.exports = function render(view) { view.listenTo(app.session, 'change', view.render); view.once('remove', () => view.stopListening(app.session, 'change')); };", "a.js"),
            ("import { addAbortListener } from 'node:events'; const stop = new AbortController(); export function track(job) { const d = addAbortListener(stop.signal, () => job.cancel()); job.finally(() => d[Symbol.dispose]()); }", "a.mjs"),
            ("class P { apply(compiler) { compiler.hooks.done.tap('P', (stats) => this.report(stats)); } } module.exports = P;", "a.js"),
            // A guard kept on a parameter's object guards what goes on `process` too.
            ("function install(app) { if (app._wired) return; app._wired = true; process.on('SIGTERM', () => app.close()); } module.exports = install;", "a.js"),
            // The other side removes every 'row' listener; the remover also runs directly.
            ("Q.prototype.submit = function (con) { this.con = con; con.once('noData', this.onNone); con.once('row', this.onRow); }; Q.prototype.onNone = function () { this.con.removeAllListeners('row'); }; Q.prototype.onRow = function () { this.con.removeListener('noData', this.onNone); }; module.exports = Q;", "a.js"),
            ("function prepare(self) { function onAny() {} function onOwn() { Db.removeListener('gone', onAny); } Db.once('gone', onAny); self.once('gone', onOwn); self.close = () => onOwn(); } function Db() { prepare(this); } module.exports = Db;", "a.js"),
            // A guard kept on the hook's host adds its listener once per host.
            ("Q.prototype.submit = function (connection) { if (connection._hooked) return; connection._hooked = true; connection.on('notice', this.onNotice); }; module.exports = Q;", "a.js"),
            // A removal by a listener of the same long-lived emitter (a gesture's mouseup), or
            // one that also runs elsewhere.
            ("module.exports = function drag() { function move() {} function up() { document.removeEventListener('mousemove', move); } document.addEventListener('mousemove', move); document.addEventListener('mouseup', up, { once: true }); };", "a.js"),
            ("const Registry = require('./registry'); module.exports = function track(db) { function onGlobal() {} function onOwn() { Registry.removeListener('gone', onGlobal); } Registry.once('gone', onGlobal); db.once('gone', onOwn); db.close = () => Registry.removeListener('gone', onGlobal); };", "a.js"),
            // Alternatives that remove each other, or whose other side ends the emitter.
            ("Q.prototype.submit = function (con) { con.once('noData', this.onNone); con.once('row', this.onRow); }; Q.prototype.onNone = function () { this.con.removeListener('row', this.onRow); }; Q.prototype.onRow = function () { this.con.removeListener('noData', this.onNone); }; module.exports = Q;", "a.js"),
            ("Q.prototype.submit = function (con) { this.con = con; con.once('error', this.onError); con.once('row', this.onRow); }; Q.prototype.onError = function () {}; Q.prototype.onRow = function () { this.con.removeListener('error', this.onError); }; Q.prototype.fail = function () { this.con.removeListener('row', this.onRow); }; module.exports = Q;", "a.js"),
            // A signal listener removed when the request settles; a socket the instance is given
            // whole (one wrapper per socket); a socket the call opens itself.
            ("export function get(url, signal) { const onAbort = () => {}; signal.addEventListener('abort', onAbort, { once: true }); return fetchIt(url).finally(() => signal.removeEventListener('abort', onAbort)); }", "a.mjs"),
            ("export class Conn { constructor(socket) { this.socket = socket; } start() { this.socket.on('data', (d) => this.read(d)); } read() {} }", "a.mjs"),
            ("const net = require('net'); module.exports = (port) => { const socket = net.connect(port); socket.on('data', (d) => console.log(d)); };", "a.js"),
            // A function made per call, removed after it is added (on an error path, or by a
            // closure the call leaves behind): the right one.
            ("module.exports = function (canvas) { function onLost() {} canvas.addEventListener('webglcontextlost', onLost); try { init(); } catch (e) { canvas.removeEventListener('webglcontextlost', onLost); throw e; } return () => canvas.removeEventListener('webglcontextlost', onLost); };", "a.js"),
            // Added only when not there yet, or only when the connection changed.
            ("module.exports = (app) => (req, res) => { const ctx = new app.Context(req, res); if (!~ctx.socket.listeners('error').indexOf(app.onerror)) { ctx.socket.on('error', app.onerror); } };", "a.js"),
            ("function C() {} C.prototype.connect = function (req) { const changed = this.connection != req.connection; if (changed) { this.connection = req.connection; this.connection.on('end', () => this.close()); } }; module.exports = C;", "a.js"),
            // A factory's own `setup` is not a component's: its removal in `reset` counts.
            ("module.exports = function Controller(config) { const bus = Bus(config.context).getInstance(); function onAdd() {} function setup() { bus.on('add', onAdd); } function reset() { bus.off('add', onAdd); } setup(); return { reset }; };", "a.js"),
            // Created once, or handed a client it removes its listener from.
            ("class Query { constructor(client) { this.client = client; this.client.on('error', this.fail); } fail() {} destroy() { this.client.off('error', this.fail); } } module.exports = Query;", "a.js"),
            ("class App { constructor(server) { this.server = server; this.server.on('request', (r) => this.handle(r)); } handle() {} } const app = new App(require('http').createServer()); app.handle();", "a.js"),
            // An optional removal removes.
            ("const f = () => {}; export function track() { window.addEventListener('resize', f); } export function stop() { window?.removeEventListener('resize', f); }", "a.mjs"),
            // Removed at destroy; a class without Angular's hooks is not a component.
            ("export class Banner { constructor(private alerts: AlertService) {} ngOnInit() { this.alerts.on('alert', this.show); } ngOnDestroy() { this.alerts.off('alert', this.show); } show() {} }", "a.ts"),
            ("export class Client { constructor(private socket: Socket) {} start() { this.socket.on('data', (d) => this.take(d)); } take(d) {} }", "a.ts"),
            // A Vue component's listener on the root instance, removed at unmount; its own events.
            ("export default { created() { this.$root.$on('refresh', this.reload); }, beforeDestroy() { this.$root.$off('refresh', this.reload); }, methods: { reload() {} } };", "a.mjs"),
            ("export default { created() { this.$eventHub.$on('select', this.pick); }, beforeDestroy() { this.$eventHub.$off('select'); }, methods: { pick() {} } };", "a.mjs"),
            ("export default { mounted() { this.$on('close', () => this.hide()); }, methods: { hide() {} } };", "a.mjs"),
            // Removed when it closes, and at unmount too (directly or through the method).
            ("import { watch, onBeforeUnmount } from 'vue'; export default { setup(props) { const onKey = () => {}; watch(() => props.open, (open) => { if (open) window.addEventListener('keydown', onKey); else window.removeEventListener('keydown', onKey); }); onBeforeUnmount(() => window.removeEventListener('keydown', onKey)); } };", "a.mjs"),
            ("export class Menu extends React.Component { open() { document.addEventListener('click', this.close); } close = () => { document.removeEventListener('click', this.close); }; componentWillUnmount() { this.close(); } render() { return null; } }", "a.jsx"),
            // `const that = this`: removed through the other name.
            ("export default { mounted() { const that = this; that.$root.$on('refresh', that.reload); }, beforeDestroy() { this.$root.$off('refresh', this.reload); }, methods: { reload() {} } };", "a.mjs"),
            // A drag: the end of the gesture removes what its start added.
            ("export default { methods: { start() { document.addEventListener('mousemove', this.move); document.addEventListener('mouseup', this.end); }, move() {}, end() { document.removeEventListener('mousemove', this.move); document.removeEventListener('mouseup', this.end); } }, mounted() {} };", "a.mjs"),
            ("import { onUnmounted } from 'vue'; export default { setup() { const f = () => {}; function stop() { window.removeEventListener('scroll', f); } function start() { window.addEventListener('scroll', f); } onUnmounted(stop); return { start }; } };", "a.mjs"),
            ("import events from 'dom-helpers/events'; export class M extends React.Component { show() { events.on(window, 'resize', this.onResize); } componentWillUnmount() { events.off(window, 'resize', this.onResize); } render() { return null; } }", "a.jsx"),
            // Removed in the same phase: capture with capture.
            ("export function attach() { const onDown = () => {}; window.addEventListener('pointerdown', onDown, { capture: true }); return () => window.removeEventListener('pointerdown', onDown, true); }", "a.mjs"),
            // Registered once: top level, or a setup function only called from there.
            ("process.on('SIGTERM', shutdown);", "a.js"),
            // A request timeout whose listener is removed when the request is done; a timer's
            // own `setTimeout` on a helper object takes the callback first.
            ("module.exports = (request, ms, cancelers) => { const onTimeout = () => fail(); request.setTimeout(ms, onTimeout); cancelers.push(() => request.removeListener('timeout', onTimeout)); };", "a.js"),
            ("import Delay from './Delay'; export function later(request) { Delay.setTimeout(() => request.abort(), 10); }", "a.mjs"),
            // A host hook that removes what it added, through any path to the host.
            ("export class Layer { onAdd(map) { this.map = map; map.on('zoomend', this.redraw); } onRemove() { this.map.off('zoomend', this.redraw); } redraw() {} }", "a.mjs"),
            // In the constructor (or a method only it calls) of a class made once.
            ("class Registry { constructor() { process.on('exit', () => this.flush()); } flush() {} } module.exports = new Registry();", "a.js"),
            ("class Session { listen() { process.on('message', (m) => this.take(m)); } take() {} } class IpcSession extends Session {} function main() { const s = process.env.IPC ? new IpcSession() : new Session(); s.listen(); } main();", "a.js"),
            // Handed under a key to code that runs once, and called there (a server's start).
            ("function serve() { process.on('uncaughtException', log); } function init() { return { run: serve, args: process.argv }; } function start({ run }) { run(); } start(init());", "a.js"),
            // An event stream: the response is never ended, so its socket serves only it.
            ("module.exports = (req, res) => { req.socket.on('close', onClose); res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write('\\n'); };", "a.js"),
            // A socket the function creates itself, or a connection that is removed from again.
            ("module.exports = function connect(opts) { const socket = net.connect(opts); socket.on('data', onData); return socket; };", "a.js"),
            ("module.exports = (req, res) => { req.socket.on('close', onClose); res.on('finish', () => req.socket.removeListener('close', onClose)); };", "a.js"),
            ("class Call { attach(stream) { this.stream = stream; stream.session.socket.on('close', this.onClose); } end() { this.stream.session.socket.removeListener('close', this.onClose); } } module.exports = Call;", "a.js"),
            // At most one pending `once` at a time: the flag is cleared when it fires.
            ("let paused = false; module.exports = (src, dest) => src.on('data', (d) => { if (!dest.write(d) && !paused) { paused = true; dest.socket.once('drain', () => { paused = false; }); } });", "a.js"),
            // jQuery's `off(event)` removes every handler for the event.
            ("$.fn.sticky = function () { $(window).on('scroll.sticky', onScroll); $(window).off('scroll.sticky'); return this; };", "a.js"),
            ("a.Menu.prototype.open = function () { goog.events.listen(document, 'click', this.close); }; a.Menu.prototype.dispose = function () { goog.events.unlisten(document, 'click', this.close); };", "a.js"),
            // A wrapper's registration removed through the wrapper's counterpart, or made once.
            ("function on(t, e, f) { t.addEventListener(e, f); }\nfunction off(t, e, f) { t.removeEventListener(e, f); }\nexport function Editor() { on(window, 'resize', onResize); off(window, 'resize', onResize); }", "a.js"),
            ("function on(t, e, f) { t.addEventListener(e, f); }\non(window, 'resize', onResize);", "a.js"),
            // Removed through the name it is kept under.
            ("class M { open() { const onKey = (e) => this.close(); window.addEventListener('keydown', onKey, true); this._onKey = onKey; } close() { window.removeEventListener('keydown', this._onKey, true); } } module.exports = M;", "a.js"),
            // Callbacks of one-shot calls in run-once code run once.
            ("new Promise((resolve) => { process.stdin.on('data', (d) => resolve(d)); });", "a.js"),
            ("async function main() { const args = process.argv.slice(2); process.on('SIGINT', stop); } main();", "a.js"),
            ("class Command { _execute(sub) { const child = spawn(process.argv[0], [sub]); ['SIGINT', 'SIGTERM'].forEach((signal) => { process.on(signal, () => child.kill(signal)); }); } } module.exports = Command;", "a.js"),
            ("class Cli { parse(argv = process.argv) { this._run(argv); } _run(a) { process.on('SIGTERM', stop); } } new Cli().parse();", "a.js"),
            ("function install() { process.on('exit', flush); } install();", "a.js"),
            // Receivers created in or passed into the call.
            ("export function handle(req, res) { req.on('data', onData); res.on('finish', done); }", "a.mjs"),
            ("import net from 'node:net'; export function connect() { const socket = net.connect(80); socket.on('data', f); }", "a.mjs"),
            ("server.on('connection', (sock) => { sock.on('data', f); });", "a.js"),
            // once, { once: true }, { signal }.
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
            // A reconnect that replaces the socket (its listeners go with it), removes the old
            // listeners first, or a method that never runs again on its instance.
            ("class Feed { connect() { this.socket = new WebSocket(this.url); this.socket.on('message', (d) => this.handle(d)); this.socket.on('close', () => setTimeout(() => this.connect(), 1000)); } } module.exports = Feed;", "a.js"),
            ("class Feed { connect() { if (this.socket) this.socket.removeAllListeners(); else this.socket = new WebSocket(this.url); this.socket.on('message', this.handle); this.socket.on('close', () => this.connect()); } } module.exports = Feed;", "a.js"),
            ("class Feed { connect() { if (!this.socket) this.socket = new WebSocket(this.url); this.socket.on('message', (d) => this.handle(d)); } } module.exports = Feed;", "a.js"),
            ("class Feed { connect() { this.socket.on('message', this.handle); setTimeout(function () { this.connect(); }, 10); } } module.exports = Feed;", "a.js"),
            ("export function f() { undeclaredEmitter.on('x', g); }", "a.mjs"),
        ]);
    }

    #[test]
    fn fails() {
        Tester::new(&super::META).flags(&[
            // Library forms on long-lived emitters: a tapable hook (no way to untap), Backbone's
            // listenTo, Node's addAbortListener with its disposable dropped.
            ("const app = require('./app'); module.exports = function attach(plugin) { app.hooks.request.tap('Audit', (req) => plugin.log(req)); };", "a.js", &["app.hooks.request.tap"]),
            ("const app = require('./app'); module.exports = function render(view) { view.listenTo(app.session, 'change', view.render); };", "a.js", &["view.listenTo"]),
            ("import { addAbortListener } from 'node:events'; const stop = new AbortController(); export function track(job) { addAbortListener(stop.signal, () => job.cancel()); }", "a.mjs", &["addAbortListener(stop"]),
            // A guard kept on each request runs once per request, and the keep-alive socket
            // behind `request.setTimeout` serves many.
            ("const reentry = Symbol('reentry'); module.exports = (request, ms) => { if (request[reentry]) return; request[reentry] = true; request.setTimeout(ms, () => request.abort()); };", "a.js", &["request.setTimeout"]),
            // Removed only when an emitter that does not outlive the call fires: a database
            // closed without being destroyed leaves its listener on the constructor.
            ("function prepare(self, name) { function onAny(n) { if (n === name) self.emit('destroyed'); } function onOwn() { Db.removeListener('destroyed', onAny); } Db.once('destroyed', onAny); self.once('destroyed', onOwn); } function Db(name) { prepare(this, name); } module.exports = Db;", "a.js", &["Db.once"]),
            // Two once-listeners the file shows are alternatives (each run's 'row' listener
            // removes its 'noData' one), with the removal missing on the 'noData' side; a
            // removal on an error path elsewhere does not cover it.
            ("Q.prototype.submit = function (con) { this.con = con; con.once('noData', this.onNone); con.once('row', this.onRow); }; Q.prototype.onNone = function () {}; Q.prototype.onRow = function () { this.con.removeListener('noData', this.onNone); }; Q.prototype.fail = function () { this.con.removeListener('row', this.onRow); }; module.exports = Q;", "a.js", &["con.once('row'"]),
            ("const bus = require('./bus'); module.exports = function wait() { function onDone() { bus.removeListener('progress', onStep); } function onStep() {} bus.once('progress', onStep); bus.once('done', onDone); };", "a.js", &["bus.once('done'"]),
            // An optional call that runs is a call.
            ("export function track(f) { window?.addEventListener('resize', () => f()); }", "a.mjs", &["window?.addEventListener"]),
            // Connections and signals that outlive the request: a context's socket, the socket a
            // request lends its 'socket' listeners, a member kept from `req.connection`, the
            // caller's signal (kept only until it aborts, with `{ once: true }`: a warning).
            ("module.exports = (app) => (req, res) => { const ctx = new app.Context(req, res); ctx.socket.on('error', app.onerror); };", "a.js", &["ctx.socket.on"]),
            ("module.exports = (request, fail) => { request.on('socket', (socket) => { socket.on('data', (b) => fail(b)); }); };", "a.js", &["socket.on('data'"]),
            ("function C() {} C.prototype.connect = function (req) { this.connection = req.connection; this.connection.on('end', () => this.close()); }; module.exports = C;", "a.js", &["this.connection.on"]),
            ("export class Request { constructor(options) { this.options = options; } run() { this.options.signal?.addEventListener('abort', () => this.destroy()); } }", "a.mjs", &["this.options.signal?.addEventListener"]),
            ("export function get(url, { signal }) { return new Promise((resolve, reject) => { signal.addEventListener('abort', () => reject(), { once: true }); }); }", "a.mjs", &["signal.addEventListener"]),
            // The removal names a function this call creates, so it never removes the one an
            // earlier call added.
            ("module.exports = function (cm, on, old) { function clear() {} if (old) cm.off('blur', clear); if (on) cm.on('blur', clear); };", "a.js", &["cm.on"]),
            // A class that is an emitter itself lives as long as its module.
            ("function Db(name) { var self = this; Db.on('destroyed', function (n) { if (n === name) self.close(); }); } Db.prototype.close = function () {}; module.exports = Db;", "a.js", &["Db.on"]),
            // A local that names a singleton outlives the factory call that gets it.
            ("module.exports = function Controller(config) { const bus = Bus(config.context).getInstance(); function onAdd() {} function setup() { bus.on('add', onAdd); } setup(); return {}; };", "a.js", &["bus.on"]),
            // A constructor that registers on the client (renderer, player…) it is handed: every
            // instance made with the same one adds a listener to it.
            ("var Query = module.exports = function (client) { var self = this; this.client = client; this.client.on('error', function (e) { self.fail(e); }); }; Query.prototype.fail = function () {};", "a.js", &["this.client.on"]),
            ("export class Layer { constructor(map) { this.map = map; this.map.on('zoom', () => this.redraw()); } redraw() {} }", "a.mjs", &["this.map.on"]),
            // An Angular component's injected service outlives the component.
            ("export class Banner { constructor(private alerts: AlertService) {} ngOnInit() { this.alerts.events.addEventListener('alert', (e) => this.show(e)); } show(e) {} }", "a.ts", &["this.alerts.events.addEventListener"]),
            ("export class Banner { alerts = inject(AlertService); ngOnInit() { this.alerts.on('alert', (e) => this.show(e)); } show(e) {} }", "a.ts", &["this.alerts.on"]),
            // The removal is in a cleanup that nothing calls: the effect does not return it.
            ("export function C() { useEffect(() => { const f = () => {}; window.addEventListener('resize', f); () => window.removeEventListener('resize', f); }, []); return null; }", "a.jsx", &["window.addEventListener"]),
            ("export function C() { useEffect(() => { const f = () => {}; window.addEventListener('resize', f); const cleanup = () => window.removeEventListener('resize', f); }, []); return null; }", "a.jsx", &["window.addEventListener"]),
            // The root instance and an app-wide bus outlive every component that adds to them.
            ("export default { created() { this.$root.$on('refresh', this.reload); }, methods: { reload() {} } };", "a.mjs", &["this.$root.$on"]),
            ("export default { mounted() { this.$eventHub.$on('select', (id) => this.items.push(id)); } };", "a.mjs", &["this.$eventHub.$on"]),
            // A removal of another function's own `onResize`, or in the other phase, removes
            // nothing this one added.
            ("export function A() { useEffect(() => { const onResize = () => {}; window.addEventListener('resize', onResize); }, []); return null; }\nexport function B() { useEffect(() => { const onResize = () => {}; window.addEventListener('resize', onResize); return () => window.removeEventListener('resize', onResize); }, []); return null; }", "a.jsx", &["window.addEventListener"]),
            ("export function attach() { const onDown = () => {}; window.addEventListener('pointerdown', onDown, true); return () => window.removeEventListener('pointerdown', onDown); }", "a.mjs", &["window.addEventListener"]),
            // A reconnect that keeps its socket, or its client, and adds listeners to it again.
            ("class Feed { connect() { if (!this.socket) this.socket = new WebSocket(this.url); this.socket.on('message', (d) => this.handle(d)); this.socket.on('close', () => setTimeout(() => this.connect(), 1000)); } } module.exports = Feed;", "a.js", &["this.socket.on('message'", "this.socket.on('close'"]),
            ("class Feed { connect() { this.socket = this.socket || new WebSocket(this.url); this.socket.on('message', this.handle); } retry() { setTimeout(() => this.connect(), 10); } } module.exports = Feed;", "a.js", &["this.socket.on"]),
            ("export class Sub { client = mqtt.connect(url); constructor() { this.client.on('connect', () => this.resubscribe()); } resubscribe() { this.client.on('message', (t, p) => this.dispatch(t, p)); } }", "a.mjs", &["this.client.on('message'"]),
            ("class Poller extends EventEmitter { poll() { this.once('data', this.onData); this.timer = setTimeout(() => this.poll(), 100); } } module.exports = Poller;", "a.js", &["this.once"]),
            // A request's connection outlives the request (keep-alive).
            ("module.exports = function onRequest(ctx) { ctx.socket.on('error', onError); };", "a.js", &["ctx.socket.on"]),
            ("server.on('request', (req, res) => { req.connection.on('close', () => log(req.url)); });", "a.js", &["req.connection.on"]),
            // jQuery and Closure's event helpers.
            ("$.fn.sticky = function () { $(window).on('scroll', () => this.update()); return this; };", "a.js", &["$(window).on"]),
            ("goog.provide('a.Menu'); a.Menu.prototype.open = function () { goog.events.listen(document, 'click', this.close, false, this); };", "a.js", &["goog.events.listen"]),
            // Through a wrapper the file defines.
            ("function on(target, type, fn) { target.addEventListener(type, fn, false); }\nexport function Editor(place) { on(window, 'resize', () => this.refresh()); }", "a.js", &["on(window"]),
            // `once` on a long-lived receiver: removed only when the event comes.
            ("module.exports = function connect(client) { process.once('exit', () => client.close()); };", "a.js", &["process.once"]),
            ("export function f() { process.once('exit', flush); }", "a.mjs", &["process.once"]),
            ("app.get('/', (req, res) => { ['close', 'end'].forEach((e) => { process.on(e, () => res.end()); }); });", "a.js", &["process.on"]),
            ("module.exports = (req) => { req.connection.once('connect', () => start(req)); };", "a.js", &["req.connection.once"]),
            ("export function attach(stream: Stream): void { stream.session.socket.on('close', () => stream.destroy()); }", "a.ts", &["stream.session.socket.on"]),
            ("export function handler(req, res) { process.on('uncaughtException', (e) => res.end()); }", "a.mjs", &["process.on"]),
            ("app.get('/', (req, res) => { process.on('exit', () => res.end()); });", "a.js", &["process.on"]),
            ("export function mount() { window.addEventListener('resize', () => layout()); }", "a.mjs", &["window.addEventListener"]),
            ("export function mount() { document.addEventListener('keydown', onKey, { once: false }); }", "a.mjs", &["document.addEventListener"]),
            // Removed only when the overlay closes: unmounted while open, it stays.
            ("import { watch } from 'vue'; export default { setup(props) { const onKey = () => {}; watch(() => props.open, (open) => { if (open) window.addEventListener('keydown', onKey); else window.removeEventListener('keydown', onKey); }); } };", "a.mjs", &["window.addEventListener"]),
            ("export class Menu extends React.Component { open() { document.addEventListener('click', this.close); } close = () => { document.removeEventListener('click', this.close); }; componentDidMount() {} render() { return null; } }", "a.jsx", &["document.addEventListener"]),
            // A helper module's form: the target first.
            ("import events from 'dom-helpers/events'; export class M extends React.Component { show() { events.on(window, 'resize', this.onResize); } render() { return null; } }", "a.jsx", &["events.on"]),
            // `const self = this`: an app-wide bus reached through the other name.
            ("export default { created() { const self = this; self.$root.$on('refresh', () => self.reload()); }, methods: { reload() {} } };", "a.mjs", &["self.$root.$on"]),
            // A chain through an event manager's chainable methods.
            ("import bus from './bus'; export function C() { useEffect(() => { bus.cancelEmit('gone').on('show', show).emit('ready'); }, []); return null; }", "a.jsx", &["bus.cancelEmit('gone').on"]),
            // `load` has fired before a component mounts: the once-listener waits forever.
            ("export function C() { useEffect(() => { window.addEventListener('load', () => track(), { once: true }); }, []); return null; }", "a.jsx", &["window.addEventListener"]),
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
            // A computed method name is the same registration (missed while rules ran only on
            // files containing `.on(` or `Listener`).
            ("export function f() { process[\"on\"](\"exit\", g); }", "a.mjs", &["process[\"on\"]"]),
            ("export function f() { window['addEventListener']('resize', g); }", "a.mjs", &["window['addEventListener']"]),
            // Once per instance of a class the file makes again and again: an error.
            ("class Row { constructor() { window.addEventListener('resize', () => this.fit()); } fit() {} } export function render(items) { return items.map(() => new Row()); }", "a.mjs", &["window.addEventListener"]),
            // A method the constructor calls, but that other code calls too.
            ("export class Panel { constructor() { this.bind(); } bind() { window.addEventListener('resize', f); } } export function refresh(p) { p.bind(); }", "a.mjs", &["window.addEventListener"]),
            // A function handed under a key to code that hands it on again.
            ("function serve() { process.on('uncaughtException', log); } function start({ run }) { setInterval(run, 10); } start({ run: serve });", "a.js", &["process.on"]),
            // A constructor handed its renderer, which `destroy()` only lets go of.
            ("function Manager(renderer) { this.renderer = renderer; var self = this; this.renderer.on('context', function () { self.reset(); }); }\nManager.prototype.reset = function () {};\nManager.prototype.destroy = function () { this.renderer = null; };\nmodule.exports = Manager;", "a.js", &["this.renderer.on"]),
            // A host hook: every layer added to the one map adds a listener to it.
            ("export class Layer { onAdd(map) { map.on('zoomend', () => this.redraw()); } redraw() {} }", "a.mjs", &["map.on"]),
            ("Query.prototype.submit = function (connection) { const con = connection; con.once('rowDescription', this.onRow); }; module.exports = Query;", "a.js", &["con.once"]),
            // `request.setTimeout(ms, f)`: a once('timeout') listener fed by a keep-alive socket.
            ("module.exports = (request, delays) => { request.setTimeout(delays.socket, () => fail()); };", "a.js", &["request.setTimeout"]),
            // A callback on a caller's cancel token, which may serve many requests.
            ("module.exports = function adapter(config) { return new Promise((resolve, reject) => { const req = send(config); if (config.cancelToken) { config.cancelToken.promise.then(function onCanceled(c) { req.abort(); reject(c); }); } }); };", "a.js", &["config.cancelToken.promise.then"]),
            // A response that is ended: the connection may serve the next request.
            ("module.exports = (req, res) => { req.socket.on('close', onClose); res.end('ok'); };", "a.js", &["req.socket.on"]),
            ("module.exports = (req, res) => { req.socket.on('close', onClose); res.write('a');\n  res\n    .end(); };", "a.js", &["req.socket.on"]),
        ]);
    }

    /// The severity and the driver the message names.
    fn finding(source: &str, name: &str) -> (crate::diagnostic::Severity, String) {
        let d = &crate::testing::diagnostics(source, name)[0];
        (d.severity, d.message.clone())
    }

    #[test]
    fn once_per_instance_is_a_warning_that_names_the_class() {
        use crate::diagnostic::Severity;
        for source in [
            "export class Timeline { constructor() { window.addEventListener('resize', () => this.fit()); } fit() {} }",
            "export class Timeline { constructor() { this.bind(); } bind() { window.addEventListener('resize', () => this.fit()); } fit() {} }",
            "function Timeline() { this.el = null; window.addEventListener('resize', () => this.fit()); }\nTimeline.prototype.fit = function () {};\nmodule.exports = Timeline;",
        ] {
            let (severity, message) = finding(source, "a.js");
            assert_eq!(severity, Severity::Warn, "{source}");
            assert!(message.contains("for each `Timeline` made"), "{message}");
            assert!(message.contains("bounded only if few are made"), "{message}");
        }
        // The one instance the file makes (through an alias, in another made-once class's
        // constructor), in a method only code elsewhere calls: a warning that says so.
        let (severity, message) = finding(
            "function main() { const _Adapter = class _Adapter extends Base { spawn() { this.child = fork('x'); process.on('exit', () => this.child.kill()); } }; let Adapter = _Adapter; class Session { constructor() { this.adapter = new Adapter(); } } const session = new Session(); session.run(); } main();",
            "a.js",
        );
        assert_eq!(severity, Severity::Warn);
        assert!(message.contains("nothing here calls `spawn`"), "{message}");
        // A listener added from inside an instance's own listener runs per event: an error.
        let (severity, _) = finding(
            "export class Timeline { constructor(el) { el.addEventListener('pointerdown', () => { window.addEventListener('pointermove', f); }); } }",
            "a.mjs",
        );
        assert_eq!(severity, Severity::Error);
    }
}
