// leaklint's heap diff: what holds the growth, from two heap snapshots of one isolate.
//
// `heapSnapshot()` takes a snapshot (`v8.getHeapSnapshot()`, which works under Node's
// permission model where `node:inspector` does not) and keeps a compact copy of its graph;
// `heapEvidence(base, options)` takes a second one and reports the kinds of objects that grew
// since `base` and, for one new object of the most telling kind, the chain of references that
// keeps it alive, from a root down to it:
//
//   { grown: [{ name: 'closure (anonymous)', before: 0, after: 2000,
//               line: 6, column: 22, script: 82, file: '/tmp/…/prog.js' }],
//     path: [{ node: 'module prog.js', edge: 'exports' }, { node: 'Object', edge: 'step' },
//            { node: 'closure subscribe', line: 5, …, edge: 'emitter' },
//            { node: 'EventEmitter', edge: '_events' }, { node: 'Object', edge: 'data' },
//            { node: 'Array', edge: '[1999]' }, { node: 'closure (anonymous)', line: 6, … }],
//     ms: { snapshot: 180, diff: 45 }, nodes: { before: 39432, after: 44419 } }
//
// Object ids are stable between snapshots of one isolate, so a node of the second snapshot
// whose id is not in the first is new. Both functions return null instead of throwing.
//
// Lines: a closure's location in the snapshot is a V8 script id and a 0-based line and column;
// the script id means nothing outside the isolate, but the snapshot also names the closure's
// script (its file name, through the function's shared info), so each closure step and closure
// kind carries `line` (1-based), `column` (1-based), `script` (the id) and `file` (when the
// snapshot names it), and the caller decides which files are its own. `options.lineOf`, when
// given, is called with `{ script, file, line, column }` (0-based line and column) and its
// result replaces `line` (null or undefined drops it), for a caller that maps lines itself
// (e.g. through a source map of the instrumented module).
//
// This file is spliced into the driver as plain function declarations (every name starts with
// `heap` or `Leaklint`, to keep clear of the driver's own); it requires nothing at the top
// level. The guard at the end exports the two functions only when the file is loaded as a
// module of its own by `require` (tests), never when it is spliced into the driver.

/** The compact copy of a snapshot. Its constructor name lets the second snapshot find it. */
function LeaklintHeapSnapshot() {}

/**
 * Reads a heap snapshot stream fully into one Buffer. It lets go of the chunks and of its
 * listeners before it resolves: the continuation runs while the stream's `end` is still on
 * the stack, where the next snapshot would find them, and the driver counts the listeners of
 * the emitters that are still alive.
 */
function heapReadStream(stream) {
  return new Promise((resolve, reject) => {
    let chunks = [];
    const onData = (chunk) => chunks.push(chunk);
    const finish = (error) => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      let buffer = null;
      if (!error) {
        try {
          buffer = Buffer.concat(chunks);
        } catch (failure) {
          error = failure;
        }
      }
      chunks = [];
      if (error) reject(error);
      else resolve(buffer);
    };
    const onEnd = () => finish(null);
    const onError = (error) => finish(error || new Error('heap snapshot stream failed'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * Takes a heap snapshot and returns its compact form (a LeaklintHeapSnapshot): per node
 * (by ordinal) `type`, `name` (string index), `id`, `size` and `firstEdge`; per edge
 * `edgeType`, `edgeName` (string index, or the index of an element) and `edgeTo` (ordinal);
 * the closures' locations (`locNode`, `locScript`, `locLine`, `locColumn`); the strings,
 * packed (`stringData`, all of them end to end, and `stringEnd`, where each ends: 2 heap
 * objects where an array would be some 20,000, which the next snapshot would have to take
 * and the diff to tell apart; `heapString(snap, k)` reads string `k`); `ms`, what it took,
 * and `timing`, its parts. The caller runs `gc()` first (V8 also collects before it
 * snapshots). Returns null on any failure.
 */
async function heapSnapshot() {
  try {
    return heapPack(await heapTake());
  } catch {
    return null;
  }
}

/** A snapshot in compact form, its strings as an array. Throws on failure. */
async function heapTake() {
  const started = Date.now();
  const v8 = require('node:v8');
  const stream = v8.getHeapSnapshot(); // V8 collects garbage and builds the graph here
  const taken = Date.now();
  let buffer = await heapReadStream(stream);
  const read = Date.now();
  let snap = heapParseFast(buffer);
  if (!snap) {
    // Not laid out as expected: parse it all, which takes some ten times its size in the heap.
    heapNeedRoom(buffer.length * 12);
    snap = heapCompact(JSON.parse(buffer.toString('utf8')));
  }
  buffer = null;
  if (!snap) return null;
  const done = Date.now();
  snap.ms = done - started;
  snap.timing = { take: taken - started, read: read - taken, parse: done - read };
  return snap;
}

/** Packs `snap.strings` into one string and its ends (in place). */
function heapPack(snap) {
  if (!snap) return null;
  const strings = snap.strings;
  const ends = new Uint32Array(strings.length);
  let at = 0;
  for (let k = 0; k < strings.length; k++) {
    at += strings[k].length;
    ends[k] = at;
  }
  snap.stringData = strings.join('');
  snap.stringEnd = ends;
  snap.strings = null;
  return snap;
}

/**
 * Parses the snapshot's JSON without making JS arrays of its million numbers: the numeric
 * sections (`nodes`, `edges`, `locations`) are scanned byte by byte into typed arrays, the
 * header and `strings` go to JSON.parse. Null when the text is not laid out as V8 writes it
 * (the caller then parses it all).
 */
function heapParseFast(buffer) {
  const at = (key, from) => {
    const index = buffer.indexOf(key, from, 'latin1');
    return index < 0 ? -1 : index + key.length;
  };
  const nodesAt = at('"nodes":[', 0);
  if (nodesAt < 0) return null;
  const headerText = buffer.toString('utf8', 0, nodesAt - '"nodes":['.length);
  const header = JSON.parse(headerText.slice(0, headerText.lastIndexOf('}') + 1) + '}');
  const meta = header.snapshot.meta;
  const nodeCount = header.snapshot.node_count;
  const edgeCount = header.snapshot.edge_count;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  // Scanned through a plain Uint8Array view, which V8 reads faster than a Buffer.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  const nodes = new Uint32Array(nodeCount * nodeWidth);
  let end = heapScanNumbers(bytes, nodesAt, nodes);
  if (end < 0) return null;
  const edgesAt = at('"edges":[', end);
  if (edgesAt < 0) return null;
  const edges = new Uint32Array(edgeCount * edgeWidth);
  end = heapScanNumbers(bytes, edgesAt, edges);
  if (end < 0) return null;
  let locations = new Uint32Array(0);
  const locationsAt = at('"locations":[', end);
  if (locationsAt >= 0) {
    // Count the numbers first: the header does not say how many.
    let count = 0;
    let inNumber = false;
    let k = locationsAt;
    for (; k < buffer.length; k++) {
      const c = bytes[k];
      if (c === 93) break; // ]
      const digit = c >= 48 && c <= 57;
      if (digit && !inNumber) count++;
      inNumber = digit;
    }
    locations = new Uint32Array(count);
    end = heapScanNumbers(bytes, locationsAt, locations);
    if (end < 0) return null;
  }
  const stringsAt = at('"strings":[', end);
  if (stringsAt < 0) return null;
  const last = buffer.lastIndexOf(93); // the strings' closing ]
  if (last < stringsAt - 1) return null;
  // The strings' text and the strings parsed (some 3 bytes a byte of JSON: short strings have
  // a 16-byte header and an 8-byte slot), and packed: some 5 times their JSON in the heap.
  heapNeedRoom((last - stringsAt) * 5);
  const strings = JSON.parse(buffer.toString('utf8', stringsAt - 1, last + 1));
  return heapCompact({ snapshot: header.snapshot, nodes, edges, locations, strings });
}

/**
 * Throws unless the JS heap has room for `bytes` more (and a margin): a snapshot of a big heap
 * under a small `--max-old-space-size` would otherwise end the process. (Typed arrays live
 * outside the JS heap; what counts are strings and arrays of them.)
 */
function heapNeedRoom(bytes) {
  if (heapRoom() < bytes + 8 * 1024 * 1024) throw new Error('leaklint: no room for a heap snapshot');
}

/**
 * The bytes the JS heap can still grow by: up to `--max-old-space-size` when the process was
 * given one (V8's own limit counts the young generation's reserve as well), less what is in
 * use (garbage included: callers collect first where they can).
 */
function heapRoom() {
  const stats = require('node:v8').getHeapStatistics();
  let limit = stats.heap_size_limit;
  const flags = process.execArgv.concat(String(process.env.NODE_OPTIONS || '').split(/\s+/));
  for (const flag of flags) {
    const match = /^--max[-_]old[-_]space[-_]size=([0-9]+)$/.exec(flag);
    if (match) limit = Math.min(limit, Number(match[1]) * 1024 * 1024);
  }
  return limit - stats.used_heap_size;
}

/**
 * Scans the comma-separated unsigned integers from `start` up to the closing `]` into `out`,
 * which they must fill exactly. Returns the offset after the `]`, or -1.
 */
function heapScanNumbers(buffer, start, out) {
  let k = start;
  let n = 0;
  let value = 0;
  let inNumber = false;
  const length = buffer.length;
  const size = out.length;
  for (; k < length; k++) {
    const c = buffer[k];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else {
      if (inNumber) {
        if (n >= size) return -1;
        out[n++] = value > 4294967295 ? 4294967295 : value;
        value = 0;
        inNumber = false;
      }
      if (c === 93) break; // ]
      if (c !== 44 && c !== 10 && c !== 13 && c !== 32) return -1; // , \n \r space
    }
  }
  return n === size && k < length ? k + 1 : -1;
}

/** The compact form of a parsed snapshot, or null when it is not the format expected. */
function heapCompact(raw) {
  const meta = raw && raw.snapshot && raw.snapshot.meta;
  if (!meta || !raw.nodes || !raw.edges || !Array.isArray(raw.strings)) return null;
  const nodeFields = meta.node_fields;
  const edgeFields = meta.edge_fields;
  const nodeWidth = nodeFields.length;
  const edgeWidth = edgeFields.length;
  const fType = nodeFields.indexOf('type');
  const fName = nodeFields.indexOf('name');
  const fId = nodeFields.indexOf('id');
  const fSize = nodeFields.indexOf('self_size');
  const fEdges = nodeFields.indexOf('edge_count');
  const eType = edgeFields.indexOf('type');
  const eName = edgeFields.indexOf('name_or_index');
  const eTo = edgeFields.indexOf('to_node');
  if (Math.min(fType, fName, fId, fSize, fEdges, eType, eName, eTo) < 0) return null;

  const nodes = raw.nodes;
  const edges = raw.edges;
  const n = Math.floor(nodes.length / nodeWidth);
  const e = Math.floor(edges.length / edgeWidth);
  const snap = new LeaklintHeapSnapshot();
  snap.nodeTypes = meta.node_types[fType];
  snap.edgeTypes = meta.edge_types[eType];
  snap.strings = raw.strings;
  snap.n = n;
  snap.e = e;
  snap.type = new Uint8Array(n);
  snap.name = new Uint32Array(n);
  snap.id = new Uint32Array(n);
  snap.size = new Uint32Array(n);
  snap.firstEdge = new Uint32Array(n + 1);
  snap.edgeType = new Uint8Array(e);
  snap.edgeName = new Uint32Array(e);
  snap.edgeTo = new Uint32Array(e);
  let edge = 0;
  for (let i = 0, o = 0; i < n; i++, o += nodeWidth) {
    snap.type[i] = nodes[o + fType];
    snap.name[i] = nodes[o + fName];
    snap.id[i] = nodes[o + fId];
    snap.size[i] = Math.min(nodes[o + fSize], 0xffffffff);
    snap.firstEdge[i] = edge;
    edge += nodes[o + fEdges];
  }
  if (edge !== e) return null;
  snap.firstEdge[n] = e;
  for (let j = 0, o = 0; j < e; j++, o += edgeWidth) {
    snap.edgeType[j] = edges[o + eType];
    snap.edgeName[j] = edges[o + eName];
    snap.edgeTo[j] = edges[o + eTo] / nodeWidth;
  }

  // Closures' locations: [node offset, script id, line, column], 0-based.
  const locationFields = meta.location_fields || [];
  const locations = raw.locations && raw.locations.length ? raw.locations : [];
  const lWidth = locationFields.length || 4;
  const lNode = Math.max(0, locationFields.indexOf('object_index'));
  const lScript = locationFields.indexOf('script_id');
  const lLine = locationFields.indexOf('line');
  const lColumn = locationFields.indexOf('column');
  const count = lScript < 0 || lLine < 0 ? 0 : Math.floor(locations.length / lWidth);
  snap.locNode = new Uint32Array(count);
  snap.locScript = new Int32Array(count);
  snap.locLine = new Int32Array(count);
  snap.locColumn = new Int32Array(count);
  for (let k = 0, o = 0; k < count; k++, o += lWidth) {
    snap.locNode[k] = locations[o + lNode] / nodeWidth;
    snap.locScript[k] = locations[o + lScript];
    snap.locLine[k] = locations[o + lLine];
    snap.locColumn[k] = lColumn < 0 ? 0 : locations[o + lColumn];
  }

  // The indices of the few strings the diff compares names against.
  snap.sharedString = snap.strings.indexOf('shared');
  snap.contextString = snap.strings.indexOf('context');
  snap.previousString = snap.strings.indexOf('previous');
  snap.tableString = snap.strings.indexOf('table');
  return snap;
}

// ---- labels ------------------------------------------------------------------------------

/** The type name of node `i`. */
function heapTypeOf(snap, i) {
  return snap.nodeTypes[snap.type[i]];
}

function heapNameOf(snap, i) {
  return heapString(snap, snap.name[i]);
}

/** String `k` of the snapshot, whether its strings are an array or packed. */
function heapString(snap, k) {
  if (snap.strings) return snap.strings[k];
  const ends = snap.stringEnd;
  if (k >= ends.length) return undefined;
  return snap.stringData.slice(k === 0 ? 0 : ends[k - 1], ends[k]);
}

function heapIsInternalName(name) {
  return name === '' || name[0] === '(' || name.startsWith('system /') || name.startsWith('Node /');
}

function heapIsGlobalName(name) {
  return name === 'global' || name === 'Window' || name.startsWith('Window /') ||
    name === 'globalThis' || name.startsWith('Object / global');
}

function heapIsContext(snap, i) {
  const name = heapNameOf(snap, i);
  return name === 'system / Context' || name === 'system / NativeContext';
}

/** The edge `j`'s name as a string (elements and hidden edges carry an index). */
function heapEdgeLabel(snap, j) {
  const type = snap.edgeTypes[snap.edgeType[j]];
  const name = snap.edgeName[j];
  if (type === 'element' || type === 'hidden') return `[${name}]`;
  const text = heapString(snap, name);
  return typeof text === 'string' ? text : String(name);
}

/** The target of node `i`'s edge of `type` named by string index `nameIndex`, or -1. */
function heapChild(snap, i, type, nameIndex) {
  if (nameIndex < 0) return -1;
  for (let j = snap.firstEdge[i]; j < snap.firstEdge[i + 1]; j++) {
    if (snap.edgeName[j] === nameIndex && snap.edgeTypes[snap.edgeType[j]] === type) {
      return snap.edgeTo[j];
    }
  }
  return -1;
}

/**
 * The key that groups node `i` with its kind, or null for what is not reported: closures by
 * function (their shared info's id, stable between snapshots), objects by constructor name,
 * strings together; hidden, code, synthetic, number, sliced and concatenated strings, shapes
 * and the engine's `(…)` and `system / …` objects are left out.
 */
function heapKindKey(snap, i) {
  const type = heapTypeOf(snap, i);
  switch (type) {
    case 'closure': {
      const shared = heapChild(snap, i, 'internal', snap.sharedString);
      return shared < 0 ? `\u0001${heapNameOf(snap, i)}` : `\u0001${snap.id[shared]}`;
    }
    case 'object': {
      const name = heapNameOf(snap, i);
      if (heapIsInternalName(name) || name === 'LeaklintHeapSnapshot') return null;
      return name;
    }
    case 'string':
      return '\u0002string';
    case 'regexp':
      return 'RegExp';
    case 'symbol':
      return '\u0002symbol';
    case 'bigint':
      return '\u0002bigint';
    case 'native': {
      const name = heapNameOf(snap, i);
      return heapIsInternalName(name) ? null : name;
    }
    default:
      return null;
  }
}

/** How a path or a kind names node `i`. */
function heapNodeLabel(snap, i) {
  const type = heapTypeOf(snap, i);
  const name = heapNameOf(snap, i);
  if (type === 'closure') return `closure ${name || '(anonymous)'}`;
  if (type === 'string') return 'string';
  if (type === 'object' && heapIsGlobalName(name)) return 'global';
  if (type === 'object' && name === 'Module') {
    const file = heapStringProperty(snap, i, 'filename') || heapStringProperty(snap, i, 'id');
    return file ? `module ${file.split(/[\\/]/).pop()}` : 'module';
  }
  if (type === 'object' && name === 'system / Context') return 'scope';
  if (type === 'regexp') return 'RegExp';
  return name || `(${type})`;
}

/** The value of node `i`'s string property `key`, if the snapshot has it. */
function heapStringProperty(snap, i, key) {
  const index = snap.strings.indexOf(key);
  const target = heapChild(snap, i, 'property', index);
  if (target < 0 || heapTypeOf(snap, target) !== 'string') return null;
  return heapNameOf(snap, target);
}

/** Where closure `i` is defined: `{ script, line, column, file }`, 0-based, or null. */
function heapLocation(snap, i) {
  let lo = 0;
  let hi = snap.locNode.length - 1;
  let found = -1;
  if (hi >= 0 && snap.locNode[hi] >= snap.locNode[0]) {
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (snap.locNode[mid] === i) {
        found = mid;
        break;
      }
      if (snap.locNode[mid] < i) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  if (found < 0) {
    // Not sorted after all: scan.
    for (let k = 0; k < snap.locNode.length; k++) if (snap.locNode[k] === i) found = k;
  }
  if (found < 0) return null;
  let file = null;
  const shared = heapChild(snap, i, 'internal', snap.sharedString);
  if (shared >= 0) {
    let script = heapChild(snap, shared, 'internal', snap.strings.indexOf('script_or_debug_info'));
    if (script < 0) script = heapChild(snap, shared, 'internal', snap.strings.indexOf('script'));
    if (script >= 0) {
      const name = heapNameOf(snap, script);
      if (!heapIsInternalName(name)) file = name;
    }
  }
  return {
    script: snap.locScript[found],
    line: snap.locLine[found],
    column: snap.locColumn[found],
    file,
  };
}

/** Adds `line`, `column`, `script` and `file` of closure `i` to `into`. */
function heapAddLocation(snap, i, into, options) {
  const location = heapLocation(snap, i);
  if (!location) return into;
  let line = location.line + 1;
  if (typeof options.lineOf === 'function') {
    try {
      line = options.lineOf(location);
    } catch {
      line = null;
    }
  }
  if (typeof line === 'number') into.line = line;
  into.column = location.column + 1;
  into.script = location.script;
  if (location.file) into.file = location.file;
  return into;
}

/** How telling a kind is as the subject of a path: higher is better. */
function heapKindRank(key, label) {
  if (key[0] === '\u0001') return 3; // closures
  if (key[0] === '\u0002') return 0; // strings, symbols, bigints
  if (/^(Object|Array|Map|Set|WeakMap|WeakSet)$/.test(label)) return 2; // collections
  if (/^(WeakRef|Promise|RegExp|Date|\w*Error|ArrayBuffer|SharedArrayBuffer|DataView|\w+Array|Buffer|FastBuffer|Arguments|Generator|AsyncGenerator|FinalizationRegistry|Boolean|Number|String|Symbol|BigInt)$/.test(label)) {
    return 1; // the language's other built-ins
  }
  return 3; // a class of the program or of a library: `Session`, `EventEmitter`, `Timeout`
}

// ---- the diff ----------------------------------------------------------------------------

/**
 * Takes a second snapshot and compares it with `base` (from `heapSnapshot()`). Returns
 * `{ grown, path, ms, nodes }`: `grown`, the kinds that grew by at least `options.minGrowth`
 * (10), most first, at most 5, each `{ name, before, after }` (closures also `line`, `column`,
 * `script`, `file`); `path`, root first, the references that keep one new object of the most
 * telling grown kind alive, each step `{ node, edge }` (the last without `edge`, closures
 * with their location), empty when nothing grew; `ms`, `{ snapshot, diff }`; `nodes`, the two
 * snapshots' sizes. Null when it fails, when the heap has no room for the second snapshot,
 * or when it would take more than `options.timeBudgetMs` (1500; judged from what `base` took,
 * then checked as it goes). `options.gc`: the collector to run first (default `globalThis.gc`,
 * when there is one), for a caller that took it before the code under test could replace it.
 */
async function heapEvidence(base, options) {
  try {
    options = options || {};
    const started = Date.now();
    const budget = typeof options.timeBudgetMs === 'number' ? options.timeBudgetMs : 1500;
    const minGrowth = typeof options.minGrowth === 'number' ? options.minGrowth : 10;
    if (!(base instanceof LeaklintHeapSnapshot)) return null;
    // The second snapshot costs at least what the first did; the diff about as much again.
    if (typeof base.ms === 'number' && base.ms * 1.5 > budget) return null;
    // Room for the second snapshot's strings, as many as the first's and some (the base's,
    // packed, are in use already); measured after a collection, without the garbage.
    const gc = typeof options.gc === 'function' ? options.gc : globalThis.gc;
    if (typeof gc === 'function') gc();
    const baseText = typeof base.stringData === 'string' ? base.stringData.length : 0;
    heapNeedRoom(baseText * 6);
    const late = () => Date.now() - started > budget;

    const snap = await heapTake();
    if (!snap || late()) return null;
    const diffStarted = Date.now();
    const result = heapCompare(base, snap, minGrowth, late, options);
    if (!result) return null;
    result.ms = { snapshot: snap.ms, diff: Date.now() - diffStarted };
    result.nodes = { before: base.n, after: snap.n };
    return result;
  } catch {
    return null;
  }
}

function heapCompare(base, snap, minGrowth, late, options) {
  const n = snap.n;

  // The ids of `base`, sorted, to tell new nodes from old.
  const baseIds = Uint32Array.from(base.id).sort();
  const maxBaseId = baseIds.length ? baseIds[baseIds.length - 1] : 0;
  const isNew = (id) => {
    if (id > maxBaseId) return true;
    let lo = 0;
    let hi = baseIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = baseIds[mid];
      if (value === id) return false;
      if (value < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return true;
  };

  // What is alive without leaklint's own snapshot copies: reachable from the root over strong
  // edges, not through a LeaklintHeapSnapshot (whose thousands of strings are new), nor through
  // the string table alone (JSON.parse interns many of those strings; the table is weak).
  const weak = snap.edgeTypes.indexOf('weak');
  const interned = snap.strings.indexOf('(Internalized strings)');
  const ours = snap.strings.indexOf('LeaklintHeapSnapshot');
  const live = new Uint8Array(n);
  const queue = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  live[0] = 1;
  queue[tail++] = 0;
  while (head < tail) {
    const i = queue[head++];
    if ((head & 0xffff) === 0 && late()) return null;
    if (snap.name[i] === interned) continue;
    for (let j = snap.firstEdge[i]; j < snap.firstEdge[i + 1]; j++) {
      if (snap.edgeType[j] === weak) continue;
      const to = snap.edgeTo[j];
      if (live[to]) continue;
      live[to] = 1;
      if (snap.name[to] === ours) continue;
      queue[tail++] = to;
    }
  }

  const retainers = heapRetainers(snap);
  if (late()) return null;

  // Count the kinds: after (live nodes of the second snapshot) and new (of those, not in base).
  // A new node counts only when the program's data holds it: not when only code (constant
  // pools, scope infos), shapes (property names) or roots do, as with the names and constants
  // of functions compiled since `base` (leaklint's own among them).
  const after = new Map();
  const fresh = new Map();
  const kindIds = new Map(); // key → its number in `kindOf`
  const kindOf = new Int32Array(n).fill(-1); // per node, its kind's number (-1: not counted)
  for (let i = 0; i < n; i++) {
    if (!live[i]) continue;
    const key = heapKindKey(snap, i);
    if (key === null) continue;
    if (isNew(snap.id[i])) {
      if (!heapHeldByData(snap, retainers, i, live, weak)) continue;
      fresh.set(key, (fresh.get(key) || 0) + 1);
    }
    let kind = kindIds.get(key);
    if (kind === undefined) kindIds.set(key, (kind = kindIds.size));
    kindOf[i] = kind;
    after.set(key, (after.get(key) || 0) + 1);
  }
  if (late()) return null;
  const before = new Map();
  for (const key of fresh.keys()) before.set(key, 0);
  for (let i = 0; i < base.n; i++) {
    const key = heapKindKey(base, i);
    if (key !== null && before.has(key)) before.set(key, before.get(key) + 1);
  }
  if (late()) return null;

  const kinds = [];
  for (const [key, count] of fresh) {
    const was = before.get(key);
    const now = after.get(key);
    if (now - was >= Math.max(1, minGrowth)) kinds.push({ key, before: was, after: now });
  }
  kinds.sort((a, b) => (b.after - b.before) - (a.after - a.before) || (a.key < b.key ? -1 : 1));
  kinds.length = Math.min(kinds.length, 5);
  if (kinds.length === 0) return { grown: [], path: [] };

  // A sample node of each kind, for its label and location.
  const sample = new Map(kinds.map((kind) => [kindIds.get(kind.key), -1]));
  for (let i = n - 1; i >= 0; i--) {
    if (sample.get(kindOf[i]) === -1 && isNew(snap.id[i])) sample.set(kindOf[i], i);
  }
  for (const kind of kinds) kind.sample = sample.get(kindIds.get(kind.key));
  const grown = kinds.map((kind) => {
    const i = kind.sample;
    const entry = { name: heapNodeLabel(snap, i), before: kind.before, after: kind.after };
    if (heapTypeOf(snap, i) === 'closure') heapAddLocation(snap, i, entry, options);
    return entry;
  });

  // The kind to explain: the most telling, then the most grown.
  let chosen = kinds[0];
  let chosenRank = -1;
  for (const kind of kinds) {
    const rank = heapKindRank(kind.key, heapNodeLabel(snap, kind.sample));
    if (rank > chosenRank) {
      chosen = kind;
      chosenRank = rank;
    }
  }
  if (late()) return { grown, path: [] };

  const target = heapPickTarget(snap, retainers, kindOf, kindIds.get(chosen.key), isNew, live);
  if (target < 0) return { grown, path: [] };
  // Rather through objects than through the engine's arrays and code, and rather to the global
  // object or a module than to a lasting handle, and to that than to the stack of the moment.
  let raw = null;
  for (const [strict, roots] of [[true, 0], [true, 1], [true, 2], [false, 0], [false, 1], [false, 2]]) {
    raw = heapRetainerPath(snap, retainers, target, live, late, strict, roots);
    if (raw || late()) break;
  }
  if (!raw) return { grown, path: [] };
  return { grown, path: heapRenderPath(snap, raw, options) };
}

/** Whether a strong reference from a live object, closure, array or native holds node `i`. */
function heapHeldByData(snap, retainers, i, live, weak) {
  for (let k = retainers.first[i]; k < retainers.first[i + 1]; k++) {
    const from = retainers.from[k];
    if (!live[from] || snap.edgeType[retainers.edge[k]] === weak) continue;
    switch (heapTypeOf(snap, from)) {
      case 'object':
      case 'closure':
      case 'array':
      case 'hidden':
      case 'native':
      case 'regexp':
        return true;
      default:
    }
  }
  return false;
}

/** The reverse edges: for each node, the edges that point at it (`first`, `edge`, `from`). */
function heapRetainers(snap) {
  const n = snap.n;
  const e = snap.e;
  const first = new Uint32Array(n + 1);
  for (let j = 0; j < e; j++) first[snap.edgeTo[j] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = first.slice(0, n);
  const edge = new Uint32Array(e);
  const from = new Uint32Array(e);
  for (let i = 0; i < n; i++) {
    for (let j = snap.firstEdge[i]; j < snap.firstEdge[i + 1]; j++) {
      const slot = fill[snap.edgeTo[j]]++;
      edge[slot] = j;
      from[slot] = i;
    }
  }
  return { first, edge, from };
}

/** Whether a path may go through node `i` as a holder (not the engine's own bookkeeping). */
function heapIsHolder(snap, i) {
  const type = heapTypeOf(snap, i);
  if (type === 'synthetic') return true;
  if (type === 'object' || type === 'closure' || type === 'regexp' || type === 'native') {
    const name = heapNameOf(snap, i);
    return name === 'system / Context' || !heapIsInternalName(name) || name === '';
  }
  // A Map's or Set's hash table is an unnamed array.
  return type === 'array' && heapNameOf(snap, i) === '';
}

/** Whether the search for a root stops at node `i`. */
function heapIsRoot(snap, i) {
  if (i === 0) return true;
  const type = heapTypeOf(snap, i);
  if (type === 'synthetic') return true;
  if (type !== 'object') return false;
  const name = heapNameOf(snap, i);
  return heapIsGlobalName(name) || name === 'Module';
}

/**
 * Roots of the moment: what the stack, the open handle scopes and the engine's own strong
 * roots (the microtask queue, the last objects its caches saw) hold while V8 snapshots.
 */
function heapIsFleetingRoot(snap, i) {
  switch (heapNameOf(snap, i)) {
    case '(Stack roots)':
    case '(Handle scope)':
    case '(Strong roots)':
    case '(Extensions)':
    case '(Relocatable)':
    case '(Thread manager)':
    case '(Debugger)':
      return true;
    default:
      return false;
  }
}

/**
 * A new node of kind `kind` held where most of that kind is held: its holder (first strong
 * retainer) is of the kind, and holds it by the edge, that hold the most of them (one array
 * holding listeners, or many objects holding each one by the same property); the last one.
 */
function heapPickTarget(snap, retainers, kindOf, kind, isNew, live) {
  const weak = snap.edgeTypes.indexOf('weak');
  const byHolder = new Map();
  let fallback = -1;
  for (let i = 0; i < snap.n; i++) {
    if (kindOf[i] !== kind || !live[i] || !isNew(snap.id[i])) continue;
    fallback = i;
    let holder = -1;
    let via = -1;
    for (let k = retainers.first[i]; k < retainers.first[i + 1]; k++) {
      const from = retainers.from[k];
      if (snap.edgeType[retainers.edge[k]] === weak || !live[from]) continue;
      if (heapTypeOf(snap, from) === 'synthetic') continue; // a handle or the stack
      if (!heapIsHolder(snap, from)) continue;
      holder = from;
      via = k;
      break;
    }
    if (holder < 0) continue;
    const how = `${snap.type[holder]}:${snap.name[holder]}:${snap.edgeType[retainers.edge[via]]}:` +
      heapEdgeLabel(snap, retainers.edge[via]).replace(/[0-9]+/g, '#');
    const entry = byHolder.get(how);
    if (entry) {
      entry.count++;
      entry.last = i;
    } else {
      byHolder.set(how, { count: 1, last: i });
    }
  }
  let best = null;
  for (const entry of byHolder.values()) if (!best || entry.count > best.count) best = entry;
  return best ? best.last : fallback;
}

/**
 * The shortest chain of strong references from a root to `target`, as `[node, edge]` pairs
 * root first (the last pair's edge -1), by a breadth-first search over the retainers. With
 * `strict`, only through holders (objects, closures, scopes, hash tables). The roots it may
 * end at: with `roots` 0, the global object or a module only; 1, also the engine's lasting
 * roots (global handles, …); 2, also the stack and the like (`heapIsFleetingRoot`). Past a
 * first engine root it goes on a few levels for the global object or a module.
 */
function heapRetainerPath(snap, retainers, target, live, late, strict, roots) {
  const weak = snap.edgeTypes.indexOf('weak');
  const synthetic = snap.nodeTypes.indexOf('synthetic');
  const n = snap.n;
  const via = new Int32Array(n).fill(-1); // the edge slot by which a node was reached
  const depth = new Uint16Array(n);
  const seen = new Uint8Array(n);
  const queue = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  queue[tail++] = target;
  seen[target] = 1;
  let found = -1;
  let foundDepth = 0;
  const maxDepth = 40;
  while (head < tail) {
    const i = queue[head++];
    if ((head & 0x3fff) === 0 && late()) return null;
    if (found >= 0 && depth[i] > foundDepth + 3) break;
    if (i !== target && heapIsRoot(snap, i)) {
      const nice = heapTypeOf(snap, i) === 'object';
      if (nice) {
        found = i;
        break;
      }
      if (found < 0) {
        found = i;
        foundDepth = depth[i];
      }
      continue;
    }
    if (depth[i] >= maxDepth) continue;
    for (let k = retainers.first[i]; k < retainers.first[i + 1]; k++) {
      const from = retainers.from[k];
      if (seen[from] || !live[from]) continue;
      if (snap.edgeType[retainers.edge[k]] === weak) continue;
      if (strict && !heapIsHolder(snap, from)) continue;
      if (snap.type[from] === synthetic) {
        if (roots === 0 || (roots === 1 && heapIsFleetingRoot(snap, from))) continue;
      }
      seen[from] = 1;
      via[from] = k;
      depth[from] = depth[i] + 1;
      queue[tail++] = from;
    }
  }
  if (found < 0) return null;
  const steps = [];
  for (let i = found; ; ) {
    const k = via[i];
    if (i === target || k < 0) {
      steps.push([i, -1]);
      break;
    }
    steps.push([i, retainers.edge[k]]);
    i = snap.edgeTo[retainers.edge[k]];
  }
  return steps;
}

/**
 * The path as the report shows it: `{ node, edge }` steps; a closure's scope folded into the
 * closure's step (its edge is the variable's name), a Map's or Set's hash table into the
 * collection's (`get("key")`, `[member]`), at most 12 steps.
 */
function heapRenderPath(snap, steps, options) {
  const out = [];
  let fold = false; // the last step's edge leads into a scope: fold the scope into it
  for (let s = 0; s < steps.length; s++) {
    const [node, edge] = steps[s];
    const type = edge >= 0 ? snap.edgeTypes[snap.edgeType[edge]] : null;
    const name = edge >= 0 ? snap.edgeName[edge] : -1;
    const intoScope = type === 'internal' &&
      (name === snap.contextString || name === snap.previousString);
    if (fold && heapIsContext(snap, node)) {
      // `closure f` → context → scope → `emitter` reads `closure f` → `emitter`.
      const last = out[out.length - 1];
      if (edge < 0) delete last.edge;
      else if (!intoScope) last.edge = heapEdgeLabel(snap, edge);
      fold = intoScope;
      continue;
    }
    const step = { node: heapNodeLabel(snap, node) };
    if (heapTypeOf(snap, node) === 'closure') heapAddLocation(snap, node, step, options);
    fold = false;
    if (edge >= 0 && heapTypeOf(snap, node) !== 'synthetic') {
      // (A root's edges are slots of V8's root lists: their numbers say nothing.)
      step.edge = heapEdgeLabel(snap, edge);
      fold = intoScope;
      if (/ part of key .* pair in WeakMap/.test(step.edge)) step.edge = 'WeakMap value';
      // A Map's or Set's table: name the entry by its key, and leave the table out.
      if (type === 'internal' && name === snap.tableString && s + 1 < steps.length &&
          steps[s + 1][1] >= 0) {
        const entry = heapCollectionEntry(snap, steps[s + 1][0], steps[s + 1][1], step.node);
        if (entry) {
          step.edge = entry;
          s++;
        }
      }
    }
    out.push(step);
  }
  if (out.length > 12) return out.slice(0, 4).concat([{ node: '…' }], out.slice(-7));
  return out;
}

/**
 * How a Map's or Set's hash table `table` holds the next node by edge `j`: `get("key")` for a
 * Map's value (the key sits in the slot before), `[member]` for a Set's member, or null.
 */
function heapCollectionEntry(snap, table, j, owner) {
  const slot = Number(heapEdgeLabel(snap, j).replace(/[[\]]/g, ''));
  if (!Number.isInteger(slot)) return null;
  if (owner === 'Set' || owner === 'WeakSet') return '[member]';
  if (owner !== 'Map') return null;
  const keySlot = String(slot - 1);
  for (let k = snap.firstEdge[table]; k < snap.firstEdge[table + 1]; k++) {
    const label = heapEdgeLabel(snap, k).replace(/[[\]]/g, '');
    if (label !== keySlot) continue;
    const key = snap.edgeTo[k];
    if (heapTypeOf(snap, key) === 'string' || heapTypeOf(snap, key).endsWith(' string')) {
      const text = heapNameOf(snap, key);
      return `get(${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)})`;
    }
    return `get(<${heapNodeLabel(snap, key)}>)`;
  }
  return 'get(…)';
}

// Exported for tests only: when this file is `require`d as a module of its own. Spliced into
// the driver, `module` is the driver's own module and the driver is `require.main`, or the
// driver defines LEAKLINT_SPLICED; either way nothing is exported.
if (typeof module !== 'undefined' && module.exports && require.main !== module &&
    typeof LEAKLINT_SPLICED === 'undefined') {
  module.exports = { heapSnapshot, heapEvidence };
}
