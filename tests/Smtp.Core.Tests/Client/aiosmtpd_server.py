"""An aiosmtpd server for the Smtp.Core client interoperability tests.

Usage: python3 aiosmtpd_server.py --out DIR [--smtputf8] [--size N] [--tls CERT KEY] [--auth USER:PASS]
                                  [--reject-rcpt ADDR]... [--lmtp]
Listens on 127.0.0.1 on a free port, prints "READY <port>", writes each message's bytes (as received,
after dot-unstuffing) to DIR/<n>.eml and its envelope to DIR/<n>.json, and exits when stdin closes.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from aiosmtpd.lmtp import LMTP


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--smtputf8", action="store_true")
    p.add_argument("--size", type=int, default=0)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--auth")
    p.add_argument("--reject-rcpt", action="append", default=[])
    p.add_argument("--lmtp", action="store_true")
    a = p.parse_args()
    rejected = {r.lower() for r in a.reject_rcpt}
    counter = [0]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.lower() in rejected:
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.append(rcpt_options)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            counter[0] += 1
            n = counter[0]
            data = envelope.original_content if envelope.original_content is not None else envelope.content
            with open(os.path.join(a.out, f"{n}.eml"), "wb") as f:
                f.write(data)
            with open(os.path.join(a.out, f"{n}.json"), "w") as f:
                json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                           "mail_options": envelope.mail_options, "rcpt_options": envelope.rcpt_options,
                           "secure": session.ssl is not None,
                           "user": session.login_data.decode() if isinstance(session.login_data, bytes)
                           else (session.login_data and getattr(session.login_data, "login", b"").decode())},
                          f)
            return f"250 Message accepted as {n}"

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = a.auth.split(":", 1)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    tls_context = None
    if a.tls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(a.tls[0], a.tls[1])

    def factory():
        kwargs = dict(enable_SMTPUTF8=a.smtputf8, data_size_limit=a.size or None,
                      decode_data=False, ident="aiosmtpd test fixture")
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if a.auth:
            kwargs.update(authenticator=authenticator, auth_required=True,
                          auth_require_tls=tls_context is not None)
        cls = LMTP if a.lmtp else SMTP
        return cls(Handler(), **kwargs)

    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(factory, "127.0.0.1", 0)
        print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
        done = asyncio.Event()
        loop.add_reader(sys.stdin.fileno(), lambda: done.set() if not os.read(sys.stdin.fileno(), 4096) else None)
        await done.wait()
        server.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
