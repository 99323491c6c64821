//! Who you are to git: the global user.name and user.email.

use super::*;

#[component]
pub(super) fn IdentityPanel() -> impl IntoView {
    let toasts = use_toasts();
    let loaded = RwSignal::new(None::<Result<GitIdentity, ApiError>>);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    spawn_local(async move {
        let r = ipc::call(&git::Identity {}).await;
        if let Ok(i) = &r {
            name.set(i.name.clone().unwrap_or_default());
            email.set(i.email.clone().unwrap_or_default());
        }
        loaded.set(Some(r));
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let r = ipc::call(&git::SetIdentity {
                name: name.get_untracked(),
                email: email.get_untracked(),
            })
            .await;
            saving.set(false);
            match r {
                Ok(i) => {
                    toasts.success("Git identity saved");
                    loaded.set(Some(Ok(i)));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="panel" data-testid="git-identity">
            <div class="panel-title">"Identity"
                <span class="muted small-text mono">{move || match loaded.get() { Some(Ok(i)) => i.config_file, _ => String::new() }}</span>
            </div>
            {move || match loaded.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading your git configuration…"</div> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                Some(Ok(_)) => view! {
                    <form class="form" on:submit=save novalidate>
                        <div class="field-row">
                            <label class="field"><span>"Name"</span>
                                <input class="input" data-testid="git-name" placeholder="Ada Lovelace" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                            <label class="field"><span>"Email"</span>
                                <input class="input" data-testid="git-email" placeholder="ada@example.org" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
                        </div>
                        {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="git-identity-error">{e}</p> })}
                        <div><button class="button primary" type="submit" data-testid="git-identity-save" disabled=move || saving.get()>
                            {move || if saving.get() { "Saving…" } else { "Save" }}</button></div>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}
