//! A modal dialog on the native `<dialog>` element.
//!
//! `showModal()` puts it in the top layer and makes the rest of the page
//! inert, so focus cannot leave it (the browser's focus trap) and screen
//! readers see only it. Escape (the `cancel` event), a click on the backdrop
//! and × all call `on_close`: the page's state decides whether the dialog
//! exists, the element never closes itself. Focus goes back to where it was.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Dialog(
    title: String,
    /// Called when the user dismisses the dialog (Escape, backdrop, ×).
    on_close: Callback<()>,
    #[prop(optional)] test_id: &'static str,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Dialog>::new();
    // Where focus was, to give it back when the dialog goes.
    let before = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let before = send_wrapper::SendWrapper::new(before);
    on_cleanup(move || {
        if let Some(e) = before.take() {
            let _ = e.focus();
        }
    });
    node.on_load(move |d| {
        if !d.open() {
            let _ = d.show_modal();
        }
        // The browser focuses the first focusable element, which is ×;
        // a field or the dialog's chosen button is the better start.
        if let Ok(Some(first)) = d.query_selector(
            "[autofocus], input:not([type=hidden]):not([disabled]), textarea, select",
        ) {
            if let Ok(first) = first.dyn_into::<web_sys::HtmlElement>() {
                let _ = first.focus();
            }
        }
    });
    // A click whose press and release both land on the backdrop closes; a
    // text selection dragged out of the dialog does not.
    let pressed_outside = StoredValue::new(false);
    let on_backdrop = move |ev: &web_sys::MouseEvent| {
        let Some(d) = node.get_untracked() else {
            return false;
        };
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        target.is_some_and(|t| t == **d)
    };
    let label = title.clone();
    view! {
        <dialog
            node_ref=node
            class="dialog"
            aria-label=label
            data-testid=test_id
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                on_close.run(());
            }
            // Should the browser close it by itself (it may, on a second
            // Escape), the page follows; after unmount this is a no-op.
            on:close=move |_| { on_close.try_run(()); }
            on:mousedown=move |ev| pressed_outside.set_value(on_backdrop(&ev))
            on:click=move |ev| {
                if pressed_outside.get_value() && on_backdrop(&ev) {
                    on_close.run(());
                }
            }
        >
            <div class="dialog-inner">
                <header class="dialog-header">
                    <h2>{title}</h2>
                    <button type="button" class="icon-button" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </dialog>
    }
}
