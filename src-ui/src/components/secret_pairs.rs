//! Key/value rows whose values are masked until shown: environment
//! variables, HTTP headers. Stored values come from the app as
//! `secrets::MASKED` (the app never sends them in lists); sent back
//! unchanged, they keep what is stored. *Show values* asks the app for each
//! stored value, one request per value, through `reveal`.

use crate::components::icons::{Icon, Svg};
use ai_desktop_api::secrets::MASKED;
use leptos::prelude::*;

/// Key/value rows with masked values (env vars, headers). `reveal` gets
/// (row, key) for each row still holding a stored (masked) value when the
/// user asks to see the values; it puts the real value into `pairs`.
#[component]
pub fn SecretPairs(
    pairs: RwSignal<Vec<(String, String)>>,
    key_label: &'static str,
    test_id: &'static str,
    #[prop(optional)] reveal: Option<Callback<(usize, String)>>,
) -> impl IntoView {
    let revealed = RwSignal::new(false);
    // Names that had a saved value when the form opened.
    let saved: Vec<String> = pairs.with_untracked(|p| {
        p.iter()
            .filter(|(_, v)| v == MASKED)
            .map(|(k, _)| k.clone())
            .collect()
    });
    // Rows are re-created only when one is added or removed, not on every
    // keystroke (which would take the focus out of the field being typed in).
    let count = Memo::new(move |_| pairs.with(|p| p.len()));
    let toggle = move |_| {
        let show = !revealed.get_untracked();
        if show {
            if let Some(reveal) = reveal {
                for (i, (key, value)) in pairs.get_untracked().into_iter().enumerate() {
                    if value == MASKED {
                        reveal.run((i, key));
                    }
                }
            }
        }
        revealed.set(show);
    };
    view! {
        <div class="pairs" data-testid=test_id>
            {move || {
                (0..count.get()).map(|i| {
                    let key = move || pairs.with(|p| p.get(i).map(|x| x.0.clone()).unwrap_or_default());
                    let value = move || pairs.with(|p| p.get(i).map(|x| x.1.clone()).unwrap_or_default());
                    let stored = move || value() == MASKED;
                    let saved = saved.clone();
                    view! {
                        <div class="input-row">
                            <input class="input mono" placeholder=key_label prop:value=key
                                on:input=move |ev| pairs.update(|p| if let Some(x) = p.get_mut(i) { x.0 = event_target_value(&ev) })/>
                            <input class="input mono" placeholder="value" autocomplete="off"
                                title=move || stored().then_some("Saved value (kept unless you type a new one)")
                                prop:type=move || if revealed.get() && !stored() { "text" } else { "password" }
                                prop:value=value
                                on:focus=move |_| {
                                    // Typing over a saved value starts from empty.
                                    if stored() {
                                        pairs.update(|p| if let Some(x) = p.get_mut(i) { x.1.clear() });
                                    }
                                }
                                on:blur=move |_| {
                                    // Left empty: the saved value stays.
                                    pairs.update(|p| if let Some(x) = p.get_mut(i) {
                                        if x.1.is_empty() && saved.contains(&x.0) {
                                            x.1 = MASKED.to_string();
                                        }
                                    });
                                }
                                on:input=move |ev| pairs.update(|p| if let Some(x) = p.get_mut(i) { x.1 = event_target_value(&ev) })/>
                            <button type="button" class="icon-button danger" aria-label="Remove" on:click=move |_| pairs.update(|p| { if i < p.len() { p.remove(i); } })>
                                <Svg icon=Icon::Trash/>
                            </button>
                        </div>
                    }
                }).collect_view()
            }}
            <div class="toolbar">
                <button type="button" class="button small" on:click=move |_| pairs.update(|p| p.push((String::new(), String::new())))>"Add"</button>
                {move || (count.get() > 0).then(|| view! {
                    <button type="button" class="button small" data-testid=format!("{test_id}-reveal") on:click=toggle>
                        {move || if revealed.get() { "Hide values" } else { "Show values" }}
                    </button>
                })}
            </div>
        </div>
    }
}
