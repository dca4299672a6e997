//! A vector whose clones share their contents. The engine copies every node's state and every
//! checker into each checkpoint, and Raft's logs, applied results and checker histories grow with
//! the run; kept in fixed-size chunks behind `Rc`s, a copy costs one pointer per chunk, and a write
//! after a copy duplicates only the chunk it touches.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Index, Range};
use std::rc::Rc;

/// Elements per chunk: a clone copies `len / CHUNK` pointers, a write after a clone copies at most
/// `CHUNK` elements.
const CHUNK: usize = 64;

/// A growable vector with cheap clones. Every chunk is full except the last, which is never empty,
/// so two vectors with equal elements have equal chunks.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T> Default for SharedVec<T> {
    fn default() -> Self {
        SharedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SharedVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Hashes like a slice of the same elements, whatever its chunks.
impl<T: Hash> Hash for SharedVec<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len.hash(state);
        for item in self.iter() {
            item.hash(state);
        }
    }
}

impl<T> SharedVec<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        if index < self.len {
            Some(&self.chunks[index / CHUNK][index % CHUNK])
        } else {
            None
        }
    }

    pub fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|c| c.last())
    }

    /// The elements in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The elements at `range` (clamped to the length), in order.
    pub fn range(&self, range: Range<usize>) -> impl Iterator<Item = &T> {
        let end = range.end.min(self.len);
        let start = range.start.min(end);
        let chunks = if start == end {
            &[][..]
        } else {
            &self.chunks[start / CHUNK..end.div_ceil(CHUNK)]
        };
        let first = start / CHUNK * CHUNK;
        chunks.iter().enumerate().flat_map(move |(k, chunk)| {
            let base = first + k * CHUNK;
            let from = start.saturating_sub(base);
            let to = (end - base).min(chunk.len());
            chunk[from..to].iter()
        })
    }

    /// The position of the last element that satisfies `hit`.
    pub fn rposition(&self, mut hit: impl FnMut(&T) -> bool) -> Option<usize> {
        for (k, chunk) in self.chunks.iter().enumerate().rev() {
            if let Some(i) = chunk.iter().rposition(&mut hit) {
                return Some(k * CHUNK + i);
            }
        }
        None
    }
}

impl<T: Clone> SharedVec<T> {
    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => Rc::make_mut(chunk).push(value),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(Rc::new(chunk));
            }
        }
        self.len += 1;
    }

    pub fn extend(&mut self, values: impl IntoIterator<Item = T>) {
        for value in values {
            self.push(value);
        }
    }

    /// Keeps the first `len` elements.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let chunks = len.div_ceil(CHUNK);
        self.chunks.truncate(chunks);
        if let Some(chunk) = self.chunks.last_mut() {
            let keep = len - (chunks - 1) * CHUNK;
            if keep < chunk.len() {
                Rc::make_mut(chunk).truncate(keep);
            }
        }
        self.len = len;
    }

    /// The element at `index` to change (copying its chunk if a clone shares it).
    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        if index < self.len {
            Some(&mut Rc::make_mut(&mut self.chunks[index / CHUNK])[index % CHUNK])
        } else {
            None
        }
    }
}

impl<T> Index<usize> for SharedVec<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        assert!(
            index < self.len,
            "index {index} out of range for a shared vector of length {}",
            self.len
        );
        &self.chunks[index / CHUNK][index % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_and_clones_stay_independent() {
        let mut v: SharedVec<u32> = SharedVec::default();
        let mut model: Vec<u32> = Vec::new();
        let mut copies = Vec::new();
        for i in 0..500u32 {
            match i % 7 {
                0 if i % 3 == 0 => {
                    let len = model.len() * 2 / 3;
                    v.truncate(len);
                    model.truncate(len);
                }
                1 if !model.is_empty() => {
                    let at = (i as usize * 31) % model.len();
                    *v.get_mut(at).unwrap() += 1000;
                    model[at] += 1000;
                }
                _ => {
                    v.push(i);
                    model.push(i);
                }
            }
            if i % 5 == 0 {
                copies.push((v.clone(), model.clone()));
            }
            assert_eq!(v.len(), model.len());
            assert_eq!(v.iter().copied().collect::<Vec<_>>(), model);
            assert_eq!(v.last(), model.last());
        }
        for (copy, model) in &copies {
            assert_eq!(copy.iter().copied().collect::<Vec<_>>(), *model);
            let mut rebuilt = SharedVec::default();
            rebuilt.extend(model.iter().copied());
            assert_eq!(*copy, rebuilt);
            for start in [0, 1, 63, 64, 65, 100, 129, 400] {
                for end in [0, 1, 64, 127, 128, 200, 1000] {
                    let clamped = end.min(model.len());
                    let expected = model.get(start.min(clamped)..clamped).unwrap_or(&[]);
                    let got: Vec<u32> = copy.range(start..end).copied().collect();
                    assert_eq!(got, expected, "range {start}..{end} of {}", model.len());
                }
            }
            for probe in [0, 7, 499] {
                assert_eq!(
                    copy.rposition(|x| x % 500 == probe),
                    model.iter().rposition(|x| x % 500 == probe)
                );
            }
        }
    }
}
