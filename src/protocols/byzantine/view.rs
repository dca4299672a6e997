//! The inspector's view of a general: its role, what it heard, its decision, the n > 3m bound,
//! and the messages of each round against OM(m)'s count.

use super::{Algorithm, Byzantine, COMMANDER, oral_round_messages};
use crate::engine::protocol::{NodeView, ViewTable};

pub(super) fn view(general: &Byzantine) -> NodeView {
    let p = &general.params;
    let n = general.nodes;
    let mut fields = vec![("algorithm".to_string(), p.title())];
    if general.id == COMMANDER {
        fields.push(("order".into(), p.order.word().into()));
    } else {
        let decision = general
            .decision
            .map_or_else(|| "not yet".to_string(), |d| d.word().to_string());
        fields.push(("decision".into(), decision));
    }
    let bound = match p.algorithm {
        Algorithm::Oral if n > 3 * p.m => format!(
            "n = {n} > 3m = {}: OM({}) tolerates {} traitors",
            3 * p.m,
            p.m,
            p.m
        ),
        Algorithm::Oral => format!(
            "n = {n} ≤ 3m = {}: too few generals for OM({}) to tolerate {} traitors",
            3 * p.m,
            p.m,
            p.m
        ),
        Algorithm::Signed => format!(
            "SM({}) tolerates {} traitors with any number of generals",
            p.m, p.m
        ),
    };
    fields.push(("bound".into(), bound));
    if p.algorithm == Algorithm::Signed && general.id != COMMANDER {
        fields.push(("forgeries rejected".into(), general.rejected.to_string()));
    }
    let mut tables = Vec::new();
    let rounds = p.m + 1;
    tables.push(ViewTable {
        title: format!("Messages per round ({})", p.title()),
        columns: vec![
            "round".into(),
            "OM(m) sends in all".into(),
            "received here".into(),
        ],
        rows: (1..=rounds)
            .map(|round| {
                let here = general
                    .per_round
                    .get(round as usize - 1)
                    .copied()
                    .unwrap_or(0);
                vec![
                    round.to_string(),
                    oral_round_messages(n, round).to_string(),
                    here.to_string(),
                ]
            })
            .collect(),
    });
    if !general.heard.is_empty() {
        tables.push(ViewTable {
            title: "Heard (oral)".into(),
            columns: vec!["path".into(), "value".into()],
            rows: general
                .heard
                .iter()
                .map(|(path, value)| {
                    let path: Vec<String> = path.iter().map(ToString::to_string).collect();
                    vec![path.join("→"), value.word().into()]
                })
                .collect(),
        });
    }
    if !general.seen.is_empty() {
        tables.push(ViewTable {
            title: "Signed orders accepted".into(),
            columns: vec!["order".into(), "first signed by".into()],
            rows: general
                .seen
                .iter()
                .map(|(value, chain)| {
                    let chain: Vec<String> = chain.iter().map(ToString::to_string).collect();
                    vec![value.word().into(), chain.join(":")]
                })
                .collect(),
        });
    }
    let role = if general.id == COMMANDER {
        "commander"
    } else {
        match general.decision {
            None => "lieutenant",
            Some(super::Order::Attack) => "attacking",
            Some(super::Order::Retreat) => "retreating",
        }
    };
    NodeView {
        role: Some(role.into()),
        fields,
        tables,
        log: Vec::new(),
    }
}
