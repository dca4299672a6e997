//! Leaderless replication in Dynamo's style. Each key lives on `n` replicas, its *preference
//! list*: the `n` nodes from the key's place on a ring of the nodes (all of them when `n` is the
//! number of nodes). Any node coordinates a client's request:
//!
//! - a put makes a new version of the key, a value with a vector clock that counts the
//!   coordinator's own writes on top of every version the coordinator holds, sends it to the
//!   preference list and answers once `w` replicas (itself included) have stored it;
//! - a get asks the preference list, answers once `r` replicas have replied, with every version
//!   no other version it heard descends from (*siblings* when versions are concurrent, written
//!   without seeing each other), and sends the newest versions to a replica that replied with older
//!   ones (*read repair*).
//!
//! A replica keeps, per key, the versions that no other it holds descends from, on stable storage.
//! A coordinator that does not hear from enough replicas within `timeout_us` answers that the
//! request failed. With `r + w > n` every read quorum meets every write quorum, so a get sees
//! every put completed before it began (*Fresh reads*); with `r + w ≤ n` it may not, nor with a
//! sloppy quorum (`handoff`).

mod handoff;
mod merkle;
mod properties;
mod types;
mod view;

pub use types::{Clock, Resolve, Version};
use types::{merge, resolve};

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::ids::{NodeId, OpId, RequestId};
use crate::engine::protocol::{NodeView, Property, Protocol, RequestInfo};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::sim::Ctx;

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamoParams {
    /// Replicas per key (the preference list's length); all nodes when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Replies a get waits for.
    #[serde(default = "two")]
    pub r: u32,
    /// Stores a put waits for.
    #[serde(default = "two")]
    pub w: u32,
    /// How long a coordinator waits for replies before it answers that the request failed.
    #[serde(default = "default_timeout")]
    pub timeout_us: u64,
    /// Sloppy quorums with hinted handoff (see `handoff`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sloppy: bool,
    /// How often a node sends the hints it holds to the replicas they are for.
    #[serde(default = "default_handoff")]
    pub handoff_every_us: u64,
    /// Anti-entropy with Merkle trees, this often (see `merkle`); none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_entropy_every_us: Option<u64>,
    /// How concurrent versions are resolved: kept as siblings, or the last writer wins.
    #[serde(default, skip_serializing_if = "Resolve::is_siblings")]
    pub resolve: Resolve,
    /// Also judge *Available*: every request gets a successful answer (the CAP lessons).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub check_availability: bool,
}

fn default_handoff() -> u64 {
    100_000
}

fn two() -> u32 {
    2
}

fn default_timeout() -> u64 {
    200_000
}

impl Default for DynamoParams {
    fn default() -> Self {
        DynamoParams {
            n: None,
            r: two(),
            w: two(),
            timeout_us: default_timeout(),
            sloppy: false,
            handoff_every_us: default_handoff(),
            anti_entropy_every_us: None,
            resolve: Resolve::Siblings,
            check_availability: false,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamoMsg {
    /// Coordinator to replica: store these versions (a put's, or a read repair's).
    Store {
        op: OpId,
        key: String,
        versions: Vec<Version>,
        repair: bool,
    },
    Stored {
        op: OpId,
    },
    Fetch {
        op: OpId,
        key: String,
    },
    Fetched {
        op: OpId,
        versions: Vec<Version>,
    },
    /// A sloppy put's version for a stand-in to hold for `for_node`.
    Hinted {
        op: OpId,
        key: String,
        versions: Vec<Version>,
        for_node: NodeId,
    },
    /// A stand-in hands the versions it held for the receiver over.
    HandOff {
        key: String,
        versions: Vec<Version>,
    },
    /// The replica stored what was handed off.
    HandedOff {
        key: String,
        versions: Vec<Version>,
    },
    /// Anti-entropy: the Merkle tree of the keys the two nodes share.
    Tree {
        root: u64,
        leaves: Vec<u64>,
    },
    /// Anti-entropy: the buckets whose leaves differ, with the sender's keys in them.
    Differ {
        buckets: Vec<usize>,
        entries: merkle::Entries,
    },
    /// Anti-entropy: the first node's keys of the differing buckets.
    Entries {
        entries: merkle::Entries,
    },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum DynamoTimer {
    /// The coordinator stops waiting for the replies to `op`.
    Timeout(OpId),
    /// A sloppy put still short of stores goes on along the ring.
    Sloppy(OpId),
    /// Send the hints held to the replicas they are for.
    HandOff,
    /// Send the next peer a Merkle tree.
    AntiEntropy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DynamoRequest {
    Get { key: String },
    Put { key: String, value: String },
}

impl DynamoRequest {
    fn key(&self) -> &str {
        match self {
            DynamoRequest::Get { key } | DynamoRequest::Put { key, .. } => key,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamoResponse {
    /// A get's answer: every sibling's value.
    Values(Vec<String>),
    Stored,
    /// Too few replicas answered in time.
    Failed(String),
}

/// What survives a crash: every key's versions.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct DynamoStable {
    pub store: BTreeMap<String, Vec<Version>>,
    /// How many puts this node has coordinated (its entry in the clocks it makes).
    pub puts: u64,
    pub hints: handoff::Hints,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum DynamoNote {
    /// The coordinator makes `version` of `key` for a put.
    Writes {
        op: OpId,
        key: String,
        version: Version,
    },
    /// A put is acknowledged: `w` replicas stored it.
    Acknowledges {
        op: OpId,
        key: String,
        version: Version,
    },
    /// A get answers with `versions`, read from the replicas `from`.
    Reads {
        op: OpId,
        key: String,
        versions: Vec<Version>,
        from: Vec<NodeId>,
    },
    /// The coordinator sends the newest versions to a replica that replied with older ones.
    Repairs { op: OpId, replica: NodeId },
    /// The node stores a sloppy put's version as a hint for `for_node`.
    StandsIn {
        op: OpId,
        key: String,
        for_node: NodeId,
    },
    /// The replica `to` stored the versions of `key` held for it.
    HandsOff { key: String, to: NodeId },
    /// Anti-entropy with `with` found `buckets` of the tree differing, and `keys` keys were
    /// exchanged.
    Syncs {
        with: NodeId,
        buckets: u32,
        keys: u32,
    },
}

impl fmt::Display for DynamoNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DynamoNote::Writes { key, version, .. } => {
                write!(f, "writes {key}={} {}", version.value, version.clock)
            }
            DynamoNote::Acknowledges { key, version, .. } => {
                write!(f, "acknowledges {key}={}", version.value)
            }
            DynamoNote::Reads { key, versions, .. } => {
                write!(f, "reads {key}: {}", values(versions).join(" | "))
            }
            DynamoNote::Repairs { replica, .. } => write!(f, "repairs {replica}"),
            DynamoNote::StandsIn { key, for_node, .. } => {
                write!(f, "holds {key} for {for_node}")
            }
            DynamoNote::HandsOff { key, to } => write!(f, "hands {key} off to {to}"),
            DynamoNote::Syncs {
                with,
                buckets,
                keys,
            } => write!(
                f,
                "syncs with {with}: {buckets} of {} buckets differ, {keys} keys exchanged",
                merkle::BUCKETS
            ),
        }
    }
}

/// The values of `versions`, in order.
fn values(versions: &[Version]) -> Vec<String> {
    versions.iter().map(|v| v.value.clone()).collect()
}

/// A request this node coordinates.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Pending {
    request: RequestId,
    key: String,
    /// The put's version, or `None` for a get.
    version: Option<Version>,
    /// The replicas that replied, with what they hold (empty for a put's acknowledgements).
    replies: BTreeMap<NodeId, Vec<Version>>,
    answered: bool,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Dynamo {
    id: NodeId,
    nodes: u32,
    params: DynamoParams,
    store: BTreeMap<String, Vec<Version>>,
    puts: u64,
    pending: BTreeMap<OpId, Pending>,
    hints: handoff::Hints,
    /// Anti-entropy: the peer last sent a tree.
    turn: u32,
}

/// The `n` nodes a key lives on: from the key's place on the ring of nodes, onwards.
pub fn preference_list(key: &str, n: u32, nodes: u32) -> Vec<NodeId> {
    // FNV-1a: a fixed hash, the same on every platform and in every version.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let start = (hash % u64::from(nodes)) as u32;
    (0..n.min(nodes))
        .map(|i| NodeId((start + i) % nodes))
        .collect()
}

impl Dynamo {
    /// Merges `new` into `held` as this store resolves versions. Whether `held` changed.
    fn merge(&self, held: &mut Vec<Version>, new: &[Version]) -> bool {
        resolve(self.params.resolve == Resolve::Lww, held, new)
    }

    fn replicas(&self, key: &str) -> Vec<NodeId> {
        preference_list(key, self.params.n.unwrap_or(self.nodes), self.nodes)
    }

    fn held(&self, key: &str) -> Vec<Version> {
        self.store.get(key).cloned().unwrap_or_default()
    }

    /// Stores `versions` of `key` here, on stable storage too. Whether anything changed.
    fn keep(&mut self, ctx: &mut Ctx<'_, Self>, key: &str, versions: &[Version]) -> bool {
        let mut held = self.held(key);
        if !self.merge(&mut held, versions) {
            return false;
        }
        self.store.insert(key.to_string(), held.clone());
        let kept = held;
        let key = key.to_string();
        ctx.persist("versions", move |s| {
            s.store.insert(key, kept);
        });
        true
    }

    fn put_acked(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId, from: NodeId) {
        let w = self.params.w as usize;
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        p.replies.insert(from, Vec::new());
        if p.answered || p.replies.len() < w {
            return;
        }
        p.answered = true;
        let (request, key, version) = (p.request, p.key.clone(), p.version.clone());
        if let Some(version) = version {
            ctx.note(DynamoNote::Acknowledges { op, key, version });
        }
        ctx.reply(request, DynamoResponse::Stored);
    }

    fn fetched(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId, from: NodeId, versions: &[Version]) {
        let r = self.params.r as usize;
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        p.replies.insert(from, versions.to_vec());
        if !p.answered && p.replies.len() < r {
            return;
        }
        let mut newest = Vec::new();
        let lww = self.params.resolve == Resolve::Lww;
        for held in p.replies.values() {
            resolve(lww, &mut newest, held);
        }
        let key = p.key.clone();
        if !p.answered {
            p.answered = true;
            let request = p.request;
            let from: Vec<NodeId> = p.replies.keys().copied().collect();
            ctx.note(DynamoNote::Reads {
                op,
                key: key.clone(),
                versions: newest.clone(),
                from,
            });
            ctx.reply(request, DynamoResponse::Values(values(&newest)));
        }
        // Read repair: every replica that replied without all of the newest versions.
        let stale: Vec<NodeId> = p
            .replies
            .iter()
            .filter(|(_, held)| newest.iter().any(|v| !held.contains(v)))
            .map(|(&n, _)| n)
            .collect();
        for replica in stale {
            if let Some(p) = self.pending.get_mut(&op) {
                p.replies.insert(replica, newest.clone());
            }
            ctx.note(DynamoNote::Repairs { op, replica });
            if replica == self.id {
                self.keep(ctx, &key, &newest);
            } else {
                ctx.send(
                    replica,
                    DynamoMsg::Store {
                        op,
                        key: key.clone(),
                        versions: newest.clone(),
                        repair: true,
                    },
                );
            }
        }
    }
}

impl Protocol for Dynamo {
    type Msg = DynamoMsg;
    type Timer = DynamoTimer;
    type Request = DynamoRequest;
    type Response = DynamoResponse;
    type Stable = DynamoStable;
    type Params = DynamoParams;
    type Note = DynamoNote;
    const NAME: &'static str = "dynamo";

    fn new(id: NodeId, nodes: u32, params: &DynamoParams) -> Self {
        Dynamo {
            id,
            nodes,
            params: params.clone(),
            store: BTreeMap::new(),
            puts: 0,
            pending: BTreeMap::new(),
            hints: BTreeMap::new(),
            turn: id.0,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.store = ctx.stable().store.clone();
        self.puts = ctx.stable().puts;
        self.hints = ctx.stable().hints.clone();
        if self.params.sloppy {
            ctx.set_timer(self.params.handoff_every_us, DynamoTimer::HandOff);
        }
        if let Some(every) = self.params.anti_entropy_every_us {
            ctx.set_timer(every, DynamoTimer::AntiEntropy);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &DynamoMsg) {
        match msg {
            DynamoMsg::Store {
                op,
                key,
                versions,
                repair,
            } => {
                self.keep(ctx, key, versions);
                if !repair {
                    ctx.send(from, DynamoMsg::Stored { op: *op });
                }
            }
            DynamoMsg::Stored { op } => self.put_acked(ctx, *op, from),
            DynamoMsg::Fetch { op, key } => {
                let versions = self.held_with_hints(key);
                ctx.send(from, DynamoMsg::Fetched { op: *op, versions });
            }
            DynamoMsg::Fetched { op, versions } => self.fetched(ctx, *op, from, versions),
            DynamoMsg::Hinted {
                op,
                key,
                versions,
                for_node,
            } => {
                self.hold(ctx, *op, *for_node, key, versions);
                ctx.send(from, DynamoMsg::Stored { op: *op });
            }
            DynamoMsg::HandOff { key, versions } => {
                self.keep(ctx, key, versions);
                ctx.send(
                    from,
                    DynamoMsg::HandedOff {
                        key: key.clone(),
                        versions: versions.clone(),
                    },
                );
            }
            DynamoMsg::HandedOff { key, versions } => self.handed_off(ctx, from, key, versions),
            DynamoMsg::Tree { root, leaves } => self.compare(ctx, from, *root, leaves),
            DynamoMsg::Differ { buckets, entries } => self.differ(ctx, from, buckets, entries),
            DynamoMsg::Entries { entries } => self.take(ctx, entries),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: DynamoTimer) {
        let op = match timer {
            DynamoTimer::Timeout(op) => op,
            DynamoTimer::Sloppy(op) => return self.go_sloppy(ctx, op),
            DynamoTimer::HandOff => return self.hand_off(ctx),
            DynamoTimer::AntiEntropy => {
                let every = self.params.anti_entropy_every_us.unwrap_or(1_000_000);
                return self.anti_entropy(ctx, every);
            }
        };
        let Some(p) = self.pending.remove(&op) else {
            return;
        };
        if !p.answered {
            let (wanted, what) = match p.version {
                Some(_) => (self.params.w, "stores"),
                None => (self.params.r, "replies"),
            };
            ctx.reply(
                p.request,
                DynamoResponse::Failed(format!(
                    "{} {what} of the {wanted} needed",
                    p.replies.len()
                )),
            );
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, request: &DynamoRequest) {
        let key = request.key().to_string();
        let replicas = self.replicas(&key);
        let version = match request {
            DynamoRequest::Get { .. } => None,
            DynamoRequest::Put { value, .. } => {
                // A new version counting every version this node holds, and one more write here.
                let mut clock = Clock(vec![0; self.nodes as usize]);
                for held in self.held(&key) {
                    clock.join(&held.clock);
                }
                self.puts += 1;
                let puts = self.puts;
                ctx.persist("puts", move |s| s.puts = puts);
                clock.0[self.id.index()] = clock.0[self.id.index()].max(self.puts);
                Some(Version {
                    clock,
                    value: value.clone(),
                    written_us: (self.params.resolve == Resolve::Lww).then(|| ctx.now()),
                })
            }
        };
        if let Some(version) = &version {
            ctx.note(DynamoNote::Writes {
                op: req.op,
                key: key.clone(),
                version: version.clone(),
            });
        }
        self.pending.insert(
            req.op,
            Pending {
                request: req.id,
                key: key.clone(),
                version: version.clone(),
                replies: BTreeMap::new(),
                answered: false,
            },
        );
        ctx.set_timer(self.params.timeout_us, DynamoTimer::Timeout(req.op));
        if self.params.sloppy {
            ctx.set_timer(self.params.timeout_us / 2, DynamoTimer::Sloppy(req.op));
        }
        for replica in replicas {
            match &version {
                Some(version) if replica == self.id => {
                    self.keep(ctx, &key, std::slice::from_ref(version));
                    self.put_acked(ctx, req.op, replica);
                }
                Some(version) => ctx.send(
                    replica,
                    DynamoMsg::Store {
                        op: req.op,
                        key: key.clone(),
                        versions: vec![version.clone()],
                        repair: false,
                    },
                ),
                None if replica == self.id => {
                    let held = self.held(&key);
                    self.fetched(ctx, req.op, replica, &held);
                }
                None => ctx.send(
                    replica,
                    DynamoMsg::Fetch {
                        op: req.op,
                        key: key.clone(),
                    },
                ),
            }
        }
    }

    fn validate(p: &DynamoParams, nodes: u32) -> Result<(), String> {
        let n = p.n.unwrap_or(nodes);
        if n == 0 || n > nodes {
            return Err(format!(
                "`protocol.n` is {n}, but must be from 1 to the number of nodes ({nodes})"
            ));
        }
        for (name, value) in [("r", p.r), ("w", p.w)] {
            if value == 0 || value > n {
                return Err(format!(
                    "`protocol.{name}` is {value}, but must be from 1 to N ({n}): a quorum \
                     larger than the replicas of a key can never gather"
                ));
            }
        }
        if let Some(every) = p.anti_entropy_every_us
            && !(1_000..=600_000_000).contains(&every)
        {
            return Err(format!(
                "`protocol.anti_entropy_every_us` is {every}, but must be from 1ms to 10 minutes"
            ));
        }
        if p.handoff_every_us < 1_000 || p.handoff_every_us > 600_000_000 {
            return Err(format!(
                "`protocol.handoff_every_us` is {}, but must be from 1ms to 10 minutes",
                p.handoff_every_us
            ));
        }
        if p.timeout_us < 1_000 || p.timeout_us > 600_000_000 {
            return Err(format!(
                "`protocol.timeout_us` is {}, but must be from 1ms to 10 minutes",
                p.timeout_us
            ));
        }
        Ok(())
    }

    fn register_op(request: &DynamoRequest) -> Option<(&str, RegisterInput)> {
        Some(match request {
            DynamoRequest::Put { key, value } => {
                (key.as_str(), RegisterInput::Write(value.clone()))
            }
            DynamoRequest::Get { key } => (key.as_str(), RegisterInput::Read),
        })
    }

    /// Siblings are not a register's answer, and a failed request may or may not have taken
    /// effect: neither completes a register operation.
    fn register_answer(response: &DynamoResponse) -> Option<RegisterOutput> {
        match response {
            DynamoResponse::Stored => Some(RegisterOutput::Written),
            DynamoResponse::Values(values) if values.len() <= 1 => {
                Some(RegisterOutput::Value(values.first().cloned()))
            }
            _ => None,
        }
    }

    fn refused(response: &DynamoResponse) -> bool {
        matches!(response, DynamoResponse::Failed(_))
    }

    fn example_request() -> Option<DynamoRequest> {
        Some(DynamoRequest::Get { key: "x".into() })
    }

    fn msg_label(msg: &DynamoMsg) -> String {
        match msg {
            DynamoMsg::Store {
                key,
                versions,
                repair,
                ..
            } => format!(
                "{} {key}={}",
                if *repair { "repair" } else { "store" },
                values(versions).join("|")
            ),
            DynamoMsg::Stored { .. } => "stored".to_string(),
            DynamoMsg::Fetch { key, .. } => format!("get {key}"),
            DynamoMsg::Fetched { versions, .. } => {
                format!("has {}", values(versions).join("|"))
            }
            DynamoMsg::Hinted {
                key,
                versions,
                for_node,
                ..
            } => format!("hint {key}={} for {for_node}", values(versions).join("|")),
            DynamoMsg::HandOff { key, versions } => {
                format!("hand off {key}={}", values(versions).join("|"))
            }
            DynamoMsg::HandedOff { key, .. } => format!("took {key}"),
            DynamoMsg::Tree { .. } => "merkle tree".to_string(),
            DynamoMsg::Differ { buckets, entries } => {
                format!("{} buckets differ: {} keys", buckets.len(), entries.len())
            }
            DynamoMsg::Entries { entries } => format!("{} keys", entries.len()),
        }
    }

    fn timer_name(timer: &DynamoTimer) -> &'static str {
        match timer {
            DynamoTimer::Timeout(_) => "timeout",
            DynamoTimer::Sloppy(_) => "sloppy",
            DynamoTimer::HandOff => "hand off",
            DynamoTimer::AntiEntropy => "anti-entropy",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &DynamoParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all(params)
    }

    fn generate_request(seq: u64, rng: &mut crate::engine::rng::SimRng) -> Option<DynamoRequest> {
        let key = if rng.index(2) == 0 { "x" } else { "y" }.to_string();
        Some(if rng.index(2) == 0 {
            DynamoRequest::Get { key }
        } else {
            DynamoRequest::Put {
                key,
                value: seq.to_string(),
            }
        })
    }
}
