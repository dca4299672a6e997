//! The user's interventions in the run, with their times, and Undo (which also brings back the
//! interventions a new branch cut off).

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::action::Scheduled;
use crate::ui::state::{UiAction, use_app};
use crate::view::format;

#[derive(Properties, PartialEq)]
pub struct InterventionsProps {
    pub list: Rc<Vec<Scheduled>>,
    /// Whether there is something to undo.
    pub can_undo: bool,
}

#[function_component]
pub fn InterventionsPanel(props: &InterventionsProps) -> Html {
    let app = use_app();
    let undo = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Undo))
    };
    html! {
        <section class="panel panel-interventions" aria-labelledby="interventions-title" data-region="interventions">
            <div class="panel-head">
                <h2 id="interventions-title" class="panel-title">{ format!("Your changes ({})", props.list.len()) }</h2>
                <button type="button" class="button button-small" data-action="undo" disabled={!props.can_undo}
                    title="Take back the last change (U)" onclick={undo}>{ "Undo" }</button>
            </div>
            if props.list.is_empty() {
                <p class="panel-empty interventions-empty">{ "Crash, partition or drop something and it is listed here, at the time you did it." }</p>
            } else {
                <ol class="interventions" tabindex="0" aria-label="Interventions in time order">
                    { for props.list.iter().map(|s| html! {
                        <li><span class="intervention-time">{ format::time(s.at_us.0) }</span>{ s.action.describe() }</li>
                    }) }
                </ol>
            }
        </section>
    }
}
