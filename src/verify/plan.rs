//! From a finding to something node can run: the function that contains it, how to reach it
//! from the loaded module, the arguments to make up, and what to measure besides the heap.
//!
//! The function called is the outermost one around the finding that exists once the module
//! has loaded (a top-level function, a method of a top-level class, a handler passed to
//! `app.get(…)`), skipping immediately invoked wrappers, which run once. The module's code
//! gets a capture call that hands that function (or its class or object) to the driver, so
//! handlers registered inline and functions reachable only through an export are both callable.

use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use swc_atoms::Atom;
use swc_common::{Span, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::diagnostic::Range;
use crate::parse::{self, BASE};
use crate::rules::helpers::{prop_name, unwrap};
use crate::rules::Measure;
use crate::semantic::{Resolution, ScopeKind, Semantic};
use crate::source::SourceType;
use crate::verify::instrument::{self, CaptureSite, ProbeSite};
use crate::verify::lifecycle::{self, Lifecycle};
use crate::verify::shapes::{param_shapes, Shape};

/// Methods that end an object's life, called after each call on a constructed instance, as
/// correct code would (a handle cleared in `stop()` is not a leak).
pub const CLEANUP_METHODS: &[&str] = &[
    "close",
    "stop",
    "dispose",
    "destroy",
    "disconnect",
    "unsubscribe",
    "teardown",
    "cleanup",
    "shutdown",
    "end",
];

const GROWTH_METHODS: &[&str] = &["set", "add", "push", "unshift"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Format {
    #[serde(rename = "cjs")]
    CommonJs,
    #[serde(rename = "esm")]
    Esm,
}

/// How the driver reaches and calls the function (serialized into its configuration).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `function`, `property` (of a captured object) or `method` (of a captured class).
    pub kind: &'static str,
    pub name: Option<String>,
    #[serde(rename = "static")]
    pub is_static: bool,
    /// `call`, `get`, `set` or `ctor`.
    pub access: &'static str,
    pub args: Vec<Shape>,
    pub ctor_args: Vec<Shape>,
    /// `plain` for `(req, res, next)`, `error` for `(err, req, res, next)`.
    pub handler: Option<&'static str>,
    /// What the handler reads of the request, merged into the fake one.
    pub request: Option<Shape>,
    /// The listeners around the finding that the call registers, run after each call so that
    /// the finding's code runs too.
    pub events: Vec<Drive>,
    /// The component the function belongs to, mounted and unmounted instead of called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// How the function was reached, for the report.
    #[serde(skip)]
    pub description: String,
}

/// A listener around the finding to run after each call, so that code registered by the
/// called function runs too: `socket.on('join', (room) => …)` inside it, with `socket` its
/// first parameter, is `{ on: "arg", index: 0, event: "join" }`.
#[derive(Clone, Debug, Serialize)]
pub struct Drive {
    /// `arg`: emitted on the called function's argument `index`; `listener-arg`: on argument
    /// `index` of the listener run just before; `registered`: the listeners for `event` that
    /// the call registered on a stub (whose events never come) are called directly.
    pub on: &'static str,
    pub index: usize,
    pub event: String,
    /// The listener's arguments.
    pub args: Vec<Shape>,
}

/// Everything the verifier needs to run one finding.
pub struct Plan {
    pub format: Format,
    /// The module's code as node runs it: types stripped, capture and probe calls added.
    pub code: String,
    /// For each line of `code` (0-based), the line of the checked file it came from (1-based,
    /// 0 for none).
    pub lines: Vec<u32>,
    /// The function to call, or why there is none.
    pub entry: Result<Entry, String>,
    /// The collection measured for `unbounded-cache`, as written (`cache`, `Registry.byId`).
    pub collection: Option<String>,
    /// The name an `implicit-global` finding assigns.
    pub global_name: Option<String>,
    /// For a collection on `this` in an instance method (`this.cache`), its path from the
    /// instance: read on the one instance the method is called on repeatedly.
    pub instance_collection: Option<Vec<String>>,
    /// The names the module imports from each package (`{"pg": ["Pool"]}`), which a stub
    /// standing in for it must export.
    pub imports: BTreeMap<String, Vec<String>>,
    /// Browser code (it reads `window`, `document`…, which Node lacks) runs in a browser
    /// environment.
    pub browser: Option<BrowserNeeds>,
}

/// What browser code reads that Node lacks, and so what its environment must provide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrowserNeeds {
    /// The browser globals the module reads, in source order, each once.
    pub globals: Vec<String>,
    /// It reads `jQuery` or `$` (a plugin), which a page would have loaded before it.
    pub jquery: bool,
}

/// Globals of a browser page that Node does not have: reading one (not only under `typeof`)
/// makes a module browser code. `self`, `fetch`, `Event` and `EventTarget` are left out: Node
/// has them, or code reads them in workers and servers too.
const BROWSER_GLOBALS: &[&str] = &[
    "window",
    "document",
    "navigator",
    "location",
    "history",
    "localStorage",
    "sessionStorage",
    "requestAnimationFrame",
    "cancelAnimationFrame",
    "requestIdleCallback",
    "HTMLElement",
    "Element",
    "customElements",
    "ResizeObserver",
    "MutationObserver",
    "IntersectionObserver",
    "matchMedia",
    "getComputedStyle",
    "innerWidth",
    "innerHeight",
    "XMLHttpRequest",
    "jQuery",
];

/// The browser globals `semantic` reads, or `None` when the module is not browser code.
/// A read under `typeof` alone is a probe (`typeof window !== 'undefined'`), which code that
/// runs in Node too makes: it does not count.
pub fn browser_needs(semantic: &Semantic) -> Option<BrowserNeeds> {
    let mut globals: Vec<String> = Vec::new();
    let mut jquery = false;
    for reference in &semantic.references {
        if reference.resolution != Resolution::Unresolved || reference.in_typeof {
            continue;
        }
        let name = &*reference.name;
        jquery |= name == "jQuery" || name == "$";
        if BROWSER_GLOBALS.contains(&name) && !globals.iter().any(|g| g == name) {
            globals.push(name.to_string());
        }
    }
    (!globals.is_empty()).then_some(BrowserNeeds { globals, jquery })
}

/// Plans the verification of a finding at `range` in the file `path` with `text`, whose rule
/// measures `measure`.
pub fn plan(
    path: &Path,
    text: &str,
    package_is_module: bool,
    measure: Measure,
    range: Range,
) -> Result<Plan, String> {
    let source_type = SourceType::from_path(path)
        .ok_or_else(|| "not a JavaScript or TypeScript file".to_string())?;
    let parsed = parse::parse(text, source_type, package_is_module);
    let Some(program) = parsed.program else {
        return Err("the file does not parse".into());
    };
    if let Some(error) = parsed.errors.first() {
        return Err(format!("the file does not parse: {}", error.message));
    }
    let format = match &program {
        Program::Module(_) => Format::Esm,
        Program::Script(_) => Format::CommonJs,
    };
    let target = Span::new(
        swc_common::BytePos(range.start as u32 + BASE),
        swc_common::BytePos(range.end as u32 + BASE),
    );
    let entry = find_entry(&program, text, target);
    let semantic = Semantic::build(&program, text, &[]);
    let grown = if measure == Measure::CollectionSize {
        collection_at(&program, &semantic, target)
    } else {
        None
    };
    let (probe, instance_collection) = match grown {
        Some(Collection::Probe(site)) => (Some(site), None),
        Some(Collection::OnInstance(path)) => (None, Some(path)),
        None => (None, None),
    };
    let imports = imported_names(&program);
    let global_name = (measure == Measure::GlobalKeys)
        .then(|| text.get(range.start..range.end))
        .flatten()
        .map(str::trim)
        .filter(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .map(str::to_string);
    let commonjs_names =
        format == Format::Esm && source_type.typescript && uses_commonjs(&semantic);
    let browser = browser_needs(&semantic);
    drop(semantic);
    let capture = entry.as_ref().ok().map(|(_, site)| site.clone());
    let collection = match (&probe, &instance_collection) {
        (Some(site), _) => Some(site.text()),
        (None, Some(path)) => Some(format!("this.{}", path.join("."))),
        (None, None) => None,
    };
    let instrument::Printed {
        mut code,
        mut lines,
    } = instrument::prepare(
        program,
        text,
        source_type.typescript,
        source_type.jsx,
        capture.as_ref(),
        probe.as_ref(),
    )?;
    if commonjs_names {
        code.insert_str(0, COMMONJS_PRELUDE);
        let prelude = COMMONJS_PRELUDE.matches('\n').count();
        lines.splice(0..0, std::iter::repeat_n(0, prelude));
    }
    Ok(Plan {
        format,
        code,
        lines,
        entry: entry.map(|(entry, _)| entry),
        collection,
        global_name,
        instance_collection,
        imports,
        browser,
    })
}

/// The module's code ready for node without a finding (a scenario's target): types stripped.
pub fn prepare_module(
    path: &Path,
    text: &str,
    package_is_module: bool,
) -> Result<Prepared, String> {
    let source_type = SourceType::from_path(path)
        .ok_or_else(|| "not a JavaScript or TypeScript file".to_string())?;
    let parsed = parse::parse(text, source_type, package_is_module);
    let Some(program) = parsed.program else {
        return Err("the file does not parse".into());
    };
    let format = match &program {
        Program::Module(_) => Format::Esm,
        Program::Script(_) => Format::CommonJs,
    };
    let imports = imported_names(&program);
    let code = instrument::prepare(
        program,
        text,
        source_type.typescript,
        source_type.jsx,
        None,
        None,
    )?
    .code;
    Ok(Prepared {
        format,
        code,
        imports,
    })
}

/// A module ready for node, without a finding.
pub struct Prepared {
    pub format: Format,
    pub code: String,
    pub imports: BTreeMap<String, Vec<String>>,
}

/// The names an ES module imports from each bare specifier (`import { Pool } from 'pg'` →
/// `pg: [Pool]`, a default import → `default`, `ns.x` read of `import * as ns` → `x`), so that
/// a stub standing in for the package can be linked: an ES module's imports must all exist.
fn imported_names(program: &Program) -> BTreeMap<String, Vec<String>> {
    let Program::Module(module) = program else {
        return BTreeMap::new();
    };
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut namespaces: Vec<(Atom, String)> = Vec::new();
    for item in &module.body {
        if let ModuleItem::ModuleDecl(decl) = item {
            if let Some((source, found)) = names_from(decl, &mut namespaces) {
                names.entry(source).or_default().extend(found);
            }
        }
    }
    if !namespaces.is_empty() {
        let mut reads = NamespaceReads {
            namespaces: &namespaces,
            found: Vec::new(),
        };
        module.visit_with(&mut reads);
        for (source, name) in reads.found {
            names.entry(source).or_default().push(name);
        }
    }
    names.retain(|source, _| !source.starts_with('.') && !source.starts_with('/'));
    for list in names.values_mut() {
        list.sort();
        list.dedup();
    }
    names
}

/// The source of an `import` or `export … from` and the names it takes from it; namespace
/// imports go to `namespaces`, whose reads are collected afterwards.
fn names_from(
    decl: &ModuleDecl,
    namespaces: &mut Vec<(Atom, String)>,
) -> Option<(String, Vec<String>)> {
    match decl {
        ModuleDecl::Import(import) => {
            let source = import.src.value.to_atom_lossy().to_string();
            let mut found = Vec::new();
            for specifier in &import.specifiers {
                match specifier {
                    ImportSpecifier::Named(named) => found.push(match &named.imported {
                        Some(name) => export_name(name),
                        None => named.local.sym.to_string(),
                    }),
                    ImportSpecifier::Default(_) => found.push("default".into()),
                    ImportSpecifier::Namespace(ns) => {
                        namespaces.push((ns.local.sym.clone(), source.clone()))
                    }
                }
            }
            Some((source, found))
        }
        ModuleDecl::ExportNamed(export) => {
            let source = export.src.as_ref()?.value.to_atom_lossy().to_string();
            let found = export
                .specifiers
                .iter()
                .filter_map(|s| match s {
                    ExportSpecifier::Named(n) => Some(export_name(&n.orig)),
                    ExportSpecifier::Default(_) => Some("default".into()),
                    ExportSpecifier::Namespace(_) => None,
                })
                .collect();
            Some((source, found))
        }
        _ => None,
    }
}

fn export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::Ident(i) => i.sym.to_string(),
        ModuleExportName::Str(s) => s.value.to_atom_lossy().to_string(),
    }
}

/// `ns.x` where `ns` is a namespace import: (its source, `x`).
struct NamespaceReads<'a> {
    namespaces: &'a [(Atom, String)],
    found: Vec<(String, String)>,
}

impl Visit for NamespaceReads<'_> {
    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if let (Expr::Ident(object), Some(prop)) = (unwrap(&member.obj), prop_name(&member.prop)) {
            if let Some((_, source)) = self.namespaces.iter().find(|(n, _)| *n == object.sym) {
                self.found.push((source.clone(), prop.to_string()));
            }
        }
        member.visit_children_with(self);
    }
}

/// TypeScript with `import`/`export` that also calls `require` or reads `__dirname` is meant
/// to be compiled to CommonJS; run as an ES module, it gets those names from this prelude.
const COMMONJS_PRELUDE: &str = "import { createRequire as __leaklint_createRequire } from 'node:module';\nconst require = __leaklint_createRequire(import.meta.url);\nconst __filename = import.meta.filename;\nconst __dirname = import.meta.dirname;\n";

fn uses_commonjs(semantic: &Semantic) -> bool {
    semantic.references.iter().any(|r| {
        r.resolution == Resolution::Unresolved
            && matches!(&*r.name, "require" | "__dirname" | "__filename")
    })
}

// ---- the function around the finding -----------------------------------------------------

#[derive(Clone, Debug)]
enum Site {
    /// A function declaration, captured by name after its statement (`None`: an anonymous
    /// `export default function`).
    Decl { name: Option<Atom> },
    /// A function or arrow expression, wrapped in the capture call.
    Expr,
    /// A method of an object literal, or a function stored in one of its properties.
    Property {
        object: Span,
        key: Option<String>,
        access: &'static str,
    },
    /// A member of a class.
    Member {
        class: ClassSite,
        name: Option<String>,
        is_static: bool,
        access: &'static str,
        private: bool,
    },
}

#[derive(Clone, Debug)]
struct ClassSite {
    span: Span,
    /// Declared (`class A {}`, captured after its statement) or an expression (wrapped).
    decl: bool,
    name: Option<Atom>,
    ctor_args: Vec<Shape>,
    description: String,
    lifecycle: Option<Lifecycle>,
}

#[derive(Debug)]
struct Frame {
    span: Span,
    site: Site,
    iife: bool,
    args: Vec<Shape>,
    handler: Option<&'static str>,
    request: Option<Shape>,
    /// The parameters' names, where they are plain names.
    params: Vec<Option<Atom>>,
    react: bool,
    description: String,
}

fn find_entry(program: &Program, text: &str, target: Span) -> Result<(Entry, CaptureSite), String> {
    let mut locator = Locator {
        text,
        target,
        listeners: FxHashMap::default(),
        exports: exported_names(program),
        iifes: FxHashSet::default(),
        object_members: FxHashMap::default(),
        object_descriptions: FxHashMap::default(),
        object_lifecycles: FxHashMap::default(),
        class_fields: FxHashMap::default(),
        default_decls: FxHashSet::default(),
        descriptions: FxHashMap::default(),
        assigned: FxHashMap::default(),
        classes: Vec::new(),
        frames: Vec::new(),
    };
    program.visit_with(&mut locator);
    let Some(at) = locator.frames.iter().position(|f| !f.iife) else {
        return Err("the finding is in top-level code, which runs once when the module loads: there is nothing to call again (use --scenario to drive it)".into());
    };
    let events = drives(&locator.frames[at..], &locator.listeners);
    let frame = &locator.frames[at];
    if frame.react && matches!(frame.site, Site::Member { .. }) {
        return Err(format!(
            "{} calls hooks or renders JSX inside a class: leaklint mounts function components and class components' lifecycles, not this (use --scenario with a renderer)",
            frame.description
        ));
    }
    let lifecycle = match &frame.site {
        _ if frame.react => Some(lifecycle::react_function()),
        Site::Member { class, .. } => class.lifecycle.clone(),
        Site::Property { object, .. } => locator
            .object_lifecycles
            .get(object)
            .map(|(_, lifecycle)| lifecycle.clone()),
        _ => None,
    };
    let entry = |kind, name, is_static, access, ctor_args| Entry {
        kind,
        name,
        is_static,
        access,
        args: frame.args.clone(),
        ctor_args,
        handler: frame.handler,
        request: frame.request.clone(),
        events: events.clone(),
        lifecycle: lifecycle.clone(),
        description: frame.description.clone(),
    };
    match &frame.site {
        Site::Decl { name } => Ok((
            entry("function", None, false, "call", Vec::new()),
            CaptureSite::AfterDecl {
                span: frame.span,
                name: name.clone(),
            },
        )),
        Site::Expr => Ok((
            entry("function", None, false, "call", Vec::new()),
            CaptureSite::Wrap { span: frame.span },
        )),
        Site::Property {
            object,
            key,
            access,
        } => {
            let Some(key) = key else {
                return Err(format!("{} has a computed name", frame.description));
            };
            if *access != "call" {
                return Err(format!(
                    "{} is an accessor of an object literal; use --scenario",
                    frame.description
                ));
            }
            // A method in a Vue component's `methods` runs on the component: the options
            // object is what gets captured and mounted.
            let options = locator
                .object_lifecycles
                .get(object)
                .map_or(*object, |(options, _)| *options);
            Ok((
                entry("property", Some(key.clone()), false, "call", Vec::new()),
                CaptureSite::Wrap { span: options },
            ))
        }
        Site::Member {
            class,
            name,
            is_static,
            access,
            private,
        } => {
            if *private && *access != "ctor" {
                return Err(format!(
                    "{} is private: nothing outside the class can call it (use --scenario)",
                    frame.description
                ));
            }
            if name.is_none() {
                return Err(format!("{} has a computed name", frame.description));
            }
            let capture = if class.decl {
                CaptureSite::AfterDecl {
                    span: class.span,
                    name: class.name.clone(),
                }
            } else {
                CaptureSite::Wrap { span: class.span }
            };
            Ok((
                entry(
                    "method",
                    name.clone(),
                    *is_static,
                    access,
                    class.ctor_args.clone(),
                ),
                capture,
            ))
        }
    }
}

/// The listeners to run after calling `frames[0]` so that the code around the finding runs:
/// each inner function registered inline as a listener (`x.on('event', (…) => …)`), outermost
/// first, up to the first inner function that is not one.
fn drives(frames: &[Frame], listeners: &FxHashMap<Span, (Atom, String)>) -> Vec<Drive> {
    let mut events = Vec::new();
    for pair in frames.windows(2) {
        let (outer, inner) = (&pair[0], &pair[1]);
        let Some((receiver, event)) = listeners.get(&inner.span) else {
            break;
        };
        let param = outer
            .params
            .iter()
            .position(|p| p.as_ref() == Some(receiver));
        let (on, index) = match param {
            Some(index) if events.is_empty() => ("arg", index),
            Some(index) => ("listener-arg", index),
            None => ("registered", 0),
        };
        events.push(Drive {
            on,
            index,
            event: event.clone(),
            args: inner.args.clone(),
        });
    }
    events
}

/// Methods that register a listener: `receiver.on('event', listener)`.
const LISTEN_METHODS: &[&str] = &[
    "on",
    "once",
    "addListener",
    "prependListener",
    "prependOnceListener",
    "addEventListener",
];

struct Locator<'a> {
    text: &'a str,
    target: Span,
    /// Functions registered inline as listeners on a name: (the name, the event).
    listeners: FxHashMap<Span, (Atom, String)>,
    /// Top-level names and how they are exported (`export \`get\``, `module.exports.get`).
    exports: FxHashMap<Atom, String>,
    iifes: FxHashSet<Span>,
    /// Functions that are members of an object literal: (object, key, access).
    object_members: FxHashMap<Span, (Span, Option<String>, &'static str)>,
    object_descriptions: FxHashMap<Span, String>,
    /// Object literals that are a component's options (Vue's `{ data, mounted, methods }`),
    /// and the `methods` objects inside them, each with the options object and its lifecycle.
    object_lifecycles: FxHashMap<Span, (Span, Lifecycle)>,
    /// Functions stored in class fields: (key, static).
    class_fields: FxHashMap<Span, (Option<String>, bool)>,
    /// Anonymous `export default function/class`.
    default_decls: FxHashSet<Span>,
    /// How an expression is used, for the report (`module.exports`, a callback of `app.get`).
    descriptions: FxHashMap<Span, String>,
    /// Functions assigned to a member: the target's text (`module.exports`).
    assigned: FxHashMap<Span, String>,
    classes: Vec<ClassSite>,
    frames: Vec<Frame>,
}

impl Locator<'_> {
    fn contains(&self, span: Span) -> bool {
        span.lo <= self.target.lo && self.target.hi <= span.hi
    }

    /// A UMD bundle's factory, `(function (root, factory) { … factory() … })(this, function
    /// () { … })`: the wrapper runs once at load and calls the factory once, so the factory is
    /// skipped like the wrapper and the functions it returns are what gets called. Only at the
    /// top level, and only when the wrapper's body calls the parameter (`factory(`) or hands
    /// it to `define(…, factory)`.
    fn note_factories(&mut self, params: &[Option<&Atom>], body: Span, args: &[ExprOrSpread]) {
        if !self.frames.iter().all(|f| f.iife) {
            return;
        }
        let range = Range::from_span(body);
        let body = self.text.get(range.start..range.end).unwrap_or("");
        for (param, arg) in params.iter().zip(args) {
            let (Some(name), Expr::Fn(_) | Expr::Arrow(_)) = (*param, unwrap(&arg.expr)) else {
                continue;
            };
            if body.contains(&format!("{name}(")) || body.contains(&format!(", {name})")) {
                self.iifes.insert(unwrap(&arg.expr).span());
            }
        }
    }

    fn snippet(&self, span: Span) -> String {
        let range = Range::from_span(span);
        let code = self.text.get(range.start..range.end).unwrap_or("");
        let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 50 {
            let short: String = flat.chars().take(47).collect();
            format!("{short}…")
        } else {
            flat
        }
    }

    fn line(&self, span: Span) -> usize {
        let offset = Range::from_span(span).start;
        self.text
            .get(..offset)
            .map_or(0, |before| before.matches('\n').count())
            + 1
    }

    fn expr_description(&self, span: Span, what: &str) -> String {
        self.descriptions
            .get(&span)
            .cloned()
            .unwrap_or_else(|| format!("the {what} at line {}", self.line(span)))
    }

    fn push_function(
        &mut self,
        span: Span,
        site: Site,
        params: Vec<&Pat>,
        body: &dyn crate::verify::shapes::Walkable,
        description: String,
        react: bool,
    ) {
        let args = param_shapes(params.iter().copied(), body);
        let handler = handler_kind(&params);
        let names = params.iter().map(|p| param_name(p).cloned()).collect();
        let request = match handler {
            Some("plain") => args.first().cloned(),
            Some(_) => args.get(1).cloned(),
            None => None,
        };
        self.frames.push(Frame {
            span,
            iife: self.iifes.contains(&span),
            site,
            args,
            handler,
            request,
            params: names,
            react,
            description,
        });
    }

    fn function_site(&self, span: Span, what: &str) -> (Site, String) {
        if let Some((object, key, access)) = self.object_members.get(&span) {
            let object_description = self
                .object_descriptions
                .get(object)
                .cloned()
                .unwrap_or_else(|| format!("the object at line {}", self.line(*object)));
            let description = match key {
                Some(key) => format!("method `{key}` of {object_description}"),
                None => format!("a method of {object_description}"),
            };
            return (
                Site::Property {
                    object: *object,
                    key: key.clone(),
                    access,
                },
                description,
            );
        }
        if let Some((key, is_static)) = self.class_fields.get(&span) {
            if let Some(class) = self.classes.last() {
                let description = format!(
                    "field `{}` of {}",
                    key.as_deref().unwrap_or("[computed]"),
                    class.description
                );
                return (
                    Site::Member {
                        class: class.clone(),
                        name: key.clone(),
                        is_static: *is_static,
                        access: "call",
                        private: false,
                    },
                    description,
                );
            }
        }
        (Site::Expr, self.expr_description(span, what))
    }

    fn class_member(
        &mut self,
        span: Span,
        name: Option<String>,
        is_static: bool,
        access: &'static str,
        private: bool,
        function: &Function,
    ) {
        let Some(class) = self.classes.last().cloned() else {
            return;
        };
        let what = match access {
            "ctor" => format!("the constructor of {}", class.description),
            "get" => format!(
                "getter `{}` of {}",
                name.as_deref().unwrap_or("?"),
                class.description
            ),
            "set" => format!(
                "setter `{}` of {}",
                name.as_deref().unwrap_or("?"),
                class.description
            ),
            _ => format!(
                "{}method `{}` of {}",
                if is_static { "static " } else { "" },
                name.as_deref().unwrap_or("[computed]"),
                class.description
            ),
        };
        let react = has_react_signs(function);
        self.push_function(
            span,
            Site::Member {
                class,
                name,
                is_static,
                access,
                private,
            },
            function.params.iter().map(|p| &p.pat).collect(),
            &function.body,
            what,
            react,
        );
    }
}

impl Visit for Locator<'_> {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        if !self.contains(call.span) {
            return;
        }
        if let Callee::Expr(callee) = &call.callee {
            let function = match unwrap(callee) {
                Expr::Member(member)
                    if prop_name(&member.prop).is_some_and(|p| p == "call" || p == "apply") =>
                {
                    unwrap(&member.obj)
                }
                other => other,
            };
            match function {
                Expr::Fn(f) => {
                    self.iifes.insert(f.function.span);
                    let params: Vec<Option<&Atom>> = f
                        .function
                        .params
                        .iter()
                        .map(|p| param_name(&p.pat))
                        .collect();
                    if let Some(body) = &f.function.body {
                        self.note_factories(&params, body.span, &call.args);
                    }
                }
                Expr::Arrow(a) => {
                    self.iifes.insert(a.span);
                    let params: Vec<Option<&Atom>> = a.params.iter().map(param_name).collect();
                    self.note_factories(&params, a.body.span(), &call.args);
                }
                _ => {}
            }
            self.note_listener(callee, &call.args);
            let callee_text = self.snippet(callee.span());
            let first = call.args.first().and_then(|a| match unwrap(&a.expr) {
                Expr::Lit(Lit::Str(s)) => Some(format!("'{}'", s.value.to_atom_lossy())),
                _ => None,
            });
            for arg in &call.args {
                if matches!(unwrap(&arg.expr), Expr::Fn(_) | Expr::Arrow(_)) {
                    let description = match &first {
                        Some(path) => format!("the function passed to `{callee_text}({path}, …)`"),
                        None => format!("the function passed to `{callee_text}(…)`"),
                    };
                    self.descriptions
                        .insert(unwrap(&arg.expr).span(), description);
                }
            }
        }
        call.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, assign: &AssignExpr) {
        if !self.contains(assign.span) {
            return;
        }
        let left = self.snippet(assign.left.span());
        let right = unwrap(&assign.right);
        match right {
            Expr::Fn(_) | Expr::Arrow(_) => {
                self.descriptions
                    .insert(right.span(), format!("the function assigned to `{left}`"));
                self.assigned.insert(right.span(), left);
            }
            Expr::Class(_) | Expr::Object(_) => {
                self.descriptions.insert(right.span(), format!("`{left}`"));
            }
            _ => {}
        }
        assign.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if !self.contains(declarator.span) {
            return;
        }
        if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init) {
            let init = unwrap(init);
            if matches!(
                init,
                Expr::Fn(_) | Expr::Arrow(_) | Expr::Class(_) | Expr::Object(_)
            ) {
                let description = match self.exports.get(&name.id.sym) {
                    Some(how) => format!("`{}` ({how})", name.id.sym),
                    None => format!("`{}` (not exported)", name.id.sym),
                };
                self.descriptions.insert(init.span(), description);
            }
        }
        declarator.visit_children_with(self);
    }

    fn visit_export_default_expr(&mut self, export: &ExportDefaultExpr) {
        if !self.contains(export.span) {
            return;
        }
        self.descriptions
            .insert(unwrap(&export.expr).span(), "the default export".into());
        export.visit_children_with(self);
    }

    fn visit_export_default_decl(&mut self, export: &ExportDefaultDecl) {
        if !self.contains(export.span) {
            return;
        }
        match &export.decl {
            DefaultDecl::Fn(f) => {
                self.default_decls.insert(f.function.span);
                self.descriptions
                    .insert(f.function.span, "the default export".into());
            }
            DefaultDecl::Class(c) => {
                self.default_decls.insert(c.class.span);
                self.descriptions
                    .insert(c.class.span, "the default export".into());
            }
            DefaultDecl::TsInterfaceDecl(_) => {}
        }
        export.visit_children_with(self);
    }

    fn visit_fn_decl(&mut self, decl: &FnDecl) {
        let function = &decl.function;
        if !self.contains(function.span) {
            return;
        }
        let name = &decl.ident.sym;
        let description = match self.exports.get(name) {
            Some(how) => format!("`{name}` ({how})"),
            None => format!("`{name}` (not exported; called directly)"),
        };
        self.push_function(
            function.span,
            Site::Decl {
                name: Some(name.clone()),
            },
            function.params.iter().map(|p| &p.pat).collect(),
            &function.body,
            description,
            has_react_signs(function),
        );
        function.visit_children_with(self);
    }

    fn visit_fn_expr(&mut self, expr: &FnExpr) {
        let function = &expr.function;
        if !self.contains(function.span) {
            return;
        }
        let (site, description) = if self.default_decls.contains(&function.span) {
            let name = expr.ident.as_ref().map(|i| i.sym.clone());
            (Site::Decl { name }, "the default export".to_string())
        } else {
            self.function_site(function.span, "function")
        };
        let description = match (&expr.ident, self.assigned.get(&function.span)) {
            (Some(name), Some(left)) => format!("`{}` (assigned to `{left}`)", name.sym),
            (Some(name), None) if !self.descriptions.contains_key(&function.span) => {
                format!(
                    "function `{}` at line {}",
                    name.sym,
                    self.line(function.span)
                )
            }
            _ => description,
        };
        self.push_function(
            function.span,
            site,
            function.params.iter().map(|p| &p.pat).collect(),
            &function.body,
            description,
            has_react_signs(function),
        );
        function.visit_children_with(self);
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        if !self.contains(arrow.span) {
            return;
        }
        let (site, description) = self.function_site(arrow.span, "arrow function");
        let mut signs = ReactSigns::default();
        arrow.body.visit_with(&mut signs);
        self.push_function(
            arrow.span,
            site,
            arrow.params.iter().collect(),
            &*arrow.body,
            description,
            signs.found,
        );
        arrow.visit_children_with(self);
    }

    fn visit_object_lit(&mut self, object: &ObjectLit) {
        if !self.contains(object.span) {
            return;
        }
        let description = self.expr_description(object.span, "object");
        self.object_descriptions.insert(object.span, description);
        self.note_options(object);
        for prop in &object.props {
            let PropOrSpread::Prop(prop) = prop else {
                continue;
            };
            let (span, key, access) = match &**prop {
                Prop::Method(m) => (m.function.span, &m.key, "call"),
                Prop::Getter(g) => (g.function.span, &g.key, "get"),
                Prop::Setter(s) => (s.function.span, &s.key, "set"),
                Prop::KeyValue(kv) => match unwrap(&kv.value) {
                    Expr::Fn(f) => (f.function.span, &kv.key, "call"),
                    Expr::Arrow(a) => (a.span, &kv.key, "call"),
                    _ => continue,
                },
                _ => continue,
            };
            self.object_members
                .insert(span, (object.span, prop_key(key), access));
        }
        object.visit_children_with(self);
    }

    fn visit_method_prop(&mut self, method: &MethodProp) {
        self.object_function(&method.function);
    }

    fn visit_getter_prop(&mut self, getter: &GetterProp) {
        self.object_function(&getter.function);
    }

    fn visit_setter_prop(&mut self, setter: &SetterProp) {
        self.object_function(&setter.function);
    }

    fn visit_class(&mut self, class: &Class) {
        // Reached through visit_class_decl / visit_class_expr, which push the class.
        if !self.contains(class.span) {
            return;
        }
        class.visit_children_with(self);
    }

    fn visit_class_decl(&mut self, decl: &ClassDecl) {
        if !self.contains(decl.class.span) {
            return;
        }
        let name = &decl.ident.sym;
        let description = match self.exports.get(name) {
            Some(how) => format!("class `{name}` ({how})"),
            None => format!("class `{name}` (not exported)"),
        };
        self.enter_class(&decl.class, true, Some(name.clone()), description);
    }

    fn visit_class_expr(&mut self, expr: &ClassExpr) {
        if !self.contains(expr.class.span) {
            return;
        }
        let default = self.default_decls.contains(&expr.class.span);
        let description = match (&expr.ident, self.descriptions.get(&expr.class.span)) {
            (_, Some(d)) => format!("the class {d}"),
            (Some(name), None) => format!("class `{}`", name.sym),
            (None, None) => format!("the class at line {}", self.line(expr.class.span)),
        };
        self.enter_class(
            &expr.class,
            default,
            expr.ident.as_ref().map(|i| i.sym.clone()),
            description,
        );
    }

    fn visit_constructor(&mut self, ctor: &Constructor) {
        if !self.contains(ctor.span) {
            return;
        }
        let Some(class) = self.classes.last().cloned() else {
            return;
        };
        let owned = ctor_params(ctor);
        let params: Vec<&Pat> = owned.iter().collect();
        let mut signs = ReactSigns::default();
        ctor.body.visit_with(&mut signs);
        self.push_function(
            ctor.span,
            Site::Member {
                class: class.clone(),
                name: Some("constructor".into()),
                is_static: false,
                access: "ctor",
                private: false,
            },
            params,
            &ctor.body,
            format!("the constructor of {}", class.description),
            signs.found,
        );
        ctor.visit_children_with(self);
    }

    fn visit_class_method(&mut self, method: &ClassMethod) {
        if !self.contains(method.span) {
            return;
        }
        let access = match method.kind {
            MethodKind::Method => "call",
            MethodKind::Getter => "get",
            MethodKind::Setter => "set",
        };
        self.class_member(
            method.function.span,
            prop_key(&method.key),
            method.is_static,
            access,
            false,
            &method.function,
        );
        method.function.visit_children_with(self);
    }

    fn visit_private_method(&mut self, method: &PrivateMethod) {
        if !self.contains(method.span) {
            return;
        }
        self.class_member(
            method.function.span,
            Some(format!("#{}", method.key.name)),
            method.is_static,
            "call",
            true,
            &method.function,
        );
        method.function.visit_children_with(self);
    }

    fn visit_class_prop(&mut self, prop: &ClassProp) {
        if !self.contains(prop.span) {
            return;
        }
        if let Some(value) = &prop.value {
            match unwrap(value) {
                Expr::Arrow(a) => {
                    self.class_fields
                        .insert(a.span, (prop_key(&prop.key), prop.is_static));
                }
                Expr::Fn(f) => {
                    self.class_fields
                        .insert(f.function.span, (prop_key(&prop.key), prop.is_static));
                }
                _ if !prop.is_static => {
                    // An instance field's initializer runs on every `new`.
                    if let Some(class) = self.classes.last().cloned() {
                        self.frames.push(Frame {
                            span: prop.span,
                            site: Site::Member {
                                class: class.clone(),
                                name: Some("constructor".into()),
                                is_static: false,
                                access: "ctor",
                                private: false,
                            },
                            iife: false,
                            args: Vec::new(),
                            handler: None,
                            request: None,
                            params: Vec::new(),
                            react: false,
                            description: format!(
                                "the initializer of field `{}` of {}",
                                prop_key(&prop.key).unwrap_or_default(),
                                class.description
                            ),
                        });
                    }
                }
                _ => {}
            }
        }
        prop.visit_children_with(self);
    }
}

impl Locator<'_> {
    /// `name.on('event', function)`: remembers the function as a listener on `name`.
    fn note_listener(&mut self, callee: &Expr, args: &[ExprOrSpread]) {
        let Expr::Member(member) = unwrap(callee) else {
            return;
        };
        let Expr::Ident(receiver) = unwrap(&member.obj) else {
            return;
        };
        if !prop_name(&member.prop).is_some_and(|p| LISTEN_METHODS.contains(&&**p)) {
            return;
        }
        let (Some(Expr::Lit(Lit::Str(event))), Some(listener)) = (
            args.first().map(|a| unwrap(&a.expr)),
            args.get(1).map(|a| unwrap(&a.expr)),
        ) else {
            return;
        };
        if matches!(listener, Expr::Fn(_) | Expr::Arrow(_)) {
            self.listeners.insert(
                listener.span(),
                (
                    receiver.sym.clone(),
                    event.value.to_atom_lossy().to_string(),
                ),
            );
        }
    }

    fn object_function(&mut self, function: &Function) {
        if !self.contains(function.span) {
            return;
        }
        let (site, description) = self.function_site(function.span, "method");
        self.push_function(
            function.span,
            site,
            function.params.iter().map(|p| &p.pat).collect(),
            &function.body,
            description,
            has_react_signs(function),
        );
        function.visit_children_with(self);
    }

    /// A Vue component's options object: remembers it, and its `methods` object, with the
    /// lifecycle.
    fn note_options(&mut self, object: &ObjectLit) {
        let keys: Vec<String> = object
            .props
            .iter()
            .filter_map(|prop| match prop {
                PropOrSpread::Prop(prop) => match &**prop {
                    Prop::Method(m) => prop_key(&m.key),
                    Prop::KeyValue(kv) => prop_key(&kv.key),
                    Prop::Shorthand(name) => Some(name.sym.to_string()),
                    _ => None,
                },
                PropOrSpread::Spread(_) => None,
            })
            .collect();
        let Some(lifecycle) = lifecycle::of_options(&keys) else {
            return;
        };
        for prop in &object.props {
            if let PropOrSpread::Prop(prop) = prop {
                if let Prop::KeyValue(kv) = &**prop {
                    if let (Some("methods"), Expr::Object(methods)) =
                        (prop_key(&kv.key).as_deref(), unwrap(&kv.value))
                    {
                        self.object_lifecycles
                            .insert(methods.span, (object.span, lifecycle.clone()));
                    }
                }
            }
        }
        self.object_lifecycles
            .insert(object.span, (object.span, lifecycle));
    }

    fn enter_class(&mut self, class: &Class, decl: bool, name: Option<Atom>, description: String) {
        let ctor_args = class
            .body
            .iter()
            .find_map(|member| match member {
                ClassMember::Constructor(ctor) => {
                    Some(param_shapes(ctor_params(ctor).iter(), &ctor.body))
                }
                _ => None,
            })
            .unwrap_or_default();
        let methods: Vec<String> = class
            .body
            .iter()
            .filter_map(|member| match member {
                ClassMember::Method(m) => prop_key(&m.key),
                ClassMember::ClassProp(p) => prop_key(&p.key),
                _ => None,
            })
            .collect();
        let lifecycle = lifecycle::of_class(&methods, extends_react(class));
        self.classes.push(ClassSite {
            span: class.span,
            decl,
            name,
            ctor_args,
            description,
            lifecycle,
        });
        class.visit_children_with(self);
        self.classes.pop();
    }
}

/// `extends Component`, `extends React.PureComponent`: a React class component.
fn extends_react(class: &Class) -> bool {
    let base = match class.super_class.as_deref().map(unwrap) {
        Some(Expr::Ident(name)) => name.sym.clone(),
        Some(Expr::Member(member)) => match prop_name(&member.prop) {
            Some(name) => name.clone(),
            None => return false,
        },
        _ => return false,
    };
    matches!(&*base, "Component" | "PureComponent")
}

/// A constructor's parameters as patterns, TypeScript parameter properties included.
fn ctor_params(ctor: &Constructor) -> Vec<Pat> {
    ctor.params
        .iter()
        .map(|p| match p {
            ParamOrTsParamProp::Param(p) => p.pat.clone(),
            ParamOrTsParamProp::TsParamProp(p) => match &p.param {
                TsParamPropParam::Ident(i) => Pat::Ident(i.clone()),
                TsParamPropParam::Assign(a) => Pat::Assign(a.clone()),
            },
        })
        .collect()
}

fn prop_key(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(name) => Some(name.sym.to_string()),
        PropName::Str(s) => Some(s.value.to_atom_lossy().to_string()),
        PropName::Num(n) => Some(n.value.to_string()),
        _ => None,
    }
}

/// The name a parameter binds, when it is a plain name (with or without a default).
fn param_name(pat: &Pat) -> Option<&Atom> {
    match pat {
        Pat::Ident(i) => Some(&i.id.sym),
        Pat::Assign(a) => param_name(&a.left),
        _ => None,
    }
}

/// `(req, res, next)` and `(err, req, res, next)`: an express/connect-style handler.
fn handler_kind(params: &[&Pat]) -> Option<&'static str> {
    let names: Vec<&str> = params
        .iter()
        .map(|p| match p {
            Pat::Ident(i) => &*i.id.sym,
            Pat::Assign(a) => match &*a.left {
                Pat::Ident(i) => &*i.id.sym,
                _ => "",
            },
            _ => "",
        })
        .collect();
    let is_req = |n: &str| matches!(n, "req" | "request" | "_req");
    let is_res = |n: &str| matches!(n, "res" | "response" | "reply" | "_res");
    match names.as_slice() {
        [e, q, s, _] if matches!(*e, "err" | "error" | "e" | "_err") && is_req(q) && is_res(s) => {
            Some("error")
        }
        [q, s, ..] if is_req(q) && is_res(s) => Some("plain"),
        _ => None,
    }
}

fn has_react_signs(function: &Function) -> bool {
    let mut signs = ReactSigns::default();
    function.body.visit_with(&mut signs);
    signs.found
}

/// JSX or a hook call (`useState`, `React.useEffect`): React code, which needs a renderer.
#[derive(Default)]
struct ReactSigns {
    found: bool,
}

impl Visit for ReactSigns {
    fn visit_jsx_element(&mut self, _: &JSXElement) {
        self.found = true;
    }

    fn visit_jsx_fragment(&mut self, _: &JSXFragment) {
        self.found = true;
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        if let Callee::Expr(callee) = &call.callee {
            let name = match unwrap(callee) {
                Expr::Ident(i) => Some(i.sym.clone()),
                Expr::Member(m) => prop_name(&m.prop).cloned(),
                _ => None,
            };
            if name.is_some_and(|n| {
                n.len() > 3
                    && n.starts_with("use")
                    && n[3..].starts_with(|c: char| c.is_ascii_uppercase())
            }) {
                self.found = true;
            }
        }
        call.visit_children_with(self);
    }
}

/// Top-level names and how they leave the module: `export function get` → `export \`get\``,
/// `module.exports.get = get` → `module.exports.get`.
fn exported_names(program: &Program) -> FxHashMap<Atom, String> {
    let mut names = FxHashMap::default();
    let statements: Vec<&Stmt> = match program {
        Program::Module(module) => {
            for item in &module.body {
                let ModuleItem::ModuleDecl(decl) = item else {
                    continue;
                };
                match decl {
                    ModuleDecl::ExportDecl(export) => match &export.decl {
                        Decl::Fn(f) => {
                            names.insert(f.ident.sym.clone(), format!("export `{}`", f.ident.sym));
                        }
                        Decl::Class(c) => {
                            names.insert(c.ident.sym.clone(), format!("export `{}`", c.ident.sym));
                        }
                        Decl::Var(var) => {
                            for d in &var.decls {
                                if let Pat::Ident(i) = &d.name {
                                    names
                                        .insert(i.id.sym.clone(), format!("export `{}`", i.id.sym));
                                }
                            }
                        }
                        _ => {}
                    },
                    ModuleDecl::ExportNamed(named) if named.src.is_none() => {
                        for spec in &named.specifiers {
                            if let ExportSpecifier::Named(n) = spec {
                                let ModuleExportName::Ident(orig) = &n.orig else {
                                    continue;
                                };
                                let exported = match &n.exported {
                                    Some(ModuleExportName::Ident(e)) => e.sym.to_string(),
                                    Some(ModuleExportName::Str(s)) => {
                                        s.value.to_atom_lossy().to_string()
                                    }
                                    None => orig.sym.to_string(),
                                };
                                names.insert(orig.sym.clone(), format!("export `{exported}`"));
                            }
                        }
                    }
                    ModuleDecl::ExportDefaultExpr(export) => {
                        if let Expr::Ident(i) = unwrap(&export.expr) {
                            names.insert(i.sym.clone(), "the default export".into());
                        }
                    }
                    _ => {}
                }
            }
            module
                .body
                .iter()
                .filter_map(|item| item.as_stmt())
                .collect()
        }
        Program::Script(script) => script.body.iter().collect(),
    };
    // CommonJS: module.exports = name, module.exports.x = name, exports.x = name,
    // module.exports = { name, x: name }.
    for stmt in statements {
        let Stmt::Expr(expr) = stmt else { continue };
        let Expr::Assign(assign) = unwrap(&expr.expr) else {
            continue;
        };
        let Some(target) = assign.left.as_simple().and_then(|s| s.as_member()) else {
            continue;
        };
        let Some(path) = member_path(target) else {
            continue;
        };
        let is_exports = path == "module.exports" || path == "exports";
        let is_export_prop = path.starts_with("module.exports.") || path.starts_with("exports.");
        match unwrap(&assign.right) {
            Expr::Ident(i) if is_exports || is_export_prop => {
                names.insert(i.sym.clone(), path.clone());
            }
            Expr::Object(object) if is_exports => {
                for prop in &object.props {
                    let PropOrSpread::Prop(prop) = prop else {
                        continue;
                    };
                    match &**prop {
                        Prop::Shorthand(i) => {
                            names.insert(i.sym.clone(), format!("{path}.{}", i.sym));
                        }
                        Prop::KeyValue(kv) => {
                            if let (Expr::Ident(i), Some(key)) =
                                (unwrap(&kv.value), prop_key(&kv.key))
                            {
                                names.insert(i.sym.clone(), format!("{path}.{key}"));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// `module.exports.get` for a static member chain rooted at an identifier.
fn member_path(member: &MemberExpr) -> Option<String> {
    let prop = prop_name(&member.prop)?;
    let object = match unwrap(&member.obj) {
        Expr::Ident(i) => i.sym.to_string(),
        Expr::Member(inner) => member_path(inner)?,
        _ => return None,
    };
    Some(format!("{object}.{prop}"))
}

// ---- the collection an unbounded-cache finding grows ---------------------------------------

/// Where the collection an `unbounded-cache` finding grows can be read.
enum Collection {
    /// From a name, through a probe added to the module.
    Probe(ProbeSite),
    /// From the instance, in an instance method: `this.cache` → `["cache"]`.
    OnInstance(Vec<String>),
}

/// The collection grown at `target` (`cache` in `cache.set(k, v)`, `seen` in `seen[k] = v`,
/// `this.cache` in a method), when it is a name or a static path from one (or from the
/// instance), and where a probe can see it.
fn collection_at(program: &Program, semantic: &Semantic, target: Span) -> Option<Collection> {
    let mut finder = GrowthFinder {
        target,
        found: None,
        classes: Vec::new(),
        this: This::Unknown,
    };
    program.visit_with(&mut finder);
    let (collection, this) = finder.found?;
    if this == This::Instance {
        if let Some(path) = instance_path(&collection) {
            return Some(Collection::OnInstance(path));
        }
    }
    let (root, props) = static_path(&collection)?;
    let body = match semantic.binding_of(&root) {
        None => None,
        Some(binding) => {
            let scope = semantic.scope(binding.scope);
            match scope.kind {
                ScopeKind::Program => None,
                ScopeKind::Function | ScopeKind::Arrow => Some(scope.span),
                _ => return None,
            }
        }
    };
    Some(Collection::Probe(ProbeSite {
        body,
        root: root.sym.clone(),
        props,
    }))
}

/// `this.a.b` → `["a", "b"]`.
fn instance_path(expr: &Expr) -> Option<Vec<String>> {
    let Expr::Member(member) = unwrap(expr) else {
        return None;
    };
    let prop = prop_name(&member.prop)?.to_string();
    let mut path = match unwrap(&member.obj) {
        Expr::This(_) => Vec::new(),
        inner => instance_path(inner)?,
    };
    path.push(prop);
    Some(path)
}

fn static_path(expr: &Expr) -> Option<(Ident, Vec<Atom>)> {
    match unwrap(expr) {
        Expr::Ident(ident) => Some((ident.clone(), Vec::new())),
        Expr::Member(member) => {
            let (root, mut props) = static_path(&member.obj)?;
            props.push(prop_name(&member.prop)?.clone());
            Some((root, props))
        }
        _ => None,
    }
}

struct GrowthFinder {
    target: Span,
    /// The collection, and what `this` was where it grew.
    found: Option<(Expr, This)>,
    /// The named classes around the current node.
    classes: Vec<Option<Atom>>,
    /// What `this` is at the current node.
    this: This,
}

/// What `this` is in the code being visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum This {
    /// The innermost class, in a static member.
    Class,
    /// An instance of the innermost class, in a method or constructor.
    Instance,
    /// Anything else (a plain function's own `this`, the module's).
    Unknown,
}

impl GrowthFinder {
    /// `this.byId` in a static method of `Hidden` is `Hidden.byId`.
    fn resolve_this(&self, object: &Expr) -> Expr {
        fn replace(expr: &Expr, class: &Atom) -> Option<Expr> {
            match unwrap(expr) {
                Expr::This(_) => Some(Expr::Ident(Ident::new_no_ctxt(
                    class.clone(),
                    swc_common::DUMMY_SP,
                ))),
                Expr::Member(member) => Some(Expr::Member(MemberExpr {
                    obj: Box::new(replace(&member.obj, class)?),
                    ..member.clone()
                })),
                _ => None,
            }
        }
        match (self.this, self.classes.last()) {
            (This::Class, Some(Some(class))) => {
                replace(object, class).unwrap_or_else(|| object.clone())
            }
            _ => object.clone(),
        }
    }
}

impl GrowthFinder {
    fn with_this(&mut self, this: This, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.this, this);
        visit(self);
        self.this = outer;
    }

    fn overlaps(&self, span: Span) -> bool {
        span.lo < self.target.hi && self.target.lo < span.hi
            || (span.lo == self.target.lo && span.hi == self.target.hi)
    }
}

impl Visit for GrowthFinder {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        call.visit_children_with(self);
        if self.found.is_some() {
            return;
        }
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Member(member) = unwrap(callee) {
                let growth =
                    prop_name(&member.prop).is_some_and(|name| GROWTH_METHODS.contains(&&**name));
                if growth && self.overlaps(member.span) {
                    self.found = Some((self.resolve_this(&member.obj), self.this));
                }
            }
        }
    }

    fn visit_assign_expr(&mut self, assign: &AssignExpr) {
        assign.visit_children_with(self);
        if self.found.is_some() {
            return;
        }
        if let Some(member) = assign.left.as_simple().and_then(|s| s.as_member()) {
            if self.overlaps(member.span)
                || self.overlaps(assign.span) && self.target.lo >= member.span.lo
            {
                self.found = Some((self.resolve_this(&member.obj), self.this));
            }
        }
    }

    fn visit_class_decl(&mut self, decl: &ClassDecl) {
        self.classes.push(Some(decl.ident.sym.clone()));
        decl.class.visit_with(self);
        self.classes.pop();
    }

    fn visit_class_expr(&mut self, expr: &ClassExpr) {
        self.classes
            .push(expr.ident.as_ref().map(|i| i.sym.clone()));
        expr.class.visit_with(self);
        self.classes.pop();
    }

    fn visit_class_method(&mut self, method: &ClassMethod) {
        let this = if method.is_static {
            This::Class
        } else {
            This::Instance
        };
        self.with_this(this, |v| method.visit_children_with(v));
    }

    fn visit_constructor(&mut self, ctor: &Constructor) {
        self.with_this(This::Instance, |v| ctor.visit_children_with(v));
    }

    fn visit_class_prop(&mut self, prop: &ClassProp) {
        let this = if prop.is_static {
            This::Class
        } else {
            This::Instance
        };
        self.with_this(this, |v| prop.visit_children_with(v));
    }

    fn visit_fn_expr(&mut self, expr: &FnExpr) {
        // A plain function has its own `this`.
        self.with_this(This::Unknown, |v| expr.visit_children_with(v));
    }

    fn visit_fn_decl(&mut self, decl: &FnDecl) {
        self.with_this(This::Unknown, |v| decl.visit_children_with(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_of(name: &str, code: &str, needle: &str) -> Result<Entry, String> {
        let start = code.find(needle).expect("the needle is in the code");
        let plan = plan(
            Path::new(name),
            code,
            false,
            Measure::CollectionSize,
            Range::new(start, start + needle.len()),
        )?;
        plan.entry
    }

    #[test]
    fn entries_are_the_outermost_function_reachable_at_load() {
        let e = entry_of(
            "a.js",
            "const c = new Map();\nfunction get(k) { [1].forEach(() => c.set(k, 1)); }\nmodule.exports = { get };",
            "c.set",
        )
        .unwrap();
        assert_eq!((e.kind, e.access), ("function", "call"));
        assert_eq!(e.description, "`get` (module.exports.get)");

        let e = entry_of(
            "a.js",
            "const c = new Map();\n(function () {\n  app.get('/x', (req, res) => { c.set(req.url, 1); });\n})();",
            "c.set",
        )
        .unwrap();
        assert_eq!(e.handler, Some("plain"));
        assert_eq!(e.description, "the function passed to `app.get('/x', …)`");

        let e = entry_of(
            "a.mjs",
            "const c = new Map();\nexport class Store { static of(k) { c.set(k, 1); } }",
            "c.set",
        )
        .unwrap();
        assert_eq!(
            (e.kind, e.is_static, e.name.as_deref()),
            ("method", true, Some("of"))
        );

        let e = entry_of(
            "a.js",
            "const c = new Map();\nmodule.exports = { add(k) { c.set(k, 1); } };",
            "c.set",
        )
        .unwrap();
        assert_eq!((e.kind, e.name.as_deref()), ("property", Some("add")));
        assert_eq!(e.description, "method `add` of `module.exports`");
    }

    #[test]
    fn components_are_mounted_with_their_framework_lifecycle() {
        let lifecycle = |name: &str, code: &str| {
            entry_of(name, code, "c.set")
                .unwrap()
                .lifecycle
                .map(|l| (l.framework, l.mount, l.unmount))
        };
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            lifecycle(
                "a.jsx",
                "const c = new Map();\nexport function Item({ id }) { c.set(id, 1); return <li>{id}</li>; }",
            ),
            Some(("react", vec![], vec![]))
        );
        assert_eq!(
            lifecycle(
                "a.js",
                "const c = new Map();\nclass A extends HTMLElement { connectedCallback() { c.set(this, 1); } disconnectedCallback() {} }\ncustomElements.define('a-b', A);",
            ),
            Some((
                "custom-element",
                strings(&["connectedCallback"]),
                strings(&["disconnectedCallback"])
            ))
        );
        // A method of a Vue component's `methods`: the options object is what is mounted.
        let vue = entry_of(
            "a.js",
            "const c = new Map();\nexport default { mounted() { this.track(); }, methods: { track() { c.set(this, 1); } } };",
            "c.set",
        )
        .unwrap();
        assert_eq!((vue.kind, vue.name.as_deref()), ("property", Some("track")));
        assert_eq!(vue.lifecycle.unwrap().mount, strings(&["mounted"]));
        assert_eq!(
            lifecycle(
                "a.js",
                "const c = new Map();\nclass A { start() { c.set(this, 1); } }\nmodule.exports = A;",
            ),
            None
        );
    }

    #[test]
    fn unreachable_code_says_why() {
        let top = entry_of("a.js", "const c = new Map();\nc.set(1, 2);", "c.set").unwrap_err();
        assert!(top.contains("top-level code"), "{top}");
        let private = entry_of(
            "a.js",
            "const c = new Map();\nclass A { #add(k) { c.set(k, 1); } }\nmodule.exports = A;",
            "c.set",
        )
        .unwrap_err();
        assert!(private.contains("private"), "{private}");
    }

    fn plan_at(name: &str, code: &str, needle: &str) -> Plan {
        let start = code.find(needle).expect("the needle is in the code");
        plan(
            Path::new(name),
            code,
            false,
            Measure::CollectionSize,
            Range::new(start, start + needle.len()),
        )
        .unwrap()
    }

    #[test]
    fn listeners_around_the_finding_are_driven() {
        // Registered on the handler's own parameter: emitted on that argument.
        let e = entry_of(
            "a.js",
            "const rooms = new Map();\nio.on('connection', (socket) => {\n  socket.on('join', (room) => { rooms.set(socket.id, room); });\n});",
            "rooms.set",
        )
        .unwrap();
        assert_eq!(
            e.description,
            "the function passed to `io.on('connection', …)`"
        );
        let drives: Vec<(&str, usize, &str)> = e
            .events
            .iter()
            .map(|d| (d.on, d.index, d.event.as_str()))
            .collect();
        assert_eq!(drives, vec![("arg", 0, "join")]);
        // Registered on something the call made (a stubbed server), then on the listener's
        // own argument.
        let e = entry_of(
            "a.js",
            "const seen = new Set();\nexports.attach = function attach(server) {\n  const io = new Server(server);\n  io.on('connection', (socket) => { socket.on('hello', (name) => { seen.add(name); }); });\n};",
            "seen.add",
        )
        .unwrap();
        let drives: Vec<(&str, usize, &str)> = e
            .events
            .iter()
            .map(|d| (d.on, d.index, d.event.as_str()))
            .collect();
        assert_eq!(
            drives,
            vec![
                ("registered", 0, "connection"),
                ("listener-arg", 0, "hello")
            ]
        );
        // Not inside a listener: nothing to drive.
        let e = entry_of(
            "a.js",
            "const c = new Map();\nexports.get = function get(k) { c.set(k, 1); };",
            "c.set",
        )
        .unwrap();
        assert!(e.events.is_empty());
    }

    #[test]
    fn collections_on_the_instance_are_read_from_it() {
        let plan = plan_at(
            "a.js",
            "class Client {\n  constructor() { this.cache = { byPath: new Map() }; }\n  get(p) { this.cache.byPath.set(p, 1); }\n}\nmodule.exports = new Client();",
            "this.cache.byPath.set",
        );
        assert_eq!(
            plan.instance_collection,
            Some(vec!["cache".to_string(), "byPath".to_string()])
        );
        assert_eq!(plan.collection.as_deref(), Some("this.cache.byPath"));
        // `this` in a plain function is not the instance.
        let plan = plan_at(
            "a.js",
            "class A {\n  m() { return function (k) { this.seen.set(k, 1); }; }\n}\nmodule.exports = A;",
            "this.seen.set",
        );
        assert_eq!(plan.instance_collection, None);
    }

    #[test]
    fn imported_names_are_what_a_stub_must_export() {
        let plan = plan_at(
            "a.mjs",
            "import pg, { Pool as P, types } from 'pg';\nimport * as redis from 'redis';\nexport { Server } from 'socket.io';\nconst c = new Map();\nexport function f(k) { redis.createClient(); c.set(k, 1); }",
            "c.set",
        );
        let names = |source: &str| plan.imports.get(source).cloned().unwrap_or_default();
        assert_eq!(names("pg"), vec!["Pool", "default", "types"]);
        assert_eq!(names("redis"), vec!["createClient"]);
        assert_eq!(names("socket.io"), vec!["Server"]);
    }

    #[test]
    fn typescript_is_stripped_and_captured() {
        let code = "const byId = new Map<string, number>();\nexport class Registry {\n  static byId: Map<string, number> = new Map();\n  constructor(private readonly name: string) {}\n  register(id: string): void { byId.set(id, 1); }\n}\n";
        let start = code.find("byId.set").unwrap();
        let plan = plan(
            Path::new("r.ts"),
            code,
            false,
            Measure::CollectionSize,
            Range::new(start, start + 8),
        )
        .unwrap();
        assert_eq!(plan.format, Format::Esm);
        assert!(!plan.code.contains(": string"), "{}", plan.code);
        assert!(
            plan.code.contains("__leaklint_capture(0, Registry)"),
            "{}",
            plan.code
        );
        assert!(
            plan.code.contains("__leaklint_probe(()=>byId)"),
            "{}",
            plan.code
        );
        assert_eq!(plan.collection.as_deref(), Some("byId"));
    }

    #[test]
    fn browser_code_is_what_reads_browser_globals() {
        let needs = |code: &str| plan_at("a.js", code, "c.push").browser;
        let page = needs(
            "const c = [];\nfunction f() { c.push(location.href); window.scrollTo(0, 0); document.title = ''; location.hash; }",
        )
        .expect("it reads location, window and document");
        assert_eq!(needs_names(&page), ["location", "window", "document"]);
        assert!(!page.jquery);
        // A probe under `typeof` is how code that runs in Node too checks: not browser code.
        assert_eq!(
            needs("const c = [];\nfunction f() { if (typeof window !== 'undefined') return; c.push(1); }"),
            None
        );
        // A binding of the module's own named like a global is not the global.
        assert_eq!(
            needs("const c = [];\nconst document = { title: '' };\nfunction f() { c.push(document.title); }"),
            None
        );
        let plugin = needs(
            "const c = [];\n(function ($) { $.fn.x = function () { c.push(1); }; })(jQuery);",
        )
        .expect("a plugin reads jQuery");
        assert!(plugin.jquery);
    }

    fn needs_names(needs: &BrowserNeeds) -> Vec<&str> {
        needs.globals.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_umd_factory_is_skipped_like_its_wrapper() {
        let code = "const c = [];\n(function (root, factory) {\n  if (typeof module === 'object') module.exports = factory();\n  else root.Lib = factory();\n})(this, function () {\n  function add(k) { c.push(k); }\n  return { add };\n});";
        let e = entry_of("a.js", code, "c.push").unwrap();
        assert_eq!(e.kind, "function");
        assert!(e.description.contains("add"), "{}", e.description);
        // A function handed to a wrapper that does not call it is not a factory.
        let code = "const c = [];\n(function (root, later) {\n  root.later = later;\n})(this, function () { c.push(1); });";
        let e = entry_of("a.js", code, "c.push").unwrap();
        assert!(!e.description.contains("add"), "{}", e.description);
    }
}
