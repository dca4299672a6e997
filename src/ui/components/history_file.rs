//! A history opened from a Jepsen file, in place of the run's diagram: the same drawing as the
//! run's history (client columns, bars, the nemesis's faults, the linearization order), on an axis
//! of the file's positions that scrolls natively and zooms with buttons, with the verdict
//! `sim check` gives the file and a switch between the register and key-value models.

use std::rc::Rc;

use web_sys::{HtmlElement, HtmlSelectElement};
use yew::prelude::*;

use super::history::{HistoryExplain, HistoryNotes, HistorySvg, verdict_name};
use super::size::use_size;
use crate::checks::linearizability::jepsen::ModelKind;
use crate::engine::ids::OpId;
use crate::ui::state::{UiAction, use_app};
use crate::view::diagram::HEADER_PX;
use crate::view::history::{self, FileHistory, HistoryInput, PAGE_BUDGET, POSITION};

/// Pixels per position of the file: at first, and the most and least zoom allows.
const START_PX: f64 = 28.0;
const MOST_PX: f64 = 96.0;
const LEAST_PX: f64 = 0.02;

#[derive(Properties)]
pub struct HistoryFileProps {
    pub file: Rc<FileHistory>,
}

impl PartialEq for HistoryFileProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.file, &other.file)
    }
}

fn model_value(model: ModelKind) -> &'static str {
    match model {
        ModelKind::Register => "register",
        ModelKind::Kv => "kv",
    }
}

#[function_component]
pub fn HistoryFilePanel(props: &HistoryFileProps) -> Html {
    let app = use_app();
    let file = &props.file;
    let scroller = use_node_ref();
    let size = use_state(|| (640.0, 480.0));
    let px = use_state(|| START_PX);
    let top = use_state(|| 0.0_f64);
    let selected = use_state(|| None::<OpId>);
    let problem = use_state(|| None::<String>);
    {
        let size = size.clone();
        use_size(scroller.clone(), (), Callback::from(move |s| size.set(s)));
    }
    // After a zoom, scroll to where the zoom kept the middle of the view.
    {
        let (scroller, top) = (scroller.clone(), *top);
        use_effect_with(*px, move |_| {
            if let Some(element) = scroller.cast::<HtmlElement>() {
                element.set_scroll_top(top.round() as i32);
            }
        });
    }

    let (width, height) = *size;
    let body = (height - HEADER_PX).max(40.0);
    let positions = file.end as f64 / POSITION as f64;
    let layout = Rc::new(history::layout(&HistoryInput {
        history: &file.index,
        verdict: file.verdict.clone(),
        judged_at: None,
        now_us: file.end,
        start_us: (*top / *px * POSITION as f64) as u64,
        span_us: (body / *px * POSITION as f64).max(1.0) as u64,
        origin_us: 0,
        width_px: width,
        height_px: height,
        selected: *selected,
    }));

    let onscroll = {
        let top = top.clone();
        Callback::from(move |e: Event| {
            let element: HtmlElement = e.target_unchecked_into();
            top.set(f64::from(element.scroll_top()));
        })
    };
    // Zooms by `factor` keeping the middle of the view where it is.
    let zoom = |factor: Option<f64>| {
        let (px, top) = (px.clone(), top.clone());
        Callback::from(move |_: MouseEvent| {
            let fit = (body / positions.max(1.0)).clamp(LEAST_PX, MOST_PX);
            let next = factor.map_or(fit, |f| (*px * f).clamp(fit.min(START_PX), MOST_PX));
            let middle = (*top + body / 2.0) / *px;
            top.set((middle * next - body / 2.0).max(0.0));
            px.set(next);
        })
    };
    let on_model = {
        let (file, problem, dispatch) = (file.clone(), problem.clone(), app.dispatch.clone());
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let model = if select.value() == "kv" {
                ModelKind::Kv
            } else {
                ModelKind::Register
            };
            match history::open(&file.name, &file.text, Some(model), PAGE_BUDGET) {
                Ok(judged) => {
                    problem.set(None);
                    dispatch.dispatch(UiAction::OpenHistory(Some(Rc::new(judged))));
                }
                Err(error) => {
                    select.set_value(model_value(file.model));
                    problem.set(Some(format!(
                        "Not judged as a {}: {error}.",
                        if model == ModelKind::Kv {
                            "key-value store"
                        } else {
                            "register"
                        }
                    )));
                }
            }
        })
    };
    let on_close = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::OpenHistory(None)))
    };
    let on_pick = {
        let selected = selected.clone();
        Callback::from(move |op| selected.set(Some(op)))
    };
    let picked = selected.and_then(|op| layout.bars.iter().find(|b| b.op == op));
    let total = HEADER_PX + positions * *px + 8.0;
    let ops = file.index.ops().len();

    html! {
        <section class="panel panel-history-file" aria-labelledby="history-file-title"
            data-region="history-file" data-verdict={verdict_name(&file.verdict)}>
            <div class="panel-head">
                <h2 id="history-file-title" class="panel-title">{ format!("History from {}", file.name) }</h2>
                <div class="history-file-tools">
                    <label class="history-file-model">
                        { "Model " }
                        <select class="input input-small" onchange={on_model} data-action="history-model">
                            <option value="register" selected={file.model == ModelKind::Register}>{ "Register" }</option>
                            <option value="kv" selected={file.model == ModelKind::Kv}>{ "Key-value store" }</option>
                        </select>
                    </label>
                    <button type="button" class="button button-small" onclick={zoom(Some(0.5))}
                        aria-label="Zoom out" title="Zoom out">{ "−" }</button>
                    <button type="button" class="button button-small" onclick={zoom(Some(2.0))}
                        aria-label="Zoom in" title="Zoom in">{ "+" }</button>
                    <button type="button" class="button button-small" onclick={zoom(None)}
                        title="The whole file in view">{ "Fit" }</button>
                    <button type="button" class="button button-small" onclick={on_close}
                        data-action="history-file-close">{ "Back to the run" }</button>
                </div>
            </div>
            <p class="history-file-about">
                { format!(
                    "{ops} operation{} on {} client column{}, {}time flowing down by the file's lines. Pick a bar to read it.",
                    if ops == 1 { "" } else { "s" },
                    file.index.clients(),
                    if file.index.clients() == 1 { "" } else { "s" },
                    if file.failed > 0 { format!("{} failed and left out; ", file.failed) } else { String::new() },
                ) }
            </p>
            if let Some(problem) = &*problem {
                <p class="history-file-problem" role="alert">{ problem }</p>
            }
            <div class="history history-file" data-verdict={verdict_name(&file.verdict)}>
                <HistoryNotes layout={layout.clone()} />
                <div class="history-file-scroll" ref={scroller} {onscroll} tabindex="0"
                    aria-label="The file's history; scroll to move through it">
                    <div class="history-file-view">
                        <HistorySvg layout={layout.clone()} {on_pick} />
                    </div>
                    <div style={format!("height: {:.0}px", (total - height).max(0.0))}></div>
                </div>
            </div>
            if let Some(bar) = picked {
                <p class="history-file-picked" data-testid="history-file-picked">{ &bar.title }</p>
            }
            <HistoryExplain layout={layout} />
        </section>
    }
}
