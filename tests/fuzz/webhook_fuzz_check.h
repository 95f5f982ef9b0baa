// The invariants every provider webhook parser keeps for any input: a
// refusal names its reason; every event has a dedupe key, and a detail of
// valid UTF-8 within 1,000 bytes (events/provider_event.h).
#pragma once

#include "core/utf8.h"
#include "fuzz_check.h"
#include "providers/webhook.h"

namespace postern::fuzz {

inline void check_webhook_result(const providers::WebhookResult& r) {
  if (!r) {
    FUZZ_CHECK(!r.error().reason.empty());
    return;
  }
  for (const auto& e : r->events) {
    FUZZ_CHECK(!e.dedupe_key.empty());
    FUZZ_CHECK(e.detail.size() <= 1000);
    FUZZ_CHECK(is_valid_utf8(e.detail));
  }
}

}  // namespace postern::fuzz
