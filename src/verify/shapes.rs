//! What arguments to make up for a function: one shape per parameter, read from its pattern,
//! its TypeScript annotation and how the body uses it (`req.headers.authorization` makes an
//! object with `headers.authorization`; `n * 2` a number; `cb()` or `emitter.on('x', cb)` a
//! function; `await p` a promise; `for (const x of xs)` an array; `new Ctor()` a class;
//! `socket.on(…)` an emitter). The driver turns each shape into a value that differs on every
//! call (`"k0"`, `"k1"`, …), because a cache keyed by unique values is exactly what grows.

use std::collections::BTreeMap;

use serde::Serialize;
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::rules::helpers::{prop_name, unwrap};

/// Objects nest at most this deep; deeper property paths end in a string.
const MAX_DEPTH: usize = 4;
/// At most this many properties per synthesized object.
const MAX_PROPS: usize = 16;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "k")]
pub enum Shape {
    #[serde(rename = "str")]
    Str,
    #[serde(rename = "num")]
    Num,
    #[serde(rename = "bool")]
    Bool,
    #[serde(rename = "fn")]
    Fn,
    /// Called with `new`: a fresh class.
    #[serde(rename = "class")]
    Class,
    /// Awaited or given `.then`: a promise that resolves.
    #[serde(rename = "thenable")]
    Thenable,
    /// Given listeners (`.on`, `.addEventListener`): an emitter with the data properties `p`
    /// the body reads; `dom` for an `EventTarget`.
    #[serde(rename = "emitter")]
    Emitter {
        p: BTreeMap<String, Shape>,
        dom: bool,
    },
    #[serde(rename = "obj")]
    Obj { p: BTreeMap<String, Shape> },
    #[serde(rename = "arr")]
    Arr { e: Vec<Shape> },
    /// A rest parameter: nothing.
    #[serde(rename = "undef")]
    Undef,
    /// Given to `require()`: a JSON file next to the module (loading one runs no code).
    #[serde(rename = "path")]
    Path,
    /// Named like a URL (`url`, `endpoint`): `http://127.0.0.1:9/k0`.
    #[serde(rename = "url")]
    Url,
}

/// Parameter names that hold a URL.
const URL_NAMES: &[&str] = &["url", "uri", "href", "endpoint", "link", "src", "address"];

const STRING_METHODS: &[&str] = &[
    "toLowerCase",
    "toUpperCase",
    "trim",
    "split",
    "startsWith",
    "endsWith",
    "padStart",
    "padEnd",
    "charAt",
    "charCodeAt",
    "replace",
    "replaceAll",
    "localeCompare",
    "normalize",
];
const ARRAY_METHODS: &[&str] = &[
    "map", "forEach", "filter", "reduce", "some", "every", "find", "join", "flatMap",
];
const NUMBER_METHODS: &[&str] = &["toFixed", "toPrecision"];
/// Methods of a promise: a name they are called on is awaited.
const PROMISE_METHODS: &[&str] = &["then", "catch", "finally"];
/// Methods of an emitter: a name they are called on gets listeners.
const EMITTER_METHODS: &[&str] = &[
    "on",
    "once",
    "addListener",
    "prependListener",
    "prependOnceListener",
    "off",
    "removeListener",
    "removeAllListeners",
    "emit",
    "addEventListener",
    "removeEventListener",
    "dispatchEvent",
];
/// The `EventTarget` ones among them.
const DOM_EVENT_METHODS: &[&str] = &["addEventListener", "removeEventListener", "dispatchEvent"];
/// Functions that take a callback first: `setTimeout(fn)`.
const CALLBACK_FIRST: &[&str] = &[
    "setTimeout",
    "setInterval",
    "setImmediate",
    "queueMicrotask",
    "requestAnimationFrame",
    "requestIdleCallback",
    "nextTick",
];
/// Array methods whose first argument is a callback: `xs.forEach(fn)`.
const ARRAY_CALLBACK_METHODS: &[&str] = &[
    "map",
    "forEach",
    "filter",
    "reduce",
    "reduceRight",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "flatMap",
    "sort",
];
/// Static functions that iterate their first argument: `Array.from(xs)`, `Promise.all(ps)`.
const ITERATING_FUNCTIONS: &[(&str, &str)] = &[
    ("Array", "from"),
    ("Promise", "all"),
    ("Promise", "allSettled"),
    ("Promise", "race"),
    ("Promise", "any"),
];

/// How the body uses one name: property paths read or called, and whether it is called or used
/// as a number.
#[derive(Default, Debug)]
struct Usage {
    called: bool,
    /// Handed over as a listener or callback (`emitter.on('x', fn)`, `setTimeout(fn)`).
    listener: bool,
    /// Called with `new`.
    constructed: bool,
    /// Awaited, or given `.then`/`.catch`/`.finally`.
    awaited: bool,
    /// Iterated (`for…of`) or spread (`...xs`).
    iterated: bool,
    /// What `for (const { id } of xs)` takes from each element.
    element: Option<Shape>,
    /// Given listeners (`.on`, `.emit`); `dom` when through `addEventListener`.
    emitter: bool,
    dom: bool,
    numeric: bool,
    stringy: bool,
    array: bool,
    indexed: bool,
    /// Given to `require()`, `require.resolve()` or `import()`.
    module_path: bool,
    props: BTreeMap<String, Usage>,
}

impl Usage {
    fn at(&mut self, path: &[Atom]) -> &mut Usage {
        let mut usage = self;
        for name in path.iter().take(MAX_DEPTH) {
            if usage.props.len() >= MAX_PROPS && !usage.props.contains_key(&**name) {
                break;
            }
            usage = usage.props.entry(name.to_string()).or_default();
        }
        usage
    }

    fn shape_named(&self, name: &str) -> Shape {
        match self.shape() {
            Shape::Str if URL_NAMES.contains(&name.to_ascii_lowercase().as_str()) => Shape::Url,
            shape => shape,
        }
    }

    fn shape(&self) -> Shape {
        if self.module_path {
            Shape::Path
        } else if self.constructed {
            Shape::Class
        } else if self.called || self.listener {
            Shape::Fn
        } else if self.awaited {
            Shape::Thenable
        } else if self.emitter {
            // Before arrays: `socket.join(room)` is not `Array.prototype.join`.
            Shape::Emitter {
                p: self.prop_shapes(),
                dom: self.dom,
            }
        } else if self.numeric {
            Shape::Num
        } else if self.array || self.iterated {
            let element = self.element.clone().unwrap_or(Shape::Str);
            Shape::Arr {
                e: vec![element.clone(), element],
            }
        } else if !self.props.is_empty() {
            Shape::Obj {
                p: self.prop_shapes(),
            }
        } else if self.indexed && !self.stringy {
            Shape::Obj { p: BTreeMap::new() }
        } else {
            Shape::Str
        }
    }
}

impl Usage {
    fn prop_shapes(&self) -> BTreeMap<String, Shape> {
        self.props
            .iter()
            .map(|(k, u)| (k.clone(), u.shape_named(k)))
            .collect()
    }
}

/// Shapes for the parameters of a function whose body is `body`.
pub fn param_shapes<'a>(params: impl Iterator<Item = &'a Pat>, body: &dyn Walkable) -> Vec<Shape> {
    params.map(|pat| pat_shape(pat, body)).collect()
}

/// Something a usage visitor can walk: a function body or an arrow's expression body.
pub trait Walkable {
    fn walk(&self, visitor: &mut UsageVisitor);
}

impl Walkable for FunctionBody {
    fn walk(&self, visitor: &mut UsageVisitor) {
        self.visit_with(visitor);
    }
}

impl Walkable for ArrowFunctionBody {
    fn walk(&self, visitor: &mut UsageVisitor) {
        self.visit_with(visitor);
    }
}

impl Walkable for Stmt {
    fn walk(&self, visitor: &mut UsageVisitor) {
        self.visit_with(visitor);
    }
}

impl Walkable for Option<FunctionBody> {
    fn walk(&self, visitor: &mut UsageVisitor) {
        if let Some(block) = self {
            block.visit_with(visitor);
        }
    }
}

fn pat_shape(pat: &Pat, body: &dyn Walkable) -> Shape {
    match pat {
        Pat::Ident(binding) => {
            let usage = usage_of(&binding.id.sym, body);
            let annotated = binding
                .type_ann
                .as_ref()
                .and_then(|t| type_shape(&t.type_ann));
            match annotated {
                Some(_) if usage.module_path => Shape::Path,
                Some(Shape::Str) => Usage::default().shape_named(&binding.id.sym),
                Some(shape) => shape,
                None => usage.shape_named(&binding.id.sym),
            }
        }
        Pat::Object(object) => {
            let mut props = BTreeMap::new();
            for prop in &object.props {
                match prop {
                    ObjectPatProp::KeyValue(kv) => {
                        if let Some(key) = prop_key(&kv.key) {
                            props.insert(key, pat_shape(&kv.value, body));
                        }
                    }
                    ObjectPatProp::Assign(assign) => {
                        let usage = usage_of(&assign.key.id.sym, body);
                        let shape = match &assign.value {
                            Some(default) if usage.props.is_empty() && !usage.called => {
                                literal_shape(default)
                                    .unwrap_or_else(|| usage.shape_named(&assign.key.id.sym))
                            }
                            _ => usage.shape_named(&assign.key.id.sym),
                        };
                        props.insert(assign.key.id.sym.to_string(), shape);
                    }
                    ObjectPatProp::Rest(_) => {}
                }
            }
            Shape::Obj { p: props }
        }
        Pat::Array(array) => Shape::Arr {
            e: array
                .elems
                .iter()
                .map(|e| e.as_ref().map_or(Shape::Str, |p| pat_shape(p, body)))
                .collect(),
        },
        Pat::Assign(assign) => {
            let shape = pat_shape(&assign.left, body);
            match (&*assign.left, literal_shape(&assign.right)) {
                (Pat::Ident(_), Some(literal)) if shape == Shape::Str => literal,
                _ => shape,
            }
        }
        Pat::Rest(_) => Shape::Undef,
        _ => Shape::Str,
    }
}

/// The pattern a `for…of` binds each element to (`const { id } of xs` → `{ id }`).
fn loop_binding(head: &ForHead) -> Option<&Pat> {
    match head {
        ForHead::VarDecl(decl) => decl.decls.first().map(|d| &d.name),
        ForHead::Pat(pat) => Some(pat),
        ForHead::UsingDecl(_) => None,
    }
}

fn prop_key(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(name) => Some(name.sym.to_string()),
        PropName::Str(s) => Some(s.value.to_atom_lossy().to_string()),
        PropName::Num(n) => Some(n.value.to_string()),
        _ => None,
    }
}

fn literal_shape(expr: &Expr) -> Option<Shape> {
    match unwrap(expr) {
        Expr::Lit(Lit::Num(_)) => Some(Shape::Num),
        Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) => Some(Shape::Str),
        Expr::Lit(Lit::Bool(_)) => Some(Shape::Bool),
        Expr::Object(_) => Some(Shape::Obj { p: BTreeMap::new() }),
        Expr::Array(_) => Some(Shape::Arr { e: Vec::new() }),
        Expr::Arrow(_) | Expr::Fn(_) => Some(Shape::Fn),
        _ => None,
    }
}

fn type_shape(ty: &TsType) -> Option<Shape> {
    match ty {
        TsType::TsKeywordType(keyword) => match keyword.kind {
            TsKeywordTypeKind::TsNumberKeyword => Some(Shape::Num),
            TsKeywordTypeKind::TsStringKeyword => Some(Shape::Str),
            TsKeywordTypeKind::TsBooleanKeyword => Some(Shape::Bool),
            _ => None,
        },
        TsType::TsFnOrConstructorType(_) => Some(Shape::Fn),
        TsType::TsArrayType(array) => Some(Shape::Arr {
            e: vec![type_shape(&array.elem_type).unwrap_or(Shape::Str); 2],
        }),
        TsType::TsTypeLit(lit) => {
            let mut props = BTreeMap::new();
            for member in &lit.members {
                if let TsTypeElement::TsPropertySignature(sig) = member {
                    if let Expr::Ident(key) = &*sig.key {
                        let shape = sig
                            .type_ann
                            .as_ref()
                            .and_then(|t| type_shape(&t.type_ann))
                            .unwrap_or(Shape::Str);
                        props.insert(key.sym.to_string(), shape);
                    }
                } else if let TsTypeElement::TsMethodSignature(sig) = member {
                    if let Expr::Ident(key) = &*sig.key {
                        props.insert(key.sym.to_string(), Shape::Fn);
                    }
                }
            }
            Some(Shape::Obj { p: props })
        }
        TsType::TsParenthesizedType(inner) => type_shape(&inner.type_ann),
        TsType::TsLitType(lit) => match &lit.lit {
            TsLit::Number(_) => Some(Shape::Num),
            TsLit::Str(_) | TsLit::Tpl(_) => Some(Shape::Str),
            TsLit::Bool(_) => Some(Shape::Bool),
            TsLit::BigInt(_) => None,
        },
        _ => None,
    }
}

fn usage_of(name: &Atom, body: &dyn Walkable) -> Usage {
    let mut visitor = UsageVisitor {
        name: name.clone(),
        usage: Usage::default(),
    };
    body.walk(&mut visitor);
    visitor.usage
}

pub struct UsageVisitor {
    name: Atom,
    usage: Usage,
}

impl UsageVisitor {
    /// `name.a.b` → [a, b]; `None` when the chain is not rooted at the name. A computed
    /// property ends the path (and marks the object as indexed).
    fn path(&mut self, expr: &Expr) -> Option<Vec<Atom>> {
        match unwrap(expr) {
            Expr::Ident(ident) if ident.sym == self.name => Some(Vec::new()),
            Expr::Member(member) => self.member_path(member),
            _ => None,
        }
    }

    fn member_path(&mut self, member: &MemberExpr) -> Option<Vec<Atom>> {
        let mut path = self.path(&member.obj)?;
        match prop_name(&member.prop) {
            Some(name) => path.push(name.clone()),
            None => {
                self.usage.at(&path).indexed = true;
                return None;
            }
        }
        Some(path)
    }

    fn mark_numeric(&mut self, expr: &Expr) {
        self.mark(expr, |u| u.numeric = true);
    }

    /// Marks the usage of `expr` when it is the name or a path from it.
    fn mark(&mut self, expr: &Expr, set: impl FnOnce(&mut Usage)) {
        if let Some(path) = self.path(expr) {
            set(self.usage.at(&path));
        }
    }

    /// Arguments that a call hands over as callbacks, and spread ones.
    fn mark_call_args(&mut self, callee: Option<&Expr>, args: &[ExprOrSpread]) {
        let takes_callbacks_from = callee.map_or(usize::MAX, callback_position);
        for (i, arg) in args.iter().enumerate() {
            if arg.spread.is_some() {
                self.mark(&arg.expr, |u| u.iterated = true);
            } else if i >= takes_callbacks_from {
                self.mark(&arg.expr, |u| u.listener = true);
            }
        }
        if callee.is_some_and(iterates_first_argument) {
            if let Some(first) = args.first() {
                self.mark(&first.expr, |u| u.iterated = true);
            }
        }
    }
}

/// From which argument on a call with this callee takes callbacks: listeners from the second
/// (`emitter.on('x', fn)`), timers and array methods from the first; `usize::MAX` for none.
fn callback_position(callee: &Expr) -> usize {
    match unwrap(callee) {
        Expr::Ident(i) if CALLBACK_FIRST.contains(&&*i.sym) => 0,
        Expr::Member(m) => match prop_name(&m.prop).map(|p| &**p) {
            Some(p) if EMITTER_METHODS.contains(&p) && p != "emit" => 1,
            Some(p) if CALLBACK_FIRST.contains(&p) => 0,
            Some(p) if ARRAY_CALLBACK_METHODS.contains(&p) || PROMISE_METHODS.contains(&p) => 0,
            _ => usize::MAX,
        },
        _ => usize::MAX,
    }
}

fn iterates_first_argument(callee: &Expr) -> bool {
    let Expr::Member(m) = unwrap(callee) else {
        return false;
    };
    let (Expr::Ident(object), Some(prop)) = (unwrap(&m.obj), prop_name(&m.prop)) else {
        return false;
    };
    ITERATING_FUNCTIONS
        .iter()
        .any(|(o, p)| object.sym == *o && prop == p)
}

impl Visit for UsageVisitor {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        let loads_module = match &call.callee {
            Callee::Import(_) => true,
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Ident(i) => i.sym == "require",
                Expr::Member(m) => {
                    matches!(unwrap(&m.obj), Expr::Ident(i) if i.sym == "require")
                        && prop_name(&m.prop).is_some_and(|p| p == "resolve")
                }
                _ => false,
            },
            Callee::Super(_) => false,
        };
        if loads_module {
            if let Some(path) = call.args.first().and_then(|a| self.path(&a.expr)) {
                self.usage.at(&path).module_path = true;
            }
        }
        if let Callee::Expr(callee) = &call.callee {
            if let Some(mut path) = self.path(callee) {
                let method = path.last().map(|m| m.to_string());
                match method.as_deref() {
                    Some(m) if PROMISE_METHODS.contains(&m) && !path.is_empty() => {
                        path.pop();
                        self.usage.at(&path).awaited = true;
                    }
                    Some(m) if EMITTER_METHODS.contains(&m) && !path.is_empty() => {
                        path.pop();
                        let usage = self.usage.at(&path);
                        usage.emitter = true;
                        usage.dom |= DOM_EVENT_METHODS.contains(&m);
                    }
                    Some(m) if STRING_METHODS.contains(&m) => {
                        path.pop();
                        self.usage.at(&path).stringy = true;
                    }
                    Some(m) if ARRAY_METHODS.contains(&m) => {
                        path.pop();
                        self.usage.at(&path).array = true;
                    }
                    Some(m) if NUMBER_METHODS.contains(&m) => {
                        path.pop();
                        self.usage.at(&path).numeric = true;
                    }
                    _ => self.usage.at(&path).called = true,
                }
                self.mark_call_args(Some(callee), &call.args);
                call.args.visit_with(self);
                return;
            }
        }
        let callee = match &call.callee {
            Callee::Expr(callee) => Some(&**callee),
            _ => None,
        };
        self.mark_call_args(callee, &call.args);
        call.visit_children_with(self);
    }

    fn visit_new_expr(&mut self, new: &NewExpr) {
        self.mark(&new.callee, |u| u.constructed = true);
        if let Some(args) = &new.args {
            self.mark_call_args(None, args);
        }
        new.visit_children_with(self);
    }

    fn visit_await_expr(&mut self, expr: &AwaitExpr) {
        self.mark(&expr.arg, |u| u.awaited = true);
        expr.visit_children_with(self);
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        let element = loop_binding(&stmt.left).map(|pat| pat_shape(pat, &*stmt.body));
        self.mark(&stmt.right, |u| {
            u.iterated = true;
            if u.element.is_none() {
                u.element = element;
            }
        });
        stmt.visit_children_with(self);
    }

    fn visit_array_lit(&mut self, array: &ArrayLit) {
        for elem in array.elems.iter().flatten() {
            if elem.spread.is_some() {
                self.mark(&elem.expr, |u| u.iterated = true);
            }
        }
        array.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if let Some(path) = self.member_path(member) {
            self.usage.at(&path);
        }
        member.visit_children_with(self);
    }

    fn visit_bin_expr(&mut self, bin: &BinExpr) {
        use BinaryOp::*;
        let numeric = matches!(
            bin.op,
            Sub | Mul
                | Div
                | Mod
                | Exp
                | Lt
                | LtEq
                | Gt
                | GtEq
                | BitAnd
                | BitOr
                | BitXor
                | LShift
                | RShift
                | ZeroFillRShift
        ) || (bin.op == Add
            && (matches!(unwrap(&bin.left), Expr::Lit(Lit::Num(_)))
                || matches!(unwrap(&bin.right), Expr::Lit(Lit::Num(_)))));
        if numeric {
            self.mark_numeric(&bin.left);
            self.mark_numeric(&bin.right);
        }
        bin.visit_children_with(self);
    }

    fn visit_update_expr(&mut self, update: &UpdateExpr) {
        self.mark_numeric(&update.arg);
        update.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceType;

    fn shapes(code: &str) -> Vec<Shape> {
        let parsed = crate::parse::parse(
            code,
            SourceType::from_path(std::path::Path::new("a.ts")).unwrap(),
            false,
        );
        let program = parsed.program.expect("parses");
        let Program::Script(script) = program else {
            panic!("a script")
        };
        let Stmt::Decl(Decl::Fn(f)) = &script.body[0] else {
            panic!("a function")
        };
        param_shapes(f.function.params.iter().map(|p| &p.pat), &f.function.body)
    }

    fn obj(props: &[(&str, Shape)]) -> Shape {
        Shape::Obj {
            p: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn shapes_follow_use() {
        assert_eq!(
            shapes("function f(id) { cache.set(id, 1) }"),
            vec![Shape::Str]
        );
        assert_eq!(
            shapes("function f(req) { seen[req.headers.authorization] = req.user.id }"),
            vec![obj(&[
                ("headers", obj(&[("authorization", Shape::Str)])),
                ("user", obj(&[("id", Shape::Str)])),
            ])]
        );
        assert_eq!(
            shapes("function f(n, cb) { return cb(n * 2) }"),
            vec![Shape::Num, Shape::Fn]
        );
        assert_eq!(
            shapes("function f({ id, retries = 3 }, [a]) {}"),
            vec![
                obj(&[("id", Shape::Str), ("retries", Shape::Num)]),
                Shape::Arr {
                    e: vec![Shape::Str]
                }
            ]
        );
        assert_eq!(
            shapes("function f(a: number, b: { x: string; go(): void }, ...rest) {}"),
            vec![
                Shape::Num,
                obj(&[("go", Shape::Fn), ("x", Shape::Str)]),
                Shape::Undef
            ]
        );
        assert_eq!(
            shapes("function f(name) { return name.toLowerCase() }"),
            vec![Shape::Str]
        );
        assert_eq!(
            shapes("function f(items) { items.forEach(x => x) }"),
            vec![Shape::Arr {
                e: vec![Shape::Str, Shape::Str]
            }]
        );
    }

    fn emitter(props: &[(&str, Shape)], dom: bool) -> Shape {
        let Shape::Obj { p } = obj(props) else {
            unreachable!()
        };
        Shape::Emitter { p, dom }
    }

    #[test]
    fn callbacks_promises_iterables_classes_and_emitters_follow_use() {
        // Handed over as a listener, a timer's callback, an array method's callback.
        assert_eq!(
            shapes("function f(a, b, c, xs) { bus.on('x', a); setTimeout(b, 10); xs.forEach(c); }"),
            vec![
                Shape::Fn,
                Shape::Fn,
                Shape::Fn,
                Shape::Arr {
                    e: vec![Shape::Str, Shape::Str]
                }
            ]
        );
        // Awaited, or given `.then`: a promise, not an object whose `then` never calls back.
        assert_eq!(
            shapes("async function f(p, q) { await p; q.then((v) => v); }"),
            vec![Shape::Thenable, Shape::Thenable]
        );
        // Iterated or spread: an array; a `for…of` pattern shapes its elements.
        assert_eq!(
            shapes(
                "function f(a, b, c) { for (const { id } of a) use(id); g(...b); return [...c]; }"
            ),
            vec![
                Shape::Arr {
                    e: vec![obj(&[("id", Shape::Str)]); 2]
                },
                Shape::Arr {
                    e: vec![Shape::Str, Shape::Str]
                },
                Shape::Arr {
                    e: vec![Shape::Str, Shape::Str]
                }
            ]
        );
        // Called with `new`: a class.
        assert_eq!(
            shapes("function f(Plugin, o) { return new Plugin(o) }"),
            vec![Shape::Class, Shape::Str]
        );
        // Given listeners: an emitter with the data the body reads; `join` is the socket's,
        // not an array's.
        assert_eq!(
            shapes("function f(socket, el) { socket.on('m', () => socket.join(socket.room)); el.addEventListener('click', g); }"),
            vec![
                emitter(&[("room", Shape::Str)], false),
                emitter(&[], true)
            ]
        );
        // Otherwise as before.
        assert_eq!(
            shapes("function f(id, n) { cache.set(id, n + 1) }"),
            vec![Shape::Str, Shape::Num]
        );
    }
}
