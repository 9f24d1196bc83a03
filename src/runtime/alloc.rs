//! The global allocator of leaklint's binaries: mimalloc, called the way `malloc` is called.
//!
//! The `mimalloc` crate hands every allocation to `mi_malloc_aligned`, whose fast path in
//! mimalloc 3 misses about half the time: a run over the npm corpus spent 12 % of its
//! instructions in the allocator, and 6 % on that slow path alone. Most of Rust's allocations
//! ask for no more alignment than `mi_malloc` gives anyway (16 bytes, or the size for smaller
//! blocks, as `malloc`), so those go to `mi_malloc`, and only the rest to the aligned functions.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

/// Turns transparent huge pages off for this process, as the binaries' first act. mimalloc asks
/// for them on the memory it reserves (`MADV_HUGEPAGE`), and where the system grants them on
/// request (`madvise`, the usual setting) each first touch of 2 MiB faults, compacts and zeroes
/// all of it; mimalloc gives unused memory back after a second and takes it again for the next
/// large file, so the zeroing repeats. Over the npm corpus that was a quarter of the run's CPU
/// time at worst (kernel time 0.4 to 1.5 s, varying with how fragmented memory was), and with
/// small pages 0.3 s steadily, with a lower peak RSS (130 MB rather than 175). The setting is
/// the process's (and its children's: the child parse), so it holds for the memory mimalloc
/// reserved before `main`.
///
/// It also makes mimalloc keep memory freed for 10 s rather than 1 s before giving it back:
/// a `check` run lints one file after another for a few seconds, and each large file took
/// pages freed by an earlier one back from the system, faulted and zeroed again (over the npm
/// corpus, system time 0.25 s -> 0.20 s, for 5 MB more peak RSS). A language server idle for 10 s
/// still gives its memory back. `MIMALLOC_PURGE_DELAY` in the environment still decides.
pub fn configure() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` only stores the option, which mimalloc reads when it purges.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 10_000) };
    }
    disable_huge_pages();
}

/// The huge-page half of [`configure`], for the binaries to run from `.init_array` as well:
/// there it comes before the first allocation (Rust's runtime allocates before `main`), when
/// mimalloc reserves and first touches its arena, which with huge pages zeroed for up to 30 ms
/// on the main thread before anything else could start. It allocates nothing.
pub extern "C" fn disable_huge_pages() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: `prctl` with `PR_SET_THP_DISABLE` only sets a flag of the process; an error
        // (an old kernel) leaves huge pages on, as before.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (`mimalloc.h`), which the bindings
/// without their `extended` feature do not declare; the test below checks it by its default.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// What `mi_malloc` aligns every block to, when the block is at least that large.
const MIN_ALIGN: usize = 16;

pub struct Allocator;

/// Whether `mi_malloc` alone gives `layout` its alignment.
fn plain(layout: Layout) -> bool {
    layout.align() <= MIN_ALIGN && layout.align() <= layout.size()
}

// SAFETY: every function forwards to mimalloc, which returns blocks of at least the requested
// size aligned as asked (`plain` keeps to what `mi_malloc` guarantees), or null; blocks from
// either family are freed and resized by `mi_free` and `mi_realloc*` alike.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout) {
            mi_malloc(layout.size()) as *mut u8
        } else {
            mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout) {
            mi_zalloc(layout.size()) as *mut u8
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr as *mut c_void);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = Layout::from_size_align_unchecked(new_size, layout.align());
        if plain(layout) && plain(moved) {
            mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is mimalloc's purge delay: the only option whose default is 1000 ms.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reading an option has no effect.
            assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
        }
    }

    /// Every alignment Rust asks for is honoured, on both paths, and across a resize.
    #[test]
    fn blocks_are_aligned_as_asked() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 17, 100, 5000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; the block is freed with the layout it was made with.
                unsafe {
                    let block = Allocator.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "size {size}, align {align}");
                    block.write_bytes(0xab, size);
                    let grown = Allocator.realloc(block, layout, size * 3);
                    assert_eq!(
                        grown as usize % align,
                        0,
                        "grown: size {size}, align {align}"
                    );
                    assert_eq!(*grown.add(size - 1), 0xab, "kept its contents");
                    Allocator.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let zeroed = Allocator.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0);
                    assert!(std::slice::from_raw_parts(zeroed, size)
                        .iter()
                        .all(|&b| b == 0));
                    Allocator.dealloc(zeroed, layout);
                }
            }
        }
    }
}
