//! A server: pings, following the view service's views, and its part in one: the primary's queue
//! of operations forwarded to the backup, state transfer to a new backup, the backup's checks,
//! and the clients' requests.

use super::{BreakIt, PbMsg, PbNote, PbTimer, PrimaryBackup, Queued, Role, View};
use crate::engine::ids::{NodeId, OpId};
use crate::engine::protocol::RequestInfo;
use crate::engine::sim::Ctx;
use crate::protocols::kv::store::KvStore;
use crate::protocols::kv::{Command, KvRequest, KvResponse};
use std::rc::Rc;

impl PrimaryBackup {
    pub(super) fn ping(&mut self, ctx: &mut Ctx<'_, Self>) {
        // A server the view names primary acknowledges it only as that primary, with its backup
        // synced. One that refused the part, holding no store (it restarted), must not: the
        // service would take the view as acknowledged and could promote a backup that never got
        // this primary's store. It keeps pinging the last view it acknowledged (0 after a
        // restart, so the service counts it restarted) and the view waits.
        let acknowledges = if self.role == Role::Primary {
            self.synced
        } else {
            self.known.primary != Some(self.id)
        };
        if acknowledges {
            self.acknowledged = self.known.num;
        }
        let viewnum = self.acknowledged;
        ctx.send(self.params.view_service, PbMsg::Ping { viewnum });
        if let Some(timer) = self.ping_timer.take() {
            ctx.cancel_timer(timer);
        }
        self.ping_timer = Some(ctx.set_timer(self.params.ping_us, PbTimer::Ping));
    }

    /// Follows a view from the view service, if it is newer than the one this server knows. The
    /// first view's primary starts with an empty store, unless it already acknowledged that view
    /// (then this server is that primary, restarted, and its store is lost).
    pub(super) fn adopt(&mut self, ctx: &mut Ctx<'_, Self>, view: View, acked: bool) {
        if view.num == self.known.num && acked && !self.confirmed {
            self.confirmed = true;
            self.send_next(ctx);
        }
        if view.num <= self.known.num {
            return;
        }
        self.confirmed = acked;
        let old = self.known;
        let was = self.role;
        self.known = view;
        let first = view.num == 1 && !acked;
        self.role = if view.primary == Some(self.id) && (self.holds_store || first) {
            self.holds_store = true;
            Role::Primary
        } else if view.backup == Some(self.id) {
            Role::Backup
        } else {
            Role::Idle
        };
        if was != self.role || self.role != Role::Idle {
            ctx.note(PbNote::Role {
                role: self.role,
                view: view.num,
                was,
            });
        }
        match self.role {
            Role::Primary => {
                // A backup it already brought up to date keeps its store; a new one needs it all.
                let same_backup = was == Role::Primary && old.backup == view.backup;
                self.synced = view.backup.is_none() || (same_backup && self.synced);
                if self.synced {
                    // Acknowledge the view at once rather than at the next ping.
                    self.ping(ctx);
                }
                self.send_next(ctx);
            }
            Role::Backup => {
                self.installed = was == Role::Backup && old.primary == view.primary;
                self.drop_queue(ctx);
            }
            Role::Idle => {
                self.installed = false;
                self.holds_store = false;
                self.drop_queue(ctx);
            }
        }
        self.unpark(ctx);
    }

    /// A server that is no longer primary sends its waiting clients to the new one.
    fn drop_queue(&mut self, ctx: &mut Ctx<'_, Self>) {
        for queued in std::mem::take(&mut self.queue) {
            if let Some(primary) = self.known.primary {
                for request in queued.requests {
                    ctx.reply(request, KvResponse::Redirect(primary));
                }
            }
        }
    }

    pub(super) fn unpark(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.view().primary.is_none() {
            return;
        }
        for (req, op) in std::mem::take(&mut self.parked) {
            self.on_client(ctx, req, &op);
        }
    }

    pub(super) fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        if self.role != Role::Primary {
            // The view service knows the primary from its own view.
            match self.view().primary {
                Some(primary) if primary != self.id => {
                    ctx.reply(req.id, KvResponse::Redirect(primary));
                }
                _ => self.parked.push((req, op.clone())),
            }
            return;
        }
        if let Some(result) = self.kv.result(req.op) {
            ctx.reply(req.id, result.clone());
            return;
        }
        if let (KvRequest::Get { key }, BreakIt::LocalReads) = (op, self.params.break_it) {
            ctx.reply(req.id, self.kv.read(key));
            return;
        }
        if let Some(queued) = self.queue.iter_mut().find(|q| q.op == req.op) {
            queued.requests.push(req.id);
            return;
        }
        let command = Command::from_request(req.op, op);
        self.queue.push_back(Queued {
            op: req.op,
            command: Rc::new(command),
            requests: vec![req.id],
        });
        if self.queue.len() == 1 {
            self.send_next(ctx);
        }
    }

    /// The primary's next step: the store to a new backup, else the first operation to the
    /// backup (or, with no backup, applied at once), with a retry if no answer comes.
    pub(super) fn send_next(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role != Role::Primary {
            return;
        }
        let view = self.known.num;
        let Some(backup) = self.known.backup else {
            if !self.confirmed {
                return;
            }
            while let Some(queued) = self.queue.pop_front() {
                self.apply(ctx, queued);
            }
            return;
        };
        if !self.synced {
            let store = Rc::new(self.kv.clone());
            ctx.send(backup, PbMsg::Transfer { view, store });
        } else if let Some(queued) = self.queue.front().filter(|_| self.confirmed) {
            let command = queued.command.clone();
            ctx.send(backup, PbMsg::Forward { view, command });
        } else {
            return;
        }
        if let Some(timer) = self.retry.take() {
            ctx.cancel_timer(timer);
        }
        self.retry = Some(ctx.set_timer(self.params.retry_us, PbTimer::Retry));
    }

    /// Applies an operation here and answers its clients.
    fn apply(&mut self, ctx: &mut Ctx<'_, Self>, queued: Queued) {
        if let Some(result) = self.kv.apply(&queued.command) {
            for request in queued.requests {
                ctx.reply(request, result.clone());
            }
        }
    }

    pub(super) fn on_forward_ok(&mut self, ctx: &mut Ctx<'_, Self>, view: u64, op: OpId, ok: bool) {
        let current = self.role == Role::Primary && view == self.known.num;
        if !ok || !current || self.queue.front().is_none_or(|q| q.op != op) {
            return;
        }
        if let Some(queued) = self.queue.pop_front() {
            self.apply(ctx, queued);
        }
        self.send_next(ctx);
    }

    pub(super) fn on_transfer_ok(&mut self, ctx: &mut Ctx<'_, Self>, view: u64, ok: bool) {
        if ok && self.role == Role::Primary && view == self.known.num && !self.synced {
            self.synced = true;
            self.ping(ctx);
            self.send_next(ctx);
        }
    }

    /// Whether a forward or transfer for `view` from `from` comes from this backup's primary.
    fn sent_by_my_primary(&self, from: NodeId, view: u64) -> bool {
        self.role == Role::Backup && view == self.known.num && self.known.primary == Some(from)
    }

    pub(super) fn on_forward(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        view: u64,
        command: &Rc<Command>,
    ) {
        let Some(op) = command.op() else {
            return;
        };
        let ok = self.sent_by_my_primary(from, view) && self.installed;
        if ok {
            self.kv.apply(command);
        }
        ctx.send(from, PbMsg::ForwardOk { view, op, ok });
    }

    pub(super) fn on_transfer(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        view: u64,
        store: &Rc<KvStore>,
    ) {
        let ok = self.sent_by_my_primary(from, view);
        if ok {
            self.kv = (**store).clone();
            self.installed = true;
            self.holds_store = true;
        }
        ctx.send(from, PbMsg::TransferOk { view, ok });
    }
}
