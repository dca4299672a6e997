//! The inspector's picture of a primary-backup node: on the view service its view, whether the
//! primary acknowledged it, and each server's last ping; on a server its view, its part in it, the
//! primary's waiting operations and the store.

use super::{PrimaryBackup, Role};
use crate::engine::ids::NodeId;
use crate::engine::protocol::{NodeView, ViewTable};
use crate::engine::time::format_us;

pub fn view(node: &PrimaryBackup) -> NodeView {
    let view = node.view();
    let name = |n: Option<NodeId>| n.map_or_else(|| "none".to_string(), |n| n.to_string());
    let mut fields = vec![
        ("view".to_string(), view.num.to_string()),
        ("primary".to_string(), name(view.primary)),
        ("backup".to_string(), name(view.backup)),
    ];
    let mut tables = Vec::new();
    if node.is_view_service() {
        fields.push((
            "acknowledged".to_string(),
            if node.acked() { "yes" } else { "not yet" }.to_string(),
        ));
        tables.push(pings_table(node.pings()));
        return NodeView {
            role: Some("view service".to_string()),
            fields,
            tables,
            log: Vec::new(),
        };
    }
    if node.role() == Role::Primary {
        fields.push((
            "backup has the store".to_string(),
            if node.synced() { "yes" } else { "not yet" }.to_string(),
        ));
        tables.push(ViewTable {
            title: "Waiting operations".into(),
            columns: vec!["operation".into(), "state".into()],
            rows: node
                .queued()
                .enumerate()
                .map(|(i, command)| {
                    let state = if i == 0 { "at the backup" } else { "waiting" };
                    vec![command.describe(), state.to_string()]
                })
                .collect(),
        });
    }
    tables.push(node.kv().table());
    NodeView {
        role: Some(node.role().name().to_string()),
        fields,
        tables,
        log: Vec::new(),
    }
}

/// A master's table of when each server last pinged, relative to the newest ping (the view service
/// here, chain replication's configuration master).
pub(crate) fn pings_table(pings: impl Iterator<Item = (NodeId, i64)> + Clone) -> ViewTable {
    let newest = pings.clone().map(|(_, at)| at).max().unwrap_or(0);
    ViewTable {
        title: "Pings".into(),
        columns: vec!["server".into(), "last ping".into()],
        rows: pings
            .map(|(server, at)| {
                let ago = i128::from(newest - at).max(0);
                let when = if ago == 0 {
                    "newest".to_string()
                } else {
                    format!("{} before the newest", format_us(ago))
                };
                vec![server.to_string(), when]
            })
            .collect(),
    }
}
