//! `ftpmirror`: parse flags, run the command, exit with its code.

use clap::Parser;
use ftpmirror::app::{self, Output};
use ftpmirror::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ftpmirror::logger::init(cli.verbose, cli.quiet);
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
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            log::error!("{e}");
            e.exit().into()
        }
    }
}
