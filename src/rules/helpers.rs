//! Small questions the rules ask of AST nodes.

use swc_atoms::Atom;
use swc_common::{Span, Spanned};
use swc_ecma_ast::*;

pub use crate::semantic::lifetime::{callee_ident, is_effect_hook_call, prop_name, unwrap};
use crate::semantic::{ScopeKind, Semantic};

/// `obj.method(…)`: the receiver and the method name.
pub fn method_call(call: &CallExpr) -> Option<(&Expr, &Atom)> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    match unwrap(callee) {
        Expr::Member(member) => Some((&member.obj, prop_name(&member.prop)?)),
        Expr::OptChain(chain) => match &*chain.base {
            OptChainBase::Member(member) => Some((&member.obj, prop_name(&member.prop)?)),
            OptChainBase::Call(_) => None,
        },
        _ => None,
    }
}

/// The span of what a call calls (`cache.set` in `cache.set(k, v)`): a short place to point at.
pub fn callee_span(call: &CallExpr) -> Span {
    match &call.callee {
        Callee::Expr(callee) => callee.span(),
        _ => call.span,
    }
}

/// A string literal or a template literal without substitutions.
pub fn string_value(expr: &Expr) -> Option<String> {
    match unwrap(expr) {
        Expr::Lit(Lit::Str(s)) => Some(s.value.to_atom_lossy().to_string()),
        Expr::Tpl(tpl) if tpl.exprs.is_empty() => tpl.quasis.first().map(|q| match &q.cooked {
            Some(cooked) => cooked.to_atom_lossy().to_string(),
            None => q.raw.to_string(),
        }),
        _ => None,
    }
}

/// Is `ident` an unresolved reference to one of `names` (a global that is not shadowed)?
pub fn is_global(semantic: &Semantic, ident: &Ident, names: &[&str]) -> bool {
    // The name first: it rules out nearly every identifier without a lookup.
    let name: &str = &ident.sym;
    names.contains(&name) && semantic.is_global_ref(ident, name)
}

/// Names that stand for the global object.
pub const GLOBAL_OBJECTS: &[&str] = &["global", "globalThis", "window"];

/// The span of the function (or arrow, method, constructor) that contains `span`.
pub fn enclosing_function(semantic: &Semantic, span: Span) -> Option<Span> {
    semantic
        .ancestors(semantic.scope_at(span))
        .map(|id| semantic.scope(id))
        .find(|scope| matches!(scope.kind, ScopeKind::Function | ScopeKind::Arrow))
        .map(|scope| scope.span)
}

/// The first line of a span, shortened, for messages.
pub fn snippet(text: &str, span: Span) -> String {
    let range = crate::diagnostic::Range::from_span(span);
    let code = text.get(range.start..range.end).unwrap_or("");
    let line = code.lines().next().unwrap_or("");
    // The first line is all of it unless a line break ends it (the test is not a scan of the
    // rest: a span can be a whole chain of calls).
    if line.chars().count() > 40 || line.len() < code.len() {
        let short: String = line.chars().take(37).collect();
        format!("{short}…")
    } else {
        line.to_string()
    }
}
