//! Cloning a repository into a workspace folder (registered when done).

use super::*;

/// Clone a repository into a workspace folder; it is registered when done.
#[component]
pub(super) fn CloneDialog(
    on_close: Callback<()>,
    on_cloned: Callback<Repository>,
) -> impl IntoView {
    let toasts = use_toasts();
    let workspaces = resource(|| files::WorkspaceFolders {});
    let url = RwSignal::new(String::new());
    let workspace = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<GitProgress>);
    let error = RwSignal::new(None::<ApiError>);
    // The first workspace folder is the default target.
    Effect::new(move |_| {
        if let Some(Ok(list)) = workspaces.get() {
            if workspace.get_untracked().is_empty() {
                workspace.set(list.first().cloned().unwrap_or_default());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        progress.set(None);
        let request = CloneRequest {
            url: url.get_untracked(),
            workspace: workspace.get_untracked(),
            name: Some(name.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        spawn_local(async move {
            let clone = git::CloneRepo { request };
            let r = ipc::call_streaming(&clone, move |p| progress.set(Some(p))).await;
            busy.set(false);
            match r {
                Ok(repo) => {
                    toasts.success(format!("Cloned and registered {}", repo.name));
                    on_cloned.try_run(repo);
                    on_close.try_run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Dialog title="Clone a repository".to_string() on_close=on_close test_id="git-clone-dialog">
            <form class="form dialog-body" on:submit=submit novalidate>
                <label class="field"><span>"URL"</span>
                    <input class="input mono" data-testid="clone-url" placeholder="git@github.com:owner/repo.git or https://…"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/></label>
                {loaded(workspaces, "Reading the workspace folders…", move |list| {
                    if list.is_empty() {
                        return view! {
                            <p class="banner warn" data-testid="clone-no-workspace">"Add a workspace folder on the Files page first: clones go into one."</p>
                        }.into_any();
                    }
                    view! {
                        <div class="field-row">
                            <label class="field"><span>"Into"</span>
                                <select class="input" data-testid="clone-workspace" prop:value=move || workspace.get()
                                    on:change=move |ev| workspace.set(event_target_value(&ev))>
                                    {list.into_iter().map(|w| view! { <option value=w.clone()>{w.clone()}</option> }).collect_view()}
                                </select></label>
                            <label class="field"><span>"Folder name"</span>
                                <input class="input mono" data-testid="clone-name" placeholder="from the URL"
                                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                        </div>
                    }.into_any()
                })}
                {move || progress.get().map(|p| view! {
                    <div class="sync-progress" data-testid="clone-progress">
                        {progress_text(&p)}
                        {(p.total > 0).then(|| view! { <progress max=p.total.to_string() value=p.current.to_string()></progress> })}
                    </div>
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="clone-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="clone-submit"
                        disabled=move || busy.get() || url.with(|u| u.trim().is_empty()) || workspace.with(String::is_empty)>
                        {move || if busy.get() { "Cloning…" } else { "Clone" }}</button>
                </footer>
            </form>
        </Dialog>
    }
}
