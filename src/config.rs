//! Configuration: `leaklint.toml`, found by walking up from each file's folder, with the
//! command line's overrides on top.
//!
//! ```toml
//! env = ["node", "browser"]          # replaces the automatic environment
//! globals = ["appState"]             # or { appState = "writable" }
//! ignore = ["dist/**", "vendor/**"]  # globs relative to this file's folder
//!
//! [rules]
//! implicit-global = "error"          # off | warn | error
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::globals::{self, GlobalSet};
use crate::rules;
use crate::settings::Settings;

pub const FILE_NAME: &str = "leaklint.toml";

/// A configuration error, naming the file, the key and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    env: Option<Vec<Spanned<String>>>,
    globals: Option<Spanned<toml::Value>>,
    ignore: Option<Vec<Spanned<String>>>,
    rules: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

/// What one `leaklint.toml` (or none) says.
#[derive(Debug, Default, Clone)]
pub struct ConfigFile {
    /// The folder `ignore` globs are relative to.
    pub root: PathBuf,
    pub env: Option<Vec<String>>,
    pub globals: Vec<String>,
    pub ignore: Option<GlobSet>,
    pub rules: BTreeMap<String, RuleConfig>,
    /// A hash of the file's text and place, for `--cache` keys.
    pub fingerprint: u64,
}

/// `rule = "warn"` or `[rules.rule]` with `severity` and the rule's options.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RuleConfig {
    pub severity: Option<Severity>,
    pub options: toml::Table,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read the configuration: {e}"),
        })?;
        let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        ConfigFile::parse(&text, path, root)
    }

    pub fn parse(text: &str, path: &Path, root: PathBuf) -> Result<ConfigFile, ConfigError> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_path_buf(),
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| error(e.span(), e.message().trim().to_string()))?;
        let mut config = ConfigFile {
            fingerprint: fingerprint(&[text.as_bytes(), root.as_os_str().as_encoded_bytes()]),
            root,
            ..ConfigFile::default()
        };
        if let Some(env) = raw.env {
            for name in &env {
                if !globals::is_env(name.get_ref()) {
                    return Err(error(
                        Some(name.span()),
                        format!(
                            "unknown environment `{}` in `env` (known: {})",
                            name.get_ref(),
                            globals::env_names().join(", ")
                        ),
                    ));
                }
            }
            config.env = Some(env.into_iter().map(Spanned::into_inner).collect());
        }
        if let Some(value) = raw.globals {
            config.globals = parse_globals(value.get_ref())
                .ok_or_else(|| error(Some(value.span()), "`globals` must be a list of names or a table of name = \"readonly\" | \"writable\"".into()))?;
        }
        if let Some(patterns) = raw.ignore {
            let mut builder = GlobSetBuilder::new();
            for pattern in &patterns {
                let glob = Glob::new(pattern.get_ref()).map_err(|e| {
                    error(
                        Some(pattern.span()),
                        format!("invalid glob in `ignore`: {e}"),
                    )
                })?;
                builder.add(glob);
            }
            config.ignore = Some(builder.build().map_err(|e| error(None, e.to_string()))?);
        }
        for (id, value) in raw.rules.unwrap_or_default() {
            let Some(rule) = rules::find(id.get_ref()) else {
                return Err(error(
                    Some(id.span()),
                    format!(
                        "unknown rule `{}` in [rules] (see `leaklint rules`)",
                        id.get_ref()
                    ),
                ));
            };
            let rule_config = rule_config(rule, value.get_ref())
                .map_err(|message| error(Some(value.span()), message))?;
            config.rules.insert(id.into_inner(), rule_config);
        }
        Ok(config)
    }

    /// Is `path` matched by this file's `ignore` globs?
    pub fn ignores(&self, path: &Path) -> bool {
        let Some(ignore) = &self.ignore else {
            return false;
        };
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let relative = relative.strip_prefix(".").unwrap_or(relative);
        ignore.is_match(relative)
            || relative
                .ancestors()
                .skip(1)
                .filter(|a| !a.as_os_str().is_empty())
                .any(|a| ignore.is_match(a))
    }
}

/// A fingerprint of what decides a file's results besides its content (for `--cache` keys):
/// leaklint's version and the `parts` given.
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.digest()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse_globals(value: &toml::Value) -> Option<Vec<String>> {
    match value {
        toml::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect(),
        toml::Value::Table(table) => table
            .iter()
            .map(|(name, v)| match v {
                toml::Value::String(s) if matches!(s.as_str(), "readonly" | "writable" | "off") => {
                    Some(name.clone())
                }
                toml::Value::Boolean(_) => Some(name.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn severity_of(value: &toml::Value) -> Option<Severity> {
    match value {
        toml::Value::String(s) => Severity::parse(s),
        toml::Value::Integer(n) => Severity::parse(&n.to_string()),
        _ => None,
    }
}

fn rule_config(rule: &rules::RuleMeta, value: &toml::Value) -> Result<RuleConfig, String> {
    let bad_severity = || {
        format!(
            "`{}` must be \"off\", \"warn\" or \"error\" (or a table with `severity`)",
            rule.id
        )
    };
    let toml::Value::Table(table) = value else {
        let severity = severity_of(value).ok_or_else(bad_severity)?;
        return Ok(RuleConfig {
            severity: Some(severity),
            options: toml::Table::new(),
        });
    };
    let mut config = RuleConfig::default();
    for (key, value) in table {
        if key == "severity" {
            config.severity = Some(severity_of(value).ok_or_else(bad_severity)?);
            continue;
        }
        let Some(option) = rule.options.iter().find(|o| o.name == key) else {
            let known: Vec<&str> = rule.options.iter().map(|o| o.name).collect();
            return Err(format!(
                "unknown option `{key}` for `{}` (options: severity{}{})",
                rule.id,
                if known.is_empty() { "" } else { ", " },
                known.join(", ")
            ));
        };
        let fits = match option.kind {
            rules::OptionKind::Bool => value.is_bool(),
            rules::OptionKind::Names => value
                .as_array()
                .is_some_and(|items| items.iter().all(toml::Value::is_str)),
        };
        if !fits {
            return Err(format!(
                "option `{key}` of `{}` must be {}",
                rule.id,
                match option.kind {
                    rules::OptionKind::Bool => "true or false",
                    rules::OptionKind::Names => "a list of names",
                }
            ));
        }
        config.options.insert(key.clone(), value.clone());
    }
    Ok(config)
}

/// Settings given on the command line; they win over every `leaklint.toml`.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub rules: Vec<(String, Severity)>,
    pub env: Option<Vec<String>>,
    pub globals: Vec<String>,
}

/// Builds the settings of one file from its `leaklint.toml` (or none) and the command line, with
/// every rule the file does not mention at its default severity. The type is in
/// [`crate::settings`], below the rules that query it.
impl Settings {
    pub fn new(file: &ConfigFile, overrides: &Overrides) -> Settings {
        let extra = file.globals.iter().chain(&overrides.globals).cloned();
        let globals = match overrides.env.as_ref().or(file.env.as_ref()) {
            Some(envs) => GlobalSet::new(envs.iter().map(String::as_str), extra),
            None => GlobalSet::automatic(extra),
        };
        let fingerprint = fingerprint(&[
            &file.fingerprint.to_le_bytes(),
            format!("{overrides:?}").as_bytes(),
        ]);
        let defaults = rules::RULES
            .iter()
            .map(|rule| (rule.id, rule.default_severity));
        let mut settings = Settings::with_defaults(defaults, globals, fingerprint);
        for (id, config) in &file.rules {
            if let Some(rule) = rules::find(id) {
                if let Some(severity) = config.severity {
                    settings.configure(rule.id, severity);
                }
                settings.set_options(rule.id, config.options.clone());
            }
        }
        for (id, severity) in &overrides.rules {
            if let Some(rule) = rules::find(id) {
                settings.configure(rule.id, *severity);
            }
        }
        settings
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings::new(&ConfigFile::default(), &Overrides::default())
    }
}

/// The configuration that applies in one folder: the `leaklint.toml` found (or none), whose
/// `ignore` globs decide which files are linted, and the settings the files are linted with.
#[derive(Debug)]
pub struct ResolvedConfig {
    pub file: ConfigFile,
    pub settings: Settings,
}

impl ResolvedConfig {
    fn new(file: ConfigFile, overrides: &Overrides) -> ResolvedConfig {
        let settings = Settings::new(&file, overrides);
        ResolvedConfig { file, settings }
    }
}

/// Finds and loads the configuration of each folder once.
pub struct ConfigResolver {
    /// `--config FILE`: one configuration for every file, no discovery.
    explicit: Option<Arc<ResolvedConfig>>,
    overrides: Overrides,
    by_dir: FxHashMap<PathBuf, Arc<ResolvedConfig>>,
    default: Arc<ResolvedConfig>,
}

impl ConfigResolver {
    pub fn new(
        explicit: Option<&Path>,
        overrides: Overrides,
    ) -> Result<ConfigResolver, ConfigError> {
        let explicit = match explicit {
            Some(path) => Some(Arc::new(ResolvedConfig::new(
                ConfigFile::load(path)?,
                &overrides,
            ))),
            None => None,
        };
        let default = Arc::new(ResolvedConfig::new(ConfigFile::default(), &overrides));
        Ok(ConfigResolver {
            explicit,
            overrides,
            by_dir: FxHashMap::default(),
            default,
        })
    }

    /// The configuration for a file in `dir`: the nearest `leaklint.toml` above it.
    pub fn for_dir(&mut self, dir: &Path) -> Result<Arc<ResolvedConfig>, ConfigError> {
        if let Some(explicit) = &self.explicit {
            return Ok(explicit.clone());
        }
        let dir = absolute(dir);
        let mut missing = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(config) = self.by_dir.get(ancestor) {
                found = Some(config.clone());
                break;
            }
            let candidate = ancestor.join(FILE_NAME);
            if candidate.is_file() {
                let file = ConfigFile::load(&candidate)?;
                let config = Arc::new(ResolvedConfig::new(file, &self.overrides));
                self.by_dir.insert(ancestor.to_path_buf(), config.clone());
                found = Some(config);
                break;
            }
            missing.push(ancestor.to_path_buf());
        }
        let config = found.unwrap_or_else(|| self.default.clone());
        for dir in missing {
            self.by_dir.insert(dir, config.clone());
        }
        Ok(config)
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The nearest package.json `"type"` is `"module"`: `.js` files there are ES modules.
pub struct PackageTypes {
    by_dir: FxHashMap<PathBuf, bool>,
}

impl PackageTypes {
    pub fn new() -> PackageTypes {
        PackageTypes {
            by_dir: FxHashMap::default(),
        }
    }

    pub fn is_module(&mut self, dir: &Path) -> bool {
        let dir = absolute(dir);
        let mut missing = Vec::new();
        let mut answer = false;
        for ancestor in dir.ancestors() {
            if let Some(&known) = self.by_dir.get(ancestor) {
                answer = known;
                break;
            }
            missing.push(ancestor.to_path_buf());
            if let Ok(text) = std::fs::read_to_string(ancestor.join("package.json")) {
                answer = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("type")?.as_str().map(|t| t == "module"))
                    .unwrap_or(false);
                break;
            }
        }
        for dir in missing {
            self.by_dir.insert(dir, answer);
        }
        answer
    }
}

impl Default for PackageTypes {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse(text, Path::new("leaklint.toml"), PathBuf::from("/p"))
    }

    #[test]
    fn reads_every_key() {
        let config = parse(
            "env = [\"browser\"]\nglobals = { app = \"writable\" }\nignore = [\"dist/**\"]\n[rules]\nimplicit-global = \"warn\"\n",
        )
        .unwrap();
        assert_eq!(config.env, Some(vec!["browser".to_string()]));
        assert_eq!(config.globals, vec!["app".to_string()]);
        assert!(config.ignores(Path::new("/p/dist/a.js")));
        assert!(!config.ignores(Path::new("/p/src/a.js")));
        assert_eq!(
            config.rules["implicit-global"].severity,
            Some(Severity::Warn)
        );
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let error = parse("env = [\"node\"]\n[rules]\nimplicit-globals = \"warn\"\n").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(
            error.message.contains("unknown rule `implicit-globals`"),
            "{error}"
        );

        let error = parse("[rules]\nimplicit-global = \"loud\"\n").unwrap_err();
        assert_eq!(error.line, Some(2));

        let error = parse("colour = 1\n").unwrap_err();
        assert_eq!(error.line, Some(1));
        assert!(error.message.contains("unknown field `colour`"), "{error}");

        let error = parse("env = [\"nodejs\"]").unwrap_err();
        assert!(
            error.message.contains("unknown environment `nodejs`"),
            "{error}"
        );

        let error = parse("[rules\n").unwrap_err();
        assert_eq!(error.line, Some(1));
    }

    #[test]
    fn command_line_wins() {
        let file = parse("[rules]\nimplicit-global = \"warn\"\n").unwrap();
        let overrides = Overrides {
            rules: vec![("implicit-global".into(), Severity::Off)],
            ..Overrides::default()
        };
        assert!(!Settings::new(&file, &overrides).is_enabled("implicit-global"));
        assert_eq!(
            Settings::new(&file, &Overrides::default()).severity("implicit-global"),
            Severity::Warn
        );
    }
}
