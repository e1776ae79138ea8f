//! `(sigil async)`: coroutines on the VM's fibers. A task is a Scheme computation with its
//! own stack; when a native parks it (`sleep`, `yield`, `await`, `channel-get`, a socket
//! that is not ready), the scheduler switches to another task. Timers come from a heap,
//! socket readiness from the OS (epoll through `polling`).

use crate::native;
use crate::natives::builtins::control::deadline_after;
use crate::natives::{FromValue, Opaque, Proc, Registry};
use crate::run::ctx::Ctx;
use crate::run::fiber::{Fiber, TaskOutcome};
use crate::run::heap::Heap;
use crate::run::native::Descriptor;
use crate::run::value::{Ctl, Error, NResult, NativeObject, Object, Resume, Value, Wait};
use crate::run::vm::{Uncaught, Vm};
use polling::{Event, Events, Poller};
use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

type TaskId = u32;

struct Task {
    /// `None` while the task runs (its state is in the VM).
    fiber: Option<Fiber>,
    result: Option<Result<Value, Value>>,
    waiters: Vec<TaskId>,
    /// Bumped on every wake, so stale timer entries are ignored.
    generation: u64,
    /// The descriptor the task waits on, registered with the poller (held open while
    /// the task waits).
    fd: Option<Descriptor>,
    /// Deadline of a `channel-get` with a timeout, kept across retries.
    deadline: Option<Instant>,
    /// The error the task ended with, until someone awaits it.
    failure: Option<Uncaught>,
    /// Whether the task's error reached a waiter (`await` or `async-run` itself).
    reported: bool,
    /// Whether the task is in the ready queue.
    queued: bool,
    /// Nobody can await it (`spawn-detached`): forgotten when it ends, its error
    /// reported at once.
    detached: bool,
}

/// The scheduler state, kept in `vm.host` while `async-run` runs.
struct Scheduler {
    tasks: HashMap<TaskId, Task>,
    next_id: TaskId,
    ready: VecDeque<TaskId>,
    timers: BinaryHeap<Reverse<(Instant, TaskId, u64)>>,
    poller: Poller,
    /// Descriptors registered with the poller (kept between waits).
    registered: std::collections::HashSet<i32>,
    fd_waits: usize,
    current: Option<TaskId>,
    /// The computation that called `async-run`, parked while tasks run.
    outer: Option<Fiber>,
    /// Thunks to start as tasks on the next interrupt, by number (`%on-interrupt`).
    on_interrupt: Vec<(i64, Value)>,
    next_hook: i64,
}

/// A task handle as a Scheme object.
struct TaskHandle(TaskId);

impl NativeObject for TaskHandle {
    fn type_name(&self) -> &str {
        "task"
    }
    fn expected() -> &'static str {
        "a task"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An unbounded channel between tasks.
struct Channel {
    items: VecDeque<Value>,
    waiters: VecDeque<TaskId>,
}

impl NativeObject for Channel {
    fn type_name(&self) -> &str {
        "channel"
    }
    fn expected() -> &'static str {
        "a channel"
    }
    fn trace(&self, out: &mut Vec<Value>) {
        out.extend(self.items.iter().copied());
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn sched(vm: &mut Vm) -> Option<&mut Scheduler> {
    vm.host
        .get_mut(&TypeId::of::<Scheduler>())
        .and_then(|b| b.downcast_mut::<Scheduler>())
}

fn require(vm: &mut Vm) -> NResult<&mut Scheduler> {
    sched(vm).ok_or_else(|| Error::new("error", "no scheduler is running (use async-run)"))
}

/// GC roots of the scheduler: every parked fiber, the outer computation, task results.
fn trace_scheduler(vm: &Vm, out: &mut Vec<Value>) {
    let Some(s) = vm
        .host
        .get(&TypeId::of::<Scheduler>())
        .and_then(|b| b.downcast_ref::<Scheduler>())
    else {
        return;
    };
    for t in s.tasks.values() {
        if let Some(f) = &t.fiber {
            f.trace(out);
        }
        if let Some(Ok(v) | Err(v)) = t.result {
            out.push(v);
        }
    }
    if let Some(f) = &s.outer {
        f.trace(out);
    }
    out.extend(s.on_interrupt.iter().map(|(_, thunk)| *thunk));
}

impl Scheduler {
    fn spawn(&mut self, thunk: Value) -> TaskId {
        let id = self.next_id;
        self.next_id += 1;
        self.tasks.insert(
            id,
            Task {
                fiber: Some(Fiber::new(thunk)),
                result: None,
                waiters: Vec::new(),
                generation: 0,
                fd: None,
                deadline: None,
                failure: None,
                reported: false,
                queued: true,
                detached: false,
            },
        );
        self.ready.push_back(id);
        id
    }

    /// Starts a task that nobody can await (see `spawn-detached`).
    fn spawn_detached(&mut self, thunk: Value) -> TaskId {
        let id = self.spawn(thunk);
        if let Some(t) = self.tasks.get_mut(&id) {
            t.detached = true;
        }
        id
    }

    /// An interrupt came: starts the tasks registered for it, and tells whether there
    /// were any (else the interrupt stops the scheduler).
    fn take_interrupt(&mut self) -> bool {
        let hooks = std::mem::take(&mut self.on_interrupt);
        for (_, thunk) in &hooks {
            self.spawn_detached(*thunk);
        }
        !hooks.is_empty()
    }

    /// Makes a waiting task runnable again.
    fn wake(&mut self, id: TaskId) {
        self.wake_by(id, false);
    }

    /// Makes a waiting task runnable; `by_fd` when its descriptor's event woke it (the
    /// oneshot registration is then already disarmed).
    fn wake_by(&mut self, id: TaskId, by_fd: bool) {
        let Some(t) = self.tasks.get_mut(&id) else {
            return;
        };
        if t.result.is_some() || t.queued {
            return;
        }
        t.generation += 1;
        if let Some(fd) = t.fd.take() {
            if !by_fd {
                // Woken by something else (a timer): disarm, so a later event on the
                // descriptor cannot wake the task while it waits for something else.
                let _ = self.poller.modify(fd.as_fd(), Event::none(id as usize));
            }
            // The registration stays (oneshot: disarmed until `park` re-arms it), which
            // saves two system calls per wait on a busy socket.
            self.fd_waits -= 1;
        }
        t.queued = true;
        self.ready.push_back(id);
    }

    /// A scheduler with no task yet.
    fn new(poller: Poller) -> Scheduler {
        Scheduler {
            tasks: HashMap::new(),
            next_id: 1,
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            poller,
            registered: Default::default(),
            fd_waits: 0,
            current: None,
            outer: None,
            on_interrupt: Vec::new(),
            next_hook: 0,
        }
    }

    /// Adds a timer entry. Entries of tasks woken another way stay in the heap,
    /// stale, until their time; a server whose every receive waits with a deadline
    /// (keepalive) would pile up one per message, so once stale entries could
    /// outnumber the tasks they are dropped (each task has at most one live entry, so
    /// this costs O(1) per entry over time).
    fn add_timer(&mut self, t: Instant, id: TaskId, generation: u64) {
        if self.timers.len() >= 2 * self.tasks.len() + 64 {
            let tasks = &self.tasks;
            self.timers.retain(|Reverse((_, id, generation))| {
                tasks.get(id).is_some_and(|t| t.generation == *generation)
            });
        }
        self.timers.push(Reverse((t, id, generation)));
    }

    fn park(&mut self, id: TaskId, wait: Wait) -> Result<(), std::io::Error> {
        let generation = self.tasks.get(&id).map_or(0, |t| t.generation);
        match wait {
            Wait::Yield => {
                if let Some(t) = self.tasks.get_mut(&id) {
                    t.queued = true;
                }
                self.ready.push_back(id)
            }
            Wait::Until(t) => self.add_timer(t, id, generation),
            Wait::Readable(_)
            | Wait::Writable(_)
            | Wait::ReadableUntil(..)
            | Wait::WritableUntil(..) => {
                let key = id as usize;
                let (fd, ev, deadline) = match wait {
                    Wait::Writable(d) => (d, Event::writable(key), None),
                    Wait::WritableUntil(d, t) => (d, Event::writable(key), Some(t)),
                    Wait::Readable(d) => (d, Event::readable(key), None),
                    Wait::ReadableUntil(d, t) => (d, Event::readable(key), Some(t)),
                    _ => return Ok(()),
                };
                if let Some(t) = deadline {
                    self.add_timer(t, id, generation);
                }
                // Re-arm a registration this scheduler made before; a descriptor number
                // whose socket was closed (the kernel dropped it) or reused is added afresh.
                // The task holds `fd` open until it is woken.
                let raw = fd.as_fd().as_raw_fd();
                if !self.registered.contains(&raw) || self.poller.modify(fd.as_fd(), ev).is_err() {
                    // SAFETY: `polling` asks that a source be removed before it is closed.
                    // The registration outlives the wait: closing the last descriptor of a
                    // socket drops its registrations (epoll), and the poller goes when
                    // `async-run` returns.
                    match unsafe { self.poller.add(raw, ev) } {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            self.poller.modify(fd.as_fd(), ev)?
                        }
                        Err(e) => return Err(e),
                    }
                    self.registered.insert(raw);
                }
                if let Some(t) = self.tasks.get_mut(&id) {
                    t.fd = Some(fd);
                }
                self.fd_waits += 1;
            }
            Wait::Event => {}
        }
        Ok(())
    }
}

/// How the error of a task that nobody will see otherwise is reported: a detached
/// task's when it ends, an unawaited one's when `async-run` returns. The embedder
/// installs it in the VM's host data (`Interpreter::on_task_error`); without one, such
/// errors go unreported.
pub(crate) struct TaskErrorReport(pub(crate) Box<ReportFn>);

/// What reports a task's error: given the VM, the task's number and the error.
pub(crate) type ReportFn = dyn Fn(&Vm, u32, &Uncaught);

/// Reports the error `u` that task `id` ended with, after the program's output so far.
fn report_failure(vm: &mut Vm, id: TaskId, u: &Uncaught) {
    vm.flush();
    let vm: &Vm = vm;
    if let Some(report) = vm
        .host
        .get(&TypeId::of::<TaskErrorReport>())
        .and_then(|b| b.downcast_ref::<TaskErrorReport>())
    {
        (report.0)(vm, id, u);
    }
}

/// `(%async-run thunk exit)`, which `(sigil async)` calls as `(async-run thunk)`: runs
/// `thunk` as the main task, and every task it spawns, until the main task has finished
/// and no task is ready to run; returns the main task's value or raises its error. When a
/// task calls `exit`, which has run the task's own `dynamic-wind` after-thunks, the
/// scheduler stops and the caller calls `exit` (the procedure given) with the same
/// status: the caller's after-thunks run too before the program ends.
#[native("%async-run")]
fn async_run(ctx: &mut Ctx, thunk: Proc, exit: Proc) -> NResult<Ctl> {
    let exit = ctx.keep(exit.0);
    let result = run_scheduler(ctx.vm, thunk);
    let exit = ctx.release(exit);
    match result {
        Err(e) => match e.raised().and_then(|v| unwinding_exit(ctx.vm, v)) {
            Some(code) => Ok(Ctl::TailCall(exit, vec![Value::Int(code.into())])),
            None => Err(e),
        },
        Ok(v) => Ok(Ctl::Return(v)),
    }
}

/// The status of `v`, when it is the condition of a call of `exit` (not `emergency-exit`).
fn unwinding_exit(vm: &Vm, v: Value) -> Option<i32> {
    match vm.heap.obj(v) {
        Some(Object::Condition(c)) if c.exit_unwinds() => c.exit_code(),
        _ => None,
    }
}

/// Runs the scheduler for `async-run` with `thunk` as the main task.
fn run_scheduler(vm: &mut Vm, thunk: Proc) -> NResult {
    if sched(vm).is_some() {
        return Err(Error::new("error", "a scheduler is already running"));
    }
    let poller = Poller::new().map_err(|e| Error::new("error", e.to_string()))?;
    let mut s = Scheduler::new(poller);
    let main = s.spawn(thunk.0);
    // Park the caller's computation; the VM starts each task from an empty state.
    let mut outer = Fiber::new(Value::Null);
    outer.stack.clear();
    vm.swap_fiber(&mut outer);
    s.outer = Some(outer);
    vm.host.insert(TypeId::of::<Scheduler>(), Box::new(s));
    let saved_roots = vm.extra_roots.replace(trace_scheduler);
    let result = schedule(vm, main);
    vm.interrupt_wanted.store(false, Ordering::Relaxed);
    vm.extra_roots = saved_roots;
    let mut s = vm
        .host
        .remove(&TypeId::of::<Scheduler>())
        .and_then(|b| b.downcast::<Scheduler>().ok())
        .ok_or_else(|| Error::new("error", "scheduler state lost"))?;
    let mut outer = s.outer.take().unwrap_or_else(|| Fiber::new(Value::Null));
    vm.swap_fiber(&mut outer);
    result
}

/// The scheduler loop.
fn schedule(vm: &mut Vm, main: TaskId) -> NResult {
    let mut events = Events::new();
    loop {
        // One round: the tasks ready now. Tasks that yield or wake during the round run in
        // the next one, after the poller has been checked, so sockets and timers are
        // served even while some task keeps yielding.
        let round = sched(vm).map_or(0, |s| s.ready.len());
        for _ in 0..round {
            let next = sched(vm).and_then(|s| {
                let id = s.ready.pop_front()?;
                if let Some(t) = s.tasks.get_mut(&id) {
                    t.queued = false;
                }
                Some(id)
            });
            match next {
                Some(id) => run_one(vm, id)?,
                None => break,
            }
        }
        let s = require(vm)?;
        // Once the main task has finished, tasks that still wait (for a timer, a socket, a
        // channel or another task) are abandoned: a socket that never becomes ready must
        // not keep `async-run` from returning.
        if s.ready.is_empty() && s.tasks.get(&main).is_none_or(|t| t.result.is_some()) {
            break;
        }
        if vm.interrupt.swap(false, Ordering::Relaxed) {
            // Tasks registered for it take the interrupt; without them it stops everything.
            if !require(vm)?.take_interrupt() {
                return Err(Error::with("interrupt", "interrupted", vec![]));
            }
            vm.interrupt_wanted.store(false, Ordering::Relaxed);
            continue;
        }
        let s = require(vm)?;
        // Timer entries of tasks woken another way are stale: they keep nothing alive.
        // (Looked at only when nothing else can wake a task: a server keeps thousands
        // of stale handshake deadlines, and this runs every round.)
        let live_timers = || {
            s.timers.iter().any(|Reverse((_, id, generation))| {
                s.tasks.get(id).is_some_and(|t| t.generation == *generation)
            })
        };
        if s.fd_waits == 0 && s.ready.is_empty() && !live_timers() {
            return Err(Error::new(
                "error",
                "deadlock: every task is waiting for another task or a channel",
            ));
        }
        let s = require(vm)?;
        let now = Instant::now();
        // At most 50 ms, so that an interrupt is noticed within 50 ms (docs/embedding.md).
        let mut timeout = Duration::from_millis(50);
        if let Some(Reverse((t, _, _))) = s.timers.peek() {
            timeout = timeout.min(t.saturating_duration_since(now));
        }
        if !s.ready.is_empty() {
            // Tasks are waiting to run: only collect what is ready already.
            timeout = Duration::ZERO;
        }
        events.clear();
        if s.fd_waits > 0 || !timeout.is_zero() {
            // With a zero timeout this only collects what is ready already.
            s.poller
                .wait(&mut events, Some(timeout))
                .map_err(|e| Error::new("error", e.to_string()))?;
        }
        for ev in events.iter() {
            s.wake_by(ev.key as TaskId, true);
        }
        let now = Instant::now();
        while let Some(Reverse((t, id, generation))) = s.timers.peek().copied() {
            if t > now {
                break;
            }
            s.timers.pop();
            if s.tasks
                .get(&id)
                .is_some_and(|task| task.generation == generation)
            {
                s.wake(id);
            }
        }
    }
    let s = require(vm)?;
    let mut unawaited: Vec<(TaskId, Uncaught)> = s
        .tasks
        .iter_mut()
        .filter(|(id, t)| **id != main && !t.reported)
        .filter_map(|(id, t)| t.failure.take().map(|u| (*id, u)))
        .collect();
    unawaited.sort_by_key(|(id, _)| *id);
    for (id, u) in unawaited {
        report_failure(vm, id, &u);
    }
    let s = require(vm)?;
    match s.tasks.get_mut(&main).and_then(|t| {
        t.reported = true;
        t.result
    }) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Error::raise(e)),
        None => Err(Error::new("error", "main task did not finish")),
    }
}

/// Runs one task until it parks or ends.
fn run_one(vm: &mut Vm, id: TaskId) -> NResult<()> {
    let s = require(vm)?;
    let Some(mut fiber) = s.tasks.get_mut(&id).and_then(|t| t.fiber.take()) else {
        return Ok(());
    };
    s.current = Some(id);
    vm.swap_fiber(&mut fiber);
    let outcome = vm.run_task();
    vm.swap_fiber(&mut fiber);
    let failure = match &outcome {
        // `exit` in a task ends the whole program.
        TaskOutcome::Failed(u) if vm.exit_code(u.value).is_some() => {
            return Err(Error::raise(u.value));
        }
        TaskOutcome::Failed(u) => Some(u.clone()),
        _ => None,
    };
    let s = require(vm)?;
    s.current = None;
    let task = s
        .tasks
        .get_mut(&id)
        .ok_or_else(|| Error::new("error", "lost a task"))?;
    task.fiber = Some(fiber);
    let finished = match outcome {
        TaskOutcome::Parked(w) => {
            s.park(id, w)
                .map_err(|e| Error::new("error", e.to_string()))?;
            return Ok(());
        }
        TaskOutcome::Done(v) => Ok(v),
        TaskOutcome::Failed(u) => Err(u.value),
    };
    task.fiber = None;
    if task.detached {
        // Nobody can wait for it: forget it, so that a server spawning a task per
        // connection does not keep one per connection it ever served.
        s.tasks.remove(&id);
        if let Some(u) = failure {
            report_failure(vm, id, &u);
        }
        return Ok(());
    }
    task.result = Some(finished);
    task.failure = failure;
    let waiters = std::mem::take(&mut task.waiters);
    for w in waiters {
        s.wake(w);
    }
    Ok(())
}

/// The task running now.
fn current(vm: &mut Vm) -> NResult<TaskId> {
    require(vm)?
        .current
        .ok_or_else(|| Error::new("error", "not called from a task"))
}

/// `(spawn thunk)`: a new task running `thunk`.
#[native("spawn")]
fn spawn(ctx: &mut Ctx, thunk: Proc) -> NResult<TaskHandle> {
    Ok(TaskHandle(require(ctx.vm)?.spawn(thunk.0)))
}

/// `(spawn-detached thunk)`: starts a task that nobody awaits; it is forgotten when it
/// ends, and an error it ends with is reported on stderr at once.
#[native("spawn-detached")]
fn spawn_detached(ctx: &mut Ctx, thunk: Proc) -> NResult<()> {
    require(ctx.vm)?.spawn_detached(thunk.0);
    Ok(())
}

/// `(%on-interrupt thunk)` → a number for `%cancel-on-interrupt`. The next interrupt
/// (Ctrl-C) does not stop the scheduler: it starts `thunk` as a detached task, once,
/// with every other thunk registered. Meanwhile running code leaves the interrupt to the
/// scheduler, which notices it within 50 ms.
#[native("%on-interrupt")]
fn on_interrupt(ctx: &mut Ctx, thunk: Proc) -> NResult<i64> {
    let s = require(ctx.vm)?;
    let id = s.next_hook;
    s.next_hook += 1;
    s.on_interrupt.push((id, thunk.0));
    ctx.vm.interrupt_wanted.store(true, Ordering::Relaxed);
    Ok(id)
}

/// `(%cancel-on-interrupt n)`: forgets the thunk `%on-interrupt` registered as `n`
/// (nothing when it already ran, or outside the scheduler that registered it).
#[native("%cancel-on-interrupt")]
fn cancel_on_interrupt(ctx: &mut Ctx, id: i64) {
    if let Some(s) = sched(ctx.vm) {
        s.on_interrupt.retain(|(n, _)| *n != id);
        let wanted = !s.on_interrupt.is_empty();
        ctx.vm.interrupt_wanted.store(wanted, Ordering::Relaxed);
    }
}

/// `(yield)`: lets the other ready tasks run first.
#[native("yield")]
fn yield_now() -> NResult<Ctl> {
    Ok(Ctl::Park(Wait::Yield, Resume::Return(Value::Unspecified)))
}

/// A task argument: its id.
struct TaskArg(TaskId);

impl FromValue<'_> for TaskArg {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.opaque::<TaskHandle>(v).map(|t| TaskArg(t.0))
    }
    fn expected() -> Cow<'static, str> {
        TaskHandle::expected().into()
    }
}

/// `(await task)`: the task's value, waiting for it to finish; raises its error.
#[native("await")]
fn await_task(ctx: &mut Ctx, target: TaskArg) -> NResult<Ctl> {
    let target = target.0;
    let me = current(ctx.vm)?;
    let task = require(ctx.vm)?
        .tasks
        .get_mut(&target)
        .ok_or_else(|| Error::new("error", "unknown task"))?;
    match task.result {
        Some(Ok(v)) => Ok(Ctl::Return(v)),
        Some(Err(e)) => {
            task.reported = true;
            Err(Error::raise(e))
        }
        None if target == me => Err(Error::new("error", "a task cannot wait for itself")),
        None => {
            task.waiters.push(me);
            Ok(Ctl::Park(Wait::Event, Resume::Retry))
        }
    }
}

/// `(task? obj)`.
#[native("task?")]
fn is_task(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().opaque::<TaskHandle>(v).is_some()
}

/// `(task-done? task)`: whether the task has finished.
#[native("task-done?")]
fn task_done(ctx: &mut Ctx, task: TaskArg) -> NResult<bool> {
    let s = require(ctx.vm)?;
    Ok(s.tasks.get(&task.0).is_some_and(|t| t.result.is_some()))
}

/// `(make-channel)`: a new, empty channel.
#[native("make-channel")]
fn make_channel() -> Channel {
    Channel {
        items: VecDeque::new(),
        waiters: VecDeque::new(),
    }
}

/// `(channel? obj)`.
#[native("channel?")]
fn is_channel(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().opaque::<Channel>(v).is_some()
}

/// `(channel-put channel obj)`: adds `obj`, waking a task that waits for one.
#[native("channel-put")]
fn channel_put(ctx: &mut Ctx, ch: Opaque<Channel>, v: Value) -> NResult<()> {
    let ch = ch.get_mut(ctx)?;
    ch.items.push_back(v);
    let waiter = ch.waiters.pop_front();
    if let (Some(w), Some(s)) = (waiter, sched(ctx.vm)) {
        s.wake(w);
    }
    Ok(())
}

/// `(channel-get channel [timeout-seconds [default]])`: the next value, waiting for one;
/// after the timeout, `default` (`#f` when not given).
#[native("channel-get")]
fn channel_get(
    ctx: &mut Ctx,
    ch: Opaque<Channel>,
    timeout: Option<f64>,
    default: Option<Value>,
) -> NResult<Ctl> {
    let default = default.unwrap_or(Value::Bool(false));
    let in_task = sched(ctx.vm).and_then(|s| s.current);
    let channel = ch.get_mut(ctx)?;
    if let Some(v) = channel.items.pop_front() {
        if let (Some(me), Some(s)) = (in_task, sched(ctx.vm)) {
            if let Some(t) = s.tasks.get_mut(&me) {
                t.deadline = None;
            }
        }
        return Ok(Ctl::Return(v));
    }
    let Some(me) = in_task else {
        // No task can fill the channel while this thread waits: wait out the timeout.
        let Some(secs) = timeout else {
            return Err(Error::new(
                "error",
                "the channel is empty and no scheduler is running to fill it",
            ));
        };
        return Ok(Ctl::Park(
            Wait::Until(deadline_after(secs)),
            Resume::Return(default),
        ));
    };
    if !channel.waiters.contains(&me) {
        channel.waiters.push_back(me);
    }
    let task = require(ctx.vm)?
        .tasks
        .get_mut(&me)
        .ok_or_else(|| Error::new("error", "lost task"))?;
    let Some(secs) = timeout else {
        return Ok(Ctl::Park(Wait::Event, Resume::Retry));
    };
    let deadline = *task.deadline.get_or_insert_with(|| deadline_after(secs));
    if Instant::now() >= deadline {
        task.deadline = None;
        ch.get_mut(ctx)?.waiters.retain(|w| *w != me);
        return Ok(Ctl::Return(default));
    }
    Ok(Ctl::Park(Wait::Until(deadline), Resume::Retry))
}

/// Registers the `(sigil %async)` natives that `(sigil async)` wraps.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        ASYNC_RUN,
        SPAWN,
        SPAWN_DETACHED,
        ON_INTERRUPT,
        CANCEL_ON_INTERRUPT,
        YIELD_NOW,
        AWAIT_TASK,
        IS_TASK,
        TASK_DONE,
        MAKE_CHANNEL,
        IS_CHANNEL,
        CHANNEL_PUT,
        CHANNEL_GET,
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_timer_entries_are_dropped() {
        let mut s = Scheduler::new(Poller::new().unwrap());
        let ids: Vec<TaskId> = (0..10).map(|_| s.spawn(Value::Null)).collect();
        let later = Instant::now() + Duration::from_secs(60);
        // Every task waits with a deadline, is woken another way, waits again...
        for round in 0..1000u64 {
            for &id in &ids {
                s.add_timer(later, id, round);
                s.tasks.get_mut(&id).unwrap().generation = round + 1;
            }
            assert!(s.timers.len() <= 2 * ids.len() + 64 + ids.len());
        }
        // ...while a live entry is kept.
        s.tasks.get_mut(&ids[0]).unwrap().generation = 7;
        s.add_timer(later, ids[0], 7);
        for _ in 0..200 {
            s.add_timer(later, ids[1], 0);
        }
        assert!(s
            .timers
            .iter()
            .any(|Reverse((_, id, g))| *id == ids[0] && *g == 7));
    }
}
