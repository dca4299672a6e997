//! The configuration master: who is alive, from the servers' pings, and the next configuration
//! when a member has failed, a live server can start joining, or the joining server is ready.

use super::{Chain, ChainMsg, ChainNote, ChainTimer, Config};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;
use std::rc::Rc;

impl Chain {
    /// Starts (or restarts) the master from its stored configuration, counting every server alive
    /// from now, so a restart does not declare everyone dead at once. The first configuration
    /// chains every server in order of their names: all start with the same empty store.
    pub(super) fn start_master(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.config = ctx.stable().config.clone();
        self.last_ping = vec![ctx.monotonic(); self.nodes as usize];
        self.reported = vec![None; self.nodes as usize];
        if self.config.num == 0 {
            let chain: Vec<NodeId> = (0..self.nodes)
                .map(NodeId)
                .filter(|&n| n != self.id)
                .collect();
            self.move_to(ctx, chain, None, Vec::new());
        }
        ctx.set_timer(self.params.ping_us, ChainTimer::Ping);
    }

    /// A ping reports the configuration whose state the server holds and, from the tail, whether
    /// the server joining behind it holds the store.
    pub(super) fn on_ping(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        report: (u64, bool),
        at: i64,
    ) {
        self.last_ping[from.index()] = ctx.monotonic();
        self.reported[from.index()] = Some(report);
        self.decide(ctx);
        let config = self.config.clone();
        ctx.send(
            from,
            ChainMsg::ConfigIs {
                config,
                echo: Some(at),
            },
        );
    }

    pub(super) fn tick(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.decide(ctx);
        ctx.set_timer(self.params.ping_us, ChainTimer::Ping);
    }

    /// Whether `node` pinged recently, and (for a member) did not say it lost its store.
    fn alive(&self, ctx: &Ctx<'_, Self>, node: NodeId) -> bool {
        let silence = ctx.monotonic() - self.last_ping[node.index()];
        let limit = i64::from(self.params.dead_pings) * self.params.ping_us as i64;
        let member = self.config.position(node).is_some();
        let restarted = member && self.reported[node.index()].is_some_and(|(holds, _)| holds == 0);
        !restarted && silence < limit
    }

    /// Removes dead members (never the last: it may be the only one holding the data), drops a
    /// joining server that died or whose tail left, admits one the tail says holds its store, and
    /// picks the lowest-numbered live server outside the chain to join next.
    fn decide(&mut self, ctx: &mut Ctx<'_, Self>) {
        let old = &self.config;
        let (alive, dead): (Vec<NodeId>, Vec<NodeId>) =
            old.chain.iter().partition(|&&n| self.alive(ctx, n));
        let (mut chain, removed) = if alive.is_empty() {
            (dead, Vec::new())
        } else {
            (alive, dead)
        };
        let mut joining = old
            .joining
            .filter(|&j| self.alive(ctx, j) && chain.last() == old.chain.last());
        let tail_ready = old
            .tail()
            .is_some_and(|t| self.reported[t.index()] == Some((old.num, true)));
        if let Some(j) = joining
            && tail_ready
        {
            chain.push(j);
            joining = None;
            // What it reported before it held the store says nothing of it as a member.
            self.reported[j.index()] = None;
        }
        if joining.is_none() && chain.len() == old.chain.len() {
            joining = (0..self.nodes).map(NodeId).find(|&n| {
                n != self.id && !chain.contains(&n) && self.alive(ctx, n) && !removed.contains(&n)
            });
        }
        if chain[..] != old.chain[..] || joining != old.joining {
            self.move_to(ctx, chain, joining, removed);
        }
    }

    fn move_to(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        chain: Vec<NodeId>,
        joining: Option<NodeId>,
        removed: Vec<NodeId>,
    ) {
        let config = Config {
            num: self.config.num + 1,
            chain: Rc::from(chain),
            joining,
        };
        self.config = config.clone();
        let stored = config.clone();
        ctx.persist("config", |st| st.config = stored);
        ctx.note(ChainNote::NewConfig {
            config: config.clone(),
            removed: removed.clone(),
        });
        // Tell the servers at once rather than at their next ping, the removed ones too.
        let told = config.chain.iter().copied().chain(joining).chain(removed);
        for server in told {
            let config = config.clone();
            ctx.send(server, ChainMsg::ConfigIs { config, echo: None });
        }
    }
}
