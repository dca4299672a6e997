//! `use_size`: an element's size, measured when `deps` change and whenever the element resizes
//! (with the window, or with whatever shares its space), handed to a callback.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// Calls `on_size` with `node`'s inner width and height in CSS pixels, now (after each change of
/// `deps`) and on every resize, skipping the zero sizes of a hidden element.
#[hook]
pub fn use_size<D>(node: NodeRef, deps: D, on_size: Callback<(f64, f64)>)
where
    D: PartialEq + 'static,
{
    use_effect_with(deps, move |_| {
        let element = node.cast::<web_sys::Element>();
        let measure = {
            let element = element.clone();
            move || {
                if let Some(element) = &element {
                    let (w, h) = (element.client_width(), element.client_height());
                    if w > 0 && h > 0 {
                        on_size.emit((f64::from(w), f64::from(h)));
                    }
                }
            }
        };
        measure();
        let callback = Closure::<dyn FnMut()>::new(measure);
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
        if let (Some(observer), Some(element)) = (&observer, &element) {
            observer.observe(element);
        }
        move || {
            if let Some(observer) = observer {
                observer.disconnect();
            }
            drop(callback);
        }
    });
}
