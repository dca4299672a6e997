//! A key-value store's reads screened as they happen, for checkers that run after every step.
//!
//! Deciding linearizability exactly after every completion costs too much online: concurrent
//! appends multiply the states an object can be in by every order they may take, and a search for
//! one order over a growing history took about 10 ms per get in a five-node Raft run with random
//! faults (a hundredfold slower sweep). So each get is first screened, in time linear in its key's
//! writes, for a stale read: it must reflect every write that completed before it began, unless a
//! put that may be ordered after that write began before the get completed. A history the screen
//! flags is never linearizable; when it flags one, the checker can run the exact search
//! ([`super::check_kv`]) over the key's history once, to explain the violation with the longest
//! order of operations that works.
//!
//! The screen forgets what can no longer change a verdict: a write that completed before some
//! completed put began (that put may be ordered after it for every get still to come, and
//! overwrites whatever the forgotten write would have).

use super::{RegisterInput, RegisterOutput};
use std::collections::BTreeMap;

/// A write as the screen sees it: when it began and when (if ever) it completed.
#[derive(Clone, Debug)]
struct Write {
    op: u64,
    put: bool,
    value: String,
    begin: u64,
    end: Option<u64>,
}

/// A get that returned a stale value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleRead {
    pub key: String,
    /// When the get began.
    pub began: u64,
    /// The get's answer: `None` when it found the key never written.
    pub returned: Option<String>,
    /// The write it missed: a put (or an append) of `missed`, by operation `missed_op`.
    pub missed: String,
    pub missed_op: u64,
    pub missed_put: bool,
    /// When the missed write completed (before the get began).
    pub missed_completed: u64,
}

/// A key-value store's history, screened one invocation and one completion at a time. Operation
/// ids are any numbers unique within the history; times are any increasing measure (event ids).
#[derive(Clone, Debug, Default)]
pub struct StaleReads {
    /// Each key's writes the screen still needs.
    writes: BTreeMap<String, Vec<Write>>,
    /// Each operation in progress: its key and when it began.
    open: BTreeMap<u64, (String, u64)>,
}

impl StaleReads {
    /// Operation `op` on `key` was invoked at `at`. Invoking an id in progress is ignored.
    pub fn invoke(&mut self, op: u64, key: &str, input: &RegisterInput, at: u64) {
        if self.open.contains_key(&op) {
            return;
        }
        if let RegisterInput::Write(value) | RegisterInput::Append(value) = input {
            self.writes.entry(key.to_string()).or_default().push(Write {
                op,
                put: matches!(input, RegisterInput::Write(_)),
                value: value.clone(),
                begin: at,
                end: None,
            });
        }
        self.open.insert(op, (key.to_string(), at));
    }

    /// Operation `op` will not be judged: it completed where its screen does not apply.
    pub fn forget(&mut self, op: u64) {
        self.open.remove(&op);
    }

    /// Operation `op` completed at `at` with `output`. An id not in progress is ignored.
    pub fn complete(&mut self, op: u64, output: &RegisterOutput, at: u64) -> Option<StaleRead> {
        let (key, begin) = self.open.remove(&op)?;
        let writes = self.writes.get_mut(&key);
        match output {
            RegisterOutput::Value(returned) => {
                let missed = screen(writes?, begin, at, returned.as_deref())?;
                Some(StaleRead {
                    began: begin,
                    returned: returned.clone(),
                    missed: missed.value.clone(),
                    missed_op: missed.op,
                    missed_put: missed.put,
                    missed_completed: missed.end.unwrap_or(begin),
                    key,
                })
            }
            RegisterOutput::Written => {
                let writes = writes?;
                let write = writes.iter_mut().rev().find(|w| w.op == op)?;
                write.end = Some(at);
                if write.put {
                    let put = write.begin;
                    writes.retain(|w| w.op == op || w.end.is_none_or(|e| e >= put));
                }
                None
            }
        }
    }
}

/// The write a get (from `begin` to `end`, returning `value`) should have seen and did not, if
/// any. A put's value must begin the result and an append's must appear in it, unless another put
/// that may be ordered after the write began before the get completed.
fn screen<'a>(writes: &'a [Write], begin: u64, end: u64, value: Option<&str>) -> Option<&'a Write> {
    let value = value.unwrap_or("");
    // The two puts that could be ordered latest before the get, by how late they completed (never
    // completing counts as latest): whichever is not the write being judged decides whether that
    // write may have been overwritten.
    let mut latest: [Option<(Option<u64>, u64)>; 2] = [None, None];
    let later = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a > b,
    };
    for put in writes.iter().filter(|w| w.put && w.begin < end) {
        let candidate = (put.end, put.op);
        if latest[0].is_none_or(|l| later(candidate.0, l.0)) {
            latest[1] = latest[0];
            latest[0] = Some(candidate);
        } else if latest[1].is_none_or(|l| later(candidate.0, l.0)) {
            latest[1] = Some(candidate);
        }
    }
    writes.iter().find(|write| {
        let Some(completed) = write.end else {
            return false;
        };
        if completed >= begin {
            return false;
        }
        let other = match latest[0] {
            Some((_, op)) if op == write.op => latest[1],
            l => l,
        };
        let maybe_overwritten = other.is_some_and(|(e, _)| e.is_none_or(|e| e > write.begin));
        let visible = if write.put {
            value.starts_with(&write.value)
        } else {
            value.contains(&write.value)
        };
        !maybe_overwritten && !visible
    })
}
