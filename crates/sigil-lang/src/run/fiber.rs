//! Fibers and continuations: the control state the scheduler swaps between tasks, and
//! the copies of it that `call/cc` captures.

use crate::read::syntax::Span;
use crate::run::call::{Flow, Frame, Outcome};
use crate::run::value::*;
use crate::run::vm::{Uncaught, Vm, TOPLEVEL_FRAMES};

/// A captured continuation: a copy of the control stack and the dynamic state.
pub struct Continuation {
    /// Values below the `call/cc` call.
    pub(crate) stack: Vec<Value>,
    /// Frames at capture.
    pub(crate) frames: Vec<Frame>,
    /// Exception handler stack at capture.
    pub(crate) handlers: Value,
    /// `dynamic-wind` stack at capture.
    pub(crate) winders: Value,
    /// For an escape-only continuation (`%call/ec`), which copies nothing (`stack` and
    /// `frames` are empty): where it returns to.
    pub(crate) escape: Option<Escape>,
}

/// Where an escape-only continuation returns: the frame that called `%call/ec`, which
/// must still be running, at the frame and stack heights of the call.
pub(crate) struct Escape {
    /// The number of frames, the caller's included.
    pub(crate) frames: usize,
    /// The stack height below the `%call/ec` call.
    pub(crate) stack: usize,
    /// The caller's frame (its code is not read: it is only compared).
    pub(crate) frame: Frame,
    /// The closure running in the caller's frame, which keeps its code alive.
    pub(crate) closure: Value,
}

impl Continuation {
    /// Reports the values the continuation keeps alive.
    pub fn trace(&self, out: &mut Vec<Value>) {
        out.extend_from_slice(&self.stack);
        out.extend([self.handlers, self.winders]);
        out.extend(self.escape.as_ref().map(|e| e.closure));
    }
}

impl Vm {
    /// Whether escape `e` may return to its frame: the frame is still the one that
    /// called `%call/ec` (same closure, stack position and return point), and above the
    /// frames of Rust code that called [`Vm::apply`].
    pub(crate) fn may_escape(&self, e: &Escape) -> bool {
        let (floor_frames, floor_stack) = self.floor;
        if e.frames < floor_frames.max(1) || e.stack < floor_stack {
            return false;
        }
        let (Some(f), true) = (self.frames.get(e.frames - 1), self.stack.len() >= e.stack) else {
            return false;
        };
        f.base == e.frame.base
            && f.pc == e.frame.pc
            && std::ptr::eq(f.proto, e.frame.proto)
            && self
                .stack
                .get(f.base as usize - 1)
                .is_some_and(|c| c.eq(e.closure))
    }
}

/// A native call that parked its task: how to continue it when the task is resumed.
#[derive(Clone, Copy)]
pub struct ParkedCall {
    pub(crate) argc: usize,
    pub(crate) tail: bool,
    pub(crate) resume: Resume,
}

/// The control state of one coroutine: what the VM swaps when the scheduler switches
/// tasks.
pub struct Fiber {
    /// Value stack.
    pub(crate) stack: Vec<Value>,
    /// Frames.
    pub(crate) frames: Vec<Frame>,
    /// Exception handlers.
    pub(crate) handlers: Value,
    /// `dynamic-wind` entries.
    pub(crate) winders: Value,
    /// The native call the fiber is parked in, if any.
    pub(crate) parked: Option<ParkedCall>,
}

impl Fiber {
    /// A fiber about to call `thunk` with no arguments.
    pub fn new(thunk: Value) -> Fiber {
        Fiber {
            stack: vec![thunk],
            frames: Vec::new(),
            handlers: Value::Null,
            winders: Value::Null,
            parked: None,
        }
    }

    /// Reports the values the fiber keeps alive.
    pub fn trace(&self, out: &mut Vec<Value>) {
        out.extend_from_slice(&self.stack);
        out.extend([self.handlers, self.winders]);
    }
}

/// How a task's run ended.
pub enum TaskOutcome {
    /// It returned a value.
    Done(Value),
    /// It parked waiting for something.
    Parked(Wait),
    /// It raised an error nobody handled.
    Failed(Uncaught),
}

impl Vm {
    /// Exchanges the VM's control state with `fiber` (the scheduler's task switch).
    pub fn swap_fiber(&mut self, fiber: &mut Fiber) {
        std::mem::swap(&mut self.stack, &mut fiber.stack);
        std::mem::swap(&mut self.frames, &mut fiber.frames);
        std::mem::swap(&mut self.handlers, &mut fiber.handlers);
        std::mem::swap(&mut self.winders, &mut fiber.winders);
        std::mem::swap(&mut self.parked, &mut fiber.parked);
    }

    /// Runs the fiber currently swapped in (see [`Vm::swap_fiber`]) until it finishes,
    /// parks or fails: starts it if it is new, else continues its parked native call.
    pub fn run_task(&mut self) -> TaskOutcome {
        let was = std::mem::replace(&mut self.suspendable, true);
        // The task's own stack is all the VM holds now: nothing below it to protect.
        let floor = std::mem::take(&mut self.floor);
        let parked = self.parked.take();
        let r = self.contained(|vm| {
            let flow = match parked {
                None => vm.call(0, false, 0),
                Some(ParkedCall { argc, tail, resume }) => match resume {
                    Resume::Retry => vm.call(argc, tail, 0),
                    Resume::Return(v) => vm.return_value(v, tail, 0),
                },
            };
            match flow {
                Ok(Flow::Continue) => vm.run(0),
                Ok(Flow::Done(v)) => Ok(Outcome::Done(v)),
                Ok(Flow::Park(w)) => Ok(Outcome::Parked(w)),
                Err(e) => Err(e),
            }
        });
        self.suspendable = was;
        self.floor = floor;
        match r {
            Ok(Outcome::Done(v)) => TaskOutcome::Done(v),
            Ok(Outcome::Parked(w)) => TaskOutcome::Parked(w),
            Err(e) => {
                let u = self.last_uncaught.take().unwrap_or(Uncaught {
                    value: e,
                    span: Span::default(),
                    trace: vec![],
                });
                self.frames.clear();
                self.stack.clear();
                self.depth_limit = self.max_depth + TOPLEVEL_FRAMES;
                TaskOutcome::Failed(u)
            }
        }
    }
}
