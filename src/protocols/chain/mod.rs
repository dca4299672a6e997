//! Chain replication (van Renesse and Schneider, OSDI 2004) and CRAQ (Terrace and Freedman, USENIX
//! ATC 2009), over the shared key-value store. One node (`master`, n1 unless set) is the
//! configuration master; the others are servers, at first chained in order of their names. The head
//! numbers each write and passes it down the chain; each server logs it and passes it on; the tail
//! applies it, answers the client and sends an acknowledgement back up, on which each server
//! applies it too. Reads go to the tail, which holds exactly the acknowledged writes.
//!
//! With `craq`, every member serves reads: a key with no write waiting for the tail's
//! acknowledgement is *clean*, and the server answers from its store; a *dirty* key makes it ask
//! the tail which update is committed and answer with the key's value as of that update.
//!
//! Servers ping the master, which removes a server that stops pinging (or pings after a restart
//! with nothing) and publishes the repaired chain; the predecessor of a removed server sends its
//! new successor every update not yet acknowledged. A live server outside the chain joins at the
//! tail: the tail sends it the whole store, then every new update, and the master adds it once it
//! reports it holds the store. A server serves reads only within a lease timed from the ping the
//! master's answer named it a member in, a ping interval shorter than the master's patience, so a
//! server the master has removed has stopped serving reads before its successor moves on.
//!
//! "Break it" variants: `no_version_check` (CRAQ answers a dirty key from its last clean
//! version) and `ack_at_head` (the head answers writes before passing them on).

mod clients;
mod master;
mod properties;
mod server;
pub mod types;
mod view;

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, TimerId};
use crate::engine::protocol::{NodeView, Outcome, Property, Protocol, RequestInfo};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::rng::SimRng;
use crate::engine::sim::Ctx;
use crate::protocols::kv::store::KvStore;
use crate::protocols::kv::{self, Command, KvRequest, KvResponse};
use std::collections::BTreeMap;
pub use types::{
    BreakIt, ChainMsg, ChainNote, ChainParams, ChainStable, ChainTimer, Config, Entry, Role,
};

/// An update a server holds, and when it last sent it to its successor.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Logged {
    entry: Entry,
    sent_at: Option<i64>,
}

/// A CRAQ read waiting for the tail's committed version.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Query {
    query: u32,
    request: RequestInfo,
    key: String,
}

#[derive(Clone, Debug, Hash)]
pub struct Chain {
    id: NodeId,
    nodes: u32,
    params: ChainParams,
    // Master: its configuration (a mirror of stable storage), and per server the monotonic time
    // of its last ping and the configuration whose state it last said it holds.
    config: Config,
    last_ping: Vec<i64>,
    reported: Vec<Option<(u64, bool)>>,
    // Server: the newest configuration it knows, its part in it, and the configuration whose
    // state it holds (0: none).
    known: Config,
    role: Role,
    holds: u64,
    /// Applied (committed) writes.
    kv: KvStore,
    /// Updates not yet known to be committed, or not yet confirmed by the successor.
    log: BTreeMap<u64, Logged>,
    /// Every update up to `last` is in the log or applied.
    last: u64,
    /// Every update up to `committed` has reached the tail and is applied here.
    committed: u64,
    /// What the successor confirmed it holds; `None` while a joining successor needs the store.
    succ_has: Option<u64>,
    /// A joining server: the tail whose store it installed, and in which configuration.
    installed_from: Option<(NodeId, u64)>,
    /// Monotonic time until which this server may serve reads.
    lease_until: i64,
    ping_timer: Option<TimerId>,
    retry: Option<TimerId>,
    /// Requests this server cannot serve yet (no configuration, or no lease).
    parked: Vec<(RequestInfo, KvRequest)>,
    queries: Vec<Query>,
    next_query: u32,
    /// Gets this server answered, and how many of them needed the tail's version.
    reads: u64,
    dirty_reads: u64,
}

impl Chain {
    pub fn is_master(&self) -> bool {
        self.id == self.params.master
    }

    /// The master's configuration, or the newest one a server knows.
    pub fn config(&self) -> &Config {
        if self.is_master() {
            &self.config
        } else {
            &self.known
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn kv(&self) -> &KvStore {
        &self.kv
    }

    pub fn last(&self) -> u64 {
        self.last
    }

    pub fn committed(&self) -> u64 {
        self.committed
    }

    pub fn reads(&self) -> (u64, u64) {
        (self.reads, self.dirty_reads)
    }

    /// Whether this server is a member of the chain with the chain's state.
    pub fn is_member(&self) -> bool {
        self.holds > 0 && self.role.in_chain()
    }

    /// Whether this server holds client operation `op`'s write, applied or waiting.
    pub fn holds_op(&self, op: crate::engine::ids::OpId) -> bool {
        self.kv.result(op).is_some() || self.log.values().any(|l| l.entry.command.op() == Some(op))
    }

    /// The updates waiting for the tail, oldest first.
    pub fn dirty(&self) -> impl Iterator<Item = &Entry> {
        let from = self.committed + 1;
        self.log
            .range(from..(self.last + 1).max(from))
            .map(|(_, l)| &l.entry)
    }

    /// Master: each server with the monotonic time of its last ping.
    pub fn pings(&self) -> impl Iterator<Item = (NodeId, i64)> + Clone + '_ {
        self.last_ping
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.id.index())
            .map(|(i, at)| (NodeId(i as u32), *at))
    }
}

impl Protocol for Chain {
    type Msg = ChainMsg;
    type Timer = ChainTimer;
    type Request = KvRequest;
    type Response = KvResponse;
    type Stable = ChainStable;
    type Params = ChainParams;
    type Note = ChainNote;

    const NAME: &'static str = "chain";

    fn new(id: NodeId, nodes: u32, params: &ChainParams) -> Self {
        Chain {
            id,
            nodes,
            params: *params,
            config: Config::default(),
            last_ping: Vec::new(),
            reported: Vec::new(),
            known: Config::default(),
            role: Role::Idle,
            holds: 0,
            kv: KvStore::default(),
            log: BTreeMap::new(),
            last: 0,
            committed: 0,
            succ_has: None,
            installed_from: None,
            lease_until: i64::MIN,
            ping_timer: None,
            retry: None,
            parked: Vec::new(),
            queries: Vec::new(),
            next_query: 0,
            reads: 0,
            dirty_reads: 0,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.is_master() {
            self.start_master(ctx);
        } else {
            self.start_server(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &ChainMsg) {
        match msg {
            ChainMsg::Ping {
                holds,
                ready,
                sent_at,
            } if self.is_master() => self.on_ping(ctx, from, (*holds, *ready), *sent_at),
            ChainMsg::ConfigIs { config, echo } if from == self.params.master => {
                self.adopt(ctx, config, *echo)
            }
            ChainMsg::Update { config, entries } => self.on_update(ctx, from, *config, entries),
            ChainMsg::Ack {
                config,
                have,
                committed,
            } => self.on_ack(ctx, from, *config, *have, *committed),
            ChainMsg::Transfer { config, seq, store } => {
                self.on_transfer(ctx, from, *config, *seq, store)
            }
            ChainMsg::VersionQuery { key, query } => self.on_version_query(ctx, from, key, *query),
            ChainMsg::Version { query, seq } => self.on_version(ctx, *query, *seq),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: ChainTimer) {
        match timer {
            ChainTimer::Ping if self.is_master() => self.tick(ctx),
            ChainTimer::Ping => {
                self.ping_timer = None;
                self.ping(ctx);
            }
            ChainTimer::Retry => {
                self.retry = None;
                self.resend(ctx, true);
            }
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        self.on_client(ctx, req, op);
    }

    fn outcome(response: &KvResponse) -> Outcome {
        response.outcome()
    }

    fn validate(p: &ChainParams, nodes: u32) -> Result<(), String> {
        p.validate(nodes)
    }

    fn example_request() -> Option<KvRequest> {
        Some(KvRequest::Put {
            key: "x".into(),
            value: "1".into(),
        })
    }

    fn fact(note: &ChainNote) -> Option<Fact> {
        match note {
            ChainNote::NewConfig { .. } => None,
            ChainNote::Role { role, config, .. } => Some(Fact::RoleChanged {
                role: role.name(),
                term: Some(*config),
            }),
        }
    }

    fn msg_label(msg: &ChainMsg) -> String {
        match msg {
            ChainMsg::Ping {
                holds, ready: true, ..
            } => format!("ping {holds}, joiner ready"),
            ChainMsg::Ping { holds, .. } => format!("ping {holds}"),
            ChainMsg::ConfigIs { config, .. } => config.to_string(),
            ChainMsg::Update { entries, .. } => match &entries[..] {
                [one] => format!("[{}] {}", one.seq, describe(&one.command)),
                [first, .., last] => format!("[{}..{}]", first.seq, last.seq),
                [] => "no updates".to_string(),
            },
            ChainMsg::Ack {
                have, committed, ..
            } => format!("ack {have}, committed {committed}"),
            ChainMsg::Transfer { seq, store, .. } => {
                format!("store to {seq} ({} keys)", store.data().len())
            }
            ChainMsg::VersionQuery { key, .. } => format!("version of {key}?"),
            ChainMsg::Version { seq, .. } => format!("committed {seq}"),
        }
    }

    fn timer_name(timer: &ChainTimer) -> &'static str {
        match timer {
            ChainTimer::Ping => "ping",
            ChainTimer::Retry => "retry",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &ChainParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all(params)
    }

    fn generate_request(seq: u64, rng: &mut SimRng) -> Option<KvRequest> {
        Some(crate::protocols::kv::generate_request(seq, rng))
    }

    fn register_op(request: &KvRequest) -> Option<(&str, RegisterInput)> {
        kv::register_op(request)
    }

    fn register_answer(response: &KvResponse) -> Option<RegisterOutput> {
        kv::register_answer(response)
    }
}

/// A write as a message label shows it, without its operation id: `x=3`, `x+=a`.
fn describe(command: &Command) -> String {
    match command {
        Command::Put { key, value, .. } => format!("{key}={value}"),
        Command::Append { key, value, .. } => format!("{key}+={value}"),
        other => other.describe(),
    }
}
