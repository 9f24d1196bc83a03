#!/usr/bin/env node
// Side-by-side comparison of leaklint with @eslint-react's four leak rules on the same React
// components (fixtures/react-compare, whose `// expect: RULE` comments are the ground truth):
//
//   node scripts/eslint-react-compare.mjs [--bin PATH] [--dir DIR] [--cache DIR] [--out FILE]
//
// --bin    the leaklint binary (default target/release/leaklint; it is not built here)
// --dir    the folder of components (default fixtures/react-compare)
// --cache  where eslint and the plugin are installed (default $TMPDIR/leaklint-eslint-react,
//          or $LEAKLINT_ESLINT_REACT_DIR); reused while its package.json is unchanged
// --out    also write the Markdown to FILE
//
// It installs the pinned versions below with `npm install --no-audit --no-fund` into the cache
// folder (nothing goes into the repository), writes a flat config there that enables only
// `@eslint-react/web-api/no-leaked-{event-listener,interval,timeout,resize-observer}` (espree
// with JSX for .js/.jsx, @typescript-eslint/parser for .ts/.tsx, no type information), runs
// `eslint --format json` and `leaklint check --format json` on the folder, and prints a
// Markdown table (every line that the ground truth or either tool names) and, per tool, its
// true positives, false positives and false negatives.
//
// Both tools are judged by category, on the line: eslint-react's event-listener rule counts as
// leaklint's `repeated-listener`, its interval and timeout rules as `uncleared-interval` (a
// timeout still pending at unmount is that category in the ground truth), its resize-observer
// rule as `unreleased-subscription`. Several messages of one tool in one category on one line
// (eslint-react reports an inline listener and the missing removal separately) count once.
//
// Why @eslint-react 2.x: 3.x and later require Node.js 22 and ESLint 10.3; 2.13.0 is the last
// line that supports this project's Node.js 20 and ESLint 9 (flat config).
//
// Exit status 0 whatever the tools find (this is a measurement); 2 when a tool cannot run: the
// install fails, a tool exits with an unexpected status or prints no JSON, or a file does not
// parse (a comparison on an unparsed file means nothing).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PINS = {
  eslint: "9.39.5",
  "@eslint-react/eslint-plugin": "2.13.0",
  "@typescript-eslint/parser": "8.74.0",
  typescript: "5.9.3",
};
const RULES = {
  "@eslint-react/web-api/no-leaked-event-listener": "repeated-listener",
  "@eslint-react/web-api/no-leaked-interval": "uncleared-interval",
  "@eslint-react/web-api/no-leaked-timeout": "uncleared-interval",
  "@eslint-react/web-api/no-leaked-resize-observer": "unreleased-subscription",
};
const SOURCE_EXTENSIONS = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function fail(message) {
  console.error(`eslint-react-compare: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {
    bin: path.join(ROOT, "target", "release", "leaklint"),
    dir: path.join(ROOT, "fixtures", "react-compare"),
    cache: process.env.LEAKLINT_ESLINT_REACT_DIR || path.join(os.tmpdir(), "leaklint-eslint-react"),
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const key = { "--bin": "bin", "--dir": "dir", "--cache": "cache", "--out": "out" }[flag];
    if (!key) {
      if (flag === "-h" || flag === "--help") {
        console.log("usage: node scripts/eslint-react-compare.mjs [--bin PATH] [--dir DIR] [--cache DIR] [--out FILE]");
        process.exit(0);
      }
      fail(`unknown argument ${arg}`);
    }
    const value = inline ?? argv[++i];
    if (value == null) fail(`${flag} needs a value`);
    options[key] = path.resolve(value);
  }
  return options;
}

function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`@eslint-react/eslint-plugin ${PINS["@eslint-react/eslint-plugin"]} needs Node.js 20.19 or later; this is ${process.version}`);
  }
}

// Installs the pinned packages into the cache folder unless the same set is already there.
function install(cache) {
  fs.mkdirSync(cache, { recursive: true });
  const manifest = JSON.stringify({ name: "leaklint-eslint-react", private: true, dependencies: PINS }, null, 2) + "\n";
  const manifestPath = path.join(cache, "package.json");
  const installed = PINS_INSTALLED(cache);
  if (fs.existsSync(manifestPath) && fs.readFileSync(manifestPath, "utf8") === manifest && installed) return;
  fs.writeFileSync(manifestPath, manifest);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // npm's own output goes to standard error: standard output is the report.
  const run = spawnSync(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock"], {
    cwd: cache,
    stdio: ["ignore", 2, 2],
  });
  if (run.error) fail(`npm install: ${run.error.message}`);
  if (run.status !== 0) fail(`npm install exited with ${run.status} in ${cache}`);
  if (!PINS_INSTALLED(cache)) fail(`npm install did not install the pinned versions in ${cache}`);
}

function PINS_INSTALLED(cache) {
  return Object.entries(PINS).every(([name, version]) => {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(cache, "node_modules", name, "package.json"), "utf8"));
      return pkg.version === version;
    } catch {
      return false;
    }
  });
}

// The flat config: only the four rules, on every JS/TS file of the folder.
function writeConfig(cache) {
  const configPath = path.join(cache, "eslint.config.mjs");
  const rules = Object.fromEntries(Object.keys(RULES).map((rule) => [rule, "error"]));
  fs.writeFileSync(
    configPath,
    `// Written by leaklint's scripts/eslint-react-compare.mjs.
import eslintReact from "@eslint-react/eslint-plugin";
import tsParser from "@typescript-eslint/parser";

const webApi = eslintReact.configs["web-api"];

export default [
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
  },
  {
    files: ["**/*.ts", "**/*.mts", "**/*.cts", "**/*.tsx"],
    languageOptions: {
      parser: tsParser,
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
  },
  {
    files: ${JSON.stringify(SOURCE_EXTENSIONS.map((e) => `**/*${e}`))},
    plugins: webApi.plugins,
    settings: webApi.settings ?? {},
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: ${JSON.stringify(rules, null, 2).replace(/\n/g, "\n    ")},
  },
];
`,
  );
  return configPath;
}

function runEslint(cache, configPath, dir) {
  const bin = path.join(cache, "node_modules", "eslint", "bin", "eslint.js");
  const run = spawnSync(
    process.execPath,
    [bin, "--config", configPath, "--format", "json", "--no-warn-ignored", dir],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (run.error) fail(`eslint: ${run.error.message}`);
  // 0: nothing found, 1: findings; anything else is eslint failing.
  if (run.status !== 0 && run.status !== 1) fail(`eslint exited with ${run.status}:\n${run.stderr}${run.stdout}`);
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    fail(`eslint printed no JSON:\n${run.stderr}${run.stdout.slice(0, 2000)}`);
  }
  return report;
}

function runLeaklint(bin, dir) {
  if (!fs.existsSync(bin)) fail(`no leaklint binary at ${bin} (build it, or pass --bin)`);
  const run = spawnSync(bin, ["check", dir, "--format", "json"], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error) fail(`leaklint: ${run.error.message}`);
  if (run.status !== 0 && run.status !== 1) fail(`leaklint exited with ${run.status}:\n${run.stderr}`);
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    fail(`leaklint printed no JSON:\n${run.stderr}${run.stdout.slice(0, 2000)}`);
  }
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() || "leaklint (unknown version)";
  return { report, version };
}

function walk(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (SOURCE_EXTENSIONS.includes(path.extname(entry.name))) files.push(full);
  }
  return files;
}

// "file:line" → Set of rule ids, from the `// expect:` comments (the same reading as
// tests/fixtures.rs).
function groundTruth(dir) {
  const truth = new Map();
  for (const file of walk(dir)) {
    const rel = path.relative(dir, file);
    fs.readFileSync(file, "utf8")
      .split(/\r?\n/)
      .forEach((text, i) => {
        const at = text.indexOf("// expect:");
        if (at < 0) return;
        const rules = text.slice(at + "// expect:".length).trim().split(/\s+/).filter(Boolean);
        truth.set(`${rel}:${i + 1}`, new Set(rules));
      });
  }
  return truth;
}

// "file:line" → Map(category → Set of the tool's own labels: its rule name, for eslint-react
// with the message id), plus the fatal errors.
function findings(report, dir, categoryOf, label = (message) => message.ruleId) {
  const found = new Map();
  const fatal = [];
  for (const file of report) {
    const rel = path.relative(dir, path.resolve(ROOT, file.filePath));
    for (const message of file.messages) {
      if (message.fatal || message.ruleId == null) {
        fatal.push(`${rel}:${message.line ?? "?"}: ${message.message}`);
        continue;
      }
      const category = categoryOf(message.ruleId);
      if (category == null) continue;
      const key = `${rel}:${message.line}`;
      if (!found.has(key)) found.set(key, new Map());
      const byCategory = found.get(key);
      if (!byCategory.has(category)) byCategory.set(category, new Set());
      byCategory.get(category).add(label(message));
    }
  }
  return { found, fatal };
}

function compareKeys(a, b) {
  const [fa, la] = [a.slice(0, a.lastIndexOf(":")), Number(a.slice(a.lastIndexOf(":") + 1))];
  const [fb, lb] = [b.slice(0, b.lastIndexOf(":")), Number(b.slice(b.lastIndexOf(":") + 1))];
  return fa === fb ? la - lb : fa.localeCompare(fb);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(options.dir)) fail(`no folder ${options.dir}`);
  checkNode();
  install(options.cache);
  const configPath = writeConfig(options.cache);
  const eslintReport = runEslint(options.cache, configPath, options.dir);
  const { report: leaklintReport, version: leaklintVersion } = runLeaklint(options.bin, options.dir);

  const truth = groundTruth(options.dir);
  // eslint-react's rule name, short, with the message id that says why (an inline listener,
  // no removal in the cleanup, ...).
  const eslint = findings(
    eslintReport,
    options.dir,
    (rule) => RULES[rule] ?? null,
    (message) => `${message.ruleId.replace("@eslint-react/web-api/", "")} (${message.messageId ?? "?"})`,
  );
  const leaklint = findings(leaklintReport, options.dir, (rule) => rule);
  const fatal = [...eslint.fatal.map((f) => `eslint: ${f}`), ...leaklint.fatal.map((f) => `leaklint: ${f}`)];
  if (fatal.length) fail(`a file did not parse:\n${fatal.join("\n")}`);

  const tools = [
    { name: "eslint-react", found: eslint.found, tp: 0, fp: 0, fn: 0, wrong: [] },
    { name: "leaklint", found: leaklint.found, tp: 0, fp: 0, fn: 0, wrong: [] },
  ];
  const keys = [...new Set([...truth.keys(), ...eslint.found.keys(), ...leaklint.found.keys()])].sort(compareKeys);
  const rows = [];
  for (const key of keys) {
    const expected = truth.get(key) ?? new Set();
    const right = [];
    const cells = [];
    for (const tool of tools) {
      const byCategory = tool.found.get(key) ?? new Map();
      let correct = true;
      for (const category of expected) {
        if (byCategory.has(category)) tool.tp++;
        else {
          tool.fn++;
          correct = false;
          tool.wrong.push(`${key}: misses \`${category}\``);
        }
      }
      for (const [category, rules] of byCategory) {
        if (expected.has(category)) continue;
        tool.fp++;
        correct = false;
        tool.wrong.push(`${key}: reports ${[...rules].map((r) => `\`${r}\``).join(", ")} on a line with no such leak`);
      }
      const names = [...byCategory.values()].flatMap((rules) => [...rules]);
      cells.push(names.length ? names.map((r) => `\`${r}\``).join(", ") : "—");
      if (correct) right.push(tool.name);
    }
    const verdict = right.length === 2 ? "both" : right.length === 1 ? right[0] : "neither";
    const gt = expected.size ? [...expected].map((r) => `\`${r}\``).join(", ") : "— (clean)";
    rows.push(`| \`${key}\` | ${gt} | ${cells[0]} | ${cells[1]} | ${verdict} |`);
  }

  const files = walk(options.dir);
  const leakyFiles = new Set([...truth.keys()].map((k) => k.slice(0, k.lastIndexOf(":"))));
  const lines = [];
  lines.push("# leaklint vs @eslint-react web-api leak rules");
  lines.push("");
  lines.push(
    `Folder: \`${path.relative(ROOT, options.dir) || "."}\`: ${files.length} files, ${truth.size} ground-truth leaks (\`// expect:\`) in ${leakyFiles.size} files, ${files.length - leakyFiles.size} files with none.`,
  );
  lines.push("");
  lines.push(
    `Tools: ${leaklintVersion}; eslint ${PINS.eslint} with @eslint-react/eslint-plugin ${PINS["@eslint-react/eslint-plugin"]} (rules ${Object.keys(RULES).map((r) => `\`${r}\``).join(", ")}), @typescript-eslint/parser ${PINS["@typescript-eslint/parser"]}, typescript ${PINS.typescript}; Node.js ${process.version}.`,
  );
  lines.push("");
  lines.push(
    "Matched by line and category: eslint-react's event-listener rule counts as `repeated-listener`, interval and timeout as `uncleared-interval`, resize-observer as `unreleased-subscription`; several messages of one category on one line count once.",
  );
  lines.push("");
  lines.push("| file:line | ground truth | eslint-react | leaklint | right |");
  lines.push("|---|---|---|---|---|");
  lines.push(...rows);
  lines.push("");
  lines.push("## Summary");
  lines.push("");
  lines.push("| tool | true positives | false positives | false negatives | precision | recall |");
  lines.push("|---|---|---|---|---|---|");
  const ratio = (n, d) => (d === 0 ? "—" : `${((100 * n) / d).toFixed(0)}%`);
  for (const tool of tools) {
    lines.push(`| ${tool.name} | ${tool.tp} | ${tool.fp} | ${tool.fn} | ${ratio(tool.tp, tool.tp + tool.fp)} | ${ratio(tool.tp, tool.tp + tool.fn)} |`);
  }
  for (const tool of tools) {
    lines.push("");
    lines.push(`### Where ${tool.name} is wrong (${tool.wrong.length})`);
    lines.push("");
    if (tool.wrong.length === 0) lines.push("Nowhere.");
    for (const entry of tool.wrong) lines.push(`- \`${entry.slice(0, entry.indexOf(": "))}\`${entry.slice(entry.indexOf(": "))}`);
  }
  const text = lines.join("\n") + "\n";
  process.stdout.write(text);
  if (options.out) {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, text);
  }
}

main();
