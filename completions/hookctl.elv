
use builtin;
use str;

set edit:completion:arg-completer[hookctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hookctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hookctl'= {
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --store 'Delivery store (SQLite) [default: hookctl/hookctl.db under the user''s data directory]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand sign 'Print the headers a profile adds to a body: the signature and its companions'
            cand verify 'Check a request''s signature and say why it fails'
            cand send 'Send realistic, signed events to a URL: once, with the provider''s retries, or as load'
            cand listen 'Receive webhooks locally: verify, show, record, forward, or answer with scripted failures'
            cand deliveries 'The deliveries the store holds: list, show, export, prune'
            cand simulate 'Show a provider''s retry schedule as a timeline, or run it against a receiver'
            cand replay 'Send recorded deliveries again, byte-exact or re-signed, failed ones first of all'
            cand audit 'Attack your own webhook endpoint as a provider''s forger would, and grade each check'
            cand mock 'Play a provider against your app: its handshake, re-validation and signed events with its retries, graded'
            cand relay 'Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT'
            cand ui 'Browse the store''s deliveries in a web page: live, with verdicts, and replay'
            cand profiles 'List the provider profiles, or show one'
            cand events 'List a profile''s events, or show the exact body of one'
            cand keygen 'Make a test key pair for a profile with a key pair, in the provider''s formats'
            cand init 'Write a commented hookctl.toml, asking for the defaults'
            cand completions 'Print a shell completion script'
            cand man 'Install the man pages where `man` looks for them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;sign'= {
            cand -p 'Provider profile [default: `profile` in hookctl.toml]'
            cand --profile 'Provider profile [default: `profile` in hookctl.toml]'
            cand --body 'Body to sign, a file or - for standard input [default: build --event''s sample body, and print it after the headers]'
            cand -e 'Event name (for the event header, or the sample body to build)'
            cand --event 'Event name (for the event header, or the sample body to build)'
            cand --id 'Delivery id [default: the body''s, or a fresh one]'
            cand --timestamp 'Timestamp, unix seconds [default: now]'
            cand --path 'Request path, for schemes that sign it'
            cand --method 'Request method, for schemes that sign it'
            cand --url 'The full URL the provider calls, for schemes that sign it (Twilio, Square, HubSpot v3, Trello, MessageBird); its path stands for --path'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --signature-header 'Name of the header that carries the signature'
            cand --signature-format 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}'''
            cand --signed 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}'''
            cand --algorithm 'MAC algorithm'
            cand --encoding 'Encoding of the signature'
            cand --secret-encoding 'How the secret becomes the key'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --explain 'Print the exact bytes that were signed (on standard error)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;verify'= {
            cand -p 'Provider profile, or `auto` to detect it from the headers [default: `profile` in hookctl.toml, else auto]'
            cand --profile 'Provider profile, or `auto` to detect it from the headers [default: `profile` in hookctl.toml, else auto]'
            cand -H 'A request header, ''Name: value'' (repeatable); ''@FILE'' reads header lines from a file'
            cand --header 'A request header, ''Name: value'' (repeatable); ''@FILE'' reads header lines from a file'
            cand --body 'The raw body, a file or - for standard input'
            cand --request 'A whole raw HTTP request (request line, headers, body), a file or -'
            cand --tolerance 'How far the timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile''s]'
            cand --now 'Take this unix time as now'
            cand --as-of-arrival 'Verify a delivery in the store (its store id or delivery id) as of when it arrived: when a relay took it, for one that came through a relay'
            cand --path 'Request path, for schemes that sign it [default: the request''s, or /]'
            cand --method 'Request method, for schemes that sign it [default: the request''s, or POST]'
            cand --url 'The full URL the provider called, for schemes that sign it (behind a proxy or a tunnel, the public one); its path stands for --path'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --signature-header 'Name of the header that carries the signature'
            cand --signature-format 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}'''
            cand --signed 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}'''
            cand --algorithm 'MAC algorithm'
            cand --encoding 'Encoding of the signature'
            cand --secret-encoding 'How the secret becomes the key'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --explain 'On failure, find the classic mistake that explains it'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;send'= {
            cand --to 'Where to send [default: `send.to` in hookctl.toml]'
            cand -p 'Provider profile [default: `send.profile`, else `profile`, in hookctl.toml]'
            cand --profile 'Provider profile [default: `send.profile`, else `profile`, in hookctl.toml]'
            cand -e 'Event from the profile''s catalogue [default on a terminal: pick one]'
            cand --event 'Event from the profile''s catalogue [default on a terminal: pick one]'
            cand --data 'The event''s data instead of the sample: inline JSON, a file, or - for standard input'
            cand --body 'Send this file (or - for standard input) as the body, byte for byte, signed; the event and id come from it when it has them'
            cand --set 'Change one field of the body as sent (as `events show` prints it), e.g. `data.email=a@b.c`; the value is JSON when it parses as JSON (`42`, `true`, `null`, `[1]`), else text (repeatable)'
            cand -H 'An extra request header, ''Name: value''; it replaces a profile header of that name (repeatable)'
            cand --header 'An extra request header, ''Name: value''; it replaces a profile header of that name (repeatable)'
            cand --method 'HTTP method'
            cand --id 'Delivery id [default: a fresh one in the profile''s format]'
            cand --timestamp 'Sign as of this time: Unix seconds, or from now, e.g. `-10m` (stale) or `+10m`'
            cand --tamper 'Change one field of the body after signing, so the signature no longer matches (a forged request: does the receiver refuse it?) (repeatable)'
            cand --speed 'Compress the retry schedule: N seconds of it pass per second'
            cand --timeout 'Per-attempt timeout [default: the profile''s]'
            cand --count 'Send this many events (with --retry: each follows the retry policy, -c at once)'
            cand -c 'Requests in flight at once'
            cand --concurrency 'Requests in flight at once'
            cand --rate 'At most this many requests per second'
            cand --duration 'Stop starting requests after this long, e.g. 30s'
            cand --duplicate-rate 'Re-send this share of events with the same delivery id (0 to 1), to test idempotency'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --signature-header 'Name of the header that carries the signature'
            cand --signature-format 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}'''
            cand --signed 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}'''
            cand --algorithm 'MAC algorithm'
            cand --encoding 'Encoding of the signature'
            cand --secret-encoding 'How the secret becomes the key'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --pretty 'Pretty-print the JSON body, then sign it (does the receiver verify the bytes sent?)'
            cand --unsigned 'Leave the signature header out'
            cand --dry-run 'Print the exact request and an equivalent curl command; send nothing'
            cand --retry 'Follow the profile''s retry policy until delivered or given up'
            cand -k 'Accept any TLS certificate (a local receiver''s self-signed one)'
            cand --insecure 'Accept any TLS certificate (a local receiver''s self-signed one)'
            cand --shuffle 'Send the events out of order'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;listen'= {
            cand --host 'Address to bind [default: `listen.host` in hookctl.toml, else 127.0.0.1]'
            cand --port 'Port; 0 picks a free one [default: `listen.port` in hookctl.toml, else 4242]'
            cand --path 'Accept deliveries under this path only [default: /]'
            cand -p 'Provider profile, or `auto` to detect it per delivery [default: `profile` in hookctl.toml, else auto]'
            cand --profile 'Provider profile, or `auto` to detect it per delivery [default: `profile` in hookctl.toml, else auto]'
            cand --tolerance 'How far a signed timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile''s]'
            cand --forward-to 'Pass every delivery to this URL byte-exact and answer with the app''s response'
            cand --route 'Forward deliveries whose event matches GLOB to URL, e.g. ''ticket.*=http://localhost:3000/tickets'' (repeatable; before --forward-to)'
            cand --status 'Status of an accepted delivery that is not forwarded'
            cand --fail-first 'Fail the first N attempts of each delivery id, then accept it'
            cand --fail-rate 'Fail this share of deliveries at random (0 to 1)'
            cand --fail-status 'Status of a scripted failure'
            cand --delay 'Wait this long before answering (to trip the sender''s timeout)'
            cand --retry-after 'Send `Retry-After: SECS` with scripted failures'
            cand --max-body 'Largest body accepted (bigger ones get 413), and largest answer passed back from the app (bigger ones get the sender a 502); e.g. 512KiB, 10MB; at most 900MiB while recording'
            cand --read-timeout 'How long a request''s headers and body may take to arrive (slower ones are dropped or get 408), and how long an idle connection is kept'
            cand --forward-timeout 'How long the app may take to answer a forwarded delivery; then the sender gets 504 [default: the profile''s per-attempt timeout, else 10s]'
            cand --max-connections 'Most connections served at once; more wait until one closes [default: half the file descriptors this process may open]'
            cand --ui-port 'The inspector''s port; 0 picks a free one'
            cand --relay 'Receive through a relay instead of a local port: its URL as `hookctl relay` prints it (http:// or https://); deliveries to RELAY/c/CHANNEL/… come here. Nodes of a relay cluster: URL1,URL2,…, tried in turn'
            cand --channel 'The relay channel to hold [default: the one last used with that relay, else a new one]'
            cand --relay-key 'The key a relay that restricts who makes channels asks for'
            cand --speed 'Compress the retry schedule of deliveries the relay held: N seconds of it pass per second'
            cand --wait-for 'Exit 0 once a valid delivery whose event matches this glob has been answered'
            cand --timeout 'With --wait-for: give up (exit 1) after this long'
            cand --tls-cert 'Serve HTTPS with this certificate chain (PEM)'
            cand --tls-key 'The private key for --tls-cert (PEM)'
            cand --public-url 'The public URL the provider calls (a tunnel''s, a proxy''s), for schemes that sign the URL: a delivery to PATH is checked as PUBLIC-URL''s origin + PATH [default: the relay channel''s URL under --relay]'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --signature-header 'Name of the header that carries the signature'
            cand --signature-format 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}'''
            cand --signed 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}'''
            cand --algorithm 'MAC algorithm'
            cand --encoding 'Encoding of the signature'
            cand --secret-encoding 'How the secret becomes the key'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --accept-invalid 'Answer deliveries with a bad signature like good ones (they are still shown as invalid)'
            cand --ui 'Serve the web inspector beside the listener (`hookctl ui`''s page)'
            cand -k 'Accept any TLS certificate from the relay'
            cand --insecure 'Accept any TLS certificate from the relay'
            cand --print-token 'Print the channel''s token kept on this machine (for a CI secret, HOOKCTL_RELAY_TOKEN) and exit'
            cand --tls 'Serve HTTPS with a self-signed certificate made now (its fingerprint and PEM path are printed)'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;deliveries'= {
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List deliveries, newest first (the default)'
            cand show 'One delivery: headers, body, verdict and every attempt'
            cand export 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file'
            cand prune 'Delete deliveries older than a duration'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;deliveries;list'= {
            cand --status 'Only deliveries in this state'
            cand --event 'Only events matching this glob, e.g. ''ticket.*'''
            cand --direction 'Only received (in) or sent (out) deliveries'
            cand --since 'Only deliveries from the last DURATION, e.g. 1h'
            cand -p 'Only this profile''s deliveries'
            cand --profile 'Only this profile''s deliveries'
            cand --limit 'At most this many'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand -f 'Keep going: show each new delivery as it is recorded (by any hookctl process), until Ctrl-C'
            cand --follow 'Keep going: show each new delivery as it is recorded (by any hookctl process), until Ctrl-C'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;deliveries;show'= {
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --raw 'Print the request as raw HTTP (for `verify --request -`)'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;deliveries;export'= {
            cand --status 'Only deliveries in this state'
            cand --event 'Only events matching this glob, e.g. ''ticket.*'''
            cand --direction 'Only received (in) or sent (out) deliveries'
            cand --since 'Only deliveries from the last DURATION, e.g. 1h'
            cand -p 'Only this profile''s deliveries'
            cand --profile 'Only this profile''s deliveries'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --har 'Write HAR 1.2 (absolute URLs, each answer''s status, headers, body and time) instead of NDJSON'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;deliveries;prune'= {
            cand --older-than 'Age of the deliveries to delete: seconds, or a number with a unit, s, m, h, d or w (e.g. 90m, 12h, 7d, 2w)'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;deliveries;help'= {
            cand list 'List deliveries, newest first (the default)'
            cand show 'One delivery: headers, body, verdict and every attempt'
            cand export 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file'
            cand prune 'Delete deliveries older than a duration'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;deliveries;help;list'= {
        }
        &'hookctl;deliveries;help;show'= {
        }
        &'hookctl;deliveries;help;export'= {
        }
        &'hookctl;deliveries;help;prune'= {
        }
        &'hookctl;deliveries;help;help'= {
        }
        &'hookctl;simulate'= {
            cand -p 'Provider profile [default: `profile` in hookctl.toml]'
            cand --profile 'Provider profile [default: `profile` in hookctl.toml]'
            cand --responses 'What each attempt meets, in order: statuses, `timeout`, `connection`; the last repeats [default: 500 every time]'
            cand --fail-first 'The first N attempts fail (500), then one succeeds'
            cand --retry-after 'The Retry-After a 429 or 503 carries, in seconds'
            cand --to 'Run the schedule for real against this receiver, each attempt signed afresh'
            cand --speed 'With --to: N seconds of the schedule pass per second'
            cand -e 'With --to: the event to send [default: the profile''s first]'
            cand --event 'With --to: the event to send [default: the profile''s first]'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;replay'= {
            cand --since 'With --failed: only those from the last DURATION'
            cand --event 'With --failed: only events matching this glob'
            cand --status 'With --failed: only those whose last answer was this status: a code (500), a class (5xx), or `none` (no answer)'
            cand --direction 'Only deliveries sent (out) or received (in); with an id, which record of it to take'
            cand -c 'Replays in flight at once'
            cand --concurrency 'Replays in flight at once'
            cand --to 'Where to send [default: where a sent delivery went; needed for received ones]'
            cand -p 'With --failed: only this profile''s deliveries; with ids: the profile to re-sign with [default: the one recorded]'
            cand --profile 'With --failed: only this profile''s deliveries; with ids: the profile to re-sign with [default: the one recorded]'
            cand --timeout 'Per-request timeout [default: the profile''s]'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --failed 'Send again every failed delivery (that no replay has delivered since)'
            cand --dry-run 'Show what would be sent, where, and how it would be signed; send nothing'
            cand --resign 'Sign again with a fresh timestamp (the delivery id stays), so a timestamped scheme still verifies'
            cand --edit 'Edit each body in $EDITOR before sending'
            cand -k 'Accept any TLS certificate'
            cand --insecure 'Accept any TLS certificate'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;audit'= {
            cand --to 'The endpoint to audit (yours: it receives forged, stale, huge and slow requests)'
            cand -p 'The provider whose deliveries the endpoint takes [default: `profile` in hookctl.toml]'
            cand --profile 'The provider whose deliveries the endpoint takes [default: `profile` in hookctl.toml]'
            cand -e 'The event the deliveries carry [default: the profile''s first]'
            cand --event 'The event the deliveries carry [default: the profile''s first]'
            cand --only 'Run only these checks (comma-separated; `valid` always runs first)'
            cand --oracle-url 'A GET answering the number of deliveries the endpoint has processed, as plain text: how `replayed-delivery` sees whether a repeat was acted on'
            cand --fail-on 'Exit 1 on a failed check, or on a warning too'
            cand --junit 'Write a JUnit XML report (for CI test reports)'
            cand --markdown 'Write a Markdown report (for a pull request)'
            cand --delay 'Pause between requests'
            cand -H 'An extra request header on every request, ''Name: value'' (repeatable)'
            cand --header 'An extra request header on every request, ''Name: value'' (repeatable)'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --signature-header 'Name of the header that carries the signature'
            cand --signature-format 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}'''
            cand --signed 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}'''
            cand --algorithm 'MAC algorithm'
            cand --encoding 'Encoding of the signature'
            cand --secret-encoding 'How the secret becomes the key'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand -y 'Audit a host that is not this machine without asking'
            cand --yes 'Audit a host that is not this machine without asking'
            cand -k 'Accept any TLS certificate (a local receiver''s self-signed one)'
            cand --insecure 'Accept any TLS certificate (a local receiver''s self-signed one)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;mock'= {
            cand --to 'The app''s webhook URL [required unless --serve, where registrations name it]'
            cand -e 'An event to send after the handshake (repeatable) [default: every catalogue event but the handshake''s]'
            cand --event 'An event to send after the handshake (repeatable) [default: every catalogue event but the handshake''s]'
            cand --data 'The data of the (first) event instead of the sample: inline JSON, a file, or - for standard input'
            cand --speed 'The virtual clock runs N times faster than real time: retry waits and re-validation periods shrink (answers still have the provider''s real deadline)'
            cand --for 'Keep playing for this much virtual time after the events, re-validating as the provider does (`72h` for Zoom, `3h` for X)'
            cand --serve 'Also serve the provider''s registration API and the clock''s control endpoint on this address (`127.0.0.1:0` picks a port)'
            cand --verify-token 'Meta''s `hub.verify_token`: the value the app was configured with [default: `meatyhamhock`, the value in Meta''s docs]'
            cand --junit 'Write a JUnit XML report of the graded steps to FILE'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --once 'With --serve: stop after the first registration''s play is over'
            cand --probe-signature 'After the handshake, send a delivery with an invalid signature, which must be refused with a 4xx (always done for Discord and Xero)'
            cand -k 'Accept any TLS certificate (a local receiver''s self-signed one)'
            cand --insecure 'Accept any TLS certificate (a local receiver''s self-signed one)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;relay'= {
            cand --bind 'Address and port to listen on; port 0 picks a free one'
            cand --public-url 'The URL clients are told the relay has (behind a proxy or load balancer) [default: http(s)://the bound address]'
            cand --tls-cert 'TLS certificate chain (PEM); with --tls-key the relay serves HTTPS'
            cand --tls-key 'TLS private key (PEM)'
            cand --max-body 'Largest delivery taken (bigger ones get 413)'
            cand --rate 'Deliveries per second a channel takes (more get 429 with Retry-After) [default: no limit]'
            cand --queue-max 'Deliveries held per channel while its client is away (more get 503)'
            cand --queue-ttl 'How long a held delivery is kept'
            cand --queue-bytes 'Bytes all held deliveries may take on disk, headers and bodies (more get 503)'
            cand --channel-bytes 'Bytes one channel''s held deliveries may take (more get 503)'
            cand --max-links 'Client links held at once, at most (more are refused, so that senders always find a connection) [default: half of --max-connections]'
            cand --create-rate 'Channels made per hour from one client address, at most'
            cand --channel-idle 'A channel with no client and nothing held for this long is deleted (its name is free again); 0 keeps channels for ever'
            cand --response-timeout 'How long a sender waits for the client''s answer (then 504)'
            cand --offline 'With no client connected: hold deliveries (202) or refuse them (503)'
            cand --heartbeat 'How often each side of a link shows it is alive; two missed mean it is dead'
            cand --key 'Make channels only for clients that give this key [default: anyone may]'
            cand --key-file 'Read that key from a file (its first line), out of sight of `ps`'
            cand --read-timeout 'How long a request''s head and body may take to arrive'
            cand --max-connections 'Most connections served at once [default: half the file descriptors this process may open]'
            cand --nats 'Run as a node of a cluster: the NATS servers, comma-separated (nats://host:4222, tls://…)'
            cand --nats-creds 'NATS credentials file (JWT and NKey seed, as `nsc` writes it)'
            cand --nats-user 'NATS user name; the password comes from HOOKCTL_NATS_PASSWORD or --nats-password-file'
            cand --nats-password-file 'Read the NATS password (or, without --nats-user, a token) from a file''s first line'
            cand --nats-tls-ca 'CA certificate (PEM) the NATS servers'' TLS certificates are checked against; TLS is then required'
            cand --nats-tls-cert 'Client certificate (PEM) for NATS servers that verify clients'
            cand --nats-tls-key 'The client certificate''s private key (PEM)'
            cand --nats-prefix 'Prefix of the subjects, stream and buckets (several relays may share one NATS)'
            cand --nats-replicas 'JetStream replicas of the queue and buckets [default: 3 on a cluster of three NATS servers or more, else 1]'
            cand --node-name 'This node''s name in `relay status` [default: the host name and a random suffix]'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --open 'Allow a relay bound to a non-loopback address without --key (anyone who reaches it may make channels)'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand status 'A running relay''s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day'
            cand channels 'A running relay''s channels: list them, or delete some'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;relay;status'= {
            cand --relay 'The relay, as it prints itself'
            cand --key 'The relay''s key (its operator''s endpoints are served only behind one)'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand -k 'Accept any TLS certificate from the relay'
            cand --insecure 'Accept any TLS certificate from the relay'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;relay;channels'= {
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Every channel, as `relay status` shows them'
            cand prune 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;relay;channels;list'= {
            cand --relay 'The relay, as it prints itself'
            cand --key 'The relay''s key (its operator''s endpoints are served only behind one)'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand -k 'Accept any TLS certificate from the relay'
            cand --insecure 'Accept any TLS certificate from the relay'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;relay;channels;prune'= {
            cand --relay 'The relay, as it prints itself'
            cand --key 'The relay''s key (its operator''s endpoints are served only behind one)'
            cand --idle 'Delete channels unused for this long that hold nothing, e.g. 7d'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand -k 'Accept any TLS certificate from the relay'
            cand --insecure 'Accept any TLS certificate from the relay'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;relay;channels;help'= {
            cand list 'Every channel, as `relay status` shows them'
            cand prune 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;relay;channels;help;list'= {
        }
        &'hookctl;relay;channels;help;prune'= {
        }
        &'hookctl;relay;channels;help;help'= {
        }
        &'hookctl;relay;help'= {
            cand status 'A running relay''s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day'
            cand channels 'A running relay''s channels: list them, or delete some'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;relay;help;status'= {
        }
        &'hookctl;relay;help;channels'= {
            cand list 'Every channel, as `relay status` shows them'
            cand prune 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle'
        }
        &'hookctl;relay;help;channels;list'= {
        }
        &'hookctl;relay;help;channels;prune'= {
        }
        &'hookctl;relay;help;help'= {
        }
        &'hookctl;ui'= {
            cand --host 'Address to bind (keep it loopback: the inspector can replay deliveries)'
            cand --port 'Port; 0 picks a free one'
            cand --secret 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only'
            cand --secret-env 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)'
            cand --secret-file 'Read secrets from a file, one per line (repeatable)'
            cand --private-key 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)'
            cand --private-key-env 'Read a private key (its PEM text) from this environment variable (repeatable)'
            cand --public-key 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)'
            cand --public-key-env 'Read a public key from this environment variable (repeatable)'
            cand --store 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --open 'Open the page in the default browser'
            cand -k 'Accept any TLS certificate when replaying (a local receiver''s self-signed one)'
            cand --insecure 'Accept any TLS certificate when replaying (a local receiver''s self-signed one)'
            cand --no-store 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;profiles'= {
            cand --scheme 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)'
            cand --search 'Only profiles whose name or description contains this text (any case)'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List every profile (the default), or those --scheme and --search pick'
            cand show 'Show one profile''s full definition, in the format hookctl.toml takes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;profiles;list'= {
            cand --scheme 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)'
            cand --search 'Only profiles whose name or description contains this text (any case)'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;profiles;show'= {
            cand --scheme 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)'
            cand --search 'Only profiles whose name or description contains this text (any case)'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;profiles;help'= {
            cand list 'List every profile (the default), or those --scheme and --search pick'
            cand show 'Show one profile''s full definition, in the format hookctl.toml takes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;profiles;help;list'= {
        }
        &'hookctl;profiles;help;show'= {
        }
        &'hookctl;profiles;help;help'= {
        }
        &'hookctl;events'= {
            cand -p 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]'
            cand --profile 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List events (the default)'
            cand show 'Print the exact body `send` would send for an event'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;events;list'= {
            cand -p 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]'
            cand --profile 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;events;show'= {
            cand --id 'Delivery id [default: fresh]'
            cand --timestamp 'Timestamp, unix seconds [default: now]'
            cand -p 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]'
            cand --profile 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --pretty 'Indent the JSON for reading (no longer the exact bytes sent)'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;events;help'= {
            cand list 'List events (the default)'
            cand show 'Print the exact body `send` would send for an event'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;events;help;list'= {
        }
        &'hookctl;events;help;show'= {
        }
        &'hookctl;events;help;help'= {
        }
        &'hookctl;keygen'= {
            cand -p 'The profile whose key type and public-key form to use'
            cand --profile 'The profile whose key type and public-key form to use'
            cand -o 'Write PREFIX.key (the private key, PEM PKCS#8, readable by you only) and PREFIX.pub (the public key in the provider''s form) [default: the profile''s name]'
            cand --output 'Write PREFIX.key (the private key, PEM PKCS#8, readable by you only) and PREFIX.pub (the public key in the provider''s form) [default: the profile''s name]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --force 'Overwrite existing files'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;init'= {
            cand -p 'Default profile (asked on a terminal when not given)'
            cand --profile 'Default profile (asked on a terminal when not given)'
            cand --secret-env 'Take the secret from this environment variable'
            cand --secret-file 'Take the secret from this file'
            cand --port 'Port `listen` uses'
            cand -o 'Where to write'
            cand --output 'Where to write'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --force 'Overwrite an existing file'
            cand -y 'Ask nothing: take the defaults for whatever is not given'
            cand --yes 'Ask nothing: take the defaults for whatever is not given'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;completions'= {
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;man'= {
            cand --dir 'Man directory to install into; the pages go in its man1/ [default: man under the user''s data directory, ~/.local/share/man on Linux]'
            cand --color 'When to use colour'
            cand --config 'Configuration file [default: the nearest hookctl.toml in this folder or above]'
            cand --json 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
            cand -q 'Print less: only results and errors'
            cand --quiet 'Print less: only results and errors'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hookctl;help'= {
            cand sign 'Print the headers a profile adds to a body: the signature and its companions'
            cand verify 'Check a request''s signature and say why it fails'
            cand send 'Send realistic, signed events to a URL: once, with the provider''s retries, or as load'
            cand listen 'Receive webhooks locally: verify, show, record, forward, or answer with scripted failures'
            cand deliveries 'The deliveries the store holds: list, show, export, prune'
            cand simulate 'Show a provider''s retry schedule as a timeline, or run it against a receiver'
            cand replay 'Send recorded deliveries again, byte-exact or re-signed, failed ones first of all'
            cand audit 'Attack your own webhook endpoint as a provider''s forger would, and grade each check'
            cand mock 'Play a provider against your app: its handshake, re-validation and signed events with its retries, graded'
            cand relay 'Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT'
            cand ui 'Browse the store''s deliveries in a web page: live, with verdicts, and replay'
            cand profiles 'List the provider profiles, or show one'
            cand events 'List a profile''s events, or show the exact body of one'
            cand keygen 'Make a test key pair for a profile with a key pair, in the provider''s formats'
            cand init 'Write a commented hookctl.toml, asking for the defaults'
            cand completions 'Print a shell completion script'
            cand man 'Install the man pages where `man` looks for them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hookctl;help;sign'= {
        }
        &'hookctl;help;verify'= {
        }
        &'hookctl;help;send'= {
        }
        &'hookctl;help;listen'= {
        }
        &'hookctl;help;deliveries'= {
            cand list 'List deliveries, newest first (the default)'
            cand show 'One delivery: headers, body, verdict and every attempt'
            cand export 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file'
            cand prune 'Delete deliveries older than a duration'
        }
        &'hookctl;help;deliveries;list'= {
        }
        &'hookctl;help;deliveries;show'= {
        }
        &'hookctl;help;deliveries;export'= {
        }
        &'hookctl;help;deliveries;prune'= {
        }
        &'hookctl;help;simulate'= {
        }
        &'hookctl;help;replay'= {
        }
        &'hookctl;help;audit'= {
        }
        &'hookctl;help;mock'= {
        }
        &'hookctl;help;relay'= {
            cand status 'A running relay''s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day'
            cand channels 'A running relay''s channels: list them, or delete some'
        }
        &'hookctl;help;relay;status'= {
        }
        &'hookctl;help;relay;channels'= {
            cand list 'Every channel, as `relay status` shows them'
            cand prune 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle'
        }
        &'hookctl;help;relay;channels;list'= {
        }
        &'hookctl;help;relay;channels;prune'= {
        }
        &'hookctl;help;ui'= {
        }
        &'hookctl;help;profiles'= {
            cand list 'List every profile (the default), or those --scheme and --search pick'
            cand show 'Show one profile''s full definition, in the format hookctl.toml takes'
        }
        &'hookctl;help;profiles;list'= {
        }
        &'hookctl;help;profiles;show'= {
        }
        &'hookctl;help;events'= {
            cand list 'List events (the default)'
            cand show 'Print the exact body `send` would send for an event'
        }
        &'hookctl;help;events;list'= {
        }
        &'hookctl;help;events;show'= {
        }
        &'hookctl;help;keygen'= {
        }
        &'hookctl;help;init'= {
        }
        &'hookctl;help;completions'= {
        }
        &'hookctl;help;man'= {
        }
        &'hookctl;help;help'= {
        }
    ]
    $completions[$command]
}
