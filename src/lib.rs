//! leaklint finds memory-leak patterns in JavaScript and TypeScript.
//!
//! Pipeline, one module a stage: [`walk`] → [`parse`] → [`semantic`] → [`rules`] →
//! [`directives`] → [`report`] (or [`verify`], which runs findings in node). [`lint::lint_source`]
//! is the entry point for one text.

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
pub mod probe;
pub mod report;
pub mod rules;
pub mod semantic;
pub mod source;
pub mod verify;
pub mod walk;

#[cfg(test)]
pub(crate) mod testing;

pub use lint::{lint_source, LintOutput};
