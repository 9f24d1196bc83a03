// Differential check of leaklint's `implicit-global` rule against an independent oracle built on
// espree + eslint-scope + globals.
//
// This script installs nothing itself. Install the oracle into a scratch folder outside the repo:
//
//   mkdir -p /tmp/oracle && cd /tmp/oracle && npm init -y && npm install espree eslint-scope globals
//
// Then lint the corpus with leaklint and run the comparison:
//
//   target/release/leaklint check CORPUS -f json -j 2 > /tmp/ll.json
//   node scripts/diff-implicit-globals.mjs CORPUS /tmp/ll.json /tmp/oracle/node_modules
//
// Optional 4th argument: a path to write the machine-readable result (JSON) to.
//
// What the oracle reports, per .js/.cjs/.mjs file (TypeScript is skipped; so are the files that
// leaklint's walk skips, e.g. *.min.js: only files present in both are compared):
//   - parse with espree (ecmaVersion latest, jsx). sourceType 'module' for .mjs or when the file
//     has a top-level import/export, else 'commonjs' (falling back to 'script' if that fails);
//   - analyze with eslint-scope (same sourceType, nodejsScope for commonjs);
//   - names with a write reference (ref.isWrite()) in globalScope.through whose `from` scope is
//     not strict, minus:
//       * names declared by a var/function at the global scope (script mode),
//       * globals of `globals` builtin + node + commonjs (+ browser when the file has an
//         unresolved reference to window/document/navigator),
//       * names in `/* global a, b:writable */` comments,
//       * names used as the operand of `typeof NAME` anywhere in the file,
//       * references in or under a dynamic scope other than the global one (direct eval, with).
//   - one finding per name: the first write in source order.
// leaklint's findings are those with ruleId 'implicit-global'; the name is the text between the
// first pair of backticks in the message.
//
// Output: counts, then every disagreement (file:line, name and the source line), then the
// unresolved writes that a filter silenced, with the reason (leaklint should be silent on them
// too), then the agreements. Exit status 0 whether or not they disagree (an investigation tool,
// not a test).
//
// Known oracle limitations (eslint-scope, not leaklint): a block-level function in sloppy code is
// block-scoped (no Annex B var hoisting), a direct eval() marks every enclosing scope dynamic, and
// `eval?.()` counts as a direct eval; `import.meta` in a .js without import/export fails to parse.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [corpusArg, reportArg, nmArg, jsonOut] = process.argv.slice(2);
if (!corpusArg || !reportArg || !nmArg) {
  console.error('usage: node diff-implicit-globals.mjs CORPUS_DIR LEAKLINT_JSON ORACLE_NODE_MODULES [OUT_JSON]');
  process.exit(2);
}
const corpus = path.resolve(corpusArg);
const require = createRequire(path.join(path.resolve(nmArg), '_resolver.js'));
const espree = require('espree');
const eslintScope = require('eslint-scope');
const globalsPkg = require('globals');

const baseGlobals = new Set([
  ...Object.keys(globalsPkg.builtin),
  ...Object.keys(globalsPkg.node),
  ...Object.keys(globalsPkg.commonjs),
]);
const browserGlobals = new Set(Object.keys(globalsPkg.browser));
const BROWSER_MARKERS = new Set(['window', 'document', 'navigator']);

// ---- leaklint's report ----------------------------------------------------------------------
const report = JSON.parse(fs.readFileSync(reportArg, 'utf8'));
const llFiles = new Map(); // abs path -> {fatal: msg|null, findings: Map name -> line}
for (const f of report) {
  const entry = { fatal: null, findings: new Map() };
  for (const m of f.messages) {
    if (m.fatal || m.ruleId == null) { entry.fatal ??= m.message; continue; }
    if (m.ruleId !== 'implicit-global') continue;
    const name = /`([^`]*)`/.exec(m.message)?.[1];
    if (name != null && !entry.findings.has(name)) entry.findings.set(name, { line: m.line, column: m.column });
  }
  llFiles.set(path.resolve(f.filePath), entry);
}

// ---- the oracle -----------------------------------------------------------------------------
function walkFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkFiles(p, out);
    else if (e.isFile() && /\.(js|cjs|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

const parseOpts = (sourceType) => ({
  ecmaVersion: 'latest', sourceType, ecmaFeatures: { jsx: true },
  loc: true, range: true, comment: true,
});

const MODULE_DECLS = new Set(['ImportDeclaration', 'ExportNamedDeclaration', 'ExportDefaultDeclaration', 'ExportAllDeclaration']);

function parseFile(file, text) {
  const ext = path.extname(file);
  if (ext === '.mjs') return { ast: espree.parse(text, parseOpts('module')), sourceType: 'module' };
  if (ext === '.js') {
    let modAst = null;
    try { modAst = espree.parse(text, parseOpts('module')); } catch { /* not a module */ }
    if (modAst && modAst.body.some((s) => MODULE_DECLS.has(s.type))) return { ast: modAst, sourceType: 'module' };
  }
  try {
    return { ast: espree.parse(text, parseOpts('commonjs')), sourceType: 'commonjs' };
  } catch (e1) {
    try {
      return { ast: espree.parse(text, parseOpts('script')), sourceType: 'script' };
    } catch {
      throw e1;
    }
  }
}

function visit(node, fn) {
  if (!node || typeof node.type !== 'string') return;
  fn(node);
  const keys = espree.VisitorKeys[node.type] ?? Object.keys(node).filter((k) => k !== 'parent' && k !== 'loc' && k !== 'range');
  for (const k of keys) {
    const v = node[k];
    if (Array.isArray(v)) for (const c of v) visit(c, fn);
    else if (v && typeof v === 'object') visit(v, fn);
  }
}

// ESLint's own parsing of `/* global a, b:writable */` / `/* globals a b */` comments.
function commentGlobals(comments) {
  const names = new Set();
  for (const c of comments) {
    if (c.type !== 'Block') continue;
    const value = c.value.split(/\s-{2,}\s/u)[0].trim();
    const m = /^(globals?)(?:\s|$)/u.exec(value);
    if (!m) continue;
    const list = value.slice(m[0].length).trim()
      .replace(/\s*:\s*/gu, ':').replace(/\s*,\s*/gu, ',').split(/\s|,+/u);
    for (const item of list) {
      if (!item) continue;
      const [name, val] = item.split(':');
      if (val === 'off') continue;
      names.add(name);
    }
  }
  return names;
}

function oracle(file) {
  const text = fs.readFileSync(file, 'utf8');
  const { ast, sourceType } = parseFile(file, text);
  const sm = eslintScope.analyze(ast, {
    ecmaVersion: espree.latestEcmaVersion,
    sourceType,
    nodejsScope: sourceType === 'commonjs',
    childVisitorKeys: espree.VisitorKeys,
    fallback: 'iteration',
  });
  const globalScope = sm.globalScope;
  const through = globalScope.through;
  const browser = through.some((r) => BROWSER_MARKERS.has(r.identifier.name));
  const declaredInComments = commentGlobals(ast.comments ?? []);
  const typeofNames = new Set();
  visit(ast, (n) => {
    if (n.type === 'UnaryExpression' && n.operator === 'typeof' && n.argument.type === 'Identifier') typeofNames.add(n.argument.name);
  });
  const findings = new Map();
  const silenced = []; // unresolved writes that one filter silenced: {name, line, why}
  const refs = [...through].sort((a, b) => a.identifier.range[0] - b.identifier.range[0]);
  for (const ref of refs) {
    if (!ref.isWrite()) continue;
    const name = ref.identifier.name;
    const at = { name, line: ref.identifier.loc.start.line, column: ref.identifier.loc.start.column + 1 };
    const why = whySilent(ref, name);
    if (why) { silenced.push({ ...at, why }); continue; }
    if (!findings.has(name)) findings.set(name, at);
  }
  return { sourceType, findings, silenced, lines: text.split(/\r\n|\r|\n/) };

  function whySilent(ref, name) {
    if (ref.from.isStrict) return 'strict';
    // direct eval / with: a dynamic scope between the reference and the global scope
    for (let s = ref.from; s && s !== globalScope; s = s.upper) {
      if (s.type === 'with') return 'with';
      if (s.dynamic) return 'eval';
    }
    const v = globalScope.set.get(name);
    if (v && v.defs.length > 0) return 'top-level var'; // var/function at the top of a script
    if (baseGlobals.has(name)) return 'env global';
    if (browser && browserGlobals.has(name)) return 'browser global';
    if (declaredInComments.has(name)) return '/* global */';
    if (typeofNames.has(name)) return 'typeof';
    return null;
  }
}

// ---- compare --------------------------------------------------------------------------------
const files = walkFiles(corpus).sort();
const stats = {
  jsFilesInCorpus: files.length, notInLeaklintReport: 0, compared: 0,
  oracleParseFailures: 0, leaklintParseFailures: 0, bothParseFailures: 0,
  oracleFindings: 0, leaklintFindings: 0, agreements: 0, onlyOracle: 0, onlyLeaklint: 0,
  sourceTypes: {},
};
const onlyOracle = [], onlyLeaklint = [], agreements = [], parseFailures = [], silenced = [];
const silencedBy = {};
for (const file of files) {
  const rel = path.relative(corpus, file);
  const ll = llFiles.get(file);
  if (!ll) { stats.notInLeaklintReport++; continue; }
  let o = null, oErr = null;
  try { o = oracle(file); } catch (e) { oErr = e.message; }
  if (oErr && ll.fatal) { stats.bothParseFailures++; parseFailures.push({ file: rel, oracle: oErr, leaklint: ll.fatal }); continue; }
  if (oErr) { stats.oracleParseFailures++; parseFailures.push({ file: rel, oracle: oErr }); continue; }
  if (ll.fatal) { stats.leaklintParseFailures++; parseFailures.push({ file: rel, leaklint: ll.fatal }); continue; }
  stats.compared++;
  stats.sourceTypes[o.sourceType] = (stats.sourceTypes[o.sourceType] ?? 0) + 1;
  stats.oracleFindings += o.findings.size;
  stats.leaklintFindings += ll.findings.size;
  const src = (line) => (o.lines[line - 1] ?? '').trim().slice(0, 160);
  for (const x of o.silenced) {
    silencedBy[x.why] = (silencedBy[x.why] ?? 0) + 1;
    // the silenced writes are the near misses worth a look (leaklint must be silent on them too)
    if (!ll.findings.has(x.name)) silenced.push({ file: rel, ...x, source: src(x.line) });
    if (ll.findings.has(x.name) && !o.findings.has(x.name)) { /* reported below as onlyLeaklint */ }
  }
  for (const [name, at] of o.findings) {
    if (ll.findings.has(name)) {
      const l = ll.findings.get(name);
      agreements.push({ file: rel, name, line: at.line, leaklintLine: l.line, sameLine: l.line === at.line, source: src(at.line) });
    } else onlyOracle.push({ file: rel, name, line: at.line, sourceType: o.sourceType, source: src(at.line) });
  }
  for (const [name, at] of ll.findings) {
    if (!o.findings.has(name)) onlyLeaklint.push({ file: rel, name, line: at.line, sourceType: o.sourceType, source: src(at.line) });
  }
}
stats.agreements = agreements.length;
stats.onlyOracle = onlyOracle.length;
stats.onlyLeaklint = onlyLeaklint.length;

console.log(`oracle: espree ${espree.version}, eslint-scope ${eslintScope.version}, globals ${require('globals/package.json').version}`);
for (const [k, v] of Object.entries(stats)) console.log(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
console.log('\n== parse failures');
for (const p of parseFailures) console.log(`  ${p.file}: ${p.oracle ? `oracle: ${p.oracle}` : ''}${p.oracle && p.leaklint ? ' | ' : ''}${p.leaklint ? `leaklint: ${p.leaklint}` : ''}`);
console.log('\n== only the oracle reports (possible leaklint misses)');
for (const d of onlyOracle) console.log(`  ${d.file}:${d.line} \`${d.name}\` [${d.sourceType}]  ${d.source}`);
console.log('\n== only leaklint reports (possible leaklint false positives)');
for (const d of onlyLeaklint) console.log(`  ${d.file}:${d.line} \`${d.name}\` [${d.sourceType}]  ${d.source}`);
console.log(`\n== unresolved writes the oracle silenced, by reason: ${JSON.stringify(silencedBy)}`);
console.log('== unresolved writes the oracle silenced where leaklint is silent too (agreements on silence)');
for (const d of silenced) console.log(`  ${d.file}:${d.line} \`${d.name}\` [${d.why}]  ${d.source}`);
console.log('\n== agreements');
for (const d of agreements) console.log(`  ${d.file}:${d.line}${d.sameLine ? '' : ` (leaklint: line ${d.leaklintLine})`} \`${d.name}\`  ${d.source}`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ stats, silencedBy, parseFailures, onlyOracle, onlyLeaklint, agreements, silenced }, null, 2));
