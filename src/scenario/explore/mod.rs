//! Exhaustive exploration of a small scenario: breadth-first over every order in which the
//! messages in the network can be delivered, interleaved with the timers and other events that
//! fall due as time passes, and optionally with up to k drops, k duplications and k crashes (and
//! the restarts of crashed nodes), deduplicating states by their fingerprint (`Sim::fingerprint`).
//!
//! The explorer drives the real simulator: every link holds its messages from the start, a move
//! is an intervention (`deliver`, `drop`, `duplicate`, `crash`, `restart`) applied now or time
//! passing to the next instant something other than a message is due, and a state is a run. So a
//! counterexample is an ordinary scenario (the holds and moves as its recorded interventions) that
//! replays exactly, natively and in the browser, and shares as a link.
//!
//! Messages wait as long as the explorer likes, so a scenario is explored as asynchronous: the
//! declared model's bound on delays is dropped (the properties resting on it are then not promised,
//! and their violations do not count), and its other rules stay (a crash-stop model restarts
//! nothing, reliable links lose nothing, the faulty budget holds). Only `always` properties are
//! judged: no run here ever reaches a point where an `eventually` one must hold.

use crate::engine::action::Action;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::model::Timing;
use crate::engine::protocol::PropertyKind;
use crate::engine::run::{Explorable, Run};
use crate::engine::time::SimTime;
use crate::engine::trace::EventKind;
use crate::scenario::Scenario;
use crate::scenario::seen::SeenKeys;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};

mod counterexample;

pub use counterexample::Counterexample;
use counterexample::counterexample;

/// The most nodes a scenario may have to be explored.
pub const MAX_NODES: u32 = 7;
/// The most drops, duplications or crashes a run may be given.
pub const MAX_FAULTS: u32 = 10;
/// The most distinct states one exploration may visit.
pub const MAX_STATES: u64 = 20_000_000;
/// The deepest an exploration may go.
pub const MAX_DEPTH: u32 = 10_000;

/// How far to explore, and with which faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Messages the network may drop in one run.
    #[serde(default)]
    pub drops: u32,
    /// Messages the network may duplicate in one run.
    #[serde(default)]
    pub duplicates: u32,
    /// Nodes that may crash in one run (a crashed node may also restart, where the model allows).
    #[serde(default)]
    pub crashes: u32,
    /// States deeper than this (moves from the start) are not expanded.
    pub max_depth: u32,
    /// Stop once this many distinct states have been seen: the bound on memory.
    pub max_states: u64,
    /// Ignore the declared system model.
    #[serde(default)]
    pub beyond_model: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            drops: 0,
            duplicates: 0,
            crashes: 0,
            max_depth: 200,
            max_states: 1_000_000,
            beyond_model: false,
        }
    }
}

impl Limits {
    fn check(&self) -> Result<(), String> {
        for (name, k) in [
            ("drops", self.drops),
            ("duplicates", self.duplicates),
            ("crashes", self.crashes),
        ] {
            if k > MAX_FAULTS {
                return Err(format!(
                    "an exploration allows at most {MAX_FAULTS} {name}, not {k}"
                ));
            }
        }
        if !(1..=MAX_DEPTH).contains(&self.max_depth) {
            return Err(format!(
                "the depth budget must be from 1 to {MAX_DEPTH}, not {}",
                self.max_depth
            ));
        }
        if !(1..=MAX_STATES).contains(&self.max_states) {
            return Err(format!(
                "the state budget must be from 1 to {MAX_STATES}, not {}",
                self.max_states
            ));
        }
        Ok(())
    }
}

/// Why an exploration stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// A promised property was violated: the counterexample is the shortest there is.
    Violation,
    /// Every reachable state within the limits was explored, and none violates a property.
    Exhausted,
    /// Every state up to the depth budget was explored; deeper ones were not.
    Depth,
    /// The state budget was reached.
    States,
    /// The caller asked it to stop.
    Cancelled,
}

impl Stop {
    /// Why, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Violation => "found a violation: the shortest run that shows it",
            Stop::Exhausted => "explored every reachable state: no property is violated",
            Stop::Depth => "explored every state up to the depth budget: none violates a property",
            Stop::States => "reached the state budget before exploring every state",
            Stop::Cancelled => "stopped",
        }
    }
}

/// Where an exploration stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Distinct states seen.
    pub states: u64,
    /// Moves taken (each a new or an already seen state).
    pub transitions: u64,
    /// States seen and not yet expanded.
    pub queue: u64,
    /// The depth of the states being expanded.
    pub depth: u32,
    /// Moves open in the first state: how widely the space branches.
    pub branching: u32,
}

/// What an exploration found.
#[derive(Clone, Debug)]
pub struct Exploration {
    pub stop: Stop,
    pub progress: Progress,
    pub counterexample: Option<Counterexample>,
    /// What exploring changed in the scenario, in words.
    pub changes: Vec<String>,
}

/// The scenario as it is explored, and what that changed.
#[derive(Clone, Debug)]
pub struct Plan {
    pub scenario: Scenario,
    pub changes: Vec<String>,
}

/// The scenario as explored: asynchronous, the links' random faults off (the explorer makes its
/// own), the recorded interventions moved into the fault script so the explorer's moves follow
/// them, and no guide.
pub fn plan(base: &Scenario, limits: &Limits) -> Result<Plan, String> {
    limits.check()?;
    if base.nodes > MAX_NODES {
        return Err(format!(
            "exhaustive exploration is for small configurations: at most {MAX_NODES} nodes, and \
             this scenario has {} (a search of random seeds suits it)",
            base.nodes
        ));
    }
    let mut scenario = base.clone();
    let mut changes = Vec::new();
    if limits.beyond_model {
        if scenario.model.take().is_some() {
            changes.push("the declared system model is ignored".to_string());
        }
    } else if let Some(model) = &mut scenario.model
        && model.timing != Timing::Asynchronous
    {
        model.timing = Timing::Asynchronous;
        changes.push(
            "explored as asynchronous: messages wait as long as any order needs, so the model's \
             bound on delays is dropped and properties resting on it are not promised"
                .to_string(),
        );
    }
    let mut random = false;
    let mut configs: Vec<&mut crate::engine::network::LinkConfig> =
        vec![&mut scenario.network.default];
    configs.extend(scenario.network.links.iter_mut().map(|l| &mut l.config));
    for config in configs {
        random |= config.loss_ppm > 0 || config.duplicate_ppm > 0 || config.corrupt_ppm > 0;
        config.loss_ppm = 0;
        config.duplicate_ppm = 0;
        config.corrupt_ppm = 0;
    }
    if random {
        changes.push(
            "the links' random loss, duplication and corruption are off: the explorer drops and \
             duplicates messages itself"
                .to_string(),
        );
    }
    if !scenario.interventions.is_empty() {
        let mut script = std::mem::take(&mut scenario.interventions);
        scenario.faults.append(&mut script);
        scenario.faults.sort_by_key(|s| s.at_us);
        changes.push("the recorded interventions are part of the script".to_string());
    }
    scenario.guide = None;
    scenario.validate().map_err(|e| e.to_string())?;
    Ok(Plan { scenario, changes })
}

/// One move from a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    Start,
    Deliver(EventId),
    Advance(SimTime),
    Drop(EventId),
    Duplicate(EventId),
    Crash(NodeId),
    Restart(NodeId),
}

/// A state seen: the move that reached it from its parent, and the faults spent on the way.
#[derive(Clone, Copy, Debug)]
struct Seen {
    parent: u32,
    depth: u32,
    how: Move,
    /// Drops, duplications and crashes so far.
    spent: [u8; 3],
    /// Its sleep set: `Explorer::sleeps[depth % 2][asleep..asleep + slept]`.
    asleep: u32,
    slept: u32,
}

/// A delivery as a sleep set holds it: the message's digest, whatever its numbers, with its
/// receiver in the low byte (there are at most `MAX_NODES` of them).
fn sleeper(digest: u64, to: NodeId) -> u64 {
    digest & !0xFF | to.index() as u64
}

/// Whether two deliveries in a sleep set's terms commute: they go to different nodes.
fn independent(a: u64, b: u64) -> bool {
    a & 0xFF != b & 0xFF
}

fn apply(run: &mut dyn Run, how: Move) -> Result<(), String> {
    let action = match how {
        Move::Start => return Ok(()),
        Move::Advance(at) => {
            run.run_until(at);
            return Ok(());
        }
        Move::Deliver(send) => Action::DeliverMessage { send, one: true },
        Move::Drop(send) => Action::DropMessage { send },
        Move::Duplicate(send) => Action::DuplicateMessage { send },
        Move::Crash(node) => Action::Crash { node },
        Move::Restart(node) => Action::Restart { node },
    };
    run.apply(action).map(|_| ()).map_err(|e| e.to_string())
}

/// The explorer's state: what was seen, the queue, and the runs along the last path rebuilt.
///
/// Sleep sets (Godefroid's partial-order reduction) spare it transitions, never states: when a
/// state's deliveries to two different nodes lead, in either order, to one state, the second
/// order need not be taken. A state's sleep set holds the deliveries that need not be taken from
/// it: each delivery its parent took before the one that led here, or had asleep itself, that
/// commutes with that one. A state reached at its depth by several parents sleeps only what every
/// one of them lets it (their intersection, before it is expanded); reached again deeper, it is
/// not expanded again, since every state after that deeper path is reached after the shallower
/// one as well.
struct Explorer<'a> {
    limits: &'a Limits,
    /// The scenario explored, which a counterexample replays.
    scenario: &'a Scenario,
    /// The links that keep messages in order: only the oldest message on one may be delivered.
    fifo: Vec<bool>,
    nodes: u32,
    /// Whether the model allows a drop, a duplication.
    may_drop: bool,
    may_duplicate: bool,
    seen: Vec<Seen>,
    /// The fingerprints of the states seen, with the faults spent (`key`).
    fingerprints: SeenKeys,
    /// Those of the states seen at the depth after the one being expanded, with their numbers:
    /// the states a move may reach again at their own depth.
    frontier: SeenKeys<u32>,
    queue: VecDeque<u32>,
    /// Whether deliveries to different nodes commute here, which sleep sets rest on.
    commute: bool,
    /// The sleep sets of the states at even and at odd depths, each sorted, one after another
    /// (`Seen::asleep`). Only those of the depth being expanded and of the next are kept: a state
    /// is reached again at its depth only before any state at that depth is expanded.
    sleeps: [Vec<u64>; 2],
    /// The deliveries taken so far from the state being expanded, kept for its buffer.
    done: Vec<u64>,
    /// The sleep set of the next state, made as its move is taken.
    asleep: Vec<u64>,
    /// `path[d]`: the state at depth `d` on the path rebuilt last, which the run keeps mark `d` of.
    path: Vec<u32>,
    /// The path to the state being rebuilt, kept for its buffer (`rebuild`).
    chain: Vec<u32>,
    progress: Progress,
    /// Properties whose violations count: promised `always` ones.
    judged: BTreeSet<String>,
}

impl Explorer<'_> {
    /// Brings `run` to state `index`, the last of `path` then: back to the deepest state its path
    /// shares with the last one rebuilt (the first state, at least), then forward by its moves,
    /// keeping a mark at each.
    fn rebuild(&mut self, run: &mut dyn Explorable, index: u32) -> Result<(), String> {
        let mut chain = std::mem::take(&mut self.chain);
        chain.clear();
        chain.push(index);
        while let Some(&last) = chain.last() {
            let parent = self.seen[last as usize].parent;
            if parent == u32::MAX {
                break;
            }
            chain.push(parent);
        }
        chain.reverse();
        let mut shared = 0;
        while shared < chain.len() && self.path.get(shared) == Some(&chain[shared]) {
            shared += 1;
        }
        if shared == 0 {
            return Err("the first state is lost".to_string());
        }
        run.back_to_kept(shared - 1);
        self.path.truncate(shared);
        for &state in &chain[shared..] {
            apply(run, self.seen[state as usize].how)?;
            // Brings what the fingerprint has hashed up to date, so its children's reuse it.
            run.fingerprint();
            run.keep();
            self.path.push(state);
        }
        self.chain = chain;
        Ok(())
    }

    /// The moves open in `run`, at `state`: deliveries first (the oldest message of a FIFO link
    /// only; none asleep, and one of two alike), then time passing, then drops, duplications,
    /// crashes and restarts. Each with the faults spent after it, and a delivery with its
    /// message as a sleep set holds it.
    fn moves(&self, run: &dyn Explorable, state: &Seen) -> Vec<(Move, [u8; 3], Option<u64>)> {
        let spent = state.spent;
        let asleep = self.asleep_at(state);
        let open = run.moves();
        let mut moves = Vec::new();
        let mut first = vec![true; (self.nodes * self.nodes) as usize];
        for m in &open.messages {
            let link = m.from.index() * self.nodes as usize + m.to.index();
            if !self.fifo[link] || std::mem::take(&mut first[link]) {
                let delivery = sleeper(m.digest, m.to);
                let alike = moves.iter().any(|&(_, _, d)| d == Some(delivery));
                if !alike && asleep.binary_search(&delivery).is_err() {
                    moves.push((Move::Deliver(m.send), spent, Some(delivery)));
                }
            }
        }
        if let Some(at) = open.advance {
            moves.push((Move::Advance(at), spent, None));
        }
        let more = |i: usize, k: u32| (u32::from(spent[i]) < k).then(|| bump(spent, i));
        let drop = more(0, self.limits.drops).filter(|_| self.may_drop);
        let duplicate = more(1, self.limits.duplicates).filter(|_| self.may_duplicate);
        for (next, fault) in [
            (drop, Move::Drop as fn(EventId) -> Move),
            (duplicate, Move::Duplicate),
        ] {
            if let Some(next) = next {
                moves.extend(open.messages.iter().map(|m| (fault(m.send), next, None)));
            }
        }
        if let Some(next) = more(2, self.limits.crashes) {
            for &node in &open.up {
                if run.forbids(&Action::Crash { node }).is_none() {
                    moves.push((Move::Crash(node), next, None));
                }
            }
        }
        for &node in &open.crashed {
            if run.forbids(&Action::Restart { node }).is_none() {
                moves.push((Move::Restart(node), spent, None));
            }
        }
        moves
    }

    /// State `state`'s sleep set.
    fn asleep_at(&self, state: &Seen) -> &[u64] {
        &self.sleeps[state.depth as usize % 2][state.asleep as usize..][..state.slept as usize]
    }

    /// Makes `asleep` the sleep set of the state that delivery `delivery` (if the move is one)
    /// leads to from `state`, which has taken the deliveries in `done` already: those of them and of
    /// its own sleep set that commute with it. Nothing sleeps after any other move.
    fn sleep_after(&mut self, state: &Seen, delivery: Option<u64>) {
        let mut asleep = std::mem::take(&mut self.asleep);
        asleep.clear();
        if let Some(delivery) = delivery.filter(|_| self.commute) {
            let commuting = self.asleep_at(state).iter().chain(&self.done);
            asleep.extend(commuting.filter(|&&d| independent(d, delivery)));
            asleep.sort_unstable();
            asleep.dedup();
        }
        self.asleep = asleep;
    }

    /// State `state`, reached again at its depth, sleeps only what `asleep` has as well.
    fn wake(&mut self, state: u32) {
        let Seen {
            asleep,
            slept,
            depth,
            ..
        } = self.seen[state as usize];
        let sleeps = &mut self.sleeps[depth as usize % 2];
        let range = asleep as usize..(asleep + slept) as usize;
        let mut kept = range.start;
        for i in range {
            let delivery = sleeps[i];
            if self.asleep.binary_search(&delivery).is_ok() {
                sleeps[kept] = delivery;
                kept += 1;
            }
        }
        self.seen[state as usize].slept = kept as u32 - asleep;
    }

    /// The first counted violation among `run`'s events from `from` on.
    fn violation(&self, run: &dyn Run, from: usize) -> Option<(u32, String, String, u64)> {
        run.events()[from..]
            .iter()
            .enumerate()
            .find_map(|(i, e)| match &e.kind {
                EventKind::Violation(v) if self.judged.contains(&v.property) => Some((
                    (from + i) as u32,
                    v.property.clone(),
                    v.message.clone(),
                    e.time.0,
                )),
                _ => None,
            })
    }
}

fn bump(spent: [u8; 3], i: usize) -> [u8; 3] {
    let mut next = spent;
    next[i] += 1;
    next
}

fn key(fingerprint: u64, spent: [u8; 3]) -> u64 {
    let spent = u64::from(spent[0]) | u64::from(spent[1]) << 8 | u64::from(spent[2]) << 16;
    fingerprint ^ spent.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Explores `base` within `limits`, reporting through `progress` (false stops it) after every few
/// states expanded.
pub fn explore(
    base: &Scenario,
    limits: &Limits,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<Exploration, String> {
    let Plan { scenario, changes } = plan(base, limits)?;
    let mut root = scenario.explorable().map_err(|e| e.to_string())?;
    let n = scenario.nodes;
    for from in 0..n {
        for to in (0..n).filter(|&to| to != from) {
            let hold = Action::Hold {
                from: NodeId(from),
                to: NodeId(to),
            };
            root.apply(hold).map_err(|e| e.to_string())?;
        }
    }
    let judged = root
        .properties()
        .into_iter()
        .filter(|p| p.kind == PropertyKind::Always && p.unpromised.is_none())
        .map(|p| p.name.to_string())
        .collect();
    let model = scenario.model;
    let allowed =
        |action: Action| model.is_none_or(|m| m.forbids(&action, SimTime::ZERO, &[]).is_none());
    let mut fifo = vec![scenario.network.default.fifo; (n * n) as usize];
    for link in &scenario.network.links {
        fifo[link.from.index() * n as usize + link.to.index()] = link.config.fifo;
    }
    let mut explorer = Explorer {
        limits,
        scenario: &scenario,
        fifo,
        nodes: n,
        may_drop: allowed(Action::DropMessage { send: EventId(0) }),
        may_duplicate: allowed(Action::DuplicateMessage { send: EventId(0) }),
        seen: Vec::new(),
        fingerprints: SeenKeys::default(),
        frontier: SeenKeys::default(),
        queue: VecDeque::new(),
        commute: root.deliveries_commute(),
        sleeps: [Vec::new(), Vec::new()],
        done: Vec::new(),
        asleep: Vec::new(),
        path: Vec::new(),
        chain: Vec::new(),
        progress: Progress::default(),
        judged,
    };
    let first = Seen {
        parent: u32::MAX,
        depth: 0,
        how: Move::Start,
        spent: [0; 3],
        asleep: 0,
        slept: 0,
    };
    explorer.progress.branching = explorer.moves(root.as_ref(), &first).len() as u32;
    if !progress(&explorer.progress) {
        return Ok(Exploration {
            stop: Stop::Cancelled,
            progress: explorer.progress,
            counterexample: None,
            changes,
        });
    }
    let finish = |explorer: &Explorer, stop, counterexample| Exploration {
        stop,
        progress: explorer.progress,
        counterexample,
        changes: changes.clone(),
    };
    if let Some(found) = explorer.violation(root.as_ref(), 0) {
        let counterexample = counterexample(&scenario, root.as_ref(), found, 0, Vec::new())?;
        return Ok(finish(&explorer, Stop::Violation, Some(counterexample)));
    }
    explorer
        .fingerprints
        .insert(key(root.fingerprint(), [0; 3]), ());
    explorer.seen.push(first);
    explorer.queue.push_back(0);
    // A fork takes no checkpoints, which a run keeping marks would set aside at every mark.
    let mut run = root.fork();
    drop(root);
    // The properties the exploration does not judge (eventually, sometimes, not promised) would
    // only cost their checks and copies, and the notes' text only its formatting.
    run.explore_only(&explorer.judged);
    run.keep();
    explorer.path.push(0);
    explorer.progress.states = 1;
    let mut deeper = false;
    let mut expanded = 0u64;
    while let Some(index) = explorer.queue.pop_front() {
        let state = explorer.seen[index as usize];
        if state.depth != explorer.progress.depth {
            // The sleep sets two depths up are spent: the next depth's go there. The states at
            // this depth are reached again at it no more.
            explorer.sleeps[(state.depth as usize + 1) % 2].clear();
            explorer.frontier.clear();
        }
        explorer.progress.depth = state.depth;
        explorer.progress.queue = explorer.queue.len() as u64;
        expanded += 1;
        if expanded.is_multiple_of(64) && !progress(&explorer.progress) {
            return Ok(finish(&explorer, Stop::Cancelled, None));
        }
        if state.depth >= limits.max_depth {
            deeper = true;
            continue;
        }
        explorer.rebuild(run.as_mut(), index)?;
        let moves = explorer.moves(run.as_ref(), &state);
        let last = moves.len().saturating_sub(1);
        let mut ended = None;
        explorer.done.clear();
        for (i, (how, spent, delivery)) in moves.into_iter().enumerate() {
            explorer.sleep_after(&state, delivery);
            explorer.done.extend(delivery);
            if i == last {
                // The last move needs no trial: the next state is rebuilt from a mark, whatever
                // state the run is left in.
                ended = explorer.try_move(run.as_mut(), index, state.depth, (how, spent));
            } else {
                run.trial(&mut |next| {
                    ended = explorer.try_move(next, index, state.depth, (how, spent));
                });
            }
            if let Some(end) = ended.take() {
                return end.map(|(stop, counterexample)| finish(&explorer, stop, counterexample));
            }
        }
    }
    explorer.progress.queue = 0;
    progress(&explorer.progress);
    let stop = if deeper { Stop::Depth } else { Stop::Exhausted };
    Ok(finish(&explorer, stop, None))
}

impl Explorer<'_> {
    /// Takes move `how` in `next`, a child of state `parent` at `depth`, having spent `spent`:
    /// counts the transition, and a new state if the fingerprint is new. Returns how the
    /// exploration ends if it ends here: at a violation, or at the state budget.
    fn try_move(
        &mut self,
        next: &mut dyn Explorable,
        parent: u32,
        depth: u32,
        (how, spent): (Move, [u8; 3]),
    ) -> Option<Result<(Stop, Option<Counterexample>), String>> {
        let before = next.events().len();
        if let Err(error) = apply(next, how) {
            return Some(Err(error));
        }
        self.progress.transitions += 1;
        if let Some(found) = self.violation(next, before) {
            let mut path = self.path_to(parent);
            path.push(how);
            let counterexample = counterexample(self.scenario, next, found, depth + 1, path);
            return Some(counterexample.map(|c| (Stop::Violation, Some(c))));
        }
        let key = key(next.fingerprint(), spent);
        if self.fingerprints.insert(key, ()).is_some() {
            if let Some(was) = self.frontier.get(key) {
                self.wake(was);
            }
            return None;
        }
        if !self.asleep.is_empty() {
            // An empty sleep set has nothing to wake.
            self.frontier.insert(key, self.seen.len() as u32);
        }
        self.progress.states += 1;
        self.seen.push(Seen {
            parent,
            depth: depth + 1,
            how,
            spent,
            asleep: self.sleeps[(depth + 1) as usize % 2].len() as u32,
            slept: self.asleep.len() as u32,
        });
        self.sleeps[(depth + 1) as usize % 2].extend_from_slice(&self.asleep);
        self.queue.push_back((self.seen.len() - 1) as u32);
        if self.progress.states >= self.limits.max_states {
            self.progress.queue = self.queue.len() as u64;
            return Some(Ok((Stop::States, None)));
        }
        None
    }

    /// The moves from the first state to state `index`.
    fn path_to(&self, index: u32) -> Vec<Move> {
        let mut moves = Vec::new();
        let mut at = index;
        while at != u32::MAX {
            let seen = self.seen[at as usize];
            if seen.how != Move::Start {
                moves.push(seen.how);
            }
            at = seen.parent;
        }
        moves.reverse();
        moves
    }
}

#[cfg(test)]
mod tests {
    use super::{Limits, Move, apply, plan};
    use crate::engine::action::Action;
    use crate::engine::run::Explorable;
    use crate::scenario::presets;

    /// The moves of a walk through `id`'s explored run: at step `k`, the `k * 7`-th open move
    /// (modulo how many there are) among deliveries, time passing, one crash and restarts.
    fn walk(id: &str, steps: u64) -> (Box<dyn Explorable>, Vec<Move>) {
        let base = presets::find(id)
            .expect("a preset")
            .scenario()
            .expect("valid");
        let limits = Limits {
            crashes: 1,
            ..Limits::default()
        };
        let root = plan(&base, &limits)
            .expect("explorable")
            .scenario
            .explorable()
            .expect("builds");
        let mut run = root.fork();
        let mut path = Vec::new();
        for k in 0..steps {
            let open = run.moves();
            let mut moves: Vec<Move> = open
                .messages
                .iter()
                .map(|m| Move::Deliver(m.send))
                .collect();
            moves.extend(open.advance.map(Move::Advance));
            let allowed = |action: Action| run.forbids(&action).is_none();
            if path.iter().all(|m| !matches!(m, Move::Crash(_))) {
                let crashes = open
                    .up
                    .iter()
                    .filter(|&&node| allowed(Action::Crash { node }));
                moves.extend(crashes.map(|&n| Move::Crash(n)));
            }
            let restarts = open
                .crashed
                .iter()
                .filter(|&&node| allowed(Action::Restart { node }));
            moves.extend(restarts.map(|&n| Move::Restart(n)));
            let Some(&how) = moves.get((k * 7 % moves.len().max(1) as u64) as usize) else {
                break;
            };
            apply(run.as_mut(), how).expect("applies");
            path.push(how);
        }
        (root, path)
    }

    /// What a fingerprint reuses from its run's earlier ones (carried through forks) never makes
    /// it differ from one computed afresh, at every state of walks through four protocols.
    #[test]
    fn a_fingerprint_reusing_earlier_ones_equals_a_fresh_one() {
        for id in [
            "paxos-basic",
            "2pc-commit",
            "raft-basic",
            "broadcast-causal",
        ] {
            let (root, path) = walk(id, 40);
            assert!(
                path.len() >= 8,
                "{id}: the walk stopped after {} moves: {path:?}",
                path.len()
            );
            let mut cached = root.fork();
            let mut distinct = std::collections::BTreeSet::new();
            for (depth, &how) in path.iter().enumerate() {
                let mut fresh = root.fork();
                for &earlier in &path[..=depth] {
                    apply(fresh.as_mut(), earlier).expect("applies");
                }
                apply(cached.as_mut(), how).expect("applies");
                let reused = cached.fingerprint();
                cached = cached.fork();
                assert_eq!(
                    reused,
                    fresh.fingerprint(),
                    "{id}: after move {depth} ({how:?})"
                );
                distinct.insert(reused);
            }
            assert!(
                distinct.len() > path.len() / 2,
                "{id}: the walk revisits its states"
            );
        }
    }
}
