//! The event queue: a binary heap ordered by time, then class, then insertion counter: at the
//! same microsecond an application's action runs before network and timer events, and equal
//! keys run first in, first out. (Scenario actions are queued first anyway; the class makes an
//! action taken interactively run where the replayed scenario will run it.) The heap holds
//! only small keys; the events wait in a slab beside it, so sifting moves 32 bytes, not a
//! whole segment.
//!
//! A connection's superseded wake-up is not dug out of the heap; it is skipped when it reaches
//! the top (the connection's `wake` names the one that counts).

use super::Pending;
use crate::time::Instant;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An entry's place in the order: its time, its class (0 for actions), when it was queued.
pub(super) type Key = (Instant, u8, u64);

#[derive(Default)]
pub(super) struct EventQueue {
    heap: BinaryHeap<Reverse<(Key, u32)>>,
    slab: Vec<Option<Pending>>,
    free: Vec<u32>,
    inserted: u64,
}

impl EventQueue {
    pub fn push(&mut self, at: Instant, pending: Pending) -> Key {
        let class = u8::from(!matches!(pending, Pending::Action { .. }));
        let key = (at, class, self.inserted);
        self.inserted += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(pending);
                slot
            }
            None => {
                self.slab.push(Some(pending));
                (self.slab.len() - 1) as u32
            }
        };
        self.heap.push(Reverse((key, slot)));
        key
    }

    pub fn peek(&self) -> Option<(Key, &Pending)> {
        let Reverse((key, slot)) = self.heap.peek()?;
        self.slab[*slot as usize].as_ref().map(|p| (*key, p))
    }

    pub fn pop(&mut self) -> Option<(Key, Pending)> {
        let Reverse((key, slot)) = self.heap.pop()?;
        self.free.push(slot);
        self.slab[slot as usize].take().map(|p| (key, p))
    }
}
