//! leaklint finds memory-leak patterns in JavaScript and TypeScript.
//!
//! Pipeline, one module a stage: [`walk`] → [`parse`] → [`semantic`] → [`rules`] →
//! [`directives`] → [`report`] (or [`verify`], which runs findings in node). [`lint::lint_source`]
//! is the entry point for one text; [`check`] runs it over files, the [`lsp`] over documents.
//!
//! Data flows one way: each module uses only modules below it (`scripts/module-graph.py` lists
//! the graph and checks it has no cycle). The types stages share sit in small modules of their
//! own: [`settings`] (what applies to one file, which the rules query and [`config`] builds),
//! [`result`] (what linting produces, which the reporters, the verifier and the [`cache`] read),
//! [`runtime`] (worker stacks, the per-file deadline, the child parse).

pub mod cache;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod directives;
pub mod globals;
pub mod init;
pub mod lint;
pub mod lsp;
pub mod parse;
pub mod prescan;
pub mod report;
pub mod result;
pub mod rules;
pub mod runtime;
pub mod semantic;
pub mod settings;
pub mod sfc;
pub mod source;
pub mod verify;
pub mod walk;

#[cfg(test)]
pub(crate) mod testing;

pub use lint::lint_source;
pub use result::LintOutput;
