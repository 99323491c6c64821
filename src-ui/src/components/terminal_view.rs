//! A terminal emulator (xterm.js from `vendor/`, loaded with the first one) bound
//! to one of the shell's terminals: keys go to `terminals_write`; output is
//! read with `terminals_read` in batches, the next read while xterm parses the
//! last and written once it is done, so a flood pauses the shell instead of
//! freezing the page.

use crate::ipc;
use ai_desktop_api::terminal;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Terminal)]
    #[derive(Clone)]
    type XTerm;
    #[wasm_bindgen(constructor, js_class = "Terminal")]
    fn new(options: &JsValue) -> XTerm;
    #[wasm_bindgen(method)]
    fn open(this: &XTerm, parent: &web_sys::HtmlElement);
    #[wasm_bindgen(method)]
    fn write(this: &XTerm, data: &str);
    /// `write` with output that is already a JavaScript value (a `Uint8Array` of UTF-8).
    #[wasm_bindgen(method, js_name = write)]
    fn write_js(this: &XTerm, data: &JsValue, done: &js_sys::Function);
    #[wasm_bindgen(method, js_name = onData)]
    fn on_data(this: &XTerm, handler: &js_sys::Function) -> JsValue;
    #[wasm_bindgen(method, js_name = onResize)]
    fn on_resize(this: &XTerm, handler: &js_sys::Function) -> JsValue;
    #[wasm_bindgen(method, js_name = loadAddon)]
    fn load_addon(this: &XTerm, addon: &JsValue);
    #[wasm_bindgen(method, js_name = attachCustomKeyEventHandler)]
    fn attach_custom_key_event_handler(this: &XTerm, handler: &js_sys::Function);
    #[wasm_bindgen(method, js_name = getSelection)]
    fn get_selection(this: &XTerm) -> String;
    #[wasm_bindgen(method)]
    fn focus(this: &XTerm);
    #[wasm_bindgen(method)]
    fn dispose(this: &XTerm);
    #[wasm_bindgen(method, getter)]
    fn cols(this: &XTerm) -> u16;
    #[wasm_bindgen(method, getter)]
    fn rows(this: &XTerm) -> u16;

    #[wasm_bindgen(js_namespace = FitAddon, js_name = FitAddon)]
    type Fit;
    #[wasm_bindgen(constructor, js_namespace = FitAddon, js_class = "FitAddon")]
    fn new() -> Fit;
    #[wasm_bindgen(method)]
    fn fit(this: &Fit);
}

/// How much one read may bring: a flood arrives in a few large replies.
const READ_MAX: usize = 256 * 1024;

fn resize(id: u32, cols: u16, rows: u16) {
    spawn_local(async move {
        let _ = ipc::call(&terminal::Resize { id, cols, rows }).await;
    });
}

/// The view `view` went away: the terminal's output runs on into its backlog
/// (unless another view has attached since).
fn detach(id: u32, view: u64) {
    spawn_local(async move {
        let _ = ipc::call(&terminal::Detach { id, view }).await;
    });
}

#[component]
pub fn TerminalView(
    id: u32,
    /// Told when the shell exits, with its exit code.
    on_exit: Callback<Option<i32>>,
) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    // Kept in the view's cleanup; the JS objects are not Send.
    let term_slot: Rc<Cell<Option<(XTerm, Fit)>>> = Rc::new(Cell::new(None));
    let slot = term_slot.clone();
    // Set when the view goes: its read loop stops.
    let disposed = Rc::new(Cell::new(false));
    let on_dispose = disposed.clone();
    // This view's number once attached (its reads and its detach name it).
    let view_number = Rc::new(Cell::new(None::<u64>));
    let on_dispose_view = send_wrapper::SendWrapper::new(view_number.clone());
    let gone = disposed.clone();
    let start = move |div: web_sys::HtmlDivElement| {
        let Ok(options) = js_sys::JSON::parse(
            r##"{"cursorBlink": true, "scrollback": 5000, "fontFamily": "'DejaVu Sans Mono', monospace", "fontSize": 13,
                "theme": {"background": "#15161c", "foreground": "#e6e8ef"}}"##,
        ) else {
            return;
        };
        if js_sys::Reflect::get(&js_sys::global(), &"Terminal".into())
            .map(|v| v.is_undefined())
            .unwrap_or(true)
        {
            div.set_text_content(Some("The terminal emulator (vendor/xterm.js) is missing from this build; run .ci/build-ui."));
            return;
        }
        let term = XTerm::new(&options);
        let fit = Fit::new();
        term.load_addon(&fit);
        let el: &web_sys::HtmlElement = &div;
        term.open(el);
        fit.fit();

        // Keys and pastes to the shell, in the order they were typed: one
        // write in flight at a time (concurrent calls may reach the pty in
        // any order), with what was typed meanwhile sent as the next one.
        let pending = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
        let sending = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_data = Closure::<dyn Fn(String)>::new(move |data: String| {
            pending.borrow_mut().push_str(&data);
            if sending.replace(true) {
                return;
            }
            let (pending, sending) = (pending.clone(), sending.clone());
            spawn_local(async move {
                loop {
                    let data = std::mem::take(&mut *pending.borrow_mut());
                    if data.is_empty() {
                        break;
                    }
                    let _ = ipc::call(&terminal::Write { id, data }).await;
                }
                sending.set(false);
            });
        });
        term.on_data(on_data.as_ref().unchecked_ref());
        on_data.forget();
        let on_resize = Closure::<dyn Fn(JsValue)>::new(move |size: JsValue| {
            let get = |k: &str| {
                js_sys::Reflect::get(&size, &k.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0) as u16
            };
            resize(id, get("cols"), get("rows"));
        });
        term.on_resize(on_resize.as_ref().unchecked_ref());
        on_resize.forget();
        resize(id, term.cols(), term.rows());

        // Ctrl+Shift+C copies the selection (Ctrl+C stays the shell's interrupt).
        let term_for_copy = XTerm::clone(&term);
        let on_key = Closure::<dyn Fn(web_sys::KeyboardEvent) -> bool>::new(
            move |ev: web_sys::KeyboardEvent| {
                if ev.type_() == "keydown"
                    && ev.ctrl_key()
                    && ev.shift_key()
                    && ev.key().eq_ignore_ascii_case("c")
                {
                    let text = term_for_copy.get_selection();
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&text);
                    }
                    return false;
                }
                true
            },
        );
        term.attach_custom_key_event_handler(on_key.as_ref().unchecked_ref());
        on_key.forget();

        // Output: read what waits, hand it to xterm, read the next batch
        // while xterm parses (so a flood pauses the shell, not the page).
        let writer = XTerm::clone(&term);
        let gone = disposed.clone();
        let attached = view_number.clone();
        spawn_local(async move {
            let Ok(view) = ipc::call(&terminal::Attach { id }).await else {
                return;
            };
            attached.set(Some(view));
            if gone.get() {
                // Left while attaching: the cleanup could not name this view.
                detach(id, view);
                return;
            }
            // xterm's promise for the last batch handed to it: the next
            // batch is read while xterm parses this one (reading and
            // parsing overlap), and written once it is done (at most one
            // batch waits, so a flood still pauses the shell).
            let mut writing: Option<wasm_bindgen_futures::JsFuture> = None;
            while !gone.get() {
                // The reply is `TerminalFrame`'s bytes: output goes to xterm
                // as the bytes it arrived as (xterm decodes UTF-8 itself).
                let Ok(reply) = ipc::call_raw(&terminal::Read {
                    id,
                    view,
                    max: READ_MAX,
                })
                .await
                else {
                    return;
                };
                if gone.get() || !reply.is_instance_of::<js_sys::ArrayBuffer>() {
                    return;
                }
                let bytes = js_sys::Uint8Array::new(&reply);
                if bytes.length() == 0 {
                    return;
                }
                if bytes.get_index(0) != terminal::TerminalFrame::DATA {
                    // An exit (shown), a detach, or bytes no frame encodes to:
                    // this view stops reading.
                    if let Some(terminal::TerminalFrame::Exited(exit_code)) =
                        terminal::TerminalFrame::decode(&bytes.to_vec())
                    {
                        let note = match exit_code {
                            Some(code) => {
                                format!("\r\n\x1b[2m[the shell exited with code {code}]\x1b[0m\r\n")
                            }
                            None => "\r\n\x1b[2m[the shell was ended]\x1b[0m\r\n".to_string(),
                        };
                        // No callback: `Function::new_no_args` would be an eval, which
                        // the page's CSP refuses (the exit used to be lost that way).
                        writer.write(&note);
                        on_exit.try_run(exit_code);
                    }
                    return;
                }
                if let Some(previous) = writing.take() {
                    let _ = previous.await;
                }
                let data = bytes.subarray(1, bytes.length());
                let written =
                    js_sys::Promise::new(&mut |resolve, _| writer.write_js(&data, &resolve));
                writing = Some(wasm_bindgen_futures::JsFuture::from(written));
            }
        });
        term.focus();
        slot.set(Some((term, fit)));
    };
    // xterm.js is loaded with the first terminal, not with the page.
    host.on_load(move |div| {
        spawn_local(async move {
            let loaded = crate::components::script::load("vendor/xterm.js").await
                && crate::components::script::load("vendor/addon-fit.js").await;
            if gone.get() {
                return;
            }
            if !loaded {
                div.set_text_content(Some(
                    "The terminal emulator (vendor/xterm.js) is missing from this build; run .ci/build-ui.",
                ));
                return;
            }
            start(div);
        });
    });

    // Refit when the window changes size.
    let fit_slot = term_slot.clone();
    let handle = window_event_listener(leptos::ev::resize, move |_| {
        if let Some((term, fit)) = fit_slot.take() {
            fit.fit();
            fit_slot.set(Some((term, fit)));
        }
    });
    let dispose = send_wrapper::SendWrapper::new(term_slot);
    let on_dispose = send_wrapper::SendWrapper::new(on_dispose);
    on_cleanup(move || {
        on_dispose.set(true);
        handle.remove();
        if let Some((term, _)) = dispose.take().take() {
            term.dispose();
        }
        // Nobody shows it now: let its output run on into the backlog.
        if let Some(view) = on_dispose_view.get() {
            detach(id, view);
        }
    });
    view! { <div class="terminal-host" node_ref=host data-testid=format!("terminal-{id}")></div> }
}
