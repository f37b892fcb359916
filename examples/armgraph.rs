//! The armgraph command line.
//!
//! ```text
//! armgraph [OPTIONS] [PATH]...
//! ```
//!
//! Exit status: 0 when no finding reaches the deny level, 1 when one does, 2 on a usage or I/O
//! error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use armgraph::report::render::RenderOptions;
use armgraph::{Analyzer, Config, Format, Inputs, Severity};
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DenyLevel {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Static analysis of Azure Resource Manager templates: expansion, resource graph, Azure Machine
/// Learning network-isolation invariants.
#[derive(Debug, Parser)]
#[command(name = "armgraph", version)]
struct Cli {
    /// Templates, parameter files or directories to analyze (directories are walked for *.json).
    /// Default: the demo set in testdata/samples.
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,

    /// A parameter file to analyze the given templates with (in addition to the
    /// <name>.parameters*.json files found beside them). Repeatable.
    #[arg(long, value_name = "FILE")]
    parameters: Vec<PathBuf>,

    /// Configuration file (armgraph.json).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// The lowest severity that makes the exit status 1 (default: error, or the configuration's).
    #[arg(long, value_enum)]
    deny: Option<DenyLevel>,

    /// Colours in human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,

    /// Base URL of the rule pages, used for SARIF helpUri (e.g. your fork's docs/rules).
    #[arg(long, value_name = "URL")]
    docs_url: Option<String>,

    /// List every code armgraph can report, then exit.
    #[arg(long)]
    list_rules: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("armgraph: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if cli.list_rules {
        for info in armgraph::rules::registry() {
            writeln!(
                out,
                "{:<14} {:<8} {:<28} {}",
                info.code, info.default_severity, info.name, info.summary
            )
            .map_err(|e| e.to_string())?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let mut config = match &cli.config {
        Some(path) => Config::from_file(path).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    if let Some(deny) = cli.deny {
        config = config.with_deny(match deny {
            DenyLevel::Error => Severity::Error,
            DenyLevel::Warning => Severity::Warning,
            DenyLevel::Note => Severity::Note,
        });
    }
    let format = match cli.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
    };
    config = config.with_progress(matches!(format, Format::Human));

    let paths = if cli.paths.is_empty() {
        vec![default_samples()]
    } else {
        cli.paths.clone()
    };
    let mut inputs = Inputs::from_paths(paths.clone());
    for parameters in &cli.parameters {
        inputs = inputs.with_parameter_file(parameters);
    }
    let analyzer = Analyzer::new(config);
    let report = analyzer.check(&inputs).map_err(|e| e.to_string())?;
    if report.analyzed().is_empty() && report.diagnostics().is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "no deployment templates found in {} ({} other JSON file(s) skipped)",
            shown.join(", "),
            report.scanned().other
        ));
    }

    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut options = RenderOptions::default().with_color(color);
    if let Some(url) = cli.docs_url {
        options = options.with_docs_base_url(url);
    }
    report
        .write(&mut out, format, &options)
        .map_err(|e| format!("cannot write the report: {e}"))?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(if report.reaches(analyzer.config().deny()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `testdata/samples` of the working directory, else of this crate's checkout.
fn default_samples() -> PathBuf {
    let local = PathBuf::from("testdata/samples");
    if local.is_dir() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/samples")
    }
}
