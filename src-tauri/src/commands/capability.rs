//! Tests: the main window's capability grants exactly the app's own commands, event
//! listening and the folder picker: nothing that runs programs or touches
//! files on the UI's say-so.

use ai_desktop_api::commands;
use serde_json::Value;

fn capability() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/default.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn permissions() -> Vec<String> {
    capability()["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .expect("permissions are plain identifiers")
                .to_string()
        })
        .collect()
}

#[test]
fn every_command_is_granted() {
    let granted = permissions();
    for cmd in commands::all() {
        let permission = format!("allow-{}", cmd.replace('_', "-"));
        assert!(
            granted.contains(&permission),
            "{cmd} is not granted ({permission})"
        );
    }
}

#[test]
fn nothing_else_is_granted() {
    let outside_the_app: Vec<String> = permissions()
        .into_iter()
        .filter(|p| {
            let ours = p
                .strip_prefix("allow-")
                .is_some_and(|c| commands::all().any(|a| a == c.replace('-', "_")));
            // The native pickers only hand back a path the user chose;
            // the app's own commands check it before anything is read or written.
            let allowed_plugin = matches!(
                p.as_str(),
                "core:event:allow-listen"
                    | "core:event:allow-unlisten"
                    | "dialog:allow-open"
                    | "dialog:allow-save"
            );
            !ours && !allowed_plugin
        })
        .collect();
    assert!(
        outside_the_app.is_empty(),
        "extra grants: {outside_the_app:?}"
    );
    assert_eq!(capability()["windows"], serde_json::json!(["main"]));
    assert!(
        capability().get("remote").is_none(),
        "no remote content may call the app"
    );
}
