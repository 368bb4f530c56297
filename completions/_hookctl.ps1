
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hookctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hookctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hookctl' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the headers a profile adds to a body: the signature and its companions')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a request''s signature and say why it fails')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send realistic, signed events to a URL: once, with the provider''s retries, or as load')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive webhooks locally: verify, show, record, forward, or answer with scripted failures')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'The deliveries the store holds: list, show, export, prune')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Show a provider''s retry schedule as a timeline, or run it against a receiver')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send recorded deliveries again, byte-exact or re-signed, failed ones first of all')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Attack your own webhook endpoint as a provider''s forger would, and grade each check')
            [CompletionResult]::new('mock', 'mock', [CompletionResultType]::ParameterValue, 'Play a provider against your app: its handshake, re-validation and signed events with its retries, graded')
            [CompletionResult]::new('relay', 'relay', [CompletionResultType]::ParameterValue, 'Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT')
            [CompletionResult]::new('ui', 'ui', [CompletionResultType]::ParameterValue, 'Browse the store''s deliveries in a web page: live, with verdicts, and replay')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the provider profiles, or show one')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List a profile''s events, or show the exact body of one')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Make a test key pair for a profile with a key pair, in the provider''s formats')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented hookctl.toml, asking for the defaults')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Install the man pages where `man` looks for them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;sign' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Provider profile [default: `profile` in hookctl.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Provider profile [default: `profile` in hookctl.toml]')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Body to sign, a file or - for standard input [default: build --event''s sample body, and print it after the headers]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Event name (for the event header, or the sample body to build)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Event name (for the event header, or the sample body to build)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Delivery id [default: the body''s, or a fresh one]')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Timestamp, unix seconds [default: now]')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Request path, for schemes that sign it')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'Request method, for schemes that sign it')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The full URL the provider calls, for schemes that sign it (Twilio, Square, HubSpot v3, Trello, MessageBird); its path stands for --path')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'Name of the header that carries the signature')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}''')
            [CompletionResult]::new('--signed', '--signed', [CompletionResultType]::ParameterName, 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}''')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'MAC algorithm')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of the signature')
            [CompletionResult]::new('--secret-encoding', '--secret-encoding', [CompletionResultType]::ParameterName, 'How the secret becomes the key')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Print the exact bytes that were signed (on standard error)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;verify' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Provider profile, or `auto` to detect it from the headers [default: `profile` in hookctl.toml, else auto]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Provider profile, or `auto` to detect it from the headers [default: `profile` in hookctl.toml, else auto]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header, ''Name: value'' (repeatable); ''@FILE'' reads header lines from a file')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header, ''Name: value'' (repeatable); ''@FILE'' reads header lines from a file')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'The raw body, a file or - for standard input')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'A whole raw HTTP request (request line, headers, body), a file or -')
            [CompletionResult]::new('--tolerance', '--tolerance', [CompletionResultType]::ParameterName, 'How far the timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile''s]')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Take this unix time as now')
            [CompletionResult]::new('--as-of-arrival', '--as-of-arrival', [CompletionResultType]::ParameterName, 'Verify a delivery in the store (its store id or delivery id) as of when it arrived: when a relay took it, for one that came through a relay')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Request path, for schemes that sign it [default: the request''s, or /]')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'Request method, for schemes that sign it [default: the request''s, or POST]')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The full URL the provider called, for schemes that sign it (behind a proxy or a tunnel, the public one); its path stands for --path')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'Name of the header that carries the signature')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}''')
            [CompletionResult]::new('--signed', '--signed', [CompletionResultType]::ParameterName, 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}''')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'MAC algorithm')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of the signature')
            [CompletionResult]::new('--secret-encoding', '--secret-encoding', [CompletionResultType]::ParameterName, 'How the secret becomes the key')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'On failure, find the classic mistake that explains it')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;send' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where to send [default: `send.to` in hookctl.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Provider profile [default: `send.profile`, else `profile`, in hookctl.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Provider profile [default: `send.profile`, else `profile`, in hookctl.toml]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Event from the profile''s catalogue [default on a terminal: pick one]')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Event from the profile''s catalogue [default on a terminal: pick one]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The event''s data instead of the sample: inline JSON, a file, or - for standard input')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Send this file (or - for standard input) as the body, byte for byte, signed; the event and id come from it when it has them')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Change one field of the body as sent (as `events show` prints it), e.g. `data.email=a@b.c`; the value is JSON when it parses as JSON (`42`, `true`, `null`, `[1]`), else text (repeatable)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'An extra request header, ''Name: value''; it replaces a profile header of that name (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'An extra request header, ''Name: value''; it replaces a profile header of that name (repeatable)')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Delivery id [default: a fresh one in the profile''s format]')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Sign as of this time: Unix seconds, or from now, e.g. `-10m` (stale) or `+10m`')
            [CompletionResult]::new('--tamper', '--tamper', [CompletionResultType]::ParameterName, 'Change one field of the body after signing, so the signature no longer matches (a forged request: does the receiver refuse it?) (repeatable)')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Compress the retry schedule: N seconds of it pass per second')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-attempt timeout [default: the profile''s]')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Send this many events (with --retry: each follows the retry policy, -c at once)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'At most this many requests per second')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop starting requests after this long, e.g. 30s')
            [CompletionResult]::new('--duplicate-rate', '--duplicate-rate', [CompletionResultType]::ParameterName, 'Re-send this share of events with the same delivery id (0 to 1), to test idempotency')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'Name of the header that carries the signature')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}''')
            [CompletionResult]::new('--signed', '--signed', [CompletionResultType]::ParameterName, 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}''')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'MAC algorithm')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of the signature')
            [CompletionResult]::new('--secret-encoding', '--secret-encoding', [CompletionResultType]::ParameterName, 'How the secret becomes the key')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Pretty-print the JSON body, then sign it (does the receiver verify the bytes sent?)')
            [CompletionResult]::new('--unsigned', '--unsigned', [CompletionResultType]::ParameterName, 'Leave the signature header out')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the exact request and an equivalent curl command; send nothing')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Follow the profile''s retry policy until delivered or given up')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a local receiver''s self-signed one)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a local receiver''s self-signed one)')
            [CompletionResult]::new('--shuffle', '--shuffle', [CompletionResultType]::ParameterName, 'Send the events out of order')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;listen' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind [default: `listen.host` in hookctl.toml, else 127.0.0.1]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port; 0 picks a free one [default: `listen.port` in hookctl.toml, else 4242]')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Accept deliveries under this path only [default: /]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Provider profile, or `auto` to detect it per delivery [default: `profile` in hookctl.toml, else auto]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Provider profile, or `auto` to detect it per delivery [default: `profile` in hookctl.toml, else auto]')
            [CompletionResult]::new('--tolerance', '--tolerance', [CompletionResultType]::ParameterName, 'How far a signed timestamp may be from now, e.g. 5m; 0 turns the check off [default: the profile''s]')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'Pass every delivery to this URL byte-exact and answer with the app''s response')
            [CompletionResult]::new('--route', '--route', [CompletionResultType]::ParameterName, 'Forward deliveries whose event matches GLOB to URL, e.g. ''ticket.*=http://localhost:3000/tickets'' (repeatable; before --forward-to)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status of an accepted delivery that is not forwarded')
            [CompletionResult]::new('--fail-first', '--fail-first', [CompletionResultType]::ParameterName, 'Fail the first N attempts of each delivery id, then accept it')
            [CompletionResult]::new('--fail-rate', '--fail-rate', [CompletionResultType]::ParameterName, 'Fail this share of deliveries at random (0 to 1)')
            [CompletionResult]::new('--fail-status', '--fail-status', [CompletionResultType]::ParameterName, 'Status of a scripted failure')
            [CompletionResult]::new('--delay', '--delay', [CompletionResultType]::ParameterName, 'Wait this long before answering (to trip the sender''s timeout)')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'Send `Retry-After: SECS` with scripted failures')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest body accepted (bigger ones get 413), and largest answer passed back from the app (bigger ones get the sender a 502); e.g. 512KiB, 10MB; at most 900MiB while recording')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'How long a request''s headers and body may take to arrive (slower ones are dropped or get 408), and how long an idle connection is kept')
            [CompletionResult]::new('--forward-timeout', '--forward-timeout', [CompletionResultType]::ParameterName, 'How long the app may take to answer a forwarded delivery; then the sender gets 504 [default: the profile''s per-attempt timeout, else 10s]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most connections served at once; more wait until one closes [default: half the file descriptors this process may open]')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port; 0 picks a free one')
            [CompletionResult]::new('--relay', '--relay', [CompletionResultType]::ParameterName, 'Receive through a relay instead of a local port: its URL as `hookctl relay` prints it (http:// or https://); deliveries to RELAY/c/CHANNEL/… come here. Nodes of a relay cluster: URL1,URL2,…, tried in turn')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'The relay channel to hold [default: the one last used with that relay, else a new one]')
            [CompletionResult]::new('--relay-key', '--relay-key', [CompletionResultType]::ParameterName, 'The key a relay that restricts who makes channels asks for')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Compress the retry schedule of deliveries the relay held: N seconds of it pass per second')
            [CompletionResult]::new('--wait-for', '--wait-for', [CompletionResultType]::ParameterName, 'Exit 0 once a valid delivery whose event matches this glob has been answered')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --wait-for: give up (exit 1) after this long')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this certificate chain (PEM)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key for --tls-cert (PEM)')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The public URL the provider calls (a tunnel''s, a proxy''s), for schemes that sign the URL: a delivery to PATH is checked as PUBLIC-URL''s origin + PATH [default: the relay channel''s URL under --relay]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'Name of the header that carries the signature')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}''')
            [CompletionResult]::new('--signed', '--signed', [CompletionResultType]::ParameterName, 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}''')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'MAC algorithm')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of the signature')
            [CompletionResult]::new('--secret-encoding', '--secret-encoding', [CompletionResultType]::ParameterName, 'How the secret becomes the key')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--accept-invalid', '--accept-invalid', [CompletionResultType]::ParameterName, 'Answer deliveries with a bad signature like good ones (they are still shown as invalid)')
            [CompletionResult]::new('--ui', '--ui', [CompletionResultType]::ParameterName, 'Serve the web inspector beside the listener (`hookctl ui`''s page)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--print-token', '--print-token', [CompletionResultType]::ParameterName, 'Print the channel''s token kept on this machine (for a CI secret, HOOKCTL_RELAY_TOKEN) and exit')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve HTTPS with a self-signed certificate made now (its fingerprint and PEM path are printed)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;deliveries' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List deliveries, newest first (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One delivery: headers, body, verdict and every attempt')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete deliveries older than a duration')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;deliveries;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only deliveries in this state')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only events matching this glob, e.g. ''ticket.*''')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Only received (in) or sent (out) deliveries')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries from the last DURATION, e.g. 1h')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this profile''s deliveries')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Only this profile''s deliveries')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep going: show each new delivery as it is recorded (by any hookctl process), until Ctrl-C')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep going: show each new delivery as it is recorded (by any hookctl process), until Ctrl-C')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;deliveries;show' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the request as raw HTTP (for `verify --request -`)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;deliveries;export' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only deliveries in this state')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only events matching this glob, e.g. ''ticket.*''')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Only received (in) or sent (out) deliveries')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries from the last DURATION, e.g. 1h')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this profile''s deliveries')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Only this profile''s deliveries')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--har', '--har', [CompletionResultType]::ParameterName, 'Write HAR 1.2 (absolute URLs, each answer''s status, headers, body and time) instead of NDJSON')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;deliveries;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Age of the deliveries to delete: seconds, or a number with a unit, s, m, h, d or w (e.g. 90m, 12h, 7d, 2w)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;deliveries;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List deliveries, newest first (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One delivery: headers, body, verdict and every attempt')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete deliveries older than a duration')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;deliveries;help;list' {
            break
        }
        'hookctl;deliveries;help;show' {
            break
        }
        'hookctl;deliveries;help;export' {
            break
        }
        'hookctl;deliveries;help;prune' {
            break
        }
        'hookctl;deliveries;help;help' {
            break
        }
        'hookctl;simulate' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Provider profile [default: `profile` in hookctl.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Provider profile [default: `profile` in hookctl.toml]')
            [CompletionResult]::new('--responses', '--responses', [CompletionResultType]::ParameterName, 'What each attempt meets, in order: statuses, `timeout`, `connection`; the last repeats [default: 500 every time]')
            [CompletionResult]::new('--fail-first', '--fail-first', [CompletionResultType]::ParameterName, 'The first N attempts fail (500), then one succeeds')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'The Retry-After a 429 or 503 carries, in seconds')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Run the schedule for real against this receiver, each attempt signed afresh')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'With --to: N seconds of the schedule pass per second')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'With --to: the event to send [default: the profile''s first]')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'With --to: the event to send [default: the profile''s first]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;replay' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With --failed: only those from the last DURATION')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'With --failed: only events matching this glob')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'With --failed: only those whose last answer was this status: a code (500), a class (5xx), or `none` (no answer)')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Only deliveries sent (out) or received (in); with an id, which record of it to take')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Replays in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Replays in flight at once')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where to send [default: where a sent delivery went; needed for received ones]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'With --failed: only this profile''s deliveries; with ids: the profile to re-sign with [default: the one recorded]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'With --failed: only this profile''s deliveries; with ids: the profile to re-sign with [default: the one recorded]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout [default: the profile''s]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Send again every failed delivery (that no replay has delivered since)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be sent, where, and how it would be signed; send nothing')
            [CompletionResult]::new('--resign', '--resign', [CompletionResultType]::ParameterName, 'Sign again with a fresh timestamp (the delivery id stays), so a timestamped scheme still verifies')
            [CompletionResult]::new('--edit', '--edit', [CompletionResultType]::ParameterName, 'Edit each body in $EDITOR before sending')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;audit' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The endpoint to audit (yours: it receives forged, stale, huge and slow requests)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The provider whose deliveries the endpoint takes [default: `profile` in hookctl.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The provider whose deliveries the endpoint takes [default: `profile` in hookctl.toml]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The event the deliveries carry [default: the profile''s first]')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'The event the deliveries carry [default: the profile''s first]')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these checks (comma-separated; `valid` always runs first)')
            [CompletionResult]::new('--oracle-url', '--oracle-url', [CompletionResultType]::ParameterName, 'A GET answering the number of deliveries the endpoint has processed, as plain text: how `replayed-delivery` sees whether a repeat was acted on')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 on a failed check, or on a warning too')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report (for CI test reports)')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Write a Markdown report (for a pull request)')
            [CompletionResult]::new('--delay', '--delay', [CompletionResultType]::ParameterName, 'Pause between requests')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'An extra request header on every request, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'An extra request header on every request, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--signature-header', '--signature-header', [CompletionResultType]::ParameterName, 'Name of the header that carries the signature')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Value template of that header, e.g. ''sha256={signature}'' or ''t={timestamp},v1={signature}''')
            [CompletionResult]::new('--signed', '--signed', [CompletionResultType]::ParameterName, 'Template of the signed bytes, e.g. ''{body}'' or ''{timestamp}.{body}''')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'MAC algorithm')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of the signature')
            [CompletionResult]::new('--secret-encoding', '--secret-encoding', [CompletionResultType]::ParameterName, 'How the secret becomes the key')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Audit a host that is not this machine without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Audit a host that is not this machine without asking')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a local receiver''s self-signed one)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a local receiver''s self-signed one)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;mock' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The app''s webhook URL [required unless --serve, where registrations name it]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'An event to send after the handshake (repeatable) [default: every catalogue event but the handshake''s]')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'An event to send after the handshake (repeatable) [default: every catalogue event but the handshake''s]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The data of the (first) event instead of the sample: inline JSON, a file, or - for standard input')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'The virtual clock runs N times faster than real time: retry waits and re-validation periods shrink (answers still have the provider''s real deadline)')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Keep playing for this much virtual time after the events, re-validating as the provider does (`72h` for Zoom, `3h` for X)')
            [CompletionResult]::new('--serve', '--serve', [CompletionResultType]::ParameterName, 'Also serve the provider''s registration API and the clock''s control endpoint on this address (`127.0.0.1:0` picks a port)')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'Meta''s `hub.verify_token`: the value the app was configured with [default: `meatyhamhock`, the value in Meta''s docs]')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report of the graded steps to FILE')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'With --serve: stop after the first registration''s play is over')
            [CompletionResult]::new('--probe-signature', '--probe-signature', [CompletionResultType]::ParameterName, 'After the handshake, send a delivery with an invalid signature, which must be refused with a 4xx (always done for Discord and Xero)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a local receiver''s self-signed one)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a local receiver''s self-signed one)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;relay' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address and port to listen on; port 0 picks a free one')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The URL clients are told the relay has (behind a proxy or load balancer) [default: http(s)://the bound address]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'TLS certificate chain (PEM); with --tls-key the relay serves HTTPS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'TLS private key (PEM)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest delivery taken (bigger ones get 413)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Deliveries per second a channel takes (more get 429 with Retry-After) [default: no limit]')
            [CompletionResult]::new('--queue-max', '--queue-max', [CompletionResultType]::ParameterName, 'Deliveries held per channel while its client is away (more get 503)')
            [CompletionResult]::new('--queue-ttl', '--queue-ttl', [CompletionResultType]::ParameterName, 'How long a held delivery is kept')
            [CompletionResult]::new('--queue-bytes', '--queue-bytes', [CompletionResultType]::ParameterName, 'Bytes all held deliveries may take on disk, headers and bodies (more get 503)')
            [CompletionResult]::new('--channel-bytes', '--channel-bytes', [CompletionResultType]::ParameterName, 'Bytes one channel''s held deliveries may take (more get 503)')
            [CompletionResult]::new('--max-links', '--max-links', [CompletionResultType]::ParameterName, 'Client links held at once, at most (more are refused, so that senders always find a connection) [default: half of --max-connections]')
            [CompletionResult]::new('--create-rate', '--create-rate', [CompletionResultType]::ParameterName, 'Channels made per hour from one client address, at most')
            [CompletionResult]::new('--channel-idle', '--channel-idle', [CompletionResultType]::ParameterName, 'A channel with no client and nothing held for this long is deleted (its name is free again); 0 keeps channels for ever')
            [CompletionResult]::new('--response-timeout', '--response-timeout', [CompletionResultType]::ParameterName, 'How long a sender waits for the client''s answer (then 504)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'With no client connected: hold deliveries (202) or refuse them (503)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often each side of a link shows it is alive; two missed mean it is dead')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Make channels only for clients that give this key [default: anyone may]')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Read that key from a file (its first line), out of sight of `ps`')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'How long a request''s head and body may take to arrive')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most connections served at once [default: half the file descriptors this process may open]')
            [CompletionResult]::new('--nats', '--nats', [CompletionResultType]::ParameterName, 'Run as a node of a cluster: the NATS servers, comma-separated (nats://host:4222, tls://…)')
            [CompletionResult]::new('--nats-creds', '--nats-creds', [CompletionResultType]::ParameterName, 'NATS credentials file (JWT and NKey seed, as `nsc` writes it)')
            [CompletionResult]::new('--nats-user', '--nats-user', [CompletionResultType]::ParameterName, 'NATS user name; the password comes from HOOKCTL_NATS_PASSWORD or --nats-password-file')
            [CompletionResult]::new('--nats-password-file', '--nats-password-file', [CompletionResultType]::ParameterName, 'Read the NATS password (or, without --nats-user, a token) from a file''s first line')
            [CompletionResult]::new('--nats-tls-ca', '--nats-tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) the NATS servers'' TLS certificates are checked against; TLS is then required')
            [CompletionResult]::new('--nats-tls-cert', '--nats-tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for NATS servers that verify clients')
            [CompletionResult]::new('--nats-tls-key', '--nats-tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM)')
            [CompletionResult]::new('--nats-prefix', '--nats-prefix', [CompletionResultType]::ParameterName, 'Prefix of the subjects, stream and buckets (several relays may share one NATS)')
            [CompletionResult]::new('--nats-replicas', '--nats-replicas', [CompletionResultType]::ParameterName, 'JetStream replicas of the queue and buckets [default: 3 on a cluster of three NATS servers or more, else 1]')
            [CompletionResult]::new('--node-name', '--node-name', [CompletionResultType]::ParameterName, 'This node''s name in `relay status` [default: the host name and a random suffix]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Allow a relay bound to a non-loopback address without --key (anyone who reaches it may make channels)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'A running relay''s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day')
            [CompletionResult]::new('channels', 'channels', [CompletionResultType]::ParameterValue, 'A running relay''s channels: list them, or delete some')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;relay;status' {
            [CompletionResult]::new('--relay', '--relay', [CompletionResultType]::ParameterName, 'The relay, as it prints itself')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The relay''s key (its operator''s endpoints are served only behind one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;relay;channels' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every channel, as `relay status` shows them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;relay;channels;list' {
            [CompletionResult]::new('--relay', '--relay', [CompletionResultType]::ParameterName, 'The relay, as it prints itself')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The relay''s key (its operator''s endpoints are served only behind one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;relay;channels;prune' {
            [CompletionResult]::new('--relay', '--relay', [CompletionResultType]::ParameterName, 'The relay, as it prints itself')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The relay''s key (its operator''s endpoints are served only behind one)')
            [CompletionResult]::new('--idle', '--idle', [CompletionResultType]::ParameterName, 'Delete channels unused for this long that hold nothing, e.g. 7d')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate from the relay')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;relay;channels;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every channel, as `relay status` shows them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;relay;channels;help;list' {
            break
        }
        'hookctl;relay;channels;help;prune' {
            break
        }
        'hookctl;relay;channels;help;help' {
            break
        }
        'hookctl;relay;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'A running relay''s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day')
            [CompletionResult]::new('channels', 'channels', [CompletionResultType]::ParameterValue, 'A running relay''s channels: list them, or delete some')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;relay;help;status' {
            break
        }
        'hookctl;relay;help;channels' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every channel, as `relay status` shows them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle')
            break
        }
        'hookctl;relay;help;channels;list' {
            break
        }
        'hookctl;relay;help;channels;prune' {
            break
        }
        'hookctl;relay;help;help' {
            break
        }
        'hookctl;ui' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind (keep it loopback: the inspector can replay deliveries)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port; 0 picks a free one')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A signing secret (repeat for several, e.g. during a rotation); prefer --secret-env or --secret-file, which keep it out of shell history. Each of the three takes PROFILE=… to give a secret to that profile only')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read a secret from this environment variable (repeatable; stripe=NAME: for stripe only)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read secrets from a file, one per line (repeatable)')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair (Ed25519, ECDSA, RSA, JWT ES256/RS256): the private key to sign with, a PEM (PKCS#8) file or - for standard input (repeatable)')
            [CompletionResult]::new('--private-key-env', '--private-key-env', [CompletionResultType]::ParameterName, 'Read a private key (its PEM text) from this environment variable (repeatable)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'For a profile with a key pair: the public key to verify with, a file or the key itself: PEM, or the provider''s form (Discord''s hex, SendGrid''s base64 SPKI, Telnyx''s base64) (repeatable)')
            [CompletionResult]::new('--public-key-env', '--public-key-env', [CompletionResultType]::ParameterName, 'Read a public key from this environment variable (repeatable)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Delivery store (SQLite) [default: $HOOKCTL_STORE, else hookctl/hookctl.db under the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Open the page in the default browser')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate when replaying (a local receiver''s self-signed one)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate when replaying (a local receiver''s self-signed one)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Do not record anything in the store (wins over --store and HOOKCTL_STORE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;profiles' {
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only profiles whose name or description contains this text (any case)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every profile (the default), or those --scheme and --search pick')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile''s full definition, in the format hookctl.toml takes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;profiles;list' {
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only profiles whose name or description contains this text (any case)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;profiles;show' {
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Only profiles of this scheme family, e.g. hmac-sha256, hmac-sha1 (a prefix such as `hmac` takes every family it starts)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only profiles whose name or description contains this text (any case)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;profiles;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every profile (the default), or those --scheme and --search pick')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile''s full definition, in the format hookctl.toml takes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;profiles;help;list' {
            break
        }
        'hookctl;profiles;help;show' {
            break
        }
        'hookctl;profiles;help;help' {
            break
        }
        'hookctl;events' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List events (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the exact body `send` would send for an event')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;events;list' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;events;show' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Delivery id [default: fresh]')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Timestamp, unix seconds [default: now]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Only this profile''s events [default: hookctl.toml''s `profile`, else every profile''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Indent the JSON for reading (no longer the exact bytes sent)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;events;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List events (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the exact body `send` would send for an event')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;events;help;list' {
            break
        }
        'hookctl;events;help;show' {
            break
        }
        'hookctl;events;help;help' {
            break
        }
        'hookctl;keygen' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile whose key type and public-key form to use')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose key type and public-key form to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write PREFIX.key (the private key, PEM PKCS#8, readable by you only) and PREFIX.pub (the public key in the provider''s form) [default: the profile''s name]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write PREFIX.key (the private key, PEM PKCS#8, readable by you only) and PREFIX.pub (the public key in the provider''s form) [default: the profile''s name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite existing files')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;init' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Default profile (asked on a terminal when not given)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Default profile (asked on a terminal when not given)')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Take the secret from this environment variable')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Take the secret from this file')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port `listen` uses')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Ask nothing: take the defaults for whatever is not given')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Ask nothing: take the defaults for whatever is not given')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Man directory to install into; the pages go in its man1/ [default: man under the user''s data directory, ~/.local/share/man on Linux]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: the nearest hookctl.toml in this folder or above]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines on stdout (`{"type":…,"data":…}`), diagnostics on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hookctl;help' {
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the headers a profile adds to a body: the signature and its companions')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a request''s signature and say why it fails')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send realistic, signed events to a URL: once, with the provider''s retries, or as load')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive webhooks locally: verify, show, record, forward, or answer with scripted failures')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'The deliveries the store holds: list, show, export, prune')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Show a provider''s retry schedule as a timeline, or run it against a receiver')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send recorded deliveries again, byte-exact or re-signed, failed ones first of all')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Attack your own webhook endpoint as a provider''s forger would, and grade each check')
            [CompletionResult]::new('mock', 'mock', [CompletionResultType]::ParameterValue, 'Play a provider against your app: its handshake, re-validation and signed events with its retries, graded')
            [CompletionResult]::new('relay', 'relay', [CompletionResultType]::ParameterValue, 'Run a relay: public URLs that reach a `listen --relay` on a laptop behind NAT')
            [CompletionResult]::new('ui', 'ui', [CompletionResultType]::ParameterValue, 'Browse the store''s deliveries in a web page: live, with verdicts, and replay')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the provider profiles, or show one')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List a profile''s events, or show the exact body of one')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Make a test key pair for a profile with a key pair, in the provider''s formats')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented hookctl.toml, asking for the defaults')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Install the man pages where `man` looks for them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hookctl;help;sign' {
            break
        }
        'hookctl;help;verify' {
            break
        }
        'hookctl;help;send' {
            break
        }
        'hookctl;help;listen' {
            break
        }
        'hookctl;help;deliveries' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List deliveries, newest first (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One delivery: headers, body, verdict and every attempt')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every delivery as NDJSON (bodies as text or base64), or as one HAR 1.2 file')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete deliveries older than a duration')
            break
        }
        'hookctl;help;deliveries;list' {
            break
        }
        'hookctl;help;deliveries;show' {
            break
        }
        'hookctl;help;deliveries;export' {
            break
        }
        'hookctl;help;deliveries;prune' {
            break
        }
        'hookctl;help;simulate' {
            break
        }
        'hookctl;help;replay' {
            break
        }
        'hookctl;help;audit' {
            break
        }
        'hookctl;help;mock' {
            break
        }
        'hookctl;help;relay' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'A running relay''s state: its channels, connected or not, what each holds (and since when), and what was given up in the last day')
            [CompletionResult]::new('channels', 'channels', [CompletionResultType]::ParameterValue, 'A running relay''s channels: list them, or delete some')
            break
        }
        'hookctl;help;relay;status' {
            break
        }
        'hookctl;help;relay;channels' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every channel, as `relay status` shows them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete the channels named (with what they hold), or those with no client and nothing held for --idle')
            break
        }
        'hookctl;help;relay;channels;list' {
            break
        }
        'hookctl;help;relay;channels;prune' {
            break
        }
        'hookctl;help;ui' {
            break
        }
        'hookctl;help;profiles' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every profile (the default), or those --scheme and --search pick')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile''s full definition, in the format hookctl.toml takes')
            break
        }
        'hookctl;help;profiles;list' {
            break
        }
        'hookctl;help;profiles;show' {
            break
        }
        'hookctl;help;events' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List events (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the exact body `send` would send for an event')
            break
        }
        'hookctl;help;events;list' {
            break
        }
        'hookctl;help;events;show' {
            break
        }
        'hookctl;help;keygen' {
            break
        }
        'hookctl;help;init' {
            break
        }
        'hookctl;help;completions' {
            break
        }
        'hookctl;help;man' {
            break
        }
        'hookctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
