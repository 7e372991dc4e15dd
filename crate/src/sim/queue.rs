//! The event queue, ordered by time, then class, then insertion counter: at the same
//! microsecond an application's action runs before network and timer events, and equal keys
//! run first in, first out. (Scenario actions are queued first anyway; the class makes an
//! action taken interactively run where the replayed scenario will run it.)
//!
//! Most events are queued a fixed delay after now: arrivals one link delay ahead, delayed
//! ACKs 40 ms ahead, TIME-WAIT 60 s ahead. Each such stream is already in order, so it goes
//! into a *lane*, a first-in first-out list whose keys only grow, which costs nothing to keep
//! sorted. A few lanes hold almost everything; an event that fits no lane (a timer that moved
//! earlier, say) goes to a binary heap beside them. The next event is the smallest of the
//! lanes' fronts, the heap's top and the scenario's next action.
//!
//! A connection's superseded wake-up is not dug out of the queue; it is skipped when it
//! reaches the front (the connection's `wake` names the one that counts).
//!
//! The scenario's own actions, already in time order, are read where the scenario keeps
//! them and merged in as they come due (as [`Pending::Script`]), numbered before anything
//! queued later, so a scenario of a hundred thousand statements keeps the queue small and
//! costs nothing to start.

use super::Pending;
use crate::scenario::Timed;
use crate::time::Instant;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

/// An entry's place in the order: its time, its class (0 for actions), when it was queued,
/// packed into one number that compares in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key(u128);

impl Key {
    fn new(at: Instant, class: u8, counter: u64) -> Key {
        debug_assert!(class < 2 && counter < 1 << 63);
        Key(u128::from(at.micros()) << 64 | u128::from(class) << 63 | u128::from(counter))
    }

    /// When the event happens.
    pub fn at(self) -> Instant {
        Instant::from_micros((self.0 >> 64) as u64)
    }
}

/// Below every key: an empty lane's last key, so it takes anything.
const BOTTOM: Key = Key(0);
/// Above every key: an empty lane's front.
const TOP: Key = Key(u128::MAX);

/// How many in-order lanes the queue keeps before it falls back on the heap.
const LANES: usize = 8;

/// Where the next event waits.
#[derive(Clone, Copy)]
enum Source {
    Script,
    Lane(usize),
    Heap,
}

pub(super) struct EventQueue {
    /// Each lane's entries, and (side by side, for a quick scan) its first and last keys.
    /// The first `used` lanes hold entries; the rest are empty.
    lanes: [VecDeque<(Key, Pending)>; LANES],
    heads: [Key; LANES],
    tails: [Key; LANES],
    used: usize,
    heap: BinaryHeap<Reverse<(Key, u32)>>,
    slab: Vec<Option<Pending>>,
    free: Vec<u32>,
    inserted: u64,
    /// The scenario's actions in time order, and the next one due.
    script: Arc<Vec<Timed>>,
    cursor: usize,
    /// Where the smallest key waits, kept up to date by `push` and `pop`.
    front: Option<(Source, Key)>,
}

impl Default for EventQueue {
    fn default() -> EventQueue {
        EventQueue::with_script(Arc::default())
    }
}

impl EventQueue {
    /// A queue that starts with the scenario's actions, given in time order.
    pub fn with_script(script: Arc<Vec<Timed>>) -> EventQueue {
        debug_assert!(script.windows(2).all(|w| w[0].at <= w[1].at));
        let mut queue = EventQueue {
            lanes: Default::default(),
            heads: [TOP; LANES],
            tails: [BOTTOM; LANES],
            used: 0,
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            inserted: script.len() as u64,
            script,
            cursor: 0,
            front: None,
        };
        queue.front = queue.first();
        queue
    }

    /// The scenario's actions, which [`Pending::Script`] indexes.
    pub fn script(&self) -> &[Timed] {
        &self.script
    }

    /// The source holding the smallest key, and that key.
    fn first(&self) -> Option<(Source, Key)> {
        let mut best = (Source::Heap, TOP);
        for (i, &head) in self.heads[..self.used].iter().enumerate() {
            if head < best.1 {
                best = (Source::Lane(i), head);
            }
        }
        if let Some(&Reverse((key, _))) = self.heap.peek() {
            if key < best.1 {
                best = (Source::Heap, key);
            }
        }
        if let Some(timed) = self.script.get(self.cursor) {
            let key = Key::new(timed.at, 0, self.cursor as u64);
            if key < best.1 {
                best = (Source::Script, key);
            }
        }
        (best.1 != TOP).then_some(best)
    }

    pub fn push(&mut self, at: Instant, pending: Pending) -> Key {
        let class = u8::from(!matches!(pending, Pending::Action { .. }));
        let key = Key::new(at, class, self.inserted);
        self.inserted += 1;
        // The lane whose last key is the largest below this one leaves the other lanes for
        // other streams; an empty lane takes anything, but only when no stream fits.
        let mut fit: Option<usize> = None;
        for (i, &tail) in self.tails[..self.used].iter().enumerate() {
            if tail < key && fit.is_none_or(|f| tail > self.tails[f]) {
                fit = Some(i);
            }
        }
        if fit.is_none() && self.used < LANES {
            fit = Some(self.used);
            self.used += 1;
        }
        let source = match fit {
            Some(i) => {
                if self.lanes[i].is_empty() {
                    self.heads[i] = key;
                }
                self.tails[i] = key;
                self.lanes[i].push_back((key, pending));
                Source::Lane(i)
            }
            None => {
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
                Source::Heap
            }
        };
        // A key below the front went to the front of an empty lane (a lane only takes keys
        // above its last) or to the top of the heap.
        if self.front.is_none_or(|(_, front)| key < front) {
            self.front = Some((source, key));
        }
        key
    }

    /// The next event's key, and what it is, except for a scenario action (`None`).
    pub fn peek(&self) -> Option<(Key, Option<&Pending>)> {
        let (source, key) = self.front?;
        let pending = match source {
            Source::Script => None,
            Source::Lane(i) => Some(&self.lanes[i].front()?.1),
            Source::Heap => {
                let Reverse((_, slot)) = self.heap.peek()?;
                Some(self.slab[*slot as usize].as_ref()?)
            }
        };
        Some((key, pending))
    }

    pub fn pop(&mut self) -> Option<(Key, Pending)> {
        let (source, key) = self.front?;
        let pending = match source {
            Source::Script => {
                self.cursor += 1;
                Pending::Script {
                    index: self.cursor - 1,
                }
            }
            Source::Lane(i) => {
                let lane = &mut self.lanes[i];
                let (_, pending) = lane.pop_front()?;
                match lane.front() {
                    Some((next, _)) => self.heads[i] = *next,
                    None => {
                        // The last lane in use takes the emptied one's place.
                        self.used -= 1;
                        self.lanes.swap(i, self.used);
                        self.heads.swap(i, self.used);
                        self.tails.swap(i, self.used);
                        (self.heads[self.used], self.tails[self.used]) = (TOP, BOTTOM);
                    }
                }
                pending
            }
            Source::Heap => {
                let Reverse((_, slot)) = self.heap.pop()?;
                self.free.push(slot);
                self.slab[slot as usize].take()?
            }
        };
        self.front = self.first();
        Some((key, pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::time::Duration;

    /// Pops in exactly the order of a plain sort by (time, class, counter), whatever mix of
    /// in-order streams and stragglers goes in: lanes, the heap and the script together.
    #[test]
    fn pops_in_key_order() {
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            let script: Vec<Timed> = (0..20u64)
                .map(|k| Timed {
                    at: Instant::from_micros(k * 700),
                    host: "a".into(),
                    action: crate::scenario::Action::Close,
                })
                .collect();
            let mut queue = EventQueue::with_script(script.into());
            let mut expected: Vec<Key> = (0..20u64)
                .map(|k| Key::new(Instant::from_micros(k * 700), 0, k))
                .collect();
            let mut popped = Vec::new();
            let mut now = Instant::ZERO;
            for _ in 0..2_000 {
                if rng.range(0, 2) == 0 {
                    if let Some((key, _)) = queue.pop() {
                        assert!(key.at() >= now, "time never goes backwards");
                        now = key.at();
                        popped.push(key);
                    }
                    continue;
                }
                // Fixed delays (streams that fit lanes) and random ones (stragglers).
                let delay = match rng.range(0, 11) {
                    0..=8 => [1_000, 40_000, 60_000_000][rng.range(0, 2) as usize],
                    _ => rng.range(0, 5_000_000),
                };
                let at = now + Duration::from_micros(u64::from(delay));
                let pending = Pending::Wake { host: 0, conn: 0 };
                let key = queue.push(at, pending);
                assert_eq!(key.at(), at);
                expected.push(key);
            }
            while let Some((key, _)) = queue.pop() {
                popped.push(key);
            }
            expected.sort();
            assert_eq!(popped, expected, "seed {seed}");
        }
    }

    #[test]
    fn actions_go_before_other_events_at_the_same_time() {
        let mut queue = EventQueue::default();
        let at = Instant::from_micros(5);
        queue.push(at, Pending::FloodTick { index: 1 });
        let action = crate::scenario::Action::Close;
        queue.push(at, Pending::Action { host: 0, action });
        assert!(matches!(queue.pop(), Some((_, Pending::Action { .. }))));
        assert!(matches!(queue.pop(), Some((_, Pending::FloodTick { .. }))));
        assert!(queue.pop().is_none());
    }
}
