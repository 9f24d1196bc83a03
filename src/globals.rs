//! Environment globals (`builtin`, `node`, `browser`, …), generated from the `globals` npm
//! package by `scripts/gen-globals.mjs` into `data/globals.json`.

use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

static DATA: &str = include_str!("../data/globals.json");

#[derive(serde::Deserialize)]
struct GlobalsFile {
    source: String,
    envs: FxHashMap<String, FxHashMap<String, bool>>,
}

fn data() -> &'static GlobalsFile {
    static PARSED: OnceLock<GlobalsFile> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(DATA).expect("data/globals.json is valid JSON"))
}

/// Where the environment data came from, e.g. `globals@17.14.0`.
pub fn source() -> &'static str {
    &data().source
}

/// Every environment name leaklint knows.
pub fn env_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = data().envs.keys().map(String::as_str).collect();
    names.sort_unstable();
    names
}

pub fn is_env(name: &str) -> bool {
    data().envs.contains_key(name)
}

/// The global names of some environments plus extra names, and optionally the browser's,
/// which count only in a file that looks like browser code (the automatic environment).
#[derive(Debug, Default, Clone)]
pub struct GlobalSet {
    envs: Vec<&'static FxHashMap<String, bool>>,
    extra: FxHashSet<String>,
    browser_if_used: Option<&'static FxHashMap<String, bool>>,
}

impl GlobalSet {
    pub fn new<'a>(
        envs: impl IntoIterator<Item = &'a str>,
        extra: impl IntoIterator<Item = String>,
    ) -> GlobalSet {
        GlobalSet {
            envs: envs
                .into_iter()
                .filter_map(|env| data().envs.get(env))
                .collect(),
            extra: extra.into_iter().collect(),
            browser_if_used: None,
        }
    }

    /// The default: builtin, node and commonjs everywhere, and browser in files that use
    /// `window`, `document` or `navigator`.
    pub fn automatic(extra: impl IntoIterator<Item = String>) -> GlobalSet {
        let mut set = GlobalSet::new(AUTOMATIC_ENVS.iter().copied(), extra);
        set.browser_if_used = data().envs.get("browser");
        set
    }

    /// Is `name` a global here? `browser_like` says whether the file looks like browser code.
    pub fn contains(&self, name: &str, browser_like: bool) -> bool {
        self.envs.iter().any(|env| env.contains_key(name))
            || self.extra.contains(name)
            || (browser_like
                && self
                    .browser_if_used
                    .is_some_and(|env| env.contains_key(name)))
    }
}

/// The environments of [`GlobalSet::automatic`], always on.
pub const AUTOMATIC_ENVS: &[&str] = &["builtin", "node", "commonjs"];

/// Unresolved names whose use marks a file as browser code.
pub const BROWSER_MARKERS: &[&str] = &["window", "document", "navigator"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_hold_what_they_should() {
        let auto = GlobalSet::automatic([]);
        assert!(auto.contains("process", false) && auto.contains("Map", false));
        assert!(auto.contains("module", false));
        assert!(!auto.contains("window", false) && auto.contains("window", true));
        let browser = GlobalSet::new(["browser"], ["myGlobal".to_string()]);
        assert!(browser.contains("document", false) && browser.contains("myGlobal", false));
        assert!(!browser.contains("process", false));
        assert!(source().starts_with("globals@"));
    }
}
