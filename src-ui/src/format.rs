//! How the pages write sizes and times, in one place.

/// A size in bytes, in the largest unit that keeps it ≥ 1: "512 B",
/// "1.5 KB", "2.0 GB" (1 KB = 1,024 B, as the system monitor counts).
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A process's memory in MB ("—" when it has none: not running).
pub fn megabytes(n: u64) -> String {
    if n == 0 {
        "—".into()
    } else {
        format!("{:.1} MB", n as f64 / 1_048_576.0)
    }
}

/// An uptime: "3m 12s", "4h 5m", "2d 3h".
pub fn duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m {}s", secs % 60)
    }
}

/// A time of day with milliseconds (`14:03:27.512`), local.
pub fn clock(at_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}

/// A date (`2026-11-30`), local.
pub fn day(at_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_the_largest_unit() {
        assert_eq!(bytes(0.0), "0 B");
        assert_eq!(bytes(1023.0), "1023 B");
        assert_eq!(bytes(1536.0), "1.5 KB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GB");
        assert_eq!(megabytes(0), "—");
        assert_eq!(megabytes(52_428_800), "50.0 MB");
    }

    #[test]
    fn durations_show_two_units() {
        assert_eq!(duration(59), "0m 59s");
        assert_eq!(duration(3_725), "1h 2m");
        assert_eq!(duration(2 * 86_400 + 3 * 3600), "2d 3h");
    }
}
