//! The placeholder a region shows while it has nothing to display.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    pub icon: Html,
    pub title: AttrValue,
    pub body: AttrValue,
    /// The large variant is for the diagram, which owns most of the screen.
    #[prop_or_default]
    pub large: bool,
}

#[function_component]
pub fn EmptyState(props: &EmptyStateProps) -> Html {
    html! {
        <div class={classes!("empty-state", props.large.then_some("empty-state-large"))}>
            <div class="empty-state-icon" aria-hidden="true">{ props.icon.clone() }</div>
            <p class="empty-state-title">{ props.title.clone() }</p>
            <p class="empty-state-body">{ props.body.clone() }</p>
        </div>
    }
}
