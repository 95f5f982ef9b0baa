// Formatting of the replies in replies.h.
#include "smtp/replies.h"

#include <charconv>

namespace postern::smtp {
namespace {

void append_line(std::string& out, const ReplySpec& spec, char separator, std::string_view text) {
  char code[4];
  std::to_chars(code, code + 3, spec.code);
  out.append(code, 3);
  out.push_back(separator);
  if (!spec.enhanced.empty()) {
    out.append(spec.enhanced);
    if (!text.empty()) out.push_back(' ');
  }
  out.append(text);
  out.append("\r\n");
}

}  // namespace

std::string format_reply(ReplyId id, std::string_view text) {
  const auto& spec = reply_spec(id);
  std::string out;
  append_line(out, spec, ' ', text.empty() ? spec.text : text);
  return out;
}

std::string format_multiline(ReplyId id, const std::vector<std::string>& lines) {
  const auto& spec = reply_spec(id);
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    append_line(out, spec, i + 1 < lines.size() ? '-' : ' ', lines[i]);
  }
  return out;
}

}  // namespace postern::smtp
