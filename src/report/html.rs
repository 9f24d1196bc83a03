//! `--report FILE.html`: one self-contained page of the verifier's findings, each with its source,
//! its verdict, plots of the figures per window and what the heap snapshots showed.
//!
//! It lives with the reporters, not in `verify/`, because it is one: it reads a finished
//! [`CheckResult`] and knows nothing of how the findings were run, so the arrow keeps pointing
//! from verify to report. It is not a `--format` because the page goes to a file beside the
//! normal output; what it shows of the run itself (the node version) the caller hands it.
//!
//! Self-contained on purpose: inline CSS and SVG, no script, and a Content-Security-Policy that
//! forbids loading anything, so the page reads the same as a CI artifact or offline, and a stray
//! external reference shows as a console error in the browser test instead of working online.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Evidence, Range, Verdict, Verification};
use crate::report::{display_path, plural};
use crate::result::{CheckResult, FileReport};
use crate::source::LineIndex;

/// The stroke of the measured quantity's plot: a colour used nowhere else on the page, so a
/// screenshot's pixels of it are the plot's.
pub const MEASURED_STROKE: &str = "#7048e8";
/// The stroke of the retained heap's plot, likewise used nowhere else.
pub const HEAP_STROKE: &str = "#1098ad";

/// Lines of source shown before and after a finding.
const CONTEXT: usize = 3;
/// Lines of a finding that spans more shown before its context after (a whole callback).
const MAX_FINDING_LINES: usize = 8;
/// Bytes of a source line shown: a minified line is no use to read and would bloat the page.
const MAX_LINE: usize = 200;

/// What the page says about the run as a whole, from the verifier's closing summary.
#[derive(Debug, Default)]
pub struct RunInfo {
    /// The node that ran the findings: `v20.20.2`.
    pub node: Option<String>,
    /// The verifier's closing note: what ran, how it was contained.
    pub description: Option<String>,
}

pub fn write(result: &CheckResult, run: &RunInfo, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(page(result, run).as_bytes())
}

/// The whole page.
pub fn page(result: &CheckResult, run: &RunInfo) -> String {
    let mut verified = Vec::new();
    let mut unverified = Vec::new();
    for file in &result.files {
        for d in &file.diagnostics {
            match &d.verification {
                Some(v) => verified.push((file, d, v)),
                None => unverified.push((file, d)),
            }
        }
    }
    let mut html = String::from(HEAD);
    html.push_str(&header(&verified, unverified.len(), run));
    for (n, (file, d, v)) in verified.iter().enumerate() {
        html.push_str(&finding(n + 1, file, d, v));
    }
    html.push_str(&unverified_list(&unverified));
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>leaklint verify report</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; color: #212529; background: #f8f9fa; margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0; }
h2 { font-size: 17px; margin: 0 0 8px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
h3 { font-size: 14px; margin: 14px 0 6px; }
code, .source, .loc { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.totals span { display: inline-block; margin-right: 12px; font-weight: 600; }
.run { color: #495057; font-size: 13px; }
.finding { background: #fff; border: 1px solid #dee2e6; border-left: 6px solid #adb5bd; border-radius: 6px; padding: 14px 18px; margin: 18px 0; }
.finding.confirmed { border-left-color: #c92a2a; }
.finding.not-reproduced { border-left-color: #2b8a3e; }
.verdict { color: #fff; border-radius: 4px; padding: 1px 8px; font-size: 13px; font-weight: 700; text-transform: uppercase; }
.verdict.confirmed, .totals .confirmed { background: #c92a2a; }
.verdict.not-reproduced, .totals .not-reproduced { background: #2b8a3e; }
.verdict.unverifiable, .totals .unverifiable { background: #5c636a; }
.totals .confirmed, .totals .not-reproduced, .totals .unverifiable { color: #fff; border-radius: 4px; padding: 1px 8px; }
.rule { color: #495057; font-weight: 600; }
.summary { background: #f1f3f5; border-radius: 4px; padding: 6px 10px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; font-size: 14px; }
dl.facts dt { color: #6c757d; }
dl.facts dd { margin: 0; }
.source { background: #f8f9fa; border: 1px solid #e9ecef; border-radius: 4px; padding: 6px 0; margin: 10px 0; overflow-x: auto; }
.source .line { white-space: pre; padding: 0 10px; min-height: 1.45em; }
.source .line.hit { background: #fff3bf; }
.source .line:target { background: #ffd8a8; outline: 2px solid #e8590c; }
.source .ln { display: inline-block; width: 4em; color: #868e96; text-align: right; margin-right: 12px; user-select: none; }
.source mark { background: #ffe066; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
svg.plot { background: #fff; border: 1px solid #e9ecef; border-radius: 4px; }
svg.plot text { font: 11px system-ui, sans-serif; fill: #495057; }
svg.plot .title { font-size: 12px; font-weight: 600; fill: #212529; }
svg.plot .code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
svg.plot .axis { stroke: #495057; stroke-width: 1; fill: none; }
svg.plot .grid { stroke: #e9ecef; stroke-width: 1; }
table.grown { border-collapse: collapse; font-size: 14px; }
table.grown th, table.grown td { border-bottom: 1px solid #e9ecef; padding: 2px 12px 2px 0; text-align: right; }
table.grown th:first-child, table.grown td:first-child { text-align: left; }
.path code { background: #f1f3f5; padding: 0 4px; border-radius: 3px; }
.none { color: #6c757d; font-style: italic; }
</style>
</head>
<body>
<main>
"#;

/// The title, the totals by verdict and what ran.
fn header(
    verified: &[(&FileReport, &Diagnostic, &Verification)],
    unverified: usize,
    run: &RunInfo,
) -> String {
    let count = |verdict: Verdict| {
        verified
            .iter()
            .filter(|(_, _, v)| v.verdict == verdict)
            .count()
    };
    let mut html = String::from("<header>\n<h1>leaklint verify report</h1>\n<p class=\"totals\">");
    for verdict in [
        Verdict::Confirmed,
        Verdict::NotReproduced,
        Verdict::Unverifiable,
    ] {
        html.push_str(&format!(
            "<span class=\"{}\">{} {verdict}</span>",
            verdict_class(verdict),
            count(verdict)
        ));
    }
    html.push_str(&format!("<span>{unverified} not verified</span></p>\n"));
    if let Some(node) = &run.node {
        html.push_str(&format!("<p class=\"run\">Node.js {}</p>\n", escape(node)));
    }
    if let Some(description) = &run.description {
        html.push_str(&format!("<p class=\"run\">{}</p>\n", inline(description)));
    }
    html.push_str("</header>\n");
    html
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Confirmed => "confirmed",
        Verdict::NotReproduced => "not-reproduced",
        Verdict::Unverifiable => "unverifiable",
    }
}

/// One verified finding: where, what, the verdict and the figures behind it.
fn finding(n: usize, file: &FileReport, d: &Diagnostic, v: &Verification) -> String {
    let class = verdict_class(v.verdict);
    let mut html = format!(
        "<section class=\"finding {class}\" id=\"f{n}\">\n<h2><span class=\"verdict {class}\">{}</span> <a class=\"loc\" href=\"#f{n}\">{}</a> <span class=\"rule\">{}</span></h2>\n",
        v.verdict,
        escape(&location(file, d)),
        escape(d.rule.unwrap_or("fatal")),
    );
    html.push_str(&format!(
        "<p class=\"message\">{}</p>\n",
        inline(&d.message)
    ));
    html.push_str(&format!(
        "<p class=\"summary\">{}</p>\n",
        inline(&v.summary)
    ));
    html.push_str(&facts(v));
    let text = source_text(file);
    let shown = match &text {
        Some(text) => {
            let (excerpt, shown) = source_excerpt(n, text, d);
            html.push_str(&excerpt);
            shown
        }
        None => BTreeSet::new(),
    };
    html.push_str(&plots(v));
    if let Some(evidence) = &v.evidence {
        html.push_str(&evidence_html(n, evidence, text.as_deref(), &shown));
    }
    html.push_str("</section>\n");
    html
}

fn location(file: &FileReport, d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}",
        display_path(&file.path),
        d.location.start.line,
        d.location.start.column
    )
}

/// How the code was reached and run.
fn facts(v: &Verification) -> String {
    let stubbed: Vec<String> = v
        .stubbed
        .iter()
        .map(|s| format!("`{}` ({})", s.module, s.reason))
        .collect();
    let rows = [
        ("entry", v.entry.clone()),
        ("measured", v.measured.clone()),
        ("mode", v.mode.clone()),
        ("stubbed", (!stubbed.is_empty()).then(|| stubbed.join(", "))),
        ("calls", Some(format!("{} in {} ms", v.calls, v.elapsed_ms))),
    ];
    let mut html = String::from("<dl class=\"facts\">\n");
    for (name, value) in rows {
        if let Some(value) = value {
            html.push_str(&format!("<dt>{name}</dt><dd>{}</dd>\n", inline(&value)));
        }
    }
    html.push_str("</dl>\n");
    html
}

/// The file's text as linted, or as it is on disk when the result kept none (`--at`).
fn source_text(file: &FileReport) -> Option<Arc<str>> {
    match &file.text {
        Some(text) => Some(Arc::clone(text)),
        None => std::fs::read_to_string(&file.path).ok().map(Arc::from),
    }
}

/// The lines around the finding, its own lines highlighted and its range marked; also the
/// 1-based numbers of the lines shown, which evidence links to rather than repeats.
fn source_excerpt(n: usize, text: &str, d: &Diagnostic) -> (String, BTreeSet<u32>) {
    let index = LineIndex::new(text);
    let first = index.line_of(d.location.range.start);
    let last = index
        .line_of(
            d.location
                .range
                .end
                .saturating_sub(1)
                .max(d.location.range.start),
        )
        .min(first + MAX_FINDING_LINES - 1);
    let from = first.saturating_sub(CONTEXT);
    let to = (last + CONTEXT).min(last_line(text, &index));
    let mut html = String::from("<div class=\"source\">\n");
    let mut shown = BTreeSet::new();
    for line in from..=to {
        let hit = (first..=last).contains(&line);
        html.push_str(&source_line(
            n,
            text,
            &index,
            line,
            hit.then_some(d.location.range),
        ));
        shown.insert(line as u32 + 1);
    }
    html.push_str("</div>\n");
    (html, shown)
}

/// The 0-based number of the last line, not counting the empty one after a final newline.
fn last_line(text: &str, index: &LineIndex) -> usize {
    let last = index.line_count() - 1;
    if last > 0 && index.line_start(last) == text.len() {
        last - 1
    } else {
        last
    }
}

/// One numbered line (0-based `line`), with the part of `mark` on it marked.
fn source_line(
    n: usize,
    text: &str,
    index: &LineIndex,
    line: usize,
    mark: Option<Range>,
) -> String {
    let start = index.line_start(line);
    let end = if line + 1 < index.line_count() {
        index.line_start(line + 1)
    } else {
        text.len()
    };
    let content = text[start..end].trim_end_matches(['\n', '\r', '\u{2028}', '\u{2029}']);
    let local = mark.map(|m| {
        let lo = m.start.clamp(start, start + content.len()) - start;
        let hi = m.end.clamp(start, start + content.len()) - start;
        (lo, hi)
    });
    let class = if mark.is_some() { "line hit" } else { "line" };
    format!(
        "<div class=\"{class}\" id=\"f{n}-L{}\"><span class=\"ln\">{}</span>{}</div>\n",
        line + 1,
        line + 1,
        marked(content, local)
    )
}

/// A line's text escaped, `mark` (byte offsets in it) wrapped in `<mark>`, cut to [`MAX_LINE`]
/// bytes around the mark.
fn marked(content: &str, mark: Option<(usize, usize)>) -> String {
    let (lo, hi) = mark.unwrap_or((0, 0));
    let (from, to) = if content.len() > MAX_LINE {
        let from = floor_boundary(content, lo.saturating_sub(MAX_LINE / 3));
        (
            from,
            floor_boundary(content, (from + MAX_LINE).min(content.len())),
        )
    } else {
        (0, content.len())
    };
    let lo = floor_boundary(content, lo.clamp(from, to));
    let hi = floor_boundary(content, hi.clamp(lo, to));
    let mut html = String::new();
    if from > 0 {
        html.push('…');
    }
    html.push_str(&escape(&content[from..lo]));
    if hi > lo {
        html.push_str(&format!("<mark>{}</mark>", escape(&content[lo..hi])));
    }
    html.push_str(&escape(&content[hi..to]));
    if to < content.len() {
        html.push('…');
    }
    html
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The two plots, or why there are none.
fn plots(v: &Verification) -> String {
    let samples: Vec<_> = v
        .samples
        .iter()
        .filter(|s| s.value.is_finite() && s.heap.is_finite())
        .collect();
    if samples.len() < 2 {
        return "<p class=\"none\">No figures per window to plot.</p>\n".into();
    }
    let measured = v.measured.as_deref().unwrap_or("measured quantity");
    let value: Vec<(f64, f64)> = samples.iter().map(|s| (s.calls as f64, s.value)).collect();
    let heap: Vec<(f64, f64)> = samples
        .iter()
        .map(|s| (s.calls as f64, s.heap / 1024.0))
        .collect();
    format!(
        "<div class=\"plots\">\n{}{}</div>\n",
        plot(&Series {
            title: measured,
            axis: measured,
            points: &value,
            stroke: MEASURED_STROKE,
        }),
        plot(&Series {
            title: "retained heap",
            axis: "retained heap (KB)",
            points: &heap,
            stroke: HEAP_STROKE,
        }),
    )
}

struct Series<'a> {
    title: &'a str,
    /// The y axis's label.
    axis: &'a str,
    /// (calls, value), calls rising.
    points: &'a [(f64, f64)],
    stroke: &'static str,
}

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 46.0;

/// A line plot of one series over the calls, with labelled axes and a tick per window.
fn plot(series: &Series) -> String {
    let values: Vec<f64> = series.points.iter().map(|p| p.1).collect();
    let ticks = Ticks::nice(&values);
    let x_max = series.points.last().map_or(1.0, |p| p.0).max(1.0);
    let x = |calls: f64| LEFT + calls / x_max * (WIDTH - LEFT - RIGHT);
    let y = |value: f64| {
        let span = ticks.hi() - ticks.lo();
        HEIGHT - BOTTOM - (value - ticks.lo()) / span * (HEIGHT - TOP - BOTTOM)
    };
    let mut svg = format!(
        "<svg class=\"plot\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\">\n<title>{} over the calls</title>\n<text class=\"title\" x=\"{LEFT}\" y=\"18\">{}</text>\n",
        escape(&series.title.replace('`', "")),
        svg_inline(series.title),
    );
    for (i, tick) in ticks.values.iter().enumerate() {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y(*tick) + 4.0,
            ticks.label(i),
            y = y(*tick),
        ));
    }
    for &(calls, _) in x_ticks(series.points) {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            x(calls),
            HEIGHT - BOTTOM + 16.0,
            number(calls)
        ));
    }
    svg.push_str(&axes(series.axis));
    svg.push_str(&line(series, &x, &y));
    svg.push_str("</svg>\n");
    svg
}

/// The x and y axes and their labels.
fn axes(y_label: &str) -> String {
    let bottom = HEIGHT - BOTTOM;
    format!(
        "<path class=\"axis\" d=\"M{LEFT} {TOP} V{bottom} H{}\"/>\n<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">calls</text>\n<text transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
        WIDTH - RIGHT,
        (LEFT + WIDTH - RIGHT) / 2.0,
        HEIGHT - 8.0,
        (TOP + bottom) / 2.0,
        svg_inline(&shorten(y_label, 34)),
    )
}

/// The series as a thick line with a dot (and a tooltip) per window.
fn line(series: &Series, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let points: Vec<String> = series
        .points
        .iter()
        .map(|&(c, v)| format!("{:.1},{:.1}", x(c), y(v)))
        .collect();
    let mut svg = format!(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"3\" stroke-linejoin=\"round\" points=\"{}\"/>\n",
        series.stroke,
        points.join(" ")
    );
    for &(c, v) in series.points {
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\"><title>{} calls: {}</title></circle>\n",
            x(c),
            y(v),
            series.stroke,
            number(c),
            number(v)
        ));
    }
    svg
}

/// The points that get a label on the x axis: every window, or every few when there are many.
fn x_ticks(points: &[(f64, f64)]) -> impl Iterator<Item = &(f64, f64)> {
    let every = points.len().div_ceil(8).max(1);
    let last = points.len() - 1;
    points
        .iter()
        .enumerate()
        .filter(move |(i, _)| i % every == 0 || *i == last)
        .map(|(_, p)| p)
}

/// Round values for a y axis that spans the data.
struct Ticks {
    values: Vec<f64>,
    decimals: usize,
}

impl Ticks {
    fn nice(data: &[f64]) -> Ticks {
        let min = data.iter().copied().fold(f64::INFINITY, f64::min);
        let max = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // A flat series (the usual not-reproduced one) still needs an axis with a height.
        let (min, max) = if max - min < 1e-9 {
            (min - 1.0, max + 1.0)
        } else {
            (min, max)
        };
        let step = nice_step((max - min) / 4.0);
        let lo = (min / step).floor();
        let hi = (max / step).ceil();
        let values = (lo as i64..=hi as i64).map(|i| i as f64 * step).collect();
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        Ticks { values, decimals }
    }

    fn lo(&self) -> f64 {
        self.values[0]
    }

    fn hi(&self) -> f64 {
        self.values[self.values.len() - 1]
    }

    fn label(&self, i: usize) -> String {
        format!("{:.*}", self.decimals, self.values[i])
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A figure as a person reads it: `5000`, `4981.5`, `0.25`.
fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}

/// The kinds of object that grew, and the chain from a root to one of the new objects.
fn evidence_html(n: usize, e: &Evidence, text: Option<&str>, shown: &BTreeSet<u32>) -> String {
    let mut html = String::from("<h3>What the heap snapshots showed</h3>\n");
    if !e.grown.is_empty() {
        html.push_str(
            "<table class=\"grown\">\n<tr><th>kind</th><th>before</th><th>after</th><th>grew by</th></tr>\n",
        );
        for g in &e.grown {
            html.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>+{}</td></tr>\n",
                escape(&g.name),
                g.before,
                g.after,
                g.after.saturating_sub(g.before)
            ));
        }
        html.push_str("</table>\n");
    }
    if !e.path.is_empty() {
        html.push_str(&retainer_path(n, e));
        html.push_str(&path_lines(n, e, text, shown));
    }
    html
}

/// `root —edge→ object —edge→ … object`, each object created at a line linking to it.
fn retainer_path(n: usize, e: &Evidence) -> String {
    let last = e.path.len() - 1;
    let mut chain = String::new();
    for (i, step) in e.path.iter().enumerate() {
        chain.push_str(&format!("<code>{}</code>", escape(&step.node)));
        if let Some(line) = step.line {
            chain.push_str(&format!(" (<a href=\"#f{n}-L{line}\">line {line}</a>)"));
        }
        // The last object holds nothing further on the path.
        if i < last {
            match &step.edge {
                Some(edge) => chain.push_str(&format!(" —<em>{}</em>→ ", escape(edge))),
                None => chain.push_str(" → "),
            }
        }
    }
    format!("<p class=\"path\">Retainer path, from a root to a new object: {chain}</p>\n")
}

/// The lines the retainer path names that the excerpt above does not show, so that each link
/// has a line to land on.
fn path_lines(n: usize, e: &Evidence, text: Option<&str>, shown: &BTreeSet<u32>) -> String {
    let Some(text) = text else {
        return String::new();
    };
    let index = LineIndex::new(text);
    let lines: BTreeSet<u32> = e
        .path
        .iter()
        .filter_map(|s| s.line)
        .filter(|l| !shown.contains(l) && *l >= 1 && (*l as usize) <= index.line_count())
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let body: String = lines
        .iter()
        .map(|&l| source_line(n, text, &index, l as usize - 1, None))
        .collect();
    format!("<div class=\"source\">\n{body}</div>\n")
}

/// The findings the verifier did not run, one line each.
fn unverified_list(list: &[(&FileReport, &Diagnostic)]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<section class=\"unverified\">\n<h2>Not verified: {} {}</h2>\n<ul>\n",
        list.len(),
        plural(list.len(), "finding")
    );
    for (file, d) in list {
        html.push_str(&format!(
            "<li><code>{}</code> <span class=\"rule\">{}</span> {}</li>\n",
            escape(&location(file, d)),
            escape(d.rule.unwrap_or("fatal")),
            inline(&d.message)
        ));
    }
    html.push_str("</ul>\n</section>\n");
    html
}

/// Text for an element or an attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A message escaped, its `code` spans (leaklint's messages quote names in backticks) set as code.
fn inline(text: &str) -> String {
    code_spans(text, "<code>", "</code>")
}

/// The same for SVG text, where a `tspan` in a monospace font stands for `code`.
fn svg_inline(text: &str) -> String {
    code_spans(text, "<tspan class=\"code\">", "</tspan>")
}

fn code_spans(text: &str, open: &str, close: &str) -> String {
    let escaped = escape(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    // An odd backtick is text, not the start of a span.
    if parts.len().is_multiple_of(2) {
        return escaped;
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("{open}{part}{close}")
            } else {
                part.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::{Grown, Location, RetainerStep, Sample, Severity, Stubbed};

    const TEXT: &str = "const users = new Map();\n\nfunction helper(k) {\n  return () => k;\n}\n\nexports.getUser = function (id) {\n  users.set(id, helper(id)); // <b>&\n  return users.get(id);\n};\n";

    fn diagnostic(rule: &'static str, start: usize, end: usize, message: &str) -> Diagnostic {
        let index = LineIndex::new(TEXT);
        Diagnostic {
            rule: Some(rule),
            severity: Severity::Error,
            message: message.into(),
            location: Location::resolve(TEXT, &index, Range::new(start, end)),
            related: Vec::new(),
            help: None,
            fatal: false,
            verification: None,
        }
    }

    fn confirmed() -> Verification {
        let samples = (0..=5)
            .map(|i| Sample {
                calls: i * 1000,
                value: (i * 1000) as f64,
                heap: 5_000_000.0 + (i * 180_000) as f64,
            })
            .collect();
        Verification {
            verdict: Verdict::Confirmed,
            summary: "entries in `users` grew in each of 4 windows: +1 per call".into(),
            entry: Some("`getUser` (assigned to `module.exports.getUser`)".into()),
            measured: Some("entries in `users`".into()),
            calls: 5000,
            per_call: Some(1.0),
            windows: vec![1000.0; 4],
            heap_bytes_per_call: Some(176.0),
            heap_limit_reached_after: None,
            elapsed_ms: 640,
            mode: Some("a fresh instance per call".into()),
            stubbed: vec![Stubbed {
                module: "pg".into(),
                reason: "not installed".into(),
            }],
            samples,
            evidence: Some(Evidence {
                grown: vec![Grown {
                    name: "closure <anonymous>".into(),
                    before: 1000,
                    after: 5000,
                }],
                path: vec![
                    RetainerStep {
                        node: "Window / global".into(),
                        edge: Some("users".into()),
                        line: None,
                    },
                    RetainerStep {
                        node: "Map".into(),
                        edge: Some("[\"k1\"]".into()),
                        line: Some(1),
                    },
                    RetainerStep {
                        node: "closure <anonymous>".into(),
                        edge: None,
                        line: Some(4),
                    },
                ],
            }),
        }
    }

    fn result() -> CheckResult {
        let set = TEXT.find("users.set").unwrap();
        let mut found = diagnostic(
            "unbounded-cache",
            set,
            set + 9,
            "`users` grows <on every call> & stays",
        );
        found.verification = Some(confirmed());
        let mut unverifiable = diagnostic("implicit-global", 0, 5, "`x` is global");
        unverifiable.verification = Some(Verification {
            verdict: Verdict::Unverifiable,
            summary: "not reachable: top-level code runs once".into(),
            samples: Vec::new(),
            evidence: None,
            stubbed: Vec::new(),
            mode: None,
            ..confirmed()
        });
        let plain = diagnostic("per-call-require", 30, 40, "`require` inside a function");
        CheckResult {
            files: vec![FileReport {
                path: PathBuf::from("src/users.js"),
                text: Some(Arc::from(TEXT)),
                diagnostics: vec![found, unverifiable, plain],
            }],
            ..CheckResult::default()
        }
    }

    #[test]
    fn page() {
        let run = RunInfo {
            node: Some("v20.20.2".into()),
            description: Some("verified 2 findings in node v20.20.2: 1 confirmed".into()),
        };
        insta::assert_snapshot!(super::page(&result(), &run));
    }

    #[test]
    fn self_contained_and_escaped() {
        let page = super::page(&result(), &RunInfo::default());
        assert!(!page.contains("://"), "no external reference");
        assert!(!page.contains("<script"));
        assert!(page.contains("&lt;on every call&gt; &amp; stays"));
        assert!(page.contains("// &lt;b&gt;&amp;"));
        assert_eq!(
            page.matches(MEASURED_STROKE).count(),
            7,
            "a line and 6 dots"
        );
        assert_eq!(page.matches(HEAP_STROKE).count(), 7);
    }

    #[test]
    fn retainer_path_links_lines_shown_or_added() {
        let page = super::page(&result(), &RunInfo::default());
        // Lines 1 and 4 are not in the excerpt (lines 5 to 10), so they are added under the
        // path, once each.
        for line in [1, 4] {
            assert!(page.contains(&format!("href=\"#f1-L{line}\"")));
            assert_eq!(page.matches(&format!("id=\"f1-L{line}\"")).count(), 1);
        }
        assert!(page.contains("<code>Map</code> (<a href=\"#f1-L1\">line 1</a>) —<em>[&quot;k1&quot;]</em>→ <code>closure &lt;anonymous&gt;</code>"));
    }

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        let ticks = Ticks::nice(&[0.0, 5000.0]);
        assert_eq!(ticks.values, vec![0.0, 2000.0, 4000.0, 6000.0]);
        let flat = Ticks::nice(&[4.0, 4.0]);
        assert_eq!((flat.lo(), flat.hi()), (3.0, 5.0));
        assert_eq!(flat.label(1), "3.5");
        let heap = Ticks::nice(&[4981.2, 5893.7]);
        assert!(heap.lo() <= 4981.2 && heap.hi() >= 5893.7 && heap.values.len() <= 7);
    }

    #[test]
    fn long_lines_are_cut_around_the_mark() {
        let line = format!("{}needle{}", "a".repeat(500), "b".repeat(500));
        let html = marked(&line, Some((500, 506)));
        assert!(html.starts_with('…') && html.ends_with('…'));
        assert!(html.contains("<mark>needle</mark>"));
        assert!(html.len() < MAX_LINE + 40);
        assert_eq!(
            code_spans("a `b` c `d", "[", "]"),
            "a `b` c `d",
            "odd backticks stay text"
        );
        assert_eq!(inline("`a<b`"), "<code>a&lt;b</code>");
    }
}
