//! The replicated data types: G-Counter, PN-Counter, LWW-register, OR-Set and RGA text. Each
//! works state-based (send the whole state, merge it) and op-based (prepare an operation at its
//! origin, apply it everywhere else).

use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// How many items a row lists before it is clipped with "…".
const CLIP: usize = 12;
/// How many characters of the text a row shows before it is clipped with "…".
const CLIP_TEXT: usize = 40;

/// Which replicated data type.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    GCounter,
    PnCounter,
    LwwRegister,
    OrSet,
    Rga,
}

impl Kind {
    /// Its name in words, e.g. "G-Counter" or "RGA (text)".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::GCounter => "G-Counter",
            Kind::PnCounter => "PN-Counter",
            Kind::LwwRegister => "LWW-register",
            Kind::OrSet => "OR-Set",
            Kind::Rga => "RGA (text)",
        }
    }

    /// Whether `update` is one this type takes.
    pub fn accepts(self, update: &Update) -> bool {
        matches!(
            (self, update),
            (Kind::GCounter, Update::Inc(_))
                | (Kind::PnCounter, Update::Inc(_) | Update::Dec(_))
                | (Kind::LwwRegister, Update::Set(_))
                | (Kind::OrSet, Update::Add(_) | Update::Remove(_))
                | (Kind::Rga, Update::Insert { .. } | Update::Delete { .. })
        )
    }

    /// The error for an update or operation named `what` that this type does not take.
    fn refuses(self, what: &str) -> String {
        let (name, takes) = match self {
            Kind::GCounter => ("a G-Counter", "inc"),
            Kind::PnCounter => ("a PN-Counter", "inc and dec"),
            Kind::LwwRegister => ("an LWW-register", "set"),
            Kind::OrSet => ("an OR-Set", "add and remove"),
            Kind::Rga => ("an RGA text", "insert and delete"),
        };
        format!("{name} takes {takes}, not {what}")
    }
}

/// An update a client asks one replica for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Update {
    /// Add to a counter.
    Inc(u64),
    /// Subtract from a PN-Counter.
    Dec(u64),
    /// Write the register.
    Set(String),
    /// Add an element to the set.
    Add(String),
    /// Remove an element from the set.
    Remove(String),
    /// Insert `text` before the character now at `at` (at the end when `at` is past it).
    Insert { at: usize, text: String },
    /// Delete up to `len` characters from `at`.
    Delete { at: usize, len: usize },
}

impl Update {
    fn name(&self) -> &'static str {
        match self {
            Update::Inc(_) => "inc",
            Update::Dec(_) => "dec",
            Update::Set(_) => "set",
            Update::Add(_) => "add",
            Update::Remove(_) => "remove",
            Update::Insert { .. } => "insert",
            Update::Delete { .. } => "delete",
        }
    }
}

/// A unique stamp: a Lamport time and the replica that made it; ordered by time, then replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// The Lamport time.
    pub time: u64,
    /// The replica (node index) that made the stamp.
    pub node: u32,
}

impl Stamp {
    /// In words as `5@n2`.
    fn at(self) -> String {
        format!("{}@{}", self.time, node_name(self.node))
    }

    /// In words as `5.n2`, the way an RGA character's id is written after the character.
    fn dotted(self) -> String {
        format!("{}.{}", self.time, node_name(self.node))
    }
}

/// An operation as an op-based replica sends it: the update prepared at its origin, carrying
/// the ids, stamps and observed tags its effect needs everywhere.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Add `by` to node `node`'s increments.
    Inc { node: u32, by: u64 },
    /// Add `by` to node `node`'s decrements.
    Dec { node: u32, by: u64 },
    /// Write `value` with `stamp`; the greatest stamp wins.
    Set { stamp: Stamp, value: String },
    /// Add `elem` with the fresh tag `tag`.
    Add { elem: String, tag: Stamp },
    /// Remove the tags of `elem` the origin had observed.
    Remove { elem: String, tags: Vec<Stamp> },
    /// Characters, each with its id, inserted one after the other after `after` (None = the
    /// start of the text).
    Insert {
        after: Option<Stamp>,
        chars: Vec<(Stamp, char)>,
    },
    /// Mark the characters with these ids deleted.
    Delete { ids: Vec<Stamp> },
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Inc { .. } => "inc",
            Op::Dec { .. } => "dec",
            Op::Set { .. } => "set",
            Op::Add { .. } => "add",
            Op::Remove { .. } => "remove",
            Op::Insert { .. } => "insert",
            Op::Delete { .. } => "delete",
        }
    }
}

/// One replica's state of the CRDT `kind`: the state a state-based replica sends and merges,
/// and the state an op-based replica applies operations to.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Replica {
    kind: Kind,
    /// The node this replica runs on (index from 0).
    node: u32,
    /// The Lamport clock: at least the time of every stamp made or seen here.
    clock: u64,
    state: State,
}

/// The data of one replica, by family of types.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum State {
    /// Per-node increments `p` and decrements `n` (`n` stays empty for a G-Counter).
    Counter { p: Vec<u64>, n: Vec<u64> },
    /// The register's value with the stamp of its write, if it was ever written.
    Register { value: Option<(Stamp, String)> },
    /// The OR-Set: each present element with its live tags, and every removed tag.
    Set {
        live: BTreeMap<String, BTreeSet<Stamp>>,
        tombstones: BTreeSet<Stamp>,
    },
    /// The RGA: every character ever inserted, by id, deleted ones kept as tombstones.
    Text {
        #[serde(serialize_with = "as_pairs")]
        elems: BTreeMap<Stamp, Elem>,
    },
}

/// One character of an RGA text.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
struct Elem {
    /// The id of the character it was inserted right after (None = the start).
    after: Option<Stamp>,
    ch: char,
    deleted: bool,
}

/// Writes the RGA's characters as a list of (id, character) pairs: JSON keys must be strings.
fn as_pairs<S: Serializer>(elems: &BTreeMap<Stamp, Elem>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(elems)
}

impl Replica {
    /// A fresh replica on node `node` of `nodes`.
    pub fn new(kind: Kind, node: u32, nodes: u32) -> Replica {
        let state = match kind {
            Kind::GCounter => State::Counter {
                p: vec![0; nodes as usize],
                n: Vec::new(),
            },
            Kind::PnCounter => State::Counter {
                p: vec![0; nodes as usize],
                n: vec![0; nodes as usize],
            },
            Kind::LwwRegister => State::Register { value: None },
            Kind::OrSet => State::Set {
                live: BTreeMap::new(),
                tombstones: BTreeSet::new(),
            },
            Kind::Rga => State::Text {
                elems: BTreeMap::new(),
            },
        };
        Replica {
            kind,
            node,
            clock: 0,
            state,
        }
    }

    /// Which data type this replica holds.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// At the origin: performs `update` here and returns the operation to send to the other
    /// replicas, or an error in words if this type does not take it (or there is nothing to
    /// insert).
    pub fn prepare(&mut self, update: &Update) -> Result<Op, String> {
        let node = self.node;
        let clock = &mut self.clock;
        match (&mut self.state, update) {
            (State::Counter { p, .. }, Update::Inc(by)) => {
                bump(p, node, *by);
                Ok(Op::Inc { node, by: *by })
            }
            (State::Counter { n, .. }, Update::Dec(by)) if self.kind == Kind::PnCounter => {
                bump(n, node, *by);
                Ok(Op::Dec { node, by: *by })
            }
            (State::Register { value }, Update::Set(v)) => {
                let stamp = tick(clock, node);
                *value = Some((stamp, v.clone()));
                Ok(Op::Set {
                    stamp,
                    value: v.clone(),
                })
            }
            (State::Set { live, .. }, Update::Add(elem)) => {
                let tag = tick(clock, node);
                live.entry(elem.clone()).or_default().insert(tag);
                Ok(Op::Add {
                    elem: elem.clone(),
                    tag,
                })
            }
            (State::Set { live, tombstones }, Update::Remove(elem)) => {
                let tags: Vec<Stamp> = live.remove(elem).unwrap_or_default().into_iter().collect();
                tombstones.extend(tags.iter().copied());
                Ok(Op::Remove {
                    elem: elem.clone(),
                    tags,
                })
            }
            (State::Text { .. }, Update::Insert { text, .. }) if text.is_empty() => {
                Err("nothing to insert".to_string())
            }
            (State::Text { elems }, Update::Insert { at, text }) => {
                let visible = visible_ids(elems);
                let after = match (*at).min(visible.len()) {
                    0 => None,
                    k => Some(visible[k - 1]),
                };
                let mut prev = after;
                let mut chars = Vec::with_capacity(text.len());
                for ch in text.chars() {
                    let id = tick(clock, node);
                    elems.insert(
                        id,
                        Elem {
                            after: prev,
                            ch,
                            deleted: false,
                        },
                    );
                    chars.push((id, ch));
                    prev = Some(id);
                }
                Ok(Op::Insert { after, chars })
            }
            (State::Text { elems }, Update::Delete { at, len }) => {
                let visible = visible_ids(elems);
                let from = (*at).min(visible.len());
                let to = at.saturating_add(*len).min(visible.len());
                let ids = visible[from..to].to_vec();
                for id in &ids {
                    if let Some(e) = elems.get_mut(id) {
                        e.deleted = true;
                    }
                }
                Ok(Op::Delete { ids })
            }
            _ => Err(self.kind.refuses(update.name())),
        }
    }

    /// At another replica: the operation's effect. Errs, changing nothing, when an RGA
    /// operation refers to a character that has not arrived here (only without causal
    /// delivery), or when this type does not take the operation. Applying the same operation
    /// twice applies it twice: nothing is deduplicated here.
    pub fn apply(&mut self, op: &Op) -> Result<(), String> {
        let clock = &mut self.clock;
        match (&mut self.state, op) {
            (State::Counter { p, .. }, Op::Inc { node, by }) => bump(p, *node, *by),
            (State::Counter { n, .. }, Op::Dec { node, by }) if self.kind == Kind::PnCounter => {
                bump(n, *node, *by)
            }
            (State::Register { value }, Op::Set { stamp, value: v }) => {
                see(clock, *stamp);
                if value.as_ref().is_none_or(|(s, _)| stamp > s) {
                    *value = Some((*stamp, v.clone()));
                }
            }
            (State::Set { live, tombstones }, Op::Add { elem, tag }) => {
                see(clock, *tag);
                if !tombstones.contains(tag) {
                    live.entry(elem.clone()).or_default().insert(*tag);
                }
            }
            // Op-based, a remove takes away the tags it names that are here: causal delivery has
            // brought their adds first. Without it, a remove that overtakes its add removes
            // nothing, and the add arriving later stays (the best-effort break).
            (State::Set { live, tombstones }, Op::Remove { elem, tags }) => {
                for tag in tags {
                    see(clock, *tag);
                }
                if let Some(set) = live.get_mut(elem) {
                    for tag in tags {
                        if set.remove(tag) {
                            tombstones.insert(*tag);
                        }
                    }
                    if set.is_empty() {
                        live.remove(elem);
                    }
                }
            }
            (State::Text { elems }, Op::Insert { after, chars }) => {
                if let Some(a) = after
                    && !elems.contains_key(a)
                {
                    return Err(format!(
                        "inserts after {}, which has not arrived",
                        a.dotted()
                    ));
                }
                let mut prev = *after;
                for &(id, ch) in chars {
                    see(clock, id);
                    elems.entry(id).or_insert(Elem {
                        after: prev,
                        ch,
                        deleted: false,
                    });
                    prev = Some(id);
                }
            }
            (State::Text { elems }, Op::Delete { ids }) => {
                if let Some(id) = ids.iter().find(|id| !elems.contains_key(id)) {
                    return Err(format!("deletes {}, which has not arrived", id.dotted()));
                }
                for id in ids {
                    if let Some(e) = elems.get_mut(id) {
                        e.deleted = true;
                    }
                }
            }
            _ => return Err(self.kind.refuses(op.name())),
        }
        Ok(())
    }

    /// State-based: the join (least upper bound) of this state and `other`: commutative,
    /// associative and idempotent. A replica of another kind is ignored.
    pub fn merge(&mut self, other: &Replica) {
        if self.kind != other.kind {
            return;
        }
        self.clock = self.clock.max(other.clock);
        match (&mut self.state, &other.state) {
            (State::Counter { p, n }, State::Counter { p: p2, n: n2 }) => {
                join_max(p, p2);
                join_max(n, n2);
            }
            (State::Register { value }, State::Register { value: v2 }) => {
                if let Some((s2, _)) = v2
                    && value.as_ref().is_none_or(|(s, _)| s2 > s)
                {
                    value.clone_from(v2);
                }
            }
            (
                State::Set { live, tombstones },
                State::Set {
                    live: live2,
                    tombstones: tombstones2,
                },
            ) => {
                tombstones.extend(tombstones2.iter().copied());
                for (elem, tags) in live2 {
                    live.entry(elem.clone())
                        .or_default()
                        .extend(tags.iter().copied());
                }
                live.retain(|_, tags| {
                    tags.retain(|t| !tombstones.contains(t));
                    !tags.is_empty()
                });
            }
            (State::Text { elems }, State::Text { elems: elems2 }) => {
                for (id, e) in elems2 {
                    elems
                        .entry(*id)
                        .and_modify(|mine| mine.deleted |= e.deleted)
                        .or_insert_with(|| e.clone());
                }
            }
            _ => {}
        }
    }

    /// The text itself, for an RGA text (`None` for the other types).
    pub fn text(&self) -> Option<String> {
        match &self.state {
            State::Text { elems } => Some(text(elems)),
            _ => None,
        }
    }

    /// The value a client reads, in words: a counter's number, the register's value quoted
    /// (or "(unset)"), the set like "{a, b}", the text quoted.
    pub fn value(&self) -> String {
        match &self.state {
            State::Counter { p, n } => total(p, n).to_string(),
            State::Register { value: None } => "(unset)".to_string(),
            State::Register {
                value: Some((_, v)),
            } => format!("{v:?}"),
            State::Set { live, .. } => {
                let elems: Vec<&str> = live.keys().map(String::as_str).collect();
                format!("{{{}}}", elems.join(", "))
            }
            State::Text { elems } => format!("{:?}", text(elems)),
        }
    }

    /// The whole state in a few (name, value) rows for the inspector, each value kept short.
    pub fn rows(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        match &self.state {
            State::Counter { p, n } => {
                for i in 0..p.len().max(n.len()) {
                    let up = p.get(i).copied().unwrap_or(0);
                    let value = if self.kind == Kind::PnCounter {
                        format!("+{up} −{}", n.get(i).copied().unwrap_or(0))
                    } else {
                        up.to_string()
                    };
                    rows.push((node_name(i as u32), value));
                }
                return rows;
            }
            State::Register { value } => {
                rows.push(("value".to_string(), self.value()));
                if let Some((stamp, _)) = value {
                    rows.push(("written".to_string(), stamp.at()));
                }
            }
            State::Set { live, tombstones } => {
                for (elem, tags) in live.iter().take(CLIP) {
                    rows.push((elem.clone(), clip(tags.iter().map(|t| t.at()), ", ")));
                }
                if live.len() > CLIP {
                    let more = live.len() - CLIP;
                    rows.push(("…".to_string(), format!("{more} more elements")));
                }
                let removed = if tombstones.is_empty() {
                    "none".to_string()
                } else {
                    clip(tombstones.iter().map(|t| t.at()), ", ")
                };
                rows.push(("tombstones".to_string(), removed));
            }
            State::Text { elems } => {
                let all = text(elems);
                let quoted = if all.chars().count() > CLIP_TEXT {
                    let cut: String = all.chars().take(CLIP_TEXT).collect();
                    format!("{cut:?}…")
                } else {
                    format!("{all:?}")
                };
                let deleted = elems.values().filter(|e| e.deleted).count();
                let listed = clip(
                    order(elems).into_iter().map(|id| {
                        let e = &elems[&id];
                        let mark = if e.deleted { "~" } else { "" };
                        format!("{mark}{}@{}", shown_char(e.ch), id.dotted())
                    }),
                    " ",
                );
                rows.push(("text".to_string(), quoted));
                rows.push((
                    "characters".to_string(),
                    (elems.len() - deleted).to_string(),
                ));
                rows.push(("tombstones".to_string(), deleted.to_string()));
                rows.push((
                    "elements".to_string(),
                    if listed.is_empty() {
                        "none".to_string()
                    } else {
                        listed
                    },
                ));
            }
        }
        rows.push(("clock".to_string(), self.clock.to_string()));
        rows
    }
}

/// A node's name in words: `n1` for node 0.
fn node_name(node: u32) -> String {
    format!("n{}", u64::from(node) + 1)
}

/// Advances the Lamport clock and returns a fresh stamp of `node`.
fn tick(clock: &mut u64, node: u32) -> Stamp {
    *clock += 1;
    Stamp { time: *clock, node }
}

/// Raises the Lamport clock to a stamp seen from elsewhere.
fn see(clock: &mut u64, stamp: Stamp) {
    *clock = (*clock).max(stamp.time);
}

/// Adds `by` to `node`'s entry, growing the vector if needed.
fn bump(counts: &mut Vec<u64>, node: u32, by: u64) {
    let i = node as usize;
    if counts.len() <= i {
        counts.resize(i + 1, 0);
    }
    counts[i] = counts[i].saturating_add(by);
}

/// Pointwise maximum, growing `mine` to the longer length.
fn join_max(mine: &mut Vec<u64>, theirs: &[u64]) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), 0);
    }
    for (a, b) in mine.iter_mut().zip(theirs) {
        *a = (*a).max(*b);
    }
}

/// A counter's value: the increments less the decrements.
fn total(p: &[u64], n: &[u64]) -> i128 {
    let sum = |v: &[u64]| v.iter().map(|&x| i128::from(x)).sum::<i128>();
    sum(p) - sum(n)
}

/// Every character's id in text order, deleted ones included: a pre-order walk of the tree in
/// which each character's children are those inserted right after it, the greatest id first.
fn order(elems: &BTreeMap<Stamp, Elem>) -> Vec<Stamp> {
    let mut children: BTreeMap<Option<Stamp>, Vec<Stamp>> = BTreeMap::new();
    for (id, e) in elems.iter().rev() {
        children.entry(e.after).or_default().push(*id);
    }
    let mut out = Vec::with_capacity(elems.len());
    let mut stack: Vec<Stamp> = Vec::new();
    if let Some(roots) = children.get(&None) {
        stack.extend(roots.iter().rev());
    }
    while let Some(id) = stack.pop() {
        out.push(id);
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().rev());
        }
    }
    out
}

/// The ids of the characters not deleted, in text order.
fn visible_ids(elems: &BTreeMap<Stamp, Elem>) -> Vec<Stamp> {
    order(elems)
        .into_iter()
        .filter(|id| !elems[id].deleted)
        .collect()
}

/// The text the characters spell.
fn text(elems: &BTreeMap<Stamp, Elem>) -> String {
    visible_ids(elems).iter().map(|id| elems[id].ch).collect()
}

/// A character as the element list shows it: a space as "␣", control characters escaped.
fn shown_char(ch: char) -> String {
    if ch == ' ' {
        "␣".to_string()
    } else {
        ch.escape_debug().to_string()
    }
}

/// The items joined by `sep`, the first `CLIP` of them, then "…" if there were more.
fn clip(items: impl Iterator<Item = String>, sep: &str) -> String {
    let mut items = items.peekable();
    let mut shown: Vec<String> = items.by_ref().take(CLIP).collect();
    if items.peek().is_some() {
        shown.push("…".to_string());
    }
    shown.join(sep)
}

#[cfg(test)]
#[path = "types_tests.rs"]
mod tests;
