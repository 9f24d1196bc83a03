//! `per-call-require`: `require(…)` evaluated on a hot path, or again and again in a file that
//! deletes `require.cache` entries.
//!
//! Honest about the cost: a literal path (`require('lodash')`) hits Node's module cache after
//! the first call, so on a hot path (a handler the model knows runs per event, request or tick,
//! a stream's `_transform` or a sender's `send` and the helpers it calls) it costs a lookup per
//! call and hides a dependency, but it does not grow memory (a warning); off the hot path it is
//! a lazy load and is silent. A path taken from the data of each event (`require(m.handler)` in
//! a message listener) loads and caches one more module for every new value, for the life of
//! the process (an error); one computed from anything else is bounded by the files on disk
//! (silent). A file that also deletes `require.cache` entries makes every call evaluate the
//! module again, and Node keeps each evaluation in its parent's `module.children` (an error);
//! when the file also takes the old copy out of `children` (a fresh import on purpose, as
//! `import-fresh` does), what stays depends on the module, which the file does not show
//! (silent). Lazy-load idioms (a module-level variable, a thunk that returns the module, a
//! self-replacing function) are silent everywhere.

use rustc_hash::{FxHashMap, FxHashSet};
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::*;

use crate::diagnostic::{Finding, Range, Severity, Subject};
use crate::rules::helpers::{
    callee_ident, enclosing_function, is_global, method_call, prop_name, snippet, string_value,
    unwrap,
};
use crate::rules::{Context, Handles, Measure, Rule, RuleMeta};
use crate::semantic::{FunctionNode, HotPath, KeyOrigin, Resolution, Semantic};

pub const ID: &str = "per-call-require";

pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warn,
    summary: "require() evaluated inside a function on every call (error when the path is computed or require.cache is deleted)",
    docs: include_str!("../../rules/per-call-require.md"),
    options: &[],
    handles: Handles::CALL
        .and(Handles::UNARY)
        .and(Handles::ASSIGN)
        .and(Handles::FUNCTION),
    measure: Measure::RequireCache,
    gate: &[],
    create: Some(create),
};

#[derive(Clone, PartialEq, Eq)]
enum Cost {
    /// A require on a hot path: a cache lookup per event.
    Lookup(HotPath),
    /// A path taken from the data of each event: a new module in the cache per new value.
    NewModules { data: String, via: String },
    /// The file deletes `require.cache` entries: a fresh evaluation per call.
    Reevaluation,
}

#[derive(Default)]
struct PerCallRequire {
    /// Each `require(…)` in code that runs many times, and its path when it is a literal.
    requires: Vec<(Span, Option<String>)>,
    deletes_cache: bool,
    /// The literal paths whose entries the file deletes (`require.resolve('./x')`, `'/x.js'`);
    /// `None` once it deletes an entry it names otherwise (`require.cache[p]`), which may be
    /// any module.
    deleted_paths: Option<FxHashSet<String>>,
    /// The file walks the whole cache (`for (k in require.cache)`, `Object.keys(require.cache)`),
    /// so the entries it deletes may be any module's.
    deletes_any_entry: bool,
    /// The file also takes modules out of a parent's `children` (`parent.children.splice(…)`),
    /// as `import-fresh` does: the old evaluations are not kept there.
    prunes_children: bool,
    /// Requires whose result is kept where it outlives the call: lazy loads.
    lazy: FxHashSet<(BytePos, BytePos)>,
    /// Functions that replace themselves after their first call.
    lazy_functions: Vec<Span>,
    /// Thunks (`() => require('./x')`): by the function's span, the expressions it returns.
    thunks: FxHashMap<(BytePos, BytePos), Vec<Span>>,
}

/// The model already knows every call of an undeclared `require` and whether its code runs
/// more than once; most files only require at the top, and need no handler at all.
fn create(cx: &Context) -> Option<Box<dyn Rule>> {
    let semantic = cx.semantic;
    let per_call = semantic.references.iter().any(|r| {
        r.is_callee
            && r.name == "require"
            && r.resolution == Resolution::Unresolved
            && semantic.scope(r.scope).runs_many
    });
    per_call.then(|| Box::new(PerCallRequire::default()) as Box<dyn Rule>)
}

/// `require.resolve(…)`.
fn is_resolve(semantic: &Semantic, call: &CallExpr) -> bool {
    method_call(call).is_some_and(|(object, method)| {
        method == "resolve"
            && matches!(unwrap(object), Expr::Ident(id) if is_global(semantic, id, &["require"]))
    })
}

fn is_require(semantic: &Semantic, call: &CallExpr) -> bool {
    callee_ident(call).is_some_and(|c| is_global(semantic, c, &["require"])) && call.args.len() == 1
}

/// `() => require('./rule')`, `get Plugin() { return require('./plugin'); }`: a thunk whose
/// whole body is the require exists to defer loading; moving the require to the top would
/// defeat it, and each call after the first is a cache lookup.
fn thunk_body(stmts: &[Stmt]) -> Option<&Expr> {
    match stmts {
        [Stmt::Return(ReturnStmt { arg: Some(arg), .. })] => Some(arg),
        _ => None,
    }
}

/// `module`, `parent`, `mod.parent`: a name for a module record.
fn names_a_module(expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Ident(id) => matches!(&*id.sym, "module" | "parent" | "parentModule"),
        Expr::Member(m) => prop_name(&m.prop).is_some_and(|p| p == "parent"),
        _ => false,
    }
}

/// Does a thunk hand back the module itself (`require('./x')`, `require('./x').default`)?
/// One that calls into it (`return require('crypto').randomBytes(4)`) does work with the
/// module on every call: a helper, not a deferred load.
fn returns_a_module(semantic: &Semantic, returned: &Expr) -> bool {
    match unwrap(returned) {
        Expr::Member(member) => returns_a_module(semantic, &member.obj),
        // `isWindows ? require('./win') : require('./posix')`, `require('a') || require('b')`.
        Expr::Cond(cond) => {
            returns_a_module(semantic, &cond.cons) && returns_a_module(semantic, &cond.alt)
        }
        Expr::Bin(bin) if matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
            returns_a_module(semantic, &bin.left) && returns_a_module(semantic, &bin.right)
        }
        Expr::Call(call) => is_require(semantic, call),
        _ => false,
    }
}

impl PerCallRequire {
    /// Marks `require(…)` calls in `expr` (also behind `||`/`??`) as lazy loads.
    fn mark_lazy(&mut self, semantic: &Semantic, expr: &Expr) {
        match unwrap(expr) {
            Expr::Call(call) if is_require(semantic, call) => {
                self.lazy.insert((call.span.lo, call.span.hi));
            }
            Expr::Bin(bin)
                if matches!(bin.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) =>
            {
                self.mark_lazy(semantic, &bin.right)
            }
            Expr::Member(member) => self.mark_lazy(semantic, &member.obj),
            // `require('markdown-it')()`: the module's factory, called once on load.
            Expr::Call(CallExpr {
                callee: Callee::Expr(callee),
                ..
            }) => self.mark_lazy(semantic, callee),
            _ => {}
        }
    }

    /// Is the require a literal load anywhere in what a thunk returns
    /// (`() => isWin ? require('./win') : require('./posix')`)? Only literal paths: a thunk
    /// over a computed path (`(name) => require(name)`) still loads a new module per name.
    fn thunk(&mut self, function: Span, returned: Span) {
        let returns = self.thunks.entry((function.lo, function.hi)).or_default();
        returns.push(returned);
    }

    fn in_thunk(&self, cx: &Context, call: &CallExpr) -> bool {
        let Some(function) = enclosing_function(cx.semantic, call.span) else {
            return false;
        };
        let returned = self.thunks.get(&(function.lo, function.hi));
        returned
            .into_iter()
            .flatten()
            .any(|returned| returned.lo <= call.span.lo && call.span.hi <= returned.hi)
    }
}

impl PerCallRequire {
    /// `delete require.cache[key]`: which module's entry goes, when the key names one path.
    fn deleted(&mut self, cx: &Context, key: &MemberProp) {
        let path = match key {
            MemberProp::Computed(computed) => match unwrap(&computed.expr) {
                Expr::Call(call) if is_resolve(cx.semantic, call) => {
                    call.args.first().and_then(|a| string_value(&a.expr))
                }
                other => string_value(other),
            },
            _ => None,
        };
        if !self.deletes_cache {
            self.deletes_cache = true;
            self.deletes_any_entry = ["in require.cache", "(require.cache)"]
                .iter()
                .any(|walk| memchr::memmem::find(cx.text.as_bytes(), walk.as_bytes()).is_some());
            self.deleted_paths = Some(FxHashSet::default());
        }
        match (path, &mut self.deleted_paths) {
            (Some(path), Some(paths)) => {
                paths.insert(path);
            }
            _ => self.deleted_paths = None,
        }
    }

    /// Is the module at this literal path evaluated again on each call, its entry deleted?
    /// A computed path may be any module's; a literal one is when the file deletes that very
    /// path, or walks the whole cache deleting entries. `delete require.cache[configPath]`
    /// reloads the config file, not `require('jiti/package.json')` beside it.
    fn reevaluates(&self, path: Option<&str>) -> bool {
        if !self.deletes_cache {
            return false;
        }
        match (path, &self.deleted_paths) {
            (None, _) => true,
            (Some(path), Some(paths)) => paths.contains(path),
            (Some(_), None) => self.deletes_any_entry,
        }
    }
}

impl Rule for PerCallRequire {
    fn on_function(&mut self, cx: &Context, function: FunctionNode) {
        match function {
            FunctionNode::Arrow(arrow) => {
                let returned = match &*arrow.body {
                    ArrowFunctionBody::Expr(expr) => Some(&**expr),
                    ArrowFunctionBody::FunctionBody(body) => thunk_body(&body.stmts),
                };
                if let Some(returned) = returned.filter(|r| returns_a_module(cx.semantic, r)) {
                    self.thunk(arrow.span, returned.span());
                }
            }
            FunctionNode::Function(function) => {
                let returned = function.body.as_ref().and_then(|b| thunk_body(&b.stmts));
                if let Some(returned) = returned.filter(|r| returns_a_module(cx.semantic, r)) {
                    self.thunk(function.span, returned.span());
                }
            }
            FunctionNode::Declaration(decl) => {
                // `function path() { … path = () => data; }` replaces itself after one call.
                let replaces_itself = cx
                    .semantic
                    .declared_binding(&decl.ident)
                    .is_some_and(|b| cx.semantic.written_within(b, decl.function.span));
                if replaces_itself {
                    self.lazy_functions.push(decl.function.span);
                }
            }
        }
    }

    fn on_call(&mut self, cx: &Context, call: &CallExpr) {
        if !is_require(cx.semantic, call) {
            // `module.children.splice(…)`, `parent.children.splice(…)`: a module's children,
            // not any tree's.
            let prunes = method_call(call).is_some_and(|(object, method)| {
                method == "splice"
                    && matches!(unwrap(object), Expr::Member(m)
                        if prop_name(&m.prop).is_some_and(|p| p == "children")
                            && names_a_module(&m.obj))
            });
            self.prunes_children |= prunes;
            return;
        }
        let path = string_value(&call.args[0].expr);
        if path.is_some() && self.in_thunk(cx, call) {
            self.lazy.insert((call.span.lo, call.span.hi));
        }
        let in_lazy_function = self
            .lazy_functions
            .iter()
            .any(|f| f.lo <= call.span.lo && call.span.hi <= f.hi);
        if cx.semantic.runs_many_times(call.span) && !in_lazy_function {
            self.requires.push((call.span, path));
        }
    }

    fn on_unary(&mut self, cx: &Context, unary: &UnaryExpr) {
        // delete require.cache[key]
        if unary.op != UnaryOp::Delete {
            return;
        }
        if let Expr::Member(member) = unwrap(&unary.arg) {
            if let Expr::Member(cache) = unwrap(&member.obj) {
                let is_require_cache = matches!(unwrap(&cache.obj), Expr::Ident(id) if is_global(cx.semantic, id, &["require"]))
                    && prop_name(&cache.prop).is_some_and(|p| p == "cache");
                if is_require_cache {
                    self.deleted(cx, &member.prop);
                }
            }
        }
    }

    fn on_assign(&mut self, cx: &Context, assign: &AssignExpr) {
        // `cached = require('x')` where `cached` outlives the call: loaded once, then reused.
        let keeps = match &assign.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(ident)) => cx
                .semantic
                .binding_id_of(&ident.id)
                .is_some_and(|b| cx.semantic.is_process_long(b)),
            AssignTarget::Simple(SimpleAssignTarget::Member(member)) => {
                matches!(unwrap(&member.obj), Expr::This(_))
            }
            _ => false,
        };
        if keeps {
            self.mark_lazy(cx.semantic, &assign.right);
        }
    }

    fn finish(&mut self, ctx: &mut Context) {
        for (span, path) in std::mem::take(&mut self.requires) {
            if self.lazy.contains(&(span.lo, span.hi)) {
                continue;
            }
            let reevaluates = self.reevaluates(path.as_deref());
            match cost(ctx, span, path.is_some(), reevaluates) {
                // A fresh import on purpose (`import-fresh`): the old copy leaves the cache and
                // `module.children`; what stays depends on the module, which the file does not
                // show.
                Some(Cost::Reevaluation) if self.prunes_children => {}
                Some(cost) => report(ctx, span, cost, path),
                None => {}
            }
        }
    }
}

/// What a `require` that runs many times costs, or `None` when it costs nothing worth a
/// finding: a literal path off the hot path is a lazy load (after the first call a cache
/// lookup), and a computed path that no event data reaches is bounded by the files on disk.
fn cost(cx: &Context, span: Span, literal: bool, reevaluates: bool) -> Option<Cost> {
    let semantic = cx.semantic;
    if reevaluates {
        return Some(Cost::Reevaluation);
    }
    let hot = semantic.hot_path_of(span)?;
    if literal {
        return Some(Cost::Lookup(hot));
    }
    let call = semantic.call_with_span(span)?;
    match semantic.key_origin(&call.args[0].expr, span) {
        KeyOrigin::EventData { text, via } => Some(Cost::NewModules { data: text, via }),
        _ => Some(Cost::Lookup(hot)),
    }
}

/// `, through `frameAndSend` and `getRandomMask``: the functions a hot path calls on its way.
fn through(functions: &[swc_atoms::Atom]) -> String {
    if functions.is_empty() {
        return String::new();
    }
    let names: Vec<String> = functions.iter().map(|f| format!("`{f}`")).collect();
    format!(", through {}", names.join(" and "))
}

fn report(ctx: &mut Context, span: Span, cost: Cost, path: Option<String>) {
    let call = snippet(ctx.text, span);
    let (message, severity) = match &cost {
        Cost::Lookup(hot) => (
            format!("`{call}` runs on {}{}: after the first it is a module-cache lookup, which costs time on a hot path and hides a dependency, but does not grow memory", hot.driver, through(&hot.through)),
            Severity::Warn,
        ),
        Cost::NewModules { data, via } => (
            format!("`{call}` takes its path from `{data}`, the data of each `{via}` event: every new value loads one more module into the module cache, where it stays for the life of the process"),
            Severity::Error,
        ),
        Cost::Reevaluation => (
            format!("`{call}` runs on every call in a file that deletes `require.cache` entries: each call evaluates the module again, and Node keeps every evaluation alive in `module.children`"),
            Severity::Error,
        ),
    };
    ctx.report(Finding {
        rule: ID,
        range: Range::from_span(span),
        message,
        labels: Vec::new(),
        help: Some(match cost {
            Cost::Lookup(_) => "move the `require` to the top of the file (or keep a lazy load in a module-level variable)".into(),
            _ => "load a fixed set of modules once at the top of the file and pick from it by name; never delete `require.cache` entries to reload code in a long-running process".into(),
        }),
        severity: Some(severity),
        subject: Some(Subject::Require { path }),
    });
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::testing::Tester;

    #[test]
    fn passes() {
        Tester::new(&super::META).passes(&[
            ("const fs = require('fs'); module.exports = () => fs.readFileSync('x');", "a.js"),
            ("try { var optional = require('optional'); } catch (e) {}", "a.js"),
            ("(function () { var path = require('path'); })();", "a.js"),
            ("function load() { return require('./config'); } const config = load();", "a.js"),
            ("module.exports = function () { return require.resolve('x'); };", "a.js"),
            ("let lodash; module.exports = function () { lodash = lodash || require('lodash'); return lodash; };", "a.js"),
            ("let parser; module.exports = function () { if (!parser) parser = require('parser'); return parser; };", "a.js"),
            ("class A { get dep() { return this._dep || (this._dep = require('dep')); } } module.exports = A;", "a.js"),
            ("module.exports = function (require) { return require('x'); };", "a.js"),
            ("export async function load(name) { return import(name); }", "a.mjs"),
            ("const { join } = require('path'); module.exports = (a) => join(a, 'b');", "a.js"),
            ("if (process.env.DEBUG) { var debug = require('debug'); }", "a.js"),
            ("module.exports = (function () { const x = require('x'); return x.y; })();", "a.js"),
            ("let big; exports.get = () => big ?? (big = require('./big'));", "a.js"),
            ("import fs = require('fs'); export function f(): string { return fs.readFileSync('x', 'utf8'); }", "a.ts"),
            ("function setup() { require('./polyfills'); } setup();", "a.js"),
            // Thunks and self-replacing functions defer loading on purpose.
            ("module.exports = { rules: { indent: () => require('./indent') } };", "a.js"),
            ("module.exports = { get Plugin() { return require('./plugin'); } };", "a.js"),
            ("module.exports = { gbk: { table: function () { return require('./a.json').concat(require('./b.json')); } } };", "a.js"),
            ("const getError = memoize(() => require('./errors/StoreError'));", "a.js"),
            ("function path() { const data = require('path'); path = function () { return data; }; return data; } module.exports = () => path();", "a.js"),
            // Off the hot path a literal require is a lazy load, and a computed one is bounded by
            // the files on disk: setup, plugin loaders, components, library functions.
            ("module.exports = function (xs) { const _ = require('lodash'); return _.map(xs, f); };", "a.js"),
            ("module.exports = function (name) { return require('./plugins/' + name); };", "a.js"),
            ("module.exports = (name) => require(`./locales/${name}`);", "a.js"),
            ("export function f(): void { const x = require('x'); x(); }", "a.ts"),
            ("class A { handle() { const db = require('./db'); db.q(); } } module.exports = A;", "a.js"),
            ("module.exports = { get(x) { const lib = require('lib'); return lib(x); } };", "a.js"),
            ("export default function C() { const s = require('./s.css'); return <div className={s.a} />; }", "a.jsx"),
            ("export const load = async (name: string) => { const m = require(name); return m.default; };", "a.ts"),
            ("module.exports = function (locale) { return require('./locales/' + locale); };", "a.js"),
            ("export function Page(): JSX.Element { const t = require('./t.json'); return <p>{t.title}</p>; }", "a.tsx"),
            ("process.on('exit', () => { require('./flush')(); });", "a.js"),
            // A fresh import on purpose (`import-fresh`): the old copy leaves the cache and
            // `children`, so nothing the file shows stays.
            ("module.exports = (p) => { const i = module.children.indexOf(require.cache[p]); module.children.splice(i, 1); delete require.cache[p]; return require(p); };", "a.js"),
            // A helper that returns the module is a deferred load; one that calls into it on
            // every call is not, but off the hot path it is silent too.
            ("class S { send() { this.w(load()); } } function load() { return require('./codec'); } module.exports = S;", "a.js"),
            ("function mask() { return require('crypto').randomBytes(4); } module.exports = { mask };", "a.js"),
            // A stream method's callers are its own class's: `JSON.parse` is not `Cfg#parse`; a
            // thunk that picks one of two modules still returns a module.
            ("class T extends Transform { _transform(c, e, cb) { cb(null, JSON.parse(c)); } } class Cfg { parse(t) { return require('yaml').parse(t); } } module.exports = { T, Cfg };", "a.js"),
            ("const pick = () => (process.platform === 'win32' ? require('./win') : require('./posix')); class W extends Writable { _write(c, e, cb) { pick().write(c); cb(); } } module.exports = W;", "a.js"),
            // The file reloads the config it deletes, not every module it requires.
            ("module.exports = function (file) { delete require.cache[file]; return require('./package.json').version; };", "a.js"),
        ]);
    }

    #[test]
    fn fails() {
        Tester::new(&super::META).flags(&[
            ("app.get('/', (req, res) => { const t = require('./template'); res.send(t()); });", "a.js", &["require('./template')"]),
            ("function reload(p) { delete require.cache[require.resolve(p)]; return require(p); } module.exports = reload;", "a.js", &["require(p)"]),
            ("app.use(function (req, res, next) { require('./audit')(req); next(); });", "a.js", &["require('./audit')"]),
            ("setInterval(() => { const fresh = require('./config'); apply(fresh); }, 1000);", "a.js", &["require('./config')"]),
            ("process.on('message', (m) => { const h = require(m.handler); h(m); });", "a.js", &["require(m.handler)"]),
            ("exports.handler = async (event) => { const AWS = require('aws-sdk'); return new AWS.S3().get(event); };", "a.js", &["require('aws-sdk')"]),
            ("app.get('/r/:t', (req, res) => { res.send(require(path.join(__dirname, 'views', req.params.t))()); });", "a.js", &["require(path.join"]),
            ("app.get('/', (req, res) => { const t = require('./views/' + VIEW); res.send(t()); });", "a.js", &["require('./views/'"]),
            ("function handle(req, res) { const h = require('./h'); h(req, res); } app.post('/x', handle);", "a.js", &["require('./h')"]),
            ("export function reload(p: string): unknown { delete require.cache[p]; return require(p); }", "a.ts", &["require(p)"]),
            ("module.exports = () => { for (const k in require.cache) delete require.cache[k]; return require('./app'); };", "a.js", &["require('./app')"]),
            ("export function reload(p: string): unknown { delete require.cache?.[p]; return require(p); }", "a.ts", &["require(p)"]),
            // A tree's children are not a module's: the reload still re-evaluates.
            ("module.exports = (p, node) => { node.children.splice(0, 1); delete require.cache[p]; return require(p); };", "a.js", &["require(p)"]),
            // What a sender does per message: its `send`, and the helpers it calls.
            ("function S(s) { this.s = s; } S.prototype.send = function (d) { this.frame(d); }; S.prototype.frame = function (d) { this.s.write(mask(d)); }; function mask(d) { return require('crypto').randomBytes(4); } module.exports = S;", "a.js", &["require('crypto')"]),
            ("class Encoder extends Transform { _transform(chunk, enc, cb) { const zlib = require('zlib'); cb(null, zlib.gzipSync(chunk)); } } module.exports = Encoder;", "a.js", &["require('zlib')"]),
        ]);
    }

    #[test]
    fn severity_follows_the_cost() {
        let severity = |source: &str| crate::testing::diagnostics(source, "a.js")[0].severity;
        assert_eq!(
            severity("app.get('/', (req, res) => { require('x')(req); });"),
            Severity::Warn
        );
        assert_eq!(
            severity("app.get('/', (req, res) => { require(req.query.n)(req); });"),
            Severity::Error
        );
        assert_eq!(
            severity("module.exports = () => { delete require.cache['/x.js']; return require('/x.js'); };"),
            Severity::Error
        );
    }
}
