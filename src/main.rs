//! `ftpmirror`: parse flags, run the command, exit with its code.

use clap::Parser;
use ftpmirror::app::{self, Output};
use ftpmirror::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ftpmirror::logger::init(cli.verbose, cli.quiet);
    if let Err(e) = ftpmirror::signal::install() {
        log::warn!("cannot catch SIGTERM and SIGINT ({e}): a stop will not save the state");
    }
    let out = Output {
        verbose: cli.verbose,
        quiet: cli.quiet,
    };
    let result = match cli.command {
        Command::Mirror(args) => app::mirror(*args, out),
        Command::Run(args) => app::run(args, out),
        Command::Ls(args) => app::ls(args),
        Command::Completions(args) => {
            let mut cli = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cli, "ftpmirror", &mut std::io::stdout());
            Ok(ftpmirror::error::Exit::Success)
        }
    };
    let exit = result.unwrap_or_else(|e| {
        log::error!("{e}");
        e.exit()
    });
    // A stop cut whatever the command was doing short: its code says so, not the cut's.
    ftpmirror::signal::stopped()
        .map_or(exit, |stop| stop.exit())
        .into()
}
