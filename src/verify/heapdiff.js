// leaklint's heap diff: what holds the growth, from two heap snapshots of one isolate.
//
// `heapSnapshot()` takes a snapshot (`v8.getHeapSnapshot()`, which works under Node's
// permission model where `node:inspector` does not) and keeps a compact copy of its graph;
// `heapEvidence(base, options)` takes a second one and reports the kinds of objects that grew
// since `base` and, for one new object of the most telling kind, the chain of references that
// keeps it alive, from a root down to it. The object is the one nearest to the global object
// or a module (a search forward from them, not back from an object that may sit at the far
// end of a list), and hops by one edge through one kind are one step: Node's EventTarget
// keeps its listeners in a linked list, and the path to a new one reads
// `global` `document` → `EventTarget` `<symbol kEvents>` → `Map` `get("keydown")` →
// `Object` `next` → `Listener` `next ×100` → `Listener` `listener` → `closure (anonymous)`.
// For an EventEmitter:
//
//   { grown: [{ name: 'closure (anonymous)', before: 0, after: 2000,
//               line: 6, column: 22, script: 82, file: '/tmp/…/prog.js' }],
//     path: [{ node: 'module prog.js', edge: 'exports' }, { node: 'Object', edge: 'step' },
//            { node: 'closure subscribe', line: 5, …, edge: 'emitter' },
//            { node: 'EventEmitter', edge: '_events' }, { node: 'Object', edge: 'data' },
//            { node: 'Array', edge: '[0]' }, { node: 'closure (anonymous)', line: 6, … }],
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
 * sections (`nodes`, `edges`, `locations`) are scanned byte by byte straight into the compact
 * form's typed arrays, the header and `strings` go to JSON.parse. Null when the text is not
 * laid out as V8 writes it (the caller then parses it all).
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
  const snap = heapCompactHeader(header.snapshot);
  if (!snap) return null;
  const n = Number(header.snapshot.node_count);
  const e = Number(header.snapshot.edge_count);
  if (!(n >= 1 && e >= 0 && n <= 0x7fffffff / snap.nodeWidth)) return null;
  heapCompactArrays(snap, n, e);
  // Scanned through a plain Uint8Array view, which V8 reads faster than a Buffer.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  let end = heapScanNodes(bytes, nodesAt, snap);
  if (end < 0) return null;
  const edgesAt = at('"edges":[', end);
  if (edgesAt < 0) return null;
  end = heapScanEdges(bytes, edgesAt, snap);
  if (end < 0) return null;
  const locationsAt = at('"locations":[', end);
  if (locationsAt >= 0) {
    end = heapScanLocations(bytes, locationsAt, snap);
    if (end < 0) return null;
  } else {
    heapNoLocations(snap);
  }
  const stringsAt = at('"strings":[', end);
  if (stringsAt < 0) return null;
  const last = buffer.lastIndexOf(93); // the strings' closing ]
  if (last < stringsAt - 1) return null;
  // The strings' text and the strings parsed (some 3 bytes a byte of JSON: short strings have
  // a 16-byte header and an 8-byte slot), and packed: some 5 times their JSON in the heap.
  heapNeedRoom((last - stringsAt) * 5);
  const strings = JSON.parse(buffer.toString('utf8', stringsAt - 1, last + 1));
  if (!Array.isArray(strings)) return null;
  return heapCompactStrings(snap, strings);
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

// The scanners below read comma-separated unsigned integers (V8 puts a newline before each
// node's first) from `k`, a row of `width` at a time, up to the closing `]`; each returns the
// offset after the `]`, or -1 when the text is anything else or the count is not the header's.
// One loop each, with the fields written where they go: no array of all the numbers, no copy.

/** Scans `nodes` into `snap.type`, `name`, `id`, `size` and `firstEdge`. */
function heapScanNodes(bytes, k, snap) {
  const { n, e, nodeWidth: width, fType, fName, fId, fSize, fEdges } = snap;
  const type = snap.type;
  const name = snap.name;
  const id = snap.id;
  const size = snap.size;
  const firstEdge = snap.firstEdge;
  let edge = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < width; f++) {
      c = bytes[k];
      while (c === 44 || c === 10 || c === 13 || c === 32) c = bytes[++k];
      if (!(c >= 48 && c <= 57)) return -1;
      let value = c - 48;
      for (c = bytes[++k]; c >= 48 && c <= 57; c = bytes[++k]) value = value * 10 + (c - 48);
      if (f === fType) type[i] = value;
      else if (f === fName) name[i] = value;
      else if (f === fId) id[i] = value;
      else if (f === fSize) size[i] = value > 0xffffffff ? 0xffffffff : value;
      else if (f === fEdges) {
        firstEdge[i] = edge;
        edge += value;
      }
    }
  }
  if (edge !== e) return -1;
  firstEdge[n] = e;
  return heapScanClose(bytes, k);
}

/** Scans `edges` into `snap.edgeType`, `edgeName` and `edgeTo` (a node's ordinal). */
function heapScanEdges(bytes, k, snap) {
  const { e, n, nodeWidth, edgeWidth: width, eType, eName, eTo } = snap;
  const edgeType = snap.edgeType;
  const edgeName = snap.edgeName;
  const edgeTo = snap.edgeTo;
  let c = 0;
  for (let j = 0; j < e; j++) {
    for (let f = 0; f < width; f++) {
      c = bytes[k];
      while (c === 44 || c === 10 || c === 13 || c === 32) c = bytes[++k];
      if (!(c >= 48 && c <= 57)) return -1;
      let value = c - 48;
      for (c = bytes[++k]; c >= 48 && c <= 57; c = bytes[++k]) value = value * 10 + (c - 48);
      if (f === eType) edgeType[j] = value;
      else if (f === eName) edgeName[j] = value > 0xffffffff ? 0xffffffff : value;
      else if (f === eTo) {
        const to = value / nodeWidth;
        if (!(to < n) || to !== Math.floor(to)) return -1;
        edgeTo[j] = to;
      }
    }
  }
  return heapScanClose(bytes, k);
}

/**
 * Scans `locations` (rows of `location_fields`, as many as there are, which the header does
 * not say: at most one a 2 bytes of each field) into `snap.locNode`, `locScript`, `locLine`
 * and `locColumn`.
 */
function heapScanLocations(bytes, k, snap) {
  const close = bytes.indexOf(93, k);
  if (close < 0) return -1;
  const { lWidth: width, lNode, lScript, lLine, lColumn, nodeWidth } = snap;
  if (lScript < 0 || lLine < 0) {
    heapNoLocations(snap);
    return close + 1;
  }
  const most = Math.ceil((close - k) / (2 * width)) + 1;
  const locNode = new Uint32Array(most);
  const locScript = new Int32Array(most);
  const locLine = new Int32Array(most);
  const locColumn = new Int32Array(most);
  let rows = 0;
  let c = 0;
  for (;; rows++) {
    c = bytes[k];
    while (c === 44 || c === 10 || c === 13 || c === 32) c = bytes[++k];
    if (c === 93) break;
    if (rows >= most) return -1;
    for (let f = 0; f < width; f++) {
      if (f > 0) {
        c = bytes[k];
        while (c === 44 || c === 10 || c === 13 || c === 32) c = bytes[++k];
      }
      if (!(c >= 48 && c <= 57)) return -1;
      let value = c - 48;
      for (c = bytes[++k]; c >= 48 && c <= 57; c = bytes[++k]) value = value * 10 + (c - 48);
      if (f === lNode) locNode[rows] = value / nodeWidth;
      else if (f === lScript) locScript[rows] = value;
      else if (f === lLine) locLine[rows] = value;
      else if (f === lColumn) locColumn[rows] = value;
    }
  }
  snap.locNode = locNode.slice(0, rows);
  snap.locScript = locScript.slice(0, rows);
  snap.locLine = locLine.slice(0, rows);
  snap.locColumn = locColumn.slice(0, rows);
  return k + 1;
}

/** The offset after the `]` at `k` (separators before it aside), or -1. */
function heapScanClose(bytes, k) {
  let c = bytes[k];
  while (c === 44 || c === 10 || c === 13 || c === 32) c = bytes[++k];
  return c === 93 ? k + 1 : -1;
}

/**
 * A LeaklintHeapSnapshot with what the header says (the fields' places, the types' names), its
 * arrays not yet made; null when the header is not the format expected.
 */
function heapCompactHeader(header) {
  const meta = header && header.meta;
  if (!meta || !Array.isArray(meta.node_fields) || !Array.isArray(meta.edge_fields)) return null;
  const nodeFields = meta.node_fields;
  const edgeFields = meta.edge_fields;
  const snap = new LeaklintHeapSnapshot();
  snap.nodeWidth = nodeFields.length;
  snap.edgeWidth = edgeFields.length;
  snap.fType = nodeFields.indexOf('type');
  snap.fName = nodeFields.indexOf('name');
  snap.fId = nodeFields.indexOf('id');
  snap.fSize = nodeFields.indexOf('self_size');
  snap.fEdges = nodeFields.indexOf('edge_count');
  snap.eType = edgeFields.indexOf('type');
  snap.eName = edgeFields.indexOf('name_or_index');
  snap.eTo = edgeFields.indexOf('to_node');
  if (Math.min(snap.fType, snap.fName, snap.fId, snap.fSize, snap.fEdges,
    snap.eType, snap.eName, snap.eTo) < 0) return null;
  snap.nodeTypes = meta.node_types && meta.node_types[snap.fType];
  snap.edgeTypes = meta.edge_types && meta.edge_types[snap.eType];
  if (!Array.isArray(snap.nodeTypes) || !Array.isArray(snap.edgeTypes)) return null;
  // Closures' locations: [node offset, script id, line, column], 0-based.
  const locationFields = Array.isArray(meta.location_fields) ? meta.location_fields : [];
  snap.lWidth = locationFields.length || 4;
  snap.lNode = Math.max(0, locationFields.indexOf('object_index'));
  snap.lScript = locationFields.indexOf('script_id');
  snap.lLine = locationFields.indexOf('line');
  snap.lColumn = locationFields.indexOf('column');
  return snap;
}

/** Makes `snap`'s arrays for `n` nodes and `e` edges. */
function heapCompactArrays(snap, n, e) {
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
}

function heapNoLocations(snap) {
  snap.locNode = new Uint32Array(0);
  snap.locScript = new Int32Array(0);
  snap.locLine = new Int32Array(0);
  snap.locColumn = new Int32Array(0);
}

/** Adds the strings, and the indices of the few the diff compares names against. */
function heapCompactStrings(snap, strings) {
  snap.strings = strings;
  snap.sharedString = strings.indexOf('shared');
  snap.contextString = strings.indexOf('context');
  snap.previousString = strings.indexOf('previous');
  snap.tableString = strings.indexOf('table');
  return snap;
}

/** The compact form of a snapshot parsed all at once, or null when it is not as expected. */
function heapCompact(raw) {
  const snap = raw && heapCompactHeader(raw.snapshot);
  if (!snap || !raw.nodes || !raw.edges || !Array.isArray(raw.strings)) return null;
  const { nodeWidth, edgeWidth, fType, fName, fId, fSize, fEdges, eType, eName, eTo } = snap;
  const nodes = raw.nodes;
  const edges = raw.edges;
  const n = Math.floor(nodes.length / nodeWidth);
  const e = Math.floor(edges.length / edgeWidth);
  heapCompactArrays(snap, n, e);
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
  const { lWidth, lNode, lScript, lLine, lColumn } = snap;
  const locations = Array.isArray(raw.locations) ? raw.locations : [];
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
  return heapCompactStrings(snap, raw.strings);
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
 * Per node of `snap`, the number of its kind in `table` (`{ ids: key → number, keys }`), or
 * -1 for what is not reported; with `add`, kinds not yet in the table are added, else such
 * nodes are -1 too; with `live`, only the nodes it marks are looked at. A kind's key:
 * closures by function (their shared info's id, stable between snapshots), objects by
 * constructor name, strings together; hidden, code, synthetic, number, sliced and
 * concatenated strings, shapes and the engine's `(…)` and `system / …` objects are left out.
 * A name is judged once, not once a node.
 */
function heapKinds(snap, table, add, live) {
  const n = snap.n;
  const types = snap.nodeTypes;
  const kindOf = new Int32Array(n).fill(-1);
  const kindFor = (key) => {
    let kind = table.ids.get(key);
    if (kind === undefined) {
      if (!add) return -1;
      kind = table.keys.length;
      table.ids.set(key, kind);
      table.keys.push(key);
    }
    return kind;
  };
  const closure = types.indexOf('closure');
  const internal = snap.edgeTypes.indexOf('internal');
  const sharedName = snap.sharedString; // a closure's edge to its shared info
  const named = new Uint8Array(types.length); // by constructor name
  for (const type of ['object', 'native']) {
    if (types.indexOf(type) >= 0) named[types.indexOf(type)] = 1;
  }
  // The kinds that are one each type: strings, regular expressions, symbols, bigints.
  const byType = new Int32Array(types.length).fill(-1);
  for (const [type, key] of [['string', '\u0002string'], ['regexp', 'RegExp'],
    ['symbol', '\u0002symbol'], ['bigint', '\u0002bigint']]) {
    if (types.indexOf(type) >= 0) byType[types.indexOf(type)] = kindFor(key);
  }
  const names = snap.strings ? snap.strings.length : snap.stringEnd.length;
  const byName = new Int32Array(names).fill(-2); // a name's string index → its kind (-2: not yet)
  const byShared = new Map(); // a closure's shared info's id → its kind
  for (let i = 0; i < n; i++) {
    if (live && !live[i]) continue;
    const type = snap.type[i];
    if (named[type]) {
      const k = snap.name[i];
      let kind = k < names ? byName[k] : -1;
      if (kind === -2) {
        const name = heapString(snap, k);
        kind = typeof name !== 'string' || heapIsInternalName(name) ||
          name === 'LeaklintHeapSnapshot' ? -1 : kindFor(name);
        byName[k] = kind;
      }
      kindOf[i] = kind;
    } else if (type === closure) {
      let shared = -1;
      for (let j = snap.firstEdge[i]; j < snap.firstEdge[i + 1]; j++) {
        if (snap.edgeName[j] === sharedName && snap.edgeType[j] === internal) {
          shared = snap.edgeTo[j];
          break;
        }
      }
      if (shared < 0) {
        kindOf[i] = kindFor(`\u0001${heapNameOf(snap, i)}`);
        continue;
      }
      const id = snap.id[shared];
      let kind = byShared.get(id);
      if (kind === undefined) byShared.set(id, (kind = kindFor(`\u0001${id}`)));
      kindOf[i] = kind;
    } else {
      kindOf[i] = byType[type];
    }
  }
  return kindOf;
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
 * then checked as it goes). `options.gc`: the collector to run first when the heap looks
 * short of room (default `globalThis.gc`, when there is one), for a caller that took it
 * before the code under test could replace it. (V8 collects before it snapshots anyway.)
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
    // packed, are in use already); when short, measured again after a collection, without
    // the garbage (a collection costs some 5–10 ms, which V8 spends again as it snapshots).
    const gc = typeof options.gc === 'function' ? options.gc : globalThis.gc;
    const baseText = typeof base.stringData === 'string' ? base.stringData.length : 0;
    if (typeof gc === 'function' && heapRoom() < baseText * 6 + 8 * 1024 * 1024) gc();
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
  const weak = snap.edgeTypes.indexOf('weak');

  // Which nodes are new: their ids are not among `base`'s (sorted, for a binary search).
  const baseIds = Uint32Array.from(base.id).sort();
  const maxBaseId = baseIds.length ? baseIds[baseIds.length - 1] : 0;
  const isNew = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const id = snap.id[i];
    let fresh = 1;
    if (id <= maxBaseId) {
      let lo = 0;
      let hi = baseIds.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const value = baseIds[mid];
        if (value === id) {
          fresh = 0;
          break;
        }
        if (value < id) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    isNew[i] = fresh;
  }

  // What each node is to a path (a holder, a root, …), judged by its type and name.
  const interned = snap.strings.indexOf('(Internalized strings)');
  const ours = snap.strings.indexOf('LeaklintHeapSnapshot');
  const graph = heapGraphRoles(snap, ours, interned);
  const pass = graph.pass;
  const root = graph.root;
  const data = new Uint8Array(snap.nodeTypes.length); // the types of the program's data
  for (const type of ['object', 'closure', 'array', 'hidden', 'native', 'regexp']) {
    if (snap.nodeTypes.indexOf(type) >= 0) data[snap.nodeTypes.indexOf(type)] = 1;
  }

  // One pass over the graph, from the root over strong edges. `live`: what is alive without
  // leaklint's own snapshot copies: not through a LeaklintHeapSnapshot (whose thousands of
  // strings are new), nor through the string table alone (JSON.parse interns many of those
  // strings; the table is weak). `held`: what the program's data holds (a strong reference
  // from a live object, closure, array or native), not only code (constant pools, scope
  // infos), shapes (property names) or roots, as with the names and constants of functions
  // compiled since `base` (leaklint's own among them). `holderVia` and `holderOf`: a node's
  // first holder (a holder, the global object or a module) and the edge from it.
  const live = new Uint8Array(n);
  const held = new Uint8Array(n);
  const holderVia = new Int32Array(n).fill(-1);
  const holderOf = new Int32Array(n);
  const queue = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  live[0] = 1;
  queue[tail++] = 0;
  while (head < tail) {
    const i = queue[head++];
    if ((head & 0xffff) === 0 && late()) return null;
    if (snap.name[i] === interned) continue;
    const isData = data[snap.type[i]] === 1;
    const isHolder = pass[i] === 1 || root[i] === 1;
    for (let j = snap.firstEdge[i]; j < snap.firstEdge[i + 1]; j++) {
      if (snap.edgeType[j] === weak) continue;
      const to = snap.edgeTo[j];
      if (isData) held[to] = 1;
      if (isHolder && holderVia[to] < 0) {
        holderVia[to] = j;
        holderOf[to] = i;
      }
      if (live[to]) continue;
      live[to] = 1;
      if (snap.name[to] === ours) continue;
      queue[tail++] = to;
    }
  }
  if (late()) return null;

  // Count the kinds: after (live nodes of the second snapshot) and new (of those, not in base,
  // and held by the program's data).
  const kindTable = { ids: new Map(), keys: [] };
  const kindOf = heapKinds(snap, kindTable, true, live); // per node, its kind's number
  const count = kindTable.keys.length;
  const after = new Int32Array(count);
  const fresh = new Int32Array(count);
  for (let i = 0; i < n; i++) {
    const kind = kindOf[i];
    if (kind < 0) continue;
    if (isNew[i]) {
      if (!held[i]) {
        kindOf[i] = -1; // not counted
        continue;
      }
      fresh[kind]++;
    }
    after[kind]++;
  }
  if (late()) return null;
  const before = new Int32Array(count);
  const baseKinds = heapKinds(base, kindTable, false, null);
  for (let i = 0; i < base.n; i++) if (baseKinds[i] >= 0) before[baseKinds[i]]++;
  if (late()) return null;

  const kinds = [];
  for (let kind = 0; kind < count; kind++) {
    if (fresh[kind] === 0) continue;
    if (after[kind] - before[kind] >= Math.max(1, minGrowth)) {
      kinds.push({ key: kindTable.keys[kind], kind, before: before[kind], after: after[kind] });
    }
  }
  kinds.sort((a, b) => (b.after - b.before) - (a.after - a.before) || (a.key < b.key ? -1 : 1));
  kinds.length = Math.min(kinds.length, 5);
  if (kinds.length === 0) return { grown: [], path: [] };

  // A sample node of each kind, for its label and location.
  const sample = new Int32Array(count).fill(-2); // -2: not wanted, -1: not found yet
  for (const kind of kinds) sample[kind.kind] = -1;
  for (let i = n - 1; i >= 0; i--) {
    const kind = kindOf[i];
    if (kind >= 0 && sample[kind] === -1 && isNew[i]) sample[kind] = i;
  }
  for (const kind of kinds) kind.sample = sample[kind.kind];
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

  const holders = { via: holderVia, of: holderOf };
  const targets = heapPickTargets(snap, holders, kindOf, chosen.kind, isNew, live);
  if (!targets) return { grown, path: [] };
  // Rather through objects than through the engine's arrays and code, and rather from the
  // global object or a module than from a lasting handle, and from that than from the stack
  // of the moment.
  let raw = null;
  for (const [strict, roots] of [[true, 0], [true, 1], [true, 2], [false, 0], [false, 1], [false, 2]]) {
    raw = heapForwardPath(snap, graph, live, targets, late, strict, roots, weak);
    if (raw || late()) break;
  }
  if (!raw) return { grown, path: [] };
  return { grown, path: heapRenderPath(snap, raw, options) };
}

/**
 * What each node is to the search for a path: `pass`, 1 for a holder (objects, closures,
 * scopes, the hash tables of Maps and Sets: not the engine's own bookkeeping), 2 for what a
 * path may go through only when not strict, 0 for what it never goes through (roots,
 * leaklint's snapshot copies, the string table); `root`, 1 for the global object or a module,
 * 2 for the engine's lasting roots (global handles, …), 3 for the roots of the moment
 * (`heapIsFleetingRoot`). Names are judged once each, not once a node.
 */
function heapGraphRoles(snap, ours, interned) {
  const n = snap.n;
  const object = snap.nodeTypes.indexOf('object');
  const synthetic = snap.nodeTypes.indexOf('synthetic');
  const array = snap.nodeTypes.indexOf('array');
  const named = new Uint8Array(snap.nodeTypes.length); // judged by name: holders if not internal
  for (const type of ['object', 'closure', 'regexp', 'native']) {
    const t = snap.nodeTypes.indexOf(type);
    if (t >= 0) named[t] = 1;
  }
  const strings = snap.strings;
  // Per string index: 1 a name a holder may have, 2 not, 0 not judged yet.
  const nameRole = new Uint8Array(strings.length);
  const objectRoot = new Uint8Array(strings.length); // 1 a root's name, 2 not, 0 not judged
  const pass = new Uint8Array(n);
  const root = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const type = snap.type[i];
    const k = snap.name[i];
    if (type === synthetic) {
      root[i] = heapIsFleetingRoot(snap, i) ? 3 : 2;
      continue;
    }
    if (k === ours || k === interned) continue;
    if (type === object) {
      if (objectRoot[k] === 0) {
        const name = strings[k];
        objectRoot[k] = heapIsGlobalName(name) || name === 'Module' ? 1 : 2;
      }
      if (objectRoot[k] === 1) {
        root[i] = 1;
        continue;
      }
    }
    let holder = false;
    if (named[type]) {
      if (nameRole[k] === 0) {
        const name = strings[k];
        const holds = name === 'system / Context' || name === '' || !heapIsInternalName(name);
        nameRole[k] = holds ? 1 : 2;
      }
      holder = nameRole[k] === 1;
    } else if (type === array) {
      holder = k < strings.length && strings[k] === ''; // a Map's or Set's hash table
    }
    pass[i] = holder ? 1 : 2;
  }
  return { pass, root };
}

/**
 * Whether node `i` is one of the engine's roots of the moment: what the stack, the open handle
 * scopes and the engine's own strong roots (the microtask queue, the last objects its caches
 * saw) hold while V8 snapshots.
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
 * The new nodes of kind `kind` held where most of that kind is held (Uint8Array, 1 for each),
 * or null when there is none: their holder (first strong retainer that is a holder, in
 * `holders`: `via`, the edge, and `of`, the node) is of the kind, and holds them by the edge,
 * that hold the most of them (one array holding listeners, a `Listener` each by its
 * `listener`, many objects each one by the same property). Held nowhere in particular, all the
 * new nodes of the kind.
 */
function heapPickTargets(snap, holders, kindOf, kind, isNew, live) {
  const n = snap.n;
  const via = holders.via;
  const from = holders.of;
  let any = false;
  // How a holder holds: its type and name, and the edge's type and name, numbers aside (an
  // element's index, the 7 of `user:7`). An edge's name is judged once.
  const groups = new Map();
  const groupOf = new Int32Array(n).fill(-1);
  const shapes = new Map(); // an edge name's string index → the name without its numbers
  const element = snap.edgeTypes.indexOf('element');
  const hidden = snap.edgeTypes.indexOf('hidden');
  for (let i = 0; i < n; i++) {
    if (kindOf[i] !== kind || isNew[i] !== 1 || live[i] !== 1) continue;
    any = true;
    const j = via[i];
    if (j < 0) continue;
    const holder = from[i];
    let shape = '#';
    if (snap.edgeType[j] !== element && snap.edgeType[j] !== hidden) {
      shape = shapes.get(snap.edgeName[j]);
      if (shape === undefined) {
        shape = heapEdgeLabel(snap, j).replace(/[0-9]+/g, '#');
        shapes.set(snap.edgeName[j], shape);
      }
    }
    const how = `${snap.type[holder]}:${snap.name[holder]}:${snap.edgeType[j]}:${shape}`;
    let group = groups.get(how);
    if (!group) groups.set(how, (group = { id: groups.size, count: 0 }));
    group.count++;
    groupOf[i] = group.id;
  }
  if (!any) return null;
  let best = null;
  for (const group of groups.values()) if (!best || group.count > best.count) best = group;
  const targets = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (best ? groupOf[i] === best.id : kindOf[i] === kind && isNew[i] === 1 && live[i] === 1) {
      targets[i] = 1;
    }
  }
  return targets;
}

/**
 * The shortest chain of strong references from a root to one of `targets`, as `[node, edge]`
 * pairs root first (the last pair's edge -1), or null: a breadth-first search forward from
 * the roots, so that the target is the one nearest to a root (the first listener of a long
 * list, not the last). With `strict`, only through holders (`graph.pass` 1). The roots it may
 * start from: with `roots` 0, the global object and the modules; 1, also the engine's lasting
 * roots; 2, also the stack and the like. A path never goes through another root.
 */
function heapForwardPath(snap, graph, live, targets, late, strict, roots, weak) {
  const n = snap.n;
  const { pass, root } = graph;
  const most = roots === 0 ? 1 : roots === 1 ? 2 : 3;
  // The edge by which a node was reached: -1 not yet, -2 a root it starts from.
  const via = new Int32Array(n).fill(-1);
  const queue = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (root[i] !== 0 && root[i] <= most && live[i]) {
      via[i] = -2;
      queue[tail++] = i;
    }
  }
  const through = strict ? 1 : 2;
  let found = -1;
  while (head < tail && found < 0) {
    const i = queue[head++];
    if ((head & 0x3fff) === 0 && late()) return null;
    for (let j = snap.firstEdge[i]; j < snap.firstEdge[i + 1]; j++) {
      const to = snap.edgeTo[j];
      if (via[to] !== -1 || snap.edgeType[j] === weak) continue;
      if (targets[to]) {
        via[to] = j;
        found = to;
        break;
      }
      const role = pass[to];
      if (role === 0 || role > through) continue;
      via[to] = j;
      queue[tail++] = to;
    }
  }
  if (found < 0) return null;
  const steps = [[found, -1]];
  for (let i = found; via[i] >= 0; ) {
    const from = heapEdgeSource(snap, via[i]);
    steps.push([from, via[i]]);
    i = from;
  }
  return steps.reverse();
}

/** The node whose edge `j` is (a binary search of the nodes' first edges). */
function heapEdgeSource(snap, j) {
  let lo = 0;
  let hi = snap.n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (snap.firstEdge[mid] <= j) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The path as the report shows it: `{ node, edge }` steps; a closure's scope folded into the
 * closure's step (its edge is the variable's name), a Map's or Set's hash table into the
 * collection's (`get("key")`, `[member]`), hops by the same edge through the same kind (a
 * linked list's) into one step (`{ node: 'Listener', edge: 'next ×1499' }`), at most 12 steps.
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
  const folded = heapFoldRepeats(out);
  if (folded.length > 12) return folded.slice(0, 4).concat([{ node: '…' }], folded.slice(-7));
  return folded;
}

/**
 * Folds runs of steps alike (the same node label and location, on by the same edge) into one
 * whose edge says how many hops: `Listener` `next` a thousand times reads `next ×1000`.
 */
function heapFoldRepeats(steps) {
  const out = [];
  let run = 1;
  const same = (a, b) => a.edge !== undefined && a.edge === b.edge && a.node === b.node &&
    a.line === b.line && a.column === b.column && a.file === b.file;
  for (const step of steps) {
    const last = out[out.length - 1];
    if (last && same(last, step)) {
      run++;
      continue;
    }
    if (run > 1) last.edge = `${last.edge} ×${run}`;
    run = 1;
    out.push(step);
  }
  if (run > 1) out[out.length - 1].edge = `${out[out.length - 1].edge} ×${run}`;
  return out;
}

/**
 * How a Map's or Set's hash table `table` holds the next node by edge `j`: `get("key")` for a
 * Map's value (the key sits in the slot before), `[member]` for a Set's member, or null.
 */
function heapCollectionEntry(snap, table, j, owner) {
  const slot = Number(heapEdgeLabel(snap, j).replace(/[[\]]/g, ''));
  if (!Number.isInteger(slot)) return null;
  // (Node's own code keeps its maps and sets in SafeMap and SafeSet, subclasses of Map and Set.)
  if (owner === 'Set' || owner === 'WeakSet' || owner === 'SafeSet') return '[member]';
  if (owner !== 'Map' && owner !== 'SafeMap') return null;
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
