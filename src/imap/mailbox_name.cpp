// Modified UTF-7 through glibc's iconv, which has it as "UTF-7-IMAP" since
// glibc 2.36 (Debian 12 and later); GMime has no such charset. glibc's
// decoder takes a few forms that RFC 3501 §5.1.3 forbids (a printable
// character in base64, "&AGE-" for "a"), so a decoded name is encoded
// again and must give back the same bytes: the encoder writes the one
// canonical form.
#include "imap/mailbox_name.h"

#include <iconv.h>

#include <array>
#include <cerrno>

#include "core/utf8.h"

namespace postern::imap {
namespace {

std::optional<std::string> convert(std::string_view input, const char* to, const char* from) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  std::array<char, 256> chunk;
  // One step of iconv into `chunk`; false on a conversion error (EILSEQ,
  // or EINVAL: input that ends within a sequence). A null input flushes
  // the shift state (the encoder's closing "-").
  auto step = [&](char** in, std::size_t* in_left) {
    char* dst = chunk.data();
    std::size_t dst_left = chunk.size();
    std::size_t r = iconv(cd, in, in_left, &dst, &dst_left);
    out.append(chunk.data(), chunk.size() - dst_left);
    return r != static_cast<std::size_t>(-1) || errno == E2BIG;
  };
  // iconv's interface is not const-correct; it does not write the input.
  auto* in = const_cast<char*>(input.data());
  std::size_t in_left = input.size();
  bool ok = true;
  while (ok && in_left > 0) ok = step(&in, &in_left);
  // The flush writes a few bytes at most: one step is enough.
  ok = ok && step(nullptr, nullptr);
  iconv_close(cd);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> encode_mailbox_name(std::string_view utf8) {
  if (!is_valid_utf8(utf8)) return std::nullopt;
  return convert(utf8, "UTF-7-IMAP", "UTF-8");
}

std::optional<std::string> decode_mailbox_name(std::string_view wire) {
  for (char c : wire) {
    if (c < 0x20 || c > 0x7e) return std::nullopt;  // modified UTF-7 is printable ASCII
  }
  auto utf8 = convert(wire, "UTF-8", "UTF-7-IMAP");
  if (!utf8) return std::nullopt;
  auto again = encode_mailbox_name(*utf8);
  if (!again || *again != wire) return std::nullopt;
  // Control characters encoded in base64 are no more a name than bare ones.
  for (char c : *utf8) {
    if ((c >= 0 && c < 0x20) || c == 0x7f) return std::nullopt;
  }
  return utf8;
}

}  // namespace postern::imap
