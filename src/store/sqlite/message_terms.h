// The terms a message is found by in the message log's search (schema
// migration 15, table message_terms): "r:" and each recipient's suppression
// key (the domain lower-cased, the local part as given, so a search by
// address is exact but for the domain's case), "t:" and each tag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"
#include "store/event_store.h"

namespace postern::store::sqlite {

inline std::string recipient_term(std::string_view address) {
  return "r:" + suppression_key(address);
}

inline std::string tag_term(std::string_view tag) { return "t:" + std::string(tag); }

// Every term of a message (a term may repeat: the table keeps it once).
inline std::vector<std::string> message_terms(const std::vector<Recipient>& recipients,
                                              const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  out.reserve(recipients.size() + tags.size());
  for (const auto& r : recipients) out.push_back(recipient_term(r.address));
  for (const auto& t : tags) out.push_back(tag_term(t));
  return out;
}

}  // namespace postern::store::sqlite
