//! Command-line definitions: clap structs only. `settings` turns them into what a
//! command runs with.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Webhook development and testing: sign, verify and explain webhook signatures for
/// any provider, from data-driven profiles.
#[derive(Debug, Parser)]
#[command(name = "hookctl", version, max_term_width = 100)]
#[command(
    after_help = "Profiles describe a provider's webhook contract; `hookctl profiles` lists them.\nExit codes: 0 success, 1 a negative result (invalid signature), 2 an error, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// `--store`/`--no-store` before the subcommand; the commands that use the store
    /// take them after it too (the two are merged into `GlobalArgs`).
    #[command(flatten)]
    pub store: RootStoreArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// `--store`/`--no-store` before the subcommand, and HOOKCTL_STORE.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Store")]
pub struct RootStoreArgs {
    /// Delivery store (SQLite) [default: hookctl/hookctl.db under the user's data directory]
    #[arg(long, value_name = "PATH", env = "HOOKCTL_STORE")]
    pub store: Option<PathBuf>,
    /// Do not record anything in the store (wins over --store and HOOKCTL_STORE)
    #[arg(long)]
    pub no_store: bool,
}

impl GlobalArgs {
    pub fn output_options(&self) -> crate::output::OutputOptions {
        crate::output::OutputOptions {
            json: self.json,
            quiet: self.quiet,
            verbose: self.verbose,
            color: self.color,
        }
    }
}

/// `deliveries`' store flags, taken by each of its subcommands too.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Store")]
pub struct DeliveriesStoreArgs {
    /// Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user's data directory]
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Do not record anything in the store (wins over --store and HOOKCTL_STORE)
    #[arg(long, global = true)]
    pub no_store: bool,
}

/// The delivery store, on the commands that read or record deliveries.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Store")]
pub struct StoreArgs {
    /// Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user's data directory]
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Do not record anything in the store (wins over --store and HOOKCTL_STORE)
    #[arg(long)]
    pub no_store: bool,
}

/// Flags every subcommand takes, shown under their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print less: only results and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Configuration file [default: the nearest hookctl.toml in this folder or above]
    #[arg(long, global = true, value_name = "PATH", env = "HOOKCTL_CONFIG")]
    pub config: Option<PathBuf>,
    /// The store in force: `--store` before or after the subcommand, or HOOKCTL_STORE.
    #[arg(skip)]
    pub store: Option<PathBuf>,
    /// `--no-store` before or after the subcommand.
    #[arg(skip)]
    pub no_store: bool,
}

pub use crate::output::ColorChoice;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the headers a profile adds to a body: the signature and its companions
    Sign(SignArgs),
    /// Check a request's signature and say why it fails
    Verify(VerifyArgs),
    /// Send realistic, signed events to a URL: once, with the provider's retries, or as load
    Send(SendArgs),
    /// Receive webhooks locally: verify, show, record, forward, or answer with scripted failures
    Listen(ListenArgs),
    /// The deliveries the store holds: list, show, export, prune
    Deliveries(DeliveriesArgs),
    /// Show a provider's retry schedule as a timeline, or run it against a receiver
    Simulate(SimulateArgs),
    /// Send recorded deliveries again, byte-exact or re-signed, failed ones first of all
    Replay(ReplayArgs),
    /// Attack your own webhook endpoint as a provider's forger would, and grade each check
    Audit(AuditArgs),
    /// Play a provider against your app: its handshake, re-validation and signed events with its retries, graded
    Mock(MockArgs),
    /// Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT
    Relay(RelayArgs),
    /// Browse the store's deliveries in a web page: live, with verdicts, and replay
    Ui(UiArgs),
    /// List the provider profiles, or show one
    Profiles(ProfilesArgs),
    /// List a profile's events, or show the exact body of one
    Events(EventsArgs),
    /// Make a test key pair for a profile with a key pair, in the provider's formats
    Keygen(KeygenArgs),
    /// Write a commented hookctl.toml, asking for the defaults
    Init(InitArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Install the man pages where `man` looks for them
    Man(ManArgs),
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES_MAN)]
pub struct ManArgs {
    /// Man directory to install into; the pages go in its man1/ [default: man under the user's data directory, ~/.local/share/man on Linux]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Where secrets come from. Values given here are never printed.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Secrets")]
pub struct SecretArgs {
    /// A signing secret (repeat for several, e.g. during a rotation); prefer
    /// --secret-env or --secret-file, which keep it out of shell history. Each of the
    /// three takes PROFILE=… to give a secret to that profile only
    #[arg(long = "secret", value_name = "VALUE", hide_env_values = true)]
    pub secret: Vec<String>,
    /// Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)
    #[arg(long = "secret-env", value_name = "NAME")]
    pub secret_env: Vec<String>,
    /// Read secrets from a file, one per line (repeatable)
    #[arg(long = "secret-file", value_name = "PATH")]
    pub secret_file: Vec<PathBuf>,
    /// For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private
    /// key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)
    #[arg(long = "private-key", value_name = "FILE|-")]
    pub private_key: Vec<PathBuf>,
    /// Read a private key (its PEM text) from this environment variable (repeatable)
    #[arg(long = "private-key-env", value_name = "NAME")]
    pub private_key_env: Vec<String>,
    /// For a profile with a key pair: the public key to verify with, a file or the key
    /// itself: PEM, or the provider's form (Discord's hex, SendGrid's base64 SPKI,
    /// Telnyx's base64) (repeatable)
    #[arg(
        long = "public-key",
        value_name = "FILE|VALUE",
        allow_hyphen_values = true
    )]
    pub public_key: Vec<String>,
    /// Read a public key from this environment variable (repeatable)
    #[arg(long = "public-key-env", value_name = "NAME")]
    pub public_key_env: Vec<String>,
}

/// Changes to the profile's signature scheme for this run (the generic `hmac` profile
/// is meant to be shaped with these).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Scheme overrides")]
pub struct SchemeArgs {
    /// Name of the header that carries the signature
    #[arg(long, value_name = "NAME")]
    pub signature_header: Option<String>,
    /// Value template of that header, e.g. 'sha256={signature}' or 't={timestamp},v1={signature}'
    #[arg(long, value_name = "TEMPLATE")]
    pub signature_format: Option<String>,
    /// Template of the signed bytes, e.g. '{body}' or '{timestamp}.{body}'
    #[arg(long, value_name = "TEMPLATE")]
    pub signed: Option<String>,
    /// MAC algorithm
    #[arg(long, value_enum, value_name = "ALG")]
    pub algorithm: Option<AlgorithmArg>,
    /// Encoding of the signature
    #[arg(long, value_enum, value_name = "ENC")]
    pub encoding: Option<EncodingArg>,
    /// How the secret becomes the key
    #[arg(long, value_enum, value_name = "ENC")]
    pub secret_encoding: Option<SecretEncodingArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgorithmArg {
    HmacSha256,
    HmacSha1,
    HmacSha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    Hex,
    Base64,
    Base64url,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretEncodingArg {
    Raw,
    Whsec,
    Base64,
    Hex,
    WhsecOrRaw,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES_SIGN
)]
pub struct SignArgs {
    /// Provider profile [default: `profile` in hookctl.toml]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Body to sign, a file or - for standard input [default: build --event's sample body, and print it after the headers]
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,
    /// Event name (for the event header, or the sample body to build)
    #[arg(short, long, value_name = "EVENT")]
    pub event: Option<String>,
    /// Delivery id [default: the body's, or a fresh one]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Timestamp, unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    pub timestamp: Option<i64>,
    /// Request path, for schemes that sign it
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub path: String,
    /// Request method, for schemes that sign it
    #[arg(long, value_name = "METHOD", default_value = "POST")]
    pub method: String,
    /// The full URL the provider calls, for schemes that sign it (Twilio, Square,
    /// HubSpot v3, Trello, MessageBird); its path stands for --path
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Print the exact bytes that were signed (on standard error)
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub scheme: SchemeArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES_VERIFY
)]
pub struct VerifyArgs {
    /// Provider profile, or `auto` to detect it from the headers [default: `profile` in hookctl.toml, else auto]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// A request header, 'Name: value' (repeatable); '@FILE' reads header lines from a file
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// The raw body, a file or - for standard input
    #[arg(long, value_name = "FILE", conflicts_with = "request")]
    pub body: Option<PathBuf>,
    /// A whole raw HTTP request (request line, headers, body), a file or -
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
    /// How far the timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile's]
    #[arg(long, value_name = "DURATION")]
    pub tolerance: Option<String>,
    /// Take this unix time as now
    #[arg(long, value_name = "UNIX")]
    pub now: Option<i64>,
    /// Verify a delivery in the store (its store id or delivery id) as of when it
    /// arrived: when a relay took it, for one that came through a relay
    #[arg(long, value_name = "ID", conflicts_with_all = ["request", "body", "headers", "path", "method"])]
    pub as_of_arrival: Option<String>,
    /// On failure, find the classic mistake that explains it
    #[arg(long)]
    pub explain: bool,
    /// Request path, for schemes that sign it [default: the request's, or /]
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// Request method, for schemes that sign it [default: the request's, or POST]
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
    /// The full URL the provider called, for schemes that sign it (behind a proxy or
    /// a tunnel, the public one); its path stands for --path
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub scheme: SchemeArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES_SEND
)]
pub struct SendArgs {
    /// Where to send [default: `send.to` in hookctl.toml]
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Provider profile [default: `send.profile`, else `profile`, in hookctl.toml]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Event from the profile's catalogue [default on a terminal: pick one]
    #[arg(short, long, value_name = "EVENT")]
    pub event: Option<String>,
    /// The event's data instead of the sample: inline JSON, a file, or - for standard input
    #[arg(long, value_name = "JSON|FILE")]
    pub data: Option<String>,
    /// Send this file (or - for standard input) as the body, byte for byte, signed; the event and id come from it when it has them
    #[arg(long, value_name = "FILE", conflicts_with_all = ["data", "set"])]
    pub body: Option<std::path::PathBuf>,
    /// Change one field of the body as sent (as `events show` prints it), e.g. `data.email=a@b.c`;
    /// the value is JSON when it parses as JSON (`42`, `true`, `null`, `[1]`), else text (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// An extra request header, 'Name: value'; it replaces a profile header of that name (repeatable)
    #[arg(value_parser = header, short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<(String, String)>,
    /// HTTP method
    #[arg(long, value_name = "METHOD", default_value = "POST")]
    pub method: String,
    /// Delivery id [default: a fresh one in the profile's format]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Sign as of this time: Unix seconds, or from now, e.g. `-10m` (stale) or `+10m`
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, conflicts_with_all = ["retry", "count", "duration"])]
    pub timestamp: Option<String>,
    /// Change one field of the body after signing, so the signature no longer
    /// matches (a forged request: does the receiver refuse it?) (repeatable)
    #[arg(long, value_name = "PATH=VALUE", conflicts_with_all = ["retry", "body"], help_heading = "Faults")]
    pub tamper: Vec<String>,
    /// Pretty-print the JSON body, then sign it (does the receiver verify the bytes sent?)
    #[arg(long, conflicts_with = "body", help_heading = "Faults")]
    pub pretty: bool,
    /// Leave the signature header out
    #[arg(long, help_heading = "Faults")]
    pub unsigned: bool,
    /// Print the exact request and an equivalent curl command; send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Follow the profile's retry policy until delivered or given up
    #[arg(long)]
    pub retry: bool,
    /// Compress the retry schedule: N seconds of it pass per second
    #[arg(long, value_name = "N", default_value_t = 1.0, requires = "retry")]
    pub speed: f64,
    /// Per-attempt timeout [default: the profile's]
    #[arg(value_parser = duration, long, value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Accept any TLS certificate (a local receiver's self-signed one)
    #[arg(long, short = 'k')]
    pub insecure: bool,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub scheme: SchemeArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES_UI)]
pub struct UiArgs {
    /// Address to bind (keep it loopback: the inspector can replay deliveries)
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port; 0 picks a free one
    #[arg(long, value_name = "PORT", default_value_t = 4040)]
    pub port: u16,
    /// Open the page in the default browser
    #[arg(long)]
    pub open: bool,
    /// Accept any TLS certificate when replaying (a local receiver's self-signed one)
    #[arg(long, short = 'k')]
    pub insecure: bool,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum RelayAction {
    /// A running relay's state: its channels, connected or not, what each holds
    /// (and since when), and what was given up in the last day
    Status {
        #[command(flatten)]
        remote: RelayRemote,
    },
    /// A running relay's channels: list them, or delete some
    Channels {
        #[command(subcommand)]
        action: ChannelsAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChannelsAction {
    /// Every channel, as `relay status` shows them
    List {
        #[command(flatten)]
        remote: RelayRemote,
    },
    /// Delete the channels named (with what they hold), or those with no client and
    /// nothing held for --idle
    Prune {
        #[command(flatten)]
        remote: RelayRemote,
        /// Delete channels unused for this long that hold nothing, e.g. 7d
        #[arg(long, value_name = "DURATION", required_unless_present = "names")]
        idle: Option<String>,
        /// Channels to delete, whatever they hold
        #[arg(value_name = "NAME")]
        names: Vec<String>,
    },
}

/// How to reach a running relay as its operator.
#[derive(Debug, Args)]
pub struct RelayRemote {
    /// The relay, as it prints itself
    #[arg(long, value_name = "URL")]
    pub relay: String,
    /// The relay's key (its operator's endpoints are served only behind one)
    #[arg(
        long,
        value_name = "KEY",
        env = "HOOKCTL_RELAY_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
    /// Accept any TLS certificate from the relay
    #[arg(long, short = 'k')]
    pub insecure: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OfflineArg {
    Queue,
    Reject,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES_RELAY, args_conflicts_with_subcommands = true)]
pub struct RelayArgs {
    #[command(subcommand)]
    pub action: Option<RelayAction>,
    /// Address and port to listen on; port 0 picks a free one
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// The URL clients are told the relay has (behind a proxy or load balancer)
    /// [default: http(s)://the bound address]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// TLS certificate chain (PEM); with --tls-key the relay serves HTTPS
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Largest delivery taken (bigger ones get 413)
    #[arg(value_parser = size, long, value_name = "SIZE", default_value = "5MiB")]
    pub max_body: usize,
    /// Deliveries per second a channel takes (more get 429 with Retry-After) [default: no limit]
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,
    /// Deliveries held per channel while its client is away (more get 503)
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub queue_max: u64,
    /// How long a held delivery is kept
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "3d")]
    pub queue_ttl: Duration,
    /// Bytes all held deliveries may take on disk, headers and bodies (more get 503)
    #[arg(value_parser = size, long, value_name = "SIZE", default_value = "1GiB")]
    pub queue_bytes: usize,
    /// Bytes one channel's held deliveries may take (more get 503)
    #[arg(value_parser = size, long, value_name = "SIZE", default_value = "256MiB")]
    pub channel_bytes: usize,
    /// Client links held at once, at most (more are refused, so that senders always
    /// find a connection) [default: half of --max-connections]
    #[arg(long, value_name = "N")]
    pub max_links: Option<usize>,
    /// Channels made per hour from one client address, at most
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub create_rate: u32,
    /// A channel with no client and nothing held for this long is deleted (its name
    /// is free again); 0 keeps channels for ever
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "30d")]
    pub channel_idle: Duration,
    /// Allow a relay bound to a non-loopback address without --key (anyone who
    /// reaches it may make channels)
    #[arg(long)]
    pub open: bool,
    /// How long a sender waits for the client's answer (then 504)
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "30s")]
    pub response_timeout: Duration,
    /// With no client connected: hold deliveries (202) or refuse them (503)
    #[arg(long, value_enum, value_name = "WHAT", default_value = "queue")]
    pub offline: OfflineArg,
    /// How often each side of a link shows it is alive; two missed mean it is dead
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "10s")]
    pub heartbeat: Duration,
    /// Make channels only for clients that give this key [default: anyone may]
    #[arg(
        long,
        value_name = "KEY",
        env = "HOOKCTL_RELAY_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
    /// Read that key from a file (its first line), out of sight of `ps`
    #[arg(long, value_name = "PATH", conflicts_with = "key")]
    pub key_file: Option<std::path::PathBuf>,
    /// How long a request's head and body may take to arrive
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "10s")]
    pub read_timeout: Duration,
    /// Most connections served at once [default: half the file descriptors this process may open]
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `relay --nats`: run the relay as one node of a cluster that shares channels
/// and held deliveries through NATS (docs/cluster.md).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Cluster (NATS)")]
pub struct NatsArgs {
    /// Run as a node of a cluster: the NATS servers, comma-separated (nats://host:4222, tls://…)
    #[arg(long, value_name = "URL,…", value_delimiter = ',')]
    pub nats: Vec<String>,
    /// NATS credentials file (JWT and NKey seed, as `nsc` writes it)
    #[arg(long, value_name = "PATH", requires = "nats")]
    pub nats_creds: Option<PathBuf>,
    /// NATS user name; the password comes from HOOKCTL_NATS_PASSWORD or --nats-password-file
    #[arg(long, value_name = "NAME", requires = "nats")]
    pub nats_user: Option<String>,
    /// Read the NATS password (or, without --nats-user, a token) from a file's first line
    #[arg(long, value_name = "PATH", requires = "nats")]
    pub nats_password_file: Option<PathBuf>,
    /// CA certificate (PEM) the NATS servers' TLS certificates are checked against; TLS is then required
    #[arg(long, value_name = "PATH", requires = "nats")]
    pub nats_tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for NATS servers that verify clients
    #[arg(long, value_name = "PATH", requires_all = ["nats", "nats_tls_key"])]
    pub nats_tls_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM)
    #[arg(long, value_name = "PATH", requires = "nats_tls_cert")]
    pub nats_tls_key: Option<PathBuf>,
    /// Prefix of the subjects, stream and buckets (several relays may share one NATS)
    #[arg(
        long,
        value_name = "NAME",
        default_value = "hookctl",
        requires = "nats"
    )]
    pub nats_prefix: String,
    /// JetStream replicas of the queue and buckets [default: 3 on a cluster of three NATS servers or more, else 1]
    #[arg(long, value_name = "N", requires = "nats", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub nats_replicas: Option<u8>,
    /// This node's name in `relay status` [default: the host name and a random suffix]
    #[arg(long, value_name = "NAME", requires = "nats")]
    pub node_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Fail,
    Warn,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES_AUDIT)]
pub struct AuditArgs {
    /// The endpoint to audit (yours: it receives forged, stale, huge and slow requests)
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// The provider whose deliveries the endpoint takes [default: `profile` in hookctl.toml]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The event the deliveries carry [default: the profile's first]
    #[arg(short, long, value_name = "EVENT")]
    pub event: Option<String>,
    /// Run only these checks (comma-separated; `valid` always runs first)
    #[arg(long, value_name = "CHECK", value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(crate::audit::names::CHECK_NAMES))]
    pub only: Vec<String>,
    /// A GET answering the number of deliveries the endpoint has processed, as plain
    /// text: how `replayed-delivery` sees whether a repeat was acted on
    #[arg(long, value_name = "URL")]
    pub oracle_url: Option<String>,
    /// Exit 1 on a failed check, or on a warning too
    #[arg(long, value_enum, value_name = "GRADE", default_value = "fail")]
    pub fail_on: FailOn,
    /// Write a JUnit XML report (for CI test reports)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown report (for a pull request)
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Audit a host that is not this machine without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Pause between requests
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "100ms")]
    pub delay: Duration,
    /// An extra request header on every request, 'Name: value' (repeatable)
    #[arg(value_parser = header, short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<(String, String)>,
    /// Accept any TLS certificate (a local receiver's self-signed one)
    #[arg(long, short = 'k')]
    pub insecure: bool,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub scheme: SchemeArgs,
}

/// Load mode: many distinct events, each with its own id, timestamp and signature.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Load mode")]
pub struct LoadArgs {
    /// Send this many events (with --retry: each follows the retry policy, -c at once)
    #[arg(long, value_name = "N", conflicts_with = "dry_run")]
    pub count: Option<u64>,
    /// Requests in flight at once
    #[arg(long, short = 'c', value_name = "C", default_value_t = 16)]
    pub concurrency: usize,
    /// At most this many requests per second
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    /// Stop starting requests after this long, e.g. 30s
    #[arg(value_parser = duration, long, value_name = "DURATION", conflicts_with_all = ["retry", "dry_run"])]
    pub duration: Option<Duration>,
    /// Re-send this share of events with the same delivery id (0 to 1), to test idempotency
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub duplicate_rate: f64,
    /// Send the events out of order
    #[arg(long)]
    pub shuffle: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES_LISTEN
)]
pub struct ListenArgs {
    /// Address to bind [default: `listen.host` in hookctl.toml, else 127.0.0.1]
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Port; 0 picks a free one [default: `listen.port` in hookctl.toml, else 4242]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Accept deliveries under this path only [default: /]
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// Provider profile, or `auto` to detect it per delivery [default: `profile` in hookctl.toml, else auto]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// How far a signed timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile's]
    #[arg(value_parser = duration, long, value_name = "DURATION")]
    pub tolerance: Option<Duration>,
    /// Pass every delivery to this URL byte-exact and answer with the app's response
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// Forward deliveries whose event matches GLOB to URL, e.g. 'ticket.*=http://localhost:3000/tickets' (repeatable; before --forward-to)
    #[arg(long = "route", value_name = "GLOB=URL")]
    pub routes: Vec<String>,
    /// Status of an accepted delivery that is not forwarded
    #[arg(long, value_name = "CODE", default_value_t = 200)]
    pub status: u16,
    /// Fail the first N attempts of each delivery id, then accept it
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fail_first: u32,
    /// Fail this share of deliveries at random (0 to 1)
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Status of a scripted failure
    #[arg(long, value_name = "CODE", default_value_t = 503)]
    pub fail_status: u16,
    /// Wait this long before answering (to trip the sender's timeout)
    #[arg(value_parser = duration, long, value_name = "DURATION")]
    pub delay: Option<Duration>,
    /// Send `Retry-After: SECS` with scripted failures
    #[arg(long, value_name = "SECS")]
    pub retry_after: Option<u64>,
    /// Answer deliveries with a bad signature like good ones (they are still shown as invalid)
    #[arg(long)]
    pub accept_invalid: bool,
    /// Largest body accepted (bigger ones get 413), and largest answer passed back from the app (bigger ones get the sender a 502); e.g. 512KiB, 10MB; at most 900MiB while recording
    #[arg(value_parser = size, long, value_name = "SIZE", default_value = "5MiB")]
    pub max_body: usize,
    /// How long a request's headers and body may take to arrive (slower ones are dropped or get 408), and how long an idle connection is kept
    #[arg(value_parser = duration, long, value_name = "DURATION", default_value = "10s")]
    pub read_timeout: Duration,
    /// How long the app may take to answer a forwarded delivery; then the sender gets 504 [default: the profile's per-attempt timeout, else 10s]
    #[arg(value_parser = duration, long, value_name = "DURATION")]
    pub forward_timeout: Option<Duration>,
    /// Most connections served at once; more wait until one closes [default: half the file descriptors this process may open]
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Serve the web inspector beside the listener (`hookctl ui`'s page)
    #[arg(long)]
    pub ui: bool,
    /// The inspector's port; 0 picks a free one
    #[arg(long, value_name = "PORT", default_value_t = 4040, requires = "ui")]
    pub ui_port: u16,
    /// Receive through a relay instead of a local port: its URL as `hookctl relay`
    /// prints it (http:// or https://); deliveries to RELAY/c/CHANNEL/… come here.
    /// Nodes of a relay cluster: URL1,URL2,…, tried in turn
    #[arg(long, value_name = "URL", help_heading = "Relay", conflicts_with_all = ["host", "port", "tls", "tls_cert", "tls_key", "max_connections"])]
    pub relay: Option<String>,
    /// The relay channel to hold [default: the one last used with that relay, else a new one]
    #[arg(long, value_name = "NAME", requires = "relay", help_heading = "Relay")]
    pub channel: Option<String>,
    /// The key a relay that restricts who makes channels asks for
    #[arg(
        long,
        value_name = "KEY",
        env = "HOOKCTL_RELAY_KEY",
        hide_env_values = true,
        requires = "relay",
        help_heading = "Relay"
    )]
    pub relay_key: Option<String>,
    /// Accept any TLS certificate from the relay
    #[arg(long, short = 'k', requires = "relay", help_heading = "Relay")]
    pub insecure: bool,
    /// Print the channel's token kept on this machine (for a CI secret,
    /// HOOKCTL_RELAY_TOKEN) and exit
    #[arg(long, requires = "relay", help_heading = "Relay")]
    pub print_token: bool,
    /// Compress the retry schedule of deliveries the relay held: N seconds of it
    /// pass per second
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1.0,
        requires = "relay",
        help_heading = "Relay"
    )]
    pub speed: f64,
    /// Exit 0 once a valid delivery whose event matches this glob has been answered
    #[arg(long, value_name = "EVENT_GLOB")]
    pub wait_for: Option<String>,
    /// With --wait-for: give up (exit 1) after this long
    #[arg(value_parser = duration, long, value_name = "DURATION", requires = "wait_for")]
    pub timeout: Option<Duration>,
    /// Serve HTTPS with a self-signed certificate made now (its fingerprint and PEM path are printed)
    #[arg(long)]
    pub tls: bool,
    /// Serve HTTPS with this certificate chain (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key for --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The public URL the provider calls (a tunnel's, a proxy's), for schemes that
    /// sign the URL: a delivery to PATH is checked as PUBLIC-URL's origin + PATH
    /// [default: the relay channel's URL under --relay]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub scheme: SchemeArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES_SIMULATE
)]
pub struct SimulateArgs {
    /// Provider profile [default: `profile` in hookctl.toml]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// What each attempt meets, in order: statuses, `timeout`, `connection`; the last repeats [default: 500 every time]
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        conflicts_with = "fail_first"
    )]
    pub responses: Vec<String>,
    /// The first N attempts fail (500), then one succeeds
    #[arg(long, value_name = "N")]
    pub fail_first: Option<usize>,
    /// The Retry-After a 429 or 503 carries, in seconds
    #[arg(long, value_name = "SECS")]
    pub retry_after: Option<u64>,
    /// Run the schedule for real against this receiver, each attempt signed afresh
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// With --to: N seconds of the schedule pass per second
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub speed: f64,
    /// With --to: the event to send [default: the profile's first]
    #[arg(short, long, value_name = "EVENT")]
    pub event: Option<String>,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES_MOCK)]
pub struct MockArgs {
    /// The provider to play (a profile with a `[handshake]`, or any profile for events only)
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// The app's webhook URL [required unless --serve, where registrations name it]
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// An event to send after the handshake (repeatable) [default: every catalogue event but the handshake's]
    #[arg(short, long, value_name = "EVENT")]
    pub event: Vec<String>,
    /// The data of the (first) event instead of the sample: inline JSON, a file, or - for standard input
    #[arg(long, value_name = "JSON|FILE")]
    pub data: Option<String>,
    /// The virtual clock runs N times faster than real time: retry waits and re-validation periods shrink (answers still have the provider's real deadline)
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub speed: f64,
    /// Keep playing for this much virtual time after the events, re-validating as the provider does (`72h` for Zoom, `3h` for X)
    #[arg(long = "for", value_name = "DURATION")]
    pub run_for: Option<String>,
    /// Also serve the provider's registration API and the clock's control endpoint on this address (`127.0.0.1:0` picks a port)
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,
    /// With --serve: stop after the first registration's play is over
    #[arg(long, requires = "serve")]
    pub once: bool,
    /// Meta's `hub.verify_token`: the value the app was configured with [default: `meatyhamhock`, the value in Meta's docs]
    #[arg(
        long,
        value_name = "TOKEN",
        default_value = "meatyhamhock",
        hide_default_value = true
    )]
    pub verify_token: String,
    /// After the handshake, send a delivery with an invalid signature, which must be refused with a 4xx (always done for Discord and Xero)
    #[arg(long)]
    pub probe_signature: bool,
    /// Write a JUnit XML report of the graded steps to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Accept any TLS certificate (a local receiver's self-signed one)
    #[arg(long, short = 'k')]
    pub insecure: bool,
    #[command(flatten)]
    pub secrets: SecretArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES_REPLAY
)]
pub struct ReplayArgs {
    /// Deliveries to send again: store ids (the first column of `hookctl deliveries list`) or the provider's delivery ids
    pub ids: Vec<String>,
    /// Send again every failed delivery (that no replay has delivered since)
    #[arg(long, conflicts_with = "ids")]
    pub failed: bool,
    /// With --failed: only those from the last DURATION
    #[arg(long, value_name = "DURATION", requires = "failed")]
    pub since: Option<String>,
    /// With --failed: only events matching this glob
    #[arg(long, value_name = "GLOB", requires = "failed")]
    pub event: Option<String>,
    /// With --failed: only those whose last answer was this status: a code (500), a class (5xx), or `none` (no answer)
    #[arg(long, value_name = "STATUS", requires = "failed")]
    pub status: Option<String>,
    /// Only deliveries sent (out) or received (in); with an id, which record of it to take
    #[arg(long, value_enum, value_name = "DIR")]
    pub direction: Option<DirectionArg>,
    /// Show what would be sent, where, and how it would be signed; send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replays in flight at once
    #[arg(short = 'c', long, value_name = "N", default_value_t = 1)]
    pub concurrency: usize,
    /// Where to send [default: where a sent delivery went; needed for received ones]
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Sign again with a fresh timestamp (the delivery id stays), so a timestamped scheme still verifies
    #[arg(long)]
    pub resign: bool,
    /// Edit each body in $EDITOR before sending
    #[arg(long)]
    pub edit: bool,
    /// With --failed: only this profile's deliveries; with ids: the profile to re-sign with [default: the one recorded]
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Per-request timeout [default: the profile's]
    #[arg(value_parser = duration, long, value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Accept any TLS certificate
    #[arg(long, short = 'k')]
    pub insecure: bool,
    #[command(flatten)]
    pub secrets: SecretArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    #[command(subcommand)]
    pub action: Option<DeliveriesAction>,
    #[command(flatten)]
    pub store: DeliveriesStoreArgs,
}

/// Which deliveries.
#[derive(Debug, Clone, Default, Args)]
pub struct DeliveryFilter {
    /// Only deliveries in this state
    #[arg(long, value_enum, value_name = "STATE")]
    pub status: Option<DeliveryState>,
    /// Only events matching this glob, e.g. 'ticket.*'
    #[arg(long, value_name = "GLOB")]
    pub event: Option<String>,
    /// Only received (in) or sent (out) deliveries
    #[arg(long, value_enum, value_name = "DIR")]
    pub direction: Option<DirectionArg>,
    /// Only deliveries from the last DURATION, e.g. 1h
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Only this profile's deliveries
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    In,
    Out,
}

#[derive(Debug, Subcommand)]
pub enum DeliveriesAction {
    /// List deliveries, newest first (the default)
    List {
        #[command(flatten)]
        filter: DeliveryFilter,
        /// At most this many
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: u64,
        /// Keep going: show each new delivery as it is recorded (by any hookctl process), until Ctrl-C
        #[arg(short, long)]
        follow: bool,
    },
    /// One delivery: headers, body, verdict and every attempt
    Show {
        /// The delivery's id in the store (the first column of `list`), or the provider's delivery id
        id: String,
        /// Print the request as raw HTTP (for `verify --request -`)
        #[arg(long)]
        raw: bool,
    },
    /// Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file
    Export {
        #[command(flatten)]
        filter: DeliveryFilter,
        /// Write HAR 1.2 (absolute URLs, each answer's status, headers, body and time) instead of NDJSON
        #[arg(long)]
        har: bool,
    },
    /// Delete deliveries older than a duration
    Prune {
        /// Age of the deliveries to delete: seconds, or a number with a unit, s, m, h, d or w (e.g. 90m, 12h, 7d, 2w)
        #[arg(long, value_name = "DURATION")]
        older_than: String,
    },
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  hookctl profiles --scheme hmac-sha1\n  hookctl profiles --search payment\n  hookctl profiles show stripe"
)]
pub struct ProfilesArgs {
    #[command(subcommand)]
    pub action: Option<ProfilesAction>,
    #[command(flatten)]
    pub filter: ProfileFilter,
}

/// Which profiles to list.
#[derive(Debug, Clone, Default, Args)]
pub struct ProfileFilter {
    /// Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix
    /// such as `hmac` takes every family it starts)
    #[arg(long, value_name = "FAMILY", global = true)]
    pub scheme: Option<String>,
    /// Only profiles whose name or description contains this text (any case)
    #[arg(long, value_name = "TEXT", global = true)]
    pub search: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesAction {
    /// List every profile (the default), or those --scheme and --search pick
    List,
    /// Show one profile's full definition, in the format hookctl.toml takes
    Show {
        /// Profile name
        #[arg(value_name = "PROFILE")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only this profile's events [default: hookctl.toml's `profile`, else every profile's]
    #[arg(short, long, value_name = "NAME", global = true)]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub action: Option<EventsAction>,
}

#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// List events (the default)
    List,
    /// Print the exact body `send` would send for an event
    Show {
        /// Event name
        #[arg(value_name = "EVENT")]
        event: String,
        /// Delivery id [default: fresh]
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// Timestamp, unix seconds [default: now]
        #[arg(long, value_name = "UNIX")]
        timestamp: Option<i64>,
        /// Indent the JSON for reading (no longer the exact bytes sent)
        #[arg(long)]
        pretty: bool,
    },
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES_KEYGEN)]
pub struct KeygenArgs {
    /// The profile whose key type and public-key form to use
    #[arg(short, long, value_name = "NAME")]
    pub profile: String,
    /// Write PREFIX.key (the private key, PEM PKCS#8, readable by you only) and
    /// PREFIX.pub (the public key in the provider's form) [default: the profile's name]
    #[arg(short, long, value_name = "PREFIX")]
    pub output: Option<PathBuf>,
    /// Overwrite existing files
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Default profile (asked on a terminal when not given)
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Take the secret from this environment variable
    #[arg(long, value_name = "NAME", conflicts_with = "secret_file")]
    pub secret_env: Option<String>,
    /// Take the secret from this file
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// Port `listen` uses
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Where to write
    #[arg(short, long, value_name = "PATH", default_value = "hookctl.toml")]
    pub output: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
    /// Ask nothing: take the defaults for whatever is not given
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

// Example command lines, shown under `--help` (`after_help`) and, read back from
// these strings, in the man pages' EXAMPLES section. Written already broken with
// `\` continuations at under 80 columns, so that clap has nothing to wrap and each
// example can be copied whole; a test holds them to that.
pub const EXAMPLES_MAN: &str =
    "Examples:\n  hookctl man\n  sudo hookctl man --dir /usr/local/share/man";
pub const EXAMPLES_SIGN: &str = "Examples:\n  hookctl sign --profile stripe --secret-env STRIPE_WEBHOOK_SECRET \\\n      --body event.json\n  hookctl sign --profile agentbot --event message.created \\\n      --secret-env AGENTBOT_SECRET";
pub const EXAMPLES_VERIFY: &str = "Examples:\n  hookctl verify --profile github --secret-env GH_SECRET \\\n      -H 'X-Hub-Signature-256: sha256=…' --body payload.json\n  hookctl verify --request captured.http --secret-file secret.txt --explain";
pub const EXAMPLES_SEND: &str = "Examples:\n  hookctl send --to http://localhost:3000/hooks -p hyperleap \\\n      --event lead.captured --secret-env HL_SECRET\n  hookctl send --to http://localhost:3000/hooks -p stripe -e invoice.paid \\\n      --set data.object.amount_paid=990 --retry --speed 60\n  hookctl send --to http://localhost:3000/hooks -p github -e push \\\n      --count 10000 --concurrency 32 --secret k\n  hookctl send --to http://localhost:3000/hooks -p agentbot \\\n      -e ticket.created --dry-run --secret k";
pub const EXAMPLES_LISTEN: &str = "Examples:\n  hookctl listen --profile agentbot --secret-env AGENTBOT_SECRET \\\n      --forward-to http://localhost:3000/webhooks\n  hookctl listen --route 'ticket.*=http://localhost:3000/tickets' \\\n      --forward-to http://localhost:3000/other\n  hookctl listen --fail-first 2 --retry-after 1\n  hookctl --json listen --port 0 --wait-for 'lead.*' --timeout 30s";
pub const EXAMPLES_SIMULATE: &str = "Examples:\n  hookctl simulate -p convosphere\n  hookctl simulate -p agentbot --responses 500,timeout,429,200\n  hookctl simulate -p hyperleap --to http://127.0.0.1:4242/ --speed 100 \\\n      --secret-env HL_SECRET";
pub const EXAMPLES_REPLAY: &str = "Examples:\n  hookctl replay 42 --to http://localhost:3000/hooks\n  hookctl replay --failed --since 1h -p stripe --resign \\\n      --secret-env STRIPE_WEBHOOK_SECRET\n  hookctl replay --failed --resign --dry-run \\\n      --secret-env stripe=STRIPE_WEBHOOK_SECRET --secret-env github=GH_SECRET\n  hookctl replay 42 --edit --resign --to http://localhost:3000/hooks";

pub const EXAMPLES_MOCK: &str = "Examples:\n  hookctl mock slack --to http://localhost:3000/slack/events --secret-env SLACK_SIGNING_SECRET\n  hookctl mock zoom --to http://localhost:3000/zoom --secret-env ZOOM_SECRET_TOKEN \\\n      --speed 36000 --for 72h\n  hookctl mock discord --to http://localhost:3000/interactions --private-key discord.key\n  hookctl mock hover --serve 127.0.0.1:8090 --json";

pub const EXAMPLES_AUDIT: &str = "Examples:\n  hookctl audit --to http://localhost:3000/hooks -p stripe \\\n      --secret-env STRIPE_WEBHOOK_SECRET\n  hookctl audit --to http://localhost:3000/hooks -p github \\\n      --secret-env GH_SECRET --oracle-url http://localhost:3000/count \\\n      --junit audit.xml\n  hookctl audit --to http://localhost:3000/hooks -p hyperleap \\\n      --secret-env HL_SECRET --only tampered-body,stale-timestamp";

pub const EXAMPLES_RELAY: &str = "Examples:\n  hookctl relay --bind 0.0.0.0:8080 --public-url https://hooks.example.com \\\n      --key-file /etc/hookctl/relay.key\n  hookctl listen --relay https://hooks.example.com --channel my-app \\\n      --forward-to http://localhost:3000/webhooks";

pub const EXAMPLES_UI: &str = "Examples:\n  hookctl ui --open\n  hookctl ui --port 0 --secret-env STRIPE_WEBHOOK_SECRET\n  hookctl listen -p stripe --secret-env STRIPE_WEBHOOK_SECRET --ui";

pub const EXAMPLES_KEYGEN: &str = "Examples:\n  hookctl keygen -p discord\n  hookctl sign -p discord --private-key discord.key --event ping\n  hookctl verify -p discord --public-key discord.pub \\\n      -H @headers.txt --body body.json";

/// Every subcommand's examples, by name.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("sign", EXAMPLES_SIGN),
    ("verify", EXAMPLES_VERIFY),
    ("send", EXAMPLES_SEND),
    ("listen", EXAMPLES_LISTEN),
    ("simulate", EXAMPLES_SIMULATE),
    ("replay", EXAMPLES_REPLAY),
    ("mock", EXAMPLES_MOCK),
    ("audit", EXAMPLES_AUDIT),
    ("relay", EXAMPLES_RELAY),
    ("ui", EXAMPLES_UI),
    ("man", EXAMPLES_MAN),
    ("keygen", EXAMPLES_KEYGEN),
];

/// A duration as users write it: `5m`, `300s`, `1h 30m`, or seconds.
fn duration(text: &str) -> Result<Duration, String> {
    crate::envelope::units::parse_duration(text)
}

/// A size: `5MiB`, `512KiB`, `10MB`, `2k`, or bytes.
fn size(text: &str) -> Result<usize, String> {
    crate::envelope::units::parse_size(text)
}

/// A header line, `Name: value`.
fn header(text: &str) -> Result<(String, String), String> {
    crate::envelope::HeaderList::parse_line(text).map_err(|e| e.to_string())
}
