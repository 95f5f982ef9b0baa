#include "providers/smtp/smtp_reply.h"

#include <cctype>
#include <charconv>

#include "core/decimal.h"
#include "core/utf8.h"

namespace postern::providers::smtp {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// RFC 3463 §2: class "." subject "." detail, class 2, 4 or 5, subject up to
// 3 digits, detail up to 3 digits.
std::string leading_enhanced_code(std::string_view text) {
  std::size_t end = text.find(' ');
  auto token = text.substr(0, end);
  if (token.size() < 5 || (token[0] != '2' && token[0] != '4' && token[0] != '5') ||
      token[1] != '.')
    return "";
  auto rest = token.substr(2);
  auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 3) return "";
  auto detail = rest.substr(dot + 1);
  if (detail.empty() || detail.size() > 3) return "";
  for (char c : rest.substr(0, dot)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return "";
  }
  for (char c : detail) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return "";
  }
  return std::string(token);
}

}  // namespace

std::string SmtpReply::summary() const {
  std::string out = std::to_string(code);
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? " " : "; ") + lines[i];
  // Relays may answer in 8-bit text (RFC 5321 asks for ASCII); the summary
  // goes into events, served as JSON.
  return valid_utf8(out);
}

std::string SmtpReply::code_text() const {
  return enhanced.empty() ? std::to_string(code) : std::to_string(code) + " " + enhanced;
}

std::optional<SmtpReply> ReplyParser::feed(std::string_view line) {
  int code = 0;
  bool valid = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
               std::isdigit(static_cast<unsigned char>(line[1])) &&
               std::isdigit(static_cast<unsigned char>(line[2])) &&
               (line.size() == 3 || line[3] == ' ' || line[3] == '-');
  if (valid) std::from_chars(line.data(), line.data() + 3, code);
  if (!valid || code < 200 || code > 599 || (!pending_.lines.empty() && code != pending_.code)) {
    error_ = true;
    return std::nullopt;
  }
  bool last = line.size() == 3 || line[3] == ' ';
  auto text = line.size() > 4 ? line.substr(4) : std::string_view();
  if (pending_.lines.empty()) {
    pending_.code = code;
    pending_.enhanced = leading_enhanced_code(text);
  }
  pending_.lines.emplace_back(text);
  if (!last) return std::nullopt;
  SmtpReply done = std::move(pending_);
  pending_ = {};
  return done;
}

Capabilities parse_capabilities(const SmtpReply& ehlo) {
  Capabilities caps;
  caps.esmtp = true;
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    auto line = upper(ehlo.lines[i]);
    auto space = line.find(' ');
    auto keyword = line.substr(0, space);
    auto params = space == std::string::npos ? std::string() : line.substr(space + 1);
    if (keyword == "PIPELINING")
      caps.pipelining = true;
    else if (keyword == "STARTTLS")
      caps.starttls = true;
    else if (keyword == "SMTPUTF8")
      caps.smtputf8 = true;
    else if (keyword == "8BITMIME")
      caps.eight_bit_mime = true;
    else if (keyword == "SIZE") {
      caps.size_offered = true;
      // RFC 1870 §4: 0 or absent means no fixed limit; so does one too large to hold.
      caps.size_limit = parse_decimal<std::size_t>(params).value_or(0);
    } else if (keyword == "AUTH") {
      std::size_t start = 0;
      while (start < params.size()) {
        auto end = params.find(' ', start);
        if (end == std::string::npos) end = params.size();
        auto mechanism = params.substr(start, end - start);
        caps.auth_plain = caps.auth_plain || mechanism == "PLAIN";
        caps.auth_login = caps.auth_login || mechanism == "LOGIN";
        start = end + 1;
      }
    }
  }
  return caps;
}

}  // namespace postern::providers::smtp
