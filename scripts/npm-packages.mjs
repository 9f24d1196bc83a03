#!/usr/bin/env node
// Builds the npm packages of leaklint (issue 16) from a release build:
//
//   node scripts/npm-packages.mjs [--binary [PLATFORM=]PATH]... [--strip-debug] [--out DIR] [--pack]
//
// - `leaklint`: the launcher (npm/leaklint), with an optional dependency on every platform
//   package, all at the version of Cargo.toml;
// - `@leaklint/cli-<platform>`: one a binary given, from the templates in npm/@leaklint/.
//
// Without --binary it runs `cargo build --release --locked` and packages
// target/release/leaklint for this machine's platform. `--binary PATH` packages that binary
// for this machine's platform; `--binary linux-arm64=PATH` for another (built elsewhere, e.g.
// with `cargo build --release --target aarch64-unknown-linux-gnu`; the Rust targets are in
// PLATFORMS below). A binary for this machine is run once: its `--version` must be
// Cargo.toml's. --strip-debug removes the debug information from the packaged copy (with
// binutils' `strip`): the tests package a debug build, 200 MB of it DWARF, which would take npm
// minutes to compress; a release build has none.
//
// The packages are written to DIR/leaklint and DIR/cli-<platform> (default target/npm); with
// --pack, `npm pack` makes DIR/leaklint-VERSION.tgz and DIR/leaklint-cli-<platform>-VERSION.tgz.
// The paths of the tarballs (or folders) are printed, one a line, on standard output.
//
// To publish: every platform package first, then `leaklint`, with `npm publish` in each folder.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATES = path.join(ROOT, "npm");

// Every platform package, with the Rust target its binary is built for.
const PLATFORMS = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "linux-x64-musl": "x86_64-unknown-linux-musl",
  "linux-arm64-musl": "aarch64-unknown-linux-musl",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
  "win32-x64": "x86_64-pc-windows-msvc",
  "win32-arm64": "aarch64-pc-windows-msvc",
};

function die(message) {
  process.stderr.write(`npm-packages: ${message}\n`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function cargoVersion() {
  const text = fs.readFileSync(path.join(ROOT, "Cargo.toml"), "utf8");
  const section = text.split(/^\[/m).find((part) => part.startsWith("package]"));
  const match = section && section.match(/^version\s*=\s*"([^"]+)"/m);
  if (!match) {
    die("no version in the [package] section of Cargo.toml");
  }
  return match[1];
}

// This machine's platform, named as the packages are (the launcher decides the same way).
function hostPlatform() {
  let musl = false;
  if (process.platform === "linux") {
    const report = process.report.getReport();
    musl = !(typeof report === "string" ? JSON.parse(report) : report).header.glibcVersionRuntime;
  }
  return `${process.platform}-${process.arch}${musl ? "-musl" : ""}`;
}

function parseArgs(argv) {
  const options = {
    binaries: [],
    out: path.join(ROOT, "target", "npm"),
    pack: false,
    stripDebug: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        die(`${arg} needs a value`);
      }
      return argv[++i];
    };
    if (arg === "--binary") {
      const spec = value();
      const eq = spec.indexOf("=");
      const platform = eq > 0 && PLATFORMS[spec.slice(0, eq)] ? spec.slice(0, eq) : null;
      options.binaries.push({
        platform: platform || hostPlatform(),
        file: path.resolve(platform ? spec.slice(eq + 1) : spec),
      });
    } else if (arg === "--out") {
      options.out = path.resolve(value());
    } else if (arg === "--pack") {
      options.pack = true;
    } else if (arg === "--strip-debug") {
      options.stripDebug = true;
    } else if (arg === "-h" || arg === "--help") {
      process.stdout.write(
        "usage: node scripts/npm-packages.mjs [--binary [PLATFORM=]PATH]... [--strip-debug]" +
          " [--out DIR] [--pack]\n" +
          `platforms: ${Object.keys(PLATFORMS).join(", ")}\n`,
      );
      process.exit(0);
    } else {
      die(`unknown argument ${arg} (see --help)`);
    }
  }
  return options;
}

// The templates, the launcher's optional dependencies and PLATFORMS must name the same set.
function checkTemplates(launcher) {
  const templates = fs
    .readdirSync(path.join(TEMPLATES, "@leaklint"))
    .filter((name) => name.startsWith("cli-"))
    .map((name) => name.slice("cli-".length))
    .sort();
  const dependencies = Object.keys(launcher.optionalDependencies)
    .map((name) => name.replace(/^@leaklint\/cli-/, ""))
    .sort();
  const known = Object.keys(PLATFORMS).sort();
  if (templates.join() !== known.join() || dependencies.join() !== known.join()) {
    die(
      `the platforms disagree: npm/@leaklint/ has ${templates.join(", ")}; ` +
        `npm/leaklint/package.json depends on ${dependencies.join(", ")}; ` +
        `this script knows ${known.join(", ")}`,
    );
  }
  for (const platform of templates) {
    const manifest = readJson(path.join(TEMPLATES, "@leaklint", `cli-${platform}`, "package.json"));
    const [os, cpu, libc] = platform.split("-");
    const expected = { os: [os], cpu: [cpu] };
    if (os === "linux") {
      expected.libc = [libc === "musl" ? "musl" : "glibc"];
    }
    for (const [field, value] of Object.entries(expected)) {
      if (JSON.stringify(manifest[field]) !== JSON.stringify(value)) {
        die(`npm/@leaklint/cli-${platform}/package.json: ${field} should be ${JSON.stringify(value)}`);
      }
    }
  }
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], ...options });
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const version = cargoVersion();
  const launcher = readJson(path.join(TEMPLATES, "leaklint", "package.json"));
  checkTemplates(launcher);

  if (options.binaries.length === 0) {
    process.stderr.write("npm-packages: cargo build --release --locked\n");
    run("cargo", ["build", "--release", "--locked", "--bin", "leaklint"], { cwd: ROOT, stdio: "inherit" });
    const exe = process.platform === "win32" ? "leaklint.exe" : "leaklint";
    options.binaries.push({ platform: hostPlatform(), file: path.join(ROOT, "target", "release", exe) });
  }

  fs.mkdirSync(options.out, { recursive: true });
  const folders = [];

  for (const { platform, file } of options.binaries) {
    if (!fs.existsSync(file)) {
      die(`no binary at ${file}`);
    }
    if (platform === hostPlatform()) {
      const said = run(file, ["--version"]).trim();
      if (said !== `leaklint ${version}`) {
        die(`${file} says "${said}", but Cargo.toml is at ${version}: rebuild it`);
      }
    }
    const template = path.join(TEMPLATES, "@leaklint", `cli-${platform}`);
    const manifest = readJson(path.join(template, "package.json"));
    const folder = path.join(options.out, `cli-${platform}`);
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true });
    manifest.version = version;
    writeJson(path.join(folder, "package.json"), manifest);
    const exe = manifest.files[0];
    fs.copyFileSync(file, path.join(folder, exe));
    fs.chmodSync(path.join(folder, exe), 0o755);
    if (options.stripDebug) {
      run("strip", ["--strip-debug", path.join(folder, exe)]);
    }
    fs.writeFileSync(
      path.join(folder, "README.md"),
      `# ${manifest.name}\n\n${manifest.description}. Install \`leaklint\` instead:\n` +
        "`npm install -D leaklint`, which depends on this package on the platforms it fits.\n",
    );
    folders.push(folder);
  }

  const folder = path.join(options.out, "leaklint");
  fs.rmSync(folder, { recursive: true, force: true });
  fs.cpSync(path.join(TEMPLATES, "leaklint"), folder, { recursive: true });
  launcher.version = version;
  for (const name of Object.keys(launcher.optionalDependencies)) {
    launcher.optionalDependencies[name] = version;
  }
  writeJson(path.join(folder, "package.json"), launcher);
  fs.chmodSync(path.join(folder, "bin", "leaklint"), 0o755);
  folders.push(folder);

  for (const folder of folders) {
    if (!options.pack) {
      process.stdout.write(`${folder}\n`);
      continue;
    }
    const packed = JSON.parse(
      run("npm", ["pack", "--json", "--pack-destination", options.out], { cwd: folder }),
    );
    process.stdout.write(`${path.join(options.out, packed[0].filename)}\n`);
  }
}

main();
