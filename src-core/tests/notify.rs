//! Desktop notifications over a real D-Bus: a private session bus
//! (`dbus-daemon`), a notification service on it (a zbus object that records
//! what it is sent, standing in for the desktop's daemon), and the app's
//! crash alerts delivered to it.

use ai_desktop_api::vscode::{CodeServerInstance, InstanceState};
use ai_desktop_core::alerts::Alerts;
use ai_desktop_core::events::DomainEvent;
use ai_desktop_core::notify::Notifier;
use ai_desktop_core::testkit::real_tools;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use zbus::zvariant::Value;

struct Recorder {
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
    actions: Arc<Mutex<Vec<Vec<String>>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        _replaces_id: u32,
        _app_icon: &str,
        summary: &str,
        body: &str,
        actions: Vec<&str>,
        _hints: HashMap<&str, Value<'_>>,
        _expire_timeout: i32,
    ) -> u32 {
        self.actions
            .lock()
            .unwrap()
            .push(actions.iter().map(|a| a.to_string()).collect());
        let mut seen = self.seen.lock().unwrap();
        seen.push((app_name.into(), summary.into(), body.into()));
        seen.len() as u32
    }

    /// Like GNOME's and KDE's daemons: bodies are read as markup.
    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "body-markup".into()]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_reaches_the_notification_service_once() {
    if !real_tools("dbus-daemon") {
        return;
    }
    let mut daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (package dbus)");
    let mut address = String::new();
    BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let address = address.trim().to_string();
    assert!(address.starts_with("unix:"), "{address}");

    let seen = Arc::new(Mutex::new(Vec::new()));
    let actions = Arc::new(Mutex::new(Vec::new()));
    let _service = zbus::connection::Builder::address(address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at(
            "/org/freedesktop/Notifications",
            Recorder {
                seen: seen.clone(),
                actions: actions.clone(),
            },
        )
        .unwrap()
        .build()
        .await
        .unwrap();

    // The events a code-server crash produces, as the app sees them.
    let mut alerts = Alerts::default();
    let notifier = Notifier::at(&address);
    let event = |state, error: Option<&str>| {
        DomainEvent::VsCodeUpdated(CodeServerInstance {
            repository_id: 7,
            state,
            port: None,
            pid: None,
            started_at: None,
            adopted: false,
            error: error.map(str::to_string),
        })
    };
    let crash = "code-server exited on its own (signal 9); restarting in 1 s.";
    for e in [
        event(InstanceState::Running, None),
        event(InstanceState::Stopped, Some(crash)),
        event(InstanceState::Stopped, Some(crash)),
        event(InstanceState::Running, None),
    ] {
        for alert in alerts.observe(&e) {
            let id = notifier.send(&alert).await.unwrap();
            assert!(id >= 1);
        }
    }
    let got = seen.lock().unwrap().clone();
    assert_eq!(
        got,
        vec![(
            "AI Desktop".to_string(),
            "VS Code for repository 7 crashed".to_string(),
            crash.to_string()
        )]
    );

    // Process output carrying markup is shown as text: no link, no image
    // fetched from the network by the notification daemon.
    let hostile =
        "Last output:\n<img src=\"http://127.0.0.1:9/x.png\"> <a href='http://x'>fix</a> & more";
    notifier
        .send(&ai_desktop_core::alerts::Alert {
            title: "MCP server crashed".into(),
            body: hostile.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let body = seen.lock().unwrap().last().unwrap().2.clone();
    assert_eq!(
        body,
        "Last output:\n&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt; &lt;a href=&apos;http://x&apos;&gt;fix&lt;/a&gt; &amp; more"
    );
    assert!(!body.contains('<'));

    // A crashed deployment's notification offers "Ask the agent"; pressing
    // it is heard, for that notification only. Closing it is a no.
    let mut deployments = Alerts::default();
    let deployment = |status| {
        DomainEvent::DeploymentUpdated(Box::new(ai_desktop_api::deployments::Deployment {
            id: 4,
            name: "web".into(),
            status,
            ..Default::default()
        }))
    };
    use ai_desktop_api::deployments::DeploymentStatus;
    deployments.observe(&deployment(DeploymentStatus::Online));
    let crashed = deployments.observe(&deployment(DeploymentStatus::Errored));
    assert_eq!(
        crashed[0].action,
        Some(ai_desktop_core::alerts::AlertAction::AskAgent(4))
    );
    for (signal, answer) in [
        ("ActionInvoked", Some("ask-agent")),
        ("NotificationClosed", None),
    ] {
        let before = seen.lock().unwrap().len();
        let alert = crashed[0].clone();
        let waiting = {
            let address = address.clone();
            tokio::spawn(async move {
                Notifier::at(&address)
                    .send_and_wait(&alert, std::time::Duration::from_secs(20))
                    .await
            })
        };
        let id = loop {
            let n = seen.lock().unwrap().len();
            if n > before {
                break n as u32;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_eq!(
            actions.lock().unwrap().last().unwrap(),
            &["ask-agent".to_string(), "Ask the agent".to_string()]
        );
        // Another notification's button first: not ours.
        let other = (id + 100, "ask-agent");
        _service
            .emit_signal(
                None::<&str>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                &other,
            )
            .await
            .unwrap();
        if signal == "ActionInvoked" {
            _service
                .emit_signal(
                    None::<&str>,
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications",
                    signal,
                    &(id, "ask-agent"),
                )
                .await
                .unwrap();
        } else {
            _service
                .emit_signal(
                    None::<&str>,
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications",
                    signal,
                    &(id, 2u32),
                )
                .await
                .unwrap();
        }
        let got = waiting.await.unwrap().unwrap();
        assert_eq!(got.as_deref(), answer, "{signal}");
    }

    // No service on the bus: an error, not a hang or a panic.
    drop(_service);
    let err = notifier
        .send(&ai_desktop_core::alerts::Alert {
            title: "t".into(),
            body: "b".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        err.contains("ServiceUnknown") || err.contains("not provided"),
        "{err}"
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
}
