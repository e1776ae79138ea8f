//! Named-let loops that run in the frame of the procedure around them, and which
//! variables closures capture once they do.
//!
//! A named `let` (and `do`, which expands to one) is a `letrec` of a lambda and a call of
//! it. When the loop's name is only ever called, with the right number of arguments, from
//! tail positions of the loop's own body (no closure refers to it, nothing assigns it),
//! the loop needs no closure and no frame: its variables become slots of the enclosing
//! procedure, the first call stores the initial values into them, and each call in the
//! body stores the new values and jumps back. Variables of the enclosing procedure that
//! the body uses are then plain locals rather than captured values.

use crate::compile::tree::{Lambda, Node, VarId, VarInfo};
use crate::read::symbol::{FastMap, FastSet};

/// The parts of a named `let` as the expander writes it,
/// `(Scope [v] (Seq [(SetLocal v (Lambda l)) (Call (Local v) inits)]))`: the loop
/// variable, the loop's lambda and the initial values.
pub fn named_let(node: &Node) -> Option<(VarId, &Lambda, &[Node])> {
    let Node::Scope(vars, body) = node else {
        return None;
    };
    let ([v], Node::Seq(items)) = (&vars[..], &**body) else {
        return None;
    };
    match &items[..] {
        [Node::SetLocal(s, init), Node::Call(f, inits, _)] if s == v => match (&**init, &**f) {
            (Node::Lambda(l), Node::Local(c)) if c == v && l.self_var == Some(*v) => {
                Some((*v, l, inits))
            }
            _ => None,
        },
        _ => None,
    }
}

/// What code generation needs to know of a form's loops and captured variables.
pub struct Loops<'a> {
    vars: &'a [VarInfo],
    /// Each named let's loop variable → whether the loop runs inline.
    decided: FastMap<VarId, bool>,
    /// Variables used from a frame other than the one that binds them.
    captured: FastSet<VarId>,
    /// The frame each variable is bound in.
    frame_of: FastMap<VarId, u32>,
    frames: u32,
}

impl<'a> Loops<'a> {
    /// Analyses the form `root` over the expander's variable table.
    pub fn analyse(root: &Node, vars: &'a [VarInfo]) -> Loops<'a> {
        let mut loops = Loops {
            vars,
            decided: FastMap::default(),
            captured: FastSet::default(),
            frame_of: FastMap::default(),
            frames: 1,
        };
        loops.walk(root, 0, None);
        loops
    }

    /// Whether the named let of loop variable `v` runs inline.
    pub fn inline(&self, v: VarId) -> bool {
        self.decided.get(&v) == Some(&true)
    }

    /// Whether a closure captures `v`. A variable bound by `letrec` or an internal
    /// `define` other than a loop keeps the expander's verdict: a direct read of one
    /// before its initialisation is checked by the expander, a captured one by its box.
    pub fn captured(&self, v: VarId) -> bool {
        let info = &self.vars[v as usize];
        if info.assigned && !self.decided.contains_key(&v) {
            return info.captured;
        }
        self.captured.contains(&v)
    }

    /// Decides (once) whether the loop of `v`, lambda `l`, started with `inits`, runs
    /// inline.
    fn is_inline(&mut self, v: VarId, l: &Lambda, inits: &[Node]) -> bool {
        if let Some(&d) = self.decided.get(&v) {
            return d;
        }
        let ok = l.rest.is_none()
            && inits.len() == l.params.len()
            && !self.vars[v as usize].mutated
            && self.tail_calls_only(&l.body, v, l.params.len(), true);
        self.decided.insert(v, ok);
        ok
    }

    /// Whether `node` uses loop variable `v` only as the callee of calls with `argc`
    /// arguments in tail position (`tail` says whether `node` is in one), counting the
    /// bodies of inline loops in tail position as tail positions.
    fn tail_calls_only(&mut self, node: &Node, v: VarId, argc: usize, tail: bool) -> bool {
        let ok = |this: &mut Self, n: &Node, t: bool| this.tail_calls_only(n, v, argc, t);
        match node {
            Node::Local(x) => *x != v,
            Node::SetLocal(x, e) => *x != v && ok(self, e, false),
            Node::Const(_) | Node::Global(..) => true,
            Node::SetGlobal(_, e) | Node::DefGlobal(_, e) => ok(self, e, false),
            Node::If(c, t, e) => ok(self, c, false) && ok(self, t, tail) && ok(self, e, tail),
            Node::Lambda(l) => !l.body.mentions(v),
            Node::Seq(items) => {
                let last = items.len().saturating_sub(1);
                (0..items.len()).all(|i| ok(self, &items[i], tail && i == last))
            }
            Node::Prim(_, args, ..) => args.iter().all(|a| ok(self, a, false)),
            Node::Call(f, args, _) => {
                let callee = match **f {
                    Node::Local(x) if x == v => tail && args.len() == argc,
                    _ => ok(self, f, false),
                };
                callee && args.iter().all(|a| ok(self, a, false))
            }
            Node::Let(binds, body) => {
                binds.iter().all(|(_, e)| ok(self, e, false)) && ok(self, body, tail)
            }
            Node::Scope(_, body) => match named_let(node) {
                Some((w, l, inits)) if self.is_inline(w, l, inits) => {
                    inits.iter().all(|a| ok(self, a, false)) && ok(self, &l.body, tail)
                }
                _ => ok(self, body, tail),
            },
        }
    }

    /// Records in which frame `node`'s variables are bound and used: `frame` is the frame
    /// `node` runs in, `self_var` the variable bound to that frame's procedure (a use of it
    /// there is a self-reference, not a capture). Deep trees grow the stack on the heap.
    fn walk(&mut self, node: &Node, frame: u32, self_var: Option<VarId>) {
        super::deep(|| self.walk_node(node, frame, self_var));
    }

    /// One step of [`Loops::walk`].
    fn walk_node(&mut self, node: &Node, frame: u32, self_var: Option<VarId>) {
        match node {
            Node::Local(x) => self.use_var(*x, frame, self_var),
            Node::SetLocal(x, e) => {
                self.use_var(*x, frame, self_var);
                self.walk(e, frame, self_var);
            }
            Node::Const(_) | Node::Global(..) => {}
            Node::SetGlobal(_, e) | Node::DefGlobal(_, e) => self.walk(e, frame, self_var),
            Node::If(c, t, e) => {
                for n in [c, t, e] {
                    self.walk(n, frame, self_var);
                }
            }
            Node::Lambda(l) => {
                let inner = self.frames;
                self.frames += 1;
                self.bind(l.params.iter().chain(&l.rest), inner);
                self.walk(&l.body, inner, l.self_var);
            }
            Node::Seq(items) | Node::Prim(_, items, ..) => {
                for n in items {
                    self.walk(n, frame, self_var);
                }
            }
            Node::Call(f, args, _) => {
                self.walk(f, frame, self_var);
                for n in args {
                    self.walk(n, frame, self_var);
                }
            }
            Node::Let(binds, body) => {
                for (_, e) in binds {
                    self.walk(e, frame, self_var);
                }
                self.bind(binds.iter().map(|(x, _)| x), frame);
                self.walk(body, frame, self_var);
            }
            Node::Scope(vars, body) => {
                self.bind(vars, frame);
                match named_let(node) {
                    Some((v, l, inits)) if self.is_inline(v, l, inits) => {
                        for n in inits {
                            self.walk(n, frame, self_var);
                        }
                        self.bind(&l.params, frame);
                        self.walk(&l.body, frame, self_var);
                    }
                    _ => self.walk(body, frame, self_var),
                }
            }
        }
    }

    fn bind<'v>(&mut self, vars: impl IntoIterator<Item = &'v VarId>, frame: u32) {
        for &v in vars {
            self.frame_of.insert(v, frame);
        }
    }

    fn use_var(&mut self, x: VarId, frame: u32, self_var: Option<VarId>) {
        if self_var != Some(x) && self.frame_of.get(&x) != Some(&frame) {
            self.captured.insert(x);
        }
    }
}
