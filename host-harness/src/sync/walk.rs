//! One walk through the pages of a read (a stream, or one batch of a child's
//! parents), kept finite: a server that hands back a cursor seen earlier in
//! the walk (the same one, or two in turn) would loop forever, and one that
//! always hands back a new one would page forever. The walk remembers a hash
//! of every cursor it followed (memory only, a few bytes a page) and counts
//! its pages against a bound the user can raise.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use thiserror::Error;

/// The most pages one walk takes unless told otherwise: ten million records
/// at the API's largest page size, far past any real organisation's lists.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// Why a walk was stopped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WalkError {
    #[error(
        "page {page} of `{stream}` pointed back to the cursor of page {first_seen}: the API is \
         paginating in a loop, stopped instead of reading it again"
    )]
    RepeatedCursor {
        stream: String,
        page: u64,
        first_seen: u64,
    },
    #[error(
        "`{stream}` still had more pages after {max_pages}: stopped there in case the API is \
         paginating without end; if the stream really is that long, raise --max-pages (now \
         {max_pages})"
    )]
    TooManyPages { stream: String, max_pages: u64 },
}

/// The state of one walk.
#[derive(Debug)]
pub struct PageWalk<'a> {
    stream: &'a str,
    max_pages: u64,
    /// Pages read so far in this walk.
    pages: u64,
    /// The hash of each cursor followed, and the page (1-based) it led to.
    followed: HashMap<u64, u64>,
}

impl<'a> PageWalk<'a> {
    /// A walk of `stream` starting at `start` (a resumed position) or at its
    /// first page, taking at most `max_pages` pages (at least one).
    pub fn new(stream: &'a str, max_pages: u64, start: Option<&str>) -> Self {
        let mut walk = Self {
            stream,
            max_pages: max_pages.max(1),
            pages: 0,
            followed: HashMap::new(),
        };
        if let Some(cursor) = start {
            walk.remember(cursor, 1);
        }
        walk
    }

    /// A page was read and names `next` as the page after it: follow it, or
    /// refuse when it would loop or go past the bound.
    pub fn next(&mut self, next: Option<&str>) -> Result<(), WalkError> {
        self.pages += 1;
        let Some(cursor) = next else {
            return Ok(());
        };
        if let Some(&first_seen) = self.followed.get(&hash(cursor)) {
            return Err(WalkError::RepeatedCursor {
                stream: self.stream.to_owned(),
                page: self.pages,
                first_seen,
            });
        }
        if self.pages >= self.max_pages {
            return Err(WalkError::TooManyPages {
                stream: self.stream.to_owned(),
                max_pages: self.max_pages,
            });
        }
        self.remember(cursor, self.pages + 1);
        Ok(())
    }

    fn remember(&mut self, cursor: &str, page: u64) {
        self.followed.entry(hash(cursor)).or_insert(page);
    }
}

fn hash(cursor: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    cursor.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_ends_when_the_cursor_runs_out() {
        let mut walk = PageWalk::new("s", 10, None);
        assert_eq!(walk.next(Some("a")), Ok(()));
        assert_eq!(walk.next(Some("b")), Ok(()));
        assert_eq!(walk.next(None), Ok(()));
    }

    #[test]
    fn any_cursor_seen_before_in_the_walk_stops_it_not_only_the_last_one() {
        let mut walk = PageWalk::new("admin_users", 100, None);
        walk.next(Some("a")).unwrap();
        walk.next(Some("b")).unwrap();
        let error = walk.next(Some("a")).unwrap_err();
        assert_eq!(
            error,
            WalkError::RepeatedCursor {
                stream: "admin_users".into(),
                page: 3,
                first_seen: 2
            }
        );
        assert_eq!(
            error.to_string(),
            "page 3 of `admin_users` pointed back to the cursor of page 2: the API is paginating \
             in a loop, stopped instead of reading it again"
        );
    }

    #[test]
    fn the_cursor_a_walk_resumed_from_counts_as_seen() {
        let mut walk = PageWalk::new("s", 100, Some("resumed"));
        assert!(matches!(
            walk.next(Some("resumed")),
            Err(WalkError::RepeatedCursor { first_seen: 1, .. })
        ));
    }

    #[test]
    fn fresh_cursors_forever_stop_at_the_bound_saying_how_to_raise_it() {
        let mut walk = PageWalk::new("groups", 3, None);
        walk.next(Some("1")).unwrap();
        walk.next(Some("2")).unwrap();
        let error = walk.next(Some("3")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`groups` still had more pages after 3: stopped there in case the API is paginating \
             without end; if the stream really is that long, raise --max-pages (now 3)"
        );
        let mut last_page = PageWalk::new("groups", 3, None);
        last_page.next(Some("1")).unwrap();
        last_page.next(Some("2")).unwrap();
        assert_eq!(
            last_page.next(None),
            Ok(()),
            "the bound's own last page ends well"
        );
    }
}
