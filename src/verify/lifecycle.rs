//! Components, as the verifier mounts them: which methods of a class or an options object are
//! a framework's "mount" phase and which its "unmount" phase, so that a finding in a component
//! is run the way a page runs it (mount, unmount, a fresh component each time) and a resource
//! released at unmount is not mistaken for a leak.

use serde::Serialize;

use crate::semantic::lifecycle::{Phases, CLASS_PHASES, VUE_PHASES};

/// How the driver mounts and unmounts a component (serialized into its configuration).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// `react` (a function component or hook, rendered by leaklint's runtime), `react-class`,
    /// `custom-element`, `angular` or `vue` (an options object).
    pub framework: &'static str,
    /// The mount-phase methods the component defines, in the order the framework calls them.
    pub mount: Vec<String>,
    /// The unmount-phase methods it defines, in order.
    pub unmount: Vec<String>,
}

/// The lifecycle of a component of `phases` that defines `names`, if it defines any hook.
fn lifecycle_of(phases: &Phases, names: &[String]) -> Option<Lifecycle> {
    let present = |phase: &[&str]| -> Vec<String> {
        phase
            .iter()
            .filter(|m| names.iter().any(|n| n == *m))
            .map(|m| m.to_string())
            .collect()
    };
    let (mount, unmount) = (present(phases.mount), present(phases.unmount));
    (!mount.is_empty() || !unmount.is_empty()).then_some(Lifecycle {
        framework: phases.framework,
        mount,
        unmount,
    })
}

/// The lifecycle of a class that defines `methods`, if it is a component. A React class
/// component is one by its base class too (`extends React.Component`), with no hooks of its own.
pub fn of_class(methods: &[String], extends_react: bool) -> Option<Lifecycle> {
    CLASS_PHASES
        .iter()
        .find_map(|phases| lifecycle_of(phases, methods))
        .or_else(|| {
            extends_react.then_some(Lifecycle {
                framework: "react-class",
                mount: Vec::new(),
                unmount: Vec::new(),
            })
        })
}

/// The lifecycle of an object literal with these keys, if it is a Vue component's options
/// (it has a hook, or `setup`).
pub fn of_options(keys: &[String]) -> Option<Lifecycle> {
    lifecycle_of(&VUE_PHASES, keys).or_else(|| {
        keys.iter().any(|k| k == "setup").then_some(Lifecycle {
            framework: "vue",
            mount: Vec::new(),
            unmount: Vec::new(),
        })
    })
}

/// A function component or hook: rendered, its effects run, their cleanups run at unmount.
pub fn react_function() -> Lifecycle {
    Lifecycle {
        framework: "react",
        mount: Vec::new(),
        unmount: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_class_is_a_component_of_the_framework_whose_hooks_it_defines() {
        let element = of_class(
            &names(&["disconnectedCallback", "connectedCallback", "render"]),
            false,
        )
        .unwrap();
        assert_eq!(element.framework, "custom-element");
        assert_eq!(element.mount, ["connectedCallback"]);
        assert_eq!(element.unmount, ["disconnectedCallback"]);
        let angular = of_class(
            &names(&["ngOnDestroy", "ngAfterViewInit", "ngOnInit"]),
            false,
        );
        assert_eq!(
            angular.unwrap().mount,
            ["ngOnInit", "ngAfterViewInit"],
            "in the order Angular calls them"
        );
        assert_eq!(
            of_class(&names(&["render"]), true).unwrap().framework,
            "react-class"
        );
        assert_eq!(of_class(&names(&["start", "stop"]), false), None);
    }

    #[test]
    fn an_options_object_is_a_vue_component_when_it_has_a_hook_or_setup() {
        let vue = of_options(&names(&["data", "mounted", "beforeDestroy", "methods"])).unwrap();
        assert_eq!(
            (vue.mount, vue.unmount),
            (names(&["mounted"]), names(&["beforeDestroy"]))
        );
        assert!(of_options(&names(&["setup", "props"])).is_some());
        assert_eq!(of_options(&names(&["get", "set"])), None);
    }
}
