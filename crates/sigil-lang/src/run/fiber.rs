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
}

impl Continuation {
    /// Reports the values the continuation keeps alive.
    pub fn trace(&self, out: &mut Vec<Value>) {
        out.extend_from_slice(&self.stack);
        out.extend([self.handlers, self.winders]);
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
