//! Key provenance: where the key that grows a collection comes from, so that a rule can tell
//! growth driven by unbounded input (timestamps, random ids, counters, fresh objects, the data of
//! each request) from growth bounded by a closed set of values (tag names, type names, literals
//! at every call site), and say which in its message.

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;

use super::lifetime::unwrap;
use super::{BindingId, BindingKind, Node, Resolution, ScopeKind, Semantic};

/// Facts about names that key provenance asks once per key, gathered in one pass each
/// ([`Semantic::key_facts`]).
#[derive(Debug, Default)]
pub(super) struct KeyFacts {
    /// How many times each binding is written.
    writes: Vec<u32>,
    /// `k < 10`, `0 >= k`: where the comparisons of each name with a number start, in order.
    compared_with_a_number: FxHashMap<BindingId, Vec<BytePos>>,
    /// `table[k]` on a module-level `const` table written as an object literal: where the
    /// lookups of each name in one start, in order.
    looked_up_in_a_table: FxHashMap<BindingId, Vec<BytePos>>,
    /// The position of each parameter among its function's (by where they are declared).
    param_index: FxHashMap<BindingId, usize>,
}

/// Does one of `starts` (in order) fall in `from..to`?
fn any_between(starts: Option<&Vec<BytePos>>, from: BytePos, to: BytePos) -> bool {
    starts.is_some_and(|starts| {
        let first = starts.partition_point(|&start| start < from);
        starts.get(first).is_some_and(|&start| start < to)
    })
}

/// Where a key comes from, most telling first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    /// A new value on every call: the text of the part that makes it new (`Date.now()`).
    Fresh(String),
    /// The data of each event or request a handler runs for: the key's text and the handler.
    EventData { text: String, via: String },
    /// A parameter of the function that grows the collection.
    Parameter {
        /// The key's text (`url`, `options.name`).
        text: String,
        /// The parameter's binding.
        binding: BindingId,
        /// The function's name, when it has one.
        function: Option<Atom>,
    },
    /// One of a closed set of values, and why: every call site passes a literal, a name like
    /// `tagName`, a literal key.
    Closed(&'static str),
    /// Nothing the model can tell.
    Unknown,
}

/// Calls whose result is new on every call.
const FRESH_CALLS: &[&str] = &[
    "now",
    "random",
    "randomUUID",
    "randomBytes",
    "randomInt",
    "uuid",
    "uuidv1",
    "uuidv4",
    "v1",
    "v4",
    "nanoid",
    "cuid",
    "hrtime",
    "Symbol",
];

/// The last word of a name that names one of a closed set of values: tag, type and helper
/// names, locales, shaders, formats, CSS properties, regular-expression sources, file paths.
const CLOSED_WORDS: &[&str] = &[
    "type",
    "types",
    "kind",
    "tag",
    "tagname",
    "nodename",
    "nodetype",
    "locale",
    "lang",
    "language",
    "shader",
    "format",
    "encoding",
    "charset",
    "method",
    "property",
    "prop",
    "propname",
    "attr",
    "attribute",
    "style",
    "stylename",
    "selector",
    "pattern",
    "regex",
    "regexp",
    "words",
    "version",
    "level",
    "mode",
    "helper",
    "helpername",
    "code",
    "cipher",
    "extension",
    "keyword",
    "unit",
    "feature",
    "flag",
    "flags",
    "field",
    "op",
    "operator",
    "char",
    // Files: a memoized read or resolution is bounded by the files on disk.
    "path",
    "file",
    "filename",
    "filepath",
    "dir",
    "dirname",
    "directory",
];

/// The most parts of a key expression looked at before giving up.
const MAX_PARTS: u32 = 64;

const NAMED_CLOSED: &str = "names one of a closed set of values";

/// Words that name values without bound: ids, tokens, sessions, users, addresses, requests.
const OPEN_WORDS: &[&str] = &[
    "id",
    "ids",
    "uuid",
    "guid",
    "token",
    "session",
    "user",
    "users",
    "account",
    "customer",
    "client",
    "url",
    "uri",
    "href",
    "ip",
    "address",
    "email",
    "host",
    "socket",
    "conn",
    "connection",
    "request",
    "req",
    "job",
    "order",
    "timestamp",
    "time",
    "date",
];

/// The words of a name: `getUserToken` is `get`, `user`, `token`; `session_id` is `session`, `id`.
fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase()
            && !current.is_empty()
            && !current.ends_with(|p: char| p.is_ascii_uppercase())
        {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.into_iter()
}

/// Does the text name values without bound (`userId`, `req.url`, `getUserToken`)?
pub fn names_an_open_set(text: &str) -> bool {
    words(text).any(|w| OPEN_WORDS.contains(&w.as_str()))
}

/// Does the name speak of deprecation (`deprecateMessage`, `createDeprecation`)?
fn names_a_deprecation(name: &str) -> bool {
    name.to_ascii_lowercase().contains("deprecat")
}

/// Does the name end in one of the [`CLOSED_WORDS`] (`tagName`, `parentLocale`, `nodeType`)?
pub fn names_a_closed_set(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    CLOSED_WORDS.iter().any(|word| {
        lower == *word
            || (lower.ends_with(word) && {
                // The word starts a new part of the name: `parentLocale`, `tag_name`.
                let start = name.len() - word.len();
                let first = name.as_bytes()[start];
                first.is_ascii_uppercase() || name.as_bytes()[start - 1] == b'_'
            })
    })
}

fn text_of(text: &str, span: Span) -> String {
    let raw = text
        .get(span.lo.0 as usize - 1..span.hi.0 as usize - 1)
        .unwrap_or("");
    let squeezed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if squeezed.chars().count() > 40 {
        let cut: String = squeezed.chars().take(38).collect();
        format!("{cut}…")
    } else {
        squeezed
    }
}

/// What the parts of a key say, gathered over the key expression.
#[derive(Default)]
struct Evidence {
    fresh: Option<String>,
    event: Option<(String, String)>,
    parameter: Option<(String, BindingId)>,
    /// Every part is a literal.
    literal: bool,
    /// Why the values are a closed set, when a part shows it.
    closed: Option<&'static str>,
    unknown: bool,
    /// The parts looked at so far.
    parts: u32,
}

impl Semantic<'_> {
    /// Where `key` comes from, for growth at `at` (the key of `m.set(key, v)`, `s.add(key)`,
    /// `o[key] = v`).
    pub fn key_origin(&self, key: &Expr, at: Span) -> KeyOrigin {
        let mut evidence = Evidence {
            literal: true,
            ..Evidence::default()
        };
        self.gather(key, at, &mut evidence, 0);
        if let Some(fresh) = evidence.fresh {
            return KeyOrigin::Fresh(fresh);
        }
        if let Some((text, via)) = evidence.event {
            return KeyOrigin::EventData { text, via };
        }
        if let Some(reason) = evidence.closed {
            return KeyOrigin::Closed(reason);
        }
        if let Some((text, binding)) = evidence.parameter {
            if self.every_call_passes_a_literal(binding) {
                return KeyOrigin::Closed("every call in this file passes a literal");
            }
            let function = self.function_name(self.binding(binding).scope).cloned();
            // `createDeprecation(message)`, `getModuleGraph(module, deprecateMessage)`: the
            // messages are the code's own, one per deprecated API.
            let deprecation =
                names_a_deprecation(&text) || function.as_deref().is_some_and(names_a_deprecation);
            if deprecation && !names_an_open_set(&text) && !text.contains(['+', '`', '[']) {
                return KeyOrigin::Closed("a deprecation message, written in the code");
            }
            return KeyOrigin::Parameter {
                text,
                binding,
                function,
            };
        }
        if evidence.literal && !evidence.unknown {
            return KeyOrigin::Closed("a literal");
        }
        KeyOrigin::Unknown
    }

    /// `depth` counts the names followed to their initializers; the parts of one expression
    /// are bounded by a budget instead (a key is a handful of parts, and a huge concatenation
    /// must not recurse deep).
    fn gather(&self, expr: &Expr, at: Span, evidence: &mut Evidence, depth: u32) {
        evidence.parts += 1;
        if depth > 4 || evidence.parts > MAX_PARTS {
            evidence.unknown = true;
            return;
        }
        match unwrap(expr) {
            Expr::Lit(_) => {}
            Expr::Tpl(tpl) => {
                for part in &tpl.exprs {
                    self.gather(part, at, evidence, depth);
                }
            }
            Expr::Bin(bin) => {
                self.gather(&bin.left, at, evidence, depth);
                self.gather(&bin.right, at, evidence, depth);
            }
            Expr::Update(update) => {
                evidence
                    .fresh
                    .get_or_insert_with(|| text_of(self.text, update.span));
            }
            Expr::New(new) => {
                evidence
                    .fresh
                    .get_or_insert_with(|| text_of(self.text, new.span));
            }
            Expr::Object(_) | Expr::Array(_) | Expr::Fn(_) | Expr::Arrow(_) | Expr::Class(_) => {
                evidence
                    .fresh
                    .get_or_insert_with(|| "a new object".to_string());
            }
            Expr::Call(call) => self.gather_call(call, at, evidence, depth),
            Expr::Ident(ident) => self.gather_name(ident, ident.span, at, evidence, depth),
            Expr::Member(member) => {
                if let MemberProp::Ident(prop) = &member.prop {
                    if names_a_closed_set(&prop.sym) {
                        evidence.closed = Some(NAMED_CLOSED);
                    }
                }
                match root_of(member) {
                    // A property of a fresh object (`job.name` of `new Job(name)`, `m.id` of
                    // `{ id }`) is not itself new on every call: what the root's initializer
                    // says about freshness does not carry over.
                    Some(root) => {
                        let fresh = evidence.fresh.take();
                        self.gather_name(root, member.span, at, evidence, depth);
                        if evidence.fresh.is_some() {
                            evidence.unknown = true;
                        }
                        evidence.fresh = fresh;
                    }
                    None => {
                        evidence.literal = false;
                        evidence.unknown = true;
                    }
                }
            }
            Expr::Cond(cond) => {
                self.gather(&cond.cons, at, evidence, depth);
                self.gather(&cond.alt, at, evidence, depth);
            }
            _ => {
                evidence.literal = false;
                evidence.unknown = true;
            }
        }
    }

    fn gather_call(&self, call: &CallExpr, at: Span, evidence: &mut Evidence, depth: u32) {
        let name = match &call.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Ident(id) => Some(&id.sym),
                Expr::Member(m) => match &m.prop {
                    MemberProp::Ident(p) => Some(&p.sym),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if name.is_some_and(|n| FRESH_CALLS.contains(&&**n)) {
            evidence
                .fresh
                .get_or_insert_with(|| text_of(self.text, call.span));
            return;
        }
        // `JSON.stringify(req.body)`, `hash(url)`, `String(id)`: the key follows the arguments.
        evidence.literal = false;
        if call.args.is_empty() {
            evidence.unknown = true;
        }
        for arg in &call.args {
            self.gather(&arg.expr, at, evidence, depth);
        }
    }

    fn gather_name(
        &self,
        ident: &Ident,
        whole: Span,
        at: Span,
        evidence: &mut Evidence,
        depth: u32,
    ) {
        // A name is a literal only through a local whose one initializer is (below).
        let literal = std::mem::replace(&mut evidence.literal, false);
        if whole == ident.span && names_a_closed_set(&ident.sym) {
            evidence.closed = Some(NAMED_CLOSED);
        }
        let Some(binding) = self.binding_id_of(ident) else {
            evidence.unknown = true;
            return;
        };
        if whole == ident.span && self.compared_with_a_number(binding, at) {
            evidence.closed = Some("checked against a numeric range first");
        }
        if whole == ident.span && self.looked_up_in_a_table(binding, at) {
            evidence.closed = Some("looked up in a fixed table first");
        }
        let info = self.binding(binding);
        match info.kind {
            BindingKind::Param => {
                // A parameter of the handler itself: the data of each event.
                if let Some(handler) = self.handler_at_scope(info.scope) {
                    evidence
                        .event
                        .get_or_insert_with(|| (text_of(self.text, whole), handler.via.clone()));
                } else {
                    evidence
                        .parameter
                        .get_or_insert_with(|| (text_of(self.text, whole), binding));
                }
            }
            BindingKind::Const | BindingKind::Let | BindingKind::Var => {
                // A local computed from something: follow its one initializer. A property of a
                // fresh object (`cmd.name` of `new Command(name)`) is not itself fresh.
                match self.initializer_of(binding) {
                    Some(init) if self.writes(binding) <= 1 => {
                        evidence.literal = literal && whole == ident.span;
                        self.gather(init, at, evidence, depth + 1)
                    }
                    _ => evidence.unknown = true,
                }
            }
            _ => evidence.unknown = true,
        }
    }

    /// The initializer of a variable declared with one: `const key = …`.
    pub(crate) fn initializer_of(&self, binding: BindingId) -> Option<&Expr> {
        let span = self.binding(binding).span;
        let by_name = self.declarators_by_name.get_or_init(|| {
            let mut by_name = FxHashMap::default();
            for (i, node) in self.nodes().iter().enumerate() {
                if let Node::VarDeclarator(d) = node {
                    if let Pat::Ident(name) = &d.name {
                        by_name.entry(name.id.span.lo).or_insert(i);
                    }
                }
            }
            by_name
        });
        let Node::VarDeclarator(declarator) = self.nodes()[*by_name.get(&span.lo)?] else {
            return None;
        };
        match &declarator.name {
            Pat::Ident(name) if name.id.span == span => declarator.init.as_deref(),
            _ => None,
        }
    }

    /// `if (0 <= value && value < 256) cache[value] = …`: a key compared with a number in the
    /// function before the growth takes values from a range.
    fn key_facts(&self) -> &KeyFacts {
        self.key_facts.get_or_init(|| {
            let mut facts = KeyFacts {
                writes: vec![0; self.bindings.len()],
                ..KeyFacts::default()
            };
            for reference in &self.references {
                if let (true, Resolution::Binding(b)) =
                    (reference.access.is_write(), reference.resolution)
                {
                    facts.writes[b.index()] += 1;
                }
            }
            for scope in &self.scopes {
                let mut params: Vec<(BytePos, BindingId)> = scope
                    .bindings
                    .values()
                    .filter(|&&id| self.binding(id).kind == BindingKind::Param)
                    .map(|&id| (self.binding(id).span.lo, id))
                    .collect();
                params.sort_unstable_by_key(|&(lo, _)| lo);
                for (i, (_, id)) in params.into_iter().enumerate() {
                    facts.param_index.insert(id, i);
                }
            }
            let is_number = |expr: &Expr| matches!(unwrap(expr), Expr::Lit(Lit::Num(_)));
            for node in self.nodes() {
                match node {
                    Node::Comparison(bin)
                        if matches!(
                            bin.op,
                            BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq
                        ) =>
                    {
                        for (name, other) in [(&bin.left, &bin.right), (&bin.right, &bin.left)] {
                            if let (Expr::Ident(name), true) = (unwrap(name), is_number(other)) {
                                if let Some(binding) = self.binding_id_of(name) {
                                    let starts =
                                        facts.compared_with_a_number.entry(binding).or_default();
                                    starts.push(bin.span.lo);
                                }
                            }
                        }
                    }
                    Node::Member(member, _) => {
                        let (MemberProp::Computed(key), Expr::Ident(table)) =
                            (&member.prop, unwrap(&member.obj))
                        else {
                            continue;
                        };
                        let Expr::Ident(key) = unwrap(&key.expr) else {
                            continue;
                        };
                        let Some(key) = self.binding_id_of(key) else {
                            continue;
                        };
                        if self.is_a_fixed_table(table, &facts.writes) {
                            let starts = facts.looked_up_in_a_table.entry(key).or_default();
                            starts.push(member.span.lo);
                        }
                    }
                    _ => {}
                }
            }
            facts
        })
    }

    /// A module-level `const` written as a non-empty object literal and never changed.
    fn is_a_fixed_table(&self, table: &Ident, writes: &[u32]) -> bool {
        self.binding_id_of(table).is_some_and(|t| {
            let info = self.binding(t);
            info.kind == BindingKind::Const
                && self.is_process_long(t)
                && writes[t.index()] == 0
                && matches!(
                    self.initializer_of(t).map(unwrap),
                    Some(Expr::Object(object)) if !object.props.is_empty()
                )
        })
    }

    /// Is the name compared with a number (`if (k > 9) return`) in the function around `at`,
    /// before it?
    fn compared_with_a_number(&self, binding: BindingId, at: Span) -> bool {
        let Some(function) = self.function_scope_at(at) else {
            return false;
        };
        let body = self.scope(function).span;
        let starts = self.key_facts().compared_with_a_number.get(&binding);
        any_between(starts, body.lo, at.lo)
    }

    /// `const helper = helpers[name]; if (!helper) throw …` before `cache[name] = …`: a key
    /// looked up first in a module-level `const` table written as an object literal takes the
    /// table's keys.
    fn looked_up_in_a_table(&self, binding: BindingId, at: Span) -> bool {
        let Some(function) = self.function_scope_at(at) else {
            return false;
        };
        let body = self.scope(function).span;
        let starts = self.key_facts().looked_up_in_a_table.get(&binding);
        any_between(starts, body.lo, at.lo)
    }

    fn writes(&self, binding: BindingId) -> usize {
        self.key_facts().writes[binding.index()] as usize
    }

    /// The function whose parameter `binding` is has a name, is not exported, every reference
    /// to it in the file is a call (so it goes nowhere the file cannot see), and every such call
    /// passes a literal in the parameter's place, or a parameter of a function of which the same
    /// holds (`wk(id)` called from `wrkr(id)` called with `0` … `11`): the parameter takes one of
    /// the values written in the file.
    fn every_call_passes_a_literal(&self, binding: BindingId) -> bool {
        self.takes_literals(binding, 0)
    }

    fn takes_literals(&self, binding: BindingId, depth: u32) -> bool {
        if depth > 3 {
            return false;
        }
        let scope = self.binding(binding).scope;
        if !matches!(
            self.scope(scope).kind,
            ScopeKind::Function | ScopeKind::Arrow
        ) {
            return false;
        }
        let Some(index) = self.param_index(binding) else {
            return false;
        };
        let Some(function) = self.function_binding(scope) else {
            return false;
        };
        if self.binding(function).exported {
            return false;
        }
        let references: Vec<_> = self.references_to(function).collect();
        !references.is_empty()
            && references.iter().all(|r| {
                r.is_callee
                    && self.call_at(r.span).is_some_and(|call| {
                        call.args
                            .get(index)
                            .is_some_and(|arg| match unwrap(&arg.expr) {
                                Expr::Lit(_) => true,
                                Expr::Ident(ident) => self.binding_id_of(ident).is_some_and(|b| {
                                    b != binding
                                        && self.binding(b).kind == BindingKind::Param
                                        && self.takes_literals(b, depth + 1)
                                }),
                                _ => false,
                            })
                    })
            })
    }

    /// Which parameter (by position) a parameter binding is.
    pub(super) fn param_index(&self, binding: BindingId) -> Option<usize> {
        self.key_facts().param_index.get(&binding).copied()
    }

    /// The binding that names the function whose scope is `scope` (`function f`, `const f =`).
    pub(super) fn function_binding(&self, scope: super::ScopeId) -> Option<BindingId> {
        let name = self.function_name(scope)?;
        let parent = self.scope(scope).parent?;
        self.ancestors(parent).find_map(|s| {
            let id = *self.scope(s).bindings.get(name)?;
            matches!(
                self.binding(id).kind,
                BindingKind::Function | BindingKind::Const | BindingKind::Let | BindingKind::Var
            )
            .then_some(id)
        })
    }

    /// The call whose callee starts at `callee`.
    pub(super) fn call_at(&self, callee: Span) -> Option<&CallExpr> {
        let by_callee = self.calls_by_callee.get_or_init(|| {
            let mut by_callee = FxHashMap::default();
            for (i, node) in self.nodes().iter().enumerate() {
                if let Node::Call(call) = node {
                    by_callee.entry(call.callee.span().lo).or_insert(i);
                }
            }
            by_callee
        });
        match self.nodes()[*by_callee.get(&callee.lo)?] {
            Node::Call(call) => Some(call),
            _ => None,
        }
    }
}

/// The identifier a member chain starts from: `req` in `req.headers.host`.
fn root_of(member: &MemberExpr) -> Option<&Ident> {
    let mut object = &*member.obj;
    loop {
        match unwrap(object) {
            Expr::Ident(ident) => return Some(ident),
            Expr::Member(inner) => object = &inner.obj,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::tests::semantic;

    /// The origin of the key of the first `.set(` call in `source`.
    fn origin(source: &str) -> KeyOrigin {
        let s = semantic(source, "a.js");
        let call = s
            .nodes()
            .iter()
            .find_map(|n| match n {
                Node::Call(call)
                    if matches!(&call.callee, Callee::Expr(e) if matches!(&**e, Expr::Member(m) if matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "set"))) =>
                {
                    Some(*call)
                }
                _ => None,
            })
            .expect("a .set call");
        s.key_origin(&call.args[0].expr, call.span)
    }

    #[test]
    fn fresh_keys_are_new_on_every_call() {
        assert_eq!(
            origin("const m = new Map(); module.exports = () => m.set(Date.now(), 1);"),
            KeyOrigin::Fresh("Date.now()".into())
        );
        assert_eq!(
            origin("const m = new Map(); let n = 0; module.exports = () => { const id = `job-${n++}`; m.set(id, 1); };"),
            KeyOrigin::Fresh("n++".into())
        );
        assert_eq!(
            origin("const m = new Map(); module.exports = (x) => m.set({ x }, 1);"),
            KeyOrigin::Fresh("a new object".into())
        );
        // Ternaries of literals combined: a closed set, however many.
        assert_eq!(
            origin("const m = new Map(); module.exports = (o) => { const key = (o.a ? 1 : 0) | (o.b ? 2 : 0) | (o.c ? 4 : 0) | (o.d ? 8 : 0); m.set(key, o); };"),
            KeyOrigin::Closed("a literal")
        );
        assert_eq!(
            origin("const HELPERS = { a: 1, b: 2 }; const m = new Map(); module.exports = (name) => { if (!HELPERS[name]) throw new Error(name); m.set(name, 1); };"),
            KeyOrigin::Closed("looked up in a fixed table first")
        );
        // A property of a fresh object is not fresh.
        assert_ne!(
            origin("const m = new Map(); module.exports = (name) => { const job = new Job(name); m.set(job.name, job); };"),
            KeyOrigin::Fresh("new Job(name)".into())
        );
    }

    #[test]
    fn event_data_is_a_parameter_of_a_handler() {
        assert_eq!(
            origin("const m = new Map(); app.use((req, res, next) => { m.set(req.headers.authorization, 1); next(); });"),
            KeyOrigin::EventData {
                text: "req.headers.authorization".into(),
                via: "app.use".into()
            }
        );
    }

    #[test]
    fn parameters_are_named_with_their_function() {
        let s = origin("const m = new Map(); export function getUserToken(key) { m.set(key, 1); }");
        assert!(
            matches!(s, KeyOrigin::Parameter { ref text, function: Some(ref f), .. } if text == "key" && &**f == "getUserToken"),
            "{s:?}"
        );
    }

    #[test]
    fn closed_domains() {
        assert_eq!(
            origin("const m = new Map(); export function styleFor(tagName) { m.set(tagName, 1); }"),
            KeyOrigin::Closed("names one of a closed set of values")
        );
        assert_eq!(
            origin("const m = new Map(); function def(id) { m.set(id, 1); } def('a'); def('b'); module.exports = () => def('c');"),
            KeyOrigin::Closed("every call in this file passes a literal")
        );
        assert_eq!(
            origin("const m = new Map(); function wk(id) { m.set(id, 1); } function run(n, id) { wk(id); } module.exports = (x) => { run(x, 0); run(x, 1); };"),
            KeyOrigin::Closed("every call in this file passes a literal")
        );
        // A deprecation message is the code's own; a chat message is not.
        assert_eq!(
            origin("const m = new Map(); export function createDeprecation(message, code) { if (!m.has(message)) m.set(message, code); return m.get(message); }"),
            KeyOrigin::Closed("a deprecation message, written in the code")
        );
        assert_eq!(
            origin("const m = new Map(); export function getGraph(module, deprecateMessage) { m.set(deprecateMessage, module); }"),
            KeyOrigin::Closed("a deprecation message, written in the code")
        );
        assert!(matches!(
            origin("const m = new Map(); export function relay(message) { m.set(message, 1); }"),
            KeyOrigin::Parameter { .. }
        ));
        assert!(!names_a_closed_set("userId"));
        assert!(!names_a_closed_set("prototype"));
        assert!(names_a_closed_set("parentLocale"));
        assert!(names_a_closed_set("node_type"));
        assert!(!names_a_closed_set("name"));
        assert_eq!(
            origin("const m = new Map(); export function fromInt(value) { if (-128 <= value && value < 128) m.set(value, 1); }"),
            KeyOrigin::Closed("checked against a numeric range first")
        );
        assert!(names_an_open_set("getUserToken"));
        assert!(names_an_open_set("req.headers.sessionId"));
        assert!(!names_an_open_set("width"));
        assert!(!names_an_open_set("deprecateMessage"));
    }
}
