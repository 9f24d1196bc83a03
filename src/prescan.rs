//! Byte scans that run before the parser and decide whether a file is safe to hand to swc:
//! how deep it may nest (a stack bound) and how many speculative parses swc's TypeScript parser
//! may have open at once (a time bound). Both overestimate rather than under: that can only
//! skip a file with a note, never crash or hang on one.

/// Nesting deeper than this is skipped: swc's recursive descent, the visitors and the drop of
/// the AST would need an unbounded stack. Real code stays far below (the deepest file in the
/// 11,000-file npm corpus nests about 100 levels).
pub const MAX_NESTING: usize = 1_000;

/// Files up to this size skip the nesting pre-scan: even nested on every byte, they stay far
/// within the 512 MiB worker stack (a level costs a few KiB in the parser and visitors of a
/// release build, and some ten times that in a debug build).
pub const SCAN_ABOVE: usize = if cfg!(debug_assertions) {
    4 << 10
} else {
    16 << 10
};

/// An upper bound on how deep the AST of `bytes` nests: bracket depth, plus at each bracket
/// level the chains that nest without brackets (`a => b => c`, `while (a) while (b) …`,
/// `else if` chains, labels `a: b: …`, type arguments and JSX elements `<A<B<…`), ignoring
/// strings and comments only roughly. It overestimates rather than under, which can only skip a
/// file, never crash on one.
pub fn nesting_depth(bytes: &[u8]) -> usize {
    let mut depth = Depth::default();
    for_each_event(bytes, |i| depth.event(bytes, i));
    depth.max
}

/// Chains at one bracket level: `soft` ends at `,` or `;` (arrows, labels), `hard` only at
/// `;` (statement keywords, angle brackets, which commas do not end).
#[derive(Default, Clone, Copy)]
struct Level {
    soft: usize,
    hard: usize,
}

#[derive(Default)]
struct Depth {
    /// The levels of the open brackets around `current`, the top level first.
    outer: Vec<Level>,
    /// The innermost level: kept out of `outer`, as nearly every event reads or changes it.
    current: Level,
    /// The sum of `soft` and `hard` over all levels.
    chained: usize,
    max: usize,
}

impl Depth {
    /// Takes the byte at `i`, a structural byte or the start of a word that may be a keyword.
    #[inline]
    fn event(&mut self, bytes: &[u8], i: usize) {
        let level = &mut self.current;
        let chain = match bytes[i] {
            b'(' | b'[' | b'{' => {
                self.outer.push(std::mem::take(level));
                None
            }
            b')' | b']' | b'}' => {
                if let Some(enclosing) = self.outer.pop() {
                    self.chained -= level.soft + level.hard;
                    *level = enclosing;
                }
                return;
            }
            b',' => {
                self.chained -= level.soft;
                level.soft = 0;
                return;
            }
            b';' => {
                self.chained -= level.soft + level.hard;
                *level = Level::default();
                return;
            }
            b'=' if bytes.get(i + 1) == Some(&b'>') => Some(&mut level.soft),
            b':' => Some(&mut level.soft),
            // `</a>` and `/>` close a JSX element.
            b'<' | b'/' if closes_element(bytes, i) => {
                let closed = level.hard.min(1);
                level.hard -= closed;
                self.chained -= closed;
                return;
            }
            b'<' if bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'$') =>
            {
                Some(&mut level.hard)
            }
            // `!!!!x`, `~~~~x`: unary chains nest too.
            b'!' | b'~' => Some(&mut level.hard),
            b'd' | b'e' | b'f' | b'w' => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| CLASS[b as usize] != Class::Word)
                    .map_or(bytes.len(), |n| i + n);
                if !is_statement_keyword(&bytes[i..end]) {
                    return;
                }
                Some(&mut level.hard)
            }
            _ => return,
        };
        if let Some(count) = chain {
            *count += 1;
            self.chained += 1;
        }
        self.max = self.max.max(self.outer.len() + self.chained);
    }
}

fn closes_element(bytes: &[u8], i: usize) -> bool {
    let next = bytes.get(i + 1).copied();
    (bytes[i] == b'<' && next == Some(b'/')) || (bytes[i] == b'/' && next == Some(b'>'))
}

/// `do`, `else`, `for`, `while` or `with`: statements whose body nests without brackets.
fn is_statement_keyword(word: &[u8]) -> bool {
    matches!(word, b"do" | b"else" | b"for" | b"while" | b"with")
}

/// Calls `f`, in order, with the position of every structural byte (`CLASS`) and of every word
/// that starts with a keyword's first letter (`d`, `e`, `f`, `w`): all that [`Depth`] reads.
/// Positions where [`Depth::event`] would do nothing may be left out (see [`sse2`]).
fn for_each_event(bytes: &[u8], mut f: impl FnMut(usize)) {
    #[cfg(target_arch = "x86_64")]
    let (done, after_word) = if is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        unsafe { avx2::for_each_event(bytes, &mut f) }
    } else {
        sse2::for_each_event(bytes, &mut f)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (done, after_word) = (0, false);
    let mut after_word = after_word;
    for (i, &byte) in bytes.iter().enumerate().skip(done) {
        let class = CLASS[byte as usize];
        let starts_keyword = class == Class::Word && !after_word && b"defw".contains(&byte);
        if class == Class::Structural || starts_keyword {
            f(i);
        }
        after_word = class == Class::Word;
    }
}

/// [`for_each_event`] 16 bytes at a time: the pre-scan reads every byte of every large file, and
/// took 7 % of a run one byte at a time. Each block is read with the byte after it, so that the
/// events [`Depth::event`] ignores by the next byte are left out here: a `=` not before `>`, a
/// `/` not before `>`, a `<` before neither `/` nor a name, and a word whose second letter rules
/// out `do`, `else`, `for`, `while` and `with`. About a third of all events, and each one a
/// branch the processor mispredicted more often than not.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// Reports the events of the whole 16-byte blocks at the start of `bytes` that have a byte
    /// after them; returns how many bytes that covered and whether the last of them is part of
    /// a word.
    pub(super) fn for_each_event(bytes: &[u8], f: &mut impl FnMut(usize)) -> (usize, bool) {
        let mut after_word = 0u32;
        let mut offset = 0;
        while offset + 17 <= bytes.len() {
            // SAFETY: SSE2 is part of every x86_64 target, and the 17 bytes read lie within
            // `bytes` (checked by the loop condition); `loadu` needs no alignment.
            let (events, words) = unsafe {
                let block = _mm_loadu_si128(bytes.as_ptr().add(offset).cast());
                let next = _mm_loadu_si128(bytes.as_ptr().add(offset + 1).cast());
                classify(block, next)
            };
            let starts = words & !((words << 1) | after_word);
            let mut events = events.structural | (starts & events.keywords);
            after_word = (words >> 15) & 1;
            while events != 0 {
                f(offset + events.trailing_zeros() as usize);
                events &= events - 1;
            }
            offset += 16;
        }
        (offset, after_word == 1)
    }

    pub(super) struct Events {
        structural: u32,
        keywords: u32,
    }

    /// Bit masks of the block's events (structural bytes, and the first letters of what may be
    /// `do`, `else`, `for`, `while` or `with`) and of its word bytes; `next` is the block one
    /// byte on.
    #[inline]
    unsafe fn classify(block: __m128i, next: __m128i) -> (Events, u32) {
        let is = |byte: u8| _mm_cmpeq_epi8(block, _mm_set1_epi8(byte as i8));
        let next_is = |byte: u8| _mm_cmpeq_epi8(next, _mm_set1_epi8(byte as i8));
        let or = |a: __m128i, b: __m128i| _mm_or_si128(a, b);
        let and = |a: __m128i, b: __m128i| _mm_and_si128(a, b);
        // Signed comparisons: bytes from 0x80 up are negative and fall in no range, as they
        // are no word bytes in `CLASS` either.
        let within = |value: __m128i, low: u8, high: u8| {
            and(
                _mm_cmpgt_epi8(value, _mm_set1_epi8(low as i8 - 1)),
                _mm_cmplt_epi8(value, _mm_set1_epi8(high as i8 + 1)),
            )
        };
        let mut structural = is(b'(');
        for &byte in b")[]{},;:!~" {
            structural = or(structural, is(byte));
        }
        // `=>`, `/>`; `</` and `<` before a name.
        let before_gt = next_is(b'>');
        structural = or(structural, and(or(is(b'='), is(b'/')), before_gt));
        let next_folded = _mm_or_si128(next, _mm_set1_epi8(0x20));
        let before_name = or(
            within(next_folded, b'a', b'z'),
            or(next_is(b'_'), next_is(b'$')),
        );
        structural = or(structural, and(is(b'<'), or(next_is(b'/'), before_name)));
        let second_o = next_is(b'o');
        let keywords = or(
            or(and(is(b'd'), second_o), and(is(b'f'), second_o)),
            or(
                and(is(b'e'), next_is(b'l')),
                and(is(b'w'), or(next_is(b'h'), next_is(b'i'))),
            ),
        );
        let folded = _mm_or_si128(block, _mm_set1_epi8(0x20));
        let words = or(
            or(within(folded, b'a', b'z'), within(block, b'0', b'9')),
            or(is(b'_'), is(b'$')),
        );
        let mask = |v: __m128i| _mm_movemask_epi8(v) as u32;
        (
            Events {
                structural: mask(structural),
                keywords: mask(keywords),
            },
            mask(words),
        )
    }
}

/// [`sse2`] 32 bytes at a time, where the processor has AVX2, with the structural bytes told
/// apart by two table lookups (by each byte's low and high four bits) rather than a comparison
/// for each: classifying the blocks took more than half of the pre-scan.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    // The classes of the lookup: a byte is in one when the entries for both its halves have
    // the class's bit. Each class is the bytes of one high half, so the two lookups pick them
    // out exactly.
    /// `!`, `(`, `)`, `,`.
    const PUNCTUATION: i8 = 1;
    const SLASH: i8 = 2;
    /// `:`, `;`.
    const COLONS: i8 = 4;
    const LESS: i8 = 8;
    const EQUALS: i8 = 16;
    const GREATER: i8 = 32;
    /// `[`, `]`.
    const SQUARE: i8 = 64;
    /// `{`, `}`, `~`.
    const CURLY: i8 = -128;

    /// By a byte's low half.
    #[rustfmt::skip]
    const LOW: [i8; 16] = [
        0, PUNCTUATION, 0, 0, 0, 0, 0, 0, PUNCTUATION, PUNCTUATION, COLONS,
        COLONS | SQUARE | CURLY, PUNCTUATION | LESS, EQUALS | SQUARE | CURLY, GREATER | CURLY,
        SLASH,
    ];
    /// By a byte's high half.
    #[rustfmt::skip]
    const HIGH: [i8; 16] = [
        0, 0, PUNCTUATION | SLASH, COLONS | LESS | EQUALS | GREATER, 0, SQUARE, 0, CURLY,
        0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// As [`super::sse2::for_each_event`], for the whole 32-byte blocks with a byte after them.
    ///
    /// # Safety
    ///
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn for_each_event(bytes: &[u8], f: &mut impl FnMut(usize)) -> (usize, bool) {
        let table = |halves: &[i8; 16]| {
            let half = _mm_loadu_si128(halves.as_ptr().cast());
            _mm256_broadcastsi128_si256(half)
        };
        let (low, high) = (table(&LOW), table(&HIGH));
        let mut after_word = 0u32;
        let mut offset = 0;
        while offset + 33 <= bytes.len() {
            // SAFETY: the 33 bytes read lie within `bytes` (checked by the loop condition);
            // `loadu` needs no alignment.
            let block = _mm256_loadu_si256(bytes.as_ptr().add(offset).cast());
            let next = _mm256_loadu_si256(bytes.as_ptr().add(offset + 1).cast());
            let (structural, keywords, words) = classify(block, next, low, high);
            let starts = words & !((words << 1) | after_word);
            let mut events = structural | (starts & keywords);
            after_word = words >> 31;
            while events != 0 {
                f(offset + events.trailing_zeros() as usize);
                events &= events - 1;
            }
            offset += 32;
        }
        (offset, after_word == 1)
    }

    /// The masks of the block's structural events, of the first letters of what may be `do`,
    /// `else`, `for`, `while` or `with`, and of its word bytes, as [`super::sse2`] has them.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn classify(
        block: __m256i,
        next: __m256i,
        low: __m256i,
        high: __m256i,
    ) -> (u32, u32, u32) {
        let halves = _mm256_set1_epi8(0x0f);
        let classes = |v: __m256i| {
            let low_half = _mm256_and_si256(v, halves);
            let high_half = _mm256_and_si256(_mm256_srli_epi16(v, 4), halves);
            _mm256_and_si256(
                _mm256_shuffle_epi8(low, low_half),
                _mm256_shuffle_epi8(high, high_half),
            )
        };
        let mask = |v: __m256i| _mm256_movemask_epi8(v) as u32;
        let zero = _mm256_setzero_si256();
        let any = |classes: __m256i, of: i8| {
            !mask(_mm256_cmpeq_epi8(
                _mm256_and_si256(classes, _mm256_set1_epi8(of)),
                zero,
            ))
        };
        let (here, after) = (classes(block), classes(next));
        let is = |v: __m256i, byte: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(byte as i8));
        let or = |a: __m256i, b: __m256i| _mm256_or_si256(a, b);
        let and = |a: __m256i, b: __m256i| _mm256_and_si256(a, b);
        // Signed comparisons: bytes from 0x80 up are negative and fall in no range, as they
        // are no word bytes in `CLASS` either.
        let within = |v: __m256i, low: u8, high: u8| {
            and(
                _mm256_cmpgt_epi8(v, _mm256_set1_epi8(low as i8 - 1)),
                _mm256_cmpgt_epi8(_mm256_set1_epi8(high as i8 + 1), v),
            )
        };
        let letter = |v: __m256i| within(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), b'a', b'z');
        let before_gt = any(after, GREATER);
        let before_name = mask(or(letter(next), or(is(next, b'_'), is(next, b'$'))));
        let structural = any(here, PUNCTUATION | COLONS | SQUARE | CURLY)
            | (any(here, EQUALS | SLASH) & before_gt)
            | (any(here, LESS) & (any(after, SLASH) | before_name));
        let second_o = is(next, b'o');
        let keywords = mask(or(
            or(
                and(is(block, b'd'), second_o),
                and(is(block, b'f'), second_o),
            ),
            or(
                and(is(block, b'e'), is(next, b'l')),
                and(is(block, b'w'), or(is(next, b'h'), is(next, b'i'))),
            ),
        ));
        let words = mask(or(
            or(letter(block), within(block, b'0', b'9')),
            or(is(block, b'_'), is(block, b'$')),
        ));
        (structural, keywords, words)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Other,
    /// `a`–`z`, `A`–`Z`, `0`–`9`, `_`, `$`.
    Word,
    Structural,
}

const CLASS: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' {
            table[b] = Class::Word;
        }
        b += 1;
    }
    let structural = b"()[]{},;=:</!~";
    let mut i = 0;
    while i < structural.len() {
        table[structural[i] as usize] = Class::Structural;
        i += 1;
    }
    table
};

/// With more speculative parses open at once than this, swc_ecma_parser 47 may backtrack for
/// seconds to hours: each guess nested in another multiplies the time by 2 to 5 (the fuzzer's
/// `x<(y= ` chains: 8 take 0.3 s, 10 take 7 s, 11 take 20 s; 22 nested `<T>(` casts take 4 s).
/// At 6 the slowest known input takes about 20 ms. Real code mostly stays at or below it: of
/// the 1,823 TypeScript files of the npm corpus and of 22 type-heavy packages (effect, fp-ts,
/// ts-toolbelt, …), 43 (2.4 %) scan above it, 42 of them effect's (long overload lists, no
/// semicolons); these are parsed in a child process first (see [`crate::runtime::child_parse`]).
pub const MAX_SPECULATION: usize = 6;

/// The most speculative parses swc's TypeScript parser may have open at once in `bytes`.
///
/// swc guesses, parses ahead and backtracks when the guess fails, so guesses nested inside a
/// guess multiply the work. The guesses counted:
/// - a `<` that may open type arguments (`f<T>(x)`), open until its `>`;
/// - a prefix `<T>` (a cast, or the type parameters of a generic arrow; in a `.tsx` file only
///   `<T,>`, `<T extends U>` or `<T = U>`, since `<T>` is an element there: swc
///   parses the whole expression after it as an arrow first), open until the end of that
///   expression: a `,` or `;` at its bracket depth, or the bracket around it closing;
/// - `(…):` where an operand starts (an arrow's return type, or in a conditional its colon:
///   swc parses the return type, and in a conditional the arrow's body, to find out), open as
///   long as a cast.
///
/// A guess is given up at the first token it cannot hold, so all of them are forgotten at a
/// `;` at their own bracket depth, and when the bracket around them closes: `if (a < b)` leaves
/// nothing open, even in code written without semicolons. Comments, strings and template text
/// are skipped; regular expressions are not told apart from code.
pub fn speculation_depth(bytes: &[u8], jsx: bool) -> usize {
    struct Angle {
        /// A prefix `<T>`, which may be a cast.
        cast: bool,
        /// `held` when it opened: what is held inside it is type-level and ends with it.
        held_before: usize,
    }
    #[derive(Default)]
    struct Level {
        /// Open `<`.
        angles: Vec<Angle>,
        /// Casts and arrow return types whose expression is still going on.
        held: usize,
        /// `?` still waiting for their `:`.
        conditionals: usize,
        /// Opened by `(` where an operand starts: arrow parameters, maybe.
        maybe_parameters: bool,
        /// Opened by `${` in a template literal, whose text goes on after the `}`.
        in_template: bool,
        /// The top level or a `{`: where a line break can end a statement.
        statements: bool,
    }
    impl Level {
        /// Forgets the guesses a statement's end ends; returns how many.
        fn end_statement(&mut self) -> usize {
            let ended = self.angles.len() + self.held;
            self.angles.clear();
            self.held = 0;
            self.conditionals = 0;
            ended
        }
    }
    /// Skips template text from `start`; a `${` opens a level whose `}` resumes the text.
    fn template_text(bytes: &[u8], start: usize, levels: &mut Vec<Level>) -> usize {
        let (end, expression) = template_end(bytes, start);
        if expression {
            levels.push(Level {
                in_template: true,
                ..Level::default()
            });
        }
        end
    }
    let mut levels = vec![Level {
        statements: true,
        ..Level::default()
    }];
    // Where the last byte of code (not whitespace, comment or text) is.
    let mut last_code: Option<usize> = None;
    let mut open = 0usize; // the sum of `angles` and `held` over all levels
    let mut max = 0;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let level = levels.last_mut().expect("never empty");
        if !byte.is_ascii_whitespace() && !is_comment_start(bytes, i) {
            last_code = Some(i);
        }
        match byte {
            // A line break where JavaScript inserts a semicolon ends the guesses of its level,
            // as `;` does: code without semicolons is otherwise one long statement.
            b'\n' if level.statements && inserts_semicolon(bytes, last_code, i) => {
                open -= level.end_statement();
            }
            // Comments, strings and template text are not code: brackets in them count for
            // nothing (the fuzzer hid unclosed guesses behind `//{})`).
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |end| i + end);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/")
                    .map_or(bytes.len(), |end| i + 3 + end);
            }
            b'\'' | b'"' => i = string_end(bytes, i + 1, byte),
            b'`' => i = template_text(bytes, i + 1, &mut levels),
            // `<=`, `<<` (a shift) and `</` (a JSX closing tag) open nothing.
            b'<' if matches!(bytes.get(i + 1), Some(b'=' | b'<' | b'/')) => i += 1,
            b'<' => {
                let cast = starts_operand(bytes, i)
                    && if jsx {
                        starts_type_parameters(bytes, i + 1)
                    } else {
                        starts_word(bytes, i + 1)
                    };
                level.angles.push(Angle {
                    cast,
                    held_before: level.held,
                });
                open += 1;
                max = max.max(open);
            }
            // `=>` is an arrow, not a closing angle.
            b'>' if i > 0 && bytes[i - 1] == b'=' => {}
            b'>' => {
                if let Some(angle) = level.angles.pop() {
                    open -= level.held - angle.held_before;
                    level.held = angle.held_before;
                    if angle.cast {
                        level.held += 1;
                    } else {
                        open -= 1;
                    }
                }
            }
            b'?' if matches!(bytes.get(i + 1), Some(b'.' | b'?')) => i += 1,
            b'?' => level.conditionals += 1,
            b':' => level.conditionals = level.conditionals.saturating_sub(1),
            // A comma inside angles (`<T, U>`) separates types, and ends only what it holds.
            b',' => {
                let floor = level.angles.last().map_or(0, |angle| angle.held_before);
                open -= level.held - floor;
                level.held = floor;
            }
            b';' => open -= level.end_statement(),
            b'(' | b'[' | b'{' => {
                // A call's parentheses (`f(x):`) hold arguments, not an arrow's parameters; and
                // after type parameters (`<T>(x):`), the cast or signature is counted already.
                let maybe_parameters =
                    byte == b'(' && starts_operand(bytes, i) && !after_type_parameters(bytes, i);
                levels.push(Level {
                    maybe_parameters,
                    statements: byte == b'{',
                    ..Level::default()
                });
            }
            b')' | b']' | b'}' => {
                let closed = if levels.len() > 1 {
                    levels.pop().expect("more than one")
                } else {
                    std::mem::replace(
                        &mut levels[0],
                        Level {
                            statements: true,
                            ..Level::default()
                        },
                    )
                };
                open -= closed.angles.len() + closed.held;
                if closed.maybe_parameters && next_significant(bytes, i + 1) == Some(b':') {
                    levels.last_mut().expect("never empty").held += 1;
                    open += 1;
                    max = max.max(open);
                }
                if closed.in_template && byte == b'}' {
                    i = template_text(bytes, i + 1, &mut levels);
                }
            }
            _ => {}
        }
        i += 1;
    }
    max
}

/// Whether the code before `i` ends with the `>` of type parameters (not an arrow's `=>`).
fn after_type_parameters(bytes: &[u8], i: usize) -> bool {
    let before = bytes[..i].iter().rposition(|b| !b.is_ascii_whitespace());
    before.is_some_and(|p| bytes[p] == b'>' && (p == 0 || bytes[p - 1] != b'='))
}

fn is_comment_start(bytes: &[u8], i: usize) -> bool {
    bytes[i] == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'*'))
}

/// Whether JavaScript surely inserts a semicolon at the line break at `i`: the code before it
/// can end a statement (a name, a literal, `)`, `]`, `}`) and the next line starts with a name
/// that cannot go on with it. A line that starts with `(`, `[`, `<`, an operator or a comment
/// may continue the statement, and is left alone.
fn inserts_semicolon(bytes: &[u8], last_code: Option<usize>, i: usize) -> bool {
    let Some(last) = last_code else {
        return false;
    };
    let ends = match bytes[last] {
        b')' | b']' | b'}' | b'\'' | b'"' | b'`' => true,
        b if is_word_byte(b) => {
            let start = bytes[..last]
                .iter()
                .rposition(|&b| !is_word_byte(b))
                .map_or(0, |p| p + 1);
            let word = &bytes[start..=last];
            !OPERAND_KEYWORDS.contains(&word) && !CONTINUING_KEYWORDS.contains(&word)
        }
        _ => false,
    };
    if !ends {
        return false;
    }
    let Some(next) = bytes[i..].iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    let next = i + next;
    if !(bytes[next].is_ascii_alphabetic() || bytes[next] == b'_' || bytes[next] == b'$') {
        return false;
    }
    let end = bytes[next..]
        .iter()
        .position(|&b| !is_word_byte(b))
        .map_or(bytes.len(), |p| next + p);
    !CONTINUING_KEYWORDS.contains(&&bytes[next..end])
}

/// Words that join what stands before and after them, even across a line break.
const CONTINUING_KEYWORDS: &[&[u8]] = &[
    b"in",
    b"instanceof",
    b"as",
    b"satisfies",
    b"extends",
    b"implements",
    b"of",
    b"is",
    b"keyof",
    b"readonly",
    b"asserts",
    b"infer",
    b"unique",
];

/// The index of the quote that closes a string whose text starts at `start`, or of the line
/// break where an unterminated one stops.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            b if b == quote => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Scans template text from `start`: the index of the closing backtick, or of the `{` of a
/// `${` (then `true`: an expression follows).
fn template_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return (i, false),
            b'$' if bytes.get(i + 1) == Some(&b'{') => return (i + 1, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// Whether a `<` at `i` stands where an operand starts (after an operator, an opening bracket,
/// a keyword such as `return`, or at the start), so that it is a prefix `<T>` and not a
/// comparison or type arguments after a name.
fn starts_operand(bytes: &[u8], i: usize) -> bool {
    let before = &bytes[..i];
    let Some(end) = before.iter().rposition(|b| !b.is_ascii_whitespace()) else {
        return true;
    };
    let last = before[end];
    if is_word_byte(last) {
        let start = before[..end]
            .iter()
            .rposition(|&b| !is_word_byte(b))
            .map_or(0, |p| p + 1);
        return OPERAND_KEYWORDS.contains(&&before[start..=end]);
    }
    b"([{,;=:?!~+-*/%&|^<>".contains(&last)
}

/// Keywords after which an expression starts (and `async`, whose `async <T>(…) =>` swc also
/// guesses at).
const OPERAND_KEYWORDS: &[&[u8]] = &[
    b"return",
    b"yield",
    b"await",
    b"typeof",
    b"void",
    b"delete",
    b"case",
    b"throw",
    b"in",
    b"of",
    b"new",
    b"else",
    b"do",
    b"extends",
    b"instanceof",
    b"default",
    b"async",
];

/// Whether type parameters that JSX cannot mean start at `i`: `T,`, `T extends` or `T =`
/// (swc takes `<T>` in a `.tsx` file for an element, and guesses at the others).
fn starts_type_parameters(bytes: &[u8], i: usize) -> bool {
    let Some(start) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| !b.is_ascii_whitespace()))
        .map(|p| i + p)
    else {
        return false;
    };
    let end = bytes[start..]
        .iter()
        .position(|&b| !is_word_byte(b))
        .map_or(bytes.len(), |p| start + p);
    if end == start {
        return false;
    }
    let after = &bytes[end..];
    let after = &after[after
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(after.len())..];
    after.starts_with(b",")
        || (after.starts_with(b"=") && !after.starts_with(b"=="))
        || (after.starts_with(b"extends") && !after.get(7).is_some_and(|&b| is_word_byte(b)))
}

/// Whether an identifier or keyword starts at `i`, after any whitespace.
fn starts_word(bytes: &[u8], i: usize) -> bool {
    next_significant(bytes, i).is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
}

fn next_significant(bytes: &[u8], i: usize) -> Option<u8> {
    bytes
        .get(i..)?
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_and_arrow_chains() {
        // `c: 1` counts as a possible label: an upper bound, not the exact depth.
        assert_eq!(nesting_depth(b"f(a, [b], {c: 1})"), 3);
        assert_eq!(nesting_depth(b"a => b => c => d"), 3);
        assert_eq!(nesting_depth(b"x = [a => 1, b => 2, c => 3]"), 2);
        assert!(nesting_depth("(".repeat(5000).as_bytes()) == 5000);
        // Chains that nest without brackets count (at least as deep as the AST nests).
        assert!(nesting_depth(b"while (a) while (b) with (c) for (;;) x = 1;") >= 4);
        assert!(nesting_depth(b"if (a) {} else if (b) {} else if (c) {} else {}") >= 3);
        assert!(nesting_depth(b"a: b: c: for (;;) break a;") >= 4);
        assert!(nesting_depth(b"let m: Map<string, Array<number>>;") >= 2);
        assert!(nesting_depth(b"x = <a><b><c/></b></a>;") >= 3);
        let deep = |unit: &str, n: usize| nesting_depth(unit.repeat(n).as_bytes());
        for unit in [
            "while(a) ",
            "with (a) ",
            "for(;;) ",
            "do ",
            "A<",
            "<a>",
            "else if (a) {} ",
            "l: ",
        ] {
            assert!(deep(unit, 2000) >= 1999, "{unit}");
        }
        // Ordinary code stays shallow: statements end chains.
        let code = "function f(a, b) { if (a < b) { return a; } else { return b; } }\n".repeat(500);
        assert!(
            nesting_depth(code.as_bytes()) < 10,
            "{}",
            nesting_depth(code.as_bytes())
        );
    }

    fn ts(source: &str) -> usize {
        speculation_depth(source.as_bytes(), false)
    }

    fn tsx(source: &str) -> usize {
        speculation_depth(source.as_bytes(), true)
    }

    #[test]
    fn closed_type_arguments_do_not_add_up() {
        assert_eq!(
            ts("let m: Map<string, Array<number>> = new Map<A, B>();"),
            2
        );
        assert_eq!(
            ts("class A { f(): Promise<Map<K, V>> {} g(): Set<T> {} }"),
            2
        );
        assert_eq!(ts("if (a < b) { c(); } for (i = 0; i < n; i++) {}"), 1);
        assert_eq!(ts("x = a << b << c; y = a <= b"), 0);
        assert_eq!(ts("f(g<A>(h<B>(x)), k<C>(y));"), 1);
    }

    #[test]
    fn unclosed_type_arguments_add_up() {
        assert_eq!(ts(&"x<o<(".repeat(16)), 32);
        // A `;` inside a type literal does not end the guesses outside it.
        assert_eq!(ts("x<o<{a;b<c<{d;e<"), 5);
        // A closer that never opened does not underflow.
        assert_eq!(ts(")]}>a<b"), 1);
    }

    #[test]
    fn comments_strings_and_template_text_are_not_code() {
        // The fuzzer's trick: closers in a comment must not end the guesses.
        assert_eq!(ts(&"l < (te < (x = { m(){ //{})\n".repeat(10)), 20);
        assert_eq!(ts(&"l < (te < (x = { m(){ /* })]} */".repeat(10)), 20);
        assert_eq!(ts(&"l < (te < (x = { m(){ s = ')})';".repeat(10)), 20);
        assert_eq!(ts(&"l < (te < (x = { m(){ s = \"\\\")}\";".repeat(10)), 20);
        // Nor do brackets and angles in text count.
        assert_eq!(
            ts("// a < b < c < (\nx = '<<<(((' + \"<(<(\" + `<(<( ${a} <(`;"),
            0
        );
        // A template's expressions are code.
        assert_eq!(ts(&"`${x<(".repeat(10)), 10);
        assert_eq!(ts("`a ${ f(a < b) } b ${ x<(y } c`"), 1);
        // Unterminated ones stop at the line's end (strings) or the file's.
        assert_eq!(ts("s = 'abc\nx<(y"), 1);
        assert_eq!(ts("/* x<(y"), 0);
    }

    #[test]
    fn a_line_break_that_ends_a_statement_ends_its_guesses() {
        let statements = "export const f = <A>(a: A) => g(a)\nexport const h = x < y\n";
        assert_eq!(ts(&statements.repeat(20)), 1);
        // A line that may go on with the last one does not.
        assert_eq!(ts(&"a ? (b): c =>\n".repeat(10)), 10);
        assert_eq!(ts(&"x = <T>a +\nb\n".repeat(10)), 1);
        // Nor a line break inside brackets.
        assert_eq!(ts(&"f(<T>a\nb + ".repeat(10)), 10);
    }

    #[test]
    fn code_without_semicolons_forgets_at_the_closing_bracket() {
        let statements = "if (a < b) return a\nwhile (i < n) i++\n".repeat(100);
        assert_eq!(ts(&statements), 1);
        let bodies = "function f() { const x = a < b\n return x }\n".repeat(100);
        assert_eq!(ts(&bodies), 1);
    }

    #[test]
    fn prefix_casts_last_as_long_as_their_expression() {
        assert_eq!(ts("const a = <Foo>bar; const b = <Foo>baz;"), 1);
        assert_eq!(ts("f(<A>a, <B>b, <C>c);"), 1);
        assert_eq!(ts("const id = <T,>(x: T) => x;"), 1);
        assert_eq!(ts("let f: <T>(x: T) => T; let g: <U>(y: U) => U;"), 1);
        // Each nested cast's expression lies inside the one before.
        assert_eq!(ts(&"<T>(".repeat(20)), 20);
        assert_eq!(ts(&"<T>[".repeat(20)), 20);
        assert_eq!(ts(&"<T>(x, ".repeat(20)), 20);
        assert_eq!(ts(&"<T extends U>(".repeat(20)), 20);
        assert_eq!(ts(&"<T>(() => ".repeat(20)), 20);
        assert_eq!(ts(&"<T>(function () { return ".repeat(20)), 20);
        assert_eq!(ts(&"async <T>(x = <T>".repeat(10)), 20);
        // Generic function types in type arguments end with them.
        let dual = "export const every = dual<\n  <K, A>(p: (a: A, k: K) => boolean) => (self: M<K, A>) => boolean,\n  <K, A>(self: M<K, A>, p: (a: A, k: K) => boolean) => boolean\n>(2, f)\n";
        assert_eq!(ts(&dual.repeat(20)), 3);
        // After a name, `<` opens type arguments, not a cast: `>` ends it.
        assert_eq!(ts(&"f<T>(".repeat(20)), 1);
        // In TSX, `<div>` is an element, not a cast.
        let jsx = "return (<div><span><a href={x}>link</a><br/></span></div>);";
        assert_eq!(tsx(&jsx.repeat(10)), 1);
        assert_eq!(tsx(&"<li>(a)</li><li b={c}>(d)</li>".repeat(10)), 1);
        // There, type parameters JSX cannot mean are still guesses.
        assert_eq!(tsx(&"`${<T extends U>(".repeat(20)), 20);
        assert_eq!(tsx(&"[<T,>(".repeat(20)), 20);
        assert_eq!(tsx(&"(<T = U>(".repeat(20)), 20);
    }

    #[test]
    fn arrow_return_types_last_as_long_as_a_cast() {
        assert_eq!(ts("x = a ? (b) : c; y = d ? (e) : f;"), 1);
        assert_eq!(ts("const f = (a): T => a; const g = (b): U => b;"), 1);
        // Arrows in default values of arrow parameters, and after `||`.
        assert_eq!(ts(&"(a = (a) : (b) => ".repeat(20)), 20);
        assert_eq!(ts(&"a ? class { m(): a || (b): c => ".repeat(20)), 20);
        assert_eq!(ts(&"a ? (b): c => (".repeat(20)), 20);
        assert_eq!(ts(&"a ? (b): c => ".repeat(20)), 20);
        assert_eq!(
            tsx(&"a ? (b): c => <T,>(".repeat(20)),
            40 // each `<T,>` a guess too
        );
        // Overloads, one a line, without semicolons: each signature is one guess, not two.
        let overloads = "interface I {\n  <A>(a: A): (b: A) => A\n  <B>(b: B): B\n}\n";
        assert_eq!(ts(&overloads.repeat(3)), 2);
        // Minified conditionals call functions; a call is not an arrow.
        assert_eq!(ts(&"a?f(e):b?g(e):".repeat(50)), 0);
        // Optional chaining and `??` are not conditionals; a call's `(b)` is no parameter list.
        assert_eq!(ts("x = a?.(b) ?? c ? d : e"), 0);
    }
}
