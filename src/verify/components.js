// Components, mounted and unmounted the way a page does it, many times over.
//
// Spliced into the driver (src/verify/driver.js) at its components placeholder, so it sees the
// driver's names (`EventEmitter`, `settle`, `countError`, `makeArgs`, `make`). The frameworks
// are leaklint's stand-ins, used whether or not the project installs the real ones: a real
// React runs hooks only inside its renderer, a real Vue or Lit only on a real DOM, and what a
// leak needs of them is small: hooks that keep state per component, effects run after the
// render and their cleanups at unmount; a Vue instance with its methods, data and event API;
// a Lit element's base class. What they do not model: re-renders, children, context
// providers, Suspense, reactivity.

// JSX compiles to this factory (see src/verify/instrument.rs): an element is a description
// that is never rendered.
const FRAGMENT = Symbol.for('react.fragment');
function createElement(type, props, ...children) {
  return { $$typeof: Symbol.for('react.element'), type, props: { ...props, children }, key: null };
}
for (const [name, value] of [['__leaklint_jsx', createElement], ['__leaklint_fragment', FRAGMENT]]) {
  Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
}

// Emitters the stand-ins create (a Vue root or event bus), named in listener counts.
const componentLabels = new WeakMap();

// ---- React ---------------------------------------------------------------------------------

const react = (() => {
  // The component being rendered: its hooks in call order and the effects this render queued.
  let rendering = null;
  const changed = (before, after) =>
    !before || !after || before.length !== after.length || before.some((d, i) => !Object.is(d, after[i]));

  function slot(init) {
    const fiber = rendering;
    if (fiber === null) throw new Error('a hook was called outside a component (leaklint runtime)');
    const i = fiber.index++;
    if (fiber.hooks.length <= i) fiber.hooks.push(init());
    return fiber.hooks[i];
  }
  function useState(initial) {
    const hook = slot(() => ({ value: typeof initial === 'function' ? initial() : initial }));
    hook.set = hook.set || ((next) => { hook.value = typeof next === 'function' ? next(hook.value) : next; });
    return [hook.value, hook.set];
  }
  function useReducer(reducer, arg, init) {
    const hook = slot(() => ({ value: init ? init(arg) : arg }));
    hook.dispatch = hook.dispatch || ((action) => { hook.value = reducer(hook.value, action); });
    return [hook.value, hook.dispatch];
  }
  const useRef = (value) => slot(() => ({ current: value }));
  function useMemo(compute, deps) {
    const hook = slot(() => ({}));
    if (!hook.deps || changed(hook.deps, deps)) {
      hook.value = compute();
      hook.deps = deps;
    }
    return hook.value;
  }
  const useCallback = (fn, deps) => useMemo(() => fn, deps);
  // An effect runs after the render when its dependencies changed (always without a list).
  const effect = (phase) => (create, deps) => {
    const hook = slot(() => ({ cleanup: null }));
    if (hook.deps === undefined || deps === undefined || changed(hook.deps, deps)) {
      hook.deps = deps || null;
      rendering.effects.push({ phase, hook, create });
    }
  };
  const useEffect = effect('passive');
  const useLayoutEffect = effect('layout');
  const useInsertionEffect = effect('insertion');
  function useSyncExternalStore(subscribe, getSnapshot) {
    // React subscribes after the render and unsubscribes at unmount.
    useEffect(() => subscribe(() => {}), [subscribe]);
    return getSnapshot();
  }
  function useImperativeHandle(ref, create, deps) {
    useLayoutEffect(() => {
      if (ref && typeof ref === 'object') ref.current = create();
    }, deps);
  }
  function createContext(value) {
    const context = { _currentValue: value };
    context.Provider = function Provider(props) { return props && props.children; };
    context.Consumer = function Consumer() { return null; };
    return context;
  }
  const useContext = (context) => (context && '_currentValue' in context ? context._currentValue : undefined);
  let ids = 0;
  const useId = () => slot(() => ({ id: `:r${(ids++).toString(36)}:` })).id;

  class Component {
    constructor(props, context) {
      this.props = props || {};
      this.context = context;
      this.refs = {};
    }
    setState(partial, callback) {
      const next = typeof partial === 'function' ? partial(this.state, this.props) : partial;
      this.state = Object.assign({}, this.state, next);
      if (typeof callback === 'function') callback();
    }
    forceUpdate(callback) {
      if (typeof callback === 'function') callback();
    }
  }
  Component.prototype.isReactComponent = {};
  class PureComponent extends Component {}

  const exports = {
    createElement,
    Fragment: FRAGMENT,
    StrictMode: FRAGMENT,
    Suspense: FRAGMENT,
    Component,
    PureComponent,
    createContext,
    createRef: () => ({ current: null }),
    forwardRef: (render) => (props) => render(props, null),
    memo: (component) => component,
    lazy: (load) => load,
    isValidElement: (value) => Boolean(value && value.$$typeof === Symbol.for('react.element')),
    cloneElement: (element, props) => ({ ...element, props: { ...(element && element.props), ...props } }),
    Children: { map: (c, f) => [].concat(c ?? []).map(f), forEach: (c, f) => [].concat(c ?? []).forEach(f), toArray: (c) => [].concat(c ?? []), count: (c) => [].concat(c ?? []).length, only: (c) => c },
    useState,
    useReducer,
    useRef,
    useMemo,
    useCallback,
    useEffect,
    useLayoutEffect,
    useInsertionEffect,
    useSyncExternalStore,
    useImperativeHandle,
    useContext,
    useId,
    useDebugValue() {},
    useDeferredValue: (value) => value,
    useTransition: () => [false, (fn) => fn()],
    startTransition: (fn) => fn(),
    use: (value) => (value && '_currentValue' in value ? value._currentValue : value),
    version: '18.3.1-leaklint',
  };
  exports.default = exports;
  const jsxRuntime = {
    jsx: (type, props) => createElement(type, props),
    jsxs: (type, props) => createElement(type, props),
    jsxDEV: (type, props) => createElement(type, props),
    Fragment: FRAGMENT,
  };
  const dom = {
    render() {},
    unmountComponentAtNode() { return true; },
    createPortal: (children) => children,
    flushSync: (fn) => fn && fn(),
    createRoot: () => ({ render() {}, unmount() {} }),
    hydrateRoot: () => ({ render() {}, unmount() {} }),
  };
  dom.default = dom;

  // Runs the effects a render queued, in React's order, each after its previous cleanup.
  function commit(fiber) {
    for (const phase of ['insertion', 'layout', 'passive']) {
      for (const { hook, create } of fiber.effects.filter((e) => e.phase === phase)) {
        const previous = hook.cleanup;
        hook.cleanup = null;
        if (typeof previous === 'function') previous();
        const cleanup = create();
        hook.cleanup = typeof cleanup === 'function' ? cleanup : null;
      }
    }
    fiber.effects = [];
  }

  // One life of a function component or hook: render with `args`, run the effects, then
  // unmount, which runs every cleanup the effects returned.
  async function mountFunction(fn, args) {
    const fiber = { hooks: [], index: 0, effects: [] };
    rendering = fiber;
    try {
      fn(...args);
    } finally {
      rendering = null;
    }
    try {
      commit(fiber);
      await turn();
    } finally {
      for (const hook of fiber.hooks) {
        if (hook && typeof hook.cleanup === 'function') {
          const cleanup = hook.cleanup;
          hook.cleanup = null;
          cleanup();
        }
      }
    }
  }

  return { exports, jsxRuntime, dom, mountFunction };
})();

// ---- Vue -----------------------------------------------------------------------------------

// Vue 2's instance event API over an emitter: `$on`, `$once`, `$off`, `$emit`.
class VueEvents extends EventEmitter {}
function eventApi(target, emitter) {
  const names = (event) => [].concat(event);
  target.$on = (event, fn) => { for (const e of names(event)) emitter.on(e, fn); return target; };
  target.$once = (event, fn) => { emitter.once(event, fn); return target; };
  target.$off = (event, fn) => {
    if (event === undefined) emitter.removeAllListeners();
    else for (const e of names(event)) fn ? emitter.removeListener(e, fn) : emitter.removeAllListeners(e);
    return target;
  };
  target.$emit = (event, ...args) => { emitter.emit(event, ...args); return target; };
  return target;
}

const vue = (() => {
  // What lives as long as the page: the root instance, and the buses an app hangs on every
  // instance (`Vue.prototype.$eventHub = new Vue()`), one per name.
  const shared = new Map();
  function sharedBus(name) {
    if (!shared.has(name)) {
      const emitter = new VueEvents();
      componentLabels.set(emitter, `the Vue ${name === '$root' ? 'root instance' : `bus \`${name}\``}`);
      shared.set(name, eventApi({}, emitter));
    }
    return shared.get(name);
  }

  // The instance being set up, for the Composition API's `onMounted`… called in `setup()`.
  let setting = null;
  const hook = (phase) => (fn) => {
    if (setting && typeof fn === 'function') setting[phase].push(fn);
  };
  const ref = (value) => ({ value, __v_isRef: true });
  const exports = {
    ref,
    shallowRef: ref,
    reactive: (value) => value,
    shallowReactive: (value) => value,
    readonly: (value) => value,
    markRaw: (value) => value,
    toRaw: (value) => value,
    toRef: (object, key) => ({ get value() { return object[key]; }, set value(v) { object[key] = v; } }),
    toRefs: (object) => Object.fromEntries(Object.keys(object || {}).map((k) => [k, ref(object[k])])),
    unref: (value) => (value && value.__v_isRef ? value.value : value),
    isRef: (value) => Boolean(value && value.__v_isRef),
    computed: (get) => ({ get value() { return typeof get === 'function' ? get() : get.get(); }, __v_isRef: true }),
    watch(source, callback, options) {
      // A watcher made in setup stops at unmount; one made elsewhere keeps running.
      let stopped = false;
      const stop = () => { stopped = true; };
      if (setting) setting.unmounted.push(stop);
      if (options && options.immediate && !stopped) callback(undefined, undefined, () => {});
      return stop;
    },
    watchEffect(effect) {
      const cleanups = [];
      effect((fn) => cleanups.push(fn));
      const stop = () => { for (const fn of cleanups.splice(0)) fn(); };
      if (setting) setting.unmounted.push(stop);
      return stop;
    },
    nextTick: (fn) => Promise.resolve().then(fn),
    onBeforeMount: hook('beforeMount'),
    onMounted: hook('mounted'),
    onBeforeUpdate() {},
    onUpdated() {},
    onBeforeUnmount: hook('beforeUnmount'),
    onUnmounted: hook('unmounted'),
    onActivated() {},
    onDeactivated() {},
    onErrorCaptured() {},
    getCurrentInstance: () => setting && { proxy: setting.vm },
    defineComponent: (options) => options,
    defineAsyncComponent: (load) => load,
    h: createElement,
    createApp: () => ({ use() { return this; }, component() { return this; }, mount() { return {}; }, unmount() {}, provide() { return this; }, config: { globalProperties: {} } }),
    inject: (_key, fallback) => fallback,
    provide() {},
  };
  // `new Vue()` for a bus, and `Vue.extend`, `Vue.component` on the Vue 2 constructor.
  function Vue(options) {
    const instance = eventApi({}, new VueEvents());
    if (options && typeof options.data === 'function') Object.assign(instance, options.data());
    return instance;
  }
  Object.assign(Vue, exports, { extend: (options) => options, component() {}, use() {}, mixin() {}, directive() {}, prototype: {} });
  exports.default = Vue;

  // A component instance for `options`: props, data, computed and methods on it, Vue's
  // instance API, and any other `$name` the app put on every instance as a shared bus.
  function instance(options, i) {
    const own = eventApi({}, new VueEvents());
    // The component's own element, which dies with it.
    const element = globalThis.document && typeof document.createElement === 'function' ? document.createElement('div') : new EventTarget();
    const base = Object.assign(own, {
      $el: element,
      $refs: {},
      $options: options,
      $props: {},
      $attrs: {},
      $slots: {},
      $nextTick: (fn) => Promise.resolve().then(fn),
      $watch: () => () => {},
      $forceUpdate() {},
      $set: (object, key, value) => { object[key] = value; },
      $delete: (object, key) => { delete object[key]; },
    });
    const vm = new Proxy(base, {
      get(target, key, receiver) {
        if (key in target || typeof key !== 'string') return Reflect.get(target, key, receiver);
        if (key === '$root' || key === '$parent' || (key.startsWith('$') && key.length > 1)) return sharedBus(key);
        return undefined;
      },
    });
    const props = options.props && !Array.isArray(options.props) ? options.props : {};
    for (const [key, spec] of Object.entries(props)) {
      const fallback = spec && typeof spec === 'object' ? spec.default : undefined;
      base[key] = typeof fallback === 'function' ? fallback() : fallback !== undefined ? fallback : make(null, i, key);
    }
    for (const [key, fn] of Object.entries(options.methods || {})) {
      if (typeof fn === 'function') base[key] = fn.bind(vm);
    }
    if (typeof options.data === 'function') Object.assign(base, options.data.call(vm, vm));
    for (const [key, spec] of Object.entries(options.computed || {})) {
      const get = typeof spec === 'function' ? spec : spec && spec.get;
      if (typeof get === 'function') Object.defineProperty(base, key, { get: () => get.call(vm), configurable: true });
    }
    return vm;
  }

  // One life of a component: its instance, `setup()` and the hooks it registers, the mount
  // hooks, then the unmount ones; `extra` is called while it is mounted (a method).
  async function mountOptions(options, lifecycle, i, extra) {
    const vm = instance(options, i);
    const phases = { beforeMount: [], mounted: [], beforeUnmount: [], unmounted: [], vm };
    const run = async (names) => {
      for (const name of names) if (typeof options[name] === 'function') await settle(options[name].call(vm));
    };
    try {
      if (typeof options.setup === 'function') {
        setting = phases;
        let bindings;
        try {
          bindings = options.setup.call(undefined, vm.$props, { emit: vm.$emit, attrs: {}, slots: {}, expose() {} });
        } finally {
          setting = null;
        }
        if (bindings && typeof bindings === 'object') Object.assign(vm, bindings);
      }
      await run(lifecycle.mount.filter((n) => n === 'beforeCreate' || n === 'created'));
      for (const fn of phases.beforeMount) fn();
      await run(lifecycle.mount.filter((n) => n === 'beforeMount'));
      for (const fn of phases.mounted) fn();
      await run(lifecycle.mount.filter((n) => n === 'mounted'));
      if (extra) await settle(extra(vm));
    } finally {
      for (const fn of phases.beforeUnmount) fn();
      await run(lifecycle.unmount.filter((n) => n === 'beforeDestroy' || n === 'beforeUnmount'));
      for (const fn of phases.unmounted) fn();
      await run(lifecycle.unmount.filter((n) => n === 'destroyed' || n === 'unmounted'));
    }
  }

  return { exports, mountOptions };
})();

// ---- Lit -----------------------------------------------------------------------------------

const lit = (() => {
  const Base = typeof HTMLElement === 'function' ? HTMLElement : EventTarget;
  class ReactiveElement extends Base {
    connectedCallback() {}
    disconnectedCallback() {}
    requestUpdate() {}
    get updateComplete() { return Promise.resolve(true); }
    static get observedAttributes() { return []; }
  }
  class LitElement extends ReactiveElement {}
  const template = (strings, ...values) => ({ strings, values });
  const exports = {
    LitElement,
    ReactiveElement,
    html: template,
    svg: template,
    css: template,
    unsafeCSS: (value) => value,
    nothing: Symbol.for('lit-nothing'),
    noChange: Symbol.for('lit-noChange'),
    render() {},
    customElement: () => (cls) => cls,
    property: () => () => {},
    state: () => () => {},
    query: () => () => {},
  };
  exports.default = exports;
  return { exports };
})();

// The packages the stand-ins replace, by specifier.
const FRAMEWORKS = new Map([
  ['react', () => react.exports],
  ['react/jsx-runtime', () => react.jsxRuntime],
  ['react/jsx-dev-runtime', () => react.jsxRuntime],
  ['react-dom', () => react.dom],
  ['react-dom/client', () => react.dom],
  ['vue', () => vue.exports],
  ['lit', () => lit.exports],
  ['lit-element', () => lit.exports],
  ['lit/decorators.js', () => lit.exports],
  ['lit/decorators', () => lit.exports],
]);
const frameworkReported = new Set();
function frameworkModule(specifier) {
  const exportsOf = FRAMEWORKS.get(specifier);
  if (exportsOf === undefined) return undefined;
  const name = specifier.split('/')[0];
  if (!frameworkReported.has(name)) {
    frameworkReported.add(name);
    send({ t: 'stub', module: name, reason: "leaklint's component runtime" });
  }
  return exportsOf();
}

// ---- mounting --------------------------------------------------------------------------------

// One mount and unmount of a class component (React, a custom element or Lit, Angular): a new
// instance, its mount methods in order, `extra` while it is mounted, its unmount methods.
async function mountClass(cls, lifecycle, args, extra) {
  const instance = Reflect.construct(cls, args);
  if (lifecycle.framework === 'react-class' && instance.props === undefined) instance.props = args[0] || {};
  try {
    for (const name of lifecycle.mount) await settle(instance[name]());
    if (extra) await settle(extra(instance));
  } finally {
    for (const name of lifecycle.unmount) await settle(instance[name]());
  }
}

const MOUNT_TEXT = {
  react: 'rendered and unmounted',
  'react-class': 'mounted and unmounted',
  'custom-element': 'connected and disconnected',
  angular: 'initialised and destroyed',
  vue: 'mounted and unmounted',
};
