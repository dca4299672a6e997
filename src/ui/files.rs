//! Files the page hands to the user: downloads of text, and of a picture (`ui::picture`) as a PNG.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, HtmlImageElement, Url};

/// How many image pixels a CSS pixel becomes in the PNG.
const PNG_SCALE: f64 = 2.0;

fn error(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn document() -> Result<web_sys::Document, JsValue> {
    web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| error("the page has no document"))
}

fn blob(parts: &JsValue, mime: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_str_sequence_and_options(parts, &options)
}

/// Offers `blob` as a download called `name`, through a temporary `<a download>`.
fn download_blob(blob: &Blob, name: &str) -> Result<(), JsValue> {
    let document = document()?;
    let url = Url::create_object_url_with_blob(blob)?;
    let anchor: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| error("the page has no body"))?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    // The browser has read the URL by the time the click returns; give it a moment anyway.
    gloo::timers::callback::Timeout::new(1_000, move || {
        // Revoking only frees memory; nothing depends on it succeeding.
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Offers `text` as a download called `name` with the given media type.
/// The file an `<input type="file">` change chose, taken off the input so that choosing the same
/// file again fires again.
pub fn chosen(event: &web_sys::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input = event
        .target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}

/// A chosen file's text, or `None` when the browser cannot read it.
pub async fn text_of(file: &web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|text| text.as_string())
}

pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    download_blob(&blob(&parts, mime)?, name)
}

/// Draws `svg` (a standalone SVG document) on a canvas and offers it as a PNG download.
pub async fn download_png(svg: &str, name: &str) -> Result<(), JsValue> {
    let document = document()?;
    let parts = js_sys::Array::of1(&JsValue::from_str(svg));
    let url = Url::create_object_url_with_blob(&blob(&parts, "image/svg+xml")?)?;
    let image = HtmlImageElement::new()?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    image.set_src(&url);
    let result = wasm_bindgen_futures::JsFuture::from(loaded).await;
    image.set_onload(None);
    image.set_onerror(None);
    Url::revoke_object_url(&url)?;
    result.map_err(|_| error("the diagram could not be drawn as an image"))?;

    let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    let (width, height) = (
        f64::from(image.natural_width()),
        f64::from(image.natural_height()),
    );
    canvas.set_width((width * PNG_SCALE) as u32);
    canvas.set_height((height * PNG_SCALE) as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| error("no 2D canvas"))?
        .dyn_into()?;
    context.scale(PNG_SCALE, PNG_SCALE)?;
    context.draw_image_with_html_image_element(&image, 0.0, 0.0)?;
    let png = canvas.to_data_url_with_type("image/png")?;
    let anchor: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&png);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}
