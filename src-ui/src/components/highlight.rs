//! Syntax colours by highlight.js (vendored from npm by `.ci/build-ui`,
//! BSD-3-Clause, its licence next to it in `vendor/`), for the file viewer,
//! diffs and code blocks in agent answers.
//!
//! The script is not part of the first paint: [`load`] adds it once, when
//! first needed, and [`ready`] turns true when it is there, so views drawn before show plain text and then colour. Its output
//! is HTML in which highlight.js has escaped the text.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Larger texts are shown plain (colouring them would block the page).
pub const MAX_BYTES: usize = 256 * 1024;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = hljs, js_name = getLanguage, catch)]
    fn get_language(name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = hljs, js_name = highlight, catch)]
    fn hljs_highlight(code: &str, options: &JsValue) -> Result<JsValue, JsValue>;
}

thread_local! {
    // Reference-counted, not owned by the view that first asked (which
    // may be gone when the script arrives).
    static READY: ArcRwSignal<bool> = ArcRwSignal::new(false);
    static REQUESTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether highlight.js is loaded (tracked: a view reading it colours
/// itself once it is).
pub fn ready() -> bool {
    READY.with(|r| r.get())
}

/// Adds highlight.js to the page, once; [`ready`] turns true when it is there.
pub fn load() {
    if REQUESTED.with(|r| r.replace(true)) {
        return;
    }
    leptos::task::spawn_local(async {
        if super::script::load("vendor/highlight.min.js").await {
            READY.with(|r| r.set(true));
        }
    });
}

/// The highlight.js language (name or alias) a file's path suggests: its
/// extension, or its name for `Dockerfile`, `Makefile` … ([`html`] shows
/// plain text for one highlight.js does not know).
pub fn language_for_path(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let guess = match lower.as_str() {
        "dockerfile" | "containerfile" => "dockerfile".to_string(),
        "makefile" | "gnumakefile" => "makefile".to_string(),
        n if n.starts_with(".env") => "bash".to_string(),
        n => n.rsplit_once('.')?.1.to_string(),
    };
    Some(guess)
}

/// Whether highlight.js (once loaded) knows `language` (a name or alias).
fn known(language: &str) -> bool {
    untrack(ready) && get_language(language).is_ok_and(|l| !l.is_undefined() && !l.is_null())
}

/// `code` as highlighted HTML, or `None` when highlight.js is not loaded,
/// does not know `language`, or the code is too long to colour.
pub fn html(code: &str, language: &str) -> Option<String> {
    if code.len() > MAX_BYTES || language.is_empty() || !known(language) {
        return None;
    }
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"language".into(), &language.into()).ok()?;
    js_sys::Reflect::set(&options, &"ignoreIllegals".into(), &true.into()).ok()?;
    let result = hljs_highlight(code, &options).ok()?;
    js_sys::Reflect::get(&result, &"value".into())
        .ok()?
        .as_string()
}

/// A `<pre>` of code, coloured once highlight.js is there.
#[component]
pub fn Code(
    #[prop(into)] code: Signal<String>,
    /// A highlight.js language name or alias; none shows plain text.
    #[prop(into)]
    language: Signal<Option<String>>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    load();
    let coloured = move || {
        ready();
        language.with(|l| l.as_deref().and_then(|l| code.with(|c| html(c, l))))
    };
    view! {
        {move || match coloured() {
            Some(h) => view! { <pre class=format!("hljs {class}") data-testid=test_id inner_html=h></pre> }.into_any(),
            None => view! { <pre class=class data-testid=test_id>{code.get()}</pre> }.into_any(),
        }}
    }
}
