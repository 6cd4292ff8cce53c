#!/usr/bin/env python3
"""Send a prepared message with Python's smtplib (used by Smtp.Core's interop tests).

The message file is passed to sendmail() as bytes, so smtplib sends it as is, only doubling leading dots
(RFC 5321 section 4.5.2) and adding CRLF before the final dot when the bytes do not end with CRLF.
The conversation is printed to stderr (smtplib debug level 1). Exit status: 0 when every recipient of
every message was accepted, 1 otherwise.
"""
import argparse
import smtplib
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--sender", required=True)
    parser.add_argument("--to", action="append", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--smtputf8", action="store_true", help="send MAIL FROM with SMTPUTF8 (RFC 6531)")
    parser.add_argument("--mail-option", action="append", default=[], help="extra MAIL FROM parameter, e.g. BODY=8BITMIME")
    parser.add_argument("--rcpt-option", action="append", default=[], help="extra RCPT TO parameter, e.g. NOTIFY=SUCCESS")
    parser.add_argument("--count", type=int, default=1, help="messages to send over the one session")
    parser.add_argument("--lmtp", action="store_true")
    args = parser.parse_args()

    with open(args.file, "rb") as f:
        message = f.read()

    client_type = smtplib.LMTP if args.lmtp else smtplib.SMTP
    try:
        with client_type(args.host, args.port, timeout=30) as client:
            client.set_debuglevel(1)
            options = (["SMTPUTF8"] if args.smtputf8 else []) + args.mail_option
            for _ in range(args.count):
                refused = client.sendmail(args.sender, args.to, message, mail_options=options, rcpt_options=args.rcpt_option)
                if refused:
                    print("refused recipients: %r" % (refused,))
                    return 1
    except (smtplib.SMTPException, OSError) as e:
        print("smtplib failed: %s: %s" % (type(e).__name__, e))
        return 1
    print("sent %d message(s) to %d recipient(s)" % (args.count, len(args.to)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
