//! Raft's checkers, named as in the paper (Figure 3), plus linearizable reads and liveness after
//! faults heal. Each runs after every step and looks only at what the step changed: the nodes its
//! events touched and the logs it persisted, so the cost per step does not grow with the run.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::property::sometimes;
use crate::engine::protocol::{CheckCx, NodeStatus, Property, PropertyKind, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{DropReason, EventKind, Kinds};
use crate::protocols::raft::shared::SharedVec;
use crate::protocols::raft::{Entry, KvRequest, KvResponse, Raft, RaftParams, Role, Term};
use std::collections::{BTreeMap, BTreeSet};

pub fn all(params: &RaftParams) -> Vec<Box<dyn Property<Raft>>> {
    vec![
        Box::new(ElectionSafety::default()),
        Box::new(LeaderAppendOnly::default()),
        Box::new(LogMatching::default()),
        Box::new(LeaderCompleteness::default()),
        Box::new(StateMachineSafety::default()),
        Box::new(LinearizableReads::default()),
        Box::new(LeaderAfterHeal {
            bound_us: params.liveness_bound_us,
            faults: FaultWatch::default(),
        }),
        Box::new(RequestsAfterHeal {
            bound_us: params.liveness_bound_us,
            faults: FaultWatch::default(),
            ops: BTreeMap::new(),
            done: Done::default(),
        }),
        sometimes(
            "A leader",
            "Some server becomes leader, so the safety checkers have a leader's log to judge.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts()
                    .any(|(_, _, fact)| matches!(fact, Fact::RoleChanged { role: "leader", .. }))
            },
        ),
    ]
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

/// The kinds of event a fault or its repair records.
const FAULTS: Kinds = Kinds::PARTITION
    .or(Kinds::PARTITION_ONE_WAY)
    .or(Kinds::HEAL)
    .or(Kinds::HOLD)
    .or(Kinds::RELEASE)
    .or(Kinds::DROP)
    .or(Kinds::CRASH)
    .or(Kinds::RESTART)
    .or(Kinds::PAUSE)
    .or(Kinds::RESUME)
    .or(Kinds::LINK_CHANGE)
    .or(Kinds::CLOCK_JUMP)
    .or(Kinds::CLOCK_DRIFT);

/// The kinds of event a client operation records as it begins or ends.
const REQUESTS: Kinds = Kinds::REQUEST.or(Kinds::REQUEST_DROP).or(Kinds::RESPONSE);

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

/// Which operations have completed, one bit each (operation ids are dense), so checkers can
/// forget a completed operation and still ignore its late duplicates.
#[derive(Clone, Debug, Default)]
struct Done(Vec<u64>);

impl Done {
    fn contains(&self, op: OpId) -> bool {
        let i = op.index();
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    fn insert(&mut self, op: OpId) {
        let i = op.index();
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }
}

/// A client write as the checker saw it: when it began and when (if ever) it completed, as event
/// ids, which order events the way time does.
#[derive(Clone, Debug)]
struct Write {
    op: OpId,
    put: bool,
    value: String,
    begin: EventId,
    end: Option<EventId>,
}

/// Linearizable reads, for each key as a register with puts and appends: a completed get must
/// reflect every write that completed before it began, unless a put that may have come after that
/// write (it did not complete before the write began) began before the get completed. A put's value
/// must begin the result; an append's must appear in it.
///
/// The checker forgets what can no longer change a verdict: a completed operation's invocation,
/// and a write that completed before some completed put began (that put may be ordered after
/// it for every get still to come, and overwrites whatever the forgotten write would have).
#[derive(Clone, Debug, Default)]
struct LinearizableReads {
    /// The operations in progress, by when they began.
    ops: BTreeMap<OpId, EventId>,
    done: Done,
    writes: BTreeMap<String, Vec<Write>>,
}

impl LinearizableReads {
    fn judge(&self, key: &str, begin: EventId, end: EventId, value: &str) -> Option<String> {
        let writes = self.writes.get(key)?;
        // The two puts that could be ordered latest before the get, by how late they completed
        // (never completing counts as latest): whichever is not the write being judged decides
        // whether that write may have been overwritten.
        let mut latest: [Option<(Option<EventId>, OpId)>; 2] = [None, None];
        let later = |a: Option<EventId>, b: Option<EventId>| match (a, b) {
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
        for write in writes {
            let Some(completed) = write.end else {
                continue;
            };
            if completed >= begin {
                continue;
            }
            let other = match latest[0] {
                Some((_, op)) if op == write.op => latest[1],
                l => l,
            };
            let maybe_overwritten = other.is_some_and(|(e, _)| e.is_none_or(|e| e > write.begin));
            if maybe_overwritten {
                continue;
            }
            let visible = if write.put {
                value.starts_with(&write.value)
            } else {
                value.contains(&write.value)
            };
            if !visible {
                let verb = if write.put { "put" } else { "append" };
                return Some(format!(
                    "a get of {key} returned {value:?}, missing the {verb} of {:?} ({}) that \
                     completed before the get began",
                    write.value, write.op
                ));
            }
        }
        None
    }
}

impl Property<Raft> for LinearizableReads {
    fn name(&self) -> &'static str {
        "Linearizable reads"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "Every completed get sees every write that completed before it began (unless a later put \
         may have overwritten it)."
    }

    fn watches(&self) -> Kinds {
        REQUESTS
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. } => {
                    if self.ops.contains_key(&op) || self.done.contains(op) {
                        continue;
                    }
                    let Some(request) = cx.request(op) else {
                        continue;
                    };
                    if let KvRequest::Put { key, value } | KvRequest::Append { key, value } =
                        request
                    {
                        self.writes.entry(key.clone()).or_default().push(Write {
                            op,
                            put: matches!(request, KvRequest::Put { .. }),
                            value: value.clone(),
                            begin: id,
                            end: None,
                        });
                    }
                    self.ops.insert(op, id);
                }
                EventKind::Response { op, .. } => {
                    let reply = cx.response(id);
                    if matches!(reply, None | Some(KvResponse::Redirect(_))) {
                        continue;
                    }
                    let Some(begin) = self.ops.remove(&op) else {
                        continue;
                    };
                    self.done.insert(op);
                    let Some(request) = cx.request(op) else {
                        continue;
                    };
                    match (request, reply) {
                        (KvRequest::Get { key }, Some(KvResponse::Value(value))) => {
                            let key = key.clone();
                            let value = value.as_deref().unwrap_or("");
                            if let Some(message) = self.judge(&key, begin, id, value) {
                                return Verdict::Violated {
                                    message,
                                    involved: vec![begin, id],
                                };
                            }
                        }
                        (request, _) => {
                            if let Some(writes) = self.writes.get_mut(request.key())
                                && let Some(write) = writes.iter_mut().rev().find(|w| w.op == op)
                            {
                                write.end = Some(id);
                                if write.put {
                                    let put = write.begin;
                                    writes.retain(|w| w.op == op || w.end.is_none_or(|e| e >= put));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}

/// When the last fault (or repair) happened and whether the system is whole now: every node up,
/// no partition, no held link.
#[derive(Clone, Debug, Default)]
struct FaultWatch {
    settled_at: SimTime,
    last: Option<EventId>,
    partitioned: bool,
    held: BTreeSet<(NodeId, NodeId)>,
}

impl FaultWatch {
    fn observe(&mut self, cx: &CheckCx<'_, Raft>) {
        for (id, event) in cx.new_events() {
            let fault = match &event.kind {
                EventKind::Partition { .. } | EventKind::PartitionOneWay { .. } => {
                    self.partitioned = true;
                    true
                }
                EventKind::Heal => {
                    self.partitioned = false;
                    true
                }
                EventKind::Hold { from, to } => {
                    self.held.insert((*from, *to));
                    true
                }
                EventKind::Release { from, to } => {
                    self.held.remove(&(*from, *to));
                    true
                }
                EventKind::Drop {
                    reason: DropReason::ByUser,
                    ..
                } => true,
                EventKind::Crash
                | EventKind::Restart
                | EventKind::Pause
                | EventKind::Resume
                | EventKind::LinkChange { .. }
                | EventKind::ClockJump { .. }
                | EventKind::ClockDrift { .. } => true,
                _ => false,
            };
            if fault {
                self.settled_at = event.time;
                self.last = Some(id);
            }
        }
    }

    /// The instant the system became whole, if it is whole now and has been for `bound_us`.
    fn healed_for(&self, cx: &CheckCx<'_, Raft>, bound_us: u64) -> Option<SimTime> {
        let whole = !self.partitioned
            && self.held.is_empty()
            && cx.nodes.iter().all(|n| n.status() == NodeStatus::Up);
        let long_enough = cx.now.as_us().saturating_sub(self.settled_at.as_us()) >= bound_us;
        (whole && long_enough).then_some(self.settled_at)
    }
}

/// Liveness: once faults have healed, a leader is elected within the bound.
#[derive(Clone, Debug)]
struct LeaderAfterHeal {
    bound_us: u64,
    faults: FaultWatch,
}

impl Property<Raft> for LeaderAfterHeal {
    fn name(&self) -> &'static str {
        "Leader after heal"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }

    fn description(&self) -> &'static str {
        "Once every fault has healed, a leader of the highest term is elected within the bound."
    }

    fn watches(&self) -> Kinds {
        FAULTS
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        self.faults.observe(cx);
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        let Some(since) = self.faults.healed_for(cx, self.bound_us) else {
            return Verdict::Satisfied;
        };
        let states = cx.nodes.iter().filter_map(|n| n.state());
        let highest = states
            .clone()
            .map(Raft::current_term)
            .max()
            .unwrap_or(Term(0));
        if states
            .clone()
            .any(|r| r.role() == Role::Leader && r.current_term() == highest)
        {
            return Verdict::Satisfied;
        }
        Verdict::Violated {
            message: format!(
                "no leader at {}, though the system has been whole since {since}; terms reached {}",
                cx.now, highest.0
            ),
            involved: self.faults.last.into_iter().collect(),
        }
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}

/// Liveness: once faults have healed, every request made since completes within the bound.
#[derive(Clone, Debug)]
struct RequestsAfterHeal {
    bound_us: u64,
    faults: FaultWatch,
    /// Per operation in progress: when it began and its first event. Completed ones are only
    /// remembered as done.
    ops: BTreeMap<OpId, (SimTime, EventId)>,
    done: Done,
}

impl Property<Raft> for RequestsAfterHeal {
    fn name(&self) -> &'static str {
        "Requests complete after heal"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }

    fn description(&self) -> &'static str {
        "Once every fault has healed, each client request made since completes within the bound."
    }

    fn watches(&self) -> Kinds {
        FAULTS.or(REQUESTS)
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        self.faults.observe(cx);
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. }
                    if !self.done.contains(op) =>
                {
                    self.ops.entry(op).or_insert((event.time, id));
                }
                EventKind::Response { op, .. }
                    if !matches!(cx.response(id), None | Some(KvResponse::Redirect(_)))
                        && self.ops.remove(&op).is_some() =>
                {
                    self.done.insert(op);
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        let Some(since) = self.faults.healed_for(cx, self.bound_us) else {
            return Verdict::Satisfied;
        };
        let late = self
            .ops
            .iter()
            .find(|(_, (at, _))| *at >= since && at.as_us() + self.bound_us <= cx.now.as_us());
        match late {
            Some((op, (at, event))) => Verdict::Violated {
                message: format!(
                    "{op}, sent at {at} after the faults healed at {since}, had not completed by {}",
                    cx.now
                ),
                involved: vec![*event],
            },
            None => Verdict::Satisfied,
        }
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}
