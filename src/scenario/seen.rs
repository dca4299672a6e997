//! Fingerprints the explorer has seen, each with a value (none, or the number of its state): open
//! addressing over 64-bit keys that are already uniform hashes, so a key's own low bits pick its
//! slot and no hasher is needed. It answers only whether a key is new, and its value (there is
//! no way to iterate it), so its layout can never reach a result, and the same keys give the same
//! table on every target.

/// Keys seen so far, with their values. Slot key 0 means empty; the key 0 itself is kept aside.
#[derive(Debug)]
pub(crate) struct SeenKeys<V: Copy + Default = ()> {
    slots: Vec<(u64, V)>,
    len: usize,
    zero: Option<V>,
}

impl<V: Copy + Default> Default for SeenKeys<V> {
    fn default() -> SeenKeys<V> {
        SeenKeys {
            slots: vec![(0, V::default()); 1 << 10],
            len: 0,
            zero: None,
        }
    }
}

impl<V: Copy + Default> SeenKeys<V> {
    /// Adds `key` with `value`, if it is new; else returns the value it has.
    pub(crate) fn insert(&mut self, key: u64, value: V) -> Option<V> {
        if key == 0 {
            let was = self.zero;
            self.zero = self.zero.or(Some(value));
            return was;
        }
        // At most two thirds full, so linear probing stays short.
        if (self.len + 1) * 3 > self.slots.len() * 2 {
            self.grow();
        }
        self.place(key, value)
    }

    /// The value of `key`, if it was added.
    pub(crate) fn get(&self, key: u64) -> Option<V> {
        if key == 0 {
            return self.zero;
        }
        let mask = self.slots.len() - 1;
        let mut slot = key as usize & mask;
        loop {
            match self.slots[slot] {
                (0, _) => return None,
                (there, value) if there == key => return Some(value),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Forgets every key, keeping the room they took.
    pub(crate) fn clear(&mut self) {
        self.slots.fill((0, V::default()));
        self.len = 0;
        self.zero = None;
    }

    fn place(&mut self, key: u64, value: V) -> Option<V> {
        let mask = self.slots.len() - 1;
        // The low bits of a uniform hash are uniform: on wasm32 `as usize` keeps the low 32.
        let mut slot = key as usize & mask;
        loop {
            match self.slots[slot] {
                (0, _) => {
                    self.slots[slot] = (key, value);
                    self.len += 1;
                    return None;
                }
                (there, was) if there == key => return Some(was),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let doubled = vec![(0, V::default()); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for (key, value) in old.into_iter().filter(|&(key, _)| key != 0) {
            self.place(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SeenKeys;

    #[test]
    fn a_key_is_new_once_and_keeps_its_value_through_growth_and_zero_included() {
        let mut seen = SeenKeys::<u32>::default();
        // Spread like fingerprints, and some that share their low bits, so probes collide.
        let keys: Vec<u64> = (0..5_000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .chain((1..200u64).map(|i| i << 40))
            .collect();
        for (i, &key) in keys.iter().enumerate() {
            assert_eq!(seen.insert(key, i as u32), None, "{key} is new");
        }
        for (i, &key) in keys.iter().enumerate() {
            assert_eq!(
                seen.insert(key, 0),
                Some(i as u32),
                "{key} was seen as state {i}"
            );
        }
        for (i, &key) in keys.iter().enumerate() {
            assert_eq!(seen.get(key), Some(i as u32), "{key} is state {i}");
        }
        assert_eq!(seen.get(12_345), None);
        assert_eq!(seen.len, keys.len() - 1, "0 is kept aside");
        assert!(seen.slots.len() >= keys.len() * 3 / 2);
        let room = seen.slots.len();
        seen.clear();
        assert!(keys.iter().all(|&key| seen.get(key).is_none()));
        assert_eq!(seen.insert(0, 7), None, "0 is new again");
        assert_eq!(seen.slots.len(), room, "the room is kept");
    }
}
