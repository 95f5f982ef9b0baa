// SHA-256 and HMAC-SHA-256 (OpenSSL), for request fingerprints, key
// hashes and request signatures (SigV4).
#pragma once

#include <string>
#include <string_view>

namespace postern {

// 32 raw bytes.
std::string sha256(std::string_view data);
// 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);
// HMAC-SHA-256 (RFC 2104) of `data` under `key`: 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace postern
