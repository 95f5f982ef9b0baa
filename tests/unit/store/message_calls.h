// Blocking calls on a Store that tests of the stores beside it (provider
// events, webhooks) make to have messages to speak of: on either backend.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "events/provider_event.h"
#include "store/store.h"
#include "support/await_completion.h"

namespace postern::store::test_calls {

// A message from sender@example.org to `to`, `suppressed` left out at intake.
inline MessageId enqueue(Store& store, std::vector<std::string> to,
                         std::vector<std::string> suppressed = {}) {
  NewMessage m;
  m.format = ContentFormat::mime;
  m.content = "Subject: hi\r\n\r\nhello\r\n";
  m.envelope.sender = "sender@example.org";
  for (auto& a : to) m.envelope.recipients.push_back({a, RecipientKind::to});
  m.suppressed = std::move(suppressed);
  m.source = "http";
  auto r =
      test::await_completion<EnqueueResult>([&](auto done) { store.enqueue(std::move(m), done); });
  EXPECT_TRUE(r) << r.error().message();
  return r ? r->id : MessageId();
}

// What is due at `now`, leased by "w1".
inline std::vector<LeasedMessage> lease(Store& store, SystemTime now) {
  auto r = test::await_completion<std::vector<LeasedMessage>>(
      [&](auto done) { store.lease("w1", now, std::chrono::seconds(60), 100, done); });
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : std::vector<LeasedMessage>{};
}

// Records an attempt of a message leased by "w1" at `provider`, whose send
// call answered `provider_id`.
inline void record_attempt(Store& store, SystemTime now, MessageId id, const std::string& provider,
                           const std::string& provider_id, MessageStatus next,
                           std::vector<std::string> settled) {
  AttemptRecord rec;
  rec.id = id;
  rec.next_status = next;
  rec.next_attempt_at = now;
  rec.provider = provider;
  rec.failure_class = next == MessageStatus::sent ? "ok" : "transient";
  rec.provider_message_id = provider_id;
  rec.settled_recipients = std::move(settled);
  rec.counts_as_attempt = rec.settled_recipients.empty();
  auto r = test::await_completion<void>(
      [&](auto done) { store.record_attempt("w1", std::move(rec), done); });
  ASSERT_TRUE(r) << r.error().message();
}

// A provider's report at `now` of `type` for `recipient` of the message it
// knows as `provider_id`.
inline events::ProviderEvent provider_event(SystemTime now, const std::string& provider,
                                            const std::string& dedupe_key,
                                            const std::string& provider_id,
                                            const std::string& recipient,
                                            events::RecipientEventType type) {
  events::ProviderEvent e;
  e.provider = provider;
  e.dedupe_key = dedupe_key;
  e.provider_message_id = provider_id;
  e.recipient = recipient;
  e.type = type;
  e.at = now;
  e.detail = std::string(events::to_str(type)) + " detail";
  return e;
}

}  // namespace postern::store::test_calls
