//! A server: pings and leases, following the master's configurations, and the flow of updates:
//! down the chain from the head, acknowledgements back up from the tail, the store to a server
//! joining at the tail, and resending to a new successor what it lacks.

use super::{Chain, ChainMsg, ChainNote, ChainTimer, Config, Entry, Logged, Role};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;
use crate::protocols::kv::KvResponse;
use crate::protocols::kv::store::KvStore;
use std::rc::Rc;

impl Chain {
    /// A server that never ran before holds the empty store every server starts with, the state
    /// of the first configuration; a restarted one holds nothing.
    pub(super) fn start_server(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !ctx.stable().booted {
            ctx.persist("booted", |st| st.booted = true);
            self.holds = 1;
        }
        self.ping(ctx);
    }

    pub(super) fn ping(&mut self, ctx: &mut Ctx<'_, Self>) {
        let sent_at = ctx.monotonic();
        let holds = self.holds;
        let ready = self.acts_as_tail() && self.known.joining.is_some() && self.succ_has.is_some();
        let ping = ChainMsg::Ping {
            holds,
            ready,
            sent_at,
        };
        ctx.send(self.params.master, ping);
        if let Some(timer) = self.ping_timer.take() {
            ctx.cancel_timer(timer);
        }
        self.ping_timer = Some(ctx.set_timer(self.params.ping_us, ChainTimer::Ping));
    }

    pub(super) fn has_lease(&self, ctx: &Ctx<'_, Self>) -> bool {
        self.is_member() && ctx.monotonic() < self.lease_until
    }

    /// Follows a configuration from the master if it is newer than the one this server knows,
    /// and takes the lease an answer to a ping grants a member.
    pub(super) fn adopt(&mut self, ctx: &mut Ctx<'_, Self>, config: &Config, echo: Option<i64>) {
        if config.num > self.known.num {
            self.follow(ctx, config);
        }
        if let Some(sent_at) = echo
            && config.num == self.known.num
            && self.is_member()
        {
            let until = sent_at.saturating_add(self.params.lease_us() as i64);
            if until > self.lease_until {
                self.lease_until = until;
                self.unpark(ctx);
            }
        }
    }

    fn follow(&mut self, ctx: &mut Ctx<'_, Self>, config: &Config) {
        let old = std::mem::replace(&mut self.known, config.clone());
        let was = self.role;
        // The successor, and whether it is only joining (then it needs the whole store).
        let old_successor = old.successor(self.id).map(|s| (s, old.joining == Some(s)));
        self.role = match config.position(self.id) {
            Some(_) if self.holds == 0 => Role::Idle,
            Some(i) if i + 1 == config.chain.len() => Role::Tail,
            Some(0) => Role::Head,
            Some(_) => Role::Middle,
            None if config.joining == Some(self.id) => Role::Joining,
            None => Role::Idle,
        };
        match self.role {
            // The tail sends the store again if it does not count this server as holding it.
            Role::Joining
                if self
                    .installed_from
                    .is_some_and(|(t, _)| config.tail() == Some(t)) =>
            {
                self.holds = config.num;
            }
            Role::Joining | Role::Idle => {
                self.redirect_all(ctx);
                self.forget();
            }
            _ => {
                self.holds = config.num;
                self.installed_from = None;
            }
        }
        if was != self.role || self.role.in_chain() {
            ctx.note(ChainNote::Role {
                role: self.role,
                config: config.num,
                was,
            });
        }
        if self.role.in_chain() {
            let successor = config
                .successor(self.id)
                .map(|s| (s, config.joining == Some(s)));
            if successor != old_successor || !was.in_chain() {
                // A new successor holds at least what the tail holds; a joining one needs it all.
                self.succ_has = match successor {
                    Some((_, true)) => None,
                    _ => Some(self.committed),
                };
            }
            // Every update in flight was sent in an older configuration: send it again.
            for logged in self.log.values_mut() {
                logged.sent_at = None;
            }
            // A new tail may hold updates the old tail acknowledged: all of them are committed.
            if self.last_in_line() || (self.acts_as_tail() && was != Role::Tail) {
                self.commit_to(ctx, self.last);
            }
            self.resend(ctx, false);
        }
        self.unpark(ctx);
    }

    /// Drops the store and everything in flight: this server is out of the chain.
    fn forget(&mut self) {
        self.holds = 0;
        self.kv = KvStore::default();
        self.log.clear();
        self.last = 0;
        self.committed = 0;
        self.succ_has = None;
        self.installed_from = None;
        self.lease_until = i64::MIN;
        self.queries.clear();
    }

    /// Whether an update, acknowledgement or transfer for configuration `config` from `from` comes
    /// from this server's predecessor (or, with `down`, its successor) in the configuration it
    /// knows.
    fn sent_by_neighbour(&self, from: NodeId, config: u64, down: bool) -> bool {
        if config != self.known.num || self.holds == 0 {
            return false;
        }
        if down {
            self.role.in_chain() && self.known.successor(self.id) == Some(from)
        } else if self.role == Role::Joining {
            self.known.tail() == Some(from)
        } else {
            self.role.in_chain() && self.known.predecessor(self.id) == Some(from)
        }
    }

    /// Whether this server answers for the chain: the tail, which holds only what it applied.
    pub(super) fn acts_as_tail(&self) -> bool {
        self.is_member() && self.known.tail() == Some(self.id)
    }

    /// Whether updates end here, so this server applies them on receipt: the tail with no server
    /// joining behind it, or a joining server. A tail with a server joining applies an update once
    /// that server holds it, so the joining server always holds every acknowledged write.
    pub(super) fn last_in_line(&self) -> bool {
        self.holds > 0 && self.known.successor(self.id).is_none()
    }

    pub(super) fn on_update(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        config: u64,
        entries: &Rc<[Entry]>,
    ) {
        if !self.sent_by_neighbour(from, config, false) {
            return;
        }
        let before = self.last;
        for entry in entries.iter().filter(|e| e.seq > self.last) {
            self.log.entry(entry.seq).or_insert_with(|| Logged {
                entry: entry.clone(),
                sent_at: None,
            });
        }
        while self.log.contains_key(&(self.last + 1)) {
            self.last += 1;
        }
        if self.last_in_line() {
            self.commit_to(ctx, self.last);
        }
        let news = self.last > before;
        if news {
            self.resend(ctx, false);
        }
        // The tail acknowledges what it applied; any server answers a resend it did not need,
        // so its predecessor learns what it holds.
        if self.last_in_line() || !news {
            self.ack_up(ctx, from);
        }
    }

    fn ack_up(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        let msg = ChainMsg::Ack {
            config: self.known.num,
            have: self.last,
            committed: self.committed,
        };
        ctx.send(to, msg);
    }

    pub(super) fn on_ack(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        config: u64,
        have: u64,
        committed: u64,
    ) {
        if !self.sent_by_neighbour(from, config, true) {
            return;
        }
        let joining = self.known.joining == Some(from);
        match self.succ_has {
            Some(had) => self.succ_has = Some(had.max(have)),
            // A joining server confirms the store with the update it ends at.
            None if joining => {
                self.succ_has = Some(have);
                // Tell the master at once that the joining server can be added.
                self.ping(ctx);
            }
            None => {}
        }
        if committed > self.committed {
            self.commit_to(ctx, committed.min(self.last));
            if let Some(predecessor) = self.known.predecessor(self.id) {
                self.ack_up(ctx, predecessor);
            }
        }
        self.trim();
        self.resend(ctx, false);
    }

    /// Applies every update up to `upto`; the tail answers their clients.
    pub(super) fn commit_to(&mut self, ctx: &mut Ctx<'_, Self>, upto: u64) {
        let answer = self.acts_as_tail();
        while self.committed < upto {
            self.committed += 1;
            let Some(logged) = self.log.get_mut(&self.committed) else {
                continue;
            };
            let result = self.kv.apply(&logged.entry.command);
            let requests = std::mem::take(&mut logged.entry.requests);
            if let (true, Some(result)) = (answer, result) {
                for request in requests {
                    ctx.reply(request, result.clone());
                }
            }
        }
        self.trim();
    }

    /// Forgets updates that are applied here and held by the successor.
    fn trim(&mut self) {
        let successor_has = if self.known.successor(self.id).is_some() && self.role.in_chain() {
            self.succ_has.unwrap_or(0)
        } else {
            u64::MAX
        };
        let keep_from = self.committed.min(successor_has) + 1;
        self.log = self.log.split_off(&keep_from);
    }

    /// Sends the successor what it lacks: the store first if it is joining, then every update it
    /// has not confirmed and that was not sent within `retry_us` (all of them unless `timed`).
    pub(super) fn resend(&mut self, ctx: &mut Ctx<'_, Self>, timed: bool) {
        let Some(successor) = self.known.successor(self.id).filter(|_| self.is_member()) else {
            return;
        };
        let config = self.known.num;
        let now = ctx.monotonic();
        let retry = self.params.retry_us as i64;
        let due = |sent_at: Option<i64>| sent_at.is_none_or(|at| timed && now - at >= retry);
        match self.succ_has {
            None if timed || self.retry.is_none() => {
                let store = Rc::new(self.kv.clone());
                let seq = self.committed;
                ctx.send(successor, ChainMsg::Transfer { config, seq, store });
            }
            None => {}
            Some(has) => {
                let tail = self.acts_as_tail();
                let from = (has + 1).min(self.last + 1);
                let entries: Vec<Entry> = self
                    .log
                    .range_mut(from..self.last + 1)
                    .filter(|(_, l)| due(l.sent_at))
                    .map(|(_, l)| {
                        l.sent_at = Some(now);
                        let mut entry = l.entry.clone();
                        if tail {
                            // The tail answers these clients itself.
                            entry.requests.clear();
                        }
                        entry
                    })
                    .collect();
                if !entries.is_empty() {
                    let entries = Rc::from(entries);
                    ctx.send(successor, ChainMsg::Update { config, entries });
                }
            }
        }
        let waiting = self.succ_has.is_none_or(|has| has < self.last);
        if waiting && self.retry.is_none() {
            self.retry = Some(ctx.set_timer(self.params.retry_us, ChainTimer::Retry));
        }
    }

    pub(super) fn on_transfer(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        config: u64,
        seq: u64,
        store: &Rc<KvStore>,
    ) {
        let joining = self.role == Role::Joining && config == self.known.num;
        if !joining || self.known.tail() != Some(from) {
            return;
        }
        // A copy of a store already installed (the tail sent it again) changes nothing.
        if self.installed_from != Some((from, config)) || seq > self.last {
            self.kv = (**store).clone();
            self.log.clear();
            self.last = seq;
            self.committed = seq;
            self.installed_from = Some((from, config));
            self.holds = config;
        }
        self.ack_up(ctx, from);
    }

    /// A server that left the chain sends its waiting clients on: writes to the head.
    pub(super) fn redirect_all(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(head) = self.known.head().filter(|&h| h != self.id) {
            for logged in self.log.values_mut() {
                for request in std::mem::take(&mut logged.entry.requests) {
                    ctx.reply(request, KvResponse::Redirect(head));
                }
            }
        }
    }
}
