//! The inspector's view of a Paxos Commit node: its role, what it is in doubt about, the rounds it
//! leads, each instance's acceptances as its leader counted them (value per acceptor, chosen or
//! not), what it accepted as an acceptor, and its decisions.

use super::{Ballot, COORDINATOR, PaxosCommit, Value};
use crate::engine::protocol::{NodeView, ViewTable};
use crate::protocols::two_phase_commit::outcome;

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The newest transactions a table shows: enough to follow a lesson without a long list.
const NEWEST: usize = 8;

pub(super) fn view(node: &PaxosCommit) -> NodeView {
    let in_doubt: Vec<String> = node
        .votes
        .iter()
        .filter(|&(tx, &yes)| yes && !node.outcomes.contains_key(tx))
        .map(|(tx, _)| format!("t{tx}"))
        .collect();
    let leading: Vec<String> = node
        .leading
        .iter()
        .map(|(tx, r)| {
            let phase = if r.proposed.is_some() { 2 } else { 1 };
            format!("t{tx} ballot {} (phase {phase})", r.ballot)
        })
        .collect();
    let decided: Vec<String> = node
        .outcomes
        .iter()
        .rev()
        .take(NEWEST)
        .map(|(tx, commit)| format!("t{tx} {}", outcome(*commit)))
        .collect();
    let role = if !node.leading.is_empty() {
        "leader"
    } else if node.id == COORDINATOR {
        "coordinator"
    } else if !in_doubt.is_empty() {
        "in doubt"
    } else if node.is_acceptor() {
        "acceptor"
    } else {
        "participant"
    };
    let mut fields = Vec::new();
    if node.id != COORDINATOR {
        fields.push(("in doubt".to_string(), list(in_doubt)));
    }
    fields.push(("leading".to_string(), list(leading)));
    fields.push(("decided".to_string(), list(decided)));
    let mut tables = Vec::new();
    if !node.tallies.is_empty() {
        tables.push(tally_table(node));
    }
    if node.is_acceptor() {
        tables.push(accepted_table(node));
    }
    NodeView {
        role: Some(role.into()),
        fields,
        tables,
        log: Vec::new(),
    }
}

fn word(value: Value) -> String {
    value.word().to_string()
}

/// Per instance, the highest ballot with acceptances this node counted, the value each acceptor
/// accepted in it, and whether it is chosen.
fn tally_table(node: &PaxosCommit) -> ViewTable {
    let acceptors: Vec<_> = node.acceptors().collect();
    let mut columns = vec![
        "transaction".to_string(),
        "instance".to_string(),
        "ballot".to_string(),
    ];
    columns.extend(acceptors.iter().map(|a| a.to_string()));
    columns.push("chosen".to_string());
    let mut rows = Vec::new();
    for (tx, tally) in node.tallies.iter().rev().take(NEWEST).rev() {
        for participant in node.participants() {
            let newest = tally
                .votes
                .iter()
                .filter(|((p, _), _)| *p == participant)
                .max_by_key(|((_, b), _)| *b);
            let Some(((_, ballot), (value, by))) = newest else {
                continue;
            };
            let mut row = vec![
                format!("t{tx}"),
                participant.to_string(),
                ballot.to_string(),
            ];
            row.extend(acceptors.iter().map(|a| {
                if by.contains(a) {
                    word(*value)
                } else {
                    "—".to_string()
                }
            }));
            row.push(
                tally
                    .chosen
                    .get(&participant)
                    .map_or("no".into(), |&v| word(v)),
            );
            rows.push(row);
        }
    }
    ViewTable {
        title: "Acceptances counted".into(),
        columns,
        rows,
    }
}

/// What this acceptor promised and accepted, per instance of its newest transactions.
fn accepted_table(node: &PaxosCommit) -> ViewTable {
    let mut txs: Vec<u64> = node.promised.keys().copied().collect();
    txs.extend(node.accepted.keys().map(|&(tx, _)| tx));
    txs.sort_unstable();
    txs.dedup();
    let start = txs.len().saturating_sub(NEWEST);
    let mut rows = Vec::new();
    for &tx in &txs[start..] {
        let promised = node.promised.get(&tx).copied().unwrap_or(Ballot::ZERO);
        for participant in node.participants() {
            let accepted = node
                .accepted
                .get(&(tx, participant))
                .map_or("nothing".to_string(), |(b, v)| {
                    format!("{} in {b}", v.word())
                });
            rows.push(vec![
                format!("t{tx}"),
                participant.to_string(),
                promised.to_string(),
                accepted,
            ]);
        }
    }
    ViewTable {
        title: "Accepted here".into(),
        columns: vec![
            "transaction".into(),
            "instance".into(),
            "promised".into(),
            "accepted".into(),
        ],
        rows,
    }
}
