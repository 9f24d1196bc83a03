// leaklint's built-in browser environment, for browser code when the project has neither
// happy-dom nor jsdom: the driver calls `installBuiltInBrowser()` before the module loads.
// It is a small DOM, enough for classic scripts, UMD bundles and jQuery-style plugins to load
// and run: `window === globalThis`, a `document` of elements, events on Node's own
// `EventTarget` (whose listeners the driver counts), timers, `requestAnimationFrame`, observers
// that keep what they observe, storage, `location`, `history`, `navigator`, `customElements`,
// and a minimal `$`/`jQuery` when the code reads one. Everything here is plain objects of the
// module's own realm, made of closures that hold nothing of the driver's: a DOM object gives the
// code nothing it could not reach already.

function installBuiltInBrowser(options) {
  const g = globalThis;
  const labels = new WeakMap(); // an event target → how the report names it

  // ---- nodes and elements ---------------------------------------------------------------

  class DomNode extends EventTarget {
    constructor() {
      super();
      this.childNodes = [];
      this.parentNode = null;
      this.ownerDocument = null;
    }
    get parentElement() {
      return this.parentNode instanceof Element ? this.parentNode : null;
    }
    get children() {
      return this.childNodes.filter((n) => n instanceof Element);
    }
    get firstChild() {
      return this.childNodes[0] || null;
    }
    get lastChild() {
      return this.childNodes[this.childNodes.length - 1] || null;
    }
    get firstElementChild() {
      return this.children[0] || null;
    }
    get isConnected() {
      let n = this;
      while (n.parentNode) n = n.parentNode;
      return n === document;
    }
    appendChild(child) {
      return this.insertBefore(child, null);
    }
    insertBefore(child, before) {
      if (!(child instanceof DomNode)) throw new TypeError('appendChild: the argument is not a Node');
      if (child.parentNode) child.parentNode.removeChild(child);
      const at = before ? this.childNodes.indexOf(before) : -1;
      if (at < 0) this.childNodes.push(child);
      else this.childNodes.splice(at, 0, child);
      child.parentNode = this;
      if (child.isConnected) connected(child, 'connectedCallback');
      return child;
    }
    removeChild(child) {
      const at = this.childNodes.indexOf(child);
      if (at < 0) throw new Error('removeChild: the node is not a child of this node');
      const wasConnected = child.isConnected;
      this.childNodes.splice(at, 1);
      child.parentNode = null;
      if (wasConnected) connected(child, 'disconnectedCallback');
      return child;
    }
    replaceChild(next, old) {
      this.insertBefore(next, old);
      return this.removeChild(old);
    }
    append(...nodes) {
      for (const n of nodes) this.appendChild(typeof n === 'string' ? new Text(n) : n);
    }
    prepend(...nodes) {
      for (const n of nodes.reverse()) this.insertBefore(typeof n === 'string' ? new Text(n) : n, this.firstChild);
    }
    remove() {
      if (this.parentNode) this.parentNode.removeChild(this);
    }
    contains(other) {
      for (let n = other; n; n = n.parentNode) if (n === this) return true;
      return false;
    }
    get textContent() {
      return this.childNodes.map((n) => n.textContent).join('');
    }
    set textContent(text) {
      this.childNodes.length = 0;
      if (text !== '' && text != null) this.appendChild(new Text(String(text)));
    }
    querySelectorAll(selector) {
      const found = [];
      const test = matcher(selector);
      (function walk(node) {
        for (const child of node.childNodes) {
          if (child instanceof Element) {
            if (test(child)) found.push(child);
            walk(child);
          }
        }
      })(this);
      return found;
    }
    querySelector(selector) {
      return this.querySelectorAll(selector)[0] || null;
    }
    getElementsByClassName(names) {
      return this.querySelectorAll(String(names).trim().split(/\s+/).map((n) => `.${n}`).join(''));
    }
    getElementsByTagName(tag) {
      return this.querySelectorAll(tag);
    }
  }

  // A custom element's lifecycle, as a browser runs it when it enters or leaves the document.
  function connected(node, callback) {
    if (node instanceof Element && typeof node[callback] === 'function') node[callback]();
    for (const child of [...node.childNodes]) connected(child, callback);
  }

  class Text extends DomNode {
    constructor(data) {
      super();
      this.data = String(data);
      this.nodeType = 3;
    }
    get textContent() {
      return this.data;
    }
    set textContent(text) {
      this.data = String(text);
    }
  }

  class ClassList {
    constructor(element) {
      this.element = element;
    }
    get names() {
      return (this.element.getAttribute('class') || '').split(/\s+/).filter(Boolean);
    }
    write(names) {
      this.element.setAttribute('class', [...new Set(names)].join(' '));
    }
    get length() {
      return this.names.length;
    }
    add(...names) {
      this.write([...this.names, ...names]);
    }
    remove(...names) {
      this.write(this.names.filter((n) => !names.includes(n)));
    }
    contains(name) {
      return this.names.includes(name);
    }
    toggle(name, force) {
      const on = force === undefined ? !this.contains(name) : Boolean(force);
      if (on) this.add(name);
      else this.remove(name);
      return on;
    }
    replace(old, next) {
      if (!this.contains(old)) return false;
      this.write(this.names.map((n) => (n === old ? next : n)));
      return true;
    }
    toString() {
      return this.names.join(' ');
    }
  }

  const definitions = new Map(); // custom element name → class
  const tagOf = new WeakMap(); // custom element class → name

  class Element extends DomNode {
    constructor(tagName) {
      super();
      const tag = tagName || tagOf.get(new.target) || 'div';
      this.tagName = String(tag).toUpperCase();
      this.localName = String(tag).toLowerCase();
      this.nodeType = 1;
      this.attributes = new Map();
      this.classList = new ClassList(this);
      this.style = { setProperty() {}, removeProperty() {}, getPropertyValue: () => '' };
      this.dataset = {};
      this.ownerDocument = g.document || null;
      this.shadowRoot = null;
      this.scrollTop = 0;
      this.scrollLeft = 0;
    }
    get nodeName() {
      return this.tagName;
    }
    get id() {
      return this.getAttribute('id') || '';
    }
    set id(value) {
      this.setAttribute('id', value);
    }
    get className() {
      return this.getAttribute('class') || '';
    }
    set className(value) {
      this.setAttribute('class', value);
    }
    getAttribute(name) {
      const value = this.attributes.get(String(name).toLowerCase());
      return value === undefined ? null : value;
    }
    setAttribute(name, value) {
      this.attributes.set(String(name).toLowerCase(), String(value));
    }
    removeAttribute(name) {
      this.attributes.delete(String(name).toLowerCase());
    }
    hasAttribute(name) {
      return this.attributes.has(String(name).toLowerCase());
    }
    toggleAttribute(name, force) {
      const on = force === undefined ? !this.hasAttribute(name) : Boolean(force);
      if (on) this.setAttribute(name, '');
      else this.removeAttribute(name);
      return on;
    }
    get innerHTML() {
      return this.textContent;
    }
    set innerHTML(html) {
      // No parser: the markup is kept as text, and the children it replaces are gone.
      this.textContent = String(html).replace(/<[^>]*>/g, '');
    }
    get outerHTML() {
      return `<${this.localName}>${this.innerHTML}</${this.localName}>`;
    }
    matches(selector) {
      return matcher(selector)(this);
    }
    closest(selector) {
      const test = matcher(selector);
      for (let n = this; n instanceof Element; n = n.parentNode) if (test(n)) return n;
      return null;
    }
    attachShadow() {
      this.shadowRoot = new DocumentFragment();
      return this.shadowRoot;
    }
    cloneNode(deep) {
      const copy = g.document.createElement(this.localName);
      for (const [k, v] of this.attributes) copy.attributes.set(k, v);
      if (deep) for (const child of this.childNodes) copy.appendChild(child.cloneNode ? child.cloneNode(true) : new Text(child.textContent));
      return copy;
    }
    getBoundingClientRect() {
      return { x: 0, y: 0, top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0 };
    }
    get offsetWidth() {
      return 0;
    }
    get offsetHeight() {
      return 0;
    }
    get clientWidth() {
      return 0;
    }
    get clientHeight() {
      return 0;
    }
    get scrollHeight() {
      return 0;
    }
    focus() {}
    blur() {}
    scrollIntoView() {}
    click() {
      this.dispatchEvent(new g.MouseEvent('click'));
    }
  }

  class DocumentFragment extends DomNode {}

  // Selectors: lists (`a, b`), descendants (`a b`), children (`a > b`) of compounds made of a
  // tag, `#id`, `.class`, `[attr]` and `[attr=value]`. Enough for the code's own lookups.
  function matcher(selectorText) {
    const alternatives = String(selectorText).split(',').map((s) => s.trim()).filter(Boolean);
    const chains = alternatives.map((s) => s.replace(/\s*>\s*/g, ' > ').split(/\s+/));
    return (element) => chains.some((chain) => matchChain(element, chain, chain.length - 1));
  }

  function matchChain(element, chain, at) {
    if (!compound(chain[at])(element)) return false;
    if (at === 0) return true;
    if (chain[at - 1] === '>') {
      const parent = element.parentNode;
      return parent instanceof Element && matchChain(parent, chain, at - 2);
    }
    for (let n = element.parentNode; n instanceof Element; n = n.parentNode) {
      if (matchChain(n, chain, at - 1)) return true;
    }
    return false;
  }

  function compound(text) {
    const tests = [];
    const pattern = /([#.]?)([\w-]+|\*)|\[([\w-]+)(?:=["']?([^\]"']*)["']?)?\]/g;
    for (const [, sigil, name, attr, value] of text.matchAll(pattern)) {
      if (attr) tests.push((e) => (value === undefined ? e.hasAttribute(attr) : e.getAttribute(attr) === value));
      else if (sigil === '#') tests.push((e) => e.id === name);
      else if (sigil === '.') tests.push((e) => e.classList.contains(name));
      else if (name !== '*') tests.push((e) => e.localName === name.toLowerCase());
    }
    return (element) => tests.every((test) => test(element));
  }

  // ---- the document and the window ------------------------------------------------------

  class Document extends DomNode {
    constructor() {
      super();
      this.nodeType = 9;
      this.readyState = 'loading';
      this.cookie = '';
      this.title = '';
      this.visibilityState = 'visible';
      this.hidden = false;
    }
    createElement(tag) {
      const name = String(tag).toLowerCase();
      const custom = definitions.get(name);
      const element = custom ? new custom() : new HTMLElement(name);
      element.ownerDocument = this;
      return element;
    }
    createElementNS(_ns, tag) {
      return this.createElement(tag);
    }
    createTextNode(text) {
      return new Text(text);
    }
    createDocumentFragment() {
      return new DocumentFragment();
    }
    createEvent() {
      return new Event('');
    }
    getElementById(id) {
      return this.querySelector(`#${id}`);
    }
    get activeElement() {
      return this.body;
    }
  }

  class HTMLElement extends Element {}
  const document = new Document();
  const html = new HTMLElement('html');
  const head = new HTMLElement('head');
  const body = new HTMLElement('body');
  document.appendChild(html);
  html.appendChild(head);
  html.appendChild(body);
  Object.assign(document, { documentElement: html, head, body });
  html.ownerDocument = head.ownerDocument = body.ownerDocument = document;

  // `window` is the global object, which is not an EventTarget in Node: its listeners live on
  // one EventTarget of its own, named `window` in the report.
  const windowEvents = new EventTarget();
  labels.set(windowEvents, 'window');
  labels.set(document, 'document');
  for (const name of ['addEventListener', 'removeEventListener', 'dispatchEvent']) {
    define(name, (...args) => windowEvents[name](...args));
  }

  function define(name, value) {
    Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  }

  // ---- events, timers, observers --------------------------------------------------------

  const EventBase = g.Event;
  class UIEvent extends EventBase {
    constructor(type, init = {}) {
      super(type, init);
      this.detail = init.detail === undefined ? null : init.detail;
    }
  }
  class MouseEvent extends UIEvent {
    constructor(type, init = {}) {
      super(type, init);
      Object.assign(this, { clientX: init.clientX || 0, clientY: init.clientY || 0, button: init.button || 0 });
    }
  }
  class KeyboardEvent extends UIEvent {
    constructor(type, init = {}) {
      super(type, init);
      Object.assign(this, { key: init.key || '', code: init.code || '' });
    }
  }

  // Animation frames run on timers (one each 16 ms) and have numeric ids, as in a browser.
  const frames = new Map();
  let nextFrame = 1;
  function requestAnimationFrame(callback) {
    const id = nextFrame++;
    frames.set(id, options.setTimeout(() => {
      frames.delete(id);
      callback(g.performance.now());
    }, 16));
    return id;
  }
  function cancelAnimationFrame(id) {
    const timer = frames.get(id);
    if (timer !== undefined) options.clearTimeout(timer);
    frames.delete(id);
  }

  // Observers keep what they observe until `unobserve` or `disconnect`, and never call back
  // (nothing resizes, mutates or scrolls here).
  // A page's observed element keeps its observer alive: so does the set of observers that
  // observe something, which the driver counts as live subscriptions.
  const observing = new Set();
  Object.defineProperty(globalThis, Symbol.for('leaklint.observations'), {
    value: () => observing.size,
  });
  function observerClass(name) {
    return {
      [name]: class {
        constructor(callback) {
          if (typeof callback !== 'function') throw new TypeError(`${name}: the callback is not a function`);
          this.callback = callback;
          this.targets = new Set();
        }
        observe(target) {
          this.targets.add(target);
          observing.add(this);
        }
        unobserve(target) {
          this.targets.delete(target);
          if (this.targets.size === 0) observing.delete(this);
        }
        disconnect() {
          this.targets.clear();
          observing.delete(this);
        }
        takeRecords() {
          return [];
        }
      },
    }[name];
  }

  class Storage {
    #items = new Map();
    get length() {
      return this.#items.size;
    }
    key(i) {
      return [...this.#items.keys()][i] ?? null;
    }
    getItem(key) {
      const value = this.#items.get(String(key));
      return value === undefined ? null : value;
    }
    setItem(key, value) {
      this.#items.set(String(key), String(value));
    }
    removeItem(key) {
      this.#items.delete(String(key));
    }
    clear() {
      this.#items.clear();
    }
  }

  // `location` follows `history.pushState`, so code keyed by `location.href` sees navigation.
  let url = new URL('http://localhost/');
  const location = {};
  for (const part of ['href', 'origin', 'protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']) {
    Object.defineProperty(location, part, {
      get: () => url[part],
      set: (value) => {
        if (part === 'href') url = new URL(value, url);
        else if (part !== 'origin') url[part] = value;
      },
      enumerable: true,
    });
  }
  Object.assign(location, {
    assign: (next) => void (url = new URL(next, url)),
    replace: (next) => void (url = new URL(next, url)),
    reload() {},
    toString: () => url.href,
  });
  const historyEntries = [];
  const history = {
    get length() {
      return historyEntries.length + 1;
    },
    state: null,
    pushState(state, _title, next) {
      if (historyEntries.length < 100) historyEntries.push(url.href);
      history.state = state;
      if (next !== undefined && next !== null) url = new URL(String(next), url);
    },
    replaceState(state, _title, next) {
      history.state = state;
      if (next !== undefined && next !== null) url = new URL(String(next), url);
    },
    back() {},
    forward() {},
    go() {},
  };

  const navigator = {
    userAgent: 'Mozilla/5.0 (leaklint built-in browser environment)',
    language: 'en-US',
    languages: ['en-US'],
    platform: 'Linux',
    onLine: true,
    cookieEnabled: true,
    hardwareConcurrency: 2,
    maxTouchPoints: 0,
    sendBeacon: () => true,
    clipboard: { writeText: async () => {}, readText: async () => '' },
  };

  const customElements = {
    define(name, cls) {
      if (definitions.has(name)) throw new Error(`customElements.define: '${name}' is already defined`);
      definitions.set(name, cls);
      tagOf.set(cls, name);
    },
    get: (name) => definitions.get(name),
    whenDefined: async () => {},
  };

  function matchMedia(query) {
    const list = new EventTarget();
    Object.assign(list, {
      media: String(query),
      matches: false,
      addListener: (fn) => list.addEventListener('change', fn),
      removeListener: (fn) => list.removeEventListener('change', fn),
    });
    return list;
  }

  class XMLHttpRequest extends EventTarget {
    constructor() {
      super();
      this.readyState = 0;
      this.status = 0;
      this.responseText = '';
    }
    open(method, target) {
      this.readyState = 1;
      this.url = String(target);
    }
    setRequestHeader() {}
    abort() {}
    // Answered like fetch: 200 and a small JSON body, on a later turn.
    send() {
      options.setTimeout(() => {
        Object.assign(this, { readyState: 4, status: 200, responseText: JSON.stringify({ url: this.url }) });
        this.response = this.responseText;
        if (typeof this.onload === 'function') this.onload(new Event('load'));
        this.dispatchEvent(new Event('load'));
      }, 0);
    }
  }

  const globals = {
    window: g,
    self: g,
    top: g,
    parent: g,
    frames: g,
    document,
    navigator,
    location,
    history,
    customElements,
    localStorage: new Storage(),
    sessionStorage: new Storage(),
    screen: { width: 1280, height: 800, availWidth: 1280, availHeight: 800 },
    innerWidth: 1280,
    innerHeight: 800,
    outerWidth: 1280,
    outerHeight: 800,
    devicePixelRatio: 1,
    scrollX: 0,
    scrollY: 0,
    pageXOffset: 0,
    pageYOffset: 0,
    requestAnimationFrame,
    cancelAnimationFrame,
    requestIdleCallback: (callback) => options.setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 0 }), 1),
    cancelIdleCallback: (handle) => options.clearTimeout(handle),
    matchMedia,
    getComputedStyle: () => ({ getPropertyValue: () => '' }),
    scrollTo() {},
    scrollBy() {},
    alert() {},
    confirm: () => false,
    prompt: () => null,
    open: () => null,
    Node: DomNode,
    Element,
    HTMLElement,
    Document,
    DocumentFragment,
    Text,
    Storage,
    UIEvent,
    MouseEvent,
    KeyboardEvent,
    FocusEvent: UIEvent,
    InputEvent: UIEvent,
    XMLHttpRequest,
    ResizeObserver: observerClass('ResizeObserver'),
    MutationObserver: observerClass('MutationObserver'),
    IntersectionObserver: observerClass('IntersectionObserver'),
  };
  for (const tag of ['Div', 'Span', 'Input', 'Button', 'Anchor', 'Image', 'Canvas', 'Form', 'Template', 'Video']) {
    globals[`HTML${tag}Element`] = HTMLElement;
  }
  for (const [name, value] of Object.entries(globals)) {
    // What Node has already (`navigator` on Node 21+, `Event`) stays Node's own.
    if (name !== 'navigator' || g.navigator === undefined) define(name, value);
  }
  if (options.jquery) define('jQuery', makeJQuery(document)), define('$', g.jQuery);

  return {
    name: 'built-in',
    // After the script has run, the page finishes loading, as a browser would tell it.
    loaded() {
      document.readyState = 'complete';
      document.dispatchEvent(new Event('DOMContentLoaded'));
      windowEvents.dispatchEvent(new Event('load'));
    },
    label(target) {
      if (labels.has(target)) return labels.get(target);
      if (target instanceof Element) return `<${target.localName}${target.id ? `#${target.id}` : ''}>`;
      return undefined;
    },
  };
}

// A minimal jQuery for plugins when the project has none: `$(selector | element | window |
// function)`, `$.fn` for plugins, and the methods plugins use most, with events (namespaces
// too, `scroll.myPlugin`) on the elements' real listeners.
function makeJQuery(document) {
  const bound = new WeakMap(); // target → [{ type, ns, handler, listener }]
  const targetOf = (node) => (node === globalThis ? { real: globalThis, on: globalThis } : { real: node, on: node });

  function jQuery(input) {
    return new jQuery.fn.init(input);
  }
  jQuery.fn = jQuery.prototype = {
    constructor: jQuery,
    init(input) {
      let nodes = [];
      if (typeof input === 'function') {
        input(jQuery);
      } else if (typeof input === 'string') {
        nodes = input.trim().startsWith('<')
          ? [document.createElement(/^<\s*([\w-]+)/.exec(input.trim())?.[1] || 'div')]
          : document.querySelectorAll(input);
      } else if (input && input instanceof jQuery) {
        nodes = [...input];
      } else if (input !== undefined && input !== null) {
        nodes = [input];
      }
      nodes.forEach((node, i) => {
        this[i] = node;
      });
      this.length = nodes.length;
    },
    *[Symbol.iterator]() {
      for (let i = 0; i < this.length; i++) yield this[i];
    },
    each(fn) {
      for (let i = 0; i < this.length; i++) fn.call(this[i], i, this[i]);
      return this;
    },
    get(i) {
      return i === undefined ? [...this] : this[i];
    },
    on(events, selectorOrHandler, maybeHandler) {
      const handler = typeof selectorOrHandler === 'function' ? selectorOrHandler : maybeHandler;
      return this.each(function () {
        const { on } = targetOf(this);
        const list = bound.get(this) || [];
        bound.set(this, list);
        for (const name of String(events).split(/\s+/).filter(Boolean)) {
          const [type, ns = ''] = name.split('.');
          const node = this;
          const listener = (event) => handler.call(node, event);
          list.push({ type, ns, handler, listener });
          on.addEventListener(type, listener);
        }
      });
    },
    off(events, selectorOrHandler, maybeHandler) {
      const handler = typeof selectorOrHandler === 'function' ? selectorOrHandler : maybeHandler;
      const names = events === undefined ? [''] : String(events).split(/\s+/).filter(Boolean);
      return this.each(function () {
        const { on } = targetOf(this);
        const list = bound.get(this) || [];
        for (const name of names) {
          const [type, ns = ''] = name.split('.');
          for (let i = list.length - 1; i >= 0; i--) {
            const b = list[i];
            if ((type && b.type !== type) || (ns && b.ns !== ns) || (handler && b.handler !== handler)) continue;
            on.removeEventListener(b.type, b.listener);
            list.splice(i, 1);
          }
        }
      });
    },
    one(events, handler) {
      const self = this;
      const once = function (event) {
        self.off(events, once);
        return handler.call(this, event);
      };
      return this.on(events, once);
    },
    trigger(type) {
      return this.each(function () {
        targetOf(this).on.dispatchEvent(new Event(String(type).split('.')[0]));
      });
    },
    addClass(name) {
      return this.each(function () {
        this.classList && this.classList.add(...String(name).split(/\s+/).filter(Boolean));
      });
    },
    removeClass(name) {
      return this.each(function () {
        this.classList && this.classList.remove(...String(name).split(/\s+/).filter(Boolean));
      });
    },
    toggleClass(name, on) {
      return this.each(function () {
        this.classList && this.classList.toggle(name, on);
      });
    },
    hasClass(name) {
      return [...this].some((n) => n.classList && n.classList.contains(name));
    },
    attr(name, value) {
      if (value === undefined) return this[0] && this[0].getAttribute ? this[0].getAttribute(name) : undefined;
      return this.each(function () {
        this.setAttribute && this.setAttribute(name, value);
      });
    },
    data(key, value) {
      const store = (n) => (n.__jqData ||= {});
      if (value === undefined) return this[0] ? store(this[0])[key] : undefined;
      return this.each(function () {
        store(this)[key] = value;
      });
    },
    css() {
      return this;
    },
    text(value) {
      if (value === undefined) return this[0] ? this[0].textContent : '';
      return this.each(function () {
        this.textContent = value;
      });
    },
    html(value) {
      return this.text(value);
    },
    append(child) {
      return this.each(function () {
        for (const c of child instanceof jQuery ? child : [child]) this.appendChild(c);
      });
    },
    appendTo(parent) {
      jQuery(parent).append(this);
      return this;
    },
    remove() {
      return this.each(function () {
        if (this.remove) this.remove();
      });
    },
    find(selector) {
      return jQuery([...this].flatMap((n) => (n.querySelectorAll ? n.querySelectorAll(selector) : [])));
    },
    width: () => 0,
    height: () => 0,
    scrollTop: () => 0,
    show() {
      return this;
    },
    hide() {
      return this;
    },
  };
  jQuery.fn.init.prototype = jQuery.fn;
  // `$([a, b])`: an array of nodes is a set of them.
  const init = jQuery.fn.init;
  jQuery.fn.init = function (input) {
    if (Array.isArray(input)) {
      input.forEach((node, i) => {
        this[i] = node;
      });
      this.length = input.length;
      return;
    }
    Reflect.apply(init, this, [input]);
  };
  jQuery.fn.init.prototype = jQuery.fn;
  jQuery.extend = jQuery.fn.extend = function (...sources) {
    const target = sources.length === 1 ? this : sources.shift() || {};
    for (const source of sources) if (source) Object.assign(target, source);
    return target;
  };
  jQuery.each = (items, fn) => {
    if (Array.isArray(items)) items.forEach((v, i) => fn.call(v, i, v));
    else for (const key of Object.keys(items || {})) fn.call(items[key], key, items[key]);
    return items;
  };
  jQuery.noop = () => {};
  jQuery.isFunction = (v) => typeof v === 'function';
  jQuery.proxy = (fn, context) => fn.bind(context);
  return jQuery;
}

// ---- the project's own DOM ---------------------------------------------------------------

// happy-dom or jsdom, when the project has one: a real DOM (parsing, selectors, events as
// browsers dispatch them) in place of the built-in one. Its window's properties become
// globals, except what Node's realm must keep (timers, which leaklint counts, and Node's own
// names); its EventTarget is instrumented like Node's, so listeners are counted the same way.
// Null when neither loads.
function installProjectDom(from, hooks) {
  const makers = [
    ['happy-dom', (pkg) => new pkg.Window({ url: 'http://localhost/' })],
    ['jsdom', (pkg) => new pkg.JSDOM('<!doctype html><html><head></head><body></body></html>', {
      url: 'http://localhost/',
      pretendToBeVisual: true,
    }).window],
  ];
  for (const [name, make] of makers) {
    let pkg;
    try {
      pkg = from(name);
    } catch {
      continue;
    }
    let window;
    try {
      window = make(pkg);
    } catch (error) {
      hooks.send({ t: 'note', text: `${name} did not start (${hooks.describe(error)}); the built-in browser environment runs instead` });
      continue;
    }
    return adoptWindow(window, name, hooks);
  }
  return null;
}

const NODE_KEEPS = new Set([
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
  'queueMicrotask', 'console', 'process', 'global', 'globalThis', 'Buffer', 'performance',
  'structuredClone', 'gc', 'WeakRef', 'FinalizationRegistry', 'undefined', 'NaN', 'Infinity',
]);

function adoptWindow(window, name, hooks) {
  const g = globalThis;
  // The prototypes that define the listener methods for the window, the document and an
  // element (a DOM may bind its classes to each window, or override them on the way down).
  const defining = new Set();
  for (const target of [window, window.document, window.document.createElement('div'), new window.EventTarget()]) {
    for (let o = Object.getPrototypeOf(target); o; o = Object.getPrototypeOf(o)) {
      if (Object.prototype.hasOwnProperty.call(o, 'addEventListener')) {
        defining.add(o);
        break;
      }
    }
  }
  for (const proto of defining) hooks.instrumentEventTarget(proto);
  // The window's own timers are leaklint's, so that its intervals are counted.
  for (const [key, value] of [['setInterval', hooks.setInterval], ['clearInterval', g.clearInterval]]) {
    try {
      Object.defineProperty(window, key, { value, writable: true, configurable: true });
    } catch {}
  }
  const names = new Set();
  for (let o = window; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) names.add(key);
  }
  for (const key of names) {
    if (NODE_KEEPS.has(key) || key === 'constructor' || /^[_$]/.test(key)) continue;
    // Node's builtins that the page defines too (URL, TextEncoder…) stay Node's, except the
    // DOM's own: events and targets must be the DOM's for its dispatch to accept them.
    const dom = /Event|Target|^HTML|^SVG|Element$|Node$|^Node|^Document|^Window|Observer$|^Storage$|^DOM|^window$|^self$|^document$|^location$|^history$|^navigator$|^localStorage$|^sessionStorage$|^customElements$|^requestAnimationFrame$|^cancelAnimationFrame$|^getComputedStyle$|^matchMedia$|^innerWidth$|^innerHeight$|^scroll|^addEventListener$|^removeEventListener$|^dispatchEvent$/.test(key);
    if (key in g && !dom) continue;
    try {
      Object.defineProperty(g, key, {
        get: () => window[key],
        set: (value) => { window[key] = value; },
        configurable: true,
        enumerable: false,
      });
    } catch {}
  }
  const document = window.document;
  return {
    name,
    loaded() {
      document.dispatchEvent(new window.Event('DOMContentLoaded'));
      window.dispatchEvent(new window.Event('load'));
    },
    label(target) {
      if (target === window) return 'window';
      if (target === document) return 'document';
      if (target && typeof target.localName === 'string') return `<${target.localName}${target.id ? `#${target.id}` : ''}>`;
      return undefined;
    },
  };
}
