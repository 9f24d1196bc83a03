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

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::diagnostic::{Finding, Label, Range};
use crate::rules::helpers::{callee_span, is_global, prop_name, snippet, unwrap, GLOBAL_OBJECTS};
use crate::rules::{Context, OptionKind, RuleOption};
use crate::semantic::{BindingId, BindingKind, Semantic};

pub const ID: &str = "unbounded-cache";

pub const OPTIONS: &[RuleOption] = &[RuleOption {
    name: "eviction_methods",
    kind: OptionKind::Names,
    description: "more method names that remove entries (e.g. `evict`, `prune`)",
}];

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
/// Calls that read a collection without keeping or changing it.
const READERS: &[(&str, &[&str])] = &[
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

/// What a collection is, by where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Collection {
    /// A variable of code that runs once (module level, a top-level IIFE).
    Binding(BindingId),
    /// A static property of a class: `static cache = new Map()`.
    Static(BindingId, Atom),
    /// A property of the global object: `global.cache`.
    Global(Atom),
    /// The global object itself: `global[key] = v`.
    GlobalObject,
}

/// A collection created where it lives as long as the process.
struct Declaration {
    kind: &'static str,
    span: Span,
    name: String,
}

struct Growth {
    span: Span,
    how: String,
    /// The statements around the growth.
    context: Vec<Span>,
}

#[derive(Default)]
struct Uses {
    /// Where code that runs many times grows it, and how.
    growth: Vec<Growth>,
    evicted: bool,
    escapes: bool,
}

pub fn run(ctx: &mut Context) {
    // A cheap first pass finds the collections that could leak; most files have none, and the
    // full pass below (which resolves every identifier) is then not needed.
    let mut survey = Survey {
        semantic: ctx.semantic,
        names: Vec::new(),
        statics: false,
    };
    ctx.program.visit_with(&mut survey);
    let mentions_global = GLOBAL_OBJECTS
        .iter()
        .any(|name| memchr::memmem::find(ctx.text.as_bytes(), name.as_bytes()).is_some());
    // A collection can only grow where its name is followed by a growth method or a computed
    // key: find the names the text grows, in one pass, before resolving every identifier.
    let grown = grown_names(ctx.text.as_bytes());
    survey.names.retain(|name| grown.contains(name.as_bytes()));
    survey.names.sort_unstable();
    survey.names.dedup();
    if survey.names.is_empty() && !survey.statics && !mentions_global {
        return;
    }
    let extra = ctx.settings.option_names(ID, "eviction_methods");
    let mut visitor = Visitor {
        semantic: ctx.semantic,
        candidates: survey.names,
        text: ctx.text,
        eviction_methods: extra,
        declarations: FxHashMap::default(),
        uses: FxHashMap::default(),
        this_class: None,
        statements: Vec::new(),
        blocks: Vec::new(),
        console_calls: Vec::new(),
    };
    ctx.program.visit_with(&mut visitor);
    visitor.console_calls.sort_unstable();
    let mut findings = Vec::new();
    for (collection, uses) in &visitor.uses {
        if uses.escapes || uses.evicted {
            continue;
        }
        let Some(Growth { span, how, .. }) = uses.growth.iter().find(|g| !visitor.is_warn_once(g))
        else {
            continue;
        };
        let declaration = visitor.declarations.get(collection);
        let finding = match (collection, declaration) {
            (Collection::GlobalObject, _) => Finding {
                rule: ID,
                range: Range::from_span(*span),
                message: format!(
                    "`{how}` adds a property to the global object on every call, and nothing in this file deletes one: each key stays for the life of the process"
                ),
                labels: Vec::new(),
                help: Some("keep per-key data in a bounded structure (an LRU cache with a TTL, a WeakMap keyed by an object) instead of globals".into()),
                severity: None,
            },
            (_, Some(declaration)) => Finding {
                rule: ID,
                range: Range::from_span(*span),
                message: format!(
                    "`{}` ({}) grows on every call (`{how}`) and nothing in this file ever removes an entry: it keeps everything it is given for the life of the process",
                    declaration.name, declaration.kind
                ),
                labels: vec![Label {
                    range: Range::from_span(declaration.span),
                    message: format!("`{}` is created here and lives as long as the process", declaration.name),
                }],
                help: Some("bound it: delete entries when they are done, cap its size, use an LRU cache with a TTL, a WeakMap keyed by the object, or a shared store such as Redis".into()),
                severity: None,
            },
            (_, None) => continue,
        };
        findings.push(finding);
    }
    findings.sort_by_key(|f| f.range);
    for finding in findings {
        ctx.report(finding);
    }
}

/// The identifiers that the text follows with `.set(`, `.add(`, `.push(`, `.unshift(` (also
/// after `?`) or `[`: the only names a collection can grow under.
fn grown_names(text: &[u8]) -> rustc_hash::FxHashSet<&[u8]> {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let name_before = |end: usize| {
        let end = if end > 0 && text[end - 1] == b'?' {
            end - 1
        } else {
            end
        };
        let start = text[..end]
            .iter()
            .rposition(|&b| !is_word(b))
            .map_or(0, |i| i + 1);
        &text[start..end]
    };
    let mut names = rustc_hash::FxHashSet::default();
    for method in [&b".set("[..], b".add(", b".push(", b".unshift("] {
        for at in memchr::memmem::find_iter(text, method) {
            names.insert(name_before(at));
        }
    }
    for at in memchr::memchr_iter(b'[', text) {
        names.insert(name_before(at));
    }
    names
}

/// Finds the names of long-lived collections: declarations in code that runs once (top-level
/// statements and top-level IIFEs), without entering other functions.
struct Survey<'a> {
    semantic: &'a Semantic,
    names: Vec<Atom>,
    /// A class declares a static collection.
    statics: bool,
}

impl Visit for Survey<'_> {
    fn visit_function(&mut self, _: &Function) {}
    fn visit_arrow_expr(&mut self, _: &ArrowExpr) {}
    fn visit_class_member(&mut self, member: &ClassMember) {
        if let ClassMember::ClassProp(prop) = member {
            self.statics |= prop.is_static
                && prop
                    .value
                    .as_deref()
                    .is_some_and(|v| collection_kind(self.semantic, v).is_some());
        }
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        // A top-level IIFE runs once: its declarations live as long as the module.
        if let Callee::Expr(callee) = &call.callee {
            match iife_function(callee) {
                Some(Iife::Function(function)) => function.visit_children_with(self),
                Some(Iife::Arrow(arrow)) => arrow.body.visit_with(self),
                None => {}
            }
        }
        call.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init) {
            if collection_kind(self.semantic, init).is_some() {
                self.names.push(name.id.sym.clone());
            }
        }
        declarator.init.visit_with(self);
    }
}

enum Iife<'a> {
    Function(&'a Function),
    Arrow(&'a ArrowExpr),
}

/// The function an expression calls in place: `(function () {})()`, `(() => {})()`,
/// `(function () {}).call(this)`.
fn iife_function(callee: &Expr) -> Option<Iife<'_>> {
    match unwrap(callee) {
        Expr::Fn(f) => Some(Iife::Function(&f.function)),
        Expr::Arrow(a) => Some(Iife::Arrow(a)),
        Expr::Member(member)
            if prop_name(&member.prop).is_some_and(|p| p == "call" || p == "apply") =>
        {
            match unwrap(&member.obj) {
                Expr::Fn(f) => Some(Iife::Function(&f.function)),
                Expr::Arrow(a) => Some(Iife::Arrow(a)),
                _ => None,
            }
        }
        _ => None,
    }
}

struct Visitor<'a, 's> {
    semantic: &'a Semantic,
    /// Names of the collections the survey found; other names are not resolved at all.
    candidates: Vec<Atom>,
    text: &'a str,
    eviction_methods: Vec<&'s str>,
    declarations: FxHashMap<Collection, Declaration>,
    uses: FxHashMap<Collection, Uses>,
    /// The class `this` stands for, inside its static members.
    this_class: Option<BindingId>,
    /// Spans of the expression statements and `if`s around the current node.
    statements: Vec<Span>,
    /// Spans of the blocks around the current node.
    blocks: Vec<Span>,
    /// Where `console.*(…)`, `warn(…)`, `logger.warn(…)` and the like are called.
    console_calls: Vec<BytePos>,
}

/// `new Map()`, `new Set()`, `{}`, `Object.create(null)`, `[]`, `new Array()`; also the right
/// side of `x || new Map()` and `x ?? {}`.
fn collection_kind(semantic: &Semantic, expr: &Expr) -> Option<&'static str> {
    match unwrap(expr) {
        Expr::New(new) => match unwrap(&new.callee) {
            Expr::Ident(id) if is_global(semantic, id, &["Map"]) => Some("a Map"),
            Expr::Ident(id) if is_global(semantic, id, &["Set"]) => Some("a Set"),
            Expr::Ident(id) if is_global(semantic, id, &["Array"]) => Some("an array"),
            _ => None,
        },
        // Only empty literals: `{}` and `[]` start out as dictionaries and lists to fill, while a
        // literal with members is a namespace or a table of known entries.
        Expr::Object(object) if object.props.is_empty() => Some("an object"),
        Expr::Array(array) if array.elems.is_empty() => Some("an array"),
        Expr::Call(call) => {
            let (object, method) = crate::rules::helpers::method_call(call)?;
            let is_create = matches!(unwrap(object), Expr::Ident(id) if is_global(semantic, id, &["Object"]))
                && method == "create"
                && matches!(
                    call.args.first().map(|a| unwrap(&a.expr)),
                    Some(Expr::Lit(Lit::Null(_)))
                );
            is_create.then_some("an object")
        }
        Expr::Bin(bin) if matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
            collection_kind(semantic, &bin.right)
        }
        _ => None,
    }
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

impl Visitor<'_, '_> {
    fn uses(&mut self, collection: Collection) -> &mut Uses {
        self.uses.entry(collection).or_default()
    }

    /// The collection an expression stands for, if it is one this rule tracks.
    fn collection_of(&self, expr: &Expr) -> Option<Collection> {
        match unwrap(expr) {
            Expr::Ident(ident) => {
                if is_global(self.semantic, ident, GLOBAL_OBJECTS) {
                    return Some(Collection::GlobalObject);
                }
                if !self.candidates.contains(&ident.sym) {
                    return None;
                }
                self.semantic.binding_of(ident)?;
                Some(Collection::Binding(self.semantic.binding_id_of(ident)?))
            }
            Expr::Member(member) => {
                let name = prop_name(&member.prop)?.clone();
                match unwrap(&member.obj) {
                    Expr::Ident(ident) if is_global(self.semantic, ident, GLOBAL_OBJECTS) => {
                        Some(Collection::Global(name))
                    }
                    Expr::Ident(ident) => {
                        let binding = self.semantic.binding_of(ident)?;
                        (binding.kind == BindingKind::Class).then(|| {
                            Collection::Static(
                                self.semantic.binding_id_of(ident).expect("resolved"),
                                name,
                            )
                        })
                    }
                    Expr::This(_) => self.this_class.map(|class| Collection::Static(class, name)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Records growth; `marker` says it only marks a key as seen (`set.add(k)`,
    /// `seen[k] = true`).
    fn growth(&mut self, collection: Collection, span: Span, how: String, marker: bool) {
        if !self.semantic.runs_many_times(span) {
            return;
        }
        // The innermost expression statement and `if` around the growth (and, for a marker,
        // the block it is in), to recognise the warn-once pattern later.
        let mut context: Vec<Span> = self.statements.iter().rev().take(2).copied().collect();
        if marker {
            context.extend(self.blocks.last().copied());
        }
        self.uses(collection)
            .growth
            .push(Growth { span, how, context });
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

    /// A key that can only ever be one value: a literal, or a module-level `const`.
    fn is_constant_key(&self, prop: &MemberProp) -> bool {
        let MemberProp::Computed(computed) = prop else {
            return true;
        };
        match unwrap(&computed.expr) {
            Expr::Lit(_) => true,
            Expr::Tpl(tpl) => tpl.exprs.is_empty(),
            Expr::Ident(ident) => self.semantic.binding_of(ident).is_some_and(|b| {
                b.kind == BindingKind::Const && !self.semantic.scope(b.scope).runs_many
            }),
            _ => false,
        }
    }

    fn declare(&mut self, collection: Collection, kind: &'static str, span: Span, name: String) {
        self.declarations
            .entry(collection)
            .or_insert(Declaration { kind, span, name });
    }

    /// `if (c.size > MAX)`, `c.length >= n`, `Object.keys(c).length < 100`: a size guard.
    fn size_guard(&self, expr: &Expr) -> Option<Collection> {
        let Expr::Member(member) = unwrap(expr) else {
            return None;
        };
        let prop = prop_name(&member.prop)?;
        if prop != "size" && prop != "length" {
            return None;
        }
        if let Some(collection) = self.collection_of(&member.obj) {
            return Some(collection);
        }
        // Object.keys(c).length
        let Expr::Call(call) = unwrap(&member.obj) else {
            return None;
        };
        let (object, method) = crate::rules::helpers::method_call(call)?;
        let is_keys = matches!(unwrap(object), Expr::Ident(id) if id.sym == "Object")
            && matches!(
                &**method,
                "keys" | "values" | "entries" | "getOwnPropertyNames"
            );
        if !is_keys {
            return None;
        }
        self.collection_of(&call.args.first()?.expr)
    }
}

impl Visit for Visitor<'_, '_> {
    fn visit_ident(&mut self, ident: &Ident) {
        // Every safe use is handled before the traversal reaches the bare name; any other use
        // (returned, passed on, aliased, exported) lets the collection escape this file.
        let tracked = self.candidates.contains(&ident.sym) || GLOBAL_OBJECTS.contains(&&*ident.sym);
        if !tracked {
            return;
        }
        if self.semantic.binding_of(ident).is_some() {
            if let Some(binding) = self.semantic.binding_id_of(ident) {
                self.uses(Collection::Binding(binding)).escapes = true;
            }
        } else if is_global(self.semantic, ident, GLOBAL_OBJECTS) {
            // `jQuery(window).removeProp(name)`: other code may delete what `window[k] = v` adds.
            self.uses(Collection::GlobalObject).escapes = true;
        }
    }

    fn visit_stmt(&mut self, stmt: &Stmt) {
        let tracked = matches!(stmt, Stmt::Expr(_) | Stmt::If(_));
        if tracked {
            self.statements.push(stmt.span());
        }
        stmt.visit_children_with(self);
        if tracked {
            self.statements.pop();
        }
    }

    fn visit_block_stmt(&mut self, block: &BlockStmt) {
        self.blocks.push(block.span);
        block.visit_children_with(self);
        self.blocks.pop();
    }

    fn visit_function_body(&mut self, body: &FunctionBody) {
        self.blocks.push(body.span);
        body.visit_children_with(self);
        self.blocks.pop();
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init) {
            if let Some(binding) = self.semantic.declared_binding(&name.id) {
                let info = self.semantic.binding(binding);
                let long_lived = !self.semantic.scope(info.scope).runs_many && !info.exported;
                if let (true, Some(kind)) = (long_lived, collection_kind(self.semantic, init)) {
                    self.declare(
                        Collection::Binding(binding),
                        kind,
                        name.id.span,
                        name.id.sym.to_string(),
                    );
                }
            }
        }
        declarator.init.visit_with(self);
    }

    fn visit_class_decl(&mut self, decl: &ClassDecl) {
        let class = self.semantic.declared_binding(&decl.ident);
        let exported = class.is_some_and(|c| self.semantic.binding(c).exported);
        for member in &decl.class.body {
            let ClassMember::ClassProp(prop) = member else {
                continue;
            };
            let (Some(class), PropName::Ident(key), Some(value)) = (class, &prop.key, &prop.value)
            else {
                continue;
            };
            // Importers can reach a public static of an exported class; not a `private` one.
            let private = prop.accessibility == Some(Accessibility::Private);
            if !prop.is_static || (exported && !private) {
                continue;
            }
            if let Some(kind) = collection_kind(self.semantic, value) {
                let name = format!("{}.{}", decl.ident.sym, key.sym);
                self.declare(
                    Collection::Static(class, key.sym.clone()),
                    kind,
                    prop.span,
                    name,
                );
            }
        }
        let previous = self.this_class;
        decl.class.decorators.visit_with(self);
        decl.class.super_class.visit_with(self);
        for member in &decl.class.body {
            let is_static = match member {
                ClassMember::Method(m) => m.is_static,
                ClassMember::PrivateMethod(m) => m.is_static,
                ClassMember::ClassProp(p) => p.is_static,
                ClassMember::PrivateProp(p) => p.is_static,
                ClassMember::StaticBlock(_) => true,
                _ => false,
            };
            self.this_class = if is_static { class } else { None };
            member.visit_with(self);
        }
        self.this_class = previous;
    }

    fn visit_function(&mut self, function: &Function) {
        // A plain function has its own `this`; class methods set theirs in visit_class_decl.
        let previous = self.this_class.take();
        function.visit_children_with(self);
        self.this_class = previous;
    }

    fn visit_class_method(&mut self, method: &ClassMethod) {
        method.key.visit_with(self);
        method.function.decorators.visit_with(self);
        for param in &method.function.params {
            param.visit_with(self);
        }
        method.function.body.visit_with(self);
    }

    fn visit_private_method(&mut self, method: &PrivateMethod) {
        method.function.decorators.visit_with(self);
        for param in &method.function.params {
            param.visit_with(self);
        }
        method.function.body.visit_with(self);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        if crate::rules::helpers::callee_ident(call).is_some_and(|f| LOGGING.contains(&&*f.sym)) {
            self.console_calls.push(call.span.lo);
        }
        if let Some((object, method)) = crate::rules::helpers::method_call(call) {
            let logs = LOGGING.contains(&&**method)
                || matches!(unwrap(object), Expr::Ident(id) if is_global(self.semantic, id, &["console"]));
            if logs {
                self.console_calls.push(call.span.lo);
            }
            if let Some(collection) = self.collection_of(object) {
                if GROWTH_METHODS.contains(&&**method) {
                    let marker = method == "add";
                    self.growth(
                        collection,
                        callee_span(call),
                        format!(".{method}()"),
                        marker,
                    );
                } else if EVICTION_METHODS.contains(&&**method)
                    || self.eviction_methods.contains(&&**method)
                {
                    self.uses(collection).evicted = true;
                }
                call.args.visit_with(self);
                return;
            }
            // Object.keys(c), JSON.stringify(c), console.log(c): reads, not escapes.
            if let Expr::Ident(owner) = unwrap(object) {
                let is_reader = READERS
                    .iter()
                    .any(|(name, methods)| owner.sym == **name && methods.contains(&&**method));
                if is_reader {
                    for arg in &call.args {
                        if self.collection_of(&arg.expr).is_none() {
                            arg.visit_with(self);
                        }
                    }
                    return;
                }
            }
        }
        call.visit_children_with(self);
    }

    fn visit_new_expr(&mut self, new: &NewExpr) {
        // `new Map(c)` copies.
        let copies = matches!(unwrap(&new.callee), Expr::Ident(id) if matches!(&*id.sym, "Map" | "Set" | "WeakMap" | "WeakSet"));
        if copies {
            for arg in new.args.iter().flatten() {
                if self.collection_of(&arg.expr).is_none() {
                    arg.visit_with(self);
                }
            }
            return;
        }
        new.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, assign: &AssignExpr) {
        match &assign.left {
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => {
                if let Some(collection) = self.collection_of(&member.obj) {
                    let key = prop_name(&member.prop);
                    if key.is_some_and(|k| k == "length") {
                        self.uses(collection).evicted = true;
                    } else if !self.is_constant_key(&member.prop) {
                        let is_array = self
                            .declarations
                            .get(&collection)
                            .is_some_and(|d| d.kind == "an array");
                        // Arrays written by index are tables and ring buffers; they grow by push.
                        if !is_array {
                            let target = snippet(self.text, member.span);
                            let marker = is_flag(&assign.right);
                            self.growth(collection, member.span, format!("{target} = …"), marker);
                        }
                    }
                    if let MemberProp::Computed(computed) = &member.prop {
                        computed.visit_with(self);
                    }
                    // `global.cache = …` itself: creation in run-once code, reassignment after.
                    let target = Expr::Member(member.clone());
                    self.assign_whole(&target, &assign.right, assign.span);
                    self.visit_initializer(&target, &assign.right);
                    return;
                }
                if let Some(collection) = self.collection_of(&Expr::Member(member.clone())) {
                    self.assign_collection(collection, &assign.right, assign.span, member.span);
                    member.obj.visit_with(self);
                    assign.right.visit_with(self);
                    return;
                }
            }
            AssignTarget::Simple(SimpleAssignTarget::Ident(ident))
                if self.semantic.binding_of(&ident.id).is_some() =>
            {
                // Reassigning the variable drops every entry.
                if let Some(id) = self.semantic.binding_id_of(&ident.id) {
                    self.uses(Collection::Binding(id)).evicted = true;
                }
                assign.right.visit_with(self);
                return;
            }
            _ => {}
        }
        assign.visit_children_with(self);
    }

    fn visit_unary_expr(&mut self, unary: &UnaryExpr) {
        match unary.op {
            UnaryOp::Delete => {
                if let Expr::Member(member) = unwrap(&unary.arg) {
                    if let Some(collection) = self.collection_of(&member.obj) {
                        self.uses(collection).evicted = true;
                    }
                    if let Some(collection) = self.collection_of(&unary.arg) {
                        self.uses(collection).evicted = true;
                    }
                    if let MemberProp::Computed(computed) = &member.prop {
                        computed.visit_with(self);
                    }
                    return;
                }
            }
            UnaryOp::TypeOf if self.collection_of(&unary.arg).is_some() => return,
            _ => {}
        }
        unary.visit_children_with(self);
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        use BinaryOp::*;
        if matches!(
            bin.op,
            Lt | LtEq | Gt | GtEq | EqEq | EqEqEq | NotEq | NotEqEq
        ) {
            for side in [&bin.left, &bin.right] {
                if let Some(collection) = self.size_guard(side) {
                    self.uses(collection).evicted = true;
                }
            }
        }
        if matches!(bin.op, In | InstanceOf | EqEq | EqEqEq | NotEq | NotEqEq) {
            for side in [&bin.left, &bin.right] {
                if self.collection_of(side).is_none() {
                    side.visit_with(self);
                }
            }
            return;
        }
        bin.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if let Some(collection) = self.collection_of(&Expr::Member(member.clone())) {
            if !matches!(
                collection,
                Collection::Binding(_) | Collection::GlobalObject
            ) {
                // `A.cache` or `global.cache` used whole, in a context not handled above.
                self.uses(collection).escapes = true;
            }
        }
        if self.collection_of(&member.obj).is_none() {
            member.obj.visit_with(self);
        }
        if let MemberProp::Computed(computed) = &member.prop {
            computed.visit_with(self);
        }
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        stmt.left.visit_with(self);
        if self.collection_of(&stmt.right).is_none() {
            stmt.right.visit_with(self);
        }
        stmt.body.visit_with(self);
    }

    fn visit_for_in_stmt(&mut self, stmt: &ForInStmt) {
        stmt.left.visit_with(self);
        if self.collection_of(&stmt.right).is_none() {
            stmt.right.visit_with(self);
        }
        stmt.body.visit_with(self);
    }

    fn visit_spread_element(&mut self, spread: &SpreadElement) {
        if self.collection_of(&spread.expr).is_none() {
            spread.expr.visit_with(self);
        }
    }
}

impl Visitor<'_, '_> {
    /// Visits the right side of `target = …`, where `target || new Map()` reads the target only
    /// to initialize it, not to let it escape.
    fn visit_initializer(&mut self, target: &Expr, right: &Expr) {
        if let Expr::Bin(bin) = unwrap(right) {
            let same = self.collection_of(target).is_some()
                && self.collection_of(&bin.left) == self.collection_of(target);
            if same && matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) {
                bin.right.visit_with(self);
                return;
            }
        }
        right.visit_with(self);
    }

    /// `global.cache = global.cache || new Map()` and the like.
    fn assign_whole(&mut self, target: &Expr, right: &Expr, span: Span) {
        if let Some(collection) = self.collection_of(target) {
            self.assign_collection(collection, right, span, target.span());
        }
    }

    fn assign_collection(
        &mut self,
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
        if self.semantic.runs_many_times(span) {
            self.uses(collection).evicted = true;
        } else if let Some(kind) = collection_kind(self.semantic, right) {
            let name = match &collection {
                Collection::Global(name) => format!("global.{name}"),
                Collection::Static(_, name) => name.to_string(),
                _ => unreachable!("bindings and the global object return above"),
            };
            self.declare(collection, kind, target, name);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_flags, assert_passes};

    #[test]
    fn passes() {
        assert_passes(&[
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
        assert_flags(&[
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
        ]);
    }
}
