//! The view service: who is alive, from their pings, and the next view when the primary or the
//! backup has failed or an idle server can become the backup.

use super::{PbMsg, PbNote, PbTimer, PrimaryBackup, View};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;

impl PrimaryBackup {
    /// Starts (or restarts) the service from its stored view, counting every server alive from
    /// now, so a restart does not declare everyone dead at once.
    pub(super) fn start_view_service(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable();
        self.view = stable.view;
        self.acked = stable.acked;
        self.last_ping = vec![ctx.monotonic(); self.nodes as usize];
        self.restarted = vec![false; self.nodes as usize];
        ctx.set_timer(self.params.ping_us, PbTimer::Ping);
    }

    pub(super) fn on_ping(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, viewnum: u64) {
        let s = from.index();
        self.last_ping[s] = ctx.monotonic();
        let in_view = self.view.primary == Some(from) || self.view.backup == Some(from);
        // A server in the view that pings 0 has restarted and lost its store.
        self.restarted[s] = viewnum == 0 && in_view && self.view.num > 0;
        if self.view.primary == Some(from) && viewnum == self.view.num && !self.acked {
            self.acked = true;
            ctx.persist("acked", |st| st.acked = true);
        }
        if self.view.primary.is_none() {
            // The first server to ping becomes the first primary.
            self.move_to(ctx, Some(from), None);
        }
        self.decide(ctx);
        let (view, acked) = (self.view, self.acked);
        ctx.send(from, PbMsg::ViewIs { view, acked });
    }

    pub(super) fn tick(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.decide(ctx);
        ctx.set_timer(self.params.ping_us, PbTimer::Ping);
    }

    fn alive(&self, ctx: &Ctx<'_, Self>, node: NodeId) -> bool {
        let silence = ctx.monotonic() - self.last_ping[node.index()];
        let limit = i64::from(self.params.dead_pings) * self.params.ping_us as i64;
        !self.restarted[node.index()] && silence < limit
    }

    /// The lowest-numbered live server outside the view.
    fn idle(&self, ctx: &Ctx<'_, Self>) -> Option<NodeId> {
        (0..self.nodes).map(NodeId).find(|&n| {
            n != self.id
                && Some(n) != self.view.primary
                && Some(n) != self.view.backup
                && self.alive(ctx, n)
        })
    }

    /// Moves to the next view if one is due and the primary acknowledged the current one.
    fn decide(&mut self, ctx: &mut Ctx<'_, Self>) {
        let view = self.view;
        let next = match (view.primary, view.backup) {
            _ if !self.acked => None,
            (None, _) => None,
            (Some(p), backup) if !self.alive(ctx, p) => match backup {
                // Only the backup holds the store: promote it, or wait (for ever) if it is gone.
                Some(b) if self.alive(ctx, b) => Some((Some(b), self.idle(ctx))),
                _ => None,
            },
            (Some(p), Some(b)) if !self.alive(ctx, b) => Some((Some(p), self.idle(ctx))),
            (Some(p), None) => self.idle(ctx).map(|b| (Some(p), Some(b))),
            _ => None,
        };
        if let Some((primary, backup)) = next {
            self.move_to(ctx, primary, backup);
        }
        self.unpark(ctx);
    }

    pub(super) fn move_to(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        primary: Option<NodeId>,
        backup: Option<NodeId>,
    ) {
        let view = View {
            num: self.view.num + 1,
            primary,
            backup,
        };
        self.view = view;
        self.acked = false;
        ctx.persist("view", |st| {
            st.view = view;
            st.acked = false;
        });
        ctx.note(PbNote::NewView { view });
    }
}
