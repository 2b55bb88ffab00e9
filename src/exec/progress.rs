//! What a run shows while it works. On a terminal: indicatif bars (files, bytes, rate, ETA, and
//! the current file of each worker). Otherwise one line per change on stdout, so cron mail stays
//! short. With `-q`, nothing but errors (which go through the logger to stderr).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Quiet,
    Lines,
    Bars,
}

pub struct Progress {
    mode: Mode,
    total: ProgressBar,
    workers: Vec<ProgressBar>,
    _multi: Option<MultiProgress>,
}

impl Progress {
    pub fn new(mode: Mode, files: usize, bytes: u64, workers: usize) -> Progress {
        if mode != Mode::Bars {
            return Progress {
                mode,
                total: ProgressBar::hidden(),
                workers: Vec::new(),
                _multi: None,
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total = multi.add(ProgressBar::new(bytes));
        total.set_style(
            ProgressStyle::with_template(
                "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
            )
            .expect("valid template"),
        );
        total.set_message(format!("0/{files} files"));
        let workers = (0..workers)
            .map(|_| multi.add(ProgressBar::new_spinner()))
            .collect();
        Progress {
            mode,
            total,
            workers,
            _multi: Some(multi),
        }
    }

    /// A worker starts on a file.
    pub fn start(&self, worker: usize, what: &str) {
        if let Some(bar) = self.workers.get(worker) {
            bar.set_message(what.to_string());
        }
    }

    pub fn bytes(&self, n: u64) {
        self.total.inc(n);
    }

    /// A file or other change is done: `line` is its report line (`+ path`, `- path`, ...).
    pub fn done(&self, files_done: usize, files: usize, line: &str) {
        crate::logger::note(line);
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => println!("{line}"),
            Mode::Bars => self
                .total
                .set_message(format!("{files_done}/{files} files")),
        }
    }

    /// A change line shown whatever the mode but quiet (directories, links, deletions).
    pub fn say(&self, line: &str) {
        crate::logger::note(line);
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
