//! Saved scenarios: save the open run's scenario (with its interventions) under a name in this
//! browser, open or delete saved ones, and import or export scenario JSON files.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::scenario::Scenario;
use crate::ui::state::{UiAction, use_app};
use crate::ui::{engines, files, saved};
use crate::view::history;

/// The largest history file the page opens (`sim check` reads any size).
const MAX_HISTORY_BYTES: f64 = 16e6;

#[derive(Clone, PartialEq)]
struct Status {
    error: bool,
    text: String,
}

fn status(error: bool, text: impl Into<String>) -> Option<Status> {
    Some(Status {
        error,
        text: text.into(),
    })
}

#[derive(Properties, PartialEq)]
pub struct SavedProps {
    /// Whether a run is open, so there is something to save or export.
    pub loaded: bool,
}

#[function_component]
pub fn SavedScenarios(props: &SavedProps) -> Html {
    let app = use_app();
    let shelf = use_state(saved::list);
    let message = use_state(|| None::<Status>);
    let name_field = use_node_ref();
    // The open run's scenario with every intervention so far, read when a button asks for it.
    let current = {
        let session = app.session.clone();
        move || -> Option<(String, Scenario)> {
            let guard = session.0.borrow();
            let session = guard.as_ref()?;
            Some((
                session.preset.unwrap_or("scenario").to_string(),
                session.scenario(),
            ))
        }
    };

    let on_save = {
        let (shelf, message, name_field, current) = (
            shelf.clone(),
            message.clone(),
            name_field.clone(),
            current.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = name_field.cast::<HtmlInputElement>() else {
                return;
            };
            let name = input.value().trim().to_string();
            let Some((_, scenario)) = current() else {
                message.set(status(true, "Open a scenario first."));
                return;
            };
            match saved::save(&name, &scenario) {
                Ok(()) => {
                    input.set_value("");
                    shelf.set(saved::list());
                    message.set(status(false, format!("Saved as “{name}”.")));
                }
                Err(error) => message.set(status(true, format!("Not saved: {error}."))),
            }
        })
    };
    let open = |name: &String| {
        let (name, message, dispatch) = (name.clone(), message.clone(), app.dispatch.clone());
        Callback::from(move |_: MouseEvent| match saved::load(&name) {
            Ok(opening) => {
                message.set(None);
                dispatch.dispatch(opening);
            }
            Err(error) => message.set(status(true, format!("“{name}” cannot be opened: {error}"))),
        })
    };
    let delete = |name: &String| {
        let (name, message, shelf) = (name.clone(), message.clone(), shelf.clone());
        Callback::from(move |_: MouseEvent| match saved::delete(&name) {
            Ok(()) => {
                shelf.set(saved::list());
                message.set(status(false, format!("Deleted “{name}”.")));
            }
            Err(error) => message.set(status(true, format!("Not deleted: {error}."))),
        })
    };
    let on_export = {
        let (message, current) = (message.clone(), current.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((stem, scenario)) = current() else {
                return;
            };
            let name = format!("{stem}.json");
            match files::download_text(&name, "application/json", &scenario.to_json_pretty()) {
                Ok(()) => message.set(status(false, format!("Downloaded {name}."))),
                Err(_) => message.set(status(true, "The browser refused the download.")),
            }
        })
    };
    let on_history = {
        let (message, dispatch) = (message.clone(), app.dispatch.clone());
        Callback::from(move |e: Event| {
            let Some(file) = files::chosen(&e) else {
                return;
            };
            let name = file.name();
            if file.size() > MAX_HISTORY_BYTES {
                message.set(status(
                    true,
                    format!(
                        "{name} is larger than {} MB: check it with sim check instead.",
                        MAX_HISTORY_BYTES / 1e6
                    ),
                ));
                return;
            }
            let (message, dispatch) = (message.clone(), dispatch.clone());
            yew::platform::spawn_local(async move {
                let Some(text) = files::text_of(&file).await else {
                    message.set(status(true, format!("{name} could not be read.")));
                    return;
                };
                match history::open(&name, &text, None, history::PAGE_BUDGET) {
                    Ok(opened) => {
                        message.set(status(false, format!("Opened the history in {name}.")));
                        dispatch.dispatch(UiAction::OpenHistory(Some(Rc::new(opened))));
                    }
                    Err(error) => message.set(status(
                        true,
                        format!("{name} is not a Jepsen history this page reads: {error}."),
                    )),
                }
            });
        })
    };
    let on_import = {
        let (message, dispatch) = (message.clone(), app.dispatch.clone());
        Callback::from(move |e: Event| {
            let Some(file) = files::chosen(&e) else {
                return;
            };
            let (message, dispatch) = (message.clone(), dispatch.clone());
            yew::platform::spawn_local(async move {
                let name = file.name();
                match files::text_of(&file)
                    .await
                    .map(|text| engines::opening(&text))
                {
                    Some(Ok(opening)) => {
                        message.set(status(false, format!("Imported {name}.")));
                        dispatch.dispatch(opening);
                    }
                    Some(Err(error)) => message.set(status(
                        true,
                        format!("{name} cannot be imported: {}", error.0),
                    )),
                    None => message.set(status(true, format!("{name} could not be read."))),
                }
            });
        })
    };

    html! {
        <div class="topic saved" data-region="saved">
            <h3 class="topic-title">{ "Saved in this browser" }</h3>
            if shelf.names.is_empty() {
                <p class="saved-empty">{ "Nothing saved yet." }</p>
            }
            <ul>
                { for shelf.names.iter().map(|name| html! {
                    <li class="saved-item">
                        <button type="button" class="scenario" data-saved={name.clone()} onclick={open(name)}>{ name }</button>
                        <button type="button" class="note-dismiss" aria-label={format!("Delete {name}")}
                            title="Delete" onclick={delete(name)}>{ "×" }</button>
                    </li>
                }) }
            </ul>
            { for shelf.problems.iter().map(|problem| html! {
                <p class="saved-message is-error" role="alert" data-testid="saved-problem">{ problem }</p>
            }) }
            <form class="saved-form" onsubmit={on_save}>
                <input ref={name_field} class="input input-small" type="text" maxlength="80" placeholder="Name this run"
                    aria-label="Name to save the open scenario under" disabled={!props.loaded} />
                <button type="submit" class="button button-small" disabled={!props.loaded}>{ "Save" }</button>
            </form>
            <div class="saved-files">
                <label class="button button-small saved-import">
                    { "Import JSON…" }
                    <input type="file" accept=".json,application/json" class="visually-hidden"
                        aria-label="Import a scenario JSON file" onchange={on_import} />
                </label>
                <button type="button" class="button button-small" onclick={on_export} disabled={!props.loaded}
                    data-action="export-scenario">{ "Export JSON" }</button>
                <label class="button button-small saved-import" title="A Jepsen history: its log lines or history.edn">
                    { "Open history…" }
                    <input type="file" accept=".log,.edn,.txt,text/plain" class="visually-hidden"
                        aria-label="Open a Jepsen history file" onchange={on_history} data-action="open-history" />
                </label>
            </div>
            if let Some(m) = &*message {
                <p class={classes!("saved-message", m.error.then_some("is-error"))} role="status"
                    data-testid="saved-status">{ &m.text }</p>
            }
        </div>
    }
}
