//! Components' lifecycles: the methods a framework calls when a component mounts and when it
//! unmounts. A mount hook runs once for each component, many times over the life of a page;
//! what it acquires on a long-lived target must be released in the matching unmount hook.

/// One framework's phases, in the order it calls their hooks.
pub struct Phases {
    pub framework: &'static str,
    pub mount: &'static [&'static str],
    pub unmount: &'static [&'static str],
}

/// Class components; a class is a component of the first whose hooks it defines.
pub const CLASS_PHASES: &[Phases] = &[
    Phases {
        framework: "react-class",
        mount: &["componentDidMount"],
        unmount: &["componentWillUnmount"],
    },
    // Web Components, and Lit (whose `firstUpdated` runs after the first render).
    Phases {
        framework: "custom-element",
        mount: &["connectedCallback", "firstUpdated"],
        unmount: &["disconnectedCallback"],
    },
    Phases {
        framework: "angular",
        mount: &["ngOnInit", "ngAfterContentInit", "ngAfterViewInit"],
        unmount: &["ngOnDestroy"],
    },
];

/// Vue's Options API, 2 and 3 (`beforeDestroy`/`destroyed` are Vue 2's names).
pub const VUE_PHASES: Phases = Phases {
    framework: "vue",
    mount: &["beforeCreate", "created", "beforeMount", "mounted"],
    unmount: &["beforeDestroy", "beforeUnmount", "destroyed", "unmounted"],
};

/// Mount hooks that run exactly once for each component instance: a handle one of them stores
/// on the instance is not overwritten by a second run. Every mount hook but `connectedCallback`,
/// which runs again when an element moves in the page.
pub fn runs_once_per_instance(method: &str) -> bool {
    method != "connectedCallback"
        && CLASS_PHASES
            .iter()
            .chain(std::iter::once(&VUE_PHASES))
            .any(|phases| phases.mount.contains(&method))
}

/// Functions that register a callback to run when the component (or the reactive scope around
/// it) is torn down: Vue's Composition API, Svelte's `onDestroy`, Solid's `onCleanup`. Angular's
/// `DestroyRef.onDestroy` is a method: the builder matches it on a `DestroyRef`.
pub const UNMOUNT_REGISTRARS: &[&str] = &[
    "onBeforeUnmount",
    "onUnmounted",
    "onScopeDispose",
    "onDestroy",
    "onCleanup",
    "onBeforeDestroy",
];

/// Functions that register a callback to run when the component mounts (Vue's Composition API;
/// Svelte's `onMount` is an effect, whose callback returns its cleanup).
pub const MOUNT_REGISTRARS: &[&str] = &["onMounted", "onBeforeMount", "onActivated"];

/// An unmount hook of any framework.
pub fn is_unmount_hook(method: &str) -> bool {
    CLASS_PHASES
        .iter()
        .chain(std::iter::once(&VUE_PHASES))
        .any(|phases| phases.unmount.contains(&method))
}

/// A mount hook of any framework: code there runs once per component, many times per page.
pub fn is_mount_hook(method: &str) -> bool {
    CLASS_PHASES
        .iter()
        .chain(std::iter::once(&VUE_PHASES))
        .any(|phases| phases.mount.contains(&method))
}

/// Is `unmount` the hook that ends what `mount` starts, in one framework (`connectedCallback`
/// and `disconnectedCallback`): between two runs of the mount hook the unmount hook runs.
pub fn unmounts(mount: &str, unmount: &str) -> bool {
    CLASS_PHASES
        .iter()
        .chain(std::iter::once(&VUE_PHASES))
        .any(|phases| phases.mount.contains(&mount) && phases.unmount.contains(&unmount))
}

/// One of Angular's lifecycle hooks: a class that defines one is a component or directive.
pub fn is_angular_hook(method: &str) -> bool {
    CLASS_PHASES
        .iter()
        .filter(|phases| phases.framework == "angular")
        .any(|phases| phases.mount.contains(&method) || phases.unmount.contains(&method))
}

/// Hooks a host calls each time an object is added to it, with the host as a parameter:
/// Leaflet's and Mapbox's `onAdd(map)`, OpenLayers' `setMap(map)`, node-postgres'
/// `submit(connection)` (a query on a pooled connection). The host outlives every object added
/// to it, so a listener a hook adds to it stays until the hook's object removes it.
pub const HOST_HOOKS: &[(&str, usize)] = &[("onAdd", 0), ("setMap", 0), ("submit", 0)];
