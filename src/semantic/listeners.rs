//! The listener vocabulary the model and the rules share (which methods register and remove a
//! listener), and summaries of the file's own wrappers around them:
//! `function on(target, type, fn) { target.addEventListener(type, fn) }` makes every
//! `on(window, 'resize', f)` a registration on `window`.

use rustc_hash::FxHashMap;
use swc_ecma_ast::*;

use super::lifetime::unwrap;
use super::{BindingId, BindingKind, Node, Semantic};

/// Methods that add a listener: `emitter.on(event, listener)`.
pub const REGISTRATION_METHODS: &[&str] = &[
    "on",
    "addListener",
    "prependListener",
    "addEventListener",
    "once",
    "prependOnceListener",
    // Vue 2's instance events, on a bus or the root instance.
    "$on",
    "$once",
];
/// Registrations removed when their event fires: on a long-lived receiver, in code that runs
/// again before the event comes (or when it never comes), they pile up all the same.
pub const ONCE_METHODS: &[&str] = &["once", "prependOnceListener", "$once"];
/// Methods that remove one: `emitter.off(event, listener)`.
pub const REMOVAL_METHODS: &[&str] = &["off", "removeListener", "removeEventListener", "$off"];

/// What a wrapper function does with its parameters: it calls `method` on the parameter at
/// `receiver`, with the parameters at `event` and `listener`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wrapper {
    pub receiver: usize,
    pub event: usize,
    pub listener: usize,
    /// `true` for a removal wrapper (`off(target, type, fn)`).
    pub removes: bool,
    /// `true` when it registers with `once`.
    pub once: bool,
}

/// Library functions that register or remove a listener, with where their arguments go.
const LIBRARY_WRAPPERS: &[(&str, Wrapper)] = &[
    ("goog.events.listen", Wrapper::adds(false)),
    ("goog.events.listenOnce", Wrapper::adds(true)),
    ("goog.events.unlisten", Wrapper::removes()),
    ("ol.events.listen", Wrapper::adds(false)),
    ("ol.events.listenOnce", Wrapper::adds(true)),
    ("ol.events.unlisten", Wrapper::removes()),
];

impl Wrapper {
    /// `(target, type, listener)`, the shape of most library wrappers.
    pub const fn adds(once: bool) -> Wrapper {
        Wrapper {
            receiver: 0,
            event: 1,
            listener: 2,
            removes: false,
            once,
        }
    }

    pub const fn removes() -> Wrapper {
        Wrapper {
            removes: true,
            ..Wrapper::adds(false)
        }
    }
}

/// `goog.events.listen` as the dotted path of a callee (`this.dom.bind` for one on `this`).
pub fn dotted_path(expr: &Expr) -> Option<String> {
    let mut path = String::new();
    dotted(expr, &mut path).then_some(path)
}

fn dotted(expr: &Expr, out: &mut String) -> bool {
    match unwrap(expr) {
        Expr::Ident(ident) => {
            out.push_str(&ident.sym);
            true
        }
        Expr::This(_) => {
            out.push_str("this");
            true
        }
        Expr::Member(member) => {
            let MemberProp::Ident(prop) = &member.prop else {
                return false;
            };
            if !dotted(&member.obj, out) {
                return false;
            }
            out.push('.');
            out.push_str(&prop.sym);
            true
        }
        _ => false,
    }
}

/// The wrappers among the file's named functions, by the binding that names them.
pub(super) fn find_wrappers(semantic: &Semantic) -> FxHashMap<BindingId, Wrapper> {
    let mut wrappers = FxHashMap::default();
    for node in semantic.nodes() {
        let Node::Call(call) = node else { continue };
        let Callee::Expr(callee) = &call.callee else {
            continue;
        };
        let Expr::Member(member) = unwrap(callee) else {
            continue;
        };
        let MemberProp::Ident(method) = &member.prop else {
            continue;
        };
        let removes = REMOVAL_METHODS.contains(&&*method.sym);
        if !removes && !REGISTRATION_METHODS.contains(&&*method.sym) {
            continue;
        }
        let param = |expr: &Expr| -> Option<(BindingId, usize)> {
            let Expr::Ident(ident) = unwrap(expr) else {
                return None;
            };
            let binding = semantic.binding_id_of(ident)?;
            (semantic.binding(binding).kind == BindingKind::Param)
                .then(|| Some((binding, semantic.param_index(binding)?)))?
        };
        let arg = |i: usize| call.args.get(i).map(|a| &*a.expr);
        let (Some((receiver, r)), Some((event, e)), Some((listener, l))) = (
            param(&member.obj),
            arg(0).and_then(param),
            arg(1).and_then(param),
        ) else {
            continue;
        };
        let scope = semantic.binding(receiver).scope;
        if semantic.binding(event).scope != scope || semantic.binding(listener).scope != scope {
            continue;
        }
        if let Some(function) = semantic.function_binding(scope) {
            wrappers.entry(function).or_insert(Wrapper {
                receiver: r,
                event: e,
                listener: l,
                removes,
                once: ONCE_METHODS.contains(&&*method.sym),
            });
        }
    }
    wrappers
}

impl Semantic<'_> {
    /// The wrapper a call calls, when the callee is one of the file's wrapper functions.
    pub fn wrapper_called(&self, call: &CallExpr) -> Option<Wrapper> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Ident(ident) = unwrap(callee) else {
            // Only a call of a method the table names can be one of its functions.
            let Expr::Member(MemberExpr {
                prop: MemberProp::Ident(method),
                ..
            }) = unwrap(callee)
            else {
                return None;
            };
            // Asked for every method call: a suffix test, no iterator.
            let method: &str = &method.sym;
            let names_it = |name: &str| {
                name.strip_suffix(method)
                    .is_some_and(|head| head.ends_with('.'))
            };
            if !LIBRARY_WRAPPERS.iter().any(|(name, _)| names_it(name)) {
                return None;
            }
            let mut path = String::new();
            if !dotted(callee, &mut path) {
                return None;
            }
            return LIBRARY_WRAPPERS
                .iter()
                .find(|(name, _)| *name == path)
                .map(|(_, wrapper)| *wrapper);
        };
        let binding = self.binding_id_of(ident)?;
        self.wrappers
            .get_or_init(|| find_wrappers(self))
            .get(&binding)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::tests::semantic;

    fn wrapper_of_last_call(source: &str) -> Option<Wrapper> {
        let s = semantic(source, "a.js");
        let call = s
            .nodes()
            .iter()
            .rev()
            .find_map(|n| match n {
                Node::Call(call) => Some(*call),
                _ => None,
            })
            .expect("a call");
        s.wrapper_called(call)
    }

    #[test]
    fn wrappers_say_which_parameter_is_which() {
        assert_eq!(
            wrapper_of_last_call("function on(target, type, fn) { if (target.addEventListener) target.addEventListener(type, fn, false); }\non(window, 'resize', f);"),
            Some(Wrapper { receiver: 0, event: 1, listener: 2, removes: false, once: false })
        );
        assert_eq!(
            wrapper_of_last_call("const off = (fn, target, type) => target.removeListener(type, fn);\noff(f, process, 'exit');"),
            Some(Wrapper { receiver: 1, event: 2, listener: 0, removes: true, once: false })
        );
        assert_eq!(
            wrapper_of_last_call("function on(target, fn) { target.on('x', fn); }\non(window, f);"),
            None
        );
    }
}
