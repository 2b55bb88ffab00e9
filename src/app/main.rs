//! The `ftpmirror` binary: all of it is in the library's `app`.

fn main() -> std::process::ExitCode {
    ftpmirror::main()
}
