//! What applies to one file, resolved: each rule's severity and options, and the globals it may
//! assign. The rules and the lint loop only query it; [`crate::config`], which reads
//! `leaklint.toml` and knows the rules' default severities, builds it (`Settings::new`,
//! `Settings::default`). It sits below the rules so that they need nothing of the
//! configuration's files.

use rustc_hash::FxHashMap;

use crate::diagnostic::Severity;
use crate::globals::GlobalSet;

/// What applies to one file: severities and options per rule and the globals it may assign.
#[derive(Debug)]
pub struct Settings {
    severities: FxHashMap<&'static str, Severity>,
    /// Rules whose severity the user set; the others may pick a severity per finding.
    configured: Vec<&'static str>,
    options: FxHashMap<&'static str, toml::Table>,
    pub globals: GlobalSet,
    /// Changes whenever anything that decides results changes (for `--cache`).
    pub fingerprint: u64,
}

impl Settings {
    /// Every rule at its `defaults` severity, with no options; [`Settings::configure`] and
    /// [`Settings::set_options`] apply what the user set.
    pub fn with_defaults(
        defaults: impl IntoIterator<Item = (&'static str, Severity)>,
        globals: GlobalSet,
        fingerprint: u64,
    ) -> Settings {
        Settings {
            severities: defaults.into_iter().collect(),
            configured: Vec::new(),
            options: FxHashMap::default(),
            globals,
            fingerprint,
        }
    }

    /// The user set `rule`'s severity: it wins over the severity a rule picks per finding.
    pub fn configure(&mut self, rule: &'static str, severity: Severity) {
        self.severities.insert(rule, severity);
        self.configured.push(rule);
    }

    /// `rule`'s options, as `[rules.<id>]` gives them (already checked against the rule's).
    pub fn set_options(&mut self, rule: &'static str, options: toml::Table) {
        self.options.insert(rule, options);
    }

    pub fn severity(&self, rule: &str) -> Severity {
        self.severities.get(rule).copied().unwrap_or(Severity::Off)
    }

    /// The severity of one finding: the configured one, else the finding's own default (a
    /// rule may grade its findings), else the rule's default.
    pub fn severity_of(&self, rule: &str, finding_default: Option<Severity>) -> Severity {
        match finding_default {
            Some(severity) if !self.configured.contains(&rule) && self.is_enabled(rule) => severity,
            _ => self.severity(rule),
        }
    }

    pub fn is_enabled(&self, rule: &str) -> bool {
        self.severity(rule) != Severity::Off
    }

    /// A boolean option of a rule (`false` when not set).
    pub fn option_bool(&self, rule: &str, name: &str) -> bool {
        self.options
            .get(rule)
            .and_then(|o| o.get(name))
            .and_then(toml::Value::as_bool)
            .unwrap_or(false)
    }

    /// A list-of-names option of a rule (empty when not set).
    pub fn option_names(&self, rule: &str, name: &str) -> Vec<&str> {
        self.options
            .get(rule)
            .and_then(|o| o.get(name))
            .and_then(toml::Value::as_array)
            .map(|items| items.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default()
    }
}
