//! Values known by a name on the wire: the settings themselves and the values
//! of the settings that take one of a fixed set of names. Parsing and
//! refusals list them the same way, from one list per type.

/// A closed set of values, each known by the name it has on the wire.
pub trait Named: Copy + 'static {
    /// Every value, in the order the manifest and refusals list them.
    const ALL: &'static [Self];

    /// The value's name on the wire.
    fn name(self) -> &'static str;

    /// The value named `name`, if there is one.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.name() == name)
    }

    /// Every name, in order.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|value| value.name()).collect()
    }

    /// Every name, in order, as a refusal lists them (`1d, 1h, 1m`).
    fn listed() -> String {
        Self::names().join(", ")
    }
}
