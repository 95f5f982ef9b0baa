// Commands that manage credentials directly in the store (they work while a
// server runs on the same store): `postern keys ...` and `postern users ...`.
#pragma once

#include <string>
#include <vector>

#include "app/config.h"

namespace postern::app {

// Prints the secret once, alone on stdout, so scripts can capture it. With
// `test_account` (a user name; empty: none) the key is bound to that test
// account: send scope only, its mail caught into the account's INBOX.
int keys_create(const Config& config, const std::string& name,
                const std::vector<std::string>& scopes, const std::string& test_account);
// One line per key: name, scopes, created, its test account or "-".
int keys_list(const Config& config);
int keys_delete(const Config& config, const std::string& name);

// Reads the password from stdin (one line) when `password` is empty.
int users_create(const Config& config, const std::string& name, std::string password,
                 const std::vector<std::string>& scopes);
int users_list(const Config& config);
int users_delete(const Config& config, const std::string& name);

}  // namespace postern::app
