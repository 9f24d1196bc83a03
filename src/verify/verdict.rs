//! From what the driver measured to a verdict. The criteria, also written in the README and in
//! each rule's page:
//!
//! - The driver calls the code in [`WINDOWS`] + 1 windows of equal size; the first is a warm-up
//!   (lazy initialisation, JIT), then it measures after a full `global.gc()` at the end of each.
//! - **confirmed** when the rule's quantity grew in *every* measured window: by at least one
//!   entry, interval, listener or module record for counts, by at least
//!   [`HEAP_MIN_WINDOW_BYTES`] for retained heap (only used for `unbounded-cache` when the
//!   collection cannot be read); for `implicit-global` when the name became a new own
//!   property of `globalThis`. Or when the child ran out of heap after at least
//!   [`MIN_OOM_CALLS`] calls.
//! - **not reproduced** when the code ran and the quantity did not grow in every window.
//! - **unverifiable** when it could not run as asked, with the reason.

use serde_json::Value;

use crate::diagnostic::{Evidence, Grown, RetainerStep, Sample, Stubbed, Verdict, Verification};
use crate::rules::Measure;
use crate::verify::sandbox::{Exit, Outcome};

/// Measured windows after the warm-up one.
pub const WINDOWS: u32 = 4;
/// Retained heap must grow at least this much in each window (GC noise between windows of a
/// function that keeps nothing stays under 20 KiB).
pub const HEAP_MIN_WINDOW_BYTES: f64 = 64.0 * 1024.0;
/// An out-of-memory death after fewer calls is one call that needs more than the limit.
pub const MIN_OOM_CALLS: u64 = 10;

/// What the finding claims grows (the rule, the collection or global, the entry called) and the
/// limits it ran under: what the verdict needs besides the run.
pub struct Claim<'a> {
    pub rule: &'a str,
    /// What the rule's metadata says to measure.
    pub measure: Measure,
    pub collection: Option<&'a str>,
    pub global_name: Option<&'a str>,
    pub entry: Option<String>,
    pub heap_limit_mb: u32,
    pub timeout_secs: f64,
}

struct Window {
    calls: f64,
    heap: f64,
    size: Option<f64>,
    intervals: f64,
    listeners: f64,
    subscriptions: f64,
    modules: f64,
    cached: f64,
    children: f64,
    listener_counts: serde_json::Map<String, Value>,
    globals: Vec<String>,
}

impl Window {
    fn from(value: &Value) -> Window {
        let n = |key: &str| value[key].as_f64().unwrap_or(0.0);
        Window {
            calls: n("calls"),
            heap: n("heap"),
            size: value["size"].as_f64(),
            intervals: n("intervals"),
            listeners: n("listeners"),
            subscriptions: n("subscriptions"),
            modules: n("modules"),
            cached: n("cached"),
            children: n("children"),
            listener_counts: value["listenerCounts"]
                .as_object()
                .cloned()
                .unwrap_or_default(),
            globals: value["globals"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|g| g.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

pub fn decide(claim: &Claim, run: &Outcome) -> Verification {
    let mut verification = Verification {
        verdict: Verdict::Unverifiable,
        summary: String::new(),
        entry: claim.entry.clone(),
        measured: None,
        calls: run.calls,
        per_call: None,
        windows: Vec::new(),
        heap_bytes_per_call: None,
        heap_limit_reached_after: None,
        elapsed_ms: run.elapsed.as_millis() as u64,
        mode: None,
        stubbed: stubbed(run),
        samples: Vec::new(),
        evidence: None,
    };
    let message = |kind: &str| run.messages.iter().find(|m| m["t"] == kind);
    let loaded = message("loaded").is_some();
    let unverifiable = |v: &mut Verification, reason: String| {
        v.verdict = Verdict::Unverifiable;
        v.summary = reason;
    };
    if let Some(channel) = run.output_exceeded {
        unverifiable(
            &mut verification,
            format!(
                "stopped: the code wrote more than {} MB to {channel} (output is capped)",
                crate::verify::sandbox::OUTPUT_LIMIT / (1024 * 1024)
            ),
        );
        return verification;
    }
    let out_of_memory = matches!(run.exit, Exit::Code(134) | Exit::Signal(libc::SIGABRT))
        && (run.stderr.contains("heap out of memory") || run.stderr.contains("Reached heap limit"));
    if out_of_memory {
        if !loaded {
            unverifiable(
                &mut verification,
                format!(
                    "ran out of the {} MB heap while loading the module (raise --heap-limit)",
                    claim.heap_limit_mb
                ),
            );
        } else if run.calls >= MIN_OOM_CALLS {
            verification.verdict = Verdict::Confirmed;
            verification.heap_limit_reached_after = Some(run.calls);
            verification.heap_bytes_per_call =
                Some(claim.heap_limit_mb as f64 * 1024.0 * 1024.0 / run.calls.max(1) as f64);
            verification.summary = format!(
                "reached the {} MB heap limit after {} calls (JavaScript heap out of memory)",
                claim.heap_limit_mb, run.calls
            );
            // The phase that was running is the mode that ran out of memory.
            verification.mode = phases(run).last().and_then(Phase::mode_text);
            if let Some(mode) = &verification.mode {
                verification.summary = format!("on {mode}: {}", verification.summary);
            }
        } else {
            unverifiable(
                &mut verification,
                format!(
                    "ran out of the {} MB heap after {} calls: a single call needs more than that (raise --heap-limit)",
                    claim.heap_limit_mb, run.calls
                ),
            );
        }
        return verification;
    }
    if run.timed_out {
        let reason = if loaded {
            format!(
                "timed out after {} s and {} calls (lower --iterations or raise --timeout)",
                claim.timeout_secs, run.calls
            )
        } else {
            format!(
                "timed out after {} s while loading the module (an endless loop at load?)",
                claim.timeout_secs
            )
        };
        unverifiable(&mut verification, reason);
        return verification;
    }
    if let Some(error) = message("load-error") {
        unverifiable(
            &mut verification,
            format!("threw while loading: {}", text(&error["error"])),
        );
        return verification;
    }
    if let Some(reason) = message("unverifiable") {
        unverifiable(&mut verification, text(&reason["reason"]));
        return verification;
    }
    if let Some(error) = message("driver-error") {
        unverifiable(
            &mut verification,
            format!("the driver failed: {}", text(&error["error"])),
        );
        return verification;
    }
    let Some(done) = message("done") else {
        let reason = match (message("exit"), loaded) {
            (Some(exit), false) => format!(
                "the module ended the process while loading (process.exit({}))",
                exit["code"]
            ),
            (Some(exit), true) => format!(
                "the code ended the process after {} calls (process.exit({}))",
                run.calls, exit["code"]
            ),
            (None, _) => {
                let last = run
                    .stderr
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                format!(
                    "node died ({}) after {} calls{}",
                    match run.exit {
                        Exit::Code(c) => format!("exit status {c}"),
                        Exit::Signal(s) => format!("signal {s}"),
                    },
                    run.calls,
                    if last.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", truncate(last, 200))
                    }
                )
            }
        };
        unverifiable(&mut verification, reason);
        return verification;
    };
    verification.calls = done["calls"].as_u64().unwrap_or(run.calls);
    let judged: Vec<(Option<String>, Verification)> = phases(run)
        .into_iter()
        .map(|phase| {
            let mode = phase.mode_text();
            (mode, judge(claim, verification.clone(), &phase))
        })
        .collect();
    combine(verification, judged)
}

/// One way of calling the code, as the driver reports it: `calls` (a function), `fresh`
/// (a new instance per call), `instance` (every call on one instance) or `singleton` (every
/// call on the instance the module exports).
struct Phase {
    mode: String,
    /// Where the exported instance was found (`module.exports`), for `singleton`.
    found_at: Option<String>,
    /// How a component was run (`connected and disconnected`), for `mount`.
    text: Option<String>,
    windows: Vec<Window>,
    /// Its `phase-done` message (calls and errors), if it finished.
    done: Option<Value>,
    /// What the heap snapshots showed, when something grew.
    evidence: Option<Evidence>,
}

impl Phase {
    /// How the report names the mode; `None` for plain calls.
    fn mode_text(&self) -> Option<String> {
        match self.mode.as_str() {
            "fresh" => Some("a fresh instance per call".into()),
            "instance" => Some("one instance, called again and again".into()),
            "mount" => Some(format!(
                "a fresh component per call, {}",
                self.text.as_deref().unwrap_or("mounted and unmounted")
            )),
            "singleton" => Some(format!(
                "the exported instance (`{}`)",
                self.found_at.as_deref().unwrap_or("?")
            )),
            _ => None,
        }
    }
}

/// The phases of a run, from its `phase`, `window` and `phase-done` messages.
fn phases(run: &Outcome) -> Vec<Phase> {
    let mut phases: Vec<Phase> = Vec::new();
    for message in &run.messages {
        match message["t"].as_str() {
            Some("phase") => phases.push(Phase {
                mode: text(&message["mode"]),
                found_at: message["foundAt"].as_str().map(str::to_string),
                text: message["text"].as_str().map(str::to_string),
                windows: Vec::new(),
                done: None,
                evidence: None,
            }),
            Some("window") => match phases.last_mut() {
                Some(phase) => phase.windows.push(Window::from(message)),
                None => phases.push(Phase {
                    mode: "calls".into(),
                    found_at: None,
                    text: None,
                    windows: vec![Window::from(message)],
                    done: None,
                    evidence: None,
                }),
            },
            Some("evidence") => {
                if let Some(phase) = phases.last_mut() {
                    phase.evidence = evidence(message);
                }
            }
            Some("phase-done") => {
                if let Some(phase) = phases.last_mut() {
                    phase.done = Some(message.clone());
                }
            }
            _ => {}
        }
    }
    phases
}

/// One verdict from the phases' verdicts: confirmed in any mode is confirmed (in the first
/// mode that confirmed it, naming the others that did too); else the modes' figures side by
/// side, not reproduced if any mode ran far enough to tell.
fn combine(base: Verification, judged: Vec<(Option<String>, Verification)>) -> Verification {
    let label = |mode: &Option<String>, v: &Verification| match mode {
        Some(mode) => format!("on {mode}: {}", v.summary),
        None => v.summary.clone(),
    };
    let confirmed: Vec<&(Option<String>, Verification)> = judged
        .iter()
        .filter(|(_, v)| v.verdict == Verdict::Confirmed)
        .collect();
    if let Some((mode, first)) = confirmed.first() {
        let mut v = first.clone();
        v.summary = label(mode, first);
        let also: Vec<&str> = confirmed[1..]
            .iter()
            .filter_map(|(m, _)| m.as_deref())
            .collect();
        if !also.is_empty() {
            v.summary
                .push_str(&format!(" (confirmed on {} too)", also.join(" and ")));
        }
        v.mode = mode.clone();
        return v;
    }
    let Some((_, chosen)) = judged
        .iter()
        .find(|(_, v)| v.verdict == Verdict::NotReproduced)
        .or(judged.first())
    else {
        let mut v = base;
        v.summary = "the driver did not report every window".into();
        return v;
    };
    let mut v = chosen.clone();
    v.summary = judged
        .iter()
        .map(|(mode, verification)| label(mode, verification))
        .collect::<Vec<_>>()
        .join("; ");
    v.mode = None;
    v
}

/// The verdict of one phase from its windows.
fn judge(claim: &Claim, mut verification: Verification, phase: &Phase) -> Verification {
    let unverifiable = |v: &mut Verification, reason: String| {
        v.verdict = Verdict::Unverifiable;
        v.summary = reason;
    };
    let windows = &phase.windows;
    let (phase_calls, errors) = match &phase.done {
        Some(done) => (done["calls"].as_u64().unwrap_or(0), &done["errors"]),
        None => (0, &Value::Null),
    };
    let error_count = errors["count"].as_u64().unwrap_or(0);
    let first_error = errors["first"].as_str().map(str::to_string);
    if let Some(reason) = phase.done.as_ref().and_then(|d| d["unverifiable"].as_str()) {
        unverifiable(&mut verification, truncate(reason, 300));
        return verification;
    }
    if windows.len() < WINDOWS as usize + 2 {
        unverifiable(
            &mut verification,
            "the driver did not report every window".into(),
        );
        return verification;
    }
    // Window 0 is before any call, 1 ends the warm-up; 2… are measured.
    let measured = &windows[1..];
    let first = &measured[0];
    let last = &measured[measured.len() - 1];
    let calls = (last.calls - first.calls).max(1.0);
    let heap_per_call = (last.heap - first.heap) / calls;
    verification.heap_bytes_per_call = Some(heap_per_call);
    let all_threw = error_count >= phase_calls && phase_calls > 0;
    let heap_note = format!("retained heap {}", per_call_bytes(heap_per_call));

    let sizes_read = measured.iter().all(|w| w.size.is_some());
    let (measured_what, value, threshold): (String, fn(&Window) -> f64, f64) = match claim.measure {
        Measure::GlobalKeys => {
            return implicit_global(claim, verification, last, all_threw, first_error);
        }
        Measure::CollectionSize if sizes_read => (
            format!(
                "entries in `{}`",
                claim.collection.unwrap_or("the collection")
            ),
            |w| w.size.unwrap_or(0.0),
            1.0,
        ),
        Measure::CollectionSize => (
            "retained heap bytes".into(),
            |w| w.heap,
            HEAP_MIN_WINDOW_BYTES,
        ),
        Measure::LiveIntervals => ("live intervals".into(), |w| w.intervals, 1.0),
        Measure::Listeners => ("listeners on live emitters".into(), |w| w.listeners, 1.0),
        Measure::RequireCache => ("live module records".into(), |w| w.modules, 1.0),
        // Observations are counted where the built-in browser provides the observers; other
        // subscriptions (a store's, a reaction's) show as the heap their closures keep.
        Measure::Subscriptions if measured.iter().any(|w| w.subscriptions > 0.0) => {
            ("live observations".into(), |w| w.subscriptions, 1.0)
        }
        Measure::Subscriptions => (
            "retained heap bytes".into(),
            |w| w.heap,
            HEAP_MIN_WINDOW_BYTES,
        ),
        Measure::None => {
            unverifiable(
                &mut verification,
                format!("leaklint does not verify `{}`", claim.rule),
            );
            return verification;
        }
    };
    let deltas: Vec<f64> = measured
        .windows(2)
        .map(|w| value(&w[1]) - value(&w[0]))
        .collect();
    let (total_before, total_after) = (value(first), value(last));
    // Every window the driver reported, the one before any call first: what a plot shows.
    verification.samples = windows
        .iter()
        .map(|w| Sample {
            calls: w.calls as u64,
            value: value(w),
            heap: w.heap,
        })
        .collect();
    let per_call = (total_after - total_before) / calls;
    let grew_every_window = deltas.iter().all(|d| *d >= threshold);
    verification.measured = Some(measured_what.clone());
    verification.per_call = Some(per_call);
    verification.windows = deltas.clone();
    let detail = match claim.measure {
        Measure::Listeners => top_listener(first, last)
            .map(|(event, before, after)| format!("; {event}: {before} → {after}"))
            .unwrap_or_default(),
        Measure::RequireCache => format!(
            "; require.cache {} → {}, module.children {} → {}",
            first.cached, last.cached, first.children, last.children
        ),
        _ => String::new(),
    };
    let windows_text = deltas
        .iter()
        .map(|d| format_signed(*d))
        .collect::<Vec<_>>()
        .join(", ");
    if grew_every_window {
        verification.verdict = Verdict::Confirmed;
        verification.evidence = phase.evidence.clone();
        verification.summary = format!(
            "{measured_what} grew in each of {} windows ({windows_text}): {} per call, {} → {} over {} calls{detail}; {heap_note}",
            deltas.len(),
            format_signed(per_call),
            round(total_before),
            round(total_after),
            calls
        );
    } else if all_threw {
        unverifiable(
            &mut verification,
            format!(
                "every call threw ({}), so the code never ran far enough to tell (leaklint's made-up arguments may not suit it: use --scenario)",
                first_error.unwrap_or_default()
            ),
        );
    } else {
        verification.verdict = Verdict::NotReproduced;
        let errors_note = if error_count > 0 {
            format!(
                "; {error_count} of {phase_calls} calls threw ({})",
                first_error.unwrap_or_default()
            )
        } else {
            String::new()
        };
        verification.summary = format!(
            "{measured_what} did not grow in every window ({windows_text}): {} → {} over {} calls{detail}; {heap_note}{errors_note}",
            round(total_before),
            round(total_after),
            calls
        );
    }
    verification
}

/// The driver's `evidence` message: the kinds of object that grew and a retainer path.
fn evidence(message: &Value) -> Option<Evidence> {
    let grown: Vec<Grown> = message["grown"]
        .as_array()?
        .iter()
        .filter_map(|g| {
            Some(Grown {
                name: g["name"].as_str()?.to_string(),
                before: g["before"].as_u64().unwrap_or(0),
                after: g["after"].as_u64()?,
            })
        })
        .collect();
    let path: Vec<RetainerStep> = message["path"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter_map(|step| {
                    Some(RetainerStep {
                        node: step["node"].as_str()?.to_string(),
                        edge: step["edge"].as_str().map(str::to_string),
                        line: step["line"].as_u64().map(|l| l as u32),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    (!grown.is_empty() || !path.is_empty()).then_some(Evidence { grown, path })
}

/// The packages the driver stubbed, from its `stub` messages, in the order it stubbed them.
fn stubbed(run: &Outcome) -> Vec<Stubbed> {
    let mut stubbed: Vec<Stubbed> = Vec::new();
    for message in run.messages.iter().filter(|m| m["t"] == "stub") {
        let module = text(&message["module"]);
        if !stubbed.iter().any(|s| s.module == module) {
            stubbed.push(Stubbed {
                module,
                reason: text(&message["reason"]),
            });
        }
    }
    stubbed
}

fn implicit_global(
    claim: &Claim,
    mut verification: Verification,
    last: &Window,
    all_threw: bool,
    first_error: Option<String>,
) -> Verification {
    verification.measured = Some("new own keys of globalThis".into());
    let created: Vec<&String> = match claim.global_name {
        Some(name) => last.globals.iter().filter(|g| *g == name).collect(),
        None => last.globals.iter().collect(),
    };
    verification.per_call = None;
    if !created.is_empty() {
        verification.verdict = Verdict::Confirmed;
        verification.summary = format!(
            "the calls created the global `{}`: a new own property of globalThis that lives as long as the process ({} calls)",
            created[0], verification.calls
        );
    } else if all_threw {
        let error = first_error.unwrap_or_default();
        if error.starts_with("ReferenceError") {
            verification.verdict = Verdict::NotReproduced;
            verification.summary =
                format!("the assignment threw instead of creating a global ({error}): strict code");
        } else {
            verification.verdict = Verdict::Unverifiable;
            verification.summary = format!(
                "every call threw ({error}), so the code never ran far enough to tell (leaklint's made-up arguments may not suit it: use --scenario)"
            );
        }
    } else {
        verification.verdict = Verdict::NotReproduced;
        let others = if last.globals.is_empty() {
            String::new()
        } else {
            format!(" (other new globals: {})", last.globals.join(", "))
        };
        verification.summary = format!(
            "no global `{}` appeared on globalThis after {} calls{others}",
            claim.global_name.unwrap_or("?"),
            verification.calls
        );
    }
    verification
}

/// The emitter event whose listeners grew most: (label, before, after).
fn top_listener(first: &Window, last: &Window) -> Option<(String, i64, i64)> {
    last.listener_counts
        .iter()
        .map(|(event, after)| {
            let after = after.as_i64().unwrap_or(0);
            let before = first
                .listener_counts
                .get(event)
                .and_then(Value::as_i64)
                .unwrap_or(0);
            (event.clone(), before, after)
        })
        .filter(|(_, before, after)| after > before)
        .max_by_key(|(_, before, after)| after - before)
}

fn text(value: &Value) -> String {
    truncate(value.as_str().unwrap_or("unknown"), 300)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        let short: String = text.chars().take(max - 1).collect();
        format!("{short}…")
    } else {
        text.to_string()
    }
}

fn round(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn format_signed(value: f64) -> String {
    let magnitude = if value.abs() >= 100.0 || value.fract() == 0.0 {
        format!("{:.0}", value.abs())
    } else {
        format!("{:.2}", value.abs())
    };
    if value < 0.0 {
        format!("-{magnitude}")
    } else {
        format!("+{magnitude}")
    }
}

fn per_call_bytes(bytes: f64) -> String {
    if bytes.abs() >= 1024.0 * 1024.0 {
        format!(
            "{}{:.1} MB/call",
            if bytes < 0.0 { "-" } else { "+" },
            bytes.abs() / 1048576.0
        )
    } else if bytes.abs() >= 1024.0 {
        format!(
            "{}{:.1} KB/call",
            if bytes < 0.0 { "-" } else { "+" },
            bytes.abs() / 1024.0
        )
    } else {
        format!("{} B/call", format_signed(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{verifiable_rules, DEFAULT_HEAP_LIMIT_MB, DEFAULT_ITERATIONS};

    fn run_with(messages: Vec<Value>) -> Outcome {
        Outcome {
            exit: Exit::Code(0),
            timed_out: false,
            output_exceeded: None,
            messages,
            calls: 2000,
            stderr: String::new(),
            elapsed: std::time::Duration::from_millis(10),
        }
    }

    /// A phase of 6 windows of 200 calls whose listener count grows by `step` per window.
    fn phase(mode: &str, first_call: u64, step: u64) -> Vec<Value> {
        let mut messages = vec![serde_json::json!({ "t": "phase", "mode": mode })];
        for w in 0..6u64 {
            messages.push(serde_json::json!({
                "t": "window", "w": w, "calls": first_call + w * 200,
                "heap": 1_000_000, "listeners": 3 + w * step, "intervals": 0,
            }));
        }
        messages.push(
            serde_json::json!({ "t": "phase-done", "calls": 1000, "errors": { "count": 0 } }),
        );
        messages
    }

    fn listeners_claim() -> Claim<'static> {
        Claim {
            rule: "repeated-listener",
            measure: Measure::Listeners,
            collection: None,
            global_name: None,
            entry: None,
            heap_limit_mb: 64,
            timeout_secs: 30.0,
        }
    }

    #[test]
    fn a_leak_on_one_instance_is_confirmed_and_says_so() {
        let mut messages = vec![serde_json::json!({ "t": "loaded" })];
        messages.extend(phase("fresh", 0, 0));
        messages.extend(phase("instance", 1200, 200));
        messages.push(serde_json::json!({ "t": "done", "calls": 2400, "errors": { "count": 0 } }));
        let v = decide(&listeners_claim(), &run_with(messages));
        assert_eq!(v.verdict, Verdict::Confirmed, "{}", v.summary);
        assert_eq!(
            v.mode.as_deref(),
            Some("one instance, called again and again")
        );
        assert!(
            v.summary
                .starts_with("on one instance, called again and again: listeners"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn no_growth_in_any_mode_reports_each_mode() {
        let mut messages = vec![serde_json::json!({ "t": "loaded" })];
        messages.extend(phase("fresh", 0, 0));
        messages.extend(phase("instance", 1200, 0));
        messages.push(serde_json::json!({ "t": "done", "calls": 2400, "errors": { "count": 0 } }));
        let v = decide(&listeners_claim(), &run_with(messages));
        assert_eq!(v.verdict, Verdict::NotReproduced, "{}", v.summary);
        assert_eq!(v.mode, None);
        assert!(
            v.summary.starts_with(
                "on a fresh instance per call: listeners on live emitters did not grow"
            ) && v
                .summary
                .contains("; on one instance, called again and again: listeners"),
            "{}",
            v.summary
        );
    }

    /// The criteria are written out in each rule's page and the README: they must say what
    /// the code does.
    #[test]
    fn documented_criteria_match_the_constants() {
        let readme = include_str!("../../README.md");
        let iterations = format!(
            "default {},{:03}",
            DEFAULT_ITERATIONS / 1000,
            DEFAULT_ITERATIONS % 1000
        );
        let heap = format!("default {DEFAULT_HEAP_LIMIT_MB}");
        let windows = format!("{WINDOWS} measured windows");
        let oom = format!("at least {MIN_OOM_CALLS} calls");
        let heap_floor = format!("{} KiB", HEAP_MIN_WINDOW_BYTES / 1024.0);
        for rule in verifiable_rules() {
            let page = rule.docs;
            let rule = rule.id;
            let section = page
                .split("## Runtime verification")
                .nth(1)
                .unwrap_or_else(|| panic!("{rule} has no Runtime verification section"));
            let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in [&iterations, &heap, &windows, &oom] {
                assert!(
                    flat.contains(needle.as_str()),
                    "{rule}: `{needle}` in {flat}"
                );
            }
        }
        let cache = crate::rules::unbounded_cache::META.docs;
        assert!(
            cache.contains(&heap_floor),
            "unbounded-cache states {heap_floor}"
        );
        let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "(default 5,000)".to_string(),
            format!("(default {DEFAULT_HEAP_LIMIT_MB})"),
            format!("{WINDOWS} measured windows"),
            oom.clone(),
            format!("≥ {heap_floor}"),
            format!(
                "stopped at {} MB",
                crate::verify::sandbox::OUTPUT_LIMIT / (1024 * 1024)
            ),
        ] {
            assert!(flat.contains(&needle), "README: `{needle}`");
        }
        assert_eq!(DEFAULT_ITERATIONS, 5_000, "the README's table says 5,000");
    }
}
