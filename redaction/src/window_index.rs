//! Every window of [`FRAGMENT_LEN`] bytes of some secrets, found in a text
//! without reading most of it.
//!
//! Any window of the text that equals a secret's window holds, at one of the
//! positions `STRIDE - 1`, `2 * STRIDE - 1`, … (exactly one falls inside every
//! window), a [`GRAM`]-byte piece of that secret. So only the pieces at those
//! sampled positions are looked up, in a bit filter of every piece of the
//! secrets; where one is there, the windows around it are compared with the
//! secrets' (a hash, then the bytes). A text that holds no secret (nearly
//! every text) costs one lookup per [`STRIDE`] bytes; before, every byte paid
//! for a rolling hash and a filter lookup.
//!
//! A secret of about 100 characters has about 85 windows and 97 pieces; a
//! text of random identifiers samples a piece that is in the filter about once
//! in 300 lookups.

use std::ops::Range;

/// How many bytes of a secret make a fragment worth redacting.
pub const FRAGMENT_LEN: usize = 16;

/// Bytes of the pieces the filter holds and the text is sampled for.
const GRAM: usize = 4;
/// Distance between sampled positions: a window of [`FRAGMENT_LEN`] bytes
/// starts a whole piece at `FRAGMENT_LEN - GRAM + 1` positions, so one
/// sample per that many bytes lands in every window.
const STRIDE: usize = FRAGMENT_LEN - GRAM + 1;

/// Multiplier of the windows' polynomial hash (odd, so no bit is lost modulo 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;
/// Bits of each filter; a few hundred entries leave it almost empty.
const FILTER_BITS: usize = 1 << 16;

pub(crate) struct WindowIndex {
    /// The secrets the windows come from.
    sources: Vec<Vec<u8>>,
    /// (hash, source, offset) of every window, sorted by hash.
    windows: Vec<(u64, usize, usize)>,
    /// One bit per window hash bucket: clear means no window hashes there.
    window_filter: BitFilter,
    /// One bit per piece hash bucket: clear means no secret holds a piece there.
    gram_filter: BitFilter,
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
        let mut window_filter = BitFilter::new();
        let mut gram_filter = BitFilter::new();
        for (source, bytes) in sources.iter().enumerate() {
            for (offset, window) in bytes.windows(FRAGMENT_LEN).enumerate() {
                let hash = window_hash(window);
                window_filter.set(window_bucket(hash));
                windows.push((hash, source, offset));
            }
            for gram in bytes.windows(GRAM) {
                gram_filter.set(gram_bucket(gram));
            }
        }
        windows.sort_unstable();
        Some(Self {
            sources,
            windows,
            window_filter,
            gram_filter,
        })
    }

    /// The byte ranges of `text` equal to some window, in order.
    pub(crate) fn find(&self, text: &[u8], found: &mut Vec<Range<usize>>) {
        if text.len() < FRAGMENT_LEN {
            return;
        }
        let last_start = text.len() - FRAGMENT_LEN;
        let mut sample = STRIDE - 1;
        while sample + GRAM <= text.len() {
            if self
                .gram_filter
                .has(gram_bucket(&text[sample..sample + GRAM]))
            {
                // The windows holding this sample as a whole piece.
                for start in sample + 1 - STRIDE..=sample.min(last_start) {
                    if self.is_window(&text[start..start + FRAGMENT_LEN]) {
                        found.push(start..start + FRAGMENT_LEN);
                    }
                }
            }
            sample += STRIDE;
        }
    }

    /// Whether `candidate` is one of the secrets' windows.
    fn is_window(&self, candidate: &[u8]) -> bool {
        let hash = window_hash(candidate);
        if !self.window_filter.has(window_bucket(hash)) {
            return false;
        }
        let first = self.windows.partition_point(|(h, _, _)| *h < hash);
        self.windows[first..]
            .iter()
            .take_while(|(h, _, _)| *h == hash)
            .any(|(_, source, offset)| {
                &self.sources[*source][*offset..*offset + FRAGMENT_LEN] == candidate
            })
    }
}

/// A set of buckets, one bit each.
struct BitFilter(Vec<u64>);

impl BitFilter {
    fn new() -> Self {
        Self(vec![0; FILTER_BITS / 64])
    }

    fn set(&mut self, bucket: usize) {
        self.0[bucket / 64] |= 1 << (bucket % 64);
    }

    fn has(&self, bucket: usize) -> bool {
        self.0[bucket / 64] & (1 << (bucket % 64)) != 0
    }
}

fn window_hash(window: &[u8]) -> u64 {
    window.iter().fold(0u64, |h, b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(*b))
    })
}

/// The filter bucket of a window hash: its top bits after mixing, so windows
/// that differ only in their last byte still land apart.
fn window_bucket(hash: u64) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize % FILTER_BITS
}

/// The filter bucket of a piece: its bytes as a number, mixed, top bits.
fn gram_bucket(gram: &[u8]) -> usize {
    let mut bytes = [0u8; GRAM];
    bytes.copy_from_slice(gram);
    (u64::from(u32::from_le_bytes(bytes)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
        % FILTER_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(index: &WindowIndex, text: &str) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        index.find(text.as_bytes(), &mut found);
        found
    }

    /// Every window of `sources` in `text`, the slow and obvious way.
    fn every_window(sources: &[&str], text: &str) -> Vec<Range<usize>> {
        let text = text.as_bytes();
        (0..=text.len().saturating_sub(FRAGMENT_LEN))
            .filter(|start| start + FRAGMENT_LEN <= text.len())
            .filter(|start| {
                let candidate = &text[*start..*start + FRAGMENT_LEN];
                sources.iter().any(|s| {
                    s.as_bytes()
                        .windows(FRAGMENT_LEN)
                        .any(|window| window == candidate)
                })
            })
            .map(|start| start..start + FRAGMENT_LEN)
            .collect()
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

    /// Fragments at every offset of texts of every length, among noise made
    /// of the secrets' own alphabet, are found exactly where the obvious
    /// search finds them.
    #[test]
    fn sampling_finds_what_a_full_search_finds_at_every_offset_and_length() {
        let secrets = [
            "ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3",
            "Wz3Nq8Yh1Kc6Vb4Tx9Lm2ZZtestCOMPLIANCEsecretJp7Fs5",
        ];
        let index =
            WindowIndex::new(secrets.iter().map(|s| s.as_bytes().to_vec()).collect()).unwrap();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        const NOISE: &[u8] = b"ZZtestsecretADMINQ7x9Lm2Vb8_-\":{},";
        for _ in 0..3000 {
            let mut text: Vec<u8> = (0..next(90)).map(|_| NOISE[next(NOISE.len())]).collect();
            for _ in 0..next(3) {
                let secret = secrets[next(secrets.len())].as_bytes();
                let len = FRAGMENT_LEN - 2 + next(secret.len() - FRAGMENT_LEN + 3);
                let from = next(secret.len() - len.min(secret.len()) + 1);
                let at = next(text.len() + 1);
                let piece = &secret[from..(from + len).min(secret.len())];
                text.splice(at..at, piece.iter().copied());
            }
            let text = String::from_utf8(text).unwrap();
            assert_eq!(find(&index, &text), every_window(&secrets, &text), "{text}");
        }
    }
}
