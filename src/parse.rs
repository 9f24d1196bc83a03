//! Parsing: one source text to an swc AST plus its comments, with every syntax error kept.

use swc_common::comments::{Comment, Comments, SingleThreadedComments};
use swc_common::{BytePos, Span, Spanned, DUMMY_SP};
use swc_ecma_ast::{
    CallExpr, Callee, EsVersion, Expr, IdentName, Invalid, MemberExpr, MemberProp, OptChainBase,
    Program,
};
use swc_ecma_parser::{lexer::Lexer, EsSyntax, Parser, StringInput, Syntax, TsSyntax};
use swc_ecma_visit::{VisitMut, VisitMutWith};

use crate::source::{ModuleKind, SourceType};

/// swc positions start at 1 (0 is the dummy position); offsets in leaklint start at 0.
pub const BASE: u32 = 1;

pub struct Parsed {
    /// `None` when the parser could not recover.
    pub program: Option<Program>,
    /// Every comment in source order, when the text may hold a directive
    /// ([`may_hold_a_directive`]); else none: only directives read comments, and collecting
    /// them costs the lexer an allocation per comment.
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

/// A syntax error as byte offsets into the source.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Parses `text` as `source_type`; `package_is_module` is the nearest package.json's
/// `"type": "module"`, which makes a `.js` file an ES module.
pub fn parse(text: &str, source_type: SourceType, package_is_module: bool) -> Parsed {
    let syntax = if source_type.typescript {
        Syntax::Typescript(TsSyntax {
            tsx: source_type.jsx,
            decorators: true,
            ..Default::default()
        })
    } else {
        Syntax::Es(EsSyntax {
            jsx: source_type.jsx,
            decorators: true,
            allow_return_outside_function: source_type.module != ModuleKind::Module,
            import_attributes: true,
            explicit_resource_management: true,
            ..Default::default()
        })
    };
    let comments = SingleThreadedComments::default();
    let end = BytePos(BASE + text.len() as u32);
    let input = StringInput::new(text, BytePos(BASE), end);
    let collect: Option<&dyn Comments> = may_hold_a_directive(text).then_some(&comments);
    let lexer = Lexer::new(syntax, EsVersion::latest(), input, collect);
    let mut parser = Parser::new_from(lexer);

    let is_js = !source_type.typescript;
    let result = match source_type.module {
        ModuleKind::Module => parser.parse_module().map(Program::Module),
        ModuleKind::Script => parser.parse_commonjs().map(Program::Script),
        ModuleKind::Auto if is_js && package_is_module => {
            parser.parse_module().map(Program::Module)
        }
        ModuleKind::Auto => parser.parse_program(),
    };
    let mut errors: Vec<SyntaxError> = parser.take_errors().into_iter().map(to_error).collect();
    let program = match result {
        Ok(program) => Some(program),
        Err(error) => {
            errors.push(to_error(error));
            None
        }
    };
    errors.sort_by_key(|e| (e.start, e.end));
    errors.dedup_by(|a, b| a.start == b.start && a.message == b.message);
    Parsed {
        program,
        comments: collect_comments(comments),
        errors,
    }
}

/// Could a comment of `text` be a directive? Each starts with one of these words
/// (`crate::directives`), so a text without them has none.
pub fn may_hold_a_directive(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"global").is_some()
        || memchr::memmem::find(bytes, b"leaklint-ignore").is_some()
}

fn to_error(error: swc_ecma_parser::error::Error) -> SyntaxError {
    let span = error.span();
    SyntaxError {
        start: span.lo.0.saturating_sub(BASE) as usize,
        end: span.hi.0.saturating_sub(BASE) as usize,
        message: error.into_kind().msg().into_owned(),
    }
}

fn collect_comments(comments: SingleThreadedComments) -> Vec<Comment> {
    let (leading, trailing) = comments.take_all();
    let mut all: Vec<Comment> = leading
        .take()
        .into_values()
        .chain(trailing.take().into_values())
        .flatten()
        .collect();
    all.sort_by_key(|c| c.span.lo);
    all.dedup_by_key(|c| c.span.lo);
    all
}

/// Rewrites optional chains as plain ones (`a?.b(c)` as `a.b(c)`, `x?.y` as `x.y`), spans
/// kept. The lint asks what code does when it runs, and an optional call that runs is a call:
/// `this.sub?.unsubscribe()` releases, `signal?.addEventListener(…)` registers. Files without
/// `?.` are not walked, nor expressions without one in their text.
pub fn plain_optional_chains(text: &str, program: &mut Program) {
    let marks: Vec<BytePos> = memchr::memmem::find_iter(text.as_bytes(), b"?.")
        .map(|at| BytePos(BASE + at as u32))
        .collect();
    if !marks.is_empty() {
        program.visit_mut_with(&mut PlainOptionalChains { marks });
    }
}

struct PlainOptionalChains {
    /// Where `?.` is written, in order (also in strings, comments and `a ?.5 : b`): only an
    /// expression around one of them can hold an optional chain, and a file has few.
    marks: Vec<BytePos>,
}

impl PlainOptionalChains {
    /// Is a `?.` written inside `span`? A span the parser left empty may hold anything.
    fn may_hold_one(&self, span: Span) -> bool {
        let first = self.marks.partition_point(|&at| at < span.lo);
        span.is_dummy() || self.marks.get(first).is_some_and(|&at| at < span.hi)
    }
}

impl VisitMut for PlainOptionalChains {
    fn visit_mut_expr(&mut self, expr: &mut Expr) {
        // A class expression's decorators may be written before its span starts.
        if !matches!(expr, Expr::Class(_)) && !self.may_hold_one(expr.span()) {
            return;
        }
        expr.visit_mut_children_with(self);
        let Expr::OptChain(chain) = expr else {
            return;
        };
        let base = std::mem::replace(
            &mut *chain.base,
            OptChainBase::Member(MemberExpr {
                span: DUMMY_SP,
                obj: Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })),
                prop: MemberProp::Ident(IdentName::default()),
            }),
        );
        *expr = match base {
            OptChainBase::Member(member) => Expr::Member(member),
            OptChainBase::Call(call) => Expr::Call(CallExpr {
                span: call.span,
                ctxt: call.ctxt,
                callee: Callee::Expr(call.callee),
                args: call.args,
                type_args: call.type_args,
            }),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments_of(text: &str) -> usize {
        let source_type = SourceType::from_path(std::path::Path::new("a.js")).unwrap();
        parse(text, source_type, false).comments.len()
    }

    /// Every directive form keeps its comments; a file that can hold none collects none.
    #[test]
    fn comments_are_collected_where_a_directive_may_be() {
        for directive in [
            "/* global a */",
            "/*globals a: true */",
            "// leaklint-ignore implicit-global",
            "// leaklint-ignore-line implicit-global",
            "/* leaklint-ignore-file implicit-global */",
        ] {
            assert_eq!(
                comments_of(&format!("// prose\n{directive}\nx = 1;\n")),
                2,
                "{directive}"
            );
        }
        assert_eq!(comments_of("// prose\n/** docs */\nx = 1;\n"), 0);
    }
}
