//! The inspector's picture of a Raft server: role, term, vote, commit and apply progress, the log,
//! the key-value store, with local reads whether the server serves them and its pending syncs, and
//! on a leader each follower's nextIndex and matchIndex.

use crate::engine::ids::NodeId;
use crate::engine::protocol::{LogCell, NodeView, ViewTable};
use crate::protocols::raft::{Raft, ReadMode, Role};

/// The inspector shows at most this many of the newest log entries, so a long run's view stays
/// cheap to build every frame.
const SHOWN_ENTRIES: usize = 100;

pub fn view(raft: &Raft) -> NodeView {
    let name = |n: Option<NodeId>| n.map_or_else(|| "none".to_string(), |n| n.to_string());
    let log = raft.log();
    let first = log.len().saturating_sub(SHOWN_ENTRIES);
    let log_rows = log
        .range(first..log.len())
        .enumerate()
        .map(|(i, entry)| {
            let index = (first + i) as u64 + 1;
            vec![
                index.to_string(),
                entry.term.0.to_string(),
                entry.command.describe(),
                if index <= raft.commit_index().0 {
                    "yes"
                } else {
                    "no"
                }
                .to_string(),
            ]
        })
        .collect();
    let mut fields = vec![
        ("term".to_string(), raft.current_term().0.to_string()),
        ("votedFor".to_string(), name(raft.voted_for())),
        ("leader".to_string(), name(raft.leader())),
        ("commitIndex".to_string(), raft.commit_index().0.to_string()),
        ("lastApplied".to_string(), raft.last_applied().0.to_string()),
        ("log length".to_string(), log.len().to_string()),
    ];
    if raft.params.reads == ReadMode::Local {
        let reads = if raft.catching_up {
            "held: catching up after a restart"
        } else {
            "answered from this server's store"
        };
        fields.push(("reads".to_string(), reads.to_string()));
    }
    if first > 0 {
        fields.push((
            "log shown".to_string(),
            format!("the newest {SHOWN_ENTRIES} entries"),
        ));
    }
    let mut tables = vec![
        ViewTable {
            title: "Log".into(),
            columns: vec![
                "index".into(),
                "term".into(),
                "command".into(),
                "committed".into(),
            ],
            rows: log_rows,
        },
        raft.kv().table(),
    ];
    let syncs = raft.sync_rows();
    if !syncs.is_empty() {
        tables.push(ViewTable {
            title: "Syncs".into(),
            columns: vec![
                "sync".into(),
                "for".into(),
                "read index".into(),
                "waiting gets".into(),
            ],
            rows: syncs,
        });
    }
    if raft.role() == Role::Leader {
        tables.push(ViewTable {
            title: "Replication".into(),
            columns: vec!["follower".into(), "nextIndex".into(), "matchIndex".into()],
            rows: raft
                .followers()
                .map(|(peer, next, matched)| {
                    vec![peer.to_string(), next.0.to_string(), matched.0.to_string()]
                })
                .collect(),
        });
    }
    let log = log
        .range(first..log.len())
        .enumerate()
        .map(|(i, entry)| {
            let index = (first + i) as u64 + 1;
            LogCell {
                index,
                term: entry.term.0,
                command: entry.command.describe(),
                committed: index <= raft.commit_index().0,
            }
        })
        .collect();
    NodeView {
        role: Some(raft.role().name().to_string()),
        fields,
        tables,
        log,
    }
}
