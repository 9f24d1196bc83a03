//! The parse floor for benchmarks: the same walk, read and parse as `leaklint check`, plus one
//! visit of every AST, and no semantic model or rules. What any swc-based linter must spend.
//!
//! Built only with `--features bench` (benches/bench.sh does it).

use std::path::PathBuf;

use rayon::prelude::*;
use swc_ecma_visit::{Visit, VisitWith};

use leaklint::parse::parse;
use leaklint::runtime::WORKER_STACK;
use leaklint::source::decode;
use leaklint::source::SourceType;
use leaklint::walk::walk;

#[global_allocator]
static GLOBAL: leaklint::runtime::alloc::Allocator = leaklint::runtime::alloc::Allocator;

/// Huge pages off before the first allocation (see `runtime::alloc::disable_huge_pages`).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[link_section = ".init_array"]
static DISABLE_HUGE_PAGES: extern "C" fn() = leaklint::runtime::alloc::disable_huge_pages;

struct CountIdents(usize);

impl Visit for CountIdents {
    fn visit_ident(&mut self, _: &swc_ecma_ast::Ident) {
        self.0 += 1;
    }
}

fn main() {
    // The same allocator setup as `leaklint`, so that the floor stays comparable.
    leaklint::runtime::alloc::configure();
    let mut paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let files = walk(&paths, threads).files;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK)
        .build()
        .expect("the thread pool starts");
    let idents: usize = pool.install(|| {
        files
            .par_iter()
            .map(|file| {
                let Ok(bytes) = std::fs::read(&file.path) else {
                    return 0;
                };
                let Ok(text) = decode(&bytes) else { return 0 };
                let Some(source_type) = SourceType::from_path(&file.path) else {
                    return 0;
                };
                let parsed = parse(text, source_type, false);
                let mut count = CountIdents(0);
                if let Some(program) = &parsed.program {
                    program.visit_with(&mut count);
                }
                count.0
            })
            .sum()
    });
    println!("{} files, {idents} identifiers", files.len());
}
