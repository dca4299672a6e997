//! The diagram as a picture for slides and notes: an `svg.diagram` (the panel's, or the whole run
//! drawn apart) as a standalone SVG document, in the light theme whatever the page's (or the dark
//! one, if asked), with a title, its time range and the legend above it. Each element's computed
//! presentation is written once, as a class in a single style block, so the picture needs no
//! stylesheet and stays small.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssMediaRule, CssRuleList, CssStyleRule, Element, HtmlElement};

use crate::engine::time::format_us;

/// The presentation properties the diagram's stylesheet sets.
const STYLE_PROPERTIES: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "paint-order",
    "visibility",
    "display",
];

/// The height of the title, time range and legend above the diagram.
const HEADER_PX: f64 = 62.0;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Which colours the picture uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

fn error(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// The theme's custom properties as the page's style sheets define them: the top-level `:root`
/// rule, then for `Dark` the `:root` rule inside `prefers-color-scheme: dark`.
fn palette(document: &web_sys::Document, theme: Theme) -> Vec<(String, String)> {
    let mut light = Vec::new();
    let mut dark = Vec::new();
    let sheets = document.style_sheets();
    for i in 0..sheets.length() {
        let Some(rules) = sheets
            .item(i)
            .and_then(|sheet| sheet.dyn_into::<web_sys::CssStyleSheet>().ok())
            .and_then(|sheet| sheet.css_rules().ok())
        else {
            continue;
        };
        for j in 0..rules.length() {
            let Some(rule) = rules.item(j) else {
                continue;
            };
            if let Some(style) = rule.dyn_ref::<CssStyleRule>()
                && style.selector_text() == ":root"
            {
                light.extend(custom_properties(style));
            } else if let Some(media) = rule.dyn_ref::<CssMediaRule>()
                && media
                    .media()
                    .media_text()
                    .contains("prefers-color-scheme: dark")
            {
                dark.extend(root_rules(&media.css_rules()));
            }
        }
    }
    if theme == Theme::Dark {
        light.extend(dark);
    }
    light
}

fn root_rules(rules: &CssRuleList) -> Vec<(String, String)> {
    (0..rules.length())
        .filter_map(|k| rules.item(k))
        .filter_map(|rule| rule.dyn_into::<CssStyleRule>().ok())
        .filter(|rule| rule.selector_text() == ":root")
        .flat_map(|rule| custom_properties(&rule))
        .collect()
}

fn custom_properties(rule: &CssStyleRule) -> Vec<(String, String)> {
    let style = rule.style();
    (0..style.length())
        .map(|k| style.item(k))
        .filter(|name| name.starts_with("--"))
        .map(|name| {
            let value = style.get_property_value(&name).unwrap_or_default();
            (name, value.trim().to_string())
        })
        .collect()
}

/// What a swatch of the page's legend is drawn in: its background colour, or for a patterned
/// one (crashed), its pattern's colour, the danger colour.
fn swatch_colour(window: &web_sys::Window, swatch: &Element) -> Option<String> {
    let style = window.get_computed_style(swatch).ok()??;
    let background = style.get_property_value("background-color").ok()?;
    if background != "rgba(0, 0, 0, 0)" && !background.is_empty() {
        return Some(background);
    }
    let border = style.get_property_value("border-top-color").ok()?;
    if style.get_property_value("border-top-width").ok()? != "0px" {
        return Some(border);
    }
    style
        .get_property_value("--danger")
        .ok()
        .map(|v| v.trim().to_string())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The picture of `original`, a diagram drawn inside the diagram panel, titled `title`, in `theme`.
pub fn diagram_svg(original: &Element, title: &str, theme: Theme) -> Result<String, JsValue> {
    let window = web_sys::window().ok_or_else(|| error("no window"))?;
    let document = window.document().ok_or_else(|| error("no document"))?;
    let panel: HtmlElement = original
        .closest(".panel-diagram")?
        .ok_or_else(|| error("the diagram is not in its panel"))?
        .dyn_into()?;
    // The theme's colours, set on the panel for as long as its computed styles are read: no frame
    // is drawn in between, so the page never shows them.
    let before = panel.get_attribute("style");
    for (name, value) in palette(&document, theme) {
        panel.style().set_property(&name, &value)?;
    }
    let read = read(&window, original, &panel);
    match before {
        Some(style) => panel.set_attribute("style", &style)?,
        None => panel.remove_attribute("style")?,
    }
    let (copy, classes, legend, colours) = read?;
    compose(original, &copy, &classes, &legend, &colours, title)
}

/// The text, muted and background colours of the picture.
struct Colours {
    text: String,
    muted: String,
    background: String,
}

type Read = (
    Element,
    BTreeMap<String, usize>,
    Vec<(String, String)>,
    Colours,
);

/// Copies the diagram with each element's computed presentation as a class, and reads the legend
/// and the picture's colours, while the theme is set on the panel.
fn read(
    window: &web_sys::Window,
    original: &Element,
    panel: &HtmlElement,
) -> Result<Read, JsValue> {
    let copy: Element = original.clone_node_with_deep(true)?.dyn_into()?;
    let sources = original.query_selector_all("*")?;
    let targets = copy.query_selector_all("*")?;
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..sources.length() {
        let (Some(source), Some(target)) = (sources.item(i), targets.item(i)) else {
            continue;
        };
        let (source, target): (Element, Element) = (source.dyn_into()?, target.dyn_into()?);
        let Some(computed) = window.get_computed_style(&source)? else {
            continue;
        };
        let mut style = String::new();
        for property in STYLE_PROPERTIES {
            let value = computed.get_property_value(property)?;
            if !value.is_empty() {
                let _ = write!(style, "{property}:{value};");
            }
        }
        let next = classes.len();
        let class = *classes.entry(style).or_insert(next);
        target.set_attribute("class", &format!("c{class}"))?;
        target.remove_attribute("style")?;
        for attribute in ["data-k", "data-id", "tabindex", "role", "aria-label"] {
            target.remove_attribute(attribute)?;
        }
    }
    let mut legend = Vec::new();
    let items = panel.query_selector_all(".legend li")?;
    for i in 0..items.length() {
        let Some(item) = items.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let text = item.text_content().unwrap_or_default();
        let colour = item
            .query_selector(".swatch")?
            .and_then(|swatch| swatch_colour(window, &swatch));
        if let Some(colour) = colour {
            legend.push((text.trim().to_string(), colour));
        }
    }
    let panel_style = window
        .get_computed_style(panel)?
        .ok_or_else(|| error("the panel has no style"))?;
    let colours = Colours {
        text: panel_style.get_property_value("--text")?.trim().to_string(),
        muted: panel_style
            .get_property_value("--text-muted")?
            .trim()
            .to_string(),
        background: panel_style.get_property_value("background-color")?,
    };
    Ok((copy, classes, legend, colours))
}

/// The standalone document: style block, background, header, then the diagram below it.
fn compose(
    original: &Element,
    copy: &Element,
    classes: &BTreeMap<String, usize>,
    legend: &[(String, String)],
    colours: &Colours,
    title: &str,
) -> Result<String, JsValue> {
    let number = |name: &str| {
        original
            .get_attribute(name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let (width, height) = (number("width"), number("height"));
    let (start, span) = (
        number("data-start-us") as u64,
        number("data-span-us") as u64,
    );
    // Rounded to a power of ten within a thousandth of the window: "198ms to 598ms".
    let mut unit = 1u64;
    while unit * 1000 <= span {
        unit *= 10;
    }
    let round = |t: u64| match (t + unit / 2) / unit * unit {
        0 => "0".to_string(),
        t => format_us(i128::from(t)),
    };
    let range = format!("{} to {}", round(start), round(start + span));
    let mut style: Vec<(usize, &String)> = classes.iter().map(|(s, &c)| (c, s)).collect();
    style.sort();
    let mut css = String::new();
    for (class, rule) in style {
        let _ = writeln!(css, ".c{class}{{{rule}}}");
    }
    let font = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
    let _ = writeln!(
        css,
        ".title{{{font};font-size:15px;font-weight:650;fill:{text}}}\n\
         .range{{{font};font-size:12px;fill:{muted};text-anchor:end}}\n\
         .key{{{font};font-size:11.5px;fill:{muted}}}",
        text = colours.text,
        muted = colours.muted,
    );
    let mut header = format!(
        "<rect width=\"100%\" height=\"100%\" fill=\"{bg}\"/>\
         <text class=\"title\" x=\"12\" y=\"22\">{title}</text>\
         <text class=\"range\" x=\"{right}\" y=\"22\">{range}</text>",
        bg = escape(&colours.background),
        title = escape(title),
        right = width - 12.0,
        range = escape(&range),
    );
    let mut x = 12.0;
    for (label, colour) in legend {
        let _ = write!(
            header,
            "<rect x=\"{x}\" y=\"38\" width=\"12\" height=\"8\" rx=\"2\" fill=\"{colour}\"/>\
             <text class=\"key\" x=\"{tx}\" y=\"46\">{label}</text>",
            colour = escape(colour),
            tx = x + 17.0,
            label = escape(label),
        );
        x += 17.0 + 7.0 * label.chars().count() as f64 + 16.0;
    }
    let body = web_sys::XmlSerializer::new()?.serialize_to_string(copy)?;
    // The copy's own element becomes a group under the header.
    let inner = body
        .split_once('>')
        .and_then(|(_, rest)| rest.rsplit_once("</svg>"))
        .map(|(inner, _)| inner)
        .ok_or_else(|| error("the diagram could not be copied"))?;
    let total = height + HEADER_PX;
    Ok(format!(
        "<svg xmlns=\"{SVG_NS}\" width=\"{width}\" height=\"{total}\" viewBox=\"0 0 {width} {total}\">\
         <style>\n{css}</style>{header}<g transform=\"translate(0 {HEADER_PX})\">{inner}</g></svg>"
    ))
}
