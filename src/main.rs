use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use leaklint::check::{check, check_stdin, CheckOptions, DEFAULT_MAX_FILE_SIZE};
use leaklint::config::Overrides;
use leaklint::diagnostic::Severity;
use leaklint::report::html::{self, RunInfo};
use leaklint::report::{self, display_path, Format, ReportOptions};
use leaklint::result::CheckResult;
use leaklint::rules;
use leaklint::verify::{self, AtTarget, VerifyOptions};

#[global_allocator]
static GLOBAL: leaklint::runtime::alloc::Allocator = leaklint::runtime::alloc::Allocator;

/// Huge pages off before the first allocation (see `runtime::alloc::disable_huge_pages`).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[link_section = ".init_array"]
static DISABLE_HUGE_PAGES: extern "C" fn() = leaklint::runtime::alloc::disable_huge_pages;

#[derive(Parser)]
#[command(
    name = "leaklint",
    version,
    about = "Finds memory-leak patterns in JavaScript and TypeScript"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files and folders (default: the current folder)
    Check(CheckArgs),
    /// Lint, then run each finding in a contained node to confirm or refute it (runs the
    /// project's code; see the README)
    Verify(CheckArgs),
    /// List the rules with their default severity
    Rules,
    /// Print a rule's documentation
    Explain {
        /// A rule id, e.g. implicit-global
        rule: String,
    },
    /// Run the language server over standard input and output (for editors)
    Lsp,
    /// Write a commented leaklint.toml with the environments detected from package.json and
    /// the files (never overwrites one)
    Init {
        /// The project's folder
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Parse standard input as the named file, for the parent leaklint's deadline
    #[command(name = "__parse", hide = true)]
    Parse {
        name: String,
        deadline_ms: u64,
        /// Print how deep the AST nests (see `child_parse::depth_in_child`).
        #[arg(long)]
        depth: bool,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files and folders to lint
    #[arg(conflicts_with = "stdin")]
    paths: Vec<PathBuf>,
    /// Lint the text on standard input instead of files
    #[arg(long)]
    stdin: bool,
    /// With --stdin: the path the text is linted as (syntax, leaklint.toml, package.json)
    #[arg(long, value_name = "PATH", requires = "stdin")]
    stdin_filename: Option<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Pretty)]
    format: Format,
    /// Use this configuration file for every file instead of the nearest leaklint.toml
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Set a rule's severity, e.g. --rule implicit-global=warn (repeatable)
    #[arg(long = "rule", value_name = "ID=off|warn|error", value_parser = parse_rule)]
    rules: Vec<(String, Severity)>,
    /// Environments whose globals are known (replaces `env` of the config; repeatable)
    #[arg(long = "env", value_name = "ENV", value_delimiter = ',')]
    envs: Vec<String>,
    /// Extra global names (repeatable)
    #[arg(long = "global", value_name = "NAME", value_delimiter = ',')]
    globals: Vec<String>,
    /// Exit with status 1 when there are more warnings than this
    #[arg(long, value_name = "N")]
    max_warnings: Option<usize>,
    /// Report errors only
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Worker threads (default: the number of cores)
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Skip files larger than this many bytes, with a note
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Give up on a file still being linted after this many seconds for each started MB, with a
    /// note (only swc's TypeScript parser backtracking on odd input is known to take that long)
    #[arg(long, value_name = "SECS", default_value_t = leaklint::runtime::DEFAULT_FILE_TIMEOUT.as_secs_f64())]
    file_timeout: f64,
    /// Reuse the results of unchanged files from the last run
    #[arg(long)]
    cache: bool,
    /// Where --cache keeps its results
    #[arg(long, value_name = "FILE", default_value = leaklint::cache::DEFAULT_LOCATION)]
    cache_location: PathBuf,
    /// When to color the pretty output
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Run each finding in a contained node to confirm or refute it (as `leaklint verify`)
    #[arg(long)]
    verify: bool,
    #[command(flatten)]
    verify_options: VerifyArgs,
}

#[derive(clap::Args)]
#[command(next_help_heading = "Verification (verify, check --verify)")]
struct VerifyArgs {
    /// Heap limit of each node child, in MB [default: 64]
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u32).range(8..))]
    heap_limit: Option<u32>,
    /// Calls per finding, over one warm-up and four measured windows [default: 5000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(5..))]
    iterations: Option<u32>,
    /// Wall-clock limit per finding, in seconds [default: 30]
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// A module exporting `step(i)`, called instead of the function leaklint finds
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// The node executable [default: node]
    #[arg(long, value_name = "PATH")]
    node: Option<PathBuf>,
    /// What makes the exit status 1: any error-level finding (the default), or only findings
    /// the verifier confirmed
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<FailOn>,
    /// Verify RULE at FILE:LINE instead of the linter's findings (repeatable)
    #[arg(long = "at", value_name = "FILE:LINE:RULE", value_parser = AtTarget::parse)]
    at: Vec<AtTarget>,
    /// Replace these packages by a recording stub even where they are installed (packages
    /// that are not installed always are), e.g. `--stub pg,redis`
    #[arg(long, value_name = "PACKAGES", value_delimiter = ',', value_parser = verify::parse_stub)]
    stub: Vec<String>,
    /// Also write a self-contained HTML page with each finding's source, verdict, plots of the
    /// figures per window and retainer path
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// For each confirmed finding, what holds the growth: the kinds of object that grew and a
    /// retainer path, from two heap snapshots (about a second more per confirmed finding; on
    /// with --report)
    #[arg(long)]
    evidence: bool,
}

impl VerifyArgs {
    fn given(&self) -> Option<&'static str> {
        if self.heap_limit.is_some() {
            Some("--heap-limit")
        } else if self.iterations.is_some() {
            Some("--iterations")
        } else if self.timeout.is_some() {
            Some("--timeout")
        } else if self.scenario.is_some() {
            Some("--scenario")
        } else if self.node.is_some() {
            Some("--node")
        } else if self.fail_on.is_some() {
            Some("--fail-on")
        } else if !self.at.is_empty() {
            Some("--at")
        } else if !self.stub.is_empty() {
            Some("--stub")
        } else if self.report.is_some() {
            Some("--report")
        } else if self.evidence {
            Some("--evidence")
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Error-level findings, verified or not
    Findings,
    /// Only findings the verifier confirmed
    Confirmed,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_rule(text: &str) -> Result<(String, Severity), String> {
    let (id, severity) = text
        .split_once('=')
        .ok_or_else(|| format!("expected ID=off|warn|error, got `{text}`"))?;
    if !rules::is_known(id) {
        return Err(format!("unknown rule `{id}` (see `leaklint rules`)"));
    }
    let severity = Severity::parse(severity)
        .ok_or_else(|| format!("severity must be off, warn or error, got `{severity}`"))?;
    Ok((id.to_string(), severity))
}

fn main() -> ExitCode {
    leaklint::runtime::alloc::configure();
    leaklint::lint::install_quiet_panic_hook();
    leaklint::runtime::child_parse::install();
    let cli = Cli::parse();
    match cli.command {
        Command::Parse {
            name,
            deadline_ms,
            depth,
        } => leaklint::runtime::child_parse::run_child(&name, deadline_ms, depth),
        Command::Check(args) => run_check(args),
        Command::Lsp => ExitCode::from(leaklint::lsp::run()),
        Command::Init { dir } => leaklint::init::run(&dir),
        Command::Verify(mut args) => {
            args.verify = true;
            run_check(args)
        }
        Command::Rules => {
            let mut out = io::stdout().lock();
            for rule in rules::RULES {
                let _ = writeln!(
                    out,
                    "{:<18} {:<6} {}",
                    rule.id,
                    rule.default_severity.to_string().replace("warning", "warn"),
                    rule.summary
                );
            }
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(rule) => {
                print!("{}", rule.docs);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("leaklint: unknown rule `{rule}`; `leaklint rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    for env in &args.envs {
        if !leaklint::globals::is_env(env) {
            eprintln!(
                "leaklint: unknown environment `{env}` (known: {})",
                leaklint::globals::env_names().join(", ")
            );
            return ExitCode::from(2);
        }
    }
    if !args.verify {
        if let Some(flag) = args.verify_options.given() {
            eprintln!("leaklint: {flag} needs --verify (or `leaklint verify`)");
            return ExitCode::from(2);
        }
    }
    if args
        .verify_options
        .timeout
        .is_some_and(|t| !(t > 0.0 && t < 86_400.0))
    {
        eprintln!("leaklint: --timeout must be a number of seconds above 0");
        return ExitCode::from(2);
    }
    if !(args.file_timeout > 0.0 && args.file_timeout < 86_400.0) {
        eprintln!("leaklint: --file-timeout must be a number of seconds above 0");
        return ExitCode::from(2);
    }
    // Opened before the run, which can take minutes, so that a path that cannot be written
    // fails at once.
    let page = match open_page(args.verify_options.report.as_deref()) {
        Ok(page) => page,
        Err(code) => return code,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = CheckOptions {
        paths: if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths
        },
        threads: jobs,
        max_file_size: args.max_file_size,
        file_timeout: Duration::from_secs_f64(args.file_timeout),
        config: args.config,
        overrides: Overrides {
            rules: args.rules,
            env: (!args.envs.is_empty()).then_some(args.envs),
            globals: args.globals,
        },
        cache: args.cache.then_some(args.cache_location),
    };
    let at = &args.verify_options.at;
    let outcome = if !at.is_empty() {
        match verify::at_targets(at) {
            Ok(result) => Ok(result),
            Err(message) => {
                eprintln!("leaklint: {message}");
                return ExitCode::from(2);
            }
        }
    } else if args.stdin {
        let mut bytes = Vec::new();
        if let Err(error) = io::stdin().lock().read_to_end(&mut bytes) {
            eprintln!("leaklint: cannot read standard input: {error}");
            return ExitCode::from(2);
        }
        // Without --stdin-filename the text is linted as a .js file in the current folder.
        let path = args
            .stdin_filename
            .unwrap_or_else(|| PathBuf::from("<stdin>.js"));
        check_stdin(&path, &bytes, &options)
    } else {
        check(&options)
    };
    let mut result = match outcome {
        Ok(result) => result,
        Err(mut error) => {
            error.path = PathBuf::from(display_path(&error.path));
            eprintln!("leaklint: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    for note in &result.notes {
        eprintln!(
            "leaklint: note: {}: {}",
            display_path(&note.path),
            note.message
        );
    }
    for error in &result.io_errors {
        eprintln!(
            "leaklint: error: {}: {}",
            display_path(&error.path),
            error.message
        );
    }
    let totals = report::totals(&result);
    if args.quiet {
        report::filter_quiet(&mut result);
    }
    let mut confirmed = 0;
    let mut run = RunInfo::default();
    if args.verify {
        let v = &args.verify_options;
        let options = VerifyOptions {
            heap_limit_mb: v.heap_limit.unwrap_or(verify::DEFAULT_HEAP_LIMIT_MB),
            iterations: v.iterations.unwrap_or(verify::DEFAULT_ITERATIONS),
            timeout: Duration::from_secs_f64(v.timeout.unwrap_or(verify::DEFAULT_TIMEOUT_SECS)),
            scenario: v.scenario.clone(),
            jobs,
            node: v.node.clone().unwrap_or_else(|| PathBuf::from("node")),
            stubs: v.stub.clone(),
            evidence: v.evidence || v.report.is_some(),
        };
        match verify::verify(&mut result, &options) {
            Ok(summary) => {
                let description = summary.describe(&options);
                eprintln!("leaklint: {description}");
                confirmed = summary.confirmed;
                run = RunInfo {
                    node: summary.runtime.map(|r| r.version),
                    description: Some(description),
                };
            }
            Err(message) => {
                eprintln!("leaklint: verify: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let options = ReportOptions {
        color,
        quiet: args.quiet,
    };
    // The page first: a closed pipe on standard output must not lose it.
    if let Some((path, file)) = page {
        if let Err(error) = write_page(&result, &run, file) {
            eprintln!(
                "leaklint: cannot write the report to {}: {error}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    if let Err(error) =
        report::write(args.format, &result, &options, &mut out).and_then(|_| out.flush())
    {
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("leaklint: cannot write the report: {error}");
        }
        return ExitCode::from(2);
    }
    if !result.io_errors.is_empty() || result.unreadable > 0 {
        ExitCode::from(2)
    } else if args.verify_options.fail_on == Some(FailOn::Confirmed) {
        ExitCode::from(u8::from(confirmed > 0))
    } else if totals.errors > 0 || args.max_warnings.is_some_and(|max| totals.warnings > max) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `--report` file, created (and so known to be writable) before anything runs.
fn open_page(path: Option<&Path>) -> Result<Option<(PathBuf, File)>, ExitCode> {
    let Some(path) = path else {
        return Ok(None);
    };
    match File::create(path) {
        Ok(file) => Ok(Some((path.to_path_buf(), file))),
        Err(error) => {
            eprintln!(
                "leaklint: cannot write the report to {}: {error}",
                path.display()
            );
            Err(ExitCode::from(2))
        }
    }
}

fn write_page(result: &CheckResult, run: &RunInfo, file: File) -> io::Result<()> {
    let mut out = io::BufWriter::new(file);
    html::write(result, run, &mut out)?;
    out.flush()
}
