#!/usr/bin/env python3
"""The relay's memory and disk under attack, as docs/relay.md reports them.

Starts `hookctl relay` on a free loopback port with a store in a temporary
directory. Parks 8 client links that ping but never read. Sends 160 deliveries of
4 MiB to their channels at once. Then opens 200 connections to an unknown channel,
each announcing a 100 MB body. Prints the relay's peak and current RSS (from
/proc, so Linux only) after each step, the answers the senders got, and the
store's size on disk.

    python3 bench/relay_bounds.py target/debug/hookctl
"""
import collections
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/debug/hookctl"
tmp = tempfile.mkdtemp()
store = os.path.join(tmp, "relay.db")
relay = subprocess.Popen(
    [BIN, "--store", store, "relay", "--bind", "127.0.0.1:0",
     "--heartbeat", "2s", "--response-timeout", "5s"],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    env=dict(os.environ, NO_COLOR="1"),
)
line = ""
while "relay on" not in line:
    line = relay.stderr.readline().decode()
    if not line:
        sys.exit("the relay did not start")
addr = re.search(r"http://([0-9.:]+)", line).group(1)
host, port = addr.split(":")
port = int(port)


def rss():
    status = open(f"/proc/{relay.pid}/status").read()
    return dict(re.findall(r"(VmHWM|VmRSS):\s+(\d+ kB)", status))


print("start:", rss())
links = []
for i in range(8):
    s = socket.create_connection((host, port))
    s.sendall(
        (f"GET /connect?channel=park{i} HTTP/1.1\r\nHost: {addr}\r\n"
         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Protocol: hookctl-relay.2\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    links.append(s)
stop = threading.Event()


def ping():
    # A masked, empty ping, as a client sends it; nothing is ever read.
    while not stop.is_set():
        for s in links:
            try:
                s.sendall(bytes([0x89, 0x80, 1, 2, 3, 4]))
            except OSError:
                pass
        time.sleep(0.5)


threading.Thread(target=ping, daemon=True).start()
body = b"x" * (4 << 20)
answers = []


def deliver(channel):
    try:
        s = socket.create_connection((host, port))
        s.settimeout(60)
        s.sendall((f"POST /c/{channel}/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        answers.append(s.recv(100)[9:12].decode())
    except OSError as e:
        answers.append(str(e))


senders = [threading.Thread(target=deliver, args=(f"park{i % 8}",)) for i in range(160)]
for t in senders:
    t.start()
for t in senders:
    t.join()
print("after 160 deliveries of 4 MiB to 8 links that read nothing:", rss())
print("answers:", dict(collections.Counter(answers)))
floods = []
for _ in range(200):
    s = socket.create_connection((host, port))
    s.sendall((f"POST /c/nobody/ HTTP/1.1\r\nHost: {addr}\r\n"
               "Content-Length: 100000000\r\n\r\n").encode() + b"y" * 65536)
    floods.append(s)
time.sleep(1)
print("after 200 connections to an unknown channel:", rss())
stop.set()
size = sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp))
print(f"store on disk: {size / 1e6:.0f} MB")
relay.terminate()
relay.wait()
shutil.rmtree(tmp)
