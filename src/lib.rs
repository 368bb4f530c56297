//! hookctl: webhook development and testing.
//!
//! `main` parses the command line and calls [`run`]; everything else lives here so
//! tests can drive it in-process. The signing/envelope core is [`envelope`].
//!
//! Every command is three calls: `settings::<command>::resolve` (flags, environment
//! and hookctl.toml → typed values; exit 2 there), a pipeline (`inbound`,
//! `outbound`, `audit`, `mock`, `relay`) that returns or streams typed events and
//! never prints, and a renderer through `output`, the one place that writes.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub use hint::{Hinted, hinted};

pub mod audit;
pub mod cli;
pub mod clock;
pub mod codec;
pub mod commands;
pub mod complete;
pub mod envelope;
pub mod generate;
pub mod glob;
pub mod hint;
pub mod http;
pub mod inbound;
pub mod mock;
pub mod outbound;
pub mod output;
pub mod providers_doc;
pub mod relay;
// Until the http and audit modules name it where it lives now.
pub use envelope::retry;
pub mod settings;
pub mod show;
pub mod store;
pub mod ui;

use cli::{Cli, Command};
use output::Output;

/// How a command ended; the same codes for every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success,
    /// 1: a negative result — an invalid signature, a failed delivery, a timeout.
    Negative,
    /// 2: usage, input, network or store error.
    Error,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Negative => 1,
            Exit::Error => 2,
            Exit::Interrupted => 130,
        }
    }
}

/// Runs a parsed command line.
pub fn run(mut cli: Cli) -> anyhow::Result<Exit> {
    // `--store`/`--no-store` go before the subcommand or, on the commands that use
    // the store, after it; after it wins.
    let after = match &cli.command {
        Command::Send(a) => Some(a.store.clone()),
        Command::Listen(a) => Some(a.store.clone()),
        Command::Simulate(a) => Some(a.store.clone()),
        Command::Replay(a) => Some(a.store.clone()),
        Command::Relay(a) => Some(a.store.clone()),
        Command::Ui(a) => Some(a.store.clone()),
        Command::Deliveries(a) => Some(cli::StoreArgs {
            store: a.store.store.clone(),
            no_store: a.store.no_store,
        }),
        _ => None,
    };
    cli.global.store = after
        .as_ref()
        .and_then(|a| a.store.clone())
        .or(cli.store.store.take());
    cli.global.no_store = cli.store.no_store || after.is_some_and(|a| a.no_store);
    let out = Output::new(cli.global.output_options());
    match cli.command {
        Command::Sign(args) => commands::sign::run(&cli.global, &out, args),
        Command::Verify(args) => commands::verify::run(&cli.global, &out, args),
        Command::Send(args) => commands::send::run(&cli.global, &out, args),
        Command::Listen(args) => commands::listen::run(&cli.global, &out, args),
        Command::Deliveries(args) => commands::deliveries::run(&cli.global, &out, args),
        Command::Simulate(args) => commands::simulate::run(&cli.global, &out, args),
        Command::Replay(args) => commands::replay::run(&cli.global, &out, args),
        Command::Audit(args) => commands::audit::run(&cli.global, &out, args),
        Command::Mock(args) => commands::mock::run(&cli.global, &out, args),
        Command::Relay(args) => commands::relay::run(&cli.global, &out, args),
        Command::Ui(args) => commands::ui::run(&cli.global, &out, args),
        Command::Profiles(args) => commands::profiles::run(&cli.global, &out, args),
        Command::Events(args) => commands::events::run(&cli.global, &out, args),
        Command::Keygen(args) => commands::keygen::run(&cli.global, &out, args),
        Command::Init(args) => commands::init::run(&cli.global, &out, args),
        Command::Completions(args) => commands::completions::run(&out, args),
        Command::Man(args) => commands::man::run(&out, args),
    }
}

/// Renders an error the one way hookctl renders errors, and says which exit code it
/// gets (a closed stdout is not an error).
pub fn report(err: &anyhow::Error, color: bool) -> Exit {
    if err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    }) {
        return Exit::Success;
    }
    let paint = |s: &str, f: fn(&str) -> colored::ColoredString| {
        if color {
            f(s).to_string()
        } else {
            s.to_string()
        }
    };
    use colored::Colorize;
    let mut text = format!(
        "{} {}\n",
        paint("error:", |s| s.red().bold()),
        output::escape(&err.to_string())
    );
    for cause in err.chain().skip(1) {
        text.push_str(&format!(
            "  caused by: {}\n",
            output::escape(&cause.to_string())
        ));
    }
    // A hint given as context is found by `downcast_ref`, one made as the error by
    // walking the chain.
    if let Some(h) = err
        .downcast_ref::<Hinted>()
        .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Hinted>()))
    {
        text.push_str(&format!(
            "  {} {}\n",
            paint("hint:", |s| s.cyan().bold()),
            output::escape(&h.hint)
        ));
    }
    // Not `eprint!`, which panics when stderr cannot be written (`2>/dev/full`): the
    // exit code still says what happened.
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    Exit::Error
}
