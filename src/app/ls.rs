//! `ftpmirror ls`: the remote listing exactly as ftpmirror parses it, for when a server's
//! listing looks odd. Shows per directory the listing command and format used, every entry with
//! its kind, size, time (with precision and zone) and symlink target, and the lines no parser
//! could read (or, for HTTP, the links refused).

use crate::app::error::{Error, Exit};
use crate::job::cli::Format;
use crate::remote::tree::{unsafe_name, Entry, Kind, Mtime, Precision, Zone};
use crate::remote::walk::MAX_DEPTH;
use crate::remote::{DirListing, Session};
use serde::Serialize;

/// One listed directory.
#[derive(Debug, Serialize)]
pub struct DirReport {
    pub path: String,
    #[serde(flatten)]
    pub listing: Option<DirListing>,
    pub error: Option<String>,
}

/// Lists `root` (and below it with `recursive`), printing each directory as it is read. A lost
/// connection ends the walk: what was read is printed (for JSON, the one document with the
/// directory that broke and its error last), then the error.
pub fn run(
    session: &mut dyn Session,
    root: &str,
    recursive: bool,
    format: Format,
) -> Result<Exit, Error> {
    let mut pending = vec![(root.to_string(), 0)];
    let mut reports = Vec::new();
    let mut exit = Exit::Success;
    let mut lost = None;
    while let Some((path, depth)) = pending.pop() {
        let (report, broke) = list_one(session, path);
        lost = broke;
        let cut = report.listing.as_ref().and_then(|l| l.truncated.as_ref());
        if let Some(cut) = cut {
            log::error!(
                "{}: the listing is incomplete: truncated at {} lines ({})",
                printable(&report.path),
                cut.lines,
                cut.why
            );
        }
        if report.error.is_some() || cut.is_some() {
            exit = Exit::Partial;
        }
        if recursive {
            let subdirs = descend(&report, depth);
            pending.extend(subdirs.into_iter().rev().map(|p| (p, depth + 1)));
        }
        match format {
            Format::Text => print!("{}", render_text(&report)),
            Format::Json => reports.push(report),
        }
        if lost.is_some() {
            break;
        }
    }
    if format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&reports).expect("plain data serializes")
        );
    }
    lost.map_or(Ok(exit), Err)
}

/// A directory that cannot be listed is reported and the walk goes on; when the connection
/// itself is lost, the report comes with the error that ends the walk.
fn list_one(session: &mut dyn Session, path: String) -> (DirReport, Option<Error>) {
    match session.list_dir(&path) {
        Ok(listing) => (
            DirReport {
                path,
                listing: Some(listing),
                error: None,
            },
            None,
        ),
        Err(e) if !e.breaks_session() => {
            log::warn!("cannot list {path}: {e}");
            let error = Some(e.to_string());
            let report = DirReport {
                path,
                listing: None,
                error,
            };
            (report, None)
        }
        Err(source) => {
            let report = DirReport {
                error: Some(source.to_string()),
                listing: None,
                path: path.clone(),
            };
            let context = format!("listing {path}");
            (report, Some(Error::Remote { context, source }))
        }
    }
}

/// The subdirectories to list next; unsafe names are reported, never followed.
fn descend(report: &DirReport, depth: usize) -> Vec<String> {
    let Some(listing) = &report.listing else {
        return Vec::new();
    };
    let dirs = listing.entries.iter().filter(|e| e.kind == Kind::Dir);
    if depth >= MAX_DEPTH {
        if dirs.count() > 0 {
            log::warn!(
                "{}: not descending deeper than {MAX_DEPTH} levels",
                report.path
            );
        }
        return Vec::new();
    }
    dirs.filter_map(|e| match unsafe_name(&e.name) {
        Some(why) => {
            log::warn!("{}: skipping directory {:?}: {why}", report.path, e.name);
            None
        }
        None => Some(format!("{}/{}", report.path.trim_end_matches('/'), e.name)),
    })
    .collect()
}

fn render_text(report: &DirReport) -> String {
    let Some(listing) = &report.listing else {
        let error = report.error.as_deref().unwrap_or("");
        return format!(
            "{}: not listed\n  error: {error}\n",
            printable(&report.path)
        );
    };
    let how = match &listing.format {
        Some(format) => format!("{} {}", listing.command, format.name().to_uppercase()),
        None => listing.command.to_string(),
    };
    let cut = match &listing.truncated {
        Some(cut) => format!(", truncated at {} lines ({})", cut.lines, cut.why),
        None => String::new(),
    };
    let mut out = format!(
        "{}: {how}, {} entries{cut}\n",
        printable(&report.path),
        listing.entries.len()
    );
    for entry in &listing.entries {
        out += &render_entry(entry);
    }
    for line in &listing.unread {
        out += &format!("  unread: {line:?}\n");
    }
    out
}

fn render_entry(entry: &Entry) -> String {
    let (mark, target) = match &entry.kind {
        Kind::File => ('-', None),
        Kind::Dir => ('d', None),
        Kind::Symlink { target } => ('l', target.as_deref()),
        Kind::Other => ('?', None),
    };
    let size = match (entry.size, entry.size_range) {
        (Some(size), _) => size.to_string(),
        (None, Some(range)) => format!("{}..{}", range.min, range.max),
        (None, None) => "-".to_string(),
    };
    let time = entry.mtime.map_or("-".to_string(), render_time);
    let name = printable(&entry.name);
    match target {
        Some(t) => format!("{mark} {size:>12}  {time:<25} {name} -> {}\n", printable(t)),
        None => format!("{mark} {size:>12}  {time:<25} {name}\n"),
    }
}

/// A time as precise as it was given, and on which clock.
fn render_time(mtime: Mtime) -> String {
    let format = match mtime.precision {
        Precision::Second => "%Y-%m-%d %H:%M:%S",
        Precision::Minute => "%Y-%m-%d %H:%M",
        Precision::Day => "%Y-%m-%d",
    };
    let zone = match mtime.zone {
        Zone::Utc => "UTC",
        Zone::ServerLocal => "server",
    };
    format!("{} {zone}", mtime.time.format(format))
}

/// Names with control characters are shown escaped, so a listing cannot drive the terminal.
fn printable(name: &str) -> String {
    match name.chars().any(char::is_control) {
        true => format!("{name:?}"),
        false => name.to_string(),
    }
}
