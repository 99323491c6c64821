//! A modal dialog: backdrop, title, body, and Escape to close.

use leptos::prelude::*;

#[component]
pub fn Dialog(
    title: String,
    /// Called when the user dismisses the dialog (Escape, backdrop, ×).
    on_close: Callback<()>,
    #[prop(optional)] test_id: &'static str,
    children: Children,
) -> impl IntoView {
    let label = title.clone();
    view! {
        <div
            class="backdrop"
            on:click=move |_| on_close.run(())
        >
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-label=label
                data-testid=test_id
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        on_close.run(());
                    }
                }
            >
                <header class="dialog-header">
                    <h2>{title}</h2>
                    <button class="icon-button" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
