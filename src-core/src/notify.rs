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

/// A connection to the bus at `address`; None: the user's session bus.
pub async fn bus(address: Option<&str>) -> Result<zbus::Connection, String> {
    match address {
        Some(a) => zbus::connection::Builder::address(a)
            .map_err(|e| e.to_string())?
            .build()
            .await
            .map_err(|e| e.to_string()),
        None => zbus::Connection::session().await.map_err(|e| e.to_string()),
    }
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

    async fn connect(&self) -> Result<zbus::Connection, String> {
        bus(self.address.as_deref()).await
    }

    /// Shows `alert`; returns the notification's id.
    pub async fn send(&self, alert: &Alert) -> Result<u32, String> {
        let conn = self.connect().await?;
        notify_on(&conn, alert).await
    }

    /// Shows `alert` and waits (at most `within`) for the user to press its
    /// button: the action's key, or None when it was closed or the wait
    /// ran out. An alert without a button is only shown.
    pub async fn send_and_wait(
        &self,
        alert: &Alert,
        within: std::time::Duration,
    ) -> Result<Option<String>, String> {
        use futures_util::StreamExt;
        let conn = self.connect().await?;
        if alert.action.is_none() {
            notify_on(&conn, alert).await?;
            return Ok(None);
        }
        // Listening before the notification exists: a quick click is not missed.
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface("org.freedesktop.Notifications")
            .map_err(|e| e.to_string())?
            .path("/org/freedesktop/Notifications")
            .map_err(|e| e.to_string())?
            .build();
        let mut signals = zbus::MessageStream::for_match_rule(rule, &conn, None)
            .await
            .map_err(|e| e.to_string())?;
        let id = notify_on(&conn, alert).await?;
        let wait = async {
            while let Some(Ok(msg)) = signals.next().await {
                let header = msg.header();
                match header.member().map(|m| m.as_str()) {
                    Some("ActionInvoked") => {
                        if let Ok((got, key)) = msg.body().deserialize::<(u32, String)>() {
                            if got == id {
                                return Some(key);
                            }
                        }
                    }
                    Some("NotificationClosed") => {
                        if let Ok((got, _)) = msg.body().deserialize::<(u32, u32)>() {
                            if got == id {
                                return None;
                            }
                        }
                    }
                    _ => {}
                }
            }
            None
        };
        Ok(tokio::time::timeout(within, wait).await.ok().flatten())
    }
}

async fn notify_on(conn: &zbus::Connection, alert: &Alert) -> Result<u32, String> {
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
    let actions: Vec<&str> = alert
        .action
        .map(|a| vec![a.key(), a.label()])
        .unwrap_or_default();
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
                actions,
                hints,
                -1i32,
            ),
        )
        .await
        .map_err(|e| e.to_string())?;
    reply.body().deserialize::<u32>().map_err(|e| e.to_string())
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
