// An smtp-server (Nodemailer) instance for the Smtp.Core client interoperability tests.
// Usage: node server.js --out DIR [--tls CERT.pem KEY.pem [--implicit]] [--auth USER:PASS] [--reject-rcpt ADDR]...
//                       [--size N] [--lmtp]
// --implicit: TLS from the first byte (RFC 8314) instead of STARTTLS.
// Listens on 127.0.0.1 on a free port and prints "READY <port>" once listening. Every accepted message
// is written to DIR/<n>.eml (raw bytes as received, after dot-unstuffing) and its envelope to
// DIR/<n>.json. Exits when stdin closes, so the test that started it never leaves it behind.
'use strict';
const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');

const args = process.argv.slice(2);
let out = null, cert = null, key = null, auth = null, size = 0, lmtp = false, implicit = false;
const rejected = new Set();
for (let i = 0; i < args.length; i++) {
    switch (args[i]) {
        case '--out': out = args[++i]; break;
        case '--tls': cert = fs.readFileSync(args[++i]); key = fs.readFileSync(args[++i]); break;
        case '--auth': auth = args[++i]; break;
        case '--reject-rcpt': rejected.add(args[++i].toLowerCase()); break;
        case '--size': size = Number(args[++i]); break;
        case '--lmtp': lmtp = true; break;
        case '--implicit': implicit = true; break;
        default: console.error('unknown argument ' + args[i]); process.exit(2);
    }
}
if (!out) { console.error('--out is required'); process.exit(2); }

let counter = 0;
const options = {
    lmtp,
    secure: implicit,
    hideSTARTTLS: !cert || implicit,
    authOptional: !auth,
    disabledCommands: auth ? [] : ['AUTH'],
    authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
    allowInsecureAuth: false,
    size: size || undefined,
    logger: false,
    onAuth(a, session, callback) {
        const [user, pass] = auth.split(':');
        if (a.method === 'CRAM-MD5') {
            return a.username === user && a.validatePassword(pass)
                ? callback(null, { user }) : callback(new Error('Invalid username or password'));
        }
        if (a.method === 'XOAUTH2') {
            return a.username === user && a.accessToken === pass
                ? callback(null, { user }) : callback(null, { data: { status: '401' } });
        }
        return a.username === user && a.password === pass
            ? callback(null, { user }) : callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, session, callback) {
        if (rejected.has(address.address.toLowerCase())) {
            const err = new Error('No such user here');
            err.responseCode = 550;
            return callback(err);
        }
        callback();
    },
    onData(stream, session, callback) {
        const n = ++counter;
        const chunks = [];
        stream.on('data', c => chunks.push(c));
        stream.on('end', () => {
            if (stream.sizeExceeded) {
                const err = new Error('Message exceeds fixed maximum message size');
                err.responseCode = 552;
                return callback(err);
            }
            fs.writeFileSync(path.join(out, n + '.eml'), Buffer.concat(chunks));
            fs.writeFileSync(path.join(out, n + '.json'), JSON.stringify({
                from: session.envelope.mailFrom,
                to: session.envelope.rcptTo,
                user: session.user || null,
                secure: session.secure,
            }));
            callback(null, 'Message queued as ' + n);
        });
    },
};
if (cert) { options.key = key; options.cert = cert; }

const server = new SMTPServer(options);
server.on('error', e => console.error('server error: ' + e.message));
server.listen(0, '127.0.0.1', () => {
    console.log('READY ' + server.server.address().port);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
