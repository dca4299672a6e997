//! Inline SVG icons, drawn on a 24-unit grid with `currentColor` so they follow the theme.

use yew::prelude::*;

/// Two nodes joined by a message arcing over the water line: the Causeway mark.
pub fn logo() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="8" class="logo-tile" />
            <path d="M8 19c3-8 13-8 16 0" class="logo-arc" />
            <circle cx="8" cy="19" r="3" class="logo-node" />
            <circle cx="24" cy="19" r="3" class="logo-node" />
            <path d="M6 25h20" class="logo-water" />
        </svg>
    }
}

fn icon(paths: Html) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"
            fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round">
            { paths }
        </svg>
    }
}

pub fn lanes() -> Html {
    icon(html! {
        <>
            <path d="M5 3v18M12 3v18M19 3v18" stroke-dasharray="1.5 2.5" opacity="0.55" />
            <path d="M5 7l7 4M12 14l7 4" />
            <circle cx="5" cy="7" r="1.6" fill="currentColor" />
            <circle cx="12" cy="11" r="1.6" fill="currentColor" />
            <circle cx="12" cy="14" r="1.6" fill="currentColor" />
            <circle cx="19" cy="18" r="1.6" fill="currentColor" />
        </>
    })
}

pub fn cursor() -> Html {
    icon(html! {
        <>
            <path d="M5 4l5.5 15 2.2-6.3L19 10.5z" />
            <path d="M13 13l5 5" />
        </>
    })
}

pub fn play() -> Html {
    icon(html! { <path d="M8 5.5v13l10-6.5z" /> })
}

pub fn step() -> Html {
    icon(html! {
        <>
            <path d="M6 5.5v13l9-6.5z" />
            <path d="M18 5.5v13" />
        </>
    })
}

pub fn reset() -> Html {
    icon(html! {
        <>
            <path d="M4.5 12a7.5 7.5 0 1 0 2.2-5.3" />
            <path d="M4.5 4.5v4h4" />
        </>
    })
}

pub fn pause() -> Html {
    icon(html! { <path d="M8.5 5.5v13M15.5 5.5v13" stroke-width="2.5" /> })
}

pub fn step_back() -> Html {
    icon(html! {
        <>
            <path d="M18 5.5v13l-9-6.5z" />
            <path d="M6 5.5v13" />
        </>
    })
}

pub fn zoom_in() -> Html {
    icon(html! {
        <>
            <circle cx="10.5" cy="10.5" r="6" />
            <path d="M15 15l5 5M8 10.5h5M10.5 8v5" />
        </>
    })
}

pub fn zoom_out() -> Html {
    icon(html! {
        <>
            <circle cx="10.5" cy="10.5" r="6" />
            <path d="M15 15l5 5M8 10.5h5" />
        </>
    })
}
