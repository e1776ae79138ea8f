//! The core library's native procedures, grouped by subject. Each submodule has a
//! `register` function that binds its procedures in the core module.

use crate::natives::Registry;

pub mod base;
pub mod binary_ports;
pub mod bytevectors;
pub mod chars;
pub mod control;
pub mod eval;
pub mod lists;
pub mod numbers;
pub mod ports;
pub mod records;
mod seq;
pub mod strings;
pub mod symbols;
pub mod tables;
pub mod vectors;

/// Registers every core native.
pub fn register_core(reg: &mut Registry) {
    base::register(reg);
    control::register(reg);
    eval::register(reg);
    records::register(reg);
    lists::register(reg);
    numbers::register(reg);
    symbols::register(reg);
    chars::register(reg);
    strings::register(reg);
    vectors::register(reg);
    bytevectors::register(reg);
    tables::register(reg);
    ports::register(reg);
    binary_ports::register(reg);
}
