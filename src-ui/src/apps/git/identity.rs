//! Who you are to git: the global user.name and user.email.

use super::*;

#[component]
pub(super) fn IdentityPanel() -> impl IntoView {
    let toasts = use_toasts();
    let identity = resource(|| git::Identity {});
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    // The fields start from what is configured (and follow a save).
    Effect::new(move |_| {
        if let Some(Ok(i)) = identity.get() {
            name.set(i.name.unwrap_or_default());
            email.set(i.email.unwrap_or_default());
        }
    });
    let save = Action::new_local(move |_: &()| {
        let set = git::SetIdentity {
            name: name.get_untracked(),
            email: email.get_untracked(),
        };
        async move {
            let saved = ipc::call(&set).await?;
            toasts.success("Git identity saved");
            identity.set(Some(Ok(saved)));
            Ok::<(), ApiError>(())
        }
    });
    let saving = save.pending();
    view! {
        <div class="panel" data-testid="git-identity">
            <div class="panel-title">"Identity"
                <span class="muted small-text mono">{move || match identity.get() { Some(Ok(i)) => i.config_file, _ => String::new() }}</span>
            </div>
            {loaded(identity, "Reading your git configuration…", move |_| view! {
                <form class="form" novalidate on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                    <div class="field-row">
                        <label class="field"><span>"Name"</span>
                            <input class="input" data-testid="git-name" placeholder="Ada Lovelace" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                        <label class="field"><span>"Email"</span>
                            <input class="input" data-testid="git-email" placeholder="ada@example.org" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
                    </div>
                    {move || match save.value().get() {
                        Some(Err(error)) if !saving.get() => Some(view! { <ErrorText error test_id="git-identity-error"/> }),
                        _ => None,
                    }}
                    <div><button class="button primary" type="submit" data-testid="git-identity-save" disabled=move || saving.get()>
                        {move || if saving.get() { "Saving…" } else { "Save" }}</button></div>
                </form>
            })}
        </div>
    }
}
