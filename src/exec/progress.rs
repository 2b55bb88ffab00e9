//! What a run shows while it works. On a terminal: indicatif bars (files, bytes, rate, ETA, and
//! the current file of each worker, with its own bytes when it is large). Otherwise one line
//! per change on stdout, so cron mail stays short. With `-q`, nothing but errors (which go
//! through the logger to stderr).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Files from this size get a byte count of their own on their worker's line.
const LARGE_FILE: u64 = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Quiet,
    Lines,
    Bars,
}

pub struct Progress {
    mode: Mode,
    /// Files planned so far: the march plans as it lists, so the total grows.
    files: AtomicUsize,
    /// Files done so far.
    finished: AtomicUsize,
    total: ProgressBar,
    workers: Vec<ProgressBar>,
    _multi: Option<MultiProgress>,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("valid template")
}

impl Progress {
    /// Nothing planned yet: [`Progress::planned`] adds what the march plans.
    pub fn new(mode: Mode, workers: usize) -> Progress {
        let (files, finished) = (AtomicUsize::new(0), AtomicUsize::new(0));
        if mode != Mode::Bars {
            return Progress {
                mode,
                files,
                finished,
                total: ProgressBar::hidden(),
                workers: Vec::new(),
                _multi: None,
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total = multi.add(ProgressBar::new(0));
        total.set_style(style(
            "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        ));
        total.set_message("0/0 files");
        let workers = (0..workers)
            .map(|_| multi.add(ProgressBar::new_spinner()))
            .collect();
        Progress {
            mode,
            files,
            finished,
            total,
            workers,
            _multi: Some(multi),
        }
    }

    /// The march planned `files` more files of `bytes` bytes in all.
    pub fn planned(&self, files: usize, bytes: u64) {
        let files = self.files.fetch_add(files, Ordering::Relaxed) + files;
        self.total.inc_length(bytes);
        if self.mode == Mode::Bars {
            let done = self.finished.load(Ordering::Relaxed);
            self.total.set_message(format!("{done}/{files} files"));
        }
    }

    /// A worker starts on a file of at most `size` bytes.
    pub fn start(&self, worker: usize, what: &str, size: Option<u64>) {
        if let Some(bar) = self.workers.get(worker) {
            match size.filter(|&s| s >= LARGE_FILE) {
                Some(size) => {
                    bar.set_style(style("{msg} {bytes}/{total_bytes} {binary_bytes_per_sec}"));
                    bar.set_length(size);
                }
                None => bar.set_style(ProgressStyle::default_spinner()),
            }
            bar.set_position(0);
            bar.reset_eta();
            bar.set_message(what.to_string());
        }
    }

    /// `n` bytes of the worker's file arrived.
    pub fn bytes(&self, worker: usize, n: u64) {
        self.total.inc(n);
        if let Some(bar) = self.workers.get(worker) {
            bar.inc(n);
        }
    }

    /// The worker's download starts at byte `from`, with `shown` of its bytes counted so far:
    /// bytes a temp file kept are done, bytes a restart from 0 drops are not. The rate and ETA
    /// start over, as the jump is no speed.
    pub fn resumed(&self, worker: usize, shown: u64, from: u64) {
        if from == shown {
            return;
        }
        let position = self.total.position();
        self.total
            .set_position((position + from).saturating_sub(shown));
        self.total.reset_eta();
        if let Some(bar) = self.workers.get(worker) {
            bar.set_position(from);
            bar.reset_eta();
        }
    }

    /// A file is done: `line` is its report line (`+ path  (size)`).
    pub fn done(&self, line: &str) {
        crate::app::logger::note(line);
        let files_done = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        let files = self.files.load(Ordering::Relaxed);
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => println!("{}{line}", crate::app::logger::console_tag()),
            Mode::Bars => self
                .total
                .set_message(format!("{files_done}/{files} files")),
        }
    }

    /// A change line shown whatever the mode but quiet (directories, links, deletions).
    pub fn say(&self, line: &str) {
        crate::app::logger::note(line);
        let line = format!("{}{line}", crate::app::logger::console_tag());
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => println!("{line}"),
            Mode::Bars => self.total.println(line),
        }
    }

    pub fn finish(&self) {
        for bar in &self.workers {
            bar.finish_and_clear();
        }
        self.total.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Progress {
        let progress = Progress::new(Mode::Bars, 1);
        progress.planned(2, 1000);
        progress.total.set_draw_target(ProgressDrawTarget::hidden());
        progress
    }

    #[test]
    fn resumed_bytes_count_as_done_and_a_restart_takes_them_back() {
        let progress = bars();
        progress.start(0, "a", Some(600));
        // 400 bytes on disk from an earlier run, then 200 arrive: the file is done.
        progress.resumed(0, 0, 400);
        progress.bytes(0, 200);
        assert_eq!(progress.total.position(), 600);
        progress.start(0, "b", Some(400));
        progress.bytes(0, 100);
        // The server cannot resume: the attempt starts over from 0.
        progress.resumed(0, 100, 0);
        assert_eq!(progress.total.position(), 600);
        // A retry that resumes from what the failed attempt counted moves nothing.
        progress.bytes(0, 150);
        progress.resumed(0, 150, 150);
        progress.bytes(0, 250);
        assert_eq!(progress.total.position(), 1000);
    }
}
