//! Asking before something that cannot be undone: a page keeps an
//! `RwSignal<Option<Ask>>`, sets it to ask, and renders `<ConfirmHost/>`.

use super::dialog::Dialog;
use leptos::prelude::*;

#[derive(Clone)]
pub struct Ask {
    pub title: String,
    pub message: String,
    /// The confirming button's label, e.g. "Drop".
    pub action: &'static str,
    pub run: Callback<()>,
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
            run: Callback::new(move |_| run()),
        }
    }
}

#[component]
pub fn ConfirmHost(ask: RwSignal<Option<Ask>>) -> impl IntoView {
    move || {
        ask.get().map(|a| {
            let close = Callback::new(move |_| ask.set(None));
            let run = a.run;
            view! {
                <Dialog title=a.title.clone() on_close=close test_id="confirm-dialog">
                    <div class="dialog-body"><p class="pre-line">{a.message.clone()}</p></div>
                    <footer class="dialog-footer">
                        <button type="button" class="button" on:click=move |_| ask.set(None)>"Cancel"</button>
                        <button type="button" class="button danger" data-testid="confirm-yes"
                            on:click=move |_| { ask.set(None); run.run(()); }>{a.action}</button>
                    </footer>
                </Dialog>
            }
        })
    }
}
