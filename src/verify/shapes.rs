//! What arguments to make up for a function: one shape per parameter, read from its pattern,
//! its TypeScript annotation and how the body uses it (`req.headers.authorization` makes an
//! object with `headers.authorization`; `n * 2` a number; `cb()` a function). The driver turns
//! each shape into a value that differs on every call (`"k0"`, `"k1"`, …), because a cache keyed
//! by unique values is exactly what grows.

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

/// How the body uses one name: property paths read or called, and whether it is called or used
/// as a number.
#[derive(Default, Debug)]
struct Usage {
    called: bool,
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
        } else if self.called {
            Shape::Fn
        } else if self.numeric {
            Shape::Num
        } else if self.array {
            Shape::Arr {
                e: vec![Shape::Str, Shape::Str],
            }
        } else if !self.props.is_empty() {
            Shape::Obj {
                p: self
                    .props
                    .iter()
                    .map(|(k, u)| (k.clone(), u.shape_named(k)))
                    .collect(),
            }
        } else if self.indexed && !self.stringy {
            Shape::Obj { p: BTreeMap::new() }
        } else {
            Shape::Str
        }
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
        if let Some(path) = self.path(expr) {
            self.usage.at(&path).numeric = true;
        }
    }
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
                call.args.visit_with(self);
                return;
            }
        }
        call.visit_children_with(self);
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
}
