//! Every window of [`FRAGMENT_LEN`] bytes of some secrets, found in a text in
//! one pass whatever the number of windows (Rabin–Karp): a rolling hash of the
//! text's current window is looked up in a bit filter first, and only a filter
//! hit pays for a search and a byte comparison.
//!
//! A secret of about 100 characters has about 85 windows; searching each one
//! separately would read every text 85 times per secret.

use std::ops::Range;

/// How many bytes of a secret make a fragment worth redacting.
pub const FRAGMENT_LEN: usize = 16;

/// Multiplier of the polynomial hash (odd, so no bit is lost modulo 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;
/// Bits of the filter; a few hundred windows leave it almost empty.
const FILTER_BITS: usize = 1 << 16;

pub(crate) struct WindowIndex {
    /// The secrets the windows come from.
    sources: Vec<Vec<u8>>,
    /// (hash, source, offset) of every window, sorted by hash.
    windows: Vec<(u64, usize, usize)>,
    /// One bit per hash bucket: clear means no window has a hash there.
    filter: Vec<u64>,
    /// BASE^(FRAGMENT_LEN - 1): the weight of the byte leaving the window.
    leaving_weight: u64,
}

impl WindowIndex {
    /// The windows of every source at least [`FRAGMENT_LEN`] bytes long; none
    /// when there is no such source.
    pub(crate) fn new(sources: Vec<Vec<u8>>) -> Option<Self> {
        let sources: Vec<Vec<u8>> = sources
            .into_iter()
            .filter(|s| s.len() >= FRAGMENT_LEN)
            .collect();
        if sources.is_empty() {
            return None;
        }
        let mut windows = Vec::new();
        let mut filter = vec![0u64; FILTER_BITS / 64];
        for (source, bytes) in sources.iter().enumerate() {
            for (offset, window) in bytes.windows(FRAGMENT_LEN).enumerate() {
                let hash = hash(window);
                set_bit(&mut filter, hash);
                windows.push((hash, source, offset));
            }
        }
        windows.sort_unstable();
        let leaving_weight = (1..FRAGMENT_LEN).fold(1u64, |w, _| w.wrapping_mul(BASE));
        Some(Self {
            sources,
            windows,
            filter,
            leaving_weight,
        })
    }

    /// The byte ranges of `text` equal to some window, in order.
    pub(crate) fn find(&self, text: &[u8], found: &mut Vec<Range<usize>>) {
        if text.len() < FRAGMENT_LEN {
            return;
        }
        let mut rolling = hash(&text[..FRAGMENT_LEN]);
        for start in 0..=text.len() - FRAGMENT_LEN {
            if start > 0 {
                let leaving = u64::from(text[start - 1]).wrapping_mul(self.leaving_weight);
                let entering = u64::from(text[start + FRAGMENT_LEN - 1]);
                rolling = rolling
                    .wrapping_sub(leaving)
                    .wrapping_mul(BASE)
                    .wrapping_add(entering);
            }
            if has_bit(&self.filter, rolling) && self.is_window(rolling, start, text) {
                found.push(start..start + FRAGMENT_LEN);
            }
        }
    }

    /// Whether the window of `text` at `start`, whose hash is `hash`, is one
    /// of the secrets' (a hash match alone may be a collision).
    fn is_window(&self, hash: u64, start: usize, text: &[u8]) -> bool {
        let candidate = &text[start..start + FRAGMENT_LEN];
        let first = self.windows.partition_point(|(h, _, _)| *h < hash);
        self.windows[first..]
            .iter()
            .take_while(|(h, _, _)| *h == hash)
            .any(|(_, source, offset)| {
                &self.sources[*source][*offset..*offset + FRAGMENT_LEN] == candidate
            })
    }
}

fn hash(window: &[u8]) -> u64 {
    window.iter().fold(0u64, |h, b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(*b))
    })
}

/// The filter bucket of a hash: its top bits after mixing, so windows that
/// differ only in their last byte still land apart.
fn bucket(hash: u64) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize % FILTER_BITS
}

fn set_bit(filter: &mut [u64], hash: u64) {
    let b = bucket(hash);
    filter[b / 64] |= 1 << (b % 64);
}

fn has_bit(filter: &[u64], hash: u64) -> bool {
    let b = bucket(hash);
    filter[b / 64] & (1 << (b % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(index: &WindowIndex, text: &str) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        index.find(text.as_bytes(), &mut found);
        found
    }

    #[test]
    fn finds_every_window_of_every_source_and_nothing_else() {
        let a = "0123456789abcdefXYZ";
        let b = "ponmlkjihgfedcba";
        let index = WindowIndex::new(vec![a.into(), b.into()]).unwrap();
        assert_eq!(find(&index, "..0123456789abcdef.."), vec![2..18]);
        assert_eq!(find(&index, "123456789abcdefXY"), vec![0..16, 1..17]);
        assert_eq!(find(&index, "ponmlkjihgfedcba"), vec![0..16]);
        assert!(find(&index, "0123456789abcde").is_empty(), "15 bytes");
        assert!(find(&index, "0123456789abcdeX").is_empty());
    }

    #[test]
    fn short_sources_have_no_windows() {
        assert!(WindowIndex::new(vec!["short".into()]).is_none());
    }
}
