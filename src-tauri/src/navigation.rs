//! Where the app's windows may go. The main window stays on the app's own
//! page; an editor window (`vscode-<id>`) stays on its code-server instance
//! and the one-shot sign-in page. Nothing opens a new window in the app: a
//! web link (a context menu's "Open Link", a middle click on a link in an
//! agent answer, `window.open` in the workbench) is offered to the system
//! browser, and opened there only after the user confirms. Everything the
//! app hands to another program to open (links, the logs folder) goes
//! through [`open_external`], whose child is reaped.

use ai_desktop_api::vscode::OpenTarget;
use ai_desktop_api::{ApiError, ErrorCode};
use ai_desktop_core::vscode::OpenPlan;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, Url, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_shell::ShellExt;

/// Whether the main window may show `url`: the app's own origin (the
/// bundled UI's `tauri://localhost`, or `http://tauri.localhost`), the dev
/// server in a dev build, and blank pages.
pub fn main_allows(url: &Url, dev_url: Option<&Url>) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "about" => matches!(url.path(), "blank" | "srcdoc"),
        "http" | "https" => {
            url.host_str() == Some("tauri.localhost")
                || dev_url.is_some_and(|dev| dev.origin() == url.origin())
        }
        _ => false,
    }
}

/// Whether an editor window may show `url`: pages of `origins` (the
/// instance and its sign-in page, both on 127.0.0.1), blobs they made, and
/// blank pages (VS Code's webviews start as such).
pub fn editor_allows(url: &Url, origins: &[Url]) -> bool {
    let same = |u: &Url| origins.iter().any(|o| o.origin() == u.origin());
    match url.scheme() {
        "about" => matches!(url.path(), "blank" | "srcdoc"),
        "blob" => Url::parse(url.path()).is_ok_and(|inner| same(&inner)),
        "http" => same(url),
        _ => false,
    }
}

/// A link that may be offered to the system browser: http(s) only, no
/// credentials in it.
pub fn offerable(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
}

/// Lets clicks on `target="_blank"` links reach the new-window policy (see
/// the script's own comment).
pub const LINK_CLICKS: &str = include_str!("links.js");

/// One question at a time: a page that navigates in a loop does not pile up dialogs.
static ASKING: AtomicBool = AtomicBool::new(false);

/// Asks whether to open `url` in the system browser, and does so if the
/// user says yes. Links that are not plain web links are only logged.
pub fn offer_in_browser(app: &AppHandle, url: &Url, from: &str) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
    if !offerable(url) {
        log::warn!("{from}: refused to open {}", url.scheme());
        return;
    }
    if ASKING.swap(true, Ordering::AcqRel) {
        return;
    }
    let shown: String = url.as_str().chars().take(300).collect();
    let handle = app.clone();
    let target = url.to_string();
    app.dialog()
        .message(format!(
            "A page in AI Desktop wants to open this link:\n\n{shown}\n\nOpen it in your web browser?"
        ))
        .title("Open link in browser?")
        .kind(MessageDialogKind::Info)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Open in browser".into(),
            "Cancel".into(),
        ))
        .show(move |open| {
            ASKING.store(false, Ordering::Release);
            if open {
                if let Err(e) = open_external(&handle, &target) {
                    log::warn!("could not open a link: {}", e.message);
                }
            }
        });
}

/// Hands `target` (a URL or a folder) to the desktop's opener, `xdg-open`,
/// as its one argument. Through tauri-plugin-shell, which waits for the
/// child: no zombie is left per click.
pub fn open_external(app: &AppHandle, target: &str) -> Result<(), ApiError> {
    app.shell()
        .command("xdg-open")
        .arg(target)
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Unavailable,
                format!("Could not start the desktop's opener (xdg-open): {e}"),
            )
        })
}

/// The MCP Hub's way to send the user to a server's sign-in page: the
/// desktop's browser, which comes back to the app's loopback port.
pub struct DesktopBrowser(pub AppHandle);

impl ai_desktop_core::mcp::oauth::Browser for DesktopBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        open_external(&self.0, url).map_err(|e| e.message)
    }
}

/// Builds the main window from its configuration (`"create": false` in
/// tauri.conf.json), held to the app's own page.
pub fn build_main_window(app: &AppHandle) -> tauri::Result<()> {
    let Some(config) = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
    else {
        return Ok(());
    };
    let dev_url = tauri::is_dev()
        .then(|| app.config().build.dev_url.clone())
        .flatten();
    let for_links = app.clone();
    let for_windows = app.clone();
    tauri::WebviewWindowBuilder::from_config(app, &config)?
        .initialization_script(LINK_CLICKS)
        .on_navigation(move |url| {
            let allowed = main_allows(url, dev_url.as_ref());
            if !allowed {
                offer_in_browser(&for_links, url, "main window");
            }
            allowed
        })
        .on_new_window(move |url, _| {
            offer_in_browser(&for_windows, &url, "main window");
            tauri::webview::NewWindowResponse::Deny
        })
        .build()?;
    Ok(())
}

/// How the MCP gateway's `open_in_editor` shows a repository's editor: in
/// its window in the app, as the Open button does.
pub fn editor_opener(app: AppHandle) -> ai_desktop_core::gateway::EditorOpener {
    Arc::new(move |plan: OpenPlan| {
        show_editor(&app, &plan, OpenTarget::AppWindow).map_err(|e| e.message)
    })
}

/// The origins each editor window may show, by window label: set when
/// Open builds the window, and again when Open finds it on an earlier
/// address of its editor (a host's forward that came back on another port
/// here), so the window's navigation policy follows the editor it shows.
#[derive(Default)]
struct EditorOrigins(Mutex<HashMap<String, Vec<Url>>>);

impl EditorOrigins {
    fn set(&self, label: &str, origins: Vec<Url>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(label.to_string(), origins);
    }

    fn allows(&self, label: &str, url: &Url) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(label)
            .is_some_and(|origins| editor_allows(url, origins))
    }
}

/// Where Open sends an editor window that is already there (`None`: it is
/// only raised). A window on an address its editor no longer has (a host's
/// forward back on another port) signs in again through `handoff`; one on
/// its editor goes to the file asked for, when `target` is not the editor
/// itself.
pub fn reopen_to(
    current: Option<&Url>,
    origins: &[Url],
    handoff: &Url,
    target: Option<&Url>,
    instance: &Url,
) -> Option<Url> {
    if current.is_some_and(|now| now.scheme() == "http" && !editor_allows(now, origins)) {
        return Some(handoff.clone());
    }
    target.filter(|t| *t != instance).cloned()
}

/// Opens the sign-in hand-off in a window of its own (one cookie jar per
/// instance, no IPC: the capability covers only the main window; held to
/// the instance and its sign-in page) or in the system browser (xdg-open,
/// the URL as its one argument).
pub fn show_editor(app: &AppHandle, plan: &OpenPlan, target: OpenTarget) -> Result<(), ApiError> {
    let parse = |s: &str| {
        s.parse::<tauri::Url>()
            .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Bad sign-in URL: {e}")))
    };
    let url = parse(&plan.handoff_url)?;
    let origins = vec![url.clone(), parse(&plan.instance_url)?];
    match target {
        OpenTarget::AppWindow => {
            let label = plan.window_label.clone();
            app.manage(EditorOrigins::default());
            let allowed = app.state::<EditorOrigins>();
            if let Some(window) = app.get_webview_window(&label) {
                let target = plan.target_url.parse::<tauri::Url>().ok();
                let instance = parse(&plan.instance_url)?;
                if let Some(to) = reopen_to(
                    window.url().ok().as_ref(),
                    &origins,
                    &url,
                    target.as_ref(),
                    &instance,
                ) {
                    allowed.set(&label, origins);
                    let _ = window.navigate(to);
                }
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
                return Ok(());
            }
            allowed.set(&label, origins);
            let for_links = app.clone();
            let for_windows = app.clone();
            let from = format!("{label} window");
            let from2 = from.clone();
            let this = label.clone();
            WebviewWindowBuilder::new(app, label, WebviewUrl::External(url))
                .title(format!("{} — VS Code", plan.repository_name))
                .inner_size(1280.0, 820.0)
                .data_directory(plan.webview_data_dir.clone())
                .initialization_script(LINK_CLICKS)
                .on_navigation(move |to| {
                    let allowed = for_links.state::<EditorOrigins>().allows(&this, to);
                    if !allowed {
                        offer_in_browser(&for_links, to, &from);
                    }
                    allowed
                })
                .on_new_window(move |to, _| {
                    // The workbench opens docs and marketplace links this way.
                    offer_in_browser(&for_windows, &to, &from2);
                    tauri::webview::NewWindowResponse::Deny
                })
                .build()
                .map_err(|e| {
                    ApiError::new(ErrorCode::Failed, format!("Could not open a window: {e}"))
                })?;
        }
        OpenTarget::Browser => open_external(app, url.as_str())?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_main_window_stays_on_the_app() {
        let dev = u("http://127.0.0.1:1420");
        for ok in [
            "tauri://localhost/index.html",
            "http://tauri.localhost/",
            "about:blank",
        ] {
            assert!(main_allows(&u(ok), None), "{ok}");
        }
        assert!(main_allows(&u("http://127.0.0.1:1420/x"), Some(&dev)));
        for no in [
            "https://example.com/",
            "http://127.0.0.1:1420/",
            "http://127.0.0.1:8100/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<h1>x</h1>",
            "tauri://evil/index.html",
        ] {
            assert!(!main_allows(&u(no), None), "{no}");
        }
    }

    #[test]
    fn an_editor_window_stays_on_its_instance() {
        let origins = [u("http://127.0.0.1:8100/"), u("http://127.0.0.1:41234/")];
        for ok in [
            "http://127.0.0.1:8100/?folder=/x",
            "http://127.0.0.1:41234/abc",
            "about:blank",
            "blob:http://127.0.0.1:8100/2f1e-33",
        ] {
            assert!(editor_allows(&u(ok), &origins), "{ok}");
        }
        for no in [
            "http://127.0.0.1:8101/",
            "https://127.0.0.1:8100/",
            "http://localhost:8100/",
            "https://marketplace.visualstudio.com/",
            "blob:https://evil.example/1",
            "file:///etc/passwd",
            "tauri://localhost/index.html",
        ] {
            assert!(!editor_allows(&u(no), &origins), "{no}");
        }
    }

    #[test]
    fn an_editor_window_on_an_old_address_signs_in_again() {
        let handoff = u("http://127.0.0.1:41234/handoff/k");
        let instance = u("http://127.0.0.1:8100/?folder=/x");
        let origins = [handoff.clone(), instance.clone()];
        let file = u("http://127.0.0.1:8100/?folder=/x&payload=f");
        // On its editor: raised, or sent to the file asked for.
        let now = u("http://127.0.0.1:8100/?folder=/x");
        assert_eq!(
            reopen_to(Some(&now), &origins, &handoff, Some(&instance), &instance),
            None
        );
        assert_eq!(
            reopen_to(Some(&now), &origins, &handoff, Some(&file), &instance),
            Some(file.clone())
        );
        assert_eq!(reopen_to(None, &origins, &handoff, None, &instance), None);
        assert_eq!(
            reopen_to(Some(&u("about:blank")), &origins, &handoff, None, &instance),
            None
        );
        // The forward came back on another port: sign in there again.
        let old = u("http://127.0.0.1:8117/?folder=/x");
        assert_eq!(
            reopen_to(Some(&old), &origins, &handoff, Some(&file), &instance),
            Some(handoff.clone())
        );
        assert_eq!(
            reopen_to(Some(&old), &origins, &handoff, None, &instance),
            Some(handoff)
        );
    }

    #[test]
    fn an_editor_windows_policy_follows_its_editors_new_address() {
        let allowed = EditorOrigins::default();
        let old = u("http://127.0.0.1:8117/");
        let new = u("http://127.0.0.1:8100/");
        assert!(
            !allowed.allows("vscode-host-1", &old),
            "a window Open did not build shows nothing"
        );
        allowed.set("vscode-host-1", vec![old.clone()]);
        assert!(allowed.allows("vscode-host-1", &u("http://127.0.0.1:8117/?folder=/x")));
        assert!(!allowed.allows("vscode-2", &old), "per window");
        allowed.set("vscode-host-1", vec![new.clone()]);
        assert!(allowed.allows("vscode-host-1", &new));
        assert!(
            !allowed.allows("vscode-host-1", &old),
            "the old address is not the editor's any more"
        );
    }

    #[test]
    fn only_plain_web_links_are_offered_to_the_browser() {
        assert!(offerable(&u("https://docs.rs/tauri")));
        for no in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "https://user:pw@example.com/",
            "mailto:a@b.c",
            "ssh://host/x",
        ] {
            assert!(!offerable(&u(no)), "{no}");
        }
    }
}
