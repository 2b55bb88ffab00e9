//! `--include` / `--exclude`: which paths take part in the mirror.
//!
//! Patterns follow rsync and `.gitignore`: `*` and `?` never cross `/`, `**` does; a pattern
//! without `/` matches a name at any depth; a pattern with a `/` is anchored at the mirror root;
//! a trailing `/` means directories only.
//!
//! Invariant: [`Filter::allows`] answers from the path alone, checking every ancestor, so an
//! excluded directory hides everything below it even for a caller that asks about a deep path
//! first, and the remote and local sides always agree on what is out of scope (an excluded
//! local file is never deleted as stale).

use crate::remote::tree::RelPath;
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};

/// A compiled set of include and exclude patterns.
#[derive(Debug, Clone)]
pub struct Filter {
    include: Patterns,
    exclude: Patterns,
}

/// One side's patterns, split by whether they also match files.
#[derive(Debug, Clone)]
struct Patterns {
    /// Patterns that match files and directories.
    any: GlobSet,
    /// Patterns written with a trailing `/`: directories only.
    dirs: GlobSet,
}

impl Filter {
    /// Compiles the patterns as the user gave them. A bad pattern → Err naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, String> {
        Ok(Filter {
            include: Patterns::new(include)?,
            exclude: Patterns::new(exclude)?,
        })
    }

    /// Whether `path` (`is_dir` tells its kind) takes part in the mirror:
    /// - excluded when it, or any of its ancestor directories, matches an exclude pattern;
    /// - with include patterns given, a file (or symlink) takes part only if it or an ancestor
    ///   directory matches one of them; directories are always traversed, so
    ///   `--include '*.iso'` still finds `a/b/x.iso`.
    pub fn allows(&self, path: &RelPath, is_dir: bool) -> bool {
        if path.is_root() {
            return true;
        }
        if lineage(path, is_dir).any(|(text, dir)| self.exclude.matches(text, dir)) {
            return false;
        }
        if is_dir || self.include.is_empty() {
            return true;
        }
        lineage(path, is_dir).any(|(text, dir)| self.include.matches(text, dir))
    }

    /// True with include patterns: only some files take part, so only the directories that
    /// lead to them are worth making.
    pub fn selects(&self) -> bool {
        !self.include.is_empty()
    }
}

impl Patterns {
    fn new(patterns: &[String]) -> Result<Patterns, String> {
        let mut any = GlobSetBuilder::new();
        let mut dirs = GlobSetBuilder::new();
        for pattern in patterns {
            let (glob, dir_only) = rooted(pattern)?;
            let glob = GlobBuilder::new(&glob)
                .literal_separator(true)
                // The same meaning of `\` on every platform; remote names never hold one anyway.
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("bad pattern {pattern:?}: {}", e.kind()))?;
            match dir_only {
                true => dirs.add(glob),
                false => any.add(glob),
            };
        }
        let build = |set: GlobSetBuilder| set.build().map_err(|e| e.to_string());
        Ok(Patterns {
            any: build(any)?,
            dirs: build(dirs)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.any.is_empty() && self.dirs.is_empty()
    }

    fn matches(&self, path: &str, is_dir: bool) -> bool {
        let candidate = Candidate::new(path);
        self.any.is_match_candidate(&candidate)
            || (is_dir && self.dirs.is_match_candidate(&candidate))
    }
}

/// The user's pattern as a glob over the whole relative path, and whether it is for
/// directories only. A name pattern (no `/`) becomes `**/name`, which globset also matches at
/// the root; an anchored one loses its leading `/`, since relative paths have none.
fn rooted(pattern: &str) -> Result<(String, bool), String> {
    let (body, dir_only) = match pattern.strip_suffix('/') {
        Some(body) => (body, true),
        None => (pattern, false),
    };
    let glob = match body.strip_prefix('/') {
        Some(anchored) => anchored.to_string(),
        None if body.contains('/') => body.to_string(),
        None => format!("**/{body}"),
    };
    match glob.is_empty() || glob.ends_with('/') || glob.starts_with('/') {
        true => Err(format!("bad pattern {pattern:?}: matches no path")),
        false => Ok((glob, dir_only)),
    }
}

/// `path` and each of its ancestors below the root, with whether each is a directory:
/// `a/b/c` gives `a`, `a/b` (directories) and `a/b/c` (`is_dir`).
fn lineage(path: &RelPath, is_dir: bool) -> impl Iterator<Item = (&str, bool)> {
    let text = path.as_str();
    let ancestors = text
        .match_indices('/')
        .map(move |(at, _)| (&text[..at], true));
    ancestors.chain(std::iter::once((text, is_dir)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(patterns: &[&str]) -> Vec<String> {
        patterns.iter().map(|p| p.to_string()).collect()
    }

    /// includes, excludes, path, is_dir, expected.
    type Case = (
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
        bool,
        bool,
    );

    #[test]
    fn table() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // No patterns: everything.
            (&[], &[], "a/b/c", false, true),
            // A name pattern matches at any depth, a path pattern only from the root.
            (&[], &["*.iso"], "x.iso", false, false),
            (&[], &["*.iso"], "a/b/x.iso", false, false),
            (&[], &["*.iso"], "a/b/x.isox", false, true),
            (&[], &["b/*.iso"], "b/x.iso", false, false),
            (&[], &["b/*.iso"], "a/b/x.iso", false, true),
            (&[], &["/b/*.iso"], "b/x.iso", false, false),
            (&[], &["/tmp"], "tmp", true, false),
            (&[], &["/tmp"], "a/tmp", true, true),
            // `*` stays within one component, `**` crosses them.
            (&[], &["a/*"], "a/b", false, false),
            (&[], &["a/*.iso"], "a/b/x.iso", false, true),
            (&[], &["a/**/*.iso"], "a/b/c/x.iso", false, false),
            (&[], &["a/**/*.iso"], "a/x.iso", false, false),
            (&[], &["?"], "a/b", false, false),
            (&[], &["?"], "ab", false, true),
            // Excluding a directory excludes what is below it.
            (&[], &["tmp"], "a/tmp/deep/f", false, false),
            (&[], &["a/tmp"], "a/tmp/deep/f", false, false),
            // A trailing '/' is for directories only, also as an ancestor.
            (&[], &["cache/"], "x/cache", true, false),
            (&[], &["cache/"], "x/cache", false, true),
            (&[], &["cache/"], "x/cache/f", false, false),
            (&[], &["/cache/"], "x/cache", true, true),
            // Include: files must match, directories are still traversed.
            (&["*.iso"], &[], "a/b/x.iso", false, true),
            (&["*.iso"], &[], "a/b/x.txt", false, false),
            (&["*.iso"], &[], "a/b", true, true),
            (&["pub/"], &[], "pub/deep/f", false, true),
            (&["pub/"], &[], "other/f", false, false),
            (&["/pub/**"], &[], "pub/deep/f", false, true),
            // The index files of `last`: `repodata/*` holds a `/`, so it is anchored as in
            // .gitignore and misses nested repositories; `repodata/` finds them at any depth.
            (&["repodata/*"], &[], "repodata/repomd.xml", false, true),
            (&["repodata/*"], &[], "f/39/os/repodata/repomd.xml", false, false),
            (&["repodata/"], &[], "f/39/os/repodata/repomd.xml", false, true),
            (&["repodata/"], &[], "f/39/os/Packages/repodata.rpm", false, false),
            // Exclude wins over include.
            (&["*.iso"], &["old/"], "old/x.iso", false, false),
            (&["*.iso"], &["beta-*"], "beta-1.iso", false, false),
            // Dot files are not special (unlike a shell).
            (&[], &["*"], ".hidden", false, false),
            (&[], &[".*"], "a/.git", true, false),
        ];
        for &(include, exclude, path, is_dir, expected) in cases {
            let filter = Filter::new(&strings(include), &strings(exclude)).unwrap();
            let path_ = RelPath::parse(path).unwrap();
            let got = filter.allows(&path_, is_dir);
            assert_eq!(
                got, expected,
                "in {include:?} ex {exclude:?} {path} dir={is_dir}"
            );
        }
    }

    #[test]
    fn root_is_always_allowed() {
        let filter = Filter::new(&strings(&["*.iso"]), &strings(&["**"])).unwrap();
        assert!(filter.allows(&RelPath::root(), true));
    }

    #[test]
    fn selects_only_with_includes() {
        assert!(!Filter::new(&[], &strings(&["x"])).unwrap().selects());
        assert!(Filter::new(&strings(&["x/"]), &[]).unwrap().selects());
    }

    #[test]
    fn bad_patterns_are_named() {
        for bad in ["a[", "{a,b", "", "/", "//", "a//"] {
            let err = Filter::new(&[], &strings(&[bad])).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{bad:?}: {err}");
        }
    }
}
