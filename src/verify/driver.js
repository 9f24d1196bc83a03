'use strict';
// leaklint's verification driver. leaklint writes this file into a fresh temporary folder with
// CONFIG filled in, runs it in `node --expose-gc --max-old-space-size=N` under Node's
// permission model, and reads its report as JSON lines on file descriptor 3 (stdout and stderr
// belong to the module under test). It instruments timers and listeners, loads the module
// (CommonJS or ES module, types already stripped and capture calls added by leaklint), then
// calls the function that contains the finding in windows of calls, measuring after a full GC
// at the end of each window.

const CONFIG = /*LEAKLINT_CONFIG*/ null;

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const timers = require('node:timers');
const { pathToFileURL } = require('node:url');

const exitNow = process.exit.bind(process);
const gc = globalThis.gc;
const setTimeoutOriginal = timers.setTimeout;
const setImmediateOriginal = timers.setImmediate;

// ---- the report channel ------------------------------------------------------------------

// Taken before the module loads, so that patching fs or JSON cannot silence the report.
const writeSync = fs.writeSync;
const stringify = JSON.stringify;

function send(message) {
  try {
    writeSync(3, stringify(message) + '\n');
  } catch {
    // leaklint stopped reading: nothing to tell anyone.
  }
}

function describe(error) {
  if (error instanceof Error) {
    const code = error.code ? ` (${error.code})` : '';
    return `${error.name}: ${String(error.message).split('\n')[0]}${code}`.slice(0, 300);
  }
  try {
    return `non-Error thrown: ${String(error)}`.slice(0, 300);
  } catch {
    return 'non-Error thrown';
  }
}

let phase = 'load';
let calls = 0;
const errors = { count: 0, first: null, uncaught: 0, firstUncaught: null };

process.on('exit', (code) => send({ t: 'exit', code, phase, calls }));
process.on('uncaughtException', (error) => {
  errors.uncaught++;
  if (errors.firstUncaught === null) errors.firstUncaught = describe(error);
});
process.on('unhandledRejection', (error) => {
  errors.uncaught++;
  if (errors.firstUncaught === null) errors.firstUncaught = describe(error);
});

// ---- instruments: intervals, listeners, globals, modules --------------------------------

const intervals = new Set();
const setIntervalOriginal = timers.setInterval;
function setInterval(...args) {
  const handle = Reflect.apply(setIntervalOriginal, this, args);
  intervals.add(handle);
  return handle;
}
globalThis.setInterval = setInterval;
timers.setInterval = setInterval;
Module.syncBuiltinESMExports();

function liveIntervals() {
  let live = 0;
  for (const handle of intervals) {
    // Node marks a Timeout `_destroyed` when clearInterval (or clearTimeout) stops it.
    if (handle._destroyed) intervals.delete(handle);
    else live++;
  }
  return live;
}

// Emitters that were given a listener, held weakly: one that dies takes its listeners along.
const emitters = [];
const tracked = new WeakSet();
function track(emitter) {
  if (emitter === null || (typeof emitter !== 'object' && typeof emitter !== 'function')) return;
  if (tracked.has(emitter)) return;
  tracked.add(emitter);
  emitters.push(new WeakRef(emitter));
}
for (const name of ['on', 'addListener', 'prependListener']) {
  const original = EventEmitter.prototype[name];
  EventEmitter.prototype[name] = function (...args) {
    track(this);
    return Reflect.apply(original, this, args);
  };
}
// EventTarget has no listener count: keep one, the way EventTarget dedupes listeners.
const targetListeners = new WeakMap();
if (typeof EventTarget === 'function') {
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const capture = (options) =>
    typeof options === 'boolean' ? options : Boolean(options && options.capture);
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    // `once` and `signal` listeners remove themselves: they are not what the rule is about.
    const selfRemoving = options && typeof options === 'object' && (options.once || options.signal);
    if (listener && !selfRemoving) {
      track(this);
      let byKey = targetListeners.get(this);
      if (!byKey) targetListeners.set(this, (byKey = new Map()));
      const key = `${type}\u0000${capture(options)}`;
      if (!byKey.has(key)) byKey.set(key, new Set());
      byKey.get(key).add(listener);
    }
    return Reflect.apply(add, this, [type, listener, options]);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const byKey = targetListeners.get(this);
    if (byKey) byKey.get(`${type}\u0000${capture(options)}`)?.delete(listener);
    return Reflect.apply(remove, this, [type, listener, options]);
  };
}

function emitterLabel(emitter) {
  if (emitter === process) return 'process';
  if (typeof window !== 'undefined' && emitter === globalThis.window) return 'window';
  const name = emitter && emitter.constructor && emitter.constructor.name;
  return name || 'an emitter';
}

// Listener counts per "emitter event" on emitters that are still alive.
function listenerCounts() {
  const counts = new Map();
  let total = 0;
  for (let i = emitters.length - 1; i >= 0; i--) {
    const emitter = emitters[i].deref();
    if (emitter === undefined) {
      emitters.splice(i, 1);
      continue;
    }
    const label = emitterLabel(emitter);
    if (typeof emitter.eventNames === 'function' && typeof emitter.listenerCount === 'function') {
      for (const event of emitter.eventNames()) {
        const n = emitter.listenerCount(event);
        total += n;
        const key = `${label} '${String(event)}'`;
        counts.set(key, (counts.get(key) || 0) + n);
      }
    }
    const byKey = targetListeners.get(emitter);
    if (byKey) {
      for (const [key, set] of byKey) {
        total += set.size;
        const event = `${label} '${key.split('\u0000')[0]}'`;
        counts.set(event, (counts.get(event) || 0) + set.size);
      }
    }
  }
  return { total, counts };
}

// Every module record Node creates (through require, createRequire or a re-require after a
// `delete require.cache[…]`), held weakly: the live ones are what the process keeps.
const moduleRecords = [];
const moduleLoad = Module.prototype.load;
Module.prototype.load = function (filename) {
  moduleRecords.push(new WeakRef(this));
  return Reflect.apply(moduleLoad, this, [filename]);
};

function moduleState() {
  for (let i = moduleRecords.length - 1; i >= 0; i--) {
    if (moduleRecords[i].deref() === undefined) moduleRecords.splice(i, 1);
  }
  let children = 0;
  const cache = Module._cache || require.cache;
  for (const key of Object.keys(cache)) {
    const m = cache[key];
    if (m && Array.isArray(m.children)) children += m.children.length;
  }
  return { live: moduleRecords.length, cached: Object.keys(cache).length, children };
}

// leaklint's capture calls, added to the module's code, hand over the function to call and the
// collection to measure. Non-enumerable, and present before the baseline of global keys.
const captures = new Map();
let probe = null;
Object.defineProperty(globalThis, '__leaklint_capture', {
  value: (id, value) => {
    captures.set(id, value);
    return value;
  },
  enumerable: false,
});
Object.defineProperty(globalThis, '__leaklint_probe', {
  value: (read) => {
    probe = read;
  },
  enumerable: false,
});

function collectionSize() {
  if (probe === null) return null;
  try {
    const c = probe();
    if (c === null || c === undefined) return null;
    if (c instanceof Map || c instanceof Set) return c.size;
    if (Array.isArray(c)) return c.length;
    if (typeof c === 'object' || typeof c === 'function') return Reflect.ownKeys(c).length;
  } catch {
    // The collection is not reachable from the module's top level (declared in a block).
  }
  return null;
}

// The child has no network (or should not use it): fetch answers every request with 200 and a
// small JSON body, so code that caches responses runs its caching path.
if (typeof globalThis.fetch === 'function' && typeof Response === 'function') {
  globalThis.fetch = async function fetch(input) {
    const url = typeof input === 'string' ? input : (input && input.url) || String(input);
    return new Response(JSON.stringify({ url }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

// ---- loading -----------------------------------------------------------------------------

// Sources leaklint prepared (the module with its capture calls, TypeScript without types).
const sources = new Map(Object.entries(CONFIG.sources));
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  const prepared = sources.get(filename);
  return Reflect.apply(compile, this, [prepared === undefined ? content : prepared.code, filename]);
};
for (const ext of ['.ts', '.cts', '.mts', '.tsx']) {
  if (!Module._extensions[ext]) Module._extensions[ext] = Module._extensions['.js'];
}

function loadCommonJs(file) {
  const cached = Module._cache[file];
  if (cached) return cached.exports;
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = m;
  try {
    m._compile(sources.get(file).code, file);
  } catch (error) {
    delete Module._cache[file];
    throw error;
  }
  m.loaded = true;
  return m.exports;
}

const SOURCE_EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function resolveFile(base) {
  for (const ext of SOURCE_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  // TypeScript's ESM style: `./util.js` names `./util.ts`.
  const js = /\.(m|c)?js$/.exec(base);
  if (js) {
    const stem = base.slice(0, -js[0].length);
    for (const ext of ['.ts', '.tsx', '.mts', '.cts']) if (isFile(stem + ext)) return stem + ext;
  }
  for (const index of ['index.ts', 'index.tsx', 'index.js', 'index.mjs']) {
    if (isFile(path.join(base, index))) return path.join(base, index);
  }
  return base;
}

function resolveEsm(specifier, parentFile) {
  if (specifier.startsWith('node:') || Module.isBuiltin(specifier)) return { url: specifier };
  if (specifier.startsWith('file:')) specifier = new URL(specifier).pathname;
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const file = resolveFile(path.resolve(path.dirname(parentFile), specifier));
    return { url: pathToFileURL(file).href, file };
  }
  // A package: CommonJS resolution from the module's folder, which finds what most packages
  // export to `require` (an ESM-only package without a `require` condition fails here).
  const file = Module.createRequire(parentFile).resolve(specifier);
  return { url: pathToFileURL(file).href, file };
}

async function loadEsm(file) {
  const vm = require('node:vm');
  const modules = new Map();
  const dynamicImport = (parentFile) => async (specifier, _referrer, attributes) => {
    const target = resolveEsm(specifier, parentFile);
    if (target.file && sources.has(target.file)) return (await prepared(target.file)).namespace;
    return import(target.url, attributes ? { with: attributes } : undefined);
  };
  async function prepared(file) {
    if (modules.has(file)) return modules.get(file);
    const url = pathToFileURL(file).href;
    const m = new vm.SourceTextModule(sources.get(file).code, {
      identifier: url,
      initializeImportMeta(meta) {
        meta.url = url;
        meta.filename = file;
        meta.dirname = path.dirname(file);
        meta.resolve = (specifier) => resolveEsm(specifier, file).url;
      },
      importModuleDynamically: dynamicImport(file),
    });
    modules.set(file, m);
    await m.link(async (specifier, _referrer, extra) => {
      const target = resolveEsm(specifier, file);
      if (target.file && sources.has(target.file)) {
        if (sources.get(target.file).format === 'esm') return prepared(target.file);
        loadCommonJs(target.file);
      }
      const attributes = extra && (extra.attributes || extra.assert);
      const ns = await import(
        target.url,
        attributes && Object.keys(attributes).length ? { with: attributes } : undefined
      );
      const names = Object.keys(ns);
      return new vm.SyntheticModule(
        names,
        function () {
          for (const name of names) this.setExport(name, ns[name]);
        },
        { identifier: target.url },
      );
    });
    return m;
  }
  const m = await prepared(file);
  await m.evaluate();
  return m.namespace;
}

async function loadScenario(file) {
  const isEsm = /\.m[jt]s$/.test(file) || CONFIG.scenarioIsModule;
  const mod = isEsm ? await import(pathToFileURL(file).href) : require(file);
  const candidates = [mod && mod.step, mod && mod.default && mod.default.step, mod && mod.default, mod];
  const step = candidates.find((c) => typeof c === 'function');
  if (!step) throw new Error('the scenario exports no `step(i)` function');
  return step;
}

// ---- synthesized arguments ---------------------------------------------------------------

// A value of the shape leaklint read from the parameter, distinct for every call: a cache
// keyed by unique values is exactly what grows.
function make(shape, i, name) {
  switch (shape && shape.k) {
    case 'num':
      return i;
    case 'bool':
      return i % 2 === 0;
    case 'fn':
      return function synthesized() {};
    case 'arr':
      return (shape.e || []).map((s, j) => make(s, i, `${name}${j}`));
    case 'obj': {
      const object = {};
      for (const [key, s] of Object.entries(shape.p || {})) object[key] = make(s, i, key);
      return object;
    }
    case 'undef':
      return undefined;
    case 'path':
      // A JSON file next to the module: requiring one runs no code.
      return CONFIG.modulePaths.length
        ? CONFIG.modulePaths[i % CONFIG.modulePaths.length]
        : `./k${i}`;
    case 'url':
      return `http://127.0.0.1:9/k${i}`;
    default:
      return `k${i}`;
  }
}

function makeArgs(shapes, i) {
  return (shapes || []).map((shape, j) => make(shape, i, `a${j}`));
}

// A request and a response built on EventEmitter, enough for express/connect-style handlers.
function fakeRequest(i, shape) {
  const req = new EventEmitter();
  const headers = {
    host: 'localhost',
    'user-agent': `leaklint/${i}`,
    authorization: `Bearer k${i}`,
    cookie: `session=k${i}`,
    'x-request-id': `k${i}`,
  };
  const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  Object.assign(req, {
    method: 'GET',
    url: `/k${i}?q=k${i}`,
    originalUrl: `/k${i}?q=k${i}`,
    path: `/k${i}`,
    headers,
    params: { id: `k${i}` },
    query: { q: `k${i}` },
    body: { id: `k${i}` },
    ip: address,
    socket: Object.assign(new EventEmitter(), { remoteAddress: address }),
    get(name) {
      return headers[String(name).toLowerCase()];
    },
    header(name) {
      return headers[String(name).toLowerCase()];
    },
  });
  // What the handler reads of the request, where the fake has nothing: never in place of its
  // methods or fields (`req.on` stays EventEmitter's).
  fill(req, shape ? make(shape, i, 'req') : {});
  return req;
}

function fill(target, extra) {
  for (const [key, value] of Object.entries(extra)) {
    if (!(key in target)) target[key] = value;
    else if (isPlainObject(target[key]) && isPlainObject(value)) fill(target[key], value);
  }
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

function fakeResponse() {
  const res = new EventEmitter();
  const headers = {};
  const finish = () => {
    if (res.writableEnded) return res;
    res.writableEnded = res.finished = res.headersSent = true;
    res.emit('finish');
    return res;
  };
  Object.assign(res, {
    statusCode: 200,
    headersSent: false,
    writableEnded: false,
    finished: false,
    locals: {},
    setHeader(name, value) {
      headers[String(name).toLowerCase()] = value;
      return res;
    },
    getHeader: (name) => headers[String(name).toLowerCase()],
    removeHeader: (name) => delete headers[String(name).toLowerCase()],
    writeHead(code) {
      res.statusCode = code;
      return res;
    },
    status(code) {
      res.statusCode = code;
      return res;
    },
    set(name, value) {
      return res.setHeader(name, value);
    },
    header(name, value) {
      return res.setHeader(name, value);
    },
    type: () => res,
    write: () => true,
    end: finish,
    send: finish,
    json: finish,
    sendStatus(code) {
      res.statusCode = code;
      return finish();
    },
    redirect: finish,
    render: finish,
  });
  return res;
}

// ---- calling -----------------------------------------------------------------------------

const SETTLE_MS = 250;
let unsettled = 0;

function sleep(ms) {
  return new Promise((resolve) => setTimeoutOriginal(resolve, ms));
}

function turn() {
  return new Promise((resolve) => setImmediateOriginal(resolve));
}

async function settle(result) {
  if (!result || typeof result.then !== 'function') return;
  const caught = Promise.resolve(result).then(
    () => true,
    (error) => {
      countError(error);
      return true;
    },
  );
  // A promise that never settles (waiting on a network that is not there) is left behind
  // after a few tries rather than awaited on every call.
  if (unsettled >= 2) return;
  const settled = await Promise.race([caught, sleep(SETTLE_MS).then(() => false)]);
  if (!settled) unsettled++;
}

function countError(error) {
  errors.count++;
  if (errors.first === null) errors.first = describe(error);
}

function makeCaller(entry, exportsValue, step) {
  if (step) return (i) => step(i);
  const target = captures.get(0);
  if (target === undefined) {
    return {
      unverifiable:
        'the function that contains the finding was not created while the module loaded (it sits in code that did not run at load), so nothing can call it; write a --scenario',
    };
  }
  const handlerCall = (fn, thisArg) => async (i) => {
    const req = fakeRequest(i, entry.request);
    const res = fakeResponse();
    const next = () => {};
    const args = entry.handler === 'error' ? [new Error(`k${i}`), req, res, next] : [req, res, next];
    try {
      await settle(Reflect.apply(fn, thisArg, args));
    } finally {
      // The request completes: what a server emits when the response is done.
      req.emit('end');
      if (!res.writableEnded) res.end();
      req.emit('close');
      res.emit('close');
    }
  };
  const plainCall = (fn, thisArg) => (i) => Reflect.apply(fn, thisArg, makeArgs(entry.args, i));
  switch (entry.kind) {
    case 'function': {
      if (typeof target !== 'function') return { unverifiable: 'the captured value is not a function' };
      return entry.handler ? handlerCall(target, undefined) : plainCall(target, undefined);
    }
    case 'property': {
      const fn = target && target[entry.name];
      if (typeof fn !== 'function') return { unverifiable: `\`${entry.name}\` is not a function at run time` };
      return entry.handler ? handlerCall(fn, target) : plainCall(fn, target);
    }
    case 'method': {
      if (typeof target !== 'function') return { unverifiable: 'the class was not created' };
      if (entry.static) {
        if (entry.access === 'get') return () => target[entry.name];
        if (entry.access === 'set') return (i) => { target[entry.name] = make(entry.args[0], i, 'v'); };
        const fn = target[entry.name];
        return entry.handler ? handlerCall(fn, target) : plainCall(fn, target);
      }
      // An object's whole life per call: construct, call, then the cleanup the class offers
      // (`close`, `stop`, `dispose`…), as correct code would.
      return async (i) => {
        let instance;
        try {
          instance = Reflect.construct(target, makeArgs(entry.ctorArgs, i));
        } catch (error) {
          constructorFailures++;
          throw error;
        }
        try {
          if (entry.access === 'ctor') {
            // The finding is in the constructor: constructing was the call.
          } else if (entry.access === 'get') {
            void instance[entry.name];
          } else if (entry.access === 'set') {
            instance[entry.name] = make(entry.args[0], i, 'v');
          } else if (entry.handler) {
            await handlerCall(instance[entry.name], instance)(i);
          } else {
            await settle(Reflect.apply(instance[entry.name], instance, makeArgs(entry.args, i)));
          }
        } finally {
          for (const name of CONFIG.cleanupMethods) {
            if (name !== entry.name && typeof instance[name] === 'function') {
              try {
                await settle(instance[name]());
              } catch (error) {
                countError(error);
              }
            }
          }
        }
      };
    }
    default:
      return { unverifiable: `unknown entry kind ${entry.kind}` };
  }
}
let constructorFailures = 0;

// ---- measuring ---------------------------------------------------------------------------

// Keys of globalThis before the module loaded: an implicit global made at load counts too.
const globalsBaseline = new Set(Reflect.ownKeys(globalThis));

// Old space plus large objects after a full GC: what survives. New space is empty after the
// GC and code space moves with the JIT, so both are left out.
const v8 = require('node:v8');
function retainedHeap() {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'old_space' || space.space_name === 'large_object_space') {
      bytes += space.space_used_size;
    }
  }
  return bytes;
}

async function measure() {
  await turn();
  gc();
  liveIntervals();
  listenerCounts();
  gc();
  const listeners = listenerCounts();
  moduleState();
  const requireState = moduleState();
  const newGlobals = Reflect.ownKeys(globalThis)
    .filter((key) => !globalsBaseline.has(key))
    .map(String);
  return {
    heap: retainedHeap(),
    size: collectionSize(),
    intervals: liveIntervals(),
    listeners: listeners.total,
    listenerCounts: Object.fromEntries(listeners.counts),
    globals: newGlobals.slice(0, 20),
    globalCount: newGlobals.length,
    modules: requireState.live,
    cached: requireState.cached,
    children: requireState.children,
  };
}

async function main() {
  send({ t: 'start', node: process.version });
  let exportsValue;
  let step = null;
  const started = Date.now();
  try {
    if (CONFIG.scenario) {
      step = await loadScenario(CONFIG.scenario);
    } else if (CONFIG.format === 'esm') {
      exportsValue = await loadEsm(CONFIG.file);
    } else {
      exportsValue = loadCommonJs(CONFIG.file);
    }
  } catch (error) {
    send({ t: 'load-error', error: describe(error) });
    exitNow(0);
    return;
  }
  phase = 'calls';
  send({ t: 'loaded', ms: Date.now() - started });
  const call = makeCaller(CONFIG.entry, exportsValue, step);
  if (typeof call !== 'function') {
    send({ t: 'unverifiable', reason: call.unverifiable });
    exitNow(0);
    return;
  }
  process.setMaxListeners(0);
  EventEmitter.defaultMaxListeners = 0;
  const perWindow = Math.max(1, Math.floor(CONFIG.iterations / (CONFIG.windows + 1)));
  send({ t: 'window', w: 0, calls, ...(await measure()) });
  for (let w = 1; w <= CONFIG.windows + 1; w++) {
    for (let j = 0; j < perWindow; j++) {
      try {
        await settle(call(calls));
      } catch (error) {
        countError(error);
      }
      calls++;
      send({ t: 'p', n: calls });
      if (calls % 50 === 0) await turn();
      if (constructorFailures > 0 && constructorFailures === calls) {
        send({ t: 'unverifiable', reason: `constructing the class threw: ${errors.first}` });
        exitNow(0);
        return;
      }
    }
    send({ t: 'window', w, calls, ...(await measure()) });
  }
  send({ t: 'done', calls, errors, unsettled });
  exitNow(0);
}

main().catch((error) => {
  send({ t: 'driver-error', error: describe(error) });
  exitNow(0);
});
