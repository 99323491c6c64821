//! Scripts the page loads when first needed, not at start (highlight.js
//! when code is first shown, xterm.js when a terminal is first opened): the
//! first frame does not wait for JavaScript most visits never run.

use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;

thread_local! {
    /// One load per script, shared by everyone who waits for it.
    static LOADS: RefCell<HashMap<&'static str, js_sys::Promise>> = RefCell::new(HashMap::new());
}

/// Adds `<script src>` to the page once and waits until it has run; false
/// when it could not be loaded (the build lacks `vendor/`).
pub async fn load(src: &'static str) -> bool {
    let promise = LOADS.with(|l| {
        l.borrow_mut()
            .entry(src)
            .or_insert_with(|| start(src))
            .clone()
    });
    let loaded = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
    if !loaded {
        web_sys::console::warn_1(
            &format!("{src} is missing from this build; run .ci/build-ui").into(),
        );
    }
    loaded
}

fn start(src: &'static str) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, reject| {
        let added = (|| {
            let doc = web_sys::window()?.document()?;
            let script = doc.create_element("script").ok()?;
            script.set_attribute("src", src).ok()?;
            script
                .add_event_listener_with_callback("load", &resolve)
                .ok()?;
            script
                .add_event_listener_with_callback("error", &reject)
                .ok()?;
            doc.head()?.append_child(&script).ok()
        })();
        if added.is_none() {
            let _ = reject.call0(&JsValue::NULL);
        }
    })
}
