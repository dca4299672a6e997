//! The inspector's view of a three-phase commit node.

use super::{COORDINATOR, Phase, ThreePhaseCommit};
use crate::engine::protocol::{NodeView, ViewTable};
use crate::protocols::two_phase_commit::{outcome, votes_row};

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn phase(phase: Phase) -> &'static str {
    match phase {
        Phase::Uncertain => "uncertain",
        Phase::PreCommitted => "pre-committed",
        Phase::Committed => "committed",
        Phase::Aborted => "aborted",
    }
}

pub(super) fn view(node: &ThreePhaseCommit) -> NodeView {
    let undecided = |tx: &u64| !node.outcomes.contains_key(tx);
    let uncertain: Vec<String> = node
        .votes
        .iter()
        .filter(|&(tx, &yes)| yes && undecided(tx) && !node.precommitted.contains(tx))
        .map(|(tx, _)| format!("t{tx}"))
        .collect();
    let precommitted: Vec<String> = node
        .precommitted
        .iter()
        .filter(|tx| undecided(tx))
        .map(|tx| format!("t{tx}"))
        .collect();
    let recovering: Vec<String> = node.recovering.keys().map(|tx| format!("t{tx}")).collect();
    let following: Vec<String> = node
        .following
        .iter()
        .filter(|(_, f)| f.epoch > 0)
        .map(|(tx, f)| format!("t{tx} epoch {}", f.epoch))
        .collect();
    // The latest outcomes, newest first: enough to follow a lesson without a long list.
    let decided: Vec<String> = node
        .outcomes
        .iter()
        .rev()
        .take(8)
        .map(|(tx, commit)| format!("t{tx} {}", outcome(*commit)))
        .collect();
    let role = if !node.gathering.is_empty()
        || node.acking.keys().any(|tx| node.following.contains_key(tx))
    {
        "recovery coordinator"
    } else if node.id == COORDINATOR {
        "coordinator"
    } else if !node.recovering.is_empty() {
        "recovering"
    } else if !precommitted.is_empty() {
        "pre-committed"
    } else if !uncertain.is_empty() {
        "uncertain"
    } else {
        "participant"
    };
    let mut fields = Vec::new();
    if node.id != COORDINATOR {
        fields.push(("uncertain".to_string(), list(uncertain)));
    }
    fields.push(("pre-committed".to_string(), list(precommitted)));
    fields.push(("recovering".to_string(), list(recovering)));
    if !following.is_empty() {
        fields.push(("following".to_string(), list(following)));
    }
    fields.push(("decided".to_string(), list(decided)));
    let mut tables = Vec::new();
    if node.id == COORDINATOR {
        tables.push(ViewTable {
            title: "Waiting for votes".into(),
            columns: vec!["transaction".into(), "votes so far".into()],
            rows: node
                .voting
                .iter()
                .map(|(tx, v)| votes_row(*tx, &v.votes))
                .collect(),
        });
    }
    if !node.acking.is_empty() {
        tables.push(ViewTable {
            title: "Waiting for acknowledgements".into(),
            columns: vec!["transaction".into(), "epoch".into(), "from".into()],
            rows: node
                .acking
                .iter()
                .map(|(tx, a)| {
                    let waiting: Vec<String> = a.waiting.iter().map(|n| n.to_string()).collect();
                    vec![format!("t{tx}"), a.epoch.to_string(), waiting.join(", ")]
                })
                .collect(),
        });
    }
    if !node.gathering.is_empty() {
        tables.push(ViewTable {
            title: "States collected".into(),
            columns: vec!["transaction".into(), "epoch".into(), "states".into()],
            rows: node
                .gathering
                .iter()
                .map(|(tx, g)| {
                    let states: Vec<String> = g
                        .reports
                        .iter()
                        .map(|(n, r)| {
                            let recovering = if r.active { "" } else { ", recovering" };
                            format!("{n}: {}{recovering}", phase(r.phase))
                        })
                        .collect();
                    vec![format!("t{tx}"), g.epoch.to_string(), states.join("; ")]
                })
                .collect(),
        });
    }
    NodeView {
        role: Some(role.into()),
        fields,
        tables,
        log: Vec::new(),
    }
}
