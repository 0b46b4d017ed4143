//! One JSON value as text in canonical form, and the check that finds it:
//! whether the text is exactly what `serde_json` would write for the value it
//! parses from it.

use super::Object;
use serde_json::Value;
use std::borrow::Cow;

/// The deepest nesting the check follows; a deeper value is parsed and
/// written again instead (rare, and never cheaper to check).
const MAX_CHECKED_DEPTH: usize = 64;

/// The deepest nesting a value on its own is rewritten with. `serde_json`
/// stops at 128 levels in a whole document, where a record already sits two
/// levels down (`{"data": [record]}`): a deeper record's validity depends on
/// where it sits, which only its document can tell.
pub const MAX_REWRITTEN_DEPTH: usize = 100;

/// One JSON value in the form `serde_json` writes it: compact, every object
/// key once, strings escaped and integers printed as `serde_json` does.
/// Borrowed from the text it was read from when that already was, and then
/// (an object) with its fields, found by the same pass that checked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical<'a> {
    text: Cow<'a, str>,
    fields: Option<Object<'a>>,
}

/// Why a value was not put in canonical form.
#[derive(Debug, thiserror::Error)]
pub enum CanonicalError {
    /// `serde_json` refuses the text (a lone surrogate, a number out of range).
    #[error(transparent)]
    Invalid(#[from] serde_json::Error),
    /// Nested deeper than a value on its own is rewritten with.
    #[error("nested deeper than {MAX_REWRITTEN_DEPTH} levels")]
    TooDeep,
}

impl<'a> Canonical<'a> {
    /// `raw`, the text of one JSON value that `serde_json` has read (so it is
    /// well formed), in canonical form: as it is when it already is (the
    /// common case, checked in one pass), else parsed and written again.
    pub fn of(raw: &'a str) -> Result<Self, CanonicalError> {
        let object = raw.starts_with('{');
        let mut fields = Vec::with_capacity(if object { 16 } else { 0 });
        if check(raw, Some(&mut fields)) {
            return Ok(Self {
                text: Cow::Borrowed(raw),
                fields: object.then(|| Object::from_fields(fields)),
            });
        }
        if nesting_depth(raw) > MAX_REWRITTEN_DEPTH {
            return Err(CanonicalError::TooDeep);
        }
        Ok(Self::rewritten(raw)?)
    }

    /// `raw` parsed and written again, whatever its depth.
    pub fn rewritten(raw: &str) -> Result<Self, serde_json::Error> {
        let value: Value = serde_json::from_str(raw)?;
        Ok(Self::from_value(&value))
    }

    /// `value` as `serde_json` writes it.
    pub fn from_value(value: &Value) -> Self {
        Self::trusted(Cow::Owned(value.to_string()))
    }

    /// Text already known to be canonical (what the plugin itself wrote).
    pub(super) fn trusted(text: Cow<'a, str>) -> Self {
        Self { text, fields: None }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn into_string(self) -> String {
        self.text.into_owned()
    }

    /// Its fields, when it is an object: those the check found, else split now.
    pub fn object(&mut self) -> Option<Object<'_>> {
        self.fields.take().or_else(|| Object::of(&self.text))
    }
}

/// How deeply `json` nests arrays and objects (brackets outside strings).
pub fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in json.bytes() {
        match (in_string, byte) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'{' | b'[') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, b'}' | b']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Whether `json` (well-formed JSON, as `serde_json` has read it) is exactly
/// what `serde_json` writes for the value it parses from it; and when it is
/// an object, its fields (key as written, value) pushed onto `fields` on the
/// way. Conservative: a float, an integer of more than 18 digits, `-0` or
/// nesting past [`MAX_CHECKED_DEPTH`] count as not canonical, though some are.
fn check<'a>(json: &'a str, fields: Option<&mut Vec<(&'a str, &'a str)>>) -> bool {
    let mut check = Check {
        text: json,
        bytes: json.as_bytes(),
        at: 0,
        keys: Vec::new(),
        fields,
    };
    check.value(0).is_some() && check.at == json.len()
}

/// The check's walk over the text; `None` as soon as something is not canonical.
struct Check<'a, 'f> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The keys of the objects open around the current position, outermost
    /// first, to find one written twice (a parse keeps the last value, so
    /// writing it again drops the first).
    keys: Vec<&'a [u8]>,
    /// Where the top-level object's fields go, if anywhere.
    fields: Option<&'f mut Vec<(&'a str, &'a str)>>,
}

impl<'a> Check<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.integer(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_CHECKED_DEPTH {
            return None;
        }
        self.at += 1;
        if self.eat(b'}') {
            return Some(());
        }
        let open = self.keys.len();
        loop {
            let key_start = self.at + 1;
            let key = self.string()?;
            if self.keys[open..].iter().any(|k| same_key(k, key)) {
                return None;
            }
            self.keys.push(key);
            self.expect(b':')?;
            let value_start = self.at;
            self.value(depth)?;
            if depth == 1
                && let Some(fields) = self.fields.as_deref_mut()
            {
                let key = &self.text[key_start..key_start + key.len()];
                fields.push((key, &self.text[value_start..self.at]));
            }
            if !self.eat(b',') {
                break;
            }
        }
        self.keys.truncate(open);
        self.expect(b'}')
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_CHECKED_DEPTH {
            return None;
        }
        self.at += 1;
        if self.eat(b']') {
            return Some(());
        }
        loop {
            self.value(depth)?;
            if !self.eat(b',') {
                break;
            }
        }
        self.expect(b']')
    }

    /// A string whose escapes are the ones `serde_json` writes: `\"`, `\\`,
    /// `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` (lowercase) for the other
    /// control characters. Anything else it writes as the character itself.
    /// Its content (between the quotes) as written.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.at += 1;
        let start = self.at;
        loop {
            self.at = super::scan::special_byte(self.bytes, self.at)?;
            match self.bytes[self.at] {
                b'"' => {
                    let content = &self.bytes[start..self.at];
                    self.at += 1;
                    return Some(content);
                }
                b'\\' => self.escape()?,
                _ => return None,
            }
        }
    }

    fn escape(&mut self) -> Option<()> {
        let escape = self.bytes.get(self.at + 1..)?;
        match escape {
            [b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't', ..] => self.at += 2,
            [b'u', b'0', b'0', high @ (b'0' | b'1'), low, ..] => {
                let low = match low {
                    b'0'..=b'9' => low - b'0',
                    b'a'..=b'f' => low - b'a' + 10,
                    _ => return None,
                };
                let code = (high - b'0') * 16 + low;
                // These five have a short escape, which serde_json writes instead.
                if matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                    return None;
                }
                self.at += 6;
            }
            _ => return None,
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.at..].starts_with(word).then(|| {
            self.at += word.len();
        })
    }

    /// An integer as `serde_json` prints it: no fraction or exponent (a float
    /// is written back in its shortest form, which may differ), no `-0` (read
    /// as a float), at most 18 digits (so it fits any integer type).
    fn integer(&mut self) -> Option<()> {
        let negative = self.eat(b'-');
        let start = self.at;
        let digits = self.bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.at += digits;
        let first = self.bytes.get(start).copied();
        let valid = match digits {
            0 => false,
            1 => !(negative && first == Some(b'0')),
            2..=18 => first != Some(b'0'),
            _ => false,
        };
        (valid && !matches!(self.peek(), Some(b'.' | b'e' | b'E'))).then_some(())
    }
}

/// Whether two keys (as written, canonical) are the same; the ends first,
/// which tell most keys apart without a full comparison.
fn same_key(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.last() == b.last() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_canonical(json: &str) -> bool {
        check(json, None)
    }

    fn round_trip(json: &str) -> String {
        serde_json::from_str::<Value>(json).unwrap().to_string()
    }

    #[test]
    fn what_serde_json_writes_is_canonical() {
        for json in [
            r#"{"id":"a","n":1,"neg":-12,"t":true,"f":false,"z":null,"e":{},"l":[]}"#,
            r#"["J\u00f6rg is \u001f not \"quoted\" \\ \n\t\r\b\f",0,-1,123456789012345678]"#,
            "{\"a\":{\"a\":{\"a\":[{\"b\":\"é\"}]}},\"b\":\"\u{7f}/\"}",
            r#""plain""#,
            "0",
        ] {
            assert_eq!(round_trip(json), json.replace("\\u00f6", "ö"));
            if !json.contains("\\u00f6") {
                assert!(is_canonical(json), "{json}");
            }
        }
    }

    #[test]
    fn what_a_parse_would_change_is_not_canonical() {
        for json in [
            r#"{"a": 1}"#,
            r#" {"a":1}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"o":{"k":1,"k":1}}"#,
            r#""J\u00f6rg""#,
            r#""a\/b""#,
            r#""\u001F""#,
            r#""\u0008""#,
            r#""\ud83d\ude00""#,
            "1.0",
            "1e3",
            "-0",
            "1234567890123456789",
            "[1 ]",
        ] {
            assert!(!is_canonical(json), "{json}");
            let rewritten = Canonical::of(json).unwrap();
            assert_eq!(rewritten.as_str(), round_trip(json), "{json}");
            assert!(matches!(rewritten.text, Cow::Owned(_)));
        }
    }

    #[test]
    fn a_canonical_value_is_borrowed_and_a_deep_one_is_left_to_its_document() {
        let json = r#"{"id":"user_1","name":"Ada"}"#;
        let mut canonical = Canonical::of(json).unwrap();
        assert!(matches!(canonical.text, Cow::Borrowed(j) if j == json));
        let fields: Vec<_> = canonical.object().unwrap().iter().collect();
        assert_eq!(fields, [("id", r#""user_1""#), ("name", r#""Ada""#)]);
        let deep = format!("{}1{}", "[".repeat(101), "]".repeat(101));
        assert!(matches!(Canonical::of(&deep), Err(CanonicalError::TooDeep)));
        assert_eq!(nesting_depth(&deep), 101);
        assert_eq!(nesting_depth(r#"{"a":"[[[\"{"}"#), 1);
        let fine = format!("{}1{}", "[".repeat(80), "]".repeat(80));
        assert_eq!(Canonical::of(&fine).unwrap().as_str(), fine);
        assert!(matches!(
            Canonical::of(r#"["\ud800"]"#),
            Err(CanonicalError::Invalid(_))
        ));
    }

    /// JSON values without floats: what serde_json writes for them.
    fn values() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x20\"\\\\/a-z\u{7f}-\u{a0}]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-c\"\\\\]{0,3}", inner), 0..6)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    proptest! {

        #![proptest_config(crate::properties::config())]

        /// Whatever a value (floats aside) is, what serde_json writes for it
        /// is found canonical, unless an integer has more than 18 digits.
        #[test]
        fn serde_json_output_is_recognised(value in values()) {
            let json = value.to_string();
            let long_integer = json
                .split(|c: char| !c.is_ascii_digit())
                .any(|digits| digits.len() > 18);
            if !long_integer {
                prop_assert!(is_canonical(&json), "{}", json);
            }
        }

        /// Whatever text the check calls canonical is what a parse and a
        /// write give back, byte for byte; any other is rewritten to that.
        #[test]
        fn canonical_means_a_round_trip_changes_nothing(
            json in prop_oneof![
                values().prop_map(|v| v.to_string()),
                "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,24}",
                r#"\{("[a-b]{0,2}":(-?[0-9]{1,3}|"[a-z\\\\/u0-9]{0,8}"|\[\]|null)(,)?){0,4}\}"#,
            ]
        ) {
            if let Ok(value) = serde_json::from_str::<Value>(&json) {
                let written = value.to_string();
                if is_canonical(&json) {
                    prop_assert_eq!(&written, &json);
                }
                let canonical = Canonical::of(&json).unwrap();
                prop_assert_eq!(canonical.as_str(), written.as_str());
            }
        }
    }
}
