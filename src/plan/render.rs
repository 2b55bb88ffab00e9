//! The plan as a person reads it (one line per action with a one-character mark, then totals)
//! and as a program reads it (one JSON document; schema in `man/ftpmirror.1`).

use super::time::{human_duration, seconds};
use super::{Plan, Reason, Totals};
use serde::Serialize;

/// One line per action, sorted by path: `+` new, `*` changed, `-` deleted, `!` skipped, and with
/// `verbose` `=` unchanged; then the totals.
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
    let mut out: String = lines.into_iter().map(|(_, line)| line + "\n").collect();
    out += &totals_text(&plan.totals());
    out
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

#[derive(Serialize)]
struct Document<'a> {
    /// The job's name (`mirror` for the command), so that each plan of `run -n` says whose.
    job: &'a str,
    #[serde(flatten)]
    plan: &'a Plan,
    totals: Totals,
}

/// The plan of job `job` and its totals as one JSON document.
pub fn render_json(job: &str, plan: &Plan) -> String {
    let doc = Document {
        job,
        plan,
        totals: plan.totals(),
    };
    serde_json::to_string_pretty(&doc).expect("plain data serializes")
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
