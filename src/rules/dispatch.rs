//! The one traversal all rules share: a loop over the nodes the semantic model recorded in its
//! own walk ([`Semantic::nodes`](crate::semantic::Semantic::nodes), in source order, each parent
//! before its children), calling the handlers of the rules that handle each kind. No rule
//! implements `Visit` or walks a subtree, and the AST is walked once per file, by the model.

use swc_ecma_ast::*;

use crate::rules::Context;
use crate::semantic::{FunctionNode, Node, Role};

/// The handlers of one rule over one file. Each has a default that does nothing; a rule
/// implements the ones named in its `META.handles`, and `finish`.
#[allow(unused_variables)]
pub trait Rule {
    fn on_call(&mut self, cx: &Context, call: &CallExpr) {}
    fn on_new(&mut self, cx: &Context, new: &NewExpr) {}
    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {}
    fn on_unary(&mut self, cx: &Context, unary: &UnaryExpr) {}
    /// A comparison: `<`, `<=`, `>`, `>=`, `==`, `===`, `!=`, `!==`.
    fn on_comparison(&mut self, cx: &Context, comparison: &BinExpr) {}
    /// A property access on a name or on `this`, and how the expression around it uses its
    /// value.
    fn on_member(&mut self, cx: &Context, member: &MemberExpr, role: Role) {}
    fn on_var_declarator(&mut self, cx: &Context, declarator: &VarDeclarator) {}
    fn on_import(&mut self, cx: &Context, import: &ImportDecl) {}
    fn on_class_decl(&mut self, cx: &Context, decl: &ClassDecl) {}
    fn on_function(&mut self, cx: &Context, function: FunctionNode) {}
    /// After the traversal: match what was seen and report.
    fn finish(&mut self, cx: &mut Context);
}

/// The node kinds a rule handles, so that the traversal calls only those rules at each node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handles(u16);

const CALL: usize = 0;
const NEW: usize = 1;
const ASSIGN: usize = 2;
const UNARY: usize = 3;
const COMPARISON: usize = 4;
const MEMBER: usize = 5;
const VAR_DECLARATOR: usize = 6;
const IMPORT: usize = 7;
const CLASS_DECL: usize = 8;
const FUNCTION: usize = 9;
const KINDS: usize = 10;

impl Handles {
    pub const NONE: Handles = Handles(0);
    pub const CALL: Handles = Handles(1 << CALL);
    pub const NEW: Handles = Handles(1 << NEW);
    pub const ASSIGN: Handles = Handles(1 << ASSIGN);
    pub const UNARY: Handles = Handles(1 << UNARY);
    pub const COMPARISON: Handles = Handles(1 << COMPARISON);
    pub const MEMBER: Handles = Handles(1 << MEMBER);
    pub const VAR_DECLARATOR: Handles = Handles(1 << VAR_DECLARATOR);
    pub const IMPORT: Handles = Handles(1 << IMPORT);
    pub const CLASS_DECL: Handles = Handles(1 << CLASS_DECL);
    pub const FUNCTION: Handles = Handles(1 << FUNCTION);

    pub const fn and(self, other: Handles) -> Handles {
        Handles(self.0 | other.0)
    }

    fn contains(self, kind: usize) -> bool {
        self.0 & (1 << kind) != 0
    }
}

fn kind_of(node: &Node) -> usize {
    match node {
        Node::Call(_) => CALL,
        Node::New(_) => NEW,
        Node::Assign(_) => ASSIGN,
        Node::Unary(_) => UNARY,
        Node::Comparison(_) => COMPARISON,
        Node::Member(..) => MEMBER,
        Node::VarDeclarator(_) => VAR_DECLARATOR,
        Node::Import(_) => IMPORT,
        Node::ClassDecl(_) => CLASS_DECL,
        Node::Function(_) => FUNCTION,
    }
}

/// Runs the rules' handlers over the file's nodes, then each rule's `finish`.
pub fn run(cx: &mut Context, rules: Vec<(Handles, Box<dyn Rule>)>) {
    let mut by_kind: [Vec<usize>; KINDS] = Default::default();
    for (i, (handles, _)) in rules.iter().enumerate() {
        for (kind, list) in by_kind.iter_mut().enumerate() {
            if handles.contains(kind) {
                list.push(i);
            }
        }
    }
    let mut rules: Vec<Box<dyn Rule>> = rules.into_iter().map(|(_, rule)| rule).collect();
    if by_kind.iter().any(|list| !list.is_empty()) {
        let cx = &*cx;
        for node in cx.semantic.nodes() {
            for &i in &by_kind[kind_of(node)] {
                let rule = &mut rules[i];
                match *node {
                    Node::Call(call) => rule.on_call(cx, call),
                    Node::New(new) => rule.on_new(cx, new),
                    Node::Assign(assign) => rule.on_assign(cx, assign),
                    Node::Unary(unary) => rule.on_unary(cx, unary),
                    Node::Comparison(bin) => rule.on_comparison(cx, bin),
                    Node::Member(member, role) => rule.on_member(cx, member, role),
                    Node::VarDeclarator(declarator) => rule.on_var_declarator(cx, declarator),
                    Node::Import(import) => rule.on_import(cx, import),
                    Node::ClassDecl(decl) => rule.on_class_decl(cx, decl),
                    Node::Function(function) => rule.on_function(cx, function),
                }
            }
        }
    }
    for rule in &mut rules {
        rule.finish(cx);
    }
}
