//! The semantic model: scopes, bindings and resolved references, built in one pass over the
//! AST, plus the answer every leak rule needs: can this code run more than once?
//!
//! Rules read this model; none of them redoes scope analysis.

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
id_type!(ScopeId);
id_type!(BindingId);
id_type!(ReferenceId);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Program,
    Function,
    Arrow,
    Block,
    Class,
    /// Instance field initializers: they run once per `new`.
    ClassFieldInit,
    StaticBlock,
    Catch,
    For,
    Switch,
    /// The body of a `with` statement: names in it may resolve to the object's properties.
    With,
    TsModule,
    TsEnum,
}

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    pub span: Span,
    /// Assignments to undeclared names throw here instead of creating a global.
    pub strict: bool,
    /// Code in this scope can run more than once per process.
    pub runs_many: bool,
    /// Whether this scope runs many times whatever its parent does (`Some(true)` for a
    /// function, `None` for a block or an IIFE, which run as often as their parent).
    own_runs_many: Option<bool>,
    /// A direct `eval` or a `with` makes names resolved through this scope unknowable.
    pub dynamic: bool,
    pub bindings: FxHashMap<Atom, BindingId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Var,
    Let,
    Const,
    Using,
    Function,
    Class,
    Param,
    CatchParam,
    Import,
    /// The name of a named function or class expression, visible only inside it.
    ExpressionName,
    /// The implicit `arguments` of a non-arrow function.
    Arguments,
    TsEnum,
    TsNamespace,
    TsImportEquals,
    /// A TypeScript `declare` (`declare var x`, `declare global { … }`).
    Ambient,
    /// A name declared by a `/* global x */` comment.
    GlobalComment,
}

#[derive(Debug)]
pub struct Binding {
    pub name: Atom,
    pub kind: BindingKind,
    pub scope: ScopeId,
    pub span: Span,
    /// Declared by an `export` declaration (`export function f`, `export const c`).
    pub exported: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    ReadWrite,
}

impl Access {
    pub fn is_write(self) -> bool {
        !matches!(self, Access::Read)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Binding(BindingId),
    /// Declared nowhere in the file: a global, or a would-be implicit global.
    Unresolved,
    /// `eval` or `with` may supply the name at run time.
    Unknown,
}

#[derive(Debug)]
pub struct Reference {
    pub name: Atom,
    pub span: Span,
    pub scope: ScopeId,
    pub access: Access,
    pub resolution: Resolution,
    /// The operand of `typeof`: code that probes whether a global exists.
    pub in_typeof: bool,
    /// The callee of a call: `name(…)`.
    pub is_callee: bool,
}

#[derive(Debug)]
pub struct Semantic {
    pub scopes: Vec<Scope>,
    pub bindings: Vec<Binding>,
    pub references: Vec<Reference>,
    reference_at: FxHashMap<BytePos, ReferenceId>,
    binding_at: FxHashMap<BytePos, BindingId>,
    /// The references to each binding, in source order.
    uses: Vec<Vec<ReferenceId>>,
    /// Scope ids ordered by where their span starts, for position lookups.
    scopes_by_start: Vec<ScopeId>,
}

impl Semantic {
    /// Builds the model. `globals` are names declared by `/* global */` comments; they are
    /// bindings of the program scope.
    pub fn build(program: &Program, globals: &[(Atom, Span)]) -> Semantic {
        let strict = match program {
            Program::Module(_) => true,
            Program::Script(script) => has_use_strict(&script.body),
        };
        let mut builder = Builder::new(program.span(), strict);
        for (name, span) in globals {
            builder.declare_in(ScopeId(0), name.clone(), BindingKind::GlobalComment, *span);
        }
        program.visit_with(&mut builder);
        builder.finish()
    }

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.index()]
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.index()]
    }

    pub fn reference(&self, id: ReferenceId) -> &Reference {
        &self.references[id.index()]
    }

    /// The reference an identifier in the AST stands for, if it is one (a declaration's own
    /// name, a property name or a label is not).
    pub fn reference_of(&self, ident: &Ident) -> Option<&Reference> {
        self.reference_at
            .get(&ident.span.lo)
            .map(|&id| self.reference(id))
    }

    /// Every reference to a binding, in source order.
    pub fn references_to(&self, binding: BindingId) -> impl Iterator<Item = &Reference> + '_ {
        self.uses[binding.index()]
            .iter()
            .map(|&id| self.reference(id))
    }

    /// The binding a declaration's name introduces (`x` in `const x = 1`).
    pub fn declared_binding(&self, ident: &Ident) -> Option<BindingId> {
        self.binding_at.get(&ident.span.lo).copied()
    }

    /// The binding an identifier stands for: the one it declares or the one it refers to.
    pub fn binding_id_of(&self, ident: &Ident) -> Option<BindingId> {
        match self.reference_of(ident) {
            Some(reference) => match reference.resolution {
                Resolution::Binding(id) => Some(id),
                _ => None,
            },
            None => self.declared_binding(ident),
        }
    }

    /// Is the identifier an unresolved reference to the global `name` (not shadowed)?
    pub fn is_global_ref(&self, ident: &Ident, name: &str) -> bool {
        ident.sym == *name
            && self
                .reference_of(ident)
                .is_some_and(|r| r.resolution == Resolution::Unresolved)
    }

    /// The binding an identifier refers to, if it resolves to one in this file.
    pub fn binding_of(&self, ident: &Ident) -> Option<&Binding> {
        match self.reference_of(ident)?.resolution {
            Resolution::Binding(id) => Some(self.binding(id)),
            _ => None,
        }
    }

    /// The innermost scope that contains `span`.
    pub fn scope_at(&self, span: Span) -> ScopeId {
        let after = self
            .scopes_by_start
            .partition_point(|&id| self.scope(id).span.lo <= span.lo);
        let mut id = match after.checked_sub(1) {
            Some(i) => self.scopes_by_start[i],
            None => return ScopeId(0),
        };
        loop {
            let scope = self.scope(id);
            if scope.span.lo <= span.lo && span.hi <= scope.span.hi {
                return id;
            }
            match scope.parent {
                Some(parent) => id = parent,
                None => return id,
            }
        }
    }

    /// Can the code at `span` run more than once per process? Top-level code and top-level
    /// IIFEs run once; anything inside a function, method, constructor, getter, callback or
    /// component may run again.
    pub fn runs_many_times(&self, span: Span) -> bool {
        self.scope(self.scope_at(span)).runs_many
    }

    /// The scope and its ancestors, innermost first.
    pub fn ancestors(&self, id: ScopeId) -> impl Iterator<Item = ScopeId> + '_ {
        std::iter::successors(Some(id), move |&id| self.scope(id).parent)
    }
}

/// Does a body start with a `'use strict'` directive?
fn has_use_strict(body: &[Stmt]) -> bool {
    body.iter()
        .map_while(|stmt| match stmt {
            Stmt::Expr(ExprStmt { expr, .. }) => match &**expr {
                Expr::Lit(Lit::Str(s)) => Some(s),
                _ => None,
            },
            _ => None,
        })
        // `raw` holds the quotes; a recovered, unterminated string may not.
        .any(|s| {
            s.raw
                .as_ref()
                .and_then(|raw| raw.get(1..raw.len().saturating_sub(1)))
                .is_some_and(|inner| inner == "use strict")
        })
}

struct Builder {
    scopes: Vec<Scope>,
    bindings: Vec<Binding>,
    references: Vec<Reference>,
    current: ScopeId,
    /// Start of the function expression or arrow that is being called in place (an IIFE).
    iife_start: Option<BytePos>,
    /// Start of a function about to be visited, and the binding that names it.
    pending_function_binding: Option<(BytePos, BindingId)>,
    /// Function scopes and the binding they are declared as (`function f`, `const f = () =>`).
    function_bindings: Vec<(ScopeId, BindingId)>,
    binding_at: FxHashMap<BytePos, BindingId>,
}

impl Builder {
    fn new(span: Span, strict: bool) -> Builder {
        let program = Scope {
            kind: ScopeKind::Program,
            parent: None,
            span,
            strict,
            runs_many: false,
            own_runs_many: Some(false),
            dynamic: false,
            bindings: FxHashMap::default(),
        };
        Builder {
            scopes: vec![program],
            bindings: Vec::new(),
            references: Vec::new(),
            current: ScopeId(0),
            iife_start: None,
            pending_function_binding: None,
            function_bindings: Vec::new(),
            binding_at: FxHashMap::default(),
        }
    }

    fn finish(mut self) -> Semantic {
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
        let mut uses = vec![Vec::new(); self.bindings.len()];
        for (i, reference) in self.references.iter().enumerate() {
            if let Resolution::Binding(binding) = reference.resolution {
                uses[binding.index()].push(ReferenceId(i as u32));
            }
        }
        self.find_functions_that_run_once(&uses);
        Semantic {
            uses,
            scopes: self.scopes,
            bindings: self.bindings,
            references: self.references,
            reference_at,
            binding_at: self.binding_at,
            scopes_by_start,
        }
    }

    /// A function that is not exported and is only ever called directly from code that runs
    /// once (`function setup() {…} setup();`) runs a bounded number of times: its body is
    /// treated like top-level code. Repeats until no more such functions are found, since one
    /// may be called only from another.
    fn find_functions_that_run_once(&mut self, uses: &[Vec<ReferenceId>]) {
        if self.function_bindings.is_empty() {
            return;
        }
        loop {
            let mut changed = false;
            for &(scope, binding) in &self.function_bindings {
                let runs_once = !self.bindings[binding.index()].exported
                    && self.scopes[scope.index()].own_runs_many == Some(true)
                    && uses.get(binding.index()).is_some_and(|refs| {
                        !refs.is_empty()
                            && refs.iter().all(|&r| {
                                let reference = &self.references[r.index()];
                                reference.is_callee
                                    && !self.scopes[reference.scope.index()].runs_many
                            })
                    });
                if runs_once {
                    self.scopes[scope.index()].own_runs_many = None;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
            // Parents come before children: one pass in creation order settles every scope.
            for i in 1..self.scopes.len() {
                let parent = self.scopes[i]
                    .parent
                    .expect("only the program has no parent");
                let inherited = self.scopes[parent.index()].runs_many;
                let scope = &mut self.scopes[i];
                scope.runs_many = scope.own_runs_many.unwrap_or(inherited);
            }
        }
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
        if let Some((start, binding)) = self.pending_function_binding {
            if start == span.lo && matches!(kind, ScopeKind::Function | ScopeKind::Arrow) {
                self.function_bindings
                    .push((ScopeId(self.scopes.len() as u32), binding));
                self.pending_function_binding = None;
            }
        }
        let parent = self.scope();
        let own_runs_many = match kind {
            ScopeKind::Function | ScopeKind::Arrow if !iife => Some(true),
            ScopeKind::ClassFieldInit => Some(true),
            _ => None,
        };
        let runs_many = own_runs_many.unwrap_or(parent.runs_many);
        let strict = parent.strict || kind == ScopeKind::Class;
        let id = ScopeId(self.scopes.len() as u32);
        self.scopes.push(Scope {
            kind,
            parent: Some(self.current),
            span,
            strict,
            runs_many,
            own_runs_many,
            dynamic: kind == ScopeKind::With,
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

    fn declare_in(
        &mut self,
        scope: ScopeId,
        name: Atom,
        kind: BindingKind,
        span: Span,
    ) -> BindingId {
        let bindings = &mut self.scopes[scope.index()].bindings;
        // A redeclaration (`var x; var x;`) keeps the first binding.
        let id = match bindings.get(&name) {
            Some(&existing) => existing,
            None => {
                let id = BindingId(self.bindings.len() as u32);
                bindings.insert(name.clone(), id);
                self.bindings.push(Binding {
                    name,
                    kind,
                    scope,
                    span,
                    exported: false,
                });
                id
            }
        };
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
        self.references.push(Reference {
            name: ident.sym.clone(),
            span: ident.span,
            scope: self.current,
            access,
            resolution: Resolution::Unresolved,
            in_typeof: false,
            is_callee: false,
        });
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
                            self.declare_pat(&kv.value, kind);
                        }
                        ObjectPatProp::Assign(assign) => {
                            self.declare(&assign.key.id, kind);
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
            self.declare_pat(&declarator.name, kind);
            if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init) {
                let start = match unwrap_parens(init) {
                    Expr::Fn(f) => Some(f.function.span.lo),
                    Expr::Arrow(a) => Some(a.span.lo),
                    _ => None,
                };
                if let (Some(start), Some(&binding)) =
                    (start, self.binding_at.get(&name.id.span.lo))
                {
                    self.pending_function_binding = Some((start, binding));
                }
            }
            declarator.init.visit_with(self);
        }
    }

    fn function(&mut self, function: &Function, name: Option<&Ident>) {
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
                body.stmts.visit_with(this);
            }
        });
    }

    fn class(&mut self, class: &Class, name: Option<&Ident>) {
        class.decorators.visit_with(self);
        self.scoped(ScopeKind::Class, class.span, |this| {
            if let Some(name) = name {
                this.declare(name, BindingKind::ExpressionName);
            }
            class.super_class.visit_with(this);
            for member in &class.body {
                this.class_member(member);
            }
        });
    }

    fn class_member(&mut self, member: &ClassMember) {
        match member {
            ClassMember::Constructor(ctor) => {
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
                        body.stmts.visit_with(this);
                    }
                });
            }
            ClassMember::Method(method) => {
                method.key.visit_with(self);
                self.function(&method.function, None);
            }
            ClassMember::PrivateMethod(method) => self.function(&method.function, None),
            ClassMember::ClassProp(prop) => {
                prop.decorators.visit_with(self);
                prop.key.visit_with(self);
                self.field_value(prop.value.as_deref(), prop.is_static);
            }
            ClassMember::PrivateProp(prop) => {
                prop.decorators.visit_with(self);
                self.field_value(prop.value.as_deref(), prop.is_static);
            }
            ClassMember::AutoAccessor(accessor) => {
                accessor.decorators.visit_with(self);
                self.field_value(accessor.value.as_deref(), accessor.is_static);
            }
            ClassMember::StaticBlock(block) => {
                self.scoped(ScopeKind::StaticBlock, block.span, |this| {
                    block.body.stmts.visit_with(this)
                });
            }
            ClassMember::TsIndexSignature(_) | ClassMember::Empty(_) => {}
        }
    }

    fn field_value(&mut self, value: Option<&Expr>, is_static: bool) {
        let Some(value) = value else { return };
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

fn unwrap_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(paren) => unwrap_parens(&paren.expr),
        other => other,
    }
}

/// The function or arrow an expression calls in place: `(function () {})()`,
/// `(() => {})()`, `(function () {}).call(this)`.
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

impl Visit for Builder {
    fn visit_module(&mut self, module: &Module) {
        module.body.visit_with(self);
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
        self.function(&decl.function, None);
    }

    fn visit_fn_expr(&mut self, expr: &FnExpr) {
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
        prop.key.visit_with(self);
        self.function(&prop.function, None);
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
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
                ArrowFunctionBody::FunctionBody(body) => body.stmts.visit_with(this),
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
        self.declare(&decl.ident, kind);
        self.class(&decl.class, None);
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
                self.class(&c.class, None);
            }
            DefaultDecl::TsInterfaceDecl(_) => {}
        }
    }

    fn visit_class_expr(&mut self, expr: &ClassExpr) {
        self.class(&expr.class, expr.ident.as_ref());
    }

    fn visit_block_stmt(&mut self, block: &BlockStmt) {
        self.scoped(ScopeKind::Block, block.span, |this| {
            block.stmts.visit_with(this)
        });
    }

    fn visit_catch_clause(&mut self, clause: &CatchClause) {
        self.scoped(ScopeKind::Catch, clause.span, |this| {
            if let Some(param) = &clause.param {
                this.declare_pat(param, BindingKind::CatchParam);
            }
            clause.body.stmts.visit_with(this);
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
            stmt.right.visit_with(this);
            stmt.body.visit_with(this);
        });
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        self.scoped(ScopeKind::For, stmt.span, |this| {
            this.for_head(&stmt.left);
            stmt.right.visit_with(this);
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

    fn visit_assign_expr(&mut self, expr: &AssignExpr) {
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
        expr.arg.visit_with(self);
        if expr.op == UnaryOp::TypeOf && unwrap_parens(&expr.arg).is_ident() {
            if let Some(reference) = self.references.last_mut() {
                reference.in_typeof = true;
            }
        }
    }

    fn visit_update_expr(&mut self, expr: &UpdateExpr) {
        self.assign_expr_target(&expr.arg, Access::ReadWrite);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        if let Callee::Expr(callee) = &call.callee {
            if matches!(&**callee, Expr::Ident(id) if id.sym == "eval") {
                self.mark_eval();
            }
            if let Some(start) = iife_callee(callee) {
                if !self.scope().runs_many {
                    self.iife_start = Some(start);
                }
            }
        }
        call.callee.visit_with(self);
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Ident(ident) = unwrap_parens(callee) {
                if let Some(reference) = self.references.last_mut() {
                    if reference.span == ident.span {
                        reference.is_callee = true;
                    }
                }
            }
        }
        call.args.visit_with(self);
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

impl Builder {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use crate::source::SourceType;
    use std::path::Path;

    fn semantic(source: &str, name: &str) -> Semantic {
        let source_type = SourceType::from_path(Path::new(name)).unwrap();
        let parsed = parse(source, source_type, false);
        assert!(parsed.errors.is_empty(), "{source}: {:?}", parsed.errors);
        Semantic::build(&parsed.program.unwrap(), &[])
    }

    /// How each reference to `target` resolves, in source order: the binding's kind,
    /// `global` or `unknown`, with `!` for a write.
    fn resolutions(source: &str, file: &str, target: &str) -> Vec<String> {
        let semantic = semantic(source, file);
        semantic
            .references
            .iter()
            .filter(|r| &*r.name == target)
            .map(|r| {
                let what = match r.resolution {
                    Resolution::Binding(b) => format!("{:?}", semantic.binding(b).kind),
                    Resolution::Unresolved => "global".to_string(),
                    Resolution::Unknown => "unknown".to_string(),
                };
                if r.access.is_write() {
                    format!("{what}!")
                } else {
                    what
                }
            })
            .collect()
    }

    #[track_caller]
    fn case(source: &str, target: &str, expected: &[&str]) {
        assert_eq!(resolutions(source, "a.js", target), expected, "{source}");
    }

    #[track_caller]
    fn ts_case(source: &str, target: &str, expected: &[&str]) {
        assert_eq!(resolutions(source, "a.ts", target), expected, "{source}");
    }

    #[test]
    fn declarations() {
        case("var x; x;", "x", &["Var"]);
        case("let x; x = 1;", "x", &["Let!"]);
        case("const x = 1; x;", "x", &["Const"]);
        case("function x() {} x();", "x", &["Function"]);
        case("class X {} new X();", "X", &["Class"]);
        case("import x from 'm'; x;", "x", &["Import"]);
        case("import { a as x } from 'm'; x;", "x", &["Import"]);
        case("import * as x from 'm'; x;", "x", &["Import"]);
        case("function f(x) { x; }", "x", &["Param"]);
        case("function f(x = 1) { x; }", "x", &["Param"]);
        case("function f(...x) { x; }", "x", &["Param"]);
        case("function f({ a: x }) { x; }", "x", &["Param"]);
        case("function f({ x = 1 }) { x; }", "x", &["Param"]);
        case("function f([, x]) { x; }", "x", &["Param"]);
        case("function f({ ...x }) { x; }", "x", &["Param"]);
        case("const f = (x) => x;", "x", &["Param"]);
        case("const f = async x => x;", "x", &["Param"]);
        case("try {} catch (x) { x; }", "x", &["CatchParam"]);
        case("try {} catch ({ message: x }) { x; }", "x", &["CatchParam"]);
        case("const { a: { b: x } } = o; x;", "x", &["Const"]);
        case("let [x = 1, ...y] = o; x; y;", "x", &["Let"]);
        case("using x = r(); x;", "x", &["Using"]);
        case("function f() { arguments; }", "arguments", &["Arguments"]);
        case("const f = () => arguments;", "arguments", &["global"]);
    }

    #[test]
    fn hoisting() {
        case("x = 1; var x;", "x", &["Var!"]);
        case("f(); function f() {}", "f", &["Function"]);
        case("function g() { if (a) { var x; } x; }", "x", &["Var"]);
        case("function g() { for (var x of a) {} x; }", "x", &["Var"]);
        case(
            "function g() { try {} catch (e) { var x; } x; }",
            "x",
            &["Var"],
        );
        case(
            "function g() { { function x() {} } x; }",
            "x",
            &["Function"],
        );
        case("'use strict'; { function x() {} } x;", "x", &["global"]);
        case("function g() { x; } var x;", "x", &["Var"]);
        case("function g() { x; } let x;", "x", &["Let"]);
        case("switch (a) { case 1: let x; default: x; }", "x", &["Let"]);
    }

    #[test]
    fn block_scoping_and_shadowing() {
        case("{ let x; } x;", "x", &["global"]);
        case("{ const x = 1; } x = 2;", "x", &["global!"]);
        case("{ class x {} } x;", "x", &["global"]);
        case(
            "for (let i = 0; i < 1; i++) {} i;",
            "i",
            &["Let", "Let!", "global"],
        );
        case("for (const k in o) { k; } k;", "k", &["Const", "global"]);
        case("let x; function f(x) { x; }", "x", &["Param"]);
        case("let x; function f() { let x; { x = 1; } }", "x", &["Let!"]);
        case("var x; function f() { x = 1; }", "x", &["Var!"]);
        case("function f() { var x; return () => x; }", "x", &["Var"]);
        case(
            "function f() { return function () { y = 1; }; var y; }",
            "y",
            &["Var!"],
        );
        case("try {} catch (e) {} e;", "e", &["global"]);
        case("label: { break label; } label;", "label", &["global"]);
        case("outer: for (;;) { continue outer; }", "outer", &[]);
    }

    #[test]
    fn expressions_with_names() {
        case(
            "const f = function g() { g; }; g;",
            "g",
            &["ExpressionName", "global"],
        );
        case(
            "const C = class D { m() { D; } }; D;",
            "D",
            &["ExpressionName", "global"],
        );
        case(
            "class A { x = y; static z = y; }",
            "y",
            &["global", "global"],
        );
        case("const o = { a, b: c, [d]: 1 };", "a", &["global"]);
        case("const o = { a: 1 }; o.a; o.b = 1;", "a", &[]);
        case("const o = { m() { this.p = 1; } };", "p", &[]);
        case("x.y = 1; x[y] = 2;", "x", &["global", "global"]);
        case("x++; --x; x += 1;", "x", &["global!", "global!", "global!"]);
        case("[x, { y: x }] = o;", "x", &["global!", "global!"]);
        case("({ x = 1 } = o);", "x", &["global!"]);
        case("for (x in o) {}", "x", &["global!"]);
        case("for ([x] of o) {}", "x", &["global!"]);
        case("typeof x;", "x", &["global"]);
        case("export {};", "x", &[]);
    }

    #[test]
    fn modules() {
        assert_eq!(
            resolutions("const a = 1; export { a as b };", "a.mjs", "a"),
            ["Const"]
        );
        assert_eq!(
            resolutions("export { a } from 'm';", "a.mjs", "a"),
            Vec::<String>::new()
        );
        assert_eq!(
            resolutions("export default function a() {} a;", "a.mjs", "a"),
            ["Function"]
        );
        assert_eq!(resolutions("export class A {} A;", "a.mjs", "A"), ["Class"]);
    }

    #[test]
    fn jsx() {
        let names = |src: &str, name: &str| resolutions(src, "a.jsx", name);
        assert_eq!(names("const Foo = 1; <Foo />;", "Foo"), ["Const"]);
        assert_eq!(names("<div>{x}</div>;", "div"), Vec::<String>::new());
        assert_eq!(names("<div>{x}</div>;", "x"), ["global"]);
        assert_eq!(
            names("import ui from 'ui'; <ui.Button></ui.Button>;", "ui"),
            ["Import"]
        );
    }

    #[test]
    fn eval_and_with_make_names_unknown() {
        case("function f() { eval(s); x = 1; }", "x", &["unknown!"]);
        case("function f() { x = 1; eval(s); }", "x", &["unknown!"]);
        case(
            "function f() { eval(s); } function g() { x = 1; }",
            "x",
            &["global!"],
        );
        case("with (o) { x = 1; }", "x", &["unknown!"]);
        case("var x; with (o) { x = 1; }", "x", &["unknown!"]);
        case("with (o) { let x; x = 1; }", "x", &["Let!"]);
        case("(0, eval)(s); x = 1;", "x", &["global!"]);
    }

    #[test]
    fn typescript() {
        ts_case("interface X {} X = 1;", "X", &["global!"]);
        ts_case("type X = string; let y: X;", "X", &[]);
        ts_case("enum E { A, B = A } E.A;", "E", &["TsEnum"]);
        ts_case("enum E { A, B = A }", "A", &["Const"]);
        ts_case(
            "namespace N { export var v = 1; } N.v;",
            "N",
            &["TsNamespace"],
        );
        ts_case("namespace N { var v = 1; } v;", "v", &["global"]);
        ts_case("declare var x: number; x = 1;", "x", &["Ambient!"]);
        ts_case("declare function f(): void; f();", "f", &["Ambient"]);
        ts_case(
            "declare global { var g: number } g = 1;",
            "g",
            &["Ambient!"],
        );
        ts_case("import fs = require('fs'); fs;", "fs", &["TsImportEquals"]);
        ts_case(
            "class A { constructor(private x: number) { x; } }",
            "x",
            &["Param"],
        );
        ts_case("let v = <T,>(a: T): T => a; v;", "T", &[]);
        ts_case("function f(this: Window, a: Foo) { a; }", "Foo", &[]);
        ts_case("(x as any) = 1; x! = 2;", "x", &["global!", "global!"]);
        ts_case("import type { T } from 'm'; let a: T;", "T", &[]);
        ts_case("abstract class A { abstract m(): void; }", "m", &[]);
    }

    fn runs_many(source: &str, marker: &str) -> bool {
        let semantic = semantic(source, "a.js");
        let reference = semantic
            .references
            .iter()
            .find(|r| &*r.name == marker)
            .expect("the marker is referenced");
        semantic.runs_many_times(reference.span)
    }

    #[test]
    fn what_runs_more_than_once() {
        assert!(!runs_many("marker();", "marker"));
        assert!(!runs_many("if (a) { for (;;) { marker(); } }", "marker"));
        assert!(!runs_many("(function () { marker(); })();", "marker"));
        assert!(!runs_many("(() => { marker(); })();", "marker"));
        assert!(!runs_many("!function () { marker(); }();", "marker"));
        assert!(!runs_many(
            "(function () { marker(); }).call(this);",
            "marker"
        ));
        assert!(!runs_many("class A { static x = marker(); }", "marker"));
        assert!(!runs_many("class A { static { marker(); } }", "marker"));
        assert!(runs_many("function f() { marker(); }", "marker"));
        assert!(runs_many("const f = () => marker();", "marker"));
        assert!(runs_many(
            "app.get('/', (req, res) => { marker(); });",
            "marker"
        ));
        assert!(runs_many(
            "class A { constructor() { marker(); } }",
            "marker"
        ));
        assert!(runs_many(
            "class A { get v() { return marker(); } }",
            "marker"
        ));
        assert!(runs_many("class A { x = marker(); }", "marker"));
        assert!(runs_many("const o = { m() { marker(); } };", "marker"));
        assert!(runs_many(
            "function f() { (function () { marker(); })(); }",
            "marker"
        ));
        assert!(runs_many(
            "function Component() { useEffect(() => { marker(); }); }",
            "marker"
        ));
    }

    #[test]
    fn functions_only_called_from_run_once_code_run_once() {
        assert!(!runs_many(
            "function setup() { marker(); } setup();",
            "marker"
        ));
        assert!(!runs_many(
            "function setup() { marker(); } setup(); setup();",
            "marker"
        ));
        assert!(!runs_many(
            "const init = () => { marker(); }; init();",
            "marker"
        ));
        assert!(!runs_many(
            "function a() { marker(); } function b() { a(); } b();",
            "marker"
        ));
        assert!(!runs_many(
            "function s() { if (x) { marker(); } } if (main) s();",
            "marker"
        ));
        assert!(runs_many(
            "function setup() { marker(); } module.exports = setup;",
            "marker"
        ));
        assert!(runs_many(
            "function h() { marker(); } app.get('/', h);",
            "marker"
        ));
        assert!(runs_many(
            "function f() { marker(); } function g() { f(); } app.use(g);",
            "marker"
        ));
        assert!(runs_many("function r() { marker(); r(); } r();", "marker"));
        assert!(runs_many("function f() { marker(); }", "marker"));
        assert!(runs_many(
            "function f() { marker(); } setInterval(() => f(), 10);",
            "marker"
        ));
        let semantic = semantic("export function setup() { marker(); } setup();", "a.mjs");
        let marker = semantic
            .references
            .iter()
            .find(|r| &*r.name == "marker")
            .unwrap();
        assert!(
            semantic.runs_many_times(marker.span),
            "an export may be called from anywhere"
        );
    }

    #[test]
    fn strictness() {
        let strict_at = |source: &str, file: &str| {
            let semantic = semantic(source, file);
            let r = semantic
                .references
                .iter()
                .find(|r| &*r.name == "marker")
                .unwrap();
            semantic.scope(r.scope).strict
        };
        assert!(!strict_at("marker = 1;", "a.js"));
        assert!(!strict_at("marker = 1;", "a.cjs"));
        assert!(strict_at("marker = 1;", "a.mjs"));
        assert!(strict_at("import 'x'; marker = 1;", "a.js"));
        assert!(strict_at("'use strict'; marker = 1;", "a.js"));
        assert!(strict_at(
            "\"use strict\"; function f() { marker = 1; }",
            "a.js"
        ));
        assert!(strict_at(
            "function f() { 'use strict'; marker = 1; }",
            "a.js"
        ));
        assert!(!strict_at(
            "function f() { a(); 'use strict'; marker = 1; }",
            "a.js"
        ));
        assert!(strict_at("class A { m() { marker = 1; } }", "a.js"));
        assert!(!strict_at("'use\\x20strict'; marker = 1;", "a.js"));
        // Found by the fuzzer: an unterminated string as the first statement.
        let parsed = parse(
            "'",
            SourceType::from_path(Path::new("a.js")).unwrap(),
            false,
        );
        let _ = Semantic::build(&parsed.program.expect("recovered"), &[]);
    }
}
