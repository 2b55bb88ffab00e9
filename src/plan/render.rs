//! The plan as a person reads it (one line per action with a one-character mark, then totals)
//! and as a program reads it (one JSON document; schema in `man/ftpmirror.1`), written as the
//! march plans each directory ([`Printer`]).

use super::time::{human_duration, seconds};
use super::{Delete, Plan, Reason, Totals, Withheld};
use crate::job::cli::Format;
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::sync::Mutex;

/// One line per action, sorted by path: `+` new, `*` changed, `-` deleted, `!` skipped, and with
/// `verbose` `=` unchanged.
pub fn render_text(plan: &Plan, verbose: bool) -> String {
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut add = |path: String, line: String| lines.push((path, line));
    for dir in &plan.mkdirs {
        add(dir.to_string(), format!("+ {dir}/  (new directory)"));
    }
    for f in &plan.fetches {
        let mark = if f.reason == Reason::New { '+' } else { '*' };
        let size = f
            .size
            .map(|s| format!(", {}", human_bytes(s)))
            .unwrap_or_default();
        add(
            f.path.to_string(),
            format!("{mark} {}  ({}{size})", f.path, reason_text(&f.reason)),
        );
    }
    for l in &plan.links {
        add(
            l.path.to_string(),
            format!("+ {} -> {}  (symlink)", l.path, l.target),
        );
    }
    for dir in &plan.replaced_dirs {
        add(
            dir.to_string(),
            format!("- {dir}/  (local directory replaced)"),
        );
    }
    for d in &plan.deletes {
        add(d.path.to_string(), format!("- {}  ({})", d.path, d.kind));
    }
    for s in &plan.skipped {
        add(s.path.clone(), format!("! {}  ({})", s.path, s.reason));
    }
    if verbose {
        for k in &plan.keeps {
            add(k.to_string(), format!("= {k}"));
        }
    }
    lines.sort();
    lines.into_iter().map(|(_, line)| line + "\n").collect()
}

pub fn totals_text(t: &Totals) -> String {
    format!(
        "files: {} new, {} changed, {} unchanged; {} to fetch; {} directories to make, {} links, {} deletions, {} skipped\n",
        t.new,
        t.changed,
        t.unchanged,
        human_bytes(t.bytes),
        t.mkdirs,
        t.links,
        t.deletes,
        t.skipped
    )
}

pub fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::New => "new".into(),
        Reason::Size { local, remote } => format!("size {local} -> {remote}"),
        Reason::SizeOutside { local, min, max } => {
            format!("size {local} -> {min}..{max} (a rounded size)")
        }
        Reason::Newer {
            by_seconds,
            precision,
        } => format!(
            "remote newer by {}, listing precision {}",
            human_duration(*by_seconds),
            human_duration(seconds(*precision))
        ),
        Reason::RemoteChanged { detail } => format!("changed on the server: {detail}"),
        Reason::LocalChanged => "local copy changed since it was fetched".into(),
        Reason::Replaces { local } => format!("replaces local {local}"),
        Reason::Revalidate => "fetched only if changed (the listing gives no size or date)".into(),
    }
}

/// A dry run's plan, written as the march plans each directory: text at once, one directory's
/// lines together; JSON spilled per set to temp files (a plan of millions of entries is not
/// held in memory) and put together as one document at the end.
pub struct Printer {
    verbose: bool,
    job: String,
    state: Mutex<Printed>,
}

struct Printed {
    totals: Totals,
    /// What the fetches that fit at all take, against `room`.
    need: u64,
    room: u64,
    /// JSON's sets: mkdirs, fetches, links, keeps, skipped, replaced_dirs.
    sets: Option<[Spill; 6]>,
}

/// One JSON array's items, in a temp file removed as soon as it is made.
struct Spill {
    file: BufWriter<File>,
    items: usize,
}

impl Spill {
    fn new() -> io::Result<Spill> {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let path = std::env::temp_dir().join(format!("ftpmirror-plan-{}-{n}", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::fs::remove_file(&path)?;
        Ok(Spill {
            file: BufWriter::new(file),
            items: 0,
        })
    }

    fn add(&mut self, item: &impl Serialize) -> io::Result<()> {
        let sep = if self.items == 0 { "\n" } else { ",\n" };
        self.items += 1;
        write!(self.file, "{sep}    ")?;
        serde_json::to_writer(&mut self.file, item).map_err(io::Error::other)
    }

    /// The array, written to `out`.
    fn copy(self, out: &mut impl Write) -> io::Result<()> {
        let empty = self.items == 0;
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        out.write_all(b"[")?;
        io::copy(&mut file, out)?;
        out.write_all(if empty { b"]" } else { b"\n  ]" })
    }
}

impl Printer {
    /// The printer of job `job`'s plan in `format` (`verbose`: text names unchanged files too);
    /// `room` is what the target's filesystem has above the reserve. A text plan starts with
    /// `header` at once.
    pub fn new(
        format: Format,
        job: &str,
        header: &str,
        verbose: bool,
        room: u64,
    ) -> io::Result<Printer> {
        let sets = match format {
            Format::Text => {
                print!("{header}");
                None
            }
            Format::Json => Some([
                Spill::new()?,
                Spill::new()?,
                Spill::new()?,
                Spill::new()?,
                Spill::new()?,
                Spill::new()?,
            ]),
        };
        let state = Printed {
            totals: Totals::default(),
            need: 0,
            room,
            sets,
        };
        Ok(Printer {
            verbose,
            job: job.to_string(),
            state: Mutex::new(state),
        })
    }

    /// One directory's plan (its deletions come at the end, with everyone's).
    pub fn dir(&self, plan: &Plan) {
        let mut state = self.state.lock().expect("printer lock");
        let room = state.room;
        let sizes = plan.fetches.iter().filter_map(|f| f.size_at_most());
        let need = sizes
            .filter(|&size| size <= room)
            .fold(0, u64::saturating_add);
        state.need = state.need.saturating_add(need);
        state.totals.add(&plan.totals());
        let written = match &mut state.sets {
            None => io::stdout().write_all(render_text(plan, self.verbose).as_bytes()),
            Some([mkdirs, fetches, links, keeps, skipped, replaced]) => (|| {
                plan.mkdirs.iter().try_for_each(|d| mkdirs.add(d))?;
                plan.fetches.iter().try_for_each(|f| fetches.add(f))?;
                plan.links.iter().try_for_each(|l| links.add(l))?;
                plan.keeps.iter().try_for_each(|k| keeps.add(k))?;
                plan.skipped.iter().try_for_each(|s| skipped.add(s))?;
                plan.replaced_dirs.iter().try_for_each(|r| replaced.add(r))
            })(),
        };
        if let Err(e) = written {
            log::error!("writing the plan: {e}");
        }
    }

    /// The deletions and the totals; for JSON, the whole document.
    pub fn finish(&self, deletes: &[Delete], withheld: Option<Withheld>) {
        let mut state = self.state.lock().expect("printer lock");
        state.totals.deletes = deletes.len();
        let totals = state.totals.clone();
        let mut out = io::stdout().lock();
        let written = match state.sets.take() {
            None => {
                let plan = Plan {
                    deletes: deletes.to_vec(),
                    ..Plan::default()
                };
                out.write_all(render_text(&plan, false).as_bytes())
                    .and_then(|()| out.write_all(totals_text(&totals).as_bytes()))
            }
            Some([mkdirs, fetches, links, keeps, skipped, replaced]) => (|| {
                write!(out, "{{\n  \"job\": {}", json(&self.job))?;
                // The sets in the order of `Plan`'s fields, the deletions (held whole) among them.
                let before = [("mkdirs", mkdirs), ("fetches", fetches), ("links", links)];
                let after = [
                    ("keeps", keeps),
                    ("skipped", skipped),
                    ("replaced_dirs", replaced),
                ];
                for (name, set) in before {
                    write!(out, ",\n  \"{name}\": ")?;
                    set.copy(&mut out)?;
                }
                write!(out, ",\n  \"deletes\": {}", json(&deletes))?;
                for (name, set) in after {
                    write!(out, ",\n  \"{name}\": ")?;
                    set.copy(&mut out)?;
                }
                write!(out, ",\n  \"withheld\": {}", json(&withheld))?;
                writeln!(out, ",\n  \"totals\": {}\n}}", json(&totals))
            })(),
        };
        if let Err(e) = written.and_then(|()| out.flush()) {
            log::error!("writing the plan: {e}");
        }
    }

    /// What the plan's fetches take of the target's filesystem (those that fit at all), and
    /// the room there is above the reserve.
    pub fn need(&self) -> (u64, u64) {
        let state = self.state.lock().expect("printer lock");
        (state.need, state.room)
    }
}

/// A value as compact JSON.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// `1536` -> `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{n} bytes"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}
