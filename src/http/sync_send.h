// Sync sends: Prefer: wait=N (RFC 7240) or ?wait=N holds the answer to
// POST /v1/messages until the message is sent or failed, or N seconds pass.
#pragma once

#include <chrono>
#include <optional>

#include "core/message_id.h"
#include "delivery/outcome_waiters.h"
#include "http/query.h"
#include "net/http_message.h"
#include "store/store.h"

namespace postern::http {

// The wait the caller asked for, capped at `max_wait`; zero when none;
// nullopt when the value is not a number.
std::optional<std::chrono::seconds> requested_wait(const net::HttpRequest& request,
                                                   const QueryParams& query,
                                                   std::chrono::seconds max_wait);

// The answer for an outcome: 200 sent, 502 failed or cancelled, 202
// "pending" for none yet.
net::HttpResponse outcome_response(const MessageId& id, bool replayed,
                                   const std::optional<delivery::Outcome>& outcome);

// Answers once the outcome is known: 200 sent, 502 failed or cancelled,
// 202 "pending" when the wait ran out. A replayed request whose message is
// already final is answered at once from the store.
void wait_for_outcome(delivery::OutcomeWaiters& waiters, store::Store& store,
                      const store::EnqueueResult& accepted, std::chrono::seconds wait,
                      net::Responder respond);

}  // namespace postern::http
