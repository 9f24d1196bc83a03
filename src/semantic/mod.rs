//! The semantic model: scopes, bindings and resolved references, built in one walk over the
//! AST ([`builder`]), and the lifetime layer filled in the same walk ([`lifetime`]): how long a
//! value lives, whether code runs more than once, whether a value escapes, which release matches
//! which acquisition.
//!
//! Rules read this model; none of them redoes scope analysis or re-derives a lifetime fact.

mod builder;
pub mod frequency;
pub mod keys;
pub mod lifecycle;
pub mod lifetime;
pub mod listeners;

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

use builder::Builder;
pub use frequency::{Handler, HotPath};
pub use keys::KeyOrigin;
use lifetime::Lifetimes;
pub use lifetime::{Created, Lifetime, Role, ThisValue};

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

impl ScopeId {
    /// The program's (module's) scope.
    pub const PROGRAM: ScopeId = ScopeId(0);
}
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
    /// What `this` stands for in this scope.
    pub this: ThisValue,
    /// A function or arrow called where it is defined: `(function () { … })()`.
    pub iife: bool,
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
    /// How the expression around the name uses its value (what escape analysis reads).
    pub role: Role,
}

/// A node the rules handle, recorded by the builder's walk in source order, each parent before
/// its children: the one traversal the rules share is a loop over these.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    Call(&'a CallExpr),
    New(&'a NewExpr),
    Assign(&'a AssignExpr),
    Unary(&'a UnaryExpr),
    /// A comparison (`<`, `>=`, `===`, `!=`…): what size guards are made of.
    Comparison(&'a BinExpr),
    /// A property access on a name or on `this` (`A.cache`, `global.x`, `this.items`), and how
    /// the expression around it uses its value.
    Member(&'a MemberExpr, Role),
    VarDeclarator(&'a VarDeclarator),
    Import(&'a ImportDecl),
    ClassDecl(&'a ClassDecl),
    Function(FunctionNode<'a>),
}

/// A function-like node.
#[derive(Clone, Copy, Debug)]
pub enum FunctionNode<'a> {
    /// A function declaration: its name and function (the function itself follows as
    /// [`FunctionNode::Function`]).
    Declaration(&'a FnDecl),
    /// Any function: declared, an expression, a method, a getter or setter.
    Function(&'a Function),
    Arrow(&'a ArrowExpr),
}

/// Statements or blocks that contain others, as a tree over spans in source order.
#[derive(Debug, Default)]
pub(crate) struct Nesting {
    /// Each span and the index of the innermost one around it (`u32::MAX` for none).
    spans: Vec<(Span, u32)>,
}

impl Nesting {
    /// The spans around `pos`, innermost first.
    fn around(&self, pos: BytePos) -> impl Iterator<Item = Span> + '_ {
        let last = self.spans.partition_point(|(span, _)| span.lo <= pos);
        let mut next = last.checked_sub(1).map(|i| i as u32);
        std::iter::from_fn(move || loop {
            let (span, parent) = *self.spans.get(next? as usize)?;
            next = (parent != u32::MAX).then_some(parent);
            if span.lo <= pos && pos < span.hi {
                return Some(span);
            }
        })
    }
}

#[derive(Debug)]
pub struct Semantic<'a> {
    /// The source text the model was built from.
    pub text: &'a str,
    pub scopes: Vec<Scope>,
    pub bindings: Vec<Binding>,
    pub references: Vec<Reference>,
    reference_at: FxHashMap<BytePos, ReferenceId>,
    binding_at: FxHashMap<BytePos, BindingId>,
    /// The references to each binding, in source order.
    uses: Uses,
    /// Scope ids ordered by where their span starts, for position lookups.
    scopes_by_start: Vec<ScopeId>,
    /// Where each scope of `scopes_by_start` starts: what the search for a position reads,
    /// without loading a `Scope` per step.
    scope_starts: Vec<BytePos>,
    /// The lifetime layer: regions, dropped results, created collections.
    lifetimes: Lifetimes,
    /// Handlers and function names: how often code runs.
    frequency: frequency::Frequency,
    /// Class and constructor-function scopes, with the binding that names each.
    owners: Owners,
    /// The file's listener wrappers, found on first use.
    wrappers: std::cell::OnceCell<FxHashMap<BindingId, listeners::Wrapper>>,
    /// Calls by the start of their callee, and declarators by the start of the name they
    /// declare, as positions in `nodes`: indexes for the key questions, built on first use.
    calls_by_callee: std::cell::OnceCell<FxHashMap<BytePos, usize>>,
    declarators_by_name: std::cell::OnceCell<FxHashMap<BytePos, usize>>,
    /// Instance facts built on first use, one pass over `nodes` each: the methods called again
    /// as `this.m()` from an arrow (by owner and name, with the first such callee), and the
    /// members a method replaces unconditionally (by method scope and name).
    reruns: std::cell::OnceCell<FxHashMap<(ScopeId, Atom), Span>>,
    replaced_members: std::cell::OnceCell<FxHashSet<(ScopeId, Atom)>>,
    /// The assignments to each member of `this` (by owner and name), as positions in `nodes`.
    member_writes: std::cell::OnceCell<FxHashMap<(ScopeId, Atom), Vec<usize>>>,
    /// Accesses `x.name` by name, with whether each is a call on `this`.
    member_uses: std::cell::OnceCell<FxHashMap<Atom, Vec<lifetime::MemberUse>>>,
    /// What components' release phases do, built on first use in one pass over `nodes`.
    unmount_facts: std::cell::OnceCell<frequency::UnmountFacts>,
    /// The classes and constructor functions that are event emitters, found on first use in one
    /// pass over `nodes`.
    emitter_classes: std::cell::OnceCell<FxHashSet<BindingId>>,
    /// What uses each expression as a whole (a `new`'s callee, a declarator's initializer, a
    /// class's superclass), built on first use in one pass over `nodes`: the questions asked
    /// once per reference to a class would otherwise scan `nodes` for each.
    whole_uses: std::cell::OnceCell<lifetime::WholeUses>,
    /// What key provenance asks of each name, built on first use in one pass.
    key_facts: std::cell::OnceCell<keys::KeyFacts>,
    /// Whether each class asked about has a mount or unmount hook among its methods,
    /// remembered as it is asked.
    has_lifecycle_hooks: std::cell::RefCell<FxHashMap<ScopeId, bool>>,
    /// [`Semantic::lifetime_of`] of the bindings asked about: a local read by many closures is
    /// asked about at each of its reads, and each answer looks at every read.
    closure_lifetimes: std::cell::RefCell<FxHashMap<BindingId, Lifetime>>,
    /// The bindings that code running more than once writes, found on first use.
    written_per_call: std::cell::OnceCell<FxHashSet<BindingId>>,
    /// The names called as `name(…)`, found on first use.
    callee_names: std::cell::OnceCell<FxHashSet<Atom>>,
    /// The calls and comparisons that may test a receiver (`x.listenerCount(…)`, `a != b`), by
    /// where they start, as positions in `nodes`, built on first use.
    receiver_tests: std::cell::OnceCell<lifetime::ReceiverTests>,
    /// Calls by their span, as positions in `nodes`, built on first use.
    calls_by_span: std::cell::OnceCell<FxHashMap<(BytePos, BytePos), usize>>,
    /// For each scope, whether it is an unmount hook (`componentWillUnmount`, `ngOnDestroy`)
    /// or inside one, built on first use.
    in_unmount_hook: std::cell::OnceCell<Vec<bool>>,
    nodes: Vec<Node<'a>>,
    /// Expression statements and `if`s.
    statements: Nesting,
    /// Blocks and function bodies.
    blocks: Nesting,
}

/// Class and constructor-function scopes and the bindings that name them, found either way.
#[derive(Debug, Default)]
pub(crate) struct Owners {
    by_scope: FxHashMap<ScopeId, BindingId>,
    /// By where the naming binding is declared.
    by_declaration: FxHashMap<(BytePos, BytePos), ScopeId>,
}

impl Owners {
    /// From the pairs in the order they were found; the first pair of a scope or a binding
    /// counts.
    pub(super) fn new(pairs: &[(ScopeId, BindingId)], bindings: &[Binding]) -> Owners {
        let mut owners = Owners::default();
        for &(scope, binding) in pairs {
            owners.by_scope.entry(scope).or_insert(binding);
            let span = bindings[binding.index()].span;
            owners
                .by_declaration
                .entry((span.lo, span.hi))
                .or_insert(scope);
        }
        owners
    }

    /// The binding that names the class or constructor function whose scope is `owner`.
    pub(crate) fn class_of(&self, owner: ScopeId) -> Option<BindingId> {
        self.by_scope.get(&owner).copied()
    }

    /// The scope of the class or constructor function named by the binding declared at `span`.
    pub(crate) fn declared_at(&self, span: Span) -> Option<ScopeId> {
        self.by_declaration.get(&(span.lo, span.hi)).copied()
    }
}

/// The references to each binding, in source order: one flat list, sliced per binding.
#[derive(Debug, Default)]
pub(crate) struct Uses {
    /// Where each binding's references start in `references`; one more entry than bindings.
    starts: Vec<u32>,
    references: Vec<ReferenceId>,
}

impl Uses {
    fn new(bindings: usize, references: &[Reference]) -> Uses {
        let mut starts = vec![0u32; bindings + 1];
        for reference in references {
            if let Resolution::Binding(binding) = reference.resolution {
                starts[binding.index() + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut flat = vec![ReferenceId(0); starts[bindings] as usize];
        for (i, reference) in references.iter().enumerate() {
            if let Resolution::Binding(binding) = reference.resolution {
                let slot = &mut next[binding.index()];
                flat[*slot as usize] = ReferenceId(i as u32);
                *slot += 1;
            }
        }
        Uses {
            starts,
            references: flat,
        }
    }

    pub(crate) fn of(&self, binding: BindingId) -> &[ReferenceId] {
        let (start, end) = (
            self.starts[binding.index()] as usize,
            self.starts[binding.index() + 1] as usize,
        );
        &self.references[start..end]
    }
}

impl<'a> Semantic<'a> {
    /// Builds the model of `program`, whose source is `text`. `globals` are names declared by
    /// `/* global */` comments; they are bindings of the program scope.
    pub fn build(program: &'a Program, text: &'a str, globals: &[(Atom, Span)]) -> Semantic<'a> {
        Semantic::build_component(program, text, globals, &[])
    }

    /// Builds the model of a single-file component's script ([`crate::sfc`]): the top-level code
    /// in `per_instance` (Vue's `<script setup>`, Svelte's instance script) is the body of a
    /// function the framework runs for each component instance, and its template may read or
    /// call every name declared there.
    pub fn build_component(
        program: &'a Program,
        text: &'a str,
        globals: &[(Atom, Span)],
        per_instance: &[Span],
    ) -> Semantic<'a> {
        let strict = match program {
            Program::Module(_) => true,
            Program::Script(script) => has_use_strict(&script.body),
        };
        let mut builder = Builder::new(program.span(), strict, text);
        builder.per_instance = per_instance.to_vec();
        for (name, span) in globals {
            builder.declare_in(ScopeId(0), name.clone(), BindingKind::GlobalComment, *span);
        }
        program.visit_with(&mut builder);
        builder.finish()
    }

    /// The nodes the rules handle, in source order, each parent before its children.
    pub fn nodes(&self) -> &[Node<'a>] {
        &self.nodes
    }

    /// The expression statements and `if`s around `span`, innermost first.
    pub fn enclosing_statements(&self, span: Span) -> impl Iterator<Item = Span> + '_ {
        self.statements.around(span.lo)
    }

    /// The innermost block or function body around `span`.
    pub fn enclosing_block(&self, span: Span) -> Option<Span> {
        self.blocks.around(span.lo).next()
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
        self.uses.of(binding).iter().map(|&id| self.reference(id))
    }

    /// The binding a declaration's name introduces (`x` in `const x = 1`).
    pub fn declared_binding(&self, ident: &Ident) -> Option<BindingId> {
        self.binding_at.get(&ident.span.lo).copied()
    }

    /// The call written exactly at `span`.
    pub fn call_with_span(&self, span: Span) -> Option<&'a CallExpr> {
        let by_span = self.calls_by_span.get_or_init(|| {
            let mut by_span = FxHashMap::default();
            for (i, node) in self.nodes.iter().enumerate() {
                if let Node::Call(call) = node {
                    by_span.entry((call.span.lo, call.span.hi)).or_insert(i);
                }
            }
            by_span
        });
        match self.nodes[*by_span.get(&(span.lo, span.hi))?] {
            Node::Call(call) => Some(call),
            _ => None,
        }
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
        let after = self.scope_starts.partition_point(|&lo| lo <= span.lo);
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
pub(crate) fn has_use_strict(body: &[Stmt]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use crate::source::SourceType;
    use std::path::Path;

    /// The model of `source`; the text and program are leaked so the model can borrow them for
    /// the rest of the test. The lifetime layer's tests use it too.
    pub(super) fn semantic(source: &str, name: &str) -> Semantic<'static> {
        let source: &'static str = Box::leak(source.to_owned().into_boxed_str());
        let source_type = SourceType::from_path(Path::new(name)).unwrap();
        let parsed = parse(source, source_type, false);
        assert!(parsed.errors.is_empty(), "{source}: {:?}", parsed.errors);
        Semantic::build(Box::leak(Box::new(parsed.program.unwrap())), source, &[])
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
        let _ = Semantic::build(&parsed.program.expect("recovered"), "'", &[]);
    }
}
