//! What building and signing one load-mode event costs, without the network: the
//! same plan `bench/send.sh` sends (profile `hmac`, 1 KiB of `--data`), prepared
//! N times. Prints nanoseconds and heap allocations per event.
//!
//!   cargo run --release --example prepare_bench -- [PROFILE] [EVENTS]

use hookctl::cli::SchemeArgs;
use hookctl::commands::send::Plan;
use hookctl::envelope::{GivenData, HeaderList, Secret};
use hookctl::settings::Config;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}
#[global_allocator]
static A: Counting = Counting;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "hmac".into());
    let n: u64 = args.next().map_or(Ok(300_000), |s| s.parse())?;
    let config = Config::load(None)?;
    let profile = config.profile(Some(&name), &SchemeArgs::default())?;
    let event = profile.events.keys().next().cloned().unwrap_or_default();
    let data = serde_json::json!({ "note": "x".repeat(960) });
    let plan = Plan {
        profile,
        secrets: vec![Secret::new("bench-secret", "bench")?],
        event,
        data: Some(GivenData::new(data)),
        patches: vec![],
        extra_headers: HeaderList::new(),
        method: "POST".into(),
        url: "http://127.0.0.1:9/hooks".parse()?,
    };
    let now = hookctl::settings::now_unix();
    let mut sink = 0usize;
    for _ in 0..n / 10 {
        sink += plan.prepare(None, now)?.body.len();
    }
    let a0 = ALLOCS.load(Ordering::Relaxed);
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        sink += plan.prepare(None, now)?.body.len();
    }
    let ns = t0.elapsed().as_nanos() as f64 / n as f64;
    let allocs = (ALLOCS.load(Ordering::Relaxed) - a0) as f64 / n as f64;
    println!("{name}: Plan::prepare {ns:.0} ns and {allocs:.1} allocations per event");
    // Load mode's way: one draft, its memory reused, keys made once.
    let signer = plan.signer()?;
    let mut draft = hookctl::commands::send::Draft::default();
    let a0 = ALLOCS.load(Ordering::Relaxed);
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        plan.prepare_into(&signer, false, now, &mut draft)?;
        sink += draft.built.body.len();
    }
    let ns = t0.elapsed().as_nanos() as f64 / n as f64;
    let allocs = (ALLOCS.load(Ordering::Relaxed) - a0) as f64 / n as f64;
    println!("{name}: Plan::prepare_into {ns:.0} ns and {allocs:.1} allocations per event");
    // The floor: HMAC-SHA256 alone over a body of the same size, keyed each time.
    let body = plan.prepare(None, now)?.body;
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        use hmac::Mac;
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"bench-secret")?;
        m.update(&body);
        sink += m.finalize().into_bytes()[0] as usize;
    }
    let ns = t0.elapsed().as_nanos() as f64 / n as f64;
    println!(
        "HMAC-SHA256 of {} bytes alone: {ns:.0} ns ({sink})",
        body.len()
    );
    Ok(())
}
