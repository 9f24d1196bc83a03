//! Every rule over arbitrary text, as each kind of file leaklint reads.
#![no_main]

use std::path::Path;

use leaklint::settings::Settings;
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &["a.js", "a.mjs", "a.cjs", "a.jsx", "a.ts", "a.tsx"];

fuzz_target!(
    init: {
        // As in the binary: a panic that leaklint catches (swc_ecma_parser panics on some broken
        // input, and leaklint reports that as the file's parse error) is not a crash. Panics in
        // leaklint's own code still fail below, as `internal error` diagnostics.
        leaklint::lint::install_quiet_panic_hook();
    },
    |data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let settings = Settings::default();
    let name = NAMES[selector as usize % NAMES.len()];
    // On a thread with the stack leaklint's workers have: files too small for the nesting
    // pre-scan (16 KB) may nest on every byte, which the fuzzer's 8 MB main thread cannot hold
    // (it died of stack overflows, silently, once inputs passed 2 KB).
    let output = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(leaklint::runtime::WORKER_STACK)
            .spawn_scoped(scope, || {
                leaklint::lint_source(Path::new(name), text, &settings, selector & 0x80 != 0)
            })
            .expect("a worker thread starts")
            .join()
            .expect("lint_source catches its panics")
    });
    for diagnostic in &output.diagnostics {
        // Internal errors are caught panics: a fuzz finding all the same.
        assert!(!diagnostic.message.starts_with("internal error"), "{}", diagnostic.message);
        assert!(diagnostic.location.range.start <= diagnostic.location.range.end);
        assert!(diagnostic.location.range.end <= text.len() + 3);
    }
    }
);
