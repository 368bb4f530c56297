use clap::Parser;
use std::process::ExitCode;

/// mimalloc rather than the system's allocator: `listen` allocates per request
/// (headers, the record, its line), and glibc's malloc and free were a fifth of its
/// CPU under load (`perf`, bench/listen.sh).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `COMPLETE=bash hookctl` prints a completion script that asks hookctl itself for
    // profile and event names; without COMPLETE set this returns at once.
    clap_complete::CompleteEnv::with_factory(hookctl::complete::command).complete();
    let cli = hookctl::cli::Cli::parse();
    let color = hookctl::output::stderr_color(cli.global.color);
    let exit = match hookctl::run(cli) {
        Ok(exit) => exit,
        Err(err) => hookctl::report(&err, color),
    };
    ExitCode::from(exit.code())
}
