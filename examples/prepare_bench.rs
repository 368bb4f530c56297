//! What building and signing one event costs, without the network, for every built-in
//! profile (its first event): with the 1 KiB of `--data` that `bench/send.sh` sends,
//! and with the catalogue's own sample. Nanoseconds and heap allocations per event,
//! for `Plan::prepare` (one request: `send`, `--dry-run`) and `Plan::prepare_into`
//! (load mode: one reused draft, keys made once), beside HMAC-SHA256 alone over a
//! body of the same size.
//!
//!   cargo run --release --example prepare_bench -- [PROFILE|all] [EVENTS]

use hookctl::cli::SchemeArgs;
use hookctl::envelope::{GivenData, HeaderList, Secret};
use hookctl::outbound::Plan;
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
    let only = args.next().filter(|a| a != "all");
    let n: u64 = args.next().map_or(Ok(50_000), |s| s.parse())?;
    let config = Config::load(None)?;
    let names: Vec<String> = match only {
        Some(name) => vec![name],
        None => hookctl::envelope::Catalog::builtin().names(),
    };
    println!(
        "{:<12} {:<20} {:>6}  {:>16}  {:>16}  {:>10}",
        "profile", "data", "bytes", "prepare", "prepare_into", "HMAC alone"
    );
    for name in names {
        let profile = config.profile(Some(&name), &SchemeArgs::default())?;
        let event = profile.events.keys().next().cloned().unwrap_or_default();
        let bench = GivenData::new(serde_json::json!({ "note": "x".repeat(960) }));
        for (what, data) in [("1 KiB --data", Some(bench)), (event.as_str(), None)] {
            let plan = Plan {
                profile: profile.clone(),
                secrets: vec![Secret::new("bench-secret", "bench")?],
                event: event.clone(),
                body: None,
                data,
                patches: vec![],
                extra_headers: HeaderList::new(),
                method: "POST".into(),
                url: "http://127.0.0.1:9/hooks".parse()?,
                craft: Default::default(),
            };
            let now = hookctl::settings::now_unix();
            let body = plan.prepare(None, now)?.body;
            let fresh = measure(n, || Ok(plan.prepare(None, now)?.body.len()))?;
            // Load mode's way: one draft, its memory reused, keys made once.
            let signer = plan.signer()?;
            let mut draft = hookctl::outbound::Draft::default();
            let reused = measure(n, || {
                plan.prepare_into(&signer, false, now, &mut draft)?;
                Ok(draft.built.body.len())
            })?;
            // The floor: HMAC-SHA256 alone over a body of the same size.
            let floor = measure(n, || {
                use hmac::Mac;
                let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"bench-secret")?;
                m.update(&body);
                Ok(m.finalize().into_bytes()[0] as usize)
            })?;
            let show = |(ns, allocs): (f64, f64)| format!("{ns:>6.0} ns {allocs:>4.0} al");
            println!(
                "{name:<12} {what:<20} {:>6}  {:>16}  {:>16}  {:>7.0} ns",
                body.len(),
                show(fresh),
                show(reused),
                floor.0
            );
        }
    }
    Ok(())
}

/// Nanoseconds and heap allocations per call, after a warm-up of a tenth as many.
fn measure(
    n: u64,
    mut f: impl FnMut() -> Result<usize, Box<dyn std::error::Error>>,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let mut sink = 0;
    for _ in 0..n / 10 {
        sink += f()?;
    }
    let a0 = ALLOCS.load(Ordering::Relaxed);
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        sink += f()?;
    }
    let ns = t0.elapsed().as_nanos() as f64 / n as f64;
    let allocs = (ALLOCS.load(Ordering::Relaxed) - a0) as f64 / n as f64;
    std::hint::black_box(sink);
    Ok((ns, allocs))
}
