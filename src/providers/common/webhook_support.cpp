#include "providers/common/webhook_support.h"

#include <openssl/crypto.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>

#include "core/ascii.h"
#include "core/decimal.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "core/utf8.h"

namespace postern::providers {

std::string_view WebhookRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (ascii_iequals(key, name)) return value;
  }
  return {};
}

}  // namespace postern::providers

namespace postern::providers::common {

namespace json = boost::json;

WebhookRefusal webhook_refusal(std::string reason, std::string message) {
  return WebhookRefusal{std::move(reason), std::move(message), false};
}

WebhookRefusal malformed_webhook(std::string message) {
  return webhook_refusal("malformed", std::move(message));
}

bool secrets_equal(std::string_view a, std::string_view b) {
  auto ha = sha256(a);
  auto hb = sha256(b);
  return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

const json::object* object_member(const json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string_view text_member(const json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

std::optional<SystemTime> unix_time_member(const json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  if (!v) return std::nullopt;
  double seconds = 0;
  if (v->is_int64()) {
    seconds = static_cast<double>(v->as_int64());
  } else if (v->is_uint64()) {
    seconds = static_cast<double>(v->as_uint64());
  } else if (v->is_double()) {
    seconds = v->as_double();
  } else if (v->is_string()) {
    auto whole = parse_decimal<std::int64_t>(std::string_view(v->as_string()));
    if (!whole) return std::nullopt;
    seconds = static_cast<double>(*whole);
  } else {
    return std::nullopt;
  }
  // SystemTime counts nanoseconds in 64 bits: about ±292 years.
  if (!std::isfinite(seconds) || seconds < -9.0e9 || seconds > 9.0e9) return std::nullopt;
  auto whole = static_cast<std::int64_t>(std::floor(seconds));
  auto base = from_unix_seconds(whole);
  if (!base) return std::nullopt;
  auto micros = static_cast<std::int64_t>((seconds - static_cast<double>(whole)) * 1e6);
  return *base + std::chrono::microseconds(micros);
}

std::optional<SystemTime> rfc3339_member(const json::object& object, std::string_view key) {
  auto text = text_member(object, key);
  // parse_time also takes plain Unix seconds, which these members never are.
  if (text.empty() || text.find('T') == std::string_view::npos) return std::nullopt;
  return parse_time(text);
}

// clip_utf8 may add "..." past its limit.
std::string event_detail(std::string_view text) { return clip_utf8(text, kEventDetailBytes - 3); }

}  // namespace postern::providers::common
