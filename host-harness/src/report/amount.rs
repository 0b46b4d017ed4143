//! Exact sums of the API's decimal amounts. Cost amounts come as decimal
//! text in cents ("123.78912"); adding them as floats would drift from the
//! warehouse's own `sum(amount)`, so they are added as integers of a fixed
//! number of decimal places, and shown in dollars only at the end.

/// Decimal places kept: more than the API sends.
const PLACES: u32 = 12;

/// An exact amount of cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(i128);

impl Cents {
    /// Read decimal text ("123.78912", "-0.5", "7"); None when it is not a
    /// plain decimal or has more places than kept.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        if fraction.len() > PLACES as usize {
            return None;
        }
        let whole: i128 = whole.parse().ok()?;
        let fraction: i128 = if fraction.is_empty() {
            0
        } else {
            fraction.parse::<i128>().ok()? * 10i128.pow(PLACES - fraction.len() as u32)
        };
        let value = whole
            .checked_mul(10i128.pow(PLACES))?
            .checked_add(fraction)?;
        Some(Self(if negative { -value } else { value }))
    }

    pub fn add(&mut self, other: Self) {
        self.0 += other.0;
    }

    /// In dollars, for a chart's axis.
    pub fn dollars_f64(self) -> f64 {
        self.0 as f64 / 10f64.powi(PLACES as i32 + 2)
    }

    /// In dollars, rounded half away from zero to the cent: `$1,234.57`.
    pub fn dollars(self) -> String {
        let cents_scale = 10i128.pow(PLACES);
        let magnitude = self.0.abs();
        let whole_cents = (magnitude + cents_scale / 2) / cents_scale;
        let (dollars, cents) = (whole_cents / 100, whole_cents % 100);
        let sign = if self.0 < 0 && whole_cents > 0 {
            "-"
        } else {
            ""
        };
        format!("{sign}${}.{cents:02}", thousands(dollars))
    }
}

/// An integer with thousands separators: `1,234,567`.
pub fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(amounts: &[&str]) -> Cents {
        let mut total = Cents::default();
        for a in amounts {
            total.add(Cents::parse(a).unwrap());
        }
        total
    }

    #[test]
    fn sums_are_exact_and_shown_in_dollars() {
        // 0.1 + 0.2 cents in floats is not 0.3; here it is.
        assert_eq!(sum(&["0.1", "0.2"]), Cents::parse("0.3").unwrap());
        assert_eq!(sum(&["123456.78912", "50"]).dollars(), "$1,235.07");
        assert_eq!(sum(&["-250"]).dollars(), "-$2.50");
        assert_eq!(sum(&["0.4"]).dollars(), "$0.00");
        assert_eq!(thousands(1234567u32), "1,234,567");
        assert_eq!(thousands(12u8), "12");
    }

    #[test]
    fn what_is_not_a_plain_decimal_is_not_read() {
        for bad in ["", "1e5", "1.2.3", "abc", ".5", "1.0000000000001"] {
            assert_eq!(Cents::parse(bad), None, "{bad}");
        }
    }
}
