//! The completion scripts come from the command line's own definition and load in their shell
//! (that every flag is in the manual is a unit test of `job/cli.rs`).

use crate::support::ftpmirror;
use std::process::Command;

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
