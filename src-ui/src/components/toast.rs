//! Toasts: short messages in the corner. Errors stay until dismissed or for
//! eight seconds (while their details are open, until dismissed); successes
//! for four. An error's technical detail is behind *Details*, with *Copy*
//! for a bug report; a tool that is missing links to Settings → Doctor.

use crate::components::clipboard;
use ai_desktop_api::{ApiError, ErrorCode};
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
    /// The error's technical detail (the cause's own words).
    detail: Option<String>,
    /// Something the app needs is missing: offer the Doctor.
    unavailable: bool,
    /// Whether the detail is shown (the toast then stays). The toast's own:
    /// not disposed with whatever owner was current when it was posted (an
    /// `Action`'s component, gone when the user leaves its page).
    open: ArcRwSignal<bool>,
}

/// Handle to post toasts; provided once by [`ToastHost`].
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
    /// Shows Settings → Doctor (set by the app frame, which owns navigation).
    doctor: StoredValue<Option<Callback<()>>>,
}

impl Toasts {
    pub fn success(&self, title: impl Into<String>) {
        self.push(ToastKind::Success, title.into(), None, None, false);
    }

    pub fn error(&self, context: &str, err: &ApiError) {
        self.push(
            ToastKind::Error,
            context.to_string(),
            Some(err.message.clone()),
            err.detail.clone().filter(|d| !d.trim().is_empty()),
            err.code == ErrorCode::Unavailable,
        );
    }

    /// Where *Open Doctor* on an "unavailable" error goes.
    pub fn set_doctor(&self, show: Callback<()>) {
        self.doctor.set_value(Some(show));
    }

    fn push(
        &self,
        kind: ToastKind,
        title: String,
        body: Option<String>,
        detail: Option<String>,
        unavailable: bool,
    ) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let open = ArcRwSignal::new(false);
        let reading = open.clone();
        self.items.update(|items| {
            items.push(Toast {
                id,
                kind,
                title,
                body,
                detail,
                unavailable,
                open,
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
        set_timeout(
            move || {
                // Someone reading the details keeps the toast.
                if !reading.get_untracked() {
                    items.update(|v| v.retain(|t| t.id != id));
                }
            },
            ttl,
        );
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
        doctor: StoredValue::new(None),
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
                        <ToastActions toast=toast.clone() toasts=toasts/>
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

/// The toast's error details; *Open Doctor* also dismisses the toast.
#[component]
fn ToastActions(toast: Toast, toasts: Toasts) -> impl IntoView {
    let id = toast.id;
    let doctor = toast
        .unavailable
        .then(|| toasts.doctor.get_value())
        .flatten()
        .map(|show| {
            Callback::new(move |_| {
                toasts.dismiss(id);
                show.run(());
            })
        });
    view! { <ErrorDetails detail=toast.detail.clone() doctor open=RwSignal::from(toast.open.clone())/> }
}

/// *Details* (and *Copy*) for an error's technical detail, *Open Doctor*
/// for a missing tool; nothing when there is neither.
#[component]
pub fn ErrorDetails(
    detail: Option<String>,
    doctor: Option<Callback<()>>,
    /// Whether the detail is shown.
    open: RwSignal<bool>,
) -> impl IntoView {
    let toasts = use_toasts();
    let has_detail = detail.is_some();
    (has_detail || doctor.is_some()).then(|| {
        let detail = detail.unwrap_or_default();
        let copied = detail.clone();
        view! {
            <div class="toast-actions">
                {has_detail.then(|| view! {
                    <button type="button" class="link-button" data-testid="toast-details"
                        aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)>
                        {move || if open.get() { "Hide details" } else { "Details" }}
                    </button>
                })}
                {doctor.map(|show| view! {
                    <button type="button" class="link-button" data-testid="toast-doctor"
                        on:click=move |_| show.run(())>
                        "Open Doctor"
                    </button>
                })}
            </div>
            <Show when=move || open.get()>
                <pre class="toast-detail" data-testid="toast-detail">{detail.clone()}</pre>
                <button type="button" class="button small" data-testid="toast-copy"
                    on:click={
                        let copied = copied.clone();
                        move |_| clipboard::copy(copied.clone(), "Details", toasts)
                    }>
                    "Copy"
                </button>
            </Show>
        }
    })
}

/// An error the page found itself (a field the app would refuse anyway),
/// shown like the app's own.
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

/// An error shown where it happened (a form, a panel): its message, with
/// the same *Details* and *Open Doctor* as a toast.
#[component]
pub fn ErrorText(error: ApiError, #[prop(optional)] test_id: &'static str) -> impl IntoView {
    let toasts = use_toasts();
    let doctor = (error.code == ErrorCode::Unavailable)
        .then(|| toasts.doctor.get_value())
        .flatten();
    let detail = error.detail.filter(|d| !d.trim().is_empty());
    view! {
        <div class="form-error" role="alert" data-testid=test_id>
            <span>{error.message}</span>
            <ErrorDetails detail doctor open=RwSignal::new(false)/>
        </div>
    }
}
