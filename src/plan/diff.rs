//! The diff: one pass over the remote tree, one over the local tree, no I/O.
//!
//! Per file, the question "does this need a transfer" is answered from the remote entry, the
//! local entry and the state record alone ([`decide`]); everything else is bookkeeping of which
//! set a path goes to.

use super::time::{compare, same_listed, Offset, Order};
use super::{Delete, Fetch, Link, Plan, Reason, Skip};
use crate::filter::Filter;
use crate::local::{LocalEntry, LocalKind};
use crate::state::{LocalMeta, Record, RemoteMeta, State};
use crate::tree::{Entry, Kind, Mtime, Precision, RelPath, Zone};
use chrono::DateTime;
use std::collections::{BTreeMap, BTreeSet};

/// What the planner looks at.
pub struct Inputs<'a> {
    pub remote: &'a BTreeMap<RelPath, Entry>,
    /// Remote directories whose listing failed: nothing below them is known.
    pub failed: &'a BTreeSet<RelPath>,
    pub offset: Offset,
    pub local: &'a BTreeMap<RelPath, LocalEntry>,
    pub state: &'a State,
    pub filter: &'a Filter,
    pub delete: bool,
    /// MDTM answers (UTC seconds) for earlier probes; `None` where MDTM failed.
    pub probed: &'a BTreeMap<RelPath, Option<i64>>,
}

/// What to do with one remote file that has a local file at its path.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Fetch(Reason),
    Keep,
    Probe,
}

pub fn diff(inputs: &Inputs) -> Plan {
    let mut plan = Plan::default();
    for (path, entry) in inputs.remote {
        if !inputs.filter.allows(path, entry.kind == Kind::Dir) {
            continue;
        }
        match &entry.kind {
            Kind::Dir => plan_dir(&mut plan, inputs, path, entry),
            Kind::File => plan_file(&mut plan, inputs, path, entry),
            Kind::Symlink { target } => plan_link(&mut plan, inputs, path, target.as_deref()),
            Kind::Other => skip(&mut plan, path, "not a file, directory or symbolic link"),
        }
    }
    plan_deletes(&mut plan, inputs);
    carry_unlisted(&mut plan, inputs);
    plan
}

fn skip(plan: &mut Plan, path: &RelPath, reason: &str) {
    plan.skipped.push(Skip {
        path: path.to_string(),
        reason: reason.to_string(),
    });
}

fn plan_dir(plan: &mut Plan, inputs: &Inputs, path: &RelPath, entry: &Entry) {
    match inputs.local.get(path).map(|l| &l.kind) {
        Some(LocalKind::Dir) => {}
        // A file or link in the way is removed by the executor just before the mkdir.
        _ => plan.mkdirs.push(path.clone()),
    }
    if let Some(mtime) = entry.mtime {
        plan.dir_times.push((path.clone(), mtime));
    }
}

/// A local directory where the remote has something else goes only with `--delete`: removing it
/// removes a whole subtree.
fn clear_dir(plan: &mut Plan, inputs: &Inputs, path: &RelPath) -> bool {
    if inputs.delete {
        plan.replaced_dirs.push(path.clone());
    } else {
        skip(
            plan,
            path,
            "a local directory is in the way (--delete replaces it)",
        );
    }
    inputs.delete
}

fn plan_file(plan: &mut Plan, inputs: &Inputs, path: &RelPath, entry: &Entry) {
    let local = inputs.local.get(path);
    let decision = match local.map(|l| &l.kind) {
        None => Decision::Fetch(Reason::New),
        Some(LocalKind::Dir) if !clear_dir(plan, inputs, path) => return,
        Some(LocalKind::File) => decide(inputs, path, entry, local.expect("matched")),
        Some(kind) => Decision::Fetch(Reason::Replaces {
            local: kind_name(kind).to_string(),
        }),
    };
    match decision {
        Decision::Fetch(reason) => plan.fetches.push(Fetch {
            path: path.clone(),
            size: entry.size,
            mtime: entry.mtime,
            unique: entry.unique.clone(),
            reason,
        }),
        Decision::Keep | Decision::Probe => {
            if decision == Decision::Probe {
                plan.probes.push(path.clone());
            }
            let local = local.expect("a kept file exists locally");
            plan.keeps.push(path.clone());
            plan.carried.insert(path.clone(), record(entry, local));
        }
    }
}

fn record(entry: &Entry, local: &LocalEntry) -> Record {
    Record {
        remote: meta(entry),
        local: LocalMeta {
            size: local.size,
            mtime: local.mtime,
        },
    }
}

fn meta(entry: &Entry) -> RemoteMeta {
    RemoteMeta {
        size: entry.size,
        mtime: entry.mtime,
        unique: entry.unique.clone(),
    }
}

/// Does this remote file need fetching over the local file at its path?
fn decide(inputs: &Inputs, path: &RelPath, remote: &Entry, local: &LocalEntry) -> Decision {
    let written = |r: &Record| r.local.size == local.size && r.local.mtime == local.mtime;
    match inputs.state.files.get(path) {
        Some(r) if written(r) => match changed(&r.remote, remote, inputs.offset) {
            Some(detail) => Decision::Fetch(Reason::RemoteChanged { detail }),
            None => Decision::Keep,
        },
        Some(_) => Decision::Fetch(Reason::LocalChanged),
        None => decide_without_state(inputs, path, remote, local),
    }
}

/// With no state: the sizes, then the times within the listing's precision.
fn decide_without_state(
    inputs: &Inputs,
    path: &RelPath,
    remote: &Entry,
    local: &LocalEntry,
) -> Decision {
    if let Some(size) = remote.size.filter(|&s| s != local.size) {
        return Decision::Fetch(Reason::Size {
            local: local.size,
            remote: size,
        });
    }
    let Some(mtime) = remote.mtime else {
        return Decision::Keep;
    };
    let order = match inputs.probed.get(path) {
        Some(Some(exact)) => compare(&exact_mtime(*exact), local.mtime, None),
        Some(None) => Order::Same,
        None => compare(&mtime, local.mtime, inputs.offset),
    };
    match order {
        Order::Newer(by_seconds) => Decision::Fetch(Reason::Newer {
            by_seconds,
            precision: match inputs.probed.contains_key(path) {
                true => Precision::Second,
                false => mtime.precision,
            },
        }),
        Order::Same | Order::Older => Decision::Keep,
        Order::Unsure => Decision::Probe,
    }
}

fn exact_mtime(utc: i64) -> Mtime {
    Mtime {
        time: DateTime::from_timestamp(utc, 0)
            .unwrap_or_default()
            .naive_utc(),
        precision: Precision::Second,
        zone: Zone::Utc,
    }
}

/// How the remote file differs from the version the state says was fetched, if it does.
fn changed(was: &RemoteMeta, now: &Entry, offset: Offset) -> Option<String> {
    if let (Some(a), Some(b)) = (was.size, now.size) {
        if a != b {
            return Some(format!("size {a} -> {b}"));
        }
    }
    if let (Some(a), Some(b)) = (&was.unique, &now.unique) {
        if a != b {
            return Some(format!("unique id {a} -> {b}"));
        }
    }
    match (&was.mtime, &now.mtime) {
        (Some(a), Some(b)) if !same_listed(a, b, offset) => {
            Some(format!("time {} -> {}", a.time, b.time))
        }
        _ => None,
    }
}

fn plan_link(plan: &mut Plan, inputs: &Inputs, path: &RelPath, target: Option<&str>) {
    let Some(target) = target else {
        return skip(plan, path, "the server did not say where the link points");
    };
    if !stays_inside(path, target) {
        return skip(
            plan,
            path,
            &format!("link target {target:?} leaves the mirror"),
        );
    }
    match inputs.local.get(path).map(|l| &l.kind) {
        Some(LocalKind::Symlink { target: t }) if t == target => {
            plan.keeps.push(path.clone());
            return;
        }
        Some(LocalKind::Dir) if !clear_dir(plan, inputs, path) => return,
        _ => {}
    }
    plan.links.push(Link {
        path: path.clone(),
        target: target.to_string(),
    });
}

/// Whether a link at `link` pointing at `target` resolves inside the mirror, reading `..` as a
/// step up from the link's directory (the target is never looked up on disk).
pub fn stays_inside(link: &RelPath, target: &str) -> bool {
    if target.is_empty() || target.starts_with('/') || target.contains(['\\', '\0']) {
        return false;
    }
    let mut depth = link.depth() - 1;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." if depth == 0 => return false,
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    true
}

fn plan_deletes(plan: &mut Plan, inputs: &Inputs) {
    if !inputs.delete {
        return;
    }
    let replaced: Vec<&RelPath> = plan.replaced_dirs.iter().collect();
    for (path, local) in inputs.local {
        let is_dir = local.kind == LocalKind::Dir;
        if inputs.remote.contains_key(path)
            || under_any(path, inputs.failed)
            || replaced.iter().any(|r| path.starts_with(r))
            || !inputs.filter.allows(path, is_dir)
        {
            continue;
        }
        plan.deletes.push(Delete {
            path: path.clone(),
            kind: kind_name(&local.kind).to_string(),
        });
    }
    plan.deletes.sort_by(|a, b| {
        b.path
            .depth()
            .cmp(&a.path.depth())
            .then(a.path.cmp(&b.path))
    });
}

/// Files below a directory that could not be listed keep their state: nothing is known of them.
fn carry_unlisted(plan: &mut Plan, inputs: &Inputs) {
    for (path, record) in &inputs.state.files {
        if under_any(path, inputs.failed) && inputs.local.contains_key(path) {
            plan.carried.insert(path.clone(), record.clone());
        }
    }
}

/// Whether `path` lies strictly below one of `dirs`.
fn under_any(path: &RelPath, dirs: &BTreeSet<RelPath>) -> bool {
    let mut parent = path.parent();
    while let Some(p) = parent {
        if dirs.contains(&p) {
            return true;
        }
        parent = p.parent();
    }
    false
}

fn kind_name(kind: &LocalKind) -> &'static str {
    match kind {
        LocalKind::File => "file",
        LocalKind::Dir => "directory",
        LocalKind::Symlink { .. } => "symlink",
        LocalKind::Other => "special file",
    }
}
