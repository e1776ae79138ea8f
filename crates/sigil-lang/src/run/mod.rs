//! Running: the virtual machine that executes compiled code, and the run-time data it
//! works on (values, the heap and its collector, numbers, printing).

mod block;
pub mod call;
pub mod code;
pub mod ctx;
pub mod datum;
mod dispatch;
pub mod fiber;
pub mod globals;
pub mod heap;
pub mod native;
pub mod numeric;
mod prim;
pub mod printer;
mod records;
mod roots;
pub mod value;
pub mod vm;
