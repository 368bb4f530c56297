# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hookctl_global_optspecs
    string join \n json color= q/quiet v/verbose config= store= no-store h/help V/version
end

function __fish_hookctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hookctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hookctl_using_subcommand
    set -l cmd (__fish_hookctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hookctl -n "__fish_hookctl_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_needs_command" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_needs_command" -l store -d 'Delivery store (SQLite) [default: hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_needs_command" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_needs_command" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_needs_command" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_needs_command" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_needs_command" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_needs_command" -s V -l version -d 'Print version'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "sign" -d 'Print the headers a profile adds to a body: the signature and its companions'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "verify" -d 'Check a request\'s signature and say why it fails'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "send" -d 'Send realistic, signed events to a URL: once, with the provider\'s retries, or as load'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "listen" -d 'Receive webhooks locally: verify, show, record, forward, or answer with scripted failures'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "deliveries" -d 'The deliveries the store holds: list, show, export, prune'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "simulate" -d 'Show a provider\'s retry schedule as a timeline, or run it against a receiver'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "replay" -d 'Send recorded deliveries again, byte-exact or re-signed, failed ones first of all'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "audit" -d 'Attack your own webhook endpoint as a provider\'s forger would, and grade each check'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "mock" -d 'Play a provider against your app: its handshake, re-validation and signed events with its retries, graded'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "relay" -d 'Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "ui" -d 'Browse the store\'s deliveries in a web page: live, with verdicts, and replay'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "profiles" -d 'List the provider profiles, or show one'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "events" -d 'List a profile\'s events, or show the exact body of one'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "keygen" -d 'Make a test key pair for a profile with a key pair, in the provider\'s formats'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "init" -d 'Write a commented hookctl.toml, asking for the defaults'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "man" -d 'Install the man pages where `man` looks for them'
complete -c hookctl -n "__fish_hookctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -s p -l profile -d 'Provider profile [default: `profile` in hookctl.toml]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l body -d 'Body to sign, a file or - for standard input [default: build --event\'s sample body, and print it after the headers]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -s e -l event -d 'Event name (for the event header, or the sample body to build)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l id -d 'Delivery id [default: the body\'s, or a fresh one]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l timestamp -d 'Timestamp, unix seconds [default: now]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l path -d 'Request path, for schemes that sign it' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l method -d 'Request method, for schemes that sign it' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l url -d 'The full URL the provider calls, for schemes that sign it (Twilio, Square, HubSpot v3, Trello, MessageBird); its path stands for --path' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l signature-header -d 'Name of the header that carries the signature' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l signature-format -d 'Value template of that header, e.g. \'sha256={signature}\' or \'t={timestamp},v1={signature}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l signed -d 'Template of the signed bytes, e.g. \'{body}\' or \'{timestamp}.{body}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l algorithm -d 'MAC algorithm' -r -f -a "hmac-sha256\t''
hmac-sha1\t''
hmac-sha512\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l encoding -d 'Encoding of the signature' -r -f -a "hex\t''
base64\t''
base64url\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l secret-encoding -d 'How the secret becomes the key' -r -f -a "raw\t''
whsec\t''
base64\t''
hex\t''
whsec-or-raw\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l explain -d 'Print the exact bytes that were signed (on standard error)'
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand sign" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -s p -l profile -d 'Provider profile, or `auto` to detect it from the headers [default: `profile` in hookctl.toml, else auto]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -s H -l header -d 'A request header, \'Name: value\' (repeatable); \'@FILE\' reads header lines from a file' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l body -d 'The raw body, a file or - for standard input' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l request -d 'A whole raw HTTP request (request line, headers, body), a file or -' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l tolerance -d 'How far the timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l now -d 'Take this unix time as now' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l as-of-arrival -d 'Verify a delivery in the store (its store id or delivery id) as of when it arrived: when a relay took it, for one that came through a relay' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l path -d 'Request path, for schemes that sign it [default: the request\'s, or /]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l method -d 'Request method, for schemes that sign it [default: the request\'s, or POST]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l url -d 'The full URL the provider called, for schemes that sign it (behind a proxy or a tunnel, the public one); its path stands for --path' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l signature-header -d 'Name of the header that carries the signature' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l signature-format -d 'Value template of that header, e.g. \'sha256={signature}\' or \'t={timestamp},v1={signature}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l signed -d 'Template of the signed bytes, e.g. \'{body}\' or \'{timestamp}.{body}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l algorithm -d 'MAC algorithm' -r -f -a "hmac-sha256\t''
hmac-sha1\t''
hmac-sha512\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l encoding -d 'Encoding of the signature' -r -f -a "hex\t''
base64\t''
base64url\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l secret-encoding -d 'How the secret becomes the key' -r -f -a "raw\t''
whsec\t''
base64\t''
hex\t''
whsec-or-raw\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l explain -d 'On failure, find the classic mistake that explains it'
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand verify" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l to -d 'Where to send [default: `send.to` in hookctl.toml]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s p -l profile -d 'Provider profile [default: `send.profile`, else `profile`, in hookctl.toml]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s e -l event -d 'Event from the profile\'s catalogue [default on a terminal: pick one]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l data -d 'The event\'s data instead of the sample: inline JSON, a file, or - for standard input' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l body -d 'Send this file (or - for standard input) as the body, byte for byte, signed; the event and id come from it when it has them' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l set -d 'Change one field of the body as sent (as `events show` prints it), e.g. `data.email=a@b.c`; the value is JSON when it parses as JSON (`42`, `true`, `null`, `[1]`), else text (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s H -l header -d 'An extra request header, \'Name: value\'; it replaces a profile header of that name (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l method -d 'HTTP method' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l id -d 'Delivery id [default: a fresh one in the profile\'s format]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l timestamp -d 'Sign as of this time: Unix seconds, or from now, e.g. `-10m` (stale) or `+10m`' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l tamper -d 'Change one field of the body after signing, so the signature no longer matches (a forged request: does the receiver refuse it?) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l speed -d 'Compress the retry schedule: N seconds of it pass per second' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l timeout -d 'Per-attempt timeout [default: the profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l count -d 'Send this many events (with --retry: each follows the retry policy, -c at once)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s c -l concurrency -d 'Requests in flight at once' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l rate -d 'At most this many requests per second' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l duration -d 'Stop starting requests after this long, e.g. 30s' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l duplicate-rate -d 'Re-send this share of events with the same delivery id (0 to 1), to test idempotency' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l signature-header -d 'Name of the header that carries the signature' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l signature-format -d 'Value template of that header, e.g. \'sha256={signature}\' or \'t={timestamp},v1={signature}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l signed -d 'Template of the signed bytes, e.g. \'{body}\' or \'{timestamp}.{body}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l algorithm -d 'MAC algorithm' -r -f -a "hmac-sha256\t''
hmac-sha1\t''
hmac-sha512\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l encoding -d 'Encoding of the signature' -r -f -a "hex\t''
base64\t''
base64url\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l secret-encoding -d 'How the secret becomes the key' -r -f -a "raw\t''
whsec\t''
base64\t''
hex\t''
whsec-or-raw\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l pretty -d 'Pretty-print the JSON body, then sign it (does the receiver verify the bytes sent?)'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l unsigned -d 'Leave the signature header out'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l dry-run -d 'Print the exact request and an equivalent curl command; send nothing'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l retry -d 'Follow the profile\'s retry policy until delivered or given up'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s k -l insecure -d 'Accept any TLS certificate (a local receiver\'s self-signed one)'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l shuffle -d 'Send the events out of order'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand send" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l host -d 'Address to bind [default: `listen.host` in hookctl.toml, else 127.0.0.1]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l port -d 'Port; 0 picks a free one [default: `listen.port` in hookctl.toml, else 4242]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l path -d 'Accept deliveries under this path only [default: /]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -s p -l profile -d 'Provider profile, or `auto` to detect it per delivery [default: `profile` in hookctl.toml, else auto]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l tolerance -d 'How far a signed timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l forward-to -d 'Pass every delivery to this URL byte-exact and answer with the app\'s response' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l route -d 'Forward deliveries whose event matches GLOB to URL, e.g. \'ticket.*=http://localhost:3000/tickets\' (repeatable; before --forward-to)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l status -d 'Status of an accepted delivery that is not forwarded' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l fail-first -d 'Fail the first N attempts of each delivery id, then accept it' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l fail-rate -d 'Fail this share of deliveries at random (0 to 1)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l fail-status -d 'Status of a scripted failure' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l delay -d 'Wait this long before answering (to trip the sender\'s timeout)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l retry-after -d 'Send `Retry-After: SECS` with scripted failures' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l max-body -d 'Largest body accepted (bigger ones get 413), and largest answer passed back from the app (bigger ones get the sender a 502); e.g. 512KiB, 10MB; at most 900MiB while recording' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l read-timeout -d 'How long a request\'s headers and body may take to arrive (slower ones are dropped or get 408), and how long an idle connection is kept' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l forward-timeout -d 'How long the app may take to answer a forwarded delivery; then the sender gets 504 [default: the profile\'s per-attempt timeout, else 10s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l max-connections -d 'Most connections served at once; more wait until one closes [default: half the file descriptors this process may open]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l ui-port -d 'The inspector\'s port; 0 picks a free one' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l relay -d 'Receive through a relay instead of a local port: its URL as `hookctl relay` prints it (http:// or https://); deliveries to RELAY/c/CHANNEL/… come here. Nodes of a relay cluster: URL1,URL2,…, tried in turn' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l channel -d 'The relay channel to hold [default: the one last used with that relay, else a new one]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l relay-key -d 'The key a relay that restricts who makes channels asks for' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l speed -d 'Compress the retry schedule of deliveries the relay held: N seconds of it pass per second' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l wait-for -d 'Exit 0 once a valid delivery whose event matches this glob has been answered' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l timeout -d 'With --wait-for: give up (exit 1) after this long' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l tls-key -d 'The private key for --tls-cert (PEM)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l public-url -d 'The public URL the provider calls (a tunnel\'s, a proxy\'s), for schemes that sign the URL: a delivery to PATH is checked as PUBLIC-URL\'s origin + PATH [default: the relay channel\'s URL under --relay]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l signature-header -d 'Name of the header that carries the signature' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l signature-format -d 'Value template of that header, e.g. \'sha256={signature}\' or \'t={timestamp},v1={signature}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l signed -d 'Template of the signed bytes, e.g. \'{body}\' or \'{timestamp}.{body}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l algorithm -d 'MAC algorithm' -r -f -a "hmac-sha256\t''
hmac-sha1\t''
hmac-sha512\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l encoding -d 'Encoding of the signature' -r -f -a "hex\t''
base64\t''
base64url\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l secret-encoding -d 'How the secret becomes the key' -r -f -a "raw\t''
whsec\t''
base64\t''
hex\t''
whsec-or-raw\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l accept-invalid -d 'Answer deliveries with a bad signature like good ones (they are still shown as invalid)'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l ui -d 'Serve the web inspector beside the listener (`hookctl ui`\'s page)'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -s k -l insecure -d 'Accept any TLS certificate from the relay'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l print-token -d 'Print the channel\'s token kept on this machine (for a CI secret, HOOKCTL_RELAY_TOKEN) and exit'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l tls -d 'Serve HTTPS with a self-signed certificate made now (its fingerprint and PEM path are printed)'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand listen" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -f -a "list" -d 'List deliveries, newest first (the default)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -f -a "show" -d 'One delivery: headers, body, verdict and every attempt'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -f -a "export" -d 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -f -a "prune" -d 'Delete deliveries older than a duration'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and not __fish_seen_subcommand_from list show export prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l status -d 'Only deliveries in this state' -r -f -a "pending\t''
delivered\t''
failed\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l event -d 'Only events matching this glob, e.g. \'ticket.*\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l direction -d 'Only received (in) or sent (out) deliveries' -r -f -a "in\t''
out\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l since -d 'Only deliveries from the last DURATION, e.g. 1h' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s p -l profile -d 'Only this profile\'s deliveries' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l limit -d 'At most this many' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s f -l follow -d 'Keep going: show each new delivery as it is recorded (by any hookctl process), until Ctrl-C'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l raw -d 'Print the request as raw HTTP (for `verify --request -`)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l status -d 'Only deliveries in this state' -r -f -a "pending\t''
delivered\t''
failed\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l event -d 'Only events matching this glob, e.g. \'ticket.*\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l direction -d 'Only received (in) or sent (out) deliveries' -r -f -a "in\t''
out\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l since -d 'Only deliveries from the last DURATION, e.g. 1h' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -s p -l profile -d 'Only this profile\'s deliveries' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l har -d 'Write HAR 1.2 (absolute URLs, each answer\'s status, headers, body and time) instead of NDJSON'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -l older-than -d 'Age of the deliveries to delete: seconds, or a number with a unit, s, m, h, d or w (e.g. 90m, 12h, 7d, 2w)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "list" -d 'List deliveries, newest first (the default)'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "show" -d 'One delivery: headers, body, verdict and every attempt'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "export" -d 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete deliveries older than a duration'
complete -c hookctl -n "__fish_hookctl_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -s p -l profile -d 'Provider profile [default: `profile` in hookctl.toml]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l responses -d 'What each attempt meets, in order: statuses, `timeout`, `connection`; the last repeats [default: 500 every time]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l fail-first -d 'The first N attempts fail (500), then one succeeds' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l retry-after -d 'The Retry-After a 429 or 503 carries, in seconds' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l to -d 'Run the schedule for real against this receiver, each attempt signed afresh' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l speed -d 'With --to: N seconds of the schedule pass per second' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -s e -l event -d 'With --to: the event to send [default: the profile\'s first]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l since -d 'With --failed: only those from the last DURATION' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l event -d 'With --failed: only events matching this glob' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l status -d 'With --failed: only those whose last answer was this status: a code (500), a class (5xx), or `none` (no answer)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l direction -d 'Only deliveries sent (out) or received (in); with an id, which record of it to take' -r -f -a "in\t''
out\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -s c -l concurrency -d 'Replays in flight at once' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l to -d 'Where to send [default: where a sent delivery went; needed for received ones]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -s p -l profile -d 'With --failed: only this profile\'s deliveries; with ids: the profile to re-sign with [default: the one recorded]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l timeout -d 'Per-request timeout [default: the profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l failed -d 'Send again every failed delivery (that no replay has delivered since)'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l dry-run -d 'Show what would be sent, where, and how it would be signed; send nothing'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l resign -d 'Sign again with a fresh timestamp (the delivery id stays), so a timestamped scheme still verifies'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l edit -d 'Edit each body in $EDITOR before sending'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -s k -l insecure -d 'Accept any TLS certificate'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand replay" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l to -d 'The endpoint to audit (yours: it receives forged, stale, huge and slow requests)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s p -l profile -d 'The provider whose deliveries the endpoint takes [default: `profile` in hookctl.toml]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s e -l event -d 'The event the deliveries carry [default: the profile\'s first]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l only -d 'Run only these checks (comma-separated; `valid` always runs first)' -r -f -a "valid\t''
replayed-delivery\t''
tampered-body\t''
wrong-secret\t''
missing-signature\t''
malformed-signature\t''
stale-timestamp\t''
future-timestamp\t''
multiple-signatures\t''
reserialized-json\t''
non-ascii-body\t''
other-scheme\t''
oversized-body\t''
slow-body\t''
signature-leak\t''
slow-answer\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l oracle-url -d 'A GET answering the number of deliveries the endpoint has processed, as plain text: how `replayed-delivery` sees whether a repeat was acted on' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l fail-on -d 'Exit 1 on a failed check, or on a warning too' -r -f -a "fail\t''
warn\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l junit -d 'Write a JUnit XML report (for CI test reports)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l markdown -d 'Write a Markdown report (for a pull request)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l delay -d 'Pause between requests' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s H -l header -d 'An extra request header on every request, \'Name: value\' (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l signature-header -d 'Name of the header that carries the signature' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l signature-format -d 'Value template of that header, e.g. \'sha256={signature}\' or \'t={timestamp},v1={signature}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l signed -d 'Template of the signed bytes, e.g. \'{body}\' or \'{timestamp}.{body}\'' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l algorithm -d 'MAC algorithm' -r -f -a "hmac-sha256\t''
hmac-sha1\t''
hmac-sha512\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l encoding -d 'Encoding of the signature' -r -f -a "hex\t''
base64\t''
base64url\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l secret-encoding -d 'How the secret becomes the key' -r -f -a "raw\t''
whsec\t''
base64\t''
hex\t''
whsec-or-raw\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s y -l yes -d 'Audit a host that is not this machine without asking'
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s k -l insecure -d 'Accept any TLS certificate (a local receiver\'s self-signed one)'
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand audit" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l to -d 'The app\'s webhook URL [required unless --serve, where registrations name it]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -s e -l event -d 'An event to send after the handshake (repeatable) [default: every catalogue event but the handshake\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l data -d 'The data of the (first) event instead of the sample: inline JSON, a file, or - for standard input' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l speed -d 'The virtual clock runs N times faster than real time: retry waits and re-validation periods shrink (answers still have the provider\'s real deadline)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l for -d 'Keep playing for this much virtual time after the events, re-validating as the provider does (`72h` for Zoom, `3h` for X)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l serve -d 'Also serve the provider\'s registration API and the clock\'s control endpoint on this address (`127.0.0.1:0` picks a port)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l verify-token -d 'Meta\'s `hub.verify_token`: the value the app was configured with [default: `meatyhamhock`, the value in Meta\'s docs]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l junit -d 'Write a JUnit XML report of the graded steps to FILE' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l once -d 'With --serve: stop after the first registration\'s play is over'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l probe-signature -d 'After the handshake, send a delivery with an invalid signature, which must be refused with a 4xx (always done for Discord and Xero)'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -s k -l insecure -d 'Accept any TLS certificate (a local receiver\'s self-signed one)'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand mock" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l bind -d 'Address and port to listen on; port 0 picks a free one' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l public-url -d 'The URL clients are told the relay has (behind a proxy or load balancer) [default: http(s)://the bound address]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l tls-cert -d 'TLS certificate chain (PEM); with --tls-key the relay serves HTTPS' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l tls-key -d 'TLS private key (PEM)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l max-body -d 'Largest delivery taken (bigger ones get 413)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l rate -d 'Deliveries per second a channel takes (more get 429 with Retry-After) [default: no limit]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l queue-max -d 'Deliveries held per channel while its client is away (more get 503)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l queue-ttl -d 'How long a held delivery is kept' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l queue-bytes -d 'Bytes all held deliveries may take on disk, headers and bodies (more get 503)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l channel-bytes -d 'Bytes one channel\'s held deliveries may take (more get 503)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l max-links -d 'Client links held at once, at most (more are refused, so that senders always find a connection) [default: half of --max-connections]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l create-rate -d 'Channels made per hour from one client address, at most' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l channel-idle -d 'A channel with no client and nothing held for this long is deleted (its name is free again); 0 keeps channels for ever' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l response-timeout -d 'How long a sender waits for the client\'s answer (then 504)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l offline -d 'With no client connected: hold deliveries (202) or refuse them (503)' -r -f -a "queue\t''
reject\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l heartbeat -d 'How often each side of a link shows it is alive; two missed mean it is dead' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l key -d 'Make channels only for clients that give this key [default: anyone may]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l key-file -d 'Read that key from a file (its first line), out of sight of `ps`' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l read-timeout -d 'How long a request\'s head and body may take to arrive' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l max-connections -d 'Most connections served at once [default: half the file descriptors this process may open]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats -d 'Run as a node of a cluster: the NATS servers, comma-separated (nats://host:4222, tls://…)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-creds -d 'NATS credentials file (JWT and NKey seed, as `nsc` writes it)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-user -d 'NATS user name; the password comes from HOOKCTL_NATS_PASSWORD or --nats-password-file' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-password-file -d 'Read the NATS password (or, without --nats-user, a token) from a file\'s first line' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-tls-ca -d 'CA certificate (PEM) the NATS servers\' TLS certificates are checked against; TLS is then required' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-tls-cert -d 'Client certificate (PEM) for NATS servers that verify clients' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-tls-key -d 'The client certificate\'s private key (PEM)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-prefix -d 'Prefix of the subjects, stream and buckets (several relays may share one NATS)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l nats-replicas -d 'JetStream replicas of the queue and buckets [default: 3 on a cluster of three NATS servers or more, else 1]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l node-name -d 'This node\'s name in `relay status` [default: the host name and a random suffix]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l open -d 'Allow a relay bound to a non-loopback address without --key (anyone who reaches it may make channels)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -f -a "status" -d 'A running relay\'s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -f -a "channels" -d 'A running relay\'s channels: list them, or delete some'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and not __fish_seen_subcommand_from status channels help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -l relay -d 'The relay, as it prints itself' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -l key -d 'The relay\'s key (its operator\'s endpoints are served only behind one)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -s k -l insecure -d 'Accept any TLS certificate from the relay'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -f -a "list" -d 'Every channel, as `relay status` shows them'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -f -a "prune" -d 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from channels" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from help" -f -a "status" -d 'A running relay\'s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from help" -f -a "channels" -d 'A running relay\'s channels: list them, or delete some'
complete -c hookctl -n "__fish_hookctl_using_subcommand relay; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l host -d 'Address to bind (keep it loopback: the inspector can replay deliveries)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l port -d 'Port; 0 picks a free one' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l secret -d 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l secret-env -d 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l secret-file -d 'Read secrets from a file, one per line (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l private-key -d 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l private-key-env -d 'Read a private key (its PEM text) from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l public-key -d 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider\'s form (Discord\'s hex, SendGrid\'s base64 SPKI, Telnyx\'s base64) (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l public-key-env -d 'Read a public key from this environment variable (repeatable)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l store -d 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user\'s data directory]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l open -d 'Open the page in the default browser'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -s k -l insecure -d 'Accept any TLS certificate when replaying (a local receiver\'s self-signed one)'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l no-store -d 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand ui" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -l scheme -d 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -l search -d 'Only profiles whose name or description contains this text (any case)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List every profile (the default), or those --scheme and --search pick'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Show one profile\'s full definition, in the format hookctl.toml takes'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l scheme -d 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l search -d 'Only profiles whose name or description contains this text (any case)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l scheme -d 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l search -d 'Only profiles whose name or description contains this text (any case)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every profile (the default), or those --scheme and --search pick'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one profile\'s full definition, in the format hookctl.toml takes'
complete -c hookctl -n "__fish_hookctl_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -s p -l profile -d 'Only this profile\'s events [default: hookctl.toml\'s `profile`, else every profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List events (the default)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Print the exact body `send` would send for an event'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -s p -l profile -d 'Only this profile\'s events [default: hookctl.toml\'s `profile`, else every profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -l id -d 'Delivery id [default: fresh]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -l timestamp -d 'Timestamp, unix seconds [default: now]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -s p -l profile -d 'Only this profile\'s events [default: hookctl.toml\'s `profile`, else every profile\'s]' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -l pretty -d 'Indent the JSON for reading (no longer the exact bytes sent)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "list" -d 'List events (the default)'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the exact body `send` would send for an event'
complete -c hookctl -n "__fish_hookctl_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -s p -l profile -d 'The profile whose key type and public-key form to use' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -s o -l output -d 'Write PREFIX.key (the private key, PEM PKCS#8, readable by you only) and PREFIX.pub (the public key in the provider\'s form) [default: the profile\'s name]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -l force -d 'Overwrite existing files'
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand keygen" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -s p -l profile -d 'Default profile (asked on a terminal when not given)' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l secret-env -d 'Take the secret from this environment variable' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l secret-file -d 'Take the secret from this file' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l port -d 'Port `listen` uses' -r
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -s o -l output -d 'Where to write' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l force -d 'Overwrite an existing file'
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -s y -l yes -d 'Ask nothing: take the defaults for whatever is not given'
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand init" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand completions" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand completions" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand completions" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand completions" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -l dir -d 'Man directory to install into; the pages go in its man1/ [default: man under the user\'s data directory, ~/.local/share/man on Linux]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -l config -d 'Configuration file [default: the nearest hookctl.toml in this folder or above]' -r -F
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -l json -d 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr'
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -s q -l quiet -d 'Print less: only results and errors'
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hookctl -n "__fish_hookctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "sign" -d 'Print the headers a profile adds to a body: the signature and its companions'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "verify" -d 'Check a request\'s signature and say why it fails'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "send" -d 'Send realistic, signed events to a URL: once, with the provider\'s retries, or as load'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "listen" -d 'Receive webhooks locally: verify, show, record, forward, or answer with scripted failures'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "deliveries" -d 'The deliveries the store holds: list, show, export, prune'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "simulate" -d 'Show a provider\'s retry schedule as a timeline, or run it against a receiver'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "replay" -d 'Send recorded deliveries again, byte-exact or re-signed, failed ones first of all'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "audit" -d 'Attack your own webhook endpoint as a provider\'s forger would, and grade each check'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "mock" -d 'Play a provider against your app: its handshake, re-validation and signed events with its retries, graded'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "relay" -d 'Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "ui" -d 'Browse the store\'s deliveries in a web page: live, with verdicts, and replay'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "profiles" -d 'List the provider profiles, or show one'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "events" -d 'List a profile\'s events, or show the exact body of one'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "keygen" -d 'Make a test key pair for a profile with a key pair, in the provider\'s formats'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "init" -d 'Write a commented hookctl.toml, asking for the defaults'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "man" -d 'Install the man pages where `man` looks for them'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and not __fish_seen_subcommand_from sign verify send listen deliveries simulate replay audit mock relay ui profiles events keygen init completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "list" -d 'List deliveries, newest first (the default)'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "show" -d 'One delivery: headers, body, verdict and every attempt'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "export" -d 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "prune" -d 'Delete deliveries older than a duration'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from relay" -f -a "status" -d 'A running relay\'s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from relay" -f -a "channels" -d 'A running relay\'s channels: list them, or delete some'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "list" -d 'List every profile (the default), or those --scheme and --search pick'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "show" -d 'Show one profile\'s full definition, in the format hookctl.toml takes'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "list" -d 'List events (the default)'
complete -c hookctl -n "__fish_hookctl_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "show" -d 'Print the exact body `send` would send for an event'
