//! Garbage collection roots: what the VM marks before the heap sweeps, and the periodic
//! check (collection, interrupts) made at procedure calls.

use crate::run::value::*;
use crate::run::vm::Vm;
use std::sync::atomic::Ordering;

impl Vm {
    /// Runs a full collection now.
    pub fn collect_garbage(&mut self) {
        let h = &mut self.heap;
        h.begin_collection();
        for &v in self.stack.iter().chain(&self.roots) {
            h.mark(v);
        }
        for v in self.globals.roots() {
            h.mark(v);
        }
        for f in &self.frames {
            h.mark_proto(f.proto());
        }
        h.mark(self.handlers);
        h.mark(self.winders);
        h.mark(self.raise_proc);
        if let Some(hook) = self.extra_roots {
            let mut extra = Vec::new();
            hook(self, &mut extra);
            for v in extra {
                self.heap.mark(v);
            }
        }
        self.heap.finish();
    }

    /// Counts toward the next collection check; see `tick!` in [`Vm::run`].
    #[cold]
    #[inline(never)]
    pub(crate) fn poll(&mut self) -> Result<(), Error> {
        if self.heap.wants_collection() {
            self.collect_garbage();
        }
        if self.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::with("interrupt", "interrupted", vec![]));
        }
        Ok(())
    }
}
