//! Links the `hookctl` binary as a position-dependent executable on Linux: its
//! ~29,000 relative relocations are then resolved by the linker once instead of by
//! the dynamic loader at every start, which is most of a `verify` or `sign`'s
//! start-up in a CI script (bench/startup.sh). The code is still compiled as
//! position-independent; only the final link changes.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
