//! Logs: [`LogPanel`] is the one log view every page shows (search,
//! follow, clear); [`LogView`] is its virtualized pane (only the rows in
//! view are in the DOM, so a buffer of thousands of lines scrolls smoothly);
//! [`LogFollower`] reads a log command into it.

use crate::ipc;
use ai_desktop_api::logs::{LogFrame, LogLine, LogRead};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Lines kept in a view (the app keeps 2,000 per process).
const VIEW_LINES: usize = 2000;
const ROW_PX: f64 = 18.0;
const VIEW_PX: f64 = 280.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 10;
/// Row elements in a view: the visible ones and the overscan.
const SLOTS: usize = (VIEW_PX / ROW_PX) as usize + 2 * OVERSCAN;

/// The pane of a [`LogPanel`].
#[component]
fn LogView(
    lines: RwSignal<Vec<LogLine>>,
    #[prop(into)] empty: String,
    /// Shows only lines containing this text (case-insensitive).
    filter: RwSignal<String>,
    /// Keeps the newest line in view; scrolling up turns it off, back to
    /// the bottom on. Owned by the panel to show it as a toggle.
    follow: RwSignal<bool>,
) -> impl IntoView {
    // Only a search copies lines (the matches); without one the buffer is read in place.
    let matches = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        (!needle.is_empty()).then(|| {
            lines.with(|l| {
                l.iter()
                    .filter(|x| x.text.to_lowercase().contains(&needle))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let with_shown = move |f: &mut dyn FnMut(&[LogLine])| {
        matches.with(|m| match m {
            Some(m) => f(m),
            None => lines.with(|l| f(l)),
        })
    };
    let count = move || {
        let mut n = 0;
        with_shown(&mut |l| n = l.len());
        n
    };
    let scroll_top = RwSignal::new(0.0_f64);
    let pane = NodeRef::<html::Div>::new();

    // Keep the newest line in view while following (and when following is
    // turned back on).
    Effect::new(move |_| {
        let count = count();
        if follow.get() {
            if let Some(el) = pane.get() {
                let bottom = (count as f64 * ROW_PX - VIEW_PX).max(0.0);
                el.set_scroll_top(bottom as i32);
                scroll_top.set(bottom);
            }
        }
    });

    let on_scroll = move |_| {
        if let Some(el) = pane.get() {
            let top = f64::from(el.scroll_top());
            scroll_top.set(top);
            let total = untrack(count) as f64 * ROW_PX;
            let at_bottom = top + VIEW_PX >= total - ROW_PX;
            if follow.get_untracked() != at_bottom {
                follow.set(at_bottom);
            }
        }
    };

    let first_row = move || ((scroll_top.get() / ROW_PX) as usize).saturating_sub(OVERSCAN);
    // A fixed set of row elements, rewritten in place as the view follows
    // or scrolls: WebKit keeps memory for every element created and
    // removed (a followed log made and dropped ~10 rows a second, and the
    // window's process grew ~40 MiB an hour), but not for text rewritten.
    let slot = move |i: usize| {
        Memo::new(move |_| {
            let at = first_row() + i;
            let mut line = None;
            with_shown(&mut |l| line = l.get(at).map(|x| (x.text.clone(), x.stderr)));
            line
        })
    };

    view! {
        <div
            class="log-view mono"
            node_ref=pane
            on:scroll=on_scroll
            style=format!("height:{VIEW_PX}px")
            data-testid="log-view"
        >
            <div class="log-empty muted" style:display=move || if count() == 0 { "" } else { "none" }>
                {empty}
            </div>
            // The rows in view, keyed by their place in the log: following a
            // busy log adds the new rows and drops the ones scrolled out
            // instead of rebuilding every row on every read.
            <div style:height=move || format!("{}px", count() as f64 * ROW_PX) style:position="relative">
                <div
                    style:position="absolute" style:left="0" style:right="0"
                    style:top=move || format!("{}px", first_row() as f64 * ROW_PX)
                >
                    {(0..SLOTS).map(|i| {
                        let line = slot(i);
                        view! {
                            <div class="log-slot"
                                class:log-line=move || line.with(Option::is_some)
                                class:stderr=move || line.with(|l| l.as_ref().is_some_and(|l| l.1))
                                style:display=move || if line.with(Option::is_some) { "" } else { "none" }>
                                {move || line.with(|l| l.as_ref().map(|l| l.0.clone()).unwrap_or_default())}
                            </div>
                        }
                    }).collect_view()}
                </div>
            </div>
        </div>
    }
}

/// A titled log with search over the loaded lines, a *Follow* toggle and
/// *Clear*, fed by `logs`. `on_clear` also empties the log at its source
/// (PM2's files); without it *Clear* empties the view only.
#[component]
pub fn LogPanel(
    #[prop(into)] title: Signal<String>,
    logs: LogFollower,
    #[prop(into)] empty: String,
    #[prop(optional)] on_clear: Option<Callback<(), ()>>,
    #[prop(optional)] test_id: &'static str,
    /// The search box's `data-testid` (default `log-search`).
    #[prop(optional)]
    search_id: Option<&'static str>,
    /// Shown between the head and the lines (a crash's reason).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let follow = RwSignal::new(true);
    let clear = move |_| {
        logs.lines.set(Vec::new());
        if let Some(clear) = on_clear {
            clear.run(());
        }
    };
    view! {
        <div class="panel log-panel" data-testid=test_id>
            <div class="panel-head">
                <div class="panel-title">{move || title.get()}</div>
                <input class="input small-input" type="search" placeholder="Search the loaded lines"
                    aria-label="Search the log" data-testid=search_id.unwrap_or("log-search")
                    prop:value=search on:input=move |ev| search.set(event_target_value(&ev))/>
                <label class="check small-text" title="Keep the newest line in view">
                    <input type="checkbox" data-testid="log-follow" prop:checked=move || follow.get()
                        on:change=move |ev| follow.set(event_target_checked(&ev))/>
                    "Follow"
                </label>
                <button type="button" class="button small" data-testid="log-clear" on:click=clear>"Clear"</button>
            </div>
            {children.map(|c| c())}
            <LogView lines=logs.lines filter=search follow empty/>
        </div>
    }
}

/// Feeds a [`LogView`]'s lines by reading a log command (`vscode_logs`,
/// `mcp_logs` …) in a loop. Following again replaces the previous loop: a
/// read of an older one, still in flight, is ignored and ends it.
#[derive(Clone, Copy)]
pub struct LogFollower {
    pub lines: RwSignal<Vec<LogLine>>,
    generation: StoredValue<u64>,
}

impl LogFollower {
    pub fn new() -> LogFollower {
        LogFollower {
            lines: RwSignal::new(Vec::new()),
            generation: StoredValue::new(0),
        }
    }

    /// A follower already reading `command`.
    pub fn of<C: LogRead + 'static>(command: C) -> LogFollower {
        let logs = LogFollower::new();
        logs.follow(command);
        logs
    }

    pub fn follow<C: LogRead + 'static>(self, command: C) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let lines = self.lines;
        lines.set(Vec::new());
        let current = move || self.generation.try_get_value() == Some(generation);
        // Read, show, read on from where the last read ended; at most one
        // read per painted frame (and none while the window is hidden).
        spawn_local(async move {
            let mut command = command;
            command.set_from(None);
            while current() {
                let frame: LogFrame = match ipc::call(&command).await {
                    Ok(frame) => frame,
                    Err(e) => {
                        web_sys::console::warn_1(&format!("log view: {}", e.message).into());
                        return;
                    }
                };
                if !current() {
                    return;
                }
                command.set_from(Some(frame.next));
                if !frame.lines.is_empty() || frame.skipped > 0 {
                    lines.update(|l| {
                        if frame.skipped > 0 {
                            // Keyed like a line: the place of the last line it stands for.
                            let seq = frame.lines.first().map_or(frame.next, |l| l.seq);
                            l.push(LogLine {
                                seq: seq.saturating_sub(1),
                                stderr: true,
                                text: format!("… {} lines skipped …", frame.skipped),
                            });
                        }
                        l.extend(frame.lines);
                        if l.len() > VIEW_LINES {
                            let excess = l.len() - VIEW_LINES;
                            l.drain(..excess);
                        }
                    });
                }
                ipc::next_animation_frame().await;
            }
        });
    }
}
