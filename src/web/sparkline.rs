//! Sentiment sparklines: a tiny server-rendered SVG line per case, from the client's mood in
//! each conversation and check-in (−2..+2), with the numbers in its `<title>` for people who
//! cannot see it. Hand-written: it is a polyline.

/// A sparkline ready for the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Sparkline {
    /// `x,y` pairs for `<polyline points>` in a 60 × 16 view box.
    pub points: String,
    /// The values, e.g. "−2, −1, +1", for the accessible title.
    pub values: String,
    /// The latest value, for colouring (below zero, zero, above).
    pub trend: &'static str,
}

const WIDTH: f64 = 60.0;
const HEIGHT: f64 = 16.0;

/// A sparkline of `values` (oldest first); none for an empty series.
pub fn sparkline(values: &[i16]) -> Option<Sparkline> {
    let last = *values.last()?;
    let step = if values.len() > 1 {
        WIDTH / (values.len() - 1) as f64
    } else {
        0.0
    };
    // −2 at the bottom, +2 at the top, one pixel of margin.
    let y = |v: i16| 1.0 + (2.0 - f64::from(v.clamp(-2, 2))) * (HEIGHT - 2.0) / 4.0;
    let mut points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, y(*v)))
        .collect();
    if values.len() == 1 {
        // A single mood is a short flat line.
        points.push(format!("{WIDTH:.1},{:.1}", y(last)));
    }
    Some(Sparkline {
        points: points.join(" "),
        values: values
            .iter()
            .map(|v| {
                if *v > 0 {
                    format!("+{v}")
                } else {
                    v.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        trend: match last {
            i16::MIN..=-1 => "down",
            0 => "flat",
            _ => "up",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_moods_no_sparkline() {
        assert_eq!(sparkline(&[]), None);
    }

    #[test]
    fn moods_map_from_the_bottom_to_the_top_across_the_width() {
        let s = sparkline(&[-2, 0, 2]).expect("sparkline");
        assert_eq!(s.points, "0.0,15.0 30.0,8.0 60.0,1.0");
        assert_eq!(s.values, "-2, 0, +2");
        assert_eq!(s.trend, "up");
    }

    #[test]
    fn a_single_mood_is_a_flat_line() {
        let s = sparkline(&[-1]).expect("sparkline");
        assert_eq!(s.points, "0.0,11.5 60.0,11.5");
        assert_eq!(s.trend, "down");
    }
}
