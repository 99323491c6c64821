//! The system monitor against this machine: figures checked against /proc
//! and against load the test makes itself (a busy process, loopback traffic).

use ai_desktop_core::system::SystemMonitor;
use std::io::{Read, Write};
use std::time::Duration;

fn meminfo_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn figures_match_proc_and_follow_load_the_test_makes() {
    // A busy loop, seen by two samples (a process's CPU share needs two looks).
    let mut busy = std::process::Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .spawn()
        .unwrap();
    let monitor = SystemMonitor::new();
    let first = monitor.sample().unwrap();
    assert_eq!(
        first.cpus.len(),
        std::thread::available_parallelism().unwrap().get()
    );
    assert_eq!(first.memory_total, meminfo_kib("MemTotal") * 1024);
    assert!(first.memory_used > 0 && first.memory_used < first.memory_total);
    assert_eq!(first.swap_total, meminfo_kib("SwapTotal") * 1024);
    assert!(first.uptime_secs > 0);
    assert!(
        first
            .disks
            .iter()
            .any(|d| d.mount_point == "/" && d.total > d.available),
        "{:?}",
        first.disks
    );
    assert!(first
        .disks
        .iter()
        .all(|d| d.file_system != "tmpfs" && d.file_system != "proc"));
    let lo_before = first
        .networks
        .iter()
        .find(|n| n.interface == "lo")
        .expect("loopback listed")
        .rx_total;

    // 32 MiB over loopback between the two samples.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut sink = Vec::new();
        s.read_to_end(&mut sink).unwrap();
        sink.len()
    });
    let mut out = std::net::TcpStream::connect(addr).unwrap();
    let chunk = vec![7u8; 1 << 20];
    for _ in 0..32 {
        out.write_all(&chunk).unwrap();
    }
    drop(out);
    assert_eq!(reader.join().unwrap(), 32 << 20);
    std::thread::sleep(Duration::from_millis(1000));
    let second = monitor.sample().unwrap();
    let _ = busy.kill();
    let _ = busy.wait();

    let lo = second
        .networks
        .iter()
        .find(|n| n.interface == "lo")
        .unwrap();
    assert!(
        lo.rx_total - lo_before >= 32 << 20,
        "loopback grew by {} bytes",
        lo.rx_total - lo_before
    );
    assert!(lo.rx_per_sec > 16.0 * 1024.0 * 1024.0, "{lo:?}");
    let me = second
        .top
        .iter()
        .find(|p| p.pid == busy.id())
        .unwrap_or_else(|| panic!("the busy loop is not among the top: {:?}", second.top));
    assert!(me.cpu > 50.0, "{me:?}");
    assert!(second.cpu_total > 0.0);
    assert!(second.top.len() <= ai_desktop_core::system::TOP);
}
