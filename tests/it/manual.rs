//! The manual keeps up with the command line: every flag clap knows, long or short, and every
//! visible alias, is in `man/ftpmirror.1`, so a flag cannot be added without its documentation.
//! The completion scripts come from the same definition and load in their shell.

use crate::support::ftpmirror;
use clap::CommandFactory;
use ftpmirror::cli::Cli;
use std::process::Command;

/// `--name` as roff writes it: every `-` escaped.
fn roff(flag: &str) -> String {
    flag.replace('-', "\\-")
}

#[test]
fn every_flag_is_in_the_manual() {
    let manual = include_str!("../../man/ftpmirror.1");
    let cli = Cli::command();
    let mut missing = Vec::new();
    let commands = std::iter::once(&cli).chain(cli.get_subcommands());
    for command in commands {
        if command.get_name() != cli.get_name() && !manual.contains(command.get_name()) {
            missing.push(command.get_name().to_string());
        }
        for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
            let longs = arg
                .get_long()
                .into_iter()
                .chain(arg.get_visible_aliases().into_iter().flatten());
            let shorts = arg
                .get_short()
                .into_iter()
                .chain(arg.get_visible_short_aliases().into_iter().flatten());
            let flags = longs
                .map(|l| format!("--{l}"))
                .chain(shorts.map(|s| format!("-{s}")));
            for flag in
                flags.filter(|f| f != "--help" && f != "-h" && f != "--version" && f != "-V")
            {
                if !manual.contains(&roff(&flag)) {
                    missing.push(format!("{} {flag}", command.get_name()));
                }
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new(), "not in man/ftpmirror.1");
}

#[test]
fn the_bash_completion_loads_and_completes_every_command_and_alias() {
    let out = ftpmirror().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let dir = crate::support::temp_dir();
    let script = dir.path().join("ftpmirror.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    // What bash offers after `ftpmirror ` and after `ftpmirror mirror --par`.
    let complete = |words: &str| {
        let probe = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _ftpmirror ftpmirror \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let commands = complete("ftpmirror ''");
    for command in ["mirror", "run", "ls", "completions"] {
        assert!(
            commands.lines().any(|l| l == command),
            "{command}: {commands}"
        );
    }
    assert_eq!(complete("ftpmirror mirror --par").trim(), "--parallel");
}
