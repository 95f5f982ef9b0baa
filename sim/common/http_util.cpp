#include "sim/common/http_util.h"

#include <boost/json.hpp>
#include <cctype>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/header_value.h"
#include "core/percent.h"
#include "core/time_format.h"

namespace postern::sim {

namespace {}  // namespace

std::optional<std::string> header_parameter(std::string_view value, std::string_view name) {
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    auto eq = value.find('=', i);
    auto semi = value.find(';', i);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      i = semi;
      continue;
    }
    auto key = trim_blanks(value.substr(i, eq - i));
    std::size_t j = eq + 1;
    while (j < value.size() && (value[j] == ' ' || value[j] == '\t')) ++j;
    std::string parsed;
    if (j < value.size() && value[j] == '"') {
      // quoted-string with quoted-pairs (RFC 9110 §5.6.4).
      for (++j; j < value.size() && value[j] != '"'; ++j) {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        parsed += value[j];
      }
      if (j < value.size()) ++j;  // closing quote
      i = value.find(';', j);
    } else {
      auto end = value.find(';', j);
      parsed = std::string(trim_blanks(
          value.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j)));
      i = end;
    }
    if (ascii_iequals(key, name)) return parsed;
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization) {
  authorization = trim_blanks(authorization);
  if (authorization.size() < 6 || !ascii_iequals(authorization.substr(0, 6), "Basic "))
    return std::nullopt;
  auto decoded = base64_decode(trim_blanks(authorization.substr(6)));
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  authorization = trim_blanks(authorization);
  if (authorization.size() < 7 || !ascii_iequals(authorization.substr(0, 7), "Bearer "))
    return std::nullopt;
  return trim_blanks(authorization.substr(7));
}

std::string rfc2822_date(SystemTime t) { return format_utc(t, "%a, %d %b %Y %H:%M:%S UTC"); }

long long unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string percent_decode(std::string_view s) {
  auto decoded = postern::percent_decode(s);
  return decoded ? std::move(*decoded) : std::string(s);
}

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto segment = path.substr(0, slash);
    if (!segment.empty()) out.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

net::HttpResponse json_response(int status, const boost::json::value& body) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  return r;
}

net::HttpResponse text_response(int status, std::string body, std::string content_type) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

std::string host_port(std::string_view host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status >= 500 ? "Server Error" : "Error";
  }
}

std::optional<std::string> raw_header(std::string_view message, std::string_view name) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    auto eol = message.find('\n', pos);
    auto line =
        message.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return std::nullopt;  // end of the header section
    auto colon = line.find(':');
    if (colon != std::string_view::npos && line.front() != ' ' && line.front() != '\t' &&
        ascii_iequals(trim_blanks(line.substr(0, colon)), name)) {
      std::string value(line.substr(colon + 1));
      // Continuation lines (RFC 5322 §2.2.3) belong to this field.
      while (eol != std::string_view::npos && eol + 1 < message.size() &&
             (message[eol + 1] == ' ' || message[eol + 1] == '\t')) {
        pos = eol + 1;
        eol = message.find('\n', pos);
        auto more =
            message.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        if (!more.empty() && more.back() == '\r') more.remove_suffix(1);
        value += more;
      }
      return std::string(trim_blanks(value));
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return std::nullopt;
}

}  // namespace postern::sim
