//! Raft's checkers, named as in the paper (Figure 3), plus linearizable reads and liveness after
//! faults heal. Each runs after every step and looks only at what the step changed: the nodes its
//! events touched and the logs it persisted, so the cost per step does not grow with the run.
//!
//! This file lists them all and holds the paper's safety properties and what the other checkers
//! share; linearizable reads and requests completing after faults heal come from the checker
//! library (`kv::linearizable`, `checks::heal`), a leader after faults heal is in `liveness.rs`.

use super::liveness::LeaderAfterHeal;
use crate::checks::heal::requests_after_heal;
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::property::sometimes;
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Verdict};
use crate::engine::shared::SharedVec;
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::linearizable::{fresh_after_sync, linearizable_reads};
use crate::protocols::kv::sequential::sequentially_consistent;
use crate::protocols::raft::{Entry, Raft, RaftParams, ReadMode, Role, Term};
use std::collections::BTreeMap;

pub fn all(params: &RaftParams) -> Vec<Box<dyn Property<Raft>>> {
    let mut all: Vec<Box<dyn Property<Raft>>> = vec![
        Box::new(ElectionSafety::default()),
        Box::new(LeaderAppendOnly::default()),
        Box::new(LogMatching::default()),
        Box::new(LeaderCompleteness::default()),
        Box::new(StateMachineSafety::default()),
        linearizable_reads(),
        Box::new(LeaderAfterHeal::new(params.liveness_bound_us)),
        requests_after_heal(params.liveness_bound_us),
        sometimes(
            "A leader",
            "Some server becomes leader, so the safety checkers have a leader's log to judge.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts()
                    .any(|(_, _, fact)| matches!(fact, Fact::RoleChanged { role: "leader", .. }))
            },
        ),
    ];
    if params.reads == ReadMode::Local {
        // ZooKeeper's reads promise less than linearizability: the page shows the verdicts side
        // by side, the promises kept first, so a history that breaks one of them and
        // linearizability too is reported as breaking the promise.
        all.insert(5, sequentially_consistent());
        all.insert(6, fresh_after_sync());
    }
    all
}

/// The nodes the step's events happened on, each with its most telling event: the annotation of a
/// role change if there is one, else the first event.
fn touched<'a>(cx: &'a CheckCx<'_, Raft>) -> impl Iterator<Item = (NodeId, EventId)> + 'a {
    cx.touched.iter().map(|t| (t.node, t.telling()))
}

/// The nodes whose log the step wrote to stable storage, each with its first write's event. A step
/// runs one node's handler, so a write on a second node never comes up; it is still handled.
fn log_writes<'a>(cx: &'a CheckCx<'_, Raft>) -> impl Iterator<Item = (NodeId, EventId)> + 'a {
    cx.touched.iter().filter_map(|t| {
        cx.new_events().find_map(|(id, event)| {
            (event.node == Some(t.node) && matches!(event.kind, EventKind::Persist { what: "log" }))
                .then_some((t.node, id))
        })
    })
}

fn describe(entry: &Entry) -> String {
    format!("term {}, {}", entry.term.0, entry.command.describe())
}

/// The checker's own copy of every node's stable log, as entry identities, to find what a write
/// changed without comparing whole logs.
#[derive(Clone, Debug, Default)]
struct LogCopies {
    logs: Vec<SharedVec<(Term, Option<OpId>)>>,
}

impl LogCopies {
    /// Brings the copy of `node`'s log up to date and returns (the 0-based position of the first
    /// changed entry, the old length). Raft only changes a log's suffix, so the search walks back
    /// from the end.
    fn sync(&mut self, node: NodeId, log: &SharedVec<Entry>, nodes: usize) -> (usize, usize) {
        if self.logs.len() < nodes {
            self.logs.resize(nodes, SharedVec::default());
        }
        let copy = &mut self.logs[node.index()];
        let old = copy.len();
        let mut same = old.min(log.len());
        while same > 0 && copy[same - 1] != log[same - 1].id() {
            same -= 1;
        }
        copy.truncate(same);
        copy.extend(log.range(same..log.len()).map(Entry::id));
        (same, old)
    }
}

/// Election Safety: at most one leader can be elected in a given term.
#[derive(Clone, Debug, Default)]
struct ElectionSafety {
    leaders: BTreeMap<Term, (NodeId, EventId)>,
    /// Per node, the term it was last seen leading (already recorded in `leaders`).
    seen: Vec<Option<Term>>,
}

impl Property<Raft> for ElectionSafety {
    fn name(&self) -> &'static str {
        "Election Safety"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "At most one leader can be elected in a given term."
    }

    /// A leader is elected by a change of role or term.
    fn watches(&self) -> Kinds {
        Kinds::STATE
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        for (node, event) in touched(cx) {
            let Some(raft) = cx.nodes[node.index()].state() else {
                continue;
            };
            if raft.role() != Role::Leader {
                continue;
            }
            let term = raft.current_term();
            if self.seen.len() != cx.nodes.len() {
                self.seen = vec![None; cx.nodes.len()];
            }
            if self.seen[node.index()] == Some(term) {
                continue;
            }
            self.seen[node.index()] = Some(term);
            match self.leaders.get(&term) {
                Some(&(other, first)) if other != node => {
                    return Verdict::Violated {
                        message: format!(
                            "{other} and {node} were both elected leader of term {}",
                            term.0
                        ),
                        involved: vec![first, event],
                    };
                }
                Some(_) => {}
                None => {
                    self.leaders.insert(term, (node, event));
                }
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}

/// Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends.
#[derive(Clone, Debug, Default)]
struct LeaderAppendOnly {
    copies: LogCopies,
}

impl Property<Raft> for LeaderAppendOnly {
    fn name(&self) -> &'static str {
        "Leader Append-Only"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "A leader never overwrites or deletes entries in its log; it only appends new entries."
    }

    fn watches(&self) -> Kinds {
        Kinds::PERSIST
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        for (node, event) in log_writes(cx) {
            let slot = &cx.nodes[node.index()];
            let (changed, old) = self.copies.sync(node, &slot.stable().log, cx.nodes.len());
            let Some(raft) = slot.state() else {
                continue;
            };
            if raft.role() == Role::Leader && changed < old {
                return Verdict::Violated {
                    message: format!(
                        "{node}, leader of term {}, removed or overwrote its entries from index {} on",
                        raft.current_term().0,
                        changed + 1
                    ),
                    involved: vec![event],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}

/// Where an (index, term) entry was first seen: what it carries and the term of the entry before it.
#[derive(Clone, Debug)]
struct Sighting {
    prev_term: Term,
    entry: Entry,
    node: NodeId,
    event: EventId,
}

/// Log Matching: if two logs contain an entry with the same index and term, the logs are identical
/// in all entries up through that index. Checked inductively: every log holding (index, term) must
/// hold the same command there, after an entry of the same term.
#[derive(Clone, Debug, Default)]
struct LogMatching {
    copies: LogCopies,
    /// By index (from 1), the first sighting of each term there.
    seen: SharedVec<Sightings>,
}

/// The first sighting of each term at one index. Almost always one term, kept inline: an index
/// costs no allocation of its own.
#[derive(Clone, Debug, Default)]
struct Sightings {
    first: Option<Sighting>,
    others: Vec<Sighting>,
}

impl Sightings {
    fn of(&self, term: Term) -> Option<&Sighting> {
        self.first
            .iter()
            .chain(&self.others)
            .find(|s| s.entry.term == term)
    }

    fn add(&mut self, sighting: Sighting) {
        if self.first.is_none() {
            self.first = Some(sighting);
        } else {
            self.others.push(sighting);
        }
    }
}

impl Property<Raft> for LogMatching {
    fn name(&self) -> &'static str {
        "Log Matching"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "If two logs contain an entry with the same index and term, the logs are identical up \
         through that index."
    }

    fn watches(&self) -> Kinds {
        Kinds::PERSIST
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        for (node, event) in log_writes(cx) {
            let log = &cx.nodes[node.index()].stable().log;
            let (changed, _) = self.copies.sync(node, log, cx.nodes.len());
            for position in changed..log.len() {
                let entry = &log[position];
                let prev_term = position.checked_sub(1).map_or(Term(0), |p| log[p].term);
                let index = position as u64 + 1;
                while self.seen.len() <= position {
                    self.seen.push(Sightings::default());
                }
                match self.seen[position].of(entry.term) {
                    Some(first) if first.prev_term != prev_term || first.entry != *entry => {
                        return Verdict::Violated {
                            message: format!(
                                "{} and {node} both hold an entry at index {index} of term {}, but \
                                 {} has ({}) after a term-{} entry and {node} has ({}) after a \
                                 term-{} entry",
                                first.node,
                                entry.term.0,
                                first.node,
                                describe(&first.entry),
                                first.prev_term.0,
                                describe(entry),
                                prev_term.0
                            ),
                            involved: vec![first.event, event],
                        };
                    }
                    Some(_) => {}
                    None => {
                        if let Some(sightings) = self.seen.get_mut(position) {
                            sightings.add(Sighting {
                                prev_term,
                                entry: entry.clone(),
                                node,
                                event,
                            });
                        }
                    }
                }
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}

/// An entry some node counted as committed.
#[derive(Clone, Debug)]
struct Committed {
    entry: Entry,
    node: NodeId,
    /// The committing node's term when it learned the entry was committed.
    term: Term,
    event: EventId,
}

/// Leader Completeness: if a log entry is committed in a given term, that entry will be present in
/// the logs of the leaders for all higher-numbered terms.
#[derive(Clone, Debug, Default)]
struct LeaderCompleteness {
    committed: SharedVec<Committed>,
    seen_commit: Vec<u64>,
    leader_of: Vec<Option<Term>>,
}

impl Property<Raft> for LeaderCompleteness {
    fn name(&self) -> &'static str {
        "Leader Completeness"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "An entry committed in a term is present in the logs of the leaders of all later terms."
    }

    /// Entries become committed as commitIndex grows, and a node becomes leader by a change of
    /// role or term; the checker reads logs at those moments only.
    fn watches(&self) -> Kinds {
        Kinds::STATE
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        if self.seen_commit.len() != cx.nodes.len() {
            self.seen_commit = vec![0; cx.nodes.len()];
            self.leader_of = vec![None; cx.nodes.len()];
        }
        for (node, event) in touched(cx) {
            let i = node.index();
            let Some(raft) = cx.nodes[i].state() else {
                self.seen_commit[i] = 0;
                self.leader_of[i] = None;
                continue;
            };
            let commit = raft.commit_index().0;
            self.seen_commit[i] = self.seen_commit[i].min(commit);
            for index in self.seen_commit[i] + 1..=commit {
                let Some(entry) = raft.log().get(index as usize - 1) else {
                    break;
                };
                if index as usize > self.committed.len() {
                    self.committed.push(Committed {
                        entry: entry.clone(),
                        node,
                        term: raft.current_term(),
                        event,
                    });
                }
            }
            self.seen_commit[i] = commit;
            let term = raft.current_term();
            if raft.role() != Role::Leader {
                self.leader_of[i] = None;
                continue;
            }
            if self.leader_of[i] == Some(term) {
                continue;
            }
            self.leader_of[i] = Some(term);
            for (position, c) in self.committed.iter().enumerate() {
                if c.term >= term {
                    continue;
                }
                if raft.log().get(position).map(Entry::id) != Some(c.entry.id()) {
                    return Verdict::Violated {
                        message: format!(
                            "{node} became leader of term {} without entry {} ({}), which {} \
                             committed in term {}",
                            term.0,
                            position + 1,
                            describe(&c.entry),
                            c.node,
                            c.term.0
                        ),
                        involved: vec![c.event, event],
                    };
                }
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}

/// State Machine Safety: if a server has applied a log entry at a given index to its state
/// machine, no other server will ever apply a different log entry for the same index.
#[derive(Clone, Debug, Default)]
struct StateMachineSafety {
    applied: SharedVec<(Entry, NodeId, EventId)>,
    seen_applied: Vec<u64>,
}

impl Property<Raft> for StateMachineSafety {
    fn name(&self) -> &'static str {
        "State Machine Safety"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "No two servers ever apply different entries at the same log index."
    }

    /// Entries are applied as lastApplied grows.
    fn watches(&self) -> Kinds {
        Kinds::STATE
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        if self.seen_applied.len() != cx.nodes.len() {
            self.seen_applied = vec![0; cx.nodes.len()];
        }
        for (node, event) in touched(cx) {
            let i = node.index();
            let Some(raft) = cx.nodes[i].state() else {
                self.seen_applied[i] = 0;
                continue;
            };
            let applied = raft.last_applied().0;
            self.seen_applied[i] = self.seen_applied[i].min(applied);
            for index in self.seen_applied[i] + 1..=applied {
                let Some(entry) = raft.log().get(index as usize - 1) else {
                    break;
                };
                match self.applied.get(index as usize - 1) {
                    Some((first, other, at)) if first.id() != entry.id() => {
                        return Verdict::Violated {
                            message: format!(
                                "{node} applied entry {index} ({}), but {other} applied a \
                                 different entry there ({})",
                                describe(entry),
                                describe(first)
                            ),
                            involved: vec![*at, event],
                        };
                    }
                    Some(_) => {}
                    None => self.applied.push((entry.clone(), node, event)),
                }
            }
            self.seen_applied[i] = applied;
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}
