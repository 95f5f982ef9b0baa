// Secrets and how they are kept: API key secrets (random, shown once, stored
// as SHA-256) and SMTP passwords (Argon2id through libsodium).
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace postern::auth {

// Calls sodium_init(); safe to call more than once. Returns false when the
// library cannot be initialised (no usable random source).
bool init_crypto();

// A new API key secret: "pst_" and 43 characters of URL-safe base64 (256 bits).
std::string generate_api_secret();

// SHA-256 of a secret, 32 raw bytes. Secrets carry 256 bits of entropy, so a
// fast hash is enough and keeps per-request checks cheap.
std::string hash_api_secret(std::string_view secret);

// Argon2id hash string of a password (libsodium crypto_pwhash_str, moderate
// limits). Error: Errc::internal when memory cannot be allocated.
Result<std::string> hash_password(std::string_view password);
// Constant-time verification of a password against a hash string.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace postern::auth
