use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use leaklint::check::{check, check_stdin, CheckOptions, DEFAULT_MAX_FILE_SIZE};
use leaklint::config::Overrides;
use leaklint::diagnostic::Severity;
use leaklint::report::{self, display_path, Format, ReportOptions};
use leaklint::rules;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// List the rules with their default severity
    Rules,
    /// Print a rule's documentation
    Explain {
        /// A rule id, e.g. implicit-global
        rule: String,
    },
    /// Run the language server over standard input and output (for editors)
    Lsp,
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
    /// Reuse the results of unchanged files from the last run
    #[arg(long)]
    cache: bool,
    /// Where --cache keeps its results
    #[arg(long, value_name = "FILE", default_value = leaklint::cache::DEFAULT_LOCATION)]
    cache_location: PathBuf,
    /// When to color the pretty output
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
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
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Lsp => ExitCode::from(leaklint::lsp::run()),
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
    let options = CheckOptions {
        paths: if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths
        },
        threads: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        max_file_size: args.max_file_size,
        config: args.config,
        overrides: Overrides {
            rules: args.rules,
            env: (!args.envs.is_empty()).then_some(args.envs),
            globals: args.globals,
        },
        cache: args.cache.then_some(args.cache_location),
    };
    let outcome = if args.stdin {
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
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let options = ReportOptions {
        color,
        quiet: args.quiet,
    };
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
    } else if totals.errors > 0 || args.max_warnings.is_some_and(|max| totals.warnings > max) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
