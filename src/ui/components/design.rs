//! The switch between the designs of one story (`presets::SWITCHES`, such as CAP's consistent and
//! available stores under one partition): the designs as a group of buttons, each opening its
//! preset at the same moment of the run, with what the open one gives up so far: how many requests
//! it answered and refused, and its safety checkers' verdicts.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::PropertyKind;
use crate::engine::sim::{PropertyReport, PropertyState};
use crate::ui::fetching::{prefetch_on_focus, prefetch_on_hover, switch_design};
use crate::ui::state::use_app;

#[derive(Properties, PartialEq)]
pub struct DesignProps {
    /// The designs, each a label and its preset.
    pub designs: &'static [(&'static str, &'static str)],
    pub current: &'static str,
    /// Requests answered, refused and waiting.
    pub availability: (usize, usize, usize),
    pub properties: Rc<Vec<PropertyReport>>,
}

#[function_component]
pub fn DesignSwitch(props: &DesignProps) -> Html {
    let app = use_app();
    let (answered, refused, waiting) = props.availability;
    let asked = answered + refused + waiting;
    let mut served = format!("{answered} of {asked} requests answered");
    if refused > 0 {
        served += &format!(", {refused} refused");
    }
    if waiting > 0 {
        served += &format!(", {waiting} waiting");
    }
    let safety = props
        .properties
        .iter()
        .filter(|p| p.kind == PropertyKind::Always)
        .map(|p| {
            let broken = matches!(p.state, PropertyState::Violated { .. });
            html! {
                <li class={classes!("design-verdict", if broken { "is-violated" } else { "is-holding" })}>
                    { if broken { "✗ " } else { "✓ " } }{ p.name }
                </li>
            }
        });
    html! {
        <section class="design" data-region="design" aria-label="Design">
            <div class="design-choice" role="group" aria-label="Choose the design">
                <span class="design-label">{ "Design" }</span>
                { for props.designs.iter().map(|&(label, id)| {
                    let dispatch = app.dispatch.clone();
                    let current = id == props.current;
                    html! {
                        <button type="button" class={classes!("design-option", current.then_some("is-current"))}
                            aria-pressed={current.to_string()} data-design={id}
                            onclick={Callback::from(move |_: MouseEvent| if !current { switch_design(&dispatch, id) })}
                            onpointerenter={prefetch_on_hover(id)} onfocus={prefetch_on_focus(id)}>
                            { label }
                        </button>
                    }
                }) }
            </div>
            <p class="design-served" data-served={answered.to_string()} data-asked={asked.to_string()}>
                <strong>{ "Available: " }</strong>{ served }
            </p>
            <ul class="design-verdicts" aria-label="Consistency: the safety checkers">
                { for safety }
            </ul>
        </section>
    }
}
