//! Comments that talk to leaklint: `/* global name */` declarations and the
//! `leaklint-ignore` family, applied after every rule ran so that unused ones can be reported.

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::comments::{Comment, CommentKind};
use swc_common::Span;

use crate::diagnostic::{Finding, Range};
use crate::source::LazyLineIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IgnoreScope {
    /// `leaklint-ignore`: the line after the comment.
    NextLine,
    /// `leaklint-ignore-line`: the comment's own line.
    SameLine,
    /// `leaklint-ignore-file`: the whole file (only in the leading comments).
    File,
}

#[derive(Debug)]
pub struct IgnoreDirective {
    pub scope: IgnoreScope,
    /// 0-based line the directive applies to (unused for `File`).
    pub line: usize,
    /// Rule ids with their ranges in the source.
    pub rules: Vec<(String, Range)>,
    pub range: Range,
}

#[derive(Debug, Default)]
pub struct Directives {
    /// Names declared by `/* global a, b:writable */`.
    pub globals: Vec<(Atom, Span)>,
    pub ignores: Vec<IgnoreDirective>,
    /// Malformed directives (no rule id, a file directive after code).
    pub problems: Vec<Finding>,
}

/// Reads the directives of a file. `code_start` is the offset of its first token, before which a
/// `leaklint-ignore-file` must stand.
pub fn parse(comments: &[Comment], index: &LazyLineIndex, code_start: usize) -> Directives {
    let mut directives = Directives::default();
    for comment in comments {
        let range = Range::from_span(comment.span);
        let body = comment.text.trim_start_matches('*').trim();
        // Nearly every comment is prose or documentation; every directive starts with one of
        // these letters (`global`, `globals`, `leaklint-ignore…`).
        if !body.starts_with(['g', 'l']) {
            continue;
        }
        if comment.kind == CommentKind::Block {
            if let Some(list) = strip_word(body, "globals").or_else(|| strip_word(body, "global")) {
                directives.globals.extend(parse_globals(list, comment.span));
                continue;
            }
        }
        let (scope, rest) = if let Some(rest) = strip_word(body, "leaklint-ignore-file") {
            (IgnoreScope::File, rest)
        } else if let Some(rest) = strip_word(body, "leaklint-ignore-line") {
            (IgnoreScope::SameLine, rest)
        } else if let Some(rest) = strip_word(body, "leaklint-ignore") {
            (IgnoreScope::NextLine, rest)
        } else {
            continue;
        };
        let rules = rule_ids(comment, rest);
        if rules.is_empty() {
            directives.problems.push(problem(
                "unknown-rule",
                range,
                "this leaklint-ignore directive names no rule: write the rule ids to ignore, e.g. `leaklint-ignore implicit-global -- reason`",
            ));
            continue;
        }
        if scope == IgnoreScope::File && range.start > code_start {
            directives.problems.push(problem(
                "unused-ignore",
                range,
                "leaklint-ignore-file only works in the comments before the first line of code",
            ));
            continue;
        }
        let line = match scope {
            IgnoreScope::NextLine => index.get().line_of(range.end.saturating_sub(1)) + 1,
            _ => index.get().line_of(range.start),
        };
        directives.ignores.push(IgnoreDirective {
            scope,
            line,
            rules,
            range,
        });
    }
    directives
}

fn problem(rule: &'static str, range: Range, message: &str) -> Finding {
    Finding {
        rule,
        range,
        message: message.to_string(),
        labels: Vec::new(),
        help: None,
        severity: None,
        subject: None,
    }
}

/// `text` without a leading `word` followed by whitespace or its end.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(word)?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// The rule ids in the text after a directive keyword, up to an optional `-- reason`.
fn rule_ids(comment: &Comment, rest: &str) -> Vec<(String, Range)> {
    let ids = rest.split("--").next().unwrap_or("");
    let text_start = comment.text.as_ptr() as usize;
    // Offset of the comment text in the source: after `//` or `/*`.
    let comment_text_offset = Range::from_span(comment.span).start + 2;
    let mut found = Vec::new();
    for id in ids.split(|c: char| c == ',' || c.is_whitespace()) {
        if id.is_empty() {
            continue;
        }
        let start = comment_text_offset + (id.as_ptr() as usize - text_start);
        found.push((id.to_string(), Range::new(start, start + id.len())));
    }
    found
}

/// `a, b:writable c:readonly -- description`: names separated by commas or spaces, each with an
/// optional `:readonly`/`:writable`; `:off` declares nothing (as in ESLint).
fn parse_globals(list: &str, span: Span) -> impl Iterator<Item = (Atom, Span)> + '_ {
    let list = list.split("--").next().unwrap_or("");
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|entry| !entry.is_empty())
        .filter_map(move |entry| {
            let (name, value) = match entry.split_once(':') {
                Some((name, value)) => (name.trim(), value.trim()),
                None => (entry.trim(), ""),
            };
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
            (valid && value != "off").then(|| (Atom::from(name), span))
        })
}

/// The result of applying ignore directives to a file's findings.
pub struct Applied {
    pub kept: Vec<Finding>,
    /// `unused-ignore` and `unknown-rule` findings about the directives themselves.
    pub directive_findings: Vec<Finding>,
}

/// Drops the findings that a directive ignores and reports the directives that named an unknown
/// rule or ignored nothing. `is_known` says whether a rule id exists; `is_checked` whether that
/// rule ran on this file (an ignore for a rule that did not run cannot be judged unused).
pub fn apply(
    findings: Vec<Finding>,
    directives: &Directives,
    index: &LazyLineIndex,
    is_known: impl Fn(&str) -> bool,
    is_checked: impl Fn(&str) -> bool,
) -> Applied {
    let mut used: Vec<Vec<bool>> = directives
        .ignores
        .iter()
        .map(|d| vec![false; d.rules.len()])
        .collect();
    // Which rule of which directive a finding of a rule uses: those of the whole file, and
    // those of its line. A directive that names a rule twice uses the first. A finding marks
    // every directive that names its rule; the next finding with the same key marks nothing new,
    // so each list is marked once (many findings under many directives stay linear).
    let mut whole_file: FxHashMap<&str, Vec<(usize, usize)>> = FxHashMap::default();
    let mut by_line: FxHashMap<(usize, &str), Vec<(usize, usize)>> = FxHashMap::default();
    for (d, directive) in directives.ignores.iter().enumerate() {
        for (r, id) in first_of_each_rule(&directive.rules) {
            let list = match directive.scope {
                IgnoreScope::File => whole_file.entry(id).or_default(),
                _ => by_line.entry((directive.line, id)).or_default(),
            };
            list.push((d, r));
        }
    }
    let mut marked_file: FxHashSet<&str> = FxHashSet::default();
    let mut marked_line: FxHashSet<(usize, &str)> = FxHashSet::default();
    let mut kept = Vec::with_capacity(findings.len());
    for finding in findings {
        if directives.ignores.is_empty() {
            kept.push(finding);
            continue;
        }
        let line = index.get().line_of(finding.range.start);
        let mut ignored = false;
        if let Some(list) = whole_file.get(finding.rule) {
            ignored = true;
            if marked_file.insert(finding.rule) {
                list.iter().for_each(|&(d, r)| used[d][r] = true);
            }
        }
        if let Some(list) = by_line.get(&(line, finding.rule)) {
            ignored = true;
            if marked_line.insert((line, finding.rule)) {
                list.iter().for_each(|&(d, r)| used[d][r] = true);
            }
        }
        if !ignored {
            kept.push(finding);
        }
    }
    let mut directive_findings = directives.problems.clone();
    for (d, directive) in directives.ignores.iter().enumerate() {
        for (r, (id, range)) in directive.rules.iter().enumerate() {
            if !is_known(id) {
                directive_findings.push(problem(
                    "unknown-rule",
                    *range,
                    &format!("`{id}` is not a leaklint rule (see `leaklint rules`)"),
                ));
            } else if !used[d][r] && is_checked(id) {
                directive_findings.push(problem(
                    "unused-ignore",
                    *range,
                    &format!("this directive ignores `{id}`, but `{id}` reports nothing here"),
                ));
            }
        }
    }
    Applied {
        kept,
        directive_findings,
    }
}

/// The position and id of each rule a directive names, the first time it names it.
fn first_of_each_rule(rules: &[(String, Range)]) -> Vec<(usize, &str)> {
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    rules
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| seen.insert(id.as_str()))
        .map(|(r, (id, _))| (r, id.as_str()))
        .collect()
}

/// Offset of the first token that is not a comment or whitespace (or the hashbang).
pub fn code_start(text: &str, comments: &[Comment]) -> usize {
    let mut offset = 0;
    if text.starts_with("#!") {
        offset = text.find('\n').unwrap_or(text.len());
    }
    let mut comments = comments.iter().peekable();
    loop {
        let rest = &text[offset..];
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        match comments.peek() {
            Some(c) if Range::from_span(c.span).start == offset => {
                offset = Range::from_span(c.span).end;
                comments.next();
            }
            Some(c) if Range::from_span(c.span).start < offset => {
                comments.next();
            }
            _ => return offset,
        }
    }
}
