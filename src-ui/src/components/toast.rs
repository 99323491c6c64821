//! Toasts: short messages in the corner. Errors stay until dismissed or for
//! eight seconds; successes for four.

use ai_desktop_api::ApiError;
use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

#[derive(Clone)]
struct Toast {
    id: u64,
    kind: ToastKind,
    title: String,
    body: Option<String>,
}

/// Handle to post toasts; provided once by [`ToastHost`].
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    pub fn success(&self, title: impl Into<String>) {
        self.push(ToastKind::Success, title.into(), None);
    }

    pub fn error(&self, context: &str, err: &ApiError) {
        self.push(
            ToastKind::Error,
            context.to_string(),
            Some(err.message.clone()),
        );
    }

    fn push(&self, kind: ToastKind, title: String, body: Option<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| {
            items.push(Toast {
                id,
                kind,
                title,
                body,
            });
            // Keep the corner readable when many things fail at once.
            if items.len() > 5 {
                items.remove(0);
            }
        });
        let items = self.items;
        let ttl = match kind {
            ToastKind::Success => Duration::from_secs(4),
            ToastKind::Error => Duration::from_secs(8),
        };
        set_timeout(move || items.update(|v| v.retain(|t| t.id != id)), ttl);
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|v| v.retain(|t| t.id != id));
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Provides [`Toasts`] to its children and renders the toast stack.
#[component]
pub fn ToastHost(children: Children) -> impl IntoView {
    let toasts = Toasts {
        items: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    };
    provide_context(toasts);
    view! {
        {children()}
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div
                    class="toast"
                    class:toast-error=toast.kind == ToastKind::Error
                    class:toast-success=toast.kind == ToastKind::Success
                    data-testid="toast"
                >
                    <div class="toast-text">
                        <strong>{toast.title.clone()}</strong>
                        {toast.body.clone().map(|b| view! { <span>{b}</span> })}
                    </div>
                    <button
                        class="icon-button"
                        aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
