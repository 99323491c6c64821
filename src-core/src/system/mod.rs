//! What the machine is doing, through sysinfo: CPU (total, per core, load),
//! memory and swap, disks, network rates per interface, the busiest
//! processes. Sampled only while someone looks (the shell runs the loop
//! while the System page is open).

use crate::error::{Error, Result};
use crate::util::lock;
use ai_desktop_api::system::{DiskUsage, NetworkRate, ProcessUsage, SystemSnapshot};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use sysinfo::{Disks, Networks, ProcessRefreshKind, ProcessesToUpdate, System};

/// How many processes `top` lists.
pub const TOP: usize = 12;

/// File systems that are not storage a person fills.
const PSEUDO_FS: &[&str] = &[
    "tmpfs",
    "devtmpfs",
    "overlay",
    "squashfs",
    "proc",
    "sysfs",
    "cgroup",
    "cgroup2",
    "devpts",
    "mqueue",
    "nsfs",
    "fuse.snapfuse",
    "ramfs",
    "autofs",
    "efivarfs",
];

struct Inner {
    sys: System,
    networks: Networks,
    disks: Disks,
    last: Option<Instant>,
}

/// Opened on first use (sysinfo reads /proc when it is created).
#[derive(Default)]
pub struct SystemMonitor {
    inner: Mutex<Option<Inner>>,
}

fn failed(e: sysinfo::Error) -> Error {
    Error::failed("The system's figures cannot be read.", format!("{e:?}"))
}

impl SystemMonitor {
    pub fn new() -> SystemMonitor {
        SystemMonitor::default()
    }

    fn open() -> Result<Inner> {
        Ok(Inner {
            sys: System::new().map_err(failed)?,
            networks: Networks::new_with_refreshed_list().map_err(failed)?,
            disks: Disks::new_with_refreshed_list().map_err(failed)?,
            last: None,
        })
    }

    fn refresh(inner: &mut Inner) {
        inner.sys.refresh_cpu_usage();
        inner.sys.refresh_memory();
        inner.sys.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::nothing().with_cpu().with_memory(),
        );
        inner.networks.refresh(true);
    }

    /// One sample. CPU figures are over the time since the previous sample;
    /// the very first call waits sysinfo's minimum interval (~200 ms) to
    /// have one. Blocking: call it off the async runtime.
    pub fn sample(&self) -> Result<SystemSnapshot> {
        let mut guard = lock(&self.inner);
        if guard.is_none() {
            *guard = Some(Self::open()?);
        }
        let Some(inner) = guard.as_mut() else {
            return Err(Error::failed(
                "The system's figures cannot be read.",
                "no sampler",
            ));
        };
        if inner.last.is_none() {
            Self::refresh(inner);
            inner.last = Some(Instant::now());
            std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        }
        Self::refresh(inner);
        inner.disks.refresh(true);
        let now = Instant::now();
        let elapsed = inner
            .last
            .map(|l| now.duration_since(l).as_secs_f64())
            .unwrap_or(1.0)
            .max(0.001);
        inner.last = Some(now);

        let mut networks: Vec<NetworkRate> = inner
            .networks
            .iter()
            .map(|(name, data)| NetworkRate {
                interface: name.to_string_lossy().into_owned(),
                rx_per_sec: data.received() as f64 / elapsed,
                tx_per_sec: data.transmitted() as f64 / elapsed,
                rx_total: data.total_received(),
                tx_total: data.total_transmitted(),
            })
            .collect();
        networks.sort_by(|a, b| a.interface.cmp(&b.interface));

        // One row per device: bind mounts of a disk (e.g. /var/lib/docker)
        // show up as more mounts of the same device; the shortest path stays.
        let mut found: Vec<&sysinfo::Disk> = inner
            .disks
            .iter()
            .filter(|d| d.total_space() > 0)
            .filter(|d| !PSEUDO_FS.contains(&&*d.file_system().to_string_lossy()))
            .collect();
        found.sort_by_key(|d| d.mount_point().as_os_str().len());
        let mut seen = HashSet::new();
        let mut disks: Vec<DiskUsage> = found
            .into_iter()
            .filter(|d| seen.insert(d.name().to_os_string()))
            .map(|d| DiskUsage {
                mount_point: d.mount_point().display().to_string(),
                file_system: d.file_system().to_string_lossy().into_owned(),
                total: d.total_space(),
                available: d.available_space(),
            })
            .collect();
        disks.sort_by(|a, b| a.mount_point.cmp(&b.mount_point));

        let mut top: Vec<ProcessUsage> = inner
            .sys
            .processes()
            .values()
            // Threads show up as processes on Linux; count each process once.
            .filter(|p| p.thread_kind().is_none())
            .map(|p| ProcessUsage {
                pid: p.pid().as_u32(),
                name: p.name().to_string_lossy().into_owned(),
                cpu: p.cpu_usage(),
                memory: p.memory(),
            })
            .collect();
        top.sort_by(|a, b| {
            b.cpu
                .total_cmp(&a.cpu)
                .then(b.memory.cmp(&a.memory))
                .then(a.pid.cmp(&b.pid))
        });
        top.truncate(TOP);

        let load = System::load_average().ok();
        Ok(SystemSnapshot {
            taken_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            hostname: System::host_name().ok(),
            uptime_secs: System::uptime().unwrap_or(0),
            cpu_total: inner.sys.global_cpu_usage(),
            cpus: inner.sys.cpus().iter().map(|c| c.usage()).collect(),
            load: load.map(|l| [l.one, l.five, l.fifteen]).unwrap_or_default(),
            memory_total: inner.sys.total_memory(),
            memory_used: inner.sys.used_memory(),
            memory_available: inner.sys.available_memory(),
            swap_total: inner.sys.total_swap(),
            swap_used: inner.sys.used_swap(),
            disks,
            networks,
            top,
        })
    }
}
