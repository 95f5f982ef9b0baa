#include "core/base64.h"

#include <sodium.h>

namespace postern {
namespace {

constexpr char kSkipped[] = " \t\r\n";

}  // namespace

std::string base64_encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.pop_back();  // the NUL libsodium writes
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // libsodium's list of skipped characters is a C string, whose terminator
  // would make it skip NUL bytes too.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  // The padded variant requires the padding and the other refuses it: the
  // text says which one it is.
  const int variant = text.find('=') != std::string_view::npos
                          ? sodium_base64_VARIANT_ORIGINAL
                          : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), kSkipped, &length, nullptr, variant) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace postern
