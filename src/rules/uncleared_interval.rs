//! `uncleared-interval`: `setInterval` in code that runs more than once, whose handle is
//! dropped or kept but never given to `clearInterval`.
//!
//! A running interval is a GC root: its callback, and everything the callback's closure
//! captures, stays alive until the interval is cleared. Started in a function, a constructor, a
//! request handler or a React effect, each call adds one more timer that never stops. The rule
//! is silent when the handle escapes (returned, passed on, stored where other code can reach
//! it), when a `clearInterval` or `clearTimeout` anywhere in the file is given the same variable
//! or property (Node and browsers share the id space), and for top-level intervals, which start
//! once per process (unless `top_level = true`).

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span};
use swc_ecma_ast::*;

use crate::diagnostic::{Finding, Label, Range, Severity, Subject};
use crate::rules::helpers::{
    callee_ident, callee_span, is_global, method_call, prop_name, string_value, unwrap,
    GLOBAL_OBJECTS,
};
use crate::rules::{Context, Handles, Measure, OptionKind, Rule, RuleMeta, RuleOption};
use crate::semantic::lifetime::{
    Acquisition, Holder, Instances, Release, Released, Releases, Root,
};
use crate::semantic::{BindingId, Node, Role, Semantic};

pub const ID: &str = "uncleared-interval";

pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "setInterval in code that runs more than once whose handle is never cleared",
    docs: include_str!("../../rules/uncleared-interval.md"),
    options: &[RuleOption {
        name: "top_level",
        kind: OptionKind::Bool,
        description: "also flag intervals started by top-level code, which runs once per process",
    }],
    handles: Handles::CALL
        .and(Handles::ASSIGN)
        .and(Handles::VAR_DECLARATOR)
        .and(Handles::IMPORT),
    measure: Measure::LiveIntervals,
    // Every interval this rule sees is started by a call that names `setInterval` (a global, a
    // `timers` import, a method of either): a file that never writes the name starts none, and
    // nine files in ten do not. A timeout counts only where a component mounts: `setTimeout`
    // then too.
    gate: &[SET_INTERVAL, SET_TIMEOUT],
    create: Some(|cx| {
        Some(Box::new(UnclearedInterval {
            top_level: cx.settings.option_bool(ID, "top_level"),
            ..UnclearedInterval::default()
        }))
    }),
};

const TIMER_MODULES: &[&str] = &["timers", "node:timers"];
const SET_INTERVAL: &str = "setInterval";
const SET_TIMEOUT: &str = "setTimeout";
const TIMER_FUNCTIONS: &[&str] = &[SET_INTERVAL, SET_TIMEOUT, "clearInterval", "clearTimeout"];

/// A clear of whatever timer `holder` keeps.
fn clear(holder: Holder) -> Release {
    Release {
        holder,
        event: None,
        function: Released::Any,
    }
}

/// Where an interval's handle goes.
#[derive(Clone, Debug)]
enum Fate {
    Dropped,
    Binding(BindingId, Span),
    Property(Atom, Span),
}

struct Interval {
    span: Span,
    fate: Fate,
    in_effect: bool,
    /// A `setTimeout` started when a component mounts: still pending if it unmounts first.
    timeout: bool,
    /// Started by a component outside a React effect: only a clear on its unmount path (or one
    /// the model cannot follow) ends it in time.
    needs_unmount_clear: bool,
    /// Started by a component's method outside its mount phase (a click handler): reported only
    /// when it reschedules itself, or when the component clears it, but not when it unmounts.
    in_handler: bool,
    /// `setTimeout(poll, t)` inside `poll`: a loop.
    reschedules_itself: bool,
    /// Started once for each object the code makes (in a constructor, a method only it calls,
    /// or a factory that returns the object): what it names.
    per_object: Option<String>,
}

#[derive(Default)]
struct UnclearedInterval {
    top_level: bool,
    /// Fates decided by the parent of an interval call, by the call's start.
    fates: FxHashMap<BytePos, Fate>,
    intervals: Vec<Interval>,
    /// `clearInterval(h)`, `clearTimeout(this.timer)`: a handle kept in a variable is cleared by
    /// name, one kept on an object by the property's name.
    clears: Releases,
    /// Starts of `clearInterval(h)`/`clearTimeout(h)` calls given a name, and of `h.unref()`-like
    /// calls: reads of a handle there keep it where it is.
    keeping_calls: FxHashSet<BytePos>,
    /// Bindings of `setInterval`/`clearInterval`/`clearTimeout` imported from `timers`.
    timer_functions: FxHashMap<BindingId, Atom>,
    /// Bindings of the `timers` module itself (`import * as timers`, `require('timers')`).
    timer_modules: FxHashSet<BindingId>,
    /// Where a handle kept on an object is cleared: by property, each clear's start in order.
    property_clears: FxHashMap<Atom, Vec<BytePos>>,
    /// The methods called as `x.m()` from inside a listener, found on first use.
    called_from_listeners: std::cell::OnceCell<FxHashSet<Atom>>,
    /// Where a handle kept in a variable is cleared, by the variable.
    binding_clears: FxHashMap<BindingId, Vec<BytePos>>,
    /// What the clears of each property show, found once in `finish`: many intervals kept under
    /// one name (`this.timer` in every class) ask the same questions.
    clear_facts: FxHashMap<Atom, ClearFacts>,
}

impl UnclearedInterval {
    /// Which timer function a call calls: `setInterval`, `clearInterval` or `clearTimeout`.
    fn timer_function(&self, semantic: &Semantic, call: &CallExpr) -> Option<Atom> {
        if let Some(ident) = callee_ident(call) {
            if is_global(semantic, ident, TIMER_FUNCTIONS) {
                return Some(ident.sym.clone());
            }
            let binding = semantic.binding_id_of(ident)?;
            return self.timer_functions.get(&binding).cloned();
        }
        let (object, method) = method_call(call)?;
        if !TIMER_FUNCTIONS.contains(&&**method) {
            return None;
        }
        let Expr::Ident(owner) = unwrap(object) else {
            return None;
        };
        // `Delay.setInterval(f, ms)`: an imported module's timer wrapper keeps the callback
        // running as the global one does.
        let is_owner = is_global(semantic, owner, GLOBAL_OBJECTS)
            || semantic.binding_id_of(owner).is_some_and(|b| {
                self.timer_modules.contains(&b)
                    || (method == SET_INTERVAL
                        && semantic.binding(b).kind == crate::semantic::BindingKind::Import)
            });
        is_owner.then(|| method.clone())
    }

    /// The `setInterval(…)` call an expression evaluates to, also through `.unref()`/`.ref()`.
    fn interval_call<'e>(&self, semantic: &Semantic, expr: &'e Expr) -> Option<&'e CallExpr> {
        match unwrap(expr) {
            Expr::Call(call) => self.interval_of_call(semantic, call),
            _ => None,
        }
    }

    fn interval_of_call<'e>(
        &self,
        semantic: &Semantic,
        call: &'e CallExpr,
    ) -> Option<&'e CallExpr> {
        if self
            .timer_function(semantic, call)
            .is_some_and(|f| f == SET_INTERVAL || f == SET_TIMEOUT)
        {
            return Some(call);
        }
        let (object, method) = method_call(call)?;
        if method == "unref" || method == "ref" {
            return self.interval_call(semantic, object);
        }
        None
    }

    fn decide(&mut self, semantic: &Semantic, expr: &Expr, fate: Fate) {
        if let Some(call) = self.interval_call(semantic, expr) {
            self.fates.insert(call.span.lo, fate);
        }
    }

    fn record_import(&mut self, semantic: &Semantic, local: &Ident, imported: &str) {
        if let Some(binding) = semantic.declared_binding(local) {
            if TIMER_FUNCTIONS.contains(&imported) {
                self.timer_functions.insert(binding, imported.into());
            }
        }
    }

    fn is_require_of_timers(semantic: &Semantic, expr: &Expr) -> bool {
        let Expr::Call(call) = unwrap(expr) else {
            return false;
        };
        callee_ident(call).is_some_and(|c| is_global(semantic, c, &["require"]))
            && call
                .args
                .first()
                .and_then(|a| string_value(&a.expr))
                .is_some_and(|m| TIMER_MODULES.contains(&m.as_str()))
    }

    /// `const { setInterval: every } = require('timers')`.
    fn record_required_timers(&mut self, semantic: &Semantic, name: &Pat) {
        match name {
            Pat::Ident(name) => {
                if let Some(b) = semantic.declared_binding(&name.id) {
                    self.timer_modules.insert(b);
                }
            }
            Pat::Object(object) => {
                for prop in &object.props {
                    match prop {
                        ObjectPatProp::Assign(assign) => {
                            self.record_import(semantic, &assign.key.id, &assign.key.id.sym);
                        }
                        ObjectPatProp::KeyValue(kv) => {
                            if let (PropName::Ident(key), Pat::Ident(local)) = (&kv.key, &*kv.value)
                            {
                                self.record_import(semantic, &local.id, &key.sym);
                            }
                        }
                        ObjectPatProp::Rest(_) => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn cleared(&self, holder: &Holder) -> bool {
        let acquisition = Acquisition {
            holder,
            event: None,
            function: None,
        };
        self.clears.released_by(&acquisition).is_some()
    }

    /// Is the handle kept in `binding` read anywhere but by a clear or a handle method, which may
    /// hand it to code that clears it?
    fn escapes(&self, semantic: &Semantic, binding: BindingId) -> bool {
        semantic.references_to(binding).any(|r| {
            let keeps = match r.role {
                Role::Argument(call) | Role::Receiver(call) => self.keeping_calls.contains(&call),
                _ => false,
            };
            // A read in a function nothing calls hands the handle to no one.
            !r.access.is_write() && !keeps && !semantic.never_runs(r.span)
        })
    }
}

impl Rule for UnclearedInterval {
    fn on_import(&mut self, cx: &Context, import: &ImportDecl) {
        if !TIMER_MODULES.contains(&import.src.value.to_atom_lossy().as_str()) {
            return;
        }
        for specifier in &import.specifiers {
            match specifier {
                ImportSpecifier::Named(named) => {
                    let imported = match &named.imported {
                        Some(ModuleExportName::Ident(id)) => id.sym.to_string(),
                        Some(ModuleExportName::Str(s)) => s.value.to_atom_lossy().to_string(),
                        None => named.local.sym.to_string(),
                    };
                    self.record_import(cx.semantic, &named.local, &imported);
                }
                ImportSpecifier::Namespace(ns) => {
                    if let Some(b) = cx.semantic.declared_binding(&ns.local) {
                        self.timer_modules.insert(b);
                    }
                }
                ImportSpecifier::Default(default) => {
                    if let Some(b) = cx.semantic.declared_binding(&default.local) {
                        self.timer_modules.insert(b);
                    }
                }
            }
        }
    }

    fn on_var_declarator(&mut self, cx: &Context, declarator: &VarDeclarator) {
        // Only a call can start an interval or load `timers`.
        let Some(init) = declarator.init.as_deref().filter(|e| unwrap(e).is_call()) else {
            return;
        };
        if Self::is_require_of_timers(cx.semantic, init) {
            self.record_required_timers(cx.semantic, &declarator.name);
        }
        if let Pat::Ident(name) = &declarator.name {
            if let Some(binding) = cx.semantic.declared_binding(&name.id) {
                self.decide(cx.semantic, init, Fate::Binding(binding, name.span));
            }
        }
    }

    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {
        match &assign.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(ident)) => {
                if let Some(id) = cx.semantic.binding_id_of(&ident.id) {
                    self.decide(cx.semantic, &assign.right, Fate::Binding(id, ident.span));
                }
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => {
                if let Some(name) = prop_name(&member.prop) {
                    let fate = Fate::Property(name.clone(), member.span);
                    self.decide(cx.semantic, &assign.right, fate);
                }
            }
            _ => {}
        }
    }

    fn on_call(&mut self, cx: &Context, call: &CallExpr) {
        let semantic = cx.semantic;
        if semantic.result_dropped(call.span) {
            if let Some(interval) = self.interval_of_call(semantic, call) {
                self.fates.insert(interval.span.lo, Fate::Dropped);
            }
        }
        match self.timer_function(semantic, call).as_deref() {
            Some(SET_INTERVAL) => {
                if let Some(fate) = self.fates.remove(&call.span.lo) {
                    if self.top_level || semantic.runs_many_times(call.span) {
                        let per_object = match per_object(semantic, call.span) {
                            Some(PerObject::Once) => return,
                            Some(PerObject::Each(what)) => Some(what),
                            None => None,
                        };
                        self.intervals.push(Interval {
                            span: callee_span(call),
                            fate,
                            in_effect: semantic.in_effect(call.span),
                            timeout: false,
                            needs_unmount_clear: false,
                            in_handler: false,
                            reschedules_itself: false,
                            per_object,
                        });
                    }
                }
            }
            Some(SET_TIMEOUT) => {
                let fate = self.fates.remove(&call.span.lo);
                if let Some(fate) = fate.filter(|_| pending_at_unmount(semantic, call)) {
                    let in_handler = !semantic.in_mount_phase(call.span);
                    let reschedules_itself = reschedules_itself(semantic, call);
                    if in_handler && !reschedules_itself && matches!(fate, Fate::Dropped) {
                        return;
                    }
                    self.intervals.push(Interval {
                        per_object: None,
                        in_handler,
                        reschedules_itself,
                        span: callee_span(call),
                        fate,
                        in_effect: semantic.in_effect(call.span),
                        timeout: true,
                        needs_unmount_clear: !semantic.in_effect(call.span)
                            && !semantic.unmount_may_release(call.span),
                    });
                }
            }
            // A clear in a function nothing calls (a cleanup the effect does not return) never runs.
            Some(_) if semantic.never_runs(call.span) => {}
            Some(_clear) => match call.args.first().map(|a| unwrap(&a.expr)) {
                Some(Expr::Ident(ident)) => {
                    if let Some(binding) = semantic.binding_id_of(ident) {
                        self.clears
                            .record(clear(Holder::Path(Root::Binding(binding), Vec::new())));
                        self.binding_clears
                            .entry(binding)
                            .or_default()
                            .push(call.span.lo);
                    }
                    self.keeping_calls.insert(call.span.lo);
                }
                Some(Expr::Member(member)) => {
                    if let Some(name) = prop_name(&member.prop) {
                        self.clears.record(clear(Holder::Property(name.clone())));
                        let clears = self.property_clears.entry(name.clone()).or_default();
                        clears.push(call.span.lo);
                    }
                }
                _ => {}
            },
            None => {
                // `handle.unref()` keeps the handle where it is.
                if let Some((object, method)) = method_call(call) {
                    let is_handle_method =
                        matches!(&**method, "unref" | "ref" | "hasRef" | "refresh");
                    if is_handle_method && matches!(unwrap(object), Expr::Ident(_)) {
                        self.keeping_calls.insert(call.span.lo);
                    }
                }
            }
        }
    }

    fn finish(&mut self, ctx: &mut Context) {
        for (name, clears) in &mut self.property_clears {
            clears.sort_unstable();
            self.clear_facts
                .insert(name.clone(), ClearFacts::of(ctx.semantic, clears));
        }
        for interval in std::mem::take(&mut self.intervals) {
            let (what, label) = match &interval.fate {
                Fate::Dropped => (
                    "its handle is dropped, so it can never be cleared".to_string(),
                    None,
                ),
                Fate::Binding(binding, span) => {
                    let holder = Holder::Path(Root::Binding(*binding), Vec::new());
                    let cleared_anywhere = self.cleared(&holder);
                    let cleared = if interval.needs_unmount_clear {
                        self.binding_clears.get(binding).is_some_and(|clears| {
                            clears
                                .iter()
                                .any(|&at| ctx.semantic.on_unmount_path(Span::new(at, at)))
                        })
                    } else {
                        cleared_anywhere
                    };
                    let handled_elsewhere =
                        interval.in_handler && !interval.reschedules_itself && !cleared_anywhere;
                    if cleared || handled_elsewhere || self.escapes(ctx.semantic, *binding) {
                        continue;
                    }
                    if interval.timeout && cleared_anywhere {
                        let name = &ctx.semantic.binding(*binding).name;
                        let what = format!("its handle is kept in `{name}` but cleared only on another path, not when the component unmounts");
                        let label = (*span, format!("the handle is stored in `{name}` here"));
                        report(ctx, &interval, what, Some(label));
                        continue;
                    }
                    let name = &ctx.semantic.binding(*binding).name;
                    (
                        format!(
                            "its handle is kept in `{name}` but never given to `clearInterval`"
                        ),
                        Some((*span, format!("the handle is stored in `{name}` here"))),
                    )
                }
                Fate::Property(name, span) => {
                    let cleared = self.cleared(&Holder::Property(name.clone()));
                    let cleared_at_unmount = self
                        .clear_facts
                        .get(name)
                        .is_some_and(|facts| facts.on_unmount_path);
                    let handled_elsewhere =
                        interval.in_handler && !interval.reschedules_itself && !cleared;
                    if interval.timeout
                        && (cleared_at_unmount
                            || handled_elsewhere
                            || (cleared && !interval.needs_unmount_clear))
                    {
                        continue;
                    }
                    if interval.timeout {
                        let what = format!("its handle is kept in `.{name}` but cleared only on another path, not when the component unmounts");
                        let label = (*span, format!("the handle is stored in `.{name}` here"));
                        report(ctx, &interval, what, Some(label));
                        continue;
                    }
                    if cleared {
                        if self.cleared_only_to_be_replaced(ctx.semantic, name, *span) {
                            report_rearmed(ctx, &interval, name, *span);
                            continue;
                        }
                        if let Some(overwrite) = self.overwritten(ctx.semantic, name, *span) {
                            report_overwrite(ctx, &interval, name, *span, overwrite);
                        }
                        continue;
                    }
                    (
                        format!("its handle is kept in `.{name}` but no `clearInterval(….{name})` anywhere in this file clears it"),
                        Some((*span, format!("the handle is stored in `.{name}` here"))),
                    )
                }
            };
            report(ctx, &interval, what, label);
        }
    }
}

/// What the clears of one property show, whatever interval asks.
struct ClearFacts {
    /// One of them runs when a component unmounts.
    on_unmount_path: bool,
    /// The names of the functions they are made in, each once.
    functions: Vec<Atom>,
}

impl ClearFacts {
    fn of(semantic: &Semantic, clears: &[BytePos]) -> ClearFacts {
        let mut functions: Vec<Atom> = clears
            .iter()
            .filter_map(|&at| semantic.function_scope_at(Span::new(at, at)))
            .filter_map(|scope| semantic.function_name(scope).cloned())
            .collect();
        functions.sort_unstable();
        functions.dedup();
        ClearFacts {
            on_unmount_path: clears
                .iter()
                .any(|&at| semantic.on_unmount_path(Span::new(at, at))),
            functions,
        }
    }
}

/// How sure it is that a kept handle is overwritten while its interval still runs.
enum Overwrite {
    /// The method is called again from a handler: the name of the method.
    CalledPerEvent(Atom),
    /// Nothing clears or checks the handle before it is replaced; the file does not show that
    /// the method runs twice on one object.
    Possible,
}

impl UnclearedInterval {
    /// `if (this.timer) clearInterval(this.timer); this.timer = setInterval(…)`, and no other
    /// clear of `.timer` anywhere: each call stops the previous interval, and nothing ever
    /// stops the last one.
    fn cleared_only_to_be_replaced(&self, semantic: &Semantic, name: &Atom, span: Span) -> bool {
        let Some(function) = semantic.function_scope_at(span) else {
            return false;
        };
        let body = semantic.scope(function).span;
        // In order: all are in the body before `span` when the first and the last are.
        let all_before = match self.clears_of(name) {
            [] => true,
            [first, .., last] | [first @ last] => body.lo <= *first && *last < span.lo,
        };
        all_before && !semantic.in_component(span)
    }

    fn clears_of(&self, name: &Atom) -> &[BytePos] {
        self.property_clears.get(name).map_or(&[], Vec::as_slice)
    }

    /// `start() { this.timer = setInterval(…) }` with the clear in `stop()`: a second `start()`
    /// replaces the handle, and the interval it held runs forever. The handle is safe when a
    /// clear of the same property comes first in the same function, or a guard on it
    /// (`if (this.timer) return;`, `if (!this.timer) { … }`) keeps the start from running twice.
    fn overwritten(&self, semantic: &Semantic, name: &Atom, span: Span) -> Option<Overwrite> {
        if semantic.behind_run_once_guard(span) {
            return None;
        }
        let function = semantic.function_scope_at(span)?;
        if semantic.runs_once_per_object(function) {
            return None;
        }
        let body = semantic.scope(function).span;
        let clears = self.clears_of(name);
        let first_in_body = clears.partition_point(|&at| at < body.lo);
        let cleared_first = clears.get(first_in_body).is_some_and(|&at| at < span.lo);
        // A component is unmounted before it mounts again.
        let cleared_at_unmount = self.clear_facts.get(name).is_some_and(|facts| {
            facts
                .functions
                .iter()
                .any(|unmount| semantic.unmounts_in(function, unmount))
        });
        if cleared_first || cleared_at_unmount {
            return None;
        }
        // `socket.on('close', () => this.connect())`: it runs again on the same object.
        let again_from_a_listener = |method: &Atom| {
            let called = self.called_from_listeners.get_or_init(|| {
                semantic
                    .nodes()
                    .iter()
                    .filter_map(|node| match node {
                        Node::Call(call) => method_call(call)
                            .filter(|_| semantic.in_listener(call.span))
                            .map(|(_, m)| m.clone()),
                        _ => None,
                    })
                    .collect()
            });
            called.contains(method)
        };
        Some(match semantic.function_name(function) {
            Some(method) if again_from_a_listener(method) => {
                Overwrite::CalledPerEvent(method.clone())
            }
            _ => Overwrite::Possible,
        })
    }
}

fn report_rearmed(ctx: &mut Context, interval: &Interval, name: &Atom, stored: Span) {
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(interval.span),
        message: format!(
            "`setInterval` keeps its handle in `.{name}`, and the only `clearInterval(….{name})` runs just before it is replaced: each call stops the previous interval, but nothing stops the last one, which keeps running, and keeps what its callback holds, after the object is done"
        ),
        labels: vec![Label {
            range: Range::from_span(stored),
            message: format!("the handle is stored in `.{name}` here"),
        }],
        help: Some(format!(
            "clear `.{name}` where the object is finished with (`close()`, `destroy()`, the end of the stream)"
        )),
        severity: Some(Severity::Warn),
        subject: Some(Subject::Interval),
    });
}

fn report_overwrite(
    ctx: &mut Context,
    interval: &Interval,
    name: &Atom,
    stored: Span,
    overwrite: Overwrite,
) {
    let (when, severity) = match &overwrite {
        Overwrite::CalledPerEvent(method) => (
            format!("`{method}()` runs again from an event handler and overwrites"),
            None,
        ),
        Overwrite::Possible => (
            "a second call on the same object overwrites".to_string(),
            Some(Severity::Warn),
        ),
    };
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(interval.span),
        message: format!(
            "`setInterval` keeps its handle in `.{name}`, which is cleared elsewhere, but nothing clears or checks `.{name}` before this replaces it: {when} the handle while the first interval still runs, and that interval can never be cleared"
        ),
        labels: vec![Label {
            range: Range::from_span(stored),
            message: format!("the previous handle in `.{name}` is lost here"),
        }],
        help: Some(format!(
            "clear the old interval first (`clearInterval(this.{name})`), or return early when one is running (`if (this.{name}) return;`)"
        )),
        severity,
        subject: Some(Subject::Interval),
    });
}

/// A `setTimeout` in a component's code (an effect, `componentDidMount`, `ngOnInit`,
/// `onMounted`, a method of a class component or of Vue options) with a delay: the component can
/// unmount before it fires. A deferral to the
/// next turn (no delay, or 0) is not pending for long enough to matter.
fn pending_at_unmount(semantic: &Semantic, call: &CallExpr) -> bool {
    let deferral = match call.args.get(1).map(|a| unwrap(&a.expr)) {
        None => true,
        Some(Expr::Lit(Lit::Num(n))) => n.value == 0.0,
        Some(_) => false,
    };
    let component = semantic.in_mount_phase(call.span) || semantic.in_component(call.span);
    !deferral && component && !semantic.never_runs(call.span)
}

/// `setTimeout(poll, t)` inside `poll`: each run schedules the next, for as long as the
/// condition around it holds.
fn reschedules_itself(semantic: &Semantic, call: &CallExpr) -> bool {
    let Some(Expr::Ident(callback)) = call.args.first().map(|a| unwrap(&a.expr)) else {
        return false;
    };
    semantic
        .function_scope_at(call.span)
        .and_then(|scope| semantic.function_name(scope))
        .is_some_and(|name| *name == callback.sym)
}

/// How often an interval started once per object runs.
enum PerObject {
    /// The only object is made once (`module.exports = new Clock()`).
    Once,
    /// Once for each object made, which the callers decide: what makes them.
    Each(String),
}

/// An interval started in a constructor (or a method only the constructor calls) or in a
/// factory that returns the object it builds: one timer per object. Components have their own
/// checks, which pair mounts with unmounts.
fn per_object(semantic: &Semantic, span: Span) -> Option<PerObject> {
    if semantic.in_component(span) || semantic.in_mount_phase(span) || semantic.in_effect(span) {
        return None;
    }
    match semantic.instances_at(span) {
        Some(Instances::One) => return Some(PerObject::Once),
        Some(Instances::Many) => return None,
        Some(Instances::Unknown(owner)) => {
            let class = semantic.owner_name(owner)?;
            return Some(PerObject::Each(format!("`{class}` made")));
        }
        None => {}
    }
    let function = semantic.function_scope_at(span)?;
    if !semantic.returns_an_object(function) || semantic.handler_of(span).is_some() {
        return None;
    }
    let name = semantic.function_name(function)?;
    Some(PerObject::Each(format!("object `{name}()` returns")))
}

fn report(ctx: &mut Context, interval: &Interval, what: String, label: Option<(Span, String)>) {
    if interval.timeout {
        return report_timeout(ctx, interval, what, label);
    }
    if let Some(made) = &interval.per_object {
        return ctx.report(Finding {
            rule: ID,
            range: Range::from_span(interval.span),
            message: format!(
                "`setInterval` runs once for each {made}, and {what}: each one adds a timer that runs, and keeps its callback's closure (and the object with it) alive, forever; bounded only if few are made"
            ),
            labels: label
                .map(|(span, message)| Label { range: Range::from_span(span), message })
                .into_iter()
                .collect(),
            help: Some("keep the handle on the object and clear it where the object's work stops (`stop()`, `close()`, `dispose()`)".into()),
            severity: Some(Severity::Warn),
            subject: Some(Subject::Interval),
        });
    }
    let effect = if interval.in_effect {
        "; this effect returns no cleanup that clears it"
    } else {
        ""
    };
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(interval.span),
        message: format!(
            "`setInterval` runs on every call and {what}{effect}: each call adds a timer that runs, and keeps its callback's closure alive, forever"
        ),
        labels: label
            .map(|(span, message)| Label { range: Range::from_span(span), message })
            .into_iter()
            .collect(),
        help: Some(if interval.in_effect {
            "return a cleanup from the effect: `const id = setInterval(…); return () => clearInterval(id);`".into()
        } else {
            "keep the handle and clear it where the work stops: `clearInterval(this.timer)` in `stop()`, `close()` or `dispose()`".into()
        }),
        severity: None,
        subject: Some(Subject::Interval),
    });
}

/// A timeout fires in the end, so what it keeps is kept for its delay only: a warning.
fn report_timeout(
    ctx: &mut Context,
    interval: &Interval,
    what: String,
    label: Option<(Span, String)>,
) {
    let what = what.replace("clearInterval", "clearTimeout");
    let when = if interval.in_handler {
        "by the component"
    } else {
        "when the component mounts"
    };
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(interval.span),
        message: format!(
            "`setTimeout` is started {when} and {what}: if the component unmounts first, the pending timer keeps its callback's closure (and the component it holds) alive until it fires, and then runs it on an unmounted component"
        ),
        labels: label
            .map(|(span, message)| Label { range: Range::from_span(span), message })
            .into_iter()
            .collect(),
        help: Some(if interval.in_effect {
            "return a cleanup from the effect: `const id = setTimeout(…); return () => clearTimeout(id);`".into()
        } else {
            "keep the handle and clear it in the unmount hook: `clearTimeout(this.timer)` in `componentWillUnmount`, `ngOnDestroy`, `beforeUnmount` or `disconnectedCallback`".into()
        }),
        severity: Some(Severity::Warn),
        subject: Some(Subject::Interval),
    });
}

#[cfg(test)]
mod tests {
    use crate::testing::Tester;

    #[test]
    fn passes() {
        Tester::new(&super::META).passes(&[
            // The old interval is cleared, or a running one keeps the start from running twice.
            ("class Poller { start() { clearInterval(this.timer); this.timer = setInterval(() => this.poll(), 1000); } stop() { clearInterval(this.timer); } } module.exports = Poller;", "a.js"),
            ("class Poller { start() { if (this.timer) return; this.timer = setInterval(() => this.poll(), 1000); } stop() { clearInterval(this.timer); this.timer = null; } } module.exports = Poller;", "a.js"),
            ("class Poller { start() { if (!this.timer) { this.timer = setInterval(() => this.poll(), 1000); } } stop() { clearInterval(this.timer); } } module.exports = Poller;", "a.js"),
            // A timeout cleared at unmount, a deferral to the next turn, one outside a mount phase.
            ("export function C() { useEffect(() => { const t = setTimeout(hide, 5000); return () => clearTimeout(t); }, []); return null; }", "a.jsx"),
            ("export function C() { useEffect(() => { setTimeout(focus); setTimeout(measure, 0); }, []); return null; }", "a.jsx"),
            ("export class C extends React.Component { componentDidMount() { this.timer = setTimeout(() => this.hide(), 3000); } componentWillUnmount() { clearTimeout(this.timer); } }", "a.jsx"),
            ("export function retry(f) { setTimeout(f, 1000); }", "a.mjs"),
            // Cleared on the unmount path, in the hook or through the method it calls.
            ("export class T extends React.Component { show = () => { clearTimeout(this.t); this.t = setTimeout(this.hide, 500); }; componentWillUnmount() { clearTimeout(this.t); } render() { return null; } }", "a.jsx"),
            ("export class T extends React.Component { show = () => { this.t = setTimeout(this.hide, 500); }; stop() { clearTimeout(this.t); } componentWillUnmount() { this.stop(); } render() { return null; } }", "a.jsx"),
            // A one-shot delay from a handler, never kept: gone once it fires.
            ("export default { methods: { save() { this.saving = true; setTimeout(() => { this.saving = false; }, 2000); } } };", "a.mjs"),
            ("export class B extends React.Component { onClick = () => { const t = setTimeout(this.reset, 800); }; componentDidMount() {} render() { return null; } }", "a.jsx"),
            // Top level runs once.
            ("setInterval(tick, 1000);", "a.js"),
            ("const t = setInterval(tick, 1000); t.unref();", "a.js"),
            // Cleared anywhere, by variable, by property, or with clearTimeout.
            ("export function start() { const id = setInterval(tick, 10); return () => clearInterval(id); }", "a.mjs"),
            ("export function poll() { const id = setInterval(() => { if (done()) clearInterval(id); }, 10); }", "a.mjs"),
            ("export class P { start() { clearTimeout(this.timer); this.timer = setInterval(f, 1); } close() { clearTimeout(this.timer); } }", "a.mjs"),
            // A constructor runs once per object: nothing overwrites its handle.
            ("export class P { constructor() { this.timer = setInterval(f, 1); } close() { clearInterval(this.timer); } }", "a.mjs"),
            // So does a component's mount hook, with the clear in the unmount hook.
            ("export class C extends React.Component { componentDidMount() { this.timer = setInterval(f, 1); } componentWillUnmount() { clearInterval(this.timer); } }", "a.mjs"),
            ("export class C { ngOnInit() { this.timer = setInterval(() => this.tick(), 1); } ngOnDestroy() { clearInterval(this.timer); } }", "a.ts"),
            ("export default { mounted() { this.timer = setInterval(this.poll, 1); }, beforeDestroy() { clearInterval(this.timer); } };", "a.mjs"),
            ("class E extends HTMLElement { connectedCallback() { this.timer = setInterval(() => this.tick(), 1); } disconnectedCallback() { clearInterval(this.timer); } }", "a.js"),
            ("let timer; export function start() { clearInterval(timer); timer = setInterval(f, 10); }", "a.mjs"),
            ("export function f() { const t = window.setInterval(g, 1); window.clearInterval(t); }", "a.mjs"),
            // The handle escapes.
            ("export function start() { return setInterval(tick, 10); }", "a.mjs"),
            ("export const start = () => setInterval(tick, 10);", "a.mjs"),
            ("export function start(list) { list.push(setInterval(tick, 10)); }", "a.mjs"),
            ("export function start(timers) { const t = setInterval(tick, 10); timers.add(t); }", "a.mjs"),
            ("export function start() { return { timer: setInterval(tick, 10) }; }", "a.mjs"),
            ("export function start() { const t = setInterval(tick, 10); return t; }", "a.mjs"),
            // React effects with a cleanup.
            ("export function C() { useEffect(() => { const id = setInterval(tick, 1000); return () => clearInterval(id); }, []); return null; }", "a.jsx"),
            // setTimeout is not an interval; a shadowed setInterval is not the timer.
            ("export function f() { setTimeout(tick, 10); }", "a.mjs"),
            ("import { setInterval } from './fake'; export function f() { setInterval(tick, 10); }", "a.mjs"),
            // A setup function only called from top-level code runs once.
            ("function boot() { setInterval(flush, 5000); } boot();", "a.js"),
        ]);
    }

    #[test]
    fn fails() {
        Tester::new(&super::META).flags(&[
            // Cleared only to be replaced: nothing stops the last one.
            ("class Reporter { onResponse(ms) { if (this.timer) { clearInterval(this.timer); } this.timer = setInterval(() => this.send(), ms); } send() {} } module.exports = Reporter;", "a.js", &["setInterval"]),
            // An imported module's interval wrapper.
            ("import Delay from './Delay'; export const start = (editor) => { Delay.setInterval(() => editor.save(), 1000); };", "a.mjs", &["Delay.setInterval"]),
            // The clear is in a cleanup the effect never returns.
            ("export function C() { useEffect(() => { const id = setInterval(tick, 1000); () => clearInterval(id); }, []); return null; }", "a.jsx", &["setInterval"]),
            // A second start() overwrites the handle: the clear in stop() is not on that path.
            ("class Poller { start() { this.timer = setInterval(() => this.poll(), 1000); } stop() { clearInterval(this.timer); } } module.exports = Poller;", "a.js", &["setInterval"]),
            ("export class Poller { start() { this.timer = setInterval(() => this.tick(), 1000); } stop() { clearInterval(this.timer); } }", "a.mjs", &["setInterval"]),
            // An element is connected again when it moves; the clear is not in its disconnect.
            ("class E extends HTMLElement { connectedCallback() { this.timer = setInterval(() => this.tick(), 1); } remove() { clearInterval(this.timer); } }", "a.js", &["setInterval"]),
            ("class Client { connect() { this.ping = setInterval(() => this.send('ping'), 5000); this.socket.on('close', () => this.connect()); } close() { clearInterval(this.ping); } } module.exports = Client;", "a.js", &["setInterval"]),
            ("export function start() { setInterval(tick, 1000); }", "a.mjs", &["setInterval"]),
            ("export function start() { setInterval(tick, 1000).unref(); }", "a.mjs", &["setInterval"]),
            ("export function start() { const id = setInterval(tick, 1000); }", "a.mjs", &["setInterval"]),
            ("export function start() { const id = setInterval(tick, 1000); id.unref(); }", "a.mjs", &["setInterval"]),
            ("export class Poller { constructor() { this.timer = setInterval(() => this.poll(), 1000); } }", "a.mjs", &["setInterval"]),
            ("export class Poller { start() { this.timer = setInterval(f, 10); } stop() { this.timer = null; } }", "a.mjs", &["setInterval"]),
            ("app.get('/', (req, res) => { setInterval(() => res.write('.'), 1000); });", "a.js", &["setInterval"]),
            ("export function f() { window.setInterval(g, 1); }", "a.mjs", &["window.setInterval"]),
            ("module.exports = function () { global.setInterval(g, 1); };", "a.js", &["global.setInterval"]),
            ("import { setInterval as every } from 'node:timers'; export function f() { every(g, 1); }", "a.mjs", &["every(g"]),
            ("import * as timers from 'timers'; export function f() { timers.setInterval(g, 1); }", "a.mjs", &["timers.setInterval"]),
            ("const timers = require('timers'); module.exports = () => { timers.setInterval(g, 1); };", "a.js", &["timers.setInterval"]),
            ("const { setInterval } = require('timers'); module.exports = () => { setInterval(g, 1); };", "a.js", &["setInterval(g"]),
            ("export function C() { useEffect(() => { setInterval(tick, 1000); }, []); return <div/>; }", "a.jsx", &["setInterval"]),
            // A timeout still pending when the component unmounts.
            ("export function C() { useEffect(() => { setTimeout(hide, 5000); }, []); return null; }", "a.jsx", &["setTimeout"]),
            ("export class C extends React.Component { componentDidMount() { this.timer = setTimeout(() => this.hide(), 3000); } }", "a.jsx", &["setTimeout"]),
            ("export default { mounted() { this.t = setTimeout(this.close, 2000); } };", "a.mjs", &["setTimeout"]),
            // Cleared before each restart, but not when the component unmounts.
            ("export class T extends React.Component { show = () => { clearTimeout(this.t); this.t = setTimeout(this.hide, 500); }; componentDidMount() {} render() { return null; } }", "a.jsx", &["setTimeout"]),
            ("export default { setup() { let timer; const poll = () => { clearTimeout(timer); timer = window.setTimeout(poll, 100); }; poll(); } };", "a.mjs", &["window.setTimeout"]),
            ("export function C() { useEffect(() => { const id = setInterval(tick, 1000); }, []); return null; }", "a.tsx", &["setInterval"]),
            ("export function C() { React.useLayoutEffect(() => { setInterval(tick, 1000); }); return null; }", "a.jsx", &["setInterval"]),
            ("export class S { private t?: NodeJS.Timeout; start(): void { this.t = setInterval(() => {}, 5); } }", "a.ts", &["setInterval"]),
            // `cond && setInterval(…)` as a statement drops the handle just the same.
            ("export function f(on) { on && setInterval(tick, 10); }", "a.mjs", &["setInterval"]),
        ]);
    }

    /// One timer for each object made: a warning that names what makes them; silent for the
    /// one object made at load; an error for an interval that is not the object's own.
    #[test]
    fn once_per_object_is_a_warning() {
        use crate::diagnostic::Severity;
        let lint = |source: &str| crate::testing::diagnostics(source, "a.mjs");
        for (source, made) in [
            ("export async function Physics() { const world = {}; setInterval(() => step(world), 16); return { add(m) {} }; }", "each object `Physics()` returns"),
            ("export class Clock { constructor() { this.timer = setInterval(() => this.tick(), 1000); } tick() {} }", "each `Clock` made"),
        ] {
            let found = lint(source);
            assert_eq!(found.len(), 1, "{source}: {found:?}");
            assert_eq!(found[0].severity, Severity::Warn, "{source}");
            assert!(found[0].message.contains(made), "{}", found[0].message);
        }
        assert!(lint("class Clock { constructor() { this.timer = setInterval(() => this.tick(), 1000); } tick() {} } export const clock = new Clock();").is_empty());
        let found = lint("export function poll(list) { setInterval(() => list.push(Date.now()), 1000); return { list }; }");
        assert_eq!(found.len(), 1);
        let found =
            lint("export function poll(list) { setInterval(() => list.push(Date.now()), 1000); }");
        assert_eq!(found[0].severity, Severity::Error);
    }

    #[test]
    fn top_level_when_configured() {
        use crate::config::{ConfigFile, Overrides};
        use crate::settings::Settings;
        use std::path::{Path, PathBuf};
        let file = ConfigFile::parse(
            "[rules.uncleared-interval]\ntop_level = true\n",
            Path::new("leaklint.toml"),
            PathBuf::from("."),
        )
        .unwrap();
        let settings = Settings::new(&file, &Overrides::default());
        let output = crate::lint_source(
            Path::new("a.js"),
            "setInterval(tick, 1000);",
            &settings,
            false,
        );
        assert_eq!(output.diagnostics.len(), 1);
        assert_eq!(output.diagnostics[0].rule, Some(super::ID));
    }
}
