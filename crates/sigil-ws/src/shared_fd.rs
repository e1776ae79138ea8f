//! [`SharedFd`]: a descriptor an event loop can wait on while its owner moves on.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;

/// The descriptor of a socket, kept open for as long as this handle lives, even after
/// its owner is dropped: a connection's ([`WebSocket::shared_fd`](crate::WebSocket::shared_fd)),
/// a listener's ([`Listener::shared_fd`](crate::server::Listener::shared_fd)), or the one
/// a [`Connector`](crate::Connector) or [`Acceptor`](crate::server::Acceptor) waits on
/// ([`Step::Wait`](crate::Step::Wait)). For an event loop that must own what it waits
/// on: no descriptor is duplicated (cloning the handle shares the same one), and it gives
/// access to nothing but the descriptor.
#[derive(Clone)]
pub struct SharedFd(Arc<dyn AsFd + Send + Sync>);

impl SharedFd {
    /// The descriptor of `owner`, shared with it.
    pub(crate) fn new(owner: Arc<impl AsFd + Send + Sync + 'static>) -> SharedFd {
        SharedFd(owner)
    }
}

impl AsFd for SharedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl std::fmt::Debug for SharedFd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedFd")
            .field(&self.as_fd().as_raw_fd())
            .finish()
    }
}
