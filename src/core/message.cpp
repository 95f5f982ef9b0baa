#include "core/message.h"

#include <algorithm>
#include <cctype>

#include "core/ascii.h"

namespace postern {

namespace {

// Same mailbox: local parts compare exactly, domains without case.
bool same_address(std::string_view a, std::string_view b) {
  auto at_a = a.rfind('@'), at_b = b.rfind('@');
  if (at_a != at_b || a.size() != b.size()) return false;
  if (a.substr(0, at_a) != b.substr(0, at_b)) return false;
  for (auto i = at_a; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Envelope envelope_of(const Message& message) {
  Envelope env;
  env.sender = message.from.address;
  env.recipients.reserve(message.to.size() + message.cc.size() + message.bcc.size());
  // Most messages have a handful of recipients: a linear scan beats hashing;
  // past that, a sorted index keeps large lists linear-logarithmic.
  std::vector<std::string> normalized;
  auto seen = [&](const std::string& address) {
    if (env.recipients.size() < 16) {
      for (const auto& r : env.recipients) {
        if (same_address(r.address, address)) return true;
      }
      return false;
    }
    if (normalized.empty()) {
      for (const auto& r : env.recipients) normalized.push_back(normalize_address(r.address));
      std::sort(normalized.begin(), normalized.end());
    }
    auto n = normalize_address(address);
    auto it = std::lower_bound(normalized.begin(), normalized.end(), n);
    if (it != normalized.end() && *it == n) return true;
    normalized.insert(it, std::move(n));
    return false;
  };
  auto add = [&](const std::vector<Mailbox>& list, RecipientKind kind) {
    for (const auto& m : list) {
      if (!seen(m.address)) env.recipients.push_back({m.address, kind});
    }
  };
  add(message.to, RecipientKind::to);
  add(message.cc, RecipientKind::cc);
  add(message.bcc, RecipientKind::bcc);
  return env;
}

}  // namespace postern
