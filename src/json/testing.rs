//! Test support: JSON texts shaped like API items, in every form a server may
//! write them (escaped letters, floats, spaces, a key given twice), and the
//! check that a record is what the tree-of-values code wrote for the same item.

use proptest::prelude::*;
use serde_json::Value;

/// A JSON value before it is written out.
#[derive(Debug, Clone)]
enum Tree {
    Null,
    Bool(bool),
    Integer(i64),
    /// Written as it is (`1.50`, `1e3`, `-0`).
    Number(&'static str),
    /// Written with every non-ASCII letter, and every `e`, as a `\u` escape when `escaped`.
    Text(String, bool),
    List(Vec<Tree>),
    Object(Vec<(&'static str, Tree)>),
}

fn tree(keys: &'static [&'static str]) -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        Just(Tree::Null),
        any::<bool>().prop_map(Tree::Bool),
        any::<i64>().prop_map(Tree::Integer),
        prop::sample::select(vec!["1.50", "1e3", "-0", "12345678901234567890", "0.1"])
            .prop_map(Tree::Number),
        ("[a-zé\"/ 0-9\\\\-]{0,8}", any::<bool>()).prop_map(|(t, e)| Tree::Text(t, e)),
        prop::sample::select(keys).prop_map(|k| Tree::Text(k.to_owned(), false)),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Tree::List),
            prop::collection::vec((prop::sample::select(keys), inner), 0..7).prop_map(Tree::Object),
        ]
    })
}

/// Objects (mostly) with keys from `keys`, written out as a server might.
pub fn item(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let object = prop::collection::vec((prop::sample::select(keys), tree(keys)), 0..9)
        .prop_map(Tree::Object);
    (prop_oneof![8 => object, 1 => tree(keys)], any::<bool>())
        .prop_map(|(tree, spaced)| write(&tree, spaced))
}

fn write(tree: &Tree, spaced: bool) -> String {
    let gap = if spaced { " " } else { "" };
    match tree {
        Tree::Null => "null".into(),
        Tree::Bool(b) => b.to_string(),
        Tree::Integer(n) => n.to_string(),
        Tree::Number(text) => (*text).to_owned(),
        Tree::Text(text, escaped) => string(text, *escaped),
        Tree::List(items) => {
            let items: Vec<String> = items.iter().map(|t| write(t, spaced)).collect();
            format!("[{}]", items.join(&format!(",{gap}")))
        }
        Tree::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{gap}{}", string(k, false), write(v, spaced)))
                .collect();
            format!("{{{}}}", fields.join(&format!(",{gap}")))
        }
    }
}

fn string(text: &str, escaped: bool) -> String {
    let plain = serde_json::to_string(text).expect("a string serialises");
    if !escaped {
        return plain;
    }
    plain
        .chars()
        .map(|c| match c {
            'e' | 'é' => format!("\\u{:04x}", c as u32),
            '/' => "\\/".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// `text` parsed into a value, when `serde_json` reads it.
pub fn parsed(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}
