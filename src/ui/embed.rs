//! Embed mode: `?embed` turns the page into a compact player for an `<iframe>` (the diagram and
//! play, pause and scrub), with `&autoplay`, a start time (`&t=1.5s`) and optional side panels
//! (`&panels=none`, `checkers`, `inspector`, or both separated by a comma).

use crate::engine::time::parse_duration_us;

use super::page;

/// The query parameters embed mode reads; the full page drops them.
pub const PARAMS: &[&str] = &["embed", "autoplay", "t", "panels"];

/// How an embedded player was asked to behave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Embed {
    pub autoplay: bool,
    /// Where to start, in µs.
    pub start_us: Option<u64>,
    pub checkers: bool,
    pub inspector: bool,
}

impl Embed {
    /// The embed options in the page's URL, if it is embedded.
    pub fn from_url() -> Option<Embed> {
        page::query_param("embed")?;
        let panels = page::query_param("panels").unwrap_or_default();
        let has = |panel: &str| panels.split(',').any(|p| p.trim() == panel);
        Some(Embed {
            autoplay: page::query_param("autoplay").is_some_and(|v| v != "0" && v != "false"),
            start_us: page::query_param("t").and_then(|t| parse_duration_us(t.trim()).ok()),
            checkers: has("checkers"),
            inspector: has("inspector"),
        })
    }
}

/// The `<iframe>` code that embeds the run a share link (fragment, without `#`) opens.
pub fn code(fragment: &str) -> String {
    let src = format!("{}?embed#{fragment}", page::base_url());
    format!(
        "<iframe src=\"{src}\" title=\"Causeway: a distributed-systems run\" width=\"100%\" \
         height=\"480\" style=\"border: 0\" loading=\"lazy\"></iframe>"
    )
}
