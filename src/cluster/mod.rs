//! The cluster primary: spawning workers, their IPC channels, Node's
//! cluster protocol, and the listening sockets the workers share.

// Test builds leave out napi's registration, so everything reached only
// from JS looks unused there.
#![cfg_attr(test, allow(dead_code))]

pub mod binding;
mod channel;
mod events;
mod framing;
mod intmap;
mod listener;
mod message;
mod primary;
mod protocol;
mod reuseport;
mod runtime;
mod scheduler;
mod spawn;
mod stats;
mod sys;
mod tasks;
mod v8value;
