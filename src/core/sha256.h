// SHA-256 (OpenSSL), for request fingerprints and key hashes.
#pragma once

#include <string>
#include <string_view>

namespace postern {

// 32 raw bytes.
std::string sha256(std::string_view data);
// 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);

}  // namespace postern
