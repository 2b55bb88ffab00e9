//! Job files (`mirror.toml`, described in mirror.toml(5)): a `[defaults]` table and one
//! `[jobs.NAME]` table per job, each holding the keys of [`Settings`].
//!
//! A job file is checked whole when it is loaded, before any job runs: a typo in the last job
//! must not surface after the first one has spent an hour mirroring. Every error names the
//! file, line and column it is about. [`JobFile::select`] then hands out each job's settings
//! with the defaults filled in and relative paths anchored at the file's directory, so a job
//! file means the same whichever directory cron starts in.

use crate::job::settings::Settings;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The variable naming the job file, before any of the usual places is looked at.
pub const CONFIG_ENV: &str = "FTPMIRROR_CONFIG";

/// A job file: `[defaults]` and `[jobs.NAME]` tables (names: letters, digits, `-`, `_`).
#[derive(Debug, Clone)]
pub struct JobFile {
    pub path: PathBuf,
    pub defaults: Settings,
    pub jobs: BTreeMap<String, Settings>,
}

/// The whole file as TOML gives it. Deserializing it in one piece from the original text keeps
/// every error's span pointing into that text; `deny_unknown_fields` (here and on [`Settings`])
/// turns a misspelt table or key into an error instead of a silently ignored setting.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    defaults: Settings,
    #[serde(default)]
    jobs: BTreeMap<JobName, Settings>,
}

/// A job name, checked as its key is read so that a bad one is reported at the key. Names are
/// typed on command lines and appear in logs and lock messages: keep them plain.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct JobName(String);

impl<'de> Deserialize<'de> for JobName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JobName, D::Error> {
        let name = String::deserialize(d)?;
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if name.is_empty() || !name.chars().all(plain) {
            return Err(serde::de::Error::custom(format!(
                "bad job name {name:?}: use letters, digits, '-' and '_'"
            )));
        }
        Ok(JobName(name))
    }
}

/// Reads and checks a job file. Any error (unreadable file, TOML syntax, unknown key anywhere,
/// a bad value, a job table that is not a table, an unknown top-level table) is returned as a
/// String "FILE:LINE:COLUMN: message" (1-based line and column, from the span of the error;
/// when the toml error has no span, "FILE: message").
pub fn load(path: &Path) -> Result<JobFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(path, &text)
}

/// [`load`] on text already read; `path` is where it came from.
fn parse(path: &Path, text: &str) -> Result<JobFile, String> {
    let document: Document = toml::from_str(text).map_err(|e| located(path, text, &e))?;
    Ok(JobFile {
        path: path.to_path_buf(),
        defaults: document.defaults,
        jobs: document
            .jobs
            .into_iter()
            .map(|(name, s)| (name.0, s))
            .collect(),
    })
}

/// `FILE:LINE:COLUMN: message`, the form compilers use, so editors can jump to the spot.
fn located(path: &Path, text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            format!("{}:{line}:{column}: {message}", path.display())
        }
        None => format!("{}: {message}", path.display()),
    }
}

/// The 1-based line and column (in characters, as an editor counts them) of the byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    // A span past the end (an error at end of file) or inside a character is clamped back.
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// The job file to use when none is given: $FTPMIRROR_CONFIG if set, else the first existing of
/// ./mirror.toml, $XDG_CONFIG_HOME/ftpmirror/mirror.toml (or ~/.config/ftpmirror/mirror.toml),
/// /etc/ftpmirror/mirror.toml. `None` if none exists.
///
/// `var` reads an environment variable and `exists` tells whether a file is there, so the
/// order can be tested without touching the process environment.
pub fn find(
    var: impl Fn(&str) -> Option<String>,
    exists: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    // A file named explicitly is returned even if missing: loading it then says why, where
    // falling through to another file would run jobs nobody asked for.
    if let Some(file) = var(CONFIG_ENV).filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    places(&var).into_iter().find(|place| exists(place))
}

/// Where a job file is looked for, in order.
fn places(var: &impl Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let mut places = vec![PathBuf::from("mirror.toml")];
    if let Some(dir) = config_home(var) {
        places.push(dir.join("ftpmirror").join("mirror.toml"));
    }
    places.push(PathBuf::from("/etc/ftpmirror/mirror.toml"));
    places
}

/// The XDG Base Directory specification: `$XDG_CONFIG_HOME`, ignored when empty or relative,
/// else `$HOME/.config`.
fn config_home(var: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let xdg = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute());
    xdg.or_else(|| {
        var("HOME")
            .filter(|home| !home.is_empty())
            .map(|home| Path::new(&home).join(".config"))
    })
}

impl JobFile {
    /// The settings of each named job (all jobs, in name order, when `names` is empty), each
    /// with the defaults filled in. An unknown name is an error listing the known ones.
    /// A relative `target`, `ca_file`, `password_file` or `netrc_file` is taken relative to the
    /// job file's directory (so a job file means the same from any working directory).
    pub fn select(&self, names: &[String]) -> Result<Vec<(String, Settings)>, String> {
        if self.jobs.is_empty() {
            // Running nothing and succeeding would hide a wrong file from cron.
            return Err(format!(
                "{}: no jobs: add a [jobs.NAME] table",
                self.path.display()
            ));
        }
        if names.is_empty() {
            return Ok(self.jobs.keys().map(|name| self.job(name)).collect());
        }
        names
            .iter()
            .map(|name| match self.jobs.contains_key(name) {
                true => Ok(self.job(name)),
                false => Err(self.unknown(name)),
            })
            .collect()
    }

    /// The job `name` (which exists), ready for [`crate::job::Job::resolve`].
    fn job(&self, name: &str) -> (String, Settings) {
        let own = &self.jobs[name];
        let mut settings = own.clone().or(&self.defaults);
        // A `[defaults]` guard for the jobs that delete says nothing about those that do not;
        // only a job's own max_delete without delete is the mistake Job::resolve reports.
        if own.max_delete.is_none() && settings.delete != Some(true) {
            settings.max_delete = None;
        }
        (name.to_string(), self.anchored(settings))
    }

    fn unknown(&self, name: &str) -> String {
        let known: Vec<&str> = self.jobs.keys().map(String::as_str).collect();
        format!(
            "{}: no job named {name:?}; its jobs are: {}",
            self.path.display(),
            known.join(", ")
        )
    }

    /// `settings` with its relative paths taken from the job file's directory.
    fn anchored(&self, settings: Settings) -> Settings {
        let dir = self.path.parent().unwrap_or(Path::new(""));
        // `join` leaves an absolute path as it is.
        let anchor = |path: Option<PathBuf>| path.map(|p| dir.join(p));
        Settings {
            target: anchor(settings.target),
            state_dir: anchor(settings.state_dir),
            ca_file: anchor(settings.ca_file),
            password_file: anchor(settings.password_file),
            netrc_file: anchor(settings.netrc_file),
            ..settings
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::settings::{MaxDelete, Rate, TlsArg};
    use std::fs;

    /// Writes `text` as `mirror.toml` in a fresh directory and loads it.
    fn load_text(text: &str) -> (tempfile::TempDir, Result<JobFile, String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mirror.toml");
        fs::write(&path, text).unwrap();
        let loaded = load(&path);
        (dir, loaded)
    }

    /// The error of loading `text`, with the temp directory's path cut off.
    fn error_of(text: &str) -> String {
        let (dir, loaded) = load_text(text);
        let error = loaded.expect_err("the file should not load");
        let prefix = format!("{}/", dir.path().display());
        error.strip_prefix(&prefix).unwrap_or(&error).to_string()
    }

    const FULL: &str = r#"
[defaults]
connections = 8
tries = 5
connect_timeout = 10
timeout = 20
limit_rate = "10M"
exclude = ["*.tmp"]
netrc_file = "netrc"

[jobs.debian]
source = "ftp://ftp.example.org/debian/"
target = "/srv/mirror/debian"
last = ["Release", "InRelease", "Packages*", "repodata/*"]
delete = true
max_delete = "5%"
allow_empty = false
job_timeout = 3600
active = true
no_epsv = true
trust_pasv_address = false

[jobs.drop]
source = "https://files.example.org/drop/"
target = "drop"
include = ["**/*.csv"]
connections = 2
max_delete = 100
tls = "required"
ca_file = "ca.pem"
insecure = false
user = "alice"
password_file = "drop.password"
password_env = "DROP_PASSWORD"
allow_other_hosts = true
max_redirects = 3
"#;

    #[test]
    fn a_full_file_loads() {
        let (_dir, loaded) = load_text(FULL);
        let file = loaded.unwrap();
        assert_eq!(file.jobs.keys().collect::<Vec<_>>(), ["debian", "drop"]);
        assert_eq!(file.defaults.connections, Some(8));
        assert_eq!(file.defaults.limit_rate, Some(Rate(10 << 20)));
        let debian = &file.jobs["debian"];
        assert_eq!(debian.source.as_ref().unwrap().0.host, "ftp.example.org");
        assert_eq!(debian.max_delete, Some(MaxDelete::Percent(5.0)));
        assert_eq!(debian.last.as_ref().unwrap().len(), 4);
        assert_eq!(
            (debian.delete, debian.active, debian.job_timeout),
            (Some(true), Some(true), Some(3600))
        );
        let drop = &file.jobs["drop"];
        assert_eq!(drop.max_delete, Some(MaxDelete::Count(100)));
        assert_eq!(drop.tls, Some(TlsArg::Required));
        assert_eq!(drop.password_env.as_deref(), Some("DROP_PASSWORD"));
        assert_eq!(drop.max_redirects, Some(3));
    }

    #[test]
    fn a_default_max_delete_guards_only_the_jobs_that_delete() {
        let text = "[defaults]\nmax_delete = 50\n[jobs.keep]\n[jobs.prune]\ndelete = true\n";
        let (_dir, loaded) = load_text(text);
        let jobs = loaded.unwrap().select(&[]).unwrap();
        let max = |i: usize| jobs[i].1.max_delete;
        assert_eq!((max(0), max(1)), (None, Some(MaxDelete::Count(50))));
    }

    #[test]
    fn an_empty_file_has_no_jobs_to_run() {
        let (_dir, loaded) = load_text("");
        let file = loaded.unwrap();
        assert!(file
            .select(&[])
            .unwrap_err()
            .ends_with("no jobs: add a [jobs.NAME] table"));
    }

    #[test]
    fn unknown_key_in_a_job_is_reported_at_the_key() {
        let text = "[jobs.a]\nsource = \"ftp://h/\"\n  conections = 3\n";
        let error = error_of(text);
        assert!(
            error.starts_with("mirror.toml:3:3: unknown field `conections`, expected one of"),
            "{error}"
        );
    }

    #[test]
    fn unknown_key_in_defaults_is_reported_at_the_key() {
        let error = error_of("[defaults]\ntries = 2\ndelete_all = true\n");
        assert!(
            error.starts_with("mirror.toml:3:1: unknown field `delete_all`"),
            "{error}"
        );
    }

    #[test]
    fn unknown_key_in_an_inline_job_table() {
        let error = error_of("[jobs]\na = { target = \"t\", colour = 1 }\n");
        assert!(
            error.starts_with("mirror.toml:2:21: unknown field `colour`"),
            "{error}"
        );
    }

    #[test]
    fn unknown_top_level_table() {
        let error = error_of("[default]\ntries = 2\n");
        assert!(
            error.starts_with(
                "mirror.toml:1:2: unknown field `default`, expected `defaults` or `jobs`"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_job_that_is_not_a_table() {
        let error = error_of("[jobs]\nsource = \"ftp://h/\"\n");
        assert!(
            error.starts_with("mirror.toml:2:10: invalid type: string"),
            "{error}"
        );
        let error = error_of("jobs = 3\n");
        assert!(
            error.starts_with("mirror.toml:1:8: invalid type: integer"),
            "{error}"
        );
    }

    #[test]
    fn bad_job_names() {
        let error = error_of("[jobs.\"a b\"]\n");
        assert!(
            error.starts_with("mirror.toml:1:7: bad job name \"a b\""),
            "{error}"
        );
        let error = error_of("[jobs.\"\"]\n");
        assert!(
            error.starts_with("mirror.toml:1:7: bad job name \"\""),
            "{error}"
        );
    }

    #[test]
    fn bad_values_are_reported_at_the_value() {
        let cases = [
            ("max_delete = \"ten\"", 14, "bad max-delete \"ten\""),
            (
                "connections = \"x\"",
                15,
                "invalid type: string \"x\", expected u16",
            ),
            ("tls = \"maybe\"", 7, "unknown variant `maybe`"),
            (
                "source = \"gopher://x/\"",
                10,
                "unsupported URL scheme \"gopher\"",
            ),
            ("include = [\"[\"]", 11, "["),
            ("limit_rate = \"fast\"", 14, "bad rate \"fast\""),
            ("timeout = 0", 11, "a timeout of 0 seconds: give at least 1"),
            ("job_timeout = 0", 15, "a timeout of 0 seconds"),
            (
                "delete = \"yes\"",
                10,
                "invalid type: string \"yes\", expected a boolean",
            ),
        ];
        for (line, column, message) in cases {
            let error = error_of(&format!("[jobs.a]\ntarget = \"t\"\n{line}\n"));
            let expected = format!("mirror.toml:3:{column}: ");
            assert!(error.starts_with(&expected), "{line}: {error}");
            assert!(error.contains(message), "{line}: {error}");
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let error = error_of("[jobs.a]\nuser = \"é\"\ntries = \"élan\"\n");
        assert!(error.starts_with("mirror.toml:3:9: "), "{error}");
        let error = error_of("[jobs.a]\n# déjà vu\nuser = \"é\" ; tries = 1\n");
        assert!(error.starts_with("mirror.toml:3:12: "), "{error}");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = error_of("[jobs.a]\ntarget = \"t\n");
        assert!(error.starts_with("mirror.toml:2:"), "{error}");
        let error = error_of("[jobs.a]\ntarget = \"t\"\ntarget = \"u\"\n");
        assert!(error.starts_with("mirror.toml:3:1: "), "{error}");
    }

    #[test]
    fn an_unreadable_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.toml");
        let error = load(&path).unwrap_err();
        assert!(
            error.starts_with(&format!("{}: ", path.display())),
            "{error}"
        );
    }

    #[test]
    fn line_and_column_of_offsets() {
        let text = "ab\ncé\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 6), (2, 3)); // after the two-byte é
        assert_eq!(line_column(text, 5), (2, 2)); // inside é: clamped to its start
        assert_eq!(line_column(text, 99), (3, 1));
    }

    #[test]
    fn select_fills_in_defaults() {
        let (_dir, loaded) = load_text(FULL);
        let jobs = loaded.unwrap().select(&["drop".to_string()]).unwrap();
        let (name, drop) = &jobs[0];
        assert_eq!(name, "drop");
        assert_eq!(drop.connections, Some(2), "the job's own value wins");
        assert_eq!(drop.tries, Some(5), "the default fills in");
        assert_eq!(drop.exclude.as_ref().unwrap()[0].0, "*.tmp");
        assert_eq!(drop.job_timeout, None, "neither gives one");
    }

    #[test]
    fn select_all_in_name_order_or_as_named() {
        let (_dir, loaded) = load_text(FULL);
        let file = loaded.unwrap();
        let names =
            |jobs: Vec<(String, Settings)>| jobs.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(file.select(&[]).unwrap()), ["debian", "drop"]);
        let asked = ["drop".to_string(), "debian".to_string()];
        assert_eq!(names(file.select(&asked).unwrap()), ["drop", "debian"]);
    }

    #[test]
    fn select_unknown_name_lists_the_known_ones() {
        let (_dir, loaded) = load_text(FULL);
        let error = loaded.unwrap().select(&["debain".to_string()]).unwrap_err();
        assert!(
            error.ends_with("no job named \"debain\"; its jobs are: debian, drop"),
            "{error}"
        );
    }

    #[test]
    fn relative_paths_are_taken_from_the_file_directory() {
        let (dir, loaded) = load_text(FULL);
        let jobs = loaded.unwrap().select(&[]).unwrap();
        let (_, debian) = &jobs[0];
        let (_, drop) = &jobs[1];
        assert_eq!(
            debian.target.as_deref(),
            Some(Path::new("/srv/mirror/debian"))
        );
        assert_eq!(
            debian.netrc_file,
            Some(dir.path().join("netrc")),
            "a default's path too"
        );
        assert_eq!(drop.target, Some(dir.path().join("drop")));
        assert_eq!(drop.ca_file, Some(dir.path().join("ca.pem")));
        assert_eq!(drop.password_file, Some(dir.path().join("drop.password")));
    }

    #[test]
    fn a_file_in_the_working_directory_keeps_relative_paths() {
        let file = parse(Path::new("mirror.toml"), "[jobs.a]\ntarget = \"t\"\n").unwrap();
        let jobs = file.select(&[]).unwrap();
        assert_eq!(jobs[0].1.target.as_deref(), Some(Path::new("t")));
    }

    /// A fake environment: the variables in `vars`, and files at `files`.
    fn found(vars: &[(&str, &str)], files: &[&str]) -> Option<PathBuf> {
        let var = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        };
        find(var, |path| files.iter().any(|f| Path::new(f) == path))
    }

    #[test]
    fn find_order() {
        let home = [("HOME", "/home/u")];
        let xdg = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/xdg")];
        let all = [
            "mirror.toml",
            "/home/u/.config/ftpmirror/mirror.toml",
            "/xdg/ftpmirror/mirror.toml",
            "/etc/ftpmirror/mirror.toml",
        ];
        let env = [("FTPMIRROR_CONFIG", "/jobs.toml"), ("HOME", "/home/u")];
        assert_eq!(
            found(&env, &all),
            Some("/jobs.toml".into()),
            "named, even if missing"
        );
        assert_eq!(found(&xdg, &all), Some("mirror.toml".into()));
        assert_eq!(
            found(&xdg, &all[1..]),
            Some("/xdg/ftpmirror/mirror.toml".into())
        );
        assert_eq!(
            found(&home, &all[1..]),
            Some("/home/u/.config/ftpmirror/mirror.toml".into())
        );
        assert_eq!(
            found(&xdg, &all[3..]),
            Some("/etc/ftpmirror/mirror.toml".into())
        );
        assert_eq!(
            found(&[], &all[3..]),
            Some("/etc/ftpmirror/mirror.toml".into())
        );
        assert_eq!(found(&home, &[]), None);
    }

    #[test]
    fn find_ignores_empty_and_relative_variables() {
        let files = ["/home/u/.config/ftpmirror/mirror.toml"];
        let vars = [
            ("FTPMIRROR_CONFIG", ""),
            ("XDG_CONFIG_HOME", "rel"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(found(&vars, &files), Some(files[0].into()));
    }

    /// Every key of [`Settings`]. The pattern below stops compiling when a field is added, so
    /// this list, the example file and mirror.toml(5) cannot silently fall behind.
    fn every_key() -> Vec<&'static str> {
        let Settings {
            source: _,
            target: _,
            state_dir: _,
            mkdir: _,
            include: _,
            exclude: _,
            last: _,
            delete: _,
            max_delete: _,
            allow_empty: _,
            connections: _,
            tries: _,
            connect_timeout: _,
            timeout: _,
            job_timeout: _,
            limit_rate: _,
            min_free: _,
            max_size: _,
            tls: _,
            ca_file: _,
            insecure: _,
            user: _,
            password_file: _,
            password_env: _,
            netrc_file: _,
            active: _,
            no_epsv: _,
            trust_pasv_address: _,
            allow_other_hosts: _,
            max_redirects: _,
        } = Settings::default();
        vec![
            "source",
            "target",
            "state_dir",
            "mkdir",
            "include",
            "exclude",
            "last",
            "delete",
            "max_delete",
            "allow_empty",
            "connections",
            "tries",
            "connect_timeout",
            "timeout",
            "job_timeout",
            "limit_rate",
            "min_free",
            "max_size",
            "tls",
            "ca_file",
            "insecure",
            "user",
            "password_file",
            "password_env",
            "netrc_file",
            "active",
            "no_epsv",
            "trust_pasv_address",
            "allow_other_hosts",
            "max_redirects",
        ]
    }

    const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/mirror.example.toml");

    #[test]
    fn the_example_file_loads_and_shows_every_key() {
        let file = load(Path::new(EXAMPLE)).unwrap();
        assert!(file.jobs.len() >= 2, "two example jobs");
        assert_eq!(file.select(&[]).unwrap().len(), file.jobs.len());
        let text = fs::read_to_string(EXAMPLE).unwrap();
        // A key is shown when a line sets it, or sets it in a comment.
        let shown = |key: &str| {
            text.lines().any(|line| {
                let line = line.trim_start().trim_start_matches('#').trim_start();
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
        };
        let missing: Vec<_> = every_key().into_iter().filter(|key| !shown(key)).collect();
        assert!(
            missing.is_empty(),
            "mirror.example.toml does not show {missing:?}"
        );
    }

    #[test]
    fn the_manual_documents_every_key() {
        let manual =
            fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/mirror.toml.5")).unwrap();
        // Each key heads an entry: `.B key`, `.BI key ...` or `.BR key ...`.
        let documented = |key: &str| {
            manual
                .lines()
                .any(|line| line.starts_with(".B") && line.split_whitespace().nth(1) == Some(key))
        };
        let missing: Vec<_> = every_key()
            .into_iter()
            .filter(|key| !documented(key))
            .collect();
        assert!(
            missing.is_empty(),
            "man/mirror.toml.5 does not document {missing:?}"
        );
    }
}
