//! The event queue: a binary heap ordered by time, then class, then insertion counter: at the
//! same microsecond an application's action runs before network and timer events, and equal
//! keys run first in, first out. (Scenario actions are queued first anyway; the class makes an
//! action taken interactively run where the replayed scenario will run it.) The heap holds
//! only small keys; the events wait in a slab beside it, so sifting moves 32 bytes, not a
//! whole segment.
//!
//! A connection's superseded wake-up is not dug out of the heap; it is skipped when it reaches
//! the top (the connection's `wake` names the one that counts).
//!
//! The scenario's own actions, already in time order, wait in a list beside the heap and are
//! merged in as they come due, numbered before anything queued later, so a scenario of a
//! hundred thousand statements keeps the heap small.

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
    /// The scenario's actions in time order, and the next one due.
    script: Vec<(Instant, Option<Pending>)>,
    cursor: usize,
}

impl EventQueue {
    /// A queue that starts with the scenario's actions, given in time order.
    pub fn with_script(script: Vec<(Instant, Pending)>) -> EventQueue {
        debug_assert!(script.windows(2).all(|w| w[0].0 <= w[1].0));
        EventQueue {
            inserted: script.len() as u64,
            script: script.into_iter().map(|(at, p)| (at, Some(p))).collect(),
            ..EventQueue::default()
        }
    }

    fn script_key(&self) -> Option<Key> {
        let (at, _) = self.script.get(self.cursor)?;
        Some((*at, 0, self.cursor as u64))
    }

    /// Whether the next event is the script's (its key is the smaller).
    fn script_first(&self) -> bool {
        match (self.script_key(), self.heap.peek()) {
            (Some(s), Some(Reverse((h, _)))) => s < *h,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
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
        if self.script_first() {
            let key = self.script_key()?;
            return self.script[self.cursor].1.as_ref().map(|p| (key, p));
        }
        let Reverse((key, slot)) = self.heap.peek()?;
        self.slab[*slot as usize].as_ref().map(|p| (*key, p))
    }

    pub fn pop(&mut self) -> Option<(Key, Pending)> {
        if self.script_first() {
            let key = self.script_key()?;
            let pending = self.script[self.cursor].1.take();
            self.cursor += 1;
            return pending.map(|p| (key, p));
        }
        let Reverse((key, slot)) = self.heap.pop()?;
        self.free.push(slot);
        self.slab[slot as usize].take().map(|p| (key, p))
    }
}
