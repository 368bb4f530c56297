//! How long `replay --failed` takes to choose what to send, on a store given as the
//! argument: `cargo run --release --example failed_select -- STORE`.

fn main() {
    let path = std::env::args().nth(1).expect("usage: failed_select STORE");
    let store = hookctl::store::Store::open_existing(std::path::Path::new(&path)).unwrap();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let chosen = store.failed_deliveries(None, None, None).unwrap();
        println!(
            "{} deliveries chosen in {:.1} ms",
            chosen.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
