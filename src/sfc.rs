//! Single-file components (`.vue`, `.svelte`): the script blocks of the file, as one text the
//! parser reads in place of the file.
//!
//! Everything outside the blocks' contents becomes spaces (line breaks stay), so that the text has
//! the file's length and every offset, line and column in it is the file's own: a diagnostic
//! needs no mapping back. Which blocks run once per component instance is kept too: Vue's
//! `<script setup>` and Svelte's instance `<script>` are the body of a function the framework
//! calls for every instance it creates, while a plain Vue `<script>` and Svelte's
//! `<script context="module">` run once, when the module loads.

use std::ops::Range;

/// Which framework's single-file component a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentFile {
    Vue,
    Svelte,
}

/// The script of a single-file component, at the file's offsets.
#[derive(Debug, PartialEq, Eq)]
pub struct Script {
    /// The file's length; its script blocks in place, everything else blanked.
    pub text: String,
    /// A block says `lang="ts"` (or `tsx`).
    pub typescript: bool,
    /// A block says `lang="tsx"` or `lang="jsx"`.
    pub jsx: bool,
    /// The contents of the blocks that run once for each component instance.
    pub per_instance: Vec<Range<usize>>,
}

/// One `<script>` block: where its contents are, and what its attributes say.
struct Block {
    contents: Range<usize>,
    lang: Option<String>,
    per_instance: bool,
}

/// The script blocks of `text`, a component file of `kind`, blanked around.
pub fn script_of(kind: ComponentFile, text: &str) -> Script {
    let blocks = blocks(kind, text);
    let mut bytes = text.as_bytes().to_vec();
    let mut kept = 0;
    for block in &blocks {
        blank(&mut bytes[kept..block.contents.start]);
        kept = block.contents.end;
    }
    blank(&mut bytes[kept..]);
    let lang = |names: &[&str]| {
        blocks
            .iter()
            .any(|b| b.lang.as_deref().is_some_and(|l| names.contains(&l)))
    };
    Script {
        // Only whole characters of the file were kept (block contents start and end at ASCII
        // `>` and `<`), and the rest is ASCII spaces and line breaks.
        text: String::from_utf8(bytes).expect("blanking keeps whole characters"),
        typescript: lang(&["ts", "typescript", "tsx"]),
        jsx: lang(&["tsx", "jsx"]),
        per_instance: blocks
            .iter()
            .filter(|b| b.per_instance)
            .map(|b| b.contents.clone())
            .collect(),
    }
}

fn blank(bytes: &mut [u8]) {
    for byte in bytes {
        if *byte != b'\n' && *byte != b'\r' {
            *byte = b' ';
        }
    }
}

/// The top-level `<script>` blocks with inline contents (not `src="…"`), in file order. A block
/// is top-level when its tag starts a line: both frameworks allow `<script>` only at the top
/// level of the file, and a `<script>` written elsewhere (in markup, `<svelte:head>`) is the
/// page's, not the component's.
fn blocks(kind: ComponentFile, text: &str) -> Vec<Block> {
    let bytes = text.as_bytes();
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"<!--") {
            at = find(bytes, at + 4, b"-->").map_or(bytes.len(), |end| end + 3);
            continue;
        }
        let starts_line = at == 0 || bytes[at - 1] == b'\n';
        if !(starts_line && opens_script(&bytes[at..])) {
            at += 1;
            continue;
        }
        let Some((attributes, open_end)) = attributes(bytes, at + "<script".len()) else {
            break;
        };
        let close = find_ignore_case(bytes, open_end, b"</script").unwrap_or(bytes.len());
        let has = |name: &str| attributes.iter().any(|(n, _)| n == name);
        let value = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.clone())
        };
        if !has("src") {
            let per_instance = match kind {
                ComponentFile::Vue => has("setup"),
                ComponentFile::Svelte => {
                    !has("module") && value("context").as_deref() != Some("module")
                }
            };
            blocks.push(Block {
                contents: open_end..close,
                lang: value("lang").map(|l| l.to_ascii_lowercase()),
                per_instance,
            });
        }
        at = close;
    }
    blocks
}

/// Does `rest` start with a `<script` tag (not `<scripts>` or `<script-x>`)?
fn opens_script(rest: &[u8]) -> bool {
    rest.len() > 7
        && rest[..7].eq_ignore_ascii_case(b"<script")
        && (rest[7].is_ascii_whitespace() || rest[7] == b'>' || rest[7] == b'/')
}

/// The attributes of a tag whose name ends at `at`, and the offset just past its `>`; `None`
/// when the tag never closes.
#[allow(clippy::type_complexity)]
fn attributes(bytes: &[u8], mut at: usize) -> Option<(Vec<(String, Option<String>)>, usize)> {
    let mut attributes = Vec::new();
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        match bytes.get(at)? {
            b'>' => return Some((attributes, at + 1)),
            _ => {
                let start = at;
                while at < bytes.len()
                    && !bytes[at].is_ascii_whitespace()
                    && !matches!(bytes[at], b'=' | b'>' | b'/')
                {
                    at += 1;
                }
                let name = String::from_utf8_lossy(&bytes[start..at]).to_ascii_lowercase();
                let mut value = None;
                if bytes.get(at) == Some(&b'=') {
                    at += 1;
                    let (start, end, next) = match bytes.get(at)? {
                        quote @ (b'"' | b'\'') => {
                            let end = at + 1 + bytes[at + 1..].iter().position(|b| b == quote)?;
                            (at + 1, end, end + 1)
                        }
                        _ => {
                            let start = at;
                            while at < bytes.len()
                                && !bytes[at].is_ascii_whitespace()
                                && bytes[at] != b'>'
                            {
                                at += 1;
                            }
                            (start, at, at)
                        }
                    };
                    value = Some(String::from_utf8_lossy(&bytes[start..end]).into_owned());
                    at = next;
                }
                attributes.push((name, value));
            }
        }
    }
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn find_ignore_case(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VUE: &str = "<template>\n  <div @click=\"start\">é</div>\n</template>\n\n<script>\nexport default { name: 'A' };\n</script>\n<script setup lang=\"ts\">\nconst n: number = 1;\n</script>\n<style>\n.a { color: red }\n</style>\n";

    #[test]
    fn keeps_the_blocks_at_their_offsets_and_blanks_the_rest() {
        let script = script_of(ComponentFile::Vue, VUE);
        assert_eq!(script.text.len(), VUE.len());
        assert_eq!(script.text.lines().count(), VUE.lines().count());
        for (kept, original) in script.text.lines().zip(VUE.lines()) {
            if !kept.trim().is_empty() {
                assert_eq!(kept, original);
            }
        }
        assert!(script.text.contains("export default { name: 'A' };"));
        assert!(!script.text.contains("template") && !script.text.contains("color"));
        assert!(script.typescript && !script.jsx);
        let setup = &VUE[script.per_instance[0].clone()];
        assert_eq!(setup, "\nconst n: number = 1;\n");
    }

    #[test]
    fn svelte_instance_and_module_blocks() {
        let text = "<script context=\"module\">\nexport const k = 1;\n</script>\n<script module>\nlet m;\n</script>\n<script lang=\"ts\">\nlet count = 0;\n</script>\n<svelte:head>\n  <script>analytics()</script>\n</svelte:head>\n<button on:click={() => count++}>{count}</button>\n";
        let script = script_of(ComponentFile::Svelte, text);
        assert_eq!(script.per_instance.len(), 1);
        assert_eq!(&text[script.per_instance[0].clone()], "\nlet count = 0;\n");
        assert!(script.text.contains("export const k = 1;") && script.text.contains("let m;"));
        assert!(!script.text.contains("analytics"), "not a top-level block");
    }

    #[test]
    fn external_commented_and_unclosed_blocks() {
        let text = "<!--\n<script>commented()</script>\n-->\n<script src=\"./a.js\"></script>\n<script>\nopen()";
        let script = script_of(ComponentFile::Vue, text);
        assert!(!script.text.contains("commented"));
        assert!(script.text.contains("open()"));
        assert!(script.per_instance.is_empty());
        let unclosed = script_of(ComponentFile::Vue, "<script lang=\"ts");
        assert!(unclosed.text.trim().is_empty());
    }
}
