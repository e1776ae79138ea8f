//! Running: the virtual machine that executes compiled code, and the run-time data it
//! works on (values, the heap and its collector, numbers, printing).

mod block;
pub(crate) mod call;
pub(crate) mod code;
pub mod ctx;
pub mod datum;
mod dispatch;
pub(crate) mod fiber;
pub(crate) mod globals;
pub mod heap;
pub mod native;
pub(crate) mod numeric;
mod prim;
pub mod printer;
mod records;
pub(crate) mod roots;
pub mod value;
pub(crate) mod vm;
