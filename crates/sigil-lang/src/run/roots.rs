//! Garbage collection roots: what the VM marks before the heap sweeps, and the periodic
//! check (collection, interrupts) made at procedure calls.

use crate::run::value::*;
use crate::run::vm::Vm;
use std::sync::atomic::Ordering;

/// A value rooted by `keep` ([`Interpreter::keep`](crate::Interpreter::keep),
/// [`Ctx::keep`](crate::Ctx::keep)): the collector will not free it (or anything it refers
/// to) until it is given back to `release` on the same interpreter. Dropping a `Kept`
/// without releasing it keeps the value alive for the interpreter's lifetime.
#[derive(Debug)]
#[must_use = "a kept value stays rooted until released"]
pub struct Kept {
    pub(crate) index: usize,
    value: Value,
}

impl Kept {
    /// The kept value.
    pub fn value(&self) -> Value {
        self.value
    }
}

impl Vm {
    /// Roots `v` until [`Vm::release`]. Only heap objects need rooting; other values are
    /// returned in a `Kept` as is.
    pub(crate) fn keep(&mut self, v: Value) -> Kept {
        if !matches!(v, Value::Obj(_)) {
            return Kept {
                index: usize::MAX,
                value: v,
            };
        }
        let roots = &mut self.roots;
        let index = match roots.iter().position(|r| matches!(r, Value::Undefined)) {
            Some(i) => {
                roots[i] = v;
                i
            }
            None => {
                roots.push(v);
                roots.len() - 1
            }
        };
        Kept { index, value: v }
    }

    /// Unroots a kept value and returns it.
    pub(crate) fn release(&mut self, k: Kept) -> Value {
        let roots = &mut self.roots;
        if let Some(slot) = roots.get_mut(k.index) {
            *slot = Value::Undefined;
        }
        while matches!(roots.last(), Some(Value::Undefined)) {
            roots.pop();
        }
        k.value
    }

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
        h.mark(self.rewind_proc);
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
        // While the scheduler wants it, the interrupt is left for it to take.
        if !self.interrupt_wanted.load(Ordering::Relaxed)
            && self.interrupt.swap(false, Ordering::Relaxed)
        {
            return Err(Error::with("interrupt", "interrupted", vec![]));
        }
        Ok(())
    }
}
