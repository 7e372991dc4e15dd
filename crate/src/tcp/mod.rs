//! The sans-IO TCP endpoint (RFC 9293), shaped like smoltcp and quinn-proto: time is always a
//! parameter, and everything a connection wants to do is polled.
//!
//! - `state.rs`: the eleven states (RFC 9293 §3.3.2)
//! - `tcb.rs`: the control block and its event processing (RFC 9293 §3.10, RFC 6298)
//! - `timer.rs`: the timer table
//! - `listener.rs`: the listening socket (RFC 9293 §3.10.7.2): SYN queue, accept queue,
//!   backlog, SYN cookies, `tcp_abort_on_overflow`

mod listener;
mod state;
mod tcb;
mod timer;

pub use listener::{Child, Listened, Listener, SynVerdict, Tuple, COOKIE_MSS};
pub use state::State;
pub use tcb::{
    reset_for_closed_port, AppEvent, Endpoint, Errno, Queues, Tcb, TcbEvent, TimerAction, Transmit,
};
pub use timer::{Timer, TimerName};
