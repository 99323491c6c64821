//! Your SSH keys: list, copy the public half, test against a host, and
//! generate a new ed25519 key.

use super::*;

#[component]
pub(super) fn SshKeysPanel() -> impl IntoView {
    let toasts = use_toasts();
    let keys = resource(|| git::SshKeys {});
    let generating = RwSignal::new(false);
    let copy = move |text: String| crate::components::clipboard::copy(text, "Public key", toasts);
    let host = RwSignal::new(String::from("git@github.com"));
    let test_key = RwSignal::new(String::new());
    let test = Action::new_local(move |_: &()| {
        let key = Some(test_key.get_untracked()).filter(|k| !k.is_empty());
        let run = git::SshTest {
            host: host.get_untracked(),
            key,
        };
        async move {
            let r = ipc::call(&run).await;
            if let Err(e) = &r {
                toasts.error("Could not test", e);
            }
            r.ok()
        }
    });
    let testing = test.pending();
    view! {
        <div class="panel" data-testid="ssh-keys">
            <div class="panel-title">"SSH keys"
                <button class="button small primary" data-testid="ssh-generate" on:click=move |_| generating.set(true)><Svg icon=Icon::Plus/>"New key"</button>
            </div>
            {loaded(keys, "Reading ~/.ssh…", move |list| {
                if list.is_empty() {
                    return view! { <p class="muted" data-testid="ssh-empty">"No keys in ~/.ssh yet. Make one, then add its public key to your git host."</p> }.into_any();
                }
                view! {
                    <ul class="plain-list" data-testid="ssh-list">
                        {list.into_iter().map(|k| {
                            let public = k.public_key.clone();
                            view! {
                                <li class="ssh-key" data-testid=format!("ssh-key-{}", k.name)>
                                    <div>
                                        <strong class="mono">{k.name.clone()}</strong>" "
                                        <span class="chip">{k.algorithm.clone()}</span>
                                        {(!k.has_private).then(|| view! { <span class="chip">"public only"</span> })}
                                        <div class="muted small-text mono">{k.fingerprint.clone()}" · "{k.comment.clone()}</div>
                                    </div>
                                    <button class="button small" on:click=move |_| copy(public.clone())>"Copy public key"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <div class="panel-title small">"Test a host"</div>
            <div class="input-row">
                <input class="input mono" data-testid="ssh-host" prop:value=move || host.get() on:input=move |ev| host.set(event_target_value(&ev))/>
                <select class="input small-input" prop:value=move || test_key.get() on:change=move |ev| test_key.set(event_target_value(&ev))>
                    <option value="">"ssh's default keys"</option>
                    {move || match keys.get() { Some(Ok(l)) => l.into_iter().filter(|k| k.has_private).map(|k| view! { <option value=k.name.clone()>{k.name.clone()}</option> }).collect_view().into_any(), _ => ().into_any() }}
                </select>
                <button class="button" data-testid="ssh-test" disabled=move || testing.get() on:click=move |_| { test.dispatch(()); }>{move || if testing.get() { "Testing…" } else { "Test" }}</button>
            </div>
            <p class="hint">"Runs ssh -T without prompts (15 s at most). A host seen for the first time is remembered in ~/.ssh/known_hosts."</p>
            {move || test.value().get().flatten().filter(|_| !testing.get()).map(|r| view! {
                <pre class=if r.authenticated { "banner pre" } else { "banner error pre" } data-testid="ssh-test-result">
                    {if r.authenticated { "The host accepted the key.\n" } else { "Not accepted.\n" }}{r.output}
                </pre>
            })}
            {move || generating.get().then(|| view! {
                <GenerateDialog on_close=Callback::new(move |_| generating.set(false)) on_done=Callback::new(move |_| keys.refetch())/>
            })}
        </div>
    }
}

#[component]
pub(super) fn GenerateDialog(on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::from("id_ed25519"));
    let comment = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let make = Action::new_local(move |_: &()| {
        let input = NewSshKey {
            name: name.get_untracked(),
            comment: comment.get_untracked(),
            passphrase: Some(passphrase.get_untracked()).filter(|p| !p.is_empty()),
        };
        async move {
            let k = ipc::call(&git::SshGenerate { input }).await?;
            toasts.success(format!("Made {}", k.name));
            on_done.try_run(());
            on_close.try_run(());
            Ok::<(), ApiError>(())
        }
    });
    let busy = make.pending();
    view! {
        <Dialog title="New SSH key (ed25519)".to_string() on_close=on_close test_id="ssh-dialog">
            <form class="form" novalidate on:submit=move |ev| { ev.prevent_default(); make.dispatch(()); }>
                <label class="field"><span>"File name in ~/.ssh"</span>
                    <input class="input mono" data-testid="ssh-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Comment"</span>
                    <input class="input" data-testid="ssh-comment" placeholder="you@this-machine" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Passphrase (optional)"</span>
                    <input class="input" type="password" autocomplete="new-password" data-testid="ssh-passphrase" prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                    <small class="hint">"Made inside the app: the passphrase never appears on a command line. An existing file is never replaced."</small></label>
                {move || match make.value().get() {
                    Some(Err(error)) if !busy.get() => Some(view! { <ErrorText error test_id="form-error"/> }),
                    _ => None,
                }}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="ssh-submit" disabled=move || busy.get()>{move || if busy.get() { "Making…" } else { "Make key" }}</button>
                </footer>
            </form>
        </Dialog>
    }
}
