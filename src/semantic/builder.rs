//! Builds the [`Semantic`] model in one walk: scopes, bindings and references, and the raw facts
//! of the lifetime layer (roles of references, effect and guard regions, dropped results, the
//! collections bindings are created with, what `this` is).

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use super::frequency::{self, function_start};
use super::lifetime::{
    self, argument_role, compares, constructor_argument_role, is_effect_hook_call, unwrap,
    GuardCandidate, InitShape, Lifetimes, Role, ThisValue,
};
use super::{
    has_use_strict, Access, Binding, BindingId, BindingKind, FunctionNode, Nesting, Node,
    Reference, ReferenceId, Resolution, Scope, ScopeId, ScopeKind, Semantic, Uses,
};

/// Extends the borrow of a node to the program's: the builder is only ever driven over the
/// `&'a Program` given to [`Semantic::build`] (it visits no node it made itself), so every node it
/// sees lives as long as that program, and the [`Semantic`] holding these cannot outlive it.
/// swc's `Visit` hands nodes out with a shorter, anonymous lifetime, hence the cast.
fn in_program<'a, T>(node: &T) -> &'a T {
    // SAFETY: see above; `node` points into the program borrowed for `'a`.
    unsafe { &*(node as *const T) }
}

pub(super) struct Builder<'a> {
    text: &'a str,
    nodes: Vec<Node<'a>>,
    /// The functions calls and assignments hand over as handlers, in source order.
    handler_sites: Vec<frequency::HandlerSite>,
    statements: Vec<(Span, u32)>,
    blocks: Vec<(Span, u32)>,
    /// The innermost open statement and block, as indexes into the lists above.
    open_statement: u32,
    open_block: u32,
    scopes: Vec<Scope>,
    bindings: Vec<Binding>,
    references: Vec<Reference>,
    current: ScopeId,
    /// Start of the function expression or arrow that is being called in place (an IIFE).
    iife_start: Option<BytePos>,
    /// Starts of callbacks that run at most once per run of the code that hands them over
    /// (`.then(cb)`, `setTimeout(cb)`, `new Promise(executor)`): they run as often as it does.
    once_starts: Vec<BytePos>,
    /// Start of a function about to be visited, and the binding that names it.
    pending_function_binding: Option<(BytePos, BindingId)>,
    /// `const Adapter = class … {}`: the class expression about to be visited, by its start,
    /// and the binding that names it.
    pending_class_binding: Option<(BytePos, BindingId)>,
    /// Function scopes and the binding they are declared as (`function f`, `const f = () =>`).
    function_bindings: Vec<(ScopeId, BindingId)>,
    binding_at: FxHashMap<BytePos, BindingId>,
    /// What `this` will be in the next function scope entered (a class member's).
    next_this: Option<ThisValue>,
    /// The argument spans of effect hook calls.
    effects: Vec<Span>,
    guards: Vec<GuardCandidate>,
    /// The left side of every assignment, to check guards against.
    assignments: Vec<Span>,
    /// Statement lists with an early-return guard candidate, numbered.
    guard_groups: u32,
    dropped: Vec<(BytePos, BytePos)>,
    /// Functions written as a statement of their own (`() => off();`): never called.
    discarded: Vec<Span>,
    /// Members of an Angular component that its injector fills (`constructor(private bus:
    /// Bus)`, `bus = inject(Bus)`): the class scope and the member's name.
    injected: Vec<(ScopeId, Atom)>,
    /// Functions bound to a name by a declaration (`const stop = () => …`), with the name.
    named_functions: Vec<(BindingId, Span)>,
    inits: Vec<(BindingId, InitShape)>,
    /// The names functions are known by: where the function starts, and the name.
    function_names: Vec<(BytePos, Atom)>,
    /// What tells run-once code apart beyond direct calls: see [`lifetime::RunOnceFacts`].
    run_once: lifetime::RunOnceFacts,
    /// The class (or constructor function) scopes whose instances `this` stands for, and the
    /// binding that names them.
    owners: Vec<(ScopeId, BindingId)>,
    /// `X.prototype.m = function () {}`: the constructor's name, the method's start, and the
    /// scope of the assignment (to resolve the name from).
    prototype_methods: Vec<(Atom, BytePos, ScopeId)>,
    /// The top-level code of a component file that runs for each instance (see
    /// [`Semantic::build_component`](super::Semantic::build_component)).
    pub(super) per_instance: Vec<Span>,
    /// The function scopes made for those blocks.
    instance_scopes: Vec<ScopeId>,
    /// Callbacks given to a framework's unmount registrars (`onBeforeUnmount(() => …)`), and the
    /// starts of names given there (`onUnmounted(close)`).
    unmount_callbacks: Vec<Span>,
    unmount_names: Vec<BytePos>,
    /// Callbacks given to a framework's mount registrars (`onMounted(() => …)`).
    mount_callbacks: Vec<Span>,
    /// Object literals shaped like a Vue component's options (or a mixin's).
    component_options: Vec<Span>,
    /// Names declared as `this` (`const that = this`).
    this_aliases: Vec<BindingId>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(span: Span, strict: bool, text: &'a str) -> Builder<'a> {
        let program = Scope {
            kind: ScopeKind::Program,
            parent: None,
            span,
            strict,
            runs_many: false,
            own_runs_many: Some(false),
            dynamic: false,
            this: ThisValue::Unknown,
            iife: false,
            bindings: FxHashMap::default(),
        };
        // Room for the density of nodes that nine files in ten of the npm corpus stay under,
        // so the lists seldom grow by copying (about 2 % of a run before). An overestimate
        // costs only memory that is never touched.
        let size = text.len();
        Builder {
            text,
            nodes: Vec::with_capacity(size / 24),
            handler_sites: Vec::new(),
            statements: Vec::with_capacity(size / 96),
            blocks: Vec::with_capacity(size / 192),
            open_statement: u32::MAX,
            open_block: u32::MAX,
            next_this: None,
            effects: Vec::new(),
            guards: Vec::new(),
            assignments: Vec::new(),
            guard_groups: 0,
            dropped: Default::default(),
            discarded: Default::default(),
            injected: Default::default(),
            named_functions: Default::default(),
            inits: Vec::new(),
            function_names: Vec::new(),
            run_once: Default::default(),
            owners: Vec::new(),
            prototype_methods: Vec::new(),
            per_instance: Vec::new(),
            instance_scopes: Vec::new(),
            unmount_callbacks: Vec::new(),
            unmount_names: Vec::new(),
            mount_callbacks: Vec::new(),
            component_options: Vec::new(),
            this_aliases: Vec::new(),
            scopes: {
                let mut scopes = Vec::with_capacity(size / 160);
                scopes.push(program);
                scopes
            },
            bindings: Vec::with_capacity(size / 64),
            references: Vec::with_capacity(size / 28),
            current: ScopeId(0),
            iife_start: None,
            once_starts: Vec::new(),
            pending_function_binding: None,
            pending_class_binding: None,
            function_bindings: Vec::new(),
            binding_at: FxHashMap::with_capacity_and_hasher(size / 80, Default::default()),
        }
    }

    pub(super) fn finish(mut self) -> Semantic<'a> {
        let mut reference_at = FxHashMap::default();
        reference_at.reserve(self.references.len());
        for i in 0..self.references.len() {
            let resolution = self.resolve(&self.references[i]);
            let reference = &mut self.references[i];
            reference.resolution = resolution;
            reference_at.insert(reference.span.lo, ReferenceId(i as u32));
        }
        let mut scopes_by_start: Vec<ScopeId> =
            (0..self.scopes.len() as u32).map(ScopeId).collect();
        scopes_by_start.sort_by_key(|id| self.scopes[id.index()].span.lo);
        let uses = Uses::new(self.bindings.len(), &self.references);
        // The scope of the first function each binding names, for lookups by binding.
        let mut function_of = FxHashMap::default();
        for &(scope, binding) in &self.function_bindings {
            function_of.entry(binding).or_insert(scope);
        }
        self.resolve_prototype_methods(&scopes_by_start, &function_of);
        let bindings = &self.bindings;
        self.function_names.sort_unstable_by_key(|(lo, _)| *lo);
        self.function_names.dedup_by_key(|(lo, _)| *lo);
        for (start, name) in &self.function_names {
            if name.starts_with('_') {
                if let Some(scope) =
                    frequency::scope_starting_at(&self.scopes, &scopes_by_start, *start)
                {
                    self.run_once.private_methods.push((scope, name.clone()));
                }
            }
        }
        lifetime::find_functions_that_run_once(
            &mut self.scopes,
            &self.function_bindings,
            |b| bindings[b.index()].exported,
            &uses,
            &self.references,
            &self.run_once,
            |key| names_a_member(self.text, key),
        );
        // Pushed in traversal order, which is source order; sorting keeps lookups right anyway.
        self.dropped.sort_unstable();
        // A function nothing can call: discarded, or bound to a name nothing reads or exports.
        let mut never_run = self.discarded;
        never_run.extend(
            self.named_functions
                .iter()
                .filter(|(binding, _)| {
                    !bindings[binding.index()].exported && uses.of(*binding).is_empty()
                })
                .map(|(_, span)| *span),
        );
        // `onUnmounted(close)`: the function the name is bound to runs at unmount.
        let mut unmount = self.unmount_callbacks;
        for start in &self.unmount_names {
            let binding =
                reference_at
                    .get(start)
                    .and_then(|r| match self.references[r.index()].resolution {
                        Resolution::Binding(b) => Some(b),
                        _ => None,
                    });
            unmount.extend(
                self.function_bindings
                    .iter()
                    .filter(|(_, b)| Some(*b) == binding)
                    .map(|(scope, _)| self.scopes[scope.index()].span),
            );
        }
        let (guarded, guarded_per_object) =
            lifetime::guarded_regions(self.text, &self.guards, &self.assignments, |lo| {
                let reference = reference_at.get(&lo)?;
                match self.references[reference.index()].resolution {
                    Resolution::Binding(b) if bindings[b.index()].kind == BindingKind::Param => {
                        Some(b)
                    }
                    _ => None,
                }
            });
        let lifetimes = Lifetimes {
            unmount: lifetime::Regions::new(unmount),
            mount: lifetime::Regions::new(self.mount_callbacks),
            component_options: lifetime::Regions::new(self.component_options),
            instance_scopes: self.instance_scopes,
            this_aliases: self
                .this_aliases
                .into_iter()
                .filter(|&alias| {
                    let references = &self.references;
                    uses.of(alias)
                        .iter()
                        .all(|r| !references[r.index()].access.is_write())
                })
                .collect(),
            effects: lifetime::Regions::new(self.effects),
            never_run: lifetime::Regions::new(never_run),
            injected: self.injected,
            guarded,
            guarded_per_object,
            dropped: self.dropped,
            created: lifetime::created_collections(self.inits, &reference_at, &self.references),
        };
        let handlers = frequency::find_handlers(
            self.handler_sites,
            &self.scopes,
            &scopes_by_start,
            &function_of,
            |lo| {
                reference_at
                    .get(&lo)
                    .map(|r| self.references[r.index()].resolution)
            },
        );
        let frequency = frequency::Frequency {
            handlers,
            names: self.function_names,
        };
        let scope_starts = scopes_by_start
            .iter()
            .map(|id| self.scopes[id.index()].span.lo)
            .collect();
        Semantic {
            text: self.text,
            owners: super::Owners::new(&self.owners, &self.bindings),
            frequency,
            wrappers: Default::default(),
            calls_by_callee: Default::default(),
            declarators_by_name: Default::default(),
            whole_uses: Default::default(),
            key_facts: Default::default(),
            has_lifecycle_hooks: Default::default(),
            closure_lifetimes: Default::default(),
            written_per_call: Default::default(),
            callee_names: Default::default(),
            calls_by_span: Default::default(),
            receiver_tests: Default::default(),
            in_unmount_hook: Default::default(),
            reruns: Default::default(),
            replaced_members: Default::default(),
            member_writes: Default::default(),
            member_uses: Default::default(),
            unmount_facts: Default::default(),
            emitter_classes: Default::default(),
            uses,
            scopes: self.scopes,
            bindings: self.bindings,
            references: self.references,
            reference_at,
            binding_at: self.binding_at,
            scope_starts,
            scopes_by_start,
            lifetimes,
            nodes: self.nodes,
            statements: Nesting {
                spans: self.statements,
            },
            blocks: Nesting { spans: self.blocks },
        }
    }

    /// `function X() { this.a = … }` with `X.prototype.m = function () { this.a … }`: both
    /// `this` are instances of `X`, like a class's constructor and methods.
    fn resolve_prototype_methods(
        &mut self,
        scopes_by_start: &[ScopeId],
        function_of: &FxHashMap<BindingId, ScopeId>,
    ) {
        let mut known: rustc_hash::FxHashSet<(ScopeId, BindingId)> =
            if self.prototype_methods.is_empty() {
                Default::default()
            } else {
                self.owners.iter().copied().collect()
            };
        for (name, start, from) in std::mem::take(&mut self.prototype_methods) {
            let binding = std::iter::successors(Some(from), |s| self.scopes[s.index()].parent)
                .find_map(|s| self.scopes[s.index()].bindings.get(&name).copied());
            let Some(constructor) =
                binding.and_then(|b| function_of.get(&b).map(|&scope| (scope, b)))
            else {
                continue;
            };
            let Some(method) = frequency::scope_starting_at(&self.scopes, scopes_by_start, start)
            else {
                continue;
            };
            let owner = constructor.0;
            self.scopes[owner.index()].this = ThisValue::Instance(owner);
            self.scopes[method.index()].this = ThisValue::Instance(owner);
            if known.insert(constructor) {
                self.owners.push(constructor);
            }
        }
        // Scopes that take `this` from their parent take the new one (creation order puts
        // parents first).
        for i in 1..self.scopes.len() {
            let inherits = !matches!(
                self.scopes[i].kind,
                ScopeKind::Function | ScopeKind::StaticBlock | ScopeKind::ClassFieldInit
            );
            if inherits {
                let parent = self.scopes[i]
                    .parent
                    .expect("only the program has no parent");
                self.scopes[i].this = self.scopes[parent.index()].this;
            }
        }
    }

    fn record(&mut self, node: Node<'a>) {
        self.nodes.push(node);
    }

    /// Runs `f` inside a statement or block that `list` records, so that what `f` records
    /// knows it is inside.
    fn nested(&mut self, span: Span, is_block: bool, f: impl FnOnce(&mut Self)) {
        let (list, open) = if is_block {
            (&mut self.blocks, &mut self.open_block)
        } else {
            (&mut self.statements, &mut self.open_statement)
        };
        let parent = *open;
        *open = list.len() as u32;
        list.push((span, parent));
        f(self);
        if is_block {
            self.open_block = parent;
        } else {
            self.open_statement = parent;
        }
    }

    /// A member expression used as `role`: recorded when its object is a name or `this`.
    fn member(&mut self, member: &MemberExpr, role: Role) {
        if matches!(unwrap(&member.obj), Expr::Ident(_) | Expr::This(_)) {
            self.record(Node::Member(in_program(member), role));
        }
        if let MemberProp::Ident(prop) = &member.prop {
            if prop.sym.starts_with('_') {
                self.run_once.private_uses.insert(prop.sym.clone());
            } else if &*prop.sym == "argv"
                && matches!(unwrap(&member.obj), Expr::Ident(id) if id.sym == "process")
            {
                let scope = self.var_scope();
                self.run_once.argv_readers.push(scope);
            }
        }
        self.visit_as(&member.obj, Role::Object);
        member.prop.visit_with(self);
    }

    fn resolve(&self, reference: &Reference) -> Resolution {
        let mut id = Some(reference.scope);
        while let Some(scope_id) = id {
            let scope = &self.scopes[scope_id.index()];
            if let Some(&binding) = scope.bindings.get(&reference.name) {
                return Resolution::Binding(binding);
            }
            if scope.dynamic {
                return Resolution::Unknown;
            }
            id = scope.parent;
        }
        Resolution::Unresolved
    }

    fn scope(&self) -> &Scope {
        &self.scopes[self.current.index()]
    }

    fn enter(&mut self, kind: ScopeKind, span: Span) -> ScopeId {
        let iife = matches!(kind, ScopeKind::Function | ScopeKind::Arrow)
            && self.iife_start.take() == Some(span.lo);
        let once = matches!(kind, ScopeKind::Function | ScopeKind::Arrow)
            && self.once_starts.last() == Some(&span.lo);
        if once {
            self.once_starts.pop();
        }
        if let Some((start, binding)) = self.pending_function_binding {
            if start == span.lo && matches!(kind, ScopeKind::Function | ScopeKind::Arrow) {
                self.function_bindings
                    .push((ScopeId(self.scopes.len() as u32), binding));
                self.pending_function_binding = None;
            }
        }
        let parent = self.scope();
        let own_runs_many = match kind {
            ScopeKind::Function | ScopeKind::Arrow if !iife && !once => Some(true),
            ScopeKind::ClassFieldInit => Some(true),
            _ => None,
        };
        let runs_many = own_runs_many.unwrap_or(parent.runs_many);
        let strict = parent.strict || kind == ScopeKind::Class;
        let parent_this = parent.this;
        let this = match kind {
            ScopeKind::Function => self.next_this.take().unwrap_or(ThisValue::Unknown),
            ScopeKind::StaticBlock | ScopeKind::ClassFieldInit => {
                self.next_this.take().unwrap_or(parent_this)
            }
            _ => parent_this,
        };
        let id = ScopeId(self.scopes.len() as u32);
        self.scopes.push(Scope {
            kind,
            parent: Some(self.current),
            span,
            strict,
            runs_many,
            own_runs_many,
            dynamic: kind == ScopeKind::With,
            this,
            iife,
            bindings: FxHashMap::default(),
        });
        self.current = id;
        id
    }

    fn leave(&mut self, previous: ScopeId) {
        self.current = previous;
    }

    /// Runs `f` in a new scope of `kind`.
    fn scoped(&mut self, kind: ScopeKind, span: Span, f: impl FnOnce(&mut Self)) {
        let previous = self.current;
        self.enter(kind, span);
        f(self);
        self.leave(previous);
    }

    /// The scope `var` declarations go to: the nearest function, namespace or the program.
    fn var_scope(&self) -> ScopeId {
        let mut id = self.current;
        loop {
            let scope = &self.scopes[id.index()];
            match (scope.kind, scope.parent) {
                (ScopeKind::Function | ScopeKind::Arrow | ScopeKind::TsModule, _)
                | (ScopeKind::StaticBlock | ScopeKind::ClassFieldInit, _)
                | (_, None) => return id,
                (_, Some(parent)) => id = parent,
            }
        }
    }

    pub(super) fn declare_in(
        &mut self,
        scope: ScopeId,
        name: Atom,
        kind: BindingKind,
        span: Span,
    ) -> BindingId {
        let next = BindingId(self.bindings.len() as u32);
        // A redeclaration (`var x; var x;`) keeps the first binding.
        let id = *self.scopes[scope.index()]
            .bindings
            .entry(name.clone())
            .or_insert(next);
        if id == next {
            self.bindings.push(Binding {
                name,
                kind,
                scope,
                span,
                exported: false,
            });
        }
        if !span.is_dummy() {
            self.binding_at.insert(span.lo, id);
        }
        id
    }

    fn declare(&mut self, ident: &Ident, kind: BindingKind) -> BindingId {
        let scope = match kind {
            BindingKind::Var | BindingKind::Ambient => self.var_scope(),
            _ => self.current,
        };
        self.declare_in(scope, ident.sym.clone(), kind, ident.span)
    }

    fn reference(&mut self, ident: &Ident, access: Access) {
        let role = if access == Access::Read {
            Role::Escapes
        } else {
            Role::Assigned
        };
        self.reference_as(ident, access, role);
    }

    fn reference_as(&mut self, ident: &Ident, access: Access, role: Role) {
        self.references.push(Reference {
            name: ident.sym.clone(),
            span: ident.span,
            scope: self.current,
            access,
            resolution: Resolution::Unresolved,
            in_typeof: false,
            is_callee: false,
            role,
        });
    }

    /// Visits an expression whose value the expression around it uses as `role`.
    fn visit_as(&mut self, expr: &Expr, role: Role) {
        match unwrap(expr) {
            Expr::Ident(ident) => self.reference_as(ident, Access::Read, role),
            Expr::Member(member) => {
                // The wrappers around it (`(a.b as T)`) hold no names.
                self.member(member, role)
            }
            _ => expr.visit_with(self),
        }
    }

    /// Visits a statement list (a block or a function body), noting the run-once guard it may
    /// hold: `if (done) return;` followed by statements that set `done`.
    fn statements(&mut self, stmts: &[Stmt], span: Span) {
        let group = self.guard_groups;
        let mut candidates = false;
        for (i, stmt) in stmts.iter().enumerate() {
            if let (Some(flag), Some(next)) = (early_return_flag(stmt), stmts.get(i + 1)) {
                self.guards.push(GuardCandidate {
                    flag: flag.span(),
                    assigned_within: Span::new(next.span().lo, span.hi),
                    region: Span::new(stmt.span().lo, span.hi),
                    group: Some(group),
                    root: lifetime::flag_root(flag),
                });
                candidates = true;
            }
        }
        if candidates {
            self.guard_groups += 1;
        }
        self.nested(span, true, |this| stmts.visit_with(this));
    }

    /// Declares every name a binding pattern introduces and visits its default values.
    fn declare_pat(&mut self, pat: &Pat, kind: BindingKind) {
        match pat {
            Pat::Ident(binding) => {
                self.declare(&binding.id, kind);
            }
            Pat::Array(array) => {
                for element in array.elems.iter().flatten() {
                    self.declare_pat(element, kind);
                }
            }
            Pat::Object(object) => {
                for prop in &object.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => {
                            kv.key.visit_with(self);
                            match (&*kv.value, static_prop_name(&kv.key)) {
                                // `function start({ startSession: startServer })`.
                                (Pat::Ident(local), Some(key)) if kind == BindingKind::Param => {
                                    let id = self.declare(&local.id, kind);
                                    self.run_once.keyed_params.push((key, id));
                                }
                                _ => self.declare_pat(&kv.value, kind),
                            }
                        }
                        ObjectPatProp::Assign(assign) => {
                            let id = self.declare(&assign.key.id, kind);
                            if kind == BindingKind::Param {
                                self.run_once
                                    .keyed_params
                                    .push((assign.key.sym.clone(), id));
                            }
                            assign.value.visit_with(self);
                        }
                        ObjectPatProp::Rest(rest) => self.declare_pat(&rest.arg, kind),
                    }
                }
            }
            Pat::Rest(rest) => self.declare_pat(&rest.arg, kind),
            Pat::Assign(assign) => {
                self.declare_pat(&assign.left, kind);
                assign.right.visit_with(self);
            }
            Pat::Expr(expr) => self.assign_expr_target(expr, Access::Write),
            Pat::Invalid(_) => {}
        }
    }

    /// Records the writes of an assignment pattern (`[a, b] = …`, `for (x of …)`).
    fn assign_pat(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(binding) => self.reference(&binding.id, Access::Write),
            Pat::Array(array) => {
                for element in array.elems.iter().flatten() {
                    self.assign_pat(element);
                }
            }
            Pat::Object(object) => self.assign_object_pat(object),
            Pat::Rest(rest) => self.assign_pat(&rest.arg),
            Pat::Assign(assign) => {
                self.assign_pat(&assign.left);
                assign.right.visit_with(self);
            }
            Pat::Expr(expr) => self.assign_expr_target(expr, Access::Write),
            Pat::Invalid(_) => {}
        }
    }

    fn assign_object_pat(&mut self, object: &ObjectPat) {
        for prop in &object.props {
            match prop {
                ObjectPatProp::KeyValue(kv) => {
                    kv.key.visit_with(self);
                    self.assign_pat(&kv.value);
                }
                ObjectPatProp::Assign(assign) => {
                    self.reference(&assign.key.id, Access::Write);
                    assign.value.visit_with(self);
                }
                ObjectPatProp::Rest(rest) => self.assign_pat(&rest.arg),
            }
        }
    }

    /// An expression in assignment-target position: a bare (maybe parenthesized or
    /// type-asserted) name is written; anything else (`a.b`) is evaluated.
    fn assign_expr_target(&mut self, expr: &Expr, access: Access) {
        match expr {
            Expr::Ident(ident) => self.reference(ident, access),
            Expr::Paren(paren) => self.assign_expr_target(&paren.expr, access),
            Expr::TsAs(e) => self.assign_expr_target(&e.expr, access),
            Expr::TsNonNull(e) => self.assign_expr_target(&e.expr, access),
            Expr::TsSatisfies(e) => self.assign_expr_target(&e.expr, access),
            Expr::TsTypeAssertion(e) => self.assign_expr_target(&e.expr, access),
            other => other.visit_with(self),
        }
    }

    fn declare_var_decl(&mut self, decl: &VarDecl) {
        let kind = if decl.declare {
            BindingKind::Ambient
        } else {
            match decl.kind {
                VarDeclKind::Var => BindingKind::Var,
                VarDeclKind::Let => BindingKind::Let,
                VarDeclKind::Const => BindingKind::Const,
            }
        };
        for declarator in &decl.decls {
            self.record(Node::VarDeclarator(in_program(declarator)));
            self.declare_pat(&declarator.name, kind);
            if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init) {
                let declared = self.binding_at.get(&name.id.span.lo).copied();
                // `var Query = module.exports = function () {…}` names the function too.
                let mut init = &**init;
                while let Expr::Assign(assign) = unwrap_parens(init) {
                    init = &assign.right;
                }
                let start = match unwrap_parens(init) {
                    Expr::Fn(f) => Some(f.function.span.lo),
                    Expr::Arrow(a) => Some(a.span.lo),
                    _ => None,
                };
                if let Some(start) = start {
                    self.function_names.push((start, name.id.sym.clone()));
                }
                if let (Some(start), Some(binding)) = (start, declared) {
                    self.pending_function_binding = Some((start, binding));
                    self.named_functions
                        .push((binding, unwrap_parens(init).span()));
                }
                if let (Some(shape), Some(binding)) = (lifetime::init_shape(init), declared) {
                    self.inits.push((binding, shape));
                }
                // `const Adapter = class Adapter extends Base {}`: instances of the class are
                // made through the name.
                if let (Expr::Class(class), Some(&binding)) =
                    (unwrap_parens(init), self.binding_at.get(&name.id.span.lo))
                {
                    self.pending_class_binding = Some((class.class.span.lo, binding));
                }
                // `const that = this` (or `self`, `_this`): the same object under another name.
                if let (Expr::This(_), Some(binding)) = (unwrap_parens(init), declared) {
                    self.this_aliases.push(binding);
                }
            }
            declarator.init.visit_with(self);
        }
    }

    /// Notes that the function `expr` is (if it is one) runs as often as the code around it.
    fn hand_over_once(&mut self, expr: &Expr) {
        if let Some(start) = function_start(expr) {
            self.once_starts.push(start);
        }
    }

    fn name_function(&mut self, key: &PropName, start: BytePos) {
        let name = match key {
            PropName::Ident(ident) => ident.sym.clone(),
            PropName::Str(s) => s.value.to_atom_lossy().into_owned(),
            _ => return,
        };
        self.function_names.push((start, name));
    }

    fn function(&mut self, function: &Function, name: Option<&Ident>) {
        self.record(Node::Function(FunctionNode::Function(in_program(function))));
        function.decorators.visit_with(self);
        self.scoped(ScopeKind::Function, function.span, |this| {
            if let Some(name) = name {
                this.declare(name, BindingKind::ExpressionName);
            }
            this.declare_in(
                this.current,
                "arguments".into(),
                BindingKind::Arguments,
                DUMMY_SP,
            );
            if let Some(body) = &function.body {
                if has_use_strict(&body.stmts) {
                    this.scopes[this.current.index()].strict = true;
                }
            }
            for param in &function.params {
                param.decorators.visit_with(this);
                this.declare_pat(&param.pat, BindingKind::Param);
            }
            if let Some(body) = &function.body {
                this.statements(&body.stmts, body.span);
            }
        });
    }

    /// `declared` is the binding of a class declaration: `this` in its static members.
    fn class(&mut self, class: &Class, name: Option<&Ident>, declared: Option<BindingId>) {
        class.decorators.visit_with(self);
        self.scoped(ScopeKind::Class, class.span, |this| {
            if let Some(declared) = declared {
                this.owners.push((this.current, declared));
            }
            if let Some(name) = name {
                this.declare(name, BindingKind::ExpressionName);
            }
            class.super_class.visit_with(this);
            let class_scope = this.current;
            for name in injected_members(class) {
                this.injected.push((class_scope, name));
            }
            for member in &class.body {
                let this_value = match (member_is_static(member), declared) {
                    (true, Some(class)) => ThisValue::Class(class),
                    (true, None) => ThisValue::Unknown,
                    (false, _) => ThisValue::Instance(class_scope),
                };
                this.next_this = Some(this_value);
                this.class_member(member);
                this.next_this = None;
            }
        });
    }

    fn class_member(&mut self, member: &ClassMember) {
        match member {
            ClassMember::Constructor(ctor) => {
                self.name_function(&ctor.key, ctor.span.lo);
                ctor.key.visit_with(self);
                self.scoped(ScopeKind::Function, ctor.span, |this| {
                    this.declare_in(
                        this.current,
                        "arguments".into(),
                        BindingKind::Arguments,
                        DUMMY_SP,
                    );
                    for param in &ctor.params {
                        match param {
                            ParamOrTsParamProp::Param(param) => {
                                param.decorators.visit_with(this);
                                this.declare_pat(&param.pat, BindingKind::Param);
                            }
                            ParamOrTsParamProp::TsParamProp(prop) => {
                                prop.decorators.visit_with(this);
                                match &prop.param {
                                    TsParamPropParam::Ident(id) => {
                                        this.declare(&id.id, BindingKind::Param);
                                    }
                                    TsParamPropParam::Assign(assign) => {
                                        this.declare_pat(&assign.left, BindingKind::Param);
                                        assign.right.visit_with(this);
                                    }
                                }
                            }
                        }
                    }
                    if let Some(body) = &ctor.body {
                        this.statements(&body.stmts, body.span);
                    }
                });
            }
            ClassMember::Method(method) => {
                self.name_function(&method.key, method.function.span.lo);
                let this = self.next_this.take();
                method.key.visit_with(self);
                self.next_this = this;
                self.function(&method.function, None);
            }
            ClassMember::PrivateMethod(method) => self.function(&method.function, None),
            ClassMember::ClassProp(prop) => {
                let this = self.next_this.take();
                prop.decorators.visit_with(self);
                prop.key.visit_with(self);
                self.next_this = this;
                self.field_value(prop.value.as_deref(), prop.is_static);
            }
            ClassMember::PrivateProp(prop) => {
                let this = self.next_this.take();
                prop.decorators.visit_with(self);
                self.next_this = this;
                self.field_value(prop.value.as_deref(), prop.is_static);
            }
            ClassMember::AutoAccessor(accessor) => {
                let this = self.next_this.take();
                accessor.decorators.visit_with(self);
                self.next_this = this;
                self.field_value(accessor.value.as_deref(), accessor.is_static);
            }
            ClassMember::StaticBlock(block) => {
                self.scoped(ScopeKind::StaticBlock, block.span, |this| {
                    this.statements(&block.body.stmts, block.body.span)
                });
            }
            ClassMember::TsIndexSignature(_) | ClassMember::Empty(_) => {}
        }
    }

    fn field_value(&mut self, value: Option<&Expr>, is_static: bool) {
        let Some(value) = value else {
            self.next_this = None;
            return;
        };
        let kind = if is_static {
            ScopeKind::StaticBlock
        } else {
            ScopeKind::ClassFieldInit
        };
        self.scoped(kind, value.span(), |this| value.visit_with(this));
    }

    /// `declare global { var x: T }` adds globals: its declarations bind in the program scope.
    fn declare_global_block(&mut self, block: &TsModuleBlock) {
        let previous = self.current;
        self.current = ScopeId(0);
        for item in &block.body {
            let decl = match item {
                ModuleItem::Stmt(Stmt::Decl(decl)) => decl,
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => &export.decl,
                _ => continue,
            };
            match decl {
                Decl::Var(var) => {
                    for declarator in &var.decls {
                        self.declare_pat(&declarator.name, BindingKind::Ambient);
                    }
                }
                Decl::Fn(f) => {
                    self.declare(&f.ident, BindingKind::Ambient);
                }
                Decl::Class(c) => {
                    self.declare(&c.ident, BindingKind::Ambient);
                }
                Decl::TsEnum(e) => {
                    self.declare(&e.id, BindingKind::Ambient);
                }
                Decl::TsModule(m) => {
                    if let TsModuleName::Ident(id) = &m.id {
                        self.declare(id, BindingKind::Ambient);
                    }
                }
                _ => {}
            }
        }
        self.current = previous;
    }

    /// Marks the scopes up to the enclosing function as dynamic: a direct `eval` there can read,
    /// write and (in sloppy code) declare any name.
    /// A component file's module: the statements of a per-instance block go into a function
    /// scope of their own (one per block), which runs many times; imports and exports stay the
    /// module's. The template reads what the block declares, as if the block's function returned
    /// all of it, as the frameworks compile it.
    fn component_module(&mut self, module: &Module) {
        let mut instances: Vec<Option<ScopeId>> = vec![None; self.per_instance.len()];
        for item in &module.body {
            let block = self
                .per_instance
                .iter()
                .position(|span| span.lo <= item.span().lo && item.span().hi <= span.hi);
            self.current = ScopeId(0);
            if let (ModuleItem::Stmt(_), Some(block)) = (item, block) {
                self.current = match instances[block] {
                    Some(scope) => scope,
                    None => {
                        let span = self.per_instance[block];
                        let scope = self.enter(ScopeKind::Function, span);
                        // What the frameworks compile the block to: Vue's `setup()`.
                        self.function_names.push((span.lo, "setup".into()));
                        instances[block] = Some(scope);
                        scope
                    }
                };
            }
            item.visit_with(self);
        }
        self.current = ScopeId(0);
        self.instance_scopes = instances.iter().flatten().copied().collect();
        for scope in instances.into_iter().flatten() {
            for binding in self.scopes[scope.index()].bindings.values() {
                self.bindings[binding.index()].exported = true;
            }
        }
    }

    fn mark_eval(&mut self) {
        let var_scope = self.var_scope();
        let mut id = self.current;
        loop {
            self.scopes[id.index()].dynamic = true;
            if id == var_scope {
                break;
            }
            match self.scopes[id.index()].parent {
                Some(parent) => id = parent,
                None => break,
            }
        }
    }
}

fn member_is_static(member: &ClassMember) -> bool {
    match member {
        ClassMember::Method(m) => m.is_static,
        ClassMember::PrivateMethod(m) => m.is_static,
        ClassMember::ClassProp(p) => p.is_static,
        ClassMember::PrivateProp(p) => p.is_static,
        ClassMember::AutoAccessor(a) => a.is_static,
        ClassMember::StaticBlock(_) => true,
        _ => false,
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

/// What the injector fills in an Angular component (a class with one of Angular's lifecycle
/// hooks): its constructor's parameter properties and the fields initialized with `inject(…)`.
fn injected_members(class: &Class) -> Vec<Atom> {
    let key = |key: &PropName| match key {
        PropName::Ident(name) => Some(name.sym.clone()),
        _ => None,
    };
    let angular = class.body.iter().any(|member| {
        matches!(member, ClassMember::Method(m)
            if key(&m.key).is_some_and(|name| super::lifecycle::is_angular_hook(&name)))
    });
    if !angular {
        return Vec::new();
    }
    // A service the component provides itself is created and destroyed with it.
    let own = own_providers(class);
    let type_name = |ann: &Option<Box<TsTypeAnn>>| match ann.as_deref().map(|a| &*a.type_ann) {
        Some(TsType::TsTypeRef(TsTypeRef {
            type_name: TsEntityName::Ident(name),
            ..
        })) => Some(name.sym.clone()),
        _ => None,
    };
    let mut names = Vec::new();
    for member in &class.body {
        match member {
            ClassMember::Constructor(ctor) => {
                for param in &ctor.params {
                    if let ParamOrTsParamProp::TsParamProp(prop) = param {
                        if let TsParamPropParam::Ident(id) = &prop.param {
                            if !type_name(&id.type_ann).is_some_and(|t| own.contains(&t)) {
                                names.push(id.id.sym.clone());
                            }
                        }
                    }
                }
            }
            ClassMember::ClassProp(prop) => {
                let injected = prop.value.as_deref().and_then(|value| match unwrap_parens(value) {
                    Expr::Call(call) => match &call.callee {
                        Callee::Expr(callee) if matches!(&**callee, Expr::Ident(f) if f.sym == "inject") => {
                            Some(match call.args.first().map(|a| unwrap_parens(&a.expr)) {
                                Some(Expr::Ident(service)) => Some(service.sym.clone()),
                                _ => None,
                            })
                        }
                        _ => None,
                    },
                    _ => None,
                });
                let own_service = matches!(&injected, Some(Some(t)) if own.contains(t));
                if let (Some(_), false, Some(name)) = (&injected, own_service, key(&prop.key)) {
                    names.push(name);
                }
            }
            _ => {}
        }
    }
    names
}

/// `{ data() {…}, watch: {…}, methods: {…}, mounted() {…} }`: the options of a Vue component or
/// mixin, or of a `createReactClass` component: a lifecycle hook among its keys, or two of
/// `data`, `props`, `computed`, `watch`, `methods`, `render`, `getInitialState`,
/// `getDefaultProps`, `propTypes` and `mixins`.
fn is_component_options(object: &ObjectLit) -> bool {
    let keys = object.props.iter().filter_map(|prop| match prop {
        PropOrSpread::Prop(prop) => match &**prop {
            Prop::KeyValue(kv) => Some(&kv.key),
            Prop::Method(m) => Some(&m.key),
            Prop::Shorthand(_) => None,
            _ => None,
        },
        PropOrSpread::Spread(_) => None,
    });
    let mut options = 0;
    for key in keys {
        let PropName::Ident(name) = key else { continue };
        let name: &str = &name.sym;
        // Vue's `setup()` (a factory's `{ setup, reset }` names functions declared elsewhere).
        if super::lifecycle::is_mount_hook(name)
            || super::lifecycle::is_unmount_hook(name)
            || name == "setup"
        {
            return true;
        }
        let vue = matches!(name, "data" | "props" | "computed" | "watch" | "methods");
        let create_class = matches!(
            name,
            "render" | "getInitialState" | "getDefaultProps" | "propTypes" | "mixins"
        );
        if vue || create_class {
            options += 1;
        }
    }
    options >= 2
}

/// `x.onDestroy(cb)` where `x` is Angular's `DestroyRef`: a member or name that says so
/// (`this.destroyRef`, `destroyRef`), or `inject(DestroyRef)` itself. `onDestroy` alone is too
/// common a method name to count.
fn destroy_ref_on_destroy(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(member) = unwrap(callee) else {
        return false;
    };
    if !matches!(&member.prop, MemberProp::Ident(p) if p.sym == "onDestroy") {
        return false;
    }
    let names_it = |name: &str| name.to_ascii_lowercase().contains("destroyref");
    match unwrap(&member.obj) {
        Expr::Ident(ident) => names_it(&ident.sym),
        Expr::Member(inner) => matches!(&inner.prop, MemberProp::Ident(p) if names_it(&p.sym)),
        Expr::Call(inject) => {
            lifetime::callee_ident(inject).is_some_and(|c| c.sym == "inject")
                && inject.args.first().is_some_and(
                    |a| matches!(unwrap(&a.expr), Expr::Ident(t) if t.sym == "DestroyRef"),
                )
        }
        _ => false,
    }
}

/// The services a component's decorator provides for it (`@Component({ providers: [Svc] })`,
/// also `viewProviders` and `{ provide: Svc, … }`): each instance gets its own.
fn own_providers(class: &Class) -> Vec<Atom> {
    let mut names = Vec::new();
    for decorator in &class.decorators {
        let Expr::Call(call) = unwrap_parens(&decorator.expr) else {
            continue;
        };
        let Some(Expr::Object(options)) = call.args.first().map(|a| unwrap_parens(&a.expr)) else {
            continue;
        };
        for prop in &options.props {
            let PropOrSpread::Prop(prop) = prop else {
                continue;
            };
            let Prop::KeyValue(kv) = &**prop else {
                continue;
            };
            let listed = matches!(&kv.key, PropName::Ident(k) if k.sym == "providers" || k.sym == "viewProviders");
            let (true, Expr::Array(array)) = (listed, unwrap_parens(&kv.value)) else {
                continue;
            };
            for element in array.elems.iter().flatten() {
                match unwrap_parens(&element.expr) {
                    Expr::Ident(service) => names.push(service.sym.clone()),
                    Expr::Object(provider) => names.extend(provider.props.iter().filter_map(|p| {
                        let PropOrSpread::Prop(p) = p else {
                            return None;
                        };
                        let Prop::KeyValue(kv) = &**p else {
                            return None;
                        };
                        match (&kv.key, unwrap_parens(&kv.value)) {
                            (PropName::Ident(k), Expr::Ident(v)) if k.sym == "provide" => {
                                Some(v.sym.clone())
                            }
                            _ => None,
                        }
                    })),
                    _ => {}
                }
            }
        }
    }
    names
}

/// The call an expression statement (or the right side of `a && call()` as one) evaluates and
/// drops.
fn dropped_call(expr: &Expr) -> Option<&CallExpr> {
    match unwrap(expr) {
        Expr::Call(call) => Some(call),
        _ => None,
    }
}

fn unwrap_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(paren) => unwrap_parens(&paren.expr),
        other => other,
    }
}

/// The function or arrow an expression calls in place: `(function () {})()`,
/// `(() => {})()`, `(function () {}).call(this)`.
/// Calls that run a callback as often as the code that makes them: a promise's reactions,
/// one-shot timers and listeners run at most once per call, and an array's iteration methods
/// once per item, like the body of a loop there. (The piling up of `once` listeners that never
/// fire is the listener rules' concern; the callback's own code runs at most once each time.)
fn runs_callback_inline(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let name = match unwrap(callee) {
        Expr::Ident(id) => &id.sym,
        Expr::Member(MemberExpr {
            prop: MemberProp::Ident(prop),
            ..
        }) => &prop.sym,
        _ => return false,
    };
    matches!(
        &**name,
        "then"
            | "catch"
            | "finally"
            | "once"
            | "setTimeout"
            | "setImmediate"
            | "nextTick"
            | "queueMicrotask"
            | "forEach"
            | "map"
            | "filter"
            | "some"
            | "every"
            | "find"
            | "findIndex"
            | "flatMap"
            | "reduce"
    )
}

fn iife_callee(callee: &Expr) -> Option<BytePos> {
    match unwrap_parens(callee) {
        Expr::Fn(f) => Some(f.function.span.lo),
        Expr::Arrow(a) => Some(a.span.lo),
        Expr::Member(MemberExpr {
            obj,
            prop: MemberProp::Ident(prop),
            ..
        }) if prop.sym == "call" || prop.sym == "apply" => match unwrap_parens(obj) {
            Expr::Fn(f) => Some(f.function.span.lo),
            Expr::Arrow(a) => Some(a.span.lo),
            _ => None,
        },
        _ => None,
    }
}

impl Visit for Builder<'_> {
    fn visit_module(&mut self, module: &Module) {
        if self.per_instance.is_empty() {
            module.body.visit_with(self);
        } else {
            self.component_module(module);
        }
    }

    fn visit_script(&mut self, script: &Script) {
        script.body.visit_with(self);
    }

    fn visit_ident(&mut self, ident: &Ident) {
        self.reference(ident, Access::Read);
    }

    // Type annotations, interfaces and type aliases hold no value references that matter to a
    // leak: a type-only name is not a value.
    fn visit_ts_type(&mut self, _: &TsType) {}
    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}
    fn visit_ts_type_param_decl(&mut self, _: &TsTypeParamDecl) {}
    fn visit_ts_type_param_instantiation(&mut self, _: &TsTypeParamInstantiation) {}
    fn visit_ts_interface_decl(&mut self, _: &TsInterfaceDecl) {}
    fn visit_ts_type_alias_decl(&mut self, _: &TsTypeAliasDecl) {}
    fn visit_ts_expr_with_type_args(&mut self, _: &TsExprWithTypeArgs) {}
    fn visit_ts_namespace_export_decl(&mut self, _: &TsNamespaceExportDecl) {}
    fn visit_ts_index_signature(&mut self, _: &TsIndexSignature) {}

    fn visit_pat(&mut self, pat: &Pat) {
        // Patterns are handled where they occur; a stray one declares rather than writes, so
        // that a case missed here can never produce a false implicit global.
        self.declare_pat(pat, BindingKind::Var);
    }

    fn visit_var_decl(&mut self, decl: &VarDecl) {
        self.declare_var_decl(decl);
    }

    fn visit_using_decl(&mut self, decl: &UsingDecl) {
        for declarator in &decl.decls {
            self.record(Node::VarDeclarator(in_program(declarator)));
            self.declare_pat(&declarator.name, BindingKind::Using);
            declarator.init.visit_with(self);
        }
    }

    fn visit_fn_decl(&mut self, decl: &FnDecl) {
        let kind = if decl.declare {
            BindingKind::Ambient
        } else {
            BindingKind::Function
        };
        let binding = self.declare(&decl.ident, kind);
        // Annex B: in sloppy code a function declared in a block is also a `var` of the
        // enclosing function.
        if !self.scope().strict && self.var_scope() != self.current {
            let var_scope = self.var_scope();
            self.declare_in(var_scope, decl.ident.sym.clone(), kind, decl.ident.span);
        }
        self.pending_function_binding = Some((decl.function.span.lo, binding));
        self.function_names
            .push((decl.function.span.lo, decl.ident.sym.clone()));
        self.record(Node::Function(FunctionNode::Declaration(in_program(decl))));
        self.function(&decl.function, None);
    }

    fn visit_fn_expr(&mut self, expr: &FnExpr) {
        if let Some(ident) = &expr.ident {
            self.function_names
                .push((expr.function.span.lo, ident.sym.clone()));
        }
        self.function(&expr.function, expr.ident.as_ref());
    }

    fn visit_getter_prop(&mut self, prop: &GetterProp) {
        prop.key.visit_with(self);
        self.function(&prop.function, None);
    }

    fn visit_setter_prop(&mut self, prop: &SetterProp) {
        prop.key.visit_with(self);
        self.function(&prop.function, None);
    }

    fn visit_method_prop(&mut self, prop: &MethodProp) {
        self.name_function(&prop.key, prop.function.span.lo);
        prop.key.visit_with(self);
        self.function(&prop.function, None);
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        self.record(Node::Function(FunctionNode::Arrow(in_program(arrow))));
        self.scoped(ScopeKind::Arrow, arrow.span, |this| {
            if let ArrowFunctionBody::FunctionBody(body) = &*arrow.body {
                if has_use_strict(&body.stmts) {
                    this.scopes[this.current.index()].strict = true;
                }
            }
            for param in &arrow.params {
                this.declare_pat(param, BindingKind::Param);
            }
            match &*arrow.body {
                ArrowFunctionBody::FunctionBody(body) => this.statements(&body.stmts, body.span),
                ArrowFunctionBody::Expr(expr) => expr.visit_with(this),
            }
        });
    }

    fn visit_class_decl(&mut self, decl: &ClassDecl) {
        let kind = if decl.declare {
            BindingKind::Ambient
        } else {
            BindingKind::Class
        };
        self.record(Node::ClassDecl(in_program(decl)));
        let binding = self.declare(&decl.ident, kind);
        self.class(&decl.class, None, Some(binding));
    }

    fn visit_export_default_decl(&mut self, export: &ExportDefaultDecl) {
        // `export default function a() {}` declares `a` in the module scope.
        match &export.decl {
            DefaultDecl::Fn(f) => {
                if let Some(ident) = &f.ident {
                    let binding = self.declare(ident, BindingKind::Function);
                    self.bindings[binding.index()].exported = true;
                }
                self.function(&f.function, None);
            }
            DefaultDecl::Class(c) => {
                if let Some(ident) = &c.ident {
                    let binding = self.declare(ident, BindingKind::Class);
                    self.bindings[binding.index()].exported = true;
                }
                self.class(&c.class, None, None);
            }
            DefaultDecl::TsInterfaceDecl(_) => {}
        }
    }

    fn visit_class_expr(&mut self, expr: &ClassExpr) {
        let declared = self
            .pending_class_binding
            .take()
            .filter(|(start, _)| *start == expr.class.span.lo)
            .map(|(_, binding)| binding);
        self.class(&expr.class, expr.ident.as_ref(), declared);
    }

    fn visit_block_stmt(&mut self, block: &BlockStmt) {
        self.scoped(ScopeKind::Block, block.span, |this| {
            this.statements(&block.stmts, block.span)
        });
    }

    fn visit_catch_clause(&mut self, clause: &CatchClause) {
        self.scoped(ScopeKind::Catch, clause.span, |this| {
            if let Some(param) = &clause.param {
                this.declare_pat(param, BindingKind::CatchParam);
            }
            this.statements(&clause.body.stmts, clause.body.span);
        });
    }

    fn visit_for_stmt(&mut self, stmt: &ForStmt) {
        self.scoped(ScopeKind::For, stmt.span, |this| {
            stmt.init.visit_with(this);
            stmt.test.visit_with(this);
            stmt.update.visit_with(this);
            stmt.body.visit_with(this);
        });
    }

    fn visit_for_in_stmt(&mut self, stmt: &ForInStmt) {
        self.scoped(ScopeKind::For, stmt.span, |this| {
            this.for_head(&stmt.left);
            this.visit_as(&stmt.right, Role::Inspected);
            stmt.body.visit_with(this);
        });
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        self.scoped(ScopeKind::For, stmt.span, |this| {
            this.for_head(&stmt.left);
            this.visit_as(&stmt.right, Role::Inspected);
            stmt.body.visit_with(this);
        });
    }

    fn visit_switch_stmt(&mut self, stmt: &SwitchStmt) {
        stmt.discriminant.visit_with(self);
        self.scoped(ScopeKind::Switch, stmt.span, |this| {
            stmt.cases.visit_with(this)
        });
    }

    fn visit_with_stmt(&mut self, stmt: &WithStmt) {
        stmt.obj.visit_with(self);
        self.scoped(ScopeKind::With, stmt.span, |this| {
            stmt.body.visit_with(this)
        });
    }

    fn visit_labeled_stmt(&mut self, stmt: &LabeledStmt) {
        stmt.body.visit_with(self);
    }

    fn visit_break_stmt(&mut self, _: &BreakStmt) {}
    fn visit_continue_stmt(&mut self, _: &ContinueStmt) {}

    fn visit_object_lit(&mut self, object: &ObjectLit) {
        if is_component_options(object) {
            self.component_options.push(object.span);
        }
        object.visit_children_with(self);
    }

    fn visit_key_value_prop(&mut self, prop: &KeyValueProp) {
        if let Some(start) = function_start(&prop.value) {
            self.name_function(&prop.key, start);
        }
        prop.key.visit_with(self);
        let before = self.references.len();
        prop.value.visit_with(self);
        // `{ startSession: startNodeSession }`: a name handed over under a key.
        if let (Expr::Ident(_), Some(key)) = (unwrap(&prop.value), static_prop_name(&prop.key)) {
            if self.references.len() == before + 1 {
                self.run_once.keyed_values.push((key, before));
            }
        }
    }

    fn visit_assign_expr(&mut self, expr: &AssignExpr) {
        self.record(Node::Assign(in_program(expr)));
        if let Some((span, via)) = frequency::registered_by_assignment(self.text, expr) {
            self.handler_sites.push((span, via, true));
        }
        // `Foo.prototype.register = function () {}`, `exports.handler = () => {}`.
        if let (Some(start), AssignTarget::Simple(SimpleAssignTarget::Member(member))) =
            (function_start(&expr.right), &expr.left)
        {
            if let MemberProp::Ident(name) = &member.prop {
                self.function_names.push((start, name.sym.clone()));
            }
            // `X.prototype.m = function`: `this` in it is an instance of `X`.
            if let Expr::Member(proto) = unwrap(&member.obj) {
                let is_prototype =
                    matches!(&proto.prop, MemberProp::Ident(p) if &*p.sym == "prototype");
                if let (true, Expr::Ident(class)) = (is_prototype, unwrap(&proto.obj)) {
                    self.prototype_methods
                        .push((class.sym.clone(), start, self.current));
                }
            }
        }
        self.assignments.push(expr.left.span());
        let access = if expr.op == AssignOp::Assign {
            Access::Write
        } else {
            Access::ReadWrite
        };
        match &expr.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(binding)) => {
                self.reference(&binding.id, access)
            }
            AssignTarget::Simple(SimpleAssignTarget::Paren(paren)) => {
                self.assign_expr_target(&paren.expr, access)
            }
            AssignTarget::Simple(SimpleAssignTarget::TsAs(e)) => {
                self.assign_expr_target(&e.expr, access)
            }
            AssignTarget::Simple(SimpleAssignTarget::TsNonNull(e)) => {
                self.assign_expr_target(&e.expr, access)
            }
            AssignTarget::Simple(SimpleAssignTarget::TsSatisfies(e)) => {
                self.assign_expr_target(&e.expr, access)
            }
            AssignTarget::Simple(SimpleAssignTarget::TsTypeAssertion(e)) => {
                self.assign_expr_target(&e.expr, access)
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => {
                self.member(member, Role::Assigned)
            }
            AssignTarget::Simple(other) => other.visit_with(self),
            AssignTarget::Pat(AssignTargetPat::Array(array)) => {
                for element in array.elems.iter().flatten() {
                    self.assign_pat(element);
                }
            }
            AssignTarget::Pat(AssignTargetPat::Object(object)) => self.assign_object_pat(object),
            AssignTarget::Pat(AssignTargetPat::Invalid(_)) => {}
        }
        expr.right.visit_with(self);
    }

    fn visit_unary_expr(&mut self, expr: &UnaryExpr) {
        self.record(Node::Unary(in_program(expr)));
        match expr.op {
            UnaryOp::TypeOf => self.visit_as(&expr.arg, Role::Inspected),
            UnaryOp::Delete => self.visit_as(&expr.arg, Role::Deleted),
            _ => expr.arg.visit_with(self),
        }
        if expr.op == UnaryOp::TypeOf && unwrap_parens(&expr.arg).is_ident() {
            if let Some(reference) = self.references.last_mut() {
                reference.in_typeof = true;
            }
        }
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        self.member(member, Role::Escapes);
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        use BinaryOp::*;
        if matches!(
            bin.op,
            Lt | LtEq | Gt | GtEq | EqEq | EqEqEq | NotEq | NotEqEq
        ) {
            self.record(Node::Comparison(in_program(bin)));
        }
        let role = if compares(bin.op) {
            Role::Inspected
        } else {
            Role::Escapes
        };
        self.visit_as(&bin.left, role);
        self.visit_as(&bin.right, role);
    }

    fn visit_spread_element(&mut self, spread: &SpreadElement) {
        self.visit_as(&spread.expr, Role::Inspected);
    }

    fn visit_new_expr(&mut self, new: &NewExpr) {
        self.record(Node::New(in_program(new)));
        new.callee.visit_with(self);
        let role = constructor_argument_role(new);
        let executor = matches!(unwrap(&new.callee), Expr::Ident(id) if id.sym == "Promise");
        for arg in new.args.iter().flatten() {
            if executor {
                self.hand_over_once(&arg.expr);
            }
            self.visit_as(&arg.expr, role);
        }
    }

    fn visit_expr_stmt(&mut self, stmt: &ExprStmt) {
        if let Expr::Arrow(_) | Expr::Fn(_) = unwrap_parens(&stmt.expr) {
            self.discarded.push(unwrap_parens(&stmt.expr).span());
        }
        if let Some(call) = dropped_call(&stmt.expr) {
            self.dropped.push((call.span.lo, call.span.hi));
        }
        // `cond && emitter.on(…)` drops the result just the same.
        if let Expr::Bin(bin) = unwrap(&stmt.expr) {
            if matches!(bin.op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr) {
                if let Some(call) = dropped_call(&bin.right) {
                    self.dropped.push((call.span.lo, call.span.hi));
                }
            }
        }
        // `open ? add() : remove()`: both branches' results are dropped.
        if let Expr::Cond(cond) = unwrap(&stmt.expr) {
            for branch in [&cond.cons, &cond.alt] {
                if let Some(call) = dropped_call(branch) {
                    self.dropped.push((call.span.lo, call.span.hi));
                }
            }
        }
        self.nested(stmt.span, false, |this| stmt.expr.visit_with(this));
    }

    fn visit_if_stmt(&mut self, stmt: &IfStmt) {
        // `if (!installed) { installed = true; … }` runs its body once; so does
        // `if (!flushed && !paused) { paused = true; … }` while the flag stays set.
        let mut conjuncts = vec![unwrap(&stmt.test)];
        while let Some(test) = conjuncts.pop() {
            match test {
                Expr::Bin(bin) if bin.op == BinaryOp::LogicalAnd => {
                    conjuncts.push(unwrap(&bin.left));
                    conjuncts.push(unwrap(&bin.right));
                }
                Expr::Unary(unary) if unary.op == UnaryOp::Bang => {
                    self.guards.push(GuardCandidate {
                        flag: unwrap(&unary.arg).span(),
                        assigned_within: stmt.cons.span(),
                        region: stmt.cons.span(),
                        group: None,
                        root: lifetime::flag_root(&unary.arg),
                    });
                }
                _ => {}
            }
        }
        self.nested(stmt.span, false, |this| stmt.visit_children_with(this));
    }

    fn visit_update_expr(&mut self, expr: &UpdateExpr) {
        self.assign_expr_target(&expr.arg, Access::ReadWrite);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        self.record(Node::Call(in_program(call)));
        self.handler_sites
            .extend(frequency::registered_by_call(self.text, call));
        if let Callee::Expr(callee) = &call.callee {
            if matches!(&**callee, Expr::Ident(id) if id.sym == "eval") {
                self.mark_eval();
            }
            if let Some(start) = iife_callee(callee) {
                if !self.scope().runs_many {
                    self.iife_start = Some(start);
                }
            }
            // An AMD module, `define('name', [deps], function (…) { … })`: the loader runs the
            // factory once, as the module loads, like an IIFE.
            let amd = matches!(&**callee, Expr::Ident(id) if id.sym == "define");
            if amd && !self.scope().runs_many {
                if let Some(start) = call.args.last().and_then(|a| function_start(&a.expr)) {
                    self.iife_start = Some(start);
                }
            }
        }
        // Angular's `this.destroyRef.onDestroy(() => …)`, `inject(DestroyRef).onDestroy(…)`.
        if destroy_ref_on_destroy(call) {
            for arg in &call.args {
                match unwrap(&arg.expr) {
                    Expr::Ident(name) => self.unmount_names.push(name.span.lo),
                    other => self.unmount_callbacks.push(other.span()),
                }
            }
        }
        if let Some(callee) = lifetime::callee_ident(call) {
            if super::lifecycle::MOUNT_REGISTRARS.contains(&&*callee.sym) {
                self.mount_callbacks
                    .extend(call.args.iter().map(|a| unwrap(&a.expr).span()));
            }
            if super::lifecycle::UNMOUNT_REGISTRARS.contains(&&*callee.sym) {
                for arg in &call.args {
                    match unwrap(&arg.expr) {
                        Expr::Ident(name) => self.unmount_names.push(name.span.lo),
                        other => self.unmount_callbacks.push(other.span()),
                    }
                }
            }
        }
        if is_effect_hook_call(call) {
            if let (Some(first), Some(last)) = (call.args.first(), call.args.last()) {
                self.effects
                    .push(Span::new(first.span().lo, last.span().hi));
            }
        }
        match &call.callee {
            // `x.m(…)`: `x` is the call's receiver.
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Member(member) => {
                    if matches!(unwrap(&member.obj), Expr::Ident(_) | Expr::This(_)) {
                        self.record(Node::Member(in_program(member), Role::Escapes));
                    }
                    if let MemberProp::Ident(prop) = &member.prop {
                        if prop.sym.starts_with('_') {
                            let scope = self.current;
                            self.run_once.private_calls.push((prop.sym.clone(), scope));
                        }
                    }
                    self.visit_as(&member.obj, Role::Receiver(call.span.lo));
                    member.prop.visit_with(self);
                }
                _ => callee.visit_with(self),
            },
            other => other.visit_with(self),
        }
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Ident(ident) = unwrap_parens(callee) {
                if let Some(reference) = self.references.last_mut() {
                    if reference.span == ident.span {
                        reference.is_callee = true;
                    }
                }
            }
        }
        let role = argument_role(call);
        let once = runs_callback_inline(call);
        for arg in &call.args {
            if once {
                self.hand_over_once(&arg.expr);
            }
            self.visit_as(&arg.expr, role);
        }
    }

    fn visit_export_decl(&mut self, export: &ExportDecl) {
        let first = self.bindings.len();
        export.decl.visit_with(self);
        for binding in &mut self.bindings[first..] {
            if binding.scope == ScopeId(0) {
                binding.exported = true;
            }
        }
    }

    fn visit_import_decl(&mut self, decl: &ImportDecl) {
        self.record(Node::Import(in_program(decl)));
        for specifier in &decl.specifiers {
            let local = match specifier {
                ImportSpecifier::Named(s) => &s.local,
                ImportSpecifier::Default(s) => &s.local,
                ImportSpecifier::Namespace(s) => &s.local,
            };
            self.declare(local, BindingKind::Import);
        }
    }

    fn visit_named_export(&mut self, export: &NamedExport) {
        // `export { a as b }` reads `a`; `export { a } from 'm'` reads nothing here.
        if export.src.is_some() {
            return;
        }
        for specifier in &export.specifiers {
            if let ExportSpecifier::Named(named) = specifier {
                if let ModuleExportName::Ident(orig) = &named.orig {
                    self.reference(orig, Access::Read);
                }
            }
        }
    }

    fn visit_export_all(&mut self, _: &ExportAll) {}

    fn visit_ts_import_equals_decl(&mut self, decl: &TsImportEqualsDecl) {
        self.declare(&decl.id, BindingKind::TsImportEquals);
    }

    fn visit_ts_enum_decl(&mut self, decl: &TsEnumDecl) {
        self.declare(&decl.id, BindingKind::TsEnum);
        self.scoped(ScopeKind::TsEnum, decl.span, |this| {
            for member in &decl.members {
                if let TsEnumMemberId::Ident(id) = &member.id {
                    this.declare(id, BindingKind::Const);
                }
            }
            for member in &decl.members {
                member.init.visit_with(this);
            }
        });
    }

    fn visit_ts_module_decl(&mut self, decl: &TsModuleDecl) {
        if decl.global {
            if let Some(TsNamespaceBody::TsModuleBlock(block)) = &decl.body {
                self.declare_global_block(block);
            }
            return;
        }
        if let TsModuleName::Ident(id) = &decl.id {
            self.declare(id, BindingKind::TsNamespace);
        }
        if decl.declare {
            // Ambient module bodies describe other code; they run nothing.
            return;
        }
        if let Some(body) = &decl.body {
            self.ts_namespace_body(body, decl.span);
        }
    }

    fn visit_jsx_element_name(&mut self, name: &JSXElementName) {
        match name {
            // `<div>` is an intrinsic element, `<Foo>` a reference to `Foo`.
            JSXElementName::Ident(ident) => {
                if ident
                    .sym
                    .starts_with(|c: char| c.is_ascii_uppercase() || c == '_' || c == '$')
                {
                    self.reference(ident, Access::Read);
                }
            }
            JSXElementName::JSXMemberExpr(member) => member.obj.visit_with(self),
            JSXElementName::JSXNamespacedName(_) => {}
        }
    }

    fn visit_jsx_closing_element(&mut self, _: &JSXClosingElement) {}
}

impl Builder<'_> {
    fn for_head(&mut self, head: &ForHead) {
        match head {
            ForHead::VarDecl(decl) => self.declare_var_decl(decl),
            ForHead::UsingDecl(decl) => decl.visit_with(self),
            ForHead::Pat(pat) => self.assign_pat(pat),
        }
    }

    fn ts_namespace_body(&mut self, body: &TsNamespaceBody, span: Span) {
        self.scoped(ScopeKind::TsModule, span, |this| match body {
            TsNamespaceBody::TsModuleBlock(block) => block.body.visit_with(this),
            TsNamespaceBody::TsNamespaceDecl(inner) => {
                this.declare(&inner.id, BindingKind::TsNamespace);
                this.ts_namespace_body(&inner.body, inner.span);
            }
        });
    }
}

/// The name of a property key when it is static: `name:`, `"name":`.
fn static_prop_name(key: &PropName) -> Option<Atom> {
    match key {
        PropName::Ident(name) => Some(name.sym.clone()),
        PropName::Str(s) => s.value.as_atom().cloned(),
        _ => None,
    }
}

/// Does the text access a property `key` (`.key`, `?.key`), other than in a declaration?
fn names_a_member(text: &str, key: &str) -> bool {
    let needle = format!(".{key}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
    })
}
