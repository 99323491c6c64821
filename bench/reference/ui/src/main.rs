//! A bare Leptos page: one component, and the same first-paint report as
//! the app's UI (`ipc::report_first_paint`).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    fn invoke(cmd: &str, args: &JsValue) -> js_sys::Promise;
}

#[component]
fn Reference() -> impl IntoView {
    let (clicks, set_clicks) = signal(0);
    view! {
        <main>
            <h1>"A bare Tauri + Leptos window"</h1>
            <button on:click=move |_| set_clicks.update(|n| *n += 1)>
                "Clicked " {clicks} " times"
            </button>
        </main>
    }
}

fn page_clock() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_default()
}

fn main() {
    let ready_ms = page_clock();
    mount_to_body(Reference);
    let mounted_ms = page_clock();
    // The frame after the first animation frame: a timeout queued from
    // `requestAnimationFrame` runs after that frame is painted.
    let Some(window) = web_sys::window() else {
        return;
    };
    let after_paint = Closure::once_into_js(move || {
        let args = js_sys::Object::new();
        for (key, value) in [
            ("pageMs", page_clock()),
            ("readyMs", ready_ms),
            ("mountedMs", mounted_ms),
        ] {
            let _ = js_sys::Reflect::set(&args, &key.into(), &value.into());
        }
        let _ = invoke("painted", &args);
    });
    let on_frame = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(after_paint.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(on_frame.unchecked_ref());
}
