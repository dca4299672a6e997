//! The replicated logs side by side (nodes × positions), under the diagram for protocols that keep
//! one: what each node holds at each position, in which term (or ballot), and whether it is
//! settled, in the protocol's own words (`LogWords`).

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
    let w = m.words;
    let indices: Vec<u64> = (m.first..=m.last).collect();
    html! {
        <section class="panel panel-logs" aria-labelledby="logs-title" data-region="logs">
            <div class="panel-head">
                <h2 id="logs-title" class="panel-title">{ "Logs" }</h2>
                <span class="panel-hint">{ format!("the {} of each {} · solid: {} · dashed: not yet", w.number, w.entry, w.settled) }</span>
            </div>
            if indices.is_empty() {
                <p class="panel-empty logs-empty">{ "No entries yet: the logs fill as clients send requests." }</p>
            } else {
                <div class="log-matrix-wrap" tabindex="0" role="region" aria-label={format!("Each node's log, by {}", w.position)}>
                    <table class="log-matrix">
                        <thead>
                            <tr>
                                <th scope="col" class="log-corner">{ w.position }</th>
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
                                                    title={format!("{} {index} · {} {} · {} · {}", w.position, w.number, c.term, c.command, if c.committed { w.settled.to_string() } else { format!("not {}", w.settled) })}
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
