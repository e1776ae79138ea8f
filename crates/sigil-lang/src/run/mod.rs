//! Running: the virtual machine that executes compiled code, and the run-time data it
//! works on (values, the heap and its collector, numbers, printing).

pub mod heap;
pub mod numeric;
pub mod printer;
pub mod value;
pub mod vm;
