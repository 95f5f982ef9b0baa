#include "auth/credentials.h"

#include <sodium.h>

#include <array>

#include "core/sha256.h"

namespace postern::auth {

bool init_crypto() { return sodium_init() >= 0; }

std::string generate_api_secret() {
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> text;
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return "pst_" + std::string(text.data());
}

std::string hash_api_secret(std::string_view secret) { return sha256(secret); }

Result<std::string> hash_password(std::string_view password) {
  std::array<char, crypto_pwhash_STRBYTES> out;
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return error_code(Errc::internal);
  }
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  std::string h(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace postern::auth
