// `postern test-accounts create|list|delete`: the test inbox's accounts,
// managed directly in the store as `postern keys` does (they work while a
// server runs on the same store).
#pragma once

#include <optional>
#include <string>

#include "app/config.h"

namespace postern::app {

// Prints the new account's user, password (shown once), address and the
// settings to use, one "name<TAB>value" line each, on stdout.
int test_accounts_create(const Config& config, const std::optional<std::string>& retention,
                         const std::optional<std::string>& quota);
// One line per account: user, address, created, expires, used/quota bytes.
int test_accounts_list(const Config& config);
int test_accounts_delete(const Config& config, const std::string& user);

}  // namespace postern::app
