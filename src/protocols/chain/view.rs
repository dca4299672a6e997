//! The inspector's picture of a chain-replication node: on the master its configuration and each
//! server's last ping; on a server its place in the chain, how far updates reached it, its lease,
//! the reads it served, and its store (with CRAQ, each key's clean and dirty versions).

use super::{Chain, Config};
use crate::engine::ids::join_nodes;
use crate::engine::protocol::{NodeView, ViewTable};
use crate::engine::time::format_us;
use crate::protocols::kv::Command;
use crate::protocols::primary_backup::view::pings_table;
use std::collections::BTreeMap;

fn config_fields(config: &Config) -> Vec<(String, String)> {
    let mut fields = vec![
        ("config".to_string(), config.num.to_string()),
        ("chain".to_string(), join_nodes(&config.chain, " → ")),
    ];
    if let Some(joining) = config.joining {
        fields.push(("joining".to_string(), joining.to_string()));
    }
    fields
}

pub fn view(node: &Chain) -> NodeView {
    let mut fields = config_fields(node.config());
    let mut tables = Vec::new();
    if node.is_master() {
        tables.push(pings_table(node.pings()));
        return NodeView {
            role: Some("master".to_string()),
            fields,
            tables,
            log: Vec::new(),
        };
    }
    fields.push(("updates received".to_string(), node.last().to_string()));
    fields.push(("committed".to_string(), node.committed().to_string()));
    if node.is_member() {
        fields.push((
            "lease".to_string(),
            format!(
                "serves reads until {} on its clock",
                format_us(i128::from(node.lease_until))
            ),
        ));
    }
    let (reads, dirty) = node.reads();
    fields.push((
        "reads answered".to_string(),
        if node.params.craq {
            format!("{reads} ({dirty} asked the tail)")
        } else {
            reads.to_string()
        },
    ));
    if node.params.craq {
        tables.push(versions(node));
    } else {
        tables.push(ViewTable {
            title: "Waiting for the tail".into(),
            columns: vec!["update".into(), "write".into()],
            rows: node
                .dirty()
                .map(|e| vec![e.seq.to_string(), e.command.describe()])
                .collect(),
        });
        tables.push(node.kv().table());
    }
    NodeView {
        role: Some(node.role().name().to_string()),
        fields,
        tables,
        log: Vec::new(),
    }
}

/// CRAQ's versions: each key's clean (committed) value and the dirty writes after it.
fn versions(node: &Chain) -> ViewTable {
    let mut keys: BTreeMap<&str, (Option<&str>, Vec<String>)> = node
        .kv()
        .data()
        .iter()
        .map(|(k, v)| (k.as_str(), (Some(v.as_str()), Vec::new())))
        .collect();
    for entry in node.dirty() {
        let (key, text) = match &*entry.command {
            Command::Put { key, value, .. } => (key, format!("[{}] put {value}", entry.seq)),
            Command::Append { key, value, .. } => (key, format!("[{}] append {value}", entry.seq)),
            _ => continue,
        };
        keys.entry(key.as_str()).or_default().1.push(text);
    }
    ViewTable {
        title: "Versions".into(),
        columns: vec!["key".into(), "clean".into(), "dirty".into()],
        rows: keys
            .into_iter()
            .map(|(key, (clean, dirty))| {
                vec![
                    key.to_string(),
                    clean.unwrap_or("—").to_string(),
                    if dirty.is_empty() {
                        "—".to_string()
                    } else {
                        dirty.join(", ")
                    },
                ]
            })
            .collect(),
    }
}
