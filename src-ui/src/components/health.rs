//! A deployment's health check: the form's fields (kind, path, expected
//! status, interval) and the chip a table shows with its last answer.
//! Shared by this computer's deployments and a host's.

use ai_desktop_api::deployments::{HealthCheck, HealthKind, HealthReport};
use leptos::prelude::*;

/// The health check fields of a deploy form, as typed.
#[derive(Clone, Copy)]
pub struct HealthForm {
    kind: RwSignal<&'static str>,
    path: RwSignal<String>,
    status: RwSignal<String>,
    interval: RwSignal<String>,
}

impl HealthForm {
    pub fn new(check: Option<&HealthCheck>) -> HealthForm {
        let kind = match check.map(|c| c.kind) {
            None => "none",
            Some(HealthKind::Http) => "http",
            Some(HealthKind::Tcp) => "tcp",
        };
        let check = check.cloned().unwrap_or_default();
        HealthForm {
            kind: RwSignal::new(kind),
            path: RwSignal::new(check.path),
            status: RwSignal::new(check.expect_status.to_string()),
            interval: RwSignal::new(check.interval_secs.to_string()),
        }
    }

    /// The check typed (None: no check), or what is wrong with it.
    pub fn read(&self) -> Result<Option<HealthCheck>, String> {
        let kind = match self.kind.get_untracked() {
            "none" => return Ok(None),
            "tcp" => HealthKind::Tcp,
            _ => HealthKind::Http,
        };
        let number = |text: String, what: &str| -> Result<u32, String> {
            text.trim()
                .parse::<u32>()
                .map_err(|_| format!("The health check's {what} must be a number."))
        };
        Ok(Some(HealthCheck {
            kind,
            path: self.path.get_untracked(),
            expect_status: number(self.status.get_untracked(), "expected status")? as u16,
            interval_secs: number(self.interval.get_untracked(), "interval")?,
        }))
    }
}

/// The fields; their test ids start with `prefix` (`deploy-health-kind` …).
#[component]
pub fn HealthFields(form: HealthForm, prefix: &'static str) -> impl IntoView {
    let HealthForm {
        kind,
        path,
        status,
        interval,
    } = form;
    view! {
        <div class="field-row">
            <label class="field">
                <span>"Health check"</span>
                <select class="input" data-testid=format!("{prefix}-health-kind") prop:value=move || kind.get()
                    on:change=move |ev| kind.set(match event_target_value(&ev).as_str() { "http" => "http", "tcp" => "tcp", _ => "none" })>
                    <option value="none">"None (online counts)"</option>
                    <option value="http">"HTTP GET"</option>
                    <option value="tcp">"TCP connect"</option>
                </select>
            </label>
            {move || (kind.get() == "http").then(|| view! {
                <label class="field">
                    <span>"Path"</span>
                    <input class="input mono" data-testid=format!("{prefix}-health-path") prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"Expected status"</span>
                    <input class="input mono" inputmode="numeric" data-testid=format!("{prefix}-health-status") prop:value=move || status.get() on:input=move |ev| status.set(event_target_value(&ev))/>
                </label>
            })}
            {move || (kind.get() != "none").then(|| view! {
                <label class="field">
                    <span>"Every (s)"</span>
                    <input class="input mono" inputmode="numeric" data-testid=format!("{prefix}-health-interval") prop:value=move || interval.get() on:input=move |ev| interval.set(event_target_value(&ev))/>
                </label>
            })}
        </div>
    }
}

/// The chip of a deployment with a check: healthy, unhealthy (the answer
/// in its title), or not checked (while it does not run).
pub fn health_chip(
    check: Option<&HealthCheck>,
    health: Option<&HealthReport>,
    testid: String,
) -> Option<impl IntoView> {
    let check = check?;
    let (text, class, title) = match health {
        Some(h) if h.healthy => ("healthy", "chip ok", h.detail.clone()),
        Some(h) => ("unhealthy", "chip bad", h.detail.clone()),
        None => (
            "not checked",
            "chip",
            format!(
                "Checked every {} s while it runs ({}).",
                check.interval_secs,
                match check.kind {
                    HealthKind::Http => format!("GET {}", check.path),
                    HealthKind::Tcp => "TCP connect".into(),
                }
            ),
        ),
    };
    Some(view! { <span class=class title=title data-testid=testid>{text}</span> })
}
