fn main() {
    let mut i = sigil_lang::Interpreter::new();
    let src = std::env::args().nth(1).unwrap();
    match i.eval_str(&src) {
        Ok(v) => println!("=> {}", i.write(v)),
        Err(e) => println!("error: {e}\n  {:?}", e.trace),
    }
}
