//! Deterministic ids for records the API gives no id (report rows, older rate
//! limit entries): a hash of the fields that identify the row, so a re-read
//! replaces rather than duplicates. FNV-1a, 128 bits, hex: stable across
//! builds, platforms and versions (never `std`'s randomised hasher).

use std::fmt::Write;

/// The id of a row identified by `parts` (absent values as empty text).
/// Parts are length-prefixed, so `("ab", "c")` and `("a", "bc")` differ.
pub fn key_hash<S: AsRef<str>>(parts: impl IntoIterator<Item = Option<S>>) -> String {
    let mut hash = Fnv128::new();
    for part in parts {
        let text = part.as_ref().map_or("", AsRef::as_ref);
        hash.feed(&(text.len() as u64).to_le_bytes());
        hash.feed(text.as_bytes());
    }
    let mut id = String::with_capacity(32);
    write!(id, "{:032x}", hash.state).expect("a string takes any text");
    id
}

/// FNV-1a with 128 bits of state.
struct Fnv128 {
    state: u128,
}

impl Fnv128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    /// 2^88 + 0x13b.
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn new() -> Self {
        Self {
            state: Self::OFFSET,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.state ^= u128::from(*byte);
            self.state = times_prime(self.state);
        }
    }
}

/// `state · PRIME` modulo 2^128. Natively, 128-bit integers multiply in a few
/// instructions.
#[cfg(not(target_arch = "wasm32"))]
fn times_prime(state: u128) -> u128 {
    state.wrapping_mul(Fnv128::PRIME)
}

/// `state · PRIME` modulo 2^128. In wasm a 128-bit multiplication is a call
/// to a software routine, per byte hashed; but the prime is 2^88 + 0x13b, so
/// the product is `state · 0x13b` plus a shift, in 64-bit operations.
#[cfg(any(target_arch = "wasm32", test))]
fn times_prime_in_halves(state: u128) -> u128 {
    const PRIME_LOW: u64 = Fnv128::PRIME as u64;
    const _: () = assert!(Fnv128::PRIME >> 64 == 1 << 24, "the prime is 2^88 + 0x13b");
    let (high, low) = ((state >> 64) as u64, state as u64);
    // low · 0x13b spills at most 9 bits into the high half; low · 2^88
    // lands there whole (shifted by 24).
    let spill = ((low >> 32) * PRIME_LOW + (((low & 0xffff_ffff) * PRIME_LOW) >> 32)) >> 32;
    let high = high
        .wrapping_mul(PRIME_LOW)
        .wrapping_add(spill)
        .wrapping_add(low << 24);
    (u128::from(high) << 64) | u128::from(low.wrapping_mul(PRIME_LOW))
}

#[cfg(target_arch = "wasm32")]
use times_prime_in_halves as times_prime;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_in_halves_is_the_128_bit_product() {
        let mut state = Fnv128::OFFSET;
        for step in 0..10_000u32 {
            assert_eq!(
                times_prime_in_halves(state),
                state.wrapping_mul(Fnv128::PRIME),
                "{state:#x}"
            );
            state = state.rotate_left(step % 127) ^ u128::from(step) ^ (state >> 3);
        }
        for state in [0, u128::MAX, u128::from(u64::MAX), u128::MAX << 64] {
            assert_eq!(
                times_prime_in_halves(state),
                state.wrapping_mul(Fnv128::PRIME)
            );
        }
    }

    #[test]
    fn stable_and_sensitive_to_boundaries_and_nulls() {
        let a = key_hash([Some("ab"), Some("c")]);
        assert_ne!(a, key_hash([Some("a"), Some("bc")]));
        assert_eq!(key_hash([None, Some("x")]), key_hash([Some(""), Some("x")]));
        assert_eq!(a.len(), 32);
    }

    /// Literal values, computed once (and checked against an independent
    /// implementation): a change here would re-key every report table.
    #[test]
    fn pinned_values() {
        assert_eq!(
            key_hash([Some("2025-08-01T00:00:00Z"), Some("1d")]),
            "72171db5b401d0704b9cb9cab8fe311a"
        );
        assert_eq!(
            key_hash([Some("ab"), Some("c")]),
            "b6ce7db35a06e7457857fa227a8bde4e"
        );
        assert_eq!(
            key_hash([Some("a"), Some("bc")]),
            "efdf187f3b77026ced2f13d8b5bb1a22"
        );
        assert_eq!(
            key_hash([None, Some("x")]),
            "6ec592540006d6b7a80697b781b2869c"
        );
        // No parts at all: FNV-1a's 128-bit offset basis, untouched.
        assert_eq!(
            key_hash(std::iter::empty::<Option<&str>>()),
            "6c62272e07bb014262b821756295c58d"
        );
    }
}
