#include "core/address.h"

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/header_value.h"

namespace postern {
namespace {

constexpr std::size_t kMaxLocalPart = 64;  // RFC 5321 §4.5.3.1.1
constexpr std::size_t kMaxDomain = 255;    // RFC 5321 §4.5.3.1.2
constexpr std::size_t kMaxAddress = 254;   // path of 256 minus the angle brackets
constexpr std::size_t kMaxLabel = 63;

bool is_atext(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

// Length of the UTF-8 sequence starting at s[i] if it is well formed
// (shortest form, no surrogates, <= U+10FFFF); 0 otherwise.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len;
  std::uint32_t cp;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else
    return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

// Dot-string with atext extended by UTF8-non-ascii (RFC 6531 §3.3).
bool valid_dot_string(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (s[i + 1] == '.') return false;
      ++i;
    } else if (c >= 0x80) {
      auto n = utf8_sequence(s, i);
      if (n == 0) return false;
      i += n;
    } else if (is_atext(c)) {
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

bool valid_quoted_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;
      auto q = static_cast<unsigned char>(s[i + 1]);
      if (q < 32 || q > 126) return false;
      i += 2;
    } else if (c >= 0x80) {
      auto n = utf8_sequence(s, i);
      if (n == 0) return false;
      i += n;
    } else if (c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126)) {
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

bool valid_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i || j - i > 3) return false;
    if (std::stoi(std::string(s.substr(i, j - i))) > 255) return false;
    ++parts;
    if (j == s.size()) break;
    if (s[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

bool valid_address_literal(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  auto inner = s.substr(1, s.size() - 2);
  if (inner.starts_with("IPv6:")) {
    inner.remove_prefix(5);
    if (inner.empty()) return false;
    return std::all_of(inner.begin(), inner.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
    });
  }
  return valid_ipv4(inner);
}

// Labels of letters, digits and hyphens (RFC 5321 Let-dig / Ldh-str), or
// U-labels (RFC 6531): any well-formed non-ASCII UTF-8 is accepted there.
bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomain) return false;
  if (d.front() == '[') return valid_address_literal(d);
  std::size_t start = 0;
  while (start <= d.size()) {
    auto end = d.find('.', start);
    if (end == std::string_view::npos) end = d.size();
    auto label = d.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (std::size_t i = 0; i < label.size();) {
      auto c = static_cast<unsigned char>(label[i]);
      if (c >= 0x80) {
        auto n = utf8_sequence(label, i);
        if (n == 0) return false;
        i += n;
      } else if (std::isalnum(c) || c == '-') {
        ++i;
      } else {
        return false;
      }
    }
    if (end == d.size()) break;
    start = end + 1;
  }
  return true;
}

AddressError error(std::string text) { return AddressError{std::move(text)}; }

}  // namespace

Result<void, AddressError> validate_address(std::string_view address) {
  if (address.empty()) return error("address is empty");
  if (address.size() > kMaxAddress) return error("address is longer than 254 octets");
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return error("address has no '@'");
  auto local = address.substr(0, at);
  auto domain = address.substr(at + 1);
  if (local.empty()) return error("address has an empty local part");
  if (local.size() > kMaxLocalPart) return error("local part is longer than 64 octets");
  if (local.front() == '"' ? !valid_quoted_string(local) : !valid_dot_string(local)) {
    return error("local part '" + std::string(local) + "' is not valid");
  }
  if (!valid_domain(domain)) return error("domain '" + std::string(domain) + "' is not valid");
  return {};
}

bool address_is_utf8(std::string_view address) {
  return std::any_of(address.begin(), address.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

Result<Mailbox, AddressError> parse_mailbox(std::string_view text) {
  text = trim_blanks(text);
  if (text.empty()) return error("address is empty");
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return error("address contains a control character");
  }
  Mailbox out;
  if (text.back() == '>') {
    auto open = text.rfind('<');
    if (open == std::string_view::npos) return error("'>' without '<'");
    out.address = std::string(trim_blanks(text.substr(open + 1, text.size() - open - 2)));
    auto name = trim_blanks(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      std::string unquoted;
      for (std::size_t i = 1; i + 1 < name.size(); ++i) {
        if (name[i] == '\\' && i + 2 < name.size()) ++i;
        unquoted.push_back(name[i]);
      }
      out.name = std::move(unquoted);
    } else {
      out.name = std::string(name);
    }
  } else {
    if (text.find('<') != std::string_view::npos) return error("'<' without '>'");
    out.address = std::string(text);
  }
  if (auto ok = validate_address(out.address); !ok) return ok.error();
  return out;
}

Result<std::vector<Mailbox>, AddressError> parse_mailbox_list(std::string_view text) {
  std::vector<Mailbox> out;
  bool in_quotes = false;
  int angle = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ',';
    if (in_quotes) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_quotes = false;
      continue;
    }
    if (c == '"')
      in_quotes = true;
    else if (c == '<')
      ++angle;
    else if (c == '>')
      angle = std::max(0, angle - 1);
    else if (c == ',' && angle == 0) {
      auto part = text.substr(start, i - start);
      auto mailbox = parse_mailbox(part);
      if (!mailbox) return mailbox.error();
      out.push_back(std::move(*mailbox));
      start = i + 1;
    }
  }
  if (in_quotes) return error("unterminated quoted name");
  return out;
}

std::string format_mailbox(const Mailbox& mailbox) {
  if (mailbox.name.empty()) return mailbox.address;
  bool needs_quotes = std::any_of(mailbox.name.begin(), mailbox.name.end(), [](char c) {
    return std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos;
  });
  std::string out;
  if (needs_quotes) {
    out.push_back('"');
    for (char c : mailbox.name) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  } else {
    out = mailbox.name;
  }
  return out + " <" + mailbox.address + ">";
}

std::string normalize_address(std::string_view address) {
  std::string out(address);
  auto at = out.rfind('@');
  if (at == std::string::npos) return out;
  for (auto i = at; i < out.size(); ++i) out[i] = ascii_lower(out[i]);
  return out;
}

}  // namespace postern
