//! The page's state and its reducer. Every gesture becomes a `UiAction`; the reducer applies it to
//! the session (advancing, seeking or intervening) and bumps `generation`, so components know to
//! rebuild their view data. Everything else here is how the user is looking at the run.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::action::{Action, Scheduled};
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::sim::{MAX_EVENTS, PropertyState};
use crate::engine::time::SimTime;
use crate::scenario::link::{Link, Timestamps, ViewOptions};
use crate::scenario::{Scenario, Settings, presets};
use crate::view::diagram::Stamps;
use crate::view::format;
pub use crate::view::frame::{Selection, TimeView};
use crate::view::history::FileHistory;
use crate::view::walk::{Walk, walk};

use super::announce;
pub use super::fetching::open_preset;
use super::guide::{self, GuideAction};
pub use super::opening::PendingOpen;
use super::opening::{Opening, ask_then_open, go};
use super::session::{Session, SessionHandle};
use crate::view::tour::Tour;

/// Playback speeds: simulated microseconds per second of wall time, with their labels.
pub const SPEEDS: &[(u64, &str)] = &[
    (1_000, "1/1000×"),
    (10_000, "1/100×"),
    (50_000, "1/20×"),
    (100_000, "1/10×"),
    (250_000, "1/4×"),
    (1_000_000, "1×"),
    (4_000_000, "4×"),
    (20_000_000, "20×"),
];
const DEFAULT_SPEED: usize = 3;
/// The narrowest and widest time windows the diagram zooms to.
pub(super) const MIN_SPAN_US: u64 = 500;
pub(super) const MAX_SPAN_US: u64 = 3_600_000_000;
const DEFAULT_SPAN_US: u64 = 400_000;
/// How many interventions Undo can take back.
const MAX_UNDO: usize = 50;
/// While following, "now" sits this fraction of the window above its bottom.
const FOLLOW_MARGIN: f64 = 0.12;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteKind {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

#[derive(Clone, PartialEq)]
pub struct Ui {
    pub session: SessionHandle,
    /// Bumped whenever the session changes.
    pub generation: u64,
    pub playing: bool,
    pub speed: usize,
    /// Where the frame loop is heading (ahead of now while catching up with a scrub).
    pub target_us: u64,
    pub last_frame_ms: Option<f64>,
    pub view: TimeView,
    pub stamps: Stamps,
    pub selection: Selection,
    /// Nodes gathered to be partitioned from the rest.
    pub group: Vec<NodeId>,
    pub note: Option<Note>,
    pub help: bool,
    /// The diagram's size in CSS pixels.
    pub size: (f64, f64),
    /// Whether the history is open beside the diagram, and its width in CSS pixels.
    pub history: bool,
    pub history_width: f64,
    /// Whether the table of consistency models under the history is open (judged only then).
    pub models: bool,
    /// The share link (fragment, without `#`) being offered, once asked for.
    pub share: Option<String>,
    /// Why the link the page was opened with cannot be opened.
    pub link_error: Option<String>,
    /// Why the settings last asked for cannot run.
    pub settings_error: Option<String>,
    /// Progress through the scenario's guided lesson, if it has one.
    pub tour: Option<Tour>,
    /// A node lit up because the pointer is on a mention of it.
    pub spotlight: Option<NodeId>,
    /// Whether the course map is shown instead of the sandbox.
    pub course: bool,
    /// What the live region last said about the run's key events.
    pub announcement: Option<String>,
    /// How many of the run's events have been considered for announcements.
    announced: usize,
    /// The run's interventions before each of the user's last changes, newest last: Undo goes
    /// back to them.
    pub undo: Vec<Vec<Scheduled>>,
    /// A scenario asked for while the current run has interventions: opened once confirmed.
    pub pending_open: Option<PendingOpen>,
    /// A history opened from a file, shown in place of the run's diagram.
    pub history_file: Option<OpenedHistory>,
}

/// A history opened from a file; two are equal when they are the same one.
#[derive(Clone)]
pub struct OpenedHistory(pub Rc<FileHistory>);

impl PartialEq for OpenedHistory {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            session: SessionHandle::default(),
            generation: 0,
            playing: false,
            speed: DEFAULT_SPEED,
            target_us: 0,
            last_frame_ms: None,
            view: TimeView {
                start_us: 0,
                span_us: DEFAULT_SPAN_US,
                follow: true,
            },
            stamps: Stamps::None,
            selection: Selection::None,
            group: Vec::new(),
            note: None,
            help: false,
            size: (800.0, 560.0),
            history: false,
            models: false,
            history_width: 320.0,
            share: None,
            link_error: None,
            settings_error: None,
            tour: None,
            spotlight: None,
            course: false,
            announcement: None,
            announced: 0,
            undo: Vec::new(),
            pending_open: None,
            history_file: None,
        }
    }
}

pub enum UiAction {
    /// Open a scenario (from a preset if named); asks first if the current run has interventions.
    Open(Box<Scenario>, Option<&'static str>),
    /// Open a counterexample a search found: its scenario, run on to the violation, which is
    /// selected (so its involved events are highlighted).
    OpenFound(Box<Scenario>, SimTime, EventId),
    /// Open the scenario called `name` in the engine that has its protocol, reloading the page at
    /// `url` (`engines`); asks first as `Open` does.
    Leave {
        name: String,
        url: String,
    },
    /// Answer the question `Open` asked: replace the changed run (`true`) or keep it.
    ConfirmOpen(bool),
    /// Run the open scenario again with these settings (protocol and model as JSON, seed, node
    /// count).
    Rerun(Settings),
    /// Open a share link: its scenario, then catch up with its position and take its view.
    OpenLink(Box<Link>),
    /// Opening failed before there was a scenario (bad `?scenario=` input).
    Fail(String),
    /// The link in the address cannot be opened, for this reason.
    LinkFailed(String),
    /// Offer a share link of the run as it is now (`true`), or stop offering it.
    Share(bool),
    TogglePlay,
    Frame(f64),
    SetSpeed(usize),
    StepForward,
    StepBack,
    Seek(u64),
    Restart,
    Zoom {
        factor: f64,
        anchor: f64,
    },
    /// Pan by a fraction of the window (positive is later).
    Pan(f64),
    Follow,
    SetStamps(Stamps),
    /// No stamps, then Lamport, then vector.
    CycleStamps,
    Select(Selection),
    /// Jump to an event: bring it into view and select it.
    Reveal(EventId),
    /// Jump to a client operation: bring its start into view and select it.
    RevealOp(OpId),
    /// Open or fold the table of consistency models under the history.
    ToggleModels,
    /// Open the preset of another design (`presets::SWITCHES`) at the same moment of the run.
    SwitchDesign(&'static str),
    /// Jump to the run's next violation after the selected event (the first after the last).
    NextViolation,
    /// Move the selection through the diagram (`view::walk`), bringing it into view.
    Walk(Walk),
    ToggleGroup(NodeId),
    Intervene(Action),
    Note(Option<Note>),
    ToggleHelp(Option<bool>),
    Resize(f64, f64),
    /// Open or close the history beside the diagram.
    ToggleHistory,
    /// The history panel's measured width.
    ResizeHistory(f64),
    /// Show a history read from a file in place of the run, or (`None`) go back to the run.
    OpenHistory(Option<Rc<FileHistory>>),
    Guide(GuideAction),
    Spotlight(Option<NodeId>),
    /// Show the course map (`true`) or the sandbox.
    ShowCourse(bool),
    /// Take back the last intervention (and bring back any it cut off).
    Undo,
}

impl Ui {
    /// True while the frame loop has work: playing, or catching up with a scrub forward.
    pub fn animating(&self) -> bool {
        let session = self.session.0.borrow();
        let Some(session) = session.as_ref() else {
            return false;
        };
        !session.run.finished() && (self.playing || session.run.now().0 < self.target_us)
    }

    /// How the run is being looked at, as a share link carries it.
    pub fn view_options(&self) -> ViewOptions {
        ViewOptions {
            timestamps: match self.stamps {
                Stamps::None => Timestamps::None,
                Stamps::Lamport => Timestamps::Lamport,
                Stamps::Vector => Timestamps::Vector,
            },
            us_per_px: Some(((self.view.span_us as f64 / self.size.0.max(1.0)) as u64).max(1)),
            selected: match self.selection {
                Selection::Node(node) => Some(node),
                _ => None,
            },
            speed: SPEEDS.get(self.speed).map(|s| s.0),
            history: self.history,
        }
    }

    fn apply_view_options(&mut self, view: &ViewOptions) {
        self.stamps = match view.timestamps {
            Timestamps::None => Stamps::None,
            Timestamps::Lamport => Stamps::Lamport,
            Timestamps::Vector => Stamps::Vector,
        };
        if let Some(us_per_px) = view.us_per_px {
            self.view.span_us = (us_per_px as f64 * self.size.0)
                .clamp(MIN_SPAN_US as f64, MAX_SPAN_US as f64)
                as u64;
        }
        if let Some(node) = view.selected {
            self.selection = Selection::Node(node);
        }
        self.history |= view.history;
        // A speed this page does not offer keeps the current one.
        if let Some(i) = view
            .speed
            .and_then(|v| SPEEDS.iter().position(|s| s.0 == v))
        {
            self.speed = i;
        }
    }

    /// A fresh page state for a newly opened session, keeping the user's preferences.
    pub(super) fn reset(&self) -> Ui {
        Ui {
            session: self.session.clone(),
            // Counting on, so a new session never has the generation of the last one's frame.
            generation: self.generation,
            speed: self.speed,
            size: self.size,
            stamps: self.stamps,
            history: self.history,
            history_width: self.history_width,
            ..Ui::default()
        }
    }

    fn follow_now(&mut self, now: u64) {
        if self.view.follow {
            let lead = (self.view.span_us as f64 * (1.0 - FOLLOW_MARGIN)) as u64;
            self.view.start_us = now.saturating_sub(lead);
        }
    }
}

impl Reducible for Ui {
    type Action = UiAction;

    fn reduce(self: Rc<Self>, action: UiAction) -> Rc<Self> {
        let mut ui = (*self).clone();
        let handle = ui.session.clone();
        let mut guard = handle.0.borrow_mut();
        let changed_session = match action {
            UiAction::Open(scenario, preset) => {
                let opening = Opening::here(scenario, preset, SimTime::ZERO);
                ask_then_open(&mut ui, &mut guard, opening)
            }
            UiAction::Leave { name, url } => {
                ask_then_open(&mut ui, &mut guard, Opening::Elsewhere { name, url })
            }
            UiAction::OpenFound(scenario, at, event) => {
                let opening = Opening::here(scenario, None, at);
                let changed = ask_then_open(&mut ui, &mut guard, opening);
                if changed {
                    ui.selection = Selection::Event(event);
                }
                changed
            }
            UiAction::Rerun(settings) => {
                match guard
                    .as_ref()
                    .map(|s| s.scenario().with_settings(&settings))
                {
                    Some(Ok(scenario)) => {
                        let opening = Opening::here(Box::new(scenario), None, SimTime::ZERO);
                        ask_then_open(&mut ui, &mut guard, opening)
                    }
                    Some(Err(error)) => {
                        ui.settings_error = Some(format!("These settings cannot run: {error}."));
                        false
                    }
                    None => false,
                }
            }
            UiAction::SwitchDesign(id) => {
                let at = guard.as_ref().map_or(SimTime::ZERO, |s| s.run.now());
                match presets::find(id).map(|p| p.scenario()) {
                    Some(Ok(scenario)) => {
                        let (scenario, preset) = (Box::new(scenario), Some(id));
                        ask_then_open(&mut ui, &mut guard, Opening::here(scenario, preset, at))
                    }
                    _ => false,
                }
            }
            UiAction::ConfirmOpen(replace) => match ui.pending_open.take() {
                Some(pending) if replace => go(&mut ui, &mut guard, pending.opening),
                _ => false,
            },
            UiAction::OpenLink(link) => {
                let preset = presets::PRESETS
                    .iter()
                    .find(|p| {
                        p.scenario().is_ok_and(|s| {
                            s.name == link.scenario.name
                                && s.description == link.scenario.description
                        })
                    })
                    .map(|p| p.id);
                match Session::new(&link.scenario, preset) {
                    Ok(mut session) => {
                        ui = ui.reset();
                        guide::start(&mut ui, &mut session, link.at == SimTime::ZERO);
                        ui.apply_view_options(&link.view);
                        ui.target_us = link.at.0;
                        *guard = Some(session);
                    }
                    Err(error) => {
                        ui.link_error = Some(format!("its scenario cannot run: {error}"));
                    }
                }
                true
            }
            UiAction::LinkFailed(text) => {
                ui.link_error = Some(text);
                false
            }
            UiAction::Fail(text) => {
                ui.note = Some(Note {
                    kind: NoteKind::Error,
                    text,
                });
                false
            }
            action => match guard.as_mut() {
                Some(session) => reduce_session(&mut ui, session, action),
                None => reduce_view(&mut ui, action, 0),
            },
        };
        if changed_session {
            ui.generation = ui.generation.wrapping_add(1);
            if let Some(session) = guard.as_mut() {
                guide::watch(&mut ui, session);
                let len = session.run.events().len();
                let from = ui.announced.min(len);
                if len > from
                    && let Some(text) = announce::since(session.run.as_ref(), from)
                {
                    ui.announcement = Some(text);
                }
                ui.announced = len;
            }
        }
        if let Some(session) = guard.as_ref() {
            let now = session.run.now().0;
            ui.follow_now(now);
            if session.run.at_event_limit() && (ui.playing || ui.target_us > now) {
                ui.note = Some(Note {
                    kind: NoteKind::Info,
                    text: format!(
                        "The run stopped at {}: its trace holds {} events, as many as this page \
                         keeps. Everything up to here can still be explored; for a longer run, \
                         use fewer nodes or a shorter horizon.",
                        format::time(now),
                        format::count(MAX_EVENTS as u64)
                    ),
                });
                ui.target_us = now;
            }
            if session.run.finished() {
                ui.playing = false;
            }
        }
        drop(guard);
        Rc::new(ui)
    }
}

/// Applies an action that needs a session. Returns whether the session changed.
fn reduce_session(ui: &mut Ui, session: &mut Session, action: UiAction) -> bool {
    let now = session.run.now().0;
    let horizon = session.run.horizon().0;
    match action {
        UiAction::TogglePlay => {
            if !ui.playing && ui.tour.as_ref().is_some_and(Tour::asking) {
                ui.note = Some(Note {
                    kind: NoteKind::Info,
                    text: "The run waits for your prediction: answer the step's question to play \
                           on, or choose Free play to explore on your own."
                        .into(),
                });
                return false;
            }
            if ui.playing {
                ui.playing = false;
                ui.target_us = now;
            } else {
                if session.run.finished() || now >= horizon {
                    session.seek(SimTime::ZERO);
                    ui.target_us = 0;
                }
                ui.playing = true;
                ui.view.follow = true;
                // Play on from where a scrub forward (or an opened link) is heading.
                ui.target_us = ui.target_us.max(session.run.now().0);
                ui.last_frame_ms = None;
            }
            true
        }
        UiAction::Frame(timestamp) => {
            if ui.playing {
                let elapsed = ui
                    .last_frame_ms
                    .map_or(0.0, |last| (timestamp - last).clamp(0.0, 100.0));
                let rate = SPEEDS.get(ui.speed).map_or(1.0, |s| s.0 as f64) / 1_000.0;
                let ahead = ui.target_us.max(now);
                ui.target_us = (ahead + (elapsed * rate) as u64).min(horizon);
            }
            ui.target_us = guide::limit(ui, now, ui.target_us);
            ui.last_frame_ms = Some(timestamp);
            session.advance(SimTime(ui.target_us), &performance_now);
            true
        }
        UiAction::SetSpeed(speed) => {
            ui.speed = speed.min(SPEEDS.len() - 1);
            false
        }
        UiAction::StepForward => {
            ui.playing = false;
            session.step_forward();
            ui.target_us = session.run.now().0;
            ui.view.follow = true;
            true
        }
        UiAction::StepBack => {
            ui.playing = false;
            session.step_back();
            ui.target_us = session.run.now().0;
            ui.view.follow = true;
            true
        }
        UiAction::Seek(t) => {
            let t = t.min(horizon);
            ui.view.follow = true;
            if t < now {
                session.seek(SimTime(t));
            }
            // Forward, the frame loop catches up in bounded slices.
            ui.target_us = t;
            ui.last_frame_ms = None;
            true
        }
        UiAction::Restart => {
            ui.playing = false;
            session.seek(SimTime::ZERO);
            ui.target_us = 0;
            ui.view.follow = true;
            true
        }
        UiAction::NextViolation => {
            let mut violations: Vec<EventId> = session
                .run
                .properties()
                .iter()
                .filter_map(|p| match p.state {
                    PropertyState::Violated { event, .. } => Some(event),
                    _ => None,
                })
                .collect();
            violations.sort();
            let after = match ui.selection {
                Selection::Event(selected) => violations.iter().find(|&&v| v > selected),
                _ => None,
            };
            match after.or(violations.first()) {
                Some(&event) => reduce_session(ui, session, UiAction::Reveal(event)),
                None => false,
            }
        }
        UiAction::Walk(step) => {
            let window = (ui.view.start_us, ui.view.start_us + ui.view.span_us);
            let events = session.run.events();
            let Some(next) = walk(events, session.run.node_count(), ui.selection, window, step)
            else {
                return false;
            };
            let time = match next {
                Selection::Event(e) | Selection::Message(e) => {
                    events.get(e.index()).map(|e| e.time.0)
                }
                _ => None,
            };
            if let Some(time) = time.filter(|t| *t < window.0 || *t > window.1) {
                ui.view.center_on(time);
            }
            ui.selection = next;
            ui.announcement = announce::selected(session.run.as_ref(), next);
            false
        }
        UiAction::Reveal(event) => {
            let time = session.run.events().get(event.index()).map(|e| e.time.0);
            if let Some(time) = time {
                ui.playing = false;
                ui.view.center_on(time);
                ui.selection = Selection::Event(event);
            }
            false
        }
        UiAction::RevealOp(op) => {
            if let Some(time) = session.history.op(op).map(|o| o.invoked_us) {
                if time < ui.view.start_us || time > ui.view.start_us + ui.view.span_us {
                    ui.playing = false;
                    ui.view.center_on(time);
                }
                ui.selection = Selection::Operation(op);
            }
            false
        }
        UiAction::Share(open) => {
            ui.share = open.then(|| session.link(ui.view_options()).encode());
            false
        }
        UiAction::Undo => {
            let Some(previous) = ui.undo.pop() else {
                return false;
            };
            let text = match session.replace_interventions(previous) {
                Ok(()) => Note {
                    kind: NoteKind::Info,
                    text: format!(
                        "Undone: the run is back to its {} intervention{}, at {}.",
                        session.run.interventions().len(),
                        if session.run.interventions().len() == 1 {
                            ""
                        } else {
                            "s"
                        },
                        format::time(session.run.now().0)
                    ),
                },
                Err(error) => Note {
                    kind: NoteKind::Error,
                    text: format!("This cannot be undone: {error}"),
                },
            };
            ui.note = Some(text);
            ui.playing = false;
            ui.target_us = session.run.now().0;
            true
        }
        UiAction::Intervene(action) => {
            let description = action.describe();
            let before = session.run.interventions();
            match session.run.apply(action) {
                Ok(cut) => {
                    ui.undo.push(before);
                    if ui.undo.len() > MAX_UNDO {
                        ui.undo.remove(0);
                    }
                    session.reindex();
                    let at = format::time(now);
                    let text = match cut.len() {
                        0 => format!("{description} at {at}"),
                        1 => format!(
                            "{description} at {at}. This started a new branch: 1 later \
                             intervention was cut off (Undo brings it back)."
                        ),
                        n => format!(
                            "{description} at {at}. This started a new branch: {n} later \
                             interventions were cut off (Undo brings them back)."
                        ),
                    };
                    ui.note = Some(Note {
                        kind: NoteKind::Info,
                        text,
                    });
                    ui.target_us = session.run.now().0;
                    if matches!(description.split(' ').next(), Some("partition" | "heal")) {
                        ui.group.clear();
                    }
                }
                Err(error) => {
                    ui.note = Some(Note {
                        kind: NoteKind::Error,
                        text: error.0,
                    });
                }
            }
            true
        }
        UiAction::Guide(action) => guide::reduce(ui, session, action),
        action => reduce_view(ui, action, horizon),
    }
}

/// The page's monotonic clock in milliseconds, which bounds the work of one frame.
fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now())
}

/// Applies an action that only changes how the run is looked at.
fn reduce_view(ui: &mut Ui, action: UiAction, horizon: u64) -> bool {
    match action {
        UiAction::Zoom { factor, anchor } => {
            let old = ui.view.span_us as f64;
            let max = if horizon > 0 {
                (horizon + horizon / 10).clamp(MIN_SPAN_US, MAX_SPAN_US)
            } else {
                MAX_SPAN_US
            };
            let span = (old * factor).clamp(MIN_SPAN_US as f64, max as f64);
            let anchor = anchor.clamp(0.0, 1.0);
            let pivot = ui.view.start_us as f64 + old * anchor;
            ui.view.span_us = span as u64;
            if !ui.view.follow {
                ui.view.start_us = (pivot - span * anchor).max(0.0) as u64;
            }
        }
        UiAction::Pan(fraction) => {
            let delta = ui.view.span_us as f64 * fraction;
            ui.view.follow = false;
            ui.view.start_us = (ui.view.start_us as f64 + delta).clamp(0.0, horizon as f64) as u64;
        }
        UiAction::Follow => ui.view.follow = true,
        UiAction::SetStamps(stamps) => ui.stamps = stamps,
        UiAction::CycleStamps => {
            ui.stamps = match ui.stamps {
                Stamps::None => Stamps::Lamport,
                Stamps::Lamport => Stamps::Vector,
                Stamps::Vector => Stamps::None,
            }
        }
        UiAction::Select(selection) => ui.selection = selection,
        UiAction::ToggleGroup(node) => {
            if let Some(i) = ui.group.iter().position(|n| *n == node) {
                ui.group.remove(i);
            } else {
                ui.group.push(node);
                ui.group.sort();
            }
        }
        UiAction::Note(note) => ui.note = note,
        UiAction::Share(_) => ui.share = None,
        UiAction::ToggleHelp(open) => ui.help = open.unwrap_or(!ui.help),
        UiAction::Resize(width, height) => ui.size = (width.max(200.0), height.max(200.0)),
        UiAction::ToggleHistory => ui.history = !ui.history,
        UiAction::ToggleModels => ui.models = !ui.models,
        UiAction::ResizeHistory(width) => ui.history_width = width.max(120.0),
        UiAction::OpenHistory(file) => {
            ui.course = ui.course && file.is_none();
            ui.history_file = file.map(OpenedHistory);
        }
        UiAction::Spotlight(node) => ui.spotlight = node,
        UiAction::ShowCourse(show) => ui.course = show,
        _ => {}
    }
    false
}

/// What every component may reach: the dispatcher (stable across renders) and the session, for
/// reading details on demand (a hover card).
#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub dispatch: UseReducerDispatcher<Ui>,
    pub session: SessionHandle,
}

/// The app context; components are only ever mounted inside its provider.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components are mounted inside the app's context provider")
}
