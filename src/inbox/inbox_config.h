// What the configuration file says about the test inbox: [inbox]. The node's
// inbox domain (every account's address is user@domain), how long caught
// mail and unused accounts are kept, and each account's size quota. The
// accounts service (accounts.h) takes these as the defaults and upper bounds
// of each account's own retention and quota.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/config.h"

namespace postern::inbox {

struct InboxOptions {
  // A name under .test (RFC 2606): it can never be a real domain, so mail
  // sent by mistake to a test address outside Postern goes nowhere.
  std::string domain = "inbox.postern.test";
  std::chrono::seconds retention{std::chrono::hours(7 * 24)};
  std::uint64_t quota_bytes = 100 * 1024 * 1024;  // 0: no limit
  // The catch-all account's password when it is created (the first start);
  // empty: a generated one, logged once (docs/inbox.md "How mail is caught").
  std::string catch_all_password;
  // How often expired mail and unused accounts are looked for (expiry.h):
  // mail stays at most this much beyond its retention. A minute, as the
  // shortest retention is one: a sweep that finds nothing costs a few
  // indexed reads.
  std::chrono::milliseconds expiry_interval{std::chrono::minutes(1)};
  // host:port of the MX listener (docs/inbox.md "MX listener"): SMTP
  // without AUTH that takes mail for the test addresses of `domain` from
  // anywhere and catches it. Empty: none. Its other options are [smtp]'s.
  std::string mx_listen;
};

// Reads [inbox]: domain, retention, quota, catch_all_password, expiry_interval, mx_listen.
// Errors name the key.
Result<InboxOptions, ConfigError> read_inbox_config(ConfigFile& file);

// Whether `domain` is a host name as mail addresses carry it: dot-separated
// labels of letters, digits and '-', none empty, starting or ending with '-'.
bool valid_domain(std::string_view domain);

}  // namespace postern::inbox
