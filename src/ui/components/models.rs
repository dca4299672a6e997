//! The run's history against every consistency model, under the diagram and the history: one row
//! per model, strongest first, saying whether the run keeps it and, when not, which operations
//! break it (each a button that brings the operation into view and picks it). Open, it holds why
//! the history is not linearizable in that row; folded (the models are then not judged), that
//! explanation stands above it alone.

use std::rc::Rc;

use yew::prelude::*;

use super::history::HistoryExplain;
use crate::engine::ids::OpId;
use crate::ui::state::{UiAction, use_app};
use crate::view::history::{HistoryLayout, LINEARIZABILITY, ModelRow, Standing};

#[derive(Properties, PartialEq)]
pub struct ModelsProps {
    /// The rows, when the table is open (`Ui::models`; a lesson that names its clients opens it).
    pub rows: Option<Rc<Vec<ModelRow>>>,
    /// The history's layout, for why it is not linearizable.
    pub layout: Rc<HistoryLayout>,
}

fn mark(standing: Standing) -> &'static str {
    match standing {
        Standing::Holds => "✓ Holds",
        Standing::Violated => "✗ Broken",
        Standing::Unknown => "? Unknown",
        Standing::NotJudged => "– Not judged",
    }
}

/// The table's title: how many models the run keeps, once judged.
fn title(rows: Option<&[ModelRow]>) -> String {
    let Some(rows) = rows else {
        return "Consistency models: linearizable, sequential, causal, the session guarantees, \
                eventual"
            .to_string();
    };
    let judged = rows
        .iter()
        .filter(|r| matches!(r.standing, Standing::Holds | Standing::Violated))
        .count();
    let holding = rows
        .iter()
        .filter(|r| r.standing == Standing::Holds)
        .count();
    format!("Consistency models: this run keeps {holding} of the {judged} judged")
}

#[function_component]
pub fn ConsistencyModels(props: &ModelsProps) -> Html {
    let app = use_app();
    let toggle = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ToggleModels))
    };
    let pick = |op: OpId| {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::RevealOp(op)))
    };
    let layout = &props.layout;
    let open = props.rows.is_some();
    html! {
        <>
        if !open {
            <HistoryExplain layout={layout.clone()} />
        }
        <section class="models" data-region="models" aria-labelledby="models-title">
            <div class="history-explain-head">
                <h2 class="models-title" id="models-title">{ title(props.rows.as_deref().map(|r| r.as_slice())) }</h2>
                <button type="button" class="button button-small" aria-expanded={open.to_string()}
                    onclick={toggle} data-action="models-toggle">
                    { if open { "Hide" } else { "Show" } }
                </button>
            </div>
            if let Some(rows) = &props.rows {
                <table class="models-table">
                    <thead>
                        <tr><th scope="col">{ "Model" }</th><th scope="col">{ "This run" }</th><th scope="col">{ "What it promises, or what breaks it" }</th></tr>
                    </thead>
                    <tbody>
                        { for rows.iter().map(|row| html! {
                            <tr data-model={row.name} data-standing={row.standing.name()}>
                                <th scope="row">{ row.name }</th>
                                <td><span class={classes!("models-mark", format!("is-{}", row.standing.name()))}>{ mark(row.standing) }</span></td>
                                <td>
                                    if row.finding.is_empty() {
                                        <span class="models-promise">{ row.promise }</span>
                                    } else {
                                        { &row.finding }
                                        { for row.ops.iter().map(|&op| html! {
                                            <button type="button" class="models-op" onclick={pick(op)}
                                                aria-label={format!("Pick {op} in the history")}>{ op.to_string() }</button>
                                        }) }
                                        if row.name == LINEARIZABILITY {
                                            { for layout.explanation.iter().map(|line| html! { <p class="models-why">{ line }</p> }) }
                                        }
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
        </>
    }
}
