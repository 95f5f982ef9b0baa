// Routes choose a message's pool by sender domain, tag or metadata; the
// first route whose conditions all hold wins, else the default pool.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/outbound_message.h"

namespace postern::routing {

struct RouteRule {
  std::string sender_domain;  // "example.com" or "*.example.com"; "" = any
  std::string tag;            // "" = any
  std::string metadata_key;   // "" = any
  std::string metadata_value;
  std::string pool;
};

class RouteTable {
 public:
  RouteTable() = default;
  RouteTable(std::vector<RouteRule> rules, std::string default_pool);

  // The index of the first rule that matches, or rules().size() for the
  // default pool. Looks at metadata only when a rule asks for it (that
  // needs the parsed message).
  std::size_t match(const providers::OutboundMessage& message) const;
  const std::string& pool_for(const providers::OutboundMessage& message) const;
  bool uses_metadata() const { return uses_metadata_; }

  const std::vector<RouteRule>& rules() const { return rules_; }
  const std::string& default_pool() const { return default_pool_; }

 private:
  std::vector<RouteRule> rules_;
  std::string default_pool_ = "default";
  bool uses_metadata_ = false;
};

// "a@Example.COM" -> "Example.COM"; "" for no domain.
std::string_view domain_of(std::string_view address);
// Case-insensitive; a leading "*." matches the domain and its subdomains.
bool domain_matches(std::string_view pattern, std::string_view domain);

}  // namespace postern::routing
