//! `verify --report FILE.html` opened in a real browser, Debian's headless Chromium: the page
//! renders the findings, its plots are visible in a screenshot, and the browser logs nothing to
//! the console (no script error, and no load the page's Content-Security-Policy refused).

mod common;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{bin, repo, run_with_deadline};
use leaklint::report::html::{HEAP_STROKE, MEASURED_STROKE};

const CHROMIUM: &str = "/usr/bin/chromium";
const CONFIRMED: &str = "fixtures/verify/unbounded-cache/memoize.js";
const NOT_REPRODUCED: &str = "fixtures/verify/servers/upload.js";

/// Fails loudly without Chromium: a browser test that skips proves nothing.
fn require_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "tests/html_report.rs needs Debian's chromium at {CHROMIUM} (scripts/test.sh installs it: apt-get install chromium)"
    );
}

/// Runs `leaklint verify FILE --report <dir>/r.html` in the repository; the page's path.
fn verify_with_report(dir: &Path, file: &str) -> PathBuf {
    let page = dir.join("r.html");
    let mut command = Command::new(bin());
    command
        .args(["verify", file, "-f", "compact", "--report"])
        .arg(&page)
        .current_dir(repo());
    let run = run_with_deadline(&mut command, None, Duration::from_secs(120));
    assert!(
        matches!(run.code, Some(0 | 1)),
        "leaklint failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains(file),
        "the normal output still goes to stdout: {}",
        run.stdout
    );
    page
}

/// What Chromium made of a page: the DOM after load, the console lines it logged, the screenshot.
struct Rendered {
    dom: String,
    console: Vec<String>,
    screenshot: PathBuf,
}

/// Opens `page` twice in headless Chromium: once to dump the DOM, once for a screenshot, both
/// with its log on stderr, where each console message is a line with `CONSOLE`.
fn render(page: &Path, dir: &Path) -> Rendered {
    let url = format!("file://{}", page.display());
    let screenshot = dir.join("page.png");
    let dump = chromium(dir, "dump", &["--dump-dom", &url]);
    let shot = chromium(
        dir,
        "shot",
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1200,1600",
            &url,
        ],
    );
    let console = [&dump.1, &shot.1]
        .iter()
        .flat_map(|log| log.lines())
        .filter(|line| line.contains("CONSOLE") || line.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    assert!(screenshot.exists(), "no screenshot:\n{}", shot.1);
    Rendered {
        dom: dump.0,
        console,
        screenshot,
    }
}

/// One headless Chromium run with its own profile: (stdout, stderr).
fn chromium(dir: &Path, profile: &str, args: &[&str]) -> (String, String) {
    require_chromium();
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
        ])
        .arg(format!("--user-data-dir={}", dir.join(profile).display()))
        .args(["--no-first-run", "--no-default-browser-check"])
        .args(args);
    let run = run_with_deadline(&mut command, None, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "chromium failed:\n{}", run.stderr);
    (run.stdout, run.stderr)
}

/// Pixels of the screenshot within a small distance of `#rrggbb` (the inside of a 3 px stroke is
/// the colour itself; its anti-aliased edges are not counted).
fn pixels_of(png: &Path, colour: &str) -> usize {
    let target: Vec<i32> = (0..3)
        .map(|i| i32::from_str_radix(&colour[1 + 2 * i..3 + 2 * i], 16).unwrap())
        .collect();
    let mut decoder = png::Decoder::new(BufReader::new(File::open(png).unwrap()));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "a colour screenshot, got {:?}",
        info.color_type
    );
    buf[..info.buffer_size()]
        .chunks_exact(channels)
        .filter(|px| (0..3).all(|i| (i32::from(px[i]) - target[i]).abs() <= 6))
        .count()
}

/// The plots of the first finding are on screen: many pixels of each series' stroke.
fn assert_plots_visible(screenshot: &Path) {
    for (series, colour) in [("measured", MEASURED_STROKE), ("heap", HEAP_STROKE)] {
        let n = pixels_of(screenshot, colour);
        assert!(
            n >= 400,
            "the {series} plot ({colour}) is not visible in {}: {n} pixels",
            screenshot.display()
        );
    }
}

/// Verifies `fixture` with `--report`, renders the page, and checks what every page must show:
/// no console message, and the finding at `line_col` of the fixture.
fn render_finding(dir: &Path, fixture: &str, line_col: &str) -> Rendered {
    let page = verify_with_report(dir, fixture);
    let rendered = render(&page, dir);
    assert!(
        rendered.console.is_empty(),
        "console messages: {:#?}",
        rendered.console
    );
    assert!(
        rendered.dom.contains(&format!("{fixture}:{line_col}")),
        "{}",
        rendered.dom
    );
    rendered
}

#[test]
fn confirmed_finding_renders_with_its_plots_and_no_console_message() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = render_finding(dir.path(), CONFIRMED, "7:5");
    assert!(rendered
        .dom
        .contains("<span class=\"verdict confirmed\">confirmed</span>"));
    assert!(rendered
        .dom
        .contains("entries in <code>users</code> grew in each of 4 windows"));
    assert!(
        rendered.dom.contains(
            "<div class=\"line hit\" id=\"f1-L7\"><span class=\"ln\">7</span>    <mark>users.set</mark>(id, {"
        ),
        "the finding's line, highlighted, its range marked: {}",
        rendered.dom
    );
    assert_plots_visible(&rendered.screenshot);
    // Kept for a person to look at.
    let keep = repo().join("target/html-report.png");
    std::fs::create_dir_all(keep.parent().unwrap()).unwrap();
    std::fs::copy(&rendered.screenshot, &keep).unwrap();
}

#[test]
fn not_reproduced_finding_renders_with_its_plots() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = render_finding(dir.path(), NOT_REPRODUCED, "11:29");
    assert!(rendered
        .dom
        .contains("<span class=\"verdict not-reproduced\">not reproduced</span>"));
    assert!(rendered
        .dom
        .contains("<dt>stubbed</dt><dd><code>express</code> (not installed)</dd>"));
    assert_plots_visible(&rendered.screenshot);
}

/// The console check itself: on this Chromium, a page with a script error is caught (else the
/// tests above would pass on any page).
#[test]
fn the_console_check_catches_a_script_error() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><title>t</title><p>hi</p><script>notDefined();</script>",
    )
    .unwrap();
    let rendered = render(&page, dir.path());
    assert!(
        rendered
            .console
            .iter()
            .any(|line| line.contains("Uncaught ReferenceError: notDefined")),
        "{:#?}",
        rendered.console
    );
}

#[test]
fn an_unwritable_report_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("no-such-folder/r.html");
    let mut command = Command::new(bin());
    command
        .args(["verify", CONFIRMED, "--report"])
        .arg(&page)
        .current_dir(repo());
    let run = run_with_deadline(&mut command, None, Duration::from_secs(120));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("cannot write the report to {}", page.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn report_needs_verify() {
    let mut command = Command::new(bin());
    command
        .args(["check", CONFIRMED, "--report", "r.html"])
        .current_dir(repo());
    let run = run_with_deadline(&mut command, None, Duration::from_secs(60));
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("--report needs --verify"),
        "{}",
        run.stderr
    );
    assert!(!repo().join("r.html").exists());
}
