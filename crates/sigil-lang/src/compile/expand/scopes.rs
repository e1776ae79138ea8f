//! Names: lexical scopes, variables and what the expander records of them (captured,
//! assigned, not yet initialised), and how a name resolves to a local, a global slot or a
//! macro, including the aliases that `syntax-rules` templates introduce.

use super::{CResult, Expander};
use crate::compile::macros::Macro;
use crate::compile::module::GlobalBinding;
use crate::compile::tree::{Node, VarId, VarInfo};
use crate::read::symbol::{FastMap, Symbol};
use crate::read::syntax::{Span, Syn};
use crate::run::value::Value;
use std::rc::Rc;

#[derive(Clone)]
pub(super) enum Binding {
    Var(VarId),
    Macro(Rc<Macro>),
}

/// The lexical scopes around the expander, innermost last, indexed by name: finding a
/// name takes the same time however many scopes there are.
#[derive(Default)]
pub(super) struct Scopes {
    /// The names each scope binds.
    names: Vec<Vec<Symbol>>,
    /// Each name's bindings with the index of their scope, innermost last.
    bindings: FastMap<Symbol, Vec<(usize, Binding)>>,
}

impl Scopes {
    /// Opens a scope.
    pub(super) fn push(&mut self) {
        self.names.push(Vec::new());
    }

    /// Closes the innermost scope.
    pub(super) fn pop(&mut self) {
        for name in self.names.pop().unwrap_or_default() {
            if let Some(bs) = self.bindings.get_mut(&name) {
                bs.pop();
                if bs.is_empty() {
                    self.bindings.remove(&name);
                }
            }
        }
    }

    /// How many scopes are open.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no scope is open (the expander is at top level).
    pub(super) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Binds `name` in the innermost scope.
    pub(super) fn bind(&mut self, name: Symbol, b: Binding) {
        let scope = self.names.len() - 1;
        self.names[scope].push(name);
        self.bindings.entry(name).or_default().push((scope, b));
    }

    /// The innermost binding of `name` in the outermost `visible` scopes.
    fn find(&self, name: Symbol, visible: usize) -> Option<&Binding> {
        let bs = self.bindings.get(&name)?;
        bs.iter()
            .rev()
            .find(|(scope, _)| *scope < visible)
            .map(|(_, b)| b)
    }
}

impl Expander<'_> {
    /// The lexical binding of `s`. An alias a macro introduced that its expansion did not
    /// bind resolves in the scopes around the macro's definition only.
    pub(super) fn lookup_local(&self, s: Symbol) -> Option<Binding> {
        self.lookup_local_within(s, self.scopes.len())
    }

    /// The lexical binding of `s` in the outermost `visible` scopes.
    fn lookup_local_within(&self, s: Symbol, visible: usize) -> Option<Binding> {
        let mut s = s;
        let mut visible = visible;
        loop {
            if let Some(b) = self.scopes.find(s, visible) {
                return Some(b.clone());
            }
            let (base, depth, _) = s.alias()?;
            s = base;
            visible = visible.min(depth as usize);
        }
    }

    /// Whether identifier `id` of a macro use means what literal `lit` of a macro defined
    /// inside `depth` scopes means (free-identifier=?): the same name, and the same local
    /// binding or, both free, the same global meaning.
    pub(super) fn same_binding(&self, id: Symbol, lit: Symbol, depth: u32) -> bool {
        if id.strip() != lit.strip() {
            return false;
        }
        let here = self.lookup_local(id);
        let there = self.lookup_local_within(lit, depth as usize);
        match (here, there) {
            (None, None) => self.global_binding(id).1 == self.global_binding(lit).1,
            (Some(Binding::Var(a)), Some(Binding::Var(b))) => a == b,
            (Some(Binding::Macro(a)), Some(Binding::Macro(b))) => Rc::ptr_eq(&a, &b),
            _ => false,
        }
    }

    /// Whether `x` is the auxiliary keyword `name` (`else`, `=>`): that identifier, not
    /// bound where it appears, neither locally nor by a definition of the module.
    pub(super) fn is_aux_keyword(&self, x: &Syn, name: &str) -> bool {
        x.as_sym().is_some_and(|s| {
            s.strip().is(name) && self.lookup_local(s).is_none() && !self.global_binding(s).1
        })
    }

    pub(super) fn new_var(&mut self, name: Symbol) -> VarId {
        self.vars.push(VarInfo {
            name,
            depth: self.depth,
            captured: false,
            assigned: false,
            mutated: false,
            temp: false,
        });
        let id = (self.vars.len() - 1) as VarId;
        self.scopes.bind(name, Binding::Var(id));
        id
    }

    /// Notes a use of local `id` here: one from a more deeply nested lambda captures it.
    /// Whether the use is direct (not captured).
    pub(super) fn note_use(&mut self, id: VarId) -> bool {
        let own_self = self.selves.get(self.depth as usize) == Some(&Some(id));
        let info = &mut self.vars[id as usize];
        if info.depth != self.depth && !own_self {
            info.captured = true;
            return false;
        }
        true
    }

    pub(super) fn use_var(&mut self, id: VarId) -> Node {
        self.note_use(id);
        Node::Local(id)
    }

    /// A read of local `id` written in the program. A variable of the enclosing `letrec`
    /// or body whose initialisation has not run yet holds no value: a direct read of it
    /// goes through `%initialised`, which raises. (A read from inside a lambda captures
    /// it, and a captured, assigned variable is boxed; the VM checks boxes itself.)
    pub(super) fn read_var(&mut self, id: VarId, span: Span) -> CResult<Node> {
        if !self.note_use(id) || !self.uninitialised.contains(&id) {
            return Ok(Node::Local(id));
        }
        let name = Node::Const(Value::Sym(self.vars[id as usize].name.strip()));
        let check = self.builtin("%initialised", span)?;
        Ok(Node::Call(
            Box::new(check),
            vec![Node::Local(id), name],
            span,
        ))
    }

    /// The slot of a global name in this module, creating an unbound slot if needed.
    pub(super) fn global_slot(&mut self, s: Symbol) -> u32 {
        let s = s.strip();
        if let Some(GlobalBinding::Var(slot)) = self.module.map.get(&s) {
            return *slot;
        }
        let slot = self.globals.new_slot(s);
        self.module.map.insert(s, GlobalBinding::Var(slot));
        self.module.own.insert(s);
        slot
    }

    /// The slot a top-level `define` of `s` writes: the module's own slot.
    pub(super) fn define_slot(&mut self, s: Symbol) -> u32 {
        self.module.define_slot(self.globals, s)
    }

    /// The global meaning of `s`, and whether it is a definite binding (one the module
    /// defined, or one a library macro's alias refers to) rather than an import that a
    /// special form name takes precedence over. A library macro's alias of a special form
    /// name the library does not bind means the special form (`None`), whatever the using
    /// module binds to that name.
    pub(super) fn global_binding(&self, s: Symbol) -> (Option<GlobalBinding>, bool) {
        let mut cur = s;
        while let Some((base, _, env)) = cur.alias() {
            if env != 0 {
                let base = base.strip();
                if let Some(b) = self.libraries.binding(env, base) {
                    return (Some(b), true);
                }
                if super::is_special_form(&base.name()) {
                    return (None, true);
                }
            }
            cur = base;
        }
        (
            self.module.map.get(&cur).cloned(),
            self.module.own.contains(&cur),
        )
    }

    pub(super) fn temp(&mut self, name: &str) -> VarId {
        self.vars.push(VarInfo {
            name: Symbol::intern(name),
            depth: self.depth,
            captured: false,
            assigned: false,
            mutated: false,
            temp: true,
        });
        (self.vars.len() - 1) as VarId
    }
}
