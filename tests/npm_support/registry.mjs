// A minimal npm registry on 127.0.0.1 for the tests: it serves the packages that
// scripts/npm-packages.mjs wrote (folders with a package.json, beside their tarballs), and the
// manifests of the other platforms' packages from npm/@leaklint/ as the real registry would
// list them, but with no tarball behind them: npm must choose by os, cpu and libc, and never
// download one that does not fit.
//
//   node registry.mjs PACKAGES_DIR TEMPLATES_DIR LOG_FILE
//
// Prints its address (http://127.0.0.1:PORT/) on standard output, then serves until killed.
// Each request is appended to LOG_FILE as `GET /path`.

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [packagesDir, templatesDir, logFile] = process.argv.slice(2);

function tarballName(name, version) {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

const packuments = new Map();
const tarballs = new Map();
let version = null;

function add(manifest, tarball, base) {
  const file = tarballName(manifest.name, manifest.version);
  const entry = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: { tarball: `${base}-/tarballs/${file}` },
  };
  if (tarball) {
    const bytes = fs.readFileSync(tarball);
    entry.dist.shasum = crypto.createHash("sha1").update(bytes).digest("hex");
    entry.dist.integrity = `sha512-${crypto.createHash("sha512").update(bytes).digest("base64")}`;
    tarballs.set(file, bytes);
  } else {
    entry.dist.shasum = "0".repeat(40);
  }
  packuments.set(manifest.name, {
    name: manifest.name,
    "dist-tags": { latest: manifest.version },
    versions: { [manifest.version]: entry },
  });
}

const server = http.createServer((request, response) => {
  fs.appendFileSync(logFile, `${request.method} ${request.url}\n`);
  const url = decodeURIComponent(request.url.split("?")[0]);
  if (url.startsWith("/-/tarballs/") && tarballs.has(url.slice("/-/tarballs/".length))) {
    const bytes = tarballs.get(url.slice("/-/tarballs/".length));
    response.writeHead(200, { "content-type": "application/octet-stream" });
    response.end(bytes);
    return;
  }
  const packument = packuments.get(url.slice(1));
  if (request.method === "GET" && packument) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(packument));
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end(JSON.stringify({ error: "Not found" }));
});

server.listen(0, "127.0.0.1", () => {
  const base = `http://127.0.0.1:${server.address().port}/`;
  for (const folder of fs.readdirSync(packagesDir)) {
    const manifestFile = path.join(packagesDir, folder, "package.json");
    if (!fs.existsSync(manifestFile)) {
      continue;
    }
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    version = manifest.version;
    add(manifest, path.join(packagesDir, tarballName(manifest.name, manifest.version)), base);
  }
  for (const folder of fs.readdirSync(path.join(templatesDir, "@leaklint"))) {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(templatesDir, "@leaklint", folder, "package.json"), "utf8"),
    );
    if (!packuments.has(manifest.name)) {
      add({ ...manifest, version }, null, base);
    }
  }
  process.stdout.write(`${base}\n`);
});
