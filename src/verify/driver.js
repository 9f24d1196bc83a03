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

let stage = 'load';
let calls = 0;
const errors = { count: 0, first: null, uncaught: 0, firstUncaught: null };

process.on('exit', (code) => send({ t: 'exit', code, stage, calls }));
process.on('uncaughtException', (error) => {
  errors.uncaught++;
  if (errors.firstUncaught === null) errors.firstUncaught = describe(error);
});
process.on('unhandledRejection', (error) => {
  errors.uncaught++;
  if (errors.firstUncaught === null) errors.firstUncaught = describe(error);
});

// ---- instruments: intervals, listeners, globals, modules --------------------------------

// Held weakly: Node's timer lists keep a live interval, and a retainer path must show them.
const intervals = new Set();
const setIntervalOriginal = timers.setInterval;
function setInterval(...args) {
  const handle = Reflect.apply(setIntervalOriginal, this, args);
  intervals.add(new WeakRef(handle));
  return handle;
}
globalThis.setInterval = setInterval;
timers.setInterval = setInterval;
Module.syncBuiltinESMExports();

// Observers observing something (the built-in browser environment counts them).
function liveSubscriptions() {
  const count = globalThis[Symbol.for('leaklint.observations')];
  return typeof count === 'function' ? count() : 0;
}

function liveIntervals() {
  let live = 0;
  for (const ref of intervals) {
    // Node marks a Timeout `_destroyed` when clearInterval (or clearTimeout) stops it.
    const handle = ref.deref();
    if (handle === undefined || handle._destroyed) intervals.delete(ref);
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
// The emitters behind stubs (see "stubs" below), with the stub's label.
const stubLabels = new WeakMap();

// Listeners the current call registered on a stub, when the finding sits in one of them and
// the driver is to run it (`{ on: "registered" }` drives): a stub's events never come by
// themselves. Listeners on real emitters are left to real events.
let registrations = null;
function noteRegistration(emitter, event, listener) {
  if (registrations === null || !stubLabels.has(emitter)) return;
  if (typeof listener === 'function' && registrations.length < 64) {
    registrations.push({ event: String(event), listener });
  }
}
// `once` and `prependOnceListener` go through `on` and `prependListener` with a wrapper.
for (const name of ['on', 'addListener', 'prependListener']) {
  const original = EventEmitter.prototype[name];
  EventEmitter.prototype[name] = function (...args) {
    track(this);
    noteRegistration(this, args[0], args[1]);
    return Reflect.apply(original, this, args);
  };
}
// EventTarget has no listener count: keep one, the way EventTarget dedupes listeners. Node's
// own, and a project DOM's (jsdom, happy-dom), which has its own EventTarget.
const targetListeners = new WeakMap();
function instrumentEventTarget(proto) {
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const capture = (options) =>
    typeof options === 'boolean' ? options : Boolean(options && options.capture);
  proto.addEventListener = function (type, listener, options) {
    // `once` and `signal` listeners remove themselves: they are not what the rule is about.
    const selfRemoving = options && typeof options === 'object' && (options.once || options.signal);
    if (listener && !selfRemoving) {
      track(this);
      let byKey = targetListeners.get(this);
      if (!byKey) targetListeners.set(this, (byKey = new Map()));
      const key = `${type}\u0000${capture(options)}`;
      // Held weakly, counted: the target itself keeps its listeners, and a retainer path
      // must show that, not leaklint's count.
      if (!byKey.has(key)) byKey.set(key, { listeners: new WeakSet(), size: 0 });
      const entry = byKey.get(key);
      if (!entry.listeners.has(listener)) {
        entry.listeners.add(listener);
        entry.size++;
      }
    }
    return Reflect.apply(add, this, [type, listener, options]);
  };
  proto.removeEventListener = function (type, listener, options) {
    const entry = targetListeners.get(this)?.get(`${type}\u0000${capture(options)}`);
    if (entry && listener && entry.listeners.delete(listener)) entry.size--;
    return Reflect.apply(remove, this, [type, listener, options]);
  };
}
if (typeof EventTarget === 'function') instrumentEventTarget(EventTarget.prototype);

function emitterLabel(emitter) {
  if (emitter === process) return 'process';
  const component = componentLabels.get(emitter);
  if (component !== undefined) return component;
  const stub = stubLabels.get(emitter);
  if (stub !== undefined) return `stub \`${stub}\``;
  if (typeof window !== 'undefined' && emitter === globalThis.window) return 'window';
  const dom = browser && browser.label(emitter);
  if (dom) return dom;
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

// The instance the current phase calls every time (one instance, or the exported one), whose
// collection (`this.cache`) is then readable.
let sharedInstance = null;
function instanceCollection() {
  let c = sharedInstance;
  for (const key of CONFIG.instanceCollection) c = c == null ? undefined : c[key];
  return c;
}

function collectionSize() {
  const read = probe !== null ? probe : sharedInstance && CONFIG.instanceCollection ? instanceCollection : null;
  if (read === null) return null;
  try {
    const c = read();
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

// ---- a browser environment, for browser code ---------------------------------------------

// leaklint puts its built-in browser environment here (src/verify/browser.js).
/*LEAKLINT_BROWSER*/

// A page loads jQuery before its plugins: the project's own, where it has one that loads in
// this environment, else a minimal one.
function projectJQuery() {
  try {
    const from = Module.createRequire(CONFIG.file);
    const jquery = from(from.resolve('jquery'));
    return typeof jquery === 'function' && jquery.fn ? jquery : null;
  } catch {
    return null;
  }
}

// Browser code (it reads `window`, `document`… which Node lacks) gets a browser environment
// before it loads, installed before the baseline of global keys is taken.
let browser = null;
if (CONFIG.browser) {
  browser = installProjectDom(Module.createRequire(CONFIG.file), { setInterval, instrumentEventTarget, send, describe })
    || installBuiltInBrowser({ setTimeout: setTimeoutOriginal, clearTimeout: timers.clearTimeout, jquery: false });
  if (CONFIG.browser.jquery && globalThis.jQuery === undefined) {
    const jquery = projectJQuery();
    const value = jquery || makeJQuery(globalThis.document);
    for (const name of ['jQuery', '$']) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }
  send({ t: 'environment', name: browser.name });
}

// ---- components ---------------------------------------------------------------------------

// leaklint puts its component runtime here (src/verify/components.js).
/*LEAKLINT_COMPONENTS*/

// ---- stubs: packages that are not installed, or named with --stub ------------------------

// A stub stands in for a package the code imports: callable, constructible, every property
// another stub (the same one each time), emitter methods backed by a real EventEmitter (so the
// listeners given to it are kept, counted, and can be run), iterable as empty, and a thenable
// only where a call returned it, resolving with a stub that is not one (so `await` ends). It
// does no I/O, and hands out nothing but other stubs, plain values and what the code gave it.
const moduleStubs = new Map(); // package → its stub
const EMITTER_METHODS = new Set([
  'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'off', 'removeListener',
  'removeAllListeners', 'emit', 'listeners', 'rawListeners', 'listenerCount', 'eventNames',
  'setMaxListeners', 'getMaxListeners',
]);
// DOM-style registration on a stub goes to the same listeners. A Map, not an object literal:
// `'constructor' in {}` is true, and `stub.constructor` must be another stub, not a function
// whose own `.constructor` is `Function`.
const EVENT_TARGET_ALIASES = new Map([
  ['addEventListener', 'on'],
  ['removeEventListener', 'off'],
]);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function stubSymbol(key, label) {
  switch (key) {
    case Symbol.toPrimitive:
      return (hint) => (hint === 'number' ? 0 : '');
    case Symbol.iterator:
      return function* empty() {};
    case Symbol.asyncIterator:
      return async function* empty() {};
    case Symbol.toStringTag:
      return 'LeaklintStub';
    case INSPECT:
      return () => `[leaklint stub ${label}]`;
    default:
      return undefined;
  }
}

// What one stub holds: the properties the code set, the stubs it handed out (the same one for
// the same property, and for every call), and the emitter behind its listener methods.
// `options.thenable`: a call's result (it may be a promise); `options.data`: own properties
// (an argument's fields); `options.proto`: the prototype of a class that extends the stub.
class StubState {
  constructor(label, options) {
    this.label = label;
    this.thenable = Boolean(options.thenable);
    this.proto = options.proto || null;
    this.own = new Map(options.data ? Object.entries(options.data) : []);
    this.children = new Map();
    this.emitter = null;
    this.returned = null;
    this.settled = null;
    this.proxy = null;
  }

  child(key, make) {
    if (!this.children.has(key)) this.children.set(key, make());
    return this.children.get(key);
  }

  backing() {
    if (this.emitter === null) {
      this.emitter = new EventEmitter();
      this.emitter.setMaxListeners(0);
      stubLabels.set(this.emitter, this.label);
    }
    return this.emitter;
  }

  // `stub.on(…)` and the like, on the real emitter behind the stub; chaining returns the stub.
  emitterMethod(name) {
    return (...args) => {
      const emitter = this.backing();
      // An 'error' nobody listens to would throw: a stub has no errors to report.
      if (name === 'emit' && args[0] === 'error' && emitter.listenerCount('error') === 0) return false;
      const result = Reflect.apply(emitter[name], emitter, args);
      return result === emitter ? this.proxy : result;
    };
  }

  // Resolves with a stub that is not thenable, so `await` ends.
  then(onFulfilled, onRejected) {
    if (this.settled === null) this.settled = makeStub(this.label);
    return Promise.resolve(this.settled).then(onFulfilled, onRejected);
  }

  member(target, key, receiver) {
    if (this.own.has(key)) return this.own.get(key);
    if (key === 'prototype') return target.prototype;
    if (this.proto !== null && key in this.proto) return Reflect.get(this.proto, key, receiver);
    if (typeof key === 'symbol') return stubSymbol(key, this.label);
    if (key === 'then') return this.thenable ? this.child(key, () => this.then.bind(this)) : undefined;
    if (key === '__esModule' || key === 'toJSON') return undefined;
    if (EMITTER_METHODS.has(key)) return this.child(key, () => this.emitterMethod(key));
    if (EVENT_TARGET_ALIASES.has(key)) return this.child(key, () => this.emitterMethod(EVENT_TARGET_ALIASES.get(key)));
    return this.child(key, () => makeStub(`${this.label}.${key}`));
  }
}

const stubStates = new WeakMap(); // a stub's target function → its state

// One set of traps for every stub, each reading the stub's state.
const STUB_TRAPS = {
  get(target, key, receiver) {
    return stubStates.get(target).member(target, key, receiver);
  },
  set(target, key, value, receiver) {
    const state = stubStates.get(target);
    if (state.proto !== null && key in state.proto) return Reflect.set(state.proto, key, value, receiver);
    state.own.set(key, value);
    return true;
  },
  defineProperty(target, key, descriptor) {
    stubStates.get(target).own.set(key, 'value' in descriptor ? descriptor.value : undefined);
    // A non-configurable property must exist on the target too.
    if (descriptor.configurable === false) Reflect.defineProperty(target, key, descriptor);
    return true;
  },
  has(target, key) {
    const state = stubStates.get(target);
    if (state.own.has(key) || Reflect.has(target, key)) return true;
    return typeof key === 'string' && (key !== 'then' || state.thenable);
  },
  deleteProperty(target, key) {
    const state = stubStates.get(target);
    state.own.delete(key);
    state.children.delete(key);
    return true;
  },
  ownKeys(target) {
    return [...new Set([...Reflect.ownKeys(target), ...stubStates.get(target).own.keys()])];
  },
  getOwnPropertyDescriptor(target, key) {
    const onTarget = Reflect.getOwnPropertyDescriptor(target, key);
    if (onTarget !== undefined && !onTarget.configurable) return onTarget;
    const own = stubStates.get(target).own;
    if (own.has(key)) return { value: own.get(key), writable: true, enumerable: true, configurable: true };
    return onTarget;
  },
  getPrototypeOf(target) {
    const state = stubStates.get(target);
    return state.proto !== null ? state.proto : Reflect.getPrototypeOf(target);
  },
  apply(target, _thisArg, args) {
    // The same result every time: `io.of('/chat')`, `express.Router()` and `getClient()`
    // hand back a long-lived object.
    const state = stubStates.get(target);
    if (state.returned === null) state.returned = makeStub(`${state.label}()`, { thenable: true });
    callBack(args, state.returned);
    return state.returned;
  },
  construct(target, args, newTarget) {
    // `class Pool extends pg.Pool {}`: the subclass's own members come first.
    const state = stubStates.get(target);
    const subclass = newTarget !== state.proxy && newTarget && newTarget.prototype;
    return makeStub(`new ${state.label}()`, subclass ? { proto: newTarget.prototype } : {});
  },
};

// A Node-style callback, last among the arguments, whose first parameter is the error
// (`pool.query(sql, (err, rows) => …)`, `fs.readFile(p, function (error, data) …)`): the stub
// calls it once, soon after, with no error and a stub result, as the package would. A route
// handler (`app.get('/x', (req, res) => …)`) is not one: its first parameter is not an error.
const ERROR_FIRST = /^(?:async\s+)?(?:function\b[^(]*)?\(?\s*(?:err|error|er|e|ex|exception)\s*[,)=]/;
function callBack(args, result) {
  const callback = args.length > 0 ? args[args.length - 1] : undefined;
  if (typeof callback !== 'function' || stubStates.has(callback)) return;
  let source;
  try {
    source = Function.prototype.toString.call(callback);
  } catch {
    return;
  }
  if (!ERROR_FIRST.test(source)) return;
  setImmediateOriginal(() => {
    try {
      callback(null, result);
    } catch (error) {
      countError(error);
    }
  });
}

function makeStub(label, options = {}) {
  const target = function stub() {};
  const state = new StubState(label, options);
  stubStates.set(target, state);
  state.proxy = new Proxy(target, STUB_TRAPS);
  return state.proxy;
}

// Which `--stub` package a specifier names (`pg` also stands for `pg/lib/client`).
function namedStub(specifier) {
  return CONFIG.stubs.find((name) => specifier === name || specifier.startsWith(`${name}/`));
}

function isBareSpecifier(specifier) {
  return !/^(\.|\/|file:|node:|data:)/.test(specifier) && !Module.isBuiltin(specifier);
}

// The package itself is missing (not one of its own files or dependencies).
function isMissingPackage(error, specifier) {
  return (
    error !== null &&
    typeof error === 'object' &&
    error.code === 'MODULE_NOT_FOUND' &&
    isBareSpecifier(specifier) &&
    String(error.message).split('\n')[0].includes(`'${specifier}'`)
  );
}

// A package's own code is left to fail as it would: one that requires an optional
// dependency inside `try` expects the error.
function fromProjectCode(parent) {
  const file = parent && parent.filename;
  return typeof file !== 'string' || !file.split(path.sep).includes('node_modules');
}

function moduleStub(specifier, reason) {
  if (!moduleStubs.has(specifier)) {
    moduleStubs.set(specifier, makeStub(specifier));
    send({ t: 'stub', module: specifier, reason });
  }
  return moduleStubs.get(specifier);
}

const loadModule = Module._load;
Module._load = function (request, parent, isMain) {
  const framework = typeof request === 'string' && fromProjectCode(parent) ? frameworkModule(request) : undefined;
  if (framework !== undefined) return framework;
  if (typeof request === 'string' && namedStub(request)) return moduleStub(request, '--stub');
  try {
    return Reflect.apply(loadModule, this, [request, parent, isMain]);
  } catch (error) {
    if (isMissingPackage(error, request) && fromProjectCode(parent)) {
      return moduleStub(request, 'not installed');
    }
    throw error;
  }
};

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
  if (FRAMEWORKS.has(specifier) && fromProjectCode({ filename: parentFile })) return { stub: specifier, framework: true };
  if (namedStub(specifier)) return { stub: specifier, reason: '--stub' };
  // A package: CommonJS resolution from the module's folder, which finds what most packages
  // export to `require` (an ESM-only package without a `require` condition fails here).
  let file;
  try {
    file = Module.createRequire(parentFile).resolve(specifier);
  } catch (error) {
    if (isMissingPackage(error, specifier) && fromProjectCode({ filename: parentFile })) {
      return { stub: specifier, reason: 'not installed' };
    }
    throw error;
  }
  return { url: pathToFileURL(file).href, file };
}

// An ES module standing for a stubbed package: its default export is the stub, and each name
// the importing module asks for is the stub's property of that name.
function stubModule(vm, target, importerFile) {
  const stub = target.framework ? frameworkModule(target.stub) : moduleStub(target.stub, target.reason);
  const importer = sources.get(importerFile);
  const wanted = (importer && importer.imports && importer.imports[target.stub]) || [];
  const names = [...new Set(['default', ...wanted, ...(target.framework ? Object.keys(stub) : [])])];
  return new vm.SyntheticModule(
    names,
    function () {
      for (const name of names) this.setExport(name, name === 'default' ? stub : stub[name]);
    },
    { identifier: `leaklint-stub:${target.stub}` },
  );
}

// `import(x)` from CommonJS (see src/verify/instrument.rs): stubs and the component runtime
// for what they stand in for, Node's loader for the rest.
async function importFromCommonJs(specifier, parentFile) {
  specifier = String(specifier);
  const framework = fromProjectCode({ filename: parentFile }) ? frameworkModule(specifier) : undefined;
  let stub = framework;
  if (stub === undefined && namedStub(specifier)) stub = moduleStub(specifier, '--stub');
  if (stub === undefined && isBareSpecifier(specifier)) {
    try {
      Module.createRequire(parentFile).resolve(specifier);
    } catch (error) {
      if (!isMissingPackage(error, specifier)) throw error;
      stub = moduleStub(specifier, 'not installed');
    }
  }
  if (stub === undefined) {
    const target = specifier.startsWith('.') ? resolveFile(path.resolve(path.dirname(parentFile), specifier)) : specifier;
    return import(target.startsWith('/') ? pathToFileURL(target).href : target);
  }
  // A namespace: `default` is the stub, every other name its property.
  return new Proxy(Object.create(null), {
    get: (_t, key) => (key === 'default' ? stub : key === 'then' ? undefined : stub[key]),
  });
}
Object.defineProperty(globalThis, '__leaklint_import', { value: importFromCommonJs, enumerable: false });

async function loadEsm(file) {
  const vm = require('node:vm');
  const modules = new Map();
  const dynamicImport = (parentFile) => async (specifier, _referrer, attributes) => {
    const target = resolveEsm(specifier, parentFile);
    if (target.stub) {
      const m = stubModule(vm, target, parentFile);
      await m.link(() => {});
      await m.evaluate();
      return m;
    }
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
      if (target.stub) return stubModule(vm, target, file);
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
    case 'class':
      return class Synthesized {
        constructor(...args) {
          this.args = args;
        }
      };
    case 'thenable':
      return Promise.resolve(`k${i}`);
    case 'emitter':
      return fakeEmitter(shape, i, name);
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

// An argument given listeners (`socket.on('join', …)`): a stub whose emitter methods are real,
// with the data fields the body reads (`socket.id`), distinct on every call; an `EventTarget`
// for DOM-style code. Its methods besides those are stubs, so `socket.to(room).emit(…)` runs.
const fakeEmitters = new WeakSet();
function fakeEmitter(shape, i, name) {
  const data = {};
  for (const [key, s] of Object.entries(shape.p || {})) {
    if (s.k !== 'fn') data[key] = make(s, i, key);
  }
  const emitter = shape.dom ? Object.assign(new EventTarget(), data) : makeStub(`fake argument ${name}`, { data });
  fakeEmitters.add(emitter);
  return emitter;
}

// The end of a fake emitter's life, as its owner would signal it: a socket disconnects, a
// stream ends and closes. A listener that removes what the call added runs then.
const END_EVENTS = ['disconnect', 'end', 'close'];
function endFakeEmitters(values) {
  for (const value of values) {
    if (!fakeEmitters.has(value) || typeof value.emit !== 'function') continue;
    for (const event of END_EVENTS) value.emit(event);
  }
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
  const fields = shape && shape.k === 'emitter' ? { k: 'obj', p: shape.p } : shape;
  fill(req, fields ? make(fields, i, 'req') : {});
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
  let done = false;
  const caught = Promise.resolve(result).then(
    () => {
      done = true;
    },
    (error) => {
      done = true;
      countError(error);
    },
  );
  // Most promises settle within a turn of the event loop (a stub's resolve at once): no timer
  // for those, so none keeps a finished call's objects alive until the window is measured.
  await Promise.race([caught, turn()]);
  // A promise that never settles (waiting on a network that is not there) is left behind
  // after a few tries rather than awaited on every call.
  if (done || unsettled >= 2) return;
  const settled = await Promise.race([caught.then(() => true), sleep(SETTLE_MS).then(() => false)]);
  if (!settled) unsettled++;
}

function countError(error) {
  errors.count++;
  if (errors.first === null) errors.first = describe(error);
}

// Runs the listeners around the finding that the call registered (`entry.events`, outermost
// first), with made-up arguments, then ends the fake emitters it was given, as their owners
// would. `args` are the call's arguments.
async function driveListeners(entry, args, i, found) {
  let previous = args;
  const made = [args];
  for (const drive of entry.events) {
    const values = makeArgs(drive.args, i);
    made.push(values);
    if (drive.on === 'registered') {
      for (const { event, listener } of found) {
        if (event === drive.event) await settle(Reflect.apply(listener, undefined, values));
      }
    } else {
      const target = (drive.on === 'arg' ? args : previous)[drive.index];
      if (target && typeof target.emit === 'function') target.emit(drive.event, ...values);
      else if (target && typeof target.dispatchEvent === 'function') target.dispatchEvent(new Event(drive.event));
    }
    previous = values;
  }
  for (const values of made) endFakeEmitters(values);
}

// Calls `fn` with made-up arguments (a fake request and response for a handler), then runs
// the listeners the finding sits in.
function invoke(entry, fn, thisArg, i) {
  if (typeof fn !== 'function') throw new TypeError(`\`${entry.name}\` is not a function at run time`);
  if (entry.handler) return handlerCall(entry, fn, thisArg, i);
  const args = makeArgs(entry.args, i);
  const needsAfter = entry.events.length > 0 || args.some((a) => fakeEmitters.has(a));
  if (!needsAfter) return Reflect.apply(fn, thisArg, args);
  return callThenDrive(entry, fn, thisArg, args, i);
}

async function callThenDrive(entry, fn, thisArg, args, i) {
  const recording = entry.events.some((d) => d.on === 'registered');
  if (recording) registrations = [];
  let found;
  try {
    const result = Reflect.apply(fn, thisArg, args);
    found = registrations || [];
    registrations = null;
    await settle(result);
  } finally {
    registrations = null;
  }
  await driveListeners(entry, args, i, found);
}

async function handlerCall(entry, fn, thisArg, i) {
  const req = fakeRequest(i, entry.request);
  const res = fakeResponse();
  const next = () => {};
  const args = entry.handler === 'error' ? [new Error(`k${i}`), req, res, next] : [req, res, next];
  try {
    await callThenDrive(entry, fn, thisArg, args, i);
  } finally {
    // The request completes: what a server emits when the response is done.
    req.emit('end');
    if (!res.writableEnded) res.end();
    req.emit('close');
    res.emit('close');
  }
}

// The cleanup a class offers (`close`, `stop`, `dispose`…), as correct code would call it at
// the end of an instance's life.
async function cleanUp(instance, entry) {
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

// One use of the member on `instance`: a getter read, a setter written, a method called.
function useMember(entry, instance, i) {
  if (entry.access === 'get') return void instance[entry.name];
  if (entry.access === 'set') {
    instance[entry.name] = make(entry.args[0], i, 'v');
    return undefined;
  }
  return invoke(entry, instance[entry.name], instance, i);
}

// An instance of `cls` the module exports (`module.exports = new X()`, `export default new
// X()`, `exports.client = new X()`): the singleton its users share.
function exportedInstance(exportsValue, cls) {
  const isInstance = (v) => v !== null && typeof v === 'object' && v instanceof cls;
  if (isInstance(exportsValue)) {
    return { instance: exportsValue, foundAt: CONFIG.format === 'esm' ? 'export default' : 'module.exports' };
  }
  if (exportsValue === null || typeof exportsValue !== 'object') return null;
  for (const key of Object.keys(exportsValue)) {
    let value;
    try {
      value = exportsValue[key];
    } catch {
      continue;
    }
    if (isInstance(value)) {
      const foundAt = CONFIG.format === 'esm'
        ? key === 'default' ? 'export default' : `export \`${key}\``
        : `module.exports.${key}`;
      return { instance: value, foundAt };
    }
  }
  return null;
}

// A phase: one way of calling the code, measured over its own windows.
const phase = (mode, call, extra = {}) => ({ mode, call, start() {}, async release() {}, ...extra });

function instancePhases(entry, target, exportsValue) {
  // An object's whole life per call: construct, use, then the cleanup the class offers.
  const fresh = phase('fresh', async (i) => {
    let instance;
    try {
      instance = Reflect.construct(target, makeArgs(entry.ctorArgs, i));
    } catch (error) {
      constructorFailures++;
      throw error;
    }
    try {
      await settle(entry.access === 'ctor' ? undefined : useMember(entry, instance, i));
    } finally {
      await cleanUp(instance, entry);
    }
  });
  // The finding is in the constructor: constructing was the call, once per instance.
  if (entry.access === 'ctor') return [fresh];
  // State an instance owns (a listener on `this.socket`, `this.timer`) grows when one instance
  // is used again and again: a reconnect, a restart. The exported singleton is that instance,
  // and when the module exports it but not its class, it is the only one its users can have.
  const singleton = exportedInstance(exportsValue, target);
  const shared = phase(singleton ? 'singleton' : 'instance', (i) => useMember(entry, sharedInstance, i), {
    foundAt: singleton && singleton.foundAt,
    start() {
      sharedInstance = singleton ? singleton.instance : Reflect.construct(target, makeArgs(entry.ctorArgs, 0));
    },
    async release() {
      const instance = sharedInstance;
      sharedInstance = null;
      if (!singleton && instance) await cleanUp(instance, entry);
    },
  });
  return singleton && !exportsClass(exportsValue, target) ? [shared] : [fresh, shared];
}

// The module exports the class itself (`module.exports = X`, `exports.X = X`, `export class`).
function exportsClass(exportsValue, cls) {
  if (exportsValue === cls) return true;
  if (exportsValue === null || (typeof exportsValue !== 'object' && typeof exportsValue !== 'function')) {
    return false;
  }
  return Object.keys(exportsValue).some((key) => {
    try {
      return exportsValue[key] === cls;
    } catch {
      return false;
    }
  });
}

function notCreatedReason() {
  const stubs = [...moduleStubs.keys()].map((s) => `\`${s}\``);
  const callbacks = stubs.length
    ? `, or a callback nobody called; leaklint's stubs, here for ${stubs.join(', ')}, call only Node-style callbacks (\`(err, result) => …\`) and keep listeners without emitting`
    : '';
  return `the function that contains the finding was not created while the module loaded (it sits in code that did not run at load: a branch not taken${callbacks}), so nothing can call it; write a --scenario`;
}

// The phases to run: `{ phases }`, or `{ unverifiable }` with the reason.
function makePhases(entry, exportsValue, step) {
  if (step) return { phases: [phase('calls', (i) => step(i))] };
  const target = captures.get(0);
  if (target === undefined) return { unverifiable: notCreatedReason() };
  if (entry.lifecycle) return componentPhases(entry, target);
  switch (entry.kind) {
    case 'function':
      if (typeof target !== 'function') return { unverifiable: 'the captured value is not a function' };
      return { phases: [phase('calls', (i) => invoke(entry, target, undefined, i))] };
    case 'property': {
      if (typeof (target && target[entry.name]) !== 'function') {
        return { unverifiable: `\`${entry.name}\` is not a function at run time` };
      }
      return { phases: [phase('calls', (i) => invoke(entry, target[entry.name], target, i))] };
    }
    case 'method': {
      if (typeof target !== 'function') return { unverifiable: 'the class was not created' };
      if (!entry.static) return { phases: instancePhases(entry, target, exportsValue) };
      if (entry.access === 'get') return { phases: [phase('calls', () => target[entry.name])] };
      if (entry.access === 'set') {
        return { phases: [phase('calls', (i) => { target[entry.name] = make(entry.args[0], i, 'v'); })] };
      }
      return { phases: [phase('calls', (i) => invoke(entry, target[entry.name], target, i))] };
    }
    default:
      return { unverifiable: `unknown entry kind ${entry.kind}` };
  }
}
let constructorFailures = 0;

// A component's whole life per call: a fresh one mounted, then unmounted, as a page that shows
// and hides it does. A finding in a method that is not a lifecycle hook (an event handler, a
// helper) is called once while the component is mounted.
function componentPhases(entry, target) {
  const { lifecycle } = entry;
  const mode = { mode: 'mount', text: MOUNT_TEXT[lifecycle.framework] || 'mounted and unmounted' };
  // What mounting runs by itself: the hooks, the constructor, Vue's `setup` and `data`.
  const hooks = [...lifecycle.mount, ...lifecycle.unmount, 'constructor', 'setup', 'data', 'render'];
  const extra = entry.name && entry.access === 'call' && !hooks.includes(entry.name)
    ? (instance) => invoke(entry, instance[entry.name], instance, calls)
    : null;
  switch (lifecycle.framework) {
    case 'react': {
      const fn = entry.kind === 'property' ? target && target[entry.name] : target;
      if (typeof fn !== 'function') return { unverifiable: 'the component is not a function at run time' };
      return { phases: [phase('mount', (i) => react.mountFunction(fn, makeArgs(entry.args, i)), mode)] };
    }
    case 'vue':
      if (target === null || typeof target !== 'object') return { unverifiable: "the component's options are not an object at run time" };
      return { phases: [phase('mount', (i) => vue.mountOptions(target, lifecycle, i, extra), mode)] };
    default: {
      if (typeof target !== 'function') return { unverifiable: 'the class was not created' };
      // Angular injects services, which live as long as the app: the same ones for every
      // component, stubs that keep the listeners given to them.
      const shared = lifecycle.framework === 'angular'
        ? entry.ctorArgs.map((_, j) => makeStub(`injected service ${j + 1}`))
        : null;
      return {
        phases: [phase('mount', (i) => mountClass(target, lifecycle, shared || makeArgs(entry.ctorArgs, i), extra), mode)],
      };
    }
  }
}

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

// ---- evidence: what holds the growth --------------------------------------------------------

// leaklint puts its heap-snapshot diff here (src/verify/heapdiff.js).
const LEAKLINT_SPLICED = true;
/*LEAKLINT_HEAPDIFF*/

// A closure's line in the checked file, from its line in the prepared module.
function sourceLine({ file, line }) {
  const own = file === CONFIG.file || file === pathToFileURL(CONFIG.file).href;
  return own ? CONFIG.lines[line] || null : null;
}

// Did anything the rules measure grow in every window (the windows after the warm-up)?
function grewEveryWindow(windows) {
  const keys = ['heap', 'size', 'intervals', 'listeners', 'modules', 'subscriptions'];
  return keys.some((key) =>
    windows.slice(1).every((w, i) => typeof w[key] === 'number' && w[key] > windows[i][key]),
  );
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
    subscriptions: liveSubscriptions(),
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
  if (browser) {
    // The page finishes loading after its scripts: DOMContentLoaded and load run their
    // listeners (an `init` registered for them creates what is called).
    try {
      browser.loaded();
    } catch (error) {
      send({ t: 'load-error', error: `a DOMContentLoaded or load listener threw: ${describe(error)}` });
      exitNow(0);
      return;
    }
    await turn();
  }
  stage = 'calls';
  send({ t: 'loaded', ms: Date.now() - started });
  const planned = makePhases(CONFIG.entry, exportsValue, step);
  if (planned.unverifiable) {
    send({ t: 'unverifiable', reason: planned.unverifiable });
    exitNow(0);
    return;
  }
  process.setMaxListeners(0);
  EventEmitter.defaultMaxListeners = 0;
  const budget = { deadline: driverStarted + CONFIG.timeoutMs * PHASE_BUDGET, msPerCall: 0 };
  for (const [index, current] of planned.phases.entries()) {
    const perWindow = index === 0 ? fullWindow() : windowWithin(budget);
    if (perWindow === 0) {
      send({ t: 'phase', mode: current.mode, foundAt: current.foundAt });
      send({ t: 'phase-done', calls: 0, errors, unverifiable: 'not run: the calls before it used up the time limit (raise --timeout)' });
      continue;
    }
    const phaseStarted = Date.now();
    const before = calls;
    if (!(await runPhase(current, perWindow))) break;
    budget.msPerCall = (Date.now() - phaseStarted) / Math.max(1, calls - before);
  }
  send({ t: 'done', calls, errors, unsettled });
  exitNow(0);
}

// Calls `current.call` over a warm-up window and the measured ones, measuring after each.
// False when the run must stop (every constructor call threw).
// A later phase runs only in the time the first left (a timeout would lose the first
// phase's verdict): this share of the limit, measured from the driver's start.
const PHASE_BUDGET = 0.8;
const driverStarted = Date.now();

function fullWindow() {
  return Math.max(1, Math.floor(CONFIG.iterations / (CONFIG.windows + 1)));
}

// Calls per window that fit before the deadline at the pace of the last phase; 0 when fewer
// than a handful do.
function windowWithin(budget) {
  const left = budget.deadline - Date.now();
  const affordable = budget.msPerCall > 0 ? Math.floor(left / budget.msPerCall / (CONFIG.windows + 1)) : fullWindow();
  const perWindow = Math.min(fullWindow(), affordable);
  return perWindow >= 5 ? perWindow : 0;
}

// Evidence is taken once a run, in the first phase that grows.
let evidenceTaken = false;
// The retained heap of the base snapshot's copy, left out of the heap figures while it lives.
let snapshotBytes = 0;

async function runPhase(current, perWindow) {
  send({ t: 'phase', mode: current.mode, foundAt: current.foundAt, text: current.text });
  const before = { calls, count: errors.count };
  errors.count = 0;
  errors.first = null;
  try {
    current.start();
  } catch (error) {
    send({ t: 'phase-done', calls: 0, errors, unverifiable: `constructing the instance threw: ${describe(error)}` });
    return true;
  }
  constructorFailures = 0;
  send({ t: 'window', w: 0, calls, ...(await measure()) });
  // A snapshot after the warm-up, and a second at the end when something grew: the new
  // objects, and what keeps one of them alive.
  let base = null;
  const measured = [];
  for (let w = 1; w <= CONFIG.windows + 1; w++) {
    for (let j = 0; j < perWindow; j++) {
      try {
        await settle(current.call(calls));
      } catch (error) {
        countError(error);
      }
      calls++;
      send({ t: 'p', n: calls });
      if (calls % 50 === 0) await turn();
      if (constructorFailures > 0 && constructorFailures === calls - before.calls) {
        send({ t: 'unverifiable', reason: `constructing the class threw: ${errors.first}` });
        exitNow(0);
        return false;
      }
    }
    const figures = await measure();
    figures.heap -= snapshotBytes;
    // The first measured window grew: a snapshot, whose own memory (the copy kept until the
    // end) is left out of this window's heap figure and the later ones.
    if (w === 2 && CONFIG.evidence && !evidenceTaken && grewEveryWindow([measured[0], figures])) {
      base = await heapSnapshot();
      if (base) snapshotBytes = Math.max(0, (await measure()).heap - figures.heap);
    }
    send({ t: 'window', w, calls, ...figures });
    measured.push(figures);
  }
  if (base && grewEveryWindow(measured)) {
    evidenceTaken = true;
    // As long as the run's time limit allows: a busy machine takes seconds for a snapshot.
    const left = driverStarted + CONFIG.timeoutMs * PHASE_BUDGET - Date.now();
    const evidence = await heapEvidence(base, { gc, lineOf: sourceLine, timeBudgetMs: Math.min(10000, left - 1000) });
    if (evidence) send({ t: 'evidence', grown: evidence.grown, path: evidence.path });
  }
  base = null;
  snapshotBytes = 0;
  send({ t: 'phase-done', calls: calls - before.calls, errors });
  await current.release();
  errors.count += before.count;
  return true;
}

main().catch((error) => {
  send({ t: 'driver-error', error: describe(error) });
  exitNow(0);
});
