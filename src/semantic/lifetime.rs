//! The lifetime layer of the semantic model: the four questions every leak rule asks, answered
//! once per file, in words the rules use.
//!
//! - How long does a value live? [`Semantic::lifetime_of`]: process-long (code that runs once per
//!   process declares it: module level, a class's static parts, an IIFE, a function only called
//!   from run-once code), instance-long (owned by `this`), closure-long (a local that closures
//!   capture) or per call.
//! - Does this code run more than once? [`Semantic::runs_many_times`], [`Semantic::in_effect`],
//!   [`Semantic::behind_run_once_guard`]; one kept on a parameter's object
//!   (`if (req[seen]) return;`) runs once per object ([`Semantic::guarded_per_object`]).
//! - Does a value escape where the file cannot see it? [`Semantic::escapes`], from the [`Role`] of
//!   each reference, and [`Semantic::result_dropped`] for a call's result.
//! - Is a resource released? [`Releases::released_by`] matches an acquisition against the
//!   releases recorded for it, by holder, event and function identity.
//!
//! The builder ([`super::builder`]) records the raw facts during its walk; this module turns them
//! into answers.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned, DUMMY_SP};
use swc_ecma_ast::*;

use super::{BindingId, BindingKind, Reference, Resolution, Scope, ScopeId, ScopeKind, Semantic};

/// How long a value lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// As long as the process (or page): created by code that runs once.
    Process,
    /// As long as the instance that owns it (`this.x` of a class or constructor function).
    Instance,
    /// A local of a function that runs many times, captured by closures that may outlive the call.
    Closure,
    /// Dies with the call that created it.
    Call,
}

/// How the expression around a value uses it: what escape analysis reads. Recorded for every
/// reference by the builder, and for any expression by the rule dispatcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Role {
    /// Any use not named below: returned, passed to a call, stored, aliased, exported. The value
    /// may go where the file cannot see.
    #[default]
    Escapes,
    /// The target of an assignment.
    Assigned,
    /// The object of a property access: `x.p`, `x[k]`.
    Object,
    /// The receiver of a method call `x.m(…)`; the call starts at the position.
    Receiver(BytePos),
    /// An argument of a call that starts at the position (not one of the [`READERS`]).
    Argument(BytePos),
    /// Read without being kept: the argument of a [`READERS`] call, copied (`new Map(x)`,
    /// `{ ...x }`), iterated (`for (… of x)`), compared (`===`, `in`, `instanceof`), `typeof`.
    Inspected,
    /// The operand of `delete`.
    Deleted,
}

impl Role {
    /// Does a value used this way escape the code that can see it?
    pub fn escapes(self) -> bool {
        matches!(self, Role::Escapes | Role::Argument(_))
    }
}

/// Calls that read their arguments without keeping them: `Object.keys(c)`, `JSON.stringify(c)`.
pub const READERS: &[(&str, &[&str])] = &[
    (
        "Object",
        &[
            "keys",
            "values",
            "entries",
            "getOwnPropertyNames",
            "isFrozen",
        ],
    ),
    ("Array", &["from", "isArray"]),
    ("JSON", &["stringify"]),
    (
        "console",
        &["log", "info", "warn", "error", "debug", "dir", "table"],
    ),
];

/// Constructors whose argument is copied, not kept: `new Map(c)`.
const COPYING_CONSTRUCTORS: &[&str] = &["Map", "Set", "WeakMap", "WeakSet"];

/// React hooks whose callback runs after a render and may return a cleanup.
/// An effect whose callback may return its cleanup: React's `useEffect`, `useLayoutEffect`,
/// `useInsertionEffect` and custom `use…Effect` hooks (`useIsomorphicLayoutEffect`), Svelte's
/// `onMount` and Svelte 5's `$effect`.
fn is_effect_hook_name(name: &str) -> bool {
    (name.starts_with("use") && name.ends_with("Effect")) || matches!(name, "onMount" | "$effect")
}

/// What `this` stands for in a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThisValue {
    /// A plain function's own `this`, or code outside any class.
    Unknown,
    /// A static member of the declared class: `this` is the class.
    Class(BindingId),
    /// An instance member (method, constructor, field) of the class whose scope is given.
    Instance(ScopeId),
}

/// An empty collection made to be filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    Map,
    Set,
    Array,
    Object,
}

impl Created {
    /// "a Map", "an array": how messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Created::Map => "a Map",
            Created::Set => "a Set",
            Created::Array => "an array",
            Created::Object => "an object",
        }
    }
}

/// What uses an expression as a whole, by the expression's span ([`Semantic::whole_uses`]).
#[derive(Debug, Default)]
pub(super) struct WholeUses {
    /// The callee of each `new`.
    constructed: FxHashSet<(BytePos, BytePos)>,
    /// The declarators of one name that each expression initializes, as positions in `nodes`.
    initialized: FxHashMap<(BytePos, BytePos), Vec<usize>>,
    /// The class declarations that extend each expression, as positions in `nodes`.
    extended: FxHashMap<(BytePos, BytePos), Vec<usize>>,
    /// By where each function or arrow with a body starts: does the body build and return an
    /// object of its own (`return { add, remove }` among its statements)?
    returns_an_object: FxHashMap<BytePos, bool>,
}

fn returns_an_object(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|stmt| {
        matches!(stmt, Stmt::Return(ReturnStmt { arg: Some(arg), .. }) if matches!(unwrap(arg), Expr::Object(_)))
    })
}

/// Positions covered by a set of spans that nest or are disjoint, answered in O(log n).
#[derive(Debug, Default)]
pub struct Regions {
    /// Spans sorted by start, and the largest end among each span and those before it.
    spans: Vec<(BytePos, BytePos)>,
    reach: Vec<BytePos>,
}

impl Regions {
    pub(super) fn new(mut spans: Vec<Span>) -> Regions {
        spans.sort_unstable_by_key(|s| (s.lo, s.hi));
        let mut reach = Vec::with_capacity(spans.len());
        let mut max = BytePos(0);
        for span in &spans {
            max = max.max(span.hi);
            reach.push(max);
        }
        Regions {
            spans: spans.iter().map(|s| (s.lo, s.hi)).collect(),
            reach,
        }
    }

    /// Is `pos` inside one of the spans?
    pub fn contains(&self, pos: BytePos) -> bool {
        let after = self.spans.partition_point(|&(lo, _)| lo <= pos);
        after > 0 && self.reach[after - 1] > pos
    }
}

/// The lifetime facts of one file.
#[derive(Debug, Default)]
pub(super) struct Lifetimes {
    /// The arguments of React effect hooks (`useEffect(() => …, deps)`).
    pub(super) effects: Regions,
    /// Callbacks a component registers to run when it unmounts (`onBeforeUnmount(() => …)`),
    /// and the functions it registers by name.
    pub(super) unmount: Regions,
    /// Callbacks a component registers to run when it mounts (`onMounted(() => …)`).
    pub(super) mount: Regions,
    /// The options objects of Vue components and mixins.
    pub(super) component_options: Regions,
    /// The function scopes of a component file's per-instance blocks (`<script setup>`).
    pub(super) instance_scopes: Vec<ScopeId>,
    /// Names declared as `this` (`const that = this`) and never assigned again.
    pub(super) this_aliases: FxHashSet<BindingId>,
    /// Code behind a run-once guard (`if (done) return; done = true; …`).
    pub(super) guarded: Regions,
    /// Regions behind a guard kept on a parameter's object: run once per such object.
    pub(super) guarded_per_object: Vec<(Span, BindingId)>,
    /// Functions nothing can call: a function written as a statement of its own, or bound to
    /// a name that nothing reads or exports.
    pub(super) never_run: Regions,
    /// Angular components' injected members: the class scope and the member.
    pub(super) injected: Vec<(ScopeId, Atom)>,
    /// The calls whose result is dropped, by span, in source order.
    pub(super) dropped: Vec<(BytePos, BytePos)>,
    /// The empty collection each binding is initialized with, by binding.
    pub(super) created: FxHashMap<BindingId, Created>,
}

/// A run-once guard the builder saw, checked once every assignment is known.
#[derive(Debug)]
pub(super) struct GuardCandidate {
    /// The flag expression: `done` in `if (done) return;` or `if (!done) { … }`.
    pub flag: Span,
    /// Where an assignment to the flag must be for the guard to hold.
    pub assigned_within: Span,
    /// What the guard covers when it holds.
    pub region: Span,
    /// Candidates of one statement list share a group: only the first that holds counts.
    pub group: Option<u32>,
    /// Where the name the flag is a member of is written (`request` in `request[reentry]`).
    pub root: Option<BytePos>,
}

/// The name a flag is a member of: `request` in `request[reentry]` or `req.seen.done`.
pub(super) fn flag_root(flag: &Expr) -> Option<BytePos> {
    match unwrap(flag) {
        Expr::Member(member) => match unwrap(&member.obj) {
            Expr::Ident(ident) => Some(ident.span.lo),
            inner @ Expr::Member(_) => flag_root(inner),
            _ => None,
        },
        _ => None,
    }
}

/// How an initializer creates its value, before names are resolved: `new Map()` names `Map`.
#[derive(Debug)]
pub(super) enum InitShape {
    /// `new Name()`: the constructor's name and where it is written.
    New(BytePos, Created),
    /// `Object.create(null)`: where `Object` is written.
    ObjectCreateNull(BytePos),
    EmptyObject,
    EmptyArray,
}

/// The code at `span` with every whitespace character removed, so that `this . ready` and
/// `this.ready` compare equal: how a guard or a removal names the same thing again.
pub fn squeezed_text(text: &str, span: Span) -> String {
    squeezed(text, span).into_owned()
}

/// [`squeezed_text`] without a copy when the code has no whitespace, as most names do.
pub fn squeezed(text: &str, span: Span) -> Cow<'_, str> {
    let range = crate::diagnostic::Range::from_span(span);
    let code = text.get(range.start..range.end).unwrap_or("");
    // A byte outside ASCII may begin Unicode whitespace: those take the general path.
    if code.bytes().all(|b| b.is_ascii_graphic()) {
        Cow::Borrowed(code)
    } else {
        Cow::Owned(code.split_whitespace().collect())
    }
}

/// Turns the guard candidates into the guarded regions: a guard holds when its flag is assigned
/// (anywhere, also in a nested function) inside the code it guards. A flag kept on an object a
/// parameter names (`request[reentry]`) guards once per such object: those regions are also
/// listed second, with the parameter (`parameter_at` says which binding, if any, the name
/// written at a position is a parameter), for what the object shares with others.
pub(super) fn guarded_regions(
    text: &str,
    candidates: &[GuardCandidate],
    assignments: &[Span],
    parameter_at: impl Fn(BytePos) -> Option<BindingId>,
) -> (Regions, Vec<(Span, BindingId)>) {
    if candidates.is_empty() {
        return (Regions::default(), Vec::new());
    }
    let flags: FxHashSet<String> = candidates
        .iter()
        .map(|c| squeezed_text(text, c.flag))
        .collect();
    // An assignment's code starts with its target's first byte, as the flag's squeezed text
    // does: most assignments are ruled out by that byte alone.
    let mut first_bytes = [false; 256];
    for flag in &flags {
        if let Some(&b) = flag.as_bytes().first() {
            first_bytes[b as usize] = true;
        }
    }
    let starts_like_a_flag = |span: &Span| {
        let start = crate::diagnostic::Range::from_span(*span).start;
        text.as_bytes()
            .get(start)
            .is_some_and(|&b| first_bytes[b as usize])
    };
    let mut assigned: FxHashMap<String, Vec<BytePos>> = FxHashMap::default();
    for span in assignments.iter().filter(|span| starts_like_a_flag(span)) {
        let target = squeezed(text, *span);
        if flags.contains(&*target) {
            assigned
                .entry(target.into_owned())
                .or_default()
                .push(span.lo);
        }
    }
    for positions in assigned.values_mut() {
        positions.sort_unstable();
    }
    let mut regions = Vec::new();
    let mut per_object = Vec::new();
    let mut settled_group = None;
    for candidate in candidates {
        if candidate.group.is_some() && candidate.group == settled_group {
            continue;
        }
        let within = candidate.assigned_within;
        let holds = assigned
            .get(&*squeezed(text, candidate.flag))
            .is_some_and(|positions| {
                let first = positions.partition_point(|&p| p < within.lo);
                positions.get(first).is_some_and(|&p| p < within.hi)
            });
        if holds {
            regions.push(candidate.region);
            if let Some(parameter) = candidate.root.and_then(&parameter_at) {
                per_object.push((candidate.region, parameter));
            }
            settled_group = candidate.group;
        }
    }
    (Regions::new(regions), per_object)
}

/// The collection each recorded initializer creates, now that names are resolved.
pub(super) fn created_collections(
    inits: Vec<(BindingId, InitShape)>,
    reference_at: &FxHashMap<BytePos, super::ReferenceId>,
    references: &[Reference],
) -> FxHashMap<BindingId, Created> {
    let unresolved = |pos: BytePos| {
        reference_at
            .get(&pos)
            .is_some_and(|&r| references[r.index()].resolution == Resolution::Unresolved)
    };
    inits
        .into_iter()
        .filter_map(|(binding, shape)| Some((binding, shape.created(unresolved)?)))
        .collect()
}

impl InitShape {
    /// The collection the initializer creates, given which positions hold names that resolve
    /// to nothing in the file (so `Map` is the global one).
    fn created(self, unresolved: impl Fn(BytePos) -> bool) -> Option<Created> {
        match self {
            InitShape::New(pos, created) => unresolved(pos).then_some(created),
            InitShape::ObjectCreateNull(pos) => unresolved(pos).then_some(Created::Object),
            InitShape::EmptyObject => Some(Created::Object),
            InitShape::EmptyArray => Some(Created::Array),
        }
    }
}

/// The shape of an initializer that creates an empty collection: `new Map()`, `new Set()`,
/// `new Array()`, `{}`, `[]`, `Object.create(null)`, also on the right of `x || …`, `x ?? …`.
/// Only empty literals count: a literal with members is a namespace or a table of known entries.
pub(super) fn init_shape(expr: &Expr) -> Option<InitShape> {
    match unwrap(expr) {
        Expr::New(new) => match unwrap(&new.callee) {
            Expr::Ident(id) => {
                let created = match &*id.sym {
                    "Map" => Created::Map,
                    "Set" => Created::Set,
                    "Array" => Created::Array,
                    _ => return None,
                };
                Some(InitShape::New(id.span.lo, created))
            }
            _ => None,
        },
        Expr::Object(object) if object.props.is_empty() => Some(InitShape::EmptyObject),
        Expr::Array(array) if array.elems.is_empty() => Some(InitShape::EmptyArray),
        // `['clientError', 'close']`: a table of constants, which code may still push onto.
        Expr::Array(array)
            if array.elems.iter().all(|e| {
                e.as_ref()
                    .is_some_and(|e| e.spread.is_none() && matches!(unwrap(&e.expr), Expr::Lit(_)))
            }) =>
        {
            Some(InitShape::EmptyArray)
        }
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return None;
            };
            let Expr::Member(member) = unwrap(callee) else {
                return None;
            };
            let is_create = matches!(&member.prop, MemberProp::Ident(p) if p.sym == "create")
                && matches!(
                    call.args.first().map(|a| unwrap(&a.expr)),
                    Some(Expr::Lit(Lit::Null(_)))
                );
            match unwrap(&member.obj) {
                Expr::Ident(object) if is_create && object.sym == "Object" => {
                    Some(InitShape::ObjectCreateNull(object.span.lo))
                }
                _ => None,
            }
        }
        Expr::Bin(bin) if matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
            init_shape(&bin.right)
        }
        _ => None,
    }
}

/// The name of a property access when it is static: `.name` or `["name"]`.
pub fn prop_name(prop: &MemberProp) -> Option<&Atom> {
    match prop {
        MemberProp::Ident(name) => Some(&name.sym),
        MemberProp::Computed(computed) => match unwrap(&computed.expr) {
            Expr::Lit(Lit::Str(s)) => s.value.as_atom(),
            _ => None,
        },
        MemberProp::PrivateName(_) => None,
    }
}

/// The expression without parentheses and TypeScript-only wrappers (`as`, `!`, `satisfies`).
// A loop rather than recursion so that it inlines: it is asked of nearly every expression.
#[inline]
pub fn unwrap(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(e) => &e.expr,
            Expr::TsAs(e) => &e.expr,
            Expr::TsNonNull(e) => &e.expr,
            Expr::TsSatisfies(e) => &e.expr,
            Expr::TsTypeAssertion(e) => &e.expr,
            Expr::TsConstAssertion(e) => &e.expr,
            other => return other,
        };
    }
}

/// The role of a call's arguments: inspected by a [`READERS`] call, else passed on.
pub fn argument_role(call: &CallExpr) -> Role {
    let Callee::Expr(callee) = &call.callee else {
        return Role::Argument(call.span.lo);
    };
    if let Expr::Member(member) = unwrap(callee) {
        if let (Expr::Ident(owner), MemberProp::Ident(method)) = (unwrap(&member.obj), &member.prop)
        {
            let reads = READERS
                .iter()
                .any(|(name, methods)| owner.sym == **name && methods.contains(&&*method.sym));
            if reads {
                return Role::Inspected;
            }
        }
    }
    Role::Argument(call.span.lo)
}

/// The role of a `new` expression's arguments: copied by `new Map(c)`, else passed on.
pub fn constructor_argument_role(new: &NewExpr) -> Role {
    match unwrap(&new.callee) {
        Expr::Ident(id) if COPYING_CONSTRUCTORS.contains(&&*id.sym) => Role::Inspected,
        _ => Role::Escapes,
    }
}

/// Operators that compare their operands without keeping them.
pub fn compares(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, In | InstanceOf | EqEq | EqEqEq | NotEq | NotEqEq)
}

/// `useEffect(…)`, `React.useLayoutEffect(…)`: a React effect, whose callback runs after every
/// render it depends on and may return a cleanup.
/// The callee when it is a plain identifier: `name(…)`.
pub fn callee_ident(call: &CallExpr) -> Option<&Ident> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    match unwrap(callee) {
        Expr::Ident(ident) => Some(ident),
        _ => None,
    }
}

pub fn is_effect_hook_call(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    match unwrap(callee) {
        Expr::Ident(ident) => is_effect_hook_name(&ident.sym),
        // Svelte 5's `$effect.pre(() => …)`.
        Expr::Member(member) if matches!(unwrap(&member.obj), Expr::Ident(o) if o.sym == "$effect") => {
            true
        }
        Expr::Member(member) => {
            matches!(&member.prop, MemberProp::Ident(p) if is_effect_hook_name(&p.sym))
        }
        Expr::OptChain(chain) => match &*chain.base {
            OptChainBase::Member(member) => {
                matches!(&member.prop, MemberProp::Ident(p) if is_effect_hook_name(&p.sym))
            }
            OptChainBase::Call(_) => false,
        },
        _ => false,
    }
}

/// How many instances of a class the file shows are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instances {
    /// Only by code that runs once ([`Semantic::created_once`]).
    One,
    /// By code that runs many times.
    Many,
    /// The callers decide: the class's scope.
    Unknown(ScopeId),
}

/// An access `x.name`, and whether it is the callee of a call.
#[derive(Clone, Copy, Debug)]
pub struct MemberUse {
    pub span: Span,
    pub call: Option<MemberCall>,
    /// The target of an assignment (`editor.listen = …`).
    pub written: bool,
}

/// The receiver of a method call: `this.m()` or `x.m()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberCall {
    OnThis,
    OnOther,
}

/// Facts beyond direct calls that show code runs once, gathered by the builder.
#[derive(Debug, Default)]
pub(super) struct RunOnceFacts {
    /// Functions that read `process.argv`: a CLI's entry point, run once per process.
    pub argv_readers: Vec<ScopeId>,
    /// Methods named like private ones (`_parse`): only the file's own code calls them.
    pub private_methods: Vec<(ScopeId, Atom)>,
    /// Calls of such methods (`this._parse()`), with the scope they are made from.
    pub private_calls: Vec<(Atom, ScopeId)>,
    /// Names of such members used other than by calling them (`this._parse.bind(this)`).
    pub private_uses: FxHashSet<Atom>,
    /// Names handed over as the value of an object key (`{ startSession: startNodeSession }`):
    /// the key and the reference.
    pub keyed_values: Vec<(Atom, usize)>,
    /// Parameters destructured from an object key (`function start({ startSession: run })`):
    /// the key and the local.
    pub keyed_params: Vec<(Atom, BindingId)>,
}

/// Marks the functions that run once although they are functions, until nothing changes:
/// - a named function that is not exported and is only ever called, from code that runs once;
/// - a function that reads `process.argv` (a CLI's entry point) and that no code that runs many
///   times calls;
/// - a private-named method (`_parse`) only ever called, and from code that runs once.
pub(super) fn find_functions_that_run_once(
    scopes: &mut [Scope],
    function_bindings: &[(ScopeId, BindingId)],
    exported: impl Fn(BindingId) -> bool,
    uses: &super::Uses,
    references: &[Reference],
    facts: &RunOnceFacts,
    names_a_member: impl Fn(&str) -> bool,
) {
    if function_bindings.is_empty()
        && facts.private_methods.is_empty()
        && facts.argv_readers.is_empty()
    {
        return;
    }
    let binding_of = |scope: ScopeId| {
        function_bindings
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, b)| *b)
    };
    // Entry points without a name, or whose callers are all elsewhere: run once from the start.
    for &scope in &facts.argv_readers {
        if binding_of(scope).is_none() && scopes[scope.index()].own_runs_many == Some(true) {
            scopes[scope.index()].own_runs_many = None;
        }
    }
    settle_runs_many(scopes);
    let mut calls_of: FxHashMap<&Atom, Vec<ScopeId>> = FxHashMap::default();
    for (name, from) in &facts.private_calls {
        calls_of.entry(name).or_default().push(*from);
    }
    // Only worth indexing when some parameter is destructured from a key.
    let keyed_values: FxHashMap<usize, &Atom> = if facts.keyed_params.is_empty() {
        FxHashMap::default()
    } else {
        facts
            .keyed_values
            .iter()
            .map(|(key, at)| (*at, key))
            .collect()
    };
    // Each key's answer once: the question is asked again on every round below, and each
    // answer is a search of the whole text.
    let names_a_member = {
        let answers: std::cell::RefCell<FxHashMap<String, bool>> = Default::default();
        move |key: &str| {
            if let Some(&answer) = answers.borrow().get(key) {
                return answer;
            }
            let answer = names_a_member(key);
            answers.borrow_mut().insert(key.to_string(), answer);
            answer
        }
    };
    let called_only_from_run_once_code = |scopes: &[Scope], binding: BindingId, none_ok: bool| {
        let refs = uses.of(binding);
        (none_ok || !refs.is_empty())
            && refs.iter().all(|&r| {
                let reference = &references[r.index()];
                reference.is_callee && !scopes[reference.scope.index()].runs_many
            })
    };
    // `start({ startSession: startNodeSession })` and `function start({ startSession })`
    // calling it from code that runs once: the function runs once too, when the key is
    // only ever read by such parameters.
    let handed_under_a_key_to_run_once_code = |scopes: &[Scope], binding: BindingId| {
        let refs = uses.of(binding);
        !refs.is_empty()
            && refs.iter().all(|&r| {
                let Some(key) = keyed_values.get(&r.index()) else {
                    return false;
                };
                let mut locals = facts.keyed_params.iter().filter(|(k, _)| k == *key);
                // The text search last: most keys fail the other tests first.
                !scopes[references[r.index()].scope.index()].runs_many
                    && locals.clone().next().is_some()
                    && locals
                        .all(|&(_, local)| called_only_from_run_once_code(scopes, local, false))
                    && !names_a_member(key)
            })
    };
    // The candidates are the named functions, then the private methods: the scope an item
    // shows to run once, if it does now.
    let functions = function_bindings.len();
    let runs_once_now = |scopes: &[Scope], item: usize| -> Option<ScopeId> {
        if let Some(&(scope, binding)) = function_bindings.get(item) {
            if scopes[scope.index()].own_runs_many != Some(true) {
                return None;
            }
            let entry = facts.argv_readers.contains(&scope);
            let runs_once = (entry && called_only_from_run_once_code(scopes, binding, true))
                || (!exported(binding)
                    && (called_only_from_run_once_code(scopes, binding, false)
                        || (!keyed_values.is_empty()
                            && handed_under_a_key_to_run_once_code(scopes, binding))));
            return runs_once.then_some(scope);
        }
        let (scope, name) = &facts.private_methods[item - functions];
        if scopes[scope.index()].own_runs_many != Some(true) || facts.private_uses.contains(name) {
            return None;
        }
        calls_of
            .get(name)
            .is_some_and(|calls| calls.iter().all(|from| !scopes[from.index()].runs_many))
            .then_some(*scope)
    };
    // Which candidates to ask again when a scope starts to run once: those called from it.
    let mut dependents: Vec<(u32, u32)> = Vec::new();
    for (item, &(_, binding)) in function_bindings.iter().enumerate() {
        for &r in uses.of(binding) {
            dependents.push((references[r.index()].scope.0, item as u32));
        }
    }
    for (item, (_, name)) in facts.private_methods.iter().enumerate() {
        for from in calls_of.get(name).into_iter().flatten() {
            dependents.push((from.0, (functions + item) as u32));
        }
    }
    dependents.sort_unstable();
    let children = Children::new(scopes);
    let items = functions + facts.private_methods.len();
    // Each candidate is asked again when code that calls it starts to run once, so a chain
    // of calls settles in one pass, whatever order its functions are declared in. The
    // keyed hand-overs depend on more than the callers, so a pass that changes anything is
    // followed by another over every candidate.
    //
    // In order of arrival, and each candidate at most once in the queue: a function called
    // from many that settle one after another (`leaf()` in each of 20,000 functions) is asked
    // once after they have, not once for each.
    loop {
        let mut changed = false;
        let mut pending: std::collections::VecDeque<usize> = (0..items).collect();
        let mut queued = vec![true; items];
        while let Some(item) = pending.pop_front() {
            queued[item] = false;
            let Some(scope) = runs_once_now(scopes, item) else {
                continue;
            };
            scopes[scope.index()].own_runs_many = None;
            changed = true;
            children.settle(scopes, scope, |settled| {
                let first = dependents.partition_point(|&(s, _)| s < settled.0);
                for &(_, item) in dependents[first..]
                    .iter()
                    .take_while(|&&(s, _)| s == settled.0)
                {
                    let item = item as usize;
                    if !std::mem::replace(&mut queued[item], true) {
                        pending.push_back(item);
                    }
                }
            });
        }
        if !changed {
            return;
        }
    }
}

/// Each scope's children, for settling `runs_many` below one scope that changed.
struct Children {
    /// Where each scope's children start in `ids`; one more entry than scopes.
    starts: Vec<u32>,
    ids: Vec<ScopeId>,
}

impl Children {
    fn new(scopes: &[Scope]) -> Children {
        let mut starts = vec![0u32; scopes.len() + 1];
        for scope in &scopes[1..] {
            starts[scope
                .parent
                .expect("only the program has no parent")
                .index()
                + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut ids = vec![ScopeId(0); scopes.len().saturating_sub(1)];
        for (i, scope) in scopes.iter().enumerate().skip(1) {
            let slot = &mut next[scope
                .parent
                .expect("only the program has no parent")
                .index()];
            ids[*slot as usize] = ScopeId(i as u32);
            *slot += 1;
        }
        Children { starts, ids }
    }

    /// Settles `runs_many` of `root` and below after `root`'s own setting changed, calling
    /// `changed` with each scope that now runs once. A scope whose setting stays the same
    /// leaves its children as they were.
    fn settle(&self, scopes: &mut [Scope], root: ScopeId, mut changed: impl FnMut(ScopeId)) {
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            let scope = &scopes[id.index()];
            let inherited = scope.parent.is_some_and(|p| scopes[p.index()].runs_many);
            let runs_many = scope.own_runs_many.unwrap_or(inherited);
            if runs_many == scope.runs_many {
                continue;
            }
            scopes[id.index()].runs_many = runs_many;
            changed(id);
            let (from, to) = (self.starts[id.index()], self.starts[id.index() + 1]);
            stack.extend_from_slice(&self.ids[from as usize..to as usize]);
        }
    }
}

/// Parents come before children: one pass in creation order settles every scope.
fn settle_runs_many(scopes: &mut [Scope]) {
    for i in 1..scopes.len() {
        let parent = scopes[i].parent.expect("only the program has no parent");
        let inherited = scopes[parent.index()].runs_many;
        scopes[i].runs_many = scopes[i].own_runs_many.unwrap_or(inherited);
    }
}

impl Semantic<'_> {
    /// Is the binding's lifetime [`Lifetime::Process`]? (Cheaper than [`Semantic::lifetime_of`],
    /// which also tells closures from calls.)
    pub fn is_process_long(&self, binding: BindingId) -> bool {
        !self.scope(self.binding(binding).scope).runs_many
    }

    /// How long the value a binding holds lives.
    pub fn lifetime_of(&self, binding: BindingId) -> Lifetime {
        let scope = self.binding(binding).scope;
        if !self.scope(scope).runs_many {
            return Lifetime::Process;
        }
        if let Some(&known) = self.closure_lifetimes.borrow().get(&binding) {
            return known;
        }
        let lifetime = if self.is_captured(scope, self.uses.of(binding).iter()) {
            Lifetime::Closure
        } else {
            Lifetime::Call
        };
        self.closure_lifetimes
            .borrow_mut()
            .insert(binding, lifetime);
        lifetime
    }

    /// Is the binding declared by the code a module runs as it loads: top-level statements and
    /// blocks, namespaces, IIFEs there; not a function body (even one that runs once) nor a
    /// class body? Such a value is created exactly once, when the module loads.
    pub fn created_at_load(&self, binding: BindingId) -> bool {
        self.ancestors(self.binding(binding).scope).all(|id| {
            let scope = self.scope(id);
            match scope.kind {
                ScopeKind::Function | ScopeKind::Arrow => scope.iife && !scope.runs_many,
                ScopeKind::Class | ScopeKind::StaticBlock | ScopeKind::ClassFieldInit => false,
                _ => !scope.runs_many,
            }
        })
    }

    /// Is any of the references made from a function nested in the one that declares?
    fn is_captured<'a>(
        &self,
        declared_in: ScopeId,
        mut references: impl Iterator<Item = &'a super::ReferenceId>,
    ) -> bool {
        let home = self.function_of(declared_in);
        references.any(|&r| self.function_of(self.reference(r).scope) != home)
    }

    /// The nearest function (or arrow, or the program) around a scope.
    fn function_of(&self, scope: ScopeId) -> ScopeId {
        self.ancestors(scope)
            .find(|&id| {
                matches!(
                    self.scope(id).kind,
                    ScopeKind::Function | ScopeKind::Arrow | ScopeKind::Program
                )
            })
            .unwrap_or(ScopeId(0))
    }

    /// How long a property of `this` lives where `this` is used at `span`: a static property is
    /// the class's, so process-long when the class is; an instance property lives with the
    /// instance.
    pub fn lifetime_of_this_property(&self, span: Span) -> Option<Lifetime> {
        match self.this_at(span) {
            ThisValue::Class(class) => Some(self.lifetime_of(class)),
            ThisValue::Instance(_) => Some(Lifetime::Instance),
            ThisValue::Unknown => None,
        }
    }

    /// What says the instances of the class (or constructor function) whose scope is `owner`
    /// are kept for long, when the file does not show how many there are: an event emitter, whose
    /// users hold it to listen (`class Client extends EventEmitter`, `inherits(Changes, EE)`).
    /// (Names such as `…Service` or `…Manager` were tried: on Angular services their keys were
    /// closed sets, component names and toast positions.)
    pub fn long_lived_kind(&self, owner: ScopeId) -> Option<&'static str> {
        let class = self.owners.class_of(owner)?;
        self.is_an_emitter(class)
            .then_some("an event emitter, which its users keep to listen to")
    }

    fn is_an_emitter(&self, class: BindingId) -> bool {
        self.emitter_classes
            .get_or_init(|| self.find_emitter_classes())
            .contains(&class)
    }

    /// The classes that extend an emitter and the constructor functions that `inherits` from
    /// one: one pass over the nodes for the file, not one per class asked about.
    fn find_emitter_classes(&self) -> FxHashSet<BindingId> {
        let emitter = |expr: &Expr| {
            let text = squeezed(self.text, unwrap(expr).span());
            text.ends_with("EventEmitter")
                || text.ends_with("Emitter")
                || text.ends_with("EventTarget")
                || text == "EE"
        };
        self.nodes()
            .iter()
            .filter_map(|node| match node {
                super::Node::ClassDecl(decl)
                    if decl.class.super_class.as_deref().is_some_and(emitter) =>
                {
                    self.declared_binding(&decl.ident)
                }
                // `inherits(Changes, EventEmitter)`, `util.inherits(Server, events.EventEmitter)`.
                super::Node::Call(call) => {
                    let inherits = match &call.callee {
                        Callee::Expr(callee) => match unwrap(callee) {
                            Expr::Ident(f) => f.sym == "inherits",
                            Expr::Member(m) => prop_name(&m.prop).is_some_and(|p| p == "inherits"),
                            _ => false,
                        },
                        _ => false,
                    };
                    if !inherits || call.args.len() != 2 || !emitter(&call.args[1].expr) {
                        return None;
                    }
                    match unwrap(&call.args[0].expr) {
                        Expr::Ident(id) => self.binding_id_of(id),
                        _ => None,
                    }
                }
                // `Adapter.prototype.__proto__ = Emitter.prototype`,
                // `Adapter.prototype = Object.create(EventEmitter.prototype)`.
                super::Node::Assign(assign)
                    if inherited_prototype(&assign.right).is_some_and(emitter) =>
                {
                    self.prototype_assigned(assign)
                }
                _ => None,
            })
            .collect()
    }

    /// The constructor whose prototype (or its `__proto__`) an assignment sets.
    fn prototype_assigned(&self, assign: &AssignExpr) -> Option<BindingId> {
        let AssignTarget::Simple(SimpleAssignTarget::Member(target)) = &assign.left else {
            return None;
        };
        let prototype = match prop_name(&target.prop)?.as_ref() {
            "__proto__" => match unwrap(&target.obj) {
                Expr::Member(m) if prop_name(&m.prop).is_some_and(|p| p == "prototype") => &m.obj,
                _ => return None,
            },
            "prototype" => &target.obj,
            _ => return None,
        };
        match unwrap(prototype) {
            Expr::Ident(id) => self.binding_id_of(id),
            _ => None,
        }
    }

    /// Is the class (or constructor function) whose scope is `owner` instantiated only by code
    /// that runs once, and used nowhere else but through its own properties
    /// (`module.exports = new Registry()`, a module-level `const client = new Client()`)? Its
    /// instances then live as long as the process, and so does what they own.
    pub fn created_once(&self, owner: ScopeId) -> bool {
        self.made_once(owner, 3)
    }

    /// [`Semantic::created_once`], following at most `depth` links: an alias of the class
    /// (`let Adapter = _Adapter`), a subclass, or the constructor of another class made once.
    fn made_once(&self, owner: ScopeId, depth: u8) -> bool {
        let Some(class) = self.owners.class_of(owner) else {
            return false;
        };
        !self.binding(class).exported && self.name_makes_once(class, owner, depth)
    }

    /// Is every use of `name` (a class, or an alias of one) a property access or a `new` in
    /// code that runs once, with at least one `new`?
    fn name_makes_once(&self, name: BindingId, owner: ScopeId, depth: u8) -> bool {
        let mut news = 0;
        let only_created_once = self.references_to(name).all(|reference| {
            if reference.role == Role::Object
                || (depth > 0 && self.extended_by_a_class_made_once(reference.span))
            {
                return true;
            }
            if depth > 0 {
                if let Some(alias) = self.alias_declared_by(reference.span) {
                    let made = self.name_makes_once(alias, owner, depth - 1);
                    news += usize::from(made);
                    return made;
                }
            }
            let constructs = self.constructs_at(reference.span);
            news += usize::from(constructs);
            constructs
                && (!self.scope(reference.scope).runs_many
                    || (depth > 0
                        && self
                            .runs_once_per_instance(reference.span)
                            .is_some_and(|maker| {
                                maker != owner && self.made_once(maker, depth - 1)
                            })))
        });
        only_created_once && news > 0
    }

    fn whole_uses(&self) -> &WholeUses {
        self.whole_uses.get_or_init(|| {
            let mut uses = WholeUses::default();
            let key = |expr: &Expr| {
                let span = unwrap(expr).span();
                (span.lo, span.hi)
            };
            for (i, node) in self.nodes().iter().enumerate() {
                match node {
                    super::Node::New(new) => {
                        uses.constructed.insert(key(&new.callee));
                    }
                    super::Node::VarDeclarator(declarator) => {
                        if let (Some(init), Pat::Ident(_)) =
                            (declarator.init.as_deref(), &declarator.name)
                        {
                            uses.initialized.entry(key(init)).or_default().push(i);
                        }
                    }
                    super::Node::ClassDecl(decl) => {
                        if let Some(superclass) = decl.class.super_class.as_deref() {
                            uses.extended.entry(key(superclass)).or_default().push(i);
                        }
                    }
                    super::Node::Function(function) => {
                        // The first function with a body at each start decides.
                        let (lo, body) = match function {
                            super::FunctionNode::Function(f) => {
                                (f.span.lo, f.body.as_ref().map(|b| &b.stmts))
                            }
                            super::FunctionNode::Arrow(a) => match &*a.body {
                                ArrowFunctionBody::FunctionBody(b) => (a.span.lo, Some(&b.stmts)),
                                ArrowFunctionBody::Expr(_) => continue,
                            },
                            super::FunctionNode::Declaration(_) => continue,
                        };
                        if let Some(stmts) = body {
                            uses.returns_an_object
                                .entry(lo)
                                .or_insert_with(|| returns_an_object(stmts));
                        }
                    }
                    _ => {}
                }
            }
            uses
        })
    }

    /// Is `span` what a `new` constructs (`new X()`, `new (X)()`)?
    fn constructs_at(&self, span: Span) -> bool {
        self.whole_uses().constructed.contains(&(span.lo, span.hi))
    }

    /// The nodes that `uses` lists for `span`, in source order.
    fn nodes_using<'s>(
        &'s self,
        uses: &'s FxHashMap<(BytePos, BytePos), Vec<usize>>,
        span: Span,
    ) -> impl Iterator<Item = &'s super::Node<'s>> + 's {
        uses.get(&(span.lo, span.hi))
            .into_iter()
            .flatten()
            .map(|&i| &self.nodes()[i])
    }

    /// The binding `span` is the whole initializer of, never reassigned: `let Adapter = _Adapter`.
    fn alias_declared_by(&self, span: Span) -> Option<BindingId> {
        let uses = &self.whole_uses().initialized;
        self.nodes_using(uses, span).find_map(|node| {
            let super::Node::VarDeclarator(VarDeclarator {
                name: Pat::Ident(name),
                ..
            }) = node
            else {
                return None;
            };
            let alias = self.binding_id_of(&name.id)?;
            (!self.references_to(alias).any(|r| r.access.is_write())).then_some(alias)
        })
    }

    /// Is `span` the superclass of a class declaration (`class B extends A`) whose own
    /// instances are all made once? They are the only other instances of the superclass.
    fn extended_by_a_class_made_once(&self, span: Span) -> bool {
        let uses = &self.whole_uses().extended;
        self.nodes_using(uses, span).any(|node| match node {
            super::Node::ClassDecl(decl) => self
                .owners
                .declared_at(decl.ident.span)
                .is_some_and(|owner| self.made_once(owner, 0)),
            _ => false,
        })
    }

    /// `connect() { …; this.socket.on('close', () => this.connect()); }`: is the method around
    /// `span` called again on its own instance, as `this.m()` from a callback inside it or
    /// another method (a reconnect, a retry, a poll loop)? Then its name and that call's callee.
    /// What such a method adds to a member it keeps ([`Semantic::keeps_member`]) piles up on
    /// the one instance, however long the instance lives.
    pub fn reruns_on_its_instance(&self, span: Span) -> Option<(&Atom, Span)> {
        let method = self.function_scope_at(span)?;
        let ThisValue::Instance(owner) = self.scope(method).this else {
            return None;
        };
        let name = self.function_name(method)?;
        let reruns = self.reruns.get_or_init(|| {
            let mut reruns = FxHashMap::default();
            for node in self.nodes() {
                let super::Node::Call(call) = node else {
                    continue;
                };
                let Callee::Expr(callee) = &call.callee else {
                    continue;
                };
                let Some(name) = this_member(callee) else {
                    continue;
                };
                // From an arrow, which shares the method's `this`: a later run, not a recursion.
                let from_an_arrow = self
                    .function_scope_at(call.span)
                    .is_some_and(|from| self.scope(from).kind == ScopeKind::Arrow);
                if let (true, ThisValue::Instance(owner)) = (from_an_arrow, self.this_at(call.span))
                {
                    reruns.entry((owner, name.clone())).or_insert(callee.span());
                }
            }
            reruns
        });
        let again = *reruns.get(&(owner, name.clone()))?;
        Some((name, again))
    }

    /// Does the code at `span` run once for each instance of a class (or constructor function):
    /// in its constructor, or in a method that only the constructor calls (`this.bindEvents()`,
    /// also through one more such method)? The class's scope, then. A method that any other
    /// code names (`panel.bindEvents()`, `this.bindEvents` handed on) may run again.
    pub fn runs_once_per_instance(&self, span: Span) -> Option<ScopeId> {
        self.once_per_instance(span, 3)
    }

    /// For code that runs once per instance ([`Semantic::runs_once_per_instance`]): how many
    /// instances the file shows are made.
    pub fn instances_at(&self, span: Span) -> Option<Instances> {
        let owner = self.runs_once_per_instance(span)?;
        Some(if self.created_once(owner) {
            Instances::One
        } else if self.constructed_many_times(owner) {
            Instances::Many
        } else {
            Instances::Unknown(owner)
        })
    }

    fn once_per_instance(&self, span: Span, depth: u8) -> Option<ScopeId> {
        let function = self.function_scope_at(span)?;
        let ThisValue::Instance(owner) = self.scope(function).this else {
            return None;
        };
        if self.in_constructor(owner, span) {
            return Some(owner);
        }
        // An arrow runs when whatever it is handed to calls it.
        if depth == 0 || self.scope(function).kind == ScopeKind::Arrow {
            return None;
        }
        let name = self.function_name(function)?;
        let uses = self.member_uses().get(name)?;
        uses.iter()
            .all(|use_| match use_.call {
                // `this.bindEvents()` from the constructor, or `server.listen()` from code
                // that runs once: at most once for the instance.
                Some(MemberCall::OnThis) => {
                    self.once_per_instance(use_.span, depth - 1) == Some(owner)
                }
                Some(MemberCall::OnOther) => !self.runs_many_times(use_.span),
                None => false,
            })
            .then_some(owner)
    }

    /// The method around `span`, and its class, when no code in the file names it
    /// (`createProcess() {…}` that only a base class calls): how often it runs is for code
    /// elsewhere to say.
    pub fn method_called_elsewhere(&self, span: Span) -> Option<(ScopeId, &Atom)> {
        let function = self.function_scope_at(span)?;
        let ThisValue::Instance(owner) = self.scope(function).this else {
            return None;
        };
        if self.scope(function).kind == ScopeKind::Arrow || self.in_constructor(owner, span) {
            return None;
        }
        let name = self.function_name(function)?;
        (!self.member_uses().contains_key(name)).then_some((owner, name))
    }

    /// The name of the function whose scope is `scope` when it is installed as a property of
    /// an object (`editor.listen = () => …`, `{ listen() {…} }`), not bound to a name, and no
    /// code in the file names that property: only code elsewhere calls it.
    pub fn installed_on_an_object(&self, scope: ScopeId) -> Option<&Atom> {
        // A class's own methods are the class's checks' to judge.
        let parent = self.scope(scope).parent?;
        if self.scope(parent).kind == ScopeKind::Class {
            return None;
        }
        let name = self.function_name(scope)?;
        let read = self
            .member_uses()
            .get(name)
            .is_some_and(|uses| uses.iter().any(|u| !u.written));
        if self.function_binding(scope).is_some() || read {
            return None;
        }
        Some(name)
    }

    /// Every recorded access `x.name` (on a name or `this`) by its name, and whether it is
    /// called.
    pub(super) fn member_uses(&self) -> &FxHashMap<Atom, Vec<MemberUse>> {
        self.member_uses.get_or_init(|| {
            let mut uses: FxHashMap<Atom, Vec<MemberUse>> = FxHashMap::default();
            for node in self.nodes() {
                let super::Node::Member(member, role) = node else {
                    continue;
                };
                let MemberProp::Ident(prop) = &member.prop else {
                    continue;
                };
                let written = *role == Role::Assigned;
                let call = self.call_at(member.span).map(|_| {
                    if matches!(unwrap(&member.obj), Expr::This(_)) {
                        MemberCall::OnThis
                    } else {
                        MemberCall::OnOther
                    }
                });
                uses.entry(prop.sym.clone()).or_default().push(MemberUse {
                    span: member.span,
                    call,
                    written,
                });
            }
            uses
        })
    }

    /// Does the function whose scope is `scope` build and return an object of its own
    /// (`return { add, remove }` among its body's statements): a factory, which runs once for
    /// each object it makes, as a constructor does.
    pub fn returns_an_object(&self, scope: ScopeId) -> bool {
        let lo = self.scope(scope).span.lo;
        self.whole_uses()
            .returns_an_object
            .get(&lo)
            .copied()
            .unwrap_or(false)
    }

    /// Is an instance of the class whose scope is `owner` made, in this file, by code that
    /// runs many times (other than once for each instance of another class)?
    pub fn constructed_many_times(&self, owner: ScopeId) -> bool {
        let Some(class) = self.owners.class_of(owner) else {
            return false;
        };
        self.references_to(class).any(|reference| {
            self.scope(reference.scope).runs_many
                && self.runs_once_per_instance(reference.span).is_none()
                && self.constructs_at(reference.span)
        })
    }

    /// Does the method whose scope is `method` keep `this.<prop>` from one call to the next:
    /// it never replaces it, or only behind a test (`if (!this.socket) this.socket = …`,
    /// `this.socket ||= …`, `this.socket = this.socket || …`)?
    pub fn keeps_member(&self, method: ScopeId, prop: &Atom) -> bool {
        let replaced = self.replaced_members.get_or_init(|| {
            let mut replaced = FxHashSet::default();
            for node in self.nodes() {
                let super::Node::Assign(assign) = node else {
                    continue;
                };
                let AssignTarget::Simple(SimpleAssignTarget::Member(target)) = &assign.left else {
                    continue;
                };
                let (Some(prop), Some(method)) =
                    (this_member_of(target), self.function_scope_at(assign.span))
                else {
                    continue;
                };
                let keeps_the_old = assign.op != AssignOp::Assign
                    || matches!(unwrap(&assign.right), Expr::Bin(bin)
                        if matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing)
                            && this_member(&bin.left) == Some(prop));
                // Its own statement is the only one around it in the method: no `if` decides it.
                let body = self.scope(method).span;
                let tested = self
                    .enclosing_statements(assign.span)
                    .filter(|statement| body.contains(*statement))
                    .nth(1)
                    .is_some();
                if !keeps_the_old && !tested {
                    replaced.insert((method, prop.clone()));
                }
            }
            replaced
        });
        !replaced.contains(&(method, prop.clone()))
    }

    /// The name of the class or constructor function whose scope is `owner`.
    pub fn owner_name(&self, owner: ScopeId) -> Option<&Atom> {
        self.owners
            .class_of(owner)
            .map(|binding| &self.binding(binding).name)
    }

    /// Is the binding `this` under another name (`const that = this`), never reassigned?
    pub fn is_this_alias(&self, binding: BindingId) -> bool {
        self.lifetimes.this_aliases.contains(&binding)
    }

    /// What `this` stands for at `span`.
    pub fn this_at(&self, span: Span) -> ThisValue {
        self.scope(self.scope_at(span)).this
    }

    /// Does the value of `binding` escape the file's sight: exported, or used somewhere in a way
    /// other than a property access, a method call on it, an assignment to it, or an inspection
    /// that keeps nothing ([`Role`])?
    pub fn escapes(&self, binding: BindingId) -> bool {
        self.binding(binding).exported || self.handed_on(binding)
    }

    /// Is the value of `binding` used where the file loses sight of it (passed to a call,
    /// returned, stored, aliased), other than by an `export` declaration?
    pub fn handed_on(&self, binding: BindingId) -> bool {
        self.references_to(binding)
            .any(|r| !r.access.is_write() && r.role.escapes())
    }

    /// Is a global object named in `names` (`window`, `global`) handed, as a whole, to code the
    /// file cannot see (`jQuery(window)`)?
    pub fn global_escapes(&self, names: &[&str]) -> bool {
        self.references.iter().any(|r| {
            r.resolution == Resolution::Unresolved && r.role.escapes() && names.contains(&&*r.name)
        })
    }

    /// Is the value of the call at `call` thrown away (a statement of its own, or the right side
    /// of `cond && call()` as one)?
    pub fn result_dropped(&self, call: Span) -> bool {
        self.lifetimes
            .dropped
            .binary_search(&(call.lo, call.hi))
            .is_ok()
    }

    /// Is `span` inside a function nothing can call (`() => off();` as a statement, or
    /// `const cleanup = () => …` never read): a release there never happens.
    pub fn never_runs(&self, span: Span) -> bool {
        self.lifetimes.never_run.contains(span.lo)
    }

    /// Is `span` inside the arguments of a React effect hook (`useEffect(() => …)`)?
    pub fn in_effect(&self, span: Span) -> bool {
        self.lifetimes.effects.contains(span.lo)
    }

    /// Is `span` behind a run-once guard: `if (!done) { done = true; … }`, or the statements
    /// after `if (done) return;` in a block that sets `done`?
    pub fn behind_run_once_guard(&self, span: Span) -> bool {
        self.lifetimes.guarded.contains(span.lo)
    }

    /// The parameter whose object a run-once guard around `span` is kept on (`if
    /// (request[reentry]) return; request[reentry] = true;`): the code runs once per such
    /// object, which the callers may make on every call, so what it adds to something the
    /// object shares with others (a keep-alive socket) still adds up.
    pub fn guarded_per_object(&self, span: Span) -> Option<BindingId> {
        self.lifetimes
            .guarded_per_object
            .iter()
            .find(|(region, _)| region.lo <= span.lo && span.hi <= region.hi)
            .map(|(_, parameter)| *parameter)
    }

    /// The empty collection a binding is initialized with (`const cache = new Map()`).
    pub fn created(&self, binding: BindingId) -> Option<Created> {
        self.lifetimes.created.get(&binding).copied()
    }

    /// The empty collection an expression creates, with names resolved (`new Map()` only when
    /// `Map` is the global one).
    pub fn created_by(&self, expr: &Expr) -> Option<Created> {
        init_shape(expr)?.created(|pos| {
            self.reference_at
                .get(&pos)
                .is_some_and(|&r| self.reference(r).resolution == Resolution::Unresolved)
        })
    }

    /// Is the binding one whose value can be kept (a variable or an import), not a function,
    /// class, parameter or type-level name?
    pub fn holds_a_value(&self, binding: BindingId) -> bool {
        matches!(
            self.binding(binding).kind,
            BindingKind::Var
                | BindingKind::Let
                | BindingKind::Const
                | BindingKind::Import
                | BindingKind::TsImportEquals
        )
    }

    /// Is the registration at `span` on `receiver` inside an `if` that first checks whether it is
    /// needed: the receiver's listeners (`if (!~ctx.socket.listeners('error').indexOf(f))`) or
    /// whether the receiver changed (`if (this.connection != req.connection)`)? Then it adds at
    /// most one listener per receiver.
    pub fn registered_once_per_receiver(&self, span: Span, receiver: &str) -> bool {
        let function = self.function_scope_at(span);
        let guards: Vec<Span> = self
            .enclosing_statements(span)
            .skip(1)
            .take_while(|statement| {
                function.is_none_or(|f| self.scope(f).span.contains(*statement))
            })
            .collect();
        if guards.is_empty() {
            return false;
        }
        let checks = |node: &super::Node| match node {
            super::Node::Call(call) => method_of(call)
                .is_some_and(|(object, _)| squeezed(self.text, unwrap(object).span()) == receiver),
            super::Node::Comparison(bin) => [&bin.left, &bin.right]
                .iter()
                .any(|side| squeezed(self.text, unwrap(side).span()) == receiver),
            _ => false,
        };
        // The test may be kept in a variable first (`const changed = a != b; if (changed)`).
        let body = function.map(|f| self.scope(f).span);
        // Each test sits in the body or in a guard, which the body holds when there is one.
        let from = match body {
            Some(body) => body.lo,
            None => guards.iter().map(|g| g.lo).min().unwrap_or(span.lo),
        };
        let qualifies = |i: usize| {
            let node = &self.nodes()[i];
            let at = node_span(node);
            let before = match node {
                super::Node::Comparison(_) => body.is_some_and(|b| b.contains(at)),
                _ => guards.iter().any(|g| g.contains(at)),
            };
            at.lo < span.lo && before
        };
        let between = |list: &'_ [(BytePos, usize)], from: BytePos| -> std::ops::Range<usize> {
            let first = list.partition_point(|&(lo, _)| lo < from);
            first..list.partition_point(|&(lo, _)| lo < span.lo).max(first)
        };
        let tests = self.receiver_tests();
        // A call tests only inside a guard, and the outermost guard holds the others.
        let in_guards = guards
            .iter()
            .map(|g| g.lo)
            .min()
            .unwrap_or(span.lo)
            .max(from);
        let of = |by_text: &FxHashMap<String, Vec<(BytePos, usize)>>, from: BytePos| {
            by_text
                .get(receiver)
                .is_some_and(|list| list[between(list, from)].iter().any(|&(_, i)| qualifies(i)))
        };
        of(&tests.comparisons, from)
            || of(&tests.calls, in_guards)
            || tests.long[between(&tests.long, from)]
                .iter()
                .any(|&(_, i)| qualifies(i) && checks(&self.nodes()[i]))
    }

    /// The nodes that can test a receiver before a registration: `x.listeners(…)` and its kin,
    /// and `!=`/`!==` comparisons, by the code they test.
    fn receiver_tests(&self) -> &ReceiverTests {
        self.receiver_tests.get_or_init(|| {
            let mut tests = ReceiverTests::default();
            for (i, node) in self.nodes().iter().enumerate() {
                let tested: &[&Expr] = match node {
                    super::Node::Call(call) => match method_of(call) {
                        Some((object, method))
                            if matches!(
                                &**method,
                                "listeners" | "listenerCount" | "hasListeners" | "hasListener"
                            ) =>
                        {
                            &[object]
                        }
                        _ => continue,
                    },
                    super::Node::Comparison(bin)
                        if matches!(bin.op, BinaryOp::NotEq | BinaryOp::NotEqEq) =>
                    {
                        &[&*bin.left, &*bin.right]
                    }
                    _ => continue,
                };
                let lo = node_span(node).lo;
                let by_text = match node {
                    super::Node::Call(_) => &mut tests.calls,
                    _ => &mut tests.comparisons,
                };
                for expr in tested {
                    let code = unwrap(expr).span();
                    if (code.hi.0 - code.lo.0) as usize > ReceiverTests::LONGEST {
                        tests.long.push((lo, i));
                    } else {
                        let text = squeezed_text(self.text, code);
                        by_text.entry(text).or_default().push((lo, i));
                    }
                }
            }
            for list in tests
                .calls
                .values_mut()
                .chain(tests.comparisons.values_mut())
            {
                list.sort_unstable();
                list.dedup();
            }
            tests.long.sort_unstable();
            tests.long.dedup();
            tests
        })
    }

    /// Does the binding name a function written where it is declared (`function f() {}`,
    /// `const f = () => …`), which each run of the enclosing code creates anew?
    pub fn created_function(&self, binding: BindingId) -> bool {
        match self.binding(binding).kind {
            BindingKind::Function => true,
            BindingKind::Var | BindingKind::Let | BindingKind::Const => {
                matches!(
                    self.initializer_of(binding).map(unwrap),
                    Some(Expr::Fn(_) | Expr::Arrow(_))
                ) && !self.references_to(binding).any(|r| r.access.is_write())
            }
            _ => false,
        }
    }

    /// Is the binding initialized with a singleton, `EventBus(context).getInstance()`, that
    /// every call gets again? The local lives for a call; the object it names, for the process.
    pub fn holds_a_singleton(&self, binding: BindingId) -> bool {
        let Some(Expr::Call(call)) = self.initializer_of(binding).map(unwrap) else {
            return false;
        };
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        let method = match unwrap(callee) {
            Expr::Member(member) => prop_name(&member.prop),
            Expr::Ident(ident) => Some(&ident.sym),
            _ => None,
        };
        method.is_some_and(|m| matches!(&**m, "getInstance" | "getSingleton" | "sharedInstance"))
            && !self.references_to(binding).any(|r| r.access.is_write())
    }

    /// Is the binding written by code that runs many times (a module-level `let` replaced on
    /// every call holds a new value each time)?
    pub fn reassigned_per_call(&self, binding: BindingId) -> bool {
        // Asked for each registration on a name: one pass over the references answers all.
        let written = self.written_per_call.get_or_init(|| {
            self.references
                .iter()
                .filter(|r| r.access.is_write() && self.scope(r.scope).runs_many)
                .filter_map(|r| match r.resolution {
                    Resolution::Binding(b) => Some(b),
                    _ => None,
                })
                .collect()
        });
        written.contains(&binding)
    }

    /// Is the binding written from inside `span` (`function path() { path = … }`)?
    pub fn written_within(&self, binding: BindingId, span: Span) -> bool {
        self.references_to(binding)
            .any(|r| r.access.is_write() && span.lo <= r.span.lo && r.span.hi <= span.hi)
    }
}

/// Who holds an acquired resource, as far as a release can name it again: a path from a root
/// (`process.stdout`, `bus`, `this.el`) or, for handles kept on objects, the property name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    Path(Root, Vec<Atom>),
    /// `x.timer`, whatever `x` is: matched by the property's name.
    Property(Atom),
}

/// The start of a holder's path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    /// A long-lived global (`process`, `window`).
    Global(Atom),
    Binding(BindingId),
    /// `this`, or a name that cannot be followed; only compared with releases.
    Other(Atom),
}

/// Members that name a connection that outlives the object reached through it: a request's
/// `socket` (or `connection`) serves every request of a keep-alive connection, a stream's
/// `session` every stream of it.
const SHARED_CONNECTIONS: &[&str] = &["socket", "connection", "session"];

/// Members that name a cancellation signal a caller hands in: one `AbortController` (or axios
/// `CancelToken`) commonly serves many requests, and keeps each listener until it aborts.
const SHARED_SIGNALS: &[&str] = &["signal", "cancelToken"];

/// What a registration's receiver is shared with, beyond the call that registers on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shared {
    /// A connection (`req.socket`, `ctx.socket`, `stream.session.socket`): every request on it.
    Connection(&'static str),
    /// A caller's cancellation signal (`options.signal`, `config.cancelToken`): every request
    /// the caller makes with it.
    Signal(&'static str),
}

impl Semantic<'_> {
    /// `this.$root`, `this.$eventHub`, `this.$rootScope`: what a Vue or AngularJS app puts on
    /// every component (the root instance, an app-wide event bus) lives as long as the app,
    /// while the component that adds to it comes and goes.
    pub fn is_app_wide(&self, holder: &Holder) -> bool {
        let Holder::Path(Root::Other(root), props) = holder else {
            return false;
        };
        root == "this"
            && props.first().is_some_and(|member| {
                matches!(
                    &**member,
                    "$root" | "$rootScope" | "$bus" | "$hub" | "$events" | "$emitter"
                ) || (member.starts_with('$')
                    && (member.ends_with("Bus") || member.ends_with("Hub")))
            })
    }

    /// `this.alerts…` in an Angular component whose injector fills `alerts`: a service, which
    /// lives as long as the app (or its injector), while components come and go.
    pub fn is_injected_service(&self, holder: &Holder, at: Span) -> bool {
        let (Holder::Path(Root::Other(root), props), ThisValue::Instance(class)) =
            (holder, self.this_at(at))
        else {
            return false;
        };
        root == "this"
            && props.first().is_some_and(|member| {
                self.lifetimes
                    .injected
                    .iter()
                    .any(|(scope, name)| *scope == class && name == member)
            })
    }

    /// Is the holder a connection or a cancellation signal that comes from outside the call
    /// (`req.socket`, `ctx.socket` of a context made from `req`, `stream.session.socket`, the
    /// `socket` a request hands its `'socket'` listeners, `this.connection` kept from
    /// `req.connection`, `this.options.signal`)? The object passed in lives for one request,
    /// but its connection is shared with the requests before and after it, and a signal with
    /// every request made with it, so what is added to it per call piles up for as long as it
    /// lives.
    pub fn is_shared_connection(&self, holder: &Holder, at: Span) -> Option<Shared> {
        let Holder::Path(root, props) = holder else {
            return None;
        };
        let shared = |props: &[Atom]| {
            props.iter().find_map(|p| {
                shared_connection(p).or_else(|| {
                    SHARED_SIGNALS
                        .iter()
                        .find(|shared| p == **shared)
                        .map(|s| Shared::Signal(s))
                })
            })
        };
        match root {
            Root::Binding(binding) if self.comes_from_a_parameter(*binding) => {
                if props.is_empty() && self.is_socket_of_a_request(*binding) {
                    return Some(Shared::Connection("socket"));
                }
                // `function get(url, { signal })`: the signal itself.
                let name = &self.binding(*binding).name;
                if let Some(signal) = SHARED_SIGNALS.iter().find(|s| name == **s) {
                    if props.is_empty() {
                        return Some(Shared::Signal(signal));
                    }
                }
                shared(props).filter(|shared| {
                    !(matches!(shared, Shared::Connection(_)) && self.response_never_ends(*binding))
                })
            }
            Root::Other(this) if this == "this" => {
                let (first, rest) = props.split_first()?;
                self.received_connection(at, first)
                    .or_else(|| shared(rest).filter(|s| matches!(s, Shared::Signal(_))))
            }
            _ => None,
        }
    }

    /// `(req, res) => { …; res.write(…) }`, a handler that writes to the response it is given
    /// but never ends it, hands it on, or passes the request on (`next`): the response stays
    /// open (an event stream), so its connection serves no other request.
    fn response_never_ends(&self, request: BindingId) -> bool {
        const ENDS: &[&str] = &[
            "end",
            "send",
            "json",
            "jsonp",
            "sendFile",
            "sendStatus",
            "redirect",
            "render",
            "download",
            "destroy",
            "pipe",
        ];
        let Some(index) = self.param_index(request) else {
            return false;
        };
        let param = |at: usize| {
            let scope = self.scope(self.binding(request).scope);
            scope.bindings.values().copied().find(|&b| {
                self.binding(b).kind == BindingKind::Param && self.param_index(b) == Some(at)
            })
        };
        let Some(response) = param(index + 1) else {
            return false;
        };
        if param(index + 2).is_some_and(|next| self.references_to(next).next().is_some()) {
            return false;
        }
        let mut writes = false;
        let never_ended = self.references_to(response).all(|r| match r.role {
            Role::Receiver(_) => {
                let after = self.text.get(r.span.hi.0 as usize - 1..).unwrap_or("");
                let method = after
                    .trim_start_matches(|c: char| c == '.' || c == '?' || c.is_whitespace())
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .next()
                    .unwrap_or("");
                writes = true;
                !ENDS.contains(&method)
            }
            Role::Object | Role::Inspected => true,
            _ => false,
        });
        writes && never_ended
    }

    /// Is the binding the host parameter of a hook that a host calls each time an object is
    /// added to it ([`super::lifecycle::HOST_HOOKS`]): `onAdd(map)`, `submit(connection)`
    /// (also under a `const` alias)?
    pub fn is_host_of_a_hook(&self, binding: BindingId) -> Option<()> {
        let mut param = binding;
        // `const con = connection`: the parameter under another name.
        if self.binding(binding).kind == BindingKind::Const {
            param = match unwrap(self.initializer_of(binding)?) {
                Expr::Ident(id) => self.binding_id_of(id)?,
                _ => return None,
            };
        }
        let info = self.binding(param);
        if info.kind != BindingKind::Param {
            return None;
        }
        let name = self.function_name(info.scope)?;
        let index = self.param_index(param)?;
        super::lifecycle::HOST_HOOKS
            .iter()
            .any(|(hook, at)| name == *hook && index == *at)
            .then_some(())
    }

    /// A parameter, or a local of the call made from one (`const ctx = new Context(req, res)`,
    /// `const socket = req.socket`).
    fn comes_from_a_parameter(&self, binding: BindingId) -> bool {
        let info = self.binding(binding);
        match info.kind {
            BindingKind::Param => true,
            BindingKind::Var | BindingKind::Let | BindingKind::Const => {
                !self.is_process_long(binding)
                    && self
                        .initializer_of(binding)
                        .is_some_and(|init| self.mentions_a_parameter(init, 0))
            }
            _ => false,
        }
    }

    /// Is a parameter named in the expression, as the object of a member, an argument, or a
    /// side of `||`/`??`?
    fn mentions_a_parameter(&self, expr: &Expr, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let any = |args: &[ExprOrSpread]| {
            args.iter()
                .any(|a| self.mentions_a_parameter(&a.expr, depth + 1))
        };
        match unwrap(expr) {
            Expr::Ident(ident) => self
                .binding_of(ident)
                .is_some_and(|b| b.kind == BindingKind::Param),
            Expr::Member(member) => self.mentions_a_parameter(&member.obj, depth + 1),
            Expr::New(new) => new.args.as_deref().is_some_and(any),
            Expr::Call(call) => any(&call.args),
            Expr::Bin(bin) => {
                self.mentions_a_parameter(&bin.left, depth + 1)
                    || self.mentions_a_parameter(&bin.right, depth + 1)
            }
            _ => false,
        }
    }

    /// The parameter of a request's `'socket'` listener (`req.on('socket', (socket) => …)`): the
    /// socket an agent lends the request, and lends again to the next one on a keep-alive
    /// connection.
    fn is_socket_of_a_request(&self, binding: BindingId) -> bool {
        let info = self.binding(binding);
        info.kind == BindingKind::Param
            && self
                .function_scope_at(info.span)
                .and_then(|scope| self.handler_at_scope(scope))
                .is_some_and(|handler| handler.via.ends_with("('socket')"))
    }

    /// The values assigned to `this.<member>` (or through a name for `this`) on the instance
    /// that `this` is at `at`, and that instance's owner; `None` when nothing assigns it.
    fn values_of_member(
        &self,
        at: Span,
        member: &Atom,
    ) -> Option<(ScopeId, impl Iterator<Item = &AssignExpr> + '_)> {
        let ThisValue::Instance(owner) = self.this_at(at) else {
            return None;
        };
        let writes = self.member_writes().get(&(owner, member.clone()))?;
        let assigns = writes
            .iter()
            .filter_map(|&index| match self.nodes()[index] {
                super::Node::Assign(assign) => Some(assign),
                _ => None,
            });
        Some((owner, assigns))
    }

    /// Is `span` in the constructor of the class (or the constructor function) whose scope is
    /// `owner`?
    pub fn in_constructor(&self, owner: ScopeId, span: Span) -> bool {
        self.function_scope_at(span).is_some_and(|function| {
            function == owner
                || (self.scope(function).parent == Some(owner)
                    && self
                        .function_name(function)
                        .is_some_and(|name| name == "constructor"))
        })
    }

    /// `this.connection = req.connection`: the connection a member of `this` is given, when every
    /// value it is given is one reached from a parameter.
    fn received_connection(&self, at: Span, member: &Atom) -> Option<Shared> {
        let (_, mut assigns) = self.values_of_member(at, member)?;
        let mut found = None;
        assigns.try_for_each(|assign| {
            let Holder::Path(Root::Binding(root), props) = member_path(self, &assign.right)? else {
                return None;
            };
            if !self.comes_from_a_parameter(root) {
                return None;
            }
            found = Some(props.iter().find_map(shared_connection)?);
            Some(())
        })?;
        found
    }

    /// `this.client = client` in the constructor, where `client` is one of its parameters: the
    /// parameter's name, when that is the only value the member is ever given. What an instance
    /// registers on an object it was handed is kept by that object, which the caller may hand to
    /// many instances, for as long as the object lives.
    pub fn received_by_constructor(&self, at: Span, member: &Atom) -> Option<&Atom> {
        let (owner, mut assigns) = self.values_of_member(at, member)?;
        let mut found = None;
        assigns.try_for_each(|assign| {
            // `this.renderer = null` in `destroy()` lets go of it: not another value.
            if is_empty_value(&assign.right) {
                return Some(());
            }
            let Expr::Ident(value) = unwrap(&assign.right) else {
                return None;
            };
            let binding = self.binding_of(value)?;
            let is_its_parameter = binding.kind == BindingKind::Param
                && self.function_scope_at(binding.span) == self.function_scope_at(assign.span);
            if !is_its_parameter || !self.in_constructor(owner, assign.span) {
                return None;
            }
            found = Some(&value.sym);
            Some(())
        })?;
        found
    }

    /// Every assignment `this.m = …` (or through a name for `this`), by the instance's owner and
    /// the member, built on first use.
    fn member_writes(&self) -> &FxHashMap<(ScopeId, Atom), Vec<usize>> {
        self.member_writes.get_or_init(|| {
            let mut writes: FxHashMap<(ScopeId, Atom), Vec<usize>> = FxHashMap::default();
            for (index, node) in self.nodes().iter().enumerate() {
                let super::Node::Assign(assign) = node else {
                    continue;
                };
                if assign.op != AssignOp::Assign {
                    continue;
                }
                let AssignTarget::Simple(SimpleAssignTarget::Member(target)) = &assign.left else {
                    continue;
                };
                let is_this = match unwrap(&target.obj) {
                    Expr::This(_) => true,
                    Expr::Ident(ident) => self
                        .binding_id_of(ident)
                        .is_some_and(|b| self.is_this_alias(b)),
                    _ => false,
                };
                let (true, Some(prop), ThisValue::Instance(owner)) =
                    (is_this, prop_name(&target.prop), self.this_at(target.span))
                else {
                    continue;
                };
                writes.entry((owner, prop.clone())).or_default().push(index);
            }
            writes
        })
    }
}

/// `object.method(…)`, as the object and the method's name.
fn method_of(call: &CallExpr) -> Option<(&Expr, &Atom)> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(member) = unwrap(callee) else {
        return None;
    };
    Some((&member.obj, prop_name(&member.prop)?))
}

fn node_span(node: &super::Node) -> Span {
    match node {
        super::Node::Call(call) => call.span,
        super::Node::Comparison(bin) => bin.span,
        _ => DUMMY_SP,
    }
}

/// `socket` in `req.socket`: a member that names a shared connection.
fn shared_connection(member: &Atom) -> Option<Shared> {
    SHARED_CONNECTIONS
        .iter()
        .find(|shared| member == **shared)
        .map(|s| Shared::Connection(s))
}

/// `req.connection` as a path from its root, when it is a name followed by plain members.
fn member_path(semantic: &Semantic, expr: &Expr) -> Option<Holder> {
    match unwrap(expr) {
        Expr::Ident(ident) => Some(Holder::Path(
            Root::Binding(semantic.binding_id_of(ident)?),
            Vec::new(),
        )),
        Expr::Member(member) => {
            let Holder::Path(root, mut props) = member_path(semantic, &member.obj)? else {
                return None;
            };
            props.push(prop_name(&member.prop)?.clone());
            Some(Holder::Path(root, props))
        }
        _ => None,
    }
}

/// Which function a release removes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Released {
    /// Every function (`removeAllListeners`, `clearInterval(id)`).
    Any,
    /// The function written as this text (`handler`, `this.onResize`).
    Function(String),
    /// A function no acquisition can have added (`f.bind(this)`, an inline arrow).
    Nothing,
}

/// A release of something a holder keeps: a listener removed, a timer cleared.
#[derive(Clone, Debug)]
pub struct Release {
    pub holder: Holder,
    /// `None`: every event.
    pub event: Option<String>,
    pub function: Released,
}

/// An acquisition to match: who holds it, for which event, which function.
#[derive(Clone, Debug)]
pub struct Acquisition<'a> {
    pub holder: &'a Holder,
    pub event: Option<&'a str>,
    /// The function's text when a release could name it again.
    pub function: Option<&'a str>,
}

/// The releases of one file, in the order they were recorded, found by holder and by event:
/// a file with many registrations and removals asks once per registration.
#[derive(Debug, Default)]
pub struct Releases {
    releases: Vec<Release>,
    by_holder: ByHolder,
    by_event: FxHashMap<String, Vec<usize>>,
}

/// The calls and comparisons that can test a receiver ([`Semantic::registered_once_per_receiver`]),
/// by the code they test with its whitespace removed, each list in order of position.
#[derive(Debug, Default)]
pub(super) struct ReceiverTests {
    calls: FxHashMap<String, Vec<(BytePos, usize)>>,
    comparisons: FxHashMap<String, Vec<(BytePos, usize)>>,
    /// Tests of code longer than [`ReceiverTests::LONGEST`], not indexed by their text (a copy
    /// each would cost as much as the code): compared one by one.
    long: Vec<(BytePos, usize)>,
}

impl ReceiverTests {
    const LONGEST: usize = 256;
}

/// Positions of releases (in some list) by holder, event and function: those that could undo
/// an acquisition ([`Release::undoes`]) without comparing it with every release.
#[derive(Debug, Default)]
pub struct ByHolder {
    of: FxHashMap<Holder, OfHolder>,
}

#[derive(Debug, Default)]
struct OfHolder {
    every_event: ByFunction,
    by_event: FxHashMap<String, ByFunction>,
}

/// Releases of one holder and event: of every function, and by the function they name. (A
/// release of [`Released::Nothing`] undoes nothing and is not listed.)
#[derive(Debug, Default)]
struct ByFunction {
    any: Vec<usize>,
    named: FxHashMap<String, Vec<usize>>,
}

impl ByFunction {
    fn add(&mut self, function: &Released, at: usize) {
        match function {
            Released::Any => self.any.push(at),
            Released::Function(name) => self.named.entry(name.clone()).or_default().push(at),
            Released::Nothing => {}
        }
    }

    /// The releases of every function, and those naming `function`.
    fn candidates<'a>(&'a self, function: Option<&str>) -> [&'a [usize]; 2] {
        let named = function.and_then(|f| self.named.get(f));
        [&self.any, named.map_or(&[][..], Vec::as_slice)]
    }
}

impl ByHolder {
    pub fn add(&mut self, release: &Release, at: usize) {
        let of = self.of.entry(release.holder.clone()).or_default();
        let list = match &release.event {
            Some(event) => of.by_event.entry(event.clone()).or_default(),
            None => &mut of.every_event,
        };
        list.add(&release.function, at);
    }

    /// The positions of the releases with the acquisition's holder, its event (or every event)
    /// and its function (or every function), in order: each undoes it. Merged as they are
    /// asked for, so that asking for the first costs no more than the first.
    pub fn candidates(&self, acquisition: &Acquisition) -> Candidates<'_> {
        let Some(of) = self.of.get(acquisition.holder) else {
            return Candidates { lists: [&[]; 4] };
        };
        let of_event = acquisition.event.and_then(|event| of.by_event.get(event));
        let [any_event, named_event] =
            of_event.map_or([&[][..]; 2], |list| list.candidates(acquisition.function));
        let [any, named] = of.every_event.candidates(acquisition.function);
        Candidates {
            lists: [any_event, named_event, any, named],
        }
    }
}

/// Positions from a few ordered lists, in order ([`ByHolder::candidates`]).
pub struct Candidates<'a> {
    lists: [&'a [usize]; 4],
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let (list, &at) = self
            .lists
            .iter()
            .enumerate()
            .filter_map(|(i, list)| list.first().map(|at| (i, at)))
            .min_by_key(|&(_, at)| *at)?;
        self.lists[list] = &self.lists[list][1..];
        Some(at)
    }
}

impl Release {
    /// Does it undo the acquisition: the same holder, the same event (or every event), the
    /// same function (or every function)?
    pub fn undoes(&self, acquisition: &Acquisition) -> bool {
        self.holder == *acquisition.holder
            && match (&self.event, acquisition.event) {
                (None, _) => true,
                (Some(released), Some(acquired)) => released == acquired,
                (Some(_), None) => false,
            }
            && match (&self.function, acquisition.function) {
                (Released::Any, _) => true,
                (Released::Function(removed), Some(added)) => removed == added,
                _ => false,
            }
    }

    /// Does it undo the acquisition through any holder: the same event and the same kept
    /// function (or every function of the event)? How a listener on a shared connection is
    /// removed through another path to it (`stream.session.socket.on('close', this.onClose)`,
    /// later `this.stream.session.socket.removeListener('close', this.onClose)`).
    pub fn undoes_through_any_holder(&self, acquisition: &Acquisition) -> bool {
        acquisition
            .event
            .is_some_and(|event| self.event.as_deref() == Some(event))
            && match &self.function {
                Released::Function(f) => acquisition.function == Some(f.as_str()),
                // `removeAllListeners('row')`: every listener of the event.
                Released::Any => true,
                Released::Nothing => false,
            }
    }
}

impl Releases {
    pub fn record(&mut self, release: Release) {
        let at = self.releases.len();
        self.by_holder.add(&release, at);
        if let Some(event) = &release.event {
            self.by_event.entry(event.clone()).or_default().push(at);
        }
        self.releases.push(release);
    }

    /// The first release that undoes the acquisition through any holder
    /// ([`Release::undoes_through_any_holder`]), which names the acquisition's event.
    pub fn released_through_any_holder(&self, acquisition: &Acquisition) -> Option<&Release> {
        let of_event = self.by_event.get(acquisition.event?)?;
        of_event
            .iter()
            .map(|&at| &self.releases[at])
            .find(|release| release.undoes_through_any_holder(acquisition))
    }

    /// The first release that undoes the acquisition ([`Release::undoes`]), which has the
    /// acquisition's holder.
    pub fn released_by(&self, acquisition: &Acquisition) -> Option<&Release> {
        self.by_holder
            .candidates(acquisition)
            .map(|at| &self.releases[at])
            .find(|release| release.undoes(acquisition))
    }
}

/// `prop` of `this.prop`.
fn this_member_of(member: &MemberExpr) -> Option<&Atom> {
    matches!(unwrap(&member.obj), Expr::This(_))
        .then(|| prop_name(&member.prop))
        .flatten()
}

/// `prop` when `expr` is `this.prop`.
fn this_member(expr: &Expr) -> Option<&Atom> {
    match unwrap(expr) {
        Expr::Member(member) => this_member_of(member),
        _ => None,
    }
}

/// `Emitter.prototype` or `Object.create(Emitter.prototype)`: the constructor whose prototype
/// another one inherits.
fn inherited_prototype(expr: &Expr) -> Option<&Expr> {
    let expr = match unwrap(expr) {
        Expr::Call(call) if call.args.len() == 1 => &call.args[0].expr,
        other => other,
    };
    match unwrap(expr) {
        Expr::Member(m) if prop_name(&m.prop).is_some_and(|p| p == "prototype") => Some(&m.obj),
        _ => None,
    }
}

/// `null`, `undefined` or `void 0`: what code assigns to let go of a reference.
fn is_empty_value(expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Ident(id) => id.sym == "undefined",
        Expr::Unary(unary) => unary.op == UnaryOp::Void,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::tests::semantic;

    /// A reconnect: the method runs again on its instance from an arrow, and it keeps the
    /// member only when nothing replaces it unconditionally.
    #[test]
    fn a_method_that_reruns_on_its_instance_and_the_members_it_keeps() {
        let at = |source: &str, needle: &str| {
            let lo = source.find(needle).expect("in the source") as u32 + crate::parse::BASE;
            Span::new(BytePos(lo), BytePos(lo + 1))
        };
        let kept = |source: &str| {
            let s = semantic(source, "a.js");
            let span = at(source, "this.socket.on");
            let rerun = s
                .reruns_on_its_instance(span)
                .map(|(name, _)| name.to_string());
            let method = s.function_scope_at(span).expect("in a method");
            (rerun, s.keeps_member(method, &Atom::from("socket")))
        };
        let again = "this.socket.on('close', () => setTimeout(() => this.connect(), 9)); } }";
        assert_eq!(
            kept(&format!(
                "class F {{ connect() {{ if (!this.socket) this.socket = open(); {again}"
            )),
            (Some("connect".into()), true)
        );
        assert_eq!(
            kept(&format!(
                "class F {{ connect() {{ this.socket ||= open(); {again}"
            )),
            (Some("connect".into()), true)
        );
        assert_eq!(
            kept(&format!(
                "class F {{ connect() {{ this.socket = open(); {again}"
            )),
            (Some("connect".into()), false)
        );
        // A plain function's `this` is not the instance; a direct call is a recursion.
        assert_eq!(
            kept("class F { connect() { this.socket.on('x', f); setTimeout(function () { this.connect(); }); } }").0,
            None
        );
        assert_eq!(
            kept("class F { connect(n) { this.socket.on('x', f); if (n) this.connect(n - 1); } }")
                .0,
            None
        );
    }

    /// The first binding named `name`.
    fn binding(semantic: &Semantic, name: &str) -> BindingId {
        let index = semantic
            .bindings
            .iter()
            .position(|b| &*b.name == name)
            .unwrap_or_else(|| panic!("`{name}` is declared"));
        semantic
            .declared_binding(&Ident::new_no_ctxt(
                name.into(),
                semantic.bindings[index].span,
            ))
            .expect("declared")
    }

    fn span_of(source: &str, marker: &str) -> Span {
        let at = source.find(marker).expect("marker") as u32 + 1;
        Span::new(BytePos(at), BytePos(at + marker.len() as u32))
    }

    #[test]
    fn lifetimes_of_bindings() {
        let lifetime = |source: &str, name: &str| {
            let semantic = semantic(source, "a.js");
            semantic.lifetime_of(binding(&semantic, name))
        };
        assert_eq!(lifetime("const c = new Map(); c;", "c"), Lifetime::Process);
        assert_eq!(
            lifetime("(function () { var c = {}; c; })();", "c"),
            Lifetime::Process
        );
        assert_eq!(
            lifetime("function setup() { const c = []; c; } setup();", "c"),
            Lifetime::Process
        );
        assert_eq!(
            lifetime("class A { static { const c = []; c; } }", "c"),
            Lifetime::Process
        );
        let at_load = |source: &str| {
            let semantic = semantic(source, "a.js");
            semantic.created_at_load(binding(&semantic, "c"))
        };
        assert!(at_load("const c = new Map();"));
        assert!(at_load("if (a) { var c = {}; }"));
        assert!(at_load("(function () { var c = {}; })();"));
        assert!(!at_load("function setup() { const c = []; } setup();"));
        assert!(!at_load("class A { static { const c = []; } }"));
        assert!(!at_load(
            "function f() { (function () { var c = {}; })(); }"
        ));
        assert_eq!(
            lifetime("export function f() { const c = []; c; }", "c"),
            Lifetime::Call
        );
        assert_eq!(
            lifetime(
                "module.exports = function make() { const c = []; return () => c.push(1); };",
                "c"
            ),
            Lifetime::Closure
        );
        assert_eq!(
            lifetime("function f() { let c = []; { c.push(1); } } f; f;", "c"),
            Lifetime::Call
        );
    }

    #[test]
    fn this_in_classes_and_functions() {
        let this = |source: &str| {
            let semantic = semantic(source, "a.js");
            let at = span_of(source, "this");
            (semantic.this_at(at), semantic.lifetime_of_this_property(at))
        };
        let (value, lifetime) = this("class A { static m() { this; } }");
        assert!(matches!(value, ThisValue::Class(_)));
        assert_eq!(lifetime, Some(Lifetime::Process));
        let (value, _) = this("class A { static x = this; }");
        assert!(matches!(value, ThisValue::Class(_)));
        let (value, lifetime) = this("class A { m() { this; } }");
        assert!(matches!(value, ThisValue::Instance(_)));
        assert_eq!(lifetime, Some(Lifetime::Instance));
        let (value, _) = this("class A { constructor() { const f = () => this; } }");
        assert!(matches!(value, ThisValue::Instance(_)));
        let (value, _) = this("class A { m() { function g() { this; } } }");
        assert_eq!(value, ThisValue::Unknown);
        let (value, _) = this("const o = { m() { this; } };");
        assert_eq!(value, ThisValue::Unknown);
    }

    #[test]
    fn escapes() {
        let escapes = |source: &str| {
            let semantic = semantic(source, "a.js");
            semantic.escapes(binding(&semantic, "c"))
        };
        // Uses that keep the value where the file can see it.
        assert!(!escapes(
            "const c = new Map(); c.set(1, 2); c.size; c[k] = 1;"
        ));
        assert!(!escapes(
            "const c = {}; delete c[k]; typeof c; c === d; k in c;"
        ));
        assert!(!escapes(
            "const c = {}; Object.keys(c); JSON.stringify(c); console.log(c);"
        ));
        assert!(!escapes(
            "const c = []; for (const x of c) {} new Set(c); ({ ...c });"
        ));
        assert!(!escapes("let c = []; c = [];"));
        let semantic_ts = semantic("const c = []; (c as any).push(1); c!.length;", "a.ts");
        assert!(!semantic_ts.escapes(binding(&semantic_ts, "c")));
        // Uses that hand it on.
        assert!(escapes("const c = []; function f() { return c; }"));
        assert!(escapes("const c = []; register(c);"));
        assert!(escapes("const c = []; const d = c;"));
        assert!(escapes("const c = []; module.exports = { c };"));
        assert!(escapes("const c = []; o.list = c;"));
        assert!(escapes("export const c = [];"));
        assert!(escapes("const c = []; export { c };"));
        assert!(escapes("const c = []; new Holder(c);"));
    }

    #[test]
    fn dropped_results() {
        let dropped = |source: &str, marker: &str| {
            let semantic = semantic(source, "a.js");
            semantic.result_dropped(span_of(source, marker))
        };
        assert!(dropped("f(); g();", "f()"));
        assert!(dropped("a && f();", "f()"));
        assert!(dropped("(f());", "f()"));
        assert!(!dropped("const x = f();", "f()"));
        assert!(!dropped("return_(f());", "f()"));
        assert!(!dropped("f().g();", "f()"));
        assert!(dropped("f().g();", "f().g()"));
    }

    #[test]
    fn a_guard_kept_on_a_parameters_object_runs_once_per_object() {
        let source = "const k = Symbol(); module.exports = function (req) { if (req[k]) return; req[k] = true; marker(); };";
        let model = semantic(source, "a.js");
        let span = span_of(source, "marker");
        assert!(model.behind_run_once_guard(span));
        let parameter = model.guarded_per_object(span).expect("guarded per object");
        assert_eq!(&*model.binding(parameter).name, "req");
        // A flag on a module-level object guards once per process, as before.
        let source = "const state = {}; module.exports = function () { if (state.done) return; state.done = true; marker(); };";
        let model = semantic(source, "a.js");
        let span = span_of(source, "marker");
        assert!(model.behind_run_once_guard(span));
        assert_eq!(model.guarded_per_object(span), None);
    }

    #[test]
    fn effects_and_guards() {
        let at = |source: &str, marker: &str| {
            let semantic = semantic(source, "a.jsx");
            let span = span_of(source, marker);
            (
                semantic.in_effect(span),
                semantic.behind_run_once_guard(span),
            )
        };
        assert_eq!(
            at("function C() { useEffect(() => { marker(); }); }", "marker"),
            (true, false)
        );
        assert_eq!(
            at(
                "function C() { React.useLayoutEffect(() => marker(), []); }",
                "marker"
            ),
            (true, false)
        );
        assert_eq!(at("function C() { marker(); }", "marker"), (false, false));
        assert_eq!(
            at(
                "function f() { if (!done) { done = true; marker(); } }",
                "marker"
            ),
            (false, true)
        );
        assert_eq!(
            at("function f() { if (!done) { marker(); } }", "marker"),
            (false, false)
        );
        assert_eq!(
            at(
                "function f() { if (this.ready) return; this.ready = true; marker(); }",
                "marker"
            ),
            (false, true)
        );
        assert_eq!(
            at(
                "function f() { if (a) return; if (b) return; b = 1; marker(); }",
                "marker"
            ),
            (false, true)
        );
        assert_eq!(
            at("function f() { if (a) return; marker(); }", "marker"),
            (false, false)
        );
        assert_eq!(
            at("function f() { marker(); if (a) return; a = 1; }", "marker"),
            (false, false)
        );
    }

    #[test]
    fn created_collections() {
        let created = |source: &str| {
            let semantic = semantic(source, "a.js");
            semantic.created(binding(&semantic, "c"))
        };
        assert_eq!(created("const c = new Map(); c;"), Some(Created::Map));
        assert_eq!(created("var c = x || new Set(); c;"), Some(Created::Set));
        assert_eq!(created("let c = []; c;"), Some(Created::Array));
        assert_eq!(
            created("let c = Object.create(null); c;"),
            Some(Created::Object)
        );
        assert_eq!(created("let c = { a: 1 }; c;"), None);
        assert_eq!(created("class Map {} const c = new Map(); c;"), None);
        assert_eq!(created("const c = new WeakMap(); c;"), None);
    }

    #[test]
    fn releases_match_by_holder_event_and_function() {
        let holder = Holder::Path(Root::Global("process".into()), Vec::new());
        let other = Holder::Path(Root::Global("window".into()), Vec::new());
        let mut releases = Releases::default();
        releases.record(Release {
            holder: holder.clone(),
            event: Some("'exit'".into()),
            function: Released::Function("flush".into()),
        });
        let acquisition = |holder, event, function| Acquisition {
            holder,
            event,
            function,
        };
        assert!(releases
            .released_by(&acquisition(&holder, Some("'exit'"), Some("flush")))
            .is_some());
        assert!(releases
            .released_by(&acquisition(&holder, Some("'exit'"), Some("other")))
            .is_none());
        assert!(releases
            .released_by(&acquisition(&holder, Some("'close'"), Some("flush")))
            .is_none());
        assert!(releases
            .released_by(&acquisition(&other, Some("'exit'"), Some("flush")))
            .is_none());
        assert!(releases
            .released_by(&acquisition(&holder, Some("'exit'"), None))
            .is_none());
        releases.record(Release {
            holder: other.clone(),
            event: None,
            function: Released::Any,
        });
        assert!(releases
            .released_by(&acquisition(&other, Some("'x'"), None))
            .is_some());
    }
}
