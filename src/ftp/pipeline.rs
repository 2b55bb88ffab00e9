//! The control connection's pipelining as one state machine: which replies are still to come,
//! and what the server opened ahead.
//!
//! A reply is read later than its command in three cases, each saving a round trip: the final
//! reply of a transfer whose byte count already proves the file whole (servers send it only once
//! they see the data connection closed); a reply nothing waits for (`OPTS UTF8 ON`); and the
//! replies to commands sent in the same write as a transfer command, behind it: a `NOOP` that
//! tells whether the server answers commands during a transfer (the [`Overlap`]), or, once it is
//! known to leave them until the transfer is over (vsftpd), the next data channel's `EPSV`/`PASV`
//! with the next file's `MDTM` before it. The client does the I/O; [`Pipeline::step`] alone
//! decides, from one [`Event`], the next [`Link`] and what the client must do ([`Next`]), and
//! traces every change at debug level (`-vv`). curl's `lib/ftp.c` (`ftpstate`, one transition
//! function) is the model.
//!
//! ```text
//!                          (D)
//!        ┌───────────────────────────────────────────┐
//!        │                                           ▼
//!   ┌──────────┐   (T)   ┌──────────┐   (E)   ┌──────────┐
//! ─►│          │────────►│ Transfer │────────►│  Owing   │
//!   │          │◄────────│          │         │          │
//!   │          │   (A)   └──────────┘         │          │
//!   │          │              │ (X)           │          │
//!   │ Lockstep │              ▼               │          │
//!   │          │         ┌───────────┐        │          │
//!   │          │         │ OutOfStep │        │          │
//!   │          │         └───────────┘        │          │
//!   │          │◄──────────── (R) ────────────│          │
//!   │          │   (L)   ┌──────────┐   (S)   │          │
//!   │          │────────►│  Armed   │◄────────│          │
//!   │          │◄────────│          │         └──────────┘
//!   └──────────┘  (U,C)  └──────────┘
//!
//! (T) a transfer command written; behind it a NOOP (overlap Unknown), [MDTM] EPSV|PASV
//!     (Queued), or nothing (Answered; active mode)
//! (A) the transfer ended with nothing behind it: its final reply read, a reply without data,
//!     or the data failed and ABOR was sent
//! (E) the transfer ended and the reply behind it is owed; or its final reply is left owed,
//!     the byte count proving the file whole with nothing behind
//! (D) a command whose reply is read behind the next one (OPTS UTF8 ON)
//! (R) the next write reads the owed reply first, which opened no channel; a reply that does
//!     not come, or not in step, is an error (Stale) and its transfer unconfirmed
//! (S) the EPSV/PASV sent behind was answered 2xx: the server holds a data channel open
//! (U) the next transfer takes that channel, with the MDTM reply read along
//! (C) any other command first connects to the channel and closes it (Twisted waits for that)
//! (L) a prepared channel given back unused (its CWD sent along was refused)
//! (X) the data failed with a command behind; a first reply out of step, or one refusing what
//!     was sent ahead; a refused command sent along whose transfer could not be dropped
//!     OutOfStep is final: every later write fails as Stale, so a caller that goes on after
//!     the first refusal (reading the confirmations owed) never reads a stale reply as its
//!     own; the mirror's pool drops the session
//!
//! Overlap, per server, shared by a run's sessions, only ever rises:
//!     Unknown ──NOOP's 200 read in its turn──► Queued
//!     Unknown | Queued ──NOOP's 200 before a transfer's reply, a transfer ended badly with a
//!                        command behind, a channel opened ahead refused──► Answered
//! ```
//!
//! Invariants: at most one reply is owed (every event that owes one follows a write, which read
//! the one before), and a channel is open ahead only when nothing is owed.

use super::client::{During, Overlap};
use super::command::Command;
use super::error::Error;
use super::reply::{Class, Code, Reply};
use std::fmt;
use std::net::SocketAddr;

/// A command sent ahead (its line) and its reply.
pub(crate) type Ahead = (String, Reply);

/// The control connection between two calls. Changed only by [`Pipeline::step`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Link {
    /// Every reply read; nothing open ahead. A command's reply is the next one.
    Lockstep,
    /// One reply to an earlier command comes before the next command's own.
    Owing(Due),
    /// A transfer command runs: its replies come next, then that of the command behind it.
    Transfer { behind: Option<Due> },
    /// A data channel the server opened ahead, with the command sent along with its setup.
    Armed {
        addr: SocketAddr,
        along: Option<Ahead>,
    },
    /// Replies can no longer be matched to commands; the next write says so.
    OutOfStep(String),
}

/// A reply that will come, and what it settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Due {
    /// The final reply of the transfer the caller named so: it must confirm the transfer.
    Final(Tag),
    /// A reply whose answer changes nothing.
    Ignored,
    /// The answer to the `NOOP` sent behind a transfer command, to learn the [`Overlap`].
    Probe,
    /// The answer to the `EPSV` (`extended`) or `PASV` sent behind a transfer command, after
    /// that of the command announced to go with it (its line).
    Setup {
        along: Option<String>,
        extended: bool,
    },
}

/// The caller's name for a transfer whose final reply may be left owed (the mirror passes the
/// file's index in its plan): a transfer found unconfirmed is named back by it, whatever
/// argument its command carried (only the last name of a path reached step by step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag(pub usize);

/// The replies read for an owed [`Due`]: the announced command's, the due's own, and the
/// address in it when it set up a data channel.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) along: Option<Reply>,
    pub(crate) reply: Reply,
    pub(crate) channel: Option<SocketAddr>,
}

/// What happened on the connection.
#[derive(Debug)]
pub(crate) enum Event<'a> {
    /// A command was written whose reply is read behind the next one.
    Deferred(Due),
    /// Lines were written: an owed reply comes first.
    Settle,
    /// The replies of the owed due were read.
    Owed(Answer),
    /// Reading them failed (why).
    OwedFailed(String),
    /// A command that is not a transfer comes next.
    Disarm,
    /// A transfer wants a data channel.
    WantChannel,
    /// A prepared passive channel is given back unused.
    Release(SocketAddr),
    /// A transfer command was written, with `Due` behind it.
    Sent(Option<Due>),
    /// A reply read where a transfer's first or final reply was due.
    Replied(&'a Reply),
    /// The transfer's first reply was not `1xx`: there is no data.
    NoData,
    /// The data arrived; `whole`: its byte count proves the file whole. With a `confirm` tag
    /// the final reply may be left owed, and its transfer is named by the tag if it fails.
    DataEnded { whole: bool, confirm: Option<Tag> },
    /// Moving the data failed.
    DataFailed,
    /// The transfer's final reply.
    Final(&'a Reply),
    /// The first reply refused what was sent ahead (why).
    RefusedAhead(String),
    /// Replies are out of step (why).
    OutOfStep(String),
    /// The session ends.
    Quit,
}

/// What the client does next.
#[derive(Debug)]
pub(crate) enum Next {
    /// Go on.
    Go,
    /// Read the owed reply (after the announced command's when `along`; parsing the data
    /// channel's address, EPSV when `Some(true)`, when it is a 2xx to a setup), then
    /// step [`Event::Owed`].
    Read { along: bool, channel: Option<bool> },
    /// Read every owed reply first, then step the same event again.
    Settle,
    /// Connect to this channel opened ahead and close it.
    Close(SocketAddr),
    /// Use this channel opened ahead, with the reply of the command sent along.
    Use(SocketAddr, Option<Ahead>),
    /// That reply was the probe's: read the transfer's next.
    Skip,
    /// Read the transfer's final reply now.
    ReadFinal,
    /// Send ABOR and swallow its replies.
    Abort,
    /// Fail with this error.
    Fail(Error),
}

/// A session's pipelining: the link, and what the session learned and owes its caller.
pub(crate) struct Pipeline {
    /// The connection's name at the head of each trace line.
    tag: String,
    link: Link,
    /// The line of the command the next data channel's setup will carry.
    announced: Option<String>,
    /// Transfers whose final reply never came or was an error, with why.
    unconfirmed: Vec<(Tag, String)>,
    overlap: Overlap,
}

impl Pipeline {
    pub(crate) fn new(tag: String, overlap: Overlap) -> Pipeline {
        Pipeline {
            tag,
            link: Link::Lockstep,
            announced: None,
            unconfirmed: Vec::new(),
            overlap,
        }
    }

    #[cfg(test)]
    fn link(&self) -> &Link {
        &self.link
    }

    /// Says which command the next data channel's setup will carry (its line), so that it can
    /// go ahead with the setup, behind the transfer before.
    pub(crate) fn announce(&mut self, line: Option<String>) {
        self.announced = line;
    }

    /// The transfers found unconfirmed so far, taken.
    pub(crate) fn take_unconfirmed(&mut self) -> Vec<(Tag, String)> {
        std::mem::take(&mut self.unconfirmed)
    }

    /// What goes behind a transfer command in its write, decided before the write (whose
    /// owed reply may teach the overlap only for the next transfer): a `NOOP` while the
    /// [`Overlap`] is unknown; the next data channel's setup, with the announced command, once
    /// the server is known to queue commands during transfers; nothing in active mode.
    pub(crate) fn behind(&mut self, passive: bool, extended: bool) -> Option<(Due, Vec<String>)> {
        if !passive {
            return None;
        }
        match self.overlap.get() {
            During::Answered => None,
            During::Unknown => Some((Due::Probe, vec![Command::Noop.wire().ok()?])),
            During::Queued => {
                let setup = match extended {
                    true => Command::Epsv,
                    false => Command::Pasv,
                };
                let along = self.announced.take();
                let lines = along.iter().cloned().chain(setup.wire().ok()).collect();
                Some((Due::Setup { along, extended }, lines))
            }
        }
    }

    /// The one transition function: `event` in the current link. The link is matched as a
    /// copy, so that [`Pipeline::go`] still sees where it comes from.
    pub(crate) fn step(&mut self, event: Event) -> Next {
        match (self.link.clone(), event) {
            (_, Event::Quit) => self.go(Link::Lockstep, "QUIT", Next::Go),
            (link, Event::Deferred(due)) => {
                debug_assert_eq!(link, Link::Lockstep, "a write read what was owed");
                self.go(
                    Link::Owing(due),
                    "reply read behind the next command",
                    Next::Go,
                )
            }
            (Link::Owing(due), Event::Settle) => Next::Read {
                along: matches!(&due, Due::Setup { along: Some(_), .. }),
                channel: match &due {
                    Due::Setup { extended, .. } => Some(*extended),
                    _ => None,
                },
            },
            // Out of step for good: every later command is refused the same way, so that a caller
            // that did not drop the session on the first refusal cannot read stale replies.
            (Link::OutOfStep(why), Event::Settle) => {
                let why = format!("no final reply: {}", Error::Stale(why.clone()));
                Next::Fail(Error::Stale(why))
            }
            (Link::Owing(due), Event::Owed(answer)) => self.owed(due, answer),
            (Link::Owing(due), Event::OwedFailed(e)) => self.owed_failed(due, &e),
            (Link::Owing(Due::Setup { .. }), Event::Disarm | Event::WantChannel) => Next::Settle,
            (Link::Armed { addr, .. }, Event::Disarm) => self.go(
                Link::Lockstep,
                "closing the unused channel",
                Next::Close(addr),
            ),
            (Link::Armed { addr, along }, Event::WantChannel) => {
                self.go(Link::Lockstep, "channel taken", Next::Use(addr, along))
            }
            (Link::Lockstep, Event::Release(addr)) => {
                let armed = Link::Armed { addr, along: None };
                self.go(armed, "channel given back", Next::Go)
            }
            (_, Event::Sent(behind)) => {
                self.go(Link::Transfer { behind }, "transfer command sent", Next::Go)
            }
            (
                Link::Transfer {
                    behind: Some(Due::Probe),
                },
                Event::Replied(reply),
            ) if reply.code == Code::OK => {
                self.learn(During::Answered);
                let link = Link::Transfer { behind: None };
                self.go(link, "NOOP answered during the transfer", Next::Skip)
            }
            (Link::Transfer { behind }, Event::NoData) => {
                // Answered without a transfer: the probe behind it tells nothing.
                let behind = behind.map(|due| match due {
                    Due::Probe => Due::Ignored,
                    due => due,
                });
                self.end(behind, "no data", Next::Go)
            }
            (
                Link::Transfer { behind: None },
                Event::DataEnded {
                    whole: true,
                    confirm: Some(tag),
                },
            ) => {
                let link = Link::Owing(Due::Final(tag));
                self.go(link, "whole by size, final reply owed", Next::Go)
            }
            (Link::Transfer { .. }, Event::DataEnded { .. }) => Next::ReadFinal,
            (Link::Transfer { behind: Some(_) }, Event::DataFailed) => {
                self.learn(During::Answered);
                let why = "a transfer failed with commands queued behind it";
                self.go(Link::OutOfStep(why.into()), why, Next::Go)
            }
            (Link::Transfer { behind: None }, Event::DataFailed) => {
                self.go(Link::Lockstep, "data failed, ABOR", Next::Abort)
            }
            (Link::Transfer { behind }, Event::Final(reply)) => self.ended(behind, reply),
            (_, Event::RefusedAhead(why)) => {
                self.learn(During::Answered);
                self.go(Link::OutOfStep(why.clone()), &why, Next::Go)
            }
            (_, Event::OutOfStep(why)) => self.go(Link::OutOfStep(why.clone()), &why, Next::Go),
            _ => Next::Go,
        }
    }

    /// An owed reply read.
    fn owed(&mut self, due: Due, answer: Answer) -> Next {
        let reply = answer.reply;
        match due {
            Due::Ignored => self.go(Link::Lockstep, "ignored reply read", Next::Go),
            // A transfer ends with 226 or 250 (RFC 959 4.2); any other completion reply is the
            // answer to a later command: the server skipped the final reply and the replies
            // are out of step, so the session cannot go on.
            Due::Final(_) if matches!(reply.code, Code::CLOSING_DATA | Code::FILE_OK) => {
                self.go(Link::Lockstep, "final reply read", Next::Go)
            }
            Due::Final(tag) if reply.class() >= Class::Transient => {
                self.unconfirmed.push((tag, reply.to_string()));
                self.go(Link::Lockstep, "final reply refused the transfer", Next::Go)
            }
            due @ Due::Final(_) => {
                let e = Error::Protocol(format!("{reply} where a transfer's final reply was due"));
                self.owed_failed(due, &e.to_string())
            }
            Due::Probe if reply.code == Code::OK => {
                self.learn(During::Queued);
                self.go(Link::Lockstep, "NOOP answered after the transfer", Next::Go)
            }
            Due::Probe => {
                let e = Error::Protocol(format!("{reply} where NOOP's reply was due"));
                self.owed_failed(Due::Probe, &e.to_string())
            }
            Due::Setup { along, .. } => match answer.channel {
                Some(addr) => {
                    let along = along.zip(answer.along);
                    self.go(
                        Link::Armed { addr, along },
                        "channel opened ahead",
                        Next::Go,
                    )
                }
                None => {
                    let why = format!("no data channel ahead: {reply}");
                    self.go(Link::Lockstep, &why, Next::Go)
                }
            },
        }
    }

    /// An owed reply that never came, or came out of step: the session cannot go on, and the
    /// transfer it was to confirm is unconfirmed.
    fn owed_failed(&mut self, due: Due, e: &str) -> Next {
        let why = format!("no final reply: {e}");
        if let Due::Final(tag) = due {
            self.unconfirmed.push((tag, why.clone()));
        }
        self.go(
            Link::Lockstep,
            "owed reply failed",
            Next::Fail(Error::Stale(why)),
        )
    }

    /// A transfer's final reply. One that is not `226` or `250` with a command queued behind
    /// may be the server ending the transfer because of it: the error is then one that is tried
    /// again on a new session, which queues nothing any more.
    fn ended(&mut self, behind: Option<Due>, reply: &Reply) -> Next {
        let whole = matches!(reply.code, Code::CLOSING_DATA | Code::FILE_OK)
            || behind.is_none() && reply.class() == Class::Completion;
        let next = match reply.class() {
            _ if !whole && behind.is_some() => {
                self.learn(During::Answered);
                Next::Fail(queued_error(reply))
            }
            Class::Completion => Next::Go,
            _ => Next::Fail(Error::from_reply(reply.clone())),
        };
        self.end(behind, "final reply read", next)
    }

    /// The transfer is over: the reply behind it comes next.
    fn end(&mut self, behind: Option<Due>, why: &str, next: Next) -> Next {
        match behind {
            Some(due) => self.go(Link::Owing(due), why, next),
            None => self.go(Link::Lockstep, why, next),
        }
    }

    /// Records what the server does with commands sent during a transfer.
    fn learn(&self, during: During) {
        if self.overlap.learn(during) {
            log::debug!(
                "{} commands sent during a transfer are {during:?} by this server",
                self.tag
            );
        }
    }

    /// The one place the link changes, traced.
    fn go(&mut self, to: Link, why: &str, next: Next) -> Next {
        log::debug!("{} ftp {} -> {to}: {why}", self.tag, self.link);
        self.link = to;
        next
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let due = |due: &Due| match due {
            Due::Final(_) => "final",
            Due::Ignored => "ignored",
            Due::Probe => "probe",
            Due::Setup { .. } => "setup",
        };
        match self {
            Link::Lockstep => f.write_str("lockstep"),
            Link::Owing(d) => write!(f, "owing[{}]", due(d)),
            Link::Transfer { behind: None } => f.write_str("transfer"),
            Link::Transfer { behind: Some(d) } => write!(f, "transfer[{}]", due(d)),
            Link::Armed { .. } => f.write_str("armed"),
            Link::OutOfStep(_) => f.write_str("out-of-step"),
        }
    }
}

/// A transfer that went wrong with commands queued behind it, which the server may have ended
/// because of them: tried again on a new session.
pub(crate) fn queued_error(reply: &Reply) -> Error {
    Error::Stale(format!("{reply}, with commands queued behind the transfer"))
}

#[cfg(test)]
mod tests {
    //! The transitions, one test per row of the table in the design (issue 16, section 2.4).
    use super::*;
    use crate::ftp::reply::Reply;

    fn at(link: Link) -> Pipeline {
        let mut pipe = Pipeline::new("[c0]".into(), Overlap::default());
        pipe.link = link;
        pipe
    }

    fn reply(code: u16) -> Reply {
        Reply {
            code: Code::new(code),
            text: "text".into(),
        }
    }

    fn answer(code: u16, channel: Option<SocketAddr>) -> Event<'static> {
        Event::Owed(Answer {
            along: Some(reply(213)),
            reply: reply(code),
            channel,
        })
    }

    fn addr() -> SocketAddr {
        "127.0.0.1:2121".parse().unwrap()
    }

    fn final_of(tag: usize) -> Link {
        Link::Owing(Due::Final(Tag(tag)))
    }

    fn setup() -> Due {
        Due::Setup {
            along: Some("MDTM /f\r\n".into()),
            extended: true,
        }
    }

    fn transfer(behind: Option<Due>) -> Link {
        Link::Transfer { behind }
    }

    fn stale(next: Next) -> String {
        match next {
            Next::Fail(Error::Stale(why)) => why,
            next => panic!("not stale: {next:?}"),
        }
    }

    #[test]
    fn an_owed_reply_is_read_before_anything_else_and_a_setup_before_a_channel() {
        let mut pipe = at(final_of(1));
        let read = pipe.step(Event::Settle);
        assert!(matches!(
            read,
            Next::Read {
                along: false,
                channel: None
            }
        ));
        assert!(
            matches!(pipe.step(Event::Disarm), Next::Go),
            "read behind the write"
        );
        let mut pipe = at(Link::Owing(setup()));
        let read = pipe.step(Event::Settle);
        assert!(matches!(
            read,
            Next::Read {
                along: true,
                channel: Some(true)
            }
        ));
        assert!(matches!(pipe.step(Event::Disarm), Next::Settle));
        assert!(matches!(pipe.step(Event::WantChannel), Next::Settle));
        assert_eq!(pipe.link(), &Link::Owing(setup()));
    }

    #[test]
    fn an_owed_final_226_confirms_and_an_error_unconfirms() {
        let mut pipe = at(final_of(1));
        assert!(matches!(pipe.step(answer(226, None)), Next::Go));
        assert_eq!(pipe.link(), &Link::Lockstep);
        assert!(pipe.take_unconfirmed().is_empty());
        let mut pipe = at(final_of(1));
        assert!(matches!(pipe.step(answer(451, None)), Next::Go));
        assert_eq!(pipe.link(), &Link::Lockstep);
        assert_eq!(pipe.take_unconfirmed(), [(Tag(1), "451 text".into())]);
    }

    #[test]
    fn an_owed_final_out_of_step_or_missing_is_stale_and_unconfirms() {
        let mut pipe = at(final_of(1));
        let why = stale(pipe.step(answer(200, None)));
        assert!(
            why.contains("200 text where a transfer's final reply was due"),
            "{why}"
        );
        assert_eq!(pipe.link(), &Link::Lockstep);
        assert_eq!(pipe.take_unconfirmed(), [(Tag(1), why)]);
        let mut pipe = at(final_of(2));
        let why = stale(pipe.step(Event::OwedFailed("reset".into())));
        assert_eq!(why, "no final reply: reset");
        assert_eq!(pipe.take_unconfirmed(), [(Tag(2), why)]);
    }

    #[test]
    fn an_ignored_reply_is_read_whatever_it_says() {
        let mut pipe = at(Link::Owing(Due::Ignored));
        assert!(matches!(pipe.step(answer(502, None)), Next::Go));
        assert_eq!(pipe.link(), &Link::Lockstep);
    }

    #[test]
    fn a_probe_answered_in_its_turn_teaches_queued_and_anything_else_is_stale() {
        let mut pipe = at(Link::Owing(Due::Probe));
        assert!(matches!(pipe.step(answer(200, None)), Next::Go));
        assert_eq!(pipe.overlap.get(), During::Queued);
        let mut pipe = at(Link::Owing(Due::Probe));
        let why = stale(pipe.step(answer(500, None)));
        assert!(why.contains("where NOOP's reply was due"), "{why}");
        assert_eq!(pipe.overlap.get(), During::Unknown);
        assert_eq!(pipe.link(), &Link::Lockstep);
    }

    #[test]
    fn a_setup_answered_2xx_arms_a_channel_with_the_announced_reply() {
        let mut pipe = at(Link::Owing(setup()));
        assert!(matches!(pipe.step(answer(229, Some(addr()))), Next::Go));
        let along = Some(("MDTM /f\r\n".into(), reply(213)));
        assert_eq!(
            pipe.link(),
            &Link::Armed {
                addr: addr(),
                along
            }
        );
        let mut pipe = at(Link::Owing(setup()));
        assert!(matches!(pipe.step(answer(425, None)), Next::Go));
        assert_eq!(pipe.link(), &Link::Lockstep, "no data channel ahead");
    }

    #[test]
    fn an_armed_channel_is_closed_before_a_command_or_taken_by_a_transfer() {
        let along = Some(("MDTM /f\r\n".into(), reply(213)));
        let armed = Link::Armed {
            addr: addr(),
            along: along.clone(),
        };
        let mut pipe = at(armed.clone());
        assert!(matches!(pipe.step(Event::Disarm), Next::Close(a) if a == addr()));
        assert_eq!(pipe.link(), &Link::Lockstep);
        let mut pipe = at(armed.clone());
        assert!(
            matches!(pipe.step(Event::Settle), Next::Go),
            "a batch leaves it open"
        );
        assert_eq!(pipe.link(), &armed);
        match pipe.step(Event::WantChannel) {
            Next::Use(a, got) => assert_eq!((a, got), (addr(), along)),
            next => panic!("{next:?}"),
        }
        assert_eq!(pipe.link(), &Link::Lockstep);
        assert!(
            matches!(pipe.step(Event::WantChannel), Next::Go),
            "set one up"
        );
    }

    #[test]
    fn a_channel_given_back_is_armed() {
        let mut pipe = at(Link::Lockstep);
        pipe.step(Event::Release(addr()));
        assert_eq!(
            pipe.link(),
            &Link::Armed {
                addr: addr(),
                along: None
            }
        );
    }

    #[test]
    fn what_goes_behind_a_transfer_follows_the_overlap() {
        let mut pipe = at(Link::Lockstep);
        pipe.announce(Some("MDTM /f\r\n".into()));
        assert_eq!(pipe.behind(false, true), None, "active mode");
        assert_eq!(
            pipe.behind(true, true),
            Some((Due::Probe, vec!["NOOP\r\n".into()]))
        );
        pipe.overlap.learn(During::Queued);
        let lines = vec!["MDTM /f\r\n".into(), "EPSV\r\n".into()];
        assert_eq!(pipe.behind(true, true), Some((setup(), lines)));
        let pasv = Due::Setup {
            along: None,
            extended: false,
        };
        let lines = vec!["PASV\r\n".into()];
        assert_eq!(
            pipe.behind(true, false),
            Some((pasv, lines)),
            "announced once"
        );
        pipe.overlap.learn(During::Answered);
        assert_eq!(pipe.behind(true, true), None);
        pipe.step(Event::Sent(None));
        assert_eq!(pipe.link(), &transfer(None));
    }

    #[test]
    fn a_200_before_the_transfers_reply_is_the_probes_and_teaches_answered() {
        let mut pipe = at(transfer(Some(Due::Probe)));
        assert!(matches!(pipe.step(Event::Replied(&reply(200))), Next::Skip));
        assert_eq!(pipe.overlap.get(), During::Answered);
        assert_eq!(pipe.link(), &transfer(None));
        assert!(matches!(pipe.step(Event::Replied(&reply(200))), Next::Go));
        let mut pipe = at(transfer(Some(setup())));
        assert!(matches!(pipe.step(Event::Replied(&reply(200))), Next::Go));
    }

    #[test]
    fn a_first_reply_refusing_what_went_ahead_or_out_of_step_puts_the_session_out_of_step() {
        let mut pipe = at(transfer(Some(setup())));
        pipe.step(Event::RefusedAhead("503".into()));
        assert_eq!(pipe.link(), &Link::OutOfStep("503".into()));
        assert_eq!(pipe.overlap.get(), During::Answered);
        let mut pipe = at(transfer(Some(Due::Probe)));
        pipe.step(Event::OutOfStep("200".into()));
        assert_eq!(pipe.link(), &Link::OutOfStep("200".into()));
        assert_eq!(pipe.overlap.get(), During::Unknown);
    }

    #[test]
    fn a_transfer_without_data_owes_what_is_behind_it_and_a_probe_tells_nothing() {
        let mut pipe = at(transfer(Some(Due::Probe)));
        pipe.step(Event::NoData);
        assert_eq!(pipe.link(), &Link::Owing(Due::Ignored));
        let mut pipe = at(transfer(Some(setup())));
        pipe.step(Event::NoData);
        assert_eq!(pipe.link(), &Link::Owing(setup()));
        let mut pipe = at(transfer(None));
        pipe.step(Event::NoData);
        assert_eq!(pipe.link(), &Link::Lockstep);
    }

    #[test]
    fn a_final_reply_is_left_owed_only_when_whole_with_nothing_behind() {
        let mut pipe = at(transfer(None));
        let next = pipe.step(Event::DataEnded {
            whole: true,
            confirm: Some(Tag(1)),
        });
        assert!(matches!(next, Next::Go));
        assert_eq!(pipe.link(), &final_of(1));
        for link in [transfer(None), transfer(Some(Due::Probe))] {
            let mut pipe = at(link.clone());
            let whole = link != transfer(None);
            let next = pipe.step(Event::DataEnded {
                whole,
                confirm: Some(Tag(1)),
            });
            assert!(matches!(next, Next::ReadFinal));
            assert_eq!(pipe.link(), &link);
        }
    }

    #[test]
    fn a_final_reply_ends_the_transfer_and_owes_what_is_behind() {
        let mut pipe = at(transfer(Some(setup())));
        assert!(matches!(pipe.step(Event::Final(&reply(226))), Next::Go));
        assert_eq!(pipe.link(), &Link::Owing(setup()));
        let mut pipe = at(transfer(None));
        assert!(matches!(pipe.step(Event::Final(&reply(200))), Next::Go));
        assert_eq!(pipe.link(), &Link::Lockstep);
        let next = at(transfer(None)).step(Event::Final(&reply(451)));
        assert!(matches!(next, Next::Fail(Error::Transient(_))));
    }

    #[test]
    fn a_transfer_ending_badly_with_a_command_behind_is_tried_again_elsewhere() {
        for code in [451, 200] {
            let mut pipe = at(transfer(Some(Due::Probe)));
            let why = stale(pipe.step(Event::Final(&reply(code))));
            assert!(why.contains("with commands queued behind"), "{why}");
            assert_eq!(pipe.overlap.get(), During::Answered);
            assert_eq!(pipe.link(), &Link::Owing(Due::Probe));
        }
    }

    #[test]
    fn failed_data_aborts_in_lockstep_and_gives_up_with_a_command_behind() {
        let mut pipe = at(transfer(None));
        assert!(matches!(pipe.step(Event::DataFailed), Next::Abort));
        assert_eq!(pipe.link(), &Link::Lockstep);
        let mut pipe = at(transfer(Some(setup())));
        assert!(matches!(pipe.step(Event::DataFailed), Next::Go));
        assert!(matches!(pipe.link(), Link::OutOfStep(_)));
        assert_eq!(pipe.overlap.get(), During::Answered);
    }

    #[test]
    fn out_of_step_fails_every_later_write() {
        let mut pipe = at(Link::OutOfStep("why".into()));
        assert!(matches!(pipe.step(Event::Disarm), Next::Go));
        for _ in 0..2 {
            let why = stale(pipe.step(Event::Settle));
            assert_eq!(why, "no final reply: session out of step: why");
        }
        assert_eq!(pipe.link(), &Link::OutOfStep("why".into()));
    }

    #[test]
    fn quit_forgets_everything_owed() {
        for link in [
            final_of(1),
            transfer(Some(Due::Probe)),
            Link::OutOfStep("x".into()),
        ] {
            let mut pipe = at(link);
            pipe.step(Event::Quit);
            assert_eq!(pipe.link(), &Link::Lockstep);
        }
    }

    #[test]
    fn a_deferred_reply_is_owed() {
        let mut pipe = at(Link::Lockstep);
        pipe.step(Event::Deferred(Due::Ignored));
        assert_eq!(pipe.link(), &Link::Owing(Due::Ignored));
    }
}
