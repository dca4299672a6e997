//! Clients' requests: writes enter at the head; reads are served by the tail, or with CRAQ by any
//! member, which asks the tail for the committed version when its copy of the key is dirty.

use super::{BreakIt, Chain, ChainMsg, Entry, Logged, Query};
use crate::engine::ids::NodeId;
use crate::engine::protocol::RequestInfo;
use crate::engine::sim::Ctx;
use crate::protocols::kv::{Command, KvRequest, KvResponse};
use std::rc::Rc;

impl Chain {
    /// Whether this server is the chain's head, with the chain's state.
    fn is_head(&self) -> bool {
        self.is_member() && self.known.head() == Some(self.id)
    }

    pub(super) fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        match op {
            KvRequest::Get { key } => self.on_get(ctx, req, key),
            _ => self.on_write(ctx, req, op),
        }
    }

    /// Sends a client to `to`, or keeps its request until this server knows where to send it.
    fn send_on(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        req: RequestInfo,
        op: &KvRequest,
        to: Option<NodeId>,
    ) {
        match to {
            Some(node) if node != self.id => ctx.reply(req.id, KvResponse::Redirect(node)),
            _ => self.parked.push((req, op.clone())),
        }
    }

    pub(super) fn unpark(&mut self, ctx: &mut Ctx<'_, Self>) {
        for (req, op) in std::mem::take(&mut self.parked) {
            self.on_client(ctx, req, &op);
        }
    }

    /// The head numbers a write and sends it down the chain; a write already applied is answered
    /// with its result.
    fn on_write(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        if !self.is_head() {
            let head = self.config().head();
            self.send_on(ctx, req, op, head);
            return;
        }
        if let Some(result) = self.kv.result(req.op) {
            ctx.reply(req.id, result.clone());
            return;
        }
        let mut requests = vec![req.id];
        if self.params.break_it == BreakIt::AckAtHead {
            ctx.reply(req.id, KvResponse::Ok);
            requests.clear();
        }
        let seq = self.last + 1;
        let command = Rc::new(Command::from_request(req.op, op));
        let entry = Entry {
            seq,
            command,
            requests,
        };
        self.log.insert(
            seq,
            Logged {
                entry,
                sent_at: None,
            },
        );
        self.last = seq;
        if self.last_in_line() {
            self.commit_to(ctx, seq);
        } else {
            self.resend(ctx, false);
        }
    }

    /// Whether a write to `key` is waiting for the tail here.
    fn is_dirty(&self, key: &str) -> bool {
        self.dirty().any(|e| match &*e.command {
            Command::Put { key: k, .. } | Command::Append { key: k, .. } => k == key,
            _ => false,
        })
    }

    fn on_get(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, key: &str) {
        let op = KvRequest::Get { key: key.into() };
        let serves = if self.params.craq {
            self.is_member()
        } else {
            self.acts_as_tail()
        };
        if !serves {
            let config = self.config();
            let to = if self.params.craq && !config.chain.is_empty() {
                Some(config.chain[req.op.index() % config.chain.len()])
            } else {
                config.tail()
            };
            self.send_on(ctx, req, &op, to);
            return;
        }
        if !self.has_lease(ctx) {
            self.parked.push((req, op));
            return;
        }
        let clean = self.acts_as_tail() || !self.is_dirty(key);
        if clean || self.params.break_it == BreakIt::NoVersionCheck {
            self.reads += 1;
            ctx.reply(req.id, self.kv.read(key));
            return;
        }
        let Some(tail) = self.known.tail() else {
            self.parked.push((req, op));
            return;
        };
        let query = self.next_query;
        self.next_query += 1;
        self.queries.push(Query {
            query,
            request: req,
            key: key.to_string(),
        });
        let key = key.to_string();
        ctx.send(tail, ChainMsg::VersionQuery { key, query });
    }

    /// The tail tells a member which update it has committed last.
    pub(super) fn on_version_query(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        _key: &str,
        query: u32,
    ) {
        if self.acts_as_tail() && self.has_lease(ctx) {
            let seq = self.committed;
            ctx.send(from, ChainMsg::Version { query, seq });
        }
    }

    /// Answers a dirty read with the key's value as of the update the tail committed last.
    pub(super) fn on_version(&mut self, ctx: &mut Ctx<'_, Self>, query: u32, seq: u64) {
        let Some(at) = self.queries.iter().position(|q| q.query == query) else {
            return;
        };
        let Query { request, key, .. } = self.queries.swap_remove(at);
        if seq > self.last || !self.has_lease(ctx) {
            // This server's log cannot say what the tail's version holds: ask again later.
            self.parked.push((request, KvRequest::Get { key }));
            return;
        }
        let mut version = self.kv.clone();
        for logged in self
            .log
            .range(self.committed + 1..(seq + 1).max(self.committed + 1))
            .map(|(_, l)| l)
        {
            version.apply(&logged.entry.command);
        }
        self.reads += 1;
        self.dirty_reads += 1;
        ctx.reply(request.id, version.read(&key));
    }
}
