//! The desktop's light or dark style, as the XDG desktop portal tells it
//! (`org.freedesktop.appearance` `color-scheme`): read once, then followed
//! through the portal's `SettingChanged` signal on the session bus. Nothing
//! polls: the connection's socket is read when the bus sends something.
//!
//! (The windowing library can do this itself, but its follower is a thread
//! that wakes every 5 s for ever, and it asks the portal synchronously on
//! the main thread before each window shows; that feature is not compiled
//! in.)

use futures_util::StreamExt;
use zbus::zvariant::{OwnedValue, Value};

/// What the desktop prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    /// No preference: the toolkit's own theme decides.
    Default,
    Dark,
    Light,
}

impl ColorScheme {
    /// The portal's number: 1 prefers dark, 2 prefers light, else none.
    pub fn from_portal(value: u32) -> ColorScheme {
        match value {
            1 => ColorScheme::Dark,
            2 => ColorScheme::Light,
            _ => ColorScheme::Default,
        }
    }
}

pub const PORTAL: &str = "org.freedesktop.portal.Desktop";
pub const PORTAL_PATH: &str = "/org/freedesktop/portal/desktop";
pub const SETTINGS: &str = "org.freedesktop.portal.Settings";
pub const NAMESPACE: &str = "org.freedesktop.appearance";
pub const KEY: &str = "color-scheme";

/// A `u32` inside any number of variants (the portal's `Read` wraps the
/// value once more than `ReadOne`).
fn as_u32(v: &Value<'_>) -> Option<u32> {
    match v {
        Value::U32(n) => Some(*n),
        Value::Value(inner) => as_u32(inner),
        _ => None,
    }
}

/// The portal's answer now, if a portal answers.
pub async fn read(conn: &zbus::Connection) -> Option<ColorScheme> {
    for method in ["ReadOne", "Read"] {
        let reply = conn
            .call_method(
                Some(PORTAL),
                PORTAL_PATH,
                Some(SETTINGS),
                method,
                &(NAMESPACE, KEY),
            )
            .await;
        match reply {
            Ok(m) => {
                let value: OwnedValue = m.body().deserialize().ok()?;
                return as_u32(&value).map(ColorScheme::from_portal);
            }
            // An older portal has no ReadOne: ask with Read.
            Err(zbus::Error::MethodError(name, _, _))
                if name.as_str() == "org.freedesktop.DBus.Error.UnknownMethod" => {}
            Err(_) => return None,
        }
    }
    None
}

/// Calls `on` with the desktop's preference now (when a portal answers)
/// and with each change of it, until the bus connection ends. `address`:
/// a bus address; None: the user's session bus.
pub async fn follow(
    address: Option<&str>,
    mut on: impl FnMut(ColorScheme) + Send,
) -> Result<(), String> {
    let conn = crate::notify::bus(address).await?;
    // Listening before reading: a change between the two is not missed.
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface(SETTINGS)
        .map_err(|e| e.to_string())?
        .member("SettingChanged")
        .map_err(|e| e.to_string())?
        .path(PORTAL_PATH)
        .map_err(|e| e.to_string())?
        .build();
    let mut changes = zbus::MessageStream::for_match_rule(rule, &conn, None)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(now) = read(&conn).await {
        on(now);
    }
    while let Some(Ok(msg)) = changes.next().await {
        let Ok((namespace, key, value)) = msg.body().deserialize::<(String, String, OwnedValue)>()
        else {
            continue;
        };
        if namespace == NAMESPACE && key == KEY {
            if let Some(n) = as_u32(&value) {
                on(ColorScheme::from_portal(n));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_numbers_and_nested_variants() {
        assert_eq!(ColorScheme::from_portal(1), ColorScheme::Dark);
        assert_eq!(ColorScheme::from_portal(2), ColorScheme::Light);
        assert_eq!(ColorScheme::from_portal(0), ColorScheme::Default);
        assert_eq!(ColorScheme::from_portal(7), ColorScheme::Default);
        let once = Value::U32(1);
        let twice = Value::Value(Box::new(Value::U32(2)));
        assert_eq!(as_u32(&once), Some(1));
        assert_eq!(as_u32(&twice), Some(2));
        assert_eq!(as_u32(&Value::Str("dark".into())), None);
    }
}
