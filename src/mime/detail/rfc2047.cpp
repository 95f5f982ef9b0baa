// RFC 2047 encoder (Q encoding, UTF-8) and decoder (B and Q, any charset).
#include "mime/detail/rfc2047.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "core/ascii.h"
#include "core/hex.h"
#include "mime/detail/charset.h"
#include "mime/detail/gobject_ptr.h"
#include "mime/detail/header_section.h"

namespace postern::mime::detail {
namespace {

constexpr std::size_t kMaxWord = 75;       // RFC 2047 §2
constexpr std::size_t kWordOverhead = 12;  // "=?utf-8?Q?" and "?="
constexpr std::size_t kMinPayload = 12;    // one 4-byte character, Q-encoded

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// RFC 2047 §5 rule 3: the characters allowed literally in a Q word in a phrase.
bool q_safe(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '!' ||
         c == '*' || c == '+' || c == '-' || c == '/';
}

std::size_t char_length(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  if (i + len > s.size()) return 1;
  for (std::size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return len;
}

struct EncodedWord {
  std::string charset;
  std::string bytes;
};

std::string decode_q(std::string_view payload) {
  std::string out;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < payload.size() && hex_value(payload[i + 1]) >= 0 &&
               hex_value(payload[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string decode_b(std::string_view payload) {
  std::string out(payload.size(), '\0');
  int state = 0;
  guint32 save = 0;
  std::size_t n = g_mime_encoding_base64_decode_step(
      reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
      reinterpret_cast<unsigned char*>(out.data()), &state, &save);
  out.resize(n);
  return out;
}

// Parses `run` (no whitespace) as one or more back-to-back encoded-words
// "=?charset?enc?payload?=". Returns nothing when the run is anything else,
// in which case it is literal text (RFC 2047 §6.1).
std::optional<std::vector<EncodedWord>> parse_encoded_run(std::string_view run) {
  std::vector<EncodedWord> words;
  std::size_t i = 0;
  while (i < run.size()) {
    if (run.substr(i, 2) != "=?") return std::nullopt;
    std::size_t q1 = run.find('?', i + 2);
    if (q1 == std::string_view::npos || q1 == i + 2 || q1 + 2 >= run.size()) return std::nullopt;
    char enc = run[q1 + 1];
    if (run[q1 + 2] != '?') return std::nullopt;
    std::size_t q3 = run.find('?', q1 + 3);
    if (q3 == std::string_view::npos || q3 + 1 >= run.size() || run[q3 + 1] != '=') {
      return std::nullopt;
    }
    std::string_view charset = run.substr(i + 2, q1 - (i + 2));
    charset = charset.substr(0, charset.find('*'));  // RFC 2231 §5 language suffix
    std::string_view payload = run.substr(q1 + 3, q3 - (q1 + 3));
    EncodedWord word{std::string(charset), {}};
    if (enc == 'Q' || enc == 'q') {
      word.bytes = decode_q(payload);
    } else if (enc == 'B' || enc == 'b') {
      word.bytes = decode_b(payload);
    } else {
      return std::nullopt;
    }
    words.push_back(std::move(word));
    i = q3 + 2;
  }
  if (words.empty()) return std::nullopt;
  return words;
}

}  // namespace

std::string encode_words(std::string_view text, std::size_t first_limit) {
  std::string out;
  std::string payload;
  std::size_t limit =
      std::max(std::min(first_limit, kMaxWord), kWordOverhead + kMinPayload) - kWordOverhead;
  auto flush = [&] {
    if (payload.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out += "=?utf-8?Q?";
    out += payload;
    out += "?=";
    payload.clear();
    limit = kMaxWord - kWordOverhead;
  };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = char_length(text, i);
    std::string chunk;
    for (std::size_t k = 0; k < n; ++k) {
      auto c = static_cast<unsigned char>(text[i + k]);
      if (c == ' ') {
        chunk.push_back('_');
      } else if (q_safe(c)) {
        chunk.push_back(static_cast<char>(c));
      } else {
        chunk.push_back('=');
        chunk += to_hex(text.substr(i + k, 1), HexCase::upper);
      }
    }
    if (payload.size() + chunk.size() > limit) flush();
    payload += chunk;
    i += n;
  }
  flush();
  return out;
}

bool needs_encoding(std::string_view text, std::size_t max_word) {
  std::size_t run = 0;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x7F || (c < 0x20 && c != '\t')) return true;
    run = is_wsp(ch) ? 0 : run + 1;
    if (run > max_word) return true;
  }
  return text.find("=?") != std::string_view::npos;
}

std::string decode_text(std::string_view text) {
  std::string out;
  std::string pending_ws;       // whitespace seen since the last token
  std::string pending_charset;  // charset of the encoded bytes not yet converted
  std::string pending_bytes;
  bool last_was_encoded = false;
  auto flush_encoded = [&] {
    if (!pending_bytes.empty()) out += to_utf8(pending_bytes, pending_charset);
    pending_bytes.clear();
    pending_charset.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    if (is_wsp(text[i])) {
      while (j < text.size() && is_wsp(text[j])) ++j;
      pending_ws.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    while (j < text.size() && !is_wsp(text[j])) ++j;
    std::string_view run = text.substr(i, j - i);
    i = j;
    if (auto words = parse_encoded_run(run)) {
      if (!last_was_encoded) {
        flush_encoded();
        out += pending_ws;
      }
      pending_ws.clear();
      for (auto& word : *words) {
        if (!pending_bytes.empty() && !ascii_iequals(word.charset, pending_charset))
          flush_encoded();
        pending_charset = word.charset;
        pending_bytes += word.bytes;
      }
      last_was_encoded = true;
    } else {
      flush_encoded();
      out += pending_ws;
      pending_ws.clear();
      out += to_utf8(run, "");
      last_was_encoded = false;
    }
  }
  flush_encoded();
  out += pending_ws;
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) c = ' ';
  }
  return out;
}

}  // namespace postern::mime::detail
