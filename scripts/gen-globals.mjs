// Generates data/globals.json (environment globals for leaklint) from the `globals` npm package.
//
// This script installs nothing itself. Install `globals` into a scratch folder outside the repo
// and pass the package directory as the first argument (or via GLOBALS_PKG):
//
//   mkdir -p /tmp/globals-gen && cd /tmp/globals-gen && npm install --no-save globals@17.14.0
//   node scripts/gen-globals.mjs /tmp/globals-gen/node_modules/globals
//
// Alternatively: `cd scripts && npm install --no-save globals@17.14.0 && node gen-globals.mjs`
// (with no argument the package is found by normal `import` resolution; don't commit node_modules).
//
// Output (default: <repo>/data/globals.json, or the second argument):
//   {"source":"globals@X.Y.Z","envs":{"builtin":{"Array":false,...},...}}
// Value true = writable, false = readonly, exactly as in the globals package.
// Keys are sorted; one env per line.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const pkgArg = process.argv[2] || process.env.GLOBALS_PKG;
const pkgDir = pkgArg
  ? path.resolve(pkgArg)
  : path.dirname(require.resolve('globals/package.json'));
const outFile = path.resolve(process.argv[3] || path.join(here, '..', 'data', 'globals.json'));

const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
if (pkg.name !== 'globals') throw new Error(`${pkgDir} is not the globals package (name: ${pkg.name})`);

// globals ships globals.json (all versions so far); fall back to loading its entry point.
let all;
const jsonPath = path.join(pkgDir, 'globals.json');
if (fs.existsSync(jsonPath)) {
  all = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
} else {
  const mod = await import(new URL('file://' + path.join(pkgDir, pkg.main || 'index.js')).href);
  all = mod.default ?? mod;
}

const esKeys = Object.keys(all).filter((k) => /^es\d{4}$/.test(k)).sort();
const newestEs = esKeys[esKeys.length - 1];

// output name -> candidate source names, first present wins; null/undefined = optional
const WANT = [
  ['builtin', ['builtin', newestEs], true],
  ['es5', ['es5'], true],
  ['es2015', ['es2015', 'es6'], true],
  ['es2017', ['es2017'], true],
  ['es2020', ['es2020'], true],
  ['es2021', ['es2021'], true],
  ['node', ['node'], true],
  ['commonjs', ['commonjs'], true],
  ['browser', ['browser'], true],
  ['worker', ['worker'], true],
  ['serviceworker', ['serviceworker', 'serviceWorker'], true],
  ['sharedworker', ['sharedworker', 'sharedWorker'], false],
  ['jest', ['jest'], true],
  ['mocha', ['mocha'], true],
  ['vitest', ['vitest'], false],
  ['jquery', ['jquery'], false],
];

const sortObj = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

const envs = {};
for (const [name, sources, required] of WANT) {
  const src = sources.find((s) => s && all[s]);
  if (!src) {
    if (required) throw new Error(`env ${name} not found in globals@${pkg.version}`);
    console.error(`note: env ${name} not present in globals@${pkg.version}, skipped`);
    continue;
  }
  const env = all[src];
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== 'boolean') {
      // older versions may use "readonly"/"writable" strings
      if (v === 'readonly' || v === 'readable' || v === 'off') env[k] = false;
      else if (v === 'writable' || v === 'writeable') env[k] = true;
      else throw new Error(`unexpected value ${JSON.stringify(v)} for ${name}.${k}`);
    }
  }
  envs[name] = sortObj(env);
}

const envNames = Object.keys(envs).sort();
let out = `{"source":${JSON.stringify(`globals@${pkg.version}`)},"envs":{\n`;
out += envNames.map((n) => `${JSON.stringify(n)}:${JSON.stringify(envs[n])}`).join(',\n');
out += '\n}}\n';

JSON.parse(out); // sanity check
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, out);
console.error(`wrote ${outFile} (${out.length} bytes) from globals@${pkg.version}`);
for (const n of envNames) console.error(`  ${n}: ${Object.keys(envs[n]).length}`);
