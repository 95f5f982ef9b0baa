// Creates a test account with the real nodemailer package, as an
// application would: nodemailer.createTestAccount() posts {requestor,
// version} to $ETHEREAL_API/user (with ETHEREAL_API_KEY as a Bearer token
// when set). Prints the account it got back as one JSON line on stdout,
// with "again": the account a second call gave (Nodemailer caches it); on a
// refusal prints Nodemailer's error message on stderr and exits 1. Used by
// tests/integration/test_test_accounts.py; install with
// scripts/npm-install-locked.sh tests/nodemailer.
'use strict';

const nodemailer = require('nodemailer');

async function main() {
    const account = await nodemailer.createTestAccount();
    const again = await nodemailer.createTestAccount();
    process.stdout.write(JSON.stringify({ ...account, again: again.user }) + '\n');
}

main().catch(err => {
    process.stderr.write(err.message + '\n');
    process.exit(1);
});
