//! What every benchmark shares: medians, percentiles, the machine's
//! description, and writing the report next to the others in `bench/`.

use std::path::Path;
use std::time::Duration;

pub fn median(v: &[Duration]) -> Duration {
    percentile(v, 50.0)
}

/// Nearest-rank percentile.
pub fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// "AMD EPYC …, 2 cores".
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cpu}, {cores} cores")
}

/// Prints `report` and writes it to `bench/<name>.md`.
pub fn publish(name: &str, report: &str) {
    print!("{report}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../bench/{name}.md"));
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, report).unwrap();
}

/// One line of a [`line_chart`]: its name and (x, y) points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// A plain SVG line chart (axes from 0, five grid lines, a legend), written
/// to `bench/<file>` next to the tables; returns the file's name for a link.
pub fn line_chart(
    file: &str,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> String {
    let (w, h, left, right, top, bottom) = (760.0, 380.0, 70.0, 20.0, 40.0, 50.0);
    let all = series.iter().flat_map(|s| s.points.iter());
    let x_max = all.clone().map(|p| p.0).fold(0.0, f64::max).max(1e-9);
    let y_max = nice_ceiling(all.map(|p| p.1).fold(0.0, f64::max));
    let px = |x: f64| left + x / x_max * (w - left - right);
    let py = |y: f64| h - bottom - y / y_max * (h - top - bottom);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
        w / 2.0,
        escape(title)
    );
    for i in 0..=5 {
        let y = y_max * i as f64 / 5.0;
        let (x2, yy, tx, ty, label) = (w - right, py(y), left - 6.0, py(y) + 4.0, trim_number(y));
        svg += &format!(
            "<line x1=\"{left}\" x2=\"{x2}\" y1=\"{yy}\" y2=\"{yy}\" stroke=\"#ddd\"/>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\n"
        );
    }
    for i in 0..=5 {
        let x = x_max * i as f64 / 5.0;
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            px(x),
            h - bottom + 16.0,
            trim_number(x)
        );
    }
    let (cx, ly, cy) = ((left + w - right) / 2.0, h - 12.0, (top + h - bottom) / 2.0);
    let (xl, yl) = (escape(x_label), escape(y_label));
    svg += &format!(
        "<text x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\">{xl}</text>\n\
         <text x=\"16\" y=\"{cy}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {cy})\">{yl}</text>\n"
    );
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<String> = s
            .points
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        svg += &format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>\n\
             <rect x=\"{}\" y=\"{}\" width=\"12\" height=\"3\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>\n",
            points.join(" "),
            left + 10.0,
            top + 4.0 + i as f64 * 16.0,
            left + 28.0,
            top + 9.0 + i as f64 * 16.0,
            escape(&s.name)
        );
    }
    svg += "</svg>\n";
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../bench/{file}"));
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, svg).unwrap();
    file.to_string()
}

fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let step = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * m >= v {
            return step * m;
        }
    }
    step * 10.0
}

fn trim_number(v: f64) -> String {
    if v >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Least-squares slope of `points` (y per unit of x).
pub fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |a, p| {
        (a.0 + (p.0 - mx) * (p.1 - my), a.1 + (p.0 - mx).powi(2))
    });
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_and_of_noise_around_flat() {
        let line: Vec<(f64, f64)> = (0..10).map(|x| (x as f64, 3.0 * x as f64 + 1.0)).collect();
        assert!((slope(&line) - 3.0).abs() < 1e-9);
        let flat = [(0.0, 5.0), (1.0, 6.0), (2.0, 4.0), (3.0, 5.0)];
        assert!(slope(&flat).abs() < 0.5);
        assert_eq!(nice_ceiling(263.0), 500.0);
        assert_eq!(nice_ceiling(0.8), 1.0);
    }
}
