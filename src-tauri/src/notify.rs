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
                    alert.body.as_str(),
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
