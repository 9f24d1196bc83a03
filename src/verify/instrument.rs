//! The module's code as the driver runs it: TypeScript types stripped with swc's own
//! TypeScript transform, decorators dropped, JSX compiled to the driver's element factory, plus two calls leaklint adds:
//! `__leaklint_capture(0, f)` hands over the function (or its class or object) to call, and
//! `__leaklint_probe(() => cache)` lets the driver read the collection an `unbounded-cache`
//! finding grows. The result is printed with swc's code generator.

use swc_atoms::Atom;
use swc_common::sync::Lrc;
use swc_common::util::take::Take;
use swc_common::{FileName, Globals, Mark, SourceMap, Span, DUMMY_SP, GLOBALS};
use swc_ecma_ast::*;
use swc_ecma_codegen::text_writer::JsWriter;
use swc_ecma_codegen::{Config, Emitter, Node};
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

use crate::parse::BASE;

/// The name given to an anonymous `export default function/class` so it can be captured.
const DEFAULT_NAME: &str = "__leaklint_default";

/// The element factory and fragment JSX compiles to (defined by the driver).
const JSX_FACTORY: &str = "__leaklint_jsx";
const JSX_FRAGMENT: &str = "__leaklint_fragment";

/// Drops decorators (Angular's `@Component`, Lit's `@customElement`, `@HostListener`): Node
/// does not run them, and the metadata they register is the framework's, which the driver
/// stands in for. A decorator that replaces its class is lost with them.
struct DropDecorators;

impl VisitMut for DropDecorators {
    fn visit_mut_class(&mut self, class: &mut Class) {
        class.decorators.clear();
        class.visit_mut_children_with(self);
    }

    fn visit_mut_class_method(&mut self, method: &mut ClassMethod) {
        method.function.decorators.clear();
        method.visit_mut_children_with(self);
    }

    fn visit_mut_private_method(&mut self, method: &mut PrivateMethod) {
        method.function.decorators.clear();
        method.visit_mut_children_with(self);
    }

    fn visit_mut_class_prop(&mut self, prop: &mut ClassProp) {
        prop.decorators.clear();
        prop.visit_mut_children_with(self);
    }

    fn visit_mut_private_prop(&mut self, prop: &mut PrivateProp) {
        prop.decorators.clear();
        prop.visit_mut_children_with(self);
    }

    fn visit_mut_auto_accessor(&mut self, accessor: &mut AutoAccessor) {
        accessor.decorators.clear();
        accessor.visit_mut_children_with(self);
    }

    fn visit_mut_param(&mut self, param: &mut Param) {
        param.decorators.clear();
        param.visit_mut_children_with(self);
    }

    fn visit_mut_ts_param_prop(&mut self, prop: &mut TsParamProp) {
        prop.decorators.clear();
        prop.visit_mut_children_with(self);
    }
}

/// `import(x)` in CommonJS becomes `__leaklint_import(x, __filename)`: Node's own loader would
/// resolve it, past the driver's stubs for packages that are not installed.
struct CommonJsImports;

impl VisitMut for CommonJsImports {
    fn visit_mut_call_expr(&mut self, call: &mut CallExpr) {
        call.visit_mut_children_with(self);
        if matches!(call.callee, Callee::Import(_)) && !call.args.is_empty() {
            call.callee = Callee::Expr(Box::new(Expr::Ident(ident(&Atom::from(
                "__leaklint_import",
            )))));
            call.args.truncate(1);
            call.args.push(ExprOrSpread {
                spread: None,
                expr: Box::new(Expr::Ident(ident(&Atom::from("__filename")))),
            });
        }
    }
}

/// Where the function to call is handed over.
#[derive(Clone, Debug)]
pub enum CaptureSite {
    /// After the statement that declares the function or class spanning `span`.
    AfterDecl { span: Span, name: Option<Atom> },
    /// The function, arrow, class or object literal expression spanning `span`, wrapped.
    Wrap { span: Span },
}

/// Where the collection is readable, and its path from a name.
#[derive(Clone, Debug)]
pub struct ProbeSite {
    /// The function whose body declares the root name, or `None` for the module's top level.
    pub body: Option<Span>,
    pub root: Atom,
    pub props: Vec<Atom>,
}

impl ProbeSite {
    pub fn text(&self) -> String {
        std::iter::once(self.root.to_string())
            .chain(self.props.iter().map(|p| p.to_string()))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn expr(&self) -> Expr {
        let mut expr = Expr::Ident(ident(&self.root));
        for prop in &self.props {
            expr = Expr::Member(MemberExpr {
                span: DUMMY_SP,
                obj: Box::new(expr),
                prop: MemberProp::Computed(ComputedPropName {
                    span: DUMMY_SP,
                    expr: Box::new(Expr::Lit(Lit::Str(Str {
                        span: DUMMY_SP,
                        value: prop.clone().into(),
                        raw: None,
                    }))),
                }),
            });
        }
        expr
    }
}

/// The module as node runs it, and for each of its lines the line of the checked file it came
/// from (1-based; 0 where none does), so that a closure in a heap snapshot maps back.
pub struct Printed {
    pub code: String,
    pub lines: Vec<u32>,
}

/// Strips types and JSX, adds the capture and probe calls, and prints the program.
pub fn prepare(
    mut program: Program,
    text: &str,
    typescript: bool,
    jsx: bool,
    capture: Option<&CaptureSite>,
    probe: Option<&ProbeSite>,
) -> Result<Printed, String> {
    let cm: Lrc<SourceMap> = Default::default();
    let file = cm.new_source_file(Lrc::new(FileName::Anon), text.to_string());
    let spans_match = file.start_pos.0 == BASE;
    GLOBALS.set(&Globals::new(), || {
        let unresolved = Mark::new();
        let top_level = Mark::new();
        program.visit_mut_with(&mut DropDecorators);
        program.mutate(swc_ecma_transforms_base::resolver(
            unresolved, top_level, typescript,
        ));
        if typescript {
            program.mutate(swc_ecma_transforms_typescript::strip(unresolved, top_level));
        }
        if jsx && has_jsx(&program) {
            program.mutate(swc_ecma_transforms_react::jsx(
                cm.clone(),
                None::<swc_common::comments::SingleThreadedComments>,
                swc_ecma_transforms_react::Options {
                    runtime: Some(swc_ecma_transforms_react::Runtime::Classic),
                    // The driver's own element factory: files written for the automatic
                    // runtime have no `React` in scope, and an element is never rendered.
                    pragma: Some(JSX_FACTORY.into()),
                    pragma_frag: Some(JSX_FRAGMENT.into()),
                    ..Default::default()
                },
                top_level,
                unresolved,
            ));
        }
    });
    if let Program::Module(module) = &mut program {
        module.shebang = None;
    }
    if let Program::Script(script) = &mut program {
        script.shebang = None;
    }
    if let Program::Script(script) = &mut program {
        script.visit_mut_with(&mut CommonJsImports);
    }
    let mut instrumenter = Instrumenter {
        capture: capture.cloned(),
        probe: probe.cloned(),
        captured: false,
    };
    program.visit_mut_with(&mut instrumenter);
    if capture.is_some() && !instrumenter.captured {
        return Err("leaklint could not find the function again after stripping types".into());
    }
    // Parentheses the transforms and the wrapping made necessary.
    program.mutate(swc_ecma_transforms_base::fixer::fixer(None));
    let mut buf = Vec::new();
    let mut mappings = Vec::new();
    {
        let cm_for_writer = if spans_match { Some(cm.clone()) } else { None };
        let mut emitter = Emitter {
            cfg: Config::default().with_target(EsVersion::latest()),
            cm: cm.clone(),
            comments: None,
            wr: JsWriter::new(
                cm_for_writer.unwrap_or_default(),
                "\n",
                &mut buf,
                spans_match.then_some(&mut mappings),
            ),
        };
        program
            .emit_with(&mut emitter)
            .map_err(|e| format!("cannot print the prepared module: {e}"))?;
    }
    let code = String::from_utf8(buf).map_err(|_| "the prepared module is not UTF-8")?;
    let lines = line_map(&code, text, &mappings);
    Ok(Printed { code, lines })
}

/// For each printed line, the first source line a node printed on it starts at.
fn line_map(
    code: &str,
    text: &str,
    mappings: &[(swc_common::BytePos, swc_common::LineCol)],
) -> Vec<u32> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut lines = vec![0u32; code.lines().count() + 1];
    for (pos, at) in mappings {
        let Some(offset) = pos.0.checked_sub(BASE) else {
            continue;
        };
        let source_line = starts.partition_point(|&start| start <= offset as usize) as u32;
        if let Some(line) = lines.get_mut(at.line as usize) {
            if *line == 0 {
                *line = source_line;
            }
        }
    }
    lines
}

fn has_jsx(program: &Program) -> bool {
    struct Finder(bool);
    impl Visit for Finder {
        fn visit_jsx_element(&mut self, _: &JSXElement) {
            self.0 = true;
        }
        fn visit_jsx_fragment(&mut self, _: &JSXFragment) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    program.visit_with(&mut finder);
    finder.0
}

fn ident(name: &str) -> Ident {
    Ident::new_no_ctxt(name.into(), DUMMY_SP)
}

fn call(callee: &str, args: Vec<Expr>) -> Expr {
    Expr::Call(CallExpr {
        span: DUMMY_SP,
        callee: Callee::Expr(Box::new(Expr::Ident(ident(callee)))),
        args: args
            .into_iter()
            .map(|e| ExprOrSpread {
                spread: None,
                expr: Box::new(e),
            })
            .collect(),
        ..Default::default()
    })
}

fn capture_call(value: Expr) -> Expr {
    call(
        "__leaklint_capture",
        vec![
            Expr::Lit(Lit::Num(Number {
                span: DUMMY_SP,
                value: 0.0,
                raw: None,
            })),
            value,
        ],
    )
}

fn stmt(expr: Expr) -> Stmt {
    Stmt::Expr(ExprStmt {
        span: DUMMY_SP,
        expr: Box::new(expr),
    })
}

struct Instrumenter {
    capture: Option<CaptureSite>,
    probe: Option<ProbeSite>,
    captured: bool,
}

impl Instrumenter {
    fn probe_stmt(&self) -> Option<Stmt> {
        let probe = self.probe.as_ref()?;
        let read = Expr::Arrow(ArrowExpr {
            span: DUMMY_SP,
            params: Vec::new(),
            body: Box::new(ArrowFunctionBody::Expr(Box::new(probe.expr()))),
            ..Default::default()
        });
        Some(stmt(call("__leaklint_probe", vec![read])))
    }

    /// The capture statement when `decl` declares the captured function or class.
    fn capture_after(&mut self, span: Span, name: Option<&Ident>) -> Option<Stmt> {
        let Some(CaptureSite::AfterDecl { span: target, .. }) = &self.capture else {
            return None;
        };
        if *target != span {
            return None;
        }
        let name = name?;
        self.captured = true;
        Some(stmt(capture_call(Expr::Ident(ident(&name.sym)))))
    }

    fn decl_capture(&mut self, decl: &Decl) -> Option<Stmt> {
        match decl {
            Decl::Fn(f) => self.capture_after(f.function.span, Some(&f.ident)),
            Decl::Class(c) => self.capture_after(c.class.span, Some(&c.ident)),
            _ => None,
        }
    }

    fn default_capture(&mut self, export: &mut ExportDefaultDecl) -> Option<Stmt> {
        let (span, name) = match &mut export.decl {
            DefaultDecl::Fn(f) => (f.function.span, &mut f.ident),
            DefaultDecl::Class(c) => (c.class.span, &mut c.ident),
            DefaultDecl::TsInterfaceDecl(_) => return None,
        };
        if !matches!(&self.capture, Some(CaptureSite::AfterDecl { span: s, .. }) if *s == span) {
            return None;
        }
        let name = name.get_or_insert_with(|| ident(DEFAULT_NAME)).clone();
        self.capture_after(span, Some(&name))
    }
}

impl VisitMut for Instrumenter {
    fn visit_mut_module(&mut self, module: &mut Module) {
        module.visit_mut_children_with(self);
        if self.probe.as_ref().is_some_and(|p| p.body.is_none()) {
            if let Some(probe) = self.probe_stmt() {
                module.body.push(ModuleItem::Stmt(probe));
            }
        }
    }

    fn visit_mut_script(&mut self, script: &mut Script) {
        script.visit_mut_children_with(self);
        if self.probe.as_ref().is_some_and(|p| p.body.is_none()) {
            if let Some(probe) = self.probe_stmt() {
                script.body.push(probe);
            }
        }
    }

    fn visit_mut_module_items(&mut self, items: &mut Vec<ModuleItem>) {
        items.visit_mut_children_with(self);
        let mut i = 0;
        while i < items.len() {
            let capture = match &mut items[i] {
                ModuleItem::Stmt(Stmt::Decl(decl)) => self.decl_capture(decl),
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => {
                    self.decl_capture(&export.decl)
                }
                ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(export)) => {
                    self.default_capture(export)
                }
                _ => None,
            };
            if let Some(capture) = capture {
                items.insert(i + 1, ModuleItem::Stmt(capture));
                i += 1;
            }
            i += 1;
        }
    }

    fn visit_mut_stmts(&mut self, stmts: &mut Vec<Stmt>) {
        stmts.visit_mut_children_with(self);
        let mut i = 0;
        while i < stmts.len() {
            if let Stmt::Decl(decl) = &stmts[i] {
                if let Some(capture) = self.decl_capture(decl) {
                    stmts.insert(i + 1, capture);
                    i += 1;
                }
            }
            i += 1;
        }
    }

    fn visit_mut_function(&mut self, function: &mut Function) {
        function.visit_mut_children_with(self);
        let here = self
            .probe
            .as_ref()
            .is_some_and(|p| p.body == Some(function.span));
        if here {
            if let (Some(probe), Some(body)) = (self.probe_stmt(), &mut function.body) {
                insert_before_return(&mut body.stmts, probe);
            }
        }
    }

    fn visit_mut_arrow_expr(&mut self, arrow: &mut ArrowExpr) {
        arrow.visit_mut_children_with(self);
        let here = self
            .probe
            .as_ref()
            .is_some_and(|p| p.body == Some(arrow.span));
        if here {
            if let (Some(probe), ArrowFunctionBody::FunctionBody(body)) =
                (self.probe_stmt(), &mut *arrow.body)
            {
                insert_before_return(&mut body.stmts, probe);
            }
        }
    }

    fn visit_mut_expr(&mut self, expr: &mut Expr) {
        expr.visit_mut_children_with(self);
        let Some(CaptureSite::Wrap { span }) = &self.capture else {
            return;
        };
        let matches = match &*expr {
            Expr::Fn(f) => f.function.span == *span,
            Expr::Arrow(a) => a.span == *span,
            Expr::Class(c) => c.class.span == *span,
            Expr::Object(o) => o.span == *span,
            _ => false,
        };
        if matches && !self.captured {
            self.captured = true;
            let value = expr.take();
            *expr = capture_call(value);
        }
    }
}

/// Before a final `return` (the revealing-module IIFE's `return api;`), else at the end.
fn insert_before_return(stmts: &mut Vec<Stmt>, stmt: Stmt) {
    let at = match stmts.last() {
        Some(Stmt::Return(_)) => stmts.len() - 1,
        _ => stmts.len(),
    };
    stmts.insert(at, stmt);
}
