//! The checkers: every named property of the protocol with its live status. Violations come first,
//! in red, in the order they happened; clicking one jumps to the event that recorded it and
//! highlights the events involved. A property the scenario's declared system model does not
//! promise says so and why; its violation is the model's lesson, drawn in amber rather than red.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::PropertyKind;
use crate::engine::sim::{PropertyReport, PropertyState};
use crate::ui::components::explore::Explore;
use crate::ui::components::search::Search;
use crate::ui::state::{Selection, UiAction, use_app};
use crate::view::format;

#[derive(Properties, PartialEq)]
pub struct CheckersProps {
    pub properties: Rc<Vec<PropertyReport>>,
    pub selection: Selection,
    /// Offer "Find a counterexample" (the sandbox does; an embed does not).
    #[prop_or_default]
    pub search: bool,
}

#[function_component]
pub fn CheckersPanel(props: &CheckersProps) -> Html {
    let app = use_app();
    let mut properties: Vec<&PropertyReport> = props.properties.iter().collect();
    // Stable: violations by the event that recorded them, then the rest in the protocol's order.
    properties.sort_by_key(|p| match p.state {
        PropertyState::Violated { event, .. } => (0, event.0),
        _ => (1, 0),
    });
    html! {
        <section class="panel panel-checkers" aria-labelledby="checkers-title" data-region="checkers" tabindex="0">
            <div class="panel-head">
                <h2 id="checkers-title" class="panel-title">{ "Checkers" }</h2>
            </div>
            if props.properties.is_empty() {
                <p class="panel-empty">{ "This protocol has no properties to check." }</p>
            }
            <ul class="checkers">
                { for properties.into_iter().map(|p| {
                    let kind = match p.kind {
                        PropertyKind::Always => "always",
                        PropertyKind::Eventually => "eventually",
                        PropertyKind::Sometimes => "sometimes",
                    };
                    let sometimes = p.kind == PropertyKind::Sometimes;
                    let unpromised_class = p.unpromised.is_some().then_some("is-unpromised");
                    let (class, status) = match p.state {
                        PropertyState::Holding => ("is-holding", "holds so far".to_string()),
                        PropertyState::Pending if sometimes => ("is-pending", "not seen yet".to_string()),
                        PropertyState::Pending => ("is-pending", "not yet".to_string()),
                        PropertyState::Satisfied { at } if sometimes => ("is-satisfied", format!("seen at {}", format::time(at.0))),
                        PropertyState::Satisfied { at } => ("is-satisfied", format!("satisfied at {}", format::time(at.0))),
                        PropertyState::Violated { at, .. } => ("is-violated", format!("violated at {}", format::time(at.0))),
                    };
                    let unpromised = p.unpromised.as_ref().map(|reason| html! {
                        <span class="checker-unpromised">{ format!("Not promised by this model: {reason}.") }</span>
                    });
                    let body = html! {
                        <>
                            <span class="checker-icon" aria-hidden="true">{
                                match p.state {
                                    PropertyState::Violated { .. } => "✕",
                                    PropertyState::Pending => "…",
                                    _ => "✓",
                                }
                            }</span>
                            <span class="checker-text">
                                <span class="checker-name">
                                    { p.name }<span class="checker-kind">{ kind }</span>
                                    if unpromised.is_some() {
                                        <span class="checker-tag">{ "not promised" }</span>
                                    }
                                </span>
                                <span class="checker-status">{ status }</span>
                                <span class="checker-description">{ p.description }</span>
                                { unpromised.unwrap_or_default() }
                            </span>
                        </>
                    };
                    match p.state {
                        PropertyState::Violated { event, .. } => {
                            let dispatch = app.dispatch.clone();
                            let selected = props.selection == Selection::Event(event);
                            html! {
                                <li class={classes!("checker", class, unpromised_class, selected.then_some("is-selected"))}>
                                    <button type="button" class="checker-button" title="Show the violation in the diagram"
                                        onclick={Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Reveal(event)))}>
                                        { body }
                                    </button>
                                </li>
                            }
                        }
                        _ => html! { <li class={classes!("checker", class, unpromised_class)}>{ body }</li> },
                    }
                }) }
            </ul>
            if props.search && !props.properties.is_empty() {
                <Search />
                <Explore />
            }
        </section>
    }
}
