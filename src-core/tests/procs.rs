//! Process supervision against real processes.

use ai_desktop_core::procs::{self, Exit, Output, ProcessIdentity, ProcessSpec, Stream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn sh(script: &str) -> ProcessSpec {
    ProcessSpec {
        program: PathBuf::from("/bin/sh"),
        args: vec!["-c".into(), script.into()],
        cwd: std::env::temp_dir(),
        env: vec![("PATH".into(), "/usr/bin:/bin".into())],
        output: Output::Pipes,
    }
}

async fn wait_for(what: &str, mut probe: impl FnMut() -> bool) {
    let start = Instant::now();
    while !probe() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn captures_both_streams_and_the_exit_code() {
    let mut p = procs::spawn(
        &sh("echo out; echo err >&2; printf 'no newline'; exit 3"),
        100,
    )
    .unwrap();
    assert_eq!(p.wait().await.unwrap(), Exit::Code(3));
    let logs = p.logs();
    wait_for("three lines", || logs.since(0).len() == 3).await;
    let lines = logs.since(0);
    assert!(lines
        .iter()
        .any(|l| l.stream == Stream::Stdout && l.text == "out"));
    assert!(lines
        .iter()
        .any(|l| l.stream == Stream::Stderr && l.text == "err"));
    assert!(lines.iter().any(|l| l.text == "no newline"));
}

#[tokio::test]
async fn the_environment_is_only_what_the_spec_names() {
    // HOME is set in the test's own environment; it must not leak through.
    assert!(std::env::var_os("HOME").is_some());
    let mut spec = sh("echo \"[$HOME][$GIVEN]\"");
    spec.env.push(("GIVEN".into(), "yes".into()));
    let mut p = procs::spawn(&spec, 10).unwrap();
    p.wait().await.unwrap();
    let logs = p.logs();
    wait_for("output", || !logs.since(0).is_empty()).await;
    assert_eq!(logs.since(0)[0].text, "[][yes]");
}

#[tokio::test]
async fn a_flood_of_output_stays_bounded() {
    let mut p = procs::spawn(
        &sh("i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done"),
        500,
    )
    .unwrap();
    p.wait().await.unwrap();
    let logs = p.logs();
    wait_for("the last line", || {
        logs.since(0).last().map(|l| l.text.as_str()) == Some("line 19999")
    })
    .await;
    let kept = logs.since(0);
    assert_eq!(kept.len(), 500);
    assert_eq!(kept[0].seq, 19500);
    assert!(kept.windows(2).all(|w| w[1].seq == w[0].seq + 1));
}

#[tokio::test]
async fn readers_see_lines_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let script = format!(
        "while [ ! -e {} ]; do sleep 0.02; done; echo first; echo second",
        go.display()
    );
    let mut p = procs::spawn(&sh(&script), 10).unwrap();
    let logs = p.logs();
    // Nothing yet: a read waits, then answers with nothing.
    let empty = logs.read(Some(0), 10, Duration::from_millis(100)).await;
    assert!(empty.lines.is_empty() && empty.skipped == 0);
    // Only now may the process print; a waiting read gets each line as it comes.
    std::fs::write(&go, "").unwrap();
    let mut seen = Vec::new();
    let mut from = Some(empty.next);
    while seen.len() < 2 {
        let read = tokio::time::timeout(
            Duration::from_secs(5),
            logs.read(from, 10, Duration::from_secs(5)),
        )
        .await
        .unwrap();
        assert_eq!(read.skipped, 0);
        from = Some(read.next);
        seen.extend(read.lines.into_iter().map(|l| l.text));
    }
    assert_eq!(seen, ["first", "second"]);
    p.wait().await.unwrap();
}

#[tokio::test]
async fn stop_terminates_gracefully_and_takes_the_group_along() {
    let marker = tempfile::tempdir().unwrap();
    let pidfile = marker.path().join("grandchild.pid");
    let script = format!(
        "trap 'echo bye; exit 0' TERM; sleep 1000 & echo $! > {}; while :; do sleep 0.05; done",
        pidfile.display()
    );
    let mut p = procs::spawn(&sh(&script), 10).unwrap();
    wait_for("the grandchild", || {
        pidfile.exists() && std::fs::read_to_string(&pidfile).unwrap().ends_with('\n')
    })
    .await;
    let grandchild: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let grandchild = ProcessIdentity::of(grandchild).unwrap();
    let leader = p.identity();
    assert!(leader.is_alive() && grandchild.is_alive());

    let exit = p.stop(Duration::from_secs(5)).await.unwrap();
    assert_eq!(exit, Exit::Code(0), "the TERM trap should have run");
    let logs = p.logs();
    wait_for("the goodbye", || {
        logs.since(0).iter().any(|l| l.text == "bye")
    })
    .await;
    wait_for("the grandchild to go", || !grandchild.is_alive()).await;
    assert!(!leader.is_alive());
}

#[tokio::test]
async fn a_process_that_ignores_term_is_killed_after_the_grace_period() {
    let mut p = procs::spawn(
        &sh("trap '' TERM; echo ready; while :; do sleep 0.05; done"),
        10,
    )
    .unwrap();
    let logs = p.logs();
    wait_for("ready", || !logs.since(0).is_empty()).await;
    let started = Instant::now();
    let exit = p.stop(Duration::from_millis(300)).await.unwrap();
    assert_eq!(exit, Exit::Signal(9));
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn identity_tells_a_recorded_process_from_a_pid_reuse() {
    let mut p = procs::spawn(&sh("sleep 1000"), 10).unwrap();
    let recorded = p.identity();
    assert!(recorded.is_alive());
    // Same pid, another start time: what a reused pid looks like.
    let reused = ProcessIdentity {
        start_time: recorded.start_time + 1,
        ..recorded
    };
    assert!(!reused.is_alive());
    assert!(
        !procs::stop_adopted(reused, Duration::from_millis(100)).await,
        "must not touch another process"
    );
    assert!(recorded.is_alive());

    // Adopted (as after an app restart): stopped through its identity alone.
    assert!(procs::stop_adopted(recorded, Duration::from_secs(5)).await);
    p.wait().await.unwrap();
    assert!(!recorded.is_alive());
}

#[tokio::test]
async fn a_missing_program_is_a_clear_error() {
    let spec = ProcessSpec {
        program: "/nonexistent/bin/tool".into(),
        ..sh("")
    };
    let err = procs::spawn(&spec, 10).err().expect("spawn must fail");
    assert!(err.to_string().contains("/nonexistent/bin/tool"), "{err}");
}

#[tokio::test]
async fn file_output_is_tailed_survives_its_reader_and_is_read_again_on_adoption() {
    let dir = tempfile::tempdir().unwrap();
    let output = Output::Files {
        stdout: dir.path().join("out.log"),
        stderr: dir.path().join("err.log"),
    };
    let mut spec = sh("echo first; echo oops >&2; exec sleep 30");
    spec.output = output.clone();
    let p = procs::spawn(&spec, 100).unwrap();
    let identity = p.identity();
    let logs = p.logs();
    wait_for("both lines", || logs.since(0).len() == 2).await;
    // The app "goes away": the handle is dropped, the process is not touched.
    drop(p);
    assert!(identity.is_alive());

    let mut adopted = procs::adopt(identity, &output, 100).expect("still running");
    assert!(adopted.is_adopted());
    let logs = adopted.logs();
    wait_for("history re-read from the files", || {
        logs.since(0).len() == 2
    })
    .await;
    let texts: Vec<_> = logs
        .since(0)
        .into_iter()
        .map(|l| (l.stream, l.text))
        .collect();
    assert!(texts.contains(&(Stream::Stdout, "first".into())));
    assert!(texts.contains(&(Stream::Stderr, "oops".into())));
    assert_eq!(adopted.try_exit(), None);
    assert_eq!(
        adopted.stop(Duration::from_secs(5)).await.unwrap(),
        Exit::Unknown
    );
    wait_for("the adopted process is gone", || !identity.is_alive()).await;
    assert!(procs::adopt(identity, &output, 100).is_none());
}
