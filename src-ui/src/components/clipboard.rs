//! Copying to the clipboard with a toast that says what happened.

use crate::components::toast::Toasts;
use leptos::task::spawn_local;

/// Copies `text`; the toast says "<what> copied", or why it could not.
pub fn copy(text: String, what: &'static str, toasts: Toasts) {
    spawn_local(async move {
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&text);
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => toasts.success(format!("{what} copied")),
            Err(_) => toasts.error(
                "Could not copy",
                &ai_desktop_api::ApiError::new(
                    ai_desktop_api::ErrorCode::Failed,
                    "The clipboard refused; select the text instead.",
                ),
            ),
        }
    });
}
