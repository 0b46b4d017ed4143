//! Charts as inline SVG, drawn with `plotters`' SVG backend: lines per day
//! for series over time, bars for rankings. Text is left to the browser's
//! fonts (SVG `<text>`), so nothing is embedded or fetched.

use chrono::NaiveDate;
use plotters::prelude::*;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 340;

/// Why a chart could not be drawn (plotters' own error, as text).
pub type ChartError = String;

fn failed(e: impl std::fmt::Display) -> ChartError {
    e.to_string()
}

/// One line per series over `days`, with a legend; `unit` formats the axis.
pub fn lines(
    days: &[NaiveDate],
    series: &[(String, Vec<f64>)],
    unit: &dyn Fn(f64) -> String,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let top = series
            .iter()
            .flat_map(|(_, values)| values.iter().copied())
            .fold(0.0_f64, f64::max);
        let top = if top > 0.0 { top * 1.1 } else { 1.0 };
        let last = days.len().saturating_sub(1).max(1) as u32;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(36)
            .x_label_area_size(32)
            .y_label_area_size(80)
            .build_cartesian_2d(0u32..last, 0f64..top)
            .map_err(failed)?;
        let day_label = |i: &u32| {
            days.get(*i as usize)
                .map_or_else(String::new, |d| d.format("%b %d").to_string())
        };
        chart
            .configure_mesh()
            .x_labels(8)
            .x_label_formatter(&day_label)
            .y_labels(6)
            .y_label_formatter(&|v| unit(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(failed)?;
        for (index, (name, values)) in series.iter().enumerate() {
            let colour = Palette99::pick(index).to_rgba();
            let points = values.iter().enumerate().map(|(i, v)| (i as u32, *v));
            // A line needs two days; on fewer, a dot shows the value.
            let dot = if days.len() < 3 { 4 } else { 0 };
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)).point_size(dot))
                .map_err(failed)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// One horizontal bar per item, largest first as given; `unit` formats
/// the axis.
pub fn bars(items: &[(String, f64)], unit: &dyn Fn(f64) -> String) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let height = 60 + 26 * items.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let top = items.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
        let top = if top > 0.0 { top * 1.1 } else { 1.0 };
        let count = items.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(36)
            .x_label_area_size(30)
            .y_label_area_size(260)
            .build_cartesian_2d(0f64..top, (0i32..count).into_segmented())
            .map_err(failed)?;
        // Item i is drawn in band count - i - 1: the first on top, its
        // name at the band's centre.
        let name_of = |band: &SegmentValue<i32>| match band {
            SegmentValue::CenterOf(band) => usize::try_from(count - band - 1)
                .ok()
                .and_then(|i| items.get(i))
                .map_or_else(String::new, |(name, _)| shorten(name)),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(items.len().max(1))
            .y_label_formatter(&name_of)
            .x_labels(6)
            .x_label_formatter(&|v| unit(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(failed)?;
        let colour = Palette99::pick(0).to_rgba();
        chart
            .draw_series(items.iter().enumerate().map(|(i, (_, value))| {
                let band = count - i as i32 - 1;
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(band)),
                        (*value, SegmentValue::Exact(band + 1)),
                    ],
                    colour.filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }))
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// A long label cut to what fits beside a bar.
fn shorten(name: &str) -> String {
    const MOST: usize = 36;
    if name.chars().count() <= MOST {
        name.to_owned()
    } else {
        let cut: String = name.chars().take(MOST - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, n).unwrap()
    }

    #[test]
    fn a_line_chart_is_an_svg_with_a_path_per_series_and_its_legend() {
        let svg = lines(
            &[day(1), day(2), day(3)],
            &[
                ("wrk_a".into(), vec![1.0, 2.0, 3.0]),
                ("wrk_<b>".into(), vec![0.0, 1.0, 0.5]),
            ],
            &|v| format!("${v:.0}"),
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.matches("<polyline").count() + svg.matches("<path").count() >= 2);
        assert!(svg.contains("wrk_a"));
        assert!(
            svg.contains("wrk_&lt;b&gt;"),
            "names are escaped in the SVG"
        );
        assert!(svg.contains("Nov 01"));
    }

    #[test]
    fn a_single_day_is_drawn_as_dots() {
        let svg = lines(&[day(1)], &[("a".into(), vec![3.0])], &|v| format!("{v}")).unwrap();
        assert!(svg.contains("<circle"), "{svg}");
    }

    #[test]
    fn a_bar_chart_has_one_bar_per_item() {
        let svg = bars(&[("first".into(), 10.0), ("second".into(), 4.0)], &|v| {
            format!("{v:.0}")
        })
        .unwrap();
        assert!(
            svg.matches("<rect").count() >= 3,
            "background and two bars: {svg}"
        );
        assert!(svg.contains("first") && svg.contains("second"));
    }
}
