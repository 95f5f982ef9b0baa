#include "providers/common/message_parts.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

#include "core/ascii.h"

namespace postern::providers::common {

namespace {

std::string name_for(const std::string& address, const Message* names) {
  if (!names) return "";
  auto key = normalize_address(address);
  for (const auto* list : {&names->to, &names->cc, &names->bcc}) {
    for (const auto& m : *list) {
      if (normalize_address(m.address) == key) return m.name;
    }
  }
  return "";
}

}  // namespace

RecipientLists recipients_of(const Envelope& envelope, const Message* names) {
  RecipientLists out;
  std::unordered_set<std::string> seen;
  for (const auto& r : envelope.recipients) {
    // APIs refuse an address twice in one message (SendGrid does).
    if (!seen.insert(normalize_address(r.address)).second) continue;
    Mailbox m{name_for(r.address, names), r.address};
    switch (r.kind) {
      case RecipientKind::to:
        out.to.push_back(std::move(m));
        break;
      case RecipientKind::cc:
        out.cc.push_back(std::move(m));
        break;
      case RecipientKind::bcc:
        out.bcc.push_back(std::move(m));
        break;
    }
  }
  return out;
}

std::string join_mailboxes(const std::vector<Mailbox>& list) {
  std::string out;
  for (const auto& m : list) {
    if (!out.empty()) out += ", ";
    out += format_mailbox(m);
  }
  return out;
}

std::string attachment_name(const Attachment& attachment, std::size_t index) {
  if (!attachment.filename.empty()) return attachment.filename;
  return "attachment-" + std::to_string(index + 1);
}

bool is_structural_header(std::string_view name) {
  // The union of SendGrid's forbidden headers and what every
  // API derives from its fields or sets itself (RFC 5322 §3.6 origination,
  // MIME structure, trace fields).
  static constexpr std::array<std::string_view, 18> kStructural = {"from",
                                                                   "to",
                                                                   "cc",
                                                                   "bcc",
                                                                   "reply-to",
                                                                   "subject",
                                                                   "sender",
                                                                   "date",
                                                                   "message-id",
                                                                   "mime-version",
                                                                   "content-type",
                                                                   "content-transfer-encoding",
                                                                   "content-disposition",
                                                                   "received",
                                                                   "return-path",
                                                                   "dkim-signature",
                                                                   "x-sg-id",
                                                                   "x-sg-eid"};
  return std::any_of(kStructural.begin(), kStructural.end(),
                     [&](std::string_view s) { return ascii_iequals(s, name); });
}

SendResult unreadable_message(const error_code& ec) {
  SendResult r;
  r.failure_class = FailureClass::permanent;
  r.code = std::string(kCorruptMessageCode);  // the dispatcher quarantines it
  r.detail = "the stored message cannot be rendered: " + ec.message();
  return r;
}

}  // namespace postern::providers::common
