//! The core tree: what the expander produces and code generation consumes. Every variable
//! is resolved (a lexical [`VarId`] or a global slot), every macro and derived form is
//! expanded away.

use crate::read::symbol::Symbol;
use crate::read::syntax::Span;
use crate::run::code::Prim;
use crate::run::value::Value;

/// Index of a lexical variable in [`Expander::vars`](crate::compile::expand::Expander::vars).
pub type VarId = u32;

/// The core language.
pub enum Node {
    /// A constant.
    Const(Value),
    /// A lexical variable.
    Local(VarId),
    /// A global slot, and where it is referenced.
    Global(u32, Span),
    /// Assign a lexical variable.
    SetLocal(VarId, Box<Node>),
    /// Assign an existing global.
    SetGlobal(u32, Box<Node>),
    /// Define a global.
    DefGlobal(u32, Box<Node>),
    /// Conditional.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A procedure.
    Lambda(Box<Lambda>),
    /// Sequence; value of the last.
    Seq(Vec<Node>),
    /// Procedure call.
    Call(Box<Node>, Vec<Node>, Span),
    /// Inlined primitive, and the global it stands for when the program may redefine
    /// that (a primitive an expansion inlines for itself has none).
    Prim(Prim, Vec<Node>, Span, Option<u32>),
    /// Bind variables to values computed outside their scope.
    Let(Vec<(VarId, Node)>, Box<Node>),
    /// Bind variables (initially undefined) around a body that assigns them.
    Scope(Vec<VarId>, Box<Node>),
}

impl Node {
    /// Whether the node or any node inside it (nested lambdas included) reads or assigns
    /// lexical variable `v`. Walks the tree with an explicit stack, so any depth is fine.
    pub fn mentions(&self, v: VarId) -> bool {
        let mut pending = vec![self];
        while let Some(n) = pending.pop() {
            match n {
                Node::Local(x) if *x == v => return true,
                Node::SetLocal(x, _) if *x == v => return true,
                Node::Const(_) | Node::Local(_) | Node::Global(..) => {}
                Node::SetLocal(_, e) | Node::SetGlobal(_, e) | Node::DefGlobal(_, e) => {
                    pending.push(e)
                }
                Node::Scope(_, e) => pending.push(e),
                Node::If(c, t, e) => pending.extend([&**c, &**t, &**e]),
                Node::Lambda(l) => pending.push(&l.body),
                Node::Seq(xs) | Node::Prim(_, xs, ..) => pending.extend(xs.iter()),
                Node::Call(f, xs, _) => {
                    pending.push(f);
                    pending.extend(xs.iter());
                }
                Node::Let(binds, body) => {
                    pending.extend(binds.iter().map(|(_, x)| x));
                    pending.push(body);
                }
            }
        }
        false
    }

    /// Moves the nodes this node holds that hold nodes themselves into `out`.
    fn take_children(&mut self, out: &mut Vec<Node>) {
        let mut take = |n: &mut Node| {
            if !matches!(n, Node::Const(_) | Node::Local(_) | Node::Global(..)) {
                out.push(std::mem::replace(n, Node::Local(0)));
            }
        };
        match self {
            Node::Const(_) | Node::Local(_) | Node::Global(..) => {}
            Node::SetLocal(_, x) | Node::SetGlobal(_, x) | Node::DefGlobal(_, x) => take(x),
            Node::Scope(_, x) => take(x),
            Node::If(c, t, e) => [c, t, e].into_iter().for_each(|x| take(x)),
            Node::Lambda(l) => take(&mut l.body),
            Node::Seq(xs) | Node::Prim(_, xs, ..) => xs.iter_mut().for_each(take),
            Node::Call(f, xs, _) => {
                take(f);
                xs.iter_mut().for_each(take);
            }
            Node::Let(bindings, body) => {
                bindings.iter_mut().for_each(|(_, x)| take(x));
                take(body);
            }
        }
    }
}

/// Dropping a deeply nested tree takes it apart one level at a time, so it cannot overflow
/// the Rust stack.
impl Drop for Node {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        self.take_children(&mut pending);
        while let Some(mut n) = pending.pop() {
            n.take_children(&mut pending);
        }
    }
}

/// A lambda in the core tree.
pub struct Lambda {
    /// Name for messages.
    pub name: Option<Symbol>,
    /// Required parameters.
    pub params: Vec<VarId>,
    /// Rest parameter.
    pub rest: Option<VarId>,
    /// The variable this lambda is bound to by `letrec`/named `let`/internal `define`,
    /// through which its body calls itself.
    pub self_var: Option<VarId>,
    /// Body.
    pub body: Node,
}

/// What the expander knows of a lexical variable.
pub struct VarInfo {
    /// Source name.
    pub name: Symbol,
    /// Lambda nesting depth where it is bound.
    pub depth: u32,
    /// Referenced from a more deeply nested lambda.
    pub captured: bool,
    /// Initialised after its binding (`letrec`, internal `define`, named `let`).
    pub assigned: bool,
    /// Assigned by `set!`.
    pub mutated: bool,
    /// Made by the expander for code it writes (the value of an `or` operand, say): only
    /// that code refers to it.
    pub temp: bool,
}
