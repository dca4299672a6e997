//! Linearizability of a whole client history, judged exactly: after every completed read the
//! library's search ([`check`]) orders the read's key's operations again, so a violation between
//! two reads, such as a new-old inversion (a read returns a new value, a later read the old one),
//! is caught as well as a read that misses a completed write. For protocols whose histories stay
//! small per key and hold only writes and reads (ABD's registers), where the search places each
//! read as soon as it fits and stays cheap. The protocol names its register operations with
//! `Protocol::register_op` and `Protocol::register_answer`.

use crate::checks::heal::{Done, REQUESTS};
use crate::checks::linearizability::{
    Operation, Outcome, Register, RegisterInput, RegisterOutput, check, state_after,
};
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Protocol, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::shown;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// Search steps one check may take; past them the history is let pass (and the next read's check
/// tries again with the same budget).
const BUDGET: u64 = 200_000;

/// How many operations of the longest working order a violation lists, the latest ones.
const SHOWN: usize = 6;

/// One operation of a key's history, with where it happened, for the explanation.
#[derive(Clone, Debug)]
struct Traced {
    op: OpId,
    invoked: EventId,
    completed: Option<(EventId, Option<NodeId>)>,
}

#[derive(Clone, Debug, Default)]
struct KeyHistory {
    ops: Vec<Operation<RegisterInput, RegisterOutput>>,
    traced: Vec<Traced>,
}

#[derive(Clone, Debug)]
struct Linearizable<P> {
    keys: BTreeMap<String, KeyHistory>,
    /// Each operation in progress: its key and its place in that key's history.
    open: BTreeMap<OpId, (String, usize)>,
    done: Done,
    protocol: PhantomData<fn() -> P>,
}

/// Always: the clients' history is linearizable, every key on its own (a store is linearizable
/// exactly when each of its registers is). Each operation lasts from its first request to its
/// first answer; one that never completed may have taken effect or not.
pub fn linearizable<P: Protocol>() -> Box<dyn Property<P>> {
    Box::new(Linearizable::<P> {
        keys: BTreeMap::new(),
        open: BTreeMap::new(),
        done: Done::default(),
        protocol: PhantomData,
    })
}

/// An operation in words: `write x=2 (op3)`, `read x → "2" (op5)`.
fn describe(key: &str, op: &Operation<RegisterInput, RegisterOutput>, id: OpId) -> String {
    match (&op.input, &op.completed) {
        (RegisterInput::Write(value), _) => format!("write {key}={value:?} ({id})"),
        (RegisterInput::Append(value), _) => format!("append {key}+={value:?} ({id})"),
        (RegisterInput::Read, Some((RegisterOutput::Value(value), _))) => {
            format!("read {key} → {} ({id})", shown(value.as_deref()))
        }
        (RegisterInput::Read, _) => format!("read {key} ({id})"),
    }
}

impl KeyHistory {
    /// The violation for a history the search found not linearizable: the read that cannot be
    /// placed, the latest operations of the longest order that works, and the value it leaves.
    fn explain(&self, key: &str, prefix: &[usize], stuck: usize) -> Verdict {
        let op = &self.ops[stuck];
        let traced = &self.traced[stuck];
        let at = traced
            .completed
            .and_then(|(_, node)| node)
            .map_or_else(String::new, |node| format!(" at {node}"));
        let held = state_after(&Register, &self.ops, prefix);
        let skipped = prefix.len().saturating_sub(SHOWN);
        let order: Vec<String> = prefix[skipped..]
            .iter()
            .map(|&i| describe(key, &self.ops[i], self.traced[i].op))
            .collect();
        let mut message = format!(
            "{}{at} cannot be placed in any order of {key}'s operations that respects real time: \
             the longest order that works ends ",
            describe(key, op, traced.op)
        );
        if skipped > 0 {
            message.push_str(&format!("…, {}", order.join(", ")));
        } else {
            message.push_str(&order.join(", "));
        }
        message.push_str(&format!(
            " and leaves {key} holding {}",
            shown(held.as_deref())
        ));
        // The operation of that order that finished last before the stuck one began: the one whose
        // effect it should have seen.
        let before = prefix
            .iter()
            .filter_map(|&i| Some((i, self.ops[i].completed.as_ref()?.1)))
            .filter(|&(_, done)| done < op.invoked)
            .max_by_key(|&(_, done)| done);
        let mut involved = vec![traced.invoked];
        if let Some((i, _)) = before {
            let earlier = &self.ops[i];
            message.push_str(&format!(
                "; {} completed before it began",
                describe(key, earlier, self.traced[i].op)
            ));
            // A read that saw a value and a later read that saw an older one.
            if earlier.input == RegisterInput::Read
                && earlier.completed.as_ref().map(|(answer, _)| answer)
                    != op.completed.as_ref().map(|(answer, _)| answer)
            {
                message.push_str(": a new-old inversion");
            }
            involved.extend(self.traced[i].completed.map(|(e, _)| e));
        }
        involved.extend(traced.completed.map(|(e, _)| e));
        Verdict::Violated { message, involved }
    }
}

impl<P: Protocol> Property<P> for Linearizable<P> {
    fn name(&self) -> &'static str {
        "Linearizable"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "There is one order of every client operation, each taking effect at an instant between \
         its request and its reply, in which every read returns the latest write."
    }

    fn watches(&self) -> Kinds {
        REQUESTS
    }

    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. } => {
                    if self.done.contains(op) || self.open.contains_key(&op) {
                        continue;
                    }
                    let Some((key, input)) = cx.request(op).and_then(P::register_op) else {
                        continue;
                    };
                    let history = self.keys.entry(key.to_string()).or_default();
                    self.open.insert(op, (key.to_string(), history.ops.len()));
                    history.ops.push(Operation {
                        input,
                        invoked: u64::from(id.0),
                        completed: None,
                    });
                    history.traced.push(Traced {
                        op,
                        invoked: id,
                        completed: None,
                    });
                }
                EventKind::Response { op, .. } => {
                    let Some(answer) = cx.response(id).and_then(P::register_answer) else {
                        continue;
                    };
                    let Some((key, index)) = self.open.remove(&op) else {
                        continue;
                    };
                    self.done.insert(op);
                    let Some(history) = self.keys.get_mut(&key) else {
                        continue;
                    };
                    let read = matches!(answer, RegisterOutput::Value(_));
                    history.ops[index].completed = Some((answer, u64::from(id.0)));
                    history.traced[index].completed = Some((id, event.node));
                    // Completing a write never makes a history unordered: it completes after every
                    // operation that completed so far, so it can go last. Only a read can.
                    if read
                        && let Outcome::NotLinearizable { prefix, stuck } =
                            check(&Register, &history.ops, BUDGET)
                    {
                        return history.explain(&key, &prefix, stuck);
                    }
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<P>> {
        Box::new(self.clone())
    }
}
