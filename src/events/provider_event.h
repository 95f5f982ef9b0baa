// What a provider tells about a message after it took it (delivered,
// bounced, complained, ...), in one shape for every provider. Each
// provider's webhook parser (src/providers/<name>/*_webhook.*) makes these
// from a verified request; the store records them (store/event_store.h) and
// ties each to the message whose send call returned its provider message id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern::events {

// The states a provider's report moves one recipient to. Stored on disk by
// name (to_str), never by number.
enum class RecipientEventType {
  delivered,     // the receiving server took it
  bounced,       // permanent failure (hard bounce, dropped): suppresses the address
  soft_bounced,  // temporary failure the provider gave up on or reports (blocked, mailbox full)
  complained,    // the recipient marked it as spam: suppresses the address
  deferred,      // the provider keeps trying
};

std::string_view to_str(RecipientEventType type);
std::optional<RecipientEventType> parse_recipient_event_type(std::string_view name);

// Whether an event of this type puts its recipient on the suppression list.
inline bool suppresses(RecipientEventType type) {
  return type == RecipientEventType::bounced || type == RecipientEventType::complained;
}

struct ProviderEvent {
  std::string provider;  // the configured provider's name (the webhook URL's {provider})
  // Unique for one report of one recipient at this provider, so a report
  // delivered twice is recorded once: Mailgun's signature token, SendGrid's
  // sg_event_id, SNS's MessageId followed by "/" and the recipient (one
  // notification may name several), Postmark's RecordType, "/" and its ID
  // (Delivery records have none: MessageID, "/", Recipient, "/", DeliveredAt).
  std::string dedupe_key;
  // The message as the provider's send call returned it and the dispatcher
  // recorded it (store::AttemptRecord::provider_message_id): Mailgun's id
  // without its angle brackets (as mailgun_classify.cpp records it), SendGrid's X-Message-Id (the
  // sg_message_id before its first '.'), SES's MessageId, Postmark's MessageID. Empty when the
  // report does not carry it (SendGrid's asynchronous bounces).
  std::string provider_message_id;
  // Postern's own message id as the send call passed it to the provider
  // (custom args, metadata, variables, tags), the second way to find the
  // message; empty when absent.
  std::string postern_id;
  std::string recipient;  // the address as the provider names it
  RecipientEventType type = RecipientEventType::delivered;
  SystemTime at{};     // when the provider says it happened
  std::string detail;  // the provider's reason or SMTP answer, clipped to 1,000 bytes (core/utf8.h)
};

}  // namespace postern::events
