//! The one traversal all rules share. Each rule implements handlers for the node kinds it cares
//! about ([`Rule`]); the traversal calls them, parent before child, and gives each handled
//! expression its [`Role`] in the expression around it. No rule implements `Visit` or walks a
//! subtree; every child is visited exactly once.

use swc_common::{Span, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::rules::Context;
use crate::semantic::lifetime::{argument_role, compares, constructor_argument_role, unwrap};
use crate::semantic::Role;

/// A function-like node, as [`Rule::on_function`] sees it.
#[derive(Clone, Copy)]
pub enum FunctionNode<'a> {
    /// A function declaration: its name and function.
    Declaration(&'a FnDecl),
    /// Any function: declared, an expression, a method, a getter or setter.
    Function(&'a Function),
    Arrow(&'a ArrowExpr),
}

/// The handlers of one rule over one file. Each has a default that does nothing; a rule
/// implements the ones named in its `META.handles` and `finish`.
#[allow(unused_variables)]
pub trait Rule {
    fn on_call(&mut self, cx: &Context, call: &CallExpr) {}
    fn on_new(&mut self, cx: &Context, new: &NewExpr) {}
    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {}
    fn on_unary(&mut self, cx: &Context, unary: &UnaryExpr) {}
    fn on_bin(&mut self, cx: &Context, bin: &BinExpr) {}
    /// A member expression and how the expression around it uses its value.
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

impl Handles {
    pub const NONE: Handles = Handles(0);
    pub const CALL: Handles = Handles(1);
    pub const NEW: Handles = Handles(1 << 1);
    pub const ASSIGN: Handles = Handles(1 << 2);
    pub const UNARY: Handles = Handles(1 << 3);
    pub const BIN: Handles = Handles(1 << 4);
    pub const MEMBER: Handles = Handles(1 << 5);
    pub const VAR_DECLARATOR: Handles = Handles(1 << 6);
    pub const IMPORT: Handles = Handles(1 << 7);
    pub const CLASS_DECL: Handles = Handles(1 << 8);
    pub const FUNCTION: Handles = Handles(1 << 9);
    const KINDS: usize = 10;

    pub const fn and(self, other: Handles) -> Handles {
        Handles(self.0 | other.0)
    }

    fn contains(self, kind: usize) -> bool {
        self.0 & (1 << kind) != 0
    }
}

/// Where the traversal is, for rules that look at the code around a node.
#[derive(Debug, Default)]
pub struct WalkState {
    /// Expression statements and `if`s around the current node, outermost first.
    pub(crate) statements: Vec<Span>,
    /// Blocks and function bodies around the current node, outermost first.
    pub(crate) blocks: Vec<Span>,
}

const CALL: usize = 0;
const NEW: usize = 1;
const ASSIGN: usize = 2;
const UNARY: usize = 3;
const BIN: usize = 4;
const MEMBER: usize = 5;
const VAR_DECLARATOR: usize = 6;
const IMPORT: usize = 7;
const CLASS_DECL: usize = 8;
const FUNCTION: usize = 9;

/// Runs the rules' handlers over the program in one traversal, then each rule's `finish`.
pub fn run(cx: &mut Context, rules: Vec<(Handles, Box<dyn Rule>)>) {
    let mut by_kind: [Vec<usize>; Handles::KINDS] = Default::default();
    for (i, (handles, _)) in rules.iter().enumerate() {
        for (kind, list) in by_kind.iter_mut().enumerate() {
            if handles.contains(kind) {
                list.push(i);
            }
        }
    }
    let mut rules: Vec<Box<dyn Rule>> = rules.into_iter().map(|(_, rule)| rule).collect();
    if by_kind.iter().any(|list| !list.is_empty()) {
        let program = cx.program;
        let mut dispatch = Dispatch {
            cx,
            rules: &mut rules,
            by_kind,
            next_role: Role::Escapes,
        };
        program.visit_with(&mut dispatch);
    }
    for rule in &mut rules {
        rule.finish(cx);
    }
}

struct Dispatch<'c, 'a, 'r> {
    cx: &'c mut Context<'a>,
    rules: &'r mut [Box<dyn Rule>],
    by_kind: [Vec<usize>; Handles::KINDS],
    /// The role the next visited expression plays in its parent; taken when it is visited.
    next_role: Role,
}

/// Calls `$handler` of every rule that handles `$kind`.
macro_rules! dispatch {
    ($self:ident, $kind:expr, $handler:ident($($arg:expr),*)) => {
        for &i in &$self.by_kind[$kind] {
            $self.rules[i].$handler(&*$self.cx, $($arg),*);
        }
    };
}

impl Dispatch<'_, '_, '_> {
    /// Visits `expr` as a child playing `role`.
    fn visit_as(&mut self, expr: &Expr, role: Role) {
        self.next_role = role;
        expr.visit_with(self);
    }

    fn member(&mut self, member: &MemberExpr, role: Role) {
        dispatch!(self, MEMBER, on_member(member, role));
        self.visit_as(&member.obj, Role::Object);
        member.prop.visit_with(self);
    }
}

impl Visit for Dispatch<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &Expr) {
        let role = std::mem::take(&mut self.next_role);
        match expr {
            // Parentheses and type-only wrappers pass their role on.
            Expr::Paren(_)
            | Expr::TsAs(_)
            | Expr::TsNonNull(_)
            | Expr::TsSatisfies(_)
            | Expr::TsTypeAssertion(_)
            | Expr::TsConstAssertion(_) => {
                self.next_role = role;
                expr.visit_children_with(self);
            }
            Expr::Member(member) => self.member(member, role),
            _ => expr.visit_children_with(self),
        }
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        // Reached directly, not through an expression: an assignment target, an optional chain.
        let role = std::mem::take(&mut self.next_role);
        self.member(member, role);
    }

    fn visit_stmt(&mut self, stmt: &Stmt) {
        let tracked = matches!(stmt, Stmt::Expr(_) | Stmt::If(_));
        if tracked {
            self.cx.walk.statements.push(stmt.span());
        }
        stmt.visit_children_with(self);
        if tracked {
            self.cx.walk.statements.pop();
        }
    }

    fn visit_block_stmt(&mut self, block: &BlockStmt) {
        self.cx.walk.blocks.push(block.span);
        block.visit_children_with(self);
        self.cx.walk.blocks.pop();
    }

    fn visit_function_body(&mut self, body: &FunctionBody) {
        self.cx.walk.blocks.push(body.span);
        body.visit_children_with(self);
        self.cx.walk.blocks.pop();
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        dispatch!(self, CALL, on_call(call));
        match &call.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                // `x.m(…)`: the callee's object is the call's receiver.
                Expr::Member(member) => {
                    dispatch!(self, MEMBER, on_member(member, Role::Escapes));
                    self.visit_as(&member.obj, Role::Receiver(call.span.lo));
                    member.prop.visit_with(self);
                }
                _ => self.visit_as(callee, Role::Escapes),
            },
            other => other.visit_with(self),
        }
        call.type_args.visit_with(self);
        let role = argument_role(call);
        for arg in &call.args {
            self.visit_as(&arg.expr, role);
        }
    }

    fn visit_new_expr(&mut self, new: &NewExpr) {
        dispatch!(self, NEW, on_new(new));
        self.visit_as(&new.callee, Role::Escapes);
        let role = constructor_argument_role(new);
        for arg in new.args.iter().flatten() {
            self.visit_as(&arg.expr, role);
        }
    }

    fn visit_assign_expr(&mut self, assign: &AssignExpr) {
        dispatch!(self, ASSIGN, on_assign(assign));
        self.next_role = Role::Assigned;
        assign.left.visit_with(self);
        self.visit_as(&assign.right, Role::Escapes);
    }

    fn visit_unary_expr(&mut self, unary: &UnaryExpr) {
        dispatch!(self, UNARY, on_unary(unary));
        let role = match unary.op {
            UnaryOp::TypeOf => Role::Inspected,
            UnaryOp::Delete => Role::Deleted,
            _ => Role::Escapes,
        };
        self.visit_as(&unary.arg, role);
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        dispatch!(self, BIN, on_bin(bin));
        let role = if compares(bin.op) {
            Role::Inspected
        } else {
            Role::Escapes
        };
        self.visit_as(&bin.left, role);
        self.visit_as(&bin.right, role);
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        stmt.left.visit_with(self);
        self.visit_as(&stmt.right, Role::Inspected);
        stmt.body.visit_with(self);
    }

    fn visit_for_in_stmt(&mut self, stmt: &ForInStmt) {
        stmt.left.visit_with(self);
        self.visit_as(&stmt.right, Role::Inspected);
        stmt.body.visit_with(self);
    }

    fn visit_spread_element(&mut self, spread: &SpreadElement) {
        self.visit_as(&spread.expr, Role::Inspected);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        dispatch!(self, VAR_DECLARATOR, on_var_declarator(declarator));
        declarator.visit_children_with(self);
    }

    fn visit_import_decl(&mut self, import: &ImportDecl) {
        dispatch!(self, IMPORT, on_import(import));
    }

    fn visit_class_decl(&mut self, decl: &ClassDecl) {
        dispatch!(self, CLASS_DECL, on_class_decl(decl));
        decl.visit_children_with(self);
    }

    fn visit_fn_decl(&mut self, decl: &FnDecl) {
        dispatch!(self, FUNCTION, on_function(FunctionNode::Declaration(decl)));
        decl.visit_children_with(self);
    }

    fn visit_function(&mut self, function: &Function) {
        dispatch!(
            self,
            FUNCTION,
            on_function(FunctionNode::Function(function))
        );
        function.visit_children_with(self);
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        dispatch!(self, FUNCTION, on_function(FunctionNode::Arrow(arrow)));
        arrow.visit_children_with(self);
    }

    // Types hold no values.
    fn visit_ts_type(&mut self, _: &TsType) {}
    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}
    fn visit_ts_interface_decl(&mut self, _: &TsInterfaceDecl) {}
    fn visit_ts_type_alias_decl(&mut self, _: &TsTypeAliasDecl) {}
}
