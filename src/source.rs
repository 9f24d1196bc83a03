//! Source text facts shared by every stage: the language of a file and where its lines start.

use std::path::Path;

use crate::sfc::ComponentFile;

/// What the file extension says about how to parse a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceType {
    pub typescript: bool,
    pub jsx: bool,
    pub module: ModuleKind,
    /// A single-file component: only its script blocks are code ([`crate::sfc`]).
    pub component: Option<ComponentFile>,
}

/// Whether a file is an ES module, a CommonJS/sloppy script, or decided by its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    Module,
    Script,
    /// `.js`/`.ts`: a module if it has `import`/`export`, else a script.
    Auto,
}

/// Extensions leaklint lints when it walks a folder.
pub const EXTENSIONS: &[&str] = &[
    "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "vue", "svelte",
];

impl SourceType {
    /// The source type of `path`, or `None` when leaklint does not lint that kind of file.
    pub fn from_path(path: &Path) -> Option<SourceType> {
        let name = path.file_name()?.to_str()?;
        if is_declaration_file(name) {
            return None;
        }
        let ext = path.extension()?.to_str()?;
        let (typescript, jsx, module) = match ext {
            "js" | "jsx" => (false, true, ModuleKind::Auto),
            "mjs" => (false, true, ModuleKind::Module),
            "cjs" => (false, true, ModuleKind::Script),
            "ts" => (true, false, ModuleKind::Auto),
            "tsx" => (true, true, ModuleKind::Auto),
            "mts" => (true, false, ModuleKind::Module),
            // TypeScript compiles `import`/`export` in a .cts file to CommonJS with
            // 'use strict'; without them it is a sloppy script, as content decides.
            "cts" => (true, false, ModuleKind::Auto),
            // The script blocks' `lang` decides TypeScript and JSX ([`SourceType::of_script`]).
            "vue" | "svelte" => (false, false, ModuleKind::Module),
            _ => return None,
        };
        let component = match ext {
            "vue" => Some(ComponentFile::Vue),
            "svelte" => Some(ComponentFile::Svelte),
            _ => None,
        };
        Some(SourceType {
            typescript,
            jsx,
            module,
            component,
        })
    }

    /// The syntax of a component file's script blocks: ES modules, in the language they declare.
    pub fn of_script(self, script: &crate::sfc::Script) -> SourceType {
        SourceType {
            typescript: script.typescript,
            jsx: script.jsx,
            ..self
        }
    }
}

/// A test file: `*.test.js`, `*.spec.ts`, `*_test.js`, or a file under `test/`, `tests/`,
/// `__tests__/` or `spec/` (below the working directory). A test runner runs it once and the
/// process exits, so nothing it keeps outlives the run: the leak rules have nothing to report.
pub fn is_test_file(path: &Path) -> bool {
    // Asked for every file: the working directory is read once (leaklint never changes it).
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let Some(name) = relative.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let stem = name.split('.').next().unwrap_or(name);
    let named = name.contains(".test.") || name.contains(".spec.") || stem.ends_with("_test");
    let under = relative
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("test" | "tests" | "__tests__" | "spec")
            )
        });
    named || under
}

fn is_declaration_file(name: &str) -> bool {
    [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|s| name.ends_with(s))
        || (name.contains(".d.") && name.ends_with(".ts"))
}

/// `app.min.js`, `vendor-min.js`, `bundle.min.mjs`: generated files nobody edits.
pub fn is_minified_name(name: &str) -> bool {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if EXTENSIONS.contains(&ext) => stem,
        _ => return false,
    };
    stem.ends_with(".min") || stem.ends_with("-min")
}

/// A 1-based line and a 1-based column counted in UTF-16 code units, as ESLint, SARIF and LSP
/// (by default) count them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Byte offsets of line starts. JavaScript ends a line at LF, CR, CRLF, U+2028 and U+2029.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// An ASCII text has one UTF-16 unit per byte: columns are byte differences, and a file
    /// with thousands of findings on one long line costs no more than one.
    ascii: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let ascii = text.is_ascii();
        // Most files end lines with LF alone: a vectorized search then finds every start.
        if memchr::memchr2(b'\r', 0xE2, bytes).is_none() {
            starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
            return LineIndex { starts, ascii };
        }
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    starts.push(i + 3);
                    i += 2;
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts, ascii }
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The position of a byte offset; `text` must be the text this index was built from.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let utf16: usize = if self.ascii {
            offset - start
        } else {
            text[start..offset].chars().map(char::len_utf16).sum()
        };
        Position {
            line: line as u32 + 1,
            column: utf16 as u32 + 1,
        }
    }

    /// The byte offset of a 0-based line and 0-based UTF-16 column (used by the LSP server).
    pub fn offset_of_utf16(&self, text: &str, line: usize, column: usize) -> usize {
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            if units >= column {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

/// A [`LineIndex`] built on first use: most files get no diagnostic and never need one.
pub struct LazyLineIndex<'a> {
    text: &'a str,
    index: std::cell::OnceCell<LineIndex>,
}

impl<'a> LazyLineIndex<'a> {
    pub fn new(text: &'a str) -> LazyLineIndex<'a> {
        LazyLineIndex {
            text,
            index: std::cell::OnceCell::new(),
        }
    }

    pub fn get(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text))
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The text of a file, or why it is not JavaScript text.
pub fn decode(bytes: &[u8]) -> Result<&str, String> {
    if bytes.contains(&0) {
        return Err("binary file (it contains NUL bytes); not linted".into());
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let text = std::str::from_utf8(valid).unwrap_or("");
        let index = LineIndex::new(text);
        let position = index.position(text, text.len());
        format!(
            "not valid UTF-8: byte 0x{:02X} at line {}, column {} cannot be decoded; not linted",
            bytes[e.valid_up_to()],
            position.line,
            position.column
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_js_line_terminator() {
        let text = "a\nb\r\nc\rd\u{2028}e";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 5);
        let e = text.find('e').unwrap();
        assert_eq!(index.position(text, e), Position { line: 5, column: 1 });
    }

    #[test]
    fn columns_are_utf16_code_units() {
        let text = "'😀é'; x = 1";
        let index = LineIndex::new(text);
        // 😀 is two UTF-16 units, é one: ' 😀 é ' ; space = 7 units before x
        assert_eq!(index.position(text, text.find('x').unwrap()).column, 8);
    }

    #[test]
    fn minified_names() {
        assert!(is_minified_name("jquery.min.js"));
        assert!(is_minified_name("vendor-min.mjs"));
        assert!(!is_minified_name("admin.js"));
        assert!(!is_minified_name("min.js"));
    }

    #[test]
    fn declaration_files_are_not_linted() {
        assert!(SourceType::from_path(Path::new("a/index.d.ts")).is_none());
        assert!(SourceType::from_path(Path::new("a/index.ts")).is_some());
        assert!(SourceType::from_path(Path::new("a/readme.md")).is_none());
    }
}
