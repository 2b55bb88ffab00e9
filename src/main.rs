//! `ftpmirror`: parse flags, run the command, exit with its code.

use clap::Parser;
use ftpmirror::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ftpmirror::logger::init(cli.verbose, cli.quiet);
    let result = match cli.command {
        Command::Mirror(args) => ftpmirror::app::mirror(args, cli.verbose, cli.quiet),
        Command::Ls(args) => ftpmirror::app::ls(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            log::error!("{e}");
            e.exit().into()
        }
    }
}
