//! Recipes: saved session templates, run by hand or when a deployment of
//! their repository crashes. Each run is a session titled after the recipe.

use super::*;
use ai_desktop_api::deployments;
use ai_desktop_api::flow::{FlowRecipe, FlowRecipeInput, RecipeTrigger};

#[component]
pub(super) fn RecipesDialog(
    on_close: Callback<()>,
    /// A run started: its session is shown.
    on_ran: Callback<FlowSession>,
) -> impl IntoView {
    let toasts = use_toasts();
    let recipes = resource(|| flow::Recipes {});
    // Runs and saves elsewhere (a crash) show here as they happen.
    ipc::listen_while_mounted(events::FLOW_RECIPES_CHANGED, move |_: serde_json::Value| {
        recipes.refetch()
    });
    // None: the list; Some(None): a new recipe; Some(Some(r)): editing r.
    let editing = RwSignal::new(None::<Option<FlowRecipe>>);
    let deleting = RwSignal::new(None::<FlowRecipe>);
    let running = RwSignal::new(None::<i64>);
    let run = move |r: FlowRecipe| {
        running.set(Some(r.id));
        spawn_local(async move {
            let result = ipc::call(&flow::RunRecipe { id: r.id }).await;
            running.set(None);
            match result {
                Ok(s) => {
                    toasts.success(format!("{} is running", r.name));
                    on_ran.try_run(s);
                    on_close.try_run(());
                }
                Err(e) => toasts.error(&format!("Could not run {}", r.name), &e),
            }
        });
    };
    view! {
        <Dialog title="Recipes".to_string() on_close=on_close test_id="flow-recipes-dialog">
            {move || match (editing.get(), deleting.get()) {
                (_, Some(r)) => {
                    let id = r.id;
                    view! {
                        <div class="dialog-body" data-testid="flow-recipe-delete-confirm">
                            <p>{format!("Delete the recipe {}? The {} session(s) it made stay.", r.name, r.runs)}</p>
                        </div>
                        <footer class="dialog-footer">
                            <button type="button" class="button" on:click=move |_| deleting.set(None)>"Cancel"</button>
                            <button type="button" class="button danger" data-testid="flow-recipe-delete-yes"
                                on:click=move |_| {
                                    deleting.set(None);
                                    spawn_local(async move {
                                        match ipc::call(&flow::DeleteRecipe { id }).await {
                                            Ok(()) => recipes.refetch(),
                                            Err(e) => toasts.error("Could not delete the recipe", &e),
                                        }
                                    });
                                }>"Delete"</button>
                        </footer>
                    }.into_any()
                }
                (Some(recipe), None) => view! {
                    <RecipeForm recipe=recipe
                        on_done=Callback::new(move |_| { editing.set(None); recipes.refetch(); })/>
                }.into_any(),
                (None, None) => view! {
                    <p class="muted">"A recipe is a session you start often: its first message, system prompt, model, repository and tools. Run it from here or the palette (Ctrl+K), or let it run by itself: on a schedule, when a deployment of its repository crashes, or after you push a branch."</p>
                    {loaded(recipes, "Loading recipes…", move |list: Vec<FlowRecipe>| {
                        if list.is_empty() {
                            return view! {
                                <div class="empty-state small" data-testid="flow-recipes-empty">
                                    <p class="muted">"No recipes yet."</p>
                                </div>
                            }.into_any();
                        }
                        view! {
                            <ul class="server-list" data-testid="flow-recipes">
                                {list.into_iter().map(|r| {
                                    let (for_run, for_edit, for_delete) = (r.clone(), r.clone(), r.clone());
                                    let id = r.id;
                                    let when = match r.trigger {
                                        RecipeTrigger::Manual => "Run by hand".to_string(),
                                        RecipeTrigger::DeploymentErrored => format!(
                                            "Runs when {} crashes",
                                            r.deployment_name.clone().map(|d| format!("deployment {d}"))
                                                .unwrap_or_else(|| format!("a deployment of {}", r.repository_name.clone().unwrap_or_else(|| "its repository".into())))
                                        ),
                                        RecipeTrigger::Schedule => format!("Runs every {}", every_text(r.every_minutes.unwrap_or(0))),
                                        RecipeTrigger::Push => format!(
                                            "Runs after a push of {}",
                                            r.branch.clone().unwrap_or_else(|| "any branch".into())
                                        ),
                                    };
                                    let detail = format!(
                                        "{}{}{} · {} run{}",
                                        when,
                                        r.repository_name.as_ref().map(|n| format!(" · in {n}")).unwrap_or_default(),
                                        if r.sandbox { " (a sandbox)" } else { "" },
                                        r.runs,
                                        if r.runs == 1 { "" } else { "s" }
                                    );
                                    view! {
                                        <li class="server-item" data-testid=format!("flow-recipe-{id}")>
                                            <div class="server-text">
                                                <div class="repo-name truncate">{r.name.clone()}</div>
                                                <div class="muted truncate small-text" data-testid="flow-recipe-detail">{detail}</div>
                                            </div>
                                            <div class="row-actions">
                                                <button class="button small primary" data-testid="flow-recipe-run"
                                                    disabled=move || running.get().is_some()
                                                    on:click=move |_| run(for_run.clone())>
                                                    {move || if running.get() == Some(id) { "Starting…" } else { "Run" }}
                                                </button>
                                                <button class="button small" data-testid="flow-recipe-edit"
                                                    on:click=move |_| editing.set(Some(Some(for_edit.clone())))>"Edit"</button>
                                                <button class="button small danger" data-testid="flow-recipe-delete"
                                                    on:click=move |_| deleting.set(Some(for_delete.clone()))>"Delete"</button>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                    <footer class="dialog-footer">
                        <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                        <button type="button" class="button primary" data-testid="flow-recipe-new"
                            on:click=move |_| editing.set(Some(None))>
                            <Svg icon=Icon::Plus/>"New recipe"
                        </button>
                    </footer>
                }.into_any(),
            }}
        </Dialog>
    }
}

/// The form of a new recipe (`recipe` None) or of one being changed.
#[component]
fn RecipeForm(recipe: Option<FlowRecipe>, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let id = recipe.as_ref().map(|r| r.id);
    let r = recipe.unwrap_or_default();
    let name = RwSignal::new(r.name.clone());
    let prompt = RwSignal::new(r.prompt.clone());
    let system_prompt = RwSignal::new(r.system_prompt.clone().unwrap_or_default());
    let model = RwSignal::new(r.model.clone().unwrap_or_default());
    let repository = RwSignal::new(r.repository_id.unwrap_or(0));
    let trigger = RwSignal::new(r.trigger);
    let deployment = RwSignal::new(r.deployment_id.unwrap_or(0));
    let every = RwSignal::new(r.every_minutes.unwrap_or(60).to_string());
    let branch = RwSignal::new(r.branch.clone().unwrap_or_default());
    let sandbox = RwSignal::new(r.sandbox);
    let chosen = RwSignal::new(r.mcp_server_ids.clone());
    let profile = RwSignal::new(r.mcp_profile.clone().unwrap_or_default());
    let repos = expect_context::<crate::apps::repositories::RepoList>();
    let all_deployments = resource(|| deployments::List {});
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = FlowRecipeInput {
            name: name.get_untracked(),
            prompt: prompt.get_untracked(),
            system_prompt: Some(system_prompt.get_untracked()),
            model: Some(model.get_untracked()),
            repository_id: Some(repository.get_untracked()).filter(|r| *r != 0),
            mcp_server_ids: chosen.get_untracked(),
            mcp_profile: Some(profile.get_untracked()).filter(|p| !p.is_empty()),
            trigger: trigger.get_untracked(),
            deployment_id: Some(deployment.get_untracked()).filter(|d| *d != 0),
            every_minutes: every.get_untracked().trim().parse().ok(),
            branch: Some(branch.get_untracked()).filter(|b| !b.trim().is_empty()),
            sandbox: sandbox.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = ipc::call(&flow::SaveRecipe { id, input }).await;
            busy.set(false);
            match result {
                Ok(saved) => {
                    toasts.success(format!("Recipe {} saved", saved.name));
                    on_done.try_run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate data-testid="flow-recipe-form">
            <label class="field">
                <span>"Name"</span>
                <input class="input" data-testid="flow-recipe-name" placeholder="Triage a crash"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>"First message"</span>
                <textarea class="input" rows="3" data-testid="flow-recipe-prompt"
                    placeholder="Find why it crashed and propose a fix as edits."
                    prop:value=move || prompt.get() on:input=move |ev| prompt.set(event_target_value(&ev))></textarea>
                <small class="hint">"A run a crash set off gets, after this, what crashed: the error output, what changed, the env names."</small>
            </label>
            <label class="field">
                <span>"Works in repository"</span>
                <select class="input" data-testid="flow-recipe-repository"
                    prop:value=move || repository.get().to_string()
                    on:change=move |ev| {
                        repository.set(event_target_value(&ev).parse().unwrap_or(0));
                        deployment.set(0);
                    }>
                    <option value="0">"None: MCP tools only"</option>
                    {move || repos.rows().into_iter().map(|r| view! {
                        <option value=r.id.to_string() selected=r.id == repository.get_untracked()>{r.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="form-row">
                <label class="field">
                    <span>"Runs"</span>
                    <select class="input" data-testid="flow-recipe-trigger"
                        prop:value=move || trigger.get().as_str()
                        on:change=move |ev| trigger.set(
                            RecipeTrigger::ALL.into_iter().find(|t| t.as_str() == event_target_value(&ev)).unwrap_or_default()
                        )>
                        {RecipeTrigger::ALL.into_iter().map(|t| view! {
                            <option value=t.as_str() selected=move || trigger.get() == t>{t.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                {move || (trigger.get() == RecipeTrigger::DeploymentErrored).then(|| view! {
                    <label class="field">
                        <span>"Which deployment"</span>
                        <select class="input" data-testid="flow-recipe-deployment"
                            prop:value=move || deployment.get().to_string()
                            on:change=move |ev| deployment.set(event_target_value(&ev).parse().unwrap_or(0))>
                            <option value="0">"Any of the repository's"</option>
                            {move || all_deployments.get().and_then(|r| r.ok()).unwrap_or_default().into_iter()
                                .filter(|d| d.repository_id == repository.get())
                                .map(|d| view! {
                                    <option value=d.id.to_string() selected=d.id == deployment.get_untracked()>{d.name.clone()}</option>
                                }).collect_view()}
                        </select>
                    </label>
                })}
                {move || (trigger.get() == RecipeTrigger::Schedule).then(|| view! {
                    <label class="field">
                        <span>"Every (minutes)"</span>
                        <input class="input" type="number" min="15" max="10080" data-testid="flow-recipe-every"
                            prop:value=move || every.get() on:input=move |ev| every.set(event_target_value(&ev))/>
                    </label>
                })}
                {move || (trigger.get() == RecipeTrigger::Push).then(|| view! {
                    <label class="field">
                        <span>"Branch"</span>
                        <input class="input mono" data-testid="flow-recipe-branch" placeholder="Any branch"
                            prop:value=move || branch.get() on:input=move |ev| branch.set(event_target_value(&ev))/>
                    </label>
                })}
            </div>
            {move || (trigger.get() == RecipeTrigger::Push).then(|| view! {
                <p class="muted small-text">"Pushes made from AI Desktop (the Git page) set it off; it is told what was pushed."</p>
            })}
            {move || (repository.get() != 0).then(|| view! {
                <label class="check wrap">
                    <input type="checkbox" data-testid="flow-recipe-sandbox" prop:checked=move || sandbox.get()
                        on:change=move |ev| sandbox.set(event_target_checked(&ev))/>
                    " Each run works in a sandbox: a branch from the last commit in a worktree of its own, its own VS Code, copies of the repository's databases — your checkout is not touched until you merge."
                </label>
            })}
            <h3 class="section-title">"MCP tools"</h3>
            <ServerPicker chosen=chosen profile=profile/>
            <label class="field">
                <span>"System prompt"</span>
                <textarea class="input" rows="3" data-testid="flow-recipe-system"
                    placeholder="Empty: the provider settings' system prompt"
                    prop:value=move || system_prompt.get() on:input=move |ev| system_prompt.set(event_target_value(&ev))></textarea>
            </label>
            <label class="field">
                <span>"Model"</span>
                <input class="input mono" data-testid="flow-recipe-model" placeholder="Empty: the settings' model"
                    prop:value=move || model.get() on:input=move |ev| model.set(event_target_value(&ev))/>
            </label>
            {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
            <footer class="dialog-footer">
                <button type="button" class="button" on:click=move |_| on_done.run(())>"Back"</button>
                <button type="submit" class="button primary" data-testid="flow-recipe-save" disabled=move || busy.get()>
                    {move || if busy.get() { "Saving…" } else { "Save recipe" }}
                </button>
            </footer>
        </form>
    }
}

/// `90` → "1 h 30 min"; `1440` → "1 day".
fn every_text(minutes: u32) -> String {
    match minutes {
        m if m % 1440 == 0 && m > 0 => {
            format!("{} day{}", m / 1440, if m == 1440 { "" } else { "s" })
        }
        m if m >= 60 && m % 60 == 0 => format!("{} h", m / 60),
        m if m >= 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{m} min"),
    }
}
