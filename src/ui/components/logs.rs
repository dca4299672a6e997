//! The replicated logs side by side (servers × indices), under the diagram for protocols that keep
//! one: what each server holds at each index, in which term, and whether it is committed.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::NodeStatus;
use crate::view::format;
use crate::view::logs::LogMatrix;

#[derive(Properties, PartialEq)]
pub struct LogsProps {
    pub matrix: Rc<LogMatrix>,
}

#[function_component]
pub fn LogMatrixPanel(props: &LogsProps) -> Html {
    let m = &props.matrix;
    let indices: Vec<u64> = (m.first..=m.last).collect();
    html! {
        <section class="panel panel-logs" aria-labelledby="logs-title" data-region="logs">
            <div class="panel-head">
                <h2 id="logs-title" class="panel-title">{ "Logs" }</h2>
                <span class="panel-hint">{ "the term of each entry · solid: committed · dashed: not yet" }</span>
            </div>
            if indices.is_empty() {
                <p class="panel-empty logs-empty">{ "No entries yet: the logs fill as clients send requests." }</p>
            } else {
                <div class="log-matrix-wrap" tabindex="0" role="region" aria-label="Each server's log, by index">
                    <table class="log-matrix">
                        <thead>
                            <tr>
                                <th scope="col" class="log-corner">{ "index" }</th>
                                { for indices.iter().map(|i| html! { <th scope="col">{ i }</th> }) }
                            </tr>
                        </thead>
                        <tbody>
                            { for m.rows.iter().map(|row| {
                                let tone = row.role.as_deref().map_or("none", format::role_tone);
                                let down = matches!(row.status, NodeStatus::Crashed | NodeStatus::NotStarted);
                                html! {
                                    <tr class={classes!(down.then_some("is-down"))} data-node={row.node.to_string()}>
                                        <th scope="row" class={classes!("log-node", format!("tone-{tone}"))}>
                                            { row.node.to_string() }
                                            <small>{ if down { "down".to_string() } else { row.role.clone().unwrap_or_default() } }</small>
                                        </th>
                                        { for row.cells.iter().zip(&indices).map(|(cell, index)| match cell {
                                            Some(c) => html! {
                                                <td class={classes!("log-cell", format!("term-{}", c.term % 8), if c.committed { "is-committed" } else { "is-pending" })}
                                                    title={format!("index {index} · term {} · {} · {}", c.term, c.command, if c.committed { "committed" } else { "not committed" })}
                                                    data-term={c.term.to_string()}>{ c.term }</td>
                                            },
                                            None => html! { <td class="log-none"></td> },
                                        }) }
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </section>
    }
}
