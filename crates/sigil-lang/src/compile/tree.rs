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
    /// lexical variable `v`.
    pub fn mentions(&self, v: VarId) -> bool {
        match self {
            Node::Local(x) => *x == v,
            Node::SetLocal(x, e) => *x == v || e.mentions(v),
            Node::Const(_) | Node::Global(..) => false,
            Node::SetGlobal(_, e) | Node::DefGlobal(_, e) => e.mentions(v),
            Node::If(c, t, e) => c.mentions(v) || t.mentions(v) || e.mentions(v),
            Node::Lambda(l) => l.body.mentions(v),
            Node::Seq(items) | Node::Prim(_, items, ..) => items.iter().any(|n| n.mentions(v)),
            Node::Call(f, args, _) => f.mentions(v) || args.iter().any(|n| n.mentions(v)),
            Node::Let(binds, body) => binds.iter().any(|(_, n)| n.mentions(v)) || body.mentions(v),
            Node::Scope(_, body) => body.mentions(v),
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
}
