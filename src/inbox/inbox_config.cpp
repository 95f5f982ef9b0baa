#include "inbox/inbox_config.h"

#include "core/ascii.h"

namespace postern::inbox {

bool valid_domain(std::string_view domain) {
  // RFC 1035 §2.3.4: 255 octets in all, 63 a label.
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t label = 0;
  char previous = '.';
  for (char c : domain) {
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return label > 0 && previous != '-';
}

Result<InboxOptions, ConfigError> read_inbox_config(ConfigFile& file) {
  InboxOptions o;
  std::size_t quota = o.quota_bytes;
  auto s = file.section("inbox");
  s.text("domain", o.domain)
      .duration("retention", o.retention)
      .bytes("quota", quota)
      .text("catch_all_password", o.catch_all_password)
      .duration("expiry_interval", o.expiry_interval)
      .listen("mx_listen", o.mx_listen);
  o.quota_bytes = quota;
  o.domain = ascii_lowered(o.domain);
  s.check(valid_domain(o.domain), "domain",
          "expected a domain name such as inbox.example.test, got '" + o.domain + "'")
      .check(o.retention >= std::chrono::minutes(1), "retention", "must be at least 1m")
      .check(o.expiry_interval >= std::chrono::seconds(1), "expiry_interval",
             "must be at least 1s");
  return file.result(std::move(o));
}

}  // namespace postern::inbox
