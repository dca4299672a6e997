//! Primary-backup replication with a view service, in the shape of MIT 6.824's lab 2. One node
//! (`view_service`, n1 unless set) runs the view service; the others are servers that ping it
//! every `ping_us` with the number of the last view they saw. The service answers with its view:
//! a number, a primary and a backup. It moves to a new view when the primary or the backup has not
//! pinged for `dead_pings` intervals (or pings 0, having restarted), or when there is no backup
//! and an idle server is alive; it promotes only the backup, and never moves on until the primary
//! has acknowledged the current view by pinging with its number.
//!
//! The primary takes the clients' operations one at a time: it forwards each to the backup, which
//! applies it and answers, and only then applies it itself and replies. Gets go through the backup
//! too, so a primary the service has replaced finds out: the backup refuses a forward from anyone
//! but the primary of its view. A new backup first receives the whole store (state transfer).
//! Servers keep nothing on disk; the view service keeps its view.
//!
//! The "break it" variant `local_reads` answers gets from the primary's own store, so a replaced
//! primary that clients still reach answers with stale values.

mod properties;
mod server;
pub mod types;
pub(crate) mod view;
mod view_service;

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, OpId, RequestId, TimerId};
use crate::engine::protocol::{NodeView, Outcome, Property, Protocol, RequestInfo, Watched};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::rng::SimRng;
use crate::engine::sim::Ctx;
use crate::protocols::kv::store::KvStore;
use crate::protocols::kv::{self, Command, KvRequest, KvResponse};
use std::collections::VecDeque;
use std::rc::Rc;
pub use types::{BreakIt, PbMsg, PbNote, PbStable, PbTimer, PrimaryBackupParams, Role, View};

/// An operation the primary has taken and not yet answered, with the requests waiting for it.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Queued {
    op: OpId,
    command: Rc<Command>,
    requests: Vec<RequestId>,
}

#[derive(Clone, Debug, Hash)]
pub struct PrimaryBackup {
    id: NodeId,
    nodes: u32,
    params: PrimaryBackupParams,
    // View service: its view (a mirror of stable storage), whether the primary acknowledged it,
    // and per server the monotonic time of its last ping and whether it restarted since.
    view: View,
    acked: bool,
    last_ping: Vec<i64>,
    restarted: Vec<bool>,
    // Server: the newest view it knows, its part in it, and the store.
    known: View,
    role: Role,
    kv: KvStore,
    /// Primary: whether the backup of `known` holds the store (no backup counts as yes).
    synced: bool,
    /// Backup: whether it installed the store of the primary of `known`.
    installed: bool,
    /// Whether this server holds the service's store: as the first primary, as a backup that
    /// installed it, or as a primary since. A restarted server holds nothing, and refuses to act
    /// as the primary of a view that names it (the view service cannot know it restarted).
    holds_store: bool,
    /// The view number this server last pinged with: a primary acknowledges a view only once its
    /// backup holds the store, so the view service never promotes a backup without it; a server
    /// named primary that refused the part (holding no store) never acknowledges that view.
    acknowledged: u64,
    /// Primary: whether the view service confirmed it saw this view acknowledged. Only then does
    /// the primary answer clients, so a first primary that restarts before that served no one.
    confirmed: bool,
    ping_timer: Option<TimerId>,
    queue: VecDeque<Queued>,
    retry: Option<TimerId>,
    /// Requests that came while no primary was known.
    parked: Vec<(RequestInfo, KvRequest)>,
}

impl PrimaryBackup {
    pub fn is_view_service(&self) -> bool {
        self.id == self.params.view_service
    }

    /// The view service's view, or the newest view a server knows.
    pub fn view(&self) -> View {
        if self.is_view_service() {
            self.view
        } else {
            self.known
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn kv(&self) -> &KvStore {
        &self.kv
    }

    pub fn acked(&self) -> bool {
        self.acked
    }

    pub fn synced(&self) -> bool {
        self.synced
    }

    /// Primary: the operations waiting, the first one at the backup.
    pub fn queued(&self) -> impl Iterator<Item = &Command> {
        self.queue.iter().map(|q| &*q.command)
    }

    /// View service: each server with the monotonic time of its last ping.
    pub fn pings(&self) -> impl Iterator<Item = (NodeId, i64)> + Clone + '_ {
        self.last_ping
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.id.index())
            .map(|(i, at)| (NodeId(i as u32), *at))
    }
}

impl Protocol for PrimaryBackup {
    type Msg = PbMsg;
    type Timer = PbTimer;
    type Request = KvRequest;
    type Response = KvResponse;
    type Stable = PbStable;
    type Params = PrimaryBackupParams;
    type Note = PbNote;

    const NAME: &'static str = "primary_backup";

    fn new(id: NodeId, nodes: u32, params: &PrimaryBackupParams) -> Self {
        PrimaryBackup {
            id,
            nodes,
            params: *params,
            view: View::default(),
            acked: false,
            last_ping: Vec::new(),
            restarted: Vec::new(),
            known: View::default(),
            role: Role::Idle,
            kv: KvStore::default(),
            synced: false,
            installed: false,
            holds_store: false,
            acknowledged: 0,
            confirmed: false,
            ping_timer: None,
            queue: VecDeque::new(),
            retry: None,
            parked: Vec::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.is_view_service() {
            self.start_view_service(ctx);
        } else {
            self.ping(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &PbMsg) {
        match msg {
            PbMsg::Ping { viewnum } if self.is_view_service() => self.on_ping(ctx, from, *viewnum),
            PbMsg::ViewIs { view, acked } if from == self.params.view_service => {
                self.adopt(ctx, *view, *acked)
            }
            PbMsg::Forward { view, command } => self.on_forward(ctx, from, *view, command),
            PbMsg::ForwardOk { view, op, ok } => self.on_forward_ok(ctx, *view, *op, *ok),
            PbMsg::Transfer { view, store } => self.on_transfer(ctx, from, *view, store),
            PbMsg::TransferOk { view, ok } => self.on_transfer_ok(ctx, *view, *ok),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: PbTimer) {
        match timer {
            PbTimer::Ping if self.is_view_service() => self.tick(ctx),
            PbTimer::Ping => {
                self.ping_timer = None;
                self.ping(ctx);
            }
            PbTimer::Retry => {
                self.retry = None;
                self.send_next(ctx);
            }
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        self.on_client(ctx, req, op);
    }

    fn outcome(response: &KvResponse) -> Outcome {
        response.outcome()
    }

    fn validate(p: &PrimaryBackupParams, nodes: u32) -> Result<(), String> {
        p.validate(nodes)
    }

    fn example_request() -> Option<KvRequest> {
        Some(KvRequest::Put {
            key: "x".into(),
            value: "1".into(),
        })
    }

    fn fact(note: &PbNote) -> Option<Fact> {
        match *note {
            PbNote::NewView { .. } => None,
            PbNote::Role { role, view, .. } => Some(Fact::RoleChanged {
                role: role.name(),
                term: Some(view),
            }),
        }
    }

    fn msg_label(msg: &PbMsg) -> String {
        match msg {
            PbMsg::Ping { viewnum } => format!("ping {viewnum}"),
            PbMsg::ViewIs { view, .. } => view.to_string(),
            PbMsg::Forward { view, command } => format!("forward v{view} {}", command.describe()),
            PbMsg::ForwardOk { view, op, ok: true } => format!("ok v{view} {op}"),
            PbMsg::ForwardOk {
                view, ok: false, ..
            }
            | PbMsg::TransferOk { view, ok: false } => {
                format!("not the backup of v{view}")
            }
            PbMsg::Transfer { view, store } => {
                format!("transfer v{view} ({} keys)", store.data().len())
            }
            PbMsg::TransferOk { view, ok: true } => format!("installed v{view}"),
        }
    }

    fn timer_name(timer: &PbTimer) -> &'static str {
        match timer {
            PbTimer::Ping => "ping",
            PbTimer::Retry => "retry",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(_params: &PrimaryBackupParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all()
    }

    /// What the one-primary-per-view checker reads of a server.
    fn watched(&self) -> Watched {
        [self.role as u64, self.known.num, self.view.num, 0]
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
