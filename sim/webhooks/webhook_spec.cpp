#include "sim/webhooks/webhook_spec.h"

#include <boost/json.hpp>
#include <charconv>

#include "sim/common/setting_text.h"

namespace postern::sim {

namespace {

Result<int, Problem> parse_int(std::string_view key, std::string_view v, int low, int high) {
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < low || n > high) {
    return Problem{std::string(key) + ": expected a whole number from " + std::to_string(low) +
                   " to " + std::to_string(high) + ", got \"" + std::string(v) + "\""};
  }
  return n;
}

// The settings taken as they are written.
constexpr std::pair<std::string_view, std::string WebhookSpec::*> kTexts[] = {
    {"signing_key", &WebhookSpec::signing_key},
    {"username", &WebhookSpec::username},
    {"password", &WebhookSpec::password},
    {"topic_arn", &WebhookSpec::topic_arn},
};

constexpr std::string_view kOrders[] = {"in_order", "reverse", "shuffle"};

}  // namespace

Result<void, Problem> apply_setting(WebhookSpec& spec, std::string_view key,
                                    std::string_view value) {
  auto set_int = [&](int& field, int low, int high) -> Result<void, Problem> {
    auto n = parse_int(key, value, low, high);
    if (!n) return n.error();
    field = *n;
    return {};
  };
  auto set_ms = [&](std::chrono::milliseconds& field) -> Result<void, Problem> {
    auto d = parse_ms(value, true);
    if (!d) return Problem{std::string(key) + ": " + d.error().message};
    field = *d;
    return {};
  };
  if (key == "clear") {
    spec = WebhookSpec{};
    return {};
  }
  if (key == "url") {
    if (!value.empty() && !value.starts_with("http://") && !value.starts_with("https://"))
      return Problem{"url: expected an http:// or https:// URL"};
    spec.url = std::string(value);
    return {};
  }
  for (const auto& [name, member] : kTexts) {
    if (key == name) {
      spec.*member = std::string(value);
      return {};
    }
  }
  if (key == "signature_version") return set_int(spec.signature_version, 1, 2);
  if (key == "delay") return set_ms(spec.delay);
  if (key == "retry_delay") return set_ms(spec.retry_delay);
  if (key == "retries") return set_int(spec.retries, 0, 10);
  if (key == "batch") return set_int(spec.batch, 1, 1000);
  if (key == "hold") return set_int(spec.hold, 0, 10000);
  if (key == "duplicates") {
    auto rate = parse_rate(key, value);
    if (!rate) return rate.error();
    spec.duplicates = *rate;
    return {};
  }
  if (key == "order") {
    for (std::size_t i = 0; i < std::size(kOrders); ++i) {
      if (value == kOrders[i]) {
        spec.order = static_cast<EventOrder>(i);
        return {};
      }
    }
    return Problem{"order: expected in_order, reverse or shuffle, got \"" + std::string(value) +
                   "\""};
  }
  return Problem{"unknown webhook setting \"" + std::string(key) + "\""};
}

Result<void, Problem> apply_settings(WebhookSpec& spec, std::string_view list) {
  return for_each_setting(list, [&](std::string_view key, std::string_view value) {
    return apply_setting(spec, key, value);
  });
}

Result<void, Problem> apply_json(WebhookSpec& spec, const boost::json::object& settings) {
  // "clear" first, as for the faults.
  if (auto clear = settings.if_contains("clear"); clear && clear->is_bool() && clear->get_bool())
    spec = WebhookSpec{};
  const auto defaults = to_json(WebhookSpec{});
  for (const auto& [key, value] : settings) {
    if (key == "clear") continue;
    const auto& given = value.is_null() && defaults.contains(key) ? defaults.at(key) : value;
    auto text = json_scalar_text(given);
    if (!text) return Problem{std::string(key) + ": expected a string, number or boolean"};
    if (auto r = apply_setting(spec, key, *text); !r) return r.error();
  }
  return {};
}

boost::json::object to_json(const WebhookSpec& spec) {
  return boost::json::object{
      {"url", spec.url},
      {"signing_key", spec.signing_key},
      {"username", spec.username},
      {"password", spec.password},
      {"topic_arn", spec.topic_arn},
      {"signature_version", spec.signature_version},
      {"delay", format_ms(spec.delay)},
      {"duplicates", spec.duplicates},
      {"order", kOrders[static_cast<std::size_t>(spec.order)]},
      {"hold", spec.hold},
      {"retries", spec.retries},
      {"retry_delay", format_ms(spec.retry_delay)},
      {"batch", spec.batch},
  };
}

}  // namespace postern::sim
