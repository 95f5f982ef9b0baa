#include "core/message.h"

#include <unordered_set>

namespace postern {

Envelope envelope_of(const Message& message) {
  Envelope env;
  env.sender = message.from.address;
  std::unordered_set<std::string> seen;
  auto add = [&](const std::vector<Mailbox>& list, RecipientKind kind) {
    for (const auto& m : list) {
      if (seen.insert(normalize_address(m.address)).second) {
        env.recipients.push_back({m.address, kind});
      }
    }
  };
  add(message.to, RecipientKind::to);
  add(message.cc, RecipientKind::cc);
  add(message.bcc, RecipientKind::bcc);
  return env;
}

}  // namespace postern
