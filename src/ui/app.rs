//! The root component: owns the UI state (a reducer over the one session), drives the frame loop and
//! the keyboard shortcuts, builds each frame's view data and lays the page out.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{AnimationFrame, request_animation_frame};
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[cfg(feature = "all-protocols")]
use super::bench::BenchPage;
use super::components::{
    CheckersPanel, ConfirmOpenBar, ConsistencyModels, ControlBar, Controls, CoursePage,
    DesignSwitch, DiagramPanel, GuidePanel, Header, HelpDialog, HistoryFilePanel, HistoryPanel,
    InspectorPanel, InterventionsPanel, LessonPanel, LinkErrorPanel, LogMatrixPanel, NoteBar,
    PlayerBar, PlotPanel, ScenarioPanel, ShareBar, Showing, TopologyPanel,
};
use super::embed::{self, Embed};
use super::fetching;
use super::guide::GuideAction;
use super::page;
use super::progress;
use super::state::{AppContext, Selection, Ui, UiAction, open_preset};
use crate::engine::sim::PropertyState;
use crate::scenario::Scenario;
use crate::scenario::link::Link;
use crate::scenario::presets;
use crate::view::diagram::Stamps;
use crate::view::frame::{self, FrameKey};
use crate::view::walk::Walk;

#[function_component]
pub fn App() -> Html {
    use_effect_with((), |()| {
        // The sandbox removes the loading screen itself, once it has something to show.
        if page::query_param("bench").is_some() {
            page::dismiss_loading_screen();
        }
        if page::debug_param().as_deref() == Some("panic") {
            panic!("deliberate panic requested with ?debug=panic");
        }
    });
    #[cfg(feature = "all-protocols")]
    if page::query_param("bench").is_some() {
        return html! { <BenchPage /> };
    }
    html! { <Sandbox embed={Embed::from_url()} /> }
}

/// Opens the share link in the fragment, if there is one, then dispatches `then`.
fn open_from_fragment(dispatch: &UseReducerDispatcher<Ui>, then: Vec<UiAction>) -> bool {
    let Some(fragment) = page::fragment() else {
        return false;
    };
    match Link::read(&fragment) {
        Ok(link) => fetching::open_link(dispatch, link, then),
        Err(error) => dispatch.dispatch(UiAction::LinkFailed(error.0)),
    }
    true
}

/// Opens the scenario the URL names: a share link in the fragment, `?preset=ID` or
/// `?scenario=JSON`; then dispatches `then` (what an embed asks for once its run is open).
fn open_from_url(dispatch: &UseReducerDispatcher<Ui>, then: Vec<UiAction>) {
    if page::fragment().is_some() {
        open_from_fragment(dispatch, then);
    } else if let Some(id) = page::query_param("preset") {
        open_preset(dispatch, &id, then);
    } else if let Some(json) = page::query_param("scenario") {
        match Scenario::from_json(&json) {
            Ok(scenario) => dispatch.dispatch(UiAction::Open(Box::new(scenario), None)),
            Err(error) => dispatch.dispatch(UiAction::Fail(format!(
                "The scenario in the link cannot be opened: {error}"
            ))),
        }
        then.into_iter()
            .for_each(|action| dispatch.dispatch(action));
    }
}

#[derive(Properties, PartialEq)]
struct SandboxProps {
    /// Set when the page is embedded as a compact player.
    embed: Option<Embed>,
}

#[function_component]
fn Sandbox(props: &SandboxProps) -> Html {
    let embed = props.embed;
    let ui = use_reducer(Ui::default);
    let dispatch = ui.dispatcher();
    let context = AppContext {
        dispatch: dispatch.clone(),
        session: ui.session.clone(),
    };

    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| {
            let mut then = Vec::new();
            if let Some(embed) = embed {
                if embed.autoplay {
                    then.push(UiAction::TogglePlay);
                }
                if let Some(t) = embed.start_us {
                    then.push(UiAction::Seek(t));
                }
            }
            open_from_url(&dispatch, then);
            // A link pasted into the address bar of an open page only changes the fragment.
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    open_from_fragment(&dispatch, Vec::new());
                })
            });
            move || drop(listener)
        });
    }

    // A lesson's address names it, so Back and the address bar work; a link in the fragment is
    // left alone.
    {
        let preset = frame_preset(&ui);
        use_effect_with(preset, move |preset| {
            if let Some(id) = preset
                && embed.is_none()
                && page::fragment().is_none()
                && page::query_param("preset").as_deref() != Some(*id)
            {
                page::push_preset(id);
            }
        });
    }
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "popstate", move |_| {
                    open_from_url(&dispatch, Vec::new())
                })
            });
            move || drop(listener)
        });
    }
    // On a phone the inspector is far below: selecting something brings it into view.
    use_effect_with(ui.selection, |selection| {
        let narrow = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w <= PHONE_WIDTH_PX);
        if narrow && *selection != Selection::None {
            let inspector = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector("[data-region=inspector]").ok().flatten());
            if let Some(inspector) = inspector {
                inspector.scroll_into_view();
            }
        }
    });
    // Progress through a lesson's steps is kept in this browser.
    {
        let done = ui
            .tour
            .as_ref()
            .map(|t| (t.done.iter().filter(|d| **d).count(), t.steps()));
        let preset = frame_preset(&ui);
        use_effect_with((preset, done), move |(preset, done)| {
            if let (Some(id), Some((done, steps))) = (preset, done)
                && *done > 0
            {
                progress::record(id, *done as u32, *steps as u32);
            }
        });
    }

    // The frame loop: while playing or catching up, every render asks for the next frame, and every
    // frame advances the run by one bounded slice (which renders again).
    let frame_handle = use_mut_ref(|| None::<AnimationFrame>);
    let animating = ui.animating();
    {
        let dispatch = dispatch.clone();
        let frame_handle = frame_handle.clone();
        use_effect_with((ui.generation, animating, ui.playing), move |_| {
            *frame_handle.borrow_mut() = animating.then(|| {
                request_animation_frame(move |timestamp| {
                    dispatch.dispatch(UiAction::Frame(timestamp))
                })
            });
        });
    }

    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                EventListener::new_with_options(
                    &window,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        if let Some(event) = event.dyn_ref::<KeyboardEvent>() {
                            shortcut(&dispatch, event);
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }

    let key = FrameKey {
        generation: ui.generation,
        view: ui.view,
        selection: ui.selection,
        stamps: ui.stamps,
        size: ui.size,
        history: ui.history.then_some(ui.history_width),
        models: ui.models,
        live: animating,
    };
    let frame = {
        let session = ui.session.clone();
        use_memo(key, move |key| {
            session
                .0
                .borrow()
                .as_ref()
                .map(|session| Rc::new(frame::build(&session.source(), key)))
        })
    };
    let frame: Option<Rc<frame::Frame>> = (*frame).clone();

    let controls = frame.as_ref().map(|f| Controls {
        now: f.now,
        horizon: f.horizon,
        finished: f.finished,
        playing: ui.playing,
        speed: ui.speed,
        follow: ui.view.follow,
        stamps: ui.stamps,
        own_clock: f.own_clock,
        seed: f.seed,
        events: f.events,
        in_flight: f.in_flight,
        violations: f
            .properties
            .iter()
            .filter(|p| matches!(p.state, PropertyState::Violated { .. }))
            .count(),
    });
    let selected_node = match ui.selection {
        Selection::Node(n) => Some(n),
        _ => None,
    };
    let selected_link = match ui.selection {
        Selection::Link(a, b) => Some((a, b)),
        _ => None,
    };

    let plot = frame.as_ref().and_then(|f| f.plot.clone());
    // The nodes the current step is about, and the one the pointer is on in its text.
    let mut spotlight: Vec<_> = ui
        .tour
        .as_ref()
        .filter(|t| t.following)
        .map(|t| t.current().highlight.clone())
        .unwrap_or_default();
    spotlight.extend(ui.spotlight);
    let guide = frame.as_ref().zip(ui.tour.clone()).map(|(f, tour)| {
        html! {
            <GuidePanel tour={tour} name={f.name.clone()} model={f.model.clone()} nodes={f.topology.nodes.len() as u32}
                description={f.description.clone()} editable={embed.is_none()}
                settings_error={ui.settings_error.clone()} />
        }
    });

    // An address that names a run draws nothing until the run is open (or has failed to open),
    // and keeps the poster (the loading screen) up meanwhile: the first frame the reader sees is
    // the lesson's, and nothing shifts as the header and panels fill in.
    let opening = use_state(page::names_a_run);
    let waiting = *opening && frame.is_none() && ui.note.is_none() && ui.link_error.is_none();
    let drawn = use_drawn(!waiting);
    {
        let opening = opening.clone();
        use_effect_with(drawn, move |&drawn| {
            if drawn == Drawn::All {
                page::dismiss_loading_screen();
                if *opening {
                    opening.set(false);
                }
            }
        });
    }
    if waiting {
        return html! {
            <ContextProvider<AppContext> context={context}>
                <div class="app"></div>
            </ContextProvider<AppContext>>
        };
    }

    if let Some(embed) = embed {
        return html! {
            <ContextProvider<AppContext> context={context}>
                <div class="app app-embed">
                    <main class="stage">
                        <PlayerBar controls={controls} full_page={page::url_without(embed::PARAMS)} />
                        { guide.clone().unwrap_or_default() }
                        if let Some(message) = &ui.link_error {
                            <LinkErrorPanel message={message.clone()} />
                        }
                        if let Some(note) = &ui.note {
                            <NoteBar note={note.clone()} />
                        }
                        <DiagramPanel
                            layout={frame.as_ref().map(|f| f.diagram.clone())}
                            follow={ui.view.follow}
                            stamps={ui.stamps}
                            own_clock={frame.as_ref().and_then(|f| f.own_clock)}
                            selection={ui.selection}
                            spotlight={spotlight.clone()}
                        />
                    </main>
                    if let Some(f) = frame.as_ref().filter(|_| embed.checkers || embed.inspector) {
                        <aside class="column embed-panels">
                            if embed.checkers {
                                <CheckersPanel properties={f.properties.clone()} selection={ui.selection} />
                            }
                            if embed.inspector {
                                <InspectorPanel inspect={Some(f.inspect.clone())} protocol={Some(f.protocol)} />
                            }
                        </aside>
                    }
                </div>
            </ContextProvider<AppContext>>
        };
    }

    // The course map is the landing page, and a click away from any lesson.
    let show_course = ui.course
        || (frame.is_none()
            && ui.link_error.is_none()
            && ui.note.is_none()
            && ui.history_file.is_none());
    html! {
        <ContextProvider<AppContext> context={context}>
            <div class="app">
                if frame.is_some() && !show_course {
                    <button type="button" class="skip-link" onclick={Callback::from(|_: MouseEvent| focus_play())}>
                        { "Skip to the run controls" }
                    </button>
                }
                <Header loaded={frame.is_some()} course={show_course}
                    showing={frame.as_ref().map(|_| Showing { key, spotlight: spotlight.clone() })} />
                if show_course {
                    <CoursePage current={frame.as_ref().and_then(|f| f.preset)} partial={drawn == Drawn::Start} />
                }
                <div hidden={show_course} class={classes!("workspace", frame.is_some().then_some("is-loaded"), ui.tour.is_some().then_some("is-guided"))}>
                    <aside class="column column-left" aria-label="Lesson, scenarios and checkers">
                        if let Some(guide) = guide {
                            { guide }
                        } else if let Some(f) = &frame {
                            <LessonPanel name={f.name.clone()} description={f.description.clone()} model={f.model.clone()}
                                settings_error={ui.settings_error.clone()} />
                        }
                        if drawn == Drawn::All {
                            <ScenarioPanel current={frame.as_ref().and_then(|f| f.preset)} loaded={frame.is_some()} />
                        }
                        if let Some(f) = frame.as_ref().filter(|_| drawn > Drawn::Start) {
                            <CheckersPanel properties={f.properties.clone()} selection={ui.selection} search=true />
                        }
                    </aside>
                    <main class="stage">
                        if let Some(opened) = &ui.history_file {
                            <HistoryFilePanel file={opened.0.clone()} />
                        } else {
                            <ControlBar controls={controls} />
                            if let Some(message) = &ui.link_error {
                                <LinkErrorPanel message={message.clone()} />
                            }
                            if let Some(fragment) = &ui.share {
                                <ShareBar fragment={fragment.clone()} />
                            }
                            if let Some(pending) = &ui.pending_open {
                                <ConfirmOpenBar pending={pending.clone()} />
                            }
                            if let Some(note) = &ui.note {
                                <NoteBar note={note.clone()} />
                            }
                            if let Some((f, current, designs)) = frame.as_ref().and_then(|f| f.preset.and_then(|p| Some((f, p, presets::designs(p)?)))) {
                                <DesignSwitch {designs} {current} availability={f.availability} properties={f.properties.clone()} />
                            }
                            <DiagramPanel
                                layout={frame.as_ref().map(|f| f.diagram.clone())}
                                follow={ui.view.follow}
                                stamps={ui.stamps}
                                own_clock={frame.as_ref().and_then(|f| f.own_clock)}
                                selection={ui.selection}
                                spotlight={spotlight.clone()}
                                history_available={frame.as_ref().is_some_and(|f| f.has_history)}
                                history_open={ui.history}
                                below={frame.as_ref().and_then(|f| Some(html! {
                                    <ConsistencyModels rows={f.models.clone()} layout={f.history.clone()?} />
                                })).unwrap_or_default()}
                            >
                                if let Some(history) = frame.as_ref().and_then(|f| f.history.clone()) {
                                    <HistoryPanel layout={history} />
                                }
                            </DiagramPanel>
                            if let Some(plot) = plot {
                                <PlotPanel plot={plot} />
                            }
                            if let Some(matrix) = frame.as_ref().and_then(|f| f.logs.clone()) {
                                <LogMatrixPanel {matrix} />
                            }
                        }
                    </main>
                    <aside class="column column-right" aria-label="Topology and inspector">
                        if let Some(f) = frame.as_ref().filter(|_| drawn > Drawn::Start) {
                            <TopologyPanel
                                layout={f.topology.clone()}
                                group={ui.group.clone()}
                                selected_node={selected_node}
                                selected_link={selected_link}
                                partitioned={f.partitioned}
                                no_partitions={f.no_partitions.clone()}
                                spotlight={spotlight}
                            />
                            <InterventionsPanel list={f.interventions.clone()} can_undo={!ui.undo.is_empty()} />
                        }
                        if drawn > Drawn::Start {
                            <InspectorPanel
                                inspect={frame.as_ref().map(|f| f.inspect.clone())}
                                protocol={frame.as_ref().map(|f| f.protocol)}
                            />
                        }
                    </aside>
                </div>
                if ui.help {
                    <HelpDialog />
                }
                <div class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
                    { ui.announcement.clone().unwrap_or_default() }
                </div>
            </div>
        </ContextProvider<AppContext>>
    }
}

/// How much of the page is drawn. The first time there is something to show, the page is drawn in
/// three tasks rather than one, so that none holds a phone's main thread for long: what the reader
/// sees first, then the panels around it, then the scenario list. The poster covers the page until
/// the last, so nothing is clicked half drawn and nothing shifts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Drawn {
    /// The lesson, the controls and the diagram; the course map's first topics.
    Start,
    /// Also the checkers, topology, interventions and inspector; the whole course map.
    Most,
    /// Everything: also the scenario list.
    All,
}

impl Drawn {
    /// The step after this one, if any.
    fn next(self) -> Option<Drawn> {
        match self {
            Drawn::Start => Some(Drawn::Most),
            Drawn::Most => Some(Drawn::All),
            Drawn::All => None,
        }
    }
}

/// How much of the page to draw: `Drawn::Start` until there is something to show (`ready`), then
/// a step more in each following task, up to `Drawn::All`, which it stays at.
#[hook]
fn use_drawn(ready: bool) -> Drawn {
    let drawn = use_state(|| Drawn::Start);
    let timer = use_mut_ref(|| None::<Timeout>);
    {
        let drawn = drawn.clone();
        use_effect_with((ready, *drawn), move |&(ready, now)| {
            if let Some(next) = now.next().filter(|_| ready) {
                *timer.borrow_mut() = Some(Timeout::new(0, move || drawn.set(next)));
            }
        });
    }
    *drawn
}

/// The widest window laid out as a phone (one column, see `static/screens.css`).
const PHONE_WIDTH_PX: f64 = 700.0;

/// Moves the keyboard focus to the Play button (the skip link's target).
fn focus_play() {
    let play = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-action=play]").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(play) = play {
        // Focus is a convenience; nothing depends on it succeeding.
        let _ = play.focus();
    }
}

/// The preset the open session came from.
fn frame_preset(ui: &Ui) -> Option<&'static str> {
    ui.session.0.borrow().as_ref().and_then(|s| s.preset)
}

/// Keyboard shortcuts, ignored while typing in a field.
fn shortcut(dispatch: &UseReducerDispatcher<Ui>, event: &KeyboardEvent) {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let typing = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[role=dialog]").ok().flatten().is_some() && event.key() != "Escape"
        });
    if typing {
        return;
    }
    let action = match event.key().as_str() {
        " " => {
            // Space on a focused button presses it; only take it when focus is elsewhere.
            let on_button = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    el.tag_name() == "BUTTON"
                        || el.get_attribute("role").as_deref() == Some("button")
                });
            if on_button {
                return;
            }
            UiAction::TogglePlay
        }
        "ArrowRight" => UiAction::StepForward,
        "ArrowLeft" => UiAction::StepBack,
        "+" | "=" => UiAction::Zoom {
            factor: 0.5,
            anchor: 0.5,
        },
        "-" | "_" => UiAction::Zoom {
            factor: 2.0,
            anchor: 0.5,
        },
        "f" => UiAction::Follow,
        "h" => UiAction::ToggleHistory,
        "x" => UiAction::NextViolation,
        "j" => UiAction::Walk(Walk::Next),
        "k" => UiAction::Walk(Walk::Previous),
        "[" => UiAction::Walk(Walk::Left),
        "]" => UiAction::Walk(Walk::Right),
        "m" => UiAction::Walk(Walk::Message),
        "u" => UiAction::Undo,
        "Home" => UiAction::Restart,
        "t" => UiAction::SetStamps(Stamps::Lamport),
        "v" => UiAction::SetStamps(Stamps::Vector),
        "s" => UiAction::CycleStamps,
        "n" | "PageDown" => UiAction::Guide(GuideAction::Next),
        "p" | "PageUp" => UiAction::Guide(GuideAction::Back),
        "?" => UiAction::ToggleHelp(None),
        "Escape" => {
            dispatch.dispatch(UiAction::ToggleHelp(Some(false)));
            UiAction::Select(Selection::None)
        }
        _ => return,
    };
    event.prevent_default();
    dispatch.dispatch(action);
}
