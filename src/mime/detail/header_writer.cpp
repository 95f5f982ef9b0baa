// Header encoding and folding for build_message (RFC 5322 §2.2.3, §3.3,
// §3.4; RFC 2047).
#include "mime/detail/header_writer.h"

#include <cctype>

#include "mime/detail/rfc2047.h"

namespace postern::mime::detail {
namespace {

// Longest unbreakable run kept literal: with a field name of up to 76
// octets and ": ", a line then stays under 998 octets.
constexpr std::size_t kMaxWord = 900;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool is_atext(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c < 0x80 && std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(ch) != std::string_view::npos;
}

bool is_atom_phrase(std::string_view name) {
  if (name.empty() || name.front() == ' ' || name.back() == ' ') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ' ') {
      if (name[i + 1] == ' ') return false;
    } else if (!is_atext(name[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::size_t first_line_room(std::string_view name) {
  std::size_t used = name.size() + 2;  // "name: "
  return used < kFoldWidth ? kFoldWidth - used : 0;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 2 + value.size());
  line.append(name);
  line += ": ";
  line.append(value);
  // Defence in depth against header injection: a value never ends the field.
  for (std::size_t i = name.size() + 2; i < line.size(); ++i) {
    if (line[i] == '\r' || line[i] == '\n') line[i] = ' ';
  }
  // Fold points: a WSP that a non-WSP follows, past "name: ".
  std::vector<std::size_t> folds;
  for (std::size_t i = name.size() + 2; i + 1 < line.size(); ++i) {
    if (is_wsp(line[i]) && !is_wsp(line[i + 1])) folds.push_back(i);
  }
  std::size_t start = 0;
  std::size_t k = 0;
  while (line.size() - start > kFoldWidth) {
    while (k < folds.size() && folds[k] <= start) ++k;
    if (k == folds.size()) break;
    // The last fold point that keeps this line within the width, or the
    // first one at all when a single word is wider.
    std::size_t pick = folds[k];
    while (k + 1 < folds.size() && folds[k + 1] - start <= kFoldWidth) pick = folds[++k];
    out.append(line, start, pick - start);
    out += "\r\n";
    start = pick;
  }
  out.append(line, start, std::string::npos);
  out += "\r\n";
}

std::string encode_unstructured(std::string_view text, std::size_t first_limit) {
  if (needs_encoding(text, kMaxWord)) return encode_words(text, first_limit);
  return std::string(text);
}

std::string encode_phrase(std::string_view name, std::size_t first_limit) {
  if (needs_encoding(name, kMaxWord) || name.find('\t') != std::string_view::npos) {
    return encode_words(name, first_limit);
  }
  if (is_atom_phrase(name)) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string format_mailbox_list(const std::vector<Mailbox>& mailboxes, std::size_t first_limit) {
  std::string out;
  for (const auto& m : mailboxes) {
    if (!out.empty()) out += ", ";
    if (m.name.empty()) {
      out += m.address;
    } else {
      out += encode_phrase(m.name, out.empty() ? first_limit : kFoldWidth - 1);
      out += " <";
      out += m.address;
      out += ">";
    }
  }
  return out;
}

}  // namespace postern::mime::detail
