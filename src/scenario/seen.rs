//! The set of fingerprints the explorer has seen: open addressing over 64-bit keys that are already
//! uniform hashes, so a key's own low bits pick its slot and no hasher is needed. It answers only
//! whether a key is new (there is no way to iterate it), so its layout can never reach a result,
//! and the same keys give the same table on every target.

/// Keys seen so far. Slot value 0 means empty; the key 0 itself is kept aside.
#[derive(Debug)]
pub(crate) struct SeenKeys {
    slots: Vec<u64>,
    len: usize,
    zero: bool,
}

impl Default for SeenKeys {
    fn default() -> SeenKeys {
        SeenKeys {
            slots: vec![0; 1 << 10],
            len: 0,
            zero: false,
        }
    }
}

impl SeenKeys {
    /// Adds `key`; true if it was not there yet.
    pub(crate) fn insert(&mut self, key: u64) -> bool {
        if key == 0 {
            return !std::mem::replace(&mut self.zero, true);
        }
        // At most two thirds full, so linear probing stays short.
        if (self.len + 1) * 3 > self.slots.len() * 2 {
            self.grow();
        }
        self.place(key)
    }

    fn place(&mut self, key: u64) -> bool {
        let mask = self.slots.len() - 1;
        // The low bits of a uniform hash are uniform: on wasm32 `as usize` keeps the low 32.
        let mut slot = key as usize & mask;
        loop {
            match self.slots[slot] {
                0 => {
                    self.slots[slot] = key;
                    self.len += 1;
                    return true;
                }
                there if there == key => return false,
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let doubled = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for key in old.into_iter().filter(|&key| key != 0) {
            self.place(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SeenKeys;

    #[test]
    fn a_key_is_new_once_through_growth_and_zero_included() {
        let mut seen = SeenKeys::default();
        // Spread like fingerprints, and some that share their low bits, so probes collide.
        let keys: Vec<u64> = (0..5_000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .chain((1..200u64).map(|i| i << 40))
            .collect();
        for &key in &keys {
            assert!(seen.insert(key), "{key} is new");
        }
        for &key in &keys {
            assert!(!seen.insert(key), "{key} was seen");
        }
        assert_eq!(seen.len, keys.len() - 1, "0 is kept aside");
        assert!(seen.slots.len() >= keys.len() * 3 / 2);
    }
}
