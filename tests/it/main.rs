//! ftpmirror's integration tests: one test binary (`cargo test --test it`), run against real
//! FTP servers on loopback. Install what they need first: `bash tests/setup.sh`.

mod support;

mod chain;
mod client;
mod conventions;
mod credentials;
mod cron;
mod deadlines;
mod deep_paths;
mod dialects;
mod disk;
mod examples;
mod exit_codes;
mod ftp_ahead;
mod ftps;
mod fuzz;
mod harness;
mod hostile_ftp;
mod hostile_http;
mod http;
mod http_dirs;
mod http_faults;
mod http_pipeline;
mod http_styles;
mod kill_restart;
mod listing_trust;
mod logs;
mod ls;
mod manual;
mod march;
mod mirror;
mod other_servers;
mod passive;
mod progress;
mod signals;
mod state_dir;
mod streaming;
mod truncated;
