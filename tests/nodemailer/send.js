// Sends one message with the real nodemailer package, as an application
// would, and prints what it got back as one JSON line on stdout:
//   {"response": info.response, "accepted": [...], "url": getTestMessageUrl(info)}
// Reads its settings as JSON on stdin:
//   {"host", "port", "user", "pass", "ca" (PEM file to trust), "message": {...}}
// STARTTLS is required (requireTLS) and the server's certificate verified
// against `ca` alone, so the run fails unless TLS really came up with the
// expected certificate before AUTH. ETHEREAL_WEB (environment) is the web
// address getTestMessageUrl() links to. Used by
// tests/integration/test_nodemailer.py; install with
// scripts/npm-install-locked.sh tests/nodemailer.
'use strict';

const fs = require('node:fs');
const nodemailer = require('nodemailer');

async function main() {
    const settings = JSON.parse(fs.readFileSync(0, 'utf8'));
    const transport = nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: false, // plain connection, then STARTTLS
        requireTLS: true,
        auth: { user: settings.user, pass: settings.pass },
        tls: { ca: [fs.readFileSync(settings.ca)] },
        connectionTimeout: 20000,
        greetingTimeout: 20000,
        socketTimeout: 20000
    });
    const info = await transport.sendMail(settings.message);
    const url = nodemailer.getTestMessageUrl(info);
    process.stdout.write(JSON.stringify({ response: info.response, accepted: info.accepted, url }) + '\n');
}

main().catch(err => {
    process.stderr.write(`nodemailer: ${err.code || ''} ${err.message}\n${err.response || ''}\n`);
    process.exit(1);
});
