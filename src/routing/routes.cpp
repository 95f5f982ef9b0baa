#include "routing/routes.h"

#include <strings.h>

#include <algorithm>

namespace postern::routing {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool has_tag(const providers::OutboundMessage& m, const std::string& tag) {
  return std::find(m.tags().begin(), m.tags().end(), tag) != m.tags().end();
}

bool has_metadata(const providers::OutboundMessage& m, const RouteRule& r) {
  if (m.format() != ContentFormat::json) return false;  // raw MIME carries no metadata
  auto parsed = m.structured();
  if (!parsed) return false;
  for (const auto& [k, v] : (*parsed)->metadata) {
    if (k == r.metadata_key && v == r.metadata_value) return true;
  }
  return false;
}

}  // namespace

RouteTable::RouteTable(std::vector<RouteRule> rules, std::string default_pool)
    : rules_(std::move(rules)), default_pool_(std::move(default_pool)) {
  uses_metadata_ = std::any_of(rules_.begin(), rules_.end(),
                               [](const RouteRule& r) { return !r.metadata_key.empty(); });
}

std::string_view domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

bool domain_matches(std::string_view pattern, std::string_view domain) {
  if (pattern.starts_with("*.")) {
    auto base = pattern.substr(2);
    if (iequals(base, domain)) return true;
    return domain.size() > base.size() + 1 && domain[domain.size() - base.size() - 1] == '.' &&
           iequals(domain.substr(domain.size() - base.size()), base);
  }
  return iequals(pattern, domain);
}

std::size_t RouteTable::match(const providers::OutboundMessage& message) const {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& r = rules_[i];
    if (!r.sender_domain.empty() &&
        !domain_matches(r.sender_domain, domain_of(message.envelope().sender)))
      continue;
    if (!r.tag.empty() && !has_tag(message, r.tag)) continue;
    if (!r.metadata_key.empty() && !has_metadata(message, r)) continue;
    return i;
  }
  return rules_.size();
}

const std::string& RouteTable::pool_for(const providers::OutboundMessage& message) const {
  auto i = match(message);
  return i < rules_.size() ? rules_[i].pool : default_pool_;
}

}  // namespace postern::routing
