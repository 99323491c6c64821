//! Files: browse a registered repository's folders or a workspace folder,
//! with git's view of each entry; make folders, rename or move, send to the
//! trash, view text files highlighted, edit small ones, open the repository
//! in VS Code. Paths never leave their root (the app checks).

use super::repositories::RepoList;
use crate::components::confirm::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::highlight::{language_for_path, Code};
use crate::components::icons::{Icon, Svg};
use crate::components::toast::{use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::files;
use ai_desktop_api::files::{EntryKind, FileEntry, FileRoot, FileText, Listing};
use ai_desktop_api::vscode;
use ai_desktop_api::vscode::OpenTarget;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The `<select>` value of a root.
fn root_key(root: &FileRoot) -> String {
    match root {
        FileRoot::Repository { id } => format!("r:{id}"),
        FileRoot::Workspace { path } => format!("w:{path}"),
    }
}

fn parse_root(key: &str) -> Option<FileRoot> {
    match key.split_once(':')? {
        ("r", id) => id.parse().ok().map(FileRoot::repository),
        ("w", path) => Some(FileRoot::Workspace { path: path.into() }),
        _ => None,
    }
}

#[derive(Clone)]
enum Modal {
    Closed,
    NewFolder,
    Rename(FileEntry),
    Trash(FileEntry),
    Workspaces,
}

#[component]
pub fn FilesPage() -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let selected_repo = repos.selection();
    let workspaces = RwSignal::new(Vec::<String>::new());
    // The root shown: a workspace folder once chosen, else the selected repository.
    let chosen = RwSignal::new(None::<FileRoot>);
    let repo = Memo::new(move |_| {
        chosen
            .get()
            .or_else(|| selected_repo.get().map(FileRoot::repository))
    });
    let load_workspaces = move || {
        spawn_local(async move {
            if let Ok(w) = ipc::call(&files::WorkspaceFolders {}).await {
                workspaces.set(w);
            }
        });
    };
    load_workspaces();
    let editing = RwSignal::new(false);
    let dir = RwSignal::new(String::new());
    let listing = RwSignal::new(None::<Result<Listing, ApiError>>);
    let open_file = RwSignal::new(None::<FileText>);
    let draft = RwSignal::new(String::new());
    let modal = RwSignal::new(Modal::Closed);
    let load = move || {
        let Some(root) = repo.get_untracked() else {
            return;
        };
        let path = dir.get_untracked();
        spawn_local(async move {
            let r = ipc::call(&files::List { root, path }).await;
            listing.set(Some(r));
        });
    };
    Effect::new(move |_| {
        repo.track();
        dir.track();
        listing.set(None);
        load();
    });
    let open = move |e: FileEntry| {
        let Some(root) = repo.get_untracked() else {
            return;
        };
        match e.kind {
            EntryKind::Dir => {
                open_file.set(None);
                dir.set(e.path);
            }
            _ => spawn_local(async move {
                match ipc::call(&files::Read { root, path: e.path }).await {
                    Ok(t) => {
                        editing.set(false);
                        draft.set(t.text.clone());
                        open_file.set(Some(t));
                    }
                    Err(e) => toasts.error("Cannot open it here", &e),
                }
            }),
        }
    };
    let save = move |_| {
        let (Some(root), Some(file)) = (repo.get_untracked(), open_file.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            let args = files::Write {
                root,
                path: file.path.clone(),
                text: draft.get_untracked(),
                version: Some(file.version.clone()),
            };
            match ipc::call(&args).await {
                Ok(t) => {
                    toasts.success(format!("Saved {}", t.path));
                    open_file.set(Some(t));
                    load();
                }
                Err(e) => toasts.error("Not saved", &e),
            }
        });
    };
    let crumbs = move || {
        let d = dir.get();
        let mut out = vec![(String::new(), "top".to_string())];
        let mut acc = String::new();
        for part in d.split('/').filter(|p| !p.is_empty()) {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            out.push((acc.clone(), part.to_string()));
        }
        out
    };
    let close = Callback::new(move |_| modal.set(Modal::Closed));
    let done = Callback::new(move |_| {
        modal.set(Modal::Closed);
        load();
    });

    view! {
        <section class="page wide" data-testid="page-files">
            <header class="page-header">
                <div>
                    <h1>"Files"</h1>
                    <p class="muted">"The folders of your repositories, with git's view of each file. Deleted files go to the trash."</p>
                </div>
                <div class="header-actions">
                    <select class="input small-input" data-testid="files-repo"
                        prop:value=move || repo.get().map(|r| root_key(&r)).unwrap_or_default()
                        on:change=move |ev| {
                            open_file.set(None);
                            dir.set(String::new());
                            match parse_root(&event_target_value(&ev)) {
                                Some(FileRoot::Repository { id }) => { chosen.set(None); selected_repo.set(Some(id)); }
                                other => chosen.set(other),
                            }
                        }>
                        <optgroup label="Repositories">
                            {move || repos.rows().into_iter().map(|r| view! { <option value=format!("r:{}", r.id)>{r.name}</option> }).collect_view()}
                        </optgroup>
                        <optgroup label="Workspace folders">
                            {move || workspaces.get().into_iter().map(|w| view! { <option value=format!("w:{w}")>{w.clone()}</option> }).collect_view()}
                        </optgroup>
                    </select>
                    <button class="button" data-testid="files-workspaces" on:click=move |_| modal.set(Modal::Workspaces)>"Workspace folders…"</button>
                    {move || match repo.get() {
                        Some(FileRoot::Repository { id }) => view! {
                            <button class="button" data-testid="files-open-vscode" title="Open this repository in its code-server"
                                on:click=move |_| spawn_local(async move {
                                    if let Err(e) = ipc::call(&vscode::Open { repository_id: id, target: OpenTarget::AppWindow }).await {
                                        toasts.error("Could not open VS Code", &e);
                                    }
                                })>"Open in VS Code"</button>
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                    <button class="button" data-testid="files-mkdir" disabled=move || repo.get().is_none() on:click=move |_| modal.set(Modal::NewFolder)>
                        <Svg icon=Icon::Plus/>"New folder"
                    </button>
                </div>
            </header>
            {move || match (repos.loaded(), repo.get()) {
                (Some(l), None) if l.is_empty() => view! {
                    <div class="empty-state" data-testid="files-no-repos"><h2>"Nothing to browse yet"</h2>
                        <p class="muted">"Register a repository on the Repositories page, or add a workspace folder, to browse its files here."</p>
                        <button class="button" on:click=move |_| modal.set(Modal::Workspaces)>"Add a workspace folder"</button></div>
                }.into_any(),
                _ => view! {
                    <nav class="crumbs" data-testid="files-crumbs">
                        {move || crumbs().into_iter().map(|(path, label)| view! {
                            <button class="link" on:click=move |_| { open_file.set(None); dir.set(path.clone()); }>{label}</button><span class="muted">"/"</span>
                        }).collect_view()}
                    </nav>
                    <div class="split files-split">
                        <div class="panel table-wrap">
                            {move || match listing.get() {
                                None => view! { <div class="loading"><span class="spinner"></span>"Reading the folder…"</div> }.into_any(),
                                Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                                Some(Ok(l)) if l.entries.is_empty() => view! { <p class="muted" data-testid="files-empty">"This folder is empty."</p> }.into_any(),
                                Some(Ok(l)) => view! {
                                    <ul class="plain-list file-list" data-testid="files-list">
                                        {l.entries.into_iter().map(|e| {
                                            let e2 = e.clone();
                                            let e3 = e.clone();
                                            let e4 = e.clone();
                                            let icon = if e.kind == EntryKind::Dir { Icon::Folder } else { Icon::File };
                                            view! {
                                                <li class="file-row" data-testid=format!("file-{}", e.name)>
                                                    <button class="file-name link" on:click=move |_| open(e2.clone())>
                                                        <Svg icon=icon/>{e.name.clone()}{(e.kind == EntryKind::Symlink).then_some(" →")}
                                                    </button>
                                                    {match e.git.clone() {
                                                        Some(g) => { let class = format!("chip git-{g}"); view! { <span class=class>{g}</span> }.into_any() }
                                                        // The grid keeps its columns without a badge.
                                                        None => view! { <span></span> }.into_any(),
                                                    }}
                                                    <span class="muted small-text mono">{if e.kind == EntryKind::File { crate::format::bytes(e.size as f64) } else { String::new() }}</span>
                                                    <span class="row-actions">
                                                        <button class="button small" data-testid=format!("file-rename-{}", e.name) on:click=move |_| modal.set(Modal::Rename(e3.clone()))>"Rename"</button>
                                                        <button class="button small danger" data-testid=format!("file-trash-{}", e.name) on:click=move |_| modal.set(Modal::Trash(e4.clone()))>"Trash"</button>
                                                    </span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }}
                        </div>
                        <div class="panel editor">
                            {move || match open_file.get() {
                                None => view! { <p class="muted">"Open a text file to read or edit it (up to 1 MB)."</p> }.into_any(),
                                Some(f) => {
                                    let language = language_for_path(&f.path);
                                    view! {
                                        <div class="panel-title"><span class="mono">{f.path.clone()}</span>
                                            <span class="row-actions">
                                                <button class="button small" data-testid="file-edit" on:click=move |_| editing.update(|e| *e = !*e)>
                                                    {move || if editing.get() { "View" } else { "Edit" }}</button>
                                                <button class="button small primary" data-testid="file-save"
                                                    disabled=move || open_file.with(|o| o.as_ref().is_some_and(|o| o.text == draft.get()))
                                                    on:click=save>"Save"</button>
                                            </span></div>
                                        {move || if editing.get() {
                                            view! {
                                                <textarea class="input mono file-editor" data-testid="file-editor" spellcheck="false"
                                                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <Code code=draft language=language.clone() class="file-view mono" test_id="file-view"/>
                                            }.into_any()
                                        }}
                                    }.into_any()
                                }
                            }}
                        </div>
                    </div>
                }.into_any(),
            }}
            {move || {
                let root = repo.get().unwrap_or(FileRoot::repository(0));
                match modal.get() {
                    Modal::Closed => ().into_any(),
                    Modal::NewFolder => view! { <NameDialog title="New folder" initial=String::new() root=root dir=dir.get() from=None on_close=close on_done=done/> }.into_any(),
                    Modal::Rename(e) => view! { <NameDialog title="Rename or move" initial=e.path.clone() root=root dir=dir.get() from=Some(e.path) on_close=close on_done=done/> }.into_any(),
                    Modal::Trash(e) => view! { <TrashDialog entry=e root=root on_close=close on_done=done/> }.into_any(),
                    Modal::Workspaces => view! { <WorkspacesDialog folders=workspaces on_close=Callback::new(move |_| {
                        modal.set(Modal::Closed);
                        load_workspaces();
                        // A root that was removed is not shown any more.
                        if let Some(FileRoot::Workspace { path }) = chosen.get_untracked() {
                            if !workspaces.get_untracked().contains(&path) { chosen.set(None); }
                        }
                    })/> }.into_any(),
                }
            }}
        </section>
    }
}

/// A new folder's name, or (with `from`) the new path of an entry.
#[component]
fn NameDialog(
    title: &'static str,
    initial: String,
    root: FileRoot,
    dir: String,
    from: Option<String>,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<ApiError>);
    let renaming = from.is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = value.get_untracked();
        let dir = dir.clone();
        let from = from.clone();
        let root = root.clone();
        spawn_local(async move {
            let r = match from {
                Some(from) => ipc::call(&files::Rename { root, from, to: v }).await,
                None => ipc::call(&files::Mkdir {
                    root,
                    path: dir,
                    name: v,
                })
                .await
                .map(|_| ()),
            };
            match r {
                Ok(()) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Dialog title=title.to_string() on_close=on_close test_id="files-dialog">
            <form class="form" on:submit=submit novalidate>
                <label class="field"><span>{if renaming { "New path, from the top of the folder" } else { "Name" }}</span>
                    <input class="input mono" data-testid="files-name" autofocus=true prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/></label>
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="files-submit">{if renaming { "Move" } else { "Create" }}</button>
                </footer>
            </form>
        </Dialog>
    }
}

#[component]
fn TrashDialog(
    entry: FileEntry,
    root: FileRoot,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let path = entry.path.clone();
    let run = move || {
        let args = files::Trash {
            root: root.clone(),
            path: path.clone(),
        };
        async move {
            ipc::call(&args).await?;
            // Closes the dialog and reloads the listing.
            on_done.try_run(());
            Ok(format!("{} is in the trash", args.path))
        }
    };
    view! {
        <ConfirmDialog title=format!("Move {} to the trash?", entry.name) action="Move to trash" run on_close
            test_id="files-trash-dialog" confirm_id="files-trash-confirm">
            <p>"You can restore it from your desktop's trash."</p>
        </ConfirmDialog>
    }
}

/// Add and remove workspace folders (nothing on disk changes).
#[component]
fn WorkspacesDialog(folders: RwSignal<Vec<String>>, on_close: Callback<()>) -> impl IntoView {
    let path = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let change = move |add: bool, path_given: String| {
        error.set(None);
        spawn_local(async move {
            let result = if add {
                ipc::call(&files::WorkspaceAdd { path: path_given }).await
            } else {
                ipc::call(&files::WorkspaceRemove { path: path_given }).await
            };
            match result {
                Ok(list) => {
                    folders.set(list);
                    path.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let browse = move |_| {
        spawn_local(async move {
            if let Ok(Some(p)) = ipc::pick_folder("Choose a workspace folder").await {
                path.set(p);
            }
        });
    };
    view! {
        <Dialog title="Workspace folders".to_string() on_close=on_close test_id="files-workspaces-dialog">
            <div class="dialog-body">
                <p class="muted">"Folders you work in besides registered repositories: browse them here, and clone into them from the Git page."</p>
                {move || if folders.with(Vec::is_empty) {
                    view! { <p class="muted" data-testid="workspaces-empty">"None yet."</p> }.into_any()
                } else {
                    view! { <ul class="plain-list" data-testid="workspaces-list">
                        {folders.get().into_iter().map(|w| {
                            let w2 = w.clone();
                            view! { <li class="git-change"><span class="mono truncate">{w.clone()}</span><span></span>
                                <button class="button small" on:click=move |_| change(false, w2.clone())>"Remove"</button></li> }
                        }).collect_view()}
                    </ul> }.into_any()
                }}
                <form class="input-row" on:submit=move |ev| { ev.prevent_default(); change(true, path.get_untracked()); }>
                    <input class="input mono" placeholder="/home/you/work" data-testid="workspace-path"
                        prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/>
                    <button class="button" type="button" on:click=browse>"Browse…"</button>
                    <button class="button primary" type="submit" data-testid="workspace-add">"Add"</button>
                </form>
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="workspace-error"/> })}
            </div>
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Done"</button>
            </footer>
        </Dialog>
    }
}
