//! Finding where a JSON string's plain text stops: the next quote, backslash
//! or control character. Most of a record's bytes are string content, so this
//! is the loop every check and split of a record spends its time in; it tests
//! eight bytes at a time (a `u64`, native in wasm too).

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
const SPACES: u64 = u64::from_ne_bytes([0x20; 8]);

/// The position, from `from`, of the first byte of `bytes` that ends a run
/// of plain string content: `"`, `\` or a byte below 0x20.
pub fn special_byte(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
        if may_hold_special(word) {
            break;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|b| is_special(*b))
        .map(|offset| at + offset)
}

fn is_special(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

/// Whether some byte of `word` may be special: never false when one is (a
/// true answer is then checked byte by byte).
fn may_hold_special(word: u64) -> bool {
    // Per byte, the high bit is set where the byte is zero (or, after a zero,
    // possibly spuriously), for `x ^ c` that is where `x == c`.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    // Where a byte below 0x80 is below 0x20.
    let below_space = word.wrapping_sub(SPACES) & !word & HIGHS;
    (zero(word ^ QUOTES) | zero(word ^ BACKSLASHES) | below_space) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_special_byte_at_every_position() {
        for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for len in 0..40 {
                for at in 0..len {
                    let mut bytes: Vec<u8> =
                        (0..len).map(|i| b"aZ9 ~\x7f\xc3\xa9!"[i % 9]).collect();
                    bytes[at] = special;
                    assert_eq!(special_byte(&bytes, 0), Some(at), "{bytes:?}");
                    if at > 0 {
                        assert_eq!(special_byte(&bytes, at - 1), Some(at));
                    }
                    assert_eq!(special_byte(&bytes, at + 1), None);
                }
            }
        }
        assert_eq!(special_byte(b"plain text, no end", 0), None);
        assert_eq!(special_byte(b"", 0), None);
    }

    #[test]
    fn every_byte_value_is_classified_as_a_byte_test_would() {
        for byte in 0..=255u8 {
            let mut bytes = [b'a'; 17];
            bytes[9] = byte;
            let expected = is_special(byte).then_some(9);
            assert_eq!(special_byte(&bytes, 0), expected, "{byte:#x}");
        }
    }
}
