//! Causal consistency, the session guarantees and eventual consistency of a key-value history,
//! judged from what the clients saw: the weaker models of Kleppmann's consistency lecture, beside
//! `linearizability` and `sequential`.
//!
//! Every written value is taken to be unique per key (the histories of the lessons and of the
//! workload generator are), so each read names the write it saw: *reads-from*. *Causal order* is
//! the transitive closure of each session's order (an operation that finished before the next was
//! invoked comes first) and reads-from. A read *missed* a write `w` of its key when what it saw
//! (another write, or nothing) causally precedes `w`: it returned a value `w` had overwritten.
//!
//! - **Causal consistency** (Bouajjani, Enea, Guerraoui and Hamza, POPL 2017, their CC): no read
//!   of a value never written, no cycle in causal order, and no read that missed a write that
//!   causally precedes it.
//! - **The session guarantees** (Terry et al. 1994, on client histories as Brzeziński, Sobaniec
//!   and Wawrzyniak 2004 define them), each a special case of the last: a read must not miss
//!   - *read your writes*: a write its own session made before it;
//!   - *monotonic reads*: a write its session read before it;
//!   - *monotonic writes*: a write made, in its session, before a write the reader's session saw;
//!   - *writes follow reads*: a write read, in its session, before a write the reader's session
//!     saw.
//! - **Eventual consistency**: once writes stop and the network is whole, replicas agree. Judged
//!   on the *final reads*: each session's last read of a key, invoked after every write of that
//!   key finished and after the given quiet time. They must all return the same value, and a value
//!   when a write of the key completed.

use std::collections::BTreeMap;

/// What an operation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Wrote this value (whether or not the write was acknowledged).
    Write(String),
    /// Read and returned this value (`None`: the key was never written, as far as it saw).
    Read(Option<String>),
}

/// One operation of a session on a key. Reads that never returned say nothing and are left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub session: usize,
    pub key: String,
    pub kind: Kind,
    pub invoked: u64,
    /// When it was answered or given up; `None` if it is still open.
    pub finished: Option<u64>,
    /// Whether it was acknowledged (a write), or returned (a read, always).
    pub completed: bool,
}

/// The models, in order from the strongest judged here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Model {
    Causal,
    ReadYourWrites,
    MonotonicReads,
    MonotonicWrites,
    WritesFollowReads,
    Eventual,
}

impl Model {
    pub const ALL: [Model; 6] = [
        Model::Causal,
        Model::ReadYourWrites,
        Model::MonotonicReads,
        Model::MonotonicWrites,
        Model::WritesFollowReads,
        Model::Eventual,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Model::Causal => "Causal consistency",
            Model::ReadYourWrites => "Read your writes",
            Model::MonotonicReads => "Monotonic reads",
            Model::MonotonicWrites => "Monotonic writes",
            Model::WritesFollowReads => "Writes follow reads",
            Model::Eventual => "Eventual consistency",
        }
    }
}

/// Why a model does not hold; operations are indices into the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A read returned a value no write of its key wrote.
    ThinAir { read: usize },
    /// Operations that causally precede each other in a circle, each before the next.
    Cycle { ops: Vec<usize> },
    /// `read` returned a value `write` had overwritten (`saw`: the write it read, or none), though
    /// `write` comes before it by `chain`: operations from `write` to `read`, each causally
    /// before the next (the last is `read`).
    Missed {
        read: usize,
        saw: Option<usize>,
        write: usize,
        chain: Vec<usize>,
    },
    /// Final reads of `key` disagree (`reads` two of them), or one returned nothing after a write
    /// of it completed (`reads` that one only, `write` the completed write).
    Diverged {
        key: String,
        reads: Vec<usize>,
        write: Option<usize>,
    },
}

impl Violation {
    /// The operations it involves, each once, in the order they are named.
    pub fn ops(&self) -> Vec<usize> {
        let mut ops = match self {
            Violation::ThinAir { read } => vec![*read],
            Violation::Cycle { ops } => ops.clone(),
            Violation::Missed {
                saw, write, chain, ..
            } => saw.iter().chain([write]).chain(chain).copied().collect(),
            Violation::Diverged { reads, write, .. } => {
                write.iter().chain(reads).copied().collect()
            }
        };
        let mut seen = Vec::new();
        ops.retain(|op| {
            let new = !seen.contains(op);
            seen.push(*op);
            new
        });
        ops
    }
}

/// A model's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Violated(Violation),
    /// The history cannot be judged against it, and why.
    NotJudged(String),
}

/// Histories longer than this are not judged: causal order takes memory quadratic in length.
pub const MAX_OPS: usize = 4_000;

/// Judges `ops` against every model; `quiet_from` is when the network was last made whole (0 if
/// it never split), after which final reads count.
pub fn judge(ops: &[Op], quiet_from: u64) -> Vec<(Model, Verdict)> {
    let graph = match Graph::new(ops) {
        Ok(graph) => graph,
        Err(reason) => {
            return Model::ALL
                .iter()
                .map(|&m| (m, Verdict::NotJudged(reason.clone())))
                .collect();
        }
    };
    Model::ALL
        .iter()
        .map(|&model| {
            let found = match model {
                Model::Causal => graph.causal(),
                Model::Eventual => return (model, eventual(ops, &graph, quiet_from)),
                session => graph.session(session),
            };
            (model, found.map_or(Verdict::Holds, Verdict::Violated))
        })
        .collect()
}

/// The history with reads-from and causal order worked out.
struct Graph<'a> {
    ops: &'a [Op],
    /// Per read, the write it saw (`None` for nothing); `Err` for a value never written.
    reads_from: Vec<Option<Result<Option<usize>, ()>>>,
    /// Per operation, the operations of its session before it.
    session_before: Vec<Vec<usize>>,
    /// Per operation, one bit per operation that causally precedes it.
    before: Vec<Vec<u64>>,
    /// Per key, its writes.
    writes: BTreeMap<&'a str, Vec<usize>>,
}

fn bit(set: &[u64], i: usize) -> bool {
    set[i / 64] >> (i % 64) & 1 == 1
}

impl<'a> Graph<'a> {
    fn new(ops: &'a [Op]) -> Result<Graph<'a>, String> {
        if ops.len() > MAX_OPS {
            return Err(format!(
                "{} operations: more than the {MAX_OPS} judged here",
                ops.len()
            ));
        }
        let mut writes: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (i, op) in ops.iter().enumerate() {
            if let Kind::Write(value) = &op.kind
                && writes.insert((&op.key, value), i).is_some()
            {
                return Err(format!(
                    "{} was written twice with {value:?}, so which write a read saw is unknown",
                    op.key
                ));
            }
        }
        let reads_from = ops
            .iter()
            .map(|op| match &op.kind {
                Kind::Write(_) => None,
                Kind::Read(None) => Some(Ok(None)),
                Kind::Read(Some(value)) => Some(
                    writes
                        .get(&(op.key.as_str(), value.as_str()))
                        .map(|&w| Some(w))
                        .ok_or(()),
                ),
            })
            .collect::<Vec<_>>();
        let mut sessions: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, op) in ops.iter().enumerate() {
            sessions.entry(op.session).or_default().push(i);
        }
        let session_before = (0..ops.len())
            .map(|bi| {
                let b = &ops[bi];
                sessions[&b.session]
                    .iter()
                    .copied()
                    .filter(|&a| {
                        let op = &ops[a];
                        // An answer at the instant of the next call still comes first; of two
                        // operations at one instant, the first listed.
                        op.session == b.session
                            && op.finished.is_some_and(|f| f <= b.invoked)
                            && (op.invoked, a) < (b.invoked, bi)
                    })
                    .collect()
            })
            .collect::<Vec<Vec<usize>>>();
        let words = ops.len().div_ceil(64);
        let mut before = vec![vec![0u64; words]; ops.len()];
        // Each operation's direct predecessors; the closure is reached by passes in invocation
        // order until nothing changes (one pass when causal order follows real time).
        let direct: Vec<Vec<usize>> = (0..ops.len())
            .map(|b| {
                // An earlier operation that finished by the time the latest one began comes
                // before that one, so it is reached through it.
                let latest = session_before[b]
                    .iter()
                    .copied()
                    .max_by_key(|&a| (ops[a].invoked, a));
                let mut d: Vec<usize> = session_before[b]
                    .iter()
                    .copied()
                    .filter(|&a| {
                        latest.is_none_or(|l| {
                            a == l || ops[a].finished.is_some_and(|f| f > ops[l].invoked)
                        })
                    })
                    .collect();
                if let Some(Ok(Some(w))) = reads_from[b] {
                    d.push(w);
                }
                d
            })
            .collect();
        let mut order: Vec<usize> = (0..ops.len()).collect();
        order.sort_by_key(|&i| (ops[i].invoked, i));
        let mut changed = true;
        while changed {
            changed = false;
            for &b in &order {
                let mut set = before[b].clone();
                for &a in &direct[b] {
                    set[a / 64] |= 1 << (a % 64);
                    for (word, from) in set.iter_mut().zip(&before[a]) {
                        *word |= from;
                    }
                }
                if set != before[b] {
                    before[b] = set;
                    changed = true;
                }
            }
        }
        let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (&(key, _), &w) in &writes {
            by_key.entry(key).or_default().push(w);
        }
        Ok(Graph {
            ops,
            reads_from,
            session_before,
            before,
            writes: by_key,
        })
    }

    fn precedes(&self, a: usize, b: usize) -> bool {
        bit(&self.before[b], a)
    }

    /// The write `read` saw, if it read one (`None` also for a value never written).
    fn saw(&self, read: usize) -> Option<usize> {
        match self.reads_from[read] {
            Some(Ok(w)) => w,
            _ => None,
        }
    }

    /// Whether `read` returned a value that `write` (of its key, not the one it saw) overwrote.
    fn missed(&self, read: usize, write: usize) -> bool {
        let (r, w) = (&self.ops[read], &self.ops[write]);
        if r.key != w.key || !matches!(w.kind, Kind::Write(_)) {
            return false;
        }
        match self.reads_from[read] {
            Some(Ok(None)) => true,
            Some(Ok(Some(saw))) => saw != write && self.precedes(saw, write),
            _ => false,
        }
    }

    fn reads(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.ops.len()).filter(|&i| self.reads_from[i].is_some())
    }

    fn causal(&self) -> Option<Violation> {
        if let Some(read) = self.reads().find(|&r| self.reads_from[r] == Some(Err(()))) {
            return Some(Violation::ThinAir { read });
        }
        if let Some(op) = (0..self.ops.len()).find(|&i| self.precedes(i, i)) {
            return Some(Violation::Cycle {
                ops: self.path(op, op),
            });
        }
        self.reads().find_map(|read| {
            let write =
                (0..self.ops.len()).find(|&w| self.precedes(w, read) && self.missed(read, w))?;
            Some(Violation::Missed {
                read,
                saw: self.saw(read),
                write,
                chain: self.path(write, read),
            })
        })
    }

    /// A shortest chain of direct causal steps from `from` to `to` (excluding `from`), found
    /// breadth first backwards from `to`.
    fn path(&self, from: usize, to: usize) -> Vec<usize> {
        let mut next: BTreeMap<usize, usize> = BTreeMap::new();
        let mut frontier = vec![to];
        while !frontier.is_empty() {
            let mut later = Vec::new();
            for b in frontier {
                let mut direct = self.session_before[b].clone();
                direct.extend(self.saw(b));
                for a in direct {
                    if a == from {
                        let mut chain = vec![b];
                        while let Some(&n) = next.get(chain.last().unwrap_or(&to)) {
                            chain.push(n);
                        }
                        return chain;
                    }
                    if a != to && !next.contains_key(&a) {
                        next.insert(a, b);
                        later.push(a);
                    }
                }
            }
            frontier = later;
        }
        vec![to]
    }

    /// The writes of `read`'s key that causally precede it and that it missed: none in a causal
    /// history, so the session guarantees only look further at these.
    fn missed_writes(&self, read: usize) -> impl Iterator<Item = usize> + '_ {
        self.writes
            .get(self.ops[read].key.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(move |&w| self.precedes(w, read) && self.missed(read, w))
    }

    /// The first read that breaks session guarantee `model`: one that missed a write which comes
    /// before it in the guarantee's shape, with the chain of that shape.
    fn session(&self, model: Model) -> Option<Violation> {
        for read in self.reads() {
            let earlier = &self.session_before[read];
            // The writes this session saw, directly or at `read`, each with its read.
            let seen = || {
                earlier
                    .iter()
                    .copied()
                    .chain([read])
                    .filter_map(|r| Some((r, self.saw(r)?)))
            };
            let via = |r: usize| if r == read { vec![read] } else { vec![r, read] };
            let found = self.missed_writes(read).find_map(|write| {
                let chain = match model {
                    Model::ReadYourWrites => earlier.contains(&write).then(|| vec![read])?,
                    Model::MonotonicReads => earlier
                        .iter()
                        .find(|&&r| self.saw(r) == Some(write))
                        .map(|&r| vec![r, read])?,
                    Model::MonotonicWrites => seen()
                        .find(|&(_, s)| self.session_before[s].contains(&write))
                        .map(|(r, s)| [vec![s], via(r)].concat())?,
                    _ => seen().find_map(|(r, s)| {
                        let before = self.session_before[s]
                            .iter()
                            .copied()
                            .find(|&b| self.saw(b) == Some(write))?;
                        Some([vec![before, s], via(r)].concat())
                    })?,
                };
                Some(Violation::Missed {
                    read,
                    saw: self.saw(read),
                    write,
                    chain,
                })
            });
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// Eventual consistency on the final reads (see the module comment).
fn eventual(ops: &[Op], graph: &Graph<'_>, quiet_from: u64) -> Verdict {
    let mut quiet: BTreeMap<&str, u64> = BTreeMap::new();
    for op in ops {
        let entry = quiet.entry(&op.key).or_insert(quiet_from);
        if matches!(op.kind, Kind::Write(_)) {
            match op.finished {
                Some(at) => *entry = (*entry).max(at),
                None => *entry = u64::MAX,
            }
        }
    }
    // Per key, per session, the last read invoked once the key was quiet.
    let mut finals: BTreeMap<&str, BTreeMap<usize, usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if matches!(op.kind, Kind::Read(_)) && op.invoked >= quiet[op.key.as_str()] {
            let last = finals
                .entry(&op.key)
                .or_default()
                .entry(op.session)
                .or_insert(i);
            if ops[*last].invoked <= op.invoked {
                *last = i;
            }
        }
    }
    if finals.is_empty() {
        return Verdict::NotJudged(
            "no read came after the last write of its key and the last heal".to_string(),
        );
    }
    for (key, reads) in finals {
        let reads: Vec<usize> = reads.into_values().collect();
        let acknowledged = (0..ops.len()).find(|&w| {
            ops[w].key == key && ops[w].completed && matches!(ops[w].kind, Kind::Write(_))
        });
        for &r in &reads {
            if ops[r].kind == Kind::Read(None)
                && let Some(write) = acknowledged
            {
                return Verdict::Violated(Violation::Diverged {
                    key: key.to_string(),
                    reads: vec![r],
                    write: Some(write),
                });
            }
            if graph.reads_from[r] == Some(Err(())) {
                return Verdict::Violated(Violation::ThinAir { read: r });
            }
        }
        if let Some(pair) = reads.windows(2).find(|p| ops[p[0]].kind != ops[p[1]].kind) {
            return Verdict::Violated(Violation::Diverged {
                key: key.to_string(),
                reads: pair.to_vec(),
                write: None,
            });
        }
    }
    Verdict::Holds
}

#[cfg(test)]
#[path = "causal_tests.rs"]
mod tests;
