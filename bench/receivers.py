"""Webhook receivers for bench/notices.py: `count` HTTP servers on loopback ports in one
asyncio process, each the endpoint of one holder's subscription.

    python -m bench.receivers --count 1000 --secret-prefix S

Prints one line with the ports (JSON), then for each request `ok|bad <index> <unix time>
<party uscc>`: `ok` when `X-Levee-Signature` is the HMAC-SHA256 of the body with the
secret `<prefix>-<index>`. Answers every request 200 (keep-alive).
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import resource
import sys
import time


def _raise_file_limit():
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def handler(index, secret):
    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
                good = hmac.compare_digest(headers.get("x-levee-signature", ""), expected)
                uscc = json.loads(body).get("party", {}).get("uscc", "-") if good else "-"
                print(f"{'ok' if good else 'bad'} {index} {time.time():.6f} {uscc}", flush=True)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


async def serve(count, prefix):
    servers = [
        await asyncio.start_server(
            handler(index, f"{prefix}-{index}".encode()), "127.0.0.1", 0, backlog=64
        )
        for index in range(count)
    ]
    print(json.dumps([s.sockets[0].getsockname()[1] for s in servers]), flush=True)
    await asyncio.Event().wait()  # until the bench terminates the process


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--secret-prefix", required=True)
    args = parser.parse_args()
    _raise_file_limit()
    try:
        asyncio.run(serve(args.count, args.secret_prefix))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
