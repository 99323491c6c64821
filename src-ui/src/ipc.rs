//! Typed access to the app's native side: [`call`] for commands (typed by
//! `ai_desktop_api`; there is no untyped way), `listen` for events.
//! The only module that touches `window.__TAURI__`.

use ai_desktop_api::app;
use ai_desktop_api::commands::{Command, Streaming};
use ai_desktop_api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &js_sys::Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = Channel)]
    type TauriChannel;

    #[wasm_bindgen(constructor, js_namespace = ["window", "__TAURI__", "core"], js_class = "Channel")]
    fn new() -> TauriChannel;

    #[wasm_bindgen(method, setter, js_name = onmessage)]
    fn set_onmessage(this: &TauriChannel, handler: &js_sys::Function);
}

/// Calls a command that reports progress over a channel (under
/// `channel_arg`, to `on_message`) and then returns a result.
async fn invoke_with_progress<A: Serialize, T: DeserializeOwned + 'static, R: DeserializeOwned>(
    cmd: &str,
    args: &A,
    channel_arg: &str,
    on_message: impl Fn(T) + 'static,
) -> Result<R, ApiError> {
    let js_args = to_js(args)?;
    let channel = TauriChannel::new();
    let closure = Closure::<dyn Fn(JsValue)>::new(move |raw: JsValue| {
        if let Ok(value) = serde_wasm_bindgen::from_value::<T>(raw) {
            on_message(value);
        }
    });
    channel.set_onmessage(closure.as_ref().unchecked_ref());
    closure.forget();
    js_sys::Reflect::set(&js_args, &JsValue::from_str(channel_arg), &channel)
        .map_err(|_| ApiError::new(ErrorCode::Failed, "Could not attach the progress stream."))?;
    let value = tracked(cmd, js_args).await.map_err(to_api_error)?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Unexpected reply to {cmd}: {e}")))
}

/// `window[key]`, set to `fresh()` first if it is not an object yet: what
/// the page keeps for the end-to-end tests to read when a wait times out.
fn window_global(key: &str, fresh: impl FnOnce() -> JsValue) -> Option<JsValue> {
    let w = web_sys::window()?;
    let key = JsValue::from_str(key);
    let existing = js_sys::Reflect::get(&w, &key)
        .ok()
        .filter(|v| v.is_object());
    existing.or_else(|| {
        let value = fresh();
        js_sys::Reflect::set(&w, &key, &value).ok()?;
        Some(value)
    })
}

/// `tauri_invoke`, with the call listed in `window.__aidPendingIpc`
/// (`{"<n>": "<command> @<page ms>"}`) until it answers: what a stalled
/// page is waiting for, read by the end-to-end tests when a wait times out.
async fn tracked(cmd: &str, args: JsValue) -> Result<JsValue, JsValue> {
    thread_local! {
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let n = NEXT.with(|c| {
        let n = c.get();
        c.set(n + 1);
        n
    });
    let pending = window_global("__aidPendingIpc", || js_sys::Object::new().into());
    let id = JsValue::from_str(&n.to_string());
    if let Some(p) = &pending {
        let what = JsValue::from_str(&format!("{cmd} @{:.0}", page_clock()));
        let _ = js_sys::Reflect::set(p, &id, &what);
    }
    let result = tauri_invoke(cmd, args).await;
    if let Some(p) = &pending {
        let _ = js_sys::Reflect::delete_property(p.unchecked_ref::<js_sys::Object>(), &id);
    }
    result
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, ApiError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Failed,
                format!("Could not encode the request: {e}"),
            )
        })
}

/// Turns whatever a rejected invoke carries into an [`ApiError`]: our own
/// `{code, message}` objects, or Tauri's plain strings (unknown command,
/// permission denied).
fn to_api_error(err: JsValue) -> ApiError {
    if let Ok(api) = serde_wasm_bindgen::from_value::<ApiError>(err.clone()) {
        return api;
    }
    if let Some(text) = err.as_string() {
        return ApiError::new(ErrorCode::Failed, text);
    }
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        let msg = String::from(e.message());
        if msg.contains("__TAURI__") || msg.contains("undefined") {
            return ApiError::new(
                ErrorCode::Unavailable,
                "This page runs outside AI Desktop, so it cannot reach the app.",
            )
            .with_detail(msg);
        }
        return ApiError::new(ErrorCode::Failed, msg);
    }
    ApiError::new(ErrorCode::Failed, "The app returned an unexpected error.")
}

/// Calls a typed command (see `ai_desktop_api::commands::Command`): its
/// fields are the arguments, its `Output` the answer.
pub async fn call<C: Command>(command: &C) -> Result<C::Output, ApiError> {
    invoke(C::NAME, command).await
}

/// Calls a typed command and keeps its answer as the JavaScript value it
/// arrived as (for text handed on to JavaScript without a copy).
pub async fn call_raw<C: Command>(command: &C) -> Result<JsValue, ApiError> {
    invoke_raw(C::NAME, command).await
}

/// Calls a command that sends frames while it runs (progress lines, samples,
/// streamed tokens): each frame goes to `on_frame` until the native side
/// stops sending; then its answer.
pub async fn call_streaming<C: Streaming>(
    command: &C,
    on_frame: impl Fn(C::Frame) + 'static,
) -> Result<C::Output, ApiError>
where
    C::Frame: 'static,
{
    invoke_with_progress(C::NAME, command, C::CHANNEL, on_frame).await
}

/// Calls a command. `args` is an object keyed by the command's argument names.
async fn invoke<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, ApiError> {
    let value = invoke_raw(cmd, args).await?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| ApiError::new(ErrorCode::Failed, format!("Unexpected reply to {cmd}: {e}")))
}

/// Milliseconds since the page began loading.
pub fn page_clock() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_default()
}

/// Tells the native side once the first frame is on screen: the frame after the
/// first animation frame (a timeout queued from `requestAnimationFrame` runs
/// after that frame is painted), with when the page's code began to run and
/// when the shell was mounted (the start-up bench's breakdown).
pub fn report_first_paint(ready_ms: f64, mounted_ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let after_paint = Closure::once_into_js(move || {
        let page_ms = page_clock();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = call(&app::Painted {
                page_ms,
                ready_ms,
                mounted_ms,
            })
            .await;
        });
    });
    let on_frame = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(after_paint.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(on_frame.unchecked_ref());
}

/// Sends what the page's console reports as errors — `console.error` and
/// `console.warn` (a Rust panic in the UI comes through the first),
/// uncaught exceptions and unhandled promise rejections — to the app's log
/// file, where a user's bug report can find it. Only the first argument of
/// a console call is sent.
pub fn forward_console_to_log() {
    fn send(level: &'static str, message: String) {
        if level == "error" {
            remember(&message);
        }
        wasm_bindgen_futures::spawn_local(async move {
            // Not through the console again: a failing log must not loop.
            let level = level.to_string();
            let _ = call(&app::Log { level, message }).await;
        });
    }
    /// The page's first errors (a panic's message first of all) kept in
    /// `window.__aidPageErrors`, read by the end-to-end tests when a wait
    /// times out: the message that explains a dead page, even when the log
    /// around it is cut.
    fn remember(message: &str) {
        const KEPT: u32 = 4;
        let Some(list) = window_global("__aidPageErrors", || js_sys::Array::new().into()) else {
            return;
        };
        let list = list.unchecked_into::<js_sys::Array>();
        if list.length() < KEPT {
            let first_lines: String = message.lines().take(3).collect::<Vec<_>>().join(" | ");
            list.push(&JsValue::from_str(&first_lines));
        }
    }
    fn text(value: &JsValue) -> String {
        if let Some(s) = value.as_string() {
            return s;
        }
        // An Error: its message and stack.
        let field = |name: &str| {
            js_sys::Reflect::get(value, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        match (field("message"), field("stack")) {
            (Some(m), Some(s)) => format!("{m}\n{s}"),
            (Some(m), None) => m,
            _ => js_sys::JSON::stringify(value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| "(a value that cannot be shown)".into()),
        }
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let console = js_sys::Reflect::get(&window, &JsValue::from_str("console")).unwrap_or_default();
    for (name, level) in [("error", "error"), ("warn", "warn")] {
        let Ok(original) = js_sys::Reflect::get(&console, &JsValue::from_str(name)) else {
            continue;
        };
        let Ok(original) = original.dyn_into::<js_sys::Function>() else {
            continue;
        };
        let target = console.clone();
        let wrapper = Closure::<dyn Fn(JsValue)>::new(move |first: JsValue| {
            let _ = original.call1(&target, &first);
            send(level, text(&first));
        });
        let _ = js_sys::Reflect::set(&console, &JsValue::from_str(name), wrapper.as_ref());
        wrapper.forget();
    }
    let on_error = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let get =
            |name: &str| js_sys::Reflect::get(&event, &JsValue::from_str(name)).unwrap_or_default();
        let error = get("error");
        let message = if error.is_object() {
            text(&error)
        } else {
            text(&get("message"))
        };
        let place = format!(
            "{}:{}",
            get("filename").as_string().unwrap_or_default(),
            get("lineno").as_f64().unwrap_or_default()
        );
        send("error", format!("uncaught: {message} ({place})"));
    });
    let on_rejection = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let reason = js_sys::Reflect::get(&event, &JsValue::from_str("reason")).unwrap_or_default();
        send("error", format!("unhandled rejection: {}", text(&reason)));
    });
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    on_error.forget();
    on_rejection.forget();
}

/// Calls a command and hands over its reply as the page received it (for a
/// reply whose text goes on to JavaScript untouched: terminal output).
async fn invoke_raw<A: Serialize>(cmd: &str, args: &A) -> Result<JsValue, ApiError> {
    tracked(cmd, to_js(args)?).await.map_err(to_api_error)
}

/// Resolves when the next frame is about to be painted (never while the
/// window is hidden).
pub async fn next_animation_frame() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
}

/// Subscribes to an event for the life of the page. Payloads that do not
/// decode are logged and dropped rather than breaking the view.
pub fn listen<T: DeserializeOwned + 'static>(event: &'static str, handler: impl Fn(T) + 'static) {
    let closure = Closure::<dyn Fn(JsValue)>::new(move |raw: JsValue| {
        let payload =
            js_sys::Reflect::get(&raw, &JsValue::from_str("payload")).unwrap_or(JsValue::UNDEFINED);
        match serde_wasm_bindgen::from_value::<T>(payload) {
            Ok(value) => handler(value),
            Err(e) => web_sys::console::warn_1(&format!("bad {event} payload: {e}").into()),
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = tauri_listen(event, closure.as_ref().unchecked_ref()).await {
            web_sys::console::warn_1(&format!("cannot listen to {event}: {:?}", e).into());
        }
        // The listener lives as long as the app.
        closure.forget();
    });
}

/// Subscribes to an event while the calling component is mounted: the
/// listener is removed when it unmounts (a page visited ten times keeps one
/// listener, not ten).
pub fn listen_while_mounted<T: DeserializeOwned + 'static>(
    event: &str,
    handler: impl Fn(T) + 'static,
) {
    listen_while_mounted_then(event, handler, || {});
}

/// [`listen_while_mounted`], calling `ready` once the listener is in place
/// (Tauri registers it asynchronously), or once it is known it cannot be. An event sent before then is not
/// heard, so a view that loads its state and then follows events loads
/// again from `ready`: what changed in between is not lost.
pub fn listen_while_mounted_then<T: DeserializeOwned + 'static>(
    event: &str,
    handler: impl Fn(T) + 'static,
    ready: impl FnOnce() + 'static,
) {
    let event = event.to_string();
    let name = event.clone();
    use leptos::prelude::on_cleanup;
    use send_wrapper::SendWrapper;
    use std::cell::RefCell;
    use std::rc::Rc;
    // The unlisten function, once Tauri hands it over; or `true` once the
    // component is gone (then it is called as soon as it arrives).
    let state: Rc<RefCell<(Option<js_sys::Function>, bool)>> = Rc::default();
    let closure = Closure::<dyn Fn(JsValue)>::new(move |raw: JsValue| {
        let payload =
            js_sys::Reflect::get(&raw, &JsValue::from_str("payload")).unwrap_or(JsValue::UNDEFINED);
        match serde_wasm_bindgen::from_value::<T>(payload) {
            Ok(value) => handler(value),
            Err(e) => web_sys::console::warn_1(&format!("bad {name} payload: {e}").into()),
        }
    });
    // Cleanup runs on the UI thread, where the Rc lives.
    let for_cleanup = SendWrapper::new(state.clone());
    on_cleanup(move || {
        let mut s = for_cleanup.borrow_mut();
        s.1 = true;
        if let Some(unlisten) = s.0.take() {
            let _ = unlisten.call0(&JsValue::NULL);
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        match tauri_listen(&event, closure.as_ref().unchecked_ref()).await {
            Ok(unlisten) => {
                let unlisten: js_sys::Function = unlisten.unchecked_into();
                let mut s = state.borrow_mut();
                if s.1 {
                    let _ = unlisten.call0(&JsValue::NULL);
                } else {
                    s.0 = Some(unlisten);
                    drop(s);
                    ready();
                }
            }
            Err(e) => {
                web_sys::console::warn_1(&format!("cannot listen to {event}: {:?}", e).into());
                // The view still reads what there is (it only will not follow).
                ready();
            }
        }
        // Tauri holds the handler until unlisten; the closure must outlive it.
        closure.forget();
    });
}

/// Waits `ms` milliseconds (a page timer; nothing runs meanwhile).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Opens the native file picker; `None` when the user cancels.
pub async fn pick_file(title: &str) -> Result<Option<String>, ApiError> {
    pick(title, false).await
}

/// Opens the native "save as" picker; `None` when the user cancels.
pub async fn pick_save_path(title: &str, default_name: &str) -> Result<Option<String>, ApiError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Options<'a> {
        title: &'a str,
        default_path: &'a str,
    }
    #[derive(Serialize)]
    struct Args<'a> {
        options: Options<'a>,
    }
    invoke(
        "plugin:dialog|save",
        &Args {
            options: Options {
                title,
                default_path: default_name,
            },
        },
    )
    .await
}

/// Opens the native folder picker; `None` when the user cancels.
pub async fn pick_folder(title: &str) -> Result<Option<String>, ApiError> {
    pick(title, true).await
}

/// The native open dialog, for one folder or one file.
async fn pick(title: &str, directory: bool) -> Result<Option<String>, ApiError> {
    #[derive(Serialize)]
    struct Options<'a> {
        directory: bool,
        multiple: bool,
        title: &'a str,
    }
    #[derive(Serialize)]
    struct Args<'a> {
        options: Options<'a>,
    }
    invoke(
        "plugin:dialog|open",
        &Args {
            options: Options {
                directory,
                multiple: false,
                title,
            },
        },
    )
    .await
}

/// Loads of a view that also follows events, so that no change is lost
/// between the two: an event heard while a load is under way may change
/// what that load already read, so the load runs again; a load asked for
/// while one runs joins it (runs once more after it) rather than racing it.
#[derive(Clone, Copy)]
pub struct Freshness {
    /// A load is under way.
    loading: leptos::prelude::StoredValue<bool>,
    /// Something changed since the load under way began reading.
    stale: leptos::prelude::StoredValue<bool>,
}

impl Default for Freshness {
    fn default() -> Self {
        Self::new()
    }
}

impl Freshness {
    pub fn new() -> Self {
        use leptos::prelude::StoredValue;
        Freshness {
            loading: StoredValue::new(false),
            stale: StoredValue::new(false),
        }
    }

    /// An event was heard: a load under way runs again when it ends.
    pub fn heard(self) {
        use leptos::prelude::{GetValue, SetValue};
        if self.loading.try_get_value() == Some(true) {
            self.stale.try_set_value(true);
        }
    }

    /// Runs `load` (a read and what it updates), and again as long as
    /// something was heard or asked for while it ran.
    pub fn load<F: std::future::Future<Output = ()> + 'static>(
        self,
        load: impl Fn() -> F + 'static,
    ) {
        use leptos::prelude::{GetValue, SetValue};
        match self.loading.try_get_value() {
            Some(false) => {}
            Some(true) => {
                self.stale.set_value(true);
                return;
            }
            // The view is gone.
            None => return,
        }
        self.loading.set_value(true);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                self.stale.try_set_value(false);
                load().await;
                if self.stale.try_get_value() != Some(true) {
                    break;
                }
            }
            self.loading.try_set_value(false);
        });
    }
}
