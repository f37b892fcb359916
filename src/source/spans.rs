//! JSON pointer → byte span, for every value of one file.
//!
//! The parser hands each value's span over with its path; the path is hashed step by step (a
//! value costs the hashing of its own step) and the pair is appended to a log in text order.
//! When the parse ends, the log becomes a lookup table.
//!
//! Why a log and not a map filled during the parse: inserting into a growing table larger than
//! the caches is a random memory access per value, and each growth rehashes it. At 10,000
//! resources (a quarter of a million values) those inserts cost more than the parse itself
//! (70 ms against 28 ms for a plain parse). Built in one pass from the finished log, at a known
//! size and at most seven-eighths full (lookups are few: one per finding and its ancestors),
//! the table takes 4 ms and is never rehashed.

use super::json::{self, JsonPath, PathSegment};

/// Where a value lies: its member name's opening quote (for an object member), its first byte
/// and the byte after it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SpanEntry {
    pub(super) key_start: Option<u32>,
    pub(super) start: u32,
    pub(super) end: u32,
}

/// A pointer's hash and the span of its value. The hash `EMPTY_SLOT` never occurs.
type Slot = (u64, SpanEntry);

/// The hash of no pointer: it marks the free slots of a [`SpanTable`].
const EMPTY_SLOT: u64 = 0;

/// Bytes of text per value assumed when reserving a log: the corpus's templates have one
/// value per 29 to 107 bytes (43 for the median file). An underestimate of the values costs
/// one or two doublings of a vector, an overestimate unused memory.
const TEXT_BYTES_PER_VALUE: usize = 64;

/// The log of one recording pass.
#[derive(Debug, Default)]
pub(super) struct SpanRecording {
    log: Vec<Slot>,
    /// The hash state after each step of the last path recorded: siblings share their parent's
    /// prefix.
    prefixes: Vec<(PathSegment, PointerHash)>,
}

impl SpanRecording {
    /// An empty log with room for the values `text` probably holds.
    pub(super) fn for_text(text: &str) -> SpanRecording {
        SpanRecording {
            log: Vec::with_capacity(text.len() / TEXT_BYTES_PER_VALUE),
            prefixes: Vec::new(),
        }
    }

    /// Every value recorded, in text order.
    pub(super) fn into_log(self) -> Vec<Slot> {
        self.log
    }
}

impl json::SpanRecorder for SpanRecording {
    fn value(&mut self, path: &JsonPath<'_>, key_start: Option<u32>, start: u32, end: u32) {
        let segments = path.segments();
        let shared = self
            .prefixes
            .iter()
            .zip(segments)
            .take_while(|((cached, _), segment)| cached == *segment)
            .count();
        self.prefixes.truncate(shared);
        for segment in &segments[shared..] {
            let mut hash = self.prefixes.last().map(|(_, h)| *h).unwrap_or_default();
            path.write_segment(*segment, &mut |piece| hash.write(piece));
            self.prefixes.push((*segment, hash));
        }
        let hash = self
            .prefixes
            .last()
            .map(|(_, h)| *h)
            .unwrap_or_default()
            .finish();
        self.log.push((
            hash,
            SpanEntry {
                key_start,
                start,
                end,
            },
        ));
    }
}

/// Open addressing with linear probing, indexed by the hash's high bits, at most seven-eighths
/// full.
#[derive(Debug)]
pub(super) struct SpanTable {
    slots: Vec<Slot>,
    /// 64 minus the number of index bits.
    shift: u32,
}

impl SpanTable {
    /// The table of a recorded log. A pointer recorded twice (a duplicate member name) keeps
    /// the span recorded last, the value the reader kept.
    pub(super) fn from_log(log: Vec<Slot>) -> SpanTable {
        let wanted = (log.len() + log.len() / 7).max(16);
        let size = wanted.checked_next_power_of_two().unwrap_or(wanted);
        let mut table = SpanTable {
            slots: vec![(EMPTY_SLOT, SpanEntry::default()); size],
            shift: 64 - size.trailing_zeros(),
        };
        for (hash, entry) in log {
            table.insert(hash, entry);
        }
        table
    }

    /// The table of `text`, read again to record its spans.
    pub(super) fn read(text: &str) -> SpanTable {
        let mut recording = SpanRecording::for_text(text);
        json::record_spans(text, &mut recording);
        SpanTable::from_log(recording.into_log())
    }

    fn insert(&mut self, hash: u64, entry: SpanEntry) {
        let mask = self.slots.len() - 1;
        let mut at = hash.checked_shr(self.shift).unwrap_or(0) as usize & mask;
        // The table is at most seven-eighths full, so a free slot or the same hash comes first.
        for _ in 0..self.slots.len() {
            let slot = &mut self.slots[at];
            if slot.0 == EMPTY_SLOT || slot.0 == hash {
                *slot = (hash, entry);
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// The span of the value at `pointer`, if the file has one there.
    pub(super) fn get(&self, pointer: &str) -> Option<&SpanEntry> {
        let mut hash = PointerHash::default();
        hash.write(pointer);
        let hash = hash.finish();
        let mask = self.slots.len() - 1;
        let mut at = hash.checked_shr(self.shift).unwrap_or(0) as usize & mask;
        for _ in 0..self.slots.len() {
            let (slot_hash, entry) = &self.slots[at];
            if *slot_hash == hash {
                return Some(entry);
            }
            if *slot_hash == EMPTY_SLOT {
                return None;
            }
            at = (at + 1) & mask;
        }
        None
    }
}

/// The hash of a JSON pointer, fed as a byte stream: a pointer written in pieces (a parent's
/// state, then `/`, then the token) hashes like the whole string, which the library hashers
/// other than SipHash do not promise. FNV-1a over the bytes, then the MurmurHash3 finalizer so
/// that the high bits (the table's index) depend on every byte. 64-bit hashes of the pointers
/// of one file do not collide in practice (under 1e-9 for a million values); the state is one
/// word per step of the prefix cache.
#[derive(Debug, Clone, Copy)]
struct PointerHash(u64);

impl Default for PointerHash {
    fn default() -> Self {
        PointerHash(0xcbf2_9ce4_8422_2325)
    }
}

impl PointerHash {
    fn write(&mut self, piece: &str) {
        for &byte in piece.as_bytes() {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        // The one pointer state that finalizes to the free-slot mark shares its slot with 1.
        if h == EMPTY_SLOT { 1 } else { h }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_of(text: &str) -> SpanTable {
        SpanTable::read(text)
    }

    fn span(table: &SpanTable, pointer: &str) -> Option<(Option<u32>, u32, u32)> {
        table
            .get(pointer)
            .map(|entry| (entry.key_start, entry.start, entry.end))
    }

    #[test]
    fn pointers_written_in_pieces_hash_like_the_whole_pointer() {
        let mut pieces = PointerHash::default();
        for piece in ["/", "resources", "/", "12", "/", "a~1b"] {
            pieces.write(piece);
        }
        let mut whole = PointerHash::default();
        whole.write("/resources/12/a~1b");
        assert_eq!(pieces.finish(), whole.finish());
        let mut other = PointerHash::default();
        other.write("/resources/12/a~1c");
        assert_ne!(other.finish(), whole.finish());
    }

    #[test]
    fn every_value_and_member_is_found() {
        let text = r#"{"a": [1, {"b/c": "x"}], "d~": true}"#;
        let table = table_of(text);
        assert_eq!(span(&table, ""), Some((None, 0, 36)));
        assert_eq!(span(&table, "/a"), Some((Some(1), 6, 23)));
        assert_eq!(span(&table, "/a/0"), Some((None, 7, 8)));
        assert_eq!(span(&table, "/a/1/b~1c"), Some((Some(11), 18, 21)));
        assert_eq!(span(&table, "/d~0"), Some((Some(25), 31, 35)));
        assert_eq!(span(&table, "/a/2"), None);
        assert_eq!(span(&table, "/b"), None);
    }

    #[test]
    fn a_duplicate_member_keeps_the_span_read_last() {
        let table = table_of(r#"{"a": 1, "A": 2, "a": 33}"#);
        assert_eq!(span(&table, "/a"), Some((Some(17), 22, 24)));
    }

    #[test]
    fn a_large_table_finds_every_element_where_it_was_written() {
        let count = 20_000;
        let mut text = String::from("{\"x\": [");
        let mut starts = Vec::with_capacity(count);
        for i in 0..count {
            if i > 0 {
                text.push(',');
            }
            starts.push(text.len() as u32);
            text.push_str(&format!("{{\"v\": {i}}}"));
        }
        text.push_str("], \"x\": 0}");
        let table = table_of(&text);
        for (i, start) in starts.iter().enumerate() {
            assert_eq!(
                span(&table, &format!("/x/{i}")).map(|(_, s, _)| s),
                Some(*start),
                "/x/{i}"
            );
        }
        // The later `x` is the value the reader keeps, so its span wins.
        let last = text.rfind("0}").map(|at| at as u32);
        assert_eq!(span(&table, "/x").map(|(_, s, _)| s), last);
    }
}
