//! The fingerprints the explorer has seen, each with the number of its state: open addressing over
//! 64-bit keys that are already uniform hashes, so a key's own low bits pick its slot and no
//! hasher is needed. It answers only whether a key is new, and which state it was (there is no way
//! to iterate it), so its layout can never reach a result, and the same keys give the same table
//! on every target.

/// Keys seen so far, with their states. Slot key 0 means empty; the key 0 itself is kept aside.
#[derive(Debug)]
pub(crate) struct SeenKeys {
    slots: Vec<(u64, u32)>,
    len: usize,
    zero: Option<u32>,
}

impl Default for SeenKeys {
    fn default() -> SeenKeys {
        SeenKeys {
            slots: vec![(0, 0); 1 << 10],
            len: 0,
            zero: None,
        }
    }
}

impl SeenKeys {
    /// Adds `key` as state `state`, if it is new; else returns the state it was.
    pub(crate) fn insert(&mut self, key: u64, state: u32) -> Option<u32> {
        if key == 0 {
            return match self.zero {
                Some(was) => Some(was),
                None => {
                    self.zero = Some(state);
                    None
                }
            };
        }
        // At most two thirds full, so linear probing stays short.
        if (self.len + 1) * 3 > self.slots.len() * 2 {
            self.grow();
        }
        self.place(key, state)
    }

    fn place(&mut self, key: u64, state: u32) -> Option<u32> {
        let mask = self.slots.len() - 1;
        // The low bits of a uniform hash are uniform: on wasm32 `as usize` keeps the low 32.
        let mut slot = key as usize & mask;
        loop {
            match self.slots[slot] {
                (0, _) => {
                    self.slots[slot] = (key, state);
                    self.len += 1;
                    return None;
                }
                (there, was) if there == key => return Some(was),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let doubled = vec![(0, 0); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for (key, state) in old.into_iter().filter(|&(key, _)| key != 0) {
            self.place(key, state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SeenKeys;

    #[test]
    fn a_key_is_new_once_and_keeps_its_state_through_growth_and_zero_included() {
        let mut seen = SeenKeys::default();
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
        assert_eq!(seen.len, keys.len() - 1, "0 is kept aside");
        assert!(seen.slots.len() >= keys.len() * 3 / 2);
    }
}
