//! `implicit-global`: an assignment to a name declared in no enclosing scope.
//!
//! In sloppy code (scripts, CommonJS without `'use strict'`) `total = 0` inside a function
//! creates a property of the global object. It is never collected: whatever it points to lives
//! as long as the process, and every call that reassigns it keeps the newest value alive.
//! Strict code (ES modules, classes, `'use strict'`) throws a `ReferenceError` instead, so the
//! rule is silent there; a name that `eval` or `with` may supply is also left alone.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::{Finding, Label, Range, Severity, Subject};
use crate::globals::BROWSER_MARKERS;
use crate::rules::{Context, Handles, Measure, Rule, RuleMeta};
use crate::semantic::{Reference, Resolution};

pub const ID: &str = "implicit-global";

pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "assignment to an undeclared name creates a global that is never freed",
    docs: include_str!("../../rules/implicit-global.md"),
    options: &[],
    // Every fact it needs is in the model's references: it handles no node.
    handles: Handles::NONE,
    measure: Measure::GlobalKeys,
    gate: &[],
    create: Some(|_| Some(Box::new(ImplicitGlobal))),
};

struct ImplicitGlobal;

impl Rule for ImplicitGlobal {
    fn finish(&mut self, cx: &mut Context) {
        report(cx);
    }
}

/// Writes shown as labels beside the first one; more add nothing a reader needs.
const MAX_LABELS: usize = 3;

fn report(ctx: &mut Context) {
    let semantic = ctx.semantic;
    let browser_like = semantic
        .references
        .iter()
        .any(|r| r.resolution == Resolution::Unresolved && BROWSER_MARKERS.contains(&&*r.name));
    // `typeof name` probes for an existing global (`if (typeof _ == 'function') _ = …`, the
    // polyfill pattern): the author knows the name is global, and assigning it creates nothing.
    let probed: FxHashSet<&str> = semantic
        .references
        .iter()
        .filter(|r| r.in_typeof && r.resolution == Resolution::Unresolved)
        .map(|r| &*r.name)
        .collect();
    // One finding per name, at its first write: declaring the name fixes every write.
    let mut writes: FxHashMap<&str, Vec<&Reference>> = FxHashMap::default();
    let mut order = Vec::new();
    for reference in &semantic.references {
        // `arguments` is the function's, or at the top of CommonJS the module wrapper's.
        let creates_global = reference.access.is_write()
            && reference.name != "arguments"
            && reference.resolution == Resolution::Unresolved
            && !semantic.scope(reference.scope).strict
            && !ctx.globals().contains(&reference.name, browser_like)
            && !probed.contains(&*reference.name);
        if creates_global {
            let entry = writes.entry(&reference.name).or_default();
            if entry.is_empty() {
                order.push(&*reference.name);
            }
            entry.push(reference);
        }
    }
    for name in order {
        let refs = &writes[name];
        let first = refs[0];
        let labels = refs[1..]
            .iter()
            .take(MAX_LABELS)
            .map(|r| Label {
                range: Range::from_span(r.span),
                message: format!("`{name}` is also assigned here"),
            })
            .collect();
        ctx.report(Finding {
            rule: ID,
            range: Range::from_span(first.span),
            message: format!(
                "`{name}` is assigned but never declared, so it becomes a global that lives as long as the process"
            ),
            labels,
            severity: None,
            subject: Some(Subject::Global {
                name: name.to_string(),
            }),
            help: Some(format!(
                "declare it (`let {name}`) in the scope that uses it; if it is meant to be a global, name it in a `/* global {name} */` comment or in `globals` in leaklint.toml"
            )),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::Tester;

    #[test]
    fn passes() {
        Tester::new(&super::META).passes(&[
            ("var x; x = 1;", "a.js"),
            ("function f() { var total; total = 1; }", "a.js"),
            ("let n = 0; function f() { n += 1; }", "a.js"),
            ("x = 1; export {};", "a.js"),
            ("'use strict'; x = 1;", "a.js"),
            ("function f() { 'use strict'; x = 1; }", "a.js"),
            ("class A { m() { x = 1; } }", "a.js"),
            ("x = 1;", "a.mjs"),
            ("import a from 'a'; x = 1;", "a.ts"),
            ("module.exports = {}; exports.a = 1;", "a.js"),
            ("process.title = 'x'; global.x = 1;", "a.js"),
            ("/* global counter */ counter = 1;", "a.js"),
            ("/* global a, counter:writable */ counter = 1;", "a.js"),
            (
                "/* global counter -- set by the loader */ counter = 1;",
                "a.js",
            ),
            ("/* global a counter */ a = 1; counter = 2;", "a.js"),
            ("/*global counter:readonly*/ counter = 1;", "a.js"),
            ("arguments = 1;", "a.js"),
            ("function f() { eval('var x'); x = 1; }", "a.js"),
            ("with (obj) { x = 1; }", "a.js"),
            ("console.log(undeclared);", "a.js"),
            ("if (typeof foo === 'undefined') {}", "a.js"),
            ("declare var x: number; x = 1;", "a.ts"),
            ("declare global { var y: number } y = 1;", "a.ts"),
            (
                "window.onload = f; name = 'x'; document.title = name;",
                "a.js",
            ),
            ("function f() { for (var k in o) {} }", "a.js"),
            ("try {} catch (e) { e = 1; }", "a.js"),
            (
                "function f(a, {b}, [c], ...d) { a = b = c = d = 1; }",
                "a.js",
            ),
            ("function f() { g = 1; function g() {} }", "a.js"),
            ("label: for (;;) { break label; }", "a.js"),
            ("Array = 1;", "a.js"),
            ("if (typeof _ == 'function') { _ = wrap(_); }", "a.js"),
            (
                "function f() { if (typeof (Promise2) === 'undefined') Promise2 = P; }",
                "a.js",
            ),
        ]);
    }

    #[test]
    fn fails() {
        Tester::new(&super::META).fails(&[
            ("function f() { total = 1; }", "a.js", &[(1, 16)]),
            ("x = 1;", "a.js", &[(1, 1)]),
            ("function f() { count += 1; count++; }", "a.js", &[(1, 16)]),
            ("function f() { i++; }", "a.cjs", &[(1, 16)]),
            (
                "function f() { [a, b] = [1, 2]; }",
                "a.js",
                &[(1, 17), (1, 20)],
            ),
            (
                "function f() { ({ a, b: c } = o); }",
                "a.js",
                &[(1, 19), (1, 25)],
            ),
            ("function f() { for (k in o) {} }", "a.js", &[(1, 21)]),
            ("function f() { for (v of o) {} }", "a.js", &[(1, 21)]),
            ("'use strict'\n;(function () { y = 1; })", "a.js", &[]),
            (
                "function f() { 'use strict'; } function g() { y = 1; }",
                "a.js",
                &[(1, 47)],
            ),
            ("x = 1;", "a.ts", &[(1, 1)]),
            ("function f() { cache = new Map(); }", "a.jsx", &[(1, 16)]),
            ("const C = () => { data = <div/>; };", "a.jsx", &[(1, 19)]),
            ("/* global other */ mine = 1;", "a.js", &[(1, 20)]),
            ("/* global mine:off */ mine = 1;", "a.js", &[(1, 23)]),
            ("function f() { (x) = 1; }", "a.js", &[(1, 17)]),
            ("name = 'x';", "a.js", &[(1, 1)]),
            (
                "if (typeof other == 'function') { _ = 1; }",
                "a.js",
                &[(1, 35)],
            ),
        ]);
    }
}
