//! The bounded queue of sounds waiting to be played.

use super::{Sound, SoundKind};
use std::collections::VecDeque;

/// One sound waiting its turn, with the volume decided when it was requested.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: SoundKind,
    pub volume: f32,
    /// A spoken call (docs/VOICE.md) to play instead of `kind`'s sound; `kind` then tells
    /// whether it is a call's or a recall's. It shares the queue with the chimes so that it
    /// follows its chime and never overlaps another sound.
    pub speech: Option<Sound>,
}

/// First in, first out, at most `capacity` requests. When full, the oldest waiting request is
/// dropped to make room: in a burst the newest calls are the ones residents are still looking
/// for, and the board shows every call anyway.
#[derive(Debug)]
pub struct SoundQueue {
    items: VecDeque<Request>,
    capacity: usize,
}

impl SoundQueue {
    /// A queue of at least one place.
    pub fn new(capacity: usize) -> SoundQueue {
        let capacity = capacity.max(1);
        SoundQueue {
            items: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
        }
    }

    /// Adds a request; returns the request dropped to make room, if any.
    pub fn push(&mut self, request: Request) -> Option<Request> {
        let dropped = if self.items.len() >= self.capacity {
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(request);
        dropped
    }

    pub fn pop(&mut self) -> Option<Request> {
        self.items.pop_front()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Changes the capacity, dropping the oldest requests that no longer fit; returns how many
    /// were dropped.
    pub fn set_capacity(&mut self, capacity: usize) -> usize {
        self.capacity = capacity.max(1);
        let excess = self.items.len().saturating_sub(self.capacity);
        self.items.drain(..excess);
        excess
    }
}
