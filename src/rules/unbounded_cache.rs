//! `unbounded-cache`: a long-lived collection that code running on every call grows, with no
//! way anywhere in the file for an entry to leave.
//!
//! A module-level `Map`, `Set`, object or array lives as long as the process. When a request
//! handler or any other repeatedly called function adds to it (`.set`, `.add`, `.push`,
//! `.unshift`, `c[key] = v`) and nothing ever deletes, clears, shifts, splices, truncates,
//! reassigns or checks its size, it holds every key it was ever given: the classic memoization
//! leak. The rule is silent when the collection escapes the file (exported, returned, passed to
//! a function, aliased), because other code may evict it, and for `WeakMap`/`WeakSet`, whose
//! entries die with their keys.
//!
//! What drives the growth decides the severity and the message, from the model's key
//! provenance ([`KeyOrigin`]): a key new on every call (a timestamp, a counter, a fresh object),
//! the data of each request, or a parameter whose name says it has no bound (`userId`,
//! `getUserToken(key)`) is an error; another parameter, or a key the file does not show, is a
//! warning; a closed set of keys (tag and type names, literals at every call site, a numeric
//! range) and a registration table filled at startup are silent.

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;

use crate::diagnostic::{Finding, Label, Range, Severity, Subject};
use crate::rules::helpers::{
    callee_ident, callee_span, is_global, method_call, prop_name, snippet, unwrap, GLOBAL_OBJECTS,
};
use crate::rules::{Context, Handles, Measure, OptionKind, Rule, RuleMeta, RuleOption};
use crate::semantic::keys::names_an_open_set;
use crate::semantic::{
    BindingId, BindingKind, Created, KeyOrigin, Lifetime, Resolution, Role, ScopeId, ScopeKind,
    Semantic, ThisValue,
};

pub const ID: &str = "unbounded-cache";

pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a long-lived Map/Set/object/array that code running on every call only grows",
    docs: include_str!("../../rules/unbounded-cache.md"),
    options: &[RuleOption {
        name: "eviction_methods",
        kind: OptionKind::Names,
        description: "more method names that remove entries (e.g. `evict`, `prune`)",
    }],
    handles: Handles::CALL
        .and(Handles::ASSIGN)
        .and(Handles::UNARY)
        .and(Handles::COMPARISON)
        .and(Handles::MEMBER)
        .and(Handles::CLASS_DECL),
    measure: Measure::CollectionSize,
    gate: &[],
    create: Some(|cx| {
        Some(Box::new(UnboundedCache {
            eviction_methods: cx
                .settings
                .option_names(ID, "eviction_methods")
                .into_iter()
                .map(str::to_string)
                .collect(),
            ..UnboundedCache::default()
        }))
    }),
};

const GROWTH_METHODS: &[&str] = &["set", "add", "push", "unshift"];
const EVICTION_METHODS: &[&str] = &["delete", "clear", "shift", "pop", "splice"];
/// Functions and methods that log: a collection grown beside one is a warn-once set.
const LOGGING: &[&str] = &[
    "warn",
    "warning",
    "warnOnce",
    "deprecate",
    "emitWarning",
    "error",
    "log",
    "info",
    "debug",
    "trace",
];

/// What a collection is, by where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Collection {
    /// A process-long variable created as an empty collection.
    Binding(BindingId),
    /// A static property of a class: `static cache = new Map()`.
    Static(BindingId, Atom),
    /// A property of the global object: `global.cache`.
    Global(Atom),
    /// The global object itself: `global[key] = v`.
    GlobalObject,
    /// A property of `this` in the instance members of a class or constructor function (the
    /// scope): `this.pending = {}` in the constructor, `this.pending[id] = req` in a method.
    Instance(ScopeId, Atom),
    /// A local of a function, grown by a function it returns or registers, which outlives the
    /// call: `const seen = new Map(); return (req, res, next) => { seen.set(req.url, …) }`.
    Closure(BindingId),
}

/// A collection created where it lives as long as the process.
struct Declaration {
    kind: Created,
    span: Span,
    name: String,
}

struct Growth {
    span: Span,
    how: String,
    /// The statements around the growth.
    context: Vec<Span>,
    /// What drives it.
    driver: Driver,
}

/// What makes a collection grow, as the message tells it.
enum Driver {
    /// A key (of `.set`, `.add`, `c[k] =`) and where it comes from.
    Key(KeyOrigin, String),
    /// `.push`/`.unshift`: one entry per call, of the handler when there is one.
    Calls(Option<String>),
}

impl Driver {
    /// Growth a closed set of keys bounds is no leak.
    fn is_bounded(&self) -> bool {
        matches!(self, Driver::Key(KeyOrigin::Closed(_), _))
    }

    /// Is the growth unbounded on the evidence, or only possibly (a warning)?
    /// A parameter is a leak on the evidence when its name or its function's says the values
    /// have no bound (`getUserToken(key)`, `byId[userId]`); other parameters are bounded when
    /// the callers pass a closed set, which this file cannot show.
    fn severity(&self) -> Option<Severity> {
        match self {
            Driver::Key(KeyOrigin::Unknown, _) => Some(Severity::Warn),
            Driver::Key(KeyOrigin::Parameter { text, function, .. }, _) => {
                let open =
                    names_an_open_set(text) || function.as_deref().is_some_and(names_an_open_set);
                (!open).then_some(Severity::Warn)
            }
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Driver::Key(KeyOrigin::Fresh(part), _) => {
                format!("a new key on every call (`{part}` is part of the key), so it keeps one more entry per call")
            }
            Driver::Key(KeyOrigin::EventData { text, via }, _) => {
                format!(
                    "keyed by `{text}`, the data of each `{via}` event, so every new value stays"
                )
            }
            Driver::Key(KeyOrigin::Parameter { text, function, .. }, _) => {
                let of = function
                    .as_ref()
                    .map_or("the function".to_string(), |f| format!("`{f}`"));
                if self.severity().is_some() {
                    format!("keyed by `{text}`, a parameter of {of}: bounded only if its callers pass a closed set of values, otherwise every new value stays")
                } else {
                    format!("keyed by `{text}`, a parameter of {of}, so every new value a caller passes stays")
                }
            }
            Driver::Key(KeyOrigin::Unknown, key) => {
                format!("keyed by `{key}`, whose values this file does not show; if they are unbounded, every new one stays")
            }
            Driver::Key(KeyOrigin::Closed(_), _) => unreachable!("bounded growth is not reported"),
            Driver::Calls(Some(via)) => format!("one more entry on every `{via}` event"),
            Driver::Calls(None) => "one more entry on every call".to_string(),
        }
    }
}

/// `registerHelper`, `defineType`, `declare`: a function that fills a registration table,
/// called at startup with the names it registers.
fn fills_a_registration_table(name: &str) -> bool {
    ["register", "define", "declare"].iter().any(|verb| {
        name.len() >= verb.len()
            && name[..verb.len()].eq_ignore_ascii_case(verb)
            && name[verb.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_ascii_uppercase() || c == '_')
    })
}

#[derive(Default)]
struct Uses {
    /// Where code that runs many times grows it, and how.
    growth: Vec<Growth>,
    evicted: bool,
    escapes: bool,
}

#[derive(Default)]
struct UnboundedCache {
    eviction_methods: Vec<String>,
    /// Collections that are not variables: statics and properties of the global object.
    declarations: FxHashMap<Collection, Declaration>,
    uses: FxHashMap<Collection, Uses>,
    /// Where `console.*(…)`, `warn(…)`, `logger.warn(…)` and the like are called, in order.
    console_calls: Vec<BytePos>,
    /// The function that creates each closure's collection that a returned or registered
    /// function grows, by the collection's binding (and its name, if it has one).
    closure_homes: FxHashMap<BindingId, Option<Atom>>,
    /// `global.cache` read in `global.cache = global.cache || {}`: an initialization, not a use.
    initializer_reads: FxHashSet<(BytePos, BytePos)>,
    /// `list.indexOf(v) === -1`, `!list.includes(v)`: by array and the value's text, where
    /// each test is (in source order), so that a push it guards counts as adding `v` to a set.
    membership_tests: FxHashMap<Collection, FxHashMap<String, Vec<Span>>>,
}

/// Does `indexOf(…) op right` say the value is absent (`=== -1`, `== -1`, `< 0`)?
fn means_absent(op: BinaryOp, right: &Expr) -> bool {
    let minus_one = matches!(unwrap(right), Expr::Unary(UnaryExpr { op: UnaryOp::Minus, arg, .. })
        if matches!(unwrap(arg), Expr::Lit(Lit::Num(n)) if n.value == 1.0));
    let zero = matches!(unwrap(right), Expr::Lit(Lit::Num(n)) if n.value == 0.0);
    match op {
        BinaryOp::EqEqEq | BinaryOp::EqEq => minus_one,
        BinaryOp::Lt => zero,
        _ => false,
    }
}

/// `list.indexOf(v)` or `list.includes(v)` (the `method` asked for): the array and the value
/// it looks for.
fn membership_test<'a>(
    semantic: &Semantic,
    expr: &'a Expr,
    method: &str,
) -> Option<(Collection, &'a Expr)> {
    let Expr::Call(call) = unwrap(expr) else {
        return None;
    };
    let (object, called) = method_call(call)?;
    if &**called != method || call.args.len() != 1 {
        return None;
    }
    Some((collection_of(semantic, object)?, &call.args[0].expr))
}

/// `true`, `1`, `!0`: the value of a "seen" flag.
fn is_flag(expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Lit(Lit::Bool(b)) => b.value,
        Expr::Lit(Lit::Num(n)) => n.value == 1.0,
        Expr::Unary(unary) => {
            unary.op == UnaryOp::Bang
                && matches!(unwrap(&unary.arg), Expr::Lit(Lit::Num(n)) if n.value == 0.0)
        }
        _ => false,
    }
}

/// The collection an expression stands for, if it is one this rule tracks.
fn collection_of(semantic: &Semantic, expr: &Expr) -> Option<Collection> {
    match unwrap(expr) {
        Expr::Ident(ident) => {
            if is_global(semantic, ident, GLOBAL_OBJECTS) {
                return Some(Collection::GlobalObject);
            }
            let binding = match semantic.reference_of(ident)?.resolution {
                Resolution::Binding(binding) => binding,
                _ => return None,
            };
            // Most names hold no collection: the cheapest question first.
            semantic.created(binding)?;
            if is_long_lived_collection(semantic, binding) {
                return Some(Collection::Binding(binding));
            }
            is_closure_collection(semantic, binding).then_some(Collection::Closure(binding))
        }
        Expr::Member(member) => collection_at(semantic, member),
        _ => None,
    }
}

/// A variable created as an empty collection by the module as it loads (exported or not:
/// `finish` decides what an export means).
/// (One made by a setup function that runs once lives as long, but tables built that way are
/// mostly bounded by what the setup registers: issue 13 decides those.)
fn is_long_lived_collection(semantic: &Semantic, binding: BindingId) -> bool {
    let info = semantic.binding(binding);
    matches!(
        info.kind,
        BindingKind::Var | BindingKind::Let | BindingKind::Const
    ) && semantic.created(binding).is_some()
        && semantic.is_process_long(binding)
        && semantic.created_at_load(binding)
}

/// Is the growth at `span` in an exported function of the module (or one nested in it), or in
/// a handler?
fn grown_by_what_importers_call(semantic: &Semantic, span: Span) -> bool {
    if semantic.handler_of(span).is_some() {
        return true;
    }
    let module = semantic.scope(ScopeId::PROGRAM);
    semantic
        .ancestors(semantic.scope_at(span))
        .filter(|&scope| {
            matches!(
                semantic.scope(scope).kind,
                ScopeKind::Function | ScopeKind::Arrow
            )
        })
        .filter_map(|scope| semantic.function_name(scope))
        .any(|name| {
            module
                .bindings
                .get(name)
                .is_some_and(|&b| semantic.binding(b).exported)
        })
}

/// A local created as an empty collection in a function and captured by closures: it lives as
/// long as they do.
fn is_closure_collection(semantic: &Semantic, binding: BindingId) -> bool {
    let info = semantic.binding(binding);
    matches!(
        info.kind,
        BindingKind::Var | BindingKind::Let | BindingKind::Const
    ) && semantic.created(binding).is_some()
        && semantic.lifetime_of(binding) == Lifetime::Closure
}

/// Is the growth at `span` of a closure's collection made by a function that outlives the call
/// of the function that created the collection (returned, or registered as a listener)? Then
/// the name of the creating function, if it has one.
fn grown_by_a_closure_that_outlives(
    semantic: &Semantic,
    binding: BindingId,
    span: Span,
) -> Option<Option<Atom>> {
    let home = semantic.function_scope_at(semantic.binding(binding).span)?;
    for scope in semantic.ancestors(semantic.scope_at(span)) {
        if scope == home {
            return None;
        }
        let kind = semantic.scope(scope).kind;
        if matches!(kind, ScopeKind::Function | ScopeKind::Arrow)
            && semantic.outlives_its_call(scope)
        {
            return Some(semantic.function_name(home).cloned());
        }
    }
    None
}

/// The collection a member expression names: `global.cache`, `A.cache`, `this.cache` in a
/// static member of `A`.
fn collection_at(semantic: &Semantic, member: &MemberExpr) -> Option<Collection> {
    let name = prop_name(&member.prop)?;
    match unwrap(&member.obj) {
        Expr::Ident(ident) if is_global(semantic, ident, GLOBAL_OBJECTS) => {
            Some(Collection::Global(name.clone()))
        }
        // One lookup of the name: this runs for nearly every property access on a name.
        Expr::Ident(ident) => {
            let binding = semantic.binding_id_of(ident)?;
            // `var self = this; … self._clients.push(c)`.
            if semantic.is_this_alias(binding) {
                return match semantic.this_at(semantic.binding(binding).span) {
                    ThisValue::Instance(owner) => Some(Collection::Instance(owner, name.clone())),
                    _ => None,
                };
            }
            // `A.cache` through a reference to the class `A`.
            (semantic.binding(binding).kind == BindingKind::Class
                && semantic.binding_of(ident).is_some())
            .then(|| Collection::Static(binding, name.clone()))
        }
        Expr::This(this) => match semantic.this_at(this.span) {
            ThisValue::Class(class) => Some(Collection::Static(class, name.clone())),
            ThisValue::Instance(owner) => Some(Collection::Instance(owner, name.clone())),
            _ => None,
        },
        _ => None,
    }
}

impl UnboundedCache {
    /// The value a push adds when a membership test of the same array for the same value
    /// guards it (in a statement around the push, before it): the array is a set of values.
    fn guarded_push<'a>(
        &self,
        cx: &Context,
        collection: &Collection,
        call: &'a CallExpr,
    ) -> Option<&'a Expr> {
        let [value] = call.args.as_slice() else {
            return None;
        };
        let tests = self.membership_tests.get(collection)?;
        let text = snippet(cx.text, value.expr.span());
        let tests = tests.get(&text)?;
        // The `if` around the push: its expression statement, perhaps a block, then the `if`.
        let guard = cx
            .semantic
            .enclosing_statements(call.span)
            .take(3)
            .find(|statement| {
                let first = tests.partition_point(|test| test.lo < statement.lo);
                tests[first..]
                    .iter()
                    .take_while(|test| test.lo < call.span.lo)
                    .any(|test| test.hi <= call.span.lo)
            });
        guard.map(|_| &*value.expr)
    }

    fn membership_test(&mut self, collection: Collection, value: String, test: Span) {
        let tests = self.membership_tests.entry(collection).or_default();
        tests.entry(value).or_default().push(test);
    }

    fn uses(&mut self, collection: Collection) -> &mut Uses {
        self.uses.entry(collection).or_default()
    }

    /// Records growth; `marker` says it only marks a key as seen (`set.add(k)`,
    /// `seen[k] = true`).
    fn growth(
        &mut self,
        cx: &Context,
        collection: Collection,
        span: Span,
        how: String,
        marker: bool,
        key: Option<&Expr>,
    ) {
        let semantic = cx.semantic;
        if !semantic.runs_many_times(span) {
            return;
        }
        // A registration table: bounded by what setup registers, unless the key says it is
        // one of many (`register(item) { byId.set(item.id, item) }`).
        let registers = semantic
            .function_scope_at(span)
            .and_then(|scope| semantic.function_name(scope))
            .is_some_and(|name| fills_a_registration_table(name));
        if registers && !key.is_some_and(|k| names_an_open_set(&snippet(cx.text, k.span()))) {
            return;
        }
        if let Collection::Closure(binding) = collection {
            match grown_by_a_closure_that_outlives(semantic, binding, span) {
                Some(home) => {
                    self.closure_homes.insert(binding, home);
                }
                None => return,
            }
        }
        let driver = match key {
            Some(key) => Driver::Key(semantic.key_origin(key, span), snippet(cx.text, key.span())),
            None => Driver::Calls(semantic.handler_of(span).map(|h| h.via.clone())),
        };
        // The innermost expression statement and `if` around the growth (and, for a marker,
        // the block it is in), to recognise the warn-once pattern later.
        let mut context: Vec<Span> = cx.semantic.enclosing_statements(span).take(2).collect();
        if marker {
            context.extend(cx.semantic.enclosing_block(span));
        }
        self.uses(collection).growth.push(Growth {
            span,
            how,
            context,
            driver,
        });
    }

    /// `if (!warned.has(k)) { warned.add(k); console.warn(…) }`: a set that only remembers
    /// what was already logged grows with the warnings, which are finite in practice and
    /// visible when they are not.
    fn is_warn_once(&self, growth: &Growth) -> bool {
        growth.context.iter().any(|statement| {
            let start = self
                .console_calls
                .partition_point(|&pos| pos < statement.lo);
            self.console_calls
                .get(start)
                .is_some_and(|&pos| pos < statement.hi)
        })
    }

    fn declare(&mut self, collection: Collection, kind: Created, span: Span, name: String) {
        self.declarations
            .entry(collection)
            .or_insert(Declaration { kind, span, name });
    }

    /// `global.cache = …` or `A.cache = …`: creation in code that runs once, a reassignment
    /// (which drops every entry) in code that runs many times.
    fn assign_collection(
        &mut self,
        cx: &Context,
        collection: Collection,
        right: &Expr,
        span: Span,
        target: Span,
    ) {
        if matches!(
            collection,
            Collection::Binding(_) | Collection::GlobalObject
        ) {
            return;
        }
        // An instance's collection is created by its constructor, once per instance.
        let creates = match &collection {
            Collection::Instance(owner, _) => cx.semantic.in_constructor(*owner, span),
            _ => !cx.semantic.runs_many_times(span),
        };
        if !creates {
            self.uses(collection).evicted = true;
        } else if let Some(kind) = cx.semantic.created_by(right) {
            let name = match &collection {
                Collection::Global(name) => format!("global.{name}"),
                Collection::Static(_, name) => name.to_string(),
                Collection::Instance(_, name) => format!("this.{name}"),
                _ => unreachable!("bindings and the global object return above"),
            };
            self.declare(collection, kind, target, name);
        }
    }

    /// `c[k] = v` (growth unless the key is constant) and `c.length = 0` (eviction).
    fn assign_member(
        &mut self,
        cx: &Context,
        collection: Collection,
        member: &MemberExpr,
        right: &Expr,
    ) {
        let key = prop_name(&member.prop);
        if key.is_some_and(|k| k == "length") {
            self.uses(collection).evicted = true;
            return;
        }
        if is_constant_key(cx.semantic, &member.prop) {
            return;
        }
        let is_array = match &collection {
            Collection::Binding(b) => cx.semantic.created(*b) == Some(Created::Array),
            other => self
                .declarations
                .get(other)
                .is_some_and(|d| d.kind == Created::Array),
        };
        // Arrays written by index are tables and ring buffers; they grow by push.
        if !is_array {
            let target = snippet(cx.text, member.span);
            let key = match &member.prop {
                MemberProp::Computed(computed) => Some(&*computed.expr),
                _ => None,
            };
            self.growth(
                cx,
                collection,
                member.span,
                format!("{target} = …"),
                is_flag(right),
                key,
            );
        }
    }
}

/// A key that can only ever be one value: a literal, or a module-level `const`.
fn is_constant_key(semantic: &Semantic, prop: &MemberProp) -> bool {
    let MemberProp::Computed(computed) = prop else {
        return true;
    };
    match unwrap(&computed.expr) {
        Expr::Lit(_) => true,
        Expr::Tpl(tpl) => tpl.exprs.is_empty(),
        Expr::Ident(ident) => semantic
            .binding_of(ident)
            .is_some_and(|b| b.kind == BindingKind::Const && !semantic.scope(b.scope).runs_many),
        _ => false,
    }
}

/// `if (c.size > MAX)`, `c.length >= n`, `Object.keys(c).length < 100`: a size guard.
fn size_guard(semantic: &Semantic, expr: &Expr) -> Option<Collection> {
    let Expr::Member(member) = unwrap(expr) else {
        return None;
    };
    let prop = prop_name(&member.prop)?;
    if prop != "size" && prop != "length" {
        return None;
    }
    if let Some(collection) = collection_of(semantic, &member.obj) {
        return Some(collection);
    }
    // Object.keys(c).length
    let Expr::Call(call) = unwrap(&member.obj) else {
        return None;
    };
    let (object, method) = method_call(call)?;
    let is_keys = matches!(unwrap(object), Expr::Ident(id) if id.sym == "Object")
        && matches!(
            &**method,
            "keys" | "values" | "entries" | "getOwnPropertyNames"
        );
    if !is_keys {
        return None;
    }
    collection_of(semantic, &call.args.first()?.expr)
}

impl Rule for UnboundedCache {
    fn on_call(&mut self, cx: &Context, call: &CallExpr) {
        let semantic = cx.semantic;
        if callee_ident(call).is_some_and(|f| LOGGING.contains(&&*f.sym)) {
            self.console_calls.push(call.span.lo);
        }
        let Some((object, method)) = method_call(call) else {
            return;
        };
        let logs = LOGGING.contains(&&**method)
            || matches!(unwrap(object), Expr::Ident(id) if is_global(semantic, id, &["console"]));
        if logs {
            self.console_calls.push(call.span.lo);
        }
        let Some(collection) = collection_of(semantic, object) else {
            return;
        };
        if GROWTH_METHODS.contains(&&**method) {
            let marker = method == "add";
            let how = format!(".{method}()");
            let key = match &**method {
                "set" | "add" => call.args.first().map(|a| &*a.expr),
                // `if (list.indexOf(v) === -1) list.push(v)`: a set of the values pushed.
                _ => self.guarded_push(cx, &collection, call),
            };
            self.growth(cx, collection, callee_span(call), how, marker, key);
        } else if EVICTION_METHODS.contains(&&**method)
            || self.eviction_methods.iter().any(|m| m == &**method)
        {
            self.uses(collection).evicted = true;
        }
    }

    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {
        let semantic = cx.semantic;
        match &assign.left {
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => {
                if let Some(collection) = collection_of(semantic, &member.obj) {
                    self.assign_member(cx, collection, member, &assign.right);
                    // `global.cache = …` itself: creation in run-once code, reassignment after.
                    if let Some(whole) = collection_at(semantic, member) {
                        self.assign_collection(
                            cx,
                            whole.clone(),
                            &assign.right,
                            assign.span,
                            member.span,
                        );
                        // `global.cache = global.cache || new Map()` reads it only to initialize it.
                        if let Expr::Bin(bin) = unwrap(&assign.right) {
                            let initializes =
                                matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing)
                                    && collection_of(semantic, &bin.left).as_ref() == Some(&whole);
                            if initializes {
                                let read = unwrap(&bin.left).span();
                                self.initializer_reads.insert((read.lo, read.hi));
                            }
                        }
                    }
                } else if let Some(collection) = collection_at(semantic, member) {
                    self.assign_collection(cx, collection, &assign.right, assign.span, member.span);
                }
            }
            AssignTarget::Simple(SimpleAssignTarget::Ident(ident)) => {
                // Reassigning the variable drops every entry.
                let collection = semantic
                    .binding_id_of(&ident.id)
                    .filter(|&b| is_long_lived_collection(semantic, b));
                if let Some(id) = collection {
                    self.uses(Collection::Binding(id)).evicted = true;
                }
            }
            _ => {}
        }
    }

    fn on_unary(&mut self, cx: &Context, unary: &UnaryExpr) {
        if unary.op == UnaryOp::Bang {
            // `!list.includes(v)`: the value is absent.
            if let Some((collection, value)) = membership_test(cx.semantic, &unary.arg, "includes")
            {
                self.membership_test(collection, snippet(cx.text, value.span()), unary.span);
            }
            return;
        }
        if unary.op != UnaryOp::Delete {
            return;
        }
        if let Expr::Member(member) = unwrap(&unary.arg) {
            if let Some(collection) = collection_of(cx.semantic, &member.obj) {
                self.uses(collection).evicted = true;
            }
            if let Some(collection) = collection_at(cx.semantic, member) {
                self.uses(collection).evicted = true;
            }
        }
    }

    fn on_comparison(&mut self, cx: &Context, bin: &BinExpr) {
        // `list.indexOf(v) === -1`, `list.indexOf(v) < 0`: the value is absent.
        if let Some((collection, value)) = membership_test(cx.semantic, &bin.left, "indexOf")
            .filter(|_| means_absent(bin.op, &bin.right))
        {
            self.membership_test(collection, snippet(cx.text, value.span()), bin.span);
        }
        for side in [&bin.left, &bin.right] {
            if let Some(collection) = size_guard(cx.semantic, side) {
                self.uses(collection).evicted = true;
            }
        }
    }

    fn on_member(&mut self, cx: &Context, member: &MemberExpr, role: Role) {
        // `A.cache` or `global.cache` handed on as a whole: other code may evict it.
        if !role.escapes()
            || self
                .initializer_reads
                .contains(&(member.span.lo, member.span.hi))
        {
            return;
        }
        if let Some(collection) = collection_at(cx.semantic, member) {
            self.uses(collection).escapes = true;
        }
    }

    fn on_class_decl(&mut self, cx: &Context, decl: &ClassDecl) {
        let Some(class) = cx.semantic.declared_binding(&decl.ident) else {
            return;
        };
        let exported = cx.semantic.binding(class).exported;
        for member in &decl.class.body {
            let ClassMember::ClassProp(prop) = member else {
                continue;
            };
            let (PropName::Ident(key), Some(value)) = (&prop.key, &prop.value) else {
                continue;
            };
            // `pending = {}`: a collection each instance owns.
            if !prop.is_static {
                let owner = cx.semantic.scope_at(prop.span);
                let is_class = cx.semantic.scope(owner).kind == ScopeKind::Class;
                if let (true, Some(kind)) = (is_class, cx.semantic.created_by(value)) {
                    let collection = Collection::Instance(owner, key.sym.clone());
                    self.declare(collection, kind, prop.span, format!("this.{}", key.sym));
                }
                continue;
            }
            // Importers can reach a public static of an exported class; not a `private` one.
            let private = prop.accessibility == Some(Accessibility::Private);
            if exported && !private {
                continue;
            }
            if let Some(kind) = cx.semantic.created_by(value) {
                let name = format!("{}.{}", decl.ident.sym, key.sym);
                self.declare(
                    Collection::Static(class, key.sym.clone()),
                    kind,
                    prop.span,
                    name,
                );
            }
        }
    }

    fn finish(&mut self, ctx: &mut Context) {
        // Nothing grew: nothing to report, and no need to look for escapes.
        if self.uses.is_empty() {
            return;
        }
        let semantic = ctx.semantic;
        self.console_calls.sort_unstable();
        if semantic.global_escapes(GLOBAL_OBJECTS) {
            // `jQuery(window).removeProp(name)`: other code may delete what `window[k] = v` adds.
            self.uses(Collection::GlobalObject).escapes = true;
        }
        let mut findings = Vec::new();
        for (collection, uses) in &self.uses {
            // `export const cache = {}` that only this file grows: importers may evict it, so
            // a warning that says so.
            let exported = match collection {
                Collection::Binding(binding) => {
                    semantic.binding(*binding).exported && !semantic.handed_on(*binding)
                }
                _ => false,
            };
            // Exported and keyed by the very value callers pass (`squares[n]`): too little to go
            // on. A key the file derives from it (`cache[keyFor(config)]`) is the file's own.
            // Only growth in what importers call (an exported function, a handler): a build
            // script that fills an exported table as it loads is done when it is loaded.
            let exported_and_doubtful = |growth: &&Growth| {
                exported
                    && (!grown_by_what_importers_call(semantic, growth.span)
                        || match &growth.driver {
                            Driver::Key(KeyOrigin::Parameter { text, .. }, key) => {
                                growth.driver.severity().is_some() && text == key
                            }
                            driver => driver.severity().is_some(),
                        })
            };
            let escapes = match collection {
                Collection::Binding(binding) | Collection::Closure(binding) => {
                    semantic.escapes(*binding)
                }
                _ => uses.escapes,
            };
            if (escapes && !exported) || uses.evicted {
                continue;
            }
            let owner = match collection {
                Collection::Instance(owner, _) => Some(Keeper {
                    name: semantic.owner_name(*owner).map(|n| n.to_string()),
                    singleton: semantic.created_once(*owner),
                    kept: semantic.long_lived_kind(*owner),
                    closure: false,
                }),
                Collection::Closure(binding) => Some(Keeper {
                    name: self
                        .closure_homes
                        .get(binding)
                        .cloned()
                        .flatten()
                        .map(|n| n.to_string()),
                    singleton: false,
                    kept: None,
                    closure: true,
                }),
                _ => None,
            };
            let Some(growth) = uses
                .growth
                .iter()
                .filter(|g| !g.driver.is_bounded() && !self.is_warn_once(g))
                .filter(|g| !exported_and_doubtful(g))
                .filter(|g| owner.as_ref().is_none_or(|o| o.reports(&g.driver)))
                .min_by_key(|g| g.driver.severity().is_some())
            else {
                continue;
            };
            let declaration = match collection {
                Collection::Binding(binding) | Collection::Closure(binding) => {
                    semantic.created(*binding).map(|kind| {
                        let info = semantic.binding(*binding);
                        Declaration {
                            kind,
                            span: info.span,
                            name: info.name.to_string(),
                        }
                    })
                }
                Collection::GlobalObject => None,
                other => self.declarations.get(other).map(|d| Declaration {
                    kind: d.kind,
                    span: d.span,
                    name: d.name.clone(),
                }),
            };
            let mut found = finding(collection, declaration, growth, owner.as_ref());
            if let (true, Some(found)) = (exported, found.as_mut()) {
                found.severity = Some(Severity::Warn);
                found.message.push_str("; it is exported, so another module may evict it, but nothing in this file does");
            }
            findings.extend(found);
        }
        findings.sort_by_key(|f| f.range);
        for finding in findings {
            ctx.report(finding);
        }
    }
}

/// What keeps a collection that is not module-level: an instance of a class (or constructor
/// function), or the closures a function returns (named by that function).
struct Keeper {
    name: Option<String>,
    /// The file creates it once, in code that runs once: its instances live for the process.
    singleton: bool,
    /// Why its instances are likely kept long though the file does not show it (an emitter,
    /// a `…Manager`).
    kept: Option<&'static str>,
    /// A closure's collection rather than an instance's.
    closure: bool,
}

impl Keeper {
    /// An instance may be short-lived, and then so is what it keeps: only growth that no
    /// instance bounds is reported (a key new on every call, the data of each event, an entry
    /// per event); keys callers pass (an open-named parameter) and one entry per call only on a
    /// singleton.
    fn reports(&self, driver: &Driver) -> bool {
        match driver {
            Driver::Key(KeyOrigin::Fresh(_) | KeyOrigin::EventData { .. }, _) => true,
            Driver::Calls(Some(_)) => true,
            // Keys a caller passes, and one entry per call: only what the one instance keeps.
            // A closure's keys come from the calls of the function that keeps it: an open-named
            // parameter there (`req.url` of a returned middleware) is as telling as at the top.
            Driver::Key(KeyOrigin::Parameter { .. }, _) if self.closure => {
                driver.severity().is_none()
            }
            // An instance of a kind kept long: any key its callers pass is worth a warning. (One
            // entry per call is not: those are mostly definitions, `addOption`, `createLayer`.)
            Driver::Key(KeyOrigin::Parameter { .. }, _)
                if self.kept.is_some() && !self.singleton =>
            {
                true
            }
            Driver::Key(KeyOrigin::Parameter { .. }, _) | Driver::Calls(None) => {
                self.singleton && driver.severity().is_none()
            }
            _ => false,
        }
    }

    fn severity(&self) -> Option<Severity> {
        (!self.singleton).then_some(Severity::Warn)
    }

    fn lives(&self) -> String {
        if self.closure {
            let of = self
                .name
                .as_deref()
                .map_or("its function".to_string(), |n| format!("`{n}`"));
            return format!("for as long as the function {of} returns (or registers) lives, which for a handler or a middleware is the life of the process");
        }
        let owner = self.name.as_deref().unwrap_or("the object");
        if self.singleton {
            format!("for the life of the process (this file creates the one `{owner}`, in code that runs once)")
        } else if let Some(kept) = self.kept {
            format!("for as long as the `{owner}` instance lives ({kept}; the file does not show how long that is)")
        } else {
            format!("for as long as the `{owner}` instance lives (the file does not show how long that is)")
        }
    }
}

fn finding(
    collection: &Collection,
    declaration: Option<Declaration>,
    growth: &Growth,
    owner: Option<&Keeper>,
) -> Option<Finding> {
    let Growth {
        span, how, driver, ..
    } = growth;
    if *collection == Collection::GlobalObject {
        return Some(Finding {
            rule: ID,
            range: Range::from_span(*span),
            message: format!(
                "`{how}` adds a property to the global object on every call, and nothing in this file deletes one: {}, for the life of the process",
                driver.describe()
            ),
            labels: Vec::new(),
            help: Some("keep per-key data in a bounded structure (an LRU cache with a TTL, a WeakMap keyed by an object) instead of globals".into()),
            severity: driver.severity(),
            subject: Some(Subject::Collection { path: None, created: None }),
        });
    }
    let declaration = declaration?;
    let path = match collection {
        Collection::Global(name) => format!("global.{name}"),
        _ => declaration.name.clone(),
    };
    Some(Finding {
        rule: ID,
        range: Range::from_span(*span),
        message: format!(
            "`{}` ({}) grows on every call (`{how}`) and nothing in this file ever removes an entry: {}, {}",
            declaration.name,
            declaration.kind.describe(),
            driver.describe(),
            owner.map_or("for the life of the process".to_string(), Keeper::lives)
        ),
        labels: vec![Label {
            range: Range::from_span(declaration.span),
            message: match owner {
                Some(owner) if owner.closure => format!("`{}` is created here, once per call, and kept by the function that call returns", declaration.name),
                Some(owner) if !owner.singleton => format!("`{}` is created here, once per instance", declaration.name),
                _ => format!("`{}` is created here and lives as long as the process", declaration.name),
            },
        }],
        help: Some("bound it: delete entries when they are done, cap its size, use an LRU cache with a TTL, a WeakMap keyed by the object, or a shared store such as Redis".into()),
        severity: match owner {
            Some(owner) => owner.severity(),
            None => driver.severity(),
        },
        subject: Some(Subject::Collection { path: Some(path), created: Some(Range::from_span(declaration.span)) }),
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::testing::Tester;

    #[test]
    fn passes() {
        Tester::new(&super::META).passes(&[
            // Eviction anywhere in the file.
            ("const cache = new Map(); export function get(k) { cache.set(k, 1); } export function drop(k) { cache.delete(k); }", "a.js"),
            ("const cache = new Map(); export function get(k) { if (cache.size > 100) cache.clear(); cache.set(k, 1); }", "a.mjs"),
            ("const seen = new Set(); export function f(k) { seen.add(k); } setInterval(() => seen.clear(), 1000);", "a.mjs"),
            ("const queue = []; export function f(x) { queue.push(x); } export function g() { return queue.shift(); }", "a.mjs"),
            ("const list = []; export function f(x) { list.push(x); if (list.length > 10) list.splice(0, 1); }", "a.mjs"),
            ("let list = []; export function f(x) { list.push(x); } export function reset() { list = []; }", "a.mjs"),
            ("const list = []; export function f(x) { list.push(x); } export function reset() { list.length = 0; }", "a.mjs"),
            ("const byId = {}; export function f(o) { byId[o.id] = o; } export function g(id) { delete byId[id]; }", "a.mjs"),
            ("const byId = {}; export function f(o) { if (Object.keys(byId).length < 1000) byId[o.id] = o; }", "a.mjs"),
            // Weak collections and escapes.
            ("const meta = new WeakMap(); export function f(o) { meta.set(o, 1); }", "a.mjs"),
            ("export const cache = new Map(); export function f(k) { cache.set(k, 1); }", "a.mjs"),
            ("const cache = new Map(); export { cache }; export function f(k) { cache.set(k, 1); }", "a.mjs"),
            ("const cache = new Map(); module.exports = { cache, f(k) { cache.set(k, 1); } };", "a.js"),
            ("const cache = new Map(); function f(k) { cache.set(k, 1); return cache; } module.exports = f;", "a.js"),
            ("const cache = new Map(); function f(k) { cache.set(k, 1); register(cache); } module.exports = f;", "a.js"),
            // A push guarded by a membership test of the same value: a set of the values,
            // here one constant.
            ("var EVENTS = ['close']; function Server(o) { if (!o.up && EVENTS.indexOf('upgrade') === -1) EVENTS.push('upgrade'); } module.exports = Server;", "a.js"),
            ("const kinds = []; export function note() { if (!kinds.includes('slow')) { kinds.push('slow'); } }", "a.mjs"),
            // Growth in code that runs once, or with constant keys.
            ("const table = new Map(); for (const k of keys) table.set(k, 1);", "a.js"),
            ("const routes = []; function add(r) { routes.push(r); } add(a); add(b);", "a.js"),
            ("const state = {}; export function f(v) { state.current = v; state['last'] = v; }", "a.mjs"),
            ("const KEY = 'k'; const state = {}; export function f(v) { state[KEY] = v; }", "a.mjs"),
            ("const ring = []; let i = 0; export function f(v) { ring[i] = v; i = (i + 1) % 10; }", "a.mjs"),
            // Locals and instances are not module-level.
            ("export function f(k) { const cache = new Map(); cache.set(k, 1); }", "a.mjs"),
            ("export class A { cache = new Map(); get(k) { this.cache.set(k, 1); } }", "a.mjs"),
            // An LRU library evicts by itself.
            ("import LRU from 'lru-cache'; const cache = new LRU({ max: 100 }); export function f(k) { cache.set(k, 1); }", "a.mjs"),
            // Reads are not escapes, but they do not evict either: growth in run-once code.
            ("const c = new Map(); c.set(1, 2); console.log(c, JSON.stringify([...c]));", "a.js"),
            // Global properties evicted.
            ("global.cache = global.cache || {}; module.exports = (k) => { global.cache[k] = 1; delete global.cache[k]; };", "a.js"),
            ("module.exports = (k, v) => { global[k] = v; }; process.on('exit', () => { delete global.x; });", "a.js"),
            // A class static cache cleared in another method.
            ("class A { static cache = new Map(); static get(k) { A.cache.set(k, 1); } static reset() { this.cache.clear(); } } module.exports = A;", "a.js"),
            // Warn-once sets grow with the warnings they print.
            ("const warned = new Set(); export function f(name) { if (!warned.has(name)) { warned.add(name); console.warn(name); } }", "a.mjs"),
            ("var didWarn = {}; export function f(n) { didWarn[n] || ((didWarn[n] = true), console.error('%s', n)); }", "a.mjs"),
            ("const _cache = {}; export function warnOnce(m) { if (m in _cache) return; _cache[m] = true; warn(m); }", "a.mjs"),
            // The global object handed to other code, which may delete what was added.
            ("module.exports = function (name) { window[name] = function () {}; jQuery(window).removeProp(name); };", "a.js"),
        ]);
    }

    #[test]
    fn fails() {
        Tester::new(&super::META).flags(&[
            ("const cache = new Map(); export function get(k) { if (!cache.has(k)) cache.set(k, compute(k)); return cache.get(k); }", "a.mjs", &["cache.set"]),
            ("const seen = new Set(); module.exports = function (id) { seen.add(id); };", "a.js", &["seen.add"]),
            ("const log = []; export function record(e) { log.push(e); }", "a.mjs", &["log.push"]),
            ("var byUser = {}; app.get('/', function (req) { byUser[req.user] = Date.now(); });", "a.js", &["byUser[req.user]"]),
            ("const memo = Object.create(null); export const f = (n) => (memo[n] = n * 2);", "a.mjs", &["memo[n]"]),
            ("const pending = []; export function f(x) { pending.unshift(x); return pending.length; }", "a.mjs", &["pending.unshift"]),
            ("const cache: Map<string, number> = new Map(); export function f(k: string) { cache.set(k, 1); }", "a.ts", &["cache.set"]),
            ("class Registry { static items = new Map(); static add(k, v) { this.items.set(k, v); } } module.exports = Registry.add;", "a.js", &["this.items.set"]),
            ("class R { static items = []; } export function add(v) { R.items.push(v); }", "a.mjs", &["R.items.push"]),
            ("global.sessions = global.sessions || new Map(); module.exports = (id, s) => { global.sessions.set(id, s); };", "a.js", &["global.sessions.set"]),
            ("module.exports = function (name, value) { global[name] = value; };", "a.js", &["global[name]"]),
            ("(function () { var cache = {}; window.lookup = function (k) { return cache[k] = cache[k] || load(k); }; })();", "a.js", &["cache[k] ="]),
            ("const cache = new Map(); export default function Component({ id }) { cache.set(id, <div/>); return null; }", "a.jsx", &["cache.set"]),
            ("const hits = {}; function count(k) { hits[k] = (hits[k] || 0) + 1; } export function handler(req) { count(req.url); }", "a.mjs", &["hits[k] ="]),
            ("const warned = new Set(); export function f(n) { if (!warned.has(n)) { warned.add(n); } send(n); console.warn(n); }", "a.mjs", &["warned.add"]),
            ("const cache = {}; export function f(k) { cache[k] = load(k); console.log('loaded', k); }", "a.mjs", &["cache[k]"]),
            ("const eventsByType = new Map(); export function on(t, e) { eventsByType.set(t, e); eventsByType.get(t); eventsByType.has(t); }", "a.mjs", &["eventsByType.set"]),
            // A table of constants pushed onto per call; `self` is `this`; an AMD factory's locals
            // are the module's.
            ("var EVENTS = ['close', 'error']; function Server(opts) { if (!opts.upgrades) EVENTS.push('upgrade'); } module.exports = Server;", "a.js", &["EVENTS.push"]),
            // A guarded push of request data is a set of every URL seen; a guard on another
            // value guards nothing.
            ("const urls = []; app.get('/', (req, res) => { if (urls.indexOf(req.url) < 0) urls.push(req.url); res.end(); });", "a.js", &["urls.push"]),
            ("const ids = []; export function add(id) { if (ids.indexOf(0) === -1) ids.push(id); }", "a.mjs", &["ids.push"]),
            // A test that does not guard the push, or that asks whether it is there.
            ("const seen = []; export function add(v) { if (seen.indexOf(v) === -1) count(v); seen.push(v); }", "a.mjs", &["seen.push"]),
            ("const seen = []; export function add(v) { if (seen.indexOf(v) !== -1) count(v); else seen.push(v); }", "a.mjs", &["seen.push"]),
            ("function Server(http) { var self = this; this.clients = []; http.on('connection', function (c) { self.clients.push(c); }); } Server.prototype.close = function () {}; module.exports = Server;", "a.js", &["self.clients.push"]),
            ("define('ui/control', [], function () { var byUser = {}; return { remember: function (userId, el) { byUser[userId] = el; } }; });", "a.js", &["byUser[userId]"]),
            // A growth written on the next line is still a growth.
            ("const cache = new Map(); export function f(k) { cache\n  .set(k, 1); }", "a.mjs", &["cache\n  .set"]),
            // A type that names the collection does not hand it to other code.
            ("const cache = new Map<string, number>(); type C = typeof cache; export function f(k: string) { cache.set(k, 1); }", "a.ts", &["cache.set"]),
        ]);
    }

    /// The message says what drives the growth, and the severity follows the evidence.
    #[test]
    fn severity_and_message_follow_the_driver() {
        let lint = |source: &str| {
            let output = crate::lint_source(
                std::path::Path::new("a.js"),
                source,
                &Default::default(),
                false,
            );
            output
                .diagnostics
                .iter()
                .map(|d| (d.severity, d.message.clone()))
                .collect::<Vec<_>>()
        };
        let cases: &[(&str, Option<(Severity, &str)>)] = &[
            // The textbook cases stay errors.
            ("const tokens = new Map(); export async function getUserToken(key) { if (tokens.has(key)) return tokens.get(key); const t = await fetchToken(key); tokens.set(key, t); return t; }",
             Some((Severity::Error, "keyed by `key`, a parameter of `getUserToken`"))),
            ("const samples = []; setInterval(() => { samples.push(process.memoryUsage()); }, 1000);",
             Some((Severity::Error, "one more entry on every `setInterval` event"))),
            ("const log = new Map(); module.exports = (e) => log.set(Date.now(), e);",
             Some((Severity::Error, "a new key on every call (`Date.now()` is part of the key)"))),
            ("const seen = new Map(); app.use((req, res, next) => { seen.set(req.headers.authorization, 1); next(); });",
             Some((Severity::Error, "keyed by `req.headers.authorization`, the data of each `app.use` event"))),
            // A parameter without a telling name: a warning that says what bounds it.
            ("const squares = {}; export function square(n) { return squares[n] ?? (squares[n] = n * n); }",
             Some((Severity::Warn, "bounded only if its callers pass a closed set of values"))),
            // Collections an instance owns: an error on a singleton, a warning otherwise, and
            // silent unless the evidence says the growth has no bound.
            ("class Registry { constructor() { this.byId = new Map(); } add(user) { this.byId.set(user.id, user); } } module.exports = new Registry();",
             Some((Severity::Error, "this file creates the one `Registry`"))),
            ("class Server { constructor() { this.clients = []; this.wss.on('connection', (client) => { this.clients.push(client); }); } } module.exports = Server;",
             Some((Severity::Warn, "for as long as the `Server` instance lives"))),
            ("function Manager() { this.handshaken = {}; } Manager.prototype.handshake = function (id, data) { this.handshaken['sid:' + Date.now()] = data; }; module.exports = Manager;",
             Some((Severity::Warn, "a new key on every call"))),
            ("class Parser { constructor() { this.seen = new Map(); } parse(n) { this.seen.set(n, 1); } } module.exports = Parser;", None),
            // An emitter, or a `…Manager`, is kept by its users: keys its callers pass warn.
            ("const EventEmitter = require('events'); class Changes extends EventEmitter { constructor() { super(); this.byId = {}; } add(id, f) { this.byId[id] = f; } } module.exports = Changes;",
             Some((Severity::Warn, "an event emitter, which its users keep"))),
            ("function Changes() { this.byId = {}; } inherits(Changes, EventEmitter); Changes.prototype.add = function (key, f) { this.byId[key] = f; }; module.exports = Changes;",
             Some((Severity::Warn, "an event emitter"))),
            ("var Emitter = require('events').EventEmitter; function Hub() { this.byId = {}; } Hub.prototype.__proto__ = Emitter.prototype; Hub.prototype.add = function (key, f) { this.byId[key] = f; }; module.exports = Hub;",
             Some((Severity::Warn, "an event emitter"))),
            ("function Hub() { this.byId = {}; } Hub.prototype = Object.create(EventEmitter.prototype); Hub.prototype.add = function (key, f) { this.byId[key] = f; }; module.exports = Hub;",
             Some((Severity::Warn, "an event emitter"))),
            ("export class ConfigService { constructor() { this.byComponent = new Map(); } set(componentName, value) { this.byComponent.set(componentName, value); } }", None),
            ("class TaskManager { constructor() { this.tasks = []; } add(t) { this.tasks.push(t); } } module.exports = TaskManager;", None),
            // Exported: a warning when the key says it has no bound, silent otherwise.
            ("export const byUser = new Map(); export function track(userId) { byUser.set(userId, Date.now()); }",
             Some((Severity::Warn, "it is exported, so another module may evict it"))),
            ("export const squares = {}; export function square(n) { return squares[n] ?? (squares[n] = n * n); }", None),
            ("export const INFO = {}; export function info(config) { const key = keyOf(config); return INFO[key] || (INFO[key] = load(config)); }",
             Some((Severity::Warn, "it is exported"))),
            // A closure's collection, kept by the handler its function returns.
            ("module.exports = function middleware(options) { const seen = new Map(); return (req, res, next) => { seen.set(req.url, Date.now()); next(); }; };",
             Some((Severity::Warn, "keyed by `req.url`"))),
            ("function walk(root) { const seen = new Set(); function visit(n) { seen.add(n.id); n.children.forEach(visit); } visit(root); return seen.size; } module.exports = walk;", None),
            ("class Pool { pending = {}; add(requestId, r) { this.pending[requestId] = r; } done(requestId) { delete this.pending[requestId]; } } module.exports = Pool;", None),
            ("class Cache { constructor() { this.map = new Map(); } put(userId, v) { this.map.set(userId, v); } reset() { this.map = new Map(); } } module.exports = Cache;", None),
            // Closed sets and registration tables: silent.
            ("const styles = new Map(); export function styleFor(tagName) { styles.set(tagName, 1); }", None),
            ("const helpers = {}; export function registerHelper(name, fn) { helpers[name] = fn; }", None),
            ("const small = {}; export function fromInt(value) { if (0 <= value && value < 256) small[value] = { value }; }", None),
        ];
        for (source, expected) in cases {
            let found = lint(source);
            match expected {
                Some((severity, text)) => {
                    assert_eq!(found.len(), 1, "{source}: {found:?}");
                    assert_eq!(found[0].0, *severity, "{source}: {found:?}");
                    assert!(found[0].1.contains(text), "{source}: {found:?}");
                }
                None => assert!(found.is_empty(), "{source}: {found:?}"),
            }
        }
    }
}
