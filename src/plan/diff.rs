//! The diff of one directory: its remote entries, its local entries and its state records in,
//! what to do with each out, no I/O. The march ([`crate::exec::march`]) calls it once per
//! directory as the directory's listing arrives.
//!
//! Per file, the question "does this need a transfer" is answered from the remote entry, the
//! local entry and the state record alone ([`decide`]); everything else is bookkeeping of which
//! set a path goes to.

use super::time::{compare, same_listed, Offset, Order};
use super::{Delete, Fetch, Link, Plan, Reason, Skip};
use crate::job::filter::Filter;
use crate::local::state::{LocalMeta, Record};
use crate::local::{LocalEntry, LocalKind};
use crate::remote::tree::RemoteVersion;
use crate::remote::tree::{Entry, Kind, RelPath};
use std::collections::{BTreeMap, BTreeSet};

/// What the planner looks at for one directory.
pub struct Inputs<'a> {
    /// The directory.
    pub dir: &'a RelPath,
    /// Its remote entries as listed, by path.
    pub remote: &'a BTreeMap<RelPath, Entry>,
    /// Nothing here is a reason to delete: this listing, or one above it, was cut short or read
    /// with a weaker command than another.
    pub guarded: bool,
    /// Lines of its listing no parser read: a local file one of them may stand for is kept.
    pub unread: &'a [String],
    pub offset: Offset,
    /// Its local entries; with `delete`, also everything below a local directory that the
    /// listing does not show (all of it goes).
    pub local: &'a BTreeMap<RelPath, LocalEntry>,
    /// The state's records of its files.
    pub state: &'a BTreeMap<RelPath, Record>,
    /// Whether the state records any file below it; asked only when it lists empty.
    pub held_files: &'a dyn Fn() -> bool,
    pub filter: &'a Filter,
    /// Files to fetch after all others.
    pub last: Option<&'a Filter>,
    pub delete: bool,
    /// Let a directory that held files on the last run be emptied when it now lists empty.
    pub allow_empty: bool,
    /// Name every kept file in `Plan::keeps` (dry runs show them), not only count them.
    pub list_keeps: bool,
    /// Files the listing tells nothing of are fetched with a conditional GET (a real HTTP run)
    /// rather than probed first (FTP, and dry runs, which must not fetch).
    pub revalidate: bool,
    /// Files listed larger than this are skipped (`--max-size`); a local copy stays.
    pub max_size: Option<u64>,
}

/// What to do with one remote file that has a local file at its path.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Fetch(Reason),
    Keep,
    Probe,
}

/// The plan of one directory. Its subdirectories are made and listed by the march, which
/// hands each to this function in turn.
pub fn diff(inputs: &Inputs) -> Plan {
    let mut plan = Plan::default();
    for (path, entry) in inputs.remote {
        if !inputs.filter.allows(path, entry.kind == Kind::Dir) {
            continue;
        }
        match &entry.kind {
            Kind::Dir => {}
            Kind::File => plan_file(&mut plan, inputs, path, entry),
            Kind::Symlink { target } => plan_link(&mut plan, inputs, path, target.as_deref()),
            Kind::Other => skip(&mut plan, path, "not a file, directory or symbolic link"),
        }
    }
    plan_deletes(&mut plan, inputs);
    plan_gone(&mut plan, inputs);
    plan
}

fn skip(plan: &mut Plan, path: &RelPath, reason: &str) {
    plan.skipped.push(Skip {
        path: path.to_string(),
        reason: reason.to_string(),
    });
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
    if let Some(max) = inputs
        .max_size
        .filter(|&max| entry.size.is_some_and(|s| s > max))
    {
        return skip(plan, path, &format!("larger than --max-size ({max} bytes)"));
    }
    let local = inputs.local.get(path);
    let decision = match local.map(|l| &l.kind) {
        None => Decision::Fetch(Reason::New),
        Some(LocalKind::Dir) if !clear_dir(plan, inputs, path) => return,
        Some(LocalKind::File) => decide(inputs, path, entry, local.expect("matched")),
        Some(kind) => Decision::Fetch(Reason::Replaces { local: kind.into() }),
    };
    match decision {
        Decision::Fetch(reason) => plan.fetches.push(Fetch {
            path: path.clone(),
            size: entry.size,
            size_range: entry.size_range,
            mtime: entry.mtime,
            unique: entry.unique.clone(),
            reason,
            last: inputs.last.is_some_and(|last| last.allows(path, false)),
        }),
        Decision::Keep | Decision::Probe => {
            if decision == Decision::Probe {
                plan.probes.push(path.clone());
            }
            let local = local.expect("a kept file exists locally");
            keep(plan, inputs, path);
            let old = inputs.state.get(path);
            let record = record(entry, local, old);
            // Most kept files' records stand as they are: a large mirror's no-change run writes
            // (and here holds) none.
            if old != Some(&record) {
                plan.records.push((path.clone(), record));
            }
        }
    }
}

fn keep(plan: &mut Plan, inputs: &Inputs, path: &RelPath) {
    plan.unchanged += 1;
    if inputs.list_keeps {
        plan.keeps.push(path.clone());
    }
}

/// A kept file's record: what the listing says now. An exact size the listing does not give
/// (a rounded one) stays as the fetch recorded it, for the next run to compare with.
fn record(entry: &Entry, local: &LocalEntry, old: Option<&Record>) -> Record {
    let mut remote = entry.version();
    remote.size = remote.size.or(old.and_then(|r| r.remote.size));
    Record {
        remote,
        local: LocalMeta {
            size: local.size,
            mtime: local.mtime,
        },
    }
}

/// Does this remote file need fetching over the local file at its path?
fn decide(inputs: &Inputs, path: &RelPath, remote: &Entry, local: &LocalEntry) -> Decision {
    let written = |r: &Record| r.local.size == local.size && r.local.mtime == local.mtime;
    match inputs.state.get(path) {
        Some(r)
            if tells_nothing(remote)
                && inputs.revalidate
                && written(r)
                && r.remote.mtime.is_some() =>
        {
            Decision::Fetch(Reason::Revalidate)
        }
        Some(_) if tells_nothing(remote) => Decision::Probe,
        Some(r) if written(r) => match changed(&r.remote, remote, inputs.offset) {
            Some(detail) => Decision::Fetch(Reason::RemoteChanged { detail }),
            None => Decision::Keep,
        },
        Some(_) => Decision::Fetch(Reason::LocalChanged),
        None => decide_without_state(inputs, remote, local),
    }
}

/// A listing with neither size nor time (python's http.server index): only a probe can tell.
fn tells_nothing(remote: &Entry) -> bool {
    remote.size.is_none()
        && remote.size_range.is_none()
        && remote.mtime.is_none()
        && remote.unique.is_none()
}

/// With no state: the sizes, then the times within the listing's precision.
fn decide_without_state(inputs: &Inputs, remote: &Entry, local: &LocalEntry) -> Decision {
    if let Some(size) = remote.size.filter(|&s| s != local.size) {
        return Decision::Fetch(Reason::Size {
            local: local.size,
            remote: size,
        });
    }
    if let Some(r) = remote.size_range.filter(|r| !r.contains(local.size)) {
        return Decision::Fetch(Reason::SizeOutside {
            local: local.size,
            min: r.min,
            max: r.max,
        });
    }
    if tells_nothing(remote) {
        return Decision::Probe;
    }
    let Some(mtime) = remote.mtime else {
        return Decision::Keep;
    };
    match compare(&mtime, local.mtime, inputs.offset) {
        Order::Newer(by_seconds) => Decision::Fetch(Reason::Newer {
            by_seconds,
            precision: mtime.precision,
        }),
        Order::Same | Order::Older => Decision::Keep,
        Order::Unsure => Decision::Probe,
    }
}

/// How the remote file differs from the version the state says was fetched, if it does.
fn changed(was: &RemoteVersion, now: &Entry, offset: Offset) -> Option<String> {
    if let (Some(a), Some(b)) = (was.size, now.size) {
        if a != b {
            return Some(format!("size {a} -> {b}"));
        }
    }
    if let (Some(a), None, Some(r)) = (was.size, now.size, now.size_range) {
        if !r.contains(a) {
            return Some(format!("size {a} -> {}..{} (a rounded size)", r.min, r.max));
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
            keep(plan, inputs, path);
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
    if !inputs.delete || inputs.guarded {
        return;
    }
    if emptied(inputs) {
        let what = if inputs.dir.is_root() {
            "the source"
        } else {
            "it"
        };
        let reason = format!("lists empty but held files on the last run; nothing below {what} is deleted (--allow-empty allows it)");
        return skip(plan, inputs.dir, &reason);
    }
    let unreadable = unreadable_locals(inputs);
    for path in &unreadable {
        let reason = "not deleted: the server's listing line for it could not be read";
        skip(plan, path, reason);
    }
    let replaced: Vec<&RelPath> = plan.replaced_dirs.iter().collect();
    for (path, local) in inputs.local {
        let is_dir = local.kind == LocalKind::Dir;
        if inputs.remote.contains_key(path)
            || (!unreadable.is_empty()
                && (unreadable.contains(path) || under_any(path, |d| unreadable.contains(d))))
            || replaced.iter().any(|r| path.starts_with(r))
            || !inputs.filter.allows(path, is_dir)
        {
            continue;
        }
        plan.deletes.push(Delete {
            path: path.clone(),
            kind: (&local.kind).into(),
        });
    }
    super::deepest_first(&mut plan.deletes);
}

/// The local entries of the directory that a line no parser read may stand for: the line holds
/// their name anywhere (last in MLSD, `ls -l` and MS-DOS lines, before a link's ` -> `, first
/// in OpenVMS's with a `;version` after it). A server's odd line for a file is no reason to
/// delete the local copy; one that names another file only keeps this one a run longer.
fn unreadable_locals(inputs: &Inputs) -> BTreeSet<RelPath> {
    let depth = inputs.dir.depth() + 1;
    let names = inputs.local.keys().filter(|path| path.depth() == depth);
    names
        .filter(|path| inputs.unread.iter().any(|line| line.contains(path.name())))
        .cloned()
        .collect()
}

/// Whether the directory lists nothing now but held files on the last run: a broken or
/// truncated listing must not wipe a mirror.
fn emptied(inputs: &Inputs) -> bool {
    !inputs.allow_empty && inputs.remote.is_empty() && (inputs.held_files)()
}

/// The state's records of files that are gone from the listing: forgotten, except for a file
/// still here in a guarded directory (nothing is known of it, so its record stays true).
fn plan_gone(plan: &mut Plan, inputs: &Inputs) {
    let gone = inputs.state.keys().filter(|path| {
        let unknown = inputs.guarded && inputs.local.contains_key(*path);
        !(inputs.remote.contains_key(*path) || unknown)
    });
    plan.gone.extend(gone.cloned());
}

/// Whether `path` lies strictly below a directory for which `is_dir_of_interest` holds.
fn under_any(path: &RelPath, is_dir_of_interest: impl Fn(&RelPath) -> bool) -> bool {
    let mut parent = path.parent();
    while let Some(p) = parent {
        if is_dir_of_interest(&p) {
            return true;
        }
        parent = p.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::tree::{Mtime, Precision, Zone};
    use chrono::DateTime;

    fn p(s: &str) -> RelPath {
        RelPath::parse(s).unwrap()
    }

    fn time(secs: i64, precision: Precision, zone: Zone) -> Mtime {
        let time = DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
        Mtime {
            time,
            precision,
            zone,
        }
    }

    const T: i64 = 1_714_566_645; // 2024-05-01 12:30:45 UTC

    fn file(size: u64, mtime: Option<Mtime>) -> Entry {
        Entry {
            size: Some(size),
            mtime,
            ..Entry::new("x", Kind::File)
        }
    }

    fn local_file(size: u64, mtime: i64) -> LocalEntry {
        LocalEntry {
            kind: LocalKind::File,
            size,
            mtime,
        }
    }

    struct Case {
        dir: RelPath,
        remote: BTreeMap<RelPath, Entry>,
        local: BTreeMap<RelPath, LocalEntry>,
        state: BTreeMap<RelPath, Record>,
        guarded: bool,
        held: bool,
        unread: Vec<String>,
        filter: Filter,
        last: Option<Filter>,
        delete: bool,
        allow_empty: bool,
        revalidate: bool,
        offset: Offset,
        max_size: Option<u64>,
    }

    impl Case {
        fn new() -> Case {
            Case {
                dir: RelPath::root(),
                remote: BTreeMap::new(),
                local: BTreeMap::new(),
                state: BTreeMap::new(),
                guarded: false,
                held: false,
                unread: Vec::new(),
                filter: Filter::new(&[], &[]).unwrap(),
                last: None,
                delete: false,
                allow_empty: false,
                revalidate: false,
                offset: None,
                max_size: None,
            }
        }

        fn plan(&self) -> Plan {
            let held = || self.held;
            diff(&Inputs {
                dir: &self.dir,
                remote: &self.remote,
                guarded: self.guarded,
                unread: &self.unread,
                offset: self.offset,
                local: &self.local,
                state: &self.state,
                held_files: &held,
                filter: &self.filter,
                last: self.last.as_ref(),
                delete: self.delete,
                allow_empty: self.allow_empty,
                list_keeps: true,
                revalidate: self.revalidate,
                max_size: self.max_size,
            })
        }

        /// The reason the one file `x` is fetched, or `None` when it is kept.
        fn reason(&self) -> Option<Reason> {
            let plan = self.plan();
            assert!(plan.probes.is_empty(), "unexpected probe");
            plan.fetches.first().map(|f| f.reason.clone())
        }

        fn deleted(&self) -> Vec<String> {
            let plan = self.plan();
            plan.deletes.iter().map(|d| d.path.to_string()).collect()
        }
    }

    fn record(size: u64) -> Record {
        Record {
            remote: RemoteVersion {
                size: Some(size),
                mtime: None,
                unique: None,
            },
            local: LocalMeta { size, mtime: T },
        }
    }

    fn local_dir() -> LocalEntry {
        LocalEntry {
            kind: LocalKind::Dir,
            size: 0,
            mtime: T,
        }
    }

    fn one_file(remote: Entry, local: Option<LocalEntry>) -> Case {
        let mut case = Case::new();
        case.remote.insert(p("x"), remote);
        if let Some(local) = local {
            case.local.insert(p("x"), local);
        }
        case
    }

    #[test]
    fn without_state_size_then_time_decide() {
        let exact = Some(time(T, Precision::Second, Zone::Utc));
        assert_eq!(one_file(file(5, exact), None).reason(), Some(Reason::New));
        assert_eq!(
            one_file(file(5, exact), Some(local_file(5, T))).reason(),
            None
        );
        assert_eq!(
            one_file(file(6, exact), Some(local_file(5, T))).reason(),
            Some(Reason::Size {
                local: 5,
                remote: 6
            })
        );
        let minute = Some(time(T - 45 + 180, Precision::Minute, Zone::Utc));
        assert_eq!(
            one_file(file(5, minute), Some(local_file(5, T))).reason(),
            Some(Reason::Newer {
                by_seconds: 180,
                precision: Precision::Minute
            })
        );
        let older = Some(time(T - 86_400, Precision::Second, Zone::Utc));
        assert_eq!(
            one_file(file(5, older), Some(local_file(5, T))).reason(),
            None
        );
        assert_eq!(
            one_file(file(5, None), Some(local_file(5, T))).reason(),
            None
        );
    }

    #[test]
    fn a_kept_file_gets_a_state_record_once() {
        let exact = Some(time(T, Precision::Second, Zone::Utc));
        let mut case = one_file(file(5, exact), Some(local_file(5, T)));
        let plan = case.plan();
        assert_eq!(plan.keeps, [p("x")]);
        let record = &plan.records[0].1;
        assert_eq!((record.remote.size, record.remote.mtime), (Some(5), exact));
        assert_eq!((record.local.size, record.local.mtime), (5, T));
        case.state.insert(p("x"), record.clone());
        assert!(case.plan().records.is_empty(), "the same record again");
    }

    #[test]
    fn same_day_and_bare_names_are_probed() {
        let day = Some(time(T - T % 86_400, Precision::Day, Zone::ServerLocal));
        let mut case = one_file(file(5, day), Some(local_file(5, T)));
        case.offset = Some(0);
        let plan = case.plan();
        assert_eq!((plan.probes.clone(), plan.fetches.len()), (vec![p("x")], 0));
        // The probe's answer replaces the listing's time: then it decides.
        case.remote.get_mut(&p("x")).unwrap().mtime =
            Some(time(T + 3600, Precision::Second, Zone::Utc));
        assert_eq!(
            case.reason(),
            Some(Reason::Newer {
                by_seconds: 3600,
                precision: Precision::Second
            })
        );
        let bare = Entry::new("x", Kind::File);
        let plan = one_file(bare.clone(), Some(local_file(5, T))).plan();
        assert_eq!(plan.probes, [p("x")]);
        let l = local_file(5, T);
        let plan = with_state(bare.clone(), file(5, None), l.clone(), l).plan();
        assert_eq!(
            plan.probes,
            [p("x")],
            "a bare name tells nothing even with state"
        );
        assert_eq!(
            one_file(bare, None).reason(),
            Some(Reason::New),
            "nothing to probe for"
        );
    }

    fn with_state(remote: Entry, was: Entry, local: LocalEntry, written: LocalEntry) -> Case {
        let mut case = one_file(remote, Some(local));
        let record = Record {
            remote: was.version(),
            local: LocalMeta {
                size: written.size,
                mtime: written.mtime,
            },
        };
        case.state.insert(p("x"), record);
        case
    }

    #[test]
    fn with_state_the_remote_version_decides() {
        let day = |d: i64| {
            Some(time(
                T - T % 86_400 + d * 86_400,
                Precision::Day,
                Zone::ServerLocal,
            ))
        };
        let minute = Some(time(T - T % 60, Precision::Minute, Zone::ServerLocal));
        let l = local_file(5, T);
        // Unchanged, even at day precision where no-state would probe.
        assert_eq!(
            with_state(file(5, day(0)), file(5, day(0)), l.clone(), l.clone()).reason(),
            None
        );
        // A LIST time that aged from minutes to a day is the same time.
        assert_eq!(
            with_state(file(5, day(0)), file(5, minute), l.clone(), l.clone()).reason(),
            None
        );
        let changed = with_state(file(6, day(0)), file(5, day(0)), l.clone(), l.clone()).reason();
        assert_eq!(
            changed,
            Some(Reason::RemoteChanged {
                detail: "size 5 -> 6".into()
            })
        );
        let newer = with_state(file(5, day(1)), file(5, day(0)), l.clone(), l.clone()).reason();
        assert!(
            matches!(newer, Some(Reason::RemoteChanged { .. })),
            "{newer:?}"
        );
        let mut unique = file(5, day(0));
        unique.unique = Some("b".into());
        let mut was = file(5, day(0));
        was.unique = Some("a".into());
        let replaced = with_state(unique, was, l.clone(), l.clone()).reason();
        assert_eq!(
            replaced,
            Some(Reason::RemoteChanged {
                detail: "unique id a -> b".into()
            })
        );
        let truncated = with_state(
            file(5, day(0)),
            file(5, day(0)),
            local_file(2, T),
            l.clone(),
        );
        assert_eq!(truncated.reason(), Some(Reason::LocalChanged));
    }

    #[test]
    fn deletes_are_opt_in_deepest_first_and_never_in_a_guarded_directory() {
        let mut case = Case::new();
        case.remote.insert(p("keep"), Entry::new("keep", Kind::Dir));
        for (path, entry) in [
            ("keep", local_dir()),
            ("gone", local_dir()),
            ("gone/f", local_file(1, T)),
            ("top", local_file(1, T)),
        ] {
            case.local.insert(p(path), entry);
        }
        assert!(case.deleted().is_empty(), "deletes without --delete");
        case.delete = true;
        assert_eq!(case.deleted(), ["gone/f", "gone", "top"]);
        case.filter = Filter::new(&[], &["gone/".to_string()]).unwrap();
        assert_eq!(case.deleted(), ["top"], "excluded paths are never deleted");
        case.guarded = true;
        assert!(case.deleted().is_empty());
    }

    #[test]
    fn deletes_over_the_limit_are_all_withheld() {
        let delete = |name: &str| Delete {
            path: p(name),
            kind: crate::plan::LocalObject::File,
        };
        let mut deletes = vec![delete("a"), delete("b"), delete("c")];
        assert_eq!(crate::plan::withhold(&mut deletes, Some(3)), None);
        assert_eq!(deletes.len(), 3);
        let withheld = crate::plan::withhold(&mut deletes, Some(2));
        assert_eq!(
            withheld,
            Some(crate::plan::Withheld {
                deletes: 3,
                limit: 2
            })
        );
        assert!(deletes.is_empty());
    }

    #[test]
    fn a_directory_that_now_lists_empty_is_not_emptied() {
        let mut case = Case::new();
        case.delete = true;
        case.dir = p("d");
        case.local.insert(p("d/f"), local_file(1, T));
        case.held = true;
        assert!(case.deleted().is_empty());
        assert_eq!(case.plan().skipped[0].path, "d");
        case.allow_empty = true;
        assert_eq!(case.deleted(), ["d/f"]);
        // A directory that lists something is compared as usual.
        case.allow_empty = false;
        case.remote.insert(p("d/kept"), file(1, None));
        assert_eq!(case.deleted(), ["d/f"]);
    }

    #[test]
    fn an_empty_source_does_not_wipe_the_mirror() {
        let mut case = Case::new();
        case.delete = true;
        case.local.insert(p("f"), local_file(1, T));
        case.held = true;
        assert!(case.deleted().is_empty());
        assert!(case.plan().skipped[0].reason.contains("below the source"));
        case.held = false;
        assert_eq!(case.deleted().len(), 1, "no state: nothing was held");
    }

    #[test]
    fn last_files_are_marked() {
        let mut case = one_file(file(1, None), None);
        case.remote.insert(p("Release"), file(1, None));
        case.last = Some(Filter::new(&["Release".to_string()], &[]).unwrap());
        let last: Vec<(String, bool)> = case
            .plan()
            .fetches
            .iter()
            .map(|f| (f.path.to_string(), f.last))
            .collect();
        assert_eq!(
            last,
            [("Release".to_string(), true), ("x".to_string(), false)]
        );
    }

    #[test]
    fn records_of_files_gone_from_the_listing_go_unless_nothing_is_known() {
        let mut case = Case::new();
        case.local.insert(p("f"), local_file(1, T));
        case.state.insert(p("f"), record(1));
        case.state.insert(p("g"), record(1));
        assert_eq!(case.plan().gone, [p("f"), p("g")]);
        // In a guarded listing a file still here keeps its record.
        case.guarded = true;
        assert_eq!(case.plan().gone, [p("g")]);
    }

    #[test]
    fn a_cut_listing_fetches_what_it_shows_and_deletes_nothing() {
        let mut case = Case::new();
        case.delete = true;
        case.guarded = true;
        case.dir = p("big");
        case.remote.insert(p("big/a"), file(1, None));
        case.remote.insert(p("big/b"), file(1, None));
        case.local.insert(p("big/b"), local_file(1, T));
        case.local.insert(p("big/z"), local_file(1, T));
        case.state.insert(p("big/b"), record(1));
        case.state.insert(p("big/z"), record(1));
        let plan = case.plan();
        let fetched: Vec<_> = plan.fetches.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(fetched, ["big/a"]);
        assert!(plan.deletes.is_empty() && plan.gone.is_empty());
        // The kept file's record stands as it was: nothing to write.
        assert!(plan.records.is_empty());
    }

    #[test]
    fn a_local_file_whose_remote_line_could_not_be_read_is_kept() {
        let mut case = Case::new();
        case.delete = true;
        case.dir = p("d");
        case.remote.insert(p("d/listed"), file(1, None));
        for path in ["d/report.txt", "d/gone.txt", "d/sub/x", "d/SECRET.DAT"] {
            case.local.insert(p(path), local_file(1, T));
        }
        case.local.insert(p("d/sub"), local_dir());
        case.unread = vec![
            "type=file;size=abc; report.txt".into(),
            "drwxr-xr-x 2 u g 4096 Feb 31 2020 sub".into(),
            "SECRET.DAT;1        %RMS-E-PRV, insufficient privilege".into(),
        ];
        let plan = case.plan();
        let deleted: Vec<_> = plan.deletes.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(deleted, ["d/gone.txt"]);
        let kept: Vec<_> = plan.skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(kept, ["d/SECRET.DAT", "d/report.txt", "d/sub"]);
    }

    #[test]
    fn a_rounded_size_is_a_range() {
        use crate::remote::tree::SizeRange;
        let rounded = |min, max| Entry {
            size_range: Some(SizeRange { min, max }),
            ..Entry::new("x", Kind::File)
        };
        // No state: a local size outside the range is a change, inside it tells nothing.
        assert_eq!(
            one_file(rounded(1433, 1638), Some(local_file(2000, T))).reason(),
            Some(Reason::SizeOutside {
                local: 2000,
                min: 1433,
                max: 1638
            })
        );
        assert_eq!(
            one_file(rounded(1433, 1638), Some(local_file(1500, T))).reason(),
            None
        );
        // With state: the size it was fetched at must still be in the range.
        let mut case = one_file(rounded(1945, 2150), Some(local_file(1500, T)));
        let rec = Record {
            remote: RemoteVersion {
                size: Some(1500),
                mtime: None,
                unique: None,
            },
            local: LocalMeta {
                size: 1500,
                mtime: T,
            },
        };
        case.state.insert(p("x"), rec);
        assert!(matches!(case.reason(), Some(Reason::RemoteChanged { .. })));
        case.remote.insert(p("x"), rounded(1433, 1638));
        assert_eq!(case.reason(), None);
    }

    #[test]
    fn files_over_the_max_size_are_skipped_and_their_local_copy_kept() {
        let mut case = one_file(file(1001, None), Some(local_file(5, T)));
        case.delete = true;
        case.max_size = Some(1000);
        let plan = case.plan();
        assert!(plan.fetches.is_empty() && plan.deletes.is_empty());
        assert_eq!(
            plan.skipped[0].reason,
            "larger than --max-size (1000 bytes)"
        );
        case.max_size = Some(1001);
        assert_eq!(case.plan().fetches.len(), 1);
    }

    #[test]
    fn links_are_made_only_inside_the_mirror() {
        let mut case = Case::new();
        let link = |t: &str| {
            Entry::new(
                "l",
                Kind::Symlink {
                    target: Some(t.to_string()),
                },
            )
        };
        case.dir = p("d");
        case.remote.insert(p("d/in"), link("../f"));
        case.remote.insert(p("d/out"), link("../../etc"));
        case.remote.insert(p("d/abs"), link("/etc/passwd"));
        case.remote.insert(p("d/same"), link("x"));
        case.remote.insert(
            p("d/unknown"),
            Entry::new("u", Kind::Symlink { target: None }),
        );
        case.local.insert(
            p("d/same"),
            LocalEntry {
                kind: LocalKind::Symlink { target: "x".into() },
                size: 1,
                mtime: T,
            },
        );
        let plan = case.plan();
        assert_eq!(
            plan.links,
            [Link {
                path: p("d/in"),
                target: "../f".into()
            }]
        );
        assert_eq!(plan.keeps, [p("d/same")]);
        let skipped: Vec<&str> = plan.skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(skipped, ["d/abs", "d/out", "d/unknown"]);
    }

    #[test]
    fn a_local_directory_in_the_way_goes_only_with_delete() {
        let mut case = one_file(
            file(5, None),
            Some(LocalEntry {
                kind: LocalKind::Dir,
                size: 0,
                mtime: T,
            }),
        );
        case.local.insert(p("x/inner"), local_file(1, T));
        let plan = case.plan();
        assert!(plan.fetches.is_empty() && plan.replaced_dirs.is_empty());
        assert_eq!(plan.skipped.len(), 1);
        case.delete = true;
        let plan = case.plan();
        assert_eq!(plan.replaced_dirs, [p("x")]);
        assert_eq!(
            plan.fetches[0].reason,
            Reason::Replaces {
                local: crate::plan::LocalObject::Directory
            }
        );
        assert!(
            plan.deletes.is_empty(),
            "the replaced tree is not listed twice"
        );
        let link = one_file(
            file(5, None),
            Some(LocalEntry {
                kind: LocalKind::Symlink { target: "y".into() },
                size: 1,
                mtime: T,
            }),
        );
        assert_eq!(
            link.reason(),
            Some(Reason::Replaces {
                local: crate::plan::LocalObject::Symlink
            })
        );
    }

    #[test]
    fn link_targets() {
        let at = |s: &str| p(s);
        assert!(stays_inside(&at("a/l"), "b"));
        assert!(stays_inside(&at("a/l"), "../b"));
        assert!(stays_inside(&at("a/l"), "./../a/./b"));
        assert!(!stays_inside(&at("a/l"), "../../b"));
        assert!(!stays_inside(&at("l"), ".."));
        assert!(!stays_inside(&at("l"), "/etc"));
        assert!(!stays_inside(&at("l"), ""));
        assert!(!stays_inside(&at("l"), "a\\..\\..\\x"));
        assert!(stays_inside(&at("a/b/l"), "../../c/../d"));
        assert!(!stays_inside(&at("a/b/l"), "../../c/../../d"));
    }
}
