// Commands that manage credentials directly in the store (they work while a
// server runs on the same store): `postern keys ...` and `postern users ...`.
#pragma once

#include <string>
#include <vector>

#include "app/config.h"

namespace postern::app {

// Prints the secret once, alone on stdout, so scripts can capture it. With
// `test_account` (a user name; empty: none) the key is bound to that test
// account: send scope only, its mail caught into the account's INBOX. With
// `expires_in` ("30d"; empty: never) the key expires that long from now.
int keys_create(const Config& config, const std::string& name,
                const std::vector<std::string>& scopes, const std::string& test_account,
                const std::string& expires_in);
// One line per key, tab-separated: name, scopes, created, its test account
// or "-", expiry or "never", last use or "never" (written every few
// seconds, so up to that late), and until when its previous secret works
// after a rotation or "-".
int keys_list(const Config& config);
// A new secret, printed once alone on stdout; the previous one keeps
// working for `grace` ("24h"; "0" ends it at once).
int keys_rotate(const Config& config, const std::string& name, const std::string& grace);
int keys_delete(const Config& config, const std::string& name);

// Reads the password from stdin (one line) when `password` is empty.
int users_create(const Config& config, const std::string& name, std::string password,
                 const std::vector<std::string>& scopes);
int users_list(const Config& config);
int users_delete(const Config& config, const std::string& name);

// `postern suppressions ...` (suppression_commands.h) on the configured
// store. `file` "-" (or empty for export) is stdin or stdout.
int suppressions_list(const Config& config);
int suppressions_add(const Config& config, const std::vector<std::string>& addresses,
                     const std::string& reason, const std::string& detail);
int suppressions_remove(const Config& config, const std::string& address);
int suppressions_import(const Config& config, const std::string& file);
int suppressions_export(const Config& config, const std::string& file);

}  // namespace postern::app
