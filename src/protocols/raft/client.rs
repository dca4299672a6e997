//! Client requests: redirects to the leader, requests parked while no leader is known, retries of
//! operations already in the log, and reads, through the log or with a read index (section 8).

use super::{Command, Entry, KvRequest, KvResponse, LogIndex, Raft, ReadMode, Role};
use crate::engine::ids::RequestId;
use crate::engine::protocol::RequestInfo;
use crate::engine::sim::Ctx;
use std::rc::Rc;

/// A get waiting for its read index to be confirmed and applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PendingRead {
    request: RequestId,
    key: String,
    read_index: LogIndex,
    round: u64,
}

impl Raft {
    /// Answers read-index gets whose round a majority confirmed and whose index is applied.
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role != Role::Leader || self.reads.is_empty() {
            return;
        }
        let mut acked: Vec<u64> = ctx.peers().map(|p| self.acked_round[p.index()]).collect();
        acked.sort_unstable_by(|a, b| b.cmp(a));
        let confirmed = match self.majority() - 1 {
            0 => u64::MAX,
            k => acked[k - 1],
        };
        let applied = self.last_applied;
        let (ready, waiting): (Vec<PendingRead>, Vec<PendingRead>) =
            std::mem::take(&mut self.reads)
                .into_iter()
                .partition(|r| r.round <= confirmed && r.read_index <= applied);
        self.reads = waiting;
        for read in ready {
            ctx.reply(read.request, self.kv.read(&read.key));
        }
    }

    /// Handles the requests parked while no leader was known, now that one is.
    pub(super) fn unpark(&mut self, ctx: &mut Ctx<'_, Self>) {
        for (req, op) in std::mem::take(&mut self.parked) {
            self.on_client(ctx, req, &op);
        }
    }

    pub(super) fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        if self.role != Role::Leader {
            match self.leader {
                Some(leader) => ctx.reply(req.id, KvResponse::Redirect(leader)),
                None => self.parked.push((req, op.clone())),
            }
            return;
        }
        if let Some(result) = self.kv.result(req.op) {
            ctx.reply(req.id, result.clone());
            return;
        }
        if let (KvRequest::Get { key }, ReadMode::ReadIndex) = (op, self.params.reads) {
            self.round += 1;
            self.reads.push(PendingRead {
                request: req.id,
                key: key.clone(),
                read_index: self.commit_index.max(self.term_start),
                round: self.round,
            });
            self.replicate(ctx);
            self.serve_reads(ctx);
            return;
        }
        // A retry of an operation already in the uncommitted log waits for that entry.
        let retry = self
            .log
            .range(self.commit_index.0 as usize..self.log.len())
            .any(|e| e.command.op() == Some(req.op));
        if retry {
            self.pending.entry(req.op).or_default().push(req.id);
            return;
        }
        let command = Command::from_request(req.op, op);
        self.pending.entry(req.op).or_default().push(req.id);
        self.append(
            ctx,
            Entry {
                term: self.current_term,
                command: Rc::new(command),
            },
        );
        self.replicate(ctx);
        self.advance_commit(ctx);
    }
}
