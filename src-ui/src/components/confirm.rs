//! Asking before something that cannot be undone.
//!
//! [`ConfirmDialog`] is the one confirmation every page uses: it runs the
//! work once however often the button is pressed, keeps the dialog open
//! (with the error and its details) when the work fails, and closes with a
//! success toast when it succeeds. Pages whose confirmation is one line keep
//! an `RwSignal<Option<Ask>>` and render `<ConfirmHost/>`.

use super::dialog::Dialog;
use super::toast::{use_toasts, ErrorText};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::sync::Arc;

#[component]
pub fn ConfirmDialog<F, Fut>(
    title: String,
    /// The confirming button's label, e.g. "Delete".
    action: &'static str,
    /// Does the work. `Ok(message)` closes the dialog with `message` as a
    /// success toast (none when empty); an error stays in the dialog.
    run: F,
    on_close: Callback<()>,
    #[prop(optional)] test_id: &'static str,
    /// The confirming button's `data-testid`.
    #[prop(optional)]
    confirm_id: &'static str,
    /// What will happen, in the user's words.
    children: Children,
) -> impl IntoView
where
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<String, ApiError>> + 'static,
{
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    // Pages run in one thread; the view's children must be `Send`.
    let run = send_wrapper::SendWrapper::new(run);
    let failed = format!("{action} failed");
    let confirm = move |_| {
        // The guard: a second press while the first runs does nothing.
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let work = run();
        let failed = failed.clone();
        spawn_local(async move {
            let result = work.await;
            // The dialog may be gone (its page closed) by now: then the
            // outcome is a toast.
            let alive = busy.try_set(false).is_none();
            match result {
                Ok(message) => {
                    if !message.is_empty() {
                        toasts.success(message);
                    }
                    if alive {
                        on_close.try_run(());
                    }
                }
                Err(e) if alive => error.set(Some(e)),
                Err(e) => toasts.error(&failed, &e),
            }
        });
    };
    view! {
        <Dialog title on_close test_id>
            <div class="dialog-body">{children()}</div>
            {move || error.get().map(|e| view! { <ErrorText error=e test_id="confirm-error"/> })}
            <footer class="dialog-footer">
                <button type="button" class="button" autofocus on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button danger" data-testid=confirm_id
                    aria-busy=move || busy.get().to_string()
                    disabled=move || busy.get()
                    on:click=confirm>
                    {move || if busy.get() { format!("{action}…") } else { action.to_string() }}
                </button>
            </footer>
        </Dialog>
    }
}

#[derive(Clone)]
pub struct Ask {
    pub title: String,
    pub message: String,
    /// The confirming button's label, e.g. "Drop".
    pub action: &'static str,
    /// Not a `Callback`: that would belong to the view that asked, which a
    /// live update may replace before the user answers.
    pub run: Arc<dyn Fn() + Send + Sync>,
}

impl Ask {
    pub fn new(
        title: impl Into<String>,
        message: impl Into<String>,
        action: &'static str,
        run: impl Fn() + Send + Sync + 'static,
    ) -> Ask {
        Ask {
            title: title.into(),
            message: message.into(),
            action,
            run: Arc::new(run),
        }
    }
}

/// Shows the page's pending [`Ask`]; the work runs (and reports) on its own
/// once confirmed, so the dialog closes at once.
#[component]
pub fn ConfirmHost(ask: RwSignal<Option<Ask>>) -> impl IntoView {
    move || {
        ask.get().map(|a| {
            let close = Callback::new(move |_| ask.set(None));
            let run = a.run.clone();
            view! {
                <ConfirmDialog title=a.title.clone() action=a.action on_close=close
                    test_id="confirm-dialog" confirm_id="confirm-yes"
                    run=move || { run(); async { Ok(String::new()) } }>
                    <p class="pre-line">{a.message.clone()}</p>
                </ConfirmDialog>
            }
        })
    }
}
