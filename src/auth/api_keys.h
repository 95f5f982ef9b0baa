// New API keys, as the CLI (`postern keys create`) and the HTTP API
// (POST /v1/keys, POST /v1/test-accounts with "api_key") make them: a fresh
// secret shown once, only its hash stored; and the rule for keys bound to a
// test account (docs/inbox.md "Sending over HTTP").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"

namespace postern::auth {

struct NewApiKey {
  store::StoredApiKey stored;
  std::string secret;  // shown once, never stored
};

// A key named `name` with `scopes`, bound to the test account
// `catch_account` (store::AccountId) unless 0. A bound key only sends mail
// that is caught for its account, so it has the send scope alone: any
// other scope asked for is refused, not dropped.
// With `expires_in` the key stops working that long after `now` (it must
// be positive).
Result<NewApiKey, Problem> make_api_key(
    std::string name, Scopes scopes, std::int64_t catch_account, SystemTime now,
    std::optional<std::chrono::milliseconds> expires_in = std::nullopt);

// A rotation (`postern keys rotate`, POST /v1/keys/{name}/rotate): a fresh
// secret, and until when the previous one keeps working (now + grace; a
// grace of 0 ends it at once). store::Store::rotate_api_key applies it.
struct RotatedKey {
  std::string secret;  // shown once, never stored
  std::string secret_hash;
  SystemTime previous_valid_until;
};
// The longest grace period: a rotation is meant to end the old secret.
inline constexpr std::chrono::hours kMaxRotationGrace{24 * 30};
Result<RotatedKey, Problem> rotate_api_key(SystemTime now, std::chrono::milliseconds grace);

// The name of the key made with a test account (POST /v1/test-accounts with
// "api_key": true). Never the account's own user name: an SMTP login with
// that name must reach the account, not a key of the same name.
std::string account_key_name(std::string_view user);

}  // namespace postern::auth
