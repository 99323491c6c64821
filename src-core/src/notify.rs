//! Desktop notifications through the freedesktop Notifications service on
//! the session bus (`org.freedesktop.Notifications.Notify`), with zbus
//! (already in the tree for the single-instance plugin). Without a session
//! bus or a notification daemon the alert is only logged.

use crate::alerts::Alert;
use std::collections::HashMap;
use zbus::zvariant::Value;

pub struct Notifier {
    /// A bus address; `None`: the user's session bus.
    address: Option<String>,
}

impl Notifier {
    pub fn session() -> Notifier {
        Notifier { address: None }
    }

    pub fn at(address: &str) -> Notifier {
        Notifier {
            address: Some(address.to_string()),
        }
    }

    /// Shows `alert`; returns the notification's id.
    pub async fn send(&self, alert: &Alert) -> Result<u32, String> {
        let conn = match &self.address {
            Some(a) => zbus::connection::Builder::address(a.as_str())
                .map_err(|e| e.to_string())?
                .build()
                .await
                .map_err(|e| e.to_string())?,
            None => zbus::Connection::session()
                .await
                .map_err(|e| e.to_string())?,
        };
        // The body is process output: on a daemon that renders markup,
        // `<a href>` or `<img src>` in it would become a link or a fetched
        // image. Escaped there; sent as is where it is shown as plain text.
        let markup = conn
            .call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.Notifications"),
                "GetCapabilities",
                &(),
            )
            .await
            .ok()
            .and_then(|r| r.body().deserialize::<Vec<String>>().ok())
            // Unknown: escaping shows `&lt;` at worst, never runs markup.
            .is_none_or(|caps| caps.iter().any(|c| c == "body-markup"));
        let body = if markup {
            escape_markup(&alert.body)
        } else {
            alert.body.clone()
        };
        let hints: HashMap<&str, Value<'_>> = HashMap::new();
        let reply = conn
            .call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.Notifications"),
                "Notify",
                &(
                    "AI Desktop",
                    0u32,
                    "ai-desktop",
                    alert.title.as_str(),
                    body.as_str(),
                    Vec::<&str>::new(),
                    hints,
                    -1i32,
                ),
            )
            .await
            .map_err(|e| e.to_string())?;
        reply.body().deserialize::<u32>().map_err(|e| e.to_string())
    }
}

/// Text for a notification body that may be read as markup (the spec's
/// subset of HTML: `<b>`, `<i>`, `<u>`, `<a href>`, `<img>`): every `&`, `<`,
/// `>`, `"` and `'` as an entity, so it shows as the text it is.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
